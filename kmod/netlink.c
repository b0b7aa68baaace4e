// SPDX-License-Identifier: GPL-2.0
/*
 * The "sectun" generic-netlink family: tunnel parameters and counters.
 *
 * Locking: commands that change state hold RTNL for their whole run;
 * commands that only read run under RCU. Neither takes a device reference,
 * which is what lets device teardown free per-device state in ndo_uninit.
 */
#include <linux/if.h>
#include <linux/inetdevice.h>
#include <linux/rtnetlink.h>
#include <net/addrconf.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <uapi/linux/sectun.h>

#include "compat.h"
#include "device.h"
#include "netlink.h"
#include "sa.h"
#include "underlay.h"

static struct netlink_range_validation sectun_replay_range = {
	.max = SECTUN_MAX_REPLAY_WINDOW,
};

static const struct nla_policy sectun_policy[SECTUN_A_MAX + 1] = {
	[SECTUN_A_IFINDEX]		= NLA_POLICY_MIN(NLA_U32, 1),
	[SECTUN_A_IFNAME]		= { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[SECTUN_A_LOCAL_IPV4]		= NLA_POLICY_EXACT_LEN(sizeof(struct in_addr)),
	[SECTUN_A_LOCAL_IPV6]		= NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[SECTUN_A_REMOTE_IPV4]		= NLA_POLICY_EXACT_LEN(sizeof(struct in_addr)),
	[SECTUN_A_REMOTE_IPV6]		= NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[SECTUN_A_UNDERLAY_NETNS_FD]	= { .type = NLA_U32 },
	[SECTUN_A_UNDERLAY_NETNSID]	= NLA_POLICY_MIN(NLA_S32, 0),
	[SECTUN_A_ENCAP_TYPE]		= NLA_POLICY_MAX(NLA_U8, SECTUN_ENCAP_MAX),
	[SECTUN_A_ENCAP_LOCAL_PORT]	= NLA_POLICY_MIN(NLA_U16, 1),
	[SECTUN_A_ENCAP_REMOTE_PORT]	= NLA_POLICY_MIN(NLA_U16, 1),
	[SECTUN_A_DF_MODE]		= NLA_POLICY_MAX(NLA_U8, SECTUN_DF_MAX),
	[SECTUN_A_COPY_DSCP]		= NLA_POLICY_MAX(NLA_U8, 1),
	[SECTUN_A_REPLAY_WINDOW]	= NLA_POLICY_FULL_RANGE(NLA_U32, &sectun_replay_range),
	[SECTUN_A_MTU]			= { .type = NLA_U32 },
	[SECTUN_A_ADMIN_UP]		= { .type = NLA_REJECT,
					    .reject_message = "read-only: use ip link set" },
	[SECTUN_A_CARRIER]		= { .type = NLA_REJECT,
					    .reject_message = "read-only attribute" },
	[SECTUN_A_STATS]		= { .type = NLA_REJECT,
					    .reject_message = "counters are read-only" },
	[SECTUN_A_NATT_KEEPALIVE]	= NLA_POLICY_MAX(NLA_U32, 300),
	[SECTUN_A_ENCAP_PEER_PORT]	= SECTUN_NLA_READ_ONLY,
	[SECTUN_A_TTL]			= { .type = NLA_U8 },
	[SECTUN_A_PATH_MTU]		= SECTUN_NLA_READ_ONLY,
	[SECTUN_A_SA]			= NLA_POLICY_NESTED(sectun_sa_policy),
	[SECTUN_A_POLICY]		= NLA_POLICY_NESTED(sectun_policy_policy),
	[SECTUN_A_FLOW]			= { .type = NLA_REJECT,
					    .reject_message = "events only" },
	[SECTUN_A_PARALLEL]		= NLA_POLICY_MAX(NLA_U8, SECTUN_PARALLEL_MAX),
	[SECTUN_A_PARALLEL_ACTIVE]	= SECTUN_NLA_READ_ONLY,
};

static struct net_device *sectun_nl_find_dev(struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct nlattr **attrs = info->attrs;
	struct net_device *dev;

	if (attrs[SECTUN_A_IFINDEX] && attrs[SECTUN_A_IFNAME]) {
		NL_SET_ERR_MSG(info->extack,
			       "give the device by ifindex or by name, not both");
		return ERR_PTR(-EINVAL);
	}
	if (attrs[SECTUN_A_IFINDEX]) {
		dev = dev_get_by_index_rcu(net,
					   nla_get_u32(attrs[SECTUN_A_IFINDEX]));
		if (!dev) {
			NL_SET_ERR_MSG_ATTR(info->extack, attrs[SECTUN_A_IFINDEX],
					    "no device with this ifindex");
			return ERR_PTR(-ENODEV);
		}
	} else if (attrs[SECTUN_A_IFNAME]) {
		dev = dev_get_by_name_rcu(net, nla_data(attrs[SECTUN_A_IFNAME]));
		if (!dev) {
			NL_SET_ERR_MSG_ATTR(info->extack, attrs[SECTUN_A_IFNAME],
					    "no device with this name");
			return ERR_PTR(-ENODEV);
		}
	} else {
		NL_SET_ERR_MSG(info->extack,
			       "device missing: give SECTUN_A_IFINDEX or SECTUN_A_IFNAME");
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, SECTUN_A_IFINDEX);
		return ERR_PTR(-EINVAL);
	}
	if (!sectun_is_dev(dev)) {
		NL_SET_ERR_MSG(info->extack, "device is not a sectun tunnel");
		return ERR_PTR(-EOPNOTSUPP);
	}
	return dev;
}

