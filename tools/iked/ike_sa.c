// SPDX-License-Identifier: GPL-2.0
/*
 * The life of an IKE SA: creation with a fresh SPI and a deadline to be
 * established by (a half-open SA that never completes goes at it), the
 * delete that tells the peer, and teardown that takes the child SAs out
 * of the kernel. A dying SA leaves the tables at once and is freed by
 * the event loop once no handler holds it.
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "child.h"
#include "engine/daemon.h"
#include "ike_sa.h"
#include "ikev1/ikev1.h"
#include "ikev1/state.h"
#include "ikev2/exchanges.h"
#include "kernel.h"
#include "keylog.h"
#include "log.h"
#include "pki/cert.h"
#include "random.h"
#include "vpn.h"

static const uint8_t zero_spi[8];

void ike_sa_local_id(const struct ike_sa *sa, struct ike_id *id)
{
	const void *addr;
	size_t alen;

	*id = sa->gw->local_id;
	if (id->type)
		return;
	addr = ike_sockaddr_addr(&sa->local, &alen);
	id->type = alen == 4 ? IKE_ID_IPV4_ADDR : IKE_ID_IPV6_ADDR;
	id->len = alen;
	memcpy(id->data, addr, alen);
}

void ike_sa_pick_local(struct ike_sa *sa)
{
	socklen_t len = sizeof(sa->local);
	int fd;

	if (sa->gw->local.ss_family) {
		sa->local = sa->gw->local;
		return;
	}
	memset(&sa->local, 0, sizeof(sa->local));
	fd = socket(sa->remote.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (connect(fd, (struct sockaddr *)&sa->remote, ike_sockaddr_len(&sa->remote)) ||
	    getsockname(fd, (struct sockaddr *)&sa->local, &len))
		memset(&sa->local, 0, sizeof(sa->local));
	close(fd);
	ike_sockaddr_set_port(&sa->local, iked->net.port);
}

const uint8_t *ike_sa_our_spi(const struct ike_sa *sa)
{
	return sa->initiator ? sa->spi_i : sa->spi_r;
}

void ike_sa_setup_expired(struct ike_timer *t)
{
	struct ike_sa *sa = ike_timer_owner(t, struct ike_sa, setup);
	char why[96];

	if (sa->rekeyed && sa->state == IKE_SA_ESTABLISHED) {
		/*
		 * IKEv1: its successor took the IPsec SAs; the peer hears it goes,
		 * once the quick modes running on it are over (the peer installs
		 * at their second message).
		 */
		if (sa->version == 1) {
			if (ikev1_busy(sa)) {
				ike_timer_set(&sa->setup, 1000, ike_sa_setup_expired);
				return;
			}
			ikev1_delete_sa(sa);
			return;
		}
		ike_sa_kill(sa, "rekeyed, and the peer never deleted it");
		return;
	}
	if (sa->state == IKE_SA_ESTABLISHED || sa->state == IKE_SA_DEAD)
		return;
	if (sa->state == IKE_SA_DELETING) {
		ike_sa_kill(sa, "deleted (the peer did not answer)");
		return;
	}
	snprintf(why, sizeof(why), "not established within %u s",
		 iked->cfg->limits.setup_timeout);
	log_info("%s: IKE SA %s %s", sa->gw->name,
		 sa->initiator ? "we initiated" : "from the peer", why);
	ike_sa_kill(sa, sa->why[0] ? NULL : why);
}

int ike_sa_fresh_spi(uint8_t spi[8])
{
	int tries = 0;

	do {
		if (ike_random(spi, 8) || ++tries > 16)
			return -1;
	} while (!memcmp(spi, zero_spi, 8) || ike_sa_table_spi_used(&iked->sas, spi));
	return 0;
}

struct ike_sa *ike_sa_new(struct iked_gateway *gw, bool initiator)
{
	struct ike_sa *sa = calloc(1, sizeof(*sa));

	if (!sa)
		return NULL;
	sa->gw = gw;
	sa->initiator = initiator;
	if (ike_sa_fresh_spi(initiator ? sa->spi_i : sa->spi_r)) {
		free(sa);
		return NULL;
	}
	if (ike_sa_table_add(&iked->sas, sa)) {
		free(sa);
		return NULL;
	}
	ike_timer_set(&sa->setup, (uint64_t)iked->cfg->limits.setup_timeout * 1000,
		      ike_sa_setup_expired);
	return sa;
}

