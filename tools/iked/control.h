/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control socket: a root-only UNIX stream socket taking one command
 * line ("status [detail] [json]", "up VPN", "down VPN", "reload") and
 * answering with text until it closes. `sectun ike` is its client.
 */
#ifndef SECTUN_IKED_CONTROL_H
#define SECTUN_IKED_CONTROL_H

int ike_control_open(const char *path);
void ike_control_close(void);
int ike_control_fd(void);
/* Accepts and serves one client. */
void ike_control_serve(void);

/* What "reload" does, provided by the daemon (main.c); up and down are vpn.c's. */
int iked_reload(char *msg, size_t len);

#endif
