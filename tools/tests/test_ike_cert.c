// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for tools/iked/cert.c. The PKI (a root, an intermediate, end
 * entities with RSA and EC keys, and broken certificates) is made here at
 * run time with OpenSSL; files exist only in a mkdtemp() directory.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "pki/cert.h"
#include "ikev2/ikev2.h"
#include "pki/sign.h"

#define DAY	(24L * 3600)

static struct pki {
	EVP_PKEY *root_key, *int_key, *rsa_key, *ec_key, *other_key;
	X509 *root, *inter, *ee_rsa, *ee_ec, *other;
	X509 *expired, *future, *forged;
} pki;

static X509_NAME *name_of(const char *cn)
{
	X509_NAME *n = X509_NAME_new();

	assert_non_null(n);
	assert_true(X509_NAME_add_entry_by_txt(n, "C", MBSTRING_ASC,
					       (const unsigned char *)"US", -1, -1, 0));
	assert_true(X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC,
					       (const unsigned char *)"Example", -1, -1, 0));
	assert_true(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
					       (const unsigned char *)cn, -1, -1, 0));
	return n;
}

static void add_ext(X509 *cert, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value);

	assert_non_null(ext);
	assert_true(X509_add_ext(cert, ext, -1));
	X509_EXTENSION_free(ext);
}

struct cert_spec {
	const char *cn;
	EVP_PKEY *key;
	X509 *issuer;		/* NULL: self-signed */
	EVP_PKEY *signer;
	bool ca;
	bool no_aki;		/* lets a forged issuer be found by name only */
	const char *san;
	long not_before, not_after;	/* seconds from now */
};

static X509 *make_cert(const struct cert_spec *s)
{
	static long serial = 1;
	X509 *cert = X509_new();
	X509_NAME *subject = name_of(s->cn);
	X509V3_CTX ctx;

	assert_non_null(cert);
	assert_true(X509_set_version(cert, 2));
	assert_true(ASN1_INTEGER_set(X509_get_serialNumber(cert), serial++));
	assert_true(X509_set_subject_name(cert, subject));
	assert_true(X509_set_issuer_name(cert, s->issuer ?
					  X509_get_subject_name(s->issuer) : subject));
	assert_non_null(X509_gmtime_adj(X509_getm_notBefore(cert), s->not_before));
	assert_non_null(X509_gmtime_adj(X509_getm_notAfter(cert), s->not_after));
	assert_true(X509_set_pubkey(cert, s->key));
	X509V3_set_ctx(&ctx, s->issuer ? s->issuer : cert, cert, NULL, NULL, 0);
	add_ext(cert, &ctx, NID_basic_constraints,
		s->ca ? "critical,CA:TRUE" : "CA:FALSE");
	add_ext(cert, &ctx, NID_key_usage, s->ca ? "critical,keyCertSign,cRLSign" :
						  "critical,digitalSignature");
	add_ext(cert, &ctx, NID_subject_key_identifier, "hash");
	if (!s->no_aki)
		add_ext(cert, &ctx, NID_authority_key_identifier, "keyid:always");
	if (s->san)
		add_ext(cert, &ctx, NID_subject_alt_name, s->san);
	assert_true(X509_sign(cert, s->signer ? s->signer : s->key, EVP_sha256()));
	X509_NAME_free(subject);
	return cert;
}

static EVP_PKEY *ec_key(const char *curve)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);

	assert_non_null(key);
	return key;
}

static EVP_PKEY *rsa_key(void)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);

	assert_non_null(key);
	return key;
}

#define EE_SAN	"IP:192.0.2.1, IP:2001:db8::1, DNS:gw1.example.com, " \
		"email:admin@Example.com"

