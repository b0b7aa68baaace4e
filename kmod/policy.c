// SPDX-License-Identifier: GPL-2.0
/*
 * The SPD of a tunnel. Selectors live in a per-device xarray by index;
 * for lookup, every change compiles them into an immutable table published
 * under RCU: per address family, a segment tree over the remote address
 * space (see struct sectun_spd_tree). An outbound packet costs a binary
 * search and a check of the selectors listed on one root-to-leaf path, not
 * a scan of all of them; a change costs O(n log n).
 */
#include <linux/icmp.h>
#include <linux/moduleparam.h>
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

/*
 * One address family's selectors as a segment tree over the remote
 * address space: POINTS cut it into elementary intervals (leaf J is
 * [points[J], points[J + 1]), the last one open-ended), and each selector
 * is listed at the O(log n) nodes that exactly cover its remote range, in
 * priority order. Time and memory to build are O(n log n) however the
 * ranges nest.
 */
struct sectun_spd_tree {
	u32 n_points;
	u32 size;			/* leaves: a power of two >= n_points */
	struct sectun_key *points;
	u32 *first;			/* node I lists cand[first[I]..first[I + 1]) */
	struct sectun_policy **cand;
};

/*
 * Below SPD_DIRECT_MAX selectors every change rebuilds the trees. Above,
 * up to SPD_EXTRA_MAX added selectors wait in a short list beside them
 * (checked after the trees) and one rebuild takes them all in, so loading
 * n selectors costs O(n^2 log n / SPD_EXTRA_MAX), not O(n^2 log n).
 */
#define SPD_DIRECT_MAX	256
#define SPD_EXTRA_MAX	32
/* Whatever max_selectors says: keeps the tree's u32 offsets far from wrapping. */
#define SPD_SELECTORS_CAP	BIT(20)

struct sectun_spd {
	struct rcu_head rcu;
	struct sectun_spd_tree tree[2];	/* [0] IPv4, [1] IPv6 */
	/* The trees pass from table to table; the newest one frees them. */
	bool owns_trees;
	u32 n_extra;
	struct sectun_policy *extra[SPD_EXTRA_MAX];	/* in priority order */
};

/* Bounds the memory and the RTNL time one tunnel's selectors can take. */
static unsigned int max_selectors = 10000;
module_param(max_selectors, uint, 0644);
MODULE_PARM_DESC(max_selectors, "Selectors one tunnel may have (default 10000)");

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
		f->later_fragment = !!(iph->frag_off & htons(IP_OFFSET));
		if (!f->later_fragment)
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
		f->later_fragment = !!(frag & htons(IP6_OFFSET));
		if (noff >= 0 && !f->later_fragment)
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
	/*
	 * A later fragment has no ports: OPAQUE (RFC 4301 4.4.1), which
	 * sectun lets a port range match, without fragment state (see
	 * Documentation/decisions.rst). It cannot change the ports of the
	 * datagram it joins: those came in the first fragment, and
	 * reassembly drops overlapping fragments (RFC 5722).
	 */
	if (f->later_fragment)
		return true;
	return f->has_ports &&
	       f->lport >= sel->lport_min && f->lport <= sel->lport_max &&
	       f->rport >= sel->rport_min && f->rport <= sel->rport_max;
}

bool sectun_spd_active(struct sectun_dev *sd)
{
	return !!rcu_access_pointer(sd->spd);
}

static int cmp_policies(const void *a, const void *b)
{
	const struct sectun_policy *pa = *(struct sectun_policy * const *)a;
	const struct sectun_policy *pb = *(struct sectun_policy * const *)b;

	if (pa->priority != pb->priority)
		return pa->priority < pb->priority ? -1 : 1;
	return pa->index < pb->index ? -1 : pa->index > pb->index;
}

