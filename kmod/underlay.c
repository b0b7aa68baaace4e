// SPDX-License-Identifier: GPL-2.0
/*
 * Outer IPv4/IPv6 header and route: the last step of transmission. The
 * route is cached per device (dst_cache); publishing new tunnel
 * parameters resets the cache.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/dst_cache.h>
#include <net/inet_ecn.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/route.h>
#include <uapi/linux/sectun.h>

#include "device.h"
#include "underlay.h"

static u8 sectun_outer_tos(const struct sectun_params *p, u8 inner)
{
	u8 dscp = p->copy_dscp ? inner & ~INET_ECN_MASK : 0;

	/* RFC 6040 normal mode: the inner ECN field, CE sent as ECT(0). */
	return INET_ECN_encapsulate(dscp, inner);
}

static bool sectun_outer_df(const struct sectun_params *p, bool inner_df)
{
	switch (p->df_mode) {
	case SECTUN_DF_SET:
		return true;
	case SECTUN_DF_CLEAR:
		return false;
	default:
		return inner_df;
	}
}

static int sectun_xmit4(struct sectun_dev *sd, struct sectun_params *p,
			struct sk_buff *skb, u8 proto, u8 tos, bool df)
{
	struct net *net = p->underlay;
	struct flowi4 fl4 = {
		.daddr = p->remote.v4,
		.saddr = p->local_family == AF_INET ? p->local.v4 : 0,
		.flowi4_proto = proto,
		.flowi4_tos = RT_TOS(tos),
	};
	struct rtable *rt;
	struct iphdr *iph;

	rt = dst_cache_get_ip4(&p->dst_cache, &fl4.saddr);
	if (!rt) {
		rt = ip_route_output_key(net, &fl4);
		if (IS_ERR(rt))
			return PTR_ERR(rt);
		if (rt->dst.dev == sd->dev) {	/* the tunnel routed into itself */
			ip_rt_put(rt);
			return -ELOOP;
		}
		dst_cache_set_ip4(&p->dst_cache, &rt->dst, fl4.saddr);
	}

	skb_scrub_packet(skb, !net_eq(net, dev_net(sd->dev)));
	skb_dst_set(skb, &rt->dst);
	memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
	iph = skb_push(skb, sizeof(*iph));
	skb_reset_network_header(skb);
	iph->version = 4;
	iph->ihl = sizeof(*iph) >> 2;
	iph->tos = tos;
	iph->tot_len = htons(skb->len);
	iph->frag_off = df ? htons(IP_DF) : 0;
	iph->ttl = ip4_dst_hoplimit(&rt->dst);
	iph->protocol = proto;
	iph->saddr = fl4.saddr;
	iph->daddr = fl4.daddr;
	ip_select_ident(net, skb, NULL);
	skb->protocol = htons(ETH_P_IP);
	skb->ignore_df = !df;
	ip_local_out(net, NULL, skb);
	return 0;
}

static int sectun_xmit6(struct sectun_dev *sd, struct sectun_params *p,
			struct sk_buff *skb, u8 proto, u8 tos)
{
	struct net *net = p->underlay;
	struct flowi6 fl6 = {
		.daddr = p->remote.v6,
		.flowi6_proto = proto,
		.flowlabel = ip6_make_flowinfo(tos, 0),
	};
	struct dst_entry *dst;
	struct ipv6hdr *ip6h;

	if (p->local_family == AF_INET6)
		fl6.saddr = p->local.v6;
	dst = dst_cache_get_ip6(&p->dst_cache, &fl6.saddr);
	if (!dst) {
		dst = ip6_dst_lookup_flow(net, NULL, &fl6, NULL);
		if (IS_ERR(dst))
			return PTR_ERR(dst);
		if (dst->dev == sd->dev) {
			dst_release(dst);
			return -ELOOP;
		}
		dst_cache_set_ip6(&p->dst_cache, dst, &fl6.saddr);
	}

	skb_scrub_packet(skb, !net_eq(net, dev_net(sd->dev)));
	skb_dst_set(skb, dst);
	memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
	ip6h = skb_push(skb, sizeof(*ip6h));
	skb_reset_network_header(skb);
	ip6_flow_hdr(ip6h, tos, 0);
	ip6h->payload_len = htons(skb->len - sizeof(*ip6h));
	ip6h->nexthdr = proto;
	ip6h->hop_limit = ip6_dst_hoplimit(dst);
	ip6h->saddr = fl6.saddr;
	ip6h->daddr = fl6.daddr;
	skb->protocol = htons(ETH_P_IPV6);
	/* The source may fragment what the path cannot carry whole. */
	skb->ignore_df = 1;
	ip6_local_out(net, NULL, skb);
	return 0;
}

int sectun_underlay_xmit(struct sectun_dev *sd, struct sk_buff *skb,
			 u8 proto, u8 inner_dsfield, bool inner_df)
{
	struct sectun_params *p = sectun_params(sd);
	u8 tos = sectun_outer_tos(p, inner_dsfield);
	int err = -ENETUNREACH;

	if (p->underlay && p->remote_family == AF_INET)
		err = sectun_xmit4(sd, p, skb, proto, tos,
				   sectun_outer_df(p, inner_df));
	else if (p->underlay && p->remote_family == AF_INET6)
		err = sectun_xmit6(sd, p, skb, proto, tos);
	if (err) {
		sectun_stats_inc(sd->stats, SECTUN_STAT_DISCARDED);
		kfree_skb(skb);
	}
	return err;
}
