// SPDX-License-Identifier: GPL-2.0
/*
 * IKE_AUTH (RFC 7296 1.2, 2.15): identities, the AUTH payload by PSK or
 * signature with certificates, and the first child SA. An AUTH that does
 * not verify ends the IKE SA (AUTHENTICATION_FAILED); a child that cannot
 * be agreed (NO_PROPOSAL_CHOSEN, TS_UNACCEPTABLE) leaves the IKE SA up.
 * INITIAL_CONTACT (2.4) ends the older IKE SAs between the same identities.
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
#include "pki/cert.h"
#include "pki/sign.h"
#include "proposal.h"
#include "ts.h"

#define KEY_PAD		"Key Pad for IKEv2"
#define MAX_AUTH	1024
#define MAX_CERTS	8

struct auth_xchg {
	struct ike_xchg x;
	/* Initiator: the child that comes with it. */
	struct iked_vpn *vpn;
	unsigned int sel;
	struct ike_sa_offer child_offer;
	uint32_t child_spi;
	struct child_reservation reserved;
	/* Responder: what the answer says. */
	bool auth_failed;
	uint16_t child_err;
	struct child_sa *child;		/* installed: the IKE SA's */
	struct ike_proposal reply;
};

#define to_auth(x) ((struct auth_xchg *)(x))

/*
 * RFC 7296 2.15: the signer's IKE_SA_INIT message, the other side's
 * nonce, and prf(SK_p of the signer, the signer's ID payload body).
 */
static uint8_t *auth_octets(const struct ike_sa *sa, bool of_initiator,
			    const struct ike_id *id, size_t *len)
{
	const struct ike_init_result *r = sa->init;
	const uint8_t *msg, *nonce, *skp;
	uint8_t body[4 + IKE_MAX_ID_LEN], *out;
	size_t mlen, nlen, blen;
	int plen;

	if (!r)
		return NULL;
	msg = of_initiator ? r->req : r->resp;
	mlen = of_initiator ? r->req_len : r->resp_len;
	nonce = of_initiator ? r->nr : r->ni;
	nlen = of_initiator ? r->nr_len : r->ni_len;
	skp = of_initiator ? sa->keys.sk_pi : sa->keys.sk_pr;
	blen = ike_id_body(id, body, sizeof(body));
	out = malloc(mlen + nlen + IKE_PRF_MAX_LEN);
	if (!blen || !out) {
		free(out);
		return NULL;
	}
	memcpy(out, msg, mlen);
	memcpy(out + mlen, nonce, nlen);
	plen = ike_prf(sa->suite.prf, skp, sa->keys.p_len, body, blen, out + mlen + nlen);
	if (plen <= 0) {
		free(out);
		return NULL;
	}
	*len = mlen + nlen + plen;
	return out;
}

/* prf(prf(Shared Secret, "Key Pad for IKEv2"), octets) */
static int psk_auth(const struct ike_sa *sa, const uint8_t *octets, size_t len,
		    uint8_t *out)
{
	uint8_t pad_key[IKE_PRF_MAX_LEN];
	int n;

	n = ike_prf(sa->suite.prf, sa->gw->psk, sa->gw->psk_len,
		    (const uint8_t *)KEY_PAD, strlen(KEY_PAD), pad_key);
	if (n <= 0)
		return -1;
	n = ike_prf(sa->suite.prf, pad_key, n, octets, len, out);
	OPENSSL_cleanse(pad_key, sizeof(pad_key));
	return n;
}

static void put_certs(struct ike_sa *sa, struct ike_writer *w)
{
	struct ike_cert_der der;
	unsigned int i;

	if (sa->gw->auth != IKED_AUTH_CERT || !sa->gw->local_cert)
		return;
	for (i = 0; i < ike_local_cert_count(sa->gw->local_cert); i++)
		if (!ike_local_cert_der(sa->gw->local_cert, i, &der))
			ike_w_cert(w, IKE_CERT_X509_SIG, der.data, der.len);
}

