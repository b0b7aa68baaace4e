/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The underlay: routing and sending the outer packets of a tunnel.
 */
#ifndef _SECTUN_UNDERLAY_H
#define _SECTUN_UNDERLAY_H

#include <linux/netdevice.h>
#include <linux/skbuff.h>

struct sectun_dev;
struct sectun_params;

/* Room for any outer header: link layer, IPv6, UDP. */
#define SECTUN_UNDERLAY_HEADROOM	(LL_MAX_HEADER + 40 + 8)

/*
 * Prepend the outer headers and send SKB to the tunnel's remote endpoint
 * through the underlay namespace. PROTO is IPPROTO_ESP (wrapped in UDP
 * when the tunnel says so) or IPPROTO_UDP (SKB is a UDP payload: a NAT
 * keepalive). Consumes SKB; returns 0 when it left, else a negative errno
 * (already counted). Under rcu_read_lock() with bottom halves off.
 */
int sectun_underlay_xmit(struct sectun_dev *sd, struct sk_buff *skb,
			 u8 proto, u8 inner_dsfield, bool inner_df);

/*
 * The same in two steps, for AH, whose ICV covers the outer header: push
 * the outer headers and attach the route (0, or an errno with SKB still
 * the caller's), then send.
 */
int sectun_underlay_push(struct sectun_dev *sd, struct sk_buff *skb,
			 u8 proto, u8 inner_dsfield, bool inner_df);
void sectun_underlay_send(struct sk_buff *skb);

/* Outer IP (and UDP) header bytes, and the path MTU (0: no route). */
unsigned int sectun_underlay_iphlen(const struct sectun_params *p);
unsigned int sectun_underlay_hlen(const struct sectun_params *p);
unsigned int sectun_underlay_mtu(struct sectun_dev *sd);

#endif /* _SECTUN_UNDERLAY_H */
