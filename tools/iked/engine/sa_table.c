// SPDX-License-Identifier: GPL-2.0
/*
 * Hash tables of IKE SAs. Chained buckets, doubled when the load passes
 * two per bucket; keys hashed with the process's SipHash key, so a peer
 * choosing SPIs or addresses cannot pile them into one chain.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/hash.h"
#include "engine/sa_table.h"
#include "ike_sa.h"
#include "net.h"

#define MIN_BUCKETS	256

struct ike_addr_count {
	struct ike_addr_count *next;
	struct sockaddr_storage addr;
	unsigned int n;
};

static const uint8_t *our_spi(const struct ike_sa *sa)
{
	return sa->initiator ? sa->spi_i : sa->spi_r;
}

static size_t spi_bucket(const struct ike_sa_table *t, const uint8_t spi[8])
{
	return ike_hash(spi, 8) & (t->spi_buckets - 1);
}

static size_t half_bucket(const struct ike_sa_table *t, const uint8_t spi_i[8],
			  const struct sockaddr_storage *from)
{
	return ike_hash_addr(from, spi_i, 8) & (t->half_buckets - 1);
}

static size_t addr_bucket(const struct ike_sa_table *t, const struct sockaddr_storage *a)
{
	return ike_hash_addr(a, NULL, 0) & (t->addr_buckets - 1);
}

int ike_sa_table_init(struct ike_sa_table *t)
{
	memset(t, 0, sizeof(*t));
	t->spi_buckets = t->half_buckets = t->addr_buckets = MIN_BUCKETS;
	t->by_spi = calloc(t->spi_buckets, sizeof(*t->by_spi));
	t->half = calloc(t->half_buckets, sizeof(*t->half));
	t->per_addr = calloc(t->addr_buckets, sizeof(*t->per_addr));
	if (!t->by_spi || !t->half || !t->per_addr) {
		ike_sa_table_fini(t);
		return -ENOMEM;
	}
	return 0;
}

void ike_sa_table_fini(struct ike_sa_table *t)
{
	struct ike_addr_count *c;
	size_t i;

	for (i = 0; t->per_addr && i < t->addr_buckets; i++) {
		while ((c = t->per_addr[i])) {
			t->per_addr[i] = c->next;
			free(c);
		}
	}
	free(t->by_spi);
	free(t->half);
	free(t->per_addr);
	memset(t, 0, sizeof(*t));
}

/* Doubles the SPI table when it gets crowded; a failed grow is harmless. */
static void grow_spi(struct ike_sa_table *t)
{
	size_t n = t->spi_buckets * 2, i;
	struct ike_sa **fresh, *sa;

	if (t->n_hashed < t->spi_buckets * 2)
		return;
	fresh = calloc(n, sizeof(*fresh));
	if (!fresh)
		return;
	for (i = 0; i < t->spi_buckets; i++) {
		while ((sa = t->by_spi[i])) {
			size_t b = ike_hash(our_spi(sa), 8) & (n - 1);

			t->by_spi[i] = sa->spi_next;
			sa->spi_next = fresh[b];
			fresh[b] = sa;
		}
	}
	free(t->by_spi);
	t->by_spi = fresh;
	t->spi_buckets = n;
}

static void grow_half(struct ike_sa_table *t)
{
	size_t n = t->half_buckets * 2, i;
	struct ike_sa **fresh, *sa;

	if (t->n_half < t->half_buckets * 2)
		return;
	fresh = calloc(n, sizeof(*fresh));
	if (!fresh)
		return;
	for (i = 0; i < t->half_buckets; i++) {
		while ((sa = t->half[i])) {
			size_t b = ike_hash_addr(&sa->half_open_addr, sa->spi_i, 8) & (n - 1);

			t->half[i] = sa->half_next;
			sa->half_next = fresh[b];
			fresh[b] = sa;
		}
	}
	free(t->half);
	t->half = fresh;
	t->half_buckets = n;
}

bool ike_sa_table_spi_used(const struct ike_sa_table *t, const uint8_t spi[8])
{
	const struct ike_sa *sa;

	for (sa = t->by_spi[spi_bucket(t, spi)]; sa; sa = sa->spi_next)
		if (!memcmp(our_spi(sa), spi, 8))
			return true;
	return false;
}

