// SPDX-License-Identifier: GPL-2.0
/*
 * Quick mode (RFC 2409 5.5), both roles: one SA pair per traffic-selector
 * entry (a Junos proxy ID), PFS when the VPN's proposals carry a group.
 *
 *   1 I->R  [HASH(1), SA, Ni, [KE], [IDci, IDcr]]
 *   2 R->I  [HASH(2), SA, Nr, [KE], [IDci, IDcr]]
 *   3 I->R  [HASH(3)]
 *
 * Proxy IDs must match exactly (local of one side = remote of the other):
 * IKEv1 has no narrowing, so a responder that cannot take the initiator's
 * IDs as they are refuses them with INVALID-ID-INFORMATION, and echoes
 * them byte for byte when it takes them. The responder installs at the
 * third message; its inbound SPI is reserved from the second, so that an
 * initiator that sends at once loses nothing.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "engine/daemon.h"
#include "ikev1/hash.h"
#include "ikev1/ikev1.h"
#include "ikev1/offer.h"
#include "ikev1/state.h"
#include "ikev2/ikev2.h"
#include "kernel.h"
#include "log.h"
#include "proposal.h"
#include "random.h"
#include "ts.h"

static uint8_t isakmp_protocol(uint8_t protocol)
{
	return protocol == IKE_PROTO_AH ? ISAKMP_PROTO_AH : ISAKMP_PROTO_ESP;
}

/* One selector of a side for the IKE SA's family: IKEv1 proxy IDs carry one range each. */
static const struct ike_ts *one_ts(const struct ike_sa *sa, const struct ike_ts_set *set)
{
	uint8_t want = sa->remote.ss_family == AF_INET6 ? IKE_TS_IPV6_ADDR_RANGE :
							 IKE_TS_IPV4_ADDR_RANGE;
	unsigned int i;

	for (i = 0; i < set->n; i++)
		if (set->ts[i].type == want)
			return &set->ts[i];
	return set->n ? &set->ts[0] : NULL;
}

/* An IKE SA endpoint as a one-address selector: the proxy ID when none is sent. */
static void host_ts(const struct sockaddr_storage *ss, struct ike_ts *ts)
{
	size_t len;
	const void *addr = ike_sockaddr_addr(ss, &len);

	memset(ts, 0, sizeof(*ts));
	ts->type = len == 16 ? IKE_TS_IPV6_ADDR_RANGE : IKE_TS_IPV4_ADDR_RANGE;
	ts->end_port = UINT16_MAX;
	memcpy(ts->start_addr, addr, len);
	memcpy(ts->end_addr, addr, len);
}

/* Writes an ID payload for TS and keeps its body. */
static int put_id(struct ike_writer *w, const struct ike_ts *ts, uint8_t **body, size_t *len)
{
	size_t off = w->len;

	if (isakmp_w_id_ts(w, ts))
		return -1;
	return ikev1_keep(body, len, w->buf + off + IKE_GENERIC_HDR_LEN,
		    w->len - off - IKE_GENERIC_HDR_LEN);
}

/* The KEYMAT of the SA with SPI (RFC 2409 5.5), cut into its cipher and integrity keys. */
static int keymat(struct ikev1_xchg *x, const struct child_sa *c, uint32_t spi,
		  struct child_keys *k)
{
	size_t elen = c->protocol == IKE_PROTO_ESP ? ike_encr_key_len(&c->suite) : 0;
	size_t alen = c->suite.integ ? ike_integ_key_len(c->suite.integ) : 0;
	uint8_t km[36 + 64];
	int err;

	if (elen > sizeof(k->encr) || alen > sizeof(k->integ))
		return -1;
	err = isakmp_keymat(&x->sa->v1->keys, x->gxy, x->gxy ? x->gxy_len : 0,
			    isakmp_protocol(c->protocol), spi, x->ni, x->ni_len, x->nr, x->nr_len,
			    km, elen + alen);
	if (!err) {
		memcpy(k->encr, km, elen);
		memcpy(k->integ, km + elen, alen);
		k->encr_len = elen;
		k->integ_len = alen;
	}
	OPENSSL_cleanse(km, sizeof(km));
	return err ? -1 : 0;
}

/*
 * When we rekey a pair the peer made, or one whose lifetime the peer
 * chose: the peer rekeys (strongSwan at its rekey_time, before the
 * lifetime it proposed, as initiator and as responder alike; libreswan
 * 9 to 18 minutes before its end), we only at the very end, if it has
 * not; two quick modes for one child at once are no good with a peer
 * that settles collisions its own way. A pair the peer made we rekey in
 * its last 1% (at least 2 s before its end); one we made with its
 * lifetime in the last 1.5% (at least 3 s), so that a peer like us,
 * watching the last 1%, does not rekey it at the same moment. The
 * initiator's lifetime runs from before its third message (a second or
 * more before it reaches the responder when it is slow or lost), so ours
 * is counted from the quick mode's first message.
 */
