/* SPDX-License-Identifier: GPL-2.0 */
/* The daemon's log: stderr or syslog, by level. */
#ifndef SECTUN_IKED_LOG_H
#define SECTUN_IKED_LOG_H

#include <stdbool.h>

enum ike_log_level {
	IKE_LOG_ERR,
	IKE_LOG_WARN,
	IKE_LOG_INFO,
	IKE_LOG_DEBUG,		/* -d: each message's payload chain */
};

void ike_log_open(bool use_syslog, enum ike_log_level level);
void ike_log_set_level(enum ike_log_level level);
bool ike_log_enabled(enum ike_log_level level);
int ike_log_level_parse(const char *name, enum ike_log_level *level);
void ike_log(enum ike_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_err(...)	ike_log(IKE_LOG_ERR, __VA_ARGS__)
#define log_warn(...)	ike_log(IKE_LOG_WARN, __VA_ARGS__)
#define log_info(...)	ike_log(IKE_LOG_INFO, __VA_ARGS__)
#define log_debug(...)	ike_log(IKE_LOG_DEBUG, __VA_ARGS__)

#endif
