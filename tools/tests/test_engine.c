// SPDX-License-Identifier: GPL-2.0
/*
 * The exchange engine's state machine, without the kernel: two engines
 * (a initiates, b responds) with datagrams carried, dropped, replayed
 * and forged by the test. Each case checks that the IKE SA is exactly
 * where it should be afterwards and that what was refused was counted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <netinet/in.h>
#include <unistd.h>

#include "child.h"
#include "config.h"
#include "engine_pair.h"
#include "ikev2/codec.h"
#include "ikev2/exchanges.h"
#include "ikev2/ikev2.h"
#include "ikev2/message.h"
#include "kernel.h"
#include "log.h"
#include "net.h"
#include "reload.h"
#include "vpn.h"

#define A_ADDR	"192.0.2.1"
#define B_ADDR	"192.0.2.2"

#define CONF_GW(local, peer, props, extra, lts, rts, vpn_extra, gw_extra) \
	"limits = { " extra " };\n" \
	"gateways = ( { name = \"peer\"; address = \"" peer "\"; local-address = \"" local "\";" \
	" psk = \"engine test secret\"; proposals = [ " props " ];" \
	" retransmit-timeout-ms = 500; retransmit-tries = 3; " gw_extra " } );\n" \
	"vpns = ( { name = \"v\"; gateway = \"peer\"; bind-interface = \"st0\";" \
	" proposals = \"aes128gcm16\"; establish-tunnels = \"immediately\";" \
	" traffic-selectors = ( { local = \"" lts "\"; remote = \"" rts "\"; } " vpn_extra " ); } );\n"

#define CONF(local, peer, props, extra, lts, rts, vpn_extra) \
	CONF_GW(local, peer, props, extra, lts, rts, vpn_extra, "")

/* a's side and b's mirror image. */
#define CONF_A(props, extra, vpn_extra) \
	CONF(A_ADDR, B_ADDR, props, extra, "10.1.0.0/16", "10.2.0.0/16", vpn_extra)
#define CONF_B(props, extra, vpn_extra) \
	CONF(B_ADDR, A_ADDR, props, extra, "10.2.0.0/16", "10.1.0.0/16", vpn_extra)

#define PROPS	"\"aes128gcm16-prfsha256-x25519\""

static int setup_with(void **state, const char *a_conf, const char *b_conf)
{
	return pair_setup(state, a_conf, b_conf);
}

static int setup(void **state)
{
	return setup_with(state, CONF_A(PROPS, "", ""),
			  CONF_B(PROPS, "", ""));
}

static int setup_cookie_b(void **state)
{
	return setup_with(state, CONF_A(PROPS, "", ""),
			  CONF_B(PROPS, "cookie-threshold = 0;", ""));
}

static int setup_cookie_a(void **state)
{
	return setup_with(state, CONF_A(PROPS, "cookie-threshold = 0;", ""),
			  CONF_B(PROPS, "", ""));
}

/* a offers ECP-256 first; b takes X25519 only: one INVALID_KE_PAYLOAD round. */
static int setup_invalid_ke_cookie(void **state)
{
	return setup_with(state,
			  CONF_A("\"aes128gcm16-prfsha256-ecp256-x25519\"", "", ""),
			  CONF_B(PROPS, "cookie-threshold = 0;", ""));
}

static int setup_limits(void **state)
{
	return setup_with(state, CONF_A(PROPS, "", ""),
			  CONF_B(PROPS,
			       "half-open-per-address = 3; cookie-threshold-per-address = 100;"
			       " setup-timeout = 10;", ""));
}

static int setup_two_selectors(void **state)
{
	return setup_with(state,
			  CONF_A(PROPS, "",
			       ", { local = \"10.11.0.0/16\"; remote = \"10.12.0.0/16\"; }"),
			  CONF_B(PROPS, "",
			       ", { local = \"10.12.0.0/16\"; remote = \"10.11.0.0/16\"; }"));
}

static int teardown(void **state)
{
	return pair_teardown(state);
}

static void initiate(struct pair *p)
{
	peer_use(&p->a);
	assert_int_equal(ikev2_initiate(&p->a.cfg.vpn[0], 0), 0);
}

/* a's and b's only IKE SAs, both up with N children each. */
static void assert_up(struct pair *p, unsigned int children)
{
	struct ike_sa *a = peer_sa(&p->a, 0), *b = peer_sa(&p->b, 0);

	assert_non_null(a);
	assert_non_null(b);
	assert_null(peer_sa(&p->a, 1));
	assert_null(peer_sa(&p->b, 1));
	assert_int_equal(a->state, IKE_SA_ESTABLISHED);
	assert_int_equal(b->state, IKE_SA_ESTABLISHED);
	assert_memory_equal(a->spi_i, b->spi_i, 8);
	assert_memory_equal(a->spi_r, b->spi_r, 8);
	assert_int_equal(a->n_children, children);
	assert_int_equal(b->n_children, children);
	if (children)
		assert_int_equal(a->children->spi_in, b->children->spi_out);
}

static void establish(struct pair *p)
{
	initiate(p);
	pump(&p->a, &p->b);
	assert_up(p, 1);
}

/* A message in the clear with SA's SPIs, as a (the initiator) would send it. */
static size_t forge(const struct ike_sa *sa, uint8_t exchange, uint8_t flags, uint32_t msgid,
		    bool delete_ike, uint8_t *buf, size_t cap)
{
	struct ike_header h = {
		.version = IKE_VERSION_2, .exchange = exchange, .flags = flags, .msgid = msgid,
	};
	struct ike_writer w;
	int n;

	memcpy(h.spi_i, sa->spi_i, 8);
	memcpy(h.spi_r, sa->spi_r, 8);
	ike_w_init(&w, buf, cap);
	ike_w_header(&w, &h);
	if (delete_ike)
		ike_w_delete(&w, IKE_PROTO_IKE, 0, 0, NULL);
	n = ike_w_finish(&w);
	assert_true(n > 0);
	return n;
}

/* A test exchange that sends whatever payloads the test gives it. */
struct raw_xchg {
	struct ike_xchg x;
	uint8_t type;
	bool critical;
	uint8_t body[64];
	size_t len;
	uint16_t answer;	/* the first error notify of the response */
	bool answered;
};

static int raw_build(struct ike_xchg *x, struct ike_writer *w)
{
	struct raw_xchg *r = (struct raw_xchg *)x;

	ike_w_payload(w, r->type, r->critical, r->body, r->len);
	return w->err;
}

static struct raw_xchg *last_raw;

static enum ike_xchg_status raw_response(struct ike_xchg *x, struct ike_rx *rx)
{
	struct ike_notify n;

	last_raw->answered = true;
	last_raw->answer = ike_msg_error(rx->m);
	(void)x;
	(void)n;
	return IKE_XCHG_DONE;
}

static const struct ike_xchg_ops raw_ops = {
	.name = "test", .exchange = IKE_INFORMATIONAL, .size = sizeof(struct raw_xchg),
	.needs_established = true, .build_request = raw_build, .process_response = raw_response,
};

static void test_establish(void **state)
{
	struct pair *p = *state;
	struct ike_sa *b;

	establish(p);
	b = peer_sa(&p->b, 0);
	assert_int_equal(b->xchg.peer_msgid, 2);	/* IKE_SA_INIT, IKE_AUTH */
	assert_int_equal(p->b.d.sas.n_half, 0);
	assert_null(b->init);
}

static void test_two_selectors_queued(void **state)
{
	struct pair *p = *state;

	initiate(p);
	pump(&p->a, &p->b);
	/* The second selector's CREATE_CHILD_SA waited for the window, then went. */
	assert_up(p, 2);
	assert_int_equal(peer_sa(&p->a, 0)->xchg.next_msgid, 3);
}

/* An unencrypted DELETE(IKE) with the live SPIs and the next message ID. */
static void test_plaintext_delete_ignored(void **state)
{
	struct pair *p = *state;
	struct sockaddr_storage from;
	struct ike_sa *b;
	uint8_t buf[128];
	uint32_t msgid;
	size_t n;

	establish(p);
	b = peer_sa(&p->b, 0);
	msgid = b->xchg.peer_msgid;
	n = forge(b, IKE_INFORMATIONAL, IKE_FLAG_INITIATOR, msgid, true, buf, sizeof(buf));
	inject(&p->b, buf, n, &p->a.addr, 500);
	/* And on port 4500, from 4500: it must not move the peer there either. */
	make_addr(&from, A_ADDR, 4500);
	inject(&p->b, buf, n, &from, 4500);
	/* An empty one from elsewhere. */
	make_addr(&from, "198.51.100.7", 500);
	n = forge(b, IKE_INFORMATIONAL, IKE_FLAG_INITIATOR, msgid, false, buf, sizeof(buf));
	inject(&p->b, buf, n, &from, 500);
	assert_up(p, 1);
	assert_int_equal(b->xchg.peer_msgid, msgid);
	assert_true(ike_sockaddr_equal(&b->remote, &p->a.addr, 1));
	assert_int_equal(b->stats.dropped[IKE_DROP_UNENCRYPTED], 3);
	assert_null(peer_pop(&p->b));	/* nothing answered */
}

/* A plaintext IKE_AUTH right after IKE_SA_INIT is dropped; the real one works. */
static void test_plaintext_auth_dropped(void **state)
{
	struct pair *p = *state;
	struct datagram *dg;
	struct ike_sa *b;
	uint8_t buf[128];
	size_t n;

	initiate(p);
	dg = peer_pop(&p->a);		/* IKE_SA_INIT request */
	deliver(&p->b, dg);
	datagram_free(dg);
	b = peer_sa(&p->b, 0);
	assert_int_equal(b->state, IKE_SA_INIT_DONE);
	n = forge(b, IKE_AUTH, IKE_FLAG_INITIATOR, 1, false, buf, sizeof(buf));
	inject(&p->b, buf, n, &p->a.addr, 500);
	assert_int_equal(b->state, IKE_SA_INIT_DONE);
	assert_int_equal(b->stats.dropped[IKE_DROP_UNENCRYPTED], 1);
	assert_int_equal(b->xchg.peer_msgid, 1);
	pump(&p->a, &p->b);
	assert_up(p, 1);
}

/* Our SPIi, message ID 0, INFORMATIONAL: not the answer to IKE_SA_INIT. */
static void test_wrong_exchange_response(void **state)
{
	struct pair *p = *state;
	struct ike_sa *a;
	uint8_t buf[128];
	size_t n;

	initiate(p);
	a = peer_sa(&p->a, 0);
	n = forge(a, IKE_INFORMATIONAL, IKE_FLAG_RESPONSE, 0, false, buf, sizeof(buf));
	inject(&p->a, buf, n, &p->b.addr, 500);
	assert_int_equal(a->stats.dropped[IKE_DROP_UNEXPECTED], 1);
	assert_non_null(a->xchg.active);
	assert_true(a->xchg.retransmit.armed);
	/* The peer comes up late: our retransmission still gets it. */
	peer_drop_all(&p->a);
	advance(&p->a, &p->b, 600);
	pump(&p->a, &p->b);
	assert_up(p, 1);
}

