// SPDX-License-Identifier: GPL-2.0
/*
 * One datagram in. The order of the checks is the point of this file:
 * nothing about an IKE SA (its peer's address, its message IDs, its
 * exchanges) changes before the message has been bound to it and, once
 * keys exist, authenticated. Everything refused is counted by reason.
 *
 *   parse -> IKE_SA_INIT request?  -> half-open defences -> responder
 *         -> find the SA by our SPI (and the peer's, once known)
 *         -> response: the one our request in flight waits for?
 *            request: the next message ID, or a retransmission (resend)?
 *         -> SK payload authenticated and opened
 *         -> payload rules of the exchange
 *         -> address update, then the exchange's half
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "engine/daemon.h"
#include "engine/exchange.h"
#include "engine/halfopen.h"
#include "ike_sa.h"
#include "ikev1/ikev1.h"
#include "ikev2/exchanges.h"
#include "ikev2/ikev2.h"
#include "ikev2/message.h"
#include "ikev2/rules.h"
#include "kernel.h"
#include "log.h"

static const uint8_t zero_spi[8];

#define drop_nosa(reason, rx, ...) \
	ike_drop(&iked->drops, NULL, reason, "-", &(rx)->from, __VA_ARGS__)

/*
 * The gateway with the sender's address, else the first "%any" one (IKE_AUTH
 * then picks among those by the peer's identity).
 */
static struct iked_gateway *gateway_for(const struct sockaddr_storage *from)
{
	struct iked_gateway *any = NULL;
	unsigned int i;

	for (i = 0; i < iked->cfg->n_gw; i++) {
		if (ike_sockaddr_equal(&iked->cfg->gw[i].peer, from, 0))
			return &iked->cfg->gw[i];
		if (!any && iked_gateway_any(&iked->cfg->gw[i]))
			any = &iked->cfg->gw[i];
	}
	return any;
}

static bool same_digest(const struct ike_exchanges *e, const struct ike_rx *rx)
{
	return !memcmp(rx->digest, e->req_digest, sizeof(rx->digest));
}

/*
 * Our cached answer again, to where the retransmission came from (RFC
 * 7296 2.11); to anywhere but the peer's known address a few times per
 * request at most, so that replaying one datagram from spoofed sources
 * does not make us a reflector.
 */
static void resend(struct ike_sa *sa, const struct ike_rx *rx)
{
	struct ike_exchanges *e = &sa->xchg;

	/* The peer's own retransmissions are never refused: replays cannot starve it. */
	if (!ike_sockaddr_equal(&rx->from, &sa->remote, 1)) {
		if (e->resends >= IKE_MAX_RESENDS) {
			ike_sa_drop(sa, IKE_DROP_RESENDS, &rx->from,
				    "request %u retransmitted from elsewhere more than %u times",
				    rx->outer.hdr.msgid, IKE_MAX_RESENDS);
			return;
		}
		e->resends++;
	} else if (e->resp.n > 1) {
		/*
		 * A replayed first fragment would bring every fragment of the
		 * answer each time: once a second is what a retransmitting
		 * peer needs.
		 */
		uint64_t now = ike_now_ms();

		if (now - e->resent_ms < 1000) {
			ike_sa_drop(sa, IKE_DROP_RESENDS, &rx->from,
				    "request %u: its %u-fragment answer was sent again %" PRIu64
				    " ms ago", rx->outer.hdr.msgid, e->resp.n, now - e->resent_ms);
			return;
		}
		e->resent_ms = now;
	}
	ike_wire_send(&e->resp, &rx->from, &rx->local);
	sa->stats.msgs_out++;
	if (e->resp.n > 1)
		sa->frags.sent += e->resp.n;
}

/*
 * A fragment of a request we answered (RFC 7383 2.6.1): its first
 * fragment again, cut anew perhaps but authentic, gets the whole answer
 * again; the others are ignored.
 */
