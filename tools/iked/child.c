// SPDX-License-Identifier: GPL-2.0
/*
 * Child SAs: proposals and selectors for a VPN, the responder's choice of
 * VPN for an initiator's request, and KEYMAT (RFC 7296 2.17) cut into the
 * two directions' keys and installed in the module on the VPN's st
 * interface, with a selector when the negotiated one is not everything.
 */
#include <arpa/inet.h>
#include <linux/sectun.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "child.h"
#include "config.h"
#include "crypto/crypto.h"
#include "engine/daemon.h"
#include "ike_sa.h"
#include "ikev1/ikev1.h"
#include "ikev2/exchanges.h"
#include "ikev2/ikev2.h"
#include "kernel.h"
#include "keylog.h"
#include "log.h"
#include "parse.h"
#include "pki/cert.h"
#include "proposal.h"
#include "ts.h"
#include "vpn.h"

int ike_child_offer(const struct iked_vpn *vpn, uint32_t spi, bool with_dh,
		    struct ike_sa_offer *offer)
{
	uint32_t be = htonl(spi);
	unsigned int i;

	*offer = vpn->proposals;
	if (!with_dh && ike_offer_set_dh(offer, 0))
		return -1;
	for (i = 0; i < offer->n; i++) {
		offer->p[i].spi_len = 4;
		memcpy(offer->p[i].spi, &be, 4);
	}
	return 0;
}

void ike_child_ts(const struct iked_vpn *vpn, unsigned int sel,
		  struct ike_ts_set *local, struct ike_ts_set *remote)
{
	memset(local, 0, sizeof(*local));
	memset(remote, 0, sizeof(*remote));
	if (vpn->n_sel) {
		*local = vpn->sel[sel].local;
		*remote = vpn->sel[sel].remote;
		return;
	}
	iked_ts_any(&local->ts[0], AF_INET);
	iked_ts_any(&local->ts[1], AF_INET6);
	iked_ts_any(&remote->ts[0], AF_INET);
	iked_ts_any(&remote->ts[1], AF_INET6);
	local->n = remote->n = 2;
}

static enum ike_prop_kind kind_of(const struct iked_vpn *vpn)
{
	return vpn->protocol == IKE_PROTO_AH ? IKE_PROP_AH : IKE_PROP_ESP;
}

/* Drops from A the selectors that pair with none of B (another family, protocol). */
static void drop_unpaired(struct ike_ts_set *a, const struct ike_ts_set *b)
{
	struct ike_ts_set one = { .n = 1 };
	struct ike_ts_pair pair;
	unsigned int i, kept = 0;

	for (i = 0; i < a->n; i++) {
		one.ts[0] = a->ts[i];
		if (ike_ts_pairs(&one, b, &pair, 1))
			a->ts[kept++] = a->ts[i];
	}
	a->n = kept;
}

/*
 * Both sides narrowed to MINE_L and MINE_R, each of their selectors with
 * a partner. A configured entry gets no more selectors a side than it
 * lists ranges: a peer that cuts a range into pieces cannot multiply the
 * module's selectors. Everything (no entries) takes up to the limit.
 */
static bool narrow_sides(const struct ike_ts_set *tsi, const struct ike_ts_set *tsr,
			 const struct ike_ts_set *mine_l, const struct ike_ts_set *mine_r,
			 bool configured, struct ike_ts_set *local, struct ike_ts_set *remote)
{
	if (!ike_ts_set_narrow(tsr, mine_l, configured ? mine_l->n : IKE_CHILD_MAX_TS, local) ||
	    !ike_ts_set_narrow(tsi, mine_r, configured ? mine_r->n : IKE_CHILD_MAX_TS, remote))
		return false;
	drop_unpaired(local, remote);
	drop_unpaired(remote, local);
	return local->n && remote->n;
}

/*
 * What the initiator's TSi/TSr narrow to (RFC 7296 2.9): every overlap
 * with the VPN's entry that holds the offer's first pair (the packet an
 * initiator asks for), else with the first entry that meets the offer.
 * A rekey (REKEYS) stays with the entry of the child it replaces.
 */
