/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ISAKMP message codec (RFC 2408 section 3, the IPsec DOI of RFC 2407,
 * RFC 3947 NAT-D/NAT-OA): bytes to structs and back. No crypto, no
 * sockets, no allocation: payloads are views into the caller's buffer.
 *
 * The header and the generic payload header have IKEv2's layout, so the
 * parse results reuse struct ike_header and struct ike_payload, errors
 * are enum ike_err, and messages are written with IKEv2's ike_writer
 * (ike_w_header, ike_w_begin/ike_w_end, ike_w_payload, ike_w_finish);
 * the functions here add what differs. Every function returns 0 (or a
 * length) on success and a negative enum ike_err on failure.
 */
#ifndef SECTUN_IKED_ISAKMP_CODEC_H
#define SECTUN_IKED_ISAKMP_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ikev1/isakmp.h"
#include "ikev2/codec.h"

#define ISAKMP_MAX_PROPOSALS	16
/* Over all proposals: strongSwan offers every combination in phase 1. */
#define ISAKMP_MAX_TRANSFORMS	256
#define ISAKMP_MAX_SPI_LEN	16	/* an ISAKMP SA named by its cookies */

/* ---- Parsing ---- */

struct isakmp_msg {
	struct ike_header hdr;
	unsigned int n;
	struct ike_payload pl[IKE_MAX_PAYLOADS];	/* ->critical is never set */
	/*
	 * Where the chain ends, from the start of the message: what follows
	 * is an encrypted message's padding, covered by no HASH.
	 */
	size_t chain_end;
};

/*
 * The fixed header. Fills @h whenever @len >= IKE_HDR_LEN, even on error,
 * so that the caller can log what it drops. The length field must equal
 * @len; the version must be 1.0; undefined flags are an error.
 */
int isakmp_parse_header(const uint8_t *buf, size_t len, struct ike_header *h);

/*
 * The payload chain of @len bytes at @buf, starting with @first_type, into
 * m->pl (m->hdr is left alone). @base_offset is where @buf sits in the
 * message. Unknown payload types, and proposals or transforms outside an
 * SA, are errors (RFC 2408 5.2: INVALID-PAYLOAD-TYPE). With @padded (a
 * decrypted chain), bytes after the last payload are padding; without,
 * the chain must fill @len exactly.
 */
int isakmp_parse_payloads(const uint8_t *buf, size_t len, uint8_t first_type,
			  size_t base_offset, bool padded, struct isakmp_msg *m);
/*
 * Header, then the chain after it: the cleartext one, or nothing when the
 * encryption flag is set (the caller decrypts buf + IKE_HDR_LEN and calls
 * isakmp_parse_payloads() with @padded).
 */
int isakmp_parse_msg(const uint8_t *buf, size_t len, struct isakmp_msg *m);

/* The next payload of @type after @prev (NULL: the first), or NULL. */
const struct ike_payload *isakmp_msg_find(const struct isakmp_msg *m, uint8_t type,
					  const struct ike_payload *prev);

/* One transform, its attributes decoded; 0 means the attribute was absent. */
struct isakmp_transform {
	uint8_t num;
	uint8_t id;		/* KEY_IKE, or an ESP or AH transform ID */
	/*
	 * An attribute we do not know or that came twice, a life duration
	 * without its type, or a value out of range: this transform cannot
	 * be chosen (ATTRIBUTES-NOT-SUPPORTED), but the others can.
	 */
	bool unusable;
	/* Phase 1 (RFC 2409 Appendix A). */
	uint16_t encr, hash, auth, group, prf;
	/* Phase 2 (RFC 2407 4.5). */
	uint16_t encap, auth_alg, esn;
	uint16_t key_len;	/* bits, both phases */
	uint32_t life_seconds, life_kbytes;
};

struct isakmp_proposal {
	uint8_t num;
	uint8_t protocol;	/* enum isakmp_protocol */
	uint8_t spi_len;
	uint8_t spi[ISAKMP_MAX_SPI_LEN];
	uint16_t first, n_transforms;	/* into isakmp_sa_offer.t */
};

/* An SA payload: the proposals in the order offered. */
struct isakmp_sa_offer {
	uint32_t doi, situation;
	uint8_t n;
	struct isakmp_proposal p[ISAKMP_MAX_PROPOSALS];
	uint16_t n_t;
	struct isakmp_transform t[ISAKMP_MAX_TRANSFORMS];
};

/*
 * An SA payload of the IPsec DOI with situation SIT_IDENTITY_ONLY (other
 * DOIs and situations: IKE_E_SYNTAX with offer->doi and ->situation set,
 * for the caller to answer DOI- or SITUATION-NOT-SUPPORTED). Proposals
 * whose numbers repeat (an AND of protocols, RFC 2408 4.2) are kept as
 * sent; the policy layer refuses them.
 */
int isakmp_decode_sa(const struct ike_payload *pl, struct isakmp_sa_offer *offer);

