// SPDX-License-Identifier: GPL-2.0
/*
 * Child SAs into the module over the sectun generic-netlink family, with
 * the libnl helpers the CLI uses. Two sockets: one for requests (their
 * answers are waited for), one subscribed to the events group and read
 * by the event loop.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <netlink/attr.h>

#include "ike_sa.h"
#include "ikev2/ikev2.h"
#include "kernel.h"
#include "log.h"
#include "nl.h"
#include "random.h"

static struct sectun_nl req_nl, ev_nl;
static bool req_open, ev_open;
/* --no-kernel: negotiate only, install nothing (configuration checks). */
static bool dry_run;

void ike_kernel_dry_run(void)
{
	dry_run = true;
}

int ike_kernel_open(void)
{
	int err;

	if (dry_run) {
		log_warn("--no-kernel: SAs are negotiated but not installed");
		return 0;
	}

	err = sectun_nl_open(&req_nl);
	if (err) {
		log_err("sectun netlink: %s", req_nl.err_msg);
		return err;
	}
	req_open = true;
	err = sectun_nl_open(&ev_nl);
	if (!err)
		err = sectun_nl_subscribe(&ev_nl);
	if (err) {
		log_err("sectun events: %s", ev_nl.err_msg);
		return err;
	}
	ev_open = true;
	nl_socket_set_nonblocking(ev_nl.sk);
	return 0;
}

void ike_kernel_close(void)
{
	if (req_open)
		sectun_nl_close(&req_nl);
	if (ev_open)
		sectun_nl_close(&ev_nl);
	req_open = ev_open = false;
}

int ike_kernel_events_fd(void)
{
	return ev_open ? nl_socket_get_fd(ev_nl.sk) : -1;
}

struct event_ctx {
	void (*fn)(const struct kernel_event *ev);
};

static int on_event(const struct genlmsghdr *ghdr, struct nlattr **attrs, void *arg)
{
	struct event_ctx *ctx = arg;
	struct nlattr *tb[SECTUN_SA_A_MAX + 1];
	struct kernel_event ev;

	memset(&ev, 0, sizeof(ev));
	if (!attrs[SECTUN_A_IFNAME])
		return 0;
	nla_strlcpy(ev.ifname, attrs[SECTUN_A_IFNAME], sizeof(ev.ifname));
	switch (ghdr->cmd) {
	case SECTUN_CMD_ACQUIRE:
		ev.kind = KEV_ACQUIRE;
		if (attrs[SECTUN_A_POLICY]) {
			struct nlattr *pb[SECTUN_POL_A_MAX + 1];

			if (nla_parse_nested(pb, SECTUN_POL_A_MAX,
					     attrs[SECTUN_A_POLICY], NULL) < 0)
				return 0;
			ev.policy = sectun_nla_u32(pb[SECTUN_POL_A_INDEX]);
		}
		break;
	case SECTUN_CMD_EXPIRE:
	case SECTUN_CMD_DEL_SA:
		if (!attrs[SECTUN_A_SA] ||
		    nla_parse_nested(tb, SECTUN_SA_A_MAX, attrs[SECTUN_A_SA], NULL) < 0)
			return 0;
		ev.spi = sectun_nla_u32(tb[SECTUN_SA_A_SPI]);
		ev.dir = sectun_nla_u8(tb[SECTUN_SA_A_DIR]);
		if (ghdr->cmd == SECTUN_CMD_DEL_SA)
			ev.kind = KEV_DELETED;
		else
			ev.kind = sectun_nla_u8(tb[SECTUN_SA_A_EXPIRED]) == 2 ?
				  KEV_HARD_EXPIRE : KEV_SOFT_EXPIRE;
		break;
	default:
		return 0;
	}
	ctx->fn(&ev);
	return 0;
}

void ike_kernel_read_events(void (*fn)(const struct kernel_event *ev))
{
	struct event_ctx ctx = { .fn = fn };

	if (sectun_nl_read_events(&ev_nl, on_event, &ctx))
		log_warn("sectun events: %s", ev_nl.err_msg);
}

