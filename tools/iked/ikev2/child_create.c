// SPDX-License-Identifier: GPL-2.0
/*
 * CREATE_CHILD_SA for a new child SA (RFC 7296 1.3.1), both halves: a
 * VPN's further traffic selectors, each its own child (a Junos proxy ID),
 * with the VPN's PFS group when it has one. Rekeying (REKEY_SA, or IKE
 * proposals for an IKE SA rekey) is refused with NO_ADDITIONAL_SAS until
 * the rekey exchanges exist.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "child.h"
#include "crypto/crypto.h"
#include "ike_sa.h"
#include "ikev2/exchanges.h"
#include "ikev2/ikev2.h"
#include "ikev2/payloads.h"
#include "kernel.h"
#include "log.h"
#include "proposal.h"
#include "random.h"

#define MAX_KE_ROUNDS	2

struct child_xchg {
	struct ike_xchg x;
	struct iked_vpn *vpn;
	unsigned int sel;
	bool replace;			/* for a selector that has a child already */
	/* Initiator. */
	struct ike_sa_offer offer;
	uint32_t spi_in;
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

	ike_w_sa(w, &cx->offer);
	ike_w_nonce(w, cx->ni, cx->ni_len);
	if (cx->dh && ikev2_put_ke(w, cx->dh, cx->group))
		return -1;
	ike_child_ts(cx->vpn, cx->sel, &tsi, &tsr);
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

static enum ike_xchg_status child_process_response(struct ike_xchg *x, struct ike_rx *rx)
{
	struct child_xchg *cx = to_child(x);
	struct ike_sa *sa = x->sa;
	const struct ike_msg *m = rx->m;
	const struct ike_payload *pl = ike_msg_find(m, IKE_PL_NONCE, NULL);
	uint8_t secret[IKE_DH_MAX_SHARED_LEN];
	struct child_nonces nonces;
	const uint8_t *nr;
	struct child_sa *c;
	struct ike_notify n;
	size_t nr_len, slen;
	uint16_t err;

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
	err = ike_msg_error(m);
	if (err) {
		log_warn("%s: no child SA for selector %u of VPN %s: %s", sa->gw->name,
			 cx->sel + 1, cx->vpn->name, ike_error_name(err));
		snprintf(sa->why, sizeof(sa->why), "child SA refused: %s",
			 ike_error_name(err));
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
		.g_ir = slen ? secret : NULL, .g_len = slen,
	};
	if (ike_child_install(sa, c, &nonces))
		free(c);
	OPENSSL_cleanse(secret, sizeof(secret));
	return IKE_XCHG_DONE;
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
	cx = (struct child_xchg *)ike_xchg_new(&ikev2_child_create_ops, sa);
	if (!cx)
		return -1;
	cx->vpn = vpn;
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

void ikev2_children_wanted(struct ike_sa *sa)
{
	unsigned int sel;

	if (sa->state != IKE_SA_ESTABLISHED || !sa->vpn)
		return;
	/* A VPN without selectors has one child, "selector" 0. */
	for (sel = 0; sel < (sa->vpn->n_sel ?: 1); sel++)
		ikev2_child_queue(sa, sa->vpn, sel, false);
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

	theirs = malloc(sizeof(*theirs));
	if (!theirs)
		return refuse(cx, IKE_N_TEMPORARY_FAILURE, NULL, 0);
	if (ike_decode_sa(sa_pl, theirs) || ike_decode_nonce(n_pl, &ni, &ni_len) ||
	    (ke_pl && ike_decode_ke(ke_pl, &ke_group, &ke, &ke_len))) {
		st = refuse(cx, IKE_N_INVALID_SYNTAX, NULL, 0);
		goto out;
	}
	/* A child rekey carries REKEY_SA; an IKE SA rekey, IKE proposals. */
	if (!ike_msg_find_notify(m, IKE_N_REKEY_SA, &n) ||
	    (theirs->n && theirs->p[0].protocol == IKE_PROTO_IKE)) {
		log_info("%s: the peer wants to rekey; not supported yet", sa->gw->name);
		st = refuse(cx, IKE_N_NO_ADDITIONAL_SAS, NULL, 0);
		goto out;
	}
	if (!ike_child_decode_ts(m, &tsi, &tsr)) {
		st = refuse(cx, IKE_N_INVALID_SYNTAX, NULL, 0);
		goto out;
	}
	if (ke_group)
		ike_offer_promote_dh(theirs, ke_group);
	err = ike_child_accept(sa, theirs, &tsi, &tsr, true, &cx->child, &cx->reply);
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
	if (ike_child_install(sa, cx->child, &nonces)) {
		free(cx->child);
		cx->child = NULL;
		st = refuse(cx, IKE_N_TEMPORARY_FAILURE, NULL, 0);
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
	struct ike_ts_set tsi, tsr;

	if (cx->err) {
		ike_w_notify(w, 0, NULL, 0, cx->err, cx->err_data, cx->err_len);
		return w->err;
	}
	one.p[0] = cx->reply;
	ike_w_sa(w, &one);
	ike_w_nonce(w, cx->nr, sizeof(cx->nr));
	if (cx->dh && ikev2_put_ke(w, cx->dh, cx->group))
		return -1;
	memset(&tsi, 0, sizeof(tsi));
	memset(&tsr, 0, sizeof(tsr));
	tsi.ts[0] = cx->child->remote;
	tsr.ts[0] = cx->child->local;
	tsi.n = tsr.n = 1;
	ike_w_ts(w, IKE_PL_TSI, &tsi);
	ike_w_ts(w, IKE_PL_TSR, &tsr);
	return w->err;
}

static void child_destroy(struct ike_xchg *x)
{
	ike_dh_free(to_child(x)->dh);
}

const struct ike_xchg_ops ikev2_child_create_ops = {
	.name = "CREATE_CHILD_SA",
	.exchange = IKE_CREATE_CHILD_SA,
	.size = sizeof(struct child_xchg),
	.needs_established = true,
	.build_request = child_build_request,
	.process_response = child_process_response,
	.process_request = child_process_request,
	.build_response = child_build_response,
	.destroy = child_destroy,
};

/*
 * The module says an outbound SA of ours is near its end (soft lifetime).
 * Until rekeying exists, the side that initiated the VPN asks for a fresh
 * child for the same selector; it carries the traffic once the old one
 * is gone. Only that side does, so that two sites do not both.
 */
void ike_child_soft_expired(const char *ifname, uint32_t spi)
{
	struct child_sa *c;
	struct ike_sa *sa;

	ike_sa_foreach(sa) {
		if (sa->state != IKE_SA_ESTABLISHED || !sa->vpn)
			continue;
		for (c = sa->children; c; c = c->next) {
			if (c->spi_out != spi || strcmp(c->vpn->bind_if, ifname) ||
			    c->vpn != sa->vpn)
				continue;
			log_info("%s: child SA %08x near its end: asking for a new one",
				 sa->gw->name, c->spi_out);
			ikev2_child_queue(sa, c->vpn, c->sel, true);
			return;
		}
	}
}
