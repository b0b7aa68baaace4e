/* SPDX-License-Identifier: GPL-2.0 */
/* Test vectors written in hex, for the cmocka unit tests. */
#ifndef SECTUN_TESTS_HEX_H
#define SECTUN_TESTS_HEX_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* @s (an even number of hex digits) into @out, at most @cap bytes: how many. */
static inline size_t unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = strlen(s) / 2, i;
	unsigned int b;

	assert_true(n <= cap);
	for (i = 0; i < n; i++) {
		assert_int_equal(sscanf(s + 2 * i, "%2x", &b), 1);
		out[i] = (uint8_t)b;
	}
	return n;
}

#endif
