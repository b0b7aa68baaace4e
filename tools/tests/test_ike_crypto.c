// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for tools/iked/prf.c: prf, prf+ and the IKEv2 key derivations,
 * against RFC 2202/4231 HMAC vectors and NIST CAVP SP 800-135 IKEv2 KDF
 * vectors.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "algs.h"
#include "crypto/crypto.h"
#include "ikev2/ikev2.h"

#define MAX_HEX 1024

struct bytes {
	uint8_t b[MAX_HEX];
	size_t len;
};

static void hex(struct bytes *out, const char *s)
{
	int n = parse_hex(s, out->b, sizeof(out->b));

	assert_true(n >= 0);
	out->len = (size_t)n;
}

static void assert_bytes(const uint8_t *got, const char *want_hex, size_t len)
{
	struct bytes want;

	hex(&want, want_hex);
	assert_true(len <= want.len);
	assert_memory_equal(got, want.b, len);
}

static void test_prf_lengths(void **state)
{
	(void)state;
	assert_int_equal(ike_prf_len(IKE_PRF_HMAC_MD5), 16);
	assert_int_equal(ike_prf_len(IKE_PRF_HMAC_SHA1), 20);
	assert_int_equal(ike_prf_len(IKE_PRF_HMAC_SHA2_256), 32);
	assert_int_equal(ike_prf_len(IKE_PRF_HMAC_SHA2_384), 48);
	assert_int_equal(ike_prf_len(IKE_PRF_HMAC_SHA2_512), 64);
	assert_int_equal(ike_prf_len(IKE_PRF_AES128_XCBC), 0);
	assert_int_equal(ike_prf_len(0), 0);
	assert_int_equal(ike_prf_len(999), 0);
}