/* AUTH for our side (initiator or responder) of SA, identity ID. */
static int put_auth(struct ike_sa *sa, struct ike_writer *w, const struct ike_id *id)
{
	uint8_t auth[MAX_AUTH], *octets, method;
	size_t len, alen = sizeof(auth);
	int n;

	octets = auth_octets(sa, sa->initiator, id, &len);
	if (!octets)
		return -1;
	if (sa->gw->auth == IKED_AUTH_PSK) {
		n = psk_auth(sa, octets, len, auth);
		free(octets);
		if (n <= 0)
			return -1;
		ike_w_auth(w, IKE_AUTH_PSK, auth, n);
		OPENSSL_cleanse(auth, sizeof(auth));
		sa->auth_sent = IKE_AUTH_PSK;
		return 0;
	}
	n = ike_auth_sign_flags(ike_local_cert_key(sa->gw->local_cert), 0,
				sa->peer.hash_algs,
				sa->gw->rsa_pss ? IKE_SIGN_RSA_PSS : 0,
				octets, len, &method, auth, &alen);
	free(octets);
	if (n) {
		log_err("%s: signing AUTH: %s", sa->gw->name, ike_auth_error());
		return -1;
	}
	ike_w_auth(w, method, auth, alen);
	sa->auth_sent = method;
	return 0;
}

/*
 * The peer's AUTH over its identity: PSK, or a signature by the key of a
 * certificate that chains to our CA and names that identity.
 */
static int verify_auth(struct ike_sa *sa, const struct ike_msg *m,
		       const struct ike_id *id)
{
	struct ike_cert_der ee = { 0 }, chain[MAX_CERTS];
	const struct ike_payload *pl;
	const uint8_t *data;
	uint8_t method, *octets, expect[IKE_PRF_MAX_LEN], enc;
	unsigned int n_chain = 0;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	size_t len, dlen;
	int ok = -1, n;

	pl = ike_msg_find(m, IKE_PL_AUTH, NULL);
	if (!pl || ike_decode_auth(pl, &method, &data, &dlen)) {
		snprintf(sa->why, sizeof(sa->why), "no AUTH payload");
		return -1;
	}
	if (sa->gw->remote_id.type && !ike_id_equal(&sa->gw->remote_id, id)) {
		char a[128], b[128];

		snprintf(sa->why, sizeof(sa->why), "peer identity %s is not %s",
			 ike_id_format(id, a, sizeof(a)),
			 ike_id_format(&sa->gw->remote_id, b, sizeof(b)));
		return -1;
	}
	/*
	 * RFC 8247 2.4 / RFC 7427: once both sides announced signature hash
	 * algorithms, RSA with SHA-1 (method 1) has no excuse.
	 */
	if (method == IKE_AUTH_RSA_SIG && sa->peer.hash_algs) {
		snprintf(sa->why, sizeof(sa->why),
			 "RSA with SHA-1 (AUTH method 1) refused: both sides support RFC 7427");
		return -1;
	}
	octets = auth_octets(sa, !sa->initiator, id, &len);
	if (!octets)
		return -1;
	if (sa->gw->auth == IKED_AUTH_PSK) {
		n = method == IKE_AUTH_PSK ? psk_auth(sa, octets, len, expect) : -1;
		if (n > 0 && (size_t)n == dlen && !CRYPTO_memcmp(expect, data, n))
			ok = 0;
		else
			snprintf(sa->why, sizeof(sa->why), "%s",
				 method == IKE_AUTH_PSK ? "pre-shared key mismatch" :
				 "peer did not authenticate with the pre-shared key");
		goto out;
	}
	pl = NULL;
	while ((pl = ike_msg_find(m, IKE_PL_CERT, pl))) {
		if (ike_decode_cert(pl, &enc, &data, &dlen) || enc != IKE_CERT_X509_SIG)
			continue;
		if (!ee.data) {
			ee.data = data;
			ee.len = dlen;
		} else if (n_chain < MAX_CERTS) {
			chain[n_chain].data = data;
			chain[n_chain++].len = dlen;
		}
	}
	if (!ee.data) {
		snprintf(sa->why, sizeof(sa->why), "no certificate from the peer");
		goto out;
	}
	n = ike_cert_verify_peer(sa->gw->ca_store, &ee, chain, n_chain, &cert, &key);
	if (n) {
		snprintf(sa->why, sizeof(sa->why), "peer certificate: %s",
			 ike_cert_error());
		goto out;
	}
	if (!ike_id_matches_cert(id, cert)) {
		snprintf(sa->why, sizeof(sa->why), "peer identity is not in its certificate");
		goto out;
	}
	pl = ike_msg_find(m, IKE_PL_AUTH, NULL);
	ike_decode_auth(pl, &method, &data, &dlen);
	if (ike_auth_verify(key, method, data, dlen, octets, len)) {
		snprintf(sa->why, sizeof(sa->why), "signature: %s", ike_auth_error());
		goto out;
	}
	ok = 0;
out:
	if (!ok)
		sa->auth_received = method;
	EVP_PKEY_free(key);
	X509_free(cert);
	OPENSSL_cleanse(expect, sizeof(expect));
	free(octets);
	return ok;
}

