// SPDX-License-Identifier: GPL-2.0
/*
 * sectun sa add|del|set|show|flush: manual keying of a tunnel's SAs.
 */
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/attr.h>

#include "algs.h"
#include "cli.h"
#include "names.h"
#include "parse.h"
#include "policy.h"

#define MAX_KEY 64

struct sa_args {
	const char *dev;
	int dir;			/* -1 until given */
	uint32_t spi;
	bool has_spi;
	uint8_t proto, mode;
	const struct sectun_encr_alg *encr;
	const struct sectun_integ_alg *integ;
	uint8_t ekey[MAX_KEY], akey[MAX_KEY];
	int eklen, aklen;		/* -1 until given */
	int esn;			/* -1 until given */
	int64_t replay_window;		/* -1 until given */
	bool has_seq;
	uint64_t seq;
	/* soft/hard bytes, packets, seconds; -1 until given */
	int64_t life[6];
	uint32_t policies[SECTUN_SA_MAX_POLICIES];
	unsigned int n_policies;
	bool standby, current;
};

static const int life_attrs[6] = {
	SECTUN_SA_A_SOFT_BYTES, SECTUN_SA_A_HARD_BYTES,
	SECTUN_SA_A_SOFT_PACKETS, SECTUN_SA_A_HARD_PACKETS,
	SECTUN_SA_A_SOFT_SECONDS, SECTUN_SA_A_HARD_SECONDS,
};
static const char *const life_words[6] = {
	"soft-bytes", "hard-bytes", "soft-packets", "hard-packets",
	"soft-seconds", "hard-seconds",
};

static const char *const dir_names[] = { "in", "out", NULL };

static void sa_args_init(struct sa_args *a)
{
	memset(a, 0, sizeof(*a));
	a->dir = -1;
	a->proto = IPPROTO_ESP;
	a->eklen = a->aklen = -1;
	a->esn = -1;
	a->replay_window = -1;
	memset(a->life, 0xff, sizeof(a->life));
}

/* "3" or "1,2,5": the selectors an SA serves, each once. */
static int parse_policy_list(const char *arg, struct sa_args *a)
{
	char buf[1024], *tok, *save = NULL;
	unsigned int k;

	if (strlen(arg) >= sizeof(buf))
		return -1;
	strcpy(buf, arg);
	a->n_policies = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (a->n_policies == SECTUN_SA_MAX_POLICIES ||
		    parse_u32(tok, 1, UINT32_MAX, &a->policies[a->n_policies]))
			return -1;
		for (k = 0; k < a->n_policies; k++)
			if (a->policies[k] == a->policies[a->n_policies])
				return -1;
		a->n_policies++;
	}
	return a->n_policies ? 0 : -1;
}

/*
 * Parse ARGV (after "sa CMD DEV"). ALLOWED says which keywords the command
 * takes: 'a' add-only (algorithms, keys, ...), 'l' lifetimes, 'c' current.
 */
static int parse_sa_args(const char *cmd, int argc, char **argv,
			 struct sa_args *a, const char *allowed)
{
	bool last_is_auth = false;
	int i, k;

