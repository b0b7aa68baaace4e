// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for tools/iked/sk.c: transform sizes, the RFC 7634 Appendix B
 * IKEv2 message, seal/open round trips for every cipher, key size and ICV
 * length in SK and SKF payloads, tampering, padding and short bodies.
 * Bodies with chosen padding are built by a separate sealer written
 * straight on libcrypto, which also cross-checks the wire format.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/evp.h>

#include "algs.h"
#include "crypto/crypto.h"
#include "ikev2/ikev2.h"

#define SK_HDR		4	/* generic payload header */
#define SKF_HDR		8	/* and fragment number, total fragments */
#define MAX_MSG		2048
#define MAX_SUITES	40

struct msg {
	uint8_t b[MAX_MSG];
	size_t len, body_off;
};

static size_t all_suites(struct ike_suite *out)
{
	static const uint16_t integs[] = {
		IKE_INTEG_HMAC_MD5_96, IKE_INTEG_HMAC_SHA1_96,
		IKE_INTEG_HMAC_SHA2_256_128, IKE_INTEG_HMAC_SHA2_384_192,
		IKE_INTEG_HMAC_SHA2_512_256,
	};
	static const uint16_t gcms[] = {
		IKE_ENCR_AES_GCM_8, IKE_ENCR_AES_GCM_12, IKE_ENCR_AES_GCM_16,
	};
	static const uint16_t bits[] = { 128, 192, 256 };
	size_t n = 0, i, j;

	for (i = 0; i < 3; i++)
		for (j = 0; j < 5; j++)
			out[n++] = (struct ike_suite){ IKE_ENCR_AES_CBC, bits[i],
				IKE_PRF_HMAC_SHA2_256, integs[j], 0, 0 };
	for (j = 0; j < 5; j++)
		out[n++] = (struct ike_suite){ IKE_ENCR_3DES, 0, IKE_PRF_HMAC_SHA1,
			integs[j], 0, 0 };
	for (i = 0; i < 3; i++)
		for (j = 0; j < 3; j++)
			out[n++] = (struct ike_suite){ gcms[i], bits[j],
				IKE_PRF_HMAC_SHA2_384, IKE_INTEG_NONE, 0, 0 };
	out[n++] = (struct ike_suite){ IKE_ENCR_CHACHA20_POLY1305, 0,
		IKE_PRF_HMAC_SHA2_512, IKE_INTEG_NONE, 0, 0 };
	assert_true(n <= MAX_SUITES);
	return n;
}

static void make_keys(const struct ike_suite *s, struct ike_keys *k)
{
	static const uint8_t ni[32] = { 1 }, nr[32] = { 2 }, gir[64] = { 3 };
	static const uint8_t spi_i[8] = { 4 }, spi_r[8] = { 5 };

	assert_int_equal(ike_derive_ike_keys(s, ni, sizeof(ni), nr, sizeof(nr), gir,
					     sizeof(gir), spi_i, spi_r, k), 0);
}

static void put16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* An IKE header and SK/SKF header with their lengths, for @body_len. */
static void frame(struct msg *m, size_t hdr, size_t body_len)
{
	size_t i;

	m->body_off = IKE_HDR_LEN + hdr;
	m->len = m->body_off + body_len;
	assert_true(m->len <= MAX_MSG);
	for (i = 0; i < IKE_HDR_LEN; i++)
		m->b[i] = (uint8_t)(0xa0 + i);
	m->b[16] = hdr == SK_HDR ? IKE_PL_SK : IKE_PL_SKF;
	m->b[17] = IKE_VERSION_2;
	m->b[24] = m->b[25] = 0;
	put16(m->b + 26, m->len);
	m->b[IKE_HDR_LEN] = IKE_PL_NOTIFY;
	m->b[IKE_HDR_LEN + 1] = 0;
	put16(m->b + IKE_HDR_LEN + 2, hdr + body_len);
	if (hdr == SKF_HDR) {
		put16(m->b + IKE_HDR_LEN + 4, 1);	/* fragment 1 */
		put16(m->b + IKE_HDR_LEN + 6, 3);	/* of 3 */
	}
}

