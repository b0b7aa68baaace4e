// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the IKEv2 codec. The input is parsed as a message
 * and as a bare payload chain (first byte: the first payload type); every
 * decoder runs on every payload found. Whatever parses is encoded again
 * and parsed back, and must give the same values: the encoder and the
 * decoder agree on everything the decoder accepts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/check.h"
#include "ikev2/codec.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t out[IKE_HDR_LEN + IKE_MAX_PAYLOADS * (UINT16_MAX + 1)];
static struct ike_msg again;

/* The one payload @w holds, parsed back. */
static const struct ike_payload *reparse(struct ike_writer *w, uint8_t type)
{
	int len = ike_w_finish(w);

	CHECK(len > 0);
	CHECK(ike_parse_payloads(out, len, type, 0, &again) == 0);
	CHECK(again.n == 1 && again.pl[0].type == type);
	return &again.pl[0];
}

static bool same_bytes(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len)
{
	return a_len == b_len && (!a_len || !memcmp(a, b, a_len));
}

/* Unknown attributes are dropped on the way out: compare the rest. */
static bool same_transform(const struct ike_transform *a, const struct ike_transform *b)
{
	return a->type == b->type && a->id == b->id && a->keylen == b->keylen;
}

static bool same_offer(const struct ike_sa_offer *a, const struct ike_sa_offer *b)
{
	unsigned int i, k;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++) {
		const struct ike_proposal *p = &a->p[i], *q = &b->p[i];

		if (p->num != q->num || p->protocol != q->protocol ||
		    !same_bytes(p->spi, p->spi_len, q->spi, q->spi_len) ||
		    p->n_transforms != q->n_transforms)
			return false;
		for (k = 0; k < p->n_transforms; k++)
			if (!same_transform(&p->t[k], &q->t[k]))
				return false;
	}
	return true;
}

static void check_sa(const struct ike_payload *pl)
{
	static struct ike_sa_offer a, b;
	struct ike_writer w;

	if (ike_decode_sa(pl, &a))
		return;
	ike_w_init(&w, out, sizeof(out));
	CHECK(ike_w_sa(&w, &a) == 0);
	CHECK(ike_decode_sa(reparse(&w, IKE_PL_SA), &b) == 0);
	CHECK(same_offer(&a, &b));
}

static void check_ke(const struct ike_payload *pl)
{
	const uint8_t *d1, *d2;
	uint16_t g1, g2;
	size_t l1, l2;
	struct ike_writer w;

	if (ike_decode_ke(pl, &g1, &d1, &l1))
		return;
	ike_w_init(&w, out, sizeof(out));
	CHECK(ike_w_ke(&w, g1, d1, l1) == 0);
	CHECK(ike_decode_ke(reparse(&w, IKE_PL_KE), &g2, &d2, &l2) == 0);
	CHECK(g1 == g2 && same_bytes(d1, l1, d2, l2));
}

static void check_nonce(const struct ike_payload *pl)
{
	const uint8_t *d1, *d2;
	size_t l1, l2;
	struct ike_writer w;

	if (ike_decode_nonce(pl, &d1, &l1))
		return;
	ike_w_init(&w, out, sizeof(out));
	CHECK(ike_w_nonce(&w, d1, l1) == 0);
	CHECK(ike_decode_nonce(reparse(&w, IKE_PL_NONCE), &d2, &l2) == 0);
	CHECK(same_bytes(d1, l1, d2, l2));
}

static void check_id(const struct ike_payload *pl)
{
	static struct ike_id a, b;
	static uint8_t body[4 + IKE_MAX_ID_LEN];
	const struct ike_payload *p2;
	struct ike_writer w;
	size_t len;

	if (ike_decode_id(pl, &a))
		return;
	ike_w_init(&w, out, sizeof(out));
	CHECK(ike_w_id(&w, IKE_PL_IDR, &a) == 0);
	p2 = reparse(&w, IKE_PL_IDR);
	CHECK(ike_decode_id(p2, &b) == 0);
	CHECK(a.type == b.type && same_bytes(a.data, a.len, b.data, b.len));
	/* Reserved bytes aside, the body we build is the body we sent. */
	len = ike_id_body(&a, body, sizeof(body));
	CHECK(same_bytes(body, len, p2->body, p2->len));
	CHECK(len == pl->len && body[0] == pl->body[0] && !memcmp(body + 4, pl->body + 4, len - 4));
}

typedef int (*octet_decoder)(const struct ike_payload *, uint8_t *, const uint8_t **, size_t *);
typedef int (*octet_encoder)(struct ike_writer *, uint8_t, const void *, size_t);

