/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The exchange engine. Every exchange (IKE_SA_INIT, IKE_AUTH,
 * CREATE_CHILD_SA for a child, INFORMATIONAL for a delete, ...) is an
 * object with its own state and two halves, as strongSwan's tasks and
 * OpenBSD iked's exchanges are:
 *
 *   initiator:  build_request -> (the peer) -> process_response
 *   responder:  process_request -> build_response
 *
 * Our requests wait per IKE SA in a queue behind the one in flight
 * (window 1, RFC 7296 2.3); the engine sends, retransmits with backoff,
 * binds each response to its request by message ID and exchange type,
 * and caches our last response for the peer's retransmissions.
 */
#ifndef SECTUN_IKED_ENGINE_EXCHANGE_H
#define SECTUN_IKED_ENGINE_EXCHANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "config.h"
#include "ikev2/codec.h"
#include "timer.h"

#define IKE_MAX_MSG		(64 * 1024)
#define IKE_NONCE_LEN		32
#define IKE_MAX_RESENDS		12	/* answers to one retransmitted request */

struct ike_sa;
struct ike_xchg;

/* A message as it goes on the wire: one datagram, or its RFC 7383 fragments. */
struct ike_wire {
	uint8_t *buf;			/* the datagrams back to back */
	size_t len;
	unsigned int n;			/* 0: none */
	uint16_t *sizes;		/* each one's length, when n > 1 */
};

void ike_wire_free(struct ike_wire *w);

/*
 * RFC 7296 2.23 and RFC 3947: after an authenticated message that moved
 * things on, SA follows the peer to where it came from: to port 4500
 * (the float), and anywhere when the peer is behind a NAT.
 */
struct ike_rx;
void ike_sa_follow_peer(struct ike_sa *sa, const struct ike_rx *rx);
/* Every datagram of W; the first error, or 0. */
int ike_wire_send(const struct ike_wire *w, const struct sockaddr_storage *to,
		  const struct sockaddr_storage *from);

/* A received message: the outer chain as it came, the SK payload opened. */
struct ike_rx {
	struct ike_msg outer;
	struct ike_msg inner;
	const struct ike_msg *m;	/* the payloads to act on */
	bool authenticated;		/* they came in an SK payload that verified */
	uint8_t digest[32];		/* of the datagram as it came, for requests */
	uint8_t *buf;
	size_t len;
	struct sockaddr_storage from, local;
};

enum ike_xchg_status {
	IKE_XCHG_DONE,		/* finished, whether or not the peer agreed */
	IKE_XCHG_RESEND,	/* build the request again and send it (INVALID_KE, COOKIE) */
	IKE_XCHG_IGNORE,	/* not a response we can use (unprotected): keep waiting */
	IKE_XCHG_FATAL,		/* the IKE SA cannot go on; after a response: once it is sent */
	IKE_XCHG_REFUSE,	/* IKE_SA_INIT responder: answer the refusal, keep nothing */
};

struct ike_xchg_ops {
	const char *name;		/* for logs and status */
	uint8_t exchange;		/* enum ike_exchange */
	size_t size;			/* of the struct that embeds struct ike_xchg */
	bool needs_established;		/* as initiator: only once the IKE SA is up */
	bool always_queued;		/* past limits.queued-exchanges too (deletes) */
	bool liveness;			/* a DPD probe: unanswered, the peer is dead */
	/* Initiator half. */
	int (*build_request)(struct ike_xchg *x, struct ike_writer *w);
	enum ike_xchg_status (*process_response)(struct ike_xchg *x, struct ike_rx *rx);
	/* Responder half: the request, then the payloads of our answer. */
	enum ike_xchg_status (*process_request)(struct ike_xchg *x, struct ike_rx *rx);
	int (*build_response)(struct ike_xchg *x, struct ike_writer *w);
	/* Never answered, or its IKE SA is going: undo what it reserved. */
	void (*abort)(struct ike_xchg *x);
	/* Frees what it holds; the engine frees the object. */
	void (*destroy)(struct ike_xchg *x);
	/* Each message it sends, as sent (IKE_SA_INIT's go into the AUTH octets). */
	int (*sent)(struct ike_xchg *x, const uint8_t *msg, size_t len);
	/*
	 * A reload: its VPN is now MAP's. False when that VPN changed or went
	 * (its pointer is then NULL, and a response is answered by undoing).
	 */
	bool (*retarget)(struct ike_xchg *x, const struct iked_config_map *map);
};

