// SPDX-License-Identifier: GPL-2.0
/*
 * X.509 certificates for IKEv2: loading our credentials and the trust
 * anchors, verifying a peer's chain, matching identities against
 * certificates, and the CERTREQ hashes that name CAs.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "algs.h"
#include "pki/cert.h"
#include "ikev2/ikev2.h"
#include "ossl_err.h"
#include "parse.h"
#include "pki/sign.h"

/* Certificates and keys are small; anything bigger is not one. */
#define CERT_FILE_MAX	(1 << 20)

struct ike_cert_store {
	X509_STORE *store;
	STACK_OF(X509) *anchors;	/* what was added, for CERTREQ */
};

struct ike_local_cert {
	X509 *cert;
	STACK_OF(X509) *chain;
	EVP_PKEY *key;
	unsigned int n_der;
	struct ike_cert_blob {
		uint8_t *data;
		size_t len;
	} *der;				/* cert, then each of chain */
};

static __thread char cert_err[256];

const char *ike_cert_error(void)
{
	return cert_err;
}

static int __attribute__((format(printf, 2, 3)))
cert_fail(int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ret = ike_ossl_fail(cert_err, sizeof(cert_err), ret, fmt, ap);
	va_end(ap);
	return ret;
}


const char *ike_cert_verdict_str(enum ike_cert_verdict v)
{
	switch (v) {
	case IKE_CERT_OK:
		return "valid";
	case IKE_CERT_MALFORMED:
		return "malformed certificate";
	case IKE_CERT_UNTRUSTED:
		return "untrusted (no path to a trusted CA)";
	case IKE_CERT_EXPIRED:
		return "expired";
	case IKE_CERT_NOT_YET_VALID:
		return "not yet valid";
	case IKE_CERT_BAD_SIGNATURE:
		return "bad signature";
	case IKE_CERT_BAD_KEY:
		return "unsupported public key";
	case IKE_CERT_INVALID:
		break;
	}
	return "invalid";
}

/* ---- Files ---- */

/* The whole of PATH, for the caller to OPENSSL_free(). */
static int read_file(const char *path, uint8_t **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	struct stat st;
	size_t size;
	int ret;

	if (!f)
		return cert_fail(-errno, "%s: %s", path, strerror(errno));
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
		ret = cert_fail(-EINVAL, "%s: not a regular file", path);
		goto out;
	}
	if (st.st_size > CERT_FILE_MAX) {
		ret = cert_fail(-EFBIG, "%s: too big for a certificate or key", path);
		goto out;
	}
	size = (size_t)st.st_size;
	data = OPENSSL_malloc(size ? size : 1);
	if (!data) {
		ret = cert_fail(-ENOMEM, "%s: out of memory", path);
		goto out;
	}
	if (fread(data, 1, size, f) != size) {
		OPENSSL_free(data);
		ret = cert_fail(-EIO, "%s: read error", path);
		goto out;
	}
	*buf = data;
	*len = size;
	ret = 0;
out:
	fclose(f);
	return ret;
}

static bool is_pem(const uint8_t *buf, size_t len)
{
	return memmem(buf, len, "-----BEGIN ", 11) != NULL;
}

/* Appends every certificate of a PEM bundle to OUT; the count or -errno. */
static int pem_certs(const char *path, const uint8_t *buf, size_t len,
		     STACK_OF(X509) *out)
{
	BIO *bio = BIO_new_mem_buf(buf, (int)len);
	unsigned long e;
	X509 *x;
	int n = 0;

	if (!bio)
		return cert_fail(-ENOMEM, "%s: out of memory", path);
	ERR_clear_error();
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
		if (!sk_X509_push(out, x)) {
			X509_free(x);
			BIO_free(bio);
			return cert_fail(-ENOMEM, "%s: out of memory", path);
		}
		n++;
	}
	BIO_free(bio);
	/* The loop ends on "no start line" at the end; anything else is bad. */
	e = ERR_peek_last_error();
	if (ERR_GET_LIB(e) != ERR_LIB_PEM || ERR_GET_REASON(e) != PEM_R_NO_START_LINE)
		return cert_fail(-EINVAL, "%s: bad PEM certificate: %s", path,
				 ike_ossl_reason());
	ERR_clear_error();
	if (!n)
		return cert_fail(-EINVAL, "%s: no certificate in it", path);
	return n;
}

