/* SPDX-License-Identifier: GPL-2.0 */
/* Moving the daemon to a new configuration, keeping what did not change. */
#ifndef SECTUN_IKED_RELOAD_H
#define SECTUN_IKED_RELOAD_H

#include "config.h"

struct iked_reload_stats {
	unsigned int ike_kept, ike_deleted;
	unsigned int children_kept, children_deleted;
};

/*
 * Every SA's gateway and VPN now point into TO; those whose gateway or
 * VPN changed are gone. FROM can be freed afterwards. 0, or -1 without
 * memory (nothing changed then).
 */
int iked_reconfigure(struct iked_config *from, struct iked_config *to,
		     struct iked_reload_stats *st);

#endif
