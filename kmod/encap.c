// SPDX-License-Identifier: GPL-2.0
/*
 * ESP in UDP (RFC 3948). sectun opens no UDP socket: encapsulated ESP
 * reaches it through a socket with UDP_ENCAP_ESPINUDP set (sectun-iked's,
 * which also gets the IKE messages behind the non-ESP marker, or "sectun
 * encap listen" for manual keying). The kernel's encapsulation code strips
 * the UDP header and passes the ESP packet down the ESP handler chain,
 * where sectun takes its own SPIs.
 */
#include <linux/udp.h>
#include <net/xfrm.h>

#include "device.h"
#include "encap.h"
#include "underlay.h"

/* One 0xFF byte to keep the NAT mapping open (RFC 3948 2.3). */
void sectun_encap_keepalive(struct timer_list *t)
{
	struct sectun_dev *sd = from_timer(sd, t, keepalive);
	const struct sectun_params *p;
	struct sk_buff *skb;
	u32 interval;

	rcu_read_lock();
	p = rcu_dereference(sd->params);
	interval = p->natt_keepalive;
	if (!p->underlay || p->encap_type != SECTUN_ENCAP_ESPINUDP || !interval) {
		rcu_read_unlock();
		return;			/* stopped; a new setting re-arms it */
	}
	if (sd->dev->flags & IFF_UP) {
		skb = alloc_skb(SECTUN_UNDERLAY_HEADROOM + 1, GFP_ATOMIC);
		if (skb) {
			skb_reserve(skb, SECTUN_UNDERLAY_HEADROOM);
			skb_put_u8(skb, 0xff);
			sectun_underlay_xmit(sd, skb, IPPROTO_UDP, 0, false);
		}
	}
	rcu_read_unlock();
	mod_timer(&sd->keepalive, jiffies + interval * HZ);
}

u16 sectun_encap_sport(struct sk_buff *skb, int encap_type)
{
	const struct udphdr *uh;

	/* The UDP header sits right before the ESP header, still in the skb. */
	if (encap_type != UDP_ENCAP_ESPINUDP)
		return 0;
	uh = (const struct udphdr *)(skb_transport_header(skb) - sizeof(*uh));
	return ntohs(uh->source);
}
