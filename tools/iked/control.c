// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket and the status it reports. Status mirrors what a
 * Junos admin reads in "show security ike security-associations detail"
 * and "show security ipsec security-associations detail": SPIs, role,
 * state, algorithms, lifetimes, identities, selectors, counters; with
 * "json" the same as one JSON document for scripts.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "control.h"
#include "engine/daemon.h"
#include "engine/drops.h"
#include "ike_sa.h"
#include "ikev1/ikev1.h"
#include "json.h"
#include "log.h"
#include "parse.h"
#include "pki/cert.h"
#include "pki/sign.h"
#include "proposal.h"
#include "ts.h"
#include "vpn.h"

static int control_fd = -1;
static char control_path[108];

/*
 * The socket's directory, made if missing. One that exists must be ours
 * (or root's), a real directory, and writable by nobody else unless
 * sticky: root unlinks and binds in it, and the CLI trusts what answers.
 */
static int socket_dir_ok(const char *dir)
{
	struct stat st;

	if (!mkdir(dir, 0755))
		return 0;
	if (errno != EEXIST)
		return -errno;
	if (lstat(dir, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode) || (st.st_uid && st.st_uid != geteuid()) ||
	    ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX))) {
		log_err("%s: not a directory of ours that only we can write", dir);
		return -EPERM;
	}
	return 0;
}

int ike_control_open(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char *slash;
	int err;
	mode_t old;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, path);
	control_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (control_fd < 0)
		return -errno;
	/* A socket that answers belongs to a running daemon: leave it be. */
	if (!connect(control_fd, (struct sockaddr *)&sun, sizeof(sun))) {
		close(control_fd);
		control_fd = -1;
		return -EADDRINUSE;
	}
	close(control_fd);
	control_fd = -1;
	/* The default lives in /run/sectun, which systemd makes for us. */
	slash = strrchr(sun.sun_path, '/');
	if (slash && slash != sun.sun_path) {
		*slash = '\0';
		err = socket_dir_ok(sun.sun_path);
		*slash = '/';
		if (err)
			return err;
	}
	control_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (control_fd < 0)
		return -errno;
	unlink(path);
	/* Root only: the socket can take tunnels down. */
	old = umask(0077);
	if (bind(control_fd, (struct sockaddr *)&sun, sizeof(sun)) ||
	    listen(control_fd, 8)) {
		err = -errno;
		umask(old);
		close(control_fd);
		control_fd = -1;
		return err;
	}
	umask(old);
	snprintf(control_path, sizeof(control_path), "%s", path);
	return 0;
}

void ike_control_close(void)
{
	if (control_fd < 0)
		return;
	close(control_fd);
	unlink(control_path);
	control_fd = -1;
}

int ike_control_fd(void)
{
	return control_fd;
}

static const char *spi_hex(const uint8_t spi[8], char *buf)
{
	return format_hex(spi, 8, buf, 17);
}

static long remaining(time_t since, uint32_t lifetime)
{
	long left = (long)lifetime - (long)(time(NULL) - since);

	return left > 0 ? left : 0;
}

/* A VPN with a child SA up somewhere. */
static bool vpn_up(const struct iked_vpn *vpn)
{
	const struct child_sa *c;
	const struct ike_sa *sa;

	ike_sa_foreach(sa)
		for (c = sa->children; sa->state != IKE_SA_DEAD && c; c = c->next)
			if (c->vpn == vpn)
				return true;
	return false;
}

static uint64_t total_dropped(const struct ike_sa *sa)
{
	uint64_t n = 0;
	unsigned int r;

	for (r = 0; r < IKE_DROP_MAX; r++)
		n += sa->stats.dropped[r];
	return n;
}

/* "3 unencrypted, 1 integrity check failed" */
static void format_drops(const uint64_t *counts, char *out, size_t size)
{
	size_t used = 0;
	unsigned int r;

	out[0] = 0;
	for (r = 0; r < IKE_DROP_MAX && used < size; r++)
		if (counts[r])
			used += snprintf(out + used, size - used, "%s%" PRIu64 " %s",
					 used ? ", " : "", counts[r], ike_drop_name(r));
}

