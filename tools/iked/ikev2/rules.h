/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The payload rules of IKEv2 (RFC 7296 1.2-1.5): for each exchange and
 * direction, which payloads a message must carry, may carry, and may
 * carry only once. Everything but IKE_SA_INIT must also come inside SK;
 * the engine enforces that before these rules are consulted.
 */
#ifndef SECTUN_IKED_IKEV2_RULES_H
#define SECTUN_IKED_IKEV2_RULES_H

#include <stdbool.h>
#include <stdint.h>

#include "ikev2/codec.h"

/*
 * 0 when M may be the EXCHANGE request (or RESPONSE); else -1 and *WHY
 * says which rule it broke ("IDi missing", "two SA payloads", ...).
 */
int ikev2_rules_check(uint8_t exchange, bool response, const struct ike_msg *m,
		      const char **why);

#endif
