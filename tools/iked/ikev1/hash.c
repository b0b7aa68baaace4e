// SPDX-License-Identifier: GPL-2.0
/* IKEv1's HASH payloads (see hash.h). */
#include <errno.h>
#include <openssl/crypto.h>

#include "ikev1/hash.h"

int isakmp_hash_phase1(const struct isakmp_keys *k, bool of_initiator,
		       const uint8_t *gxi, size_t gxi_len, const uint8_t *gxr, size_t gxr_len,
		       const uint8_t cky_i[8], const uint8_t cky_r[8],
		       const uint8_t *sai_b, size_t sai_len, const uint8_t *id_b, size_t id_len,
		       uint8_t *out)
{
	const struct ike_piece in[] = {
		{ of_initiator ? gxi : gxr, of_initiator ? gxi_len : gxr_len },
		{ of_initiator ? gxr : gxi, of_initiator ? gxr_len : gxi_len },
		{ of_initiator ? cky_i : cky_r, 8 },
		{ of_initiator ? cky_r : cky_i, 8 },
		{ sai_b, sai_len },
		{ id_b, id_len },
	};

	if (!k->len)
		return -EINVAL;
	return ike_prf_pieces(k->prf, k->skeyid, k->len, in, 6, out);
}

int isakmp_hash_msg(const struct isakmp_keys *k, uint32_t msgid, const uint8_t *ni,
		    size_t ni_len, const uint8_t *rest, size_t rest_len, uint8_t *out)
{
	const uint8_t id[4] = { msgid >> 24, msgid >> 16, msgid >> 8, msgid };
	const struct ike_piece in[] = {
		{ id, 4 }, { ni, ni ? ni_len : 0 }, { rest, rest_len },
	};

	if (!k->len)
		return -EINVAL;
	return ike_prf_pieces(k->prf, k->skeyid_a, k->len, in, 3, out);
}

int isakmp_hash3(const struct isakmp_keys *k, uint32_t msgid, const uint8_t *ni,
		 size_t ni_len, const uint8_t *nr, size_t nr_len, uint8_t *out)
{
	const uint8_t head[5] = { 0, msgid >> 24, msgid >> 16, msgid >> 8, msgid };
	const struct ike_piece in[] = { { head, 5 }, { ni, ni_len }, { nr, nr_len } };

	if (!k->len)
		return -EINVAL;
	return ike_prf_pieces(k->prf, k->skeyid_a, k->len, in, 3, out);
}

bool isakmp_hash_equal(const struct isakmp_keys *k, const uint8_t *want,
		       const uint8_t *got, size_t got_len)
{
	return k->len && got_len == k->len && !CRYPTO_memcmp(want, got, k->len);
}

int isakmp_split_hash(const struct isakmp_msg *m, const uint8_t *msg,
		      const uint8_t **hash, size_t *hash_len,
		      const uint8_t **rest, size_t *rest_len)
{
	size_t after;
	int err;

	if (!m->n || m->pl[0].type != ISAKMP_PL_HASH)
		return IKE_E_MISSING;
	err = isakmp_decode_hash(&m->pl[0], hash, hash_len);
	if (err)
		return err;
	after = m->pl[0].offset + IKE_GENERIC_HDR_LEN + m->pl[0].len;
	*rest = msg + after;
	*rest_len = m->chain_end - after;
	return 0;
}