static int make_pki(void **state)
{
	(void)state;
	pki.root_key = rsa_key();
	pki.int_key = ec_key("P-384");
	pki.rsa_key = rsa_key();
	pki.ec_key = ec_key("P-256");
	pki.other_key = ec_key("P-256");
	pki.root = make_cert(&(struct cert_spec){ "Root CA", pki.root_key,
		.ca = true, .not_before = -DAY, .not_after = 3650 * DAY });
	pki.inter = make_cert(&(struct cert_spec){ "Intermediate CA", pki.int_key,
		pki.root, pki.root_key, .ca = true, .not_before = -DAY,
		.not_after = 365 * DAY });
	pki.ee_rsa = make_cert(&(struct cert_spec){ "gw1", pki.rsa_key,
		pki.inter, pki.int_key, .san = EE_SAN, .not_before = -DAY,
		.not_after = 30 * DAY });
	pki.ee_ec = make_cert(&(struct cert_spec){ "gw2", pki.ec_key,
		pki.inter, pki.int_key, .san = "DNS:gw2.example.com",
		.not_before = -DAY, .not_after = 30 * DAY });
	pki.other = make_cert(&(struct cert_spec){ "Other CA", pki.other_key,
		.ca = true, .not_before = -DAY, .not_after = 3650 * DAY });
	pki.expired = make_cert(&(struct cert_spec){ "old", pki.ec_key,
		pki.inter, pki.int_key, .not_before = -30 * DAY,
		.not_after = -DAY });
	pki.future = make_cert(&(struct cert_spec){ "new", pki.ec_key,
		pki.inter, pki.int_key, .not_before = DAY,
		.not_after = 30 * DAY });
	/* Claims the intermediate as issuer, signed by another EC key. */
	pki.forged = make_cert(&(struct cert_spec){ "forged", pki.ec_key,
		pki.inter, pki.other_key, .no_aki = true, .not_before = -DAY,
		.not_after = 30 * DAY });
	return 0;
}

static int free_pki(void **state)
{
	(void)state;
	X509_free(pki.root);
	X509_free(pki.inter);
	X509_free(pki.ee_rsa);
	X509_free(pki.ee_ec);
	X509_free(pki.other);
	X509_free(pki.expired);
	X509_free(pki.future);
	X509_free(pki.forged);
	EVP_PKEY_free(pki.root_key);
	EVP_PKEY_free(pki.int_key);
	EVP_PKEY_free(pki.rsa_key);
	EVP_PKEY_free(pki.ec_key);
	EVP_PKEY_free(pki.other_key);
	return 0;
}

/* A certificate's DER, for the caller to OPENSSL_free(). */
static struct ike_cert_der der_of(X509 *x)
{
	unsigned char *der = NULL;
	int len = i2d_X509(x, &der);

	assert_true(len > 0);
	return (struct ike_cert_der){ der, (size_t)len };
}

static struct ike_cert_store *store_with(X509 *ca)
{
	struct ike_cert_store *cs = ike_cert_store_new();

	assert_non_null(cs);
	assert_int_equal(ike_cert_store_add_ca(cs, ca), 0);
	return cs;
}

/* Verifies EE with up to one intermediate against CS. */
static int verify_in(struct ike_cert_store *cs, X509 *ee, X509 *inter,
		     EVP_PKEY **key)
{
	struct ike_cert_der e = der_of(ee), i = { NULL, 0 };
	int ret;

	if (inter)
		i = der_of(inter);
	ret = ike_cert_verify_peer(cs, &e, &i, inter ? 1 : 0, NULL, key);
	OPENSSL_free((void *)e.data);
	OPENSSL_free((void *)i.data);
	return ret;
}

/* The same against a store holding only CA. */
static int verify(X509 *ca, X509 *ee, X509 *inter, EVP_PKEY **key)
{
	struct ike_cert_store *cs = store_with(ca);
	int ret = verify_in(cs, ee, inter, key);

	ike_cert_store_free(cs);
	return ret;
}

static void test_chain_verifies(void **state)
{
	struct ike_cert_store *cs = store_with(pki.root);
	struct ike_cert_der e = der_of(pki.ee_rsa), i = der_of(pki.inter);
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;

	(void)state;
	assert_int_equal(ike_cert_verify_peer(cs, &e, &i, 1, &cert, &key), IKE_CERT_OK);
	assert_non_null(cert);
	assert_int_equal(X509_cmp(cert, pki.ee_rsa), 0);
	assert_int_equal(EVP_PKEY_eq(key, pki.rsa_key), 1);
	X509_free(cert);
	EVP_PKEY_free(key);
	OPENSSL_free((void *)e.data);
	OPENSSL_free((void *)i.data);
	ike_cert_store_free(cs);

	key = NULL;
	assert_int_equal(verify(pki.root, pki.ee_ec, pki.inter, &key), IKE_CERT_OK);
	assert_true(EVP_PKEY_is_a(key, "EC"));
	EVP_PKEY_free(key);
	/* Outputs are optional. */
	assert_int_equal(verify(pki.root, pki.ee_ec, pki.inter, NULL), IKE_CERT_OK);
	/* Every configured CA is an anchor, an intermediate too. */
	assert_int_equal(verify(pki.inter, pki.ee_ec, NULL, NULL), IKE_CERT_OK);
}