/* A message whose body is sized for @plain, the plaintext in place. */
static void build(struct msg *m, const struct ike_suite *s, size_t hdr,
		  const uint8_t *plain, size_t plain_len)
{
	size_t body_len = ike_sk_body_len(s, plain_len);

	assert_true(body_len > 0);
	frame(m, hdr, body_len);
	memset(m->b + m->body_off, 0, body_len);
	memcpy(m->b + m->body_off + ike_encr_iv_len(s->encr), plain, plain_len);
}

static void fill(uint8_t *p, size_t len, uint8_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + 7 * i);
}

static void test_sizes(void **state)
{
	const struct ike_suite cbc = { IKE_ENCR_AES_CBC, 192, IKE_PRF_HMAC_SHA1,
				       IKE_INTEG_HMAC_SHA2_384_192, 0, 0 };
	const struct ike_suite des = { IKE_ENCR_3DES, 0, IKE_PRF_HMAC_SHA1,
				       IKE_INTEG_HMAC_SHA1_96, 0, 0 };
	const struct ike_suite gcm = { IKE_ENCR_AES_GCM_12, 256, IKE_PRF_HMAC_SHA1,
				       0, 0, 0 };
	const struct ike_suite chacha = { IKE_ENCR_CHACHA20_POLY1305, 0, 0, 0, 0, 0 };
	const struct ike_suite chacha256 = { IKE_ENCR_CHACHA20_POLY1305, 256, 0, 0, 0, 0 };
	const struct ike_suite gmac = { IKE_ENCR_NULL_AUTH_AES_GMAC, 128, 0, 0, 0, 0 };
	const struct ike_suite no_bits = { IKE_ENCR_AES_CBC, 0, IKE_PRF_HMAC_SHA1,
					   IKE_INTEG_HMAC_SHA1_96, 0, 0 };
	const struct ike_suite ctr = { IKE_ENCR_AES_CTR, 128, IKE_PRF_HMAC_SHA1,
				       IKE_INTEG_HMAC_SHA1_96, 0, 0 };

	(void)state;
	assert_int_equal(ike_encr_key_len(&cbc), 24);
	assert_int_equal(ike_encr_key_len(&des), 24);
	assert_int_equal(ike_encr_key_len(&gcm), 36);
	assert_int_equal(ike_encr_key_len(&chacha), 36);
	assert_int_equal(ike_encr_key_len(&chacha256), 36);
	assert_int_equal(ike_encr_key_len(&gmac), 20);
	assert_int_equal(ike_encr_key_len(&no_bits), 0);
	assert_int_equal(ike_encr_key_len(&ctr), 0);

	assert_int_equal(ike_encr_iv_len(IKE_ENCR_AES_CBC), 16);
	assert_int_equal(ike_encr_iv_len(IKE_ENCR_3DES), 8);
	assert_int_equal(ike_encr_iv_len(IKE_ENCR_AES_GCM_16), 8);
	assert_int_equal(ike_encr_iv_len(IKE_ENCR_CHACHA20_POLY1305), 8);
	assert_int_equal(ike_encr_block_len(IKE_ENCR_AES_CBC), 16);
	assert_int_equal(ike_encr_block_len(IKE_ENCR_3DES), 8);
	assert_int_equal(ike_encr_block_len(IKE_ENCR_AES_GCM_12), 1);
	assert_int_equal(ike_encr_icv_len(IKE_ENCR_AES_GCM_8), 8);
	assert_int_equal(ike_encr_icv_len(IKE_ENCR_AES_GCM_12), 12);
	assert_int_equal(ike_encr_icv_len(IKE_ENCR_AES_GCM_16), 16);
	assert_int_equal(ike_encr_icv_len(IKE_ENCR_CHACHA20_POLY1305), 16);
	assert_int_equal(ike_encr_icv_len(IKE_ENCR_AES_CBC), 0);
	assert_int_equal(ike_encr_iv_len(IKE_ENCR_AES_CTR), 0);

	assert_int_equal(ike_integ_key_len(IKE_INTEG_HMAC_MD5_96), 16);
	assert_int_equal(ike_integ_key_len(IKE_INTEG_HMAC_SHA1_96), 20);
	assert_int_equal(ike_integ_key_len(IKE_INTEG_HMAC_SHA2_256_128), 32);
	assert_int_equal(ike_integ_key_len(IKE_INTEG_HMAC_SHA2_384_192), 48);
	assert_int_equal(ike_integ_key_len(IKE_INTEG_HMAC_SHA2_512_256), 64);
	assert_int_equal(ike_integ_icv_len(IKE_INTEG_HMAC_MD5_96), 12);
	assert_int_equal(ike_integ_icv_len(IKE_INTEG_HMAC_SHA1_96), 12);
	assert_int_equal(ike_integ_icv_len(IKE_INTEG_HMAC_SHA2_256_128), 16);
	assert_int_equal(ike_integ_icv_len(IKE_INTEG_HMAC_SHA2_384_192), 24);
	assert_int_equal(ike_integ_icv_len(IKE_INTEG_HMAC_SHA2_512_256), 32);
	assert_int_equal(ike_integ_key_len(IKE_INTEG_AES_XCBC_96), 0);

	/* IV 16, plaintext + pad length rounded to 16, ICV 24. */
	assert_int_equal(ike_sk_body_len(&cbc, 0), 16 + 16 + 24);
	assert_int_equal(ike_sk_body_len(&cbc, 15), 16 + 16 + 24);
	assert_int_equal(ike_sk_body_len(&cbc, 16), 16 + 32 + 24);
	assert_int_equal(ike_sk_body_len(&des, 7), 8 + 8 + 12);
	/* IV 8, no padding, the pad length octet, ICV 12. */
	assert_int_equal(ike_sk_body_len(&gcm, 12), 8 + 13 + 12);
	assert_int_equal(ike_sk_body_len(&chacha, 0), 8 + 1 + 16);
	assert_int_equal(ike_sk_body_len(&gmac, 0), 0);
	assert_int_equal(ike_sk_body_len(&no_bits, 0), 0);
	assert_int_equal(ike_sk_body_len(&ctr, 0), 0);

	assert_true(ike_sk_suite_supported(&cbc));
	assert_false(ike_sk_suite_supported(&gmac));
	assert_false(ike_suite_supported(&cbc));	/* no DH group */
	assert_true(ike_suite_supported(&(struct ike_suite){ IKE_ENCR_AES_GCM_16, 256,
		IKE_PRF_HMAC_SHA2_384, 0, IKE_DH_ECP384, 0 }));
	assert_false(ike_suite_supported(&(struct ike_suite){ IKE_ENCR_AES_GCM_16, 256,
		IKE_PRF_HMAC_SHA2_384, IKE_INTEG_HMAC_SHA1_96, IKE_DH_ECP384, 0 }));
	assert_false(ike_suite_supported(&(struct ike_suite){ IKE_ENCR_AES_CBC, 128,
		IKE_PRF_HMAC_SHA2_256, 0, IKE_DH_MODP2048, 0 }));
}

