// SPDX-License-Identifier: GPL-2.0
/* Unit tests for the IKEv2 message codec (tools/iked/codec.c, describe.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ikev2/codec.h"

static const uint8_t spi_i[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static const uint8_t spi_r[8] = { 9, 10, 11, 12, 13, 14, 15, 16 };

static struct ike_payload payload_of(uint8_t type, const uint8_t *body, size_t len)
{
	struct ike_payload pl = { .type = type, .body = body, .len = (uint16_t)len };

	return pl;
}

/* Encodes nothing but the payload @enc writes, and parses it back. */
static void parse_single(const uint8_t *buf, int len, uint8_t first, struct ike_msg *m)
{
	assert_true(len > 0);
	assert_int_equal(ike_parse_payloads(buf, len, first, 0, m), 0);
	assert_int_equal(m->n, 1);
	assert_int_equal(m->pl[0].type, first);
	assert_int_equal(m->pl[0].offset, 0);
}

static struct ike_sa_offer example_offer(void)
{
	struct ike_sa_offer o;

	memset(&o, 0, sizeof(o));
	o.n = 2;
	o.p[0].num = 1;
	o.p[0].protocol = IKE_PROTO_IKE;
	o.p[0].n_transforms = 4;
	o.p[0].t[0] = (struct ike_transform){ IKE_TRANS_ENCR, false, IKE_ENCR_AES_GCM_16, 256 };
	o.p[0].t[1] = (struct ike_transform){ IKE_TRANS_PRF, false, IKE_PRF_HMAC_SHA2_384, 0 };
	o.p[0].t[2] = (struct ike_transform){ IKE_TRANS_DH, false, IKE_DH_ECP384, 0 };
	o.p[0].t[3] = (struct ike_transform){ IKE_TRANS_DH, false, IKE_DH_CURVE25519, 0 };
	o.p[1].num = 2;
	o.p[1].protocol = IKE_PROTO_ESP;
	o.p[1].spi_len = 4;
	memcpy(o.p[1].spi, "\xc0\x01\xd0\x0d", 4);
	o.p[1].n_transforms = 3;
	o.p[1].t[0] = (struct ike_transform){ IKE_TRANS_ENCR, false, IKE_ENCR_AES_CBC, 128 };
	o.p[1].t[1] = (struct ike_transform){ IKE_TRANS_INTEG, false,
					      IKE_INTEG_HMAC_SHA2_256_128, 0 };
	o.p[1].t[2] = (struct ike_transform){ IKE_TRANS_ESN, false, IKE_ESN_NO, 0 };
	return o;
}

/* ---- Header ---- */

static void test_header(void **state)
{
	struct ike_header h = { .version = IKE_VERSION_2, .exchange = IKE_SA_INIT,
				.flags = IKE_FLAG_INITIATOR, .msgid = 0x01020304 };
	struct ike_header got;
	struct ike_writer w;
	uint8_t buf[64];
	int len;

	(void)state;
	memcpy(h.spi_i, spi_i, 8);
	memcpy(h.spi_r, spi_r, 8);
	ike_w_init(&w, buf, sizeof(buf));
	assert_int_equal(ike_w_header(&w, &h), 0);
	len = ike_w_finish(&w);
	assert_int_equal(len, IKE_HDR_LEN);
	assert_int_equal(ike_parse_header(buf, len, &got), 0);
	assert_memory_equal(got.spi_i, spi_i, 8);
	assert_memory_equal(got.spi_r, spi_r, 8);
	assert_int_equal(got.next_payload, IKE_PL_NONE);
	assert_int_equal(got.version, IKE_VERSION_2);
	assert_int_equal(got.exchange, IKE_SA_INIT);
	assert_int_equal(got.flags, IKE_FLAG_INITIATOR);
	assert_int_equal(got.msgid, 0x01020304);
	assert_int_equal(got.length, IKE_HDR_LEN);

	/* Truncated header, and length fields that disagree with the datagram. */
	assert_int_equal(ike_parse_header(buf, IKE_HDR_LEN - 1, &got), IKE_E_TRUNCATED);
	buf[27] = IKE_HDR_LEN + 1;
	assert_int_equal(ike_parse_header(buf, IKE_HDR_LEN, &got), IKE_E_TRUNCATED);
	buf[27] = IKE_HDR_LEN;
	assert_int_equal(ike_parse_header(buf, IKE_HDR_LEN + 4, &got), IKE_E_BAD_LENGTH);

	/* A newer minor version is fine; another major version is not. */
	buf[17] = 0x21;
	assert_int_equal(ike_parse_header(buf, IKE_HDR_LEN, &got), 0);
	buf[17] = 0x10;
	memset(&got, 0, sizeof(got));
	assert_int_equal(ike_parse_header(buf, IKE_HDR_LEN, &got), IKE_E_VERSION);
	/* ... and the header is still there to answer from. */
	assert_memory_equal(got.spi_i, spi_i, 8);
	assert_int_equal(got.msgid, 0x01020304);
	assert_int_equal(ike_err_notify(IKE_E_VERSION), IKE_N_INVALID_MAJOR_VERSION);

	/* Only one header, and only first. */
	assert_int_equal(ike_w_header(&w, &h), IKE_E_SYNTAX);
}

/* ---- Round trips of every payload ---- */

static void test_sa_roundtrip(void **state)
{
	struct ike_sa_offer in = example_offer(), out;
	struct ike_writer w;
	struct ike_msg m;
	uint8_t buf[512];

	(void)state;
	ike_w_init(&w, buf, sizeof(buf));
	assert_int_equal(ike_w_sa(&w, &in), 0);
	parse_single(buf, ike_w_finish(&w), IKE_PL_SA, &m);
	memset(&out, 0xff, sizeof(out));
	assert_int_equal(ike_decode_sa(&m.pl[0], &out), 0);
	assert_memory_equal(&in, &out, sizeof(in));

	/* A reply carries one proposal with the number it accepted. */
	in.n = 1;
	in.p[0] = in.p[1];
	in.p[0].num = 2;
	memset(&in.p[1], 0, sizeof(in.p[1]));
	ike_w_init(&w, buf, sizeof(buf));
	assert_int_equal(ike_w_sa(&w, &in), 0);
	parse_single(buf, ike_w_finish(&w), IKE_PL_SA, &m);
	assert_int_equal(ike_decode_sa(&m.pl[0], &out), 0);
	assert_memory_equal(&in, &out, sizeof(in));
}

