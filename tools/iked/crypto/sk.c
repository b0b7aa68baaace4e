// SPDX-License-Identifier: GPL-2.0
/*
 * The Encrypted payload (SK, RFC 7296 3.14) and its fragments (SKF, RFC
 * 7383): AES-CBC and 3DES with a truncated HMAC, or an AEAD (AES-GCM, RFC
 * 5282; ChaCha20-Poly1305, RFC 7634). Also the key, IV and ICV sizes of the
 * encryption and integrity transforms, which key derivation needs too.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "crypto/crypto.h"
#include "ikev2/ikev2.h"

#define AEAD_SALT_LEN	4
#define AEAD_IV_LEN	8
#define AEAD_NONCE_LEN	(AEAD_SALT_LEN + AEAD_IV_LEN)
/* Far above any IKE message, and below the int lengths libcrypto takes. */
#define SK_MAX_MSG	(1u << 24)

struct encr_alg {
	uint16_t id;
	uint16_t bits;		/* the Key Length attribute; 0 = fixed size */
	const char *cipher;	/* libcrypto's name; NULL = ESP only, no SK */
	uint8_t key_len;	/* without the salt */
	uint8_t salt;
	uint8_t iv;
	uint8_t block;		/* padding unit */
	uint8_t icv;		/* AEAD tag; 0 = needs an integrity transform */
};

static const struct encr_alg encr_algs[] = {
	{ IKE_ENCR_AES_CBC, 128, "AES-128-CBC", 16, 0, 16, 16, 0 },
	{ IKE_ENCR_AES_CBC, 192, "AES-192-CBC", 24, 0, 16, 16, 0 },
	{ IKE_ENCR_AES_CBC, 256, "AES-256-CBC", 32, 0, 16, 16, 0 },
	{ IKE_ENCR_3DES, 0, "DES-EDE3-CBC", 24, 0, 8, 8, 0 },
	/* AEADs are stream ciphers: no padding needed (RFC 5282 3). */
	{ IKE_ENCR_AES_GCM_8, 128, "AES-128-GCM", 16, 4, 8, 1, 8 },
	{ IKE_ENCR_AES_GCM_8, 192, "AES-192-GCM", 24, 4, 8, 1, 8 },
	{ IKE_ENCR_AES_GCM_8, 256, "AES-256-GCM", 32, 4, 8, 1, 8 },
	{ IKE_ENCR_AES_GCM_12, 128, "AES-128-GCM", 16, 4, 8, 1, 12 },
	{ IKE_ENCR_AES_GCM_12, 192, "AES-192-GCM", 24, 4, 8, 1, 12 },
	{ IKE_ENCR_AES_GCM_12, 256, "AES-256-GCM", 32, 4, 8, 1, 12 },
	{ IKE_ENCR_AES_GCM_16, 128, "AES-128-GCM", 16, 4, 8, 1, 16 },
	{ IKE_ENCR_AES_GCM_16, 192, "AES-192-GCM", 24, 4, 8, 1, 16 },
	{ IKE_ENCR_AES_GCM_16, 256, "AES-256-GCM", 32, 4, 8, 1, 16 },
	{ IKE_ENCR_CHACHA20_POLY1305, 0, "ChaCha20-Poly1305", 32, 4, 8, 1, 16 },
	/* Integrity only, for child SAs (RFC 4543); never protects IKE. */
	{ IKE_ENCR_NULL_AUTH_AES_GMAC, 128, NULL, 16, 4, 8, 1, 16 },
	{ IKE_ENCR_NULL_AUTH_AES_GMAC, 192, NULL, 24, 4, 8, 1, 16 },
	{ IKE_ENCR_NULL_AUTH_AES_GMAC, 256, NULL, 32, 4, 8, 1, 16 },
};

struct integ_alg {
	uint16_t id;
	const char *digest;
	uint8_t key_len;
	uint8_t icv;		/* the HMAC truncated to this */
};