/* The exchanges of SA, in flight then queued: "CREATE_CHILD_SA (3), INFORMATIONAL". */
static void format_exchanges(const struct ike_sa *sa, char *out, size_t size)
{
	const struct ike_xchg *x;
	size_t used = 0;

	out[0] = 0;
	if (sa->xchg.active)
		used += snprintf(out, size, "in flight: %s (message %u)",
				 sa->xchg.active->ops->name, sa->xchg.active->msgid);
	for (x = sa->xchg.queue; x && used < size; x = x->next)
		used += snprintf(out + used, size - used, "%s%s",
				 x == sa->xchg.queue ? (used ? "; queued: " : "queued: ") : ", ",
				 x->ops->name);
}

static void summary_text(FILE *out)
{
	char d[512];

	fprintf(out, "half-open IKE SAs: %zu (cookies above %u), cookies sent: %" PRIu64
		", accepted: %" PRIu64 "\n", iked->sas.n_half,
		iked->cfg->limits.cookie_threshold, iked->halfopen.cookies_sent,
		iked->halfopen.cookies_accepted);
	format_drops(iked->drops.count, d, sizeof(d));
	if (d[0])
		fprintf(out, "messages dropped: %s\n", d);
}

/* Seconds (rounded up) until the monotonic time DUE, in ms. */
static uint64_t ms_left(uint64_t due)
{
	uint64_t now = ike_now_ms();

	return due > now ? (due - now + 999) / 1000 : 0;
}

static const char *child_state_name(const struct child_sa *c)
{
	switch (c->state) {
	case CHILD_INSTALLED:
		return c->out_standby ? "installed, outbound on standby" : "installed";
	case CHILD_REKEYED:
		return "rekeyed, waiting for its delete";
	case CHILD_RETIRING:
		return "deleted, inbound SA kept for packets in flight";
	}
	return "?";
}

/* Seconds since the monotonic time WHEN, in ms. */
static uint64_t ms_ago(uint64_t when)
{
	uint64_t now = ike_now_ms();

	return now > when ? (now - when) / 1000 : 0;
}

/* IKE SA rekeys until the next reauthentication (0: this one), or -1: never. */
static int rekeys_to_reauth(const struct ike_sa *sa)
{
	unsigned int n = sa->gw->reauth_frequency;

	if (!n)
		return -1;
	return sa->since_auth + 1 >= n ? 0 : (int)(n - sa->since_auth - 1);
}

static const char *nat_found(const struct ike_sa *sa)
{
	if (sa->peer.nat_local && sa->peer.nat_peer)
		return "both";
	return sa->peer.nat_local ? "local" : sa->peer.nat_peer ? "remote" : "none";
}

static const char *natt_mode(const struct ike_sa *sa)
{
	return sa->gw->natt == IKED_NATT_OFF ? "off" :
	       sa->gw->natt == IKED_NATT_FORCE ? "force" : "on";
}

/* NAT traversal: what was found, and how ESP goes. */
static void nat_text(FILE *out, const struct ike_sa *sa)
{
	fprintf(out, "  NAT: %s (nat-traversal %s); ESP %s", nat_found(sa), natt_mode(sa),
		ike_sa_udp_encap(sa) ? "in UDP" : "unencapsulated");
	if (ike_sa_udp_encap(sa))
		fprintf(out, ", ports %u -> %u, keepalive %s", ike_sockaddr_port(&sa->local),
			ike_sockaddr_port(&sa->remote),
			sa->peer.nat_local ? "" : "off (not behind a NAT)");
	if (ike_sa_udp_encap(sa) && sa->peer.nat_local)
		fprintf(out, "every %u s", sa->gw->nat_keepalive);
	fprintf(out, "\n");
	fprintf(out, "  fragmentation: %s; fragments: sent %" PRIu64 ", received %" PRIu64
		", reassembled %" PRIu64 ", expired %" PRIu64 "\n",
		sa->gw->fragmentation && sa->peer.fragmentation ? "on" : "off", sa->frags.sent,
		sa->frags.received, sa->frags.reassembled, sa->frags.expired);
}