static void test_ke_nonce_roundtrip(void **state)
{
	uint8_t ke[97], nonce[IKE_NONCE_MAX], buf[512];
	const uint8_t *data;
	struct ike_writer w;
	struct ike_msg m;
	uint16_t group;
	size_t len;

	(void)state;
	memset(ke, 0x42, sizeof(ke));
	memset(nonce, 0x17, sizeof(nonce));
	ike_w_init(&w, buf, sizeof(buf));
	assert_int_equal(ike_w_ke(&w, IKE_DH_ECP384, ke, sizeof(ke)), 0);
	parse_single(buf, ike_w_finish(&w), IKE_PL_KE, &m);
	assert_int_equal(ike_decode_ke(&m.pl[0], &group, &data, &len), 0);
	assert_int_equal(group, IKE_DH_ECP384);
	assert_int_equal(len, sizeof(ke));
	assert_memory_equal(data, ke, len);

	ike_w_init(&w, buf, sizeof(buf));
	assert_int_equal(ike_w_nonce(&w, nonce, 32), 0);
	parse_single(buf, ike_w_finish(&w), IKE_PL_NONCE, &m);
	assert_int_equal(ike_decode_nonce(&m.pl[0], &data, &len), 0);
	assert_int_equal(len, 32);
	assert_memory_equal(data, nonce, len);
}

static void id_roundtrip(uint8_t pl_type, uint8_t id_type, const void *data, size_t len)
{
	struct ike_id in = { .type = id_type, .len = (uint16_t)len }, out;
	uint8_t buf[IKE_MAX_ID_LEN + 64], body[IKE_MAX_ID_LEN + 4];
	struct ike_writer w;
	struct ike_msg m;

	memcpy(in.data, data, len);
	ike_w_init(&w, buf, sizeof(buf));
	assert_int_equal(ike_w_id(&w, pl_type, &in), 0);
	parse_single(buf, ike_w_finish(&w), pl_type, &m);
	assert_int_equal(ike_decode_id(&m.pl[0], &out), 0);
	assert_int_equal(out.type, id_type);
	assert_int_equal(out.len, len);
	assert_memory_equal(out.data, data, len);
	/* What AUTH signs: the body as sent equals the body built locally. */
	assert_int_equal(ike_id_body(&in, body, sizeof(body)), m.pl[0].len);
	assert_memory_equal(body, m.pl[0].body, m.pl[0].len);
	assert_int_equal(ike_id_body(&in, body, len + 3), 0);
}

static void test_id_roundtrip(void **state)
{
	static uint8_t big[IKE_MAX_ID_LEN];

	(void)state;
	memset(big, 'x', sizeof(big));
	id_roundtrip(IKE_PL_IDI, IKE_ID_IPV4_ADDR, "\xc0\x00\x02\x01", 4);
	id_roundtrip(IKE_PL_IDR, IKE_ID_IPV6_ADDR,
		     "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\1", 16);
	id_roundtrip(IKE_PL_IDI, IKE_ID_FQDN, "vpn.example.org", 15);
	id_roundtrip(IKE_PL_IDR, IKE_ID_RFC822_ADDR, "a@example.org", 13);
	id_roundtrip(IKE_PL_IDI, IKE_ID_KEY_ID, "k", 1);
	id_roundtrip(IKE_PL_IDI, IKE_ID_DER_ASN1_DN, big, sizeof(big));
}

static void test_auth_cert_roundtrip(void **state)
{
	uint8_t sig[64], cert[300], cas[2 * IKE_SHA1_LEN], buf[1024];
	const uint8_t *data;
	struct ike_writer w;
	struct ike_msg m;
	uint8_t octet;
	size_t len;

	(void)state;
	memset(sig, 0xaa, sizeof(sig));
	memset(cert, 0x30, sizeof(cert));
	memset(cas, 0x5c, sizeof(cas));
	ike_w_init(&w, buf, sizeof(buf));
	assert_int_equal(ike_w_auth(&w, IKE_AUTH_PSK, sig, sizeof(sig)), 0);
	assert_int_equal(ike_w_cert(&w, IKE_CERT_X509_SIG, cert, sizeof(cert)), 0);
	assert_int_equal(ike_w_certreq(&w, IKE_CERT_X509_SIG, cas, sizeof(cas)), 0);
	assert_int_equal(ike_w_certreq(&w, IKE_CERT_X509_SIG, NULL, 0), 0);
	len = ike_w_finish(&w);
	assert_int_equal(ike_parse_payloads(buf, len, w.first, 0, &m), 0);
	assert_int_equal(m.n, 4);

	assert_int_equal(ike_decode_auth(&m.pl[0], &octet, &data, &len), 0);
	assert_int_equal(octet, IKE_AUTH_PSK);
	assert_int_equal(len, sizeof(sig));
	assert_memory_equal(data, sig, len);
	assert_int_equal(ike_decode_cert(&m.pl[1], &octet, &data, &len), 0);
	assert_int_equal(octet, IKE_CERT_X509_SIG);
	assert_int_equal(len, sizeof(cert));
	assert_memory_equal(data, cert, len);
	assert_int_equal(ike_decode_certreq(&m.pl[2], &octet, &data, &len), 0);
	assert_int_equal(octet, IKE_CERT_X509_SIG);
	assert_int_equal(len, sizeof(cas));
	assert_memory_equal(data, cas, len);
	assert_int_equal(ike_decode_certreq(&m.pl[3], &octet, &data, &len), 0);
	assert_int_equal(len, 0);
}

static void test_notify_delete_roundtrip(void **state)
{
	static const uint8_t spis[8] = { 0xc0, 1, 2, 3, 0xc0, 4, 5, 6 };
	uint8_t buf[256], hash[20];
	struct ike_notify n;
	struct ike_delete d;
	struct ike_writer w;
	struct ike_msg m;
	int len;

	(void)state;
	memset(hash, 0x99, sizeof(hash));
	ike_w_init(&w, buf, sizeof(buf));
	assert_int_equal(ike_w_notify(&w, 0, NULL, 0, IKE_N_NAT_DETECTION_SOURCE_IP,
				      hash, sizeof(hash)), 0);
	assert_int_equal(ike_w_notify(&w, IKE_PROTO_ESP, spis, 4, IKE_N_REKEY_SA, NULL, 0), 0);
	assert_int_equal(ike_w_delete(&w, IKE_PROTO_IKE, 0, 0, NULL), 0);
	assert_int_equal(ike_w_delete(&w, IKE_PROTO_ESP, 4, 2, spis), 0);
	assert_int_equal(ike_w_vendor(&w, "sectun", 6), 0);
	len = ike_w_finish(&w);
	assert_int_equal(ike_parse_payloads(buf, len, w.first, 100, &m), 0);
	assert_int_equal(m.n, 5);
	assert_int_equal(m.pl[0].offset, 100);

	assert_int_equal(ike_decode_notify(&m.pl[0], &n), 0);
	assert_int_equal(n.protocol, 0);
	assert_int_equal(n.spi_len, 0);
	assert_int_equal(n.type, IKE_N_NAT_DETECTION_SOURCE_IP);
	assert_int_equal(n.len, sizeof(hash));
	assert_memory_equal(n.data, hash, n.len);
	assert_int_equal(ike_decode_notify(&m.pl[1], &n), 0);
	assert_int_equal(n.protocol, IKE_PROTO_ESP);
	assert_int_equal(n.spi_len, 4);
	assert_memory_equal(n.spi, spis, 4);
	assert_int_equal(n.type, IKE_N_REKEY_SA);
	assert_int_equal(n.len, 0);
	memset(&n, 0, sizeof(n));
	assert_int_equal(ike_msg_find_notify(&m, IKE_N_REKEY_SA, &n), 0);
	assert_int_equal(n.type, IKE_N_REKEY_SA);
	assert_int_equal(ike_msg_find_notify(&m, IKE_N_COOKIE, &n), IKE_E_MISSING);

	assert_int_equal(ike_decode_delete(&m.pl[2], &d), 0);
	assert_int_equal(d.protocol, IKE_PROTO_IKE);
	assert_int_equal(d.n_spi, 0);
	assert_int_equal(ike_decode_delete(&m.pl[3], &d), 0);
	assert_int_equal(d.protocol, IKE_PROTO_ESP);
	assert_int_equal(d.spi_len, 4);
	assert_int_equal(d.n_spi, 2);
	assert_memory_equal(d.spis, spis, 8);

	assert_int_equal(m.pl[4].type, IKE_PL_VENDOR);
	assert_int_equal(m.pl[4].len, 6);
	assert_memory_equal(m.pl[4].body, "sectun", 6);
	assert_ptr_equal(ike_msg_find(&m, IKE_PL_NOTIFY, NULL), &m.pl[0]);
	assert_ptr_equal(ike_msg_find(&m, IKE_PL_NOTIFY, &m.pl[0]), &m.pl[1]);
	assert_null(ike_msg_find(&m, IKE_PL_NOTIFY, &m.pl[1]));
}

