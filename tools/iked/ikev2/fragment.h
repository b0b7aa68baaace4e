/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IKEv2 message fragmentation (RFC 7383): a protected message larger than
 * the gateway's fragmentation-size goes out as Encrypted Fragment (SKF)
 * payloads, each sealed on its own; fragments coming in are verified one
 * by one before they are kept, and a message is handed on once all its
 * fragments are there. What a half-received message may hold is bounded
 * in count, bytes and time.
 */
#ifndef SECTUN_IKED_IKEV2_FRAGMENT_H
#define SECTUN_IKED_IKEV2_FRAGMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/drops.h"
#include "engine/exchange.h"
#include "timer.h"

#define IKE_FRAG_MAX_COUNT	256		/* fragments of one message */
#define IKE_FRAG_MAX_BYTES	(64 * 1024)	/* its plaintext, all fragments */
/*
 * Before IKE_AUTH has authenticated the peer (anyone can finish
 * IKE_SA_INIT): IKE_AUTH with a long certificate chain fits.
 */
#define IKE_FRAG_UNAUTH_COUNT	64
#define IKE_FRAG_UNAUTH_BYTES	(24 * 1024)
#define IKE_FRAG_BUDGET		(8 * 1024 * 1024)	/* all SAs together */
#define IKE_FRAG_TIMEOUT_MS	30000		/* from its first fragment */

struct ike_sa;

/* One message being put together (a request or a response of the peer's). */
struct ike_reassembly {
	struct ike_sa *sa;
	bool response;
	uint32_t msgid;
	uint16_t total, have;
	uint8_t first;			/* the inner chain's first payload type */
	size_t bytes;
	uint8_t **part;			/* [total]: each fragment's plaintext */
	uint16_t *part_len;
	uint8_t *whole;			/* complete: the inner chain, until handled */
	uint8_t digest1[32];		/* of fragment 1's datagram, for a request */
	struct ike_timer timer;
};

/* Fragments sent and received, reassemblies done and given up (status). */
struct ike_frag_stats {
	uint64_t sent, received, reassembled, expired;
};

/*
 * The datagram size SA's messages are fragmented to, or 0 when they are
 * not: only once both ends announced support, never IKE_SA_INIT.
 */
size_t ikev2_frag_limit(const struct ike_sa *sa, uint8_t exchange);

/* IP, UDP and non-ESP marker bytes around each of SA's messages. */
size_t ikev2_frag_outer_len(const struct ike_sa *sa);

/*
 * INNER as fragments of at most LIMIT bytes of IP datagram each, sealed,
 * into OUT. 0, or -1 (too many fragments, no memory, no keys).
 */
int ikev2_frag_build(struct ike_sa *sa, uint8_t exchange, bool response, uint32_t msgid,
		     const struct ike_writer *inner, size_t limit, struct ike_wire *out);

/* Whether RX's only outer payload is an SKF (RFC 7383 2.5). */
bool ikev2_is_fragment(const struct ike_rx *rx);
/* RX's fragment number, 0 if it is none or does not parse. */
unsigned int ikev2_fragment_number(const struct ike_rx *rx);

enum ike_frag_result {
	IKE_FRAG_DROP,		/* *WHY says why */
	IKE_FRAG_KEPT,		/* verified and stored, or a verified duplicate */
	IKE_FRAG_COMPLETE,	/* RX->m is the whole inner chain (1: it did not parse) */
	IKE_FRAG_MALFORMED,
};

/*
 * RX (a fragment for SA, its message ID already found acceptable) checked
 * and decrypted in place, then kept. On IKE_FRAG_COMPLETE the inner chain
 * lives until ikev2_frag_done().
 */
enum ike_frag_result ikev2_frag_receive(struct ike_sa *sa, struct ike_rx *rx,
					enum ike_drop_reason *why);
/* The message the last COMPLETE gave was handled: its memory goes. */
void ikev2_frag_done(struct ike_sa *sa, bool response);
/* Whether RX (a fragment) verifies with SA's keys; decrypts it in place. */
bool ikev2_frag_authentic(struct ike_sa *sa, struct ike_rx *rx);
/* Timers stopped (the SA is dying); ikev2_frag_free() frees. */
void ikev2_frag_stop(struct ike_sa *sa);
void ikev2_frag_free(struct ike_sa *sa);

#endif
