// SPDX-License-Identifier: GPL-2.0
/*
 * IKEv1 IKE SAs as the rest of the daemon sees them: made for a VPN,
 * asked for child SAs and rekeys, stopped and freed.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "engine/daemon.h"
#include "ike_sa.h"
#include "ikev1/ikev1.h"
#include "ikev1/state.h"
#include "log.h"

int ikev1_initiate(struct iked_vpn *vpn, unsigned int sel)
{
	struct iked_gateway *gw = vpn->gw;
	struct ike_sa *sa;
	unsigned int k;
	char addr[64];

	if (iked_gateway_any(gw))
		return -1;
	sa = ike_sa_new(gw, true);
	if (!sa)
		return -1;
	sa->version = 1;
	sa->v1 = calloc(1, sizeof(*sa->v1));
	if (!sa->v1) {
		ike_sa_kill(sa, "out of memory");
		return -1;
	}
	sa->v1->mode = ISAKMP_XCHG_ID_PROT;
	sa->vpn = vpn;
	sa->remote = gw->peer;
	ike_sa_pick_local(sa);
	sa->state = IKE_SA_INIT_SENT;
	/* Every proxy ID of the VPN, SEL first. */
	ikev1_child_wanted(sa, vpn, sel);
	for (k = 0; k < vpn->n_sel; k++)
		ikev1_child_wanted(sa, vpn, k);
	log_info("%s: initiating main mode with %s for VPN %s", gw->name,
		 ike_sockaddr_str(&sa->remote, addr, sizeof(addr)), vpn->name);
	if (ikev1_main_start(sa)) {
		ike_sa_kill(sa, "cannot send main mode");
		return -1;
	}
	return 0;
}

int ikev1_child_wanted(struct ike_sa *sa, struct iked_vpn *vpn, unsigned int sel)
{
	struct child_sa *c;

	for (c = sa->children; c; c = c->next)
		if (c->vpn == vpn && c->sel == sel && c->state == CHILD_INSTALLED)
			return 0;
	return ikev1_quick_start(sa, vpn, sel, 0);
}

void ikev1_children_wanted(struct ike_sa *sa)
{
	unsigned int sel;

	if (!sa->vpn)
		return;
	for (sel = 0; sel < (sa->vpn->n_sel ?: 1); sel++)
		ikev1_child_wanted(sa, sa->vpn, sel);
}

void ikev1_child_rekey(struct ike_sa *sa, struct child_sa *c)
{
	if (c->rekey_pending || c->state != CHILD_INSTALLED || c->out_standby ||
	    sa->state != IKE_SA_ESTABLISHED)
		return;
	log_info("%s: rekeying child SA %08x/%08x of VPN %s", sa->gw->name, c->spi_in,
		 c->spi_out, c->vpn->name);
	if (!ikev1_quick_start(sa, c->vpn, c->sel, c->spi_in))
		c->rekey_pending = true;
}

void ikev1_sa_stop(struct ike_sa *sa)
{
	struct ikev1_wanted *w;

	if (!sa->v1)
		return;
	while (sa->v1->xchgs)
		ikev1_xchg_free(sa->v1->xchgs);
	while ((w = sa->v1->wanted)) {
		sa->v1->wanted = w->next;
		free(w);
	}
}

void ikev1_sa_free(struct ike_sa *sa)
{
	if (!sa->v1)
		return;
	ikev1_sa_stop(sa);
	OPENSSL_cleanse(sa->v1, sizeof(*sa->v1));
	free(sa->v1);
	sa->v1 = NULL;
}

const char *ikev1_mode_name(const struct ike_sa *sa)
{
	return sa->v1 && sa->v1->mode == ISAKMP_XCHG_AGGRESSIVE ? "Aggressive" : "Main";
}
