/*
 * syncbench - the sync benchmark's driver (bench/, not a test).
 *
 *   syncbench DIR NGROUPS REPS [--gpasswd GREPS]
 *
 * Makes DIR/group and DIR/gshadow with NGROUPS groups (every tenth one
 * with members), one user "benchuser" in wheel and adm, and the roles of
 * the example config. Then, REPS times (after one warm-up round), it
 * syncs benchuser with pog_sync_account_gid, alternating the IdP groups
 * between "DevTeam" and "Organization Admins", so every round adds two
 * groups and removes two (wheel adm <-> devteam docker), and times,
 * interleaved with it so that the shared machine's noise hits all alike:
 *
 *   cp       cp of both files (the floor)
 *   cpsync   the same cp, then fsync of both copies (the durable floor)
 *   gpasswd  (--gpasswd) four gpasswd -a/-d making the same changes to
 *            /etc/group and /etc/gshadow, in the first GREPS rounds only
 *            (it is slow on large files); only inside the namespace that
 *            scripts/bench sets up, with a copy of /etc bind-mounted
 *            over /etc: it refuses to run unless /etc/.pog-bench-ns
 *            exists, so the host's files are never touched. That
 *            /etc/passwd must hold benchuser.
 *
 * After gpasswd's last round, the module's group files and gpasswd's
 * must be equal byte for byte. Output, one line per figure, tab-separated:
 *   NGROUPS  what  median_ms  min_ms  max_ms  bytes
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "sync.h"
#include "util.h"

#define USER "benchuser"
#define NS_MARKER "/etc/.pog-bench-ns"

extern char **environ;

static char gpath[512], spath[512], state[512], cpdir[512];

static void
die(const char *what)
{
	fprintf(stderr, "syncbench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void
put(const char *path, const struct pog_buf *b, mode_t mode)
{
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, b->data, b->len) != (ssize_t)b->len ||
	    fchmod(fd, mode) != 0 || fsync(fd) != 0 || close(fd) != 0)
		die(path);
}

/* The name of group i: the four role groups sit at 1/4, 1/2, 3/4 and the end. */
static const char *
group_name(long i, long n, char *buf, size_t len)
{
	if (i == n / 4)
		return "wheel";
	if (i == n / 2)
		return "adm";
	if (i == 3 * n / 4)
		return "devteam";
	if (i == n - 1)
		return "docker";
	snprintf(buf, len, "g%07ld", i);
	return buf;
}

static void
make_files(long n, struct pog_buf *g, struct pog_buf *s)
{
	char nb[32];

	for (long i = 0; i < n; i++) {
		const char *name = group_name(i, n, nb, sizeof(nb));
		const char *members = "";

		if (strcmp(name, "wheel") == 0 || strcmp(name, "adm") == 0)
			members = "root," USER;
		else if (i % 10 == 0)
			members = "alice,bob,carol";
		if (pog_buf_printf(g, "%s:x:%ld:%s\n", name, 10000 + i, members) != POG_OK ||
		    pog_buf_printf(s, "%s:!::%s\n", name, members) != POG_OK)
			die("out of memory");
	}
}

static void
make_cfg(struct pog_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	if (pog_cfg_defaults(cfg) != POG_OK)
		die("config defaults");
	free(cfg->group_file);
	free(cfg->gshadow_file);
	free(cfg->state_dir);
	free(cfg->project);
	cfg->group_file = strdup(gpath);
	cfg->gshadow_file = strdup(spath);
	cfg->state_dir = strdup(state);
	cfg->project = strdup("prod-web");
	cfg->mode = POG_MODE_PERSISTENT;
	cfg->authoritative = true;      /* round 0 removes the fixture's role groups too */
	cfg->roles = calloc(2, sizeof(*cfg->roles));
	cfg->bindings = calloc(2, sizeof(*cfg->bindings));
	if (cfg->roles == NULL || cfg->bindings == NULL)
		die("out of memory");
	cfg->roles[0].name = strdup("admin");
	pog_strv_split(&cfg->roles[0].groups, "wheel adm");
	cfg->roles[1].name = strdup("developer");
	pog_strv_split(&cfg->roles[1].groups, "devteam docker");
	cfg->nroles = 2;
	cfg->bindings[0].idp_group = strdup("Organization Admins");
	cfg->bindings[0].role = strdup("admin");
	cfg->bindings[1].idp_group = strdup("DevTeam");
	cfg->bindings[1].role = strdup("developer");
	cfg->nbindings = 2;
}

