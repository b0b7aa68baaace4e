// SPDX-License-Identifier: GPL-2.0
/*
 * SA database: two hash tables (receive lookup by SPI, and management
 * lookup), a per-device xarray that gives dumps a stable cursor, the
 * current outbound SA of each tunnel, and lifetimes.
 *
 * Life of an SA: added under RTNL with one reference held by the tables;
 * the datapath finds it under RCU and takes a reference only while a
 * packet is in asynchronous crypto. Unlinking (delete, flush, hard expiry,
 * device teardown) takes it out of the tables under RTNL and drops the
 * tables' reference; the last reference frees it from process context
 * after an RCU grace period, since freeing a crypto tfm may sleep.
 */
#include <linux/moduleparam.h>
#include <linux/rhashtable.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>

#include "device.h"
#include "events.h"
#include "pending.h"
#include "sa.h"

/* Bounds what one tunnel (a container's, say) can make the kernel hold. */
static unsigned int max_sas = 1000000;
module_param(max_sas, uint, 0644);
MODULE_PARM_DESC(max_sas, "SAs one tunnel may have (default 1000000)");

static struct workqueue_struct *sectun_wq;
static struct rhashtable sa_in_table, sa_id_table;

static const struct rhashtable_params sa_in_params = {
	.key_len = sizeof(struct sectun_sa_in_key),
	.key_offset = offsetof(struct sectun_sa, in_key),
	.head_offset = offsetof(struct sectun_sa, in_node),
	.automatic_shrinking = true,
};

static const struct rhashtable_params sa_id_params = {
	.key_len = sizeof(struct sectun_sa_id_key),
	.key_offset = offsetof(struct sectun_sa, id_key),
	.head_offset = offsetof(struct sectun_sa, id_node),
	.automatic_shrinking = true,
};

static void sectun_sa_free(struct work_struct *work)
{
	struct sectun_sa *sa = container_of(to_rcu_work(work), struct sectun_sa,
					    free_work);

	sectun_crypto_free(&sa->crypto);
	sectun_replay_free(&sa->replay);
	dev_put(sa->sd->dev);
	kvfree(sa);
}

void sectun_sa_put(struct sectun_sa *sa)
{
	if (refcount_dec_and_test(&sa->refcnt))
		queue_rcu_work(sectun_wq, &sa->free_work);
}

static void sectun_sa_soft_expire(struct sectun_sa *sa, u8 reason)
{
	if (!test_and_set_bit(SECTUN_SA_SOFT_EXPIRED, &sa->flags))
		sectun_event_expire(sa, false, reason);
}

/* Stop using the SA now; delete it from process context. */
void sectun_sa_hard_expire(struct sectun_sa *sa, u8 reason)
{
	if (test_and_set_bit(SECTUN_SA_HARD_EXPIRED, &sa->flags))
		return;
	sa->expire_reason = reason;
	sectun_event_expire(sa, true, reason);
	if (sectun_sa_get(sa) && !queue_work(sectun_wq, &sa->expire_work))
		sectun_sa_put(sa);
}

static void sectun_sa_expire_work(struct work_struct *work)
{
	struct sectun_sa *sa = container_of(work, struct sectun_sa, expire_work);

	rtnl_lock();
	sectun_sa_unlink(sa, sa->expire_reason);
	rtnl_unlock();
	sectun_sa_put(sa);
}

static unsigned long sectun_sa_deadline(const struct sectun_sa *sa)
{
	u32 secs = sa->hard_seconds;

	if (sa->soft_seconds && !test_bit(SECTUN_SA_SOFT_EXPIRED, &sa->flags))
		secs = sa->soft_seconds;
	return sa->add_jiffies + (unsigned long)secs * HZ;
}

