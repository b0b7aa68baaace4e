// SPDX-License-Identifier: GPL-2.0
/*
 * libnl-genl plumbing for the sectun family: socket set-up, extended-ack
 * error messages, and dumps that restart when the kernel flags them as
 * interrupted.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/attr.h>

#include "nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define DUMP_RETRIES 5

struct request_state {
	struct sectun_nl *nl;
	sectun_nl_reply_fn fn;
	void *arg;
	int err;
	int done;
};

int sectun_nl_open(struct sectun_nl *nl)
{
	int one = 1, err;

	memset(nl, 0, sizeof(*nl));
	nl->sk = nl_socket_alloc();
	if (!nl->sk)
		return -ENOMEM;
	err = genl_connect(nl->sk);
	if (err < 0) {
		snprintf(nl->err_msg, sizeof(nl->err_msg),
			 "cannot open a generic netlink socket: %s",
			 nl_geterror(err));
		goto fail;
	}
	/* Ask for the kernel's reasons, and have it not echo our requests. */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));
	nl_socket_set_buffer_size(nl->sk, 1 << 20, 1 << 20);

	nl->family = genl_ctrl_resolve(nl->sk, SECTUN_GENL_NAME);
	if (nl->family < 0) {
		snprintf(nl->err_msg, sizeof(nl->err_msg),
			 "the sectun kernel module is not loaded (modprobe sectun)");
		err = -ENOENT;
		goto fail_close;
	}
	nl->events_group = genl_ctrl_resolve_grp(nl->sk, SECTUN_GENL_NAME,
						 SECTUN_MCGRP_EVENTS);
	return 0;

fail:
	err = -ECONNREFUSED;
fail_close:
	nl_socket_free(nl->sk);
	nl->sk = NULL;
	return err;
}

void sectun_nl_close(struct sectun_nl *nl)
{
	if (nl->sk)
		nl_socket_free(nl->sk);
	nl->sk = NULL;
}

