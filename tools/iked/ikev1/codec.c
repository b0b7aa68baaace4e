// SPDX-License-Identifier: GPL-2.0
/*
 * ISAKMP message codec (see codec.h). Every length is checked against the
 * buffer before it is used; nothing is allocated.
 */
#include <string.h>

#include "ikev1/codec.h"
#include "wire.h"

#define ISAKMP_SA_HDR_LEN	8	/* DOI, situation */
#define ISAKMP_PROPOSAL_HDR_LEN	8	/* generic header, #, protocol, SPI size, #transforms */
#define ISAKMP_TRANSFORM_HDR_LEN 8	/* generic header, #, ID, 2 reserved */
#define ISAKMP_ID_HDR_LEN	4	/* type, protocol, port */
#define ISAKMP_NOTIFY_HDR_LEN	8	/* DOI, protocol, SPI size, type */
#define ISAKMP_DELETE_HDR_LEN	8	/* DOI, protocol, SPI size, #SPIs */
#define ISAKMP_ATTR_HDR_LEN	4
#define ISAKMP_ATTR_TV		0x8000	/* the attribute format bit: type/value */
#define ISAKMP_COOKIE_PAIR_LEN	(2 * ISAKMP_COOKIE_LEN)

int isakmp_parse_header(const uint8_t *buf, size_t len, struct ike_header *h)
{
	int err = ike_parse_header_fields(buf, len, h);

	if (err)
		return err;
	/* RFC 2408 5.1: a version we do not speak is dropped. */
	if (h->version != ISAKMP_VERSION)
		return IKE_E_VERSION;
	if (h->flags & ~ISAKMP_FLAGS_KNOWN)
		return IKE_E_SYNTAX;
	return 0;
}

/* The payload types that may appear in a message's chain. */
static bool chain_payload_known(uint8_t type)
{
	return (type >= ISAKMP_PL_SA && type <= ISAKMP_PL_VENDOR &&
		type != ISAKMP_PL_PROPOSAL && type != ISAKMP_PL_TRANSFORM) ||
	       type == ISAKMP_PL_NAT_D || type == ISAKMP_PL_NAT_OA;
}

int isakmp_parse_payloads(const uint8_t *buf, size_t len, uint8_t first_type,
			  size_t base_offset, bool padded, struct isakmp_msg *m)
{
	uint8_t type = first_type;
	size_t off = 0;

	m->n = 0;
	m->chain_end = base_offset;
	while (type != ISAKMP_PL_NONE) {
		struct ike_payload *pl;
		uint16_t plen;

		if (!chain_payload_known(type))
			return IKE_E_PAYLOAD_TYPE;
		if (len - off < IKE_GENERIC_HDR_LEN)
			return IKE_E_TRUNCATED;
		plen = ike_get16(buf + off + 2);
		if (plen < IKE_GENERIC_HDR_LEN)
			return IKE_E_BAD_LENGTH;
		if (plen > len - off)
			return IKE_E_TRUNCATED;
		if (m->n == IKE_MAX_PAYLOADS)
			return IKE_E_TOO_MANY;
		pl = &m->pl[m->n++];
		pl->type = type;
		pl->critical = false;
		pl->body = buf + off + IKE_GENERIC_HDR_LEN;
		pl->len = plen - IKE_GENERIC_HDR_LEN;
		pl->offset = base_offset + off;
		type = buf[off];
		off += plen;
	}
	m->chain_end = base_offset + off;
	return off == len || padded ? 0 : IKE_E_BAD_LENGTH;
}

int isakmp_parse_msg(const uint8_t *buf, size_t len, struct isakmp_msg *m)
{
	int err;

	m->n = 0;
	m->chain_end = 0;
	err = isakmp_parse_header(buf, len, &m->hdr);
	if (err)
		return err;
	if (m->hdr.flags & ISAKMP_FLAG_ENCRYPTION)
		return 0;
	return isakmp_parse_payloads(buf + IKE_HDR_LEN, len - IKE_HDR_LEN,
				     m->hdr.next_payload, IKE_HDR_LEN, false, m);
}

const struct ike_payload *isakmp_msg_find(const struct isakmp_msg *m, uint8_t type,
					  const struct ike_payload *prev)
{
	return ike_payloads_find(m->pl, m->n, type, prev);
}

/* ---- Security Association ---- */

/*
 * An attribute's value as a number: a TV one's 16 bits, or a TLV one's
 * value of up to four octets once leading zeros are dropped. False when
 * it does not fit.
 */