static void sectun_sa_timer(struct timer_list *t)
{
	struct sectun_sa *sa = from_timer(sa, t, timer);
	unsigned long now = jiffies;

	if (test_bit(SECTUN_SA_UNLINKED, &sa->flags))
		return;
	if (sa->hard_seconds &&
	    time_after_eq(now, sa->add_jiffies +
			  (unsigned long)sa->hard_seconds * HZ)) {
		sectun_sa_hard_expire(sa, SECTUN_EXPIRE_SECONDS);
		return;
	}
	if (sa->soft_seconds &&
	    time_after_eq(now, sa->add_jiffies +
			  (unsigned long)sa->soft_seconds * HZ))
		sectun_sa_soft_expire(sa, SECTUN_EXPIRE_SECONDS);
	if (sa->hard_seconds || !test_bit(SECTUN_SA_SOFT_EXPIRED, &sa->flags))
		mod_timer(&sa->timer, sectun_sa_deadline(sa));
}

static void sectun_sa_arm_timer(struct sectun_sa *sa)
{
	if (sa->hard_seconds || sa->soft_seconds)
		mod_timer(&sa->timer, sectun_sa_deadline(sa));
	else
		del_timer(&sa->timer);
}

/*
 * Count a packet against the SA's lifetime. The packet that reaches a hard
 * limit still passes; the SA is gone for the next one. Racing CPUs each
 * see their own count, so only one can be the one that reaches it.
 */
bool sectun_sa_charge(struct sectun_sa *sa, unsigned int bytes)
{
	u64 packets, total;

	if (unlikely(!sectun_sa_usable(sa)))
		return false;
	packets = atomic64_inc_return(&sa->stats[SECTUN_SA_STAT_PACKETS]);
	total = atomic64_add_return(bytes, &sa->stats[SECTUN_SA_STAT_BYTES]);

	if (unlikely((sa->hard_packets && packets > sa->hard_packets) ||
		     (sa->hard_bytes && total - bytes >= sa->hard_bytes))) {
		/* Another packet reached the limit first: this one is not counted. */
		atomic64_dec(&sa->stats[SECTUN_SA_STAT_PACKETS]);
		atomic64_sub(bytes, &sa->stats[SECTUN_SA_STAT_BYTES]);
		/* Or "sa set" lowered the limit below the count. */
		sectun_sa_hard_expire(sa, packets > sa->hard_packets && sa->hard_packets ?
				      SECTUN_EXPIRE_PACKETS : SECTUN_EXPIRE_BYTES);
		return false;
	}
	if (unlikely(sa->hard_packets && packets >= sa->hard_packets))
		sectun_sa_hard_expire(sa, SECTUN_EXPIRE_PACKETS);
	else if (unlikely(sa->hard_bytes && total >= sa->hard_bytes))
		sectun_sa_hard_expire(sa, SECTUN_EXPIRE_BYTES);
	else if (unlikely(sa->soft_packets && packets >= sa->soft_packets))
		sectun_sa_soft_expire(sa, SECTUN_EXPIRE_PACKETS);
	else if (unlikely(sa->soft_bytes && total >= sa->soft_bytes))
		sectun_sa_soft_expire(sa, SECTUN_EXPIRE_BYTES);
	return true;
}

int sectun_sa_next_seq(struct sectun_sa *sa, unsigned int bytes, u64 *seq)
{
	/*
	 * Never past the last number, even with CPUs racing for it: with ESN
	 * an increment past 2^64 - 1 would wrap to 0 and reuse numbers (and
	 * counter-mode IVs).
	 */
	*seq = atomic64_fetch_add_unless(&sa->seq_out, 1, (s64)sa->seq_max) + 1;
	if (unlikely(*seq - 1 == sa->seq_max)) {
		sectun_sa_hard_expire(sa, SECTUN_EXPIRE_SEQ);
		return -ENOENT;
	}
	if (unlikely(!sectun_sa_charge(sa, bytes)))
		return -ENOENT;
	/* Never wrap: the last number ends the SA. */
	if (unlikely(*seq == sa->seq_max))
		sectun_sa_hard_expire(sa, SECTUN_EXPIRE_SEQ);
	return sectun_sa_get(sa) ? 0 : -ENOENT;
}

