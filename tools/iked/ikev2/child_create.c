// SPDX-License-Identifier: GPL-2.0
/*
 * CREATE_CHILD_SA for a child SA, both halves: a new one (RFC 7296 1.3.1)
 * for a VPN's further traffic selectors, each its own child (a Junos
 * proxy ID), or the replacement of one (1.3.3, REKEY_SA), with the VPN's
 * PFS group when it has one. Rekeys are make-before-break (2.8): the
 * initiator uses the new pair as soon as it is installed and deletes the
 * old one; the responder keeps sending on the old one until that delete
 * comes. Two rekeys of one child that cross (2.8.1) both complete, and
 * the one whose exchange holds the lowest nonce is deleted by its
 * initiator.
 */
#include <arpa/inet.h>
#include <linux/sectun.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "child.h"
#include "crypto/crypto.h"
#include "ike_sa.h"
#include "ikev1/ikev1.h"
#include "ikev2/exchanges.h"
#include "ikev2/ikev2.h"
#include "ikev2/payloads.h"
#include "kernel.h"
#include "log.h"
#include "proposal.h"
#include "random.h"
#include "ts.h"

#define MAX_KE_ROUNDS	2

struct child_xchg {
	struct ike_xchg x;
	struct iked_vpn *vpn;
	unsigned int sel;
	bool replace;			/* for a selector that has a child already */
	/* A rekey: the replaced child's inbound SPI (initiator) or the child. */
	uint32_t rekey_spi;
	struct ike_ts_set rekey_tsi, rekey_tsr;
	struct child_sa *old;		/* responder, while the request is handled */
	uint8_t protocol;		/* the VPN's, which a reload may take away */
	/* Initiator. */
	struct ike_sa_offer offer;
	uint32_t spi_in;
	struct child_reservation reserved;
	unsigned int ke_rounds;
	/* Both. */
	uint8_t ni[IKE_NONCE_MAX], nr[IKE_NONCE_LEN];
	size_t ni_len;
	uint16_t group;
	struct ike_dh *dh;
	/* Responder. */
	uint16_t err;
	uint8_t err_data[2];
	size_t err_len;
	struct child_sa *child;		/* installed: the IKE SA's */
	struct ike_proposal reply;
};

#define to_child(x) ((struct child_xchg *)(x))

/* The PFS secret from the peer's KE, which must be of GROUP; 0 without PFS. */
static int pfs_secret(struct ike_dh *dh, const struct ike_msg *m, uint16_t group,
		      uint8_t *secret, size_t *slen)
{
	const struct ike_payload *pl = ike_msg_find(m, IKE_PL_KE, NULL);
	const uint8_t *ke;
	uint16_t ke_group;
	size_t ke_len;

	*slen = 0;
	if (!group)
		return pl ? -1 : 0;
	if (!dh || !pl || ike_decode_ke(pl, &ke_group, &ke, &ke_len) || ke_group != group ||
	    ike_dh_group(dh) != group)
		return -1;
	*slen = IKE_DH_MAX_SHARED_LEN;
	return ike_dh_shared(dh, ke, ke_len, secret, slen);
}

/* ---- Initiator ---- */

static int child_build_request(struct ike_xchg *x, struct ike_writer *w)
{
	struct child_xchg *cx = to_child(x);
	struct ike_ts_set tsi, tsr;
	uint32_t be = htonl(cx->rekey_spi);

	ike_child_reserve(&cx->reserved, cx->vpn, cx->spi_in);
	if (cx->rekey_spi) {
		ike_w_notify(w, cx->vpn->protocol, &be, 4, IKE_N_REKEY_SA, NULL, 0);
		tsi = cx->rekey_tsi;
		tsr = cx->rekey_tsr;
	} else {
		ike_child_ts(cx->vpn, cx->sel, &tsi, &tsr);
	}
	ike_w_sa(w, &cx->offer);
	ike_w_nonce(w, cx->ni, cx->ni_len);
	if (cx->dh && ikev2_put_ke(w, cx->dh, cx->group))
		return -1;
	ike_w_ts(w, IKE_PL_TSI, &tsi);
	ike_w_ts(w, IKE_PL_TSR, &tsr);
	return w->err;
}

