// SPDX-License-Identifier: GPL-2.0
/*
 * An IKEv1 datagram in, in the order that keeps forged ones harmless:
 * parse; bind it to an IKE SA by both cookies (a new main mode only for a
 * gateway configured for version 1, within the half-open limits); a
 * message seen already gets our answer again and nothing more; decrypt
 * with the exchange's IV, and let the exchange check its HASH before
 * anything changes (the IV moves only then).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/daemon.h"
#include "engine/exchange.h"
#include "engine/halfopen.h"
#include "ike_sa.h"
#include "ikev1/crypt.h"
#include "ikev1/ikev1.h"
#include "ikev1/state.h"
#include "ikev2/exchanges.h"
#include "ikev2/ikev2.h"
#include "log.h"
#include "pki/cert.h"

static const uint8_t zero_cookie[8];

#define drop_nosa(reason, rx, gw, ...) \
	ike_drop(&iked->drops, NULL, reason, (gw) ? (gw)->name : "-", &(rx)->from, __VA_ARGS__)

/* The gateway with the sender's address, else the first "%any" one; any version. */
static struct iked_gateway *gateway_for(const struct sockaddr_storage *from)
{
	struct iked_gateway *any = NULL;
	unsigned int i;

	for (i = 0; i < iked->cfg->n_gw; i++) {
		if (ike_sockaddr_equal(&iked->cfg->gw[i].peer, from, 0))
			return &iked->cfg->gw[i];
		if (!any && iked_gateway_any(&iked->cfg->gw[i]) && iked->cfg->gw[i].version == 1)
			any = &iked->cfg->gw[i];
	}
	return any;
}

/* Named for the log, never answered: no gateway here speaks IKEv1 with this peer. */
static void refused(const struct ike_rx *rx, const struct isakmp_msg *m, int err,
		    const struct iked_gateway *gw)
{
	char what[160];

	if (err)
		snprintf(what, sizeof(what), "a malformed ISAKMP message (%s)", ike_err_str(err));
	else
		isakmp_msg_describe(m, what, sizeof(what));
	ike_drop(&iked->drops, NULL, IKE_DROP_VERSION, gw ? gw->name : "-", &rx->from,
		 "IKEv1 %s: %s", what,
		 gw ? "the gateway speaks IKEv2 only, no fallback" : "IKEv1 is not spoken here");
}

/* Ours by our cookie, and the peer's cookie once known. */
static struct ike_sa *find_sa(const struct ike_header *h)
{
	struct ike_sa *sa;

	sa = ike_sa_table_find(&iked->sas, h->spi_r, false);
	if (sa && sa->version == 1 && !memcmp(sa->spi_i, h->spi_i, 8))
		return sa;
	sa = ike_sa_table_find(&iked->sas, h->spi_i, true);
	if (sa && sa->version == 1 &&
	    (!memcmp(sa->spi_r, h->spi_r, 8) || !memcmp(sa->spi_r, zero_cookie, 8)))
		return sa;
	return NULL;
}

static struct ike_sa *new_sa(struct iked_gateway *gw, bool initiator)
{
	struct ike_sa *sa = ike_sa_new(gw, initiator);

	if (!sa)
		return NULL;
	sa->version = 1;
	sa->v1 = calloc(1, sizeof(*sa->v1));
	if (!sa->v1) {
		ike_sa_kill(sa, "out of memory");
		return NULL;
	}
	sa->v1->mode = ISAKMP_XCHG_ID_PROT;
	sa->v1->begun_ms = ike_now_ms();
	return sa;
}

/* X's last message again, for the peer's retransmission of what it answered. */
static void resend(struct ikev1_xchg *x, const struct ike_rx *rx)
{
	struct ike_sa *sa = x->sa;

	if (!x->out || x->resends >= IKE_MAX_RESENDS) {
		ike_sa_drop(sa, IKE_DROP_RESENDS, &rx->from, "%s message %08x seen again",
			    isakmp_exchange_name(x->type) ?: "IKEv1", x->msgid);
		return;
	}
	x->resends++;
	ike_transmit(x->out, x->out_len, &sa->remote, &sa->local);
	sa->stats.msgs_out++;
}

