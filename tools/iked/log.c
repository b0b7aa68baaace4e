// SPDX-License-Identifier: GPL-2.0
/* The daemon's log: stderr (with a timestamp) or syslog, by level. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static bool log_syslog;
static enum ike_log_level log_level = IKE_LOG_INFO;

static const char *const level_names[] = {
	[IKE_LOG_ERR] = "error",
	[IKE_LOG_WARN] = "warning",
	[IKE_LOG_INFO] = "info",
	[IKE_LOG_DEBUG] = "debug",
};

void ike_log_open(bool use_syslog, enum ike_log_level level)
{
	log_syslog = use_syslog;
	log_level = level;
	if (use_syslog)
		openlog("sectun-iked", LOG_PID, LOG_DAEMON);
}

void ike_log_set_level(enum ike_log_level level)
{
	log_level = level;
}

bool ike_log_enabled(enum ike_log_level level)
{
	return level <= log_level;
}

int ike_log_level_parse(const char *name, enum ike_log_level *level)
{
	unsigned int i;

	for (i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (!strcmp(name, level_names[i])) {
			*level = i;
			return 0;
		}
	}
	return -1;
}

void ike_log(enum ike_log_level level, const char *fmt, ...)
{
	static const int prio[] = {
		[IKE_LOG_ERR] = LOG_ERR,
		[IKE_LOG_WARN] = LOG_WARNING,
		[IKE_LOG_INFO] = LOG_INFO,
		[IKE_LOG_DEBUG] = LOG_DEBUG,
	};
	struct timespec now;
	struct tm tm;
	va_list ap;

	if (!ike_log_enabled(level))
		return;
	va_start(ap, fmt);
	if (log_syslog) {
		vsyslog(prio[level], fmt, ap);
	} else {
		clock_gettime(CLOCK_REALTIME, &now);
		localtime_r(&now.tv_sec, &tm);
		fprintf(stderr, "%02d:%02d:%02d.%03ld %s: ", tm.tm_hour,
			tm.tm_min, tm.tm_sec, now.tv_nsec / 1000000,
			level_names[level]);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
}
