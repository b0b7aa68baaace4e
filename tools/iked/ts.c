// SPDX-License-Identifier: GPL-2.0
/*
 * Traffic selectors as ranges: narrowing is the intersection of address
 * ranges, port ranges and protocols, which is what a responder does with
 * the initiator's proposal (RFC 7296 2.9) and what an initiator checks the
 * answer against.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "ikev2/ikev2.h"
#include "parse.h"
#include "ts.h"

static size_t addr_len(const struct ike_ts *ts)
{
	return ts->type == IKE_TS_IPV4_ADDR_RANGE ? 4 : 16;
}

bool ike_ts_intersect(const struct ike_ts *a, const struct ike_ts *b, struct ike_ts *out)
{
	size_t n = addr_len(a);
	struct ike_ts r;

	if (a->type != b->type)
		return false;
	if (a->ip_proto && b->ip_proto && a->ip_proto != b->ip_proto)
		return false;
	memset(&r, 0, sizeof(r));
	r.type = a->type;
	r.ip_proto = a->ip_proto ? a->ip_proto : b->ip_proto;
	r.start_port = a->start_port > b->start_port ? a->start_port : b->start_port;
	r.end_port = a->end_port < b->end_port ? a->end_port : b->end_port;
	if (r.start_port > r.end_port)
		return false;
	/* Big-endian addresses compare as byte strings. */
	memcpy(r.start_addr, memcmp(a->start_addr, b->start_addr, n) > 0 ?
	       a->start_addr : b->start_addr, n);
	memcpy(r.end_addr, memcmp(a->end_addr, b->end_addr, n) < 0 ?
	       a->end_addr : b->end_addr, n);
	if (memcmp(r.start_addr, r.end_addr, n) > 0)
		return false;
	*out = r;
	return true;
}

bool ike_ts_within(const struct ike_ts *in, const struct ike_ts *outer)
{
	size_t n = addr_len(in);

	return in->type == outer->type &&
	       (!outer->ip_proto || in->ip_proto == outer->ip_proto) &&
	       in->start_port >= outer->start_port && in->end_port <= outer->end_port &&
	       memcmp(in->start_addr, outer->start_addr, n) >= 0 &&
	       memcmp(in->end_addr, outer->end_addr, n) <= 0;
}

bool ike_ts_equal(const struct ike_ts *a, const struct ike_ts *b)
{
	size_t alen = a->type == IKE_TS_IPV4_ADDR_RANGE ? 4 : 16;

	return a->type == b->type && a->ip_proto == b->ip_proto &&
	       a->start_port == b->start_port && a->end_port == b->end_port &&
	       !memcmp(a->start_addr, b->start_addr, alen) &&
	       !memcmp(a->end_addr, b->end_addr, alen);
}

bool ike_ts_is_any(const struct ike_ts *ts)
{
	static const uint8_t zero[16], ones[16] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	};
	size_t n = addr_len(ts);

	return !ts->ip_proto && ts->start_port == 0 && ts->end_port == 0xffff &&
	       !memcmp(ts->start_addr, zero, n) && !memcmp(ts->end_addr, ones, n);
}

const char *ike_ts_format(const struct ike_ts *ts, char *buf, size_t len)
{
	struct inet_range r;
	char a[96];
	int n;

	memset(&r, 0, sizeof(r));
	r.family = ts->type == IKE_TS_IPV4_ADDR_RANGE ? AF_INET : AF_INET6;
	memcpy(&r.start, ts->start_addr, addr_len(ts));
	memcpy(&r.end, ts->end_addr, addr_len(ts));
	format_range(&r, a, sizeof(a));
	n = snprintf(buf, len, "%s", a);
	if (ts->ip_proto && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - n, " proto %u", ts->ip_proto);
	if ((ts->start_port || ts->end_port != 0xffff) && n >= 0 && (size_t)n < len) {
		if (ts->start_port == ts->end_port)
			snprintf(buf + n, len - n, " port %u", ts->start_port);
		else
			snprintf(buf + n, len - n, " port %u-%u", ts->start_port,
				 ts->end_port);
	}
	return buf;
}

