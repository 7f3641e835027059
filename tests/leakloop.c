/*
 * leakloop - many logins in one process, the way a long-lived host of
 * the module (sshd, login, a display manager) runs them:
 * pam_start_confdir, pam_authenticate, pam_acct_mgmt, pam_end, N times.
 * tests/test-valgrind.sh runs it under valgrind memcheck.
 *
 *   leakloop CONFDIR SERVICE USER CYCLES
 *
 * Each sign-in is approved as pamrun does it: when a prompt shows the
 * link, the command in $LEAKLOOP_APPROVE runs with the link as its last
 * argument, and then Enter is answered, so the module's first poll
 * finds the code approved.
 *
 * Every phase of every cycle must succeed, and the open file
 * descriptors after the last cycle must be those after the first (a
 * host that logs in thousands of users must not run out of them).
 * It prints the figures; exit 0 only if all is well.
 */
#include "config.h"

#include <dirent.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_appl.h>

#include "conv.h"

#define MAX_FDS 256

struct fdset {
	int n;
	int fd[MAX_FDS];
	char what[MAX_FDS][128];
};

static struct tconv tc = {
	.approve_env = "LEAKLOOP_APPROVE", .quiet = true,
	.error_prefix = "leakloop: error message: ", .name = "leakloop",
};

static double
now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The open descriptors of this process, with what they point to. */
static int
fds_read(struct fdset *s)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int self;

	if (d == NULL)
		return -1;
	self = dirfd(d);
	s->n = 0;
	while ((e = readdir(d)) != NULL) {
		char *end = NULL;
		char link[64];
		long fd = strtol(e->d_name, &end, 10);
		ssize_t r;

		if (e->d_name[0] == '.' || end == e->d_name || *end != '\0' || fd == self)
			continue;
		if (s->n >= MAX_FDS)
			break;
		s->fd[s->n] = (int)fd;
		snprintf(link, sizeof(link), "/proc/self/fd/%ld", fd);
		r = readlink(link, s->what[s->n], sizeof(s->what[0]) - 1);
		s->what[s->n][r > 0 ? r : 0] = '\0';
		s->n++;
	}
	closedir(d);
	return s->n;
}

static bool
fds_has(const struct fdset *s, int fd)
{
	for (int i = 0; i < s->n; i++)
		if (s->fd[i] == fd)
			return true;
	return false;
}

/* Prints what one set holds and the other does not; true if they are equal. */
static bool
fds_same(const struct fdset *a, const struct fdset *b)
{
	bool same = true;

	for (int i = 0; i < b->n; i++)
		if (!fds_has(a, b->fd[i])) {
			printf("leakloop: fd %d (%s) is new\n", b->fd[i], b->what[i]);
			same = false;
		}
	for (int i = 0; i < a->n; i++)
		if (!fds_has(b, a->fd[i])) {
			printf("leakloop: fd %d (%s) is gone\n", a->fd[i], a->what[i]);
			same = false;
		}
	return same;
}

/* One login; returns the first failing PAM code, or PAM_SUCCESS. */
static int
cycle(const char *confdir, const char *service, const char *user, const char **phase)
{
	struct pam_conv pc = { tconv_conv, &tc };
	pam_handle_t *pamh = NULL;
	int rc;

	tc.prompts_left = 20;   /* per cycle */
	*phase = "start";
	rc = pam_start_confdir(service, user, &pc, confdir, &pamh);
	if (rc != PAM_SUCCESS)
		return rc;
	*phase = "auth";
	rc = pam_authenticate(pamh, 0);
	if (rc == PAM_SUCCESS) {
		*phase = "account";
		rc = pam_acct_mgmt(pamh, 0);
	}
	pam_end(pamh, rc);
	return rc;
}

int
main(int argc, char **argv)
{
	struct fdset first, last;
	char *end = NULL;
	long cycles, done = 0;
	double t0, t1;
	int failures = 0;

	if (argc != 5) {
		fprintf(stderr, "usage: leakloop CONFDIR SERVICE USER CYCLES\n");
		return 2;
	}
	cycles = strtol(argv[4], &end, 10);
	if (end == argv[4] || *end != '\0' || cycles < 2 || cycles > 100000) {
		fprintf(stderr, "leakloop: CYCLES must be 2 to 100000\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	t0 = now_mono();
	for (long i = 1; i <= cycles; i++) {
		const char *phase = NULL;
		int rc = cycle(argv[1], argv[2], argv[3], &phase);

		done = i;
		if (rc != PAM_SUCCESS) {
			printf("leakloop: cycle %ld: %s: %s\n", i, phase, pam_strerror(NULL, rc));
			if (++failures >= 3)
				break;
		}
		if (i == 1 && fds_read(&first) < 0) {
			perror("/proc/self/fd");
			return 1;
		}
	}
	t1 = now_mono();
	if (fds_read(&last) < 0) {
		perror("/proc/self/fd");
		return 1;
	}
	printf("leakloop: %ld cycles in %.1f s (%.3f s each), %d failed, %d approvals failed\n",
	       done, t1 - t0, (t1 - t0) / (double)done, failures, tc.approvals_failed);
	printf("leakloop: open fds after cycle 1: %d, after cycle %ld: %d\n",
	       first.n, done, last.n);
	if (!fds_same(&first, &last))
		failures++;
	return failures == 0 && tc.approvals_failed == 0 && done == cycles ? 0 : 1;
}