static bool narrow_for(const struct iked_vpn *vpn, const struct child_sa *rekeys,
		       const struct ike_ts_set *tsi, const struct ike_ts_set *tsr,
		       struct ike_ts_set *local, struct ike_ts_set *remote, unsigned int *sel)
{
	const struct iked_selector *e;
	struct ike_ts_set any_l, any_r;
	unsigned int i, pass;

	if (!vpn->n_sel) {
		ike_child_ts(vpn, 0, &any_l, &any_r);
		return narrow_sides(tsi, tsr, &any_l, &any_r, false, local, remote);
	}
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < vpn->n_sel; i++) {
			e = &vpn->sel[i];
			if (rekeys && i != rekeys->sel)
				continue;
			if (!pass && (!ike_ts_set_meets_first(tsr, &e->local) ||
				      !ike_ts_set_meets_first(tsi, &e->remote)))
				continue;
			if (narrow_sides(tsi, tsr, &e->local, &e->remote, true, local, remote)) {
				*sel = i;
				return true;
			}
		}
	}
	return false;
}

/*
 * The SPI of the initiator's proposal NUM, host order; 0 if unusable
 * (1-255 are reserved, RFC 4303 2.1).
 */
static uint32_t their_proposal_spi(const struct ike_sa_offer *theirs, uint8_t num)
{
	uint32_t spi;
	unsigned int i;

	for (i = 0; i < theirs->n; i++) {
		if (theirs->p[i].num != num || theirs->p[i].spi_len != 4)
			continue;
		memcpy(&spi, theirs->p[i].spi, 4);
		spi = ntohl(spi);
		return spi >= 256 ? spi : 0;
	}
	return 0;
}

bool ike_child_decode_ts(const struct ike_msg *m, struct ike_ts_set *tsi,
			 struct ike_ts_set *tsr)
{
	const struct ike_payload *a = ike_msg_find(m, IKE_PL_TSI, NULL);
	const struct ike_payload *b = ike_msg_find(m, IKE_PL_TSR, NULL);

	return a && b && !ike_decode_ts(a, tsi) && !ike_decode_ts(b, tsr) &&
	       tsi->n && tsr->n;
}

struct child_sa *ike_child_from_reply(struct ike_sa *sa, struct iked_vpn *vpn,
				      unsigned int sel, const struct ike_sa_offer *offer,
				      uint32_t spi_in, const struct ike_msg *m)
{
	const struct ike_payload *sa_pl = ike_msg_find(m, IKE_PL_SA, NULL);
	struct ike_sa_offer *reply = malloc(sizeof(*reply));
	struct ike_ts_set tsi, tsr, my_i, my_r;
	struct child_sa *c = calloc(1, sizeof(*c));
	struct ike_ts_pair pair;
	uint32_t spi_out = 0;

	ike_child_ts(vpn, sel, &my_i, &my_r);
	if (c && reply && sa_pl && !ike_decode_sa(sa_pl, reply) && reply->n &&
	    reply->p[0].spi_len == 4) {
		memcpy(&spi_out, reply->p[0].spi, 4);
		spi_out = ntohl(spi_out);
	}
	/* SPIs 1-255 are reserved (RFC 4303 2.1), 0 means none. */
	if (!c || spi_out < 256 || !ike_child_decode_ts(m, &tsi, &tsr) ||
	    ike_proposal_check_reply(offer, reply, kind_of(vpn), &c->suite) ||
	    !ike_ts_set_within(&tsi, &my_i) || !ike_ts_set_within(&tsr, &my_r) ||
	    !ike_ts_pairs(&tsi, &tsr, &pair, 1) ||
	    ike_ts_pairs(&tsi, &tsr, &pair, 1) > IKE_CHILD_MAX_PAIRS) {
		log_err("%s: the responder's child SA is not what we offered", sa->gw->name);
		snprintf(sa->why, sizeof(sa->why), "bad child SA in the response");
		free(reply);
		free(c);
		return NULL;
	}
	c->local = tsi;
	c->remote = tsr;
	c->vpn = vpn;
	c->sel = sel;
	c->protocol = vpn->protocol;
	c->spi_in = spi_in;
	c->spi_out = spi_out;
	free(reply);
	return c;
}