static bool attr_value(bool tv, const uint8_t *v, uint16_t vlen, uint32_t *out)
{
	uint16_t i = 0;

	if (tv) {
		*out = ike_get16(v);
		return true;
	}
	while (i < vlen && !v[i])
		i++;
	if (vlen - i > 4)
		return false;
	for (*out = 0; i < vlen; i++)
		*out = *out << 8 | v[i];
	return true;
}

/* Sets a 16-bit attribute once; again, zero or too big: unusable. */
static void attr_set16(struct isakmp_transform *t, uint16_t *field, uint32_t val)
{
	if (*field || !val || val > UINT16_MAX)
		t->unusable = true;
	else
		*field = (uint16_t)val;
}

/*
 * A life duration, for the life type just given (RFC 2409 Appendix A:
 * a Life Type is followed by its Life Duration).
 */
static void attr_life(struct isakmp_transform *t, uint16_t *life_type, uint32_t val)
{
	uint32_t *field = *life_type == ISAKMP_LIFE_SECONDS ? &t->life_seconds :
			  *life_type == ISAKMP_LIFE_KILOBYTES ? &t->life_kbytes : NULL;

	if (!field || *field || !val)
		t->unusable = true;
	else
		*field = val;
	*life_type = 0;
}

static void attr_phase1(struct isakmp_transform *t, uint16_t type, uint32_t val,
			uint16_t *life_type)
{
	switch (type) {
	case ISAKMP_A1_ENCR:
		attr_set16(t, &t->encr, val);
		break;
	case ISAKMP_A1_HASH:
		attr_set16(t, &t->hash, val);
		break;
	case ISAKMP_A1_AUTH:
		attr_set16(t, &t->auth, val);
		break;
	case ISAKMP_A1_GROUP:
		attr_set16(t, &t->group, val);
		break;
	case ISAKMP_A1_PRF:
		attr_set16(t, &t->prf, val);
		break;
	case ISAKMP_A1_KEY_LENGTH:
		attr_set16(t, &t->key_len, val);
		break;
	case ISAKMP_A1_LIFE_TYPE:
		if (*life_type || !val || val > UINT16_MAX)
			t->unusable = true;
		*life_type = (uint16_t)val;
		break;
	case ISAKMP_A1_LIFE_DURATION:
		attr_life(t, life_type, val);
		break;
	default:
		/* Private groups (type, prime, generators, curves) included. */
		t->unusable = true;
	}
}

static void attr_phase2(struct isakmp_transform *t, uint16_t type, uint32_t val,
			uint16_t *life_type)
{
	switch (type) {
	case ISAKMP_A2_LIFE_TYPE:
		if (*life_type || !val || val > UINT16_MAX)
			t->unusable = true;
		*life_type = (uint16_t)val;
		break;
	case ISAKMP_A2_LIFE_DURATION:
		attr_life(t, life_type, val);
		break;
	case ISAKMP_A2_GROUP:
		attr_set16(t, &t->group, val);
		break;
	case ISAKMP_A2_ENCAP_MODE:
		attr_set16(t, &t->encap, val);
		break;
	case ISAKMP_A2_AUTH:
		attr_set16(t, &t->auth_alg, val);
		break;
	case ISAKMP_A2_KEY_LENGTH:
		attr_set16(t, &t->key_len, val);
		break;
	case ISAKMP_A2_ESN:
		attr_set16(t, &t->esn, val);
		break;
	default:
		t->unusable = true;
	}
}

static int decode_attributes(const uint8_t *p, size_t len, bool phase1,
			     struct isakmp_transform *t)
{
	uint16_t life_type = 0;
	size_t off = 0;

	while (off < len) {
		uint16_t type, vlen = 2;
		uint32_t val = 0;
		bool tv;

		if (len - off < ISAKMP_ATTR_HDR_LEN)
			return IKE_E_TRUNCATED;
		type = ike_get16(p + off);
		tv = type & ISAKMP_ATTR_TV;
		type &= ~ISAKMP_ATTR_TV;
		if (!tv) {
			vlen = ike_get16(p + off + 2);
			if (vlen > len - off - ISAKMP_ATTR_HDR_LEN)
				return IKE_E_TRUNCATED;
		}
		if (!attr_value(tv, p + off + (tv ? 2 : ISAKMP_ATTR_HDR_LEN), vlen, &val))
			t->unusable = true;
		else if (phase1)
			attr_phase1(t, type, val, &life_type);
		else
			attr_phase2(t, type, val, &life_type);
		off += tv ? ISAKMP_ATTR_HDR_LEN : ISAKMP_ATTR_HDR_LEN + vlen;
	}
	/* A life type with no duration after it. */
	if (life_type)
		t->unusable = true;
	return 0;
}

