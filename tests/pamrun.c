/*
 * pamrun - a small PAM application for the tests. It runs a whole stack
 * from a private folder of PAM service files (pam_start_confdir), so the
 * host's /etc/pam.d is never used, and plays the user:
 *
 *   pamrun CONFDIR SERVICE USER [auth|account|setcred|split|wait:F|touch:F]...
 *
 * Every message from the module is printed. When a message shows a
 * sign-in link, the command in $PAMRUN_APPROVE is run with the link as
 * its last argument (at once for a prompt, in the background for an
 * info message, as a user would in poll mode); then Enter is answered.
 * $PAMRUN_ENTERS caps how many prompts are answered (default 20).
 * It prints "result PHASE CODE" per phase and, after setcred, the
 * process's groups as "groups: g1 g2 ...". Exit 0 only if all succeed.
 *
 * split runs auth and account in a forked child and hands the PAM
 * environment to the parent over a pipe, as sshd does for keyboard-
 * interactive; a later setcred then runs in the parent, as sshd's
 * monitor does. wait:F waits (60 s at most) until the file F exists, and
 * touch:F makes it, so that a test can line up two logins.
 * $PAMRUN_SILENT=1 passes PAM_SILENT to every call. $PAMRUN_KEEP_GOING=1
 * runs every phase even after one failed.
 * $PAMRUN_PASSWD=FILE makes FILE the passwd database, through
 * nss_wrapper (the process re-executes itself with it preloaded), so
 * that test accounts exist without touching /etc.
 */
#include "config.h"

#include <grp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_appl.h>

#include "conv.h"

static const char *
code_name(int rc)
{
	switch (rc) {
	case PAM_SUCCESS:          return "PAM_SUCCESS";
	case PAM_IGNORE:           return "PAM_IGNORE";
	case PAM_AUTH_ERR:         return "PAM_AUTH_ERR";
	case PAM_AUTHINFO_UNAVAIL: return "PAM_AUTHINFO_UNAVAIL";
	case PAM_PERM_DENIED:      return "PAM_PERM_DENIED";
	case PAM_SERVICE_ERR:      return "PAM_SERVICE_ERR";
	case PAM_CONV_ERR:         return "PAM_CONV_ERR";
	case PAM_USER_UNKNOWN:     return "PAM_USER_UNKNOWN";
	case PAM_CRED_ERR:         return "PAM_CRED_ERR";
	case PAM_SYSTEM_ERR:       return "PAM_SYSTEM_ERR";
	case PAM_BUF_ERR:          return "PAM_BUF_ERR";
	}
	return "PAM_OTHER";
}

static void
print_groups(void)
{
	gid_t g[256];
	int n = getgroups(256, g);

	printf("groups:");
	for (int i = 0; i < n; i++) {
		struct group *gr = getgrgid(g[i]);

		if (gr != NULL)
			printf(" %s", gr->gr_name);
		else
			printf(" %u", (unsigned)g[i]);
	}
	printf("\n");
}

static int pam_flags;

/* auth and account in a child; the child's PAM environment comes back. */
static int
split(pam_handle_t *pamh)
{
	int fds[2], st, rc = PAM_SYSTEM_ERR;
	pid_t pid;
	FILE *in;
	char line[4096];

	if (pipe(fds) != 0)
		return PAM_SYSTEM_ERR;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return PAM_SYSTEM_ERR;
	if (pid == 0) {
		char **env;
		FILE *out = fdopen(fds[1], "w");

		close(fds[0]);
		rc = pam_authenticate(pamh, pam_flags);
		printf("result auth %s\n", code_name(rc));
		if (rc == PAM_SUCCESS) {
			rc = pam_acct_mgmt(pamh, pam_flags);
			printf("result account %s\n", code_name(rc));
		}
		fflush(stdout);
		env = pam_getenvlist(pamh);
		for (size_t i = 0; out != NULL && env != NULL && env[i] != NULL; i++) {
			fprintf(out, "%s\n", env[i]);
			free(env[i]);
		}
		free(env);
		if (out != NULL)
			fclose(out);
		_exit(rc == PAM_SUCCESS ? 0 : 1);
	}
	close(fds[1]);
	in = fdopen(fds[0], "r");
	while (in != NULL && fgets(line, sizeof(line), in) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		(void)pam_putenv(pamh, line);
	}
	if (in != NULL)
		fclose(in);
	if (waitpid(pid, &st, 0) == pid && WIFEXITED(st))
		rc = WEXITSTATUS(st) == 0 ? PAM_SUCCESS : PAM_AUTH_ERR;
	return rc;
}

