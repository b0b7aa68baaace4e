// SPDX-License-Identifier: GPL-2.0
/*
 * IKE_SA_INIT (RFC 7296 1.2, 2.6): proposals, Diffie-Hellman and nonces,
 * both halves; NAT detection hashes, signature hashes and CERTREQ
 * announced. The exchange ends with the IKE SA's keys derived and, as
 * initiator, IKE_AUTH queued.
 *
 * Nothing in an IKE_SA_INIT response is authenticated, so the initiator
 * acts on it only where acting costs nothing: a COOKIE or an
 * INVALID_KE_PAYLOAD naming a group we offered make us ask again (same
 * SPI and nonce, RFC 4718 2.4); an error notify is remembered but ends
 * the exchange only if nothing better arrives before the next
 * retransmission would go out (RFC 7296 2.21.1); anything malformed is
 * ignored while we keep retransmitting.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "crypto/crypto.h"
#include "engine/halfopen.h"
#include "ike_sa.h"
#include "ikev2/exchanges.h"
#include "ikev2/ikev2.h"
#include "ikev2/payloads.h"
#include "keylog.h"
#include "log.h"
#include "pki/cert.h"
#include "proposal.h"
#include "random.h"

#define MAX_ROUNDS	4	/* COOKIE and INVALID_KE answers followed */
#define MAX_COOKIE	64	/* RFC 7296 3.10.1: 1 to 64 octets */

struct init_xchg {
	struct ike_xchg x;
	/* Initiator. */
	struct iked_vpn *vpn;		/* IKE_AUTH's child is for it, */
	unsigned int sel;		/* and this selector of it */
	struct ike_sa_offer offer;
	uint8_t cookie[MAX_COOKIE];
	size_t cookie_len;
	unsigned int rounds;
	bool warned;			/* a bad INVALID_KE_PAYLOAD was logged */
	uint8_t *req;			/* the request as last sent */
	size_t req_len;
	/* Both. */
	uint16_t group;
	struct ike_dh *dh;
	uint8_t ni[IKE_NONCE_MAX], nr[IKE_NONCE_MAX];
	size_t ni_len, nr_len;
	/* Responder. */
	struct ike_proposal reply;
	uint8_t secret[IKE_DH_MAX_SHARED_LEN];
	size_t secret_len;
};

#define to_init(x) ((struct init_xchg *)(x))

/* SHA-1(SPIi | SPIr | address | port), RFC 7296 2.23. */
static void natd_hash_spis(const uint8_t spi_i[8], const uint8_t spi_r[8],
			   const struct sockaddr_storage *ss, uint8_t out[20])
{
	uint8_t buf[8 + 8 + 16 + 2];
	const void *addr;
	uint16_t port;
	size_t alen;

	addr = ike_sockaddr_addr(ss, &alen);
	port = htons(ike_sockaddr_port(ss));
	memcpy(buf, spi_i, 8);
	memcpy(buf + 8, spi_r, 8);
	memcpy(buf + 16, addr, alen);
	memcpy(buf + 16 + alen, &port, 2);
	EVP_Digest(buf, 16 + alen + 2, out, NULL, EVP_sha1(), NULL);
}

static void natd_hash(const struct ike_sa *sa, const struct sockaddr_storage *ss,
		      uint8_t out[20])
{
	natd_hash_spis(sa->spi_i, sa->spi_r, ss, out);
}

/*
 * RFC 7296 2.23: the peer's NAT_DETECTION_SOURCE_IP hashes the address it
 * sent from (several for a multihomed peer: any match means no NAT), its
 * NAT_DETECTION_DESTINATION_IP the address it sent to. Hashed with the
 * SPIs of the message's own header (SPIr 0 in the request). Without both,
 * nothing is concluded.
 */
