/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IKEv2 message codec (RFC 7296 section 3, RFC 7383 fragments): bytes to
 * structs and back. No crypto, no sockets, no allocation: parsed payloads
 * are views into the caller's buffer, decoded values are filled by value.
 *
 * Every function returns 0 (or a length) on success and a negative
 * enum ike_err on failure. On failure the output arguments are unspecified.
 */
#ifndef SECTUN_IKED_CODEC_H
#define SECTUN_IKED_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ikev2/ikev2.h"
#include "types.h"

#define IKE_MAX_PAYLOADS	64	/* per chain */
#define IKE_SHA1_LEN		20	/* a CERTREQ CA entry for X.509 */

enum ike_err {
	IKE_E_TRUNCATED = -1,	/* a length points past the buffer */
	IKE_E_BAD_LENGTH = -2,	/* a length is too small, or not exact */
	IKE_E_VERSION = -3,	/* major version is not 2 */
	IKE_E_CRITICAL = -4,	/* unknown payload with the critical bit */
	IKE_E_TOO_MANY = -5,	/* more items than we have room for */
	IKE_E_SYNTAX = -6,	/* a field holds a value it may not */
	IKE_E_OVERFLOW = -7,	/* writer: the buffer is too small */
	IKE_E_MISSING = -8,	/* a payload looked for is not there */
	IKE_E_PAYLOAD_TYPE = -9, /* IKEv1: a payload type it does not define */
};

const char *ike_err_str(int err);
/* The notify type to answer a parse error with (RFC 7296 2.21). */
uint16_t ike_err_notify(int err);

/* ---- Parsing ---- */

struct ike_header {
	uint8_t spi_i[8], spi_r[8];
	uint8_t next_payload;
	uint8_t version;	/* major << 4 | minor */
	uint8_t exchange;	/* enum ike_exchange */
	uint8_t flags;		/* IKE_FLAG_* */
	uint32_t msgid;
	uint32_t length;
};

struct ike_payload {
	uint8_t type;		/* enum ike_payload_type */
	bool critical;
	const uint8_t *body;	/* after the generic header */
	uint16_t len;		/* of the body */
	size_t offset;		/* of the generic header, in the message */
};

struct ike_msg {
	struct ike_header hdr;
	unsigned int n;
	struct ike_payload pl[IKE_MAX_PAYLOADS];
	uint8_t unsupported_critical;	/* first unknown critical type; 0 = none */
	uint8_t sk_inner_next;	/* SK/SKF's next-payload: the first inner type */
	unsigned int n_skipped;	/* unknown non-critical payloads ignored */
};

/*
 * The fixed header. Fills @h whenever @len >= IKE_HDR_LEN, even on error,
 * so that the caller can answer IKE_E_VERSION with INVALID_MAJOR_VERSION.
 * The length field must equal @len: a datagram carries one message.
 */
int ike_parse_header(const uint8_t *buf, size_t len, struct ike_header *h);
/* The same without the version check: the fields and the length (IKEv1 too). */
int ike_parse_header_fields(const uint8_t *buf, size_t len, struct ike_header *h);

/*
 * A chain of payloads in @buf (@len bytes, starting with a payload of type
 * @first_type) into m->pl, replacing what was there; m->hdr is left alone.
 * @base_offset is where @buf sits in the message, for ike_payload.offset.
 * An SK or SKF payload ends the chain: it must be the last payload, and its
 * next-payload field (the first inner payload) goes to m->sk_inner_next.
 */
int ike_parse_payloads(const uint8_t *buf, size_t len, uint8_t first_type,
		       size_t base_offset, struct ike_msg *m);
/* The decrypted chain of an SK payload: the same, but SK/SKF are errors. */
int ike_parse_inner(const uint8_t *buf, size_t len, uint8_t first_type,
		    size_t base_offset, struct ike_msg *m);
/* Header, then the cleartext chain after it. */
int ike_parse_msg(const uint8_t *buf, size_t len, struct ike_msg *m);

/* The next payload of @type after @prev (NULL: the first) in @pl[0..n), or NULL. */
const struct ike_payload *ike_payloads_find(const struct ike_payload *pl, unsigned int n,
					    uint8_t type, const struct ike_payload *prev);
/* The next payload of @type after @prev (NULL: the first), or NULL. */
const struct ike_payload *ike_msg_find(const struct ike_msg *m, uint8_t type,
				       const struct ike_payload *prev);

/* Payload decoders: each validates the whole body. */

int ike_decode_sa(const struct ike_payload *pl, struct ike_sa_offer *offer);
int ike_decode_ke(const struct ike_payload *pl, uint16_t *group,
		  const uint8_t **data, size_t *len);
/* IKE_NONCE_MIN..IKE_NONCE_MAX bytes. */
int ike_decode_nonce(const struct ike_payload *pl, const uint8_t **data, size_t *len);
/*
 * IDi/IDr. The AUTH octets need the body as received (type, the three
 * reserved bytes, data): that is pl->body/pl->len.
 */
int ike_decode_id(const struct ike_payload *pl, struct ike_id *id);
int ike_decode_auth(const struct ike_payload *pl, uint8_t *method,
		    const uint8_t **data, size_t *len);
int ike_decode_cert(const struct ike_payload *pl, uint8_t *encoding,
		    const uint8_t **data, size_t *len);
/* For IKE_CERT_X509_SIG, @data is a list of 20-byte SHA-1 key hashes. */
int ike_decode_certreq(const struct ike_payload *pl, uint8_t *encoding,
		       const uint8_t **data, size_t *len);

struct ike_notify {
	uint8_t protocol;	/* enum ike_protocol, 0 when no SPI */
	uint8_t spi_len;	/* 0, 4 or 8 */
	uint8_t spi[IKE_MAX_SPI_LEN];
	uint16_t type;		/* enum ike_notify_type */
	const uint8_t *data;
	size_t len;
};

