// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for tools/iked/sign.c: AUTH signatures for methods 1, 9, 10,
 * 11 and 14 (RFC 7296, RFC 4754, RFC 7427). Keys are generated at run time.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "ikev2/ikev2.h"
#include "pki/sign.h"

#define ALL_SHA2	(IKE_HASH_BIT(IKE_HASH_SHA2_256) | \
			 IKE_HASH_BIT(IKE_HASH_SHA2_384) | \
			 IKE_HASH_BIT(IKE_HASH_SHA2_512))

static struct {
	EVP_PKEY *rsa, *p256, *p256b, *p384, *p521;
} keys;

static const uint8_t octets[] = "RealMessage1 | NonceRData | prf(SK_pi, IDi')";

static EVP_PKEY *keygen(const char *type, const char *curve)
{
	EVP_PKEY *key = curve ? EVP_PKEY_Q_keygen(NULL, NULL, type, curve) :
				EVP_PKEY_Q_keygen(NULL, NULL, type, (size_t)2048);

	assert_non_null(key);
	return key;
}

static int make_keys(void **state)
{
	(void)state;
	keys.rsa = keygen("RSA", NULL);
	keys.p256 = keygen("EC", "P-256");
	keys.p256b = keygen("EC", "P-256");
	keys.p384 = keygen("EC", "P-384");
	keys.p521 = keygen("EC", "P-521");
	return 0;
}

static int free_keys(void **state)
{
	(void)state;
	EVP_PKEY_free(keys.rsa);
	EVP_PKEY_free(keys.p256);
	EVP_PKEY_free(keys.p256b);
	EVP_PKEY_free(keys.p384);
	EVP_PKEY_free(keys.p521);
	return 0;
}

struct auth {
	uint8_t method;
	uint8_t data[1024];
	size_t len;
};

static struct auth sign(EVP_PKEY *key, uint8_t pref, uint32_t hashes,
			unsigned int flags)
{
	struct auth a = { .len = sizeof(a.data) };

	assert_int_equal(ike_auth_sign_flags(key, pref, hashes, flags, octets,
					     sizeof(octets), &a.method, a.data,
					     &a.len), 0);
	assert_true(a.len <= ike_auth_max_len(key));
	return a;
}

static int verify(EVP_PKEY *key, const struct auth *a)
{
	return ike_auth_verify(key, a->method, a->data, a->len, octets,
			       sizeof(octets));
}

static void test_classic_methods(void **state)
{
	struct auth a;

	(void)state;
	a = sign(keys.rsa, 0, 0, 0);
	assert_int_equal(a.method, IKE_AUTH_RSA_SIG);
	assert_int_equal(a.len, 256);
	assert_int_equal(verify(keys.rsa, &a), 0);
	/* RSA-PSS is a method 14 scheme: without the notify it is method 1. */
	a = sign(keys.rsa, 0, 0, IKE_SIGN_RSA_PSS);
	assert_int_equal(a.method, IKE_AUTH_RSA_SIG);
	assert_int_equal(verify(keys.rsa, &a), 0);

	/* RFC 4754: r|s, each as wide as the curve. */
	a = sign(keys.p256, 0, 0, 0);
	assert_int_equal(a.method, IKE_AUTH_ECDSA_SHA256_P256);
	assert_int_equal(a.len, 64);
	assert_int_equal(verify(keys.p256, &a), 0);
	a = sign(keys.p384, 0, 0, 0);
	assert_int_equal(a.method, IKE_AUTH_ECDSA_SHA384_P384);
	assert_int_equal(a.len, 96);
	assert_int_equal(verify(keys.p384, &a), 0);
	a = sign(keys.p521, 0, 0, 0);
	assert_int_equal(a.method, IKE_AUTH_ECDSA_SHA512_P521);
	assert_int_equal(a.len, 132);
	assert_int_equal(verify(keys.p521, &a), 0);

	/* A peer with only SHA-1 or identity gets the classic method too. */
	a = sign(keys.p256, 0, IKE_HASH_BIT(IKE_HASH_SHA1) |
		 IKE_HASH_BIT(IKE_HASH_IDENTITY), 0);
	assert_int_equal(a.method, IKE_AUTH_ECDSA_SHA256_P256);
}

