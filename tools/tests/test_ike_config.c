// SPDX-License-Identifier: GPL-2.0
/* iked.conf reading and traffic selector narrowing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "ikev2/ikev2.h"
#include "ts.h"

static char path[64];

static int load(const char *text, struct iked_config *cfg, char *err, size_t len)
{
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "/tmp/test_ike_config.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	fd = iked_config_load(path, cfg, err, len);
	unlink(path);
	return fd;
}

#define GW "gateways = ( { name = \"gw\"; address = \"192.0.2.2\"; psk = \"secret\"; } );\n"

static void test_minimal(void **state)
{
	struct iked_config cfg;
	char err[512];

	(void)state;
	assert_int_equal(load(GW "vpns = ( { name = \"v\"; gateway = \"gw\"; bind-interface = \"st0\"; } );",
			      &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.n_gw, 1);
	assert_int_equal(cfg.n_vpn, 1);
	assert_int_equal(cfg.gw[0].auth, IKED_AUTH_PSK);
	assert_int_equal(cfg.gw[0].psk_len, 6);
	assert_int_equal(cfg.gw[0].lifetime, 28800);
	assert_int_equal(cfg.gw[0].remote_id.type, IKE_ID_IPV4_ADDR);
	assert_true(cfg.gw[0].proposals.n >= 1);
	assert_ptr_equal(cfg.vpn[0].gw, &cfg.gw[0]);
	assert_int_equal(cfg.vpn[0].lifetime, 3600);
	assert_int_equal(cfg.vpn[0].replay_window, 64);
	assert_int_equal(cfg.vpn[0].establish, IKED_ESTABLISH_ON_TRAFFIC);
	assert_int_equal(cfg.vpn[0].protocol, IKE_PROTO_ESP);
	iked_config_free(&cfg);

	assert_int_equal(load("gateways = ( { name = \"gw\"; address = \"192.0.2.2\"; psk = \"x\";"
			      " remote-id = \"%any\"; } );", &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.gw[0].remote_id.type, 0);
	iked_config_free(&cfg);
}

static void test_full(void **state)
{
	struct iked_config cfg;
	char err[512];

	(void)state;
	assert_int_equal(load(
		"gateways = ( { name = \"gw\"; address = \"2001:db8::2\"; local-address = \"2001:db8::1\";\n"
		"  proposals = [ \"aes128-sha256-modp2048\", \"aes256gcm16-prfsha384-ecp384\" ];\n"
		"  psk-hex = \"0x00ff10\"; local-id = \"@site-a.example\"; remote-id = \"user@example.com\";\n"
		"  lifetime = 3600; } );\n"
		"vpns = ( { name = \"v\"; gateway = \"gw\"; bind-interface = \"st1\"; protocol = \"ah\";\n"
		"  proposals = \"sha256\"; establish-tunnels = \"immediately\"; replay-window = 1024;\n"
		"  traffic-selectors = ( { local = \"10.1.0.0/16\"; remote = \"10.2.0.1-10.2.0.9\";\n"
		"    protocol = \"tcp\"; remote-port = \"443\"; },\n"
		"    { local = \"10.3.0.0/24, 2001:db8:3::/48\"; remote = \"10.4.0.0/24,10.5.0.0/24\"; } ); } );",
		&cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.gw[0].proposals.n, 2);
	assert_int_equal(cfg.gw[0].psk_len, 3);
	assert_int_equal(cfg.gw[0].psk[1], 0xff);
	assert_int_equal(cfg.gw[0].local_id.type, IKE_ID_FQDN);
	assert_int_equal(cfg.gw[0].remote_id.type, IKE_ID_RFC822_ADDR);
	assert_int_equal(cfg.vpn[0].protocol, IKE_PROTO_AH);
	assert_int_equal(cfg.vpn[0].n_sel, 2);
	assert_int_equal(cfg.vpn[0].sel[0].local.n, 1);
	assert_int_equal(cfg.vpn[0].sel[0].remote.ts[0].ip_proto, 6);
	assert_int_equal(cfg.vpn[0].sel[0].local.ts[0].ip_proto, 6);
	assert_int_equal(cfg.vpn[0].sel[0].remote.ts[0].start_port, 443);
	assert_int_equal(cfg.vpn[0].sel[0].remote.ts[0].end_port, 443);
	assert_int_equal(cfg.vpn[0].sel[0].local.ts[0].end_port, 0xffff);
	assert_int_equal(cfg.vpn[0].sel[0].local.ts[0].start_addr[1], 1);
	assert_int_equal(cfg.vpn[0].sel[0].local.ts[0].end_addr[2], 0xff);
	assert_int_equal(cfg.vpn[0].sel[0].remote.ts[0].end_addr[3], 9);
	/* Several ranges a side, of either family. */
	assert_int_equal(cfg.vpn[0].sel[1].local.n, 2);
	assert_int_equal(cfg.vpn[0].sel[1].remote.n, 2);
	assert_int_equal(cfg.vpn[0].sel[1].local.ts[1].type, IKE_TS_IPV6_ADDR_RANGE);
	assert_int_equal(cfg.vpn[0].sel[1].remote.ts[1].start_addr[1], 5);
	assert_int_equal(cfg.vpn[0].sel[1].remote.ts[1].end_port, 0xffff);
	iked_config_free(&cfg);
}