static void test_chain_fails(void **state)
{
	EVP_PKEY *key = NULL;

	(void)state;
	assert_int_equal(verify(pki.root, pki.ee_rsa, NULL, &key), IKE_CERT_UNTRUSTED);
	assert_null(key);
	assert_non_null(strstr(ike_cert_error(), "untrusted"));
	assert_int_equal(verify(pki.other, pki.ee_rsa, pki.inter, &key),
			 IKE_CERT_UNTRUSTED);
	assert_null(key);
	assert_int_equal(verify(pki.root, pki.expired, pki.inter, &key),
			 IKE_CERT_EXPIRED);
	assert_non_null(strstr(ike_cert_error(), "expired"));
	assert_non_null(strstr(ike_cert_error(), "CN=old"));
	assert_int_equal(verify(pki.root, pki.future, pki.inter, &key),
			 IKE_CERT_NOT_YET_VALID);
	assert_non_null(strstr(ike_cert_error(), "not yet valid"));
	assert_int_equal(verify(pki.root, pki.forged, pki.inter, &key),
			 IKE_CERT_BAD_SIGNATURE);
	assert_non_null(strstr(ike_cert_error(), "bad signature"));
	assert_null(key);
	{
		struct ike_cert_der e = der_of(pki.ee_ec);

		assert_int_equal(ike_cert_verify_peer(NULL, &e, NULL, 0, NULL, &key),
				 IKE_CERT_UNTRUSTED);
		OPENSSL_free((void *)e.data);
	}
	/* A self-signed end entity is no anchor unless configured as one. */
	assert_int_equal(verify(pki.root, pki.other, NULL, NULL), IKE_CERT_UNTRUSTED);
}

static void test_chain_malformed(void **state)
{
	struct ike_cert_store *cs = store_with(pki.root);
	struct ike_cert_der e = der_of(pki.ee_rsa), i = der_of(pki.inter);
	const uint8_t junk[] = { 0x30, 0x82, 0x01, 0x00, 0x01 };
	struct ike_cert_der bad = { junk, sizeof(junk) };
	struct ike_cert_der empty = { junk, 0 };
	uint8_t *longer = malloc(e.len + 1);
	EVP_PKEY *key = NULL;

	(void)state;
	assert_non_null(longer);
	memcpy(longer, e.data, e.len);
	longer[e.len] = 0;
	assert_int_equal(ike_cert_verify_peer(cs, &bad, NULL, 0, NULL, &key),
			 IKE_CERT_MALFORMED);
	assert_int_equal(ike_cert_verify_peer(cs, &empty, NULL, 0, NULL, &key),
			 IKE_CERT_MALFORMED);
	/* Truncated, or a byte after the certificate. */
	e.len--;
	assert_int_equal(ike_cert_verify_peer(cs, &e, &i, 1, NULL, &key),
			 IKE_CERT_MALFORMED);
	e.len++;
	assert_int_equal(ike_cert_verify_peer(cs, &(struct ike_cert_der){ longer,
			 e.len + 1 }, &i, 1, NULL, &key), IKE_CERT_MALFORMED);
	assert_int_equal(ike_cert_verify_peer(cs, &e, &bad, 1, NULL, &key),
			 IKE_CERT_MALFORMED);
	assert_non_null(strstr(ike_cert_error(), "intermediate"));
	assert_null(key);
	free(longer);
	OPENSSL_free((void *)e.data);
	OPENSSL_free((void *)i.data);
	ike_cert_store_free(cs);
}

static struct ike_id id_of(const char *s)
{
	struct ike_id id;

	assert_int_equal(ike_id_from_string(s, &id), 0);
	return id;
}

static bool matches(const char *s, X509 *cert)
{
	struct ike_id id = id_of(s);

	return ike_id_matches_cert(&id, cert);
}

