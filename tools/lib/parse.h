/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Parsers for command-line and config values, shared by the tools.
 * Each returns 0 on success and -EINVAL on bad input, leaving *out alone.
 */
#ifndef SECTUN_TOOLS_PARSE_H
#define SECTUN_TOOLS_PARSE_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

union inet_addr {
	struct in_addr v4;
	struct in6_addr v6;
};

int parse_ip(const char *s, int *family, union inet_addr *addr);
int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);
int parse_u64(const char *s, uint64_t *out);
int parse_onoff(const char *s, bool *out);
/* Index of S in the NULL-terminated NAMES, or -EINVAL. */
int parse_keyword(const char *s, const char *const *names);

/* "192.0.2.1" or "2001:db8::1" into BUF (INET6_ADDRSTRLEN). */
const char *format_ip(int family, const void *addr, char *buf, size_t len);
/* 1536 -> "1.50 KiB" */
const char *format_bytes(uint64_t bytes, char *buf, size_t len);

#endif
