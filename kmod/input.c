// SPDX-License-Identifier: GPL-2.0
/*
 * ESP arrives through the kernel's xfrm4/xfrm6 protocol handler chain, in
 * which sectun sits above xfrm (and vti, xfrmi): a packet whose SPI is in
 * sectun's SAD is sectun's; any other is handed down the chain ("-EINVAL"
 * means "not mine") so native xfrm on the same host keeps working. The one
 * exception: an unknown SPI from a sectun tunnel's remote endpoint is
 * counted as "invalid SPI" on that tunnel and dropped.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/esp.h>
#include <net/xfrm.h>

#include "device.h"
#include "esp.h"
#include "input.h"
#include "sa.h"

/* Above xfrm (0), vti and xfrmi (100 and below). */
#define SECTUN_HANDLER_PRIORITY 300

static int sectun_esp_rcv(struct sk_buff *skb, int family)
{
	union sectun_addr src = {};
	struct sectun_dev *sd;
	struct sectun_sa *sa;
	u32 spi;

	if (!pskb_may_pull(skb, sizeof(struct ip_esp_hdr)))
		return -EINVAL;
	spi = ntohl(((struct ip_esp_hdr *)skb->data)->spi);

	rcu_read_lock();
	sa = sectun_sa_lookup_in(dev_net(skb->dev), spi, IPPROTO_ESP);
	if (likely(sa)) {
		sectun_esp_input(sa, skb);
		rcu_read_unlock();
		return 0;
	}
	if (family == AF_INET)
		src.v4 = ip_hdr(skb)->saddr;
	else
		src.v6 = ipv6_hdr(skb)->saddr;
	sd = sectun_dev_by_remote(dev_net(skb->dev), family, &src);
	if (sd) {
		sectun_stats_inc(sd->stats, SECTUN_STAT_INVALID_SPI);
		rcu_read_unlock();
		kfree_skb(skb);
		return 0;
	}
	rcu_read_unlock();
	return -EINVAL;
}

static int sectun_esp4_rcv(struct sk_buff *skb)
{
	return sectun_esp_rcv(skb, AF_INET);
}

static int sectun_esp6_rcv(struct sk_buff *skb)
{
	return sectun_esp_rcv(skb, AF_INET6);
}

/* UDP-encapsulated ESP (RFC 3948) is not handled yet: pass it on. */
static int sectun_esp4_input(struct sk_buff *skb, int nexthdr, __be32 spi,
			     int encap_type)
{
	return -EINVAL;
}

static int sectun_esp6_input(struct sk_buff *skb, int nexthdr, __be32 spi,
			     int encap_type)
{
	return -EINVAL;
}

/* xfrm's post-input callbacks are for its own packets. */
static int sectun_cb(struct sk_buff *skb, int err)
{
	return 1;
}

static int sectun_esp4_err(struct sk_buff *skb, u32 info)
{
	return -ENOENT;
}

static int sectun_esp6_err(struct sk_buff *skb, struct inet6_skb_parm *opt,
			   u8 type, u8 code, int offset, __be32 info)
{
	return -ENOENT;
}

static struct xfrm4_protocol sectun_esp4_protocol __read_mostly = {
	.handler	= sectun_esp4_rcv,
	.input_handler	= sectun_esp4_input,
	.cb_handler	= sectun_cb,
	.err_handler	= sectun_esp4_err,
	.priority	= SECTUN_HANDLER_PRIORITY,
};

static struct xfrm6_protocol sectun_esp6_protocol __read_mostly = {
	.handler	= sectun_esp6_rcv,
	.input_handler	= sectun_esp6_input,
	.cb_handler	= sectun_cb,
	.err_handler	= sectun_esp6_err,
	.priority	= SECTUN_HANDLER_PRIORITY,
};

int sectun_input_init(void)
{
	int err;

	err = xfrm4_protocol_register(&sectun_esp4_protocol, IPPROTO_ESP);
	if (err)
		return err;
	err = xfrm6_protocol_register(&sectun_esp6_protocol, IPPROTO_ESP);
	if (err)
		xfrm4_protocol_deregister(&sectun_esp4_protocol, IPPROTO_ESP);
	return err;
}

void sectun_input_uninit(void)
{
	xfrm6_protocol_deregister(&sectun_esp6_protocol, IPPROTO_ESP);
	xfrm4_protocol_deregister(&sectun_esp4_protocol, IPPROTO_ESP);
}