/* RFC 7634 Appendix B: an INFORMATIONAL request carrying one Notify. */
static void test_rfc7634_ikev2(void **state)
{
	struct ike_keys k = { .suite = { .encr = IKE_ENCR_CHACHA20_POLY1305 } };
	const uint8_t *plain;
	uint8_t saved[MAX_MSG];
	size_t plain_len;
	struct msg m;
	int n;

	(void)state;
	k.e_len = parse_hex("808182838485868788898a8b8c8d8e8f"
			    "909192939495969798999a9b9c9d9e9f" "a0a1a2a3",
			    k.sk_ei, sizeof(k.sk_ei));
	assert_int_equal(k.e_len, 36);
	memcpy(k.sk_er, k.sk_ei, 36);
	n = parse_hex("c0c1c2c3c4c5c6c7d0d1d2d3d4d5d6d72e202500000000090000004529000029"
		      "1011121314151617"
		      "610394701f8d017f7c129248896b71bfe25236efd7cdc67066906315b2",
		      m.b, sizeof(m.b));
	assert_int_equal(n, 69);
	m.len = (size_t)n;
	memcpy(saved, m.b, m.len);

	/* Flip the last tag bit: refused, message untouched. */
	m.b[68] ^= 1;
	assert_int_equal(ike_sk_open(&k, true, m.b, m.len, 32, 37, &plain, &plain_len),
			 -EBADMSG);
	m.b[68] ^= 1;
	assert_memory_equal(m.b, saved, m.len);

	assert_int_equal(ike_sk_open(&k, true, m.b, m.len, 32, 37, &plain, &plain_len), 0);
	assert_ptr_equal(plain, m.b + 40);
	assert_int_equal(plain_len, 12);
	assert_memory_equal(plain, "\x00\x00\x00\x0c\x00\x00\x40\x01\x00\x00\x00\x0a", 12);
	assert_memory_equal(m.b, saved, 40);	/* header and IV as they were */

	/* The responder's keys are the same here: the direction only picks them. */
	memcpy(m.b, saved, m.len);
	assert_int_equal(ike_sk_open(&k, false, m.b, m.len, 32, 37, &plain, &plain_len), 0);
}