uint16_t ike_child_accept(struct ike_sa *sa, const struct ike_sa_offer *theirs,
			  const struct ike_ts_set *tsi, const struct ike_ts_set *tsr,
			  bool with_dh, const struct child_sa *rekeys,
			  struct child_sa **out, struct ike_proposal *reply)
{
	struct ike_sa_offer *mine = malloc(sizeof(*mine));
	uint16_t err = IKE_N_NO_PROPOSAL_CHOSEN;
	struct ike_ts_set local, remote;
	struct ike_suite suite;
	uint32_t their_spi, be;
	unsigned int i, sel = 0;
	struct child_sa *c;

	/* A rekey replaces a child: it never counts against the limit. */
	if (!rekeys && sa->n_children >= iked->cfg->limits.child_sas) {
		log_warn("%s: %u child SAs already: refusing another", sa->gw->name,
			 sa->n_children);
		free(mine);
		return IKE_N_NO_ADDITIONAL_SAS;
	}
	if (!mine)
		return IKE_N_TEMPORARY_FAILURE;
	for (i = 0; i < iked->cfg->n_vpn; i++) {
		struct iked_vpn *vpn = &iked->cfg->vpn[i];

		if (vpn->gw != sa->gw || (rekeys && vpn != rekeys->vpn))
			continue;
		if (ike_child_offer(vpn, 0, with_dh, mine) ||
		    ike_proposal_select(mine, theirs, kind_of(vpn), &suite, reply))
			continue;
		if (!narrow_for(vpn, rekeys, tsi, tsr, &local, &remote, &sel)) {
			err = IKE_N_TS_UNACCEPTABLE;
			continue;
		}
		their_spi = their_proposal_spi(theirs, reply->num);
		if (!their_spi)
			continue;
		c = calloc(1, sizeof(*c));
		if (!c) {
			err = IKE_N_TEMPORARY_FAILURE;
			break;
		}
		c->vpn = vpn;
		c->sel = sel;
		c->protocol = vpn->protocol;
		c->suite = suite;
		c->local = local;
		c->remote = remote;
		c->spi_out = their_spi;
		c->spi_in = ike_kernel_new_spi();
		be = htonl(c->spi_in);
		reply->spi_len = 4;
		memcpy(reply->spi, &be, 4);
		*out = c;
		free(mine);
		return 0;
	}
	free(mine);
	return err;
}

/* RFC 7296 2.17: i->r encryption, i->r integrity, then r->i likewise. */
static void split_keymat(const uint8_t *km, size_t elen, size_t alen,
			 struct child_keys *i2r, struct child_keys *r2i)
{
	memcpy(i2r->encr, km, elen);
	memcpy(i2r->integ, km + elen, alen);
	memcpy(r2i->encr, km + elen + alen, elen);
	memcpy(r2i->integ, km + 2 * elen + alen, alen);
	i2r->encr_len = r2i->encr_len = elen;
	i2r->integ_len = r2i->integ_len = alen;
}

static bool tunnel_wide(const struct child_sa *c)
{
	return !c->vpn->n_sel && ike_ts_set_is_any(&c->local) && ike_ts_set_is_any(&c->remote);
}

void ike_child_del_policies(struct child_sa *c)
{
	unsigned int p;

	for (p = 0; p < c->policy.n; p++)
		ike_kernel_del_policy(c->vpn->bind_if, c->policy.index[p]);
	c->policy.n = 0;
}

/*
 * C's selectors into the module, one per pair. They replace the entry's
 * traps, at their indexes; a further child for an entry whose traps are
 * gone gets indexes of its own.
 */
static int add_policies(struct child_sa *c)
{
	struct ike_ts_pair pairs[IKE_CHILD_MAX_PAIRS];
	struct iked_vpn *vpn = c->vpn;
	unsigned int n, p;
	uint32_t at;
	int idx;

	n = ike_ts_pairs(&c->local, &c->remote, pairs, IKE_CHILD_MAX_PAIRS);
	if (!n || n > IKE_CHILD_MAX_PAIRS)
		return -1;
	/* Traps that would not go stay live: then indexes of our own. */
	if (vpn->n_sel && vpn->trap_live[c->sel]) {
		if (iked_vpn_traps_del(vpn, c->sel))
			c->owns_trap = true;
		else
			iked_vpn_traps_add(vpn, c->sel);
	}
	for (p = 0; p < n; p++) {
		at = c->owns_trap ? vpn->trap[c->sel][p] : 0;
		idx = ike_kernel_add_policy(vpn->bind_if, at, &pairs[p].local, &pairs[p].remote);
		if (idx <= 0) {
			ike_child_del_policies(c);
			return -1;
		}
		c->policy.index[c->policy.n++] = idx;
	}
	return 0;
}

