/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Child SAs of an IKE SA: what we offer for a VPN, what we accept from a
 * peer's offer, and the keys and selectors that go into the module.
 */
#ifndef SECTUN_IKED_CHILD_H
#define SECTUN_IKED_CHILD_H

#include "ikev2/codec.h"
#include "ike_sa.h"

/*
 * The nonces (and PFS secret) a child's KEYMAT is made from, and whether
 * we initiated the exchange that made it: KEYMAT's first half is for the
 * initiator-to-responder direction of that exchange (RFC 7296 2.17), not
 * of the IKE SA.
 */
struct child_nonces {
	const uint8_t *ni, *nr, *g_ir;
	size_t ni_len, nr_len, g_len;
	bool we_initiated;
};

/*
 * VPN's proposals with SPI as ours; without DH unless WITH_DH (IKE_AUTH
 * has no KE; CREATE_CHILD_SA carries the VPN's PFS group).
 */
int ike_child_offer(const struct iked_vpn *vpn, uint32_t spi, bool with_dh,
		    struct ike_sa_offer *offer);
/* TSi and TSr of M, both present and not empty. */
bool ike_child_decode_ts(const struct ike_msg *m, struct ike_ts_set *tsi,
			 struct ike_ts_set *tsr);
/*
 * Initiator: the responder's SA and selectors for the child we asked for
 * (selector SEL of VPN, with OFFER and our SPI_IN). NULL, with sa->why,
 * if they are not what we offered.
 */
struct child_sa *ike_child_from_reply(struct ike_sa *sa, struct iked_vpn *vpn,
				      unsigned int sel, const struct ike_sa_offer *offer,
				      uint32_t spi_in, const struct ike_msg *m);
/* Our TSi and TSr for selector SEL of VPN: both families whole without selectors. */
void ike_child_ts(const struct iked_vpn *vpn, unsigned int sel,
		  struct ike_ts_set *local, struct ike_ts_set *remote);
/*
 * Responder: the first VPN of SA's gateway that accepts THEIRS and the
 * initiator's selectors (TSI its side, TSR ours); only REKEYS's VPN, and
 * past the child limit, for a rekey. Returns 0 with *OUT set and REPLY
 * the proposal to answer, or the notify to answer with.
 */
uint16_t ike_child_accept(struct ike_sa *sa, const struct ike_sa_offer *theirs,
			  const struct ike_ts_set *tsi, const struct ike_ts_set *tsr,
			  bool with_dh, const struct child_sa *rekeys,
			  struct child_sa **out, struct ike_proposal *reply);
/*
 * Derives the keys (KEYMAT from SK_d and N), installs, links. A child
 * that replaces another comes with the other's selector indexes in
 * c->policy (and owns_trap), and with c->out_standby when its outbound
 * SA must wait.
 */
int ike_child_install(struct ike_sa *sa, struct child_sa *c, const struct child_nonces *n);
struct child_keys;
/*
 * Installs C with its two directions' keys (IKEv1 derives them its own
 * way), and links it to SA; the lifetime is C's if set, else its VPN's.
 */
int ike_child_install_keys(struct ike_sa *sa, struct child_sa *c, const struct child_keys *in,
			   const struct child_keys *out);
/*
 * C, about to be installed, replaces HOLDER: it serves HOLDER's selector
 * indexes (and traps). Selectors a rekey narrowed differently are
 * HOLDER's, which the peer agreed to before, logged.
 */
void ike_child_inherit(struct child_sa *c, const struct child_sa *holder);
/*
 * NEW, installed, replaces OLD: OLD gives up its selector index, and if
 * no delete takes it away in CHILD_STANDBY_MS, NEW is made current and
 * OLD deleted.
 */
void ike_child_take_over(struct child_sa *old, struct child_sa *new);
/* OLD, replaced, is deleted in MS (not CHILD_STANDBY_MS) unless the peer deletes it first. */
void ike_child_replaced_in(struct child_sa *old, unsigned int ms);
/* C's outbound SA, on standby, carries the traffic from now on. */
void ike_child_make_current(struct child_sa *c);
/*
 * C was replaced and its delete is out or done: its outbound SA goes now,
 * its inbound SA once LINGER_MS are over (0: now, and C with it).
 */
void ike_child_retire(struct child_sa *c, unsigned int linger_ms);
/* OLD, replaced, is about to go: its successor's outbound SA is made current. */
void ike_child_successor_current(struct child_sa *old);
/*
 * Reauthentication (ours or the peer's) makes children anew on a new IKE
 * SA: the installed child of another IKE SA with the same peer that C,
 * not yet installed on SA, replaces (same VPN, selector and traffic
 * selectors), or NULL.
 */
struct child_sa *ike_child_predecessor(const struct ike_sa *sa, const struct child_sa *c);
/*
 * A child that is no rekey, installed: in its predecessor's place when it
 * has one (selector index and all), its outbound SA on standby: when the
 * peer made it, as a rekey responder, until the predecessor's delete (or
 * CHILD_STANDBY_MS); when our reauthentication did, until it is done.
 */
int ike_child_install_new(struct ike_sa *sa, struct child_sa *c, const struct child_nonces *n);
/*
 * C, on standby in its predecessor's place, carries the traffic from now
 * on; the predecessor keeps only its inbound SA, until its IKE SA goes.
 */
void ike_child_supersede(struct child_sa *c);
/* Whether another installed child serves C's VPN and selector. */
bool ike_child_selector_served(const struct child_sa *c);
/*
 * C, made by the peer, waits on standby: once the peer sends on it, the
 * peer has both its SAs, and ours goes there too (without waiting for the
 * old one's delete, which a peer may precede by removing its old SAs).
 */
void ike_child_watch_peer(struct child_sa *c);
#define CHILD_WATCH_MS		100
/* C, on standby, gives its predecessor back its place (a reauthentication failed). */
void ike_child_give_back(struct child_sa *c);
/* The child of SA with inbound SPI, or NULL. */
struct child_sa *ike_child_by_spi_in(struct ike_sa *sa, uint32_t spi);

/*
 * The inbound SPI of a child we ask the peer for, reserved in the module
 * from the request on: a peer that sends on the new SA the moment it
 * answers has its first packets held for the SA, not dropped.
 */
struct child_reservation {
	char ifname[IF_NAMESIZE];
	uint8_t protocol;
	uint32_t spi;
	bool held;
};

/* Reserves SPI on VPN's interface, unless R holds it already. */
void ike_child_reserve(struct child_reservation *r, const struct iked_vpn *vpn, uint32_t spi);
/* The exchange is over: unless a child took the SPI over, the reservation goes. */
void ike_child_unreserve(struct child_reservation *r);

/* How long a replaced inbound SA stays for packets in flight. */
#define CHILD_LINGER_MS		2000
/*
 * The rekey responder switches to the new outbound SA when the old one's
 * delete comes (RFC 7296 2.8); if none does, after this, and deletes the
 * old one itself.
 */
#define CHILD_STANDBY_MS	5000
/* A rekey the peer was too busy for (TEMPORARY_FAILURE) is tried again after this. */
#define CHILD_REKEY_RETRY_MS	1000
/* Puts the on-traffic traps back once C no longer holds their indexes. */
void ike_child_restore_trap(struct child_sa *c);
/* C's selectors out of the module. */
void ike_child_del_policies(struct child_sa *c);

#endif
