// SPDX-License-Identifier: GPL-2.0
/*
 * IKEv1 between two engines (engine_pair.h): main mode and quick mode in
 * both roles, proxy IDs, PFS, deletes, DPD and rekeys, and what a peer
 * or an attacker sends that must change nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "child.h"
#include "config.h"
#include "engine_pair.h"
#include "ikev1/ikev1.h"
#include "ikev1/state.h"
#include "ikev2/exchanges.h"
#include "ikev2/ikev2.h"
#include "log.h"
#include "net.h"
#include "pki/cert.h"
#include "reload.h"
#include "vpn.h"

#define A_ADDR	"192.0.2.1"
#define B_ADDR	"192.0.2.2"

#define CONF_LIFE(local, peer, psk, props, vprops, sels, gw_extra, vpn_life) \
	"gateways = ( { name = \"peer\"; version = 1; address = \"" peer "\";" \
	" local-address = \"" local "\"; psk = \"" psk "\"; proposals = [ " props " ];" \
	" retransmit-timeout-ms = 500; retransmit-tries = 3; " gw_extra " } );\n" \
	"vpns = ( { name = \"v\"; gateway = \"peer\"; bind-interface = \"st0\";" \
	" proposals = " vprops "; establish-tunnels = \"immediately\"; lifetime = " vpn_life ";" \
	" traffic-selectors = ( " sels " ); } );\n"
#define CONF(local, peer, psk, props, vprops, sels, gw_extra) \
	CONF_LIFE(local, peer, psk, props, vprops, sels, gw_extra, "60")

#define SEL(l, r)	"{ local = \"" l "\"; remote = \"" r "\"; }"
#define SEL_A		SEL("10.1.0.0/16", "10.2.0.0/16")
#define SEL_B		SEL("10.2.0.0/16", "10.1.0.0/16")
#define PSK		"ikev1 test secret"
#define P1		"\"aes256-sha384-ecp384\""
#define P2		"\"aes256gcm16-ecp384\""

static int setup_with(void **state, const char *a, const char *b)
{
	return pair_setup(state, a, b);
}

static int setup(void **state)
{
	return setup_with(state, CONF(A_ADDR, B_ADDR, PSK, P1, P2, SEL_A, ""),
			  CONF(B_ADDR, A_ADDR, PSK, P1, P2, SEL_B, ""));
}

/* RFC 2409's mandatory suite: 3DES, SHA-1, MODP-1024; ESP 3DES/HMAC-SHA1 without PFS. */
static int setup_legacy(void **state)
{
	return setup_with(state,
			  CONF(A_ADDR, B_ADDR, PSK, "\"3des-sha1-modp1024\"", "\"3des-sha1\"",
			       SEL_A, ""),
			  CONF(B_ADDR, A_ADDR, PSK, "\"3des-sha1-modp1024\"", "\"3des-sha1\"",
			       SEL_B, ""));
}

static int setup_two_ids(void **state)
{
	return setup_with(state,
			  CONF(A_ADDR, B_ADDR, PSK, P1, P2,
			       SEL_A ", " SEL("10.11.0.0/16", "10.12.0.0/16"), ""),
			  CONF(B_ADDR, A_ADDR, PSK, P1, P2,
			       SEL_B ", " SEL("10.12.0.0/16", "10.11.0.0/16"), ""));
}

/* b's proxy ID is narrower than what a asks for: IKEv1 does not narrow. */
static int setup_mismatch(void **state)
{
	return setup_with(state, CONF(A_ADDR, B_ADDR, PSK, P1, P2, SEL_A, ""),
			  CONF(B_ADDR, A_ADDR, PSK, P1, P2, SEL("10.2.1.0/24", "10.1.0.0/16"),
			       ""));
}

/* a asks for less than b's proxy ID: still a mismatch (Junos: exact match). */
static int setup_mismatch_narrower(void **state)
{
	return setup_with(state, CONF(A_ADDR, B_ADDR, PSK, P1, P2,
				      SEL("10.1.0.0/16", "10.2.1.0/24"), ""),
			  CONF(B_ADDR, A_ADDR, PSK, P1, P2, SEL_B, ""));
}

static int setup_bad_psk(void **state)
{
	return setup_with(state, CONF(A_ADDR, B_ADDR, PSK, P1, P2, SEL_A, ""),
			  CONF(B_ADDR, A_ADDR, "another secret", P1, P2, SEL_B, ""));
}

static int setup_dpd(void **state)
{
	return setup_with(state,
			  CONF(A_ADDR, B_ADDR, PSK, P1, P2, SEL_A,
			       "dpd = { mode = \"probe-idle-tunnel\"; interval = 10; threshold = 3; };"),
			  CONF(B_ADDR, A_ADDR, PSK, P1, P2, SEL_B, ""));
}

/* Aggressive mode: b knows a only by its identity (a dynamic peer). */
#define AGGR_A	"mode = \"aggressive\"; local-id = \"@a.example.net\"; remote-id = \"@b.example.net\";"
#define AGGR_B	"mode = \"aggressive\"; local-id = \"@b.example.net\"; remote-id = \"@a.example.net\";"

static int setup_aggressive(void **state)
{
	return setup_with(state, CONF(A_ADDR, B_ADDR, PSK, P1, P2, SEL_A, AGGR_A),
			  "gateways = ( { name = \"peer\"; version = 1; address = \"%any\";"
			  " local-address = \"" B_ADDR "\"; psk = \"" PSK "\"; proposals = " P1 ";"
			  " " AGGR_B " } );\n"
			  "vpns = ( { name = \"v\"; gateway = \"peer\"; bind-interface = \"st0\";"
			  " proposals = " P2 "; establish-tunnels = \"responder-only\";"
			  " traffic-selectors = ( " SEL_B " ); } );\n");
}

