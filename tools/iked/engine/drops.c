// SPDX-License-Identifier: GPL-2.0
/*
 * Counting and rate-limited logging of dropped messages. Bounded output:
 * at most one line per reason a minute plus one summary line, whatever
 * arrives; every drop stays visible with -d.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "engine/drops.h"
#include "log.h"
#include "net.h"

#define SUMMARY_MS	60000

static const char *const names[IKE_DROP_MAX] = {
	[IKE_DROP_MALFORMED] = "malformed",
	[IKE_DROP_VERSION] = "unsupported IKE version",
	[IKE_DROP_UNKNOWN_SPI] = "unknown IKE SPI",
	[IKE_DROP_NO_GATEWAY] = "no gateway for the address",
	[IKE_DROP_UNENCRYPTED] = "unencrypted",
	[IKE_DROP_INTEGRITY] = "integrity check failed",
	[IKE_DROP_UNEXPECTED] = "unexpected response",
	[IKE_DROP_WINDOW] = "message ID out of window",
	[IKE_DROP_ALTERED] = "altered retransmission",
	[IKE_DROP_RULES] = "payloads not allowed",
	[IKE_DROP_INVALID] = "unusable response",
	[IKE_DROP_STATE] = "request out of sequence",
	[IKE_DROP_HALF_OPEN] = "half-open limit",
	[IKE_DROP_BAD_COOKIE] = "bad cookie",
	[IKE_DROP_FRAGMENT] = "fragment",
	[IKE_DROP_REFUSED] = "IKE_SA_INIT refused",
	[IKE_DROP_RESENDS] = "retransmission limit",
	[IKE_DROP_SA_LIMIT] = "IKE SA limit",
};

const char *ike_drop_name(enum ike_drop_reason r)
{
	return r < IKE_DROP_MAX ? names[r] : "?";
}

static void summarize(struct ike_timer *t)
{
	struct ike_drops *d = ike_timer_owner(t, struct ike_drops, summary);
	char line[512];
	size_t used = 0;
	unsigned int r;

	for (r = 0; r < IKE_DROP_MAX; r++) {
		/* The first of each minute was logged on its own. */
		if (d->window[r] > 1 && used < sizeof(line))
			used += snprintf(line + used, sizeof(line) - used, "%s%u %s",
					 used ? ", " : "", d->window[r] - 1, names[r]);
		d->window[r] = 0;
	}
	if (used)
		log_warn("dropped in the last minute besides those logged: %s", line);
}

void ike_drop(struct ike_drops *daemon, uint64_t *sa_counts, enum ike_drop_reason r,
	      const char *who, const struct sockaddr_storage *from, const char *fmt, ...)
{
	char text[256], addr[64];
	va_list ap;

	daemon->count[r]++;
	if (sa_counts)
		sa_counts[r]++;
	if (daemon->window[r] < UINT32_MAX)
		daemon->window[r]++;
	if (daemon->window[r] > 1 && !ike_log_enabled(IKE_LOG_DEBUG))
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (from)
		ike_sockaddr_str(from, addr, sizeof(addr));
	else
		snprintf(addr, sizeof(addr), "-");
	if (daemon->window[r] > 1) {
		log_debug("%s: dropped from %s (%s): %s", who, addr, names[r], text);
		return;
	}
	log_warn("%s: dropped from %s (%s): %s%s", who, addr, names[r], text,
		 ike_log_enabled(IKE_LOG_DEBUG) ? "" : "; more are summed up each minute");
	if (!daemon->summary.armed)
		ike_timer_set(&daemon->summary, SUMMARY_MS, summarize);
}
