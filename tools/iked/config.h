/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /etc/sectun/iked.conf, read with libconfig into gateways (the IKE side:
 * peer, proposals, identities, authentication) and VPNs (the IPsec side:
 * the bound st interface, ESP/AH proposals, traffic selectors, when to
 * establish). Shaped like a Junos "security ike gateway" / "security ipsec
 * vpn" pair; Documentation/iked.conf.rst describes every setting.
 */
#ifndef SECTUN_IKED_CONFIG_H
#define SECTUN_IKED_CONFIG_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "types.h"
#include "ts.h"

struct ike_local_cert;
struct ike_cert_store;

#define IKED_NAME_MAX		64
#define IKED_PATH_MAX		256
#define IKED_PSK_MAX		255
#define IKED_DEFAULT_CONF	"/etc/sectun/iked.conf"
#define IKED_DEFAULT_CONTROL	"/run/sectun/iked.sock"

enum iked_auth_kind {
	IKED_AUTH_PSK,
	IKED_AUTH_CERT,
};

enum iked_establish {
	IKED_ESTABLISH_ON_TRAFFIC,	/* Junos default */
	IKED_ESTABLISH_IMMEDIATELY,
	IKED_ESTABLISH_RESPONDER_ONLY,
	IKED_ESTABLISH_RESPONDER_ONLY_NO_REKEY,	/* and never the one to rekey */
};

/*
 * Dead peer detection (Junos dead-peer-detection): an empty INFORMATIONAL
 * (RFC 7296 1.4) every interval when the mode says so, THRESHOLD of them
 * unanswered and the peer is dead.
 */
enum iked_dpd_mode {
	IKED_DPD_OFF,
	IKED_DPD_OPTIMIZED,	/* we sent traffic and received none */
	IKED_DPD_PROBE_IDLE,	/* we received none, whatever we sent */
	IKED_DPD_ALWAYS,	/* every interval */
};

struct iked_dpd {
	enum iked_dpd_mode mode;
	uint32_t interval;		/* s, 2-60 */
	uint32_t threshold;		/* probes, 1-5 */
};

/*
 * Lifetimes as short as this are for tests that want to see rekeys; Junos
 * takes 180 s at the least.
 */
#define IKED_LIFETIME_MIN	5

/* NAT traversal (RFC 7296 2.23, RFC 3948): Junos nat-traversal / no-nat-traversal. */
enum iked_natt {
	IKED_NATT_ON,		/* detect, and encapsulate when a NAT is found */
	IKED_NATT_OFF,		/* no NAT_DETECTION notifies, ESP never in UDP */
	IKED_NATT_FORCE,	/* ESP in UDP even without a NAT (strongSwan encap) */
};

#define IKED_NAT_KEEPALIVE	20	/* s, Junos */
#define IKED_FRAG_SIZE_MIN	570
#define IKED_FRAG_SIZE_MAX	1320

struct iked_gateway {
	char name[IKED_NAME_MAX];
	/*
	 * Port 500. "%any": ss_family 0, a responder-only gateway for peers
	 * whose address is not known (behind NATs), told apart by remote-id.
	 */
	struct sockaddr_storage peer;
	struct sockaddr_storage local;	/* ss_family 0: chosen by route */
	int version;			/* 2, or 1 (IKEv1) */
	bool aggressive;		/* IKEv1 phase 1 in aggressive mode, else main */
	struct ike_sa_offer proposals;
	char proposal_text[512];	/* as configured, for status */
	struct ike_id local_id;
	struct ike_id remote_id;	/* type 0: accept any the auth proves */
	enum iked_auth_kind auth;
	uint8_t psk[IKED_PSK_MAX];
	size_t psk_len;
	char cert[IKED_PATH_MAX], key[IKED_PATH_MAX];
	char chain[IKED_PATH_MAX];	/* intermediates to send, PEM bundle */
	char ca[IKED_PATH_MAX];		/* PEM bundle or directory */
	bool rsa_pss;			/* sign with RSA-PSS (RFC 7427) */
	struct ike_local_cert *local_cert;	/* loaded from cert and key */
	struct ike_cert_store *ca_store;	/* loaded from ca */
	uint32_t lifetime;		/* seconds */
	/* Every Nth IKE SA rekey is a reauthentication; 0: never (Junos). */
	uint32_t reauth_frequency;
	struct iked_dpd dpd;
	enum iked_natt natt;
	uint32_t nat_keepalive;		/* s, 1-300, sent from behind a NAT */
	bool fragmentation;		/* RFC 7383 */
	uint32_t fragmentation_size;	/* bytes of a datagram; 0: by family */
	uint32_t retransmit_base_ms;	/* first retransmission */
	uint32_t retransmit_tries;
};