/* A forged NO_PROPOSAL_CHOSEN does not end IKE_SA_INIT if the real answer follows. */
static void test_forged_init_error(void **state)
{
	struct pair *p = *state;
	struct ike_header h = {
		.version = IKE_VERSION_2, .exchange = IKE_SA_INIT, .flags = IKE_FLAG_RESPONSE,
	};
	struct datagram *req;
	struct ike_writer w;
	struct ike_sa *a;
	uint8_t buf[128];
	int n;

	initiate(p);
	a = peer_sa(&p->a, 0);
	req = peer_pop(&p->a);
	memcpy(h.spi_i, a->spi_i, 8);
	ike_w_init(&w, buf, sizeof(buf));
	ike_w_header(&w, &h);
	ike_w_notify(&w, 0, NULL, 0, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
	n = ike_w_finish(&w);
	inject(&p->a, buf, n, &p->b.addr, 500);
	assert_int_equal(a->state, IKE_SA_INIT_SENT);
	deliver(&p->b, req);
	datagram_free(req);
	pump(&p->a, &p->b);
	assert_up(p, 1);

	/* Without a real answer, it ends at the next timeout, with that reason. */
	teardown(state);
	setup(state);
	p = *state;
	initiate(p);
	a = peer_sa(&p->a, 0);
	peer_drop_all(&p->a);
	memcpy(buf + 0, a->spi_i, 8);
	inject(&p->a, buf, n, &p->b.addr, 500);
	advance(&p->a, &p->b, 600);
	assert_null(peer_sa(&p->a, 0));
	assert_string_equal(p->a.cfg.vpn[0].last_error, "peer refused: NO_PROPOSAL_CHOSEN");
}

static void test_unsolicited_response(void **state)
{
	struct pair *p = *state;
	struct ike_sa *b;
	uint8_t buf[128];
	size_t n;

	establish(p);
	b = peer_sa(&p->b, 0);
	n = forge(b, IKE_INFORMATIONAL, IKE_FLAG_INITIATOR | IKE_FLAG_RESPONSE, 7, false,
		  buf, sizeof(buf));
	inject(&p->b, buf, n, &p->a.addr, 500);
	assert_int_equal(b->stats.dropped[IKE_DROP_UNEXPECTED], 1);
	assert_up(p, 1);
}

static void test_out_of_window(void **state)
{
	struct pair *p = *state;
	struct ike_sa *b;
	uint8_t buf[128];
	size_t n;

	establish(p);
	b = peer_sa(&p->b, 0);
	n = forge(b, IKE_INFORMATIONAL, IKE_FLAG_INITIATOR, b->xchg.peer_msgid + 5, true,
		  buf, sizeof(buf));
	inject(&p->b, buf, n, &p->a.addr, 500);
	assert_int_equal(b->stats.dropped[IKE_DROP_WINDOW], 1);
	assert_int_equal(b->xchg.peer_msgid, 2);
	assert_up(p, 1);
}

static struct raw_xchg *raw_notify(struct ike_sa *sa)
{
	struct raw_xchg *r = (struct raw_xchg *)ike_xchg_new(&raw_ops, sa);

	/* A status notify nobody knows: an INFORMATIONAL that changes nothing. */
	r->type = IKE_PL_NOTIFY;
	r->body[2] = 0x9c;
	r->body[3] = 0x40;
	r->len = 4;
	return r;
}

/* A retransmitted request gets the same bytes back. */
static void test_duplicate_request(void **state)
{
	struct pair *p = *state;
	struct datagram *req, *resp, *again;
	struct raw_xchg seen = { 0 };
	struct ike_sa *a, *b;

	establish(p);
	a = peer_sa(&p->a, 0);
	b = peer_sa(&p->b, 0);
	peer_use(&p->a);
	last_raw = &seen;
	assert_int_equal(ike_xchg_queue(a, &raw_notify(a)->x, false), 0);
	req = peer_pop(&p->a);
	assert_non_null(req);
	deliver(&p->b, req);
	resp = peer_pop(&p->b);
	assert_non_null(resp);
	deliver(&p->b, req);		/* our answer "got lost" */
	again = peer_pop(&p->b);
	assert_non_null(again);
	assert_int_equal(again->len, resp->len);
	assert_memory_equal(again->buf, resp->buf, resp->len);
	assert_int_equal(b->xchg.peer_msgid, 3);
	deliver(&p->a, again);
	assert_true(seen.answered);
	datagram_free(again);
	datagram_free(resp);
	datagram_free(req);
	assert_up(p, 1);
}

static void test_altered_retransmission(void **state)
{
	struct pair *p = *state;
	struct datagram *req;
	struct ike_sa *a, *b;

	initiate(p);
	pump(&p->a, &p->b);
	a = peer_sa(&p->a, 0);
	b = peer_sa(&p->b, 0);
	/* a asks for a second child; b answers; then a "retransmission" with a bit flipped. */
	peer_use(&p->a);
	a->vpn->n_sel = 1;
	assert_int_equal(ikev2_child_queue(a, a->vpn, 0, true), 0);
	req = peer_pop(&p->a);
	assert_non_null(req);
	deliver(&p->b, req);
	peer_drop_all(&p->b);
	req->buf[req->len - 1] ^= 1;
	deliver(&p->b, req);
	assert_null(peer_pop(&p->b));
	assert_int_equal(b->stats.dropped[IKE_DROP_ALTERED], 1);
	/* The genuine retransmission is still answered. */
	req->buf[req->len - 1] ^= 1;
	deliver(&p->b, req);
	datagram_free(req);
	req = peer_pop(&p->b);
	assert_non_null(req);
	datagram_free(req);
}

/* b asks for a COOKIE; a asks again with it, the same nonce and KE. */
static void test_cookie_responder(void **state)
{
	struct pair *p = *state;
	struct datagram *first, *cookie, *second;
	struct ike_msg m1, m2;
	const struct ike_payload *n1, *n2, *k1, *k2;
	struct ike_notify n;

	initiate(p);
	first = peer_pop(&p->a);
	deliver(&p->b, first);
	assert_int_equal(p->b.d.sas.n_half, 0);		/* no state for it */
	assert_int_equal(peer_sa_count(&p->b), 0);
	assert_int_equal(p->b.d.halfopen.cookies_sent, 1);
	cookie = peer_pop(&p->b);
	assert_non_null(cookie);
	deliver(&p->a, cookie);
	second = peer_pop(&p->a);
	assert_non_null(second);
	assert_int_equal(ike_parse_msg(first->buf, first->len, &m1), 0);
	assert_int_equal(ike_parse_msg(second->buf, second->len, &m2), 0);
	assert_int_equal(m2.pl[0].type, IKE_PL_NOTIFY);		/* COOKIE first */
	assert_int_equal(ike_decode_notify(&m2.pl[0], &n), 0);
	assert_int_equal(n.type, IKE_N_COOKIE);
	n1 = ike_msg_find(&m1, IKE_PL_NONCE, NULL);
	n2 = ike_msg_find(&m2, IKE_PL_NONCE, NULL);
	k1 = ike_msg_find(&m1, IKE_PL_KE, NULL);
	k2 = ike_msg_find(&m2, IKE_PL_KE, NULL);
	assert_int_equal(n1->len, n2->len);
	assert_memory_equal(n1->body, n2->body, n1->len);
	assert_int_equal(k1->len, k2->len);
	assert_memory_equal(k1->body, k2->body, k1->len);
	assert_memory_equal(first->buf, second->buf, 8);	/* same SPIi */
	deliver(&p->b, second);
	datagram_free(first);
	datagram_free(cookie);
	datagram_free(second);
	pump(&p->a, &p->b);
	assert_up(p, 1);
	assert_int_equal(p->b.d.halfopen.cookies_accepted, 1);
}

/* The same with the roles swapped: a demands, b (initiating) follows. */
static void test_cookie_initiator(void **state)
{
	struct pair *p = *state;

	peer_use(&p->b);
	assert_int_equal(ikev2_initiate(&p->b.cfg.vpn[0], 0), 0);
	pump(&p->a, &p->b);
	assert_int_equal(p->a.d.halfopen.cookies_sent, 1);
	assert_int_equal(p->a.d.halfopen.cookies_accepted, 1);
	assert_int_equal(peer_sa(&p->a, 0)->state, IKE_SA_ESTABLISHED);
	assert_int_equal(peer_sa(&p->b, 0)->state, IKE_SA_ESTABLISHED);
}

/* RFC 4718 2.4: COOKIE, then INVALID_KE_PAYLOAD, the cookie kept throughout. */
static void test_invalid_ke_with_cookie(void **state)
{
	struct pair *p = *state;

	initiate(p);
	pump(&p->a, &p->b);
	assert_up(p, 1);
	assert_int_equal(peer_sa(&p->a, 0)->suite.dh, IKE_DH_CURVE25519);
	assert_int_equal(p->b.d.halfopen.cookies_accepted, 2);
}

/* a initiates N IKE SAs; each IKE_SA_INIT (through MANGLE, if given) goes to b. */
static void initiate_n(struct pair *p, int n, void (*mangle)(struct datagram *dg))
{
	struct datagram *dg;
	int i;

	peer_use(&p->a);
	for (i = 0; i < n; i++)
		assert_int_equal(ikev2_initiate(&p->a.cfg.vpn[0], 0), 0);
	while ((dg = peer_pop(&p->a))) {
		if (mangle)
			mangle(dg);
		deliver(&p->b, dg);
		datagram_free(dg);
	}
}

/* A half-open SA that never gets IKE_AUTH goes at the setup timeout. */
static void test_half_open_expiry(void **state)
{
	struct pair *p = *state;
	struct datagram *dg;

	initiate(p);
	dg = peer_pop(&p->a);
	deliver(&p->b, dg);
	datagram_free(dg);
	peer_drop_all(&p->b);
	assert_int_equal(p->b.d.sas.n_half, 1);
	advance(&p->a, &p->b, 29000);
	assert_int_equal(p->b.d.sas.n_half, 1);
	advance(&p->a, &p->b, 2000);
	assert_int_equal(p->b.d.sas.n_half, 0);
	assert_int_equal(peer_sa_count(&p->b), 0);
	/* Ours did not get up either: gone at its own deadline. */
	assert_int_equal(peer_sa_count(&p->a), 0);
}

/* At most half-open-per-address from one address; the rest dropped, counted. */
static void test_half_open_limit(void **state)
{
	struct pair *p = *state;

	initiate_n(p, 5, NULL);
	assert_int_equal(p->b.d.sas.n_half, 3);
	assert_int_equal(p->b.d.drops.count[IKE_DROP_HALF_OPEN], 2);
	peer_drop_all(&p->b);
	advance(&p->a, &p->b, 11000);
	assert_int_equal(p->b.d.sas.n_half, 0);
}

static int setup_cookie_per_address(void **state)
{
	return setup_with(state, CONF_A(PROPS, "", ""),
			  CONF_B(PROPS, "cookie-threshold-per-address = 2;", ""));
}

/* Past cookie-threshold-per-address from one address, a COOKIE is asked for. */
static void test_cookie_per_address(void **state)
{
	struct pair *p = *state;
	struct datagram *dg;

	initiate_n(p, 3, NULL);
	assert_int_equal(p->b.d.sas.n_half, 2);
	assert_int_equal(p->b.d.halfopen.cookies_sent, 1);
	/* a's third follows the COOKIE while the two are still half-open: in. */
	datagram_free(peer_pop(&p->b));
	datagram_free(peer_pop(&p->b));
	dg = peer_pop(&p->b);
	deliver(&p->a, dg);
	datagram_free(dg);
	dg = peer_pop(&p->a);
	deliver(&p->b, dg);
	datagram_free(dg);
	assert_int_equal(p->b.d.halfopen.cookies_accepted, 1);
	assert_int_equal(p->b.d.sas.n_half, 3);
}

/* A retransmitted IKE_SA_INIT is answered from the cache: one SA, same answer. */
static void test_init_retransmission(void **state)
{
	struct pair *p = *state;
	struct datagram *req, *r1, *r2;

	initiate(p);
	req = peer_pop(&p->a);
	deliver(&p->b, req);
	deliver(&p->b, req);
	r1 = peer_pop(&p->b);
	r2 = peer_pop(&p->b);
	assert_non_null(r2);
	assert_int_equal(r1->len, r2->len);
	assert_memory_equal(r1->buf, r2->buf, r1->len);
	assert_int_equal(peer_sa_count(&p->b), 1);
	deliver(&p->a, r1);
	datagram_free(req);
	datagram_free(r1);
	datagram_free(r2);
	pump(&p->a, &p->b);
	assert_up(p, 1);
}

/* INVALID_IKE_SPI for unknown SPIs, at most respond-bad-spi a minute. */
static void test_bad_spi_rate_limit(void **state)
{
	struct pair *p = *state;
	struct ike_sa fake = { 0 };
	struct datagram *dg;
	uint8_t buf[128];
	unsigned int answers = 0;
	size_t n;
	int i;

	memset(fake.spi_i, 0x11, 8);
	memset(fake.spi_r, 0x22, 8);
	n = forge(&fake, IKE_INFORMATIONAL, IKE_FLAG_INITIATOR, 1, false, buf, sizeof(buf));
	for (i = 0; i < 20; i++)
		inject(&p->b, buf, n, &p->a.addr, 500);
	while ((dg = peer_pop(&p->b))) {
		answers++;
		datagram_free(dg);
	}
	assert_int_equal(answers, 5);
	assert_int_equal(p->b.d.drops.count[IKE_DROP_UNKNOWN_SPI], 20);
	advance(&p->a, &p->b, 61000);
	inject(&p->b, buf, n, &p->a.addr, 500);
	dg = peer_pop(&p->b);
	assert_non_null(dg);
	datagram_free(dg);
}

/* A delete asked for while a request is in flight waits, then goes. */
static void test_delete_waits_for_window(void **state)
{
	struct pair *p = *state;
	struct ike_sa *a;

	establish(p);
	a = peer_sa(&p->a, 0);
	peer_use(&p->a);
	assert_int_equal(ikev2_child_queue(a, a->vpn, 0, true), 0);
	assert_non_null(a->xchg.active);
	ike_sa_delete(a);
	assert_int_equal(a->state, IKE_SA_DELETING);
	assert_int_equal(a->xchg.queued, 1);
	pump(&p->a, &p->b);
	assert_int_equal(peer_sa_count(&p->a), 0);
	assert_int_equal(peer_sa_count(&p->b), 0);
}

/* A new IKE SA with INITIAL_CONTACT from the same peer replaces the old one. */
static void test_initial_contact(void **state)
{
	struct pair *p = *state;
	struct ike_sa *old;

	establish(p);
	old = peer_sa(&p->b, 0);
	/* a "restarts": forgets its SA without telling b. */
	peer_use(&p->a);
	ike_sa_kill(peer_sa(&p->a, 0), "test");
	iked_daemon_reap();
	peer_drop_all(&p->a);
	initiate(p);
	pump(&p->a, &p->b);
	assert_up(p, 1);
	assert_ptr_not_equal(peer_sa(&p->b, 0), old);
}

/* An unknown critical payload inside SK: UNSUPPORTED_CRITICAL_PAYLOAD, inside SK. */
static void test_critical_in_sk(void **state)
{
	struct pair *p = *state;
	struct raw_xchg *r;
	struct ike_sa *a;
	struct raw_xchg seen = { 0 };

	establish(p);
	a = peer_sa(&p->a, 0);
	peer_use(&p->a);
	r = (struct raw_xchg *)ike_xchg_new(&raw_ops, a);
	r->type = 200;			/* no such payload type */
	r->critical = true;
	r->len = 4;
	last_raw = &seen;
	assert_int_equal(ike_xchg_queue(a, &r->x, false), 0);
	pump(&p->a, &p->b);
	assert_true(seen.answered);
	assert_int_equal(seen.answer, IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD);
	assert_up(p, 1);
}

/* IKE_AUTH with a payload the rules forbid (KE): INVALID_SYNTAX, SA gone. */
static void test_rules_in_auth(void **state)
{
	struct pair *p = *state;
	struct ike_sa *b;
	struct raw_xchg seen = { 0 };

	(void)seen;
	establish(p);
	b = peer_sa(&p->b, 0);
	/* A DELETE is allowed in INFORMATIONAL; a KE is not. */
	peer_use(&p->a);
	{
		struct raw_xchg *r = (struct raw_xchg *)ike_xchg_new(&raw_ops, peer_sa(&p->a, 0));

		r->type = IKE_PL_KE;
		r->len = 8;
		last_raw = &seen;
		assert_int_equal(ike_xchg_queue(peer_sa(&p->a, 0), &r->x, false), 0);
	}
	pump(&p->a, &p->b);
	assert_true(seen.answered);
	assert_int_equal(seen.answer, IKE_N_INVALID_SYNTAX);
	assert_int_equal(b->stats.dropped[IKE_DROP_RULES], 1);
	assert_up(p, 1);
}

/* A CREATE_CHILD_SA whose SA payload has the given SPI and one AES-GCM transform. */
static int child_build(struct ike_xchg *x, struct ike_writer *w)
{
	struct raw_xchg *r = (struct raw_xchg *)x;
	struct ike_sa_offer offer = { .n = 1 };
	struct ike_ts_set tsi = { .n = 1 }, tsr = { .n = 1 };
	uint8_t nonce[32] = { 1 };

	offer.p[0] = (struct ike_proposal){
		.num = 1, .protocol = IKE_PROTO_ESP, .spi_len = 4, .n_transforms = 2,
		.t = { { .type = IKE_TRANS_ENCR, .id = IKE_ENCR_AES_GCM_16, .keylen = 128 },
		       { .type = IKE_TRANS_ESN, .id = IKE_ESN_NO } },
	};
	memcpy(offer.p[0].spi, r->body, 4);
	iked_ts_any(&tsi.ts[0], AF_INET);
	iked_ts_any(&tsr.ts[0], AF_INET);
	ike_w_sa(w, &offer);
	ike_w_nonce(w, nonce, sizeof(nonce));
	ike_w_ts(w, IKE_PL_TSI, &tsi);
	ike_w_ts(w, IKE_PL_TSR, &tsr);
	return w->err;
}

static const struct ike_xchg_ops raw_child_ops = {
	.name = "test child", .exchange = IKE_CREATE_CHILD_SA, .size = sizeof(struct raw_xchg),
	.needs_established = true, .build_request = child_build, .process_response = raw_response,
};

static uint16_t ask_child(struct pair *p, uint32_t spi)
{
	struct raw_xchg seen = { 0 }, *r;
	struct ike_sa *a = peer_sa(&p->a, 0);

	peer_use(&p->a);
	r = (struct raw_xchg *)ike_xchg_new(&raw_child_ops, a);
	r->body[0] = spi >> 24;
	r->body[1] = spi >> 16;
	r->body[2] = spi >> 8;
	r->body[3] = spi;
	last_raw = &seen;
	assert_int_equal(ike_xchg_queue(a, &r->x, false), 0);
	pump(&p->a, &p->b);
	assert_true(seen.answered);
	return seen.answer;
}

/* Child SPIs 0-255 are reserved (RFC 4303 2.1): no child on one. */
static void test_reserved_child_spi(void **state)
{
	struct pair *p = *state;

	establish(p);
	assert_int_equal(ask_child(p, 255), IKE_N_NO_PROPOSAL_CHOSEN);
	assert_int_equal(peer_sa(&p->b, 0)->n_children, 1);
	/* The same request with a usable SPI is fine (b narrows to its selector). */
	assert_int_equal(ask_child(p, 0x12345678), 0);
	assert_int_equal(peer_sa(&p->b, 0)->n_children, 2);
}

/* limits.child-sas: the one past it is refused with NO_ADDITIONAL_SAS. */
static void test_child_limit(void **state)
{
	struct pair *p = *state;

	establish(p);
	assert_int_equal(ask_child(p, 0x1000), 0);
	assert_int_equal(ask_child(p, 0x1001), IKE_N_NO_ADDITIONAL_SAS);
	assert_int_equal(peer_sa(&p->b, 0)->n_children, 2);
}

static int setup_child_limit(void **state)
{
	return setup_with(state, CONF_A(PROPS, "", ""), CONF_B(PROPS, "child-sas = 2;", ""));
}

/* A zero SPIi in IKE_SA_INIT is reserved: dropped, no state. */
static void test_zero_spi_init(void **state)
{
	struct pair *p = *state;
	struct datagram *req;

	initiate(p);
	req = peer_pop(&p->a);
	memset(req->buf, 0, 8);
	deliver(&p->b, req);
	datagram_free(req);
	assert_int_equal(peer_sa_count(&p->b), 0);
	assert_int_equal(p->b.d.drops.count[IKE_DROP_MALFORMED], 1);
	assert_null(peer_pop(&p->b));
}

/* A message sealed with SA's keys (a's), with one payload TYPE of LEN bytes. */
static struct datagram *seal(struct test_peer *from, struct ike_sa *sa, uint8_t exchange,
			     uint32_t msgid, uint8_t type, size_t len)
{
	struct datagram *dg = calloc(1, sizeof(*dg));
	uint8_t inner[256] = { 0 };
	struct ike_writer w;

	peer_use(from);
	ike_w_init(&w, inner, sizeof(inner));
	if (type == IKE_PL_IDI) {
		struct ike_id id = { .type = IKE_ID_IPV4_ADDR, .len = 4, .data = { 192, 0, 2, 1 } };

		ike_w_id(&w, IKE_PL_IDI, &id);
		ike_w_auth(&w, IKE_AUTH_PSK, inner + 128, 32);
		ike_w_payload(&w, IKE_PL_KE, false, inner + 128, len);	/* not in IKE_AUTH */
	} else {
		ike_w_payload(&w, type, false, inner + 128, len);
	}
	dg->buf = ikev2_message_build(sa, exchange, false, msgid, &w, &dg->len);
	assert_non_null(dg->buf);
	dg->from = sa->local;
	dg->to = sa->remote;
	return dg;
}

/* An IKE_AUTH with a payload it may not carry: INVALID_SYNTAX in SK, the half-open SA gone. */
static void test_rules_kill_half_open(void **state)
{
	struct pair *p = *state;
	struct datagram *dg;
	struct ike_sa *a;

	initiate(p);
	dg = peer_pop(&p->a);
	deliver(&p->b, dg);
	datagram_free(dg);
	dg = peer_pop(&p->b);
	deliver(&p->a, dg);		/* a now has keys; its own IKE_AUTH is dropped */
	datagram_free(dg);
	peer_drop_all(&p->a);
	a = peer_sa(&p->a, 0);
	dg = seal(&p->a, a, IKE_AUTH, 1, IKE_PL_IDI, 8);
	deliver(&p->b, dg);
	datagram_free(dg);
	assert_int_equal(peer_sa_count(&p->b), 0);
	assert_int_equal(p->b.d.drops.count[IKE_DROP_RULES], 1);
	dg = peer_pop(&p->b);		/* the answer: encrypted, so a can read it */
	assert_non_null(dg);
	assert_int_equal(dg->buf[16], IKE_PL_SK);
	datagram_free(dg);
}

/* An authenticated message on 4500 floats the peer there; a replayed one does not. */
static void test_float_and_replay(void **state)
{
	struct pair *p = *state;
	struct datagram *req, *again;
	struct raw_xchg seen = { 0 };
	struct ike_sa *a, *b;
	int i;

	establish(p);
	a = peer_sa(&p->a, 0);
	b = peer_sa(&p->b, 0);
	/* An old request replayed from port 4500: answered, nothing moves. */
	peer_use(&p->a);
	last_raw = &seen;
	assert_int_equal(ike_xchg_queue(a, &raw_notify(a)->x, false), 0);
	req = peer_pop(&p->a);
	deliver(&p->b, req);
	again = peer_pop(&p->b);
	deliver(&p->a, again);		/* a's window is free again */
	datagram_free(again);
	((struct sockaddr_in *)&req->from)->sin_port = htons(4500);
	((struct sockaddr_in *)&req->to)->sin_port = htons(4500);
	deliver(&p->b, req);
	again = peer_pop(&p->b);
	assert_non_null(again);		/* answered where it came from */
	assert_int_equal(ike_sockaddr_port(&again->to), 4500);
	datagram_free(again);
	assert_int_equal(ike_sockaddr_port(&b->remote), 500);
	/* From elsewhere at most IKE_MAX_RESENDS times; from the peer always. */
	make_addr(&req->from, "198.51.100.1", 500);
	for (i = 0; i < IKE_MAX_RESENDS + 3; i++)
		deliver(&p->b, req);
	for (i = 0; (again = peer_pop(&p->b)); i++)
		datagram_free(again);
	assert_int_equal(i, IKE_MAX_RESENDS - 1);
	assert_int_equal(b->stats.dropped[IKE_DROP_RESENDS], 4);
	req->from = a->local;
	((struct sockaddr_in *)&req->to)->sin_port = htons(500);
	deliver(&p->b, req);
	again = peer_pop(&p->b);
	assert_non_null(again);
	datagram_free(again);
	datagram_free(req);
	/*
	 * To our 4500 but from another port of the peer: no NAT was seen, so
	 * that is not the peer floating (an on-path copy, say): kept.
	 */
	peer_use(&p->a);
	((struct sockaddr_in *)&a->local)->sin_port = htons(5555);
	((struct sockaddr_in *)&a->remote)->sin_port = htons(4500);
	assert_int_equal(ike_xchg_queue(a, &raw_notify(a)->x, false), 0);
	req = peer_pop(&p->a);
	deliver(&p->b, req);
	datagram_free(req);
	assert_int_equal(ike_sockaddr_port(&b->remote), 500);
	assert_int_equal(ike_sockaddr_port(&b->local), 500);
	again = peer_pop(&p->b);
	assert_non_null(again);
	deliver(&p->a, again);
	datagram_free(again);
	/* a moves to 4500 itself, as initiators do after IKE_SA_INIT. */
	peer_use(&p->a);
	((struct sockaddr_in *)&a->local)->sin_port = htons(4500);
	((struct sockaddr_in *)&a->remote)->sin_port = htons(4500);
	assert_int_equal(ike_xchg_queue(a, &raw_notify(a)->x, false), 0);
	pump(&p->a, &p->b);
	assert_int_equal(ike_sockaddr_port(&b->remote), 4500);
	assert_int_equal(ike_sockaddr_port(&b->local), 4500);
	assert_up(p, 1);
}

/* Behind a NAT the peer's authenticated messages move it anywhere. */
static void test_nat_detected_follow(void **state)
{
	struct pair *p = *state;
	struct datagram *dg;
	struct ike_sa *b;

	initiate(p);
	dg = peer_pop(&p->a);
	((struct sockaddr_in *)&dg->from)->sin_port = htons(61000);	/* "a NAT" */
	deliver(&p->b, dg);
	datagram_free(dg);
	b = peer_sa(&p->b, 0);
	assert_true(b->peer.nat_peer);
	assert_false(b->peer.nat_local);
	dg = peer_pop(&p->b);
	((struct sockaddr_in *)&dg->to)->sin_port = htons(500);	/* the NAT maps back */
	deliver(&p->a, dg);
	datagram_free(dg);
	/* a learnt from b's answer that it is behind a NAT: IKE_AUTH goes from 4500. */
	assert_true(peer_sa(&p->a, 0)->peer.nat_local);
	assert_int_equal(ike_sockaddr_port(&peer_sa(&p->a, 0)->local), 4500);
	assert_int_equal(ike_sockaddr_port(&peer_sa(&p->a, 0)->remote), 4500);
	pump(&p->a, &p->b);
	assert_up(p, 1);
	/* b followed a's authenticated IKE_AUTH to port 4500. */
	assert_int_equal(ike_sockaddr_port(&b->remote), 4500);
	assert_int_equal(ike_sockaddr_port(&b->local), 4500);
}

static int setup_pfs(void **state)
{
	return setup_with(state,
			  "limits = { };\n"
			  "gateways = ( { name = \"peer\"; address = \"" B_ADDR "\"; local-address = \""
			  A_ADDR "\"; psk = \"engine test secret\"; proposals = [ " PROPS " ]; } );\n"
			  "vpns = ( { name = \"v\"; gateway = \"peer\"; bind-interface = \"st0\";"
			  " proposals = \"aes128gcm16-ecp256-x25519\"; traffic-selectors = ("
			  " { local = \"10.1.0.0/16\"; remote = \"10.2.0.0/16\"; },"
			  " { local = \"10.11.0.0/16\"; remote = \"10.12.0.0/16\"; } ); } );\n",
			  "limits = { };\n"
			  "gateways = ( { name = \"peer\"; address = \"" A_ADDR "\"; local-address = \""
			  B_ADDR "\"; psk = \"engine test secret\"; proposals = [ " PROPS " ]; } );\n"
			  "vpns = ( { name = \"v\"; gateway = \"peer\"; bind-interface = \"st0\";"
			  " proposals = \"aes128gcm16-x25519\"; establish-tunnels = \"responder-only\";"
			  " traffic-selectors = ("
			  " { local = \"10.2.0.0/16\"; remote = \"10.1.0.0/16\"; },"
			  " { local = \"10.12.0.0/16\"; remote = \"10.11.0.0/16\"; } ); } );\n");
}

/* CREATE_CHILD_SA: b wants another PFS group; a asks again with it. */
static void test_child_invalid_ke(void **state)
{
	struct pair *p = *state;
	struct child_sa *c;

	initiate(p);
	pump(&p->a, &p->b);
	assert_up(p, 2);
	for (c = peer_sa(&p->a, 0)->children; c; c = c->next)
		if (c->sel == 1)
			assert_int_equal(c->suite.dh, IKE_DH_CURVE25519);
	/* IKE_SA_INIT, IKE_AUTH, the refused CREATE_CHILD_SA and its second try. */
	assert_int_equal(peer_sa(&p->a, 0)->xchg.next_msgid, 4);
}

static int setup_half_open_max(void **state)
{
	return setup_with(state, CONF_A(PROPS, "", ""),
			  CONF_B(PROPS, "half-open-max = 2; cookie-threshold = 100;"
				 " cookie-threshold-per-address = 100;", ""));
}

static void test_half_open_max(void **state)
{
	struct pair *p = *state;

	initiate_n(p, 4, NULL);
	assert_int_equal(p->b.d.sas.n_half, 2);
	assert_int_equal(p->b.d.drops.count[IKE_DROP_HALF_OPEN], 2);
}

/* limits.queued-exchanges: the rest refused, but a delete still goes in. */
static void test_queue_limit(void **state)
{
	struct pair *p = *state;
	struct raw_xchg seen = { 0 };
	struct ike_sa *a;
	int i, refused = 0;

	establish(p);
	a = peer_sa(&p->a, 0);
	peer_use(&p->a);
	last_raw = &seen;
	for (i = 0; i < 70; i++)
		refused += ike_xchg_queue(a, &raw_notify(a)->x, false) != 0;
	/* One in flight, 64 waiting. */
	assert_int_equal(refused, 70 - 65);
	assert_int_equal(a->xchg.queued, 64);
	assert_int_equal(ikev2_delete_child_queue(a, IKE_PROTO_ESP, 0x1234), 0);
	assert_int_equal(a->xchg.queued, 65);
	pump(&p->a, &p->b);
	assert_int_equal(a->xchg.queued, 0);
}

/* Forged COOKIEs make a ask again (a few rounds); the real answer still wins. */
static void test_forged_cookies(void **state)
{
	struct pair *p = *state;
	struct ike_header h = {
		.version = IKE_VERSION_2, .exchange = IKE_SA_INIT, .flags = IKE_FLAG_RESPONSE,
	};
	struct datagram *dg, *last;
	struct ike_writer w;
	struct ike_sa *a;
	uint8_t buf[128], cookie[16];
	int i, n;

	initiate(p);
	a = peer_sa(&p->a, 0);
	memcpy(h.spi_i, a->spi_i, 8);
	for (i = 0; i < 6; i++) {
		memset(cookie, i, sizeof(cookie));
		ike_w_init(&w, buf, sizeof(buf));
		ike_w_header(&w, &h);
		ike_w_notify(&w, 0, NULL, 0, IKE_N_COOKIE, cookie, sizeof(cookie));
		n = ike_w_finish(&w);
		inject(&p->a, buf, n, &p->b.addr, 500);
	}
	/* Four rounds followed, the rest ignored; the same COOKIE twice is one. */
	inject(&p->a, buf, n, &p->b.addr, 500);
	assert_int_equal(a->stats.dropped[IKE_DROP_INVALID], 3);
	/*
	 * The forgeries came before anything reached b: b sees a's last
	 * request, ignores the COOKIE it did not ask for, and a gets in. (Had
	 * b answered an earlier one, IKE_AUTH would fail on the AUTH octets:
	 * see decisions.rst.)
	 */
	last = NULL;
	while ((dg = peer_pop(&p->a))) {
		datagram_free(last);
		last = dg;
	}
	deliver(&p->b, last);
	datagram_free(last);
	pump(&p->a, &p->b);
	assert_up(p, 1);
}

/* A COOKIE from two secrets ago is refused, and a fresh one sent. */
static void test_cookie_expiry(void **state)
{
	struct pair *p = *state;
	struct datagram *dg;

	initiate(p);
	dg = peer_pop(&p->a);
	deliver(&p->b, dg);			/* COOKIE */
	datagram_free(dg);
	dg = peer_pop(&p->b);
	deliver(&p->a, dg);
	datagram_free(dg);
	dg = peer_pop(&p->a);			/* the request with it */
	advance(&p->a, &p->b, 125000);
	peer_drop_all(&p->a);
	deliver(&p->b, dg);
	datagram_free(dg);
	assert_int_equal(p->b.d.drops.count[IKE_DROP_BAD_COOKIE], 1);
	assert_int_equal(p->b.d.halfopen.cookies_sent, 2);
	assert_int_equal(peer_sa_count(&p->b), 0);
}

/* Refused IKE_SA_INITs cost DH too: past the per-address threshold, COOKIEs. */
/* An all-zero X25519 value: refused, but after b made its key pair. */
static void zero_ke(struct datagram *dg)
{
	const struct ike_payload *ke;
	struct ike_msg m;

	assert_int_equal(ike_parse_msg(dg->buf, dg->len, &m), 0);
	ke = ike_msg_find(&m, IKE_PL_KE, NULL);
	memset((uint8_t *)ke->body + 4, 0, ke->len - 4);
}

static void test_refusals_charged(void **state)
{
	struct pair *p = *state;

	initiate_n(p, 3, zero_ke);
	assert_int_equal(p->b.d.drops.count[IKE_DROP_REFUSED], 2);
	assert_int_equal(p->b.d.halfopen.cookies_sent, 1);
	assert_int_equal(peer_sa_count(&p->b), 0);
}

static int setup_cookie_replay(void **state)
{
	return setup_with(state, CONF_A(PROPS, "", ""),
			  CONF_B(PROPS, "cookie-threshold = 0; half-open-per-address = 4;", ""));
}

/*
 * One valid COOKIE replayed with a bad KE: each replay would cost a DH, so
 * one address gets half-open-per-address of them a window, no more.
 */
static void test_cookie_replay_capped(void **state)
{
	struct pair *p = *state;
	struct datagram *dg;
	int i;

	initiate(p);
	dg = peer_pop(&p->a);
	deliver(&p->b, dg);
	datagram_free(dg);
	dg = peer_pop(&p->b);			/* the COOKIE */
	deliver(&p->a, dg);
	datagram_free(dg);
	dg = peer_pop(&p->a);			/* the request with it */
	assert_non_null(dg);
	zero_ke(dg);
	for (i = 0; i < 10; i++)
		deliver(&p->b, dg);
	datagram_free(dg);
	assert_int_equal(p->b.d.drops.count[IKE_DROP_REFUSED], 4);
	assert_int_equal(p->b.d.drops.count[IKE_DROP_HALF_OPEN], 6);
	assert_int_equal(p->b.d.halfopen.cookies_accepted, 4);
	assert_int_equal(peer_sa_count(&p->b), 0);
}

/* Many addresses: each gets its five, all together no more than a hundred. */
static void test_bad_spi_global_limit(void **state)
{
	struct pair *p = *state;
	struct sockaddr_storage from;
	struct ike_sa fake = { 0 };
	struct datagram *dg;
	unsigned int answers = 0;
	uint8_t buf[128];
	char ip[32];
	size_t n;
	int i, k;

	memset(fake.spi_i, 0x33, 8);
	memset(fake.spi_r, 0x44, 8);
	n = forge(&fake, IKE_INFORMATIONAL, IKE_FLAG_INITIATOR, 1, false, buf, sizeof(buf));
	for (i = 0; i < 40; i++) {
		snprintf(ip, sizeof(ip), "198.51.100.%d", i + 1);
		make_addr(&from, ip, 500);
		for (k = 0; k < 6; k++)
			inject(&p->b, buf, n, &from, 500);
	}
	while ((dg = peer_pop(&p->b))) {
		answers++;
		datagram_free(dg);
	}
	/* 1024 hashed buckets: 40 addresses may share a few, never exceed. */
	assert_true(answers <= 100 && answers >= 90);
	assert_int_equal(p->b.d.halfopen.answers_sent, answers);
}

/* Simultaneous deletes: each side's request crosses the other's; both end. */
static void test_crossing_deletes(void **state)
{
	struct pair *p = *state;

	establish(p);
	peer_use(&p->a);
	ike_sa_delete(peer_sa(&p->a, 0));
	peer_use(&p->b);
	ike_sa_delete(peer_sa(&p->b, 0));
	pump(&p->a, &p->b);
	assert_int_equal(peer_sa_count(&p->a), 0);
	assert_int_equal(peer_sa_count(&p->b), 0);
}

/* A hundred drops of one reason: one line; a minute later, the summary. */
/* The daemon's log (stderr) caught in a temporary file, at a given level. */
struct log_capture {
	char path[32];
	int fd, saved;
};

static void log_capture_begin(struct log_capture *c, enum ike_log_level level)
{
	snprintf(c->path, sizeof(c->path), "/tmp/test_engine_log.XXXXXX");
	c->fd = mkstemp(c->path);
	c->saved = dup(2);
	assert_true(c->fd >= 0 && c->saved >= 0);
	ike_log_set_level(level);
	dup2(c->fd, 2);
}

/* Stops catching: the log from its start, to read and then log_capture_close(). */
static FILE *log_capture_end(struct log_capture *c)
{
	FILE *f;

	fflush(stderr);
	dup2(c->saved, 2);
	close(c->saved);
	ike_log_set_level(getenv("ENGINE_DEBUG") ? IKE_LOG_DEBUG : IKE_LOG_ERR);
	f = fdopen(c->fd, "r");
	assert_non_null(f);
	rewind(f);
	return f;
}

static void log_capture_close(struct log_capture *c, FILE *f)
{
	fclose(f);
	unlink(c->path);
}

static void test_drop_log_rate_limit(void **state)
{
	struct pair *p = *state;
	unsigned int lines = 0, summaries = 0;
	struct log_capture log;
	char line[512];
	FILE *f;
	int i;

	log_capture_begin(&log, IKE_LOG_INFO);
	peer_use(&p->b);
	for (i = 0; i < 100; i++)
		ike_drop(&p->b.d.drops, NULL, IKE_DROP_MALFORMED, "-", &p->a.addr, "test %d", i);
	advance(&p->a, &p->b, 61000);
	f = log_capture_end(&log);
	while (fgets(line, sizeof(line), f)) {
		lines++;
		summaries += !!strstr(line, "99 malformed");
	}
	log_capture_close(&log, f);
	assert_int_equal(lines, 2);
	assert_int_equal(summaries, 1);
	assert_int_equal(p->b.d.drops.count[IKE_DROP_MALFORMED], 100);
}

/*
 * An IKEv1 main mode request (SA with one transform, as strongSwan sends
 * with "version = 1"), well formed and then truncated: dropped and counted
 * as another version, no state made, nothing sent back.
 */
static void test_ikev1_refused(void **state)
{
	static const uint8_t main_mode_1[] = {
		1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0,
		1, 0x10, 2, 0, 0, 0, 0, 0, 0, 0, 0, 84,
		0, 0, 0, 56, 0, 0, 0, 1, 0, 0, 0, 1,
		0, 0, 0, 44, 1, 1, 0, 1,
		0, 0, 0, 36, 1, 1, 0, 0,
		0x80, 1, 0, 7, 0x80, 14, 0, 128, 0x80, 2, 0, 4, 0x80, 3, 0, 1,
		0x80, 4, 0, 19, 0x80, 11, 0, 1, 0x80, 12, 0x70, 0x80,
	};
	unsigned int named = 0, malformed = 0;
	uint8_t cut[sizeof(main_mode_1)];
	struct pair *p = *state;
	struct log_capture log;
	char line[512];
	FILE *f;

	log_capture_begin(&log, IKE_LOG_DEBUG);	/* the second drop too */
	peer_use(&p->b);
	inject(&p->b, main_mode_1, sizeof(main_mode_1), &p->a.addr, 500);
	memcpy(cut, main_mode_1, sizeof(cut));
	cut[27] = 80;			/* the SA runs past the message */
	inject(&p->b, cut, 80, &p->a.addr, 500);
	f = log_capture_end(&log);
	while (fgets(line, sizeof(line), f)) {
		named += !!strstr(line, "IKEv1 Main Mode msgid 00000000 [ SA ]: the gateway "
				  "speaks IKEv2 only, no fallback");
		malformed += !!strstr(line, "IKEv1 a malformed ISAKMP message (truncated)");
	}
	log_capture_close(&log, f);
	assert_int_equal(named, 1);
	assert_int_equal(malformed, 1);
	assert_int_equal(p->b.d.drops.count[IKE_DROP_VERSION], 2);
	assert_int_equal(p->b.d.drops.count[IKE_DROP_MALFORMED], 0);
	assert_null(peer_sa(&p->b, 0));
	assert_null(peer_pop(&p->b));
	assert_int_equal(p->b.sent, 0);
}

/* The children of P's I-th SA that carry traffic (not replaced, not retiring). */
static unsigned int live_children(struct test_peer *p, unsigned int i, struct child_sa **one)
{
	struct ike_sa *sa = peer_sa(p, i);
	unsigned int n = 0;
	struct child_sa *c;

	for (c = sa ? sa->children : NULL; c; c = c->next) {
		if (c->state != CHILD_INSTALLED)
			continue;
		n++;
		if (one)
			*one = c;
	}
	return n;
}

/* One live pair at each end, the same pair; its SPIs returned. */
static void assert_one_pair(struct pair *p, uint32_t *spi_a, uint32_t *spi_b)
{
	struct child_sa *a = NULL, *b = NULL;

	assert_int_equal(live_children(&p->a, 0, &a), 1);
	assert_int_equal(live_children(&p->b, 0, &b), 1);
	assert_int_equal(a->spi_in, b->spi_out);
	assert_int_equal(a->spi_out, b->spi_in);
	assert_false(a->out_standby);
	assert_false(b->out_standby);
	if (spi_a)
		*spi_a = a->spi_in;
	if (spi_b)
		*spi_b = b->spi_in;
}

/* The module's soft expiry of P's first child, as its event would say it. */
static void soft_expire(struct test_peer *p)
{
	struct child_sa *c = NULL;

	peer_use(p);
	live_children(p, 0, &c);
	assert_non_null(c);
	ike_child_soft_expired("st0", c->spi_out, 1 /* SECTUN_DIR_OUT */);
}

/* Make-before-break: the initiator of the rekey keeps the old inbound SA a moment. */
static void rekey_child_from(struct pair *p, struct test_peer *by, struct test_peer *other)
{
	uint32_t old_a, old_b, new_a, new_b;

	establish(p);
	assert_one_pair(p, &old_a, &old_b);
	soft_expire(by);
	pump(&p->a, &p->b);
	assert_one_pair(p, &new_a, &new_b);
	assert_int_not_equal(new_a, old_a);
	assert_int_not_equal(new_b, old_b);
	/* Both ends keep the old inbound SA a moment, for packets in flight. */
	assert_int_equal(peer_sa(by, 0)->n_children, 2);
	assert_int_equal(peer_sa(other, 0)->n_children, 2);
	advance(&p->a, &p->b, CHILD_LINGER_MS + 10);
	assert_int_equal(peer_sa(by, 0)->n_children, 1);
	assert_int_equal(peer_sa(other, 0)->n_children, 1);
	assert_int_equal(peer_sa(by, 0)->children->rekeys, 1);
	assert_int_equal(peer_sa(other, 0)->children->rekeys, 1);
	assert_int_equal(by->cfg.vpn[0].child_rekeys, 1);
	assert_int_equal(other->cfg.vpn[0].child_rekeys, 1);
}

static void test_child_rekey_initiator(void **state)
{
	struct pair *p = *state;

	rekey_child_from(p, &p->a, &p->b);
}

/* The IKE SA's responder rekeys: KEYMAT roles follow the CREATE_CHILD_SA. */
static void test_child_rekey_responder(void **state)
{
	struct pair *p = *state;

	rekey_child_from(p, &p->b, &p->a);
}

/* Both ends rekey at once (RFC 7296 2.8.1): one pair survives, the same at both. */
static void test_child_rekey_collision(void **state)
{
	struct pair *p = *state;
	uint32_t old_a, new_a;

	establish(p);
	assert_one_pair(p, &old_a, NULL);
	soft_expire(&p->a);
	soft_expire(&p->b);
	pump(&p->a, &p->b);
	advance(&p->a, &p->b, CHILD_LINGER_MS + 10);
	pump(&p->a, &p->b);
	assert_one_pair(p, &new_a, NULL);
	assert_int_not_equal(new_a, old_a);
	assert_int_equal(peer_sa(&p->a, 0)->n_children, 1);
	assert_int_equal(peer_sa(&p->b, 0)->n_children, 1);
}

/* Standby never switched by a delete: the responder switches on its own. */
static void test_child_rekey_no_delete(void **state)
{
	struct pair *p = *state;
	struct datagram *dg;
	struct child_sa *c;

	establish(p);
	soft_expire(&p->a);
	/* The request, then b's answer; a's delete of the old pair is lost. */
	dg = peer_pop(&p->a);
	deliver(&p->b, dg);
	datagram_free(dg);
	dg = peer_pop(&p->b);
	deliver(&p->a, dg);
	datagram_free(dg);
	peer_drop_all(&p->a);
	for (c = peer_sa(&p->b, 0)->children; c && c->state != CHILD_INSTALLED; c = c->next)
		;
	assert_non_null(c);
	assert_true(c->out_standby);
	advance(&p->a, &p->b, CHILD_STANDBY_MS + 10);
	assert_false(c->out_standby);
	/* b deletes the replaced pair itself; both end with the new one alone. */
	pump(&p->a, &p->b);
	advance(&p->a, &p->b, CHILD_LINGER_MS + 10);
	assert_one_pair(p, NULL, NULL);
	assert_int_equal(peer_sa(&p->a, 0)->n_children, 1);
	assert_int_equal(peer_sa(&p->b, 0)->n_children, 1);
}

/* An IKE SA rekey by P: new SPIs, children moved, message IDs from 0. */
static void rekey_ike_from(struct pair *p, struct test_peer *by)
{
	uint8_t spi_i[8], spi_r[8];
	struct ike_sa *a, *b;
	uint32_t child_a;

	establish(p);
	assert_one_pair(p, &child_a, NULL);
	memcpy(spi_i, peer_sa(&p->a, 0)->spi_i, 8);
	memcpy(spi_r, peer_sa(&p->a, 0)->spi_r, 8);
	peer_use(by);
	assert_int_equal(ikev2_ike_rekey_start(peer_sa(by, 0)), 0);
	pump(&p->a, &p->b);
	assert_up(p, 1);
	a = peer_sa(&p->a, 0);
	b = peer_sa(&p->b, 0);
	assert_memory_not_equal(a->spi_i, spi_i, 8);
	assert_memory_not_equal(a->spi_r, spi_r, 8);
	assert_int_equal(a->rekeys, 1);
	assert_int_equal(b->rekeys, 1);
	assert_true(peer_sa(by, 0)->initiator);
	assert_false(peer_sa(by == &p->a ? &p->b : &p->a, 0)->initiator);
	/* a started the VPN and keeps it, whoever rekeyed. */
	assert_ptr_equal(a->vpn, &p->a.cfg.vpn[0]);
	assert_null(b->vpn);
	assert_int_equal(a->children->spi_in, child_a);
	assert_int_equal(a->xchg.next_msgid + b->xchg.next_msgid, 0);
	/* The new SA's keys work: a child rekey over it. */
	soft_expire(&p->b);
	pump(&p->a, &p->b);
	assert_one_pair(p, NULL, NULL);
	assert_int_equal(peer_sa(&p->b, 0)->xchg.next_msgid, 2);	/* rekey, delete */
}

static void test_ike_rekey_initiator(void **state)
{
	struct pair *p = *state;

	rekey_ike_from(p, &p->a);
}

static void test_ike_rekey_responder(void **state)
{
	struct pair *p = *state;

	rekey_ike_from(p, &p->b);
}

/* Both sides' children: one pair, on their only IKE SAs, which agree. */
static void assert_settled(struct pair *p)
{
	assert_up(p, 1);
	assert_one_pair(p, NULL, NULL);
	assert_int_equal(peer_sa(&p->a, 0)->rekeys, peer_sa(&p->b, 0)->rekeys);
}

/* Both start an IKE SA rekey; P's first datagram (of two) is delivered second. */
static void ike_rekey_both(struct pair *p)
{
	establish(p);
	peer_use(&p->a);
	assert_int_equal(ikev2_ike_rekey_start(peer_sa(&p->a, 0)), 0);
	peer_use(&p->b);
	assert_int_equal(ikev2_ike_rekey_start(peer_sa(&p->b, 0)), 0);
}

/*
 * Both rekey the IKE SA at once and both see it (RFC 7296 2.8.2): each
 * answers the other's, four nonces decide, the redundant new SA is
 * deleted by its initiator, the other takes the child. No retry.
 */
static void test_ike_rekey_collision(void **state)
{
	struct pair *p = *state;
	uint32_t child_a, now_a;

	ike_rekey_both(p);
	assert_one_pair(p, &child_a, NULL);
	pump(&p->a, &p->b);
	assert_settled(p);
	assert_int_equal(peer_sa(&p->a, 0)->rekeys, 1);
	assert_one_pair(p, &now_a, NULL);
	assert_int_equal(now_a, child_a);
	/* Nothing left to retry or expire: a minute later, still the same. */
	advance(&p->a, &p->b, 60000);
	pump(&p->a, &p->b);
	assert_settled(p);
	assert_int_equal(peer_sa(&p->a, 0)->rekeys, 1);
}

/*
 * Only b sees the collision: a's answer reaches a before b's request
 * does, so a has rekeyed and refuses b's with TEMPORARY_FAILURE; b's
 * SA made by a's rekey then stands (2.8.2, last paragraph).
 */
static void test_ike_rekey_collision_one_sided(void **state)
{
	struct pair *p = *state;
	struct datagram *req_a, *req_b, *resp_b;

	ike_rekey_both(p);
	req_a = peer_pop(&p->a);
	req_b = peer_pop(&p->b);
	deliver(&p->b, req_a);		/* b answers while its own is out */
	resp_b = peer_pop(&p->b);
	assert_non_null(resp_b);
	deliver(&p->a, resp_b);		/* a is done, before it hears b's */
	deliver(&p->a, req_b);		/* refused: a is closing that SA */
	datagram_free(req_a);
	datagram_free(req_b);
	datagram_free(resp_b);
	pump(&p->a, &p->b);
	assert_settled(p);
	assert_int_equal(peer_sa(&p->a, 0)->rekeys, 1);
	assert_true(peer_sa(&p->a, 0)->initiator);
	advance(&p->a, &p->b, 60000);
	pump(&p->a, &p->b);
	assert_settled(p);
	assert_int_equal(peer_sa(&p->a, 0)->rekeys, 1);
}

/* b deletes the IKE SA while a rekeys it: the delete wins, nothing is left. */
static void test_ike_rekey_crossing_delete(void **state)
{
	struct pair *p = *state;

	establish(p);
	peer_use(&p->a);
	assert_int_equal(ikev2_ike_rekey_start(peer_sa(&p->a, 0)), 0);
	peer_use(&p->b);
	ike_sa_delete(peer_sa(&p->b, 0));
	pump(&p->a, &p->b);
	assert_int_equal(peer_sa_count(&p->b), 0);
	assert_int_equal(peer_sa_count(&p->a), 0);
}

/*
 * a rekeys the IKE SA while b rekeys the child (2.25.2): each refuses
 * the other's with TEMPORARY_FAILURE, both try again, both get done.
 */
static void test_ike_rekey_crossing_child_rekey(void **state)
{
	struct pair *p = *state;
	uint32_t old_child, new_child;
	int i;

	establish(p);
	assert_one_pair(p, &old_child, NULL);
	peer_use(&p->a);
	assert_int_equal(ikev2_ike_rekey_start(peer_sa(&p->a, 0)), 0);
	soft_expire(&p->b);
	pump(&p->a, &p->b);
	for (i = 0; i < 40; i++) {
		advance(&p->a, &p->b, 250);
		pump(&p->a, &p->b);
	}
	advance(&p->a, &p->b, CHILD_LINGER_MS + 10);
	pump(&p->a, &p->b);
	assert_settled(p);
	assert_int_equal(peer_sa(&p->a, 0)->rekeys, 1);
	assert_one_pair(p, &new_child, NULL);
	assert_int_not_equal(new_child, old_child);
	assert_int_equal(peer_sa(&p->a, 0)->n_children, 1);
}

#define TWO_SEL_A ", { local = \"10.11.0.0/16\"; remote = \"10.12.0.0/16\"; }"
#define TWO_SEL_B ", { local = \"10.12.0.0/16\"; remote = \"10.11.0.0/16\"; }"

/* a reauthenticates at every IKE SA rekey (reauth-frequency 1). */
static int setup_reauth_a(void **state)
{
	return setup_with(state,
			  CONF_GW(A_ADDR, B_ADDR, PROPS, "", "10.1.0.0/16", "10.2.0.0/16",
				  TWO_SEL_A, "reauth-frequency = 1;"),
			  CONF(B_ADDR, A_ADDR, PROPS, "", "10.2.0.0/16", "10.1.0.0/16",
			       TWO_SEL_B));
}

/* b, the responder, reauthenticates at every third rekey. */
static int setup_reauth_b3(void **state)
{
	return setup_with(state, CONF_A(PROPS, "", ""),
			  CONF_GW(B_ADDR, A_ADDR, PROPS, "", "10.2.0.0/16", "10.1.0.0/16", "",
				  "reauth-frequency = 3;"));
}

/* P's IKE SA rekey timer fires now. */
static void rekey_due_now(struct test_peer *p)
{
	peer_use(p);
	ike_sa_rekey_in(peer_sa(p, 0), 1);
}

/* One datagram each way, if there is one; false when both were quiet. */
static bool step(struct pair *p)
{
	struct datagram *dg;
	bool moved = false;

	if ((dg = peer_pop(&p->a))) {
		deliver(&p->b, dg);
		datagram_free(dg);
		moved = true;
	}
	if ((dg = peer_pop(&p->b))) {
		deliver(&p->a, dg);
		datagram_free(dg);
		moved = true;
	}
	return moved;
}

/* The live children of every SA of P. */
static unsigned int all_live_children(struct test_peer *p)
{
	unsigned int i, n = 0;

	for (i = 0; peer_sa(p, i); i++)
		n += live_children(p, i, NULL);
	return n;
}

/*
 * Each side: one IKE SA, N children, all carrying traffic (none on
 * standby, none replaced or retiring), each the other side's mirror, each
 * in a selector index (with no kernel, every index reads 1).
 */
static void assert_settled_pairs(struct pair *p, unsigned int n)
{
	struct ike_sa *a = peer_sa(&p->a, 0), *b = peer_sa(&p->b, 0);
	struct child_sa *c, *d;
	unsigned int found;

	assert_non_null(a);
	assert_non_null(b);
	assert_null(peer_sa(&p->a, 1));
	assert_null(peer_sa(&p->b, 1));
	assert_int_equal(a->n_children, n);
	assert_int_equal(b->n_children, n);
	for (c = a->children; c; c = c->next) {
		assert_int_equal(c->state, CHILD_INSTALLED);
		assert_false(c->out_standby);
		assert_int_not_equal(c->policy.n, 0);
		for (found = 0, d = b->children; d; d = d->next)
			found += d->spi_in == c->spi_out && d->spi_out == c->spi_in &&
				 d->state == CHILD_INSTALLED && !d->out_standby;
		assert_int_equal(found, 1);
	}
}

/*
 * a reauthenticates: a new IKE SA from scratch, both children made anew
 * on it before the old SA goes, and no INITIAL_CONTACT (the responder
 * keeps the old SA until it is deleted).
 */
static void test_reauth_initiator(void **state)
{
	struct pair *p = *state;
	uint8_t old_spi[8];
	struct ike_sa *a;
	bool both_seen = false;
	unsigned int i;

	initiate(p);
	pump(&p->a, &p->b);
	assert_up(p, 2);
	memcpy(old_spi, peer_sa(&p->a, 0)->spi_i, 8);
	rekey_due_now(&p->a);
	advance(&p->a, &p->b, 2);
	for (i = 0; i < 100 && step(p); i++) {
		/* While both SAs live at b, the traffic never lacks a pair. */
		if (peer_sa_count(&p->b) == 2)
			both_seen = true;
		assert_true(all_live_children(&p->b) >= 2);
	}
	assert_true(both_seen);
	advance(&p->a, &p->b, CHILD_LINGER_MS + 10);
	pump(&p->a, &p->b);
	assert_up(p, 2);
	a = peer_sa(&p->a, 0);
	assert_memory_not_equal(a->spi_i, old_spi, 8);
	assert_true(a->initiator);
	assert_ptr_equal(a->vpn, &p->a.cfg.vpn[0]);
	assert_int_equal(a->since_auth, 0);
	assert_int_equal(a->rekeys, 1);
	assert_false(a->reauth_pending);
	assert_int_equal(live_children(&p->a, 0, NULL), 2);
	assert_int_equal(live_children(&p->b, 0, NULL), 2);
	assert_int_equal(p->b.d.drops.count[IKE_DROP_UNKNOWN_SPI], 0);
	assert_settled_pairs(p, 2);
}

/*
 * b reauthenticates at its third rekey; a follows: the new children wait
 * on standby until the old IKE SA's delete, and a keeps its VPN up with
 * the new SA.
 */
static void test_reauth_responder_every_third(void **state)
{
	struct pair *p = *state;
	struct child_sa *c = NULL;
	uint8_t spi[8];
	int i;

	establish(p);
	for (i = 1; i <= 3; i++) {
		memcpy(spi, peer_sa(&p->b, 0)->spi_r, 8);
		rekey_due_now(&p->b);
		advance(&p->a, &p->b, 2);
		pump(&p->a, &p->b);
		advance(&p->a, &p->b, CHILD_LINGER_MS + 10);
		pump(&p->a, &p->b);
		assert_up(p, 1);
		assert_memory_not_equal(peer_sa(&p->b, 0)->spi_r, spi, 8);
		assert_int_equal(peer_sa(&p->b, 0)->since_auth, i % 3);
		assert_int_equal(peer_sa(&p->b, 0)->rekeys, i);
	}
	/* After the reauthentication b is the original initiator. */
	assert_true(peer_sa(&p->b, 0)->initiator);
	assert_ptr_equal(peer_sa(&p->a, 0)->vpn, &p->a.cfg.vpn[0]);
	assert_int_equal(live_children(&p->a, 0, &c), 1);
	assert_false(c->out_standby);
	assert_one_pair(p, NULL, NULL);
}

/* Answers of a's to a delete of an IKE SA with children made anew elsewhere. */
static unsigned int reauth_answers_seen;

static void successors_current_before_answer(struct test_peer *p)
{
	struct child_sa *c, *next;
	struct ike_sa *sa;
	unsigned int i;

	for (i = 0; (sa = peer_sa(p, i)); i++) {
		if (strcmp(sa->why, "deleted by the peer"))
			continue;
		for (c = sa->children; c; c = c->next) {
			if (c->state != CHILD_REKEYED)
				continue;
			next = ike_child_find_in(c->replaced_by, NULL);
			assert_non_null(next);
			assert_false(next->out_standby);
			reauth_answers_seen++;
		}
	}
}

/*
 * b reauthenticates and deletes the old IKE SA; a's children made anew
 * carry a's traffic before a answers the delete: once answered, b drops
 * what a sends on the old ones.
 */
static void test_reauth_responder_switches_before_answer(void **state)
{
	struct pair *p = *state;
	int i;

	establish(p);
	reauth_answers_seen = 0;
	p->a.on_send = successors_current_before_answer;
	for (i = 1; i <= 3; i++) {
		rekey_due_now(&p->b);
		advance(&p->a, &p->b, 2);
		pump(&p->a, &p->b);
		advance(&p->a, &p->b, CHILD_LINGER_MS + 10);
		pump(&p->a, &p->b);
	}
	p->a.on_send = NULL;
	assert_int_equal(reauth_answers_seen, 1);
	assert_one_pair(p, NULL, NULL);
}

/* A reauthentication the peer refuses leaves the old SA up and tries again. */
static void test_reauth_refused(void **state)
{
	struct pair *p = *state;
	uint8_t spi[8];
	unsigned int i;

	initiate(p);
	pump(&p->a, &p->b);
	assert_up(p, 2);
	memcpy(spi, peer_sa(&p->a, 0)->spi_i, 8);
	rekey_due_now(&p->a);
	advance(&p->a, &p->b, 2);
	/* Every IKE_SA_INIT of the reauthentication is lost. */
	for (i = 0; i < 40; i++) {
		peer_drop_all(&p->a);
		advance(&p->a, &p->b, 1000);
		if (peer_sa_count(&p->a) == 1)
			break;
	}
	assert_int_equal(peer_sa_count(&p->a), 1);
	assert_memory_equal(peer_sa(&p->a, 0)->spi_i, spi, 8);
	assert_true(peer_sa(&p->a, 0)->rekey.armed);
	assert_int_equal(live_children(&p->a, 0, NULL), 2);
	/* The next try gets through. */
	advance(&p->a, &p->b, 6000);
	pump(&p->a, &p->b);
	advance(&p->a, &p->b, CHILD_LINGER_MS + 10);
	pump(&p->a, &p->b);
	assert_up(p, 2);
	assert_memory_not_equal(peer_sa(&p->a, 0)->spi_i, spi, 8);
}

/* a's reauthentication dies half way: the old SA carries on as it was. */
static void test_reauth_reverted(void **state)
{
	struct pair *p = *state;
	uint32_t policies[2], spis[2];
	struct child_sa *c;
	uint8_t spi[8];
	unsigned int i;

	initiate(p);
	pump(&p->a, &p->b);
	assert_settled_pairs(p, 2);
	memcpy(spi, peer_sa(&p->a, 0)->spi_i, 8);
	for (i = 0, c = peer_sa(&p->a, 0)->children; c; c = c->next, i++) {
		policies[i] = c->policy.index[0];
		spis[i] = c->spi_in;
	}
	rekey_due_now(&p->a);
	advance(&p->a, &p->b, 2);
	/* IKE_SA_INIT and IKE_AUTH go through; the second child's request is lost. */
	for (i = 0; i < 2; i++)
		step(p);
	assert_int_equal(peer_sa_count(&p->a), 2);
	peer_drop_all(&p->a);
	for (i = 0; i < 30 && peer_sa_count(&p->a) > 1; i++) {
		peer_drop_all(&p->a);
		advance(&p->a, &p->b, 1000);
	}
	assert_int_equal(peer_sa_count(&p->a), 1);
	assert_memory_equal(peer_sa(&p->a, 0)->spi_i, spi, 8);
	for (i = 0, c = peer_sa(&p->a, 0)->children; c; c = c->next, i++) {
		assert_int_equal(c->state, CHILD_INSTALLED);
		assert_false(c->out_standby);
		assert_int_equal(c->policy.index[0], policies[i]);
		assert_int_equal(c->spi_in, spis[i]);
	}
	/* b learns of the dead SA once a tries again and gets through. */
	advance(&p->a, &p->b, 6000);
	pump(&p->a, &p->b);
	advance(&p->a, &p->b, CHILD_LINGER_MS + 10);
	pump(&p->a, &p->b);
	assert_memory_not_equal(peer_sa(&p->a, 0)->spi_i, spi, 8);
}

/* Both ends reauthenticate at once: the old SA's initiator's new SA wins. */
static void test_reauth_both(void **state)
{
	struct pair *p = *state;
	uint8_t spi[8];
	int i;

	initiate(p);
	pump(&p->a, &p->b);
	assert_settled_pairs(p, 2);
	memcpy(spi, peer_sa(&p->a, 0)->spi_i, 8);
	peer_use(&p->a);
	assert_int_equal(ikev2_reauth_start(peer_sa(&p->a, 0)), 0);
	peer_use(&p->b);
	assert_int_equal(ikev2_reauth_start(peer_sa(&p->b, 0)), 0);
	/* b's new SA goes before a's delete of it can reach it: a's gives up on it. */
	for (i = 0; i < 40; i++) {
		pump(&p->a, &p->b);
		advance(&p->a, &p->b, 500);
	}
	assert_settled_pairs(p, 2);
	/* a initiated the old SA: its reauthentication stood. */
	assert_true(peer_sa(&p->a, 0)->initiator);
	assert_memory_not_equal(peer_sa(&p->a, 0)->spi_i, spi, 8);
}

/* A child rekey of the old SA crosses the reauthentication: one pair stays. */
static void test_reauth_crossing_child_rekey(void **state)
{
	struct pair *p = *state;
	unsigned int i;

	initiate(p);
	pump(&p->a, &p->b);
	assert_settled_pairs(p, 2);
	soft_expire(&p->b);
	soft_expire(&p->a);
	peer_use(&p->a);
	assert_int_equal(ikev2_reauth_start(peer_sa(&p->a, 0)), 0);
	for (i = 0; i < 20; i++) {
		pump(&p->a, &p->b);
		advance(&p->a, &p->b, 500);
	}
	advance(&p->a, &p->b, CHILD_STANDBY_MS + CHILD_LINGER_MS);
	pump(&p->a, &p->b);
	assert_settled_pairs(p, 2);
}

#define DPD(mode) "dpd = { mode = \"" mode "\"; interval = 2; threshold = 3; };"

#define SETUP_DPD(state, mode) \
	setup_with(state, CONF_GW(A_ADDR, B_ADDR, PROPS, "", "10.1.0.0/16", "10.2.0.0/16", \
				  "", DPD(mode)), \
		   CONF_B(PROPS, "", ""))

static int setup_dpd_idle(void **state)
{
	return SETUP_DPD(state, "probe-idle-tunnel");
}

static int setup_dpd_optimized(void **state)
{
	return SETUP_DPD(state, "optimized");
}

static int setup_dpd_always(void **state)
{
	return SETUP_DPD(state, "always-send");
}

/* The module's packet counters, as the test makes them move. */
static uint64_t packets_in, packets_out;

static uint64_t fake_packets(const struct child_sa *c, int dir)
{
	(void)c;
	return dir == 0 /* SECTUN_DIR_IN */ ? packets_in : packets_out;
}

/* The first established SA of P, or NULL. */
static struct ike_sa *established(struct test_peer *p)
{
	struct ike_sa *sa;
	unsigned int i;

	for (i = 0; (sa = peer_sa(p, i)); i++)
		if (sa->state == IKE_SA_ESTABLISHED)
			return sa;
	return NULL;
}

/*
 * Idle tunnel: a probes every interval and b answers; once b is gone, a
 * declares it dead within interval x threshold (+ 1 interval) of its
 * last answer, and its children are gone.
 */
static void test_dpd_idle_dead_peer(void **state)
{
	struct pair *p = *state;
	struct ike_sa *a;
	unsigned int ms;

	establish(p);
	a = peer_sa(&p->a, 0);
	for (ms = 0; ms < 10000; ms += 500) {
		advance(&p->a, &p->b, 500);
		pump(&p->a, &p->b);
	}
	assert_int_equal(a->dpd.sent, 5);
	assert_int_equal(a->dpd.answered, 5);
	/* b vanishes: nothing it would say arrives, nothing reaches it. */
	for (ms = 0; ms <= 8000 && established(&p->a); ms += 500) {
		peer_drop_all(&p->a);
		advance(&p->a, NULL, 500);
	}
	assert_null(established(&p->a));
	assert_true(ms <= 8000);
	assert_true(ms >= 4000);
	assert_int_equal(peer_sa_count(&p->a) <= 1, 1);	/* only a new attempt */
}

/* Optimized: no probe while traffic flows both ways; one when only ours does. */
static void test_dpd_optimized(void **state)
{
	struct pair *p = *state;
	struct ike_sa *a;
	unsigned int ms;

	ike_kernel_dry_packets = fake_packets;
	packets_in = packets_out = 0;
	establish(p);
	a = peer_sa(&p->a, 0);
	/* Idle: optimized mode says nothing. */
	for (ms = 0; ms < 10000; ms += 500)
		advance(&p->a, &p->b, 500);
	assert_int_equal(a->dpd.sent, 0);
	/* Both ways. */
	for (ms = 0; ms < 20000; ms += 500) {
		packets_in += 25;
		packets_out += 25;
		advance(&p->a, &p->b, 500);
		pump(&p->a, &p->b);
	}
	assert_int_equal(a->dpd.sent, 0);
	assert_int_equal(a->stats.msgs_out, 2);		/* IKE_SA_INIT, IKE_AUTH */
	/* Only ours: a probe, answered. */
	for (ms = 0; ms < 2500; ms += 500) {
		packets_out += 25;
		advance(&p->a, &p->b, 500);
		pump(&p->a, &p->b);
	}
	assert_int_equal(a->dpd.sent, 1);
	assert_int_equal(a->dpd.answered, 1);
	ike_kernel_dry_packets = NULL;
}

/* Always-send: a probe every interval whatever flows. */
static void test_dpd_always(void **state)
{
	struct pair *p = *state;
	struct ike_sa *a;
	unsigned int ms;

	ike_kernel_dry_packets = fake_packets;
	establish(p);
	a = peer_sa(&p->a, 0);
	for (ms = 0; ms < 10000; ms += 500) {
		packets_in += 25;
		packets_out += 25;
		advance(&p->a, &p->b, 500);
		pump(&p->a, &p->b);
	}
	assert_int_equal(a->dpd.sent, 5);
	assert_int_equal(a->dpd.answered, 5);
	ike_kernel_dry_packets = NULL;
}

/* Two VPNs on one gateway; W_PROPS is w's ESP proposal. */
#define RELOAD_CONF(local, peer, lv, rv, lw, rw, establish, w_props) \
	"gateways = ( { name = \"peer\"; address = \"" peer "\"; local-address = \"" local "\";" \
	" psk = \"engine test secret\"; proposals = [ " PROPS " ]; } );\n" \
	"vpns = ( { name = \"v\"; gateway = \"peer\"; bind-interface = \"st0\";" \
	" proposals = \"aes128gcm16\"; establish-tunnels = \"" establish "\";" \
	" traffic-selectors = ( { local = \"" lv "\"; remote = \"" rv "\"; } ); },\n" \
	" { name = \"w\"; gateway = \"peer\"; bind-interface = \"st1\";" \
	" proposals = " w_props "; establish-tunnels = \"" establish "\";" \
	" traffic-selectors = ( { local = \"" lw "\"; remote = \"" rw "\"; } ); } );\n"
#define RELOAD_A(w_props) RELOAD_CONF(A_ADDR, B_ADDR, "10.1.0.0/16", "10.2.0.0/16", \
				      "10.11.0.0/16", "10.12.0.0/16", "immediately", w_props)

