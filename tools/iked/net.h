/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The IKE sockets: UDP port 500 on IPv4 and IPv6, receiving with the
 * local address the datagram was sent to, sending from a chosen one.
 */
#ifndef SECTUN_IKED_NET_H
#define SECTUN_IKED_NET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define IKE_MAX_DATAGRAM	65535

/*
 * Port 500, and the NAT-T port (4500) where IKE follows a 4-byte zero
 * non-ESP marker (RFC 3948): peers such as strongSwan move there after
 * IKE_SA_INIT even without a NAT. The 4500 sockets carry
 * UDP_ENCAP_ESPINUDP, so ESP in UDP arriving there goes to the kernel
 * (and the module) while IKE stays with the daemon.
 */
struct ike_net {
	int fd4, fd6, nat4, nat6;
	uint16_t port, natt_port;	/* natt_port 0: none */
};

int ike_net_open(struct ike_net *net, uint16_t port, uint16_t natt_port);
void ike_net_close(struct ike_net *net);
/*
 * One IKE message from FD: LOCAL gets the address and port it was sent
 * to; on the NAT-T port the marker is checked and taken off (-ENOMSG for
 * a NAT keepalive or anything else that is no IKE).
 */
ssize_t ike_net_recv(const struct ike_net *net, int fd, uint8_t *buf, size_t size,
		     struct sockaddr_storage *from, struct sockaddr_storage *local);
/*
 * LOCAL may have family 0 (let the route choose); its port picks the
 * socket: the NAT-T port sends with the marker.
 */
int ike_net_send(const struct ike_net *net, const uint8_t *buf, size_t len,
		 const struct sockaddr_storage *to,
		 const struct sockaddr_storage *local);

socklen_t ike_sockaddr_len(const struct sockaddr_storage *ss);
/* Same address (and port, when WITH_PORT). */
int ike_sockaddr_equal(const struct sockaddr_storage *a,
		       const struct sockaddr_storage *b, int with_port);
const void *ike_sockaddr_addr(const struct sockaddr_storage *ss, size_t *len);
uint16_t ike_sockaddr_port(const struct sockaddr_storage *ss);
void ike_sockaddr_set_port(struct sockaddr_storage *ss, uint16_t port);
/* "192.0.2.1:500" / "[2001:db8::1]:500" */
const char *ike_sockaddr_str(const struct sockaddr_storage *ss, char *buf, size_t len);

#endif