static void detect_nat(struct ike_sa *sa, const struct ike_rx *rx)
{
	const struct ike_payload *pl = NULL;
	bool src = false, src_ok = false, dst = false, dst_ok = false;
	const struct ike_header *h = &rx->outer.hdr;
	uint8_t from[20], to[20];
	struct ike_notify n;

	natd_hash_spis(h->spi_i, h->spi_r, &rx->from, from);
	natd_hash_spis(h->spi_i, h->spi_r, &rx->local, to);
	while ((pl = ike_msg_find(rx->m, IKE_PL_NOTIFY, pl))) {
		if (ike_decode_notify(pl, &n) || n.len != sizeof(from))
			continue;
		if (n.type == IKE_N_NAT_DETECTION_SOURCE_IP) {
			src = true;
			src_ok |= !memcmp(n.data, from, sizeof(from));
		} else if (n.type == IKE_N_NAT_DETECTION_DESTINATION_IP) {
			dst = true;
			dst_ok |= !memcmp(n.data, to, sizeof(to));
		}
	}
	if (!src || !dst)
		return;
	sa->peer.nat_peer = !src_ok;
	sa->peer.nat_local = !dst_ok;
	if (!sa->peer.nat_peer && !sa->peer.nat_local)
		return;
	log_info("%s: NAT detected: %s%s%s", sa->gw->name,
		 sa->peer.nat_peer ? "the peer is behind one" : "",
		 sa->peer.nat_peer && sa->peer.nat_local ? ", " : "",
		 sa->peer.nat_local ? "we are behind one" : "");
	if (sa->gw->natt == IKED_NATT_OFF)
		log_err("%s: a NAT is between us and nat-traversal is off: IKE stays on port "
			"%u and ESP is not put in UDP, so the tunnel will most likely carry "
			"no traffic", sa->gw->name, ike_sockaddr_port(&sa->local));
}

