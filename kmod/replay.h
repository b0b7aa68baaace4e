/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Anti-replay window (RFC 4303 section 3.4.3 and appendix A), with 64-bit
 * extended sequence numbers and windows far larger than 32 packets.
 */
#ifndef _SECTUN_REPLAY_H
#define _SECTUN_REPLAY_H

#include <linux/spinlock.h>
#include <linux/types.h>

struct sectun_replay {
	spinlock_t lock;	/* the check-and-record after authentication */
	u64 top;		/* highest authenticated sequence number */
	u32 window;		/* packets; 0 turns the check off */
	u32 bits;		/* bitmap size: a power of two >= window */
	bool esn;
	unsigned long *map;	/* bit (seq & (bits - 1)): seq was seen */
};

int sectun_replay_init(struct sectun_replay *r, u32 window, bool esn,
		       u64 top);
void sectun_replay_free(struct sectun_replay *r);
u64 sectun_replay_infer(const struct sectun_replay *r, u32 seq_lo);
bool sectun_replay_precheck(const struct sectun_replay *r, u64 seq);
bool sectun_replay_accept(struct sectun_replay *r, u64 seq);

#endif /* _SECTUN_REPLAY_H */
