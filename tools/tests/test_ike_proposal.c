// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for tools/iked/proposal.c: keyword strings, Junos sets,
 * formatting, the responder's choice and the initiator's check of it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "algs.h"
#include "ikev2/ikev2.h"
#include "proposal.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static char err[256];

static void parse(enum ike_prop_kind kind, const char *s, struct ike_sa_offer *o)
{
	err[0] = '\0';
	if (ike_proposals_parse(kind, &s, 1, o, err, sizeof(err)))
		fail_msg("'%s': %s", s, err);
}

/* Parsing S must fail with a message containing WANT. */
static void parse_fails(enum ike_prop_kind kind, const char *s, const char *want)
{
	struct ike_sa_offer o;

	err[0] = '\0';
	assert_int_equal(ike_proposals_parse(kind, &s, 1, &o, err, sizeof(err)), -EINVAL);
	if (!strstr(err, want))
		fail_msg("'%s': message '%s' lacks '%s'", s, err, want);
}

static const char *fmt(const struct ike_proposal *p)
{
	static char buf[256];

	assert_true(ike_proposal_format(p, buf, sizeof(buf)) > 0);
	return buf;
}

static unsigned int count(const struct ike_proposal *p, uint8_t type)
{
	unsigned int i, n = 0;

	for (i = 0; i < p->n_transforms; i++)
		n += p->t[i].type == type;
	return n;
}

/* The Nth (0-based) transform of TYPE. */
static const struct ike_transform *nth(const struct ike_proposal *p, uint8_t type, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < p->n_transforms; i++)
		if (p->t[i].type == type && !n--)
			return &p->t[i];
	fail_msg("no transform %u of type %u", n, type);
	return NULL;
}

static void append(struct ike_proposal *p, uint8_t type, uint16_t id, uint16_t keylen)
{
	p->t[p->n_transforms++] = (struct ike_transform){
		.type = type, .id = id, .keylen = keylen,
	};
}

static const struct {
	const char *name;
	uint16_t id, keylen;
	bool ike;	/* also allowed in IKE proposals */
} encr_words[] = {
	{ "aes128", IKE_ENCR_AES_CBC, 128, true },
	{ "aes192", IKE_ENCR_AES_CBC, 192, true },
	{ "aes256", IKE_ENCR_AES_CBC, 256, true },
	{ "aes128gcm8", IKE_ENCR_AES_GCM_8, 128, true },
	{ "aes128gcm12", IKE_ENCR_AES_GCM_12, 128, true },
	{ "aes128gcm16", IKE_ENCR_AES_GCM_16, 128, true },
	{ "aes192gcm8", IKE_ENCR_AES_GCM_8, 192, true },
	{ "aes192gcm12", IKE_ENCR_AES_GCM_12, 192, true },
	{ "aes192gcm16", IKE_ENCR_AES_GCM_16, 192, true },
	{ "aes256gcm8", IKE_ENCR_AES_GCM_8, 256, true },
	{ "aes256gcm12", IKE_ENCR_AES_GCM_12, 256, true },
	{ "aes256gcm16", IKE_ENCR_AES_GCM_16, 256, true },
	{ "aes128gcm64", IKE_ENCR_AES_GCM_8, 128, true },
	{ "aes128gcm96", IKE_ENCR_AES_GCM_12, 128, true },
	{ "aes128gcm128", IKE_ENCR_AES_GCM_16, 128, true },
	{ "aes192gcm64", IKE_ENCR_AES_GCM_8, 192, true },
	{ "aes192gcm96", IKE_ENCR_AES_GCM_12, 192, true },
	{ "aes192gcm128", IKE_ENCR_AES_GCM_16, 192, true },
	{ "aes256gcm64", IKE_ENCR_AES_GCM_8, 256, true },
	{ "aes256gcm96", IKE_ENCR_AES_GCM_12, 256, true },
	{ "aes256gcm128", IKE_ENCR_AES_GCM_16, 256, true },
	{ "aes256gcm", IKE_ENCR_AES_GCM_16, 256, true },
	{ "chacha20poly1305", IKE_ENCR_CHACHA20_POLY1305, 0, true },
	{ "3des", IKE_ENCR_3DES, 0, true },
	{ "null", IKE_ENCR_NULL, 0, false },
	{ "aes128gmac", IKE_ENCR_NULL_AUTH_AES_GMAC, 128, false },
	{ "aes192gmac", IKE_ENCR_NULL_AUTH_AES_GMAC, 192, false },
	{ "aes256gmac", IKE_ENCR_NULL_AUTH_AES_GMAC, 256, false },
};

/* What tools/lib/algs.c files a wire cipher under (its key bits). */
static uint16_t module_bits(uint16_t id, uint16_t keylen)
{
	if (id == IKE_ENCR_3DES)
		return 192;
	if (id == IKE_ENCR_CHACHA20_POLY1305)
		return 256;
	return keylen;
}

static void test_encr_keywords(void **state)
{
	struct ike_sa_offer o;
	char s[64];
	size_t i;

	(void)state;
	for (i = 0; i < N(encr_words); i++) {
		bool aead = ike_encr_is_aead(encr_words[i].id);
		const struct ike_transform *t;

		snprintf(s, sizeof(s), "%s%s", encr_words[i].name, aead ? "" : "-sha256");
		parse(IKE_PROP_ESP, s, &o);
		assert_int_equal(o.n, 1);
		assert_int_equal(count(&o.p[0], IKE_TRANS_ENCR), 1);
		t = nth(&o.p[0], IKE_TRANS_ENCR, 0);
		assert_int_equal(t->id, encr_words[i].id);
		assert_int_equal(t->keylen, encr_words[i].keylen);
		assert_int_equal(count(&o.p[0], IKE_TRANS_INTEG), aead ? 0 : 1);
		/* The daemon offers only what the module can install. */
		assert_non_null(sectun_encr_by_id(t->id, module_bits(t->id, t->keylen)));

		snprintf(s, sizeof(s), "%s-%s-modp2048", encr_words[i].name,
			 aead ? "prfsha256" : "sha256");
		if (!encr_words[i].ike) {
			parse_fails(IKE_PROP_IKE, s, "not allowed in IKE proposals");
			continue;
		}
		parse(IKE_PROP_IKE, s, &o);
		assert_int_equal(nth(&o.p[0], IKE_TRANS_ENCR, 0)->id, encr_words[i].id);
		assert_int_equal(nth(&o.p[0], IKE_TRANS_ENCR, 0)->keylen, encr_words[i].keylen);
	}
	parse_fails(IKE_PROP_AH, "aes128-sha256", "not allowed in AH proposals");
	parse_fails(IKE_PROP_AH, "aes128gmac", "not allowed in AH proposals");
	/* Keywords are case-insensitive, as in the CLI. */
	parse(IKE_PROP_ESP, "AES128GCM16", &o);
	assert_string_equal(fmt(&o.p[0]), "aes128gcm16");
}