static void test_id_matches_cert(void **state)
{
	struct ike_id id;

	(void)state;
	assert_true(matches("192.0.2.1", pki.ee_rsa));
	assert_false(matches("192.0.2.2", pki.ee_rsa));
	assert_true(matches("2001:db8::1", pki.ee_rsa));
	assert_false(matches("2001:db8::2", pki.ee_rsa));
	assert_true(matches("gw1.example.com", pki.ee_rsa));
	assert_true(matches("@GW1.Example.COM", pki.ee_rsa));
	assert_false(matches("gw2.example.com", pki.ee_rsa));
	assert_false(matches("gw1.example.co", pki.ee_rsa));
	assert_true(matches("gw2.example.com", pki.ee_ec));
	/* The domain in any case, the local part exactly. */
	assert_true(matches("admin@example.com", pki.ee_rsa));
	assert_false(matches("Admin@example.com", pki.ee_rsa));
	assert_false(matches("root@example.com", pki.ee_rsa));
	assert_true(matches("C=US, O=Example, CN=gw1", pki.ee_rsa));
	assert_true(matches("C=us,O=example,CN=GW1", pki.ee_rsa));
	assert_false(matches("C=US, O=Example, CN=gw2", pki.ee_rsa));
	assert_false(matches("O=Example, C=US, CN=gw1", pki.ee_rsa));
	assert_false(matches("C=US, O=Example", pki.ee_rsa));
	/* Only a SAN proves a name: the CN is no FQDN. */
	assert_false(matches("gw1", pki.ee_rsa));
	assert_false(matches("192.0.2.1", pki.root));
	assert_false(matches("@#0102030405", pki.ee_rsa));

	/* Lengths that do not fit the type. */
	id = id_of("192.0.2.1");
	id.len = 3;
	assert_false(ike_id_matches_cert(&id, pki.ee_rsa));
	id = id_of("C=US, O=Example, CN=gw1");
	id.len--;
	assert_false(ike_id_matches_cert(&id, pki.ee_rsa));
	id.len = 0;
	assert_false(ike_id_matches_cert(&id, pki.ee_rsa));

	assert_int_equal(ike_id_from_cert(pki.ee_rsa, &id), 0);
	assert_int_equal(id.type, IKE_ID_DER_ASN1_DN);
	assert_true(ike_id_matches_cert(&id, pki.ee_rsa));
	assert_false(ike_id_matches_cert(&id, pki.ee_ec));
}

static void test_id_from_string(void **state)
{
	const uint8_t v4[] = { 192, 0, 2, 1 }, key_id[] = { 0x0a, 0x1b, 0xff };
	struct ike_id id, dn;
	uint8_t v6[16];

	(void)state;
	id = id_of("192.0.2.1");
	assert_int_equal(id.type, IKE_ID_IPV4_ADDR);
	assert_int_equal(id.len, 4);
	assert_memory_equal(id.data, v4, 4);
	id = id_of("2001:db8::1");
	assert_int_equal(id.type, IKE_ID_IPV6_ADDR);
	assert_int_equal(id.len, 16);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", v6), 1);
	assert_memory_equal(id.data, v6, 16);
	id = id_of("@gw.example.com");
	assert_int_equal(id.type, IKE_ID_FQDN);
	assert_int_equal(id.len, 14);
	assert_memory_equal(id.data, "gw.example.com", 14);
	id = id_of("gw1");
	assert_int_equal(id.type, IKE_ID_FQDN);
	id = id_of("user@example.com");
	assert_int_equal(id.type, IKE_ID_RFC822_ADDR);
	assert_int_equal(id.len, 16);
	assert_memory_equal(id.data, "user@example.com", 16);
	id = id_of("@#0a1bFF");
	assert_int_equal(id.type, IKE_ID_KEY_ID);
	assert_int_equal(id.len, 3);
	assert_memory_equal(id.data, key_id, 3);

	/* A DN is the DER of the RDNs in the order written. */
	id = id_of("C=US, O=Example, CN=gw1");
	assert_int_equal(id.type, IKE_ID_DER_ASN1_DN);
	assert_int_equal(ike_id_from_cert(pki.ee_rsa, &dn), 0);
	assert_int_equal(id.len, dn.len);
	assert_memory_equal(id.data, dn.data, dn.len);
	/* '=' wins over '@': an email attribute is still a DN. */
	id = id_of("CN=gw1, E=admin@example.com");
	assert_int_equal(id.type, IKE_ID_DER_ASN1_DN);

	id.type = 77;
	assert_int_equal(ike_id_from_string("", &id), -EINVAL);
	assert_int_equal(ike_id_from_string("@", &id), -EINVAL);
	assert_int_equal(ike_id_from_string("@#", &id), -EINVAL);
	assert_int_equal(ike_id_from_string("@#abc", &id), -EINVAL);
	assert_int_equal(ike_id_from_string("@#zz", &id), -EINVAL);
	assert_int_equal(ike_id_from_string("%any", &id), -EINVAL);
	assert_int_equal(ike_id_from_string("C=USA, CN=x", &id), -EINVAL);
	assert_int_equal(ike_id_from_string("NOSUCHATTR=x", &id), -EINVAL);
	assert_int_equal(ike_id_from_string("CN=", &id), -EINVAL);
	assert_int_equal(ike_id_from_string("CN=a, =b", &id), -EINVAL);
	assert_int_equal(id.type, 77);
}

static void roundtrip(const char *in, const char *out)
{
	struct ike_id a = id_of(in), b;
	char buf[256];

	assert_string_equal(ike_id_format(&a, buf, sizeof(buf)), out);
	b = id_of(buf);
	assert_int_equal(a.type, b.type);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	assert_true(ike_id_equal(&a, &b));
}