/* Every certificate in PATH (a PEM bundle or one DER certificate) to OUT. */
static int read_certs(const char *path, STACK_OF(X509) *out)
{
	const unsigned char *p;
	uint8_t *buf;
	size_t len;
	X509 *x;
	int ret;

	ret = read_file(path, &buf, &len);
	if (ret)
		return ret;
	if (is_pem(buf, len)) {
		ret = pem_certs(path, buf, len, out);
		goto out;
	}
	p = buf;
	x = d2i_X509(NULL, &p, (long)len);
	if (!x || p != buf + len) {
		X509_free(x);
		ret = cert_fail(-EINVAL, "%s: neither PEM nor a DER certificate",
				path);
	} else if (!sk_X509_push(out, x)) {
		X509_free(x);
		ret = cert_fail(-ENOMEM, "%s: out of memory", path);
	} else {
		ret = 1;
	}
out:
	OPENSSL_free(buf);
	return ret;
}

/* Encrypted keys would make OpenSSL prompt on the terminal: refuse them. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

static int read_key(const char *path, EVP_PKEY **out)
{
	EVP_PKEY *key = NULL;
	const unsigned char *p;
	uint8_t *buf;
	size_t len;
	BIO *bio;
	int ret;

	ret = read_file(path, &buf, &len);
	if (ret)
		return ret;
	if (is_pem(buf, len)) {
		bio = BIO_new_mem_buf(buf, (int)len);
		if (bio)
			key = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
		BIO_free(bio);
	} else {
		p = buf;
		key = d2i_AutoPrivateKey(NULL, &p, (long)len);
	}
	/* Key material does not stay behind in freed memory. */
	OPENSSL_clear_free(buf, len);
	if (!key)
		return cert_fail(-EINVAL, "%s: no private key (encrypted keys are "
				 "not supported): %s", path, ike_ossl_reason());
	if (!ike_auth_key_usable(key)) {
		EVP_PKEY_free(key);
		return cert_fail(-EINVAL, "%s: not an RSA or EC P-256/384/521 key",
				 path);
	}
	*out = key;
	return 0;
}

/* ---- Trust anchors ---- */

struct ike_cert_store *ike_cert_store_new(void)
{
	struct ike_cert_store *cs = calloc(1, sizeof(*cs));

	if (!cs)
		return NULL;
	cs->store = X509_STORE_new();
	cs->anchors = sk_X509_new_null();
	if (!cs->store || !cs->anchors) {
		ike_cert_store_free(cs);
		return NULL;
	}
	/*
	 * Every configured CA is an anchor, intermediates too (as strongSwan
	 * treats its cacerts): a chain may end at one without its root.
	 */
	X509_STORE_set_flags(cs->store, X509_V_FLAG_PARTIAL_CHAIN);
	return cs;
}

void ike_cert_store_free(struct ike_cert_store *cs)
{
	if (!cs)
		return;
	X509_STORE_free(cs->store);
	sk_X509_pop_free(cs->anchors, X509_free);
	free(cs);
}

static bool have_anchor(const struct ike_cert_store *cs, X509 *ca)
{
	int i;

	for (i = 0; i < sk_X509_num(cs->anchors); i++)
		if (!X509_cmp(sk_X509_value(cs->anchors, i), ca))
			return true;
	return false;
}

int ike_cert_store_add_ca(struct ike_cert_store *cs, X509 *ca)
{
	if (have_anchor(cs, ca))
		return 0;	/* twice in the config is not an error */
	if (!X509_STORE_add_cert(cs->store, ca))
		return cert_fail(-ENOMEM, "cannot add a CA: %s", ike_ossl_reason());
	if (!X509_up_ref(ca))
		return cert_fail(-ENOMEM, "out of memory");
	if (!sk_X509_push(cs->anchors, ca)) {
		X509_free(ca);
		return cert_fail(-ENOMEM, "out of memory");
	}
	return 0;
}

static int add_all(struct ike_cert_store *cs, STACK_OF(X509) *certs)
{
	int i, ret;

	for (i = 0; i < sk_X509_num(certs); i++) {
		ret = ike_cert_store_add_ca(cs, sk_X509_value(certs, i));
		if (ret)
			return ret;
	}
	return 0;
}

int ike_cert_store_add_ca_file(struct ike_cert_store *cs, const char *path)
{
	STACK_OF(X509) *certs = sk_X509_new_null();
	int ret;

	if (!certs)
		return cert_fail(-ENOMEM, "out of memory");
	ret = read_certs(path, certs);
	if (ret > 0)
		ret = add_all(cs, certs);
	sk_X509_pop_free(certs, X509_free);
	return ret;
}

