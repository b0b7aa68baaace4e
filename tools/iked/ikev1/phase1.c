// SPDX-License-Identifier: GPL-2.0
/*
 * What main and aggressive mode share (RFC 2409 5): the transform taken,
 * KE and nonces, SKEYID and the keys from it, HASH_I and HASH_R over
 * the identities, vendor IDs (we do RFC 3706 DPD), and the end of
 * phase 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "engine/daemon.h"
#include "ikev1/crypt.h"
#include "ikev1/hash.h"
#include "ikev1/ikev1.h"
#include "ikev1/offer.h"
#include "ikev1/state.h"
#include "ikev2/ikev2.h"
#include "log.h"
#include "net.h"
#include "pki/cert.h"
#include "pki/sign.h"
#include "random.h"

/* RFC 3706 3: the vendor ID of DPD, version 1.0. */
static const uint8_t vid_dpd[16] = {
	0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9,
	0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00,
};

/* RFC 3947 2: MD5("RFC 3947"). */
static const uint8_t vid_natt[16] = {
	0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45,
	0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f,
};

static bool natt_wanted(const struct iked_gateway *gw)
{
	return gw->natt != IKED_NATT_OFF && iked->net.natt_port;
}

bool ikev1_p1_natt(const struct ike_sa *sa)
{
	return sa->v1->peer_natt && natt_wanted(sa->gw);
}

/* RFC 3947 3.2: HASH(CKY-I | CKY-R | IP | Port), with the negotiated hash. */
static int natd_hash(const struct ike_sa *sa, const struct sockaddr_storage *ss, uint8_t *out)
{
	uint16_t port = htons(ike_sockaddr_port(ss));
	const void *addr;
	size_t alen;

	addr = ike_sockaddr_addr(ss, &alen);
	{
		const struct ike_piece in[] = {
			{ sa->spi_i, 8 }, { sa->spi_r, 8 }, { addr, alen },
			{ (const uint8_t *)&port, 2 },
		};

		return ike_prf_hash(isakmp_hash_prf(sa->v1->hash), in, 4, out);
	}
}

int ikev1_p1_put_natd(struct ike_sa *sa, struct ike_writer *w)
{
	uint8_t hash[ISAKMP_HASH_MAX];
	int n;

	if (!ikev1_p1_natt(sa))
		return 0;
	n = natd_hash(sa, &sa->remote, hash);
	if (n <= 0)
		return -1;
	ike_w_payload(w, ISAKMP_PL_NAT_D, false, hash, (size_t)n);
	/* "force": a hash of no address of ours, so that both ends see a NAT. */
	if (sa->gw->natt == IKED_NATT_FORCE)
		ike_random(hash, (size_t)n);
	else if (natd_hash(sa, &sa->local, hash) != n)
		return -1;
	ike_w_payload(w, ISAKMP_PL_NAT_D, false, hash, (size_t)n);
	return w->err;
}

void ikev1_p1_detect_nat(struct ike_sa *sa, const struct ike_rx *rx, const struct isakmp_msg *m)
{
	const struct ike_payload *pl = NULL;
	uint8_t to[ISAKMP_HASH_MAX], from[ISAKMP_HASH_MAX];
	bool first = true, dst_ok = false, src_ok = false, src = false;
	int n;

	if (!ikev1_p1_natt(sa))
		return;
	n = natd_hash(sa, &rx->local, to);
	if (n <= 0 || natd_hash(sa, &rx->from, from) != n)
		return;
	/* The first is our address as the peer sent to it; the others its own. */
	while ((pl = isakmp_msg_find(m, ISAKMP_PL_NAT_D, pl))) {
		if (first)
			dst_ok = pl->len == n && !memcmp(pl->body, to, (size_t)n);
		else
			src_ok |= pl->len == n && !memcmp(pl->body, from, (size_t)n);
		src |= !first;
		first = false;
	}
	if (!src)
		return;
	sa->peer.nat_peer = !src_ok;
	sa->peer.nat_local = !dst_ok;
	if (sa->peer.nat_peer || sa->peer.nat_local)
		log_info("%s: NAT detected: %s%s%s", sa->gw->name,
			 sa->peer.nat_peer ? "the peer is behind one" : "",
			 sa->peer.nat_peer && sa->peer.nat_local ? ", " : "",
			 sa->peer.nat_local ? "we are behind one" : "");
}