	for (i = 0; i < argc; i++) {
		const char *w = argv[i], *arg = i + 1 < argc ? argv[i + 1] : NULL;
		uint64_t v;

		if ((k = parse_keyword(w, dir_names)) >= 0) {
			a->dir = k;
			continue;
		}
		if (!strcmp(w, "spi")) {
			if (!arg || parse_u64(arg, &v) || v < 256 || v > UINT32_MAX)
				return cli_usage(cmd, "spi is a number from 256 to 0xffffffff");
			a->spi = v;
			a->has_spi = true;
			i++;
			continue;
		}
		if (!strcmp(w, "proto")) {
			if (arg && !strcmp(arg, "esp"))
				a->proto = IPPROTO_ESP;
			else if (arg && !strcmp(arg, "ah"))
				a->proto = IPPROTO_AH;
			else
				return cli_usage(cmd, "proto is esp or ah");
			i++;
			continue;
		}
		for (k = 0; k < 6; k++)
			if (!strcmp(w, life_words[k]))
				break;
		if (k < 6 && strchr(allowed, 'l')) {
			if (!arg || parse_u64(arg, &v) || (k >= 4 && v > UINT32_MAX))
				return cli_usage(cmd, "%s needs a number", w);
			a->life[k] = v;
			i++;
			continue;
		}
		if (!strcmp(w, "current") && strchr(allowed, 'c')) {
			a->current = true;
			continue;
		}
		if (!strchr(allowed, 'a'))
			return cli_usage(cmd, "unknown keyword '%s'", w);

		if (!strcmp(w, "enc")) {
			if (!arg || !(a->encr = sectun_encr_by_name(arg)))
				return cli_usage(cmd, "unknown encryption algorithm '%s' (try aes-gcm-128, aes256gcm16, chacha20-poly1305, aes-256-cbc, 3des, null)",
						 arg ? arg : "");
			last_is_auth = false;
			i++;
		} else if (!strcmp(w, "auth")) {
			if (!arg || !(a->integ = sectun_integ_by_name(arg)))
				return cli_usage(cmd, "unknown authentication algorithm '%s' (try hmac-sha-256-128, sha256, hmac-sha1-96, sha384, sha512, md5)",
						 arg ? arg : "");
			last_is_auth = true;
			i++;
		} else if (!strcmp(w, "key")) {
			int n = arg ? parse_hex(arg, last_is_auth ? a->akey : a->ekey,
						MAX_KEY) : -1;

			if (n < 0)
				return cli_usage(cmd, "key is up to %d bytes in hex", MAX_KEY);
			if (last_is_auth)
				a->aklen = n;
			else
				a->eklen = n;
			i++;
		} else if (!strcmp(w, "mode")) {
			if (arg && !strcmp(arg, "tunnel"))
				a->mode = SECTUN_MODE_TUNNEL;
			else if (arg && !strcmp(arg, "transport"))
				a->mode = SECTUN_MODE_TRANSPORT;
			else
				return cli_usage(cmd, "mode is tunnel or transport");
			i++;
		} else if (!strcmp(w, "esn")) {
			bool on;

			if (!arg || parse_onoff(arg, &on))
				return cli_usage(cmd, "esn is on or off");
			a->esn = on;
			i++;
		} else if (!strcmp(w, "replay-window")) {
			uint32_t rw;

			if (!arg || parse_u32(arg, 0, SECTUN_MAX_REPLAY_WINDOW, &rw))
				return cli_usage(cmd, "replay-window is 0 (off) to %u packets",
						 SECTUN_MAX_REPLAY_WINDOW);
			a->replay_window = rw;
			i++;
		} else if (!strcmp(w, "seq")) {
			if (!arg || parse_u64(arg, &a->seq))
				return cli_usage(cmd, "seq needs a number");
			a->has_seq = true;
			i++;
		} else if (!strcmp(w, "standby")) {
			a->standby = true;
		} else if (!strcmp(w, "policy")) {
			if (!arg || parse_policy_list(arg, a))
				return cli_usage(cmd, "policy is a selector index, or several: 1,2");
			i++;
		} else {
			return cli_usage(cmd, "unknown keyword '%s'", w);
		}
	}
	return 0;
}