static int new_dh(struct child_xchg *cx, uint16_t group)
{
	ike_dh_free(cx->dh);
	cx->dh = NULL;
	cx->group = group;
	if (!group)
		return 0;
	cx->dh = ike_dh_new(group);
	return cx->dh ? 0 : -1;
}

/*
 * Our rekey of OLD is done and C made. Without a crossing rekey of the
 * peer's, C replaces OLD and OLD is deleted. With one, the exchange with
 * the lowest nonce lost: ours, and C is deleted (the peer deletes OLD);
 * or the peer's, and its child goes when the peer deletes it, OLD when we
 * do.
 */
static int rekey_done(struct ike_sa *sa, struct ike_sa *home, struct child_sa *old,
		      struct child_sa *c, const struct child_nonces *nonces)
{
	struct child_sa *theirs = old->peer_rekey ? ike_child_by_spi_in(home, old->peer_rekey) :
				  NULL;
	const struct child_sa *holder = theirs ? theirs : old;
	const uint8_t *low;
	size_t low_len;

	if (theirs) {
		ike_nonce_lowest(nonces->ni, nonces->ni_len, nonces->nr, nonces->nr_len,
			    &low, &low_len);
		if (ike_nonce_lower(low, low_len, old->peer_rekey_nonce, old->peer_rekey_nonce_len)) {
			log_info("%s: rekey collision on child SA %08x: ours lost, deleting "
				 "its SA %08x", sa->gw->name, old->spi_in, c->spi_in);
			ikev2_delete_child_queue(home, c->protocol, c->spi_in);
			free(c);
			return 0;
		}
		log_info("%s: rekey collision on child SA %08x: ours won, the peer "
			 "deletes %08x", sa->gw->name, old->spi_in, theirs->spi_in);
	}
	ike_child_inherit(c, holder);
	/* Keys from the SA the exchange ran on; kept by the one OLD is on. */
	if (ike_child_install(sa, c, nonces))
		return -1;
	if (home != sa)
		ike_child_move(c, sa, home);
	if (theirs)
		ike_child_take_over(theirs, c);
	ike_child_take_over(old, c);
	log_info("%s: child SA %08x/%08x of VPN %s rekeyed: now %08x/%08x (rekey %u)",
		 sa->gw->name, old->spi_in, old->spi_out, c->vpn->name, c->spi_in,
		 c->spi_out, c->rekeys);
	old->vpn->child_rekeys++;
	/* Off the wire at once; its inbound SA lingers once the peer agreed. */
	ike_kernel_del_out(old);
	old->state = CHILD_RETIRING;
	ikev2_delete_child_queue(home, old->protocol, old->spi_in);
	return 0;
}

static enum ike_xchg_status child_process_response(struct ike_xchg *x, struct ike_rx *rx)
{
	struct child_xchg *cx = to_child(x);
	struct ike_sa *sa = x->sa;
	const struct ike_msg *m = rx->m;
	const struct ike_payload *pl = ike_msg_find(m, IKE_PL_NONCE, NULL);
	uint8_t secret[IKE_DH_MAX_SHARED_LEN];
	struct child_sa *c, *old = NULL;
	struct ike_sa *home = sa;
	struct child_nonces nonces;
	const uint8_t *nr;
	struct ike_notify n;
	size_t nr_len, slen;
	uint16_t err;
	int ret;