static void
log_quiet(void *ctx, int prio, const char *msg)
{
	(void)ctx;
	if (prio <= LOG_ERR)
		fprintf(stderr, "syncbench: %s\n", msg);
}

static const struct pog_io io = { .log = log_quiet };

/* Round r: even rounds hold DevTeam (devteam docker), odd ones admin (wheel adm). */
static double
time_sync(const struct pog_config *cfg, int r)
{
	struct pog_identity id = { 0 };
	struct pog_sync_result res = { 0 };
	double t0, t;
	pog_err err;

	id.user = strdup(USER);
	id.sub = strdup("00u-benchuser");
	id.issuer = strdup("https://idp.test/oauth2/default");
	id.groups_present = true;
	id.groups_source = "id_token";
	id.auth_time = (long)time(NULL);
	pog_strv_add(&id.groups, "Everyone");
	pog_strv_add(&id.groups, r % 2 == 0 ? "DevTeam" : "Organization Admins");
	t0 = pog_now_mono();
	err = pog_sync_account_gid(cfg, &id, &io, false, (gid_t)5000, &res);
	t = pog_now_mono() - t0;
	if (err != POG_OK || res.added.n != 2 || res.removed.n != 2) {
		fprintf(stderr, "syncbench: round %d: %s, %zu added, %zu removed\n", r,
			pog_strerror(err), res.added.n, res.removed.n);
		exit(1);
	}
	pog_sync_result_free(&res);
	pog_identity_free(&id);
	return t;
}

static void
run(char *const argv[])
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st, rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		errno = rc;
		die(argv[0]);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "syncbench: %s %s %s %s failed (status %d)\n", argv[0],
			argv[1], argv[2] ? argv[2] : "", argv[2] && argv[3] ? argv[3] : "", st);
		exit(1);
	}
}

static double
time_cp(bool durable)
{
	char dg[600], ds[600];
	char cp[] = "/bin/cp";
	char *const argv[] = { cp, gpath, spath, cpdir, NULL };
	double t0 = pog_now_mono();

	snprintf(dg, sizeof(dg), "%s/group", cpdir);
	snprintf(ds, sizeof(ds), "%s/gshadow", cpdir);
	unlink(dg);
	unlink(ds);
	t0 = pog_now_mono();
	run(argv);
	if (durable) {
		const char *p[] = { dg, ds };

		for (int i = 0; i < 2; i++) {
			int fd = open(p[i], O_RDONLY | O_CLOEXEC);

			if (fd < 0 || fsync(fd) != 0 || close(fd) != 0)
				die(p[i]);
		}
	}
	return pog_now_mono() - t0;
}