static struct ike_ts_set example_ts(void)
{
	struct ike_ts_set s;

	memset(&s, 0, sizeof(s));
	s.n = 2;
	s.ts[0].type = IKE_TS_IPV4_ADDR_RANGE;
	s.ts[0].ip_proto = 6;
	s.ts[0].start_port = 80;
	s.ts[0].end_port = 443;
	memcpy(s.ts[0].start_addr, "\x0a\x01\x00\x00", 4);
	memcpy(s.ts[0].end_addr, "\x0a\x01\xff\xff", 4);
	s.ts[1].type = IKE_TS_IPV6_ADDR_RANGE;
	s.ts[1].end_port = 65535;
	memset(s.ts[1].start_addr, 0x20, 16);
	memset(s.ts[1].end_addr, 0x21, 16);
	return s;
}

static void test_ts_roundtrip(void **state)
{
	struct ike_ts_set in = example_ts(), out;
	struct ike_writer w;
	struct ike_msg m;
	uint8_t buf[256];

	(void)state;
	ike_w_init(&w, buf, sizeof(buf));
	assert_int_equal(ike_w_ts(&w, IKE_PL_TSR, &in), 0);
	parse_single(buf, ike_w_finish(&w), IKE_PL_TSR, &m);
	assert_int_equal(m.pl[0].len, 4 + 16 + 40);
	memset(&out, 0xff, sizeof(out));
	assert_int_equal(ike_decode_ts(&m.pl[0], &out), 0);
	assert_int_equal(out.n, 2);
	assert_memory_equal(&out.ts[0], &in.ts[0], sizeof(in.ts[0]));
	assert_memory_equal(&out.ts[1], &in.ts[1], sizeof(in.ts[1]));

	assert_int_equal(ike_w_ts(&w, IKE_PL_SA, &in), IKE_E_SYNTAX);
}

static void test_skf_roundtrip(void **state)
{
	struct ike_header h = { .version = IKE_VERSION_2, .exchange = IKE_AUTH, .msgid = 1 };
	uint16_t num, total;
	const uint8_t *rest;
	struct ike_writer w;
	struct ike_msg m;
	uint8_t buf[256];
	size_t body, len;
	int n;

	(void)state;
	ike_w_init(&w, buf, sizeof(buf));
	ike_w_header(&w, &h);
	body = ike_w_skf(&w, IKE_PL_IDI, 1, 3, 40);
	assert_int_equal(body, IKE_HDR_LEN + 4 + 4);
	memset(buf + body, 0xee, 40);
	n = ike_w_finish(&w);
	assert_int_equal(n, IKE_HDR_LEN + 4 + 4 + 40);
	assert_int_equal(ike_parse_msg(buf, n, &m), 0);
	assert_int_equal(m.n, 1);
	assert_int_equal(m.pl[0].type, IKE_PL_SKF);
	assert_int_equal(m.sk_inner_next, IKE_PL_IDI);
	assert_int_equal(ike_decode_skf(&m.pl[0], &num, &total, &rest, &len), 0);
	assert_int_equal(num, 1);
	assert_int_equal(total, 3);
	assert_ptr_equal(rest, buf + body);
	assert_int_equal(len, 40);
}

/* ---- Whole messages ---- */

