/*
 * test-stale-tmp - a writer killed between mkostemp and rename leaves its
 * temp file in state_dir; the next write of the ledger removes it, and
 * nothing else: not a fresh temp, not one of another owner's, not a
 * user's ledger whose name merely looks like NAME.XXXXXX. And the
 * two-step write (pog_atomic_begin, then commit or abort) leaves the
 * file as it was until the commit, and no temp either way.
 */
#include "config.h"

#include <dirent.h>
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

/* How many temps of NAME (".NAME.XXXXXX") dir holds. */
static int
temps_of(const char *dir, const char *name)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t len = strlen(name);
	int n = 0;

	TC_CHECK(d != NULL);
	while (d != NULL && (de = readdir(d)) != NULL)
		if (de->d_name[0] == '.' && strncmp(de->d_name + 1, name, len) == 0 &&
		    de->d_name[len + 1] == '.' && strlen(de->d_name + len + 2) == 6)
			n++;
	if (d != NULL)
		closedir(d);
	return n;
}

/* pog_atomic_begin, then commit or abort: the file is old until the commit, and no temp is left. */
static void
test_two_steps(const char *dir)
{
	char *path = pog_asprintf("%s/two", dir);
	struct pog_atomic a;
	char *got;

	TC_CHECK(path != NULL);
	if (path == NULL)
		return;
	TC_ERR(pog_write_file_atomic(path, "old\n", 4, 0600), POG_OK);
	TC_ERR(pog_atomic_begin(&a, path, "new\n", 4, 0640), POG_OK);
	TC_EQ_INT(temps_of(dir, "two"), 1);
	got = tu_slurp(path, NULL);
	TC_EQ_STR(got, "old\n");               /* not in place before the commit */
	free(got);
	pog_atomic_abort(&a);
	TC_EQ_INT(temps_of(dir, "two"), 0);
	got = tu_slurp(path, NULL);
	TC_EQ_STR(got, "old\n");
	free(got);

	TC_ERR(pog_atomic_begin(&a, path, "new\n", 4, 0640), POG_OK);
	TC_ERR(pog_atomic_commit(&a, false), POG_OK);
	TC_EQ_INT(temps_of(dir, "two"), 0);
	got = tu_slurp(path, NULL);
	TC_EQ_STR(got, "new\n");
	free(got);
	{
		struct stat st;

		TC_EQ_INT(stat(path, &st), 0);
		TC_EQ_INT(st.st_mode & 07777, 0640);
	}
	/* a folder that is not there: begin fails, and there is nothing to abort */
	free(path);
	path = pog_asprintf("%s/none/two", dir);
	TC_ERR(pog_atomic_begin(&a, path, "x", 1, 0600), POG_ERR_SYSTEM);
	TC_CHECK(a.tmp == NULL && a.path == NULL && a.fd == -1);
	free(path);
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
	test_two_steps(dir);
	{
		(void)tu_rm_rf(dir);
	}
	TC_DONE();
}
