// SPDX-License-Identifier: GPL-2.0
/*
 * IKEv1 proposals: configured ones into ISAKMP SA payloads, a peer's back
 * into IKEv2 suites for the proposal layer to judge.
 */
#include <stdio.h>
#include <string.h>

#include "ikev1/keys.h"
#include "ikev1/offer.h"
#include "ikev2/ikev2.h"
#include "proposal.h"

static const struct {
	uint16_t prf, hash, integ;
} hashes[] = {
	{ IKE_PRF_HMAC_MD5, ISAKMP_HASH_MD5, IKE_INTEG_HMAC_MD5_96 },
	{ IKE_PRF_HMAC_SHA1, ISAKMP_HASH_SHA1, IKE_INTEG_HMAC_SHA1_96 },
	{ IKE_PRF_HMAC_SHA2_256, ISAKMP_HASH_SHA2_256, IKE_INTEG_HMAC_SHA2_256_128 },
	{ IKE_PRF_HMAC_SHA2_384, ISAKMP_HASH_SHA2_384, IKE_INTEG_HMAC_SHA2_384_192 },
	{ IKE_PRF_HMAC_SHA2_512, ISAKMP_HASH_SHA2_512, IKE_INTEG_HMAC_SHA2_512_256 },
};

/* Phase 2 integrity: IKEv2 transform, RFC 2407 authentication algorithm, AH transform ID. */
static const struct {
	uint16_t integ, auth_alg;
	uint8_t ah_id;
} integs[] = {
	{ IKE_INTEG_HMAC_MD5_96, ISAKMP_P2_AUTH_HMAC_MD5, ISAKMP_AH_MD5 },
	{ IKE_INTEG_HMAC_SHA1_96, ISAKMP_P2_AUTH_HMAC_SHA1, ISAKMP_AH_SHA },
	{ IKE_INTEG_HMAC_SHA2_256_128, ISAKMP_P2_AUTH_HMAC_SHA2_256, ISAKMP_AH_SHA2_256 },
	{ IKE_INTEG_HMAC_SHA2_384_192, ISAKMP_P2_AUTH_HMAC_SHA2_384, ISAKMP_AH_SHA2_384 },
	{ IKE_INTEG_HMAC_SHA2_512_256, ISAKMP_P2_AUTH_HMAC_SHA2_512, ISAKMP_AH_SHA2_512 },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

uint16_t ikev1_hash_of_prf(uint16_t prf)
{
	size_t i;

	for (i = 0; i < N(hashes); i++)
		if (hashes[i].prf == prf)
			return hashes[i].hash;
	return 0;
}

uint16_t ikev1_integ_of_hash(uint16_t hash)
{
	size_t i;

	for (i = 0; i < N(hashes); i++)
		if (hashes[i].hash == hash)
			return hashes[i].integ;
	return 0;
}

static uint16_t auth_alg_of_integ(uint16_t integ)
{
	size_t i;

	for (i = 0; i < N(integs); i++)
		if (integs[i].integ == integ)
			return integs[i].auth_alg;
	return 0;
}

static uint16_t integ_of_auth_alg(uint16_t alg)
{
	size_t i;

	for (i = 0; i < N(integs); i++)
		if (integs[i].auth_alg == alg)
			return integs[i].integ;
	return 0;
}

static uint8_t ah_id_of_integ(uint16_t integ)
{
	size_t i;

	for (i = 0; i < N(integs); i++)
		if (integs[i].integ == integ)
			return integs[i].ah_id;
	return 0;
}

/* The phase 1 cipher of an IKEv2 one (RFC 2409 Appendix A); 0: none in IKEv1. */
static uint16_t p1_encr_of(uint16_t encr)
{
	switch (encr) {
	case IKE_ENCR_3DES:
		return ISAKMP_ENCR_3DES_CBC;
	case IKE_ENCR_AES_CBC:
		return ISAKMP_ENCR_AES_CBC;
	default:
		return 0;
	}
}

static uint16_t encr_of_p1(uint16_t encr)
{
	switch (encr) {
	case ISAKMP_ENCR_3DES_CBC:
		return IKE_ENCR_3DES;
	case ISAKMP_ENCR_AES_CBC:
		return IKE_ENCR_AES_CBC;
	default:
		return 0;
	}
}

/* The transforms of TYPE in P; a placeholder 0 when it has none. */
static unsigned int of_type(const struct ike_proposal *p, uint8_t type,
			    const struct ike_transform **out, unsigned int max)
{
	static const struct ike_transform none;
	unsigned int i, n = 0;

	for (i = 0; i < p->n_transforms && n < max; i++)
		if (p->t[i].type == type)
			out[n++] = &p->t[i];
	if (!n)
		out[n++] = &none;
	return n;
}

const char *ikev1_p1_unusable(const struct ike_sa_offer *offer, char *buf, size_t len)
{
	unsigned int i, k;

	for (i = 0; i < offer->n; i++) {
		const struct ike_proposal *p = &offer->p[i];

		for (k = 0; k < p->n_transforms; k++) {
			const struct ike_transform *t = &p->t[k];

			if (t->type == IKE_TRANS_ENCR && ike_encr_is_aead(t->id)) {
				snprintf(buf, len, "an AEAD cipher protects IKE messages in IKEv2 only "
					 "(the PRIME sets are IKEv2 sets): use a CBC cipher "
					 "with IKEv1");
				return buf;
			}
			if (t->type == IKE_TRANS_ENCR && !p1_encr_of(t->id)) {
				snprintf(buf, len, "cipher %u has no IKEv1 phase 1 form (3des, "
					 "aes128, aes192, aes256)", t->id);
				return buf;
			}
			if (t->type == IKE_TRANS_PRF && !ikev1_hash_of_prf(t->id)) {
				snprintf(buf, len, "prf %u has no IKEv1 hash (md5, sha1, sha256, "
					 "sha384, sha512)", t->id);
				return buf;
			}
			if (t->type == IKE_TRANS_INTEG) {
				unsigned int j;
				bool paired = false;

				for (j = 0; j < p->n_transforms; j++)
					paired |= p->t[j].type == IKE_TRANS_PRF &&
						  ikev1_integ_of_hash(ikev1_hash_of_prf(p->t[j].id)) ==
						  t->id;
				if (!paired) {
					snprintf(buf, len, "IKEv1 has one hash for integrity and "
						 "prf: give them the same algorithm");
					return buf;
				}
			}
		}
	}
	return NULL;
}

const char *ikev1_p2_unusable(const struct ike_sa_offer *offer, char *buf, size_t len)
{
	unsigned int i, k;

	for (i = 0; i < offer->n; i++) {
		for (k = 0; k < offer->p[i].n_transforms; k++) {
			const struct ike_transform *t = &offer->p[i].t[k];

			if (t->type == IKE_TRANS_ENCR && t->id == IKE_ENCR_CHACHA20_POLY1305) {
				snprintf(buf, len, "ChaCha20-Poly1305 has no IKEv1 transform ID");
				return buf;
			}
			if (t->type == IKE_TRANS_INTEG && !auth_alg_of_integ(t->id)) {
				snprintf(buf, len, "integrity %u has no IKEv1 form", t->id);
				return buf;
			}
		}
	}
	return NULL;
}

/* Appends transform T to OUT's proposal P; false when full. */
static bool add_transform(struct isakmp_sa_offer *out, struct isakmp_proposal *p,
			  const struct isakmp_transform *t)
{
	if (out->n_t >= ISAKMP_MAX_TRANSFORMS || p->n_transforms >= UINT8_MAX)
		return false;
	out->t[out->n_t] = *t;
	out->t[out->n_t].num = (uint8_t)(p->n_transforms + 1);
	out->n_t++;
	p->n_transforms++;
	return true;
}

int ikev1_p1_offer(const struct iked_gateway *gw, uint16_t auth, struct isakmp_sa_offer *out)
{
	const struct ike_transform *e[IKE_MAX_TRANSFORMS], *h[IKE_MAX_TRANSFORMS],
		*g[IKE_MAX_TRANSFORMS];
	struct isakmp_proposal *p;
	unsigned int i, a, b, c, ne, nh, ng;

	memset(out, 0, sizeof(*out));
	out->doi = ISAKMP_DOI_IPSEC;
	out->situation = ISAKMP_SIT_IDENTITY_ONLY;
	out->n = 1;
	p = &out->p[0];
	p->num = 1;
	p->protocol = ISAKMP_PROTO_ISAKMP;
	for (i = 0; i < gw->proposals.n; i++) {
		const struct ike_proposal *ip = &gw->proposals.p[i];

		ne = of_type(ip, IKE_TRANS_ENCR, e, N(e));
		nh = of_type(ip, IKE_TRANS_PRF, h, N(h));
		ng = of_type(ip, IKE_TRANS_DH, g, N(g));
		for (a = 0; a < ne; a++)
			for (b = 0; b < nh; b++)
				for (c = 0; c < ng; c++) {
					struct isakmp_transform t = {
						.id = ISAKMP_TRANSFORM_KEY_IKE,
						.encr = p1_encr_of(e[a]->id),
						.key_len = e[a]->keylen,
						.hash = ikev1_hash_of_prf(h[b]->id),
						.auth = auth,
						.group = g[c]->id,
						.life_seconds = gw->lifetime,
					};

					if (!t.encr || !t.hash || !t.group)
						continue;
					if (!add_transform(out, p, &t))
						return -1;
				}
	}
	return p->n_transforms ? 0 : -1;
}

int ikev1_p1_suite(const struct isakmp_transform *t, struct ike_suite *s, uint16_t *auth)
{
	memset(s, 0, sizeof(*s));
	if (t->unusable || t->id != ISAKMP_TRANSFORM_KEY_IKE || t->prf)
		return 0;
	s->encr = encr_of_p1(t->encr);
	s->encr_bits = t->key_len;
	s->prf = isakmp_hash_prf(t->hash);
	s->integ = ikev1_integ_of_hash(t->hash);
	s->dh = t->group;
	*auth = t->auth;
	/* AES takes a Key Length attribute; 3DES none (RFC 3602 5, RFC 2409). */
	if (s->encr == IKE_ENCR_AES_CBC && !s->encr_bits)
		return 0;
	if (s->encr == IKE_ENCR_3DES && s->encr_bits)
		return 0;
	return s->encr && s->prf && s->integ && s->dh;
}

int ikev1_p1_select(const struct iked_gateway *gw, const struct isakmp_sa_offer *theirs,
		    uint16_t auth, struct ike_suite *suite)
{
	unsigned int i, k;
	uint16_t method;

	for (i = 0; i < theirs->n; i++) {
		const struct isakmp_proposal *p = &theirs->p[i];

		if (p->protocol != ISAKMP_PROTO_ISAKMP)
			continue;
		for (k = p->first; k < p->first + p->n_transforms && k < theirs->n_t; k++) {
			if (!ikev1_p1_suite(&theirs->t[k], suite, &method) || method != auth)
				continue;
			/* A lifetime of a few seconds is a renewal storm. */
			if (theirs->t[k].life_seconds &&
			    theirs->t[k].life_seconds < IKED_LIFETIME_MIN)
				continue;
			if (ike_offer_allows_suite(&gw->proposals, IKE_PROP_IKE, suite))
				return (int)k;
		}
	}
	return -1;
}

int ikev1_p2_offer(const struct iked_vpn *vpn, uint32_t spi, bool udp_encap,
		   struct isakmp_sa_offer *out)
{
	const struct ike_transform *e[IKE_MAX_TRANSFORMS], *n[IKE_MAX_TRANSFORMS],
		*g[IKE_MAX_TRANSFORMS], *x[IKE_MAX_TRANSFORMS];
	bool ah = vpn->protocol == IKE_PROTO_AH;
	unsigned int i, a, b, c, d, ne, nn, ng, nx;
	uint8_t be[4] = { spi >> 24, spi >> 16, spi >> 8, spi };
	struct isakmp_proposal *p;

	memset(out, 0, sizeof(*out));
	out->doi = ISAKMP_DOI_IPSEC;
	out->situation = ISAKMP_SIT_IDENTITY_ONLY;
	out->n = 1;
	p = &out->p[0];
	p->num = 1;
	p->protocol = ah ? ISAKMP_PROTO_AH : ISAKMP_PROTO_ESP;
	p->spi_len = 4;
	memcpy(p->spi, be, 4);
	for (i = 0; i < vpn->proposals.n; i++) {
		const struct ike_proposal *ip = &vpn->proposals.p[i];

		ne = of_type(ip, IKE_TRANS_ENCR, e, N(e));
		nn = of_type(ip, IKE_TRANS_INTEG, n, N(n));
		ng = of_type(ip, IKE_TRANS_DH, g, N(g));
		nx = of_type(ip, IKE_TRANS_ESN, x, N(x));
		for (a = 0; a < ne; a++)
			for (b = 0; b < nn; b++)
				for (c = 0; c < ng; c++)
					for (d = 0; d < nx; d++) {
						struct isakmp_transform t = {
							.encap = udp_encap ?
								 ISAKMP_ENCAP_UDP_TUNNEL :
								 ISAKMP_ENCAP_TUNNEL,
							.auth_alg = auth_alg_of_integ(n[b]->id),
							.group = g[c]->id,
							.esn = x[d]->id == IKE_ESN_YES,
							.life_seconds = vpn->lifetime,
							.life_kbytes = vpn->lifetime_kb > UINT32_MAX ?
								       UINT32_MAX :
								       (uint32_t)vpn->lifetime_kb,
						};

						if (ah) {
							t.id = ah_id_of_integ(n[b]->id);
						} else {
							t.id = (uint8_t)e[a]->id;
							t.key_len = e[a]->keylen;
						}
						if (!t.id || (!t.auth_alg && (ah ||
						    !ike_encr_is_aead(e[a]->id))))
							continue;
						if (!add_transform(out, p, &t))
							return -1;
					}
	}
	return p->n_transforms ? 0 : -1;
}

bool ikev1_p2_as_ikev2(uint8_t protocol, const struct isakmp_transform *t, const uint8_t *spi,
		       struct ike_sa_offer *out)
{
	struct ike_proposal *p = &out->p[0];
	uint16_t integ = integ_of_auth_alg(t->auth_alg);

	memset(out, 0, sizeof(*out));
	if (t->unusable || (t->auth_alg && !integ))
		return false;
	out->n = 1;
	p->num = 1;
	p->spi_len = 4;
	memcpy(p->spi, spi, 4);
	if (protocol == ISAKMP_PROTO_AH) {
		/* The AH transform ID and the attribute must name one algorithm. */
		if (!integ || ah_id_of_integ(integ) != t->id)
			return false;
		p->protocol = IKE_PROTO_AH;
	} else if (protocol == ISAKMP_PROTO_ESP) {
		p->protocol = IKE_PROTO_ESP;
		p->t[p->n_transforms++] = (struct ike_transform){ IKE_TRANS_ENCR, false, t->id,
								  t->key_len };
	} else {
		return false;
	}
	if (integ)
		p->t[p->n_transforms++] = (struct ike_transform){ IKE_TRANS_INTEG, false, integ, 0 };
	if (t->group)
		p->t[p->n_transforms++] = (struct ike_transform){ IKE_TRANS_DH, false, t->group, 0 };
	if (t->esn)
		p->t[p->n_transforms++] = (struct ike_transform){ IKE_TRANS_ESN, false,
								  IKE_ESN_YES, 0 };
	return true;
}

void ikev1_reply(const struct isakmp_sa_offer *theirs, unsigned int p, unsigned int t,
		 const uint8_t *spi, uint8_t spi_len, struct isakmp_sa_offer *out)
{
	memset(out, 0, sizeof(*out));
	out->doi = ISAKMP_DOI_IPSEC;
	out->situation = ISAKMP_SIT_IDENTITY_ONLY;
	out->n = 1;
	out->p[0] = theirs->p[p];
	out->p[0].first = 0;
	out->p[0].n_transforms = 1;
	out->p[0].spi_len = spi_len;
	if (spi_len)
		memcpy(out->p[0].spi, spi, spi_len);
	out->n_t = 1;
	out->t[0] = theirs->t[t];
}

/* The same choice: every attribute but the lifetimes, which a responder may lower. */
static bool same_transform(const struct isakmp_transform *a, const struct isakmp_transform *b)
{
	return a->id == b->id && a->encr == b->encr && a->hash == b->hash &&
	       a->auth == b->auth && a->group == b->group && a->prf == b->prf &&
	       a->encap == b->encap && a->auth_alg == b->auth_alg && a->esn == b->esn &&
	       a->key_len == b->key_len && !b->unusable;
}

int ikev1_check_reply(const struct isakmp_sa_offer *offered, const struct isakmp_sa_offer *reply)
{
	const struct isakmp_proposal *r = &reply->p[0];
	unsigned int i, k;

	if (reply->n != 1 || r->n_transforms != 1 || r->first >= reply->n_t)
		return -1;
	for (i = 0; i < offered->n; i++) {
		const struct isakmp_proposal *p = &offered->p[i];

		if (p->num != r->num || p->protocol != r->protocol)
			continue;
		for (k = p->first; k < p->first + p->n_transforms; k++)
			if (same_transform(&offered->t[k], &reply->t[r->first]))
				return (int)k;
	}
	return -1;
}
