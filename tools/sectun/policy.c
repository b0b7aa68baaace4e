// SPDX-License-Identifier: GPL-2.0
/*
 * sectun policy add|del|show|flush: a tunnel's traffic selectors (Junos
 * proxy IDs), each carried by its own SA pair.
 */
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/attr.h>

#include "cli.h"
#include "parse.h"
#include "policy.h"

static void put_range(struct nl_msg *msg, int a_start, int a_end,
		      const struct inet_range *r)
{
	unsigned int len = r->family == AF_INET ? 4 : 16;

	nla_put(msg, a_start, len, &r->start);
	nla_put(msg, a_end, len, &r->end);
}

static int policy_add(struct cli *cli, int argc, char **argv)
{
	struct inet_range local = { 0 }, remote = { 0 };
	uint16_t lmin = 0, lmax = 65535, rmin = 0, rmax = 65535;
	uint32_t index = 0, priority = 0;
	struct nlattr *nest;
	struct nl_msg *msg;
	uint8_t proto = 0;
	int i, err;

	if (argc < 2)
		return cli_usage("policy", "which device?");
	for (i = 2; i < argc; i++) {
		const char *w = argv[i], *arg = i + 1 < argc ? argv[i + 1] : NULL;
		int bad;

		if (!arg)
			return cli_usage("policy", "'%s' needs a value", w);
		if (!strcmp(w, "local"))
			bad = parse_range(arg, &local);
		else if (!strcmp(w, "remote"))
			bad = parse_range(arg, &remote);
		else if (!strcmp(w, "proto"))
			bad = parse_ip_proto(arg, &proto);
		else if (!strcmp(w, "local-port"))
			bad = parse_port_range(arg, &lmin, &lmax);
		else if (!strcmp(w, "remote-port"))
			bad = parse_port_range(arg, &rmin, &rmax);
		else if (!strcmp(w, "index"))
			bad = parse_u32(arg, 1, UINT32_MAX, &index);
		else if (!strcmp(w, "priority"))
			bad = parse_u32(arg, 1, UINT32_MAX, &priority);
		else
			return cli_usage("policy", "unknown keyword '%s'", w);
		if (bad)
			return cli_usage("policy", "bad %s '%s'", w, arg);
		i++;
	}
	if (!local.family || !remote.family)
		return cli_usage("policy", "a selector needs 'local' and 'remote'");
	if (local.family != remote.family)
		return cli_usage("policy", "local and remote must be of one family");
	if (cli_nl(cli))
		return 1;
	msg = sectun_nl_msg(&cli->nl, SECTUN_CMD_NEW_POLICY, 0);
	if (!msg || sectun_nl_put_dev(msg, argv[1]) < 0 ||
	    !(nest = nla_nest_start(msg, SECTUN_A_POLICY))) {
		nlmsg_free(msg);
		return cli_nl_fail(cli, "policy", -ENOMEM);
	}
	put_range(msg, SECTUN_POL_A_LOCAL_START, SECTUN_POL_A_LOCAL_END, &local);
	put_range(msg, SECTUN_POL_A_REMOTE_START, SECTUN_POL_A_REMOTE_END, &remote);
	nla_put_u8(msg, SECTUN_POL_A_PROTO, proto);
	nla_put_u16(msg, SECTUN_POL_A_LOCAL_PORT_MIN, lmin);
	nla_put_u16(msg, SECTUN_POL_A_LOCAL_PORT_MAX, lmax);
	nla_put_u16(msg, SECTUN_POL_A_REMOTE_PORT_MIN, rmin);
	nla_put_u16(msg, SECTUN_POL_A_REMOTE_PORT_MAX, rmax);
	if (index)
		nla_put_u32(msg, SECTUN_POL_A_INDEX, index);
	if (priority)
		nla_put_u32(msg, SECTUN_POL_A_PRIORITY, priority);
	nla_nest_end(msg, nest);
	err = sectun_nl_request(&cli->nl, msg, NULL, NULL, NULL);
	nlmsg_free(msg);
	return err ? cli_nl_fail(cli, argv[1], err) : 0;
}