int ike_child_install(struct ike_sa *sa, struct child_sa *c, const struct child_nonces *n)
{
	struct child_keys i2r, r2i;
	uint8_t keymat[2 * (36 + 64)];
	size_t elen, alen;
	int err;

	elen = c->protocol == IKE_PROTO_ESP ? ike_encr_key_len(&c->suite) : 0;
	alen = c->suite.integ ? ike_integ_key_len(c->suite.integ) : 0;
	if (elen > sizeof(i2r.encr) || alen > sizeof(i2r.integ) ||
	    ike_derive_child_keys(sa->suite.prf, sa->keys.sk_d, sa->keys.d_len,
				  n->g_ir, n->g_len, n->ni, n->ni_len, n->nr, n->nr_len,
				  keymat, 2 * (elen + alen))) {
		log_err("%s: child SA key derivation failed", sa->gw->name);
		return -1;
	}
	split_keymat(keymat, elen, alen, &i2r, &r2i);
	OPENSSL_cleanse(keymat, sizeof(keymat));
	err = ike_child_install_keys(sa, c, n->we_initiated ? &r2i : &i2r,
				     n->we_initiated ? &i2r : &r2i);
	OPENSSL_cleanse(&i2r, sizeof(i2r));
	OPENSSL_cleanse(&r2i, sizeof(r2i));
	return err;
}

int ike_child_install_keys(struct ike_sa *sa, struct child_sa *c, const struct child_keys *in,
			   const struct child_keys *out)
{
	bool own_policy = false;
	char l[512], r[512];
	int err;

	ike_keylog_child(c, in, out);
	err = ike_kernel_set_endpoints(c->vpn->bind_if, sa);
	/* A replacement comes with the indexes of the child it replaces. */
	if (!err && !tunnel_wide(c) && !c->policy.n) {
		err = add_policies(c);
		own_policy = !err;
		if (err && c->owns_trap)
			ike_child_restore_trap(c);
	}
	if (!c->lifetime)
		c->lifetime = c->vpn->lifetime;
	if (!c->soft_seconds)
		c->soft_seconds = c->lifetime ? ike_soft_lifetime(c->lifetime) : 0;
	if (!err)
		err = ike_kernel_add_child(c, in, out, c->vpn->replay_window,
					   c->lifetime, c->vpn->lifetime_kb);
	if (err) {
		if (own_policy) {
			ike_child_del_policies(c);
			ike_child_restore_trap(c);
		}
		return -1;
	}
	c->sa = sa;
	c->vpn->sas_created++;
	c->installed = true;
	c->created = time(NULL);
	c->next = sa->children;
	sa->children = c;
	sa->n_children++;
	log_info("%s: VPN %s up on %s: SPIs in %08x out %08x%s, %s <-> %s", sa->gw->name,
		 c->vpn->name, c->vpn->bind_if, c->spi_in, c->spi_out,
		 c->out_standby ? " (standby)" : "",
		 ike_ts_set_format(&c->local, l, sizeof(l)),
		 ike_ts_set_format(&c->remote, r, sizeof(r)));
	return 0;
}

/*
 * A replaced child that no delete has taken away in CHILD_STANDBY_MS: its
 * successor carries the traffic from now on, and we delete it ourselves,
 * so that a peer that never deletes cannot pile replaced SAs up.
 */
static void replaced_expired(struct ike_timer *t)
{
	struct child_sa *c = ike_timer_owner(t, struct child_sa, timer);
	struct ike_sa *owner = NULL;

	if (c->state != CHILD_REKEYED)
		return;
	/* Our reauthentication switches all at once when it is done, or gives back. */
	if (ike_child_find_in(c->replaced_by, &owner) && owner->reauth_pending) {
		ike_timer_set(t, CHILD_STANDBY_MS, replaced_expired);
		return;
	}
	log_info("%s: no delete came for child SA %08x, which was replaced: deleting it",
		 c->vpn->gw->name, c->spi_in);
	ike_child_successor_current(c);
	ike_kernel_del_out(c);
	c->state = CHILD_RETIRING;
	if (c->sa->version == 1) {
		ikev1_delete_child(c->sa, c);
		ike_child_retire(c, CHILD_LINGER_MS);
		return;
	}
	if (ikev2_delete_child_queue(c->sa, c->protocol, c->spi_in))
		ike_child_retire(c, 0);
}

