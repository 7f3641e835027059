/*
 * test-grpfile.c - the locked, atomic edit of group and gshadow copies
 * in a temp folder: content, owner and mode, backups, no temp left, no
 * rewrite when nothing changes, the lock, and injected failures.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "grpfile.h"
#include "tcheck.h"
#include "tutil.h"
#include "util.h"

#ifndef TOP_SRCDIR
#define TOP_SRCDIR "."
#endif

static char dir[64];
static char gpath[128], spath[128];
static char *orig_group, *orig_gshadow;
static size_t orig_glen, orig_slen;

static bool
same(const char *path, const char *text, size_t len)
{
	size_t n = 0;
	char *got = tu_slurp(path, &n);
	bool ok = got != NULL && n == len && memcmp(got, text, len) == 0;

	if (!ok)
		fprintf(stderr, "%s: not the expected content\n", path);
	free(got);
	return ok;
}

static bool
exists(const char *path)
{
	return access(path, F_OK) == 0;
}

static bool
no_temp_left(void)
{
	char p[160];

	snprintf(p, sizeof(p), "%s+", gpath);
	if (exists(p))
		return false;
	snprintf(p, sizeof(p), "%s+", spath);
	return !exists(p);
}

/* Puts fresh copies of the fixtures in place: group 0644, gshadow 0640 (group 42). */
static void
reset(void)
{
	char p[160];

	tu_put(gpath, orig_group, orig_glen, 0644, 0);
	tu_put(spath, orig_gshadow, orig_slen, 0640, 42);
	snprintf(p, sizeof(p), "%s-", gpath);
	unlink(p);
	snprintf(p, sizeof(p), "%s-", spath);
	unlink(p);
}

/* Replaces one whole line of text ("old\n") with another. */
static char *
replace_line(const char *text, const char *old, const char *new)
{
	const char *p = strstr(text, old);
	struct pog_buf b = { 0 };

	if (p == NULL || (p != text && p[-1] != '\n'))
		return NULL;
	pog_buf_add(&b, text, (size_t)(p - text));
	pog_buf_addstr(&b, new);
	pog_buf_addstr(&b, p + strlen(old));
	return pog_buf_steal(&b);
}

struct plan_ctx {
	const char *add, *remove;
	struct pog_strv added, removed;
	int done_calls;
};

static pog_err
plan_fixed(void *ctx, const struct pog_grp_db *group, struct pog_strv *add,
	   struct pog_strv *remove)
{
	struct plan_ctx *c = ctx;

	(void)group;
	if (pog_strv_split(add, c->add) != POG_OK || pog_strv_split(remove, c->remove) != POG_OK)
		return POG_ERR_NOMEM;
	return POG_OK;
}

static pog_err
done_record(void *ctx, const struct pog_strv *added, const struct pog_strv *removed)
{
	struct plan_ctx *c = ctx;

	c->done_calls++;
	for (size_t i = 0; i < added->n; i++)
		pog_strv_add(&c->added, added->v[i]);
	for (size_t i = 0; i < removed->n; i++)
		pog_strv_add(&c->removed, removed->v[i]);
	return POG_OK;
}

static const struct pog_grpfile_hooks hooks = { .plan = plan_fixed, .done = done_record };

static char last_err[512];     /* the last error logged */

static void
log_quiet(void *ctx, int prio, const char *msg)
{
	(void)ctx;
	if (prio <= LOG_ERR)
		snprintf(last_err, sizeof(last_err), "%s", msg);
	if (getenv("TEST_VERBOSE") != NULL)
		fprintf(stderr, "log %d: %s\n", prio, msg);
}

static const struct pog_io io = { .log = log_quiet };

static pog_err
update(const char *add, const char *remove, struct plan_ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->add = add;
	c->remove = remove;
	return pog_grpfile_update(gpath, spath, "alice", &hooks, c, &io);
}

static void
plan_ctx_free(struct plan_ctx *c)
{
	pog_strv_free(&c->added);
	pog_strv_free(&c->removed);
}

