/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The underlay: routing and sending the outer packets of a tunnel.
 */
#ifndef _SECTUN_UNDERLAY_H
#define _SECTUN_UNDERLAY_H

#include <linux/netdevice.h>
#include <linux/skbuff.h>

struct sectun_dev;

/* Room for any outer header: link layer, IPv6, UDP. */
#define SECTUN_UNDERLAY_HEADROOM	(LL_MAX_HEADER + 40 + 8)

/*
 * Prepend the outer IP header and send SKB (an ESP or AH packet) to the
 * tunnel's remote endpoint through the underlay namespace. Consumes SKB;
 * returns 0 when it left, else a negative errno (already counted).
 * Called under rcu_read_lock() with bottom halves off.
 */
int sectun_underlay_xmit(struct sectun_dev *sd, struct sk_buff *skb,
			 u8 proto, u8 inner_dsfield, bool inner_df);

#endif /* _SECTUN_UNDERLAY_H */