static int policy_del_or_flush(struct cli *cli, int argc, char **argv,
			       bool flush)
{
	struct nlattr *nest;
	struct nl_msg *msg;
	uint32_t index = 0;
	int err;

	if (argc < 2)
		return cli_usage("policy", "which device?");
	if (!flush && (argc != 4 || strcmp(argv[2], "index") ||
		       parse_u32(argv[3], 1, UINT32_MAX, &index)))
		return cli_usage("policy", "name the selector: index N");
	if (flush && argc != 2)
		return cli_usage("policy", "flush takes only the device");
	if (cli_nl(cli))
		return 1;
	msg = sectun_nl_msg(&cli->nl, flush ? SECTUN_CMD_FLUSH_POLICY :
			    SECTUN_CMD_DEL_POLICY, 0);
	if (!msg || sectun_nl_put_dev(msg, argv[1]) < 0) {
		nlmsg_free(msg);
		return cli_nl_fail(cli, "policy", -ENOMEM);
	}
	if (!flush) {
		nest = nla_nest_start(msg, SECTUN_A_POLICY);
		nla_put_u32(msg, SECTUN_POL_A_INDEX, index);
		nla_nest_end(msg, nest);
	}
	err = sectun_nl_request(&cli->nl, msg, NULL, NULL, NULL);
	nlmsg_free(msg);
	return err ? cli_nl_fail(cli, argv[1], err) : 0;
}

static void copy_addr(struct nlattr *a, int len, union inet_addr *dst)
{
	if (a && nla_len(a) == len)
		memcpy(dst, nla_data(a), len);
}

void policy_parse(struct nlattr *nest, struct policy_info *p)
{
	struct nlattr *tb[SECTUN_POL_A_MAX + 1];
	int len;

	memset(p, 0, sizeof(*p));
	if (!nest || nla_parse_nested(tb, SECTUN_POL_A_MAX, nest, NULL) < 0 ||
	    !tb[SECTUN_POL_A_LOCAL_START])
		return;
	len = nla_len(tb[SECTUN_POL_A_LOCAL_START]);
	p->local.family = p->remote.family = len == 4 ? AF_INET : AF_INET6;
	copy_addr(tb[SECTUN_POL_A_LOCAL_START], len, &p->local.start);
	copy_addr(tb[SECTUN_POL_A_LOCAL_END], len, &p->local.end);
	copy_addr(tb[SECTUN_POL_A_REMOTE_START], len, &p->remote.start);
	copy_addr(tb[SECTUN_POL_A_REMOTE_END], len, &p->remote.end);
	p->index = sectun_nla_u32(tb[SECTUN_POL_A_INDEX]);
	p->priority = sectun_nla_u32(tb[SECTUN_POL_A_PRIORITY]);
	p->proto = sectun_nla_u8(tb[SECTUN_POL_A_PROTO]);
	p->lmin = sectun_nla_u16(tb[SECTUN_POL_A_LOCAL_PORT_MIN]);
	p->lmax = sectun_nla_u16(tb[SECTUN_POL_A_LOCAL_PORT_MAX]);
	p->rmin = sectun_nla_u16(tb[SECTUN_POL_A_REMOTE_PORT_MIN]);
	p->rmax = sectun_nla_u16(tb[SECTUN_POL_A_REMOTE_PORT_MAX]);
	p->has_sa = tb[SECTUN_POL_A_OUT_SPI] != NULL;
	p->out_spi = sectun_nla_u32(tb[SECTUN_POL_A_OUT_SPI]);
	p->packets = sectun_nla_u64(tb[SECTUN_POL_A_PACKETS]);
	p->acquires = sectun_nla_u64(tb[SECTUN_POL_A_ACQUIRES]);
}

static const char *ports(uint16_t min, uint16_t max, char *buf, size_t len)
{
	if (min == 0 && max == 65535)
		return "any";
	if (min == max)
		snprintf(buf, len, "%u", min);
	else
		snprintf(buf, len, "%u-%u", min, max);
	return buf;
}

/* "local 10.1.0.0/16 remote 10.2.0.0/16 proto tcp remote-port 80" */
const char *policy_selector_text(const struct policy_info *p, char *buf,
				 size_t len)
{
	char l[96], r[96], lp[16], rp[16];
	int n;

	n = snprintf(buf, len, "local %s remote %s",
		     format_range(&p->local, l, sizeof(l)),
		     format_range(&p->remote, r, sizeof(r)));
	if (p->proto && n < (int)len)
		n += snprintf(buf + n, len - n, " proto %u", p->proto);
	if (!(p->lmin == 0 && p->lmax == 65535) && n < (int)len)
		n += snprintf(buf + n, len - n, " local-port %s",
			      ports(p->lmin, p->lmax, lp, sizeof(lp)));
	if (!(p->rmin == 0 && p->rmax == 65535) && n < (int)len)
		snprintf(buf + n, len - n, " remote-port %s",
			 ports(p->rmin, p->rmax, rp, sizeof(rp)));
	return buf;
}