void sectun_sa_set_lifetimes(struct sectun_sa *sa,
			     const struct sectun_sa_config *cfg)
{
	sa->soft_bytes = cfg->soft_bytes;
	sa->hard_bytes = cfg->hard_bytes;
	sa->soft_packets = cfg->soft_packets;
	sa->hard_packets = cfg->hard_packets;
	sa->soft_seconds = cfg->soft_seconds;
	sa->hard_seconds = cfg->hard_seconds;
	if (!test_bit(SECTUN_SA_UNLINKED, &sa->flags))
		sectun_sa_arm_timer(sa);
}

struct sectun_sa *sectun_sa_lookup_in(const struct net *net, u32 spi, u8 proto)
{
	struct sectun_sa_in_key key = { .net = net, .spi = spi, .proto = proto };

	return rhashtable_lookup(&sa_in_table, &key, sa_in_params);
}

struct sectun_sa *sectun_sa_find(struct sectun_dev *sd, u8 dir, u32 spi,
				 u8 proto)
{
	struct sectun_sa_id_key key = {
		.sd = sd, .spi = spi, .proto = proto, .dir = dir,
	};

	return rhashtable_lookup_fast(&sa_id_table, &key, sa_id_params);
}

bool sectun_sa_serves(const struct sectun_sa *sa, u32 index)
{
	u32 i;

	for (i = 0; i < sa->n_sels; i++)
		if (sa->sels[i].index == index)
			return true;
	return false;
}

bool sectun_sa_ts_allows(const struct sectun_sa *sa,
			 const struct sectun_flow *f)
{
	u32 i;

	if (!sa->n_sels)
		return true;
	for (i = 0; i < sa->n_sels; i++)
		if (sectun_sel_match(&sa->sels[i].sel, f))
			return true;
	return false;
}

/*
 * Where the outbound SA of SA's I-th selector (or of the tunnel, I = 0
 * without selectors) is kept; NULL once that selector is gone.
 */
static struct sectun_sa __rcu **sectun_sa_slot(struct sectun_sa *sa, u32 i)
{
	struct sectun_policy *pol;

	if (!sa->n_sels)
		return &sa->sd->out_sa;
	pol = sectun_policy_find(sa->sd, sa->sels[i].index);
	return pol ? &pol->out_sa : NULL;
}

/* How many slots SA's outbound traffic goes by. */
static u32 sectun_sa_n_slots(const struct sectun_sa *sa)
{
	return sa->n_sels ?: 1;
}

/*
 * Under RTNL or RCU: whether SA carries the traffic of any of its
 * selectors (another SA made current for one of them takes that one only).
 */
bool sectun_sa_is_current(struct sectun_sa *sa)
{
	struct sectun_sa __rcu **slot;
	u32 i;

	for (i = 0; i < sectun_sa_n_slots(sa); i++) {
		slot = sectun_sa_slot(sa, i);
		if (slot && rcu_access_pointer(*slot) == sa)
			return true;
	}
	return false;
}

/*
 * Switch the traffic of SA's selectors (or the tunnel's) to SA: each
 * selector atomically; a packet sees the old SA or the new one.
 */
bool sectun_sa_make_current(struct sectun_sa *sa)
{
	struct sectun_sa __rcu **slot;
	bool changed = false;
	u32 i;

	for (i = 0; i < sectun_sa_n_slots(sa); i++) {
		slot = sectun_sa_slot(sa, i);
		if (slot && rcu_access_pointer(*slot) != sa) {
			rcu_assign_pointer(*slot, sa);
			changed = true;
		}
	}
	return changed;
}

/*
 * Under RTNL: each selector SA serves counts it, so that deleting a
 * selector no SA serves (a trap) skips the walk over every SA.
 */
static void sectun_sa_count_on_policies(struct sectun_sa *sa, int delta)
{
	struct sectun_policy *pol;
	u32 i;

	for (i = 0; i < sa->n_sels; i++) {
		pol = sectun_policy_find(sa->sd, sa->sels[i].index);
		if (pol)
			pol->n_sas += delta;
	}
}