/* AUTH, CERT, CERTREQ: one octet, then data. */
static void check_octet_data(const struct ike_payload *pl, uint8_t type,
			     octet_decoder decode, octet_encoder encode)
{
	const uint8_t *d1, *d2;
	uint8_t o1, o2;
	size_t l1, l2;
	struct ike_writer w;

	if (decode(pl, &o1, &d1, &l1))
		return;
	ike_w_init(&w, out, sizeof(out));
	CHECK(encode(&w, o1, d1, l1) == 0);
	CHECK(decode(reparse(&w, type), &o2, &d2, &l2) == 0);
	CHECK(o1 == o2 && same_bytes(d1, l1, d2, l2));
}

static void check_notify(const struct ike_payload *pl)
{
	struct ike_notify a, b;
	struct ike_writer w;

	if (ike_decode_notify(pl, &a))
		return;
	ike_w_init(&w, out, sizeof(out));
	CHECK(ike_w_notify(&w, a.protocol, a.spi, a.spi_len, a.type, a.data, a.len) == 0);
	CHECK(ike_decode_notify(reparse(&w, IKE_PL_NOTIFY), &b) == 0);
	CHECK(a.protocol == b.protocol && a.type == b.type &&
	      same_bytes(a.spi, a.spi_len, b.spi, b.spi_len) &&
	      same_bytes(a.data, a.len, b.data, b.len));
}

static void check_delete(const struct ike_payload *pl)
{
	struct ike_delete a, b;
	struct ike_writer w;

	if (ike_decode_delete(pl, &a))
		return;
	ike_w_init(&w, out, sizeof(out));
	CHECK(ike_w_delete(&w, a.protocol, a.spi_len, a.n_spi, a.spis) == 0);
	CHECK(ike_decode_delete(reparse(&w, IKE_PL_DELETE), &b) == 0);
	CHECK(a.protocol == b.protocol && a.n_spi == b.n_spi &&
	      same_bytes(a.spis, (size_t)a.spi_len * a.n_spi,
			 b.spis, (size_t)b.spi_len * b.n_spi));
}

static void check_ts(const struct ike_payload *pl)
{
	static struct ike_ts_set a, b;
	struct ike_writer w;

	if (ike_decode_ts(pl, &a))
		return;
	ike_w_init(&w, out, sizeof(out));
	CHECK(ike_w_ts(&w, IKE_PL_TSI, &a) == 0);
	CHECK(ike_decode_ts(reparse(&w, IKE_PL_TSI), &b) == 0);
	CHECK(a.n == b.n && !memcmp(a.ts, b.ts, a.n * sizeof(a.ts[0])));
}

static void check_skf(const struct ike_payload *pl)
{
	const uint8_t *r1, *r2;
	uint16_t n1, t1, n2, t2;
	size_t l1, l2, body;
	struct ike_writer w;

	if (ike_decode_skf(pl, &n1, &t1, &r1, &l1))
		return;
	ike_w_init(&w, out, sizeof(out));
	body = ike_w_skf(&w, IKE_PL_NONE, n1, t1, l1);
	CHECK(body != SIZE_MAX);
	if (l1)
		memcpy(out + body, r1, l1);
	CHECK(ike_decode_skf(reparse(&w, IKE_PL_SKF), &n2, &t2, &r2, &l2) == 0);
	CHECK(n1 == n2 && t1 == t2 && same_bytes(r1, l1, r2, l2));
}

/* Every decoder on every payload, whatever its type. */
static void check_decoders(const struct ike_msg *m)
{
	unsigned int i;

	for (i = 0; i < m->n; i++) {
		const struct ike_payload *pl = &m->pl[i];

		check_sa(pl);
		check_ke(pl);
		check_nonce(pl);
		check_id(pl);
		check_octet_data(pl, IKE_PL_AUTH, ike_decode_auth, ike_w_auth);
		check_octet_data(pl, IKE_PL_CERT, ike_decode_cert, ike_w_cert);
		check_octet_data(pl, IKE_PL_CERTREQ, ike_decode_certreq, ike_w_certreq);
		check_notify(pl);
		check_delete(pl);
		check_ts(pl);
		check_skf(pl);
	}
}

/* SK or SKF as the SK writers make them; false if they cannot. */
static bool write_sk(struct ike_writer *w, const struct ike_msg *m,
		     const struct ike_payload *pl)
{
	const uint8_t *rest = pl->body;
	size_t body, len = pl->len;
	uint16_t num, total;

	if (pl->type == IKE_PL_SK) {
		body = ike_w_sk(w, m->sk_inner_next, len);
	} else {
		/* The writer only makes well-formed SKF payloads. */
		if (ike_decode_skf(pl, &num, &total, &rest, &len))
			return false;
		body = ike_w_skf(w, m->sk_inner_next, num, total, len);
	}
	if (body == SIZE_MAX)
		return false;
	if (len)
		memcpy(w->buf + body, rest, len);
	return true;
}

