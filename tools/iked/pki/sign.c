// SPDX-License-Identifier: GPL-2.0
/*
 * AUTH payload signatures: signing and verifying the octets RFC 7296 2.15
 * defines, for the classic methods 1, 9, 10, 11 and RFC 7427's method 14.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "ikev2/ikev2.h"
#include "ossl_err.h"
#include "pki/sign.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

enum key_kind {
	KEY_NONE,
	KEY_RSA,
	KEY_P256,
	KEY_P384,
	KEY_P521,
};

/* What a signature is made with: the scheme, its hash, the PSS salt. */
struct sig_alg {
	enum ike_sig_scheme scheme;
	uint8_t hash;		/* enum ike_hash_alg */
	int salt_len;		/* RSASSA-PSS only */
};

static __thread char auth_err[256];

const char *ike_auth_error(void)
{
	return auth_err;
}

static int __attribute__((format(printf, 2, 3)))
auth_fail(int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ret = ike_ossl_fail(auth_err, sizeof(auth_err), ret, fmt, ap);
	va_end(ap);
	return ret;
}


/*
 * The AlgorithmIdentifiers we send (RFC 7427 Appendix A): PKCS#1 v1.5 with
 * a NULL parameter, ECDSA with none, RSASSA-PSS with the hash and MGF1-hash
 * written out (NULL parameters, as strongSwan sends them), the salt length
 * (not the default 20) and no trailer field (the default, 1).
 */
#define OID_PKCS1(n)	0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, n
#define OID_ECDSA(n)	0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, n
#define ALGID_SHA2(n)	0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, \
			0x03, 0x04, 0x02, n, 0x05, 0x00
#define ALGID_PSS(hash, salt) \
	0x30, 0x41, OID_PKCS1(0x0a), 0x30, 0x34, \
	0xa0, 0x0f, ALGID_SHA2(hash), \
	0xa1, 0x1c, 0x30, 0x1a, OID_PKCS1(0x08), ALGID_SHA2(hash), \
	0xa2, 0x03, 0x02, 0x01, salt

static const uint8_t algid_rsa_sha256[] = { 0x30, 0x0d, OID_PKCS1(0x0b), 0x05, 0x00 };
static const uint8_t algid_rsa_sha384[] = { 0x30, 0x0d, OID_PKCS1(0x0c), 0x05, 0x00 };
static const uint8_t algid_rsa_sha512[] = { 0x30, 0x0d, OID_PKCS1(0x0d), 0x05, 0x00 };
static const uint8_t algid_pss_sha256[] = { ALGID_PSS(0x01, 32) };
static const uint8_t algid_pss_sha384[] = { ALGID_PSS(0x02, 48) };
static const uint8_t algid_pss_sha512[] = { ALGID_PSS(0x03, 64) };
static const uint8_t algid_ecdsa_sha256[] = { 0x30, 0x0a, OID_ECDSA(0x02) };
static const uint8_t algid_ecdsa_sha384[] = { 0x30, 0x0a, OID_ECDSA(0x03) };
static const uint8_t algid_ecdsa_sha512[] = { 0x30, 0x0a, OID_ECDSA(0x04) };

static const struct {
	enum ike_sig_scheme scheme;
	uint8_t hash;
	const uint8_t *der;
	size_t len;
} algids[] = {
#define ALGID(s, h, a) { s, h, a, sizeof(a) }
	ALGID(IKE_SIG_RSA_PKCS1, IKE_HASH_SHA2_256, algid_rsa_sha256),
	ALGID(IKE_SIG_RSA_PKCS1, IKE_HASH_SHA2_384, algid_rsa_sha384),
	ALGID(IKE_SIG_RSA_PKCS1, IKE_HASH_SHA2_512, algid_rsa_sha512),
	ALGID(IKE_SIG_RSA_PSS, IKE_HASH_SHA2_256, algid_pss_sha256),
	ALGID(IKE_SIG_RSA_PSS, IKE_HASH_SHA2_384, algid_pss_sha384),
	ALGID(IKE_SIG_RSA_PSS, IKE_HASH_SHA2_512, algid_pss_sha512),
	ALGID(IKE_SIG_ECDSA, IKE_HASH_SHA2_256, algid_ecdsa_sha256),
	ALGID(IKE_SIG_ECDSA, IKE_HASH_SHA2_384, algid_ecdsa_sha384),
	ALGID(IKE_SIG_ECDSA, IKE_HASH_SHA2_512, algid_ecdsa_sha512),
#undef ALGID
};

