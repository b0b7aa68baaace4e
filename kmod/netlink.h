/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SECTUN_NETLINK_H
#define _SECTUN_NETLINK_H

#include <net/genetlink.h>

struct sectun_dev;

struct sectun_dev *sectun_nl_lookup(struct genl_info *info);

int sectun_genl_init(void);
void sectun_genl_uninit(void);

#endif /* _SECTUN_NETLINK_H */
