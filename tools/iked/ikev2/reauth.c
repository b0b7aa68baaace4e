// SPDX-License-Identifier: GPL-2.0
/*
 * Reauthentication (RFC 7296 2.8.3, RFC 4478; Junos reauth-frequency):
 * instead of a rekey, a new IKE SA with the same peer made from scratch
 * with IKE_SA_INIT and IKE_AUTH, so that both ends prove their
 * credentials again. IKE_AUTH carries no INITIAL_CONTACT, since the old
 * SA is still up.
 *
 * Make-before-break: the old SA's children are made anew on the new SA,
 * each in its predecessor's selector index with its outbound SA on
 * standby (child.c); once every child exchange has ended, the new
 * children carry the traffic, the old ones keep only their inbound SAs,
 * and the old SA is deleted. A reauthentication that fails gives every
 * index back, so the old SA goes on as it was, and is tried again later.
 *
 * Both ends reauthenticating at once would leave two new IKE SAs with the
 * same children. The one started by the old SA's original initiator
 * wins: the other end gives its own up, and refuses the loser's child.
 */
#include <stdio.h>
#include <string.h>

#include "child.h"
#include "ike_sa.h"
#include "ikev2/exchanges.h"
#include "ikev2/ikev2.h"
#include "log.h"
#include "pki/cert.h"

#define REAUTH_RETRY_MS		5000	/* after a failed reauthentication */
#define CHILD_RETRY_MS		1000	/* a child the peer was too busy for */
#define CHILD_RETRIES		10

/* The SA that carries OLD's children now: OLD, or what a rekey made of it. */
static struct ike_sa *current_of(const uint8_t spi[8])
{
	struct ike_sa *sa = ike_sa_by_our_spi(spi);
	unsigned int hops = 0;

	while (sa && sa->rekeyed && hops++ < 8)
		sa = ike_sa_by_our_spi(sa->successor_spi);
	return sa && !sa->rekeyed && sa->state == IKE_SA_ESTABLISHED ? sa : NULL;
}

struct ike_sa *ikev2_reauth_target(const struct ike_sa *sa)
{
	return sa->reauth_pending ? current_of(sa->reauth_of) : NULL;
}

/* Our reauthentication of OLD under way, or NULL. */
static struct ike_sa *reauth_of(const struct ike_sa *old)
{
	struct ike_sa *sa;

	ike_sa_foreach(sa)
		if (sa->state != IKE_SA_DEAD && sa->reauth_pending && ikev2_reauth_target(sa) == old)
			return sa;
	return NULL;
}

bool ikev2_reauth_under_way(const struct ike_sa *old)
{
	return reauth_of(old);
}

/* Whether the peer is making OLD's children anew on an IKE SA of its own. */
static bool peer_reauthenticating(const struct ike_sa *old)
{
	const struct child_sa *c;
	struct ike_sa *owner;

	for (c = old->children; c; c = c->next)
		if (c->state == CHILD_REKEYED && ike_child_find_in(c->replaced_by, &owner) &&
		    owner != old)
			return true;
	return false;
}

/* Whether one of OLD's VPNs may initiate (responder-only ones may not). */
static bool may_initiate(const struct ike_sa *old, const struct iked_vpn *vpn)
{
	const struct child_sa *c;

	if (vpn->establish == IKED_ESTABLISH_RESPONDER_ONLY ||
	    vpn->establish == IKED_ESTABLISH_RESPONDER_ONLY_NO_REKEY)
		return false;
	for (c = old->children; c; c = c->next)
		if (c->vpn->establish == IKED_ESTABLISH_RESPONDER_ONLY ||
		    c->vpn->establish == IKED_ESTABLISH_RESPONDER_ONLY_NO_REKEY)
			return false;
	return true;
}

