/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IKE SAs and their child SAs: the state the exchanges move along, the
 * keys they derived, the table that finds an SA by our SPI.
 */
#ifndef SECTUN_IKED_IKE_SA_H
#define SECTUN_IKED_IKE_SA_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "config.h"
#include "crypto/crypto.h"
#include "timer.h"
#include "types.h"

enum ike_sa_state {
	IKE_SA_INIT_SENT,	/* initiator: waiting for the IKE_SA_INIT response */
	IKE_SA_AUTH_SENT,	/* initiator: waiting for the IKE_AUTH response */
	IKE_SA_INIT_DONE,	/* responder: answered IKE_SA_INIT, waiting for IKE_AUTH */
	IKE_SA_ESTABLISHED,
	IKE_SA_DELETING,	/* our delete is out, waiting for its answer */
	IKE_SA_DEAD,		/* to be freed */
};

struct child_sa {
	struct child_sa *next;
	struct iked_vpn *vpn;
	uint8_t protocol;		/* IKE_PROTO_ESP or IKE_PROTO_AH */
	uint32_t spi_in, spi_out;	/* network order on the wire; host here */
	struct ike_suite suite;
	struct ike_ts local, remote;	/* negotiated, from our side */
	unsigned int sel;		/* which of the VPN's selectors */
	uint32_t policy;		/* selector index on the device; 0 = whole tunnel */
	bool owns_trap;			/* that index is the VPN's on-traffic trap */
	bool installed;
	time_t created;
};

/* A request of ours in flight, kept for retransmission. */
struct ike_request {
	uint8_t *msg;
	size_t len;
	uint32_t msgid;
	unsigned int tries;
	struct ike_timer timer;
};

struct ike_sa {
	struct ike_sa *next;
	enum ike_sa_state state;
	bool initiator;			/* original initiator of this IKE SA */
	uint8_t spi_i[8], spi_r[8];
	struct iked_gateway *gw;
	struct iked_vpn *vpn;		/* the VPN whose child IKE_AUTH carries */
	struct sockaddr_storage local, remote;

	/* IKE_SA_INIT */
	struct ike_sa_offer offer;	/* initiator: what we sent */
	struct ike_suite suite;
	uint16_t dh_group;
	struct ike_dh *dh;
	uint8_t ni[IKE_NONCE_MAX], nr[IKE_NONCE_MAX];
	size_t ni_len, nr_len;
	uint8_t *init_req, *init_resp;	/* both messages, for the AUTH octets */
	size_t init_req_len, init_resp_len;
	struct ike_keys keys;
	bool keys_ready;
	bool peer_fragmentation;
	uint32_t peer_hash_algs;	/* RFC 7427 bitmask: 1 << hash ID */
	uint8_t auth_sent, auth_received;	/* AUTH methods, for status */
	uint8_t *peer_certreq;		/* CA hashes the peer asked for */
	size_t peer_certreq_len;

	/* IKE_AUTH: the child being set up with it (initiator) */
	struct ike_sa_offer child_offer;
	uint32_t child_spi;
	unsigned int child_sel;		/* index into vpn->sel */
	uint32_t tried_sel;		/* selectors asked for (bit mask) */
	uint8_t child_ni[IKE_NONCE_MAX];	/* CREATE_CHILD_SA in flight */
	size_t child_ni_len;
	struct ike_dh *child_dh;
	uint16_t child_dh_group;
	struct ike_id peer_id;

	/* Message IDs, window of one each way (RFC 7296 2.3). */
	uint32_t next_msgid;		/* of our next request */
	uint32_t peer_msgid;		/* the next request we expect */
	struct ike_request req;		/* ours, unanswered */
	uint8_t *last_resp;		/* our answer to the peer's last request */
	size_t last_resp_len;
	uint32_t last_resp_msgid;
	bool have_last_resp;

	struct child_sa *children;
	struct ike_timer lifetime;
	struct ike_timer reap;
	time_t established;
	uint64_t msgs_in, msgs_out, retransmits, bad_msgs;
	char why[128];			/* the last failure, for status */
};

extern struct ike_sa *ike_sas;

struct ike_sa *ike_sa_new(struct iked_gateway *gw, bool initiator);
/* By our own SPI (SPIi when we initiated, SPIr when we responded). */
struct ike_sa *ike_sa_find(const uint8_t spi_i[8], const uint8_t spi_r[8],
			   bool from_initiator);
/* A half-open responder SA for a retransmitted IKE_SA_INIT. */
struct ike_sa *ike_sa_find_half_open(const uint8_t spi_i[8],
				     const struct sockaddr_storage *remote);
/* Kernel SAs removed, timers stopped; freed on the next loop turn. */
void ike_sa_kill(struct ike_sa *sa, const char *why);
void ike_sa_reap_dead(void);
void ike_sa_free_all(void);
const char *ike_sa_state_name(enum ike_sa_state s);
/* Out of the kernel and freed; the caller unlinked it. */
void ike_child_remove(struct child_sa *c);
/* The child that owns inbound SPI on some SA, or NULL. */
struct child_sa *ike_child_find_in(uint32_t spi, struct ike_sa **owner);

#endif