static uint32_t late_soft_seconds(const struct ikev1_xchg *x)
{
	uint64_t life = (uint64_t)x->child->lifetime * 1000, margin, late;

	if (x->initiator)
		margin = life * 3 / 200 > 3000 ? life * 3 / 200 : 3000;
	else
		margin = life / 100 > 2000 ? life / 100 : 2000;
	late = ike_now_ms() - x->first_ms;
	if (life < margin + late + 1000)
		return 1;
	return (uint32_t)((life - margin - late) / 1000);
}

/* Both directions' keys into the module; the child is the IKE SA's from now on. */
static int install(struct ikev1_xchg *x)
{
	struct child_sa *c = x->child;
	struct child_keys in, out;
	const uint8_t *low;
	int err;

	if (!x->initiator || x->peer_timed)
		c->soft_seconds = late_soft_seconds(x);
	ike_nonce_lowest(x->ni, x->ni_len, x->nr, x->nr_len, &low, &c->made_nonce_len);
	memcpy(c->made_nonce, low, c->made_nonce_len);
	c->made_by_us = x->initiator;
	c->made_ms = ike_now_ms();
	err = keymat(x, c, c->spi_in, &in) ?: keymat(x, c, c->spi_out, &out);
	if (!err)
		err = ike_child_install_keys(x->sa, c, &in, &out);
	OPENSSL_cleanse(&in, sizeof(in));
	OPENSSL_cleanse(&out, sizeof(out));
	if (err) {
		log_err("%s: cannot install the child SA of VPN %s", x->sa->gw->name,
			c->vpn->name);
		return -1;
	}
	x->child = NULL;
	return 0;
}

/* The shared secret of PFS from the peer's KE, when the transform has a group. */
static bool take_pfs(struct ikev1_xchg *x, const struct isakmp_msg *m, uint16_t group)
{
	const struct ike_payload *ke = isakmp_msg_find(m, ISAKMP_PL_KE, NULL);
	const uint8_t *k;
	size_t klen, len;

	if (!group)
		return !ke;
	if (!ke || isakmp_decode_ke(ke, &k, &klen) || klen != ike_dh_public_len(group))
		return false;
	if (!x->dh)
		x->dh = ike_dh_new(group);
	len = ike_dh_shared_len(group);
	x->gxy = malloc(len ? len : 1);
	x->gxy_len = len;
	return x->dh && x->gxy && !ike_dh_shared(x->dh, k, klen, x->gxy, &x->gxy_len);
}

static int put_pfs(struct ikev1_xchg *x, struct ike_writer *w, uint16_t group)
{
	size_t len = ike_dh_public_len(group);
	uint8_t pub[1024];

	if (!group)
		return 0;
	if (!x->dh)
		x->dh = ike_dh_new(group);
	if (!x->dh || len > sizeof(pub) || ike_dh_public(x->dh, pub, len) < 0)
		return -1;
	return ike_w_payload(w, ISAKMP_PL_KE, false, pub, len);
}

static int nonce(const struct isakmp_msg *m, uint8_t *out, size_t *len)
{
	const struct ike_payload *pl = isakmp_msg_find(m, ISAKMP_PL_NONCE, NULL);
	const uint8_t *n;
	size_t nlen;

	if (!pl || isakmp_decode_nonce(pl, &n, &nlen))
		return -1;
	memcpy(out, n, nlen);
	*len = nlen;
	return 0;
}

/*
 * NEW, installed, replaces OLD: OLD's outbound SA goes once NEW's carries
 * the traffic (after MS, or as soon as the peer sends on NEW), and OLD is
 * deleted then unless the peer deletes it first.
 */
static void replaced(struct ike_sa *sa, struct child_sa *old, struct child_sa *new,
		     unsigned int ms)
{
	ike_child_take_over(old, new);
	ike_child_replaced_in(old, ms);
	if (new->out_standby)
		ike_child_watch_peer(new);
	old->vpn->child_rekeys++;
	log_info("%s: child SA %08x/%08x of VPN %s rekeyed: now %08x/%08x (rekey %u)",
		 sa->gw->name, old->spi_in, old->spi_out, old->vpn->name, new->spi_in,
		 new->spi_out, new->rekeys);
}

/* The installed child of SA that C, about to be installed, replaces: the same proxy IDs. */
static struct child_sa *predecessor(struct ike_sa *sa, const struct child_sa *c)
{
	struct child_sa *p;
	struct ike_sa *o;

	/* On this ISAKMP SA, or another with the same peer (a renewal moved it). */
	ike_sa_foreach(o) {
		if (o->version != 1 || !ikev1_same_peer(o, sa))
			continue;
		for (p = o->children; p; p = p->next)
			if (p->state == CHILD_INSTALLED && !p->out_standby && p->vpn == c->vpn &&
			    p->sel == c->sel && p->protocol == c->protocol &&
			    ike_ts_set_equal(&p->local, &c->local) &&
			    ike_ts_set_equal(&p->remote, &c->remote))
				return p;
	}
	return NULL;
}

/* The child with inbound SPI on SA or an ISAKMP SA with the same peer, or NULL. */
static struct child_sa *sibling_child(struct ike_sa *sa, uint32_t spi)
{
	struct ike_sa *owner;
	struct child_sa *c = ike_child_find_in(spi, &owner);

	return c && owner->version == 1 && ikev1_same_peer(owner, sa) ? c : NULL;
}

