// SPDX-License-Identifier: GPL-2.0
/*
 * IKEv2 fragmentation (RFC 7383) between two engines: a large message
 * goes in fragments and comes out whole; reordered, duplicated, forged,
 * re-cut and never-completed fragments each do what the RFC says, are
 * counted, and leave nothing behind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine_pair.h"
#include "ikev2/codec.h"
#include "ikev2/exchanges.h"
#include "ikev2/fragment.h"
#include "ikev2/ikev2.h"
#include "ikev2/message.h"
#include "log.h"

#define A_ADDR	"192.0.2.1"
#define B_ADDR	"192.0.2.2"

#define CONF(local, peer, gw_extra, lts, rts) \
	"gateways = ( { name = \"peer\"; address = \"" peer "\"; local-address = \"" local "\";" \
	" psk = \"fragment test secret\"; proposals = \"aes128gcm16-prfsha256-x25519\";" \
	" retransmit-timeout-ms = 500; retransmit-tries = 3; " gw_extra " } );\n" \
	"vpns = ( { name = \"v\"; gateway = \"peer\"; bind-interface = \"st0\";" \
	" proposals = \"aes128gcm16\"; establish-tunnels = \"immediately\";" \
	" traffic-selectors = ( { local = \"" lts "\"; remote = \"" rts "\"; } ); } );\n"

#define CONF_A(extra)	CONF(A_ADDR, B_ADDR, extra, "10.1.0.0/16", "10.2.0.0/16")
#define CONF_B(extra)	CONF(B_ADDR, A_ADDR, extra, "10.2.0.0/16", "10.1.0.0/16")

#define BIG	3000	/* bytes of notify data: seven fragments at 576 */

static int setup_with(void **state, const char *a_conf, const char *b_conf)
{
	return pair_setup(state, a_conf, b_conf);
}

static int setup(void **state)
{
	return setup_with(state, CONF_A(""), CONF_B(""));
}

static int setup_b_off(void **state)
{
	return setup_with(state, CONF_A(""), CONF_B("fragmentation = false;"));
}

static int teardown(void **state)
{
	return pair_teardown(state);
}

static void establish(struct pair *p)
{
	peer_use(&p->a);
	assert_int_equal(ikev2_initiate(&p->a.cfg.vpn[0], 0), 0);
	pump(&p->a, &p->b);
	assert_non_null(peer_sa(&p->a, 0));
	assert_int_equal(peer_sa(&p->a, 0)->state, IKE_SA_ESTABLISHED);
	assert_int_equal(peer_sa(&p->b, 0)->state, IKE_SA_ESTABLISHED);
}

/* An INFORMATIONAL with one large status notify nobody knows. */
struct big_xchg {
	struct ike_xchg x;
	bool answered;
};

static int big_build(struct ike_xchg *x, struct ike_writer *w)
{
	static uint8_t body[4 + BIG];

	(void)x;
	body[2] = 0x9c;		/* status type 40000 */
	body[3] = 0x40;
	ike_w_payload(w, IKE_PL_NOTIFY, false, body, sizeof(body));
	return w->err;
}

static enum ike_xchg_status big_response(struct ike_xchg *x, struct ike_rx *rx)
{
	(void)rx;
	((struct big_xchg *)x)->answered = true;
	return IKE_XCHG_DONE;
}

static bool big_answered;

static void big_destroy(struct ike_xchg *x)
{
	big_answered = ((struct big_xchg *)x)->answered;
}

static const struct ike_xchg_ops big_ops = {
	.name = "big", .exchange = IKE_INFORMATIONAL, .size = sizeof(struct big_xchg),
	.needs_established = true, .build_request = big_build,
	.process_response = big_response, .destroy = big_destroy,
};

/* The big notify as an inner chain, in W over a static buffer. */
static void big_inner(struct ike_writer *w)
{
	static uint8_t inner[8 + BIG];
	uint8_t body[4 + BIG] = { 0, 0, 0x9c, 0x40 };

	ike_w_init(w, inner, sizeof(inner));
	ike_w_payload(w, IKE_PL_NOTIFY, false, body, sizeof(body));
}