static int check_keys(struct sa_args *a)
{
	unsigned int want;

	if (a->proto == IPPROTO_AH) {
		if (a->encr)
			return cli_usage("sa", "AH does not encrypt: no 'enc'");
		if (!a->integ)
			return cli_usage("sa", "AH needs 'auth ALGORITHM key HEX'");
		if (a->aklen != a->integ->key_bytes)
			return cli_usage("sa", "%s needs a %u-byte key", a->integ->name,
					 a->integ->key_bytes);
		return 0;
	}
	if (!a->encr)
		return cli_usage("sa", "an SA needs 'enc ALGORITHM'");
	want = sectun_encr_key_len(a->encr);
	if ((a->eklen < 0 ? 0 : (unsigned int)a->eklen) != want)
		return cli_usage("sa", "%s needs a %u-byte key%s", a->encr->name, want,
				 a->encr->salt ? " (the key, then 4 bytes of salt)" : "");
	if (sectun_encr_is_aead(a->encr) && a->integ)
		return cli_usage("sa", "%s authenticates by itself: no 'auth'",
				 a->encr->name);
	if (!sectun_encr_is_aead(a->encr) && !a->integ)
		return cli_usage("sa", "%s needs 'auth ALGORITHM key HEX'",
				 a->encr->name);
	if (a->integ && a->aklen != a->integ->key_bytes)
		return cli_usage("sa", "%s needs a %u-byte key", a->integ->name,
				 a->integ->key_bytes);
	return 0;
}

static void put_lifetimes(struct nl_msg *msg, const struct sa_args *a)
{
	int k;

	for (k = 0; k < 6; k++) {
		if (a->life[k] < 0)
			continue;
		if (k >= 4)
			nla_put_u32(msg, life_attrs[k], a->life[k]);
		else
			nla_put_u64(msg, life_attrs[k], a->life[k]);
	}
}

/* A request for CMD on A->dev with the SA nest from FILL. */
static int sa_request(struct cli *cli, uint8_t cmd, const char *what,
		      struct sa_args *a,
		      void (*fill)(struct nl_msg *, const struct sa_args *))
{
	struct nlattr *nest;
	struct nl_msg *msg;
	int err;

	if (cli_nl(cli))
		return 1;
	msg = sectun_nl_msg(&cli->nl, cmd, 0);
	if (!msg || sectun_nl_put_dev(msg, a->dev) < 0 ||
	    !(nest = nla_nest_start(msg, SECTUN_A_SA))) {
		nlmsg_free(msg);
		return cli_nl_fail(cli, what, -ENOMEM);
	}
	fill(msg, a);
	nla_nest_end(msg, nest);
	err = sectun_nl_request(&cli->nl, msg, NULL, NULL, NULL);
	nlmsg_free(msg);
	return err ? cli_nl_fail(cli, what, err) : 0;
}

static void fill_id(struct nl_msg *msg, const struct sa_args *a)
{
	if (a->has_spi)
		nla_put_u32(msg, SECTUN_SA_A_SPI, a->spi);
	if (a->dir >= 0)
		nla_put_u8(msg, SECTUN_SA_A_DIR, a->dir);
	nla_put_u8(msg, SECTUN_SA_A_PROTO, a->proto);
}

static void fill_add(struct nl_msg *msg, const struct sa_args *a)
{
	fill_id(msg, a);
	nla_put_u8(msg, SECTUN_SA_A_MODE, a->mode);
	if (a->encr)
		nla_put_u16(msg, SECTUN_SA_A_ENCR, a->encr->id);
	if (a->eklen > 0)
		nla_put(msg, SECTUN_SA_A_ENCR_KEY, a->eklen, a->ekey);
	if (a->integ) {
		nla_put_u16(msg, SECTUN_SA_A_INTEG, a->integ->id);
		nla_put(msg, SECTUN_SA_A_INTEG_KEY, a->aklen, a->akey);
	}
	if (a->esn >= 0)
		nla_put_u8(msg, SECTUN_SA_A_ESN, a->esn);
	if (a->replay_window >= 0)
		nla_put_u32(msg, SECTUN_SA_A_REPLAY_WINDOW, a->replay_window);
	if (a->has_seq)
		nla_put_u64(msg, SECTUN_SA_A_SEQ, a->seq);
	if (a->standby)
		nla_put_u8(msg, SECTUN_SA_A_STANDBY, 1);
	if (a->n_policies == 1) {
		nla_put_u32(msg, SECTUN_SA_A_POLICY, a->policies[0]);
	} else if (a->n_policies) {
		struct nlattr *list = nla_nest_start(msg, SECTUN_SA_A_POLICIES);
		unsigned int k;

		for (k = 0; k < a->n_policies; k++)
			nla_put_u32(msg, SECTUN_SA_A_POLICY, a->policies[k]);
		nla_nest_end(msg, list);
	}
	put_lifetimes(msg, a);
}