static int setup_reload(void **state)
{
	return setup_with(state, RELOAD_A("\"aes128gcm16\""),
			  RELOAD_CONF(B_ADDR, A_ADDR, "10.2.0.0/16", "10.1.0.0/16", "10.12.0.0/16",
				      "10.11.0.0/16", "responder-only",
				      "[ \"aes128gcm16\", \"aes256gcm16\" ]"));
}

/*
 * What the daemon does at start and after a reload: the VPNs that should
 * be up are brought up (once here; the daemon's timer goes on doing it).
 */
static void start_vpns(struct test_peer *p)
{
	peer_use(p);
	iked_vpns_start();
	iked_vpns_pause();
}

/* P's configuration becomes TEXT, as "sectun ike reload" would make it. */
static void reload(struct test_peer *p, const char *text, struct iked_reload_stats *st)
{
	struct iked_config fresh;

	assert_int_equal(peer_load_config(text, &fresh), 0);
	peer_use(p);
	assert_int_equal(iked_reconfigure(&p->cfg, &fresh, st), 0);
	iked_daemon_reap();
	iked_config_free(&p->cfg);
	p->cfg = fresh;
	p->d.cfg = &p->cfg;
	start_vpns(p);
}

/* The child of P's VPN NAME that carries traffic, or NULL. */
static struct child_sa *vpn_child(struct test_peer *p, const char *name)
{
	struct child_sa *c;
	struct ike_sa *sa;
	unsigned int i;

