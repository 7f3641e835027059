/*
 * test-handoff.c - the session handoff file, and the log quoting that
 * keeps untrusted names from forging log lines.
 */
#include "config.h"

#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "handoff.h"
#include "pog.h"
#include "util.h"
#include "tcheck.h"
#include "tutil.h"

static const struct {
	const char *name;
	const char *text;
	pog_err want;
	size_t ngids;
} cases[] = {
	{ "two gids", "pam_okta_groups-handoff 1\nuser alice\nwhen 1733040000\ngids 1001 1002\n", POG_OK, 2 },
	{ "no gids", "pam_okta_groups-handoff 1\nuser bob\nwhen 0\ngids\n", POG_OK, 0 },
	{ "other magic", "pam_okta_groups-handoff 2\nuser bob\nwhen 0\ngids\n", POG_ERR_INVALID, 0 },
	{ "bad user", "pam_okta_groups-handoff 1\nuser Bob Smith\nwhen 0\ngids\n", POG_ERR_INVALID, 0 },
	{ "NUL in user", "pam_okta_groups-handoff 1\nuser b\0b\nwhen 0\ngids\n", POG_ERR_INVALID, 0 },
	{ "negative when", "pam_okta_groups-handoff 1\nuser bob\nwhen -1\ngids\n", POG_ERR_INVALID, 0 },
	{ "leading zero", "pam_okta_groups-handoff 1\nuser bob\nwhen 0\ngids 01\n", POG_ERR_INVALID, 0 },
	{ "gid -1", "pam_okta_groups-handoff 1\nuser bob\nwhen 0\ngids 4294967295\n", POG_ERR_INVALID, 0 },
	{ "gid too big", "pam_okta_groups-handoff 1\nuser bob\nwhen 0\ngids 99999999999\n", POG_ERR_INVALID, 0 },
	{ "two blanks", "pam_okta_groups-handoff 1\nuser bob\nwhen 0\ngids  1\n", POG_ERR_INVALID, 0 },
	{ "junk after", "pam_okta_groups-handoff 1\nuser bob\nwhen 0\ngids 1\nx", POG_ERR_INVALID, 0 },
	{ "no newline", "pam_okta_groups-handoff 1\nuser bob\nwhen 0\ngids 1", POG_ERR_INVALID, 0 },
	{ "empty", "", POG_ERR_INVALID, 0 },
};

static void
test_parse(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pog_handoff h = { 0 };
		char *msg = NULL, *text = NULL;
		size_t len = 0, inlen = strlen(cases[i].text);
		pog_err err;

		if (strcmp(cases[i].name, "NUL in user") == 0)
			inlen = sizeof("pam_okta_groups-handoff 1\nuser b\0b\nwhen 0\ngids\n") - 1;
		err = pog_handoff_parse(cases[i].text, inlen, &h, &msg);
		if (err != cases[i].want)
			fprintf(stderr, "case %s: %s\n", cases[i].name, msg ? msg : "(no message)");
		TC_EQ_INT(err, cases[i].want);
		if (err == POG_OK) {
			TC_EQ_INT(h.ngids, cases[i].ngids);
			TC_EQ_INT(pog_handoff_format(&h, &text, &len), POG_OK);
			TC_STREQ(text, cases[i].text);
		} else {
			TC_CHECK(msg != NULL);
		}
		free(text);
		free(msg);
		pog_handoff_free(&h);
	}
}

static void
test_files(void)
{
	char dir[] = "/tmp/test-handoff.XXXXXX";
	const char *nonce = "0123456789abcdef0123456789abcdef";
	gid_t gids[] = { 1001, 1002 };
	char alice[] = "alice";
	struct pog_handoff h = { .user = alice, .when = 1000000, .gids = gids, .ngids = 2 };
	struct pog_handoff got = { 0 };
	char *msg = NULL, *path;
	struct stat st;

	TC_CHECK(mkdtemp(dir) != NULL);
	TC_EQ_INT(pog_handoff_write(dir, nonce, &h), POG_OK);
	path = pog_asprintf("%s/handoff/%s", dir, nonce);
	TC_CHECK(path != NULL && stat(path, &st) == 0 && (st.st_mode & 07777) == 0600);
	/* another user's login: refused, and gone */
	TC_EQ_INT(pog_handoff_take(dir, nonce, "bob", 1000010, &got, &msg), POG_ERR_INVALID);
	TC_STREQ(msg, "it is another user's login");
	free(msg);
	msg = NULL;
	TC_CHECK(stat(path, &st) != 0);
	/* the right user, in time: the GIDs; a second take finds nothing */
	TC_EQ_INT(pog_handoff_write(dir, nonce, &h), POG_OK);
	TC_EQ_INT(pog_handoff_take(dir, nonce, "alice", 1000010, &got, &msg), POG_OK);
	TC_EQ_INT(got.ngids, 2);
	TC_EQ_INT(got.ngids == 2 ? got.gids[1] : 0, 1002);
	pog_handoff_free(&got);
	TC_CHECK(pog_handoff_take(dir, nonce, "alice", 1000010, &got, &msg) != POG_OK);
	free(msg);
	msg = NULL;
	/* too old */
	TC_EQ_INT(pog_handoff_write(dir, nonce, &h), POG_OK);
	TC_EQ_INT(pog_handoff_take(dir, nonce, "alice", 1000000 + POG_HANDOFF_MAX_AGE + 1, &got, &msg),
		  POG_ERR_INVALID);
	TC_STREQ(msg, "it is too old");
	free(msg);
	msg = NULL;
	/* a nonce that could climb out of the folder */
	TC_EQ_INT(pog_handoff_take(dir, "../../etc/passwd", "alice", 1000000, &got, &msg),
		  POG_ERR_INVALID);
	free(msg);
	free(path);
	(void)tu_rm_rf(dir);
}

static void
test_quote(void)
{
	static const struct {
		const char *in;
		size_t max;
		const char *want;
	} q[] = {
		{ "alice", 64, "\"alice\"" },
		{ "bob\naudit: user=root", 64, "\"bob\\x0aaudit: user=root\"" },
		{ "a\"b\\c", 64, "\"a\\\"b\\\\c\"" },
		{ "\xc3\xa9quipe", 64, "\"\\xc3\\xa9quipe\"" },
		{ "abcdef", 3, "\"abc\"..." },
		{ "", 8, "\"\"" },
	};

	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		char *got = pog_quote(q[i].in, q[i].max);

		TC_STREQ(got, q[i].want);
		free(got);
	}
}

int
main(void)
{
	test_parse();
	test_files();
	test_quote();
	TC_DONE();
}
