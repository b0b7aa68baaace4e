// SPDX-License-Identifier: GPL-2.0
/*
 * Informational exchanges (RFC 2408 4.8, RFC 2409 5.7): one message
 * each, under its own message ID and IV, protected by HASH(1) once
 * phase 1 is up. Deletes of the ISAKMP SA and of child SAs, error
 * notifies, and DPD's R-U-THERE / R-U-THERE-ACK (RFC 3706). What comes
 * unprotected after phase 1 is never acted on.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/daemon.h"
#include "ikev1/ikev1.h"
#include "ikev1/state.h"
#include "ikev2/exchanges.h"
#include "log.h"
#include "random.h"

/* Whether SA's phase 1 keys protect informational messages. */
static bool protected(const struct ike_sa *sa)
{
	return sa->keys_ready && (sa->state == IKE_SA_ESTABLISHED ||
				  sa->state == IKE_SA_DELETING);
}

/*
 * One informational message, its payload written by PUT; protected when
 * phase 1 is up (the exchange is never kept: nothing answers it).
 */
static int send_info(struct ike_sa *sa, void (*put)(struct ike_writer *w, const void *arg),
		     const void *arg)
{
	struct ikev1_xchg *x = calloc(1, sizeof(*x));
	struct ikev1_out *o = malloc(sizeof(*o));
	bool prot = protected(sa);
	int err = -1;

	if (!x || !o)
		goto out;
	x->sa = sa;
	x->type = ISAKMP_XCHG_INFO;
	x->msgid = ikev1_new_msgid(sa);
	if (!x->msgid || (prot && ikev1_msgid_iv(sa, x->msgid, x->iv)))
		goto out;
	ikev1_out_begin(o, x, prot);
	if (prot)
		ikev1_out_hash_slot(o, sa);
	put(&o->w, arg);
	if (prot && ikev1_out_hash(o, x, NULL, 0))
		goto out;
	err = ikev1_send_once(sa, o, x->iv);
out:
	free(x);
	free(o);
	return err;
}

struct notify_arg {
	const struct ike_sa *sa;
	uint16_t type;
	const void *data;
	size_t len;
};

static void put_notify(struct ike_writer *w, const void *arg)
{
	const struct notify_arg *n = arg;
	uint8_t cookies[16];

	memcpy(cookies, n->sa->spi_i, 8);
	memcpy(cookies + 8, n->sa->spi_r, 8);
	isakmp_w_notify(w, ISAKMP_DOI_IPSEC, ISAKMP_PROTO_ISAKMP, cookies, 16, n->type,
			n->data, n->len);
}

int ikev1_send_notify(struct ike_sa *sa, uint16_t type, const void *data, size_t len)
{
	struct notify_arg n = { sa, type, data, len };

	return send_info(sa, put_notify, &n);
}

struct delete_arg {
	uint8_t protocol, spi_len;
	const void *spis;
};

static void put_delete(struct ike_writer *w, const void *arg)
{
	const struct delete_arg *d = arg;

	isakmp_w_delete(w, d->protocol, d->spi_len, 1, d->spis);
}

void ikev1_delete_child(struct ike_sa *sa, struct child_sa *c)
{
	uint32_t spi = htonl(c->spi_in);
	struct delete_arg d = {
		c->protocol == IKE_PROTO_AH ? ISAKMP_PROTO_AH : ISAKMP_PROTO_ESP, 4, &spi,
	};

	if (protected(sa))
		send_info(sa, put_delete, &d);
}

void ikev1_delete_sa(struct ike_sa *sa)
{
	struct child_sa *c;
	uint8_t cookies[16];
	struct delete_arg d = { ISAKMP_PROTO_ISAKMP, 16, cookies };

	if (!protected(sa)) {
		ike_sa_kill(sa, "deleted");
		return;
	}
	/* Replaced by a renewal: its IPsec SAs, if any came back to it, stay. */
	if (sa->rekeyed)
		ikev1_hand_over(sa);
	log_info("%s: deleting the ISAKMP SA and its %u IPsec SAs", sa->gw->name,
		 sa->n_children);
	/* Its IPsec SAs first: RFC 2409 does not tie them to the ISAKMP SA. */
	for (c = sa->children; c; c = c->next)
		if (c->state != CHILD_RETIRING)
			ikev1_delete_child(sa, c);
	memcpy(cookies, sa->spi_i, 8);
	memcpy(cookies + 8, sa->spi_r, 8);
	send_info(sa, put_delete, &d);
	ike_sa_kill(sa, "deleted");
}

