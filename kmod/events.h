/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Notifications on the "events" multicast group.
 */
#ifndef _SECTUN_EVENTS_H
#define _SECTUN_EVENTS_H

#include <linux/types.h>

struct sectun_dev;
struct sectun_flow;
struct sectun_policy;
struct sectun_sa;

void sectun_event_expire(struct sectun_sa *sa, bool hard, u8 reason);
void sectun_event_sa_deleted(struct sectun_sa *sa, u8 reason);
void sectun_event_acquire(struct sectun_dev *sd, struct sectun_policy *pol,
			  const struct sectun_flow *f);

#endif /* _SECTUN_EVENTS_H */
