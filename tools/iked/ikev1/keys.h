/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IKEv1 key derivation (RFC 2409 section 5 and Appendix B): SKEYID for
 * pre-shared keys and for signatures, SKEYID_d/_a/_e, the phase 1 cipher
 * key, the CBC IVs of phase 1 and of each later exchange, and quick mode
 * KEYMAT. The PRF is HMAC with the negotiated hash, named here by its
 * IKEv2 PRF number so that crypto/prf.c runs it.
 *
 * Functions returning int give 0 (or a length) on success and a negative
 * errno on failure, as crypto.h's do.
 */
#ifndef SECTUN_IKED_ISAKMP_KEYS_H
#define SECTUN_IKED_ISAKMP_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"

#define ISAKMP_MAX_KA_LEN	32	/* AES-256 */
#define ISAKMP_MAX_BLOCK_LEN	16
#define ISAKMP_KEYMAT_MAX_ROUNDS 255

/* The IKEv2 PRF number of HMAC with an ISAKMP hash algorithm; 0 = none we run. */
uint16_t isakmp_hash_prf(uint16_t hash);

/* PSK: SKEYID = prf(pre-shared key, Ni_b | Nr_b). */
int isakmp_skeyid_psk(uint16_t prf, const uint8_t *psk, size_t psk_len,
		      const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
		      uint8_t *skeyid);
/* Signatures: SKEYID = prf(Ni_b | Nr_b, g^xy). */
int isakmp_skeyid_sig(uint16_t prf, const uint8_t *ni, size_t ni_len,
		      const uint8_t *nr, size_t nr_len, const uint8_t *gxy, size_t gxy_len,
		      uint8_t *skeyid);

/* An ISAKMP SA's keys. */
struct isakmp_keys {
	uint16_t prf;
	size_t len;		/* the PRF's output: of each SKEYID */
	uint8_t skeyid[IKE_PRF_MAX_LEN];
	uint8_t skeyid_d[IKE_PRF_MAX_LEN];
	uint8_t skeyid_a[IKE_PRF_MAX_LEN];
	uint8_t skeyid_e[IKE_PRF_MAX_LEN];
	uint8_t ka[ISAKMP_MAX_KA_LEN];	/* the phase 1 cipher's key */
	size_t ka_len;
};

/*
 * From SKEYID (isakmp_keys.skeyid, len bytes):
 *   SKEYID_d = prf(SKEYID, g^xy | CKY-I | CKY-R | 0)
 *   SKEYID_a = prf(SKEYID, SKEYID_d | g^xy | CKY-I | CKY-R | 1)
 *   SKEYID_e = prf(SKEYID, SKEYID_a | g^xy | CKY-I | CKY-R | 2)
 * then the cipher key of @ka_len bytes: the start of SKEYID_e, or when
 * that is too short K1 | K2 | ... with K1 = prf(SKEYID_e, 0) and
 * Kn = prf(SKEYID_e, Kn-1) (Appendix B).
 */
int isakmp_derive_keys(struct isakmp_keys *k, const uint8_t *gxy, size_t gxy_len,
		       const uint8_t cky_i[8], const uint8_t cky_r[8], size_t ka_len);

/* OPENSSL_cleanse() the whole struct. */
void isakmp_keys_wipe(struct isakmp_keys *k);

/* Phase 1's first IV: hash(g^xi | g^xr), cut to @block bytes. */
int isakmp_phase1_iv(uint16_t prf, const uint8_t *gxi, size_t gxi_len,
		     const uint8_t *gxr, size_t gxr_len, size_t block, uint8_t *iv);
/*
 * The first IV of a later exchange (quick mode, informational):
 * hash(the last CBC block of phase 1 | M-ID), cut to @block bytes.
 */
int isakmp_msgid_iv(uint16_t prf, const uint8_t *last_block, size_t block, uint32_t msgid,
		    uint8_t *iv);

/*
 * Quick mode KEYMAT for one SA (RFC 2409 5.5): K1 | K2 | ... cut to @len,
 * K1 = prf(SKEYID_d, [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b) and
 * Kn = prf(SKEYID_d, Kn-1 | [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b);
 * @gqm is NULL without PFS. @spi is the SPI of the SA being keyed, as
 * its receiver chose it.
 */
int isakmp_keymat(const struct isakmp_keys *k, const uint8_t *gqm, size_t gqm_len,
		  uint8_t protocol, uint32_t spi, const uint8_t *ni, size_t ni_len,
		  const uint8_t *nr, size_t nr_len, uint8_t *out, size_t len);

#endif
