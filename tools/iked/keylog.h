/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --log-keys: the keys of each IKE SA and child SA in the log, for
 * decrypting a capture. Never written unless asked for.
 */
#ifndef SECTUN_IKED_KEYLOG_H
#define SECTUN_IKED_KEYLOG_H

#include <stdbool.h>

#include "ike_sa.h"
#include "kernel.h"

extern bool ike_keylog_enabled;

void ike_keylog_ike_sa(const struct ike_sa *sa);
void ike_keylog_child(const struct child_sa *c, const struct child_keys *in,
		      const struct child_keys *out);

#endif
