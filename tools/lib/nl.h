/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Talking to the sectun generic-netlink family through libnl-genl:
 * shared by the sectun CLI and sectun-iked.
 */
#ifndef SECTUN_TOOLS_NL_H
#define SECTUN_TOOLS_NL_H

#include <stdint.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <linux/sectun.h>

struct sectun_nl {
	struct nl_sock *sk;
	int family;
	int events_group;
	/* The kernel's extended-ack message for the last failed request. */
	char err_msg[256];
	/* Set when the kernel named a missing attribute (NLMSGERR_ATTR_MISS_TYPE). */
	int err_missing_attr;
};

/* Called once per reply message with its parsed top-level attributes. */
typedef int (*sectun_nl_reply_fn)(const struct genlmsghdr *ghdr,
				  struct nlattr **attrs, void *arg);

/* Returns 0 or a negative errno; nl->err_msg says why on failure. */
int sectun_nl_open(struct sectun_nl *nl);
void sectun_nl_close(struct sectun_nl *nl);

/* A new request for CMD; flags as NLM_F_DUMP. NULL on allocation failure. */
struct nl_msg *sectun_nl_msg(struct sectun_nl *nl, uint8_t cmd, int flags);

/*
 * Send MSG (which stays the caller's), and feed each reply to FN. A dump
 * that the kernel flags as interrupted (the set changed under it) is
 * retried from the start after calling RESTART, up to a few times.
 * Returns 0 or a negative errno, with nl->err_msg set when the kernel
 * gave a reason.
 */
int sectun_nl_request(struct sectun_nl *nl, struct nl_msg *msg,
		      sectun_nl_reply_fn fn, void (*restart)(void *arg),
		      void *arg);

/* Adds the device selector: an ifindex if NAME is all digits, else the name. */
int sectun_nl_put_dev(struct nl_msg *msg, const char *name);

/* Subscribe to the events group and call FN for each event, forever. */
int sectun_nl_listen(struct sectun_nl *nl, sectun_nl_reply_fn fn, void *arg);

/*
 * The same for an event loop: subscribe once, then read what is pending
 * (one receive; the socket may be non-blocking) whenever its fd is ready.
 */
int sectun_nl_subscribe(struct sectun_nl *nl);
int sectun_nl_read_events(struct sectun_nl *nl, sectun_nl_reply_fn fn, void *arg);

/* Attribute getters that check the payload length (0 / NULL when absent or malformed). */
uint8_t sectun_nla_u8(const struct nlattr *a);
uint16_t sectun_nla_u16(const struct nlattr *a);
uint32_t sectun_nla_u32(const struct nlattr *a);
uint64_t sectun_nla_u64(const struct nlattr *a);

#endif
