// SPDX-License-Identifier: GPL-2.0
/*
 * SA commands of the sectun family: add, delete, get/dump, set, flush.
 * Keys go in and never come out.
 */
#include <linux/rcupdate.h>
#include <linux/rtnetlink.h>
#include <net/genetlink.h>

#include "device.h"
#include "netlink.h"
#include "pending.h"
#include "sa.h"

/* The longest an outbound SA switch or delete waits for the SA's queued packets. */
#define SECTUN_SWITCH_DRAIN	(HZ / 4)

static struct netlink_range_validation sectun_sa_replay_range = {
	.max = SECTUN_MAX_REPLAY_WINDOW,
};

static struct netlink_range_validation sectun_sa_seconds_range = {
	.max = SECTUN_MAX_LIFETIME_SECONDS,
};

const struct nla_policy sectun_sa_policy[SECTUN_SA_A_MAX + 1] = {
	/* SPIs 1 to 255 are reserved by IANA (RFC 4303). */
	[SECTUN_SA_A_SPI]		= NLA_POLICY_MIN(NLA_U32, 256),
	[SECTUN_SA_A_DIR]		= NLA_POLICY_MAX(NLA_U8, SECTUN_DIR_MAX),
	[SECTUN_SA_A_PROTO]		= { .type = NLA_U8 },
	[SECTUN_SA_A_MODE]		= NLA_POLICY_MAX(NLA_U8, SECTUN_MODE_MAX),
	[SECTUN_SA_A_ENCR]		= { .type = NLA_U16 },
	[SECTUN_SA_A_ENCR_KEY]		= { .type = NLA_BINARY, .len = 64 },
	[SECTUN_SA_A_INTEG]		= { .type = NLA_U16 },
	[SECTUN_SA_A_INTEG_KEY]		= { .type = NLA_BINARY, .len = 64 },
	[SECTUN_SA_A_ESN]		= NLA_POLICY_MAX(NLA_U8, 1),
	[SECTUN_SA_A_REPLAY_WINDOW]	= NLA_POLICY_FULL_RANGE(NLA_U32, &sectun_sa_replay_range),
	[SECTUN_SA_A_SEQ]		= { .type = NLA_U64 },
	[SECTUN_SA_A_SOFT_BYTES]	= { .type = NLA_U64 },
	[SECTUN_SA_A_HARD_BYTES]	= { .type = NLA_U64 },
	[SECTUN_SA_A_SOFT_PACKETS]	= { .type = NLA_U64 },
	[SECTUN_SA_A_HARD_PACKETS]	= { .type = NLA_U64 },
	[SECTUN_SA_A_SOFT_SECONDS]	= NLA_POLICY_FULL_RANGE(NLA_U32, &sectun_sa_seconds_range),
	[SECTUN_SA_A_HARD_SECONDS]	= NLA_POLICY_FULL_RANGE(NLA_U32, &sectun_sa_seconds_range),
	[SECTUN_SA_A_STANDBY]		= NLA_POLICY_MAX(NLA_U8, 1),
	[SECTUN_SA_A_CURRENT]		= NLA_POLICY_MAX(NLA_U8, 1),
	[SECTUN_SA_A_ICV_LEN]		= SECTUN_NLA_READ_ONLY,
	[SECTUN_SA_A_ENCR_KEY_BITS]	= SECTUN_NLA_READ_ONLY,
	[SECTUN_SA_A_AGE]		= SECTUN_NLA_READ_ONLY,
	[SECTUN_SA_A_EXPIRED]		= SECTUN_NLA_READ_ONLY,
	[SECTUN_SA_A_REASON]		= SECTUN_NLA_READ_ONLY,
	[SECTUN_SA_A_STATS]		= SECTUN_NLA_COUNTERS,
	[SECTUN_SA_A_POLICY]		= { .type = NLA_U32 },
	[SECTUN_SA_A_PENDING_MS]	= NLA_POLICY_RANGE(NLA_U32, 1, SECTUN_PENDING_MAX_MS),
	[SECTUN_SA_A_POLICIES]		= { .type = NLA_NESTED },
};

