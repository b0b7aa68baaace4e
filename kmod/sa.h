/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SA database: every SA of every tunnel, found by SPI on receive and
 * by (device, direction, SPI, protocol) for management.
 */
#ifndef _SECTUN_SA_H
#define _SECTUN_SA_H

#include <linux/atomic.h>
#include <linux/netdevice.h>
#include <linux/refcount.h>
#include <linux/rhashtable-types.h>
#include <linux/timer.h>
#include <linux/workqueue.h>
#include <uapi/linux/sectun.h>

#include "crypto.h"
#include "policy.h"
#include "replay.h"

struct sectun_dev;

/* Inbound SPIs are unique per underlay namespace and protocol. */
struct sectun_sa_in_key {
	const struct net *net;
	u32 spi;
	u8 proto;
	u8 pad[3];
};

/* Any SA, as the commands name it. */
struct sectun_sa_id_key {
	const struct sectun_dev *sd;
	u32 spi;
	u8 proto;
	u8 dir;
	u8 pad[2];
};

enum sectun_sa_flag {
	SECTUN_SA_SOFT_EXPIRED,
	SECTUN_SA_HARD_EXPIRED,	/* no longer used; deletion is queued */
	SECTUN_SA_UNLINKED,	/* out of the tables; waiting for its last user */
	SECTUN_SA_FORGED,	/* inbound: failed authentication until forged_until */
};

struct sectun_sa_config {
	u32 spi;
	u8 dir, proto, mode;
	bool esn, standby;
	u16 encr, integ;
	const u8 *ekey, *akey;
	unsigned int eklen, aklen;
	u32 replay_window;
	u64 seq;
	u64 soft_bytes, hard_bytes, soft_packets, hard_packets;
	u32 soft_seconds, hard_seconds;
	u32 policies[SECTUN_SA_MAX_POLICIES];	/* selector indexes served */
	u32 n_policies;				/* 0: the whole tunnel */
};

/* A selector an SA serves: its index, and a copy for the TS check. */
struct sectun_sa_sel {
	u32 index;
	struct sectun_sel sel;
};

struct sectun_sa {
	struct rhash_head in_node;
	struct rhash_head id_node;
	struct sectun_sa_in_key in_key;
	struct sectun_sa_id_key id_key;
	struct sectun_dev *sd;
	u32 index;			/* in sd->sas, the dump cursor */
	refcount_t refcnt;
	unsigned long flags;		/* enum sectun_sa_flag */

	u32 spi;
	u8 dir, proto, mode;
	u8 expire_reason;		/* enum sectun_expire_reason */
	u16 encr, integ;
	u16 encr_key_bits;
	struct sectun_crypto crypto;
	struct sectun_replay replay;	/* inbound */
	atomic64_t seq_out;		/* outbound: the last number sent */
	u64 seq_max;
	unsigned long forged_until;	/* jiffies: decrypt serially until then */

	u64 soft_bytes, hard_bytes, soft_packets, hard_packets;
	u32 soft_seconds, hard_seconds;
	unsigned long add_jiffies;
	struct timer_list timer;
	struct work_struct expire_work;
	struct rcu_work free_work;

	atomic64_t stats[__SECTUN_SA_STAT_MAX];
	/* The selectors served (none: the whole tunnel); immutable. */
	u32 n_sels;
	struct sectun_sa_sel sels[];
};

int sectun_sa_init(void);
void sectun_sa_uninit(void);

/* Before RTNL: check CFG and make its transforms into *CRYPTO. */
int sectun_sa_prepare(const struct sectun_sa_config *cfg,
		      struct sectun_crypto *crypto,
		      struct netlink_ext_ack *extack);
/*
 * Under RTNL. Takes over *CRYPTO, zeroing it, once the SA exists; the
 * caller frees whatever a failure leaves there.
 */
struct sectun_sa *sectun_sa_add(struct sectun_dev *sd,
				const struct sectun_sa_config *cfg,
				struct sectun_crypto *crypto,
				struct netlink_ext_ack *extack);
struct sectun_sa *sectun_sa_find(struct sectun_dev *sd, u8 dir, u32 spi,
				 u8 proto);
void sectun_sa_unlink(struct sectun_sa *sa, u8 reason);
void sectun_sa_flush(struct sectun_dev *sd, int dir, u8 reason);
/* Whether any slot changed: SA was not current for all its selectors. */
bool sectun_sa_make_current(struct sectun_sa *sa);
bool sectun_sa_is_current(struct sectun_sa *sa);
void sectun_sa_set_lifetimes(struct sectun_sa *sa,
			     const struct sectun_sa_config *cfg);

/* Whether SA serves the selector INDEX. */
bool sectun_sa_serves(const struct sectun_sa *sa, u32 index);
/* Whether one of SA's selectors lets inbound F in; true without any. */
bool sectun_sa_ts_allows(const struct sectun_sa *sa,
			 const struct sectun_flow *f);

/* Under rcu_read_lock(); takes no reference. */
struct sectun_sa *sectun_sa_lookup_in(const struct net *net, u32 spi, u8 proto);

static inline bool sectun_sa_get(struct sectun_sa *sa)
{
	return refcount_inc_not_zero(&sa->refcnt);
}

void sectun_sa_put(struct sectun_sa *sa);

/*
 * Datapath, outbound: the next sequence number, with the packet counted
 * against the lifetime and a reference taken for it (sectun_sa_put()
 * when the packet is done). Fails when the SA is used up.
 */
int sectun_sa_next_seq(struct sectun_sa *sa, unsigned int bytes, u64 *seq);

/* Datapath: count a packet; false when the SA may no longer be used. */
bool sectun_sa_charge(struct sectun_sa *sa, unsigned int bytes);
void sectun_sa_hard_expire(struct sectun_sa *sa, u8 reason);

static inline bool sectun_sa_usable(const struct sectun_sa *sa)
{
	return !test_bit(SECTUN_SA_HARD_EXPIRED, &sa->flags);
}

static inline void sectun_sa_count(struct sectun_sa *sa,
				   enum sectun_sa_stat idx)
{
	atomic64_inc(&sa->stats[idx]);
}

#endif /* _SECTUN_SA_H */