/* Both set to aggressive mode and addresses known: b initiates too. */
static int setup_aggressive_both(void **state)
{
	return setup_with(state, CONF(A_ADDR, B_ADDR, PSK, P1, P2, SEL_A, AGGR_A),
			  CONF(B_ADDR, A_ADDR, PSK, P1, P2, SEL_B, AGGR_B));
}

/* a in aggressive mode, b in main mode: no fallback either way. */
static int setup_mode_mismatch(void **state)
{
	return setup_with(state, CONF(A_ADDR, B_ADDR, PSK, P1, P2, SEL_A, AGGR_A),
			  CONF(B_ADDR, A_ADDR, PSK, P1, P2, SEL_B, ""));
}

static int setup_dpd_b(void **state)
{
	return setup_with(state, CONF(A_ADDR, B_ADDR, PSK, P1, P2, SEL_A, ""),
			  CONF(B_ADDR, A_ADDR, PSK, P1, P2, SEL_B,
			       "dpd = { mode = \"probe-idle-tunnel\"; interval = 10; threshold = 3; };"));
}

static int teardown(void **state)
{
	return pair_teardown(state);
}

static void initiate(struct pair *p)
{
	peer_use(&p->a);
	assert_int_equal(ikev1_initiate(&p->a.cfg.vpn[0], 0), 0);
}

/* a's and b's only IKE SAs, IKEv1 and up, with N installed children each, paired. */
static void assert_up(struct pair *p, unsigned int children)
{
	struct ike_sa *a = peer_sa(&p->a, 0), *b = peer_sa(&p->b, 0);
	struct child_sa *ca, *cb;
	unsigned int found = 0;

	assert_non_null(a);
	assert_non_null(b);
	assert_null(peer_sa(&p->a, 1));
	assert_null(peer_sa(&p->b, 1));
	assert_int_equal(a->version, 1);
	assert_int_equal(b->version, 1);
	assert_int_equal(a->state, IKE_SA_ESTABLISHED);
	assert_int_equal(b->state, IKE_SA_ESTABLISHED);
	assert_memory_equal(a->spi_i, b->spi_i, 8);
	assert_memory_equal(a->spi_r, b->spi_r, 8);
	assert_int_equal(a->n_children, children);
	assert_int_equal(b->n_children, children);
	for (ca = a->children; ca; ca = ca->next)
		for (cb = b->children; cb; cb = cb->next)
			if (ca->spi_in == cb->spi_out && ca->spi_out == cb->spi_in) {
				assert_true(ike_ts_set_equal(&ca->local, &cb->remote));
				assert_true(ike_ts_set_equal(&ca->remote, &cb->local));
				assert_int_equal(ca->suite.encr, cb->suite.encr);
				found++;
			}
	assert_int_equal(found, children);
}

static void establish(struct pair *p)
{
	initiate(p);
	pump(&p->a, &p->b);
	assert_up(p, 1);
}

static void test_main_mode(void **state)
{
	struct pair *p = *state;
	struct ike_sa *a, *b;

	establish(p);
	a = peer_sa(&p->a, 0);
	b = peer_sa(&p->b, 0);
	assert_true(a->initiator);
	assert_false(b->initiator);
	assert_int_equal(a->v1->encr, ISAKMP_ENCR_AES_CBC);
	assert_int_equal(a->v1->key_bits, 256);
	assert_int_equal(a->v1->group, 20);
	assert_int_equal(a->children->suite.dh, 20);	/* PFS */
	assert_int_equal(a->children->suite.encr, 20);	/* AES-GCM-16 */
	assert_true(a->v1->peer_dpd);
	assert_string_equal(ikev1_mode_name(a), "Main");
	/* Nothing dropped on the way. */
	for (int i = 0; i < IKE_DROP_MAX; i++) {
		assert_int_equal(p->a.d.drops.count[i], 0);
		assert_int_equal(p->b.d.drops.count[i], 0);
	}
}

static void test_legacy_suite(void **state)
{
	struct pair *p = *state;

	establish(p);
	assert_int_equal(peer_sa(&p->a, 0)->v1->encr, ISAKMP_ENCR_3DES_CBC);
	assert_int_equal(peer_sa(&p->a, 0)->children->suite.encr, 3);
	assert_int_equal(peer_sa(&p->a, 0)->children->suite.integ, 2);
	assert_int_equal(peer_sa(&p->a, 0)->children->suite.dh, 0);
}

static void test_two_proxy_ids(void **state)
{
	struct pair *p = *state;

	initiate(p);
	pump(&p->a, &p->b);
	assert_up(p, 2);
}

static void test_proxy_id_mismatch(void **state)
{
	struct pair *p = *state;

	initiate(p);
	pump(&p->a, &p->b);
	/* Phase 1 stands; no child, and a hears why. */
	assert_int_equal(peer_sa(&p->a, 0)->state, IKE_SA_ESTABLISHED);
	assert_int_equal(peer_sa(&p->b, 0)->state, IKE_SA_ESTABLISHED);
	assert_int_equal(peer_sa(&p->a, 0)->n_children, 0);
	assert_int_equal(peer_sa(&p->b, 0)->n_children, 0);
	assert_int_equal(peer_sa(&p->b, 0)->v1->n_xchgs, 1);	/* phase 1, lingering */
	assert_non_null(strstr(p->a.cfg.vpn[0].last_error, "INVALID-ID-INFORMATION"));
}