static void fill_set(struct nl_msg *msg, const struct sa_args *a)
{
	fill_id(msg, a);
	put_lifetimes(msg, a);
	if (a->current)
		nla_put_u8(msg, SECTUN_SA_A_CURRENT, 1);
}

static int need_id(const char *cmd, const struct sa_args *a)
{
	if (a->dir < 0 || !a->has_spi)
		return cli_usage(cmd, "name the SA: in|out spi SPI");
	return 0;
}

static int sa_add(struct cli *cli, int argc, char **argv)
{
	struct sa_args a;
	int ret;

	sa_args_init(&a);
	if (argc < 2)
		return cli_usage("sa", "which device?");
	a.dev = argv[1];
	ret = parse_sa_args("sa", argc - 2, argv + 2, &a, "al");
	if (!ret)
		ret = need_id("sa", &a);
	if (!ret)
		ret = check_keys(&a);
	if (ret)
		return ret;
	ret = sa_request(cli, SECTUN_CMD_NEW_SA, a.dev, &a, fill_add);
	/* The keys were on our stack: leave nothing behind. */
	memset(a.ekey, 0, sizeof(a.ekey));
	memset(a.akey, 0, sizeof(a.akey));
	return ret;
}

static int sa_del_or_set(struct cli *cli, int argc, char **argv, bool set)
{
	struct sa_args a;
	int ret;

	sa_args_init(&a);
	if (argc < 2)
		return cli_usage("sa", "which device?");
	a.dev = argv[1];
	ret = parse_sa_args("sa", argc - 2, argv + 2, &a, set ? "lc" : "");
	if (!ret)
		ret = need_id("sa", &a);
	if (ret)
		return ret;
	return sa_request(cli, set ? SECTUN_CMD_SET_SA : SECTUN_CMD_DEL_SA,
			  a.dev, &a, set ? fill_set : fill_id);
}

static void fill_flush(struct nl_msg *msg, const struct sa_args *a)
{
	if (a->dir >= 0)
		nla_put_u8(msg, SECTUN_SA_A_DIR, a->dir);
}

/* ---- show ---------------------------------------------------------------- */

struct sa_info {
	char ifname[IF_NAMESIZE];
	uint32_t spi, replay_window, soft_secs, hard_secs;
	uint8_t dir, proto, mode, esn, icv, expired, current;
	uint16_t encr, integ, key_bits;
	uint64_t seq, age, life[4];
	uint64_t stats[__SECTUN_SA_STAT_MAX];
	bool has_reason;
	uint8_t reason;
	uint32_t policies[SECTUN_SA_MAX_POLICIES];
	unsigned int n_policies;
};

struct sa_list {
	struct sa_info *v;
	size_t n, cap;
};

/* SECTUN_SA_A_POLICIES, or from an older module SECTUN_SA_A_POLICY alone. */
static void parse_sa_policies(struct nlattr **tb, struct sa_info *s)
{
	struct nlattr *p;
	int rem;

	if (tb[SECTUN_SA_A_POLICIES]) {
		nla_for_each_nested(p, tb[SECTUN_SA_A_POLICIES], rem)
			if (nla_type(p) == SECTUN_SA_A_POLICY &&
			    s->n_policies < SECTUN_SA_MAX_POLICIES)
				s->policies[s->n_policies++] = sectun_nla_u32(p);
	} else if (sectun_nla_u32(tb[SECTUN_SA_A_POLICY])) {
		s->policies[s->n_policies++] = sectun_nla_u32(tb[SECTUN_SA_A_POLICY]);
	}
}