/* Strongest first: the order method 14 picks a common hash in. */
static const uint8_t our_hashes[] = {
	IKE_HASH_SHA2_512, IKE_HASH_SHA2_384, IKE_HASH_SHA2_256,
};

int ike_auth_algid(uint8_t hash, enum ike_sig_scheme scheme,
		   const uint8_t **der, size_t *len)
{
	size_t i;

	for (i = 0; i < N(algids); i++) {
		if (algids[i].hash == hash && algids[i].scheme == scheme) {
			*der = algids[i].der;
			*len = algids[i].len;
			return 0;
		}
	}
	return -EINVAL;
}

static const EVP_MD *hash_md(uint8_t hash)
{
	switch (hash) {
	case IKE_HASH_SHA1:
		return EVP_sha1();
	case IKE_HASH_SHA2_256:
		return EVP_sha256();
	case IKE_HASH_SHA2_384:
		return EVP_sha384();
	case IKE_HASH_SHA2_512:
		return EVP_sha512();
	}
	return NULL;
}

static uint8_t hash_of_nid(int nid)
{
	switch (nid) {
	case NID_sha256:
		return IKE_HASH_SHA2_256;
	case NID_sha384:
		return IKE_HASH_SHA2_384;
	case NID_sha512:
		return IKE_HASH_SHA2_512;
	}
	return 0;
}

static enum key_kind key_kind(EVP_PKEY *key)
{
	char group[64];
	size_t len;

	if (!key)
		return KEY_NONE;
	if (EVP_PKEY_is_a(key, "RSA"))
		return KEY_RSA;
	if (!EVP_PKEY_is_a(key, "EC") ||
	    !EVP_PKEY_get_group_name(key, group, sizeof(group), &len))
		return KEY_NONE;
	switch (OBJ_txt2nid(group)) {
	case NID_X9_62_prime256v1:
		return KEY_P256;
	case NID_secp384r1:
		return KEY_P384;
	case NID_secp521r1:
		return KEY_P521;
	}
	return KEY_NONE;
}

bool ike_auth_key_usable(EVP_PKEY *key)
{
	return key_kind(key) != KEY_NONE;
}

size_t ike_auth_max_len(EVP_PKEY *key)
{
	int size = key ? EVP_PKEY_get_size(key) : 0;

	return size > 0 ? 1 + IKE_AUTH_ALGID_MAX + (size_t)size : 0;
}

/* The classic (pre-RFC 7427) method for a key type. */
static uint8_t classic_method(enum key_kind kind)
{
	switch (kind) {
	case KEY_RSA:
		return IKE_AUTH_RSA_SIG;
	case KEY_P256:
		return IKE_AUTH_ECDSA_SHA256_P256;
	case KEY_P384:
		return IKE_AUTH_ECDSA_SHA384_P384;
	case KEY_P521:
		return IKE_AUTH_ECDSA_SHA512_P521;
	case KEY_NONE:
		break;
	}
	return 0;
}

/* The hash and r|s field size of methods 9-11 (RFC 4754). */
static uint8_t ecdsa_method_hash(uint8_t method, size_t *field)
{
	switch (method) {
	case IKE_AUTH_ECDSA_SHA256_P256:
		*field = 32;
		return IKE_HASH_SHA2_256;
	case IKE_AUTH_ECDSA_SHA384_P384:
		*field = 48;
		return IKE_HASH_SHA2_384;
	case IKE_AUTH_ECDSA_SHA512_P521:
		*field = 66;
		return IKE_HASH_SHA2_512;
	}
	return 0;
}

const char *ike_auth_method_name(uint8_t method)
{
	switch (method) {
	case IKE_AUTH_PSK:
		return "pre-shared key";
	case IKE_AUTH_RSA_SIG:
		return "RSA signature";
	case IKE_AUTH_ECDSA_SHA256_P256:
		return "ECDSA P-256 SHA-256";
	case IKE_AUTH_ECDSA_SHA384_P384:
		return "ECDSA P-384 SHA-384";
	case IKE_AUTH_ECDSA_SHA512_P521:
		return "ECDSA P-521 SHA-512";
	case IKE_AUTH_DIGITAL_SIGNATURE:
		return "digital signature";
	}
	return "unsupported method";
}

