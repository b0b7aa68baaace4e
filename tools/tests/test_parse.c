// SPDX-License-Identifier: GPL-2.0
/* Unit tests for tools/lib/parse.c and the name tables. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "names.h"
#include "parse.h"

static void test_parse_ip(void **state)
{
	union inet_addr a;
	char buf[INET6_ADDRSTRLEN];
	int family = 0;

	(void)state;
	assert_int_equal(parse_ip("192.0.2.1", &family, &a), 0);
	assert_int_equal(family, AF_INET);
	assert_string_equal(format_ip(family, &a, buf, sizeof(buf)), "192.0.2.1");
	assert_int_equal(parse_ip("2001:db8::1", &family, &a), 0);
	assert_int_equal(family, AF_INET6);
	assert_string_equal(format_ip(family, &a, buf, sizeof(buf)), "2001:db8::1");

	family = 0;
	assert_int_equal(parse_ip("300.1.1.1", &family, &a), -EINVAL);
	assert_int_equal(parse_ip("192.0.2.1/24", &family, &a), -EINVAL);
	assert_int_equal(parse_ip("", &family, &a), -EINVAL);
	assert_int_equal(parse_ip("st0", &family, &a), -EINVAL);
	assert_int_equal(family, 0);
}

static void test_parse_numbers(void **state)
{
	uint32_t v = 7;
	uint64_t w;

	(void)state;
	assert_int_equal(parse_u32("1400", 68, 65535, &v), 0);
	assert_int_equal(v, 1400);
	assert_int_equal(parse_u32("0x10", 0, 100, &v), 0);
	assert_int_equal(v, 16);
	v = 7;
	assert_int_equal(parse_u32("67", 68, 65535, &v), -EINVAL);
	assert_int_equal(parse_u32("65536", 68, 65535, &v), -EINVAL);
	assert_int_equal(parse_u32("-1", 0, UINT32_MAX, &v), -EINVAL);
	assert_int_equal(parse_u32(" 5", 0, 10, &v), -EINVAL);
	assert_int_equal(parse_u32("5x", 0, 10, &v), -EINVAL);
	assert_int_equal(parse_u32("", 0, 10, &v), -EINVAL);
	assert_int_equal(parse_u32("4294967296", 0, UINT32_MAX, &v), -EINVAL);
	assert_int_equal(v, 7);
	assert_int_equal(parse_u64("18446744073709551615", &w), 0);
	assert_true(w == UINT64_MAX);
	assert_int_equal(parse_u64("18446744073709551616", &w), -EINVAL);
}

static void test_parse_words(void **state)
{
	bool on = false;

	(void)state;
	assert_int_equal(parse_onoff("on", &on), 0);
	assert_true(on);
	assert_int_equal(parse_onoff("no", &on), 0);
	assert_false(on);
	assert_int_equal(parse_onoff("maybe", &on), -EINVAL);
	assert_int_equal(parse_keyword("clear", sectun_df_names), SECTUN_DF_CLEAR);
	assert_int_equal(parse_keyword("copy", sectun_df_names), SECTUN_DF_COPY);
	assert_int_equal(parse_keyword("set", sectun_df_names), SECTUN_DF_SET);
	assert_int_equal(parse_keyword("Set", sectun_df_names), -EINVAL);
	assert_int_equal(parse_keyword("udp", sectun_encap_names), SECTUN_ENCAP_ESPINUDP);
}

static void test_format_bytes(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(format_bytes(0, buf, sizeof(buf)), "0 B");
	assert_string_equal(format_bytes(1023, buf, sizeof(buf)), "1023 B");
	assert_string_equal(format_bytes(1536, buf, sizeof(buf)), "1.50 KiB");
	assert_string_equal(format_bytes(3ULL << 30, buf, sizeof(buf)), "3.00 GiB");
}

/* Every counter of the ABI has exactly one name, and keys are unique. */
static void test_stat_names(void **state)
{
	int seen[__SECTUN_STAT_MAX] = { 0 };
	int i, k;

	(void)state;
	for (i = 0; i < sectun_stat_count; i++) {
		assert_in_range(sectun_stat_names[i].id, SECTUN_STAT_RX_PACKETS,
				SECTUN_STAT_MAX);
		seen[sectun_stat_names[i].id]++;
		for (k = 0; k < i; k++)
			assert_string_not_equal(sectun_stat_names[i].key,
						sectun_stat_names[k].key);
	}
	for (i = SECTUN_STAT_RX_PACKETS; i <= SECTUN_STAT_MAX; i++)
		assert_int_equal(seen[i], 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ip),
		cmocka_unit_test(test_parse_numbers),
		cmocka_unit_test(test_parse_words),
		cmocka_unit_test(test_format_bytes),
		cmocka_unit_test(test_stat_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
