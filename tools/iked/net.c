// SPDX-License-Identifier: GPL-2.0
/*
 * The IKE sockets. One wildcard socket per family rather than one per
 * address: IP_PKTINFO tells which local address a request came to, and
 * the answer leaves from that same address, as RFC 7296 2.11 requires.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/udp.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ikev2/ikev2.h"
#include "log.h"
#include "net.h"

socklen_t ike_sockaddr_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET ? sizeof(struct sockaddr_in) :
					  sizeof(struct sockaddr_in6);
}

const void *ike_sockaddr_addr(const struct sockaddr_storage *ss, size_t *len)
{
	if (ss->ss_family == AF_INET) {
		*len = 4;
		return &((const struct sockaddr_in *)ss)->sin_addr;
	}
	*len = 16;
	return &((const struct sockaddr_in6 *)ss)->sin6_addr;
}

uint16_t ike_sockaddr_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
}

int ike_sockaddr_equal(const struct sockaddr_storage *a,
		       const struct sockaddr_storage *b, int with_port)
{
	const void *x, *y;
	size_t lx, ly;

	if (a->ss_family != b->ss_family)
		return 0;
	x = ike_sockaddr_addr(a, &lx);
	y = ike_sockaddr_addr(b, &ly);
	if (memcmp(x, y, lx))
		return 0;
	return !with_port || ike_sockaddr_port(a) == ike_sockaddr_port(b);
}

const char *ike_sockaddr_str(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];
	size_t alen;

	if (!ss->ss_family) {
		snprintf(buf, len, "(any)");
		return buf;
	}
	inet_ntop(ss->ss_family, ike_sockaddr_addr(ss, &alen), a, sizeof(a));
	if (ss->ss_family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", a, ike_sockaddr_port(ss));
	else
		snprintf(buf, len, "%s:%u", a, ike_sockaddr_port(ss));
	return buf;
}

static int open_one(int family, uint16_t port, bool natt)
{
	int fd, on = 1, encap = UDP_ENCAP_ESPINUDP;

	/* No SO_REUSEADDR: a second daemon on the port must fail, not share it. */
	fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (natt && setsockopt(fd, IPPROTO_UDP, UDP_ENCAP, &encap, sizeof(encap)))
		goto fail;
	if (family == AF_INET) {
		struct sockaddr_in sin = {
			.sin_family = AF_INET,
			.sin_port = htons(port),
		};

		if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on)) ||
		    bind(fd, (struct sockaddr *)&sin, sizeof(sin)))
			goto fail;
	} else {
		struct sockaddr_in6 sin6 = {
			.sin6_family = AF_INET6,
			.sin6_port = htons(port),
		};

		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on)) ||
		    bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)))
			goto fail;
	}
	return fd;
fail:
	on = -errno;
	close(fd);
	return on;
}

int ike_net_open(struct ike_net *net, uint16_t port, uint16_t natt_port)
{
	net->port = port;
	net->natt_port = natt_port;
	net->fd4 = open_one(AF_INET, port, false);
	net->fd6 = open_one(AF_INET6, port, false);
	net->nat4 = net->nat6 = -1;
	if (net->fd4 < 0 && net->fd6 < 0) {
		log_err("cannot open UDP port %u: %s", port, strerror(-net->fd4));
		return net->fd4;
	}
	if (net->fd6 < 0)
		log_warn("no IPv6 IKE socket: %s", strerror(-net->fd6));
	if (!natt_port)
		return 0;
	net->nat4 = open_one(AF_INET, natt_port, true);
	net->nat6 = open_one(AF_INET6, natt_port, true);
	if (net->nat4 < 0 && net->nat6 < 0) {
		log_err("cannot open UDP port %u: %s", natt_port, strerror(-net->nat4));
		return net->nat4;
	}
	return 0;
}