static int visible(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/*
 * Every visible regular file of DIR must be a certificate (PEM or DER):
 * a stray file is reported rather than skipped, so a typo cannot quietly
 * drop a CA. Files are read in name order, which CERTREQ keeps.
 */
int ike_cert_store_add_ca_dir(struct ike_cert_store *cs, const char *dir)
{
	struct dirent **names;
	char path[PATH_MAX];
	struct stat st;
	int i, n, ret = 0, files = 0;

	n = scandir(dir, &names, visible, alphasort);
	if (n < 0)
		return cert_fail(-errno, "%s: %s", dir, strerror(errno));
	for (i = 0; i < n; i++) {
		if (ret < 0)
			goto next;
		if (snprintf(path, sizeof(path), "%s/%s", dir,
			     names[i]->d_name) >= (int)sizeof(path)) {
			ret = cert_fail(-ENAMETOOLONG, "%s: name too long", dir);
			goto next;
		}
		if (stat(path, &st) || !S_ISREG(st.st_mode))
			goto next;
		ret = ike_cert_store_add_ca_file(cs, path);
		files++;
next:
		free(names[i]);
	}
	free(names);
	if (!ret && !files)
		ret = cert_fail(-ENOENT, "%s: no CA certificate in it", dir);
	return ret;
}

int ike_cert_store_add_ca_path(struct ike_cert_store *cs, const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return cert_fail(-errno, "%s: %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return ike_cert_store_add_ca_dir(cs, path);
	return ike_cert_store_add_ca_file(cs, path);
}

unsigned int ike_cert_store_count(const struct ike_cert_store *cs)
{
	return (unsigned int)sk_X509_num(cs->anchors);
}

int ike_cert_spki_sha1(X509 *cert, uint8_t out[IKE_CERTREQ_HASH_LEN])
{
	unsigned char *der = NULL;
	unsigned int md_len = 0;
	int len, ok;

	/* The whole SubjectPublicKeyInfo, not X509_pubkey_digest()'s BIT STRING. */
	len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);
	if (len <= 0)
		return cert_fail(-EIO, "cannot encode a public key");
	ok = EVP_Digest(der, (size_t)len, out, &md_len, EVP_sha1(), NULL);
	OPENSSL_free(der);
	if (!ok || md_len != IKE_CERTREQ_HASH_LEN)
		return cert_fail(-EIO, "cannot hash a public key: %s", ike_ossl_reason());
	return 0;
}

int ike_cert_store_certreq(const struct ike_cert_store *cs, uint8_t *out,
			   size_t cap)
{
	int i, n = sk_X509_num(cs->anchors);

	if ((size_t)n * IKE_CERTREQ_HASH_LEN > cap)
		return -ENOSPC;
	for (i = 0; i < n; i++)
		if (ike_cert_spki_sha1(sk_X509_value(cs->anchors, i),
				       out + i * IKE_CERTREQ_HASH_LEN))
			return -EIO;
	return n * IKE_CERTREQ_HASH_LEN;
}

/* ---- Peer verification ---- */

/* NAME as "C=US, O=Example, CN=gw1", RFC 4514 escapes, truncated to LEN. */
static const char *name_text(const X509_NAME *name, char *buf, size_t len)
{
	const unsigned long flags = XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_FN_SN |
				    ASN1_STRFLGS_ESC_2253 | ASN1_STRFLGS_ESC_CTRL |
				    ASN1_STRFLGS_UTF8_CONVERT;
	BIO *bio = BIO_new(BIO_s_mem());
	int n = 0;

	if (bio && X509_NAME_print_ex(bio, name, 0, flags) >= 0) {
		if (BIO_pending(bio))
			n = BIO_read(bio, buf, (int)(len - 1));
		buf[n > 0 ? n : 0] = 0;
	} else {
		snprintf(buf, len, "(malformed DN)");
	}
	BIO_free(bio);
	ERR_clear_error();
	return buf;
}

static X509 *x509_from_der(const struct ike_cert_der *der)
{
	const unsigned char *p = der->data;
	X509 *x;

	if (!der->data || !der->len || der->len > INT_MAX)
		return NULL;
	x = d2i_X509(NULL, &p, (long)der->len);
	if (x && p != der->data + der->len) {
		X509_free(x);
		x = NULL;
	}
	return x;
}

static enum ike_cert_verdict verdict_of(int x509_error)
{
	switch (x509_error) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
		return IKE_CERT_EXPIRED;
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return IKE_CERT_NOT_YET_VALID;
	case X509_V_ERR_CERT_SIGNATURE_FAILURE:
	case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
	case X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
		return IKE_CERT_BAD_SIGNATURE;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_CERT_UNTRUSTED:
		return IKE_CERT_UNTRUSTED;
	}
	return IKE_CERT_INVALID;
}