int ike_sa_table_add(struct ike_sa_table *t, struct ike_sa *sa)
{
	size_t b;

	if (ike_sa_table_spi_used(t, our_spi(sa)))
		return -EEXIST;
	grow_spi(t);
	b = spi_bucket(t, our_spi(sa));
	sa->spi_next = t->by_spi[b];
	t->by_spi[b] = sa;
	sa->hashed = true;
	t->n_hashed++;
	sa->next = t->all;
	t->all = sa;
	return 0;
}

void ike_sa_table_unhash(struct ike_sa_table *t, struct ike_sa *sa)
{
	struct ike_sa **p;

	ike_sa_table_del_half_open(t, sa);
	if (!sa->hashed)
		return;
	for (p = &t->by_spi[spi_bucket(t, our_spi(sa))]; *p != sa; p = &(*p)->spi_next)
		if (!*p)
			abort();	/* in no chain: the table is corrupt */
	*p = sa->spi_next;
	sa->spi_next = NULL;
	sa->hashed = false;
	t->n_hashed--;
}

void ike_sa_table_remove(struct ike_sa_table *t, struct ike_sa *sa)
{
	struct ike_sa **p;

	ike_sa_table_unhash(t, sa);
	for (p = &t->all; *p; p = &(*p)->next) {
		if (*p == sa) {
			*p = sa->next;
			break;
		}
	}
	sa->next = NULL;
}

struct ike_sa *ike_sa_table_find(const struct ike_sa_table *t, const uint8_t spi[8],
				 bool original_initiator)
{
	struct ike_sa *sa;

	for (sa = t->by_spi[spi_bucket(t, spi)]; sa; sa = sa->spi_next)
		if (sa->initiator == original_initiator && !memcmp(our_spi(sa), spi, 8))
			return sa;
	return NULL;
}

static struct ike_addr_count **find_count(const struct ike_sa_table *t,
					  const struct sockaddr_storage *a)
{
	struct ike_addr_count **p;

	for (p = &t->per_addr[addr_bucket(t, a)]; *p; p = &(*p)->next)
		if (ike_sockaddr_equal(&(*p)->addr, a, 0))
			return p;
	return p;
}

int ike_sa_table_add_half_open(struct ike_sa_table *t, struct ike_sa *sa)
{
	struct ike_addr_count **p = find_count(t, &sa->remote);
	size_t b;

	if (sa->half_open)
		return 0;
	if (!*p) {
		*p = calloc(1, sizeof(**p));
		if (!*p)
			return -ENOMEM;
		(*p)->addr = sa->remote;
	}
	(*p)->n++;
	grow_half(t);
	b = half_bucket(t, sa->spi_i, &sa->remote);
	sa->half_next = t->half[b];
	t->half[b] = sa;
	sa->half_open = true;
	sa->half_open_addr = sa->remote;
	t->n_half++;
	return 0;
}

void ike_sa_table_del_half_open(struct ike_sa_table *t, struct ike_sa *sa)
{
	struct ike_addr_count **c, *gone;
	struct ike_sa **p;

	if (!sa->half_open)
		return;
	for (p = &t->half[half_bucket(t, sa->spi_i, &sa->half_open_addr)]; *p != sa;
	     p = &(*p)->half_next)
		if (!*p)
			abort();	/* in no chain: the table is corrupt */
	*p = sa->half_next;
	sa->half_next = NULL;
	sa->half_open = false;
	t->n_half--;
	c = find_count(t, &sa->half_open_addr);
	if (*c && !--(*c)->n) {
		gone = *c;
		*c = gone->next;
		free(gone);
	}
}

struct ike_sa *ike_sa_table_find_half_open(const struct ike_sa_table *t,
					   const uint8_t spi_i[8],
					   const struct sockaddr_storage *from)
{
	struct ike_sa *sa;

	for (sa = t->half[half_bucket(t, spi_i, from)]; sa; sa = sa->half_next)
		if (!memcmp(sa->spi_i, spi_i, 8) &&
		    ike_sockaddr_equal(&sa->half_open_addr, from, 0))
			return sa;
	return NULL;
}

unsigned int ike_sa_table_half_open_from(const struct ike_sa_table *t,
					 const struct sockaddr_storage *from)
{
	struct ike_addr_count **p = find_count(t, from);

	return *p ? (*p)->n : 0;
}
