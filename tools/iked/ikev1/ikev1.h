/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IKEv1 (RFC 2407, 2408, 2409) for gateways with version = 1: what the
 * rest of the daemon calls. An IKEv1 IKE SA is a struct ike_sa like any
 * other (its children, timers, status and kernel side are shared), with
 * version 1 and its ISAKMP state in sa->v1.
 */
#ifndef SECTUN_IKED_IKEV1_IKEV1_H
#define SECTUN_IKED_IKEV1_IKEV1_H

#include <stdbool.h>
#include <stdint.h>

struct child_sa;
struct ike_rx;
struct ike_sa;
struct iked_vpn;

/*
 * A datagram of major version 1: to its IKE SA, or a new main mode for a
 * version 1 gateway; anything else is refused and logged.
 */
void ikev1_receive(struct ike_rx *rx);
/* A new ISAKMP SA for VPN (main mode), then a quick mode for selector SEL. */
int ikev1_initiate(struct iked_vpn *vpn, unsigned int sel);
/* A quick mode for VPN's selector SEL on SA: now if SA is up, else once it is. */
int ikev1_child_wanted(struct ike_sa *sa, struct iked_vpn *vpn, unsigned int sel);
/* Every proxy ID of SA's own VPN that has no child yet. */
void ikev1_children_wanted(struct ike_sa *sa);
/* A new quick mode that replaces C before it expires. */
void ikev1_child_rekey(struct ike_sa *sa, struct child_sa *c);
/* C came up on an ISAKMP SA the peer was renewing: rekeyed on TO (once current). */
void ikev1_child_rekey_stranded(struct ike_sa *to, struct child_sa *c);
/* The peer is told (protected) that C's SAs are gone. */
void ikev1_delete_child(struct ike_sa *sa, struct child_sa *c);
/* The peer is told its IPsec SAs and the ISAKMP SA are gone; SA is killed. */
void ikev1_delete_sa(struct ike_sa *sa);
/*
 * Phase 1 renewal, make-before-break: a new ISAKMP SA with OLD's peer
 * (no INITIAL-CONTACT, so that the peer keeps the IPsec SAs), which takes
 * OLD's IPsec SAs once up; OLD is deleted a moment later.
 */
void ikev1_renew(struct ike_sa *old);
/* DPD decided to probe (RFC 3706 R-U-THERE), or that the peer is dead. */
void ikev1_dpd_probe(struct ike_sa *sa, uint64_t now_ms);
struct iked_config_map;
/*
 * A reload: SA's quick modes, in flight or waiting, follow their VPNs into
 * the new configuration; those of VPNs that changed or went are dropped.
 */
void ikev1_retarget(struct ike_sa *sa, const struct iked_config_map *map);
/* Whether a quick mode runs on SA (not yet over). */
bool ikev1_busy(const struct ike_sa *sa);
/* Before SA goes: its IPsec SAs move to another ISAKMP SA with the peer, if one is up. */
bool ikev1_hand_over(struct ike_sa *sa);
/* SA is dying: its exchanges and waiting quick modes go. */
void ikev1_sa_stop(struct ike_sa *sa);
/* Frees SA's ISAKMP state, keys wiped. */
void ikev1_sa_free(struct ike_sa *sa);
/* "Main" or "Aggressive", for status. */
const char *ikev1_mode_name(const struct ike_sa *sa);

#endif
