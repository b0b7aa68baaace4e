/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KSHIM_LOG2_H
#define KSHIM_LOG2_H
#include <linux/types.h>
static inline unsigned long roundup_pow_of_two(unsigned long n)
{
	unsigned long p = 1;

	while (p < n)
		p <<= 1;
	return p;
}
#endif
