// SPDX-License-Identifier: GPL-2.0
/* Two engines in one process: see engine_pair.h. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine_pair.h"
#include "kernel.h"
#include "log.h"
#include "timer.h"

static uint64_t now_ms = 1000000;

void make_addr(struct sockaddr_storage *ss, const char *ip, uint16_t port)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(ip, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		inet_pton(AF_INET6, ip, &s6->sin6_addr);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		inet_pton(AF_INET, ip, &s4->sin_addr);
	}
}

static void catch_datagram(void *ctx, const uint8_t *buf, size_t len,
			   const struct sockaddr_storage *to,
			   const struct sockaddr_storage *from)
{
	struct test_peer *p = ctx;
	struct datagram *dg = calloc(1, sizeof(*dg));

	if (p->on_send)
		p->on_send(p);
	if (!dg || !(dg->buf = malloc(len ?: 1))) {
		free(dg);
		return;
	}
	memcpy(dg->buf, buf, len);
	dg->len = len;
	dg->to = *to;
	/* Sent "from the route's choice": the peer's own address. */
	if (from && from->ss_family)
		dg->from = *from;
	else
		dg->from = p->addr;
	*p->out_tail = dg;
	p->out_tail = &dg->next;
	p->sent++;
}

int peer_load_config(const char *text, struct iked_config *cfg)
{
	char path[] = "/tmp/engine_pair.XXXXXX", err[512];
	FILE *f;
	int fd;

	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	fd = iked_config_load(path, cfg, err, sizeof(err));
	unlink(path);
	if (fd)
		fprintf(stderr, "engine_pair: %s\n", err);
	return fd ? -1 : 0;
}

int peer_start(struct test_peer *p, const char *addr, struct iked_config *cfg)
{
	struct iked_config keep = p->cfg;
	bool own = p->own_cfg;

	memset(p, 0, sizeof(*p));
	p->cfg = keep;
	p->own_cfg = own;
	p->out_tail = &p->out;
	make_addr(&p->addr, addr, 500);
	ike_kernel_dry_run();
	ike_clock_set(now_ms);
	if (iked_daemon_init(&p->d, cfg))
		return -1;
	p->d.net.port = 500;
	p->d.net.natt_port = 4500;
	p->d.send_hook = catch_datagram;
	p->d.send_ctx = p;
	return 0;
}

int peer_init(struct test_peer *p, const char *addr, const char *text)
{
	memset(p, 0, sizeof(*p));
	if (peer_load_config(text, &p->cfg))
		return -1;
	p->own_cfg = true;
	return peer_start(p, addr, &p->cfg);
}

void peer_drop_all(struct test_peer *p)
{
	struct datagram *dg;

	while ((dg = peer_pop(p)))
		datagram_free(dg);
}

void peer_fini(struct test_peer *p)
{
	peer_use(p);
	iked_daemon_fini(&p->d);
	peer_drop_all(p);
	if (p->own_cfg)
		iked_config_free(&p->cfg);
}

void peer_use(struct test_peer *p)
{
	iked_daemon_select(&p->d);
}

struct datagram *peer_pop(struct test_peer *p)
{
	struct datagram *dg = p->out;

	if (!dg)
		return NULL;
	p->out = dg->next;
	if (!p->out)
		p->out_tail = &p->out;
	dg->next = NULL;
	return dg;
}

void datagram_free(struct datagram *dg)
{
	if (!dg)
		return;
	free(dg->buf);
	free(dg);
}

void deliver(struct test_peer *to, const struct datagram *dg)
{
	uint8_t *copy = malloc(dg->len ?: 1);

	if (!copy)
		return;
	memcpy(copy, dg->buf, dg->len);
	peer_use(to);
	ike_receive(copy, dg->len, &dg->from, &dg->to);
	iked_daemon_reap();
	free(copy);
}

void inject(struct test_peer *to, const uint8_t *buf, size_t len,
	    const struct sockaddr_storage *from, uint16_t local_port)
{
	struct datagram dg = { .buf = (uint8_t *)buf, .len = len, .from = *from };

	dg.to = to->addr;
	((struct sockaddr_in *)&dg.to)->sin_port = htons(local_port);
	deliver(to, &dg);
}

unsigned int pump(struct test_peer *a, struct test_peer *b)
{
	struct datagram *dg;
	unsigned int n = 0;
	bool moved = true;

	while (moved && n < 10000) {
		moved = false;
		while ((dg = peer_pop(a))) {
			deliver(b, dg);
			datagram_free(dg);
			moved = true;
			n++;
		}
		while ((dg = peer_pop(b))) {
			deliver(a, dg);
			datagram_free(dg);
			moved = true;
			n++;
		}
	}
	return n;
}

void advance(struct test_peer *a, struct test_peer *b, uint64_t ms)
{
	now_ms += ms;
	ike_clock_set(now_ms);
	peer_use(a);
	ike_timer_run();
	iked_daemon_reap();
	if (b) {
		peer_use(b);
		ike_timer_run();
		iked_daemon_reap();
	}
}

struct ike_sa *peer_sa(struct test_peer *p, unsigned int i)
{
	struct ike_sa *sa;

	for (sa = p->d.sas.all; sa; sa = sa->next)
		if (sa->state != IKE_SA_DEAD && !i--)
			return sa;
	return NULL;
}

unsigned int peer_sa_count(struct test_peer *p)
{
	unsigned int n = 0;

	while (peer_sa(p, n))
		n++;
	return n;
}

int pair_setup(void **state, const char *a_conf, const char *b_conf)
{
	struct pair *p = calloc(1, sizeof(*p));

	ike_log_open(false, getenv("ENGINE_DEBUG") ? IKE_LOG_DEBUG : IKE_LOG_ERR);
	if (!p || peer_init(&p->a, "192.0.2.1", a_conf) || peer_init(&p->b, "192.0.2.2", b_conf))
		return -1;
	*state = p;
	return 0;
}

int pair_teardown(void **state)
{
	struct pair *p = *state;

	peer_fini(&p->a);
	peer_fini(&p->b);
	free(p);
	return 0;
}