/* Runs X509_verify_cert(); the verdict, with the details in cert_err. */
static int verify_chain(X509_STORE *store, X509 *cert, STACK_OF(X509) *untrusted)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	enum ike_cert_verdict v;
	char subject[128] = "?";
	X509 *bad;
	int err;

	if (!ctx || !X509_STORE_CTX_init(ctx, store, cert, untrusted)) {
		X509_STORE_CTX_free(ctx);
		return cert_fail(-ENOMEM, "out of memory");
	}
	if (X509_verify_cert(ctx) == 1) {
		X509_STORE_CTX_free(ctx);
		return IKE_CERT_OK;
	}
	err = X509_STORE_CTX_get_error(ctx);
	bad = X509_STORE_CTX_get_current_cert(ctx);
	if (bad)
		name_text(X509_get_subject_name(bad), subject, sizeof(subject));
	v = verdict_of(err);
	cert_fail(v, "%s: %s at depth %d (%s)",
		  ike_cert_verdict_str(v), X509_verify_cert_error_string(err),
		  X509_STORE_CTX_get_error_depth(ctx), subject);
	X509_STORE_CTX_free(ctx);
	return v;
}

/* The intermediates as OpenSSL objects; a verdict or -ENOMEM. */
static int untrusted_stack(const struct ike_cert_der *chain, unsigned int n,
			   STACK_OF(X509) **out)
{
	STACK_OF(X509) *sk = sk_X509_new_null();
	unsigned int i;
	X509 *x;

	if (!sk)
		return cert_fail(-ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		x = x509_from_der(&chain[i]);
		if (!x) {
			sk_X509_pop_free(sk, X509_free);
			return cert_fail(IKE_CERT_MALFORMED,
					 "intermediate %u is not DER X.509", i + 1);
		}
		if (!sk_X509_push(sk, x)) {
			X509_free(x);
			sk_X509_pop_free(sk, X509_free);
			return cert_fail(-ENOMEM, "out of memory");
		}
	}
	*out = sk;
	return IKE_CERT_OK;
}

int ike_cert_verify_peer(struct ike_cert_store *cs,
			 const struct ike_cert_der *ee,
			 const struct ike_cert_der *chain, unsigned int n_chain,
			 X509 **cert_out, EVP_PKEY **key_out)
{
	STACK_OF(X509) *untrusted = NULL;
	EVP_PKEY *key = NULL;
	X509 *cert;
	int ret;

	if (!cs)
		return cert_fail(IKE_CERT_UNTRUSTED, "no trusted CA configured");
	cert = x509_from_der(ee);
	if (!cert)
		return cert_fail(IKE_CERT_MALFORMED, "not DER X.509");
	ret = untrusted_stack(chain, n_chain, &untrusted);
	if (ret)
		goto out;
	ret = verify_chain(cs->store, cert, untrusted);
	if (ret)
		goto out;
	key = X509_get_pubkey(cert);
	if (!ike_auth_key_usable(key)) {
		ret = cert_fail(IKE_CERT_BAD_KEY,
				"key is neither RSA nor EC P-256/384/521");
		goto out;
	}
	if (key_out) {
		*key_out = key;
		key = NULL;
	}
	if (cert_out) {
		*cert_out = cert;
		cert = NULL;
	}
out:
	EVP_PKEY_free(key);
	X509_free(cert);
	sk_X509_pop_free(untrusted, X509_free);
	return ret;
}

/* ---- Our credentials ---- */

static int add_der(struct ike_local_cert *lc, X509 *x)
{
	struct ike_cert_blob *b = &lc->der[lc->n_der];
	unsigned char *der = NULL;
	int len = i2d_X509(x, &der);

	if (len <= 0)
		return cert_fail(-ENOMEM, "cannot encode a certificate");
	b->data = der;
	b->len = (size_t)len;
	lc->n_der++;
	return 0;
}

int ike_local_cert_new(X509 *cert, STACK_OF(X509) *chain, EVP_PKEY *key,
		       struct ike_local_cert **out)
{
	int i, n_chain = chain ? sk_X509_num(chain) : 0;
	struct ike_local_cert *lc;
	int ret = -ENOMEM;