static void round_trip(const struct ike_keys *k, size_t hdr, size_t plain_len,
		       bool from_initiator)
{
	const struct ike_suite *s = &k->suite;
	size_t iv = ike_encr_iv_len(s->encr);
	uint8_t plain_in[256], copy[MAX_MSG];
	const uint8_t *plain;
	size_t out_len;
	struct msg m;

	fill(plain_in, plain_len, (uint8_t)plain_len);
	build(&m, s, hdr, plain_in, plain_len);
	assert_int_equal(ike_sk_seal(k, from_initiator, m.b, m.len, m.body_off,
				     plain_len), 0);
	if (plain_len >= 8)
		assert_memory_not_equal(m.b + m.body_off + iv, plain_in, plain_len);

	/* The other direction's keys do not open it, nor change it. */
	memcpy(copy, m.b, m.len);
	assert_int_equal(ike_sk_open(k, !from_initiator, m.b, m.len, m.body_off,
				     m.len - m.body_off, &plain, &out_len), -EBADMSG);
	assert_memory_equal(copy, m.b, m.len);

	assert_int_equal(ike_sk_open(k, from_initiator, m.b, m.len, m.body_off,
				     m.len - m.body_off, &plain, &out_len), 0);
	assert_ptr_equal(plain, m.b + m.body_off + iv);
	assert_int_equal(out_len, plain_len);
	assert_memory_equal(plain, plain_in, plain_len);
	assert_memory_equal(copy, m.b, m.body_off);	/* header untouched */
}

static void test_round_trips(void **state)
{
	static const size_t lens[] = { 0, 1, 3, 7, 8, 15, 16, 17, 31, 32, 100, 255 };
	struct ike_suite suites[MAX_SUITES];
	size_t n = all_suites(suites), i, j;
	struct ike_keys k;

	(void)state;
	for (i = 0; i < n; i++) {
		make_keys(&suites[i], &k);
		for (j = 0; j < sizeof(lens) / sizeof(lens[0]); j++) {
			round_trip(&k, SK_HDR, lens[j], true);
			round_trip(&k, SK_HDR, lens[j], false);
			round_trip(&k, SKF_HDR, lens[j], true);
		}
		ike_keys_wipe(&k);
	}
}

/* Every single-bit change anywhere in the message is caught. */
static void test_tamper(void **state)
{
	struct ike_suite suites[MAX_SUITES];
	size_t n = all_suites(suites), i, pos, hdr, plain_len;
	uint8_t plain_in[40], copy[MAX_MSG];
	const uint8_t *plain;
	struct ike_keys k;
	struct msg m;
	uint8_t bit;

	(void)state;
	fill(plain_in, sizeof(plain_in), 0x11);
	for (i = 0; i < n; i++) {
		make_keys(&suites[i], &k);
		for (hdr = SK_HDR; hdr <= SKF_HDR; hdr += SKF_HDR - SK_HDR) {
			build(&m, &suites[i], hdr, plain_in, 20);
			assert_int_equal(ike_sk_seal(&k, true, m.b, m.len, m.body_off, 20), 0);
			for (pos = 0; pos < m.len; pos++) {
				bit = (uint8_t)(1u << (pos % 8));
				m.b[pos] ^= bit;
				memcpy(copy, m.b, m.len);
				assert_int_equal(ike_sk_open(&k, true, m.b, m.len, m.body_off,
							     m.len - m.body_off, &plain,
							     &plain_len), -EBADMSG);
				assert_memory_equal(copy, m.b, m.len);
				m.b[pos] ^= bit;
			}
			assert_int_equal(ike_sk_open(&k, true, m.b, m.len, m.body_off,
						     m.len - m.body_off, &plain,
						     &plain_len), 0);
		}
		ike_keys_wipe(&k);
	}
}

