// SPDX-License-Identifier: GPL-2.0
/*
 * What every IKEv2 exchange shares: turning an inner payload chain into a
 * message (encrypted in SK once keys exist), message IDs with a window of
 * one each way, retransmission of our requests with exponential backoff,
 * and the receive path that finds the SA, drops replays and forgeries,
 * answers retransmitted requests from the cache and dispatches the rest.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "crypto/crypto.h"
#include "engine/exchange.h"
#include "ikev2/ikev2.h"
#include "log.h"

struct ike_daemon iked;

int ike_random(void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = getrandom(p, len, 0);

		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

const char *ike_error_name(uint16_t type)
{
	static const struct { uint16_t type; const char *name; } names[] = {
		{ IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD, "UNSUPPORTED_CRITICAL_PAYLOAD" },
		{ IKE_N_INVALID_IKE_SPI, "INVALID_IKE_SPI" },
		{ IKE_N_INVALID_MAJOR_VERSION, "INVALID_MAJOR_VERSION" },
		{ IKE_N_INVALID_SYNTAX, "INVALID_SYNTAX" },
		{ IKE_N_INVALID_MESSAGE_ID, "INVALID_MESSAGE_ID" },
		{ IKE_N_INVALID_SPI, "INVALID_SPI" },
		{ IKE_N_NO_PROPOSAL_CHOSEN, "NO_PROPOSAL_CHOSEN" },
		{ IKE_N_INVALID_KE_PAYLOAD, "INVALID_KE_PAYLOAD" },
		{ IKE_N_AUTHENTICATION_FAILED, "AUTHENTICATION_FAILED" },
		{ IKE_N_SINGLE_PAIR_REQUIRED, "SINGLE_PAIR_REQUIRED" },
		{ IKE_N_NO_ADDITIONAL_SAS, "NO_ADDITIONAL_SAS" },
		{ IKE_N_INTERNAL_ADDRESS_FAILURE, "INTERNAL_ADDRESS_FAILURE" },
		{ IKE_N_FAILED_CP_REQUIRED, "FAILED_CP_REQUIRED" },
		{ IKE_N_TS_UNACCEPTABLE, "TS_UNACCEPTABLE" },
		{ IKE_N_INVALID_SELECTORS, "INVALID_SELECTORS" },
		{ IKE_N_TEMPORARY_FAILURE, "TEMPORARY_FAILURE" },
		{ IKE_N_CHILD_SA_NOT_FOUND, "CHILD_SA_NOT_FOUND" },
	};
	unsigned int i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].type == type)
			return names[i].name;
	return ike_notify_name(type) ?: "an error notify";
}

uint16_t ike_msg_error(const struct ike_msg *m)
{
	const struct ike_payload *pl = NULL;
	struct ike_notify n;

	while ((pl = ike_msg_find(m, IKE_PL_NOTIFY, pl)))
		if (!ike_decode_notify(pl, &n) && n.type <= IKE_N_ERROR_MAX)
			return n.type;
	return 0;
}

void ike_log_msg(const char *dir, const struct ike_sa *sa, const struct ike_msg *m,
		 const struct sockaddr_storage *peer)
{
	char desc[512], addr[64];

	if (!ike_log_enabled(IKE_LOG_DEBUG))
		return;
	ike_msg_describe(m, desc, sizeof(desc));
	log_debug("%s %s %s %s", sa && sa->gw ? sa->gw->name : "-", dir,
		  ike_sockaddr_str(peer, addr, sizeof(addr)), desc);
}

/*
 * Header, then the inner chain: in the clear before keys exist, else in an
 * SK payload. Returns a malloc'd message.
 */
