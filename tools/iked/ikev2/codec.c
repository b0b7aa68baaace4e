// SPDX-License-Identifier: GPL-2.0
/*
 * IKEv2 message codec: the header, the generic payload chain, a decoder
 * and an encoder for each payload the daemon speaks (RFC 7296 section 3,
 * RFC 7383 for fragments). Validation lives here so that the layers above
 * only ever see well-formed values.
 */
#include <stdint.h>
#include <string.h>

#include "ikev2/codec.h"
#include "wire.h"

#define PROPOSAL_HDR_LEN	8
#define TRANSFORM_HDR_LEN	8
#define ATTR_HDR_LEN		4
#define TS_HDR_LEN		8	/* type, protocol, length, two ports */
#define PROPOSAL_MORE		2	/* the "last substruc" values */
#define TRANSFORM_MORE		3
#define IKE_ATTR_TYPE_MASK	0x7fff
#define IKE_PAYLOAD_MAX_LEN	UINT16_MAX

const char *ike_err_str(int err)
{
	switch (err) {
	case 0:
		return "success";
	case IKE_E_TRUNCATED:
		return "truncated";
	case IKE_E_BAD_LENGTH:
		return "bad length";
	case IKE_E_VERSION:
		return "unsupported major version";
	case IKE_E_CRITICAL:
		return "unsupported critical payload";
	case IKE_E_TOO_MANY:
		return "too many items";
	case IKE_E_SYNTAX:
		return "invalid syntax";
	case IKE_E_OVERFLOW:
		return "message too big for the buffer";
	case IKE_E_MISSING:
		return "payload missing";
	case IKE_E_PAYLOAD_TYPE:
		return "unknown payload type";
	}
	return "unknown error";
}

uint16_t ike_err_notify(int err)
{
	switch (err) {
	case IKE_E_VERSION:
		return IKE_N_INVALID_MAJOR_VERSION;
	case IKE_E_CRITICAL:
		return IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD;
	}
	return IKE_N_INVALID_SYNTAX;
}

/* ---- Validation shared by the decoders and the encoders ---- */

static int check_spi_len(uint8_t protocol, uint8_t spi_len)
{
	switch (protocol) {
	case IKE_PROTO_IKE:
		/* Empty in IKE_SA_INIT, the new SPI when rekeying the IKE SA. */
		return spi_len == 0 || spi_len == 8 ? 0 : IKE_E_SYNTAX;
	case IKE_PROTO_ESP:
	case IKE_PROTO_AH:
		return spi_len == 4 ? 0 : IKE_E_SYNTAX;
	}
	/* A protocol we do not know: the proposal layer will skip it. */
	return spi_len == 0 || spi_len == 4 || spi_len == 8 ? 0 : IKE_E_SYNTAX;
}

static int check_id(uint8_t type, size_t len)
{
	switch (type) {
	case IKE_ID_IPV4_ADDR:
		return len == 4 ? 0 : IKE_E_BAD_LENGTH;
	case IKE_ID_IPV6_ADDR:
		return len == 16 ? 0 : IKE_E_BAD_LENGTH;
	}
	return len >= 1 && len <= IKE_MAX_ID_LEN ? 0 : IKE_E_BAD_LENGTH;
}

static int check_nonce(size_t len)
{
	return len >= IKE_NONCE_MIN && len <= IKE_NONCE_MAX ? 0 : IKE_E_BAD_LENGTH;
}

static int check_certreq(uint8_t encoding, size_t len)
{
	if (encoding == IKE_CERT_X509_SIG && len % IKE_SHA1_LEN)
		return IKE_E_BAD_LENGTH;
	return 0;
}

static int check_notify_spi(uint8_t spi_len)
{
	return spi_len == 0 || spi_len == 4 || spi_len == 8 ? 0 : IKE_E_SYNTAX;
}

static int check_delete(uint8_t protocol, uint8_t spi_len, uint16_t n_spi)
{
	switch (protocol) {
	case IKE_PROTO_IKE:
		/* The IKE SA is named by the header's SPIs. */
		return spi_len == 0 && n_spi == 0 ? 0 : IKE_E_SYNTAX;
	case IKE_PROTO_ESP:
	case IKE_PROTO_AH:
		return spi_len == 4 ? 0 : IKE_E_SYNTAX;
	}
	return IKE_E_SYNTAX;
}

