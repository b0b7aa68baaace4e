/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KSHIM_MM_H
#define KSHIM_MM_H
#include <linux/types.h>
static inline void *kvzalloc(size_t size, int gfp) { (void)gfp; return calloc(1, size); }
static inline void *kvcalloc(size_t n, size_t size, int gfp) { (void)gfp; return calloc(n, size); }
static inline void kvfree(void *p) { free(p); }
#endif
