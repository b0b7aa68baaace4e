// SPDX-License-Identifier: GPL-2.0
/*
 * sectun show / set / stats: the tunnel device's parameters and counters.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netlink/attr.h>

#include "cli.h"
#include "names.h"
#include "parse.h"

struct tunnel {
	uint32_t ifindex;
	char ifname[IF_NAMESIZE];
	int local_family, remote_family;
	union inet_addr local, remote;
	bool has_netnsid;
	int32_t netnsid;
	uint8_t encap, df_mode;
	uint16_t encap_lport, encap_rport;
	bool copy_dscp, admin_up, carrier;
	uint32_t replay_window, mtu, path_mtu, keepalive;
	uint16_t peer_port;
	uint8_t ttl;
	uint8_t parallel;
	bool parallel_active;
	uint64_t stats[__SECTUN_STAT_MAX];
};

struct tunnel_list {
	struct tunnel *t;
	size_t n, cap;
};

static void get_addr(struct nlattr **attrs, int a4, int a6, int *family,
		     union inet_addr *addr)
{
	*family = 0;
	if (attrs[a4] && nla_len(attrs[a4]) == 4) {
		*family = AF_INET;
		memcpy(&addr->v4, nla_data(attrs[a4]), 4);
	} else if (attrs[a6] && nla_len(attrs[a6]) == 16) {
		*family = AF_INET6;
		memcpy(&addr->v6, nla_data(attrs[a6]), 16);
	}
}

static int collect_tunnel(const struct genlmsghdr *g, struct nlattr **attrs,
			  void *arg)
{
	struct tunnel_list *list = arg;
	struct tunnel *t;
	struct nlattr *s;
	int rem;

	(void)g;
	if (list->n == list->cap) {
		size_t cap = list->cap ? list->cap * 2 : 16;
		struct tunnel *n = realloc(list->t, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		list->t = n;
		list->cap = cap;
	}
	t = &list->t[list->n++];
	memset(t, 0, sizeof(*t));
	t->ifindex = sectun_nla_u32(attrs[SECTUN_A_IFINDEX]);
	if (attrs[SECTUN_A_IFNAME])
		snprintf(t->ifname, sizeof(t->ifname), "%.*s",
			 nla_len(attrs[SECTUN_A_IFNAME]),
			 (char *)nla_data(attrs[SECTUN_A_IFNAME]));
	get_addr(attrs, SECTUN_A_LOCAL_IPV4, SECTUN_A_LOCAL_IPV6,
		 &t->local_family, &t->local);
	get_addr(attrs, SECTUN_A_REMOTE_IPV4, SECTUN_A_REMOTE_IPV6,
		 &t->remote_family, &t->remote);
	t->has_netnsid = attrs[SECTUN_A_UNDERLAY_NETNSID] != NULL;
	t->netnsid = (int32_t)sectun_nla_u32(attrs[SECTUN_A_UNDERLAY_NETNSID]);
	t->encap = sectun_nla_u8(attrs[SECTUN_A_ENCAP_TYPE]);
	t->encap_lport = sectun_nla_u16(attrs[SECTUN_A_ENCAP_LOCAL_PORT]);
	t->encap_rport = sectun_nla_u16(attrs[SECTUN_A_ENCAP_REMOTE_PORT]);
	t->df_mode = sectun_nla_u8(attrs[SECTUN_A_DF_MODE]);
	t->copy_dscp = sectun_nla_u8(attrs[SECTUN_A_COPY_DSCP]);
	t->replay_window = sectun_nla_u32(attrs[SECTUN_A_REPLAY_WINDOW]);
	t->mtu = sectun_nla_u32(attrs[SECTUN_A_MTU]);
	t->admin_up = sectun_nla_u8(attrs[SECTUN_A_ADMIN_UP]);
	t->carrier = sectun_nla_u8(attrs[SECTUN_A_CARRIER]);
	t->path_mtu = sectun_nla_u32(attrs[SECTUN_A_PATH_MTU]);
	t->keepalive = sectun_nla_u32(attrs[SECTUN_A_NATT_KEEPALIVE]);
	t->peer_port = sectun_nla_u16(attrs[SECTUN_A_ENCAP_PEER_PORT]);
	t->ttl = sectun_nla_u8(attrs[SECTUN_A_TTL]);
	t->parallel = sectun_nla_u8(attrs[SECTUN_A_PARALLEL]);
	if (t->parallel > SECTUN_PARALLEL_MAX)
		t->parallel = SECTUN_PARALLEL_AUTO;
	t->parallel_active = sectun_nla_u8(attrs[SECTUN_A_PARALLEL_ACTIVE]);
	if (attrs[SECTUN_A_STATS])
		nla_for_each_nested(s, attrs[SECTUN_A_STATS], rem)
			if (nla_type(s) < __SECTUN_STAT_MAX)
				t->stats[nla_type(s)] = sectun_nla_u64(s);
	return 0;
}

static void restart_list(void *arg)
{
	((struct tunnel_list *)arg)->n = 0;
}

/* The tunnel named DEV, or every tunnel when DEV is NULL. */
static int fetch_tunnels(struct cli *cli, const char *dev,
			 struct tunnel_list *list)
{
	struct nl_msg *msg;
	int err;