	for (i = 0; (sa = peer_sa(p, i)); i++)
		for (c = sa->children; c; c = c->next)
			if (c->state == CHILD_INSTALLED && !strcmp(c->vpn->name, name))
				return c;
	return NULL;
}

/*
 * A reload that changes w only: v's IKE SA and child keep their SPIs and
 * point into the new configuration; w's child is deleted and made anew
 * with the new proposal over its IKE SA, which stays.
 */
static void test_reload_keeps_unchanged(void **state)
{
	struct pair *p = *state;
	struct iked_reload_stats st;
	uint32_t v_spi, w_spi;
	struct child_sa *c;

	start_vpns(&p->a);
	pump(&p->a, &p->b);
	/* One IKE SA carries both VPNs' children. */
	assert_int_equal(peer_sa_count(&p->a), 1);
	assert_int_equal(peer_sa_count(&p->b), 1);
	v_spi = vpn_child(&p->a, "v")->spi_in;
	w_spi = vpn_child(&p->a, "w")->spi_in;

	/* The same text again: nothing moves. */
	reload(&p->a, RELOAD_A("\"aes128gcm16\""), &st);
	assert_int_equal(st.ike_kept, 1);
	assert_int_equal(st.children_kept, 2);
	assert_int_equal(st.ike_deleted + st.children_deleted, 0);
	pump(&p->a, &p->b);
	assert_int_equal(vpn_child(&p->a, "v")->spi_in, v_spi);
	assert_int_equal(vpn_child(&p->a, "w")->spi_in, w_spi);
	assert_ptr_equal(vpn_child(&p->a, "v")->vpn, &p->a.cfg.vpn[0]);

	reload(&p->a, RELOAD_A("\"aes256gcm16\""), &st);
	assert_int_equal(st.ike_kept, 1);
	assert_int_equal(st.children_kept, 1);
	assert_int_equal(st.children_deleted, 1);
	pump(&p->a, &p->b);
	advance(&p->a, &p->b, CHILD_LINGER_MS + 10);
	pump(&p->a, &p->b);
	assert_int_equal(peer_sa_count(&p->a), 1);
	assert_int_equal(peer_sa_count(&p->b), 1);
	c = vpn_child(&p->a, "v");
	assert_int_equal(c->spi_in, v_spi);
	assert_ptr_equal(c->vpn, &p->a.cfg.vpn[0]);
	assert_ptr_equal(c->sa->gw, &p->a.cfg.gw[0]);
	c = vpn_child(&p->a, "w");
	assert_non_null(c);
	assert_int_not_equal(c->spi_in, w_spi);
	assert_int_equal(c->suite.encr_bits, 256);
	assert_ptr_equal(c->vpn, &p->a.cfg.vpn[1]);
	assert_ptr_equal(c->sa->vpn, &p->a.cfg.vpn[0]);
	/* b holds exactly the pairs a does. */
	assert_int_equal(all_live_children(&p->b), 2);
}

