// SPDX-License-Identifier: GPL-2.0
/*
 * CREATE_CHILD_SA for a new child SA (RFC 7296 1.3.1): a VPN's further
 * traffic selectors, each its own child (a Junos proxy ID), with the
 * VPN's PFS group when it has one. Rekeying (the REKEY_SA notify) comes
 * with the next step and is refused with NO_ADDITIONAL_SAS until then.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "child.h"
#include "crypto/crypto.h"
#include "engine/exchange.h"
#include "ikev2/ikev2.h"
#include "kernel.h"
#include "log.h"
#include "proposal.h"

static void put_child_ke(struct ike_writer *w, const struct ike_dh *dh, uint16_t group)
{
	uint8_t pub[IKE_DH_MAX_PUBLIC_LEN];
	size_t len = ike_dh_public_len(group);

	if (ike_dh_public(dh, pub, len) < 0) {
		w->err = IKE_E_OVERFLOW;
		return;
	}
	ike_w_ke(w, group, pub, len);
}

static int send_request(struct ike_sa *sa)
{
	struct ike_ts_set tsi, tsr;
	uint8_t *buf = malloc(IKE_MAX_MSG);
	struct ike_writer w;
	int err = -1;

	if (!buf)
		return -1;
	ike_w_init(&w, buf, IKE_MAX_MSG);
	ike_w_sa(&w, &sa->child_offer);
	ike_w_nonce(&w, sa->child_ni, sa->child_ni_len);
	if (sa->child_dh)
		put_child_ke(&w, sa->child_dh, sa->child_dh_group);
	ike_child_ts(sa->vpn, sa->child_sel, &tsi, &tsr);
	ike_w_ts(&w, IKE_PL_TSI, &tsi);
	ike_w_ts(&w, IKE_PL_TSR, &tsr);
	err = ike_send_request(sa, IKE_CREATE_CHILD_SA, &w);
	free(buf);
	return err;
}

static void drop_child_dh(struct ike_sa *sa)
{
	if (sa->child_dh)
		ike_dh_free(sa->child_dh);
	sa->child_dh = NULL;
}

int ike_create_child_request(struct ike_sa *sa, unsigned int sel)
{
	sa->child_sel = sel;
	sa->child_spi = ike_kernel_new_spi();
	if (ike_child_offer(sa->vpn, sa->child_spi, true, &sa->child_offer))
		return -1;
	sa->child_ni_len = IKE_NONCE_LEN;
	if (ike_random(sa->child_ni, sa->child_ni_len))
		return -1;
	drop_child_dh(sa);
	sa->child_dh_group = ike_offer_first_dh(&sa->child_offer);
	if (sa->child_dh_group) {
		sa->child_dh = ike_dh_new(sa->child_dh_group);
		if (!sa->child_dh)
			return -1;
	}
	log_info("%s: asking for a child SA for selector %u of VPN %s", sa->gw->name,
		 sel + 1, sa->vpn->name);
	return send_request(sa);
}

/* The PFS secret of a child exchange, into SECRET; 0 when there is none. */
static int child_pfs(struct ike_dh *dh, const struct ike_msg *m, uint16_t group,
		     uint8_t *secret, size_t *slen)
{
	const struct ike_payload *pl = ike_msg_find(m, IKE_PL_KE, NULL);
	const uint8_t *ke;
	uint16_t ke_group;
	size_t ke_len;

	*slen = 0;
	if (!group)
		return pl ? -1 : 0;
	if (!pl || ike_decode_ke(pl, &ke_group, &ke, &ke_len) || ke_group != group)
		return -1;
	*slen = IKE_DH_MAX_SHARED_LEN;
	return ike_dh_shared(dh, ke, ke_len, secret, slen);
}