/* Adds X to OUT unless one there holds it; drops those X holds. */
static void set_add_widest(struct ike_ts_set *out, const struct ike_ts *x, unsigned int max)
{
	unsigned int i, kept = 0;

	for (i = 0; i < out->n; i++)
		if (ike_ts_within(x, &out->ts[i]))
			return;
	for (i = 0; i < out->n; i++)
		if (!ike_ts_within(&out->ts[i], x))
			out->ts[kept++] = out->ts[i];
	out->n = kept;
	if (out->n < max)
		out->ts[out->n++] = *x;
}

bool ike_ts_set_narrow(const struct ike_ts_set *offered, const struct ike_ts_set *mine,
		       unsigned int max, struct ike_ts_set *out)
{
	unsigned int i, j;
	struct ike_ts x;

	if (max > IKE_CHILD_MAX_TS)
		max = IKE_CHILD_MAX_TS;
	memset(out, 0, sizeof(*out));
	for (i = 0; i < offered->n; i++)
		for (j = 0; j < mine->n; j++)
			if (ike_ts_intersect(&offered->ts[i], &mine->ts[j], &x))
				set_add_widest(out, &x, max);
	return out->n > 0;
}

bool ike_ts_set_meets_first(const struct ike_ts_set *offered, const struct ike_ts_set *mine)
{
	struct ike_ts x;
	unsigned int j;

	for (j = 0; offered->n && j < mine->n; j++)
		if (ike_ts_intersect(&offered->ts[0], &mine->ts[j], &x))
			return true;
	return false;
}

/* Every selector of A stands in relation REL (inside, equal) to one of B. */
static bool set_each_in(const struct ike_ts_set *a, const struct ike_ts_set *b,
			bool (*rel)(const struct ike_ts *, const struct ike_ts *))
{
	unsigned int i, j;

	for (i = 0; i < a->n; i++) {
		for (j = 0; j < b->n && !rel(&a->ts[i], &b->ts[j]); j++)
			;
		if (j == b->n)
			return false;
	}
	return true;
}

bool ike_ts_set_within(const struct ike_ts_set *in, const struct ike_ts_set *outer)
{
	return set_each_in(in, outer, ike_ts_within);
}

bool ike_ts_set_equal(const struct ike_ts_set *a, const struct ike_ts_set *b)
{
	return a->n == b->n && set_each_in(a, b, ike_ts_equal) && set_each_in(b, a, ike_ts_equal);
}

bool ike_ts_set_is_any(const struct ike_ts_set *set)
{
	unsigned int i;

	for (i = 0; i < set->n; i++)
		if (!ike_ts_is_any(&set->ts[i]))
			return false;
	return set->n > 0;
}

const char *ike_ts_set_format(const struct ike_ts_set *set, char *buf, size_t len)
{
	size_t used = 0;
	unsigned int i;
	char one[96];

	if (len)
		buf[0] = 0;
	for (i = 0; i < set->n && used < len; i++) {
		int n = snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
				 ike_ts_format(&set->ts[i], one, sizeof(one)));

		if (n < 0)
			break;
		used += n;
	}
	return buf;
}

unsigned int ike_ts_pairs(const struct ike_ts_set *local, const struct ike_ts_set *remote,
			  struct ike_ts_pair *out, unsigned int max)
{
	unsigned int i, j, n = 0;

	for (i = 0; i < local->n; i++) {
		for (j = 0; j < remote->n; j++) {
			const struct ike_ts *l = &local->ts[i], *r = &remote->ts[j];
			uint8_t proto = l->ip_proto ? l->ip_proto : r->ip_proto;

			if (l->type != r->type ||
			    (l->ip_proto && r->ip_proto && l->ip_proto != r->ip_proto))
				continue;
			if (n < max) {
				out[n].local = *l;
				out[n].remote = *r;
				out[n].local.ip_proto = out[n].remote.ip_proto = proto;
			}
			n++;
		}
	}
	return n;
}