static size_t ts_selector_len(uint8_t type)
{
	switch (type) {
	case IKE_TS_IPV4_ADDR_RANGE:
		return TS_HDR_LEN + 2 * 4;
	case IKE_TS_IPV6_ADDR_RANGE:
		return TS_HDR_LEN + 2 * 16;
	}
	return 0;
}

static int check_skf(uint16_t frag_num, uint16_t total)
{
	return frag_num >= 1 && frag_num <= total ? 0 : IKE_E_SYNTAX;
}

/* ---- Header and payload chain ---- */

int ike_parse_header_fields(const uint8_t *buf, size_t len, struct ike_header *h)
{
	if (len < IKE_HDR_LEN)
		return IKE_E_TRUNCATED;
	memcpy(h->spi_i, buf, 8);
	memcpy(h->spi_r, buf + 8, 8);
	h->next_payload = buf[16];
	h->version = buf[17];
	h->exchange = buf[18];
	h->flags = buf[19];
	h->msgid = ike_get32(buf + 20);
	h->length = ike_get32(buf + 24);
	if (h->length > len)
		return IKE_E_TRUNCATED;
	return h->length != len ? IKE_E_BAD_LENGTH : 0;
}

int ike_parse_header(const uint8_t *buf, size_t len, struct ike_header *h)
{
	int err = ike_parse_header_fields(buf, len, h);

	if (err)
		return err;
	/* The minor version is ignored, as RFC 7296 2.5 asks. */
	if ((h->version >> 4) != (IKE_VERSION_2 >> 4))
		return IKE_E_VERSION;
	return 0;
}

static bool payload_known(uint8_t type)
{
	return (type >= IKE_PL_SA && type <= IKE_PL_EAP) || type == IKE_PL_SKF;
}

static bool payload_is_sk(uint8_t type)
{
	return type == IKE_PL_SK || type == IKE_PL_SKF;
}

static void msg_reset_chain(struct ike_msg *m)
{
	m->n = 0;
	m->unsupported_critical = 0;
	m->sk_inner_next = 0;
	m->n_skipped = 0;
}

static int walk_chain(const uint8_t *buf, size_t len, uint8_t type,
		      size_t base_offset, bool allow_sk, struct ike_msg *m)
{
	size_t off = 0;

	msg_reset_chain(m);
	while (type != IKE_PL_NONE) {
		struct ike_payload *pl;
		uint8_t next;
		uint16_t plen;

		if (len - off < IKE_GENERIC_HDR_LEN)
			return IKE_E_TRUNCATED;
		next = buf[off];
		plen = ike_get16(buf + off + 2);
		if (plen < IKE_GENERIC_HDR_LEN)
			return IKE_E_BAD_LENGTH;
		if (plen > len - off)
			return IKE_E_TRUNCATED;
		if (!payload_known(type)) {
			if (buf[off + 1] & IKE_PAYLOAD_CRITICAL) {
				m->unsupported_critical = type;
				return IKE_E_CRITICAL;
			}
			m->n_skipped++;
			off += plen;
			type = next;
			continue;
		}
		if (m->n == IKE_MAX_PAYLOADS)
			return IKE_E_TOO_MANY;
		pl = &m->pl[m->n++];
		pl->type = type;
		pl->critical = buf[off + 1] & IKE_PAYLOAD_CRITICAL;
		pl->body = buf + off + IKE_GENERIC_HDR_LEN;
		pl->len = plen - IKE_GENERIC_HDR_LEN;
		pl->offset = base_offset + off;
		off += plen;
		if (payload_is_sk(type)) {
			/* Its next-payload field belongs to the inner chain. */
			if (!allow_sk)
				return IKE_E_SYNTAX;
			m->sk_inner_next = next;
			break;
		}
		type = next;
	}
	return off == len ? 0 : IKE_E_BAD_LENGTH;
}

int ike_parse_payloads(const uint8_t *buf, size_t len, uint8_t first_type,
		       size_t base_offset, struct ike_msg *m)
{
	return walk_chain(buf, len, first_type, base_offset, true, m);
}

int ike_parse_inner(const uint8_t *buf, size_t len, uint8_t first_type,
		    size_t base_offset, struct ike_msg *m)
{
	return walk_chain(buf, len, first_type, base_offset, false, m);
}