enum ikev1_status ikev1_p1_fail(struct ike_sa *sa, const char *why)
{
	snprintf(sa->why, sizeof(sa->why), "%s", why);
	log_info("%s: phase 1 (%s mode) failed: %s", sa->gw->name,
		 sa->v1->mode == ISAKMP_XCHG_AGGRESSIVE ? "aggressive" : "main", why);
	return IKEV1_FATAL;
}

void ikev1_p1_read_vids(struct ike_sa *sa, const struct isakmp_msg *m)
{
	const struct ike_payload *pl = NULL;

	while ((pl = isakmp_msg_find(m, ISAKMP_PL_VENDOR, pl))) {
		if (pl->len == sizeof(vid_dpd) && !memcmp(pl->body, vid_dpd, sizeof(vid_dpd)))
			sa->v1->peer_dpd = true;
		if (pl->len == sizeof(vid_natt) && !memcmp(pl->body, vid_natt, sizeof(vid_natt)))
			sa->v1->peer_natt = true;
	}
}

int ikev1_p1_put_vids(const struct ike_sa *sa, struct ike_writer *w)
{
	ike_w_payload(w, ISAKMP_PL_VENDOR, false, vid_dpd, sizeof(vid_dpd));
	/* A responder answers only an initiator that said it (RFC 3947 3.1). */
	if (natt_wanted(sa->gw) && (sa->initiator || sa->v1->peer_natt))
		ike_w_payload(w, ISAKMP_PL_VENDOR, false, vid_natt, sizeof(vid_natt));
	return w->err;
}

int ikev1_keep(uint8_t **dst, size_t *dst_len, const uint8_t *src, size_t len)
{
	uint8_t *p = malloc(len ? len : 1);

	if (!p)
		return -1;
	memcpy(p, src, len);
	free(*dst);
	*dst = p;
	*dst_len = len;
	return 0;
}

/* The phase 1 transform chosen: what the ISAKMP SA runs from now on. */
int ikev1_p1_take_transform(struct ike_sa *sa, const struct isakmp_transform *t,
			  const struct ike_suite *suite)
{
	struct ikev1_sa *v1 = sa->v1;

	v1->encr = t->encr;
	v1->key_bits = t->key_len;
	v1->hash = t->hash;
	v1->auth = t->auth;
	v1->group = t->group;
	v1->life = t->life_seconds;
	v1->block = isakmp_encr_block_len(t->encr);
	sa->suite = *suite;
	if (!v1->block || !isakmp_encr_key_len(t->encr, t->key_len) ||
	    !ike_dh_supported(t->group))
		return -1;
	return 0;
}

/* Our KE and nonce (the third or fourth message), after the SA payloads. */
int ikev1_p1_put_ke_nonce(struct ikev1_xchg *x, struct ike_writer *w)
{
	size_t len = ike_dh_public_len(x->sa->v1->group);
	uint8_t *ours = x->initiator ? x->ni : x->nr;
	size_t *ours_len = x->initiator ? &x->ni_len : &x->nr_len;
	uint8_t **pub = x->initiator ? &x->gxi : &x->gxr;
	size_t *pub_len = x->initiator ? &x->gxi_len : &x->gxr_len;

	x->dh = ike_dh_new(x->sa->v1->group);
	free(*pub);
	*pub = malloc(len);
	*pub_len = len;
	*ours_len = IKE_NONCE_LEN;
	if (!x->dh || !*pub || ike_dh_public(x->dh, *pub, len) < 0 ||
	    ike_random(ours, *ours_len))
		return -1;
	ike_w_payload(w, ISAKMP_PL_KE, false, *pub, len);
	ike_w_payload(w, ISAKMP_PL_NONCE, false, ours, *ours_len);
	return w->err;
}

