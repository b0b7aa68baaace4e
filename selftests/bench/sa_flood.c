// SPDX-License-Identifier: GPL-2.0
/*
 * sa_flood: add (or delete) many SAs over the sectun netlink family, one
 * acknowledged request at a time as a keying daemon would, and print how
 * long it took.
 *
 *   sa_flood add DEV COUNT FIRST_SPI [MAX_SECS]   inbound AES-GCM-128 SAs
 *   sa_flood flush DEV
 *
 * Prints the seconds taken; with MAX_SECS, a run that reaches it stops
 * there and prints the seconds and how many SAs it added, so that the
 * caller can extrapolate. On an error, stderr says how many got in.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <netlink/attr.h>

#include "nl.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int request(struct sectun_nl *nl, uint8_t cmd, const char *dev,
		   uint32_t spi)
{
	static const uint8_t key[20] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
					 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 };
	struct nl_msg *msg = sectun_nl_msg(nl, cmd, 0);
	struct nlattr *sa;
	int err;

	if (!msg || nla_put_string(msg, SECTUN_A_IFNAME, dev) < 0)
		return -ENOMEM;
	if (cmd == SECTUN_CMD_NEW_SA) {
		sa = nla_nest_start(msg, SECTUN_A_SA);
		nla_put_u32(msg, SECTUN_SA_A_SPI, spi);
		nla_put_u8(msg, SECTUN_SA_A_DIR, SECTUN_DIR_IN);
		nla_put_u16(msg, SECTUN_SA_A_ENCR, SECTUN_ENCR_AES_GCM_16);
		nla_put(msg, SECTUN_SA_A_ENCR_KEY, sizeof(key), key);
		nla_nest_end(msg, sa);
	}
	err = sectun_nl_request(nl, msg, NULL, NULL, NULL);
	nlmsg_free(msg);
	return err;
}

int main(int argc, char **argv)
{
	struct sectun_nl nl;
	unsigned long i = 0, count;
	double t0, max_secs = 0;
	uint32_t first;
	int err;

	if (argc < 3 || (strcmp(argv[1], "add") && strcmp(argv[1], "flush")) ||
	    (!strcmp(argv[1], "add") && argc != 5 && argc != 6)) {
		fprintf(stderr, "usage: sa_flood add DEV COUNT FIRST_SPI [MAX_SECS] | flush DEV\n");
		return 2;
	}
	if (sectun_nl_open(&nl)) {
		fprintf(stderr, "sa_flood: %s\n", nl.err_msg);
		return 1;
	}
	t0 = now();
	if (!strcmp(argv[1], "flush")) {
		err = request(&nl, SECTUN_CMD_FLUSH_SA, argv[2], 0);
		count = 1;
	} else {
		count = strtoul(argv[3], NULL, 0);
		first = strtoul(argv[4], NULL, 0);
		if (argc == 6)
			max_secs = strtod(argv[5], NULL);
		/* MAX_SECS is looked at every 1000 SAs. */
		for (i = 0, err = 0; i < count && !err; i++) {
			if (max_secs > 0 && i % 1000 == 0 && i && now() - t0 >= max_secs)
				break;
			err = request(&nl, SECTUN_CMD_NEW_SA, argv[2], first + i);
		}
		if (err)
			i--;	/* the one that failed is not in */
	}
	if (err) {
		fprintf(stderr, "sa_flood: %s (%s)", nl.err_msg, strerror(-err));
		if (!strcmp(argv[1], "add"))
			fprintf(stderr, " after %lu SAs", i);
		fputc('\n', stderr);
		return 1;
	}
	if (!strcmp(argv[1], "add") && i < count)
		printf("%.3f %lu\n", now() - t0, i);
	else
		printf("%.3f\n", now() - t0);
	sectun_nl_close(&nl);
	return 0;
}
