// SPDX-License-Identifier: GPL-2.0
/*
 * prf and prf+ (RFC 7296 2.13) over libcrypto's HMAC, and the key
 * derivations built on them: a new IKE SA (2.14), a rekeyed one (2.18) and
 * child SA KEYMAT (2.17).
 */
#include <errno.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "crypto/crypto.h"
#include "ikev2/ikev2.h"

struct prf_alg {
	uint16_t id;
	const char *digest;
	size_t len;
};

static const struct prf_alg prf_algs[] = {
	{ IKE_PRF_HMAC_MD5, "MD5", 16 },
	{ IKE_PRF_HMAC_SHA1, "SHA1", 20 },
	{ IKE_PRF_HMAC_SHA2_256, "SHA2-256", 32 },
	{ IKE_PRF_HMAC_SHA2_384, "SHA2-384", 48 },
	{ IKE_PRF_HMAC_SHA2_512, "SHA2-512", 64 },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* A prf under one key: the algorithm and libcrypto's HMAC context. */
struct prf_ctx {
	const struct prf_alg *alg;
	EVP_MAC_CTX *mac;
};

static const struct prf_alg *prf_alg(uint16_t prf)
{
	size_t i;

	for (i = 0; i < N(prf_algs); i++)
		if (prf_algs[i].id == prf)
			return &prf_algs[i];
	return NULL;
}

size_t ike_prf_len(uint16_t prf)
{
	const struct prf_alg *a = prf_alg(prf);

	return a ? a->len : 0;
}

static void prf_ctx_free(struct prf_ctx *c)
{
	EVP_MAC_CTX_free(c->mac);	/* wipes the HMAC key schedule */
	c->mac = NULL;
}

static int prf_ctx_new(struct prf_ctx *c, uint16_t prf)
{
	OSSL_PARAM params[2];
	EVP_MAC *hmac;

	c->mac = NULL;
	c->alg = prf_alg(prf);
	if (!c->alg)
		return -ENOTSUP;
	hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (!hmac)
		return -EIO;
	c->mac = EVP_MAC_CTX_new(hmac);
	EVP_MAC_free(hmac);	/* the context keeps its own reference */
	if (!c->mac)
		return -ENOMEM;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						     (char *)c->alg->digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_CTX_set_params(c->mac, params)) {
		prf_ctx_free(c);
		return -EIO;
	}
	return 0;
}

/* prf(key, pieces[0] | pieces[1] | ...) into out (c->alg->len bytes). */
static int prf_run(struct prf_ctx *c, const uint8_t *key, size_t klen,
		   const struct ike_piece *pieces, size_t n, uint8_t *out)
{
	static const uint8_t no_key;
	size_t i, outl;

	/* A NULL key would mean "keep the previous one" to libcrypto. */
	if (!EVP_MAC_init(c->mac, klen ? key : &no_key, klen, NULL))
		return -EIO;
	for (i = 0; i < n; i++)
		if (pieces[i].len && !EVP_MAC_update(c->mac, pieces[i].p, pieces[i].len))
			return -EIO;
	if (!EVP_MAC_final(c->mac, out, &outl, c->alg->len) || outl != c->alg->len)
		return -EIO;
	return 0;
}

int ike_prf(uint16_t prf, const uint8_t *key, size_t klen,
	    const uint8_t *data, size_t dlen, uint8_t *out)
{
	struct ike_piece in = { data, dlen };

	return ike_prf_pieces(prf, key, klen, &in, 1, out);
}

int ike_prf_pieces(uint16_t prf, const uint8_t *key, size_t klen,
		   const struct ike_piece *pieces, size_t n, uint8_t *out)
{
	struct prf_ctx c;
	int err;

	err = prf_ctx_new(&c, prf);
	if (err)
		return err;
	err = prf_run(&c, key, klen, pieces, n, out);
	prf_ctx_free(&c);
	return err ? err : (int)c.alg->len;
}