static void
test_edit(void)
{
	struct plan_ctx c;
	struct stat st;
	char p[160];
	char *g1, *g2, *g3, *s1, *s2, *s3;

	reset();
	TC_ERR(update("devteam docker", "cdrom sudo", &c), POG_OK);
	TC_EQ_INT(c.done_calls, 1);
	TC_EQ_INT(c.added.n, 2);
	TC_EQ_INT(c.removed.n, 2);

	g1 = replace_line(orig_group, "devteam:x:1500:bob,carol\n", "devteam:x:1500:bob,carol,alice\n");
	g2 = replace_line(g1, "docker:x:997:bob\n", "docker:x:997:bob,alice\n");
	g3 = replace_line(g2, "cdrom:x:24:alice\n", "cdrom:x:24:\n");
	free(g1);
	g1 = replace_line(g3, "sudo:x:27:alice\n", "sudo:x:27:\n");
	TC_CHECK(g1 != NULL && same(gpath, g1, strlen(g1)));

	s1 = replace_line(orig_gshadow, "devteam:!:carol:bob,carol\n", "devteam:!:carol:bob,carol,alice\n");
	s2 = replace_line(s1, "docker:!:carol:bob\n", "docker:!:carol:bob,alice\n");
	s3 = replace_line(s2, "cdrom:*::alice\n", "cdrom:*::\n");
	free(s1);
	s1 = replace_line(s3, "sudo:*::alice\n", "sudo:*::\n");
	TC_CHECK(s1 != NULL && same(spath, s1, strlen(s1)));

	TC_EQ_INT(stat(gpath, &st), 0);
	TC_EQ_INT((st.st_mode & 07777), 0644);
	TC_EQ_INT(st.st_gid, 0);
	TC_EQ_INT(stat(spath, &st), 0);
	TC_EQ_INT((st.st_mode & 07777), 0640);
	TC_EQ_INT(st.st_gid, 42);
	/* backups hold the originals, with the originals' owner and mode */
	snprintf(p, sizeof(p), "%s-", gpath);
	TC_CHECK(same(p, orig_group, orig_glen));
	TC_EQ_INT(stat(p, &st), 0);
	TC_EQ_INT((st.st_mode & 07777), 0644);
	snprintf(p, sizeof(p), "%s-", spath);
	TC_CHECK(same(p, orig_gshadow, orig_slen));
	TC_EQ_INT(stat(p, &st), 0);
	TC_EQ_INT((st.st_mode & 07777), 0640);
	TC_EQ_INT(st.st_gid, 42);
	TC_CHECK(no_temp_left());
	snprintf(p, sizeof(p), "%s/.pwd.lock", dir);
	TC_EQ_INT(stat(p, &st), 0);
	TC_EQ_INT((st.st_mode & 07777), 0600);

	/* and back: the files are the originals again, byte for byte */
	plan_ctx_free(&c);
	TC_ERR(update("cdrom sudo", "devteam docker", &c), POG_OK);
	TC_CHECK(same(gpath, orig_group, orig_glen));
	TC_CHECK(same(spath, orig_gshadow, orig_slen));
	plan_ctx_free(&c);

	free(g1);
	free(g2);
	free(g3);
	free(s1);
	free(s2);
	free(s3);
}

static void
test_no_rewrite(void)
{
	struct plan_ctx c;
	struct stat before, after, sbefore, safter;
	char p[160];

	reset();
	TC_EQ_INT(stat(gpath, &before), 0);
	TC_EQ_INT(stat(spath, &sbefore), 0);
	/* already a member, not a member, no such group */
	TC_ERR(update("cdrom", "docker nosuch", &c), POG_OK);
	TC_EQ_INT(c.done_calls, 1);
	TC_EQ_INT(c.added.n, 0);
	TC_EQ_INT(c.removed.n, 0);
	TC_EQ_INT(stat(gpath, &after), 0);
	TC_EQ_INT(stat(spath, &safter), 0);
	TC_EQ_INT(before.st_ino, after.st_ino);
	TC_EQ_INT(before.st_mtime, after.st_mtime);
	TC_EQ_INT(sbefore.st_ino, safter.st_ino);
	snprintf(p, sizeof(p), "%s-", gpath);
	TC_CHECK(!exists(p));
	TC_CHECK(same(gpath, orig_group, orig_glen));
	plan_ctx_free(&c);
}

