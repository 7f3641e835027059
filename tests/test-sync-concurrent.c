/*
 * test-sync-concurrent.c - 20 processes sync 20 users into the same
 * group files at once, twice over; no update may be lost, the ledgers
 * must say what each user holds, and grpck must find the files clean.
 * Then, one at a time: the modes, dry runs, the session GIDs, unknown
 * and invalid users, and a ledger that cannot be written.
 */
#include "config.h"

#include <fcntl.h>
#include <grp.h>
#include <gshadow.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "grp.h"
#include "grpfile.h"
#include "ledger.h"
#include "map.h"
#include "sync.h"
#include "tcheck.h"
#include "tutil.h"
#include "util.h"

#define NUSERS 20

static char root[64];           /* a little root: etc/group, etc/gshadow, etc/passwd */
static char etc[96], gpath[128], spath[128], ppath[128], state[128];

static char last_err[512];     /* the last error logged */

static void
log_quiet(void *ctx, int prio, const char *msg)
{
	(void)ctx;
	if (prio <= LOG_ERR)
		snprintf(last_err, sizeof(last_err), "%s", msg);
	if (prio <= LOG_ERR || getenv("TEST_VERBOSE") != NULL)
		fprintf(stderr, "[%d] %s\n", (int)getpid(), msg);
}

static const struct pog_io io = { .log = log_quiet };

static void
make_files(void)
{
	struct pog_buf g = { 0 }, s = { 0 }, p = { 0 };

	pog_buf_addstr(&g, "root:x:0:\ncdrom:x:24:");
	pog_buf_addstr(&s, "root:*::\ncdrom:*::");
	for (int i = 1; i <= NUSERS; i++) {
		pog_buf_printf(&g, "%su%02d", i > 1 ? "," : "", i);
		pog_buf_printf(&s, "%su%02d", i > 1 ? "," : "", i);
	}
	pog_buf_addstr(&g, "\ndevteam:x:1500:\ndocker:x:997:bob\nops:x:1700:");
	pog_buf_addstr(&s, "\ndevteam:!::\ndocker:!::bob\nops:!::");
	/* the odd users hold ops, as this module once granted it */
	for (int i = 1, first = 1; i <= NUSERS; i += 2, first = 0)
		pog_buf_printf(&g, "%su%02d", first ? "" : ",", i);
	for (int i = 1, first = 1; i <= NUSERS; i += 2, first = 0)
		pog_buf_printf(&s, "%su%02d", first ? "" : ",", i);
	pog_buf_addstr(&g, "\nbob:x:1001:\n");
	pog_buf_addstr(&s, "\nbob:!::\n");
	pog_buf_addstr(&p, "root:x:0:0:root:/root:/bin/sh\nbob:x:1001:1001::/nonexistent:/bin/false\n");
	for (int i = 1; i <= NUSERS; i++)
		pog_buf_printf(&p, "u%02d:x:%d:%d::/nonexistent:/bin/false\n", i, 2000 + i, 2000 + i);
	tu_put_str(gpath, g.data, 0644);
	tu_put_str(spath, s.data, 0640);
	tu_put_str(ppath, p.data, 0644);
	pog_buf_free(&g);
	pog_buf_free(&s);
	pog_buf_free(&p);

	if (pog_ensure_dir(state, 0700) != POG_OK)
		exit(99);
	for (int i = 1; i <= NUSERS; i++) {
		char *lp = pog_asprintf("%s/u%02d", state, i);

		if (lp != NULL)
			unlink(lp);
		free(lp);
	}
	for (int i = 1; i <= NUSERS; i += 2) {
		struct pog_ledger l = { 0 };

		l.user = pog_asprintf("u%02d", i);
		l.when = (int64_t)time(NULL) - 3600;
		pog_strv_add(&l.managed, "ops");
		if (pog_ledger_write(state, &l) != POG_OK)
			exit(99);
		pog_ledger_free(&l);
	}
}

static void
make_cfg(struct pog_config *cfg)
{
	tu_sync_cfg(cfg, gpath, spath, state);
}

/* Round 1: even users get DevTeam, odd ones nothing (denied, lose ops). Round 2: flipped. */
static const char *
idp_group_of(int round, int i)
{
	bool even = i % 2 == 0;

	if (round == 1)
		return even ? "DevTeam" : NULL;
	return even ? "Ops" : "DevTeam";
}

