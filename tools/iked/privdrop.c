// SPDX-License-Identifier: GPL-2.0
/*
 * Least privilege: once the IKE sockets, the module's netlink sockets and
 * the control socket are open, the daemon becomes an unprivileged user and
 * keeps only CAP_NET_ADMIN (the module's netlink family is admin-only) and
 * CAP_NET_BIND_SERVICE (IKE ports below 1024). Nothing it does later needs
 * more: reload re-reads files the user can read, and no child is ever run.
 */
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"
#include "privdrop.h"

#define KEPT_CAPS	((1ULL << CAP_NET_ADMIN) | (1ULL << CAP_NET_BIND_SERVICE))

static int cap_last(void)
{
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
	int last = CAP_LAST_CAP;

	if (f) {
		if (fscanf(f, "%d", &last) != 1)
			last = CAP_LAST_CAP;
		fclose(f);
	}
	return last;
}

/* The bounding set too, so that not even an exec could regain the rest. */
static int drop_bounding_set(void)
{
	int cap, last = cap_last();

	for (cap = 0; cap <= last; cap++) {
		if (KEPT_CAPS & (1ULL << cap))
			continue;
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) != 1)
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0))
			return -errno;
	}
	return 0;
}

static int set_caps(uint64_t caps)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = {
		{ .effective = (uint32_t)caps, .permitted = (uint32_t)caps },
		{ .effective = (uint32_t)(caps >> 32), .permitted = (uint32_t)(caps >> 32) },
	};

	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

static int become(const struct passwd *pw)
{
	int err;

	if (initgroups(pw->pw_name, pw->pw_gid) || setgid(pw->pw_gid))
		return -errno;
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) || setuid(pw->pw_uid))
		return -errno;
	err = set_caps(KEPT_CAPS);
	if (err)
		return err;
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	/* setuid() with KEEPCAPS must not have left a way back. */
	if (!setuid(0) && pw->pw_uid)
		return -EPERM;
	return 0;
}

/* Root without a user to become: still only the two capabilities. */
static int keep_root(void)
{
	int err = drop_bounding_set();

	if (!err)
		err = set_caps(KEPT_CAPS);
	if (!err && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		err = -errno;
	return err;
}

int iked_drop_privileges(const char *user)
{
	bool named = user && user[0];
	struct passwd *pw;
	int err;

	if (geteuid())
		return 0;	/* started unprivileged: nothing to give up */
	if (!named)
		user = IKED_DEFAULT_USER;
	if (named && !strcmp(user, "root"))
		return 0;	/* asked for: root with what it was started with */
	errno = 0;
	pw = getpwnam(user);
	if (!pw) {
		if (named) {
			log_err("user %s: %s", user, errno ? strerror(errno) : "no such user");
			return -ENOENT;
		}
		err = keep_root();
		if (err) {
			log_err("cannot give up capabilities: %s", strerror(-err));
			return err;
		}
		log_warn("no user '%s': staying root, with CAP_NET_ADMIN and "
			 "CAP_NET_BIND_SERVICE only (set 'user' in the configuration)", user);
		return 0;
	}
	if (!pw->pw_uid) {
		log_err("user %s is root", user);
		return -EINVAL;
	}
	err = drop_bounding_set();
	if (!err)
		err = become(pw);
	if (err) {
		log_err("cannot become %s: %s", user, strerror(-err));
		return err;
	}
	log_info("running as %s with CAP_NET_ADMIN and CAP_NET_BIND_SERVICE only", user);
	return 0;
}
