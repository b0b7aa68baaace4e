// SPDX-License-Identifier: GPL-2.0
/*
 * Reading iked.conf with libconfig. Every value is checked here, with an
 * error naming the setting and its line, so that the daemon never starts
 * on a half-understood configuration.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "pki/cert.h"
#include "config.h"
#include "ikev1/offer.h"
#include "ikev2/ikev2.h"
#include "log.h"
#include "parse.h"
#include "proposal.h"

struct conf_ctx {
	char *err;
	size_t errlen;
};

static int conf_fail(struct conf_ctx *c, const config_setting_t *s,
		     const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int conf_fail(struct conf_ctx *c, const config_setting_t *s,
		     const char *fmt, ...)
{
	int n = 0;
	va_list ap;

	if (s && config_setting_source_line(s))
		n = snprintf(c->err, c->errlen, "line %u: ",
			     config_setting_source_line(s));
	if (n < 0 || (size_t)n >= c->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

void iked_ts_any(struct ike_ts *ts, int family)
{
	memset(ts, 0, sizeof(*ts));
	ts->end_port = 0xffff;
	if (family == AF_INET) {
		ts->type = IKE_TS_IPV4_ADDR_RANGE;
		memset(ts->end_addr, 0xff, 4);
	} else {
		ts->type = IKE_TS_IPV6_ADDR_RANGE;
		memset(ts->end_addr, 0xff, 16);
	}
}

/* Which settings a group may hold, and of what type (libconfig's). */
#define T_STR	(1 << CONFIG_TYPE_STRING)
#define T_INT	(1 << CONFIG_TYPE_INT | 1 << CONFIG_TYPE_INT64)
#define T_BOOL	(1 << CONFIG_TYPE_BOOL)
#define T_LIST	(1 << CONFIG_TYPE_LIST | 1 << CONFIG_TYPE_ARRAY)
#define T_GROUP	(1 << CONFIG_TYPE_GROUP)

struct known_setting {
	const char *name;
	unsigned int types;
};

static const struct known_setting root_settings[] = {
	{ "control-socket", T_STR }, { "log-level", T_STR }, { "user", T_STR },
	{ "rekey-jitter", T_INT }, { "rekey-align", T_BOOL }, { "gateways", T_LIST }, { "vpns", T_LIST }, { "limits", T_GROUP }, { NULL, 0 },
};

static const struct known_setting limit_settings[] = {
	{ "setup-timeout", T_INT }, { "half-open-max", T_INT },
	{ "half-open-per-address", T_INT }, { "cookie-threshold", T_INT },
	{ "cookie-threshold-per-address", T_INT }, { "respond-bad-spi", T_INT },
	{ "child-sas", T_INT }, { "queued-exchanges", T_INT },
	{ "ike-sas-per-gateway", T_INT }, { NULL, 0 },
};

static const struct known_setting gateway_settings[] = {
	{ "name", T_STR }, { "address", T_STR }, { "port", T_INT },
	{ "local-address", T_STR }, { "version", T_INT }, { "mode", T_STR },
	{ "proposals", T_STR | T_LIST }, { "lifetime", T_INT },
	{ "fragmentation", T_BOOL }, { "retransmit-timeout-ms", T_INT },
	{ "reauth-frequency", T_INT }, { "dpd", T_GROUP },
	{ "nat-traversal", T_BOOL | T_STR }, { "nat-keepalive", T_INT },
	{ "fragmentation-size", T_INT }, { "retransmit-tries", T_INT }, { "local-id", T_STR }, { "remote-id", T_STR },
	{ "auth", T_STR }, { "psk", T_STR }, { "psk-hex", T_STR },
	{ "certificate", T_STR }, { "certificate-chain", T_STR },
	{ "private-key", T_STR }, { "ca", T_STR }, { "rsa-pss", T_BOOL },
	{ NULL, 0 },
};

static const struct known_setting dpd_settings[] = {
	{ "mode", T_STR }, { "interval", T_INT }, { "threshold", T_INT }, { NULL, 0 },
};

static const struct known_setting vpn_settings[] = {
	{ "name", T_STR }, { "gateway", T_STR }, { "bind-interface", T_STR },
	{ "protocol", T_STR }, { "proposals", T_STR | T_LIST },
	{ "establish-tunnels", T_STR }, { "lifetime", T_INT },
	{ "lifetime-kilobytes", T_INT }, { "replay-window", T_INT },
	{ "traffic-selectors", T_LIST }, { NULL, 0 },
};

static const struct known_setting selector_settings[] = {
	{ "local", T_STR }, { "remote", T_STR }, { "protocol", T_STR },
	{ "local-port", T_STR }, { "remote-port", T_STR }, { NULL, 0 },
};

/* A misspelt or mistyped setting is an error, not a silent default. */
static int check_known(struct conf_ctx *c, const config_setting_t *s,
		       const struct known_setting *known, const char *what)
{
	const struct known_setting *k;
	config_setting_t *m;
	const char *name;
	int i;

	if (!config_setting_is_group(s))
		return conf_fail(c, s, "a %s is a group { ... }", what);
	for (i = 0; (m = config_setting_get_elem(s, i)); i++) {
		name = config_setting_name(m);
		for (k = known; k->name && strcmp(k->name, name); k++)
			;
		if (!k->name)
			return conf_fail(c, m, "unknown %s setting '%s'", what, name);
		if (!(k->types & 1u << config_setting_type(m)))
			return conf_fail(c, m, "%s: wrong type (%s expected)", name,
					 k->types & T_STR ? "a string" :
					 k->types & T_INT ? "a number" :
					 k->types & T_BOOL ? "true or false" :
					 k->types & T_GROUP ? "a group { ... }" : "a list");
	}
	return 0;
}