void ikev1_dpd_probe(struct ike_sa *sa, uint64_t now_ms)
{
	uint64_t interval = (uint64_t)sa->gw->dpd.interval * 1000;
	uint32_t seq;

	/* RFC 3706 5: only to a peer that said it answers. */
	if (!sa->v1->peer_dpd)
		return;
	/* One probe an interval, however often DPD looks. */
	if (sa->dpd.sent && now_ms - sa->dpd.probe_ms < interval)
		return;
	if (sa->dpd.sent - sa->dpd.answered >= sa->gw->dpd.threshold && sa->dpd.sent) {
		log_warn("%s: dead peer: %u R-U-THERE unanswered, nothing heard for %" PRIu64
			 " s", sa->gw->name, sa->gw->dpd.threshold,
			 (now_ms - sa->dpd.heard_ms) / 1000);
		ike_sa_kill(sa, "dead peer (no answer)");
		return;
	}
	if (!sa->v1->dpd_seq && ike_random(&sa->v1->dpd_seq, sizeof(sa->v1->dpd_seq)))
		return;
	/* RFC 3706 7: the sequence starts at random, and never at 0 here. */
	sa->v1->dpd_seq = (sa->v1->dpd_seq + 1) & 0x7fffffff;
	sa->v1->dpd_seq += !sa->v1->dpd_seq;
	seq = htonl(sa->v1->dpd_seq);
	sa->dpd.sent++;
	sa->dpd.probe_ms = now_ms;
	log_debug("%s: R-U-THERE %u", sa->gw->name, sa->v1->dpd_seq);
	ikev1_send_notify(sa, ISAKMP_N_DPD_R_U_THERE, &seq, 4);
}

/* A notify's cookies name this SA (R-U-THERE and its ACK must, RFC 3706 5). */
static bool names_us(const struct ike_sa *sa, const struct isakmp_notify *n)
{
	return n->spi_len == 16 && !memcmp(n->spi, sa->spi_i, 8) &&
	       !memcmp(n->spi + 8, sa->spi_r, 8);
}

/*
 * How many probes before the last one (LAST) the one numbered SEQ was:
 * our sequence runs in 31 bits and skips 0 where it wraps.
 */
static uint32_t dpd_probes_before(uint32_t last, uint32_t seq)
{
	uint32_t d = (last - seq) & 0x7fffffff;

	return seq > last && d ? d - 1 : d;
}

static void take_notify(struct ike_sa *sa, const struct isakmp_notify *n)
{
	uint32_t seq;

	switch (n->type) {
	case ISAKMP_N_DPD_R_U_THERE:
		if (!names_us(sa, n) || n->len != 4)
			break;
		ikev1_send_notify(sa, ISAKMP_N_DPD_R_U_THERE_ACK, n->data, 4);
		return;
	case ISAKMP_N_DPD_R_U_THERE_ACK:
		if (!names_us(sa, n) || n->len != 4)
			break;
		memcpy(&seq, n->data, 4);
		seq = ntohl(seq);
		/* The answer to any probe still unanswered: a slow peer is alive too. */
		if (seq && seq <= 0x7fffffff &&
		    dpd_probes_before(sa->v1->dpd_seq, seq) < sa->dpd.sent - sa->dpd.answered) {
			sa->dpd.answered = sa->dpd.sent;
			ikev2_dpd_heard(sa);
			log_debug("%s: R-U-THERE-ACK %u", sa->gw->name, seq);
		}
		return;
	case ISAKMP_N_INITIAL_CONTACT:
		return;
	default:
		if (n->type < 16384) {
			struct ikev1_xchg *x;

			log_warn("%s: the peer reports %s (%u)", sa->gw->name,
				 isakmp_notify_name(n->type) ?: "an error", n->type);
			/* IKEv1 does not say which exchange it refused: our quick modes waiting. */
			for (x = sa->v1->xchgs; x; x = x->next)
				if (x->type == ISAKMP_XCHG_QUICK && x->initiator && !x->done &&
				    x->vpn)
					snprintf(x->vpn->last_error, sizeof(x->vpn->last_error),
						 "the peer refused quick mode: %s",
						 isakmp_notify_name(n->type) ?: "error");
			return;
		}
		log_debug("%s: notify %u ignored", sa->gw->name, n->type);
		return;
	}
	ike_sa_drop(sa, IKE_DROP_INVALID, &sa->remote, "%s for another SA, or malformed",
		    isakmp_notify_name(n->type) ?: "notify");
}