/*
 * The device named by SECTUN_A_IFINDEX or SECTUN_A_IFNAME in the caller's
 * namespace. The caller holds RTNL or rcu_read_lock(), which keeps the
 * device alive after the lookup's own RCU section.
 */
struct sectun_dev *sectun_nl_lookup(struct genl_info *info)
{
	struct net_device *dev;

	rcu_read_lock();
	dev = sectun_nl_find_dev(info);
	rcu_read_unlock();
	return IS_ERR(dev) ? ERR_CAST(dev) : netdev_priv(dev);
}

static int sectun_nl_put_addr(struct sk_buff *skb, int attr4, int attr6,
			      sa_family_t family, const union sectun_addr *a)
{
	if (family == AF_INET)
		return nla_put_in_addr(skb, attr4, a->v4);
	if (family == AF_INET6)
		return nla_put_in6_addr(skb, attr6, &a->v6);
	return 0;
}

/* Caller holds RTNL or rcu_read_lock(). */
static int sectun_nl_fill_tunnel(struct sk_buff *skb, struct sectun_dev *sd,
				 u32 portid, u32 seq, int flags)
{
	const struct sectun_params *p = sectun_params(sd);
	const struct sectun_stats_baseline *baseline;
	struct net_device *dev = sd->dev;
	struct sectun_stats_sum sum;
	unsigned int path_mtu;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &sectun_genl_family, flags,
			  SECTUN_CMD_GET_TUNNEL);
	if (!hdr)
		return -EMSGSIZE;

	if (nla_put_u32(skb, SECTUN_A_IFINDEX, dev->ifindex) ||
	    nla_put_string(skb, SECTUN_A_IFNAME, dev->name) ||
	    sectun_nl_put_addr(skb, SECTUN_A_LOCAL_IPV4, SECTUN_A_LOCAL_IPV6,
			       p->local_family, &p->local) ||
	    sectun_nl_put_addr(skb, SECTUN_A_REMOTE_IPV4, SECTUN_A_REMOTE_IPV6,
			       p->remote_family, &p->remote) ||
	    nla_put_u8(skb, SECTUN_A_ENCAP_TYPE, p->encap_type) ||
	    nla_put_u16(skb, SECTUN_A_ENCAP_LOCAL_PORT, p->encap_local_port) ||
	    nla_put_u16(skb, SECTUN_A_ENCAP_REMOTE_PORT, p->encap_remote_port) ||
	    nla_put_u8(skb, SECTUN_A_DF_MODE, p->df_mode) ||
	    nla_put_u8(skb, SECTUN_A_COPY_DSCP, p->copy_dscp) ||
	    nla_put_u32(skb, SECTUN_A_REPLAY_WINDOW, p->replay_window) ||
	    nla_put_u32(skb, SECTUN_A_MTU, READ_ONCE(dev->mtu)) ||
	    nla_put_u8(skb, SECTUN_A_ADMIN_UP, !!(dev->flags & IFF_UP)) ||
	    nla_put_u8(skb, SECTUN_A_CARRIER, netif_carrier_ok(dev)) ||
	    nla_put_u32(skb, SECTUN_A_NATT_KEEPALIVE, p->natt_keepalive) ||
	    nla_put_u8(skb, SECTUN_A_TTL, p->ttl) ||
	    nla_put_u8(skb, SECTUN_A_PARALLEL, p->parallel) ||
	    nla_put_u8(skb, SECTUN_A_PARALLEL_ACTIVE, sectun_dev_parallel(sd)))
		goto nla_put_failure;
	path_mtu = sectun_underlay_mtu(sd);
	if (path_mtu && nla_put_u32(skb, SECTUN_A_PATH_MTU, path_mtu))
		goto nla_put_failure;
	if (READ_ONCE(sd->peer_port) &&
	    nla_put_u16(skb, SECTUN_A_ENCAP_PEER_PORT, READ_ONCE(sd->peer_port)))
		goto nla_put_failure;

	if (p->underlay && !net_eq(p->underlay, dev_net(dev)) &&
	    nla_put_s32(skb, SECTUN_A_UNDERLAY_NETNSID,
			peernet2id_alloc(dev_net(dev), p->underlay, GFP_ATOMIC)))
		goto nla_put_failure;

	/* The baseline first: counters only grow, so none reads below it. */
	baseline = rcu_dereference_rtnl(sd->stats_baseline);
	sectun_stats_read(sd->stats, &sum);
	if (sectun_stats_fill(skb, SECTUN_A_STATS, &sum,
			      baseline ? &baseline->sum : NULL))
		goto nla_put_failure;

	genlmsg_end(skb, hdr);
	return 0;

