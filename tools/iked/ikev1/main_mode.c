// SPDX-License-Identifier: GPL-2.0
/*
 * Phase 1 in main mode (RFC 2409 5), both roles, with pre-shared keys:
 *
 *   1 I->R  SA                      2 R->I  SA (the one transform chosen)
 *   3 I->R  KE, Ni                  4 R->I  KE, Nr
 *   5 I->R  [IDii, HASH_I]          6 R->I  [IDir, HASH_R]      ([ ]: encrypted)
 *
 * The pre-shared key is the gateway's whose address the peer has: main
 * mode hides identities until the fifth message, when the key must be
 * known already. Vendor IDs say that we do RFC 3706 DPD.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
#include "random.h"

/* RFC 3706 3: the vendor ID of DPD, version 1.0. */
static const uint8_t vid_dpd[16] = {
	0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9,
	0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00,
};

static enum ikev1_status fail(struct ike_sa *sa, const char *why)
{
	snprintf(sa->why, sizeof(sa->why), "%s", why);
	log_info("%s: main mode failed: %s", sa->gw->name, why);
	return IKEV1_FATAL;
}

static void read_vendor_ids(struct ike_sa *sa, const struct isakmp_msg *m)
{
	const struct ike_payload *pl = NULL;

	while ((pl = isakmp_msg_find(m, ISAKMP_PL_VENDOR, pl)))
		if (pl->len == sizeof(vid_dpd) && !memcmp(pl->body, vid_dpd, sizeof(vid_dpd)))
			sa->v1->peer_dpd = true;
}

static int put_vendor_ids(struct ike_writer *w)
{
	return ike_w_payload(w, ISAKMP_PL_VENDOR, false, vid_dpd, sizeof(vid_dpd));
}

static int keep(uint8_t **dst, size_t *dst_len, const uint8_t *src, size_t len)
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
static int take_transform(struct ike_sa *sa, const struct isakmp_transform *t,
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
static int put_ke_nonce(struct ikev1_xchg *x, struct ike_writer *w)
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
static bool take_ke_nonce(struct ikev1_xchg *x, const struct isakmp_msg *m)
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
	return !keep(pub, pub_len, k, klen);
}

/* g^xy, SKEYID and the rest (RFC 2409 5, Appendix B), and the first IV. */
static int derive(struct ikev1_xchg *x)
{
	struct ike_sa *sa = x->sa;
	struct ikev1_sa *v1 = sa->v1;
	const uint8_t *peer = x->initiator ? x->gxr : x->gxi;
	size_t peer_len = x->initiator ? x->gxr_len : x->gxi_len;
	size_t len = ike_dh_shared_len(v1->group);

	x->gxy = malloc(len ? len : 1);
	x->gxy_len = len;
	if (!x->gxy || ike_dh_shared(x->dh, peer, peer_len, x->gxy, &x->gxy_len))
		return -1;
	v1->keys.prf = isakmp_hash_prf(v1->hash);
	v1->keys.len = ike_prf_len(v1->keys.prf);
	if (!v1->keys.prf || sa->gw->auth != IKED_AUTH_PSK ||
	    isakmp_skeyid_psk(v1->keys.prf, sa->gw->psk, sa->gw->psk_len, x->ni, x->ni_len,
			      x->nr, x->nr_len, v1->keys.skeyid) < 0 ||
	    isakmp_derive_keys(&v1->keys, x->gxy, x->gxy_len, sa->spi_i, sa->spi_r,
			       isakmp_encr_key_len(v1->encr, v1->key_bits)) ||
	    isakmp_phase1_iv(v1->keys.prf, x->gxi, x->gxi_len, x->gxr, x->gxr_len, v1->block,
			     x->iv))
		return -1;
	sa->keys_ready = true;
	return 0;
}

/* Our phase 1 identity as an ID payload body (type, protocol 0, port 0, data). */
static size_t our_id_body(struct ike_sa *sa, uint8_t *out, size_t cap)
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

