// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the exchange engine: whole datagrams into a
 * responder (b) with a fixed configuration, at three stages of an IKE SA
 * set up by a real initiator (a): none yet, after IKE_SA_INIT, and
 * established. Past IKE_SA_INIT the fuzzer's payload chains can also be
 * sealed with a's keys, so that they get through authentication and
 * reach the exchanges themselves. After every step the engine's own
 * invariants are checked.
 *
 * Input: a stage byte (0, 1, 2), then records:
 *   kind (u8): bits 0-1  0 raw datagram: u16 length, bytes
 *                        1 sealed: exchange, flags, msgid delta, first
 *                          payload type (u8 each), u16 length, the chain;
 *                          exchange bit 2: in fragments (see fragments())
 *                        2 the clock moves: u8 seconds
 *                        3 a and b exchange everything they sent; with
 *                          bit 5, a rekey starts instead (bits 6-7: a's
 *                          child, b's child, a's IKE SA, b's IKE SA)
 *              bit 2    to port 4500 (else 500)
 *              bit 3    from another address (else the peer's)
 *              bit 4    to a (the initiator), as if from b: forged
 *                       IKE_SA_INIT answers, COOKIEs, INVALID_KE
 *              bit 5    raw: the live SPIs of the target's first IKE SA
 *                       written over the datagram's first 16 bytes
 * Stage 3 is a with its IKE_SA_INIT out and nothing answered yet.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sectun.h>

#include "engine_pair.h"
#include "fuzz/check.h"
#include "ikev2/exchanges.h"
#include "ikev2/fragment.h"
#include "ikev2/ikev2.h"
#include "ikev2/message.h"
#include "log.h"
#include "net.h"
#include "random.h"


#define A_ADDR	"192.0.2.1"
#define B_ADDR	"192.0.2.2"

#define CONF(local, peer, lts, rts) \
	"limits = { half-open-per-address = 8; cookie-threshold = 4; setup-timeout = 10; };\n" \
	"gateways = ( { name = \"peer\"; address = \"" peer "\"; local-address = \"" local "\";" \
	" psk = \"fuzz\"; proposals = [ \"aes128gcm16-prfsha256-x25519\"," \
	" \"aes128-sha256-modp2048\" ]; retransmit-timeout-ms = 500; retransmit-tries = 2;" \
	" dpd = { mode = \"probe-idle-tunnel\"; interval = 2; threshold = 2; }; } );\n" \
	"vpns = ( { name = \"v\"; gateway = \"peer\"; bind-interface = \"st0\";" \
	" proposals = [ \"aes128gcm16\", \"aes128gcm16-x25519\" ]; establish-tunnels = \"immediately\";" \
	" traffic-selectors = ( { local = \"" lts "\"; remote = \"" rts "\"; }," \
	" { local = \"10.3.0.0/16\"; remote = \"10.4.0.0/16\"; } ); } );\n"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);
int iked_reload(char *msg, size_t len);

/* main.c's, which the control socket calls; no control socket here. */
int iked_reload(char *msg, size_t len)
{
	snprintf(msg, len, "not in the fuzzer");
	return -1;
}

static struct iked_config cfg_a, cfg_b;
static struct test_peer a, b;
static uint64_t rng;

/* Replayable randomness: SPIs, nonces and secrets from the input's seed. */
static int fuzz_random(void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len--) {
		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		*p++ = rng >> 32;
	}
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	ike_log_open(false, getenv("FUZZ_DEBUG") ? IKE_LOG_DEBUG : IKE_LOG_ERR);
	ike_random_override(fuzz_random);
	if (peer_load_config(CONF(A_ADDR, B_ADDR, "10.1.0.0/16", "10.2.0.0/16"), &cfg_a) ||
	    peer_load_config(CONF(B_ADDR, A_ADDR, "10.2.0.0/16", "10.1.0.0/16"), &cfg_b))
		abort();
	return 0;
}

/* A fresh start: nothing of the last input left in the shared configs. */
static void reset_runtime(struct iked_config *cfg)
{
	unsigned int i;

	for (i = 0; i < cfg->n_vpn; i++) {
		cfg->vpn[i].last_try = 0;
		cfg->vpn[i].held_down = false;
		cfg->vpn[i].last_error[0] = 0;
		memset(cfg->vpn[i].trap, 0, sizeof(cfg->vpn[i].trap));
		memset(cfg->vpn[i].trap_live, 0, sizeof(cfg->vpn[i].trap_live));
		cfg->vpn[i].traps_set = false;
	}
}

