/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's IKE SAs: a list of all of them (status, VPNs), a hash
 * table by our own SPI (every message names it), and, for responder SAs
 * not yet authenticated (half-open, RFC 7296 2.6), a hash table by the
 * initiator's SPI and address, to recognise a retransmitted IKE_SA_INIT,
 * with a count per peer address for the limits.
 */
#ifndef SECTUN_IKED_ENGINE_SA_TABLE_H
#define SECTUN_IKED_ENGINE_SA_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct ike_sa;
struct ike_addr_count;

struct ike_sa_table {
	struct ike_sa *all;		/* every SA, dead ones until reaped */
	struct ike_sa **by_spi;
	size_t spi_buckets, n_hashed;
	struct ike_sa **half;
	size_t half_buckets, n_half;
	struct ike_addr_count **per_addr;
	size_t addr_buckets;
};

int ike_sa_table_init(struct ike_sa_table *t);
/* The buckets only: the SAs are the caller's. */
void ike_sa_table_fini(struct ike_sa_table *t);

/* On the list and in the table by our SPI (which must be unique). */
int ike_sa_table_add(struct ike_sa_table *t, struct ike_sa *sa);
/* Out of both hash tables: no message finds it any more. */
void ike_sa_table_unhash(struct ike_sa_table *t, struct ike_sa *sa);
/* Off the list too; the caller frees it. */
void ike_sa_table_remove(struct ike_sa_table *t, struct ike_sa *sa);
/* By our SPI; ORIGINAL_INITIATOR: whether we initiated the SA it names. */
struct ike_sa *ike_sa_table_find(const struct ike_sa_table *t, const uint8_t spi[8],
				 bool original_initiator);
/* Whether any SA (live or being set up) uses SPI as its own. */
bool ike_sa_table_spi_used(const struct ike_sa_table *t, const uint8_t spi[8]);

/* Half-open responder SAs, by the initiator's SPI and address. */
int ike_sa_table_add_half_open(struct ike_sa_table *t, struct ike_sa *sa);
void ike_sa_table_del_half_open(struct ike_sa_table *t, struct ike_sa *sa);
struct ike_sa *ike_sa_table_find_half_open(const struct ike_sa_table *t,
					   const uint8_t spi_i[8],
					   const struct sockaddr_storage *from);
/* Half-open SAs from FROM's address (any port). */
unsigned int ike_sa_table_half_open_from(const struct ike_sa_table *t,
					 const struct sockaddr_storage *from);

#endif
