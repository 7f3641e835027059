/*
 * test-run.c - pog_run, the one way the module runs another program
 * (useradd, groupadd, usermod, userdel, visudo, nscd, sss_cache): no
 * shell, a fixed environment, nothing on the user's screen, and a bound
 * on how long a hung tool can hold a login.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tcheck.h"
#include "util.h"

int
main(void)
{
	char out[256];
	int status = 99;
	double t0;

	setenv("POG_TEST_SECRET", "leaked", 1);

	/* Exit codes, and the output of both streams. */
	TC_ERR(pog_run((const char *const[]){ "/bin/true", NULL }, out, sizeof(out), 0, &status),
	       POG_OK);
	TC_EQ_INT(status, 0);
	TC_ERR(pog_run((const char *const[]){ "/bin/sh", "-c", "echo out; echo err >&2; exit 3",
					      NULL }, out, sizeof(out), 0, &status), POG_OK);
	TC_EQ_INT(status, 3);
	TC_STREQ(out, "out\nerr\n");

	/* The environment is PATH and LC_ALL=C, nothing of ours. */
	TC_ERR(pog_run((const char *const[]){ "/usr/bin/env", NULL }, out, sizeof(out), 0, &status),
	       POG_OK);
	TC_STREQ(out, "PATH=/usr/sbin:/usr/bin:/sbin:/bin\nLC_ALL=C\n");

	/* Output beyond the buffer is read and dropped, never overflows. */
	TC_ERR(pog_run((const char *const[]){ "/bin/sh", "-c", "yes | head -c 100000", NULL },
		       out, 8, 0, &status), POG_OK);
	TC_EQ_INT(status, 0);
	TC_EQ_INT(strlen(out), 7);

	/* stdin is /dev/null: a tool that reads it sees the end at once. */
	TC_ERR(pog_run((const char *const[]){ "/bin/cat", NULL }, out, sizeof(out), 2, &status),
	       POG_OK);
	TC_EQ_INT(status, 0);
	TC_STREQ(out, "");

	/* A hung tool is killed at the timeout, even with its output open. */
	t0 = pog_now_mono();
	TC_ERR(pog_run((const char *const[]){ "/bin/sleep", "30", NULL }, NULL, 0, 0.5, &status),
	       POG_OK);
	TC_EQ_INT(status, -1);
	TC_CHECK(pog_now_mono() - t0 < 5);

	/* A missing program exits 127; a relative path is refused. */
	TC_ERR(pog_run((const char *const[]){ "/nonexistent/tool", NULL }, out, sizeof(out), 0,
		       &status), POG_OK);
	TC_EQ_INT(status, 127);
	TC_ERR(pog_run((const char *const[]){ "true", NULL }, out, sizeof(out), 0, &status),
	       POG_ERR_INVALID);
	TC_DONE();
}