void ike_net_close(struct ike_net *net)
{
	if (net->fd4 >= 0)
		close(net->fd4);
	if (net->fd6 >= 0)
		close(net->fd6);
	if (net->nat4 >= 0)
		close(net->nat4);
	if (net->nat6 >= 0)
		close(net->nat6);
	net->fd4 = net->fd6 = net->nat4 = net->nat6 = -1;
}

void ike_sockaddr_set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

ssize_t ike_net_recv(const struct ike_net *net, int fd, uint8_t *buf, size_t size,
		     struct sockaddr_storage *from, struct sockaddr_storage *local)
{
	bool natt = fd == net->nat4 || fd == net->nat6;
	union {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = size };
	struct msghdr mh = {
		.msg_name = from, .msg_namelen = sizeof(*from),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *cm;
	ssize_t n;

	n = recvmsg(fd, &mh, 0);
	if (n < 0)
		return -errno;
	if (mh.msg_flags & MSG_TRUNC)
		return -EMSGSIZE;
	memset(local, 0, sizeof(*local));
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;
			struct sockaddr_in *sin = (struct sockaddr_in *)local;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			sin->sin_family = AF_INET;
			sin->sin_addr = pi.ipi_addr;
		} else if (cm->cmsg_level == IPPROTO_IPV6 &&
			   cm->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)local;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			sin6->sin6_family = AF_INET6;
			sin6->sin6_addr = pi.ipi6_addr;
		}
	}
	ike_sockaddr_set_port(local, natt ? net->natt_port : net->port);
	if (!natt)
		return n;
	/* IKE behind the non-ESP marker; the rest (keepalives) is not ours. */
	if (n <= IKE_NON_ESP_MARKER_LEN || buf[0] || buf[1] || buf[2] || buf[3])
		return -ENOMSG;
	memmove(buf, buf + IKE_NON_ESP_MARKER_LEN, n - IKE_NON_ESP_MARKER_LEN);
	return n - IKE_NON_ESP_MARKER_LEN;
}

int ike_net_send(const struct ike_net *net, const uint8_t *buf, size_t len,
		 const struct sockaddr_storage *to,
		 const struct sockaddr_storage *local)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} ctl;
	static const uint8_t marker[IKE_NON_ESP_MARKER_LEN];
	bool natt = local && net->natt_port && ike_sockaddr_port(local) == net->natt_port;
	struct iovec iov[2] = {
		{ .iov_base = (void *)marker, .iov_len = sizeof(marker) },
		{ .iov_base = (void *)buf, .iov_len = len },
	};
	struct msghdr mh = {
		.msg_name = (void *)to, .msg_namelen = ike_sockaddr_len(to),
		.msg_iov = natt ? iov : iov + 1, .msg_iovlen = natt ? 2 : 1,
	};
	int fd = to->ss_family == AF_INET ? (natt ? net->nat4 : net->fd4) :
					    (natt ? net->nat6 : net->fd6);
	struct cmsghdr *cm;

	if (fd < 0)
		return -EAFNOSUPPORT;
	memset(&ctl, 0, sizeof(ctl));
	if (local && local->ss_family == to->ss_family) {
		mh.msg_control = ctl.buf;
		cm = (struct cmsghdr *)ctl.buf;
		if (to->ss_family == AF_INET) {
			struct in_pktinfo pi = {
				.ipi_spec_dst = ((const struct sockaddr_in *)local)->sin_addr,
			};

			mh.msg_controllen = CMSG_SPACE(sizeof(pi));
			cm->cmsg_level = IPPROTO_IP;
			cm->cmsg_type = IP_PKTINFO;
			cm->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
		} else {
			struct in6_pktinfo pi = {
				.ipi6_addr = ((const struct sockaddr_in6 *)local)->sin6_addr,
			};

			mh.msg_controllen = CMSG_SPACE(sizeof(pi));
			cm->cmsg_level = IPPROTO_IPV6;
			cm->cmsg_type = IPV6_PKTINFO;
			cm->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
		}
	}
	if (sendmsg(fd, &mh, 0) < 0)
		return -errno;
	return 0;
}