static const struct integ_alg integ_algs[] = {
	{ IKE_INTEG_HMAC_MD5_96, "MD5", 16, 12 },
	{ IKE_INTEG_HMAC_SHA1_96, "SHA1", 20, 12 },
	{ IKE_INTEG_HMAC_SHA2_256_128, "SHA2-256", 32, 16 },
	{ IKE_INTEG_HMAC_SHA2_384_192, "SHA2-384", 48, 24 },
	{ IKE_INTEG_HMAC_SHA2_512_256, "SHA2-512", 64, 32 },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* What seal and open work with: the transforms and one direction's keys. */
struct sk_ctx {
	const struct encr_alg *encr;
	const struct integ_alg *integ;	/* NULL with an AEAD */
	size_t icv_len;
	const uint8_t *ekey;		/* key | salt */
	const uint8_t *akey;
	size_t akey_len;
};

/* The first entry for @id: the properties all its key sizes share. */
static const struct encr_alg *encr_by_id(uint16_t id)
{
	size_t i;

	for (i = 0; i < N(encr_algs); i++)
		if (encr_algs[i].id == id)
			return &encr_algs[i];
	return NULL;
}

static const struct encr_alg *encr_by_suite(const struct ike_suite *s)
{
	const struct encr_alg *a;
	size_t i;

	for (i = 0; i < N(encr_algs); i++) {
		a = &encr_algs[i];
		if (a->id != s->encr)
			continue;
		if (a->bits == s->encr_bits)
			return a;
		/* A fixed-size cipher may still carry its size in the attribute. */
		if (!a->bits && s->encr_bits == a->key_len * 8)
			return a;
	}
	return NULL;
}

static const struct integ_alg *integ_by_id(uint16_t id)
{
	size_t i;

	for (i = 0; i < N(integ_algs); i++)
		if (integ_algs[i].id == id)
			return &integ_algs[i];
	return NULL;
}

size_t ike_encr_key_len(const struct ike_suite *s)
{
	const struct encr_alg *a = encr_by_suite(s);

	return a ? a->key_len + a->salt : 0;
}

size_t ike_encr_iv_len(uint16_t encr)
{
	const struct encr_alg *a = encr_by_id(encr);

	return a ? a->iv : 0;
}

size_t ike_encr_block_len(uint16_t encr)
{
	const struct encr_alg *a = encr_by_id(encr);

	return a ? a->block : 0;
}

size_t ike_encr_icv_len(uint16_t encr)
{
	const struct encr_alg *a = encr_by_id(encr);

	return a ? a->icv : 0;
}

size_t ike_integ_key_len(uint16_t integ)
{
	const struct integ_alg *a = integ_by_id(integ);

	return a ? a->key_len : 0;
}

size_t ike_integ_icv_len(uint16_t integ)
{
	const struct integ_alg *a = integ_by_id(integ);

	return a ? a->icv : 0;
}

/* The transforms for @s if seal/open run them; NULL otherwise. */
static const struct encr_alg *sk_transforms(const struct ike_suite *s,
					    const struct integ_alg **integ)
{
	const struct encr_alg *encr = encr_by_suite(s);

	*integ = NULL;
	if (!encr || !encr->cipher)
		return NULL;
	if (encr->icv)
		return s->integ == IKE_INTEG_NONE ? encr : NULL;
	*integ = integ_by_id(s->integ);
	return *integ ? encr : NULL;
}

bool ike_sk_suite_supported(const struct ike_suite *s)
{
	const struct integ_alg *integ;

	return sk_transforms(s, &integ) != NULL;
}

bool ike_suite_supported(const struct ike_suite *s)
{
	return ike_prf_len(s->prf) && ike_sk_suite_supported(s) &&
	       ike_dh_supported(s->dh);
}

size_t ike_sk_body_len(const struct ike_suite *s, size_t plain_len)
{
	const struct integ_alg *integ;
	const struct encr_alg *encr = sk_transforms(s, &integ);
	size_t padded;

	if (!encr || plain_len >= SK_MAX_MSG)
		return 0;
	/* Padding and the pad length octet fill whole blocks. */
	padded = (plain_len + 1 + encr->block - 1) / encr->block * encr->block;
	return encr->iv + padded + (integ ? integ->icv : encr->icv);
}

static int sk_ctx_init(struct sk_ctx *c, const struct ike_keys *k,
		       bool from_initiator)
{
	c->encr = sk_transforms(&k->suite, &c->integ);
	if (!c->encr)
		return -ENOTSUP;
	if (k->e_len != (size_t)c->encr->key_len + c->encr->salt)
		return -EINVAL;
	if (c->integ && k->a_len != c->integ->key_len)
		return -EINVAL;
	c->icv_len = c->integ ? c->integ->icv : c->encr->icv;
	c->ekey = from_initiator ? k->sk_ei : k->sk_er;
	c->akey = from_initiator ? k->sk_ai : k->sk_ar;
	c->akey_len = k->a_len;
	return 0;
}

/* The truncated HMAC over @len bytes of @data into @icv. */
static int integ_icv(const struct sk_ctx *c, const uint8_t *data, size_t len,
		     uint8_t *icv)
{
	uint8_t mac[EVP_MAX_MD_SIZE];
	size_t mac_len;
	int err = 0;

	if (!EVP_Q_mac(NULL, "HMAC", NULL, c->integ->digest, NULL, c->akey,
		       c->akey_len, data, len, mac, sizeof(mac), &mac_len) ||
	    mac_len < c->icv_len)
		err = -EIO;
	else
		memcpy(icv, mac, c->icv_len);
	OPENSSL_cleanse(mac, sizeof(mac));
	return err;
}

/* CBC over whole blocks, in place, without libcrypto's own padding. */
static int cbc_crypt(const struct sk_ctx *c, bool encrypt, const uint8_t *iv,
		     uint8_t *buf, size_t len)
{
	EVP_CIPHER *cipher = EVP_CIPHER_fetch(NULL, c->encr->cipher, NULL);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	uint8_t tail[EVP_MAX_BLOCK_LENGTH];
	int outl, err = -EIO;

	if (!cipher || !ctx)
		goto out;
	if (!EVP_CipherInit_ex2(ctx, cipher, c->ekey, iv, encrypt, NULL) ||
	    !EVP_CIPHER_CTX_set_padding(ctx, 0) ||
	    !EVP_CipherUpdate(ctx, buf, &outl, buf, (int)len) ||
	    (size_t)outl != len ||
	    !EVP_CipherFinal_ex(ctx, tail, &outl) || outl != 0)
		goto out;
	err = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(cipher);
	return err;
}

/*
 * The AEAD: nonce = salt | IV (RFC 5282 4, RFC 7634 2), AAD = everything
 * before the IV. Encrypting writes @tag; decrypting checks it and fails
 * with -EBADMSG, @out then holding unauthenticated output the caller drops.
 */
static int aead_crypt(const struct sk_ctx *c, bool encrypt,
		      const uint8_t *aad, size_t aad_len, const uint8_t *iv,
		      const uint8_t *in, uint8_t *out, size_t len, uint8_t *tag)
{
	EVP_CIPHER *cipher = EVP_CIPHER_fetch(NULL, c->encr->cipher, NULL);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	uint8_t nonce[AEAD_NONCE_LEN], tail[EVP_MAX_BLOCK_LENGTH];
	int outl, err = -EIO;

	if (!cipher || !ctx)
		goto out;
	memcpy(nonce, c->ekey + c->encr->key_len, AEAD_SALT_LEN);
	memcpy(nonce + AEAD_SALT_LEN, iv, AEAD_IV_LEN);
	if (!EVP_CipherInit_ex2(ctx, cipher, NULL, NULL, encrypt, NULL) ||
	    !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, AEAD_NONCE_LEN, NULL) ||
	    !EVP_CipherInit_ex2(ctx, NULL, c->ekey, nonce, encrypt, NULL))
		goto out;
	if (!encrypt && !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG,
					     (int)c->icv_len, tag))
		goto out;
	if (aad_len && !EVP_CipherUpdate(ctx, NULL, &outl, aad, (int)aad_len))
		goto out;
	if (len && (!EVP_CipherUpdate(ctx, out, &outl, in, (int)len) ||
		    (size_t)outl != len))
		goto out;
	if (!EVP_CipherFinal_ex(ctx, tail, &outl)) {
		err = encrypt ? -EIO : -EBADMSG;
		goto out;
	}
	if (encrypt && !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG,
					    (int)c->icv_len, tag))
		goto out;
	err = 0;