/* Every selector SA serves: the first alone (older readers), then all. */
static int sectun_nl_put_sa_policies(struct sk_buff *skb, struct sectun_sa *sa)
{
	struct nlattr *nest;
	u32 i;

	if (!sa->n_sels)
		return 0;
	if (nla_put_u32(skb, SECTUN_SA_A_POLICY, sa->sels[0].index))
		return -EMSGSIZE;
	nest = nla_nest_start(skb, SECTUN_SA_A_POLICIES);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < sa->n_sels; i++) {
		if (nla_put_u32(skb, SECTUN_SA_A_POLICY, sa->sels[i].index)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

int sectun_nl_put_sa(struct sk_buff *skb, struct sectun_sa *sa, int expired,
		     u8 reason)
{
	struct nlattr *nest, *stats;
	u64 seq;
	int i;

	if (expired < 0)
		expired = test_bit(SECTUN_SA_HARD_EXPIRED, &sa->flags) ? 2 :
			  test_bit(SECTUN_SA_SOFT_EXPIRED, &sa->flags) ? 1 : 0;
	seq = sa->dir == SECTUN_DIR_OUT ? atomic64_read(&sa->seq_out) :
					  READ_ONCE(sa->replay.top);
	nest = nla_nest_start(skb, SECTUN_A_SA);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, SECTUN_SA_A_SPI, sa->spi) ||
	    nla_put_u8(skb, SECTUN_SA_A_DIR, sa->dir) ||
	    nla_put_u8(skb, SECTUN_SA_A_PROTO, sa->proto) ||
	    nla_put_u8(skb, SECTUN_SA_A_MODE, sa->mode) ||
	    nla_put_u16(skb, SECTUN_SA_A_ENCR, sa->encr) ||
	    nla_put_u16(skb, SECTUN_SA_A_INTEG, sa->integ) ||
	    nla_put_u8(skb, SECTUN_SA_A_ESN, sa->crypto.esn) ||
	    nla_put_u8(skb, SECTUN_SA_A_ICV_LEN, sa->crypto.icvlen) ||
	    nla_put_u16(skb, SECTUN_SA_A_ENCR_KEY_BITS, sa->encr_key_bits) ||
	    nla_put_u64_64bit(skb, SECTUN_SA_A_SEQ, seq, SECTUN_SA_A_PAD) ||
	    nla_put_u64_64bit(skb, SECTUN_SA_A_SOFT_BYTES, sa->soft_bytes, SECTUN_SA_A_PAD) ||
	    nla_put_u64_64bit(skb, SECTUN_SA_A_HARD_BYTES, sa->hard_bytes, SECTUN_SA_A_PAD) ||
	    nla_put_u64_64bit(skb, SECTUN_SA_A_SOFT_PACKETS, sa->soft_packets, SECTUN_SA_A_PAD) ||
	    nla_put_u64_64bit(skb, SECTUN_SA_A_HARD_PACKETS, sa->hard_packets, SECTUN_SA_A_PAD) ||
	    nla_put_u32(skb, SECTUN_SA_A_SOFT_SECONDS, sa->soft_seconds) ||
	    nla_put_u32(skb, SECTUN_SA_A_HARD_SECONDS, sa->hard_seconds) ||
	    nla_put_u64_64bit(skb, SECTUN_SA_A_AGE,
			      (jiffies - sa->add_jiffies) / HZ, SECTUN_SA_A_PAD) ||
	    nla_put_u8(skb, SECTUN_SA_A_EXPIRED, expired))
		goto cancel;
	if (sa->dir == SECTUN_DIR_IN &&
	    nla_put_u32(skb, SECTUN_SA_A_REPLAY_WINDOW, sa->replay.window))
		goto cancel;
	if (sectun_nl_put_sa_policies(skb, sa))
		goto cancel;
	if (sa->dir == SECTUN_DIR_OUT &&
	    nla_put_u8(skb, SECTUN_SA_A_CURRENT, sectun_sa_is_current(sa)))
		goto cancel;
	if (reason && nla_put_u8(skb, SECTUN_SA_A_REASON, reason))
		goto cancel;

	stats = nla_nest_start(skb, SECTUN_SA_A_STATS);
	if (!stats)
		goto cancel;
	for (i = SECTUN_SA_STAT_PACKETS; i < __SECTUN_SA_STAT_MAX; i++)
		if (nla_put_u64_64bit(skb, i, atomic64_read(&sa->stats[i]),
				      SECTUN_SA_STAT_PAD))
			goto cancel;
	nla_nest_end(skb, stats);
	nla_nest_end(skb, nest);
	return 0;
cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int sectun_nl_fill_sa(struct sk_buff *skb, struct sectun_sa *sa,
			     u32 portid, u32 seq, int flags)
{
	struct net_device *dev = sa->sd->dev;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &sectun_genl_family, flags,
			  SECTUN_CMD_GET_SA);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, SECTUN_A_IFINDEX, dev->ifindex) ||
	    nla_put_string(skb, SECTUN_A_IFNAME, dev->name) ||
	    sectun_nl_put_sa(skb, sa, -1, 0)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* Parse the SA nest; MISSING lists the attributes the command needs. */