/* The slots SA holds are emptied (it goes). */
static void sectun_sa_leave_slots(struct sectun_sa *sa)
{
	struct sectun_sa __rcu **slot;
	u32 i;

	for (i = 0; i < sectun_sa_n_slots(sa); i++) {
		slot = sectun_sa_slot(sa, i);
		if (slot && rcu_access_pointer(*slot) == sa)
			RCU_INIT_POINTER(*slot, NULL);
	}
}

static int sectun_sa_check_policies(const struct sectun_sa_config *cfg,
				    struct netlink_ext_ack *extack)
{
	u32 i, j;

	if (cfg->n_policies > SECTUN_SA_MAX_POLICIES) {
		NL_SET_ERR_MSG(extack, "an SA serves at most 64 selectors");
		return -E2BIG;
	}
	for (i = 0; i < cfg->n_policies; i++) {
		if (!cfg->policies[i]) {
			NL_SET_ERR_MSG(extack, "selector index 0 is no selector");
			return -EINVAL;
		}
		for (j = 0; j < i; j++) {
			if (cfg->policies[j] == cfg->policies[i]) {
				NL_SET_ERR_MSG(extack, "a selector is listed twice");
				return -EINVAL;
			}
		}
	}
	return 0;
}

static int sectun_sa_check_config(const struct sectun_sa_config *cfg,
				  struct netlink_ext_ack *extack)
{
	if (cfg->proto == IPPROTO_AH && cfg->encr) {
		NL_SET_ERR_MSG(extack, "AH does not encrypt: no encryption algorithm");
		return -EINVAL;
	}
	if (cfg->proto == IPPROTO_ESP && !cfg->encr) {
		NL_SET_ERR_MSG(extack, "ESP needs an encryption algorithm");
		return -EINVAL;
	}
	if (cfg->soft_bytes && cfg->hard_bytes && cfg->soft_bytes > cfg->hard_bytes) {
		NL_SET_ERR_MSG(extack, "soft byte limit is above the hard one");
		return -EINVAL;
	}
	if (cfg->soft_packets && cfg->hard_packets &&
	    cfg->soft_packets > cfg->hard_packets) {
		NL_SET_ERR_MSG(extack, "soft packet limit is above the hard one");
		return -EINVAL;
	}
	if (cfg->soft_seconds && cfg->hard_seconds &&
	    cfg->soft_seconds > cfg->hard_seconds) {
		NL_SET_ERR_MSG(extack, "soft lifetime is above the hard one");
		return -EINVAL;
	}
	if (!cfg->esn && cfg->seq >= U32_MAX) {
		NL_SET_ERR_MSG(extack,
			       "initial sequence number leaves no room without ESN");
		return -EINVAL;
	}
	if (cfg->esn && cfg->seq >= U64_MAX) {
		NL_SET_ERR_MSG(extack, "initial sequence number leaves no room");
		return -EINVAL;
	}
	if (cfg->standby && cfg->dir != SECTUN_DIR_OUT) {
		NL_SET_ERR_MSG(extack, "only outbound SAs can be on standby");
		return -EINVAL;
	}
	return sectun_sa_check_policies(cfg, extack);
}

/*
 * Checked and keyed before RTNL is taken: allocating a transform can
 * sleep on module loads and locks of its own.
 */
int sectun_sa_prepare(const struct sectun_sa_config *cfg,
		      struct sectun_crypto *crypto,
		      struct netlink_ext_ack *extack)
{
	int err = sectun_sa_check_config(cfg, extack);

	if (err)
		return err;
	if (cfg->proto == IPPROTO_AH)
		return sectun_crypto_init_ah(crypto, cfg->integ, cfg->akey,
					     cfg->aklen, cfg->esn, extack);
	return sectun_crypto_init(crypto, cfg->encr, cfg->ekey, cfg->eklen,
				  cfg->integ, cfg->akey, cfg->aklen, cfg->esn,
				  extack);
}

struct sectun_sa *sectun_sa_add(struct sectun_dev *sd,
				const struct sectun_sa_config *cfg,
				struct sectun_crypto *crypto,
				struct netlink_ext_ack *extack)
{
	const struct sectun_params *p = sectun_params(sd);
	struct sectun_sa *sa;
	u32 i;
	int err;

