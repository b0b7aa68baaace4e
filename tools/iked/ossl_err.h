/* SPDX-License-Identifier: GPL-2.0 */
/* Failure reasons of the OpenSSL-backed layers (certificates, signatures). */
#ifndef SECTUN_IKED_OSSL_ERR_H
#define SECTUN_IKED_OSSL_ERR_H

#include <stdarg.h>
#include <stddef.h>

/* Formats the reason into BUF, clears OpenSSL's error queue, returns RET. */
int ike_ossl_fail(char *buf, size_t len, int ret, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
/* OpenSSL's reason for the last failure, read before ike_ossl_fail(). */
const char *ike_ossl_reason(void);

#endif
