// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for IKEv1 message protection (tools/iked/ikev1/crypt.c,
 * hash.c): CBC against NIST SP 800-38A F.2.1 with the IV carried from
 * one message to the next, HASH_R against a handshake recorded by
 * RUB-NDS/IPsec-StateMachineExtractor's tests (see test_isakmp_keys.c),
 * HASH(1)/(2)/(3) against values computed with Python's hmac from RFC
 * 2409 5.5, and a whole informational message: written, hashed,
 * encrypted, then decrypted, parsed and checked as a receiver does.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "hex.h"
#include "ikev1/crypt.h"
#include "ikev1/hash.h"
#include "ikev2/ikev2.h"

/* SP 800-38A F.2.1: two messages of two blocks, the second under the first's last block. */
static void test_cbc_chaining(void **state)
{
	uint8_t key[16], iv[16], next[16], buf[32], want[64];

	(void)state;
	unhex("2b7e151628aed2a6abf7158809cf4f3c", key, 16);
	unhex("000102030405060708090a0b0c0d0e0f", iv, 16);
	unhex("7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"
	      "73bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7", want, 64);
	unhex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51", buf, 32);
	assert_int_equal(isakmp_encrypt(ISAKMP_ENCR_AES_CBC, key, 16, iv, buf, 32, 32), 32);
	assert_memory_equal(buf, want, 32);
	assert_memory_equal(iv, want + 16, 16);
	unhex("30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710", buf, 32);
	assert_int_equal(isakmp_encrypt(ISAKMP_ENCR_AES_CBC, key, 16, iv, buf, 32, 32), 32);
	assert_memory_equal(buf, want + 32, 32);

	/*
	 * The receiver's side: the next IV is the ciphertext's last block,
	 * handed out beside the current one, which stays as it was.
	 */
	unhex("000102030405060708090a0b0c0d0e0f", iv, 16);
	memcpy(buf, want, 32);
	assert_int_equal(isakmp_decrypt(ISAKMP_ENCR_AES_CBC, key, 16, iv, next, buf, 32), 0);
	assert_memory_equal(next, want + 16, 16);
	assert_int_equal(iv[15], 0x0f);
	memcpy(buf, want + 32, 32);
	assert_int_equal(isakmp_decrypt(ISAKMP_ENCR_AES_CBC, key, 16, next, iv, buf, 32), 0);
	assert_memory_equal(iv, want + 48, 16);
	unhex("30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710", want, 32);
	assert_memory_equal(buf, want, 32);
}

static void test_cipher_table(void **state)
{
	uint8_t key[32] = { 0 }, iv[16] = { 0 }, buf[32] = { 1 };

	(void)state;
	assert_int_equal(isakmp_encr_key_len(ISAKMP_ENCR_AES_CBC, 256), 32);
	assert_int_equal(isakmp_encr_key_len(ISAKMP_ENCR_AES_CBC, 0), 0);	/* RFC 3602 */
	assert_int_equal(isakmp_encr_key_len(ISAKMP_ENCR_AES_CBC, 64), 0);
	assert_int_equal(isakmp_encr_key_len(ISAKMP_ENCR_3DES_CBC, 0), 24);
	assert_int_equal(isakmp_encr_key_len(ISAKMP_ENCR_DES_CBC, 0), 0);
	assert_int_equal(isakmp_encr_block_len(ISAKMP_ENCR_3DES_CBC), 8);
	assert_int_equal(isakmp_padded_len(ISAKMP_ENCR_3DES_CBC, 17), 24);
	assert_int_equal(isakmp_padded_len(ISAKMP_ENCR_AES_CBC, 32), 32);

	/* 17 bytes of 3DES: zero padding to 24, and back. */
	assert_int_equal(isakmp_encrypt(ISAKMP_ENCR_3DES_CBC, key, 24, iv, buf, 17, 23), -EINVAL);
	assert_int_equal(isakmp_encrypt(ISAKMP_ENCR_3DES_CBC, key, 24, iv, buf, 17, 32), 24);
	memset(iv, 0, sizeof(iv));
	assert_int_equal(isakmp_decrypt(ISAKMP_ENCR_3DES_CBC, key, 24, iv, iv, buf, 24), 0);
	assert_int_equal(buf[0], 1);
	assert_int_equal(buf[17] | buf[23], 0);
	/* Not whole blocks, nothing, or a cipher we do not run. */
	assert_int_equal(isakmp_decrypt(ISAKMP_ENCR_AES_CBC, key, 16, iv, iv, buf, 24), -EINVAL);
	assert_int_equal(isakmp_decrypt(ISAKMP_ENCR_AES_CBC, key, 16, iv, iv, buf, 0), -EINVAL);
	assert_int_equal(isakmp_decrypt(ISAKMP_ENCR_DES_CBC, key, 8, iv, iv, buf, 8), -ENOTSUP);
	assert_int_equal(isakmp_encrypt(ISAKMP_ENCR_AES_CBC, key, 20, iv, buf, 8, 32), -ENOTSUP);
}