/* The leaf of T holding KEY, or -1 when KEY is below every selector. */
static int spd_leaf(const struct sectun_spd_tree *t, const struct sectun_key *key)
{
	int lo = 0, hi = (int)t->n_points - 1;

	/* The last point at or below the key. */
	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;

		if (key_cmp(&t->points[mid], key) <= 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return hi;
}

/* Better than *BEST, the first of the N selectors in LIST that F matches. */
static void spd_best_of(struct sectun_policy *const *list, u32 n,
			const struct sectun_flow *f, struct sectun_policy **best)
{
	u32 i;

	for (i = 0; i < n; i++) {
		if (*best && cmp_policies(&list[i], best) >= 0)
			return;
		if (sectun_sel_match(&list[i]->sel, f)) {
			*best = list[i];
			return;
		}
	}
}

static struct sectun_policy *spd_lookup(const struct sectun_spd *spd,
					const struct sectun_flow *f)
{
	const struct sectun_spd_tree *t = &spd->tree[f->family == AF_INET6];
	struct sectun_policy *best = NULL;
	int leaf = spd_leaf(t, &f->remote);
	u32 node;

	/* Each list is in priority order: its first match is its best. */
	for (node = leaf < 0 ? 0 : t->size + leaf; node; node >>= 1)
		spd_best_of(t->cand + t->first[node],
			    t->first[node + 1] - t->first[node], f, &best);
	spd_best_of(spd->extra, spd->n_extra, f, &best);
	return best;
}

struct sectun_policy *sectun_spd_lookup(struct sectun_dev *sd,
					const struct sectun_flow *f)
{
	const struct sectun_spd *spd = rcu_dereference(sd->spd);
	struct sectun_flow portless;
	struct sectun_policy *pol;

	if (!spd)
		return NULL;
	if (!f->later_fragment)
		return spd_lookup(spd, f);
	/*
	 * A later fragment goes on a selector without ports if one takes it
	 * (where its datagram's first fragment would have gone, unless that
	 * one took a port-restricted selector); only if none does are its
	 * ports OPAQUE to port-restricted ones (sectun_sel_match()).
	 */
	portless = *f;
	portless.later_fragment = false;
	pol = spd_lookup(spd, &portless);
	return pol ?: spd_lookup(spd, f);
}

/* ---- Compiling the lookup table (under RTNL) ---------------------------- */

static int cmp_keys(const void *a, const void *b)
{
	return key_cmp(a, b);
}

static void spd_tree_free(struct sectun_spd_tree *t)
{
	kvfree(t->points);
	kvfree(t->first);
	kvfree(t->cand);
}

static void sectun_spd_free(struct sectun_spd *spd)
{
	if (!spd)
		return;
	if (spd->owns_trees) {
		spd_tree_free(&spd->tree[0]);
		spd_tree_free(&spd->tree[1]);
	}
	kfree(spd);
}

static void sectun_spd_free_rcu(struct rcu_head *rcu)
{
	sectun_spd_free(container_of(rcu, struct sectun_spd, rcu));
}

/* *AFTER = the address after SEL's remote range; false at the top of IPv6. */
static bool sel_remote_after(const struct sectun_sel *sel,
			     struct sectun_key *after)
{
	*after = sel->remote_end;
	return !(++after->lo == 0 && ++after->hi == 0);
}

/* The leaves [*FROM, *TO] that SEL's remote range covers. */
static void spd_leaves(const struct sectun_spd_tree *t,
		       const struct sectun_sel *sel, u32 *from, u32 *to)
{
	struct sectun_key after;

	*from = spd_leaf(t, &sel->remote_start);
	/* Up to the leaf before the range's end + 1, or the last one. */
	if (sel_remote_after(sel, &after))
		*to = spd_leaf(t, &after) - 1;
	else
		*to = t->n_points - 1;
}

/*
 * Visit the nodes exactly covering leaves [FROM, TO]: count them into
 * FIRST (COUNT) or list POL there (!COUNT, FIRST as cursors).
 */
static void spd_cover(struct sectun_spd_tree *t, u32 from, u32 to,
		      struct sectun_policy *pol, bool count)
{
	u32 l = from + t->size, r = to + t->size + 1;

	for (; l < r; l >>= 1, r >>= 1) {
		if (l & 1) {
			if (count)
				t->first[l + 1]++;
			else
				t->cand[t->first[l]++] = pol;
			l++;
		}
		if (r & 1) {
			r--;
			if (count)
				t->first[r + 1]++;
			else
				t->cand[t->first[r]++] = pol;
		}
	}
}

/* Build T from the N selectors of one family in POLS, in priority order. */
static int spd_build_tree(struct sectun_spd_tree *t, struct sectun_policy **pols,
			  u32 n)
{
	u32 n_nodes, total, i, from, to;

	if (!n)
		return 0;
	t->points = kvmalloc_array(2 * n, sizeof(*t->points), GFP_KERNEL_ACCOUNT);
	if (!t->points)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct sectun_key after;

		t->points[t->n_points++] = pols[i]->sel.remote_start;
		if (sel_remote_after(&pols[i]->sel, &after))
			t->points[t->n_points++] = after;
	}
	sort(t->points, t->n_points, sizeof(*t->points), cmp_keys, NULL);
	for (i = 1, total = 1; i < t->n_points; i++)
		if (key_cmp(&t->points[i], &t->points[total - 1]))
			t->points[total++] = t->points[i];
	t->n_points = total;
	t->size = roundup_pow_of_two(t->n_points);
	n_nodes = 2 * t->size;
	t->first = kvcalloc(n_nodes + 1, sizeof(*t->first), GFP_KERNEL_ACCOUNT);
	if (!t->first)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		spd_leaves(t, &pols[i]->sel, &from, &to);
		spd_cover(t, from, to, NULL, true);
	}
	for (i = 0; i < n_nodes; i++)
		t->first[i + 1] += t->first[i];
	t->cand = kvmalloc_array(t->first[n_nodes] ?: 1, sizeof(*t->cand),
				 GFP_KERNEL_ACCOUNT);
	if (!t->cand)
		return -ENOMEM;
	/* Fill in priority order; each cursor ends where the next list starts. */
	for (i = 0; i < n; i++) {
		spd_leaves(t, &pols[i]->sel, &from, &to);
		spd_cover(t, from, to, pols[i], false);
	}
	memmove(t->first + 1, t->first, n_nodes * sizeof(*t->first));
	t->first[0] = 0;
	return 0;
}