	ASSERT_RTNL();
	if (!p->underlay) {
		NL_SET_ERR_MSG(extack, "the tunnel's underlay namespace is gone");
		return ERR_PTR(-ENETUNREACH);
	}
	if (sd->n_sas >= READ_ONCE(max_sas)) {
		NL_SET_ERR_MSG(extack,
			       "the tunnel has as many SAs as the max_sas module parameter allows");
		return ERR_PTR(-ENOSPC);
	}
	for (i = 0; i < cfg->n_policies; i++) {
		if (!sectun_policy_find(sd, cfg->policies[i])) {
			NL_SET_ERR_MSG(extack, "no selector with this index on the device");
			return ERR_PTR(-ENOENT);
		}
	}
	if (cfg->dir == SECTUN_DIR_IN &&
	    sectun_pending_reserved_elsewhere(p->underlay, cfg->spi, cfg->proto, sd)) {
		NL_SET_ERR_MSG(extack, "this inbound SPI is reserved by another tunnel");
		return ERR_PTR(-EEXIST);
	}

	/* Up to 64 selector copies make it several pages: kvzalloc. */
	sa = kvzalloc(struct_size(sa, sels, cfg->n_policies), GFP_KERNEL_ACCOUNT);
	if (!sa)
		return ERR_PTR(-ENOMEM);
	/* The selectors are immutable: copies serve the inbound TS check. */
	for (i = 0; i < cfg->n_policies; i++) {
		sa->sels[i].index = cfg->policies[i];
		sa->sels[i].sel = sectun_policy_find(sd, cfg->policies[i])->sel;
	}
	sa->n_sels = cfg->n_policies;
	sa->spi = cfg->spi;
	sa->dir = cfg->dir;
	sa->proto = cfg->proto;
	sa->mode = cfg->mode;
	sa->encr = cfg->encr;
	sa->integ = cfg->integ;
	sa->seq_max = cfg->esn ? U64_MAX : U32_MAX;
	atomic64_set(&sa->seq_out, cfg->seq);
	refcount_set(&sa->refcnt, 1);
	sa->sd = sd;
	sa->add_jiffies = jiffies;
	timer_setup(&sa->timer, sectun_sa_timer, 0);
	INIT_WORK(&sa->expire_work, sectun_sa_expire_work);
	INIT_RCU_WORK(&sa->free_work, sectun_sa_free);
	sa->in_key.net = p->underlay;
	sa->in_key.spi = cfg->spi;
	sa->in_key.proto = cfg->proto;
	sa->id_key.sd = sd;
	sa->id_key.spi = cfg->spi;
	sa->id_key.proto = cfg->proto;
	sa->id_key.dir = cfg->dir;

	sa->crypto = *crypto;
	memset(crypto, 0, sizeof(*crypto));
	sa->encr_key_bits = (cfg->eklen - sa->crypto.saltlen) * 8;
	err = sectun_replay_init(&sa->replay,
				 cfg->dir == SECTUN_DIR_IN ? cfg->replay_window : 0,
				 cfg->esn, cfg->seq);
	if (err)
		goto err_crypto;

	/*
	 * From here on the SA is freed the normal way (last reference, after
	 * a grace period), since dumps may see it in the xarray. The inbound
	 * table, which the datapath reads, comes last: nothing can fail after
	 * it.
	 */
	dev_hold(sd->dev);
	err = xa_alloc_cyclic(&sd->sas, &sa->index, sa, xa_limit_32b,
			      &sd->sa_next_index, GFP_KERNEL_ACCOUNT);
	if (err < 0)
		goto err_put;
	err = rhashtable_lookup_insert_fast(&sa_id_table, &sa->id_node,
					    sa_id_params);
	if (err) {
		if (err == -EEXIST)
			NL_SET_ERR_MSG(extack,
				       "an SA with this direction, SPI and protocol exists on the device");
		goto err_xa;
	}
	if (cfg->dir == SECTUN_DIR_IN) {
		err = rhashtable_lookup_insert_fast(&sa_in_table, &sa->in_node,
						    sa_in_params);
		if (err) {
			if (err == -EEXIST)
				NL_SET_ERR_MSG(extack,
					       "this inbound SPI is in use in the underlay namespace");
			goto err_id;
		}
	}

