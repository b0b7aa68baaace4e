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
 */
#ifndef SECTUN_IKED_IKEV2_EXCHANGES_H
#define SECTUN_IKED_IKEV2_EXCHANGES_H

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

/*
 * The responder half for a request of EXCHANGE (not IKE_SA_INIT) with
 * payloads M (opened), or NULL.
 */
const struct ike_xchg_ops *ikev2_responder_ops(uint8_t exchange, const struct ike_msg *m);
/* A CREATE_CHILD_SA that rekeys SA itself, unless one is on its way. */
int ikev2_ike_rekey_start(struct ike_sa *sa);

/* A new IKE SA for VPN: IKE_SA_INIT, then IKE_AUTH with selector SEL's child. */
int ikev2_initiate(struct iked_vpn *vpn, unsigned int sel);
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
/* Tell the peer that child C (already out of the kernel) is gone. */
int ikev2_delete_child_queue(struct ike_sa *sa, uint8_t protocol, uint32_t spi_in);
/* Tell the peer the IKE SA is gone; SA dies when answered. */
int ikev2_delete_ike_queue(struct ike_sa *sa);
/* The same at shutdown: sent at once, nothing waited for. */
void ikev2_delete_ike_now(struct ike_sa *sa);

/* The module's events about child SAs (soft expiry, hard expiry or removal). */
void ike_child_soft_expired(const char *ifname, uint32_t spi, int dir);
void ike_child_gone(const char *ifname, uint32_t spi, int dir);

#endif