int ike_parse_msg(const uint8_t *buf, size_t len, struct ike_msg *m)
{
	int err;

	msg_reset_chain(m);
	err = ike_parse_header(buf, len, &m->hdr);
	if (err)
		return err;
	return ike_parse_payloads(buf + IKE_HDR_LEN, len - IKE_HDR_LEN,
				  m->hdr.next_payload, IKE_HDR_LEN, m);
}

const struct ike_payload *ike_payloads_find(const struct ike_payload *pl, unsigned int n,
					    uint8_t type, const struct ike_payload *prev)
{
	unsigned int i = prev ? (unsigned int)(prev - pl) + 1 : 0;

	for (; i < n; i++)
		if (pl[i].type == type)
			return &pl[i];
	return NULL;
}

const struct ike_payload *ike_msg_find(const struct ike_msg *m, uint8_t type,
				       const struct ike_payload *prev)
{
	return ike_payloads_find(m->pl, m->n, type, prev);
}

/* ---- Security Association ---- */

static void decode_attributes(const uint8_t *p, size_t len, struct ike_transform *t,
			      int *err)
{
	size_t off = 0;

	while (off < len) {
		uint16_t type, val;

		if (len - off < ATTR_HDR_LEN) {
			*err = IKE_E_TRUNCATED;
			return;
		}
		type = ike_get16(p + off);
		val = ike_get16(p + off + 2);
		off += ATTR_HDR_LEN;
		if (!(type & IKE_ATTR_FORMAT_TV)) {
			/* TLV: @val is the length of the value that follows. */
			if (val > len - off) {
				*err = IKE_E_TRUNCATED;
				return;
			}
			off += val;
			t->unusable = true;
			continue;
		}
		/* A zero or repeated key length is as foreign as an unknown one. */
		if ((type & IKE_ATTR_TYPE_MASK) == IKE_ATTR_KEY_LENGTH && val && !t->keylen)
			t->keylen = val;
		else
			t->unusable = true;
	}
}

static int decode_transforms(const uint8_t *p, size_t len, struct ike_proposal *prop,
			     uint8_t count)
{
	size_t off = 0;
	int err = 0;

	if (count == 0)
		return IKE_E_SYNTAX;
	if (count > IKE_MAX_TRANSFORMS)
		return IKE_E_TOO_MANY;
	while (off < len) {
		struct ike_transform *t;
		uint16_t tlen;
		uint8_t last;

		if (prop->n_transforms == count)
			return IKE_E_BAD_LENGTH;
		if (len - off < TRANSFORM_HDR_LEN)
			return IKE_E_TRUNCATED;
		last = p[off];
		tlen = ike_get16(p + off + 2);
		if (tlen < TRANSFORM_HDR_LEN)
			return IKE_E_BAD_LENGTH;
		if (tlen > len - off)
			return IKE_E_TRUNCATED;
		if (last != 0 && last != TRANSFORM_MORE)
			return IKE_E_SYNTAX;
		t = &prop->t[prop->n_transforms++];
		t->type = p[off + 4];
		t->id = ike_get16(p + off + 6);
		decode_attributes(p + off + TRANSFORM_HDR_LEN, tlen - TRANSFORM_HDR_LEN, t, &err);
		if (err)
			return err;
		off += tlen;
		if ((last == 0) != (prop->n_transforms == count))
			return IKE_E_SYNTAX;
	}
	return prop->n_transforms == count ? 0 : IKE_E_TRUNCATED;
}

static int decode_proposal(const uint8_t *p, size_t len, struct ike_proposal *prop)
{
	int err;

	/* Numbering is the proposal layer's concern: a reply echoes one number. */
	prop->num = p[4];
	prop->protocol = p[5];
	prop->spi_len = p[6];
	err = check_spi_len(prop->protocol, prop->spi_len);
	if (err)
		return err;
	if (len < PROPOSAL_HDR_LEN + (size_t)prop->spi_len)
		return IKE_E_BAD_LENGTH;
	memcpy(prop->spi, p + PROPOSAL_HDR_LEN, prop->spi_len);
	return decode_transforms(p + PROPOSAL_HDR_LEN + prop->spi_len,
				 len - PROPOSAL_HDR_LEN - prop->spi_len, prop, p[7]);
}

