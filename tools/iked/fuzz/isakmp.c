// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the ISAKMP (IKEv1) codec. The input is parsed as a
 * message and as a bare payload chain (first byte: the first payload
 * type; second: whether padding may follow); every decoder runs on every
 * payload found. What decodes is encoded again and decoded back, and must
 * give the same values.
 */
#include <string.h>

#include "fuzz/check.h"
#include "ikev1/codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t out[2 * (UINT16_MAX + 1)];
static struct isakmp_msg again;

/* The one payload @w holds, parsed back. */
static const struct ike_payload *reparse(struct ike_writer *w, uint8_t type)
{
	int len = ike_w_finish(w);

	CHECK(len > 0);
	CHECK(isakmp_parse_payloads(out, (size_t)len, type, 0, false, &again) == 0);
	CHECK(again.n == 1 && again.pl[0].type == type);
	return &again.pl[0];
}

/* Fields a usable transform carries; an unusable one lost some on the way. */
static bool same_transform(const struct isakmp_transform *a, const struct isakmp_transform *b)
{
	if (a->num != b->num || a->id != b->id)
		return false;
	if (a->unusable)
		return true;
	return !b->unusable && a->encr == b->encr && a->hash == b->hash && a->auth == b->auth &&
	       a->group == b->group && a->prf == b->prf && a->encap == b->encap &&
	       a->auth_alg == b->auth_alg && a->esn == b->esn && a->key_len == b->key_len &&
	       a->life_seconds == b->life_seconds && a->life_kbytes == b->life_kbytes;
}

static bool same_offer(const struct isakmp_sa_offer *a, const struct isakmp_sa_offer *b)
{
	unsigned int i, k;

	if (a->n != b->n || a->n_t != b->n_t)
		return false;
	for (i = 0; i < a->n; i++) {
		const struct isakmp_proposal *p = &a->p[i], *q = &b->p[i];

		if (p->num != q->num || p->protocol != q->protocol || p->spi_len != q->spi_len ||
		    memcmp(p->spi, q->spi, p->spi_len) || p->n_transforms != q->n_transforms)
			return false;
		for (k = 0; k < p->n_transforms; k++)
			if (!same_transform(&a->t[p->first + k], &b->t[q->first + k]))
				return false;
	}
	return true;
}

static void check_sa(const struct ike_payload *pl)
{
	static struct isakmp_sa_offer a, b;
	struct ike_writer w;

	if (isakmp_decode_sa(pl, &a))
		return;
	CHECK(a.n >= 1 && a.n_t <= ISAKMP_MAX_TRANSFORMS);
	ike_w_init(&w, out, sizeof(out));
	CHECK(isakmp_w_sa(&w, &a) == 0);
	CHECK(isakmp_decode_sa(reparse(&w, ISAKMP_PL_SA), &b) == 0);
	CHECK(same_offer(&a, &b));
}

static void check_id(const struct ike_payload *pl)
{
	static struct ike_id who;
	struct isakmp_id a, b;
	struct ike_ts ts, back;
	struct ike_writer w;

	if (isakmp_decode_id(pl, &a))
		return;
	ike_w_init(&w, out, sizeof(out));
	CHECK(isakmp_w_id(&w, &a) == 0);
	CHECK(isakmp_decode_id(reparse(&w, ISAKMP_PL_ID), &b) == 0);
	CHECK(a.type == b.type && a.protocol == b.protocol && a.port == b.port &&
	      a.len == b.len && !memcmp(a.data, b.data, a.len));
	if (!isakmp_id_to_ike_id(&a, &who))
		CHECK(who.len == a.len);
	if (isakmp_id_to_ts(&a, &ts))
		return;
	CHECK(memcmp(ts.start_addr, ts.end_addr, 16) <= 0);
	ike_w_init(&w, out, sizeof(out));
	if (isakmp_w_id_ts(&w, &ts))
		return;
	CHECK(isakmp_decode_id(reparse(&w, ISAKMP_PL_ID), &b) == 0);
	CHECK(isakmp_id_to_ts(&b, &back) == 0);
	CHECK(!memcmp(&ts, &back, sizeof(ts)));
}

static void check_notify(const struct ike_payload *pl)
{
	struct isakmp_notify a, b;
	struct ike_writer w;

	if (isakmp_decode_notify(pl, &a))
		return;
	ike_w_init(&w, out, sizeof(out));
	CHECK(isakmp_w_notify(&w, a.doi, a.protocol, a.spi, a.spi_len, a.type, a.data,
			      a.len) == 0);
	CHECK(isakmp_decode_notify(reparse(&w, ISAKMP_PL_NOTIFY), &b) == 0);
	CHECK(a.doi == b.doi && a.protocol == b.protocol && a.spi_len == b.spi_len &&
	      !memcmp(a.spi, b.spi, a.spi_len) && a.type == b.type && a.len == b.len &&
	      !memcmp(a.data, b.data, a.len));
}

static void check_delete(const struct ike_payload *pl)
{
	struct isakmp_delete a, b;
	struct ike_writer w;

	if (isakmp_decode_delete(pl, &a))
		return;
	ike_w_init(&w, out, sizeof(out));
	CHECK(isakmp_w_delete(&w, a.protocol, a.spi_len, a.n_spi, a.spis) == 0);
	CHECK(isakmp_decode_delete(reparse(&w, ISAKMP_PL_DELETE), &b) == 0);
	CHECK(a.protocol == b.protocol && a.spi_len == b.spi_len && a.n_spi == b.n_spi &&
	      !memcmp(a.spis, b.spis, (size_t)a.n_spi * a.spi_len));
}

static void check_small(const struct ike_payload *pl)
{
	const uint8_t *d;
	uint8_t octet;
	size_t len;

	if (!isakmp_decode_ke(pl, &d, &len))
		CHECK(len == pl->len);
	if (!isakmp_decode_nonce(pl, &d, &len))
		CHECK(len >= ISAKMP_NONCE_MIN && len <= ISAKMP_NONCE_MAX);
	if (!isakmp_decode_hash(pl, &d, &len))
		CHECK(len >= 1 && len <= ISAKMP_HASH_MAX);
	if (!isakmp_decode_sig(pl, &d, &len))
		CHECK(len == pl->len);
	if (!isakmp_decode_cert(pl, &octet, &d, &len))
		CHECK(len + 1 == pl->len);
	if (!isakmp_decode_cr(pl, &octet, &d, &len))
		CHECK(len + 1 == pl->len);
	if (!isakmp_decode_nat_oa(pl, &octet, &d, &len))
		CHECK(len == 4 || len == 16);
}

static void check_chain(const struct isakmp_msg *m)
{
	unsigned int i;

	for (i = 0; i < m->n; i++) {
		const struct ike_payload *pl = &m->pl[i];

		check_sa(pl);
		check_id(pl);
		check_notify(pl);
		check_delete(pl);
		check_small(pl);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct isakmp_msg m;
	char line[512];
	int err;

	err = isakmp_parse_msg(data, size, &m);
	CHECK(err <= 0 && m.n <= IKE_MAX_PAYLOADS);
	CHECK(err || m.chain_end == size || (m.hdr.flags & ISAKMP_FLAG_ENCRYPTION));
	isakmp_err_notify(err);
	isakmp_msg_describe(&m, line, sizeof(line));
	CHECK(strlen(line) < sizeof(line));
	check_chain(&m);

	if (size < 2)
		return 0;
	err = isakmp_parse_payloads(data + 2, size - 2, data[0], 2, data[1] & 1, &m);
	CHECK(err || m.chain_end <= size);
	check_chain(&m);
	return 0;
}