/*
 * The version 1 aggressive mode gateway for an initiator at FROM that
 * says it is ID: the one with its address (and that identity, if it
 * names one), else a "%any" one with that identity.
 */
static struct iked_gateway *gateway_by_id(const struct sockaddr_storage *from,
					  const struct ike_id *id)
{
	struct iked_gateway *gw, *any = NULL;
	unsigned int i;

	for (i = 0; i < iked->cfg->n_gw; i++) {
		gw = &iked->cfg->gw[i];
		if (gw->version != 1 || !gw->aggressive ||
		    (gw->remote_id.type && !ike_id_equal(&gw->remote_id, id)))
			continue;
		if (ike_sockaddr_equal(&gw->peer, from, 0))
			return gw;
		if (!any && iked_gateway_any(gw) && gw->remote_id.type)
			any = gw;
	}
	return any;
}

/* The gateway a first phase 1 message is for; NULL (logged and counted) if none. */
static struct iked_gateway *phase1_gateway(struct ike_rx *rx, const struct isakmp_msg *m,
					   struct ike_id *id)
{
	struct iked_gateway *gw = gateway_for(&rx->from);
	bool aggressive = m->hdr.exchange == ISAKMP_XCHG_AGGRESSIVE;
	char a[128];

	if (!gw || gw->version != 1) {
		refused(rx, m, 0, gw);
		return NULL;
	}
	if (aggressive) {
		if (ikev1_p1_decode_id(isakmp_msg_find(m, ISAKMP_PL_ID, NULL), id)) {
			drop_nosa(IKE_DROP_MALFORMED, rx, gw, "aggressive mode without an identity");
			return NULL;
		}
		gw = gateway_by_id(&rx->from, id);
		if (!gw) {
			drop_nosa(IKE_DROP_NO_GATEWAY, rx, gw,
				  "aggressive mode from %s: no aggressive mode gateway for it",
				  ike_id_format(id, a, sizeof(a)));
			return NULL;
		}
		return gw;
	}
	/* Main mode never falls back to aggressive mode, nor the reverse. */
	if (gw->aggressive) {
		drop_nosa(IKE_DROP_REFUSED, rx, gw,
			  "main mode for gateway %s, which is set to aggressive mode", gw->name);
		return NULL;
	}
	return gw;
}

/*
 * A responder SA whose initiator has not shown yet that it receives at
 * its address: only its first message came (main mode's third carries our
 * cookie back; aggressive mode's third its HASH).
 */
static bool unproven(const struct ike_sa *sa)
{
	const struct ikev1_xchg *x;

	if (sa->version != 1 || sa->initiator || sa->state != IKE_SA_INIT_DONE)
		return false;
	x = ikev1_xchg_find((struct ike_sa *)sa, 0);
	return x && x->step == 3;
}

/*
 * FROM's half-open share is full: its oldest unproven SA goes. IKEv1 has
 * no COOKIE round trip, so without this a few spoofed first messages a
 * minute from a peer's address would keep its real one out; now a
 * spoofer must outrun the peer's round trip. Only main mode makes room
 * so (it does no DH for an unproven SA), and only within one address.
 * False if there was none.
 */
static bool evict_unproven(const struct sockaddr_storage *from)
{
	struct ike_sa *sa, *oldest = NULL;

	ike_sa_foreach(sa) {
		/* Never another address's: a sender could push out other peers. */
		if (!unproven(sa) || !ike_sockaddr_equal(&sa->remote, from, 0))
			continue;
		if (!oldest || sa->setup.when < oldest->setup.when)
			oldest = sa;
	}
	if (!oldest)
		return false;
	ike_sa_drop(oldest, IKE_DROP_HALF_OPEN, &oldest->remote,
		    "half-open limits full: the oldest first message without a second goes");
	ike_sa_kill(oldest, "evicted (half-open limits full)");
	return true;
}

