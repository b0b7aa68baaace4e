// SPDX-License-Identifier: GPL-2.0
/*
 * Dead peer detection as Junos does it (dead-peer-detection): each
 * established IKE SA keeps track of when it last heard from the peer
 * (authenticated IKE messages, and packets its child SAs received, read
 * from the module's per-SA counters) and when it last sent, and once the
 * peer was silent for an interval the gateway's mode says whether to
 * probe:
 *
 *   optimized          we sent traffic during that interval
 *   probe-idle-tunnel  always (an idle tunnel is probed too)
 *   always-send        every interval, whatever flows
 *
 * A probe is an empty INFORMATIONAL request (RFC 7296 1.4), resent every
 * interval; after THRESHOLD of them without an answer the peer is dead:
 * the IKE SA and its children go, and the VPNs come back as their
 * establish-tunnels says (vpn.c).
 */
#include <inttypes.h>
#include <linux/sectun.h>
#include <stdio.h>

#include "child.h"
#include "ike_sa.h"
#include "ikev1/ikev1.h"
#include "ikev2/exchanges.h"
#include "kernel.h"
#include "log.h"

static int dpd_build_request(struct ike_xchg *x, struct ike_writer *w)
{
	(void)x;
	return w->err;	/* nothing: the answer is the proof of life */
}

static enum ike_xchg_status dpd_process_response(struct ike_xchg *x, struct ike_rx *rx)
{
	(void)rx;
	x->sa->dpd.answered++;
	log_debug("%s: the peer answered our liveness check", x->sa->gw->name);
	return IKE_XCHG_DONE;
}

const struct ike_xchg_ops ikev2_dpd_ops = {
	.name = "INFORMATIONAL (liveness check)",
	.exchange = IKE_INFORMATIONAL,
	.size = sizeof(struct ike_xchg),
	.needs_established = true,
	.liveness = true,
	.build_request = dpd_build_request,
	.process_response = dpd_process_response,
};

/*
 * Whether C's SAs carried packets since the last look (DIR's SA), the
 * counters remembered for the next one. A child first seen counts if it
 * carried anything at all.
 */
static bool child_moved(struct child_sa *c, int dir)
{
	uint64_t *seen = dir == SECTUN_DIR_IN ? &c->dpd_seen_in : &c->dpd_seen_out;
	uint64_t now;

	if (!c->installed || ike_kernel_sa_packets(c, dir, &now) || now == *seen)
		return false;
	*seen = now;
	return true;
}

static void traffic(struct ike_sa *sa, bool *in, bool *out)
{
	struct child_sa *c;

	*in = *out = false;
	for (c = sa->children; c; c = c->next) {
		*in |= child_moved(c, SECTUN_DIR_IN);
		/* A retiring child's outbound SA is gone already. */
		if (c->state != CHILD_RETIRING)
			*out |= child_moved(c, SECTUN_DIR_OUT);
	}
}

/*
 * Whether to probe now, NOW_MS, that nothing came from the peer for an
 * interval. Optimized: only if we sent during that interval, so that an
 * idle tunnel costs nothing.
 */
static bool want_probe(const struct ike_sa *sa, uint64_t now_ms)
{
	uint64_t interval = (uint64_t)sa->gw->dpd.interval * 1000;

	switch (sa->gw->dpd.mode) {
	case IKED_DPD_OPTIMIZED:
		return now_ms - sa->dpd.heard_ms >= interval &&
		       now_ms - sa->dpd.sent_ms < interval;
	case IKED_DPD_PROBE_IDLE:
		return now_ms - sa->dpd.heard_ms >= interval;
	case IKED_DPD_ALWAYS:
		return now_ms - sa->dpd.probe_ms >= interval;
	case IKED_DPD_OFF:
		break;
	}
	return false;
}

static int probe(struct ike_sa *sa, uint64_t now_ms)
{
	struct ike_xchg *x;

	/* One at a time; an exchange in flight is its own liveness check. */
	if (ike_xchg_pending(sa, &ikev2_dpd_ops))
		return 0;
	x = ike_xchg_new(&ikev2_dpd_ops, sa);
	if (!x)
		return -1;
	x->resend_ms = sa->gw->dpd.interval * 1000;
	x->resend_tries = sa->gw->dpd.threshold - 1;
	sa->dpd.sent++;
	sa->dpd.probe_ms = now_ms;
	log_debug("%s: nothing heard from the peer for %" PRIu64 " s: checking it is alive",
		  sa->gw->name, (now_ms - sa->dpd.heard_ms) / 1000);
	return ike_xchg_queue(sa, x, false);
}

/*
 * Counters are read DPD_LOOKS times an interval: a peer that falls silent
 * is probed at most a quarter interval late, and found dead within
 * (threshold + 1) intervals of its last sign of life, plus that quarter.
 */
#define DPD_LOOKS	4

static void dpd_due(struct ike_timer *t)
{
	struct ike_sa *sa = ike_timer_owner(t, struct ike_sa, dpd.timer);
	uint64_t now = ike_now_ms(), interval = (uint64_t)sa->gw->dpd.interval * 1000, since;
	bool heard, sent;

	ike_timer_set(t, interval / DPD_LOOKS, dpd_due);
	if (sa->state != IKE_SA_ESTABLISHED || sa->rekeyed)
		return;
	traffic(sa, &heard, &sent);
	if (heard)
		sa->dpd.heard_ms = now;
	if (sent)
		sa->dpd.sent_ms = now;
	/*
	 * An exchange in flight is a probe of its own, and no probe of ours
	 * waits behind it: unanswered, it makes the peer dead in the same time
	 * as a probe would (or sooner, by its own retransmissions).
	 */
	if (sa->xchg.active && sa->xchg.active->ops != &ikev2_dpd_ops) {
		since = sa->xchg.sent_ms > sa->dpd.heard_ms ? sa->xchg.sent_ms : sa->dpd.heard_ms;
		if (now - since >= (sa->gw->dpd.threshold + 1) * interval + interval / DPD_LOOKS) {
			log_warn("%s: dead peer: %s unanswered, nothing heard for %" PRIu64 " s",
				 sa->gw->name, sa->xchg.active->ops->name,
				 (now - sa->dpd.heard_ms) / 1000);
			ike_sa_kill(sa, "dead peer (no answer)");
		}
		return;
	}
	if (!want_probe(sa, now))
		return;
	if (sa->version == 1)
		ikev1_dpd_probe(sa, now);
	else
		probe(sa, now);
}

void ikev2_dpd_start(struct ike_sa *sa)
{
	sa->dpd.heard_ms = sa->dpd.probe_ms = ike_now_ms();
	if (sa->gw->dpd.mode == IKED_DPD_OFF)
		return;
	ike_timer_set(&sa->dpd.timer, (uint64_t)sa->gw->dpd.interval * 1000 / DPD_LOOKS,
		      dpd_due);
}

void ikev2_dpd_heard(struct ike_sa *sa)
{
	sa->dpd.heard_ms = ike_now_ms();
}
