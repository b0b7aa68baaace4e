/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Two sectun-iked engines in one process, for the state-machine tests
 * and the engine fuzzer: each a daemon instance with its own config,
 * SAs and timers, its datagrams caught instead of sent, a shared fake
 * clock, no kernel. The test carries datagrams between them, drops,
 * alters or forges them.
 */
#ifndef SECTUN_TESTS_ENGINE_PAIR_H
#define SECTUN_TESTS_ENGINE_PAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "engine/daemon.h"
#include "ike_sa.h"

struct datagram {
	struct datagram *next;
	uint8_t *buf;
	size_t len;
	struct sockaddr_storage to, from;
};

struct test_peer {
	struct ike_daemon d;
	struct iked_config cfg;
	bool own_cfg;			/* cfg is ours to free */
	struct sockaddr_storage addr;	/* its address, port 500 */
	struct datagram *out, **out_tail;
	unsigned int sent;		/* datagrams sent, ever */
	/* Called as P sends each datagram, before it is queued (state checks). */
	void (*on_send)(struct test_peer *p);
};

/*
 * A daemon at ADDR ("192.0.2.1") with the iked.conf TEXT. Returns 0, or
 * -1 with the config error printed.
 */
int peer_init(struct test_peer *p, const char *addr, const char *text);
/* The same with a configuration loaded once (the fuzzer's); CFG stays the caller's. */
int peer_start(struct test_peer *p, const char *addr, struct iked_config *cfg);
/* CFG from TEXT; 0 or -1 with the error printed. */
int peer_load_config(const char *text, struct iked_config *cfg);
void peer_fini(struct test_peer *p);
/* Makes P the current instance (iked, its timers). */
void peer_use(struct test_peer *p);

/* The oldest datagram P sent and nobody took yet, or NULL. */
struct datagram *peer_pop(struct test_peer *p);
void peer_drop_all(struct test_peer *p);
void datagram_free(struct datagram *dg);

/* DG arrives at TO, as sent (from and to as on the wire). */
void deliver(struct test_peer *to, const struct datagram *dg);
/* Raw bytes arrive at TO from FROM, at TO's address with LOCAL_PORT. */
void inject(struct test_peer *to, const uint8_t *buf, size_t len,
	    const struct sockaddr_storage *from, uint16_t local_port);
/* Everything each sends is delivered to the other, until quiet; the count. */
unsigned int pump(struct test_peer *a, struct test_peer *b);
/* The shared clock moves on; both peers' due timers run. */
void advance(struct test_peer *a, struct test_peer *b, uint64_t ms);

/* The two engines of a test case: a at 192.0.2.1, b at 192.0.2.2. */
struct pair {
	struct test_peer a, b;
};

/* cmocka setup with a's and b's iked.conf texts (ENGINE_DEBUG=1: debug log). */
int pair_setup(void **state, const char *a_conf, const char *b_conf);
int pair_teardown(void **state);

/* The I-th SA of P that is not dead (0-based), or NULL. */
struct ike_sa *peer_sa(struct test_peer *p, unsigned int i);
unsigned int peer_sa_count(struct test_peer *p);
/* An address with a port, for inject() and the configs. */
void make_addr(struct sockaddr_storage *ss, const char *ip, uint16_t port);

#endif
