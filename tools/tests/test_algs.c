// SPDX-License-Identifier: GPL-2.0
/* Unit tests for tools/lib/algs.c: names, IDs, key lengths, hex keys. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <linux/sectun.h>

#include "algs.h"

static void test_encr_names(void **state)
{
	const struct sectun_encr_alg *a;

	(void)state;
	a = sectun_encr_by_name("aes-gcm-128");
	assert_non_null(a);
	assert_ptr_equal(a, sectun_encr_by_name("aes128gcm16"));
	assert_ptr_equal(a, sectun_encr_by_name("AES128GCM16"));
	assert_int_equal(a->id, SECTUN_ENCR_AES_GCM_16);
	assert_int_equal(sectun_encr_key_len(a), 20);
	assert_int_equal(sectun_encr_by_name("aes256gcm8")->id, SECTUN_ENCR_AES_GCM_8);
	assert_int_equal(sectun_encr_key_len(sectun_encr_by_name("aes256gcm8")), 36);
	assert_int_equal(sectun_encr_by_name("aes-256-cbc")->id, SECTUN_ENCR_AES_CBC);
	assert_int_equal(sectun_encr_key_len(sectun_encr_by_name("aes192")), 24);
	assert_int_equal(sectun_encr_key_len(sectun_encr_by_name("chacha20poly1305")), 36);
	assert_int_equal(sectun_encr_key_len(sectun_encr_by_name("3des")), 24);
	assert_int_equal(sectun_encr_key_len(sectun_encr_by_name("null")), 0);
	assert_null(sectun_encr_by_name("des"));
	assert_null(sectun_encr_by_name("aes-gcm"));
	assert_ptr_equal(sectun_encr_by_id(SECTUN_ENCR_AES_GCM_16, 256),
			 sectun_encr_by_name("aes-gcm-256"));
	assert_null(sectun_encr_by_id(SECTUN_ENCR_AES_GCM_16, 64));
}

static void test_integ_names(void **state)
{
	(void)state;
	assert_int_equal(sectun_integ_by_name("hmac-sha-256-128")->id,
			 SECTUN_INTEG_HMAC_SHA2_256_128);
	assert_int_equal(sectun_integ_by_name("sha256")->key_bytes, 32);
	assert_int_equal(sectun_integ_by_name("hmac-sha-384")->icv, 24);
	assert_int_equal(sectun_integ_by_name("sha1")->icv, 12);
	assert_int_equal(sectun_integ_by_name("md5")->key_bytes, 16);
	assert_null(sectun_integ_by_name("sha3"));
	assert_string_equal(sectun_integ_by_id(SECTUN_INTEG_HMAC_SHA2_512_256)->name,
			    "hmac-sha-512-256");
}

static void test_hex(void **state)
{
	uint8_t buf[4];

	(void)state;
	assert_int_equal(parse_hex("0x0011aaFF", buf, sizeof(buf)), 4);
	assert_int_equal(buf[0], 0x00);
	assert_int_equal(buf[3], 0xff);
	assert_int_equal(parse_hex("", buf, sizeof(buf)), 0);
	assert_int_equal(parse_hex("abc", buf, sizeof(buf)), -1);
	assert_int_equal(parse_hex("zz", buf, sizeof(buf)), -1);
	assert_int_equal(parse_hex("0011223344", buf, sizeof(buf)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encr_names),
		cmocka_unit_test(test_integ_names),
		cmocka_unit_test(test_hex),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