static void resent_fragment(struct ike_sa *sa, struct ike_rx *rx)
{
	if (ikev2_fragment_number(rx) == 1 && ikev2_frag_authentic(sa, rx)) {
		resend(sa, rx);
		return;
	}
	log_debug("%s: fragment of request %u, answered already", sa->gw->name,
		  rx->outer.hdr.msgid);
}

/* A stateless answer, if the rate limit allows one to this address. */
static void stateless_answer(const struct ike_rx *rx, uint16_t type, const void *data,
			     size_t len, bool keep_spi_r)
{
	if (ike_stateless_answer_allowed(&iked->halfopen, iked->cfg->limits.respond_bad_spi,
					 &rx->from))
		ike_send_stateless_notify(rx, type, data, len, keep_spi_r);
}

static void send_cookie(struct ike_rx *rx, const uint8_t *ni, size_t ni_len)
{
	uint8_t cookie[IKE_COOKIE_LEN];

	if (ike_cookie_make(&iked->halfopen, ni, ni_len, &rx->from, rx->outer.hdr.spi_i,
			    cookie))
		return;
	/* Never rate-limited: it costs no state, and it is how the real peer gets in. */
	ike_send_stateless_notify(rx, IKE_N_COOKIE, cookie, sizeof(cookie), false);
	iked->halfopen.cookies_sent++;
	log_debug("asked %s for a COOKIE", "the initiator");
}

/*
 * Above the thresholds only an initiator that returns our COOKIE gets
 * state: true when RX may go on.
 */
static bool admit(struct ike_rx *rx)
{
	const struct ike_payload *pl = ike_msg_find(&rx->outer, IKE_PL_NONCE, NULL);
	const uint8_t *ni;
	struct ike_notify n;
	size_t ni_len;

	if (!pl || ike_decode_nonce(pl, &ni, &ni_len))
		return false;	/* the rules made sure it is there */
	switch (ike_halfopen_admit(&iked->halfopen, &iked->cfg->limits, &iked->sas, &rx->from)) {
	case IKE_ADMIT_OK:
		ike_halfopen_charge(&iked->halfopen, &rx->from);
		return true;
	case IKE_ADMIT_DROP:
		drop_nosa(IKE_DROP_HALF_OPEN, rx, "%zu half-open IKE SAs, %u from this address",
			  iked->sas.n_half, ike_sa_table_half_open_from(&iked->sas, &rx->from));
		return false;
	case IKE_ADMIT_COOKIE:
		break;
	}
	if (ike_msg_find_notify(&rx->outer, IKE_N_COOKIE, &n)) {
		send_cookie(rx, ni, ni_len);
		return false;
	}
	if (!ike_cookie_valid(&iked->halfopen, n.data, n.len, ni, ni_len, &rx->from,
			      rx->outer.hdr.spi_i)) {
		drop_nosa(IKE_DROP_BAD_COOKIE, rx, "IKE_SA_INIT with a COOKIE we did not make");
		send_cookie(rx, ni, ni_len);	/* a stale one gets a fresh one */
		return false;
	}
	iked->halfopen.cookies_accepted++;
	ike_halfopen_charge(&iked->halfopen, &rx->from);
	return true;
}

