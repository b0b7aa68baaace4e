/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ESP/AH algorithms by the names Junos and strongSwan users write, mapped
 * to IKEv2 transform IDs (the numbers the kernel ABI uses).
 */
#ifndef SECTUN_TOOLS_ALGS_H
#define SECTUN_TOOLS_ALGS_H

#include <stdbool.h>
#include <stdint.h>

struct sectun_encr_alg {
	const char *name;		/* canonical, as "sectun sa show" prints it */
	const char *const *aliases;	/* NULL-terminated */
	uint16_t id;			/* enum sectun_encr */
	uint16_t key_bits;		/* without the salt */
	uint8_t salt;			/* bytes of salt after the key (AEADs) */
	uint8_t icv;			/* ICV bytes for combined modes, else 0 */
};

struct sectun_integ_alg {
	const char *name;
	const char *const *aliases;
	uint16_t id;			/* enum sectun_integ */
	uint8_t key_bytes;
	uint8_t icv;
};

const struct sectun_encr_alg *sectun_encr_by_name(const char *name);
const struct sectun_encr_alg *sectun_encr_by_id(uint16_t id, uint16_t key_bits);
const struct sectun_integ_alg *sectun_integ_by_name(const char *name);
const struct sectun_integ_alg *sectun_integ_by_id(uint16_t id);

static inline bool sectun_encr_is_aead(const struct sectun_encr_alg *a)
{
	return a->icv != 0;
}

static inline unsigned int sectun_encr_key_len(const struct sectun_encr_alg *a)
{
	return a->key_bits / 8 + a->salt;
}

/* "0x0011aabb" or "0011aabb" into BUF; returns the byte count or -1. */
int parse_hex(const char *s, uint8_t *buf, unsigned int max);

#endif
