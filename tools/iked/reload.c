// SPDX-License-Identifier: GPL-2.0
/*
 * A reload ("sectun ike reload", SIGHUP) keeps what did not change: IKE
 * SAs whose gateway has the same name and settings stay up, and so do
 * their child SAs whose VPN is unchanged, with the same SPIs, their
 * exchanges in flight included. A changed or removed gateway's IKE SAs
 * are deleted (the peer told at once); a changed or removed VPN's child
 * SAs are deleted over their IKE SA, which stays if its gateway did.
 * New and changed VPNs then come up as their establish-tunnels says.
 */
#include <stdio.h>

#include "child.h"
#include "engine/daemon.h"
#include "ike_sa.h"
#include "ikev1/ikev1.h"
#include "ikev2/exchanges.h"
#include "log.h"
#include "reload.h"
#include "vpn.h"

/* Remaps X's VPN; false when it can no longer do its work. */
static bool retarget(struct ike_xchg *x, const struct iked_config_map *map)
{
	return !x->ops->retarget || x->ops->retarget(x, map);
}

/* SA's queued exchanges that lost their VPN go; the one in flight stays. */
static void retarget_exchanges(struct ike_sa *sa, const struct iked_config_map *map)
{
	struct ike_xchg **p = &sa->xchg.queue, *x;

	if (sa->version == 1) {
		ikev1_retarget(sa, map);
		return;
	}
	if (sa->xchg.active)
		retarget(sa->xchg.active, map);
	while ((x = *p)) {
		if (retarget(x, map)) {
			p = &x->next;
			continue;
		}
		*p = x->next;
		sa->xchg.queued--;
		if (x->ops->abort)
			x->ops->abort(x);
		ike_xchg_free(x);
	}
}

/*
 * Whether SA, not yet up, can go on with the new configuration: the VPN
 * it is set up for, and its IKE_SA_INIT or IKE_AUTH, unchanged. Further
 * children queued for changed VPNs are dropped.
 */
static bool setup_survives(struct ike_sa *sa, const struct iked_config_map *map)
{
	struct ike_xchg **p = &sa->xchg.queue, *x;
	bool ok = !sa->vpn || iked_map_vpn(map, sa->vpn);

	/* IKEv1: phase 1 names no VPN; quick modes of changed VPNs go. */
	if (sa->version == 1) {
		ikev1_retarget(sa, map);
		return ok;
	}
	if (sa->xchg.active && !retarget(sa->xchg.active, map))
		ok = false;
	while ((x = *p)) {
		if (retarget(x, map)) {
			p = &x->next;
		} else if (x->ops == &ikev2_child_create_ops) {
			*p = x->next;
			sa->xchg.queued--;
			if (x->ops->abort)
				x->ops->abort(x);
			ike_xchg_free(x);
		} else {
			ok = false;
			p = &x->next;
		}
	}
	return ok;
}

/* SA's children of changed or removed VPNs go (the peer is told); the rest stay. */
static void keep_children(struct ike_sa *sa, const struct iked_config_map *map,
			  struct iked_reload_stats *st)
{
	struct child_sa *c, *next;
	struct iked_vpn *vpn;

	for (c = sa->children; c; c = next) {
		next = c->next;
		vpn = iked_map_vpn(map, c->vpn);
		if (vpn) {
			c->vpn = vpn;
			st->children_kept += c->state == CHILD_INSTALLED;
			continue;
		}
		log_info("%s: VPN %s changed or went: deleting its child SA %08x/%08x",
			 sa->gw->name, c->vpn->name, c->spi_in, c->spi_out);
		ike_sa_unlink_child(sa, c);
		if (sa->state == IKE_SA_ESTABLISHED && c->state != CHILD_RETIRING) {
			if (sa->version == 1)
				ikev1_delete_child(sa, c);
			else
				ikev2_delete_child_queue(sa, c->protocol, c->spi_in);
		}
		st->children_deleted += c->state == CHILD_INSTALLED;
		ike_child_remove(c);
	}
}

/* The VPN of TO named like OLD, if it is on GW: what an owned SA now keeps up. */
static struct iked_vpn *successor_vpn(struct iked_config *to, const struct iked_vpn *old,
				      const struct iked_gateway *gw)
{
	struct iked_vpn *v = old ? iked_config_vpn(to, old->name) : NULL;

	return v && v->gw == gw ? v : NULL;
}

int iked_reconfigure(struct iked_config *from, struct iked_config *to,
		     struct iked_reload_stats *st)
{
	struct iked_config_map map;
	struct iked_gateway *gw;
	struct iked_vpn *owner;
	struct ike_sa *sa;
	unsigned int i;

	*st = (struct iked_reload_stats){ 0 };
	if (iked_config_map(from, to, &map))
		return -1;
	for (i = 0; i < from->n_vpn; i++)
		if (!map.vpn[i])
			iked_vpn_retire(&from->vpn[i]);
	ike_sa_foreach(sa) {
		if (sa->state == IKE_SA_DEAD)
			continue;
		gw = iked_map_gateway(&map, sa->gw);
		if (!gw) {
			log_info("%s: gateway changed or went: deleting its IKE SA", sa->gw->name);
			if (sa->state == IKE_SA_ESTABLISHED && sa->version == 1)
				ikev1_delete_sa(sa);
			else if (sa->state == IKE_SA_ESTABLISHED)
				ikev2_delete_ike_now(sa);
			sa->vpn = NULL;		/* nothing of the old configuration is handed on */
			ike_sa_kill(sa, "its gateway changed in a reload");
			st->ike_deleted++;
			continue;
		}
		if (sa->state != IKE_SA_ESTABLISHED && sa->state != IKE_SA_DELETING) {
			/* Being set up: it goes on only if all it works for is unchanged. */
			if (!setup_survives(sa, &map)) {
				sa->vpn = NULL;
				ike_sa_kill(sa, "its VPN changed in a reload");
				continue;
			}
			sa->vpn = iked_map_vpn(&map, sa->vpn);
			sa->gw = gw;
			continue;
		}
		owner = iked_map_vpn(&map, sa->vpn);
		if (!owner && sa->state == IKE_SA_ESTABLISHED && !sa->rekeyed)
			owner = successor_vpn(to, sa->vpn, gw);
		keep_children(sa, &map, st);
		retarget_exchanges(sa, &map);
		sa->gw = gw;
		sa->vpn = owner;
		st->ike_kept++;
	}
	/* A changed VPN whose IKE SA stayed gets its children anew over it. */
	ike_sa_foreach(sa)
		if (sa->state == IKE_SA_ESTABLISHED && sa->vpn && !sa->rekeyed) {
			if (sa->version == 1)
				ikev1_children_wanted(sa);
			else
				ikev2_children_wanted(sa);
		}
	iked_config_map_free(&map);
	return 0;
}
