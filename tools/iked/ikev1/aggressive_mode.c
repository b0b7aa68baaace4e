// SPDX-License-Identifier: GPL-2.0
/*
 * Phase 1 in aggressive mode (RFC 2409 5), both roles, with pre-shared
 * keys:
 *
 *   1 I->R  SA, KE, Ni, IDii
 *   2 R->I  SA, KE, Nr, IDir, HASH_R
 *   3 I->R  [HASH_I]          (encrypted; taken in the clear too)
 *
 * Three messages, identities in the clear: the responder picks the
 * gateway by the initiator's identity, which is how a peer whose address
 * is not known (a "%any" gateway) gets in. The DH group cannot be
 * negotiated, since the KE comes with the first message: every proposal
 * carries the same one (the configuration makes sure). With a
 * pre-shared key, HASH_R lets whoever sees the second message test
 * guesses of the key offline; the configuration warns of it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/daemon.h"
#include "ikev1/hash.h"
#include "ikev1/ikev1.h"
#include "ikev1/offer.h"
#include "ikev1/state.h"
#include "log.h"
#include "proposal.h"

int ikev1_aggr_start(struct ike_sa *sa)
{
	struct ikev1_out *o = malloc(sizeof(*o));
	struct ikev1_xchg *x = o ? ikev1_xchg_new(sa, ISAKMP_XCHG_AGGRESSIVE, 0, true) : NULL;
	uint8_t body[4 + IKE_MAX_ID_LEN];
	size_t off, len;
	int err = -1;

	if (!x)
		goto out;
	x->offer = malloc(sizeof(*x->offer));
	if (!x->offer || ikev1_p1_offer(sa->gw, ISAKMP_AUTH_PSK, x->offer))
		goto out;
	/* The one group of every proposal: the KE goes now. */
	sa->v1->group = ike_offer_first_dh(&sa->gw->proposals);
	len = ikev1_p1_id_body(sa, body, sizeof(body));
	ikev1_out_begin(o, x, false);
	off = o->w.len;
	isakmp_w_sa(&o->w, x->offer);
	if (!len || o->w.err ||
	    ikev1_keep(&x->sai_b, &x->sai_len, o->buf + off + IKE_GENERIC_HDR_LEN,
		       o->w.len - off - IKE_GENERIC_HDR_LEN) ||
	    ikev1_p1_put_ke_nonce(x, &o->w))
		goto out;
	ike_w_payload(&o->w, ISAKMP_PL_ID, false, body, len);
	ikev1_p1_put_vids(sa, &o->w);
	err = ikev1_send(x, o, true);
	x->step = 2;
out:
	free(o);
	return err;
}

enum ikev1_status ikev1_aggr_respond(struct ike_sa *sa, struct ikev1_xchg *x,
				     struct ikev1_rx *in, const struct ike_id *peer)
{
	const struct ike_payload *pl = isakmp_msg_find(in->m, ISAKMP_PL_SA, NULL);
	const struct ike_payload *id_pl = isakmp_msg_find(in->m, ISAKMP_PL_ID, NULL);
	struct isakmp_sa_offer *theirs = malloc(sizeof(*theirs));
	struct ikev1_out *o = malloc(sizeof(*o));
	enum ikev1_status st = IKEV1_FATAL;
	struct ike_suite suite;
	unsigned int p;
	int t;

	if (!theirs || !o)
		goto out;
	if (!pl || !id_pl || in->encrypted || isakmp_decode_sa(pl, theirs)) {
		st = ikev1_p1_fail(sa, "the first message has no usable SA or ID payload");
		goto out;
	}
	t = ikev1_p1_select(sa->gw, theirs, ISAKMP_AUTH_PSK, &suite);
	if (t < 0) {
		st = ikev1_p1_fail(sa, "no proposal chosen (phase 1)");
		goto out;
	}
	for (p = 0; p + 1 < theirs->n && (unsigned int)t >= theirs->p[p].first +
	     theirs->p[p].n_transforms; p++)
		;
	/* The KE is for the group of the transform we take, or useless. */
	if (ikev1_p1_take_transform(sa, &theirs->t[t], &suite) ||
	    !ikev1_p1_take_ke_nonce(x, in->m) ||
	    ikev1_keep(&x->sai_b, &x->sai_len, pl->body, pl->len) ||
	    ikev1_keep(&x->idci, &x->idci_len, id_pl->body, id_pl->len)) {
		st = ikev1_p1_fail(sa, "the first message's KE does not fit the chosen group");
		goto out;
	}
	sa->peer_id = *peer;	/* proven by HASH_I in the third message, or the SA goes */
	ikev1_p1_read_vids(sa, in->m);
	x->offer = malloc(sizeof(*x->offer));
	if (!x->offer)
		goto out;
	ikev1_reply(theirs, p, (unsigned int)t, NULL, 0, x->offer);
	ikev1_out_begin(o, x, false);
	isakmp_w_sa(&o->w, x->offer);
	if (ikev1_p1_put_ke_nonce(x, &o->w))
		goto out;
	if (ikev1_p1_derive(x)) {
		st = ikev1_p1_fail(sa, "key derivation failed (an invalid KE value?)");
		goto out;
	}
	ikev1_p1_put_id_hash(x, &o->w);
	ikev1_p1_put_vids(sa, &o->w);
	ikev1_p1_put_natd(sa, &o->w);
	/*
	 * Not retransmitted: the source of the first message is not proven,
	 * and answers to it must not multiply. The initiator's retransmission
	 * gets it again.
	 */
	if (!ikev1_send(x, o, false)) {
		x->step = 3;
		st = IKEV1_OK;
	}
out:
	free(theirs);
	free(o);
	return st;
}

