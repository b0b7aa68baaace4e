// SPDX-License-Identifier: GPL-2.0
/*
 * IKEv1 IKE SAs as the rest of the daemon sees them: made for a VPN,
 * asked for child SAs and rekeys, stopped and freed.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "engine/daemon.h"
#include "ike_sa.h"
#include "ikev1/ikev1.h"
#include "ikev1/state.h"
#include "log.h"
#include "pki/cert.h"

int ikev1_initiate(struct iked_vpn *vpn, unsigned int sel)
{
	struct iked_gateway *gw = vpn->gw;
	struct ike_sa *sa;
	unsigned int k;
	char addr[64];

	if (iked_gateway_any(gw))
		return -1;
	sa = ike_sa_new(gw, true);
	if (!sa)
		return -1;
	sa->version = 1;
	sa->v1 = calloc(1, sizeof(*sa->v1));
	if (!sa->v1) {
		ike_sa_kill(sa, "out of memory");
		return -1;
	}
	sa->v1->mode = gw->aggressive ? ISAKMP_XCHG_AGGRESSIVE : ISAKMP_XCHG_ID_PROT;
	sa->vpn = vpn;
	sa->remote = gw->peer;
	ike_sa_pick_local(sa);
	sa->state = IKE_SA_INIT_SENT;
	/* Every proxy ID of the VPN, SEL first. */
	ikev1_child_wanted(sa, vpn, sel);
	for (k = 0; k < vpn->n_sel; k++)
		ikev1_child_wanted(sa, vpn, k);
	log_info("%s: initiating %s mode with %s for VPN %s", gw->name,
		 gw->aggressive ? "aggressive" : "main",
		 ike_sockaddr_str(&sa->remote, addr, sizeof(addr)), vpn->name);
	if (gw->aggressive ? ikev1_aggr_start(sa) : ikev1_main_start(sa)) {
		ike_sa_kill(sa, "cannot start phase 1");
		return -1;
	}
	return 0;
}

void ikev1_renew(struct ike_sa *old)
{
	struct iked_gateway *gw = old->gw;
	struct ike_sa *sa;

	if (old->rekeyed || old->state != IKE_SA_ESTABLISHED)
		return;
	/* A spare one (a collision's loser, say) just ends with its lifetime. */
	if (!old->children && ikev1_p1_other_up(old))
		return;
	sa = ike_sa_new(gw, true);
	if (!sa)
		return;
	sa->version = 1;
	sa->v1 = calloc(1, sizeof(*sa->v1));
	if (!sa->v1) {
		ike_sa_kill(sa, "out of memory");
		return;
	}
	sa->v1->mode = gw->aggressive ? ISAKMP_XCHG_AGGRESSIVE : ISAKMP_XCHG_ID_PROT;
	memcpy(sa->v1->renews, ike_sa_our_spi(old), 8);
	/* Where the peer is now: its address may be one a "%any" gateway learnt. */
	sa->remote = old->remote;
	sa->local = old->local;
	sa->state = IKE_SA_INIT_SENT;
	log_info("%s: renewing the ISAKMP SA (%s mode)", gw->name,
		 gw->aggressive ? "aggressive" : "main");
	if (gw->aggressive ? ikev1_aggr_start(sa) : ikev1_main_start(sa))
		ike_sa_kill(sa, "cannot start phase 1");
}

int ikev1_child_wanted(struct ike_sa *sa, struct iked_vpn *vpn, unsigned int sel)
{
	struct child_sa *c;

	for (c = sa->children; c; c = c->next)
		if (c->vpn == vpn && c->sel == sel && c->state == CHILD_INSTALLED)
			return 0;
	return ikev1_quick_start(sa, vpn, sel, 0);
}

bool ikev1_same_peer(const struct ike_sa *a, const struct ike_sa *b)
{
	/* A "%any" gateway's peers may share an identity: there, the address too. */
	return a->gw == b->gw && ike_id_equal(&a->peer_id, &b->peer_id) &&
	       (!iked_gateway_any(a->gw) || ike_sockaddr_equal(&a->remote, &b->remote, 0));
}

#define IKEV1_REKEY_RETRY_MS	2000

static void rekey_retry(struct ike_timer *t)
{
	struct child_sa *c = ike_timer_owner(t, struct child_sa, timer);

	if (c->sa && c->state == CHILD_INSTALLED)
		ikev1_child_rekey(c->sa, c);
}

void ikev1_child_rekey_later(struct child_sa *c)
{
	/* Its timer is free while it is installed and current. */
	if (c->state == CHILD_INSTALLED && !c->out_standby)
		ike_timer_set(&c->timer, IKEV1_REKEY_RETRY_MS, rekey_retry);
}