	if (cli_nl(cli))
		return 1;
	msg = sectun_nl_msg(&cli->nl, SECTUN_CMD_GET_TUNNEL,
			    dev ? 0 : NLM_F_DUMP);
	if (!msg || (dev && sectun_nl_put_dev(msg, dev) < 0)) {
		nlmsg_free(msg);
		return cli_nl_fail(cli, "show", -ENOMEM);
	}
	err = sectun_nl_request(&cli->nl, msg, collect_tunnel, restart_list,
				list);
	nlmsg_free(msg);
	if (err)
		return cli_nl_fail(cli, dev ? dev : "show", err);
	return 0;
}

static const char *df_name(uint8_t df)
{
	return df <= SECTUN_DF_MAX ? sectun_df_names[df] : "?";
}

static const char *encap_name(uint8_t e)
{
	return e <= SECTUN_ENCAP_MAX ? sectun_encap_names[e] : "?";
}

static void print_tunnel_text(const struct tunnel *t)
{
	char a[INET6_ADDRSTRLEN], b[32], c[32];

	printf("tunnel: %s\n", t->ifname);
	printf("  state: %s, %s\n", t->admin_up ? "up" : "down",
	       t->carrier ? "carrier" : "no carrier");
	printf("  local: %s\n", t->local_family ?
	       format_ip(t->local_family, &t->local, a, sizeof(a)) :
	       "(chosen by route)");
	printf("  remote: %s\n", t->remote_family ?
	       format_ip(t->remote_family, &t->remote, a, sizeof(a)) :
	       "(none)");
	if (t->has_netnsid)
		printf("  underlay netns: id %d\n", t->netnsid);
	else
		printf("  underlay netns: this one\n");
	if (t->encap == SECTUN_ENCAP_ESPINUDP) {
		printf("  encapsulation: udp, port %u -> %u", t->encap_lport,
		       t->encap_rport);
		if (t->peer_port && t->peer_port != t->encap_rport)
			printf(" (peer seen at %u)", t->peer_port);
		if (t->keepalive)
			printf(", keepalive %u s", t->keepalive);
		printf("\n");
	} else {
		printf("  encapsulation: none\n");
	}
	printf("  df-bit: %s\n", df_name(t->df_mode));
	printf("  copy-dscp: %s\n", t->copy_dscp ? "on" : "off");
	if (t->replay_window)
		printf("  replay window: %u\n", t->replay_window);
	else
		printf("  replay window: off\n");
	if (t->path_mtu)
		printf("  mtu: %u (underlay path %u)\n", t->mtu, t->path_mtu);
	else
		printf("  mtu: %u\n", t->mtu);
	if (t->ttl)
		printf("  ttl: %u\n", t->ttl);
	if (t->parallel == SECTUN_PARALLEL_AUTO)
		printf("  parallel: auto (%s)\n", t->parallel_active ? "on" : "off");
	else
		printf("  parallel: %s\n", sectun_parallel_names[t->parallel]);
	printf("  transfer: %s received, %s sent\n",
	       format_bytes(t->stats[SECTUN_STAT_RX_BYTES], b, sizeof(b)),
	       format_bytes(t->stats[SECTUN_STAT_TX_BYTES], c, sizeof(c)));
}

