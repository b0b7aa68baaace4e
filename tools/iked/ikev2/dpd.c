// SPDX-License-Identifier: GPL-2.0
/*
 * Dead peer detection as Junos does it (dead-peer-detection): every
 * interval each established IKE SA looks at what it heard from the peer
 * (authenticated IKE messages, and the packets its child SAs received,
 * read from the module's per-SA counters) and what it sent, and the
 * gateway's mode says whether to probe:
 *
 *   optimized          we sent traffic and heard nothing back
 *   probe-idle-tunnel  we heard nothing, whatever we sent
 *   always-send        every interval
 *
 * A probe is an empty INFORMATIONAL request (RFC 7296 1.4), resent every
 * interval; after THRESHOLD of them without an answer the peer is dead:
 * the IKE SA and its children go, and the VPNs come back as their
 * establish-tunnels says (vpn.c).
 */
#include <linux/sectun.h>
#include <stdio.h>

#include "child.h"
#include "ike_sa.h"
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

static bool want_probe(const struct ike_sa *sa, bool heard, bool sent)
{
	switch (sa->gw->dpd.mode) {
	case IKED_DPD_OPTIMIZED:
		return sent && !heard;
	case IKED_DPD_PROBE_IDLE:
		return !heard;
	case IKED_DPD_ALWAYS:
		return true;
	case IKED_DPD_OFF:
		break;
	}
	return false;
}

static int probe(struct ike_sa *sa)
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
	log_debug("%s: nothing heard from the peer for %u s: checking it is alive",
		  sa->gw->name, sa->gw->dpd.interval);
	return ike_xchg_queue(sa, x, false);
}

static void dpd_due(struct ike_timer *t)
{
	struct ike_sa *sa = ike_timer_owner(t, struct ike_sa, dpd.timer);
	uint64_t now = ike_now_ms();
	bool heard, sent;

	ike_timer_set(t, (uint64_t)sa->gw->dpd.interval * 1000, dpd_due);
	if (sa->state != IKE_SA_ESTABLISHED || sa->rekeyed)
		return;
	traffic(sa, &heard, &sent);
	if (heard)
		sa->dpd.heard_ms = now;
	heard |= sa->dpd.heard_ms > sa->dpd.last_look_ms;
	sa->dpd.last_look_ms = now;
	if (want_probe(sa, heard, sent))
		probe(sa);
}

void ikev2_dpd_start(struct ike_sa *sa)
{
	sa->dpd.heard_ms = sa->dpd.last_look_ms = ike_now_ms();
	if (sa->gw->dpd.mode == IKED_DPD_OFF)
		return;
	ike_timer_set(&sa->dpd.timer, (uint64_t)sa->gw->dpd.interval * 1000, dpd_due);
}

void ikev2_dpd_heard(struct ike_sa *sa)
{
	sa->dpd.heard_ms = ike_now_ms();
}