	if (!ike_auth_key_usable(key))
		return cert_fail(-EINVAL, "not an RSA or EC P-256/384/521 key");
	if (X509_check_private_key(cert, key) != 1)
		return cert_fail(-EINVAL, "the private key does not match the "
				 "certificate");
	lc = calloc(1, sizeof(*lc));
	if (!lc)
		return cert_fail(-ENOMEM, "out of memory");
	lc->der = calloc((size_t)n_chain + 1, sizeof(*lc->der));
	lc->chain = chain ? X509_chain_up_ref(chain) : sk_X509_new_null();
	if (!lc->der || !lc->chain || !X509_up_ref(cert))
		goto fail;
	lc->cert = cert;
	if (!EVP_PKEY_up_ref(key))
		goto fail;
	lc->key = key;
	ret = add_der(lc, cert);
	for (i = 0; !ret && i < n_chain; i++)
		ret = add_der(lc, sk_X509_value(chain, i));
	if (ret)
		goto fail;
	*out = lc;
	return 0;
fail:
	ike_local_cert_free(lc);
	return ret == -ENOMEM ? cert_fail(ret, "out of memory") : ret;
}

void ike_local_cert_free(struct ike_local_cert *lc)
{
	unsigned int i;

	if (!lc)
		return;
	for (i = 0; lc->der && i < lc->n_der; i++)
		OPENSSL_free(lc->der[i].data);
	free(lc->der);
	X509_free(lc->cert);
	sk_X509_pop_free(lc->chain, X509_free);
	EVP_PKEY_free(lc->key);
	free(lc);
}

/* A PEM file may hold the chain after our certificate: move it to CHAIN. */
static int split_chain(STACK_OF(X509) *certs, STACK_OF(X509) *chain)
{
	X509 *x;

	while (sk_X509_num(certs) > 1) {
		x = sk_X509_pop(certs);
		if (!sk_X509_unshift(chain, x)) {
			X509_free(x);
			return cert_fail(-ENOMEM, "out of memory");
		}
	}
	return 0;
}

int ike_local_cert_load(const char *cert_path, const char *chain_path,
			const char *key_path, struct ike_local_cert **out)
{
	STACK_OF(X509) *certs = sk_X509_new_null();
	STACK_OF(X509) *chain = sk_X509_new_null();
	EVP_PKEY *key = NULL;
	int ret;

	if (!certs || !chain) {
		ret = cert_fail(-ENOMEM, "out of memory");
		goto out;
	}
	ret = read_certs(cert_path, certs);
	if (ret < 0)
		goto out;
	ret = split_chain(certs, chain);
	if (ret)
		goto out;
	if (chain_path) {
		ret = read_certs(chain_path, chain);
		if (ret < 0)
			goto out;
	}
	ret = read_key(key_path, &key);
	if (ret)
		goto out;
	ret = ike_local_cert_new(sk_X509_value(certs, 0), chain, key, out);
	if (ret) {
		char why[sizeof(cert_err)];

		snprintf(why, sizeof(why), "%s", ike_cert_error());
		cert_fail(ret, "%s and %s: %s", cert_path, key_path, why);
	}
out:
	EVP_PKEY_free(key);
	sk_X509_pop_free(certs, X509_free);
	sk_X509_pop_free(chain, X509_free);
	return ret;
}

EVP_PKEY *ike_local_cert_key(const struct ike_local_cert *lc)
{
	return lc->key;
}

X509 *ike_local_cert_x509(const struct ike_local_cert *lc)
{
	return lc->cert;
}

unsigned int ike_local_cert_count(const struct ike_local_cert *lc)
{
	return lc->n_der;
}

int ike_local_cert_der(const struct ike_local_cert *lc, unsigned int index,
		       struct ike_cert_der *der)
{
	if (index >= lc->n_der)
		return -ENOENT;
	der->data = lc->der[index].data;
	der->len = lc->der[index].len;
	return 0;
}

static bool certreq_names(const uint8_t *certreq, size_t len, X509 *ca)
{
	uint8_t hash[IKE_CERTREQ_HASH_LEN];
	size_t off;

	if (ike_cert_spki_sha1(ca, hash))
		return false;
	for (off = 0; off + IKE_CERTREQ_HASH_LEN <= len; off += IKE_CERTREQ_HASH_LEN)
		if (!memcmp(certreq + off, hash, IKE_CERTREQ_HASH_LEN))
			return true;
	return false;
}