static enum ikev1_status initiator_m2(struct ikev1_xchg *x, struct ikev1_rx *in)
{
	struct ike_sa *sa = x->sa;
	const struct ike_payload *pl = isakmp_msg_find(in->m, ISAKMP_PL_SA, NULL);
	const struct ike_payload *id_pl = isakmp_msg_find(in->m, ISAKMP_PL_ID, NULL);
	struct isakmp_sa_offer *reply = malloc(sizeof(*reply));
	static const uint8_t zero[8];
	uint8_t hash[ISAKMP_HASH_MAX], body[4 + IKE_MAX_ID_LEN];
	struct ike_suite suite;
	enum ikev1_status st;
	struct ikev1_out *o;
	struct ike_id id;
	uint16_t auth;
	uint16_t group = sa->v1->group;
	size_t len;
	int t;

	if (!reply)
		return IKEV1_DROP;
	if (in->encrypted || !pl || isakmp_decode_sa(pl, reply) ||
	    !memcmp(in->m->hdr.spi_r, zero, 8) || (t = ikev1_check_reply(x->offer, reply)) < 0 ||
	    !ikev1_p1_suite(&x->offer->t[t], &suite, &auth) || x->offer->t[t].group != group ||
	    ikev1_p1_decode_id(id_pl, &id)) {
		free(reply);
		ike_sa_drop(sa, IKE_DROP_INVALID, &in->rx->from,
			    "aggressive mode message 2 does not choose a transform we offered");
		return IKEV1_DROP;
	}
	free(reply);
	/* Nothing is kept until HASH_R proves the message the responder's. */
	if (ikev1_p1_take_transform(sa, &x->offer->t[t], &suite) ||
	    !ikev1_p1_take_ke_nonce(x, in->m))
		return IKEV1_DROP;
	memcpy(sa->spi_r, in->m->hdr.spi_r, 8);
	if (ikev1_p1_derive(x)) {
		memset(sa->spi_r, 0, 8);
		sa->keys_ready = false;
		return IKEV1_DROP;
	}
	st = ikev1_p1_check_hash(x, id_pl->body, id_pl->len,
				 isakmp_msg_find(in->m, ISAKMP_PL_HASH, NULL));
	if (st != IKEV1_OK) {
		/* A forgery: the real answer may still come, under the old state. */
		memset(sa->spi_r, 0, 8);
		sa->keys_ready = false;
		return st;
	}
	st = ikev1_p1_take_id(x, &id);
	if (st != IKEV1_OK)
		return st;
	ikev1_p1_read_vids(sa, in->m);
	/* RFC 3947 4: with a NAT between us, the third message goes from port 4500. */
	ikev1_p1_detect_nat(sa, in->rx, in->m);
	ike_sa_float_to_natt(sa);
	len = ikev1_p1_id_body(sa, body, sizeof(body));
	o = malloc(sizeof(*o));
	if (!o || !len ||
	    isakmp_hash_phase1(&sa->v1->keys, true, x->gxi, x->gxi_len, x->gxr, x->gxr_len,
			       sa->spi_i, sa->spi_r, x->sai_b, x->sai_len, body, len, hash) < 0) {
		free(o);
		return IKEV1_FATAL;
	}
	ikev1_out_begin(o, x, true);
	ike_w_payload(&o->w, ISAKMP_PL_HASH, false, hash, sa->v1->keys.len);
	if (!ikev1_p1_other_up(sa)) {
		uint8_t n[16];

		memcpy(n, sa->spi_i, 8);
		memcpy(n + 8, sa->spi_r, 8);
		isakmp_w_notify(&o->w, ISAKMP_DOI_IPSEC, ISAKMP_PROTO_ISAKMP, n, 16,
				ISAKMP_N_INITIAL_CONTACT, NULL, 0);
	}
	ikev1_p1_put_natd(sa, &o->w);
	if (ikev1_send(x, o, false)) {
		free(o);
		return IKEV1_FATAL;
	}
	free(o);
	ikev1_p1_done(x);
	return IKEV1_OK;
}

static enum ikev1_status responder_m3(struct ikev1_xchg *x, struct ikev1_rx *in)
{
	enum ikev1_status st;

	st = ikev1_p1_check_hash(x, x->idci, x->idci_len,
				 isakmp_msg_find(in->m, ISAKMP_PL_HASH, NULL));
	if (st != IKEV1_OK)
		return st;
	st = ikev1_p1_take_id(x, &x->sa->peer_id);
	if (st != IKEV1_OK)
		return st;
	ikev1_take_iv(x, in);
	/* HASH_I covers no notify: only an encrypted one is the peer's. */
	if (in->encrypted)
		ikev1_p1_read_contact(x->sa, in->m);
	ikev1_p1_detect_nat(x->sa, in->rx, in->m);
	ikev1_p1_done(x);
	return IKEV1_OK;
}

enum ikev1_status ikev1_aggr_process(struct ikev1_xchg *x, struct ikev1_rx *in)
{
	if (x->done) {
		ike_sa_drop(x->sa, IKE_DROP_UNEXPECTED, &in->rx->from,
			    "aggressive mode message after its end");
		return IKEV1_DROP;
	}
	switch (x->step) {
	case 2:
		return initiator_m2(x, in);
	case 3:
		return responder_m3(x, in);
	default:
		return IKEV1_DROP;
	}
}