/* A reload without the gateway: its IKE SAs are deleted, the peer told. */
static void test_reload_removes_gateway(void **state)
{
	struct pair *p = *state;
	struct iked_reload_stats st;

	start_vpns(&p->a);
	pump(&p->a, &p->b);
	assert_int_equal(peer_sa_count(&p->b), 1);
	reload(&p->a, "gateways = ();\nvpns = ();\n", &st);
	assert_int_equal(st.ike_deleted, 1);
	assert_int_equal(peer_sa_count(&p->a), 0);
	pump(&p->a, &p->b);
	assert_int_equal(peer_sa_count(&p->b), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_establish, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_selectors_queued, setup_two_selectors,
						teardown),
		cmocka_unit_test_setup_teardown(test_plaintext_delete_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plaintext_auth_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_exchange_response, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forged_init_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsolicited_response, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_of_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_request, setup, teardown),
		cmocka_unit_test_setup_teardown(test_altered_retransmission, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cookie_responder, setup_cookie_b, teardown),
		cmocka_unit_test_setup_teardown(test_cookie_initiator, setup_cookie_a, teardown),
		cmocka_unit_test_setup_teardown(test_invalid_ke_with_cookie,
						setup_invalid_ke_cookie, teardown),
		cmocka_unit_test_setup_teardown(test_half_open_expiry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_half_open_limit, setup_limits, teardown),
		cmocka_unit_test_setup_teardown(test_init_retransmission, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cookie_per_address, setup_cookie_per_address,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_spi_rate_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_waits_for_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_initial_contact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_critical_in_sk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rules_in_auth, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reserved_child_spi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_child_limit, setup_child_limit, teardown),
		cmocka_unit_test_setup_teardown(test_zero_spi_init, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rules_kill_half_open, setup, teardown),
		cmocka_unit_test_setup_teardown(test_float_and_replay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nat_detected_follow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_child_invalid_ke, setup_pfs, teardown),
		cmocka_unit_test_setup_teardown(test_half_open_max, setup_half_open_max, teardown),
		cmocka_unit_test_setup_teardown(test_queue_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forged_cookies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cookie_expiry, setup_cookie_b, teardown),
		cmocka_unit_test_setup_teardown(test_refusals_charged, setup_cookie_per_address,
						teardown),
		cmocka_unit_test_setup_teardown(test_cookie_replay_capped, setup_cookie_replay,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_spi_global_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crossing_deletes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ikev1_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drop_log_rate_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_child_rekey_initiator, setup, teardown),
		cmocka_unit_test_setup_teardown(test_child_rekey_responder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_child_rekey_collision, setup, teardown),
		cmocka_unit_test_setup_teardown(test_child_rekey_no_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ike_rekey_initiator, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ike_rekey_responder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ike_rekey_collision, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ike_rekey_collision_one_sided, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ike_rekey_crossing_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ike_rekey_crossing_child_rekey, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_reauth_initiator, setup_reauth_a, teardown),
		cmocka_unit_test_setup_teardown(test_reauth_responder_every_third,
						setup_reauth_b3, teardown),
		cmocka_unit_test_setup_teardown(test_reauth_responder_switches_before_answer,
						setup_reauth_b3, teardown),
		cmocka_unit_test_setup_teardown(test_reauth_refused, setup_reauth_a, teardown),
		cmocka_unit_test_setup_teardown(test_reauth_reverted, setup_reauth_a, teardown),
		cmocka_unit_test_setup_teardown(test_reauth_both, setup_reauth_a, teardown),
		cmocka_unit_test_setup_teardown(test_reauth_crossing_child_rekey, setup_reauth_a,
						teardown),
		cmocka_unit_test_setup_teardown(test_dpd_idle_dead_peer, setup_dpd_idle, teardown),
		cmocka_unit_test_setup_teardown(test_dpd_optimized, setup_dpd_optimized, teardown),
		cmocka_unit_test_setup_teardown(test_dpd_always, setup_dpd_always, teardown),
		cmocka_unit_test_setup_teardown(test_reload_keeps_unchanged, setup_reload, teardown),
		cmocka_unit_test_setup_teardown(test_reload_removes_gateway, setup_reload, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
