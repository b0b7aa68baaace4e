// SPDX-License-Identifier: GPL-2.0
/* The daemon instance: setting it up, switching to it, reaping its dead SAs. */
#include <errno.h>
#include <string.h>

#include "engine/daemon.h"
#include "ike_sa.h"

static struct ike_daemon main_daemon;
struct ike_daemon *iked = &main_daemon;

int iked_daemon_init(struct ike_daemon *d, struct iked_config *cfg)
{
	int err;

	memset(d, 0, sizeof(*d));
	d->cfg = cfg;
	d->net.fd4 = d->net.fd6 = d->net.nat4 = d->net.nat6 = -1;
	err = ike_sa_table_init(&d->sas);
	if (err)
		return err;
	err = ike_halfopen_init(&d->halfopen);
	if (err) {
		ike_sa_table_fini(&d->sas);
		return err;
	}
	return 0;
}

void iked_daemon_select(struct ike_daemon *d)
{
	iked = d;
	ike_timer_use(&d->timers);
}

void iked_daemon_reap(void)
{
	struct ike_sa *sa, *next;

	for (sa = iked->sas.all; sa; sa = next) {
		next = sa->next;
		if (sa->state == IKE_SA_DEAD) {
			ike_sa_table_remove(&iked->sas, sa);
			ike_sa_free(sa);
		}
	}
}

void iked_daemon_fini(struct ike_daemon *d)
{
	struct ike_daemon *was = iked;
	struct ike_sa *sa;

	iked_daemon_select(d);
	for (sa = d->sas.all; sa; sa = sa->next)
		ike_sa_kill(sa, "shutdown");
	iked_daemon_reap();
	ike_timer_cancel(&d->drops.summary);
	ike_sa_table_fini(&d->sas);
	ike_halfopen_fini(&d->halfopen);
	if (was != d)
		iked_daemon_select(was);
}

int ike_transmit(const uint8_t *buf, size_t len, const struct sockaddr_storage *to,
		 const struct sockaddr_storage *local)
{
	if (iked->send_hook) {
		iked->send_hook(iked->send_ctx, buf, len, to, local);
		return 0;
	}
	return ike_net_send(&iked->net, buf, len, to, local);
}
