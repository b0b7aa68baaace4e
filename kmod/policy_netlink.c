// SPDX-License-Identifier: GPL-2.0
/*
 * Selector commands of the sectun family: add, delete, get/dump, flush;
 * and the encoding of selectors and flows for replies and events.
 */
#include <linux/rtnetlink.h>
#include <net/genetlink.h>

#include "device.h"
#include "netlink.h"
#include "policy.h"
#include "sa.h"

const struct nla_policy sectun_policy_policy[SECTUN_POL_A_MAX + 1] = {
	[SECTUN_POL_A_INDEX]		= NLA_POLICY_MIN(NLA_U32, 1),
	[SECTUN_POL_A_PRIORITY]		= { .type = NLA_U32 },
	[SECTUN_POL_A_LOCAL_START]	= NLA_POLICY_MIN_LEN(4),
	[SECTUN_POL_A_LOCAL_END]	= NLA_POLICY_MIN_LEN(4),
	[SECTUN_POL_A_REMOTE_START]	= NLA_POLICY_MIN_LEN(4),
	[SECTUN_POL_A_REMOTE_END]	= NLA_POLICY_MIN_LEN(4),
	[SECTUN_POL_A_PROTO]		= { .type = NLA_U8 },
	[SECTUN_POL_A_LOCAL_PORT_MIN]	= { .type = NLA_U16 },
	[SECTUN_POL_A_LOCAL_PORT_MAX]	= { .type = NLA_U16 },
	[SECTUN_POL_A_REMOTE_PORT_MIN]	= { .type = NLA_U16 },
	[SECTUN_POL_A_REMOTE_PORT_MAX]	= { .type = NLA_U16 },
	[SECTUN_POL_A_OUT_SPI]		= SECTUN_NLA_READ_ONLY,
	[SECTUN_POL_A_PACKETS]		= SECTUN_NLA_READ_ONLY,
	[SECTUN_POL_A_ACQUIRES]		= SECTUN_NLA_READ_ONLY,
};

static int put_range(struct sk_buff *skb, int a_start, int a_end, int family,
		     const struct sectun_key *start, const struct sectun_key *end)
{
	u8 addr[16];
	int len = family == AF_INET ? 4 : 16;

	sectun_key_to_addr(start, family, addr);
	if (nla_put(skb, a_start, len, addr))
		return -EMSGSIZE;
	sectun_key_to_addr(end, family, addr);
	return nla_put(skb, a_end, len, addr);
}

static int put_sel(struct sk_buff *skb, const struct sectun_sel *s)
{
	if (put_range(skb, SECTUN_POL_A_LOCAL_START, SECTUN_POL_A_LOCAL_END,
		      s->family, &s->local_start, &s->local_end) ||
	    put_range(skb, SECTUN_POL_A_REMOTE_START, SECTUN_POL_A_REMOTE_END,
		      s->family, &s->remote_start, &s->remote_end) ||
	    nla_put_u8(skb, SECTUN_POL_A_PROTO, s->proto) ||
	    nla_put_u16(skb, SECTUN_POL_A_LOCAL_PORT_MIN, s->lport_min) ||
	    nla_put_u16(skb, SECTUN_POL_A_LOCAL_PORT_MAX, s->lport_max) ||
	    nla_put_u16(skb, SECTUN_POL_A_REMOTE_PORT_MIN, s->rport_min) ||
	    nla_put_u16(skb, SECTUN_POL_A_REMOTE_PORT_MAX, s->rport_max))
		return -EMSGSIZE;
	return 0;
}

