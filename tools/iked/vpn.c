// SPDX-License-Identifier: GPL-2.0
/*
 * Keeping VPNs up. A VPN counts as covered while an IKE SA we initiated
 * for it is alive or coming up, or a child of it is installed; since
 * every setup has a deadline (limits.setup-timeout), a covered VPN whose
 * setup stalls is uncovered again in bounded time and tried once more.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/sectun.h>

#include "engine/daemon.h"
#include "ike_sa.h"
#include "ikev1/ikev1.h"
#include "ikev2/exchanges.h"
#include "kernel.h"
#include "log.h"
#include "timer.h"
#include "vpn.h"

#define MAINTAIN_MS	2000	/* how often VPNs that should be up are checked */
#define SOON_MS		1000	/* after an SA of ours went */
#define RETRY_MS	5000	/* between attempts for one VPN */

static struct ike_timer maintain_timer;
static bool running;

/* An IKE SA of ours that serves VPN, alive or on its way up. */
static bool vpn_covered(const struct iked_vpn *vpn)
{
	struct child_sa *c;
	struct ike_sa *sa;

	ike_sa_foreach(sa) {
		if (sa->state == IKE_SA_DEAD)
			continue;
		/* Ours for it, coming up or up (even if its child was refused). */
		if (sa->vpn == vpn)
			return true;
		for (c = sa->children; c; c = c->next)
			if (c->vpn == vpn)
				return true;
	}
	return false;
}

/*
 * An IKE SA with VPN's gateway that is up, or that we are setting up, and
 * that stays (not replaced by a rekey or a reauthentication): it carries VPN's
 * children too, as a Junos gateway carries all of its VPNs. A second IKE
 * SA would not only cost a second handshake: two IKE_AUTHs in flight at
 * once would both say INITIAL_CONTACT, and the peer would keep only one.
 */
static struct ike_sa *gateway_sa(const struct iked_vpn *vpn)
{
	struct ike_sa *sa;

	ike_sa_foreach(sa) {
		/* Not one being replaced: its successor gets the children. */
		if (sa->gw != vpn->gw || sa->rekeyed || ikev2_reauth_under_way(sa))
			continue;
		if (sa->state == IKE_SA_ESTABLISHED || sa->state == IKE_SA_INIT_SENT ||
		    sa->state == IKE_SA_AUTH_SENT)
			return sa;
	}
	return NULL;
}

static void vpn_try(struct iked_vpn *vpn, unsigned int sel)
{
	uint64_t now = ike_now_ms();
	struct ike_sa *sa;

	if (vpn->held_down || vpn_covered(vpn) ||
	    (vpn->last_try && now - vpn->last_try < RETRY_MS))
		return;
	vpn->last_try = now;
	sa = gateway_sa(vpn);
	if (!sa) {
		if (vpn->gw->version == 1)
			ikev1_initiate(vpn, sel);
		else
			ikev2_initiate(vpn, sel);
		return;
	}
	/* Sent once the SA is up; a VPN without selectors has one child, "selector" 0. */
	for (sel = 0; sel < (vpn->n_sel ?: 1); sel++) {
		if (sa->version == 1)
			ikev1_child_wanted(sa, vpn, sel);
		else
			ikev2_child_queue(sa, vpn, sel, false);
	}
}

static void maintain(struct ike_timer *t)
{
	unsigned int i;

	for (i = 0; i < iked->cfg->n_vpn; i++)
		if (iked->cfg->vpn[i].establish == IKED_ESTABLISH_IMMEDIATELY)
			vpn_try(&iked->cfg->vpn[i], 0);
	ike_timer_set(t, MAINTAIN_MS, maintain);
}

void iked_vpn_sa_gone(struct iked_vpn *vpn)
{
	uint64_t now = ike_now_ms();

	if (!running || vpn->establish != IKED_ESTABLISH_IMMEDIATELY)
		return;
	if (!maintain_timer.armed || maintain_timer.when > now + SOON_MS)
		ike_timer_set(&maintain_timer, SOON_MS, maintain);
}

bool iked_vpn_traps_add(struct iked_vpn *vpn, unsigned int k)
{
	struct ike_ts_pair pairs[IKE_CHILD_MAX_PAIRS];
	unsigned int n, p;
	bool any = false;
	int idx;

	n = ike_ts_pairs(&vpn->sel[k].local, &vpn->sel[k].remote, pairs, IKE_CHILD_MAX_PAIRS);
	for (p = 0; p < n && p < IKE_CHILD_MAX_PAIRS; p++) {
		idx = ike_kernel_add_policy(vpn->bind_if, vpn->trap[k][p], &pairs[p].local,
					    &pairs[p].remote);
		/* Its index taken meanwhile (by hand, another VPN): a new one. */
		if (idx <= 0 && vpn->trap[k][p])
			idx = ike_kernel_add_policy(vpn->bind_if, 0, &pairs[p].local,
						    &pairs[p].remote);
		vpn->trap[k][p] = idx > 0 ? idx : 0;
		any |= idx > 0;
	}
	vpn->trap_live[k] = any;
	return any;
}

