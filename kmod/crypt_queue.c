// SPDX-License-Identifier: GPL-2.0
/*
 * Parallel crypto with in-order delivery (see crypt_queue.h).
 *
 * Locking: the ordered list is under q->lock, taken by the producers (the
 * transmit or receive path, one packet at a time) and by the one delivery
 * work item; the ring has its own producer and consumer locks. A packet
 * is in the ring only while it is also in the list, so the ring, longer
 * than the list's bound by the slots its consumers free late, never
 * fills. Each packet's state is published with release semantics once its
 * crypto is over and read with acquire semantics by the delivery work,
 * which then owns the packet.
 *
 * Lifetime: every queued packet holds a reference on its SA, and every SA
 * on its device, so the queue outlives its packets; the device's
 * destructor waits for the work items before freeing it.
 */
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/sched/isolation.h>

#include "crypt_queue.h"

enum sectun_crypt_state {
	SECTUN_CRYPT_PENDING,
	SECTUN_CRYPT_DONE,
};

/*
 * A ptr_ring's consumer clears the slots it took in batches (of 16 on
 * x86-64), so up to a batch of them may still look full to a producer.
 */
#define SECTUN_CRYPT_RING_SLACK	64

/* Packets delivered before the delivery work lets others run. */
#define SECTUN_CRYPT_BATCH	64

static struct workqueue_struct *sectun_crypt_wq;
/* Spreads the queues' deliveries over the CPUs. */
static atomic_t sectun_crypt_queues = ATOMIC_INIT(0);

DEFINE_PER_CPU(bool, sectun_crypt_delivering);

/*
 * The CPU after PREV (-1: the first) that may do the work: online, and
 * not isolated from unbound work (isolcpus, nohz_full); any online CPU
 * when none is both.
 */
static int sectun_crypt_cpu_after(int prev)
{
	const struct cpumask *hk = housekeeping_cpumask(HK_TYPE_WQ);
	int cpu;

	cpu = cpumask_next_and(prev, cpu_online_mask, hk);
	if (cpu >= nr_cpu_ids)
		cpu = cpumask_first_and(cpu_online_mask, hk);
	if (cpu >= nr_cpu_ids)
		cpu = cpumask_first(cpu_online_mask);
	return cpu;
}

/* The Nth of those CPUs, counting round. */
static int sectun_crypt_nth_cpu(unsigned int n)
{
	int cpu = sectun_crypt_cpu_after(-1), first = cpu;

	while (n--) {
		cpu = sectun_crypt_cpu_after(cpu);
		if (cpu == first)
			break;
	}
	return cpu;
}

static void sectun_crypt_worker(struct work_struct *work)
{
	struct sectun_crypt_worker *w =
		container_of(work, struct sectun_crypt_worker, work);
	struct sectun_crypt_queue *q = w->queue;
	struct sectun_crypt_item *item;
	unsigned int n = 0;
	int err;

	while ((item = ptr_ring_consume_bh(&q->work))) {
		err = q->crypt(item);
		if (err != -EINPROGRESS)
			sectun_crypt_done(q, item, err);
		if (++n % SECTUN_CRYPT_BATCH == 0)
			cond_resched();
	}
}

static void sectun_crypt_deliver(struct work_struct *work)
{
	struct sectun_crypt_queue *q =
		container_of(work, struct sectun_crypt_queue, deliver);
	struct sectun_crypt_item *item;
	unsigned int n = 0;

	for (;;) {
		spin_lock_bh(&q->lock);
		item = list_first_entry_or_null(&q->order,
						struct sectun_crypt_item, node);
		if (!item ||
		    atomic_read_acquire(&item->state) == SECTUN_CRYPT_PENDING) {
			spin_unlock_bh(&q->lock);
			return;
		}
		list_del(&item->node);
		WRITE_ONCE(q->len, q->len - 1);
		spin_unlock_bh(&q->lock);

		local_bh_disable();
		rcu_read_lock();
		/* A packet sent into another tunnel from here is crypted inline. */
		__this_cpu_write(sectun_crypt_delivering, true);
		q->finish(item, item->err);
		__this_cpu_write(sectun_crypt_delivering, false);
		rcu_read_unlock();
		local_bh_enable();
		/* One delivery work runs at a time: the only writer. */
		WRITE_ONCE(q->delivered, q->delivered + 1);
		if (++n % SECTUN_CRYPT_BATCH == 0)
			cond_resched();
	}
}