nla_put_failure:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static int sectun_nl_get_tunnel_doit(struct sk_buff *skb,
				     struct genl_info *info)
{
	struct sectun_dev *sd;
	struct sk_buff *msg;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	rcu_read_lock();
	sd = sectun_nl_lookup(info);
	if (IS_ERR(sd))
		err = PTR_ERR(sd);
	else
		err = sectun_nl_fill_tunnel(msg, sd, info->snd_portid,
					    info->snd_seq, 0);
	rcu_read_unlock();
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/*
 * Dump every sectun device of the caller's namespace. The resume cursor is
 * the position among sectun devices; a device list change between two
 * parts of the dump is flagged with NLM_F_DUMP_INTR (as rtnetlink does) so
 * the reader can start over.
 */
static int sectun_nl_get_tunnel_dumpit(struct sk_buff *skb,
				       struct netlink_callback *cb)
{
	struct net *net = sock_net(skb->sk);
	long skip = cb->args[0], idx = 0;
	struct net_device *dev;
	int err = 0;

	rcu_read_lock();
	cb->seq = READ_ONCE(net->dev_base_seq);
	for_each_netdev_rcu(net, dev) {
		if (!sectun_is_dev(dev))
			continue;
		if (idx < skip) {
			idx++;
			continue;
		}
		err = sectun_nl_fill_tunnel(skb, netdev_priv(dev),
					    NETLINK_CB(cb->skb).portid,
					    cb->nlh->nlmsg_seq, NLM_F_MULTI);
		if (err)
			break;
		nl_dump_check_consistent(cb, nlmsg_hdr(skb));
		idx++;
	}
	rcu_read_unlock();
	cb->args[0] = idx;