static void test_bad_psk(void **state)
{
	struct pair *p = *state;

	initiate(p);
	pump(&p->a, &p->b);
	/* b cannot verify HASH_I: counted, nothing answered, nothing up. */
	assert_int_equal(peer_sa(&p->b, 0)->state, IKE_SA_INIT_DONE);
	assert_true(p->b.d.drops.count[IKE_DROP_INTEGRITY] >= 1);
	advance(&p->a, &p->b, 40000);
	assert_null(peer_sa(&p->a, 0));
	assert_null(peer_sa(&p->b, 0));
}

/* Every message of the exchanges arrives twice: answered again, nothing else. */
static void test_duplicates(void **state)
{
	struct pair *p = *state;
	struct datagram *dg;
	unsigned int n = 0;

	initiate(p);
	for (;;) {
		struct test_peer *from = NULL, *to = NULL;

		peer_use(&p->a);
		dg = peer_pop(&p->a);
		if (dg) {
			from = &p->a;
			to = &p->b;
		} else {
			peer_use(&p->b);
			dg = peer_pop(&p->b);
			from = &p->b;
			to = &p->a;
		}
		if (!dg)
			break;
		(void)from;
		deliver(to, dg);
		if (n++ < 12)
			deliver(to, dg);
		datagram_free(dg);
		if (n > 64)
			break;
	}
	pump(&p->a, &p->b);
	assert_up(p, 1);
	/* Each copy got one answer at most: no echo between the two ends. */
	assert_true(p->a.sent + p->b.sent < 9 + 12);
}

/* A protected delete of the child, then of the ISAKMP SA. */
static void test_delete(void **state)
{
	struct pair *p = *state;
	struct ike_sa *a;

	establish(p);
	a = peer_sa(&p->a, 0);
	peer_use(&p->a);
	ikev1_delete_child(a, a->children);
	pump(&p->a, &p->b);
	assert_int_equal(peer_sa(&p->b, 0)->n_children, 0);
	peer_use(&p->a);
	ike_sa_delete(peer_sa(&p->a, 0));
	pump(&p->a, &p->b);
	assert_null(peer_sa(&p->a, 0));
	assert_null(peer_sa(&p->b, 0));
}

/* An informational in the clear once phase 1 keys exist: never acted on. */
static void test_plaintext_delete_ignored(void **state)
{
	struct pair *p = *state;
	struct ike_sa *b;
	uint8_t msg[28 + 28], *q = msg;

	establish(p);
	b = peer_sa(&p->b, 0);
	memset(msg, 0, sizeof(msg));
	memcpy(q, b->spi_i, 8);
	memcpy(q + 8, b->spi_r, 8);
	q[16] = ISAKMP_PL_DELETE;
	q[17] = ISAKMP_VERSION;
	q[18] = ISAKMP_XCHG_INFO;
	q[23] = 7;		/* message ID */
	q[27] = sizeof(msg);
	q += 28;
	q[3] = 28;		/* delete payload: 4 + 4 (DOI) + 4 + 16 */
	q[7] = 1;		/* DOI IPsec */
	q[8] = ISAKMP_PROTO_ISAKMP;
	q[9] = 16;
	q[11] = 1;
	memcpy(q + 12, b->spi_i, 8);
	memcpy(q + 20, b->spi_r, 8);
	peer_use(&p->b);
	inject(&p->b, msg, sizeof(msg), &p->a.addr, 500);
	assert_up(p, 1);
	assert_int_equal(p->b.d.drops.count[IKE_DROP_UNENCRYPTED], 1);
}

/* A quick mode message with a garbled body: dropped, the exchange carries on. */
static void test_garbled_quick_mode(void **state)
{
	struct pair *p = *state;
	struct datagram *dg;

	initiate(p);
	/* Main mode: six messages. */
	for (int i = 0; i < 6; i++) {
		peer_use(i % 2 ? &p->b : &p->a);
		dg = peer_pop(i % 2 ? &p->b : &p->a);
		assert_non_null(dg);
		deliver(i % 2 ? &p->a : &p->b, dg);
		datagram_free(dg);
	}
	peer_use(&p->a);
	dg = peer_pop(&p->a);		/* quick mode 1 */
	assert_non_null(dg);
	assert_int_equal(dg->buf[18], ISAKMP_XCHG_QUICK);
	dg->buf[dg->len - 1] ^= 1;
	deliver(&p->b, dg);
	dg->buf[dg->len - 1] ^= 1;
	assert_int_equal(peer_sa(&p->b, 0)->n_children, 0);
	assert_int_equal(p->b.d.drops.count[IKE_DROP_INTEGRITY], 1);
	deliver(&p->b, dg);
	datagram_free(dg);
	pump(&p->a, &p->b);
	assert_up(p, 1);
}

static void test_dpd_answered_and_dead(void **state)
{
	struct pair *p = *state;

	establish(p);
	/* Idle for longer than an interval: a probes, b answers. */
	advance(&p->a, &p->b, 12000);
	pump(&p->a, &p->b);
	assert_true(peer_sa(&p->a, 0)->dpd.sent >= 1);
	assert_int_equal(peer_sa(&p->a, 0)->dpd.answered, peer_sa(&p->a, 0)->dpd.sent);
	assert_up(p, 1);
	/* b goes silent: dead after the threshold. */
	for (int i = 0; i < 8 && peer_sa(&p->a, 0); i++) {
		advance(&p->a, &p->b, 10000);
		peer_use(&p->a);
		peer_drop_all(&p->a);
	}
	assert_null(peer_sa(&p->a, 0));
}

