/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-packet scratch space in the packet itself: a crypto request lives at
 * the end of the tailroom of the packet it works on, beyond everything
 * the crypto and the trailer write, so nothing is allocated (nor zeroed,
 * under init_on_alloc) for it, and it goes with the packet. Whoever
 * finishes the request takes what they need from it before the packet is
 * sent, delivered or freed.
 */
#ifndef SECTUN_SCRATCH_H
#define SECTUN_SCRATCH_H

#include <linux/cache.h>
#include <linux/crypto.h>
#include <linux/skbuff.h>

/*
 * On a cache line of its own, never one the packet's DMA'd bytes end
 * in, and aligned as the crypto API expects a kmalloc'ed request to be.
 */
#define SECTUN_SCRATCH_ALIGN	max_t(size_t, L1_CACHE_BYTES, \
				      max_t(size_t, CRYPTO_MINALIGN, ARCH_DMA_MINALIGN))

/* Tailroom SIZE bytes of scratch take, wherever the tail is. */
static inline unsigned int sectun_scratch_room(size_t size)
{
	return size + SECTUN_SCRATCH_ALIGN - 1;
}

/*
 * SIZE bytes at the end of SKB's tailroom, leaving RESERVE bytes after
 * the tail free; NULL (a bug: the caller makes the room) if they do not
 * fit.
 */
static inline void *sectun_scratch(struct sk_buff *skb, size_t size,
				   unsigned int reserve)
{
	if (WARN_ON_ONCE(skb_tailroom(skb) < reserve + sectun_scratch_room(size)))
		return NULL;
	return PTR_ALIGN_DOWN((void *)(skb_end_pointer(skb) - size),
			      SECTUN_SCRATCH_ALIGN);
}

#endif
