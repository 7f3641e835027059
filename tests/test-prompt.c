/* test-prompt: the approval text shows the host, link, code, and no
 * control characters whatever the provider sent; the QR code comes
 * first, so the text is what an 80x24 terminal keeps on screen. */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "prompt.h"
#include "tcheck.h"

/* The last n lines of text (the prompt line itself is the last). */
static const char *
last_lines(const char *text, int n)
{
	const char *p = text + strlen(text);

	while (p > text) {
		if (p[-1] == '\n' && --n == 0)
			break;
		p--;
	}
	return p;
}

static int
count_lines(const char *text)
{
	int n = 1;

	for (; *text; text++)
		n += *text == '\n';
	return n;
}

/* In both modes the host, link, code, time and the question or the
 * waiting line are the last lines, below the QR code. */
static void
check_layout(struct pog_prompt_args *a, const char *host)
{
	char *text = NULL;
	const char *tail;

	TC_ERR(pog_prompt_text(a, &text), POG_OK);
	if (text == NULL)
		return;
	tail = last_lines(text, 8);
	if (strstr(tail, "Open:  ") == NULL || strstr(tail, "Code:  ABCD-EFGH  (5 minutes left)") == NULL ||
	    strstr(tail, host) == NULL ||
	    strstr(tail, a->enter ? "Press Enter once you have approved: " :
		   "Waiting for approval...") == NULL ||
	    strstr(last_lines(text, 5), "\xe2\x96") != NULL) {
		fprintf(stderr, "the last 8 lines lack the text, or the QR code is among the last 5:\n%s\n", tail);
		TC_CHECK(false);
	}
	/* The QR code is there, above the text, and all of it fits 24 lines. */
	TC_CHECK(!a->qr || strncmp(text, "\xe2\x96", 2) == 0);
	TC_CHECK(a->qr || strstr(text, "\xe2\x96") == NULL);
	if (count_lines(text) > 24) {
		fprintf(stderr, "%d lines, more than an 80x24 terminal shows\n", count_lines(text));
		TC_CHECK(false);
	}
	free(text);
}

int
main(void)
{
	char code[] = "ABCD-EFGH", uri[] = "https://idp.example/activate";
	char complete[] = "https://idp.example/activate?user_code=ABCD-EFGH";
	char evil[] = "AB\x1b[2JCD\r\a";
	struct pog_device_auth da = {
		.user_code = code, .verification_uri = uri,
		.verification_uri_complete = complete,
		.expires_in = 600, .interval = 5,
	};
	struct pog_prompt_args a = { .user = "alice", .da = &da, .seconds_left = 300,
				     .enter = true, .qr = true };
	char host[256], *text = NULL;

	gethostname(host, sizeof(host));
	TC_ERR(pog_prompt_text(&a, &text), POG_OK);
	TC_CHECK(text != NULL && strstr(text, host) != NULL);
	TC_CHECK(text != NULL && strstr(text, "Open:  https://idp.example/activate?user_code=ABCD-EFGH") != NULL);
	TC_CHECK(text != NULL && strstr(text, "Code:  ABCD-EFGH") != NULL);
	TC_CHECK(text != NULL && strstr(text, "5 minutes") != NULL);
	TC_CHECK(text != NULL && strstr(text, "\xe2\x96\x88") != NULL);    /* a QR code */
	TC_CHECK(text != NULL && strstr(text, "Press Enter once you have approved") != NULL);
	free(text);

	/* The layout, with an Okta-sized link, in enter and poll modes. */
	{
		char okta[] = "https://dev-12345678.okta.com/activate?user_code=ABCD-EFGH";

		da.verification_uri_complete = okta;
		check_layout(&a, host);
		a.enter = false;
		check_layout(&a, host);
		a.qr = false;
		check_layout(&a, host);
		a.enter = true;
		check_layout(&a, host);
		a.qr = true;
		da.verification_uri_complete = complete;
	}

	/* Hostile text from the provider is defused even if a parser let it by. */
	da.user_code = evil;
	da.verification_uri_complete = NULL;
	a.qr = false;
	a.enter = false;
	TC_ERR(pog_prompt_text(&a, &text), POG_OK);
	for (const char *p = text; p != NULL && *p; p++)
		TC_CHECK(*p == '\n' || (unsigned char)*p >= 0x20);
	TC_CHECK(text != NULL && strstr(text, "Open:  https://idp.example/activate\n") != NULL);
	TC_CHECK(text != NULL && strstr(text, "Press Enter") == NULL);
	free(text);

	/* Asked again after a pending Enter. */
	a.again = true;
	a.enter = true;
	a.seconds_left = 42;
	TC_ERR(pog_prompt_text(&a, &text), POG_OK);
	TC_CHECK(text != NULL && strstr(text, "Still waiting") != NULL);
	TC_CHECK(text != NULL && strstr(text, "42 seconds") != NULL);
	free(text);
	TC_DONE();
}
