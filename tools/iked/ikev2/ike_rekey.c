// SPDX-License-Identifier: GPL-2.0
/*
 * CREATE_CHILD_SA that rekeys the IKE SA (RFC 7296 1.3.2, 2.18), both
 * halves: IKE proposals carrying the sender's new SPI, nonces and a KE;
 * the new SA's keys come from the old SA's SK_d and the new DH secret.
 * The children and the VPN move to the new SA, which starts its message
 * IDs at 0 with the rekey's initiator as its original initiator; the
 * rekey's initiator then deletes the old SA.
 *
 * Collisions (RFC 7296 2.8.2, 2.25.2): a peer's rekey that crosses ours
 * is answered as usual, and its new SA waits, empty; when our answer
 * comes, the new SA whose exchange holds the lowest of the four nonces
 * is redundant and deleted by its initiator, and the other one takes the
 * children. A peer that did not see the collision refuses ours with
 * TEMPORARY_FAILURE (we completed ours first, and refuse theirs likewise),
 * or deletes the old SA: its SA takes the children. A peer's rekey while
 * we create, rekey or delete a child, and a child request while we rekey
 * the IKE SA, are refused with TEMPORARY_FAILURE and tried again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/crypto.h"
#include "ike_sa.h"
#include "ikev2/exchanges.h"
#include "ikev2/ikev2.h"
#include "ikev2/payloads.h"
#include "log.h"
#include "proposal.h"
#include "random.h"

#define MAX_KE_ROUNDS		2
#define RETRY_MIN_MS		500	/* after TEMPORARY_FAILURE: 0.5-2.5 s */
#define RETRY_SPREAD_MS		2000
#define RETRY_REFUSED_MS	10000	/* after any other refusal: 10-12 s */

struct ike_rekey_xchg {
	struct ike_xchg x;
	uint8_t spi[8];			/* our SPI in the new SA */
	uint8_t ni[IKE_NONCE_MAX], nr[IKE_NONCE_LEN];
	size_t ni_len;
	uint16_t group;
	struct ike_dh *dh;
	/* Initiator. */
	struct ike_sa_offer offer;
	unsigned int ke_rounds;
	/* Responder. */
	uint16_t err;
	uint8_t err_data[2];
	size_t err_len;
	struct ike_proposal reply;
};

#define to_rekey(x) ((struct ike_rekey_xchg *)(x))

static const char *spi_str(const uint8_t spi[8], char out[17])
{
	unsigned int i;

	for (i = 0; i < 8; i++)
		snprintf(out + 2 * i, 3, "%02x", spi[i]);
	return out;
}

/* The new SA's keys and the SA itself; OLD keeps going until it is deleted. */
static struct ike_sa *make_successor(struct ike_sa *old, bool we_initiated,
				     const uint8_t peer_spi[8], const uint8_t our_spi[8],
				     const struct ike_suite *suite, const uint8_t *secret,
				     size_t slen, const uint8_t *ni, size_t ni_len,
				     const uint8_t *nr, size_t nr_len)
{
	const uint8_t *spi_i = we_initiated ? our_spi : peer_spi;
	const uint8_t *spi_r = we_initiated ? peer_spi : our_spi;
	struct ike_keys *keys = malloc(sizeof(*keys));
	struct ike_sa *sa = NULL;
	char text[128], a[17], b[17], c[17], d[17];

	if (keys && !ike_derive_rekey_ike_keys(&old->keys, suite, secret, slen, ni, ni_len,
					       nr, nr_len, spi_i, spi_r, keys))
		sa = ike_sa_successor(old, we_initiated, spi_i, spi_r, suite, keys);
	if (keys) {
		ike_keys_wipe(keys);
		free(keys);
	}
	if (!sa) {
		log_err("%s: cannot make the rekeyed IKE SA", old->gw->name);
		return NULL;
	}
	ike_suite_format(IKE_PROP_IKE, suite, text, sizeof(text));
	log_info("%s: IKE SA %s/%s rekeyed %s: now %s/%s, %s (rekey %u)", sa->gw->name,
		 spi_str(old->spi_i, a), spi_str(old->spi_r, b),
		 we_initiated ? "by us" : "by the peer", spi_str(sa->spi_i, c),
		 spi_str(sa->spi_r, d), text, sa->rekeys);
	return sa;
}

/* The peer's new SPI in its (one) proposal, or NULL. */
static const uint8_t *proposal_spi(const struct ike_sa_offer *o, uint8_t num)
{
	static const uint8_t zero[8];
	unsigned int i;

	for (i = 0; i < o->n; i++)
		if (o->p[i].num == num && o->p[i].spi_len == 8 && memcmp(o->p[i].spi, zero, 8))
			return o->p[i].spi;
	return NULL;
}

