/*
 * prompt.h - the text shown while the user approves the sign-in.
 */
#ifndef POG_PROMPT_H
#define POG_PROMPT_H

#include "oidc.h"
#include "pog.h"

struct pog_prompt_args {
	const char *user;
	const struct pog_device_auth *da;
	long seconds_left;
	bool enter;     /* end with "Press Enter once you have approved" */
	bool again;     /* the approval was still pending after Enter */
	bool qr;        /* draw a QR code of the link; built only then */
};

/*
 * Composes the prompt: optionally a QR code, then the host name (device
 * codes can be phished, so the user must see where they sign in), the
 * URL, the code and the time left, so that on a small terminal the text
 * is what stays on screen. Everything from the provider has been
 * checked printable by the parser, and is sanitized again here.
 */
pog_err pog_prompt_text(const struct pog_prompt_args *a, char **out);

#endif /* POG_PROMPT_H */
