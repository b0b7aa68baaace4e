// SPDX-License-Identifier: GPL-2.0
/*
 * INFORMATIONAL as responder (RFC 7296 1.4): the peer deletes the IKE SA
 * (answered, then the SA ends) or some child SAs (answered with the
 * SPIs of our halves, RFC 1.4.1), or checks that we are alive (an empty
 * request, answered empty). Notifies we do not act on are ignored.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "child.h"
#include "ike_sa.h"
#include "ikev2/exchanges.h"
#include "ikev2/ikev2.h"
#include "log.h"

#define MAX_SPIS	64

struct info_xchg {
	struct ike_xchg x;
	bool ike_deleted;
	/* Our halves of what the peer deleted, by protocol; network order. */
	uint32_t esp[MAX_SPIS], ah[MAX_SPIS];
	unsigned int n_esp, n_ah;
};

#define to_info(x) ((struct info_xchg *)(x))

/* The children whose outbound SPIs the peer deletes; our inbound ones noted. */
static void delete_children(struct info_xchg *ix, const struct ike_delete *d)
{
	struct ike_sa *sa = ix->x.sa;
	struct child_sa *c;
	unsigned int i;
	uint32_t spi;

	for (i = 0; i < d->n_spi; i++) {
		memcpy(&spi, d->spis + 4 * i, 4);
		spi = ntohl(spi);
		for (c = sa->children; c; c = c->next) {
			if (c->spi_out != spi || c->protocol != d->protocol)
				continue;
			log_info("%s: the peer deleted child SA %08x/%08x of VPN %s",
				 sa->gw->name, c->spi_in, c->spi_out, c->vpn->name);
			if (c->protocol == IKE_PROTO_AH && ix->n_ah < MAX_SPIS)
				ix->ah[ix->n_ah++] = htonl(c->spi_in);
			else if (c->protocol == IKE_PROTO_ESP && ix->n_esp < MAX_SPIS)
				ix->esp[ix->n_esp++] = htonl(c->spi_in);
			/*
			 * A replaced child: its successor carries the traffic
			 * first, its outbound SA goes now, and its inbound SA
			 * stays CHILD_LINGER_MS for what the peer sent on it
			 * before it switched (still in the peer's crypto queue
			 * or on the wire), as at the rekey's initiator.
			 */
			if (c->state == CHILD_REKEYED) {
				ike_child_successor_current(c);
				ike_child_retire(c, CHILD_LINGER_MS);
				break;
			}
			ike_sa_unlink_child(sa, c);
			ike_child_remove(c);
			break;
		}
	}
}

static enum ike_xchg_status info_process_request(struct ike_xchg *x, struct ike_rx *rx)
{
	struct info_xchg *ix = to_info(x);
	const struct ike_payload *pl = NULL;
	struct ike_sa *collided;
	struct child_sa *c;
	struct ike_delete d;

	while ((pl = ike_msg_find(rx->m, IKE_PL_DELETE, pl))) {
		if (ike_decode_delete(pl, &d))
			continue;
		if (d.protocol == IKE_PROTO_IKE) {
			ix->ike_deleted = true;
		} else if (d.protocol == IKE_PROTO_ESP || d.protocol == IKE_PROTO_AH) {
			delete_children(ix, &d);
		}
	}
	if (!ix->ike_deleted)
		return IKE_XCHG_DONE;
	log_info("%s: the peer deleted the IKE SA", x->sa->gw->name);
	/*
	 * Children made anew on another IKE SA (the peer reauthenticated)
	 * carry our traffic before we answer: once answered, the peer drops
	 * what comes on the old ones.
	 */
	for (c = x->sa->children; c; c = c->next)
		if (c->state == CHILD_REKEYED)
			ike_child_successor_current(c);
	/*
	 * Its rekey crossed ours and it never saw ours (RFC 7296 2.25.2): we
	 * forget ours, and the SA its rekey made takes the children.
	 */
	collided = ike_sa_by_our_spi(x->sa->collision_spi);
	if (collided) {
		log_info("%s: the peer's rekey of the IKE SA stands", x->sa->gw->name);
		ike_sa_inherit(x->sa, collided);
	}
	snprintf(x->sa->why, sizeof(x->sa->why), "deleted by the peer");
	return IKE_XCHG_FATAL;	/* after our (empty) answer */
}

static int info_build_response(struct ike_xchg *x, struct ike_writer *w)
{
	struct info_xchg *ix = to_info(x);

	if (ix->ike_deleted)
		return w->err;
	if (ix->n_esp)
		ike_w_delete(w, IKE_PROTO_ESP, 4, ix->n_esp, ix->esp);
	if (ix->n_ah)
		ike_w_delete(w, IKE_PROTO_AH, 4, ix->n_ah, ix->ah);
	return w->err;
}

const struct ike_xchg_ops ikev2_informational_ops = {
	.name = "INFORMATIONAL",
	.exchange = IKE_INFORMATIONAL,
	.size = sizeof(struct info_xchg),
	.process_request = info_process_request,
	.build_response = info_build_response,
};

/*
 * Whether a CREATE_CHILD_SA request rekeys the IKE SA: its first proposal
 * is for IKE (RFC 7296 1.3.2). The proposal's protocol is octet 5 of the
 * first proposal substructure, which starts the SA payload's body.
 */
static bool rekeys_ike_sa(const struct ike_msg *m)
{
	const struct ike_payload *pl = m ? ike_msg_find(m, IKE_PL_SA, NULL) : NULL;

	return pl && pl->len >= 8 && pl->body[5] == IKE_PROTO_IKE;
}

const struct ike_xchg_ops *ikev2_responder_ops(uint8_t exchange, const struct ike_msg *m)
{
	switch (exchange) {
	case IKE_AUTH:
		return &ikev2_auth_ops;
	case IKE_CREATE_CHILD_SA:
		return rekeys_ike_sa(m) ? &ikev2_ike_rekey_ops : &ikev2_child_create_ops;
	case IKE_INFORMATIONAL:
		return &ikev2_informational_ops;
	}
	return NULL;
}
