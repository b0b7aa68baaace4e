// SPDX-License-Identifier: GPL-2.0
/*
 * Our requests and our answers: the per-SA queue behind the window of
 * one, sending and retransmitting with exponential backoff, binding the
 * response to the exchange in flight, and the cached answer to the peer's
 * last request (RFC 7296 2.1: a retransmitted request gets the same
 * bytes back, to the address the retransmission came from).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "engine/daemon.h"
#include "engine/exchange.h"
#include "ike_sa.h"
#include "ikev2/ikev2.h"
#include "ikev2/message.h"
#include "log.h"

/* The longest wait between IKE_SA_INIT retransmissions. */
#define INIT_RETRANSMIT_CAP_MS	4000

struct ike_xchg *ike_xchg_new(const struct ike_xchg_ops *ops, struct ike_sa *sa)
{
	struct ike_xchg *x = calloc(1, ops->size);

	if (!x)
		return NULL;
	x->ops = ops;
	x->sa = sa;
	return x;
}

void ike_xchg_free(struct ike_xchg *x)
{
	size_t size;

	if (!x)
		return;
	size = x->ops->size;
	if (x->ops->destroy)
		x->ops->destroy(x);
	/* Exchanges hold nonces and DH state: nothing of them survives. */
	OPENSSL_cleanse(x, size);
	free(x);
}

static void abort_and_free(struct ike_xchg *x)
{
	if (x->ops->abort)
		x->ops->abort(x);
	ike_xchg_free(x);
}

void ike_msg_digest(const uint8_t *buf, size_t len, uint8_t out[32])
{
	if (!EVP_Digest(buf, len, out, NULL, EVP_sha256(), NULL))
		memset(out, 0, 32);
}

void ike_wire_free(struct ike_wire *w)
{
	free(w->buf);
	free(w->sizes);
	memset(w, 0, sizeof(*w));
}

int ike_wire_send(const struct ike_wire *w, const struct sockaddr_storage *to,
		  const struct sockaddr_storage *from)
{
	size_t off = 0, len;
	unsigned int i;
	int err = 0, e;

	for (i = 0; i < w->n; i++) {
		len = w->n > 1 ? w->sizes[i] : w->len;
		e = ike_transmit(w->buf + off, len, to, from);
		err = err ?: e;
		off += len;
	}
	return err;
}

static void transmit(struct ike_sa *sa, const struct ike_wire *msg,
		     const struct sockaddr_storage *to, const struct sockaddr_storage *from)
{
	char addr[64];
	int err;

	err = ike_wire_send(msg, to, from);
	if (err)
		log_warn("%s: sending to %s: %s", sa->gw->name,
			 ike_sockaddr_str(to, addr, sizeof(addr)), strerror(-err));
	sa->stats.msgs_out++;
	if (msg->n > 1)
		sa->frags.sent += msg->n;
}

static void request_done(struct ike_exchanges *e)
{
	ike_timer_cancel(&e->retransmit);
	ike_wire_free(&e->req);
	e->active = NULL;
}

/*
 * Doubling from the gateway's base, but never beyond a minute (or the
 * base); IKE_SA_INIT never beyond INIT_RETRANSMIT_CAP_MS, so that a peer
 * that comes back is found within seconds. An exchange with its own
 * interval (DPD) keeps it.
 */
static uint64_t retransmit_interval(const struct ike_sa *sa, const struct ike_xchg *x,
				    unsigned int tries)
{
	uint64_t base = sa->gw->retransmit_base_ms, cap = base > 60000 ? base : 60000;

	if (x->resend_ms)
		return x->resend_ms;
	if (x->ops->exchange == IKE_SA_INIT)
		cap = base > INIT_RETRANSMIT_CAP_MS ? base : INIT_RETRANSMIT_CAP_MS;
	return tries >= 20 || (base << tries) > cap ? cap : base << tries;
}

static unsigned int retransmit_tries(const struct ike_sa *sa, const struct ike_xchg *x)
{
	return x->resend_ms ? x->resend_tries : sa->gw->retransmit_tries;
}

