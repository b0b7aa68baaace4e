// SPDX-License-Identifier: GPL-2.0
/*
 * sectun ike [-f CONF] status|statistics|vpns|up|down|reload: a client of
 * sectun-iked's control socket. The daemon formats the answer; this passes
 * it through.
 */
#include <errno.h>
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli.h"

#define IKED_SOCKET	"/run/sectun/iked.sock"
#define IKED_CONF	"/etc/sectun/iked.conf"

/*
 * Where the daemon listens: $SECTUN_IKED_SOCKET, else the control-socket
 * its configuration names, else the default. A configuration this user
 * cannot read (it holds keys) falls back to the default quietly.
 */
static void find_socket(const char *conf, char *path, size_t size)
{
	const char *env = getenv("SECTUN_IKED_SOCKET"), *v = NULL;
	config_t lc;

	snprintf(path, size, "%s", env ? env : IKED_SOCKET);
	if (env)
		return;
	config_init(&lc);
	if (config_read_file(&lc, conf ? conf : IKED_CONF)) {
		if (config_lookup_string(&lc, "control-socket", &v))
			snprintf(path, size, "%s", v);
	} else if (conf) {
		fprintf(stderr, "sectun: ike: %s: %s; trying %s\n", conf,
			config_error_type(&lc) == CONFIG_ERR_FILE_IO ? strerror(errno) :
			config_error_text(&lc), path);
	}
	config_destroy(&lc);
}

static int ike_request(const char *conf, const char *line)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char path[sizeof(sun.sun_path) + 1], buf[4096];
	bool failed = false;
	ssize_t n;
	int fd;

	find_socket(conf, path, sizeof(path));
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "sectun: ike: socket path too long\n");
		return 1;
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		fprintf(stderr, "sectun: ike: cannot reach sectun-iked at %s: %s\n",
			path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return 1;
	}
	if (write(fd, line, strlen(line)) != (ssize_t)strlen(line)) {
		fprintf(stderr, "sectun: ike: %s\n", strerror(errno));
		close(fd);
		return 1;
	}
	shutdown(fd, SHUT_WR);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (!strncmp(buf, "error: ", 7))
			failed = true;
		fwrite(buf, 1, n, failed ? stderr : stdout);
	}
	close(fd);
	return failed ? 1 : 0;
}

int cmd_ike(struct cli *cli, int argc, char **argv)
{
	const char *conf = NULL;
	char line[256];

	if (argc >= 3 && !strcmp(argv[1], "-f")) {
		conf = argv[2];
		argv[2] = argv[0];
		argc -= 2;
		argv += 2;
	}
	if (argc < 2)
		return cli_usage("ike", "name a subcommand");
	if (!strcmp(argv[1], "status")) {
		if (argc > 3 || (argc == 3 && strcmp(argv[2], "detail")))
			return cli_usage("ike", "status [detail]");
		snprintf(line, sizeof(line), "status%s%s\n", argc == 3 ? " detail" : "",
			 cli->json ? " json" : "");
	} else if (!strcmp(argv[1], "statistics") && argc == 2) {
		snprintf(line, sizeof(line), "statistics%s\n", cli->json ? " json" : "");
	} else if ((!strcmp(argv[1], "up") || !strcmp(argv[1], "down")) && argc == 3) {
		if (strlen(argv[2]) > 64 || strpbrk(argv[2], " \t\n"))
			return cli_usage("ike", "bad VPN name");
		snprintf(line, sizeof(line), "%s %s\n", argv[1], argv[2]);
	} else if (!strcmp(argv[1], "vpns") && argc == 2) {
		snprintf(line, sizeof(line), "vpns\n");
	} else if (!strcmp(argv[1], "reload") && argc == 2) {
		snprintf(line, sizeof(line), "reload\n");
	} else {
		return cli_usage("ike", "unknown subcommand or arguments");
	}
	return ike_request(conf, line);
}
