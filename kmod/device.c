// SPDX-License-Identifier: GPL-2.0
/*
 * The st%d network device: rtnl_link_ops, net_device_ops, and the
 * per-namespace handling of the underlay.
 */
#include <linux/icmpv6.h>
#include <linux/if_arp.h>
#include <linux/netdevice.h>
#include <linux/rhashtable.h>
#include <linux/rtnetlink.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/rtnetlink.h>
#include <net/net_namespace.h>
#include <uapi/linux/sectun.h>

#include "ah.h"
#include "compat.h"
#include "device.h"
#include "encap.h"
#include "esp.h"
#include "policy.h"
#include "sa.h"
#include "underlay.h"

/* Every sectun device in every namespace: changed under RTNL, read under RCU. */
static LIST_HEAD(sectun_devices);

/*
 * The same devices by (underlay, remote address), for the receive paths
 * that start from an outer packet (unknown SPIs, ICMP errors): what an
 * unauthenticated sender can trigger must not walk every device. An entry
 * is immutable; a device whose remote changes gets a new one, and the old
 * is freed after a grace period, so readers never see a key change.
 */
struct sectun_remote_key {
	const struct net *underlay;
	union sectun_addr addr;
	sa_family_t family;
	u8 pad[6];			/* all bytes are compared */
};

struct sectun_remote_entry {
	struct rhlist_head node;
	struct sectun_remote_key key;
	struct sectun_dev *sd;
	struct rcu_head rcu;
};

static struct rhltable sectun_remotes;

static const struct rhashtable_params sectun_remote_params = {
	.key_len = sizeof(struct sectun_remote_key),
	.key_offset = offsetof(struct sectun_remote_entry, key),
	.head_offset = offsetof(struct sectun_remote_entry, node),
	.automatic_shrinking = true,
};

static void sectun_remote_key_init(struct sectun_remote_key *key,
				   const struct net *underlay, int family,
				   const union sectun_addr *addr)
{
	memset(key, 0, sizeof(*key));
	key->underlay = underlay;
	key->family = family;
	if (family == AF_INET)
		key->addr.v4 = addr->v4;
	else
		key->addr.v6 = addr->v6;
}

static void sectun_remote_unhash(struct sectun_dev *sd)
{
	struct sectun_remote_entry *e = sd->remote_entry;

	if (!e)
		return;
	rhltable_remove(&sectun_remotes, &e->node, sectun_remote_params);
	kfree_rcu(e, rcu);
	sd->remote_entry = NULL;
}

/*
 * Under RTNL, after the parameters changed: the new entry in, then the
 * old one out. A failed allocation or insert only costs those receive
 * paths the tunnel (its SAs work as before) until its next change.
 */
static void sectun_remote_rehash(struct sectun_dev *sd)
{
	const struct sectun_params *p = sectun_params(sd);
	struct sectun_remote_entry *e;
	struct sectun_remote_key key;

	if (!p->underlay || !p->remote_family) {
		sectun_remote_unhash(sd);
		return;
	}
	sectun_remote_key_init(&key, p->underlay, p->remote_family, &p->remote);
	if (sd->remote_entry && !memcmp(&key, &sd->remote_entry->key, sizeof(key)))
		return;
	e = kzalloc(sizeof(*e), GFP_KERNEL_ACCOUNT);
	if (e) {
		e->key = key;
		e->sd = sd;
		if (rhltable_insert(&sectun_remotes, &e->node,
				    sectun_remote_params)) {
			kfree(e);
			e = NULL;
		}
	}
	sectun_remote_unhash(sd);
	sd->remote_entry = e;
}

/* Empty route caches for P (whose caches are not set up yet). */
static int sectun_params_init_routes(struct sectun_params *p)
{
	int i;

	for (i = 0; i < SECTUN_ROUTE_KINDS; i++) {
		if (dst_cache_init(&p->dst_cache[i], GFP_KERNEL_ACCOUNT)) {
			while (i--)
				dst_cache_destroy(&p->dst_cache[i]);
			return -ENOMEM;
		}
	}
	return 0;
}

