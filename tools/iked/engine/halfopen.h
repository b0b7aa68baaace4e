/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Defences of the responder before any peer is authenticated (RFC 7296
 * 2.6, RFC 8019): limits on half-open IKE SAs in total and per address,
 * stateless COOKIEs above a threshold, and a rate limit on the stateless
 * answers (INVALID_IKE_SPI, INVALID_MAJOR_VERSION) anyone can provoke.
 */
#ifndef SECTUN_IKED_ENGINE_HALFOPEN_H
#define SECTUN_IKED_ENGINE_HALFOPEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "config.h"
#include "engine/sa_table.h"

#define IKE_COOKIE_LEN		20	/* 4 bytes of secret version, 16 of MAC */
#define IKE_RATE_SLOTS		1024	/* buckets of the stateless-answer limit */

struct ike_cookie_secret {
	uint32_t version;
	uint8_t key[32];
};

struct ike_rate_slot {
	uint64_t start_ms;
	uint32_t n;
};

struct ike_halfopen {
	struct ike_cookie_secret cur, prev;
	uint64_t rotated_ms;
	uint64_t cookies_sent, cookies_accepted;
	struct ike_rate_slot answers[IKE_RATE_SLOTS];
	struct ike_rate_slot all_answers;
	uint64_t answers_sent, answers_suppressed;
	/*
	 * IKE_SA_INITs we spent Diffie-Hellman on lately, by address and in
	 * all: a refused one leaves no half-open SA, yet cost as much.
	 */
	struct ike_rate_slot inits[IKE_RATE_SLOTS];
	struct ike_rate_slot all_inits;
};

enum ike_admit {
	IKE_ADMIT_OK,		/* make the half-open SA */
	IKE_ADMIT_COOKIE,	/* only with a valid COOKIE */
	IKE_ADMIT_DROP,		/* a hard limit: drop it */
};

int ike_halfopen_init(struct ike_halfopen *h);
void ike_halfopen_fini(struct ike_halfopen *h);

/*
 * What a new IKE_SA_INIT from FROM may do now (its COOKIE not yet looked
 * at): the half-open SAs count, and so do the IKE_SA_INITs answered
 * lately, refused ones included.
 */
enum ike_admit ike_halfopen_admit(struct ike_halfopen *h, const struct iked_limits *lim,
				  const struct ike_sa_table *t,
				  const struct sockaddr_storage *from);
/* An IKE_SA_INIT from FROM is about to cost us Diffie-Hellman. */
void ike_halfopen_charge(struct ike_halfopen *h, const struct sockaddr_storage *from);

/* The COOKIE for this initiator: IKE_COOKIE_LEN bytes into OUT. */
int ike_cookie_make(struct ike_halfopen *h, const uint8_t *ni, size_t ni_len,
		    const struct sockaddr_storage *from, const uint8_t spi_i[8],
		    uint8_t *out);
/* Whether COOKIE is one we made (with this or the previous secret). */
bool ike_cookie_valid(struct ike_halfopen *h, const uint8_t *cookie, size_t len,
		      const uint8_t *ni, size_t ni_len,
		      const struct sockaddr_storage *from, const uint8_t spi_i[8]);

/*
 * Whether a stateless answer to FROM may go out: at most PER_MINUTE per
 * address a minute (Junos respond-bad-spi), 20 times that in all.
 */
bool ike_stateless_answer_allowed(struct ike_halfopen *h, unsigned int per_minute,
				  const struct sockaddr_storage *from);

#endif
