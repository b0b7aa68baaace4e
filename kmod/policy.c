// SPDX-License-Identifier: GPL-2.0
/*
 * The SPD of a tunnel. Selectors live in a per-device xarray by index;
 * for lookup, every change compiles them into an immutable table published
 * under RCU: per address family, the remote address space cut into
 * intervals at every selector boundary, each interval listing (by
 * priority, then index) the selectors covering it. An outbound packet
 * costs a binary search and a check of the few selectors of its interval,
 * not a scan of all of them.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "compat.h"
#include "device.h"
#include "events.h"
#include "policy.h"
#include "sa.h"

struct sectun_spd_range {
	struct sectun_key start;	/* up to the next range's start */
	u32 first, count;		/* in sectun_spd.cand */
};

struct sectun_spd {
	struct rcu_head rcu;
	u32 n_ranges[2];		/* [0] IPv4, [1] IPv6 */
	struct sectun_spd_range *ranges[2];
	struct sectun_policy **cand;
};

void sectun_key_from_addr(struct sectun_key *k, int family, const void *addr)
{
	if (family == AF_INET) {
		k->hi = 0;
		k->lo = ntohl(*(const __be32 *)addr);
	} else {
		k->hi = get_unaligned_be64(addr);
		k->lo = get_unaligned_be64((const u8 *)addr + 8);
	}
}

void sectun_key_to_addr(const struct sectun_key *k, int family, void *addr)
{
	if (family == AF_INET) {
		*(__be32 *)addr = htonl(k->lo);
	} else {
		put_unaligned_be64(k->hi, addr);
		put_unaligned_be64(k->lo, (u8 *)addr + 8);
	}
}

static int key_cmp(const struct sectun_key *a, const struct sectun_key *b)
{
	if (a->hi != b->hi)
		return a->hi < b->hi ? -1 : 1;
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return 0;
}

static bool key_in(const struct sectun_key *k, const struct sectun_key *lo,
		   const struct sectun_key *hi)
{
	return key_cmp(k, lo) >= 0 && key_cmp(k, hi) <= 0;
}

/* Ports (or ICMP type and code) of the packet at network offset NOFF. */
static void flow_ports(struct sk_buff *skb, unsigned int off, bool outbound,
		       struct sectun_flow *f)
{
	u8 *h;

	switch (f->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:
		if (!pskb_may_pull(skb, off + 4))
			return;
		h = skb->data + off;
		f->lport = get_unaligned_be16(outbound ? h : h + 2);
		f->rport = get_unaligned_be16(outbound ? h + 2 : h);
		f->has_ports = true;
		return;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		/* RFC 7296 3.13.1: type and code make the 16-bit "port". */
		if (!pskb_may_pull(skb, off + 2))
			return;
		h = skb->data + off;
		f->lport = h[0] << 8 | h[1];
		f->rport = f->lport;
		f->has_ports = true;
		return;
	}
}

/*
 * The flow of an inner packet whose IP header starts at skb->data. Ports
 * only for first (or no) fragments.
 */
int sectun_flow_parse(struct sk_buff *skb, bool outbound, struct sectun_flow *f)
{
	unsigned int off;

	memset(f, 0, sizeof(*f));
	if (skb->protocol == htons(ETH_P_IP)) {
		const struct iphdr *iph;

		if (!pskb_may_pull(skb, sizeof(*iph)))
			return -EINVAL;
		iph = (const struct iphdr *)skb->data;
		f->family = AF_INET;
		f->proto = iph->protocol;
		sectun_key_from_addr(&f->local, AF_INET,
				     outbound ? &iph->saddr : &iph->daddr);
		sectun_key_from_addr(&f->remote, AF_INET,
				     outbound ? &iph->daddr : &iph->saddr);
		off = iph->ihl * 4;
		if (!(iph->frag_off & htons(IP_OFFSET)))
			flow_ports(skb, off, outbound, f);
		return 0;
	}
	if (skb->protocol == htons(ETH_P_IPV6)) {
		const struct ipv6hdr *ip6h;
		__be16 frag = 0;
		u8 nexthdr;
		int noff;

		if (!pskb_may_pull(skb, sizeof(*ip6h)))
			return -EINVAL;
		ip6h = (const struct ipv6hdr *)skb->data;
		f->family = AF_INET6;
		sectun_key_from_addr(&f->local, AF_INET6,
				     outbound ? &ip6h->saddr : &ip6h->daddr);
		sectun_key_from_addr(&f->remote, AF_INET6,
				     outbound ? &ip6h->daddr : &ip6h->saddr);
		nexthdr = ip6h->nexthdr;
		noff = ipv6_skip_exthdr(skb, sizeof(*ip6h), &nexthdr, &frag);
		f->proto = nexthdr;
		if (noff >= 0 && !(frag & htons(IP6_OFFSET)))
			flow_ports(skb, noff, outbound, f);
		return 0;
	}
	return -EAFNOSUPPORT;
}

static bool full_ports(u16 min, u16 max)
{
	return min == 0 && max == 0xffff;
}