/* An ID payload (RFC 2407 4.6.2): IDii/IDir, and IDci/IDcr in quick mode. */
struct isakmp_id {
	uint8_t type;		/* enum isakmp_id_type */
	uint8_t protocol;	/* IP protocol, 0 = any */
	uint16_t port;		/* 0 = any */
	const uint8_t *data;
	size_t len;
};

int isakmp_decode_id(const struct ike_payload *pl, struct isakmp_id *id);
/*
 * A proxy ID (an address, subnet or range with protocol and port) as a
 * traffic selector. A subnet's mask must be contiguous.
 */
int isakmp_id_to_ts(const struct isakmp_id *id, struct ike_ts *ts);
/* A phase 1 identity as IKEv2 names it (the type numbers coincide). */
int isakmp_id_to_ike_id(const struct isakmp_id *id, struct ike_id *out);

/* KE: the public value. */
int isakmp_decode_ke(const struct ike_payload *pl, const uint8_t **data, size_t *len);
/* NONCE: ISAKMP_NONCE_MIN..ISAKMP_NONCE_MAX bytes. */
int isakmp_decode_nonce(const struct ike_payload *pl, const uint8_t **data, size_t *len);
/* HASH and NAT-D: 1..ISAKMP_HASH_MAX bytes. */
int isakmp_decode_hash(const struct ike_payload *pl, const uint8_t **data, size_t *len);
/* SIG: not empty. */
int isakmp_decode_sig(const struct ike_payload *pl, const uint8_t **data, size_t *len);
/* CERT: an encoding and data; CR: a type and (possibly empty) authority. */
int isakmp_decode_cert(const struct ike_payload *pl, uint8_t *encoding,
		       const uint8_t **data, size_t *len);
int isakmp_decode_cr(const struct ike_payload *pl, uint8_t *type,
		     const uint8_t **data, size_t *len);

struct isakmp_notify {
	uint32_t doi;		/* 0 (ISAKMP) or 1 (IPsec) */
	uint8_t protocol;
	uint8_t spi_len;	/* 0, 4 or 16 */
	uint8_t spi[ISAKMP_MAX_SPI_LEN];
	uint16_t type;		/* enum isakmp_notify_type */
	const uint8_t *data;
	size_t len;
};

int isakmp_decode_notify(const struct ike_payload *pl, struct isakmp_notify *n);

struct isakmp_delete {
	uint32_t doi;
	uint8_t protocol;	/* ISAKMP: 16-byte cookie pairs; ESP/AH: 4-byte SPIs */
	uint8_t spi_len;
	uint16_t n_spi;		/* at least one */
	const uint8_t *spis;	/* n_spi * spi_len bytes, network order */
};

int isakmp_decode_delete(const struct ike_payload *pl, struct isakmp_delete *d);

/* NAT-OA (RFC 3947 5.2): an IPv4 or IPv6 address. */
int isakmp_decode_nat_oa(const struct ike_payload *pl, uint8_t *id_type,
			 const uint8_t **addr, size_t *len);

/* ---- Encoding (with an ike_writer; each returns its error state) ---- */

/* The SA payload: DOI IPsec, SIT_IDENTITY_ONLY, OFFER's proposals. */
int isakmp_w_sa(struct ike_writer *w, const struct isakmp_sa_offer *offer);
int isakmp_w_id(struct ike_writer *w, const struct isakmp_id *id);
/*
 * A traffic selector as a proxy ID: an address when it is one, a subnet
 * when it is a prefix, a range otherwise; a port range other than one
 * port or all of them cannot be said (IKE_E_SYNTAX). For our own proxy
 * IDs only: a quick mode responder echoes the initiator's IDci/IDcr as
 * they came (isakmp_w_id()), since their bytes are hashed and a peer may
 * compare them.
 */
int isakmp_w_id_ts(struct ike_writer *w, const struct ike_ts *ts);
int isakmp_w_cert(struct ike_writer *w, uint8_t encoding, const void *data, size_t len);
int isakmp_w_cr(struct ike_writer *w, uint8_t type, const void *data, size_t len);
int isakmp_w_notify(struct ike_writer *w, uint32_t doi, uint8_t protocol,
		    const void *spi, uint8_t spi_len, uint16_t type,
		    const void *data, size_t len);
int isakmp_w_delete(struct ike_writer *w, uint8_t protocol, uint8_t spi_len,
		    uint16_t n_spi, const void *spis);
int isakmp_w_nat_oa(struct ike_writer *w, uint8_t id_type, const void *addr, size_t len);
/* KE, NONCE, HASH, SIG, VID and NAT-D are plain: ike_w_payload(). */

/* ---- Debugging ---- */

const char *isakmp_exchange_name(uint8_t exchange);	/* NULL if unknown */
const char *isakmp_payload_name(uint8_t type);		/* NULL if unknown */
const char *isakmp_notify_name(uint16_t type);		/* NULL if unknown */
/* The notify to answer a parse error with (RFC 2408 5). */
uint16_t isakmp_err_notify(int err);
/*
 * One line: "Main Mode msgid 0 [ SA V V ]", or "... encrypted" before the
 * chain is known. Names and numbers only, never key material.
 */
void isakmp_msg_describe(const struct isakmp_msg *m, char *out, size_t size);

#endif
