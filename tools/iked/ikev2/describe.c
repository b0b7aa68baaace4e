// SPDX-License-Identifier: GPL-2.0
/*
 * One-line summaries of parsed IKEv2 messages for the daemon's log:
 * exchange, direction, message ID and the payload chain. Only names and
 * numbers are printed, never the content of keys, nonces or AUTH data.
 */
#include "ikev2/codec.h"
#include "lines.h"

static const struct ike_name exchange_names[] = {
	{ IKE_SA_INIT, "IKE_SA_INIT" },
	{ IKE_AUTH, "IKE_AUTH" },
	{ IKE_CREATE_CHILD_SA, "CREATE_CHILD_SA" },
	{ IKE_INFORMATIONAL, "INFORMATIONAL" },
};

/* Short forms, so that a whole exchange fits on a log line. */
static const struct ike_name payload_names[] = {
	{ IKE_PL_SA, "SA" },
	{ IKE_PL_KE, "KE" },
	{ IKE_PL_IDI, "IDi" },
	{ IKE_PL_IDR, "IDr" },
	{ IKE_PL_CERT, "CERT" },
	{ IKE_PL_CERTREQ, "CERTREQ" },
	{ IKE_PL_AUTH, "AUTH" },
	{ IKE_PL_NONCE, "No" },
	{ IKE_PL_NOTIFY, "N" },
	{ IKE_PL_DELETE, "D" },
	{ IKE_PL_VENDOR, "V" },
	{ IKE_PL_TSI, "TSi" },
	{ IKE_PL_TSR, "TSr" },
	{ IKE_PL_SK, "SK" },
	{ IKE_PL_CP, "CP" },
	{ IKE_PL_EAP, "EAP" },
	{ IKE_PL_SKF, "SKF" },
};

static const struct ike_name notify_names[] = {
	{ IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD, "UNSUPP_CRIT" },
	{ IKE_N_INVALID_IKE_SPI, "INVAL_IKE_SPI" },
	{ IKE_N_INVALID_MAJOR_VERSION, "INVAL_MAJOR" },
	{ IKE_N_INVALID_SYNTAX, "INVAL_SYNTAX" },
	{ IKE_N_INVALID_MESSAGE_ID, "INVAL_MID" },
	{ IKE_N_INVALID_SPI, "INVAL_SPI" },
	{ IKE_N_NO_PROPOSAL_CHOSEN, "NO_PROP" },
	{ IKE_N_INVALID_KE_PAYLOAD, "INVAL_KE" },
	{ IKE_N_AUTHENTICATION_FAILED, "AUTH_FAILED" },
	{ IKE_N_SINGLE_PAIR_REQUIRED, "SINGLE_PAIR" },
	{ IKE_N_NO_ADDITIONAL_SAS, "NO_ADD_SAS" },
	{ IKE_N_INTERNAL_ADDRESS_FAILURE, "INT_ADDR_FAIL" },
	{ IKE_N_FAILED_CP_REQUIRED, "FAIL_CP_REQ" },
	{ IKE_N_TS_UNACCEPTABLE, "TS_UNACCEPT" },
	{ IKE_N_INVALID_SELECTORS, "INVAL_SEL" },
	{ IKE_N_TEMPORARY_FAILURE, "TEMP_FAIL" },
	{ IKE_N_CHILD_SA_NOT_FOUND, "NO_CHILD_SA" },
	{ IKE_N_INITIAL_CONTACT, "INIT_CONTACT" },
	{ IKE_N_SET_WINDOW_SIZE, "SET_WINSIZE" },
	{ IKE_N_ADDITIONAL_TS_POSSIBLE, "ADD_TS_POSS" },
	{ IKE_N_IPCOMP_SUPPORTED, "IPCOMP_SUP" },
	{ IKE_N_NAT_DETECTION_SOURCE_IP, "NATD_S_IP" },
	{ IKE_N_NAT_DETECTION_DESTINATION_IP, "NATD_D_IP" },
	{ IKE_N_COOKIE, "COOKIE" },
	{ IKE_N_USE_TRANSPORT_MODE, "USE_TRANSP" },
	{ IKE_N_HTTP_CERT_LOOKUP_SUPPORTED, "HTTP_CERT_LOOKUP" },
	{ IKE_N_REKEY_SA, "REKEY_SA" },
	{ IKE_N_ESP_TFC_PADDING_NOT_SUPPORTED, "NO_TFC_PAD" },
	{ IKE_N_NON_FIRST_FRAGMENTS_ALSO, "NON_FIRST_FRAG" },
	{ IKE_N_MOBIKE_SUPPORTED, "MOBIKE_SUP" },
	{ IKE_N_MULTIPLE_AUTH_SUPPORTED, "MULT_AUTH" },
	{ IKE_N_ANOTHER_AUTH_FOLLOWS, "AUTH_FOLLOWS" },
	{ IKE_N_REDIRECT_SUPPORTED, "REDIR_SUP" },
	{ IKE_N_CHILDLESS_IKEV2_SUPPORTED, "CHILDLESS_SUP" },
	{ IKE_N_IKEV2_FRAGMENTATION_SUPPORTED, "FRAG_SUP" },
	{ IKE_N_SIGNATURE_HASH_ALGORITHMS, "HASH_ALG" },
};