static void test_id_format(void **state)
{
	struct ike_id id = id_of("gw.example.com");
	char buf[8];

	(void)state;
	roundtrip("192.0.2.1", "192.0.2.1");
	roundtrip("2001:DB8:0::1", "2001:db8::1");
	roundtrip("@gw.example.com", "gw.example.com");
	roundtrip("gw.example.com", "gw.example.com");
	roundtrip("user@example.com", "user@example.com");
	roundtrip("@#0A1bff", "@#0a1bff");
	roundtrip("C=US, O=Example, CN=gw1", "C=US, O=Example, CN=gw1");
	roundtrip("C=US,O=Example,CN=gw1", "C=US, O=Example, CN=gw1");
	roundtrip("C=US, O=Example\\, Inc., CN=a+b", "C=US, O=Example\\, Inc., CN=a\\+b");
	roundtrip("CN=gw1, E=admin@example.com", "CN=gw1, emailAddress=admin@example.com");
	roundtrip("CN=\\ padded\\ ", "CN=\\ padded\\ ");
	roundtrip("CN=gw1, S=Smith, G=Al, serialNumber=42",
		  "CN=gw1, SN=Smith, GN=Al, serialNumber=42");

	/* Truncated to the buffer, never beyond it. */
	assert_string_equal(ike_id_format(&id, buf, sizeof(buf)), "gw.exam");
	id = id_of("C=US, O=Example, CN=gw1");
	assert_string_equal(ike_id_format(&id, buf, sizeof(buf)), "C=US, O");
	id.len = 5;
	assert_string_equal(ike_id_format(&id, buf, sizeof(buf)), "(malfor");
	id = id_of("@#00112233445566778899");
	assert_string_equal(ike_id_format(&id, buf, sizeof(buf)), "@#0011");
	id = id_of("192.0.2.1");
	id.len = 5;
	assert_string_equal(ike_id_format(&id, buf, sizeof(buf)), "(malfor");
}

static void test_id_equal(void **state)
{
	struct ike_id a, b;

	(void)state;
	a = id_of("C=US, O=Example, CN=gw1");
	b = id_of("c=us,o=EXAMPLE,  cn=gw1");
	assert_true(ike_id_equal(&a, &b));
	b = id_of("C=US, O=Example, CN=gw2");
	assert_false(ike_id_equal(&a, &b));
	a = id_of("GW.example.com");
	b = id_of("@gw.EXAMPLE.com");
	assert_true(ike_id_equal(&a, &b));
	b = id_of("gw.example.org");
	assert_false(ike_id_equal(&a, &b));
	a = id_of("u@EXAMPLE.com");
	b = id_of("u@example.com");
	assert_true(ike_id_equal(&a, &b));
	b = id_of("U@example.com");
	assert_false(ike_id_equal(&a, &b));
	a = id_of("192.0.2.1");
	b = id_of("192.0.2.1");
	assert_true(ike_id_equal(&a, &b));
	b = id_of("@192.0.2.1");
	assert_false(ike_id_equal(&a, &b));
}

/* What RFC 7296 3.7 says a CERTREQ hash is, computed independently. */
static void spki_sha1(EVP_PKEY *key, uint8_t out[IKE_CERTREQ_HASH_LEN])
{
	unsigned char *der = NULL;
	size_t md_len = 0;
	int len = i2d_PUBKEY(key, &der);

	assert_true(len > 0);
	assert_true(EVP_Q_digest(NULL, "SHA1", NULL, der, (size_t)len, out, &md_len));
	assert_int_equal(md_len, IKE_CERTREQ_HASH_LEN);
	OPENSSL_free(der);
}

static void test_certreq(void **state)
{
	struct ike_cert_store *cs = store_with(pki.root);
	uint8_t want[2 * IKE_CERTREQ_HASH_LEN], got[2 * IKE_CERTREQ_HASH_LEN];

	(void)state;
	assert_int_equal(ike_cert_store_add_ca(cs, pki.other), 0);
	/* The same CA twice is one anchor. */
	assert_int_equal(ike_cert_store_add_ca(cs, pki.root), 0);
	assert_int_equal(ike_cert_store_count(cs), 2);
	spki_sha1(pki.root_key, want);
	spki_sha1(pki.other_key, want + IKE_CERTREQ_HASH_LEN);
	assert_int_equal(ike_cert_store_certreq(cs, got, sizeof(got)), sizeof(got));
	assert_memory_equal(got, want, sizeof(want));
	assert_int_equal(ike_cert_spki_sha1(pki.root, got), 0);
	assert_memory_equal(got, want, IKE_CERTREQ_HASH_LEN);
	assert_int_equal(ike_cert_store_certreq(cs, got, sizeof(got) - 1), -ENOSPC);
	ike_cert_store_free(cs);
}