/*
 * A sealer of our own on libcrypto, for bodies ike_sk_seal() would never
 * write: @ct_in is the whole plaintext block (payloads, padding, pad
 * length). Returns the body length.
 */
static size_t raw_seal(const struct ike_keys *k, struct msg *m, size_t hdr,
		       const uint8_t *ct_in, size_t ct_len)
{
	const struct ike_suite *s = &k->suite;
	size_t iv_len = ike_encr_iv_len(s->encr), key_len = ike_encr_key_len(s);
	bool aead = ike_encr_icv_len(s->encr) != 0;
	size_t icv_len = aead ? ike_encr_icv_len(s->encr) : ike_integ_icv_len(s->integ);
	const char *name = s->encr == IKE_ENCR_CHACHA20_POLY1305 ? "ChaCha20-Poly1305" :
			   s->encr == IKE_ENCR_AES_CBC ? "AES-128-CBC" : "AES-128-GCM";
	EVP_CIPHER *cipher = EVP_CIPHER_fetch(NULL, name, NULL);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	uint8_t *iv, *ct, nonce[12], mac[64];
	size_t body_len = iv_len + ct_len + icv_len, mac_len;
	int outl;

	assert_true(s->encr_bits == 128 || s->encr == IKE_ENCR_CHACHA20_POLY1305);
	frame(m, hdr, body_len);
	iv = m->b + m->body_off;
	ct = iv + iv_len;
	fill(iv, iv_len, 0x5a);
	assert_non_null(cipher);
	assert_non_null(ctx);
	if (aead) {
		memcpy(nonce, k->sk_ei + key_len - 4, 4);
		memcpy(nonce + 4, iv, 8);
		assert_true(EVP_EncryptInit_ex2(ctx, cipher, k->sk_ei, nonce, NULL));
		assert_true(EVP_EncryptUpdate(ctx, NULL, &outl, m->b, (int)m->body_off));
		assert_true(EVP_EncryptUpdate(ctx, ct, &outl, ct_in, (int)ct_len));
		assert_true(EVP_EncryptFinal_ex(ctx, mac, &outl));
		assert_true(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, (int)icv_len,
						ct + ct_len));
	} else {
		assert_true(EVP_EncryptInit_ex2(ctx, cipher, k->sk_ei, iv, NULL));
		assert_true(EVP_CIPHER_CTX_set_padding(ctx, 0));
		assert_true(EVP_EncryptUpdate(ctx, ct, &outl, ct_in, (int)ct_len));
		assert_true(EVP_EncryptFinal_ex(ctx, mac, &outl));
		assert_non_null(EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, k->sk_ai,
					  k->a_len, m->b, m->body_off + iv_len + ct_len,
					  mac, sizeof(mac), &mac_len));
		memcpy(ct + ct_len, mac, icv_len);
	}
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(cipher);
	return body_len;
}

static int raw_open(const struct ike_keys *k, const uint8_t *ct_in, size_t ct_len,
		    const uint8_t **plain, size_t *plain_len)
{
	static struct msg m;
	size_t body_len = raw_seal(k, &m, SKF_HDR, ct_in, ct_len);

	return ike_sk_open(k, true, m.b, m.len, m.body_off, body_len, plain, plain_len);
}

