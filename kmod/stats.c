// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU counters and their netlink encoding.
 */
#include <net/netlink.h>

#include "stats.h"

struct sectun_pcpu_stats __percpu *sectun_stats_alloc(gfp_t gfp)
{
	struct sectun_pcpu_stats __percpu *stats;
	int cpu;

	stats = alloc_percpu_gfp(struct sectun_pcpu_stats, gfp);
	if (!stats)
		return NULL;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(stats, cpu)->syncp);
	return stats;
}

void sectun_stats_free(struct sectun_pcpu_stats __percpu *stats)
{
	free_percpu(stats);
}

void sectun_stats_read(struct sectun_pcpu_stats __percpu *stats,
		       struct sectun_stats_sum *sum)
{
	u64 snap[__SECTUN_STAT_MAX];
	unsigned int start;
	int cpu, i;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct sectun_pcpu_stats *s = per_cpu_ptr(stats, cpu);

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			for (i = 0; i < __SECTUN_STAT_MAX; i++)
				snap[i] = u64_stats_read(&s->cnt[i]);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		for (i = 0; i < __SECTUN_STAT_MAX; i++)
			sum->cnt[i] += snap[i];
	}
}

/*
 * Counters are never reset in place (other CPUs own them); a clear takes
 * a baseline and reports count - baseline.
 */
int sectun_stats_fill(struct sk_buff *skb, int attr,
		      const struct sectun_stats_sum *sum,
		      const struct sectun_stats_sum *baseline)
{
	struct nlattr *nest;
	int i;

	nest = nla_nest_start(skb, attr);
	if (!nest)
		return -EMSGSIZE;
	for (i = SECTUN_STAT_RX_PACKETS; i < __SECTUN_STAT_MAX; i++) {
		u64 val = sum->cnt[i] - (baseline ? baseline->cnt[i] : 0);

		if (nla_put_u64_64bit(skb, i, val, SECTUN_STAT_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}
