/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The IKEv2 exchanges, one file each (RFC 7296 1.2-1.4): their ops for
 * the engine, and what starts them as initiator.
 *
 *   init.c          IKE_SA_INIT: proposals, DH, nonces, COOKIE, INVALID_KE
 *   auth.c          IKE_AUTH: identities, AUTH, the first child SA
 *   child_create.c  CREATE_CHILD_SA for a further child SA or a child rekey
 *   ike_rekey.c     CREATE_CHILD_SA that rekeys the IKE SA
 *   informational.c INFORMATIONAL as responder: deletes, liveness, notifies
 *   delete.c        INFORMATIONAL as initiator: deleting the IKE SA or children
 *   reauth.c        reauthentication: a new IKE SA made from scratch, then the old one goes
 *   dpd.c           liveness checks (dead peer detection) as Junos does them
 */
#ifndef SECTUN_IKED_IKEV2_EXCHANGES_H
#define SECTUN_IKED_IKEV2_EXCHANGES_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "engine/exchange.h"

struct ike_sa;
struct child_sa;

extern const struct ike_xchg_ops ikev2_init_ops;
extern const struct ike_xchg_ops ikev2_auth_ops;
extern const struct ike_xchg_ops ikev2_child_create_ops;
extern const struct ike_xchg_ops ikev2_informational_ops;
extern const struct ike_xchg_ops ikev2_delete_ike_ops;
extern const struct ike_xchg_ops ikev2_delete_child_ops;
extern const struct ike_xchg_ops ikev2_ike_rekey_ops;
extern const struct ike_xchg_ops ikev2_dpd_ops;

/*
 * The responder half for a request of EXCHANGE (not IKE_SA_INIT) with
 * payloads M (opened), or NULL.
 */
const struct ike_xchg_ops *ikev2_responder_ops(uint8_t exchange, const struct ike_msg *m);
/* A CREATE_CHILD_SA that rekeys SA itself, unless one is on its way. */
int ikev2_ike_rekey_start(struct ike_sa *sa);

/* A new IKE SA for VPN: IKE_SA_INIT, then IKE_AUTH with selector SEL's child. */
int ikev2_initiate(struct iked_vpn *vpn, unsigned int sel);
/*
 * The same with GW, kept up for OWNER (may be NULL), to the peer where
 * PREV (may be NULL) has it now rather than at GW's address; the SA, or
 * NULL.
 */
struct ike_sa *ikev2_initiate_sa(struct iked_gateway *gw, struct iked_vpn *owner,
				 struct iked_vpn *vpn, unsigned int sel,
				 const struct ike_sa *prev);
/*
 * Reauthentication (RFC 7296 2.8.3, RFC 4478): a new IKE SA with the
 * same peer made from scratch, with OLD's children made anew on it; OLD
 * goes once they are. 0 (started, or left to the peer for now), or -1
 * when OLD cannot be reauthenticated by us (nothing to carry over, or a
 * responder-only VPN): rekey it instead.
 */
int ikev2_reauth_start(struct ike_sa *old);
/*
 * IKE_AUTH (DONE NULL) or a child exchange DONE of a reauthenticating SA
 * ended (BUSY: refused with TEMPORARY_FAILURE): the old SA goes once all
 * have.
 */
void ikev2_reauth_step(struct ike_sa *sa, const struct ike_xchg *done, bool busy);
/* A reauthenticating SA is going before it was done: the old SA's children get their place back. */
void ikev2_reauth_revert(struct ike_sa *sa);
/* The old SA a reauthenticating SA replaces, or NULL. */
struct ike_sa *ikev2_reauth_target(const struct ike_sa *sa);
/* Whether a reauthentication of ours replaces OLD. */
bool ikev2_reauth_under_way(const struct ike_sa *old);
/*
 * The peer set up SA, established now, while we reauthenticate an SA
 * with it: false when ours wins (SA's child is refused and SA deleted).
 */
bool ikev2_reauth_peer_started(struct ike_sa *sa);
/* IKE_AUTH, queued by IKE_SA_INIT once it is done. */
int ikev2_auth_queue(struct ike_sa *sa, struct iked_vpn *vpn, unsigned int sel);
/*
 * A CREATE_CHILD_SA for selector SEL of VPN over SA, unless one is queued
 * or in flight already (REPLACE: even when a child for it is up).
 */
int ikev2_child_queue(struct ike_sa *sa, struct iked_vpn *vpn, unsigned int sel,
		      bool replace);
/* A CREATE_CHILD_SA that rekeys child C of SA, unless one is on its way. */
int ikev2_child_rekey_queue(struct ike_sa *sa, struct child_sa *c);
/* The same in CHILD_REKEY_RETRY_MS. */
void ikev2_child_rekey_later(struct child_sa *c);
/* The VPN's selectors that SA carries no child for yet, one request each. */
void ikev2_children_wanted(struct ike_sa *sa);
/* The same for VPN (not SA's own). */
void ikev2_children_wanted_for(struct ike_sa *sa, struct iked_vpn *vpn);
/* Tell the peer that child C (already out of the kernel) is gone. */
int ikev2_delete_child_queue(struct ike_sa *sa, uint8_t protocol, uint32_t spi_in);
/* Tell the peer the IKE SA is gone; SA dies when answered. */
int ikev2_delete_ike_queue(struct ike_sa *sa);
/* The same at shutdown: sent at once, nothing waited for. */
void ikev2_delete_ike_now(struct ike_sa *sa);

/* Liveness checks for an IKE SA just established, if its gateway wants them. */
void ikev2_dpd_start(struct ike_sa *sa);
/* An authenticated message from SA's peer: it is alive. */
void ikev2_dpd_heard(struct ike_sa *sa);

/* The module's events about child SAs (soft expiry, hard expiry or removal). */
void ike_child_soft_expired(const char *ifname, uint32_t spi, int dir);
void ike_child_gone(const char *ifname, uint32_t spi, int dir);

#endif