int ike_decode_sa(const struct ike_payload *pl, struct ike_sa_offer *offer)
{
	const uint8_t *p = pl->body;
	size_t off = 0, len = pl->len;
	uint8_t last = PROPOSAL_MORE;
	int err;

	memset(offer, 0, sizeof(*offer));
	while (off < len && last == PROPOSAL_MORE) {
		uint16_t plen;

		if (offer->n == IKE_MAX_PROPOSALS)
			return IKE_E_TOO_MANY;
		if (len - off < PROPOSAL_HDR_LEN)
			return IKE_E_TRUNCATED;
		last = p[off];
		plen = ike_get16(p + off + 2);
		if (plen < PROPOSAL_HDR_LEN)
			return IKE_E_BAD_LENGTH;
		if (plen > len - off)
			return IKE_E_TRUNCATED;
		if (last != 0 && last != PROPOSAL_MORE)
			return IKE_E_SYNTAX;
		err = decode_proposal(p + off, plen, &offer->p[offer->n++]);
		if (err)
			return err;
		off += plen;
	}
	if (off != len)
		return IKE_E_BAD_LENGTH;	/* bytes after the last proposal */
	if (last != 0)
		return offer->n ? IKE_E_TRUNCATED : IKE_E_SYNTAX;
	return 0;
}

/* ---- Simple payloads ---- */

int ike_decode_ke(const struct ike_payload *pl, uint16_t *group,
		  const uint8_t **data, size_t *len)
{
	if (pl->len <= 4)
		return IKE_E_BAD_LENGTH;
	*group = ike_get16(pl->body);
	*data = pl->body + 4;
	*len = pl->len - 4;
	return 0;
}

int ike_decode_nonce(const struct ike_payload *pl, const uint8_t **data, size_t *len)
{
	int err = check_nonce(pl->len);

	if (err)
		return err;
	*data = pl->body;
	*len = pl->len;
	return 0;
}

int ike_decode_id(const struct ike_payload *pl, struct ike_id *id)
{
	size_t len;
	int err;

	if (pl->len < 4)
		return IKE_E_TRUNCATED;
	len = pl->len - 4;
	err = check_id(pl->body[0], len);
	if (err)
		return err;
	id->type = pl->body[0];
	id->len = len;
	memcpy(id->data, pl->body + 4, len);
	return 0;
}

int ike_decode_auth(const struct ike_payload *pl, uint8_t *method,
		    const uint8_t **data, size_t *len)
{
	if (pl->len <= 4)
		return IKE_E_BAD_LENGTH;
	*method = pl->body[0];
	*data = pl->body + 4;
	*len = pl->len - 4;
	return 0;
}

int ike_decode_cert(const struct ike_payload *pl, uint8_t *encoding,
		    const uint8_t **data, size_t *len)
{
	if (pl->len <= 1)
		return IKE_E_BAD_LENGTH;
	*encoding = pl->body[0];
	*data = pl->body + 1;
	*len = pl->len - 1;
	return 0;
}

int ike_decode_certreq(const struct ike_payload *pl, uint8_t *encoding,
		       const uint8_t **data, size_t *len)
{
	int err;

	/* An empty CA list is allowed: "any CA you like". */
	if (pl->len < 1)
		return IKE_E_TRUNCATED;
	err = check_certreq(pl->body[0], pl->len - 1);
	if (err)
		return err;
	*encoding = pl->body[0];
	*data = pl->body + 1;
	*len = pl->len - 1;
	return 0;
}

int ike_decode_notify(const struct ike_payload *pl, struct ike_notify *n)
{
	const uint8_t *p = pl->body;
	int err;

	if (pl->len < 4)
		return IKE_E_TRUNCATED;
	n->protocol = p[0];
	n->spi_len = p[1];
	n->type = ike_get16(p + 2);
	err = check_notify_spi(n->spi_len);
	if (err)
		return err;
	if (pl->len - 4 < n->spi_len)
		return IKE_E_TRUNCATED;
	memset(n->spi, 0, sizeof(n->spi));
	memcpy(n->spi, p + 4, n->spi_len);
	n->data = p + 4 + n->spi_len;
	n->len = pl->len - 4 - n->spi_len;
	return 0;
}