static int peer_id(const struct ike_msg *m, uint8_t type, struct ike_id *id)
{
	const struct ike_payload *pl = ike_msg_find(m, type, NULL);

	return pl ? ike_decode_id(pl, id) : -1;
}

/* Whether another IKE SA with SA's gateway is up: INITIAL_CONTACT only without one. */
static bool first_with_gateway(const struct ike_sa *sa)
{
	const struct ike_sa *o;

	ike_sa_foreach(o)
		if (o != sa && o->gw == sa->gw && o->state == IKE_SA_ESTABLISHED)
			return false;
	return true;
}

/* RFC 7296 2.4: the peer has forgotten every other IKE SA between us. */
static void initial_contact(struct ike_sa *sa, const struct ike_msg *m)
{
	struct ike_notify n;
	struct ike_sa *o;

	if (ike_msg_find_notify(m, IKE_N_INITIAL_CONTACT, &n))
		return;
	ike_sa_foreach(o) {
		if (o == sa || o->gw != sa->gw || o->state == IKE_SA_DEAD ||
		    (o->state != IKE_SA_ESTABLISHED && o->state != IKE_SA_DELETING) ||
		    !ike_id_equal(&o->peer_id, &sa->peer_id))
			continue;
		log_info("%s: INITIAL_CONTACT: the peer forgot an older IKE SA; removing it",
			 sa->gw->name);
		ike_sa_kill(o, "replaced (INITIAL_CONTACT from the peer)");
	}
}

static void init_result_free(struct ike_sa *sa)
{
	if (!sa->init)
		return;
	free(sa->init->req);
	free(sa->init->resp);
	OPENSSL_cleanse(sa->init, sizeof(*sa->init));
	free(sa->init);
	sa->init = NULL;
}

static struct child_nonces first_child_nonces(const struct ike_sa *sa)
{
	return (struct child_nonces){
		.ni = sa->init->ni, .ni_len = sa->init->ni_len,
		.nr = sa->init->nr, .nr_len = sa->init->nr_len,
		.we_initiated = sa->initiator,
	};
}

/* ---- Initiator ---- */

static int auth_build_request(struct ike_xchg *x, struct ike_writer *w)
{
	struct auth_xchg *ax = to_auth(x);
	struct ike_sa *sa = x->sa;
	struct ike_ts_set tsi, tsr;
	struct ike_id id;

	ike_sa_local_id(sa, &id);
	ax->child_spi = ike_kernel_new_spi();
	if (ike_child_offer(ax->vpn, ax->child_spi, false, &ax->child_offer))
		return -1;
	ike_child_reserve(&ax->reserved, ax->vpn, ax->child_spi);
	ike_child_ts(ax->vpn, ax->sel, &tsi, &tsr);
	ike_w_id(w, IKE_PL_IDI, &id);
	put_certs(sa, w);
	ikev2_put_certreq(sa, w);
	if (first_with_gateway(sa))
		ike_w_notify(w, 0, NULL, 0, IKE_N_INITIAL_CONTACT, NULL, 0);
	if (sa->gw->remote_id.type)
		ike_w_id(w, IKE_PL_IDR, &sa->gw->remote_id);
	if (put_auth(sa, w, &id))
		return -1;
	ike_w_sa(w, &ax->child_offer);
	ike_w_ts(w, IKE_PL_TSI, &tsi);
	ike_w_ts(w, IKE_PL_TSR, &tsr);
	return w->err;
}

static enum ike_xchg_status auth_process_response(struct ike_xchg *x, struct ike_rx *rx)
{
	struct auth_xchg *ax = to_auth(x);
	struct ike_sa *sa = x->sa;
	const struct ike_msg *m = rx->m;
	struct child_nonces nonces;
	struct child_sa *c;
	uint16_t err;

