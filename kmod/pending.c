// SPDX-License-Identifier: GPL-2.0
/*
 * Inbound SPIs reserved before their keys exist. An IKE daemon picks the
 * SPI of a new inbound SA before it asks the peer for the SA, but can
 * derive the keys only from the answer; a peer that sends on the new SA
 * the moment it has answered (strongSwan does, for a child SA that is no
 * rekey: a reauthentication's, say) has its first packets arrive before
 * the SA does. A reserved SPI holds such packets, at most
 * SECTUN_PENDING_MAX_SKBS and for as long as the reservation lasts, and
 * hands them to the SA when it is added; otherwise they are dropped and
 * counted as "invalid SPI", as they would have been. Only packets from
 * the tunnel's remote endpoint are held, and all held packets together
 * take at most SECTUN_PENDING_MAX_BYTES: what a reservation costs is
 * bounded whoever sends, and an SPI in use by xfrm cannot be reserved.
 *
 * Who removes a reservation (the SA that takes it over, a delete, the
 * device going, its timer) sets its dead bit first: that one owns it and
 * frees it. The receive path queues under the queue's lock only while
 * the bit is clear, so nothing joins a queue once it is being emptied.
 */
#include <linux/rhashtable.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/xfrm.h>

#include "ah.h"
#include "device.h"
#include "esp.h"
#include "pending.h"
#include "sa.h"

struct sectun_pending {
	struct rhash_head node;
	struct sectun_sa_in_key key;
	struct sectun_dev *sd;
	struct sk_buff_head queue;
	struct timer_list timer;
	unsigned long dead;		/* bit 0: out of the table */
	struct list_head flush_node;
	struct rcu_head rcu;
};

/* What a held packet keeps beside it; skb->cb is ours once we took it. */
struct sectun_pending_cb {
	u16 encap_sport;
};

#define SECTUN_PENDING_CB(skb) ((struct sectun_pending_cb *)(skb)->cb)

static struct rhashtable pending_table;
/* The truesize of every held packet. */
static atomic_long_t pending_bytes = ATOMIC_LONG_INIT(0);

static const struct rhashtable_params pending_params = {
	.key_len = sizeof(struct sectun_sa_in_key),
	.key_offset = offsetof(struct sectun_pending, key),
	.head_offset = offsetof(struct sectun_pending, node),
	.automatic_shrinking = true,
};

/* Out of the table; true for the one caller that took it out. */
static bool sectun_pending_unhash(struct sectun_pending *p)
{
	if (test_and_set_bit(0, &p->dead))
		return false;
	rhashtable_remove_fast(&pending_table, &p->node, pending_params);
	return true;
}

/* What P held; nothing joins it afterwards (P is dead). */
static void sectun_pending_take(struct sectun_pending *p,
				struct sk_buff_head *list)
{
	__skb_queue_head_init(list);
	spin_lock_bh(&p->queue.lock);
	skb_queue_splice_init(&p->queue, list);
	spin_unlock_bh(&p->queue.lock);
}

static void sectun_pending_drop(struct sectun_dev *sd, struct sk_buff_head *list)
{
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(list))) {
		atomic_long_sub(skb->truesize, &pending_bytes);
		kfree_skb(skb);
		local_bh_disable();
		sectun_stats_inc(sd->stats, SECTUN_STAT_INVALID_SPI);
		local_bh_enable();
	}
}

/* The owner's last act: the device stops counting it, readers finish. */
static void sectun_pending_free(struct sectun_pending *p)
{
	atomic_dec(&p->sd->n_pending);
	kfree_rcu(p, rcu);
}

static void sectun_pending_timeout(struct timer_list *t)
{
	struct sectun_pending *p = from_timer(p, t, timer);
	struct sk_buff_head list;

	if (!sectun_pending_unhash(p))
		return;
	sectun_pending_take(p, &list);
	sectun_pending_drop(p->sd, &list);
	sectun_pending_free(p);
}

/* Whether native xfrm has an inbound state with SPI in NET (either family). */
static bool sectun_pending_xfrm_owns(struct net *net, u32 spi, u8 proto)
{
	static const unsigned short families[] = { AF_INET, AF_INET6 };
	struct xfrm_state *x;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(families); i++) {
		x = xfrm_state_lookup_byspi(net, htonl(spi), families[i]);
		if (x) {
			bool same = x->id.proto == proto;

			xfrm_state_put(x);
			if (same)
				return true;
		}
	}
	return false;
}