static void parse_sa_nest(struct nlattr **attrs, struct sa_info *s)
{
	struct nlattr *tb[SECTUN_SA_A_MAX + 1], *st;
	int rem, k;

	memset(s, 0, sizeof(*s));
	if (attrs[SECTUN_A_IFNAME])
		snprintf(s->ifname, sizeof(s->ifname), "%.*s",
			 nla_len(attrs[SECTUN_A_IFNAME]),
			 (char *)nla_data(attrs[SECTUN_A_IFNAME]));
	if (!attrs[SECTUN_A_SA] ||
	    nla_parse_nested(tb, SECTUN_SA_A_MAX, attrs[SECTUN_A_SA], NULL) < 0)
		return;
	s->spi = sectun_nla_u32(tb[SECTUN_SA_A_SPI]);
	s->dir = sectun_nla_u8(tb[SECTUN_SA_A_DIR]);
	s->proto = sectun_nla_u8(tb[SECTUN_SA_A_PROTO]);
	s->mode = sectun_nla_u8(tb[SECTUN_SA_A_MODE]);
	s->encr = sectun_nla_u16(tb[SECTUN_SA_A_ENCR]);
	s->integ = sectun_nla_u16(tb[SECTUN_SA_A_INTEG]);
	s->key_bits = sectun_nla_u16(tb[SECTUN_SA_A_ENCR_KEY_BITS]);
	s->esn = sectun_nla_u8(tb[SECTUN_SA_A_ESN]);
	s->icv = sectun_nla_u8(tb[SECTUN_SA_A_ICV_LEN]);
	s->expired = sectun_nla_u8(tb[SECTUN_SA_A_EXPIRED]);
	s->current = sectun_nla_u8(tb[SECTUN_SA_A_CURRENT]);
	s->replay_window = sectun_nla_u32(tb[SECTUN_SA_A_REPLAY_WINDOW]);
	s->seq = sectun_nla_u64(tb[SECTUN_SA_A_SEQ]);
	s->age = sectun_nla_u64(tb[SECTUN_SA_A_AGE]);
	for (k = 0; k < 4; k++)
		s->life[k] = sectun_nla_u64(tb[life_attrs[k]]);
	s->soft_secs = sectun_nla_u32(tb[SECTUN_SA_A_SOFT_SECONDS]);
	s->hard_secs = sectun_nla_u32(tb[SECTUN_SA_A_HARD_SECONDS]);
	parse_sa_policies(tb, s);
	s->has_reason = tb[SECTUN_SA_A_REASON] != NULL;
	s->reason = sectun_nla_u8(tb[SECTUN_SA_A_REASON]);
	if (tb[SECTUN_SA_A_STATS])
		nla_for_each_nested(st, tb[SECTUN_SA_A_STATS], rem)
			if (nla_type(st) < __SECTUN_SA_STAT_MAX)
				s->stats[nla_type(st)] = sectun_nla_u64(st);
}

static int collect_sa(const struct genlmsghdr *g, struct nlattr **attrs,
		      void *arg)
{
	struct sa_list *l = arg;

	(void)g;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct sa_info *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	parse_sa_nest(attrs, &l->v[l->n++]);
	return 0;
}

/* As Junos prints it: "aes-gcm-128/None", "aes-256-cbc/hmac-sha-256-128". */
static const char *sa_alg_name(const struct sa_info *s, char *buf, size_t len)
{
	const struct sectun_encr_alg *e = sectun_encr_by_id(s->encr, s->key_bits);
	const struct sectun_integ_alg *i = sectun_integ_by_id(s->integ);

	if (s->proto == IPPROTO_AH)
		snprintf(buf, len, "%s", i ? i->name : "?");
	else
		snprintf(buf, len, "%s/%s", e ? e->name : "?", i ? i->name : "None");
	return buf;
}

static const char *const reason_names[] = {
	"none", "bytes", "packets", "seconds", "sequence", "user", "device",
};

static const char *sa_reason_name(uint8_t r)
{
	return r < sizeof(reason_names) / sizeof(reason_names[0]) ?
	       reason_names[r] : "?";
}

