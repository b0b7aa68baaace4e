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
 * known already.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/daemon.h"
#include "ikev1/ikev1.h"
#include "ikev1/offer.h"
#include "ikev1/state.h"
#include "log.h"

/* The peer's identity and HASH in the fifth or sixth message. */
static enum ikev1_status check_id_hash(struct ikev1_xchg *x, const struct isakmp_msg *m)
{
	const struct ike_payload *id_pl = isakmp_msg_find(m, ISAKMP_PL_ID, NULL);
	enum ikev1_status st;
	struct ike_id id;

	if (ikev1_p1_decode_id(id_pl, &id))
		return ikev1_p1_fail(x->sa, "no usable identity");
	if (x->sa->gw->auth != IKED_AUTH_PSK)
		st = ikev1_p1_check_sig(x, m, id_pl, &id);
	else
		st = ikev1_p1_check_hash(x, id_pl->body, id_pl->len,
					 isakmp_msg_find(m, ISAKMP_PL_HASH, NULL));
	return st == IKEV1_OK ? ikev1_p1_take_id(x, &id) : st;
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
	if (!x->offer || ikev1_p1_offer(sa->gw, ikev1_p1_auth(sa->gw), x->offer))
		goto out;
	ikev1_out_begin(o, x, false);
	off = o->w.len;
	isakmp_w_sa(&o->w, x->offer);
	if (o->w.err || ikev1_keep(&x->sai_b, &x->sai_len, o->buf + off + IKE_GENERIC_HDR_LEN,
			     o->w.len - off - IKE_GENERIC_HDR_LEN))
		goto out;
	ikev1_p1_put_vids(sa, &o->w);
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
		st = ikev1_p1_fail(sa, "the first message has no usable SA payload");
		goto out;
	}
	t = ikev1_p1_select(sa->gw, theirs, ikev1_p1_auth(sa->gw), &suite);
	if (t < 0) {
		st = ikev1_p1_fail(sa, "no proposal chosen (phase 1)");
		goto out;
	}
	for (p = 0; p + 1 < theirs->n && (unsigned int)t >= theirs->p[p].first +
	     theirs->p[p].n_transforms; p++)
		;
	if (ikev1_p1_take_transform(sa, &theirs->t[t], &suite) ||
	    ikev1_keep(&x->sai_b, &x->sai_len, pl->body, pl->len)) {
		st = ikev1_p1_fail(sa, "the chosen transform cannot run");
		goto out;
	}
	ikev1_p1_read_vids(sa, in->m);
	x->offer = malloc(sizeof(*x->offer));
	if (!x->offer)
		goto out;
	ikev1_reply(theirs, p, (unsigned int)t, NULL, 0, x->offer);
	ikev1_out_begin(o, x, false);
	isakmp_w_sa(&o->w, x->offer);
	ikev1_p1_put_vids(sa, &o->w);
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
	uint32_t life;
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
	life = reply->t[reply->p[0].first].life_seconds;
	free(reply);
	if (ikev1_p1_take_transform(sa, &x->offer->t[t], &suite))
		return ikev1_p1_fail(sa, "the chosen transform cannot run");
	/* A responder may answer with a shorter lifetime: the one both keep. */
	if (life >= IKED_LIFETIME_MIN && life < sa->v1->life)
		sa->v1->life = life;
	memcpy(sa->spi_r, in->m->hdr.spi_r, 8);
	ikev1_p1_read_vids(sa, in->m);
	ikev1_out_begin(o, x, false);
	if (ikev1_p1_put_ke_nonce(x, &o->w) || ikev1_p1_put_certreq(sa, &o->w) ||
	    ikev1_p1_put_natd(sa, &o->w) || ikev1_send(x, o, true))
		return IKEV1_FATAL;
	x->step = 4;
	return IKEV1_OK;
}

static enum ikev1_status initiator_m4(struct ikev1_xchg *x, struct ikev1_rx *in,
				      struct ikev1_out *o)
{
	struct ike_sa *sa = x->sa;
	uint8_t n[4 + 8 + 8];

	if (!ikev1_p1_take_ke_nonce(x, in->m)) {
		ike_sa_drop(sa, IKE_DROP_INVALID, &in->rx->from,
			    "main mode message 4 without a usable KE and nonce");
		return IKEV1_DROP;
	}
	if (ikev1_p1_derive(x))
		return ikev1_p1_fail(sa, "key derivation failed (an invalid KE value?)");
	/* RFC 3947 4: with a NAT between us, the fifth message goes from port 4500. */
	ikev1_p1_detect_nat(sa, in->rx, in->m);
	ike_sa_float_to_natt(sa);
	ikev1_out_begin(o, x, true);
	if (ikev1_p1_put_id_hash(x, &o->w))
		return IKEV1_FATAL;
	/*
	 * RFC 2407 4.6.3.3: we hold no other SA with this peer. Not when we
	 * renew phase 1: the peer would drop the IPsec SAs we carry over.
	 */
	memcpy(n, sa->spi_i, 8);
	memcpy(n + 8, sa->spi_r, 8);
	if (!ikev1_p1_other_up(sa))
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

	if (!ikev1_p1_take_ke_nonce(x, in->m)) {
		ike_sa_drop(sa, IKE_DROP_INVALID, &in->rx->from,
			    "main mode message 3 without a usable KE and nonce");
		return IKEV1_DROP;
	}
	/* Our cookie came back: the DH we do now is charged to the address. */
	ike_halfopen_charge(&iked->halfopen, &in->rx->from);
	ikev1_p1_detect_nat(sa, in->rx, in->m);
	ikev1_out_begin(o, x, false);
	if (ikev1_p1_put_ke_nonce(x, &o->w) || ikev1_p1_put_certreq(sa, &o->w) ||
	    ikev1_p1_put_natd(sa, &o->w))
		return IKEV1_FATAL;
	if (ikev1_p1_derive(x))
		return ikev1_p1_fail(sa, "key derivation failed (an invalid KE value?)");
	if (ikev1_send(x, o, false))
		return IKEV1_FATAL;
	x->step = 5;
	return IKEV1_OK;
}

static enum ikev1_status responder_m5(struct ikev1_xchg *x, struct ikev1_rx *in,
				      struct ikev1_out *o)
{
	enum ikev1_status st = check_id_hash(x, in->m);

	if (st != IKEV1_OK)
		return st;
	ikev1_take_iv(x, in);
	ikev1_p1_read_contact(x->sa, in->m);
	/* The initiator floated to 4500 for this message: the sixth goes there. */
	ike_sa_follow_peer(x->sa, in->rx);
	ikev1_out_begin(o, x, true);
	if (ikev1_p1_put_id_hash(x, &o->w) || ikev1_send(x, o, false))
		return IKEV1_FATAL;
	ikev1_p1_done(x);
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
			ikev1_p1_done(x);
		}
		break;
	default:
		st = IKEV1_DROP;
		break;
	}
	free(o);
	return st;
}
