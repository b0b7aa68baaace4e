/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AH (RFC 4302) in tunnel mode.
 */
#ifndef _SECTUN_AH_H
#define _SECTUN_AH_H

#include <linux/skbuff.h>

struct sectun_crypto;
struct sectun_dev;
struct sectun_sa;

/* The AH header with its ICV, padded for the outer family. */
unsigned int sectun_ah_hlen(const struct sectun_crypto *c, int family);

/* Consumes SKB (an inner IPv4/IPv6 packet, not GSO). */
void sectun_ah_output(struct sectun_dev *sd, struct sectun_sa *sa,
		      struct sk_buff *skb);
/* Consumes SKB, whose data starts at the AH header. */
void sectun_ah_input(struct sectun_sa *sa, struct sk_buff *skb);

#endif /* _SECTUN_AH_H */
