// SPDX-License-Identifier: GPL-2.0
/*
 * ESP arrives through the kernel's xfrm4/xfrm6 protocol handler chain, in
 * which sectun sits above xfrm (and vti, xfrmi): a packet whose SPI is in
 * sectun's SAD is sectun's; any other is handed down the chain ("-EINVAL"
 * means "not mine"), whoever sent it, so that native xfrm (and vti,
 * xfrmi) on the same host keeps working, even with the same peer. The
 * exception: a reserved SPI (pending.c) holds its packets for its SA. An
 * SPI that neither sectun nor xfrm knows, from a sectun tunnel's remote
 * endpoint, is counted as "invalid SPI" on that tunnel as it goes on
 * (xfrm then drops it). ESP in UDP arrives the same way, through the
 * chain's input_handler.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/esp.h>
#include <net/icmp.h>
#include <net/ip6_route.h>
#include <net/ndisc.h>
#include <net/route.h>
#include <net/xfrm.h>

#include "ah.h"
#include "compat.h"
#include "device.h"
#include "encap.h"
#include "esp.h"
#include "input.h"
#include "pending.h"
#include "sa.h"

/* Above xfrm (0), vti and xfrmi (100 and below). */
#define SECTUN_HANDLER_PRIORITY 300

/* Whether xfrm has an SA for the packet, looked up as xfrm_input() does. */
static bool sectun_xfrm_owns(struct sk_buff *skb, int family, u32 spi, u8 proto)
{
	xfrm_address_t daddr = {};
	struct xfrm_state *x;

	if (family == AF_INET)
		daddr.a4 = ip_hdr(skb)->daddr;
	else
		daddr.in6 = ipv6_hdr(skb)->daddr;
	x = xfrm_state_lookup(dev_net(skb->dev), skb->mark, &daddr, htonl(spi), proto,
			      family);
	if (!x)
		return false;
	xfrm_state_put(x);
	return true;
}

static int sectun_rcv(struct sk_buff *skb, int family, u8 proto,
		      int encap_type)
{
	union sectun_addr src = {};
	struct sectun_dev *sd;
	struct sectun_sa *sa;
	u32 spi;

	/* The SPI opens the ESP header; AH has it after 4 bytes. */
	if (!pskb_may_pull(skb, 8))
		return -EINVAL;
	spi = get_unaligned_be32(skb->data + (proto == IPPROTO_AH ? 4 : 0));

	rcu_read_lock();
	sa = sectun_sa_lookup_in(dev_net(skb->dev), spi, proto);
	if (likely(sa)) {
		if (proto == IPPROTO_AH)
			sectun_ah_input(sa, skb);
		else
			sectun_esp_input(sa, skb,
					 sectun_encap_sport(skb, encap_type));
		rcu_read_unlock();
		return 0;
	}
	if (family == AF_INET)
		src.v4 = ip_hdr(skb)->saddr;
	else
		src.v6 = ipv6_hdr(skb)->saddr;
	/* A reserved SPI holds what its peer sends before the SA (pending.c). */
	if (sectun_pending_hold(dev_net(skb->dev), spi, proto, family, &src, skb,
				sectun_encap_sport(skb, encap_type))) {
		rcu_read_unlock();
		return 0;
	}
	sd = sectun_dev_by_remote(dev_net(skb->dev), family, &src);
	if (sd && !sectun_xfrm_owns(skb, family, spi, proto))
		sectun_stats_inc(sd->stats, SECTUN_STAT_INVALID_SPI);
	rcu_read_unlock();
	return -EINVAL;
}

static int sectun_esp4_rcv(struct sk_buff *skb)
{
	return sectun_rcv(skb, AF_INET, IPPROTO_ESP, 0);
}

static int sectun_esp6_rcv(struct sk_buff *skb)
{
	return sectun_rcv(skb, AF_INET6, IPPROTO_ESP, 0);
}

static int sectun_ah4_rcv(struct sk_buff *skb)
{
	return sectun_rcv(skb, AF_INET, IPPROTO_AH, 0);
}

static int sectun_ah6_rcv(struct sk_buff *skb)
{
	return sectun_rcv(skb, AF_INET6, IPPROTO_AH, 0);
}

/* ESP in UDP, from an encapsulation socket (see encap.c). */
static int sectun_esp4_input(struct sk_buff *skb, int nexthdr, __be32 spi,
			     int encap_type)
{
	return sectun_rcv(skb, AF_INET, IPPROTO_ESP, encap_type);
}

