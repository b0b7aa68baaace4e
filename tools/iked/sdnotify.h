/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IKED_SDNOTIFY_H
#define IKED_SDNOTIFY_H

/*
 * Tell the service manager STATE ("READY=1", "STOPPING=1", ...); a no-op
 * when $NOTIFY_SOCKET is unset. Returns 0 or -errno.
 */
int iked_sd_notify(const char *state);

#endif