/* The module's soft expiry of P's first installed child. */
/* P's first installed child, on whichever of its ISAKMP SAs, reaches its soft expiry. */
static void soft_expire(struct test_peer *p)
{
	struct child_sa *c = NULL;

	peer_use(p);
	for (unsigned int i = 0; !c && peer_sa(p, i); i++)
		for (c = peer_sa(p, i)->children; c && c->state != CHILD_INSTALLED; c = c->next)
			;
	assert_non_null(c);
	ike_child_soft_expired("st0", c->spi_out, 1 /* SECTUN_DIR_OUT */);
}

static void rekey_from(struct pair *p, struct test_peer *by, struct test_peer *other)
{
	uint32_t old_in = 0, new_in = 0;
	struct child_sa *c;

	establish(p);
	old_in = peer_sa(by, 0)->children->spi_in;
	for (int round = 0; round < 3; round++) {
		soft_expire(by);
		pump(&p->a, &p->b);
		advance(&p->a, &p->b, IKEV1_SWITCH_MS + 10);
		pump(&p->a, &p->b);
		advance(&p->a, &p->b, CHILD_LINGER_MS + 10);
		pump(&p->a, &p->b);
		assert_up(p, 1);
		c = peer_sa(by, 0)->children;
		new_in = c->spi_in;
		assert_int_not_equal(new_in, old_in);
		assert_false(c->out_standby);
		assert_false(peer_sa(other, 0)->children->out_standby);
		old_in = new_in;
	}
	assert_int_equal(by->cfg.vpn[0].child_rekeys, 3);
	assert_int_equal(other->cfg.vpn[0].child_rekeys, 3);
}

static void test_rekey_initiator(void **state)
{
	struct pair *p = *state;

	rekey_from(p, &p->a, &p->b);
}

static void test_rekey_responder(void **state)
{
	struct pair *p = *state;

	rekey_from(p, &p->b, &p->a);
}

/* a keeps its IPsec SAs 40 s, b would keep them 60 s. */
static int setup_short_life_a(void **state)
{
	return setup_with(state, CONF_LIFE(A_ADDR, B_ADDR, PSK, P1, P2, SEL_A, "", "40"),
			  CONF_LIFE(B_ADDR, A_ADDR, PSK, P1, P2, SEL_B, "", "60"));
}

/* P's installed child (the only one). */
static struct child_sa *installed_child(struct test_peer *p)
{
	struct child_sa *c;

	for (c = peer_sa(p, 0)->children; c && c->state != CHILD_INSTALLED; c = c->next)
		;
	assert_non_null(c);
	return c;
}

/*
 * Lifetimes of pairs the peer made: the agreed (shorter) one is what a
 * rekey proposes; the soft expiry of a pair the peer made comes in the
 * last 1% but at least 2 s before the end, of one we made with its
 * lifetime in the last 1.5% (3 s), counted from the quick mode's first
 * message (the initiator's SA started then, whenever its third message
 * comes).
 */
static void test_peer_lifetimes(void **state)
{
	struct pair *p = *state;
	struct datagram *qm1, *qm2, *qm3;
	struct child_sa *c;

	establish(p);
	c = installed_child(&p->b);
	assert_int_equal(c->lifetime, 40);
	assert_false(c->made_by_us);
	assert_int_equal(c->soft_seconds, 38);
	/* a made it, with its own lifetime: a rekeys at 90% less jitter. */
	assert_in_range(installed_child(&p->a)->soft_seconds, 1, 36);

	/*
	 * b rekeys the pair a made: it proposes the 40 s agreed, not its 60,
	 * and leaves the rekey to a but for the last 1.5% (at least 3 s),
	 * before a's watch of the last 1% (at least 2 s).
	 */
	soft_expire(&p->b);
	pump(&p->a, &p->b);
	advance(&p->a, &p->b, IKEV1_SWITCH_MS + 10);
	pump(&p->a, &p->b);
	assert_int_equal(installed_child(&p->a)->lifetime, 40);
	assert_false(installed_child(&p->a)->made_by_us);
	assert_int_equal(installed_child(&p->a)->soft_seconds, 38);
	assert_int_equal(installed_child(&p->b)->lifetime, 40);
	assert_true(installed_child(&p->b)->made_by_us);
	assert_int_equal(installed_child(&p->b)->soft_seconds, 37);
	advance(&p->a, &p->b, CHILD_LINGER_MS + 10);
	pump(&p->a, &p->b);
	assert_up(p, 1);

	/* a rekeys; its third message reaches b 1.2 s late: b's 40 s started at the first. */
	soft_expire(&p->a);
	qm1 = peer_pop(&p->a);
	assert_non_null(qm1);
	deliver(&p->b, qm1);
	qm2 = peer_pop(&p->b);
	assert_non_null(qm2);
	deliver(&p->a, qm2);
	qm3 = peer_pop(&p->a);
	assert_non_null(qm3);
	advance(&p->a, &p->b, 1200);
	peer_drop_all(&p->a);
	peer_drop_all(&p->b);
	deliver(&p->b, qm3);
	datagram_free(qm1);
	datagram_free(qm2);
	datagram_free(qm3);
	pump(&p->a, &p->b);
	for (c = peer_sa(&p->b, 0)->children; c && !(c->state == CHILD_INSTALLED && c->rekeys == 2);
	     c = c->next)
		;
	assert_non_null(c);
	assert_int_equal(c->lifetime, 40);
	assert_int_equal(c->soft_seconds, 36);
}