static int
child(const struct pog_config *cfg, int round, int i, int gate)
{
	struct pog_identity id = { 0 };
	struct pog_sync_result res = { 0 };
	const char *g = idp_group_of(round, i);
	char c;
	pog_err err;
	int rc;

	id.user = pog_asprintf("u%02d", i);
	id.sub = pog_asprintf("00u%02d", i);
	id.issuer = strdup("https://idp.test/oauth2/default");
	id.groups_present = true;
	id.groups_source = "id_token";
	id.auth_time = (long)time(NULL);
	pog_strv_add(&id.groups, "Everyone");
	if (g != NULL)
		pog_strv_add(&id.groups, g);
	if (read(gate, &c, 1) != 0)     /* everyone starts when the gate closes */
		return 3;
	err = pog_sync_account_gid(cfg, &id, &io, false, (gid_t)(2000 + i), &res);
	if (g == NULL)
		rc = err == POG_ERR_NOBINDING && res.deny_reason != NULL ? 0 : 1;
	else
		rc = err == POG_OK && res.granted ? 0 : 2;
	if (rc != 0)
		fprintf(stderr, "u%02d round %d: %s\n", i, round, pog_strerror(err));
	pog_sync_result_free(&res);
	pog_identity_free(&id);
	return rc;
}

static void
run_round(const struct pog_config *cfg, int round)
{
	pid_t pids[NUSERS];
	int gate[2];
	double t0;

	if (pipe(gate) != 0)
		exit(99);
	for (int i = 1; i <= NUSERS; i++) {
		pids[i - 1] = fork();
		if (pids[i - 1] == 0) {
			close(gate[1]);
			_exit(child(cfg, round, i, gate[0]));
		}
	}
	close(gate[0]);
	t0 = pog_now_mono();
	close(gate[1]);
	for (int i = 0; i < NUSERS; i++) {
		int status = 0;

		TC_EQ_INT(waitpid(pids[i], &status, 0), pids[i]);
		TC_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	printf("round %d: %d processes synced in %.2f s\n", round, NUSERS, pog_now_mono() - t0);
}

static bool
member(const struct pog_grp_db *db, const char *group, int i)
{
	char user[8];

	snprintf(user, sizeof(user), "u%02d", i);
	return pog_grp_db_is_member(db, group, user);
}

static void
check_round(int round)
{
	struct pog_grp_db g = { 0 }, s = { 0 };
	char *msg = NULL;

	TC_ERR(pog_grpfile_read(gpath, POG_GRP_GROUP, &g, &msg), POG_OK);
	TC_ERR(pog_grpfile_read(spath, POG_GRP_GSHADOW, &s, &msg), POG_OK);
	free(msg);
	for (int i = 1; i <= NUSERS; i++) {
		const char *want = idp_group_of(round, i);
		bool dev = want != NULL && strcmp(want, "DevTeam") == 0;
		bool ops = want != NULL && strcmp(want, "Ops") == 0;
		struct pog_ledger l = { 0 };
		char user[8];

		snprintf(user, sizeof(user), "u%02d", i);
		for (int k = 0; k < 2; k++) {
			const struct pog_grp_db *db = k == 0 ? &g : &s;

			if (member(db, "devteam", i) != dev || member(db, "docker", i) != dev ||
			    member(db, "ops", i) != ops || !member(db, "cdrom", i))
				fprintf(stderr, "round %d: %s wrong in %s\n", round, user,
					k == 0 ? "group" : "gshadow");
			TC_EQ_INT(member(db, "devteam", i), dev);
			TC_EQ_INT(member(db, "docker", i), dev);
			TC_EQ_INT(member(db, "ops", i), ops);
			TC_CHECK(member(db, "cdrom", i));       /* unmanaged: never touched */
		}
		TC_ERR(pog_ledger_load(state, user, &l, NULL), POG_OK);
		TC_EQ_INT(pog_strv_contains(&l.managed, "devteam"), dev);
		TC_EQ_INT(pog_strv_contains(&l.managed, "docker"), dev);
		TC_EQ_INT(pog_strv_contains(&l.managed, "ops"), ops);
		TC_CHECK(l.result != NULL &&
			 strncmp(l.result, want != NULL ? "granted" : "denied:", 7) == 0);
		pog_ledger_free(&l);
	}
	TC_CHECK(pog_grp_db_is_member(&g, "docker", "bob"));
	pog_grp_db_free(&g);
	pog_grp_db_free(&s);
}

static struct pog_identity *
ident(const char *user, const char *group)
{
	static struct pog_identity id;

	pog_identity_free(&id);
	id.user = strdup(user);
	id.sub = strdup("00u-single");
	id.issuer = strdup("https://idp.test/oauth2/default");
	id.groups_present = group != NULL;
	id.groups_source = "userinfo";
	if (group != NULL)
		pog_strv_add(&id.groups, group);
	return &id;
}

static void
test_single(struct pog_config *cfg)
{
	struct pog_sync_result res;
	struct pog_ledger l = { 0 };
	char *before, *after, *lp, *sbefore;
	gid_t *gids = NULL;
	size_t ngids = 0;

	make_files();
	before = tu_slurp(gpath, NULL);
	sbefore = tu_slurp(spath, NULL);

	/* dry run: the plan, and nothing on disk */
	TC_ERR(pog_sync_account_gid(cfg, ident("u02", "DevTeam"), &io, true, 2002, &res), POG_OK);
	TC_CHECK(res.granted && res.added.n == 2 && res.removed.n == 0);
	pog_sync_result_free(&res);
	TC_ERR(pog_sync_account_gid(cfg, ident("u01", "Everyone"), &io, true, 2001, &res), POG_ERR_NOBINDING);
	TC_CHECK(res.removed.n == 1 && res.deny_reason != NULL &&
		 strstr(res.deny_reason, "No Okta group grants access to project default on ") ==
		 res.deny_reason);
	pog_sync_result_free(&res);
	after = tu_slurp(gpath, NULL);
	TC_STREQ(after, before);
	free(after);
	TC_ERR(pog_ledger_load(state, "u02", &l, NULL), POG_ERR_SYSTEM);

	/* no groups claim at all: refused, and neither the files nor the ledger change */
	{
		char *lp1 = pog_asprintf("%s/u01", state);
		char *lbefore = tu_slurp(lp1, NULL), *lafter;

		TC_ERR(pog_sync_account_gid(cfg, ident("u01", NULL), &io, false, 2001, &res), POG_ERR_NOBINDING);
		TC_CHECK(res.removed.n == 0 && res.added.n == 0 && res.deny_reason != NULL &&
			 strstr(res.deny_reason, "no group list") != NULL);
		pog_sync_result_free(&res);
		after = tu_slurp(gpath, NULL);
		TC_STREQ(after, before);
		free(after);
		after = tu_slurp(spath, NULL);
		TC_STREQ(after, sbefore);
		free(after);
		lafter = tu_slurp(lp1, NULL);
		TC_CHECK(lbefore != NULL && lafter != NULL);
		if (lbefore != NULL && lafter != NULL)
			TC_STREQ(lafter, lbefore);
		free(lbefore);
		free(lafter);
		free(lp1);
	}

	/* session mode: D for setcred, the ledger, no change to the files */
	cfg->mode = POG_MODE_SESSION;
	TC_ERR(pog_sync_account_gid(cfg, ident("u02", "DevTeam"), &io, false, 2002, &res), POG_OK);
	TC_CHECK(res.granted && res.added.n == 0 && res.desired.n == 2);
	pog_sync_result_free(&res);
	after = tu_slurp(gpath, NULL);
	TC_STREQ(after, before);
	free(after);
	TC_ERR(pog_ledger_load(state, "u02", &l, NULL), POG_OK);
	TC_STREQ(l.result, "granted");
	TC_EQ_INT(l.managed.n, 0);
	TC_EQ_INT(l.idp_groups.n, 1);
	pog_ledger_free(&l);
	/* root exists on every host: the real getpwnam_r path */
	TC_ERR(pog_sync_session_gids(cfg, ident("root", "DevTeam"), &io, &gids, &ngids), POG_OK);
	TC_CHECK(ngids == 2 && gids != NULL &&
		 ((gids[0] == 1500 && gids[1] == 997) || (gids[0] == 997 && gids[1] == 1500)));
	free(gids);
	gids = NULL;
	TC_ERR(pog_sync_session_gids(cfg, ident("root", "Everyone"), &io, &gids, &ngids), POG_OK);
	TC_EQ_INT(ngids, 0);
	free(gids);
	TC_ERR(pog_sync_session_gids(cfg, ident("pog-no-such-user", "DevTeam"), &io, &gids,
				       &ngids), POG_ERR_USER);

	/* mode none: allow or deny only */
	cfg->mode = POG_MODE_NONE;
	TC_ERR(pog_sync_account_gid(cfg, ident("u01", "Everyone"), &io, false, 2001, &res), POG_ERR_NOBINDING);
	TC_CHECK(res.removed.n == 0 && res.deny_reason != NULL);
	pog_sync_result_free(&res);
	cfg->deny_on_no_binding = false;
	TC_ERR(pog_sync_account_gid(cfg, ident("u01", "Everyone"), &io, false, 2001, &res), POG_OK);
	TC_CHECK(!res.granted && res.deny_reason == NULL);
	pog_sync_result_free(&res);
	cfg->deny_on_no_binding = true;
	after = tu_slurp(gpath, NULL);
	TC_STREQ(after, before);
	free(after);
	cfg->mode = POG_MODE_PERSISTENT;

	/* accounts that do not exist, and names that are not names */
	TC_ERR(pog_sync_account(cfg, ident("pog-no-such-user", "DevTeam"), &io, false, &res), POG_ERR_USER);
	TC_CHECK(res.deny_reason != NULL && strstr(res.deny_reason, "does not exist") != NULL);
	pog_sync_result_free(&res);
	TC_ERR(pog_sync_account(cfg, ident("u01,root", "DevTeam"), &io, false, &res), POG_ERR_USER);
	pog_sync_result_free(&res);
	TC_ERR(pog_sync_account_gid(cfg, ident("../u01", "DevTeam"), &io, false, 2001, &res), POG_ERR_USER);
	pog_sync_result_free(&res);

	/* the real lookup: root gets DevTeam's groups in the copy */
	TC_ERR(pog_sync_account(cfg, ident("root", "DevTeam"), &io, false, &res), POG_OK);
	TC_EQ_INT(res.added.n, 2);
	pog_sync_result_free(&res);
	TC_ERR(pog_sync_account(cfg, ident("root", "Everyone"), &io, false, &res), POG_ERR_NOBINDING);
	TC_EQ_INT(res.removed.n, 2);
	pog_sync_result_free(&res);
	after = tu_slurp(gpath, NULL);
	TC_STREQ(after, before);
	free(after);

	/* a ledger that cannot be written: no group is added */
	lp = pog_asprintf("%s/u02", state);
	unlink(lp);
	TC_EQ_INT(mkdir(lp, 0700), 0);         /* rename over a folder fails */
	TC_CHECK(pog_sync_account_gid(cfg, ident("u02", "DevTeam"), &io, false, 2002, &res) !=
		 POG_OK);
	pog_sync_result_free(&res);
	after = tu_slurp(gpath, NULL);
	TC_STREQ(after, before);
	free(after);
	after = tu_slurp(spath, NULL);
	TC_STREQ(after, sbefore);
	free(after);
	rmdir(lp);
	free(lp);

	free(before);
	free(sbefore);
	pog_identity_free(ident("x", NULL));
}

/* Whether glibc itself (fgetgrent, fgetsgent) lists user in group in the file. */
static bool
glibc_member(const char *path, bool gshadow, const char *group, const char *user)
{
	FILE *f = fopen(path, "r");
	bool found = false;

	if (f == NULL)
		return false;
	for (;;) {
		char **mem;
		const char *name;

		if (gshadow) {
			struct sgrp *sg = fgetsgent(f);

			if (sg == NULL)
				break;
			name = sg->sg_namp;
			mem = sg->sg_mem;
		} else {
			struct group *gr = fgetgrent(f);

			if (gr == NULL)
				break;
			name = gr->gr_name;
			mem = gr->gr_mem;
		}
		for (size_t i = 0; strcmp(name, group) == 0 && mem[i] != NULL; i++)
			found = found || strcmp(mem[i], user) == 0;
	}
	fclose(f);
	return found;
}

/* "devteam:x:1500:bob, u03": glibc counts u03 in; a revoked devteam must go all the same. */
static void
test_blank_member(struct pog_config *cfg)
{
	struct pog_sync_result res;
	struct pog_ledger l = { 0 };
	char *g, *sh, *want, *p;

	make_files();
	g = tu_slurp(gpath, NULL);
	sh = tu_slurp(spath, NULL);
	TC_CHECK(g != NULL && sh != NULL && strstr(g, "\ndevteam:x:1500:\n") != NULL &&
		 strstr(sh, "\ndevteam:!::\n") != NULL);
	if (g == NULL || sh == NULL || strstr(g, "\ndevteam:x:1500:\n") == NULL ||
	    strstr(sh, "\ndevteam:!::\n") == NULL)
		goto out;
	/* the same length, so the rest of the text stays where it was */
	p = strstr(g, "\ndevteam:x:1500:\n");
	want = pog_asprintf("%.*s\ndevteam:x:1500:bob, u03\n%s", (int)(p - g), g,
			    p + strlen("\ndevteam:x:1500:\n"));
	tu_put_str(gpath, want, 0644);
	free(want);
	p = strstr(sh, "\ndevteam:!::\n");
	want = pog_asprintf("%.*s\ndevteam:!:\tu03:bob,\tu03\n%s", (int)(p - sh), sh,
			    p + strlen("\ndevteam:!::\n"));
	tu_put_str(spath, want, 0640);
	free(want);
	TC_CHECK(glibc_member(gpath, false, "devteam", "u03"));
	TC_CHECK(glibc_member(spath, true, "devteam", "u03"));
	/* the module once granted u03 devteam; now Okta grants only ops */
	TC_ERR(pog_ledger_load(state, "u03", &l, NULL), POG_OK);
	pog_strv_add(&l.managed, "devteam");
	TC_ERR(pog_ledger_write(state, &l), POG_OK);
	pog_ledger_free(&l);

	TC_ERR(pog_sync_account_gid(cfg, ident("u03", "Ops"), &io, false, 2003, &res), POG_OK);
	TC_CHECK(pog_strv_contains(&res.removed, "devteam"));
	pog_sync_result_free(&res);
	if (glibc_member(gpath, false, "devteam", "u03"))
		fprintf(stderr, "glibc still sees u03 in devteam in %s\n", gpath);
	TC_CHECK(!glibc_member(gpath, false, "devteam", "u03"));
	TC_CHECK(!glibc_member(spath, true, "devteam", "u03"));
	TC_CHECK(glibc_member(gpath, false, "devteam", "bob"));
	TC_CHECK(glibc_member(spath, true, "devteam", "bob"));
	/* only that line changed, to the normal form; the admins list too */
	free(g);
	free(sh);
	g = tu_slurp(gpath, NULL);
	sh = tu_slurp(spath, NULL);
	TC_CHECK(g != NULL && strstr(g, "\ndevteam:x:1500:bob\n") != NULL);
	TC_CHECK(sh != NULL && strstr(sh, "\ndevteam:!:u03:bob\n") != NULL);
out:
	free(g);
	free(sh);
	pog_identity_free(ident("x", NULL));
}

/* A FIFO at group_file: the sync fails closed at once, with the reason, instead of hanging. */
static void
test_fifo(struct pog_config *cfg)
{
	struct pog_sync_result res;
	double t0;
	pog_err err;

	for (int dry = 0; dry < 2; dry++) {
		make_files();
		unlink(gpath);
		TC_EQ_INT(mkfifo(gpath, 0644), 0);
		last_err[0] = '\0';
		alarm(10);      /* the code before this fix blocked in open(2) here */
		t0 = pog_now_mono();
		err = pog_sync_account_gid(cfg, ident("u02", "DevTeam"), &io, dry != 0, 2002, &res);
		alarm(0);
		TC_CHECK(err != POG_OK && pog_now_mono() - t0 < 2);
		if (strstr(last_err, "not a regular file") == NULL)
			fprintf(stderr, "FIFO: the last error was \"%s\"\n", last_err);
		TC_CHECK(strstr(last_err, gpath) != NULL &&
			 strstr(last_err, "not a regular file") != NULL);
		pog_sync_result_free(&res);
		unlink(gpath);
	}
	pog_identity_free(ident("x", NULL));
}

static void
run_grpck(void)
{
	char *cmd;
	int r;

	if (access("/usr/sbin/grpck", X_OK) != 0) {
		printf("SKIP grpck: /usr/sbin/grpck is not installed (package passwd)\n");
		return;
	}
	if (geteuid() != 0) {
		/* grpck -r works without root, but only -R (a chroot) lets it see our passwd */
		printf("SKIP grpck: checking against this test's passwd needs grpck -R, which needs root\n");
		return;
	}
	cmd = pog_asprintf("/usr/sbin/grpck -R '%s' -r /etc/group /etc/gshadow", root);
	r = cmd != NULL ? system(cmd) : -1;
	if (r != 0)
		fprintf(stderr, "%s: exit %d\n", cmd != NULL ? cmd : "grpck", r);
	TC_EQ_INT(r, 0);
	free(cmd);
}

/* same_name's system data comes from group_file's folder, and fails closed. */
static void
test_sysinfo(struct pog_config *cfg)
{
	struct pog_map_sysinfo *sys = NULL;
	struct pog_sync_result res;
	char dpath[160];

	if (geteuid() != 0) {
		printf("skip (part): the system files must be owned by root\n");
		return;
	}
	make_files();
	snprintf(dpath, sizeof(dpath), "%s/login.defs", etc);
	unlink(dpath);
	cfg->same_name = false;
	TC_CHECK(pog_sync_sysinfo(cfg, &io, &sys) == POG_OK && sys == NULL);
	cfg->same_name = true;
	/* no login.defs: shadow's defaults; passwd beside the group file */
	TC_CHECK(pog_sync_sysinfo(cfg, &io, &sys) == POG_OK && sys != NULL);
	if (sys != NULL) {
		TC_CHECK(sys->gid_min == 1000 && sys->gid_max == 60000);
		TC_CHECK(sys->n_user_gids == NUSERS + 2 && sys->user_gids[0] == 0 &&
			 sys->user_gids[1] == 1001);
	}
	free(sys);
	sys = NULL;
	tu_put_str(dpath, "GID_MIN 100\nGID_MAX 1600\n", 0644);
	TC_CHECK(pog_sync_sysinfo(cfg, &io, &sys) == POG_OK && sys != NULL &&
		 sys->gid_min == 100 && sys->gid_max == 1600);
	free(sys);
	sys = NULL;

	/* through a sync: devteam (1500) is ordinary; ops (1700) is now out of
	 * range, bob (1001) is bob's primary group, root is protected */
	TC_ERR(pog_sync_account_gid(cfg, ident("u04", NULL), &io, true, 2004, &res), POG_ERR_NOBINDING);
	pog_sync_result_free(&res);
	{
		static struct pog_identity id;

		pog_identity_free(&id);
		id.user = strdup("u04");
		id.groups_present = true;
		pog_strv_split(&id.groups, "devteam ops bob root");
		TC_ERR(pog_sync_account_gid(cfg, &id, &io, true, 2004, &res), POG_OK);
		TC_CHECK(res.granted && res.added.n == 1 &&
			 strcmp(res.added.v[0], "devteam") == 0);
		pog_sync_result_free(&res);

		/* a malformed login.defs, a malformed or missing passwd: nothing */
		tu_put_str(dpath, "GID_MIN 1000x\n", 0644);
		TC_CHECK(pog_sync_sysinfo(cfg, &io, &sys) == POG_OK && sys == NULL);
		TC_ERR(pog_sync_account_gid(cfg, &id, &io, true, 2004, &res), POG_ERR_NOBINDING);
		TC_EQ_INT(res.added.n, 0);
		pog_sync_result_free(&res);
		unlink(dpath);
		tu_put_str(ppath, "root:x:0:0:root:/root:/bin/sh\nbroken:x:5\n", 0644);
		TC_CHECK(pog_sync_sysinfo(cfg, &io, &sys) == POG_OK && sys == NULL);
		unlink(ppath);
		TC_CHECK(pog_sync_sysinfo(cfg, &io, &sys) == POG_OK && sys == NULL);
		pog_identity_free(&id);
	}
	cfg->same_name = false;
	make_files();
}

int
main(void)
{
	struct pog_config cfg;

	strcpy(root, "/tmp/pog-sync-XXXXXX");
	if (mkdtemp(root) == NULL) {
		perror("mkdtemp");
		return 99;
	}
	snprintf(etc, sizeof(etc), "%s/etc", root);
	snprintf(gpath, sizeof(gpath), "%s/group", etc);
	snprintf(spath, sizeof(spath), "%s/gshadow", etc);
	snprintf(ppath, sizeof(ppath), "%s/passwd", etc);
	snprintf(state, sizeof(state), "%s/state", root);
	if (mkdir(etc, 0755) != 0) {
		perror(etc);
		return 99;
	}
	make_files();
	make_cfg(&cfg);
	fflush(stdout);

	run_round(&cfg, 1);
	check_round(1);
	run_grpck();
	run_round(&cfg, 2);
	check_round(2);
	run_grpck();
	test_single(&cfg);
	test_blank_member(&cfg);
	test_fifo(&cfg);
	test_sysinfo(&cfg);

	pog_cfg_free(&cfg);
	(void)tu_rm_rf(root);
	TC_DONE();
}