void ike_create_child_response(struct ike_sa *sa, struct ike_rx *rx)
{
	const struct ike_msg *m = rx->m;
	const struct ike_payload *pl = ike_msg_find(m, IKE_PL_NONCE, NULL);
	uint8_t secret[IKE_DH_MAX_SHARED_LEN];
	const uint8_t *nr;
	struct child_sa *c;
	struct ike_notify n;
	size_t nr_len, slen;
	uint16_t err;

	if (!ike_msg_find_notify(m, IKE_N_INVALID_KE_PAYLOAD, &n) && n.len == 2) {
		uint16_t group = n.data[0] << 8 | n.data[1];

		if (group != sa->child_dh_group &&
		    ike_offer_has_dh(&sa->child_offer, group)) {
			log_info("%s: the peer prefers PFS group %u", sa->gw->name, group);
			ike_offer_promote_dh(&sa->child_offer, group);
			drop_child_dh(sa);
			sa->child_dh_group = group;
			sa->child_dh = ike_dh_new(group);
			if (sa->child_dh && !send_request(sa))
				return;
		}
	}
	err = ike_msg_error(m);
	if (err) {
		log_warn("%s: no child SA for selector %u of VPN %s: %s", sa->gw->name,
			 sa->child_sel + 1, sa->vpn->name, ike_error_name(err));
		snprintf(sa->why, sizeof(sa->why), "child SA refused: %s",
			 ike_error_name(err));
		goto next;
	}
	sa->child_dh_group = 0;
	if (!pl || ike_decode_nonce(pl, &nr, &nr_len)) {
		snprintf(sa->why, sizeof(sa->why), "CREATE_CHILD_SA response without a nonce");
		goto next;
	}
	c = ike_child_from_reply(sa, m);
	if (!c)
		goto next;
	if (child_pfs(sa->child_dh, m, c->suite.dh, secret, &slen)) {
		snprintf(sa->why, sizeof(sa->why), "bad KE in CREATE_CHILD_SA response");
		free(c);
		goto next;
	}
	if (ike_child_install(sa, c, &(struct child_nonces){
			.ni = sa->child_ni, .ni_len = sa->child_ni_len,
			.nr = nr, .nr_len = nr_len,
			.g_ir = slen ? secret : NULL, .g_len = slen }))
		free(c);
	OPENSSL_cleanse(secret, sizeof(secret));
next:
	drop_child_dh(sa);
	sa->child_spi = 0;
	ike_child_next(sa);
}

static void refuse(struct ike_sa *sa, const struct ike_rx *rx, uint16_t type,
		   const void *data, size_t len)
{
	struct ike_writer w;
	uint8_t buf[64];

	ike_w_init(&w, buf, sizeof(buf));
	ike_w_notify(&w, 0, NULL, 0, type, data, len);
	ike_send_response(sa, IKE_CREATE_CHILD_SA, rx->m->hdr.msgid, &w);
}