static void test_integ_keywords(void **state)
{
	static const struct {
		const char *name;
		uint16_t id;
	} words[] = {
		{ "md5", IKE_INTEG_HMAC_MD5_96 },
		{ "sha1", IKE_INTEG_HMAC_SHA1_96 },
		{ "sha", IKE_INTEG_HMAC_SHA1_96 },
		{ "sha256", IKE_INTEG_HMAC_SHA2_256_128 },
		{ "sha2_256", IKE_INTEG_HMAC_SHA2_256_128 },
		{ "sha384", IKE_INTEG_HMAC_SHA2_384_192 },
		{ "sha512", IKE_INTEG_HMAC_SHA2_512_256 },
	};
	struct ike_sa_offer o;
	char s[64];
	size_t i;

	(void)state;
	for (i = 0; i < N(words); i++) {
		snprintf(s, sizeof(s), "aes128-%s", words[i].name);
		parse(IKE_PROP_ESP, s, &o);
		assert_int_equal(nth(&o.p[0], IKE_TRANS_INTEG, 0)->id, words[i].id);
		assert_non_null(sectun_integ_by_id(words[i].id));

		parse(IKE_PROP_AH, words[i].name, &o);
		assert_int_equal(o.p[0].protocol, IKE_PROTO_AH);
		assert_int_equal(count(&o.p[0], IKE_TRANS_INTEG), 1);
		assert_int_equal(nth(&o.p[0], IKE_TRANS_INTEG, 0)->id, words[i].id);

		snprintf(s, sizeof(s), "3des-%s-modp2048", words[i].name);
		parse(IKE_PROP_IKE, s, &o);
		assert_int_equal(nth(&o.p[0], IKE_TRANS_INTEG, 0)->id, words[i].id);
	}
}

static void test_prf_dh_esn_keywords(void **state)
{
	static const struct {
		const char *name;
		uint8_t type;
		uint16_t id;
	} words[] = {
		{ "prfmd5", IKE_TRANS_PRF, IKE_PRF_HMAC_MD5 },
		{ "prfsha1", IKE_TRANS_PRF, IKE_PRF_HMAC_SHA1 },
		{ "prfsha256", IKE_TRANS_PRF, IKE_PRF_HMAC_SHA2_256 },
		{ "prfsha384", IKE_TRANS_PRF, IKE_PRF_HMAC_SHA2_384 },
		{ "prfsha512", IKE_TRANS_PRF, IKE_PRF_HMAC_SHA2_512 },
		{ "modp768", IKE_TRANS_DH, IKE_DH_MODP768 },
		{ "modp1024", IKE_TRANS_DH, IKE_DH_MODP1024 },
		{ "modp1536", IKE_TRANS_DH, IKE_DH_MODP1536 },
		{ "modp2048", IKE_TRANS_DH, IKE_DH_MODP2048 },
		{ "modp3072", IKE_TRANS_DH, IKE_DH_MODP3072 },
		{ "modp4096", IKE_TRANS_DH, IKE_DH_MODP4096 },
		{ "ecp256", IKE_TRANS_DH, IKE_DH_ECP256 },
		{ "ecp384", IKE_TRANS_DH, IKE_DH_ECP384 },
		{ "ecp521", IKE_TRANS_DH, IKE_DH_ECP521 },
		{ "curve25519", IKE_TRANS_DH, IKE_DH_CURVE25519 },
		{ "x25519", IKE_TRANS_DH, IKE_DH_CURVE25519 },
	};
	struct ike_sa_offer o;
	char s[64];
	size_t i;

	(void)state;
	for (i = 0; i < N(words); i++) {
		bool dh = words[i].type == IKE_TRANS_DH;

		snprintf(s, sizeof(s), "aes128gcm16-%s-%s", words[i].name,
			 dh ? "prfsha256" : "ecp256");
		parse(IKE_PROP_IKE, s, &o);
		assert_int_equal(count(&o.p[0], words[i].type), 1);
		assert_int_equal(nth(&o.p[0], words[i].type, 0)->id, words[i].id);
		snprintf(s, sizeof(s), "aes128gcm16-%s", words[i].name);
		if (!dh) {
			parse_fails(IKE_PROP_ESP, s, "not allowed in ESP proposals");
			continue;
		}
		/* In a child SA proposal a DH group means PFS. */
		parse(IKE_PROP_ESP, s, &o);
		assert_int_equal(nth(&o.p[0], IKE_TRANS_DH, 0)->id, words[i].id);
		snprintf(s, sizeof(s), "sha256-%s", words[i].name);
		parse(IKE_PROP_AH, s, &o);
		assert_int_equal(nth(&o.p[0], IKE_TRANS_DH, 0)->id, words[i].id);
	}

	/* No ESN keyword: offer noesn only, like strongSwan. */
	parse(IKE_PROP_ESP, "aes128gcm16", &o);
	assert_int_equal(count(&o.p[0], IKE_TRANS_ESN), 1);
	assert_int_equal(nth(&o.p[0], IKE_TRANS_ESN, 0)->id, IKE_ESN_NO);
	parse(IKE_PROP_ESP, "aes128gcm16-esn", &o);
	assert_int_equal(count(&o.p[0], IKE_TRANS_ESN), 1);
	assert_int_equal(nth(&o.p[0], IKE_TRANS_ESN, 0)->id, IKE_ESN_YES);
	parse(IKE_PROP_AH, "sha256-noesn-esn", &o);
	assert_int_equal(nth(&o.p[0], IKE_TRANS_ESN, 0)->id, IKE_ESN_NO);
	assert_int_equal(nth(&o.p[0], IKE_TRANS_ESN, 1)->id, IKE_ESN_YES);
	parse_fails(IKE_PROP_IKE, "aes128-sha256-modp2048-esn", "not allowed in IKE proposals");

	/* Several of one type are alternatives, in the order written; repeats fold. */
	parse(IKE_PROP_IKE, "aes256-aes128-sha256-sha1-ecp384-modp2048-aes256", &o);
	assert_int_equal(o.n, 1);
	assert_int_equal(count(&o.p[0], IKE_TRANS_ENCR), 2);
	assert_int_equal(nth(&o.p[0], IKE_TRANS_ENCR, 1)->keylen, 128);
	assert_int_equal(nth(&o.p[0], IKE_TRANS_DH, 0)->id, IKE_DH_ECP384);
	assert_int_equal(nth(&o.p[0], IKE_TRANS_DH, 1)->id, IKE_DH_MODP2048);
}

