/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Traffic selectors as the CLI reads and prints them.
 */
#ifndef SECTUN_CLI_POLICY_H
#define SECTUN_CLI_POLICY_H

#include <stdbool.h>
#include <stdint.h>
#include <netlink/attr.h>

#include "json.h"
#include "parse.h"

struct policy_info {
	uint32_t index, priority;
	struct inet_range local, remote;
	uint8_t proto;
	uint16_t lmin, lmax, rmin, rmax;
	bool has_sa;
	uint32_t out_spi;
	uint64_t packets, acquires;
};

/* A SECTUN_A_POLICY or SECTUN_A_FLOW nest (same attributes). */
void policy_parse(struct nlattr *nest, struct policy_info *p);
const char *policy_selector_text(const struct policy_info *p, char *buf,
				 size_t len);
void policy_json(struct json *j, const struct policy_info *p);

#endif