/* A copy of OLD with fresh route caches, or NULL. */
struct sectun_params *sectun_params_dup(const struct sectun_params *old)
{
	struct sectun_params *p = kmemdup(old, sizeof(*p), GFP_KERNEL_ACCOUNT);

	if (!p)
		return NULL;
	if (sectun_params_init_routes(p)) {
		kfree(p);
		return NULL;
	}
	return p;
}

void sectun_params_free(struct sectun_params *p)
{
	int i;

	if (!p)
		return;
	for (i = 0; i < SECTUN_ROUTE_KINDS; i++)
		dst_cache_destroy(&p->dst_cache[i]);
	kfree(p);
}

static void sectun_params_free_rcu(struct rcu_head *rcu)
{
	sectun_params_free(container_of(rcu, struct sectun_params, rcu));
}

void sectun_params_publish(struct sectun_dev *sd, struct sectun_params *p)
{
	struct sectun_params *old;

	old = rcu_replace_pointer(sd->params, p, lockdep_rtnl_is_held());
	if (old)
		call_rcu(&old->rcu, sectun_params_free_rcu);
	sectun_remote_rehash(sd);
}

struct sectun_dev *sectun_dev_by_remote(const struct net *underlay,
					int family, const union sectun_addr *addr)
{
	struct sectun_remote_entry *e;
	struct sectun_remote_key key;
	struct rhlist_head *list, *pos;

	sectun_remote_key_init(&key, underlay, family, addr);
	list = rhltable_lookup(&sectun_remotes, &key, sectun_remote_params);
	rhl_for_each_entry_rcu(e, pos, list, node)
		return e->sd;
	return NULL;
}

/*
 * The SA for an outbound packet (PACKETS of them, for a GSO packet): the
 * selector it matches picks it, or, on a tunnel without selectors, the
 * tunnel's own. No SA: an acquire
 * event (rate-limited) asks the IKE daemon for one.
 */
static struct sectun_sa *sectun_xmit_sa(struct sectun_dev *sd,
					struct sk_buff *skb, unsigned int packets)
{
	struct sectun_policy *pol = NULL;
	struct sectun_flow f;
	struct sectun_sa *sa;

	if (sectun_spd_active(sd)) {
		if (sectun_flow_parse(skb, true, &f))
			return ERR_PTR(-EINVAL);
		pol = sectun_spd_lookup(sd, &f);
		if (!pol)
			return ERR_PTR(-ENOENT);
		atomic64_add(packets, &pol->packets);
		sa = rcu_dereference(pol->out_sa);
	} else {
		sa = rcu_dereference(sd->out_sa);
	}
	if (likely(sa && sectun_sa_usable(sa)))
		return sa;
	if (pol || !sectun_flow_parse(skb, true, &f))
		sectun_policy_acquire(sd, pol, &f);
	return NULL;
}

/* Encrypt or authenticate, as the SA's protocol says. */
static void sectun_sa_output(struct sectun_dev *sd, struct sectun_sa *sa,
			     struct sk_buff *skb)
{
	if (sa->proto == IPPROTO_AH)
		sectun_ah_output(sd, sa, skb);
	else
		sectun_esp_output(sd, sa, skb);
}

/* Outer packet bytes for an inner packet of LEN under SA. */
static unsigned int sectun_sa_outer_len(const struct sectun_sa *sa,
					const struct sectun_params *p,
					unsigned int len)
{
	if (sa->proto == IPPROTO_AH)
		return sectun_underlay_iphlen(p) +
		       sectun_ah_hlen(&sa->crypto, p->remote_family) + len;
	return sectun_esp_outer_len(&sa->crypto, len, sectun_underlay_hlen(p));
}