static void test_aggressive(void **state)
{
	struct pair *p = *state;
	char id[64];

	establish(p);
	assert_string_equal(ikev1_mode_name(peer_sa(&p->a, 0)), "Aggressive");
	assert_string_equal(ikev1_mode_name(peer_sa(&p->b, 0)), "Aggressive");
	ike_id_format(&peer_sa(&p->b, 0)->peer_id, id, sizeof(id));
	assert_string_equal(id, "a.example.net");
	ike_id_format(&peer_sa(&p->a, 0)->peer_id, id, sizeof(id));
	assert_string_equal(id, "b.example.net");
}

static void test_aggressive_responder_initiates(void **state)
{
	struct pair *p = *state;

	peer_use(&p->b);
	assert_int_equal(ikev1_initiate(&p->b.cfg.vpn[0], 0), 0);
	pump(&p->a, &p->b);
	assert_up(p, 1);
	assert_false(peer_sa(&p->a, 0)->initiator);
}

static void test_mode_mismatch(void **state)
{
	struct pair *p = *state;

	initiate(p);
	pump(&p->a, &p->b);
	assert_null(peer_sa(&p->b, 0));
	assert_int_equal(p->b.d.drops.count[IKE_DROP_NO_GATEWAY], 1);
	assert_int_equal(peer_sa(&p->a, 0)->state, IKE_SA_INIT_SENT);
}

static int setup_renew_a(void **state)
{
	return setup_with(state, CONF(A_ADDR, B_ADDR, PSK, P1, P2, SEL_A, "lifetime = 10;"),
			  CONF(B_ADDR, A_ADDR, PSK, P1, P2, SEL_B, "lifetime = 600;"));
}

static int setup_renew_b(void **state)
{
	return setup_with(state, CONF(A_ADDR, B_ADDR, PSK, P1, P2, SEL_A, "lifetime = 600;"),
			  CONF(B_ADDR, A_ADDR, PSK, P1, P2, SEL_B, "lifetime = 10;"));
}

static int setup_renew_both(void **state)
{
	return setup_with(state, CONF(A_ADDR, B_ADDR, PSK, P1, P2, SEL_A, "lifetime = 10;"),
			  CONF(B_ADDR, A_ADDR, PSK, P1, P2, SEL_B, "lifetime = 10;"));
}

/*
 * Phase 1 renewed three times: each time a new ISAKMP SA takes the IPsec
 * SAs (the same SPIs: nothing is negotiated again) and the old one goes.
 */
static void renew(struct pair *p, struct test_peer *by)
{
	uint32_t spi_a, spi_b;
	uint8_t cookie[8];

	establish(p);
	spi_a = peer_sa(&p->a, 0)->children->spi_in;
	spi_b = peer_sa(&p->b, 0)->children->spi_in;
	for (int round = 1; round <= 3; round++) {
		memcpy(cookie, peer_sa(by, 0)->spi_i, 8);
		for (int t = 0; t < 20 && !memcmp(peer_sa(by, 0)->spi_i, cookie, 8); t++) {
			advance(&p->a, &p->b, 500);
			pump(&p->a, &p->b);
		}
		advance(&p->a, &p->b, IKEV1_HANDOVER_MS + 10);
		pump(&p->a, &p->b);
		assert_up(p, 1);
		assert_memory_not_equal(peer_sa(by, 0)->spi_i, cookie, 8);
		assert_int_equal(peer_sa(&p->a, 0)->children->spi_in, spi_a);
		assert_int_equal(peer_sa(&p->b, 0)->children->spi_in, spi_b);
		/* Renewals of either end count, collisions' too. */
		assert_true(peer_sa(by, 0)->rekeys >= (unsigned int)round);
	}
}

static void test_renew_initiator(void **state)
{
	struct pair *p = *state;

	renew(p, &p->a);
}

static void test_renew_responder(void **state)
{
	struct pair *p = *state;

	renew(p, &p->b);
}

/* Both ends renew at the same moment: the IPsec SAs survive, once the dust settles. */
static void test_renew_both(void **state)
{
	struct pair *p = *state;
	uint32_t spi_a;

	establish(p);
	spi_a = peer_sa(&p->a, 0)->children->spi_in;
	/* Well after the quick mode (not a pair made during a renewal). */
	advance(&p->a, &p->b, 2000);
	peer_use(&p->a);
	ikev1_renew(peer_sa(&p->a, 0));
	peer_use(&p->b);
	ikev1_renew(peer_sa(&p->b, 0));
	pump(&p->a, &p->b);
	advance(&p->a, &p->b, IKEV1_HANDOVER_MS + 10);
	pump(&p->a, &p->b);
	advance(&p->a, &p->b, IKEV1_HANDOVER_MS + 10);
	pump(&p->a, &p->b);
	for (unsigned int i = 0; peer_sa(&p->a, i); i++)
		if (peer_sa(&p->a, i)->children)
			assert_int_equal(peer_sa(&p->a, i)->children->spi_in, spi_a);
	assert_int_equal(p->a.cfg.vpn[0].sas_deleted, 0);
	assert_int_equal(p->b.cfg.vpn[0].sas_deleted, 0);
}

