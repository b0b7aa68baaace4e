// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <stddef.h>
#include <string.h>
#include <linux/sectun.h>

#include "algs.h"

#define ALIASES(...) ((const char *const[]){ __VA_ARGS__, NULL })

static const struct sectun_encr_alg encr_algs[] = {
	{ "aes-gcm-128", ALIASES("aes128gcm16", "aes128gcm128", "aes-128-gcm"),
	  SECTUN_ENCR_AES_GCM_16, 128, 4, 16 },
	{ "aes-gcm-192", ALIASES("aes192gcm16", "aes192gcm128", "aes-192-gcm"),
	  SECTUN_ENCR_AES_GCM_16, 192, 4, 16 },
	{ "aes-gcm-256", ALIASES("aes256gcm16", "aes256gcm128", "aes-256-gcm"),
	  SECTUN_ENCR_AES_GCM_16, 256, 4, 16 },
	{ "aes-gcm-128-12", ALIASES("aes128gcm12", "aes128gcm96"),
	  SECTUN_ENCR_AES_GCM_12, 128, 4, 12 },
	{ "aes-gcm-192-12", ALIASES("aes192gcm12", "aes192gcm96"),
	  SECTUN_ENCR_AES_GCM_12, 192, 4, 12 },
	{ "aes-gcm-256-12", ALIASES("aes256gcm12", "aes256gcm96"),
	  SECTUN_ENCR_AES_GCM_12, 256, 4, 12 },
	{ "aes-gcm-128-8", ALIASES("aes128gcm8", "aes128gcm64"),
	  SECTUN_ENCR_AES_GCM_8, 128, 4, 8 },
	{ "aes-gcm-192-8", ALIASES("aes192gcm8", "aes192gcm64"),
	  SECTUN_ENCR_AES_GCM_8, 192, 4, 8 },
	{ "aes-gcm-256-8", ALIASES("aes256gcm8", "aes256gcm64"),
	  SECTUN_ENCR_AES_GCM_8, 256, 4, 8 },
	{ "aes-gmac-128", ALIASES("aes128gmac"),
	  SECTUN_ENCR_NULL_AUTH_AES_GMAC, 128, 4, 16 },
	{ "aes-gmac-192", ALIASES("aes192gmac"),
	  SECTUN_ENCR_NULL_AUTH_AES_GMAC, 192, 4, 16 },
	{ "aes-gmac-256", ALIASES("aes256gmac"),
	  SECTUN_ENCR_NULL_AUTH_AES_GMAC, 256, 4, 16 },
	{ "chacha20-poly1305", ALIASES("chacha20poly1305"),
	  SECTUN_ENCR_CHACHA20_POLY1305, 256, 4, 16 },
	{ "aes-128-cbc", ALIASES("aes128", "aes128cbc", "aes-cbc-128"),
	  SECTUN_ENCR_AES_CBC, 128, 0, 0 },
	{ "aes-192-cbc", ALIASES("aes192", "aes192cbc", "aes-cbc-192"),
	  SECTUN_ENCR_AES_CBC, 192, 0, 0 },
	{ "aes-256-cbc", ALIASES("aes256", "aes256cbc", "aes-cbc-256"),
	  SECTUN_ENCR_AES_CBC, 256, 0, 0 },
	{ "3des-cbc", ALIASES("3des", "des3", "des-ede3-cbc"),
	  SECTUN_ENCR_3DES, 192, 0, 0 },
	{ "null", ALIASES("null-encryption"), SECTUN_ENCR_NULL, 0, 0, 0 },
};

static const struct sectun_integ_alg integ_algs[] = {
	{ "hmac-md5-96", ALIASES("md5", "hmac-md5"), SECTUN_INTEG_HMAC_MD5_96, 16, 12 },
	{ "hmac-sha1-96", ALIASES("sha1", "sha", "hmac-sha1", "hmac-sha-1-96"),
	  SECTUN_INTEG_HMAC_SHA1_96, 20, 12 },
	{ "hmac-sha-256-128", ALIASES("sha256", "sha2_256", "hmac-sha256"),
	  SECTUN_INTEG_HMAC_SHA2_256_128, 32, 16 },
	{ "hmac-sha-384-192", ALIASES("sha384", "sha2_384", "hmac-sha-384", "hmac-sha384"),
	  SECTUN_INTEG_HMAC_SHA2_384_192, 48, 24 },
	{ "hmac-sha-512-256", ALIASES("sha512", "sha2_512", "hmac-sha-512", "hmac-sha512"),
	  SECTUN_INTEG_HMAC_SHA2_512_256, 64, 32 },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static bool matches(const char *name, const char *canonical,
		    const char *const *aliases)
{
	if (!strcasecmp(name, canonical))
		return true;
	for (; *aliases; aliases++)
		if (!strcasecmp(name, *aliases))
			return true;
	return false;
}

const struct sectun_encr_alg *sectun_encr_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < N(encr_algs); i++)
		if (matches(name, encr_algs[i].name, encr_algs[i].aliases))
			return &encr_algs[i];
	return NULL;
}

const struct sectun_encr_alg *sectun_encr_by_id(uint16_t id, uint16_t key_bits)
{
	size_t i;

	for (i = 0; i < N(encr_algs); i++)
		if (encr_algs[i].id == id && encr_algs[i].key_bits == key_bits)
			return &encr_algs[i];
	return NULL;
}

const struct sectun_integ_alg *sectun_integ_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < N(integ_algs); i++)
		if (matches(name, integ_algs[i].name, integ_algs[i].aliases))
			return &integ_algs[i];
	return NULL;
}

const struct sectun_integ_alg *sectun_integ_by_id(uint16_t id)
{
	size_t i;

	for (i = 0; i < N(integ_algs); i++)
		if (integ_algs[i].id == id)
			return &integ_algs[i];
	return NULL;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int parse_hex(const char *s, uint8_t *buf, unsigned int max)
{
	unsigned int n = 0;
	size_t len;

	if (!strncmp(s, "0x", 2) || !strncmp(s, "0X", 2))
		s += 2;
	len = strlen(s);
	if (len % 2 || len / 2 > max)
		return -1;
	for (; *s; s += 2) {
		int hi = hexval(s[0]), lo = hexval(s[1]);

		if (hi < 0 || lo < 0)
			return -1;
		buf[n++] = hi << 4 | lo;
	}
	return n;
}
