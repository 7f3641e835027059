/*
 * pamrun - a small PAM application for the tests. It runs a whole stack
 * from a private folder of PAM service files (pam_start_confdir), so the
 * host's /etc/pam.d is never used, and plays the user:
 *
 *   pamrun CONFDIR SERVICE USER [auth|account|setcred]...
 *
 * Every message from the module is printed. When a message shows a
 * sign-in link, the command in $PAMRUN_APPROVE is run with the link as
 * its last argument (at once for a prompt, in the background for an
 * info message, as a user would in poll mode); then Enter is answered.
 * $PAMRUN_ENTERS caps how many prompts are answered (default 20).
 * It prints "result PHASE CODE" per phase and, after setcred, the
 * process's groups as "groups: g1 g2 ...". Exit 0 only if all succeed.
 */
#include "config.h"

#include <grp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <security/pam_appl.h>

static int enters_left = 20;
static int approvals;

static void
approve(const char *text, bool wait)
{
	const char *cmd = getenv("PAMRUN_APPROVE");
	const char *p = strstr(text, "Open:");
	char url[1024];
	size_t n;
	pid_t pid;

	if (cmd == NULL || *cmd == '\0' || p == NULL || approvals > 0)
		return;
	p += 5;
	while (*p == ' ')
		p++;
	n = strcspn(p, " \n");
	if (n == 0 || n >= sizeof(url))
		return;
	memcpy(url, p, n);
	url[n] = '\0';
	approvals++;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char *full = NULL;

		if (asprintf(&full, "%s '%s'", cmd, url) < 0)
			_exit(127);
		execl("/bin/sh", "sh", "-c", full, (char *)NULL);
		_exit(127);
	}
	if (pid > 0 && wait) {
		int st;

		waitpid(pid, &st, 0);
		printf("approver: exit %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	}
}

static int
conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	struct pam_response *r = calloc((size_t)n, sizeof(*r));

	(void)data;
	if (r == NULL)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++) {
		switch (msg[i]->msg_style) {
		case PAM_PROMPT_ECHO_ON:
		case PAM_PROMPT_ECHO_OFF:
			printf("prompt: %s\n", msg[i]->msg);
			if (enters_left-- <= 0) {
				free(r);
				return PAM_CONV_ERR;
			}
			approve(msg[i]->msg, true);
			r[i].resp = strdup("");
			break;
		case PAM_TEXT_INFO:
			printf("info: %s\n", msg[i]->msg);
			approve(msg[i]->msg, false);
			break;
		case PAM_ERROR_MSG:
			printf("error: %s\n", msg[i]->msg);
			break;
		default:
			free(r);
			return PAM_CONV_ERR;
		}
	}
	fflush(stdout);
	*resp = r;
	return PAM_SUCCESS;
}

static const char *
code_name(int rc)
{
	switch (rc) {
	case PAM_SUCCESS:          return "PAM_SUCCESS";
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

int
main(int argc, char **argv)
{
	struct pam_conv pc = { conv, NULL };
	pam_handle_t *pamh = NULL;
	const char *e = getenv("PAMRUN_ENTERS");
	int rc = PAM_SUCCESS, status = 0;

	if (argc < 5) {
		fprintf(stderr, "usage: pamrun CONFDIR SERVICE USER PHASE...\n");
		return 2;
	}
	if (e != NULL)
		enters_left = atoi(e);  /* test input, not a parser of ours */
	rc = pam_start_confdir(argv[2], argv[3], &pc, argv[1], &pamh);
	if (rc != PAM_SUCCESS) {
		printf("result start %s\n", code_name(rc));
		return 1;
	}
	for (int i = 4; i < argc && rc == PAM_SUCCESS; i++) {
		if (strcmp(argv[i], "auth") == 0)
			rc = pam_authenticate(pamh, 0);
		else if (strcmp(argv[i], "account") == 0)
			rc = pam_acct_mgmt(pamh, 0);
		else if (strcmp(argv[i], "setcred") == 0) {
			rc = pam_setcred(pamh, PAM_ESTABLISH_CRED);
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
