/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Child SAs of an IKE SA: what we offer for a VPN, what we accept from a
 * peer's offer, and the keys and selectors that go into the module.
 */
#ifndef SECTUN_IKED_CHILD_H
#define SECTUN_IKED_CHILD_H

#include "ikev2/codec.h"
#include "ike_sa.h"

/* The nonces (and PFS secret) a child's KEYMAT is made from. */
struct child_nonces {
	const uint8_t *ni, *nr, *g_ir;
	size_t ni_len, nr_len, g_len;
};

/*
 * VPN's proposals with SPI as ours; without DH unless WITH_DH (IKE_AUTH
 * has no KE; CREATE_CHILD_SA carries the VPN's PFS group).
 */
int ike_child_offer(const struct iked_vpn *vpn, uint32_t spi, bool with_dh,
		    struct ike_sa_offer *offer);
/* TSi and TSr of M, both present and not empty. */
bool ike_child_decode_ts(const struct ike_msg *m, struct ike_ts_set *tsi,
			 struct ike_ts_set *tsr);
/*
 * Initiator: the responder's SA and selectors for the child we asked for
 * (selector SEL of VPN, with OFFER and our SPI_IN). NULL, with sa->why,
 * if they are not what we offered.
 */
struct child_sa *ike_child_from_reply(struct ike_sa *sa, struct iked_vpn *vpn,
				      unsigned int sel, const struct ike_sa_offer *offer,
				      uint32_t spi_in, const struct ike_msg *m);
/* Our TSi and TSr for selector SEL of VPN: both families whole without selectors. */
void ike_child_ts(const struct iked_vpn *vpn, unsigned int sel,
		  struct ike_ts_set *local, struct ike_ts_set *remote);
/*
 * Responder: the first VPN of SA's gateway that accepts THEIRS and the
 * initiator's selectors (TSI its side, TSR ours). Returns 0 with *OUT
 * set and REPLY the proposal to answer, or the notify to answer with.
 */
uint16_t ike_child_accept(struct ike_sa *sa, const struct ike_sa_offer *theirs,
			  const struct ike_ts_set *tsi, const struct ike_ts_set *tsr,
			  bool with_dh, struct child_sa **out, struct ike_proposal *reply);
/* Derives the keys (KEYMAT from SK_d and N), installs, links. */
int ike_child_install(struct ike_sa *sa, struct child_sa *c, const struct child_nonces *n);
/* Puts the on-traffic trap back once C no longer holds its index. */
void ike_child_restore_trap(struct child_sa *c);

#endif
