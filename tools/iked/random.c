// SPDX-License-Identifier: GPL-2.0
/* getrandom(2), whole or nothing; a replaceable source for the fuzzers. */
#include <sys/random.h>

#include "random.h"

static int (*override)(void *buf, size_t len);

void ike_random_override(int (*fn)(void *buf, size_t len))
{
	override = fn;
}

int ike_random(void *buf, size_t len)
{
	unsigned char *p = buf;

	if (override)
		return override(buf, len);
	while (len) {
		ssize_t n = getrandom(p, len, 0);

		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}
