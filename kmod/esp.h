/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ESP (RFC 4303) in tunnel mode: encapsulation of what is routed to the
 * device, decapsulation of what arrives for its SAs.
 */
#ifndef _SECTUN_ESP_H
#define _SECTUN_ESP_H

#include <linux/skbuff.h>

struct sectun_dev;
struct sectun_sa;

/* Consumes SKB (an inner IPv4/IPv6 packet, not GSO). */
void sectun_esp_output(struct sectun_dev *sd, struct sectun_sa *sa,
		       struct sk_buff *skb);
/* Consumes SKB, whose data starts at the ESP header; SA from the SAD. */
void sectun_esp_input(struct sectun_sa *sa, struct sk_buff *skb);

#endif /* _SECTUN_ESP_H */
