/*
 * conv.h - the PAM conversation of the test applications (pamrun,
 * leakloop): it plays a user who opens the sign-in link and presses
 * Enter. When a message shows "Open: URL", the command in the variable
 * named by approve_env runs as `sh -c "CMD 'URL'"`: waited for at a
 * prompt, in the background at an info message (when approve_info).
 */
#ifndef TEST_CONV_H
#define TEST_CONV_H

#include <stdbool.h>

#include <security/pam_appl.h>

struct tconv {
	const char *approve_env;        /* e.g. "PAMRUN_APPROVE" */
	int prompts_left;               /* a prompt beyond these fails the conversation */
	bool echo;                      /* print "prompt: ", "info: " lines */
	bool approve_info;              /* an info message's link is approved too, in the background */
	bool approve_once;              /* only the first link is approved */
	bool quiet;                     /* the approver's output goes to /dev/null */
	const char *error_prefix;       /* printed before an error message */
	const char *name;               /* without echo: "NAME: the approver failed" */
	int approvals;                  /* approvers started */
	int approvals_failed;           /* a link that could not be cut, or an approver that failed */
};

/* The pam_conv function; appdata_ptr is a struct tconv. */
int tconv_conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data);

#endif /* TEST_CONV_H */
