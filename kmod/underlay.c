// SPDX-License-Identifier: GPL-2.0
/*
 * Outer IPv4/IPv6 header and route: the last step of transmission. Routes
 * are cached per device and outer protocol (dst_cache); publishing new
 * tunnel parameters resets the caches.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <net/dst_cache.h>
#include <net/ip6_checksum.h>
#include <net/udp.h>
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

/* Wrap SKB in UDP (RFC 3948): ESP in UDP, or a keepalive's one byte. */
static struct udphdr *sectun_push_udp(struct sectun_dev *sd,
				      const struct sectun_params *p,
				      struct sk_buff *skb)
{
	u16 peer = READ_ONCE(sd->peer_port);
	struct udphdr *uh;

	uh = skb_push(skb, sizeof(*uh));
	skb_reset_transport_header(skb);
	uh->source = htons(p->encap_local_port);
	uh->dest = htons(peer ?: p->encap_remote_port);
	uh->len = htons(skb->len);
	uh->check = 0;		/* IPv4: none, as RFC 3948 allows */
	return uh;
}

static bool sectun_wants_udp(const struct sectun_params *p, u8 proto)
{
	return proto == IPPROTO_UDP ||
	       (proto == IPPROTO_ESP && p->encap_type == SECTUN_ENCAP_ESPINUDP);
}

/* True when fib rules in the underlay may choose routes by port. */
static bool sectun_custom_rules(const struct sectun_params *p)
{
#ifdef CONFIG_IP_MULTIPLE_TABLES
	if (p->remote_family == AF_INET)
		return p->underlay->ipv4.fib_has_custom_rules;
#endif
#ifdef CONFIG_IPV6_MULTIPLE_TABLES
	if (p->remote_family == AF_INET6)
		return p->underlay->ipv6.fib6_has_custom_rules;
#endif
	return false;
}

/*
 * The route cache for packets of outer protocol PROTO with the TOS (or
 * traffic class) the route lookup sees, or NULL: the cached routes are
 * those of TOS 0 and of the configured ports only.
 */
static struct dst_cache *sectun_route_cache(struct sectun_dev *sd,
					    struct sectun_params *p, u8 proto,
					    u8 lookup_tos)
{
	if (lookup_tos)
		return NULL;
	switch (proto) {
	case IPPROTO_ESP:
		return &p->dst_cache[SECTUN_ROUTE_ESP];
	case IPPROTO_AH:
		return &p->dst_cache[SECTUN_ROUTE_AH];
	default:
		if (READ_ONCE(sd->peer_port) && sectun_custom_rules(p))
			return NULL;
		return &p->dst_cache[SECTUN_ROUTE_UDP];
	}
}

static struct rtable *sectun_route4(struct sectun_dev *sd,
				    struct sectun_params *p, struct flowi4 *fl4)
{
	struct dst_cache *cache;
	struct rtable *rt;

	/* The route lookup ignores the ECN bits (ip_rt_fix_tos()). */
	cache = sectun_route_cache(sd, p, fl4->flowi4_proto,
				   fl4->flowi4_tos & IPTOS_RT_MASK);
	rt = cache ? dst_cache_get_ip4(cache, &fl4->saddr) : NULL;
	if (rt)
		return rt;
	rt = ip_route_output_key(p->underlay, fl4);
	if (IS_ERR(rt))
		return rt;
	if (rt->dst.dev == sd->dev) {	/* the tunnel routed into itself */
		ip_rt_put(rt);
		return ERR_PTR(-ELOOP);
	}
	if (cache)
		dst_cache_set_ip4(cache, &rt->dst, fl4->saddr);
	return rt;
}

static struct dst_entry *sectun_route6(struct sectun_dev *sd,
				       struct sectun_params *p,
				       struct flowi6 *fl6)
{
	struct dst_cache *cache;
	struct dst_entry *dst;

	cache = sectun_route_cache(sd, p, fl6->flowi6_proto,
				   ip6_tclass(fl6->flowlabel));
	dst = cache ? dst_cache_get_ip6(cache, &fl6->saddr) : NULL;
	if (dst)
		return dst;
	dst = ip6_dst_lookup_flow(p->underlay, NULL, fl6, NULL);
	if (IS_ERR(dst))
		return dst;
	if (dst->dev == sd->dev) {
		dst_release(dst);
		return ERR_PTR(-ELOOP);
	}
	if (cache)
		dst_cache_set_ip6(cache, dst, &fl6->saddr);
	return dst;
}

