// SPDX-License-Identifier: GPL-2.0
/*
 * IKEv2 fragmentation (RFC 7383). Out: the inner chain cut into pieces
 * that fit the fragmentation size as whole IP datagrams, each piece in an
 * SKF payload sealed like an SK payload (its Fragment Number and Total
 * Fragments authenticated with the header). In: each fragment verified
 * and decrypted on its own, kept per IKE SA and direction until the
 * message is whole; a fragment of a later message, or one that says the
 * message has more fragments than before (the sender cut it smaller),
 * starts over; one that says fewer is dropped (2.6.1).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/crypto.h"
#include "ike_sa.h"
#include "ikev2/fragment.h"
#include "ikev2/ikev2.h"
#include "ikev2/message.h"
#include "log.h"

#define SKF_FIELDS_LEN	4	/* Fragment Number, Total Fragments */

size_t ikev2_frag_outer_len(const struct ike_sa *sa)
{
	size_t ip = sa->remote.ss_family == AF_INET6 ? 40 : 20, udp = 8;

	/*
	 * The non-ESP marker is counted whatever the port: an answer goes
	 * from where the request came, which may be 4500 before the SA's
	 * own ports have moved there.
	 */
	return ip + udp + (iked->net.natt_port ? 4 : 0);
}

size_t ikev2_frag_limit(const struct ike_sa *sa, uint8_t exchange)
{
	if (exchange == IKE_SA_INIT || !sa->gw->fragmentation || !sa->peer.fragmentation)
		return 0;
	if (sa->gw->fragmentation_size)
		return sa->gw->fragmentation_size;
	/* Junos' defaults, the RFC 7383 2.5.1 sizes: what every link must carry. */
	return sa->remote.ss_family == AF_INET6 ? 1280 : 576;
}

/* The most plaintext one fragment of ROOM bytes (IKE message) can carry. */
static size_t chunk_size(const struct ike_suite *suite, size_t room)
{
	size_t fixed = IKE_HDR_LEN + IKE_GENERIC_HDR_LEN + SKF_FIELDS_LEN, c;

	if (room <= fixed)
		return 0;
	for (c = room - fixed; c; c--) {
		size_t body = ike_sk_body_len(suite, c);

		if (body && body <= room - fixed)
			return c;
	}
	return 0;
}

int ikev2_frag_build(struct ike_sa *sa, uint8_t exchange, bool response, uint32_t msgid,
		     const struct ike_writer *inner, size_t limit, struct ike_wire *out)
{
	size_t room = limit - ikev2_frag_outer_len(sa), iv = ike_encr_iv_len(sa->suite.encr);
	size_t chunk = chunk_size(&sa->suite, room), off = 0, used = 0, n, body;
	struct ike_header h;
	struct ike_writer w;
	unsigned int i, total;
	int len;

	memset(out, 0, sizeof(*out));
	if (!chunk || inner->err || !sa->keys_ready)
		return -1;
	total = (inner->len + chunk - 1) / chunk;
	if (!total || total > IKE_FRAG_MAX_COUNT)
		return -1;
	out->buf = malloc(total * room);
	out->sizes = calloc(total, sizeof(*out->sizes));
	if (!out->buf || !out->sizes)
		goto fail;
	ikev2_message_header(sa, exchange, response, msgid, &h);
	for (i = 0; i < total; i++, off += n) {
		n = inner->len - off < chunk ? inner->len - off : chunk;
		ike_w_init(&w, out->buf + used, room);
		ike_w_header(&w, &h);
		/* Only the first fragment names the inner chain's first payload. */
		body = ike_w_skf(&w, i ? IKE_PL_NONE : inner->first, i + 1, total,
				 ike_sk_body_len(&sa->suite, n));
		len = ike_w_finish(&w);
		if (len < 0 || body == SIZE_MAX)
			goto fail;
		memcpy(out->buf + used + body + iv, inner->buf + off, n);
		if (ike_sk_seal(&sa->keys, sa->initiator, out->buf + used, len, body, n))
			goto fail;
		out->sizes[i] = len;
		used += len;
	}
	out->len = used;
	out->n = total;
	return 0;
fail:
	ike_wire_free(out);
	return -1;
}

bool ikev2_is_fragment(const struct ike_rx *rx)
{
	return rx->outer.n == 1 && rx->outer.pl[0].type == IKE_PL_SKF;
}

unsigned int ikev2_fragment_number(const struct ike_rx *rx)
{
	uint16_t num, total;
	const uint8_t *rest;
	size_t len;

	if (!ikev2_is_fragment(rx) ||
	    ike_decode_skf(&rx->outer.pl[0], &num, &total, &rest, &len))
		return 0;
	return num;
}