/* RUB-NDS KM-2: HASH_R of a main mode with PSK "AAAA", SHA-1, MODP 1024. */
static void test_hash_r(void **state)
{
	struct isakmp_keys k = { .prf = IKE_PRF_HMAC_SHA1, .len = 20 };
	uint8_t gxi[128], gxr[128], cky_i[8], cky_r[8], sai[64], idr[8], out[20], want[20];
	size_t sai_len;

	(void)state;
	unhex("a8b04c567a6bb3ab17da6a07f3f1667e6c70fb992ffe0a01dccc0877214c1936cc13a66aa97e4cd9"
	      "ebfd61f6a7119859bba763255b54364d37a59f969d230f877cce6d77ca843e5f0cb24e354d51a429"
	      "aabf75238f5a17ef5801f3b02d9f35dcd3562c35e6aeff67e9c71961f9313b6306c2c1adb428d6e7"
	      "0e713f894d9b7eda", gxi, sizeof(gxi));
	unhex("7947cdf90ed5f07ca325c9c9e6de95a82e5728b2e1daf44866100723ad2bed0f09e8383cf89c7645"
	      "c805c2942d4aebfa1b6c351a9666faa1f4988c3a557cb411a3b73fd3e094144e646ef5eb85118a61"
	      "f06c6359e0f19b43a99720b49ae322155d462004be5e09140cfc843e0622c6735bc90ab730577fc3"
	      "11b23b25a8d283fa", gxr, sizeof(gxr));
	unhex("dc3f1d7452b2c376", cky_i, 8);
	unhex("5f17969262b7829b", cky_r, 8);
	sai_len = unhex("00000001000000010000002c01010001000000240101000080010007800e0080800200028004"
			"000280030001800b0001800c7080", sai, sizeof(sai));
	unhex("010000000a00030a", idr, 8);
	unhex("505e91ca4127fe30d9cad15f6176e8c504d2d612", k.skeyid, 20);
	assert_int_equal(isakmp_hash_phase1(&k, false, gxi, 128, gxr, 128, cky_i, cky_r, sai,
					    sai_len, idr, 8, out), 20);
	unhex("ddb2cf1067913e83ea6633b8b174bc8ce559b9d1", want, 20);
	assert_memory_equal(out, want, 20);
	/* HASH_I differs: the order of everything but SAi_b is the other way round. */
	assert_int_equal(isakmp_hash_phase1(&k, true, gxi, 128, gxr, 128, cky_i, cky_r, sai,
					    sai_len, idr, 8, out), 20);
	assert_memory_not_equal(out, want, 20);
}

static void test_quick_mode_hashes(void **state)
{
	struct isakmp_keys k = { .prf = IKE_PRF_HMAC_SHA1, .len = 20 };
	uint8_t rest[16], ni[16], nr[32], out[20], want[20];
	size_t i;

	(void)state;
	unhex("1de7b88b63deea0bb41374c6f9514f64b894e083", k.skeyid_a, 20);
	unhex("0000000c00000001030400010000002a", rest, sizeof(rest));
	for (i = 0; i < sizeof(ni); i++)
		ni[i] = (uint8_t)i;
	for (i = 0; i < sizeof(nr); i++)
		nr[i] = (uint8_t)(16 + i);
	assert_int_equal(isakmp_hash_msg(&k, 0xd8029d42, NULL, 0, rest, 16, out), 20);
	unhex("39ef5ed8a53e79198c655ac2e5ddc9243632630d", want, 20);
	assert_memory_equal(out, want, 20);
	assert_int_equal(isakmp_hash_msg(&k, 0xd8029d42, ni, 16, rest, 16, out), 20);
	unhex("236a74cb6828236dc8f20fad4e2a65cfd8fc0349", want, 20);
	assert_memory_equal(out, want, 20);
	assert_int_equal(isakmp_hash3(&k, 0xd8029d42, ni, 16, nr, 32, out), 20);
	unhex("a1adddd522bad236313b710280123516be0b9770", want, 20);
	assert_memory_equal(out, want, 20);
	k.len = 0;
	assert_int_equal(isakmp_hash3(&k, 1, ni, 16, nr, 32, out), -EINVAL);
}

/*
 * An informational exchange's DPD R-U-THERE as a sender builds it and a
 * receiver takes it: HASH(1) over the notify, then encryption; the
 * receiver decrypts, parses the padded chain, recomputes the hash. A bit
 * flipped in the ciphertext fails the hash.
 */