uint32_t ike_sa_lifetime(const struct ike_sa *sa)
{
	/* IKEv1: the one agreed in phase 1, which the initiator proposed. */
	if (sa->v1 && sa->v1->life && sa->v1->life < sa->gw->lifetime)
		return sa->v1->life;
	return sa->gw->lifetime;
}

static void lifetime_expired(struct ike_timer *t)
{
	struct ike_sa *sa = ike_timer_owner(t, struct ike_sa, lifetime);

	log_info("%s: IKE SA lifetime (%u s) reached: deleting it", sa->gw->name,
		 ike_sa_lifetime(sa));
	/* IKEv1: IPsec SAs outlive their ISAKMP SA when another one with the peer is up. */
	if (sa->version == 1)
		ikev1_hand_over(sa);
	ike_sa_delete(sa);
}

uint32_t ike_soft_lifetime(uint32_t lifetime)
{
	uint32_t soft = lifetime - lifetime / 10, jitter, r = 0;

	if (lifetime - soft < 2)
		soft = lifetime > 3 ? lifetime - 2 : 1;
	jitter = (uint64_t)lifetime * iked->cfg->rekey_jitter / 100;
	if (jitter && !ike_random(&r, sizeof(r)) && r % (jitter + 1) < soft)
		soft -= r % (jitter + 1);
	return soft;
}

/* Whether the rekey now due is a reauthentication (Junos reauth-frequency). */
static bool reauth_now(const struct ike_sa *sa)
{
	return sa->gw->reauth_frequency && sa->since_auth + 1 >= sa->gw->reauth_frequency;
}

static void rekey_due(struct ike_timer *t)
{
	struct ike_sa *sa = ike_timer_owner(t, struct ike_sa, rekey);

	sa->rekey_due = 0;
	if (sa->state != IKE_SA_ESTABLISHED || sa->rekeyed)
		return;
	if (sa->version == 1) {
		ikev1_renew(sa);
		return;
	}
	if (reauth_now(sa) && !ikev2_reauth_start(sa))
		return;
	ikev2_ike_rekey_start(sa);
}

/*
 * When SA's rekey comes, ms from now. The "rekey-align" test knob moves
 * it to the next whole second of the wall clock, so that two daemons on
 * one host with the same lifetimes start each rekey together (RFC 7296
 * 2.8.2 collisions, tested).
 */