/*
 * REKEYER's quick mode rekeys the child on the old ISAKMP SA while b's
 * renewal of phase 1 is under way (its first message is with a): a peer
 * such as strongSwan may leave that pair with the old ISAKMP SA and drop
 * it silently, so a rekeys it on the new one (its own once it is current).
 */
static void rekey_during_renewal(struct pair *p, struct test_peer *rekeyer)
{
	struct datagram *dg, *mm2;
	uint32_t first;

	establish(p);
	first = installed_child(&p->a)->spi_in;
	peer_use(&p->b);
	ikev1_renew(peer_sa(&p->b, 0));
	dg = peer_pop(&p->b);
	assert_non_null(dg);
	deliver(&p->a, dg);
	datagram_free(dg);
	/* a's answer waits while the quick mode runs on the old ISAKMP SA. */
	mm2 = peer_pop(&p->a);
	assert_non_null(mm2);
	advance(&p->a, &p->b, 10);
	soft_expire(rekeyer);
	pump(&p->a, &p->b);
	assert_int_equal(p->a.cfg.vpn[0].child_rekeys, 1);
	advance(&p->a, &p->b, 10);
	deliver(&p->b, mm2);
	datagram_free(mm2);
	pump(&p->a, &p->b);
	advance(&p->a, &p->b, IKEV1_SWITCH_MS + 10);
	pump(&p->a, &p->b);
	advance(&p->a, &p->b, IKEV1_SWITCH_MS + 10);
	pump(&p->a, &p->b);
	advance(&p->a, &p->b, CHILD_STANDBY_MS + CHILD_LINGER_MS + 10);
	pump(&p->a, &p->b);
	advance(&p->a, &p->b, IKEV1_HANDOVER_MS + 10);
	pump(&p->a, &p->b);
	assert_up(p, 1);
	/* a's rekey on the new ISAKMP SA replaced the pair made on the old one. */
	assert_int_equal(p->a.cfg.vpn[0].child_rekeys, 2);
	assert_int_not_equal(installed_child(&p->a)->spi_in, first);
	assert_true(installed_child(&p->a)->made_by_us);
}

static void test_peer_rekey_during_renewal(void **state)
{
	struct pair *p = *state;

	rekey_during_renewal(p, &p->b);
}

static void test_own_rekey_during_renewal(void **state)
{
	struct pair *p = *state;

	rekey_during_renewal(p, &p->a);
}

/* A copy of every protected message a sends from now on, kept by the test. */
static struct datagram *kept[64];
static unsigned int n_kept;

static void keep_all(struct test_peer *from, struct test_peer *to)
{
	struct datagram *dg;

	peer_use(from);
	while ((dg = peer_pop(from))) {
		deliver(to, dg);
		if (n_kept < 64 && (dg->buf[19] & ISAKMP_FLAG_ENCRYPTION))
			kept[n_kept++] = dg;
		else
			datagram_free(dg);
	}
}

static void free_kept(void)
{
	while (n_kept)
		datagram_free(kept[--n_kept]);
}

/*
 * Replayed protected messages: an R-U-THERE-ACK is no sign of life, a
 * quick mode's first message starts nothing, once their exchanges are
 * long forgotten.
 */
static void test_replays(void **state)
{
	struct pair *p = *state;
	uint64_t heard;
	unsigned int i;

	initiate(p);
	for (i = 0; i < 12; i++) {
		keep_all(&p->a, &p->b);
		keep_all(&p->b, &p->a);
	}
	assert_up(p, 1);
	advance(&p->a, &p->b, 12000);	/* b probes, a answers */
	keep_all(&p->b, &p->a);
	keep_all(&p->a, &p->b);
	advance(&p->a, &p->b, 60000);	/* every exchange forgotten */
	pump(&p->a, &p->b);
	heard = peer_sa(&p->b, 0)->dpd.heard_ms;
	peer_use(&p->b);
	for (i = 0; i < n_kept; i++)
		deliver(&p->b, kept[i]);
	assert_int_equal(peer_sa(&p->b, 0)->dpd.heard_ms, heard);
	assert_int_equal(peer_sa(&p->b, 0)->v1->n_xchgs, 0);
	assert_true(p->b.d.drops.count[IKE_DROP_WINDOW] >= 2);
	assert_up(p, 1);
	free_kept();
}

/* DPD probes once an interval: a silent peer is dead after threshold + 1 of them. */
static void test_dpd_timing(void **state)
{
	struct pair *p = *state;
	uint64_t t = 0;

	establish(p);
	while (peer_sa(&p->a, 0) && t < 120000) {
		advance(&p->a, &p->b, 500);
		t += 500;
		peer_use(&p->a);
		peer_drop_all(&p->a);
	}
	/* interval 10 s, threshold 3: about 40 s, surely not before 30. */
	assert_true(t >= 30000 && t <= 50000);
}

/* The answer to a probe sent before the 31-bit sequence wrapped (and skipped 0) counts. */
static void test_dpd_ack_across_wrap(void **state)
{
	struct pair *p = *state;
	struct datagram *probe = NULL, *dg;
	struct ike_sa *a;

	establish(p);
	a = peer_sa(&p->a, 0);
	a->v1->dpd_seq = 0x7ffffffe;
	while (a->dpd.sent < 2) {
		advance(&p->a, &p->b, 500);
		peer_use(&p->a);
		while ((dg = peer_pop(&p->a))) {
			if (!probe)
				probe = dg;
			else
				datagram_free(dg);
		}
	}
	assert_non_null(probe);
	assert_int_equal(a->v1->dpd_seq, 1);
	assert_int_equal(a->dpd.answered, 0);
	deliver(&p->b, probe);
	datagram_free(probe);
	pump(&p->a, &p->b);
	assert_int_equal(a->dpd.answered, 2);
}

