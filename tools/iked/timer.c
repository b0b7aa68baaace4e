// SPDX-License-Identifier: GPL-2.0
/*
 * One-shot timers: a list sorted by deadline. The daemon has a few per
 * IKE SA (retransmission, setup, lifetime), so a sorted list is enough.
 */
#include <stddef.h>
#include <time.h>

#include "timer.h"

static struct ike_timer_list default_list;
static struct ike_timer_list *timers = &default_list;
static uint64_t fake_now;

uint64_t ike_now_ms(void)
{
	struct timespec ts;

	if (fake_now)
		return fake_now;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void ike_clock_set(uint64_t ms)
{
	fake_now = ms;
}

void ike_timer_use(struct ike_timer_list *list)
{
	timers = list ? list : &default_list;
}

void ike_timer_cancel(struct ike_timer *t)
{
	struct ike_timer **p;

	if (!t->armed)
		return;
	for (p = &t->list->head; *p; p = &(*p)->next) {
		if (*p == t) {
			*p = t->next;
			break;
		}
	}
	t->armed = false;
	t->next = NULL;
}

void ike_timer_set(struct ike_timer *t, uint64_t ms, void (*fn)(struct ike_timer *t))
{
	struct ike_timer **p;

	ike_timer_cancel(t);
	t->when = ike_now_ms() + ms;
	t->fn = fn;
	t->list = timers;
	for (p = &timers->head; *p && (*p)->when <= t->when; p = &(*p)->next)
		;
	t->next = *p;
	*p = t;
	t->armed = true;
}

int ike_timer_next_ms(void)
{
	uint64_t now;

	if (!timers->head)
		return -1;
	now = ike_now_ms();
	if (timers->head->when <= now)
		return 0;
	return timers->head->when - now > 60000 ? 60000 :
						 (int)(timers->head->when - now);
}

void ike_timer_run(void)
{
	uint64_t now = ike_now_ms();
	struct ike_timer *t;

	/* A callback may arm or cancel any timer: take one at a time. */
	while (timers->head && timers->head->when <= now) {
		t = timers->head;
		timers->head = t->next;
		t->next = NULL;
		t->armed = false;
		t->fn(t);
	}
}