static const char *get_string(const config_setting_t *s, const char *name)
{
	const char *v = NULL;

	if (!config_setting_lookup_string(s, name, &v))
		return NULL;
	return v;
}

static int get_u32(struct conf_ctx *c, const config_setting_t *s,
		   const char *name, uint32_t min, uint32_t max, uint32_t *out)
{
	const config_setting_t *m = config_setting_get_member(s, name);
	long long v;

	if (!m)
		return 0;
	if (config_setting_type(m) != CONFIG_TYPE_INT &&
	    config_setting_type(m) != CONFIG_TYPE_INT64)
		return conf_fail(c, m, "%s: a number is needed", name);
	v = config_setting_get_int64(m);
	if (v < min || v > max)
		return conf_fail(c, m, "%s: %lld is out of range %u-%u",
				 name, v, min, max);
	*out = v;
	return 0;
}

static int get_bool(struct conf_ctx *c, const config_setting_t *s,
		    const char *name, bool *out)
{
	const config_setting_t *m = config_setting_get_member(s, name);

	if (!m)
		return 0;
	if (config_setting_type(m) != CONFIG_TYPE_BOOL)
		return conf_fail(c, m, "%s: true or false", name);
	*out = config_setting_get_bool(m);
	return 0;
}

static int copy_string(struct conf_ctx *c, const config_setting_t *s,
		       const char *name, char *out, size_t size, bool required)
{
	const config_setting_t *m = config_setting_get_member(s, name);
	const char *v;

	if (!m) {
		if (required)
			return conf_fail(c, s, "'%s' is required", name);
		return 0;
	}
	v = config_setting_get_string(m);
	if (!v)
		return conf_fail(c, m, "%s: a string is needed", name);
	if (strlen(v) >= size)
		return conf_fail(c, m, "%s: longer than %zu characters",
				 name, size - 1);
	strcpy(out, v);
	return 0;
}

/* An address with an optional port, into a sockaddr. */
static int get_addr(struct conf_ctx *c, const config_setting_t *s,
		    const char *name, uint16_t port, bool required,
		    struct sockaddr_storage *ss)
{
	const char *v = get_string(s, name);
	union inet_addr a;
	int family;

	if (!v) {
		if (required)
			return conf_fail(c, s, "'%s' is required", name);
		return 0;
	}
	if (parse_ip(v, &family, &a))
		return conf_fail(c, config_setting_get_member(s, name),
				 "%s: '%s' is not an IP address", name, v);
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_addr = a.v4;
		sin->sin_port = htons(port);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = a.v6;
		sin6->sin6_port = htons(port);
	}
	return 0;
}

/* "proposals": one string or a list of them; keyword strings or set names. */
static int get_proposals(struct conf_ctx *c, const config_setting_t *s,
			 enum ike_prop_kind kind, const char *dflt,
			 struct ike_sa_offer *offer, char *text, size_t tsize)
{
	const config_setting_t *m = config_setting_get_member(s, "proposals");
	const char *strs[IKE_MAX_PROPOSALS];
	char perr[256];
	unsigned int n = 0, i;
	size_t used = 0;

	if (!m) {
		strs[n++] = dflt;
	} else if (config_setting_type(m) == CONFIG_TYPE_STRING) {
		strs[n++] = config_setting_get_string(m);
	} else if (config_setting_is_aggregate(m)) {
		for (i = 0; i < (unsigned int)config_setting_length(m); i++) {
			const char *v = config_setting_get_string_elem(m, i);

			if (!v)
				return conf_fail(c, m, "proposals: strings only");
			if (n == IKE_MAX_PROPOSALS)
				return conf_fail(c, m, "proposals: at most %d",
						 IKE_MAX_PROPOSALS);
			strs[n++] = v;
		}
	} else {
		return conf_fail(c, m, "proposals: a string or a list of strings");
	}
	if (!n)
		return conf_fail(c, m, "proposals: empty");
	if (ike_proposals_parse(kind, strs, n, offer, perr, sizeof(perr)))
		return conf_fail(c, m ? m : s, "proposals: %s", perr);
	text[0] = 0;
	for (i = 0; i < n && used < tsize; i++)
		used += snprintf(text + used, tsize - used, "%s%s",
				 i ? ", " : "", strs[i]);
	return 0;
}

static int get_id(struct conf_ctx *c, const config_setting_t *s,
		  const char *name, struct ike_id *id)
{
	const char *v = get_string(s, name);

	if (!v)
		return 0;
	if (!strcmp(v, "%any")) {	/* whoever the authentication proves */
		memset(id, 0, sizeof(*id));
		return 0;
	}
	if (ike_id_from_string(v, id))
		return conf_fail(c, config_setting_get_member(s, name),
				 "%s: cannot make an identity of '%s'", name, v);
	return 0;
}