static void retransmit(struct ike_timer *t)
{
	struct ike_exchanges *e = ike_timer_owner(t, struct ike_exchanges, retransmit);
	struct ike_sa *sa = ike_timer_owner(e, struct ike_sa, xchg);
	struct ike_xchg *x = e->active;

	if (!x || !e->req.n)
		return;
	if (e->give_up) {
		log_err("%s: %s failed: %s", sa->gw->name, x->ops->name, sa->why);
		ike_sa_kill(sa, NULL);
		return;
	}
	if (e->tries >= retransmit_tries(sa, x)) {
		if (x->ops->liveness) {
			uint64_t silent = ike_now_ms() - sa->dpd.heard_ms;

			log_warn("%s: dead peer: %u liveness checks unanswered, nothing heard for "
				 "%" PRIu64 ".%" PRIu64 " s", sa->gw->name, e->tries + 1,
				 silent / 1000, silent % 1000 / 100);
			ike_sa_kill(sa, "dead peer (no answer to DPD)");
			return;
		}
		log_warn("%s: no answer to %s (message %u) after %u retransmissions",
			 sa->gw->name, x->ops->name, x->msgid, e->tries);
		ike_sa_kill(sa, "peer not responding");
		return;
	}
	e->tries++;
	sa->stats.retransmits++;
	log_info("%s: retransmitting %s, message %u (%u)", sa->gw->name,
		 x->ops->name, x->msgid, e->tries);
	transmit(sa, &e->req, &sa->remote, &sa->local);
	ike_timer_set(&e->retransmit, retransmit_interval(sa, x, e->tries), retransmit);
}

/* Builds X's request and sends it: X is then the exchange in flight. */
static int start(struct ike_sa *sa, struct ike_xchg *x)
{
	struct ike_exchanges *e = &sa->xchg;
	uint8_t *inner = malloc(IKE_MAX_MSG);
	bool init = x->ops->exchange == IKE_SA_INIT;
	struct ike_writer w = { .len = 0 };
	struct ike_wire msg = { .n = 0 };
	int err = -ENOMEM;

	if (!inner)
		goto out;
	x->msgid = init ? 0 : e->next_msgid;
	ike_w_init(&w, inner, IKE_MAX_MSG);
	err = x->ops->build_request(x, &w);
	if (err)
		goto out;
	err = -EINVAL;
	if (ikev2_message_wire(sa, x->ops->exchange, false, x->msgid, &w, &msg))
		goto out;
	/* Only IKE_SA_INIT's are kept, and those are never fragmented. */
	if (x->ops->sent && (err = x->ops->sent(x, msg.buf, msg.len)))
		goto out;
	ikev2_log_sent(sa, x->ops->exchange, false, x->msgid, &w);
	e->next_msgid = x->msgid + 1;
	e->active = x;
	e->req = msg;
	e->tries = 0;
	e->give_up = false;
	e->sent_ms = ike_now_ms();
	memset(&msg, 0, sizeof(msg));
	transmit(sa, &e->req, &sa->remote, &sa->local);
	ike_timer_set(&e->retransmit, retransmit_interval(sa, x, 0), retransmit);
	err = 0;
out:
	ike_wire_free(&msg);
	OPENSSL_cleanse(inner, w.len < IKE_MAX_MSG ? w.len : IKE_MAX_MSG);
	free(inner);
	return err;
}

void ike_xchg_kick(struct ike_sa *sa)
{
	struct ike_exchanges *e = &sa->xchg;
	struct ike_xchg *x;

	while (!e->active && !e->busy && e->queue && sa->state != IKE_SA_DEAD) {
		x = e->queue;
		if (x->ops->needs_established && sa->state != IKE_SA_ESTABLISHED &&
		    sa->state != IKE_SA_DELETING)
			return;
		e->queue = x->next;
		e->queued--;
		x->next = NULL;
		if (start(sa, x)) {
			log_err("%s: cannot send %s", sa->gw->name, x->ops->name);
			abort_and_free(x);
		}
	}
}

int ike_xchg_queue(struct ike_sa *sa, struct ike_xchg *x, bool front)
{
	struct ike_exchanges *e = &sa->xchg;
	struct ike_xchg **p;

	if (sa->state == IKE_SA_DEAD || (sa->state == IKE_SA_DELETING && !front)) {
		abort_and_free(x);
		return -EPIPE;
	}
	/* Deletes are never turned away: they end work rather than make it. */
	if (e->queued >= iked->cfg->limits.queued_exchanges && !x->ops->always_queued) {
		log_warn("%s: %u exchanges queued already; %s not sent", sa->gw->name,
			 e->queued, x->ops->name);
		abort_and_free(x);
		return -ENOSPC;
	}
	if (front) {
		x->next = e->queue;
		e->queue = x;
	} else {
		for (p = &e->queue; *p; p = &(*p)->next)
			;
		*p = x;
	}
	e->queued++;
	ike_xchg_kick(sa);
	return 0;
}

