// SPDX-License-Identifier: GPL-2.0
/* SipHash-2-4 (Aumasson and Bernstein), as its paper defines it. */
#include <string.h>
#include <sys/random.h>

#include "engine/hash.h"
#include "net.h"

#define ROTL(x, b)	(uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static uint64_t load64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

#define SIPROUND do { \
	v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32); \
	v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2; \
	v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0; \
	v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32); \
} while (0)

uint64_t ike_siphash(const uint8_t key[16], const void *data, size_t len)
{
	const uint8_t *in = data;
	uint64_t k0 = load64(key), k1 = load64(key + 8);
	uint64_t v0 = 0x736f6d6570736575ULL ^ k0;
	uint64_t v1 = 0x646f72616e646f6dULL ^ k1;
	uint64_t v2 = 0x6c7967656e657261ULL ^ k0;
	uint64_t v3 = 0x7465646279746573ULL ^ k1;
	uint64_t b = (uint64_t)len << 56, m;
	size_t i, left = len & 7;
	uint8_t tail[8] = { 0 };

	for (i = 0; i + 8 <= len; i += 8) {
		m = load64(in + i);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	memcpy(tail, in + i, left);
	b |= load64(tail);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t ike_hash(const void *data, size_t len)
{
	static uint8_t key[16];
	static int keyed;

	if (!keyed) {
		if (getrandom(key, sizeof(key), 0) != sizeof(key))
			memset(key, 0x5a, sizeof(key));
		keyed = 1;
	}
	return ike_siphash(key, data, len);
}

uint64_t ike_hash_addr(const struct sockaddr_storage *ss, const void *extra,
		       size_t extra_len)
{
	uint8_t buf[1 + 16 + 16];
	const void *addr;
	size_t alen;

	addr = ike_sockaddr_addr(ss, &alen);
	buf[0] = ss->ss_family;
	memcpy(buf + 1, addr, alen);
	if (extra_len > 16)
		extra_len = 16;
	if (extra_len)
		memcpy(buf + 1 + alen, extra, extra_len);
	return ike_hash(buf, 1 + alen + extra_len);
}