static int sectun_nl_parse_sa(struct genl_info *info, struct nlattr **tb,
			      const int *required, int n_required)
{
	struct nlattr *nest = info->attrs[SECTUN_A_SA];
	int i, err;

	if (!nest) {
		memset(tb, 0, sizeof(*tb) * (SECTUN_SA_A_MAX + 1));
		if (!n_required)
			return 0;
		NL_SET_ERR_MSG(info->extack, "SA missing: give SECTUN_A_SA");
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, SECTUN_A_SA);
		return -EINVAL;
	}
	err = nla_parse_nested(tb, SECTUN_SA_A_MAX, nest, sectun_sa_policy,
			       info->extack);
	if (err)
		return err;
	for (i = 0; i < n_required; i++) {
		if (!tb[required[i]]) {
			NL_SET_ERR_MSG(info->extack,
				       "SA attribute missing: it needs SPI and direction");
			NL_SET_ERR_ATTR_MISS(info->extack, nest, required[i]);
			return -EINVAL;
		}
	}
	return 0;
}

static u8 sectun_nl_sa_proto(struct nlattr **tb, struct genl_info *info,
			     int *err)
{
	u8 proto = tb[SECTUN_SA_A_PROTO] ? nla_get_u8(tb[SECTUN_SA_A_PROTO]) :
					   IPPROTO_ESP;

	*err = 0;
	if (proto != IPPROTO_ESP && proto != IPPROTO_AH) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[SECTUN_SA_A_PROTO],
				    "protocol must be ESP (50) or AH (51)");
		*err = -EINVAL;
	}
	return proto;
}

static void sectun_nl_get_lifetimes(struct nlattr **tb,
				    struct sectun_sa_config *cfg)
{
	if (tb[SECTUN_SA_A_SOFT_BYTES])
		cfg->soft_bytes = nla_get_u64(tb[SECTUN_SA_A_SOFT_BYTES]);
	if (tb[SECTUN_SA_A_HARD_BYTES])
		cfg->hard_bytes = nla_get_u64(tb[SECTUN_SA_A_HARD_BYTES]);
	if (tb[SECTUN_SA_A_SOFT_PACKETS])
		cfg->soft_packets = nla_get_u64(tb[SECTUN_SA_A_SOFT_PACKETS]);
	if (tb[SECTUN_SA_A_HARD_PACKETS])
		cfg->hard_packets = nla_get_u64(tb[SECTUN_SA_A_HARD_PACKETS]);
	if (tb[SECTUN_SA_A_SOFT_SECONDS])
		cfg->soft_seconds = nla_get_u32(tb[SECTUN_SA_A_SOFT_SECONDS]);
	if (tb[SECTUN_SA_A_HARD_SECONDS])
		cfg->hard_seconds = nla_get_u32(tb[SECTUN_SA_A_HARD_SECONDS]);
}

/*
 * The selectors a new SA serves: SECTUN_SA_A_POLICY (one, 0 for none) or
 * SECTUN_SA_A_POLICIES (a list); the SA code checks the indexes.
 */
static int sectun_nl_get_policies(struct nlattr **tb,
				  struct sectun_sa_config *cfg,
				  struct netlink_ext_ack *extack)
{
	struct nlattr *attr;
	int rem;

