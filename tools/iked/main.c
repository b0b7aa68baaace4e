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
#include "ikev2/ikev2.h"
#include "engine/exchange.h"
#include "kernel.h"
#include "keylog.h"
#include "log.h"

#define MAINTAIN_MS	5000	/* how often VPNs that should be up are checked */
#define RETRY_MS	10000	/* between attempts for one VPN */

static const char *conf_path = IKED_DEFAULT_CONF;
static struct iked_config config;
static struct ike_timer maintain_timer;
static uint64_t *vpn_last_try;		/* per VPN, ms */
static bool *vpn_held_down;		/* per VPN: "sectun ike down" */
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

/* An IKE SA of ours that serves VPN, alive or on its way up. */
static bool vpn_covered(const struct iked_vpn *vpn)
{
	struct child_sa *c;
	struct ike_sa *sa;

	for (sa = ike_sas; sa; sa = sa->next) {
		if (sa->state == IKE_SA_DEAD)
			continue;
		/* Ours for it, coming up or up (even if its child was refused). */
		if (sa->initiator && sa->vpn == vpn)
			return true;
		for (c = sa->children; c; c = c->next)
			if (c->vpn == vpn)
				return true;
	}
	return false;
}

static unsigned int vpn_index(const struct iked_vpn *vpn)
{
	return vpn - config.vpn;
}

static void vpn_try(struct iked_vpn *vpn, unsigned int sel)
{
	unsigned int i = vpn_index(vpn);
	uint64_t now = ike_now_ms();

	if (vpn_held_down[i] || vpn_covered(vpn) ||
	    (vpn_last_try[i] && now - vpn_last_try[i] < RETRY_MS))
		return;
	vpn_last_try[i] = now;
	ike_initiate(vpn, sel);
}

/* On-traffic VPNs with selectors: each selector in the module, without an
 * SA, so that its traffic raises an acquire naming it. */
static void traps_install(void)
{
	unsigned int i, k;
	int idx;

	for (i = 0; i < config.n_vpn; i++) {
		struct iked_vpn *vpn = &config.vpn[i];

		if (vpn->establish != IKED_ESTABLISH_ON_TRAFFIC)
			continue;
		for (k = 0; k < vpn->n_sel; k++) {
			idx = ike_kernel_add_policy(vpn->bind_if, 0, &vpn->sel[k].local,
						    &vpn->sel[k].remote);
			vpn->trap[k] = idx > 0 ? idx : 0;
			vpn->trap_live[k] = idx > 0;
		}
	}
}

static void traps_remove(void)
{
	unsigned int i, k;

	for (i = 0; i < config.n_vpn; i++)
		for (k = 0; k < config.vpn[i].n_sel; k++)
			if (config.vpn[i].trap_live[k])
				ike_kernel_del_policy(config.vpn[i].bind_if,
						      config.vpn[i].trap[k]);
}

static void maintain(struct ike_timer *t)
{
	unsigned int i;

	for (i = 0; i < config.n_vpn; i++)
		if (config.vpn[i].establish == IKED_ESTABLISH_IMMEDIATELY)
			vpn_try(&config.vpn[i], 0);
	ike_timer_set(t, MAINTAIN_MS, maintain);
}

static void on_kernel_event(const struct kernel_event *ev)
{
	static const char *const kinds[] = {
		[KEV_ACQUIRE] = "acquire", [KEV_SOFT_EXPIRE] = "soft expiry",
		[KEV_HARD_EXPIRE] = "hard expiry", [KEV_DELETED] = "deletion",
	};
	unsigned int i;

	log_debug("module: %s on %s, SPI %08x %s, selector %u", kinds[ev->kind],
		  ev->ifname, ev->spi, ev->dir == SECTUN_DIR_OUT ? "out" : "in",
		  ev->policy);

	if (ev->kind == KEV_ACQUIRE) {
		for (i = 0; i < config.n_vpn; i++) {
			struct iked_vpn *vpn = &config.vpn[i];
			unsigned int k = 0;

			if (strcmp(vpn->bind_if, ev->ifname) ||
			    vpn->establish == IKED_ESTABLISH_RESPONDER_ONLY)
				continue;
			/* Tunnel-wide, or one of this VPN's traps. */
			if (vpn->n_sel) {
				while (k < vpn->n_sel && (!ev->policy || vpn->trap[k] != ev->policy))
					k++;
				if (k == vpn->n_sel)
					continue;
			} else if (ev->policy) {
				continue;
			}
			log_info("VPN %s: traffic on %s with no SA: establishing",
				 vpn->name, ev->ifname);
			vpn_try(vpn, k);
		}
		return;
	}
	if (ev->kind == KEV_SOFT_EXPIRE && ev->dir == SECTUN_DIR_OUT)
		ike_child_soft_expired(ev->ifname, ev->spi);
	if (ev->kind == KEV_HARD_EXPIRE || ev->kind == KEV_DELETED)
		ike_child_gone(ev->ifname, ev->spi, ev->dir);
}