out:
	OPENSSL_cleanse(nonce, sizeof(nonce));
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(cipher);
	return err;
}

int ike_sk_seal(const struct ike_keys *k, bool from_initiator, uint8_t *msg,
		size_t msg_len, size_t body_off, size_t plain_len)
{
	size_t body_len, ct_len, pad_len;
	uint8_t *iv, *ct, *icv;
	struct sk_ctx c;
	int err;

	err = sk_ctx_init(&c, k, from_initiator);
	if (err)
		return err;
	body_len = ike_sk_body_len(&k->suite, plain_len);
	if (!body_len || msg_len > SK_MAX_MSG || body_off > msg_len ||
	    msg_len - body_off != body_len)
		return -EINVAL;
	iv = msg + body_off;
	ct = iv + c.encr->iv;
	ct_len = body_len - c.encr->iv - c.icv_len;
	icv = ct + ct_len;
	pad_len = ct_len - plain_len - 1;
	memset(ct + plain_len, 0, pad_len);
	ct[ct_len - 1] = (uint8_t)pad_len;

	if (RAND_bytes(iv, (int)c.encr->iv) != 1) {
		err = -EIO;
	} else if (c.integ) {
		err = cbc_crypt(&c, true, iv, ct, ct_len);
		if (!err)
			err = integ_icv(&c, msg, body_off + body_len - c.icv_len, icv);
	} else {
		err = aead_crypt(&c, true, msg, body_off, iv, ct, ct, ct_len, icv);
	}
	if (err)	/* never leave plaintext where a sender might send it */
		OPENSSL_cleanse(iv, body_len);
	return err;
}

