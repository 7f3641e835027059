/* test-prompt: the approval text shows the host, link, code, and no
 * control characters whatever the provider sent. */
#include "config.h"

#include <unistd.h>

#include "prompt.h"
#include "tcheck.h"

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
	TC_CHECK(pog_prompt_text(&a, &text) == POG_OK);
	TC_CHECK(text != NULL && strstr(text, host) != NULL);
	TC_CHECK(text != NULL && strstr(text, "Open:  https://idp.example/activate?user_code=ABCD-EFGH") != NULL);
	TC_CHECK(text != NULL && strstr(text, "Code:  ABCD-EFGH") != NULL);
	TC_CHECK(text != NULL && strstr(text, "5 minutes") != NULL);
	TC_CHECK(text != NULL && strstr(text, "\xe2\x96\x88") != NULL);    /* a QR code */
	TC_CHECK(text != NULL && strstr(text, "Press Enter once you have approved") != NULL);
	free(text);

	/* Hostile text from the provider is defused even if a parser let it by. */
	da.user_code = evil;
	da.verification_uri_complete = NULL;
	a.qr = false;
	a.enter = false;
	TC_CHECK(pog_prompt_text(&a, &text) == POG_OK);
	for (const char *p = text; p != NULL && *p; p++)
		TC_CHECK(*p == '\n' || (unsigned char)*p >= 0x20);
	TC_CHECK(text != NULL && strstr(text, "Open:  https://idp.example/activate\n") != NULL);
	TC_CHECK(text != NULL && strstr(text, "Press Enter") == NULL);
	free(text);

	/* Asked again after a pending Enter. */
	a.again = true;
	a.enter = true;
	a.seconds_left = 42;
	TC_CHECK(pog_prompt_text(&a, &text) == POG_OK);
	TC_CHECK(text != NULL && strstr(text, "Still waiting") != NULL);
	TC_CHECK(text != NULL && strstr(text, "42 seconds") != NULL);
	free(text);
	TC_DONE();
}
