// SPDX-License-Identifier: GPL-2.0
/*
 * From IKEv2 transform IDs to a configured crypto_aead:
 *
 *   AES-GCM-8/12/16        rfc4106(gcm(aes))              key + 4-byte salt
 *   AES-GMAC (NULL_AUTH)   rfc4543(gcm(aes))              key + 4-byte salt
 *   ChaCha20-Poly1305      rfc7539esp(chacha20,poly1305)  key + 4-byte salt
 *   AES-CBC, 3DES, NULL    authenc[esn](hmac(H),cbc(C))   with an HMAC
 */
#include <crypto/authenc.h>
#include <crypto/hash.h>
#include <linux/random.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <uapi/linux/sectun.h>

#include "crypto.h"

#define SALT_LEN 4

struct sectun_integ_desc {
	u16 id;
	const char *hmac;
	u8 keylen, icvlen;
};

static const struct sectun_integ_desc integ_descs[] = {
	{ SECTUN_INTEG_HMAC_MD5_96, "hmac(md5)", 16, 12 },
	{ SECTUN_INTEG_HMAC_SHA1_96, "hmac(sha1)", 20, 12 },
	{ SECTUN_INTEG_HMAC_SHA2_256_128, "hmac(sha256)", 32, 16 },
	{ SECTUN_INTEG_HMAC_SHA2_384_192, "hmac(sha384)", 48, 24 },
	{ SECTUN_INTEG_HMAC_SHA2_512_256, "hmac(sha512)", 64, 32 },
};

static const struct sectun_integ_desc *find_integ(u16 id)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(integ_descs); i++)
		if (integ_descs[i].id == id)
			return &integ_descs[i];
	return NULL;
}

static bool aes_keylen_ok(unsigned int len)
{
	return len == 16 || len == 24 || len == 32;
}

/* RFC 4106/4543/7634: one template, the salt after the key. */
static int init_counter_aead(struct sectun_crypto *c, u16 encr,
			     const u8 *key, unsigned int klen, u16 integ,
			     struct netlink_ext_ack *extack)
{
	const char *name;
	int err;

	if (integ != SECTUN_INTEG_NONE) {
		NL_SET_ERR_MSG(extack,
			       "combined-mode ciphers take no integrity algorithm");
		return -EINVAL;
	}
	if (encr == SECTUN_ENCR_CHACHA20_POLY1305) {
		name = "rfc7539esp(chacha20,poly1305)";
		if (klen != 32 + SALT_LEN) {
			NL_SET_ERR_MSG(extack,
				       "ChaCha20-Poly1305 needs a 32-byte key and a 4-byte salt");
			return -EINVAL;
		}
		c->icvlen = 16;
	} else {
		if (klen < SALT_LEN || !aes_keylen_ok(klen - SALT_LEN)) {
			NL_SET_ERR_MSG(extack,
				       "AES-GCM/GMAC needs a 16, 24 or 32-byte key and a 4-byte salt");
			return -EINVAL;
		}
		if (encr == SECTUN_ENCR_NULL_AUTH_AES_GMAC) {
			name = "rfc4543(gcm(aes))";
			c->icvlen = 16;
		} else {
			name = "rfc4106(gcm(aes))";
			c->icvlen = encr == SECTUN_ENCR_AES_GCM_8 ? 8 :
				    encr == SECTUN_ENCR_AES_GCM_12 ? 12 : 16;
		}
	}
	c->aead = crypto_alloc_aead(name, 0, 0);
	if (IS_ERR(c->aead)) {
		err = PTR_ERR(c->aead);
		c->aead = NULL;
		NL_SET_ERR_MSG(extack, "the kernel has no such AEAD (crypto module missing?)");
		return err;
	}
	c->ivlen = 8;
	c->align = 4;
	c->iv_kind = SECTUN_IV_SEQ;
	c->saltlen = SALT_LEN;
	err = crypto_aead_setkey(c->aead, key, klen);
	if (!err)
		err = crypto_aead_setauthsize(c->aead, c->icvlen);
	if (err)
		NL_SET_ERR_MSG(extack, "the cipher refused the key or ICV length");
	return err;
}