/* Sets up CTX for ALG: the digest and, for PSS, padding, MGF1 and salt. */
static int sig_init(EVP_MD_CTX *ctx, EVP_PKEY *key, const struct sig_alg *alg,
		    bool sign)
{
	const EVP_MD *md = hash_md(alg->hash);
	EVP_PKEY_CTX *pctx = NULL;
	int ok;

	if (sign)
		ok = EVP_DigestSignInit(ctx, &pctx, md, NULL, key);
	else
		ok = EVP_DigestVerifyInit(ctx, &pctx, md, NULL, key);
	if (ok != 1)
		return -EIO;
	if (alg->scheme == IKE_SIG_RSA_PKCS1)
		ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING);
	else if (alg->scheme == IKE_SIG_RSA_PSS)
		ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
		     EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) == 1 &&
		     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, alg->salt_len) == 1;
	return ok == 1 ? 0 : -EIO;
}

/*
 * Signs into OUT (capacity *LEN): the DER ECDSA-Sig-Value for ECDSA, the
 * modulus-sized integer for RSA.
 */
static int sig_make(EVP_PKEY *key, const struct sig_alg *alg,
		    const uint8_t *octets, size_t len, uint8_t *out, size_t *out_len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t need = 0;
	int ret = -EIO;

	if (!ctx)
		return auth_fail(-ENOMEM, "out of memory");
	if (sig_init(ctx, key, alg, true) ||
	    EVP_DigestSign(ctx, NULL, &need, octets, len) != 1) {
		ret = auth_fail(-EIO, "cannot sign: %s", ike_ossl_reason());
		goto out;
	}
	if (need > *out_len) {
		ret = auth_fail(-ENOSPC, "signature needs %zu bytes", need);
		goto out;
	}
	if (EVP_DigestSign(ctx, out, out_len, octets, len) != 1) {
		ret = auth_fail(-EIO, "cannot sign: %s", ike_ossl_reason());
		goto out;
	}
	ret = 0;
out:
	EVP_MD_CTX_free(ctx);
	return ret;
}

static int sig_check(EVP_PKEY *key, const struct sig_alg *alg,
		     const uint8_t *sig, size_t sig_len,
		     const uint8_t *octets, size_t len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ret;

	if (!ctx)
		return auth_fail(-ENOMEM, "out of memory");
	if (sig_init(ctx, key, alg, false))
		ret = auth_fail(IKE_AUTH_FAILED, "cannot verify: %s", ike_ossl_reason());
	else if (EVP_DigestVerify(ctx, sig, sig_len, octets, len) != 1)
		ret = auth_fail(IKE_AUTH_FAILED, "signature does not verify");
	else
		ret = 0;
	EVP_MD_CTX_free(ctx);
	return ret;
}

/* DER ECDSA-Sig-Value into r|s, each FIELD bytes (RFC 4754 section 7). */
static int ecdsa_der_to_raw(const uint8_t *der, size_t der_len, size_t field,
			    uint8_t *out)
{
	const unsigned char *p = der;
	ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
	const BIGNUM *r, *s;
	int ret = -EIO;

	if (!sig)
		return auth_fail(-EIO, "cannot decode our ECDSA signature");
	ECDSA_SIG_get0(sig, &r, &s);
	if (BN_bn2binpad(r, out, (int)field) == (int)field &&
	    BN_bn2binpad(s, out + field, (int)field) == (int)field)
		ret = 0;
	else
		auth_fail(-EIO, "ECDSA signature wider than its curve");
	ECDSA_SIG_free(sig);
	return ret;
}

/* r|s back into DER for OpenSSL; *DER is the caller's to OPENSSL_free(). */
static int ecdsa_raw_to_der(const uint8_t *raw, size_t field, uint8_t **der,
			    size_t *der_len)
{
	ECDSA_SIG *sig = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(raw, (int)field, NULL);
	BIGNUM *s = BN_bin2bn(raw + field, (int)field, NULL);
	int len;

	if (!sig || !r || !s || ECDSA_SIG_set0(sig, r, s) != 1) {
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(sig);
		return auth_fail(-ENOMEM, "out of memory");
	}
	*der = NULL;
	len = i2d_ECDSA_SIG(sig, der);
	ECDSA_SIG_free(sig);
	if (len <= 0)
		return auth_fail(-ENOMEM, "out of memory");
	*der_len = (size_t)len;
	return 0;
}