/* Method 14 with one hash: the AlgorithmIdentifier we expect, and valid. */
static void check_digital(EVP_PKEY *key, uint8_t hash, unsigned int flags,
			  enum ike_sig_scheme scheme)
{
	struct auth a = sign(key, 0, IKE_HASH_BIT(hash), flags);
	const uint8_t *der;
	size_t len;

	assert_int_equal(a.method, IKE_AUTH_DIGITAL_SIGNATURE);
	assert_int_equal(ike_auth_algid(hash, scheme, &der, &len), 0);
	assert_int_equal(a.data[0], len);
	assert_memory_equal(a.data + 1, der, len);
	assert_int_equal(verify(key, &a), 0);
}

static void test_digital_signature(void **state)
{
	static const uint8_t hashes[] = {
		IKE_HASH_SHA2_256, IKE_HASH_SHA2_384, IKE_HASH_SHA2_512,
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(hashes); i++) {
		check_digital(keys.rsa, hashes[i], 0, IKE_SIG_RSA_PKCS1);
		check_digital(keys.rsa, hashes[i], IKE_SIGN_RSA_PSS, IKE_SIG_RSA_PSS);
		check_digital(keys.p256, hashes[i], 0, IKE_SIG_ECDSA);
		check_digital(keys.p384, hashes[i], 0, IKE_SIG_ECDSA);
		check_digital(keys.p521, hashes[i], 0, IKE_SIG_ECDSA);
	}
}

static void test_sign_policy(void **state)
{
	struct auth a = { .len = sizeof(a.data) };
	const uint8_t *der;
	size_t len;

	(void)state;
	/* The strongest hash both sides have. */
	a = sign(keys.rsa, 0, ALL_SHA2 | IKE_HASH_BIT(IKE_HASH_SHA1), IKE_SIGN_RSA_PSS);
	assert_int_equal(ike_auth_algid(IKE_HASH_SHA2_512, IKE_SIG_RSA_PSS, &der, &len), 0);
	assert_memory_equal(a.data + 1, der, len);
	a = sign(keys.p256, 0, IKE_HASH_BIT(IKE_HASH_SHA2_256) |
		 IKE_HASH_BIT(IKE_HASH_SHA2_384), 0);
	assert_int_equal(ike_auth_algid(IKE_HASH_SHA2_384, IKE_SIG_ECDSA, &der, &len), 0);
	assert_memory_equal(a.data + 1, der, len);

	/* Forced: 14 without the notify uses SHA2-256; classic despite it. */
	a = sign(keys.p384, IKE_AUTH_DIGITAL_SIGNATURE, 0, 0);
	assert_int_equal(a.method, IKE_AUTH_DIGITAL_SIGNATURE);
	assert_int_equal(ike_auth_algid(IKE_HASH_SHA2_256, IKE_SIG_ECDSA, &der, &len), 0);
	assert_memory_equal(a.data + 1, der, len);
	a = sign(keys.rsa, IKE_AUTH_RSA_SIG, ALL_SHA2, 0);
	assert_int_equal(a.method, IKE_AUTH_RSA_SIG);

	/* A method the key cannot make. */
	a.len = sizeof(a.data);
	assert_int_equal(ike_auth_sign(keys.rsa, IKE_AUTH_ECDSA_SHA256_P256, 0, octets,
				       sizeof(octets), &a.method, a.data, &a.len),
			 -EINVAL);
	assert_int_equal(ike_auth_sign(keys.p256, IKE_AUTH_ECDSA_SHA384_P384, 0, octets,
				       sizeof(octets), &a.method, a.data, &a.len),
			 -EINVAL);
	assert_int_equal(ike_auth_sign(keys.p256, IKE_AUTH_RSA_SIG, 0, octets,
				       sizeof(octets), &a.method, a.data, &a.len),
			 -EINVAL);
	assert_int_equal(ike_auth_sign(keys.p256, IKE_AUTH_PSK, 0, octets,
				       sizeof(octets), &a.method, a.data, &a.len),
			 -EINVAL);
	assert_non_null(strstr(ike_auth_error(), "cannot sign with"));
	assert_int_equal(ike_auth_sign(NULL, 0, 0, octets, sizeof(octets), &a.method,
				       a.data, &a.len), -EINVAL);
}