static const char *limit(uint64_t v, char *buf, size_t len)
{
	if (!v)
		return "-";
	snprintf(buf, len, "%" PRIu64, v);
	return buf;
}

static void print_sa_text(const struct sa_info *s)
{
	char alg[64], b[4][24];
	unsigned int k;

	printf("%s: %s %s SA, SPI 0x%08x%s%s\n", s->ifname,
	       s->dir ? "outbound" : "inbound",
	       s->proto == IPPROTO_AH ? "AH" : "ESP", s->spi,
	       s->current ? ", current" : "",
	       s->expired == 2 ? ", expired" : s->expired == 1 ? ", soft-expired" : "");
	if (s->n_policies) {
		printf("  serves selector%s", s->n_policies > 1 ? "s" : "");
		for (k = 0; k < s->n_policies; k++)
			printf("%s%u", k ? ", " : " ", s->policies[k]);
		printf("\n");
	}
	printf("  algorithm: %s (ICV %u bytes), mode %s, ESN %s\n",
	       sa_alg_name(s, alg, sizeof(alg)), s->icv,
	       s->mode ? "transport" : "tunnel", s->esn ? "on" : "off");
	if (s->dir == SECTUN_DIR_IN)
		printf("  replay window: %u, highest sequence number: %" PRIu64 "\n",
		       s->replay_window, s->seq);
	else
		printf("  last sequence number sent: %" PRIu64 "\n", s->seq);
	printf("  lifetime: age %" PRIu64 " s; soft %s s / %s bytes / %s packets;",
	       s->age, limit(s->soft_secs, b[0], 24), limit(s->life[0], b[1], 24),
	       limit(s->life[2], b[2], 24));
	printf(" hard %s s / %s bytes / %s packets\n", limit(s->hard_secs, b[0], 24),
	       limit(s->life[1], b[1], 24), limit(s->life[3], b[2], 24));
	printf("  traffic: %" PRIu64 " packets, %" PRIu64 " bytes\n",
	       s->stats[SECTUN_SA_STAT_PACKETS], s->stats[SECTUN_SA_STAT_BYTES]);
	printf("  errors: %" PRIu64 " auth, %" PRIu64 " decrypt, %" PRIu64
	       " replay, %" PRIu64 " bad trailer, %" PRIu64 " TS check, %" PRIu64
	       " discarded\n",
	       s->stats[SECTUN_SA_STAT_AUTH_FAIL], s->stats[SECTUN_SA_STAT_DECRYPT_FAIL],
	       s->stats[SECTUN_SA_STAT_REPLAY_ERR], s->stats[SECTUN_SA_STAT_BAD_TRAILER],
	       s->stats[SECTUN_SA_STAT_TS_CHECK_FAIL], s->stats[SECTUN_SA_STAT_DISCARDED]);
}

