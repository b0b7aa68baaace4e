// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "parse.h"

int parse_ip(const char *s, int *family, union inet_addr *addr)
{
	union inet_addr a;

	memset(&a, 0, sizeof(a));
	if (inet_pton(AF_INET, s, &a.v4) == 1) {
		*family = AF_INET;
	} else if (inet_pton(AF_INET6, s, &a.v6) == 1) {
		*family = AF_INET6;
	} else {
		return -EINVAL;
	}
	*addr = a;
	return 0;
}

int parse_u64(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	/* strtoull() would accept "-1" and leading blanks. */
	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t v;

	if (parse_u64(s, &v) || v < min || v > max)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

int parse_keyword(const char *s, const char *const *names)
{
	int i;

	for (i = 0; names[i]; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -EINVAL;
}

int parse_onoff(const char *s, bool *out)
{
	static const char *const names[] = { "off", "on", "no", "yes", NULL };
	int i = parse_keyword(s, names);

	if (i < 0)
		return i;
	*out = i & 1;
	return 0;
}

const char *format_ip(int family, const void *addr, char *buf, size_t len)
{
	if (!inet_ntop(family, addr, buf, len))
		snprintf(buf, len, "?");
	return buf;
}

const char *format_bytes(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB" };
	double v = (double)bytes;
	int u = -1;

	if (bytes < 1024) {
		snprintf(buf, len, "%" PRIu64 " B", bytes);
		return buf;
	}
	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, "%.2f %s", v, units[u]);
	return buf;
}