/*
 * Two quick modes rekeyed the same child at once, one made by each end
 * (IKEv1 has no rule for it). As RFC 7296 2.8.1 says for IKEv2, the pair
 * whose quick mode had the lowest nonce goes: both ends know all four
 * nonces, so both keep the same pair without a message. LOW is the lower
 * nonce of the quick mode ending now; OTHER the child the other one made.
 */
static bool ending_one_loses(const uint8_t *low, size_t low_len, const struct child_sa *other)
{
	return ike_nonce_lower(low, low_len, other->made_nonce, other->made_nonce_len);
}

/* LOSER, installed, gives its place (selector indexes) to WINNER and goes, with a delete. */
static void collision_loser_goes(struct child_sa *loser, struct child_sa *winner,
				 struct child_sa *old)
{
	struct ike_sa *sa = loser->sa;

	log_info("%s: both ends rekeyed child SA %08x at once: keeping %08x/%08x, deleting "
		 "%08x/%08x", sa->gw->name, old ? old->spi_in : 0, winner->spi_in,
		 winner->spi_out, loser->spi_in, loser->spi_out);
	ike_child_take_over(loser, winner);
	if (old)
		old->replaced_by = winner->spi_in;
	ike_child_replaced_in(loser, winner->out_standby ? IKEV1_SWITCH_MS : 1);
	if (winner->out_standby)
		ike_child_watch_peer(winner);
}

/*
 * The child of our own rekey that ended a moment ago for the proxy IDs of
 * C (its predecessor REKEYED and still there), or NULL: the peer's quick
 * mode for them now crossed ours. (The peer's own rekeys follow each
 * other, a predecessor still waiting for its delete: no collision.)
 */
static struct child_sa *just_rekeyed(struct ike_sa *sa, const struct child_sa *c,
				     struct child_sa **old)
{
	struct child_sa *p, *succ;
	struct ike_sa *o;

	ike_sa_foreach(o) {
		if (o->version != 1 || !ikev1_same_peer(o, sa))
			continue;
		for (p = o->children; p; p = p->next) {
			if (p->state != CHILD_REKEYED || p->vpn != c->vpn || p->sel != c->sel ||
			    !ike_ts_set_equal(&p->local, &c->local) ||
			    !ike_ts_set_equal(&p->remote, &c->remote))
				continue;
			succ = ike_child_find_in(p->replaced_by, NULL);
			if (succ && succ->state == CHILD_INSTALLED && succ->made_by_us) {
				*old = p;
				return succ;
			}
		}
	}
	return NULL;
}

/*
 * A RESPONDER-LIFETIME notify (RFC 2407 4.6.3.1) in the answer: its
 * attributes, life type and duration as in a transform; the seconds it
 * gives, or 0.
 */
static uint32_t responder_lifetime(const struct isakmp_msg *m)
{
	const struct ike_payload *pl = NULL;
	struct isakmp_notify n;
	uint32_t v, seconds = 0;
	bool in_seconds = false;
	size_t off, vlen, i;
	uint16_t type;

	while ((pl = isakmp_msg_find(m, ISAKMP_PL_NOTIFY, pl))) {
		if (isakmp_decode_notify(pl, &n) || n.type != ISAKMP_N_RESPONDER_LIFETIME)
			continue;
		for (off = 0; off + 4 <= n.len; off += 4 + vlen) {
			type = (uint16_t)(n.data[off] << 8 | n.data[off + 1]);
			v = (uint32_t)(n.data[off + 2] << 8 | n.data[off + 3]);
			vlen = 0;
			/* TLV: the length field counts the value's bytes after it. */
			if (!(type & 0x8000)) {
				vlen = v;
				if (!vlen || vlen > 4 || off + 4 + vlen > n.len)
					break;
				for (v = 0, i = 0; i < vlen; i++)
					v = v << 8 | n.data[off + 4 + i];
			}
			type &= 0x7fff;
			if (type == ISAKMP_A2_LIFE_TYPE)
				in_seconds = v == ISAKMP_LIFE_SECONDS;
			else if (type == ISAKMP_A2_LIFE_DURATION && in_seconds)
				seconds = v;
		}
	}
	return seconds;
}

/* ---- Initiator ---- */

/*
 * A rekey proposes the lifetime agreed for the pair it replaces when that
 * is shorter than ours: the peer proposed it, and a peer may keep its own
 * whatever we propose (strongSwan's quick mode responder does, without a
 * RESPONDER-LIFETIME), so only a rekey timed by it keeps the tunnel.
 */
static bool keep_agreed_lifetime(struct isakmp_sa_offer *offer, const struct child_sa *old)
{
	uint32_t life = old && old->lifetime > IKED_LIFETIME_MIN ? old->lifetime :
			IKED_LIFETIME_MIN;
	bool kept = false;
	unsigned int t;

	for (t = 0; old && t < offer->n_t; t++)
		if (!offer->t[t].life_seconds || offer->t[t].life_seconds > life) {
			offer->t[t].life_seconds = life;
			kept = true;
		}
	return kept;
}