static struct ike_local_cert *local_rsa(void)
{
	STACK_OF(X509) *chain = sk_X509_new_null();
	struct ike_local_cert *lc = NULL;

	assert_non_null(chain);
	assert_true(sk_X509_push(chain, pki.inter));
	assert_int_equal(ike_local_cert_new(pki.ee_rsa, chain, pki.rsa_key, &lc), 0);
	sk_X509_free(chain);
	return lc;
}

static void test_local_cert(void **state)
{
	struct ike_local_cert *lc = local_rsa(), *bad = NULL;
	struct ike_cert_der der;
	const unsigned char *p;
	X509 *x;

	(void)state;
	assert_ptr_equal(ike_local_cert_key(lc), pki.rsa_key);
	assert_ptr_equal(ike_local_cert_x509(lc), pki.ee_rsa);
	assert_int_equal(ike_local_cert_count(lc), 2);
	assert_int_equal(ike_local_cert_der(lc, 0, &der), 0);
	p = der.data;
	x = d2i_X509(NULL, &p, (long)der.len);
	assert_non_null(x);
	assert_int_equal(X509_cmp(x, pki.ee_rsa), 0);
	X509_free(x);
	assert_int_equal(ike_local_cert_der(lc, 1, &der), 0);
	p = der.data;
	x = d2i_X509(NULL, &p, (long)der.len);
	assert_non_null(x);
	assert_int_equal(X509_cmp(x, pki.inter), 0);
	X509_free(x);
	assert_int_equal(ike_local_cert_der(lc, 2, &der), -ENOENT);
	ike_local_cert_free(lc);

	assert_int_equal(ike_local_cert_new(pki.ee_rsa, NULL, pki.ec_key, &bad),
			 -EINVAL);
	assert_non_null(strstr(ike_cert_error(), "does not match"));
	assert_null(bad);
	assert_int_equal(ike_local_cert_new(pki.ee_ec, NULL, pki.ec_key, &bad), 0);
	assert_int_equal(ike_local_cert_count(bad), 1);
	ike_local_cert_free(bad);
}

static void test_certreq_names_chain(void **state)
{
	struct ike_local_cert *lc = local_rsa();
	struct ike_cert_store *cs = store_with(pki.root);
	uint8_t req[3 * IKE_CERTREQ_HASH_LEN];

	(void)state;
	assert_int_equal(ike_cert_store_add_ca(cs, pki.other), 0);
	spki_sha1(pki.other_key, req);
	spki_sha1(pki.root_key, req + IKE_CERTREQ_HASH_LEN);
	spki_sha1(pki.int_key, req + 2 * IKE_CERTREQ_HASH_LEN);
	/* The root issued our intermediate: named once it is an anchor. */
	assert_true(ike_local_cert_requested(lc, cs, req, 2 * IKE_CERTREQ_HASH_LEN));
	assert_false(ike_local_cert_requested(lc, NULL, req, 2 * IKE_CERTREQ_HASH_LEN));
	/* Our intermediate, from the chain we send. */
	assert_true(ike_local_cert_requested(lc, NULL, req + 2 * IKE_CERTREQ_HASH_LEN,
					     IKE_CERTREQ_HASH_LEN));
	assert_false(ike_local_cert_requested(lc, cs, req, IKE_CERTREQ_HASH_LEN));
	assert_false(ike_local_cert_requested(lc, cs, req, 0));
	assert_false(ike_local_cert_requested(lc, cs, req, sizeof(req) - 1));
	ike_local_cert_free(lc);
	ike_cert_store_free(cs);
}

/* ---- Files in a temporary directory ---- */

static char tmpdir[64];

static void path_of(char *buf, size_t len, const char *name)
{
	assert_true(snprintf(buf, len, "%s/%s", tmpdir, name) < (int)len);
}