void ikev1_children_wanted(struct ike_sa *sa)
{
	unsigned int sel;

	if (!sa->vpn)
		return;
	for (sel = 0; sel < (sa->vpn->n_sel ?: 1); sel++)
		ikev1_child_wanted(sa, sa->vpn, sel);
}

void ikev1_child_rekey(struct ike_sa *sa, struct child_sa *c)
{
	if (c->rekey_pending || c->state != CHILD_INSTALLED || c->out_standby ||
	    sa->state != IKE_SA_ESTABLISHED)
		return;
	log_info("%s: rekeying child SA %08x/%08x of VPN %s", sa->gw->name, c->spi_in,
		 c->spi_out, c->vpn->name);
	if (!ikev1_quick_start(sa, c->vpn, c->sel, c->spi_in))
		c->rekey_pending = true;
}

/*
 * C, installed by a quick mode on an ISAKMP SA while the peer was renewing
 * that, now lives on the renewal TO. A peer that moves its IPsec SAs to
 * the new ISAKMP SA as the renewal begins (strongSwan 5.9) leaves this one
 * with the old, and removes it without a delete when the old goes: a
 * rekey on TO makes a pair that both ends keep. One of ours that is not
 * current yet is rekeyed when it is (ike_child_make_current()).
 */
void ikev1_child_rekey_stranded(struct ike_sa *to, struct child_sa *c)
{
	if (c->state != CHILD_INSTALLED || c->rekey_pending ||
	    c->vpn->establish == IKED_ESTABLISH_RESPONDER_ONLY_NO_REKEY)
		return;
	if (c->out_standby) {
		c->stranded = true;
		return;
	}
	c->stranded = false;
	log_info("%s: child SA %08x/%08x of VPN %s came up on the ISAKMP SA the peer was "
		 "renewing, where the peer may keep it apart and drop it: rekeying it",
		 to->gw->name, c->spi_in, c->spi_out, c->vpn->name);
	ikev1_child_rekey(to, c);
	/* Not started (no ISAKMP SA up, no SPI): the usual retry. */
	if (!c->rekey_pending)
		ikev1_child_rekey_later(c);
}

bool ikev1_busy(const struct ike_sa *sa)
{
	const struct ikev1_xchg *x;

	for (x = sa->v1 ? sa->v1->xchgs : NULL; x; x = x->next)
		if (x->type == ISAKMP_XCHG_QUICK && !x->done)
			return true;
	return false;
}

void ikev1_retarget(struct ike_sa *sa, const struct iked_config_map *map)
{
	struct ikev1_wanted **w = &sa->v1->wanted, *gone;
	struct ikev1_xchg *x, *next;
	struct iked_vpn *vpn;

	for (x = sa->v1->xchgs; x; x = next) {
		next = x->next;
		if (!x->vpn)
			continue;
		vpn = iked_map_vpn(map, x->vpn);
		if (!vpn) {
			/* A lingering one keeps only its last message: no VPN needed. */
			if (x->done) {
				x->vpn = NULL;
				continue;
			}
			ikev1_xchg_free(x);
			continue;
		}
		x->vpn = vpn;
		if (x->child)
			x->child->vpn = vpn;
	}
	while (*w) {
		vpn = iked_map_vpn(map, (*w)->vpn);
		if (vpn) {
			(*w)->vpn = vpn;
			w = &(*w)->next;
			continue;
		}
		gone = *w;
		*w = gone->next;
		free(gone);
	}
}

void ikev1_sa_stop(struct ike_sa *sa)
{
	static const uint8_t zero[8];
	struct ikev1_wanted *w;
	struct ike_sa *old;

	if (!sa->v1)
		return;
	/* A renewal that failed: the old ISAKMP SA tries again in a while. */
	if (sa->initiator && !sa->v1->up_ms && memcmp(sa->v1->renews, zero, 8)) {
		old = ike_sa_by_our_spi(sa->v1->renews);
		if (old && old->version == 1 && old->state == IKE_SA_ESTABLISHED &&
		    !old->rekeyed)
			ike_sa_rekey_in(old, IKEV1_RENEW_RETRY_MS);
	}
	while (sa->v1->xchgs)
		ikev1_xchg_free(sa->v1->xchgs);
	while ((w = sa->v1->wanted)) {
		sa->v1->wanted = w->next;
		free(w);
	}
}

void ikev1_sa_free(struct ike_sa *sa)
{
	if (!sa->v1)
		return;
	ikev1_sa_stop(sa);
	OPENSSL_cleanse(sa->v1, sizeof(*sa->v1));
	free(sa->v1);
	sa->v1 = NULL;
}

const char *ikev1_mode_name(const struct ike_sa *sa)
{
	return sa->v1 && sa->v1->mode == ISAKMP_XCHG_AGGRESSIVE ? "Aggressive" : "Main";
}