static bool wanted_already(struct ike_sa *sa, struct iked_vpn *vpn, unsigned int sel,
			   uint32_t rekey_spi)
{
	struct ikev1_wanted *w;
	struct ikev1_xchg *x;

	for (w = sa->v1->wanted; w; w = w->next)
		if (w->vpn == vpn && w->sel == sel && !rekey_spi)
			return true;
	for (x = sa->v1->xchgs; x; x = x->next)
		if (x->type == ISAKMP_XCHG_QUICK && x->initiator && !x->done && x->vpn == vpn &&
		    x->sel == sel && x->rekey_spi == rekey_spi)
			return true;
	return false;
}

int ikev1_quick_start(struct ike_sa *sa, struct iked_vpn *vpn, unsigned int sel,
		      uint32_t rekey_spi)
{
	struct ike_ts_set local, remote;
	const struct ike_ts *l, *r;
	struct ikev1_out *o;
	struct ikev1_xchg *x;
	uint16_t group = ike_offer_first_dh(&vpn->proposals);
	uint32_t msgid;
	int err = -1;

	if (wanted_already(sa, vpn, sel, rekey_spi))
		return 0;
	if (sa->state != IKE_SA_ESTABLISHED) {
		struct ikev1_wanted *w = calloc(1, sizeof(*w));

		if (!w || rekey_spi) {
			free(w);
			return -1;
		}
		w->vpn = vpn;
		w->sel = sel;
		w->next = sa->v1->wanted;
		sa->v1->wanted = w;
		return 0;
	}
	ike_child_ts(vpn, sel, &local, &remote);
	l = one_ts(sa, &local);
	r = one_ts(sa, &remote);
	msgid = ikev1_new_msgid(sa);
	o = malloc(sizeof(*o));
	x = o && l && r && msgid ? ikev1_xchg_new(sa, ISAKMP_XCHG_QUICK, msgid, true) : NULL;
	if (!x)
		goto out;
	x->vpn = vpn;
	x->sel = sel;
	x->rekey_spi = rekey_spi;
	x->offer = malloc(sizeof(*x->offer));
	x->ni_len = IKE_NONCE_LEN;
	if (!x->offer || ikev1_msgid_iv(sa, msgid, x->iv) || ike_random(x->ni, x->ni_len) ||
	    ikev1_p2_offer(vpn, 0, ike_sa_udp_encap(sa), x->offer))
		goto fail;
	if (rekey_spi)
		x->peer_timed = keep_agreed_lifetime(x->offer, sibling_child(sa, rekey_spi));
	x->child = calloc(1, sizeof(*x->child));
	if (!x->child)
		goto fail;
	x->child->spi_in = ike_kernel_new_spi();
	x->offer->p[0].spi[0] = (uint8_t)(x->child->spi_in >> 24);
	x->offer->p[0].spi[1] = (uint8_t)(x->child->spi_in >> 16);
	x->offer->p[0].spi[2] = (uint8_t)(x->child->spi_in >> 8);
	x->offer->p[0].spi[3] = (uint8_t)x->child->spi_in;
	x->child->vpn = vpn;
	x->child->sel = sel;
	x->child->protocol = vpn->protocol;
	x->child->local.n = 1;
	x->child->local.ts[0] = *l;
	x->child->remote.n = 1;
	x->child->remote.ts[0] = *r;
	ike_child_reserve(&x->reserved, vpn, x->child->spi_in);

	ikev1_out_begin(o, x, true);
	ikev1_out_hash_slot(o, sa);
	isakmp_w_sa(&o->w, x->offer);
	ike_w_payload(&o->w, ISAKMP_PL_NONCE, false, x->ni, x->ni_len);
	if (put_pfs(x, &o->w, group) || put_id(&o->w, l, &x->idci, &x->idci_len) ||
	    put_id(&o->w, r, &x->idcr, &x->idcr_len) || ikev1_out_hash(o, x, NULL, 0) ||
	    ikev1_send(x, o, true))
		goto fail;
	x->step = 2;
	log_info("%s: quick mode %08x for VPN %s%s", sa->gw->name, msgid, vpn->name,
		 rekey_spi ? " (rekey)" : "");
	err = 0;
	goto out;
fail:
	ikev1_xchg_free(x);
out:
	free(o);
	return err;
}

void ikev1_quick_wanted(struct ike_sa *sa)
{
	struct ikev1_wanted *w, *list = sa->v1->wanted, *rev = NULL;

	sa->v1->wanted = NULL;
	/* Asked for in this order. */
	while ((w = list)) {
		list = w->next;
		w->next = rev;
		rev = w;
	}
	while ((w = rev)) {
		rev = w->next;
		ikev1_quick_start(sa, w->vpn, w->sel, 0);
		free(w);
	}
}

/* The suite of a phase 2 transform we offered. */
static void suite_of(uint8_t protocol, const struct isakmp_transform *t, struct ike_suite *s)
{
	struct ike_sa_offer one;
	unsigned int i;
	static const uint8_t spi[4];

	memset(s, 0, sizeof(*s));
	if (!ikev1_p2_as_ikev2(protocol, t, spi, &one))
		return;
	for (i = 0; i < one.p[0].n_transforms; i++) {
		const struct ike_transform *tr = &one.p[0].t[i];

		switch (tr->type) {
		case IKE_TRANS_ENCR:
			s->encr = tr->id;
			s->encr_bits = tr->keylen;
			break;
		case IKE_TRANS_INTEG:
			s->integ = tr->id;
			break;
		case IKE_TRANS_DH:
			s->dh = tr->id;
			break;
		case IKE_TRANS_ESN:
			s->esn = tr->id;
			break;
		}
	}
}