static void write_bytes(const char *name, const void *data, size_t len)
{
	char path[128];
	FILE *f;

	path_of(path, sizeof(path), name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void write_pem(const char *name, X509 *const *certs, int n,
		      EVP_PKEY *key, const char *passphrase)
{
	BIO *bio = BIO_new(BIO_s_mem());
	const EVP_CIPHER *enc = passphrase ? EVP_aes_128_cbc() : NULL;
	char *data;
	long len;
	int i;

	assert_non_null(bio);
	for (i = 0; i < n; i++)
		assert_true(PEM_write_bio_X509(bio, certs[i]));
	if (key)
		assert_true(PEM_write_bio_PrivateKey(bio, key, enc,
						     (unsigned char *)passphrase,
						     passphrase ? (int)strlen(passphrase) : 0,
						     NULL, NULL));
	len = BIO_get_mem_data(bio, &data);
	write_bytes(name, data, (size_t)len);
	BIO_free(bio);
}

static void write_der(const char *name, X509 *cert)
{
	struct ike_cert_der der = der_of(cert);

	write_bytes(name, der.data, der.len);
	OPENSSL_free((void *)der.data);
}

static int make_tmpdir(void **state)
{
	char ca[128];

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_ike_cert.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	path_of(ca, sizeof(ca), "ca");
	assert_int_equal(mkdir(ca, 0700), 0);
	return 0;
}

static int unlink_all(const char *dir)
{
	struct dirent **names;
	char path[256];
	struct stat st;
	int i, n = scandir(dir, &names, NULL, alphasort);

	for (i = 0; i < n; i++) {
		if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name) >=
		    (int)sizeof(path) ||
		    !strcmp(names[i]->d_name, ".") || !strcmp(names[i]->d_name, "..") ||
		    lstat(path, &st))
			;
		else if (S_ISDIR(st.st_mode))
			unlink_all(path);
		else
			unlink(path);
		free(names[i]);
	}
	if (n >= 0)
		free(names);
	return rmdir(dir);
}

static int remove_tmpdir(void **state)
{
	(void)state;
	return unlink_all(tmpdir);
}

static void test_load_local(void **state)
{
	X509 *ee_chain[] = { pki.ee_rsa, pki.inter };
	char cert[128], chain[128], key[128], both[128], der[128], enc[128];
	struct ike_local_cert *lc = NULL;

	(void)state;
	write_pem("gw1.pem", ee_chain, 1, NULL, NULL);
	write_pem("chain.pem", ee_chain + 1, 1, NULL, NULL);
	write_pem("gw1.key", NULL, 0, pki.rsa_key, NULL);
	write_pem("both.pem", ee_chain, 2, pki.rsa_key, NULL);
	write_pem("enc.key", NULL, 0, pki.rsa_key, "secret");
	write_der("gw1.der", pki.ee_rsa);
	path_of(cert, sizeof(cert), "gw1.pem");
	path_of(chain, sizeof(chain), "chain.pem");
	path_of(key, sizeof(key), "gw1.key");
	path_of(both, sizeof(both), "both.pem");
	path_of(der, sizeof(der), "gw1.der");
	path_of(enc, sizeof(enc), "enc.key");

	assert_int_equal(ike_local_cert_load(cert, chain, key, &lc), 0);
	assert_int_equal(ike_local_cert_count(lc), 2);
	assert_int_equal(EVP_PKEY_eq(ike_local_cert_key(lc), pki.rsa_key), 1);
	ike_local_cert_free(lc);
	/* Certificate, chain and key in one PEM file. */
	assert_int_equal(ike_local_cert_load(both, NULL, both, &lc), 0);
	assert_int_equal(ike_local_cert_count(lc), 2);
	assert_int_equal(X509_cmp(ike_local_cert_x509(lc), pki.ee_rsa), 0);
	ike_local_cert_free(lc);
	assert_int_equal(ike_local_cert_load(der, NULL, key, &lc), 0);
	assert_int_equal(ike_local_cert_count(lc), 1);
	ike_local_cert_free(lc);

	lc = NULL;
	assert_int_equal(ike_local_cert_load(cert, NULL, enc, &lc), -EINVAL);
	assert_non_null(strstr(ike_cert_error(), "encrypted"));
	assert_int_equal(ike_local_cert_load(key, NULL, key, &lc), -EINVAL);
	assert_non_null(strstr(ike_cert_error(), "no certificate"));
	assert_int_equal(ike_local_cert_load(cert, NULL, cert, &lc), -EINVAL);
	assert_int_equal(ike_local_cert_load("/nonexistent/x.pem", NULL, key, &lc),
			 -ENOENT);
	assert_non_null(strstr(ike_cert_error(), "/nonexistent/x.pem"));
	assert_null(lc);
	/* Key of another certificate. */
	write_pem("ec.key", NULL, 0, pki.ec_key, NULL);
	path_of(key, sizeof(key), "ec.key");
	assert_int_equal(ike_local_cert_load(cert, chain, key, &lc), -EINVAL);
	assert_non_null(strstr(ike_cert_error(), "does not match"));
	assert_null(lc);
}

