// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the ISAKMP codec (tools/iked/ikev1/codec.c, describe.c):
 * messages assembled by hand from RFC 2408's layouts decode as they
 * should, the writer reproduces them byte for byte, and every malformed
 * form is refused with the error it deserves.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ikev1/codec.h"

/*
 * Main mode message 1, by hand: an SA with one proposal of one transform
 * (AES-CBC-256, SHA2-384, PSK, ECP-384, 86400 s: a TLV duration) and the
 * RFC 3947 vendor ID.
 */
static const uint8_t main_mode_1[] = {
	/* header: cookies, next SA, version 1.0, Main Mode, no flags, msgid 0, length */
	1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0,
	ISAKMP_PL_SA, 0x10, ISAKMP_XCHG_ID_PROT, 0, 0, 0, 0, 0, 0, 0, 0, 108,
	/* SA: next VID, length 60, DOI IPsec, SIT_IDENTITY_ONLY */
	ISAKMP_PL_VENDOR, 0, 0, 60, 0, 0, 0, 1, 0, 0, 0, 1,
	/* proposal: last, length 48, #1, ISAKMP, no SPI, one transform */
	0, 0, 0, 48, 1, ISAKMP_PROTO_ISAKMP, 0, 1,
	/* transform: last, length 40, #1, KEY_IKE */
	0, 0, 0, 40, 1, ISAKMP_TRANSFORM_KEY_IKE, 0, 0,
	0x80, ISAKMP_A1_ENCR, 0, ISAKMP_ENCR_AES_CBC,
	0x80, ISAKMP_A1_KEY_LENGTH, 0x01, 0x00,
	0x80, ISAKMP_A1_HASH, 0, ISAKMP_HASH_SHA2_384,
	0x80, ISAKMP_A1_AUTH, 0, ISAKMP_AUTH_PSK,
	0x80, ISAKMP_A1_GROUP, 0, 20,
	0x80, ISAKMP_A1_LIFE_TYPE, 0, ISAKMP_LIFE_SECONDS,
	0x00, ISAKMP_A1_LIFE_DURATION, 0, 4, 0x00, 0x01, 0x51, 0x80,
	/* VID: last, length 20, MD5("RFC 3947") */
	0, 0, 0, 20, 0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45,
	0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f,
};

/* A quick mode SA payload body: ESP AES-GCM-16-256, tunnel, 3600 s and 4608000 KB. */
static const uint8_t quick_sa_body[] = {
	0, 0, 0, 1, 0, 0, 0, 1,
	/* proposal: last, length 48, #1, ESP, 4-byte SPI, one transform */
	0, 0, 0, 48, 1, ISAKMP_PROTO_ESP, 4, 1, 0xc0, 0x01, 0xd0, 0x0d,
	/* transform: last, length 36, #1, ESP_AES_GCM_16 */
	0, 0, 0, 36, 1, ISAKMP_ESP_AES_GCM_16, 0, 0,
	0x80, ISAKMP_A2_LIFE_TYPE, 0, ISAKMP_LIFE_SECONDS,
	0x80, ISAKMP_A2_LIFE_DURATION, 0x0e, 0x10,
	0x80, ISAKMP_A2_LIFE_TYPE, 0, ISAKMP_LIFE_KILOBYTES,
	0x00, ISAKMP_A2_LIFE_DURATION, 0, 4, 0x00, 0x46, 0x50, 0x00,
	0x80, ISAKMP_A2_ENCAP_MODE, 0, ISAKMP_ENCAP_TUNNEL,
	0x80, ISAKMP_A2_KEY_LENGTH, 0x01, 0x00,
};

static struct ike_payload payload_of(uint8_t type, const void *body, size_t len)
{
	struct ike_payload pl = { .type = type, .body = body, .len = (uint16_t)len };

	return pl;
}

static void test_main_mode_1_decodes(void **state)
{
	static struct isakmp_sa_offer offer;
	const struct isakmp_transform *t;
	struct isakmp_msg m;

	(void)state;
	assert_int_equal(isakmp_parse_msg(main_mode_1, sizeof(main_mode_1), &m), 0);
	assert_int_equal(m.hdr.exchange, ISAKMP_XCHG_ID_PROT);
	assert_int_equal(m.hdr.version, ISAKMP_VERSION);
	assert_int_equal(m.n, 2);
	assert_int_equal(m.pl[0].type, ISAKMP_PL_SA);
	assert_int_equal(m.pl[0].offset, IKE_HDR_LEN);
	assert_int_equal(m.pl[0].len, 56);
	assert_int_equal(m.pl[1].type, ISAKMP_PL_VENDOR);
	assert_int_equal(m.pl[1].len, 16);
	assert_int_equal(m.chain_end, sizeof(main_mode_1));
	assert_ptr_equal(isakmp_msg_find(&m, ISAKMP_PL_VENDOR, NULL), &m.pl[1]);
	assert_null(isakmp_msg_find(&m, ISAKMP_PL_VENDOR, &m.pl[1]));

	assert_int_equal(isakmp_decode_sa(&m.pl[0], &offer), 0);
	assert_int_equal(offer.doi, ISAKMP_DOI_IPSEC);
	assert_int_equal(offer.n, 1);
	assert_int_equal(offer.p[0].num, 1);
	assert_int_equal(offer.p[0].protocol, ISAKMP_PROTO_ISAKMP);
	assert_int_equal(offer.p[0].spi_len, 0);
	assert_int_equal(offer.p[0].n_transforms, 1);
	t = &offer.t[offer.p[0].first];
	assert_false(t->unusable);
	assert_int_equal(t->id, ISAKMP_TRANSFORM_KEY_IKE);
	assert_int_equal(t->encr, ISAKMP_ENCR_AES_CBC);
	assert_int_equal(t->key_len, 256);
	assert_int_equal(t->hash, ISAKMP_HASH_SHA2_384);
	assert_int_equal(t->auth, ISAKMP_AUTH_PSK);
	assert_int_equal(t->group, 20);
	assert_int_equal(t->life_seconds, 86400);
	assert_int_equal(t->life_kbytes, 0);
}

