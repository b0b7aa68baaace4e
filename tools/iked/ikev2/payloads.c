// SPDX-License-Identifier: GPL-2.0
/* KE and CERTREQ, as IKE_SA_INIT, IKE_AUTH and CREATE_CHILD_SA write them. */
#include "ike_sa.h"
#include "ikev2/ikev2.h"
#include "ikev2/payloads.h"
#include "pki/cert.h"

int ikev2_put_ke(struct ike_writer *w, const struct ike_dh *dh, uint16_t group)
{
	uint8_t pub[IKE_DH_MAX_PUBLIC_LEN];
	size_t len = ike_dh_public_len(group);

	if (ike_dh_public(dh, pub, len) < 0) {
		w->err = IKE_E_OVERFLOW;
		return w->err;
	}
	return ike_w_ke(w, group, pub, len);
}

void ikev2_put_certreq(const struct ike_sa *sa, struct ike_writer *w)
{
	uint8_t hashes[IKE_CERTREQ_HASH_LEN * 32];
	int n;

	if (sa->gw->auth != IKED_AUTH_CERT || !sa->gw->ca_store)
		return;
	n = ike_cert_store_certreq(sa->gw->ca_store, hashes, sizeof(hashes));
	if (n > 0)
		ike_w_certreq(w, IKE_CERT_X509_SIG, hashes, n);
}