/*
 * One traffic-selectors entry: a Junos proxy ID, its own child SA pair.
 * Each side may list several ranges (strongSwan's local_ts = a, b): the
 * child covers every pair of them.
 */
struct iked_selector {
	struct ike_ts_set local, remote;	/* at most IKE_CHILD_MAX_TS each */
};

struct iked_vpn {
	char name[IKED_NAME_MAX];
	struct iked_gateway *gw;
	char bind_if[IF_NAMESIZE];
	uint8_t protocol;		/* IKE_PROTO_ESP or IKE_PROTO_AH */
	struct ike_sa_offer proposals;
	char proposal_text[512];
	unsigned int n_sel;		/* 0: one pair for everything */
	struct iked_selector sel[IKE_MAX_TS];
	enum iked_establish establish;
	uint32_t lifetime;		/* seconds */
	uint64_t lifetime_kb;		/* 0: unlimited */
	uint32_t replay_window;
	char last_error[128];		/* runtime: why it last failed, for status */
	/*
	 * Runtime, on-traffic VPNs with selectors: the indexes of the
	 * selectors installed without an SA for each pair of each sel[],
	 * whose traffic raises the acquire; a child SA takes the indexes over
	 * while it lives.
	 */
	uint32_t trap[IKE_MAX_TS][IKE_CHILD_MAX_PAIRS];
	bool trap_live[IKE_MAX_TS];	/* the traps themselves are in the module now */
	uint64_t last_try;		/* runtime: our last initiation, ms */
	bool held_down;			/* runtime: "sectun ike down" */
	/* Runtime counters, for status (Junos: IPsec SAs created/deleted). */
	uint64_t sas_created, sas_deleted, child_rekeys;
	bool traps_set;			/* runtime: its traps were installed */
	/* Every runtime field is carried over a reload (config.c, vpn_keep_state()). */
};

/*
 * Daemon-wide bounds (the "limits" group): what an unauthenticated peer
 * can make us hold, and how long a setup may take.
 */
struct iked_limits {
	uint32_t setup_timeout;		/* s: an IKE SA not up by then goes */
	uint32_t half_open_max;		/* responder SAs not yet authenticated */
	uint32_t half_open_per_address;
	uint32_t cookie_threshold;	/* half-open SAs above which COOKIEs are asked */
	uint32_t cookie_threshold_per_address;
	uint32_t respond_bad_spi;	/* stateless answers per address a minute */
	uint32_t child_sas;		/* per IKE SA */
	uint32_t queued_exchanges;	/* per IKE SA */
	uint32_t ike_sas_per_gateway;	/* in any state */
};

struct iked_config {
	unsigned int n_gw, n_vpn;
	struct iked_gateway *gw;
	struct iked_vpn *vpn;
	char control[IKED_PATH_MAX];
	char log_level[16];
	/* Who the daemon runs as once its sockets are open; "" = the default. */
	char user[64];
	/* Percent of a lifetime by which rekeys start earlier at random. */
	uint32_t rekey_jitter;
	/* Tests: IKE SA rekeys on whole seconds, so that two daemons collide. */
	bool rekey_align;
	struct iked_limits limits;
};

int iked_config_load(const char *path, struct iked_config *cfg,
		     char *err, size_t errlen);

/*
 * A reload's correspondence: for each gateway and VPN of FROM, the one of
 * TO with the same name and the same settings (a VPN's gateway too), or
 * NULL when it changed or went.
 */
struct iked_config_map {
	const struct iked_config *from;
	struct iked_gateway **gw;
	struct iked_vpn **vpn;
};

/* 0, or -1 without memory. */
int iked_config_map(const struct iked_config *from, struct iked_config *to,
		    struct iked_config_map *map);
void iked_config_map_free(struct iked_config_map *map);
struct iked_gateway *iked_map_gateway(const struct iked_config_map *map,
				      const struct iked_gateway *gw);
struct iked_vpn *iked_map_vpn(const struct iked_config_map *map, const struct iked_vpn *vpn);
/* Wipes the secrets it held. */
void iked_config_free(struct iked_config *cfg);
struct iked_vpn *iked_config_vpn(struct iked_config *cfg, const char *name);

/* A gateway for any peer address ("%any"). */
static inline bool iked_gateway_any(const struct iked_gateway *gw)
{
	return !gw->peer.ss_family;
}

/* "optimized", "probe-idle-tunnel", "always-send" or "off". */
const char *iked_dpd_mode_name(enum iked_dpd_mode mode);

/* The whole address space of a family, any protocol and port. */
void iked_ts_any(struct ike_ts *ts, int family);

#endif