/* The writer, given what was decoded, writes the same bytes. */
static void test_main_mode_1_written_identically(void **state)
{
	static struct isakmp_sa_offer offer;
	struct ike_header h = { .next_payload = 0, .version = ISAKMP_VERSION,
				.exchange = ISAKMP_XCHG_ID_PROT };
	struct isakmp_msg m;
	struct ike_writer w;
	uint8_t buf[256];

	(void)state;
	assert_int_equal(isakmp_parse_msg(main_mode_1, sizeof(main_mode_1), &m), 0);
	assert_int_equal(isakmp_decode_sa(&m.pl[0], &offer), 0);
	memcpy(h.spi_i, main_mode_1, 8);
	ike_w_init(&w, buf, sizeof(buf));
	ike_w_header(&w, &h);
	assert_int_equal(isakmp_w_sa(&w, &offer), 0);
	ike_w_payload(&w, ISAKMP_PL_VENDOR, false, m.pl[1].body, m.pl[1].len);
	assert_int_equal(ike_w_finish(&w), sizeof(main_mode_1));
	assert_memory_equal(buf, main_mode_1, sizeof(main_mode_1));
}

static void test_quick_mode_sa(void **state)
{
	struct ike_payload pl = payload_of(ISAKMP_PL_SA, quick_sa_body, sizeof(quick_sa_body));
	static struct isakmp_sa_offer offer;
	const struct isakmp_transform *t;
	struct ike_writer w;
	uint8_t buf[128];

	(void)state;
	assert_int_equal(isakmp_decode_sa(&pl, &offer), 0);
	assert_int_equal(offer.n, 1);
	assert_int_equal(offer.p[0].protocol, ISAKMP_PROTO_ESP);
	assert_int_equal(offer.p[0].spi_len, 4);
	assert_memory_equal(offer.p[0].spi, "\xc0\x01\xd0\x0d", 4);
	t = &offer.t[0];
	assert_false(t->unusable);
	assert_int_equal(t->id, ISAKMP_ESP_AES_GCM_16);
	assert_int_equal(t->life_seconds, 3600);
	assert_int_equal(t->life_kbytes, 4608000);
	assert_int_equal(t->encap, ISAKMP_ENCAP_TUNNEL);
	assert_int_equal(t->key_len, 256);
	assert_int_equal(t->auth_alg, 0);
	assert_int_equal(t->group, 0);

	ike_w_init(&w, buf, sizeof(buf));
	assert_int_equal(isakmp_w_sa(&w, &offer), 0);
	assert_int_equal(ike_w_finish(&w), IKE_GENERIC_HDR_LEN + sizeof(quick_sa_body));
	assert_memory_equal(buf + IKE_GENERIC_HDR_LEN, quick_sa_body, sizeof(quick_sa_body));
}

/* An SA body with one ESP transform carrying ATTRS. */
static int decode_esp_attrs(const uint8_t *attrs, size_t alen, struct isakmp_sa_offer *offer)
{
	uint8_t body[128] = { 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, ISAKMP_PROTO_ESP, 4, 1,
			      1, 2, 3, 4, 0, 0, 0, 0, 1, ISAKMP_ESP_AES_CBC, 0, 0 };
	struct ike_payload pl;
	size_t tlen = 8 + alen, plen = 12 + tlen;

	body[10] = (uint8_t)(plen >> 8);
	body[11] = (uint8_t)plen;
	body[22] = (uint8_t)(tlen >> 8);
	body[23] = (uint8_t)tlen;
	memcpy(body + 28, attrs, alen);
	pl = payload_of(ISAKMP_PL_SA, body, 8 + plen);
	return isakmp_decode_sa(&pl, offer);
}