/* CBC + HMAC: the ICV over everything before it, then decryption. */
static int open_cbc(const struct sk_ctx *c, uint8_t *msg, size_t icv_off,
		    uint8_t *iv, uint8_t *ct, size_t ct_len)
{
	uint8_t icv[IKE_SK_MAX_ICV_LEN];
	int err;

	err = integ_icv(c, msg, icv_off, icv);
	if (!err && CRYPTO_memcmp(icv, msg + icv_off, c->icv_len))
		err = -EBADMSG;
	OPENSSL_cleanse(icv, sizeof(icv));
	if (err)
		return err;
	return cbc_crypt(c, false, iv, ct, ct_len);
}

/* AEAD: decrypt aside, so that a forgery leaves the message untouched. */
static int open_aead(const struct sk_ctx *c, const uint8_t *msg, size_t body_off,
		     const uint8_t *iv, uint8_t *ct, size_t ct_len)
{
	uint8_t *plain = malloc(ct_len);
	int err;

	if (!plain)
		return -ENOMEM;
	err = aead_crypt(c, false, msg, body_off, iv, ct, plain, ct_len,
			 ct + ct_len);
	if (!err)
		memcpy(ct, plain, ct_len);
	OPENSSL_cleanse(plain, ct_len);
	free(plain);
	return err;
}

int ike_sk_open(const struct ike_keys *k, bool from_initiator, uint8_t *msg,
		size_t msg_len, size_t body_off, size_t body_len,
		const uint8_t **plain, size_t *plain_len)
{
	size_t ct_len, pad_len;
	uint8_t *iv, *ct;
	struct sk_ctx c;
	int err;

	err = sk_ctx_init(&c, k, from_initiator);
	if (err)
		return err;
	/* The body ends the message: nothing after it goes unauthenticated. */
	if (msg_len > SK_MAX_MSG || body_off > msg_len ||
	    msg_len - body_off != body_len)
		return -EINVAL;
	if (body_len < c.encr->iv + c.encr->block + c.icv_len)
		return -EINVAL;
	ct_len = body_len - c.encr->iv - c.icv_len;
	if (ct_len % c.encr->block)
		return -EINVAL;
	iv = msg + body_off;
	ct = iv + c.encr->iv;

	if (c.integ)
		err = open_cbc(&c, msg, body_off + c.encr->iv + ct_len, iv, ct, ct_len);
	else
		err = open_aead(&c, msg, body_off, iv, ct, ct_len);
	if (err)
		return err;

	pad_len = ct[ct_len - 1];
	if (pad_len + 1 > ct_len)
		return -EINVAL;
	*plain = ct;
	*plain_len = ct_len - 1 - pad_len;
	return 0;
}
