/*
 * test-stale-tmp - a writer killed between mkostemp and rename leaves its
 * temp file in state_dir; the next write of the ledger removes it, and
 * nothing else: not a fresh temp, not one of another owner's, not a
 * user's ledger whose name merely looks like NAME.XXXXXX.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ledger.h"
#include "tcheck.h"
#include "tutil.h"
#include "util.h"

static void
put(const char *path, time_t age)
{
	struct timespec ts[2];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	TC_CHECK(fd >= 0);
	if (fd < 0)
		return;
	TC_EQ_INT(write(fd, "{", 1), 1);
	ts[0].tv_sec = ts[1].tv_sec = time(NULL) - age;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	TC_EQ_INT(futimens(fd, ts), 0);
	close(fd);
}

static bool
exists(const char *dir, const char *name)
{
	char *p = pog_asprintf("%s/%s", dir, name);
	struct stat st;
	bool r = p != NULL && lstat(p, &st) == 0;

	free(p);
	return r;
}

int
main(void)
{
	char tmpl[] = "/tmp/test-stale-tmp.XXXXXX";
	char *dir = mkdtemp(tmpl);
	struct pog_ledger l = { 0 };
	char *p;

	TC_CHECK(dir != NULL);
	if (dir == NULL)
		return 1;
	l.user = strdup("alice");
	TC_ERR(pog_ledger_write(dir, &l), POG_OK);
	/* alice's ledger exists; "alice.smiths" is a user, not a temp file */
	p = pog_asprintf("%s/.alice.Ab3xYz", dir);
	put(p, 3600);                           /* killed an hour ago */
	free(p);
	p = pog_asprintf("%s/.alice.Qw9rTy", dir);
	put(p, 5);                              /* a live writer's */
	free(p);
	p = pog_asprintf("%s/alice.smiths", dir);
	put(p, 3600);
	free(p);
	p = pog_asprintf("%s/.nobody.Ab3xYz", dir);
	put(p, 3600);                           /* names no file: not ours to judge */
	free(p);

	TC_ERR(pog_ledger_write(dir, &l), POG_OK);
	if (exists(dir, ".alice.Ab3xYz"))
		fprintf(stderr, "the stale temp .alice.Ab3xYz is still there\n");
	TC_CHECK(!exists(dir, ".alice.Ab3xYz"));
	TC_CHECK(exists(dir, ".alice.Qw9rTy"));
	TC_CHECK(exists(dir, "alice.smiths"));
	TC_CHECK(exists(dir, ".nobody.Ab3xYz"));
	TC_CHECK(exists(dir, "alice"));
	pog_ledger_free(&l);
	{
		(void)tu_rm_rf(dir);
	}
	TC_DONE();
}
