// SPDX-License-Identifier: GPL-2.0
/*
 * INFORMATIONAL with Delete payloads, as initiator (RFC 7296 1.4.1):
 * deleting the IKE SA (it dies once answered, or given up on), and
 * deleting child SAs that are already out of the kernel (expired, or
 * removed by hand). Deletes are queued like any request, never skipped
 * for a busy window; child deletes not yet sent take further SPIs.
 */
#include <arpa/inet.h>
#include <linux/sectun.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "child.h"
#include "ike_sa.h"
#include "ikev1/ikev1.h"
#include "ikev2/exchanges.h"
#include "ikev2/ikev2.h"
#include "ikev2/message.h"
#include "log.h"

#define MAX_SPIS	64

struct delete_xchg {
	struct ike_xchg x;
	/* Child SAs: our inbound SPIs, by protocol (ESP and AH in two payloads). */
	uint32_t esp[MAX_SPIS], ah[MAX_SPIS];	/* network order */
	unsigned int n_esp, n_ah;
};

#define to_delete(x) ((struct delete_xchg *)(x))

static int delete_ike_build(struct ike_xchg *x, struct ike_writer *w)
{
	(void)x;
	return ike_w_delete(w, IKE_PROTO_IKE, 0, 0, NULL);
}

static enum ike_xchg_status delete_ike_done(struct ike_xchg *x, struct ike_rx *rx)
{
	(void)rx;
	log_info("%s: the peer took our delete of the IKE SA", x->sa->gw->name);
	return IKE_XCHG_FATAL;	/* the SA ends here, as asked */
}

const struct ike_xchg_ops ikev2_delete_ike_ops = {
	.name = "INFORMATIONAL (delete IKE SA)",
	.exchange = IKE_INFORMATIONAL,
	.size = sizeof(struct delete_xchg),
	.always_queued = true,
	.build_request = delete_ike_build,
	.process_response = delete_ike_done,
};

int ikev2_delete_ike_queue(struct ike_sa *sa)
{
	struct ike_xchg *x = ike_xchg_new(&ikev2_delete_ike_ops, sa), *q;

	if (!x)
		return -1;
	/* What waited behind it would go to an SA about to vanish. */
	while ((q = sa->xchg.queue)) {
		sa->xchg.queue = q->next;
		sa->xchg.queued--;
		if (q->ops->abort)
			q->ops->abort(q);
		ike_xchg_free(q);
	}
	snprintf(sa->why, sizeof(sa->why), "deleted");
	return ike_xchg_queue(sa, x, true);
}

void ikev2_delete_ike_now(struct ike_sa *sa)
{
	uint8_t buf[64], *msg;
	struct ike_writer w;
	size_t len;

	/*
	 * Shutdown: one datagram with the next message ID, waiting for
	 * nothing. Behind a request still unanswered a peer with a window of
	 * one may drop it, and then ends the SA on its own timers.
	 */
	ike_w_init(&w, buf, sizeof(buf));
	ike_w_delete(&w, IKE_PROTO_IKE, 0, 0, NULL);
	msg = ikev2_message_build(sa, IKE_INFORMATIONAL, false, sa->xchg.next_msgid, &w, &len);
	if (!msg)
		return;
	ike_transmit(msg, len, &sa->remote, &sa->local);
	free(msg);
	log_info("%s: deleting the IKE SA (shutdown)", sa->gw->name);
}

static int delete_child_build(struct ike_xchg *x, struct ike_writer *w)
{
	struct delete_xchg *dx = to_delete(x);

	if (dx->n_esp)
		ike_w_delete(w, IKE_PROTO_ESP, 4, dx->n_esp, dx->esp);
	if (dx->n_ah)
		ike_w_delete(w, IKE_PROTO_AH, 4, dx->n_ah, dx->ah);
	return w->err;
}

static void linger_from(struct ike_sa *sa, const uint32_t *spis, unsigned int n)
{
	struct child_sa *c;
	unsigned int i;

	for (i = 0; i < n; i++) {
		c = ike_child_by_spi_in(sa, ntohl(spis[i]));
		if (c && c->state == CHILD_RETIRING)
			ike_child_retire(c, CHILD_LINGER_MS);
	}
}