struct ike_xchg {
	const struct ike_xchg_ops *ops;
	struct ike_sa *sa;
	struct ike_xchg *next;		/* in its SA's queue */
	uint32_t msgid;
	/* Retransmitted every RESEND_MS, RESEND_TRIES times (0: the gateway's backoff). */
	uint32_t resend_ms, resend_tries;
	/* IKE_XCHG_REFUSE: the notify to answer with, in the clear. */
	uint16_t refusal;
	uint8_t refusal_data[8];
	size_t refusal_len;
};

/* The engine's part of an IKE SA. */
struct ike_exchanges {
	struct ike_xchg *queue;		/* ours, waiting, in order */
	unsigned int queued;
	struct ike_xchg *active;	/* ours, in flight */
	struct ike_wire req;		/* its message, for retransmission */
	uint64_t sent_ms;		/* when it first went out */
	unsigned int tries;
	bool give_up;			/* an unprotected error came: fail at the next timeout */
	struct ike_timer retransmit;
	uint32_t next_msgid;		/* of our next request */
	uint32_t peer_msgid;		/* of the peer's next request */
	struct ike_wire resp;		/* our answer to the peer's last request */
	uint32_t resp_msgid;
	bool have_resp;
	uint8_t req_digest[32];		/* of the request it answers */
	unsigned int resends;		/* of this answer, bounded */
	uint64_t resent_ms;		/* when a fragmented answer last went again */
	bool busy;			/* a message is being handled: start nothing yet */
};

/* A zeroed exchange of OPS for SA, or NULL. */
struct ike_xchg *ike_xchg_new(const struct ike_xchg_ops *ops, struct ike_sa *sa);
void ike_xchg_free(struct ike_xchg *x);

/*
 * Our request X waits behind those queued (FRONT: ahead of them, for a
 * delete) and starts when the window is free. Takes X; -ENOSPC when the
 * SA's queue is full, -EPIPE when the SA is going.
 */
int ike_xchg_queue(struct ike_sa *sa, struct ike_xchg *x, bool front);
/* A queued exchange of OPS not yet sent (to add to it), or NULL. */
struct ike_xchg *ike_xchg_find_queued(struct ike_sa *sa, const struct ike_xchg_ops *ops);
/* Starts the next request if none is in flight and the SA's state allows. */
void ike_xchg_kick(struct ike_sa *sa);
/* Whether our exchange in flight is one of OPS. */
bool ike_xchg_active_is(const struct ike_sa *sa, const struct ike_xchg_ops *ops);
/* Whether an exchange of OPS is queued or in flight. */
bool ike_xchg_pending(const struct ike_sa *sa, const struct ike_xchg_ops *ops);
/* The SA is going: every exchange aborted and freed, buffers freed. */
void ike_xchg_flush(struct ike_sa *sa);

/* The receive path (engine/receive.c): one datagram from a socket. */
void ike_receive(uint8_t *buf, size_t len, const struct sockaddr_storage *from,
		 const struct sockaddr_storage *local);

/* The rest of the engine's own work (engine/queue.c), for receive.c. */
/* The response RX to our request in flight. */
void ike_xchg_response(struct ike_sa *sa, struct ike_rx *rx);
/*
 * Our answer to the peer's request RX, sent and cached with the request's
 * digest (the peer's retransmissions get the same bytes); *MSG, *LEN (may
 * be NULL) point at the cached message.
 */
int ike_xchg_respond(struct ike_sa *sa, const struct ike_rx *rx, struct ike_writer *inner,
		     const uint8_t **msg, size_t *len);
/* SHA-256 of a datagram, to recognise a retransmitted request. */
void ike_msg_digest(const uint8_t *buf, size_t len, uint8_t out[32]);
/* An unencrypted answer to RX that keeps no state (IKE_SA_INIT, INVALID_IKE_SPI). */
void ike_send_stateless_notify(const struct ike_rx *rx, uint16_t type,
			       const void *data, size_t len, bool keep_spi_r);


#endif