static void print_stats_json(struct json *j, const uint64_t *stats)
{
	int i;

	json_key(j, "stats");
	json_obj_open(j);
	for (i = 0; i < sectun_stat_count; i++)
		json_kv_u64(j, sectun_stat_names[i].key,
			    stats[sectun_stat_names[i].id]);
	json_obj_close(j);
}

static void print_tunnel_json(struct json *j, const struct tunnel *t)
{
	char a[INET6_ADDRSTRLEN];

	json_obj_open(j);
	json_kv_str(j, "ifname", t->ifname);
	json_kv_u64(j, "ifindex", t->ifindex);
	json_kv_bool(j, "up", t->admin_up);
	json_kv_bool(j, "carrier", t->carrier);
	json_key(j, "local");
	if (t->local_family)
		json_str(j, format_ip(t->local_family, &t->local, a, sizeof(a)));
	else
		json_null(j);
	json_key(j, "remote");
	if (t->remote_family)
		json_str(j, format_ip(t->remote_family, &t->remote, a, sizeof(a)));
	else
		json_null(j);
	json_key(j, "underlay_netnsid");
	if (t->has_netnsid)
		json_i64(j, t->netnsid);
	else
		json_null(j);
	json_kv_str(j, "encap", encap_name(t->encap));
	json_kv_u64(j, "encap_local_port", t->encap_lport);
	json_kv_u64(j, "encap_remote_port", t->encap_rport);
	json_kv_str(j, "df_bit", df_name(t->df_mode));
	json_kv_bool(j, "copy_dscp", t->copy_dscp);
	json_kv_u64(j, "replay_window", t->replay_window);
	json_kv_u64(j, "mtu", t->mtu);
	json_kv_u64(j, "path_mtu", t->path_mtu);
	json_kv_u64(j, "ttl", t->ttl);
	json_kv_u64(j, "nat_keepalive", t->keepalive);
	json_kv_str(j, "parallel", sectun_parallel_names[t->parallel]);
	json_kv_bool(j, "parallel_active", t->parallel_active);
	json_key(j, "peer_port");
	if (t->peer_port)
		json_u64(j, t->peer_port);
	else
		json_null(j);
	print_stats_json(j, t->stats);
	json_obj_close(j);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct tunnel *)a)->ifname,
		      ((const struct tunnel *)b)->ifname);
}

int cmd_show(struct cli *cli, int argc, char **argv)
{
	struct tunnel_list list = { 0 };
	struct json j;
	size_t i;
	int ret;

	if (argc > 2)
		return cli_usage("show", "too many arguments");
	ret = fetch_tunnels(cli, argc == 2 ? argv[1] : NULL, &list);
	if (ret)
		goto out;
	qsort(list.t, list.n, sizeof(*list.t), by_name);
	if (cli->json) {
		json_init(&j, stdout);
		json_arr_open(&j);
		for (i = 0; i < list.n; i++)
			print_tunnel_json(&j, &list.t[i]);
		json_arr_close(&j);
	} else {
		for (i = 0; i < list.n; i++) {
			if (i)
				printf("\n");
			print_tunnel_text(&list.t[i]);
		}
	}
out:
	free(list.t);
	return ret;
}

/* An ip-netns name or a path to a namespace file. */
static int open_netns(const char *name)
{
	char path[512];

	if (strchr(name, '/'))
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", name);
	return open(path, O_RDONLY | O_CLOEXEC);
}

static int put_endpoint(struct nl_msg *msg, const char *word, const char *arg,
			int a4, int a6)
{
	union inet_addr addr;
	int family;

	if (!arg)
		return cli_usage("set", "'%s' needs an address", word);
	if (parse_ip(arg, &family, &addr))
		return cli_usage("set", "'%s' is not an IPv4 or IPv6 address", arg);
	if (family == AF_INET)
		nla_put(msg, a4, 4, &addr.v4);
	else
		nla_put(msg, a6, 16, &addr.v6);
	return 0;
}

