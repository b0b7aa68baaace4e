// SPDX-License-Identifier: GPL-2.0
/*
 * Reauthentication (RFC 7296 2.8.3, RFC 4478; Junos reauth-frequency):
 * instead of a rekey, a new IKE SA with the same peer made from scratch
 * with IKE_SA_INIT and IKE_AUTH, so that both ends prove their
 * credentials again. Make-before-break: the old SA's children are made
 * anew on the new SA, each taking over its predecessor's selector index
 * (child.c), and only then is the old SA deleted. IKE_AUTH carries no
 * INITIAL_CONTACT, since the old SA is still up. A reauthentication that
 * fails leaves the old SA as it was, to try again shortly.
 */
#include <stdio.h>
#include <string.h>

#include "child.h"
#include "ike_sa.h"
#include "ikev2/exchanges.h"
#include "log.h"

#define REAUTH_RETRY_MS	5000

/* The SA that carries OLD's children now: OLD, or what a rekey made of it. */
static struct ike_sa *current_of(const uint8_t spi[8])
{
	struct ike_sa *sa = ike_sa_by_our_spi(spi);
	unsigned int hops = 0;

	while (sa && sa->rekeyed && hops++ < 8)
		sa = ike_sa_by_our_spi(sa->successor_spi);
	return sa && !sa->rekeyed ? sa : NULL;
}

int ikev2_reauth_start(struct ike_sa *old)
{
	struct iked_vpn *vpn = old->vpn;
	unsigned int sel = 0;
	struct child_sa *c;
	struct ike_sa *sa;

	/* IKE_AUTH makes the first child: one that is up, or the VPN's first. */
	for (c = old->children; c; c = c->next) {
		if (c->state == CHILD_INSTALLED) {
			vpn = c->vpn;
			sel = c->sel;
			break;
		}
	}
	if (!vpn)
		return -1;
	log_info("%s: reauthenticating: a new IKE SA with the peer, then the old one goes "
		 "(after %u rekeys)", old->gw->name, old->since_auth);
	sa = ikev2_initiate_sa(old->gw, NULL, vpn, sel);
	if (!sa)
		return -1;
	memcpy(sa->reauth_of, ike_sa_our_spi(old), 8);
	sa->reauth_pending = true;
	sa->rekeys = old->rekeys + 1;
	return 0;
}

/* Whether a child exchange other than DONE is queued or in flight on SA. */
static bool children_pending(const struct ike_sa *sa, const struct ike_xchg *done)
{
	const struct ike_xchg *x;

	if (sa->xchg.active && sa->xchg.active != done &&
	    sa->xchg.active->ops == &ikev2_child_create_ops)
		return true;
	for (x = sa->xchg.queue; x; x = x->next)
		if (x != done && x->ops == &ikev2_child_create_ops)
			return true;
	return false;
}

void ikev2_reauth_step(struct ike_sa *sa, const struct ike_xchg *done)
{
	struct ike_sa *old = current_of(sa->reauth_of);
	struct child_sa *c;

	if (!sa->reauth_pending || sa->state != IKE_SA_ESTABLISHED)
		return;
	/* Once: right after IKE_AUTH, the old SA's further children are asked for. */
	if (!done && old) {
		for (c = old->children; c; c = c->next)
			if (c->state == CHILD_INSTALLED)
				ikev2_child_queue(sa, c->vpn, c->sel, false);
		if (old->vpn)
			ikev2_children_wanted_for(sa, old->vpn);
	}
	if (children_pending(sa, done))
		return;
	sa->reauth_pending = false;
	memset(sa->reauth_of, 0, sizeof(sa->reauth_of));
	if (!old) {
		log_info("%s: reauthenticated (the old IKE SA had gone already)", sa->gw->name);
		return;
	}
	log_info("%s: reauthenticated: %u child SAs on the new IKE SA, deleting the old one",
		 sa->gw->name, sa->n_children);
	/* The VPN the old SA was kept up for is now kept up by the new one. */
	if (old->vpn) {
		sa->vpn = old->vpn;
		old->vpn = NULL;
	}
	ike_sa_delete(old);
}

void ikev2_reauth_failed(struct ike_sa *sa)
{
	struct ike_sa *old = current_of(sa->reauth_of);

	if (!sa->reauth_pending || !old || old->state != IKE_SA_ESTABLISHED)
		return;
	log_warn("%s: reauthentication failed (%s): the old IKE SA stays, trying again "
		 "in %u s", sa->gw->name, sa->why[0] ? sa->why : "no reason given",
		 REAUTH_RETRY_MS / 1000);
	ike_sa_rekey_in(old, REAUTH_RETRY_MS);
}