/* ---- Initiator ---- */

static int new_dh(struct ike_rekey_xchg *rx, uint16_t group)
{
	ike_dh_free(rx->dh);
	rx->group = group;
	rx->dh = ike_dh_new(group);
	return rx->dh ? 0 : -1;
}

static int rekey_build_request(struct ike_xchg *x, struct ike_writer *w)
{
	struct ike_rekey_xchg *rx = to_rekey(x);

	ike_w_sa(w, &rx->offer);
	ike_w_nonce(w, rx->ni, rx->ni_len);
	if (ikev2_put_ke(w, rx->dh, rx->group))
		return -1;
	return w->err;
}

/* The rekey again in MIN ms and up to RETRY_SPREAD_MS more, at random. */
static void retry_later(struct ike_sa *sa, uint64_t min)
{
	uint32_t r = 0;

	ike_random(&r, sizeof(r));
	ike_sa_rekey_in(sa, min + r % RETRY_SPREAD_MS);
}

/*
 * The peer's rekey that crossed ours made COLLIDED; ours made NEW (or
 * nothing, NULL). The new SA whose exchange holds the lowest nonce is
 * redundant (RFC 7296 2.8.2): ours is deleted by us, theirs by them.
 */
static void resolve_collision(struct ike_sa *sa, struct ike_sa *collided, struct ike_sa *new,
			      const struct ike_rekey_xchg *rx, const uint8_t *nr, size_t nr_len)
{
	const uint8_t *low;
	size_t low_len;

	if (new) {
		ike_nonce_lowest(rx->ni, rx->ni_len, nr, nr_len, &low, &low_len);
		if (!ike_nonce_lower(low, low_len, sa->collision_nonce, sa->collision_nonce_len)) {
			log_info("%s: IKE SA rekey collision: ours won, the peer deletes its "
				 "new SA", sa->gw->name);
			ike_sa_inherit(sa, new);
			ike_sa_delete(sa);
			return;
		}
		log_info("%s: IKE SA rekey collision: ours lost, deleting its new SA",
			 sa->gw->name);
		ike_sa_delete(new);
	} else {
		log_info("%s: the peer's rekey of the IKE SA stands", sa->gw->name);
	}
	/* The peer's SA lives; the peer deletes the old one. */
	ike_sa_inherit(sa, collided);
}

static enum ike_xchg_status rekey_process_response(struct ike_xchg *x, struct ike_rx *r)
{
	struct ike_rekey_xchg *rx = to_rekey(x);
	struct ike_sa *sa = x->sa, *new = NULL, *collided;
	const struct ike_msg *m = r->m;
	uint8_t secret[IKE_DH_MAX_SHARED_LEN];
	const uint8_t *nr = NULL, *ke, *peer_spi;
	struct ike_sa_offer *reply;
	size_t nr_len = 0, ke_len, slen = sizeof(secret);
	struct ike_suite suite;
	struct ike_notify n;
	uint16_t err, group;