static void
test_gshadow_optional(void)
{
	struct plan_ctx c;
	char *want;

	reset();
	unlink(spath);
	TC_ERR(update("wheel", "", &c), POG_OK);
	want = replace_line(orig_group, "wheel:x:998:\n", "wheel:x:998:alice\n");
	TC_CHECK(want != NULL && same(gpath, want, strlen(want)));
	TC_CHECK(!exists(spath));
	plan_ctx_free(&c);

	reset();
	memset(&c, 0, sizeof(c));
	c.add = "wheel";
	c.remove = "";
	TC_ERR(pog_grpfile_update(gpath, NULL, "alice", &hooks, &c, &io), POG_OK);
	TC_CHECK(same(gpath, want, strlen(want)));
	TC_CHECK(same(spath, orig_gshadow, orig_slen));
	plan_ctx_free(&c);
	free(want);
}

static void
test_refused(void)
{
	struct plan_ctx c;
	char p[160];

	/* a symlink is not followed */
	reset();
	snprintf(p, sizeof(p), "%s/real-group", dir);
	tu_put(p, orig_group, orig_glen, 0644, 0);
	unlink(gpath);
	TC_EQ_INT(symlink(p, gpath), 0);
	TC_CHECK(update("wheel", "", &c) != POG_OK);
	TC_CHECK(same(p, orig_group, orig_glen));
	plan_ctx_free(&c);
	unlink(p);
	unlink(gpath);

	/* a group-writable group file is refused */
	reset();
	TC_EQ_INT(chmod(gpath, 0664), 0);
	TC_CHECK(update("wheel", "", &c) != POG_OK);
	TC_CHECK(same(gpath, orig_group, orig_glen));
	plan_ctx_free(&c);

	/* a missing group file */
	reset();
	unlink(gpath);
	TC_ERR(update("wheel", "", &c), POG_ERR_SYSTEM);
	TC_EQ_INT(c.done_calls, 0);
	plan_ctx_free(&c);

	/* a user name that could break a line */
	reset();
	memset(&c, 0, sizeof(c));
	c.add = "wheel";
	c.remove = "";
	TC_ERR(pog_grpfile_update(gpath, spath, "bob,alice", &hooks, &c, &io), POG_ERR_INVALID);
	TC_ERR(pog_grpfile_update(gpath, spath, "x\nroot:x:0:", &hooks, &c, &io), POG_ERR_INVALID);
	TC_CHECK(same(gpath, orig_group, orig_glen));
	plan_ctx_free(&c);
}

/* ---- injected failures ---- */

static int fail_at;     /* which call fails (1-based); 0: none */
static int calls;
static int fail_errno;

static ssize_t
bad_write(int fd, const void *buf, size_t n)
{
	if (++calls == fail_at) {
		errno = fail_errno;
		return -1;
	}
	return write(fd, buf, n);
}

static int
bad_fsync(int fd)
{
	if (++calls == fail_at) {
		errno = EIO;
		return -1;
	}
	return fsync(fd);
}

static int
bad_rename(const char *from, const char *to)
{
	if (++calls == fail_at) {
		errno = EXDEV;
		return -1;
	}
	return rename(from, to);
}

static int
no_link(const char *from, const char *to)
{
	(void)from;
	(void)to;
	errno = EPERM;
	return -1;
}

static void
inject(const char *what, const struct pog_grpfile_sys *sys, int max)
{
	for (int n = 1; n <= max; n++) {
		struct plan_ctx c;
		pog_err err;

		reset();
		calls = 0;
		fail_at = n;
		fail_errno = ENOSPC;
		pog_grpfile_set_test_sys(sys);
		err = update("devteam wheel", "sudo", &c);
		pog_grpfile_set_test_sys(NULL);
		if (err == POG_OK || !same(gpath, orig_group, orig_glen) ||
		    !same(spath, orig_gshadow, orig_slen) || !no_temp_left())
			fprintf(stderr, "%s failing at call %d: err %d\n", what, n, (int)err);
		TC_ERR(err, POG_ERR_SYSTEM);
		TC_EQ_INT(c.done_calls, 0);
		TC_CHECK(same(gpath, orig_group, orig_glen));
		TC_CHECK(same(spath, orig_gshadow, orig_slen));
		TC_CHECK(no_temp_left());
		plan_ctx_free(&c);
	}
}

