/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Traffic selectors (the SPD of a tunnel): which SA carries an outbound
 * packet, and whether an inbound packet belonged on the SA it came by.
 */
#ifndef _SECTUN_POLICY_H
#define _SECTUN_POLICY_H

#include <linux/atomic.h>
#include <linux/skbuff.h>
#include <linux/types.h>

struct sectun_dev;
struct sectun_sa;

/* An address as a 128-bit number (IPv4 in the low 32 bits), for ranges. */
struct sectun_key {
	u64 hi, lo;
};

/* What a selector matches; immutable, so SAs keep a copy for TS checks. */
struct sectun_sel {
	u8 family;
	u8 proto;			/* 0 = any */
	struct sectun_key local_start, local_end;
	struct sectun_key remote_start, remote_end;
	u16 lport_min, lport_max, rport_min, rport_max;
};

/* A packet seen from the tunnel: local is our side, remote the peer's. */
struct sectun_flow {
	u8 family;
	u8 proto;
	bool has_ports;
	bool later_fragment;		/* not the first: ports are not in it */
	struct sectun_key local, remote;
	u16 lport, rport;
};

struct sectun_policy {
	struct rcu_head rcu;
	u32 index;
	u32 priority;
	struct sectun_sel sel;
	struct sectun_sa __rcu *out_sa;	/* the SA carrying it; under RTNL */
	u32 n_sas;			/* SAs serving it, either way; under RTNL */
	unsigned long last_acquire;	/* jiffies */
	atomic64_t packets;
	atomic64_t acquires;
};

int sectun_flow_parse(struct sk_buff *skb, bool outbound,
		      struct sectun_flow *f);
bool sectun_sel_match(const struct sectun_sel *sel,
		      const struct sectun_flow *f);

/* Under rcu_read_lock(): the selector for F, or NULL. */
struct sectun_policy *sectun_spd_lookup(struct sectun_dev *sd,
					const struct sectun_flow *f);
/* True when the tunnel has selectors at all. */
bool sectun_spd_active(struct sectun_dev *sd);

/* Under RTNL. */
int sectun_policy_add(struct sectun_dev *sd, struct sectun_policy *pol,
		      struct netlink_ext_ack *extack);
struct sectun_policy *sectun_policy_find(struct sectun_dev *sd, u32 index);
int sectun_policy_del(struct sectun_dev *sd, struct sectun_policy *pol);
void sectun_policy_flush(struct sectun_dev *sd);

/* An acquire event, at most one a second per selector (or tunnel). */
void sectun_policy_acquire(struct sectun_dev *sd, struct sectun_policy *pol,
			   const struct sectun_flow *f);

void sectun_key_from_addr(struct sectun_key *k, int family, const void *addr);
void sectun_key_to_addr(const struct sectun_key *k, int family, void *addr);

#endif /* _SECTUN_POLICY_H */