/* Under RTNL or RCU. */
int sectun_nl_put_policy(struct sk_buff *skb, struct sectun_policy *pol)
{
	struct nlattr *nest = nla_nest_start(skb, SECTUN_A_POLICY);
	struct sectun_sa *sa;

	if (!nest)
		return -EMSGSIZE;
	sa = rcu_dereference_rtnl(pol->out_sa);
	if (nla_put_u32(skb, SECTUN_POL_A_INDEX, pol->index) ||
	    nla_put_u32(skb, SECTUN_POL_A_PRIORITY, pol->priority) ||
	    put_sel(skb, &pol->sel) ||
	    (sa && nla_put_u32(skb, SECTUN_POL_A_OUT_SPI, sa->spi)) ||
	    nla_put_u64_64bit(skb, SECTUN_POL_A_PACKETS,
			      atomic64_read(&pol->packets), SECTUN_POL_A_PAD) ||
	    nla_put_u64_64bit(skb, SECTUN_POL_A_ACQUIRES,
			      atomic64_read(&pol->acquires), SECTUN_POL_A_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* A packet's flow, as a selector of single addresses and ports. */
int sectun_nl_put_flow(struct sk_buff *skb, const struct sectun_flow *f)
{
	struct nlattr *nest = nla_nest_start(skb, SECTUN_A_FLOW);
	struct sectun_sel s = {
		.family = f->family, .proto = f->proto,
		.local_start = f->local, .local_end = f->local,
		.remote_start = f->remote, .remote_end = f->remote,
		.lport_min = f->has_ports ? f->lport : 0,
		.lport_max = f->has_ports ? f->lport : 0xffff,
		.rport_min = f->has_ports ? f->rport : 0,
		.rport_max = f->has_ports ? f->rport : 0xffff,
	};

	if (!nest)
		return -EMSGSIZE;
	if (put_sel(skb, &s)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* An address range from START (required) and END (default: START). */
static int get_range(struct genl_info *info, struct nlattr **tb, int a_start,
		     int a_end, int *family, struct sectun_key *start,
		     struct sectun_key *end)
{
	struct nlattr *s = tb[a_start], *e = tb[a_end] ?: tb[a_start];
	int fam;

	if (!s) {
		NL_SET_ERR_MSG(info->extack,
			       "a selector needs local and remote addresses");
		NL_SET_ERR_ATTR_MISS(info->extack, info->attrs[SECTUN_A_POLICY],
				     a_start);
		return -EINVAL;
	}
	if ((nla_len(s) != 4 && nla_len(s) != 16) || nla_len(e) != nla_len(s)) {
		NL_SET_ERR_MSG_ATTR(info->extack, e,
				    "addresses are 4 or 16 bytes, one family per selector");
		return -EINVAL;
	}
	fam = nla_len(s) == 4 ? AF_INET : AF_INET6;
	if (*family && *family != fam) {
		NL_SET_ERR_MSG_ATTR(info->extack, s,
				    "local and remote ranges must be of one family");
		return -EINVAL;
	}
	*family = fam;
	sectun_key_from_addr(start, fam, nla_data(s));
	sectun_key_from_addr(end, fam, nla_data(e));
	if (end->hi < start->hi || (end->hi == start->hi && end->lo < start->lo)) {
		NL_SET_ERR_MSG_ATTR(info->extack, e, "range ends before it starts");
		return -EINVAL;
	}
	return 0;
}

static int get_ports(struct genl_info *info, struct nlattr **tb, int a_min,
		     int a_max, u16 *min, u16 *max)
{
	*min = tb[a_min] ? nla_get_u16(tb[a_min]) : 0;
	*max = tb[a_max] ? nla_get_u16(tb[a_max]) : 0xffff;
	if (*min > *max) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[a_max] ?: tb[a_min],
				    "port range ends before it starts");
		return -EINVAL;
	}
	return 0;
}

static int parse_policy_nest(struct genl_info *info, struct nlattr **tb)
{
	if (!info->attrs[SECTUN_A_POLICY]) {
		NL_SET_ERR_MSG(info->extack, "selector missing: give SECTUN_A_POLICY");
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, SECTUN_A_POLICY);
		return -EINVAL;
	}
	return nla_parse_nested(tb, SECTUN_POL_A_MAX, info->attrs[SECTUN_A_POLICY],
				sectun_policy_policy, info->extack);
}

int sectun_nl_new_policy_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[SECTUN_POL_A_MAX + 1];
	struct sectun_policy *pol;
	struct sectun_sel *s;
	struct sectun_dev *sd;
	int family = 0, err;

	err = parse_policy_nest(info, tb);
	if (err)
		return err;
	pol = kzalloc(sizeof(*pol), GFP_KERNEL_ACCOUNT);
	if (!pol)
		return -ENOMEM;
	s = &pol->sel;
	err = get_range(info, tb, SECTUN_POL_A_LOCAL_START, SECTUN_POL_A_LOCAL_END,
			&family, &s->local_start, &s->local_end) ?:
	      get_range(info, tb, SECTUN_POL_A_REMOTE_START, SECTUN_POL_A_REMOTE_END,
			&family, &s->remote_start, &s->remote_end) ?:
	      get_ports(info, tb, SECTUN_POL_A_LOCAL_PORT_MIN,
			SECTUN_POL_A_LOCAL_PORT_MAX, &s->lport_min, &s->lport_max) ?:
	      get_ports(info, tb, SECTUN_POL_A_REMOTE_PORT_MIN,
			SECTUN_POL_A_REMOTE_PORT_MAX, &s->rport_min, &s->rport_max);
	if (err)
		goto err_free;
	s->family = family;
	if (tb[SECTUN_POL_A_PROTO])
		s->proto = nla_get_u8(tb[SECTUN_POL_A_PROTO]);
	if (tb[SECTUN_POL_A_INDEX])
		pol->index = nla_get_u32(tb[SECTUN_POL_A_INDEX]);
	if (tb[SECTUN_POL_A_PRIORITY])
		pol->priority = nla_get_u32(tb[SECTUN_POL_A_PRIORITY]);

	rtnl_lock();
	sd = sectun_nl_lookup(info);
	err = IS_ERR(sd) ? PTR_ERR(sd) : sectun_policy_add(sd, pol, info->extack);
	rtnl_unlock();
	if (err)
		goto err_free;
	return 0;
err_free:
	/* A failed add may have been visible to RCU readers for a moment. */
	kfree_rcu(pol, rcu);
	return err;
}

/* The selector named by SECTUN_POL_A_INDEX, under RTNL. */
static struct sectun_policy *find_policy(struct genl_info *info,
					 struct sectun_dev **sdp)
{
	struct nlattr *tb[SECTUN_POL_A_MAX + 1];
	struct sectun_policy *pol;
	struct sectun_dev *sd;
	int err;

	err = parse_policy_nest(info, tb);
	if (err)
		return ERR_PTR(err);
	if (!tb[SECTUN_POL_A_INDEX]) {
		NL_SET_ERR_MSG(info->extack, "name the selector by its index");
		NL_SET_ERR_ATTR_MISS(info->extack, info->attrs[SECTUN_A_POLICY],
				     SECTUN_POL_A_INDEX);
		return ERR_PTR(-EINVAL);
	}
	sd = sectun_nl_lookup(info);
	if (IS_ERR(sd))
		return ERR_CAST(sd);
	pol = sectun_policy_find(sd, nla_get_u32(tb[SECTUN_POL_A_INDEX]));
	if (!pol) {
		NL_SET_ERR_MSG(info->extack, "no selector with this index on the device");
		return ERR_PTR(-ENOENT);
	}
	*sdp = sd;
	return pol;
}

int sectun_nl_del_policy_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sectun_policy *pol;
	struct sectun_dev *sd;
	int err = 0;

	rtnl_lock();
	pol = find_policy(info, &sd);
	if (IS_ERR(pol))
		err = PTR_ERR(pol);
	else
		err = sectun_policy_del(sd, pol);
	rtnl_unlock();
	return err;
}