static void test_prf_derivation(void **state)
{
	struct ike_sa_offer o;

	(void)state;
	parse(IKE_PROP_IKE, "aes128-sha256-modp2048", &o);
	assert_int_equal(count(&o.p[0], IKE_TRANS_PRF), 1);
	assert_int_equal(nth(&o.p[0], IKE_TRANS_PRF, 0)->id, IKE_PRF_HMAC_SHA2_256);
	assert_string_equal(fmt(&o.p[0]), "aes128-sha256-prfsha256-modp2048");

	parse(IKE_PROP_IKE, "aes128-sha1-sha512-md5-modp2048", &o);
	assert_int_equal(count(&o.p[0], IKE_TRANS_PRF), 3);
	assert_int_equal(nth(&o.p[0], IKE_TRANS_PRF, 0)->id, IKE_PRF_HMAC_SHA1);
	assert_int_equal(nth(&o.p[0], IKE_TRANS_PRF, 1)->id, IKE_PRF_HMAC_SHA2_512);
	assert_int_equal(nth(&o.p[0], IKE_TRANS_PRF, 2)->id, IKE_PRF_HMAC_MD5);

	/* An explicit prf stops the derivation. */
	parse(IKE_PROP_IKE, "aes128-sha256-prfsha384-modp2048", &o);
	assert_int_equal(count(&o.p[0], IKE_TRANS_PRF), 1);
	assert_int_equal(nth(&o.p[0], IKE_TRANS_PRF, 0)->id, IKE_PRF_HMAC_SHA2_384);

	/* IKE proposals are laid out by type, as RFC 7296 shows them. */
	assert_int_equal(o.p[0].t[0].type, IKE_TRANS_ENCR);
	assert_int_equal(o.p[0].t[1].type, IKE_TRANS_PRF);
	assert_int_equal(o.p[0].t[2].type, IKE_TRANS_INTEG);
	assert_int_equal(o.p[0].t[3].type, IKE_TRANS_DH);
}

static void test_aead_rules(void **state)
{
	struct ike_sa_offer o;

	(void)state;
	parse(IKE_PROP_IKE, "aes256gcm16-prfsha384-ecp384", &o);
	assert_int_equal(count(&o.p[0], IKE_TRANS_INTEG), 0);

	/* strongSwan: integrity next to AEAD names the prf, then goes. */
	parse(IKE_PROP_IKE, "aes256gcm16-sha384-ecp384", &o);
	assert_int_equal(count(&o.p[0], IKE_TRANS_INTEG), 0);
	assert_string_equal(fmt(&o.p[0]), "aes256gcm16-prfsha384-ecp384");
	parse(IKE_PROP_ESP, "aes128gcm16-aes256gcm16-sha256", &o);
	assert_int_equal(count(&o.p[0], IKE_TRANS_INTEG), 0);
	parse(IKE_PROP_ESP, "chacha20poly1305-aes128gmac", &o);
	assert_int_equal(count(&o.p[0], IKE_TRANS_ENCR), 2);

	parse_fails(IKE_PROP_IKE, "aes128gcm16-ecp256", "needs a prf keyword");
	parse_fails(IKE_PROP_IKE, "aes128gcm16-aes128-sha256-ecp256", "AEAD and classic");
	parse_fails(IKE_PROP_ESP, "aes128-aes128gcm16-sha256", "AEAD and classic");
	parse_fails(IKE_PROP_ESP, "null-aes128gmac-sha1", "AEAD and classic");
	parse_fails(IKE_PROP_ESP, "aes128", "no integrity algorithm");
	parse_fails(IKE_PROP_ESP, "null", "no integrity algorithm");
	parse_fails(IKE_PROP_IKE, "aes128-prfsha256-modp2048", "no integrity algorithm");
	parse_fails(IKE_PROP_IKE, "aes128-sha256", "no DH group");
	parse_fails(IKE_PROP_IKE, "sha256-modp2048", "no encryption algorithm");
	parse_fails(IKE_PROP_ESP, "sha256-modp2048", "no encryption algorithm");
	parse_fails(IKE_PROP_AH, "modp2048", "no integrity algorithm");
	parse(IKE_PROP_ESP, "null-sha256", &o);
	assert_int_equal(nth(&o.p[0], IKE_TRANS_ENCR, 0)->id, IKE_ENCR_NULL);
}