static void
test_failures(void)
{
	const struct pog_grpfile_sys w = { .write = bad_write, .fsync = fsync, .rename = rename };
	const struct pog_grpfile_sys f = { .write = write, .fsync = bad_fsync, .rename = rename };
	const struct pog_grpfile_sys r = { .write = write, .fsync = fsync, .rename = bad_rename };
	const struct pog_grpfile_sys nl_w = { .write = bad_write, .fsync = fsync, .rename = rename,
					      .link = no_link };
	const struct pog_grpfile_sys nl_f = { .write = write, .fsync = bad_fsync, .rename = rename,
					      .link = no_link };

	/* two files, each: a hard-linked backup then the new content:
	 * 2 writes, 2 fsyncs, 4 renames (backup, new) */
	inject("write", &w, 2);
	inject("fsync", &f, 2);
	/* rename 4 is group's: gshadow is already in place and must be put back */
	inject("rename", &r, 4);
	/* no hard links: the backups are copies: 4 writes, 4 fsyncs */
	inject("write (no link)", &nl_w, 4);
	inject("fsync (no link)", &nl_f, 4);
}

/*
 * The backups are the originals themselves (the same inode, so no byte
 * of them was written), and with no hard links they are copies of the
 * same bytes, owner and mode; either way the new files are right.
 */
static void
test_backup_link(void)
{
	const struct pog_grpfile_sys nl = { .write = write, .fsync = fsync, .rename = rename,
					    .link = no_link };
	struct plan_ctx c;
	struct stat og, os, bg, bs;
	char pg[160], ps[160];

	snprintf(pg, sizeof(pg), "%s-", gpath);
	snprintf(ps, sizeof(ps), "%s-", spath);
	reset();
	TC_EQ_INT(stat(gpath, &og), 0);
	TC_EQ_INT(stat(spath, &os), 0);
	TC_ERR(update("devteam docker", "cdrom sudo", &c), POG_OK);
	TC_EQ_INT(stat(pg, &bg), 0);
	TC_EQ_INT(stat(ps, &bs), 0);
	if (bg.st_ino != og.st_ino || bs.st_ino != os.st_ino)
		fprintf(stderr, "backup link: group- inode %lu (original %lu), gshadow- %lu (%lu)\n",
			(unsigned long)bg.st_ino, (unsigned long)og.st_ino,
			(unsigned long)bs.st_ino, (unsigned long)os.st_ino);
	TC_EQ_INT(bg.st_ino, og.st_ino);
	TC_EQ_INT(bs.st_ino, os.st_ino);
	TC_EQ_INT(bg.st_nlink, 1);
	TC_EQ_INT(bs.st_nlink, 1);
	TC_CHECK(same(pg, orig_group, orig_glen) && same(ps, orig_gshadow, orig_slen));
	TC_CHECK(no_temp_left());
	plan_ctx_free(&c);

	reset();
	TC_EQ_INT(stat(gpath, &og), 0);
	pog_grpfile_set_test_sys(&nl);
	TC_ERR(update("devteam docker", "cdrom sudo", &c), POG_OK);
	pog_grpfile_set_test_sys(NULL);
	TC_CHECK(stat(pg, &bg) == 0 && bg.st_ino != og.st_ino && (bg.st_mode & 07777) == 0644);
	TC_EQ_INT(stat(ps, &bs), 0);
	TC_EQ_INT((bs.st_mode & 07777), 0640);
	TC_EQ_INT(bs.st_gid, 42);
	TC_CHECK(same(pg, orig_group, orig_glen) && same(ps, orig_gshadow, orig_slen));
	TC_CHECK(!same(gpath, orig_group, orig_glen));
	TC_CHECK(no_temp_left());
	plan_ctx_free(&c);
}

/* A line glibc reads as listing alice that we would not rewrite: nothing is written, and the log says which. */
static void
test_unparsed_refused(void)
{
	struct plan_ctx c;
	char *g;

	reset();
	g = replace_line(orig_group, "devteam:x:1500:bob,carol\n",
			 "devteam:x:1500:bob,carol\n devteam:x:1500:alice\n");
	TC_CHECK(g != NULL);
	if (g == NULL)
		return;
	tu_put(gpath, g, strlen(g), 0644, 0);
	last_err[0] = '\0';
	TC_ERR(update("", "devteam sudo", &c), POG_ERR_INVALID);
	TC_EQ_INT(c.done_calls, 0);
	TC_CHECK(same(gpath, g, strlen(g)) && same(spath, orig_gshadow, orig_slen));
	TC_CHECK(no_temp_left());
	if (strstr(last_err, "line 42") == NULL)
		fprintf(stderr, "unparsed: the last error was \"%s\"\n", last_err);
	TC_CHECK(strstr(last_err, gpath) != NULL && strstr(last_err, "line 42") != NULL &&
		 strstr(last_err, "alice") != NULL && strstr(last_err, "devteam") != NULL);
	plan_ctx_free(&c);
	free(g);
}