/* What must hold whatever arrived. */
static void check_invariants(struct test_peer *p)
{
	const struct ike_sa *sa;
	size_t half = 0, hashed = 0;
	unsigned int n, live;
	const struct child_sa *c;
	const struct ike_xchg *x;

	for (sa = p->d.sas.all; sa; sa = sa->next) {
		half += sa->half_open;
		hashed += sa->hashed;
		CHECK(sa->state != IKE_SA_DEAD || (!sa->hashed && !sa->half_open));
		CHECK(!sa->half_open || sa->state == IKE_SA_INIT_DONE);
		for (n = 0, live = 0, c = sa->children; c; c = c->next) {
			n++;
			live += c->state == CHILD_INSTALLED && !c->out_standby;
			/* A replaced child goes in bounded time. */
			CHECK(c->state == CHILD_INSTALLED || c->timer.armed ||
			      c->state == CHILD_RETIRING);
		}
		CHECK(n == sa->n_children);
		CHECK(live <= p->d.cfg->limits.child_sas);
		for (n = 0, x = sa->xchg.queue; x; x = x->next)
			n++;
		CHECK(n == sa->xchg.queued);
		CHECK(!sa->xchg.active || sa->xchg.req.n);
		/* Half a message waits, bounded, and is whole only while handled. */
		for (n = 0; n < 2; n++)
			CHECK(!sa->frag[n] || (sa->frag[n]->have < sa->frag[n]->total &&
					       sa->frag[n]->bytes <= IKE_FRAG_MAX_BYTES &&
					       !sa->frag[n]->whole &&
					       (sa->frag[n]->timer.armed ||
						sa->state == IKE_SA_DEAD)));
		/* A request in flight is being retransmitted, and only then. */
		CHECK(!!sa->xchg.active == sa->xchg.retransmit.armed);
		if (sa->state == IKE_SA_DEAD)
			CHECK(!sa->setup.armed && !sa->lifetime.armed && !sa->rekey.armed &&
			      !sa->xchg.queue);
		/* A rekeyed SA waits, bounded by its setup timer, for its delete. */
		if (sa->state == IKE_SA_ESTABLISHED)
			CHECK((!sa->setup.armed || sa->rekeyed) && sa->lifetime.armed &&
			      sa->keys_ready);
	}
	CHECK(half == p->d.sas.n_half);
	CHECK(hashed == p->d.sas.n_hashed);
	CHECK(p->d.sas.n_half <= p->d.cfg->limits.half_open_max);
}

static void deliver_one(struct test_peer *from, struct test_peer *to)
{
	struct datagram *dg = peer_pop(from);

	if (dg) {
		deliver(to, dg);
		datagram_free(dg);
	}
}

/* a's IKE SA up to STAGE with b: 1 after IKE_SA_INIT, 2 established. */
static void set_up(unsigned int stage)
{
	peer_use(&a);
	if (ikev2_initiate(&a.d.cfg->vpn[0], 0))
		return;
	deliver_one(&a, &b);		/* IKE_SA_INIT request */
	deliver_one(&b, &a);		/* its response; a sends IKE_AUTH */
	if (stage >= 2)
		pump(&a, &b);
	else
		peer_drop_all(&a);
}

/*
 * The chain as RFC 7383 fragments of a's, cut at 570 bytes and up (bits
 * 0-3 of HOW, 16 bytes a step); with bit 4 the last fragment is kept
 * back (a message never completed).
 */
static void fragments(struct ike_sa *sa, uint8_t exchange, bool response, uint32_t msgid,
		      const struct ike_writer *w, unsigned int how,
		      const struct sockaddr_storage *from, uint16_t port)
{
	struct ike_wire frags;
	size_t off = 0;
	unsigned int i;

	if (ikev2_frag_build(sa, exchange, response, msgid, w, 570 + (how & 15) * 16, &frags))
		return;
	for (i = 0; i < frags.n - (how & 16 ? 1 : 0); i++) {
		inject(&b, frags.buf + off, frags.sizes[i], from, port);
		off += frags.sizes[i];
	}
	ike_wire_free(&frags);
}