uint16_t ike_isakmp_auth_method(EVP_PKEY *key)
{
	switch (key_kind(key)) {
	case KEY_RSA:
		return 3;	/* RSA signatures */
	case KEY_P256:
		return 9;	/* ECDSA with SHA-256 on P-256, RFC 4754 */
	case KEY_P384:
		return 10;
	case KEY_P521:
		return 11;
	case KEY_NONE:
		break;
	}
	return 0;
}

static size_t ec_field(enum key_kind kind)
{
	return kind == KEY_P256 ? 32 : kind == KEY_P384 ? 48 : kind == KEY_P521 ? 66 : 0;
}

int ike_sign_digest(EVP_PKEY *key, const uint8_t *digest, size_t len, uint8_t *out,
		    size_t *out_len)
{
	enum key_kind kind = key_kind(key);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(key, NULL);
	uint8_t der[160];
	size_t field = ec_field(kind), sig_len;
	int ret = -EIO;

	if (!ctx)
		return auth_fail(-ENOMEM, "out of memory");
	if (kind == KEY_NONE || EVP_PKEY_sign_init(ctx) != 1 ||
	    (kind == KEY_RSA && EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) != 1)) {
		ret = auth_fail(-EINVAL, "cannot sign with this key: %s", ike_ossl_reason());
		goto out;
	}
	sig_len = kind == KEY_RSA ? *out_len : sizeof(der);
	if (EVP_PKEY_sign(ctx, kind == KEY_RSA ? out : der, &sig_len, digest, len) != 1) {
		ret = auth_fail(-EIO, "signing failed: %s", ike_ossl_reason());
		goto out;
	}
	if (kind == KEY_RSA) {
		*out_len = sig_len;
		ret = 0;
	} else if (*out_len < 2 * field) {
		ret = auth_fail(-ENOSPC, "signature needs %zu bytes", 2 * field);
	} else {
		ret = ecdsa_der_to_raw(der, sig_len, field, out);
		if (!ret)
			*out_len = 2 * field;
	}
out:
	EVP_PKEY_CTX_free(ctx);
	return ret;
}

int ike_verify_digest(EVP_PKEY *key, const uint8_t *digest, size_t len, const uint8_t *sig,
		      size_t sig_len)
{
	enum key_kind kind = key_kind(key);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(key, NULL);
	size_t field = ec_field(kind), der_len = 0;
	uint8_t *der = NULL;
	int ret;

	if (!ctx)
		return auth_fail(-ENOMEM, "out of memory");
	if (kind == KEY_NONE || EVP_PKEY_verify_init(ctx) != 1 ||
	    (kind == KEY_RSA && EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) != 1)) {
		ret = auth_fail(IKE_AUTH_FAILED, "cannot verify with this key");
		goto out;
	}
	if (kind != KEY_RSA) {
		if (sig_len != 2 * field) {
			ret = auth_fail(IKE_AUTH_FAILED, "an ECDSA signature of %zu bytes", sig_len);
			goto out;
		}
		ret = ecdsa_raw_to_der(sig, field, &der, &der_len);
		if (ret)
			goto out;
	}
	ret = EVP_PKEY_verify(ctx, der ? der : sig, der ? der_len : sig_len, digest, len) == 1 ?
	      0 : auth_fail(IKE_AUTH_FAILED, "signature does not verify");
out:
	OPENSSL_free(der);
	EVP_PKEY_CTX_free(ctx);
	return ret;
}

/* Method 1: RSASSA-PKCS1-v1_5 with SHA-1, as RFC 7296 defines it. */
static int sign_rsa_sha1(EVP_PKEY *key, const uint8_t *octets, size_t len,
			 uint8_t *out, size_t *out_len)
{
	const struct sig_alg alg = { IKE_SIG_RSA_PKCS1, IKE_HASH_SHA1, 0 };

	return sig_make(key, &alg, octets, len, out, out_len);
}