static void take_delete(struct ike_sa *sa, const struct isakmp_delete *d)
{
	struct child_sa *c, *next;
	struct ike_sa *o;
	uint16_t i;
	uint32_t spi;

	if (d->protocol == ISAKMP_PROTO_ISAKMP) {
		for (i = 0; i < d->n_spi; i++) {
			if (d->spi_len == 16 && !memcmp(d->spis + 16 * i, sa->spi_i, 8) &&
			    !memcmp(d->spis + 16 * i + 8, sa->spi_r, 8)) {
				log_info("%s: the peer deleted the ISAKMP SA", sa->gw->name);
				ikev1_hand_over(sa);
				ike_sa_kill(sa, "deleted by the peer");
				return;
			}
		}
		return;
	}
	if (d->spi_len != 4)
		return;
	for (i = 0; i < d->n_spi; i++) {
		memcpy(&spi, d->spis + 4 * i, 4);
		spi = ntohl(spi);
		/* On this ISAKMP SA or another with the same peer (a renewal moved it). */
		ike_sa_foreach(o) {
			if (o->version != 1 || o->state == IKE_SA_DEAD || !ikev1_same_peer(o, sa))
				continue;
			for (c = o->children; c; c = next) {
				next = c->next;
				/* The peer names its inbound SPI, our outbound one; some, both. */
				if (c->spi_out != spi && c->spi_in != spi)
					continue;
				log_info("%s: the peer deleted IPsec SA %08x/%08x of VPN %s",
					 sa->gw->name, c->spi_in, c->spi_out, c->vpn->name);
				ike_sa_unlink_child(o, c);
				ike_child_remove(c);
			}
		}
	}
}

void ikev1_info_process(struct ike_sa *sa, struct ikev1_rx *in)
{
	const struct isakmp_msg *m = in->m;
	struct isakmp_notify n;
	struct isakmp_delete d;
	unsigned int i;

	if (!in->encrypted) {
		if (sa->keys_ready) {
			ike_sa_drop(sa, IKE_DROP_UNENCRYPTED, &in->rx->from,
				    "informational in the clear after phase 1 keys exist");
			return;
		}
		/* Before keys: a hint for the log, never acted on. */
		for (i = 0; i < m->n; i++)
			if (m->pl[i].type == ISAKMP_PL_NOTIFY && !isakmp_decode_notify(&m->pl[i], &n))
				log_info("%s: unprotected notify %s (%u) from the peer, not acted on",
					 sa->gw->name, isakmp_notify_name(n.type) ?: "?", n.type);
		if (!sa->why[0])
			snprintf(sa->why, sizeof(sa->why), "the peer sent %s",
				 m->n && m->pl[0].type == ISAKMP_PL_NOTIFY &&
				 !isakmp_decode_notify(&m->pl[0], &n) ?
				 isakmp_notify_name(n.type) ?: "a notify" : "a notify");
		return;
	}
	if (ikev1_check_hash(sa, in, NULL, 0))
		return;
	if (ikev1_msgid_seen(sa, m->hdr.msgid)) {
		ike_sa_drop(sa, IKE_DROP_WINDOW, &in->rx->from,
			    "informational %08x: message ID used already (a replay?)",
			    m->hdr.msgid);
		return;
	}
	ikev1_msgid_remember(sa, m->hdr.msgid);
	/*
	 * No sign of life, and no reason to move: an informational proves no
	 * freshness (a capture older than the message IDs we remember passes
	 * again). Only the answer to a probe of ours does (take_notify()).
	 */
	ikev1_confirmed(sa);
	for (i = 1; i < m->n && sa->state != IKE_SA_DEAD; i++) {
		if (m->pl[i].type == ISAKMP_PL_NOTIFY && !isakmp_decode_notify(&m->pl[i], &n))
			take_notify(sa, &n);
		else if (m->pl[i].type == ISAKMP_PL_DELETE && !isakmp_decode_delete(&m->pl[i], &d))
			take_delete(sa, &d);
	}
}
