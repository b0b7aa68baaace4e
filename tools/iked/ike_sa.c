// SPDX-License-Identifier: GPL-2.0
/*
 * The table of IKE SAs: creation with a fresh SPI, lookup by our SPI,
 * and teardown that takes the child SAs out of the kernel. A dying SA is
 * only marked; the event loop frees it once no handler holds it.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/crypto.h>

#include "child.h"
#include "ike_sa.h"
#include "kernel.h"
#include "log.h"

struct ike_sa *ike_sas;

static const uint8_t zero_spi[8];

static void random_spi(uint8_t spi[8])
{
	do {
		if (getrandom(spi, 8, 0) != 8)
			memset(spi, 0, 8);
	} while (!memcmp(spi, zero_spi, 8) || ike_sa_find(spi, spi, true) ||
		 ike_sa_find(spi, spi, false));
}

struct ike_sa *ike_sa_new(struct iked_gateway *gw, bool initiator)
{
	struct ike_sa *sa = calloc(1, sizeof(*sa));

	if (!sa)
		return NULL;
	sa->gw = gw;
	sa->initiator = initiator;
	random_spi(initiator ? sa->spi_i : sa->spi_r);
	sa->next = ike_sas;
	ike_sas = sa;
	return sa;
}

struct ike_sa *ike_sa_find(const uint8_t spi_i[8], const uint8_t spi_r[8],
			   bool from_initiator)
{
	struct ike_sa *sa;

	for (sa = ike_sas; sa; sa = sa->next) {
		if (sa->state == IKE_SA_DEAD)
			continue;
		/* A message from the original initiator names our SPI as SPIr. */
		if (sa->initiator == !from_initiator &&
		    !memcmp(sa->initiator ? sa->spi_i : sa->spi_r,
			    sa->initiator ? spi_i : spi_r, 8))
			return sa;
	}
	return NULL;
}

struct ike_sa *ike_sa_find_half_open(const uint8_t spi_i[8],
				     const struct sockaddr_storage *remote)
{
	struct ike_sa *sa;

	for (sa = ike_sas; sa; sa = sa->next)
		if (!sa->initiator && sa->state != IKE_SA_DEAD &&
		    !memcmp(sa->spi_i, spi_i, 8) &&
		    !memcmp(&sa->remote, remote, sizeof(*remote)))
			return sa;
	return NULL;
}

struct child_sa *ike_child_find_in(uint32_t spi, struct ike_sa **owner)
{
	struct child_sa *c;
	struct ike_sa *sa;

	for (sa = ike_sas; sa; sa = sa->next) {
		for (c = sa->children; c; c = c->next) {
			if (c->spi_in == spi) {
				if (owner)
					*owner = sa;
				return c;
			}
		}
		if (sa->child_spi == spi) {
			if (owner)
				*owner = sa;
			return NULL;
		}
	}
	return NULL;
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

void ike_child_remove(struct child_sa *c)
{
	if (c->installed)
		ike_kernel_del_child(c);
	if (c->policy)
		ike_kernel_del_policy(c->vpn->bind_if, c->policy);
	ike_child_restore_trap(c);
	free(c);
}

void ike_sa_kill(struct ike_sa *sa, const char *why)
{
	struct child_sa *c;

	if (sa->state == IKE_SA_DEAD)
		return;
	if (why)
		snprintf(sa->why, sizeof(sa->why), "%s", why);
	/* Remembered past the SA, for "sectun ike status". */
	if (sa->vpn && sa->why[0] && sa->state != IKE_SA_ESTABLISHED)
		snprintf(sa->vpn->last_error, sizeof(sa->vpn->last_error), "%s", sa->why);
	while ((c = sa->children)) {
		sa->children = c->next;
		ike_child_remove(c);
	}
	ike_timer_cancel(&sa->req.timer);
	ike_timer_cancel(&sa->lifetime);
	ike_timer_cancel(&sa->reap);
	sa->state = IKE_SA_DEAD;
}

static void ike_sa_free(struct ike_sa *sa)
{
	ike_sa_kill(sa, NULL);
	if (sa->dh)
		ike_dh_free(sa->dh);
	if (sa->child_dh)
		ike_dh_free(sa->child_dh);
	ike_keys_wipe(&sa->keys);
	free(sa->init_req);
	free(sa->init_resp);
	free(sa->req.msg);
	free(sa->last_resp);
	free(sa->peer_certreq);
	OPENSSL_cleanse(sa, sizeof(*sa));
	free(sa);
}

void ike_sa_reap_dead(void)
{
	struct ike_sa **p = &ike_sas, *sa;

	while ((sa = *p)) {
		if (sa->state == IKE_SA_DEAD) {
			*p = sa->next;
			ike_sa_free(sa);
		} else {
			p = &sa->next;
		}
	}
}

void ike_sa_free_all(void)
{
	struct ike_sa *sa;

	for (sa = ike_sas; sa; sa = sa->next)
		ike_sa_kill(sa, "shutdown");
	ike_sa_reap_dead();
}
