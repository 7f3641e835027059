/*
 * crashsync - the account-phase sync (persistent mode) of one user
 * against ETC/group and ETC/gshadow, killed in the middle, for
 * tests/test-crash.sh.
 *
 *   crashsync sync ETC STATE USER [IDP-GROUP...]
 *       one sync; prints how long it took
 *   crashsync torture:KILLS REF ETC STATE USER [IDP-GROUP...]
 *       REF holds group.old, gshadow.old (the files before the sync)
 *       and group.new, gshadow.new (after it). First, for each write,
 *       fsync and rename of grpfile.c in turn, a sync that SIGKILLs
 *       itself just before that call; then KILLS syncs, each SIGKILLed
 *       at a random moment within the time a sync takes. After every
 *       kill it checks the state the kill left (see after_kill) and
 *       prints the tally; exit 0 only if every check held. It stops
 *       at the first failure, and says what failed.
 *
 * USER's primary gid is 2001. The roles: developer = devteam docker,
 * operator = ops; the bindings: DevTeam = developer, Ops = operator.
 * CRASHSYNC_SEED fixes the random delays (the seed is printed).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "grpfile.h"
#include "ledger.h"
#include "sync.h"
#include "util.h"

#define RECOVERY_MAX 5.0        /* s; a lock left behind holds for 15 s */

struct file {
	char *data;
	size_t len;
};

struct run {
	const struct pog_config *cfg;
	const char *etc, *state, *user;
	int ngroups;
	char **groups;
	struct file gold, gnew, sold, snew;
	mode_t gmode, smode;
	const char *label;      /* of the kill being checked */
	char seen[16];          /* "group/gshadow" versions after it */
	unsigned long ledger_temps;
	double recovery_max;
};

static long die_at;             /* this process kills itself at call die_at */
static long calls;

static void
log_err(void *ctx, int prio, const char *msg)
{
	(void)ctx;
	if (prio <= LOG_ERR && getenv("CRASHSYNC_VERBOSE") != NULL)
		fprintf(stderr, "crashsync[%d]: %s\n", (int)getpid(), msg);
}

static const struct pog_io io = { .log = log_err };

static void
counted(void)
{
	if (++calls == die_at)
		raise(SIGKILL);
}

static ssize_t
hook_write(int fd, const void *buf, size_t n)
{
	counted();
	return write(fd, buf, n);
}

static int
hook_fsync(int fd)
{
	counted();
	return fsync(fd);
}

static int
hook_rename(const char *from, const char *to)
{
	counted();
	return rename(from, to);
}

static int
hook_link(const char *from, const char *to)
{
	counted();
	return link(from, to);
}

static const struct pog_grpfile_sys hooks = { hook_write, hook_fsync, hook_rename, hook_link };

static void
die(const char *what)
{
	fprintf(stderr, "crashsync: %s: %s\n", what, strerror(errno));
	exit(99);
}

static char *
path2(const char *dir, const char *name)
{
	char *p = pog_asprintf("%s/%s", dir, name);

	if (p == NULL)
		die("asprintf");
	return p;
}