/* The peer's KE and nonce; false if either is missing or not usable. */
bool ikev1_p1_take_ke_nonce(struct ikev1_xchg *x, const struct isakmp_msg *m)
{
	const struct ike_payload *ke = isakmp_msg_find(m, ISAKMP_PL_KE, NULL);
	const struct ike_payload *no = isakmp_msg_find(m, ISAKMP_PL_NONCE, NULL);
	uint8_t *theirs = x->initiator ? x->nr : x->ni;
	size_t *theirs_len = x->initiator ? &x->nr_len : &x->ni_len;
	uint8_t **pub = x->initiator ? &x->gxr : &x->gxi;
	size_t *pub_len = x->initiator ? &x->gxr_len : &x->gxi_len;
	const uint8_t *k, *n;
	size_t klen, nlen;

	if (!ke || !no || isakmp_decode_ke(ke, &k, &klen) || isakmp_decode_nonce(no, &n, &nlen) ||
	    klen != ike_dh_public_len(x->sa->v1->group))
		return false;
	memcpy(theirs, n, nlen);
	*theirs_len = nlen;
	return !ikev1_keep(pub, pub_len, k, klen);
}

/* g^xy, SKEYID and the rest (RFC 2409 5, Appendix B), and the first IV. */
int ikev1_p1_derive(struct ikev1_xchg *x)
{
	struct ike_sa *sa = x->sa;
	struct ikev1_sa *v1 = sa->v1;
	const uint8_t *peer = x->initiator ? x->gxr : x->gxi;
	size_t peer_len = x->initiator ? x->gxr_len : x->gxi_len;
	size_t len = ike_dh_shared_len(v1->group);

	free(x->gxy);
	x->gxy = malloc(len ? len : 1);
	x->gxy_len = len;
	if (!x->gxy || ike_dh_shared(x->dh, peer, peer_len, x->gxy, &x->gxy_len))
		return -1;
	v1->keys.prf = isakmp_hash_prf(v1->hash);
	v1->keys.len = ike_prf_len(v1->keys.prf);
	if (!v1->keys.prf ||
	    (sa->gw->auth == IKED_AUTH_PSK ?
	     isakmp_skeyid_psk(v1->keys.prf, sa->gw->psk, sa->gw->psk_len, x->ni, x->ni_len,
			       x->nr, x->nr_len, v1->keys.skeyid) :
	     isakmp_skeyid_sig(v1->keys.prf, x->ni, x->ni_len, x->nr, x->nr_len, x->gxy,
			       x->gxy_len, v1->keys.skeyid)) < 0 ||
	    isakmp_derive_keys(&v1->keys, x->gxy, x->gxy_len, sa->spi_i, sa->spi_r,
			       isakmp_encr_key_len(v1->encr, v1->key_bits)) ||
	    isakmp_phase1_iv(v1->keys.prf, x->gxi, x->gxi_len, x->gxr, x->gxr_len, v1->block,
			     x->iv))
		return -1;
	sa->keys_ready = true;
	return 0;
}

/* Our phase 1 identity as an ID payload body (type, protocol 0, port 0, data). */
size_t ikev1_p1_id_body(struct ike_sa *sa, uint8_t *out, size_t cap)
{
	struct ike_id id;

	ike_sa_local_id(sa, &id);
	if ((size_t)id.len + 4 > cap)
		return 0;
	out[0] = id.type;
	out[1] = 0;
	out[2] = 0;
	out[3] = 0;
	memcpy(out + 4, id.data, id.len);
	return id.len + 4u;
}

/* ISAKMP certificate encoding "X.509 Certificate - Signature" (RFC 2408 3.9). */
#define ISAKMP_CERT_X509_SIG	4
#define IKEV1_MAX_CERTS		8

uint16_t ikev1_p1_auth(const struct iked_gateway *gw)
{
	if (gw->auth == IKED_AUTH_PSK)
		return ISAKMP_AUTH_PSK;
	return gw->local_cert ? ike_isakmp_auth_method(ike_local_cert_key(gw->local_cert)) : 0;
}

/* The IKEv2 number of an IKEv1 method, for status (the ECDSA ones coincide). */
static uint8_t status_method(uint16_t auth)
{
	return auth == ISAKMP_AUTH_PSK ? IKE_AUTH_PSK :
	       auth == ISAKMP_AUTH_RSA_SIG ? IKE_AUTH_RSA_SIG : (uint8_t)auth;
}