int ike_msg_find_notify(const struct ike_msg *m, uint16_t type, struct ike_notify *n)
{
	const struct ike_payload *pl = NULL;
	int err;

	while ((pl = ike_msg_find(m, IKE_PL_NOTIFY, pl))) {
		err = ike_decode_notify(pl, n);
		if (err)
			return err;
		if (n->type == type)
			return 0;
	}
	return IKE_E_MISSING;
}

int ike_decode_delete(const struct ike_payload *pl, struct ike_delete *d)
{
	const uint8_t *p = pl->body;
	int err;

	if (pl->len < 4)
		return IKE_E_TRUNCATED;
	d->protocol = p[0];
	d->spi_len = p[1];
	d->n_spi = ike_get16(p + 2);
	err = check_delete(d->protocol, d->spi_len, d->n_spi);
	if (err)
		return err;
	if ((size_t)pl->len - 4 != (size_t)d->spi_len * d->n_spi)
		return IKE_E_BAD_LENGTH;
	d->spis = p + 4;
	return 0;
}

/* ---- Traffic selectors ---- */

static int decode_selector(const uint8_t *p, size_t len, struct ike_ts *ts)
{
	size_t want, alen;

	if (len < TS_HDR_LEN)
		return IKE_E_TRUNCATED;
	want = ts_selector_len(p[0]);
	if (!want)
		return IKE_E_SYNTAX;
	if (ike_get16(p + 2) != want)
		return IKE_E_BAD_LENGTH;
	if (len < want)
		return IKE_E_TRUNCATED;
	alen = (want - TS_HDR_LEN) / 2;
	memset(ts, 0, sizeof(*ts));
	ts->type = p[0];
	ts->ip_proto = p[1];
	ts->start_port = ike_get16(p + 4);
	ts->end_port = ike_get16(p + 6);
	memcpy(ts->start_addr, p + TS_HDR_LEN, alen);
	memcpy(ts->end_addr, p + TS_HDR_LEN + alen, alen);
	return (int)want;
}

int ike_decode_ts(const struct ike_payload *pl, struct ike_ts_set *set)
{
	size_t off = 4;
	unsigned int i;
	int used;

	if (pl->len < 4)
		return IKE_E_TRUNCATED;
	if (pl->body[0] == 0)
		return IKE_E_SYNTAX;
	if (pl->body[0] > IKE_MAX_TS)
		return IKE_E_TOO_MANY;
	set->n = pl->body[0];
	for (i = 0; i < set->n; i++) {
		used = decode_selector(pl->body + off, pl->len - off, &set->ts[i]);
		if (used < 0)
			return used;
		off += used;
	}
	return off == pl->len ? 0 : IKE_E_BAD_LENGTH;
}

int ike_decode_skf(const struct ike_payload *pl, uint16_t *frag_num, uint16_t *total,
		   const uint8_t **rest, size_t *len)
{
	int err;

	if (pl->len < 4)
		return IKE_E_TRUNCATED;
	err = check_skf(ike_get16(pl->body), ike_get16(pl->body + 2));
	if (err)
		return err;
	*frag_num = ike_get16(pl->body);
	*total = ike_get16(pl->body + 2);
	*rest = pl->body + 4;
	*len = pl->len - 4;
	return 0;
}

/* ---- Writer ---- */

void ike_w_fail(struct ike_writer *w, int err)
{
	if (!w->err)
		w->err = err;
}

void ike_w_init(struct ike_writer *w, uint8_t *buf, size_t cap)
{
	memset(w, 0, sizeof(*w));
	w->buf = buf;
	w->cap = cap;
	w->next_off = SIZE_MAX;
}

/* Room for @len more bytes, or NULL and the sticky overflow. */
static uint8_t *w_room(struct ike_writer *w, size_t len)
{
	uint8_t *p;

	if (w->err)
		return NULL;
	if (len > w->cap - w->len) {
		ike_w_fail(w, IKE_E_OVERFLOW);
		return NULL;
	}
	p = w->buf + w->len;
	w->len += len;
	return p;
}

void ike_w_put(struct ike_writer *w, const void *data, size_t len)
{
	uint8_t *p = w_room(w, len);

	if (p && len)
		memcpy(p, data, len);
}

