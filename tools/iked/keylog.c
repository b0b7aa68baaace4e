// SPDX-License-Identifier: GPL-2.0
/*
 * Key logging. The fields are those Wireshark's IKEv2 decryption table
 * and ESP SA table ask for: SPIs, then each direction's encryption and
 * integrity keys, in hex; the algorithms as the status shows them.
 */
#include <stdio.h>

#include "ikev2/ikev2.h"
#include "keylog.h"
#include "log.h"
#include "parse.h"
#include "proposal.h"

bool ike_keylog_enabled;

/* A key in hex, "-" for none (an AEAD's integrity key). */
static const char *hex(const uint8_t *p, size_t n, char *buf, size_t size)
{
	return n ? format_hex(p, n, buf, size) : "-";
}

void ike_keylog_ike_sa(const struct ike_sa *sa)
{
	const struct ike_keys *k = &sa->keys;
	char si[17], sr[17], ei[2 * IKE_ENCR_MAX_KEY_LEN + 1], er[sizeof(ei)];
	char ai[2 * IKE_INTEG_MAX_KEY_LEN + 1], ar[sizeof(ai)], alg[128];

	if (!ike_keylog_enabled)
		return;
	ike_suite_format(IKE_PROP_IKE, &sa->suite, alg, sizeof(alg));
	log_info("keys: IKE SA %s %s (%s): SK_ei %s SK_er %s SK_ai %s SK_ar %s",
		 hex(sa->spi_i, 8, si, sizeof(si)), hex(sa->spi_r, 8, sr, sizeof(sr)), alg,
		 hex(k->sk_ei, k->e_len, ei, sizeof(ei)),
		 hex(k->sk_er, k->e_len, er, sizeof(er)),
		 hex(k->sk_ai, k->a_len, ai, sizeof(ai)),
		 hex(k->sk_ar, k->a_len, ar, sizeof(ar)));
}

static void log_direction(const char *dir, const char *proto, uint32_t spi,
			  const char *alg, const struct child_keys *k)
{
	char e[2 * sizeof(k->encr) + 1], a[2 * sizeof(k->integ) + 1];

	log_info("keys: %s SPI %08x %s (%s): encryption %s integrity %s", proto, spi,
		 dir, alg, hex(k->encr, k->encr_len, e, sizeof(e)),
		 hex(k->integ, k->integ_len, a, sizeof(a)));
}

void ike_keylog_child(const struct child_sa *c, const struct child_keys *in,
		      const struct child_keys *out)
{
	bool ah = c->protocol == IKE_PROTO_AH;
	char alg[128];

	if (!ike_keylog_enabled)
		return;
	ike_suite_format(ah ? IKE_PROP_AH : IKE_PROP_ESP, &c->suite, alg, sizeof(alg));
	log_direction("in", ah ? "AH" : "ESP", c->spi_in, alg, in);
	log_direction("out", ah ? "AH" : "ESP", c->spi_out, alg, out);
}