/* An address as an IKE ID: the default identity is the local address. */
static void id_from_addr(const struct sockaddr_storage *ss, struct ike_id *id)
{
	memset(id, 0, sizeof(*id));
	if (ss->ss_family == AF_INET) {
		id->type = IKE_ID_IPV4_ADDR;
		id->len = 4;
		memcpy(id->data, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	} else if (ss->ss_family == AF_INET6) {
		id->type = IKE_ID_IPV6_ADDR;
		id->len = 16;
		memcpy(id->data, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
	}
}

static int hex_value(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static int get_psk(struct conf_ctx *c, const config_setting_t *s,
		   struct iked_gateway *gw)
{
	const char *text = get_string(s, "psk"), *hex = get_string(s, "psk-hex");
	size_t i, n;

	if (!!text == !!hex)
		return conf_fail(c, s, "auth psk: give exactly one of psk and psk-hex");
	if (text) {
		n = strlen(text);
		if (n < 1 || n > IKED_PSK_MAX)
			return conf_fail(c, s, "psk: 1 to %d characters", IKED_PSK_MAX);
		memcpy(gw->psk, text, n);
		gw->psk_len = n;
		return 0;
	}
	if (!strncmp(hex, "0x", 2))
		hex += 2;
	n = strlen(hex);
	if (!n || n % 2 || n / 2 > IKED_PSK_MAX)
		return conf_fail(c, s, "psk-hex: an even number of hex digits, at most %d bytes",
				 IKED_PSK_MAX);
	for (i = 0; i < n / 2; i++) {
		int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return conf_fail(c, s, "psk-hex: not hex");
		gw->psk[i] = hi << 4 | lo;
	}
	gw->psk_len = n / 2;
	return 0;
}

static const char *const dpd_modes[] = {
	[IKED_DPD_OFF] = "off", [IKED_DPD_OPTIMIZED] = "optimized",
	[IKED_DPD_PROBE_IDLE] = "probe-idle-tunnel", [IKED_DPD_ALWAYS] = "always-send", NULL,
};

const char *iked_dpd_mode_name(enum iked_dpd_mode mode)
{
	return mode <= IKED_DPD_ALWAYS ? dpd_modes[mode] : "?";
}

/* The "dpd" group: present means on, optimized every 10 s, 5 probes (Junos). */
static int load_dpd(struct conf_ctx *c, const config_setting_t *s, struct iked_dpd *dpd)
{
	const char *mode;
	int k;

	*dpd = (struct iked_dpd){ .mode = IKED_DPD_OFF, .interval = 10, .threshold = 5 };
	if (!s)
		return 0;
	dpd->mode = IKED_DPD_OPTIMIZED;
	mode = get_string(s, "mode");
	if (mode) {
		k = parse_keyword(mode, dpd_modes);
		if (k < 0)
			return conf_fail(c, config_setting_get_member(s, "mode"),
					 "dpd mode: optimized, probe-idle-tunnel, always-send "
					 "or off");
		dpd->mode = k;
	}
	return check_known(c, s, dpd_settings, "dpd") ?:
	       get_u32(c, s, "interval", 2, 60, &dpd->interval) ?:
	       get_u32(c, s, "threshold", 1, 5, &dpd->threshold);
}

/* "nat-traversal": true (detect, the default), false, or "force". */
static int get_natt(struct conf_ctx *c, const config_setting_t *s, enum iked_natt *natt)
{
	const config_setting_t *m = config_setting_get_member(s, "nat-traversal");

	*natt = IKED_NATT_ON;
	if (!m)
		return 0;
	if (config_setting_type(m) == CONFIG_TYPE_BOOL) {
		*natt = config_setting_get_bool(m) ? IKED_NATT_ON : IKED_NATT_OFF;
		return 0;
	}
	if (strcmp(config_setting_get_string(m), "force"))
		return conf_fail(c, m, "nat-traversal: true, false or \"force\"");
	*natt = IKED_NATT_FORCE;
	return 0;
}

/* "address": an IP address, or "%any" for a responder that knows the peer by its ID. */
static int get_peer_addr(struct conf_ctx *c, const config_setting_t *s, uint16_t port,
			 struct sockaddr_storage *peer)
{
	const char *v = get_string(s, "address");

	if (v && !strcmp(v, "%any")) {
		memset(peer, 0, sizeof(*peer));
		return 0;
	}
	return get_addr(c, s, "address", port, true, peer);
}

/* What IKEv1 can say of a gateway's settings (iked.conf.rst, "IKEv1"). */
static int check_ikev1_gateway(struct conf_ctx *c, const config_setting_t *s,
			       struct iked_gateway *gw)
{
	const char *mode = get_string(s, "mode"), *auth;
	char why[256];

	if (mode && strcmp(mode, "main") && strcmp(mode, "aggressive"))
		return conf_fail(c, config_setting_get_member(s, "mode"),
				 "mode: main or aggressive");
	if (mode && !strcmp(mode, "aggressive") && ike_offer_dh_groups(&gw->proposals) != 1)
		return conf_fail(c, s, "gateway %s: aggressive mode cannot negotiate the DH group: "
				 "use the same group in all proposals", gw->name);
	auth = get_string(s, "auth");
	if (auth && !strcmp(auth, "certificate") && mode && !strcmp(mode, "aggressive"))
		return conf_fail(c, config_setting_get_member(s, "auth"),
				 "gateway %s: IKEv1 aggressive mode with certificates is not "
				 "implemented (main mode with certificates is)", gw->name);
	if (ikev1_p1_unusable(&gw->proposals, why, sizeof(why)))
		return conf_fail(c, s, "gateway %s: proposals: %s", gw->name, why);
	gw->aggressive = mode && !strcmp(mode, "aggressive");
	if (gw->aggressive)
		log_warn("gateway %s: aggressive mode with a pre-shared key: its second message "
			 "lets an eavesdropper test guesses of the key offline; use a long random "
			 "key", gw->name);
	return 0;
}

/*
 * "%any" gateways: the first answers every IKE_SA_INIT from an unknown
 * address, and IKE_AUTH's identity then picks one, so each must name
 * one identity of its own (a wildcard would let any holder of the
 * credentials take another's tunnel), and what IKE_SA_INIT settled
 * (NAT traversal, fragmentation) must hold for all of them.
 */
static int any_gateways_agree(struct conf_ctx *c, const config_setting_t *gws,
			      const struct iked_config *cfg)
{
	const struct iked_gateway *first = NULL, *g, *h;
	unsigned int i, k;

	for (i = 0; i < cfg->n_gw; i++) {
		g = &cfg->gw[i];
		if (!iked_gateway_any(g))
			continue;
		if (!g->remote_id.type)
			return conf_fail(c, config_setting_get_elem(gws, i),
					 "gateway %s: address %%any needs a remote-id other than "
					 "%%any", g->name);
		if (!first) {
			first = g;
			continue;
		}
		if (g->natt != first->natt || g->fragmentation != first->fragmentation ||
		    g->fragmentation_size != first->fragmentation_size)
			return conf_fail(c, config_setting_get_elem(gws, i),
					 "gateways %s and %s (address %%any) differ in "
					 "nat-traversal or fragmentation", first->name, g->name);
		for (k = 0; k < i; k++) {
			h = &cfg->gw[k];
			if (iked_gateway_any(h) && ike_id_equal(&h->remote_id, &g->remote_id))
				return conf_fail(c, config_setting_get_elem(gws, i),
						 "gateways %s and %s (address %%any) have the "
						 "same remote-id", h->name, g->name);
		}
	}
	return 0;
}

static int load_gateway(struct conf_ctx *c, const config_setting_t *s,
			struct iked_gateway *gw)
{
	static const char *const auths[] = { "psk", "certificate", NULL };
	const char *auth;
	uint32_t version = 2, port = IKE_PORT;
	int err, k;

	gw->lifetime = 28800;
	gw->fragmentation = true;
	gw->nat_keepalive = IKED_NAT_KEEPALIVE;
	gw->retransmit_base_ms = 500;
	gw->retransmit_tries = 5;
	err = check_known(c, s, gateway_settings, "gateway") ?:
	      copy_string(c, s, "name", gw->name, sizeof(gw->name), true) ?:
	      get_u32(c, s, "port", 1, 65535, &port) ?:
	      get_peer_addr(c, s, port, &gw->peer) ?:
	      get_addr(c, s, "local-address", IKE_PORT, false, &gw->local) ?:
	      get_u32(c, s, "version", 1, 2, &version) ?:
	      get_proposals(c, s, IKE_PROP_IKE, version == 1 ? "aes256-sha384-ecp384" :
			    "aes256gcm16-prfsha384-ecp384",
			    &gw->proposals, gw->proposal_text,
			    sizeof(gw->proposal_text)) ?:
	      get_u32(c, s, "lifetime", IKED_LIFETIME_MIN, 86400, &gw->lifetime) ?:
	      get_u32(c, s, "reauth-frequency", 0, 100, &gw->reauth_frequency) ?:
	      load_dpd(c, config_setting_get_member(s, "dpd"), &gw->dpd) ?:
	      get_natt(c, s, &gw->natt) ?:
	      get_u32(c, s, "nat-keepalive", 1, 300, &gw->nat_keepalive) ?:
	      get_bool(c, s, "fragmentation", &gw->fragmentation) ?:
	      get_u32(c, s, "fragmentation-size", IKED_FRAG_SIZE_MIN, IKED_FRAG_SIZE_MAX,
		      &gw->fragmentation_size) ?:
	      get_u32(c, s, "retransmit-timeout-ms", 100, 60000,
		      &gw->retransmit_base_ms) ?:
	      get_u32(c, s, "retransmit-tries", 0, 20, &gw->retransmit_tries);
	if (err)
		return err;
	gw->version = version;
	err = version == 1 ? check_ikev1_gateway(c, s, gw) : 0;
	if (err)
		return err;
	if (version != 1 && config_setting_get_member(s, "mode"))
		return conf_fail(c, config_setting_get_member(s, "mode"),
				 "gateway %s: mode (main or aggressive) is an IKEv1 setting",
				 gw->name);
	if (gw->local.ss_family && gw->peer.ss_family &&
	    gw->local.ss_family != gw->peer.ss_family)
		return conf_fail(c, s, "gateway %s: local-address and address differ in family",
				 gw->name);
	if (iked_gateway_any(gw) && !config_setting_get_member(s, "remote-id"))
		return conf_fail(c, s, "gateway %s: address %%any needs a remote-id", gw->name);
	id_from_addr(gw->local.ss_family ? &gw->local : &gw->peer, &gw->local_id);
	if (!gw->local.ss_family)
		gw->local_id.type = 0;	/* filled in from the address used */
	id_from_addr(&gw->peer, &gw->remote_id);
	err = get_id(c, s, "local-id", &gw->local_id) ?:
	      get_id(c, s, "remote-id", &gw->remote_id);
	if (err)
		return err;
	auth = get_string(s, "auth");
	k = auth ? parse_keyword(auth, auths) : 0;
	if (k < 0)
		return conf_fail(c, config_setting_get_member(s, "auth"),
				 "auth: psk or certificate");
	gw->auth = k ? IKED_AUTH_CERT : IKED_AUTH_PSK;
	if (gw->auth == IKED_AUTH_PSK)
		return get_psk(c, s, gw);
	err = copy_string(c, s, "certificate", gw->cert, sizeof(gw->cert), true) ?:
	      copy_string(c, s, "certificate-chain", gw->chain, sizeof(gw->chain), false) ?:
	      copy_string(c, s, "private-key", gw->key, sizeof(gw->key), true) ?:
	      copy_string(c, s, "ca", gw->ca, sizeof(gw->ca), true) ?:
	      get_bool(c, s, "rsa-pss", &gw->rsa_pss);
	if (err)
		return err;
	if (ike_local_cert_load(gw->cert, gw->chain[0] ? gw->chain : NULL, gw->key,
				&gw->local_cert))
		return conf_fail(c, s, "gateway %s: %s", gw->name, ike_cert_error());
	gw->ca_store = ike_cert_store_new();
	if (!gw->ca_store || ike_cert_store_add_ca_path(gw->ca_store, gw->ca))
		return conf_fail(c, s, "gateway %s: ca %s: %s", gw->name, gw->ca,
				 ike_cert_error());
	return 0;
}

/* The "limits" group; every value has a default (Documentation/iked.conf.rst). */
static int load_limits(struct conf_ctx *c, const config_setting_t *s,
		       struct iked_limits *l)
{
	*l = (struct iked_limits){
		.setup_timeout = 30,
		.half_open_max = 4096,
		.half_open_per_address = 128,
		.cookie_threshold = 32,
		.cookie_threshold_per_address = 8,
		.respond_bad_spi = 5,
		.child_sas = 512,
		.queued_exchanges = 64,
		.ike_sas_per_gateway = 256,
	};
	if (!s)
		return 0;
	return check_known(c, s, limit_settings, "limits") ?:
	       get_u32(c, s, "setup-timeout", 2, 600, &l->setup_timeout) ?:
	       get_u32(c, s, "half-open-max", 1, 1000000, &l->half_open_max) ?:
	       get_u32(c, s, "half-open-per-address", 1, 1000000, &l->half_open_per_address) ?:
	       get_u32(c, s, "cookie-threshold", 0, 1000000, &l->cookie_threshold) ?:
	       get_u32(c, s, "cookie-threshold-per-address", 0, 1000000,
		       &l->cookie_threshold_per_address) ?:
	       get_u32(c, s, "respond-bad-spi", 0, 30, &l->respond_bad_spi) ?:
	       get_u32(c, s, "child-sas", 1, 100000, &l->child_sas) ?:
	       get_u32(c, s, "queued-exchanges", 4, 1024, &l->queued_exchanges) ?:
	       get_u32(c, s, "ike-sas-per-gateway", 1, 1000000, &l->ike_sas_per_gateway);
}

static int range_to_ts(const struct inet_range *r, struct ike_ts *ts)
{
	size_t alen = r->family == AF_INET ? 4 : 16;

	memset(ts, 0, sizeof(*ts));
	ts->type = r->family == AF_INET ? IKE_TS_IPV4_ADDR_RANGE :
					  IKE_TS_IPV6_ADDR_RANGE;
	memcpy(ts->start_addr, &r->start, alen);
	memcpy(ts->end_addr, &r->end, alen);
	return 0;
}

/* "10.1.0.0/24" or "10.1.0.0/24, 10.2.0.0/24": one side of an entry. */
static int parse_side(struct conf_ctx *c, const config_setting_t *s, const char *what,
		      const char *text, struct ike_ts_set *set)
{
	char buf[1024], *tok, *next;
	struct inet_range r;
	unsigned int i;
	size_t len;

	if (strlen(text) >= sizeof(buf))
		return conf_fail(c, s, "%s: too long", what);
	strcpy(buf, text);
	memset(set, 0, sizeof(*set));
	for (tok = buf; tok; tok = next) {
		next = strchr(tok, ',');
		if (next)
			*next++ = 0;
		tok += strspn(tok, " \t");
		len = strlen(tok);
		while (len && (tok[len - 1] == ' ' || tok[len - 1] == '\t'))
			tok[--len] = 0;
		if (!len)
			return conf_fail(c, s, "%s: an empty range in '%s'", what, text);
		if (strpbrk(tok, " \t") || parse_range(tok, &r))
			return conf_fail(c, s, "%s: '%s' is not a prefix or range", what, tok);
		if (set->n == IKE_CHILD_MAX_TS)
			return conf_fail(c, s, "%s: at most %d ranges", what, IKE_CHILD_MAX_TS);
		range_to_ts(&r, &set->ts[set->n]);
		set->ts[set->n].end_port = 0xffff;
		for (i = 0; i < set->n; i++)
			if (ike_ts_equal(&set->ts[i], &set->ts[set->n]))
				return conf_fail(c, s, "%s: '%s' is listed twice", what, tok);
		set->n++;
	}
	return 0;
}

/* Protocol and ports, the same for every range of a side. */
static int set_side_ports(struct conf_ctx *c, const config_setting_t *s, const char *what,
			  const char *ports, uint8_t ip_proto, struct ike_ts_set *set)
{
	uint16_t lo = 0, hi = 0xffff;
	unsigned int i;

	if (ports && parse_port_range(ports, &lo, &hi))
		return conf_fail(c, s, "%s: '%s' is not a port range", what, ports);
	for (i = 0; i < set->n; i++) {
		set->ts[i].ip_proto = ip_proto;
		set->ts[i].start_port = lo;
		set->ts[i].end_port = hi;
	}
	return 0;
}

static int load_selector(struct conf_ctx *c, const config_setting_t *s,
			 struct iked_selector *sel)
{
	const char *local = get_string(s, "local"), *remote = get_string(s, "remote");
	const char *proto = get_string(s, "protocol");
	const char *lport = get_string(s, "local-port"), *rport = get_string(s, "remote-port");
	struct ike_ts_pair pair;
	uint8_t ip_proto = 0;

	if (check_known(c, s, selector_settings, "traffic selector"))
		return -EINVAL;
	if (!local || !remote)
		return conf_fail(c, s, "a traffic selector needs local and remote");
	if (parse_side(c, s, "local", local, &sel->local) ||
	    parse_side(c, s, "remote", remote, &sel->remote))
		return -EINVAL;
	if (!ike_ts_pairs(&sel->local, &sel->remote, &pair, 1))
		return conf_fail(c, s, "local and remote have no address family in common");
	if (proto && parse_ip_proto(proto, &ip_proto))
		return conf_fail(c, s, "protocol: '%s' is not a protocol", proto);
	if (set_side_ports(c, s, "local-port", lport, ip_proto, &sel->local) ||
	    set_side_ports(c, s, "remote-port", rport, ip_proto, &sel->remote))
		return -EINVAL;
	return 0;
}

static int load_vpn(struct conf_ctx *c, struct iked_config *cfg,
		    const config_setting_t *s, struct iked_vpn *vpn)
{
	static const char *const establish[] = {
		"on-traffic", "immediately", "responder-only", "responder-only-no-rekey", NULL
	};
	static const char *const protocols[] = { "esp", "ah", NULL };
	const config_setting_t *sels;
	const char *gw, *v;
	unsigned int i;
	int err, k;

	vpn->lifetime = 3600;
	vpn->replay_window = 64;
	vpn->protocol = IKE_PROTO_ESP;
	err = check_known(c, s, vpn_settings, "vpn") ?:
	      copy_string(c, s, "name", vpn->name, sizeof(vpn->name), true) ?:
	      copy_string(c, s, "bind-interface", vpn->bind_if,
			  sizeof(vpn->bind_if), true) ?:
	      get_u32(c, s, "lifetime", IKED_LIFETIME_MIN, 86400, &vpn->lifetime) ?:
	      get_u32(c, s, "replay-window", 0, 65536, &vpn->replay_window);
	if (err)
		return err;
	gw = get_string(s, "gateway");
	if (!gw)
		return conf_fail(c, s, "vpn %s: 'gateway' is required", vpn->name);
	for (i = 0; i < cfg->n_gw && strcmp(cfg->gw[i].name, gw); i++)
		;
	if (i == cfg->n_gw)
		return conf_fail(c, s, "vpn %s: no gateway named '%s'", vpn->name, gw);
	vpn->gw = &cfg->gw[i];
	v = get_string(s, "protocol");
	if (v) {
		k = parse_keyword(v, protocols);
		if (k < 0)
			return conf_fail(c, s, "protocol: esp or ah");
		vpn->protocol = k ? IKE_PROTO_AH : IKE_PROTO_ESP;
	}
	err = get_proposals(c, s, vpn->protocol == IKE_PROTO_AH ? IKE_PROP_AH : IKE_PROP_ESP,
			    vpn->protocol == IKE_PROTO_AH ? "sha256" : "aes256gcm16",
			    &vpn->proposals, vpn->proposal_text,
			    sizeof(vpn->proposal_text));
	if (err)
		return err;
	if (vpn->gw->version == 1) {
		char why[256];

		if (ikev1_p2_unusable(&vpn->proposals, why, sizeof(why)))
			return conf_fail(c, s, "vpn %s: proposals: %s", vpn->name, why);
		/* Quick mode carries one KE: one PFS group for all, or none at all. */
		if (ike_offer_dh_groups(&vpn->proposals) > 1 ||
		    (ike_offer_dh_groups(&vpn->proposals) == 1 &&
		     !ike_offer_all_have_dh(&vpn->proposals)))
			return conf_fail(c, s, "vpn %s: proposals: IKEv1 quick mode sends one KE: "
					 "give every proposal the same PFS group, or none",
					 vpn->name);
	}
	v = get_string(s, "establish-tunnels");
	if (v) {
		k = parse_keyword(v, establish);
		if (k < 0)
			return conf_fail(c, s, "establish-tunnels: on-traffic, immediately, responder-only or responder-only-no-rekey");
		vpn->establish = k;
	} else if (iked_gateway_any(vpn->gw)) {
		vpn->establish = IKED_ESTABLISH_RESPONDER_ONLY;
	}
	if (iked_gateway_any(vpn->gw) && (vpn->establish == IKED_ESTABLISH_ON_TRAFFIC ||
					  vpn->establish == IKED_ESTABLISH_IMMEDIATELY))
		return conf_fail(c, s, "vpn %s: gateway %s has address %%any, so the VPN can only "
				 "respond (establish-tunnels responder-only)", vpn->name,
				 vpn->gw->name);
	{
		long long kb;

		if (config_setting_lookup_int64(s, "lifetime-kilobytes", &kb)) {
			if (kb < 64 || kb > 4294967294LL)
				return conf_fail(c, s, "lifetime-kilobytes: 64 to 4294967294");
			vpn->lifetime_kb = kb;
		}
	}
	sels = config_setting_get_member(s, "traffic-selectors");
	if (!sels)
		return 0;
	if (!config_setting_is_list(sels))
		return conf_fail(c, sels, "traffic-selectors: a list ( {...}, ... )");
	if (config_setting_length(sels) > IKE_MAX_TS)
		return conf_fail(c, sels, "traffic-selectors: at most %d", IKE_MAX_TS);
	for (i = 0; i < (unsigned int)config_setting_length(sels); i++) {
		err = load_selector(c, config_setting_get_elem(sels, i),
				    &vpn->sel[vpn->n_sel]);
		if (err)
			return err;
		/* A proxy ID is one address, subnet or range a side. */
		if (vpn->gw->version == 1 && (vpn->sel[vpn->n_sel].local.n != 1 ||
					      vpn->sel[vpn->n_sel].remote.n != 1))
			return conf_fail(c, config_setting_get_elem(sels, i),
					 "vpn %s: an IKEv1 proxy ID has one range a side",
					 vpn->name);
		vpn->n_sel++;
	}
	return 0;
}

static int load_list(struct conf_ctx *c, config_t *lc, const char *name,
		     const config_setting_t **list, unsigned int *n)
{
	*list = config_lookup(lc, name);
	*n = 0;
	if (!*list)
		return 0;
	if (!config_setting_is_list(*list))
		return conf_fail(c, *list, "%s: a list ( {...}, ... )", name);
	*n = config_setting_length(*list);
	return 0;
}

static int unique_names(struct conf_ctx *c, const config_setting_t *list,
			const char *what, const char *(*name)(void *, unsigned int),
			void *arr, unsigned int n)
{
	unsigned int i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			if (!strcmp(name(arr, i), name(arr, j)))
				return conf_fail(c, config_setting_get_elem(list, i),
						 "two %ss named '%s'", what, name(arr, i));
	return 0;
}

static const char *gw_name(void *arr, unsigned int i)
{
	return ((struct iked_gateway *)arr)[i].name;
}

static const char *vpn_name(void *arr, unsigned int i)
{
	return ((struct iked_vpn *)arr)[i].name;
}

int iked_config_load(const char *path, struct iked_config *cfg,
		     char *err, size_t errlen)
{
	struct conf_ctx c = { .err = err, .errlen = errlen };
	const config_setting_t *gws, *vpns;
	unsigned int i, n_gw, n_vpn;
	config_t lc;
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->control, sizeof(cfg->control), "%s", IKED_DEFAULT_CONTROL);
	snprintf(cfg->log_level, sizeof(cfg->log_level), "info");
	cfg->rekey_jitter = 10;
	config_init(&lc);
	if (!config_read_file(&lc, path)) {
		if (config_error_type(&lc) == CONFIG_ERR_FILE_IO)
			snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		else
			snprintf(err, errlen, "%s:%d: %s", path,
				 config_error_line(&lc), config_error_text(&lc));
		config_destroy(&lc);
		return -EINVAL;
	}
	ret = check_known(&c, config_root_setting(&lc), root_settings, "top-level") ?:
	      copy_string(&c, config_root_setting(&lc), "control-socket",
			  cfg->control, sizeof(cfg->control), false) ?:
	      copy_string(&c, config_root_setting(&lc), "log-level",
			  cfg->log_level, sizeof(cfg->log_level), false) ?:
	      copy_string(&c, config_root_setting(&lc), "user",
			  cfg->user, sizeof(cfg->user), false) ?:
	      get_u32(&c, config_root_setting(&lc), "rekey-jitter", 0, 50,
		      &cfg->rekey_jitter) ?:
	      get_bool(&c, config_root_setting(&lc), "rekey-align", &cfg->rekey_align) ?:
	      load_limits(&c, config_lookup(&lc, "limits"), &cfg->limits) ?:
	      load_list(&c, &lc, "gateways", &gws, &n_gw) ?:
	      load_list(&c, &lc, "vpns", &vpns, &n_vpn);
	if (!ret && ike_log_level_parse(cfg->log_level, &(enum ike_log_level){ 0 }))
		ret = conf_fail(&c, config_lookup(&lc, "log-level"),
				"log-level: error, warning, info or debug");
	if (ret)
		goto out;
	cfg->gw = calloc(n_gw ?: 1, sizeof(*cfg->gw));
	cfg->vpn = calloc(n_vpn ?: 1, sizeof(*cfg->vpn));
	if (!cfg->gw || !cfg->vpn) {
		ret = conf_fail(&c, NULL, "out of memory");
		goto out;
	}
	for (i = 0; i < n_gw && !ret; i++, cfg->n_gw++)
		ret = load_gateway(&c, config_setting_get_elem(gws, i), &cfg->gw[i]);
	if (!ret)
		ret = unique_names(&c, gws, "gateway", gw_name, cfg->gw, cfg->n_gw) ?:
		      any_gateways_agree(&c, gws, cfg);
	for (i = 0; i < n_vpn && !ret; i++, cfg->n_vpn++)
		ret = load_vpn(&c, cfg, config_setting_get_elem(vpns, i), &cfg->vpn[i]);
	if (!ret)
		ret = unique_names(&c, vpns, "vpn", vpn_name, cfg->vpn, cfg->n_vpn);
out:
	config_destroy(&lc);
	if (ret) {
		/* Prefix the file name; the message already names the line. */
		char tmp[512];

		snprintf(tmp, sizeof(tmp), "%s: %s", path, err);
		snprintf(err, errlen, "%s", tmp);
		iked_config_free(cfg);
	}
	return ret;
}

void iked_config_free(struct iked_config *cfg)
{
	unsigned int i;

	for (i = 0; cfg->gw && i < cfg->n_gw; i++) {
		ike_local_cert_free(cfg->gw[i].local_cert);
		ike_cert_store_free(cfg->gw[i].ca_store);
	}
	if (cfg->gw)
		OPENSSL_cleanse(cfg->gw, sizeof(*cfg->gw) * (cfg->n_gw ?: 1));
	free(cfg->gw);
	free(cfg->vpn);
	memset(cfg, 0, sizeof(*cfg));
}

/* The same settings: everything but what was loaded from the files named. */
static bool gateway_same(const struct iked_gateway *a, const struct iked_gateway *b)
{
	struct iked_gateway x, y;
	bool same;

	memcpy(&x, a, sizeof(x));
	memcpy(&y, b, sizeof(y));
	x.local_cert = y.local_cert = NULL;
	x.ca_store = y.ca_store = NULL;
	same = !memcmp(&x, &y, sizeof(x));
	OPENSSL_cleanse(&x, sizeof(x));
	OPENSSL_cleanse(&y, sizeof(y));
	return same;
}

/* What a VPN holds at run time, none of it configuration. */
static void vpn_clear_state(struct iked_vpn *v)
{
	memset(v->last_error, 0, sizeof(v->last_error));
	memset(v->trap, 0, sizeof(v->trap));
	memset(v->trap_live, 0, sizeof(v->trap_live));
	v->last_try = 0;
	v->held_down = false;
	v->sas_created = v->sas_deleted = v->child_rekeys = 0;
	v->traps_set = false;
}

static void vpn_keep_state(struct iked_vpn *to, const struct iked_vpn *from)
{
	memcpy(to->last_error, from->last_error, sizeof(to->last_error));
	memcpy(to->trap, from->trap, sizeof(to->trap));
	memcpy(to->trap_live, from->trap_live, sizeof(to->trap_live));
	to->last_try = from->last_try;
	to->held_down = from->held_down;
	to->sas_created = from->sas_created;
	to->sas_deleted = from->sas_deleted;
	to->child_rekeys = from->child_rekeys;
	to->traps_set = from->traps_set;
}

/* The same settings, GW_TO being what A's gateway became. */
static bool vpn_same(const struct iked_vpn *a, const struct iked_vpn *b,
		     const struct iked_gateway *gw_to)
{
	struct iked_vpn x, y;

	if (!gw_to || gw_to != b->gw)
		return false;
	memcpy(&x, a, sizeof(x));
	memcpy(&y, b, sizeof(y));
	vpn_clear_state(&x);
	vpn_clear_state(&y);
	x.gw = y.gw = NULL;
	return !memcmp(&x, &y, sizeof(x));
}

int iked_config_map(const struct iked_config *from, struct iked_config *to,
		    struct iked_config_map *map)
{
	unsigned int i, k;

	map->from = from;
	map->gw = calloc(from->n_gw ?: 1, sizeof(*map->gw));
	map->vpn = calloc(from->n_vpn ?: 1, sizeof(*map->vpn));
	if (!map->gw || !map->vpn) {
		iked_config_map_free(map);
		return -1;
	}
	for (i = 0; i < from->n_gw; i++)
		for (k = 0; k < to->n_gw; k++)
			if (!strcmp(from->gw[i].name, to->gw[k].name) &&
			    gateway_same(&from->gw[i], &to->gw[k]))
				map->gw[i] = &to->gw[k];
	for (i = 0; i < from->n_vpn; i++) {
		struct iked_vpn *v = iked_config_vpn(to, from->vpn[i].name);

		if (v && vpn_same(&from->vpn[i], v, iked_map_gateway(map, from->vpn[i].gw))) {
			map->vpn[i] = v;
			vpn_keep_state(v, &from->vpn[i]);
		}
	}
	return 0;
}

void iked_config_map_free(struct iked_config_map *map)
{
	free(map->gw);
	free(map->vpn);
	map->gw = NULL;
	map->vpn = NULL;
}

struct iked_gateway *iked_map_gateway(const struct iked_config_map *map,
				      const struct iked_gateway *gw)
{
	if (!gw || gw < map->from->gw || gw >= map->from->gw + map->from->n_gw)
		return NULL;
	return map->gw[gw - map->from->gw];
}

struct iked_vpn *iked_map_vpn(const struct iked_config_map *map, const struct iked_vpn *vpn)
{
	if (!vpn || vpn < map->from->vpn || vpn >= map->from->vpn + map->from->n_vpn)
		return NULL;
	return map->vpn[vpn - map->from->vpn];
}

struct iked_vpn *iked_config_vpn(struct iked_config *cfg, const char *name)
{
	unsigned int i;

	for (i = 0; i < cfg->n_vpn; i++)
		if (!strcmp(cfg->vpn[i].name, name))
			return &cfg->vpn[i];
	return NULL;
}