static int check_spi_len(uint8_t protocol, uint8_t spi_len)
{
	switch (protocol) {
	case ISAKMP_PROTO_ISAKMP:
		/* RFC 2408 2.4: empty, or the cookie pair. */
		return spi_len == 0 || spi_len == ISAKMP_COOKIE_PAIR_LEN ? 0 : IKE_E_SYNTAX;
	case ISAKMP_PROTO_AH:
	case ISAKMP_PROTO_ESP:
		return spi_len == 4 ? 0 : IKE_E_SYNTAX;
	case ISAKMP_PROTO_IPCOMP:
		/* A CPI, sent in two octets or four (RFC 2407 4.4.1.1). */
		return spi_len == 2 || spi_len == 4 ? 0 : IKE_E_SYNTAX;
	}
	return spi_len <= ISAKMP_MAX_SPI_LEN ? 0 : IKE_E_SYNTAX;
}

static int decode_transforms(const uint8_t *p, size_t len, uint8_t count,
			     struct isakmp_proposal *prop, struct isakmp_sa_offer *offer)
{
	bool phase1 = prop->protocol == ISAKMP_PROTO_ISAKMP;
	uint8_t next = ISAKMP_PL_TRANSFORM;
	size_t off = 0;
	int err;

	if (count == 0)
		return IKE_E_SYNTAX;
	prop->first = offer->n_t;
	while (next == ISAKMP_PL_TRANSFORM) {
		struct isakmp_transform *t;
		uint16_t tlen;

		if (prop->n_transforms == count)
			return IKE_E_SYNTAX;
		if (offer->n_t == ISAKMP_MAX_TRANSFORMS)
			return IKE_E_TOO_MANY;
		if (len - off < ISAKMP_TRANSFORM_HDR_LEN)
			return IKE_E_TRUNCATED;
		next = p[off];
		tlen = ike_get16(p + off + 2);
		if (tlen < ISAKMP_TRANSFORM_HDR_LEN)
			return IKE_E_BAD_LENGTH;
		if (tlen > len - off)
			return IKE_E_TRUNCATED;
		if (next != ISAKMP_PL_NONE && next != ISAKMP_PL_TRANSFORM)
			return IKE_E_SYNTAX;
		t = &offer->t[offer->n_t++];
		memset(t, 0, sizeof(*t));
		t->num = p[off + 4];
		t->id = p[off + 5];
		err = decode_attributes(p + off + ISAKMP_TRANSFORM_HDR_LEN,
					tlen - ISAKMP_TRANSFORM_HDR_LEN, phase1, t);
		if (err)
			return err;
		prop->n_transforms++;
		off += tlen;
	}
	/* RFC 2408 3.5: the count and the chain must agree, to the byte. */
	if (prop->n_transforms != count)
		return IKE_E_SYNTAX;
	return off == len ? 0 : IKE_E_BAD_LENGTH;
}

static int decode_proposal(const uint8_t *p, size_t len, struct isakmp_sa_offer *offer)
{
	struct isakmp_proposal *prop = &offer->p[offer->n++];
	int err;

	memset(prop, 0, sizeof(*prop));
	prop->num = p[4];
	prop->protocol = p[5];
	prop->spi_len = p[6];
	err = check_spi_len(prop->protocol, prop->spi_len);
	if (err)
		return err;
	if (len < ISAKMP_PROPOSAL_HDR_LEN + (size_t)prop->spi_len)
		return IKE_E_BAD_LENGTH;
	memcpy(prop->spi, p + ISAKMP_PROPOSAL_HDR_LEN, prop->spi_len);
	return decode_transforms(p + ISAKMP_PROPOSAL_HDR_LEN + prop->spi_len,
				 len - ISAKMP_PROPOSAL_HDR_LEN - prop->spi_len, p[7], prop,
				 offer);
}

