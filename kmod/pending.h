/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inbound SPIs reserved before their keys exist: what arrives for one is
 * held, a little and briefly, for the SA that will have it.
 */
#ifndef _SECTUN_PENDING_H
#define _SECTUN_PENDING_H

#include <linux/netlink.h>
#include <linux/skbuff.h>

struct net;
struct sectun_dev;
struct sectun_sa;
union sectun_addr;

/*
 * Packets held per reserved SPI, reservations per device, and the memory
 * all held packets may take, in all.
 */
#define SECTUN_PENDING_MAX_SKBS		32
#define SECTUN_PENDING_MAX_PER_DEV	256
#define SECTUN_PENDING_MAX_BYTES	(8 << 20)
/* How long a reservation may hold packets, at most. */
#define SECTUN_PENDING_MAX_MS		30000

int sectun_pending_init(void);
void sectun_pending_uninit(void);

/* Under RTNL: reserve SPI for an inbound SA of PROTO on SD, for MS ms. */
int sectun_pending_add(struct sectun_dev *sd, u32 spi, u8 proto,
		       unsigned int ms, struct netlink_ext_ack *extack);
/* Under RTNL: the reservation goes, and what it held with it; -ENOENT if none. */
int sectun_pending_del(struct sectun_dev *sd, u32 spi, u8 proto);
/* Under RTNL: every reservation of SD goes. */
void sectun_pending_flush(struct sectun_dev *sd);
/*
 * Under RTNL, once inbound SA is in the SAD: what its reservation held
 * goes to it (a reservation made on another device only goes).
 */
void sectun_pending_release(struct sectun_sa *sa);

/* Under RTNL: whether a device other than SD reserved SPI in NET. */
bool sectun_pending_reserved_elsewhere(const struct net *net, u32 spi, u8 proto,
				       const struct sectun_dev *sd);

/*
 * Receive path, under rcu_read_lock(): takes SKB (ESP or AH for SPI, not
 * in the SAD, from FAMILY address SRC) if SPI is reserved by the tunnel
 * whose remote endpoint SRC is; false leaves it to the caller.
 */
bool sectun_pending_hold(const struct net *net, u32 spi, u8 proto, int family,
			 const union sectun_addr *src, struct sk_buff *skb,
			 u16 encap_sport);

#endif /* _SECTUN_PENDING_H */
