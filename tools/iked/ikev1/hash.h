/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IKEv1's HASH payloads (RFC 2409 5 and 5.5): phase 1's HASH_I and HASH_R
 * (sent as such with pre-shared keys, signed with certificates), and the
 * HASH(1), HASH(2), HASH(3) that authenticate quick mode and
 * informational messages under SKEYID_a.
 */
#ifndef SECTUN_IKED_ISAKMP_HASH_H
#define SECTUN_IKED_ISAKMP_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ikev1/codec.h"
#include "ikev1/keys.h"

/*
 * HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b), or
 * with @of_initiator false HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R |
 * CKY-I | SAi_b | IDir_b). SAi_b is the initiator's SA payload body and
 * @id_b the ID payload body of the side hashed, both without their
 * generic headers. Returns the hash length or < 0.
 */
int isakmp_hash_phase1(const struct isakmp_keys *k, bool of_initiator,
		       const uint8_t *gxi, size_t gxi_len, const uint8_t *gxr, size_t gxr_len,
		       const uint8_t cky_i[8], const uint8_t cky_r[8],
		       const uint8_t *sai_b, size_t sai_len, const uint8_t *id_b, size_t id_len,
		       uint8_t *out);

/*
 * HASH(1) = prf(SKEYID_a, M-ID | rest), or with @ni (quick mode's second
 * message) HASH(2) = prf(SKEYID_a, M-ID | Ni_b | rest); rest is the
 * message after its HASH payload, padding excluded.
 */
int isakmp_hash_msg(const struct isakmp_keys *k, uint32_t msgid, const uint8_t *ni,
		    size_t ni_len, const uint8_t *rest, size_t rest_len, uint8_t *out);

/* HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b). */
int isakmp_hash3(const struct isakmp_keys *k, uint32_t msgid, const uint8_t *ni,
		 size_t ni_len, const uint8_t *nr, size_t nr_len, uint8_t *out);

/*
 * Whether a received HASH (@got, @got_len bytes) is the one computed
 * (@want): the PRF's whole output, no shorter, compared in constant time.
 */
bool isakmp_hash_equal(const struct isakmp_keys *k, const uint8_t *want,
		       const uint8_t *got, size_t got_len);

/*
 * In a parsed message (@msg its bytes) whose first payload must be HASH
 * (RFC 2409 5.5; IKE_E_MISSING otherwise): the HASH's data and what
 * follows it up to the end of the chain.
 */
int isakmp_split_hash(const struct isakmp_msg *m, const uint8_t *msg,
		      const uint8_t **hash, size_t *hash_len,
		      const uint8_t **rest, size_t *rest_len);

#endif