static void test_load_anchors(void **state)
{
	X509 *bundle[] = { pki.root, pki.other };
	struct ike_cert_store *cs = ike_cert_store_new();
	char path[128];

	(void)state;
	assert_non_null(cs);
	write_pem("ca/root.pem", bundle, 1, NULL, NULL);
	write_der("ca/other.der", pki.other);
	write_pem("bundle.pem", bundle, 2, NULL, NULL);
	write_bytes("ca/.hidden", "x", 1);
	path_of(path, sizeof(path), "ca");
	assert_int_equal(ike_cert_store_add_ca_dir(cs, path), 0);
	assert_int_equal(ike_cert_store_count(cs), 2);
	assert_int_equal(verify_in(cs, pki.ee_ec, pki.inter, NULL), IKE_CERT_OK);
	ike_cert_store_free(cs);

	cs = ike_cert_store_new();
	assert_non_null(cs);
	path_of(path, sizeof(path), "bundle.pem");
	assert_int_equal(ike_cert_store_add_ca_path(cs, path), 0);
	assert_int_equal(ike_cert_store_add_ca_file(cs, path), 0);
	assert_int_equal(ike_cert_store_count(cs), 2);
	assert_int_equal(verify_in(cs, pki.ee_ec, pki.inter, NULL), IKE_CERT_OK);
	assert_int_equal(verify_in(cs, pki.ee_ec, NULL, NULL), IKE_CERT_UNTRUSTED);
	ike_cert_store_free(cs);

	/* A stray file in the CA directory is reported, not skipped. */
	cs = ike_cert_store_new();
	assert_non_null(cs);
	write_bytes("ca/README", "not a certificate\n", 18);
	path_of(path, sizeof(path), "ca");
	assert_int_equal(ike_cert_store_add_ca_path(cs, path), -EINVAL);
	assert_non_null(strstr(ike_cert_error(), "README"));
	assert_int_equal(ike_cert_store_add_ca_dir(cs, "/nonexistent"), -ENOENT);
	path_of(path, sizeof(path), "empty");
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(ike_cert_store_add_ca_dir(cs, path), -ENOENT);
	assert_non_null(strstr(ike_cert_error(), "no CA certificate"));
	assert_int_equal(ike_cert_store_count(cs), 0);
	assert_int_equal(ike_cert_store_add_ca_file(cs, "/nonexistent"), -ENOENT);
	ike_cert_store_free(cs);
}

/* Our CERT payloads, verified and used as a peer would. */
static void test_end_to_end(void **state)
{
	struct ike_local_cert *lc = local_rsa();
	struct ike_cert_store *cs = store_with(pki.root);
	const uint8_t octets[] = "RealMessage|Nonce|prf(SK_p, IDx')";
	struct ike_cert_der ee, inter;
	uint8_t auth[600], method = 0;
	size_t auth_len = sizeof(auth);
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	struct ike_id id;

	(void)state;
	assert_int_equal(ike_local_cert_der(lc, 0, &ee), 0);
	assert_int_equal(ike_local_cert_der(lc, 1, &inter), 0);
	assert_int_equal(ike_cert_verify_peer(cs, &ee, &inter, 1, &cert, &key), 0);
	assert_int_equal(ike_id_from_string("gw1.example.com", &id), 0);
	assert_true(ike_id_matches_cert(&id, cert));
	assert_int_equal(ike_auth_sign(ike_local_cert_key(lc), 0,
				       IKE_HASH_BIT(IKE_HASH_SHA2_256), octets,
				       sizeof(octets), &method, auth, &auth_len), 0);
	assert_int_equal(method, IKE_AUTH_DIGITAL_SIGNATURE);
	assert_int_equal(ike_auth_verify(key, method, auth, auth_len, octets,
					 sizeof(octets)), 0);
	X509_free(cert);
	EVP_PKEY_free(key);
	ike_local_cert_free(lc);
	ike_cert_store_free(cs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain_verifies),
		cmocka_unit_test(test_chain_fails),
		cmocka_unit_test(test_chain_malformed),
		cmocka_unit_test(test_id_matches_cert),
		cmocka_unit_test(test_id_from_string),
		cmocka_unit_test(test_id_format),
		cmocka_unit_test(test_id_equal),
		cmocka_unit_test(test_certreq),
		cmocka_unit_test(test_local_cert),
		cmocka_unit_test(test_certreq_names_chain),
		cmocka_unit_test_setup_teardown(test_load_local, make_tmpdir,
						remove_tmpdir),
		cmocka_unit_test_setup_teardown(test_load_anchors, make_tmpdir,
						remove_tmpdir),
		cmocka_unit_test(test_end_to_end),
	};

	return cmocka_run_group_tests(tests, make_pki, free_pki);
}