int ikev2_reauth_start(struct ike_sa *old)
{
	struct iked_vpn *vpn = old->vpn;
	unsigned int sel = 0;
	struct child_sa *c;
	struct ike_sa *sa;

	if (reauth_of(old))
		return 0;
	if (peer_reauthenticating(old)) {
		log_info("%s: the peer is reauthenticating: not us", old->gw->name);
		ike_sa_rekey_in(old, REAUTH_RETRY_MS);
		return 0;
	}
	/* IKE_AUTH makes the first child: one that is up, or the VPN's first. */
	for (c = old->children; c; c = c->next) {
		if (c->state == CHILD_INSTALLED && !c->out_standby) {
			vpn = c->vpn;
			sel = c->sel;
			break;
		}
	}
	if (!vpn || !may_initiate(old, vpn))
		return -1;	/* a rekey then */
	log_info("%s: reauthenticating: a new IKE SA with the peer, then the old one goes "
		 "(after %u rekeys)", old->gw->name, old->since_auth);
	/* Where the peer is now, which may not be where it was configured. */
	sa = ikev2_initiate_sa(old->gw, NULL, vpn, sel, old);
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

/* Asks SA for each of OLD's children it does not carry yet. */
static void ask_missing(struct ike_sa *sa, struct ike_sa *old)
{
	struct child_sa *c;

	for (c = old->children; c; c = c->next)
		if (c->state == CHILD_INSTALLED)
			ikev2_child_queue(sa, c->vpn, c->sel, false);
	if (old->vpn)
		ikev2_children_wanted_for(sa, old->vpn);
}

static void child_retry(struct ike_timer *t)
{
	struct ike_sa *sa = ike_timer_owner(t, struct ike_sa, reauth_timer);
	struct ike_sa *old = ikev2_reauth_target(sa);

	if (old)
		ask_missing(sa, old);
	ikev2_reauth_step(sa, NULL, false);
}

/* Done: the new children carry the traffic and the old SA goes. */
static void finish(struct ike_sa *sa, struct ike_sa *old)
{
	struct child_sa *c, *next;
	unsigned int n = 0;

	sa->reauth_pending = false;
	memset(sa->reauth_of, 0, sizeof(sa->reauth_of));
	for (c = sa->children; c; c = c->next) {
		n += c->state == CHILD_INSTALLED;
		if (c->state == CHILD_INSTALLED && c->out_standby)
			ike_child_supersede(c);
	}
	/*
	 * The replaced children's inbound SAs outlive the old SA a moment, for
	 * packets the peer sent on them before it saw the delete.
	 */
	for (c = old ? old->children : NULL; c; c = next) {
		next = c->next;
		if (c->state != CHILD_RETIRING)
			continue;
		ike_child_move(c, old, sa);
		ike_child_retire(c, CHILD_LINGER_MS);
	}
	if (!old) {
		log_info("%s: reauthenticated (the old IKE SA had gone already)", sa->gw->name);
		return;
	}
	log_info("%s: reauthenticated: %u child SAs on the new IKE SA, deleting the old one",
		 sa->gw->name, n);
	/* The VPN the old SA was kept up for is now kept up by the new one. */
	if (old->vpn) {
		sa->vpn = old->vpn;
		old->vpn = NULL;
	}
	ike_sa_delete(old);
}

void ikev2_reauth_step(struct ike_sa *sa, const struct ike_xchg *done, bool busy)
{
	struct ike_sa *old = ikev2_reauth_target(sa);

	if (!sa->reauth_pending || sa->state != IKE_SA_ESTABLISHED)
		return;
	/* Right after IKE_AUTH, the old SA's further children are asked for. */
	if (!done && old && !sa->reauth_timer.armed)
		ask_missing(sa, old);
	/* The peer was busy (a rekey of its own): that child again, shortly. */
	if (busy && old && sa->reauth_child_tries < CHILD_RETRIES) {
		sa->reauth_child_tries++;
		ike_timer_set(&sa->reauth_timer, CHILD_RETRY_MS, child_retry);
		return;
	}
	if (children_pending(sa, done) || sa->reauth_timer.armed)
		return;
	finish(sa, old);
}

void ikev2_reauth_revert(struct ike_sa *sa)
{
	struct ike_sa *old = ikev2_reauth_target(sa);
	struct child_sa *c;

	if (!sa->reauth_pending)
		return;
	sa->reauth_pending = false;
	ike_timer_cancel(&sa->reauth_timer);
	for (c = sa->children; c; c = c->next)
		ike_child_give_back(c);
	if (!old || old->state != IKE_SA_ESTABLISHED)
		return;
	log_warn("%s: reauthentication given up (%s): the old IKE SA carries on, trying "
		 "again in %u s", sa->gw->name, sa->why[0] ? sa->why : "no reason given",
		 REAUTH_RETRY_MS / 1000);
	ike_sa_rekey_in(old, REAUTH_RETRY_MS);
}

bool ikev2_reauth_peer_started(struct ike_sa *sa)
{
	struct ike_sa *ours, *old;

	ike_sa_foreach(ours) {
		old = ikev2_reauth_target(ours);
		if (!old || ours == sa || old->gw != sa->gw ||
		    !ike_id_equal(&old->peer_id, &sa->peer_id))
			continue;
		if (old->initiator) {
			log_info("%s: the peer reauthenticates while we do: ours goes on (we "
				 "initiated the IKE SA), its new IKE SA goes", sa->gw->name);
			return false;
		}
		log_info("%s: the peer reauthenticates while we do: its goes on (it "
			 "initiated the IKE SA), ours is given up", sa->gw->name);
		snprintf(ours->why, sizeof(ours->why), "the peer reauthenticated first");
		ikev2_reauth_revert(ours);
		ike_sa_delete(ours);
	}
	return true;
}