int isakmp_decode_sa(const struct ike_payload *pl, struct isakmp_sa_offer *offer)
{
	const uint8_t *p = pl->body;
	uint8_t next = ISAKMP_PL_PROPOSAL;
	size_t off = ISAKMP_SA_HDR_LEN, len = pl->len;
	int err;

	offer->n = 0;
	offer->n_t = 0;
	offer->doi = 0;
	offer->situation = 0;
	if (len < ISAKMP_SA_HDR_LEN)
		return IKE_E_BAD_LENGTH;
	offer->doi = ike_get32(p);
	offer->situation = ike_get32(p + 4);
	/* Other situations carry labels we do not parse. */
	if (offer->doi != ISAKMP_DOI_IPSEC || offer->situation != ISAKMP_SIT_IDENTITY_ONLY)
		return IKE_E_SYNTAX;
	while (next == ISAKMP_PL_PROPOSAL) {
		uint16_t plen;

		if (offer->n == ISAKMP_MAX_PROPOSALS)
			return IKE_E_TOO_MANY;
		if (len - off < ISAKMP_PROPOSAL_HDR_LEN)
			return IKE_E_TRUNCATED;
		next = p[off];
		plen = ike_get16(p + off + 2);
		if (plen < ISAKMP_PROPOSAL_HDR_LEN)
			return IKE_E_BAD_LENGTH;
		if (plen > len - off)
			return IKE_E_TRUNCATED;
		if (next != ISAKMP_PL_NONE && next != ISAKMP_PL_PROPOSAL)
			return IKE_E_SYNTAX;
		err = decode_proposal(p + off, plen, offer);
		if (err)
			return err;
		off += plen;
	}
	return off == len ? 0 : IKE_E_BAD_LENGTH;
}

/* ---- Identities ---- */

/* The length of an address-type ID's data; 0 for the others. */
static size_t id_addr_len(uint8_t type)
{
	switch (type) {
	case ISAKMP_ID_IPV4_ADDR:
		return 4;
	case ISAKMP_ID_IPV4_ADDR_SUBNET:
	case ISAKMP_ID_IPV4_ADDR_RANGE:
	case ISAKMP_ID_IPV6_ADDR:
		return type == ISAKMP_ID_IPV6_ADDR ? 16 : 8;
	case ISAKMP_ID_IPV6_ADDR_SUBNET:
	case ISAKMP_ID_IPV6_ADDR_RANGE:
		return 32;
	}
	return 0;
}

int isakmp_decode_id(const struct ike_payload *pl, struct isakmp_id *id)
{
	size_t want;

	if (pl->len <= ISAKMP_ID_HDR_LEN)
		return IKE_E_BAD_LENGTH;
	id->type = pl->body[0];
	id->protocol = pl->body[1];
	id->port = ike_get16(pl->body + 2);
	id->data = pl->body + ISAKMP_ID_HDR_LEN;
	id->len = pl->len - ISAKMP_ID_HDR_LEN;
	switch (id->type) {
	case ISAKMP_ID_FQDN:
	case ISAKMP_ID_USER_FQDN:
	case ISAKMP_ID_DER_ASN1_DN:
	case ISAKMP_ID_DER_ASN1_GN:
	case ISAKMP_ID_KEY_ID:
		return id->len <= IKE_MAX_ID_LEN ? 0 : IKE_E_BAD_LENGTH;
	}
	want = id_addr_len(id->type);
	if (!want)
		return IKE_E_SYNTAX;
	return id->len == want ? 0 : IKE_E_BAD_LENGTH;
}

/* A mask's prefix length, or -1 if it is not contiguous. */
static int mask_prefix(const uint8_t *mask, size_t alen)
{
	size_t i;
	int bits = 0;
	bool ended = false;

	for (i = 0; i < alen; i++) {
		uint8_t b = mask[i];

		if (ended && b)
			return -1;
		while (b & 0x80) {
			bits++;
			b = (uint8_t)(b << 1);
		}
		if (b)
			return -1;
		if (mask[i] != 0xff)
			ended = true;
	}
	return bits;
}