	/* A full skb ends this part; the next call resumes at idx. */
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ?: skb->len;
}

/*
 * Dump per-device objects (SAs, selectors) of the device the request names,
 * or of every sectun device. The cursor is (device position, object index):
 * objects keep their index for life, so a dump is complete even while they
 * come and go; devices coming or going flag it NLM_F_DUMP_INTR.
 */
int sectun_nl_dump_devices(struct sk_buff *skb, struct netlink_callback *cb,
			   sectun_dump_dev_fn dump_dev)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct net *net = sock_net(skb->sk);
	long dev_pos = cb->args[0], pos = 0;
	unsigned long next = cb->args[1];
	struct nlattr *ifname = info->attrs[SECTUN_A_IFNAME];
	struct net_device *dev;
	int ifindex = 0, err = 0;

	if (info->attrs[SECTUN_A_IFINDEX])
		ifindex = nla_get_u32(info->attrs[SECTUN_A_IFINDEX]);

	rcu_read_lock();
	/* Devices coming or going shift the positions: flag the dump. */
	cb->seq = READ_ONCE(net->dev_base_seq);
	for_each_netdev_rcu(net, dev) {
		if (!sectun_is_dev(dev))
			continue;
		if ((ifindex && dev->ifindex != ifindex) ||
		    (ifname && nla_strcmp(ifname, dev->name)))
			continue;
		if (pos++ < dev_pos)
			continue;
		err = dump_dev(skb, cb, netdev_priv(dev), &next);
		if (skb->len)
			nl_dump_check_consistent(cb, nlmsg_hdr(skb));
		if (err)
			break;
		dev_pos = pos;
		next = 0;
	}
	rcu_read_unlock();
	cb->args[0] = dev_pos;
	cb->args[1] = next;
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ?: skb->len;
}

static int sectun_nl_get_addr(struct genl_info *info, int attr4, int attr6,
			      sa_family_t *family, union sectun_addr *addr)
{
	struct nlattr *a4 = info->attrs[attr4], *a6 = info->attrs[attr6];

	if (a4 && a6) {
		NL_SET_ERR_MSG_ATTR(info->extack, a6,
				    "endpoint given as both IPv4 and IPv6");
		return -EINVAL;
	}
	if (a4) {
		*family = AF_INET;
		memset(addr, 0, sizeof(*addr));
		addr->v4 = nla_get_in_addr(a4);
	} else if (a6) {
		*family = AF_INET6;
		addr->v6 = nla_get_in6_addr(a6);
	}
	return 0;
}

static bool sectun_addr_is_unicast(sa_family_t family,
				   const union sectun_addr *a)
{
	if (family == AF_INET)
		return !ipv4_is_zeronet(a->v4) && !ipv4_is_multicast(a->v4) &&
		       !ipv4_is_lbcast(a->v4);
	return !(ipv6_addr_type(&a->v6) &
		 (IPV6_ADDR_ANY | IPV6_ADDR_MULTICAST));
}

static bool sectun_peer_changed(const struct sectun_params *old,
				const struct sectun_params *p)
{
	return old->remote_family != p->remote_family ||
	       memcmp(&old->remote, &p->remote, sizeof(p->remote)) ||
	       old->encap_remote_port != p->encap_remote_port;
}

static int sectun_nl_set_endpoints(struct genl_info *info,
				   struct sectun_params *p)
{
	struct nlattr **attrs = info->attrs;
	int err;

	err = sectun_nl_get_addr(info, SECTUN_A_LOCAL_IPV4, SECTUN_A_LOCAL_IPV6,
				 &p->local_family, &p->local);
	if (err)
		return err;
	err = sectun_nl_get_addr(info, SECTUN_A_REMOTE_IPV4,
				 SECTUN_A_REMOTE_IPV6, &p->remote_family,
				 &p->remote);
	if (err)
		return err;