void ike_child_replaced_in(struct child_sa *old, unsigned int ms)
{
	ike_timer_set(&old->timer, ms, replaced_expired);
}

void ike_child_inherit(struct child_sa *c, const struct child_sa *holder)
{
	char l[512], r[512];

	c->policy = holder->policy;
	c->owns_trap = holder->owns_trap;
	if (c->sel == holder->sel && ike_ts_set_equal(&c->local, &holder->local) &&
	    ike_ts_set_equal(&c->remote, &holder->remote))
		return;
	log_warn("%s: child SA %08x's successor %08x was narrowed to %s <-> %s: it keeps "
		 "the selectors it replaces", holder->vpn->gw->name, holder->spi_in, c->spi_in,
		 ike_ts_set_format(&c->local, l, sizeof(l)),
		 ike_ts_set_format(&c->remote, r, sizeof(r)));
	c->sel = holder->sel;
	c->local = holder->local;
	c->remote = holder->remote;
}

void ike_child_take_over(struct child_sa *old, struct child_sa *new)
{
	new->rekeys = old->rekeys + 1;
	old->policy.n = 0;
	old->owns_trap = false;
	old->state = CHILD_REKEYED;
	old->replaced_by = new->spi_in;
	old->rekey_pending = false;
	ike_timer_set(&old->timer, CHILD_STANDBY_MS, replaced_expired);
}

void ike_child_make_current(struct child_sa *c)
{
	if (!c->out_standby || ike_kernel_make_current(c))
		return;
	c->out_standby = false;
	if (c->stranded && c->sa)
		ikev1_child_rekey_stranded(c->sa, c);
}

static void linger_over(struct ike_timer *t)
{
	struct child_sa *c = ike_timer_owner(t, struct child_sa, timer);

	ike_sa_unlink_child(c->sa, c);
	ike_child_remove(c);
}

void ike_child_retire(struct child_sa *c, unsigned int linger_ms)
{
	if (c->state != CHILD_RETIRING) {
		c->state = CHILD_RETIRING;
		ike_kernel_del_out(c);
	}
	if (!linger_ms) {
		ike_timer_cancel(&c->timer);
		ike_sa_unlink_child(c->sa, c);
		ike_child_remove(c);
		return;
	}
	ike_timer_set(&c->timer, linger_ms, linger_over);
}

void ike_child_successor_current(struct child_sa *old)
{
	/* A reauthentication's successor lives on another IKE SA. */
	struct child_sa *next = old->replaced_by ? ike_child_find_in(old->replaced_by, NULL) :
				NULL;

	if (next)
		ike_child_make_current(next);
}

struct child_sa *ike_child_predecessor(const struct ike_sa *sa, const struct child_sa *c)
{
	/* Our reauthentication replaces the children of its old SA, and only those. */
	const struct ike_sa *only = sa->reauth_pending ? ikev2_reauth_target(sa) : NULL;
	struct child_sa *p;
	struct ike_sa *o;