/* Whether ANCHOR issued our certificate or one of our intermediates. */
static bool issued_ours(const struct ike_local_cert *lc, X509 *anchor)
{
	int i;

	if (X509_check_issued(anchor, lc->cert) == X509_V_OK)
		return true;
	for (i = 0; i < sk_X509_num(lc->chain); i++)
		if (X509_check_issued(anchor, sk_X509_value(lc->chain, i)) ==
		    X509_V_OK)
			return true;
	return false;
}

bool ike_local_cert_requested(const struct ike_local_cert *lc,
			      const struct ike_cert_store *cs,
			      const uint8_t *certreq, size_t len)
{
	X509 *ca;
	int i;

	if (!len || len % IKE_CERTREQ_HASH_LEN)
		return false;
	for (i = 0; i < sk_X509_num(lc->chain); i++)
		if (certreq_names(certreq, len, sk_X509_value(lc->chain, i)))
			return true;
	for (i = 0; cs && i < sk_X509_num(cs->anchors); i++) {
		ca = sk_X509_value(cs->anchors, i);
		if (issued_ours(lc, ca) && certreq_names(certreq, len, ca))
			return true;
	}
	return false;
}

/* ---- Identities against certificates ---- */

static bool mem_case_eq(const uint8_t *a, const uint8_t *b, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (tolower(a[i]) != tolower(b[i]))
			return false;
	return true;
}

/* user@domain: the local part exactly, the domain in any case. */
static bool rfc822_eq(const uint8_t *a, size_t a_len, const uint8_t *b,
		      size_t b_len)
{
	const uint8_t *at = memrchr(a, '@', a_len);
	size_t local = at ? (size_t)(at - a) : 0;

	if (a_len != b_len || memcmp(a, b, local))
		return false;
	return mem_case_eq(a + local, b + local, a_len - local);
}

static bool san_matches(const struct ike_id *id, const GENERAL_NAME *gn)
{
	const ASN1_STRING *s;
	size_t len;

	switch (id->type) {
	case IKE_ID_IPV4_ADDR:
	case IKE_ID_IPV6_ADDR:
		if (gn->type != GEN_IPADD)
			return false;
		s = gn->d.iPAddress;
		break;
	case IKE_ID_FQDN:
		if (gn->type != GEN_DNS)
			return false;
		s = gn->d.dNSName;
		break;
	case IKE_ID_RFC822_ADDR:
		if (gn->type != GEN_EMAIL)
			return false;
		s = gn->d.rfc822Name;
		break;
	default:
		return false;
	}
	len = (size_t)ASN1_STRING_length(s);
	if (len != id->len)
		return false;
	if (id->type == IKE_ID_FQDN)
		return mem_case_eq(ASN1_STRING_get0_data(s), id->data, len);
	if (id->type == IKE_ID_RFC822_ADDR)
		return rfc822_eq(ASN1_STRING_get0_data(s), len, id->data, len);
	return !memcmp(ASN1_STRING_get0_data(s), id->data, len);
}

static bool gn_matches(const struct ike_id *id, const GENERAL_NAME *gn)
{
	const unsigned char *p = id->data;
	GENERAL_NAME *want = d2i_GENERAL_NAME(NULL, &p, id->len);
	bool eq;

	eq = want && p == id->data + id->len &&
	     !GENERAL_NAME_cmp(want, (GENERAL_NAME *)gn);
	GENERAL_NAME_free(want);
	return eq;
}

static X509_NAME *id_dn(const struct ike_id *id)
{
	const unsigned char *p = id->data;
	X509_NAME *name = d2i_X509_NAME(NULL, &p, id->len);

	if (name && p != id->data + id->len) {
		X509_NAME_free(name);
		name = NULL;
	}
	return name;
}

static bool subject_matches(const struct ike_id *id, X509 *cert)
{
	X509_NAME *name = id_dn(id);
	bool eq;

	eq = name && !X509_NAME_cmp(name, X509_get_subject_name(cert));
	X509_NAME_free(name);
	return eq;
}

bool ike_id_matches_cert(const struct ike_id *id, X509 *cert)
{
	GENERAL_NAMES *sans;
	GENERAL_NAME *gn;
	bool found = false;
	int i;

	if (!id->len || id->len > IKE_MAX_ID_LEN)
		return false;
	if ((id->type == IKE_ID_IPV4_ADDR && id->len != 4) ||
	    (id->type == IKE_ID_IPV6_ADDR && id->len != 16))
		return false;
	if (id->type == IKE_ID_DER_ASN1_DN)
		return subject_matches(id, cert);
	/* A key ID names no certificate: nothing in one can prove it. */
	if (id->type == IKE_ID_KEY_ID)
		return false;
	sans = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	for (i = 0; !found && i < sk_GENERAL_NAME_num(sans); i++) {
		gn = sk_GENERAL_NAME_value(sans, i);
		found = id->type == IKE_ID_DER_ASN1_GN ? gn_matches(id, gn) :
							 san_matches(id, gn);
	}
	GENERAL_NAMES_free(sans);
	ERR_clear_error();
	return found;
}