/* IDii/IDir and HASH_I/HASH_R, the fifth or sixth message. */
static int put_id_hash(struct ikev1_xchg *x, struct ikev1_out *o)
{
	struct ike_sa *sa = x->sa;
	uint8_t body[4 + IKE_MAX_ID_LEN], hash[ISAKMP_HASH_MAX];
	size_t len = our_id_body(sa, body, sizeof(body));
	int n;

	if (!len)
		return -1;
	n = isakmp_hash_phase1(&sa->v1->keys, x->initiator, x->gxi, x->gxi_len, x->gxr,
			       x->gxr_len, sa->spi_i, sa->spi_r, x->sai_b, x->sai_len, body, len,
			       hash);
	if (n < 0)
		return -1;
	ike_w_payload(&o->w, ISAKMP_PL_ID, false, body, len);
	ike_w_payload(&o->w, ISAKMP_PL_HASH, false, hash, (size_t)n);
	return o->w.err;
}

/* The peer's identity and HASH in the fifth or sixth message. */
static enum ikev1_status check_id_hash(struct ikev1_xchg *x, const struct isakmp_msg *m)
{
	struct ike_sa *sa = x->sa;
	const struct ike_payload *id_pl = isakmp_msg_find(m, ISAKMP_PL_ID, NULL);
	const struct ike_payload *h_pl = isakmp_msg_find(m, ISAKMP_PL_HASH, NULL);
	uint8_t want[ISAKMP_HASH_MAX];
	struct isakmp_id id;
	const uint8_t *got;
	size_t got_len;
	char a[48], b[48], why[128];

	if (!id_pl || !h_pl || isakmp_decode_id(id_pl, &id) ||
	    isakmp_decode_hash(h_pl, &got, &got_len) ||
	    isakmp_id_to_ike_id(&id, &sa->peer_id))
		return fail(sa, "no usable identity and HASH");
	if (isakmp_hash_phase1(&sa->v1->keys, !x->initiator, x->gxi, x->gxi_len, x->gxr,
			       x->gxr_len, sa->spi_i, sa->spi_r, x->sai_b, x->sai_len,
			       id_pl->body, id_pl->len, want) < 0 ||
	    !isakmp_hash_equal(&sa->v1->keys, want, got, got_len)) {
		/* Keys from the clear part only: anyone could have sent this. */
		ike_sa_drop(sa, IKE_DROP_INTEGRITY, &sa->remote,
			    "main mode message %u: HASH_%c does not verify (another pre-shared key?)",
			    x->step, x->initiator ? 'R' : 'I');
		snprintf(sa->why, sizeof(sa->why), "the peer's HASH does not verify");
		return IKEV1_DROP;
	}
	if (sa->gw->remote_id.type && !ike_id_equal(&sa->gw->remote_id, &sa->peer_id)) {
		snprintf(why, sizeof(why), "peer identity %s is not %s",
			 ike_id_format(&sa->peer_id, a, sizeof(a)),
			 ike_id_format(&sa->gw->remote_id, b, sizeof(b)));
		return fail(sa, why);
	}
	sa->auth_sent = sa->auth_received = IKE_AUTH_PSK;
	return IKEV1_OK;
}

int ikev1_main_start(struct ike_sa *sa)
{
	struct ikev1_out *o = malloc(sizeof(*o));
	struct ikev1_xchg *x = o ? ikev1_xchg_new(sa, ISAKMP_XCHG_ID_PROT, 0, true) : NULL;
	size_t off;
	int err = -1;

	if (!x)
		goto out;
	x->offer = malloc(sizeof(*x->offer));
	if (!x->offer || ikev1_p1_offer(sa->gw, ISAKMP_AUTH_PSK, x->offer))
		goto out;
	ikev1_out_begin(o, x, false);
	off = o->w.len;
	isakmp_w_sa(&o->w, x->offer);
	if (o->w.err || keep(&x->sai_b, &x->sai_len, o->buf + off + IKE_GENERIC_HDR_LEN,
			     o->w.len - off - IKE_GENERIC_HDR_LEN))
		goto out;
	put_vendor_ids(&o->w);
	err = ikev1_send(x, o, true);
	x->step = 2;
out:
	free(o);
	return err;
}