/* Methods 9-11: ECDSA with the method's hash, r|s fixed-size. */
static int sign_ecdsa_raw(EVP_PKEY *key, uint8_t method, const uint8_t *octets,
			  size_t len, uint8_t *out, size_t *out_len)
{
	struct sig_alg alg = { IKE_SIG_ECDSA, 0, 0 };
	uint8_t der[160];
	size_t field = 0, der_len = sizeof(der);
	int ret;

	alg.hash = ecdsa_method_hash(method, &field);
	if (*out_len < 2 * field)
		return auth_fail(-ENOSPC, "signature needs %zu bytes", 2 * field);
	ret = sig_make(key, &alg, octets, len, der, &der_len);
	if (ret)
		return ret;
	ret = ecdsa_der_to_raw(der, der_len, field, out);
	if (!ret)
		*out_len = 2 * field;
	return ret;
}

/* Method 14: AlgorithmIdentifier length, AlgorithmIdentifier, signature. */
static int sign_digital(EVP_PKEY *key, const struct sig_alg *alg,
			const uint8_t *octets, size_t len, uint8_t *out,
			size_t *out_len)
{
	const uint8_t *der;
	size_t der_len, sig_len;
	int ret;

	if (ike_auth_algid(alg->hash, alg->scheme, &der, &der_len))
		return auth_fail(-EINVAL, "no AlgorithmIdentifier for hash %u",
				 alg->hash);
	if (*out_len < 1 + der_len)
		return auth_fail(-ENOSPC, "AUTH data does not fit");
	out[0] = (uint8_t)der_len;
	memcpy(out + 1, der, der_len);
	sig_len = *out_len - 1 - der_len;
	ret = sig_make(key, alg, octets, len, out + 1 + der_len, &sig_len);
	if (!ret)
		*out_len = 1 + der_len + sig_len;
	return ret;
}

/* The strongest SHA-2 both we and the peer have, or 0. */
static uint8_t common_hash(uint32_t peer_hash_algs)
{
	size_t i;

	for (i = 0; i < N(our_hashes); i++)
		if (peer_hash_algs & IKE_HASH_BIT(our_hashes[i]))
			return our_hashes[i];
	return 0;
}

/* Which method to sign with, by the policy ike_auth_sign() describes. */
static int choose_method(enum key_kind kind, uint8_t pref, uint32_t peer_hash_algs)
{
	if (!pref)
		return common_hash(peer_hash_algs) ? IKE_AUTH_DIGITAL_SIGNATURE :
						     classic_method(kind);
	if (pref == IKE_AUTH_DIGITAL_SIGNATURE || pref == classic_method(kind))
		return pref;
	return auth_fail(-EINVAL, "%s cannot sign with %s (method %u)",
			 kind == KEY_RSA ? "an RSA key" : "this EC key",
			 ike_auth_method_name(pref), pref);
}

int ike_auth_sign_flags(EVP_PKEY *key, uint8_t method_pref,
			uint32_t peer_hash_algs, unsigned int flags,
			const uint8_t *octets, size_t len, uint8_t *method_out,
			uint8_t *auth_data, size_t *auth_len)
{
	enum key_kind kind = key_kind(key);
	struct sig_alg alg = { IKE_SIG_ECDSA, 0, 0 };
	int method, ret;

	if (kind == KEY_NONE)
		return auth_fail(-EINVAL, "key is neither RSA nor EC P-256/384/521");
	method = choose_method(kind, method_pref, peer_hash_algs);
	if (method < 0)
		return method;

	switch (method) {
	case IKE_AUTH_RSA_SIG:
		ret = sign_rsa_sha1(key, octets, len, auth_data, auth_len);
		break;
	case IKE_AUTH_DIGITAL_SIGNATURE:
		alg.hash = common_hash(peer_hash_algs) ?: IKE_HASH_SHA2_256;
		if (kind == KEY_RSA) {
			alg.scheme = (flags & IKE_SIGN_RSA_PSS) ? IKE_SIG_RSA_PSS :
								  IKE_SIG_RSA_PKCS1;
			alg.salt_len = EVP_MD_get_size(hash_md(alg.hash));
		}
		ret = sign_digital(key, &alg, octets, len, auth_data, auth_len);
		break;
	default:
		ret = sign_ecdsa_raw(key, (uint8_t)method, octets, len, auth_data,
				     auth_len);
		break;
	}
	if (!ret)
		*method_out = (uint8_t)method;
	return ret;
}