int sectun_pending_add(struct sectun_dev *sd, u32 spi, u8 proto,
		       unsigned int ms, struct netlink_ext_ack *extack)
{
	const struct sectun_params *params = sectun_params(sd);
	struct sectun_pending *p;
	bool taken;
	int err;

	ASSERT_RTNL();
	if (!params->underlay) {
		NL_SET_ERR_MSG(extack, "the tunnel's underlay namespace is gone");
		return -ENETUNREACH;
	}
	if (atomic_read(&sd->n_pending) >= SECTUN_PENDING_MAX_PER_DEV) {
		NL_SET_ERR_MSG(extack, "too many reserved inbound SPIs on the device");
		return -ENOSPC;
	}
	rcu_read_lock();
	taken = sectun_sa_lookup_in(params->underlay, spi, proto);
	rcu_read_unlock();
	if (taken || sectun_pending_xfrm_owns(params->underlay, spi, proto)) {
		NL_SET_ERR_MSG(extack, "this inbound SPI is in use in the underlay namespace");
		return -EEXIST;
	}
	p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p)
		return -ENOMEM;
	p->key.net = params->underlay;
	p->key.spi = spi;
	p->key.proto = proto;
	p->sd = sd;
	skb_queue_head_init(&p->queue);
	timer_setup(&p->timer, sectun_pending_timeout, 0);
	err = rhashtable_lookup_insert_fast(&pending_table, &p->node,
					    pending_params);
	if (err) {
		if (err == -EEXIST)
			NL_SET_ERR_MSG(extack, "this inbound SPI is reserved already");
		else
			NL_SET_ERR_MSG(extack, "cannot reserve the SPI");
		kfree(p);
		return err;
	}
	atomic_inc(&sd->n_pending);
	mod_timer(&p->timer, jiffies + msecs_to_jiffies(ms));
	return 0;
}

/* Under RTNL: the reservation of KEY, now the caller's to free; or NULL. */
static struct sectun_pending *sectun_pending_claim(const struct sectun_sa_in_key *key)
{
	struct sectun_pending *p;

	rcu_read_lock();
	p = rhashtable_lookup(&pending_table, key, pending_params);
	if (p && !sectun_pending_unhash(p))
		p = NULL;
	rcu_read_unlock();
	if (p)
		del_timer_sync(&p->timer);
	return p;
}

int sectun_pending_del(struct sectun_dev *sd, u32 spi, u8 proto)
{
	const struct sectun_params *params = sectun_params(sd);
	struct sectun_sa_in_key key = {
		.net = params->underlay, .spi = spi, .proto = proto,
	};
	struct sectun_pending *p;
	struct sk_buff_head list;
	bool mine;

	ASSERT_RTNL();
	if (!params->underlay)
		return -ENOENT;
	rcu_read_lock();
	p = rhashtable_lookup(&pending_table, &key, pending_params);
	mine = p && p->sd == sd;
	rcu_read_unlock();
	if (!mine)
		return -ENOENT;
	p = sectun_pending_claim(&key);
	if (!p)
		return -ENOENT;
	sectun_pending_take(p, &list);
	sectun_pending_drop(p->sd, &list);
	sectun_pending_free(p);
	return 0;
}

static void sectun_pending_deliver(struct sectun_sa *sa, struct sk_buff_head *list)
{
	struct sk_buff *skb;

	/*
	 * As the receive path would have handed them over; all in one go,
	 * so that no packet received meanwhile on this CPU overtakes them
	 * (the replay window must see them in order).
	 */
	local_bh_disable();
	rcu_read_lock();
	while ((skb = __skb_dequeue(list))) {
		atomic_long_sub(skb->truesize, &pending_bytes);
		if (sa->proto == IPPROTO_AH)
			sectun_ah_input(sa, skb);
		else
			sectun_esp_input(sa, skb, SECTUN_PENDING_CB(skb)->encap_sport);
	}
	rcu_read_unlock();
	local_bh_enable();
}

void sectun_pending_release(struct sectun_sa *sa)
{
	struct sectun_pending *p;
	struct sk_buff_head list;

	ASSERT_RTNL();
	p = sectun_pending_claim(&sa->in_key);
	if (!p)
		return;
	sectun_pending_take(p, &list);
	if (p->sd == sa->sd)
		sectun_pending_deliver(sa, &list);
	else
		sectun_pending_drop(p->sd, &list);
	sectun_pending_free(p);
}

