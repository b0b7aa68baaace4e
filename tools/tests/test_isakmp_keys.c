// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for IKEv1 key derivation (tools/iked/ikev1/keys.c).
 *
 * SKEYID and SKEYID_d/_a/_e: the NIST CAVP SP 800-135 IKEv1 KDF sample
 * vectors (CAVS 17.3, 2015), COUNT 0-2 of every section of the PSK and
 * the digital-signature files, in tools/tests/data/ (as NSS carries them:
 * tests/fips/cavs_samples/IKE/fax/).
 *
 * IVs and KEYMAT have no NIST vectors. The values below come from the
 * unit tests of RUB-NDS/IPsec-StateMachineExtractor (a Java IKEv1
 * implementation, IKEv1HandshakeSessionSecretsTest.java), taken from its
 * handshakes with real peers, and were recomputed with Python's hmac and
 * hashlib from RFC 2409's formulas; the Appendix B key expansion and the
 * PFS KEYMAT were computed with Python alone, the same way.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hex.h"
#include "ikev1/isakmp.h"
#include "ikev1/keys.h"
#include "ikev2/ikev2.h"

#define MAX_HEX 2048	/* bytes: g^xy of 8192 bits is 1024 */

struct vector {
	uint16_t prf;
	uint8_t cky_i[8], cky_r[8];
	uint8_t ni[MAX_HEX], nr[MAX_HEX], gxy[MAX_HEX], psk[MAX_HEX];
	size_t ni_len, nr_len, gxy_len, psk_len;
	uint8_t skeyid[64], d[64], a[64], e[64];
};

/* Checks one vector; PSK mode when the file gave a pre-shared key. */
static void check_vector(const struct vector *v, bool psk)
{
	struct isakmp_keys k = { .prf = v->prf };
	size_t len = ike_prf_len(v->prf);

	if (psk)
		assert_int_equal(isakmp_skeyid_psk(v->prf, v->psk, v->psk_len, v->ni, v->ni_len,
						   v->nr, v->nr_len, k.skeyid), (int)len);
	else
		assert_int_equal(isakmp_skeyid_sig(v->prf, v->ni, v->ni_len, v->nr, v->nr_len,
						   v->gxy, v->gxy_len, k.skeyid), (int)len);
	assert_memory_equal(k.skeyid, v->skeyid, len);
	assert_int_equal(isakmp_derive_keys(&k, v->gxy, v->gxy_len, v->cky_i, v->cky_r, 16), 0);
	assert_memory_equal(k.skeyid_d, v->d, len);
	assert_memory_equal(k.skeyid_a, v->a, len);
	assert_memory_equal(k.skeyid_e, v->e, len);
	assert_memory_equal(k.ka, v->e, 16);
	isakmp_keys_wipe(&k);
}

/* Runs every vector of a CAVP .fax file; returns how many. */
static unsigned int run_fax(const char *path, bool psk)
{
	static struct vector v;
	char line[8192], *eq;
	unsigned int n = 0;
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!strcmp(line, "[SHA-1]"))
			v.prf = IKE_PRF_HMAC_SHA1;
		else if (!strcmp(line, "[SHA-256]"))
			v.prf = IKE_PRF_HMAC_SHA2_256;
		else if (!strcmp(line, "[SHA-384]"))
			v.prf = IKE_PRF_HMAC_SHA2_384;
		else if (!strcmp(line, "[SHA-512]"))
			v.prf = IKE_PRF_HMAC_SHA2_512;
		eq = strstr(line, " = ");
		if (!eq || line[0] == '[' || line[0] == '#')
			continue;
		*eq = '\0';
		eq += 3;
		if (!strcmp(line, "CKY_I"))
			unhex(eq, v.cky_i, 8);
		else if (!strcmp(line, "CKY_R"))
			unhex(eq, v.cky_r, 8);
		else if (!strcmp(line, "Ni"))
			v.ni_len = unhex(eq, v.ni, MAX_HEX);
		else if (!strcmp(line, "Nr"))
			v.nr_len = unhex(eq, v.nr, MAX_HEX);
		else if (!strcmp(line, "g^xy"))
			v.gxy_len = unhex(eq, v.gxy, MAX_HEX);
		else if (!strcmp(line, "pre-shared-key"))
			v.psk_len = unhex(eq, v.psk, MAX_HEX);
		else if (!strcmp(line, "SKEYID"))
			unhex(eq, v.skeyid, 64);
		else if (!strcmp(line, "SKEYID_d"))
			unhex(eq, v.d, 64);
		else if (!strcmp(line, "SKEYID_a"))
			unhex(eq, v.a, 64);
		else if (!strcmp(line, "SKEYID_e")) {
			unhex(eq, v.e, 64);
			assert_int_not_equal(v.prf, 0);
			check_vector(&v, psk);
			n++;
		}
	}
	fclose(f);
	return n;
}