	err = ike_msg_error(m);
	if (err == IKE_N_AUTHENTICATION_FAILED || peer_id(m, IKE_PL_IDR, &sa->peer_id)) {
		const char *why = err ? ike_error_name(err) : "malformed IKE_AUTH response";

		log_err("%s: the responder refused us: %s", sa->gw->name, why);
		snprintf(sa->why, sizeof(sa->why), "peer: %s", why);
		return IKE_XCHG_FATAL;
	}
	if (verify_auth(sa, m, &sa->peer_id)) {
		log_err("%s: authentication of the responder failed: %s",
			sa->gw->name, sa->why);
		return IKE_XCHG_FATAL;
	}
	ike_sa_established(sa);
	initial_contact(sa, m);
	if (err) {
		log_warn("%s: IKE SA up, but no child SA for VPN %s: %s", sa->gw->name,
			 ax->vpn->name, ike_error_name(err));
		snprintf(sa->why, sizeof(sa->why), "child SA refused: %s",
			 ike_error_name(err));
	} else {
		c = ike_child_from_reply(sa, ax->vpn, ax->sel, &ax->child_offer,
					 ax->child_spi, m);
		nonces = first_child_nonces(sa);
		if (c && ike_child_install_new(sa, c, &nonces))
			free(c);
	}
	init_result_free(sa);
	/* The VPN's further selectors, one CREATE_CHILD_SA each. */
	ikev2_children_wanted(sa);
	/* A reauthentication: the old SA's further children too. */
	ikev2_reauth_step(sa, NULL, false);
	return IKE_XCHG_DONE;
}

int ikev2_auth_queue(struct ike_sa *sa, struct iked_vpn *vpn, unsigned int sel)
{
	struct auth_xchg *ax = (struct auth_xchg *)ike_xchg_new(&ikev2_auth_ops, sa);

	if (!ax)
		return -1;
	ax->vpn = vpn;
	ax->sel = sel;
	return ike_xchg_queue(sa, &ax->x, true);
}

/* ---- Responder ---- */

/*
 * A peer that came to a "%any" gateway (its address unknown, behind a
 * NAT) is told apart by its identity: the "%any" gateway whose remote-id
 * it claims, if that gateway would have agreed to the IKE SA's suite. Its
 * AUTH is then checked with that gateway's secrets.
 */
static int pick_gateway(struct ike_sa *sa, const struct ike_id *id)
{
	struct iked_gateway *gw = NULL;
	unsigned int i, others;

	if (!iked_gateway_any(sa->gw))
		return 0;
	for (i = 0; i < iked->cfg->n_gw && !gw; i++)
		if (iked_gateway_any(&iked->cfg->gw[i]) &&
		    ike_id_equal(&iked->cfg->gw[i].remote_id, id))
			gw = &iked->cfg->gw[i];
	if (!gw)
		return 0;	/* refused by the identity check */
	if (!ike_offer_allows_suite(&gw->proposals, IKE_PROP_IKE, &sa->suite)) {
		snprintf(sa->why, sizeof(sa->why),
			 "gateway %s does not allow the IKE SA's algorithms", gw->name);
		return -1;
	}
	/* Its share is charged now (not at IKE_SA_INIT, where anyone could spend it). */
	others = ike_sa_count_gateway(gw) - (gw == sa->gw);
	if (others >= iked->cfg->limits.ike_sas_per_gateway) {
		snprintf(sa->why, sizeof(sa->why), "gateway %s has %u IKE SAs already",
			 gw->name, others);
		return -1;
	}
	if (gw != sa->gw)
		log_info("%s: the peer is gateway %s's", sa->gw->name, gw->name);
	sa->gw = gw;
	return 0;
}

static enum ike_xchg_status auth_process_request(struct ike_xchg *x, struct ike_rx *rx)
{
	struct auth_xchg *ax = to_auth(x);
	struct ike_sa *sa = x->sa;
	const struct ike_msg *m = rx->m;
	const struct ike_payload *sa_pl = ike_msg_find(m, IKE_PL_SA, NULL);
	struct ike_sa_offer *theirs;
	struct ike_ts_set tsi, tsr;
	struct child_nonces nonces;

