// SPDX-License-Identifier: GPL-2.0
/*
 * Diffie-Hellman for the KE payload: MODP groups (RFC 2409, RFC 3526),
 * NIST ECP curves in the x | y form of RFC 5903, and Curve25519 (RFC 8031),
 * all as libcrypto EVP_PKEYs. The peer's value is checked before use.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/dh.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>

#include "crypto/crypto.h"
#include "ikev2/ikev2.h"

enum dh_kind { DH_MODP, DH_ECP, DH_X25519 };

struct dh_group {
	uint16_t id;
	enum dh_kind kind;
	size_t pub_len;			/* KE payload data */
	const char *modp_name;		/* libcrypto's name; NULL: not named there */
	BIGNUM *(*prime)(BIGNUM *);	/* MODP: the group's prime */
	int nid;			/* ECP: the curve */
};

#define MODP(id, bytes, name, prime) { id, DH_MODP, bytes, name, prime, NID_undef }
#define ECP(id, bytes, nid) { id, DH_ECP, bytes, NULL, NULL, nid }

static const struct dh_group dh_groups[] = {
	/* RFC 2409's Oakley groups are not among libcrypto's named ones. */
	MODP(IKE_DH_MODP768, 96, NULL, BN_get_rfc2409_prime_768),
	MODP(IKE_DH_MODP1024, 128, NULL, BN_get_rfc2409_prime_1024),
	MODP(IKE_DH_MODP1536, 192, "modp_1536", BN_get_rfc3526_prime_1536),
	MODP(IKE_DH_MODP2048, 256, "modp_2048", BN_get_rfc3526_prime_2048),
	MODP(IKE_DH_MODP3072, 384, "modp_3072", BN_get_rfc3526_prime_3072),
	MODP(IKE_DH_MODP4096, 512, "modp_4096", BN_get_rfc3526_prime_4096),
	MODP(IKE_DH_MODP6144, 768, "modp_6144", BN_get_rfc3526_prime_6144),
	MODP(IKE_DH_MODP8192, 1024, "modp_8192", BN_get_rfc3526_prime_8192),
	ECP(IKE_DH_ECP256, 64, NID_X9_62_prime256v1),
	ECP(IKE_DH_ECP384, 96, NID_secp384r1),
	ECP(IKE_DH_ECP521, 132, NID_secp521r1),
	{ IKE_DH_CURVE25519, DH_X25519, 32, NULL, NULL, NID_undef },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define X25519_LEN	32
#define EC_UNCOMPRESSED	0x04	/* SEC 1 point form, which KE data omits */

struct ike_dh {
	const struct dh_group *group;
	EVP_PKEY *key;
	uint8_t pub[IKE_DH_MAX_PUBLIC_LEN];
};

static const struct dh_group *dh_group(uint16_t id)
{
	size_t i;

	for (i = 0; i < N(dh_groups); i++)
		if (dh_groups[i].id == id)
			return &dh_groups[i];
	return NULL;
}

bool ike_dh_supported(uint16_t group)
{
	return dh_group(group) != NULL;
}

size_t ike_dh_public_len(uint16_t group)
{
	const struct dh_group *g = dh_group(group);

	return g ? g->pub_len : 0;
}

size_t ike_dh_shared_len(uint16_t group)
{
	const struct dh_group *g = dh_group(group);

	if (!g)
		return 0;
	return g->kind == DH_ECP ? g->pub_len / 2 : g->pub_len;
}

uint16_t ike_dh_group(const struct ike_dh *dh)
{
	return dh->group->id;
}

/* An EVP_PKEY of @type from what @bld holds (domain parameters and keys). */
static EVP_PKEY *key_from_params(const char *type, int selection,
				 OSSL_PARAM_BLD *bld)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	EVP_PKEY *key = NULL;

	if (params && ctx && EVP_PKEY_fromdata_init(ctx) == 1 &&
	    EVP_PKEY_fromdata(ctx, &key, selection, params) != 1)
		key = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);	/* clears the copy of a private key */
	return key;
}

static int selection(const void *priv, const void *pub)
{
	if (priv)
		return EVP_PKEY_KEYPAIR;
	return pub ? EVP_PKEY_PUBLIC_KEY : EVP_PKEY_KEY_PARAMETERS;
}

/* A MODP group's parameters, with the keys given (either may be NULL). */
static EVP_PKEY *modp_key(const struct dh_group *g, const BIGNUM *priv,
			  const BIGNUM *pub)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	BIGNUM *p = g->prime(NULL), *gen = BN_new();
	EVP_PKEY *key = NULL;
	int ok;

	if (!bld || !p || !gen || !BN_set_word(gen, 2))
		goto out;
	if (g->modp_name)	/* lets libcrypto pick a short exponent */
		ok = OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
						     g->modp_name, 0);
	else
		ok = OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, p) &&
		     OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, gen);
	if (ok && priv)
		ok = OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv);
	if (ok && pub)
		ok = OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, pub);
	if (ok)
		key = key_from_params("DH", selection(priv, pub), bld);