/* A FIFO in place of either file: refused at once, not a hang in open(2). */
static void
test_fifo(void)
{
	const char *paths[] = { gpath, spath };

	for (size_t i = 0; i < 2; i++) {
		struct pog_grp_db db = { 0 };
		struct plan_ctx c;
		char *msg = NULL;
		double t0;
		pog_err err;

		reset();
		unlink(paths[i]);
		TC_EQ_INT(mkfifo(paths[i], 0600), 0);
		last_err[0] = '\0';
		alarm(10);      /* the code before this fix blocked in open(2) */
		t0 = pog_now_mono();
		err = update("wheel", "", &c);
		TC_ERR(err, POG_ERR_SYSTEM);
		TC_EQ_INT(c.done_calls, 0);
		TC_CHECK(strstr(last_err, paths[i]) != NULL &&
			 strstr(last_err, "not a regular file") != NULL);
		TC_ERR(pog_grpfile_read(paths[i], i == 0 ? POG_GRP_GROUP : POG_GRP_GSHADOW,
					  &db, &msg), POG_ERR_SYSTEM);
		TC_CHECK(msg != NULL && strstr(msg, "not a regular file") != NULL);
		TC_CHECK(pog_now_mono() - t0 < 2);
		alarm(0);
		free(msg);
		plan_ctx_free(&c);
		unlink(paths[i]);
	}
	reset();
}

/* ---- the lock ---- */

static pid_t
hold_lock(int seconds, int *ready)
{
	int pfd[2];
	pid_t pid;
	char c;

	if (pipe(pfd) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		char p[160];
		struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
		int fd;

		/* a classic record lock, as lckpwdf() takes it */
		snprintf(p, sizeof(p), "%s/.pwd.lock", dir);
		fd = open(p, O_WRONLY | O_CREAT, 0600);
		if (fd < 0 || fcntl(fd, F_SETLKW, &fl) != 0)
			_exit(1);
		if (write(pfd[1], "x", 1) != 1)
			_exit(1);
		sleep((unsigned)seconds);
		_exit(0);
	}
	close(pfd[1]);
	*ready = read(pfd[0], &c, 1) == 1;
	close(pfd[0]);
	return pid;
}

static void
test_lock(void)
{
	struct plan_ctx c;
	double t0, t;
	int ready = 0, status;
	pid_t pid;

	/* a holder that lets go after 1 s: we wait for it */
	reset();
	pid = hold_lock(1, &ready);
	TC_CHECK(pid > 0 && ready);
	t0 = pog_now_mono();
	TC_ERR(update("wheel", "", &c), POG_OK);
	t = pog_now_mono() - t0;
	TC_CHECK(t >= 0.8 && t < 10);
	waitpid(pid, &status, 0);
	plan_ctx_free(&c);

	/* a holder killed with SIGKILL loses the lock */
	reset();
	pid = hold_lock(60, &ready);
	TC_CHECK(pid > 0 && ready);
	if (fork() == 0) {
		usleep(300 * 1000);
		kill(pid, SIGKILL);
		_exit(0);
	}
	t0 = pog_now_mono();
	TC_ERR(update("wheel", "", &c), POG_OK);
	t = pog_now_mono() - t0;
	TC_CHECK(t < 10);
	waitpid(pid, &status, 0);
	TC_CHECK(WIFSIGNALED(status));
	while (wait(&status) > 0)
		;
	plan_ctx_free(&c);
}

/*
 * A read-only folder and a full disk, for real: in a private mount
 * namespace (root only), a read-only bind mount and a tiny tmpfs.
 */
static int
in_namespace(const char *what, int (*fn)(void))
{
	pid_t pid;
	int status;

	if (geteuid() != 0) {
		printf("SKIP %s: needs root for a private mount namespace\n", what);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		if (unshare(CLONE_NEWNS) != 0 ||
		    mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) != 0)
			_exit(77);
		_exit(fn());
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 1;
	if (WEXITSTATUS(status) == 77)
		printf("SKIP %s: cannot make a private mount namespace here\n", what);
	return WEXITSTATUS(status);
}