uint32_t ike_kernel_new_spi(void)
{
	uint32_t spi;

	do {
		if (ike_random(&spi, sizeof(spi)))
			spi = 0;
	} while (spi < 256 || ike_child_find_in(spi, NULL));
	return spi;
}

static struct nl_msg *dev_msg(uint8_t cmd, const char *ifname)
{
	struct nl_msg *msg;

	if (dry_run)	/* a message to throw away, for request() to log */
		return nlmsg_alloc();
	msg = sectun_nl_msg(&req_nl, cmd, 0);

	if (msg && sectun_nl_put_dev(msg, ifname) < 0) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* Frees MSG; one that carried keys is wiped first. */
static void msg_free(struct nl_msg *msg)
{
	struct nlmsghdr *nlh;

	if (!msg)
		return;
	nlh = nlmsg_hdr(msg);
	explicit_bzero(nlh, nlh->nlmsg_len);
	nlmsg_free(msg);
}

static int request(struct nl_msg *msg, const char *what, const char *ifname)
{
	int err;

	if (dry_run) {
		log_info("--no-kernel: would be %s on %s", what, ifname);
		msg_free(msg);
		return 0;
	}
	if (!msg)
		return -ENOMEM;
	err = sectun_nl_request(&req_nl, msg, NULL, NULL, NULL);
	msg_free(msg);
	if (err)
		log_err("%s on %s: %s%s%s", what, ifname, strerror(-err),
			req_nl.err_msg[0] ? ": " : "", req_nl.err_msg);
	return err;
}

int ike_kernel_set_endpoints(const char *ifname, const struct ike_sa *sa)
{
	struct nl_msg *msg = dev_msg(SECTUN_CMD_SET_TUNNEL, ifname);
	const struct sockaddr_storage *local = &sa->local, *remote = &sa->remote;

	if (!msg)
		return -ENOMEM;
	if (remote->ss_family == AF_INET) {
		nla_put(msg, SECTUN_A_REMOTE_IPV4, 4,
			&((const struct sockaddr_in *)remote)->sin_addr);
		if (local->ss_family == AF_INET)
			nla_put(msg, SECTUN_A_LOCAL_IPV4, 4,
				&((const struct sockaddr_in *)local)->sin_addr);
	} else {
		nla_put(msg, SECTUN_A_REMOTE_IPV6, 16,
			&((const struct sockaddr_in6 *)remote)->sin6_addr);
		if (local->ss_family == AF_INET6)
			nla_put(msg, SECTUN_A_LOCAL_IPV6, 16,
				&((const struct sockaddr_in6 *)local)->sin6_addr);
	}
	/*
	 * ESP in UDP between the IKE SA's own ports (RFC 3948): one NAT
	 * mapping for both, kept open by keepalives from behind the NAT.
	 */
	if (ike_sa_udp_encap(sa)) {
		nla_put_u8(msg, SECTUN_A_ENCAP_TYPE, SECTUN_ENCAP_ESPINUDP);
		nla_put_u16(msg, SECTUN_A_ENCAP_LOCAL_PORT, ike_sockaddr_port(local));
		nla_put_u16(msg, SECTUN_A_ENCAP_REMOTE_PORT, ike_sockaddr_port(remote));
		nla_put_u32(msg, SECTUN_A_NATT_KEEPALIVE,
			    sa->peer.nat_local ? sa->gw->nat_keepalive : 0);
	} else {
		nla_put_u8(msg, SECTUN_A_ENCAP_TYPE, SECTUN_ENCAP_NONE);
	}
	return request(msg, "setting tunnel endpoints", ifname);
}

static void put_ts(struct nl_msg *msg, int a_start, int a_end, int a_pmin,
		   int a_pmax, const struct ike_ts *ts)
{
	size_t alen = ts->type == IKE_TS_IPV4_ADDR_RANGE ? 4 : 16;

	nla_put(msg, a_start, alen, ts->start_addr);
	nla_put(msg, a_end, alen, ts->end_addr);
	nla_put_u16(msg, a_pmin, ts->start_port);
	nla_put_u16(msg, a_pmax, ts->end_port);
}

int ike_kernel_add_policy(const char *ifname, uint32_t index,
			  const struct ike_ts *local, const struct ike_ts *remote)
{
	uint32_t try = index ? index : 1;
	struct nlattr *nest;
	struct nl_msg *msg;
	int err;

	if (dry_run)
		return try;

	/* Indexes are the device's: skip those taken by someone else. */
	for (;; try++) {
		msg = dev_msg(SECTUN_CMD_NEW_POLICY, ifname);
		if (!msg || !(nest = nla_nest_start(msg, SECTUN_A_POLICY))) {
			nlmsg_free(msg);
			return -ENOMEM;
		}
		nla_put_u32(msg, SECTUN_POL_A_INDEX, try);
		put_ts(msg, SECTUN_POL_A_LOCAL_START, SECTUN_POL_A_LOCAL_END,
		       SECTUN_POL_A_LOCAL_PORT_MIN, SECTUN_POL_A_LOCAL_PORT_MAX, local);
		put_ts(msg, SECTUN_POL_A_REMOTE_START, SECTUN_POL_A_REMOTE_END,
		       SECTUN_POL_A_REMOTE_PORT_MIN, SECTUN_POL_A_REMOTE_PORT_MAX, remote);
		nla_put_u8(msg, SECTUN_POL_A_PROTO, local->ip_proto);
		nla_nest_end(msg, nest);
		err = sectun_nl_request(&req_nl, msg, NULL, NULL, NULL);
		nlmsg_free(msg);
		if (err != -EEXIST || index)
			break;
	}
	if (err) {
		log_err("adding a selector on %s: %s%s%s", ifname, strerror(-err),
			req_nl.err_msg[0] ? ": " : "", req_nl.err_msg);
		return err;
	}
	return try;
}

int ike_kernel_del_policy(const char *ifname, uint32_t index)
{
	struct nl_msg *msg = dev_msg(SECTUN_CMD_DEL_POLICY, ifname);
	struct nlattr *nest;

	if (!msg || !(nest = nla_nest_start(msg, SECTUN_A_POLICY))) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nla_put_u32(msg, SECTUN_POL_A_INDEX, index);
	nla_nest_end(msg, nest);
	return request(msg, "deleting a selector", ifname);
}

/* The module takes the IANA numbers the IKE exchange settled on. */
static int add_one(const struct child_sa *c, int dir, uint32_t spi,
		   const struct child_keys *k, uint32_t replay_window,
		   uint32_t lifetime, uint64_t lifetime_kb)
{
	struct nl_msg *msg = dev_msg(SECTUN_CMD_NEW_SA, c->vpn->bind_if);
	struct nlattr *nest;

	if (!msg || !(nest = nla_nest_start(msg, SECTUN_A_SA))) {
		msg_free(msg);
		return -ENOMEM;
	}
	nla_put_u32(msg, SECTUN_SA_A_SPI, spi);
	nla_put_u8(msg, SECTUN_SA_A_DIR, dir);
	nla_put_u8(msg, SECTUN_SA_A_PROTO,
		   c->protocol == IKE_PROTO_AH ? IPPROTO_AH : IPPROTO_ESP);
	if (c->protocol == IKE_PROTO_ESP) {
		nla_put_u16(msg, SECTUN_SA_A_ENCR, c->suite.encr);
		nla_put(msg, SECTUN_SA_A_ENCR_KEY, k->encr_len, k->encr);
	}
	if (c->suite.integ) {
		nla_put_u16(msg, SECTUN_SA_A_INTEG, c->suite.integ);
		nla_put(msg, SECTUN_SA_A_INTEG_KEY, k->integ_len, k->integ);
	}
	nla_put_u8(msg, SECTUN_SA_A_ESN, c->suite.esn == IKE_ESN_YES);
	if (dir == SECTUN_DIR_IN)
		nla_put_u32(msg, SECTUN_SA_A_REPLAY_WINDOW, replay_window);
	if (lifetime) {
		/* The soft expiry is the daemon's cue to rekey before the end. */
		nla_put_u32(msg, SECTUN_SA_A_HARD_SECONDS, lifetime);
		if (c->soft_seconds && c->soft_seconds < lifetime)
			nla_put_u32(msg, SECTUN_SA_A_SOFT_SECONDS, c->soft_seconds);
	}
	if (lifetime_kb) {
		nla_put_u64(msg, SECTUN_SA_A_HARD_BYTES, lifetime_kb * 1024);
		nla_put_u64(msg, SECTUN_SA_A_SOFT_BYTES, lifetime_kb * 1024 / 10 * 9);
	}
	if (c->policy.n == 1) {
		nla_put_u32(msg, SECTUN_SA_A_POLICY, c->policy.index[0]);
	} else if (c->policy.n) {
		struct nlattr *list = nla_nest_start(msg, SECTUN_SA_A_POLICIES);
		unsigned int p;

		for (p = 0; p < c->policy.n; p++)
			nla_put_u32(msg, SECTUN_SA_A_POLICY, c->policy.index[p]);
		nla_nest_end(msg, list);
	}
	if (dir == SECTUN_DIR_OUT && c->out_standby)
		nla_put_u8(msg, SECTUN_SA_A_STANDBY, 1);
	nla_nest_end(msg, nest);
	return request(msg, dir == SECTUN_DIR_IN ? "adding an inbound SA" :
			    "adding an outbound SA", c->vpn->bind_if);
}

/* A message of CMD for C's SA of DIR and SPI, its SA nest left open; NULL on failure. */
static struct nl_msg *sa_msg(uint8_t cmd, const struct child_sa *c, int dir, uint32_t spi,
			     struct nlattr **nest)
{
	struct nl_msg *msg = dev_msg(cmd, c->vpn->bind_if);

