// SPDX-License-Identifier: GPL-2.0
/* Failure reasons of the OpenSSL-backed layers, shared by cert.c and sign.c. */
#include <stdio.h>
#include <openssl/err.h>

#include "ossl_err.h"

int ike_ossl_fail(char *buf, size_t len, int ret, const char *fmt, va_list ap)
{
	vsnprintf(buf, len, fmt, ap);
	/* What OpenSSL queued is in the message or irrelevant: no leftovers. */
	ERR_clear_error();
	return ret;
}

const char *ike_ossl_reason(void)
{
	const char *r = ERR_reason_error_string(ERR_peek_last_error());

	return r ? r : "unknown error";
}