out:
	BN_free(gen);
	BN_free(p);
	OSSL_PARAM_BLD_free(bld);
	return key;
}

/* An ECP curve, with the keys given; @point is SEC 1 uncompressed. */
static EVP_PKEY *ecp_key(const struct dh_group *g, const BIGNUM *priv,
			 const uint8_t *point, size_t point_len)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	EVP_PKEY *key = NULL;
	int ok;

	if (!bld)
		return NULL;
	ok = OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
					     OBJ_nid2sn(g->nid), 0);
	if (ok && priv)
		ok = OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv);
	if (ok && point)
		ok = OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
						      point, point_len);
	if (ok)
		key = key_from_params("EC", selection(priv, point), bld);
	OSSL_PARAM_BLD_free(bld);
	return key;
}

/* Our public value as KE data, into dh->pub. */
static int export_public(struct ike_dh *dh)
{
	uint8_t point[1 + IKE_DH_MAX_PUBLIC_LEN];
	size_t len = dh->group->pub_len, out_len;
	BIGNUM *y = NULL;
	int err = -EIO;

	switch (dh->group->kind) {
	case DH_MODP:
		if (EVP_PKEY_get_bn_param(dh->key, OSSL_PKEY_PARAM_PUB_KEY, &y) &&
		    BN_bn2binpad(y, dh->pub, (int)len) == (int)len)
			err = 0;
		BN_free(y);
		break;
	case DH_ECP:
		if (EVP_PKEY_get_octet_string_param(dh->key, OSSL_PKEY_PARAM_PUB_KEY,
						    point, sizeof(point), &out_len) &&
		    out_len == 1 + len && point[0] == EC_UNCOMPRESSED) {
			memcpy(dh->pub, point + 1, len);
			err = 0;
		}
		break;
	case DH_X25519:
		out_len = len;
		if (EVP_PKEY_get_raw_public_key(dh->key, dh->pub, &out_len) &&
		    out_len == len)
			err = 0;
		break;
	}
	return err;
}

static EVP_PKEY *generate(const struct dh_group *g)
{
	EVP_PKEY *params, *key = NULL;
	EVP_PKEY_CTX *ctx;

	if (g->kind == DH_X25519)
		return EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	params = g->kind == DH_MODP ? modp_key(g, NULL, NULL) : ecp_key(g, NULL, NULL, 0);
	if (!params)
		return NULL;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, params, NULL);
	if (!ctx || EVP_PKEY_keygen_init(ctx) != 1 || EVP_PKEY_generate(ctx, &key) != 1)
		key = NULL;
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(params);
	return key;
}

/* Wrap @key (consumed) with its public value exported. */
static struct ike_dh *dh_wrap(const struct dh_group *g, EVP_PKEY *key)
{
	struct ike_dh *dh;

	if (!key)
		return NULL;
	dh = calloc(1, sizeof(*dh));
	if (!dh) {
		EVP_PKEY_free(key);
		return NULL;
	}
	dh->group = g;
	dh->key = key;
	if (export_public(dh)) {
		ike_dh_free(dh);
		return NULL;
	}
	return dh;
}

struct ike_dh *ike_dh_new(uint16_t group)
{
	const struct dh_group *g = dh_group(group);

	return g ? dh_wrap(g, generate(g)) : NULL;
}

/* y = 2^x mod p: libcrypto will not import a DH private key alone. */
static EVP_PKEY *modp_from_private(const struct dh_group *g, const BIGNUM *x)
{
	BIGNUM *p = g->prime(NULL), *gen = BN_new(), *y = BN_new();
	BN_CTX *bn_ctx = BN_CTX_new();
	EVP_PKEY *key = NULL;

	if (p && gen && y && bn_ctx && BN_set_word(gen, 2) &&
	    BN_mod_exp(y, gen, x, p, bn_ctx))
		key = modp_key(g, x, y);
	BN_CTX_free(bn_ctx);
	BN_free(y);
	BN_free(gen);
	BN_free(p);
	return key;
}

/* Q = d * G, likewise. */
static EVP_PKEY *ecp_from_private(const struct dh_group *g, const BIGNUM *d)
{
	EC_GROUP *curve = EC_GROUP_new_by_curve_name(g->nid);
	EC_POINT *q = curve ? EC_POINT_new(curve) : NULL;
	uint8_t point[1 + IKE_DH_MAX_PUBLIC_LEN];
	EVP_PKEY *key = NULL;
	size_t len = 0;

	if (q && EC_POINT_mul(curve, q, d, NULL, NULL, NULL))
		len = EC_POINT_point2oct(curve, q, POINT_CONVERSION_UNCOMPRESSED,
					 point, sizeof(point), NULL);
	if (len)
		key = ecp_key(g, d, point, len);
	EC_POINT_free(q);
	EC_GROUP_free(curve);
	return key;
}