static int put_port(struct nl_msg *msg, int attr, const char *arg)
{
	uint32_t port;

	if (!arg || parse_u32(arg, 1, 65535, &port))
		return cli_usage("set", "a port is a number from 1 to 65535");
	nla_put_u16(msg, attr, port);
	return 0;
}

/* Append the "set" keywords in ARGV to MSG; returns 0 or EXIT_USAGE. */
static int build_set(struct nl_msg *msg, int argc, char **argv, int *netns_fd)
{
	uint32_t v;
	bool on;
	int i, k;

	for (i = 0; i < argc; i++) {
		const char *w = argv[i], *arg = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(w, "local")) {
			if (put_endpoint(msg, w, arg, SECTUN_A_LOCAL_IPV4,
					 SECTUN_A_LOCAL_IPV6))
				return EXIT_USAGE;
			i++;
		} else if (!strcmp(w, "remote")) {
			if (put_endpoint(msg, w, arg, SECTUN_A_REMOTE_IPV4,
					 SECTUN_A_REMOTE_IPV6))
				return EXIT_USAGE;
			i++;
		} else if (!strcmp(w, "encap")) {
			k = arg ? parse_keyword(arg, sectun_encap_names) : -EINVAL;
			if (k < 0)
				return cli_usage("set", "encap is 'none' or 'udp'");
			nla_put_u8(msg, SECTUN_A_ENCAP_TYPE, k);
			i++;
		} else if (!strcmp(w, "port")) {
			if (put_port(msg, SECTUN_A_ENCAP_REMOTE_PORT, arg))
				return EXIT_USAGE;
			i++;
		} else if (!strcmp(w, "local-port")) {
			if (put_port(msg, SECTUN_A_ENCAP_LOCAL_PORT, arg))
				return EXIT_USAGE;
			i++;
		} else if (!strcmp(w, "df-bit")) {
			k = arg ? parse_keyword(arg, sectun_df_names) : -EINVAL;
			if (k < 0)
				return cli_usage("set", "df-bit is clear, set or copy");
			nla_put_u8(msg, SECTUN_A_DF_MODE, k);
			i++;
		} else if (!strcmp(w, "copy-dscp")) {
			if (!arg || parse_onoff(arg, &on))
				return cli_usage("set", "copy-dscp is on or off");
			nla_put_u8(msg, SECTUN_A_COPY_DSCP, on);
			i++;
		} else if (!strcmp(w, "parallel")) {
			k = arg ? parse_keyword(arg, sectun_parallel_names) : -EINVAL;
			if (k < 0)
				return cli_usage("set", "parallel is on, off or auto");
			nla_put_u8(msg, SECTUN_A_PARALLEL, k);
			i++;
		} else if (!strcmp(w, "replay-window")) {
			if (!arg || parse_u32(arg, 0, SECTUN_MAX_REPLAY_WINDOW, &v))
				return cli_usage("set", "replay-window is 0 (off) to %u packets",
						 SECTUN_MAX_REPLAY_WINDOW);
			nla_put_u32(msg, SECTUN_A_REPLAY_WINDOW, v);
			i++;
		} else if (!strcmp(w, "nat-keepalive")) {
			if (!arg || parse_u32(arg, 0, 300, &v))
				return cli_usage("set", "nat-keepalive is 0 (off) to 300 seconds");
			nla_put_u32(msg, SECTUN_A_NATT_KEEPALIVE, v);
			i++;
		} else if (!strcmp(w, "ttl")) {
			if (!arg || parse_u32(arg, 0, 255, &v))
				return cli_usage("set", "ttl is 0 (the route's) to 255");
			nla_put_u8(msg, SECTUN_A_TTL, v);
			i++;
		} else if (!strcmp(w, "mtu")) {
			if (!arg || parse_u32(arg, 0, UINT32_MAX, &v))
				return cli_usage("set", "mtu needs a number");
			nla_put_u32(msg, SECTUN_A_MTU, v);
			i++;
		} else if (!strcmp(w, "underlay-netns")) {
			if (!arg)
				return cli_usage("set", "underlay-netns needs a name or path");
			*netns_fd = open_netns(arg);
			if (*netns_fd < 0) {
				fprintf(stderr, "sectun: netns %s: %s\n", arg,
					strerror(errno));
				return 1;
			}
			nla_put_u32(msg, SECTUN_A_UNDERLAY_NETNS_FD, *netns_fd);
			i++;
		} else {
			return cli_usage("set", "unknown keyword '%s'", w);
		}
	}
	return 0;
}

