/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Proposals: config strings (strongSwan keywords such as
 * "aes256gcm16-prfsha384-ecp384", or a Junos predefined set name) into SA
 * offers, offers back into keyword form for logs and status, and the two
 * halves of negotiation: choosing as responder, checking the choice as
 * initiator.
 */
#ifndef SECTUN_IKED_PROPOSAL_H
#define SECTUN_IKED_PROPOSAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "types.h"

enum ike_prop_kind { IKE_PROP_IKE, IKE_PROP_ESP, IKE_PROP_AH };

/*
 * Parse N config strings into OUT: proposals numbered 1.., protocol from
 * KIND, spi_len 0 (the caller fills SPIs). Each string is a '-'-separated
 * keyword list or a Junos set name ("standard", "suiteb-gcm-128", ...);
 * a string may also hold several of them separated by commas, as in
 * swanctl.conf. Returns 0, or -EINVAL with a message in ERR (which may be
 * NULL) and OUT untouched.
 */
int ike_proposals_parse(enum ike_prop_kind kind, const char *const *strings, unsigned int n,
			struct ike_sa_offer *out, char *err, size_t errlen);

/*
 * Keyword form of a proposal ("aes128-sha256-prfsha256-modp2048") or of a
 * negotiated suite. A lone "noesn" is the default and left out. Transforms
 * without a keyword print as type and number ("encr13_128").
 * Return the length written, or -ENOSPC if OUT was too small (it then
 * holds a truncated, terminated string).
 */
int ike_proposal_format(const struct ike_proposal *p, char *out, size_t size);
int ike_suite_format(enum ike_prop_kind kind, const struct ike_suite *s, char *out, size_t size);

/*
 * Responder: walk THEIRS in the peer's order and take the first proposal
 * one of MINE can satisfy whole. Fills CHOSEN and REPLY (the peer's
 * proposal number, one transform per type; spi_len 0 for the caller).
 * Returns 0, or -ENOENT: answer NO_PROPOSAL_CHOSEN.
 */
int ike_proposal_select(const struct ike_sa_offer *mine, const struct ike_sa_offer *theirs,
			enum ike_prop_kind kind, struct ike_suite *chosen,
			struct ike_proposal *reply);

/*
 * Initiator: REPLY must hold exactly one proposal, numbered as one we
 * OFFERED, with exactly one of each transform type that proposal had, each
 * among those offered. Returns 0 and fills CHOSEN, or -EBADMSG.
 */
int ike_proposal_check_reply(const struct ike_sa_offer *offered, const struct ike_sa_offer *reply,
			     enum ike_prop_kind kind, struct ike_suite *chosen);

/* Whether MINE would have chosen SUITE (an IKE SA's suite, for another gateway). */
bool ike_offer_allows_suite(const struct ike_sa_offer *mine, enum ike_prop_kind kind,
			    const struct ike_suite *suite);

/* How many different DH groups OFFER holds. */
unsigned int ike_offer_dh_groups(const struct ike_sa_offer *offer);
/* Whether every proposal of OFFER has a DH transform. */
bool ike_offer_all_have_dh(const struct ike_sa_offer *offer);
/* The DH group to send the first KE payload for; 0 if none is offered. */
uint16_t ike_offer_first_dh(const struct ike_sa_offer *offer);
/* Whether GROUP is offered (an INVALID_KE_PAYLOAD retry needs that). */
bool ike_offer_has_dh(const struct ike_sa_offer *offer, uint16_t group);
/*
 * Move GROUP to the front of every proposal's DH list: after
 * INVALID_KE_PAYLOAD on our offer, or on the peer's offer with its KE
 * group before ike_proposal_select(), to avoid a needless KE round trip.
 */
void ike_offer_promote_dh(struct ike_sa_offer *offer, uint16_t group);
/*
 * Replace every proposal's DH transforms by GROUP (a VPN's configured PFS
 * group), or drop them with GROUP 0 (the child SA of IKE_AUTH carries no
 * KE, RFC 7296 1.2). Returns 0, or -EINVAL for a group we do not know.
 */
int ike_offer_set_dh(struct ike_sa_offer *offer, uint16_t group);

/* Combined-mode cipher: integrity comes with it, no INTEG transform. */
bool ike_encr_is_aead(uint16_t encr);

#endif
