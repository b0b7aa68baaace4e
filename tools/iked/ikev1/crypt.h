/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IKEv1 message encryption (RFC 2409 Appendix B, RFC 3602): the payload
 * chain after the header, CBC-encrypted under the ISAKMP SA's cipher key,
 * each message's IV the last ciphertext block of the one before it in the
 * same exchange. Integrity is the HASH payloads' (hash.c), not this.
 */
#ifndef SECTUN_IKED_ISAKMP_CRYPT_H
#define SECTUN_IKED_ISAKMP_CRYPT_H

#include <stddef.h>
#include <stdint.h>

/* A phase 1 cipher: ENCR attribute and Key Length attribute (bits, 0 = none). */
size_t isakmp_encr_key_len(uint16_t encr, uint16_t key_bits);	/* 0 = not run */
size_t isakmp_encr_block_len(uint16_t encr);			/* 0 = not run */

/*
 * The chain's length once padded: up to a whole number of blocks, with
 * zeros (0 bytes when it fills its last block already).
 */
size_t isakmp_padded_len(uint16_t encr, size_t plain_len);

/*
 * Encrypts @buf in place: @plain_len bytes of chain, zero-padded to
 * isakmp_padded_len() (which @cap must hold). @iv is this message's IV on
 * entry and the next one's (the last ciphertext block) on return.
 * Returns the padded length or < 0 (errno).
 */
int isakmp_encrypt(uint16_t encr, const uint8_t *key, size_t key_len, uint8_t *iv,
		   uint8_t *buf, size_t plain_len, size_t cap);

/*
 * Decrypts @len bytes of @buf in place under @iv; @len must be a nonzero
 * whole number of blocks (-EINVAL otherwise, @buf untouched). The IV for
 * the message after this one (its last ciphertext block) goes to
 * @next_iv, for the caller to take only once the message's HASH has
 * verified: a forged or garbled message must not move the IV chain.
 */
int isakmp_decrypt(uint16_t encr, const uint8_t *key, size_t key_len, const uint8_t *iv,
		   uint8_t *next_iv, uint8_t *buf, size_t len);

#endif