/* Whether a new half-open SA fits, after an eviction if need be. */
static bool halfopen_room(const struct ike_rx *rx, bool dh_now)
{
	const struct iked_limits *lim = &iked->cfg->limits;
	int tries;

	/* Aggressive mode: a DH per message, so every limit, rate included, and no eviction. */
	if (dh_now)
		return ike_halfopen_admit(&iked->halfopen, lim, &iked->sas, &rx->from) !=
		       IKE_ADMIT_DROP;
	if (iked->sas.n_half >= lim->half_open_max)
		return false;
	for (tries = 0; tries < 2; tries++) {
		if (ike_sa_table_half_open_from(&iked->sas, &rx->from) < lim->half_open_per_address)
			return true;
		if (tries || !evict_unproven(&rx->from))
			return false;
	}
	return false;
}

static void phase1_request(struct ike_rx *rx, struct isakmp_msg *m)
{
	struct ikev1_rx in = { rx, m, false, { 0 } };
	struct iked_gateway *gw;
	enum ikev1_status st;
	struct ikev1_xchg *x;
	struct ike_sa *sa;
	struct ike_id id;

	gw = phase1_gateway(rx, m, &id);
	if (!gw)
		return;
	ike_msg_digest(rx->buf, rx->len, rx->digest);
	sa = ike_sa_table_find_half_open(&iked->sas, m->hdr.spi_i, &rx->from);
	if (sa) {
		x = sa->version == 1 ? ikev1_xchg_find(sa, 0) : NULL;
		if (x && x->have_in && !memcmp(x->in_digest, rx->digest, 32)) {
			if (x->answers_in)
				resend(x, rx);
		}
		else
			ike_sa_drop(sa, IKE_DROP_ALTERED, &rx->from,
				    "a phase 1 other than the one answered, same cookie");
		return;
	}
	if (!iked_gateway_any(gw) &&
	    ike_sa_count_gateway(gw) >= iked->cfg->limits.ike_sas_per_gateway) {
		drop_nosa(IKE_DROP_SA_LIMIT, rx, gw, "gateway %s has %u IKE SAs already", gw->name,
			  iked->cfg->limits.ike_sas_per_gateway);
		return;
	}
	/*
	 * IKEv1 has no COOKIE round trip: past the thresholds only the hard
	 * limits count, and a full table makes room by dropping the oldest
	 * SA whose initiator never answered. Main mode does its DH only once
	 * the initiator's second message brings our cookie back (it is charged
	 * then); aggressive mode does it now.
	 */
	if (!halfopen_room(rx, m->hdr.exchange == ISAKMP_XCHG_AGGRESSIVE)) {
		drop_nosa(IKE_DROP_HALF_OPEN, rx, gw, "%zu half-open IKE SAs, %u from this address",
			  iked->sas.n_half, ike_sa_table_half_open_from(&iked->sas, &rx->from));
		return;
	}
	if (m->hdr.exchange == ISAKMP_XCHG_AGGRESSIVE)
		ike_halfopen_charge(&iked->halfopen, &rx->from);
	sa = new_sa(gw, false);
	if (!sa)
		return;
	memcpy(sa->spi_i, m->hdr.spi_i, 8);
	sa->remote = rx->from;
	sa->local = rx->local;
	sa->state = IKE_SA_INIT_DONE;
	sa->stats.msgs_in++;
	sa->v1->mode = m->hdr.exchange;
	x = ikev1_xchg_new(sa, m->hdr.exchange, 0, false);
	st = !x ? IKEV1_FATAL : sa->v1->mode == ISAKMP_XCHG_AGGRESSIVE ?
	     ikev1_aggr_respond(sa, x, &in, &id) : ikev1_main_respond(sa, x, &in);
	if (st != IKEV1_OK || ike_sa_table_add_half_open(&iked->sas, sa)) {
		ike_sa_kill(sa, NULL);
		return;
	}
	memcpy(x->in_digest, rx->digest, 32);
	x->have_in = true;
	x->answers_in = !x->awaiting;
}