int isakmp_id_to_ts(const struct isakmp_id *id, struct ike_ts *ts)
{
	bool v6 = id->type == ISAKMP_ID_IPV6_ADDR || id->type == ISAKMP_ID_IPV6_ADDR_SUBNET ||
		  id->type == ISAKMP_ID_IPV6_ADDR_RANGE;
	size_t alen = v6 ? 16 : 4, i;

	memset(ts, 0, sizeof(*ts));
	ts->type = v6 ? IKE_TS_IPV6_ADDR_RANGE : IKE_TS_IPV4_ADDR_RANGE;
	ts->ip_proto = id->protocol;
	ts->start_port = id->port;
	ts->end_port = id->port ? id->port : UINT16_MAX;
	switch (id->type) {
	case ISAKMP_ID_IPV4_ADDR:
	case ISAKMP_ID_IPV6_ADDR:
		if (id->len != alen)
			return IKE_E_BAD_LENGTH;
		memcpy(ts->start_addr, id->data, alen);
		memcpy(ts->end_addr, id->data, alen);
		return 0;
	case ISAKMP_ID_IPV4_ADDR_SUBNET:
	case ISAKMP_ID_IPV6_ADDR_SUBNET:
		if (id->len != 2 * alen)
			return IKE_E_BAD_LENGTH;
		if (mask_prefix(id->data + alen, alen) < 0)
			return IKE_E_SYNTAX;
		for (i = 0; i < alen; i++) {
			ts->start_addr[i] = id->data[i] & id->data[alen + i];
			ts->end_addr[i] = id->data[i] | (uint8_t)~id->data[alen + i];
		}
		return 0;
	case ISAKMP_ID_IPV4_ADDR_RANGE:
	case ISAKMP_ID_IPV6_ADDR_RANGE:
		if (id->len != 2 * alen)
			return IKE_E_BAD_LENGTH;
		if (memcmp(id->data, id->data + alen, alen) > 0)
			return IKE_E_SYNTAX;
		memcpy(ts->start_addr, id->data, alen);
		memcpy(ts->end_addr, id->data + alen, alen);
		return 0;
	}
	return IKE_E_SYNTAX;
}

int isakmp_id_to_ike_id(const struct isakmp_id *id, struct ike_id *out)
{
	switch (id->type) {
	case ISAKMP_ID_IPV4_ADDR:
	case ISAKMP_ID_FQDN:
	case ISAKMP_ID_USER_FQDN:
	case ISAKMP_ID_IPV6_ADDR:
	case ISAKMP_ID_DER_ASN1_DN:
	case ISAKMP_ID_DER_ASN1_GN:
	case ISAKMP_ID_KEY_ID:
		break;
	default:
		/* A subnet or range names no one. */
		return IKE_E_SYNTAX;
	}
	if (!id->len || id->len > IKE_MAX_ID_LEN)
		return IKE_E_BAD_LENGTH;
	out->type = id->type;
	out->len = (uint16_t)id->len;
	memcpy(out->data, id->data, id->len);
	return 0;
}

/* ---- Simple payloads ---- */

/* A body of MIN..MAX bytes, whole. */
static int decode_blob(const struct ike_payload *pl, size_t min, size_t max,
		       const uint8_t **data, size_t *len)
{
	if (pl->len < min || pl->len > max)
		return IKE_E_BAD_LENGTH;
	*data = pl->body;
	*len = pl->len;
	return 0;
}

int isakmp_decode_ke(const struct ike_payload *pl, const uint8_t **data, size_t *len)
{
	return decode_blob(pl, 1, SIZE_MAX, data, len);
}

int isakmp_decode_nonce(const struct ike_payload *pl, const uint8_t **data, size_t *len)
{
	return decode_blob(pl, ISAKMP_NONCE_MIN, ISAKMP_NONCE_MAX, data, len);
}

int isakmp_decode_hash(const struct ike_payload *pl, const uint8_t **data, size_t *len)
{
	return decode_blob(pl, 1, ISAKMP_HASH_MAX, data, len);
}

int isakmp_decode_sig(const struct ike_payload *pl, const uint8_t **data, size_t *len)
{
	return decode_blob(pl, 1, SIZE_MAX, data, len);
}

/* One octet, then data: NONEMPTY says whether the data may be empty. */
static int decode_prefixed(const struct ike_payload *pl, bool nonempty, uint8_t *octet,
			   const uint8_t **data, size_t *len)
{
	if (pl->len < 1 + (size_t)nonempty)
		return IKE_E_BAD_LENGTH;
	*octet = pl->body[0];
	*data = pl->body + 1;
	*len = pl->len - 1;
	return 0;
}

int isakmp_decode_cert(const struct ike_payload *pl, uint8_t *encoding,
		       const uint8_t **data, size_t *len)
{
	return decode_prefixed(pl, true, encoding, data, len);
}

int isakmp_decode_cr(const struct ike_payload *pl, uint8_t *type,
		     const uint8_t **data, size_t *len)
{
	/* An empty authority asks for any certificate (RFC 2408 3.10). */
	return decode_prefixed(pl, false, type, data, len);
}

static int check_notify_spi(uint8_t spi_len)
{
	return spi_len == 0 || spi_len == 4 || spi_len == ISAKMP_COOKIE_PAIR_LEN ?
	       0 : IKE_E_SYNTAX;
}