enum ikev1_status ikev1_main_respond(struct ike_sa *sa, struct ikev1_xchg *x,
				     struct ikev1_rx *in)
{
	const struct ike_payload *pl = isakmp_msg_find(in->m, ISAKMP_PL_SA, NULL);
	struct isakmp_sa_offer *theirs = malloc(sizeof(*theirs));
	struct ikev1_out *o = malloc(sizeof(*o));
	enum ikev1_status st = IKEV1_FATAL;
	struct ike_suite suite;
	unsigned int p;
	int t;

	if (!theirs || !o)
		goto out;
	if (!pl || in->encrypted || isakmp_decode_sa(pl, theirs)) {
		st = fail(sa, "the first message has no usable SA payload");
		goto out;
	}
	t = ikev1_p1_select(sa->gw, theirs, ISAKMP_AUTH_PSK, &suite);
	if (t < 0) {
		st = fail(sa, "no proposal chosen (phase 1)");
		goto out;
	}
	for (p = 0; p + 1 < theirs->n && (unsigned int)t >= theirs->p[p].first +
	     theirs->p[p].n_transforms; p++)
		;
	if (take_transform(sa, &theirs->t[t], &suite) ||
	    keep(&x->sai_b, &x->sai_len, pl->body, pl->len)) {
		st = fail(sa, "the chosen transform cannot run");
		goto out;
	}
	read_vendor_ids(sa, in->m);
	x->offer = malloc(sizeof(*x->offer));
	if (!x->offer)
		goto out;
	ikev1_reply(theirs, p, (unsigned int)t, NULL, 0, x->offer);
	ikev1_out_begin(o, x, false);
	isakmp_w_sa(&o->w, x->offer);
	put_vendor_ids(&o->w);
	if (!ikev1_send(x, o, false)) {
		x->step = 3;
		st = IKEV1_OK;
	}
out:
	free(theirs);
	free(o);
	return st;
}

/* Initiator, the second message: the responder's choice. */
static enum ikev1_status initiator_m2(struct ikev1_xchg *x, struct ikev1_rx *in,
				      struct ikev1_out *o)
{
	struct ike_sa *sa = x->sa;
	const struct ike_payload *pl = isakmp_msg_find(in->m, ISAKMP_PL_SA, NULL);
	struct isakmp_sa_offer *reply = malloc(sizeof(*reply));
	static const uint8_t zero[8];
	struct ike_suite suite;
	uint16_t auth;
	int t;

	if (!reply)
		return IKEV1_DROP;
	if (!pl || isakmp_decode_sa(pl, reply) || !memcmp(in->m->hdr.spi_r, zero, 8) ||
	    (t = ikev1_check_reply(x->offer, reply)) < 0 ||
	    !ikev1_p1_suite(&x->offer->t[t], &suite, &auth)) {
		free(reply);
		ike_sa_drop(sa, IKE_DROP_INVALID, &in->rx->from,
			    "main mode message 2 does not choose a transform we offered");
		return IKEV1_DROP;
	}
	free(reply);
	if (take_transform(sa, &x->offer->t[t], &suite))
		return fail(sa, "the chosen transform cannot run");
	memcpy(sa->spi_r, in->m->hdr.spi_r, 8);
	read_vendor_ids(sa, in->m);
	ikev1_out_begin(o, x, false);
	if (put_ke_nonce(x, &o->w) || ikev1_send(x, o, true))
		return IKEV1_FATAL;
	x->step = 4;
	return IKEV1_OK;
}

static enum ikev1_status initiator_m4(struct ikev1_xchg *x, struct ikev1_rx *in,
				      struct ikev1_out *o)
{
	struct ike_sa *sa = x->sa;
	uint8_t n[4 + 8 + 8];