static void test_cavp_psk(void **state)
{
	(void)state;
	assert_int_equal(run_fax("tools/tests/data/ikev1_psk.fax", true), 51);
}

static void test_cavp_signature(void **state)
{
	(void)state;
	assert_int_equal(run_fax("tools/tests/data/ikev1_dsa.fax", false), 51);
}

/* RUB-NDS KM-2: main mode PSK "AAAA", SHA-1, AES-128, MODP 1024. */
static const char km2_gxi[] =
	"a8b04c567a6bb3ab17da6a07f3f1667e6c70fb992ffe0a01dccc0877214c1936cc13a66aa97e4cd9ebfd61f6a7"
	"119859bba763255b54364d37a59f969d230f877cce6d77ca843e5f0cb24e354d51a429aabf75238f5a17ef5801"
	"f3b02d9f35dcd3562c35e6aeff67e9c71961f9313b6306c2c1adb428d6e70e713f894d9b7eda";
static const char km2_gxr[] =
	"7947cdf90ed5f07ca325c9c9e6de95a82e5728b2e1daf44866100723ad2bed0f09e8383cf89c7645c805c2942d"
	"4aebfa1b6c351a9666faa1f4988c3a557cb411a3b73fd3e094144e646ef5eb85118a61f06c6359e0f19b43a997"
	"20b49ae322155d462004be5e09140cfc843e0622c6735bc90ab730577fc311b23b25a8d283fa";

static void test_ivs(void **state)
{
	uint8_t gxi[128], gxr[128], iv[16], want[16];
	uint16_t prf = isakmp_hash_prf(ISAKMP_HASH_SHA1);

	(void)state;
	assert_int_equal(prf, IKE_PRF_HMAC_SHA1);
	unhex(km2_gxi, gxi, sizeof(gxi));
	unhex(km2_gxr, gxr, sizeof(gxr));
	assert_int_equal(isakmp_phase1_iv(prf, gxi, 128, gxr, 128, 16, iv), 0);
	unhex("0e09ed33bac3584d1d10762a9bd026c1", want, 16);
	assert_memory_equal(iv, want, 16);
	/* No phase 1 message was encrypted there: its last block is the first IV. */
	assert_int_equal(isakmp_msgid_iv(prf, want, 16, 0xd8029d42, iv), 0);
	unhex("0bf60ed4c34fea8a12077a204dfd413f", want, 16);
	assert_memory_equal(iv, want, 16);
	/* A block longer than the hash, or none, cannot be. */
	assert_int_equal(isakmp_phase1_iv(IKE_PRF_HMAC_MD5, gxi, 128, gxr, 128, 17, iv), -EINVAL);
	assert_int_equal(isakmp_msgid_iv(prf, want, 0, 1, iv), -EINVAL);
	assert_int_equal(isakmp_hash_prf(3), 0);	/* Tiger */
}

