/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Messages the engine refuses to act on, counted by reason: per IKE SA
 * once one is found, daemon-wide before. Each drop is a debug line; at
 * the normal levels the first of each reason in a minute is logged and
 * the rest summed up once a minute, so that a flood cannot fill the log.
 */
#ifndef SECTUN_IKED_ENGINE_DROPS_H
#define SECTUN_IKED_ENGINE_DROPS_H

#include <stdint.h>
#include <sys/socket.h>

#include "timer.h"

enum ike_drop_reason {
	IKE_DROP_MALFORMED,		/* does not parse */
	IKE_DROP_VERSION,		/* not IKEv2 */
	IKE_DROP_UNKNOWN_SPI,		/* no IKE SA of ours has those SPIs */
	IKE_DROP_NO_GATEWAY,		/* IKE_SA_INIT from an address no gateway names */
	IKE_DROP_UNENCRYPTED,		/* in the clear where it must be in SK */
	IKE_DROP_INTEGRITY,		/* the SK payload failed its integrity check */
	IKE_DROP_UNEXPECTED,		/* a response that answers no request in flight */
	IKE_DROP_WINDOW,		/* a request outside the message ID window */
	IKE_DROP_ALTERED,		/* a "retransmission" that differs from the request */
	IKE_DROP_RULES,			/* payloads the exchange may not carry */
	IKE_DROP_INVALID,		/* a response whose content we cannot use */
	IKE_DROP_STATE,			/* a request that makes no sense now (answered) */
	IKE_DROP_HALF_OPEN,		/* a half-open limit is reached */
	IKE_DROP_BAD_COOKIE,		/* a COOKIE we did not make, or an old one */
	IKE_DROP_FRAGMENT,		/* an SKF we cannot use: too many, too late, unannounced */
	IKE_DROP_REFUSED,		/* an IKE_SA_INIT refused (answered, no state kept) */
	IKE_DROP_RESENDS,		/* a request retransmitted too often from elsewhere */
	IKE_DROP_SA_LIMIT,		/* a gateway's IKE SA limit is reached */
	IKE_DROP_MAX
};

struct ike_drops {
	uint64_t count[IKE_DROP_MAX];		/* since start */
	uint32_t window[IKE_DROP_MAX];		/* in this minute */
	struct ike_timer summary;
};

/* "unencrypted", "integrity check failed", ... */
const char *ike_drop_name(enum ike_drop_reason r);

/*
 * Count a drop in DAEMON (and in SA_COUNTS when an IKE SA took the
 * message) and log it as the rate limit allows. WHO names the gateway or
 * "-", FROM the sender.
 */
void ike_drop(struct ike_drops *daemon, uint64_t *sa_counts, enum ike_drop_reason r,
	      const char *who, const struct sockaddr_storage *from, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

#endif
