// SPDX-License-Identifier: GPL-2.0
/*
 * sectun encap listen: the UDP socket through which the kernel hands
 * ESP-in-UDP (RFC 3948) to sectun, for manually keyed tunnels.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"
#include "parse.h"

#ifndef UDP_ENCAP
#define UDP_ENCAP 100
#endif
#ifndef UDP_ENCAP_ESPINUDP
#define UDP_ENCAP_ESPINUDP 2
#endif

int cmd_encap(struct cli *cli, int argc, char **argv)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };
	int fd, zero = 0, encap = UDP_ENCAP_ESPINUDP;
	uint32_t port = 4500;
	char buf[2048];

	(void)cli;
	if (argc < 2 || strcmp(argv[1], "listen") ||
	    (argc != 2 && (argc != 4 || strcmp(argv[2], "port") ||
			   parse_u32(argv[3], 1, 65535, &port))))
		return cli_usage("encap", NULL);
	/* One IPv6 socket takes IPv4 too; the kernel decapsulates both. */
	fd = socket(AF_INET6, SOCK_DGRAM, 0);
	if (fd < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) < 0) {
		perror("sectun: encap socket");
		return 1;
	}
	sa.sin6_port = htons(port);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    setsockopt(fd, IPPROTO_UDP, UDP_ENCAP, &encap, sizeof(encap)) < 0) {
		fprintf(stderr, "sectun: encap listen on port %u: %s\n", port,
			strerror(errno));
		close(fd);
		return 1;
	}
	printf("listening for ESP in UDP on port %u\n", port);
	fflush(stdout);
	/* ESP never reaches us: the kernel takes it. What does is not ours. */
	while (recv(fd, buf, sizeof(buf), 0) >= 0 || errno == EINTR)
		;
	close(fd);
	return 1;
}