void ike_w_u8(struct ike_writer *w, uint8_t v)
{
	ike_w_put(w, &v, 1);
}

void ike_w_u16(struct ike_writer *w, uint16_t v)
{
	uint8_t b[2];

	ike_put16(b, v);
	ike_w_put(w, b, sizeof(b));
}

void ike_w_u32(struct ike_writer *w, uint32_t v)
{
	uint8_t b[4];

	ike_put32(b, v);
	ike_w_put(w, b, sizeof(b));
}

size_t ike_w_reserve(struct ike_writer *w, size_t len)
{
	size_t off = w->len;
	uint8_t *p = w_room(w, len);

	if (!p)
		return SIZE_MAX;
	memset(p, 0, len);
	return off;
}

/* A 16-bit length field at @at covering the bytes from @start to the end. */
static void w_patch_len(struct ike_writer *w, size_t at, size_t start)
{
	if (w->err)
		return;
	if (w->len - start > IKE_PAYLOAD_MAX_LEN) {
		ike_w_fail(w, IKE_E_OVERFLOW);
		return;
	}
	ike_put16(w->buf + at, (uint16_t)(w->len - start));
}

int ike_w_header(struct ike_writer *w, const struct ike_header *h)
{
	uint8_t *p;

	if (w->len || w->has_header) {
		ike_w_fail(w, IKE_E_SYNTAX);
		return w->err;
	}
	p = w_room(w, IKE_HDR_LEN);
	if (!p)
		return w->err;
	memcpy(p, h->spi_i, 8);
	memcpy(p + 8, h->spi_r, 8);
	p[16] = IKE_PL_NONE;
	p[17] = h->version;
	p[18] = h->exchange;
	p[19] = h->flags;
	ike_put32(p + 20, h->msgid);
	ike_put32(p + 24, 0);
	w->has_header = true;
	w->next_off = 16;
	return 0;
}

size_t ike_w_begin(struct ike_writer *w, uint8_t type, bool critical)
{
	size_t off = w->len;
	uint8_t *p;

	if (w->sealed)
		ike_w_fail(w, IKE_E_SYNTAX);
	p = w_room(w, IKE_GENERIC_HDR_LEN);
	if (!p)
		return off;
	p[0] = IKE_PL_NONE;
	p[1] = critical ? IKE_PAYLOAD_CRITICAL : 0;
	ike_put16(p + 2, IKE_GENERIC_HDR_LEN);
	if (w->next_off == SIZE_MAX)
		w->first = type;
	else
		w->buf[w->next_off] = type;
	w->next_off = off;
	return off;
}

void ike_w_end(struct ike_writer *w, size_t off)
{
	w_patch_len(w, off + 2, off);
}

int ike_w_finish(struct ike_writer *w)
{
	if (w->err)
		return w->err;
	if (w->len > INT32_MAX) {
		ike_w_fail(w, IKE_E_OVERFLOW);
		return w->err;
	}
	if (w->has_header)
		ike_put32(w->buf + 24, (uint32_t)w->len);
	return (int)w->len;
}

int ike_w_payload(struct ike_writer *w, uint8_t type, bool critical,
		  const void *body, size_t len)
{
	size_t off = ike_w_begin(w, type, critical);

	ike_w_put(w, body, len);
	ike_w_end(w, off);
	return w->err;
}

/* A body of a 4-byte prefix (one octet, three reserved) and data. */
static int w_prefixed(struct ike_writer *w, uint8_t type, uint8_t octet,
		      const void *data, size_t len)
{
	size_t off = ike_w_begin(w, type, false);

	ike_w_u8(w, octet);
	ike_w_reserve(w, 3);
	ike_w_put(w, data, len);
	ike_w_end(w, off);
	return w->err;
}

static void w_transform(struct ike_writer *w, const struct ike_transform *t, bool last)
{
	size_t off = w->len;

	ike_w_u8(w, last ? 0 : TRANSFORM_MORE);
	ike_w_u8(w, 0);
	ike_w_u16(w, 0);
	ike_w_u8(w, t->type);
	ike_w_u8(w, 0);
	ike_w_u16(w, t->id);
	if (t->keylen) {
		ike_w_u16(w, IKE_ATTR_FORMAT_TV | IKE_ATTR_KEY_LENGTH);
		ike_w_u16(w, t->keylen);
	}
	w_patch_len(w, off + 2, off);
}