static void sa_print_json(struct json *j, const struct sa_info *s)
{
	static const char *const stat_keys[] = {
		[SECTUN_SA_STAT_PACKETS] = "packets",
		[SECTUN_SA_STAT_BYTES] = "bytes",
		[SECTUN_SA_STAT_AUTH_FAIL] = "auth_failures",
		[SECTUN_SA_STAT_DECRYPT_FAIL] = "decryption_failures",
		[SECTUN_SA_STAT_REPLAY_ERR] = "replay_errors",
		[SECTUN_SA_STAT_BAD_TRAILER] = "bad_trailers",
		[SECTUN_SA_STAT_TS_CHECK_FAIL] = "ts_check_fail",
		[SECTUN_SA_STAT_DISCARDED] = "discarded",
	};
	char alg[64];
	unsigned int i;
	int k;

	json_obj_open(j);
	json_kv_str(j, "ifname", s->ifname);
	json_kv_str(j, "dir", s->dir ? "out" : "in");
	json_kv_u64(j, "spi", s->spi);
	json_kv_str(j, "proto", s->proto == IPPROTO_AH ? "ah" : "esp");
	json_kv_str(j, "mode", s->mode ? "transport" : "tunnel");
	json_kv_str(j, "algorithm", sa_alg_name(s, alg, sizeof(alg)));
	json_kv_u64(j, "encr", s->encr);
	json_kv_u64(j, "integ", s->integ);
	json_kv_u64(j, "icv_len", s->icv);
	json_kv_bool(j, "esn", s->esn);
	json_kv_u64(j, "seq", s->seq);
	if (s->dir == SECTUN_DIR_IN)
		json_kv_u64(j, "replay_window", s->replay_window);
	else
		json_kv_bool(j, "current", s->current);
	json_kv_str(j, "state", s->expired == 2 ? "expired" :
		    s->expired == 1 ? "soft-expired" : "active");
	json_kv_u64(j, "age", s->age);
	json_kv_u64(j, "policy", s->n_policies ? s->policies[0] : 0);
	json_key(j, "policies");
	json_arr_open(j);
	for (i = 0; i < s->n_policies; i++)
		json_u64(j, s->policies[i]);
	json_arr_close(j);
	json_kv_u64(j, "soft_bytes", s->life[0]);
	json_kv_u64(j, "hard_bytes", s->life[1]);
	json_kv_u64(j, "soft_packets", s->life[2]);
	json_kv_u64(j, "hard_packets", s->life[3]);
	json_kv_u64(j, "soft_seconds", s->soft_secs);
	json_kv_u64(j, "hard_seconds", s->hard_secs);
	if (s->has_reason)
		json_kv_str(j, "reason", sa_reason_name(s->reason));
	json_key(j, "stats");
	json_obj_open(j);
	for (k = SECTUN_SA_STAT_PACKETS; k < __SECTUN_SA_STAT_MAX; k++)
		json_kv_u64(j, stat_keys[k], s->stats[k]);
	json_obj_close(j);
	json_obj_close(j);
}

static void restart_sas(void *arg)
{
	((struct sa_list *)arg)->n = 0;
}

static int sa_show(struct cli *cli, int argc, char **argv)
{
	struct sa_list l = { 0 };
	struct nl_msg *msg;
	struct sa_args a;
	struct json j;
	size_t i;
	int err, ret = 0;

	sa_args_init(&a);
	if (argc >= 2) {
		a.dev = argv[1];
		ret = parse_sa_args("sa", argc - 2, argv + 2, &a, "");
		if (ret)
			return ret;
	}
	if (cli_nl(cli))
		return 1;
	/* One SA when named, else a dump (of one device or all). */
	if (a.has_spi && a.dir >= 0) {
		struct nlattr *nest;

		msg = sectun_nl_msg(&cli->nl, SECTUN_CMD_GET_SA, 0);
		if (msg && sectun_nl_put_dev(msg, a.dev) >= 0 &&
		    (nest = nla_nest_start(msg, SECTUN_A_SA))) {
			fill_id(msg, &a);
			nla_nest_end(msg, nest);
		}
	} else {
		msg = sectun_nl_msg(&cli->nl, SECTUN_CMD_GET_SA, NLM_F_DUMP);
		if (msg && a.dev)
			sectun_nl_put_dev(msg, a.dev);
	}
	if (!msg)
		return cli_nl_fail(cli, "sa show", -ENOMEM);
	err = sectun_nl_request(&cli->nl, msg, collect_sa, restart_sas, &l);
	nlmsg_free(msg);
	if (err) {
		free(l.v);
		return cli_nl_fail(cli, a.dev ? a.dev : "sa show", err);
	}
	if (cli->json) {
		json_init(&j, stdout);
		json_arr_open(&j);
	}
	for (i = 0; i < l.n; i++) {
		if (a.dir >= 0 && l.v[i].dir != a.dir)
			continue;
		if (cli->json) {
			sa_print_json(&j, &l.v[i]);
		} else {
			if (i)
				printf("\n");
			print_sa_text(&l.v[i]);
		}
	}
	if (cli->json)
		json_arr_close(&j);
	free(l.v);
	return ret;
}