	if (!ike_msg_find_notify(m, IKE_N_INVALID_KE_PAYLOAD, &n) && n.len == 2) {
		group = n.data[0] << 8 | n.data[1];
		if (group != rx->group && ike_offer_has_dh(&rx->offer, group) &&
		    rx->ke_rounds < MAX_KE_ROUNDS && !new_dh(rx, group) &&
		    !ike_random(rx->ni, rx->ni_len)) {
			rx->ke_rounds++;
			ike_offer_promote_dh(&rx->offer, group);
			return IKE_XCHG_RESEND;
		}
	}
	collided = ike_sa_by_our_spi(sa->collision_spi);
	err = ike_msg_error(m);
	if (err) {
		log_warn("%s: the peer refused to rekey the IKE SA: %s", sa->gw->name,
			 ike_error_name(err));
		snprintf(sa->why, sizeof(sa->why), "IKE SA rekey refused: %s",
			 ike_error_name(err));
		/* It rekeyed first and never saw ours: its SA is the one (2.8.2). */
		if (collided)
			resolve_collision(sa, collided, NULL, rx, NULL, 0);
		else
			retry_later(sa, err == IKE_N_TEMPORARY_FAILURE ? RETRY_MIN_MS :
				    RETRY_REFUSED_MS);
		return IKE_XCHG_DONE;
	}
	reply = malloc(sizeof(*reply));
	if (!reply)
		return IKE_XCHG_DONE;
	if (ike_decode_sa(ike_msg_find(m, IKE_PL_SA, NULL), reply) ||
	    ike_decode_nonce(ike_msg_find(m, IKE_PL_NONCE, NULL), &nr, &nr_len) ||
	    ike_decode_ke(ike_msg_find(m, IKE_PL_KE, NULL), &group, &ke, &ke_len) ||
	    ike_proposal_check_reply(&rx->offer, reply, IKE_PROP_IKE, &suite) ||
	    group != suite.dh || group != rx->group ||
	    !(peer_spi = proposal_spi(reply, reply->p[0].num)) ||
	    ike_dh_shared(rx->dh, ke, ke_len, secret, &slen)) {
		log_err("%s: the IKE SA rekey response is not what we offered", sa->gw->name);
		snprintf(sa->why, sizeof(sa->why), "bad IKE SA rekey response");
		free(reply);
		OPENSSL_cleanse(secret, sizeof(secret));
		if (collided)
			resolve_collision(sa, collided, NULL, rx, NULL, 0);
		else
			retry_later(sa, RETRY_REFUSED_MS);
		return IKE_XCHG_DONE;
	}
	new = make_successor(sa, true, peer_spi, rx->spi, &suite, secret, slen, rx->ni,
			     rx->ni_len, nr, nr_len);
	free(reply);
	OPENSSL_cleanse(secret, sizeof(secret));
	if (collided) {
		resolve_collision(sa, collided, new, rx, nr, nr_len);
	} else if (new) {
		ike_sa_inherit(sa, new);
		/* The old SA goes once this exchange is off the window. */
		ike_sa_delete(sa);
	}
	return IKE_XCHG_DONE;
}

static bool rekey_pending(const struct ike_sa *sa)
{
	return ike_xchg_pending(sa, &ikev2_ike_rekey_ops);
}

int ikev2_ike_rekey_start(struct ike_sa *sa)
{
	struct ike_rekey_xchg *rx;
	unsigned int i;

	if (sa->state != IKE_SA_ESTABLISHED || sa->rekeyed || rekey_pending(sa))
		return 0;
	rx = (struct ike_rekey_xchg *)ike_xchg_new(&ikev2_ike_rekey_ops, sa);
	if (!rx)
		return -1;
	rx->offer = sa->gw->proposals;
	rx->ni_len = IKE_NONCE_LEN;
	if (ike_sa_fresh_spi(rx->spi) || ike_random(rx->ni, rx->ni_len) ||
	    new_dh(rx, ike_offer_first_dh(&rx->offer))) {
		ike_xchg_free(&rx->x);
		return -1;
	}
	for (i = 0; i < rx->offer.n; i++) {
		rx->offer.p[i].spi_len = 8;
		memcpy(rx->offer.p[i].spi, rx->spi, 8);
	}
	log_info("%s: rekeying the IKE SA", sa->gw->name);
	return ike_xchg_queue(sa, &rx->x, false);
}

/* ---- Responder ---- */

static enum ike_xchg_status refuse(struct ike_rekey_xchg *rx, uint16_t type,
				   const void *data, size_t len)
{
	rx->err = type;
	rx->err_len = len;
	if (len)
		memcpy(rx->err_data, data, len);
	return IKE_XCHG_DONE;
}

/* Whether our own exchange in flight on SA creates, rekeys or deletes a child. */
static bool child_work_in_flight(const struct ike_sa *sa)
{
	return ike_xchg_active_is(sa, &ikev2_child_create_ops) ||
	       ike_xchg_active_is(sa, &ikev2_delete_child_ops);
}

/* Our rekey of SA, still queued, is not needed any more. */
static void drop_queued_rekey(struct ike_sa *sa)
{
	struct ike_xchg **p, *x;

	for (p = &sa->xchg.queue; (x = *p); p = &x->next) {
		if (x->ops == &ikev2_ike_rekey_ops) {
			*p = x->next;
			sa->xchg.queued--;
			ike_xchg_free(x);
			return;
		}
	}
}

static enum ike_xchg_status rekey_process_request(struct ike_xchg *x, struct ike_rx *r)
{
	struct ike_rekey_xchg *rx = to_rekey(x);
	struct ike_sa *sa = x->sa, *new;
	const struct ike_msg *m = r->m;
	uint8_t secret[IKE_DH_MAX_SHARED_LEN];
	const uint8_t *ni, *ke, *peer_spi, *low;
	size_t ni_len, ke_len, slen = sizeof(secret), low_len;
	struct ike_sa_offer *theirs;
	enum ike_xchg_status st;
	struct ike_suite suite;
	uint16_t group;
	bool crossing;