	/* A reload took its VPN away: whatever the peer made goes again. */
	if (!cx->vpn) {
		if (!ike_msg_error(m))
			ikev2_delete_child_queue(sa, cx->protocol, cx->spi_in);
		return IKE_XCHG_DONE;
	}
	if (!ike_msg_find_notify(m, IKE_N_INVALID_KE_PAYLOAD, &n) && n.len == 2) {
		uint16_t group = n.data[0] << 8 | n.data[1];

		if (group != cx->group && ike_offer_has_dh(&cx->offer, group) &&
		    cx->ke_rounds < MAX_KE_ROUNDS && !new_dh(cx, group) &&
		    !ike_random(cx->ni, cx->ni_len)) {
			log_info("%s: the peer prefers PFS group %u", sa->gw->name, group);
			cx->ke_rounds++;
			ike_offer_promote_dh(&cx->offer, group);
			return IKE_XCHG_RESEND;
		}
	}
	/* The IKE SA may have been rekeyed meanwhile: the child moved on. */
	if (cx->rekey_spi) {
		old = ike_child_find_in(cx->rekey_spi, &home);
		if (old && old->vpn == cx->vpn)
			old->rekey_pending = false;
		else
			old = NULL;
	}
	err = ike_msg_error(m);
	if (err) {
		log_warn("%s: no child SA for selector %u of VPN %s: %s", sa->gw->name,
			 cx->sel + 1, cx->vpn->name, ike_error_name(err));
		snprintf(sa->why, sizeof(sa->why), "child SA %s: %s",
			 cx->rekey_spi ? "rekey refused" : "refused", ike_error_name(err));
		/* Busy with something that crossed ours (2.25): try again soon. */
		if (old && old->state == CHILD_INSTALLED && err == IKE_N_TEMPORARY_FAILURE)
			ikev2_child_rekey_later(old);
		return IKE_XCHG_DONE;
	}
	if (!pl || ike_decode_nonce(pl, &nr, &nr_len)) {
		snprintf(sa->why, sizeof(sa->why), "CREATE_CHILD_SA response without a nonce");
		return IKE_XCHG_DONE;
	}
	c = ike_child_from_reply(sa, cx->vpn, cx->sel, &cx->offer, cx->spi_in, m);
	if (!c)
		return IKE_XCHG_DONE;
	/* The chosen group must be the one of the KE we sent (PFS). */
	if (c->suite.dh != cx->group ||
	    pfs_secret(cx->dh, m, c->suite.dh, secret, &slen)) {
		log_err("%s: the peer's PFS group or KE does not match ours", sa->gw->name);
		snprintf(sa->why, sizeof(sa->why), "bad KE in CREATE_CHILD_SA response");
		free(c);
		return IKE_XCHG_DONE;
	}
	nonces = (struct child_nonces){
		.ni = cx->ni, .ni_len = cx->ni_len, .nr = nr, .nr_len = nr_len,
		.g_ir = slen ? secret : NULL, .g_len = slen, .we_initiated = true,
	};
	/*
	 * A rekey whose child was replaced meanwhile (a reauthentication), or
	 * whose child went and whose selector another child serves, made a
	 * pair that nobody needs: it goes again. One whose child simply went
	 * (2.25) gives a fresh child.
	 */
	if (old && (old->state == CHILD_INSTALLED ||
		    (old->state == CHILD_REKEYED && old->peer_rekey))) {
		ret = rekey_done(sa, home, old, c, &nonces);
	} else if (cx->rekey_spi && (old || ike_child_selector_served(c))) {
		log_info("%s: the child SA our rekey made is not needed any more: deleting it",
			 sa->gw->name);
		ikev2_delete_child_queue(sa, c->protocol, c->spi_in);
		ret = -1;
	} else if (cx->rekey_spi) {
		ret = ike_child_install(sa, c, &nonces);
	} else {
		ret = ike_child_install_new(sa, c, &nonces);
	}
	if (ret)
		free(c);
	OPENSSL_cleanse(secret, sizeof(secret));
	return IKE_XCHG_DONE;
}

static void child_abort(struct ike_xchg *x)
{
	struct child_xchg *cx = to_child(x);
	struct child_sa *old;

	if (cx->rekey_spi && (old = ike_child_by_spi_in(x->sa, cx->rekey_spi)))
		old->rekey_pending = false;
}