	if ((attrs[SECTUN_A_REMOTE_IPV4] || attrs[SECTUN_A_REMOTE_IPV6]) &&
	    !sectun_addr_is_unicast(p->remote_family, &p->remote)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[SECTUN_A_REMOTE_IPV4] ?:
				    attrs[SECTUN_A_REMOTE_IPV6],
				    "remote endpoint must be a unicast address");
		return -EINVAL;
	}
	if (p->local_family && p->remote_family &&
	    p->local_family != p->remote_family) {
		NL_SET_ERR_MSG(info->extack,
			       "local and remote endpoints must be of the same address family");
		return -EAFNOSUPPORT;
	}
	return 0;
}

/* Resolve the underlay namespace; returns a counted reference or NULL. */
static struct net *sectun_nl_get_underlay(struct sk_buff *skb,
					  struct genl_info *info)
{
	struct nlattr *fd_attr = info->attrs[SECTUN_A_UNDERLAY_NETNS_FD];
	struct nlattr *id_attr = info->attrs[SECTUN_A_UNDERLAY_NETNSID];
	struct net *net;

	if (!fd_attr && !id_attr)
		return NULL;
	if (fd_attr && id_attr) {
		NL_SET_ERR_MSG(info->extack,
			       "give the underlay netns by fd or by id, not both");
		return ERR_PTR(-EINVAL);
	}
	if (fd_attr) {
		net = get_net_ns_by_fd(nla_get_u32(fd_attr));
		if (IS_ERR(net)) {
			NL_SET_ERR_MSG_ATTR(info->extack, fd_attr,
					    "not a network namespace fd");
			return net;
		}
	} else {
		net = get_net_ns_by_id(genl_info_net(info),
				       nla_get_s32(id_attr));
		if (!net) {
			NL_SET_ERR_MSG_ATTR(info->extack, id_attr,
					    "no network namespace with this id");
			return ERR_PTR(-ENOENT);
		}
	}
	if (!netlink_ns_capable(skb, net->user_ns, CAP_NET_ADMIN)) {
		put_net(net);
		NL_SET_ERR_MSG(info->extack,
			       "CAP_NET_ADMIN is needed in the underlay netns");
		return ERR_PTR(-EPERM);
	}
	return net;
}

/*
 * What changes the underlay, its outer packets or which of its ESP the
 * tunnel takes, needs CAP_NET_ADMIN there as well as in the device's
 * namespace: a container handed the device must not steer the host's
 * traffic. Under RTNL.
 */
int sectun_nl_underlay_capable(struct sk_buff *skb, struct sectun_dev *sd,
			       struct genl_info *info)
{
	struct net *underlay = rtnl_dereference(sd->params)->underlay;

	if (!underlay || netlink_ns_capable(skb, underlay->user_ns, CAP_NET_ADMIN))
		return 0;
	NL_SET_ERR_MSG(info->extack, "CAP_NET_ADMIN is needed in the underlay netns");
	return -EPERM;
}

/* Attributes that shape the outer packets. */
static bool sectun_nl_touches_underlay(struct nlattr **attrs)
{
	static const int outer[] = {
		SECTUN_A_LOCAL_IPV4, SECTUN_A_LOCAL_IPV6, SECTUN_A_REMOTE_IPV4,
		SECTUN_A_REMOTE_IPV6, SECTUN_A_ENCAP_TYPE, SECTUN_A_ENCAP_LOCAL_PORT,
		SECTUN_A_ENCAP_REMOTE_PORT, SECTUN_A_DF_MODE, SECTUN_A_COPY_DSCP,
		SECTUN_A_NATT_KEEPALIVE, SECTUN_A_TTL,
		/* Which of the host's CPUs its crypto may take. */
		SECTUN_A_PARALLEL,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(outer); i++)
		if (attrs[outer[i]])
			return true;
	return false;
}