static void expect_error(const char *text, const char *needle)
{
	struct iked_config cfg;
	char err[512];

	assert_int_not_equal(load(text, &cfg, err, sizeof(err)), 0);
	if (!strstr(err, needle))
		fail_msg("error '%s' does not mention '%s'", err, needle);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("gateways = ( { name = \"gw\"; } );", "'address' is required");
	expect_error("gateways = ( { name = \"gw\"; address = \"nope\"; psk = \"x\"; } );",
		     "not an IP address");
	expect_error("gateways = ( { name = \"gw\"; address = \"192.0.2.2\"; } );",
		     "exactly one of psk and psk-hex");
	expect_error("gateways = ( { name = \"gw\"; address = \"192.0.2.2\"; psk-hex = \"zz\"; } );",
		     "not hex");
	expect_error("gateways = ( { name = \"gw\"; address = \"192.0.2.2\"; psk = \"x\"; proposals = \"aes999\"; } );",
		     "proposals");
	expect_error("gateways = ( { name = \"gw\"; address = \"192.0.2.2\"; psk = \"x\"; lifetime = 4; } );",
		     "out of range");
	expect_error(GW "vpns = ( { name = \"v\"; gateway = \"other\"; bind-interface = \"st0\"; } );",
		     "no gateway named 'other'");
	expect_error(GW "vpns = ( { name = \"v\"; gateway = \"gw\"; bind-interface = \"st0\";"
		     " traffic-selectors = ( { local = \"10.0.0.0/8\"; remote = \"2001:db8::/32\"; } ); } );",
		     "no address family in common");
	expect_error(GW "vpns = ( { name = \"v\"; gateway = \"gw\"; bind-interface = \"st0\";"
		     " traffic-selectors = ( { local = \"10.0.0.0/8, nope\"; remote = \"10.1.0.0/16\"; } ); } );",
		     "'nope' is not a prefix or range");
	expect_error(GW "vpns = ( { name = \"v\"; gateway = \"gw\"; bind-interface = \"st0\";"
		     " traffic-selectors = ( { local = \"10.0.0.1,10.0.0.2,10.0.0.3,10.0.0.4,10.0.0.5,"
		     "10.0.0.6,10.0.0.7,10.0.0.8,10.0.0.9\"; remote = \"10.1.0.0/16\"; } ); } );",
		     "at most 8 ranges");
	expect_error(GW "vpns = ( { name = \"v\"; gateway = \"gw\"; bind-interface = \"st0\";"
		     " traffic-selectors = ( { local = \", \"; remote = \"10.1.0.0/16\"; } ); } );",
		     "an empty range");
	expect_error(GW "vpns = ( { name = \"v\"; gateway = \"gw\"; bind-interface = \"st0\";"
		     " traffic-selectors = ( { local = \"10.0.0.0/8 junk\"; remote = \"10.1.0.0/16\"; } ); } );",
		     "'10.0.0.0/8 junk' is not a prefix");
	expect_error(GW "vpns = ( { name = \"v\"; gateway = \"gw\"; bind-interface = \"st0\";"
		     " traffic-selectors = ( { local = \"10.0.0.0/8\"; remote = \"10.1.0.0/16, 10.1.0.0/16\"; } ); } );",
		     "listed twice");
	expect_error(GW "vpns = ( { name = \"v\"; gateway = \"gw\"; bind-interface = \"st0\"; establish-tunnels = \"never\"; } );",
		     "establish-tunnels");
	expect_error(GW GW, "duplicate setting");	/* libconfig says so */
	expect_error("gateways = ( { name = \"gw\"; address = \"192.0.2.2\"; psk = \"x\"; },"
		     " { name = \"gw\"; address = \"192.0.2.3\"; psk = \"y\"; } );", "two gateways named 'gw'");
	expect_error("gateways = ( { name = \"gw\"; address = \"192.0.2.2\"; psk = \"x\"; version = 1;"
		     " proposals = \"aes256gcm16-prfsha384-ecp384\"; } );", "IKEv2 only");
	expect_error("gateways = ( { name = \"gw\"; address = \"192.0.2.2\"; psk = \"x\"; version = 1;"
		     " proposals = \"prime-256\"; } );", "PRIME sets are IKEv2 sets");
	expect_error("gateways = ( { name = \"gw\"; address = \"192.0.2.2\"; psk = \"x\"; version = 1;"
		     " proposals = \"aes256-sha256-prfsha384-ecp384\"; } );", "one hash");
	expect_error("gateways = ( { name = \"gw\"; address = \"192.0.2.2\"; psk = \"x\";"
		     " mode = \"main\"; } );", "IKEv1 setting");
	expect_error("gateways = ( { name = \"gw\"; address = \"192.0.2.2\"; psk = \"x\"; version = 3; } );",
		     "version");
	expect_error("this is not a config", "syntax error");
	expect_error("gateways = ( { name = \"gw\"; address = \"192.0.2.2\"; psk = \"x\"; lifetme = 10; } );",
		     "unknown gateway setting 'lifetme'");
	expect_error(GW "vpns = ( { name = \"v\"; gateway = \"gw\"; bind-interface = \"st0\";"
		     " traffic-selectors = ( { local = \"10.0.0.0/8\"; remote = \"10.1.0.0/16\"; local-port = 80; } ); } );",
		     "local-port: wrong type (a string expected)");
	expect_error("log-level = \"loud\";", "log-level: error, warning, info or debug");
	expect_error("colour = \"blue\";", "unknown top-level setting 'colour'");
	expect_error("gateways = ( { name = \"gw\"; address = \"192.0.2.2\"; psk = \"x\";"
		     " nat-traversal = \"yes\"; } );", "nat-traversal: true, false or \"force\"");
	expect_error("gateways = ( { name = \"gw\"; address = \"192.0.2.2\"; psk = \"x\";"
		     " nat-keepalive = 0; } );", "out of range");
	expect_error("gateways = ( { name = \"gw\"; address = \"192.0.2.2\"; psk = \"x\";"
		     " fragmentation-size = 1400; } );", "out of range");
	expect_error("gateways = ( { name = \"gw\"; address = \"%any\"; psk = \"x\"; } );",
		     "address %any needs a remote-id");
	expect_error("gateways = ( { name = \"gw\"; address = \"%any\"; psk = \"x\";"
		     " remote-id = \"@peer.example\"; } );\n"
		     "vpns = ( { name = \"v\"; gateway = \"gw\"; bind-interface = \"st0\";"
		     " establish-tunnels = \"immediately\"; } );", "can only respond");
	expect_error("gateways = ( { name = \"gw\"; address = \"%any\"; psk = \"x\";"
		     " remote-id = \"%any\"; } );", "a remote-id other than %any");
	expect_error("gateways = ( { name = \"a\"; address = \"%any\"; psk = \"x\";"
		     " remote-id = \"@p.example\"; },"
		     " { name = \"b\"; address = \"%any\"; psk = \"y\";"
		     " remote-id = \"@p.example\"; } );", "have the same remote-id");
	expect_error("gateways = ( { name = \"a\"; address = \"%any\"; psk = \"x\";"
		     " remote-id = \"@p.example\"; },"
		     " { name = \"b\"; address = \"%any\"; psk = \"y\";"
		     " remote-id = \"@q.example\"; fragmentation = false; } );",
		     "differ in nat-traversal or fragmentation");
}