static void test_attributes(void **state)
{
	static struct isakmp_sa_offer o;
	static const uint8_t unknown[] = { 0x80, 99, 0, 1, 0x80, ISAKMP_A2_ENCAP_MODE, 0, 1 };
	static const uint8_t twice[] = { 0x80, ISAKMP_A2_AUTH, 0, 2, 0x80, ISAKMP_A2_AUTH, 0, 5 };
	static const uint8_t zero[] = { 0x80, ISAKMP_A2_KEY_LENGTH, 0, 0 };
	static const uint8_t lone_duration[] = { 0x80, ISAKMP_A2_LIFE_DURATION, 0, 60 };
	static const uint8_t lone_type[] = { 0x80, ISAKMP_A2_LIFE_TYPE, 0, 1 };
	static const uint8_t bad_life_type[] = { 0x80, ISAKMP_A2_LIFE_TYPE, 0, 3,
						 0x80, ISAKMP_A2_LIFE_DURATION, 0, 60 };
	/* Eight octets with leading zeros fit; five significant ones do not. */
	static const uint8_t long_ok[] = { 0x80, ISAKMP_A2_LIFE_TYPE, 0, 1,
					   0, ISAKMP_A2_LIFE_DURATION, 0, 8,
					   0, 0, 0, 0, 0, 0, 0x1c, 0x20 };
	static const uint8_t too_big[] = { 0x80, ISAKMP_A2_LIFE_TYPE, 0, 1,
					   0, ISAKMP_A2_LIFE_DURATION, 0, 5, 1, 0, 0, 0, 0 };
	static const uint8_t tlv_past_end[] = { 0, ISAKMP_A2_LIFE_DURATION, 0, 8, 0, 0 };
	static const uint8_t half_header[] = { 0x80, ISAKMP_A2_AUTH };

	(void)state;
	assert_int_equal(decode_esp_attrs(unknown, sizeof(unknown), &o), 0);
	assert_true(o.t[0].unusable);
	assert_int_equal(o.t[0].encap, ISAKMP_ENCAP_TUNNEL);
	assert_int_equal(decode_esp_attrs(twice, sizeof(twice), &o), 0);
	assert_true(o.t[0].unusable);
	assert_int_equal(decode_esp_attrs(zero, sizeof(zero), &o), 0);
	assert_true(o.t[0].unusable);
	assert_int_equal(decode_esp_attrs(lone_duration, sizeof(lone_duration), &o), 0);
	assert_true(o.t[0].unusable);
	assert_int_equal(decode_esp_attrs(lone_type, sizeof(lone_type), &o), 0);
	assert_true(o.t[0].unusable);
	assert_int_equal(decode_esp_attrs(bad_life_type, sizeof(bad_life_type), &o), 0);
	assert_true(o.t[0].unusable);
	assert_int_equal(decode_esp_attrs(long_ok, sizeof(long_ok), &o), 0);
	assert_false(o.t[0].unusable);
	assert_int_equal(o.t[0].life_seconds, 7200);
	assert_int_equal(decode_esp_attrs(too_big, sizeof(too_big), &o), 0);
	assert_true(o.t[0].unusable);
	assert_int_equal(decode_esp_attrs(tlv_past_end, sizeof(tlv_past_end), &o),
			 IKE_E_TRUNCATED);
	assert_int_equal(decode_esp_attrs(half_header, sizeof(half_header), &o),
			 IKE_E_TRUNCATED);
}

static void test_bad_sa(void **state)
{
	static struct isakmp_sa_offer o;
	uint8_t b[sizeof(quick_sa_body)];
	struct ike_payload pl = payload_of(ISAKMP_PL_SA, b, sizeof(b));

	(void)state;
#define TRY(expect, offset, value) do {					\
		memcpy(b, quick_sa_body, sizeof(b));			\
		b[offset] = value;					\
		assert_int_equal(isakmp_decode_sa(&pl, &o), expect);	\
	} while (0)
	TRY(IKE_E_SYNTAX, 3, 2);		/* DOI 2 */
	assert_int_equal(o.doi, 2);
	TRY(IKE_E_SYNTAX, 7, 2);		/* situation SIT_SECRECY */
	TRY(IKE_E_SYNTAX, 8, ISAKMP_PL_TRANSFORM);	/* a proposal's next is a transform */
	TRY(IKE_E_TRUNCATED, 8, ISAKMP_PL_PROPOSAL);	/* another proposal, not there */
	TRY(IKE_E_BAD_LENGTH, 11, 7);		/* proposal shorter than its header */
	TRY(IKE_E_TRUNCATED, 11, 49);		/* past the SA */
	TRY(IKE_E_TRUNCATED, 11, 44);		/* its transform runs past it */
	TRY(IKE_E_SYNTAX, 14, 3);		/* ESP with a 3-byte SPI */
	TRY(IKE_E_SYNTAX, 15, 0);		/* no transform */
	TRY(IKE_E_SYNTAX, 15, 2);		/* two said, one there */
	TRY(IKE_E_SYNTAX, 20, ISAKMP_PL_TRANSFORM);	/* a second one, past the count */
	TRY(IKE_E_SYNTAX, 20, ISAKMP_PL_PROPOSAL);	/* a transform's next is a proposal */
	TRY(IKE_E_BAD_LENGTH, 23, 7);		/* transform shorter than its header */
	TRY(IKE_E_TRUNCATED, 23, 40);		/* past its proposal */
