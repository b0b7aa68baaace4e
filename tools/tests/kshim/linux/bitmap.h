/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KSHIM_BITMAP_H
#define KSHIM_BITMAP_H
#include <linux/types.h>

static inline bool test_bit(unsigned long nr, const unsigned long *map)
{
	return map[nr / BITS_PER_LONG] >> (nr % BITS_PER_LONG) & 1;
}

static inline void __set_bit(unsigned long nr, unsigned long *map)
{
	map[nr / BITS_PER_LONG] |= 1UL << (nr % BITS_PER_LONG);
}

static inline bool __test_and_set_bit(unsigned long nr, unsigned long *map)
{
	bool old = test_bit(nr, map);

	__set_bit(nr, map);
	return old;
}

static inline void __bitmap_clear(unsigned long *map, unsigned int start,
				  unsigned int n)
{
	for (; n; n--, start++)
		map[start / BITS_PER_LONG] &= ~(1UL << (start % BITS_PER_LONG));
}

static inline void bitmap_zero(unsigned long *map, unsigned int bits)
{
	memset(map, 0, BITS_TO_LONGS(bits) * sizeof(long));
}
#endif
