// SPDX-License-Identifier: GPL-2.0
/*
 * Events for sectun-iked and "sectun monitor": SA expiry and deletion,
 * and acquires (traffic that no SA carries yet).
 * Sent from any context (lifetimes run out in softirq), so nothing here
 * sleeps; a full socket buffer loses the event, never the packet.
 */
#include <net/genetlink.h>

#include "device.h"
#include "events.h"
#include "netlink.h"
#include "policy.h"
#include "sa.h"

static void sectun_event_sa(struct sectun_sa *sa, u8 cmd, int expired,
			    u8 reason)
{
	struct net_device *dev = sa->sd->dev;
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_ATOMIC);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &sectun_genl_family, 0, cmd);
	if (!hdr)
		goto fail;
	if (nla_put_u32(skb, SECTUN_A_IFINDEX, dev->ifindex) ||
	    nla_put_string(skb, SECTUN_A_IFNAME, dev->name) ||
	    sectun_nl_put_sa(skb, sa, expired, reason))
		goto fail;
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&sectun_genl_family, dev_net(dev), skb, 0,
				SECTUN_MCGRP_EVENTS_ID, GFP_ATOMIC);
	return;
fail:
	nlmsg_free(skb);
}

void sectun_event_expire(struct sectun_sa *sa, bool hard, u8 reason)
{
	sectun_event_sa(sa, SECTUN_CMD_EXPIRE, hard ? 2 : 1, reason);
}

void sectun_event_sa_deleted(struct sectun_sa *sa, u8 reason)
{
	sectun_event_sa(sa, SECTUN_CMD_DEL_SA, -1, reason);
}

void sectun_event_acquire(struct sectun_dev *sd, struct sectun_policy *pol,
			  const struct sectun_flow *f)
{
	struct net_device *dev = sd->dev;
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_ATOMIC);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &sectun_genl_family, 0, SECTUN_CMD_ACQUIRE);
	if (!hdr)
		goto fail;
	if (nla_put_u32(skb, SECTUN_A_IFINDEX, dev->ifindex) ||
	    nla_put_string(skb, SECTUN_A_IFNAME, dev->name) ||
	    (pol && sectun_nl_put_policy(skb, pol)) ||
	    sectun_nl_put_flow(skb, f))
		goto fail;
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&sectun_genl_family, dev_net(dev), skb, 0,
				SECTUN_MCGRP_EVENTS_ID, GFP_ATOMIC);
	return;
fail:
	nlmsg_free(skb);
}