int ike_auth_sign(EVP_PKEY *key, uint8_t method_pref, uint32_t peer_hash_algs,
		  const uint8_t *octets, size_t len, uint8_t *method_out,
		  uint8_t *auth_data, size_t *auth_len)
{
	return ike_auth_sign_flags(key, method_pref, peer_hash_algs, 0, octets,
				   len, method_out, auth_data, auth_len);
}

/* RSASSA-PSS-params (RFC 4055): hash, MGF1 with that hash, salt, trailer 1. */
static int parse_pss_params(const ASN1_STRING *seq, struct sig_alg *alg)
{
	RSA_PSS_PARAMS *pss = ASN1_item_unpack(seq, ASN1_ITEM_rptr(RSA_PSS_PARAMS));
	X509_ALGOR *mgf_md = NULL;
	int hash_nid = NID_sha1, mgf_nid = NID_sha1, ret = -EINVAL;
	int64_t salt = 20;

	if (!pss)
		return -EINVAL;
	if (pss->hashAlgorithm)
		hash_nid = OBJ_obj2nid(pss->hashAlgorithm->algorithm);
	if (pss->maskGenAlgorithm) {
		const X509_ALGOR *mgf = pss->maskGenAlgorithm;

		if (OBJ_obj2nid(mgf->algorithm) != NID_mgf1 || !mgf->parameter ||
		    mgf->parameter->type != V_ASN1_SEQUENCE)
			goto out;
		mgf_md = ASN1_item_unpack(mgf->parameter->value.sequence,
					  ASN1_ITEM_rptr(X509_ALGOR));
		if (!mgf_md)
			goto out;
		mgf_nid = OBJ_obj2nid(mgf_md->algorithm);
	}
	if (pss->saltLength && !ASN1_INTEGER_get_int64(&salt, pss->saltLength))
		goto out;
	if (pss->trailerField && ASN1_INTEGER_get(pss->trailerField) != 1)
		goto out;
	alg->hash = hash_of_nid(hash_nid);
	/* The salt length is the peer's choice; OpenSSL checks it exactly. */
	if (!alg->hash || mgf_nid != hash_nid || salt < 0 || salt > 1024)
		goto out;
	alg->scheme = IKE_SIG_RSA_PSS;
	alg->salt_len = (int)salt;
	ret = 0;
out:
	X509_ALGOR_free(mgf_md);
	RSA_PSS_PARAMS_free(pss);
	return ret;
}

/*
 * A method 14 AlgorithmIdentifier into what to verify with. Only what we
 * announce in SIGNATURE_HASH_ALGORITHMS is accepted (no SHA-1). Absent and
 * NULL parameters are both taken for PKCS#1, since encoders differ.
 */
static int parse_algid(const uint8_t *der, size_t len, struct sig_alg *alg)
{
	const unsigned char *p = der;
	X509_ALGOR *algor = d2i_X509_ALGOR(NULL, &p, (long)len);
	const ASN1_TYPE *param;
	int nid, ret = -EINVAL;

	if (!algor || p != der + len)
		goto out;
	param = algor->parameter;
	nid = OBJ_obj2nid(algor->algorithm);
	switch (nid) {
	case NID_sha256WithRSAEncryption:
	case NID_sha384WithRSAEncryption:
	case NID_sha512WithRSAEncryption:
		if (param && param->type != V_ASN1_NULL)
			break;
		alg->scheme = IKE_SIG_RSA_PKCS1;
		alg->hash = nid == NID_sha256WithRSAEncryption ? IKE_HASH_SHA2_256 :
			    nid == NID_sha384WithRSAEncryption ? IKE_HASH_SHA2_384 :
								 IKE_HASH_SHA2_512;
		ret = 0;
		break;
	case NID_ecdsa_with_SHA256:
	case NID_ecdsa_with_SHA384:
	case NID_ecdsa_with_SHA512:
		if (param)
			break;
		alg->scheme = IKE_SIG_ECDSA;
		alg->hash = nid == NID_ecdsa_with_SHA256 ? IKE_HASH_SHA2_256 :
			    nid == NID_ecdsa_with_SHA384 ? IKE_HASH_SHA2_384 :
							   IKE_HASH_SHA2_512;
		ret = 0;
		break;
	case NID_rsassaPss:
		if (param && param->type == V_ASN1_SEQUENCE)
			ret = parse_pss_params(param->value.sequence, alg);
		break;
	}
out:
	X509_ALGOR_free(algor);
	return ret;
}