static uint8_t *build(struct ike_sa *sa, uint8_t exchange, bool response,
		      uint32_t msgid, struct ike_writer *inner, size_t *out_len)
{
	struct ike_header h = {
		.version = IKE_VERSION_2,
		.exchange = exchange,
		.msgid = msgid,
	};
	size_t ilen = inner->len, body, iv;
	struct ike_writer w;
	uint8_t *buf;
	int len;

	if (inner->err)
		return NULL;
	memcpy(h.spi_i, sa->spi_i, 8);
	memcpy(h.spi_r, sa->spi_r, 8);
	h.flags = (sa->initiator ? IKE_FLAG_INITIATOR : 0) |
		  (response ? IKE_FLAG_RESPONSE : 0);
	buf = malloc(IKE_MAX_MSG);
	if (!buf)
		return NULL;
	ike_w_init(&w, buf, IKE_MAX_MSG);
	ike_w_header(&w, &h);
	if (!sa->keys_ready) {
		ike_w_put(&w, inner->buf, ilen);
		len = ike_w_finish(&w);
		if (len < 0)
			goto fail;
		buf[16] = ilen ? inner->first : IKE_PL_NONE;
		*out_len = len;
		return buf;
	}
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
	return buf;
fail:
	log_err("%s: cannot build a message", sa->gw ? sa->gw->name : "-");
	free(buf);
	return NULL;
}

static void log_sent(struct ike_sa *sa, uint8_t exchange, bool response,
		     uint32_t msgid, struct ike_writer *inner)
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
	ike_log_msg(sa->keys_ready ? "sends (in SK)" : "sends", sa, &m, &sa->remote);
}

static void transmit(struct ike_sa *sa, const uint8_t *msg, size_t len)
{
	char addr[64];
	int err;

	err = ike_net_send(&iked.net, msg, len, &sa->remote, &sa->local);
	if (err)
		log_warn("%s: sending to %s: %s", sa->gw->name,
			 ike_sockaddr_str(&sa->remote, addr, sizeof(addr)),
			 strerror(-err));
	sa->msgs_out++;
}

static void retransmit(struct ike_timer *t)
{
	struct ike_sa *sa = (struct ike_sa *)((char *)t -
			     offsetof(struct ike_sa, req.timer));
	struct ike_request *r = &sa->req;

	if (!r->msg)
		return;
	if (r->tries >= sa->gw->retransmit_tries) {
		log_warn("%s: no answer from the peer after %u retransmissions",
			 sa->gw->name, r->tries);
		ike_sa_kill(sa, "peer not responding");
		return;
	}
	r->tries++;
	sa->retransmits++;
	log_info("%s: retransmitting request %u (%u)", sa->gw->name, r->msgid, r->tries);
	transmit(sa, r->msg, r->len);
	ike_timer_set(&r->timer, (uint64_t)sa->gw->retransmit_base_ms << r->tries,
		      retransmit);
}

int ike_send_request(struct ike_sa *sa, uint8_t exchange, struct ike_writer *inner)
{
	struct ike_request *r = &sa->req;
	uint8_t *msg;
	size_t len;

	if (r->msg) {
		log_err("%s: a request is already in flight", sa->gw->name);
		return -1;
	}
	msg = build(sa, exchange, false, sa->next_msgid, inner, &len);
	if (!msg)
		return -1;
	log_sent(sa, exchange, false, sa->next_msgid, inner);
	r->msg = msg;
	r->len = len;
	r->msgid = sa->next_msgid++;
	r->tries = 0;
	if (exchange == IKE_SA_INIT) {
		free(sa->init_req);
		sa->init_req = malloc(len);
		if (!sa->init_req)
			return -1;
		memcpy(sa->init_req, msg, len);
		sa->init_req_len = len;
	}
	transmit(sa, msg, len);
	ike_timer_set(&r->timer, sa->gw->retransmit_base_ms, retransmit);
	return 0;
}

/* The request is answered: stop retransmitting it. */
static void request_done(struct ike_sa *sa)
{
	ike_timer_cancel(&sa->req.timer);
	free(sa->req.msg);
	sa->req.msg = NULL;
}

int ike_send_response(struct ike_sa *sa, uint8_t exchange, uint32_t msgid,
		      struct ike_writer *inner)
{
	uint8_t *msg;
	size_t len;

	msg = build(sa, exchange, true, msgid, inner, &len);
	if (!msg)
		return -1;
	log_sent(sa, exchange, true, msgid, inner);
	if (exchange == IKE_SA_INIT) {
		free(sa->init_resp);
		sa->init_resp = malloc(len);
		if (!sa->init_resp) {
			free(msg);
			return -1;
		}
		memcpy(sa->init_resp, msg, len);
		sa->init_resp_len = len;
	}
	transmit(sa, msg, len);
	/* Kept for the peer's retransmissions of this request. */
	free(sa->last_resp);
	sa->last_resp = msg;
	sa->last_resp_len = len;
	sa->last_resp_msgid = msgid;
	sa->have_last_resp = true;
	sa->peer_msgid = msgid + 1;
	return 0;
}