	if (sa->reauth_pending && !only)
		return NULL;
	ike_sa_foreach(o) {
		if (o == sa || (only && o != only) || o->gw != sa->gw ||
		    o->state != IKE_SA_ESTABLISHED || !ike_id_equal(&o->peer_id, &sa->peer_id))
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

static void watch_inbound(struct ike_timer *t)
{
	struct child_sa *c = ike_timer_owner(t, struct child_sa, timer);
	uint64_t packets;

	if (!c->out_standby || c->state != CHILD_INSTALLED)
		return;
	if (!ike_kernel_sa_packets(c, SECTUN_DIR_IN, &packets) && packets) {
		log_debug("%s: the peer sends on child SA %08x: ours goes there too",
			  c->sa->gw->name, c->spi_in);
		/* The replaced one waits for its delete as before. */
		ike_child_make_current(c);
		return;
	}
	ike_timer_set(t, CHILD_WATCH_MS, watch_inbound);
}

void ike_child_watch_peer(struct child_sa *c)
{
	ike_timer_set(&c->timer, CHILD_WATCH_MS, watch_inbound);
}

int ike_child_install_new(struct ike_sa *sa, struct child_sa *c, const struct child_nonces *n)
{
	struct child_sa *pred = ike_child_predecessor(sa, c);
	char a[17];

	if (pred) {
		ike_child_inherit(c, pred);
		/* The peer's: until the old one's delete. Ours: until all are made anew. */
		c->out_standby = !n->we_initiated || sa->reauth_pending;
	}
	if (ike_child_install(sa, c, n))
		return -1;
	if (!pred)
		return 0;
	ike_child_take_over(pred, c);
	log_info("%s: child SA %08x/%08x of VPN %s made anew on IKE SA %s: now %08x/%08x",
		 sa->gw->name, pred->spi_in, pred->spi_out, c->vpn->name,
		 format_hex(ike_sa_our_spi(sa), 8, a, sizeof(a)), c->spi_in, c->spi_out);
	if (!c->out_standby)
		ike_child_supersede(c);
	else if (!n->we_initiated)
		ike_child_watch_peer(c);
	return 0;
}

/* The child that C replaces, waiting for C to take over, or NULL. */
static struct child_sa *replaced_by(const struct child_sa *c)
{
	struct child_sa *p;
	struct ike_sa *o;

	ike_sa_foreach(o)
		for (p = o->children; p; p = p->next)
			if (p != c && p->state == CHILD_REKEYED && p->replaced_by == c->spi_in)
				return p;
	return NULL;
}

void ike_child_supersede(struct child_sa *c)
{
	struct child_sa *pred = replaced_by(c);

	ike_child_make_current(c);
	if (!pred)
		return;
	/* Its inbound SA stays until its IKE SA goes, for what the peer sent before. */
	ike_timer_cancel(&pred->timer);
	ike_kernel_del_out(pred);
	pred->state = CHILD_RETIRING;
}

void ike_child_give_back(struct child_sa *c)
{
	struct child_sa *pred = replaced_by(c);

	if (!pred)
		return;
	pred->policy = c->policy;
	pred->owns_trap = c->owns_trap;
	pred->state = CHILD_INSTALLED;
	pred->replaced_by = 0;
	ike_timer_cancel(&pred->timer);
	c->policy.n = 0;
	c->owns_trap = false;
}

void ike_child_reserve(struct child_reservation *r, const struct iked_vpn *vpn, uint32_t spi)
{
	if (r->held && r->spi == spi)
		return;
	ike_child_unreserve(r);
	snprintf(r->ifname, sizeof(r->ifname), "%s", vpn->bind_if);
	r->protocol = vpn->protocol;
	r->spi = spi;
	r->held = !ike_kernel_reserve_spi(r->ifname, r->protocol, spi);
}

void ike_child_unreserve(struct child_reservation *r)
{
	if (!r->held)
		return;
	r->held = false;
	/* An SA added with it took the reservation over in the module. */
	if (!ike_child_find_in(r->spi, NULL))
		ike_kernel_unreserve_spi(r->ifname, r->protocol, r->spi);
}

struct child_sa *ike_child_by_spi_in(struct ike_sa *sa, uint32_t spi)
{
	struct child_sa *c;

	for (c = sa->children; c; c = c->next)
		if (c->spi_in == spi)
			return c;
	return NULL;
}

/* Another installed child of C's VPN for C's selector. */
bool ike_child_selector_served(const struct child_sa *c)
{
	const struct child_sa *o;
	const struct ike_sa *sa;

	ike_sa_foreach(sa)
		for (o = sa->children; o; o = o->next)
			if (o != c && o->installed && o->vpn == c->vpn && o->sel == c->sel)
				return true;
	return false;
}

void ike_child_restore_trap(struct child_sa *c)
{
	struct iked_vpn *vpn = c->vpn;
	unsigned int k = c->sel;

	c->owns_trap = false;
	/* The traps come back when the entry's last child has gone. */
	if (!vpn->n_sel || !vpn->traps_set || vpn->trap_live[k] || ike_child_selector_served(c))
		return;
	iked_vpn_traps_add(vpn, k);
}