/* A new IKE_SA_INIT request: a retransmission, or a new half-open SA. */
static void init_request(struct ike_rx *rx)
{
	const struct ike_header *h = &rx->outer.hdr;
	const struct ike_xchg_ops *ops = &ikev2_init_ops;
	struct iked_gateway *gw;
	enum ike_xchg_status st;
	struct ike_writer w;
	const uint8_t *resp;
	struct ike_xchg *x;
	struct ike_sa *sa;
	const char *why;
	uint8_t buf[4096], type;
	size_t resp_len;

	/* Nobody else is answered, whatever they send: not even an error. */
	gw = gateway_for(&rx->from);
	if (!gw) {
		drop_nosa(IKE_DROP_NO_GATEWAY, rx, "IKE_SA_INIT from an address no gateway names");
		return;
	}
	if (!(h->flags & IKE_FLAG_INITIATOR) || memcmp(h->spi_r, zero_spi, 8) || h->msgid ||
	    !memcmp(h->spi_i, zero_spi, 8)) {
		drop_nosa(IKE_DROP_MALFORMED, rx, "IKE_SA_INIT request with a bad header");
		return;
	}
	/* Answered from the cache when it comes again, byte for byte. */
	ike_msg_digest(rx->buf, rx->len, rx->digest);
	sa = ike_sa_table_find_half_open(&iked->sas, h->spi_i, &rx->from);
	if (sa) {
		/* Our answer got lost: the same bytes again (RFC 7296 2.1). */
		if (sa->xchg.have_resp && !sa->xchg.resp_msgid && same_digest(&sa->xchg, rx)) {
			resend(sa, rx);
		} else {
			ike_sa_drop(sa, IKE_DROP_ALTERED, &rx->from,
				    "an IKE_SA_INIT other than the one answered, same SPI");
		}
		return;
	}
	/* RFC 7296 2.5: an unknown critical payload is answered before anything else. */
	type = rx->outer.unsupported_critical;
	if (type) {
		drop_nosa(IKE_DROP_RULES, rx, "unsupported critical payload %u", type);
		stateless_answer(rx, IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD, &type, 1, false);
		return;
	}
	if (ikev2_rules_check(IKE_SA_INIT, false, &rx->outer, &why)) {
		drop_nosa(IKE_DROP_RULES, rx, "IKE_SA_INIT request: %s", why);
		stateless_answer(rx, IKE_N_INVALID_SYNTAX, NULL, 0, false);
		return;
	}
	/* A "%any" gateway's share is charged once IKE_AUTH names the gateway. */
	if (!iked_gateway_any(gw) &&
	    ike_sa_count_gateway(gw) >= iked->cfg->limits.ike_sas_per_gateway) {
		drop_nosa(IKE_DROP_SA_LIMIT, rx, "gateway %s has %u IKE SAs already", gw->name,
			  iked->cfg->limits.ike_sas_per_gateway);
		return;
	}
	if (!admit(rx))
		return;
	ikev2_log_msg("received", NULL, &rx->outer, &rx->from);

	sa = ike_sa_new(gw, false);
	x = sa ? ike_xchg_new(ops, sa) : NULL;
	if (!x) {
		if (sa)
			ike_sa_kill(sa, "out of memory");
		return;
	}
	memcpy(sa->spi_i, h->spi_i, 8);
	sa->remote = rx->from;
	sa->local = rx->local;		/* with the port it came to */
	st = ops->process_request(x, rx);
	if (st == IKE_XCHG_REFUSE) {
		drop_nosa(IKE_DROP_REFUSED, rx, "gateway %s answers %s: %s", gw->name,
			  ike_error_name(x->refusal), sa->why);
		stateless_answer(rx, x->refusal, x->refusal_data, x->refusal_len, false);
		ike_xchg_free(x);
		sa->why[0] = 0;
		ike_sa_kill(sa, NULL);
		return;
	}
	ike_w_init(&w, buf, sizeof(buf));
	if (st != IKE_XCHG_DONE || ops->build_response(x, &w) ||
	    ike_xchg_respond(sa, rx, &w, &resp, &resp_len) ||
	    (ops->sent && ops->sent(x, resp, resp_len)) ||
	    ike_sa_table_add_half_open(&iked->sas, sa)) {
		ike_xchg_free(x);
		ike_sa_kill(sa, "IKE_SA_INIT failed");
		return;
	}
	ike_xchg_free(x);
}

/* No IKE SA of ours has these SPIs. */
static void unknown_sa(struct ike_rx *rx)
{
	const struct ike_header *h = &rx->outer.hdr;

	drop_nosa(IKE_DROP_UNKNOWN_SPI, rx, "%s %s %u for no IKE SA of ours",
		  ike_exchange_name(h->exchange) ?: "unknown exchange",
		  h->flags & IKE_FLAG_RESPONSE ? "response" : "request", h->msgid);
	/* RFC 7296 2.21.4: requests may be told, responses never. */
	if (!(h->flags & IKE_FLAG_RESPONSE))
		stateless_answer(rx, IKE_N_INVALID_IKE_SPI, NULL, 0, true);
}