/* Whether a child for SEL of VPN is queued or in flight on SA. */
static bool child_pending(const struct ike_sa *sa, const struct iked_vpn *vpn,
			  unsigned int sel)
{
	const struct ike_xchg *x = sa->xchg.active;

	if (x && x->ops == &ikev2_child_create_ops && to_child(x)->vpn == vpn &&
	    to_child(x)->sel == sel)
		return true;
	for (x = sa->xchg.queue; x; x = x->next)
		if (x->ops == &ikev2_child_create_ops && to_child(x)->vpn == vpn &&
		    to_child(x)->sel == sel)
			return true;
	return false;
}

static bool child_up(const struct ike_sa *sa, const struct iked_vpn *vpn, unsigned int sel)
{
	const struct child_sa *c;

	for (c = sa->children; c; c = c->next)
		if (c->vpn == vpn && c->sel == sel)
			return true;
	return false;
}

int ikev2_child_queue(struct ike_sa *sa, struct iked_vpn *vpn, unsigned int sel,
		      bool replace)
{
	struct child_xchg *cx;

	if (child_pending(sa, vpn, sel) || (!replace && child_up(sa, vpn, sel)))
		return 0;
	/* Our own children count against the limit as the peer's do. */
	if (sa->n_children + sa->xchg.queued >= iked->cfg->limits.child_sas) {
		log_warn("%s: %u child SAs already: not asking for another", sa->gw->name,
			 sa->n_children);
		return -1;
	}
	cx = (struct child_xchg *)ike_xchg_new(&ikev2_child_create_ops, sa);
	if (!cx)
		return -1;
	cx->vpn = vpn;
	cx->protocol = vpn->protocol;
	cx->sel = sel;
	cx->replace = replace;
	cx->spi_in = ike_kernel_new_spi();
	cx->ni_len = IKE_NONCE_LEN;
	if (ike_child_offer(vpn, cx->spi_in, true, &cx->offer) ||
	    ike_random(cx->ni, cx->ni_len) || new_dh(cx, ike_offer_first_dh(&cx->offer))) {
		ike_xchg_free(&cx->x);
		return -1;
	}
	log_info("%s: asking for a child SA for selector %u of VPN %s", sa->gw->name,
		 sel + 1, vpn->name);
	return ike_xchg_queue(sa, &cx->x, false);
}

void ikev2_children_wanted_for(struct ike_sa *sa, struct iked_vpn *vpn)
{
	unsigned int sel;

	if (sa->state != IKE_SA_ESTABLISHED || !vpn)
		return;
	/* A VPN without selectors has one child, "selector" 0. */
	for (sel = 0; sel < (vpn->n_sel ?: 1); sel++)
		ikev2_child_queue(sa, vpn, sel, false);
}

void ikev2_children_wanted(struct ike_sa *sa)
{
	ikev2_children_wanted_for(sa, sa->vpn);
}

/* The selectors a rekey of C asks for: C's own (2.8), or everything, as at first. */
static void rekey_ts(const struct child_sa *c, struct ike_ts_set *tsi, struct ike_ts_set *tsr)
{
	if (!c->vpn->n_sel && ike_ts_set_is_any(&c->local) && ike_ts_set_is_any(&c->remote)) {
		ike_child_ts(c->vpn, c->sel, tsi, tsr);
		return;
	}
	*tsi = c->local;
	*tsr = c->remote;
}

int ikev2_child_rekey_queue(struct ike_sa *sa, struct child_sa *c)
{
	struct child_xchg *cx;

	if (c->rekey_pending || c->state != CHILD_INSTALLED || c->out_standby ||
	    sa->state != IKE_SA_ESTABLISHED)
		return 0;
	cx = (struct child_xchg *)ike_xchg_new(&ikev2_child_create_ops, sa);
	if (!cx)
		return -1;
	cx->vpn = c->vpn;
	cx->protocol = c->protocol;
	cx->sel = c->sel;
	cx->rekey_spi = c->spi_in;
	rekey_ts(c, &cx->rekey_tsi, &cx->rekey_tsr);
	cx->spi_in = ike_kernel_new_spi();
	cx->ni_len = IKE_NONCE_LEN;
	if (ike_child_offer(c->vpn, cx->spi_in, true, &cx->offer) ||
	    ike_random(cx->ni, cx->ni_len) || new_dh(cx, ike_offer_first_dh(&cx->offer))) {
		ike_xchg_free(&cx->x);
		return -1;
	}
	log_info("%s: rekeying child SA %08x/%08x of VPN %s", sa->gw->name, c->spi_in,
		 c->spi_out, c->vpn->name);
	c->rekey_pending = true;
	return ike_xchg_queue(sa, &cx->x, false);
}

