// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for IKEv1: whole datagrams into two engines (a
 * initiates, b responds) at three stages of an ISAKMP SA that a real
 * main mode sets up: none yet, after the first two messages, and up with
 * a quick mode done. Past phase 1 the fuzzer's payload chains can also be
 * sent as a's protected quick mode or informational messages (encrypted
 * with a's keys, HASH(1) computed over them), so that they get through
 * authentication and reach the exchanges. b also has a "%any" aggressive
 * mode gateway, for first messages from elsewhere. After every step the
 * engines' invariants are checked.
 *
 * Input: a stage byte (0, 1, 2), then records:
 *   kind (u8): bits 0-1  0 raw datagram: u16 length, bytes
 *                        1 protected, from a: exchange (bit 0: informational,
 *                          else quick mode), msgid (u8: 0 a fresh one, else
 *                          that byte), first payload type (u8), u16 length,
 *                          the chain
 *                        2 the clock moves: u8 seconds
 *                        3 a and b exchange everything they sent; with
 *                          bit 5, a rekey starts instead (bits 6-7: a's
 *                          child, b's child, a's phase 1, b's phase 1)
 *              bit 2    to port 4500 (else 500)
 *              bit 3    from another address (else the peer's)
 *              bit 4    to a, as if from b
 *              bit 5    raw: the live cookies of the target's first SA
 *                       written over the datagram's first 16 bytes
 */
#include <arpa/inet.h>
#include <linux/sectun.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "child.h"
#include "engine_pair.h"
#include "ikev1/ikev1.h"
#include "ikev1/state.h"
#include "ikev2/exchanges.h"
#include "log.h"
#include "random.h"

#define A_ADDR	"192.0.2.1"
#define B_ADDR	"192.0.2.2"

#define GW(local, peer, extra) \
	"{ name = \"peer\"; version = 1; address = \"" peer "\"; local-address = \"" local "\";" \
	" psk = \"fuzz\"; proposals = [ \"aes128-sha256-modp2048\", \"3des-sha1-modp1024\" ];" \
	" lifetime = 60; retransmit-timeout-ms = 500; retransmit-tries = 2;" \
	" dpd = { mode = \"probe-idle-tunnel\"; interval = 2; threshold = 2; }; " extra " }"
#define VPN(gw, lts, rts, est) \
	"{ name = \"v" gw "\"; gateway = \"" gw "\"; bind-interface = \"st0\";" \
	" proposals = [ \"aes128gcm16-modp2048\", \"aes128-sha256-modp2048\" ]; lifetime = 30;" \
	" establish-tunnels = \"" est "\"; traffic-selectors = ( { local = \"" lts "\";" \
	" remote = \"" rts "\"; }, { local = \"10.3.0.0/16\"; remote = \"10.4.0.0/16\"; } ); }"
#define LIMITS	"limits = { half-open-per-address = 8; setup-timeout = 10; };\n"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);
int iked_reload(char *msg, size_t len);

int iked_reload(char *msg, size_t len)
{
	snprintf(msg, len, "not in the fuzzer");
	return -1;
}

static struct iked_config cfg_a, cfg_b;
static struct test_peer a, b;
static uint64_t rng;

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
	if (peer_load_config(LIMITS "gateways = ( " GW(A_ADDR, B_ADDR, "") " );\n"
			     "vpns = ( " VPN("peer", "10.1.0.0/16", "10.2.0.0/16", "immediately")
			     " );\n", &cfg_a) ||
	    peer_load_config(LIMITS "gateways = ( " GW(B_ADDR, A_ADDR, "") ", {"
			     " name = \"dyn\"; version = 1; mode = \"aggressive\"; address = \"%any\";"
			     " local-address = \"" B_ADDR "\"; psk = \"fuzz\";"
			     " remote-id = \"@dyn.example\"; proposals = \"aes128-sha256-modp2048\"; } );\n"
			     "vpns = ( " VPN("peer", "10.2.0.0/16", "10.1.0.0/16", "immediately") ", "
			     VPN("dyn", "10.5.0.0/16", "10.6.0.0/16", "responder-only") " );\n",
			     &cfg_b))
		abort();
	return 0;
}

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

static void check_invariants(struct test_peer *p)
{
	const struct ike_sa *sa;
	const struct ikev1_xchg *x;
	const struct child_sa *c;
	size_t half = 0, hashed = 0;
	unsigned int n;

	for (sa = p->d.sas.all; sa; sa = sa->next) {
		half += sa->half_open;
		hashed += sa->hashed;
		CHECK(sa->version == 1 && sa->v1);
		CHECK(sa->state != IKE_SA_DEAD || (!sa->hashed && !sa->half_open));
		CHECK(!sa->half_open || sa->state == IKE_SA_INIT_DONE);
		for (n = 0, c = sa->children; c; c = c->next) {
			n++;
			CHECK(c->state == CHILD_INSTALLED || c->timer.armed ||
			      c->state == CHILD_RETIRING);
		}
		CHECK(n == sa->n_children);
		CHECK(n <= 2 * p->d.cfg->limits.child_sas);
		/* Every exchange is timed: retransmitted while waiting, forgotten once done. */
		for (n = 0, x = sa->v1->xchgs; x; x = x->next) {
			n++;
			CHECK(x->sa == sa);
			CHECK(!x->awaiting || x->out);
			CHECK(x->timer.armed || (!x->awaiting && !x->done && x->step > 1) ||
			      sa->state == IKE_SA_DEAD);
		}
		CHECK(n == sa->v1->n_xchgs);
		CHECK(n <= p->d.cfg->limits.queued_exchanges + 3);
		if (sa->state == IKE_SA_DEAD)
			CHECK(!sa->setup.armed && !sa->lifetime.armed && !sa->rekey.armed &&
			      !sa->v1->xchgs);
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

static void set_up(unsigned int stage)
{
	peer_use(&a);
	if (ikev1_initiate(&a.d.cfg->vpn[0], 0))
		return;
	deliver_one(&a, &b);		/* SA */
	deliver_one(&b, &a);		/* SA chosen; a sends KE, Ni */
	if (stage >= 2)
		pump(&a, &b);
	else
		peer_drop_all(&a);
}

/* The fuzzer's chain as a protected message of a's, to b. */
static void sealed(const uint8_t *p, size_t len, const struct sockaddr_storage *from,
		   uint16_t port)
{
	struct ikev1_xchg *x = calloc(1, sizeof(*x));
	struct ikev1_out *o = malloc(sizeof(*o));
	struct datagram *dg;
	struct ike_sa *sa;
	size_t hash_hdr;

	peer_use(&a);
	sa = peer_sa(&a, 0);
	if (!x || !o || !sa || sa->state != IKE_SA_ESTABLISHED || len < 3)
		goto out;
	x->sa = sa;
	x->type = p[0] & 1 ? ISAKMP_XCHG_INFO : ISAKMP_XCHG_QUICK;
	x->msgid = p[1] ? p[1] : ikev1_new_msgid(sa);
	if (ikev1_msgid_iv(sa, x->msgid, x->iv))
		goto out;
	ikev1_out_begin(o, x, true);
	hash_hdr = o->w.len;
	ikev1_out_hash_slot(o, sa);
	/* The HASH's next payload: the fuzzer's first one. */
	o->buf[hash_hdr] = p[2];
	ike_w_put(&o->w, p + 3, len - 3);
	if (ikev1_out_hash(o, x, NULL, 0) || ikev1_send_once(sa, o, x->iv))
		goto out;
	dg = peer_pop(&a);
	if (dg) {
		inject(&b, dg->buf, dg->len, from, port);
		datagram_free(dg);
	}
out:
	free(x);
	free(o);
}

static void start_rekey(unsigned int what)
{
	struct test_peer *p = what & 1 ? &b : &a;
	struct ike_sa *sa;

	peer_use(p);
	sa = peer_sa(p, 0);
	if (!sa)
		return;
	if (what & 2)
		ikev1_renew(sa);
	else if (sa->children)
		ike_child_soft_expired("st0", sa->children->spi_out, SECTUN_DIR_OUT);
}

static void raw(struct test_peer *to, const uint8_t *p, size_t len,
		const struct sockaddr_storage *from, uint16_t port, bool live)
{
	static uint8_t buf[IKE_MAX_DATAGRAM];
	struct ike_sa *sa = peer_sa(to, 0);

	memcpy(buf, p, len);
	if (live && sa && len >= 16) {
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
	if (data[0] % 3)
		set_up(data[0] % 3);
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
			if (len > IKE_MAX_DATAGRAM)
				len = IKE_MAX_DATAGRAM;
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
				start_rekey(kind >> 6);
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