/* UDP ports count too: fib rules may match them. */
static u16 sectun_udp_dport(struct sectun_dev *sd, const struct sectun_params *p)
{
	return READ_ONCE(sd->peer_port) ?: p->encap_remote_port;
}

static void sectun_flow4(struct sectun_dev *sd, const struct sectun_params *p,
			 struct flowi4 *fl4, u8 proto, u8 tos)
{
	memset(fl4, 0, sizeof(*fl4));
	fl4->daddr = p->remote.v4;
	fl4->saddr = p->local_family == AF_INET ? p->local.v4 : 0;
	fl4->flowi4_proto = proto;
	fl4->flowi4_tos = RT_TOS(tos);
	if (proto == IPPROTO_UDP) {
		fl4->fl4_sport = htons(p->encap_local_port);
		fl4->fl4_dport = htons(sectun_udp_dport(sd, p));
	}
}

static void sectun_flow6(struct sectun_dev *sd, const struct sectun_params *p,
			 struct flowi6 *fl6, u8 proto, u8 tos)
{
	memset(fl6, 0, sizeof(*fl6));
	fl6->daddr = p->remote.v6;
	if (p->local_family == AF_INET6)
		fl6->saddr = p->local.v6;
	fl6->flowi6_proto = proto;
	/* The DSCP decides, as for IPv4; the ECN bits vary per packet. */
	fl6->flowlabel = ip6_make_flowinfo(tos & ~INET_ECN_MASK, 0);
	if (proto == IPPROTO_UDP) {
		fl6->fl6_sport = htons(p->encap_local_port);
		fl6->fl6_dport = htons(sectun_udp_dport(sd, p));
	}
}

static int sectun_push4(struct sectun_dev *sd, struct sectun_params *p,
			struct sk_buff *skb, u8 proto, u8 tos, bool df)
{
	struct net *net = p->underlay;
	struct flowi4 fl4;
	struct rtable *rt;
	struct iphdr *iph;

	if (sectun_wants_udp(p, proto)) {
		sectun_push_udp(sd, p, skb);
		proto = IPPROTO_UDP;
	}
	sectun_flow4(sd, p, &fl4, proto, tos);
	rt = sectun_route4(sd, p, &fl4);
	if (IS_ERR(rt))
		return PTR_ERR(rt);

	skb_scrub_packet(skb, !net_eq(net, dev_net(sd->dev)));
	skb_dst_set(skb, &rt->dst);
	skb->encapsulation = 0;	/* as in sectun_push6() */
	memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
	iph = skb_push(skb, sizeof(*iph));
	skb_reset_network_header(skb);
	iph->version = 4;
	iph->ihl = sizeof(*iph) >> 2;
	iph->tos = tos;
	iph->tot_len = htons(skb->len);
	iph->frag_off = df ? htons(IP_DF) : 0;
	iph->ttl = p->ttl ?: ip4_dst_hoplimit(&rt->dst);
	iph->protocol = proto;
	iph->saddr = fl4.saddr;
	iph->daddr = fl4.daddr;
	ip_select_ident(net, skb, NULL);
	skb->protocol = htons(ETH_P_IP);
	skb->ignore_df = !df;
	return 0;
}

static int sectun_push6(struct sectun_dev *sd, struct sectun_params *p,
			struct sk_buff *skb, u8 proto, u8 tos)
{
	struct net *net = p->underlay;
	struct udphdr *uh = NULL;
	struct dst_entry *dst;
	struct ipv6hdr *ip6h;
	struct flowi6 fl6;