static void rekey_retry(struct ike_timer *t)
{
	struct child_sa *c = ike_timer_owner(t, struct child_sa, timer);

	ikev2_child_rekey_queue(c->sa, c);
}

void ikev2_child_rekey_later(struct child_sa *c)
{
	ike_timer_set(&c->timer, CHILD_REKEY_RETRY_MS, rekey_retry);
}

/* ---- Responder ---- */

static enum ike_xchg_status refuse(struct child_xchg *cx, uint16_t type, const void *data,
				   size_t len)
{
	cx->err = type;
	cx->err_len = len;
	if (len)
		memcpy(cx->err_data, data, len);
	return IKE_XCHG_DONE;
}

/*
 * The child a REKEY_SA notify names by its SPI (our outbound one), or an
 * error: CHILD_SA_NOT_FOUND when there is none, TEMPORARY_FAILURE when it
 * is being replaced or deleted already (RFC 7296 2.25).
 */
static uint16_t rekeyed_child(struct ike_sa *sa, const struct ike_notify *n,
			      struct child_sa **out)
{
	struct child_sa *c;
	uint32_t spi;

	if (n->spi_len != 4 || (n->protocol != IKE_PROTO_ESP && n->protocol != IKE_PROTO_AH))
		return IKE_N_INVALID_SYNTAX;
	memcpy(&spi, n->spi, 4);
	spi = ntohl(spi);
	for (c = sa->children; c; c = c->next) {
		if (c->spi_out != spi || c->protocol != n->protocol)
			continue;
		if (c->state != CHILD_INSTALLED || c->out_standby)
			return IKE_N_TEMPORARY_FAILURE;
		*out = c;
		return 0;
	}
	return IKE_N_CHILD_SA_NOT_FOUND;
}

/* Our own rekey of C, still queued, is not needed any more. */
static void drop_queued_rekey(struct ike_sa *sa, struct child_sa *c)
{
	struct ike_xchg **p, *x;

	for (p = &sa->xchg.queue; (x = *p); p = &x->next) {
		if (x->ops == &ikev2_child_create_ops && to_child(x)->rekey_spi == c->spi_in) {
			*p = x->next;
			sa->xchg.queued--;
			ike_xchg_free(x);
			c->rekey_pending = false;
			return;
		}
	}
}

/*
 * The peer's rekey of OLD made C, installed with its outbound SA on
 * standby. If ours is in flight too, both finish; which survives is
 * decided when our answer comes (rekey_done()).
 */
static void rekeyed_by_peer(struct ike_sa *sa, struct child_sa *old, struct child_sa *c,
			    const struct child_nonces *n)
{
	const uint8_t *low;
	size_t low_len;

	drop_queued_rekey(sa, old);
	if (old->rekey_pending) {
		ike_nonce_lowest(n->ni, n->ni_len, n->nr, n->nr_len, &low, &low_len);
		memcpy(old->peer_rekey_nonce, low, low_len);
		old->peer_rekey_nonce_len = low_len;
		old->peer_rekey = c->spi_in;
		ike_child_take_over(old, c);
		/* Until ours is answered, it is still ours in flight. */
		old->rekey_pending = true;
		log_info("%s: the peer rekeys child SA %08x while we do", sa->gw->name,
			 old->spi_in);
	} else {
		ike_child_take_over(old, c);
	}
	ike_child_watch_peer(c);
	old->vpn->child_rekeys++;
	log_info("%s: the peer rekeyed child SA %08x/%08x of VPN %s: now %08x/%08x",
		 sa->gw->name, old->spi_in, old->spi_out, c->vpn->name, c->spi_in, c->spi_out);
}