static void test_informational_message(void **state)
{
	struct isakmp_keys k = { .prf = IKE_PRF_HMAC_SHA2_256, .len = 32 };
	struct ike_header h = { .spi_i = { 1 }, .spi_r = { 2 }, .version = ISAKMP_VERSION,
				.exchange = ISAKMP_XCHG_INFO, .flags = ISAKMP_FLAG_ENCRYPTION,
				.msgid = 0x1234abcd };
	uint8_t msg[256], copy[256], iv_tx[16], iv_rx[16], next_rx[16], h1[32], check[32];
	const uint8_t seq[4] = { 0, 0, 0, 7 };
	const uint8_t *hash, *rest;
	size_t hash_len, rest_len, hash_off;
	struct isakmp_notify n;
	struct isakmp_msg m;
	struct ike_writer w;
	int len, clen;

	(void)state;
	memset(k.ka, 0x5a, 32);
	memset(k.skeyid_a, 0xa5, 32);
	memset(iv_tx, 0x11, 16);
	memcpy(iv_rx, iv_tx, 16);
	ike_w_init(&w, msg, sizeof(msg));
	ike_w_header(&w, &h);
	hash_off = ike_w_begin(&w, ISAKMP_PL_HASH, false);
	ike_w_reserve(&w, 32);
	ike_w_end(&w, hash_off);
	isakmp_w_notify(&w, ISAKMP_DOI_IPSEC, ISAKMP_PROTO_ISAKMP, msg, 16,
			ISAKMP_N_DPD_R_U_THERE, seq, 4);
	len = ike_w_finish(&w);
	assert_true(len > 0);
	assert_int_equal(isakmp_hash_msg(&k, h.msgid, NULL, 0, msg + hash_off + 36,
					 (size_t)len - hash_off - 36, h1), 32);
	memcpy(msg + hash_off + 4, h1, 32);
	clen = isakmp_encrypt(ISAKMP_ENCR_AES_CBC, k.ka, 32, iv_tx, msg + IKE_HDR_LEN,
			      (size_t)len - IKE_HDR_LEN, sizeof(msg) - IKE_HDR_LEN);
	assert_true(clen > len - IKE_HDR_LEN);
	msg[24] = 0;			/* the length, padding included */
	msg[27] = (uint8_t)(IKE_HDR_LEN + clen);
	memcpy(copy, msg, sizeof(msg));

	/* The receiver. */
	assert_int_equal(isakmp_parse_msg(msg, IKE_HDR_LEN + (size_t)clen, &m), 0);
	assert_int_equal(m.n, 0);
	assert_int_equal(isakmp_decrypt(ISAKMP_ENCR_AES_CBC, k.ka, 32, iv_rx, next_rx,
					msg + IKE_HDR_LEN, (size_t)clen), 0);
	assert_memory_equal(next_rx, iv_tx, 16);
	assert_int_equal(isakmp_parse_payloads(msg + IKE_HDR_LEN, (size_t)clen, m.hdr.next_payload,
					       IKE_HDR_LEN, true, &m), 0);
	assert_int_equal(m.n, 2);
	assert_int_equal(m.chain_end, (size_t)len);
	assert_int_equal(isakmp_split_hash(&m, msg, &hash, &hash_len, &rest, &rest_len), 0);
	assert_int_equal(isakmp_hash_msg(&k, m.hdr.msgid, NULL, 0, rest, rest_len, check), 32);
	assert_true(isakmp_hash_equal(&k, check, hash, hash_len));
	/* A HASH cut short is no match, however well its bytes agree. */
	assert_false(isakmp_hash_equal(&k, check, hash, 31));
	assert_false(isakmp_hash_equal(&k, check, hash, 1));
	assert_int_equal(isakmp_decode_notify(&m.pl[1], &n), 0);
	assert_int_equal(n.type, ISAKMP_N_DPD_R_U_THERE);

	/* A flipped bit in the last block garbles what the hash covers. */
	copy[IKE_HDR_LEN + clen - 20] ^= 1;
	assert_int_equal(isakmp_decrypt(ISAKMP_ENCR_AES_CBC, k.ka, 32, iv_rx, next_rx,
					copy + IKE_HDR_LEN, (size_t)clen), 0);
	if (!isakmp_parse_payloads(copy + IKE_HDR_LEN, (size_t)clen, m.hdr.next_payload,
				   IKE_HDR_LEN, true, &m) &&
	    !isakmp_split_hash(&m, copy, &hash, &hash_len, &rest, &rest_len)) {
		isakmp_hash_msg(&k, m.hdr.msgid, NULL, 0, rest, rest_len, check);
		assert_false(isakmp_hash_equal(&k, check, hash, hash_len));
	}
	/* A message without HASH first is not one of these. */
	m.pl[0].type = ISAKMP_PL_NOTIFY;
	assert_int_equal(isakmp_split_hash(&m, copy, &hash, &hash_len, &rest, &rest_len),
			 IKE_E_MISSING);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cbc_chaining),
		cmocka_unit_test(test_cipher_table),
		cmocka_unit_test(test_hash_r),
		cmocka_unit_test(test_quick_mode_hashes),
		cmocka_unit_test(test_informational_message),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