static int sectun_esp6_input(struct sk_buff *skb, int nexthdr, __be32 spi,
			     int encap_type)
{
	return sectun_rcv(skb, AF_INET6, IPPROTO_ESP, encap_type);
}

/* Nothing comes to AH through an encapsulation socket. */
static int sectun_ah_input_handler(struct sk_buff *skb, int nexthdr,
				   __be32 spi, int encap_type)
{
	return -EINVAL;
}

/* xfrm's post-input callbacks are for its own packets. */
static int sectun_cb(struct sk_buff *skb, int err)
{
	return 1;
}

/*
 * ICMP about an ESP packet we sent: a smaller path MTU (or a redirect) on
 * the way to one of our tunnels' remote endpoints. Record it on the
 * underlay route, where the transmit path reads the MTU; other tunnels'
 * errors go on down the chain.
 */
static int sectun_esp4_err(struct sk_buff *skb, u32 info)
{
	const struct iphdr *iph = (const struct iphdr *)skb->data;
	struct net *net = dev_net(skb->dev);
	union sectun_addr dst = { .v4 = iph->daddr };
	u8 proto = iph->protocol;
	bool ours;

	rcu_read_lock();
	ours = sectun_dev_by_remote(net, AF_INET, &dst);
	rcu_read_unlock();
	if (!ours)
		return -ENOENT;
	if (icmp_hdr(skb)->type == ICMP_DEST_UNREACH &&
	    icmp_hdr(skb)->code == ICMP_FRAG_NEEDED)
		ipv4_update_pmtu(skb, net, info, 0, proto);
	else if (icmp_hdr(skb)->type == ICMP_REDIRECT)
		ipv4_redirect(skb, net, 0, proto);
	return 0;
}

static int sectun_esp6_err(struct sk_buff *skb, struct inet6_skb_parm *opt,
			   u8 type, u8 code, int offset, __be32 info)
{
	const struct ipv6hdr *ip6h = (const struct ipv6hdr *)skb->data;
	struct net *net = dev_net(skb->dev);
	union sectun_addr dst = { .v6 = ip6h->daddr };
	bool ours;

	rcu_read_lock();
	ours = sectun_dev_by_remote(net, AF_INET6, &dst);
	rcu_read_unlock();
	if (!ours)
		return -ENOENT;
	if (type == ICMPV6_PKT_TOOBIG)
		ip6_update_pmtu(skb, net, info, 0, 0, sock_net_uid(net, NULL));
	else if (type == NDISC_REDIRECT)
		ip6_redirect(skb, net, skb->dev->ifindex, 0,
			     sock_net_uid(net, NULL));
	return 0;
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

static struct xfrm4_protocol sectun_ah4_protocol __read_mostly = {
	.handler	= sectun_ah4_rcv,
	.input_handler	= sectun_ah_input_handler,
	.cb_handler	= sectun_cb,
	.err_handler	= sectun_esp4_err,
	.priority	= SECTUN_HANDLER_PRIORITY,
};

static struct xfrm6_protocol sectun_ah6_protocol __read_mostly = {
	.handler	= sectun_ah6_rcv,
	.input_handler	= sectun_ah_input_handler,
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
		goto err_esp4;
	err = xfrm4_protocol_register(&sectun_ah4_protocol, IPPROTO_AH);
	if (err)
		goto err_esp6;
	err = xfrm6_protocol_register(&sectun_ah6_protocol, IPPROTO_AH);
	if (err)
		goto err_ah4;
	return 0;

err_ah4:
	xfrm4_protocol_deregister(&sectun_ah4_protocol, IPPROTO_AH);
err_esp6:
	xfrm6_protocol_deregister(&sectun_esp6_protocol, IPPROTO_ESP);
err_esp4:
	xfrm4_protocol_deregister(&sectun_esp4_protocol, IPPROTO_ESP);
	return err;
}

void sectun_input_uninit(void)
{
	xfrm6_protocol_deregister(&sectun_ah6_protocol, IPPROTO_AH);
	xfrm4_protocol_deregister(&sectun_ah4_protocol, IPPROTO_AH);
	xfrm6_protocol_deregister(&sectun_esp6_protocol, IPPROTO_ESP);
	xfrm4_protocol_deregister(&sectun_esp4_protocol, IPPROTO_ESP);
}