/* Block ciphers (and NULL) with an HMAC, through authenc/authencesn. */
static int init_authenc(struct sectun_crypto *c, u16 encr, const u8 *ekey,
			unsigned int eklen, u16 integ, const u8 *akey,
			unsigned int aklen, struct netlink_ext_ack *extack)
{
	const struct sectun_integ_desc *idesc = find_integ(integ);
	struct crypto_authenc_key_param *param;
	char name[CRYPTO_MAX_ALG_NAME];
	const char *cipher;
	struct rtattr *rta;
	unsigned int klen;
	u8 *key, *p;
	int err;

	if (!idesc) {
		if (integ == SECTUN_INTEG_NONE)
			NL_SET_ERR_MSG(extack, "this cipher needs an integrity algorithm");
		else
			NL_SET_ERR_MSG(extack, "unknown integrity algorithm");
		return -EINVAL;
	}
	if (aklen != idesc->keylen) {
		NL_SET_ERR_MSG(extack,
			       "integrity key length does not match the algorithm");
		return -EINVAL;
	}
	switch (encr) {
	case SECTUN_ENCR_AES_CBC:
		if (!aes_keylen_ok(eklen)) {
			NL_SET_ERR_MSG(extack, "AES-CBC needs a 16, 24 or 32-byte key");
			return -EINVAL;
		}
		cipher = "cbc(aes)";
		c->ivlen = 16;
		c->align = 16;
		c->iv_kind = SECTUN_IV_PRF;
		break;
	case SECTUN_ENCR_3DES:
		if (eklen != 24) {
			NL_SET_ERR_MSG(extack, "3DES needs a 24-byte key");
			return -EINVAL;
		}
		cipher = "cbc(des3_ede)";
		c->ivlen = 8;
		c->align = 8;
		c->iv_kind = SECTUN_IV_PRF;
		break;
	default:	/* NULL */
		if (eklen) {
			NL_SET_ERR_MSG(extack, "NULL encryption takes no key");
			return -EINVAL;
		}
		cipher = "ecb(cipher_null)";
		c->ivlen = 0;
		c->align = 4;
		c->iv_kind = SECTUN_IV_NONE;
		break;
	}
	c->icvlen = idesc->icvlen;
	if (c->iv_kind == SECTUN_IV_PRF)
		get_random_bytes(&c->iv_key, sizeof(c->iv_key));

	if (snprintf(name, sizeof(name), "%s(%s,%s)",
		     c->esn ? "authencesn" : "authenc", idesc->hmac,
		     cipher) >= sizeof(name))
		return -ENAMETOOLONG;
	c->aead = crypto_alloc_aead(name, 0, 0);
	if (IS_ERR(c->aead)) {
		err = PTR_ERR(c->aead);
		c->aead = NULL;
		NL_SET_ERR_MSG(extack,
			       "the kernel has no such cipher/HMAC pair (crypto module missing?)");
		return err;
	}

	/* authenc's key blob: an rtattr with the cipher key length, then keys. */
	klen = RTA_SPACE(sizeof(*param)) + aklen + eklen;
	key = kmalloc(klen, GFP_KERNEL);
	if (!key)
		return -ENOMEM;
	rta = (struct rtattr *)key;
	rta->rta_type = CRYPTO_AUTHENC_KEYA_PARAM;
	rta->rta_len = RTA_LENGTH(sizeof(*param));
	param = RTA_DATA(rta);
	param->enckeylen = cpu_to_be32(eklen);
	p = key + RTA_SPACE(sizeof(*param));
	memcpy(p, akey, aklen);
	memcpy(p + aklen, ekey, eklen);
	err = crypto_aead_setkey(c->aead, key, klen);
	kfree_sensitive(key);
	if (!err)
		err = crypto_aead_setauthsize(c->aead, c->icvlen);
	if (err)
		NL_SET_ERR_MSG(extack, "the cipher refused the key or ICV length");
	return err;
}

int sectun_crypto_init(struct sectun_crypto *c, u16 encr, const u8 *ekey,
		       unsigned int eklen, u16 integ, const u8 *akey,
		       unsigned int aklen, bool esn,
		       struct netlink_ext_ack *extack)
{
	int err;

	memset(c, 0, sizeof(*c));
	c->esn = esn;
	switch (encr) {
	case SECTUN_ENCR_AES_GCM_8:
	case SECTUN_ENCR_AES_GCM_12:
	case SECTUN_ENCR_AES_GCM_16:
	case SECTUN_ENCR_NULL_AUTH_AES_GMAC:
	case SECTUN_ENCR_CHACHA20_POLY1305:
		err = init_counter_aead(c, encr, ekey, eklen, integ, extack);
		break;
	case SECTUN_ENCR_AES_CBC:
	case SECTUN_ENCR_3DES:
	case SECTUN_ENCR_NULL:
		err = init_authenc(c, encr, ekey, eklen, integ, akey, aklen,
				   extack);
		break;
	default:
		NL_SET_ERR_MSG(extack, "unknown encryption algorithm");
		err = -EINVAL;
	}
	if (err)
		sectun_crypto_free(c);
	return err;
}

/* AH (RFC 4302): only an HMAC, truncated to the ICV length. */
int sectun_crypto_init_ah(struct sectun_crypto *c, u16 integ, const u8 *akey,
			  unsigned int aklen, bool esn,
			  struct netlink_ext_ack *extack)
{
	const struct sectun_integ_desc *idesc = find_integ(integ);
	int err;

	memset(c, 0, sizeof(*c));
	c->esn = esn;
	if (!idesc) {
		NL_SET_ERR_MSG(extack, "AH needs a known integrity algorithm");
		return -EINVAL;
	}
	if (aklen != idesc->keylen) {
		NL_SET_ERR_MSG(extack,
			       "integrity key length does not match the algorithm");
		return -EINVAL;
	}
	c->ahash = crypto_alloc_ahash(idesc->hmac, 0, 0);
	if (IS_ERR(c->ahash)) {
		err = PTR_ERR(c->ahash);
		c->ahash = NULL;
		NL_SET_ERR_MSG(extack, "the kernel has no such HMAC");
		return err;
	}
	c->icvlen = idesc->icvlen;
	err = crypto_ahash_setkey(c->ahash, akey, aklen);
	if (err) {
		NL_SET_ERR_MSG(extack, "the HMAC refused the key");
		sectun_crypto_free(c);
	}
	return err;
}

void sectun_crypto_free(struct sectun_crypto *c)
{
	/* The crypto API wipes the key schedule when it frees the tfm. */
	if (c->aead)
		crypto_free_aead(c->aead);
	if (c->ahash)
		crypto_free_ahash(c->ahash);
	c->aead = NULL;
	c->ahash = NULL;
	memzero_explicit(&c->iv_key, sizeof(c->iv_key));
}