/* Plain OpenSSL verification of SIG over the octets, independent of sign.c. */
static int openssl_verify(EVP_PKEY *key, const EVP_MD *md, int padding,
			  const uint8_t *sig, size_t len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	int ok;

	assert_non_null(ctx);
	assert_int_equal(EVP_DigestVerifyInit(ctx, &pctx, md, NULL, key), 1);
	if (padding) {
		assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(pctx, padding), 1);
		if (padding == RSA_PKCS1_PSS_PADDING)
			assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx,
					 EVP_MD_get_size(md)), 1);
	}
	ok = EVP_DigestVerify(ctx, sig, len, octets, sizeof(octets));
	EVP_MD_CTX_free(ctx);
	return ok;
}

/* r|s of WIDTH bytes each as the DER OpenSSL verifies; the DER length. */
static size_t raw_to_der(const uint8_t *raw, size_t width, uint8_t *der)
{
	ECDSA_SIG *sig = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(raw, (int)width, NULL);
	BIGNUM *s = BN_bin2bn(raw + width, (int)width, NULL);
	unsigned char *p = der;
	int len;

	assert_non_null(sig);
	assert_int_equal(ECDSA_SIG_set0(sig, r, s), 1);
	len = i2d_ECDSA_SIG(sig, &p);
	assert_true(len > 0);
	ECDSA_SIG_free(sig);
	return (size_t)len;
}

/* What we sign, checked by OpenSSL alone with the parameters the RFCs fix. */
static void test_sign_independent(void **state)
{
	struct auth a;
	uint8_t der[160];
	size_t len;

	(void)state;
	a = sign(keys.rsa, 0, 0, 0);
	assert_int_equal(openssl_verify(keys.rsa, EVP_sha1(), RSA_PKCS1_PADDING,
					a.data, a.len), 1);
	a = sign(keys.rsa, 0, IKE_HASH_BIT(IKE_HASH_SHA2_384), 0);
	assert_int_equal(openssl_verify(keys.rsa, EVP_sha384(), RSA_PKCS1_PADDING,
					a.data + 1 + a.data[0],
					a.len - 1 - a.data[0]), 1);
	a = sign(keys.rsa, 0, IKE_HASH_BIT(IKE_HASH_SHA2_256), IKE_SIGN_RSA_PSS);
	assert_int_equal(openssl_verify(keys.rsa, EVP_sha256(), RSA_PKCS1_PSS_PADDING,
					a.data + 1 + a.data[0],
					a.len - 1 - a.data[0]), 1);
	a = sign(keys.p384, 0, IKE_HASH_BIT(IKE_HASH_SHA2_512), 0);
	assert_int_equal(openssl_verify(keys.p384, EVP_sha512(), 0,
					a.data + 1 + a.data[0],
					a.len - 1 - a.data[0]), 1);
	a = sign(keys.p256, 0, 0, 0);
	len = raw_to_der(a.data, 32, der);
	assert_int_equal(openssl_verify(keys.p256, EVP_sha256(), 0, der, len), 1);
	a = sign(keys.p521, 0, 0, 0);
	len = raw_to_der(a.data, 66, der);
	assert_int_equal(openssl_verify(keys.p521, EVP_sha512(), 0, der, len), 1);
}