void policy_json(struct json *j, const struct policy_info *p)
{
	char b[96], lp[16], rp[16];

	json_obj_open(j);
	if (p->index)
		json_kv_u64(j, "index", p->index);
	if (p->priority)
		json_kv_u64(j, "priority", p->priority);
	json_kv_str(j, "local", format_range(&p->local, b, sizeof(b)));
	json_kv_str(j, "remote", format_range(&p->remote, b, sizeof(b)));
	json_kv_u64(j, "proto", p->proto);
	json_kv_str(j, "local_port", ports(p->lmin, p->lmax, lp, sizeof(lp)));
	json_kv_str(j, "remote_port", ports(p->rmin, p->rmax, rp, sizeof(rp)));
	if (p->index) {
		json_key(j, "out_spi");
		if (p->has_sa)
			json_u64(j, p->out_spi);
		else
			json_null(j);
		json_kv_u64(j, "packets", p->packets);
		json_kv_u64(j, "acquires", p->acquires);
	}
	json_obj_close(j);
}

struct policy_entry {
	char ifname[IF_NAMESIZE];
	struct policy_info p;
};

struct policy_list {
	struct policy_entry *v;
	size_t n, cap;
};

static int collect_policy(const struct genlmsghdr *g, struct nlattr **attrs,
			  void *arg)
{
	struct policy_list *l = arg;
	struct policy_entry *e;

	(void)g;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct policy_entry *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	e = &l->v[l->n++];
	snprintf(e->ifname, sizeof(e->ifname), "%s",
		 attrs[SECTUN_A_IFNAME] ? nla_get_string(attrs[SECTUN_A_IFNAME]) : "?");
	policy_parse(attrs[SECTUN_A_POLICY], &e->p);
	return 0;
}

static void restart_policies(void *arg)
{
	((struct policy_list *)arg)->n = 0;
}

static int policy_show(struct cli *cli, int argc, char **argv)
{
	struct policy_list l = { 0 };
	struct nl_msg *msg;
	struct json j;
	char sel[300];
	size_t i;
	int err;

	if (argc > 2)
		return cli_usage("policy", "show takes at most a device");
	if (cli_nl(cli))
		return 1;
	msg = sectun_nl_msg(&cli->nl, SECTUN_CMD_GET_POLICY, NLM_F_DUMP);
	if (!msg || (argc == 2 && sectun_nl_put_dev(msg, argv[1]) < 0)) {
		nlmsg_free(msg);
		return cli_nl_fail(cli, "policy", -ENOMEM);
	}
	err = sectun_nl_request(&cli->nl, msg, collect_policy, restart_policies, &l);
	nlmsg_free(msg);
	if (err) {
		free(l.v);
		return cli_nl_fail(cli, argc == 2 ? argv[1] : "policy show", err);
	}
	if (cli->json) {
		json_init(&j, stdout);
		json_arr_open(&j);
	}
	for (i = 0; i < l.n; i++) {
		const struct policy_info *p = &l.v[i].p;

		if (cli->json) {
			policy_json(&j, p);
			continue;
		}
		printf("%s: selector %u (priority %u): %s\n", l.v[i].ifname,
		       p->index, p->priority,
		       policy_selector_text(p, sel, sizeof(sel)));
		if (p->has_sa)
			printf("  outbound SA 0x%08x, %" PRIu64 " packets\n",
			       p->out_spi, p->packets);
		else
			printf("  no outbound SA (%" PRIu64 " packets, %" PRIu64
			       " acquires)\n", p->packets, p->acquires);
	}
	if (cli->json)
		json_arr_close(&j);
	free(l.v);
	return 0;
}

int cmd_policy(struct cli *cli, int argc, char **argv)
{
	if (argc < 2)
		return policy_show(cli, 1, argv);
	if (!strcmp(argv[1], "add"))
		return policy_add(cli, argc - 1, argv + 1);
	if (!strcmp(argv[1], "del") || !strcmp(argv[1], "delete"))
		return policy_del_or_flush(cli, argc - 1, argv + 1, false);
	if (!strcmp(argv[1], "flush"))
		return policy_del_or_flush(cli, argc - 1, argv + 1, true);
	if (!strcmp(argv[1], "show") || !strcmp(argv[1], "list"))
		return policy_show(cli, argc - 1, argv + 1);
	return cli_usage("policy", "unknown policy command '%s'", argv[1]);
}