#undef TRY
	pl.len = 7;
	assert_int_equal(isakmp_decode_sa(&pl, &o), IKE_E_BAD_LENGTH);
	pl.len = 8;			/* no proposal at all */
	assert_int_equal(isakmp_decode_sa(&pl, &o), IKE_E_TRUNCATED);
}

/* An SA body of proposals with N[i] transforms each (protocol 9: no SPI). */
static size_t sa_of(uint8_t *body, const unsigned int *n, size_t count)
{
	size_t off = 8, i, j;

	memcpy(body, "\0\0\0\1\0\0\0\1", 8);
	for (i = 0; i < count; i++) {
		size_t start = off, len = 8 + 8 * n[i];
		uint8_t hdr[8] = { i + 1 < count ? ISAKMP_PL_PROPOSAL : 0, 0, (uint8_t)(len >> 8),
				   (uint8_t)len, 1, 9, 0, (uint8_t)n[i] };

		memcpy(body + off, hdr, 8);
		off += 8;
		for (j = 0; j < n[i]; j++) {
			uint8_t t[8] = { j + 1 < n[i] ? ISAKMP_PL_TRANSFORM : 0, 0, 0, 8,
					 (uint8_t)(j + 1), 12, 0, 0 };

			memcpy(body + off, t, 8);
			off += 8;
		}
		assert_int_equal(off - start, len);
	}
	return off;
}

/* 17 proposals, or 257 transforms over all proposals, are more than an offer holds. */
static void test_too_many(void **state)
{
	static const unsigned int seventeen[17] = { 1, 1, 1, 1, 1, 1, 1, 1, 1,
						    1, 1, 1, 1, 1, 1, 1, 1 };
	static const unsigned int fits[2] = { 255, 1 }, too_many[2] = { 255, 2 };
	static uint8_t body[8192];
	static struct isakmp_sa_offer o;
	struct ike_payload pl;

	(void)state;
	pl = payload_of(ISAKMP_PL_SA, body, sa_of(body, seventeen, 16));
	assert_int_equal(isakmp_decode_sa(&pl, &o), 0);
	assert_int_equal(o.n, 16);
	pl = payload_of(ISAKMP_PL_SA, body, sa_of(body, seventeen, 17));
	assert_int_equal(isakmp_decode_sa(&pl, &o), IKE_E_TOO_MANY);
	pl = payload_of(ISAKMP_PL_SA, body, sa_of(body, fits, 2));
	assert_int_equal(isakmp_decode_sa(&pl, &o), 0);
	assert_int_equal(o.n_t, ISAKMP_MAX_TRANSFORMS);
	assert_int_equal(o.p[1].first, 255);
	assert_int_equal(o.t[254].num, 255);
	pl = payload_of(ISAKMP_PL_SA, body, sa_of(body, too_many, 2));
	assert_int_equal(isakmp_decode_sa(&pl, &o), IKE_E_TOO_MANY);
}

static void test_header_rejects(void **state)
{
	uint8_t b[sizeof(main_mode_1)];
	struct isakmp_msg m;

	(void)state;
	assert_int_equal(isakmp_parse_msg(main_mode_1, IKE_HDR_LEN - 1, &m), IKE_E_TRUNCATED);
	assert_int_equal(isakmp_parse_msg(main_mode_1, sizeof(b) - 1, &m), IKE_E_TRUNCATED);
	memcpy(b, main_mode_1, sizeof(b));
	b[27] = 107;
	assert_int_equal(isakmp_parse_msg(b, sizeof(b), &m), IKE_E_BAD_LENGTH);
	memcpy(b, main_mode_1, sizeof(b));
	b[17] = 0x20;			/* an IKEv2 message */
	assert_int_equal(isakmp_parse_msg(b, sizeof(b), &m), IKE_E_VERSION);
	assert_int_equal(isakmp_err_notify(IKE_E_VERSION), ISAKMP_N_INVALID_MAJOR_VERSION);
	b[17] = 0x11;			/* minor version 1 */
	assert_int_equal(isakmp_parse_msg(b, sizeof(b), &m), IKE_E_VERSION);
	memcpy(b, main_mode_1, sizeof(b));
	b[19] = 0x08;			/* IKEv2's initiator flag */
	assert_int_equal(isakmp_parse_msg(b, sizeof(b), &m), IKE_E_SYNTAX);
	b[19] = ISAKMP_FLAG_ENCRYPTION;	/* the chain is left to the caller */
	assert_int_equal(isakmp_parse_msg(b, sizeof(b), &m), 0);
	assert_int_equal(m.n, 0);
}