static bool
file_read(const char *path, struct file *f)
{
	struct pog_buf b = { 0 };
	char chunk[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		if (pog_buf_add(&b, chunk, (size_t)n) != POG_OK)
			die("read");
	close(fd);
	if (n < 0)
		die(path);
	f->len = b.len;
	f->data = pog_buf_steal(&b);
	return true;
}

static bool
file_is(const char *path, const struct file *want)
{
	struct file f = { 0 };
	bool same;

	if (!file_read(path, &f))
		return false;
	same = f.len == want->len && memcmp(f.data, want->data, f.len) == 0;
	free(f.data);
	return same;
}

static void
file_write(const char *path, const struct file *f, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	if (fd < 0 || write(fd, f->data, f->len) != (ssize_t)f->len ||
	    fchmod(fd, mode) != 0 || close(fd) != 0)
		die(path);
}

static void
ref_read(const char *ref, const char *name, struct file *f)
{
	char *p = path2(ref, name);

	if (!file_read(p, f))
		die(p);
	free(p);
}

static bool
exists(const char *dir, const char *name)
{
	char *p = path2(dir, name);
	bool e = access(p, F_OK) == 0;

	free(p);
	return e;
}

static void
unlink_in(const char *dir, const char *name)
{
	char *p = path2(dir, name);

	if (unlink(p) != 0 && errno != ENOENT)
		die(p);
	free(p);
}

static void
role(struct pog_role *r, const char *name, const char *groups)
{
	r->name = strdup(name);
	if (r->name == NULL || pog_strv_split(&r->groups, groups) != POG_OK)
		exit(99);
}

static void
binding(struct pog_binding *b, const char *idp_group, const char *role_name)
{
	b->idp_group = strdup(idp_group);
	b->role = strdup(role_name);
	if (b->idp_group == NULL || b->role == NULL)
		exit(99);
}

static void
make_cfg(struct pog_config *cfg, const char *etc, const char *state)
{
	memset(cfg, 0, sizeof(*cfg));
	if (pog_cfg_defaults(cfg) != POG_OK)
		exit(99);
	free(cfg->group_file);
	free(cfg->gshadow_file);
	free(cfg->state_dir);
	cfg->group_file = path2(etc, "group");
	cfg->gshadow_file = path2(etc, "gshadow");
	cfg->state_dir = strdup(state);
	cfg->mode = POG_MODE_PERSISTENT;
	cfg->deny_on_no_binding = true;
	cfg->authoritative = true;      /* u01's ops goes, though no ledger says it was ours */
	cfg->roles = calloc(2, sizeof(*cfg->roles));
	cfg->bindings = calloc(2, sizeof(*cfg->bindings));
	if (cfg->state_dir == NULL || cfg->roles == NULL || cfg->bindings == NULL)
		exit(99);
	role(&cfg->roles[0], "developer", "devteam docker");
	role(&cfg->roles[1], "operator", "ops");
	cfg->nroles = 2;
	binding(&cfg->bindings[0], "DevTeam", "developer");
	binding(&cfg->bindings[1], "Ops", "operator");
	cfg->nbindings = 2;
}

/* One sync in this process; 0 if it succeeded. */
static int
sync_once(const struct run *r)
{
	struct pog_identity id = { 0 };
	struct pog_sync_result res = { 0 };
	pog_err err;

	id.user = strdup(r->user);
	id.sub = strdup("00u-crash");
	id.issuer = strdup("https://idp.test/oauth2/default");
	id.groups_present = true;
	id.groups_source = "id_token";
	id.auth_time = (long)time(NULL);
	if (id.user == NULL || id.sub == NULL || id.issuer == NULL)
		return 99;
	for (int i = 0; i < r->ngroups; i++)
		if (pog_strv_add(&id.groups, r->groups[i]) != POG_OK)
			return 99;
	err = pog_sync_account_gid(r->cfg, &id, &io, false, 2001, &res);
	if (err != POG_OK)
		fprintf(stderr, "crashsync: sync failed: %s\n", pog_strerror(err));
	pog_sync_result_free(&res);
	pog_identity_free(&id);
	return err == POG_OK ? 0 : 1;
}

/*
 * A sync in a child. die_call > 0: the child kills itself before that
 * grpfile call. us >= 0: the parent kills it us microseconds after the
 * fork. Returns the wait status.
 */
static int
sync_child(const struct run *r, long die_call, long us)
{
	int st = 0;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		if (die_call > 0) {
			die_at = die_call;
			calls = 0;
			pog_grpfile_set_test_sys(&hooks);
		}
		_exit(sync_once(r));
	}
	if (us >= 0) {
		struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
		(void)kill(pid, SIGKILL);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	return st;
}

static int
lock_free(const char *etc)
{
	struct flock fl;
	char *path = path2(etc, ".pwd.lock");
	int fd, rc;

	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	free(path);
	if (fd < 0)
		return 2;
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	rc = fcntl(fd, F_OFD_SETLK, &fl) == 0 ? 0 : (errno == EAGAIN || errno == EACCES) ? 1 : 2;
	close(fd);
	return rc;
}

/* The old files, no backup, no temp file, an empty state folder. */
static void
reset(struct run *r)
{
	DIR *d;
	struct dirent *e;
	size_t ulen = strlen(r->user);
	char *gp = path2(r->etc, "group"), *sp = path2(r->etc, "gshadow");

	file_write(gp, &r->gold, r->gmode);
	file_write(sp, &r->sold, r->smode);
	free(gp);
	free(sp);
	unlink_in(r->etc, "group-");
	unlink_in(r->etc, "gshadow-");
	unlink_in(r->etc, "group+");
	unlink_in(r->etc, "gshadow+");
	d = opendir(r->state);
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		/* a sync killed while writing the ledger leaves USER.XXXXXX */
		if (strncmp(e->d_name, r->user, ulen) == 0 && e->d_name[ulen] == '.')
			r->ledger_temps++;
		unlink_in(r->state, e->d_name);
	}
	closedir(d);
}

/*
 * The state a kill left: each file exactly the old or the new version,
 * never a new group with an old gshadow (gshadow goes in first), any
 * backup a whole copy of the old file, the lock free, the ledger sound.
 * Then a fresh sync succeeds at once, and leaves exactly the new files
 * and no temp file.
 */
