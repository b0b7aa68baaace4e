// SPDX-License-Identifier: GPL-2.0
/*
 * One-line summaries of parsed ISAKMP messages for the daemon's log, and
 * the notify that answers a parse error. Only names and numbers are
 * printed, never the content of keys, nonces or hashes.
 */
#include "ikev1/codec.h"
#include "lines.h"

static const struct ike_name exchange_names[] = {
	{ ISAKMP_XCHG_BASE, "Base" },
	{ ISAKMP_XCHG_ID_PROT, "Main Mode" },
	{ ISAKMP_XCHG_AUTH_ONLY, "Authentication Only" },
	{ ISAKMP_XCHG_AGGRESSIVE, "Aggressive Mode" },
	{ ISAKMP_XCHG_INFO, "Informational" },
	{ ISAKMP_XCHG_QUICK, "Quick Mode" },
	{ ISAKMP_XCHG_NEW_GROUP, "New Group Mode" },
};

/* Short forms, as strongSwan and Junos logs print them. */
static const struct ike_name payload_names[] = {
	{ ISAKMP_PL_SA, "SA" },
	{ ISAKMP_PL_PROPOSAL, "P" },
	{ ISAKMP_PL_TRANSFORM, "T" },
	{ ISAKMP_PL_KE, "KE" },
	{ ISAKMP_PL_ID, "ID" },
	{ ISAKMP_PL_CERT, "CERT" },
	{ ISAKMP_PL_CR, "CR" },
	{ ISAKMP_PL_HASH, "HASH" },
	{ ISAKMP_PL_SIG, "SIG" },
	{ ISAKMP_PL_NONCE, "No" },
	{ ISAKMP_PL_NOTIFY, "N" },
	{ ISAKMP_PL_DELETE, "D" },
	{ ISAKMP_PL_VENDOR, "V" },
	{ ISAKMP_PL_NAT_D, "NAT-D" },
	{ ISAKMP_PL_NAT_OA, "NAT-OA" },
};

static const struct ike_name notify_names[] = {
	{ ISAKMP_N_INVALID_PAYLOAD_TYPE, "INVALID-PAYLOAD-TYPE" },
	{ ISAKMP_N_DOI_NOT_SUPPORTED, "DOI-NOT-SUPPORTED" },
	{ ISAKMP_N_SITUATION_NOT_SUPPORTED, "SITUATION-NOT-SUPPORTED" },
	{ ISAKMP_N_INVALID_COOKIE, "INVALID-COOKIE" },
	{ ISAKMP_N_INVALID_MAJOR_VERSION, "INVALID-MAJOR-VERSION" },
	{ ISAKMP_N_INVALID_MINOR_VERSION, "INVALID-MINOR-VERSION" },
	{ ISAKMP_N_INVALID_EXCHANGE_TYPE, "INVALID-EXCHANGE-TYPE" },
	{ ISAKMP_N_INVALID_FLAGS, "INVALID-FLAGS" },
	{ ISAKMP_N_INVALID_MESSAGE_ID, "INVALID-MESSAGE-ID" },
	{ ISAKMP_N_INVALID_PROTOCOL_ID, "INVALID-PROTOCOL-ID" },
	{ ISAKMP_N_INVALID_SPI, "INVALID-SPI" },
	{ ISAKMP_N_INVALID_TRANSFORM_ID, "INVALID-TRANSFORM-ID" },
	{ ISAKMP_N_ATTRIBUTES_NOT_SUPPORTED, "ATTRIBUTES-NOT-SUPPORTED" },
	{ ISAKMP_N_NO_PROPOSAL_CHOSEN, "NO-PROPOSAL-CHOSEN" },
	{ ISAKMP_N_BAD_PROPOSAL_SYNTAX, "BAD-PROPOSAL-SYNTAX" },
	{ ISAKMP_N_PAYLOAD_MALFORMED, "PAYLOAD-MALFORMED" },
	{ ISAKMP_N_INVALID_KEY_INFORMATION, "INVALID-KEY-INFORMATION" },
	{ ISAKMP_N_INVALID_ID_INFORMATION, "INVALID-ID-INFORMATION" },
	{ ISAKMP_N_INVALID_CERT_ENCODING, "INVALID-CERT-ENCODING" },
	{ ISAKMP_N_INVALID_CERTIFICATE, "INVALID-CERTIFICATE" },
	{ ISAKMP_N_CERT_TYPE_UNSUPPORTED, "CERT-TYPE-UNSUPPORTED" },
	{ ISAKMP_N_INVALID_CERT_AUTHORITY, "INVALID-CERT-AUTHORITY" },
	{ ISAKMP_N_INVALID_HASH_INFORMATION, "INVALID-HASH-INFORMATION" },
	{ ISAKMP_N_AUTHENTICATION_FAILED, "AUTHENTICATION-FAILED" },
	{ ISAKMP_N_INVALID_SIGNATURE, "INVALID-SIGNATURE" },
	{ ISAKMP_N_ADDRESS_NOTIFICATION, "ADDRESS-NOTIFICATION" },
	{ ISAKMP_N_NOTIFY_SA_LIFETIME, "NOTIFY-SA-LIFETIME" },
	{ ISAKMP_N_CERTIFICATE_UNAVAILABLE, "CERTIFICATE-UNAVAILABLE" },
	{ ISAKMP_N_UNSUPPORTED_EXCHANGE_TYPE, "UNSUPPORTED-EXCHANGE-TYPE" },
	{ ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS, "UNEQUAL-PAYLOAD-LENGTHS" },
	{ ISAKMP_N_CONNECTED, "CONNECTED" },
	{ ISAKMP_N_RESPONDER_LIFETIME, "RESPONDER-LIFETIME" },
	{ ISAKMP_N_REPLAY_STATUS, "REPLAY-STATUS" },
	{ ISAKMP_N_INITIAL_CONTACT, "INITIAL-CONTACT" },
	{ ISAKMP_N_DPD_R_U_THERE, "R-U-THERE" },
	{ ISAKMP_N_DPD_R_U_THERE_ACK, "R-U-THERE-ACK" },
};

