/* SPDX-License-Identifier: GPL-2.0 */
/* One-shot timers for the daemon's single-threaded event loop. */
#ifndef SECTUN_IKED_TIMER_H
#define SECTUN_IKED_TIMER_H

#include <stdbool.h>
#include <stdint.h>

struct ike_timer {
	struct ike_timer *next;
	uint64_t when;			/* CLOCK_MONOTONIC, ms */
	void (*fn)(struct ike_timer *t);
	bool armed;
};

uint64_t ike_now_ms(void);
/* (Re)arm T to call FN in MS milliseconds. */
void ike_timer_set(struct ike_timer *t, uint64_t ms, void (*fn)(struct ike_timer *t));
void ike_timer_cancel(struct ike_timer *t);
/* Milliseconds until the next timer is due, or -1 with none armed. */
int ike_timer_next_ms(void);
/* Fire the timers that are due. */
void ike_timer_run(void);

#endif
