// SPDX-License-Identifier: GPL-2.0
/*
 * Traffic selector arithmetic: overlaps of addresses, ports and protocols,
 * containment, and the responder's narrowing around the initiator's first
 * selector (RFC 7296 2.9).
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ikev2/ikev2.h"
#include "ts.h"

/* "10.0.0.0-10.0.0.255" or "2001:db8::-2001:db8::ff", any port. */
static struct ike_ts range(const char *from, const char *to)
{
	struct ike_ts ts;
	int af = strchr(from, ':') ? AF_INET6 : AF_INET;

	memset(&ts, 0, sizeof(ts));
	ts.type = af == AF_INET ? IKE_TS_IPV4_ADDR_RANGE : IKE_TS_IPV6_ADDR_RANGE;
	assert_int_equal(inet_pton(af, from, ts.start_addr), 1);
	assert_int_equal(inet_pton(af, to, ts.end_addr), 1);
	ts.end_port = 0xffff;
	return ts;
}

static struct ike_ts ports(struct ike_ts ts, uint8_t proto, uint16_t lo, uint16_t hi)
{
	ts.ip_proto = proto;
	ts.start_port = lo;
	ts.end_port = hi;
	return ts;
}

static const char *fmt(const struct ike_ts *ts)
{
	static char buf[128];

	return ike_ts_format(ts, buf, sizeof(buf));
}

static void test_intersect(void **state)
{
	struct ike_ts a = range("10.0.0.0", "10.0.0.255");
	struct ike_ts b = range("10.0.0.128", "10.0.1.255");
	struct ike_ts out;

	(void)state;
	assert_true(ike_ts_intersect(&a, &b, &out));
	assert_string_equal(fmt(&out), "10.0.0.128/25");
	b = range("10.0.1.0", "10.0.1.255");
	assert_false(ike_ts_intersect(&a, &b, &out));
	/* A protocol meets "any"; two different ones do not meet. */
	b = ports(range("10.0.0.5", "10.0.0.5"), 6, 80, 80);
	assert_true(ike_ts_intersect(&a, &b, &out));
	assert_string_equal(fmt(&out), "10.0.0.5/32 proto 6 port 80");
	a = ports(a, 17, 0, 0xffff);
	assert_false(ike_ts_intersect(&a, &b, &out));
	/* Port ranges that do not overlap. */
	a = ports(range("10.0.0.0", "10.0.0.255"), 6, 1, 79);
	assert_false(ike_ts_intersect(&a, &b, &out));
	/* Families never meet. */
	b = range("::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	assert_false(ike_ts_intersect(&a, &b, &out));
	a = range("2001:db8::", "2001:db8::ffff");
	assert_true(ike_ts_intersect(&a, &b, &out));
	assert_string_equal(fmt(&out), "2001:db8::/112");
}

static void test_within(void **state)
{
	struct ike_ts outer = range("192.168.0.0", "192.168.255.255");
	struct ike_ts in = ports(range("192.168.4.1", "192.168.4.1"), 6, 443, 443);

	(void)state;
	assert_true(ike_ts_within(&in, &outer));
	assert_false(ike_ts_within(&outer, &in));
	outer = ports(outer, 17, 0, 0xffff);
	assert_false(ike_ts_within(&in, &outer));
	assert_true(ike_ts_is_any(&(struct ike_ts){ .type = IKE_TS_IPV4_ADDR_RANGE,
			.end_port = 0xffff, .end_addr = { 255, 255, 255, 255 } }));
	assert_false(ike_ts_is_any(&in));
}

/*
 * strongSwan asking on traffic for 192.168.5.1 offers that host first,
 * then its configured ranges: the pair of ours that holds the host is
 * taken, widened to the configured range it sits in.
 */
static void test_narrow_first(void **state)
{
	struct ike_ts_set offered = { .n = 3 };
	struct ike_ts pair1 = range("192.168.4.0", "192.168.4.255");
	struct ike_ts pair2 = range("192.168.5.0", "192.168.5.255");
	struct ike_ts out;

	(void)state;
	offered.ts[0] = range("192.168.5.1", "192.168.5.1");
	offered.ts[1] = range("192.168.4.0", "192.168.4.255");
	offered.ts[2] = range("192.168.5.0", "192.168.5.255");
	assert_false(ike_ts_narrow_first(&offered, &pair1, &out));
	assert_true(ike_ts_narrow(&offered, &pair1, &out));	/* the old rule */
	assert_true(ike_ts_narrow_first(&offered, &pair2, &out));
	assert_string_equal(fmt(&out), "192.168.5.0/24");
	/* Ours narrower than the offer: ours, whole. */
	pair2 = range("192.168.5.0", "192.168.5.127");
	assert_true(ike_ts_narrow_first(&offered, &pair2, &out));
	assert_string_equal(fmt(&out), "192.168.5.0/25");
	/* Only the host offered: the host. */
	offered.n = 1;
	assert_true(ike_ts_narrow_first(&offered, &pair2, &out));
	assert_string_equal(fmt(&out), "192.168.5.1/32");
	offered.n = 0;
	assert_false(ike_ts_narrow_first(&offered, &pair2, &out));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intersect),
		cmocka_unit_test(test_within),
		cmocka_unit_test(test_narrow_first),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
