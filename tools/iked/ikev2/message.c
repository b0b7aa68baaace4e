// SPDX-License-Identifier: GPL-2.0
/*
 * IKEv2 messages: header plus inner chain, sealed in SK once keys exist
 * (RFC 7296 3.14); the SK payload authenticated and opened on the way in,
 * where it must be the only payload outside (1.2: every message after
 * IKE_SA_INIT is protected; nothing in the clear beside it is acted on).
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "ike_sa.h"
#include "ikev2/ikev2.h"
#include "ikev2/fragment.h"
#include "ikev2/message.h"
#include "log.h"

/* A message is kept until answered or replaced: only its own length. */
static uint8_t *fit(uint8_t *buf, size_t len)
{
	uint8_t *small = realloc(buf, len);

	return small ?: buf;
}

void ikev2_message_header(const struct ike_sa *sa, uint8_t exchange, bool response,
			  uint32_t msgid, struct ike_header *h)
{
	memset(h, 0, sizeof(*h));
	h->version = IKE_VERSION_2;
	h->exchange = exchange;
	h->msgid = msgid;
	memcpy(h->spi_i, sa->spi_i, 8);
	memcpy(h->spi_r, sa->spi_r, 8);
	h->flags = (sa->initiator ? IKE_FLAG_INITIATOR : 0) |
		   (response ? IKE_FLAG_RESPONSE : 0);
}

uint8_t *ikev2_message_build(struct ike_sa *sa, uint8_t exchange, bool response,
			     uint32_t msgid, struct ike_writer *inner, size_t *out_len)
{
	size_t ilen = inner->len, body, iv;
	struct ike_header h;
	struct ike_writer w;
	uint8_t *buf;
	int len;

	if (inner->err)
		return NULL;
	ikev2_message_header(sa, exchange, response, msgid, &h);
	buf = malloc(IKE_MAX_MSG);
	if (!buf)
		return NULL;
	ike_w_init(&w, buf, IKE_MAX_MSG);
	ike_w_header(&w, &h);
	if (exchange == IKE_SA_INIT) {
		ike_w_put(&w, inner->buf, ilen);
		len = ike_w_finish(&w);
		if (len < 0)
			goto fail;
		buf[16] = ilen ? inner->first : IKE_PL_NONE;
		*out_len = len;
		return fit(buf, len);
	}
	if (!sa->keys_ready)
		goto fail;
	body = ike_w_sk(&w, ilen ? inner->first : IKE_PL_NONE,
			ike_sk_body_len(&sa->suite, ilen));
	len = ike_w_finish(&w);
	if (len < 0 || body == SIZE_MAX)
		goto fail;
	iv = ike_encr_iv_len(sa->suite.encr);
	memcpy(buf + body + iv, inner->buf, ilen);
	if (ike_sk_seal(&sa->keys, sa->initiator, buf, len, body, ilen))
		goto fail;
	*out_len = len;
	return fit(buf, len);
fail:
	log_err("%s: cannot build a message", sa->gw ? sa->gw->name : "-");
	free(buf);
	return NULL;
}

int ikev2_message_wire(struct ike_sa *sa, uint8_t exchange, bool response, uint32_t msgid,
		       struct ike_writer *inner, struct ike_wire *out)
{
	size_t len, limit = ikev2_frag_limit(sa, exchange);
	uint8_t *msg;

	memset(out, 0, sizeof(*out));
	msg = ikev2_message_build(sa, exchange, response, msgid, inner, &len);
	if (!msg)
		return -1;
	if (limit && len > limit - ikev2_frag_outer_len(sa)) {
		free(msg);
		if (ikev2_frag_build(sa, exchange, response, msgid, inner, limit, out)) {
			log_err("%s: cannot fragment a message of %zu bytes", sa->gw->name, len);
			return -1;
		}
		log_debug("%s: message %u (%zu bytes) sent in %u fragments", sa->gw->name,
			  msgid, len, out->n);
		return 0;
	}
	out->buf = msg;
	out->len = len;
	out->n = 1;
	return 0;
}

int ikev2_message_open(struct ike_sa *sa, struct ike_rx *rx, enum ike_drop_reason *why)
{
	const struct ike_payload *sk;
	const uint8_t *plain;
	size_t plain_len, body_off;
	bool sent_by_initiator = rx->outer.hdr.flags & IKE_FLAG_INITIATOR;
	int err;

	if (rx->outer.n != 1 || rx->outer.pl[0].type != IKE_PL_SK) {
		*why = ike_msg_find(&rx->outer, IKE_PL_SKF, NULL) ? IKE_DROP_FRAGMENT :
								    IKE_DROP_UNENCRYPTED;
		return -1;
	}
	/* The sender's keys are those of its role in this SA. */
	if (sent_by_initiator == sa->initiator) {
		*why = IKE_DROP_UNKNOWN_SPI;
		return -1;
	}
	sk = &rx->outer.pl[0];
	body_off = sk->offset + IKE_GENERIC_HDR_LEN;
	err = ike_sk_open(&sa->keys, sent_by_initiator, rx->buf, rx->len, body_off, sk->len,
			  &plain, &plain_len);
	if (err) {
		*why = IKE_DROP_INTEGRITY;
		return -1;
	}
	memset(&rx->inner, 0, sizeof(rx->inner));
	rx->inner.hdr = rx->outer.hdr;
	err = ike_parse_inner(plain, plain_len, rx->outer.sk_inner_next,
			      plain - rx->buf, &rx->inner);
	/* An unknown critical payload is the exchange's to answer. */
	if (err && err != IKE_E_CRITICAL) {
		rx->m = &rx->inner;
		rx->inner.n = 0;
		/* Authentic but unparseable: the rules below refuse it. */
		rx->inner.unsupported_critical = 0;
		*why = IKE_DROP_MALFORMED;
		return 1;
	}
	rx->m = &rx->inner;
	return 0;
}

void ikev2_log_msg(const char *dir, const struct ike_sa *sa, const struct ike_msg *m,
		   const struct sockaddr_storage *peer)
{
	char desc[512], addr[64];

	if (!ike_log_enabled(IKE_LOG_DEBUG))
		return;
	ike_msg_describe(m, desc, sizeof(desc));
	log_debug("%s %s %s %s", sa && sa->gw ? sa->gw->name : "-", dir,
		  ike_sockaddr_str(peer, addr, sizeof(addr)), desc);
}

void ikev2_log_sent(const struct ike_sa *sa, uint8_t exchange, bool response,
		    uint32_t msgid, const struct ike_writer *inner)
{
	struct ike_msg m;

	if (!ike_log_enabled(IKE_LOG_DEBUG))
		return;
	memset(&m, 0, sizeof(m));
	m.hdr.exchange = exchange;
	m.hdr.msgid = msgid;
	m.hdr.flags = response ? IKE_FLAG_RESPONSE : 0;
	if (inner->len &&
	    ike_parse_inner(inner->buf, inner->len, inner->first, 0, &m) < 0)
		return;
	ikev2_log_msg(exchange == IKE_SA_INIT ? "sends" : "sends (in SK)", sa, &m,
		      &sa->remote);
}