static void test_chain_rejects(void **state)
{
	uint8_t b[sizeof(main_mode_1) + 8];
	struct isakmp_msg m;

	(void)state;
	memcpy(b, main_mode_1, sizeof(main_mode_1));
	b[16] = 14;			/* no such payload type */
	assert_int_equal(isakmp_parse_msg(b, sizeof(main_mode_1), &m), IKE_E_PAYLOAD_TYPE);
	assert_int_equal(isakmp_err_notify(IKE_E_PAYLOAD_TYPE), ISAKMP_N_INVALID_PAYLOAD_TYPE);
	b[16] = ISAKMP_PL_PROPOSAL;	/* only inside an SA */
	assert_int_equal(isakmp_parse_msg(b, sizeof(main_mode_1), &m), IKE_E_PAYLOAD_TYPE);
	b[16] = ISAKMP_PL_TRANSFORM;
	assert_int_equal(isakmp_parse_msg(b, sizeof(main_mode_1), &m), IKE_E_PAYLOAD_TYPE);
	b[16] = 46;			/* IKEv2's SK */
	assert_int_equal(isakmp_parse_msg(b, sizeof(main_mode_1), &m), IKE_E_PAYLOAD_TYPE);
	memcpy(b, main_mode_1, sizeof(main_mode_1));
	b[31] = 3;			/* SA length under the generic header */
	assert_int_equal(isakmp_parse_msg(b, sizeof(main_mode_1), &m), IKE_E_BAD_LENGTH);
	b[31] = 81;			/* past the end */
	assert_int_equal(isakmp_parse_msg(b, sizeof(main_mode_1), &m), IKE_E_TRUNCATED);
	memcpy(b, main_mode_1, sizeof(main_mode_1));
	b[88] = ISAKMP_PL_NONCE;	/* VID says a nonce follows: nothing does */
	assert_int_equal(isakmp_parse_msg(b, sizeof(main_mode_1), &m), IKE_E_TRUNCATED);

	/* Bytes after the chain: an error in the clear, padding once decrypted. */
	memcpy(b, main_mode_1, sizeof(main_mode_1));
	memset(b + sizeof(main_mode_1), 0, 8);
	assert_int_equal(isakmp_parse_payloads(b + IKE_HDR_LEN, sizeof(b) - IKE_HDR_LEN,
					       ISAKMP_PL_SA, IKE_HDR_LEN, false, &m),
			 IKE_E_BAD_LENGTH);
	assert_int_equal(isakmp_parse_payloads(b + IKE_HDR_LEN, sizeof(b) - IKE_HDR_LEN,
					       ISAKMP_PL_SA, IKE_HDR_LEN, true, &m), 0);
	assert_int_equal(m.n, 2);
	assert_int_equal(m.chain_end, sizeof(main_mode_1));
}

/* 64 payloads fit a message, the 65th does not. */
static void test_payload_count(void **state)
{
	static uint8_t b[IKE_GENERIC_HDR_LEN * (IKE_MAX_PAYLOADS + 1)];
	struct isakmp_msg m;
	size_t i;

	(void)state;
	for (i = 0; i < IKE_MAX_PAYLOADS + 1; i++) {
		b[i * 4] = ISAKMP_PL_VENDOR;
		b[i * 4 + 3] = IKE_GENERIC_HDR_LEN;
	}
	b[(IKE_MAX_PAYLOADS - 1) * 4] = 0;
	assert_int_equal(isakmp_parse_payloads(b, IKE_MAX_PAYLOADS * 4, ISAKMP_PL_VENDOR, 0,
					       false, &m), 0);
	assert_int_equal(m.n, IKE_MAX_PAYLOADS);
	b[(IKE_MAX_PAYLOADS - 1) * 4] = ISAKMP_PL_VENDOR;
	b[IKE_MAX_PAYLOADS * 4] = 0;
	assert_int_equal(isakmp_parse_payloads(b, sizeof(b), ISAKMP_PL_VENDOR, 0, false, &m),
			 IKE_E_TOO_MANY);
}

static void test_ids(void **state)
{
	static const uint8_t v4_subnet[] = { ISAKMP_ID_IPV4_ADDR_SUBNET, 6, 0, 80,
					     192, 168, 1, 77, 255, 255, 255, 0 };
	static const uint8_t v4_range[] = { ISAKMP_ID_IPV4_ADDR_RANGE, 0, 0, 0,
					    10, 0, 0, 5, 10, 0, 0, 9 };
	static const uint8_t fqdn[] = { ISAKMP_ID_FQDN, 17, 1, 244, 'g', 'w', '.', 'e', 'x' };
	struct ike_payload pl = payload_of(ISAKMP_PL_ID, v4_subnet, sizeof(v4_subnet));
	struct isakmp_id id;
	struct ike_ts ts;
	static struct ike_id who;

	(void)state;
	assert_int_equal(isakmp_decode_id(&pl, &id), 0);
	assert_int_equal(id.protocol, 6);
	assert_int_equal(id.port, 80);
	assert_int_equal(isakmp_id_to_ts(&id, &ts), 0);
	assert_int_equal(ts.type, IKE_TS_IPV4_ADDR_RANGE);
	assert_int_equal(ts.ip_proto, 6);
	assert_int_equal(ts.start_port, 80);
	assert_int_equal(ts.end_port, 80);
	assert_memory_equal(ts.start_addr, "\xc0\xa8\x01\x00", 4);
	assert_memory_equal(ts.end_addr, "\xc0\xa8\x01\xff", 4);
	assert_int_equal(isakmp_id_to_ike_id(&id, &who), IKE_E_SYNTAX);

	pl = payload_of(ISAKMP_PL_ID, v4_range, sizeof(v4_range));
	assert_int_equal(isakmp_decode_id(&pl, &id), 0);
	assert_int_equal(isakmp_id_to_ts(&id, &ts), 0);
	assert_int_equal(ts.ip_proto, 0);
	assert_int_equal(ts.start_port, 0);
	assert_int_equal(ts.end_port, 65535);
	assert_memory_equal(ts.start_addr, "\x0a\0\0\x05", 4);
	assert_memory_equal(ts.end_addr, "\x0a\0\0\x09", 4);

	pl = payload_of(ISAKMP_PL_ID, fqdn, sizeof(fqdn));
	assert_int_equal(isakmp_decode_id(&pl, &id), 0);
	assert_int_equal(id.port, 500);
	assert_int_equal(isakmp_id_to_ike_id(&id, &who), 0);
	assert_int_equal(who.type, ISAKMP_ID_FQDN);
	assert_int_equal(who.len, 5);
	assert_memory_equal(who.data, "gw.ex", 5);
	assert_int_equal(isakmp_id_to_ts(&id, &ts), IKE_E_SYNTAX);
}

