/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IKEv1 proposals. Configured proposals are parsed once, in IKEv2 terms
 * (proposal.c); here they become ISAKMP SA payloads, and what a peer
 * offers or answers is read back into IKEv2 suites, so that choosing and
 * checking stay the proposal layer's (ike_offer_allows_suite()).
 *
 * Phase 1 (RFC 2409 Appendix A): one proposal of KEY_IKE transforms, one
 * per combination of cipher, hash and group; the hash is the proposal's
 * PRF. Phase 2 (RFC 2407 4.4, 4.5): one ESP or AH proposal carrying our
 * SPI, a transform per combination of cipher, integrity and PFS group.
 */
#ifndef SECTUN_IKED_IKEV1_OFFER_H
#define SECTUN_IKED_IKEV1_OFFER_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "ikev1/codec.h"
#include "types.h"

/* The ISAKMP hash of an IKEv2 PRF, and the IKEv2 integrity that goes with it; 0: none. */
uint16_t ikev1_hash_of_prf(uint16_t prf);
uint16_t ikev1_integ_of_hash(uint16_t hash);

/*
 * Why a gateway's phase 1 proposals cannot be offered in IKEv1 (an AEAD
 * or single-DES cipher, an integrity other than the PRF's hash), or NULL.
 */
const char *ikev1_p1_unusable(const struct ike_sa_offer *offer, char *buf, size_t len);
/* The same for a VPN's phase 2 proposals. */
const char *ikev1_p2_unusable(const struct ike_sa_offer *offer, char *buf, size_t len);

/* GW's phase 1 offer: AUTH the method (enum isakmp_auth). 0 or -1 (too many). */
int ikev1_p1_offer(const struct iked_gateway *gw, uint16_t auth, struct isakmp_sa_offer *out);
/*
 * One phase 1 transform as an IKEv2 suite (0: it names something we do
 * not run); *AUTH its method.
 */
int ikev1_p1_suite(const struct isakmp_transform *t, struct ike_suite *s, uint16_t *auth);
/*
 * Responder: the index in THEIRS->t of the first transform, in the peer's
 * order, that GW's proposals allow with method AUTH; -1 if none.
 */
int ikev1_p1_select(const struct iked_gateway *gw, const struct isakmp_sa_offer *theirs,
		    uint16_t auth, struct ike_suite *suite);

/*
 * VPN's phase 2 offer with our SPI, PFS group if it has one, ESP in UDP
 * (RFC 3947 UDP-Encapsulated-Tunnel) when UDP_ENCAP. 0 or -1.
 */
int ikev1_p2_offer(const struct iked_vpn *vpn, uint32_t spi, bool udp_encap,
		   struct isakmp_sa_offer *out);
/*
 * Transform T of a proposal of PROTOCOL (ISAKMP_PROTO_ESP or _AH) as a
 * one-proposal IKEv2 offer numbered 1 with SPI (for ike_child_accept()).
 * False if it names something we do not run.
 */
bool ikev1_p2_as_ikev2(uint8_t protocol, const struct isakmp_transform *t, const uint8_t *spi,
		       struct ike_sa_offer *out);
/* An answer: proposal P of THEIRS with only its transform T, and SPI. */
void ikev1_reply(const struct isakmp_sa_offer *theirs, unsigned int p, unsigned int t,
		 const uint8_t *spi, uint8_t spi_len, struct isakmp_sa_offer *out);
/*
 * Initiator: REPLY has one proposal with one transform, numbered as one of
 * OFFERED's and the same in every attribute. The transform's index in
 * OFFERED, or -1.
 */
int ikev1_check_reply(const struct isakmp_sa_offer *offered, const struct isakmp_sa_offer *reply);

#endif