bool iked_vpn_traps_del(struct iked_vpn *vpn, unsigned int k)
{
	bool all = true;
	unsigned int p;
	int err;

	/* One deleted by hand (ENOENT) is gone all the same. */
	for (p = 0; p < IKE_CHILD_MAX_PAIRS; p++) {
		err = vpn->trap[k][p] ? ike_kernel_del_policy(vpn->bind_if, vpn->trap[k][p]) : 0;
		if (err && err != -ENOENT)
			all = false;
	}
	vpn->trap_live[k] = false;
	return all;
}

/* On-traffic VPNs with selectors: each selector in the module, without an
 * SA, so that its traffic raises an acquire naming it. */
static void traps_install(void)
{
	unsigned int i, k;

	for (i = 0; i < iked->cfg->n_vpn; i++) {
		struct iked_vpn *vpn = &iked->cfg->vpn[i];

		if (vpn->establish != IKED_ESTABLISH_ON_TRAFFIC || vpn->traps_set)
			continue;
		vpn->traps_set = true;
		for (k = 0; k < vpn->n_sel; k++)
			iked_vpn_traps_add(vpn, k);
	}
}

void iked_vpn_retire(struct iked_vpn *vpn)
{
	unsigned int k;

	for (k = 0; k < vpn->n_sel; k++) {
		if (vpn->trap_live[k])
			iked_vpn_traps_del(vpn, k);
		/* Its children, on their way out, put no trap back. */
		memset(vpn->trap[k], 0, sizeof(vpn->trap[k]));
		vpn->trap_live[k] = false;
	}
	vpn->traps_set = false;
}

/* The entry of VPN whose trap INDEX is, or -1. */
static int trap_entry(const struct iked_vpn *vpn, uint32_t index)
{
	unsigned int k, p;

	for (k = 0; index && k < vpn->n_sel; k++)
		for (p = 0; p < IKE_CHILD_MAX_PAIRS; p++)
			if (vpn->trap[k][p] == index)
				return k;
	return -1;
}

int iked_vpns_start(void)
{
	traps_install();
	running = true;
	maintain(&maintain_timer);
	return 0;
}

void iked_vpns_pause(void)
{
	running = false;
	ike_timer_cancel(&maintain_timer);
}

void iked_vpns_stop(void)
{
	unsigned int i;

	iked_vpns_pause();
	for (i = 0; i < iked->cfg->n_vpn; i++)
		iked_vpn_retire(&iked->cfg->vpn[i]);
}

void iked_vpn_acquire(const struct kernel_event *ev)
{
	unsigned int i, k;

	for (i = 0; i < iked->cfg->n_vpn; i++) {
		struct iked_vpn *vpn = &iked->cfg->vpn[i];

		if (strcmp(vpn->bind_if, ev->ifname) ||
		    vpn->establish == IKED_ESTABLISH_RESPONDER_ONLY ||
		    vpn->establish == IKED_ESTABLISH_RESPONDER_ONLY_NO_REKEY)
			continue;
		/* Tunnel-wide, or one of this VPN's traps. */
		k = 0;
		if (vpn->n_sel) {
			int e = trap_entry(vpn, ev->policy);

			if (e < 0)
				continue;
			k = e;
		} else if (ev->policy) {
			continue;
		}
		log_info("VPN %s: traffic on %s with no SA: establishing", vpn->name,
			 ev->ifname);
		vpn_try(vpn, k);
	}
}

int iked_vpn_up(const char *name, char *msg, size_t len)
{
	struct iked_vpn *vpn = iked_config_vpn(iked->cfg, name);

	if (!vpn) {
		snprintf(msg, len, "no VPN named '%s'", name);
		return -1;
	}
	vpn->held_down = false;
	if (vpn_covered(vpn)) {
		snprintf(msg, len, "VPN %s is already up or coming up", name);
		return 0;
	}
	vpn->last_try = 0;
	vpn_try(vpn, 0);
	snprintf(msg, len, "VPN %s: initiating", name);
	return 0;
}

int iked_vpn_down(const char *name, char *msg, size_t len)
{
	struct iked_vpn *vpn = iked_config_vpn(iked->cfg, name);
	struct ike_sa *sa;
	unsigned int n = 0;

	if (!vpn) {
		snprintf(msg, len, "no VPN named '%s'", name);
		return -1;
	}
	vpn->held_down = true;
	/* The IKE SAs of its gateway go, children and all. */
	ike_sa_foreach(sa) {
		if (sa->state == IKE_SA_DEAD || sa->state == IKE_SA_DELETING ||
		    sa->gw != vpn->gw)
			continue;
		ike_sa_delete(sa);
		n++;
	}
	snprintf(msg, len, "VPN %s: %u IKE SA%s deleted", name, n, n == 1 ? "" : "s");
	return 0;
}
