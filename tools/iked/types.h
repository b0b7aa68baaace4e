/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Values the daemon's layers hand each other: proposals as offered on the
 * wire, the suite one of them settles on, traffic selectors, identities.
 * The codec fills them from messages, the proposal layer from config
 * strings; crypto, auth and the state machine read them.
 */
#ifndef SECTUN_IKED_TYPES_H
#define SECTUN_IKED_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#define IKE_MAX_PROPOSALS	16
#define IKE_MAX_TRANSFORMS	48	/* per proposal */
#define IKE_MAX_TS		16	/* per TSi or TSr payload */
#define IKE_MAX_ID_LEN		1024
#define IKE_MAX_SPI_LEN		8
#define IKE_NONCE_MIN		16
#define IKE_NONCE_MAX		256

struct ike_transform {
	uint8_t type;		/* enum ike_transform_type */
	bool unusable;		/* carried an attribute we do not know */
	uint16_t id;		/* the type's IANA transform ID */
	uint16_t keylen;	/* Key Length attribute in bits; 0 = absent */
};

struct ike_proposal {
	uint8_t num;		/* proposal number, 1-based */
	uint8_t protocol;	/* enum ike_protocol */
	uint8_t spi_len;	/* 0 (IKE_SA_INIT), 4 (ESP/AH) or 8 (IKE rekey) */
	uint8_t spi[IKE_MAX_SPI_LEN];
	uint8_t n_transforms;
	struct ike_transform t[IKE_MAX_TRANSFORMS];
};

/* An SA payload: the proposals in the order offered. */
struct ike_sa_offer {
	uint8_t n;
	struct ike_proposal p[IKE_MAX_PROPOSALS];
};

/* One transform of each type: what a proposal was narrowed to. */
struct ike_suite {
	uint16_t encr;		/* enum ike_encr */
	uint16_t encr_bits;	/* Key Length attribute; 0 if the cipher has none */
	uint16_t prf;		/* enum ike_prf; 0 for child SAs */
	uint16_t integ;		/* enum ike_integ; 0 with an AEAD cipher */
	uint16_t dh;		/* enum ike_dh_group; 0 = none (child without PFS) */
	uint16_t esn;		/* child SAs: enum ike_esn */
};

/* A traffic selector (RFC 7296 3.13.1); addresses in network order. */
struct ike_ts {
	uint8_t type;		/* IKE_TS_IPV4_ADDR_RANGE or IKE_TS_IPV6_ADDR_RANGE */
	uint8_t ip_proto;	/* 0 = any */
	uint16_t start_port, end_port;
	uint8_t start_addr[16], end_addr[16];	/* 4 bytes used for IPv4 */
};

struct ike_ts_set {
	uint8_t n;
	struct ike_ts ts[IKE_MAX_TS];
};

/* An identity as IDi/IDr carry it: the type and its raw data. */
struct ike_id {
	uint8_t type;		/* enum ike_id_type */
	uint16_t len;
	uint8_t data[IKE_MAX_ID_LEN];
};

#endif