int ike_decode_notify(const struct ike_payload *pl, struct ike_notify *n);
/*
 * The first NOTIFY of @type into @n: 0 found, IKE_E_MISSING absent, or the
 * error of a malformed NOTIFY met on the way.
 */
int ike_msg_find_notify(const struct ike_msg *m, uint16_t type, struct ike_notify *n);

struct ike_delete {
	uint8_t protocol;	/* IKE: no SPI; ESP/AH: 4-byte SPIs */
	uint8_t spi_len;
	uint16_t n_spi;
	const uint8_t *spis;	/* n_spi * spi_len bytes, network order */
};

int ike_decode_delete(const struct ike_payload *pl, struct ike_delete *d);
/* TSi/TSr; whether start <= end is the policy layer's business. */
int ike_decode_ts(const struct ike_payload *pl, struct ike_ts_set *set);
/* SKF (RFC 7383): @rest is IV | ciphertext | ICV. */
int ike_decode_skf(const struct ike_payload *pl, uint16_t *frag_num, uint16_t *total,
		   const uint8_t **rest, size_t *len);

/* ---- Encoding ---- */

/*
 * Writes never go past @cap: the first error (IKE_E_OVERFLOW, or a bad
 * argument to an encoder) sticks in @err, later writes are dropped and
 * ike_w_finish() returns it.
 */
struct ike_writer {
	uint8_t *buf;
	size_t cap, len;
	int err;
	bool has_header;
	bool sealed;		/* an SK/SKF payload was written: nothing may follow */
	size_t next_off;	/* the next-payload byte to patch; SIZE_MAX = none */
	uint8_t first;		/* type of the first payload written */
};

void ike_w_init(struct ike_writer *w, uint8_t *buf, size_t cap);
/* Makes @err the writer's sticky error, unless it has one already. */
void ike_w_fail(struct ike_writer *w, int err);
/* Written as given, but next_payload and length are patched later. */
int ike_w_header(struct ike_writer *w, const struct ike_header *h);
/* Starts a payload, links it into the chain and returns its offset. */
size_t ike_w_begin(struct ike_writer *w, uint8_t type, bool critical);
/* Patches the length of the payload begun at @off. */
void ike_w_end(struct ike_writer *w, size_t off);
void ike_w_put(struct ike_writer *w, const void *data, size_t len);
void ike_w_u8(struct ike_writer *w, uint8_t v);
void ike_w_u16(struct ike_writer *w, uint16_t v);
void ike_w_u32(struct ike_writer *w, uint32_t v);
/* @len zero bytes; returns their offset, for the caller to fill later. */
size_t ike_w_reserve(struct ike_writer *w, size_t len);
/* Patches the header's length; the message length or the sticky error. */
int ike_w_finish(struct ike_writer *w);

/* Payload encoders; each returns the writer's error state (0 = fine). */
int ike_w_payload(struct ike_writer *w, uint8_t type, bool critical,
		  const void *body, size_t len);
int ike_w_sa(struct ike_writer *w, const struct ike_sa_offer *offer);
int ike_w_ke(struct ike_writer *w, uint16_t group, const void *data, size_t len);
int ike_w_nonce(struct ike_writer *w, const void *data, size_t len);
int ike_w_id(struct ike_writer *w, uint8_t type, const struct ike_id *id);
int ike_w_auth(struct ike_writer *w, uint8_t method, const void *data, size_t len);
int ike_w_cert(struct ike_writer *w, uint8_t encoding, const void *data, size_t len);
int ike_w_certreq(struct ike_writer *w, uint8_t encoding, const void *data, size_t len);
int ike_w_notify(struct ike_writer *w, uint8_t protocol, const void *spi,
		 uint8_t spi_len, uint16_t type, const void *data, size_t len);
int ike_w_delete(struct ike_writer *w, uint8_t protocol, uint8_t spi_len,
		 uint16_t n_spi, const void *spis);
int ike_w_ts(struct ike_writer *w, uint8_t type, const struct ike_ts_set *set);
int ike_w_vendor(struct ike_writer *w, const void *data, size_t len);

/*
 * The SK payload, last in the message: its next-payload names the first
 * inner payload (the inner writer's ->first). Reserves @body_len zero bytes
 * for IV | ciphertext | ICV and returns their offset (the crypto layer
 * fills them after ike_w_finish()); SIZE_MAX on error.
 */
size_t ike_w_sk(struct ike_writer *w, uint8_t inner_first, size_t body_len);
/* The same for an SKF payload; @inner_first is 0 unless @frag_num is 1. */
size_t ike_w_skf(struct ike_writer *w, uint8_t inner_first, uint16_t frag_num,
		 uint16_t total, size_t body_len);

/*
 * The ID payload body for @id (type, 3 reserved bytes, data), as the AUTH
 * octets of the local side need it: its length, 0 if @cap is too small.
 */
size_t ike_id_body(const struct ike_id *id, uint8_t *out, size_t cap);

/* ---- Debugging (describe.c) ---- */

const char *ike_exchange_name(uint8_t exchange);	/* NULL if unknown */
const char *ike_payload_name(uint8_t type);		/* NULL if unknown */
const char *ike_notify_name(uint16_t type);		/* NULL if unknown */
/* RFC 7296's name of an error notify type, for logs and status. */
const char *ike_error_name(uint16_t type);
/* The first notify of an error type (< 16384) in M, or 0. */
uint16_t ike_msg_error(const struct ike_msg *m);
/*
 * One line: "IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) ]". Names and
 * numbers only, never key material or nonces.
 */
void ike_msg_describe(const struct ike_msg *m, char *out, size_t size);

#endif