/* The SA the message names: ours by our SPI, and the peer's SPI once known. */
static struct ike_sa *find_sa(const struct ike_header *h)
{
	bool from_initiator = h->flags & IKE_FLAG_INITIATOR;
	const uint8_t *peer_spi = from_initiator ? h->spi_i : h->spi_r;
	struct ike_sa *sa;
	const uint8_t *known;

	sa = from_initiator ? ike_sa_table_find(&iked->sas, h->spi_r, false) :
			      ike_sa_table_find(&iked->sas, h->spi_i, true);
	/* An ISAKMP SA's cookies in an IKEv2 message: not that SA's. */
	if (!sa || sa->version == 1)
		return NULL;
	known = from_initiator ? sa->spi_i : sa->spi_r;
	/* SPIr is not known before the IKE_SA_INIT response fixes it. */
	if (memcmp(known, zero_spi, 8) && memcmp(known, peer_spi, 8))
		return NULL;
	return sa;
}

/* The tunnels of SA's children point at the peer's new address. */
static void move_tunnels(struct ike_sa *sa)
{
	const struct child_sa *c, *o;

	for (c = sa->children; c; c = c->next) {
		for (o = sa->children; o != c && strcmp(o->vpn->bind_if, c->vpn->bind_if);
		     o = o->next)
			;
		if (o == c)	/* first child on this interface */
			ike_kernel_set_endpoints(c->vpn->bind_if, sa);
	}
}

/*
 * RFC 7296 2.23: an authenticated message that advanced the exchanges
 * (a new request, the answer to ours; never a retransmission, which may
 * be a replay) moves the peer's address: to port 4500 with the same
 * address (the float after IKE_SA_INIT, which RFC 3947 and MOBIKE peers
 * do whether or not there is a NAT), and anywhere when the peer is
 * behind a NAT, whose mappings change.
 */
void ike_sa_follow_peer(struct ike_sa *sa, const struct ike_rx *rx)
{
	uint16_t natt = iked->net.natt_port;
	bool floats;
	char a[64];

	if (ike_sockaddr_equal(&rx->from, &sa->remote, 1) &&
	    ike_sockaddr_equal(&rx->local, &sa->local, 1))
		return;
	/* Without a NAT between us, the peer floats from its port 4500 too. */
	floats = natt && ike_sockaddr_equal(&rx->from, &sa->remote, 0) &&
		 ike_sockaddr_port(&rx->local) == natt && ike_sockaddr_port(&sa->local) != natt &&
		 (sa->peer.nat_peer || ike_sockaddr_port(&rx->from) == natt);
	if (!floats && !sa->peer.nat_peer) {
		log_debug("%s: authenticated message from %s: the peer's address is kept",
			  sa->gw->name, ike_sockaddr_str(&rx->from, a, sizeof(a)));
		return;
	}
	log_info("%s: the peer %s %s", sa->gw->name, floats ? "floated to" : "moved to",
		 ike_sockaddr_str(&rx->from, a, sizeof(a)));
	sa->remote = rx->from;
	sa->local = rx->local;
	/* ESP in UDP runs between the IKE SA's ports, wherever they went. */
	move_tunnels(sa);
}

/* An authenticated request we answer with just an error notify. */
static void answer_error(struct ike_sa *sa, const struct ike_rx *rx, uint16_t type,
			 const void *data, size_t len)
{
	struct ike_writer w;
	uint8_t buf[64];

	ike_w_init(&w, buf, sizeof(buf));
	ike_w_notify(&w, 0, NULL, 0, type, data, len);
	ike_xchg_respond(sa, rx, &w, NULL, NULL);
}

