/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Parallel crypto for one tunnel with in-order delivery, the way
 * WireGuard does it: each packet takes its place at the tail of an
 * ordered per-tunnel queue and goes into a ring that workers on every
 * online CPU drain; whichever CPU finishes a packet marks it done, and one
 * delivery work item takes packets off the head of the ordered queue for
 * as long as they are done, so they leave in the order they came.
 */
#ifndef _SECTUN_CRYPT_QUEUE_H
#define _SECTUN_CRYPT_QUEUE_H

#include <linux/list.h>
#include <linux/ptr_ring.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

/* Packets one direction of one tunnel may have in the queue. */
#define SECTUN_CRYPT_QUEUE_LEN	1024

struct sectun_crypt_item {
	struct list_head node;		/* in the ordered queue */
	atomic_t state;			/* enum sectun_crypt_state */
	int err;			/* the crypto's verdict, once done */
};

struct sectun_crypt_queue;

struct sectun_crypt_worker {
	struct work_struct work;
	struct sectun_crypt_queue *queue;
};

struct sectun_crypt_queue {
	/*
	 * Runs the crypto: its verdict, or -EINPROGRESS when it completes
	 * later and the completion calls sectun_crypt_done() itself.
	 */
	int (*crypt)(struct sectun_crypt_item *item);
	/* Sends or delivers a done packet, in order; BHs off, under RCU. */
	void (*finish)(struct sectun_crypt_item *item, int err);

	spinlock_t lock;		/* the ordered list */
	struct list_head order;
	unsigned int len;
	/* Packets queued (under lock) and handed on (by the delivery work). */
	unsigned long queued, delivered;
	struct ptr_ring work;		/* to be crypted, in any order */
	struct sectun_crypt_worker __percpu *workers;
	int last_cpu;
	/*
	 * Where the delivery runs: always one CPU, so that what it hands on
	 * (to a per-CPU backlog, GRO) stays in order after it too.
	 */
	int deliver_cpu;
	struct work_struct deliver;
};

/*
 * Whether it is worth queueing: the queue still holds packets (new ones
 * must not overtake them), or it is to be used.
 */
static inline bool sectun_crypt_queue_busy(const struct sectun_crypt_queue *q)
{
	return READ_ONCE(q->len);
}

DECLARE_PER_CPU(bool, sectun_crypt_delivering);

/*
 * Whether this CPU is delivering a queued packet (BHs are off): a packet
 * it sends into a tunnel again is crypted inline, so that the stack's
 * transmit recursion limit still ends a loop of tunnels routed into one
 * another, which a fresh work item per hop would carry on for ever.
 */
static inline bool sectun_crypt_nested(void)
{
	return this_cpu_read(sectun_crypt_delivering);
}

int sectun_crypt_queue_init(struct sectun_crypt_queue *q,
			    int (*crypt)(struct sectun_crypt_item *),
			    void (*finish)(struct sectun_crypt_item *, int));
/* Every packet handed over is finished: call when none can come any more. */
void sectun_crypt_queue_free(struct sectun_crypt_queue *q);

/* Queues ITEM for crypto on some CPU; false when the queue is full. */
bool sectun_crypt_enqueue(struct sectun_crypt_queue *q,
			  struct sectun_crypt_item *item);
/*
 * The crypto of ITEM is over. The item may be finished and freed as soon as
 * this returns, and with it whatever kept the queue alive: the caller
 * holds a reference of its own across the call.
 */
void sectun_crypt_done(struct sectun_crypt_queue *q,
		       struct sectun_crypt_item *item, int err);
void sectun_crypt_queue_drain(struct sectun_crypt_queue *q,
			      unsigned long timeout);

int sectun_crypt_queue_module_init(void);
void sectun_crypt_queue_module_uninit(void);

#endif /* _SECTUN_CRYPT_QUEUE_H */
