/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's side of the sectun netlink family: installing and removing
 * child SAs and their selectors on a VPN's st interface, and the events
 * (acquire, expire) the module raises.
 */
#ifndef SECTUN_IKED_KERNEL_H
#define SECTUN_IKED_KERNEL_H

#include <stdint.h>
#include <sys/socket.h>

#include "types.h"

struct child_sa;
struct ike_sa;

/* The keys of one direction of a child SA, cut from KEYMAT. */
struct child_keys {
	uint8_t encr[36], integ[64];
	size_t encr_len, integ_len;
};

/* What the module tells the daemon. */
struct kernel_event {
	enum { KEV_ACQUIRE, KEV_SOFT_EXPIRE, KEV_HARD_EXPIRE, KEV_DELETED } kind;
	char ifname[16];
	uint32_t policy;		/* acquire: selector index, 0 = whole tunnel */
	uint32_t spi;			/* expire/delete */
	int dir;			/* SECTUN_DIR_* */
};

/* Before ike_kernel_open(): negotiate, but install nothing. */
void ike_kernel_dry_run(void);
int ike_kernel_open(void);
void ike_kernel_close(void);
int ike_kernel_events_fd(void);
/* Reads pending events and hands each to FN. */
void ike_kernel_read_events(void (*fn)(const struct kernel_event *ev));

/* A random SPI that no SA of ours uses (>= 256). */
uint32_t ike_kernel_new_spi(void);
/*
 * Points the tunnel at SA's peer: its addresses, and ESP in UDP on SA's
 * ports when SA found a NAT (keepalives when we are behind it).
 */
int ike_kernel_set_endpoints(const char *ifname, const struct ike_sa *sa);
/* A selector on IFNAME; INDEX 0: pick one. Returns the index or negative. */
int ike_kernel_add_policy(const char *ifname, uint32_t index,
			  const struct ike_ts *local, const struct ike_ts *remote);
int ike_kernel_del_policy(const char *ifname, uint32_t index);
/*
 * Both directions of CHILD, with IN and OUT keys; soft expiry at
 * child->soft_seconds, the outbound SA on standby if child->out_standby.
 */
int ike_kernel_add_child(const struct child_sa *child, const struct child_keys *in,
			 const struct child_keys *out, uint32_t replay_window,
			 uint32_t lifetime, uint64_t lifetime_kb);
void ike_kernel_del_child(const struct child_sa *child);
/* CHILD's outbound SA, installed on standby, becomes its selector's current one. */
int ike_kernel_make_current(const struct child_sa *child);
/* Only CHILD's outbound SA goes (it was replaced). */
void ike_kernel_del_out(const struct child_sa *child);
/*
 * Inbound SPI of PROTOCOL (IKE_PROTO_ESP or _AH) on IFNAME, reserved
 * while we ask the peer for its SA: what the peer sends on it before the
 * SA is added is held for the SA (KERNEL_RESERVE_MS at most). 0 or -errno.
 */
int ike_kernel_reserve_spi(const char *ifname, uint8_t protocol, uint32_t spi);
/* The reservation goes (never the SA, if one was added meanwhile). */
void ike_kernel_unreserve_spi(const char *ifname, uint8_t protocol, uint32_t spi);
#define KERNEL_RESERVE_MS	30000
/* The packets CHILD's SA of DIR (SECTUN_DIR_*) carried so far; 0 or -errno. */
int ike_kernel_sa_packets(const struct child_sa *child, int dir, uint64_t *packets);
/* Tests, with no kernel: what ike_kernel_sa_packets() reads. */
extern uint64_t (*ike_kernel_dry_packets)(const struct child_sa *child, int dir);

#endif