/* Any pad content and length is fine, up to the plaintext's start. */
static void test_padding(void **state)
{
	static const struct ike_suite suites[] = {
		{ IKE_ENCR_AES_CBC, 128, IKE_PRF_HMAC_SHA2_256,
		  IKE_INTEG_HMAC_SHA2_256_128, 0, 0 },
		{ IKE_ENCR_AES_GCM_16, 128, IKE_PRF_HMAC_SHA2_256, 0, 0, 0 },
		{ IKE_ENCR_CHACHA20_POLY1305, 0, IKE_PRF_HMAC_SHA2_256, 0, 0, 0 },
	};
	uint8_t block[48];
	const uint8_t *plain;
	struct ike_keys k;
	size_t i, plain_len;

	(void)state;
	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
		make_keys(&suites[i], &k);
		/* 10 bytes of payload, 37 of 0xab padding (more than a block) */
		fill(block, 10, 0x33);
		memset(block + 10, 0xab, 37);
		block[47] = 37;
		assert_int_equal(raw_open(&k, block, 48, &plain, &plain_len), 0);
		assert_int_equal(plain_len, 10);
		assert_int_equal(plain[9], (uint8_t)(0x33 + 63));

		/* All padding: an empty payload chain. */
		block[47] = 47;
		assert_int_equal(raw_open(&k, block, 48, &plain, &plain_len), 0);
		assert_int_equal(plain_len, 0);

		/* The pad length reaches before the plaintext. */
		block[47] = 48;
		assert_int_equal(raw_open(&k, block, 48, &plain, &plain_len), -EINVAL);
		block[47] = 0xff;
		assert_int_equal(raw_open(&k, block, 48, &plain, &plain_len), -EINVAL);
		block[15] = 16;
		assert_int_equal(raw_open(&k, block, 16, &plain, &plain_len), -EINVAL);
		ike_keys_wipe(&k);
	}
}

/* Bodies too short, cut mid-block, or not ending the message. */
static void test_short_bodies(void **state)
{
	const struct ike_suite cbc = { IKE_ENCR_AES_CBC, 128, IKE_PRF_HMAC_SHA2_256,
				       IKE_INTEG_HMAC_SHA2_256_128, 0, 0 };
	const struct ike_suite gcm = { IKE_ENCR_AES_GCM_16, 128, IKE_PRF_HMAC_SHA2_256,
				       0, 0, 0 };
	uint8_t buf[128] = { 0 };
	const uint8_t *plain;
	struct ike_keys k;
	size_t plain_len, len;
	struct msg m;

	(void)state;
	make_keys(&cbc, &k);
	for (len = 0; len < 16 + 16 + 16; len++)	/* IV, one block, ICV */
		assert_int_equal(ike_sk_open(&k, true, buf, 32 + len, 32, len, &plain,
					     &plain_len), -EINVAL);
	assert_int_equal(ike_sk_open(&k, true, buf, 32 + 56, 32, 56, &plain,
				     &plain_len), -EINVAL);	/* 24-byte ciphertext */
	/* A sound message that does not end where the body does. */
	build(&m, &cbc, SK_HDR, buf, 20);
	assert_int_equal(ike_sk_seal(&k, true, m.b, m.len, m.body_off, 20), 0);
	assert_int_equal(ike_sk_open(&k, true, m.b, m.len + 1, m.body_off,
				     m.len - m.body_off, &plain, &plain_len), -EINVAL);
	assert_int_equal(ike_sk_open(&k, true, m.b, m.len, m.body_off,
				     m.len - m.body_off - 1, &plain, &plain_len), -EINVAL);
	assert_int_equal(ike_sk_open(&k, true, m.b, m.len, m.len + 1, 0, &plain,
				     &plain_len), -EINVAL);
	/* Seal checks the body it is given has the size it needs. */
	assert_int_equal(ike_sk_seal(&k, true, m.b, m.len - 1, m.body_off, 20), -EINVAL);
	assert_int_equal(ike_sk_seal(&k, true, m.b, m.len, m.body_off, 32), -EINVAL);
	assert_int_equal(ike_sk_seal(&k, true, m.b, m.len, m.len + 1, 20), -EINVAL);
	assert_int_equal(ike_sk_open(&k, true, m.b, m.len, m.body_off,
				     m.len - m.body_off, &plain, &plain_len), 0);
	ike_keys_wipe(&k);

	make_keys(&gcm, &k);
	for (len = 0; len < 8 + 1 + 16; len++)		/* IV, pad length, ICV */
		assert_int_equal(ike_sk_open(&k, true, buf, 32 + len, 32, len, &plain,
					     &plain_len), -EINVAL);
	ike_keys_wipe(&k);
}

