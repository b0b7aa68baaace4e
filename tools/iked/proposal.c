// SPDX-License-Identifier: GPL-2.0
/*
 * Proposals: keyword strings and Junos predefined sets into SA offers,
 * offers back into keywords, and the choice of one proposal (responder)
 * or the check of the peer's choice (initiator).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "algs.h"
#include "ikev2/ikev2.h"
#include "proposal.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define KIND(k) (1u << (k))
#define K_IKE KIND(IKE_PROP_IKE)
#define K_ESP KIND(IKE_PROP_ESP)
#define K_AH KIND(IKE_PROP_AH)
#define K_ALL (K_IKE | K_ESP | K_AH)
#define K_CHILD (K_ESP | K_AH)

/* Transform types run 1 (ENCR) .. 5 (ESN); index arrays by type. */
#define TYPE_MAX IKE_TRANS_ESN

struct ike_keyword {
	const char *name;
	uint8_t type;
	uint16_t id;
	uint16_t keylen;	/* Key Length attribute in bits; 0 = the cipher has none */
	uint8_t kinds;		/* the proposal kinds it may appear in */
};

/*
 * The first entry for a (type, id, keylen) is the canonical name that
 * ike_proposal_format() prints; later ones are aliases. ESP/AH entries are
 * only those the sectun module can install (tools/lib/algs.c), which
 * parse_keyword() checks again against the CLI's table.
 */
static const struct ike_keyword keywords[] = {
	{ "aes128", IKE_TRANS_ENCR, IKE_ENCR_AES_CBC, 128, K_IKE | K_ESP },
	{ "aes192", IKE_TRANS_ENCR, IKE_ENCR_AES_CBC, 192, K_IKE | K_ESP },
	{ "aes256", IKE_TRANS_ENCR, IKE_ENCR_AES_CBC, 256, K_IKE | K_ESP },
	{ "aes128gcm16", IKE_TRANS_ENCR, IKE_ENCR_AES_GCM_16, 128, K_IKE | K_ESP },
	{ "aes192gcm16", IKE_TRANS_ENCR, IKE_ENCR_AES_GCM_16, 192, K_IKE | K_ESP },
	{ "aes256gcm16", IKE_TRANS_ENCR, IKE_ENCR_AES_GCM_16, 256, K_IKE | K_ESP },
	{ "aes128gcm12", IKE_TRANS_ENCR, IKE_ENCR_AES_GCM_12, 128, K_IKE | K_ESP },
	{ "aes192gcm12", IKE_TRANS_ENCR, IKE_ENCR_AES_GCM_12, 192, K_IKE | K_ESP },
	{ "aes256gcm12", IKE_TRANS_ENCR, IKE_ENCR_AES_GCM_12, 256, K_IKE | K_ESP },
	{ "aes128gcm8", IKE_TRANS_ENCR, IKE_ENCR_AES_GCM_8, 128, K_IKE | K_ESP },
	{ "aes192gcm8", IKE_TRANS_ENCR, IKE_ENCR_AES_GCM_8, 192, K_IKE | K_ESP },
	{ "aes256gcm8", IKE_TRANS_ENCR, IKE_ENCR_AES_GCM_8, 256, K_IKE | K_ESP },
	{ "aes128gcm128", IKE_TRANS_ENCR, IKE_ENCR_AES_GCM_16, 128, K_IKE | K_ESP },
	{ "aes192gcm128", IKE_TRANS_ENCR, IKE_ENCR_AES_GCM_16, 192, K_IKE | K_ESP },
	{ "aes256gcm128", IKE_TRANS_ENCR, IKE_ENCR_AES_GCM_16, 256, K_IKE | K_ESP },
	{ "aes128gcm", IKE_TRANS_ENCR, IKE_ENCR_AES_GCM_16, 128, K_IKE | K_ESP },
	{ "aes192gcm", IKE_TRANS_ENCR, IKE_ENCR_AES_GCM_16, 192, K_IKE | K_ESP },
	{ "aes256gcm", IKE_TRANS_ENCR, IKE_ENCR_AES_GCM_16, 256, K_IKE | K_ESP },
	{ "aes128gcm96", IKE_TRANS_ENCR, IKE_ENCR_AES_GCM_12, 128, K_IKE | K_ESP },
	{ "aes192gcm96", IKE_TRANS_ENCR, IKE_ENCR_AES_GCM_12, 192, K_IKE | K_ESP },
	{ "aes256gcm96", IKE_TRANS_ENCR, IKE_ENCR_AES_GCM_12, 256, K_IKE | K_ESP },
	{ "aes128gcm64", IKE_TRANS_ENCR, IKE_ENCR_AES_GCM_8, 128, K_IKE | K_ESP },
	{ "aes192gcm64", IKE_TRANS_ENCR, IKE_ENCR_AES_GCM_8, 192, K_IKE | K_ESP },
	{ "aes256gcm64", IKE_TRANS_ENCR, IKE_ENCR_AES_GCM_8, 256, K_IKE | K_ESP },
	{ "chacha20poly1305", IKE_TRANS_ENCR, IKE_ENCR_CHACHA20_POLY1305, 0, K_IKE | K_ESP },
	{ "3des", IKE_TRANS_ENCR, IKE_ENCR_3DES, 0, K_IKE | K_ESP },
	{ "null", IKE_TRANS_ENCR, IKE_ENCR_NULL, 0, K_ESP },
	{ "aes128gmac", IKE_TRANS_ENCR, IKE_ENCR_NULL_AUTH_AES_GMAC, 128, K_ESP },
	{ "aes192gmac", IKE_TRANS_ENCR, IKE_ENCR_NULL_AUTH_AES_GMAC, 192, K_ESP },
	{ "aes256gmac", IKE_TRANS_ENCR, IKE_ENCR_NULL_AUTH_AES_GMAC, 256, K_ESP },

	{ "md5", IKE_TRANS_INTEG, IKE_INTEG_HMAC_MD5_96, 0, K_ALL },
	{ "sha1", IKE_TRANS_INTEG, IKE_INTEG_HMAC_SHA1_96, 0, K_ALL },
	{ "sha", IKE_TRANS_INTEG, IKE_INTEG_HMAC_SHA1_96, 0, K_ALL },
	{ "sha256", IKE_TRANS_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0, K_ALL },
	{ "sha2_256", IKE_TRANS_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0, K_ALL },
	{ "sha384", IKE_TRANS_INTEG, IKE_INTEG_HMAC_SHA2_384_192, 0, K_ALL },
	{ "sha2_384", IKE_TRANS_INTEG, IKE_INTEG_HMAC_SHA2_384_192, 0, K_ALL },
	{ "sha512", IKE_TRANS_INTEG, IKE_INTEG_HMAC_SHA2_512_256, 0, K_ALL },
	{ "sha2_512", IKE_TRANS_INTEG, IKE_INTEG_HMAC_SHA2_512_256, 0, K_ALL },

	{ "prfmd5", IKE_TRANS_PRF, IKE_PRF_HMAC_MD5, 0, K_IKE },
	{ "prfsha1", IKE_TRANS_PRF, IKE_PRF_HMAC_SHA1, 0, K_IKE },
	{ "prfsha256", IKE_TRANS_PRF, IKE_PRF_HMAC_SHA2_256, 0, K_IKE },
	{ "prfsha384", IKE_TRANS_PRF, IKE_PRF_HMAC_SHA2_384, 0, K_IKE },
	{ "prfsha512", IKE_TRANS_PRF, IKE_PRF_HMAC_SHA2_512, 0, K_IKE },

	{ "modp768", IKE_TRANS_DH, IKE_DH_MODP768, 0, K_ALL },
	{ "modp1024", IKE_TRANS_DH, IKE_DH_MODP1024, 0, K_ALL },
	{ "modp1536", IKE_TRANS_DH, IKE_DH_MODP1536, 0, K_ALL },
	{ "modp2048", IKE_TRANS_DH, IKE_DH_MODP2048, 0, K_ALL },
	{ "modp3072", IKE_TRANS_DH, IKE_DH_MODP3072, 0, K_ALL },
	{ "modp4096", IKE_TRANS_DH, IKE_DH_MODP4096, 0, K_ALL },
	{ "ecp256", IKE_TRANS_DH, IKE_DH_ECP256, 0, K_ALL },
	{ "ecp384", IKE_TRANS_DH, IKE_DH_ECP384, 0, K_ALL },
	{ "ecp521", IKE_TRANS_DH, IKE_DH_ECP521, 0, K_ALL },
	{ "curve25519", IKE_TRANS_DH, IKE_DH_CURVE25519, 0, K_ALL },
	{ "x25519", IKE_TRANS_DH, IKE_DH_CURVE25519, 0, K_ALL },

	{ "esn", IKE_TRANS_ESN, IKE_ESN_YES, 0, K_CHILD },
	{ "noesn", IKE_TRANS_ESN, IKE_ESN_NO, 0, K_CHILD },
};