static void test_capacity(void **state)
{
	uint8_t buf[300], method = 0;
	size_t len;

	(void)state;
	len = 255;
	assert_int_equal(ike_auth_sign(keys.rsa, 0, 0, octets, sizeof(octets),
				       &method, buf, &len), -ENOSPC);
	len = 256;
	assert_int_equal(ike_auth_sign(keys.rsa, 0, 0, octets, sizeof(octets),
				       &method, buf, &len), 0);
	assert_int_equal(len, 256);
	len = 256 + 15;
	assert_int_equal(ike_auth_sign(keys.rsa, 0, ALL_SHA2, octets, sizeof(octets),
				       &method, buf, &len), -ENOSPC);
	len = 63;
	assert_int_equal(ike_auth_sign(keys.p256, 0, 0, octets, sizeof(octets),
				       &method, buf, &len), -ENOSPC);
	len = 10;
	assert_int_equal(ike_auth_sign(keys.p256, 0, ALL_SHA2, octets, sizeof(octets),
				       &method, buf, &len), -ENOSPC);
	len = 0;
	assert_int_equal(ike_auth_sign(keys.p256, 0, ALL_SHA2, octets, sizeof(octets),
				       &method, buf, &len), -ENOSPC);
}

static void expect_fail(EVP_PKEY *key, const struct auth *a)
{
	assert_int_equal(verify(key, a), IKE_AUTH_FAILED);
	assert_true(ike_auth_error()[0]);
}

static void tamper(EVP_PKEY *key, uint8_t pref, uint32_t hashes, unsigned int flags)
{
	struct auth a = sign(key, pref, hashes, flags), b;

	assert_int_equal(verify(key, &a), 0);
	assert_int_equal(ike_auth_verify(key, a.method, a.data, a.len, octets,
					 sizeof(octets) - 1), IKE_AUTH_FAILED);
	b = a;
	b.data[b.len - 1] ^= 0x01;
	expect_fail(key, &b);
	b = a;
	b.data[b.len / 2] ^= 0x80;
	expect_fail(key, &b);
	b = a;
	b.len--;
	expect_fail(key, &b);
	b.len = 0;
	expect_fail(key, &b);
}

static void test_tampered(void **state)
{
	(void)state;
	tamper(keys.rsa, 0, 0, 0);
	tamper(keys.rsa, 0, ALL_SHA2, 0);
	tamper(keys.rsa, 0, ALL_SHA2, IKE_SIGN_RSA_PSS);
	tamper(keys.p256, 0, 0, 0);
	tamper(keys.p384, 0, 0, 0);
	tamper(keys.p521, 0, 0, 0);
	tamper(keys.p256, 0, ALL_SHA2, 0);
	tamper(keys.p521, 0, IKE_HASH_BIT(IKE_HASH_SHA2_256), 0);
}

static void test_digital_malformed(void **state)
{
	struct auth a = sign(keys.rsa, 0, IKE_HASH_BIT(IKE_HASH_SHA2_256), 0), b;

	(void)state;
	/* Another hash named than the one signed with. */
	b = a;
	b.data[1 + 12] = 0x0c;		/* sha384WithRSAEncryption */
	expect_fail(keys.rsa, &b);
	/* AlgorithmIdentifier length pointing past or to the end. */
	b = a;
	b.data[0] = 0xff;
	expect_fail(keys.rsa, &b);
	b.data[0] = 0;
	expect_fail(keys.rsa, &b);
	b = a;
	b.len = 1 + a.data[0];
	expect_fail(keys.rsa, &b);
	b.len = 1;
	expect_fail(keys.rsa, &b);
	/* Not DER. */
	b = a;
	b.data[2] = 0x7f;
	expect_fail(keys.rsa, &b);
	/* The AlgorithmIdentifier one byte short of its length field. */
	b = a;
	b.data[0]--;
	expect_fail(keys.rsa, &b);
}

