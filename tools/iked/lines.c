// SPDX-License-Identifier: GPL-2.0
/* Name tables and bounded line building for log summaries (lines.h). */
#include <stdarg.h>
#include <stdio.h>

#include "lines.h"

const char *ike_name_lookup(const struct ike_name *names, size_t n, unsigned int num)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (names[i].num == num)
			return names[i].name;
	return NULL;
}

void ike_line_add(struct ike_line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->len + 1 >= l->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->out + l->len, l->size - l->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	l->len += (size_t)n < l->size - l->len ? (size_t)n : l->size - l->len - 1;
}
