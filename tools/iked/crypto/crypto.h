/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's crypto layer, over OpenSSL 3 libcrypto: prf and prf+, the
 * IKE and child SA key derivations (RFC 7296 2.13-2.18), Diffie-Hellman
 * (MODP, ECP, Curve25519), and the SK/SKF payload's protection (RFC 7296
 * 3.14, RFC 5282 AES-GCM, RFC 7634 ChaCha20-Poly1305).
 *
 * Functions returning int give 0 (or a length) on success and a negative
 * errno on failure: -ENOTSUP for an algorithm this layer does not run,
 * -EINVAL for bad lengths or malformed input, -EBADMSG for an integrity
 * check that failed, -ENOMEM, -EIO when libcrypto itself fails.
 */
#ifndef SECTUN_IKED_CRYPTO_H
#define SECTUN_IKED_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "types.h"

#define IKE_PRF_MAX_LEN		64	/* HMAC-SHA2-512 */
#define IKE_INTEG_MAX_KEY_LEN	64
#define IKE_ENCR_MAX_KEY_LEN	36	/* 256-bit key and a 4-byte salt */
#define IKE_SK_MAX_IV_LEN	16
#define IKE_SK_MAX_ICV_LEN	32
#define IKE_DH_MAX_PUBLIC_LEN	1024	/* MODP 8192 */
#define IKE_DH_MAX_SHARED_LEN	1024
#define IKE_PRF_PLUS_MAX_ROUNDS	255	/* the counter is one octet */

/* ---- prf.c: prf, prf+ and the key derivations ---- */

/* Output bytes of an IKEv2 PRF (HMAC-MD5/SHA1/SHA2-256/384/512); 0 = unknown. */
size_t ike_prf_len(uint16_t prf);

/* prf(key, data) into @out (ike_prf_len() bytes): that length, or < 0. */
int ike_prf(uint16_t prf, const uint8_t *key, size_t klen,
	    const uint8_t *data, size_t dlen, uint8_t *out);

/* One piece of an input that is the concatenation of several. */
struct ike_piece {
	const uint8_t *p;
	size_t len;
};

/* prf(key, pieces[0] | pieces[1] | ...): ike_prf_len() bytes, or < 0. */
int ike_prf_pieces(uint16_t prf, const uint8_t *key, size_t klen,
		   const struct ike_piece *pieces, size_t n, uint8_t *out);
/*
 * The PRF's hash alone (no HMAC) over the pieces, as IKEv1's IVs need
 * (RFC 2409 Appendix B): ike_prf_len() bytes, or < 0.
 */
int ike_prf_hash(uint16_t prf, const struct ike_piece *pieces, size_t n, uint8_t *out);

/*
 * prf+ (RFC 7296 2.13): T1 | T2 | ... with Tn = prf(K, Tn-1 | S | n), cut to
 * @outlen bytes; at most 255 rounds. 0 or < 0.
 */
int ike_prf_plus(uint16_t prf, const uint8_t *key, size_t klen,
		 const uint8_t *seed, size_t slen, uint8_t *out, size_t outlen);

/* An IKE SA's keys. SK_e* include the AEAD salt at their end. */
struct ike_keys {
	struct ike_suite suite;
	uint8_t sk_d[IKE_PRF_MAX_LEN];
	uint8_t sk_ai[IKE_INTEG_MAX_KEY_LEN], sk_ar[IKE_INTEG_MAX_KEY_LEN];
	uint8_t sk_ei[IKE_ENCR_MAX_KEY_LEN], sk_er[IKE_ENCR_MAX_KEY_LEN];
	uint8_t sk_pi[IKE_PRF_MAX_LEN], sk_pr[IKE_PRF_MAX_LEN];
	size_t d_len;		/* = p_len: the PRF's output length */
	size_t a_len;		/* 0 with an AEAD */
	size_t e_len;
	size_t p_len;
};

/*
 * A new IKE SA's keys (RFC 7296 2.14): SKEYSEED = prf(Ni | Nr, g^ir), then
 * SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr =
 * prf+(SKEYSEED, Ni | Nr | SPIi | SPIr). @out is wiped first.
 */
int ike_derive_ike_keys(const struct ike_suite *s,
			const uint8_t *ni, size_t ni_len,
			const uint8_t *nr, size_t nr_len,
			const uint8_t *g_ir, size_t g_len,
			const uint8_t spi_i[8], const uint8_t spi_r[8],
			struct ike_keys *out);

/*
 * The keys of an IKE SA that replaces @old (RFC 7296 2.18): SKEYSEED =
 * prf(SK_d (old), g^ir (new) | Ni | Nr) with the old SA's PRF, then prf+
 * as above with @s's PRF and the new SPIs. @out may not alias @old.
 */
int ike_derive_rekey_ike_keys(const struct ike_keys *old,
			      const struct ike_suite *s,
			      const uint8_t *g_ir, size_t g_len,
			      const uint8_t *ni, size_t ni_len,
			      const uint8_t *nr, size_t nr_len,
			      const uint8_t spi_i[8], const uint8_t spi_r[8],
			      struct ike_keys *out);

/*
 * Child SA KEYMAT (RFC 7296 2.17): prf+(SK_d, [g^ir (new)] | Ni | Nr), with
 * g^ir NULL without PFS. The caller splits it: initiator-to-responder
 * encryption key then integrity key, then the same responder-to-initiator.
 */