/* Suites seal/open do not run, and keys that do not fit their suite. */
static void test_unsupported(void **state)
{
	const struct ike_suite cbc = { IKE_ENCR_AES_CBC, 128, IKE_PRF_HMAC_SHA2_256,
				       IKE_INTEG_HMAC_SHA2_256_128, 0, 0 };
	static const struct ike_suite bad[] = {
		{ IKE_ENCR_AES_CTR, 128, 0, IKE_INTEG_HMAC_SHA2_256_128, 0, 0 },
		{ IKE_ENCR_NULL_AUTH_AES_GMAC, 128, 0, 0, 0, 0 },
		{ IKE_ENCR_AES_CBC, 128, 0, IKE_INTEG_NONE, 0, 0 },
		{ IKE_ENCR_AES_CBC, 128, 0, IKE_INTEG_AES_XCBC_96, 0, 0 },
		{ IKE_ENCR_AES_GCM_16, 128, 0, IKE_INTEG_HMAC_SHA1_96, 0, 0 },
		{ IKE_ENCR_NULL, 0, 0, IKE_INTEG_HMAC_SHA1_96, 0, 0 },
	};
	uint8_t buf[256] = { 0 };
	const uint8_t *plain;
	struct ike_keys k;
	size_t i, plain_len;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&k, 0, sizeof(k));
		k.suite = bad[i];
		k.e_len = 16;
		assert_int_equal(ike_sk_body_len(&bad[i], 10), 0);
		assert_int_equal(ike_sk_seal(&k, true, buf, 100, 32, 10), -ENOTSUP);
		assert_int_equal(ike_sk_open(&k, true, buf, 100, 32, 68, &plain,
					     &plain_len), -ENOTSUP);
	}
	make_keys(&cbc, &k);
	k.e_len = 32;
	assert_int_equal(ike_sk_seal(&k, true, buf, 32 + 64, 32, 20), -EINVAL);
	make_keys(&cbc, &k);
	k.a_len = 20;
	assert_int_equal(ike_sk_open(&k, true, buf, 32 + 64, 32, 64, &plain,
				     &plain_len), -EINVAL);
	ike_keys_wipe(&k);
}

/* Two seals of one plaintext differ in IV and ciphertext. */
static void test_fresh_iv(void **state)
{
	const struct ike_suite suites[] = {
		{ IKE_ENCR_AES_CBC, 256, IKE_PRF_HMAC_SHA2_256,
		  IKE_INTEG_HMAC_SHA2_256_128, 0, 0 },
		{ IKE_ENCR_AES_GCM_16, 256, IKE_PRF_HMAC_SHA2_256, 0, 0, 0 },
	};
	uint8_t plain_in[32] = { 0 };
	struct ike_keys k;
	struct msg a, b;
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		make_keys(&suites[i], &k);
		build(&a, &suites[i], SK_HDR, plain_in, sizeof(plain_in));
		build(&b, &suites[i], SK_HDR, plain_in, sizeof(plain_in));
		assert_int_equal(ike_sk_seal(&k, true, a.b, a.len, a.body_off, 32), 0);
		assert_int_equal(ike_sk_seal(&k, true, b.b, b.len, b.body_off, 32), 0);
		assert_memory_not_equal(a.b + a.body_off, b.b + b.body_off,
					ike_encr_iv_len(suites[i].encr));
		assert_memory_not_equal(a.b + a.body_off + 16, b.b + b.body_off + 16, 16);
		ike_keys_wipe(&k);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_rfc7634_ikev2),
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_tamper),
		cmocka_unit_test(test_padding),
		cmocka_unit_test(test_short_bodies),
		cmocka_unit_test(test_unsupported),
		cmocka_unit_test(test_fresh_iv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
