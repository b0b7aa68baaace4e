// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for tools/iked/dh.c: RFC 5903 section 8 (ECP) and RFC 7748
 * section 6.1 (X25519) vectors, MODP agreement, and peer values that must
 * be refused.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/bn.h>

#include "algs.h"
#include "crypto/crypto.h"
#include "ikev2/ikev2.h"

struct bytes {
	uint8_t b[IKE_DH_MAX_PUBLIC_LEN];
	size_t len;
};

static void hex(struct bytes *out, const char *s)
{
	int n = parse_hex(s, out->b, sizeof(out->b));

	assert_true(n >= 0);
	out->len = (size_t)n;
}

static const uint16_t modp_groups[] = {
	IKE_DH_MODP768, IKE_DH_MODP1024, IKE_DH_MODP1536, IKE_DH_MODP2048,
	IKE_DH_MODP3072, IKE_DH_MODP4096, IKE_DH_MODP6144, IKE_DH_MODP8192,
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_dh_lengths(void **state)
{
	static const struct {
		uint16_t group;
		size_t pub, shared;
	} v[] = {
		{ IKE_DH_MODP768, 96, 96 }, { IKE_DH_MODP1024, 128, 128 },
		{ IKE_DH_MODP1536, 192, 192 }, { IKE_DH_MODP2048, 256, 256 },
		{ IKE_DH_MODP3072, 384, 384 }, { IKE_DH_MODP4096, 512, 512 },
		{ IKE_DH_MODP6144, 768, 768 }, { IKE_DH_MODP8192, 1024, 1024 },
		{ IKE_DH_ECP256, 64, 32 }, { IKE_DH_ECP384, 96, 48 },
		{ IKE_DH_ECP521, 132, 66 }, { IKE_DH_CURVE25519, 32, 32 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(v); i++) {
		assert_true(ike_dh_supported(v[i].group));
		assert_int_equal(ike_dh_public_len(v[i].group), v[i].pub);
		assert_int_equal(ike_dh_shared_len(v[i].group), v[i].shared);
	}
	assert_false(ike_dh_supported(IKE_DH_NONE));
	assert_false(ike_dh_supported(22));	/* MODP with subgroup: not offered */
	assert_int_equal(ike_dh_public_len(32), 0);
	assert_null(ike_dh_new(IKE_DH_NONE));
	assert_null(ike_dh_new(24));
}

/* Both sides from known private values; each must reach the known secret. */
static void check_vector(uint16_t group, const char *priv_i, const char *pub_i,
			 const char *priv_r, const char *pub_r, const char *shared)
{
	struct bytes di, dr, qi, qr, z;
	uint8_t out[IKE_DH_MAX_PUBLIC_LEN], secret[IKE_DH_MAX_SHARED_LEN];
	size_t secret_len = sizeof(secret);
	struct ike_dh *i, *r;

	hex(&di, priv_i);
	hex(&qi, pub_i);
	hex(&dr, priv_r);
	hex(&qr, pub_r);
	hex(&z, shared);
	i = ike_dh_new_from_private(group, di.b, di.len);
	r = ike_dh_new_from_private(group, dr.b, dr.len);
	assert_non_null(i);
	assert_non_null(r);
	assert_int_equal(ike_dh_group(i), group);

	assert_int_equal(ike_dh_public(i, out, qi.len), (int)qi.len);
	assert_memory_equal(out, qi.b, qi.len);
	assert_int_equal(ike_dh_public(r, out, qr.len), (int)qr.len);
	assert_memory_equal(out, qr.b, qr.len);

	assert_int_equal(ike_dh_shared(i, qr.b, qr.len, secret, &secret_len), 0);
	assert_int_equal(secret_len, z.len);
	assert_memory_equal(secret, z.b, z.len);
	secret_len = sizeof(secret);
	assert_int_equal(ike_dh_shared(r, qi.b, qi.len, secret, &secret_len), 0);
	assert_memory_equal(secret, z.b, z.len);

	ike_dh_free(i);
	ike_dh_free(r);
}

/* RFC 5903 section 8: i, g^i (x | y), r, g^r, and g^ir's x coordinate. */
static void test_ecp_rfc5903(void **state)
{
	(void)state;
	check_vector(IKE_DH_ECP256,
		     "C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433",
		     "DAD0B65394221CF9B051E1FECA5787D098DFE637FC90B9EF945D0C3772581180"
		     "5271A0461CDB8252D61F1C456FA3E59AB1F45B33ACCF5F58389E0577B8990BB3",
		     "C6EF9C5D78AE012A011164ACB397CE2088685D8F06BF9BE0B283AB46476BEE53",
		     "D12DFB5289C8D4F81208B70270398C342296970A0BCCB74C736FC7554494BF63"
		     "56FBF3CA366CC23E8157854C13C58D6AAC23F046ADA30F8353E74F33039872AB",
		     "D6840F6B42F6EDAFD13116E0E12565202FEF8E9ECE7DCE03812464D04B9442DE");
	check_vector(IKE_DH_ECP384,
		     "099F3C7034D4A2C699884D73A375A67F7624EF7C6B3C0F160647B67414DCE655"
		     "E35B538041E649EE3FAEF896783AB194",
		     "667842D7D180AC2CDE6F74F37551F55755C7645C20EF73E31634FE72B4C55EE6"
		     "DE3AC808ACB4BDB4C88732AEE95F41AA"
		     "9482ED1FC0EEB9CAFC4984625CCFC23F65032149E0E144ADA024181535A0F38E"
		     "EB9FCFF3C2C947DAE69B4C634573A81C",
		     "41CB0779B4BDB85D47846725FBEC3C9430FAB46CC8DC5060855CC9BDA0AA2942"
		     "E0308312916B8ED2960E4BD55A7448FC",
		     "E558DBEF53EECDE3D3FCCFC1AEA08A89A987475D12FD950D83CFA41732BC509D"
		     "0D1AC43A0336DEF96FDA41D0774A3571"
		     "DCFBEC7AACF3196472169E838430367F66EEBE3C6E70C416DD5F0C68759DD1FF"
		     "F83FA40142209DFF5EAAD96DB9E6386C",
		     "11187331C279962D93D604243FD592CB9D0A926F422E47187521287E7156C5C4"
		     "D603135569B9E9D09CF5D4A270F59746");
	check_vector(IKE_DH_ECP521,
		     "0037ADE9319A89F4DABDB3EF411AACCCA5123C61ACAB57B5393DCE47608172A0"
		     "95AA85A30FE1C2952C6771D937BA9777F5957B2639BAB072462F68C27A57382D"
		     "4A52",
		     "0015417E84DBF28C0AD3C278713349DC7DF153C897A1891BD98BAB4357C9ECBE"
		     "E1E3BF42E00B8E380AEAE57C2D107564941885942AF5A7F4601723C4195D176C"
		     "ED3E"
		     "017CAE20B6641D2EEB695786D8C946146239D099E18E1D5A514C739D7CB4A10A"
		     "D8A788015AC405D7799DC75E7B7D5B6CF2261A6A7F1507438BF01BEB6CA3926F"
		     "9582",
		     "0145BA99A847AF43793FDD0E872E7CDFA16BE30FDC780F97BCCC3F078380201E"
		     "9C677D600B343757A3BDBF2A3163E4C2F869CCA7458AA4A4EFFC311F5CB151685"
		     "EB9",
		     "00D0B3975AC4B799F5BEA16D5E13E9AF971D5E9B984C9F39728B5E5739735A21"
		     "9B97C356436ADC6E95BB0352F6BE64A6C2912D4EF2D0433CED2B6171640012D9"
		     "460F"
		     "015C68226383956E3BD066E797B623C27CE0EAC2F551A10C2C724D9852077B87"
		     "220B6536C5C408A1D2AEBB8E86D678AE49CB57091F4732296579AB44FCD17F0F"
		     "C56A",
		     "01144C7D79AE6956BC8EDB8E7C787C4521CB086FA64407F97894E5E6B2D79B04"
		     "D1427E73CA4BAA240A34786859810C06B3C715A3A8CC3151F2BEE417996D19F3"
		     "DDEA");
}

/* RFC 7748 section 6.1: Alice and Bob. */
static void test_x25519_rfc7748(void **state)
{
	(void)state;
	check_vector(IKE_DH_CURVE25519,
		     "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
		     "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
		     "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
		     "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
		     "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
}

/* Two fresh key pairs of @group agree, and nobody else's key does. */
static void check_agree(uint16_t group)
{
	size_t len = ike_dh_public_len(group), s_len = ike_dh_shared_len(group);
	uint8_t pub_a[IKE_DH_MAX_PUBLIC_LEN], pub_b[IKE_DH_MAX_PUBLIC_LEN];
	uint8_t s_a[IKE_DH_MAX_SHARED_LEN], s_b[IKE_DH_MAX_SHARED_LEN];
	size_t a_len = sizeof(s_a), b_len = sizeof(s_b);
	struct ike_dh *a = ike_dh_new(group), *b = ike_dh_new(group);

	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(ike_dh_public(a, pub_a, len), (int)len);
	assert_int_equal(ike_dh_public(b, pub_b, len), (int)len);
	assert_memory_not_equal(pub_a, pub_b, len);
	assert_int_equal(ike_dh_public(a, pub_a, len - 1), -EINVAL);

	assert_int_equal(ike_dh_shared(a, pub_b, len, s_a, &a_len), 0);
	assert_int_equal(ike_dh_shared(b, pub_a, len, s_b, &b_len), 0);
	assert_int_equal(a_len, s_len);
	assert_int_equal(b_len, s_len);
	assert_memory_equal(s_a, s_b, s_len);

	a_len = s_len - 1;
	assert_int_equal(ike_dh_shared(a, pub_b, len, s_a, &a_len), -EINVAL);
	ike_dh_free(a);
	ike_dh_free(b);
}

static void test_agree(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < N(modp_groups); i++)
		check_agree(modp_groups[i]);
	check_agree(IKE_DH_ECP256);
	check_agree(IKE_DH_ECP384);
	check_agree(IKE_DH_ECP521);
	check_agree(IKE_DH_CURVE25519);
	ike_dh_free(NULL);
}

static void expect_refused(struct ike_dh *dh, const uint8_t *peer, size_t len)
{
	uint8_t secret[IKE_DH_MAX_SHARED_LEN];
	size_t secret_len = sizeof(secret);

	assert_int_equal(ike_dh_shared(dh, peer, len, secret, &secret_len), -EINVAL);
}

static BIGNUM *modp_prime(uint16_t group)
{
	switch (group) {
	case IKE_DH_MODP768: return BN_get_rfc2409_prime_768(NULL);
	case IKE_DH_MODP1024: return BN_get_rfc2409_prime_1024(NULL);
	case IKE_DH_MODP1536: return BN_get_rfc3526_prime_1536(NULL);
	case IKE_DH_MODP2048: return BN_get_rfc3526_prime_2048(NULL);
	case IKE_DH_MODP3072: return BN_get_rfc3526_prime_3072(NULL);
	case IKE_DH_MODP4096: return BN_get_rfc3526_prime_4096(NULL);
	case IKE_DH_MODP6144: return BN_get_rfc3526_prime_6144(NULL);
	default: return BN_get_rfc3526_prime_8192(NULL);
	}
}

/* 0, 1, p - 1, p, 2^n - 1 and wrong lengths are refused; 2 and p - 2 are not. */
static void test_modp_refuses(void **state)
{
	uint8_t v[IKE_DH_MAX_PUBLIC_LEN + 1], secret[IKE_DH_MAX_SHARED_LEN];
	size_t i, len, secret_len;
	struct ike_dh *dh;
	BIGNUM *p;

	(void)state;
	for (i = 0; i < N(modp_groups); i++) {
		len = ike_dh_public_len(modp_groups[i]);
		dh = ike_dh_new(modp_groups[i]);
		p = modp_prime(modp_groups[i]);
		assert_non_null(dh);
		assert_non_null(p);

		memset(v, 0, len);
		expect_refused(dh, v, len);		/* 0 */
		v[len - 1] = 1;
		expect_refused(dh, v, len);		/* 1 */
		assert_int_equal(BN_bn2binpad(p, v, (int)len), (int)len);
		expect_refused(dh, v, len);		/* p */
		v[len - 1]--;
		expect_refused(dh, v, len);		/* p - 1 */
		memset(v, 0xff, len);
		expect_refused(dh, v, len);		/* beyond p */
		ike_dh_public(dh, v, len);
		expect_refused(dh, v, len - 1);
		v[len] = 0;
		expect_refused(dh, v, len + 1);
		expect_refused(dh, v, 0);

		memset(v, 0, len);
		v[len - 1] = 2;
		secret_len = sizeof(secret);
		assert_int_equal(ike_dh_shared(dh, v, len, secret, &secret_len), 0);
		assert_int_equal(BN_bn2binpad(p, v, (int)len), (int)len);
		v[len - 1] -= 2;
		secret_len = sizeof(secret);
		assert_int_equal(ike_dh_shared(dh, v, len, secret, &secret_len), 0);
		BN_free(p);
		ike_dh_free(dh);
	}
}

/* MODP from a private value: x = 3 gives 2^3 = 8, left-padded. */
static void test_modp_from_private(void **state)
{
	static const uint8_t three = 3;
	uint8_t pub[128], want[128] = { 0 };
	struct ike_dh *dh;

	(void)state;
	dh = ike_dh_new_from_private(IKE_DH_MODP1024, &three, 1);
	assert_non_null(dh);
	assert_int_equal(ike_dh_public(dh, pub, sizeof(pub)), 128);
	want[127] = 8;
	assert_memory_equal(pub, want, sizeof(want));
	ike_dh_free(dh);

	assert_null(ike_dh_new_from_private(IKE_DH_MODP1024, &three, 0));
	assert_null(ike_dh_new_from_private(IKE_DH_CURVE25519, &three, 1));
	assert_null(ike_dh_new_from_private(IKE_DH_NONE, &three, 1));
}

/* Points off the curve, out of the field, or of the wrong length. */
static void test_ecp_refuses(void **state)
{
	static const uint16_t groups[] = { IKE_DH_ECP256, IKE_DH_ECP384, IKE_DH_ECP521 };
	uint8_t v[IKE_DH_MAX_PUBLIC_LEN + 1];
	struct ike_dh *dh, *other;
	size_t i, len;

	(void)state;
	for (i = 0; i < N(groups); i++) {
		len = ike_dh_public_len(groups[i]);
		dh = ike_dh_new(groups[i]);
		other = ike_dh_new(groups[i]);
		assert_non_null(dh);
		assert_non_null(other);
		assert_int_equal(ike_dh_public(other, v, len), (int)len);
		v[len - 1] ^= 1;			/* y no longer fits x */
		expect_refused(dh, v, len);
		v[len - 1] ^= 1;
		expect_refused(dh, v, len - 1);
		v[len] = 0;
		expect_refused(dh, v, len + 1);
		memset(v, 0, len);			/* (0, 0) */
		expect_refused(dh, v, len);
		memset(v, 0xff, len);			/* beyond the field */
		expect_refused(dh, v, len);
		ike_dh_free(other);
		ike_dh_free(dh);
	}
}

/* Low-order points give an all-zero secret (RFC 7748 6.1, RFC 8031 2.3). */
static void test_x25519_refuses(void **state)
{
	uint8_t v[33] = { 0 };
	struct ike_dh *dh = ike_dh_new(IKE_DH_CURVE25519);

	(void)state;
	assert_non_null(dh);
	expect_refused(dh, v, 32);		/* u = 0 */
	v[0] = 1;
	expect_refused(dh, v, 32);		/* u = 1 */
	expect_refused(dh, v, 31);
	expect_refused(dh, v, 33);
	ike_dh_free(dh);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dh_lengths),
		cmocka_unit_test(test_ecp_rfc5903),
		cmocka_unit_test(test_x25519_rfc7748),
		cmocka_unit_test(test_agree),
		cmocka_unit_test(test_modp_refuses),
		cmocka_unit_test(test_modp_from_private),
		cmocka_unit_test(test_ecp_refuses),
		cmocka_unit_test(test_x25519_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
