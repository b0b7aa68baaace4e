/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SipHash-2-4 with a per-process random key, for the tables that hold
 * what a peer chooses (its SPI, its address): a keyed hash keeps an
 * attacker from aiming every entry at one bucket.
 */
#ifndef SECTUN_IKED_ENGINE_HASH_H
#define SECTUN_IKED_ENGINE_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

uint64_t ike_siphash(const uint8_t key[16], const void *data, size_t len);
/* Keyed with the process's random key (drawn on first use). */
uint64_t ike_hash(const void *data, size_t len);
/* The address without the port, for tables keyed by peer address. */
uint64_t ike_hash_addr(const struct sockaddr_storage *ss, const void *extra,
		       size_t extra_len);

#endif