static void w_proposal(struct ike_writer *w, const struct ike_proposal *p, bool last)
{
	size_t off = w->len;
	unsigned int i;

	if (!p->n_transforms || p->n_transforms > IKE_MAX_TRANSFORMS ||
	    check_spi_len(p->protocol, p->spi_len)) {
		ike_w_fail(w, IKE_E_SYNTAX);
		return;
	}
	ike_w_u8(w, last ? 0 : PROPOSAL_MORE);
	ike_w_u8(w, 0);
	ike_w_u16(w, 0);
	ike_w_u8(w, p->num);
	ike_w_u8(w, p->protocol);
	ike_w_u8(w, p->spi_len);
	ike_w_u8(w, p->n_transforms);
	ike_w_put(w, p->spi, p->spi_len);
	for (i = 0; i < p->n_transforms; i++)
		w_transform(w, &p->t[i], i + 1 == p->n_transforms);
	w_patch_len(w, off + 2, off);
}

int ike_w_sa(struct ike_writer *w, const struct ike_sa_offer *offer)
{
	size_t off;
	unsigned int i;

	if (!offer->n || offer->n > IKE_MAX_PROPOSALS) {
		ike_w_fail(w, IKE_E_SYNTAX);
		return w->err;
	}
	off = ike_w_begin(w, IKE_PL_SA, false);
	for (i = 0; i < offer->n; i++)
		w_proposal(w, &offer->p[i], i + 1 == offer->n);
	ike_w_end(w, off);
	return w->err;
}

int ike_w_ke(struct ike_writer *w, uint16_t group, const void *data, size_t len)
{
	size_t off;

	if (!len) {
		ike_w_fail(w, IKE_E_SYNTAX);
		return w->err;
	}
	off = ike_w_begin(w, IKE_PL_KE, false);
	ike_w_u16(w, group);
	ike_w_u16(w, 0);
	ike_w_put(w, data, len);
	ike_w_end(w, off);
	return w->err;
}

int ike_w_nonce(struct ike_writer *w, const void *data, size_t len)
{
	if (check_nonce(len)) {
		ike_w_fail(w, IKE_E_SYNTAX);
		return w->err;
	}
	return ike_w_payload(w, IKE_PL_NONCE, false, data, len);
}

size_t ike_id_body(const struct ike_id *id, uint8_t *out, size_t cap)
{
	size_t len = 4 + (size_t)id->len;

	if (id->len > IKE_MAX_ID_LEN || cap < len)
		return 0;
	out[0] = id->type;
	memset(out + 1, 0, 3);
	memcpy(out + 4, id->data, id->len);
	return len;
}

int ike_w_id(struct ike_writer *w, uint8_t type, const struct ike_id *id)
{
	if ((type != IKE_PL_IDI && type != IKE_PL_IDR) || check_id(id->type, id->len)) {
		ike_w_fail(w, IKE_E_SYNTAX);
		return w->err;
	}
	return w_prefixed(w, type, id->type, id->data, id->len);
}

int ike_w_auth(struct ike_writer *w, uint8_t method, const void *data, size_t len)
{
	if (!len) {
		ike_w_fail(w, IKE_E_SYNTAX);
		return w->err;
	}
	return w_prefixed(w, IKE_PL_AUTH, method, data, len);
}

static int w_cert(struct ike_writer *w, uint8_t type, uint8_t encoding,
		  const void *data, size_t len)
{
	size_t off = ike_w_begin(w, type, false);

	ike_w_u8(w, encoding);
	ike_w_put(w, data, len);
	ike_w_end(w, off);
	return w->err;
}

int ike_w_cert(struct ike_writer *w, uint8_t encoding, const void *data, size_t len)
{
	if (!len) {
		ike_w_fail(w, IKE_E_SYNTAX);
		return w->err;
	}
	return w_cert(w, IKE_PL_CERT, encoding, data, len);
}

int ike_w_certreq(struct ike_writer *w, uint8_t encoding, const void *data, size_t len)
{
	if (check_certreq(encoding, len)) {
		ike_w_fail(w, IKE_E_SYNTAX);
		return w->err;
	}
	return w_cert(w, IKE_PL_CERTREQ, encoding, data, len);
}

