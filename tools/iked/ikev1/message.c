// SPDX-License-Identifier: GPL-2.0
/*
 * IKEv1 exchanges as the daemon keeps them, and their messages: built
 * with a HASH slot filled in last, encrypted with the exchange's running
 * IV (RFC 2409 Appendix B), sent, kept for retransmission, and checked
 * on the way in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "engine/daemon.h"
#include "ikev1/crypt.h"
#include "ikev1/hash.h"
#include "ikev1/state.h"
#include "ikev2/ikev2.h"
#include "log.h"
#include "random.h"

/* A finished exchange answers retransmissions of the peer's last message this long. */
#define IKEV1_LINGER_MS		30000

struct ikev1_xchg *ikev1_xchg_new(struct ike_sa *sa, uint8_t type, uint32_t msgid,
				  bool initiator)
{
	struct ikev1_xchg *x = calloc(1, sizeof(*x));

	if (!x)
		return NULL;
	x->sa = sa;
	x->type = type;
	x->msgid = msgid;
	x->initiator = initiator;
	x->step = 1;
	x->first_ms = ike_now_ms();
	x->next = sa->v1->xchgs;
	sa->v1->xchgs = x;
	sa->v1->n_xchgs++;
	return x;
}

void ikev1_xchg_free(struct ikev1_xchg *x)
{
	struct ikev1_sa *v1 = x->sa->v1;
	struct ikev1_xchg **p;

	for (p = &v1->xchgs; *p; p = &(*p)->next) {
		if (*p == x) {
			*p = x->next;
			v1->n_xchgs--;
			break;
		}
	}
	ike_timer_cancel(&x->timer);
	/* A rekey that did not happen: the child may be rekeyed again. */
	if (x->rekey_spi && !x->done) {
		struct child_sa *old = ike_child_find_in(x->rekey_spi, NULL);

		if (old && old->rekey_pending) {
			old->rekey_pending = false;
			ikev1_child_rekey_later(old);
		}
	}
	ike_child_unreserve(&x->reserved);
	free(x->child);
	ike_dh_free(x->dh);
	free(x->out);
	free(x->gxi);
	free(x->gxr);
	if (x->gxy)
		OPENSSL_cleanse(x->gxy, x->gxy_len);
	free(x->gxy);
	free(x->sai_b);
	free(x->offer);
	free(x->idci);
	free(x->idcr);
	OPENSSL_cleanse(x, sizeof(*x));
	free(x);
}

struct ikev1_xchg *ikev1_xchg_find(struct ike_sa *sa, uint32_t msgid)
{
	struct ikev1_xchg *x;

	for (x = sa->v1->xchgs; x; x = x->next)
		if (x->msgid == msgid)
			return x;
	return NULL;
}

static void forget(struct ike_timer *t)
{
	ikev1_xchg_free(ike_timer_owner(t, struct ikev1_xchg, timer));
}

void ikev1_xchg_finish(struct ikev1_xchg *x)
{
	x->done = true;
	x->awaiting = false;
	/* What only the exchange needed goes now; its last message stays. */
	ike_dh_free(x->dh);
	x->dh = NULL;
	if (x->gxy)
		OPENSSL_cleanse(x->gxy, x->gxy_len);
	free(x->gxy);
	x->gxy = NULL;
	ike_timer_set(&x->timer, IKEV1_LINGER_MS, forget);
}

uint32_t ikev1_new_msgid(struct ike_sa *sa)
{
	uint32_t id;
	int tries = 0;

	do {
		if (ike_random(&id, sizeof(id)) || ++tries > 16)
			return 0;
	} while (!id || ikev1_xchg_find(sa, id));
	return id;
}

bool ikev1_msgid_seen(const struct ike_sa *sa, uint32_t msgid)
{
	size_t i;

	for (i = 0; i < sizeof(sa->v1->seen) / sizeof(sa->v1->seen[0]); i++)
		if (sa->v1->seen[i] == msgid)
			return true;
	return false;
}

void ikev1_msgid_remember(struct ike_sa *sa, uint32_t msgid)
{
	struct ikev1_sa *v1 = sa->v1;

	v1->seen[v1->seen_next] = msgid;
	v1->seen_next = (v1->seen_next + 1) % (sizeof(v1->seen) / sizeof(v1->seen[0]));
}

int ikev1_msgid_iv(struct ike_sa *sa, uint32_t msgid, uint8_t *iv)
{
	return isakmp_msgid_iv(sa->v1->keys.prf, sa->v1->p1_last, sa->v1->block, msgid, iv);
}

void ikev1_out_begin(struct ikev1_out *o, struct ikev1_xchg *x, bool encrypt)
{
	struct ike_sa *sa = x->sa;
	struct ike_header h = {
		.version = ISAKMP_VERSION,
		.exchange = x->type,
		.flags = encrypt ? ISAKMP_FLAG_ENCRYPTION : 0,
		.msgid = x->msgid,
	};

	memcpy(h.spi_i, sa->spi_i, 8);
	memcpy(h.spi_r, sa->spi_r, 8);
	ike_w_init(&o->w, o->buf, sizeof(o->buf));
	ike_w_header(&o->w, &h);
	o->encrypt = encrypt;
	o->hash_off = 0;
}

void ikev1_out_hash_slot(struct ikev1_out *o, struct ike_sa *sa)
{
	size_t off = ike_w_begin(&o->w, ISAKMP_PL_HASH, false);

	o->hash_off = ike_w_reserve(&o->w, sa->v1->keys.len);
	ike_w_end(&o->w, off);
	o->hash_end = o->w.len;
}