static void test_bad_ids(void **state)
{
	uint8_t b[36] = { 0 };
	struct ike_payload pl = payload_of(ISAKMP_PL_ID, b, 8);
	struct isakmp_id id;
	struct ike_ts ts;

	(void)state;
	b[0] = ISAKMP_ID_IPV4_ADDR;
	assert_int_equal(isakmp_decode_id(&pl, &id), 0);
	pl.len = 9;
	assert_int_equal(isakmp_decode_id(&pl, &id), IKE_E_BAD_LENGTH);
	pl.len = 4;			/* a type and no data */
	assert_int_equal(isakmp_decode_id(&pl, &id), IKE_E_BAD_LENGTH);
	b[0] = 12;			/* no such type */
	pl.len = 8;
	assert_int_equal(isakmp_decode_id(&pl, &id), IKE_E_SYNTAX);
	b[0] = ISAKMP_ID_IPV6_ADDR_SUBNET;
	pl.len = 36;
	memset(b + 20, 0xff, 8);
	b[28] = 0x0f;			/* a hole in the mask */
	assert_int_equal(isakmp_decode_id(&pl, &id), 0);
	assert_int_equal(isakmp_id_to_ts(&id, &ts), IKE_E_SYNTAX);
	b[28] = 0xf0;
	assert_int_equal(isakmp_id_to_ts(&id, &ts), 0);
	assert_int_equal(ts.type, IKE_TS_IPV6_ADDR_RANGE);
	assert_int_equal(ts.end_addr[8], 0x0f);
	assert_int_equal(ts.end_addr[15], 0xff);
	b[0] = ISAKMP_ID_IPV4_ADDR_RANGE;
	pl.len = 12;
	b[4] = 10;			/* 10.0.0.0 - 9.0.0.0: backwards */
	b[8] = 9;
	assert_int_equal(isakmp_decode_id(&pl, &id), 0);
	assert_int_equal(isakmp_id_to_ts(&id, &ts), IKE_E_SYNTAX);
}

/* A selector goes out as the tightest ID and comes back the same. */
static void test_id_from_ts(void **state)
{
	static const struct {
		uint8_t start[4], end[4];
		uint8_t type;
	} cases[] = {
		{ { 10, 1, 2, 3 }, { 10, 1, 2, 3 }, ISAKMP_ID_IPV4_ADDR },
		{ { 10, 1, 0, 0 }, { 10, 1, 255, 255 }, ISAKMP_ID_IPV4_ADDR_SUBNET },
		{ { 0, 0, 0, 0 }, { 255, 255, 255, 255 }, ISAKMP_ID_IPV4_ADDR_SUBNET },
		{ { 10, 1, 0, 1 }, { 10, 1, 0, 200 }, ISAKMP_ID_IPV4_ADDR_RANGE },
		{ { 10, 1, 0, 0 }, { 10, 1, 0, 254 }, ISAKMP_ID_IPV4_ADDR_RANGE },
	};
	struct ike_ts ts = { .type = IKE_TS_IPV4_ADDR_RANGE, .ip_proto = 17,
			     .start_port = 0, .end_port = 65535 }, back;
	struct isakmp_msg m;
	struct isakmp_id id;
	struct ike_writer w;
	uint8_t buf[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memcpy(ts.start_addr, cases[i].start, 4);
		memcpy(ts.end_addr, cases[i].end, 4);
		ike_w_init(&w, buf, sizeof(buf));
		assert_int_equal(isakmp_w_id_ts(&w, &ts), 0);
		assert_true(ike_w_finish(&w) > 0);
		assert_int_equal(isakmp_parse_payloads(buf, w.len, ISAKMP_PL_ID, 0, false, &m), 0);
		assert_int_equal(isakmp_decode_id(&m.pl[0], &id), 0);
		assert_int_equal(id.type, cases[i].type);
		assert_int_equal(isakmp_id_to_ts(&id, &back), 0);
		assert_memory_equal(&back, &ts, sizeof(ts));
	}
	/* One port goes as itself; a range of ports cannot be said. */
	ts.start_port = ts.end_port = 4500;
	ike_w_init(&w, buf, sizeof(buf));
	assert_int_equal(isakmp_w_id_ts(&w, &ts), 0);
	ts.end_port = 4501;
	ike_w_init(&w, buf, sizeof(buf));
	assert_int_equal(isakmp_w_id_ts(&w, &ts), IKE_E_SYNTAX);
	assert_int_equal(ike_w_finish(&w), IKE_E_SYNTAX);
}