bool ike_id_equal(const struct ike_id *a, const struct ike_id *b)
{
	X509_NAME *na, *nb;
	bool eq;

	if (a->type != b->type || a->len > IKE_MAX_ID_LEN || b->len > IKE_MAX_ID_LEN)
		return false;
	switch (a->type) {
	case IKE_ID_FQDN:
		return a->len == b->len && mem_case_eq(a->data, b->data, a->len);
	case IKE_ID_RFC822_ADDR:
		return rfc822_eq(a->data, a->len, b->data, b->len);
	case IKE_ID_DER_ASN1_DN:
		/* PrintableString and UTF8String of the same text are equal. */
		na = id_dn(a);
		nb = id_dn(b);
		eq = na && nb && !X509_NAME_cmp(na, nb);
		X509_NAME_free(na);
		X509_NAME_free(nb);
		return eq;
	}
	return a->len == b->len && !memcmp(a->data, b->data, a->len);
}

int ike_id_from_cert(X509 *cert, struct ike_id *id)
{
	unsigned char *p = id->data;
	int len = i2d_X509_NAME(X509_get_subject_name(cert), NULL);

	if (len <= 0 || len > IKE_MAX_ID_LEN)
		return cert_fail(-EINVAL, "certificate subject unusable as an ID");
	i2d_X509_NAME(X509_get_subject_name(cert), &p);
	id->type = IKE_ID_DER_ASN1_DN;
	id->len = (uint16_t)len;
	return 0;
}

/* ---- Identities from and to text ---- */

/*
 * Attribute names in any case, plus strongSwan's E, Email, S, G, T; then
 * whatever OpenSSL knows (long names, dotted OIDs). SN stays OpenSSL's
 * surname, not strongSwan's serialNumber, so that what ike_id_format()
 * prints reads back the same.
 */
static int dn_attr_nid(const char *key)
{
	static const struct {
		const char *name;
		int nid;
	} aliases[] = {
		{ "C", NID_countryName },
		{ "ST", NID_stateOrProvinceName },
		{ "L", NID_localityName },
		{ "O", NID_organizationName },
		{ "OU", NID_organizationalUnitName },
		{ "CN", NID_commonName },
		{ "DC", NID_domainComponent },
		{ "E", NID_pkcs9_emailAddress },
		{ "Email", NID_pkcs9_emailAddress },
		{ "S", NID_surname },
		{ "G", NID_givenName },
		{ "T", NID_title },
		{ "UID", NID_userId },
	};
	size_t i;

	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (!strcasecmp(key, aliases[i].name))
			return aliases[i].nid;
	return OBJ_txt2nid(key);
}

static const char *skip_space(const char *s)
{
	while (*s == ' ')
		s++;
	return s;
}

/*
 * One "KEY=value" RDN of S into NAME; returns the text after it, or NULL.
 * A backslash escapes the next character (RFC 4514), which is how
 * ike_id_format() writes ',', '+' and the like inside values.
 */
static const char *dn_add_rdn(X509_NAME *name, const char *s)
{
	char key[64], value[256];
	size_t k = 0, v = 0, keep = 0;
	int nid;

	s = skip_space(s);
	while (*s && *s != '=' && k < sizeof(key) - 1)
		key[k++] = *s++;
	while (k && key[k - 1] == ' ')
		k--;
	key[k] = 0;
	if (*s++ != '=' || !k)
		return NULL;
	s = skip_space(s);
	for (; *s && *s != ','; s++) {
		if (v >= sizeof(value) - 1)
			return NULL;
		if (*s == '\\' && s[1]) {
			value[v++] = *++s;
			keep = v;
			continue;
		}
		value[v++] = *s;
		if (*s != ' ')
			keep = v;
	}
	/* Trailing spaces go, unless escaped. */
	v = keep;
	nid = dn_attr_nid(key);
	if (nid == NID_undef || !v ||
	    !X509_NAME_add_entry_by_NID(name, nid, MBSTRING_UTF8,
					(unsigned char *)value, (int)v, -1, 0))
		return NULL;
	return *s == ',' ? s + 1 : s;
}

