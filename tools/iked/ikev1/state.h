/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What an IKE SA speaking IKEv1 holds beyond struct ike_sa (its ISAKMP SA
 * keys, the IV phase 1 ended with), and its exchanges. IKEv1 has no
 * request/response windows: every exchange is a numbered conversation
 * (phase 1 is message ID 0, each quick mode and informational a random
 * one), and whoever waits for the peer's next message retransmits its
 * own, while a message seen again is answered with what followed it.
 *
 *   main_mode.c      phase 1 in six messages, both roles
 *   quick_mode.c     phase 2, both roles: proxy IDs, PFS, KEYMAT, install
 *   informational.c  deletes, notifies and DPD, sent and received
 *   message.c        sealing, sending, retransmitting, opening
 *   receive.c        a datagram to its SA and exchange
 */
#ifndef SECTUN_IKED_IKEV1_STATE_H
#define SECTUN_IKED_IKEV1_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "child.h"
#include "crypto/crypto.h"
#include "ike_sa.h"
#include "ikev1/codec.h"
#include "ikev1/keys.h"
#include "timer.h"

struct ikev1_xchg;

/* A quick mode asked for before phase 1 is up. */
struct ikev1_wanted {
	struct ikev1_wanted *next;
	struct iked_vpn *vpn;
	unsigned int sel;
};

struct ikev1_sa {
	uint8_t mode;			/* ISAKMP_XCHG_ID_PROT or ISAKMP_XCHG_AGGRESSIVE */
	uint16_t encr, key_bits, hash, auth, group;	/* the phase 1 transform */
	uint32_t life;			/* its lifetime, s */
	size_t block;
	struct isakmp_keys keys;
	/* The last CBC block of phase 1: later exchanges' IVs are made from it. */
	uint8_t p1_last[ISAKMP_MAX_BLOCK_LEN];
	struct ikev1_xchg *xchgs;	/* in flight, or done and kept for retransmissions */
	unsigned int n_xchgs;
	struct ikev1_wanted *wanted;
	bool peer_dpd;			/* the peer sent the RFC 3706 vendor ID */
	bool peer_natt;			/* the peer sent the RFC 3947 vendor ID */
	bool peer_contact;		/* its phase 1 said INITIAL-CONTACT */
	uint8_t renews[8];		/* the ISAKMP SA this one renews (our cookie in it) */
	uint8_t taken_by[8];		/* renewed: the one that took its IPsec SAs */
	uint64_t begun_ms;		/* the peer's: when its first message came */
	uint64_t up_ms;			/* when phase 1 ended */
	bool heard_since_up;		/* an authentic message came after phase 1 */
	/*
	 * The peer's message IDs of quick modes and informationals taken so
	 * far (the last IKEV1_SEEN): a replayed one is not taken again, so a
	 * captured message can neither start work nor pass for a sign of life.
	 */
	uint32_t seen[256];
	unsigned int seen_next;
	uint32_t dpd_seq;		/* our last R-U-THERE */
};

enum ikev1_status {
	IKEV1_OK,		/* taken: the IV moves on, a copy of it answers again */
	IKEV1_DROP,		/* not the peer's, or not now: as if never received */
	IKEV1_FATAL,		/* the exchange and its IKE SA are over */
	IKEV1_FAILED,		/* the exchange is over (taken), the IKE SA goes on */
};

/* A peer's message, opened. */
struct ikev1_rx {
	struct ike_rx *rx;		/* the datagram (decrypted in place) */
	struct isakmp_msg *m;
	bool encrypted;
	/* The IV after it: the exchange takes it once the message is authentic. */
	uint8_t next_iv[ISAKMP_MAX_BLOCK_LEN];
};