static void test_notify_delete(void **state)
{
	static const uint8_t spis[8] = { 0xca, 0xfe, 0, 1, 0xca, 0xfe, 0, 2 };
	uint8_t cookies[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	struct isakmp_notify n;
	struct isakmp_delete d;
	struct isakmp_msg m;
	struct ike_writer w;
	uint8_t buf[128];
	int len;

	(void)state;
	ike_w_init(&w, buf, sizeof(buf));
	isakmp_w_notify(&w, ISAKMP_DOI_IPSEC, ISAKMP_PROTO_ISAKMP, cookies, 16,
			ISAKMP_N_DPD_R_U_THERE, "\0\0\0\x2a", 4);
	isakmp_w_delete(&w, ISAKMP_PROTO_ESP, 4, 2, spis);
	isakmp_w_delete(&w, ISAKMP_PROTO_ISAKMP, 16, 1, cookies);
	len = ike_w_finish(&w);
	assert_true(len > 0);
	assert_int_equal(isakmp_parse_payloads(buf, (size_t)len, w.first, 0, false, &m), 0);
	assert_int_equal(m.n, 3);
	assert_int_equal(isakmp_decode_notify(&m.pl[0], &n), 0);
	assert_int_equal(n.type, ISAKMP_N_DPD_R_U_THERE);
	assert_int_equal(n.spi_len, 16);
	assert_memory_equal(n.spi, cookies, 16);
	assert_int_equal(n.len, 4);
	assert_int_equal(n.data[3], 42);
	assert_int_equal(isakmp_decode_delete(&m.pl[1], &d), 0);
	assert_int_equal(d.protocol, ISAKMP_PROTO_ESP);
	assert_int_equal(d.n_spi, 2);
	assert_memory_equal(d.spis, spis, 8);
	assert_int_equal(isakmp_decode_delete(&m.pl[2], &d), 0);
	assert_int_equal(d.spi_len, 16);

	/* Encoders refuse what decoders would. */
	ike_w_init(&w, buf, sizeof(buf));
	assert_int_equal(isakmp_w_delete(&w, ISAKMP_PROTO_ESP, 4, 0, spis), IKE_E_SYNTAX);
	ike_w_init(&w, buf, sizeof(buf));
	assert_int_equal(isakmp_w_delete(&w, ISAKMP_PROTO_ISAKMP, 8, 1, spis), IKE_E_SYNTAX);
	ike_w_init(&w, buf, sizeof(buf));
	assert_int_equal(isakmp_w_notify(&w, 1, 3, spis, 5, 1, NULL, 0), IKE_E_SYNTAX);
	ike_w_init(&w, buf, 20);	/* exactly a delete of two SPIs */
	assert_int_equal(isakmp_w_delete(&w, ISAKMP_PROTO_ESP, 4, 2, spis), 0);
	ike_w_init(&w, buf, 19);
	assert_int_equal(isakmp_w_delete(&w, ISAKMP_PROTO_ESP, 4, 2, spis), IKE_E_OVERFLOW);
}

static void test_bad_notify_delete(void **state)
{
	uint8_t b[32] = { 0, 0, 0, 1, ISAKMP_PROTO_ESP, 4, 0, 1, 1, 2, 3, 4 };
	struct ike_payload pl = payload_of(ISAKMP_PL_DELETE, b, 12);
	struct isakmp_notify n;
	struct isakmp_delete d;

	(void)state;
	assert_int_equal(isakmp_decode_delete(&pl, &d), 0);
	pl.len = 13;			/* one byte more than one SPI */
	assert_int_equal(isakmp_decode_delete(&pl, &d), IKE_E_BAD_LENGTH);
	pl.len = 7;
	assert_int_equal(isakmp_decode_delete(&pl, &d), IKE_E_BAD_LENGTH);
	pl.len = 12;
	b[7] = 0;			/* no SPI */
	assert_int_equal(isakmp_decode_delete(&pl, &d), IKE_E_SYNTAX);
	b[7] = 1;
	b[5] = 8;			/* ESP with 8-byte SPIs */
	assert_int_equal(isakmp_decode_delete(&pl, &d), IKE_E_SYNTAX);
	b[5] = 4;
	b[3] = 0;			/* DOI 0 */
	assert_int_equal(isakmp_decode_delete(&pl, &d), IKE_E_SYNTAX);

	pl = payload_of(ISAKMP_PL_NOTIFY, b, 12);
	b[3] = 1;
	b[6] = 0;
	b[7] = ISAKMP_N_INVALID_SPI;
	assert_int_equal(isakmp_decode_notify(&pl, &n), 0);
	assert_int_equal(n.len, 0);
	pl.len = 11;			/* the SPI cut short */
	assert_int_equal(isakmp_decode_notify(&pl, &n), IKE_E_BAD_LENGTH);
	pl.len = 12;
	b[5] = 5;
	assert_int_equal(isakmp_decode_notify(&pl, &n), IKE_E_SYNTAX);
	b[5] = 4;
	b[0] = 1;			/* DOI 0x01000001 */
	assert_int_equal(isakmp_decode_notify(&pl, &n), IKE_E_SYNTAX);
}

static void test_small_payloads(void **state)
{
	static uint8_t b[300];
	struct ike_payload pl = payload_of(ISAKMP_PL_NONCE, b, 8);
	const uint8_t *data;
	uint8_t octet;
	size_t len;

	(void)state;
	assert_int_equal(isakmp_decode_nonce(&pl, &data, &len), 0);
	pl.len = 7;
	assert_int_equal(isakmp_decode_nonce(&pl, &data, &len), IKE_E_BAD_LENGTH);
	pl.len = 256;
	assert_int_equal(isakmp_decode_nonce(&pl, &data, &len), 0);
	pl.len = 257;
	assert_int_equal(isakmp_decode_nonce(&pl, &data, &len), IKE_E_BAD_LENGTH);
	pl.len = 0;
	assert_int_equal(isakmp_decode_ke(&pl, &data, &len), IKE_E_BAD_LENGTH);
	assert_int_equal(isakmp_decode_hash(&pl, &data, &len), IKE_E_BAD_LENGTH);
	assert_int_equal(isakmp_decode_sig(&pl, &data, &len), IKE_E_BAD_LENGTH);
	pl.len = 65;
	assert_int_equal(isakmp_decode_hash(&pl, &data, &len), IKE_E_BAD_LENGTH);
	pl.len = 1;
	assert_int_equal(isakmp_decode_cert(&pl, &octet, &data, &len), IKE_E_BAD_LENGTH);
	assert_int_equal(isakmp_decode_cr(&pl, &octet, &data, &len), 0);
	assert_int_equal(len, 0);

	b[0] = ISAKMP_ID_IPV4_ADDR;
	pl.len = 8;
	assert_int_equal(isakmp_decode_nat_oa(&pl, &octet, &data, &len), 0);
	assert_int_equal(len, 4);
	pl.len = 9;
	assert_int_equal(isakmp_decode_nat_oa(&pl, &octet, &data, &len), IKE_E_BAD_LENGTH);
	b[0] = ISAKMP_ID_FQDN;
	assert_int_equal(isakmp_decode_nat_oa(&pl, &octet, &data, &len), IKE_E_SYNTAX);
	pl.len = 3;
	assert_int_equal(isakmp_decode_nat_oa(&pl, &octet, &data, &len), IKE_E_BAD_LENGTH);
}

static void test_describe(void **state)
{
	uint8_t b[sizeof(main_mode_1)];
	struct isakmp_msg m;
	char line[128];

	(void)state;
	assert_int_equal(isakmp_parse_msg(main_mode_1, sizeof(main_mode_1), &m), 0);
	isakmp_msg_describe(&m, line, sizeof(line));
	assert_string_equal(line, "Main Mode msgid 00000000 [ SA V ]");
	memcpy(b, main_mode_1, sizeof(b));
	b[19] = ISAKMP_FLAG_ENCRYPTION;
	b[18] = ISAKMP_XCHG_QUICK;
	assert_int_equal(isakmp_parse_msg(b, sizeof(b), &m), 0);
	isakmp_msg_describe(&m, line, sizeof(line));
	assert_string_equal(line, "Quick Mode msgid 00000000 encrypted");
	isakmp_msg_describe(&m, line, 6);
	assert_string_equal(line, "Quick");
	assert_string_equal(isakmp_notify_name(ISAKMP_N_DPD_R_U_THERE_ACK), "R-U-THERE-ACK");
	assert_null(isakmp_exchange_name(34));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_main_mode_1_decodes),
		cmocka_unit_test(test_main_mode_1_written_identically),
		cmocka_unit_test(test_quick_mode_sa),
		cmocka_unit_test(test_attributes),
		cmocka_unit_test(test_bad_sa),
		cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_header_rejects),
		cmocka_unit_test(test_chain_rejects),
		cmocka_unit_test(test_payload_count),
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_bad_ids),
		cmocka_unit_test(test_id_from_ts),
		cmocka_unit_test(test_notify_delete),
		cmocka_unit_test(test_bad_notify_delete),
		cmocka_unit_test(test_small_payloads),
		cmocka_unit_test(test_describe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