int ike_derive_child_keys(uint16_t prf, const uint8_t *sk_d, size_t d_len,
			  const uint8_t *g_ir, size_t g_len,
			  const uint8_t *ni, size_t ni_len,
			  const uint8_t *nr, size_t nr_len,
			  uint8_t *keymat, size_t len);

/* OPENSSL_cleanse() the whole struct. */
void ike_keys_wipe(struct ike_keys *k);

/* ---- sk.c: transform properties and the SK/SKF payload ---- */

/*
 * Key bytes for the suite's cipher, the 4 salt bytes of AES-GCM, AES-GMAC
 * and ChaCha20-Poly1305 included (RFC 5282, RFC 4543, RFC 7634); 0 for an
 * unknown cipher or key length (and for ENCR_NULL, which has no key).
 */
size_t ike_encr_key_len(const struct ike_suite *s);
/* (Whether a cipher is an AEAD: ike_encr_is_aead() in proposal.h.) */
size_t ike_encr_iv_len(uint16_t encr);		/* in the SK payload */
size_t ike_encr_block_len(uint16_t encr);	/* padding unit; 1 for AEADs */
size_t ike_encr_icv_len(uint16_t encr);		/* AEAD tag; 0 = not an AEAD */
size_t ike_integ_key_len(uint16_t integ);	/* 0 = unknown */
size_t ike_integ_icv_len(uint16_t integ);	/* truncated HMAC; 0 = unknown */

/* Whether ike_sk_seal()/ike_sk_open() run @s's cipher, key size and integrity. */
bool ike_sk_suite_supported(const struct ike_suite *s);
/* Whether an IKE SA can run on @s: the above, its PRF and its DH group. */
bool ike_suite_supported(const struct ike_suite *s);

/*
 * The SK (or SKF) payload body for @plain_len bytes of inner payloads:
 * IV, ciphertext of plaintext | padding | pad length, ICV. 0 if @s is not
 * a suite seal/open run.
 */
size_t ike_sk_body_len(const struct ike_suite *s, size_t plain_len);

/*
 * Protect an outgoing message in place. @msg holds the whole message, its
 * header and the SK/SKF header final (lengths included); the body starts at
 * @body_off (everything before it is authenticated: the AEAD's AAD, or the
 * start of the HMAC's input), runs to @msg_len, and must be
 * ike_sk_body_len(@plain_len) long; the inner payloads sit at
 * @msg + @body_off + IV length. This picks a random IV (8 bytes for the
 * AEADs: a random 64-bit IV does not repeat in the few thousand messages an
 * IKE SA carries), pads with zeros, encrypts and appends the ICV. Keys:
 * SK_ei/SK_ai when @from_initiator, else SK_er/SK_ar.
 */
int ike_sk_seal(const struct ike_keys *k, bool from_initiator, uint8_t *msg,
		size_t msg_len, size_t body_off, size_t plain_len);

/*
 * Check and decrypt an incoming message in place: the body (IV, ciphertext,
 * ICV) is @body_len bytes at @body_off and ends the message (@msg_len).
 * The ICV is checked first, in constant time; on -EBADMSG @msg is left as
 * it came. On success *@plain points at the inner payloads inside @msg,
 * padding stripped. -EINVAL for a body too short for IV, one block and ICV,
 * ciphertext that is not whole blocks, or a pad length beyond the plaintext.
 */
int ike_sk_open(const struct ike_keys *k, bool from_initiator, uint8_t *msg,
		size_t msg_len, size_t body_off, size_t body_len,
		const uint8_t **plain, size_t *plain_len);

/* ---- dh.c: Diffie-Hellman ---- */

struct ike_dh;

/* MODP 1, 2, 5, 14-18 (RFC 2409, RFC 3526), ECP 19-21 (RFC 5903), 31 (RFC 8031). */
bool ike_dh_supported(uint16_t group);
/* KE payload data: the prime's length, x | y for ECP, 32 for X25519; 0 = unknown. */
size_t ike_dh_public_len(uint16_t group);
/* g^ir: the prime's length, x alone for ECP, 32 for X25519; 0 = unknown. */
size_t ike_dh_shared_len(uint16_t group);

/* A fresh key pair; NULL if the group is unsupported or libcrypto fails. */
struct ike_dh *ike_dh_new(uint16_t group);
/* A key pair from a known private value (big-endian; raw for X25519): tests. */
struct ike_dh *ike_dh_new_from_private(uint16_t group, const uint8_t *priv,
				       size_t len);
uint16_t ike_dh_group(const struct ike_dh *dh);

/* Our KE payload data; @len must be ike_dh_public_len(). Returns @len or < 0. */
int ike_dh_public(const struct ike_dh *dh, uint8_t *out, size_t len);

/*
 * g^ir from the peer's KE data, after checking it: the exact length, MODP
 * 1 < y < p - 1, ECP a point on the curve, X25519 not an all-zero result.
 * *@secret_len is @secret's size on entry and the secret's length on
 * return (ike_dh_shared_len()).
 */
int ike_dh_shared(struct ike_dh *dh, const uint8_t *peer, size_t len,
		  uint8_t *secret, size_t *secret_len);

/* Frees and wipes; NULL is fine. */
void ike_dh_free(struct ike_dh *dh);

#endif
