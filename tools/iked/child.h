/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Child SAs of an IKE SA: what we offer for a VPN, what we accept from a
 * peer's offer, and the keys and selectors that go into the module.
 */
#ifndef SECTUN_IKED_CHILD_H
#define SECTUN_IKED_CHILD_H

#include "ike_sa.h"

/* VPN's proposals with SPI as ours, without DH (IKE_AUTH has no KE). */
int ike_child_offer(const struct iked_vpn *vpn, uint32_t spi, struct ike_sa_offer *offer);
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
			  struct child_sa **out, struct ike_proposal *reply);
/* Derives the keys (KEYMAT from SK_d and the nonces), installs, links. */
int ike_child_install(struct ike_sa *sa, struct child_sa *c);

#endif