/* dev_set_mtu_ext() is not exported on 6.1: check the range here. */
static int sectun_nl_set_mtu(struct net_device *dev, struct genl_info *info)
{
	struct nlattr *attr = info->attrs[SECTUN_A_MTU];
	u32 mtu = nla_get_u32(attr);

	if (mtu < dev->min_mtu) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "MTU is below the minimum of 68");
		return -EINVAL;
	}
	if (mtu > dev->max_mtu) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "MTU is above the maximum the tunnel can carry");
		return -EINVAL;
	}
	return dev_set_mtu(dev, mtu);
}

static int sectun_nl_set_tunnel_doit(struct sk_buff *skb,
				     struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	struct sectun_params *p = NULL;
	struct net *underlay = NULL;
	struct sectun_dev *sd;
	int err;

	rtnl_lock();
	sd = sectun_nl_lookup(info);
	if (IS_ERR(sd)) {
		err = PTR_ERR(sd);
		goto out;
	}

	if (sectun_nl_touches_underlay(attrs)) {
		err = sectun_nl_underlay_capable(skb, sd, info);
		if (err)
			goto out;
	}
	underlay = sectun_nl_get_underlay(skb, info);
	if (IS_ERR(underlay)) {
		err = PTR_ERR(underlay);
		underlay = NULL;
		goto out;
	}

	/* SAs are keyed on the underlay: they do not move with it. */
	if (underlay && !net_eq(underlay, sectun_params(sd)->underlay) &&
	    (!xa_empty(&sd->sas) || atomic_read(&sd->n_pending))) {
		NL_SET_ERR_MSG(info->extack,
			       "flush the tunnel's SAs before changing its underlay");
		err = -EBUSY;
		goto out;
	}
	p = sectun_params_dup(sectun_params(sd));
	if (!p) {
		err = -ENOMEM;
		goto out;
	}
	err = sectun_nl_set_endpoints(info, p);
	if (err)
		goto out;

	/*
	 * Held uncounted from here on: RTNL keeps the namespace's pre_exit
	 * from running before the new params are published.
	 */
	if (underlay)
		p->underlay = underlay;
	if (attrs[SECTUN_A_ENCAP_TYPE])
		p->encap_type = nla_get_u8(attrs[SECTUN_A_ENCAP_TYPE]);
	if (attrs[SECTUN_A_ENCAP_LOCAL_PORT])
		p->encap_local_port = nla_get_u16(attrs[SECTUN_A_ENCAP_LOCAL_PORT]);
	if (attrs[SECTUN_A_ENCAP_REMOTE_PORT])
		p->encap_remote_port = nla_get_u16(attrs[SECTUN_A_ENCAP_REMOTE_PORT]);
	if (attrs[SECTUN_A_DF_MODE])
		p->df_mode = nla_get_u8(attrs[SECTUN_A_DF_MODE]);
	if (attrs[SECTUN_A_COPY_DSCP])
		p->copy_dscp = nla_get_u8(attrs[SECTUN_A_COPY_DSCP]);
	if (attrs[SECTUN_A_REPLAY_WINDOW])
		p->replay_window = nla_get_u32(attrs[SECTUN_A_REPLAY_WINDOW]);
	if (attrs[SECTUN_A_NATT_KEEPALIVE])
		p->natt_keepalive = nla_get_u32(attrs[SECTUN_A_NATT_KEEPALIVE]);
	if (attrs[SECTUN_A_TTL])
		p->ttl = nla_get_u8(attrs[SECTUN_A_TTL]);
	if (attrs[SECTUN_A_PARALLEL])
		p->parallel = nla_get_u8(attrs[SECTUN_A_PARALLEL]);

	/* The last step that can fail: after it, nothing may. */
	if (attrs[SECTUN_A_MTU]) {
		err = sectun_nl_set_mtu(sd->dev, info);
		if (err)
			goto out;
	}

	/*
	 * A new peer address or port: forget the one a NAT showed us. The
	 * same ones set again (an IKE daemon's rekey) keep it.
	 */
	if (sectun_peer_changed(sectun_params(sd), p))
		WRITE_ONCE(sd->peer_port, 0);
	sectun_params_publish(sd, p);
	if (rtnl_dereference(sd->params)->underlay)
		netif_carrier_on(sd->dev);
	p = NULL;
	sectun_dev_update_keepalive(sd);
	if (!attrs[SECTUN_A_MTU])
		sectun_dev_update_mtu(sd);
out:
	rtnl_unlock();
	if (underlay)
		put_net(underlay);
	sectun_params_free(p);
	return err;
}

