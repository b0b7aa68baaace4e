/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SECTUN_NETLINK_H
#define _SECTUN_NETLINK_H

#include <net/genetlink.h>

struct sectun_dev;
struct sectun_sa;

/* Index of the "events" group in the family's group list. */
#define SECTUN_MCGRP_EVENTS_ID 0

extern struct genl_family sectun_genl_family;
extern const struct nla_policy sectun_sa_policy[SECTUN_SA_A_MAX + 1];

struct sectun_dev *sectun_nl_lookup(struct genl_info *info);

/* SA commands (sa_netlink.c). */
int sectun_nl_put_sa(struct sk_buff *skb, struct sectun_sa *sa, int expired,
		     u8 reason);
int sectun_nl_new_sa_doit(struct sk_buff *skb, struct genl_info *info);
int sectun_nl_del_sa_doit(struct sk_buff *skb, struct genl_info *info);
int sectun_nl_get_sa_doit(struct sk_buff *skb, struct genl_info *info);
int sectun_nl_get_sa_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int sectun_nl_set_sa_doit(struct sk_buff *skb, struct genl_info *info);
int sectun_nl_flush_sa_doit(struct sk_buff *skb, struct genl_info *info);

int sectun_genl_init(void);
void sectun_genl_uninit(void);

#endif /* _SECTUN_NETLINK_H */