int isakmp_decode_notify(const struct ike_payload *pl, struct isakmp_notify *n)
{
	const uint8_t *p = pl->body;
	int err;

	if (pl->len < ISAKMP_NOTIFY_HDR_LEN)
		return IKE_E_BAD_LENGTH;
	n->doi = ike_get32(p);
	n->protocol = p[4];
	n->spi_len = p[5];
	n->type = ike_get16(p + 6);
	if (n->doi != 0 && n->doi != ISAKMP_DOI_IPSEC)
		return IKE_E_SYNTAX;
	err = check_notify_spi(n->spi_len);
	if (err)
		return err;
	if (pl->len < ISAKMP_NOTIFY_HDR_LEN + (size_t)n->spi_len)
		return IKE_E_BAD_LENGTH;
	memcpy(n->spi, p + ISAKMP_NOTIFY_HDR_LEN, n->spi_len);
	n->data = p + ISAKMP_NOTIFY_HDR_LEN + n->spi_len;
	n->len = pl->len - ISAKMP_NOTIFY_HDR_LEN - n->spi_len;
	return 0;
}

static int check_delete(uint8_t protocol, uint8_t spi_len, uint16_t n_spi)
{
	if (n_spi == 0)
		return IKE_E_SYNTAX;
	switch (protocol) {
	case ISAKMP_PROTO_ISAKMP:
		return spi_len == ISAKMP_COOKIE_PAIR_LEN ? 0 : IKE_E_SYNTAX;
	case ISAKMP_PROTO_AH:
	case ISAKMP_PROTO_ESP:
		return spi_len == 4 ? 0 : IKE_E_SYNTAX;
	}
	return IKE_E_SYNTAX;
}

int isakmp_decode_delete(const struct ike_payload *pl, struct isakmp_delete *d)
{
	const uint8_t *p = pl->body;
	int err;

	if (pl->len < ISAKMP_DELETE_HDR_LEN)
		return IKE_E_BAD_LENGTH;
	d->doi = ike_get32(p);
	d->protocol = p[4];
	d->spi_len = p[5];
	d->n_spi = ike_get16(p + 6);
	if (d->doi != ISAKMP_DOI_IPSEC)
		return IKE_E_SYNTAX;
	err = check_delete(d->protocol, d->spi_len, d->n_spi);
	if (err)
		return err;
	if ((size_t)pl->len - ISAKMP_DELETE_HDR_LEN != (size_t)d->n_spi * d->spi_len)
		return IKE_E_BAD_LENGTH;
	d->spis = p + ISAKMP_DELETE_HDR_LEN;
	return 0;
}

int isakmp_decode_nat_oa(const struct ike_payload *pl, uint8_t *id_type,
			 const uint8_t **addr, size_t *len)
{
	if (pl->len < 4)
		return IKE_E_BAD_LENGTH;
	*id_type = pl->body[0];
	*addr = pl->body + 4;
	*len = pl->len - 4;
	if (*id_type == ISAKMP_ID_IPV4_ADDR)
		return *len == 4 ? 0 : IKE_E_BAD_LENGTH;
	if (*id_type == ISAKMP_ID_IPV6_ADDR)
		return *len == 16 ? 0 : IKE_E_BAD_LENGTH;
	return IKE_E_SYNTAX;
}

/* ---- Encoding ---- */

/* A basic (TV) attribute when nonzero. */
static void w_attr(struct ike_writer *w, uint16_t type, uint16_t val)
{
	if (!val)
		return;
	ike_w_u16(w, ISAKMP_ATTR_TV | type);
	ike_w_u16(w, val);
}

/* A life type and its duration (TV when it fits 16 bits, else TLV). */
static void w_life(struct ike_writer *w, uint16_t type_attr, uint16_t life_type,
		   uint32_t val)
{
	if (!val)
		return;
	w_attr(w, type_attr, life_type);
	if (val <= UINT16_MAX) {
		w_attr(w, type_attr + 1, (uint16_t)val);
		return;
	}
	ike_w_u16(w, type_attr + 1);
	ike_w_u16(w, 4);
	ike_w_u32(w, val);
}

