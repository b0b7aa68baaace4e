/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IKE SAs and their child SAs: what an IKE SA is once its exchanges have
 * run (keys, identities, children), its life cycle, and its exchange
 * engine state. What an exchange in flight needs lives in that exchange.
 */
#ifndef SECTUN_IKED_IKE_SA_H
#define SECTUN_IKED_IKE_SA_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "config.h"
#include "crypto/crypto.h"
#include "engine/daemon.h"
#include "engine/drops.h"
#include "engine/exchange.h"
#include "ikev2/fragment.h"
#include "timer.h"
#include "types.h"

enum ike_sa_state {
	IKE_SA_INIT_SENT,	/* initiator: IKE_SA_INIT in flight */
	IKE_SA_AUTH_SENT,	/* initiator: IKE_AUTH in flight */
	IKE_SA_INIT_DONE,	/* responder: IKE_SA_INIT answered (half-open) */
	IKE_SA_ESTABLISHED,
	IKE_SA_DELETING,	/* our delete is out, waiting for its answer */
	IKE_SA_DEAD,		/* to be freed */
};

/*
 * A child SA's part in make-before-break rekeying (RFC 7296 2.8): the
 * replaced pair stays until its delete is done, and its inbound SA a
 * little longer, for packets already on their way.
 */
enum child_state {
	CHILD_INSTALLED,	/* carries traffic (or will: out_standby) */
	CHILD_REKEYED,		/* replaced by replaced_by; waits for its delete */
	CHILD_RETIRING,		/* deleted: only its inbound SA is left, briefly */
};

/*
 * The selector indexes on the device a child's SAs serve, one for each
 * pair of its traffic selectors (ike_ts_pairs()).
 */
struct child_policies {
	unsigned int n;			/* 0: the SAs are the whole tunnel's */
	uint32_t index[IKE_CHILD_MAX_PAIRS];
};

struct child_sa {
	struct child_sa *next;
	struct ike_sa *sa;		/* the IKE SA that carries it */
	struct iked_vpn *vpn;
	uint8_t protocol;		/* IKE_PROTO_ESP or IKE_PROTO_AH */
	uint32_t spi_in, spi_out;	/* network order on the wire; host here */
	struct ike_suite suite;
	struct ike_ts_set local, remote;	/* negotiated, from our side */
	unsigned int sel;		/* which of the VPN's selectors */
	struct child_policies policy;	/* on the device; none: the whole tunnel */
	bool owns_trap;			/* those indexes are the VPN's on-traffic traps */
	bool installed;
	time_t created;
	enum child_state state;
	bool rekey_pending;		/* our rekey of it is queued or in flight */
	bool out_standby;		/* outbound installed but not yet current */
	bool stranded;			/* IKEv1: to rekey once current (see ikev1/sa.c) */
	uint32_t replaced_by;		/* REKEYED: the successor's inbound SPI */
	uint32_t lifetime;		/* s: the VPN's, or less if the peer asked (IKEv1) */
	uint32_t soft_seconds;		/* when the module raises its soft expiry */
	uint64_t dpd_seen_in, dpd_seen_out;	/* packet counters at the last DPD look */
	unsigned int rekeys;		/* rekeys in its line so far */
	/*
	 * A rekey of the peer's crossed ours (RFC 7296 2.8.1): the child it
	 * made (inbound SPI) and the lower nonce of that exchange.
	 */
	uint32_t peer_rekey;
	uint8_t peer_rekey_nonce[IKE_NONCE_MAX];
	size_t peer_rekey_nonce_len;
	struct ike_timer timer;		/* standby: switch anyway; retiring: go */
	/* IKEv1: the lower nonce of the quick mode that made it (rekey collisions). */
	uint8_t made_nonce[IKE_NONCE_MAX];
	size_t made_nonce_len;
	bool made_by_us;		/* IKEv1: by a quick mode we initiated */
	uint64_t made_ms;		/* IKEv1: when it was installed */
};

/*
 * What IKE_SA_INIT leaves for IKE_AUTH: both messages and nonces (the
 * AUTH octets, the first child's KEYMAT). Freed when IKE_AUTH is over.
 */
struct ike_init_result {
	uint8_t *req, *resp;
	size_t req_len, resp_len;
	uint8_t ni[IKE_NONCE_MAX], nr[IKE_NONCE_MAX];
	size_t ni_len, nr_len;
};