bool sectun_pending_reserved_elsewhere(const struct net *net, u32 spi, u8 proto,
				       const struct sectun_dev *sd)
{
	struct sectun_sa_in_key key = { .net = net, .spi = spi, .proto = proto };
	struct sectun_pending *p;
	bool other;

	rcu_read_lock();
	p = rhashtable_lookup(&pending_table, &key, pending_params);
	other = p && p->sd != sd && !test_bit(0, &p->dead);
	rcu_read_unlock();
	return other;
}

void sectun_pending_flush(struct sectun_dev *sd)
{
	struct sectun_pending *p, *next;
	struct rhashtable_iter iter;
	struct sk_buff_head list;
	LIST_HEAD(gone);

	ASSERT_RTNL();
	if (!atomic_read(&sd->n_pending))
		return;
	rhashtable_walk_enter(&pending_table, &iter);
	rhashtable_walk_start(&iter);
	while ((p = rhashtable_walk_next(&iter))) {
		if (IS_ERR(p))
			continue;
		if (p->sd == sd && sectun_pending_unhash(p))
			list_add(&p->flush_node, &gone);
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
	list_for_each_entry_safe(p, next, &gone, flush_node) {
		del_timer_sync(&p->timer);
		sectun_pending_take(p, &list);
		sectun_pending_drop(sd, &list);
		sectun_pending_free(p);
	}
	/* A timer that took one out just before us is done with SD after this. */
	synchronize_rcu();
}

/* Whether SRC is the remote endpoint of P's tunnel. */
static bool sectun_pending_from_peer(struct sectun_pending *p, int family,
				     const union sectun_addr *src)
{
	const struct sectun_params *params = sectun_params(p->sd);

	if (params->remote_family != family)
		return false;
	if (family == AF_INET)
		return params->remote.v4 == src->v4;
	return ipv6_addr_equal(&params->remote.v6, &src->v6);
}

bool sectun_pending_hold(const struct net *net, u32 spi, u8 proto, int family,
			 const union sectun_addr *src, struct sk_buff *skb,
			 u16 encap_sport)
{
	struct sectun_sa_in_key key = { .net = net, .spi = spi, .proto = proto };
	struct sectun_pending *p;
	struct sectun_sa *sa;

	p = rhashtable_lookup(&pending_table, &key, pending_params);
	if (!p || !sectun_pending_from_peer(p, family, src))
		return false;
	/* Held past this softirq: the route must be a real reference. */
	if (!skb_dst_force(skb))
		goto drop;
	spin_lock(&p->queue.lock);
	if (test_bit(0, &p->dead)) {
		spin_unlock(&p->queue.lock);
		/* Being taken over: its SA may be in the SAD by now. */
		sa = sectun_sa_lookup_in(net, spi, proto);
		if (!sa)
			goto drop;
		if (proto == IPPROTO_AH)
			sectun_ah_input(sa, skb);
		else
			sectun_esp_input(sa, skb, encap_sport);
		return true;
	}
	if (skb_queue_len(&p->queue) >= SECTUN_PENDING_MAX_SKBS ||
	    atomic_long_add_return(skb->truesize, &pending_bytes) > SECTUN_PENDING_MAX_BYTES) {
		if (skb_queue_len(&p->queue) < SECTUN_PENDING_MAX_SKBS)
			atomic_long_sub(skb->truesize, &pending_bytes);
		spin_unlock(&p->queue.lock);
		goto drop;
	}
	/* Nothing reads the underlay device once it is queued: no reference. */
	SECTUN_PENDING_CB(skb)->encap_sport = encap_sport;
	__skb_queue_tail(&p->queue, skb);
	spin_unlock(&p->queue.lock);
	return true;

drop:
	sectun_stats_inc(p->sd->stats, SECTUN_STAT_INVALID_SPI);
	kfree_skb(skb);
	return true;
}

int sectun_pending_init(void)
{
	return rhashtable_init(&pending_table, &pending_params);
}

void sectun_pending_uninit(void)
{
	/* Every device, and so every reservation, is gone by now. */
	rhashtable_destroy(&pending_table);
}
