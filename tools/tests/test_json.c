// SPDX-License-Identifier: GPL-2.0
/* Unit tests for tools/lib/json.c: structure, commas and escaping. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "json.h"

struct capture {
	char *buf;
	size_t len;
	FILE *f;
};

static struct json *open_capture(struct capture *c, struct json *j)
{
	c->f = open_memstream(&c->buf, &c->len);
	assert_non_null(c->f);
	json_init(j, c->f);
	return j;
}

static const char *close_capture(struct capture *c)
{
	fclose(c->f);
	return c->buf;
}

static void test_nesting(void **state)
{
	struct capture c;
	struct json j;

	(void)state;
	open_capture(&c, &j);
	json_arr_open(&j);
	json_obj_open(&j);
	json_kv_str(&j, "ifname", "st0");
	json_kv_u64(&j, "mtu", 1400);
	json_key(&j, "local");
	json_null(&j);
	json_key(&j, "stats");
	json_obj_open(&j);
	json_kv_u64(&j, "a", 1);
	json_kv_u64(&j, "b", 18446744073709551615ULL);
	json_obj_close(&j);
	json_kv_bool(&j, "up", true);
	json_kv_i64(&j, "nsid", -1);
	json_obj_close(&j);
	json_obj_open(&j);
	json_obj_close(&j);
	json_arr_close(&j);
	assert_string_equal(close_capture(&c),
			    "[{\"ifname\":\"st0\",\"mtu\":1400,\"local\":null,"
			    "\"stats\":{\"a\":1,\"b\":18446744073709551615},"
			    "\"up\":true,\"nsid\":-1},{}]\n");
	free(c.buf);
}

static void test_escaping(void **state)
{
	struct capture c;
	struct json j;

	(void)state;
	open_capture(&c, &j);
	json_arr_open(&j);
	json_str(&j, "a\"b\\c\nd\te\x01");
	json_str(&j, NULL);
	json_arr_close(&j);
	assert_string_equal(close_capture(&c),
			    "[\"a\\\"b\\\\c\\nd\\te\\u0001\",\"\"]\n");
	free(c.buf);
}

static void test_deep_nesting_is_bounded(void **state)
{
	struct capture c;
	struct json j;
	int i;

	(void)state;
	open_capture(&c, &j);
	for (i = 0; i < JSON_MAX_DEPTH + 4; i++)
		json_arr_open(&j);
	for (i = 0; i < JSON_MAX_DEPTH + 4; i++)
		json_arr_close(&j);
	close_capture(&c);
	assert_int_equal(j.depth, 0);
	free(c.buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_deep_nesting_is_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