static uint64_t soft_rekey_ms(const struct ike_sa *sa)
{
	uint64_t ms = (uint64_t)ike_soft_lifetime(ike_sa_lifetime(sa)) * 1000, now;
	struct timespec ts;

	/*
	 * IKEv1 has no rule for two renewals that cross: the ISAKMP SA's
	 * initiator renews it (strongSwan at its rekey_time, some 90% of the
	 * lifetime it proposed, which adds its over_time of 10%), and its
	 * responder only in the last 5% (at least 250 ms), if that has not
	 * happened by then.
	 */
	if (sa->version == 1 && !sa->initiator) {
		uint64_t life = (uint64_t)ike_sa_lifetime(sa) * 1000;
		uint64_t margin = life / 20 > 250 ? life / 20 : 250;

		ms = life > margin ? life - margin : life / 2;
	}
	if (!iked->cfg->rekey_align || clock_gettime(CLOCK_REALTIME, &ts))
		return ms;
	now = (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	return (now + ms + 999) / 1000 * 1000 - now;
}

/* Whether one of the gateway's VPNs leaves every rekey to the peer. */
static bool peer_rekeys(const struct iked_gateway *gw)
{
	unsigned int i;

	for (i = 0; i < iked->cfg->n_vpn; i++)
		if (iked->cfg->vpn[i].gw == gw &&
		    iked->cfg->vpn[i].establish == IKED_ESTABLISH_RESPONDER_ONLY_NO_REKEY)
			return true;
	return false;
}

void ike_sa_rekey_in(struct ike_sa *sa, uint64_t ms)
{
	if (peer_rekeys(sa->gw))
		return;
	sa->rekey_due = ike_now_ms() + ms;
	ike_timer_set(&sa->rekey, ms, rekey_due);
}

void ike_sa_established(struct ike_sa *sa)
{
	char a[128];

	sa->state = IKE_SA_ESTABLISHED;
	sa->established = time(NULL);
	/* A rekeyed SA keeps the time of its line's last IKE_AUTH. */
	if (!sa->authenticated)
		sa->authenticated = sa->established;
	ike_timer_cancel(&sa->setup);
	ike_sa_table_del_half_open(&iked->sas, sa);
	ike_timer_set(&sa->lifetime, (uint64_t)ike_sa_lifetime(sa) * 1000, lifetime_expired);
	ike_sa_rekey_in(sa, soft_rekey_ms(sa));
	ikev2_dpd_start(sa);
	sa->why[0] = 0;
	if (sa->vpn)
		sa->vpn->last_error[0] = 0;
	log_info("%s: IKE SA established with %s (%s)", sa->gw->name,
		 ike_id_format(&sa->peer_id, a, sizeof(a)),
		 sa->initiator ? "initiator" : "responder");
}

const char *ike_sa_state_name(enum ike_sa_state s)
{
	static const char *const names[] = {
		[IKE_SA_INIT_SENT] = "CONNECTING",
		[IKE_SA_AUTH_SENT] = "AUTHENTICATING",
		[IKE_SA_INIT_DONE] = "AUTHENTICATING",
		[IKE_SA_ESTABLISHED] = "UP",
		[IKE_SA_DELETING] = "DELETING",
		[IKE_SA_DEAD] = "DOWN",
	};

	return s <= IKE_SA_DEAD ? names[s] : "?";
}

/*
 * RFC 7296 2.23: with a NAT between us, the initiator moves IKE to port
 * 4500 from IKE_AUTH on, where ESP in UDP will run too, so that both go
 * through one NAT mapping. A peer on a port of its own keeps it.
 */
void ike_sa_float_to_natt(struct ike_sa *sa)
{
	uint16_t natt = iked->net.natt_port;
	char a[64];

	if (!natt || !ike_sa_udp_encap(sa) || ike_sockaddr_port(&sa->local) == natt)
		return;
	ike_sockaddr_set_port(&sa->local, natt);
	if (ike_sockaddr_port(&sa->remote) == iked->net.port)
		ike_sockaddr_set_port(&sa->remote, natt);
	log_info("%s: moving to %s for the NAT", sa->gw->name,
		 ike_sockaddr_str(&sa->remote, a, sizeof(a)));
}

bool ike_sa_udp_encap(const struct ike_sa *sa)
{
	/* Without a NAT-T port (--natt-port 0) there is no ESP in UDP to receive. */
	if (!iked->net.natt_port)
		return false;
	/* IKEv1: only with a peer that does RFC 3947 (its vendor ID). */
	if (sa->version == 1 && !(sa->v1 && sa->v1->peer_natt))
		return false;
	switch (sa->gw->natt) {
	case IKED_NATT_FORCE:
		return true;
	case IKED_NATT_ON:
		return sa->peer.nat_peer || sa->peer.nat_local;
	default:
		return false;
	}
}

unsigned int ike_sa_count_gateway(const struct iked_gateway *gw)
{
	const struct ike_sa *sa;
	unsigned int n = 0;

	ike_sa_foreach(sa)
		n += sa->gw == gw && sa->state != IKE_SA_DEAD;
	return n;
}

struct ike_sa *ike_sa_by_our_spi(const uint8_t spi[8])
{
	struct ike_sa *sa;

	if (!memcmp(spi, zero_spi, 8))
		return NULL;
	ike_sa_foreach(sa)
		if (sa->state != IKE_SA_DEAD && !memcmp(ike_sa_our_spi(sa), spi, 8))
			return sa;
	return NULL;
}

bool ike_nonce_lower(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	int d = memcmp(a, b, alen < blen ? alen : blen);

	return d < 0 || (!d && alen < blen);
}

void ike_nonce_lowest(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
		      const uint8_t **low, size_t *low_len)
{
	bool a_low = ike_nonce_lower(a, alen, b, blen);

	*low = a_low ? a : b;
	*low_len = a_low ? alen : blen;
}

struct child_sa *ike_child_find_in(uint32_t spi, struct ike_sa **owner)
{
	struct child_sa *c;
	struct ike_sa *sa;

	ike_sa_foreach(sa) {
		for (c = sa->children; c; c = c->next) {
			if (c->spi_in == spi) {
				if (owner)
					*owner = sa;
				return c;
			}
		}
	}
	return NULL;
}

void ike_child_move(struct child_sa *c, struct ike_sa *from, struct ike_sa *to)
{
	ike_sa_unlink_child(from, c);
	c->sa = to;
	c->next = to->children;
	to->children = c;
	to->n_children++;
}

void ike_sa_unlink_child(struct ike_sa *sa, struct child_sa *c)
{
	struct child_sa **p;

	for (p = &sa->children; *p; p = &(*p)->next) {
		if (*p == c) {
			*p = c->next;
			c->next = NULL;
			sa->n_children--;
			return;
		}
	}
}

void ike_child_remove(struct child_sa *c)
{
	ike_timer_cancel(&c->timer);
	/* Replaced, and its successor still waits: it carries the traffic now. */
	if (c->state == CHILD_REKEYED)
		ike_child_successor_current(c);
	if (c->installed) {
		ike_kernel_del_child(c);
		c->vpn->sas_deleted++;
	}
	ike_child_del_policies(c);
	ike_child_restore_trap(c);
	free(c);
}

/*
 * SA goes, but another IKE SA with the same peer carries children of the
 * VPN it kept up (the peer reauthenticated): that one keeps it up now.
 */
static bool hand_vpn_on(struct ike_sa *sa)
{
	struct child_sa *c;
	struct ike_sa *o;

	ike_sa_foreach(o) {
		if (o == sa || o->gw != sa->gw || o->state != IKE_SA_ESTABLISHED ||
		    o->rekeyed || o->vpn || !ike_id_equal(&o->peer_id, &sa->peer_id))
			continue;
		for (c = o->children; c; c = c->next) {
			if (c->vpn == sa->vpn && c->state == CHILD_INSTALLED) {
				o->vpn = sa->vpn;
				sa->vpn = NULL;
				return true;
			}
		}
	}
	return false;
}

void ike_sa_kill(struct ike_sa *sa, const char *why)
{
	struct child_sa *c;
	bool was_up;

	if (sa->state == IKE_SA_DEAD)
		return;
	if (why)
		snprintf(sa->why, sizeof(sa->why), "%s", why);
	was_up = sa->state == IKE_SA_ESTABLISHED || sa->state == IKE_SA_DELETING;
	/* Remembered past the SA, for "sectun ike status". */
	if (sa->vpn && sa->why[0] && !was_up)
		snprintf(sa->vpn->last_error, sizeof(sa->vpn->last_error), "%s", sa->why);
	/* A reauthentication not done gives the old SA's children their places back. */
	ikev2_reauth_revert(sa);
	sa->state = IKE_SA_DEAD;
	while ((c = sa->children)) {
		sa->children = c->next;
		ike_child_remove(c);
	}
	sa->n_children = 0;
	ike_xchg_flush(sa);
	ikev1_sa_stop(sa);
	ike_timer_cancel(&sa->setup);
	ike_timer_cancel(&sa->lifetime);
	ike_timer_cancel(&sa->rekey);
	ike_timer_cancel(&sa->dpd.timer);
	ike_timer_cancel(&sa->reauth_timer);
	ikev2_frag_stop(sa);
	ike_sa_table_unhash(&iked->sas, sa);
	if (sa->vpn && !hand_vpn_on(sa))
		iked_vpn_sa_gone(sa->vpn);
}

/*
 * What waits in OLD's queue goes to NEW's: but a delete of OLD, which
 * stays, and a rekey of OLD, which is done.
 */
static void move_queue(struct ike_sa *old, struct ike_sa *new)
{
	struct ike_xchg **p = &old->xchg.queue, **tail = &new->xchg.queue, *x;

	while (*tail)
		tail = &(*tail)->next;
	while ((x = *p)) {
		if (x->ops == &ikev2_delete_ike_ops) {
			p = &x->next;
			continue;
		}
		*p = x->next;
		old->xchg.queued--;
		if (x->ops == &ikev2_ike_rekey_ops) {
			ike_xchg_free(x);
			continue;
		}
		x->next = NULL;
		x->sa = new;
		*tail = x;
		tail = &x->next;
		new->xchg.queued++;
	}
}

struct ike_sa *ike_sa_successor(struct ike_sa *old, bool initiator, const uint8_t spi_i[8],
				const uint8_t spi_r[8], const struct ike_suite *suite,
				const struct ike_keys *keys)
{
	struct ike_sa *sa = calloc(1, sizeof(*sa));

	if (!sa)
		return NULL;
	sa->gw = old->gw;
	sa->initiator = initiator;
	memcpy(sa->spi_i, spi_i, 8);
	memcpy(sa->spi_r, spi_r, 8);
	if (ike_sa_table_spi_used(&iked->sas, initiator ? spi_i : spi_r) ||
	    ike_sa_table_add(&iked->sas, sa)) {
		free(sa);
		return NULL;
	}
	sa->local = old->local;
	sa->remote = old->remote;
	sa->suite = *suite;
	sa->keys = *keys;
	sa->keys_ready = true;
	sa->peer = old->peer;
	sa->peer.certreq = NULL;
	sa->peer.certreq_len = 0;
	sa->auth_sent = old->auth_sent;
	sa->auth_received = old->auth_received;
	sa->peer_id = old->peer_id;
	sa->rekeys = old->rekeys + 1;
	sa->since_auth = old->since_auth + 1;
	sa->authenticated = old->authenticated;
	ike_keylog_ike_sa(sa);
	ike_sa_established(sa);
	return sa;
}

void ike_sa_retire(struct ike_sa *sa)
{
	sa->rekeyed = true;
	sa->rekey_due = 0;
	ike_timer_cancel(&sa->rekey);
	ike_timer_set(&sa->setup, (uint64_t)iked->cfg->limits.setup_timeout * 1000,
		      ike_sa_setup_expired);
}

void ike_sa_inherit(struct ike_sa *old, struct ike_sa *sa)
{
	struct child_sa *c, **tail;

	/* Who keeps the VPN up is not who initiated this rekey. */
	if (!sa->vpn)
		sa->vpn = old->vpn;
	old->vpn = NULL;
	for (tail = &sa->children; *tail; tail = &(*tail)->next)
		;
	*tail = old->children;
	sa->n_children += old->n_children;
	old->children = NULL;
	old->n_children = 0;
	for (c = sa->children; c; c = c->next)
		c->sa = sa;
	move_queue(old, sa);
	memset(old->collision_spi, 0, sizeof(old->collision_spi));
	memcpy(old->successor_spi, ike_sa_our_spi(sa), 8);
	/* A reauthentication under way goes on with the successor. */
	if (old->reauth_pending) {
		sa->reauth_pending = true;
		memcpy(sa->reauth_of, old->reauth_of, 8);
		sa->reauth_child_tries = old->reauth_child_tries;
		old->reauth_pending = false;
		if (old->reauth_timer.armed)
			ike_timer_set(&sa->reauth_timer, 0, old->reauth_timer.fn);
		ike_timer_cancel(&old->reauth_timer);
	}
	ike_sa_retire(old);
	/* A redundant SA of a collision that won after all comes back to life. */
	if (sa->rekeyed) {
		sa->rekeyed = false;
		ike_timer_cancel(&sa->setup);
		ike_sa_rekey_in(sa, soft_rekey_ms(sa));
	}
	/* What moved over waited behind the rekey: it may start now. */
	ike_xchg_kick(sa);
}

void ike_sa_free(struct ike_sa *sa)
{
	ike_sa_kill(sa, NULL);
	ikev2_frag_free(sa);
	ikev1_sa_free(sa);
	ike_keys_wipe(&sa->keys);
	if (sa->init) {
		free(sa->init->req);
		free(sa->init->resp);
		OPENSSL_cleanse(sa->init, sizeof(*sa->init));
		free(sa->init);
	}
	free(sa->peer.certreq);
	OPENSSL_cleanse(sa, sizeof(*sa));
	free(sa);
}

void ike_sa_delete(struct ike_sa *sa)
{
	if (sa->state == IKE_SA_DELETING || sa->state == IKE_SA_DEAD)
		return;
	if (sa->state != IKE_SA_ESTABLISHED) {
		ike_sa_kill(sa, "deleted");
		return;
	}
	if (sa->version == 1) {
		ikev1_delete_sa(sa);
		return;
	}
	log_info("%s: deleting the IKE SA", sa->gw->name);
	if (ikev2_delete_ike_queue(sa)) {
		ike_sa_kill(sa, "deleted");
		return;
	}
	sa->state = IKE_SA_DELETING;
	/* Whatever happens to the delete, the SA is gone by then. */
	ike_timer_set(&sa->setup, (uint64_t)iked->cfg->limits.setup_timeout * 1000,
		      ike_sa_setup_expired);
}