/* Whether a request of EXCHANGE makes sense now; else the error to answer. */
static uint16_t request_allowed(const struct ike_sa *sa, uint8_t exchange)
{
	switch (exchange) {
	case IKE_AUTH:
		return sa->state == IKE_SA_INIT_DONE && !sa->initiator ? 0 : IKE_N_INVALID_SYNTAX;
	case IKE_CREATE_CHILD_SA:
		if (sa->state == IKE_SA_ESTABLISHED)
			return 0;
		return sa->state == IKE_SA_DELETING ? IKE_N_TEMPORARY_FAILURE :
						      IKE_N_INVALID_SYNTAX;
	case IKE_INFORMATIONAL:
		return sa->state == IKE_SA_ESTABLISHED || sa->state == IKE_SA_DELETING ?
		       0 : IKE_N_INVALID_SYNTAX;
	}
	return IKE_N_INVALID_SYNTAX;
}

static void request(struct ike_sa *sa, struct ike_rx *rx)
{
	uint8_t exchange = rx->outer.hdr.exchange;
	const struct ike_xchg_ops *ops = ikev2_responder_ops(exchange, rx->m);
	enum ike_xchg_status st;
	struct ike_writer w;
	const uint8_t *msg;
	struct ike_xchg *x;
	uint8_t *buf;
	uint16_t err;
	size_t len;

	/*
	 * The responder speaks only once our IKE_AUTH is answered: its request
	 * overtook that answer, which got lost. Left unanswered, and its
	 * message ID unused, for the retransmission that follows the answer.
	 */
	if (sa->state == IKE_SA_AUTH_SENT) {
		ike_sa_drop(sa, IKE_DROP_STATE, &rx->from,
			    "request %u before our IKE_AUTH is answered: left for later",
			    rx->outer.hdr.msgid);
		return;
	}
	err = ops ? request_allowed(sa, exchange) : IKE_N_INVALID_SYNTAX;
	if (err) {
		ike_sa_drop(sa, IKE_DROP_STATE, &rx->from, "%s request in state %s, answered %s",
			    ike_exchange_name(exchange) ?: "unknown",
			    ike_sa_state_name(sa->state), ike_error_name(err));
		answer_error(sa, rx, err, NULL, 0);
		/* A half-open SA whose first authenticated request is not IKE_AUTH is done for. */
		if (sa->state == IKE_SA_INIT_DONE)
			ike_sa_kill(sa, "the initiator did not follow with IKE_AUTH");
		return;
	}
	buf = malloc(IKE_MAX_MSG);
	x = buf ? ike_xchg_new(ops, sa) : NULL;
	if (!x) {
		free(buf);
		return;	/* out of memory: as if lost, the peer retransmits */
	}
	x->msgid = rx->outer.hdr.msgid;
	st = ops->process_request(x, rx);
	if (sa->state == IKE_SA_DEAD) {		/* nothing left to answer for */
		ike_xchg_free(x);
		free(buf);
		return;
	}
	ike_w_init(&w, buf, IKE_MAX_MSG);
	if (ops->build_response(x, &w) || ike_xchg_respond(sa, rx, &w, &msg, &len)) {
		log_err("%s: cannot answer %s request %u", sa->gw->name, ops->name, x->msgid);
		st = IKE_XCHG_FATAL;
	} else if (ops->sent) {
		ops->sent(x, msg, len);
	}
	ike_xchg_free(x);
	free(buf);
	if (st == IKE_XCHG_FATAL)
		ike_sa_kill(sa, NULL);
}

