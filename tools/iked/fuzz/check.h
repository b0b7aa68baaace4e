/* SPDX-License-Identifier: GPL-2.0 */
/* The fuzz targets' assertion: what must hold, or a crash libFuzzer keeps. */
#ifndef SECTUN_IKED_FUZZ_CHECK_H
#define SECTUN_IKED_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #cond); \
			abort();					\
		}							\
	} while (0)

#endif