/* HMAC vectors: RFC 2104 (MD5), RFC 2202 (SHA-1), RFC 4231 (SHA-2). */
static void test_prf_hmac_vectors(void **state)
{
	static const struct {
		uint16_t prf;
		const char *key, *data, *mac;
	} v[] = {
		{ IKE_PRF_HMAC_MD5, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265",
		  "9294727a3638bb1c13f48ef8158bfc9d" },
		{ IKE_PRF_HMAC_SHA1, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
		  "4869205468657265", "b617318655057264e28bc0b6fb378c8ef146be00" },
		{ IKE_PRF_HMAC_SHA2_256, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
		  "4869205468657265",
		  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
		{ IKE_PRF_HMAC_SHA2_384, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
		  "4869205468657265",
		  "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
		  "faea9ea9076ede7f4af152e8b2fa9cb6" },
		{ IKE_PRF_HMAC_SHA2_512, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
		  "4869205468657265",
		  "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
		  "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854" },
		/* RFC 4231 4.3: a key shorter than the output */
		{ IKE_PRF_HMAC_SHA2_256, "4a656665",
		  "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
		  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
	};
	uint8_t out[IKE_PRF_MAX_LEN];
	struct bytes key, data;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		hex(&key, v[i].key);
		hex(&data, v[i].data);
		assert_int_equal(ike_prf(v[i].prf, key.b, key.len, data.b, data.len, out),
				 ike_prf_len(v[i].prf));
		assert_bytes(out, v[i].mac, ike_prf_len(v[i].prf));
	}
	assert_int_equal(ike_prf(IKE_PRF_AES128_XCBC, key.b, key.len, data.b, data.len,
				 out), -ENOTSUP);
}

/* prf+ built by hand from ike_prf(), and its 255-round limit. */
static void test_prf_plus_rounds(void **state)
{
	static const uint8_t key[] = "key", seed[] = "seed";
	uint8_t in[IKE_PRF_MAX_LEN + sizeof(seed) + 1];
	uint8_t t[IKE_PRF_MAX_LEN], want[3 * 20], got[3 * 20];
	static uint8_t big[255 * 64 + 1];
	size_t n, len = 20, slen = sizeof(seed) - 1;

	(void)state;
	for (n = 1; n <= 3; n++) {
		size_t in_len = 0;

		if (n > 1) {
			memcpy(in, t, len);
			in_len = len;
		}
		memcpy(in + in_len, seed, slen);
		in[in_len + slen] = (uint8_t)n;
		assert_int_equal(ike_prf(IKE_PRF_HMAC_SHA1, key, 3, in,
					 in_len + slen + 1, t), (int)len);
		memcpy(want + (n - 1) * len, t, len);
	}
	/* Every output length cuts the same stream. */
	for (n = 0; n <= sizeof(got); n++) {
		memset(got, 0xee, sizeof(got));
		assert_int_equal(ike_prf_plus(IKE_PRF_HMAC_SHA1, key, 3, seed, slen,
					      got, n), 0);
		assert_memory_equal(got, want, n);
		if (n < sizeof(got))
			assert_int_equal(got[n], 0xee);
	}

	assert_int_equal(ike_prf_plus(IKE_PRF_HMAC_SHA2_512, key, 3, seed, slen,
				      big, 255 * 64), 0);
	assert_int_equal(ike_prf_plus(IKE_PRF_HMAC_SHA2_512, key, 3, seed, slen,
				      big, 255 * 64 + 1), -EINVAL);
	assert_int_equal(ike_prf_plus(0, key, 3, seed, slen, big, 16), -ENOTSUP);
}

/*
 * NIST CAVP SP 800-135 IKEv2 KDF, [SHA-1] (ikev2.zip): Ni and Nr 64 bits,
 * g^ir 1024 bits, DKM 1056 bits.
 */
#define S1_NI "3651fef5c9c35e93"
#define S1_NR "c09a8b90a3f04d59"
#define S1_GIR "d084a30166a50fb7325c3960874a839449ef9741c2f4f947d0201dd8c1269273" \
	"d79509f37e3ca3eb4fa2fe2a28254e289cd3f34dad4eb4df1a07685a4b8a94fa" \
	"61e2491f7598b3ce65547ff133b3f63d1ac4175eaa695033f3cedb026a6873a3" \
	"6455172a8540b8a5d23a0143bed0390ee49b168269d75fffee9fb62be965993c"
#define S1_GIR_NEW "52f00ab174c25d5b7139ae5ff4e8e9eddee5992d2e36adf8a559ffd90dab1442" \
	"e4fbe429d320c0f33552a17d1557fa41ea70e8fb916c4fa27ed52b5f8ebd8461" \
	"afa78f1159159a64055ac5f6319e29c28eae58cbc6847770f32c3fed1d047504" \
	"84f854790f95e9ec01bc5bc461f24966462e359511329305038e94deb6dd42c2"
#define S1_SPII "8e5c3ae507221684"
#define S1_SPIR "b1f201bb155c3acd"
#define S1_SKEYSEED "cd2e8050137832245f1dbacc6e4f0a92f94d45d6"
#define S1_DKM "6f1b12cad3cbe097b35430356d869d54cddb0198ec859174d53ceb92dddedbe2" \
	"436db69f60977c58fa63bbb667f8d36920b109baae8f6c61a9ac49feda018432" \
	"25d080ec5539d5881a25521ffb2a0a91874a9c0a27fcc2d717eb8963a9e3a89c" \
	"7ab264757284c28cf8c3ca40576f4220b052b1fb8e9ad60ba3c80557323331a8" \
	"cbb89f20"
#define S1_DKM_CHILD "4727dc0ef94eb326ce131cf282fb652faa638ad0ddae3786a11bcc0309876009" \
	"f8c485de011ad962c5b1ca8a41ff8145445749079c5686e26ffebbc342f06981" \
	"f3da745e11ca0976424d1f8caec623d59dc7186deb20a27b411d1dcb70a36544" \
	"0bf7de905088b0692e8addc094e18d1939bdb67e89798ca6b239e2ccb81c2409" \
	"dac0106c"
#define S1_DKM_CHILD_DH "b109c21ad4c0797768c1cec9e63554681e48f224bca7f23c20c4ea7041983451" \
	"e9aa1d5408656c8a975ff1b9d9a12c75ffeb64bdecb30174664cccb4e14f1c37" \
	"7b7f6d1525af77c7092aac3e47f917ebae8297fb5539d2008ce830823a09cc19" \
	"7361d4a289c72745f6ce9fefe812be5bf55b3200fbb82e41a4a40877d3fe106d" \
	"b909707b"
#define S1_SKEYSEED_REKEY "3b03bce748c96d5e8306918d2ff89b68f0648da3"

/*
 * CAVP SP 800-135 IKEv2 KDF, [SHA-256] sample (as NSS's ike-sha256-vectors.h
 * carries it): Ni, Nr 64 bits, g^ir 256 bits, DKM 1056 bits.
 */
#define S2_NI "3f302be1abcb28e1"
#define S2_NR "8c332ee006064c9b"
#define S2_GIR "0f4d257d7a58fc4545c7d7a88119eee5d5c9690c5b4c989171d3abbfd99d1d29"
#define S2_GIR_NEW "25f3b12d6f282739256e39bf54eda53b60ffcf379bb7bcc90c27b4c4c578616c"
#define S2_SPII "40dac39e1e1a8640"
#define S2_SPIR "8619a1cf9a6e4c07"
#define S2_SKEYSEED "5f00d1bd2c58ec224b1e6b71fa0f19a1faa7a193952c444411b47c1a9d8ba6fe"
#define S2_DKM "0b137d669b0947d7d026d593f0305ad401ff0c471357d695778a9c7f4b4869ec" \
	"e98aca531188d16041b3bb936d2dbb3b4993a6e768a809160de45d0283f273a6" \
	"cdf6854379e31be72b8d3d1fa990cf9c5b015ca9f918a7df6253c958114a09d4" \
	"e1c19bdcd4db14b29d98db1a74ad405c588662c14a04d0d36aa4ab55e90f8986" \
	"d12d4aad"
#define S2_SKEYSEED_REKEY "2d63f6debc92048b4fef3889c4c99ca67d6496e0fac14a2bca9a2d6566ff2398"
/* Not in that sample: computed independently with Python's hmac module. */
#define S2_DKM_CHILD "7d808e2b44635300e7025f1b640c431b13a9b3b891cd45a15261f4f3c4a7e39b" \
	"3a3c8017ccc2b74610faf52ba3faf6d9e83c859b448217b24dadc82c9887460b" \
	"7bd724236b9885914cc93b39d6c749e92f36b30c9eb6a9f59e396bc7c0ac4878" \
	"512639cc612c5660ddb1a1fed360ac8b9b3f548f13482d0431b38eca293ef976" \
	"81e179fc"
#define S2_DKM_CHILD_DH "67edd256e64542436173e3ca39ef1fdec3c8240b860df26f84caf5258578ff35" \
	"df40ddc31ea210e0523988b7531c9dc3207e0e98e256214999c7712f73ff044a" \
	"9cf6e3a5e421862b9ba140862f460ea5236527cf8346db9ac23feb6636e21fc7" \
	"a18a94a2e9d4ad95356e278f46ac3fa53a75a058c87293cf38dd863e879f84d0" \
	"e0935da3"

#define DKM_LEN 132

struct kdf_case {
	struct bytes ni, nr, gir, gir_new, spi_i, spi_r, nonces;
};

static void kdf_case(struct kdf_case *c, const char *ni, const char *nr,
		     const char *gir, const char *gir_new, const char *spi_i,
		     const char *spi_r)
{
	hex(&c->ni, ni);
	hex(&c->nr, nr);
	hex(&c->gir, gir);
	hex(&c->gir_new, gir_new);
	hex(&c->spi_i, spi_i);
	hex(&c->spi_r, spi_r);
	memcpy(c->nonces.b, c->ni.b, c->ni.len);
	memcpy(c->nonces.b + c->ni.len, c->nr.b, c->nr.len);
	c->nonces.len = c->ni.len + c->nr.len;
}

/* SKEYSEED and prf+ on their own, as the CAVP file states them. */
static void check_skeyseed_dkm(uint16_t prf, const struct kdf_case *c,
			       const char *skeyseed, const char *dkm)
{
	uint8_t seed[IKE_PRF_MAX_LEN], out[DKM_LEN], s[64];

	assert_int_equal(ike_prf(prf, c->nonces.b, c->nonces.len, c->gir.b, c->gir.len,
				 seed), ike_prf_len(prf));
	assert_bytes(seed, skeyseed, ike_prf_len(prf));

	memcpy(s, c->nonces.b, c->nonces.len);
	memcpy(s + c->nonces.len, c->spi_i.b, 8);
	memcpy(s + c->nonces.len + 8, c->spi_r.b, 8);
	assert_int_equal(ike_prf_plus(prf, seed, ike_prf_len(prf), s,
				      c->nonces.len + 16, out, DKM_LEN), 0);
	assert_bytes(out, dkm, DKM_LEN);
}

static void check_child(uint16_t prf, const struct ike_keys *k,
			const struct kdf_case *c, const char *plain, const char *pfs)
{
	uint8_t keymat[DKM_LEN];

	assert_int_equal(ike_derive_child_keys(prf, k->sk_d, k->d_len, NULL, 0,
					       c->ni.b, c->ni.len, c->nr.b, c->nr.len,
					       keymat, DKM_LEN), 0);
	assert_bytes(keymat, plain, DKM_LEN);
	assert_int_equal(ike_derive_child_keys(prf, k->sk_d, k->d_len, c->gir_new.b,
					       c->gir_new.len, c->ni.b, c->ni.len,
					       c->nr.b, c->nr.len, keymat, DKM_LEN), 0);
	assert_bytes(keymat, pfs, DKM_LEN);
}

/* A rekeyed SA's keys: prf+ of the CAVP SKEYSEED(Rekey) with the new SPIs. */
static void check_rekey(const struct ike_keys *old, const struct ike_suite *s,
			const struct kdf_case *c, const char *skeyseed_rekey)
{
	static const uint8_t spi_i[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint8_t spi_r[8] = { 9, 10, 11, 12, 13, 14, 15, 16 };
	uint8_t seed[64], want[512];
	struct bytes skeyseed;
	struct ike_keys k;
	size_t total;

	hex(&skeyseed, skeyseed_rekey);
	assert_int_equal(ike_derive_rekey_ike_keys(old, s, c->gir_new.b, c->gir_new.len,
						   c->ni.b, c->ni.len, c->nr.b,
						   c->nr.len, spi_i, spi_r, &k), 0);
	memcpy(seed, c->nonces.b, c->nonces.len);
	memcpy(seed + c->nonces.len, spi_i, 8);
	memcpy(seed + c->nonces.len + 8, spi_r, 8);
	total = 3 * k.d_len + 2 * k.a_len + 2 * k.e_len;
	assert_int_equal(ike_prf_plus(s->prf, skeyseed.b, skeyseed.len, seed,
				      c->nonces.len + 16, want, total), 0);
	assert_memory_equal(k.sk_d, want, k.d_len);
	assert_memory_equal(k.sk_pr, want + total - k.p_len, k.p_len);
	assert_int_equal(ike_derive_rekey_ike_keys(old, s, c->gir_new.b, c->gir_new.len,
						   c->ni.b, c->ni.len, c->nr.b,
						   c->nr.len, spi_i, spi_r,
						   (struct ike_keys *)old), -EINVAL);
	ike_keys_wipe(&k);
}

static void test_cavp_sha1(void **state)
{
	/* 3 * 20 + 2 * 20 + 2 * 16 = 132 bytes: exactly the CAVP DKM. */
	const struct ike_suite s = {
		.encr = IKE_ENCR_AES_CBC, .encr_bits = 128,
		.prf = IKE_PRF_HMAC_SHA1, .integ = IKE_INTEG_HMAC_SHA1_96,
	};
	struct bytes dkm;
	struct kdf_case c;
	struct ike_keys k;

	(void)state;
	kdf_case(&c, S1_NI, S1_NR, S1_GIR, S1_GIR_NEW, S1_SPII, S1_SPIR);
	check_skeyseed_dkm(IKE_PRF_HMAC_SHA1, &c, S1_SKEYSEED, S1_DKM);

	assert_int_equal(ike_derive_ike_keys(&s, c.ni.b, c.ni.len, c.nr.b, c.nr.len,
					     c.gir.b, c.gir.len, c.spi_i.b, c.spi_r.b,
					     &k), 0);
	assert_int_equal(k.d_len, 20);
	assert_int_equal(k.a_len, 20);
	assert_int_equal(k.e_len, 16);
	assert_int_equal(k.p_len, 20);
	hex(&dkm, S1_DKM);
	assert_memory_equal(k.sk_d, dkm.b, 20);
	assert_memory_equal(k.sk_ai, dkm.b + 20, 20);
	assert_memory_equal(k.sk_ar, dkm.b + 40, 20);
	assert_memory_equal(k.sk_ei, dkm.b + 60, 16);
	assert_memory_equal(k.sk_er, dkm.b + 76, 16);
	assert_memory_equal(k.sk_pi, dkm.b + 92, 20);
	assert_memory_equal(k.sk_pr, dkm.b + 112, 20);

	check_child(IKE_PRF_HMAC_SHA1, &k, &c, S1_DKM_CHILD, S1_DKM_CHILD_DH);
	check_rekey(&k, &s, &c, S1_SKEYSEED_REKEY);
	ike_keys_wipe(&k);
}

static void test_cavp_sha256(void **state)
{
	/* 3 * 32 + 2 * 20 = 136 bytes: the CAVP DKM covers the first 132. */
	const struct ike_suite s = {
		.encr = IKE_ENCR_AES_GCM_16, .encr_bits = 128,
		.prf = IKE_PRF_HMAC_SHA2_256,
	};
	struct bytes dkm;
	struct kdf_case c;
	struct ike_keys k;

	(void)state;
	kdf_case(&c, S2_NI, S2_NR, S2_GIR, S2_GIR_NEW, S2_SPII, S2_SPIR);
	check_skeyseed_dkm(IKE_PRF_HMAC_SHA2_256, &c, S2_SKEYSEED, S2_DKM);

	assert_int_equal(ike_derive_ike_keys(&s, c.ni.b, c.ni.len, c.nr.b, c.nr.len,
					     c.gir.b, c.gir.len, c.spi_i.b, c.spi_r.b,
					     &k), 0);
	assert_int_equal(k.d_len, 32);
	assert_int_equal(k.a_len, 0);
	assert_int_equal(k.e_len, 20);	/* 16 key + 4 salt */
	hex(&dkm, S2_DKM);
	assert_memory_equal(k.sk_d, dkm.b, 32);
	assert_memory_equal(k.sk_ei, dkm.b + 32, 20);
	assert_memory_equal(k.sk_er, dkm.b + 52, 20);
	assert_memory_equal(k.sk_pi, dkm.b + 72, 32);
	assert_memory_equal(k.sk_pr, dkm.b + 104, DKM_LEN - 104);

	check_child(IKE_PRF_HMAC_SHA2_256, &k, &c, S2_DKM_CHILD, S2_DKM_CHILD_DH);
	check_rekey(&k, &s, &c, S2_SKEYSEED_REKEY);
	ike_keys_wipe(&k);
}

static bool all_zero(const void *p, size_t len)
{
	const uint8_t *b = p;

	while (len--)
		if (*b++)
			return false;
	return true;
}

static void test_derive_rejects(void **state)
{
	static const struct ike_suite bad[] = {
		{ .encr = IKE_ENCR_AES_CBC, .encr_bits = 128, .prf = 0,
		  .integ = IKE_INTEG_HMAC_SHA2_256_128 },
		{ .encr = IKE_ENCR_AES_CBC, .encr_bits = 128, .prf = IKE_PRF_AES128_XCBC,
		  .integ = IKE_INTEG_HMAC_SHA2_256_128 },
		{ .encr = IKE_ENCR_AES_CBC, .encr_bits = 0, .prf = IKE_PRF_HMAC_SHA2_256,
		  .integ = IKE_INTEG_HMAC_SHA2_256_128 },
		{ .encr = IKE_ENCR_AES_CBC, .encr_bits = 128, .prf = IKE_PRF_HMAC_SHA2_256 },
		{ .encr = IKE_ENCR_AES_GCM_16, .encr_bits = 256, .prf = IKE_PRF_HMAC_SHA2_256,
		  .integ = IKE_INTEG_HMAC_SHA2_256_128 },
		{ .encr = IKE_ENCR_AES_CTR, .encr_bits = 128, .prf = IKE_PRF_HMAC_SHA2_256,
		  .integ = IKE_INTEG_HMAC_SHA2_256_128 },
		{ .encr = IKE_ENCR_NULL_AUTH_AES_GMAC, .encr_bits = 128,
		  .prf = IKE_PRF_HMAC_SHA2_256 },
	};
	const struct ike_suite good = {
		.encr = IKE_ENCR_AES_CBC, .encr_bits = 256,
		.prf = IKE_PRF_HMAC_SHA2_512, .integ = IKE_INTEG_HMAC_SHA2_512_256,
	};
	static uint8_t nonce[IKE_NONCE_MAX + 1], gir[256], spi[8];
	uint8_t keymat[64];
	struct ike_keys k;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&k, 0xaa, sizeof(k));
		assert_int_equal(ike_derive_ike_keys(&bad[i], nonce, 32, nonce, 32, gir,
						     sizeof(gir), spi, spi, &k), -ENOTSUP);
		assert_true(all_zero(&k, sizeof(k)));
	}
	assert_int_equal(ike_derive_ike_keys(&good, nonce, IKE_NONCE_MAX + 1, nonce, 32,
					     gir, sizeof(gir), spi, spi, &k), -EINVAL);
	assert_int_equal(ike_derive_ike_keys(&good, nonce, 32, nonce, 0, gir,
					     sizeof(gir), spi, spi, &k), -EINVAL);
	assert_int_equal(ike_derive_ike_keys(&good, nonce, 32, nonce, 32, gir, 0,
					     spi, spi, &k), -EINVAL);

	/* The largest key set fits the struct: 3 * 64 + 2 * 64 + 2 * 32. */
	assert_int_equal(ike_derive_ike_keys(&good, nonce, IKE_NONCE_MAX, nonce,
					     IKE_NONCE_MAX, gir, sizeof(gir), spi, spi,
					     &k), 0);
	assert_int_equal(k.d_len, 64);
	assert_int_equal(k.a_len, 64);
	assert_int_equal(k.e_len, 32);
	assert_false(all_zero(k.sk_pr, 64));
	ike_keys_wipe(&k);
	assert_true(all_zero(&k, sizeof(k)));

	assert_int_equal(ike_derive_child_keys(IKE_PRF_HMAC_SHA1, nonce, 20, NULL, 0,
					       nonce, 16, nonce, 0, keymat,
					       sizeof(keymat)), -EINVAL);
	assert_int_equal(ike_derive_child_keys(IKE_PRF_HMAC_SHA1, nonce, 20, gir, 0,
					       nonce, 16, nonce, 16, keymat,
					       sizeof(keymat)), -EINVAL);
	assert_int_equal(ike_derive_child_keys(IKE_PRF_AES128_CMAC, nonce, 16, NULL, 0,
					       nonce, 16, nonce, 16, keymat,
					       sizeof(keymat)), -ENOTSUP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prf_lengths),
		cmocka_unit_test(test_prf_hmac_vectors),
		cmocka_unit_test(test_prf_plus_rounds),
		cmocka_unit_test(test_cavp_sha1),
		cmocka_unit_test(test_cavp_sha256),
		cmocka_unit_test(test_derive_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