static bool same_id(const struct ike_payload *pl, const uint8_t *body, size_t len)
{
	return pl && pl->len == len && !memcmp(pl->body, body, len);
}

/*
 * The responder answered other proxy IDs than ours: RFC 2409 has it echo
 * them, but strongSwan narrows them as in IKEv2. Taken only for a VPN
 * without traffic-selectors (everything, route-based), when within what we
 * proposed; they are then the child's selectors.
 */
static bool narrowed(struct ikev1_xchg *x, const struct ike_payload *ci,
		     const struct ike_payload *cr)
{
	struct isakmp_id a, b;
	struct ike_ts l, r;

	if (x->vpn->n_sel || !ci || !cr || isakmp_decode_id(ci, &a) || isakmp_decode_id(cr, &b) ||
	    isakmp_id_to_ts(&a, &l) || isakmp_id_to_ts(&b, &r) ||
	    !ike_ts_within(&l, &x->child->local.ts[0]) ||
	    !ike_ts_within(&r, &x->child->remote.ts[0]))
		return false;
	log_info("%s: quick mode %08x: the responder narrowed the proxy IDs", x->sa->gw->name,
		 x->msgid);
	x->child->local.ts[0] = l;
	x->child->remote.ts[0] = r;
	return true;
}

static enum ikev1_status initiator_m2(struct ikev1_xchg *x, struct ikev1_rx *in)
{
	struct ike_sa *sa = x->sa;
	const struct ike_payload *pl = isakmp_msg_find(in->m, ISAKMP_PL_SA, NULL), *ci, *cr;
	struct isakmp_sa_offer *reply;
	struct child_sa *old, *c, *theirs;
	struct ikev1_out *o;
	uint8_t h3[ISAKMP_HASH_MAX];
	const uint8_t *low;
	size_t low_len;
	uint32_t spi, life;
	int t;

	if (ikev1_check_hash(sa, in, x->ni, x->ni_len))
		return IKEV1_DROP;
	ikev1_take_iv(x, in);
	ci = isakmp_msg_find(in->m, ISAKMP_PL_ID, NULL);
	cr = ci ? isakmp_msg_find(in->m, ISAKMP_PL_ID, ci) : NULL;
	reply = malloc(sizeof(*reply));
	if (!reply)
		return IKEV1_FAILED;
	if (!pl || isakmp_decode_sa(pl, reply) || (t = ikev1_check_reply(x->offer, reply)) < 0 ||
	    reply->p[0].spi_len != 4 || nonce(in->m, x->nr, &x->nr_len) ||
	    ((!same_id(ci, x->idci, x->idci_len) || !same_id(cr, x->idcr, x->idcr_len)) &&
	     !narrowed(x, ci, cr))) {
		free(reply);
		log_err("%s: quick mode %08x: the responder's answer is not what we offered",
			sa->gw->name, x->msgid);
		snprintf(x->vpn->last_error, sizeof(x->vpn->last_error),
			 "bad quick mode answer");
		return IKEV1_FAILED;
	}
	memcpy(&spi, reply->p[0].spi, 4);
	x->child->spi_out = ntohl(spi);
	suite_of(x->offer->p[0].protocol, &x->offer->t[t], &x->child->suite);
	x->child->lifetime = reply->t[reply->p[0].first].life_seconds;
	if (!x->child->lifetime || x->child->lifetime > x->offer->t[t].life_seconds)
		x->child->lifetime = x->offer->t[t].life_seconds;
	if (!x->child->lifetime || x->child->lifetime > x->vpn->lifetime)
		x->child->lifetime = x->vpn->lifetime;
	/* Shorter than we take as responder: not a lifetime we would agree to. */
	if (x->child->lifetime < IKED_LIFETIME_MIN)
		x->child->lifetime = IKED_LIFETIME_MIN;
	/* A responder that keeps its SA shorter says so (Cisco does): we rekey before. */
	life = responder_lifetime(in->m);
	if (life && life < x->child->lifetime)
		x->child->lifetime = life < IKED_LIFETIME_MIN ? IKED_LIFETIME_MIN : life;
	free(reply);
	if (x->child->spi_out < 256 || !take_pfs(x, in->m, x->child->suite.dh)) {
		log_err("%s: quick mode %08x: bad SPI or KE in the answer", sa->gw->name,
			x->msgid);
		return IKEV1_FAILED;
	}
	if (isakmp_hash3(&sa->v1->keys, x->msgid, x->ni, x->ni_len, x->nr, x->nr_len, h3) < 0)
		return IKEV1_FAILED;
	o = malloc(sizeof(*o));
	if (!o)
		return IKEV1_FAILED;
	old = x->rekey_spi ? sibling_child(sa, x->rekey_spi) : NULL;
	ike_nonce_lowest(x->ni, x->ni_len, x->nr, x->nr_len, &low, &low_len);
	/*
	 * The peer rekeyed the same child at the same moment and its quick
	 * mode ended first: the lowest nonce decides which pair stays.
	 */
	theirs = old && old->state == CHILD_REKEYED ? ike_child_find_in(old->replaced_by, NULL) :
		 NULL;
	if (theirs && (theirs->state != CHILD_INSTALLED || theirs->made_by_us ||
		       theirs->made_ms < x->first_ms))
		theirs = NULL;
	if (theirs && !ending_one_loses(low, low_len, theirs)) {
		ike_child_inherit(x->child, theirs);
		x->child->out_standby = true;
		c = x->child;
		if (install(x)) {
			free(o);
			return IKEV1_FAILED;
		}
		ikev1_out_begin(o, x, true);
		ike_w_payload(&o->w, ISAKMP_PL_HASH, false, h3, sa->v1->keys.len);
		ikev1_send(x, o, false);
		free(o);
		if (theirs->sa != sa)
			ike_child_move(c, sa, theirs->sa);
		collision_loser_goes(theirs, c, old);
		c->rekeys = old->rekeys + 1;
		ikev1_xchg_finish(x);
		return IKEV1_OK;
	}
	/*
	 * The child we rekey was replaced meanwhile (the peer's rekey of it won,
	 * see above) or went, and its selector is served: ours is one too many.
	 * The peer gets its third message, then the delete of the pair.
	 */
	if (x->rekey_spi && (old ? old->state != CHILD_INSTALLED :
			     ike_child_selector_served(x->child))) {
		log_info("%s: quick mode %08x: the child SA it rekeys was replaced "
			 "meanwhile: deleting its pair %08x/%08x", sa->gw->name, x->msgid,
			 x->child->spi_in, x->child->spi_out);
		ikev1_out_begin(o, x, true);
		ike_w_payload(&o->w, ISAKMP_PL_HASH, false, h3, sa->v1->keys.len);
		ikev1_send(x, o, false);
		free(o);
		ikev1_delete_child(sa, x->child);
		ikev1_xchg_finish(x);
		return IKEV1_OK;
	}
	/* A rekey sends on its new SA once the peer has it: after our third message. */
	if (old) {
		ike_child_inherit(x->child, old);
		x->child->out_standby = true;
	}
	c = x->child;
	if (install(x)) {
		free(o);
		return IKEV1_FAILED;
	}
	ikev1_out_begin(o, x, true);
	ike_w_payload(&o->w, ISAKMP_PL_HASH, false, h3, sa->v1->keys.len);
	ikev1_send(x, o, false);
	free(o);
	if (old) {
		/* Where the child it replaces lives (a renewal may have moved it). */
		if (old->sa != sa)
			ike_child_move(c, sa, old->sa);
		replaced(old->sa, old, c, IKEV1_SWITCH_MS);
		/* Made on an ISAKMP SA the peer has renewed since. */
		if (old->sa != sa && sa->rekeyed && !old->sa->initiator)
			ikev1_child_rekey_stranded(old->sa, c);
	}
	ikev1_xchg_finish(x);
	return IKEV1_OK;
}