static int dn_from_string(const char *s, struct ike_id *id)
{
	X509_NAME *name = X509_NAME_new();
	unsigned char *p = id->data;
	int len, ret = -EINVAL;

	if (!name)
		return -ENOMEM;
	while (s && *skip_space(s))
		s = dn_add_rdn(name, s);
	if (!s)
		goto out;
	len = i2d_X509_NAME(name, NULL);
	if (len <= 0 || len > IKE_MAX_ID_LEN)
		goto out;
	i2d_X509_NAME(name, &p);
	id->type = IKE_ID_DER_ASN1_DN;
	id->len = (uint16_t)len;
	ret = 0;
out:
	X509_NAME_free(name);
	ERR_clear_error();
	return ret;
}

static int text_id(uint8_t type, const char *s, struct ike_id *id)
{
	size_t len = strlen(s);

	if (!len || len > IKE_MAX_ID_LEN)
		return -EINVAL;
	id->type = type;
	id->len = (uint16_t)len;
	memcpy(id->data, s, len);
	return 0;
}

int ike_id_from_string(const char *s, struct ike_id *id)
{
	struct ike_id tmp = { 0 };
	const char *at;
	int n, ret;

	if (!s || !*s || *s == '%')
		return -EINVAL;
	if (!strncmp(s, "@#", 2)) {
		n = parse_hex(s + 2, tmp.data, IKE_MAX_ID_LEN);
		if (n <= 0)
			return -EINVAL;
		tmp.type = IKE_ID_KEY_ID;
		tmp.len = (uint16_t)n;
		ret = 0;
	} else if (strchr(s, '=')) {
		ret = dn_from_string(s, &tmp);
	} else if (inet_pton(AF_INET, s, tmp.data) == 1) {
		tmp.type = IKE_ID_IPV4_ADDR;
		tmp.len = 4;
		ret = 0;
	} else if (inet_pton(AF_INET6, s, tmp.data) == 1) {
		tmp.type = IKE_ID_IPV6_ADDR;
		tmp.len = 16;
		ret = 0;
	} else if (*s == '@') {
		ret = text_id(IKE_ID_FQDN, s + 1, &tmp);
	} else {
		at = strchr(s, '@');
		ret = text_id(at ? IKE_ID_RFC822_ADDR : IKE_ID_FQDN, s, &tmp);
	}
	if (ret)
		return ret;
	*id = tmp;
	return 0;
}

static const char *prefixed_hex(const char *prefix, const uint8_t *data,
				size_t n, char *buf, size_t len)
{
	size_t used = (size_t)snprintf(buf, len, "%s", prefix);

	if (used < len)
		format_hex(data, n, buf + used, len - used);
	return buf;
}

/* Text IDs as they are, but nothing unprintable reaches a log line. */
static const char *format_text(const uint8_t *data, size_t n, char *buf,
			       size_t len)
{
	size_t i;

	for (i = 0; i < n && i + 1 < len; i++)
		buf[i] = isprint(data[i]) ? (char)data[i] : '?';
	buf[i] = 0;
	return buf;
}

static const char *format_dn(const struct ike_id *id, char *buf, size_t len)
{
	X509_NAME *name = id_dn(id);

	if (name)
		name_text(name, buf, len);
	else
		snprintf(buf, len, "(malformed DN)");
	X509_NAME_free(name);
	ERR_clear_error();
	return buf;
}

const char *ike_id_format(const struct ike_id *id, char *buf, size_t len)
{
	if (!len)
		return buf;
	if (id->len > IKE_MAX_ID_LEN) {
		snprintf(buf, len, "(malformed ID)");
		return buf;
	}
	switch (id->type) {
	case IKE_ID_IPV4_ADDR:
	case IKE_ID_IPV6_ADDR:
		if (id->len != (id->type == IKE_ID_IPV4_ADDR ? 4 : 16) ||
		    !inet_ntop(id->type == IKE_ID_IPV4_ADDR ? AF_INET : AF_INET6,
			       id->data, buf, (socklen_t)len))
			snprintf(buf, len, "(malformed address)");
		return buf;
	case IKE_ID_FQDN:
	case IKE_ID_RFC822_ADDR:
		return format_text(id->data, id->len, buf, len);
	case IKE_ID_KEY_ID:
		return prefixed_hex("@#", id->data, id->len, buf, len);
	case IKE_ID_DER_ASN1_DN:
		return format_dn(id, buf, len);
	}
	return prefixed_hex("#", id->data, id->len, buf, len);
}