static void w_transform(struct ike_writer *w, const struct isakmp_transform *t,
			bool phase1, bool last)
{
	size_t off = w->len;

	ike_w_u8(w, last ? ISAKMP_PL_NONE : ISAKMP_PL_TRANSFORM);
	ike_w_u8(w, 0);
	ike_w_u16(w, 0);
	ike_w_u8(w, t->num);
	ike_w_u8(w, t->id);
	ike_w_u16(w, 0);
	if (phase1) {
		w_attr(w, ISAKMP_A1_ENCR, t->encr);
		w_attr(w, ISAKMP_A1_KEY_LENGTH, t->key_len);
		w_attr(w, ISAKMP_A1_HASH, t->hash);
		w_attr(w, ISAKMP_A1_AUTH, t->auth);
		w_attr(w, ISAKMP_A1_GROUP, t->group);
		w_attr(w, ISAKMP_A1_PRF, t->prf);
		w_life(w, ISAKMP_A1_LIFE_TYPE, ISAKMP_LIFE_SECONDS, t->life_seconds);
		w_life(w, ISAKMP_A1_LIFE_TYPE, ISAKMP_LIFE_KILOBYTES, t->life_kbytes);
	} else {
		w_life(w, ISAKMP_A2_LIFE_TYPE, ISAKMP_LIFE_SECONDS, t->life_seconds);
		w_life(w, ISAKMP_A2_LIFE_TYPE, ISAKMP_LIFE_KILOBYTES, t->life_kbytes);
		w_attr(w, ISAKMP_A2_GROUP, t->group);
		w_attr(w, ISAKMP_A2_ENCAP_MODE, t->encap);
		w_attr(w, ISAKMP_A2_AUTH, t->auth_alg);
		w_attr(w, ISAKMP_A2_KEY_LENGTH, t->key_len);
		w_attr(w, ISAKMP_A2_ESN, t->esn);
	}
	ike_w_end(w, off);
}

static void w_proposal(struct ike_writer *w, const struct isakmp_sa_offer *offer,
		       const struct isakmp_proposal *p, bool last)
{
	size_t off = w->len;
	uint16_t i;

	if (check_spi_len(p->protocol, p->spi_len) || !p->n_transforms ||
	    p->n_transforms > UINT8_MAX || p->first + p->n_transforms > offer->n_t) {
		ike_w_fail(w, IKE_E_SYNTAX);
		return;
	}
	ike_w_u8(w, last ? ISAKMP_PL_NONE : ISAKMP_PL_PROPOSAL);
	ike_w_u8(w, 0);
	ike_w_u16(w, 0);
	ike_w_u8(w, p->num);
	ike_w_u8(w, p->protocol);
	ike_w_u8(w, p->spi_len);
	ike_w_u8(w, (uint8_t)p->n_transforms);
	ike_w_put(w, p->spi, p->spi_len);
	for (i = 0; i < p->n_transforms; i++)
		w_transform(w, &offer->t[p->first + i], p->protocol == ISAKMP_PROTO_ISAKMP,
			    i + 1 == p->n_transforms);
	ike_w_end(w, off);
}

int isakmp_w_sa(struct ike_writer *w, const struct isakmp_sa_offer *offer)
{
	size_t off = ike_w_begin(w, ISAKMP_PL_SA, false);
	unsigned int i;

	if (!offer->n || offer->n > ISAKMP_MAX_PROPOSALS || offer->n_t > ISAKMP_MAX_TRANSFORMS)
		ike_w_fail(w, IKE_E_SYNTAX);
	ike_w_u32(w, ISAKMP_DOI_IPSEC);
	ike_w_u32(w, ISAKMP_SIT_IDENTITY_ONLY);
	for (i = 0; !w->err && i < offer->n; i++)
		w_proposal(w, offer, &offer->p[i], i + 1 == offer->n);
	ike_w_end(w, off);
	return w->err;
}

int isakmp_w_id(struct ike_writer *w, const struct isakmp_id *id)
{
	size_t off = ike_w_begin(w, ISAKMP_PL_ID, false);

	ike_w_u8(w, id->type);
	ike_w_u8(w, id->protocol);
	ike_w_u16(w, id->port);
	ike_w_put(w, id->data, id->len);
	ike_w_end(w, off);
	return w->err;
}