/* W's next datagram into DG (from *OFF on; its addresses untouched). */
static void next_datagram(const struct ike_wire *w, unsigned int i, size_t *off,
			  struct datagram *dg)
{
	dg->buf = w->buf + *off;
	dg->len = w->sizes[i];
	*off += dg->len;
}

/* a queues the big request; its datagrams, in order, into DG[] (up to MAX). */
static unsigned int send_big(struct pair *p, struct datagram **dg, unsigned int max)
{
	struct ike_sa *a = peer_sa(&p->a, 0);
	unsigned int n = 0;

	peer_use(&p->a);
	big_answered = false;
	assert_int_equal(ike_xchg_queue(a, ike_xchg_new(&big_ops, a), false), 0);
	while (n < max && (dg[n] = peer_pop(&p->a)))
		n++;
	return n;
}

static void free_all(struct datagram **dg, unsigned int n)
{
	while (n--)
		datagram_free(dg[n]);
}

/* The request in seven sealed fragments, reassembled and answered once. */
static void test_fragments_roundtrip(void **state)
{
	struct pair *p = *state;
	struct datagram *dg[16];
	struct ike_sa *a, *b;
	unsigned int n, i;

	establish(p);
	a = peer_sa(&p->a, 0);
	b = peer_sa(&p->b, 0);
	assert_true(a->peer.fragmentation && b->peer.fragmentation);
	n = send_big(p, dg, 16);
	assert_int_equal(n, 7);
	for (i = 0; i < n; i++) {
		assert_true(dg[i]->len <= 576 - 28);
		assert_int_equal(dg[i]->buf[16], IKE_PL_SKF);
	}
	for (i = 0; i < n; i++)
		deliver(&p->b, dg[i]);
	free_all(dg, n);
	assert_int_equal(b->frags.received, 7);
	assert_int_equal(b->frags.reassembled, 1);
	assert_null(b->frag[0]);
	pump(&p->a, &p->b);
	assert_true(big_answered);
	assert_int_equal(a->frags.sent, 7);
}

/* Reversed, with a duplicate in the middle: one message, once. */
static void test_fragments_reordered(void **state)
{
	struct pair *p = *state;
	struct datagram *dg[16];
	struct ike_sa *b;
	unsigned int n, i;

	establish(p);
	b = peer_sa(&p->b, 0);
	n = send_big(p, dg, 16);
	for (i = n; i-- > 1;) {
		deliver(&p->b, dg[i]);
		if (i == 3)
			deliver(&p->b, dg[i]);
	}
	assert_non_null(b->frag[0]);
	assert_int_equal(b->frag[0]->have, n - 1);
	deliver(&p->b, dg[0]);
	assert_int_equal(b->frags.reassembled, 1);
	assert_null(b->frag[0]);
	/* The first fragment again: the answer again; any other: nothing. */
	peer_drop_all(&p->b);
	deliver(&p->b, dg[2]);
	assert_null(peer_pop(&p->b));
	deliver(&p->b, dg[0]);
	pump(&p->a, &p->b);
	assert_true(big_answered);
	assert_int_equal(b->frags.reassembled, 1);
	free_all(dg, n);
	assert_int_equal(peer_sa(&p->b, 0)->state, IKE_SA_ESTABLISHED);
}

/* A fragment whose ICV does not check: dropped, counted, not kept. */
static void test_fragment_bad_icv(void **state)
{
	struct pair *p = *state;
	struct datagram *dg[16];
	struct ike_sa *b;
	unsigned int n, i;

	establish(p);
	b = peer_sa(&p->b, 0);
	n = send_big(p, dg, 16);
	dg[1]->buf[dg[1]->len - 1] ^= 1;
	for (i = 0; i < n; i++)
		deliver(&p->b, dg[i]);
	assert_int_equal(b->stats.dropped[IKE_DROP_INTEGRITY], 1);
	assert_int_equal(b->frags.reassembled, 0);
	assert_int_equal(b->frag[0]->have, n - 1);
	/* The good one, retransmitted by a, completes it. */
	dg[1]->buf[dg[1]->len - 1] ^= 1;
	deliver(&p->b, dg[1]);
	assert_int_equal(b->frags.reassembled, 1);
	free_all(dg, n);
}

