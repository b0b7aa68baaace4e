/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the sectun CLI's commands share.
 */
#ifndef SECTUN_CLI_H
#define SECTUN_CLI_H

#include <stdbool.h>

#include "json.h"
#include "nl.h"

/* Exit statuses: 0 success, 1 the operation failed, 2 bad usage. */
#define EXIT_USAGE 2

struct cli {
	bool json;
	const char *prog;
	struct sectun_nl nl;
	bool nl_open;
};

struct cli_cmd {
	const char *name;
	int (*run)(struct cli *cli, int argc, char **argv);
	const char *usage;	/* one line, after "sectun NAME " */
	const char *help;	/* the rest of "sectun help NAME" */
};

/* Open the netlink socket on first use; prints the reason on failure. */
int cli_nl(struct cli *cli);
/* Print "sectun: WHAT: reason" for a failed request; returns 1. */
int cli_nl_fail(struct cli *cli, const char *what, int err);
/* Print the usage of CMD to stderr; returns EXIT_USAGE. */
int cli_usage(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Run one command line (argv[0] the command); returns its exit status. */
int cli_run(struct cli *cli, int argc, char **argv);
/* sectun -batch PATH ("-": standard input); FORCE goes on past errors. */
int cli_batch(struct cli *cli, const char *path, bool force);

int cmd_show(struct cli *cli, int argc, char **argv);
int cmd_set(struct cli *cli, int argc, char **argv);
int cmd_stats(struct cli *cli, int argc, char **argv);
int cmd_sa(struct cli *cli, int argc, char **argv);
int cmd_monitor(struct cli *cli, int argc, char **argv);
int cmd_policy(struct cli *cli, int argc, char **argv);
int cmd_encap(struct cli *cli, int argc, char **argv);
int cmd_ike(struct cli *cli, int argc, char **argv);

#endif