const char *ike_exchange_name(uint8_t exchange)
{
	return ike_name_lookup(exchange_names, IKE_NAMES_N(exchange_names), exchange);
}

const char *ike_payload_name(uint8_t type)
{
	return ike_name_lookup(payload_names, IKE_NAMES_N(payload_names), type);
}

const char *ike_notify_name(uint16_t type)
{
	return ike_name_lookup(notify_names, IKE_NAMES_N(notify_names), type);
}

static void describe_notify(struct ike_line *l, const struct ike_payload *pl)
{
	struct ike_notify n;
	const char *name;

	if (ike_decode_notify(pl, &n)) {
		ike_line_add(l, " N(?)");
		return;
	}
	name = ike_notify_name(n.type);
	if (name)
		ike_line_add(l, " N(%s)", name);
	else
		ike_line_add(l, " N(%u)", n.type);
}

static void describe_payload(struct ike_line *l, const struct ike_payload *pl)
{
	const char *name = ike_payload_name(pl->type);
	uint16_t num, total;
	const uint8_t *rest;
	size_t len;

	switch (pl->type) {
	case IKE_PL_NOTIFY:
		describe_notify(l, pl);
		return;
	case IKE_PL_SKF:
		if (!ike_decode_skf(pl, &num, &total, &rest, &len)) {
			ike_line_add(l, " SKF(%u/%u)", num, total);
			return;
		}
		break;
	}
	if (name)
		ike_line_add(l, " %s", name);
	else
		ike_line_add(l, " %u", pl->type);
}

void ike_msg_describe(const struct ike_msg *m, char *out, size_t size)
{
	struct ike_line l = { out, size, 0 };
	const char *exchange = ike_exchange_name(m->hdr.exchange);
	unsigned int i;

	if (!size)
		return;
	out[0] = '\0';
	if (exchange)
		ike_line_add(&l, "%s", exchange);
	else
		ike_line_add(&l, "EXCHANGE(%u)", m->hdr.exchange);
	ike_line_add(&l, " %s %u [", m->hdr.flags & IKE_FLAG_RESPONSE ? "response" : "request",
		 m->hdr.msgid);
	for (i = 0; i < m->n && i < IKE_MAX_PAYLOADS; i++)
		describe_payload(&l, &m->pl[i]);
	ike_line_add(&l, " ]");
}

const char *ike_error_name(uint16_t type)
{
	static const struct ike_name names[] = {
		{ IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD, "UNSUPPORTED_CRITICAL_PAYLOAD" },
		{ IKE_N_INVALID_IKE_SPI, "INVALID_IKE_SPI" },
		{ IKE_N_INVALID_MAJOR_VERSION, "INVALID_MAJOR_VERSION" },
		{ IKE_N_INVALID_SYNTAX, "INVALID_SYNTAX" },
		{ IKE_N_INVALID_MESSAGE_ID, "INVALID_MESSAGE_ID" },
		{ IKE_N_INVALID_SPI, "INVALID_SPI" },
		{ IKE_N_NO_PROPOSAL_CHOSEN, "NO_PROPOSAL_CHOSEN" },
		{ IKE_N_INVALID_KE_PAYLOAD, "INVALID_KE_PAYLOAD" },
		{ IKE_N_AUTHENTICATION_FAILED, "AUTHENTICATION_FAILED" },
		{ IKE_N_SINGLE_PAIR_REQUIRED, "SINGLE_PAIR_REQUIRED" },
		{ IKE_N_NO_ADDITIONAL_SAS, "NO_ADDITIONAL_SAS" },
		{ IKE_N_INTERNAL_ADDRESS_FAILURE, "INTERNAL_ADDRESS_FAILURE" },
		{ IKE_N_FAILED_CP_REQUIRED, "FAILED_CP_REQUIRED" },
		{ IKE_N_TS_UNACCEPTABLE, "TS_UNACCEPTABLE" },
		{ IKE_N_INVALID_SELECTORS, "INVALID_SELECTORS" },
		{ IKE_N_TEMPORARY_FAILURE, "TEMPORARY_FAILURE" },
		{ IKE_N_CHILD_SA_NOT_FOUND, "CHILD_SA_NOT_FOUND" },
	};
	return ike_name_lookup(names, IKE_NAMES_N(names), type) ?: ike_notify_name(type) ?:
	       "an error notify";
}

uint16_t ike_msg_error(const struct ike_msg *m)
{
	const struct ike_payload *pl = NULL;
	struct ike_notify n;

	while ((pl = ike_msg_find(m, IKE_PL_NOTIFY, pl)))
		if (!ike_decode_notify(pl, &n) && n.type <= IKE_N_ERROR_MAX)
			return n.type;
	return 0;
}
