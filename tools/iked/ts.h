/* SPDX-License-Identifier: GPL-2.0 */
/* Traffic selectors: narrowing (RFC 7296 2.9), containment, printing. */
#ifndef SECTUN_IKED_TS_H
#define SECTUN_IKED_TS_H

#include <stdbool.h>
#include <stddef.h>

#include "types.h"

/* The overlap of A and B into OUT; false when there is none. */
bool ike_ts_intersect(const struct ike_ts *a, const struct ike_ts *b, struct ike_ts *out);
/* The first non-empty overlap of any of OFFERED with MINE. */
bool ike_ts_narrow(const struct ike_ts_set *offered, const struct ike_ts *mine,
		   struct ike_ts *out);
/*
 * MINE narrowed around OFFERED's first selector, which an initiator asking
 * on behalf of a packet fills with that packet's addresses (RFC 7296
 * 2.9): the widest overlap of OFFERED with MINE that holds the first one's.
 * False when the first selector does not meet MINE.
 */
bool ike_ts_narrow_first(const struct ike_ts_set *offered, const struct ike_ts *mine,
			 struct ike_ts *out);
/* Every packet IN matches also matches OUTER. */
bool ike_ts_within(const struct ike_ts *in, const struct ike_ts *outer);
/* The same selector. */
bool ike_ts_equal(const struct ike_ts *a, const struct ike_ts *b);
/* A whole address family, any protocol, any port. */
bool ike_ts_is_any(const struct ike_ts *ts);
/* "192.168.1.0/24", "10.0.0.1-10.0.0.9 tcp 80" */
const char *ike_ts_format(const struct ike_ts *ts, char *buf, size_t len);

#endif