static int
ro_child(void)
{
	struct plan_ctx c;
	pog_err err;

	if (mount(dir, dir, "none", MS_BIND, NULL) != 0 ||
	    mount("none", dir, "none", MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) != 0)
		return 77;
	err = update("wheel devteam", "sudo", &c);
	plan_ctx_free(&c);
	if (err != POG_ERR_SYSTEM || !same(gpath, orig_group, orig_glen) ||
	    !same(spath, orig_gshadow, orig_slen) || !no_temp_left())
		return 1;
	return 0;
}

/*
 * Room for the two files and their new copies (a page each), not for
 * copied backups: the backups are hard links and take no room, so the
 * edit goes through and the backups are the originals.
 */
static int
full_child(void)
{
	struct plan_ctx c;
	char pg[160], ps[160];
	pog_err err;

	if (mount("tmpfs", dir, "tmpfs", 0, "size=16k,mode=0755") != 0)
		return 77;
	reset();
	snprintf(pg, sizeof(pg), "%s-", gpath);
	snprintf(ps, sizeof(ps), "%s-", spath);
	err = update("wheel devteam", "sudo", &c);
	plan_ctx_free(&c);
	if (err != POG_OK || same(gpath, orig_group, orig_glen) ||
	    !same(pg, orig_group, orig_glen) || !same(ps, orig_gshadow, orig_slen) ||
	    !no_temp_left())
		return 1;
	return 0;
}

static int
full_child_tight(void)
{
	struct plan_ctx c;
	char p[160];
	pog_err err;
	int fd;
	static char junk[1024];

	if (mount("tmpfs", dir, "tmpfs", 0, "size=64k,mode=0755") != 0)
		return 77;
	reset();
	/* fill every page that is left */
	snprintf(p, sizeof(p), "%s/filler", dir);
	fd = open(p, O_WRONLY | O_CREAT, 0600);
	while (fd >= 0 && write(fd, junk, sizeof(junk)) > 0)
		;
	if (fd >= 0)
		close(fd);
	err = update("wheel devteam", "sudo", &c);
	plan_ctx_free(&c);
	if (err != POG_ERR_SYSTEM || !same(gpath, orig_group, orig_glen) ||
	    !same(spath, orig_gshadow, orig_slen) || !no_temp_left())
		return 1;
	return 0;
}

/*
 * nscd and sssd are told after the lock is dropped: in a private mount
 * namespace, this folder is /etc, /run has nscd's socket, and
 * /usr/sbin/nscd is a probe that tries the lock the way lckpwdf does.
 */
static char self_exe[256];

/* The probe's own run: "--probe-lock LOCKFILE OUT ARGS...". */
static int
probe_lock(int argc, char **argv)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	int fd = open(argv[2], O_RDWR | O_CLOEXEC);
	FILE *out = fopen(argv[3], "w");
	bool is_free;

	if (fd < 0 || out == NULL)
		return 2;
	is_free = fcntl(fd, F_SETLK, &fl) == 0;
	fprintf(out, "%s", is_free ? "free" : "locked");
	for (int i = 4; i < argc; i++)
		fprintf(out, " %s", argv[i]);
	return fclose(out) == 0 ? 0 : 2;
}

static char *
probe_result(void)
{
	char *r = tu_slurp("/run/nscd/probe", NULL);

	unlink("/run/nscd/probe");
	return r;
}

