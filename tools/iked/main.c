// SPDX-License-Identifier: GPL-2.0
/*
 * sectun-iked: the IKE daemon. One thread, one poll loop over the IKE
 * sockets, the module's event socket, the control socket, a signalfd and
 * the timers. VPNs come up at start (establish-tunnels immediately), on
 * the module's acquire event (on-traffic), or when the peer initiates.
 */
#include <errno.h>
#include <getopt.h>
#include <linux/sectun.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "control.h"
#include "engine/daemon.h"
#include "ike_sa.h"
#include "ikev1/ikev1.h"
#include "ikev2/exchanges.h"
#include "ikev2/ikev2.h"
#include "kernel.h"
#include "keylog.h"
#include "log.h"
#include "privdrop.h"
#include "reload.h"
#include "sdnotify.h"
#include "vpn.h"

static const char *conf_path = IKED_DEFAULT_CONF;
static struct iked_config config;
static bool running = true;
static bool debug_flag;			/* -d: debug whatever log-level says */

static void usage(FILE *out)
{
	fprintf(out,
		"usage: sectun-iked [-f CONFIG] [-d] [-s] [-p PORT] [--check]\n"
		"  -f CONFIG   configuration (default " IKED_DEFAULT_CONF ")\n"
		"  -d          debug: log each message's payload chain\n"
		"  -s          log to syslog instead of stderr\n"
		"  -p PORT     IKE port (default 500)\n"
		"  --natt-port PORT  IKE behind the non-ESP marker (default 4500;\n"
		"              0: none)\n"
		"  --check     read the configuration, report, and exit\n"
		"  --log-keys  log every IKE and child SA's keys (for decrypting\n"
		"              a capture; anyone who reads the log can too)\n"
		"  --no-kernel negotiate with the peers but install no SA (trying a\n"
		"              configuration out)\n");
}

static void on_kernel_event(const struct kernel_event *ev)
{
	static const char *const kinds[] = {
		[KEV_ACQUIRE] = "acquire", [KEV_SOFT_EXPIRE] = "soft expiry",
		[KEV_HARD_EXPIRE] = "hard expiry", [KEV_DELETED] = "deletion",
	};

	log_debug("module: %s on %s, SPI %08x %s, selector %u", kinds[ev->kind],
		  ev->ifname, ev->spi, ev->dir == SECTUN_DIR_OUT ? "out" : "in",
		  ev->policy);
	if (ev->kind == KEV_ACQUIRE)
		iked_vpn_acquire(ev);
	if (ev->kind == KEV_SOFT_EXPIRE)
		ike_child_soft_expired(ev->ifname, ev->spi, ev->dir);
	if (ev->kind == KEV_HARD_EXPIRE || ev->kind == KEV_DELETED)
		ike_child_gone(ev->ifname, ev->spi, ev->dir);
}

static int load_config(struct iked_config *cfg)
{
	enum ike_log_level level;
	char err[512];

	if (iked_config_load(conf_path, cfg, err, sizeof(err))) {
		log_err("%s", err);
		return -1;
	}
	if (!debug_flag && !ike_log_level_parse(cfg->log_level, &level))
		ike_log_set_level(level);
	return 0;
}

/* Our deletes out (without waiting), every SA gone. */
static void shutdown_all(void)
{
	struct ike_sa *sa;

	ike_sa_foreach(sa)
		if (sa->state == IKE_SA_ESTABLISHED && sa->version == 1)
			ikev1_delete_sa(sa);
		else if (sa->state == IKE_SA_ESTABLISHED)
			ikev2_delete_ike_now(sa);
	ike_sa_foreach(sa)
		ike_sa_kill(sa, "shutdown");
	iked_daemon_reap();
}

int iked_reload(char *msg, size_t len)
{
	struct iked_reload_stats st;
	struct iked_config fresh;

	iked_sd_notify("RELOADING=1");
	if (load_config(&fresh)) {
		iked_sd_notify("READY=1");
		snprintf(msg, len, "the new configuration has errors (see the log); kept the old one");
		return -1;
	}
	iked_vpns_pause();
	if (iked_reconfigure(&config, &fresh, &st)) {
		iked_config_free(&fresh);
		iked_vpns_start();
		iked_sd_notify("READY=1");
		snprintf(msg, len, "out of memory; kept the old configuration");
		return -1;
	}
	/* Nothing points into the old configuration any more. */
	iked_daemon_reap();
	iked_config_free(&config);
	config = fresh;
	iked->cfg = &config;
	iked_vpns_start();
	snprintf(msg, len, "reloaded: %u gateways, %u VPNs; kept %u IKE SAs and %u child SAs, "
		 "deleted %u and %u", config.n_gw, config.n_vpn, st.ike_kept, st.children_kept,
		 st.ike_deleted, st.children_deleted);
	log_info("%s", msg);
	iked_sd_notify("READY=1");
	return 0;
}