/* The largest inner packet that fits a path MTU under SA. */
static unsigned int sectun_sa_max_inner(const struct sectun_sa *sa,
					const struct sectun_params *p,
					unsigned int mtu)
{
	unsigned int fixed;

	if (sa->proto == IPPROTO_AH) {
		fixed = sectun_underlay_iphlen(p) +
			sectun_ah_hlen(&sa->crypto, p->remote_family);
		return mtu > fixed ? mtu - fixed : 0;
	}
	return sectun_esp_max_inner(&sa->crypto, mtu, sectun_underlay_hlen(p));
}

/* The SA whose fragments ip_do_fragment() is handing back (BHs are off). */
static DEFINE_PER_CPU(struct sectun_sa *, sectun_frag_sa);

static int sectun_xmit_fragment(struct net *net, struct sock *sk,
				struct sk_buff *skb)
{
	struct sectun_dev *sd = netdev_priv(skb->dev);

	sectun_sa_output(sd, __this_cpu_read(sectun_frag_sa), skb);
	return 0;
}

/*
 * Will the packet fit the path once encrypted? If not: an IPv4 packet that
 * may be fragmented is, before encryption, when the outer DF bit will be
 * set (else the outer packet is fragmented); any other gets an ICMP
 * "fragmentation needed" / "packet too big" with the inner MTU that fits,
 * and is counted as exceeding the tunnel MTU. MTU: the path's, or 0 when
 * unknown. Returns true when SKB was dealt with here.
 */
static bool sectun_xmit_too_big(struct sectun_dev *sd, struct sectun_sa *sa,
				struct sk_buff *skb, unsigned int mtu)
{
	const struct sectun_params *p = rcu_dereference(sd->params);
	bool v4 = skb->protocol == htons(ETH_P_IP), inner_df;
	unsigned int max;

	if (!mtu || sectun_sa_outer_len(sa, p, skb->len) <= mtu)
		return false;
	max = sectun_sa_max_inner(sa, p, mtu);
	inner_df = v4 ? !!(ip_hdr(skb)->frag_off & htons(IP_DF)) : true;
	if (v4 && !inner_df) {
		struct sectun_sa *outer = __this_cpu_read(sectun_frag_sa);

		if (p->df_mode != SECTUN_DF_SET)
			return false;	/* the outer packet will be fragmented */
		if (!skb_dst(skb))
			return false;	/* no route to fragment by: go whole */
		IPCB(skb)->frag_max_size = max;
		/* Tunnels can nest: keep the SA of the one around us. */
		__this_cpu_write(sectun_frag_sa, sa);
		ip_do_fragment(dev_net(sd->dev), NULL, skb, sectun_xmit_fragment);
		__this_cpu_write(sectun_frag_sa, outer);
		return true;
	}
	if (!v4 && max < IPV6_MIN_MTU)
		return false;		/* IPv6 needs 1280: fragment the outer */
	if (v4)
		icmp_ndo_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, htonl(max));
	else
		icmpv6_ndo_send(skb, ICMPV6_PKT_TOOBIG, 0, max);
	sectun_stats_inc(sd->stats, SECTUN_STAT_EXCEEDS_MTU);
	kfree_skb(skb);
	return true;
}

/*
 * The SA for SKB, standing for PACKETS packets; NULL when it was dropped
 * (and counted).
 */
static struct sectun_sa *sectun_xmit_pick(struct sectun_dev *sd,
					  struct sk_buff *skb,
					  unsigned int packets)
{
	struct sectun_sa *sa = sectun_xmit_sa(sd, skb, packets);

	if (!IS_ERR_OR_NULL(sa))
		return sa;
	/* Outside every selector, or unparsable; or no SA yet. */
	sectun_stats_add(sd->stats, IS_ERR(sa) ? SECTUN_STAT_DISCARDED :
			 SECTUN_STAT_NO_SA, packets);
	kfree_skb(skb);
	return NULL;
}

