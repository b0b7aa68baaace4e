/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which VPNs should be up and bringing them up: at start and again while
 * down (establish-tunnels immediately), on the module's acquire event
 * (on-traffic, with a trap selector per configured pair), on "sectun ike
 * up"; and held down by "sectun ike down".
 */
#ifndef SECTUN_IKED_VPN_H
#define SECTUN_IKED_VPN_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "kernel.h"

/* Starts keeping the configuration's VPNs up (traps installed where not yet). */
int iked_vpns_start(void);
/* Stops it: traps removed, no more initiations. */
void iked_vpns_stop(void);
/* No more initiations until iked_vpns_start() (a reload); the traps stay. */
void iked_vpns_pause(void);
/* VPN's traps out of the module, for good (it changed or went in a reload). */
void iked_vpn_retire(struct iked_vpn *vpn);
/*
 * The traps of VPN's selector entry K, one per pair of its sides, into the
 * module at their indexes (new ones the first time). False if none went in.
 */
bool iked_vpn_traps_add(struct iked_vpn *vpn, unsigned int k);
/* Entry K's traps out of the module; their indexes stay K's. False if one stayed. */
bool iked_vpn_traps_del(struct iked_vpn *vpn, unsigned int k);
/* An IKE SA we initiated for VPN is gone: look again soon. */
void iked_vpn_sa_gone(struct iked_vpn *vpn);
/* The module's acquire: traffic on IFNAME for selector POLICY without an SA. */
void iked_vpn_acquire(const struct kernel_event *ev);

/* The control socket's "up" and "down". */
int iked_vpn_up(const char *name, char *msg, size_t len);
int iked_vpn_down(const char *name, char *msg, size_t len);

#endif