void ike_send_stateless_notify(const struct ike_rx *rx, uint16_t type,
			       const void *data, size_t len)
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

	memcpy(h.spi_i, rx->outer.hdr.spi_i, 8);
	ike_w_init(&w, buf, sizeof(buf));
	ike_w_header(&w, &h);
	ike_w_notify(&w, 0, NULL, 0, type, data, len);
	n = ike_w_finish(&w);
	if (n > 0)
		ike_net_send(&iked.net, buf, n, &rx->from, &rx->local);
}

/* Opens the SK payload of RX in place; RX->m points at the inner chain. */
static int open_sk(struct ike_sa *sa, struct ike_rx *rx)
{
	const struct ike_payload *sk = ike_msg_find(&rx->outer, IKE_PL_SK, NULL);
	const uint8_t *plain;
	size_t plain_len, body_off;
	int err;

	if (!sk) {
		rx->m = &rx->outer;
		return 0;
	}
	if (!sa->keys_ready)
		return -1;
	body_off = sk->offset + IKE_GENERIC_HDR_LEN;
	err = ike_sk_open(&sa->keys, !sa->initiator, rx->buf, rx->len, body_off,
			  sk->len, &plain, &plain_len);
	if (err) {
		log_warn("%s: message %u failed its integrity check, dropped",
			 sa->gw->name, rx->outer.hdr.msgid);
		return -1;
	}
	memset(&rx->inner, 0, sizeof(rx->inner));
	rx->inner.hdr = rx->outer.hdr;
	err = ike_parse_inner(plain, plain_len, rx->outer.sk_inner_next,
			      plain - rx->buf, &rx->inner);
	if (err < 0) {
		log_warn("%s: malformed payloads in message %u: %s", sa->gw->name,
			 rx->outer.hdr.msgid, ike_err_str(err));
		return err;
	}
	rx->m = &rx->inner;
	return 0;
}

static void dispatch_request(struct ike_sa *sa, struct ike_rx *rx)
{
	switch (rx->outer.hdr.exchange) {
	case IKE_AUTH:
		if (sa->state == IKE_SA_INIT_DONE && !sa->initiator) {
			ike_auth_respond(sa, rx);
			return;
		}
		break;
	case IKE_INFORMATIONAL:
		if (sa->state == IKE_SA_ESTABLISHED || sa->state == IKE_SA_DELETING) {
			ike_info_respond(sa, rx);
			return;
		}
		break;
	case IKE_CREATE_CHILD_SA:
		if (sa->state == IKE_SA_ESTABLISHED) {
			ike_create_child_respond(sa, rx);
			return;
		}
		break;
	}
	log_warn("%s: unexpected %s request in state %s, dropped", sa->gw->name,
		 ike_exchange_name(rx->outer.hdr.exchange) ?: "unknown",
		 ike_sa_state_name(sa->state));
	sa->bad_msgs++;
}

static void dispatch_response(struct ike_sa *sa, struct ike_rx *rx)
{
	uint8_t exchange = rx->outer.hdr.exchange;

	request_done(sa);
	if (exchange == IKE_SA_INIT && sa->state == IKE_SA_INIT_SENT)
		ike_init_response(sa, rx);
	else if (exchange == IKE_AUTH && sa->state == IKE_SA_AUTH_SENT)
		ike_auth_response(sa, rx);
	else if (exchange == IKE_CREATE_CHILD_SA && sa->state == IKE_SA_ESTABLISHED)
		ike_create_child_response(sa, rx);
	else if (exchange == IKE_INFORMATIONAL)
		ike_info_response(sa, rx);
	else
		log_warn("%s: unexpected %s response, dropped", sa->gw->name,
			 ike_exchange_name(exchange) ?: "unknown");
}

/* An unknown critical payload in a request: RFC 7296 2.5. */
static bool reject_critical(struct ike_sa *sa, struct ike_rx *rx, bool response)
{
	uint8_t type = rx->m->unsupported_critical;
	struct ike_writer w;
	uint8_t buf[64];

	if (!type)
		return false;
	log_warn("%s: unsupported critical payload %u in message %u",
		 sa ? sa->gw->name : "-", type, rx->outer.hdr.msgid);
	if (response)
		return true;
	if (!sa || !sa->keys_ready) {
		ike_send_stateless_notify(rx, IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD,
					  &type, 1);
		return true;
	}
	ike_w_init(&w, buf, sizeof(buf));
	ike_w_notify(&w, 0, NULL, 0, IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD, &type, 1);
	ike_send_response(sa, rx->outer.hdr.exchange, rx->outer.hdr.msgid, &w);
	return true;
}