/*
 * One inner packet, not GSO, under SA: checksum, fit (the path MTU
 * PATH_MTU, looked up once for all the segments of a GSO packet) and
 * encrypt.
 */
static void sectun_xmit_one(struct sectun_dev *sd, struct sectun_sa *sa,
			    struct sk_buff *skb, unsigned int path_mtu)
{
	if (skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb)) {
		sectun_stats_inc(sd->stats, SECTUN_STAT_DISCARDED);
		kfree_skb(skb);
		return;
	}
	if (sectun_xmit_too_big(sd, sa, skb, path_mtu))
		return;
	sectun_sa_output(sd, sa, skb);
}

/* The worst transform sectun supports: AES-CBC with HMAC-SHA-512. */
static const struct sectun_crypto sectun_worst_crypto = {
	.ivlen = 16, .icvlen = 32, .align = 16,
};

void sectun_dev_update_mtu(struct sectun_dev *sd)
{
	const struct sectun_params *p = sectun_params(sd);
	struct sectun_sa *sa = rtnl_dereference(sd->out_sa);
	unsigned int path, mtu;

	ASSERT_RTNL();
	if (sd->mtu_by_hand || !p->remote_family)
		return;
	path = sectun_underlay_mtu(sd);
	if (!path)
		return;
	/* With selectors, the SAs may differ: assume the worst. */
	if (sa && !sectun_spd_active(sd))
		mtu = sectun_sa_max_inner(sa, p, path);
	else
		mtu = sectun_esp_max_inner(&sectun_worst_crypto, path,
					   sectun_underlay_hlen(p));
	mtu = clamp(mtu, sd->dev->min_mtu, sd->dev->max_mtu);
	if (mtu == sd->dev->mtu)
		return;
	sd->mtu_auto_setting = true;
	dev_set_mtu(sd->dev, mtu);
	sd->mtu_auto_setting = false;
}

static int sectun_change_mtu(struct net_device *dev, int mtu)
{
	struct sectun_dev *sd = netdev_priv(dev);

	/* Set by hand: from now on the path and SAs no longer move it. */
	if (!sd->mtu_auto_setting)
		sd->mtu_by_hand = true;
	dev->mtu = mtu;
	return 0;
}

void sectun_dev_update_keepalive(struct sectun_dev *sd)
{
	const struct sectun_params *p = sectun_params(sd);

	if (p->underlay && p->encap_type == SECTUN_ENCAP_ESPINUDP &&
	    p->natt_keepalive)
		mod_timer(&sd->keepalive, jiffies + p->natt_keepalive * HZ);
	else
		del_timer_sync(&sd->keepalive);
}

static bool sectun_inner_ok(struct sk_buff *skb)
{
	switch (skb->protocol) {
	case htons(ETH_P_IP):
		return pskb_network_may_pull(skb, sizeof(struct iphdr)) &&
		       ip_hdr(skb)->version == 4;
	case htons(ETH_P_IPV6):
		return pskb_network_may_pull(skb, sizeof(struct ipv6hdr)) &&
		       ipv6_hdr(skb)->version == 6;
	default:
		return false;
	}
}

