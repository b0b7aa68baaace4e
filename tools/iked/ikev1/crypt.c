// SPDX-License-Identifier: GPL-2.0
/* IKEv1 message encryption (see crypt.h), over libcrypto's CBC ciphers. */
#include <errno.h>
#include <string.h>
#include <openssl/evp.h>

#include "ikev1/crypt.h"
#include "ikev1/isakmp.h"
#include "ikev1/keys.h"

struct isakmp_cipher {
	uint16_t encr, key_bits;	/* key_bits 0: the cipher has one size */
	const char *name;
	size_t key_len, block;
};

static const struct isakmp_cipher ciphers[] = {
	{ ISAKMP_ENCR_3DES_CBC, 0, "DES-EDE3-CBC", 24, 8 },
	{ ISAKMP_ENCR_AES_CBC, 128, "AES-128-CBC", 16, 16 },
	{ ISAKMP_ENCR_AES_CBC, 192, "AES-192-CBC", 24, 16 },
	{ ISAKMP_ENCR_AES_CBC, 256, "AES-256-CBC", 32, 16 },
};

static const struct isakmp_cipher *cipher_of(uint16_t encr, size_t key_len)
{
	size_t i;

	for (i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++)
		if (ciphers[i].encr == encr && ciphers[i].key_len == key_len)
			return &ciphers[i];
	return NULL;
}

size_t isakmp_encr_key_len(uint16_t encr, uint16_t key_bits)
{
	size_t i;

	/* RFC 3602: AES needs the Key Length attribute; 3DES may not have one. */
	for (i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++)
		if (ciphers[i].encr == encr && ciphers[i].key_bits == key_bits)
			return ciphers[i].key_len;
	return 0;
}

size_t isakmp_encr_block_len(uint16_t encr)
{
	return encr == ISAKMP_ENCR_3DES_CBC ? 8 : encr == ISAKMP_ENCR_AES_CBC ? 16 : 0;
}

size_t isakmp_padded_len(uint16_t encr, size_t plain_len)
{
	size_t block = isakmp_encr_block_len(encr);

	return block ? (plain_len + block - 1) / block * block : 0;
}

/*
 * CBC over LEN bytes in place, no padding, under IV; the last ciphertext
 * block (the next message's IV) to NEXT_IV.
 */
static int cbc(const struct isakmp_cipher *c, const uint8_t *key, const uint8_t *iv,
	       uint8_t *next_iv, uint8_t *buf, size_t len, int encrypt)
{
	EVP_CIPHER *cipher = EVP_CIPHER_fetch(NULL, c->name, NULL);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	uint8_t last[ISAKMP_MAX_BLOCK_LEN];
	int outl = 0, err = -EIO;

	if (len > INT32_MAX)
		err = -EINVAL;
	else if (cipher && ctx && EVP_CipherInit_ex2(ctx, cipher, key, iv, encrypt, NULL) &&
		 EVP_CIPHER_CTX_set_padding(ctx, 0)) {
		/* Decrypting in place overwrites the last ciphertext block. */
		if (!encrypt)
			memcpy(last, buf + len - c->block, c->block);
		if (EVP_CipherUpdate(ctx, buf, &outl, buf, (int)len) && (size_t)outl == len) {
			memcpy(next_iv, encrypt ? buf + len - c->block : last, c->block);
			err = 0;
		}
	}
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(cipher);
	return err;
}

int isakmp_encrypt(uint16_t encr, const uint8_t *key, size_t key_len, uint8_t *iv,
		   uint8_t *buf, size_t plain_len, size_t cap)
{
	const struct isakmp_cipher *c = cipher_of(encr, key_len);
	size_t len = isakmp_padded_len(encr, plain_len);
	int err;

	if (!c)
		return -ENOTSUP;
	if (!plain_len || len > cap)
		return -EINVAL;
	memset(buf + plain_len, 0, len - plain_len);
	err = cbc(c, key, iv, iv, buf, len, 1);
	return err ? err : (int)len;
}

int isakmp_decrypt(uint16_t encr, const uint8_t *key, size_t key_len, const uint8_t *iv,
		   uint8_t *next_iv, uint8_t *buf, size_t len)
{
	const struct isakmp_cipher *c = cipher_of(encr, key_len);

	if (!c)
		return -ENOTSUP;
	if (!len || len % c->block)
		return -EINVAL;
	return cbc(c, key, iv, next_iv, buf, len, 0);
}