void ike_receive(uint8_t *buf, size_t len, const struct sockaddr_storage *from,
		 const struct sockaddr_storage *local)
{
	static struct ike_rx rx;	/* large; the loop is single-threaded */
	const struct ike_header *h;
	bool response, from_initiator;
	char addr[64];
	struct ike_sa *sa;
	int err;

	memset(&rx, 0, sizeof(rx));
	rx.buf = buf;
	rx.len = len;
	rx.from = *from;
	rx.local = *local;
	err = ike_parse_msg(buf, len, &rx.outer);
	if (err == IKE_E_CRITICAL && rx.outer.hdr.length == len)
		err = 0;	/* answered below, once we know the SA */
	if (err) {
		log_warn("malformed message from %s (%zu bytes): %s, dropped",
			 ike_sockaddr_str(from, addr, sizeof(addr)), len,
			 ike_err_str(err));
		iked.dropped++;
		return;
	}
	rx.m = &rx.outer;
	h = &rx.outer.hdr;
	response = h->flags & IKE_FLAG_RESPONSE;
	from_initiator = h->flags & IKE_FLAG_INITIATOR;

	if (h->exchange == IKE_SA_INIT && !response) {
		static const uint8_t zero[8];

		if (!from_initiator || memcmp(h->spi_r, zero, 8) || h->msgid) {
			iked.dropped++;
			return;
		}
		sa = ike_sa_find_half_open(h->spi_i, from);
		if (sa) {
			/* Our answer got lost: the same again. */
			if (sa->have_last_resp && sa->last_resp_msgid == 0)
				ike_net_send(&iked.net, sa->last_resp,
					     sa->last_resp_len, &sa->remote, &sa->local);
			return;
		}
		if (reject_critical(NULL, &rx, false))
			return;
		ike_log_msg("received", NULL, &rx.outer, from);
		ike_init_respond(&rx);
		return;
	}

	sa = ike_sa_find(h->spi_i, h->spi_r, from_initiator);
	if (!sa) {
		log_info("message for an unknown IKE SA from %s, dropped",
			 ike_sockaddr_str(from, addr, sizeof(addr)));
		iked.dropped++;
		return;
	}
	sa->msgs_in++;
	if (response) {
		if (!sa->req.msg || h->msgid != sa->req.msgid) {
			sa->bad_msgs++;
			return;		/* late or forged: not the one we wait for */
		}
	} else if (sa->have_last_resp && h->msgid == sa->last_resp_msgid) {
		transmit(sa, sa->last_resp, sa->last_resp_len);
		return;
	} else if (h->msgid != sa->peer_msgid) {
		log_warn("%s: request %u out of window (expected %u), dropped",
			 sa->gw->name, h->msgid, sa->peer_msgid);
		sa->bad_msgs++;
		return;
	}
	/* The INIT response fixes the responder's SPI. */
	if (h->exchange == IKE_SA_INIT && sa->state == IKE_SA_INIT_SENT)
		memcpy(sa->spi_r, h->spi_r, 8);
	if (open_sk(sa, &rx)) {
		sa->bad_msgs++;
		return;
	}
	ike_log_msg("received", sa, rx.m, from);
	/*
	 * An authentic message from another address or port: the peer moved
	 * (to port 4500 after IKE_SA_INIT, RFC 7296 2.23), and so do we.
	 */
	if (sa->keys_ready && (!ike_sockaddr_equal(from, &sa->remote, 1) ||
			       !ike_sockaddr_equal(local, &sa->local, 1))) {
		char a[64];

		log_debug("%s: the peer is now at %s", sa->gw->name,
			  ike_sockaddr_str(from, a, sizeof(a)));
		sa->remote = *from;
		sa->local = *local;
	}
	if (reject_critical(sa, &rx, response))
		return;
	if (response)
		dispatch_response(sa, &rx);
	else
		dispatch_request(sa, &rx);
}