	if (tb[SECTUN_SA_A_POLICY] && tb[SECTUN_SA_A_POLICIES]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SECTUN_SA_A_POLICIES],
				    "give one selector or a list, not both");
		return -EINVAL;
	}
	if (tb[SECTUN_SA_A_POLICY]) {
		cfg->policies[0] = nla_get_u32(tb[SECTUN_SA_A_POLICY]);
		cfg->n_policies = cfg->policies[0] ? 1 : 0;
		return 0;
	}
	if (!tb[SECTUN_SA_A_POLICIES])
		return 0;
	nla_for_each_nested(attr, tb[SECTUN_SA_A_POLICIES], rem) {
		if (nla_type(attr) != SECTUN_SA_A_POLICY ||
		    nla_len(attr) != sizeof(u32)) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "the list holds u32 SECTUN_SA_A_POLICY attributes only");
			return -EINVAL;
		}
		if (cfg->n_policies == SECTUN_SA_MAX_POLICIES) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "an SA serves at most 64 selectors");
			return -E2BIG;
		}
		cfg->policies[cfg->n_policies++] = nla_get_u32(attr);
	}
	if (rem) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SECTUN_SA_A_POLICIES],
				    "trailing bytes in the selector list");
		return -EINVAL;
	}
	if (!cfg->n_policies) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SECTUN_SA_A_POLICIES],
				    "an empty selector list");
		return -EINVAL;
	}
	return 0;
}

/* NEW_SA with PENDING_MS: an inbound SPI reserved, nothing else (pending.c). */
static int sectun_nl_reserve_spi(struct sectun_dev *sd,
				 const struct sectun_sa_config *cfg,
				 struct nlattr **tb, struct genl_info *info)
{
	if (cfg->dir != SECTUN_DIR_IN) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[SECTUN_SA_A_PENDING_MS],
				    "only an inbound SPI can be reserved");
		return -EINVAL;
	}
	if (tb[SECTUN_SA_A_ENCR] || tb[SECTUN_SA_A_ENCR_KEY] || tb[SECTUN_SA_A_INTEG] ||
	    tb[SECTUN_SA_A_INTEG_KEY]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[SECTUN_SA_A_PENDING_MS],
				    "a reserved SPI has no algorithms or keys");
		return -EINVAL;
	}
	if (tb[SECTUN_SA_A_MODE] || tb[SECTUN_SA_A_ESN] || tb[SECTUN_SA_A_REPLAY_WINDOW] ||
	    tb[SECTUN_SA_A_SEQ] || tb[SECTUN_SA_A_STANDBY] || tb[SECTUN_SA_A_POLICY] ||
	    tb[SECTUN_SA_A_POLICIES] ||
	    tb[SECTUN_SA_A_SOFT_BYTES] || tb[SECTUN_SA_A_HARD_BYTES] ||
	    tb[SECTUN_SA_A_SOFT_PACKETS] || tb[SECTUN_SA_A_HARD_PACKETS] ||
	    tb[SECTUN_SA_A_SOFT_SECONDS] || tb[SECTUN_SA_A_HARD_SECONDS]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[SECTUN_SA_A_PENDING_MS],
				    "a reserved SPI takes only SPI, direction and protocol");
		return -EINVAL;
	}
	return sectun_pending_add(sd, cfg->spi, cfg->proto,
				  nla_get_u32(tb[SECTUN_SA_A_PENDING_MS]), info->extack);
}

/*
 * Keys are copied into the transforms; zero them in the request too, so
 * they do not outlive it in freed memory (or in a netlink tap's clone).
 */
static void sectun_nl_wipe_keys(struct genl_info *info)
{
	struct nlattr *sa, *attr;
	int rem, rem_sa;

	/* Every SA nest, should a request repeat it: parsing kept the last. */
	nlmsg_for_each_attr(sa, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(sa) != SECTUN_A_SA)
			continue;
		nla_for_each_nested(attr, sa, rem_sa)
			if (nla_type(attr) == SECTUN_SA_A_ENCR_KEY ||
			    nla_type(attr) == SECTUN_SA_A_INTEG_KEY)
				memzero_explicit(nla_data(attr), nla_len(attr));
	}
}