int ike_prf_hash(uint16_t prf, const struct ike_piece *pieces, size_t n, uint8_t *out)
{
	const struct prf_alg *a = prf_alg(prf);
	unsigned int outl = 0;
	EVP_MD_CTX *ctx;
	EVP_MD *md;
	size_t i;
	int err = -EIO;

	if (!a)
		return -ENOTSUP;
	md = EVP_MD_fetch(NULL, a->digest, NULL);
	ctx = EVP_MD_CTX_new();
	if (!md || !ctx || !EVP_DigestInit_ex(ctx, md, NULL))
		goto out;
	for (i = 0; i < n; i++)
		if (pieces[i].len && !EVP_DigestUpdate(ctx, pieces[i].p, pieces[i].len))
			goto out;
	if (EVP_DigestFinal_ex(ctx, out, &outl) && outl == a->len)
		err = (int)a->len;
out:
	EVP_MD_CTX_free(ctx);
	EVP_MD_free(md);
	return err;
}

/* prf+ with the seed S given in pieces: Tn = prf(K, Tn-1 | S | n). */
static int prf_plus(uint16_t prf, const uint8_t *key, size_t klen,
		    const struct ike_piece *seed, size_t n_seed,
		    uint8_t *out, size_t outlen)
{
	struct ike_piece in[2 + 4];	/* Tn-1, up to four seed pieces, n */
	uint8_t t[IKE_PRF_MAX_LEN], round;
	size_t done, chunk, len, i;
	struct prf_ctx c;
	int err;

	if (n_seed > 4)
		return -EINVAL;
	err = prf_ctx_new(&c, prf);
	if (err)
		return err;
	len = c.alg->len;
	if (outlen > IKE_PRF_PLUS_MAX_ROUNDS * len) {
		prf_ctx_free(&c);
		return -EINVAL;
	}
	in[0] = (struct ike_piece){ t, 0 };	/* T0 is empty */
	for (i = 0; i < n_seed; i++)
		in[1 + i] = seed[i];
	in[1 + n_seed] = (struct ike_piece){ &round, 1 };

	for (done = 0, round = 1; done < outlen; done += chunk, round++) {
		err = prf_run(&c, key, klen, in, n_seed + 2, t);
		if (err)
			break;
		in[0].len = len;
		chunk = outlen - done < len ? outlen - done : len;
		memcpy(out + done, t, chunk);
	}
	OPENSSL_cleanse(t, sizeof(t));
	prf_ctx_free(&c);
	if (err)
		OPENSSL_cleanse(out, outlen);
	return err;
}

int ike_prf_plus(uint16_t prf, const uint8_t *key, size_t klen,
		 const uint8_t *seed, size_t slen, uint8_t *out, size_t outlen)
{
	struct ike_piece s = { seed, slen };

	return prf_plus(prf, key, klen, &s, 1, out, outlen);
}

void ike_keys_wipe(struct ike_keys *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}

/* Key lengths for @s, or -ENOTSUP if this layer cannot run it. */
static int key_lengths(const struct ike_suite *s, struct ike_keys *k)
{
	if (!ike_prf_len(s->prf) || !ike_sk_suite_supported(s))
		return -ENOTSUP;
	k->suite = *s;
	k->d_len = ike_prf_len(s->prf);
	k->p_len = k->d_len;	/* the PRF's preferred key size (2.14) */
	k->a_len = ike_integ_key_len(s->integ);	/* none with an AEAD */
	k->e_len = ike_encr_key_len(s);
	return 0;
}

/* SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr = prf+(SKEYSEED, ...) */
static int split_ike_keys(const uint8_t *skeyseed, size_t seed_len,
			  const uint8_t *ni, size_t ni_len,
			  const uint8_t *nr, size_t nr_len,
			  const uint8_t spi_i[8], const uint8_t spi_r[8],
			  struct ike_keys *k)
{
	uint8_t km[3 * IKE_PRF_MAX_LEN + 2 * IKE_INTEG_MAX_KEY_LEN +
		   2 * IKE_ENCR_MAX_KEY_LEN];
	const struct ike_piece seed[] = {
		{ ni, ni_len }, { nr, nr_len }, { spi_i, 8 }, { spi_r, 8 },
	};
	size_t total = 3 * k->d_len + 2 * k->a_len + 2 * k->e_len;
	const uint8_t *p = km;
	int err;