/* Decrypts IN's chain with IV and parses it; false (counted) if it is not a message. */
static bool open_msg(struct ike_sa *sa, struct ikev1_rx *in, const uint8_t *iv)
{
	struct ike_rx *rx = in->rx;
	struct ikev1_sa *v1 = sa->v1;
	int err;

	if (!sa->keys_ready) {
		ike_sa_drop(sa, IKE_DROP_UNEXPECTED, &rx->from, "encrypted before any keys exist");
		return false;
	}
	err = isakmp_decrypt(v1->encr, v1->keys.ka, v1->keys.ka_len, iv, in->next_iv,
			     rx->buf + IKE_HDR_LEN, rx->len - IKE_HDR_LEN);
	if (!err)
		err = isakmp_parse_payloads(rx->buf + IKE_HDR_LEN, rx->len - IKE_HDR_LEN,
					    in->m->hdr.next_payload, IKE_HDR_LEN, true, in->m);
	if (err) {
		ike_sa_drop(sa, IKE_DROP_INTEGRITY, &rx->from,
			    "%s message %08x does not decrypt to payloads",
			    isakmp_exchange_name(in->m->hdr.exchange) ?: "IKEv1", in->m->hdr.msgid);
		/* In phase 1 the keys come from the pre-shared key: the likely cause. */
		if (sa->state != IKE_SA_ESTABLISHED)
			snprintf(sa->why, sizeof(sa->why),
				 "main mode message 5 or 6 does not decrypt (another pre-shared key?)");
		return false;
	}
	in->encrypted = true;
	return true;
}

static void informational(struct ike_sa *sa, struct ikev1_rx *in)
{
	uint8_t iv[ISAKMP_MAX_BLOCK_LEN];

	if (in->m->hdr.flags & ISAKMP_FLAG_ENCRYPTION) {
		if (!sa->keys_ready || sa->state != IKE_SA_ESTABLISHED ||
		    ikev1_msgid_iv(sa, in->m->hdr.msgid, iv) || !open_msg(sa, in, iv)) {
			if (!sa->keys_ready || sa->state != IKE_SA_ESTABLISHED)
				ike_sa_drop(sa, IKE_DROP_UNEXPECTED, &in->rx->from,
					    "encrypted informational before phase 1 is done");
			return;
		}
	}
	ikev1_info_process(sa, in);
}

