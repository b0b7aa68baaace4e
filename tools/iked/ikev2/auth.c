// SPDX-License-Identifier: GPL-2.0
/*
 * IKE_AUTH (RFC 7296 1.2, 2.15): identities, the AUTH payload by PSK or
 * signature with certificates, and the first child SA. An AUTH that does
 * not verify ends the IKE SA (AUTHENTICATION_FAILED); a child that cannot
 * be agreed (NO_PROPOSAL_CHOSEN, TS_UNACCEPTABLE) leaves the IKE SA up.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "pki/cert.h"
#include "child.h"
#include "crypto/crypto.h"
#include "engine/exchange.h"
#include "ikev2/ikev2.h"
#include "kernel.h"
#include "log.h"
#include "proposal.h"
#include "pki/sign.h"
#include "ts.h"

#define KEY_PAD		"Key Pad for IKEv2"
#define MAX_OCTETS	(IKE_MAX_MSG + IKE_NONCE_MAX + IKE_PRF_MAX_LEN)
#define MAX_AUTH	1024
#define MAX_CERTS	8

/*
 * RFC 7296 2.15: the signer's IKE_SA_INIT message, the other side's
 * nonce, and prf(SK_p of the signer, the signer's ID payload body).
 */
static uint8_t *auth_octets(const struct ike_sa *sa, bool of_initiator,
			    const struct ike_id *id, size_t *len)
{
	const uint8_t *msg = of_initiator ? sa->init_req : sa->init_resp;
	size_t mlen = of_initiator ? sa->init_req_len : sa->init_resp_len;
	const uint8_t *nonce = of_initiator ? sa->nr : sa->ni;
	size_t nlen = of_initiator ? sa->nr_len : sa->ni_len;
	const uint8_t *skp = of_initiator ? sa->keys.sk_pi : sa->keys.sk_pr;
	uint8_t body[4 + IKE_MAX_ID_LEN], *out;
	size_t blen;
	int plen;

	blen = ike_id_body(id, body, sizeof(body));
	out = malloc(mlen + nlen + IKE_PRF_MAX_LEN);
	if (!blen || !out || !msg) {
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

/* Our identity: as configured, else our address. */
static void local_id(const struct ike_sa *sa, struct ike_id *id)
{
	const void *addr;
	size_t alen;

	*id = sa->gw->local_id;
	if (id->type)
		return;
	addr = ike_sockaddr_addr(&sa->local, &alen);
	id->type = alen == 4 ? IKE_ID_IPV4_ADDR : IKE_ID_IPV6_ADDR;
	id->len = alen;
	memcpy(id->data, addr, alen);
}

void ike_auth_put_certreq(struct ike_sa *sa, struct ike_writer *w)
{
	uint8_t hashes[IKE_CERTREQ_HASH_LEN * 32];
	int n;

	if (!sa->gw->ca_store)
		return;
	n = ike_cert_store_certreq(sa->gw->ca_store, hashes, sizeof(hashes));
	if (n > 0)
		ike_w_certreq(w, IKE_CERT_X509_SIG, hashes, n);
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
		sa->auth_sent = IKE_AUTH_PSK;
		return 0;
	}
	n = ike_auth_sign_flags(ike_local_cert_key(sa->gw->local_cert), 0,
				sa->peer_hash_algs,
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

int ike_auth_request(struct ike_sa *sa)
{
	struct ike_ts_set tsi, tsr;
	uint8_t *buf = malloc(IKE_MAX_MSG);
	struct ike_writer w;
	struct ike_id id;
	int err;

	if (!buf)
		return -1;
	local_id(sa, &id);
	sa->child_spi = ike_kernel_new_spi();
	sa->tried_sel |= 1u << sa->child_sel;
	if (ike_child_offer(sa->vpn, sa->child_spi, false, &sa->child_offer)) {
		free(buf);
		return -1;
	}
	ike_child_ts(sa->vpn, sa->child_sel, &tsi, &tsr);
	ike_w_init(&w, buf, IKE_MAX_MSG);
	ike_w_id(&w, IKE_PL_IDI, &id);
	put_certs(sa, &w);
	if (sa->gw->auth == IKED_AUTH_CERT)
		ike_auth_put_certreq(sa, &w);
	ike_w_notify(&w, 0, NULL, 0, IKE_N_INITIAL_CONTACT, NULL, 0);
	if (sa->gw->remote_id.type)
		ike_w_id(&w, IKE_PL_IDR, &sa->gw->remote_id);
	if (put_auth(sa, &w, &id)) {
		free(buf);
		return -1;
	}
	ike_w_sa(&w, &sa->child_offer);
	ike_w_ts(&w, IKE_PL_TSI, &tsi);
	ike_w_ts(&w, IKE_PL_TSR, &tsr);
	err = ike_send_request(sa, IKE_AUTH, &w);
	free(buf);
	return err;
}

static int peer_id(const struct ike_msg *m, uint8_t type, struct ike_id *id)
{
	const struct ike_payload *pl = ike_msg_find(m, type, NULL);

	return pl ? ike_decode_id(pl, id) : -1;
}

void ike_sa_established(struct ike_sa *sa)
{
	char a[128];

	sa->state = IKE_SA_ESTABLISHED;
	sa->established = time(NULL);
	ike_sa_start_lifetime(sa);
	sa->why[0] = 0;
	if (sa->vpn)
		sa->vpn->last_error[0] = 0;
	log_info("%s: IKE SA established with %s (%s)", sa->gw->name,
		 ike_id_format(&sa->peer_id, a, sizeof(a)),
		 sa->initiator ? "initiator" : "responder");
}

/* Responder: the initiator's IKE_AUTH. */
void ike_auth_respond(struct ike_sa *sa, struct ike_rx *rx)
{
	const struct ike_msg *m = rx->m;
	const struct ike_payload *sa_pl = ike_msg_find(m, IKE_PL_SA, NULL);
	struct ike_sa_offer *theirs = malloc(sizeof(*theirs));
	uint8_t *buf = malloc(IKE_MAX_MSG);
	struct ike_ts_set tsi, tsr;
	struct child_sa *child = NULL;
	struct ike_proposal reply;
	struct ike_writer w;
	struct ike_id id;
	uint16_t child_err = 0;
	uint32_t msgid = m->hdr.msgid;

	if (!theirs || !buf)
		goto out;
	ike_w_init(&w, buf, IKE_MAX_MSG);
	if (peer_id(m, IKE_PL_IDI, &sa->peer_id) || verify_auth(sa, m, &sa->peer_id)) {
		log_err("%s: authentication of the initiator failed: %s", sa->gw->name,
			sa->why[0] ? sa->why : "malformed IKE_AUTH");
		ike_w_notify(&w, 0, NULL, 0, IKE_N_AUTHENTICATION_FAILED, NULL, 0);
		ike_send_response(sa, IKE_AUTH, msgid, &w);
		ike_sa_kill(sa, NULL);
		goto out;
	}
	if (!sa_pl || ike_decode_sa(sa_pl, theirs) || !ike_child_decode_ts(m, &tsi, &tsr))
		child_err = IKE_N_NO_PROPOSAL_CHOSEN;
	else
		child_err = ike_child_accept(sa, theirs, &tsi, &tsr, false, &child, &reply);

	local_id(sa, &id);
	ike_w_id(&w, IKE_PL_IDR, &id);
	put_certs(sa, &w);
	if (put_auth(sa, &w, &id)) {
		free(child);
		ike_sa_kill(sa, "cannot compute AUTH");
		goto out;
	}
	ike_sa_established(sa);
	if (!child_err && ike_child_install(sa, child, &(struct child_nonces){
			.ni = sa->ni, .ni_len = sa->ni_len,
			.nr = sa->nr, .nr_len = sa->nr_len })) {
		free(child);
		child = NULL;
		child_err = IKE_N_TEMPORARY_FAILURE;
	}
	if (child_err) {
		log_warn("%s: no child SA: %s", sa->gw->name,
			 ike_error_name(child_err));
		ike_w_notify(&w, 0, NULL, 0, child_err, NULL, 0);
	} else {
		struct ike_sa_offer one = { .n = 1 };

		one.p[0] = reply;
		memset(&tsi, 0, sizeof(tsi));
		memset(&tsr, 0, sizeof(tsr));
		tsi.ts[0] = child->remote;
		tsr.ts[0] = child->local;
		tsi.n = tsr.n = 1;
		ike_w_sa(&w, &one);
		ike_w_ts(&w, IKE_PL_TSI, &tsi);
		ike_w_ts(&w, IKE_PL_TSR, &tsr);
	}
	ike_send_response(sa, IKE_AUTH, msgid, &w);
out:
	free(theirs);
	free(buf);
}

/* Initiator: the responder's answer to our IKE_AUTH. */
void ike_auth_response(struct ike_sa *sa, struct ike_rx *rx)
{
	const struct ike_msg *m = rx->m;
	struct child_sa *c;
	uint16_t err;

	err = ike_msg_error(m);
	if (err == IKE_N_AUTHENTICATION_FAILED || peer_id(m, IKE_PL_IDR, &sa->peer_id)) {
		const char *why = err ? ike_error_name(err) : "malformed IKE_AUTH response";

		log_err("%s: the responder refused us: %s", sa->gw->name, why);
		snprintf(sa->why, sizeof(sa->why), "peer: %s", why);
		ike_sa_kill(sa, NULL);
		return;
	}
	if (verify_auth(sa, m, &sa->peer_id)) {
		log_err("%s: authentication of the responder failed: %s",
			sa->gw->name, sa->why);
		ike_sa_delete(sa, false);
		return;
	}
	ike_sa_established(sa);
	if (err) {
		log_warn("%s: IKE SA up, but no child SA for VPN %s: %s", sa->gw->name,
			 sa->vpn->name, ike_error_name(err));
		snprintf(sa->why, sizeof(sa->why), "child SA refused: %s",
			 ike_error_name(err));
	} else {
		c = ike_child_from_reply(sa, m);
		if (c && ike_child_install(sa, c, &(struct child_nonces){
				.ni = sa->ni, .ni_len = sa->ni_len,
				.nr = sa->nr, .nr_len = sa->nr_len }))
			free(c);
	}
	sa->child_spi = 0;
	/* The VPN's further selectors, one CREATE_CHILD_SA each. */
	ike_child_next(sa);
}