static int sectun_nl_new_sa(struct sk_buff *skb, struct genl_info *info)
{
	static const int required[] = { SECTUN_SA_A_SPI, SECTUN_SA_A_DIR };
	struct nlattr *tb[SECTUN_SA_A_MAX + 1];
	struct sectun_crypto crypto = {};
	struct sectun_sa_config cfg = {};
	struct sectun_dev *sd;
	struct sectun_sa *sa;
	int err;

	err = sectun_nl_parse_sa(info, tb, required, ARRAY_SIZE(required));
	if (err)
		return err;
	cfg.spi = nla_get_u32(tb[SECTUN_SA_A_SPI]);
	cfg.dir = nla_get_u8(tb[SECTUN_SA_A_DIR]);
	cfg.proto = sectun_nl_sa_proto(tb, info, &err);
	if (err)
		return err;
	if (tb[SECTUN_SA_A_MODE])
		cfg.mode = nla_get_u8(tb[SECTUN_SA_A_MODE]);
	if (tb[SECTUN_SA_A_ENCR])
		cfg.encr = nla_get_u16(tb[SECTUN_SA_A_ENCR]);
	if (tb[SECTUN_SA_A_ENCR_KEY]) {
		cfg.ekey = nla_data(tb[SECTUN_SA_A_ENCR_KEY]);
		cfg.eklen = nla_len(tb[SECTUN_SA_A_ENCR_KEY]);
	}
	if (tb[SECTUN_SA_A_INTEG])
		cfg.integ = nla_get_u16(tb[SECTUN_SA_A_INTEG]);
	if (tb[SECTUN_SA_A_INTEG_KEY]) {
		cfg.akey = nla_data(tb[SECTUN_SA_A_INTEG_KEY]);
		cfg.aklen = nla_len(tb[SECTUN_SA_A_INTEG_KEY]);
	}
	if (tb[SECTUN_SA_A_ESN])
		cfg.esn = nla_get_u8(tb[SECTUN_SA_A_ESN]);
	if (tb[SECTUN_SA_A_SEQ])
		cfg.seq = nla_get_u64(tb[SECTUN_SA_A_SEQ]);
	if (tb[SECTUN_SA_A_STANDBY])
		cfg.standby = nla_get_u8(tb[SECTUN_SA_A_STANDBY]);
	err = sectun_nl_get_policies(tb, &cfg, info->extack);
	if (err)
		return err;
	sectun_nl_get_lifetimes(tb, &cfg);
	if (!tb[SECTUN_SA_A_PENDING_MS]) {
		err = sectun_sa_prepare(&cfg, &crypto, info->extack);
		if (err)
			return err;
	}

	rtnl_lock();
	sd = sectun_nl_lookup(info);
	if (IS_ERR(sd)) {
		err = PTR_ERR(sd);
		goto out;
	}
	/* An inbound SPI takes the underlay's ESP, shadowing xfrm's. */
	if (cfg.dir == SECTUN_DIR_IN) {
		err = sectun_nl_underlay_capable(skb, sd, info);
		if (err)
			goto out;
	}
	if (tb[SECTUN_SA_A_PENDING_MS]) {
		err = sectun_nl_reserve_spi(sd, &cfg, tb, info);
		goto out;
	}
	cfg.replay_window = tb[SECTUN_SA_A_REPLAY_WINDOW] ?
			    nla_get_u32(tb[SECTUN_SA_A_REPLAY_WINDOW]) :
			    sectun_params(sd)->replay_window;
	sa = sectun_sa_add(sd, &cfg, &crypto, info->extack);
	err = PTR_ERR_OR_ZERO(sa);
out:
	rtnl_unlock();
	sectun_crypto_free(&crypto);
	return err;
}

int sectun_nl_new_sa_doit(struct sk_buff *skb, struct genl_info *info)
{
	int err = sectun_nl_new_sa(skb, info);

	sectun_nl_wipe_keys(info);
	return err;
}

/* The SA named by the request, under RTNL. */
static struct sectun_sa *sectun_nl_find_sa(struct genl_info *info,
					   struct nlattr **tb)
{
	static const int required[] = { SECTUN_SA_A_SPI, SECTUN_SA_A_DIR };
	struct sectun_dev *sd;
	struct sectun_sa *sa;
	int err;
	u8 proto;

	err = sectun_nl_parse_sa(info, tb, required, ARRAY_SIZE(required));
	if (err)
		return ERR_PTR(err);
	proto = sectun_nl_sa_proto(tb, info, &err);
	if (err)
		return ERR_PTR(err);
	sd = sectun_nl_lookup(info);
	if (IS_ERR(sd))
		return ERR_CAST(sd);
	sa = sectun_sa_find(sd, nla_get_u8(tb[SECTUN_SA_A_DIR]),
			    nla_get_u32(tb[SECTUN_SA_A_SPI]), proto);
	if (!sa) {
		NL_SET_ERR_MSG(info->extack, "no such SA on the device");
		return ERR_PTR(-ENOENT);
	}
	return sa;
}