static enum ike_xchg_status delete_child_done(struct ike_xchg *x, struct ike_rx *rx)
{
	struct delete_xchg *dx = to_delete(x);

	(void)rx;
	/*
	 * The peer's half went with its answer. Ours went before we asked,
	 * but for the inbound SAs of replaced children, which stay a moment
	 * for packets the peer sent before it saw the delete.
	 */
	linger_from(x->sa, dx->esp, dx->n_esp);
	linger_from(x->sa, dx->ah, dx->n_ah);
	return IKE_XCHG_DONE;
}

const struct ike_xchg_ops ikev2_delete_child_ops = {
	.name = "INFORMATIONAL (delete child SA)",
	.exchange = IKE_INFORMATIONAL,
	.size = sizeof(struct delete_xchg),
	.needs_established = true,
	.always_queued = true,
	.build_request = delete_child_build,
	.process_response = delete_child_done,
};

static bool add_spi(struct delete_xchg *dx, uint8_t protocol, uint32_t spi_in)
{
	uint32_t be = htonl(spi_in);

	if (protocol == IKE_PROTO_AH && dx->n_ah < MAX_SPIS) {
		dx->ah[dx->n_ah++] = be;
		return true;
	}
	if (protocol == IKE_PROTO_ESP && dx->n_esp < MAX_SPIS) {
		dx->esp[dx->n_esp++] = be;
		return true;
	}
	return false;
}

int ikev2_delete_child_queue(struct ike_sa *sa, uint8_t protocol, uint32_t spi_in)
{
	struct ike_xchg *x = ike_xchg_find_queued(sa, &ikev2_delete_child_ops);

	if (x && add_spi(to_delete(x), protocol, spi_in))
		return 0;
	x = ike_xchg_new(&ikev2_delete_child_ops, sa);
	if (!x)
		return -1;
	add_spi(to_delete(x), protocol, spi_in);
	return ike_xchg_queue(sa, x, false);
}

/*
 * The module dropped one direction of a child (hard lifetime, or deleted
 * by hand): the child is gone. The other direction goes too, and the peer
 * hears of it so that it stops using its half.
 */
void ike_child_gone(const char *ifname, uint32_t spi, int dir)
{
	struct child_sa *c;
	struct ike_sa *sa;
	enum child_state state;
	unsigned int sel;
	uint8_t protocol;
	uint32_t spi_in;
	bool ours;

	ike_sa_foreach(sa) {
		if (sa->state == IKE_SA_DEAD)
			continue;
		for (c = sa->children; c; c = c->next) {
			if (strcmp(c->vpn->bind_if, ifname) ||
			    (dir == SECTUN_DIR_IN ? c->spi_in : c->spi_out) != spi)
				continue;
			/* A replaced child's outbound SA: we took it out. */
			if (c->state == CHILD_RETIRING && dir == SECTUN_DIR_OUT)
				return;
			log_info("%s: child SA %08x/%08x of VPN %s expired or was removed",
				 sa->gw->name, c->spi_in, c->spi_out, c->vpn->name);
			ike_sa_unlink_child(sa, c);
			state = c->state;
			sel = c->sel;
			protocol = c->protocol;
			spi_in = c->spi_in;
			ours = c->vpn == sa->vpn;
			if (state == CHILD_REKEYED)
				ike_child_successor_current(c);
			if (sa->version == 1) {
				/* IKEv1: the delete names the SPI; then a new quick mode. */
				if (sa->state == IKE_SA_ESTABLISHED && state != CHILD_RETIRING)
					ikev1_delete_child(sa, c);
				ike_child_remove(c);
				if (ours && state == CHILD_INSTALLED)
					ikev1_child_wanted(sa, sa->vpn, sel);
				return;
			}
			ike_child_remove(c);
			/* A retiring child's delete is out already. */
			if (sa->state == IKE_SA_ESTABLISHED && state != CHILD_RETIRING)
				ikev2_delete_child_queue(sa, protocol, spi_in);
			/* Ours to keep up, and not replaced: ask again. */
			if (ours && state == CHILD_INSTALLED)
				ikev2_child_queue(sa, sa->vpn, sel, false);
			return;
		}
	}
}