struct ikev1_xchg {
	struct ikev1_xchg *next;
	struct ike_sa *sa;
	uint8_t type;			/* enum isakmp_exchange */
	uint32_t msgid;
	bool initiator;
	unsigned int step;		/* the next message's number, from 1 */
	bool done;
	uint8_t iv[ISAKMP_MAX_BLOCK_LEN];
	uint8_t *out;			/* our last message, as sent */
	size_t out_len;
	bool awaiting;			/* the peer owes us the next message */
	uint8_t in_digest[32];		/* the peer's last message, as it came */
	bool have_in;
	/*
	 * Our last message answers the peer's last one, and nothing of ours
	 * waits for the peer: a copy of theirs gets ours again. (Whoever
	 * waits retransmits by its own timer; answering copies then would
	 * make two ends echo each other.)
	 */
	bool answers_in;
	unsigned int sends;		/* messages sent, ever */
	unsigned int tries, resends;
	struct ike_timer timer;		/* retransmission; once done, forgetting */

	/* Phase 1 and quick mode. */
	struct ike_dh *dh;
	uint8_t ni[ISAKMP_NONCE_MAX], nr[ISAKMP_NONCE_MAX];
	size_t ni_len, nr_len;
	uint8_t *gxi, *gxr;		/* public values (phase 1), or our and their KE (PFS) */
	size_t gxi_len, gxr_len;
	uint8_t *gxy;
	size_t gxy_len;

	/* Phase 1. */
	uint8_t *sai_b;			/* the initiator's SA payload body */
	size_t sai_len;
	struct isakmp_sa_offer *offer;	/* ours (initiator), or the chosen reply */

	/* Quick mode. */
	struct iked_vpn *vpn;
	unsigned int sel;
	uint32_t rekey_spi;		/* inbound SPI of the child it replaces; 0: none */
	struct child_sa *child;		/* negotiated, installed at the end */
	struct child_reservation reserved;
	uint8_t *idci, *idcr;		/* the IDci/IDcr bodies sent, or received to echo */
	size_t idci_len, idcr_len;
	bool peer_timed;		/* a rekey proposing the lifetime the peer chose */
	uint64_t first_ms;		/* when it began (its first message) */
};

/* ---- message.c ---- */

/* A new exchange of SA, linked; NULL without memory. */
struct ikev1_xchg *ikev1_xchg_new(struct ike_sa *sa, uint8_t type, uint32_t msgid,
				  bool initiator);
void ikev1_xchg_free(struct ikev1_xchg *x);
struct ikev1_xchg *ikev1_xchg_find(struct ike_sa *sa, uint32_t msgid);
/* Done: kept a while to answer the peer's retransmissions, then freed. */
void ikev1_xchg_finish(struct ikev1_xchg *x);
/* A fresh message ID for a new exchange of SA (random, not 0, not in use). */
uint32_t ikev1_new_msgid(struct ike_sa *sa);
/* Whether A and B are ISAKMP SAs with the same peer: gateway, identity, address. */
bool ikev1_same_peer(const struct ike_sa *a, const struct ike_sa *b);
/* A rekey of C that failed is tried again a little later. */
void ikev1_child_rekey_later(struct child_sa *c);
/* Whether the peer used MSGID already on SA; and remembering that it did. */
bool ikev1_msgid_seen(const struct ike_sa *sa, uint32_t msgid);
void ikev1_msgid_remember(struct ike_sa *sa, uint32_t msgid);
/* The first IV of an exchange after phase 1: from p1_last and MSGID. */
int ikev1_msgid_iv(struct ike_sa *sa, uint32_t msgid, uint8_t *iv);

/*
 * A message under construction: the header written (cookies, X's type and
 * message ID, the encryption flag when ENCRYPT).
 */
struct ikev1_out {
	struct ike_writer w;
	uint8_t buf[8192];
	bool encrypt;
	size_t hash_off;		/* a HASH payload's data to fill in; 0: none */
	size_t hash_end;
};

void ikev1_out_begin(struct ikev1_out *o, struct ikev1_xchg *x, bool encrypt);
/* A HASH payload of SA's hash length, filled in by ikev1_out_hash(). */
void ikev1_out_hash_slot(struct ikev1_out *o, struct ike_sa *sa);
/*
 * Fills the HASH slot: HASH(1)/(2) over what follows it (with NI for
 * HASH(2)), as RFC 2409 5.5 says. 0 or -1.
 */
int ikev1_out_hash(struct ikev1_out *o, struct ikev1_xchg *x, const uint8_t *ni,
		   size_t ni_len);