/*
 * DEL_SA of an inbound SPI that is only reserved: with PENDING_MS, the
 * reservation and nothing else (*DONE); without, when no SA has the SPI.
 */
static int sectun_nl_del_reserved(struct genl_info *info, bool *done)
{
	static const int required[] = { SECTUN_SA_A_SPI, SECTUN_SA_A_DIR };
	struct nlattr *tb[SECTUN_SA_A_MAX + 1];
	struct sectun_dev *sd;
	bool only;
	int err;
	u32 spi;
	u8 proto;

	*done = false;
	err = sectun_nl_parse_sa(info, tb, required, ARRAY_SIZE(required));
	if (err)
		return err;
	only = tb[SECTUN_SA_A_PENDING_MS];
	if (nla_get_u8(tb[SECTUN_SA_A_DIR]) != SECTUN_DIR_IN) {
		if (!only)
			return 0;
		NL_SET_ERR_MSG_ATTR(info->extack, tb[SECTUN_SA_A_PENDING_MS],
				    "only an inbound SPI can be reserved");
		*done = true;
		return -EINVAL;
	}
	proto = sectun_nl_sa_proto(tb, info, &err);
	if (err)
		return err;
	sd = sectun_nl_lookup(info);
	if (IS_ERR(sd))
		return PTR_ERR(sd);
	spi = nla_get_u32(tb[SECTUN_SA_A_SPI]);
	if (!only && sectun_sa_find(sd, SECTUN_DIR_IN, spi, proto))
		return 0;
	err = sectun_pending_del(sd, spi, proto);
	if (!err || only)
		*done = true;
	if (err && only)
		NL_SET_ERR_MSG(info->extack, "no such reserved SPI on the device");
	return only ? err : 0;
}

/*
 * An outbound SA just stopped carrying new packets (another was made
 * current, or it was deleted). The daemon tells the peer to delete it
 * next, and the peer then drops whatever still arrives on it, so the
 * answer waits until the packets already given it have left: those in
 * the parallel crypt queue, behind workers that may be descheduled for
 * milliseconds. Set up under RTNL (the device held, whether its queue is
 * in use noted), waited for after it.
 */
struct sectun_switch_drain {
	struct sectun_dev *sd;
	netdevice_tracker tracker;
};

static void sectun_switch_drain_prepare(struct sectun_switch_drain *d,
					struct sectun_dev *sd)
{
	ASSERT_RTNL();
	/* Without parallel crypto, packets are crypted and sent inline. */
	if (!sectun_dev_parallel(sd) && !sectun_crypt_queue_busy(&sd->tx_queue))
		return;
	d->sd = sd;
	netdev_hold(sd->dev, &d->tracker, GFP_KERNEL);
}

static void sectun_switch_drain_wait(struct sectun_switch_drain *d)
{
	if (!d->sd)
		return;
	/* Every transmit that saw the old SA has queued its packet by now. */
	synchronize_rcu();
	sectun_crypt_queue_drain(&d->sd->tx_queue, SECTUN_SWITCH_DRAIN);
	netdev_put(d->sd->dev, &d->tracker);
}

int sectun_nl_del_sa_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sectun_switch_drain drain = {};
	struct nlattr *tb[SECTUN_SA_A_MAX + 1];
	struct sectun_sa *sa;
	bool done;
	int err;

	rtnl_lock();
	err = sectun_nl_del_reserved(info, &done);
	if (err || done)
		goto out;
	sa = sectun_nl_find_sa(info, tb);
	if (IS_ERR(sa)) {
		err = PTR_ERR(sa);
		goto out;
	}
	if (sa->dir == SECTUN_DIR_OUT)
		sectun_switch_drain_prepare(&drain, sa->sd);
	sectun_sa_unlink(sa, SECTUN_EXPIRE_USER);
out:
	rtnl_unlock();
	sectun_switch_drain_wait(&drain);
	return err;
}