/* ---- Responder ---- */

/* The initiator's proxy IDs (its side, ours), or the IKE SA's addresses without them. */
static int their_ids(struct ikev1_xchg *x, const struct isakmp_msg *m, struct ike_ts *tsi,
		     struct ike_ts *tsr)
{
	const struct ike_payload *ci = isakmp_msg_find(m, ISAKMP_PL_ID, NULL);
	const struct ike_payload *cr = ci ? isakmp_msg_find(m, ISAKMP_PL_ID, ci) : NULL;
	struct isakmp_id a, b;

	if (!ci) {
		host_ts(&x->sa->remote, tsi);
		host_ts(&x->sa->local, tsr);
		return 0;
	}
	if (!cr || isakmp_decode_id(ci, &a) || isakmp_decode_id(cr, &b) ||
	    isakmp_id_to_ts(&a, tsi) || isakmp_id_to_ts(&b, tsr) ||
	    ikev1_keep(&x->idci, &x->idci_len, ci->body, ci->len) ||
	    ikev1_keep(&x->idcr, &x->idcr_len, cr->body, cr->len))
		return -1;
	return 0;
}

/* Refused: the peer hears why (protected), the exchange is over. */
static enum ikev1_status refuse(struct ikev1_xchg *x, uint16_t type, const char *why)
{
	log_info("%s: quick mode %08x refused: %s", x->sa->gw->name, x->msgid, why);
	ikev1_send_notify(x->sa, type, NULL, 0);
	return IKEV1_FAILED;
}

/*
 * Whether a transform's encapsulation mode is the one we would use: ESP
 * in UDP (RFC 3947, or its drafts' 61443) exactly when we found a NAT.
 */
static bool encap_fits(const struct ike_sa *sa, const struct isakmp_transform *t)
{
	bool udp = t->encap == ISAKMP_ENCAP_UDP_TUNNEL || t->encap == 61443;

	return (t->encap == ISAKMP_ENCAP_TUNNEL || udp || !t->encap) &&
	       udp == ike_sa_udp_encap(sa);
}

/*
 * Whether proposal P shares its number with another: an AND of protocols
 * (RFC 2408 4.2: ESP with IPComp, AH with ESP), which we cannot answer
 * whole, so not at all.
 */
