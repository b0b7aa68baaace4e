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

const char *format_hex(const void *data, size_t n, char *buf, size_t len)
{
	const uint8_t *p = data;
	size_t i;

	if (!len)
		return buf;
	buf[0] = 0;
	for (i = 0; i < n && 2 * i + 2 < len; i++)
		snprintf(buf + 2 * i, len - 2 * i, "%02x", p[i]);
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

static unsigned int addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

/* START..END as a prefix length, or -1 when it is not one. */
static int range_prefix(const struct inet_range *r)
{
	const uint8_t *s = (const uint8_t *)&r->start, *e = (const uint8_t *)&r->end;
	unsigned int n = addr_len(r->family), i, bit;
	int plen = -1;

	for (i = 0; i < n * 8; i++) {
		bit = 0x80 >> (i % 8);
		if ((s[i / 8] & bit) == (e[i / 8] & bit)) {
			if (plen >= 0)
				return -1;	/* fixed bit after a free one */
			continue;
		}
		if (plen < 0)
			plen = i;
		if ((s[i / 8] & bit) || !(e[i / 8] & bit))
			return -1;		/* not 0 in start and 1 in end */
	}
	return plen < 0 ? (int)n * 8 : plen;
}

int parse_range(const char *s, struct inet_range *r)
{
	char buf[2 * INET6_ADDRSTRLEN + 8], *sep;
	struct inet_range t;
	uint32_t plen;
	unsigned int i, n;
	int fam2;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	memset(&t, 0, sizeof(t));
	if ((sep = strchr(buf, '/'))) {
		*sep++ = 0;
		if (parse_ip(buf, &t.family, &t.start))
			return -EINVAL;
		n = addr_len(t.family);
		if (parse_u32(sep, 0, n * 8, &plen))
			return -EINVAL;
		t.end = t.start;
		for (i = 0; i < n * 8; i++) {
			uint8_t bit = 0x80 >> (i % 8);
			uint8_t *st = (uint8_t *)&t.start + i / 8;
			uint8_t *en = (uint8_t *)&t.end + i / 8;

			if (i < plen)
				continue;
			*st &= ~bit;
			*en |= bit;
		}
	} else if ((sep = strchr(buf, '-'))) {
		*sep++ = 0;
		if (parse_ip(buf, &t.family, &t.start) ||
		    parse_ip(sep, &fam2, &t.end) || fam2 != t.family ||
		    memcmp(&t.start, &t.end, addr_len(t.family)) > 0)
			return -EINVAL;
	} else {
		if (parse_ip(buf, &t.family, &t.start))
			return -EINVAL;
		t.end = t.start;
	}
	*r = t;
	return 0;
}

const char *format_range(const struct inet_range *r, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	int plen = range_prefix(r);

	format_ip(r->family, &r->start, a, sizeof(a));
	if (plen >= 0)
		snprintf(buf, len, "%s/%d", a, plen);
	else
		snprintf(buf, len, "%s-%s", a, format_ip(r->family, &r->end, b, sizeof(b)));
	return buf;
}

int parse_port_range(const char *s, uint16_t *min, uint16_t *max)
{
	char buf[16], *sep;
	uint32_t lo, hi;

	if (!strcmp(s, "any")) {
		*min = 0;
		*max = 65535;
		return 0;
	}
	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	if ((sep = strchr(buf, '-')))
		*sep++ = 0;
	if (parse_u32(buf, 0, 65535, &lo) ||
	    parse_u32(sep ? sep : buf, 0, 65535, &hi) || lo > hi)
		return -EINVAL;
	*min = lo;
	*max = hi;
	return 0;
}

int parse_ip_proto(const char *s, uint8_t *proto)
{
	static const struct { const char *name; uint8_t num; } names[] = {
		{ "any", 0 }, { "icmp", 1 }, { "tcp", 6 }, { "udp", 17 },
		{ "gre", 47 }, { "esp", 50 }, { "ah", 51 }, { "ipv6-icmp", 58 },
		{ "icmpv6", 58 }, { "sctp", 132 },
	};
	uint32_t n;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(s, names[i].name)) {
			*proto = names[i].num;
			return 0;
		}
	}
	if (parse_u32(s, 0, 255, &n))
		return -EINVAL;
	*proto = n;
	return 0;
}