static void lifecycle_text(FILE *out, const struct ike_sa *sa)
{
	const struct iked_dpd *dpd = &sa->gw->dpd;
	int left = rekeys_to_reauth(sa);

	fprintf(out, "  authenticated: %ld s ago", (long)(time(NULL) - sa->authenticated));
	if (left < 0)
		fprintf(out, ", reauthentication: off\n");
	else if (!left)
		fprintf(out, ", reauthentication: at the next rekey%s\n",
			sa->rekey_due ? "" : " (the peer's)");
	else
		fprintf(out, ", reauthentication: after %d more rekeys\n", left);
	if (sa->reauth_pending)
		fprintf(out, "  reauthenticating: the old IKE SA goes once the children are up\n");
	fprintf(out, "  DPD: %s", iked_dpd_mode_name(dpd->mode));
	if (dpd->mode != IKED_DPD_OFF)
		fprintf(out, ", every %u s, threshold %u; probes sent %" PRIu64 ", answered %"
			PRIu64, dpd->interval, dpd->threshold, sa->dpd.sent, sa->dpd.answered);
	fprintf(out, "; peer last heard %" PRIu64 " s ago\n", ms_ago(sa->dpd.heard_ms));
	nat_text(out, sa);
}

static void status_text(FILE *out, bool detail)
{
	char a[512], b[512], c[128], d[128], e[512], si[17], sr[17];
	unsigned int n_ike = 0, n_child = 0;
	struct child_sa *ch;
	struct ike_sa *sa;

	ike_sa_foreach(sa) {
		if (sa->state == IKE_SA_DEAD)
			continue;
		n_ike++;
		for (ch = sa->children; ch; ch = ch->next)
			n_child++;
	}
	fprintf(out, "IKE SAs: %u  IPsec SAs: %u pairs\n", n_ike, n_child);
	summary_text(out);
	for (unsigned int i = 0; i < iked->cfg->n_vpn; i++) {
		const struct iked_vpn *vpn = &iked->cfg->vpn[i];

		if (detail)
			fprintf(out, "VPN %s: IPsec SAs created: %" PRIu64 ", deleted: %" PRIu64
				", rekeyed: %" PRIu64 "\n", vpn->name, vpn->sas_created,
				vpn->sas_deleted, vpn->child_rekeys);
		if (vpn_up(vpn))
			continue;
		fprintf(out, "VPN %s: down%s%s\n", vpn->name,
			vpn->last_error[0] ? ", last error: " : "", vpn->last_error);
	}
	ike_sa_foreach(sa) {
		if (sa->state == IKE_SA_DEAD)
			continue;
		/* IKEv1 as Junos shows it: cookies, then the phase 1 mode. */
		fprintf(out, "\n%s  %s  %s %s  %s  %s\n", sa->gw->name,
			ike_sa_state_name(sa->state), spi_hex(sa->spi_i, si),
			spi_hex(sa->spi_r, sr), sa->version == 1 ? ikev1_mode_name(sa) : "IKEv2",
			ike_sockaddr_str(&sa->remote, a, sizeof(a)));
		if (detail) {
			fprintf(out, "  role: %s\n", sa->initiator ? "initiator" : "responder");
			fprintf(out, "  exchange type: %s\n",
				sa->version == 1 ? ikev1_mode_name(sa) : "IKEv2");
			fprintf(out, "  local: %s  remote: %s\n",
				ike_sockaddr_str(&sa->local, a, sizeof(a)),
				ike_sockaddr_str(&sa->remote, b, sizeof(b)));
			if (sa->state == IKE_SA_ESTABLISHED) {
				ike_suite_format(IKE_PROP_IKE, &sa->suite, c, sizeof(c));
				fprintf(out, "  algorithms: %s\n", c);
				if (sa->gw->auth == IKED_AUTH_PSK)
					fprintf(out, "  authentication: pre-shared key\n");
				else
					fprintf(out, "  authentication: certificate, "
						"sent %s, received %s\n",
						ike_auth_method_name(sa->auth_sent),
						ike_auth_method_name(sa->auth_received));
				fprintf(out, "  peer identity: %s\n",
					ike_id_format(&sa->peer_id, d, sizeof(d)));
				fprintf(out, "  lifetime: %u s, %ld s left\n", ike_sa_lifetime(sa),
					remaining(sa->established, ike_sa_lifetime(sa)));
				fprintf(out, "  rekeys: %u", sa->rekeys);
				if (sa->rekey_due)
					fprintf(out, ", next in %" PRIu64 " s",
						ms_left(sa->rekey_due));
				fprintf(out, "%s\n", sa->rekeyed ?
					", replaced: waiting for its delete" : "");
				lifecycle_text(out, sa);
			}
			fprintf(out, "  messages: %" PRIu64 " in, %" PRIu64 " out, %" PRIu64
				" retransmitted, %" PRIu64 " dropped\n", sa->stats.msgs_in,
				sa->stats.msgs_out, sa->stats.retransmits, total_dropped(sa));
			format_drops(sa->stats.dropped, e, sizeof(e));
			if (e[0])
				fprintf(out, "  dropped: %s\n", e);
			if (sa->version != 1)
				fprintf(out, "  message IDs: next request %u, next expected %u\n",
					sa->xchg.next_msgid, sa->xchg.peer_msgid);
			format_exchanges(sa, e, sizeof(e));
			if (e[0])
				fprintf(out, "  exchanges: %s\n", e);
			if (sa->why[0])
				fprintf(out, "  last error: %s\n", sa->why);
		}
		for (ch = sa->children; ch; ch = ch->next) {
			ike_suite_format(ch->protocol == IKE_PROTO_AH ? IKE_PROP_AH :
					 IKE_PROP_ESP, &ch->suite, c, sizeof(c));
			fprintf(out, "  < %s %s %s spi %08x  life %ld s\n", ch->vpn->name,
				ch->protocol == IKE_PROTO_AH ? "AH" : "ESP", c, ch->spi_in,
				remaining(ch->created, ch->vpn->lifetime));
			fprintf(out, "  > %s %s %s spi %08x  life %ld s\n", ch->vpn->name,
				ch->protocol == IKE_PROTO_AH ? "AH" : "ESP", c, ch->spi_out,
				remaining(ch->created, ch->vpn->lifetime));
			if (detail) {
				fprintf(out, "    state: %s  rekeys: %u\n", child_state_name(ch),
					ch->rekeys);
				fprintf(out, "    bind-interface: %s  anti-replay window: %u\n",
					ch->vpn->bind_if, ch->vpn->replay_window);
				fprintf(out, "    local selector: %s\n    remote selector: %s\n",
					ike_ts_set_format(&ch->local, a, sizeof(a)),
					ike_ts_set_format(&ch->remote, b, sizeof(b)));
			}
		}
	}
}