static void sa_message(struct ike_sa *sa, struct ikev1_rx *in)
{
	const struct ike_header *h = &in->m->hdr;
	struct ike_rx *rx = in->rx;
	enum ikev1_status st;
	struct ikev1_xchg *x;
	bool fresh = false;
	unsigned int sends;

	sa->stats.msgs_in++;
	ike_msg_digest(rx->buf, rx->len, rx->digest);
	x = ikev1_xchg_find(sa, h->msgid);
	if (x && x->have_in && !memcmp(x->in_digest, rx->digest, 32)) {
		if (x->answers_in && !x->awaiting)
			resend(x, rx);
		return;
	}
	if (h->exchange == ISAKMP_XCHG_INFO && !x) {
		informational(sa, in);
		return;
	}
	if (!x && h->exchange == ISAKMP_XCHG_QUICK && sa->state == IKE_SA_ESTABLISHED &&
	    h->msgid && ikev1_msgid_seen(sa, h->msgid)) {
		ike_sa_drop(sa, IKE_DROP_WINDOW, &rx->from,
			    "quick mode %08x: message ID used already (a replay?)", h->msgid);
		return;
	}
	if (!x && h->exchange == ISAKMP_XCHG_QUICK && sa->state == IKE_SA_ESTABLISHED &&
	    h->msgid) {
		if (sa->v1->n_xchgs >= iked->cfg->limits.queued_exchanges + 2u) {
			ike_sa_drop(sa, IKE_DROP_SA_LIMIT, &rx->from,
				    "quick mode %08x: %u exchanges at once already", h->msgid,
				    sa->v1->n_xchgs);
			return;
		}
		x = ikev1_xchg_new(sa, ISAKMP_XCHG_QUICK, h->msgid, false);
		if (!x || ikev1_msgid_iv(sa, h->msgid, x->iv)) {
			if (x)
				ikev1_xchg_free(x);
			return;
		}
		fresh = true;
	}
	if (!x || x->type != h->exchange) {
		ike_sa_drop(sa, IKE_DROP_UNEXPECTED, &rx->from, "%s message %08x fits no exchange",
			    isakmp_exchange_name(h->exchange) ?: "unknown", h->msgid);
		return;
	}
	sends = x->sends;
	if ((h->flags & ISAKMP_FLAG_ENCRYPTION) && !open_msg(sa, in, x->iv)) {
		st = IKEV1_DROP;
	} else if (x->type == ISAKMP_XCHG_ID_PROT) {
		/* Only the one we wait for: the responder's cookie is fixed by it. */
		st = ikev1_main_process(x, in);
	} else if (x->type == ISAKMP_XCHG_AGGRESSIVE) {
		st = ikev1_aggr_process(x, in);
	} else {
		st = ikev1_quick_process(x, in);
	}
	switch (st) {
	case IKEV1_OK:
		/*
		 * Authentic and fresh (it answers our nonce: not a quick mode's
		 * first message, which could be an old one replayed): the peer may
		 * have floated to 4500, or moved behind its NAT.
		 */
		if (in->encrypted && !fresh && sa->state != IKE_SA_DEAD && sa->keys_ready)
			ike_sa_follow_peer(sa, rx);
		if (in->encrypted && !fresh)
			ikev2_dpd_heard(sa);
		if (x->type == ISAKMP_XCHG_QUICK)
			ikev1_confirmed(sa);
		if (fresh)
			ikev1_msgid_remember(sa, h->msgid);
		memcpy(x->in_digest, rx->digest, 32);
		x->have_in = true;
		x->answers_in = x->sends != sends && !x->awaiting;
		x->resends = 0;
		break;
	case IKEV1_DROP:
		if (fresh)
			ikev1_xchg_free(x);
		break;
	case IKEV1_FAILED:
		/* Authentic, refused: a copy of it is not worth a second refusal. */
		if (fresh)
			ikev1_msgid_remember(sa, h->msgid);
		ikev1_xchg_free(x);
		break;
	case IKEV1_FATAL:
		ike_sa_kill(sa, NULL);
		break;
	}
}

void ikev1_receive(struct ike_rx *rx)
{
	static struct isakmp_msg m;	/* large; the loop is single-threaded */
	struct ikev1_rx in = { rx, &m, false, { 0 } };
	const struct ike_header *h = &m.hdr;
	struct ike_sa *sa;
	int err;

	memset(&m, 0, sizeof(m));
	err = isakmp_parse_msg(rx->buf, rx->len, &m);
	if (err) {
		if (rx->len >= IKE_HDR_LEN && find_sa(h))
			ike_sa_drop(find_sa(h), IKE_DROP_MALFORMED, &rx->from, "%zu bytes: %s",
				    rx->len, ike_err_str(err));
		else
			refused(rx, &m, err, gateway_for(&rx->from));
		return;
	}
	sa = find_sa(h);
	if (!sa) {
		if ((h->exchange == ISAKMP_XCHG_ID_PROT ||
		     h->exchange == ISAKMP_XCHG_AGGRESSIVE) && !h->msgid &&
		    !memcmp(h->spi_r, zero_cookie, 8) && memcmp(h->spi_i, zero_cookie, 8) &&
		    !(h->flags & ISAKMP_FLAG_ENCRYPTION)) {
			phase1_request(rx, &m);
			return;
		}
		{
			struct iked_gateway *gw = gateway_for(&rx->from);

			if (gw && gw->version == 1)
				drop_nosa(IKE_DROP_UNKNOWN_SPI, rx, gw,
					  "%s message %08x for no ISAKMP SA of ours",
					  isakmp_exchange_name(h->exchange) ?: "unknown", h->msgid);
			else
				refused(rx, &m, 0, gw);
		}
		return;
	}
	sa_message(sa, &in);
}
