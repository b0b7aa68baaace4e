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

struct sectun_crypto;

/* Outer bytes for an inner packet of LEN under C, after HLEN of IP/UDP. */
unsigned int sectun_esp_outer_len(const struct sectun_crypto *c,
				  unsigned int len, unsigned int hlen);
/* The largest inner packet that fits PATH_MTU (0 when none does). */
unsigned int sectun_esp_max_inner(const struct sectun_crypto *c,
				  unsigned int path_mtu, unsigned int hlen);

struct sectun_inner {
	u8 nexthdr;		/* what the ESP/AH header announces */
	u8 dsfield;
	bool df;
};

bool sectun_tx_inner(struct sectun_sa *sa, struct sk_buff *skb,
		     struct sectun_inner *in);
/* Transport mode, inbound: rebuild the IP header in front of what followed
 * ESP/AH (from SKB->data on), with NEXTHDR as its protocol.
 */
void sectun_rx_transport(struct sk_buff *skb, u8 nexthdr);

void sectun_rx_inner(struct sectun_sa *sa, struct sk_buff *skb, u8 nexthdr,
		     u8 outer_dsfield);

/* Consumes SKB (an inner IPv4/IPv6 packet, not GSO). */
void sectun_esp_output(struct sectun_dev *sd, struct sectun_sa *sa,
		       struct sk_buff *skb);
/*
 * Consumes SKB, whose data starts at the ESP header; SA from the SAD.
 * ENCAP_SPORT: the UDP source port it came from, 0 for plain ESP.
 */
void sectun_esp_input(struct sectun_sa *sa, struct sk_buff *skb,
		      u16 encap_sport);

/* The halves of each direction that the crypt queues run (crypt_queue.h). */
struct sectun_crypt_item;
int sectun_esp_output_crypt(struct sectun_crypt_item *item);
void sectun_esp_output_finish(struct sectun_crypt_item *item, int err);
int sectun_esp_input_crypt(struct sectun_crypt_item *item);
void sectun_esp_input_finish(struct sectun_crypt_item *item, int err);

#endif /* _SECTUN_ESP_H */