/* strongSwan's rule: an IKE proposal without a prf uses its integrity hashes. */
static const struct {
	uint16_t integ, prf;
} integ_prf[] = {
	{ IKE_INTEG_HMAC_MD5_96, IKE_PRF_HMAC_MD5 },
	{ IKE_INTEG_HMAC_SHA1_96, IKE_PRF_HMAC_SHA1 },
	{ IKE_INTEG_HMAC_SHA2_256_128, IKE_PRF_HMAC_SHA2_256 },
	{ IKE_INTEG_HMAC_SHA2_384_192, IKE_PRF_HMAC_SHA2_384 },
	{ IKE_INTEG_HMAC_SHA2_512_256, IKE_PRF_HMAC_SHA2_512 },
};

/*
 * Junos predefined proposal sets, as keyword strings in Junos' order.
 * Sources (in /work/shared/reference/):
 * - standard, compatible, basic, phase 2: junos-facts.md, table "Predefined
 *   proposal sets" (g2 = PFS group 2 = modp1024, nopfs = no DH, sha =
 *   hmac-sha1-96, md5 = hmac-md5-96).
 * - standard, phase 1: junos-facts.md, "Phase 1 `standard` =
 *   pre-g2-aes128-sha, pre-g2-3des-sha"; compatible and basic: the line
 *   after it (marked unconfirmed there): pre-g2-{3des,des}-{sha,md5} and
 *   pre-g1-des-{sha,md5}. IKEv1's "sha"/"md5" hash is both the prf and the
 *   integrity algorithm in IKEv2 terms.
 * - suiteb-gcm-128/256, prime-128/256: junos-ike-overview.txt lines
 *   230-252 (ESP and IKE bullets of "Suite B and PRIME Cryptographic
 *   Suites"). Those lines give no prf for PRIME (AEAD) IKE; we use the
 *   hash of the matching Suite B suite (sha256 / sha384, as RFC 6379
 *   pairs them), and they give no PFS group for ESP, so the ESP sets carry
 *   none (a VPN's pfs setting adds one through ike_offer_set_dh()).
 * The authentication method those sets imply (pre-shared keys, ECDSA) is
 * the auth layer's business, not part of a proposal.
 *
 * Single DES is broken and the module cannot install it: the DES members
 * are dropped from "compatible", and "basic", which has nothing else, is
 * refused with a message saying so (junos-facts.md allows either).
 */