static double
time_gpasswd(int r)
{
	static char dev0[] = "devteam", dev1[] = "docker", adm0[] = "wheel", adm1[] = "adm";
	static char *const dev[] = { dev0, dev1 };
	static char *const adm[] = { adm0, adm1 };
	char *const *add = r % 2 == 0 ? dev : adm;
	char *const *del = r % 2 == 0 ? adm : dev;
	char gp[] = "/usr/bin/gpasswd", user[] = USER, a[] = "-a", d[] = "-d";
	double t0 = pog_now_mono();

	for (int i = 0; i < 2; i++) {
		char *const argv[] = { gp, a, user, add[i], NULL };

		run(argv);
	}
	for (int i = 0; i < 2; i++) {
		char *const argv[] = { gp, d, user, del[i], NULL };

		run(argv);
	}
	return pog_now_mono() - t0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
report(long n, const char *what, double *v, int reps, size_t bytes)
{
	qsort(v, (size_t)reps, sizeof(*v), cmp_double);
	printf("%ld\t%s\t%.3f\t%.3f\t%.3f\t%zu\n", n, what, v[reps / 2] * 1e3,
	       v[0] * 1e3, v[reps - 1] * 1e3, bytes);
}

static bool
same_file(const char *a, const char *b)
{
	const struct pog_file_policy pol = {
		.owner = geteuid(), .max = 256u << 20, .refused = POG_ERR_CONFIG,
	};
	char *da = NULL, *db = NULL, *msg = NULL;
	size_t la = 0, lb = 0;
	bool same;

	if (pog_read_file(a, &pol, &da, &la, NULL, &msg) != POG_OK ||
	    pog_read_file(b, &pol, &db, &lb, NULL, &msg) != POG_OK) {
		fprintf(stderr, "syncbench: %s\n", msg ? msg : "cannot read");
		exit(1);
	}
	same = la == lb && memcmp(da, db, la) == 0;
	free(da);
	free(db);
	free(msg);
	return same;
}

int
main(int argc, char **argv)
{
	struct pog_config cfg;
	struct pog_buf g = { 0 }, s = { 0 };
	double *tsync, *tcp, *tcps, *tgp;
	bool gp = argc == 6 && strcmp(argv[4], "--gpasswd") == 0, same = false;
	long n, reps, greps = 0;

	if ((argc != 4 && !gp) || !pog_parse_long(argv[2], 4, 10000000, &n) ||
	    !pog_parse_long(argv[3], 1, 1000, &reps) ||
	    (gp && !pog_parse_long(argv[5], 1, reps, &greps))) {
		fprintf(stderr, "usage: syncbench DIR NGROUPS REPS [--gpasswd GREPS]\n");
		return 2;
	}
	if (gp && access(NS_MARKER, F_OK) != 0) {
		fprintf(stderr, "syncbench: --gpasswd only runs in scripts/bench's namespace "
			"(no %s): it would edit the host's /etc/group\n", NS_MARKER);
		return 2;
	}
	snprintf(gpath, sizeof(gpath), "%s/group", argv[1]);
	snprintf(spath, sizeof(spath), "%s/gshadow", argv[1]);
	snprintf(state, sizeof(state), "%s/state", argv[1]);
	snprintf(cpdir, sizeof(cpdir), "%s/cp", argv[1]);
	if (pog_ensure_dir(state, 0700) != POG_OK || pog_ensure_dir(cpdir, 0700) != POG_OK)
		die(argv[1]);
	{
		char *lp = pog_asprintf("%s/" USER, state);

		if (lp != NULL)
			unlink(lp);
		free(lp);
	}
	make_files(n, &g, &s);
	put(gpath, &g, 0644);
	put(spath, &s, 0640);
	if (gp) {
		/* The namespace's /etc: scripts/bench put benchuser in its passwd. */
		put("/etc/group", &g, 0644);
		put("/etc/gshadow", &s, 0640);
	}
	make_cfg(&cfg);

	tsync = calloc((size_t)reps, sizeof(double));
	tcp = calloc((size_t)reps, sizeof(double));
	tcps = calloc((size_t)reps, sizeof(double));
	tgp = calloc((size_t)reps, sizeof(double));
	if (tsync == NULL || tcp == NULL || tcps == NULL || tgp == NULL)
		die("out of memory");
	/* Round 0 warms the caches up and is not counted. */
	for (int r = 0; r <= reps; r++) {
		double ts = time_sync(&cfg, r), tc = time_cp(false), tcs = time_cp(true);
		double tg = gp && r <= greps ? time_gpasswd(r) : 0;

		if (gp && r == greps) {
			same = same_file(gpath, "/etc/group") && same_file(spath, "/etc/gshadow");
			if (!same)
				fprintf(stderr, "syncbench: the module's files differ from gpasswd's\n");
		}
		if (r == 0)
			continue;
		tsync[r - 1] = ts;
		tcp[r - 1] = tc;
		tcps[r - 1] = tcs;
		tgp[r - 1] = tg;
	}
	report(n, "sync", tsync, (int)reps, g.len + s.len);
	report(n, "cp", tcp, (int)reps, g.len + s.len);
	report(n, "cpsync", tcps, (int)reps, g.len + s.len);
	if (gp) {
		report(n, "gpasswd", tgp, (int)greps, g.len + s.len);
		if (!same)
			return 1;
		printf("%ld\tsame-as-gpasswd\t1\t1\t1\t0\n", n);
	}
	pog_cfg_free(&cfg);
	pog_buf_free(&g);
	pog_buf_free(&s);
	free(tsync);
	free(tcp);
	free(tcps);
	free(tgp);
	return 0;
}