/* Authenticates and opens RX for SA; false when it was dropped. */
static bool authenticate(struct ike_sa *sa, struct ike_rx *rx)
{
	const struct ike_header *h = &rx->outer.hdr;
	enum ike_drop_reason why = IKE_DROP_MALFORMED;
	int err;

	if (h->exchange == IKE_SA_INIT) {
		/* Only our own request's answer gets here, in the clear by design. */
		if (!ike_sockaddr_equal(&rx->from, &sa->remote, 1)) {
			ike_sa_drop(sa, IKE_DROP_UNEXPECTED, &rx->from,
				    "IKE_SA_INIT response from an address we did not ask");
			return false;
		}
		return true;
	}
	if (!sa->keys_ready) {
		ike_sa_drop(sa, IKE_DROP_UNENCRYPTED, &rx->from, "%s before any keys exist",
			    ike_exchange_name(h->exchange) ?: "unknown exchange");
		return false;
	}
	if (ikev2_is_fragment(rx)) {
		switch (ikev2_frag_receive(sa, rx, &why)) {
		case IKE_FRAG_KEPT:
			return false;
		case IKE_FRAG_COMPLETE:
			err = 0;
			break;
		case IKE_FRAG_MALFORMED:
			err = 1;
			break;
		default:
			err = -1;
			break;
		}
	} else {
		err = ikev2_message_open(sa, rx, &why);
	}
	if (err < 0) {
		ike_sa_drop(sa, why, &rx->from, "%s %s %u",
			    ike_exchange_name(h->exchange) ?: "unknown exchange",
			    h->flags & IKE_FLAG_RESPONSE ? "response" : "request", h->msgid);
		return false;
	}
	rx->authenticated = true;
	if (!err)
		return true;
	/* Authentic, so from the peer itself, but its payloads do not parse. */
	ike_sa_drop(sa, IKE_DROP_MALFORMED, &rx->from, "authenticated %s %u with malformed payloads",
		    h->flags & IKE_FLAG_RESPONSE ? "response" : "request", h->msgid);
	if (!(h->flags & IKE_FLAG_RESPONSE)) {
		answer_error(sa, rx, IKE_N_INVALID_SYNTAX, NULL, 0);
		if (sa->state == IKE_SA_INIT_DONE)
			ike_sa_kill(sa, "malformed IKE_AUTH request");
	} else {
		ike_sa_kill(sa, "malformed response from the peer");
	}
	return false;
}

/* Authenticated but unacceptable content: the peer hears of it (or, for a response, the SA ends). */
static bool content_ok(struct ike_sa *sa, struct ike_rx *rx, bool response)
{
	uint8_t exchange = rx->outer.hdr.exchange, type = rx->m->unsupported_critical;
	const char *why = NULL;

	/* RFC 7296 2.5: an unknown critical payload first, the rules after. */
	if (type) {
		ike_sa_drop(sa, IKE_DROP_RULES, &rx->from, "unsupported critical payload %u",
			    type);
		if (!response) {
			answer_error(sa, rx, IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD, &type, 1);
			if (sa->state == IKE_SA_INIT_DONE)
				ike_sa_kill(sa, "unsupported critical payload in IKE_AUTH");
		} else if (exchange != IKE_SA_INIT) {
			ike_sa_kill(sa, "unsupported critical payload in a response");
		}
		return false;
	}
	if (!ikev2_rules_check(exchange, response, rx->m, &why))
		return true;
	ike_sa_drop(sa, IKE_DROP_RULES, &rx->from, "%s %s: %s",
		    ike_exchange_name(exchange) ?: "unknown exchange",
		    response ? "response" : "request", why);
	if (!response) {
		answer_error(sa, rx, IKE_N_INVALID_SYNTAX, NULL, 0);
		if (sa->state == IKE_SA_INIT_DONE)
			ike_sa_kill(sa, "malformed IKE_AUTH request");
	} else if (exchange != IKE_SA_INIT) {
		/* Authenticated, so the peer itself is broken: nothing more to say. */
		snprintf(sa->why, sizeof(sa->why), "malformed %s response",
			 ike_exchange_name(exchange));
		ike_sa_kill(sa, NULL);
	}
	return false;
}