/* Our CERT payloads (ours, then the intermediates) and the SIG over HASH. */
static int put_certs_sig(struct ike_sa *sa, struct ike_writer *w, const uint8_t *hash,
			 size_t len)
{
	struct ike_local_cert *lc = sa->gw->local_cert;
	EVP_PKEY *key = ike_local_cert_key(lc);
	struct ike_cert_der der;
	uint8_t sig[1024];
	size_t sig_len = sizeof(sig);
	unsigned int i;

	for (i = 0; i < ike_local_cert_count(lc); i++)
		if (!ike_local_cert_der(lc, i, &der))
			isakmp_w_cert(w, ISAKMP_CERT_X509_SIG, der.data, der.len);
	if (ike_sign_digest(key, hash, len, sig, &sig_len)) {
		log_err("%s: cannot sign: %s", sa->gw->name, ike_auth_error());
		return -1;
	}
	ike_w_payload(w, ISAKMP_PL_SIG, false, sig, sig_len);
	return w->err;
}

int ikev1_p1_put_certreq(const struct ike_sa *sa, struct ike_writer *w)
{
	if (sa->gw->auth == IKED_AUTH_PSK)
		return 0;
	/* Any authority: the peer sends its certificate, we judge its chain. */
	return isakmp_w_cr(w, ISAKMP_CERT_X509_SIG, NULL, 0);
}

/* Our IDii/IDir and HASH_I/HASH_R. */
int ikev1_p1_put_id_hash(struct ikev1_xchg *x, struct ike_writer *w)
{
	struct ike_sa *sa = x->sa;
	uint8_t body[4 + IKE_MAX_ID_LEN], hash[ISAKMP_HASH_MAX];
	size_t len = ikev1_p1_id_body(sa, body, sizeof(body));
	int n;

	if (!len)
		return -1;
	n = isakmp_hash_phase1(&sa->v1->keys, x->initiator, x->gxi, x->gxi_len, x->gxr,
			       x->gxr_len, sa->spi_i, sa->spi_r, x->sai_b, x->sai_len, body, len,
			       hash);
	if (n < 0)
		return -1;
	ike_w_payload(w, ISAKMP_PL_ID, false, body, len);
	if (sa->gw->auth == IKED_AUTH_PSK) {
		ike_w_payload(w, ISAKMP_PL_HASH, false, hash, (size_t)n);
		return w->err;
	}
	return put_certs_sig(sa, w, hash, (size_t)n);
}

/*
 * The peer's HASH_I or HASH_R over its identity payload body ID_B: DROP
 * (counted) if it does not verify, which before the end of phase 1 only
 * means that someone else sent it, or that the keys differ.
 */
enum ikev1_status ikev1_p1_check_hash(struct ikev1_xchg *x, const uint8_t *id_b, size_t id_len,
				      const struct ike_payload *h_pl)
{
	struct ike_sa *sa = x->sa;
	uint8_t want[ISAKMP_HASH_MAX];
	const uint8_t *got;
	size_t got_len;

	if (!h_pl || isakmp_decode_hash(h_pl, &got, &got_len) ||
	    isakmp_hash_phase1(&sa->v1->keys, !x->initiator, x->gxi, x->gxi_len, x->gxr,
			       x->gxr_len, sa->spi_i, sa->spi_r, x->sai_b, x->sai_len,
			       id_b, id_len, want) < 0 ||
	    !isakmp_hash_equal(&sa->v1->keys, want, got, got_len)) {
		ike_sa_drop(sa, IKE_DROP_INTEGRITY, &sa->remote,
			    "%s message %u: HASH_%c does not verify (another pre-shared key?)",
			    ikev1_mode_name(sa), x->step, x->initiator ? 'R' : 'I');
		snprintf(sa->why, sizeof(sa->why), "the peer's HASH does not verify");
		return IKEV1_DROP;
	}
	sa->auth_sent = sa->auth_received = IKE_AUTH_PSK;
	return IKEV1_OK;
}