/*
 * The same message cut anew into more fragments (a smaller size, as
 * after a PMTU problem): what was kept goes and the new cut wins; a
 * fragment of the old, coarser cut is then dropped.
 */
static void test_fragment_recut(void **state)
{
	struct pair *p = *state;
	struct datagram *dg[16], more;
	struct ike_wire fine;
	struct ike_writer w;
	struct ike_sa *a, *b;
	unsigned int n, i;
	size_t off = 0;

	establish(p);
	a = peer_sa(&p->a, 0);
	b = peer_sa(&p->b, 0);
	n = send_big(p, dg, 16);
	deliver(&p->b, dg[0]);
	deliver(&p->b, dg[1]);
	assert_int_equal(b->frag[0]->total, n);
	/* Cut again at 450 bytes of payload: more fragments, same message ID. */
	peer_use(&p->a);
	big_inner(&w);
	assert_int_equal(ikev2_frag_build(a, IKE_INFORMATIONAL, false, a->xchg.active->msgid,
					  &w, 500, &fine), 0);
	assert_true(fine.n > n);
	more = *dg[0];
	for (i = 0; i < fine.n; i++) {
		next_datagram(&fine, i, &off, &more);
		deliver(&p->b, &more);
		if (i == 0) {
			assert_int_equal(b->frag[0]->total, fine.n);
			assert_int_equal(b->frag[0]->have, 1);
			/* The coarser cut's fragment: fewer in all, dropped. */
			deliver(&p->b, dg[2]);
			assert_int_equal(b->stats.dropped[IKE_DROP_FRAGMENT], 1);
		}
	}
	assert_int_equal(b->frags.reassembled, 1);
	ike_wire_free(&fine);
	free_all(dg, n);
	pump(&p->a, &p->b);
	assert_true(big_answered);
}

/* A response in fragments (b answers a's request so) comes out whole too. */
static void test_fragmented_response(void **state)
{
	struct pair *p = *state;
	struct datagram *dg[16], part;
	struct ike_writer w;
	struct ike_wire answer;
	struct ike_sa *a, *b;
	unsigned int n, i;
	size_t off = 0;

	establish(p);
	a = peer_sa(&p->a, 0);
	b = peer_sa(&p->b, 0);
	n = send_big(p, dg, 16);
	peer_use(&p->b);
	big_inner(&w);
	assert_int_equal(ikev2_frag_build(b, IKE_INFORMATIONAL, true, a->xchg.active->msgid, &w,
					  576, &answer), 0);
	part.from = b->local;
	part.to = b->remote;
	for (i = 0; i < answer.n; i++) {
		next_datagram(&answer, i, &off, &part);
		deliver(&p->a, &part);
		if (i + 1 < answer.n)
			assert_false(big_answered);
	}
	assert_true(big_answered);
	assert_int_equal(a->frags.reassembled, 1);
	assert_null(a->frag[1]);
	assert_int_equal(p->a.d.frag_bytes, 0);
	ike_wire_free(&answer);
	free_all(dg, n);
}

/* A forged fragment claiming more fragments: dropped, what was kept stays. */
static void test_forged_recut_ignored(void **state)
{
	struct pair *p = *state;
	struct datagram *dg[16];
	struct ike_sa *b;
	unsigned int n;

	establish(p);
	b = peer_sa(&p->b, 0);
	n = send_big(p, dg, 16);
	deliver(&p->b, dg[0]);
	deliver(&p->b, dg[1]);
	dg[2]->buf[28 + 4 + 3] = n + 3;		/* Total Fragments up: the ICV fails */
	deliver(&p->b, dg[2]);
	assert_int_equal(b->stats.dropped[IKE_DROP_INTEGRITY], 1);
	assert_int_equal(b->frag[0]->total, n);
	assert_int_equal(b->frag[0]->have, 2);
	free_all(dg, n);
}