static int verify_rsa_sha1(EVP_PKEY *key, const uint8_t *sig, size_t sig_len,
			   const uint8_t *octets, size_t len)
{
	const struct sig_alg alg = { IKE_SIG_RSA_PKCS1, IKE_HASH_SHA1, 0 };

	return sig_check(key, &alg, sig, sig_len, octets, len);
}

static int verify_ecdsa_raw(EVP_PKEY *key, uint8_t method, const uint8_t *sig,
			    size_t sig_len, const uint8_t *octets, size_t len)
{
	struct sig_alg alg = { IKE_SIG_ECDSA, 0, 0 };
	size_t field = 0, der_len = 0;
	uint8_t *der = NULL;
	int ret;

	alg.hash = ecdsa_method_hash(method, &field);
	if (sig_len != 2 * field)
		return auth_fail(IKE_AUTH_FAILED,
				 "%s signature of %zu bytes, not %zu",
				 ike_auth_method_name(method), sig_len, 2 * field);
	ret = ecdsa_raw_to_der(sig, field, &der, &der_len);
	if (ret)
		return ret;
	ret = sig_check(key, &alg, der, der_len, octets, len);
	OPENSSL_free(der);
	return ret;
}

static int verify_digital(EVP_PKEY *key, enum key_kind kind,
			  const uint8_t *data, size_t data_len,
			  const uint8_t *octets, size_t len)
{
	struct sig_alg alg = { 0, 0, 0 };
	size_t algid_len;

	if (data_len < 1 || data[0] == 0 || (size_t)data[0] + 1 >= data_len)
		return auth_fail(IKE_AUTH_FAILED,
				 "digital signature AUTH data is truncated");
	algid_len = data[0];
	if (parse_algid(data + 1, algid_len, &alg))
		return auth_fail(IKE_AUTH_FAILED,
				 "signature algorithm not supported or malformed");
	if ((alg.scheme == IKE_SIG_ECDSA) != (kind != KEY_RSA))
		return auth_fail(IKE_AUTH_FAILED, "%s signature with an %s key",
				 alg.scheme == IKE_SIG_ECDSA ? "ECDSA" : "RSA",
				 kind == KEY_RSA ? "RSA" : "EC");
	return sig_check(key, &alg, data + 1 + algid_len,
			 data_len - 1 - algid_len, octets, len);
}

int ike_auth_verify(EVP_PKEY *peer_key, uint8_t method,
		    const uint8_t *auth_data, size_t auth_len,
		    const uint8_t *octets, size_t len)
{
	enum key_kind kind = key_kind(peer_key);

	if (kind == KEY_NONE)
		return auth_fail(IKE_AUTH_FAILED,
				 "peer key is neither RSA nor EC P-256/384/521");
	if (!auth_len)
		return auth_fail(IKE_AUTH_FAILED, "empty AUTH data");
	if (method == IKE_AUTH_DIGITAL_SIGNATURE)
		return verify_digital(peer_key, kind, auth_data, auth_len,
				      octets, len);
	if (method != classic_method(kind))
		return auth_fail(IKE_AUTH_FAILED,
				 "%s (method %u) does not fit the peer's %s key",
				 ike_auth_method_name(method), method,
				 kind == KEY_RSA ? "RSA" : "EC");
	if (method == IKE_AUTH_RSA_SIG)
		return verify_rsa_sha1(peer_key, auth_data, auth_len, octets, len);
	return verify_ecdsa_raw(peer_key, method, auth_data, auth_len, octets, len);
}

int ike_hash_algs_payload(uint8_t *out, size_t cap)
{
	size_t i, n = N(our_hashes);

	if (cap < 2 * n)
		return -ENOSPC;
	/* Weakest first, as the registry lists them; order carries no meaning. */
	for (i = 0; i < n; i++) {
		out[2 * i] = 0;
		out[2 * i + 1] = our_hashes[n - 1 - i];
	}
	return (int)(2 * n);
}

int ike_hash_algs_parse(const uint8_t *data, size_t len, uint32_t *mask)
{
	uint32_t m = 0;
	size_t i;

	if (!len || len % 2)
		return -EINVAL;
	for (i = 0; i < len; i += 2) {
		unsigned int id = (unsigned int)data[i] << 8 | data[i + 1];

		if (id < 32)
			m |= IKE_HASH_BIT(id);
	}
	*mask = m;
	return 0;
}