enum ikev1_status ikev1_p1_check_sig(struct ikev1_xchg *x, const struct isakmp_msg *m,
				     const struct ike_payload *id_pl, const struct ike_id *id)
{
	struct ike_cert_der ee = { 0 }, chain[IKEV1_MAX_CERTS];
	const struct ike_payload *pl = NULL;
	struct ike_sa *sa = x->sa;
	uint8_t want[ISAKMP_HASH_MAX], enc;
	unsigned int n_chain = 0;
	const uint8_t *data;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	enum ikev1_status st = IKEV1_DROP;
	size_t len;
	int n;

	n = isakmp_hash_phase1(&sa->v1->keys, !x->initiator, x->gxi, x->gxi_len, x->gxr,
			       x->gxr_len, sa->spi_i, sa->spi_r, x->sai_b, x->sai_len,
			       id_pl->body, id_pl->len, want);
	while ((pl = isakmp_msg_find(m, ISAKMP_PL_CERT, pl))) {
		if (isakmp_decode_cert(pl, &enc, &data, &len) || enc != ISAKMP_CERT_X509_SIG)
			continue;
		if (!ee.data) {
			ee.data = data;
			ee.len = len;
		} else if (n_chain < IKEV1_MAX_CERTS) {
			chain[n_chain].data = data;
			chain[n_chain++].len = len;
		}
	}
	pl = isakmp_msg_find(m, ISAKMP_PL_SIG, NULL);
	if (n < 0 || !pl || isakmp_decode_sig(pl, &data, &len)) {
		snprintf(sa->why, sizeof(sa->why), "no signature from the peer");
		goto out;
	}
	if (!ee.data) {
		snprintf(sa->why, sizeof(sa->why), "no certificate from the peer");
		goto out;
	}
	if (ike_cert_verify_peer(sa->gw->ca_store, &ee, chain, n_chain, &cert, &key)) {
		char why[128];

		snprintf(why, sizeof(why), "peer certificate: %s", ike_cert_error());
		st = ikev1_p1_fail(sa, why);
		goto out;
	}
	if (!ike_id_matches_cert(id, cert)) {
		st = ikev1_p1_fail(sa, "the peer's identity is not in its certificate");
		goto out;
	}
	/* The method agreed in phase 1 is the key type both ends sign with. */
	if (ike_isakmp_auth_method(key) != sa->v1->auth) {
		st = ikev1_p1_fail(sa, "the peer's key is not of the agreed method");
		goto out;
	}
	if (ike_verify_digest(key, want, (size_t)n, data, len)) {
		/* Keys from the clear part only: anyone could have sent this. */
		ike_sa_drop(sa, IKE_DROP_INTEGRITY, &sa->remote,
			    "main mode message %u: SIG_%c does not verify", x->step,
			    x->initiator ? 'R' : 'I');
		snprintf(sa->why, sizeof(sa->why), "the peer's signature does not verify");
		goto out;
	}
	sa->auth_sent = sa->auth_received = status_method(sa->v1->auth);
	st = IKEV1_OK;
out:
	EVP_PKEY_free(key);
	X509_free(cert);
	return st;
}

int ikev1_p1_decode_id(const struct ike_payload *pl, struct ike_id *id)
{
	struct isakmp_id raw;

	return !pl || isakmp_decode_id(pl, &raw) || isakmp_id_to_ike_id(&raw, id) ? -1 : 0;
}

enum ikev1_status ikev1_p1_take_id(struct ikev1_xchg *x, const struct ike_id *id)
{
	struct ike_sa *sa = x->sa;
	char a[48], b[48], why[128];

	if (sa->gw->remote_id.type && !ike_id_equal(&sa->gw->remote_id, id)) {
		snprintf(why, sizeof(why), "peer identity %s is not %s",
			 ike_id_format(id, a, sizeof(a)),
			 ike_id_format(&sa->gw->remote_id, b, sizeof(b)));
		return ikev1_p1_fail(sa, why);
	}
	sa->peer_id = *id;
	return IKEV1_OK;
}

/* Phase 1 is over: the IV later exchanges start from, and the SA is up. */
static const uint8_t zero_cookie[8];

/* Renewed by us less than IKEV1_COLLISION_MS ago: a renewal of the peer's now collides. */
#define IKEV1_COLLISION_MS	5000

static bool fresh_renewal(const struct ike_sa *o)
{
	return o->initiator && memcmp(o->v1->renews, zero_cookie, 8) &&
	       ike_now_ms() - o->v1->up_ms < IKEV1_COLLISION_MS;
}