	err = prf_plus(k->suite.prf, skeyseed, seed_len, seed, N(seed), km, total);
	if (err)
		goto out;
	memcpy(k->sk_d, p, k->d_len);
	p += k->d_len;
	memcpy(k->sk_ai, p, k->a_len);
	p += k->a_len;
	memcpy(k->sk_ar, p, k->a_len);
	p += k->a_len;
	memcpy(k->sk_ei, p, k->e_len);
	p += k->e_len;
	memcpy(k->sk_er, p, k->e_len);
	p += k->e_len;
	memcpy(k->sk_pi, p, k->p_len);
	p += k->p_len;
	memcpy(k->sk_pr, p, k->p_len);
out:
	OPENSSL_cleanse(km, sizeof(km));
	return err;
}

static bool nonces_fit(size_t ni_len, size_t nr_len)
{
	return ni_len && ni_len <= IKE_NONCE_MAX && nr_len && nr_len <= IKE_NONCE_MAX;
}

int ike_derive_ike_keys(const struct ike_suite *s,
			const uint8_t *ni, size_t ni_len,
			const uint8_t *nr, size_t nr_len,
			const uint8_t *g_ir, size_t g_len,
			const uint8_t spi_i[8], const uint8_t spi_r[8],
			struct ike_keys *out)
{
	uint8_t nonces[2 * IKE_NONCE_MAX], skeyseed[IKE_PRF_MAX_LEN];
	int err;

	ike_keys_wipe(out);
	if (!nonces_fit(ni_len, nr_len) || !g_len)
		return -EINVAL;
	err = key_lengths(s, out);
	if (err)
		return err;
	memcpy(nonces, ni, ni_len);
	memcpy(nonces + ni_len, nr, nr_len);
	err = ike_prf(s->prf, nonces, ni_len + nr_len, g_ir, g_len, skeyseed);
	if (err < 0)
		goto out;
	err = split_ike_keys(skeyseed, out->d_len, ni, ni_len, nr, nr_len,
			     spi_i, spi_r, out);
out:
	OPENSSL_cleanse(skeyseed, sizeof(skeyseed));
	if (err)
		ike_keys_wipe(out);
	return err;
}

int ike_derive_rekey_ike_keys(const struct ike_keys *old,
			      const struct ike_suite *s,
			      const uint8_t *g_ir, size_t g_len,
			      const uint8_t *ni, size_t ni_len,
			      const uint8_t *nr, size_t nr_len,
			      const uint8_t spi_i[8], const uint8_t spi_r[8],
			      struct ike_keys *out)
{
	const struct ike_piece in[] = { { g_ir, g_len }, { ni, ni_len }, { nr, nr_len } };
	uint8_t skeyseed[IKE_PRF_MAX_LEN];
	struct prf_ctx c;
	size_t seed_len;
	int err;

	if (old == out)
		return -EINVAL;
	ike_keys_wipe(out);
	if (!nonces_fit(ni_len, nr_len) || !g_len || !old->d_len)
		return -EINVAL;
	err = key_lengths(s, out);
	if (err)
		return err;
	/* The exchange belongs to the old SA, so its PRF makes SKEYSEED. */
	err = prf_ctx_new(&c, old->suite.prf);
	if (err)
		goto out;
	seed_len = c.alg->len;
	err = prf_run(&c, old->sk_d, old->d_len, in, N(in), skeyseed);
	prf_ctx_free(&c);
	if (err)
		goto out;
	err = split_ike_keys(skeyseed, seed_len, ni, ni_len, nr, nr_len,
			     spi_i, spi_r, out);
out:
	OPENSSL_cleanse(skeyseed, sizeof(skeyseed));
	if (err)
		ike_keys_wipe(out);
	return err;
}

int ike_derive_child_keys(uint16_t prf, const uint8_t *sk_d, size_t d_len,
			  const uint8_t *g_ir, size_t g_len,
			  const uint8_t *ni, size_t ni_len,
			  const uint8_t *nr, size_t nr_len,
			  uint8_t *keymat, size_t len)
{
	const struct ike_piece with_pfs[] = { { g_ir, g_len }, { ni, ni_len }, { nr, nr_len } };

	if (!nonces_fit(ni_len, nr_len) || !d_len || (g_ir && !g_len))
		return -EINVAL;
	if (g_ir)
		return prf_plus(prf, sk_d, d_len, with_pfs, 3, keymat, len);
	return prf_plus(prf, sk_d, d_len, with_pfs + 1, 2, keymat, len);
}
