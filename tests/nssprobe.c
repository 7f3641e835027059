/*
 * nssprobe.c - looks users up through glibc's NSS, as sshd does. The NSS
 * test bind-mounts it over /usr/sbin/sshd inside its namespace, so the
 * module's real checks (the exe, euid 0, the user namespace) decide.
 *
 *   nssprobe NAME [BUFLEN]    getpwnam_r: the entry, "notfound" or "erange"
 *   nssprobe -u UID           getpwuid_r
 *   nssprobe -e NAME          looks NAME up as root, then with euid 65534
 */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int
show(int rc, struct passwd *res)
{
	if (rc == ERANGE) {
		printf("erange\n");
		return 0;
	}
	if (rc != 0) {
		printf("error %d\n", rc);
		return 1;
	}
	if (res == NULL) {
		printf("notfound\n");
		return 0;
	}
	printf("%s:%s:%u:%u:%s:%s:%s\n", res->pw_name, res->pw_passwd,
	       (unsigned)res->pw_uid, (unsigned)res->pw_gid, res->pw_gecos,
	       res->pw_dir, res->pw_shell);
	return 0;
}

int
main(int argc, char **argv)
{
	struct passwd pw, *res = NULL;
	static char buf[65536];
	size_t len = sizeof(buf);
	int rc;

	if (argc >= 3 && strcmp(argv[1], "-u") == 0) {
		rc = getpwuid_r((uid_t)strtoul(argv[2], NULL, 10), &pw, buf, len, &res);
		return show(rc, res);
	}
	if (argc >= 3 && strcmp(argv[1], "-e") == 0) {
		rc = getpwnam_r(argv[2], &pw, buf, len, &res);
		if (show(rc, res) != 0 || seteuid(65534) != 0)
			return 1;
		res = NULL;
		rc = getpwnam_r(argv[2], &pw, buf, len, &res);
		return show(rc, res);
	}
	if (argc < 2)
		return 2;
	if (argc >= 3)
		len = strtoul(argv[2], NULL, 10);
	rc = getpwnam_r(argv[1], &pw, buf, len, &res);
	return show(rc, res);
}