static void test_method_key_mismatch(void **state)
{
	struct auth a;

	(void)state;
	a = sign(keys.rsa, 0, 0, 0);
	expect_fail(keys.p256, &a);
	a.method = IKE_AUTH_ECDSA_SHA256_P256;
	expect_fail(keys.rsa, &a);
	a = sign(keys.p256, 0, 0, 0);
	expect_fail(keys.p384, &a);
	expect_fail(keys.p256b, &a);
	a.method = IKE_AUTH_ECDSA_SHA384_P384;
	expect_fail(keys.p256, &a);
	a.method = IKE_AUTH_RSA_SIG;
	expect_fail(keys.p256, &a);
	a.method = IKE_AUTH_PSK;
	expect_fail(keys.p256, &a);
	a.method = IKE_AUTH_DSS_SIG;
	expect_fail(keys.p256, &a);
	/* Method 14: an ECDSA AlgorithmIdentifier with an RSA key, and back. */
	a = sign(keys.p256, 0, ALL_SHA2, 0);
	expect_fail(keys.rsa, &a);
	a = sign(keys.rsa, 0, ALL_SHA2, IKE_SIGN_RSA_PSS);
	expect_fail(keys.p256, &a);
	a = sign(keys.p256, 0, 0, 0);
	assert_int_equal(ike_auth_verify(NULL, a.method, a.data, a.len, octets,
					 sizeof(octets)), IKE_AUTH_FAILED);
}

static size_t unhex(const char *s, uint8_t *out)
{
	size_t n = 0;
	unsigned int v;

	for (; *s; s++) {
		if (*s == ' ')
			continue;
		assert_int_equal(sscanf(s, "%2x", &v), 1);
		out[n++] = (uint8_t)v;
		s++;
	}
	return n;
}

static void check_algid(uint8_t hash, enum ike_sig_scheme scheme, const char *hex)
{
	uint8_t want[128];
	size_t want_len = unhex(hex, want), len;
	const uint8_t *der;

	assert_int_equal(ike_auth_algid(hash, scheme, &der, &len), 0);
	assert_int_equal(len, want_len);
	assert_memory_equal(der, want, len);
}

/* Decodes and re-encodes DER: the same bytes if it was valid DER. */
static void check_der(uint8_t hash, enum ike_sig_scheme scheme)
{
	const unsigned char *der, *p;
	unsigned char *again = NULL;
	X509_ALGOR *alg;
	size_t len;
	int n;

	assert_int_equal(ike_auth_algid(hash, scheme, &der, &len), 0);
	assert_true(len <= IKE_AUTH_ALGID_MAX);
	p = der;
	alg = d2i_X509_ALGOR(NULL, &p, (long)len);
	assert_non_null(alg);
	assert_ptr_equal(p, der + len);
	n = i2d_X509_ALGOR(alg, &again);
	assert_int_equal(n, len);
	assert_memory_equal(again, der, len);
	OPENSSL_free(again);
	X509_ALGOR_free(alg);
}

/*
 * RFC 7427 Appendix A: A.1.2-A.1.4 (sha256/384/512WithRSAEncryption),
 * A.3.2-A.3.4 (ecdsa-with-sha256/384/512), A.4.3 (RSASSA-PSS with
 * SHA-256). The RFC has no PSS with SHA-384/512; those follow the same
 * pattern (hash and MGF1-hash with NULL parameters, salt = hash length, no
 * trailer), as strongSwan builds them.
 */
