// SPDX-License-Identifier: GPL-2.0
/*
 * The payload rule table. A response may carry an error notify in place
 * of the payloads it would otherwise need (RFC 7296 2.21), and the
 * IKE_SA_INIT response a COOKIE or INVALID_KE_PAYLOAD (1.2, 2.6). A
 * child SA is requested with SA, TSi and TSr together or not at all.
 */
#include <stddef.h>

#include "ikev2/ikev2.h"
#include "ikev2/rules.h"

#define BIT(t)		(1u << ((t) - IKE_PL_SA))
#define SA		BIT(IKE_PL_SA)
#define KE		BIT(IKE_PL_KE)
#define IDI		BIT(IKE_PL_IDI)
#define IDR		BIT(IKE_PL_IDR)
#define CERT		BIT(IKE_PL_CERT)
#define CERTREQ		BIT(IKE_PL_CERTREQ)
#define AUTH		BIT(IKE_PL_AUTH)
#define NONCE		BIT(IKE_PL_NONCE)
#define N		BIT(IKE_PL_NOTIFY)
#define D		BIT(IKE_PL_DELETE)
#define V		BIT(IKE_PL_VENDOR)
#define TSI		BIT(IKE_PL_TSI)
#define TSR		BIT(IKE_PL_TSR)
#define CP		BIT(IKE_PL_CP)

struct payload_rule {
	uint8_t exchange;
	bool response;
	uint32_t required;	/* each at least once */
	uint32_t allowed;	/* besides the required ones */
	uint32_t once;		/* at most once */
	bool child;		/* SA, TSi, TSr: all three or none */
};

static const struct payload_rule rules[] = {
	{ IKE_SA_INIT, false, SA | KE | NONCE, N | V | CERTREQ, SA | KE | NONCE, false },
	{ IKE_SA_INIT, true, SA | KE | NONCE, N | V | CERTREQ, SA | KE | NONCE, false },
	{ IKE_AUTH, false, IDI | AUTH, CERT | CERTREQ | IDR | SA | TSI | TSR | N | V | CP,
	  IDI | IDR | AUTH | SA | TSI | TSR | CP, true },
	{ IKE_AUTH, true, IDR | AUTH, CERT | SA | TSI | TSR | N | V | CP,
	  IDR | AUTH | SA | TSI | TSR | CP, true },
	{ IKE_CREATE_CHILD_SA, false, SA | NONCE, KE | TSI | TSR | N | V,
	  SA | NONCE | KE | TSI | TSR, false },
	{ IKE_CREATE_CHILD_SA, true, SA | NONCE, KE | TSI | TSR | N | V,
	  SA | NONCE | KE | TSI | TSR, false },
	{ IKE_INFORMATIONAL, false, 0, N | D | CP | V, CP, false },
	{ IKE_INFORMATIONAL, true, 0, N | D | CP | V, CP, false },
};

static const char *const missing[] = {
	[IKE_PL_SA - IKE_PL_SA] = "SA missing",
	[IKE_PL_KE - IKE_PL_SA] = "KE missing",
	[IKE_PL_IDI - IKE_PL_SA] = "IDi missing",
	[IKE_PL_IDR - IKE_PL_SA] = "IDr missing",
	[IKE_PL_AUTH - IKE_PL_SA] = "AUTH missing",
	[IKE_PL_NONCE - IKE_PL_SA] = "nonce missing",
};

/* Whether a response may stand on a notify instead of its payloads. */
static bool stands_on_notify(const struct ike_msg *m, uint8_t exchange)
{
	const struct ike_payload *pl = NULL;
	struct ike_notify n;

	while ((pl = ike_msg_find(m, IKE_PL_NOTIFY, pl))) {
		if (ike_decode_notify(pl, &n))
			continue;
		if (n.type <= IKE_N_ERROR_MAX)
			return true;
		if (exchange == IKE_SA_INIT && n.type == IKE_N_COOKIE)
			return true;
	}
	return false;
}

int ikev2_rules_check(uint8_t exchange, bool response, const struct ike_msg *m,
		      const char **why)
{
	const struct payload_rule *r = NULL;
	uint32_t seen = 0, twice = 0, bit;
	unsigned int i;

	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (rules[i].exchange == exchange && rules[i].response == response)
			r = &rules[i];
	if (!r) {
		*why = "no such exchange";
		return -1;
	}
	for (i = 0; i < m->n; i++) {
		uint8_t t = m->pl[i].type;

		if (t < IKE_PL_SA || t > IKE_PL_SKF) {
			*why = "a payload type no exchange carries";
			return -1;
		}
		bit = BIT(t);
		if (!(bit & (r->required | r->allowed))) {
			*why = t == IKE_PL_SK || t == IKE_PL_SKF ? "an encrypted payload here" :
			       "a payload this exchange does not carry";
			return -1;
		}
		if (seen & bit)
			twice |= bit;
		seen |= bit;
	}
	if (twice & r->once) {
		*why = "a payload that may appear once appears twice";
		return -1;
	}
	if (r->child && (seen & (SA | TSI | TSR)) && (seen & (SA | TSI | TSR)) != (SA | TSI | TSR)) {
		*why = "SA, TSi and TSr not all together";
		return -1;
	}
	if ((seen & r->required) != r->required && !(response && stands_on_notify(m, exchange))) {
		for (i = 0; i < sizeof(missing) / sizeof(missing[0]); i++) {
			if ((r->required & ~seen) >> i & 1) {
				*why = missing[i] ? missing[i] : "a required payload missing";
				return -1;
			}
		}
		*why = "a required payload missing";
		return -1;
	}
	return 0;
}