/* The chain of @m written out again; false if it cannot be. */
static bool write_chain(struct ike_writer *w, const struct ike_msg *m)
{
	unsigned int i;

	for (i = 0; i < m->n; i++) {
		const struct ike_payload *pl = &m->pl[i];

		if (pl->type == IKE_PL_SK || pl->type == IKE_PL_SKF) {
			if (!write_sk(w, m, pl))
				return false;
		} else {
			ike_w_payload(w, pl->type, pl->critical, pl->body, pl->len);
		}
	}
	return true;
}

static void check_same_chain(const struct ike_msg *a, const struct ike_msg *b)
{
	unsigned int i;

	CHECK(a->n == b->n && a->sk_inner_next == b->sk_inner_next);
	CHECK(b->n_skipped == 0 && b->unsupported_critical == 0);
	for (i = 0; i < a->n; i++) {
		const struct ike_payload *p = &a->pl[i], *q = &b->pl[i];

		CHECK(p->type == q->type);
		CHECK(p->critical == q->critical || p->type == IKE_PL_SK ||
		      p->type == IKE_PL_SKF);
		CHECK(same_bytes(p->body, p->len, q->body, q->len));
	}
}

/* A parsed message (@hdr) or bare chain (no @hdr), encoded and parsed back. */
static void check_chain_roundtrip(const struct ike_msg *m, const struct ike_header *hdr)
{
	struct ike_writer w;
	int len, err;

	ike_w_init(&w, out, sizeof(out));
	if (hdr)
		CHECK(ike_w_header(&w, hdr) == 0);
	if (!write_chain(&w, m))
		return;
	len = ike_w_finish(&w);
	CHECK(len >= 0);
	if (hdr) {
		err = ike_parse_msg(out, len, &again);
		CHECK(err == 0);
		CHECK(!memcmp(again.hdr.spi_i, hdr->spi_i, 8) &&
		      !memcmp(again.hdr.spi_r, hdr->spi_r, 8));
		CHECK(again.hdr.version == hdr->version && again.hdr.exchange == hdr->exchange &&
		      again.hdr.flags == hdr->flags && again.hdr.msgid == hdr->msgid);
		CHECK(again.hdr.length == (uint32_t)len);
		CHECK(again.hdr.next_payload == (m->n ? m->pl[0].type : IKE_PL_NONE));
	} else {
		err = ike_parse_payloads(out, len, m->n ? m->pl[0].type : IKE_PL_NONE, 0,
					 &again);
		CHECK(err == 0);
	}
	check_same_chain(m, &again);

	/* One byte less room must fail cleanly, and write nothing past it. */
	if (len > 0) {
		ike_w_init(&w, out, (size_t)len - 1);
		if (hdr)
			ike_w_header(&w, hdr);
		write_chain(&w, m);
		CHECK(ike_w_finish(&w) == IKE_E_OVERFLOW);
		CHECK(w.len <= (size_t)len - 1);
	}
}

/* The notify lookup agrees with a walk over the chain. */
static void check_find(const struct ike_msg *m)
{
	struct ike_notify n;
	int err;

	if (!m->n || m->pl[0].type != IKE_PL_NOTIFY || ike_decode_notify(&m->pl[0], &n))
		return;
	err = ike_msg_find_notify(m, n.type, &n);
	CHECK(err == 0 && n.data == m->pl[0].body + 4 + n.spi_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ike_msg m;
	char line[512];
	int err;

	err = ike_parse_msg(data, size, &m);
	CHECK(err <= 0 && m.n <= IKE_MAX_PAYLOADS);
	CHECK(err != IKE_E_CRITICAL || m.unsupported_critical);
	ike_err_str(err);
	ike_msg_describe(&m, line, sizeof(line));
	CHECK(strlen(line) < sizeof(line));
	check_decoders(&m);
	check_find(&m);
	if (!err)
		check_chain_roundtrip(&m, &m.hdr);

	if (!size)
		return 0;
	err = ike_parse_payloads(data + 1, size - 1, data[0], 0, &m);
	check_decoders(&m);
	if (!err)
		check_chain_roundtrip(&m, NULL);
	err = ike_parse_inner(data + 1, size - 1, data[0], 0, &m);
	CHECK(err || m.sk_inner_next == 0);
	return 0;
}