static void test_rfc7427_algids(void **state)
{
	static const uint8_t hashes[] = {
		IKE_HASH_SHA2_256, IKE_HASH_SHA2_384, IKE_HASH_SHA2_512,
	};
	const uint8_t *der;
	size_t i, len;

	(void)state;
	check_algid(IKE_HASH_SHA2_256, IKE_SIG_RSA_PKCS1,
		    "300d 0609 2a86 4886 f70d 0101 0b05 00");
	check_algid(IKE_HASH_SHA2_384, IKE_SIG_RSA_PKCS1,
		    "300d 0609 2a86 4886 f70d 0101 0c05 00");
	check_algid(IKE_HASH_SHA2_512, IKE_SIG_RSA_PKCS1,
		    "300d 0609 2a86 4886 f70d 0101 0d05 00");
	check_algid(IKE_HASH_SHA2_256, IKE_SIG_ECDSA,
		    "300a 0608 2a86 48ce 3d04 0302");
	check_algid(IKE_HASH_SHA2_384, IKE_SIG_ECDSA,
		    "300a 0608 2a86 48ce 3d04 0303");
	check_algid(IKE_HASH_SHA2_512, IKE_SIG_ECDSA,
		    "300a 0608 2a86 48ce 3d04 0304");
	check_algid(IKE_HASH_SHA2_256, IKE_SIG_RSA_PSS,
		    "3041 0609 2a86 4886 f70d 0101 0a30 34a0"
		    "0f30 0d06 0960 8648 0165 0304 0201 0500"
		    "a11c 301a 0609 2a86 4886 f70d 0101 0830"
		    "0d06 0960 8648 0165 0304 0201 0500 a203"
		    "0201 20");
	check_algid(IKE_HASH_SHA2_384, IKE_SIG_RSA_PSS,
		    "3041 0609 2a86 4886 f70d 0101 0a30 34a0"
		    "0f30 0d06 0960 8648 0165 0304 0202 0500"
		    "a11c 301a 0609 2a86 4886 f70d 0101 0830"
		    "0d06 0960 8648 0165 0304 0202 0500 a203"
		    "0201 30");
	check_algid(IKE_HASH_SHA2_512, IKE_SIG_RSA_PSS,
		    "3041 0609 2a86 4886 f70d 0101 0a30 34a0"
		    "0f30 0d06 0960 8648 0165 0304 0203 0500"
		    "a11c 301a 0609 2a86 4886 f70d 0101 0830"
		    "0d06 0960 8648 0165 0304 0203 0500 a203"
		    "0201 40");
	for (i = 0; i < sizeof(hashes); i++) {
		check_der(hashes[i], IKE_SIG_RSA_PKCS1);
		check_der(hashes[i], IKE_SIG_RSA_PSS);
		check_der(hashes[i], IKE_SIG_ECDSA);
	}
	assert_int_equal(ike_auth_algid(IKE_HASH_SHA1, IKE_SIG_RSA_PKCS1, &der, &len),
			 -EINVAL);
	assert_int_equal(ike_auth_algid(IKE_HASH_IDENTITY, IKE_SIG_ECDSA, &der, &len),
			 -EINVAL);
}

/* A method 14 AUTH made by hand: ALGID_HEX, then OpenSSL's signature. */
static struct auth foreign_auth(const char *algid_hex, const EVP_MD *md,
				int padding, int salt)
{
	struct auth a = { .method = IKE_AUTH_DIGITAL_SIGNATURE };
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	size_t n = unhex(algid_hex, a.data + 1), sig_len = sizeof(a.data) - 1 - n;

	a.data[0] = (uint8_t)n;
	assert_non_null(ctx);
	assert_int_equal(EVP_DigestSignInit(ctx, &pctx, md, NULL, keys.rsa), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(pctx, padding), 1);
	if (padding == RSA_PKCS1_PSS_PADDING)
		assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, salt), 1);
	assert_int_equal(EVP_DigestSign(ctx, a.data + 1 + n, &sig_len, octets,
					sizeof(octets)), 1);
	a.len = 1 + n + sig_len;
	EVP_MD_CTX_free(ctx);
	return a;
}