static void json_spi(struct json *j, const char *key, const uint8_t spi[8])
{
	char buf[17];

	json_kv_str(j, key, spi_hex(spi, buf));
}

static void json_drops(struct json *j, const char *key, const uint64_t *counts)
{
	unsigned int r;

	json_key(j, key);
	json_obj_open(j);
	for (r = 0; r < IKE_DROP_MAX; r++)
		if (counts[r])
			json_kv_u64(j, ike_drop_name(r), counts[r]);
	json_obj_close(j);
}

/* "sectun ike statistics": the daemon-wide counters. */
static void statistics(FILE *out, bool as_json)
{
	const struct ike_halfopen *h = &iked->halfopen;
	const struct iked_limits *l = &iked->cfg->limits;
	struct json j;
	char d[512];

	if (!as_json) {
		fprintf(out, "half-open IKE SAs: %zu (at most %u, %u per address; cookies above"
			" %u, or %u per address)\n", iked->sas.n_half, l->half_open_max,
			l->half_open_per_address, l->cookie_threshold,
			l->cookie_threshold_per_address);
		fprintf(out, "cookies: %" PRIu64 " sent, %" PRIu64 " accepted\n",
			h->cookies_sent, h->cookies_accepted);
		fprintf(out, "stateless answers: %" PRIu64 " sent, %" PRIu64
			" suppressed (respond-bad-spi %u a minute)\n", h->answers_sent,
			h->answers_suppressed, l->respond_bad_spi);
		format_drops(iked->drops.count, d, sizeof(d));
		fprintf(out, "messages dropped: %s\n", d[0] ? d : "none");
		return;
	}
	json_init(&j, out);
	json_obj_open(&j);
	json_kv_u64(&j, "half_open", iked->sas.n_half);
	json_kv_u64(&j, "cookies_sent", h->cookies_sent);
	json_kv_u64(&j, "cookies_accepted", h->cookies_accepted);
	json_kv_u64(&j, "stateless_answers_sent", h->answers_sent);
	json_kv_u64(&j, "stateless_answers_suppressed", h->answers_suppressed);
	json_drops(&j, "dropped", iked->drops.count);
	json_obj_close(&j);
	fputc('\n', out);
}