struct ike_dh *ike_dh_new_from_private(uint16_t group, const uint8_t *priv,
				       size_t len)
{
	const struct dh_group *g = dh_group(group);
	EVP_PKEY *key = NULL;
	BIGNUM *x;

	if (!g || !len || len > IKE_DH_MAX_PUBLIC_LEN)
		return NULL;
	if (g->kind == DH_X25519)
		return len == X25519_LEN ?
		       dh_wrap(g, EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL,
							       priv, len)) : NULL;
	x = BN_secure_new();
	if (x && BN_bin2bn(priv, (int)len, x))
		key = g->kind == DH_MODP ? modp_from_private(g, x) : ecp_from_private(g, x);
	BN_clear_free(x);
	return dh_wrap(g, key);
}

int ike_dh_public(const struct ike_dh *dh, uint8_t *out, size_t len)
{
	if (len != dh->group->pub_len)
		return -EINVAL;
	memcpy(out, dh->pub, len);
	return (int)len;
}

/* RFC 6989 2.1: for a safe-prime group, 1 < y < p - 1 is the whole check. */
static bool modp_value_ok(const struct dh_group *g, const BIGNUM *y)
{
	BIGNUM *p_minus_1 = g->prime(NULL);
	bool ok;

	ok = p_minus_1 && BN_sub_word(p_minus_1, 1) &&
	     BN_cmp(y, BN_value_one()) > 0 && BN_cmp(y, p_minus_1) < 0;
	BN_free(p_minus_1);
	return ok;
}

/* The peer's KE data as a public key, or NULL if it is not a valid one. */
static EVP_PKEY *peer_key(const struct dh_group *g, const uint8_t *data, size_t len)
{
	uint8_t point[1 + IKE_DH_MAX_PUBLIC_LEN];
	EVP_PKEY *key = NULL;
	BIGNUM *y;

	if (len != g->pub_len)
		return NULL;
	switch (g->kind) {
	case DH_MODP:
		y = BN_bin2bn(data, (int)len, NULL);
		if (y && modp_value_ok(g, y))
			key = modp_key(g, NULL, y);
		BN_free(y);
		break;
	case DH_ECP:
		/* libcrypto refuses a point that is not on the curve. */
		point[0] = EC_UNCOMPRESSED;
		memcpy(point + 1, data, len);
		key = ecp_key(g, NULL, point, 1 + len);
		break;
	case DH_X25519:
		key = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, data, len);
		break;
	}
	return key;
}

static bool all_zero(const uint8_t *p, size_t len)
{
	uint8_t acc = 0;
	size_t i;

	for (i = 0; i < len; i++)	/* no early exit: the secret's timing */
		acc |= p[i];
	return acc == 0;
}

int ike_dh_shared(struct ike_dh *dh, const uint8_t *peer, size_t len,
		  uint8_t *secret, size_t *secret_len)
{
	const struct dh_group *g = dh->group;
	size_t want = ike_dh_shared_len(g->id), out_len = want;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *peer_pkey;
	int err = -EIO;

	if (*secret_len < want)
		return -EINVAL;
	peer_pkey = peer_key(g, peer, len);
	if (!peer_pkey)
		return -EINVAL;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, dh->key, NULL);
	if (!ctx || EVP_PKEY_derive_init(ctx) != 1)
		goto out;
	/* g^ir is as long as the prime, leading zeros kept (RFC 7296 2.14). */
	if (g->kind == DH_MODP && EVP_PKEY_CTX_set_dh_pad(ctx, 1) != 1)
		goto out;
	/* Full validation for curves; MODP had its range check above. */
	if (EVP_PKEY_derive_set_peer_ex(ctx, peer_pkey, g->kind == DH_ECP) != 1) {
		err = -EINVAL;
		goto out;
	}
	if (EVP_PKEY_derive(ctx, secret, &out_len) != 1) {
		/* libcrypto itself refuses an all-zero X25519 result */
		err = g->kind == DH_X25519 ? -EINVAL : -EIO;
		goto out;
	}
	if (out_len != want)
		goto out;
	if (g->kind == DH_X25519 && all_zero(secret, out_len)) {
		err = -EINVAL;
		goto out;
	}
	*secret_len = out_len;
	err = 0;
out:
	if (err)
		OPENSSL_cleanse(secret, want);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(peer_pkey);
	return err;
}

void ike_dh_free(struct ike_dh *dh)
{
	if (!dh)
		return;
	EVP_PKEY_free(dh->key);		/* libcrypto clears the private key */
	OPENSSL_cleanse(dh, sizeof(*dh));
	free(dh);
}