	if (!msg || !(*nest = nla_nest_start(msg, SECTUN_A_SA))) {
		nlmsg_free(msg);
		return NULL;
	}
	nla_put_u32(msg, SECTUN_SA_A_SPI, spi);
	nla_put_u8(msg, SECTUN_SA_A_DIR, dir);
	nla_put_u8(msg, SECTUN_SA_A_PROTO,
		   c->protocol == IKE_PROTO_AH ? IPPROTO_AH : IPPROTO_ESP);
	return msg;
}

static int del_one(const struct child_sa *c, int dir, uint32_t spi)
{
	struct nl_msg *msg;
	struct nlattr *nest;
	int err;

	if (dry_run)
		return 0;
	msg = sa_msg(SECTUN_CMD_DEL_SA, c, dir, spi, &nest);
	if (!msg)
		return -ENOMEM;
	nla_nest_end(msg, nest);
	err = sectun_nl_request(&req_nl, msg, NULL, NULL, NULL);
	nlmsg_free(msg);
	/* Gone already (expired, flushed by hand) is fine. */
	return err == -ENOENT ? 0 : err;
}

int ike_kernel_add_child(const struct child_sa *c, const struct child_keys *in,
			 const struct child_keys *out, uint32_t replay_window,
			 uint32_t lifetime, uint64_t lifetime_kb)
{
	int err;

	/* Inbound first: the peer may use its outbound SA at once. */
	err = add_one(c, SECTUN_DIR_IN, c->spi_in, in, replay_window, lifetime,
		      lifetime_kb);
	if (err)
		return err;
	err = add_one(c, SECTUN_DIR_OUT, c->spi_out, out, 0, lifetime, lifetime_kb);
	if (err)
		del_one(c, SECTUN_DIR_IN, c->spi_in);
	return err;
}

int ike_kernel_make_current(const struct child_sa *c)
{
	struct nlattr *nest;
	struct nl_msg *msg;

	if (dry_run)
		return 0;
	msg = sa_msg(SECTUN_CMD_SET_SA, c, SECTUN_DIR_OUT, c->spi_out, &nest);
	if (!msg)
		return -ENOMEM;
	nla_put_u8(msg, SECTUN_SA_A_CURRENT, 1);
	nla_nest_end(msg, nest);
	return request(msg, "switching to a new outbound SA", c->vpn->bind_if);
}

void ike_kernel_del_out(const struct child_sa *c)
{
	if (del_one(c, SECTUN_DIR_OUT, c->spi_out))
		log_warn("removing outbound SA %08x from %s: %s", c->spi_out,
			 c->vpn->bind_if, req_nl.err_msg);
}

/* An inbound SPI reserved (or no longer), DEL_SA or NEW_SA with PENDING_MS. */
static int reserve(uint8_t cmd, const char *ifname, uint8_t protocol, uint32_t spi)
{
	struct nl_msg *msg;
	struct nlattr *nest;
	int err;

	if (dry_run)
		return 0;
	msg = dev_msg(cmd, ifname);
	if (!msg || !(nest = nla_nest_start(msg, SECTUN_A_SA))) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nla_put_u32(msg, SECTUN_SA_A_SPI, spi);
	nla_put_u8(msg, SECTUN_SA_A_DIR, SECTUN_DIR_IN);
	nla_put_u8(msg, SECTUN_SA_A_PROTO, protocol == IKE_PROTO_AH ? IPPROTO_AH : IPPROTO_ESP);
	nla_put_u32(msg, SECTUN_SA_A_PENDING_MS, KERNEL_RESERVE_MS);
	nla_nest_end(msg, nest);
	err = sectun_nl_request(&req_nl, msg, NULL, NULL, NULL);
	nlmsg_free(msg);
	return err;
}

int ike_kernel_reserve_spi(const char *ifname, uint8_t protocol, uint32_t spi)
{
	int err = reserve(SECTUN_CMD_NEW_SA, ifname, protocol, spi);

	/* A module without reservations still takes the SA itself, later. */
	if (err)
		log_debug("reserving inbound SPI %08x on %s: %s", spi, ifname, req_nl.err_msg);
	return err;
}

void ike_kernel_unreserve_spi(const char *ifname, uint8_t protocol, uint32_t spi)
{
	int err = reserve(SECTUN_CMD_DEL_SA, ifname, protocol, spi);

	if (err && err != -ENOENT)
		log_debug("releasing inbound SPI %08x on %s: %s", spi, ifname, req_nl.err_msg);
}

uint64_t (*ike_kernel_dry_packets)(const struct child_sa *c, int dir);

static int on_sa_stats(const struct genlmsghdr *ghdr, struct nlattr **attrs, void *arg)
{
	struct nlattr *sa[SECTUN_SA_A_MAX + 1], *st[SECTUN_SA_STAT_MAX + 1];
	uint64_t *packets = arg;

	(void)ghdr;
	if (!attrs[SECTUN_A_SA] ||
	    nla_parse_nested(sa, SECTUN_SA_A_MAX, attrs[SECTUN_A_SA], NULL) < 0 ||
	    !sa[SECTUN_SA_A_STATS] ||
	    nla_parse_nested(st, SECTUN_SA_STAT_MAX, sa[SECTUN_SA_A_STATS], NULL) < 0)
		return 0;
	*packets = sectun_nla_u64(st[SECTUN_SA_STAT_PACKETS]);
	return 0;
}

int ike_kernel_sa_packets(const struct child_sa *c, int dir, uint64_t *packets)
{
	struct nl_msg *msg;
	struct nlattr *nest;
	int err;

	*packets = 0;
	if (dry_run) {
		if (ike_kernel_dry_packets)
			*packets = ike_kernel_dry_packets(c, dir);
		return 0;
	}
	msg = sa_msg(SECTUN_CMD_GET_SA, c, dir, dir == SECTUN_DIR_IN ? c->spi_in : c->spi_out,
		     &nest);
	if (!msg)
		return -ENOMEM;
	nla_nest_end(msg, nest);
	err = sectun_nl_request(&req_nl, msg, on_sa_stats, NULL, packets);
	nlmsg_free(msg);
	return err;
}

void ike_kernel_del_child(const struct child_sa *c)
{
	if (del_one(c, SECTUN_DIR_OUT, c->spi_out) ||
	    del_one(c, SECTUN_DIR_IN, c->spi_in))
		log_warn("removing child SA %08x/%08x from %s: %s", c->spi_in,
			 c->spi_out, c->vpn->bind_if, req_nl.err_msg);
}
