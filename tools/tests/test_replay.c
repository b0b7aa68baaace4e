// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for kmod/replay.c, compiled in userspace against tools/tests/
 * kshim: RFC 4303 anti-replay and the ESN high-bit inference of its
 * appendix A2, at the edges.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../kmod/replay.h"

#define TWO32 0x100000000ULL

/* Infer the full number, pre-check it, accept it: what the datapath does. */
static bool rx(struct sectun_replay *r, u32 lo)
{
	u64 seq = sectun_replay_infer(r, lo);

	return sectun_replay_precheck(r, seq) && sectun_replay_accept(r, seq);
}

static void test_window(void **state)
{
	struct sectun_replay r;

	(void)state;
	assert_int_equal(sectun_replay_init(&r, 64, false, 0), 0);
	assert_false(rx(&r, 0));		/* 0 is never sent */
	assert_true(rx(&r, 1));
	assert_true(rx(&r, 3));
	assert_true(rx(&r, 2));			/* late but in the window */
	assert_false(rx(&r, 2));		/* replayed */
	assert_true(rx(&r, 100));
	assert_true(rx(&r, 37));		/* 100 - 63: the oldest allowed */
	assert_false(rx(&r, 36));		/* older than the window */
	assert_false(rx(&r, 37));
	assert_true(rx(&r, 100 + 1000));	/* a jump clears everything */
	assert_true(rx(&r, 1099));
	assert_false(rx(&r, 1100));
	sectun_replay_free(&r);
}

/* A packet the pre-check lets through can still be refused after. */
static void test_precheck_is_a_hint(void **state)
{
	struct sectun_replay r;

	(void)state;
	assert_int_equal(sectun_replay_init(&r, 64, false, 10), 0);
	assert_true(sectun_replay_precheck(&r, 8));
	assert_true(sectun_replay_accept(&r, 8));
	assert_true(sectun_replay_precheck(&r, 9));
	assert_true(sectun_replay_accept(&r, 9));
	assert_false(sectun_replay_accept(&r, 9));	/* raced duplicate */
	sectun_replay_free(&r);
}

static void test_big_window(void **state)
{
	struct sectun_replay r;
	u32 i;

	(void)state;
	assert_int_equal(sectun_replay_init(&r, 1 << 20, false, 0), 0);
	assert_true(rx(&r, 2000000));
	/* Everything within a million behind is new once and only once. */
	for (i = 2000000 - (1 << 20) + 1; i < 2000000; i += 4099) {
		assert_true(rx(&r, i));
		assert_false(rx(&r, i));
	}
	assert_false(rx(&r, 2000000 - (1 << 20)));
	sectun_replay_free(&r);
}

static void test_no_window(void **state)
{
	struct sectun_replay r;

	(void)state;
	assert_int_equal(sectun_replay_init(&r, 0, false, 0), 0);
	assert_true(rx(&r, 5));
	assert_true(rx(&r, 5));
	assert_true(rx(&r, 1));
	assert_false(rx(&r, 0));
	sectun_replay_free(&r);
}

static void test_esn_inference(void **state)
{
	struct sectun_replay r;

	(void)state;
	/* Case A: the window lies within one 2^32 subspace. */
	assert_int_equal(sectun_replay_init(&r, 64, true, 0xfffffff0), 0);
	assert_true(sectun_replay_infer(&r, 0xffffffe0) == 0xffffffe0);
	assert_true(sectun_replay_infer(&r, 0xfffffff8) == 0xfffffff8);
	assert_true(sectun_replay_infer(&r, 5) == TWO32 + 5);
	/* Across the boundary... */
	assert_true(rx(&r, 0xfffffffe));
	assert_true(rx(&r, 5));
	assert_true(r.top == TWO32 + 5);
	/* ... Case B: the window spans two subspaces. */
	assert_true(sectun_replay_infer(&r, 0xfffffff8) == 0xfffffff8);
	assert_true(sectun_replay_infer(&r, 3) == TWO32 + 3);
	assert_true(rx(&r, 0xffffffff));	/* late, from before the boundary */
	assert_false(rx(&r, 0xfffffffe));	/* replayed across it */
	assert_false(rx(&r, 5));
	assert_true(rx(&r, 4));
	assert_true(rx(&r, 0));			/* 2^32 itself is a valid number */
	sectun_replay_free(&r);

	/* Far into the ESN space, and no underflow at the very start. */
	assert_int_equal(sectun_replay_init(&r, 128, true, 7 * TWO32 + 10), 0);
	assert_true(sectun_replay_infer(&r, 0xfffffff0) == 6 * TWO32 + 0xfffffff0);
	assert_true(sectun_replay_infer(&r, 50) == 7 * TWO32 + 50);
	sectun_replay_free(&r);
	assert_int_equal(sectun_replay_init(&r, 128, true, 10), 0);
	assert_true(sectun_replay_infer(&r, 0xfffffff0) == 0xfffffff0);
	sectun_replay_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_precheck_is_a_hint),
		cmocka_unit_test(test_big_window),
		cmocka_unit_test(test_no_window),
		cmocka_unit_test(test_esn_inference),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