static void test_errors(void **state)
{
	static const char *const two[] = { "aes128-sha256", NULL };
	struct ike_sa_offer o = { .n = 99 };
	char small[8];

	(void)state;
	parse_fails(IKE_PROP_IKE, "aes128-sha3-modp2048", "unknown algorithm 'sha3'");
	assert_string_equal(err, "IKE proposal 'aes128-sha3-modp2048': unknown algorithm 'sha3'");
	parse_fails(IKE_PROP_ESP, "aes128-sha1, blowfish-sha1", "unknown algorithm 'blowfish'");
	parse_fails(IKE_PROP_ESP, "des-sha1", "single DES");
	parse_fails(IKE_PROP_ESP, "aes128--sha1", "empty algorithm name");
	parse_fails(IKE_PROP_ESP, "aes128-sha1-", "empty algorithm name");
	parse_fails(IKE_PROP_ESP, "aes128-sha1,,aes256-sha1", "empty ESP proposal");
	parse_fails(IKE_PROP_ESP, "", "empty ESP proposal");
	parse_fails(IKE_PROP_IKE, "aes128-sha256-ecp256-aes 128", "unknown algorithm 'aes 128'");

	/* A failed parse leaves OUT alone. */
	assert_int_equal(ike_proposals_parse(IKE_PROP_ESP, two, 2, &o, err, sizeof(err)), -EINVAL);
	assert_int_equal(o.n, 99);
	assert_int_equal(ike_proposals_parse(IKE_PROP_ESP, two, 0, &o, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "no ESP proposals given");
	/* A short or missing message buffer is fine. */
	assert_int_equal(ike_proposals_parse(IKE_PROP_ESP, two, 2, &o, small, sizeof(small)),
			 -EINVAL);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_int_equal(ike_proposals_parse(IKE_PROP_ESP, two, 2, &o, NULL, 0), -EINVAL);
}

static void test_lists(void **state)
{
	static const char *const strings[] = {
		"aes128-sha256-modp2048, aes256gcm16-prfsha384-ecp384 ",
		"suiteb-gcm-256",
	};
	const char *many[IKE_MAX_PROPOSALS + 1];
	struct ike_sa_offer o;
	unsigned int i;

	(void)state;
	assert_int_equal(ike_proposals_parse(IKE_PROP_IKE, strings, 2, &o, err, sizeof(err)), 0);
	assert_int_equal(o.n, 3);
	for (i = 0; i < o.n; i++) {
		assert_int_equal(o.p[i].num, i + 1);
		assert_int_equal(o.p[i].protocol, IKE_PROTO_IKE);
		assert_int_equal(o.p[i].spi_len, 0);
	}
	assert_string_equal(fmt(&o.p[1]), "aes256gcm16-prfsha384-ecp384");
	assert_string_equal(fmt(&o.p[2]), "aes256-sha384-prfsha384-ecp384");

	for (i = 0; i < N(many); i++)
		many[i] = "aes128gcm16";
	assert_int_equal(ike_proposals_parse(IKE_PROP_ESP, many, IKE_MAX_PROPOSALS, &o, err,
					     sizeof(err)), 0);
	assert_int_equal(o.n, IKE_MAX_PROPOSALS);
	assert_int_equal(o.p[IKE_MAX_PROPOSALS - 1].num, IKE_MAX_PROPOSALS);
	assert_int_equal(ike_proposals_parse(IKE_PROP_ESP, many, N(many), &o, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "too many ESP proposals"));
}

/* Each set's proposals, formatted, joined with ", ". */
static const char *set_text(enum ike_prop_kind kind, const char *name)
{
	static char text[512];
	struct ike_sa_offer o;
	unsigned int i;

	parse(kind, name, &o);
	text[0] = '\0';
	for (i = 0; i < o.n; i++) {
		if (i)
			strcat(text, ", ");
		strcat(text, fmt(&o.p[i]));
	}
	return text;
}

static void test_junos_sets(void **state)
{
	(void)state;
	assert_string_equal(set_text(IKE_PROP_IKE, "standard"),
			    "aes128-sha1-prfsha1-modp1024, 3des-sha1-prfsha1-modp1024");
	assert_string_equal(set_text(IKE_PROP_ESP, "standard"),
			    "3des-sha1-modp1024, aes128-sha1-modp1024");
	assert_string_equal(set_text(IKE_PROP_IKE, "compatible"),
			    "3des-sha1-prfsha1-modp1024, 3des-md5-prfmd5-modp1024");
	assert_string_equal(set_text(IKE_PROP_ESP, "compatible"), "3des-sha1, 3des-md5");
	assert_string_equal(set_text(IKE_PROP_IKE, "suiteb-gcm-128"),
			    "aes128-sha256-prfsha256-ecp256");
	assert_string_equal(set_text(IKE_PROP_ESP, "suiteb-gcm-128"), "aes128gcm16");
	assert_string_equal(set_text(IKE_PROP_IKE, "suiteb-gcm-256"),
			    "aes256-sha384-prfsha384-ecp384");
	assert_string_equal(set_text(IKE_PROP_ESP, "suiteb-gcm-256"), "aes256gcm16");
	assert_string_equal(set_text(IKE_PROP_IKE, "prime-128"), "aes128gcm16-prfsha256-ecp256");
	assert_string_equal(set_text(IKE_PROP_ESP, "prime-128"), "aes128gcm16");
	assert_string_equal(set_text(IKE_PROP_IKE, "prime-256"), "aes256gcm16-prfsha384-ecp384");
	assert_string_equal(set_text(IKE_PROP_ESP, "Prime-256"), "aes256gcm16");
	/* Sets mix with keyword strings in one list. */
	assert_string_equal(set_text(IKE_PROP_ESP, "aes256gcm16-esn, standard"),
			    "aes256gcm16-esn, 3des-sha1-modp1024, aes128-sha1-modp1024");

	parse_fails(IKE_PROP_IKE, "basic", "DES");
	parse_fails(IKE_PROP_ESP, "basic", "DES");
	parse_fails(IKE_PROP_AH, "standard", "not AH");
	parse_fails(IKE_PROP_ESP, "standard-sha256", "unknown algorithm 'standard'");
}

static void test_format(void **state)
{
	static const struct {
		enum ike_prop_kind kind;
		const char *s;
	} canonical[] = {
		{ IKE_PROP_IKE, "aes256gcm16-prfsha384-ecp384" },
		{ IKE_PROP_IKE, "aes128-sha256-prfsha256-modp2048" },
		{ IKE_PROP_IKE, "aes256-aes128-sha512-sha1-prfsha512-prfsha1-curve25519-ecp256" },
		{ IKE_PROP_IKE, "chacha20poly1305-prfsha256-curve25519" },
		{ IKE_PROP_IKE, "3des-md5-prfmd5-modp768" },
		{ IKE_PROP_IKE, "aes192gcm8-aes192gcm12-prfsha1-modp1536-modp3072-ecp521" },
		{ IKE_PROP_ESP, "aes128gcm16" },
		{ IKE_PROP_ESP, "aes256gcm16-aes128gcm8-ecp384-esn" },
		{ IKE_PROP_ESP, "aes128-aes192-3des-sha256-sha384-md5" },
		{ IKE_PROP_ESP, "null-sha512" },
		{ IKE_PROP_ESP, "aes256gmac-esn-noesn" },
		{ IKE_PROP_ESP, "chacha20poly1305-modp1024" },
		{ IKE_PROP_AH, "sha256" },
		{ IKE_PROP_AH, "sha1-md5-ecp256-esn" },
	};
	static const struct {
		enum ike_prop_kind kind;
		const char *in, *out;
	} aliases[] = {
		{ IKE_PROP_ESP, "aes128gcm128-sha-x25519-noesn", "aes128gcm16-curve25519" },
		{ IKE_PROP_ESP, "aes256gcm96", "aes256gcm12" },
		{ IKE_PROP_ESP, "aes192gcm64", "aes192gcm8" },
		{ IKE_PROP_AH, "sha2_256-sha2_384-sha2_512", "sha256-sha384-sha512" },
		{ IKE_PROP_IKE, "modp2048-sha1-aes128", "aes128-sha1-prfsha1-modp2048" },
	};
	struct ike_sa_offer o;
	struct ike_proposal p = { .num = 1, .protocol = IKE_PROTO_ESP };
	char small[12], exact[33];
	size_t i;

	(void)state;
	for (i = 0; i < N(canonical); i++) {
		parse(canonical[i].kind, canonical[i].s, &o);
		assert_string_equal(fmt(&o.p[0]), canonical[i].s);
	}
	for (i = 0; i < N(aliases); i++) {
		parse(aliases[i].kind, aliases[i].in, &o);
		assert_string_equal(fmt(&o.p[0]), aliases[i].out);
	}

	/* What a peer offers that we have no word for still shows. */
	append(&p, IKE_TRANS_ENCR, IKE_ENCR_AES_CTR, 128);
	append(&p, IKE_TRANS_INTEG, IKE_INTEG_AES_XCBC_96, 0);
	append(&p, IKE_TRANS_ENCR, IKE_ENCR_AES_CBC, 0);
	append(&p, 9, 1, 0);
	append(&p, IKE_TRANS_ESN, IKE_ESN_NO, 0);
	append(&p, IKE_TRANS_ESN, 7, 0);
	assert_string_equal(fmt(&p), "encr13_128-encr12-integ5-noesn-esn7-type9_1");

	parse(IKE_PROP_IKE, "aes128-sha256-modp2048", &o);
	assert_int_equal(ike_proposal_format(&o.p[0], small, sizeof(small)), -ENOSPC);
	assert_string_equal(small, "aes128-sha2");
	assert_int_equal(ike_proposal_format(&o.p[0], small, 0), -ENOSPC);
	assert_int_equal(ike_proposal_format(&o.p[0], small, 7), -ENOSPC);
	assert_string_equal(small, "aes128");
	/* "aes128-sha256-prfsha256-modp2048" is 32 characters. */
	assert_int_equal(ike_proposal_format(&o.p[0], exact, 32), -ENOSPC);
	assert_int_equal(ike_proposal_format(&o.p[0], exact, 33), 32);
}

static void test_suite_format(void **state)
{
	struct ike_suite ike = {
		.encr = IKE_ENCR_AES_GCM_16, .encr_bits = 256, .prf = IKE_PRF_HMAC_SHA2_384,
		.dh = IKE_DH_ECP384,
	};
	struct ike_suite ike_cbc = {
		.encr = IKE_ENCR_AES_CBC, .encr_bits = 128, .prf = IKE_PRF_HMAC_SHA2_256,
		.integ = IKE_INTEG_HMAC_SHA2_256_128, .dh = IKE_DH_MODP2048,
	};
	struct ike_suite esp = {
		.encr = IKE_ENCR_3DES, .integ = IKE_INTEG_HMAC_SHA1_96, .dh = IKE_DH_MODP1024,
		.esn = IKE_ESN_NO,
	};
	struct ike_suite ah = { .integ = IKE_INTEG_HMAC_SHA2_512_256, .esn = IKE_ESN_YES };
	char buf[64], tiny[4];

	(void)state;
	assert_int_equal(ike_suite_format(IKE_PROP_IKE, &ike, buf, sizeof(buf)), 28);
	assert_string_equal(buf, "aes256gcm16-prfsha384-ecp384");
	ike_suite_format(IKE_PROP_IKE, &ike_cbc, buf, sizeof(buf));
	assert_string_equal(buf, "aes128-sha256-prfsha256-modp2048");
	ike_suite_format(IKE_PROP_ESP, &esp, buf, sizeof(buf));
	assert_string_equal(buf, "3des-sha1-modp1024");
	ike_suite_format(IKE_PROP_AH, &ah, buf, sizeof(buf));
	assert_string_equal(buf, "sha512-esn");
	assert_int_equal(ike_suite_format(IKE_PROP_AH, &ah, tiny, sizeof(tiny)), -ENOSPC);
	assert_string_equal(tiny, "sha");
}

/* Offers from a list of strings, for select and check_reply tests. */
static void offer(enum ike_prop_kind kind, struct ike_sa_offer *o, unsigned int n,
		  const char *const *strings)
{
	if (ike_proposals_parse(kind, strings, n, o, err, sizeof(err)))
		fail_msg("%s", err);
}

#define OFFER(kind, o, ...) \
	offer(kind, o, N(((const char *const[]){ __VA_ARGS__ })), \
	      (const char *const[]){ __VA_ARGS__ })

static void test_select_their_order(void **state)
{
	struct ike_sa_offer mine, theirs;
	struct ike_proposal reply;
	struct ike_suite s;

	(void)state;
	OFFER(IKE_PROP_IKE, &mine, "aes128-sha256-modp2048", "aes256gcm16-prfsha384-ecp384");
	OFFER(IKE_PROP_IKE, &theirs, "aes256gcm16-prfsha384-ecp384", "aes128-sha256-modp2048");
	assert_int_equal(ike_proposal_select(&mine, &theirs, IKE_PROP_IKE, &s, &reply), 0);
	assert_int_equal(reply.num, 1);
	assert_int_equal(reply.protocol, IKE_PROTO_IKE);
	assert_int_equal(reply.spi_len, 0);
	assert_string_equal(fmt(&reply), "aes256gcm16-prfsha384-ecp384");
	assert_int_equal(reply.n_transforms, 3);
	assert_int_equal(s.encr, IKE_ENCR_AES_GCM_16);
	assert_int_equal(s.encr_bits, 256);
	assert_int_equal(s.prf, IKE_PRF_HMAC_SHA2_384);
	assert_int_equal(s.integ, 0);
	assert_int_equal(s.dh, IKE_DH_ECP384);

	/* Their unacceptable first proposal is passed over. */
	OFFER(IKE_PROP_IKE, &theirs, "3des-md5-modp1024", "aes128-sha256-modp2048");
	assert_int_equal(ike_proposal_select(&mine, &theirs, IKE_PROP_IKE, &s, &reply), 0);
	assert_int_equal(reply.num, 2);
	assert_string_equal(fmt(&reply), "aes128-sha256-prfsha256-modp2048");
	assert_int_equal(s.integ, IKE_INTEG_HMAC_SHA2_256_128);

	/* Within a proposal their transform order wins too. */
	OFFER(IKE_PROP_IKE, &mine, "aes128-aes256-sha1-sha256-ecp256-modp2048");
	OFFER(IKE_PROP_IKE, &theirs, "aes256-aes128-sha256-sha1-modp2048-ecp256");
	assert_int_equal(ike_proposal_select(&mine, &theirs, IKE_PROP_IKE, &s, &reply), 0);
	assert_string_equal(fmt(&reply), "aes256-sha256-prfsha256-modp2048");

	/* ESP and AH. */
	OFFER(IKE_PROP_ESP, &mine, "aes128-sha256", "aes256gcm16-esn-noesn");
	OFFER(IKE_PROP_ESP, &theirs, "chacha20poly1305", "aes256gcm16-aes128gcm16-esn",
	      "aes128-sha1-sha256");
	assert_int_equal(ike_proposal_select(&mine, &theirs, IKE_PROP_ESP, &s, &reply), 0);
	assert_int_equal(reply.num, 2);
	assert_int_equal(reply.protocol, IKE_PROTO_ESP);
	assert_string_equal(fmt(&reply), "aes256gcm16-esn");
	assert_int_equal(s.esn, IKE_ESN_YES);
	assert_int_equal(s.dh, 0);
	assert_int_equal(s.prf, 0);
	OFFER(IKE_PROP_AH, &mine, "sha512-sha1");
	OFFER(IKE_PROP_AH, &theirs, "md5", "sha256-sha1");
	assert_int_equal(ike_proposal_select(&mine, &theirs, IKE_PROP_AH, &s, &reply), 0);
	assert_int_equal(reply.num, 2);
	assert_string_equal(fmt(&reply), "sha1");
	assert_int_equal(s.integ, IKE_INTEG_HMAC_SHA1_96);
	assert_int_equal(s.encr, 0);
	assert_int_equal(s.esn, IKE_ESN_NO);

	/* Proposals of another protocol do not count. */
	OFFER(IKE_PROP_ESP, &theirs, "aes128-sha1");
	assert_int_equal(ike_proposal_select(&mine, &theirs, IKE_PROP_AH, &s, &reply), -ENOENT);
	theirs.p[0].protocol = IKE_PROTO_AH;
	assert_int_equal(ike_proposal_select(&mine, &theirs, IKE_PROP_AH, &s, &reply), -ENOENT);
}

static void test_select_no_mixing(void **state)
{
	struct ike_sa_offer mine, theirs;
	struct ike_proposal reply;
	struct ike_suite s;

	(void)state;
	OFFER(IKE_PROP_IKE, &mine, "aes128-sha256-modp2048", "aes256gcm16-prfsha384-ecp384");
	/* Every type is allowed by one of ours, but not all by the same one. */
	OFFER(IKE_PROP_IKE, &theirs, "aes128-sha256-prfsha256-ecp384");
	assert_int_equal(ike_proposal_select(&mine, &theirs, IKE_PROP_IKE, &s, &reply), -ENOENT);
	OFFER(IKE_PROP_IKE, &theirs, "aes256gcm16-prfsha256-ecp384");
	assert_int_equal(ike_proposal_select(&mine, &theirs, IKE_PROP_IKE, &s, &reply), -ENOENT);
	OFFER(IKE_PROP_ESP, &mine, "aes128-sha256", "aes256-sha1");
	OFFER(IKE_PROP_ESP, &theirs, "aes256-sha256");
	assert_int_equal(ike_proposal_select(&mine, &theirs, IKE_PROP_ESP, &s, &reply), -ENOENT);
}

static void test_select_key_length(void **state)
{
	struct ike_sa_offer mine, theirs;
	struct ike_proposal reply;
	struct ike_suite s;

	(void)state;
	OFFER(IKE_PROP_ESP, &mine, "aes256-sha256", "aes128gcm16");
	OFFER(IKE_PROP_ESP, &theirs, "aes128-sha256", "aes256gcm16");
	assert_int_equal(ike_proposal_select(&mine, &theirs, IKE_PROP_ESP, &s, &reply), -ENOENT);

	/* AES-CBC without a Key Length attribute is invalid: never taken. */
	OFFER(IKE_PROP_ESP, &theirs, "aes256-sha256");
	theirs.p[0].t[0].keylen = 0;
	assert_int_equal(ike_proposal_select(&mine, &theirs, IKE_PROP_ESP, &s, &reply), -ENOENT);
	/* Nor one with a Key Length where the cipher has none. */
	OFFER(IKE_PROP_ESP, &mine, "3des-sha1");
	OFFER(IKE_PROP_ESP, &theirs, "3des-sha1");
	theirs.p[0].t[0].keylen = 192;
	assert_int_equal(ike_proposal_select(&mine, &theirs, IKE_PROP_ESP, &s, &reply), -ENOENT);
	theirs.p[0].t[0].keylen = 0;
	assert_int_equal(ike_proposal_select(&mine, &theirs, IKE_PROP_ESP, &s, &reply), 0);
	assert_int_equal(s.encr_bits, 0);
}

static void test_select_skips(void **state)
{
	struct ike_sa_offer mine, theirs;
	struct ike_proposal reply;
	struct ike_suite s;

	(void)state;
	OFFER(IKE_PROP_IKE, &mine, "aes128-aes256-sha256-modp2048");

	/* An unknown transform type makes the whole proposal unacceptable. */
	OFFER(IKE_PROP_IKE, &theirs, "aes256-sha256-modp2048", "aes128-sha256-modp2048");
	append(&theirs.p[0], 6, 36, 0);
	assert_int_equal(ike_proposal_select(&mine, &theirs, IKE_PROP_IKE, &s, &reply), 0);
	assert_int_equal(reply.num, 2);
	assert_int_equal(s.encr_bits, 128);
	/* So does a type the protocol does not have (ESN in IKE). */
	OFFER(IKE_PROP_IKE, &theirs, "aes256-sha256-modp2048", "aes128-sha256-modp2048");
	append(&theirs.p[0], IKE_TRANS_ESN, IKE_ESN_NO, 0);
	assert_int_equal(ike_proposal_select(&mine, &theirs, IKE_PROP_IKE, &s, &reply), 0);
	assert_int_equal(reply.num, 2);

	/*
	 * An unusable transform, or one whose ID we do not know, is itself
	 * passed over; the rest of its proposal still counts (RFC 7296 3.3.6).
	 */
	OFFER(IKE_PROP_IKE, &theirs, "aes256-aes128-sha256-modp2048");
	theirs.p[0].t[0].unusable = true;
	assert_int_equal(ike_proposal_select(&mine, &theirs, IKE_PROP_IKE, &s, &reply), 0);
	assert_int_equal(s.encr_bits, 128);
	assert_false(reply.t[0].unusable);
	theirs.p[0].t[1].unusable = true;
	assert_int_equal(ike_proposal_select(&mine, &theirs, IKE_PROP_IKE, &s, &reply), -ENOENT);

	OFFER(IKE_PROP_IKE, &theirs, "aes128-sha256-modp2048");
	theirs.p[0].t[0].id = 1024;	/* an ENCR ID we do not know */
	append(&theirs.p[0], IKE_TRANS_ENCR, IKE_ENCR_AES_CBC, 256);
	assert_int_equal(ike_proposal_select(&mine, &theirs, IKE_PROP_IKE, &s, &reply), 0);
	assert_int_equal(s.encr_bits, 256);
	theirs.p[0].n_transforms--;
	assert_int_equal(ike_proposal_select(&mine, &theirs, IKE_PROP_IKE, &s, &reply), -ENOENT);

	/* A mandatory type missing: no PRF. */
	OFFER(IKE_PROP_IKE, &theirs, "aes128-sha256-modp2048");
	theirs.p[0].t[1] = theirs.p[0].t[3];
	theirs.p[0].n_transforms = 3;
	assert_int_equal(count(&theirs.p[0], IKE_TRANS_PRF), 0);
	assert_int_equal(ike_proposal_select(&mine, &theirs, IKE_PROP_IKE, &s, &reply), -ENOENT);

	/* A count past the array is not trusted. */
	OFFER(IKE_PROP_IKE, &theirs, "aes128-sha256-modp2048");
	theirs.p[0].n_transforms = 200;
	assert_int_equal(ike_proposal_select(&mine, &theirs, IKE_PROP_IKE, &s, &reply), -ENOENT);
	theirs.n = 200;
	assert_int_equal(ike_proposal_select(&mine, &theirs, IKE_PROP_IKE, &s, &reply), -ENOENT);
}

static void test_select_dh(void **state)
{
	struct ike_sa_offer mine, theirs;
	struct ike_proposal reply;
	struct ike_suite s;

	(void)state;
	OFFER(IKE_PROP_IKE, &mine, "aes128-sha256-ecp256");
	OFFER(IKE_PROP_IKE, &theirs, "aes128-sha256-modp2048");
	assert_int_equal(ike_proposal_select(&mine, &theirs, IKE_PROP_IKE, &s, &reply), -ENOENT);

	/* PFS wanted: the peer must offer our group. */
	OFFER(IKE_PROP_ESP, &mine, "aes128gcm16-ecp256");
	OFFER(IKE_PROP_ESP, &theirs, "aes128gcm16");
	assert_int_equal(ike_proposal_select(&mine, &theirs, IKE_PROP_ESP, &s, &reply), -ENOENT);
	OFFER(IKE_PROP_ESP, &theirs, "aes128gcm16-modp2048");
	assert_int_equal(ike_proposal_select(&mine, &theirs, IKE_PROP_ESP, &s, &reply), -ENOENT);
	OFFER(IKE_PROP_ESP, &theirs, "aes128gcm16-modp2048-ecp256");
	assert_int_equal(ike_proposal_select(&mine, &theirs, IKE_PROP_ESP, &s, &reply), 0);
	assert_int_equal(s.dh, IKE_DH_ECP256);
	assert_string_equal(fmt(&reply), "aes128gcm16-ecp256");

	/* No PFS wanted: the peer must not insist, but may allow NONE. */
	OFFER(IKE_PROP_ESP, &mine, "aes128gcm16");
	OFFER(IKE_PROP_ESP, &theirs, "aes128gcm16-ecp256");
	assert_int_equal(ike_proposal_select(&mine, &theirs, IKE_PROP_ESP, &s, &reply), -ENOENT);
	append(&theirs.p[0], IKE_TRANS_DH, IKE_DH_NONE, 0);
	assert_int_equal(ike_proposal_select(&mine, &theirs, IKE_PROP_ESP, &s, &reply), 0);
	assert_int_equal(s.dh, 0);
	assert_int_equal(count(&reply, IKE_TRANS_DH), 1);
	assert_int_equal(nth(&reply, IKE_TRANS_DH, 0)->id, IKE_DH_NONE);
}

static void test_select_esn_and_none(void **state)
{
	struct ike_sa_offer mine, theirs;
	struct ike_proposal reply;
	struct ike_suite s;

	(void)state;
	OFFER(IKE_PROP_ESP, &mine, "aes128gcm16-esn");
	OFFER(IKE_PROP_ESP, &theirs, "aes128gcm16");
	assert_int_equal(ike_proposal_select(&mine, &theirs, IKE_PROP_ESP, &s, &reply), -ENOENT);
	OFFER(IKE_PROP_ESP, &mine, "aes128gcm16-esn-noesn");
	OFFER(IKE_PROP_ESP, &theirs, "aes128gcm16-noesn-esn");
	assert_int_equal(ike_proposal_select(&mine, &theirs, IKE_PROP_ESP, &s, &reply), 0);
	assert_int_equal(s.esn, IKE_ESN_NO);

	/* A peer leaving ESN out gets no ESN, if we allow that. */
	OFFER(IKE_PROP_ESP, &theirs, "aes128gcm16");
	theirs.p[0].n_transforms = 1;
	assert_int_equal(ike_proposal_select(&mine, &theirs, IKE_PROP_ESP, &s, &reply), 0);
	assert_int_equal(s.esn, IKE_ESN_NO);
	assert_int_equal(count(&reply, IKE_TRANS_ESN), 0);
	OFFER(IKE_PROP_ESP, &mine, "aes128gcm16-esn");
	assert_int_equal(ike_proposal_select(&mine, &theirs, IKE_PROP_ESP, &s, &reply), -ENOENT);

	/* AEAD: integrity NONE is fine and echoed, a real one is not. */
	OFFER(IKE_PROP_ESP, &mine, "aes128gcm16");
	OFFER(IKE_PROP_ESP, &theirs, "aes128gcm16");
	append(&theirs.p[0], IKE_TRANS_INTEG, IKE_INTEG_NONE, 0);
	assert_int_equal(ike_proposal_select(&mine, &theirs, IKE_PROP_ESP, &s, &reply), 0);
	assert_int_equal(s.integ, 0);
	assert_int_equal(nth(&reply, IKE_TRANS_INTEG, 0)->id, IKE_INTEG_NONE);
	theirs.p[0].t[theirs.p[0].n_transforms - 1].id = IKE_INTEG_HMAC_SHA2_256_128;
	assert_int_equal(ike_proposal_select(&mine, &theirs, IKE_PROP_ESP, &s, &reply), -ENOENT);
	/* A classic cipher never takes integrity NONE. */
	OFFER(IKE_PROP_ESP, &mine, "aes128-sha256");
	OFFER(IKE_PROP_ESP, &theirs, "aes128-sha256");
	assert_int_equal(theirs.p[0].t[1].type, IKE_TRANS_INTEG);
	theirs.p[0].t[1].id = IKE_INTEG_NONE;
	assert_int_equal(ike_proposal_select(&mine, &theirs, IKE_PROP_ESP, &s, &reply), -ENOENT);
}

/* A reply SA payload holding one proposal. */
static void wrap(const struct ike_proposal *p, struct ike_sa_offer *o)
{
	memset(o, 0, sizeof(*o));
	o->n = 1;
	o->p[0] = *p;
}

static void test_check_reply(void **state)
{
	struct ike_sa_offer offered, reply;
	struct ike_proposal good;
	struct ike_suite s, sel;

	(void)state;
	OFFER(IKE_PROP_IKE, &offered, "aes128-sha256-sha1-ecp256-modp2048",
	      "aes256gcm16-aes128gcm16-prfsha384-ecp384");
	good = (struct ike_proposal){ .num = 2, .protocol = IKE_PROTO_IKE };
	append(&good, IKE_TRANS_DH, IKE_DH_ECP384, 0);
	append(&good, IKE_TRANS_ENCR, IKE_ENCR_AES_GCM_16, 128);
	append(&good, IKE_TRANS_PRF, IKE_PRF_HMAC_SHA2_384, 0);
	wrap(&good, &reply);
	assert_int_equal(ike_proposal_check_reply(&offered, &reply, IKE_PROP_IKE, &s), 0);
	assert_int_equal(s.encr, IKE_ENCR_AES_GCM_16);
	assert_int_equal(s.encr_bits, 128);
	assert_int_equal(s.prf, IKE_PRF_HMAC_SHA2_384);
	assert_int_equal(s.integ, 0);
	assert_int_equal(s.dh, IKE_DH_ECP384);

	/* Two proposals. */
	reply.n = 2;
	reply.p[1] = good;
	assert_int_equal(ike_proposal_check_reply(&offered, &reply, IKE_PROP_IKE, &s), -EBADMSG);
	reply.n = 0;
	assert_int_equal(ike_proposal_check_reply(&offered, &reply, IKE_PROP_IKE, &s), -EBADMSG);
	/* A transform we did not offer in that proposal. */
	wrap(&good, &reply);
	reply.p[0].t[1].keylen = 256 + 64;
	assert_int_equal(ike_proposal_check_reply(&offered, &reply, IKE_PROP_IKE, &s), -EBADMSG);
	wrap(&good, &reply);
	reply.p[0].t[0].id = IKE_DH_MODP2048;	/* offered, but in proposal 1 */
	assert_int_equal(ike_proposal_check_reply(&offered, &reply, IKE_PROP_IKE, &s), -EBADMSG);
	/* A number we never offered. */
	wrap(&good, &reply);
	reply.p[0].num = 3;
	assert_int_equal(ike_proposal_check_reply(&offered, &reply, IKE_PROP_IKE, &s), -EBADMSG);
	/* A type missing. */
	wrap(&good, &reply);
	reply.p[0].n_transforms = 2;
	assert_int_equal(ike_proposal_check_reply(&offered, &reply, IKE_PROP_IKE, &s), -EBADMSG);
	/* Two of one type. */
	wrap(&good, &reply);
	append(&reply.p[0], IKE_TRANS_ENCR, IKE_ENCR_AES_GCM_16, 256);
	assert_int_equal(ike_proposal_check_reply(&offered, &reply, IKE_PROP_IKE, &s), -EBADMSG);
	/* A type the protocol does not have, an unusable one, the wrong protocol. */
	wrap(&good, &reply);
	append(&reply.p[0], IKE_TRANS_ESN, IKE_ESN_NO, 0);
	assert_int_equal(ike_proposal_check_reply(&offered, &reply, IKE_PROP_IKE, &s), -EBADMSG);
	wrap(&good, &reply);
	reply.p[0].t[2].unusable = true;
	assert_int_equal(ike_proposal_check_reply(&offered, &reply, IKE_PROP_IKE, &s), -EBADMSG);
	wrap(&good, &reply);
	reply.p[0].protocol = IKE_PROTO_ESP;
	assert_int_equal(ike_proposal_check_reply(&offered, &reply, IKE_PROP_IKE, &s), -EBADMSG);

	/* Whatever select() answers, check_reply() accepts, with the same suite. */
	OFFER(IKE_PROP_ESP, &offered, "aes128-aes256-sha256-sha1-modp2048-esn-noesn",
	      "aes256gcm16-noesn");
	assert_int_equal(ike_proposal_select(&offered, &offered, IKE_PROP_ESP, &sel, &good), 0);
	wrap(&good, &reply);
	assert_int_equal(ike_proposal_check_reply(&offered, &reply, IKE_PROP_ESP, &s), 0);
	assert_memory_equal(&s, &sel, sizeof(s));
	assert_string_equal(fmt(&good), "aes128-sha256-modp2048-esn");
	/* ...but not without its PFS group or integrity. */
	reply.p[0] = good;
	reply.p[0].n_transforms = 0;
	append(&reply.p[0], IKE_TRANS_ENCR, IKE_ENCR_AES_CBC, 128);
	append(&reply.p[0], IKE_TRANS_INTEG, IKE_INTEG_HMAC_SHA1_96, 0);
	append(&reply.p[0], IKE_TRANS_ESN, IKE_ESN_NO, 0);
	assert_int_equal(ike_proposal_check_reply(&offered, &reply, IKE_PROP_ESP, &s), -EBADMSG);
	reply.p[0].t[1] = (struct ike_transform){ .type = IKE_TRANS_DH, .id = IKE_DH_MODP2048 };
	assert_int_equal(ike_proposal_check_reply(&offered, &reply, IKE_PROP_ESP, &s), -EBADMSG);
	reply.p[0].t[1] = (struct ike_transform){ .type = IKE_TRANS_INTEG, .id = IKE_INTEG_NONE };
	append(&reply.p[0], IKE_TRANS_DH, IKE_DH_MODP2048, 0);
	assert_int_equal(ike_proposal_check_reply(&offered, &reply, IKE_PROP_ESP, &s), -EBADMSG);
}

static void test_dh_helpers(void **state)
{
	struct ike_sa_offer o;

	(void)state;
	OFFER(IKE_PROP_IKE, &o, "aes256gcm16-prfsha384-ecp384-ecp256",
	      "aes128-sha256-modp2048-curve25519");
	assert_int_equal(ike_offer_first_dh(&o), IKE_DH_ECP384);
	assert_true(ike_offer_has_dh(&o, IKE_DH_ECP256));
	assert_true(ike_offer_has_dh(&o, IKE_DH_CURVE25519));
	assert_false(ike_offer_has_dh(&o, IKE_DH_MODP1024));
	assert_false(ike_offer_has_dh(&o, IKE_DH_NONE));

	/* INVALID_KE_PAYLOAD asked for curve25519: it goes first where offered. */
	ike_offer_promote_dh(&o, IKE_DH_CURVE25519);
	assert_string_equal(fmt(&o.p[0]), "aes256gcm16-prfsha384-ecp384-ecp256");
	assert_string_equal(fmt(&o.p[1]), "aes128-sha256-prfsha256-curve25519-modp2048");
	ike_offer_promote_dh(&o, IKE_DH_ECP256);
	assert_string_equal(fmt(&o.p[0]), "aes256gcm16-prfsha384-ecp256-ecp384");
	assert_int_equal(ike_offer_first_dh(&o), IKE_DH_ECP256);

	/* The VPN's PFS group replaces the set's; 0 strips DH for IKE_AUTH. */
	OFFER(IKE_PROP_ESP, &o, "standard", "aes128gcm16-esn");
	assert_int_equal(ike_offer_set_dh(&o, IKE_DH_ECP384), 0);
	assert_string_equal(fmt(&o.p[0]), "3des-sha1-ecp384");
	assert_string_equal(fmt(&o.p[2]), "aes128gcm16-ecp384-esn");
	assert_int_equal(o.p[2].t[1].type, IKE_TRANS_DH);
	assert_int_equal(ike_offer_set_dh(&o, IKE_DH_NONE), 0);
	assert_string_equal(fmt(&o.p[1]), "aes128-sha1");
	assert_int_equal(ike_offer_first_dh(&o), 0);
	assert_int_equal(ike_offer_set_dh(&o, 99), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encr_keywords),
		cmocka_unit_test(test_integ_keywords),
		cmocka_unit_test(test_prf_dh_esn_keywords),
		cmocka_unit_test(test_prf_derivation),
		cmocka_unit_test(test_aead_rules),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_junos_sets),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_suite_format),
		cmocka_unit_test(test_select_their_order),
		cmocka_unit_test(test_select_no_mixing),
		cmocka_unit_test(test_select_key_length),
		cmocka_unit_test(test_select_skips),
		cmocka_unit_test(test_select_dh),
		cmocka_unit_test(test_select_esn_and_none),
		cmocka_unit_test(test_check_reply),
		cmocka_unit_test(test_dh_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