static void test_sa_init_message(void **state)
{
	struct ike_header h = { .version = IKE_VERSION_2, .exchange = IKE_SA_INIT,
				.flags = IKE_FLAG_INITIATOR };
	struct ike_sa_offer offer = example_offer(), got_offer;
	uint8_t ke[32], nonce[32], natd[20], buf[1024];
	const uint8_t *data;
	struct ike_writer w;
	struct ike_notify n;
	struct ike_msg m;
	char line[128];
	uint16_t group;
	size_t len;
	int total;

	(void)state;
	memset(ke, 1, sizeof(ke));
	memset(nonce, 2, sizeof(nonce));
	memset(natd, 3, sizeof(natd));
	memcpy(h.spi_i, spi_i, 8);
	ike_w_init(&w, buf, sizeof(buf));
	assert_int_equal(ike_w_header(&w, &h), 0);
	ike_w_sa(&w, &offer);
	ike_w_ke(&w, IKE_DH_CURVE25519, ke, sizeof(ke));
	ike_w_nonce(&w, nonce, sizeof(nonce));
	ike_w_notify(&w, 0, NULL, 0, IKE_N_NAT_DETECTION_SOURCE_IP, natd, sizeof(natd));
	ike_w_notify(&w, 0, NULL, 0, IKE_N_NAT_DETECTION_DESTINATION_IP, natd, sizeof(natd));
	ike_w_notify(&w, 0, NULL, 0, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
	total = ike_w_finish(&w);
	assert_true(total > IKE_HDR_LEN);

	assert_int_equal(ike_parse_msg(buf, total, &m), 0);
	assert_int_equal(m.hdr.length, total);
	assert_int_equal(m.hdr.next_payload, IKE_PL_SA);
	assert_int_equal(m.n, 6);
	assert_int_equal(m.pl[0].offset, IKE_HDR_LEN);
	assert_int_equal(ike_decode_sa(&m.pl[0], &got_offer), 0);
	assert_memory_equal(&got_offer, &offer, sizeof(offer));
	assert_int_equal(ike_decode_ke(&m.pl[1], &group, &data, &len), 0);
	assert_int_equal(group, IKE_DH_CURVE25519);
	assert_memory_equal(data, ke, sizeof(ke));
	assert_int_equal(ike_decode_nonce(&m.pl[2], &data, &len), 0);
	assert_memory_equal(data, nonce, sizeof(nonce));
	assert_int_equal(ike_decode_notify(&m.pl[3], &n), 0);
	assert_int_equal(n.type, IKE_N_NAT_DETECTION_SOURCE_IP);
	assert_memory_equal(n.data, natd, sizeof(natd));

	ike_msg_describe(&m, line, sizeof(line));
	assert_string_equal(line, "IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) "
			    "N(NATD_D_IP) N(FRAG_SUP) ]");
	/* A short buffer truncates, always terminated. */
	ike_msg_describe(&m, line, 16);
	assert_string_equal(line, "IKE_SA_INIT req");
}

static void test_auth_message_with_sk(void **state)
{
	struct ike_header h = { .version = IKE_VERSION_2, .exchange = IKE_AUTH,
				.flags = IKE_FLAG_RESPONSE, .msgid = 1 };
	struct ike_id id = { .type = IKE_ID_FQDN, .len = 3, .data = "gw1" };
	struct ike_ts_set ts = example_ts();
	uint8_t inner[512], buf[1024], auth[32] = { 0 };
	struct ike_writer iw, w;
	struct ike_msg m;
	char line[128];
	int inner_len, total;
	size_t body;

	(void)state;
	ike_w_init(&iw, inner, sizeof(inner));
	ike_w_id(&iw, IKE_PL_IDR, &id);
	ike_w_auth(&iw, IKE_AUTH_PSK, auth, sizeof(auth));
	ike_w_ts(&iw, IKE_PL_TSI, &ts);
	ike_w_ts(&iw, IKE_PL_TSR, &ts);
	inner_len = ike_w_finish(&iw);
	assert_true(inner_len > 0);
	assert_int_equal(iw.first, IKE_PL_IDR);

	/* No crypto here: the "ciphertext" is the plaintext, IV and ICV 16 each. */
	ike_w_init(&w, buf, sizeof(buf));
	ike_w_header(&w, &h);
	body = ike_w_sk(&w, iw.first, 16 + inner_len + 16);
	assert_int_equal(body, IKE_HDR_LEN + 4);
	memcpy(buf + body + 16, inner, inner_len);
	/* Nothing may follow SK. */
	assert_int_equal(ike_w_vendor(&w, "x", 1), IKE_E_SYNTAX);
	assert_int_equal(ike_w_finish(&w), IKE_E_SYNTAX);
	w.err = 0;
	total = ike_w_finish(&w);
	assert_int_equal(total, IKE_HDR_LEN + 4 + 16 + inner_len + 16);

	assert_int_equal(ike_parse_msg(buf, total, &m), 0);
	assert_int_equal(m.n, 1);
	assert_int_equal(m.pl[0].type, IKE_PL_SK);
	assert_int_equal(m.pl[0].offset, IKE_HDR_LEN);
	assert_int_equal(m.sk_inner_next, IKE_PL_IDR);
	ike_msg_describe(&m, line, sizeof(line));
	assert_string_equal(line, "IKE_AUTH response 1 [ SK ]");

	assert_int_equal(ike_parse_inner(buf + body + 16, inner_len, m.sk_inner_next,
					 body + 16, &m), 0);
	assert_int_equal(m.n, 4);
	assert_int_equal(m.pl[0].offset, body + 16);
	ike_msg_describe(&m, line, sizeof(line));
	assert_string_equal(line, "IKE_AUTH response 1 [ IDr AUTH TSi TSr ]");
}

/* ---- Malformed chains ---- */

static int parse_chain(const uint8_t *buf, size_t len, uint8_t first, struct ike_msg *m)
{
	return ike_parse_payloads(buf, len, first, IKE_HDR_LEN, m);
}

static void test_bad_chains(void **state)
{
	/* V(4) -> N: generic headers only, lengths patched per case. */
	uint8_t buf[] = { IKE_PL_NOTIFY, 0, 0, 6, 'a', 'b',
			  IKE_PL_NONE, 0, 0, 8, 0, 0, 0, 1 };
	struct ike_msg m;

	(void)state;
	assert_int_equal(parse_chain(buf, sizeof(buf), IKE_PL_VENDOR, &m), 0);
	assert_int_equal(m.n, 2);
	assert_int_equal(m.pl[1].offset, IKE_HDR_LEN + 6);

	buf[3] = 3;		/* payload length < 4 */
	assert_int_equal(parse_chain(buf, sizeof(buf), IKE_PL_VENDOR, &m), IKE_E_BAD_LENGTH);
	buf[3] = 6;
	buf[9] = 9;		/* runs past the end */
	assert_int_equal(parse_chain(buf, sizeof(buf), IKE_PL_VENDOR, &m), IKE_E_TRUNCATED);
	buf[9] = 7;		/* stops short of the end */
	assert_int_equal(parse_chain(buf, sizeof(buf), IKE_PL_VENDOR, &m), IKE_E_BAD_LENGTH);
	buf[9] = 8;
	buf[6] = IKE_PL_VENDOR;	/* promises a payload the buffer lacks */
	assert_int_equal(parse_chain(buf, sizeof(buf), IKE_PL_VENDOR, &m), IKE_E_TRUNCATED);
	buf[6] = IKE_PL_NONE;
	/* A header cut inside. */
	assert_int_equal(parse_chain(buf, 8, IKE_PL_VENDOR, &m), IKE_E_TRUNCATED);
	/* Bytes but no chain. */
	assert_int_equal(parse_chain(buf, sizeof(buf), IKE_PL_NONE, &m), IKE_E_BAD_LENGTH);
	assert_int_equal(parse_chain(buf, 0, IKE_PL_NONE, &m), 0);
	assert_int_equal(m.n, 0);
}

static void test_unknown_payloads(void **state)
{
	/* Unknown type 60 then a vendor ID. */
	uint8_t buf[] = { IKE_PL_VENDOR, 0, 0, 5, 'z', IKE_PL_NONE, 0, 0, 5, 'v' };
	struct ike_msg m;

	(void)state;
	assert_int_equal(parse_chain(buf, sizeof(buf), 60, &m), 0);
	assert_int_equal(m.n, 1);
	assert_int_equal(m.pl[0].type, IKE_PL_VENDOR);
	assert_int_equal(m.n_skipped, 1);
	assert_int_equal(m.unsupported_critical, 0);

	buf[1] = IKE_PAYLOAD_CRITICAL;
	assert_int_equal(parse_chain(buf, sizeof(buf), 60, &m), IKE_E_CRITICAL);
	assert_int_equal(m.unsupported_critical, 60);
	assert_int_equal(ike_err_notify(IKE_E_CRITICAL), IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD);

	/* The critical bit on a payload we know means nothing. */
	assert_int_equal(parse_chain(buf, sizeof(buf), IKE_PL_VENDOR, &m), 0);
	assert_int_equal(m.n, 2);
	assert_true(m.pl[0].critical);
	assert_false(m.pl[1].critical);
}

static void test_sk_position(void **state)
{
	/* SK (inner: IDi) followed by more bytes: SK must be last. */
	uint8_t buf[] = { IKE_PL_IDI, 0, 0, 6, 1, 2, IKE_PL_NONE, 0, 0, 4 };
	struct ike_msg m;

	(void)state;
	assert_int_equal(parse_chain(buf, 6, IKE_PL_SK, &m), 0);
	assert_int_equal(m.sk_inner_next, IKE_PL_IDI);
	assert_int_equal(parse_chain(buf, sizeof(buf), IKE_PL_SK, &m), IKE_E_BAD_LENGTH);
	/* A cleartext payload may come before it. */
	assert_int_equal(parse_chain(buf + 6, 4, IKE_PL_VENDOR, &m), 0);
	buf[6] = IKE_PL_SK;
	assert_int_equal(parse_chain(buf + 6, 4, IKE_PL_VENDOR, &m), IKE_E_TRUNCATED);
	/* No SK inside SK. */
	assert_int_equal(ike_parse_inner(buf, 6, IKE_PL_SK, 0, &m), IKE_E_SYNTAX);
	assert_int_equal(ike_parse_inner(buf, 6, IKE_PL_SKF, 0, &m), IKE_E_SYNTAX);
}

static void test_too_many_payloads(void **state)
{
	uint8_t buf[4 * (IKE_MAX_PAYLOADS + 1)];
	struct ike_writer w;
	struct ike_msg m;
	int i, len;

	(void)state;
	ike_w_init(&w, buf, sizeof(buf));
	for (i = 0; i < IKE_MAX_PAYLOADS; i++)
		ike_w_vendor(&w, NULL, 0);
	len = ike_w_finish(&w);
	assert_int_equal(parse_chain(buf, len, IKE_PL_VENDOR, &m), 0);
	assert_int_equal(m.n, IKE_MAX_PAYLOADS);
	ike_w_vendor(&w, NULL, 0);
	len = ike_w_finish(&w);
	assert_int_equal(parse_chain(buf, len, IKE_PL_VENDOR, &m), IKE_E_TOO_MANY);
}

/* ---- Malformed SA payloads ---- */

struct sa_builder {
	struct ike_writer w;
	uint8_t buf[8192];
	size_t prop;
};

static void sa_begin(struct sa_builder *b)
{
	ike_w_init(&b->w, b->buf, sizeof(b->buf));
	ike_w_begin(&b->w, IKE_PL_SA, false);
}

static void sa_proposal(struct sa_builder *b, uint8_t last, uint8_t protocol,
			uint8_t spi_len, uint8_t n_transforms)
{
	b->prop = b->w.len;
	ike_w_u8(&b->w, last);
	ike_w_u8(&b->w, 0);
	ike_w_u16(&b->w, 0);
	ike_w_u8(&b->w, 1);
	ike_w_u8(&b->w, protocol);
	ike_w_u8(&b->w, spi_len);
	ike_w_u8(&b->w, n_transforms);
	ike_w_reserve(&b->w, spi_len);
}

/* A transform with @attrs (raw attribute bytes) after its header. */
static void sa_transform(struct sa_builder *b, uint8_t last, const void *attrs,
			 size_t attrs_len)
{
	ike_w_u8(&b->w, last);
	ike_w_u8(&b->w, 0);
	ike_w_u16(&b->w, 8 + attrs_len);
	ike_w_u8(&b->w, IKE_TRANS_ENCR);
	ike_w_u8(&b->w, 0);
	ike_w_u16(&b->w, IKE_ENCR_AES_CBC);
	ike_w_put(&b->w, attrs, attrs_len);
}

static void sa_proposal_end(struct sa_builder *b)
{
	uint16_t len = b->w.len - b->prop;

	b->buf[b->prop + 2] = len >> 8;
	b->buf[b->prop + 3] = len & 0xff;
}

static int sa_decode(struct sa_builder *b, struct ike_sa_offer *offer)
{
	struct ike_msg m;
	int len;

	ike_w_end(&b->w, 0);
	len = ike_w_finish(&b->w);
	assert_true(len > 0);
	assert_int_equal(ike_parse_payloads(b->buf, len, IKE_PL_SA, 0, &m), 0);
	return ike_decode_sa(&m.pl[0], offer);
}

static int sa_one(uint8_t protocol, uint8_t spi_len, const void *attrs, size_t attrs_len,
		  struct ike_sa_offer *offer)
{
	static struct sa_builder b;

	sa_begin(&b);
	sa_proposal(&b, 0, protocol, spi_len, 1);
	sa_transform(&b, 0, attrs, attrs_len);
	sa_proposal_end(&b);
	return sa_decode(&b, offer);
}

static void test_sa_attributes(void **state)
{
	static struct ike_sa_offer o;

	(void)state;
	assert_int_equal(sa_one(IKE_PROTO_IKE, 0, "\x80\x0e\x01\x00", 4, &o), 0);
	assert_int_equal(o.p[0].t[0].keylen, 256);
	assert_false(o.p[0].t[0].unusable);
	/* An unknown TV attribute, a TLV one, a second key length: unusable. */
	assert_int_equal(sa_one(IKE_PROTO_IKE, 0, "\x80\x0f\x01\x00", 4, &o), 0);
	assert_true(o.p[0].t[0].unusable);
	assert_int_equal(sa_one(IKE_PROTO_IKE, 0, "\x00\x20\x00\x02xy\x80\x0e\x00\x80", 10,
				&o), 0);
	assert_true(o.p[0].t[0].unusable);
	assert_int_equal(o.p[0].t[0].keylen, 128);
	assert_int_equal(sa_one(IKE_PROTO_IKE, 0, "\x80\x0e\x00\x80\x80\x0e\x01\x00", 8,
				&o), 0);
	assert_true(o.p[0].t[0].unusable);
	/* A TLV value past the transform, and a cut attribute header. */
	assert_int_equal(sa_one(IKE_PROTO_IKE, 0, "\x00\x20\x00\x03xy", 6, &o),
			 IKE_E_TRUNCATED);
	assert_int_equal(sa_one(IKE_PROTO_IKE, 0, "\x80\x0e", 2, &o), IKE_E_TRUNCATED);
}

static void test_sa_spi_size(void **state)
{
	static struct ike_sa_offer o;

	(void)state;
	assert_int_equal(sa_one(IKE_PROTO_IKE, 8, NULL, 0, &o), 0);
	assert_int_equal(sa_one(IKE_PROTO_ESP, 4, NULL, 0, &o), 0);
	assert_int_equal(sa_one(IKE_PROTO_AH, 4, NULL, 0, &o), 0);
	assert_int_equal(sa_one(IKE_PROTO_IKE, 4, NULL, 0, &o), IKE_E_SYNTAX);
	assert_int_equal(sa_one(IKE_PROTO_ESP, 0, NULL, 0, &o), IKE_E_SYNTAX);
	assert_int_equal(sa_one(IKE_PROTO_ESP, 8, NULL, 0, &o), IKE_E_SYNTAX);
	assert_int_equal(sa_one(9, 3, NULL, 0, &o), IKE_E_SYNTAX);
	assert_int_equal(sa_one(9, 4, NULL, 0, &o), 0);

	/* The encoder refuses what the decoder would. */
	o = example_offer();
	o.p[1].spi_len = 8;
	{
		struct ike_writer w;
		uint8_t buf[512];

		ike_w_init(&w, buf, sizeof(buf));
		assert_int_equal(ike_w_sa(&w, &o), IKE_E_SYNTAX);
	}
}

static void test_sa_too_many(void **state)
{
	static struct sa_builder b;
	static struct ike_sa_offer o;
	int i;

	(void)state;
	/* IKE_MAX_PROPOSALS fit, one more does not. */
	sa_begin(&b);
	for (i = 0; i < IKE_MAX_PROPOSALS; i++) {
		sa_proposal(&b, i + 1 < IKE_MAX_PROPOSALS ? 2 : 0, IKE_PROTO_IKE, 0, 1);
		sa_transform(&b, 0, NULL, 0);
		sa_proposal_end(&b);
	}
	assert_int_equal(sa_decode(&b, &o), 0);
	assert_int_equal(o.n, IKE_MAX_PROPOSALS);
	sa_begin(&b);
	for (i = 0; i < IKE_MAX_PROPOSALS + 1; i++) {
		sa_proposal(&b, i < IKE_MAX_PROPOSALS ? 2 : 0, IKE_PROTO_IKE, 0, 1);
		sa_transform(&b, 0, NULL, 0);
		sa_proposal_end(&b);
	}
	assert_int_equal(sa_decode(&b, &o), IKE_E_TOO_MANY);

	/* The same for transforms. */
	sa_begin(&b);
	sa_proposal(&b, 0, IKE_PROTO_IKE, 0, IKE_MAX_TRANSFORMS);
	for (i = 0; i < IKE_MAX_TRANSFORMS; i++)
		sa_transform(&b, i + 1 < IKE_MAX_TRANSFORMS ? 3 : 0, NULL, 0);
	sa_proposal_end(&b);
	assert_int_equal(sa_decode(&b, &o), 0);
	assert_int_equal(o.p[0].n_transforms, IKE_MAX_TRANSFORMS);
	sa_begin(&b);
	sa_proposal(&b, 0, IKE_PROTO_IKE, 0, IKE_MAX_TRANSFORMS + 1);
	for (i = 0; i < IKE_MAX_TRANSFORMS + 1; i++)
		sa_transform(&b, i < IKE_MAX_TRANSFORMS ? 3 : 0, NULL, 0);
	sa_proposal_end(&b);
	assert_int_equal(sa_decode(&b, &o), IKE_E_TOO_MANY);
}

static void test_sa_structure(void **state)
{
	static struct sa_builder b;
	static struct ike_sa_offer o;

	(void)state;
	/* "More" on the last proposal, "last" on the first of two. */
	sa_begin(&b);
	sa_proposal(&b, 2, IKE_PROTO_IKE, 0, 1);
	sa_transform(&b, 0, NULL, 0);
	sa_proposal_end(&b);
	assert_int_equal(sa_decode(&b, &o), IKE_E_TRUNCATED);
	sa_begin(&b);
	sa_proposal(&b, 0, IKE_PROTO_IKE, 0, 1);
	sa_transform(&b, 0, NULL, 0);
	sa_proposal_end(&b);
	sa_proposal(&b, 0, IKE_PROTO_IKE, 0, 1);
	sa_transform(&b, 0, NULL, 0);
	sa_proposal_end(&b);
	assert_int_equal(sa_decode(&b, &o), IKE_E_BAD_LENGTH);
	/* A substructure flag that is neither. */
	sa_begin(&b);
	sa_proposal(&b, 1, IKE_PROTO_IKE, 0, 1);
	sa_transform(&b, 0, NULL, 0);
	sa_proposal_end(&b);
	assert_int_equal(sa_decode(&b, &o), IKE_E_SYNTAX);
	/* Transform count larger, smaller, zero. */
	sa_begin(&b);
	sa_proposal(&b, 0, IKE_PROTO_IKE, 0, 2);
	sa_transform(&b, 0, NULL, 0);
	sa_proposal_end(&b);
	assert_int_equal(sa_decode(&b, &o), IKE_E_SYNTAX);
	sa_begin(&b);
	sa_proposal(&b, 0, IKE_PROTO_IKE, 0, 1);
	sa_transform(&b, 3, NULL, 0);
	sa_transform(&b, 0, NULL, 0);
	sa_proposal_end(&b);
	assert_int_equal(sa_decode(&b, &o), IKE_E_SYNTAX);
	sa_begin(&b);
	sa_proposal(&b, 0, IKE_PROTO_IKE, 0, 0);
	sa_proposal_end(&b);
	assert_int_equal(sa_decode(&b, &o), IKE_E_SYNTAX);
	/* A proposal length that cuts the SPI or a transform. */
	sa_begin(&b);
	sa_proposal(&b, 0, IKE_PROTO_ESP, 4, 1);
	sa_transform(&b, 0, NULL, 0);
	sa_proposal_end(&b);
	b.buf[4 + 3] = 10;
	assert_int_equal(sa_decode(&b, &o), IKE_E_BAD_LENGTH);
	b.buf[4 + 3] = 15;
	assert_int_equal(sa_decode(&b, &o), IKE_E_TRUNCATED);
	b.buf[4 + 3] = 21;	/* past the SA payload */
	assert_int_equal(sa_decode(&b, &o), IKE_E_TRUNCATED);
	b.buf[4 + 3] = 7;
	assert_int_equal(sa_decode(&b, &o), IKE_E_BAD_LENGTH);
	/* Empty SA. */
	sa_begin(&b);
	assert_int_equal(sa_decode(&b, &o), IKE_E_SYNTAX);
}

/* ---- Malformed small payloads ---- */

static void test_bad_nonce(void **state)
{
	uint8_t nonce[IKE_NONCE_MAX + 1] = { 0 }, buf[512];
	struct ike_payload pl;
	struct ike_writer w;
	const uint8_t *data;
	size_t len;

	(void)state;
	pl = payload_of(IKE_PL_NONCE, nonce, IKE_NONCE_MIN - 1);
	assert_int_equal(ike_decode_nonce(&pl, &data, &len), IKE_E_BAD_LENGTH);
	pl = payload_of(IKE_PL_NONCE, nonce, IKE_NONCE_MIN);
	assert_int_equal(ike_decode_nonce(&pl, &data, &len), 0);
	pl = payload_of(IKE_PL_NONCE, nonce, IKE_NONCE_MAX);
	assert_int_equal(ike_decode_nonce(&pl, &data, &len), 0);
	pl = payload_of(IKE_PL_NONCE, nonce, IKE_NONCE_MAX + 1);
	assert_int_equal(ike_decode_nonce(&pl, &data, &len), IKE_E_BAD_LENGTH);
	ike_w_init(&w, buf, sizeof(buf));
	assert_int_equal(ike_w_nonce(&w, nonce, IKE_NONCE_MIN - 1), IKE_E_SYNTAX);
}

static void test_bad_id(void **state)
{
	static uint8_t body[4 + IKE_MAX_ID_LEN + 1];
	struct ike_payload pl;
	struct ike_id id;

	(void)state;
	body[0] = IKE_ID_IPV4_ADDR;
	pl = payload_of(IKE_PL_IDI, body, 4 + 5);
	assert_int_equal(ike_decode_id(&pl, &id), IKE_E_BAD_LENGTH);
	pl = payload_of(IKE_PL_IDI, body, 4 + 3);
	assert_int_equal(ike_decode_id(&pl, &id), IKE_E_BAD_LENGTH);
	body[0] = IKE_ID_IPV6_ADDR;
	pl = payload_of(IKE_PL_IDI, body, 4 + 4);
	assert_int_equal(ike_decode_id(&pl, &id), IKE_E_BAD_LENGTH);
	body[0] = IKE_ID_FQDN;
	pl = payload_of(IKE_PL_IDI, body, 4);
	assert_int_equal(ike_decode_id(&pl, &id), IKE_E_BAD_LENGTH);
	pl = payload_of(IKE_PL_IDI, body, 4 + IKE_MAX_ID_LEN + 1);
	assert_int_equal(ike_decode_id(&pl, &id), IKE_E_BAD_LENGTH);
	pl = payload_of(IKE_PL_IDI, body, 3);
	assert_int_equal(ike_decode_id(&pl, &id), IKE_E_TRUNCATED);
}

static void test_bad_ts(void **state)
{
	struct ike_ts_set in = example_ts(), out;
	struct ike_writer w;
	struct ike_payload pl;
	uint8_t buf[256];
	int len;

	(void)state;
	ike_w_init(&w, buf, sizeof(buf));
	ike_w_ts(&w, IKE_PL_TSI, &in);
	len = ike_w_finish(&w);
	pl = payload_of(IKE_PL_TSI, buf + 4, len - 4);
	assert_int_equal(ike_decode_ts(&pl, &out), 0);

	buf[8 + 3] = 17;		/* IPv4 selector length must be 16 */
	assert_int_equal(ike_decode_ts(&pl, &out), IKE_E_BAD_LENGTH);
	buf[8 + 3] = 40;
	assert_int_equal(ike_decode_ts(&pl, &out), IKE_E_BAD_LENGTH);
	buf[8 + 3] = 16;
	buf[24 + 3] = 16;		/* IPv6 selector length must be 40 */
	assert_int_equal(ike_decode_ts(&pl, &out), IKE_E_BAD_LENGTH);
	buf[24 + 3] = 40;
	buf[24] = 10;			/* TS_SECLABEL and others: not ours */
	assert_int_equal(ike_decode_ts(&pl, &out), IKE_E_SYNTAX);
	buf[24] = IKE_TS_IPV6_ADDR_RANGE;
	buf[4] = 3;			/* count says more than there is */
	assert_int_equal(ike_decode_ts(&pl, &out), IKE_E_TRUNCATED);
	buf[4] = 1;			/* ... or fewer */
	assert_int_equal(ike_decode_ts(&pl, &out), IKE_E_BAD_LENGTH);
	buf[4] = 0;
	assert_int_equal(ike_decode_ts(&pl, &out), IKE_E_SYNTAX);
	buf[4] = IKE_MAX_TS + 1;
	assert_int_equal(ike_decode_ts(&pl, &out), IKE_E_TOO_MANY);
	buf[4] = 2;
	pl.len -= 1;			/* the last selector is cut */
	assert_int_equal(ike_decode_ts(&pl, &out), IKE_E_TRUNCATED);

	in.ts[1].type = 9;
	assert_int_equal(ike_w_ts(&w, IKE_PL_TSI, &in), IKE_E_SYNTAX);
}

static void test_bad_skf(void **state)
{
	uint8_t body[] = { 0, 1, 0, 2, 0xee };
	struct ike_payload pl = payload_of(IKE_PL_SKF, body, sizeof(body));
	uint16_t num, total;
	const uint8_t *rest;
	struct ike_writer w;
	uint8_t buf[64];
	size_t len;

	(void)state;
	assert_int_equal(ike_decode_skf(&pl, &num, &total, &rest, &len), 0);
	body[1] = 0;		/* fragment 0 */
	assert_int_equal(ike_decode_skf(&pl, &num, &total, &rest, &len), IKE_E_SYNTAX);
	body[1] = 3;		/* fragment 3 of 2 */
	assert_int_equal(ike_decode_skf(&pl, &num, &total, &rest, &len), IKE_E_SYNTAX);
	pl.len = 3;
	assert_int_equal(ike_decode_skf(&pl, &num, &total, &rest, &len), IKE_E_TRUNCATED);
	ike_w_init(&w, buf, sizeof(buf));
	assert_int_equal(ike_w_skf(&w, 0, 0, 1, 8), SIZE_MAX);
	assert_int_equal(ike_w_finish(&w), IKE_E_SYNTAX);
}

static void test_bad_small_payloads(void **state)
{
	uint8_t body[64] = { 0 };
	struct ike_payload pl;
	struct ike_notify n;
	struct ike_delete d;
	const uint8_t *data;
	uint8_t octet;
	uint16_t group;
	size_t len;

	(void)state;
	pl = payload_of(IKE_PL_KE, body, 4);	/* no key data */
	assert_int_equal(ike_decode_ke(&pl, &group, &data, &len), IKE_E_BAD_LENGTH);
	pl = payload_of(IKE_PL_AUTH, body, 4);
	assert_int_equal(ike_decode_auth(&pl, &octet, &data, &len), IKE_E_BAD_LENGTH);
	pl = payload_of(IKE_PL_CERT, body, 1);
	assert_int_equal(ike_decode_cert(&pl, &octet, &data, &len), IKE_E_BAD_LENGTH);
	body[0] = IKE_CERT_X509_SIG;
	pl = payload_of(IKE_PL_CERTREQ, body, 1 + 21);
	assert_int_equal(ike_decode_certreq(&pl, &octet, &data, &len), IKE_E_BAD_LENGTH);
	pl = payload_of(IKE_PL_CERTREQ, body, 0);
	assert_int_equal(ike_decode_certreq(&pl, &octet, &data, &len), IKE_E_TRUNCATED);

	/* Notify: SPI sizes 0/4/8 only, and they must fit. */
	memcpy(body, "\x03\x04\x40\x09", 4);
	pl = payload_of(IKE_PL_NOTIFY, body, 3);
	assert_int_equal(ike_decode_notify(&pl, &n), IKE_E_TRUNCATED);
	pl = payload_of(IKE_PL_NOTIFY, body, 7);
	assert_int_equal(ike_decode_notify(&pl, &n), IKE_E_TRUNCATED);
	pl = payload_of(IKE_PL_NOTIFY, body, 8);
	assert_int_equal(ike_decode_notify(&pl, &n), 0);
	body[1] = 5;
	pl = payload_of(IKE_PL_NOTIFY, body, 16);
	assert_int_equal(ike_decode_notify(&pl, &n), IKE_E_SYNTAX);

	/* Delete: IKE without SPIs, ESP/AH with 4-byte ones, exact length. */
	memcpy(body, "\x01\x00\x00\x00", 4);
	pl = payload_of(IKE_PL_DELETE, body, 4);
	assert_int_equal(ike_decode_delete(&pl, &d), 0);
	pl = payload_of(IKE_PL_DELETE, body, 5);
	assert_int_equal(ike_decode_delete(&pl, &d), IKE_E_BAD_LENGTH);
	body[3] = 1;
	pl = payload_of(IKE_PL_DELETE, body, 4);
	assert_int_equal(ike_decode_delete(&pl, &d), IKE_E_SYNTAX);
	memcpy(body, "\x03\x04\x00\x02", 4);
	pl = payload_of(IKE_PL_DELETE, body, 4 + 8);
	assert_int_equal(ike_decode_delete(&pl, &d), 0);
	pl = payload_of(IKE_PL_DELETE, body, 4 + 7);
	assert_int_equal(ike_decode_delete(&pl, &d), IKE_E_BAD_LENGTH);
	body[1] = 8;
	pl = payload_of(IKE_PL_DELETE, body, 4 + 16);
	assert_int_equal(ike_decode_delete(&pl, &d), IKE_E_SYNTAX);
	body[0] = 7;
	body[1] = 4;
	pl = payload_of(IKE_PL_DELETE, body, 4 + 8);
	assert_int_equal(ike_decode_delete(&pl, &d), IKE_E_SYNTAX);
	pl = payload_of(IKE_PL_DELETE, body, 3);
	assert_int_equal(ike_decode_delete(&pl, &d), IKE_E_TRUNCATED);
}

/* ---- Writer ---- */

static void test_writer_overflow(void **state)
{
	struct ike_header h = { .version = IKE_VERSION_2, .exchange = IKE_SA_INIT };
	uint8_t buf[64 + 16], nonce[32] = { 0 };
	struct ike_writer w;
	size_t cap = 60, off;

	(void)state;
	memset(buf, 0xa5, sizeof(buf));
	ike_w_init(&w, buf, cap);
	assert_int_equal(ike_w_header(&w, &h), 0);
	assert_int_equal(ike_w_nonce(&w, nonce, sizeof(nonce)), IKE_E_OVERFLOW);
	/* Sticky: a write that would fit on its own is dropped too. */
	off = w.len;
	ike_w_u8(&w, 1);
	assert_int_equal(w.len, off);
	assert_int_equal(ike_w_finish(&w), IKE_E_OVERFLOW);
	assert_true(w.len <= cap);
	for (off = cap; off < sizeof(buf); off++)
		assert_int_equal(buf[off], 0xa5);

	/* Exactly full is fine. */
	ike_w_init(&w, buf, cap);
	ike_w_header(&w, &h);
	assert_int_equal(ike_w_payload(&w, IKE_PL_VENDOR, false, nonce,
				       cap - IKE_HDR_LEN - 4), 0);
	assert_int_equal(ike_w_finish(&w), (int)cap);
	assert_int_equal(buf[cap], 0xa5);

	/* A payload longer than its 16-bit length field. */
	{
		static uint8_t big[70000];
		static uint8_t out[70100];

		ike_w_init(&w, out, sizeof(out));
		assert_int_equal(ike_w_vendor(&w, big, sizeof(big)), IKE_E_OVERFLOW);
	}
	assert_string_equal(ike_err_str(IKE_E_OVERFLOW), "message too big for the buffer");
	assert_string_equal(ike_err_str(0), "success");
	assert_int_equal(ike_err_notify(IKE_E_TRUNCATED), IKE_N_INVALID_SYNTAX);
}

static void test_describe_names(void **state)
{
	struct ike_msg m;
	uint8_t body[] = { 0, 0, 0x7f, 0x00 };
	char line[64];

	(void)state;
	memset(&m, 0, sizeof(m));
	m.hdr.exchange = 99;
	m.hdr.msgid = 7;
	m.hdr.flags = IKE_FLAG_RESPONSE;
	m.n = 2;
	m.pl[0] = payload_of(IKE_PL_NOTIFY, body, sizeof(body));
	m.pl[1] = payload_of(IKE_PL_NOTIFY, body, 2);
	ike_msg_describe(&m, line, sizeof(line));
	assert_string_equal(line, "EXCHANGE(99) response 7 [ N(32512) N(?) ]");
	assert_string_equal(ike_payload_name(IKE_PL_NONCE), "No");
	assert_null(ike_payload_name(99));
	assert_string_equal(ike_exchange_name(IKE_CREATE_CHILD_SA), "CREATE_CHILD_SA");
	assert_string_equal(ike_notify_name(IKE_N_COOKIE), "COOKIE");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_sa_roundtrip),
		cmocka_unit_test(test_ke_nonce_roundtrip),
		cmocka_unit_test(test_id_roundtrip),
		cmocka_unit_test(test_auth_cert_roundtrip),
		cmocka_unit_test(test_notify_delete_roundtrip),
		cmocka_unit_test(test_ts_roundtrip),
		cmocka_unit_test(test_skf_roundtrip),
		cmocka_unit_test(test_sa_init_message),
		cmocka_unit_test(test_auth_message_with_sk),
		cmocka_unit_test(test_bad_chains),
		cmocka_unit_test(test_unknown_payloads),
		cmocka_unit_test(test_sk_position),
		cmocka_unit_test(test_too_many_payloads),
		cmocka_unit_test(test_sa_attributes),
		cmocka_unit_test(test_sa_spi_size),
		cmocka_unit_test(test_sa_too_many),
		cmocka_unit_test(test_sa_structure),
		cmocka_unit_test(test_bad_nonce),
		cmocka_unit_test(test_bad_id),
		cmocka_unit_test(test_bad_ts),
		cmocka_unit_test(test_bad_skf),
		cmocka_unit_test(test_bad_small_payloads),
		cmocka_unit_test(test_writer_overflow),
		cmocka_unit_test(test_describe_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