static void status_json(FILE *out)
{
	char a[512], spi[16];
	unsigned int k;
	const struct ike_xchg *x;
	struct child_sa *ch;
	struct ike_sa *sa;
	struct json j;

	json_init(&j, out);
	json_arr_open(&j);
	/* IKE SAs only: scripts index j[0] as the first IKE SA. */
	ike_sa_foreach(sa) {
		if (sa->state == IKE_SA_DEAD)
			continue;
		json_obj_open(&j);
		json_kv_str(&j, "gateway", sa->gw->name);
		json_kv_str(&j, "state", ike_sa_state_name(sa->state));
		json_kv_str(&j, "role", sa->initiator ? "initiator" : "responder");
		json_kv_u64(&j, "version", sa->version == 1 ? 1 : 2);
		if (sa->version == 1)
			json_kv_str(&j, "mode", ikev1_mode_name(sa));
		json_spi(&j, "spi_i", sa->spi_i);
		json_spi(&j, "spi_r", sa->spi_r);
		json_kv_str(&j, "local", ike_sockaddr_str(&sa->local, a, sizeof(a)));
		json_kv_str(&j, "remote", ike_sockaddr_str(&sa->remote, a, sizeof(a)));
		if (sa->state == IKE_SA_ESTABLISHED) {
			ike_suite_format(IKE_PROP_IKE, &sa->suite, a, sizeof(a));
			json_kv_str(&j, "algorithms", a);
			json_kv_str(&j, "peer_id", ike_id_format(&sa->peer_id, a, sizeof(a)));
			json_kv_str(&j, "auth_sent", ike_auth_method_name(sa->auth_sent));
			json_kv_str(&j, "auth_received",
				    ike_auth_method_name(sa->auth_received));
			json_kv_u64(&j, "lifetime_left",
				    remaining(sa->established, ike_sa_lifetime(sa)));
		}
		json_kv_u64(&j, "rekeys", sa->rekeys);
		if (sa->rekey_due)
			json_kv_u64(&j, "rekey_in", ms_left(sa->rekey_due));
		if (sa->state == IKE_SA_ESTABLISHED) {
			json_kv_u64(&j, "authenticated_ago", time(NULL) - sa->authenticated);
			json_kv_i64(&j, "rekeys_to_reauth", rekeys_to_reauth(sa));
			json_kv_bool(&j, "reauthenticating", sa->reauth_pending);
			json_kv_str(&j, "dpd", iked_dpd_mode_name(sa->gw->dpd.mode));
			json_kv_u64(&j, "dpd_sent", sa->dpd.sent);
			json_kv_u64(&j, "dpd_answered", sa->dpd.answered);
			json_kv_u64(&j, "peer_heard_ago", ms_ago(sa->dpd.heard_ms));
			json_kv_str(&j, "nat", nat_found(sa));
			json_kv_str(&j, "nat_traversal", natt_mode(sa));
			json_kv_bool(&j, "udp_encap", ike_sa_udp_encap(sa));
			json_kv_u64(&j, "local_port", ike_sockaddr_port(&sa->local));
			json_kv_u64(&j, "remote_port", ike_sockaddr_port(&sa->remote));
			json_kv_u64(&j, "nat_keepalive", ike_sa_udp_encap(sa) && sa->peer.nat_local ?
							 sa->gw->nat_keepalive : 0);
		}
		json_kv_bool(&j, "fragmentation", sa->gw->fragmentation && sa->peer.fragmentation);
		json_kv_u64(&j, "fragments_sent", sa->frags.sent);
		json_kv_u64(&j, "fragments_received", sa->frags.received);
		json_kv_u64(&j, "fragments_reassembled", sa->frags.reassembled);
		json_kv_u64(&j, "fragments_expired", sa->frags.expired);
		if (sa->rekeyed)
			json_kv_str(&j, "replaced", "rekeyed, waiting for its delete");
		json_kv_u64(&j, "messages_in", sa->stats.msgs_in);
		json_kv_u64(&j, "messages_out", sa->stats.msgs_out);
		json_kv_u64(&j, "retransmits", sa->stats.retransmits);
		json_kv_u64(&j, "dropped", total_dropped(sa));
		json_drops(&j, "drops", sa->stats.dropped);
		json_kv_u64(&j, "msgid_out", sa->xchg.next_msgid);
		json_kv_u64(&j, "msgid_in", sa->xchg.peer_msgid);
		json_key(&j, "exchanges");
		json_arr_open(&j);
		if (sa->xchg.active)
			json_str(&j, sa->xchg.active->ops->name);
		for (x = sa->xchg.queue; x; x = x->next)
			json_str(&j, x->ops->name);
		json_arr_close(&j);
		if (sa->why[0])
			json_kv_str(&j, "last_error", sa->why);
		json_key(&j, "children");
		json_arr_open(&j);
		for (ch = sa->children; ch; ch = ch->next) {
			json_obj_open(&j);
			json_kv_str(&j, "vpn", ch->vpn->name);
			json_kv_str(&j, "interface", ch->vpn->bind_if);
			json_kv_str(&j, "protocol", ch->protocol == IKE_PROTO_AH ? "ah" : "esp");
			ike_suite_format(ch->protocol == IKE_PROTO_AH ? IKE_PROP_AH :
					 IKE_PROP_ESP, &ch->suite, a, sizeof(a));
			json_kv_str(&j, "algorithms", a);
			snprintf(spi, sizeof(spi), "%08x", ch->spi_in);
			json_kv_str(&j, "spi_in", spi);
			snprintf(spi, sizeof(spi), "%08x", ch->spi_out);
			json_kv_str(&j, "spi_out", spi);
			json_kv_str(&j, "local_ts", ike_ts_set_format(&ch->local, a, sizeof(a)));
			json_kv_str(&j, "remote_ts", ike_ts_set_format(&ch->remote, a, sizeof(a)));
			json_kv_u64(&j, "policy", ch->policy.n ? ch->policy.index[0] : 0);
			json_key(&j, "policies");
			json_arr_open(&j);
			for (k = 0; k < ch->policy.n; k++)
				json_u64(&j, ch->policy.index[k]);
			json_arr_close(&j);
			json_kv_str(&j, "state", child_state_name(ch));
			json_kv_u64(&j, "rekeys", ch->rekeys);
			json_kv_u64(&j, "lifetime_left",
				    remaining(ch->created, ch->vpn->lifetime));
			json_obj_close(&j);
		}
		json_arr_close(&j);
		json_obj_close(&j);
	}
	json_arr_close(&j);
	fputc('\n', out);
}