/* The fuzzer's chain as a message from a, sealed with a's keys. */
static void sealed(const uint8_t *p, size_t len, const struct sockaddr_storage *from,
		   uint16_t port)
{
	static const uint8_t exchanges[] = {
		IKE_SA_INIT, IKE_AUTH, IKE_CREATE_CHILD_SA, IKE_INFORMATIONAL,
	};
	struct ike_sa *sa, *peer;
	struct ike_writer w;
	bool response;
	uint32_t msgid;
	uint8_t *msg;
	size_t n;

	peer_use(&a);
	sa = peer_sa(&a, 0);
	peer = peer_sa(&b, 0);
	if (!sa || !sa->keys_ready || len < 4)
		return;
	response = p[1] & 1;
	msgid = response ? (peer ? peer->xchg.next_msgid - 1 : 0) :
			   (peer ? peer->xchg.peer_msgid : 1);
	msgid += (int8_t)p[2];
	memset(&w, 0, sizeof(w));
	w.buf = (uint8_t *)p + 4;
	w.len = w.cap = len - 4;
	w.first = p[3];
	if (p[0] & 4) {
		fragments(sa, exchanges[p[0] & 3], response, msgid, &w, p[0] >> 3, from, port);
		return;
	}
	msg = ikev2_message_build(sa, exchanges[p[0] & 3], response, msgid, &w, &n);
	if (!msg)
		return;
	inject(&b, msg, n, from, port);
	free(msg);
}

/*
 * A rekey as the timers would start it: a child's (by a or b), or the IKE
 * SA's, or a reauthentication (REAUTH).
 */
static void start_rekey(unsigned int what, bool reauth)
{
	struct test_peer *p = what & 1 ? &b : &a;
	struct ike_sa *sa;

	peer_use(p);
	sa = peer_sa(p, 0);
	if (!sa)
		return;
	if ((what & 2) && reauth && sa->state == IKE_SA_ESTABLISHED && !sa->rekeyed)
		ikev2_reauth_start(sa);
	else if (what & 2)
		ikev2_ike_rekey_start(sa);
	else if (sa->children)
		ike_child_soft_expired("st0", sa->children->spi_out, SECTUN_DIR_OUT);
}

/* Bytes as they are, or with the live SPIs over their first 16. */
static void raw(struct test_peer *to, const uint8_t *p, size_t len,
		const struct sockaddr_storage *from, uint16_t port, bool live_spis)
{
	static uint8_t buf[IKE_MAX_DATAGRAM];
	struct ike_sa *sa = peer_sa(to, 0);

	memcpy(buf, p, len);
	if (live_spis && sa && len >= 16) {
		memcpy(buf, sa->spi_i, 8);
		memcpy(buf + 8, sa->spi_r, 8);
	}
	inject(to, buf, len, from, port);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_storage other, from;
	size_t off = 1, len;
	uint16_t port;
	uint8_t kind;

	if (size < 1)
		return 0;
	rng = 0x9e3779b97f4a7c15ULL ^ size;
	reset_runtime(&cfg_a);
	reset_runtime(&cfg_b);
	if (peer_start(&a, A_ADDR, &cfg_a) || peer_start(&b, B_ADDR, &cfg_b))
		abort();
	make_addr(&other, "198.51.100.9", 500);
	if (data[0] % 4 == 3) {
		peer_use(&a);
		if (!ikev2_initiate(&a.d.cfg->vpn[0], 0))
			peer_drop_all(&a);
	} else if (data[0] % 4) {
		set_up(data[0] % 4);
	}
	while (off < size) {
		kind = data[off++];
		port = kind & 4 ? 4500 : 500;
		from = kind & 8 ? other : kind & 16 ? b.addr : a.addr;
		((struct sockaddr_in *)&from)->sin_port = htons(port);
		switch (kind & 3) {
		case 0:
		case 1:
			if (size - off < 2)
				goto out;
			len = data[off] << 8 | data[off + 1];
			off += 2;
			if (len > size - off)
				len = size - off;
			if (kind & 1)
				sealed(data + off, len, &from, port);
			else
				raw(kind & 16 ? &a : &b, data + off, len, &from, port, kind & 32);
			off += len;
			break;
		case 2:
			if (off < size)
				advance(&a, &b, (uint64_t)data[off++] * 1000);
			break;
		case 3:
			if (kind & 32)
				start_rekey(kind >> 6, kind & 16);
			else
				pump(&a, &b);
			break;
		}
		check_invariants(&a);
		check_invariants(&b);
		peer_drop_all(&b);
	}
out:
	peer_fini(&a);
	peer_fini(&b);
	return 0;
}