static netdev_tx_t sectun_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct sectun_dev *sd = netdev_priv(dev);
	struct sk_buff *segs, *next;
	struct sectun_sa *sa;
	unsigned int mtu;

	/*
	 * The caller holds rcu_read_lock_bh() only; the lookups below are
	 * rcu_dereference()s, which on 6.1 want rcu_read_lock() itself.
	 */
	rcu_read_lock();
	if (unlikely(!sectun_inner_ok(skb)))
		goto discard;
	if (!skb_is_gso(skb)) {
		sa = sectun_xmit_pick(sd, skb, 1);
		if (sa)
			sectun_xmit_one(sd, sa, skb, sectun_underlay_mtu(sd));
		goto out;
	}
	/*
	 * One flow: its SA is picked once for all its segments. Then it is
	 * segmented once here, and each segment encrypted on its own.
	 */
	sa = sectun_xmit_pick(sd, skb, skb_shinfo(skb)->gso_segs ?: 1);
	if (!sa)
		goto out;
	/*
	 * Segments keep the payload in the flow's pages (SG), each then
	 * encrypted from there in one pass (see esp.c); their checksums
	 * are finished by sectun_xmit_one() (HW_CSUM: left partial here).
	 */
	segs = skb_gso_segment(skb, NETIF_F_SG | NETIF_F_HW_CSUM);
	if (IS_ERR(segs))
		goto discard;
	mtu = sectun_underlay_mtu(sd);
	if (!segs) {
		/* Nothing to segment: the packet goes as it is. */
		skb_gso_reset(skb);
		sectun_xmit_one(sd, sa, skb, mtu);
		goto out;
	}
	consume_skb(skb);
	skb_list_walk_safe(segs, skb, next) {
		skb_mark_not_on_list(skb);
		sectun_xmit_one(sd, sa, skb, mtu);
	}
	goto out;

discard:
	sectun_stats_inc(sd->stats, SECTUN_STAT_DISCARDED);
	kfree_skb(skb);
out:
	rcu_read_unlock();
	return NETDEV_TX_OK;
}

static void sectun_get_stats64(struct net_device *dev,
			       struct rtnl_link_stats64 *st)
{
	struct sectun_dev *sd = netdev_priv(dev);
	struct sectun_stats_sum s;
	const u64 *c = s.cnt;

	sectun_stats_read(sd->stats, &s);
	st->rx_packets = c[SECTUN_STAT_RX_PACKETS];
	st->rx_bytes = c[SECTUN_STAT_RX_BYTES];
	st->tx_packets = c[SECTUN_STAT_TX_PACKETS];
	st->tx_bytes = c[SECTUN_STAT_TX_BYTES];
	st->rx_crc_errors = c[SECTUN_STAT_ESP_AUTH_FAIL] +
			    c[SECTUN_STAT_AH_AUTH_FAIL];
	st->rx_errors = st->rx_crc_errors +
			c[SECTUN_STAT_ESP_DECRYPT_FAIL] +
			c[SECTUN_STAT_REPLAY_ERR] +
			c[SECTUN_STAT_BAD_HEADER] +
			c[SECTUN_STAT_BAD_TRAILER] +
			c[SECTUN_STAT_TS_CHECK_FAIL];
	st->rx_dropped = c[SECTUN_STAT_DISCARDED];
	st->tx_carrier_errors = c[SECTUN_STAT_NO_SA];
	st->tx_errors = c[SECTUN_STAT_EXCEEDS_MTU] + st->tx_carrier_errors;
	st->tx_dropped = st->tx_errors;
}

static int sectun_dev_init(struct net_device *dev)
{
	struct sectun_dev *sd = netdev_priv(dev);
	int err;

	sd->stats = sectun_stats_alloc(GFP_KERNEL);
	if (!sd->stats)
		return -ENOMEM;
	err = gro_cells_init(&sd->gro_cells, dev);
	if (err)
		goto err_stats;
	err = sectun_crypt_queue_init(&sd->tx_queue, sectun_esp_output_crypt,
				      sectun_esp_output_finish);
	if (err)
		goto err_gro;
	err = sectun_crypt_queue_init(&sd->rx_queue, sectun_esp_input_crypt,
				      sectun_esp_input_finish);
	if (err)
		goto err_tx_queue;
	return 0;

err_tx_queue:
	sectun_crypt_queue_free(&sd->tx_queue);
err_gro:
	gro_cells_destroy(&sd->gro_cells);
err_stats:
	sectun_stats_free(sd->stats);
	sd->stats = NULL;
	return err;
}

/*
 * The SAs go first: each holds a reference on the device until it is
 * freed, so unregistration waits for packets still in the crypto API. The
 * counters and params stay until the destructor, for those packets.
 */