/* The notifies both directions carry. */
static void put_common_notifies(struct ike_sa *sa, struct ike_writer *w)
{
	static const uint8_t hashes[] = {
		0, IKE_HASH_SHA2_256, 0, IKE_HASH_SHA2_384, 0, IKE_HASH_SHA2_512,
	};
	uint8_t hash[20];

	/*
	 * "force": a source hash that matches no address makes both ends see
	 * a NAT and encapsulate (as strongSwan's encap = yes does). With
	 * nat-traversal off the hashes still go, so that a NAT is found and
	 * reported at both ends.
	 */
	if (sa->gw->natt == IKED_NATT_FORCE)
		ike_random(hash, sizeof(hash));
	else
		natd_hash(sa, &sa->local, hash);
	ike_w_notify(w, 0, NULL, 0, IKE_N_NAT_DETECTION_SOURCE_IP, hash, sizeof(hash));
	natd_hash(sa, &sa->remote, hash);
	ike_w_notify(w, 0, NULL, 0, IKE_N_NAT_DETECTION_DESTINATION_IP, hash, sizeof(hash));
	/* RFC 7383 2.3: a responder announces it only to an initiator that did. */
	if (sa->gw->fragmentation && (sa->initiator || sa->peer.fragmentation))
		ike_w_notify(w, 0, NULL, 0, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
	ike_w_notify(w, 0, NULL, 0, IKE_N_SIGNATURE_HASH_ALGORITHMS, hashes,
		     sizeof(hashes));
}

/* What the peer said it supports. */
static void note_peer_support(struct ike_sa *sa, const struct ike_msg *m)
{
	const struct ike_payload *pl = NULL;
	struct ike_notify n;
	size_t i;

	while ((pl = ike_msg_find(m, IKE_PL_NOTIFY, pl))) {
		if (ike_decode_notify(pl, &n))
			continue;
		if (n.type == IKE_N_IKEV2_FRAGMENTATION_SUPPORTED)
			sa->peer.fragmentation = true;
		if (n.type == IKE_N_SIGNATURE_HASH_ALGORITHMS)
			for (i = 0; i + 1 < n.len; i += 2)
				if (n.data[i] == 0 && n.data[i + 1] < 32)
					sa->peer.hash_algs |= 1u << n.data[i + 1];
	}
	pl = ike_msg_find(m, IKE_PL_CERTREQ, NULL);
	if (pl && pl->len > 1) {
		free(sa->peer.certreq);
		sa->peer.certreq = malloc(pl->len - 1);
		if (sa->peer.certreq) {
			memcpy(sa->peer.certreq, pl->body + 1, pl->len - 1);
			sa->peer.certreq_len = pl->len - 1;
		}
	}
}

/* Keys from the DH secret; both IKE_SA_INIT messages kept for IKE_AUTH. */
static int finish(struct ike_sa *sa, struct init_xchg *ix, const uint8_t *secret,
		  size_t slen, const uint8_t *req, size_t req_len, const uint8_t *resp,
		  size_t resp_len)
{
	struct ike_init_result *r = calloc(1, sizeof(*r));

	if (!r)
		return -1;
	r->req = malloc(req_len);
	r->resp = malloc(resp_len);
	if (!r->req || !r->resp ||
	    ike_derive_ike_keys(&sa->suite, ix->ni, ix->ni_len, ix->nr, ix->nr_len,
				secret, slen, sa->spi_i, sa->spi_r, &sa->keys)) {
		free(r->req);
		free(r->resp);
		free(r);
		snprintf(sa->why, sizeof(sa->why), "key derivation failed");
		return -1;
	}
	memcpy(r->req, req, req_len);
	r->req_len = req_len;
	memcpy(r->resp, resp, resp_len);
	r->resp_len = resp_len;
	memcpy(r->ni, ix->ni, ix->ni_len);
	r->ni_len = ix->ni_len;
	memcpy(r->nr, ix->nr, ix->nr_len);
	r->nr_len = ix->nr_len;
	sa->init = r;
	sa->keys_ready = true;
	ike_keylog_ike_sa(sa);
	return 0;
}

/* ---- Initiator ---- */

static int init_build_request(struct ike_xchg *x, struct ike_writer *w)
{
	struct init_xchg *ix = to_init(x);
	struct ike_sa *sa = x->sa;

	/* RFC 7296 2.6: the COOKIE comes first. */
	if (ix->cookie_len)
		ike_w_notify(w, 0, NULL, 0, IKE_N_COOKIE, ix->cookie, ix->cookie_len);
	ike_w_sa(w, &ix->offer);
	if (ikev2_put_ke(w, ix->dh, ix->group))
		return -1;
	ike_w_nonce(w, ix->ni, ix->ni_len);
	put_common_notifies(sa, w);
	return w->err;
}

static int init_sent(struct ike_xchg *x, const uint8_t *msg, size_t len)
{
	struct init_xchg *ix = to_init(x);
	uint8_t *copy = malloc(len);

	if (!copy)
		return -1;
	memcpy(copy, msg, len);
	free(ix->req);
	ix->req = copy;
	ix->req_len = len;
	return 0;
}

/* The responder asks for a COOKIE (RFC 7296 2.6): the same request with it. */
static enum ike_xchg_status follow_cookie(struct init_xchg *ix, const struct ike_notify *n)
{
	struct ike_sa *sa = ix->x.sa;

	if (!n->len || n->len > MAX_COOKIE || ix->rounds >= MAX_ROUNDS)
		return IKE_XCHG_IGNORE;
	/* The same COOKIE again answers a retransmission of ours: nothing new. */
	if (n->len == ix->cookie_len && !memcmp(n->data, ix->cookie, n->len))
		return IKE_XCHG_IGNORE;
	ix->rounds++;
	memcpy(ix->cookie, n->data, n->len);
	ix->cookie_len = n->len;
	log_info("%s: the responder asks for a COOKIE; asking again with it", sa->gw->name);
	return IKE_XCHG_RESEND;
}

/* The responder wants another group: start over with it, if we offered it. */
static enum ike_xchg_status follow_invalid_ke(struct init_xchg *ix, const struct ike_notify *n)
{
	struct ike_sa *sa = ix->x.sa;
	struct ike_dh *dh;
	uint16_t group;

	if (n->len != 2 || ix->rounds >= MAX_ROUNDS)
		return IKE_XCHG_IGNORE;
	group = n->data[0] << 8 | n->data[1];
	if (group == ix->group || !ike_offer_has_dh(&ix->offer, group)) {
		/* Unauthenticated, so said once per exchange, not once per datagram. */
		if (!ix->warned)
			log_warn("%s: the peer asks for DH group %u, which we did not offer",
				 sa->gw->name, group);
		ix->warned = true;
		return IKE_XCHG_IGNORE;
	}
	dh = ike_dh_new(group);
	if (!dh)
		return IKE_XCHG_IGNORE;
	ix->rounds++;
	log_info("%s: the peer prefers DH group %u, retrying with it", sa->gw->name, group);
	ike_offer_promote_dh(&ix->offer, group);
	ike_dh_free(ix->dh);
	ix->dh = dh;
	ix->group = group;
	return IKE_XCHG_RESEND;
}

static enum ike_xchg_status init_process_response(struct ike_xchg *x, struct ike_rx *rx)
{
	struct init_xchg *ix = to_init(x);
	struct ike_sa *sa = x->sa;
	const struct ike_msg *m = rx->m;
	const struct ike_payload *sa_pl, *ke_pl, *nonce_pl;
	uint8_t secret[IKE_DH_MAX_SHARED_LEN];
	struct ike_sa_offer *reply;
	const uint8_t *ke, *nonce;
	size_t ke_len, nonce_len, slen = sizeof(secret);
	struct ike_suite suite;
	struct ike_notify n;
	uint16_t group, err;
	char text[128];
	static const uint8_t zero[8];
	int bad;

	if (!ike_msg_find_notify(m, IKE_N_COOKIE, &n))
		return follow_cookie(ix, &n);
	if (!ike_msg_find_notify(m, IKE_N_INVALID_KE_PAYLOAD, &n))
		return follow_invalid_ke(ix, &n);
	err = ike_msg_error(m);
	if (err) {
		if (!sa->xchg.give_up)
			log_warn("%s: IKE_SA_INIT refused: %s (unauthenticated: waiting one "
				 "more retransmission time for a real answer)", sa->gw->name,
				 ike_error_name(err));
		snprintf(sa->why, sizeof(sa->why), "peer refused: %s", ike_error_name(err));
		sa->xchg.give_up = true;
		return IKE_XCHG_IGNORE;
	}
	if (!memcmp(rx->outer.hdr.spi_r, zero, 8))
		return IKE_XCHG_IGNORE;		/* SPIr 0 is reserved */
	sa_pl = ike_msg_find(m, IKE_PL_SA, NULL);
	ke_pl = ike_msg_find(m, IKE_PL_KE, NULL);
	nonce_pl = ike_msg_find(m, IKE_PL_NONCE, NULL);
	reply = malloc(sizeof(*reply));
	bad = !reply || !sa_pl || !ke_pl || !nonce_pl || ike_decode_sa(sa_pl, reply) ||
	      ike_decode_ke(ke_pl, &group, &ke, &ke_len) ||
	      ike_decode_nonce(nonce_pl, &nonce, &nonce_len) ||
	      ike_proposal_check_reply(&ix->offer, reply, IKE_PROP_IKE, &suite) ||
	      group != suite.dh || group != ix->group;
	free(reply);
	if (bad)
		return IKE_XCHG_IGNORE;
	if (ike_dh_shared(ix->dh, ke, ke_len, secret, &slen))
		return IKE_XCHG_IGNORE;		/* not a KE value: not the real responder */
	memcpy(sa->spi_r, rx->outer.hdr.spi_r, 8);
	memcpy(ix->nr, nonce, nonce_len);
	ix->nr_len = nonce_len;
	sa->suite = suite;
	note_peer_support(sa, m);
	detect_nat(sa, rx);
	bad = finish(sa, ix, secret, slen, ix->req, ix->req_len, rx->buf, rx->len);
	OPENSSL_cleanse(secret, sizeof(secret));
	if (bad)
		return IKE_XCHG_FATAL;
	ike_suite_format(IKE_PROP_IKE, &sa->suite, text, sizeof(text));
	log_info("%s: IKE_SA_INIT done, %s", sa->gw->name, text);
	ike_sa_float_to_natt(sa);
	sa->state = IKE_SA_AUTH_SENT;
	if (ikev2_auth_queue(sa, ix->vpn, ix->sel)) {
		snprintf(sa->why, sizeof(sa->why), "cannot send IKE_AUTH");
		return IKE_XCHG_FATAL;
	}
	return IKE_XCHG_DONE;
}

struct ike_sa *ikev2_initiate_sa(struct iked_gateway *gw, struct iked_vpn *owner,
				 struct iked_vpn *vpn, unsigned int sel,
				 const struct ike_sa *prev)
{
	struct init_xchg *ix;
	struct ike_sa *sa;
	char addr[64];

	sa = ike_sa_new(gw, true);
	if (!sa)
		return NULL;
	sa->vpn = owner;
	if (prev) {
		sa->remote = prev->remote;
		sa->local = prev->local;
		/*
		 * Back to port 500 (RFC 7296 2.23) unless the peer is behind a
		 * NAT, whose mapping we know only for the port it is on.
		 */
		if (!prev->peer.nat_peer && !iked_gateway_any(gw)) {
			ike_sockaddr_set_port(&sa->remote, ike_sockaddr_port(&gw->peer));
			ike_sockaddr_set_port(&sa->local, iked->net.port);
		}
	} else if (iked_gateway_any(gw)) {
		ike_sa_kill(sa, "address %any: the peer must initiate");
		return NULL;
	} else {
		sa->remote = gw->peer;		/* with the gateway's port */
		ike_sa_pick_local(sa);
	}
	sa->state = IKE_SA_INIT_SENT;
	ix = (struct init_xchg *)ike_xchg_new(&ikev2_init_ops, sa);
	if (!ix)
		goto fail;
	ix->vpn = vpn;
	ix->sel = sel;
	ix->offer = gw->proposals;
	ix->group = ike_offer_first_dh(&ix->offer);
	ix->dh = ike_dh_new(ix->group);
	ix->ni_len = IKE_NONCE_LEN;
	if (!ix->dh || ike_random(ix->ni, ix->ni_len)) {
		log_err("%s: DH group %u is not available", gw->name, ix->group);
		ike_xchg_free(&ix->x);
		goto fail;
	}
	log_info("%s: initiating IKE SA with %s for VPN %s", gw->name,
		 ike_sockaddr_str(&sa->remote, addr, sizeof(addr)), vpn->name);
	if (ike_xchg_queue(sa, &ix->x, false))
		goto fail;
	return sa;
fail:
	ike_sa_kill(sa, "cannot send IKE_SA_INIT");
	return NULL;
}

int ikev2_initiate(struct iked_vpn *vpn, unsigned int sel)
{
	return ikev2_initiate_sa(vpn->gw, vpn, vpn, sel, NULL) ? 0 : -1;
}

/* ---- Responder ---- */

static enum ike_xchg_status refuse(struct ike_xchg *x, uint16_t type, const void *data,
				   size_t len)
{
	x->refusal = type;
	x->refusal_len = len;
	if (len)
		memcpy(x->refusal_data, data, len);
	return IKE_XCHG_REFUSE;
}

static enum ike_xchg_status init_process_request(struct ike_xchg *x, struct ike_rx *rx)
{
	struct init_xchg *ix = to_init(x);
	struct ike_sa *sa = x->sa;
	struct iked_gateway *gw = sa->gw;
	const struct ike_msg *m = &rx->outer;

	struct ike_sa_offer *theirs;
	const uint8_t *ke, *nonce;
	size_t ke_len, nonce_len;
	struct ike_suite suite;
	uint16_t group;
	int err;

	theirs = malloc(sizeof(*theirs));
	if (!theirs)
		return IKE_XCHG_FATAL;
	if (ike_decode_sa(ike_msg_find(m, IKE_PL_SA, NULL), theirs) ||
	    ike_decode_ke(ike_msg_find(m, IKE_PL_KE, NULL), &group, &ke, &ke_len) ||
	    ike_decode_nonce(ike_msg_find(m, IKE_PL_NONCE, NULL), &nonce, &nonce_len)) {
		free(theirs);
		snprintf(sa->why, sizeof(sa->why), "malformed SA, KE or nonce");
		return refuse(x, IKE_N_INVALID_SYNTAX, NULL, 0);
	}
	/* Prefer the group the initiator already sent a KE for. */
	ike_offer_promote_dh(theirs, group);
	err = ike_proposal_select(&gw->proposals, theirs, IKE_PROP_IKE, &suite, &ix->reply);
	free(theirs);
	if (err) {
		snprintf(sa->why, sizeof(sa->why), "no acceptable IKE proposal");
		return refuse(x, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
	}
	if (group != suite.dh) {
		uint8_t want[2] = { suite.dh >> 8, suite.dh & 0xff };

		snprintf(sa->why, sizeof(sa->why), "a KE for group %u, asking for %u",
			 group, suite.dh);
		return refuse(x, IKE_N_INVALID_KE_PAYLOAD, want, 2);
	}
	/* A KE of the wrong size is refused before we spend a key pair on it. */
	if (ke_len != ike_dh_public_len(group)) {
		snprintf(sa->why, sizeof(sa->why), "a %zu-byte KE for group %u", ke_len, group);
		return refuse(x, IKE_N_INVALID_SYNTAX, NULL, 0);
	}
	sa->suite = suite;
	ix->group = suite.dh;
	ix->dh = ike_dh_new(suite.dh);
	memcpy(ix->ni, nonce, nonce_len);
	ix->ni_len = nonce_len;
	ix->nr_len = IKE_NONCE_LEN;
	ix->secret_len = sizeof(ix->secret);
	if (!ix->dh || ike_random(ix->nr, ix->nr_len))
		return IKE_XCHG_FATAL;
	if (ike_dh_shared(ix->dh, ke, ke_len, ix->secret, &ix->secret_len)) {
		snprintf(sa->why, sizeof(sa->why), "an invalid KE value");
		return refuse(x, IKE_N_INVALID_SYNTAX, NULL, 0);
	}
	ix->req = malloc(rx->len);
	if (!ix->req)
		return IKE_XCHG_FATAL;
	memcpy(ix->req, rx->buf, rx->len);
	ix->req_len = rx->len;
	note_peer_support(sa, m);
	detect_nat(sa, rx);
	return IKE_XCHG_DONE;
}

static int init_build_response(struct ike_xchg *x, struct ike_writer *w)
{
	struct init_xchg *ix = to_init(x);
	struct ike_sa_offer one = { .n = 1 };
	struct ike_sa *sa = x->sa;

	one.p[0] = ix->reply;
	ike_w_sa(w, &one);
	if (ikev2_put_ke(w, ix->dh, ix->group))
		return -1;
	ike_w_nonce(w, ix->nr, ix->nr_len);
	put_common_notifies(sa, w);
	ikev2_put_certreq(sa, w);
	return w->err;
}

/* Our answer is out, in the clear: now the keys. */
static int init_responded(struct ike_xchg *x, const uint8_t *msg, size_t len)
{
	struct init_xchg *ix = to_init(x);
	struct ike_sa *sa = x->sa;
	char addr[64], text[128];

	if (finish(sa, ix, ix->secret, ix->secret_len, ix->req, ix->req_len, msg, len))
		return -1;
	sa->state = IKE_SA_INIT_DONE;
	ike_suite_format(IKE_PROP_IKE, &sa->suite, text, sizeof(text));
	log_info("%s: answered IKE_SA_INIT from %s, %s", sa->gw->name,
		 ike_sockaddr_str(&sa->remote, addr, sizeof(addr)), text);
	return 0;
}

static int init_sent_either(struct ike_xchg *x, const uint8_t *msg, size_t len)
{
	return x->sa->initiator ? init_sent(x, msg, len) : init_responded(x, msg, len);
}

static void init_destroy(struct ike_xchg *x)
{
	struct init_xchg *ix = to_init(x);

	ike_dh_free(ix->dh);
	free(ix->req);
}

static bool init_retarget(struct ike_xchg *x, const struct iked_config_map *map)
{
	to_init(x)->vpn = iked_map_vpn(map, to_init(x)->vpn);
	return to_init(x)->vpn;
}

const struct ike_xchg_ops ikev2_init_ops = {
	.retarget = init_retarget,
	.name = "IKE_SA_INIT",
	.exchange = IKE_SA_INIT,
	.size = sizeof(struct init_xchg),
	.build_request = init_build_request,
	.process_response = init_process_response,
	.process_request = init_process_request,
	.build_response = init_build_response,
	.sent = init_sent_either,
	.destroy = init_destroy,
};
