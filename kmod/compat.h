/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel API differences between Linux 6.1 (the baseline sectun builds
 * against) and newer kernels, kept in one place. The SECTUN_HAVE_* macros
 * come from kmod/Kbuild, which looks for each API in the kernel headers
 * rather than trusting a version number (distributions backport).
 */
#ifndef _SECTUN_COMPAT_H
#define _SECTUN_COMPAT_H

/* 6.12 moved the unaligned access helpers out of asm/. */
#ifdef SECTUN_HAVE_LINUX_UNALIGNED_H
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif
#include <linux/crypto.h>
#include <linux/netdevice.h>
#include <net/genetlink.h>
#include <net/rtnetlink.h>

/* 6.12 moved lockless transmit from a feature flag to a device field. */
static inline void sectun_compat_set_lltx(struct net_device *dev)
{
#ifdef SECTUN_HAVE_DEV_LLTX
	dev->lltx = true;
#else
	dev->features |= NETIF_F_LLTX;
#endif
}

/* 6.15 folded rtnl_link_ops->newlink's arguments into a params struct. */
#ifdef SECTUN_HAVE_RTNL_NEWLINK_PARAMS
#define SECTUN_NEWLINK_ARGS						\
	struct net_device *dev, struct rtnl_newlink_params *params,	\
	struct netlink_ext_ack *extack
#define SECTUN_NEWLINK_IFNAME_GIVEN	(params->tb && params->tb[IFLA_IFNAME])
#else
#define SECTUN_NEWLINK_ARGS						\
	struct net *src_net, struct net_device *dev,			\
	struct nlattr *tb[], struct nlattr *data[],			\
	struct netlink_ext_ack *extack
#define SECTUN_NEWLINK_IFNAME_GIVEN	(tb && tb[IFLA_IFNAME])
#endif

/* 6.11 turned the delivery time's mono bit into a clock type. */
static inline void sectun_copy_delivery_time(struct sk_buff *to,
					     const struct sk_buff *from)
{
#ifdef SECTUN_HAVE_SKB_TSTAMP_TYPE
	skb_set_delivery_time(to, from->tstamp, from->tstamp_type);
#else
	skb_set_delivery_time(to, from->tstamp, from->mono_delivery_time);
#endif
}

/* Since 6.7 joining a multicast group can require CAP_NET_ADMIN. */
#ifdef GENL_MCAST_CAP_NET_ADMIN
#define SECTUN_MCGRP_FLAGS	GENL_MCAST_CAP_NET_ADMIN
#else
#define SECTUN_MCGRP_FLAGS	0
#endif

/* 6.3 passes crypto completions their data pointer instead of the request. */
#ifdef SECTUN_HAVE_CRYPTO_DONE_DATA
#define SECTUN_CRYPTO_DONE(fn)	void fn(void *sectun_done_data, int err)
#define sectun_crypto_done_data()	(sectun_done_data)
#else
#define SECTUN_CRYPTO_DONE(fn)						\
	void fn(struct crypto_async_request *sectun_done_req, int err)
#define sectun_crypto_done_data()	(sectun_done_req->data)
#endif

#endif /* _SECTUN_COMPAT_H */