static int
wait_for(const char *path)
{
	struct stat st;

	for (int i = 0; i < 600; i++) {
		if (stat(path, &st) == 0)
			return PAM_SUCCESS;
		nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
	}
	return PAM_SYSTEM_ERR;
}

/* Re-executes with nss_wrapper serving $PAMRUN_PASSWD, once. */
static void
use_passwd_file(char **argv)
{
	const char *pw = getenv("PAMRUN_PASSWD");
	const char *asan = getenv("ASAN_OPTIONS");
	char *opts = NULL;

	if (pw == NULL || *pw == '\0' || getenv("NSS_WRAPPER_PASSWD") != NULL)
		return;
	setenv("NSS_WRAPPER_PASSWD", pw, 1);
	setenv("NSS_WRAPPER_GROUP", "/etc/group", 0);
	setenv("LD_PRELOAD", "libnss_wrapper.so", 1);
	/* Its RTLD_DEEPBIND dlopen of libc aborts under a sanitizer. */
	setenv("NSS_WRAPPER_DISABLE_DEEPBIND", "1", 1);
	/* A sanitizer build's runtime need not come first for this. */
	if (asprintf(&opts, "%s%sverify_asan_link_order=0", asan ? asan : "",
		     asan ? ":" : "") >= 0)
		setenv("ASAN_OPTIONS", opts, 1);
	free(opts);
	execv("/proc/self/exe", argv);
	perror("pamrun: re-exec with nss_wrapper");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct tconv tc = {
		.approve_env = "PAMRUN_APPROVE", .prompts_left = 20, .echo = true,
		.approve_info = true, .approve_once = true, .error_prefix = "error: ",
		.name = "pamrun",
	};
	struct pam_conv pc = { tconv_conv, &tc };
	pam_handle_t *pamh = NULL;
	const char *e = getenv("PAMRUN_ENTERS");
	int rc = PAM_SUCCESS, status = 0;

	if (argc < 5) {
		fprintf(stderr, "usage: pamrun CONFDIR SERVICE USER PHASE...\n");
		return 2;
	}
	use_passwd_file(argv);
	if (e != NULL)
		tc.prompts_left = atoi(e);  /* test input, not a parser of ours */
	if (getenv("PAMRUN_SILENT") != NULL)
		pam_flags = PAM_SILENT;
	rc = pam_start_confdir(argv[2], argv[3], &pc, argv[1], &pamh);
	if (rc != PAM_SUCCESS) {
		printf("result start %s\n", code_name(rc));
		return 1;
	}
	for (int i = 4; i < argc && (rc == PAM_SUCCESS || getenv("PAMRUN_KEEP_GOING")); i++) {
		if (strcmp(argv[i], "auth") == 0)
			rc = pam_authenticate(pamh, pam_flags);
		else if (strcmp(argv[i], "account") == 0)
			rc = pam_acct_mgmt(pamh, pam_flags);
		else if (strcmp(argv[i], "split") == 0)
			rc = split(pamh);
		else if (strncmp(argv[i], "wait:", 5) == 0)
			rc = wait_for(argv[i] + 5);
		else if (strncmp(argv[i], "touch:", 6) == 0) {
			int fd = open(argv[i] + 6, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

			rc = fd >= 0 ? PAM_SUCCESS : PAM_SYSTEM_ERR;
			if (fd >= 0)
				close(fd);
		} else if (strcmp(argv[i], "setcred") == 0) {
			rc = pam_setcred(pamh, PAM_ESTABLISH_CRED | pam_flags);
			if (rc == PAM_SUCCESS)
				print_groups();
		} else {
			fprintf(stderr, "unknown phase %s\n", argv[i]);
			rc = PAM_SYSTEM_ERR;
		}
		printf("result %s %s\n", argv[i], code_name(rc));
		fflush(stdout);
		if (rc != PAM_SUCCESS)
			status = 1;
	}
	while (wait(NULL) > 0)
		;
	pam_end(pamh, rc);
	return status;
}