/* Recompile and publish the lookup table: the xarray's selectors but SKIP. */
static int sectun_spd_rebuild(struct sectun_dev *sd,
			      const struct sectun_policy *skip)
{
	struct sectun_policy **pols = NULL;
	struct sectun_spd *spd = NULL, *old;
	struct sectun_policy *pol;
	u32 n = 0, n4 = 0, i;
	unsigned long index;
	int err = -ENOMEM;

	xa_for_each(&sd->policies, index, pol)
		n += pol != skip;
	if (!n) {
		old = rcu_replace_pointer(sd->spd, NULL, lockdep_rtnl_is_held());
		goto out_old;
	}
	pols = kvmalloc_array(n, sizeof(*pols), GFP_KERNEL_ACCOUNT);
	spd = kzalloc(sizeof(*spd), GFP_KERNEL_ACCOUNT);
	if (!pols || !spd)
		goto out;
	spd->owns_trees = true;
	/* IPv4 first, then IPv6, each in priority order. */
	xa_for_each(&sd->policies, index, pol)
		if (pol != skip && pol->sel.family == AF_INET)
			pols[n4++] = pol;
	i = n4;
	xa_for_each(&sd->policies, index, pol)
		if (pol != skip && pol->sel.family == AF_INET6)
			pols[i++] = pol;
	sort(pols, n4, sizeof(*pols), cmp_policies, NULL);
	sort(pols + n4, n - n4, sizeof(*pols), cmp_policies, NULL);

	err = spd_build_tree(&spd->tree[0], pols, n4);
	if (!err)
		err = spd_build_tree(&spd->tree[1], pols + n4, n - n4);
	if (err)
		goto out;
	old = rcu_replace_pointer(sd->spd, spd, lockdep_rtnl_is_held());
	spd = NULL;
	kvfree(pols);
out_old:
	if (old)
		call_rcu(&old->rcu, sectun_spd_free_rcu);
	return 0;
out:
	kvfree(pols);
	sectun_spd_free(spd);
	return err;
}

/*
 * Publish a copy of the table with POL added to (ADD) or taken from its
 * extra list, sharing the trees. -EAGAIN: rebuild instead.
 */
static int spd_change_extra(struct sectun_dev *sd, struct sectun_policy *pol,
			    bool add)
{
	struct sectun_spd *old = rtnl_dereference(sd->spd), *spd;
	u32 i, j;

	if (!old || (add && (sd->n_policies < SPD_DIRECT_MAX ||
			     old->n_extra == SPD_EXTRA_MAX)))
		return -EAGAIN;
	for (i = 0; !add && i < old->n_extra && old->extra[i] != pol; i++)
		;
	if (!add && i == old->n_extra)
		return -EAGAIN;		/* in the trees */
	spd = kmemdup(old, sizeof(*old), GFP_KERNEL_ACCOUNT);
	if (!spd)
		return -ENOMEM;
	if (add) {
		for (i = 0; i < spd->n_extra &&
		     cmp_policies(&spd->extra[i], &pol) < 0; i++)
			;
		for (j = spd->n_extra; j > i; j--)
			spd->extra[j] = spd->extra[j - 1];
		spd->extra[i] = pol;
		spd->n_extra++;
	} else {
		spd->n_extra--;
		for (j = i; j < spd->n_extra; j++)
			spd->extra[j] = spd->extra[j + 1];
	}
	old->owns_trees = false;
	rcu_assign_pointer(sd->spd, spd);
	call_rcu(&old->rcu, sectun_spd_free_rcu);
	return 0;
}