/* RUB-NDS KM-3: quick mode KEYMAT without PFS, 36 bytes for each SPI. */
static void test_keymat(void **state)
{
	struct isakmp_keys k = { .prf = IKE_PRF_HMAC_SHA1, .len = 20 };
	uint8_t ni[16], nr[32], out[40], want[40], g[32];
	size_t i;

	(void)state;
	unhex("b6cd873cdfe99dee9a42202ba0d43f61da3e6a99", k.skeyid_d, 20);
	unhex("cec1ae1e6e1d7f5b6d59a658ce2933eb", ni, sizeof(ni));
	unhex("8ee957f9076b169465d28c0075bfadde31f9bf5a7cf6f48ca3e63d729dc36992", nr, sizeof(nr));
	assert_int_equal(isakmp_keymat(&k, NULL, 0, ISAKMP_PROTO_ESP, 0xc6af22ee, ni, 16, nr, 32,
				       out, 36), 0);
	unhex("7a4a4c9117705ff453f50a8914bd7726665f3b5e5c90cc1d039138a0273a2b4e0f2cc3d2", want, 36);
	assert_memory_equal(out, want, 36);
	assert_int_equal(isakmp_keymat(&k, NULL, 0, ISAKMP_PROTO_ESP, 0xbc87cf3f, ni, 16, nr, 32,
				       out, 36), 0);
	unhex("9b7ef7409cf03c5c960e8ea3a832919ea877cbc00d1bdf385e94eec05b91fc40b43585f8", want, 36);
	assert_memory_equal(out, want, 36);
	/* With PFS: g(qm)^xy = 00 01 .. 1f (Python only). */
	for (i = 0; i < sizeof(g); i++)
		g[i] = (uint8_t)i;
	assert_int_equal(isakmp_keymat(&k, g, sizeof(g), ISAKMP_PROTO_ESP, 0xc6af22ee, ni, 16,
				       nr, 32, out, 36), 0);
	unhex("ab8c801364194f323b3d7023c8877c8d7f0a62b2164bcbc76f8d9e8d7e69a6a03b269d0d", want, 36);
	assert_memory_equal(out, want, 36);
	/* At most 255 rounds. */
	assert_int_equal(isakmp_keymat(&k, NULL, 0, 3, 1, ni, 16, nr, 32, out,
				       255 * 20 + 1), -EINVAL);
}

/* AES-256 with SHA-1: SKEYID_e is 20 bytes, Appendix B makes 32. */
static void test_key_expansion(void **state)
{
	struct isakmp_keys k = { .prf = IKE_PRF_HMAC_SHA1 };
	uint8_t gxy[128], want[32];
	static const uint8_t cky_i[8] = { 0x2e, 0x20, 0x4d, 0xce, 0x15, 0x1b, 0x64, 0xdc };
	static const uint8_t cky_r[8] = { 0x07, 0x04, 0x49, 0xeb, 0x13, 0x75, 0x8c, 0xb5 };

	(void)state;
	/* RUB-NDS KM-3's SKEYID and g^xy. */
	unhex("67a74740939229c9b59d196af65499ee9e0c105b", k.skeyid, 20);
	unhex("91f6b3d878c92b1ac6f7aee051d4a358fdfefa3e8f1fcabb9957318c7d1f81a249465708e17c1199"
	      "0c4ef1f7780efd1542aed8d5702d8549ea6d3349f2cb24bd6dc749c22ecf0f3e2d06f51e105c612f"
	      "b73179b19c79eebc252ec7ec4b2726a02e5d63fc5e02755a7e6095dba6433eea9c6b55f4a7b2c591"
	      "495216e7274a2361", gxy, sizeof(gxy));
	assert_int_equal(isakmp_derive_keys(&k, gxy, 128, cky_i, cky_r, 16), 0);
	unhex("fa1fb169062972ccee0403dc021bc7f0", want, 16);
	assert_memory_equal(k.ka, want, 16);
	assert_int_equal(isakmp_derive_keys(&k, gxy, 128, cky_i, cky_r, 32), 0);
	unhex("45939ff9c5dbabcdd3e5c0081fc013e255be2490d11333eea6b0c55588924a0e", want, 32);
	assert_memory_equal(k.ka, want, 32);
	assert_int_equal(k.ka_len, 32);
	/* Longer than any cipher we run: refused, and nothing left behind. */
	assert_int_equal(isakmp_derive_keys(&k, gxy, 128, cky_i, cky_r, 33), -EINVAL);
	assert_int_equal(k.len, 0);
	k.prf = 99;
	assert_int_equal(isakmp_derive_keys(&k, gxy, 128, cky_i, cky_r, 16), -ENOTSUP);
	assert_int_equal(isakmp_skeyid_psk(IKE_PRF_HMAC_SHA1, NULL, 0, gxy, 8, gxy, 8, k.skeyid),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cavp_psk),
		cmocka_unit_test(test_cavp_signature),
		cmocka_unit_test(test_ivs),
		cmocka_unit_test(test_keymat),
		cmocka_unit_test(test_key_expansion),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
