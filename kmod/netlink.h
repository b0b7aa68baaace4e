/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SECTUN_NETLINK_H
#define _SECTUN_NETLINK_H

int sectun_genl_init(void);
void sectun_genl_uninit(void);

#endif /* _SECTUN_NETLINK_H */