/*
 * As responder, the ISAKMP SA of the peer that SA, just up, renews: the
 * other one with the same gateway, identity and address (RFC 2409 ties no
 * IPsec SA to an ISAKMP SA; strongSwan renews phase 1 so, its IPsec SAs
 * kept).
 */
static struct ike_sa *predecessor(const struct ike_sa *sa)
{
	struct ike_sa *o;

	ike_sa_foreach(o)
		if (o != sa && o->version == 1 && o->gw == sa->gw &&
		    o->state == IKE_SA_ESTABLISHED && !o->rekeyed &&
		    ike_id_equal(&o->peer_id, &sa->peer_id) &&
		    ike_sockaddr_equal(&o->remote, &sa->remote, 0))
			return o;
	return NULL;
}

/*
 * SA takes OLD's IPsec SAs. OLD goes in MS with a delete of itself only
 * (and its IPsec SAs, should any come back to it).
 */
static void take_over(struct ike_sa *sa, struct ike_sa *old, uint64_t ms)
{
	struct child_sa *c;
	unsigned int n = 0;

	while ((c = old->children)) {
		ike_child_move(c, old, sa);
		n++;
		/*
		 * Made on the old one as the peer's renewal began or after (the
		 * peer's part of a quick mode comes up to a round trip before
		 * ours, its renewal as much before its first message reaches us).
		 */
		if (!sa->initiator && c->made_ms + IKEV1_STRANDED_MS >= sa->v1->begun_ms)
			c->stranded = true;
	}
	if (!sa->vpn)
		sa->vpn = old->vpn;
	old->vpn = NULL;
	if (sa->rekeys <= old->rekeys)
		sa->rekeys = old->rekeys + 1;
	old->rekeyed = true;
	memcpy(old->v1->taken_by, ike_sa_our_spi(sa), 8);
	old->rekey_due = 0;
	ike_timer_cancel(&old->rekey);
	/*
	 * Our aggressive mode is up before the peer has its third message,
	 * which is not retransmitted: the old one stays until the new one
	 * carried something authentic (ikev1_confirmed()).
	 */
	if (sa->initiator && sa->v1->mode == ISAKMP_XCHG_AGGRESSIVE)
		ms = (uint64_t)iked->cfg->limits.setup_timeout * 1000;
	ike_timer_set(&old->setup, ms, ike_sa_setup_expired);
	log_info("%s: ISAKMP SA renewed (%s): its %u IPsec SAs carried over", sa->gw->name,
		 sa->initiator ? "by us" : "by the peer", n);
	for (c = sa->children; c; c = c->next)
		if (c->stranded)
			ikev1_child_rekey_stranded(sa, c);
}

/*
 * Both ends renewed the same ISAKMP SA at once: MINE (ours) and THEIRS.
 * Both ends keep the one with the lower initiator cookie, and the loser's
 * initiator deletes it: the same choice at both ends, without a message.
 */
static void collision(struct ike_sa *mine, struct ike_sa *theirs)
{
	bool mine_wins = memcmp(mine->spi_i, theirs->spi_i, 8) < 0;
	struct ike_sa *winner = mine_wins ? mine : theirs, *loser = mine_wins ? theirs : mine;
	struct ike_sa *old = ike_sa_by_our_spi(mine->v1->renews);

	log_info("%s: both ends renewed the ISAKMP SA at once: %s wins", mine->gw->name,
		 mine_wins ? "ours" : "the peer's");
	loser->rekeyed = false;		/* take_over() sets it anew */
	take_over(winner, loser, mine_wins ?
		  (uint64_t)iked->cfg->limits.setup_timeout * 1000 : IKEV1_HANDOVER_MS);
	/* Both renewed it, so neither deletes it as its renewer: its initiator does. */
	if (old && old->rekeyed && old->initiator && old->state == IKE_SA_ESTABLISHED)
		ike_timer_set(&old->setup, IKEV1_HANDOVER_MS, ike_sa_setup_expired);
}