	if (!take_ke_nonce(x, in->m)) {
		ike_sa_drop(sa, IKE_DROP_INVALID, &in->rx->from,
			    "main mode message 4 without a usable KE and nonce");
		return IKEV1_DROP;
	}
	if (derive(x))
		return fail(sa, "key derivation failed (an invalid KE value?)");
	ikev1_out_begin(o, x, true);
	if (put_id_hash(x, o))
		return IKEV1_FATAL;
	/* RFC 2407 4.6.3.3: we hold no other SA with this peer. */
	memcpy(n, sa->spi_i, 8);
	memcpy(n + 8, sa->spi_r, 8);
	isakmp_w_notify(&o->w, ISAKMP_DOI_IPSEC, ISAKMP_PROTO_ISAKMP, n, 16,
			ISAKMP_N_INITIAL_CONTACT, NULL, 0);
	if (ikev1_send(x, o, true))
		return IKEV1_FATAL;
	x->step = 6;
	return IKEV1_OK;
}

static enum ikev1_status responder_m3(struct ikev1_xchg *x, struct ikev1_rx *in,
				      struct ikev1_out *o)
{
	struct ike_sa *sa = x->sa;

	if (!take_ke_nonce(x, in->m)) {
		ike_sa_drop(sa, IKE_DROP_INVALID, &in->rx->from,
			    "main mode message 3 without a usable KE and nonce");
		return IKEV1_DROP;
	}
	ikev1_out_begin(o, x, false);
	if (put_ke_nonce(x, &o->w))
		return IKEV1_FATAL;
	if (derive(x))
		return fail(sa, "key derivation failed (an invalid KE value?)");
	if (ikev1_send(x, o, false))
		return IKEV1_FATAL;
	x->step = 5;
	return IKEV1_OK;
}

/* Phase 1 is over: the IV later exchanges start from, and the SA is up. */
static void phase1_done(struct ikev1_xchg *x)
{
	struct ike_sa *sa = x->sa;

	memcpy(sa->v1->p1_last, x->iv, sizeof(sa->v1->p1_last));
	ikev1_xchg_finish(x);
	ike_sa_established(sa);
	ikev1_quick_wanted(sa);
}

static enum ikev1_status responder_m5(struct ikev1_xchg *x, struct ikev1_rx *in,
				      struct ikev1_out *o)
{
	enum ikev1_status st = check_id_hash(x, in->m);

	if (st != IKEV1_OK)
		return st;
	ikev1_take_iv(x, in);
	ikev1_out_begin(o, x, true);
	if (put_id_hash(x, o) || ikev1_send(x, o, false))
		return IKEV1_FATAL;
	phase1_done(x);
	return IKEV1_OK;
}

enum ikev1_status ikev1_main_process(struct ikev1_xchg *x, struct ikev1_rx *in)
{
	struct ikev1_out *o;
	enum ikev1_status st;
	bool want_encrypted = x->step >= 5;

	if (x->done || in->encrypted != want_encrypted) {
		ike_sa_drop(x->sa, IKE_DROP_UNEXPECTED, &in->rx->from,
			    "main mode message %s where message %u is due",
			    in->encrypted ? "encrypted" : "in the clear", x->step);
		return IKEV1_DROP;
	}
	o = malloc(sizeof(*o));
	if (!o)
		return IKEV1_DROP;
	switch (x->step) {
	case 2:
		st = initiator_m2(x, in, o);
		break;
	case 3:
		st = responder_m3(x, in, o);
		break;
	case 4:
		st = initiator_m4(x, in, o);
		break;
	case 5:
		st = responder_m5(x, in, o);
		break;
	case 6:
		st = check_id_hash(x, in->m);
		if (st == IKEV1_OK) {
			ikev1_take_iv(x, in);
			phase1_done(x);
		}
		break;
	default:
		st = IKEV1_DROP;
		break;
	}
	free(o);
	return st;
}