int sectun_crypt_queue_init(struct sectun_crypt_queue *q,
			    int (*crypt)(struct sectun_crypt_item *),
			    void (*finish)(struct sectun_crypt_item *, int))
{
	int cpu, err;

	q->crypt = crypt;
	q->finish = finish;
	spin_lock_init(&q->lock);
	INIT_LIST_HEAD(&q->order);
	q->len = 0;
	q->queued = 0;
	q->delivered = 0;
	INIT_WORK(&q->deliver, sectun_crypt_deliver);
	q->last_cpu = -1;
	q->deliver_cpu = sectun_crypt_nth_cpu(atomic_inc_return(&sectun_crypt_queues));
	err = ptr_ring_init(&q->work, SECTUN_CRYPT_QUEUE_LEN + SECTUN_CRYPT_RING_SLACK,
			    GFP_KERNEL_ACCOUNT);
	if (err)
		return err;
	q->workers = alloc_percpu_gfp(struct sectun_crypt_worker,
				      GFP_KERNEL_ACCOUNT);
	if (!q->workers) {
		ptr_ring_cleanup(&q->work, NULL);
		return -ENOMEM;
	}
	for_each_possible_cpu(cpu) {
		struct sectun_crypt_worker *w = per_cpu_ptr(q->workers, cpu);

		INIT_WORK(&w->work, sectun_crypt_worker);
		w->queue = q;
	}
	return 0;
}

void sectun_crypt_queue_free(struct sectun_crypt_queue *q)
{
	int cpu;

	if (!q->workers)
		return;
	/* The workers first: they may still queue the delivery. */
	for_each_possible_cpu(cpu)
		cancel_work_sync(&per_cpu_ptr(q->workers, cpu)->work);
	cancel_work_sync(&q->deliver);
	WARN_ON_ONCE(!list_empty(&q->order));
	ptr_ring_cleanup(&q->work, NULL);
	free_percpu(q->workers);
	q->workers = NULL;
}

/* The CPUs in turn, so one tunnel's packets spread over all of them. */
static int sectun_crypt_next_cpu(struct sectun_crypt_queue *q)
{
	int cpu = sectun_crypt_cpu_after(READ_ONCE(q->last_cpu));

	WRITE_ONCE(q->last_cpu, cpu);
	return cpu;
}

bool sectun_crypt_enqueue(struct sectun_crypt_queue *q,
			  struct sectun_crypt_item *item)
{
	int cpu;

	atomic_set(&item->state, SECTUN_CRYPT_PENDING);
	spin_lock_bh(&q->lock);
	if (unlikely(q->len >= SECTUN_CRYPT_QUEUE_LEN)) {
		spin_unlock_bh(&q->lock);
		return false;
	}
	/* Cannot fail (see above); if it did, the packet would block the list. */
	if (WARN_ON_ONCE(ptr_ring_produce(&q->work, item))) {
		spin_unlock_bh(&q->lock);
		return false;
	}
	list_add_tail(&item->node, &q->order);
	WRITE_ONCE(q->len, q->len + 1);
	WRITE_ONCE(q->queued, q->queued + 1);
	spin_unlock_bh(&q->lock);

	cpu = sectun_crypt_next_cpu(q);
	queue_work_on(cpu, sectun_crypt_wq, &per_cpu_ptr(q->workers, cpu)->work);
	return true;
}

void sectun_crypt_done(struct sectun_crypt_queue *q,
		       struct sectun_crypt_item *item, int err)
{
	int cpu = READ_ONCE(q->deliver_cpu);

	item->err = err;
	atomic_set_release(&item->state, SECTUN_CRYPT_DONE);
	/* Its CPU went offline: the next takes over (one may reorder then). */
	if (unlikely(!cpu_online(cpu))) {
		cpu = sectun_crypt_cpu_after(cpu);
		WRITE_ONCE(q->deliver_cpu, cpu);
	}
	queue_work_on(cpu, sectun_crypt_wq, &q->deliver);
}

/*
 * Waits, at most TIMEOUT jiffies, until every packet queued before the
 * call has been handed on (polling: this runs once per SA switch or
 * delete, and only when the queue is in use). After an outbound SA
 * switch this keeps packets still queued on the old SA ahead of what the
 * daemon then tells the peer (a delete of that SA), which would drop them.
 */
void sectun_crypt_queue_drain(struct sectun_crypt_queue *q,
			      unsigned long timeout)
{
	unsigned long end = jiffies + timeout;
	unsigned long target;

	might_sleep();
	spin_lock_bh(&q->lock);
	target = q->queued;
	spin_unlock_bh(&q->lock);
	while ((long)(READ_ONCE(q->delivered) - target) < 0 &&
	       time_before(jiffies, end))
		usleep_range(500, 1000);
}

int sectun_crypt_queue_module_init(void)
{
	sectun_crypt_wq = alloc_workqueue("sectun-crypt",
					  WQ_CPU_INTENSIVE | WQ_MEM_RECLAIM, 0);
	return sectun_crypt_wq ? 0 : -ENOMEM;
}

void sectun_crypt_queue_module_uninit(void)
{
	destroy_workqueue(sectun_crypt_wq);
}
