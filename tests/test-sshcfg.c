/* test-sshcfg: LoginGraceTime parsing. */
#include "config.h"

#include "sshcfg.h"
#include "tcheck.h"

static const struct {
	const char *text;
	pog_err err;
	long seconds;
} cases[] = {
	{ "LoginGraceTime 90\n", POG_OK, 90 },
	{ "  logingracetime=2m\n", POG_OK, 120 },
	{ "# LoginGraceTime 10\nLoginGraceTime 1h30m # comment\n", POG_OK, 5400 },
	{ "LoginGraceTime 0\n", POG_OK, 0 },
	{ "LoginGraceTime 30\nLoginGraceTime 600\n", POG_OK, 30 },       /* first wins */
	{ "Port 22\nMatch User bob\n  LoginGraceTime 5\n", POG_ERR_INVALID, 0 },
	{ "LoginGraceTime 2x\n", POG_ERR_INVALID, 0 },
	{ "LoginGraceTime\n", POG_ERR_INVALID, 0 },
	{ "LoginGraceTimeX 5\n", POG_ERR_INVALID, 0 },
	{ "LoginGraceTime 99999999999999\n", POG_ERR_INVALID, 0 },
	{ "", POG_ERR_INVALID, 0 },
};

int
main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long s = -1;
		pog_err err = pog_sshd_grace_parse(cases[i].text, strlen(cases[i].text), &s);

		TC_EQ_INT(err, cases[i].err);
		if (err == POG_OK && cases[i].err == POG_OK)
			TC_EQ_INT(s, cases[i].seconds);
		if (err != cases[i].err)
			fprintf(stderr, "case %zu: got %d\n", i, (int)err);
	}
	TC_DONE();
}