	if (sectun_wants_udp(p, proto)) {
		uh = sectun_push_udp(sd, p, skb);
		proto = IPPROTO_UDP;
	}
	sectun_flow6(sd, p, &fl6, proto, tos);
	dst = sectun_route6(sd, p, &fl6);
	if (IS_ERR(dst))
		return PTR_ERR(dst);
	skb_scrub_packet(skb, !net_eq(net, dev_net(sd->dev)));
	skb_dst_set(skb, dst);
	/* The inner packet's tunnel offloads do not describe the outer one. */
	skb->encapsulation = 0;
	/*
	 * UDP over IPv6 must carry a checksum: left to the device
	 * (CHECKSUM_PARTIAL), or to the stack's software fallback
	 * (validate_xmit_skb(), ip6_fragment()) where it cannot.
	 */
	if (uh) {
		skb->ip_summed = CHECKSUM_NONE;	/* the ESP inside is final */
		udp6_set_csum(false, skb, &fl6.saddr, &fl6.daddr, skb->len);
	}
	memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
	ip6h = skb_push(skb, sizeof(*ip6h));
	skb_reset_network_header(skb);
	ip6_flow_hdr(ip6h, tos, 0);
	ip6h->payload_len = htons(skb->len - sizeof(*ip6h));
	ip6h->nexthdr = proto;
	ip6h->hop_limit = p->ttl ?: ip6_dst_hoplimit(dst);
	ip6h->saddr = fl6.saddr;
	ip6h->daddr = fl6.daddr;
	skb->protocol = htons(ETH_P_IPV6);
	/* The source may fragment what the path cannot carry whole. */
	skb->ignore_df = 1;
	return 0;
}

int sectun_underlay_push(struct sectun_dev *sd, struct sk_buff *skb,
			 u8 proto, u8 inner_dsfield, bool inner_df)
{
	struct sectun_params *p = sectun_params(sd);
	u8 tos = sectun_outer_tos(p, inner_dsfield);

	if (p->underlay && p->remote_family == AF_INET)
		return sectun_push4(sd, p, skb, proto, tos,
				    sectun_outer_df(p, inner_df));
	if (p->underlay && p->remote_family == AF_INET6)
		return sectun_push6(sd, p, skb, proto, tos);
	return -ENETUNREACH;
}

void sectun_underlay_send(struct sk_buff *skb)
{
	struct net *net = dev_net(skb_dst(skb)->dev);

	if (skb->protocol == htons(ETH_P_IP))
		ip_local_out(net, NULL, skb);
	else
		ip6_local_out(net, NULL, skb);
}

int sectun_underlay_xmit(struct sectun_dev *sd, struct sk_buff *skb,
			 u8 proto, u8 inner_dsfield, bool inner_df)
{
	int err = sectun_underlay_push(sd, skb, proto, inner_dsfield, inner_df);

	if (err) {
		sectun_stats_inc(sd->stats, SECTUN_STAT_DISCARDED);
		kfree_skb(skb);
		return err;
	}
	sectun_underlay_send(skb);
	return 0;
}

unsigned int sectun_underlay_iphlen(const struct sectun_params *p)
{
	return p->remote_family == AF_INET6 ? sizeof(struct ipv6hdr) :
					      sizeof(struct iphdr);
}

unsigned int sectun_underlay_hlen(const struct sectun_params *p)
{
	unsigned int len = sectun_underlay_iphlen(p);

	if (p->encap_type == SECTUN_ENCAP_ESPINUDP)
		len += sizeof(struct udphdr);
	return len;
}

/* The protocol whose route the tunnel's ESP takes. */
static u8 sectun_mtu_proto(const struct sectun_params *p)
{
	return p->encap_type == SECTUN_ENCAP_ESPINUDP ? IPPROTO_UDP : IPPROTO_ESP;
}

/* The MTU of the path to the remote endpoint, from the route (cached). */
unsigned int sectun_underlay_mtu(struct sectun_dev *sd)
{
	struct sectun_params *p = sectun_params(sd);
	unsigned int mtu = 0;

	if (!p->underlay)
		return 0;
	local_bh_disable();	/* the route cache is per CPU */
	if (p->remote_family == AF_INET) {
		struct flowi4 fl4;
		struct rtable *rt;

		sectun_flow4(sd, p, &fl4, sectun_mtu_proto(p), 0);
		rt = sectun_route4(sd, p, &fl4);
		if (!IS_ERR(rt)) {
			mtu = dst_mtu(&rt->dst);
			ip_rt_put(rt);
		}
	} else if (p->remote_family == AF_INET6) {
		struct dst_entry *dst;
		struct flowi6 fl6;

		sectun_flow6(sd, p, &fl6, sectun_mtu_proto(p), 0);
		dst = sectun_route6(sd, p, &fl6);
		if (!IS_ERR(dst)) {
			mtu = dst_mtu(dst);
			dst_release(dst);
		}
	}
	local_bh_enable();
	return mtu;
}