static int
cache_child(void)
{
	char a0[] = "/usr/sbin/nscd", a1[] = "-i", a2[] = "group";
	char *const argv[] = { a0, a1, a2, NULL };
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	struct plan_ctx c;
	char *cache, *script, *r;
	size_t clen = 0;
	pid_t pid;
	int fd, status, rc = 1;
	pog_err err;

	/* the loader's cache, so that the probe starts with this folder as /etc */
	cache = tu_slurp("/etc/ld.so.cache", &clen);
	if (cache != NULL) {
		char p[160];

		snprintf(p, sizeof(p), "%s/ld.so.cache", dir);
		tu_put(p, cache, clen, 0644, 0);
		free(cache);
	}
	reset();
	if (mount(dir, "/etc", "none", MS_BIND, NULL) != 0 ||
	    mount("tmpfs", "/run", "tmpfs", 0, "mode=0755") != 0 ||
	    mount("tmpfs", "/usr/sbin", "tmpfs", 0, "mode=0755") != 0)
		return 77;
	script = pog_asprintf("#!/bin/sh\nexec '%s' --probe-lock /etc/.pwd.lock /run/nscd/probe \"$@\"\n",
			      self_exe);
	if (script == NULL || mkdir("/run/nscd", 0755) != 0)
		return 1;
	tu_put("/run/nscd/socket", "", 0, 0644, 0);
	tu_put("/usr/sbin/nscd", script, strlen(script), 0755, 0);
	free(script);

	/* the probe itself: it sees a lock we hold */
	fd = open("/etc/.pwd.lock", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || fcntl(fd, F_OFD_SETLK, &fl) != 0)
		return 1;
	pid = fork();
	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		return 1;
	close(fd);
	r = probe_result();
	if (r == NULL || strcmp(r, "locked -i group") != 0) {
		fprintf(stderr, "cache probe, lock held: \"%s\"\n", r != NULL ? r : "(none)");
		free(r);
		return 1;
	}
	free(r);

	/* the real thing: the lock is free while nscd -i group runs */
	memset(&c, 0, sizeof(c));
	c.add = "wheel";
	c.remove = "";
	err = pog_grpfile_update("/etc/group", "/etc/gshadow", "alice", &hooks, &c, &io);
	plan_ctx_free(&c);
	r = probe_result();
	if (err != POG_OK || r == NULL || strcmp(r, "free -i group") != 0)
		fprintf(stderr, "cache probe during the update (err %d): \"%s\"\n", (int)err,
			r != NULL ? r : "(nscd never ran)");
	else
		rc = 0;
	free(r);
	return rc;
}

static void
test_cache_after_unlock(void)
{
	ssize_t n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);
	int r;

	if (n <= 0 || (size_t)n >= sizeof(self_exe) - 1) {
		printf("SKIP cache invalidation: cannot find this program\n");
		return;
	}
	self_exe[n] = '\0';
	r = in_namespace("cache invalidation after the lock", cache_child);
	if (r >= 0 && r != 77)
		TC_EQ_INT(r, 0);
	reset();
}

static void
test_real_faults(void)
{
	int r;

	reset();
	r = in_namespace("read-only folder", ro_child);
	if (r >= 0 && r != 77)
		TC_EQ_INT(r, 0);
	r = in_namespace("full disk", full_child_tight);
	if (r >= 0 && r != 77)
		TC_EQ_INT(r, 0);
	r = in_namespace("room for the new copies only", full_child);
	if (r >= 0 && r != 77)
		TC_EQ_INT(r, 0);
}

static void
cleanup(void)
{
	static const char *names[] = {
		"group", "group-", "group+", "gshadow", "gshadow-", "gshadow+",
		".pwd.lock", "real-group", "filler", "ld.so.cache",
	};
	char p[160];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		unlink(p);
	}
	rmdir(dir);
}

int
main(int argc, char **argv)
{
	char *fx;

	if (argc >= 4 && strcmp(argv[1], "--probe-lock") == 0)
		return probe_lock(argc, argv);

	strcpy(dir, "/tmp/pog-grpfile-XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 99;
	}
	snprintf(gpath, sizeof(gpath), "%s/group", dir);
	snprintf(spath, sizeof(spath), "%s/gshadow", dir);
	fx = pog_asprintf("%s/tests/grp/group.debian", TOP_SRCDIR);
	orig_group = tu_slurp(fx, &orig_glen);
	free(fx);
	fx = pog_asprintf("%s/tests/grp/gshadow.debian", TOP_SRCDIR);
	orig_gshadow = tu_slurp(fx, &orig_slen);
	free(fx);
	if (orig_group == NULL || orig_gshadow == NULL) {
		fprintf(stderr, "cannot read the fixtures in %s/tests/grp\n", TOP_SRCDIR);
		return 99;
	}

	test_edit();
	test_no_rewrite();
	test_gshadow_optional();
	test_refused();
	test_failures();
	test_backup_link();
	test_lock();
	test_real_faults();
	test_unparsed_refused();
	test_fifo();
	test_cache_after_unlock();

	cleanup();
	free(orig_group);
	free(orig_gshadow);
	TC_DONE();
}