int ike_w_notify(struct ike_writer *w, uint8_t protocol, const void *spi,
		 uint8_t spi_len, uint16_t type, const void *data, size_t len)
{
	size_t off;

	if (check_notify_spi(spi_len)) {
		ike_w_fail(w, IKE_E_SYNTAX);
		return w->err;
	}
	off = ike_w_begin(w, IKE_PL_NOTIFY, false);
	ike_w_u8(w, protocol);
	ike_w_u8(w, spi_len);
	ike_w_u16(w, type);
	ike_w_put(w, spi, spi_len);
	ike_w_put(w, data, len);
	ike_w_end(w, off);
	return w->err;
}

int ike_w_delete(struct ike_writer *w, uint8_t protocol, uint8_t spi_len,
		 uint16_t n_spi, const void *spis)
{
	size_t off;

	if (check_delete(protocol, spi_len, n_spi)) {
		ike_w_fail(w, IKE_E_SYNTAX);
		return w->err;
	}
	off = ike_w_begin(w, IKE_PL_DELETE, false);
	ike_w_u8(w, protocol);
	ike_w_u8(w, spi_len);
	ike_w_u16(w, n_spi);
	ike_w_put(w, spis, (size_t)spi_len * n_spi);
	ike_w_end(w, off);
	return w->err;
}

static void w_selector(struct ike_writer *w, const struct ike_ts *ts)
{
	size_t len = ts_selector_len(ts->type);
	size_t alen = (len - TS_HDR_LEN) / 2;

	ike_w_u8(w, ts->type);
	ike_w_u8(w, ts->ip_proto);
	ike_w_u16(w, len);
	ike_w_u16(w, ts->start_port);
	ike_w_u16(w, ts->end_port);
	ike_w_put(w, ts->start_addr, alen);
	ike_w_put(w, ts->end_addr, alen);
}

int ike_w_ts(struct ike_writer *w, uint8_t type, const struct ike_ts_set *set)
{
	unsigned int i;
	size_t off;

	if ((type != IKE_PL_TSI && type != IKE_PL_TSR) || !set->n || set->n > IKE_MAX_TS) {
		ike_w_fail(w, IKE_E_SYNTAX);
		return w->err;
	}
	for (i = 0; i < set->n; i++) {
		if (!ts_selector_len(set->ts[i].type)) {
			ike_w_fail(w, IKE_E_SYNTAX);
			return w->err;
		}
	}
	off = ike_w_begin(w, type, false);
	ike_w_u8(w, set->n);
	ike_w_reserve(w, 3);
	for (i = 0; i < set->n; i++)
		w_selector(w, &set->ts[i]);
	ike_w_end(w, off);
	return w->err;
}

int ike_w_vendor(struct ike_writer *w, const void *data, size_t len)
{
	return ike_w_payload(w, IKE_PL_VENDOR, false, data, len);
}

/* Begins SK/SKF, names the inner chain, and seals the outer one. */
static size_t w_begin_sk(struct ike_writer *w, uint8_t type, uint8_t inner_first)
{
	size_t off = ike_w_begin(w, type, false);

	if (!w->err)
		w->buf[off] = inner_first;
	w->next_off = SIZE_MAX;
	w->sealed = true;
	return off;
}

size_t ike_w_sk(struct ike_writer *w, uint8_t inner_first, size_t body_len)
{
	size_t off = w_begin_sk(w, IKE_PL_SK, inner_first);
	size_t body = ike_w_reserve(w, body_len);

	ike_w_end(w, off);
	return w->err ? SIZE_MAX : body;
}

size_t ike_w_skf(struct ike_writer *w, uint8_t inner_first, uint16_t frag_num,
		 uint16_t total, size_t body_len)
{
	size_t off, body;

	if (check_skf(frag_num, total)) {
		ike_w_fail(w, IKE_E_SYNTAX);
		return SIZE_MAX;
	}
	off = w_begin_sk(w, IKE_PL_SKF, inner_first);
	ike_w_u16(w, frag_num);
	ike_w_u16(w, total);
	body = ike_w_reserve(w, body_len);
	ike_w_end(w, off);
	return w->err ? SIZE_MAX : body;
}