int sectun_nl_flush_policy_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sectun_dev *sd;
	int err = 0;

	rtnl_lock();
	sd = sectun_nl_lookup(info);
	if (IS_ERR(sd))
		err = PTR_ERR(sd);
	else
		sectun_policy_flush(sd);
	rtnl_unlock();
	return err;
}

static int fill_policy(struct sk_buff *skb, struct sectun_dev *sd,
		       struct sectun_policy *pol, u32 portid, u32 seq, int flags)
{
	void *hdr = genlmsg_put(skb, portid, seq, &sectun_genl_family, flags,
				SECTUN_CMD_GET_POLICY);

	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, SECTUN_A_IFINDEX, sd->dev->ifindex) ||
	    nla_put_string(skb, SECTUN_A_IFNAME, sd->dev->name) ||
	    sectun_nl_put_policy(skb, pol)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

int sectun_nl_get_policy_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sectun_policy *pol;
	struct sectun_dev *sd;
	struct sk_buff *msg;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	rtnl_lock();
	pol = find_policy(info, &sd);
	err = IS_ERR(pol) ? PTR_ERR(pol) :
	      fill_policy(msg, sd, pol, info->snd_portid, info->snd_seq, 0);
	rtnl_unlock();
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

static int dump_dev_policies(struct sk_buff *skb, struct netlink_callback *cb,
			     struct sectun_dev *sd, unsigned long *next)
{
	struct sectun_policy *pol;
	unsigned long index;
	int err;

	xa_for_each_start(&sd->policies, index, pol, *next) {
		err = fill_policy(skb, sd, pol, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, NLM_F_MULTI);
		if (err)
			return err;
		*next = index + 1;
	}
	return 0;
}

int sectun_nl_get_policy_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return sectun_nl_dump_devices(skb, cb, dump_dev_policies);
}