static enum ike_xchg_status child_process_request(struct ike_xchg *x, struct ike_rx *rx)
{
	struct child_xchg *cx = to_child(x);
	struct ike_sa *sa = x->sa;
	const struct ike_msg *m = rx->m;
	const struct ike_payload *sa_pl = ike_msg_find(m, IKE_PL_SA, NULL);
	const struct ike_payload *n_pl = ike_msg_find(m, IKE_PL_NONCE, NULL);
	const struct ike_payload *ke_pl = ike_msg_find(m, IKE_PL_KE, NULL);
	uint8_t secret[IKE_DH_MAX_SHARED_LEN];
	struct ike_sa_offer *theirs;
	struct child_nonces nonces;
	struct ike_ts_set tsi, tsr;
	const uint8_t *ni, *ke = NULL;
	size_t ni_len, ke_len = 0, slen = 0;
	uint16_t ke_group = 0, err;
	struct ike_notify n;
	enum ike_xchg_status st = IKE_XCHG_DONE;

	/* The IKE SA is being replaced: not now (RFC 7296 2.25.2). */
	if (sa->rekeyed || ike_xchg_active_is(sa, &ikev2_ike_rekey_ops)) {
		log_info("%s: a child SA request while the IKE SA is rekeyed: not now",
			 sa->gw->name);
		return refuse(cx, IKE_N_TEMPORARY_FAILURE, NULL, 0);
	}
	theirs = malloc(sizeof(*theirs));
	if (!theirs)
		return refuse(cx, IKE_N_TEMPORARY_FAILURE, NULL, 0);
	if (ike_decode_sa(sa_pl, theirs) || ike_decode_nonce(n_pl, &ni, &ni_len) ||
	    (ke_pl && ike_decode_ke(ke_pl, &ke_group, &ke, &ke_len))) {
		st = refuse(cx, IKE_N_INVALID_SYNTAX, NULL, 0);
		goto out;
	}
	if (!ike_msg_find_notify(m, IKE_N_REKEY_SA, &n)) {
		err = rekeyed_child(sa, &n, &cx->old);
		if (err) {
			log_warn("%s: refusing to rekey child SA: %s", sa->gw->name,
				 ike_error_name(err));
			st = refuse(cx, err, NULL, 0);
			goto out;
		}
	}
	if (!ike_child_decode_ts(m, &tsi, &tsr)) {
		st = refuse(cx, IKE_N_INVALID_SYNTAX, NULL, 0);
		goto out;
	}
	if (ke_group)
		ike_offer_promote_dh(theirs, ke_group);
	err = ike_child_accept(sa, theirs, &tsi, &tsr, true, cx->old, &cx->child, &cx->reply);
	if (err) {
		log_warn("%s: refusing a child SA: %s", sa->gw->name, ike_error_name(err));
		st = refuse(cx, err, NULL, 0);
		goto out;
	}
	if (cx->child->suite.dh && cx->child->suite.dh != ke_group) {
		uint8_t want[2] = { cx->child->suite.dh >> 8, cx->child->suite.dh & 0xff };

		free(cx->child);
		cx->child = NULL;
		st = refuse(cx, IKE_N_INVALID_KE_PAYLOAD, want, 2);
		goto out;
	}
	if (ike_random(cx->nr, sizeof(cx->nr))) {
		free(cx->child);
		cx->child = NULL;
		st = refuse(cx, IKE_N_TEMPORARY_FAILURE, NULL, 0);
		goto out;
	}
	if (cx->child->suite.dh) {
		cx->group = cx->child->suite.dh;
		cx->dh = ike_dh_new(cx->group);
		slen = sizeof(secret);
		if (!cx->dh || ike_dh_shared(cx->dh, ke, ke_len, secret, &slen)) {
			free(cx->child);
			cx->child = NULL;
			st = refuse(cx, IKE_N_INVALID_SYNTAX, NULL, 0);
			goto out;
		}
	}
	nonces = (struct child_nonces){
		.ni = ni, .ni_len = ni_len, .nr = cx->nr, .nr_len = sizeof(cx->nr),
		.g_ir = slen ? secret : NULL, .g_len = slen,
	};
	/* The replacement's inbound SA is in before we answer; its outbound waits. */
	if (cx->old) {
		ike_child_inherit(cx->child, cx->old);
		cx->child->out_standby = true;
	}
	if ((cx->old ? ike_child_install(sa, cx->child, &nonces) :
		       ike_child_install_new(sa, cx->child, &nonces))) {
		free(cx->child);
		cx->child = NULL;
		st = refuse(cx, IKE_N_TEMPORARY_FAILURE, NULL, 0);
	} else if (cx->old) {
		rekeyed_by_peer(sa, cx->old, cx->child, &nonces);
	}
out:
	OPENSSL_cleanse(secret, sizeof(secret));
	free(theirs);
	return st;
}