	/* Replaced already, by our rekey or theirs: it is closing (2.8.2, 2.25.2). */
	if (sa->rekeyed || child_work_in_flight(sa) ||
	    ike_sa_count_gateway(sa->gw) >= iked->cfg->limits.ike_sas_per_gateway) {
		log_info("%s: the peer rekeys the IKE SA while it %s: not now", sa->gw->name,
			 sa->rekeyed ? "is being replaced" : "has child SA work in flight");
		return refuse(rx, IKE_N_TEMPORARY_FAILURE, NULL, 0);
	}
	crossing = ike_xchg_active_is(sa, &ikev2_ike_rekey_ops);
	theirs = malloc(sizeof(*theirs));
	if (!theirs)
		return refuse(rx, IKE_N_TEMPORARY_FAILURE, NULL, 0);
	if (ike_decode_sa(ike_msg_find(m, IKE_PL_SA, NULL), theirs) ||
	    ike_decode_nonce(ike_msg_find(m, IKE_PL_NONCE, NULL), &ni, &ni_len) ||
	    ike_decode_ke(ike_msg_find(m, IKE_PL_KE, NULL), &group, &ke, &ke_len)) {
		st = refuse(rx, IKE_N_INVALID_SYNTAX, NULL, 0);
		goto out;
	}
	ike_offer_promote_dh(theirs, group);
	if (ike_proposal_select(&sa->gw->proposals, theirs, IKE_PROP_IKE, &suite,
				&rx->reply)) {
		st = refuse(rx, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		goto out;
	}
	if (group != suite.dh) {
		uint8_t want[2] = { suite.dh >> 8, suite.dh & 0xff };

		st = refuse(rx, IKE_N_INVALID_KE_PAYLOAD, want, 2);
		goto out;
	}
	peer_spi = proposal_spi(theirs, rx->reply.num);
	rx->group = group;
	rx->dh = ike_dh_new(group);
	if (!peer_spi || !rx->dh || ike_dh_shared(rx->dh, ke, ke_len, secret, &slen)) {
		st = refuse(rx, IKE_N_INVALID_SYNTAX, NULL, 0);
		goto out;
	}
	if (ike_sa_fresh_spi(rx->spi) || ike_random(rx->nr, sizeof(rx->nr)) ||
	    !(new = make_successor(sa, false, peer_spi, rx->spi, &suite, secret, slen, ni,
				   ni_len, rx->nr, sizeof(rx->nr)))) {
		st = refuse(rx, IKE_N_TEMPORARY_FAILURE, NULL, 0);
		goto out;
	}
	rx->reply.spi_len = 8;
	memcpy(rx->reply.spi, rx->spi, 8);
	st = IKE_XCHG_DONE;
	if (crossing) {
		/* Ours is in flight: the new SA waits, empty, for its answer. */
		ike_nonce_lowest(ni, ni_len, rx->nr, sizeof(rx->nr), &low, &low_len);
		memcpy(sa->collision_spi, rx->spi, 8);
		memcpy(sa->collision_nonce, low, low_len);
		sa->collision_nonce_len = low_len;
		ike_sa_retire(new);
		log_info("%s: the peer rekeys the IKE SA while we do", sa->gw->name);
		goto out;
	}
	drop_queued_rekey(sa);
	ike_sa_inherit(sa, new);
	/* The peer deletes this SA next; if it never does, it goes anyway (retired). */
out:
	OPENSSL_cleanse(secret, sizeof(secret));
	free(theirs);
	return st;
}

static int rekey_build_response(struct ike_xchg *x, struct ike_writer *w)
{
	struct ike_rekey_xchg *rx = to_rekey(x);
	struct ike_sa_offer one = { .n = 1 };

	if (rx->err) {
		ike_w_notify(w, 0, NULL, 0, rx->err, rx->err_data, rx->err_len);
		return w->err;
	}
	one.p[0] = rx->reply;
	ike_w_sa(w, &one);
	ike_w_nonce(w, rx->nr, sizeof(rx->nr));
	if (ikev2_put_ke(w, rx->dh, rx->group))
		return -1;
	return w->err;
}

static void rekey_destroy(struct ike_xchg *x)
{
	ike_dh_free(to_rekey(x)->dh);
}

const struct ike_xchg_ops ikev2_ike_rekey_ops = {
	.name = "CREATE_CHILD_SA (rekey IKE SA)",
	.exchange = IKE_CREATE_CHILD_SA,
	.size = sizeof(struct ike_rekey_xchg),
	.needs_established = true,
	.build_request = rekey_build_request,
	.process_response = rekey_process_response,
	.process_request = rekey_process_request,
	.build_response = rekey_build_response,
	.destroy = rekey_destroy,
};
