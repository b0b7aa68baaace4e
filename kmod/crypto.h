/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ESP transforms: IKEv2 transform IDs mapped onto kernel crypto API AEAD
 * templates, allocated once per SA.
 *
 * Every template is driven the same way: the associated data is
 * SPI, [ESN high bits,] sequence number, IV (assoclen = 8 [+ 4] + ivlen),
 * req->iv holds the IV again, and the payload is encrypted in place (or,
 * on transmit, from the inner packet's pieces into a buffer of its own). The
 * counter-mode templates drop the IV from what they authenticate; the
 * authencesn template moves the ESN high bits behind the payload, as
 * RFC 4303 wants for the ICV.
 */
#ifndef _SECTUN_CRYPTO_H
#define _SECTUN_CRYPTO_H

#include <crypto/aead.h>
#include <linux/netlink.h>
#include <linux/siphash.h>

enum sectun_iv_kind {
	SECTUN_IV_NONE,		/* NULL encryption */
	SECTUN_IV_SEQ,		/* counter modes: the 64-bit sequence number */
	SECTUN_IV_PRF,		/* CBC: unpredictable, a keyed PRF of it */
};

struct sectun_crypto {
	struct crypto_aead *aead;	/* ESP */
	struct crypto_ahash *ahash;	/* AH: the HMAC */
	u8 ivlen;		/* IV bytes on the wire */
	u8 icvlen;
	u8 align;		/* the ESP payload is padded to this (>= 4) */
	u8 iv_kind;		/* enum sectun_iv_kind */
	u8 saltlen;		/* key bytes that are salt, not cipher key */
	bool esn;
	siphash_key_t iv_key;	/* SECTUN_IV_PRF: random, the SA's own */
};

int sectun_crypto_init(struct sectun_crypto *c, u16 encr, const u8 *ekey,
		       unsigned int eklen, u16 integ, const u8 *akey,
		       unsigned int aklen, bool esn,
		       struct netlink_ext_ack *extack);
int sectun_crypto_init_ah(struct sectun_crypto *c, u16 integ, const u8 *akey,
			  unsigned int aklen, bool esn,
			  struct netlink_ext_ack *extack);
void sectun_crypto_free(struct sectun_crypto *c);

#endif /* _SECTUN_CRYPTO_H */
