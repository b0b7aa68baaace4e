/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IKEv2 exchanges (RFC 7296): the plumbing every exchange shares (message
 * IDs, SK encryption, retransmission) and the entry points of each one.
 */
#ifndef SECTUN_IKED_EXCHANGE_H
#define SECTUN_IKED_EXCHANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ikev2/codec.h"
#include "config.h"
#include "ike_sa.h"
#include "net.h"

#define IKE_MAX_MSG		(64 * 1024)
#define IKE_NONCE_LEN		32

/* The daemon-wide things the exchanges need. */
struct ike_daemon {
	struct ike_net net;
	struct iked_config *cfg;
	uint64_t dropped;		/* messages dropped before any SA took them */
};

extern struct ike_daemon iked;

/* A received message, its SK payload opened. */
struct ike_rx {
	struct ike_msg outer;
	struct ike_msg inner;
	const struct ike_msg *m;	/* the one that holds the payloads */
	uint8_t *buf;
	size_t len;
	struct sockaddr_storage from, local;
};

/* Entry points. */
void ike_receive(uint8_t *buf, size_t len, const struct sockaddr_storage *from,
		 const struct sockaddr_storage *local);
int ike_initiate(struct iked_vpn *vpn, unsigned int sel);
/* Sends a delete for the IKE SA; WAIT: keep it until answered. */
void ike_sa_delete(struct ike_sa *sa, bool wait);

/* Plumbing (ikev2_msg.c). */
int ike_send_request(struct ike_sa *sa, uint8_t exchange, struct ike_writer *inner);
int ike_send_response(struct ike_sa *sa, uint8_t exchange, uint32_t msgid,
		      struct ike_writer *inner);
/* A one-off unencrypted answer with no SA state (IKE_SA_INIT errors). */
void ike_send_stateless_notify(const struct ike_rx *rx, uint16_t type,
			       const void *data, size_t len);
void ike_log_msg(const char *dir, const struct ike_sa *sa, const struct ike_msg *m,
		 const struct sockaddr_storage *peer);

/* Exchange handlers (ikev2_init.c, ikev2_auth.c, ikev2_info.c). */
void ike_init_respond(struct ike_rx *rx);
void ike_init_response(struct ike_sa *sa, struct ike_rx *rx);
int ike_auth_request(struct ike_sa *sa);
void ike_auth_put_certreq(struct ike_sa *sa, struct ike_writer *w);
void ike_auth_respond(struct ike_sa *sa, struct ike_rx *rx);
void ike_auth_response(struct ike_sa *sa, struct ike_rx *rx);
int ike_create_child_request(struct ike_sa *sa, unsigned int sel);
void ike_create_child_respond(struct ike_sa *sa, struct ike_rx *rx);
void ike_create_child_response(struct ike_sa *sa, struct ike_rx *rx);
/* An outbound SA on IFNAME reached its soft lifetime. */
void ike_child_soft_expired(const char *ifname, uint32_t spi);
void ike_info_respond(struct ike_sa *sa, struct ike_rx *rx);
void ike_info_response(struct ike_sa *sa, struct ike_rx *rx);
/* The module removed a direction (SECTUN_DIR_*) of a child on IFNAME. */
void ike_child_gone(const char *ifname, uint32_t spi, int dir);
/* Deletes SA when its gateway's lifetime has passed (no rekey yet). */
void ike_sa_start_lifetime(struct ike_sa *sa);

/* Shared helpers. */
int ike_random(void *buf, size_t len);
/* The first notify of an error type (< 16384) in M, or 0. */
uint16_t ike_msg_error(const struct ike_msg *m);
/* RFC 7296's name of an error notify type, for logs and status. */
const char *ike_error_name(uint16_t type);
void ike_sa_established(struct ike_sa *sa);

#endif
