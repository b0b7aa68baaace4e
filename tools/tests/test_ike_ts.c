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

static const char *fmt_set(const struct ike_ts_set *set)
{
	static char buf[512];

	return ike_ts_set_format(set, buf, sizeof(buf));
}

/*
 * strongSwan asking on traffic for 192.168.5.1 offers that host first,
 * then its configured ranges: the entry of ours that holds the host is
 * the one taken, and each overlap is answered once, the widest.
 */
static void test_narrow_first(void **state)
{
	struct ike_ts_set offered = { .n = 3 }, entry1 = { .n = 1 }, entry2 = { .n = 1 }, out;

	(void)state;
	offered.ts[0] = range("192.168.5.1", "192.168.5.1");
	offered.ts[1] = range("192.168.4.0", "192.168.4.255");
	offered.ts[2] = range("192.168.5.0", "192.168.5.255");
	entry1.ts[0] = range("192.168.4.0", "192.168.4.255");
	entry2.ts[0] = range("192.168.5.0", "192.168.5.255");
	assert_false(ike_ts_set_meets_first(&offered, &entry1));
	assert_true(ike_ts_set_meets_first(&offered, &entry2));
	assert_true(ike_ts_set_narrow(&offered, &entry2, IKE_CHILD_MAX_TS, &out));
	assert_string_equal(fmt_set(&out), "192.168.5.0/24");
	/* Ours narrower than the offer: ours, whole. */
	entry2.ts[0] = range("192.168.5.0", "192.168.5.127");
	assert_true(ike_ts_set_narrow(&offered, &entry2, IKE_CHILD_MAX_TS, &out));
	assert_string_equal(fmt_set(&out), "192.168.5.0/25");
	/* Only the host offered: the host. */
	offered.n = 1;
	assert_true(ike_ts_set_narrow(&offered, &entry2, IKE_CHILD_MAX_TS, &out));
	assert_string_equal(fmt_set(&out), "192.168.5.1/32");
	offered.n = 0;
	assert_false(ike_ts_set_meets_first(&offered, &entry2));
	assert_false(ike_ts_set_narrow(&offered, &entry2, IKE_CHILD_MAX_TS, &out));
}

/* Two subnets a side (strongSwan's local_ts = a, b): every overlap, each once. */
static void test_narrow_sets(void **state)
{
	struct ike_ts_set offered = { .n = 3 }, mine = { .n = 3 }, out;

	(void)state;
	offered.ts[0] = range("10.1.0.0", "10.1.0.255");
	offered.ts[1] = range("10.2.0.0", "10.2.0.255");
	offered.ts[2] = range("10.9.0.0", "10.9.0.255");
	mine.ts[0] = range("10.2.0.0", "10.2.0.127");
	mine.ts[1] = range("10.1.0.0", "10.1.255.255");
	mine.ts[2] = range("2001:db8::", "2001:db8::ffff");
	assert_true(ike_ts_set_narrow(&offered, &mine, IKE_CHILD_MAX_TS, &out));
	/* In the offer's order; 10.9 meets nothing; IPv6 meets nothing. */
	assert_string_equal(fmt_set(&out), "10.1.0.0/24, 10.2.0.0/25");
	assert_true(ike_ts_set_within(&out, &offered));
	assert_true(ike_ts_set_within(&out, &mine));
	assert_false(ike_ts_set_within(&offered, &mine));
	/* An overlap inside a wider one is left out, whichever comes first. */
	offered.ts[0] = range("10.1.0.5", "10.1.0.5");
	offered.ts[2] = range("10.1.0.0", "10.1.0.255");
	assert_true(ike_ts_set_narrow(&offered, &mine, IKE_CHILD_MAX_TS, &out));
	assert_string_equal(fmt_set(&out), "10.2.0.0/25, 10.1.0.0/24");
	/* A cap below the overlaps: the first ones, widened where one holds them. */
	assert_true(ike_ts_set_narrow(&offered, &mine, 1, &out));
	assert_string_equal(fmt_set(&out), "10.1.0.0/24");
	/* No more than a side may hold. */
	offered.n = IKE_MAX_TS;
	mine.n = 1;
	mine.ts[0] = range("10.0.0.0", "10.255.255.255");
	for (unsigned int i = 0; i < IKE_MAX_TS; i++) {
		offered.ts[i] = range("10.0.0.0", "10.0.0.0");
		offered.ts[i].start_addr[1] = offered.ts[i].end_addr[1] = i;
	}
	assert_true(ike_ts_set_narrow(&offered, &mine, 100, &out));
	assert_int_equal(out.n, IKE_CHILD_MAX_TS);
	/* Equality is of the same selectors in any order. */
	assert_true(ike_ts_set_equal(&out, &out));
	mine = out;
	mine.ts[0] = out.ts[1];
	mine.ts[1] = out.ts[0];
	assert_true(ike_ts_set_equal(&out, &mine));
	mine.ts[1] = out.ts[2];
	assert_false(ike_ts_set_equal(&out, &mine));
	mine.n--;
	assert_false(ike_ts_set_equal(&out, &mine));
}

/* The module's selectors: one per pair of one family and agreeing protocols. */
static void test_pairs(void **state)
{
	struct ike_ts_set local = { .n = 3 }, remote = { .n = 3 };
	struct ike_ts_pair pairs[IKE_CHILD_MAX_PAIRS];

	(void)state;
	local.ts[0] = range("10.1.0.0", "10.1.0.255");
	local.ts[1] = range("10.2.0.0", "10.2.0.255");
	local.ts[2] = range("2001:db8:1::", "2001:db8:1::ff");
	remote.ts[0] = range("10.4.0.0", "10.4.0.255");
	remote.ts[1] = ports(range("10.5.0.0", "10.5.0.255"), 6, 443, 443);
	remote.ts[2] = range("2001:db8:4::", "2001:db8:4::ff");
	assert_int_equal(ike_ts_pairs(&local, &remote, pairs, IKE_CHILD_MAX_PAIRS), 5);
	assert_string_equal(fmt(&pairs[0].local), "10.1.0.0/24");
	assert_string_equal(fmt(&pairs[0].remote), "10.4.0.0/24");
	/* TCP on one side makes the pair's selector TCP on both. */
	assert_string_equal(fmt(&pairs[1].local), "10.1.0.0/24 proto 6");
	assert_string_equal(fmt(&pairs[1].remote), "10.5.0.0/24 proto 6 port 443");
	assert_string_equal(fmt(&pairs[4].local), "2001:db8:1::/120");
	/* Only MAX filled, all counted. */
	assert_int_equal(ike_ts_pairs(&local, &remote, pairs, 2), 5);
	/* Protocols that disagree make no pair. */
	local.n = remote.n = 1;
	local.ts[0] = ports(local.ts[0], 17, 0, 0xffff);
	remote.ts[0] = ports(remote.ts[0], 6, 0, 0xffff);
	assert_int_equal(ike_ts_pairs(&local, &remote, pairs, IKE_CHILD_MAX_PAIRS), 0);
	assert_false(ike_ts_set_is_any(&local));
	local.n = 0;
	assert_false(ike_ts_set_is_any(&local));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intersect),
		cmocka_unit_test(test_within),
		cmocka_unit_test(test_narrow_first),
		cmocka_unit_test(test_narrow_sets),
		cmocka_unit_test(test_pairs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
