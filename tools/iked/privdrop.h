/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IKED_PRIVDROP_H
#define IKED_PRIVDROP_H

/* Who sectun-iked becomes when iked.conf names nobody and that user exists. */
#define IKED_DEFAULT_USER	"sectun"

/*
 * Become USER ("" or NULL: IKED_DEFAULT_USER if it exists, else stay uid
 * 0 with a warning) with only the capabilities the daemon needs; "root":
 * stay as started. Call once every socket is open. Returns 0 or -errno
 * (logged).
 */
int iked_drop_privileges(const char *user);

#endif