/* Both ends rekey the same child at once: one pair is left, the same at both. */
static void test_rekey_collision(void **state)
{
	struct pair *p = *state;

	establish(p);
	for (int round = 0; round < 3; round++) {
		soft_expire(&p->a);
		soft_expire(&p->b);
		pump(&p->a, &p->b);
		advance(&p->a, &p->b, IKEV1_SWITCH_MS + 10);
		pump(&p->a, &p->b);
		advance(&p->a, &p->b, CHILD_STANDBY_MS + CHILD_LINGER_MS + 10);
		pump(&p->a, &p->b);
		assert_up(p, 1);
	}
}

/* A reload while quick modes run and wait: they follow their VPN, nothing is left dangling. */
static void test_reload_mid_quick_mode(void **state)
{
	struct pair *p = *state;
	struct iked_reload_stats st;
	struct iked_config fresh;
	struct datagram *dg;

	initiate(p);
	/* Main mode's six messages; a's quick modes are then on their way. */
	for (int i = 0; i < 6; i++) {
		peer_use(i % 2 ? &p->b : &p->a);
		dg = peer_pop(i % 2 ? &p->b : &p->a);
		assert_non_null(dg);
		deliver(i % 2 ? &p->a : &p->b, dg);
		datagram_free(dg);
	}
	assert_int_equal(peer_load_config(CONF(A_ADDR, B_ADDR, PSK, P1, P2,
					       SEL_A ", " SEL("10.11.0.0/16", "10.12.0.0/16"), ""),
					  &fresh), 0);
	peer_use(&p->a);
	assert_int_equal(iked_reconfigure(&p->a.cfg, &fresh, &st), 0);
	iked_daemon_reap();
	iked_config_free(&p->a.cfg);
	p->a.cfg = fresh;
	p->a.d.cfg = &p->a.cfg;
	pump(&p->a, &p->b);
	assert_int_equal(peer_sa(&p->a, 0)->state, IKE_SA_ESTABLISHED);
	for (struct child_sa *c = peer_sa(&p->a, 0)->children; c; c = c->next)
		assert_ptr_equal(c->vpn, &p->a.cfg.vpn[0]);
}

static int setup_small_limits(void **state)
{
	return setup_with(state, CONF(A_ADDR, B_ADDR, PSK, P1, P2, SEL_A, ""),
			  "limits = { half-open-per-address = 3; half-open-max = 5; };\n"
			  CONF(B_ADDR, A_ADDR, PSK, P1, P2, SEL_B, ""));
}

/*
 * First messages spoofed from a's address fill b's half-open limits: a's
 * real one still gets in (the oldest unanswered goes), and b did no DH for
 * any spoofed one.
 */
static void test_spoofed_first_messages(void **state)
{
	struct pair *p = *state;
	struct datagram *dg;
	unsigned int i;

	initiate(p);
	peer_use(&p->a);
	dg = peer_pop(&p->a);
	assert_non_null(dg);
	for (i = 0; i < 10; i++) {
		dg->buf[0] ^= (uint8_t)(i + 1);		/* another initiator cookie */
		deliver(&p->b, dg);
		dg->buf[0] ^= (uint8_t)(i + 1);
	}
	assert_int_equal(p->b.d.sas.n_half, 3);
	peer_use(&p->b);
	peer_drop_all(&p->b);
	deliver(&p->b, dg);		/* the real one */
	datagram_free(dg);
	pump(&p->a, &p->b);
	assert_int_equal(peer_sa(&p->a, 0)->state, IKE_SA_ESTABLISHED);
	assert_true(p->b.d.drops.count[IKE_DROP_HALF_OPEN] >= 7);
	advance(&p->a, &p->b, 31000);	/* the spoofed ones time out */
	pump(&p->a, &p->b);
	assert_up(p, 1);
}

static int setup_natt_force(void **state)
{
	return setup_with(state, CONF(A_ADDR, B_ADDR, PSK, P1, P2, SEL_A,
				      "nat-traversal = \"force\";"),
			  CONF(B_ADDR, A_ADDR, PSK, P1, P2, SEL_B, ""));
}

/*
 * RFC 3947 with a NAT made up by "force": b sees a behind one (a's NAT-D
 * of itself matches nothing), main mode moves to port 4500 from its fifth
 * message, and the quick mode asks for ESP in UDP.
 */
static void test_natt(void **state)
{
	struct pair *p = *state;
	struct ike_sa *a, *b;

	establish(p);
	a = peer_sa(&p->a, 0);
	b = peer_sa(&p->b, 0);
	assert_true(a->v1->peer_natt && b->v1->peer_natt);
	assert_false(a->peer.nat_local);
	assert_true(b->peer.nat_peer);
	assert_int_equal(ike_sockaddr_port(&a->local), 4500);
	assert_int_equal(ike_sockaddr_port(&a->remote), 4500);
	assert_int_equal(ike_sockaddr_port(&b->local), 4500);
	assert_int_equal(ike_sockaddr_port(&b->remote), 4500);
	assert_true(ike_sa_udp_encap(a));
	assert_true(ike_sa_udp_encap(b));
}