static void read_ike(int fd)
{
	static uint8_t buf[IKE_MAX_DATAGRAM];
	struct sockaddr_storage from, local;
	ssize_t n;
	int i;

	/* A bounded batch, so that one busy socket cannot starve the rest. */
	for (i = 0; i < 32; i++) {
		n = ike_net_recv(&iked->net, fd, buf, sizeof(buf), &from, &local);
		if (n == -EAGAIN)
			return;
		if (n == -ENOMSG)
			continue;	/* a NAT keepalive, say */
		if (n < 0) {
			if (n != -EMSGSIZE)
				log_warn("IKE socket: %s", strerror(-n));
			continue;
		}
		ike_receive(buf, n, &from, &local);
	}
}

static int loop(int sigfd)
{
	struct pollfd pfd[7];
	struct signalfd_siginfo si;
	char msg[256];
	int n;

	pfd[0] = (struct pollfd){ .fd = iked->net.fd4, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = iked->net.fd6, .events = POLLIN };
	pfd[2] = (struct pollfd){ .fd = ike_kernel_events_fd(), .events = POLLIN };
	pfd[3] = (struct pollfd){ .fd = ike_control_fd(), .events = POLLIN };
	pfd[4] = (struct pollfd){ .fd = sigfd, .events = POLLIN };
	pfd[5] = (struct pollfd){ .fd = iked->net.nat4, .events = POLLIN };
	pfd[6] = (struct pollfd){ .fd = iked->net.nat6, .events = POLLIN };
	while (running) {
		n = poll(pfd, 7, ike_timer_next_ms());
		if (n < 0 && errno != EINTR)
			return -1;
		/*
		 * Timers first: one that fell due while we slept did so before
		 * what woke us arrived (a rekey of ours is due before the peer's
		 * crossing one is read: RFC 7296 2.8.2 handles the crossing).
		 */
		ike_timer_run();
		iked_daemon_reap();
		if (n > 0) {
			if (pfd[0].revents & POLLIN)
				read_ike(pfd[0].fd);
			if (pfd[1].revents & POLLIN)
				read_ike(pfd[1].fd);
			if (pfd[5].revents & POLLIN)
				read_ike(pfd[5].fd);
			if (pfd[6].revents & POLLIN)
				read_ike(pfd[6].fd);
			if (pfd[2].revents & POLLIN)
				ike_kernel_read_events(on_kernel_event);
			if (pfd[3].revents & POLLIN)
				ike_control_serve();
			if ((pfd[4].revents & POLLIN) &&
			    read(sigfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGHUP)
					iked_reload(msg, sizeof(msg));
				else
					running = false;
			}
		}
		ike_timer_run();
		iked_daemon_reap();
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "check", no_argument, NULL, 'c' },
		{ "no-kernel", no_argument, NULL, 'n' },
		{ "natt-port", required_argument, NULL, 'N' },
		{ "log-keys", no_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool use_syslog = false, check_only = false;
	unsigned long port = IKE_PORT, natt_port = IKE_NATT_PORT;
	sigset_t sigs;
	int opt, sigfd, ret = 1;

	while ((opt = getopt_long(argc, argv, "f:dsp:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			conf_path = optarg;
			break;
		case 'd':
			debug_flag = true;
			break;
		case 's':
			use_syslog = true;
			break;
		case 'p':
			port = strtoul(optarg, NULL, 10);
			if (!port || port > 65535) {
				usage(stderr);
				return 2;
			}
			break;
		case 'c':
			check_only = true;
			break;
		case 'n':
			ike_kernel_dry_run();
			break;
		case 'K':
			ike_keylog_enabled = true;
			break;
		case 'N':
			natt_port = strtoul(optarg, NULL, 10);
			if (natt_port > 65535) {
				usage(stderr);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	ike_log_open(use_syslog, debug_flag ? IKE_LOG_DEBUG : IKE_LOG_INFO);
	if (load_config(&config))
		return 1;
	if (check_only) {
		printf("%s: %u gateways, %u VPNs: OK\n", conf_path, config.n_gw,
		       config.n_vpn);
		iked_config_free(&config);
		return 0;
	}
	if (iked_daemon_init(iked, &config)) {
		log_err("out of memory");
		iked_config_free(&config);
		return 1;
	}

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigfd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sigfd < 0 || ike_net_open(&iked->net, port, natt_port) || ike_kernel_open())
		goto out;
	opt = ike_control_open(config.control);
	if (opt) {
		log_err("control socket %s: %s", config.control, strerror(-opt));
		goto out;
	}
	if (iked_drop_privileges(config.user))
		goto out;
	iked_vpns_start();
	iked_sd_notify("READY=1");
	log_info("sectun-iked started: %u gateways, %u VPNs, port %lu", config.n_gw,
		 config.n_vpn, port);
	ret = loop(sigfd) ? 1 : 0;
	log_info("sectun-iked stopping");
	iked_sd_notify("STOPPING=1");
	shutdown_all();
	iked_vpns_stop();
out:
	iked_daemon_fini(iked);
	ike_control_close();
	ike_kernel_close();
	ike_net_close(&iked->net);
	iked_config_free(&config);
	if (sigfd >= 0)
		close(sigfd);
	return ret;
}
