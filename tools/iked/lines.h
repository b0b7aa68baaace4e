/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for one-line descriptions in the log: a table from protocol
 * numbers to names, and appending to a fixed buffer without overrunning
 * it. Shared by the IKEv2 and ISAKMP message summaries.
 */
#ifndef SECTUN_IKED_LINES_H
#define SECTUN_IKED_LINES_H

#include <stddef.h>

struct ike_name {
	unsigned int num;
	const char *name;
};

#define IKE_NAMES_N(a) (sizeof(a) / sizeof((a)[0]))

/* The name of @num in @names (@n entries), or NULL. */
const char *ike_name_lookup(const struct ike_name *names, size_t n, unsigned int num);

/* snprintf() that appends and keeps @out terminated when it runs out. */
struct ike_line {
	char *out;
	size_t size, len;
};

__attribute__((format(printf, 2, 3)))
void ike_line_add(struct ike_line *l, const char *fmt, ...);

#endif