/*
 * Finishes, encrypts with X's IV when asked (moving it), keeps a copy and
 * sends it; with AWAIT, retransmits it until the peer's next message.
 */
int ikev1_send(struct ikev1_xchg *x, struct ikev1_out *o, bool await);
/* X's IV moves past IN (authentic now), if it was encrypted. */
void ikev1_take_iv(struct ikev1_xchg *x, const struct ikev1_rx *in);
/* A one-message exchange (informational): sent, and not kept. */
int ikev1_send_once(struct ike_sa *sa, struct ikev1_out *o, uint8_t *iv);

/*
 * HASH(1) of an informational or quick mode message (with NI: HASH(2)):
 * the first payload, checked over the rest of the chain. 0, or -1 (logged
 * and counted).
 */
int ikev1_check_hash(struct ike_sa *sa, const struct ikev1_rx *in, const uint8_t *ni,
		     size_t ni_len);

/* The payload's body: after its generic header. */
static inline const uint8_t *ikev1_body(const struct ike_payload *pl)
{
	return pl->body;
}

/* ---- phase1.c: what main and aggressive mode share ---- */

/* A copy of LEN bytes at SRC in *DST (freed first); 0 or -1. */
int ikev1_keep(uint8_t **dst, size_t *dst_len, const uint8_t *src, size_t len);
/* Phase 1 failed: WHY for status and the log; the SA goes. */
enum ikev1_status ikev1_p1_fail(struct ike_sa *sa, const char *why);
void ikev1_p1_read_vids(struct ike_sa *sa, const struct isakmp_msg *m);
int ikev1_p1_put_vids(const struct ike_sa *sa, struct ike_writer *w);
/* Whether both ends do RFC 3947 NAT traversal (NAT-D payloads, the float). */
bool ikev1_p1_natt(const struct ike_sa *sa);
/* NAT-D payloads: the peer's address as we send to it, then ours. */
int ikev1_p1_put_natd(struct ike_sa *sa, struct ike_writer *w);
/* The peer's NAT-D payloads in M, RX's addresses: where the NATs are. */
void ikev1_p1_detect_nat(struct ike_sa *sa, const struct ike_rx *rx, const struct isakmp_msg *m);
/* The phase 1 transform chosen: what the ISAKMP SA runs from now on. 0 or -1. */
int ikev1_p1_take_transform(struct ike_sa *sa, const struct isakmp_transform *t,
			    const struct ike_suite *suite);
/* Our KE and nonce, kept in X. */
int ikev1_p1_put_ke_nonce(struct ikev1_xchg *x, struct ike_writer *w);
/* The peer's KE and nonce from M, kept in X; false if missing or unusable. */
bool ikev1_p1_take_ke_nonce(struct ikev1_xchg *x, const struct isakmp_msg *m);
/* g^xy, SKEYID and the keys from it, the first IV. 0 or -1. */
int ikev1_p1_derive(struct ikev1_xchg *x);
/* Our identity as an ID payload body; its length, 0 if it does not fit. */
size_t ikev1_p1_id_body(struct ike_sa *sa, uint8_t *out, size_t cap);
/*
 * Our ID and HASH_I (initiator) or HASH_R payloads; with certificates, the
 * ID, our CERT payloads and the SIG over the hash (RFC 2409 5.1).
 */
int ikev1_p1_put_id_hash(struct ikev1_xchg *x, struct ike_writer *w);
/* Our phase 1 authentication method (enum isakmp_auth); 0: none usable. */
uint16_t ikev1_p1_auth(const struct iked_gateway *gw);
/* With certificates: a CR payload, in main mode's third and fourth messages. */
int ikev1_p1_put_certreq(const struct ike_sa *sa, struct ike_writer *w);
/*
 * With certificates: the peer's CERT chain verified, its identity ID (of
 * the payload ID_PL) in its certificate, its SIG over HASH_I/HASH_R.
 */
enum ikev1_status ikev1_p1_check_sig(struct ikev1_xchg *x, const struct isakmp_msg *m,
				     const struct ike_payload *id_pl, const struct ike_id *id);