int iked_vpn_up(const char *name, char *msg, size_t len)
{
	struct iked_vpn *vpn = iked_config_vpn(&config, name);

	if (!vpn) {
		snprintf(msg, len, "no VPN named '%s'", name);
		return -1;
	}
	vpn_held_down[vpn_index(vpn)] = false;
	if (vpn_covered(vpn)) {
		snprintf(msg, len, "VPN %s is already up or coming up", name);
		return 0;
	}
	vpn_last_try[vpn_index(vpn)] = 0;
	vpn_try(vpn, 0);
	snprintf(msg, len, "VPN %s: initiating", name);
	return 0;
}

int iked_vpn_down(const char *name, char *msg, size_t len)
{
	struct iked_vpn *vpn = iked_config_vpn(&config, name);
	struct ike_sa *sa;
	unsigned int n = 0;

	if (!vpn) {
		snprintf(msg, len, "no VPN named '%s'", name);
		return -1;
	}
	vpn_held_down[vpn_index(vpn)] = true;
	/* The IKE SAs of its gateway go, children and all. */
	for (sa = ike_sas; sa; sa = sa->next) {
		if (sa->state == IKE_SA_DEAD || sa->gw != vpn->gw)
			continue;
		ike_sa_delete(sa, true);
		n++;
	}
	snprintf(msg, len, "VPN %s: %u IKE SA%s deleted", name, n, n == 1 ? "" : "s");
	return 0;
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

static int start_vpns(void)
{
	free(vpn_last_try);
	free(vpn_held_down);
	vpn_last_try = calloc(config.n_vpn ?: 1, sizeof(*vpn_last_try));
	vpn_held_down = calloc(config.n_vpn ?: 1, sizeof(*vpn_held_down));
	if (!vpn_last_try || !vpn_held_down)
		return -1;
	maintain(&maintain_timer);
	return 0;
}

static void shutdown_all(void)
{
	struct ike_sa *sa;

	for (sa = ike_sas; sa; sa = sa->next)
		if (sa->state == IKE_SA_ESTABLISHED)
			ike_sa_delete(sa, false);
	ike_sa_free_all();
}

int iked_reload(char *msg, size_t len)
{
	struct iked_config fresh;

	if (load_config(&fresh)) {
		snprintf(msg, len, "the new configuration has errors (see the log); kept the old one");
		return -1;
	}
	/* SAs point into the old configuration: start over cleanly. */
	shutdown_all();
	traps_remove();
	iked_config_free(&config);
	config = fresh;
	iked.cfg = &config;
	traps_install();
	if (start_vpns()) {
		snprintf(msg, len, "out of memory");
		return -1;
	}
	snprintf(msg, len, "reloaded: %u gateways, %u VPNs", config.n_gw, config.n_vpn);
	log_info("%s", msg);
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
		n = ike_net_recv(&iked.net, fd, buf, sizeof(buf), &from, &local);
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

	pfd[0] = (struct pollfd){ .fd = iked.net.fd4, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = iked.net.fd6, .events = POLLIN };
	pfd[2] = (struct pollfd){ .fd = ike_kernel_events_fd(), .events = POLLIN };
	pfd[3] = (struct pollfd){ .fd = ike_control_fd(), .events = POLLIN };
	pfd[4] = (struct pollfd){ .fd = sigfd, .events = POLLIN };
	pfd[5] = (struct pollfd){ .fd = iked.net.nat4, .events = POLLIN };
	pfd[6] = (struct pollfd){ .fd = iked.net.nat6, .events = POLLIN };
	while (running) {
		n = poll(pfd, 7, ike_timer_next_ms());
		if (n < 0 && errno != EINTR)
			return -1;
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
		ike_sa_reap_dead();
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
	iked.cfg = &config;

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigfd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sigfd < 0 || ike_net_open(&iked.net, port, natt_port) || ike_kernel_open())
		goto out;
	opt = ike_control_open(config.control);
	if (opt) {
		log_err("control socket %s: %s", config.control, strerror(-opt));
		goto out;
	}
	traps_install();
	if (start_vpns())
		goto out;
	log_info("sectun-iked started: %u gateways, %u VPNs, port %lu", config.n_gw,
		 config.n_vpn, port);
	ret = loop(sigfd) ? 1 : 0;
	log_info("sectun-iked stopping");
	shutdown_all();
	traps_remove();
out:
	ike_control_close();
	ike_kernel_close();
	ike_net_close(&iked.net);
	iked_config_free(&config);
	free(vpn_last_try);
	free(vpn_held_down);
	if (sigfd >= 0)
		close(sigfd);
	return ret;
}
