// SPDX-License-Identifier: GPL-2.0
/*
 * INFORMATIONAL (RFC 7296 1.4): deleting the IKE SA or some of its child
 * SAs, both ways, and answering liveness checks.
 */
#include <arpa/inet.h>
#include <linux/sectun.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "child.h"
#include "engine/exchange.h"
#include "ikev2/ikev2.h"
#include "log.h"

void ike_sa_delete(struct ike_sa *sa, bool wait)
{
	struct ike_writer w;
	uint8_t buf[64];

	if (sa->state != IKE_SA_ESTABLISHED || sa->req.msg) {
		ike_sa_kill(sa, "deleted");
		return;
	}
	ike_w_init(&w, buf, sizeof(buf));
	ike_w_delete(&w, IKE_PROTO_IKE, 0, 0, NULL);
	log_info("%s: deleting the IKE SA", sa->gw->name);
	if (ike_send_request(sa, IKE_INFORMATIONAL, &w) || !wait) {
		ike_sa_kill(sa, "deleted");
		return;
	}
	sa->state = IKE_SA_DELETING;
}

/* Children whose outbound SPIs the peer deletes; answers with our inbound ones. */
static unsigned int delete_children(struct ike_sa *sa, const struct ike_delete *d,
				    uint32_t *ours, unsigned int max)
{
	unsigned int i, n = 0;

	for (i = 0; i < d->n_spi; i++) {
		struct child_sa **p, *c;
		uint32_t spi;

		memcpy(&spi, d->spis + 4 * i, 4);
		spi = ntohl(spi);
		for (p = &sa->children; (c = *p); p = &c->next) {
			if (c->spi_out != spi || c->protocol != d->protocol)
				continue;
			*p = c->next;
			log_info("%s: the peer deleted child SA %08x/%08x of VPN %s",
				 sa->gw->name, c->spi_in, c->spi_out, c->vpn->name);
			if (n < max)
				ours[n++] = htonl(c->spi_in);
			ike_child_remove(c);
			break;
		}
	}
	return n;
}

void ike_info_respond(struct ike_sa *sa, struct ike_rx *rx)
{
	const struct ike_payload *pl = NULL;
	uint32_t ours[64];
	struct ike_delete d;
	struct ike_writer w;
	uint8_t buf[512];
	bool ike_deleted = false;
	uint8_t proto = IKE_PROTO_ESP;
	unsigned int n = 0;

	ike_w_init(&w, buf, sizeof(buf));
	while ((pl = ike_msg_find(rx->m, IKE_PL_DELETE, pl))) {
		if (ike_decode_delete(pl, &d))
			continue;
		if (d.protocol == IKE_PROTO_IKE) {
			ike_deleted = true;
		} else {
			proto = d.protocol;
			n += delete_children(sa, &d, ours + n, 64 - n);
		}
	}
	if (!ike_deleted && n)
		ike_w_delete(&w, proto, 4, n, ours);
	ike_send_response(sa, IKE_INFORMATIONAL, rx->m->hdr.msgid, &w);
	if (ike_deleted) {
		log_info("%s: the peer deleted the IKE SA", sa->gw->name);
		ike_sa_kill(sa, "deleted by the peer");
	}
}

void ike_info_response(struct ike_sa *sa, struct ike_rx *rx)
{
	(void)rx;
	if (sa->state == IKE_SA_DELETING)
		ike_sa_kill(sa, "deleted");
	else
		ike_child_next(sa);	/* what waited for the window */
}

/*
 * The module dropped one direction of a child (hard lifetime, or deleted
 * by hand): the child is gone. The other direction goes too, and the peer
 * hears of it so that it stops using its half.
 */
void ike_child_gone(const char *ifname, uint32_t spi, int dir)
{
	struct child_sa **p, *c;
	struct ike_sa *sa;
	unsigned int sel;
	uint32_t be;
	bool mine;

	for (sa = ike_sas; sa; sa = sa->next) {
		for (p = &sa->children; (c = *p); p = &c->next) {
			if (strcmp(c->vpn->bind_if, ifname) ||
			    (dir == SECTUN_DIR_IN ? c->spi_in : c->spi_out) != spi)
				continue;
			*p = c->next;
			log_info("%s: child SA %08x/%08x of VPN %s expired or was removed",
				 sa->gw->name, c->spi_in, c->spi_out, c->vpn->name);
			if (sa->state == IKE_SA_ESTABLISHED && !sa->req.msg) {
				struct ike_writer w;
				uint8_t buf[64];

				be = htonl(c->spi_in);
				ike_w_init(&w, buf, sizeof(buf));
				ike_w_delete(&w, c->protocol, 4, 1, &be);
				ike_send_request(sa, IKE_INFORMATIONAL, &w);
			}
			sel = c->sel;
			mine = sa->initiator && c->vpn == sa->vpn;
			ike_child_remove(c);
			/* Ours to keep up: ask again (if the soft expiry did not). */
			if (mine) {
				sa->tried_sel &= ~(1u << sel);
				ike_child_next(sa);
			}
			return;
		}
	}
}

static void lifetime_expired(struct ike_timer *t)
{
	struct ike_sa *sa = (struct ike_sa *)((char *)t - offsetof(struct ike_sa, lifetime));

	log_info("%s: IKE SA lifetime (%u s) reached: deleting it", sa->gw->name,
		 sa->gw->lifetime);
	ike_sa_delete(sa, true);
}

void ike_sa_start_lifetime(struct ike_sa *sa)
{
	ike_timer_set(&sa->lifetime, (uint64_t)sa->gw->lifetime * 1000, lifetime_expired);
}
