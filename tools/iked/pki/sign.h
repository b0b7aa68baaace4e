/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AUTH payload signatures (RFC 7296 2.15 and 3.8): RSA with SHA-1
 * (method 1), ECDSA with fixed-size r|s (RFC 4754, methods 9-11) and the
 * RFC 7427 Digital Signature method 14 with its AlgorithmIdentifier, plus
 * the SIGNATURE_HASH_ALGORITHMS notify that negotiates method 14.
 *
 * The caller builds the signed octets (RealMessage | Nonce |
 * prf(SK_p, RestOfIDPayload)); this file only signs and verifies them.
 */
#ifndef SECTUN_IKED_SIGN_H
#define SECTUN_IKED_SIGN_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>

/* Verification failed in a way the peer is told AUTHENTICATION_FAILED. */
#define IKE_AUTH_FAILED		(-EKEYREJECTED)

/* ike_auth_sign_flags(): with RSA keys, method 14 uses RSASSA-PSS. */
#define IKE_SIGN_RSA_PSS	0x1

/* A SIGNATURE_HASH_ALGORITHMS set: bit N is RFC 7427 hash ID N. */
#define IKE_HASH_BIT(id)	(1u << (id))

/* The longest AlgorithmIdentifier we send (RSASSA-PSS). */
#define IKE_AUTH_ALGID_MAX	67

enum ike_sig_scheme {
	IKE_SIG_RSA_PKCS1 = 1,		/* RSASSA-PKCS1-v1_5 */
	IKE_SIG_RSA_PSS,		/* MGF1 with the same hash, salt = hash */
	IKE_SIG_ECDSA,
};

/* Why the last failing call of this file failed (per thread). */
const char *ike_auth_error(void);

/*
 * Signs OCTETS with KEY. METHOD_PREF 0 picks: method 14 with the
 * strongest SHA-2 both sides have if the peer sent SIGNATURE_HASH_ALGORITHMS
 * (PEER_HASH_ALGS, IKE_HASH_BIT()s; 0 = not sent), else the key's classic
 * method (RSA 1, P-256 9, P-384 10, P-521 11). A non-zero METHOD_PREF
 * forces that method; 14 without a common hash uses SHA2-256. AUTH_LEN is
 * the capacity of AUTH_DATA in, the length written out.
 * 0, -EINVAL (key or method unusable), -ENOSPC or -EIO.
 */
int ike_auth_sign(EVP_PKEY *key, uint8_t method_pref, uint32_t peer_hash_algs,
		  const uint8_t *octets, size_t len, uint8_t *method_out,
		  uint8_t *auth_data, size_t *auth_len);
/* The same with IKE_SIGN_* flags. */
int ike_auth_sign_flags(EVP_PKEY *key, uint8_t method_pref,
			uint32_t peer_hash_algs, unsigned int flags,
			const uint8_t *octets, size_t len, uint8_t *method_out,
			uint8_t *auth_data, size_t *auth_len);

/*
 * Checks an AUTH payload's data against the peer's key. 0 when valid,
 * IKE_AUTH_FAILED when not (bad signature, malformed data, a method the
 * key cannot make, an algorithm we did not offer), -ENOMEM.
 */
int ike_auth_verify(EVP_PKEY *peer_key, uint8_t method,
		    const uint8_t *auth_data, size_t auth_len,
		    const uint8_t *octets, size_t len);

/*
 * IKEv1 SIG payloads (RFC 2409 5.1, RFC 4754 7): HASH_I or HASH_R signed
 * as it is, no digest taken over it: RSA with PKCS#1 type 1 padding and
 * no DigestInfo, ECDSA with it as the digest and r|s fixed-size. 0, or a
 * negative errno (IKE_AUTH_FAILED: the signature does not verify).
 */
int ike_sign_digest(EVP_PKEY *key, const uint8_t *digest, size_t len, uint8_t *out,
		    size_t *out_len);
int ike_verify_digest(EVP_PKEY *key, const uint8_t *digest, size_t len, const uint8_t *sig,
		      size_t sig_len);
/* KEY's IKEv1 authentication method: 3 (RSA), 9, 10, 11 (ECDSA P-256, P-384, P-521); 0. */
uint16_t ike_isakmp_auth_method(EVP_PKEY *key);

/* "ECDSA P-384 SHA-384", "digital signature": AUTH method names for status. */
const char *ike_auth_method_name(uint8_t method);
/* RSA, or EC on P-256, P-384 or P-521: the keys AUTH can use. */
bool ike_auth_key_usable(EVP_PKEY *key);
/* An AUTH_DATA capacity that fits any signature KEY makes. */
size_t ike_auth_max_len(EVP_PKEY *key);
/* The AlgorithmIdentifier DER we send for HASH (enum ike_hash_alg). */
int ike_auth_algid(uint8_t hash, enum ike_sig_scheme scheme,
		   const uint8_t **der, size_t *len);

/* Our SIGNATURE_HASH_ALGORITHMS data (SHA2-256, 384, 512): length or -ENOSPC. */
int ike_hash_algs_payload(uint8_t *out, size_t cap);
/* A peer's notify data into IKE_HASH_BIT()s (IDs above 31 are skipped). */
int ike_hash_algs_parse(const uint8_t *data, size_t len, uint32_t *mask);

#endif
