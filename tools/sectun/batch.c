// SPDX-License-Identifier: GPL-2.0
/*
 * sectun -batch FILE: one command a line, in one process and over one
 * netlink socket, as iproute2's "ip -batch" runs them. Words split on
 * blanks; single or double quotes group; an unquoted '#' starting a word
 * starts a comment; a backslash at the end of a line continues it; -j on
 * a line applies to that line.
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

		while (*in == ' ' || *in == '\t' || *in == '\r')
			in++;
		if (!*in)
			return n;
		if (n == max - 1) {
			*why = "too many words";
			return -1;
		}
		words[n++] = out;
		while (*in && (quote || !strchr(" \t\r", *in))) {
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

/* Where a comment starts: an unquoted '#' at the start of a word. */
static char *comment_start(char *line)
{
	bool word_start = true;
	char quote = 0, *p;

	for (p = line; *p; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
		} else if (*p == '"' || *p == '\'') {
			quote = *p;
		} else if (*p == '#' && word_start) {
			return p;
		}
		word_start = !quote && (*p == ' ' || *p == '\t');
	}
	return NULL;
}

/*
 * One logical line into *BUF: its comment cut, a backslash at the end
 * joining the next line (a comment does not continue). Returns 1, 0 at
 * the end of the file, or -1 with *WHY.
 */
static int read_line(FILE *f, char **buf, unsigned int *lineno, const char **why)
{
	size_t len = 0, cap = 0;
	char *part = NULL;
	bool any = false;

	for (;;) {
		ssize_t n = getline(&part, &cap, f);
		bool more;
		char *c, *grown;

		if (n < 0) {
			free(part);
			if (ferror(f)) {
				*why = strerror(errno);
				return -1;
			}
			return any;
		}
		any = true;
		(*lineno)++;
		if (strlen(part) != (size_t)n) {
			free(part);
			*why = "a NUL byte in the line";
			return -1;
		}
		while (n && (part[n - 1] == '\n' || part[n - 1] == '\r'))
			part[--n] = '\0';
		c = comment_start(part);
		if (c)
			n = c - part;
		more = !c && n && part[n - 1] == '\\';
		if (more)
			part[n - 1] = ' ';	/* the words either side stay apart */
		grown = realloc(*buf, len + n + 1);
		if (!grown) {
			free(part);
			*why = strerror(ENOMEM);
			return -1;
		}
		*buf = grown;
		memcpy(*buf + len, part, n);
		len += n;
		(*buf)[len] = '\0';
		if (!more) {
			free(part);
			return 1;
		}
	}
}

/* -j on a line applies to that line; the words passed on drop it. */
static int take_json(char **words, int n, bool *json)
{
	int i, kept = 0;

	for (i = 0; i < n; i++) {
		if (!strcmp(words[i], "-j") || !strcmp(words[i], "--json"))
			*json = true;
		else
			words[kept++] = words[i];
	}
	words[kept] = NULL;
	return kept;
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
		bool json = cli->json;
		const char *why = NULL;
		int n, rc, got;

		got = read_line(f, &buf, &lineno, &why);
		if (!got)
			break;
		n = got < 0 ? -1 : split_words(buf, words, BATCH_MAX_WORDS, &why);
		if (n > 0)
			n = take_json(words, n, &cli->json);
		if (!n) {
			cli->json = json;
			continue;
		}
		if (n < 0) {
			fprintf(stderr, "sectun: %s:%u: %s\n", path, first, why);
			rc = EXIT_USAGE;
		} else {
			cli->nl.err_msg[0] = '\0';
			rc = cli_run(cli, n, words);
			if (rc)
				fprintf(stderr, "sectun: %s:%u: '%s' failed\n", path,
					first, words[0]);
		}
		cli->json = json;
		if (rc) {
			failed++;
			ret = 1;
			/* A file that cannot be read further ends the batch. */
			if (!force || got < 0)
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