static void sectun_dev_uninit(struct net_device *dev)
{
	struct sectun_dev *sd = netdev_priv(dev);

	del_timer_sync(&sd->keepalive);
	sectun_sa_flush(sd, -1, SECTUN_EXPIRE_DEVICE);
	sectun_policy_flush(sd);
	gro_cells_destroy(&sd->gro_cells);
}

static const struct net_device_ops sectun_netdev_ops = {
	.ndo_init		= sectun_dev_init,
	.ndo_uninit		= sectun_dev_uninit,
	.ndo_start_xmit		= sectun_xmit,
	.ndo_get_stats64	= sectun_get_stats64,
	.ndo_change_mtu		= sectun_change_mtu,
};

static void sectun_destruct(struct net_device *dev)
{
	struct sectun_dev *sd = netdev_priv(dev);

	/*
	 * Every reference is gone, the SAs' included (packets in asynchronous
	 * crypto still count on the params and counters until then). The
	 * crypt queues are empty, but their work items may still be on
	 * their way out.
	 */
	sectun_crypt_queue_free(&sd->tx_queue);
	sectun_crypt_queue_free(&sd->rx_queue);
	sectun_params_free(rcu_dereference_protected(sd->params, true));
	RCU_INIT_POINTER(sd->params, NULL);
	sectun_stats_free(sd->stats);
	sd->stats = NULL;
	kfree(rcu_dereference_protected(sd->stats_baseline, true));
	RCU_INIT_POINTER(sd->stats_baseline, NULL);
}

#define SECTUN_FEATURES (NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_HIGHDMA | \
			 NETIF_F_GSO_SOFTWARE)

static void sectun_setup(struct net_device *dev)
{
	struct sectun_dev *sd = netdev_priv(dev);

	dev->netdev_ops = &sectun_netdev_ops;
	dev->needs_free_netdev = true;
	dev->priv_destructor = sectun_destruct;
	dev->type = ARPHRD_NONE;
	dev->flags = IFF_POINTOPOINT | IFF_NOARP;
	/* Queued crypto cannot send a console's packets in a panic. */
	dev->priv_flags |= IFF_NO_QUEUE | IFF_DISABLE_NETPOLL;
	dev->hard_header_len = 0;
	dev->addr_len = 0;
	dev->mtu = SECTUN_DEFAULT_MTU;
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = IP_MAX_MTU - SECTUN_MAX_OVERHEAD;
	/* ESP header and IV in front, padding and ICV behind. */
	dev->needed_headroom = SECTUN_UNDERLAY_HEADROOM + 8 + 16;
	dev->needed_tailroom = 16 + 2 + 32;
	/*
	 * Take GSO and checksum offload from the stack: segmenting and
	 * checksumming once just before encryption is cheaper than per
	 * packet in the stack.
	 */
	dev->features |= SECTUN_FEATURES;
	dev->hw_features |= SECTUN_FEATURES;
	dev->hw_enc_features |= SECTUN_FEATURES;
	sectun_compat_set_lltx(dev);
	/* ip_do_fragment() needs the route the packet came by. */
	netif_keep_dst(dev);

	sd->dev = dev;
	INIT_LIST_HEAD(&sd->dev_list);
	xa_init_flags(&sd->sas, XA_FLAGS_ALLOC);
	xa_init_flags(&sd->policies, XA_FLAGS_ALLOC1);
	timer_setup(&sd->keepalive, sectun_encap_keepalive, 0);
	sd->last_acquire = jiffies - HZ;
}