int cmd_sa(struct cli *cli, int argc, char **argv)
{
	struct sa_args a;
	int ret;

	if (argc < 2)
		return sa_show(cli, 1, argv);
	if (!strcmp(argv[1], "add"))
		return sa_add(cli, argc - 1, argv + 1);
	if (!strcmp(argv[1], "del") || !strcmp(argv[1], "delete"))
		return sa_del_or_set(cli, argc - 1, argv + 1, false);
	if (!strcmp(argv[1], "set"))
		return sa_del_or_set(cli, argc - 1, argv + 1, true);
	if (!strcmp(argv[1], "show") || !strcmp(argv[1], "list"))
		return sa_show(cli, argc - 1, argv + 1);
	if (!strcmp(argv[1], "flush")) {
		sa_args_init(&a);
		if (argc < 3)
			return cli_usage("sa", "which device?");
		a.dev = argv[2];
		ret = parse_sa_args("sa", argc - 3, argv + 3, &a, "");
		if (ret)
			return ret;
		return sa_request(cli, SECTUN_CMD_FLUSH_SA, a.dev, &a, fill_flush);
	}
	return cli_usage("sa", "unknown sa command '%s'", argv[1]);
}

/* ---- monitor --------------------------------------------------------------- */

static int print_acquire(struct cli *cli, struct nlattr **attrs)
{
	struct policy_info pol, flow;
	char sel[300];
	const char *dev = attrs[SECTUN_A_IFNAME] ?
			  nla_get_string(attrs[SECTUN_A_IFNAME]) : "?";
	struct json j;

	policy_parse(attrs[SECTUN_A_POLICY], &pol);
	policy_parse(attrs[SECTUN_A_FLOW], &flow);
	if (cli->json) {
		json_init(&j, stdout);
		json_obj_open(&j);
		json_kv_str(&j, "event", "acquire");
		json_kv_str(&j, "ifname", dev);
		json_key(&j, "policy");
		if (attrs[SECTUN_A_POLICY])
			policy_json(&j, &pol);
		else
			json_null(&j);
		json_key(&j, "flow");
		policy_json(&j, &flow);
		json_obj_close(&j);
	} else {
		printf("acquire %s", dev);
		if (attrs[SECTUN_A_POLICY])
			printf(" selector %u", pol.index);
		printf(" %s\n", policy_selector_text(&flow, sel, sizeof(sel)));
	}
	fflush(stdout);
	return 0;
}

static int print_event(const struct genlmsghdr *g, struct nlattr **attrs,
		       void *arg)
{
	struct cli *cli = arg;
	struct sa_info s;
	const char *what;
	struct json j;

	if (g->cmd == SECTUN_CMD_ACQUIRE)
		return print_acquire(cli, attrs);
	parse_sa_nest(attrs, &s);
	switch (g->cmd) {
	case SECTUN_CMD_EXPIRE:
		what = s.expired == 2 ? "expire hard" : "expire soft";
		break;
	case SECTUN_CMD_DEL_SA:
		what = "delete";
		break;
	default:
		return 0;
	}
	if (cli->json) {
		json_init(&j, stdout);
		json_obj_open(&j);
		json_kv_str(&j, "event", what);
		json_key(&j, "sa");
		sa_print_json(&j, &s);
		json_obj_close(&j);
	} else {
		printf("%s %s %s %s spi 0x%08x reason %s\n", what, s.ifname,
		       s.dir ? "out" : "in", s.proto == IPPROTO_AH ? "ah" : "esp",
		       s.spi, sa_reason_name(s.reason));
	}
	fflush(stdout);
	return 0;
}

int cmd_monitor(struct cli *cli, int argc, char **argv)
{
	int err;

	(void)argv;
	if (argc > 1)
		return cli_usage("monitor", "monitor takes no arguments");
	if (cli_nl(cli))
		return 1;
	err = sectun_nl_listen(&cli->nl, print_event, cli);
	return cli_nl_fail(cli, "monitor", err);
}
