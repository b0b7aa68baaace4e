// SPDX-License-Identifier: GPL-2.0
/*
 * sectun: configure route-based IPsec tunnel devices (st0, st1, ...).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int cmd_help(struct cli *cli, int argc, char **argv);

static const struct cli_cmd commands[] = {
	{ "show", cmd_show, "[DEV]",
	  "Show the tunnel parameters, state and traffic of DEV, or of every\n"
	  "sectun device in this network namespace.\n" },
	{ "set", cmd_set,
	  "DEV [local ADDR] [remote ADDR] [encap none|udp [port P] [local-port P]]\n"
	  "           [nat-keepalive S] [df-bit clear|set|copy] [copy-dscp on|off]\n"
	  "           [ttl N] [replay-window N] [mtu N] [parallel on|off|auto]\n"
	  "           [underlay-netns NAME|PATH]",
	  "Set tunnel parameters of DEV; what is not named stays as it is.\n"
	  "  local, remote    tunnel endpoints, IPv4 or IPv6 (the same family)\n"
	  "  encap udp        ESP in UDP (RFC 3948); port is the peer's, default 4500;\n"
	  "                   a NAT moving the peer's port is followed once its\n"
	  "                   packets authenticate\n"
	  "  nat-keepalive    seconds between NAT keepalives (default 20, 0 = off)\n"
	  "  df-bit           outer IPv4 DF bit: copy from the inner packet (default),\n"
	  "                   clear or set\n"
	  "  copy-dscp        copy the inner DSCP to the outer header\n"
	  "  replay-window    default anti-replay window of new SAs in packets\n"
	  "                   (0 turns replay checking off; default 64)\n"
	  "  ttl              outer TTL / hop limit (default 0: the route's)\n"
	  "  mtu              the device MTU; by default derived from the path to\n"
	  "                   the remote endpoint and the outbound SA's overhead\n"
	  "  parallel         ESP crypto of this tunnel on all CPUs, packets kept in\n"
	  "                   order (auto, the default: on while more than one CPU\n"
	  "                   is online)\n"
	  "  underlay-netns   namespace the encrypted packets are sent from, by\n"
	  "                   name (ip netns) or path; default: where DEV was made\n" },
	{ "stats", cmd_stats, "[DEV] | clear [DEV]",
	  "Show the IPsec counters of DEV (or all devices) as a Junos admin reads\n"
	  "them in 'show security ipsec statistics'; 'clear' resets them.\n" },
	{ "sa", cmd_sa,
	  "add DEV in|out spi SPI enc ALG [key HEX] [auth ALG key HEX] [esn on|off]\n"
	  "              [replay-window N] [seq N] [policy N[,N]...] [standby] [LIFETIME N]...\n"
	  "       sectun sa set DEV in|out spi SPI [LIFETIME N]... [current]\n"
	  "       sectun sa del DEV in|out spi SPI\n"
	  "       sectun sa show [DEV [in|out] [spi SPI]]\n"
	  "       sectun sa flush DEV [in|out]",
	  "Manual keying of a tunnel's SAs (the IKE daemon does the same).\n"
	  "  enc      aes-gcm-128|192|256 (aes128gcm16, ...; -12 / -8 ICV variants:\n"
	  "           aes128gcm12, aes128gcm8), chacha20-poly1305, aes-gmac-128|192|256,\n"
	  "           aes-128|192|256-cbc (aes128, ...), 3des-cbc, null\n"
	  "  key      in hex; for GCM, GMAC and ChaCha20 the key then 4 bytes of salt\n"
	  "  auth     hmac-sha-256-128 (sha256), hmac-sha-384-192 (sha384),\n"
	  "           hmac-sha-512-256 (sha512), hmac-sha1-96 (sha1), hmac-md5-96 (md5)\n"
	  "  esn      64-bit extended sequence numbers (default off)\n"
	  "  replay-window  packets, 0 = off (default: the tunnel's)\n"
	  "  seq      last sequence number sent (out) or highest received (in)\n"
	  "  standby  (out) install without using it; 'sa set ... current' switches\n"
	  "  policy   the index of the selector the SA serves (default: the tunnel),\n"
	  "           or several, comma-separated (up to 64): one SA for all of them\n"
	  "  LIFETIME soft-bytes, hard-bytes, soft-packets, hard-packets,\n"
	  "           soft-seconds, hard-seconds (0 = no limit)\n"
	  "A new outbound SA takes over the tunnel's traffic at once unless it is\n"
	  "on standby. SPIs are numbers, 0x hex accepted; keys are never shown.\n" },
	{ "policy", cmd_policy,
	  "add DEV local RANGE remote RANGE [proto P] [local-port P[-Q]]\n"
	  "              [remote-port P[-Q]] [index N] [priority N]\n"
	  "       sectun policy del DEV index N\n"
	  "       sectun policy show [DEV]\n"
	  "       sectun policy flush DEV",
	  "Traffic selectors (Junos proxy IDs, IKEv2 TSi/TSr) of a tunnel. With\n"
	  "selectors, an outbound packet takes the first one it matches (lowest\n"
	  "priority, then index; by default the order added) and the SA serving\n"
	  "it ('sectun sa add ... policy N'); packets matching none are dropped.\n"
	  "An inbound packet must match the selector of the SA it arrived on.\n"
	  "Traffic for a selector without an SA raises an acquire event.\n"
	  "  RANGE  10.1.0.0/16, 10.1.0.5-10.1.0.9, 2001:db8::/48 or one address\n"
	  "  proto  tcp, udp, icmp, ipv6-icmp, sctp, gre, any or a number\n" },
	{ "encap", cmd_encap, "listen [port P]",
	  "Hold a UDP socket with ESP-in-UDP decapsulation (UDP_ENCAP_ESPINUDP)\n"
	  "on port P (default 4500) until interrupted, for manually keyed tunnels\n"
	  "with 'encap udp'. Anything else that arrives on it (IKE) is dropped.\n" },
	{ "ike", cmd_ike,
	  "[-f CONF] status [detail] | statistics | vpns | up VPN | down VPN\n"
	  "           | reload",
	  "Talk to sectun-iked over its control socket: $SECTUN_IKED_SOCKET, else\n"
	  "the control-socket of CONF (default /etc/sectun/iked.conf), else\n"
	  "/run/sectun/iked.sock.\n"
	  "  status   IKE SAs and their child SAs, as 'show security ike\n"
	  "           security-associations' and 'show security ipsec\n"
	  "           security-associations' show them; 'detail' adds algorithms,\n"
	  "           identities, selectors, lifetimes, exchanges and counters;\n"
	  "           -j for JSON\n"
	  "  statistics  half-open SAs, cookies, and messages dropped by reason\n"
	  "  vpns     the names of the configured VPNs, one a line\n"
	  "  up       establish VPN now          down  delete its IKE and child SAs\n"
	  "  reload   re-read iked.conf (established SAs are restarted)\n" },
	{ "monitor", cmd_monitor, "",
	  "Print events as they happen: SA soft and hard expiry and deletion,\n"
	  "and acquires (traffic that no SA carries yet).\n" },
	{ "help", cmd_help, "[COMMAND]", "Show the commands, or one command's help.\n" },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct cli_cmd *find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < N_COMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static void print_overview(FILE *out)
{
	size_t i;

	fprintf(out, "Usage: sectun [-j] COMMAND [ARGS]\n"
		"       sectun [-j] [-force] -batch FILE\n\n"
		"  -j, --json   print JSON instead of text\n"
		"  -b, -batch FILE  run the commands in FILE (- for standard input),\n"
		"               one a line, in one process; stop at the first that\n"
		"               fails, naming its line\n"
		"  -force       with -batch: go on past failures (exit status 1)\n"
		"\nCommands:\n");
	for (i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  sectun %s %s\n", commands[i].name,
			commands[i].usage);
	fprintf(out, "\n'sectun help COMMAND' explains one command.\n");
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
	const struct cli_cmd *c = cmd ? find_cmd(cmd) : NULL;
	va_list ap;

	if (fmt) {
		fprintf(stderr, "sectun: ");
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fprintf(stderr, "\n");
	}
	if (c)
		fprintf(stderr, "Usage: sectun %s %s\n", c->name, c->usage);
	else
		print_overview(stderr);
	return EXIT_USAGE;
}

static int cmd_help(struct cli *cli, int argc, char **argv)
{
	const struct cli_cmd *c;

	(void)cli;
	if (argc < 2) {
		print_overview(stdout);
		return 0;
	}
	c = find_cmd(argv[1]);
	if (!c)
		return cli_usage(NULL, "no command '%s'", argv[1]);
	printf("Usage: sectun %s %s\n\n%s", c->name, c->usage, c->help);
	return 0;
}

int cli_nl(struct cli *cli)
{
	int err;

	if (cli->nl_open)
		return 0;
	err = sectun_nl_open(&cli->nl);
	if (err) {
		fprintf(stderr, "sectun: %s\n", cli->nl.err_msg);
		return err;
	}
	cli->nl_open = true;
	return 0;
}

int cli_nl_fail(struct cli *cli, const char *what, int err)
{
	if (cli->nl.err_msg[0])
		fprintf(stderr, "sectun: %s: %s (%s)\n", what, cli->nl.err_msg,
			strerror(-err));
	else
		fprintf(stderr, "sectun: %s: %s\n", what, strerror(-err));
	return 1;
}

int cli_run(struct cli *cli, int argc, char **argv)
{
	const struct cli_cmd *c = find_cmd(argv[0]);

	if (!c)
		return cli_usage(NULL, "no command '%s'", argv[0]);
	return c->run(cli, argc, argv);
}

int main(int argc, char **argv)
{
	struct cli cli = { .prog = argv[0] };
	bool want_help = false, force = false;
	const char *batch = NULL;
	int i, n = 0, ret;

	/* -j is accepted anywhere, as "sectun -j show" or "sectun show -j". */
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json"))
			cli.json = true;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			want_help = true;
		else if (n == 0 && !strcmp(argv[i], "-force"))
			force = true;
		else if (n == 0 && (!strcmp(argv[i], "-batch") || !strcmp(argv[i], "-b"))) {
			if (++i == argc)
				return cli_usage(NULL, "-batch needs a file");
			batch = argv[i];
		} else
			argv[++n] = argv[i];
	}
	argc = n + 1;
	argv[argc] = NULL;

	if (batch) {
		if (argc > 1)
			return cli_usage(NULL, "-batch takes no command on the line");
		ret = cli_batch(&cli, batch, force);
		goto out;
	}
	if (force)
		return cli_usage(NULL, "-force goes with -batch");
	if (argc < 2) {
		print_overview(want_help ? stdout : stderr);
		return want_help ? 0 : EXIT_USAGE;
	}
	if (want_help) {
		char *help_argv[] = { "help", argv[1], NULL };

		return cmd_help(&cli, 2, help_argv);
	}
	ret = cli_run(&cli, argc - 1, argv + 1);
out:
	if (cli.nl_open)
		sectun_nl_close(&cli.nl);
	return ret;
}