static bool and_proposal(const struct isakmp_sa_offer *theirs, unsigned int p)
{
	unsigned int i;

	for (i = 0; i < theirs->n; i++)
		if (i != p && theirs->p[i].num == theirs->p[p].num)
			return true;
	return false;
}

/* The first transform of theirs, in their order, that a VPN of ours takes whole. */
static uint16_t choose(struct ikev1_xchg *x, const struct isakmp_sa_offer *theirs,
		       const struct ike_ts *tsi, const struct ike_ts *tsr, unsigned int *pp,
		       unsigned int *pt)
{
	struct ike_ts_set si = { .n = 1 }, sr = { .n = 1 };
	struct ike_sa_offer *one = malloc(sizeof(*one));
	uint16_t err = IKE_N_NO_PROPOSAL_CHOSEN, e;
	struct ike_proposal reply;
	struct child_sa *c = NULL;
	unsigned int p, t;

	si.ts[0] = *tsi;
	sr.ts[0] = *tsr;
	for (p = 0; one && !c && p < theirs->n; p++) {
		const struct isakmp_proposal *pr = &theirs->p[p];

		if (pr->spi_len != 4)
			continue;
		for (t = pr->first; !c && t < pr->first + pr->n_transforms && t < theirs->n_t;
		     t++) {
			if (!ikev1_p2_as_ikev2(pr->protocol, &theirs->t[t], pr->spi, one) ||
			    !encap_fits(x->sa, &theirs->t[t]) ||
			    (theirs->t[t].life_seconds &&
			     theirs->t[t].life_seconds < IKED_LIFETIME_MIN) ||
			    and_proposal(theirs, p))
				continue;
			e = ike_child_accept(x->sa, one, &si, &sr, true, NULL, &c, &reply);
			if (!e) {
				*pp = p;
				*pt = t;
			} else if (e != IKE_N_NO_PROPOSAL_CHOSEN) {
				err = e;
			}
		}
	}
	free(one);
	if (!c)
		return err;
	/*
	 * No narrowing in IKEv1: the IDs as they are, and, for a VPN with
	 * proxy IDs, exactly its own (Junos: local of one side = remote of
	 * the other). A VPN without them takes what the peer asks for.
	 */
	if (c->local.n != 1 || c->remote.n != 1 || !ike_ts_equal(&c->local.ts[0], tsr) ||
	    !ike_ts_equal(&c->remote.ts[0], tsi) ||
	    (c->vpn->n_sel && (!ike_ts_equal(tsr, &c->vpn->sel[c->sel].local.ts[0]) ||
			       !ike_ts_equal(tsi, &c->vpn->sel[c->sel].remote.ts[0])))) {
		free(c);
		return IKE_N_TS_UNACCEPTABLE;
	}
	x->child = c;
	x->vpn = c->vpn;
	x->sel = c->sel;
	return 0;
}

static enum ikev1_status responder_m1(struct ikev1_xchg *x, struct ikev1_rx *in)
{
	struct ike_sa *sa = x->sa;
	const struct ike_payload *pl = isakmp_msg_find(in->m, ISAKMP_PL_SA, NULL);
	struct isakmp_sa_offer *theirs = NULL, *reply = NULL;
	struct ikev1_out *o = NULL;
	enum ikev1_status st = IKEV1_FAILED;
	struct ike_ts tsi, tsr;
	char a[128], b[128], why[400];
	unsigned int p = 0, t = 0;
	uint8_t spi[4];
	uint16_t err;

	if (ikev1_check_hash(sa, in, NULL, 0))
		return IKEV1_DROP;
	ikev1_take_iv(x, in);
	theirs = malloc(sizeof(*theirs));
	reply = malloc(sizeof(*reply));
	o = malloc(sizeof(*o));
	if (!theirs || !reply || !o)
		goto out;
	if (!pl || isakmp_decode_sa(pl, theirs) || nonce(in->m, x->ni, &x->ni_len) ||
	    their_ids(x, in->m, &tsi, &tsr)) {
		st = refuse(x, ISAKMP_N_PAYLOAD_MALFORMED, "no usable SA, nonce or IDs");
		goto out;
	}
	err = choose(x, theirs, &tsi, &tsr, &p, &t);
	if (err) {
		snprintf(why, sizeof(why), "%s (the peer proposes local %s remote %s)",
			 err == IKE_N_TS_UNACCEPTABLE ? "proxy ID mismatch" :
			 err == IKE_N_NO_PROPOSAL_CHOSEN ? "no proposal chosen" :
			 "no child SA possible", ike_ts_format(&tsi, a, sizeof(a)),
			 ike_ts_format(&tsr, b, sizeof(b)));
		st = refuse(x, err == IKE_N_TS_UNACCEPTABLE ? ISAKMP_N_INVALID_ID_INFORMATION :
			    ISAKMP_N_NO_PROPOSAL_CHOSEN, why);
		goto out;
	}
	if (!take_pfs(x, in->m, theirs->t[t].group)) {
		st = refuse(x, ISAKMP_N_INVALID_KEY_INFORMATION, "no usable KE for PFS");
		goto out;
	}
	x->child->lifetime = theirs->t[t].life_seconds;
	if (!x->child->lifetime || x->child->lifetime > x->vpn->lifetime)
		x->child->lifetime = x->vpn->lifetime;
	spi[0] = (uint8_t)(x->child->spi_in >> 24);
	spi[1] = (uint8_t)(x->child->spi_in >> 16);
	spi[2] = (uint8_t)(x->child->spi_in >> 8);
	spi[3] = (uint8_t)x->child->spi_in;
	ikev1_reply(theirs, p, t, spi, 4, reply);
	x->nr_len = IKE_NONCE_LEN;
	if (ike_random(x->nr, x->nr_len))
		goto out;
	ike_child_reserve(&x->reserved, x->vpn, x->child->spi_in);
	ikev1_out_begin(o, x, true);
	ikev1_out_hash_slot(o, sa);
	isakmp_w_sa(&o->w, reply);
	ike_w_payload(&o->w, ISAKMP_PL_NONCE, false, x->nr, x->nr_len);
	if (put_pfs(x, &o->w, theirs->t[t].group))
		goto out;
	if (x->idci) {
		ike_w_payload(&o->w, ISAKMP_PL_ID, false, x->idci, x->idci_len);
		ike_w_payload(&o->w, ISAKMP_PL_ID, false, x->idcr, x->idcr_len);
	}
	if (ikev1_out_hash(o, x, x->ni, x->ni_len) || ikev1_send(x, o, true))
		goto out;
	x->step = 3;
	st = IKEV1_OK;
out:
	free(theirs);
	free(reply);
	free(o);
	return st;
}