/* Checks and decrypts RX's fragment in place: its plaintext, or NULL. */
static const uint8_t *open_fragment(struct ike_sa *sa, struct ike_rx *rx, size_t *plain_len)
{
	const struct ike_payload *pl = &rx->outer.pl[0];
	bool sent_by_initiator = rx->outer.hdr.flags & IKE_FLAG_INITIATOR;
	const uint8_t *plain;

	/* The sender's keys are those of its role in this SA. */
	if (!sa->keys_ready || sent_by_initiator == sa->initiator || pl->len < SKF_FIELDS_LEN)
		return NULL;
	if (ike_sk_open(&sa->keys, sent_by_initiator, rx->buf, rx->len,
			pl->offset + IKE_GENERIC_HDR_LEN + SKF_FIELDS_LEN,
			pl->len - SKF_FIELDS_LEN, &plain, plain_len))
		return NULL;
	return plain;
}

bool ikev2_frag_authentic(struct ike_sa *sa, struct ike_rx *rx)
{
	size_t len;

	return ikev2_is_fragment(rx) && open_fragment(sa, rx, &len);
}

/* Whether the peer has proved who it is: before that, less is kept for it. */
static bool authenticated(const struct ike_sa *sa)
{
	return sa->state == IKE_SA_ESTABLISHED || sa->state == IKE_SA_DELETING;
}

static void reassembly_free(struct ike_reassembly *r)
{
	unsigned int i;

	if (!r)
		return;
	ike_timer_cancel(&r->timer);
	for (i = 0; i < r->total; i++) {
		if (r->part[i])
			OPENSSL_cleanse(r->part[i], r->part_len[i]);
		free(r->part[i]);
	}
	if (r->whole)
		OPENSSL_cleanse(r->whole, r->bytes);
	free(r->whole);
	iked->frag_bytes -= r->bytes;
	free(r->part);
	free(r->part_len);
	free(r);
}

static void discard(struct ike_sa *sa, bool response)
{
	reassembly_free(sa->frag[response]);
	sa->frag[response] = NULL;
}

/* Not whole in time: what came goes, and the sender's retransmission starts anew. */
static void expired(struct ike_timer *t)
{
	struct ike_reassembly *r = ike_timer_owner(t, struct ike_reassembly, timer);
	struct ike_sa *sa = r->sa;

	sa->frags.expired++;
	ike_sa_drop(sa, IKE_DROP_FRAGMENT, &sa->remote,
		    "%s %u: %u of %u fragments in %u s", r->response ? "response" : "request",
		    r->msgid, r->have, r->total, IKE_FRAG_TIMEOUT_MS / 1000);
	discard(sa, r->response);
}

static struct ike_reassembly *reassembly_new(struct ike_sa *sa, bool response, uint32_t msgid,
					     uint16_t total)
{
	struct ike_reassembly *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->part = calloc(total, sizeof(*r->part));
	r->part_len = calloc(total, sizeof(*r->part_len));
	if (!r->part || !r->part_len) {
		free(r->part);
		free(r->part_len);
		free(r);
		return NULL;
	}
	r->sa = sa;
	r->response = response;
	r->msgid = msgid;
	r->total = total;
	ike_timer_set(&r->timer, IKE_FRAG_TIMEOUT_MS, expired);
	return r;
}

/* All fragments are in: the inner chain in one piece, parsed into RX. */
static enum ike_frag_result assemble(struct ike_reassembly *r, struct ike_rx *rx)
{
	size_t off = 0;
	unsigned int i;
	int err;

	r->whole = malloc(r->bytes ?: 1);
	if (!r->whole)
		return IKE_FRAG_DROP;
	for (i = 0; i < r->total; i++) {
		memcpy(r->whole + off, r->part[i], r->part_len[i]);
		off += r->part_len[i];
		OPENSSL_cleanse(r->part[i], r->part_len[i]);
		free(r->part[i]);
		r->part[i] = NULL;
	}
	ike_timer_cancel(&r->timer);
	r->sa->frags.reassembled++;
	memset(&rx->inner, 0, sizeof(rx->inner));
	rx->inner.hdr = rx->outer.hdr;
	rx->m = &rx->inner;
	err = ike_parse_inner(r->whole, r->bytes, r->first, 0, &rx->inner);
	/* An unknown critical payload is the exchange's to answer. */
	if (err && err != IKE_E_CRITICAL) {
		rx->inner.n = 0;
		rx->inner.unsupported_critical = 0;
		return IKE_FRAG_MALFORMED;
	}
	return IKE_FRAG_COMPLETE;
}