const char *isakmp_exchange_name(uint8_t exchange)
{
	return ike_name_lookup(exchange_names, IKE_NAMES_N(exchange_names), exchange);
}

const char *isakmp_payload_name(uint8_t type)
{
	return ike_name_lookup(payload_names, IKE_NAMES_N(payload_names), type);
}

const char *isakmp_notify_name(uint16_t type)
{
	return ike_name_lookup(notify_names, IKE_NAMES_N(notify_names), type);
}

uint16_t isakmp_err_notify(int err)
{
	switch (err) {
	case IKE_E_VERSION:
		return ISAKMP_N_INVALID_MAJOR_VERSION;
	case IKE_E_PAYLOAD_TYPE:
		return ISAKMP_N_INVALID_PAYLOAD_TYPE;
	}
	return ISAKMP_N_PAYLOAD_MALFORMED;
}

static void describe_payload(struct ike_line *l, const struct ike_payload *pl)
{
	const char *name = isakmp_payload_name(pl->type);
	struct isakmp_notify n;

	if (pl->type == ISAKMP_PL_NOTIFY) {
		if (isakmp_decode_notify(pl, &n))
			ike_line_add(l, " N(?)");
		else if ((name = isakmp_notify_name(n.type)))
			ike_line_add(l, " N(%s)", name);
		else
			ike_line_add(l, " N(%u)", n.type);
		return;
	}
	if (name)
		ike_line_add(l, " %s", name);
	else
		ike_line_add(l, " %u", pl->type);
}

void isakmp_msg_describe(const struct isakmp_msg *m, char *out, size_t size)
{
	struct ike_line l = { out, size, 0 };
	const char *exchange = isakmp_exchange_name(m->hdr.exchange);
	unsigned int i;

	if (!size)
		return;
	out[0] = '\0';
	if (exchange)
		ike_line_add(&l, "%s", exchange);
	else
		ike_line_add(&l, "EXCHANGE(%u)", m->hdr.exchange);
	ike_line_add(&l, " msgid %08x", m->hdr.msgid);
	if ((m->hdr.flags & ISAKMP_FLAG_ENCRYPTION) && !m->n) {
		ike_line_add(&l, " encrypted");
		return;
	}
	ike_line_add(&l, " [");
	for (i = 0; i < m->n && i < IKE_MAX_PAYLOADS; i++)
		describe_payload(&l, &m->pl[i]);
	ike_line_add(&l, " ]");
}