/*
 * Publish the table with POL, just put in the xarray (ADD), or without
 * POL, still there (!ADD).
 */
static int spd_update(struct sectun_dev *sd, struct sectun_policy *pol,
		      bool add)
{
	int err = spd_change_extra(sd, pol, add);

	return err == -EAGAIN ? sectun_spd_rebuild(sd, add ? NULL : pol) : err;
}

int sectun_policy_add(struct sectun_dev *sd, struct sectun_policy *pol,
		      struct netlink_ext_ack *extack)
{
	int err;

	ASSERT_RTNL();
	if (sd->n_policies >= min(READ_ONCE(max_selectors), SPD_SELECTORS_CAP)) {
		NL_SET_ERR_MSG(extack,
			       "the tunnel has as many selectors as the max_selectors module parameter allows");
		return -ENOSPC;
	}
	if (pol->index) {
		err = xa_insert(&sd->policies, pol->index, pol, GFP_KERNEL_ACCOUNT);
		if (err == -EBUSY) {
			NL_SET_ERR_MSG(extack, "a selector with this index exists");
			return -EEXIST;
		}
	} else {
		err = xa_alloc(&sd->policies, &pol->index, pol,
			       XA_LIMIT(1, U32_MAX), GFP_KERNEL_ACCOUNT);
	}
	if (err)
		return err;
	if (!pol->priority)
		pol->priority = pol->index;
	pol->last_acquire = jiffies - HZ;
	err = spd_update(sd, pol, true);
	if (err) {
		xa_erase(&sd->policies, pol->index);
		return err;
	}
	sd->n_policies++;
	return 0;
}

struct sectun_policy *sectun_policy_find(struct sectun_dev *sd, u32 index)
{
	return xa_load(&sd->policies, index);
}

/*
 * The SAs serving a selector go with it, even those serving others too:
 * the peer agreed on the whole set, and a child SA is replaced whole.
 */
static void sectun_policy_drop_sas(struct sectun_dev *sd,
				   struct sectun_policy *pol)
{
	struct sectun_sa *sa;
	unsigned long index;

	if (!pol->n_sas)
		return;
	xa_for_each(&sd->sas, index, sa) {
		if (sectun_sa_serves(sa, pol->index))
			sectun_sa_unlink(sa, SECTUN_EXPIRE_USER);
		cond_resched();
	}
}

/*
 * Out of a newly published lookup table (if that fails, nothing changed),
 * then out of the xarray, and only freed after a grace period: packets
 * may still hold it from the old table until then.
 */
int sectun_policy_del(struct sectun_dev *sd, struct sectun_policy *pol)
{
	int err;

	ASSERT_RTNL();
	err = spd_update(sd, pol, false);
	if (err)
		return err;
	xa_erase(&sd->policies, pol->index);
	sd->n_policies--;
	sectun_policy_drop_sas(sd, pol);
	kfree_rcu(pol, rcu);
	return 0;
}

void sectun_policy_flush(struct sectun_dev *sd)
{
	struct sectun_policy *pol;
	struct sectun_spd *old;
	struct sectun_sa *sa;
	unsigned long index;

	ASSERT_RTNL();
	/* Unpublish the table first; then no new lookup can find them. */
	old = rcu_replace_pointer(sd->spd, NULL, lockdep_rtnl_is_held());
	if (old)
		call_rcu(&old->rcu, sectun_spd_free_rcu);
	/* Every SA bound to a selector goes: one pass, not one per selector. */
	xa_for_each(&sd->sas, index, sa) {
		if (sa->n_sels)
			sectun_sa_unlink(sa, SECTUN_EXPIRE_USER);
		cond_resched();
	}
	xa_for_each(&sd->policies, index, pol) {
		xa_erase(&sd->policies, index);
		kfree_rcu(pol, rcu);
	}
	sd->n_policies = 0;
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