static void run_command(char *line, FILE *out)
{
	char msg[256] = "";
	char *words[4], *save = NULL, *w;
	int n = 0, err = 0;
	bool detail = false, json = false;

	for (w = strtok_r(line, " \t\r\n", &save); w && n < 4;
	     w = strtok_r(NULL, " \t\r\n", &save))
		words[n++] = w;
	if (!n) {
		fprintf(out, "error: empty command\n");
		return;
	}
	if (!strcmp(words[0], "status")) {
		for (int i = 1; i < n; i++) {
			detail |= !strcmp(words[i], "detail");
			json |= !strcmp(words[i], "json");
		}
		if (json)
			status_json(out);
		else
			status_text(out, detail);
		return;
	}
	if (!strcmp(words[0], "statistics")) {
		statistics(out, n > 1 && !strcmp(words[1], "json"));
		return;
	}
	if (!strcmp(words[0], "vpns") && n == 1) {
		/* Names only, for scripts and shell completion. */
		for (unsigned int i = 0; i < iked->cfg->n_vpn; i++)
			fprintf(out, "%s\n", iked->cfg->vpn[i].name);
		return;
	}
	if (!strcmp(words[0], "up") && n == 2)
		err = iked_vpn_up(words[1], msg, sizeof(msg));
	else if (!strcmp(words[0], "down") && n == 2)
		err = iked_vpn_down(words[1], msg, sizeof(msg));
	else if (!strcmp(words[0], "reload") && n == 1)
		err = iked_reload(msg, sizeof(msg));
	else
		snprintf(msg, sizeof(msg), "unknown command '%s'", words[0]), err = -1;
	fprintf(out, "%s%s\n", err ? "error: " : "", msg);
}

void ike_control_serve(void)
{
	char line[256];
	ssize_t n;
	FILE *out;
	int fd;

	fd = accept4(control_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	/* One short line; a client that sends nothing in 2 s is dropped. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &(struct timeval){ .tv_sec = 2 },
		   sizeof(struct timeval));
	n = recv(fd, line, sizeof(line) - 1, 0);
	if (n <= 0) {
		close(fd);
		return;
	}
	line[n] = 0;
	out = fdopen(fd, "w");
	if (!out) {
		close(fd);
		return;
	}
	run_command(line, out);
	fclose(out);
}
