/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon instance: its sockets, configuration, IKE SAs, half-open
 * defences, drop counters and timers. The daemon has one; the
 * state-machine tests make two and switch between them, so nothing of
 * an instance lives in a file-level variable.
 */
#ifndef SECTUN_IKED_ENGINE_DAEMON_H
#define SECTUN_IKED_ENGINE_DAEMON_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "config.h"
#include "engine/drops.h"
#include "engine/halfopen.h"
#include "engine/sa_table.h"
#include "net.h"
#include "timer.h"

struct ike_daemon {
	struct ike_net net;
	struct iked_config *cfg;
	struct ike_sa_table sas;
	struct ike_halfopen halfopen;
	struct ike_drops drops;
	struct ike_timer_list timers;
	size_t frag_bytes;		/* held in IKE fragments, all SAs (ikev2/fragment.c) */
	/* Tests: datagrams go here instead of the sockets. */
	void (*send_hook)(void *ctx, const uint8_t *buf, size_t len,
			  const struct sockaddr_storage *to,
			  const struct sockaddr_storage *from);
	void *send_ctx;
};

/* The instance every layer works on. */
extern struct ike_daemon *iked;

int iked_daemon_init(struct ike_daemon *d, struct iked_config *cfg);
/* Every SA killed and freed, the tables freed; the config is the caller's. */
void iked_daemon_fini(struct ike_daemon *d);
/* Makes D (and its timers) the current instance. */
void iked_daemon_select(struct ike_daemon *d);
/* Frees the SAs that died during this turn of the loop. */
void iked_daemon_reap(void);

/* One datagram out, from LOCAL (family 0: as routed); its port picks the socket. */
int ike_transmit(const uint8_t *buf, size_t len, const struct sockaddr_storage *to,
		 const struct sockaddr_storage *local);

#endif