static enum ikev1_status responder_m3(struct ikev1_xchg *x, struct ikev1_rx *in)
{
	struct ike_sa *sa = x->sa;
	uint8_t want[ISAKMP_HASH_MAX];
	struct child_sa *old, *c, *mine;
	const uint8_t *got, *low;
	size_t got_len, low_len;

	if (in->m->n != 1 || in->m->pl[0].type != ISAKMP_PL_HASH ||
	    isakmp_decode_hash(&in->m->pl[0], &got, &got_len) ||
	    isakmp_hash3(&sa->v1->keys, x->msgid, x->ni, x->ni_len, x->nr, x->nr_len, want) < 0 ||
	    !isakmp_hash_equal(&sa->v1->keys, want, got, got_len)) {
		ike_sa_drop(sa, IKE_DROP_INTEGRITY, &in->rx->from,
			    "quick mode %08x: bad HASH(3)", x->msgid);
		return IKEV1_DROP;
	}
	ikev1_take_iv(x, in);
	mine = just_rekeyed(sa, x->child, &old);
	/* It crossed ours only if it began before ours ended; later, it rekeys ours. */
	if (mine && x->first_ms > mine->made_ms)
		mine = NULL;
	if (mine) {
		ike_nonce_lowest(x->ni, x->ni_len, x->nr, x->nr_len, &low, &low_len);
		if (ending_one_loses(low, low_len, mine)) {
			log_info("%s: both ends rekeyed child SA %08x at once: keeping %08x/%08x, "
				 "deleting %08x/%08x", sa->gw->name, old->spi_in, mine->spi_in,
				 mine->spi_out, x->child->spi_in, x->child->spi_out);
			ikev1_delete_child(sa, x->child);
			ikev1_xchg_finish(x);
			return IKEV1_OK;
		}
		ike_child_inherit(x->child, mine);
		c = x->child;
		if (install(x))
			return IKEV1_FAILED;
		if (mine->sa != sa)
			ike_child_move(c, sa, mine->sa);
		collision_loser_goes(mine, c, old);
		c->rekeys = old->rekeys + 1;
		ikev1_xchg_finish(x);
		return IKEV1_OK;
	}
	/* IKEv1 names no SA a quick mode replaces: one serving the same proxy IDs. */
	old = predecessor(sa, x->child);
	if (old)
		ike_child_inherit(x->child, old);
	c = x->child;
	if (install(x))
		return IKEV1_FAILED;
	/* The initiator has both SAs now: ours goes there at once. */
	if (old) {
		if (old->sa != sa)
			ike_child_move(c, sa, old->sa);
		replaced(old->sa, old, c, CHILD_STANDBY_MS);
		/* Made on an ISAKMP SA the peer has renewed since. */
		if (old->sa != sa && sa->rekeyed && !old->sa->initiator)
			ikev1_child_rekey_stranded(old->sa, c);
	}
	ikev1_xchg_finish(x);
	return IKEV1_OK;
}

enum ikev1_status ikev1_quick_process(struct ikev1_xchg *x, struct ikev1_rx *in)
{
	if (x->done || !in->encrypted) {
		ike_sa_drop(x->sa, IKE_DROP_UNEXPECTED, &in->rx->from,
			    "quick mode %08x: message %s", x->msgid,
			    in->encrypted ? "after the end" : "in the clear");
		return IKEV1_DROP;
	}
	switch (x->step) {
	case 1:
		return responder_m1(x, in);
	case 2:
		return initiator_m2(x, in);
	case 3:
		return responder_m3(x, in);
	default:
		return IKEV1_DROP;
	}
}
