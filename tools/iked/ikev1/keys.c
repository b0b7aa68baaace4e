// SPDX-License-Identifier: GPL-2.0
/* IKEv1 key derivation (see keys.h). */
#include <errno.h>
#include <string.h>
#include <openssl/crypto.h>

#include "ikev1/isakmp.h"
#include "ikev1/keys.h"
#include "ikev2/ikev2.h"

uint16_t isakmp_hash_prf(uint16_t hash)
{
	switch (hash) {
	case ISAKMP_HASH_MD5:
		return IKE_PRF_HMAC_MD5;
	case ISAKMP_HASH_SHA1:
		return IKE_PRF_HMAC_SHA1;
	case ISAKMP_HASH_SHA2_256:
		return IKE_PRF_HMAC_SHA2_256;
	case ISAKMP_HASH_SHA2_384:
		return IKE_PRF_HMAC_SHA2_384;
	case ISAKMP_HASH_SHA2_512:
		return IKE_PRF_HMAC_SHA2_512;
	}
	return 0;
}

int isakmp_skeyid_psk(uint16_t prf, const uint8_t *psk, size_t psk_len,
		      const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
		      uint8_t *skeyid)
{
	const struct ike_piece in[] = { { ni, ni_len }, { nr, nr_len } };

	if (!psk_len)
		return -EINVAL;
	return ike_prf_pieces(prf, psk, psk_len, in, 2, skeyid);
}

int isakmp_skeyid_sig(uint16_t prf, const uint8_t *ni, size_t ni_len,
		      const uint8_t *nr, size_t nr_len, const uint8_t *gxy, size_t gxy_len,
		      uint8_t *skeyid)
{
	uint8_t key[2 * ISAKMP_NONCE_MAX];
	int ret;

	if (ni_len > ISAKMP_NONCE_MAX || nr_len > ISAKMP_NONCE_MAX)
		return -EINVAL;
	memcpy(key, ni, ni_len);
	memcpy(key + ni_len, nr, nr_len);
	ret = ike_prf(prf, key, ni_len + nr_len, gxy, gxy_len, skeyid);
	OPENSSL_cleanse(key, sizeof(key));
	return ret;
}

/* The cipher key from SKEYID_e (Appendix B). */
static int expand_ka(struct isakmp_keys *k, size_t ka_len)
{
	uint8_t t[IKE_PRF_MAX_LEN];
	struct ike_piece in = { (const uint8_t *)"", 1 };	/* K1's input: one 0 */
	size_t done, chunk;
	int ret = 0;

	if (ka_len > ISAKMP_MAX_KA_LEN)
		return -EINVAL;
	k->ka_len = ka_len;
	if (ka_len <= k->len) {
		memcpy(k->ka, k->skeyid_e, ka_len);
		return 0;
	}
	for (done = 0; done < ka_len; done += chunk) {
		ret = ike_prf_pieces(k->prf, k->skeyid_e, k->len, &in, 1, t);
		if (ret < 0)
			break;
		ret = 0;
		chunk = ka_len - done < k->len ? ka_len - done : k->len;
		memcpy(k->ka + done, t, chunk);
		in = (struct ike_piece){ k->ka + done, k->len };	/* Kn = prf(SKEYID_e, Kn-1) */
	}
	OPENSSL_cleanse(t, sizeof(t));
	return ret;
}

int isakmp_derive_keys(struct isakmp_keys *k, const uint8_t *gxy, size_t gxy_len,
		       const uint8_t cky_i[8], const uint8_t cky_r[8], size_t ka_len)
{
	static const uint8_t zero = 0, one = 1, two = 2;
	struct ike_piece in[5] = {
		{ NULL, 0 }, { gxy, gxy_len }, { cky_i, 8 }, { cky_r, 8 }, { &zero, 1 },
	};
	int ret;

	k->len = ike_prf_len(k->prf);
	if (!k->len)
		return -ENOTSUP;
	ret = ike_prf_pieces(k->prf, k->skeyid, k->len, in + 1, 4, k->skeyid_d);
	if (ret < 0)
		goto fail;
	in[0] = (struct ike_piece){ k->skeyid_d, k->len };
	in[4].p = &one;
	ret = ike_prf_pieces(k->prf, k->skeyid, k->len, in, 5, k->skeyid_a);
	if (ret < 0)
		goto fail;
	in[0].p = k->skeyid_a;
	in[4].p = &two;
	ret = ike_prf_pieces(k->prf, k->skeyid, k->len, in, 5, k->skeyid_e);
	if (ret < 0)
		goto fail;
	ret = expand_ka(k, ka_len);
	if (!ret)
		return 0;
fail:
	isakmp_keys_wipe(k);
	return ret;
}

void isakmp_keys_wipe(struct isakmp_keys *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}

/* hash(pieces) cut to @block bytes. */
static int iv_of(uint16_t prf, const struct ike_piece *in, size_t n, size_t block,
		 uint8_t *iv)
{
	uint8_t h[IKE_PRF_MAX_LEN];
	int ret;

	if (!block || block > ISAKMP_MAX_BLOCK_LEN || block > ike_prf_len(prf))
		return -EINVAL;
	ret = ike_prf_hash(prf, in, n, h);
	if (ret < 0)
		return ret;
	memcpy(iv, h, block);
	return 0;
}

int isakmp_phase1_iv(uint16_t prf, const uint8_t *gxi, size_t gxi_len,
		     const uint8_t *gxr, size_t gxr_len, size_t block, uint8_t *iv)
{
	const struct ike_piece in[] = { { gxi, gxi_len }, { gxr, gxr_len } };

	return iv_of(prf, in, 2, block, iv);
}

int isakmp_msgid_iv(uint16_t prf, const uint8_t *last_block, size_t block, uint32_t msgid,
		    uint8_t *iv)
{
	const uint8_t id[4] = { msgid >> 24, msgid >> 16, msgid >> 8, msgid };
	const struct ike_piece in[] = { { last_block, block }, { id, 4 } };

	return iv_of(prf, in, 2, block, iv);
}

int isakmp_keymat(const struct isakmp_keys *k, const uint8_t *gqm, size_t gqm_len,
		  uint8_t protocol, uint32_t spi, const uint8_t *ni, size_t ni_len,
		  const uint8_t *nr, size_t nr_len, uint8_t *out, size_t len)
{
	const uint8_t spi_b[4] = { spi >> 24, spi >> 16, spi >> 8, spi };
	struct ike_piece in[] = {
		{ NULL, 0 },		/* Kn-1; K1 has none */
		{ gqm, gqm ? gqm_len : 0 },
		{ &protocol, 1 }, { spi_b, 4 }, { ni, ni_len }, { nr, nr_len },
	};
	uint8_t t[IKE_PRF_MAX_LEN];
	size_t done, chunk;
	int ret = 0;

	if (!k->len || len > ISAKMP_KEYMAT_MAX_ROUNDS * k->len)
		return -EINVAL;
	for (done = 0; done < len; done += chunk) {
		ret = ike_prf_pieces(k->prf, k->skeyid_d, k->len, in, 6, t);
		if (ret < 0)
			break;
		ret = 0;
		chunk = len - done < k->len ? len - done : k->len;
		memcpy(out + done, t, chunk);
		in[0] = (struct ike_piece){ out + done, k->len };
	}
	OPENSSL_cleanse(t, sizeof(t));
	if (ret)
		OPENSSL_cleanse(out, len);
	return ret;
}
