/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-CPU counters: one set per tunnel and one per SA, indexed by
 * enum sectun_stat_attr so they map one to one onto the netlink ABI.
 */
#ifndef _SECTUN_STATS_H
#define _SECTUN_STATS_H

#include <linux/percpu.h>
#include <linux/u64_stats_sync.h>
#include <linux/skbuff.h>
#include <uapi/linux/sectun.h>

struct sectun_pcpu_stats {
	u64_stats_t cnt[__SECTUN_STAT_MAX];
	struct u64_stats_sync syncp;
};

struct sectun_stats_sum {
	u64 cnt[__SECTUN_STAT_MAX];
};

/* What "stats clear" subtracts: replaced whole, so readers see one set. */
struct sectun_stats_baseline {
	struct rcu_head rcu;
	struct sectun_stats_sum sum;
};

struct sectun_pcpu_stats __percpu *sectun_stats_alloc(gfp_t gfp);
void sectun_stats_free(struct sectun_pcpu_stats __percpu *stats);
void sectun_stats_read(struct sectun_pcpu_stats __percpu *stats,
		       struct sectun_stats_sum *sum);
int sectun_stats_fill(struct sk_buff *skb, int attr,
		      const struct sectun_stats_sum *sum,
		      const struct sectun_stats_sum *baseline);

static inline void sectun_stats_add(struct sectun_pcpu_stats __percpu *stats,
				    enum sectun_stat_attr idx, u64 val)
{
	struct sectun_pcpu_stats *s = get_cpu_ptr(stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_add(&s->cnt[idx], val);
	u64_stats_update_end(&s->syncp);
	put_cpu_ptr(stats);
}

static inline void sectun_stats_inc(struct sectun_pcpu_stats __percpu *stats,
				    enum sectun_stat_attr idx)
{
	sectun_stats_add(stats, idx, 1);
}

#endif /* _SECTUN_STATS_H */