struct ike_xchg *ike_xchg_find_queued(struct ike_sa *sa, const struct ike_xchg_ops *ops)
{
	struct ike_xchg *x;

	for (x = sa->xchg.queue; x; x = x->next)
		if (x->ops == ops)
			return x;
	return NULL;
}

bool ike_xchg_active_is(const struct ike_sa *sa, const struct ike_xchg_ops *ops)
{
	return sa->xchg.active && sa->xchg.active->ops == ops;
}

bool ike_xchg_pending(const struct ike_sa *sa, const struct ike_xchg_ops *ops)
{
	const struct ike_xchg *x;

	if (sa->xchg.active && sa->xchg.active->ops == ops)
		return true;
	for (x = sa->xchg.queue; x; x = x->next)
		if (x->ops == ops)
			return true;
	return false;
}

void ike_xchg_flush(struct ike_sa *sa)
{
	struct ike_exchanges *e = &sa->xchg;
	struct ike_xchg *x;

	if ((x = e->active)) {
		request_done(e);
		abort_and_free(x);
	}
	while ((x = e->queue)) {
		e->queue = x->next;
		abort_and_free(x);
	}
	e->queued = 0;
	ike_wire_free(&e->resp);
	e->have_resp = false;
}

void ike_xchg_response(struct ike_sa *sa, struct ike_rx *rx)
{
	struct ike_exchanges *e = &sa->xchg;
	struct ike_xchg *x = e->active;
	enum ike_xchg_status st;

	st = x->ops->process_response(x, rx);
	/* The exchange ended its own SA: the kill freed it with the rest. */
	if (sa->state == IKE_SA_DEAD)
		return;
	switch (st) {
	case IKE_XCHG_IGNORE:
		ike_sa_drop(sa, IKE_DROP_INVALID, &rx->from, "%s response %u not usable",
			    x->ops->name, x->msgid);
		return;
	case IKE_XCHG_RESEND:
		request_done(e);
		if (start(sa, x)) {
			abort_and_free(x);
			ike_sa_kill(sa, "cannot send the request again");
		}
		return;
	case IKE_XCHG_DONE:
	case IKE_XCHG_REFUSE:
		request_done(e);
		ike_xchg_free(x);
		return;
	case IKE_XCHG_FATAL:
		request_done(e);
		ike_xchg_free(x);
		ike_sa_kill(sa, NULL);
		return;
	}
}

int ike_xchg_respond(struct ike_sa *sa, const struct ike_rx *rx, struct ike_writer *inner,
		     const uint8_t **out, size_t *out_len)
{
	struct ike_exchanges *e = &sa->xchg;
	const struct ike_header *h = &rx->outer.hdr;
	struct ike_wire msg;

	if (ikev2_message_wire(sa, h->exchange, true, h->msgid, inner, &msg))
		return -EINVAL;
	ikev2_log_sent(sa, h->exchange, true, h->msgid, inner);
	transmit(sa, &msg, &rx->from, &rx->local);
	ike_wire_free(&e->resp);
	e->resp = msg;
	e->resp_msgid = h->msgid;
	e->have_resp = true;
	e->resends = 0;
	/* Taken before SK was opened in place: the bytes as they came. */
	memcpy(e->req_digest, rx->digest, sizeof(e->req_digest));
	e->peer_msgid = h->msgid + 1;
	if (out)
		*out = e->resp.buf;
	if (out_len)
		*out_len = e->resp.len;
	return 0;
}

void ike_send_stateless_notify(const struct ike_rx *rx, uint16_t type,
			       const void *data, size_t len, bool keep_spi_r)
{
	struct ike_header h = {
		.version = IKE_VERSION_2,
		.exchange = rx->outer.hdr.exchange,
		.flags = IKE_FLAG_RESPONSE,
		.msgid = rx->outer.hdr.msgid,
	};
	uint8_t buf[256];
	struct ike_writer w;
	int n;

	/* We answer as the other side of whatever the sender claims to be. */
	if (!(rx->outer.hdr.flags & IKE_FLAG_INITIATOR))
		h.flags |= IKE_FLAG_INITIATOR;
	memcpy(h.spi_i, rx->outer.hdr.spi_i, 8);
	if (keep_spi_r)
		memcpy(h.spi_r, rx->outer.hdr.spi_r, 8);
	ike_w_init(&w, buf, sizeof(buf));
	ike_w_header(&w, &h);
	ike_w_notify(&w, 0, NULL, 0, type, data, len);
	n = ike_w_finish(&w);
	if (n > 0)
		ike_transmit(buf, n, &rx->from, &rx->local);
}
