/* SPDX-License-Identifier: GPL-2.0 */
/* Random bytes for SPIs, nonces and secrets, from the kernel's CSPRNG. */
#ifndef SECTUN_IKED_RANDOM_H
#define SECTUN_IKED_RANDOM_H

#include <stddef.h>

/* 0, or -1 if the kernel would not give them. */
int ike_random(void *buf, size_t len);

/*
 * Fuzzing only: draw from FN instead, so that a run can be replayed
 * (NULL: the kernel again). Never set in the daemon.
 */
void ike_random_override(int (*fn)(void *buf, size_t len));

#endif