#define STRINGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static const struct {
	const char *name;
	const char *const *ike;
	const char *const *esp;
	const char *refused;	/* why the set cannot be used, or NULL */
} junos_sets[] = {
	{ "standard",
	  STRINGS("aes128-sha1-prfsha1-modp1024", "3des-sha1-prfsha1-modp1024"),
	  STRINGS("3des-sha1-modp1024", "aes128-sha1-modp1024"), NULL },
	{ "compatible",
	  STRINGS("3des-sha1-prfsha1-modp1024", "3des-md5-prfmd5-modp1024"),
	  STRINGS("3des-sha1", "3des-md5"), NULL },
	{ "basic", NULL, NULL,
	  "holds only single-DES proposals, and DES is broken: sectun refuses it "
	  "(use \"compatible\", \"standard\" or a keyword string)" },
	{ "suiteb-gcm-128",
	  STRINGS("aes128-sha256-prfsha256-ecp256"), STRINGS("aes128gcm16"), NULL },
	{ "suiteb-gcm-256",
	  STRINGS("aes256-sha384-prfsha384-ecp384"), STRINGS("aes256gcm16"), NULL },
	{ "prime-128",
	  STRINGS("aes128gcm16-prfsha256-ecp256"), STRINGS("aes128gcm16"), NULL },
	{ "prime-256",
	  STRINGS("aes256gcm16-prfsha384-ecp384"), STRINGS("aes256gcm16"), NULL },
};

static const char *const kind_names[] = { "IKE", "ESP", "AH" };
static const char *const type_prefixes[] = { NULL, "encr", "prf", "integ", "dh", "esn" };

static const uint8_t kind_protocols[] = {
	[IKE_PROP_IKE] = IKE_PROTO_IKE,
	[IKE_PROP_ESP] = IKE_PROTO_ESP,
	[IKE_PROP_AH] = IKE_PROTO_AH,
};

/* The transform types each kind of proposal may carry. */
static const uint8_t kind_types[] = {
	[IKE_PROP_IKE] = 1 << IKE_TRANS_ENCR | 1 << IKE_TRANS_PRF | 1 << IKE_TRANS_INTEG |
			 1 << IKE_TRANS_DH,
	[IKE_PROP_ESP] = 1 << IKE_TRANS_ENCR | 1 << IKE_TRANS_INTEG | 1 << IKE_TRANS_DH |
			 1 << IKE_TRANS_ESN,
	[IKE_PROP_AH] = 1 << IKE_TRANS_INTEG | 1 << IKE_TRANS_DH | 1 << IKE_TRANS_ESN,
};

static bool kind_allows(enum ike_prop_kind kind, uint8_t type)
{
	return type >= 1 && type <= TYPE_MAX && (kind_types[kind] >> type & 1);
}

bool ike_encr_is_aead(uint16_t encr)
{
	switch (encr) {
	case IKE_ENCR_AES_CCM_8:
	case IKE_ENCR_AES_CCM_12:
	case IKE_ENCR_AES_CCM_16:
	case IKE_ENCR_AES_GCM_8:
	case IKE_ENCR_AES_GCM_12:
	case IKE_ENCR_AES_GCM_16:
	case IKE_ENCR_NULL_AUTH_AES_GMAC:
	case IKE_ENCR_CHACHA20_POLY1305:
		return true;
	default:
		return false;
	}
}

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* ---- Keyword strings into proposals ---- */

/* A piece of a config string: not NUL-terminated. */
struct word {
	const char *s;
	size_t len;
};

static bool word_is(struct word w, const char *name)
{
	return strlen(name) == w.len && !strncasecmp(w.s, name, w.len);
}

static const struct ike_keyword *keyword_by_name(struct word w)
{
	size_t i;

	for (i = 0; i < N(keywords); i++)
		if (word_is(w, keywords[i].name))
			return &keywords[i];
	return NULL;
}

static const struct ike_keyword *keyword_by_value(uint8_t type, uint16_t id, uint16_t keylen)
{
	size_t i;

	for (i = 0; i < N(keywords); i++)
		if (keywords[i].type == type && keywords[i].id == id &&
		    keywords[i].keylen == keylen)
			return &keywords[i];
	return NULL;
}

/* The key size the module's table (tools/lib/algs.c) files a cipher under. */
static uint16_t module_key_bits(const struct ike_keyword *k)
{
	if (k->keylen)
		return k->keylen;
	switch (k->id) {
	case IKE_ENCR_3DES:
		return 192;
	case IKE_ENCR_CHACHA20_POLY1305:
		return 256;
	default:
		return 0;
	}
}

static bool module_can_install(const struct ike_keyword *k)
{
	switch (k->type) {
	case IKE_TRANS_ENCR:
		return sectun_encr_by_id(k->id, module_key_bits(k));
	case IKE_TRANS_INTEG:
		return sectun_integ_by_id(k->id);
	default:
		return true;
	}
}

struct parse_ctx {
	enum ike_prop_kind kind;
	struct word text;	/* the proposal string, for messages */
	char *err;
	size_t errlen;
};

/* Offers may come from the wire: never trust a count past the array. */
static unsigned int ntrans(const struct ike_proposal *p)
{
	return p->n_transforms < IKE_MAX_TRANSFORMS ? p->n_transforms : IKE_MAX_TRANSFORMS;
}

