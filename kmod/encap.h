/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ESP in UDP (RFC 3948): NAT keepalives out, the peer's port in.
 */
#ifndef _SECTUN_ENCAP_H
#define _SECTUN_ENCAP_H

#include <linux/skbuff.h>
#include <linux/timer.h>

struct sectun_dev;

void sectun_encap_keepalive(struct timer_list *t);
/* The UDP source port of an ESP-in-UDP packet handed over by xfrm's
 * encapsulation socket code, 0 when SKB did not come in UDP.
 */
u16 sectun_encap_sport(struct sk_buff *skb, int encap_type);

#endif /* _SECTUN_ENCAP_H */