static int child_build_response(struct ike_xchg *x, struct ike_writer *w)
{
	struct child_xchg *cx = to_child(x);
	struct ike_sa_offer one = { .n = 1 };

	if (cx->err) {
		ike_w_notify(w, 0, NULL, 0, cx->err, cx->err_data, cx->err_len);
		return w->err;
	}
	one.p[0] = cx->reply;
	ike_w_sa(w, &one);
	ike_w_nonce(w, cx->nr, sizeof(cx->nr));
	if (cx->dh && ikev2_put_ke(w, cx->dh, cx->group))
		return -1;
	ike_w_ts(w, IKE_PL_TSI, &cx->child->remote);
	ike_w_ts(w, IKE_PL_TSR, &cx->child->local);
	return w->err;
}

static void child_destroy(struct ike_xchg *x)
{
	ike_child_unreserve(&to_child(x)->reserved);
	ike_dh_free(to_child(x)->dh);
}

static bool child_retarget(struct ike_xchg *x, const struct iked_config_map *map)
{
	to_child(x)->vpn = iked_map_vpn(map, to_child(x)->vpn);
	return to_child(x)->vpn;
}

/* A reauthentication waits for its children (reauth.c). */
static enum ike_xchg_status child_response(struct ike_xchg *x, struct ike_rx *rx)
{
	enum ike_xchg_status st = child_process_response(x, rx);
	bool busy = ike_msg_error(rx->m) == IKE_N_TEMPORARY_FAILURE && !to_child(x)->rekey_spi;

	if (st != IKE_XCHG_RESEND && x->sa->reauth_pending)
		ikev2_reauth_step(x->sa, x, busy);
	return st;
}

const struct ike_xchg_ops ikev2_child_create_ops = {
	.name = "CREATE_CHILD_SA",
	.exchange = IKE_CREATE_CHILD_SA,
	.size = sizeof(struct child_xchg),
	.needs_established = true,
	.build_request = child_build_request,
	.process_response = child_response,
	.process_request = child_process_request,
	.build_response = child_build_response,
	.abort = child_abort,
	.destroy = child_destroy,
	.retarget = child_retarget,
};

/*
 * The module says an SA of a child is near its end (soft lifetime, in
 * time or bytes): the child is rekeyed, by whichever end gets there
 * first, unless the VPN leaves that to the peer.
 */
void ike_child_soft_expired(const char *ifname, uint32_t spi, int dir)
{
	struct child_sa *c;
	struct ike_sa *sa;

	ike_sa_foreach(sa) {
		if (sa->state != IKE_SA_ESTABLISHED)
			continue;
		for (c = sa->children; c; c = c->next) {
			if ((dir == SECTUN_DIR_IN ? c->spi_in : c->spi_out) != spi ||
			    strcmp(c->vpn->bind_if, ifname))
				continue;
			if (c->vpn->establish == IKED_ESTABLISH_RESPONDER_ONLY_NO_REKEY) {
				log_info("%s: child SA %08x near its end: the peer rekeys it",
					 sa->gw->name, c->spi_in);
				return;
			}
			if (sa->version == 1)
				ikev1_child_rekey(sa, c);
			else
				ikev2_child_rekey_queue(sa, c);
			return;
		}
	}
}
