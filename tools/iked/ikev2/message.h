/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IKEv2 messages as the engine sends and receives them: a header and
 * the inner payload chain, in the clear before keys exist and in an SK
 * payload after (RFC 7296 3.14); the debug log's view of each.
 */
#ifndef SECTUN_IKED_IKEV2_MESSAGE_H
#define SECTUN_IKED_IKEV2_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/drops.h"
#include "engine/exchange.h"

struct ike_sa;

/* The header of a message of SA's. */
void ikev2_message_header(const struct ike_sa *sa, uint8_t exchange, bool response,
			  uint32_t msgid, struct ike_header *h);
/* Header and INNER, sealed in SK once SA has keys: a malloc'd message. */
uint8_t *ikev2_message_build(struct ike_sa *sa, uint8_t exchange, bool response,
			     uint32_t msgid, struct ike_writer *inner, size_t *len);
/*
 * The same as it goes on the wire: one datagram, or RFC 7383 fragments
 * when the peer takes them and the message is too large. 0 or -1.
 */
int ikev2_message_wire(struct ike_sa *sa, uint8_t exchange, bool response, uint32_t msgid,
		       struct ike_writer *inner, struct ike_wire *out);
/*
 * Authenticates and opens the SK payload of RX in place, which must be
 * the only payload outside; RX->m then points at the inner chain. 0, or
 * the reason to drop it.
 */
int ikev2_message_open(struct ike_sa *sa, struct ike_rx *rx, enum ike_drop_reason *why);
/* One debug line for a message: direction, peer, exchange and payloads. */
void ikev2_log_msg(const char *dir, const struct ike_sa *sa, const struct ike_msg *m,
		   const struct sockaddr_storage *peer);
/* The same for a message of ours, from its inner chain. */
void ikev2_log_sent(const struct ike_sa *sa, uint8_t exchange, bool response,
		    uint32_t msgid, const struct ike_writer *inner);

#endif
