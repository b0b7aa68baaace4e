/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Names the tools print and accept for the netlink ABI's enumerations.
 */
#ifndef SECTUN_TOOLS_NAMES_H
#define SECTUN_TOOLS_NAMES_H

#include <linux/sectun.h>

/* Indexed by the enum; NULL-terminated so parse_keyword() can take them. */
extern const char *const sectun_df_names[];
extern const char *const sectun_encap_names[];
extern const char *const sectun_parallel_names[];

struct sectun_stat_name {
	int id;			/* enum sectun_stat_attr */
	const char *key;	/* JSON key */
	const char *label;	/* what a Junos admin reads */
};

extern const struct sectun_stat_name sectun_stat_names[];
extern const int sectun_stat_count;

#endif