/* What the peer announced in IKE_SA_INIT, and what its NAT_DETECTION notifies showed. */
struct ike_peer_support {
	bool nat_peer;			/* the peer is behind a NAT (RFC 7296 2.23) */
	bool nat_local;			/* we are */
	bool fragmentation;
	uint32_t hash_algs;		/* RFC 7427 bitmask: 1 << hash ID */
	uint8_t *certreq;		/* CA hashes it asked for */
	size_t certreq_len;
};

/* Liveness (ikev2/dpd.c); times in ms of the monotonic clock. */
struct ike_sa_dpd {
	struct ike_timer timer;
	uint64_t heard_ms;		/* the peer's last sign of life */
	uint64_t sent_ms;		/* our last packet through its children */
	uint64_t probe_ms;		/* our last probe */
	uint64_t sent, answered;	/* probes */
};

struct ike_sa_stats {
	uint64_t msgs_in, msgs_out, retransmits;
	uint64_t dropped[IKE_DROP_MAX];
};

struct ikev1_sa;

struct ike_sa {
	struct ike_sa *next;		/* iked->sas.all */
	uint8_t version;		/* 2, or 1: then v1 holds the rest */
	struct ikev1_sa *v1;
	struct ike_sa *spi_next;	/* hash chain by our SPI */
	struct ike_sa *half_next;	/* hash chain while half-open */
	bool hashed, half_open;
	struct sockaddr_storage half_open_addr;	/* its key there */

	enum ike_sa_state state;
	bool initiator;			/* original initiator: I flag and key use */
	struct iked_vpn *vpn;		/* initiated for this VPN (which we keep up) */
	uint8_t spi_i[8], spi_r[8];
	struct iked_gateway *gw;
	struct sockaddr_storage local, remote;

	struct ike_suite suite;
	struct ike_keys keys;
	bool keys_ready;
	struct ike_init_result *init;
	struct ike_peer_support peer;
	uint8_t auth_sent, auth_received;	/* AUTH methods, for status */
	struct ike_id peer_id;

	struct ike_exchanges xchg;
	struct child_sa *children;
	unsigned int n_children;
	struct ike_timer setup;		/* established in time, or gone */
	struct ike_timer lifetime;	/* hard: the SA is deleted */
	struct ike_timer rekey;		/* soft: time to rekey */
	uint64_t rekey_due;		/* when it fires, ms (status) */
	unsigned int rekeys;		/* IKE SA rekeys in its line so far */
	unsigned int since_auth;	/* of those, since the last IKE_AUTH */
	time_t authenticated;		/* that IKE_AUTH */
	/*
	 * Rekeyed: a successor took its children, and it waits for its
	 * delete. Also a collision's redundant SA, unless it wins.
	 */
	bool rekeyed;
	/*
	 * The peer's rekey of this SA crossed ours (RFC 7296 2.8.2): the SA
	 * it made (our SPI in it; zero: none) and the lower nonce of its
	 * exchange. Which of the two new SAs lives is decided when ours is
	 * answered.
	 */
	uint8_t collision_spi[8];
	uint8_t collision_nonce[IKE_NONCE_MAX];
	size_t collision_nonce_len;
	/* Rekeyed: the SA that took its children (our SPI in it). */
	uint8_t successor_spi[8];
	/*
	 * A reauthentication of ours: the SA it replaces (our SPI in it),
	 * until its children are made anew here and it is deleted.
	 */
	uint8_t reauth_of[8];
	bool reauth_pending;
	struct ike_timer reauth_timer;	/* a refused child asked for again */
	unsigned int reauth_child_tries;
	time_t established;
	struct ike_sa_dpd dpd;
	struct ike_reassembly *frag[2];	/* the peer's request [0], response [1] */
	struct ike_frag_stats frags;
	struct ike_sa_stats stats;
	char why[128];			/* the last failure, for status */
};

#define ike_sa_foreach(sa) for ((sa) = iked->sas.all; (sa); (sa) = (sa)->next)

/*
 * A new SA with a fresh SPI of ours, in the table, its setup timer
 * running; NULL without memory.
 */