/* A message about the proposal being parsed: "ESP proposal 'x': ...". */
static void proposal_err(const struct parse_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void proposal_err(const struct parse_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!ctx->err || !ctx->errlen)
		return;
	n = snprintf(ctx->err, ctx->errlen, "%s proposal '%.*s': ", kind_names[ctx->kind],
		     (int)ctx->text.len, ctx->text.s);
	if (n < 0 || (size_t)n >= ctx->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(ctx->err + n, ctx->errlen - n, fmt, ap);
	va_end(ap);
}

static bool has_transform(const struct ike_proposal *p, uint8_t type, uint16_t id,
			  uint16_t keylen)
{
	unsigned int i;

	for (i = 0; i < ntrans(p); i++)
		if (p->t[i].type == type && p->t[i].id == id && p->t[i].keylen == keylen &&
		    !p->t[i].unusable)
			return true;
	return false;
}

static unsigned int count_type(const struct ike_proposal *p, uint8_t type)
{
	unsigned int i, n = 0;

	for (i = 0; i < ntrans(p); i++)
		n += p->t[i].type == type;
	return n;
}

/* Append a transform unless already there; repeating a keyword is harmless. */
static int add_transform(struct ike_proposal *p, uint8_t type, uint16_t id, uint16_t keylen)
{
	if (has_transform(p, type, id, keylen))
		return 0;
	if (p->n_transforms >= IKE_MAX_TRANSFORMS)
		return -EINVAL;
	p->t[p->n_transforms++] = (struct ike_transform){
		.type = type, .id = id, .keylen = keylen,
	};
	return 0;
}

static void remove_type(struct ike_proposal *p, uint8_t type)
{
	unsigned int i, n = 0;

	for (i = 0; i < ntrans(p); i++)
		if (p->t[i].type != type)
			p->t[n++] = p->t[i];
	p->n_transforms = n;
}

/* Wire order: by type (ENCR, PRF, INTEG, DH, ESN), keyword order within. */
static void sort_by_type(struct ike_proposal *p)
{
	struct ike_transform t[IKE_MAX_TRANSFORMS];
	unsigned int i, n = 0;
	uint8_t type;

	for (type = 1; type <= TYPE_MAX; type++)
		for (i = 0; i < ntrans(p); i++)
			if (p->t[i].type == type)
				t[n++] = p->t[i];
	memcpy(p->t, t, n * sizeof(t[0]));
	p->n_transforms = n;
}

static int parse_keyword(struct parse_ctx *ctx, struct word w, struct ike_proposal *p)
{
	const struct ike_keyword *k;

	if (!w.len) {
		proposal_err(ctx, "empty algorithm name");
		return -EINVAL;
	}
	k = keyword_by_name(w);
	if (!k && word_is(w, "des")) {
		proposal_err(ctx, "single DES is broken, sectun refuses it");
		return -EINVAL;
	}
	if (!k) {
		proposal_err(ctx, "unknown algorithm '%.*s'", (int)w.len, w.s);
		return -EINVAL;
	}
	if (!(k->kinds & KIND(ctx->kind))) {
		proposal_err(ctx, "'%s' is not allowed in %s proposals", k->name,
			     kind_names[ctx->kind]);
		return -EINVAL;
	}
	if (ctx->kind != IKE_PROP_IKE && !module_can_install(k)) {
		proposal_err(ctx, "the sectun module cannot install '%s'", k->name);
		return -EINVAL;
	}
	if (add_transform(p, k->type, k->id, k->keylen)) {
		proposal_err(ctx, "too many algorithms");
		return -EINVAL;
	}
	return 0;
}

static void derive_prf(struct ike_proposal *p)
{
	unsigned int i, n = ntrans(p);
	size_t k;

	for (i = 0; i < n; i++) {
		if (p->t[i].type != IKE_TRANS_INTEG)
			continue;
		for (k = 0; k < N(integ_prf); k++)
			if (integ_prf[k].integ == p->t[i].id)
				add_transform(p, IKE_TRANS_PRF, integ_prf[k].prf, 0);
	}
}

/*
 * strongSwan's rules for a proposal read from a string. AEAD and classic
 * ciphers in one string are refused (strongSwan refuses them too: RFC 7296
 * 3.3 wants them in separate proposals, so write two strings). Integrity
 * keywords next to AEAD ciphers only name the prf to derive in IKE, and
 * are dropped, so "aes256gcm16-sha384-ecp384" means
 * "aes256gcm16-prfsha384-ecp384" as it does in strongSwan. An AEAD IKE
 * proposal with neither a prf nor an integrity keyword is refused: there
 * is no sensible hash to guess. ESP with a classic cipher needs integrity
 * (the module pairs CBC and NULL with an HMAC; RFC 8221 forbids
 * encryption-only ESP anyway).
 */
static int check_proposal(struct parse_ctx *ctx, struct ike_proposal *p)
{
	unsigned int i, n_encr = 0, n_aead = 0;
	const char *what = NULL;

	for (i = 0; i < ntrans(p); i++) {
		if (p->t[i].type != IKE_TRANS_ENCR)
			continue;
		n_encr++;
		n_aead += ike_encr_is_aead(p->t[i].id);
	}
	if (ctx->kind == IKE_PROP_IKE && !count_type(p, IKE_TRANS_PRF))
		derive_prf(p);
	if (n_aead)
		remove_type(p, IKE_TRANS_INTEG);

	if (ctx->kind != IKE_PROP_AH && !n_encr)
		what = "no encryption algorithm";
	else if (n_aead && n_aead != n_encr)
		what = "AEAD and classic ciphers mixed; write them as two proposals";
	else if (!n_aead && !count_type(p, IKE_TRANS_INTEG))
		what = "no integrity algorithm";
	else if (ctx->kind == IKE_PROP_IKE && !count_type(p, IKE_TRANS_PRF))
		what = "an AEAD cipher needs a prf keyword (e.g. prfsha256)";
	else if (ctx->kind == IKE_PROP_IKE && !count_type(p, IKE_TRANS_DH))
		what = "no DH group";
	if (what) {
		proposal_err(ctx, "%s", what);
		return -EINVAL;
	}
	/* Like strongSwan: no ESN keyword means the peer must do without. */
	if (ctx->kind != IKE_PROP_IKE && !count_type(p, IKE_TRANS_ESN))
		add_transform(p, IKE_TRANS_ESN, IKE_ESN_NO, 0);
	sort_by_type(p);
	return 0;
}

static struct ike_proposal *new_proposal(struct parse_ctx *ctx, struct ike_sa_offer *offer)
{
	struct ike_proposal *p;

	if (offer->n >= IKE_MAX_PROPOSALS) {
		set_err(ctx->err, ctx->errlen, "too many %s proposals (at most %d)",
			kind_names[ctx->kind], IKE_MAX_PROPOSALS);
		return NULL;
	}
	p = &offer->p[offer->n];
	memset(p, 0, sizeof(*p));
	p->num = offer->n + 1;
	p->protocol = kind_protocols[ctx->kind];
	return p;
}

static int parse_keywords(struct parse_ctx *ctx, struct word text, struct ike_sa_offer *offer)
{
	const char *end = text.s + text.len, *s = text.s;
	struct ike_proposal *p;
	int ret;

	ctx->text = text;
	p = new_proposal(ctx, offer);
	if (!p)
		return -EINVAL;
	for (;;) {
		const char *dash = memchr(s, '-', end - s);
		struct word w = { s, (dash ? dash : end) - s };

		ret = parse_keyword(ctx, w, p);
		if (ret)
			return ret;
		if (!dash)
			break;
		s = dash + 1;
	}
	ret = check_proposal(ctx, p);
	if (ret)
		return ret;
	offer->n++;
	return 0;
}

static int parse_junos_set(struct parse_ctx *ctx, size_t set, struct ike_sa_offer *offer)
{
	const char *const *strings;
	int ret;

	if (junos_sets[set].refused) {
		set_err(ctx->err, ctx->errlen, "Junos proposal set '%s' %s", junos_sets[set].name,
			junos_sets[set].refused);
		return -EINVAL;
	}
	if (ctx->kind == IKE_PROP_AH) {
		set_err(ctx->err, ctx->errlen,
			"Junos proposal set '%s' holds ESP proposals, not AH ones",
			junos_sets[set].name);
		return -EINVAL;
	}
	strings = ctx->kind == IKE_PROP_IKE ? junos_sets[set].ike : junos_sets[set].esp;
	for (; *strings; strings++) {
		ret = parse_keywords(ctx, (struct word){ *strings, strlen(*strings) }, offer);
		if (ret)
			return ret;
	}
	return 0;
}

static struct word trim(const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	return (struct word){ s, end - s };
}

/* One list item: a Junos set name or a keyword string. */
static int parse_item(struct parse_ctx *ctx, struct word item, struct ike_sa_offer *offer)
{
	size_t i;

	if (!item.len) {
		set_err(ctx->err, ctx->errlen, "empty %s proposal", kind_names[ctx->kind]);
		return -EINVAL;
	}
	for (i = 0; i < N(junos_sets); i++)
		if (word_is(item, junos_sets[i].name))
			return parse_junos_set(ctx, i, offer);
	return parse_keywords(ctx, item, offer);
}

int ike_proposals_parse(enum ike_prop_kind kind, const char *const *strings, unsigned int n,
			struct ike_sa_offer *out, char *err, size_t errlen)
{
	struct parse_ctx ctx = { .kind = kind, .err = err, .errlen = errlen };
	struct ike_sa_offer offer = { .n = 0 };
	unsigned int i;
	int ret;

	if ((unsigned int)kind > IKE_PROP_AH || (n && !strings)) {
		set_err(err, errlen, "invalid arguments");
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		const char *s = strings[i], *end;

		if (!s) {
			set_err(err, errlen, "empty %s proposal", kind_names[kind]);
			return -EINVAL;
		}
		end = s + strlen(s);
		/* swanctl.conf separates proposals with commas in one value. */
		for (;;) {
			const char *comma = memchr(s, ',', end - s);

			ret = parse_item(&ctx, trim(s, comma ? comma : end), &offer);
			if (ret)
				return ret;
			if (!comma)
				break;
			s = comma + 1;
		}
	}
	if (!offer.n) {
		set_err(err, errlen, "no %s proposals given", kind_names[kind]);
		return -EINVAL;
	}
	*out = offer;
	return 0;
}

/* ---- Proposals back into keywords ---- */

struct writer {
	char *out;
	size_t size;
	size_t len;	/* what the whole string needs, truncated or not */
};

static void put_word(struct writer *w, const char *word)
{
	size_t room = w->len < w->size ? w->size - w->len : 0;
	int n;

	n = snprintf(room ? w->out + w->len : NULL, room, "%s%s", w->len ? "-" : "", word);
	if (n > 0)
		w->len += n;
}

static void put_transform(struct writer *w, uint8_t type, uint16_t id, uint16_t keylen)
{
	const struct ike_keyword *k = keyword_by_value(type, id, keylen);
	char buf[48];
	int n;

	if (k) {
		put_word(w, k->name);
		return;
	}
	if (type >= 1 && type <= TYPE_MAX)
		n = snprintf(buf, sizeof(buf), "%s%u", type_prefixes[type], id);
	else
		n = snprintf(buf, sizeof(buf), "type%u_%u", type, id);
	if (keylen)
		snprintf(buf + n, sizeof(buf) - n, "_%u", keylen);
	put_word(w, buf);
}

static int finish(struct writer *w)
{
	if (w->len < w->size)
		return w->len;
	if (w->size)
		w->out[w->size - 1] = '\0';
	return -ENOSPC;
}

/* strongSwan's order: cipher, integrity, prf, DH, ESN. */
static const uint8_t format_order[] = {
	IKE_TRANS_ENCR, IKE_TRANS_INTEG, IKE_TRANS_PRF, IKE_TRANS_DH, IKE_TRANS_ESN,
};

static bool only_noesn(const struct ike_proposal *p)
{
	return count_type(p, IKE_TRANS_ESN) == 1 && has_transform(p, IKE_TRANS_ESN, IKE_ESN_NO, 0);
}

int ike_proposal_format(const struct ike_proposal *p, char *out, size_t size)
{
	struct writer w = { out, size, 0 };
	unsigned int i;
	size_t k;

	if (!size)
		return -ENOSPC;
	out[0] = '\0';
	for (k = 0; k < N(format_order); k++) {
		if (format_order[k] == IKE_TRANS_ESN && only_noesn(p))
			continue;
		for (i = 0; i < ntrans(p); i++)
			if (p->t[i].type == format_order[k])
				put_transform(&w, p->t[i].type, p->t[i].id, p->t[i].keylen);
	}
	/* Types we do not know come last, so nothing a peer sent goes unlogged. */
	for (i = 0; i < ntrans(p); i++)
		if (p->t[i].type < 1 || p->t[i].type > TYPE_MAX)
			put_transform(&w, p->t[i].type, p->t[i].id, p->t[i].keylen);
	return finish(&w);
}

int ike_suite_format(enum ike_prop_kind kind, const struct ike_suite *s, char *out, size_t size)
{
	struct writer w = { out, size, 0 };

	if (!size)
		return -ENOSPC;
	out[0] = '\0';
	if (kind != IKE_PROP_AH)
		put_transform(&w, IKE_TRANS_ENCR, s->encr, s->encr_bits);
	if (s->integ)
		put_transform(&w, IKE_TRANS_INTEG, s->integ, 0);
	if (kind == IKE_PROP_IKE)
		put_transform(&w, IKE_TRANS_PRF, s->prf, 0);
	if (s->dh)
		put_transform(&w, IKE_TRANS_DH, s->dh, 0);
	if (kind != IKE_PROP_IKE && s->esn == IKE_ESN_YES)
		put_word(&w, "esn");
	return finish(&w);
}

/* ---- Negotiation ---- */

/* One transform per type, indexed by type; NULL = type not negotiated. */
struct picks {
	const struct ike_transform *t[TYPE_MAX + 1];
};

static bool offers_type(const struct ike_proposal *p, uint8_t type)
{
	return count_type(p, type) != 0;
}

/*
 * The peer's first usable transform of TYPE that MINE holds too. An
 * unusable transform (an attribute we do not know) or an ID we do not
 * know only makes that transform unacceptable, not its proposal (RFC 7296
 * 3.3.6): peers such as strongSwan offer many algorithms in one proposal.
 * Key lengths must be equal, so AES without a Key Length attribute never
 * matches (RFC 7296 3.3.5 requires one).
 */
static const struct ike_transform *first_shared(const struct ike_proposal *theirs,
						const struct ike_proposal *mine, uint8_t type)
{
	unsigned int i;

	for (i = 0; i < ntrans(theirs); i++) {
		const struct ike_transform *t = &theirs->t[i];

		if (t->type == type && !t->unusable && has_transform(mine, type, t->id, t->keylen))
			return t;
	}
	return NULL;
}

/* The peer's NONE for TYPE (RFC 7296 3.3.3 lets optional types list it). */
static const struct ike_transform *none_of(const struct ike_proposal *theirs, uint8_t type)
{
	unsigned int i;

	for (i = 0; i < ntrans(theirs); i++)
		if (theirs->t[i].type == type && !theirs->t[i].id && !theirs->t[i].unusable)
			return &theirs->t[i];
	return NULL;
}

/*
 * A type we may leave out (integrity with an AEAD cipher, DH in a child
 * SA): if MINE lists it the peer must agree on one; if not, the peer must
 * either leave it out too or allow NONE.
 */
static bool pick_optional(const struct ike_proposal *theirs, const struct ike_proposal *mine,
			  uint8_t type, struct picks *picks)
{
	if (offers_type(mine, type))
		picks->t[type] = first_shared(theirs, mine, type);
	else if (offers_type(theirs, type))
		picks->t[type] = none_of(theirs, type);
	else
		return true;
	return picks->t[type];
}

static bool pick_required(const struct ike_proposal *theirs, const struct ike_proposal *mine,
			  uint8_t type, struct picks *picks)
{
	picks->t[type] = first_shared(theirs, mine, type);
	return picks->t[type] && picks->t[type]->id;
}

/*
 * ESN is mandatory in ESP/AH proposals (RFC 7296 3.3.3), but a peer that
 * leaves it out cannot do ESN: accept that if we allow "noesn".
 */
static bool pick_esn(const struct ike_proposal *theirs, const struct ike_proposal *mine,
		     struct picks *picks)
{
	if (!offers_type(theirs, IKE_TRANS_ESN))
		return has_transform(mine, IKE_TRANS_ESN, IKE_ESN_NO, 0);
	picks->t[IKE_TRANS_ESN] = first_shared(theirs, mine, IKE_TRANS_ESN);
	return picks->t[IKE_TRANS_ESN];
}

static bool match_proposal(const struct ike_proposal *theirs, const struct ike_proposal *mine,
			   enum ike_prop_kind kind, struct picks *picks)
{
	bool aead = false;

	memset(picks, 0, sizeof(*picks));
	if (mine->protocol != theirs->protocol)
		return false;
	if (kind != IKE_PROP_AH) {
		if (!pick_required(theirs, mine, IKE_TRANS_ENCR, picks))
			return false;
		aead = ike_encr_is_aead(picks->t[IKE_TRANS_ENCR]->id);
	}
	if (aead) {
		/* Whatever MINE says, an AEAD cipher takes no integrity. */
		if (offers_type(theirs, IKE_TRANS_INTEG)) {
			picks->t[IKE_TRANS_INTEG] = none_of(theirs, IKE_TRANS_INTEG);
			if (!picks->t[IKE_TRANS_INTEG])
				return false;
		}
	} else if (!pick_required(theirs, mine, IKE_TRANS_INTEG, picks)) {
		return false;
	}
	if (kind == IKE_PROP_IKE)
		return pick_required(theirs, mine, IKE_TRANS_PRF, picks) &&
		       pick_required(theirs, mine, IKE_TRANS_DH, picks);
	return pick_optional(theirs, mine, IKE_TRANS_DH, picks) && pick_esn(theirs, mine, picks);
}

/* A proposal we must not consider at all (RFC 7296 3.3.6). */
static bool proposal_acceptable(const struct ike_proposal *p, enum ike_prop_kind kind)
{
	unsigned int i;

	if (p->protocol != kind_protocols[kind] || p->n_transforms > IKE_MAX_TRANSFORMS)
		return false;
	for (i = 0; i < ntrans(p); i++)
		if (!kind_allows(kind, p->t[i].type))
			return false;
	return true;
}

static void fill_suite(const struct picks *picks, struct ike_suite *s)
{
	const struct ike_transform *const *t = picks->t;

	memset(s, 0, sizeof(*s));
	if (t[IKE_TRANS_ENCR]) {
		s->encr = t[IKE_TRANS_ENCR]->id;
		s->encr_bits = t[IKE_TRANS_ENCR]->keylen;
	}
	s->prf = t[IKE_TRANS_PRF] ? t[IKE_TRANS_PRF]->id : 0;
	s->integ = t[IKE_TRANS_INTEG] ? t[IKE_TRANS_INTEG]->id : 0;
	s->dh = t[IKE_TRANS_DH] ? t[IKE_TRANS_DH]->id : 0;
	s->esn = t[IKE_TRANS_ESN] ? t[IKE_TRANS_ESN]->id : IKE_ESN_NO;
}

static void fill_reply(const struct ike_proposal *theirs, const struct picks *picks,
		       struct ike_proposal *reply)
{
	uint8_t type;

	memset(reply, 0, sizeof(*reply));
	reply->num = theirs->num;
	reply->protocol = theirs->protocol;
	for (type = 1; type <= TYPE_MAX; type++)
		if (picks->t[type])
			reply->t[reply->n_transforms++] = *picks->t[type];
}

int ike_proposal_select(const struct ike_sa_offer *mine, const struct ike_sa_offer *theirs,
			enum ike_prop_kind kind, struct ike_suite *chosen,
			struct ike_proposal *reply)
{
	struct picks picks;
	unsigned int i, k;

	if ((unsigned int)kind > IKE_PROP_AH)
		return -EINVAL;
	for (i = 0; i < theirs->n && i < IKE_MAX_PROPOSALS; i++) {
		if (!proposal_acceptable(&theirs->p[i], kind))
			continue;
		for (k = 0; k < mine->n && k < IKE_MAX_PROPOSALS; k++) {
			if (!match_proposal(&theirs->p[i], &mine->p[k], kind, &picks))
				continue;
			fill_suite(&picks, chosen);
			fill_reply(&theirs->p[i], &picks, reply);
			return 0;
		}
	}
	return -ENOENT;
}

bool ike_offer_allows_suite(const struct ike_sa_offer *mine, enum ike_prop_kind kind,
			    const struct ike_suite *suite)
{
	struct ike_sa_offer *one = calloc(1, sizeof(*one));
	struct ike_proposal *p, reply;
	struct ike_suite chosen;
	bool ok;

	if (!one)
		return false;
	one->n = 1;
	p = &one->p[0];
	p->num = 1;
	p->protocol = kind == IKE_PROP_IKE ? IKE_PROTO_IKE :
		      kind == IKE_PROP_AH ? IKE_PROTO_AH : IKE_PROTO_ESP;
	p->t[p->n_transforms++] = (struct ike_transform){ IKE_TRANS_ENCR, false, suite->encr,
							  suite->encr_bits };
	if (suite->prf)
		p->t[p->n_transforms++] = (struct ike_transform){ IKE_TRANS_PRF, false,
								  suite->prf, 0 };
	if (suite->integ)
		p->t[p->n_transforms++] = (struct ike_transform){ IKE_TRANS_INTEG, false,
								  suite->integ, 0 };
	if (suite->dh)
		p->t[p->n_transforms++] = (struct ike_transform){ IKE_TRANS_DH, false,
								  suite->dh, 0 };
	ok = !ike_proposal_select(mine, one, kind, &chosen, &reply);
	free(one);
	return ok;
}

static const struct ike_proposal *proposal_by_num(const struct ike_sa_offer *offer, uint8_t num)
{
	unsigned int i;

	for (i = 0; i < offer->n && i < IKE_MAX_PROPOSALS; i++)
		if (offer->p[i].num == num)
			return &offer->p[i];
	return NULL;
}

int ike_proposal_check_reply(const struct ike_sa_offer *offered, const struct ike_sa_offer *reply,
			     enum ike_prop_kind kind, struct ike_suite *chosen)
{
	const struct ike_proposal *r, *mine;
	struct picks picks = { { NULL } };
	const struct ike_transform *encr;
	unsigned int i;
	uint8_t type;

	if ((unsigned int)kind > IKE_PROP_AH || reply->n != 1)
		return -EBADMSG;
	r = &reply->p[0];
	mine = proposal_by_num(offered, r->num);
	if (!mine || r->protocol != mine->protocol || !proposal_acceptable(r, kind))
		return -EBADMSG;
	for (i = 0; i < ntrans(r); i++) {
		const struct ike_transform *t = &r->t[i];

		if (t->unusable || picks.t[t->type] ||
		    !has_transform(mine, t->type, t->id, t->keylen))
			return -EBADMSG;
		picks.t[t->type] = t;
	}
	encr = picks.t[IKE_TRANS_ENCR];
	for (type = 1; type <= TYPE_MAX; type++) {
		/* An AEAD choice from a mixed offer rightly leaves integrity out. */
		if (type == IKE_TRANS_INTEG && encr && ike_encr_is_aead(encr->id))
			continue;
		if (offers_type(mine, type) && !picks.t[type])
			return -EBADMSG;
	}
	if (encr && !ike_encr_is_aead(encr->id) &&
	    (!picks.t[IKE_TRANS_INTEG] || !picks.t[IKE_TRANS_INTEG]->id))
		return -EBADMSG;
	fill_suite(&picks, chosen);
	return 0;
}

/* ---- DH groups ---- */

unsigned int ike_offer_dh_groups(const struct ike_sa_offer *offer)
{
	uint16_t seen[IKE_MAX_PROPOSALS * IKE_MAX_TRANSFORMS];
	unsigned int i, k, j, n = 0;

	for (i = 0; i < offer->n; i++)
		for (k = 0; k < offer->p[i].n_transforms; k++) {
			const struct ike_transform *t = &offer->p[i].t[k];

			if (t->type != IKE_TRANS_DH)
				continue;
			for (j = 0; j < n && seen[j] != t->id; j++)
				;
			if (j == n)
				seen[n++] = t->id;
		}
	return n;
}

bool ike_offer_all_have_dh(const struct ike_sa_offer *offer)
{
	unsigned int i, k;
	bool has;

	for (i = 0; i < offer->n; i++) {
		for (k = 0, has = false; k < offer->p[i].n_transforms; k++)
			has |= offer->p[i].t[k].type == IKE_TRANS_DH;
		if (!has)
			return false;
	}
	return true;
}

uint16_t ike_offer_first_dh(const struct ike_sa_offer *offer)
{
	unsigned int i, k;

	for (i = 0; i < offer->n && i < IKE_MAX_PROPOSALS; i++)
		for (k = 0; k < ntrans(&offer->p[i]); k++)
			if (offer->p[i].t[k].type == IKE_TRANS_DH && offer->p[i].t[k].id &&
			    !offer->p[i].t[k].unusable)
				return offer->p[i].t[k].id;
	return 0;
}

bool ike_offer_has_dh(const struct ike_sa_offer *offer, uint16_t group)
{
	unsigned int i;

	if (!group)
		return false;
	for (i = 0; i < offer->n && i < IKE_MAX_PROPOSALS; i++)
		if (has_transform(&offer->p[i], IKE_TRANS_DH, group, 0))
			return true;
	return false;
}

void ike_offer_promote_dh(struct ike_sa_offer *offer, uint16_t group)
{
	unsigned int i, k, first;

	for (i = 0; i < offer->n && i < IKE_MAX_PROPOSALS; i++) {
		struct ike_proposal *p = &offer->p[i];
		struct ike_transform t;

		for (first = 0; first < ntrans(p); first++)
			if (p->t[first].type == IKE_TRANS_DH)
				break;
		for (k = first; k < ntrans(p); k++)
			if (p->t[k].type == IKE_TRANS_DH && p->t[k].id == group)
				break;
		if (k >= ntrans(p))
			continue;
		/* Shift the DH transforms in between down, keeping their order. */
		t = p->t[k];
		memmove(&p->t[first + 1], &p->t[first], (k - first) * sizeof(t));
		p->t[first] = t;
	}
}

int ike_offer_set_dh(struct ike_sa_offer *offer, uint16_t group)
{
	unsigned int i;

	if (group && !keyword_by_value(IKE_TRANS_DH, group, 0))
		return -EINVAL;
	for (i = 0; i < offer->n && i < IKE_MAX_PROPOSALS; i++) {
		struct ike_proposal *p = &offer->p[i];

		remove_type(p, IKE_TRANS_DH);
		if (group && p->n_transforms < IKE_MAX_TRANSFORMS) {
			add_transform(p, IKE_TRANS_DH, group, 0);
			sort_by_type(p);
		}
	}
	return 0;
}
