/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SECTUN_NETLINK_H
#define _SECTUN_NETLINK_H

#include <net/genetlink.h>

struct sectun_dev;
struct sectun_sa;

/* Attributes a request may not carry: replies only. */
#define SECTUN_NLA_READ_ONLY						\
	{ .type = NLA_REJECT, .reject_message = "read-only attribute" }
#define SECTUN_NLA_COUNTERS						\
	{ .type = NLA_REJECT, .reject_message = "counters are read-only" }

/* Index of the "events" group in the family's group list. */
#define SECTUN_MCGRP_EVENTS_ID 0

extern struct genl_family sectun_genl_family;
extern const struct nla_policy sectun_sa_policy[SECTUN_SA_A_MAX + 1];
extern const struct nla_policy sectun_policy_policy[SECTUN_POL_A_MAX + 1];

struct sectun_policy;
struct sectun_flow;

typedef int (*sectun_dump_dev_fn)(struct sk_buff *skb,
				  struct netlink_callback *cb,
				  struct sectun_dev *sd, unsigned long *next);
int sectun_nl_dump_devices(struct sk_buff *skb, struct netlink_callback *cb,
			   sectun_dump_dev_fn dump_dev);

struct sectun_dev *sectun_nl_lookup(struct genl_info *info);
int sectun_nl_underlay_capable(struct sk_buff *skb, struct sectun_dev *sd,
			       struct genl_info *info);

/* SA commands (sa_netlink.c). */
int sectun_nl_put_sa(struct sk_buff *skb, struct sectun_sa *sa, int expired,
		     u8 reason);
int sectun_nl_new_sa_doit(struct sk_buff *skb, struct genl_info *info);
int sectun_nl_del_sa_doit(struct sk_buff *skb, struct genl_info *info);
int sectun_nl_get_sa_doit(struct sk_buff *skb, struct genl_info *info);
int sectun_nl_get_sa_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int sectun_nl_set_sa_doit(struct sk_buff *skb, struct genl_info *info);
int sectun_nl_flush_sa_doit(struct sk_buff *skb, struct genl_info *info);

/* Selector commands (policy_netlink.c). */
int sectun_nl_put_policy(struct sk_buff *skb, struct sectun_policy *pol);
int sectun_nl_put_flow(struct sk_buff *skb, const struct sectun_flow *f);
int sectun_nl_new_policy_doit(struct sk_buff *skb, struct genl_info *info);
int sectun_nl_del_policy_doit(struct sk_buff *skb, struct genl_info *info);
int sectun_nl_get_policy_doit(struct sk_buff *skb, struct genl_info *info);
int sectun_nl_get_policy_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int sectun_nl_flush_policy_doit(struct sk_buff *skb, struct genl_info *info);

int sectun_genl_init(void);
void sectun_genl_uninit(void);

#endif /* _SECTUN_NETLINK_H */