/* What other implementations may send that we did not: still verified. */
static void test_verify_other_encodings(void **state)
{
	/* PKCS#1 without the NULL parameter. */
	const char *rsa_sha256_absent = "300b 0609 2a86 4886 f70d 0101 0b";
	/* PSS with SHA-256, salt 20: the saltLength field omitted (default). */
	const char *pss_sha256_salt20 =
		"303c 0609 2a86 4886 f70d 0101 0a30 2fa0"
		"0f30 0d06 0960 8648 0165 0304 0201 0500"
		"a11c 301a 0609 2a86 4886 f70d 0101 0830"
		"0d06 0960 8648 0165 0304 0201 0500";
	/* The same with hash parameters absent and an explicit trailer 1. */
	const char *pss_sha256_bare =
		"3042 0609 2a86 4886 f70d 0101 0a30 35a0"
		"0d30 0b06 0960 8648 0165 0304 0201 a11a"
		"3018 0609 2a86 4886 f70d 0101 0830 0b06"
		"0960 8648 0165 0304 0201 a203 0201 14a3"
		"0302 0101";
	/* SHA-1 (we do not announce it) and default PSS (SHA-1). */
	const char *rsa_sha1 = "300d 0609 2a86 4886 f70d 0101 0505 00";
	const char *pss_default = "300d 0609 2a86 4886 f70d 0101 0a30 00";
	struct auth a;

	(void)state;
	a = foreign_auth(rsa_sha256_absent, EVP_sha256(), RSA_PKCS1_PADDING, 0);
	assert_int_equal(verify(keys.rsa, &a), 0);
	a = foreign_auth(pss_sha256_salt20, EVP_sha256(), RSA_PKCS1_PSS_PADDING, 20);
	assert_int_equal(verify(keys.rsa, &a), 0);
	a = foreign_auth(pss_sha256_bare, EVP_sha256(), RSA_PKCS1_PSS_PADDING, 20);
	assert_int_equal(verify(keys.rsa, &a), 0);
	/* The salt length is checked: 20 signed, 32 claimed. */
	a = foreign_auth("3041 0609 2a86 4886 f70d 0101 0a30 34a0"
			 "0f30 0d06 0960 8648 0165 0304 0201 0500"
			 "a11c 301a 0609 2a86 4886 f70d 0101 0830"
			 "0d06 0960 8648 0165 0304 0201 0500 a203"
			 "0201 20", EVP_sha256(), RSA_PKCS1_PSS_PADDING, 20);
	expect_fail(keys.rsa, &a);
	a = foreign_auth(rsa_sha1, EVP_sha1(), RSA_PKCS1_PADDING, 0);
	expect_fail(keys.rsa, &a);
	a = foreign_auth(pss_default, EVP_sha1(), RSA_PKCS1_PSS_PADDING, 20);
	expect_fail(keys.rsa, &a);
}

static void test_hash_algs_notify(void **state)
{
	const uint8_t want[] = { 0, 2, 0, 3, 0, 4 };
	const uint8_t peer[] = { 0, 1, 0, 2, 0, 5, 0xff, 0xff, 0, 4 };
	uint8_t buf[8];
	uint32_t mask = 7;

	(void)state;
	assert_int_equal(ike_hash_algs_payload(buf, sizeof(buf)), 6);
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(ike_hash_algs_payload(buf, 5), -ENOSPC);

	assert_int_equal(ike_hash_algs_parse(buf, 6, &mask), 0);
	assert_int_equal(mask, ALL_SHA2);
	assert_int_equal(ike_hash_algs_parse(peer, sizeof(peer), &mask), 0);
	assert_int_equal(mask, IKE_HASH_BIT(IKE_HASH_SHA1) |
			 IKE_HASH_BIT(IKE_HASH_SHA2_256) |
			 IKE_HASH_BIT(IKE_HASH_IDENTITY) |
			 IKE_HASH_BIT(IKE_HASH_SHA2_512));
	mask = 7;
	assert_int_equal(ike_hash_algs_parse(peer, 5, &mask), -EINVAL);
	assert_int_equal(ike_hash_algs_parse(peer, 0, &mask), -EINVAL);
	assert_int_equal(mask, 7);
}

static void test_key_usable(void **state)
{
	EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	EVP_PKEY *k1 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "secp256k1");
	uint8_t buf[256] = { 0 }, method;
	size_t len = sizeof(buf);

	(void)state;
	assert_non_null(ed);
	assert_non_null(k1);
	assert_true(ike_auth_key_usable(keys.rsa));
	assert_true(ike_auth_key_usable(keys.p521));
	assert_false(ike_auth_key_usable(ed));
	assert_false(ike_auth_key_usable(k1));
	assert_false(ike_auth_key_usable(NULL));
	assert_int_equal(ike_auth_sign(k1, 0, 0, octets, sizeof(octets), &method,
				       buf, &len), -EINVAL);
	assert_int_equal(ike_auth_verify(ed, IKE_AUTH_DIGITAL_SIGNATURE, buf, 10,
					 octets, sizeof(octets)), IKE_AUTH_FAILED);
	assert_int_equal(ike_auth_max_len(NULL), 0);
	EVP_PKEY_free(ed);
	EVP_PKEY_free(k1);
}

