/* SPDX-License-Identifier: GPL-2.0 */
/*
 * X.509 for IKEv2 certificate authentication (RFC 7296 2.15, 3.6-3.8):
 * our own certificate, chain and key for CERT payloads; the trust anchors
 * a peer's chain is verified against; identities (IDi/IDr) made from
 * config strings and matched against certificates; CERTREQ hashes.
 *
 * Functions that fail leave a sentence for the log in ike_cert_error().
 */
#ifndef SECTUN_IKED_CERT_H
#define SECTUN_IKED_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "types.h"

/* A CERTREQ names a CA by the SHA-1 of its SubjectPublicKeyInfo. */
#define IKE_CERTREQ_HASH_LEN	20

/* One DER certificate, as a CERT payload of encoding 4 carries it. */
struct ike_cert_der {
	const uint8_t *data;
	size_t len;
};

/* How a peer's certificate failed; the peer gets AUTHENTICATION_FAILED. */
enum ike_cert_verdict {
	IKE_CERT_OK = 0,
	IKE_CERT_MALFORMED,		/* not DER X.509 */
	IKE_CERT_UNTRUSTED,		/* no path to a trust anchor */
	IKE_CERT_EXPIRED,
	IKE_CERT_NOT_YET_VALID,
	IKE_CERT_BAD_SIGNATURE,
	IKE_CERT_BAD_KEY,		/* a key type AUTH cannot use */
	IKE_CERT_INVALID,		/* any other X.509 verification error */
};

struct ike_cert_store;		/* trust anchors */
struct ike_local_cert;		/* our certificate, intermediates and key */

/* Why the last failing call of this file failed (per thread). */
const char *ike_cert_error(void);
const char *ike_cert_verdict_str(enum ike_cert_verdict v);

/*
 * Trust anchors. Every CA added is an anchor, an intermediate too (as with
 * strongSwan's cacerts): a peer's chain may end at it without its root.
 * The add functions return 0 or -errno; adding a CA twice keeps one.
 */
struct ike_cert_store *ike_cert_store_new(void);
void ike_cert_store_free(struct ike_cert_store *store);
int ike_cert_store_add_ca(struct ike_cert_store *store, X509 *ca);
/* A PEM bundle (or one DER certificate). */
int ike_cert_store_add_ca_file(struct ike_cert_store *store, const char *path);
/* Every visible regular file of DIR, each a certificate; none is an error. */
int ike_cert_store_add_ca_dir(struct ike_cert_store *store, const char *dir);
/* A file or a directory, whichever PATH is (the config's "ca"). */
int ike_cert_store_add_ca_path(struct ike_cert_store *store, const char *path);
unsigned int ike_cert_store_count(const struct ike_cert_store *store);
/* Our CERTREQ's CA field: every anchor's hash; the length or -ENOSPC. */
int ike_cert_store_certreq(const struct ike_cert_store *store,
			   uint8_t *out, size_t cap);

/*
 * Verifies a peer's end-entity certificate (the first CERT payload) with
 * the further CERT payloads as untrusted intermediates. Returns IKE_CERT_OK
 * and, if asked, the certificate and its public key (the caller frees
 * both), a positive enum ike_cert_verdict, or -ENOMEM.
 */
int ike_cert_verify_peer(struct ike_cert_store *store,
			 const struct ike_cert_der *ee,
			 const struct ike_cert_der *chain, unsigned int n_chain,
			 X509 **cert_out, EVP_PKEY **key_out);

/*
 * Our credentials: a PEM or DER certificate, an optional PEM bundle of
 * intermediates and an unencrypted PEM (or DER) RSA or EC P-256/384/521
 * private key that must match the certificate. 0 or -errno.
 */
int ike_local_cert_load(const char *cert_path, const char *chain_path,
			const char *key_path, struct ike_local_cert **out);
/* The same from objects in memory; takes references of its own. */
int ike_local_cert_new(X509 *cert, STACK_OF(X509) *chain, EVP_PKEY *key,
		       struct ike_local_cert **out);
void ike_local_cert_free(struct ike_local_cert *lc);
EVP_PKEY *ike_local_cert_key(const struct ike_local_cert *lc);
X509 *ike_local_cert_x509(const struct ike_local_cert *lc);
/* CERT payloads to send: 1 + the intermediates; index 0 is ours. */
unsigned int ike_local_cert_count(const struct ike_local_cert *lc);
int ike_local_cert_der(const struct ike_local_cert *lc, unsigned int index,
		       struct ike_cert_der *der);
/*
 * Whether a peer's CERTREQ CA field names a CA of our chain: one of our
 * intermediates, or an anchor in STORE (may be NULL) that issued a
 * certificate of our chain. Sending CERT without being asked is allowed
 * (RFC 7296 3.6), so this only tells the caller the peer expects it.
 */
bool ike_local_cert_requested(const struct ike_local_cert *lc,
			      const struct ike_cert_store *store,
			      const uint8_t *certreq, size_t len);

/* SHA-1 of the DER SubjectPublicKeyInfo (RFC 7296 3.7); 0 or -EIO. */
int ike_cert_spki_sha1(X509 *cert, uint8_t out[IKE_CERTREQ_HASH_LEN]);

/* Identities. */
bool ike_id_matches_cert(const struct ike_id *id, X509 *cert);
bool ike_id_equal(const struct ike_id *a, const struct ike_id *b);
/* The certificate's subject as a DER_ASN1_DN identity; 0 or -errno. */
int ike_id_from_cert(X509 *cert, struct ike_id *id);
/*
 * strongSwan-like: "192.0.2.1", "2001:db8::1" (address), "@#0a1b" (key
 * ID), "C=US, O=Example, CN=gw1" (DN), "user@example.com" (RFC 822),
 * "@gw.example.com" or "gw.example.com" (FQDN). 0 or -EINVAL.
 */
int ike_id_from_string(const char *s, struct ike_id *id);
/* Back to that text, for logs and status; truncated to fit LEN. */
const char *ike_id_format(const struct ike_id *id, char *buf, size_t len);

#endif
