/* SPDX-License-Identifier: GPL-2.0 */
/* Traffic selectors: narrowing (RFC 7296 2.9), containment, printing. */
#ifndef SECTUN_IKED_TS_H
#define SECTUN_IKED_TS_H

#include <stdbool.h>
#include <stddef.h>

#include "types.h"

/* The overlap of A and B into OUT; false when there is none. */
bool ike_ts_intersect(const struct ike_ts *a, const struct ike_ts *b, struct ike_ts *out);
/* Every packet IN matches also matches OUTER. */
bool ike_ts_within(const struct ike_ts *in, const struct ike_ts *outer);
/* The same selector. */
bool ike_ts_equal(const struct ike_ts *a, const struct ike_ts *b);
/* A whole address family, any protocol, any port. */
bool ike_ts_is_any(const struct ike_ts *ts);
/* "192.168.1.0/24", "10.0.0.1-10.0.0.9 tcp 80" */
const char *ike_ts_format(const struct ike_ts *ts, char *buf, size_t len);

/*
 * A child SA's side may hold several selectors (TSi or TSr): the child
 * covers every pair of ours and theirs (RFC 7296 2.9), and the module
 * gives one SA at most 64 selectors, so a side holds at most 8.
 */
#define IKE_CHILD_MAX_TS	8
#define IKE_CHILD_MAX_PAIRS	(IKE_CHILD_MAX_TS * IKE_CHILD_MAX_TS)

/*
 * One side narrowed (RFC 7296 2.9): every non-empty overlap of OFFERED
 * with MINE, in the offer's order, none inside another, at most MAX (no
 * more than IKE_CHILD_MAX_TS). False when there is none.
 */
bool ike_ts_set_narrow(const struct ike_ts_set *offered, const struct ike_ts_set *mine,
		       unsigned int max, struct ike_ts_set *out);
/* OFFERED's first selector, an initiator's packet (RFC 7296 2.9), meets MINE. */
bool ike_ts_set_meets_first(const struct ike_ts_set *offered, const struct ike_ts_set *mine);
/* Every selector of IN lies inside one of OUTER. */
bool ike_ts_set_within(const struct ike_ts_set *in, const struct ike_ts_set *outer);
/* The same selectors, in any order. */
bool ike_ts_set_equal(const struct ike_ts_set *a, const struct ike_ts_set *b);
/* Not empty, and each selector a whole family, any protocol and port. */
bool ike_ts_set_is_any(const struct ike_ts_set *set);
/* "192.168.1.0/24, 192.168.2.0/24" */
const char *ike_ts_set_format(const struct ike_ts_set *set, char *buf, size_t len);

/* A selector of the module: our side and the peer's, one protocol for both. */
struct ike_ts_pair {
	struct ike_ts local, remote;
};

/*
 * The module's selectors for a child of LOCAL and REMOTE: every pair of one
 * family whose protocols agree. Returns how many there are; OUT gets the
 * first MAX.
 */
unsigned int ike_ts_pairs(const struct ike_ts_set *local, const struct ike_ts_set *remote,
			  struct ike_ts_pair *out, unsigned int max);

#endif
