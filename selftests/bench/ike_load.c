// SPDX-License-Identifier: GPL-2.0
/*
 * The IKE_SA establishment benchmark's initiator: sectun-iked's own
 * engine, without a kernel, keeping PARALLEL IKE SAs (PSK, one child SA
 * each) in setup towards the configuration's first gateway until COUNT
 * are established. The same load for any responder, whatever it runs;
 * established SAs are kept (so only the first carries INITIAL_CONTACT).
 *
 *   ike_load -f CONF -n COUNT [-j PARALLEL] [-p PORT]
 *
 * Prints "COUNT IKE SAs in T s: R/s" and exits 0 when all came up within
 * the setup timeouts, 1 otherwise.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "engine/daemon.h"
#include "ike_sa.h"
#include "ikev2/exchanges.h"
#include "kernel.h"
#include "log.h"
#include "net.h"
#include "timer.h"

int iked_reload(char *msg, size_t len);

/* The control socket's reload; there is none here. */
int iked_reload(char *msg, size_t len)
{
	snprintf(msg, len, "no reload here");
	return -1;
}

static void count(unsigned int *up, unsigned int *setting_up, unsigned int *failed)
{
	struct ike_sa *sa;

	*up = *setting_up = 0;
	ike_sa_foreach(sa) {
		if (sa->state == IKE_SA_ESTABLISHED && sa->n_children)
			(*up)++;
		else if (sa->state != IKE_SA_DEAD && sa->state != IKE_SA_ESTABLISHED)
			(*setting_up)++;
	}
	(void)failed;
}

int main(int argc, char **argv)
{
	static uint8_t buf[IKE_MAX_DATAGRAM];
	unsigned int n = 100, parallel = 10, started = 0, up, busy, failed = 0;
	const char *conf = NULL;
	struct sockaddr_storage from, local;
	struct iked_config cfg;
	unsigned long port = 500;
	struct pollfd pfd[2];
	uint64_t t0, deadline;
	char err[512];
	ssize_t len;
	int opt, i;

	while ((opt = getopt(argc, argv, "f:n:j:p:")) != -1) {
		switch (opt) {
		case 'f': conf = optarg; break;
		case 'n': n = strtoul(optarg, NULL, 10); break;
		case 'j': parallel = strtoul(optarg, NULL, 10); break;
		case 'p': port = strtoul(optarg, NULL, 10); break;
		default:
			fprintf(stderr, "usage: ike_load -f CONF -n COUNT [-j PARALLEL] [-p PORT]\n");
			return 2;
		}
	}
	ike_log_open(false, getenv("IKE_LOAD_DEBUG") ? IKE_LOG_DEBUG : IKE_LOG_ERR);
	if (!conf || iked_config_load(conf, &cfg, err, sizeof(err)) || !cfg.n_vpn) {
		fprintf(stderr, "ike_load: %s\n", conf ? err : "no -f");
		return 2;
	}
	ike_kernel_dry_run();
	if (iked_daemon_init(iked, &cfg) || ike_net_open(&iked->net, port, 0))
		return 2;
	pfd[0] = (struct pollfd){ .fd = iked->net.fd4, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = iked->net.fd6, .events = POLLIN };
	t0 = ike_now_ms();
	/* Generous for TCG, but a responder that is not there ends it soon. */
	deadline = t0 + (uint64_t)n * 200 + 30000;
	for (;;) {
		count(&up, &busy, &failed);
		if (up >= n || ike_now_ms() > deadline)
			break;
		/* Keep PARALLEL in setup; a failed one is started over. */
		while (busy < parallel && up + busy < n && started < 2 * n) {
			if (ikev2_initiate(&cfg.vpn[0], 0))
				break;
			started++;
			busy++;
		}
		if (poll(pfd, 2, ike_timer_next_ms() < 0 ? 100 : ike_timer_next_ms()) < 0 &&
		    errno != EINTR)
			break;
		for (i = 0; i < 2; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			while ((len = ike_net_recv(&iked->net, pfd[i].fd, buf, sizeof(buf), &from,
						   &local)) >= 0 || len == -ENOMSG)
				if (len >= 0)
					ike_receive(buf, len, &from, &local);
		}
		ike_timer_run();
		iked_daemon_reap();
	}
	count(&up, &busy, &failed);
	printf("%u IKE SAs in %.2f s: %.1f/s (%u started)\n", up,
	       (ike_now_ms() - t0) / 1000.0, up * 1000.0 / (double)(ike_now_ms() - t0 ?: 1),
	       started);
	iked_daemon_fini(iked);
	ike_net_close(&iked->net);
	iked_config_free(&cfg);
	return up >= n ? 0 : 1;
}