	sd->n_sas++;
	sectun_sa_count_on_policies(sa, 1);
	sectun_sa_set_lifetimes(sa, cfg);
	if (cfg->dir == SECTUN_DIR_OUT && !cfg->standby) {
		sectun_sa_make_current(sa);
		sectun_dev_update_mtu(sd);
	}
	/* What arrived for the SPI while it was reserved is the SA's now. */
	if (cfg->dir == SECTUN_DIR_IN)
		sectun_pending_release(sa);
	return sa;

err_id:
	rhashtable_remove_fast(&sa_id_table, &sa->id_node, sa_id_params);
err_xa:
	xa_erase(&sd->sas, sa->index);
err_put:
	set_bit(SECTUN_SA_UNLINKED, &sa->flags);
	sectun_sa_put(sa);
	return ERR_PTR(err);
err_crypto:
	/* Back to the caller, who frees it. */
	*crypto = sa->crypto;
	kvfree(sa);
	return ERR_PTR(err);
}

void sectun_sa_unlink(struct sectun_sa *sa, u8 reason)
{
	struct sectun_dev *sd = sa->sd;

	ASSERT_RTNL();
	if (test_and_set_bit(SECTUN_SA_UNLINKED, &sa->flags))
		return;
	/* The datapath may still hold it from a lookup: make it refuse. */
	set_bit(SECTUN_SA_HARD_EXPIRED, &sa->flags);
	rhashtable_remove_fast(&sa_id_table, &sa->id_node, sa_id_params);
	if (sa->dir == SECTUN_DIR_IN)
		rhashtable_remove_fast(&sa_in_table, &sa->in_node, sa_in_params);
	xa_erase(&sd->sas, sa->index);
	sd->n_sas--;
	sectun_sa_count_on_policies(sa, -1);
	if (sa->dir == SECTUN_DIR_OUT)
		sectun_sa_leave_slots(sa);
	del_timer_sync(&sa->timer);
	sectun_event_sa_deleted(sa, reason);
	sectun_sa_put(sa);
}

/* Every SA of the device, or those of one direction (DIR >= 0). */
void sectun_sa_flush(struct sectun_dev *sd, int dir, u8 reason)
{
	struct sectun_sa *sa;
	unsigned long index;

	ASSERT_RTNL();
	xa_for_each(&sd->sas, index, sa) {
		if (dir < 0 || sa->dir == dir)
			sectun_sa_unlink(sa, reason);
		cond_resched();		/* up to max_sas of them, under RTNL */
	}
	if (dir < 0 || dir == SECTUN_DIR_IN)
		sectun_pending_flush(sd);
}

int sectun_sa_init(void)
{
	int err;

	sectun_wq = alloc_workqueue("sectun", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	if (!sectun_wq)
		return -ENOMEM;
	err = rhashtable_init(&sa_in_table, &sa_in_params);
	if (err)
		goto err_wq;
	err = rhashtable_init(&sa_id_table, &sa_id_params);
	if (err)
		goto err_in;
	err = sectun_pending_init();
	if (err)
		goto err_id;
	return 0;

err_id:
	rhashtable_destroy(&sa_id_table);
err_in:
	rhashtable_destroy(&sa_in_table);
err_wq:
	destroy_workqueue(sectun_wq);
	return err;
}

/* After every device (so every SA) is gone. */
void sectun_sa_uninit(void)
{
	rcu_barrier();			/* queue_rcu_work()'s grace periods */
	destroy_workqueue(sectun_wq);	/* drains the frees */
	sectun_pending_uninit();
	rhashtable_destroy(&sa_id_table);
	rhashtable_destroy(&sa_in_table);
}