static bool
after_kill(struct run *r)
{
	char *gp = path2(r->etc, "group"), *sp = path2(r->etc, "gshadow");
	char *gb = path2(r->etc, "group-"), *sb = path2(r->etc, "gshadow-");
	const char *g, *s;
	struct pog_ledger l = { 0 };
	char *msg = NULL;
	pog_err err;
	double t0, took;
	int st, e;
	bool ok = false;

	g = file_is(gp, &r->gold) ? "old" : file_is(gp, &r->gnew) ? "new" : NULL;
	s = file_is(sp, &r->sold) ? "old" : file_is(sp, &r->snew) ? "new" : NULL;
	snprintf(r->seen, sizeof(r->seen), "%s/%s", g ? g : "?", s ? s : "?");
	if (g == NULL || s == NULL) {
		fprintf(stderr, "FAIL: %s: group %s, gshadow %s: neither the old nor the new version\n",
			r->label, g ? g : "?", s ? s : "?");
		goto out;
	}
	if (strcmp(g, "new") == 0 && strcmp(s, "old") == 0) {
		fprintf(stderr, "FAIL: %s: group was replaced before gshadow\n", r->label);
		goto out;
	}
	if ((access(gb, F_OK) == 0 && !file_is(gb, &r->gold)) ||
	    (access(sb, F_OK) == 0 && !file_is(sb, &r->sold))) {
		fprintf(stderr, "FAIL: %s: a backup is not a whole copy of the old file\n", r->label);
		goto out;
	}
	if (lock_free(r->etc) != 0) {
		fprintf(stderr, "FAIL: %s: the lock is still held\n", r->label);
		goto out;
	}
	err = pog_ledger_load(r->state, r->user, &l, &msg);
	e = errno;
	if (err != POG_OK && !(err == POG_ERR_SYSTEM && e == ENOENT)) {
		fprintf(stderr, "FAIL: %s: the ledger is corrupt: %s\n", r->label,
			msg != NULL ? msg : pog_strerror(err));
		goto out;
	}
	/* the intent: a group added in place is in the ledger by then */
	if (strcmp(g, "new") == 0 && (err != POG_OK || !pog_strv_contains(&l.managed, "devteam") ||
				       !pog_strv_contains(&l.managed, "docker"))) {
		fprintf(stderr, "FAIL: %s: group is new, but the ledger does not list "
			"devteam and docker\n", r->label);
		goto out;
	}
	t0 = pog_now_mono();
	st = sync_child(r, 0, -1);
	took = pog_now_mono() - t0;
	if (took > r->recovery_max)
		r->recovery_max = took;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "FAIL: %s: the next sync fails\n", r->label);
		goto out;
	}
	if (took > RECOVERY_MAX) {
		fprintf(stderr, "FAIL: %s: the next sync took %.1f s\n", r->label, took);
		goto out;
	}
	if (!file_is(gp, &r->gnew) || !file_is(sp, &r->snew)) {
		fprintf(stderr, "FAIL: %s: the next sync did not give the new files\n", r->label);
		goto out;
	}
	if (exists(r->etc, "group+") || exists(r->etc, "gshadow+")) {
		fprintf(stderr, "FAIL: %s: a temp file is left after the next sync\n", r->label);
		goto out;
	}
	ok = true;
out:
	pog_ledger_free(&l);
	free(msg);
	free(gp);
	free(sp);
	free(gb);
	free(sb);
	return ok;
}

struct tally {
	const char *state;
	unsigned long n;
};

static void
count(struct tally *t, size_t nt, const char *state)
{
	for (size_t i = 0; i < nt; i++)
		if (t[i].state != NULL && strcmp(t[i].state, state) == 0) {
			t[i].n++;
			return;
		}
}

