/* SPDX-License-Identifier: GPL-2.0 */
/* Payloads more than one IKEv2 exchange writes the same way. */
#ifndef SECTUN_IKED_IKEV2_PAYLOADS_H
#define SECTUN_IKED_IKEV2_PAYLOADS_H

#include <stdint.h>

#include "crypto/crypto.h"
#include "ikev2/codec.h"

struct ike_sa;

/* KE with DH's public value of GROUP; the writer's error state. */
int ikev2_put_ke(struct ike_writer *w, const struct ike_dh *dh, uint16_t group);
/* CERTREQ with the hashes of SA's gateway's CAs, when it uses certificates. */
void ikev2_put_certreq(const struct ike_sa *sa, struct ike_writer *w);

#endif