bool ikev1_hand_over(struct ike_sa *sa)
{
	struct ike_sa *o, *to = NULL;
	struct child_sa *c;

	if (!sa->children)
		return false;
	ike_sa_foreach(o) {
		if (o == sa || o->version != 1 || o->state != IKE_SA_ESTABLISHED ||
		    !ikev1_same_peer(o, sa))
			continue;
		/* One not replaced itself, else the newest. */
		if (!to || (to->rekeyed && !o->rekeyed) ||
		    (to->rekeyed == o->rekeyed && o->v1->up_ms >= to->v1->up_ms))
			to = o;
	}
	if (!to)
		return false;
	/* A replaced one that takes them lives on: it is the peer's choice. */
	if (to->rekeyed) {
		to->rekeyed = false;
		memset(to->v1->taken_by, 0, 8);
		ike_timer_cancel(&to->setup);
		ike_sa_rekey_in(to, (uint64_t)ike_soft_lifetime(ike_sa_lifetime(to)) * 1000 / 2);
	}
	log_info("%s: ISAKMP SA going: its %u IPsec SAs stay, with another ISAKMP SA",
		 sa->gw->name, sa->n_children);
	while ((c = sa->children))
		ike_child_move(c, sa, to);
	if (!to->vpn)
		to->vpn = sa->vpn;
	sa->vpn = NULL;
	return true;
}

void ikev1_p1_done(struct ikev1_xchg *x)
{
	struct ike_sa *sa = x->sa, *old, *other;

	memcpy(sa->v1->p1_last, x->iv, sizeof(sa->v1->p1_last));
	sa->v1->up_ms = ike_now_ms();
	ikev1_xchg_finish(x);
	ike_sa_established(sa);
	if (sa->initiator && memcmp(sa->v1->renews, zero_cookie, 8)) {
		/* Ours: its predecessor, unless a renewal of the peer's took it first. */
		old = ike_sa_by_our_spi(sa->v1->renews);
		if (old && old->version == 1 && old->state == IKE_SA_ESTABLISHED) {
			if (!old->rekeyed)
				take_over(sa, old, IKEV1_HANDOVER_MS);
			else if ((other = ike_sa_by_our_spi(old->v1->taken_by)) && other != sa &&
				 other->state == IKE_SA_ESTABLISHED)
				collision(sa, other);
		}
	} else if (!sa->initiator && sa->v1->peer_contact) {
		/* RFC 2407 4.6.3.3: the peer forgot every other SA with us. */
		while ((old = predecessor(sa))) {
			log_info("%s: INITIAL-CONTACT: the peer forgot an older ISAKMP SA; "
				 "removing it", sa->gw->name);
			ike_sa_kill(old, "replaced (INITIAL-CONTACT from the peer)");
		}
	} else if (!sa->initiator && (old = predecessor(sa))) {
		/* The peer renews; the old one goes when it deletes it (or in setup-timeout). */
		if (fresh_renewal(old))
			collision(old, sa);
		else
			take_over(sa, old, (uint64_t)iked->cfg->limits.setup_timeout * 1000);
	}
	ikev1_quick_wanted(sa);
}

void ikev1_confirmed(struct ike_sa *sa)
{
	struct ike_sa *old;

	if (sa->v1->heard_since_up)
		return;
	sa->v1->heard_since_up = true;
	if (!sa->initiator || !memcmp(sa->v1->renews, zero_cookie, 8))
		return;
	old = ike_sa_by_our_spi(sa->v1->renews);
	if (old && old->version == 1 && old->rekeyed && old->state == IKE_SA_ESTABLISHED)
		ike_timer_set(&old->setup, IKEV1_HANDOVER_MS, ike_sa_setup_expired);
}

bool ikev1_p1_other_up(const struct ike_sa *sa)
{
	const struct ike_sa *o;

	ike_sa_foreach(o)
		if (o != sa && o->gw == sa->gw && o->state == IKE_SA_ESTABLISHED)
			return true;
	return false;
}

void ikev1_p1_read_contact(struct ike_sa *sa, const struct isakmp_msg *m)
{
	const struct ike_payload *pl = NULL;
	struct isakmp_notify n;

	while ((pl = isakmp_msg_find(m, ISAKMP_PL_NOTIFY, pl)))
		if (!isakmp_decode_notify(pl, &n) && n.type == ISAKMP_N_INITIAL_CONTACT)
			sa->v1->peer_contact = true;
}