	if (peer_id(m, IKE_PL_IDI, &sa->peer_id) || pick_gateway(sa, &sa->peer_id) ||
	    verify_auth(sa, m, &sa->peer_id)) {
		log_err("%s: authentication of the initiator failed: %s", sa->gw->name,
			sa->why[0] ? sa->why : "malformed IKE_AUTH");
		ax->auth_failed = true;
		return IKE_XCHG_FATAL;
	}
	ike_sa_established(sa);
	initial_contact(sa, m);
	/* The peer reauthenticates while we do, and ours goes on: this SA goes. */
	if (!ikev2_reauth_peer_started(sa)) {
		ax->child_err = sa_pl ? IKE_N_TEMPORARY_FAILURE : 0;
		ike_sa_delete(sa);
		return IKE_XCHG_DONE;
	}
	if (!sa_pl)
		return IKE_XCHG_DONE;	/* no child asked for (RFC 6023) */
	theirs = malloc(sizeof(*theirs));
	if (!theirs) {
		ax->child_err = IKE_N_TEMPORARY_FAILURE;
		return IKE_XCHG_DONE;
	}
	/*
	 * IKE_AUTH has no KE, so DH transforms in its child proposals mean
	 * nothing (RFC 7296 1.2): they are set aside, as strongSwan does.
	 */
	if (ike_decode_sa(sa_pl, theirs) || ike_offer_set_dh(theirs, 0) ||
	    !ike_child_decode_ts(m, &tsi, &tsr))
		ax->child_err = IKE_N_NO_PROPOSAL_CHOSEN;
	else
		ax->child_err = ike_child_accept(sa, theirs, &tsi, &tsr, false, NULL, &ax->child,
						 &ax->reply);
	free(theirs);
	if (ax->child_err)
		return IKE_XCHG_DONE;
	nonces = first_child_nonces(sa);
	if (ike_child_install_new(sa, ax->child, &nonces)) {
		free(ax->child);
		ax->child = NULL;
		ax->child_err = IKE_N_TEMPORARY_FAILURE;
	}
	return IKE_XCHG_DONE;
}

static int auth_build_response(struct ike_xchg *x, struct ike_writer *w)
{
	struct auth_xchg *ax = to_auth(x);
	struct ike_sa_offer one = { .n = 1 };
	struct ike_sa *sa = x->sa;
	struct ike_id id;

	if (ax->auth_failed) {
		ike_w_notify(w, 0, NULL, 0, IKE_N_AUTHENTICATION_FAILED, NULL, 0);
		return w->err;
	}
	ike_sa_local_id(sa, &id);
	ike_w_id(w, IKE_PL_IDR, &id);
	put_certs(sa, w);
	if (put_auth(sa, w, &id))
		return -1;
	if (ax->child_err) {
		log_warn("%s: no child SA: %s", sa->gw->name, ike_error_name(ax->child_err));
		ike_w_notify(w, 0, NULL, 0, ax->child_err, NULL, 0);
		return w->err;
	}
	if (!ax->child)
		return w->err;
	one.p[0] = ax->reply;
	ike_w_sa(w, &one);
	ike_w_ts(w, IKE_PL_TSI, &ax->child->remote);
	ike_w_ts(w, IKE_PL_TSR, &ax->child->local);
	return w->err;
}

static void auth_destroy(struct ike_xchg *x)
{
	ike_child_unreserve(&to_auth(x)->reserved);
}

static int auth_sent(struct ike_xchg *x, const uint8_t *msg, size_t len)
{
	(void)msg;
	(void)len;
	/* The responder's AUTH is out: IKE_SA_INIT's messages have done their work. */
	if (!x->sa->initiator)
		init_result_free(x->sa);
	return 0;
}

static bool auth_retarget(struct ike_xchg *x, const struct iked_config_map *map)
{
	to_auth(x)->vpn = iked_map_vpn(map, to_auth(x)->vpn);
	return to_auth(x)->vpn;
}

const struct ike_xchg_ops ikev2_auth_ops = {
	.name = "IKE_AUTH",
	.exchange = IKE_AUTH,
	.size = sizeof(struct auth_xchg),
	.build_request = auth_build_request,
	.process_response = auth_process_response,
	.process_request = auth_process_request,
	.build_response = auth_build_response,
	.sent = auth_sent,
	.destroy = auth_destroy,
	.retarget = auth_retarget,
};