struct nl_msg *sectun_nl_msg(struct sectun_nl *nl, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, flags,
			 cmd, SECTUN_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

int sectun_nl_put_dev(struct nl_msg *msg, const char *name)
{
	char *end;
	unsigned long idx;

	idx = strtoul(name, &end, 10);
	if (*name && !*end && idx > 0 && idx <= UINT32_MAX)
		return nla_put_u32(msg, SECTUN_A_IFINDEX, idx);
	return nla_put_string(msg, SECTUN_A_IFNAME, name);
}

/* Pull NLMSGERR_ATTR_MSG and _MISS_TYPE out of an extended ack. */
static void parse_ext_ack(struct sectun_nl *nl, struct nlmsghdr *nlh,
			  struct nlmsgerr *e)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	unsigned int off = sizeof(*e);
	struct nlattr *attrs;
	int len;

	nl->err_msg[0] = 0;
	nl->err_missing_attr = 0;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	/* Unless capped, the whole request is echoed before the TLVs. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	len = (int)nlh->nlmsg_len - NLMSG_HDRLEN - (int)off;
	if (len <= 0)
		return;
	attrs = (struct nlattr *)((char *)e + off);
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, attrs, len, NULL) < 0)
		return;
	if (tb[NLMSGERR_ATTR_MSG] && nla_len(tb[NLMSGERR_ATTR_MSG]) > 0)
		snprintf(nl->err_msg, sizeof(nl->err_msg), "%.*s",
			 nla_len(tb[NLMSGERR_ATTR_MSG]),
			 (char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
	if (tb[NLMSGERR_ATTR_MISS_TYPE] &&
	    nla_len(tb[NLMSGERR_ATTR_MISS_TYPE]) == 4)
		nl->err_missing_attr = nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
}

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct request_state *st = arg;
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);

	(void)who;
	parse_ext_ack(st->nl, nlh, e);
	st->err = e->error;
	st->done = 1;
	return NL_STOP;
}

static int on_finish(struct nl_msg *msg, void *arg)
{
	struct request_state *st = arg;

	(void)msg;
	st->done = 1;
	return NL_STOP;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct request_state *st = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *attrs[SECTUN_A_MAX + 1];
	int err;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR) {
		st->err = -EINTR;
		return NL_SKIP;
	}
	if (!st->fn || st->err)
		return NL_OK;
	err = genlmsg_parse(nlh, 0, attrs, SECTUN_A_MAX, NULL);
	if (err < 0) {
		st->err = -EBADMSG;
		return NL_OK;
	}
	err = st->fn(nlmsg_data(nlh), attrs, st->arg);
	if (err < 0)
		st->err = err;
	return NL_OK;
}

static int request_once(struct sectun_nl *nl, struct nl_msg *msg,
			struct request_state *st)
{
	struct nl_cb *cb;
	int err;

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		return -ENOMEM;
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, st);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, st);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_finish, st);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, st);

	nlmsg_hdr(msg)->nlmsg_seq = NL_AUTO_SEQ;
	nlmsg_hdr(msg)->nlmsg_flags |= NLM_F_ACK;
	err = nl_send_auto(nl->sk, msg);
	if (err < 0) {
		snprintf(nl->err_msg, sizeof(nl->err_msg), "netlink send: %s",
			 nl_geterror(err));
		nl_cb_put(cb);
		return -EIO;
	}
	while (!st->done) {
		err = nl_recvmsgs(nl->sk, cb);
		if (err < 0 && !st->done) {
			if (!st->err) {
				snprintf(nl->err_msg, sizeof(nl->err_msg),
					 "netlink receive: %s", nl_geterror(err));
				st->err = -EIO;
			}
			break;
		}
	}
	nl_cb_put(cb);
	return st->err;
}

int sectun_nl_request(struct sectun_nl *nl, struct nl_msg *msg,
		      sectun_nl_reply_fn fn, void (*restart)(void *arg),
		      void *arg)
{
	int tries, err = 0;

	for (tries = 0; tries < DUMP_RETRIES; tries++) {
		struct request_state st = { .nl = nl, .fn = fn, .arg = arg };

		nl->err_msg[0] = 0;
		nl->err_missing_attr = 0;
		err = request_once(nl, msg, &st);
		if (err != -EINTR)
			return err;
		if (restart)
			restart(arg);
	}
	snprintf(nl->err_msg, sizeof(nl->err_msg),
		 "the set kept changing while it was being read");
	return err;
}

static int on_event(struct nl_msg *msg, void *arg)
{
	struct request_state *st = arg;
	struct nlattr *attrs[SECTUN_A_MAX + 1];
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	if (genlmsg_parse(nlh, 0, attrs, SECTUN_A_MAX, NULL) < 0)
		return NL_SKIP;
	if (st->fn(nlmsg_data(nlh), attrs, st->arg) < 0)
		return NL_STOP;
	return NL_OK;
}

int sectun_nl_subscribe(struct sectun_nl *nl)
{
	int err;

	if (nl->events_group < 0) {
		snprintf(nl->err_msg, sizeof(nl->err_msg),
			 "the kernel has no sectun events group");
		return -ENOENT;
	}
	err = nl_socket_add_membership(nl->sk, nl->events_group);
	if (err < 0) {
		snprintf(nl->err_msg, sizeof(nl->err_msg),
			 "cannot join the events group: %s", nl_geterror(err));
		return -EPERM;
	}
	/* Events are unsolicited: they carry no sequence number of ours. */
	nl_socket_disable_seq_check(nl->sk);
	return 0;
}

int sectun_nl_read_events(struct sectun_nl *nl, sectun_nl_reply_fn fn, void *arg)
{
	struct request_state st = { .nl = nl, .fn = fn, .arg = arg };
	int err;

	nl_socket_modify_cb(nl->sk, NL_CB_VALID, NL_CB_CUSTOM, on_event, &st);
	err = nl_recvmsgs_default(nl->sk);
	if (err < 0 && err != -NLE_INTR && err != -NLE_AGAIN) {
		snprintf(nl->err_msg, sizeof(nl->err_msg),
			 "netlink receive: %s", nl_geterror(err));
		return -EIO;
	}
	return 0;
}

int sectun_nl_listen(struct sectun_nl *nl, sectun_nl_reply_fn fn, void *arg)
{
	int err = sectun_nl_subscribe(nl);

	while (!err)
		err = sectun_nl_read_events(nl, fn, arg);
	return err;
}

uint8_t sectun_nla_u8(const struct nlattr *a)
{
	return a && nla_len(a) >= 1 ? *(const uint8_t *)nla_data(a) : 0;
}

uint16_t sectun_nla_u16(const struct nlattr *a)
{
	uint16_t v = 0;

	if (a && nla_len(a) >= 2)
		memcpy(&v, nla_data(a), sizeof(v));
	return v;
}

uint32_t sectun_nla_u32(const struct nlattr *a)
{
	uint32_t v = 0;

	if (a && nla_len(a) >= 4)
		memcpy(&v, nla_data(a), sizeof(v));
	return v;
}

uint64_t sectun_nla_u64(const struct nlattr *a)
{
	uint64_t v = 0;

	if (a && nla_len(a) >= 8)
		memcpy(&v, nla_data(a), sizeof(v));
	return v;
}
