/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KSHIM_SPINLOCK_H
#define KSHIM_SPINLOCK_H
#include <linux/types.h>
typedef struct { int locked; } spinlock_t;
static inline void spin_lock_init(spinlock_t *l) { l->locked = 0; }
static inline void spin_lock_bh(spinlock_t *l) { l->locked++; }
static inline void spin_unlock_bh(spinlock_t *l) { l->locked--; }
#endif
