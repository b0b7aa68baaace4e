/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The st%d tunnel device and its parameters.
 */
#ifndef _SECTUN_DEVICE_H
#define _SECTUN_DEVICE_H

#include <linux/netdevice.h>
#include <linux/in6.h>
#include <linux/xarray.h>
#include <net/dst_cache.h>
#include <net/gro_cells.h>
#include <linux/rtnetlink.h>
#include <net/net_namespace.h>

#include "crypt_queue.h"
#include "stats.h"

/* Until the SA overhead is known: room for IPv6 + UDP + ESP + CBC IV/pad + ICV. */
#define SECTUN_DEFAULT_MTU	1400
#define SECTUN_MAX_OVERHEAD	112

union sectun_addr {
	__be32 v4;
	struct in6_addr v6;
};

/*
 * Routes to the remote endpoint are cached per outer protocol, since
 * policy routing may choose by protocol (and port, and TOS: packets with a
 * TOS, or with a NAT's port under port rules, are routed uncached).
 */
enum sectun_route_kind {
	SECTUN_ROUTE_ESP,
	SECTUN_ROUTE_AH,
	SECTUN_ROUTE_UDP,	/* ESP in UDP and NAT keepalives */
	SECTUN_ROUTE_KINDS
};

/*
 * Tunnel parameters are replaced as a whole (copy, update, publish) so the
 * datapath reads one consistent set under RCU without a lock. Writers hold
 * RTNL.
 */
struct sectun_params {
	struct rcu_head rcu;
	/*
	 * Where the outer packets are routed and sent. Not reference counted:
	 * the pernet pre_exit hook clears it when that namespace goes away.
	 * NULL means the underlay is gone and nothing can be sent.
	 */
	struct net *underlay;
	sa_family_t local_family;	/* 0 until set: the route picks the source */
	sa_family_t remote_family;	/* 0 until set */
	union sectun_addr local;
	union sectun_addr remote;
	u8 encap_type;			/* enum sectun_encap_type */
	u16 encap_local_port;
	u16 encap_remote_port;
	u8 df_mode;			/* enum sectun_df_mode */
	bool copy_dscp;
	u8 ttl;				/* outer TTL/hop limit, 0: the route's */
	u32 replay_window;		/* default for new SAs */
	u32 natt_keepalive;		/* seconds, 0: none */
	u8 parallel;			/* enum sectun_parallel */
	/* Routes to the remote endpoint; new parameters, new caches. */
	struct dst_cache dst_cache[SECTUN_ROUTE_KINDS];
};

struct sectun_sa;
struct sectun_spd;
struct sectun_remote_entry;

struct sectun_dev {
	struct net_device *dev;
	/* On sectun_devices: changed under RTNL, read under RCU. */
	struct list_head dev_list;
	/* In the remote table while the underlay and remote are set. */
	struct sectun_remote_entry *remote_entry;
	struct sectun_params __rcu *params;
	struct sectun_pcpu_stats __percpu *stats;
	/* What "sectun stats clear" subtracts; NULL until then. */
	struct sectun_stats_baseline __rcu *stats_baseline;
	struct gro_cells gro_cells;
	/* ESP crypto spread over the CPUs, each direction in order. */
	struct sectun_crypt_queue tx_queue, rx_queue;

	/*
	 * The port the peer's authenticated ESP in UDP last came from (a NAT
	 * may move it); 0 until then. Written by the receive path.
	 */
	u16 peer_port;
	struct timer_list keepalive;	/* NAT keepalives (RFC 3948 2.3) */
	/* The MTU follows the path and SA unless set by hand. */
	bool mtu_by_hand;
	bool mtu_auto_setting;

	/* SA database of this tunnel; changed under RTNL. */
	struct xarray sas;		/* by sa->index */
	u32 n_sas;			/* in sas; at most max_sas */
	u32 sa_next_index;
	atomic_t n_pending;		/* inbound SPIs reserved (pending.c) */
	struct sectun_sa __rcu *out_sa;	/* the outbound SA in use */

	/* Traffic selectors; changed under RTNL, looked up in sd->spd. */
	struct xarray policies;		/* by index */
	u32 n_policies;			/* at most max_selectors */
	struct sectun_spd __rcu *spd;	/* NULL: no selectors */
	unsigned long last_acquire;	/* jiffies, when there are none */
};

extern struct rtnl_link_ops sectun_link_ops;

int sectun_device_init(void);
void sectun_device_uninit(void);

static inline bool sectun_is_dev(const struct net_device *dev)
{
	return dev->rtnl_link_ops == &sectun_link_ops;
}

/* Caller holds RTNL or rcu_read_lock(). */
static inline struct sectun_params *sectun_params(struct sectun_dev *sd)
{
	return rcu_dereference_rtnl(sd->params);
}

struct sectun_params *sectun_params_dup(const struct sectun_params *old);
void sectun_params_free(struct sectun_params *p);
void sectun_params_publish(struct sectun_dev *sd, struct sectun_params *p);

/* Under RTNL or RCU: whether ESP crypto goes through the crypt queues now. */
static inline bool sectun_dev_parallel(struct sectun_dev *sd)
{
	switch (sectun_params(sd)->parallel) {
	case SECTUN_PARALLEL_ON:
		return true;
	case SECTUN_PARALLEL_AUTO:
		return num_online_cpus() > 1;
	default:
		return false;
	}
}

/* Under RTNL: derive the MTU from the path and the outbound SA. */
void sectun_dev_update_mtu(struct sectun_dev *sd);
/* Under RTNL: (re)start NAT keepalives as the parameters now say. */
void sectun_dev_update_keepalive(struct sectun_dev *sd);

/* Under rcu_read_lock(): the tunnel whose remote endpoint is ADDR. */
struct sectun_dev *sectun_dev_by_remote(const struct net *underlay,
					int family, const union sectun_addr *addr);

#endif /* _SECTUN_DEVICE_H */
