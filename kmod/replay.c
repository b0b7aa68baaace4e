// SPDX-License-Identifier: GPL-2.0
/*
 * Anti-replay: a bitmap ring indexed by sequence number modulo its size,
 * which must be at least the window. Checking happens twice, as RFC 4303
 * suggests: a lockless hint before the costly decryption, and the real
 * check-and-record after the ICV has been verified.
 */
#include <linux/bitmap.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "replay.h"

int sectun_replay_init(struct sectun_replay *r, u32 window, bool esn,
		       u64 top)
{
	spin_lock_init(&r->lock);
	r->top = top;
	r->window = window;
	r->esn = esn;
	r->bits = 0;
	r->map = NULL;
	if (!window)
		return 0;
	r->bits = roundup_pow_of_two(max_t(u32, window, BITS_PER_LONG));
	r->map = kvcalloc(BITS_TO_LONGS(r->bits), sizeof(long), GFP_KERNEL_ACCOUNT);
	return r->map ? 0 : -ENOMEM;
}

void sectun_replay_free(struct sectun_replay *r)
{
	kvfree(r->map);
	r->map = NULL;
}

/*
 * The high 32 bits of a received ESN sequence number are not sent; infer
 * them from the window (RFC 4303 appendix A2.2). A wrong guess simply
 * fails the ICV, which covers the high bits.
 */
u64 sectun_replay_infer(const struct sectun_replay *r, u32 seq_lo)
{
	u64 top = READ_ONCE(r->top);
	u32 th = upper_32_bits(top), tl = lower_32_bits(top);
	u32 w = r->window ?: 1U << 31;	/* without a window: half the space */
	u32 bottom = tl - w + 1;	/* modulo 2^32 */
	u32 hi;

	if (!r->esn)
		return seq_lo;
	if (tl >= w - 1)		/* the window sits in one subspace */
		hi = seq_lo >= bottom ? th : th + 1;
	else if (seq_lo >= bottom)	/* spans two: this is the older one */
		hi = th ? th - 1 : 0;
	else
		hi = th;
	return (u64)hi << 32 | seq_lo;
}

static bool seen(const struct sectun_replay *r, u64 seq)
{
	return test_bit(seq & (r->bits - 1), r->map);
}

/* Lockless, so only a hint: the authoritative check comes after the ICV. */
bool sectun_replay_precheck(const struct sectun_replay *r, u64 seq)
{
	u64 top = READ_ONCE(r->top);

	if (!seq)
		return false;
	if (!r->window || seq > top)
		return true;
	return top - seq < r->window && !seen(r, seq);
}

/* Clear the bits of top+1 .. top+n (n < bits) before the window moves on. */
static void forget(struct sectun_replay *r, u64 top, u64 n)
{
	u32 start = (top + 1) & (r->bits - 1);
	u32 first = min_t(u64, n, r->bits - start);

	__bitmap_clear(r->map, start, first);
	if (n > first)
		__bitmap_clear(r->map, 0, n - first);
}

bool sectun_replay_accept(struct sectun_replay *r, u64 seq)
{
	bool ok = true;

	if (!seq)
		return false;
	spin_lock_bh(&r->lock);
	if (seq > r->top) {
		if (r->window) {
			if (seq - r->top >= r->bits)
				bitmap_zero(r->map, r->bits);
			else
				forget(r, r->top, seq - r->top);
			__set_bit(seq & (r->bits - 1), r->map);
		}
		WRITE_ONCE(r->top, seq);
	} else if (r->window) {
		if (r->top - seq >= r->window)
			ok = false;	/* older than the window */
		else
			ok = !__test_and_set_bit(seq & (r->bits - 1), r->map);
	}
	spin_unlock_bh(&r->lock);
	return ok;
}