int cmd_set(struct cli *cli, int argc, char **argv)
{
	struct nl_msg *msg;
	int netns_fd = -1, ret, err;

	if (argc < 2)
		return cli_usage("set", "which device?");
	if (cli_nl(cli))
		return 1;
	msg = sectun_nl_msg(&cli->nl, SECTUN_CMD_SET_TUNNEL, 0);
	if (!msg || sectun_nl_put_dev(msg, argv[1]) < 0) {
		nlmsg_free(msg);
		return cli_nl_fail(cli, "set", -ENOMEM);
	}
	ret = build_set(msg, argc - 2, argv + 2, &netns_fd);
	if (!ret) {
		err = sectun_nl_request(&cli->nl, msg, NULL, NULL, NULL);
		if (err)
			ret = cli_nl_fail(cli, argv[1], err);
	}
	if (netns_fd >= 0)
		close(netns_fd);
	nlmsg_free(msg);
	return ret;
}

static void print_stats_text(const struct tunnel *t)
{
	static const struct {
		const char *title;
		int first, last;	/* range in sectun_stat_names */
	} groups[] = {
		{ "ESP statistics", 4, 7 },
		{ "AH statistics", 8, 11 },
		{ "Errors", 12, 22 },
	};
	size_t g;
	int i;

	printf("IPsec statistics of %s:\n", t->ifname);
	for (g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		printf("  %s:\n", groups[g].title);
		for (i = groups[g].first; i <= groups[g].last; i++)
			printf("    %-30s %" PRIu64 "\n",
			       sectun_stat_names[i].label,
			       t->stats[sectun_stat_names[i].id]);
	}
}

static int clear_stats(struct cli *cli, const char *dev)
{
	struct tunnel_list list = { 0 };
	struct nl_msg *msg;
	size_t i;
	int ret = 0, err;

	ret = fetch_tunnels(cli, dev, &list);
	for (i = 0; !ret && i < list.n; i++) {
		msg = sectun_nl_msg(&cli->nl, SECTUN_CMD_CLEAR_STATS, 0);
		if (!msg || nla_put_u32(msg, SECTUN_A_IFINDEX, list.t[i].ifindex)) {
			ret = cli_nl_fail(cli, "stats clear", -ENOMEM);
		} else {
			err = sectun_nl_request(&cli->nl, msg, NULL, NULL, NULL);
			if (err)
				ret = cli_nl_fail(cli, list.t[i].ifname, err);
		}
		nlmsg_free(msg);
	}
	free(list.t);
	return ret;
}

int cmd_stats(struct cli *cli, int argc, char **argv)
{
	struct tunnel_list list = { 0 };
	struct json j;
	size_t i;
	int ret;

	if (argc >= 2 && !strcmp(argv[1], "clear")) {
		if (argc > 3)
			return cli_usage("stats", "too many arguments");
		return clear_stats(cli, argc == 3 ? argv[2] : NULL);
	}
	if (argc > 2)
		return cli_usage("stats", "too many arguments");
	ret = fetch_tunnels(cli, argc == 2 ? argv[1] : NULL, &list);
	if (ret)
		goto out;
	qsort(list.t, list.n, sizeof(*list.t), by_name);
	if (cli->json) {
		json_init(&j, stdout);
		json_arr_open(&j);
		for (i = 0; i < list.n; i++) {
			json_obj_open(&j);
			json_kv_str(&j, "ifname", list.t[i].ifname);
			print_stats_json(&j, list.t[i].stats);
			json_obj_close(&j);
		}
		json_arr_close(&j);
	} else {
		for (i = 0; i < list.n; i++) {
			if (i)
				printf("\n");
			print_stats_text(&list.t[i]);
		}
	}
out:
	free(list.t);
	return ret;
}