/* NAT traversal, fragmentation and "%any" settings, and their defaults. */
static void test_nat_fragmentation(void **state)
{
	struct iked_config cfg;
	char err[512];

	(void)state;
	assert_int_equal(load(GW, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.gw[0].natt, IKED_NATT_ON);
	assert_int_equal(cfg.gw[0].nat_keepalive, 20);
	assert_true(cfg.gw[0].fragmentation);
	assert_int_equal(cfg.gw[0].fragmentation_size, 0);
	iked_config_free(&cfg);
	assert_int_equal(load("gateways = ( { name = \"a\"; address = \"192.0.2.2\"; psk = \"x\";"
			      " nat-traversal = \"force\"; nat-keepalive = 300;"
			      " fragmentation-size = 570; },\n"
			      " { name = \"b\"; address = \"%any\"; psk = \"y\";"
			      " remote-id = \"@b.example\"; nat-traversal = false; } );\n"
			      "vpns = ( { name = \"v\"; gateway = \"b\"; bind-interface = \"st0\"; } );",
			      &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.gw[0].natt, IKED_NATT_FORCE);
	assert_int_equal(cfg.gw[0].nat_keepalive, 300);
	assert_int_equal(cfg.gw[0].fragmentation_size, 570);
	assert_int_equal(cfg.gw[1].natt, IKED_NATT_OFF);
	assert_true(iked_gateway_any(&cfg.gw[1]));
	assert_false(iked_gateway_any(&cfg.gw[0]));
	/* A VPN of a "%any" gateway only responds. */
	assert_int_equal(cfg.vpn[0].establish, IKED_ESTABLISH_RESPONDER_ONLY);
	iked_config_free(&cfg);
}

static void v4(struct ike_ts *ts, const char *lo, const char *hi, uint16_t p0, uint16_t p1,
	       uint8_t proto)
{
	unsigned int a, b, c, d;

	memset(ts, 0, sizeof(*ts));
	ts->type = IKE_TS_IPV4_ADDR_RANGE;
	sscanf(lo, "%u.%u.%u.%u", &a, &b, &c, &d);
	ts->start_addr[0] = a; ts->start_addr[1] = b; ts->start_addr[2] = c; ts->start_addr[3] = d;
	sscanf(hi, "%u.%u.%u.%u", &a, &b, &c, &d);
	ts->end_addr[0] = a; ts->end_addr[1] = b; ts->end_addr[2] = c; ts->end_addr[3] = d;
	ts->start_port = p0;
	ts->end_port = p1;
	ts->ip_proto = proto;
}

static void test_ts(void **state)
{
	struct ike_ts a, b, out;
	struct ike_ts_set set = { .n = 2 }, mine, narrowed;
	char buf[128];

	(void)state;
	v4(&a, "10.0.0.0", "10.0.255.255", 0, 65535, 0);
	v4(&b, "10.0.1.0", "10.0.1.255", 80, 80, 6);
	assert_true(ike_ts_intersect(&a, &b, &out));
	assert_string_equal(ike_ts_format(&out, buf, sizeof(buf)), "10.0.1.0/24 proto 6 port 80");
	assert_true(ike_ts_within(&b, &a));
	assert_false(ike_ts_within(&a, &b));
	v4(&b, "10.1.0.0", "10.1.0.255", 0, 65535, 0);
	assert_false(ike_ts_intersect(&a, &b, &out));
	v4(&b, "10.0.0.0", "10.0.0.255", 0, 65535, 17);
	v4(&a, "10.0.0.0", "10.0.0.255", 0, 65535, 6);
	assert_false(ike_ts_intersect(&a, &b, &out));
	/* Only the offered selector that overlaps is kept. */
	v4(&set.ts[0], "172.16.0.0", "172.16.0.255", 0, 65535, 0);
	v4(&set.ts[1], "10.0.0.5", "10.0.0.5", 0, 65535, 0);
	mine.n = 1;
	v4(&mine.ts[0], "10.0.0.0", "10.0.0.255", 0, 65535, 0);
	assert_true(ike_ts_set_narrow(&set, &mine, IKE_CHILD_MAX_TS, &narrowed));
	assert_int_equal(narrowed.n, 1);
	assert_string_equal(ike_ts_format(&narrowed.ts[0], buf, sizeof(buf)), "10.0.0.5/32");
	iked_ts_any(&a, 2 /* AF_INET */);
	assert_true(ike_ts_is_any(&a));
	assert_false(ike_ts_is_any(&out));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_nat_fragmentation),
		cmocka_unit_test(test_ts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
