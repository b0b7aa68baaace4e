// SPDX-License-Identifier: GPL-2.0
/*
 * Half-open limits, COOKIEs and the stateless-answer limit. A COOKIE is
 * a secret's version and HMAC-SHA-256(secret, Ni | IPi | SPIi) cut to 16
 * bytes (RFC 7296 2.6's construction, keyed properly); the secret changes
 * every minute and the previous one is still accepted, so a COOKIE lives
 * one to two minutes. Checking one costs a MAC, never a Diffie-Hellman.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "engine/halfopen.h"
#include "engine/hash.h"
#include "net.h"
#include "timer.h"
#include "random.h"

#define ROTATE_MS	60000
#define MINUTE_MS	60000
#define ALL_FACTOR	20

static int new_secret(struct ike_cookie_secret *s, uint32_t version)
{
	s->version = version;
	return ike_random(s->key, sizeof(s->key));
}

int ike_halfopen_init(struct ike_halfopen *h)
{
	memset(h, 0, sizeof(*h));
	h->rotated_ms = ike_now_ms();
	if (new_secret(&h->cur, 1) || new_secret(&h->prev, 0))
		return -EIO;
	return 0;
}

void ike_halfopen_fini(struct ike_halfopen *h)
{
	OPENSSL_cleanse(h, sizeof(*h));
}

static struct ike_rate_slot *slot_of(struct ike_rate_slot *slots,
				     const struct sockaddr_storage *from)
{
	return &slots[ike_hash_addr(from, NULL, 0) & (IKE_RATE_SLOTS - 1)];
}

/* A slot's count in the current window (reset once the window is over). */
static uint32_t recent(struct ike_rate_slot *s, uint64_t now, uint64_t window)
{
	if (now - s->start_ms >= window) {
		s->start_ms = now;
		s->n = 0;
	}
	return s->n;
}

enum ike_admit ike_halfopen_admit(struct ike_halfopen *h, const struct iked_limits *lim,
				  const struct ike_sa_table *t,
				  const struct sockaddr_storage *from)
{
	uint64_t now = ike_now_ms(), window = (uint64_t)lim->setup_timeout * 1000;
	unsigned int mine = ike_sa_table_half_open_from(t, from);
	uint32_t lately = recent(slot_of(h->inits, from), now, window);
	uint32_t all = recent(&h->all_inits, now, window);

	/*
	 * LATELY caps the work one address can buy: a valid COOKIE can be
	 * replayed for as long as its secret lives, each replay a DH.
	 */
	if (t->n_half >= lim->half_open_max || mine >= lim->half_open_per_address ||
	    lately >= lim->half_open_per_address)
		return IKE_ADMIT_DROP;
	if (t->n_half >= lim->cookie_threshold || all >= lim->cookie_threshold ||
	    mine >= lim->cookie_threshold_per_address ||
	    lately >= lim->cookie_threshold_per_address)
		return IKE_ADMIT_COOKIE;
	return IKE_ADMIT_OK;
}

void ike_halfopen_charge(struct ike_halfopen *h, const struct sockaddr_storage *from)
{
	struct ike_rate_slot *s = slot_of(h->inits, from);

	if (s->n < UINT32_MAX)
		s->n++;
	if (h->all_inits.n < UINT32_MAX)
		h->all_inits.n++;
}

static void rotate(struct ike_halfopen *h)
{
	uint64_t now = ike_now_ms();
	uint32_t v = h->cur.version;

	if (now - h->rotated_ms < ROTATE_MS)
		return;
	/*
	 * After a quiet spell both go: a COOKIE made before it must not come
	 * back to life as "the previous secret's".
	 */
	if (now - h->rotated_ms >= 2 * ROTATE_MS) {
		if (new_secret(&h->prev, v + 1))
			return;
		v++;
	} else {
		h->prev = h->cur;
	}
	if (new_secret(&h->cur, v + 1))
		h->cur = h->prev;	/* keep the old one rather than none */
	h->rotated_ms = now;
}

static int mac(const struct ike_cookie_secret *s, const uint8_t *ni, size_t ni_len,
	       const struct sockaddr_storage *from, const uint8_t spi_i[8],
	       uint8_t out[IKE_COOKIE_LEN])
{
	uint8_t buf[256 + 16 + 8], md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	const void *addr;
	size_t alen;

	if (ni_len > 256)
		return -EINVAL;
	addr = ike_sockaddr_addr(from, &alen);
	memcpy(buf, ni, ni_len);
	memcpy(buf + ni_len, addr, alen);
	memcpy(buf + ni_len + alen, spi_i, 8);
	if (!HMAC(EVP_sha256(), s->key, sizeof(s->key), buf, ni_len + alen + 8, md, &md_len) ||
	    md_len < IKE_COOKIE_LEN - 4)
		return -EIO;
	out[0] = s->version >> 24;
	out[1] = s->version >> 16;
	out[2] = s->version >> 8;
	out[3] = s->version;
	memcpy(out + 4, md, IKE_COOKIE_LEN - 4);
	return 0;
}

int ike_cookie_make(struct ike_halfopen *h, const uint8_t *ni, size_t ni_len,
		    const struct sockaddr_storage *from, const uint8_t spi_i[8],
		    uint8_t *out)
{
	rotate(h);
	return mac(&h->cur, ni, ni_len, from, spi_i, out);
}

bool ike_cookie_valid(struct ike_halfopen *h, const uint8_t *cookie, size_t len,
		      const uint8_t *ni, size_t ni_len,
		      const struct sockaddr_storage *from, const uint8_t spi_i[8])
{
	const struct ike_cookie_secret *s;
	uint8_t want[IKE_COOKIE_LEN];
	uint32_t version;

	rotate(h);
	if (len != IKE_COOKIE_LEN)
		return false;
	version = (uint32_t)cookie[0] << 24 | cookie[1] << 16 | cookie[2] << 8 | cookie[3];
	if (version == h->cur.version)
		s = &h->cur;
	else if (version == h->prev.version)
		s = &h->prev;
	else
		return false;
	if (mac(s, ni, ni_len, from, spi_i, want))
		return false;
	return !CRYPTO_memcmp(want, cookie, IKE_COOKIE_LEN);
}

static bool take(struct ike_rate_slot *s, uint64_t now, uint32_t max)
{
	if (now - s->start_ms >= MINUTE_MS) {
		s->start_ms = now;
		s->n = 0;
	}
	if (s->n >= max)
		return false;
	s->n++;
	return true;
}

bool ike_stateless_answer_allowed(struct ike_halfopen *h, unsigned int per_minute,
				  const struct sockaddr_storage *from)
{
	uint64_t now = ike_now_ms();
	struct ike_rate_slot *slot;

	slot = slot_of(h->answers, from);
	/* The global bucket is only charged when the address may answer. */
	if (recent(slot, now, MINUTE_MS) >= per_minute ||
	    !take(&h->all_answers, now, per_minute * ALL_FACTOR)) {
		h->answers_suppressed++;
		return false;
	}
	slot->n++;
	h->answers_sent++;
	return true;
}