int sectun_nl_set_sa_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[SECTUN_SA_A_MAX + 1];
	struct sectun_switch_drain drain = {};
	struct sectun_sa_config cfg;
	struct sectun_sa *sa;
	int err = 0;

	rtnl_lock();
	sa = sectun_nl_find_sa(info, tb);
	if (IS_ERR(sa)) {
		err = PTR_ERR(sa);
		goto out;
	}
	if (tb[SECTUN_SA_A_CURRENT] && sa->dir != SECTUN_DIR_OUT) {
		NL_SET_ERR_MSG(info->extack, "only an outbound SA can be made current");
		err = -EINVAL;
		goto out;
	}
	/* Its deletion is queued: current, it would only drop the traffic. */
	if (tb[SECTUN_SA_A_CURRENT] && nla_get_u8(tb[SECTUN_SA_A_CURRENT]) &&
	    !sectun_sa_usable(sa)) {
		NL_SET_ERR_MSG(info->extack, "the SA has expired and cannot be made current");
		err = -ESTALE;
		goto out;
	}
	cfg = (struct sectun_sa_config) {
		.soft_bytes = sa->soft_bytes, .hard_bytes = sa->hard_bytes,
		.soft_packets = sa->soft_packets, .hard_packets = sa->hard_packets,
		.soft_seconds = sa->soft_seconds, .hard_seconds = sa->hard_seconds,
		.proto = sa->proto, .mode = sa->mode, .dir = sa->dir,
	};
	sectun_nl_get_lifetimes(tb, &cfg);
	if ((cfg.soft_bytes && cfg.hard_bytes && cfg.soft_bytes > cfg.hard_bytes) ||
	    (cfg.soft_packets && cfg.hard_packets && cfg.soft_packets > cfg.hard_packets) ||
	    (cfg.soft_seconds && cfg.hard_seconds && cfg.soft_seconds > cfg.hard_seconds)) {
		NL_SET_ERR_MSG(info->extack, "a soft limit is above its hard one");
		err = -EINVAL;
		goto out;
	}
	sectun_sa_set_lifetimes(sa, &cfg);
	if (tb[SECTUN_SA_A_CURRENT] && nla_get_u8(tb[SECTUN_SA_A_CURRENT])) {
		if (sectun_sa_make_current(sa))
			sectun_switch_drain_prepare(&drain, sa->sd);
		sectun_dev_update_mtu(sa->sd);
	}
out:
	rtnl_unlock();
	sectun_switch_drain_wait(&drain);
	return err;
}

int sectun_nl_flush_sa_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[SECTUN_SA_A_MAX + 1];
	struct sectun_dev *sd;
	int err;

	err = sectun_nl_parse_sa(info, tb, NULL, 0);
	if (err)
		return err;
	rtnl_lock();
	sd = sectun_nl_lookup(info);
	if (IS_ERR(sd))
		err = PTR_ERR(sd);
	else
		sectun_sa_flush(sd, tb[SECTUN_SA_A_DIR] ?
				nla_get_u8(tb[SECTUN_SA_A_DIR]) : -1,
				SECTUN_EXPIRE_USER);
	rtnl_unlock();
	return err;
}

int sectun_nl_get_sa_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[SECTUN_SA_A_MAX + 1];
	struct sectun_sa *sa;
	struct sk_buff *msg;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	rtnl_lock();
	sa = sectun_nl_find_sa(info, tb);
	if (IS_ERR(sa))
		err = PTR_ERR(sa);
	else
		err = sectun_nl_fill_sa(msg, sa, info->snd_portid,
					info->snd_seq, 0);
	rtnl_unlock();
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/* Dump the SAs of DEV from xarray index *next on; -EMSGSIZE when full. */
static int sectun_nl_dump_dev_sas(struct sk_buff *skb,
				  struct netlink_callback *cb,
				  struct sectun_dev *sd, unsigned long *next)
{
	struct sectun_sa *sa;
	unsigned long index = *next;
	int err;

	xa_for_each_start(&sd->sas, index, sa, *next) {
		err = sectun_nl_fill_sa(skb, sa, NETLINK_CB(cb->skb).portid,
					cb->nlh->nlmsg_seq, NLM_F_MULTI);
		if (err)
			return err;
		*next = index + 1;
	}
	return 0;
}

int sectun_nl_get_sa_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return sectun_nl_dump_devices(skb, cb, sectun_nl_dump_dev_sas);
}