static int sectun_nl_clear_stats_doit(struct sk_buff *skb,
				      struct genl_info *info)
{
	struct sectun_stats_baseline *baseline, *old;
	struct sectun_dev *sd;
	int err = 0;

	baseline = kzalloc(sizeof(*baseline), GFP_KERNEL_ACCOUNT);
	if (!baseline)
		return -ENOMEM;
	rtnl_lock();
	sd = sectun_nl_lookup(info);
	if (IS_ERR(sd)) {
		err = PTR_ERR(sd);
		kfree(baseline);
	} else {
		sectun_stats_read(sd->stats, &baseline->sum);
		old = rcu_replace_pointer(sd->stats_baseline, baseline,
					  lockdep_rtnl_is_held());
		if (old)
			kfree_rcu(old, rcu);
	}
	rtnl_unlock();
	return err;
}

static const struct genl_small_ops sectun_genl_ops[] = {
	{
		.cmd	= SECTUN_CMD_GET_TUNNEL,
		.doit	= sectun_nl_get_tunnel_doit,
		.dumpit	= sectun_nl_get_tunnel_dumpit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= SECTUN_CMD_SET_TUNNEL,
		.doit	= sectun_nl_set_tunnel_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= SECTUN_CMD_CLEAR_STATS,
		.doit	= sectun_nl_clear_stats_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= SECTUN_CMD_NEW_SA,
		.doit	= sectun_nl_new_sa_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= SECTUN_CMD_DEL_SA,
		.doit	= sectun_nl_del_sa_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= SECTUN_CMD_GET_SA,
		.doit	= sectun_nl_get_sa_doit,
		.dumpit	= sectun_nl_get_sa_dumpit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= SECTUN_CMD_SET_SA,
		.doit	= sectun_nl_set_sa_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= SECTUN_CMD_FLUSH_SA,
		.doit	= sectun_nl_flush_sa_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= SECTUN_CMD_NEW_POLICY,
		.doit	= sectun_nl_new_policy_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= SECTUN_CMD_DEL_POLICY,
		.doit	= sectun_nl_del_policy_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= SECTUN_CMD_GET_POLICY,
		.doit	= sectun_nl_get_policy_doit,
		.dumpit	= sectun_nl_get_policy_dumpit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= SECTUN_CMD_FLUSH_POLICY,
		.doit	= sectun_nl_flush_policy_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
};

static const struct genl_multicast_group sectun_mcgrps[] = {
	{ .name = SECTUN_MCGRP_EVENTS, .flags = SECTUN_MCGRP_FLAGS },
};

struct genl_family sectun_genl_family __ro_after_init = {
	.name		= SECTUN_GENL_NAME,
	.version	= SECTUN_GENL_VERSION,
	.maxattr	= SECTUN_A_MAX,
	.policy		= sectun_policy,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.small_ops	= sectun_genl_ops,
	.n_small_ops	= ARRAY_SIZE(sectun_genl_ops),
	.mcgrps		= sectun_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(sectun_mcgrps),
};

int __init sectun_genl_init(void)
{
	return genl_register_family(&sectun_genl_family);
}

void sectun_genl_uninit(void)
{
	genl_unregister_family(&sectun_genl_family);
}