static int
torture(struct run *r, long kills)
{
	struct tally t[] = { { "old/old", 0 }, { "old/new", 0 }, { "new/new", 0 } };
	unsigned long hit = 0, finished = 0, backups = 0;
	char label[64];
	unsigned int seed = 0;
	const char *e = getenv("CRASHSYNC_SEED");
	long ncalls, span = 0, fixed = 0, took[3];
	double t0;
	int st;

	r->label = label;
	/* How many grpfile calls one sync makes, and how long it takes. */
	reset(r);
	snprintf(label, sizeof(label), "a plain sync");
	st = sync_child(r, 0, -1);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || !after_kill(r))
		return 1;
	calls = 0;
	die_at = 0;
	pog_grpfile_set_test_sys(&hooks);
	reset(r);
	if (sync_once(r) != 0)
		return 1;
	pog_grpfile_set_test_sys(NULL);
	ncalls = calls;
	/* The median of three, timed from the fork, as the random delays are. */
	for (int i = 0; i < 3; i++) {
		reset(r);
		t0 = pog_now_mono();
		st = sync_child(r, 0, -1);
		took[i] = (long)((pog_now_mono() - t0) * 1e6);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			return 1;
	}
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2 - i; j++)
			if (took[j] > took[j + 1]) {
				long x = took[j];

				took[j] = took[j + 1];
				took[j + 1] = x;
			}
	span = took[1] + took[1] / 4;   /* most kills land mid-sync, some after */

	/* 1. A kill just before each write, fsync and rename in turn. */
	printf("each call: %ld writes, fsyncs and renames; state after a kill before call N:", ncalls);
	for (long n = 1; n <= ncalls; n++) {
		snprintf(label, sizeof(label), "kill before call %ld", n);
		reset(r);
		st = sync_child(r, n, -1);
		if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL) {
			fprintf(stderr, "FAIL: %s: the sync did not die\n", label);
			return 1;
		}
		if (!after_kill(r))
			return 1;
		printf(" %ld:%s", n, r->seen);
		count(t, 3, r->seen);
	}
	printf("\n");
	if (t[0].n == 0 || t[1].n == 0) {
		fprintf(stderr, "FAIL: no kill left the old files, or none fell between the renames\n");
		return 1;
	}

	/* 2. Random kills within the time a sync takes. */
	if (e != NULL && pog_parse_long(e, 0, 0x7fffffff, &fixed))
		seed = (unsigned int)fixed;
	else if (getrandom(&seed, sizeof(seed), 0) != (ssize_t)sizeof(seed))
		seed = (unsigned int)time(NULL);
	seed &= 0x7fffffff;
	srandom(seed);
	memset(t, 0, sizeof(t));
	t[0].state = "old/old";
	t[1].state = "old/new";
	t[2].state = "new/new";
	r->ledger_temps = 0;
	r->recovery_max = 0;
	t0 = pog_now_mono();
	for (long i = 1; i <= kills; i++) {
		long us = random() % (span + 1);

		snprintf(label, sizeof(label), "kill %ld after %ld us (seed %u)", i, us, seed);
		reset(r);
		st = sync_child(r, 0, us);
		if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
			hit++;
		else if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			finished++;
		else {
			fprintf(stderr, "FAIL: %s: the sync failed before the kill\n", label);
			return 1;
		}
		if (exists(r->etc, "group-"))
			backups++;
		if (!after_kill(r))
			return 1;
		count(t, 3, r->seen);
	}
	reset(r);
	printf("random: %ld kills within %ld us (seed %u) in %.1f s: %lu mid-sync, %lu after it\n",
	       kills, span, seed, pog_now_mono() - t0, hit, finished);
	printf("random: states old/old=%lu old/new=%lu new/new=%lu; a backup made in %lu; "
	       "ledger temp files left by kills: %lu; next sync at most %.0f ms\n",
	       t[0].n, t[1].n, t[2].n, backups, r->ledger_temps, r->recovery_max * 1e3);
	if (hit * 10 < (unsigned long)kills * 4 || t[0].n == 0 || t[2].n == 0) {
		fprintf(stderr, "FAIL: the kills did not fall throughout the sync\n");
		return 1;
	}
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: crashsync sync ETC STATE USER [IDP-GROUP...]\n"
		"       crashsync torture:KILLS REF ETC STATE USER [IDP-GROUP...]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct pog_config cfg;
	struct run r = { 0 };
	struct stat st;
	long kills = -1;
	int a = 2, rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		usage();
	if (strncmp(argv[1], "torture:", 8) == 0) {
		if (!pog_parse_long(argv[1] + 8, 1, 1000000, &kills) || argc < 6)
			usage();
		ref_read(argv[2], "group.old", &r.gold);
		ref_read(argv[2], "group.new", &r.gnew);
		ref_read(argv[2], "gshadow.old", &r.sold);
		ref_read(argv[2], "gshadow.new", &r.snew);
		a = 3;
	} else if (argc < 5 || strcmp(argv[1], "sync") != 0) {
		usage();
	}
	r.etc = argv[a];
	r.state = argv[a + 1];
	r.user = argv[a + 2];
	r.ngroups = argc - a - 3;
	r.groups = argv + a + 3;
	make_cfg(&cfg, r.etc, r.state);
	r.cfg = &cfg;
	if (kills > 0) {
		char *gp = path2(r.etc, "group"), *sp = path2(r.etc, "gshadow");

		if (stat(gp, &st) != 0)
			die(gp);
		r.gmode = st.st_mode & 07777;
		if (stat(sp, &st) != 0)
			die(sp);
		r.smode = st.st_mode & 07777;
		free(gp);
		free(sp);
		rc = torture(&r, kills);
	} else {
		double t0 = pog_now_mono();

		rc = sync_once(&r);
		if (rc == 0)
			printf("sync %.0f us\n", (pog_now_mono() - t0) * 1e6);
	}
	free(r.gold.data);
	free(r.gnew.data);
	free(r.sold.data);
	free(r.snew.data);
	pog_cfg_free(&cfg);
	return rc;
}
