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
/* Bytes as lowercase hex, as many whole bytes as fit in BUF. */
const char *format_hex(const void *data, size_t n, char *buf, size_t len);
/* 1536 -> "1.50 KiB" */
const char *format_bytes(uint64_t bytes, char *buf, size_t len);



/* An address range: "10.1.0.0/16", "10.1.0.5-10.1.0.9", "2001:db8::1". */
struct inet_range {
	int family;
	union inet_addr start, end;
};

int parse_range(const char *s, struct inet_range *r);
/* "80", "1024-65535" or "any". */
int parse_port_range(const char *s, uint16_t *min, uint16_t *max);
/* "tcp", "udp", "icmp", "ipv6-icmp", "any" or a number. */
int parse_ip_proto(const char *s, uint8_t *proto);
/* Back to the shortest text: prefix when it is one, else start-end. */
const char *format_range(const struct inet_range *r, char *buf, size_t len);
#endif