bool sectun_sel_match(const struct sectun_sel *sel, const struct sectun_flow *f)
{
	if (sel->family != f->family)
		return false;
	if (sel->proto && sel->proto != f->proto)
		return false;
	if (!key_in(&f->remote, &sel->remote_start, &sel->remote_end) ||
	    !key_in(&f->local, &sel->local_start, &sel->local_end))
		return false;
	if (full_ports(sel->lport_min, sel->lport_max) &&
	    full_ports(sel->rport_min, sel->rport_max))
		return true;
	return f->has_ports &&
	       f->lport >= sel->lport_min && f->lport <= sel->lport_max &&
	       f->rport >= sel->rport_min && f->rport <= sel->rport_max;
}

bool sectun_spd_active(struct sectun_dev *sd)
{
	return !!rcu_access_pointer(sd->spd);
}

struct sectun_policy *sectun_spd_lookup(struct sectun_dev *sd,
					const struct sectun_flow *f)
{
	const struct sectun_spd *spd = rcu_dereference(sd->spd);
	const struct sectun_spd_range *r;
	int fi = f->family == AF_INET6, lo = 0, hi, i;

	if (!spd)
		return NULL;
	hi = (int)spd->n_ranges[fi] - 1;
	r = spd->ranges[fi];
	/* The last range starting at or below the remote address. */
	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;

		if (key_cmp(&r[mid].start, &f->remote) <= 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	if (hi < 0)
		return NULL;
	for (i = 0; i < r[hi].count; i++) {
		struct sectun_policy *pol = spd->cand[r[hi].first + i];

		if (sectun_sel_match(&pol->sel, f))
			return pol;
	}
	return NULL;
}

/* ---- Compiling the lookup table (under RTNL) ---------------------------- */

static int cmp_keys(const void *a, const void *b)
{
	return key_cmp(a, b);
}

static int cmp_policies(const void *a, const void *b)
{
	const struct sectun_policy *pa = *(struct sectun_policy * const *)a;
	const struct sectun_policy *pb = *(struct sectun_policy * const *)b;

	if (pa->priority != pb->priority)
		return pa->priority < pb->priority ? -1 : 1;
	return pa->index < pb->index ? -1 : pa->index > pb->index;
}

static void sectun_spd_free(struct sectun_spd *spd)
{
	if (!spd)
		return;
	kvfree(spd->ranges[0]);
	kvfree(spd->ranges[1]);
	kvfree(spd->cand);
	kfree(spd);
}

static void sectun_spd_free_rcu(struct rcu_head *rcu)
{
	sectun_spd_free(container_of(rcu, struct sectun_spd, rcu));
}

/*
 * Cut family FI's remote address space at every selector boundary. POLS
 * holds the N selectors of that family, sorted by priority. With CAND
 * NULL this only counts (into *NCAND) what the interval lists need; with
 * CAND it fills them from *NCAND on.
 */
static int spd_build_family(struct sectun_spd *spd, int fi,
			    struct sectun_policy **pols, u32 n,
			    struct sectun_policy **cand, u32 *ncand)
{
	struct sectun_key *points;
	u32 npoints = 0, i, k, nr = 0;

	if (!n)
		return 0;
	points = kvmalloc_array(2 * n, sizeof(*points), GFP_KERNEL);
	if (!points)
		return -ENOMEM;
	if (cand) {
		spd->ranges[fi] = kvmalloc_array(2 * n, sizeof(*spd->ranges[fi]),
						 GFP_KERNEL);
		if (!spd->ranges[fi]) {
			kvfree(points);
			return -ENOMEM;
		}
	}
	for (i = 0; i < n; i++) {
		struct sectun_key end = pols[i]->sel.remote_end;

		points[npoints++] = pols[i]->sel.remote_start;
		/* The interval after the range, unless it is the top of IPv6. */
		if (++end.lo == 0 && ++end.hi == 0)
			continue;
		points[npoints++] = end;
	}
	sort(points, npoints, sizeof(*points), cmp_keys, NULL);
	for (i = 0; i < npoints; i++) {
		struct sectun_spd_range *r = cand ? &spd->ranges[fi][nr] : NULL;

		if (i && !key_cmp(&points[i], &points[i - 1]))
			continue;
		if (r) {
			r->start = points[i];
			r->first = *ncand;
			r->count = 0;
		}
		for (k = 0; k < n; k++) {
			const struct sectun_sel *s = &pols[k]->sel;

			if (!key_in(&points[i], &s->remote_start, &s->remote_end))
				continue;
			if (r)
				cand[r->first + r->count++] = pols[k];
			(*ncand)++;
		}
		nr++;
	}
	if (cand)
		spd->n_ranges[fi] = nr;
	kvfree(points);
	return 0;
}

/* Recompile and publish the lookup table after a change. */
static int sectun_spd_rebuild(struct sectun_dev *sd)
{
	struct sectun_policy **pols = NULL, **cand = NULL;
	struct sectun_spd *spd = NULL, *old;
	struct sectun_policy *pol;
	u32 n = 0, n4 = 0, total = 0, fill = 0, i;
	unsigned long index;
	int err = -ENOMEM;

	xa_for_each(&sd->policies, index, pol)
		n++;
	if (!n) {
		old = rcu_replace_pointer(sd->spd, NULL, lockdep_rtnl_is_held());
		goto out_old;
	}
	pols = kvmalloc_array(n, sizeof(*pols), GFP_KERNEL);
	spd = kzalloc(sizeof(*spd), GFP_KERNEL);
	if (!pols || !spd)
		goto out;
	/* IPv4 first, then IPv6, each in priority order. */
	xa_for_each(&sd->policies, index, pol)
		if (pol->sel.family == AF_INET)
			pols[n4++] = pol;
	i = n4;
	xa_for_each(&sd->policies, index, pol)
		if (pol->sel.family == AF_INET6)
			pols[i++] = pol;
	sort(pols, n4, sizeof(*pols), cmp_policies, NULL);
	sort(pols + n4, n - n4, sizeof(*pols), cmp_policies, NULL);

	err = spd_build_family(spd, 0, pols, n4, NULL, &total);
	if (!err)
		err = spd_build_family(spd, 1, pols + n4, n - n4, NULL, &total);
	if (err)
		goto out;
	err = -ENOMEM;
	cand = kvmalloc_array(total, sizeof(*cand), GFP_KERNEL);
	if (!cand)
		goto out;
	err = spd_build_family(spd, 0, pols, n4, cand, &fill);
	if (!err)
		err = spd_build_family(spd, 1, pols + n4, n - n4, cand, &fill);
	if (err)
		goto out;
	spd->cand = cand;
	cand = NULL;
	old = rcu_replace_pointer(sd->spd, spd, lockdep_rtnl_is_held());
	spd = NULL;
	kvfree(pols);
out_old:
	if (old)
		call_rcu(&old->rcu, sectun_spd_free_rcu);
	return 0;
out:
	kvfree(pols);
	kvfree(cand);
	sectun_spd_free(spd);
	return err;
}

int sectun_policy_add(struct sectun_dev *sd, struct sectun_policy *pol,
		      struct netlink_ext_ack *extack)
{
	int err;

	ASSERT_RTNL();
	if (pol->index) {
		err = xa_insert(&sd->policies, pol->index, pol, GFP_KERNEL);
		if (err == -EBUSY) {
			NL_SET_ERR_MSG(extack, "a selector with this index exists");
			return -EEXIST;
		}
	} else {
		err = xa_alloc(&sd->policies, &pol->index, pol,
			       XA_LIMIT(1, U32_MAX), GFP_KERNEL);
	}
	if (err)
		return err;
	if (!pol->priority)
		pol->priority = pol->index;
	pol->last_acquire = jiffies - HZ;
	err = sectun_spd_rebuild(sd);
	if (err)
		xa_erase(&sd->policies, pol->index);
	return err;
}

struct sectun_policy *sectun_policy_find(struct sectun_dev *sd, u32 index)
{
	return xa_load(&sd->policies, index);
}

/* The SAs serving a selector go with it: nothing else could use them. */
static void sectun_policy_drop_sas(struct sectun_dev *sd,
				   struct sectun_policy *pol)
{
	struct sectun_sa *sa;
	unsigned long index;

	xa_for_each(&sd->sas, index, sa)
		if (sa->policy_index == pol->index)
			sectun_sa_unlink(sa, SECTUN_EXPIRE_USER);
}

/*
 * Out of the xarray, then out of a newly published lookup table, and only
 * then freed after a grace period: packets may still hold it from the old
 * table until then.
 */
int sectun_policy_del(struct sectun_dev *sd, struct sectun_policy *pol)
{
	int err;

	ASSERT_RTNL();
	xa_erase(&sd->policies, pol->index);
	err = sectun_spd_rebuild(sd);
	if (err) {
		/* The old table still has it: keep it, and say so. */
		xa_store(&sd->policies, pol->index, pol, GFP_KERNEL);
		return err;
	}
	sectun_policy_drop_sas(sd, pol);
	kfree_rcu(pol, rcu);
	return 0;
}

void sectun_policy_flush(struct sectun_dev *sd)
{
	struct sectun_policy *pol;
	struct sectun_spd *old;
	unsigned long index;

	ASSERT_RTNL();
	/* Unpublish the table first; then no new lookup can find them. */
	old = rcu_replace_pointer(sd->spd, NULL, lockdep_rtnl_is_held());
	if (old)
		call_rcu(&old->rcu, sectun_spd_free_rcu);
	xa_for_each(&sd->policies, index, pol) {
		xa_erase(&sd->policies, index);
		sectun_policy_drop_sas(sd, pol);
		kfree_rcu(pol, rcu);
	}
}

void sectun_policy_acquire(struct sectun_dev *sd, struct sectun_policy *pol,
			   const struct sectun_flow *f)
{
	unsigned long *last = pol ? &pol->last_acquire : &sd->last_acquire;
	unsigned long now = jiffies, then = READ_ONCE(*last);

	if (time_before(now, then + HZ) || cmpxchg(last, then, now) != then)
		return;
	if (pol)
		atomic64_inc(&pol->acquires);
	sectun_event_acquire(sd, pol, f);
}