#define CONF_AH(local, peer, sels) \
	"gateways = ( { name = \"peer\"; version = 1; address = \"" peer "\";" \
	" local-address = \"" local "\"; psk = \"" PSK "\"; proposals = [ " P1 " ]; } );\n" \
	"vpns = ( { name = \"v\"; gateway = \"peer\"; bind-interface = \"st0\"; protocol = \"ah\";" \
	" proposals = [ \"sha256-modp2048\", \"sha1-modp2048\" ]; establish-tunnels = \"immediately\";" \
	" traffic-selectors = ( " sels " ); } );\n"

static int setup_ah(void **state)
{
	return setup_with(state, CONF_AH(A_ADDR, B_ADDR, SEL_A), CONF_AH(B_ADDR, A_ADDR, SEL_B));
}

/* AH (RFC 2407 4.4.3): the transform ID and the authentication attribute name one algorithm. */
static void test_ah(void **state)
{
	struct pair *p = *state;
	struct child_sa *c;

	establish(p);
	c = peer_sa(&p->a, 0)->children;
	assert_int_equal(c->protocol, IKE_PROTO_AH);
	assert_int_equal(c->suite.integ, IKE_INTEG_HMAC_SHA2_256_128);
	assert_int_equal(c->suite.encr, 0);
	assert_int_equal(c->suite.dh, IKE_DH_MODP2048);
}

/* The config refuses what IKEv1 cannot say. */
static void test_config_refusals(void **state)
{
	static const char *const bad[] = {
		CONF(A_ADDR, B_ADDR, PSK, "\"aes128gcm16-prfsha256-ecp256\"", P2, SEL_A, ""),
		CONF(A_ADDR, B_ADDR, PSK, "\"prime-128\"", P2, SEL_A, ""),
		CONF(A_ADDR, B_ADDR, PSK, "\"basic\"", P2, SEL_A, ""),
		CONF(A_ADDR, B_ADDR, PSK, P1, "\"chacha20poly1305\"", SEL_A, ""),
		CONF(A_ADDR, B_ADDR, PSK, P1, P2, SEL_A, "mode = \"quick\";"),
		CONF(A_ADDR, B_ADDR, PSK, "\"aes256-sha384-ecp384\", \"aes128-sha256-modp2048\"",
		     P2, SEL_A, "mode = \"aggressive\";"),
		CONF(A_ADDR, B_ADDR, PSK, P1, P2,
		     "{ local = \"10.1.0.0/16, 10.3.0.0/16\"; remote = \"10.2.0.0/16\"; }", ""),
	};
	struct iked_config cfg;
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&cfg, 0, sizeof(cfg));
		assert_int_not_equal(peer_load_config(bad[i], &cfg), 0);
	}
	memset(&cfg, 0, sizeof(cfg));
	assert_int_equal(peer_load_config(CONF(A_ADDR, B_ADDR, PSK, "\"standard\"",
					       "\"standard\"", SEL_A, "mode = \"main\";"),
					  &cfg), 0);
	iked_config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_main_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_legacy_suite, setup_legacy, teardown),
		cmocka_unit_test_setup_teardown(test_two_proxy_ids, setup_two_ids, teardown),
		cmocka_unit_test_setup_teardown(test_proxy_id_mismatch, setup_mismatch, teardown),
		cmocka_unit_test_setup_teardown(test_proxy_id_mismatch, setup_mismatch_narrower,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_psk, setup_bad_psk, teardown),
		cmocka_unit_test_setup_teardown(test_duplicates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plaintext_delete_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbled_quick_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dpd_answered_and_dead, setup_dpd, teardown),
		cmocka_unit_test_setup_teardown(test_rekey_initiator, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rekey_responder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_peer_lifetimes, setup_short_life_a, teardown),
		cmocka_unit_test_setup_teardown(test_aggressive, setup_aggressive, teardown),
		cmocka_unit_test_setup_teardown(test_aggressive_responder_initiates,
						setup_aggressive_both, teardown),
		cmocka_unit_test_setup_teardown(test_mode_mismatch, setup_mode_mismatch, teardown),
		cmocka_unit_test_setup_teardown(test_renew_initiator, setup_renew_a, teardown),
		cmocka_unit_test_setup_teardown(test_renew_responder, setup_renew_b, teardown),
		cmocka_unit_test_setup_teardown(test_renew_both, setup_renew_both, teardown),
		cmocka_unit_test_setup_teardown(test_peer_rekey_during_renewal, setup_renew_b,
						teardown),
		cmocka_unit_test_setup_teardown(test_own_rekey_during_renewal, setup_renew_b,
						teardown),
		cmocka_unit_test_setup_teardown(test_replays, setup_dpd_b, teardown),
		cmocka_unit_test_setup_teardown(test_dpd_timing, setup_dpd, teardown),
		cmocka_unit_test_setup_teardown(test_dpd_ack_across_wrap, setup_dpd, teardown),
		cmocka_unit_test_setup_teardown(test_rekey_collision, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload_mid_quick_mode, setup_two_ids, teardown),
		cmocka_unit_test_setup_teardown(test_spoofed_first_messages, setup_small_limits,
						teardown),
		cmocka_unit_test_setup_teardown(test_natt, setup_natt_force, teardown),
		cmocka_unit_test_setup_teardown(test_ah, setup_ah, teardown),
		cmocka_unit_test(test_config_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