static void sa_message(struct ike_sa *sa, struct ike_rx *rx)
{
	const struct ike_header *h = &rx->outer.hdr;
	struct ike_exchanges *e = &sa->xchg;
	bool response = h->flags & IKE_FLAG_RESPONSE;
	struct ike_xchg *x = e->active;

	sa->stats.msgs_in++;
	if (response) {
		if (!x || h->msgid != x->msgid || h->exchange != x->ops->exchange) {
			ike_sa_drop(sa, IKE_DROP_UNEXPECTED, &rx->from,
				    "%s response %u answers no request in flight",
				    ike_exchange_name(h->exchange) ?: "unknown", h->msgid);
			return;
		}
	} else if (h->msgid != e->peer_msgid) {
		if (e->have_resp && h->msgid == e->resp_msgid) {
			ike_msg_digest(rx->buf, rx->len, rx->digest);
			if (same_digest(e, rx)) {
				resend(sa, rx);
			} else if (ikev2_is_fragment(rx)) {
				resent_fragment(sa, rx);
			} else {
				ike_sa_drop(sa, IKE_DROP_ALTERED, &rx->from,
					    "request %u differs from the one answered", h->msgid);
			}
			return;
		}
		ike_sa_drop(sa, IKE_DROP_WINDOW, &rx->from, "request %u, expected %u",
			    h->msgid, e->peer_msgid);
		return;
	}
	/* Before SK is opened in place: the bytes as they came, for the cache. */
	if (!response)
		ike_msg_digest(rx->buf, rx->len, rx->digest);
	if (!authenticate(sa, rx) || !content_ok(sa, rx, response)) {
		ikev2_frag_done(sa, response);
		return;
	}
	if (rx->authenticated)
		ikev2_dpd_heard(sa);
	ikev2_log_msg("received", sa, rx->m, &rx->from);
	e->busy = true;
	if (response)
		ike_xchg_response(sa, rx);
	else
		request(sa, rx);
	e->busy = false;
	ikev2_frag_done(sa, response);
	/*
	 * Only after the exchange took the message: an SA being set up moves
	 * once IKE_AUTH is good (either role), not on the strength of SK keys
	 * from an unauthenticated IKE_SA_INIT alone.
	 */
	if (rx->authenticated && sa->state != IKE_SA_DEAD && sa->state != IKE_SA_INIT_DONE &&
	    sa->state != IKE_SA_AUTH_SENT)
		ike_sa_follow_peer(sa, rx);
	ike_xchg_kick(sa);
}

static void version_mismatch(struct ike_rx *rx)
{
	const struct ike_header *h = &rx->outer.hdr;
	uint8_t major = h->version >> 4;

	if (major == 1) {
		ikev1_receive(rx);
		return;
	}
	drop_nosa(IKE_DROP_VERSION, rx, "IKE version %u.%u", major, h->version & 0xf);
	/* RFC 7296 2.5: a higher major version is told which one we speak. */
	if (major > 2 && !(h->flags & IKE_FLAG_RESPONSE))
		stateless_answer(rx, IKE_N_INVALID_MAJOR_VERSION, NULL, 0, true);
}

void ike_receive(uint8_t *buf, size_t len, const struct sockaddr_storage *from,
		 const struct sockaddr_storage *local)
{
	static struct ike_rx rx;	/* large; the loop is single-threaded */
	const struct ike_header *h = &rx.outer.hdr;
	struct ike_sa *sa;
	int err;

	memset(&rx, 0, sizeof(rx));
	rx.buf = buf;
	rx.len = len;
	rx.from = *from;
	rx.local = *local;
	rx.m = &rx.outer;
	err = ike_parse_msg(buf, len, &rx.outer);
	if (err == IKE_E_VERSION && len >= IKE_HDR_LEN) {
		version_mismatch(&rx);
		return;
	}
	/* An unknown critical payload is answered once we know who sent it. */
	if (err == IKE_E_CRITICAL && h->length == len)
		err = 0;
	if (err) {
		drop_nosa(IKE_DROP_MALFORMED, &rx, "%zu bytes: %s", len, ike_err_str(err));
		return;
	}
	if (h->exchange == IKE_SA_INIT && !(h->flags & IKE_FLAG_RESPONSE)) {
		init_request(&rx);
		return;
	}
	sa = find_sa(h);
	if (!sa) {
		unknown_sa(&rx);
		return;
	}
	sa_message(sa, &rx);
}
