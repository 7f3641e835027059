/*
 * conv.c - the PAM conversation of the test applications (conv.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conv.h"

static void
approve(struct tconv *c, const char *text, bool wait)
{
	const char *cmd = getenv(c->approve_env);
	const char *p = strstr(text, "Open:");
	char url[1024];
	size_t n;
	pid_t pid;
	int st = 0;

	if (cmd == NULL || *cmd == '\0' || p == NULL || (c->approve_once && c->approvals > 0))
		return;
	p += 5;
	while (*p == ' ')
		p++;
	n = strcspn(p, " \n'");
	if (n == 0 || n >= sizeof(url)) {
		c->approvals_failed++;
		return;
	}
	memcpy(url, p, n);
	url[n] = '\0';
	c->approvals++;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		char *full = NULL;

		if (asprintf(&full, "%s '%s'%s", cmd, url, c->quiet ? " >/dev/null" : "") < 0)
			_exit(127);
		execl("/bin/sh", "sh", "-c", full, (char *)NULL);
		_exit(127);
	}
	if (!wait)
		return;
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		c->approvals_failed++;
	if (c->echo)
		printf("approver: exit %d\n", pid > 0 && WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	else if (pid < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		printf("%s: the approver failed (status %d)\n", c->name, st);
}

int
tconv_conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	struct tconv *c = data;
	struct pam_response *r = calloc((size_t)n, sizeof(*r));

	if (r == NULL)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++) {
		switch (msg[i]->msg_style) {
		case PAM_PROMPT_ECHO_ON:
		case PAM_PROMPT_ECHO_OFF:
			if (c->echo)
				printf("prompt: %s\n", msg[i]->msg);
			if (c->prompts_left-- <= 0)
				goto fail;
			approve(c, msg[i]->msg, true);
			r[i].resp = strdup("");
			if (r[i].resp == NULL)
				goto fail;
			break;
		case PAM_TEXT_INFO:
			if (c->echo)
				printf("info: %s\n", msg[i]->msg);
			if (c->approve_info)
				approve(c, msg[i]->msg, false);
			break;
		case PAM_ERROR_MSG:
			printf("%s%s\n", c->error_prefix, msg[i]->msg);
			break;
		default:
			goto fail;
		}
	}
	fflush(stdout);
	*resp = r;
	return PAM_SUCCESS;
fail:
	for (int i = 0; i < n; i++)
		free(r[i].resp);
	free(r);
	return PAM_CONV_ERR;
}