static int sectun_newlink(SECTUN_NEWLINK_ARGS)
{
	struct sectun_dev *sd = netdev_priv(dev);
	struct sectun_params *p;
	int err;

	p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p)
		return -ENOMEM;
	err = sectun_params_init_routes(p);
	if (err) {
		kfree(p);
		return err;
	}
	/* Like WireGuard: the underlay stays where the device was born. */
	p->underlay = dev_net(dev);
	p->encap_type = SECTUN_ENCAP_NONE;
	p->encap_local_port = SECTUN_ENCAP_DEFAULT_PORT;
	p->encap_remote_port = SECTUN_ENCAP_DEFAULT_PORT;
	p->df_mode = SECTUN_DF_COPY;
	p->replay_window = SECTUN_DEFAULT_REPLAY_WINDOW;
	p->natt_keepalive = SECTUN_DEFAULT_NATT_KEEPALIVE;
	p->parallel = SECTUN_PARALLEL_AUTO;
	RCU_INIT_POINTER(sd->params, p);

	/* Name devices st0, st1, ... as a Junos admin expects. */
	if (!SECTUN_NEWLINK_IFNAME_GIVEN)
		strscpy(dev->name, "st%d", IFNAMSIZ);

	err = register_netdevice(dev);
	if (err) {
		/*
		 * Past ndo_init the failure runs our destructor, which frees
		 * the params; before it, nobody has.
		 */
		sectun_params_free(rtnl_dereference(sd->params));
		RCU_INIT_POINTER(sd->params, NULL);
		NL_SET_ERR_MSG(extack, "sectun: cannot register the device");
		return err;
	}
	list_add_tail_rcu(&sd->dev_list, &sectun_devices);
	return 0;
}

static void sectun_dellink(struct net_device *dev, struct list_head *head)
{
	struct sectun_dev *sd = netdev_priv(dev);

	list_del_rcu(&sd->dev_list);
	sectun_remote_unhash(sd);
	unregister_netdevice_queue(dev, head);
}

struct rtnl_link_ops sectun_link_ops __read_mostly = {
	.kind		= SECTUN_LINK_KIND,
	.priv_size	= sizeof(struct sectun_dev),
	.setup		= sectun_setup,
	.newlink	= sectun_newlink,
	.dellink	= sectun_dellink,
};

/*
 * A namespace that serves as some device's underlay is going away: cut
 * those devices off from it before it is freed (readers are flushed by
 * the synchronize_rcu() between pre_exit and exit). Their SAs are keyed
 * on that namespace, so they go too.
 */
static void sectun_pernet_pre_exit(struct net *net)
{
	struct sectun_dev *sd;

	rtnl_lock();
	list_for_each_entry(sd, &sectun_devices, dev_list) {
		struct sectun_params *old = sectun_params(sd), *p;

		if (old->underlay != net)
			continue;
		sectun_sa_flush(sd, -1, SECTUN_EXPIRE_DEVICE);
		p = kmemdup(old, sizeof(*p), GFP_KERNEL | __GFP_NOFAIL);
		p->underlay = NULL;
		/* Nothing is sent without an underlay: no route caches needed. */
		memset(p->dst_cache, 0, sizeof(p->dst_cache));
		sectun_params_publish(sd, p);
		sectun_dev_update_keepalive(sd);
		netif_carrier_off(sd->dev);
	}
	rtnl_unlock();
}

static struct pernet_operations sectun_pernet_ops = {
	.pre_exit = sectun_pernet_pre_exit,
};

int sectun_device_init(void)
{
	int err;

	err = rhltable_init(&sectun_remotes, &sectun_remote_params);
	if (err)
		return err;
	err = register_pernet_device(&sectun_pernet_ops);
	if (err)
		goto err_remotes;
	err = rtnl_link_register(&sectun_link_ops);
	if (err)
		goto err_pernet;
	return 0;

err_pernet:
	unregister_pernet_device(&sectun_pernet_ops);
err_remotes:
	rhltable_destroy(&sectun_remotes);
	return err;
}

void sectun_device_uninit(void)
{
	rtnl_link_unregister(&sectun_link_ops);
	unregister_pernet_device(&sectun_pernet_ops);
	rcu_barrier();	/* pending frees of old params */
	rhltable_destroy(&sectun_remotes);
}