struct ike_sa *ike_sa_new(struct iked_gateway *gw, bool initiator);
/* SA's lifetime, s: the gateway's, or the shorter one IKEv1 phase 1 agreed on. */
uint32_t ike_sa_lifetime(const struct ike_sa *sa);
/* Our identity: as configured, else the address the SA runs from. */
void ike_sa_local_id(const struct ike_sa *sa, struct ike_id *id);
/* The local address the route to SA's peer would use (the gateway's, if set). */
void ike_sa_pick_local(struct ike_sa *sa);
/* Our SPI: SPIi when we initiated it, SPIr otherwise. */
const uint8_t *ike_sa_our_spi(const struct ike_sa *sa);
/* Established (responder: authenticated): no longer half-open. */
void ike_sa_established(struct ike_sa *sa);
/*
 * The IKE SA a rekey of OLD made (RFC 7296 2.18): new SPIs (ours first
 * in the table), INITIATOR as the rekey's initiator, suite and keys
 * given, OLD's peer and identities, message IDs from 0; established, but
 * without OLD's children until ike_sa_inherit(). NULL if our SPI is
 * taken or memory is short.
 */
struct ike_sa *ike_sa_successor(struct ike_sa *old, bool initiator, const uint8_t spi_i[8],
				const uint8_t spi_r[8], const struct ike_suite *suite,
				const struct ike_keys *keys);
/* SA takes OLD's VPN, children and queued work; OLD is retired. */
void ike_sa_inherit(struct ike_sa *old, struct ike_sa *sa);
/*
 * SA carries nothing from now on and is never rekeyed: it waits for its
 * delete, and goes by itself if none comes within the setup timeout.
 */
void ike_sa_retire(struct ike_sa *sa);
/*
 * Whether SA's children carry ESP in UDP (RFC 3948): a NAT was found and
 * the gateway allows NAT traversal, or it forces encapsulation.
 */
bool ike_sa_udp_encap(const struct ike_sa *sa);
/*
 * With a NAT between us (ike_sa_udp_encap()), the initiator moves IKE to
 * port 4500, where ESP in UDP will run too (RFC 7296 2.23, RFC 3947 4).
 */
void ike_sa_float_to_natt(struct ike_sa *sa);
/* IKE SAs of GW in any state but dead: a peer's share of the daemon. */
unsigned int ike_sa_count_gateway(const struct iked_gateway *gw);
/* The SA whose SPI of ours is SPI, unless dead; NULL. */
struct ike_sa *ike_sa_by_our_spi(const uint8_t spi[8]);
/* Whether nonce A is lower than B, as octet strings (RFC 7296 2.8.1). */
bool ike_nonce_lower(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);
/* The lower of an exchange's two nonces. */
void ike_nonce_lowest(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
		      const uint8_t **low, size_t *low_len);
/* The rekey timer, MS from now (unless the peer is left to rekey). */
void ike_sa_rekey_in(struct ike_sa *sa, uint64_t ms);
/* A fresh SPI of ours (random, not 0, not in use); 0 or -1. */
int ike_sa_fresh_spi(uint8_t spi[8]);
/*
 * When a lifetime's soft end comes: 90% of it, at least 2 s before its
 * end, and up to rekey-jitter percent earlier at random (RFC 7296 2.8:
 * so that two ends rarely start together). Seconds.
 */
uint32_t ike_soft_lifetime(uint32_t lifetime);
/*
 * Kernel SAs removed, exchanges aborted, timers stopped, out of the
 * tables (no message finds it); freed by iked_daemon_reap().
 */
void ike_sa_kill(struct ike_sa *sa, const char *why);
/* Frees a dead SA (the reaper's). */
void ike_sa_free(struct ike_sa *sa);
/*
 * Tells the peer (a delete, queued ahead of other requests) and kills
 * the SA once answered or given up on; an SA not yet up is just killed.
 */
void ike_sa_delete(struct ike_sa *sa);
const char *ike_sa_state_name(enum ike_sa_state s);
/* Out of the kernel and freed; the caller unlinked it. */
void ike_child_remove(struct child_sa *c);
/* C now belongs to TO (an IKE SA that replaced FROM). */
void ike_child_move(struct child_sa *c, struct ike_sa *from, struct ike_sa *to);
/* The setup (or delete, or rekey) deadline of an IKE SA, reached. */
void ike_sa_setup_expired(struct ike_timer *t);
/* Unlinks C from SA's children (not freed). */
void ike_sa_unlink_child(struct ike_sa *sa, struct child_sa *c);
/* The child that owns inbound SPI on some SA, or NULL. */
struct child_sa *ike_child_find_in(uint32_t spi, struct ike_sa **owner);
/* Count a drop for SA (and the daemon), logged as the rate limit allows. */
#define ike_sa_drop(sa, reason, from, ...) \
	ike_drop(&iked->drops, (sa)->stats.dropped, reason, (sa)->gw->name, from, __VA_ARGS__)

#endif