void ike_create_child_respond(struct ike_sa *sa, struct ike_rx *rx)
{
	const struct ike_msg *m = rx->m;
	const struct ike_payload *sa_pl = ike_msg_find(m, IKE_PL_SA, NULL);
	const struct ike_payload *n_pl = ike_msg_find(m, IKE_PL_NONCE, NULL);
	const struct ike_payload *ke_pl = ike_msg_find(m, IKE_PL_KE, NULL);
	struct ike_sa_offer *theirs = malloc(sizeof(*theirs));
	uint8_t *buf = malloc(IKE_MAX_MSG), nr[IKE_NONCE_LEN];
	uint8_t secret[IKE_DH_MAX_SHARED_LEN];
	struct ike_ts_set tsi, tsr;
	struct child_sa *child = NULL;
	struct ike_proposal reply;
	struct ike_dh *dh = NULL;
	const uint8_t *ni, *ke = NULL;
	size_t ni_len, ke_len = 0, slen = 0;
	uint16_t ke_group = 0, err;
	struct ike_notify n;
	struct ike_writer w;

	if (!theirs || !buf)
		goto out;
	/* A child rekey carries REKEY_SA; an IKE SA rekey, IKE proposals. */
	if (!ike_msg_find_notify(m, IKE_N_REKEY_SA, &n) ||
	    (sa_pl && !ike_decode_sa(sa_pl, theirs) && theirs->n &&
	     theirs->p[0].protocol == IKE_PROTO_IKE)) {
		log_info("%s: the peer wants to rekey; not supported yet", sa->gw->name);
		refuse(sa, rx, IKE_N_NO_ADDITIONAL_SAS, NULL, 0);
		goto out;
	}
	if (!sa_pl || !n_pl || ike_decode_sa(sa_pl, theirs) ||
	    ike_decode_nonce(n_pl, &ni, &ni_len) || !ike_child_decode_ts(m, &tsi, &tsr) ||
	    (ke_pl && ike_decode_ke(ke_pl, &ke_group, &ke, &ke_len))) {
		refuse(sa, rx, IKE_N_INVALID_SYNTAX, NULL, 0);
		goto out;
	}
	if (ke_group)
		ike_offer_promote_dh(theirs, ke_group);
	err = ike_child_accept(sa, theirs, &tsi, &tsr, true, &child, &reply);
	if (err) {
		log_warn("%s: refusing a child SA: %s", sa->gw->name, ike_error_name(err));
		refuse(sa, rx, err, NULL, 0);
		goto out;
	}
	if (child->suite.dh && child->suite.dh != ke_group) {
		uint8_t want[2] = { child->suite.dh >> 8, child->suite.dh & 0xff };

		refuse(sa, rx, IKE_N_INVALID_KE_PAYLOAD, want, 2);
		goto out;
	}
	if (ike_random(nr, sizeof(nr)))
		goto out;
	if (child->suite.dh) {
		dh = ike_dh_new(child->suite.dh);
		slen = sizeof(secret);
		if (!dh || ike_dh_shared(dh, ke, ke_len, secret, &slen)) {
			refuse(sa, rx, IKE_N_INVALID_SYNTAX, NULL, 0);
			goto out;
		}
	}
	ike_w_init(&w, buf, IKE_MAX_MSG);
	{
		struct ike_sa_offer one = { .n = 1 };

		one.p[0] = reply;
		ike_w_sa(&w, &one);
	}
	ike_w_nonce(&w, nr, sizeof(nr));
	if (dh)
		put_child_ke(&w, dh, child->suite.dh);
	memset(&tsi, 0, sizeof(tsi));
	memset(&tsr, 0, sizeof(tsr));
	tsi.ts[0] = child->remote;
	tsr.ts[0] = child->local;
	tsi.n = tsr.n = 1;
	ike_w_ts(&w, IKE_PL_TSI, &tsi);
	ike_w_ts(&w, IKE_PL_TSR, &tsr);
	if (ike_child_install(sa, child, &(struct child_nonces){
			.ni = ni, .ni_len = ni_len, .nr = nr, .nr_len = sizeof(nr),
			.g_ir = slen ? secret : NULL, .g_len = slen })) {
		refuse(sa, rx, IKE_N_TEMPORARY_FAILURE, NULL, 0);
		goto out;
	}
	child = NULL;	/* the IKE SA's now */
	ike_send_response(sa, IKE_CREATE_CHILD_SA, m->hdr.msgid, &w);
out:
	OPENSSL_cleanse(secret, sizeof(secret));
	if (dh)
		ike_dh_free(dh);
	free(child);
	free(theirs);
	free(buf);
}

/*
 * The module says an outbound SA of ours is near its end (soft lifetime).
 * Without rekeying (next step), the initiator of the VPN asks for a fresh
 * child for the same selector; it carries the traffic once the old one
 * is gone. Only the initiator does, so that two sites do not both.
 */
void ike_child_soft_expired(const char *ifname, uint32_t spi)
{
	struct child_sa *c;
	struct ike_sa *sa;

	for (sa = ike_sas; sa; sa = sa->next) {
		if (sa->state != IKE_SA_ESTABLISHED || !sa->initiator)
			continue;
		for (c = sa->children; c; c = c->next) {
			if (c->spi_out != spi || strcmp(c->vpn->bind_if, ifname) ||
			    c->vpn != sa->vpn)
				continue;
			if (sa->req.msg) {
				log_info("%s: child SA %08x near its end; busy, asking later",
					 sa->gw->name, c->spi_out);
				sa->tried_sel &= ~(1u << c->sel);
				return;
			}
			log_info("%s: child SA %08x near its end: asking for a new one",
				 sa->gw->name, c->spi_out);
			ike_create_child_request(sa, c->sel);
			return;
		}
	}
}