/* The peer's phase 1 HASH over ID body ID_B: OK, or DROP (counted). */
enum ikev1_status ikev1_p1_check_hash(struct ikev1_xchg *x, const uint8_t *id_b, size_t id_len,
				      const struct ike_payload *h_pl);
int ikev1_p1_decode_id(const struct ike_payload *pl, struct ike_id *id);
/* The peer's identity, proven: the gateway's remote-id, or FATAL. */
enum ikev1_status ikev1_p1_take_id(struct ikev1_xchg *x, const struct ike_id *id);
/*
 * Phase 1 is over: the IV later exchanges start from, the SA up; it takes
 * over the IPsec SAs of the ISAKMP SA it renews, or with INITIAL-CONTACT
 * the older ones go; the quick modes waiting go out.
 */
void ikev1_p1_done(struct ikev1_xchg *x);
/*
 * An authentic message came on SA after phase 1: the peer has it. A
 * renewal of ours in aggressive mode may let the old ISAKMP SA go now.
 */
void ikev1_confirmed(struct ike_sa *sa);
/* Whether another ISAKMP SA with SA's gateway is up (no INITIAL-CONTACT then). */
bool ikev1_p1_other_up(const struct ike_sa *sa);
/* Notes an INITIAL-CONTACT among M's notifies (checked in an authenticated message). */
void ikev1_p1_read_contact(struct ike_sa *sa, const struct isakmp_msg *m);

/* ---- main_mode.c ---- */

/* Initiator: the first message out. */
int ikev1_main_start(struct ike_sa *sa);
/* Responder: a first message; the SA is new and half-open. */
enum ikev1_status ikev1_main_respond(struct ike_sa *sa, struct ikev1_xchg *x,
				     struct ikev1_rx *in);
/* The peer's next phase 1 message. */
enum ikev1_status ikev1_main_process(struct ikev1_xchg *x, struct ikev1_rx *in);

/* ---- aggressive_mode.c ---- */

int ikev1_aggr_start(struct ike_sa *sa);
/* Responder: a first message from the peer whose identity is PEER. */
enum ikev1_status ikev1_aggr_respond(struct ike_sa *sa, struct ikev1_xchg *x,
				     struct ikev1_rx *in, const struct ike_id *peer);
enum ikev1_status ikev1_aggr_process(struct ikev1_xchg *x, struct ikev1_rx *in);

/* ---- quick_mode.c ---- */

/*
 * Quick mode for VPN's SEL as initiator (replacing the child with inbound
 * SPI REKEY_SPI, if not 0), or -1.
 */
int ikev1_quick_start(struct ike_sa *sa, struct iked_vpn *vpn, unsigned int sel,
		      uint32_t rekey_spi);
/* A phase 1 renewal that failed is tried again after this. */
#define IKEV1_RENEW_RETRY_MS	5000
/* A renewed ISAKMP SA lives this long after its successor took its IPsec SAs. */
#define IKEV1_HANDOVER_MS	2000
/* How long a rekey's initiator keeps sending on the old SA: until the peer has QM3. */
#define IKEV1_SWITCH_MS		1000
/* A pair made this close to the peer's renewal may stay with the old ISAKMP SA. */
#define IKEV1_STRANDED_MS	500
/* The peer's quick mode message: the first of a new one (X new), or the next. */
enum ikev1_status ikev1_quick_process(struct ikev1_xchg *x, struct ikev1_rx *in);
/* Phase 1 is up: the quick modes that waited for it. */
void ikev1_quick_wanted(struct ike_sa *sa);

/* ---- informational.c ---- */

/* The peer's informational message (its own message ID, nothing kept). */
void ikev1_info_process(struct ike_sa *sa, struct ikev1_rx *in);
/*
 * A notify about SA (protocol ISAKMP, its cookies as SPI) in an
 * informational exchange: protected by HASH(1) once phase 1 is up, in the
 * clear before (a peer acts on those only as hints).
 */
int ikev1_send_notify(struct ike_sa *sa, uint16_t type, const void *data, size_t len);

#endif