int ikev1_out_hash(struct ikev1_out *o, struct ikev1_xchg *x, const uint8_t *ni,
		   size_t ni_len)
{
	if (o->w.err || !o->hash_off)
		return -1;
	return isakmp_hash_msg(&x->sa->v1->keys, x->msgid, ni, ni_len, o->buf + o->hash_end,
			       o->w.len - o->hash_end, o->buf + o->hash_off) < 0 ? -1 : 0;
}

/* Finished and, when asked, encrypted under IV (which moves on); the length or -1. */
static int seal(struct ike_sa *sa, struct ikev1_out *o, uint8_t *iv)
{
	struct ikev1_sa *v1 = sa->v1;
	int len = ike_w_finish(&o->w), enc;

	if (len < 0)
		return -1;
	if (!o->encrypt)
		return len;
	enc = isakmp_encrypt(v1->encr, v1->keys.ka, v1->keys.ka_len, iv, o->buf + IKE_HDR_LEN,
			     (size_t)len - IKE_HDR_LEN, sizeof(o->buf) - IKE_HDR_LEN);
	if (enc < 0)
		return -1;
	len = IKE_HDR_LEN + enc;
	o->buf[24] = (uint8_t)(len >> 24);
	o->buf[25] = (uint8_t)(len >> 16);
	o->buf[26] = (uint8_t)(len >> 8);
	o->buf[27] = (uint8_t)len;
	return len;
}

static void transmit(struct ike_sa *sa, const uint8_t *buf, size_t len)
{
	ike_transmit(buf, len, &sa->remote, &sa->local);
	sa->stats.msgs_out++;
}

static uint32_t backoff_ms(const struct ikev1_xchg *x)
{
	uint64_t ms = (uint64_t)x->sa->gw->retransmit_base_ms << (x->tries < 6 ? x->tries : 6);

	return ms > 60000 ? 60000 : (uint32_t)ms;
}

static void retransmit(struct ike_timer *t)
{
	struct ikev1_xchg *x = ike_timer_owner(t, struct ikev1_xchg, timer);
	struct ike_sa *sa = x->sa;

	if (!x->awaiting || !x->out)
		return;
	if (x->tries >= sa->gw->retransmit_tries) {
		log_info("%s: %s message %u not answered after %u retransmissions", sa->gw->name,
			 isakmp_exchange_name(x->type) ?: "IKEv1", x->step, x->tries);
		if (x->type == ISAKMP_XCHG_QUICK && sa->state == IKE_SA_ESTABLISHED &&
		    (sa->v1->heard_since_up || sa->children)) {
			if (x->vpn)
				snprintf(x->vpn->last_error, sizeof(x->vpn->last_error),
					 "quick mode not answered");
			ikev1_xchg_free(x);
			return;
		}
		/*
		 * Nothing authentic came since phase 1 ended: the peer may never
		 * have had our last phase 1 message (aggressive mode's third is
		 * not retransmitted). A new phase 1 is the way out.
		 */
		ike_sa_kill(sa, "the peer did not answer");
		return;
	}
	x->tries++;
	sa->stats.retransmits++;
	transmit(sa, x->out, x->out_len);
	ike_timer_set(&x->timer, backoff_ms(x), retransmit);
}

int ikev1_send(struct ikev1_xchg *x, struct ikev1_out *o, bool await)
{
	int len = seal(x->sa, o, x->iv);
	uint8_t *copy;

	if (len < 0)
		return -1;
	copy = malloc((size_t)len);
	if (!copy)
		return -1;
	memcpy(copy, o->buf, (size_t)len);
	free(x->out);
	x->out = copy;
	x->out_len = (size_t)len;
	x->awaiting = await;
	x->tries = 0;
	x->sends++;
	transmit(x->sa, x->out, x->out_len);
	if (await)
		ike_timer_set(&x->timer, backoff_ms(x), retransmit);
	else
		ike_timer_cancel(&x->timer);
	return 0;
}

void ikev1_take_iv(struct ikev1_xchg *x, const struct ikev1_rx *in)
{
	if (in->encrypted)
		memcpy(x->iv, in->next_iv, sizeof(x->iv));
}

int ikev1_send_once(struct ike_sa *sa, struct ikev1_out *o, uint8_t *iv)
{
	int len = seal(sa, o, iv);

	if (len < 0)
		return -1;
	transmit(sa, o->buf, (size_t)len);
	return 0;
}

int ikev1_check_hash(struct ike_sa *sa, const struct ikev1_rx *in, const uint8_t *ni,
		     size_t ni_len)
{
	const uint8_t *got, *rest;
	size_t got_len, rest_len;
	uint8_t want[ISAKMP_HASH_MAX];

	if (isakmp_split_hash(in->m, in->rx->buf, &got, &got_len, &rest, &rest_len) ||
	    isakmp_hash_msg(&sa->v1->keys, in->m->hdr.msgid, ni, ni_len, rest, rest_len,
			    want) < 0 ||
	    !isakmp_hash_equal(&sa->v1->keys, want, got, got_len)) {
		ike_sa_drop(sa, IKE_DROP_INTEGRITY, &in->rx->from, "%s message %08x: bad HASH",
			    isakmp_exchange_name(in->m->hdr.exchange) ?: "IKEv1",
			    in->m->hdr.msgid);
		return -1;
	}
	return 0;
}
