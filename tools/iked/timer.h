/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One-shot timers for the daemon's single-threaded event loop. Timers
 * live on a list that belongs to a daemon instance (the state-machine
 * tests run two in one process); the clock can be driven by a test.
 */
#ifndef SECTUN_IKED_TIMER_H
#define SECTUN_IKED_TIMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ike_timer_list {
	struct ike_timer *head;		/* sorted by deadline */
};

struct ike_timer {
	struct ike_timer *next;
	struct ike_timer_list *list;	/* the one it is armed on */
	uint64_t when;			/* CLOCK_MONOTONIC, ms */
	void (*fn)(struct ike_timer *t);
	bool armed;
};

uint64_t ike_now_ms(void);
/* Tests: the clock reads MS from now on (0: the real clock again). */
void ike_clock_set(uint64_t ms);
/* The list that ike_timer_set() and ike_timer_run() work on. */
void ike_timer_use(struct ike_timer_list *list);
/* (Re)arm T to call FN in MS milliseconds. */
void ike_timer_set(struct ike_timer *t, uint64_t ms, void (*fn)(struct ike_timer *t));
void ike_timer_cancel(struct ike_timer *t);
/* Milliseconds until the next timer is due, or -1 with none armed. */
int ike_timer_next_ms(void);
/* Fire the timers that are due. */
void ike_timer_run(void);

/* The struct that embeds timer T as MEMBER. */
#define ike_timer_owner(t, type, member) \
	((type *)((char *)(t) - offsetof(type, member)))

#endif