enum ike_frag_result ikev2_frag_receive(struct ike_sa *sa, struct ike_rx *rx,
					enum ike_drop_reason *why)
{
	bool response = rx->outer.hdr.flags & IKE_FLAG_RESPONSE;
	uint32_t msgid = rx->outer.hdr.msgid;
	struct ike_reassembly *r;
	const uint8_t *plain, *rest;
	uint16_t num, total;
	size_t len, max;

	/* We never announced support: nothing to reassemble with. */
	if (!sa->gw->fragmentation) {
		*why = IKE_DROP_FRAGMENT;
		return IKE_FRAG_DROP;
	}
	if (ike_decode_skf(&rx->outer.pl[0], &num, &total, &rest, &len)) {
		*why = IKE_DROP_MALFORMED;
		return IKE_FRAG_DROP;
	}
	if (total > (authenticated(sa) ? IKE_FRAG_MAX_COUNT : IKE_FRAG_UNAUTH_COUNT)) {
		*why = IKE_DROP_FRAGMENT;
		return IKE_FRAG_DROP;
	}
	r = sa->frag[response];
	/* Cheap refusals before the decryption: neither changes what is kept. */
	if (r && r->msgid == msgid && (total < r->total || r->whole)) {
		*why = IKE_DROP_FRAGMENT;
		return IKE_FRAG_DROP;
	}
	plain = open_fragment(sa, rx, &len);
	if (!plain) {
		*why = IKE_DROP_INTEGRITY;
		return IKE_FRAG_DROP;
	}
	sa->frags.received++;
	/* Verified: a later message, or this one cut smaller, starts over. */
	if (r && (r->msgid != msgid || total > r->total)) {
		discard(sa, response);
		r = NULL;
	}
	if (!r) {
		r = reassembly_new(sa, response, msgid, total);
		if (!r) {
			*why = IKE_DROP_FRAGMENT;
			return IKE_FRAG_DROP;
		}
		sa->frag[response] = r;
	}
	if (r->part[num - 1])
		return IKE_FRAG_KEPT;	/* a retransmission of one we have */
	max = authenticated(sa) ? IKE_FRAG_MAX_BYTES : IKE_FRAG_UNAUTH_BYTES;
	if (r->bytes + len > max || iked->frag_bytes + len > IKE_FRAG_BUDGET) {
		log_warn("%s: %s %u grows past %zu bytes in fragments%s: dropped", sa->gw->name,
			 response ? "response" : "request", msgid, max,
			 r->bytes + len > max ? "" : " (or past the daemon's budget)");
		discard(sa, response);
		*why = IKE_DROP_FRAGMENT;
		return IKE_FRAG_DROP;
	}
	r->part[num - 1] = malloc(len ?: 1);
	if (!r->part[num - 1]) {
		*why = IKE_DROP_FRAGMENT;
		return IKE_FRAG_DROP;
	}
	memcpy(r->part[num - 1], plain, len);
	r->part_len[num - 1] = len;
	r->bytes += len;
	iked->frag_bytes += len;
	r->have++;
	if (num == 1) {
		r->first = rx->outer.sk_inner_next;
		/* A request is known again by its first fragment (2.6.1). */
		memcpy(r->digest1, rx->digest, sizeof(r->digest1));
	}
	log_debug("%s: fragment %u of %u of %s %u", sa->gw->name, num, total,
		  response ? "response" : "request", msgid);
	if (r->have < r->total)
		return IKE_FRAG_KEPT;
	memcpy(rx->digest, r->digest1, sizeof(rx->digest));
	log_debug("%s: %s %u reassembled from %u fragments, %zu bytes", sa->gw->name,
		  response ? "response" : "request", msgid, total, r->bytes);
	*why = IKE_DROP_FRAGMENT;	/* no memory for the whole */
	return assemble(r, rx);
}

void ikev2_frag_done(struct ike_sa *sa, bool response)
{
	if (sa->frag[response] && sa->frag[response]->whole)
		discard(sa, response);
}

void ikev2_frag_stop(struct ike_sa *sa)
{
	unsigned int i;

	for (i = 0; i < 2; i++)
		if (sa->frag[i])
			ike_timer_cancel(&sa->frag[i]->timer);
}

void ikev2_frag_free(struct ike_sa *sa)
{
	discard(sa, false);
	discard(sa, true);
}