/* A replayed first fragment brings a fragmented answer at most once a second. */
static void test_resend_rate(void **state)
{
	struct pair *p = *state;
	struct datagram *dg[16], *out;
	struct ike_writer w;
	struct ike_sa *b;
	unsigned int n, i, got = 0;

	establish(p);
	b = peer_sa(&p->b, 0);
	n = send_big(p, dg, 16);
	for (i = 0; i < n; i++)
		deliver(&p->b, dg[i]);
	peer_drop_all(&p->b);
	/* As if b's cached answer had been a large one, in fragments. */
	peer_use(&p->b);
	big_inner(&w);
	ike_wire_free(&b->xchg.resp);
	assert_int_equal(ikev2_frag_build(b, IKE_INFORMATIONAL, true, b->xchg.resp_msgid, &w,
					  576, &b->xchg.resp), 0);
	for (i = 0; i < 3; i++)
		deliver(&p->b, dg[0]);
	while ((out = peer_pop(&p->b))) {
		got++;
		datagram_free(out);
	}
	assert_int_equal(got, b->xchg.resp.n);
	assert_int_equal(b->stats.dropped[IKE_DROP_RESENDS], 2);
	advance(&p->a, &p->b, 1000);
	peer_drop_all(&p->a);
	peer_drop_all(&p->b);
	deliver(&p->b, dg[0]);
	for (got = 0; (out = peer_pop(&p->b)); got++)
		datagram_free(out);
	assert_int_equal(got, b->xchg.resp.n);
	free_all(dg, n);
}

/* Never completed: gone after the timeout, counted, memory back. */
static void test_fragment_never_completed(void **state)
{
	struct pair *p = *state;
	struct datagram *dg[16];
	struct ike_sa *b;
	unsigned int n, i;

	establish(p);
	b = peer_sa(&p->b, 0);
	n = send_big(p, dg, 16);
	for (i = 0; i + 1 < n; i++)
		deliver(&p->b, dg[i]);
	assert_non_null(b->frag[0]);
	peer_drop_all(&p->a);
	advance(&p->a, &p->b, IKE_FRAG_TIMEOUT_MS - 1000);
	peer_drop_all(&p->a);
	advance(&p->a, &p->b, 2000);
	assert_int_equal(b->frags.expired, 1);
	assert_null(b->frag[0]);
	assert_int_equal(p->b.d.frag_bytes, 0);
	assert_int_equal(b->stats.dropped[IKE_DROP_FRAGMENT], 1);
	free_all(dg, n);
}

/* A forged fragment that claims a huge total is refused before it costs memory. */
static void test_fragment_limits(void **state)
{
	struct pair *p = *state;
	struct datagram *dg[16];
	struct ike_sa *b;
	unsigned int n;

	establish(p);
	b = peer_sa(&p->b, 0);
	n = send_big(p, dg, 16);
	/* Total Fragments sits after the header (28), the SKF header and Fragment Number. */
	dg[0]->buf[28 + 4 + 2] = 0x7f;
	deliver(&p->b, dg[0]);
	assert_null(b->frag[0]);
	assert_int_equal(b->stats.dropped[IKE_DROP_FRAGMENT], 1);
	free_all(dg, n);
}

/* A peer that announced no support gets the message whole. */
static void test_no_fragments_unannounced(void **state)
{
	struct pair *p = *state;
	struct datagram *dg[16];
	unsigned int n;

	establish(p);
	assert_false(peer_sa(&p->a, 0)->peer.fragmentation);
	n = send_big(p, dg, 16);
	assert_int_equal(n, 1);
	assert_int_equal(dg[0]->buf[16], IKE_PL_SK);
	deliver(&p->b, dg[0]);
	free_all(dg, n);
	pump(&p->a, &p->b);
	assert_true(big_answered);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fragments_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fragments_reordered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fragment_bad_icv, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fragment_recut, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fragment_never_completed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fragmented_response, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forged_recut_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resend_rate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fragment_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_fragments_unannounced, setup_b_off,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
