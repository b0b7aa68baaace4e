// SPDX-License-Identifier: GPL-2.0
/*
 * sectun -batch FILE: one command a line, in one process and over one
 * netlink socket, as iproute2's "ip -batch" runs them. Words split on
 * blanks; single or double quotes group; '#' starts a comment; a
 * backslash at the end of a line continues it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define BATCH_MAX_WORDS	128

/* Split LINE in place; returns the word count or -1 (reason in *why). */
static int split_words(char *line, char **words, int max, const char **why)
{
	char *in = line, *out = line;
	int n = 0;

	for (;;) {
		char quote = 0;

		while (*in == ' ' || *in == '\t' || *in == '\n' || *in == '\r')
			in++;
		if (!*in || *in == '#')
			return n;
		if (n == max - 1) {
			*why = "too many words";
			return -1;
		}
		words[n++] = out;
		while (*in && (quote || !strchr(" \t\r\n", *in))) {
			if (quote && *in == quote) {
				quote = 0;
				in++;
			} else if (!quote && (*in == '"' || *in == '\'')) {
				quote = *in++;
			} else {
				*out++ = *in++;
			}
		}
		if (quote) {
			*why = "unterminated quote";
			return -1;
		}
		if (*in)
			in++;
		*out++ = '\0';
	}
}

/* Read one logical line (continuations joined); NULL at the end. */
static char *read_line(FILE *f, char **buf, unsigned int *lineno)
{
	size_t len = 0;

	for (;;) {
		char *part = NULL;
		size_t cap = 0;
		ssize_t n = getline(&part, &cap, f);
		char *grown;

		if (n < 0) {
			free(part);
			return len ? *buf : NULL;
		}
		(*lineno)++;
		while (n && (part[n - 1] == '\n' || part[n - 1] == '\r'))
			part[--n] = '\0';
		grown = realloc(*buf, len + n + 2);
		if (!grown) {
			free(part);
			return NULL;
		}
		*buf = grown;
		memcpy(*buf + len, part, n + 1);
		free(part);
		len += n;
		if (!len || (*buf)[len - 1] != '\\')
			return *buf;
		(*buf)[--len] = ' ';
	}
}

int cli_batch(struct cli *cli, const char *path, bool force)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	unsigned int lineno = 0, failed = 0;
	char *words[BATCH_MAX_WORDS];
	char *buf = NULL;
	int ret = 0;

	if (!f) {
		fprintf(stderr, "sectun: %s: %s\n", path, strerror(errno));
		return 1;
	}
	for (;;) {
		unsigned int first = lineno + 1;
		const char *why = NULL;
		int n, rc;

		if (!read_line(f, &buf, &lineno))
			break;
		n = split_words(buf, words, BATCH_MAX_WORDS, &why);
		if (!n)
			continue;
		if (n < 0) {
			fprintf(stderr, "sectun: %s:%u: %s\n", path, first, why);
			rc = EXIT_USAGE;
		} else {
			words[n] = NULL;
			cli->nl.err_msg[0] = '\0';
			rc = cli_run(cli, n, words);
			if (rc)
				fprintf(stderr, "sectun: %s:%u: '%s' failed\n", path,
					first, words[0]);
		}
		if (rc) {
			failed++;
			ret = 1;
			if (!force)
				break;
		}
	}
	if (failed && force)
		fprintf(stderr, "sectun: %s: %u commands failed\n", path, failed);
	free(buf);
	if (f != stdin)
		fclose(f);
	return ret;
}
