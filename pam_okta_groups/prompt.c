/*
 * prompt.c - the approval prompt (see prompt.h).
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prompt.h"
#include "qr.h"
#include "util.h"

static void
host_name(char *buf, size_t len)
{
	if (gethostname(buf, len) != 0 || buf[0] == '\0')
		snprintf(buf, len, "this host");
	buf[len - 1] = '\0';
}

static void
add_time_left(struct pog_buf *b, long s)
{
	if (s >= 120)
		(void)pog_buf_printf(b, "%ld minutes", (s + 30) / 60);
	else
		(void)pog_buf_printf(b, "%ld seconds", s < 0 ? 0 : s);
}

pog_err
pog_prompt_text(const struct pog_prompt_args *a, char **out)
{
	struct pog_buf b = { 0 };
	char host[HOST_NAME_MAX + 1];
	char *h = NULL, *uri = NULL, *code = NULL, *qr = NULL, *user = NULL;
	const char *link;
	pog_err err = POG_ERR_NOMEM;

	host_name(host, sizeof(host));
	link = a->da->verification_uri_complete != NULL ?
	       a->da->verification_uri_complete : a->da->verification_uri;
	h = pog_sanitize(host, 64);
	uri = pog_sanitize(link, 512);
	code = pog_sanitize(a->da->user_code, 64);
	user = pog_sanitize(a->user, 64);
	if (h == NULL || uri == NULL || code == NULL || user == NULL)
		goto out;

	if (a->again) {
		(void)pog_buf_printf(&b, "Still waiting for approval of code %s (", code);
		add_time_left(&b, a->seconds_left);
		(void)pog_buf_addstr(&b, " left).\n"
				     "Press Enter once you have approved: ");
		goto done;
	}
	/* The QR code first: on a small terminal the text must stay on
	 * screen below it, ending where the user is asked. */
	if (a->qr && pog_qr_render(link, &qr) == POG_OK)
		(void)pog_buf_addstr(&b, qr);
	(void)pog_buf_printf(&b, "Okta sign-in for %s on %s\n", user, h);
	(void)pog_buf_printf(&b, "  Open:  %s\n", uri);
	(void)pog_buf_printf(&b, "  Code:  %s  (", code);
	add_time_left(&b, a->seconds_left);
	(void)pog_buf_addstr(&b, " left)\n");
	(void)pog_buf_printf(&b, "Approve only if you are signing in to %s yourself.\n", h);
	if (a->enter)
		(void)pog_buf_addstr(&b, "Press Enter once you have approved: ");
	else
		(void)pog_buf_addstr(&b, "Waiting for approval...");
done:
	if (b.data == NULL)
		goto out;
	*out = pog_buf_steal(&b);
	err = *out != NULL ? POG_OK : POG_ERR_NOMEM;
out:
	pog_buf_free(&b);
	free(h);
	free(uri);
	free(code);
	free(qr);
	free(user);
	return err;
}