/*
 * IKEv1 SIG payloads: HASH_I signed as it is. RSA: PKCS#1 type 1 over the
 * bare hash, which a public-key decryption gives back whole; ECDSA: r|s
 * over the hash as the digest. Checked with OpenSSL directly, and tampered.
 */
static void test_ikev1_digest_signatures(void **state)
{
	static const uint8_t hash[48] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	EVP_PKEY *ks[] = { keys.rsa, keys.p256, keys.p384, keys.p521 };
	static const uint16_t methods[] = { 3, 9, 10, 11 };
	uint8_t sig[1024], plain[512], der[160];
	size_t len, plen;
	unsigned int i;
	EVP_PKEY_CTX *ctx;

	(void)state;
	for (i = 0; i < 4; i++) {
		assert_int_equal(ike_isakmp_auth_method(ks[i]), methods[i]);
		len = sizeof(sig);
		assert_int_equal(ike_sign_digest(ks[i], hash, sizeof(hash), sig, &len), 0);
		assert_int_equal(ike_verify_digest(ks[i], hash, sizeof(hash), sig, len), 0);
		ctx = EVP_PKEY_CTX_new(ks[i], NULL);
		assert_non_null(ctx);
		if (i == 0) {
			/* The recovered block is the hash itself: no DigestInfo. */
			assert_int_equal(EVP_PKEY_verify_recover_init(ctx), 1);
			assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING), 1);
			plen = sizeof(plain);
			assert_int_equal(EVP_PKEY_verify_recover(ctx, plain, &plen, sig, len), 1);
			assert_int_equal(plen, sizeof(hash));
			assert_memory_equal(plain, hash, sizeof(hash));
		} else {
			assert_int_equal(len, 2 * (i == 1 ? 32 : i == 2 ? 48 : 66));
			plen = raw_to_der(sig, len / 2, der);
			assert_int_equal(EVP_PKEY_verify_init(ctx), 1);
			assert_int_equal(EVP_PKEY_verify(ctx, der, plen, hash, sizeof(hash)), 1);
		}
		EVP_PKEY_CTX_free(ctx);
		sig[len / 2] ^= 1;
		assert_int_equal(ike_verify_digest(ks[i], hash, sizeof(hash), sig, len),
				 IKE_AUTH_FAILED);
		sig[len / 2] ^= 1;
		/* (ECDSA cuts a digest longer than its order: only RSA sees the length.) */
		if (i == 0)
			assert_int_equal(ike_verify_digest(ks[i], hash, sizeof(hash) - 1, sig, len),
					 IKE_AUTH_FAILED);
	}
	len = sizeof(sig);
	assert_int_equal(ike_sign_digest(keys.p256, hash, 32, sig, &len), 0);
	assert_int_equal(ike_verify_digest(keys.p256b, hash, 32, sig, len), IKE_AUTH_FAILED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classic_methods),
		cmocka_unit_test(test_digital_signature),
		cmocka_unit_test(test_sign_policy),
		cmocka_unit_test(test_sign_independent),
		cmocka_unit_test(test_capacity),
		cmocka_unit_test(test_tampered),
		cmocka_unit_test(test_digital_malformed),
		cmocka_unit_test(test_method_key_mismatch),
		cmocka_unit_test(test_rfc7427_algids),
		cmocka_unit_test(test_verify_other_encodings),
		cmocka_unit_test(test_hash_algs_notify),
		cmocka_unit_test(test_key_usable),
		cmocka_unit_test(test_ikev1_digest_signatures),
	};

	return cmocka_run_group_tests(tests, make_keys, free_keys);
}
