/*
 * fuzz_prompt.c - libFuzzer target for what reaches the user's terminal:
 * the device authorization response (oidc.c) turned into the prompt
 * (prompt.c, qr.c).
 *
 * The first byte picks the path. Even: the rest is a device response,
 * parsed as the flow does, and a response the parser accepts is shown.
 * Odd: the rest is split at NUL bytes into user code, verification URI,
 * verification_uri_complete and user name, and handed to the prompt
 * unparsed, as if the parser had let anything through (the prompt
 * promises to sanitize again).
 *
 * Either way, every prompt variant must hold only printable ASCII, '\n',
 * and the QR code's half-blocks (U+2580, U+2584, U+2588): no control
 * character, no escape sequence, no C1 or bidi control. A parsed code
 * must be shown as it is, for the user compares it with the browser.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oidc.h"
#include "prompt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
must_be_clean(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p != '\0') {
		if (*p == '\n' || (*p >= 0x20 && *p < 0x7f)) {
			p++;
		} else if (p[0] == 0xe2 && p[1] == 0x96 &&
			   (p[2] == 0x80 || p[2] == 0x84 || p[2] == 0x88)) {
			p += 3;
		} else {
			abort();
		}
	}
}

/* Every variant of the prompt for da: enter or poll, first or again, QR or not. */
static void
show_all(const struct pog_device_auth *da, const char *user, long left, bool parsed)
{
	for (int v = 0; v < 8; v++) {
		struct pog_prompt_args a = {
			.user = user, .da = da, .seconds_left = left,
			.enter = (v & 1) != 0, .again = (v & 2) != 0, .qr = (v & 4) != 0,
		};
		char *text = NULL;

		if (pog_prompt_text(&a, &text) != POG_OK) {
			if (text != NULL)
				abort();
			continue;
		}
		must_be_clean(text);
		if (parsed && strstr(text, da->user_code) == NULL)
			abort();
		free(text);
	}
}

/* The next NUL-terminated piece of [*p, end), as a malloc'd string. */
static char *
piece(const uint8_t **p, const uint8_t *end)
{
	const uint8_t *nul = memchr(*p, '\0', (size_t)(end - *p));
	size_t n = nul != NULL ? (size_t)(nul - *p) : (size_t)(end - *p);
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	memcpy(s, *p, n);
	s[n] = '\0';
	*p = nul != NULL ? nul + 1 : end;
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pog_device_auth da = { 0 };
	const uint8_t *p, *end = data + size;
	char *errmsg = NULL, *user;

	if (size == 0)
		return 0;
	if ((data[0] & 1) == 0) {
		if (pog_oidc_parse_device(200, (const char *)data + 1, size - 1, &da,
					  &errmsg) == POG_OK)
			show_all(&da, "alice", da.expires_in, true);
		pog_device_auth_free(&da);
		free(errmsg);
		return 0;
	}
	/* A bounded size keeps the QR encoder's share of the time sane. */
	if (size > 4096)
		return 0;
	p = data + 1;
	da.user_code = piece(&p, end);
	da.verification_uri = piece(&p, end);
	da.verification_uri_complete = piece(&p, end);
	user = piece(&p, end);
	if (da.verification_uri_complete[0] == '\0') {
		free(da.verification_uri_complete);
		da.verification_uri_complete = NULL;
	}
	show_all(&da, user, (long)(data[0] >> 1) * 37 - 100, false);
	free(user);
	pog_device_auth_free(&da);
	return 0;
}