int isakmp_w_id_ts(struct ike_writer *w, const struct ike_ts *ts)
{
	bool v6 = ts->type == IKE_TS_IPV6_ADDR_RANGE;
	size_t alen = v6 ? 16 : 4, i;
	uint8_t data[32], mask[16];
	struct isakmp_id id = {
		.protocol = ts->ip_proto, .port = ts->start_port, .data = data,
	};
	bool prefix = true;

	if (ts->type != IKE_TS_IPV4_ADDR_RANGE && ts->type != IKE_TS_IPV6_ADDR_RANGE) {
		ike_w_fail(w, IKE_E_SYNTAX);
		return w->err;
	}
	if (ts->start_port == 0 && ts->end_port == UINT16_MAX)
		id.port = 0;
	else if (ts->start_port != ts->end_port || !ts->start_port) {
		ike_w_fail(w, IKE_E_SYNTAX);
		return w->err;
	}
	if (!memcmp(ts->start_addr, ts->end_addr, alen)) {
		id.type = v6 ? ISAKMP_ID_IPV6_ADDR : ISAKMP_ID_IPV4_ADDR;
		memcpy(data, ts->start_addr, alen);
		id.len = alen;
		return isakmp_w_id(w, &id);
	}
	/* A prefix: start and end differ in trailing bits only, all 0 and all 1. */
	for (i = 0; i < alen; i++) {
		uint8_t diff = ts->start_addr[i] ^ ts->end_addr[i];

		mask[i] = (uint8_t)~diff;
		if ((ts->start_addr[i] & diff) || (ts->end_addr[i] & diff) != diff)
			prefix = false;
	}
	if (prefix && mask_prefix(mask, alen) >= 0) {
		id.type = v6 ? ISAKMP_ID_IPV6_ADDR_SUBNET : ISAKMP_ID_IPV4_ADDR_SUBNET;
		memcpy(data, ts->start_addr, alen);
		memcpy(data + alen, mask, alen);
	} else {
		id.type = v6 ? ISAKMP_ID_IPV6_ADDR_RANGE : ISAKMP_ID_IPV4_ADDR_RANGE;
		memcpy(data, ts->start_addr, alen);
		memcpy(data + alen, ts->end_addr, alen);
	}
	id.len = 2 * alen;
	return isakmp_w_id(w, &id);
}

/* One octet, then data. */
static int w_prefixed(struct ike_writer *w, uint8_t type, uint8_t octet,
		      const void *data, size_t len)
{
	size_t off = ike_w_begin(w, type, false);

	ike_w_u8(w, octet);
	ike_w_put(w, data, len);
	ike_w_end(w, off);
	return w->err;
}

int isakmp_w_cert(struct ike_writer *w, uint8_t encoding, const void *data, size_t len)
{
	return w_prefixed(w, ISAKMP_PL_CERT, encoding, data, len);
}

int isakmp_w_cr(struct ike_writer *w, uint8_t type, const void *data, size_t len)
{
	return w_prefixed(w, ISAKMP_PL_CR, type, data, len);
}

int isakmp_w_notify(struct ike_writer *w, uint32_t doi, uint8_t protocol,
		    const void *spi, uint8_t spi_len, uint16_t type,
		    const void *data, size_t len)
{
	size_t off = ike_w_begin(w, ISAKMP_PL_NOTIFY, false);

	if (check_notify_spi(spi_len))
		ike_w_fail(w, IKE_E_SYNTAX);
	ike_w_u32(w, doi);
	ike_w_u8(w, protocol);
	ike_w_u8(w, spi_len);
	ike_w_u16(w, type);
	ike_w_put(w, spi, spi_len);
	ike_w_put(w, data, len);
	ike_w_end(w, off);
	return w->err;
}

int isakmp_w_delete(struct ike_writer *w, uint8_t protocol, uint8_t spi_len,
		    uint16_t n_spi, const void *spis)
{
	size_t off = ike_w_begin(w, ISAKMP_PL_DELETE, false);

	if (check_delete(protocol, spi_len, n_spi))
		ike_w_fail(w, IKE_E_SYNTAX);
	ike_w_u32(w, ISAKMP_DOI_IPSEC);
	ike_w_u8(w, protocol);
	ike_w_u8(w, spi_len);
	ike_w_u16(w, n_spi);
	ike_w_put(w, spis, (size_t)n_spi * spi_len);
	ike_w_end(w, off);
	return w->err;
}

int isakmp_w_nat_oa(struct ike_writer *w, uint8_t id_type, const void *addr, size_t len)
{
	size_t off = ike_w_begin(w, ISAKMP_PL_NAT_OA, false);

	if (!((id_type == ISAKMP_ID_IPV4_ADDR && len == 4) ||
	      (id_type == ISAKMP_ID_IPV6_ADDR && len == 16)))
		ike_w_fail(w, IKE_E_SYNTAX);
	ike_w_u8(w, id_type);
	ike_w_u8(w, 0);
	ike_w_u16(w, 0);
	ike_w_put(w, addr, len);
	ike_w_end(w, off);
	return w->err;
}
