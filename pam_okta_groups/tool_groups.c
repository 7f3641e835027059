/*
 * tool_groups.c - okta-groups explain, status, expire and users.
 *
 * The same code as the module: map.c for the plan, grpfile.c for every
 * change to the group files, ledger.c for the state. Nothing here talks
 * to the network.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "accounts.h"
#include "grp.h"
#include "grpfile.h"
#include "ledger.h"
#include "map.h"
#include "sudo.h"
#include "sudoers.h"
#include "sync.h"
#include "tool_groups.h"
#include "util.h"

#define DEFAULT_EXPIRE (30L * 86400)

static void
stderr_log(void *ctx, int prio, const char *msg)
{
	(void)ctx;
	if (prio <= LOG_WARNING)
		fprintf(stderr, "okta-groups: %s\n", msg);
}

static const struct pog_io tool_io = { .log = stderr_log };

bool
pog_tool_parse_duration(const char *s, long *seconds)
{
	char num[32];
	size_t n;
	long mult = 1, v;

	if (s == NULL)
		return false;
	n = strspn(s, "0123456789");
	if (n == 0 || n >= sizeof(num))
		return false;
	if (s[n] != '\0') {
		if (s[n + 1] != '\0')
			return false;
		switch (s[n]) {
		case 's': mult = 1; break;
		case 'm': mult = 60; break;
		case 'h': mult = 3600; break;
		case 'd': mult = 86400; break;
		case 'w': mult = 7 * 86400; break;
		default: return false;
		}
	}
	memcpy(num, s, n);
	num[n] = '\0';
	if (!pog_parse_long(num, 0, LONG_MAX / mult, &v))
		return false;
	*seconds = v * mult;
	return true;
}

static void
print_list_at(int indent, const char *label, const struct pog_strv *sv)
{
	printf("%*s%-*s", indent, "", 22 - indent, label);
	if (sv->n == 0)
		printf(" -");
	for (size_t i = 0; i < sv->n; i++) {
		char *d = pog_sanitize(sv->v[i], 256);

		printf("%s %s", i > 0 ? "," : "", d != NULL ? d : "?");
		free(d);
	}
	printf("\n");
}

static void
print_list(const char *label, const struct pog_strv *sv)
{
	print_list_at(0, label, sv);
}

static void
print_lines(const char *label, const struct pog_strv *sv)
{
	printf("%s%s\n", label, sv->n == 0 ? " -" : "");
	for (size_t i = 0; i < sv->n; i++)
		printf("    %s\n", sv->v[i]);
}

static void
format_when(int64_t when, int64_t now, char *buf, size_t size)
{
	struct tm tm;
	time_t t = (time_t)when;
	char stamp[64];
	int64_t age = now - when;

	if (when <= 0) {
		snprintf(buf, size, "never");
		return;
	}
	if (localtime_r(&t, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S %Z", &tm) == 0)
		snprintf(stamp, sizeof(stamp), "%lld", (long long)when);
	if (age < 0)
		snprintf(buf, size, "%s (in the future)", stamp);
	else if (age < 3600)
		snprintf(buf, size, "%s (%lld min ago)", stamp, (long long)(age / 60));
	else if (age < 2 * 86400)
		snprintf(buf, size, "%s (%lld h ago)", stamp, (long long)(age / 3600));
	else
		snprintf(buf, size, "%s (%lld days ago)", stamp, (long long)(age / 86400));
}

static const char *
mode_name(enum pog_mode m)
{
	return m == POG_MODE_PERSISTENT ? "persistent" : m == POG_MODE_SESSION ? "session" : "none";
}

/* ---- explain ---- */

/* The sudoers file the plan's roles give (persistent mode writes it). */
static void
explain_sudo(const struct pog_config *cfg, const char *user, const struct pog_map_plan *plan)
{
	struct pog_strv roles = { 0 };

	if (cfg->nsudo == 0)
		return;
	if (pog_sudo_roles(cfg, &plan->roles, &roles) != POG_OK)
		return;
	printf("sudo rules (%s/%s%s%s):\n", cfg->sudoers_dir, POG_SUDO_PREFIX, user,
	       cfg->mode == POG_MODE_PERSISTENT ? "" : ", not written in this mode");
	if (!pog_sudo_user_valid(user))
		printf("  (none: sudo could misread the name %s)\n", user);
	else if (roles.n == 0)
		printf("  (none: the file is removed)\n");
	for (size_t i = 0; pog_sudo_user_valid(user) && i < roles.n; i++)
		printf("  %-20s %s %s\n", roles.v[i], user, pog_cfg_sudo(cfg, roles.v[i])->rule);
	pog_strv_free(&roles);
}

/* What explain shows: the inputs, each step of the mapping, the plan. */
static void
explain_print(const struct pog_config *cfg, const char *user, const gid_t *primary,
	      const struct pog_grp_db *db, const struct pog_strv *idp,
	      const struct pog_ledger *ledger, const struct pog_map_plan *plan)
{
	const struct pog_grp_entry *pg = NULL;
	bool local = primary != NULL;
	gid_t gid = local ? *primary : (gid_t)-1;
	char host[256];

	if (gethostname(host, sizeof(host)) != 0)
		strcpy(host, "?");
	host[sizeof(host) - 1] = '\0';
	for (size_t i = 0; i < db->n && local; i++)
		if (db->lines[i].is_entry && db->lines[i].e.gid == gid) {
			pg = &db->lines[i].e;
			break;
		}
	printf("%-22s %s\n", "config:", cfg->path != NULL ? cfg->path : "-");
	printf("%-22s project %s on %s; mode %s; match %s; same_name %s; on_no_binding %s\n",
	       "host:", cfg->project, host, mode_name(cfg->mode),
	       cfg->match == POG_MATCH_CASEFOLD ? "casefold" : "exact",
	       cfg->same_name ? "yes" : "no", cfg->deny_on_no_binding ? "deny" : "allow");
	if (local)
		printf("%-22s %s (primary gid %u%s%s: never touched)\n", "user:", user,
		       (unsigned)gid, pg != NULL ? ", group " : "", pg != NULL ? pg->name : "");
	else
		printf("%-22s %s (no such local account: the login would be refused)\n",
		       "user:", user);
	print_list("IdP groups (T):", idp);
	print_lines("bindings matched:", &plan->bindings);
	print_list("roles (B):", &plan->roles);
	print_list("desired (D):", &plan->desired);
	if (cfg->same_name)
		print_list("  by same_name:", &plan->same_name);
	print_list(cfg->authoritative ? "managed (M):" : "managed (M, ledger):", &plan->managed);
	print_list("ledger managed:", &ledger->managed);
	printf("plan against %s%s:\n", cfg->group_file,
	       cfg->mode == POG_MODE_PERSISTENT ? "" : " (not applied in this mode)");
	print_list_at(2, "add:", &plan->add);
	print_list_at(2, "remove:", &plan->remove);
	if (plan->capped) {
		printf("  %d or more IdP groups: the list may have been cut, so nothing is removed\n",
		       POG_MAP_GROUPS_CAP);
		print_list_at(2, "kept:", &plan->kept);
	}
	print_lines("ignored:", &plan->ignored);
	explain_sudo(cfg, user, plan);
	if (!local)
		printf("%-22s denied: no local account %s\n", "result:", user);
	else if (plan->granted)
		printf("%-22s access granted\n", "result:");
	else if (cfg->deny_on_no_binding)
		printf("%-22s access denied: no Okta group grants access to project %s on %s\n",
		       "result:", cfg->project, host);
	else
		printf("%-22s access allowed with no binding (on_no_binding = allow)\n", "result:");
}

int
pog_tool_explain(const struct pog_config *cfg, int argc, char **argv)
{
	struct pog_strv idp = { 0 };
	struct pog_grp_db db = { 0 };
	struct pog_ledger ledger = { 0 };
	struct pog_map_plan plan = { 0 };
	struct pog_map_input in = { 0 };
	struct pog_map_sysinfo *sys = NULL;
	const char *user;
	char *msg = NULL;
	gid_t gid = (gid_t)-1;
	bool local;
	pog_err err;
	int rc = 1;

	if (argc < 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: okta-groups explain [-c CONF] USER [GROUP...]\n");
		return 2;
	}
	user = argv[1];
	if (!pog_grp_user_valid(user)) {
		fprintf(stderr, "okta-groups: not a valid user name\n");
		return 2;
	}
	err = POG_OK;
	for (int i = 2; i < argc && err == POG_OK; i++)
		err = pog_strv_add(&idp, argv[i]);
	if (err != POG_OK)
		goto out;
	err = pog_sync_primary_gid(user, &gid);
	local = err == POG_OK;
	if (err != POG_OK && err != POG_ERR_USER)
		goto out;
	err = pog_grpfile_read(cfg->group_file, POG_GRP_GROUP, &db, &msg);
	if (err == POG_OK)
		err = pog_ledger_read(cfg->state_dir, user, &ledger, &tool_io);
	if (err == POG_OK)
		err = pog_sync_sysinfo(cfg, &tool_io, &sys);
	if (err != POG_OK)
		goto out;
	in.cfg = cfg;
	in.idp_groups = &idp;
	in.user = user;
	in.primary_gid = gid;
	in.ledger_managed = &ledger.managed;
	in.group_db = &db;
	in.sys = sys;
	err = pog_map_plan(&in, &plan);
	if (err != POG_OK)
		goto out;

	explain_print(cfg, user, local ? &gid : NULL, &db, &idp, &ledger, &plan);
	rc = 0;
out:
	if (rc != 0)
		fprintf(stderr, "okta-groups: explain: %s\n",
			msg != NULL ? msg : pog_strerror(err));
	free(msg);
	pog_strv_free(&idp);
	pog_grp_db_free(&db);
	pog_ledger_free(&ledger);
	pog_map_plan_free(&plan);
	free(sys);
	return rc;
}

/* ---- status ---- */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in state_dir that can be ledgers, sorted. A missing folder is empty. */
static pog_err
list_users(const char *dir, struct pog_strv *users)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d == NULL) {
		if (errno == ENOENT)
			return POG_OK;
		fprintf(stderr, "okta-groups: %s: %s\n", dir, strerror(errno));
		return POG_ERR_SYSTEM;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_type != DT_REG && de->d_type != DT_UNKNOWN)
			continue;
		if (!pog_grp_user_valid(de->d_name))
			continue;
		if (pog_strv_add(users, de->d_name) != POG_OK) {
			closedir(d);
			return POG_ERR_NOMEM;
		}
	}
	closedir(d);
	if (users->n > 1)
		qsort(users->v, users->n, sizeof(*users->v), cmp_str);
	return POG_OK;
}

static void
print_ledger(const struct pog_ledger *l, int64_t now)
{
	char when[128];

	printf("%s\n", l->user);
	format_when(l->when, now, when, sizeof(when));
	printf("  %-20s %s\n", "last login:", when);
	printf("  %-20s %s\n", "sub:", l->sub != NULL ? l->sub : "-");
	printf("  %-20s %s\n", "issuer:", l->issuer != NULL ? l->issuer : "-");
	print_list_at(2, "IdP groups:", &l->idp_groups);
	print_list_at(2, "managed:", &l->managed);
	print_list_at(2, "last added:", &l->last_added);
	print_list_at(2, "last removed:", &l->last_removed);
	printf("  %-20s %s\n", "result:", l->result != NULL ? l->result : "-");
	if (l->expired > 0) {
		format_when(l->expired, now, when, sizeof(when));
		printf("  %-20s %s\n", "expired:", when);
	}
}

int
pog_tool_status(const struct pog_config *cfg, int argc, char **argv)
{
	struct pog_strv users = { 0 };
	int64_t now = (int64_t)time(NULL);
	int rc = 0;

	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		fprintf(stderr, "usage: okta-groups status [-c CONF] [USER]\n");
		return 2;
	}
	if (argc == 2) {
		if (!pog_grp_user_valid(argv[1])) {
			fprintf(stderr, "okta-groups: not a valid user name\n");
			return 2;
		}
		if (pog_strv_add(&users, argv[1]) != POG_OK)
			return 1;
	} else if (list_users(cfg->state_dir, &users) != POG_OK) {
		return 1;
	}
	if (argc < 2 && users.n == 0)
		printf("no ledger in %s\n", cfg->state_dir);
	for (size_t i = 0; i < users.n; i++) {
		struct pog_ledger l = { 0 };
		char *msg = NULL;
		pog_err err = pog_ledger_load(cfg->state_dir, users.v[i], &l, &msg);

		if (err == POG_OK) {
			if (i > 0)
				printf("\n");
			print_ledger(&l, now);
		} else if (err == POG_ERR_SYSTEM && errno == ENOENT && argc == 2) {
			printf("%s: no ledger (no login through pam_okta_groups recorded)\n",
			       users.v[i]);
			rc = 1;
		} else if (argc == 2 || err != POG_ERR_INVALID) {
			fprintf(stderr, "okta-groups: %s\n", msg != NULL ? msg : pog_strerror(err));
			rc = 1;
		} else {
			/* a leftover temp file or a stranger in the folder: say so, go on */
			fprintf(stderr, "okta-groups: skipped: %s\n", msg != NULL ? msg : users.v[i]);
		}
		free(msg);
		pog_ledger_free(&l);
	}
	pog_strv_free(&users);
	return rc;
}

/* ---- expire ---- */

struct expire_ctx {
	const struct pog_config *cfg;
	const char *user;
	int64_t cutoff;
	int64_t now;
	bool have_gid;
	gid_t gid;
	struct pog_ledger l;    /* re-read under the lock */
	bool stale;
	struct pog_strv kept;   /* managed and still to be managed (the primary group) */
	size_t removed;
};

static pog_err
expire_plan(void *ctx, const struct pog_grp_db *db, struct pog_strv *add,
	    struct pog_strv *remove)
{
	struct expire_ctx *x = ctx;
	char *msg = NULL;
	pog_err err;

	(void)add;
	pog_ledger_free(&x->l);
	err = pog_ledger_load(x->cfg->state_dir, x->user, &x->l, &msg);
	if (err != POG_OK) {
		fprintf(stderr, "okta-groups: %s: %s\n", x->user,
			msg != NULL ? msg : pog_strerror(err));
		free(msg);
		return err;
	}
	/* A login may have happened since the folder was read. */
	x->stale = x->l.when < x->cutoff && x->l.managed.n > 0;
	if (!x->stale)
		return POG_OK;
	for (size_t i = 0; i < x->l.managed.n; i++) {
		const char *g = x->l.managed.v[i];
		const struct pog_grp_entry *e = pog_grp_db_find(db, g);

		if (e == NULL || !pog_grp_db_is_member(db, g, x->user))
			continue;
		if (x->have_gid && e->gid == x->gid) {
			if (pog_strv_add(&x->kept, g) != POG_OK)
				return POG_ERR_NOMEM;
			continue;
		}
		if (pog_strv_add(remove, g) != POG_OK)
			return POG_ERR_NOMEM;
	}
	return POG_OK;
}

static pog_err
expire_done(void *ctx, const struct pog_strv *added, const struct pog_strv *removed)
{
	struct expire_ctx *x = ctx;
	struct pog_ledger l;
	char result[] = "expired";
	pog_err err;

	(void)added;
	if (!x->stale)
		return POG_OK;
	x->removed = removed->n;
	l = x->l;
	l.managed = x->kept;
	memset(&l.last_added, 0, sizeof(l.last_added));
	l.last_removed = *removed;
	l.result = result;
	l.expired = x->now;
	err = pog_ledger_write(x->cfg->state_dir, &l);
	if (err != POG_OK)
		fprintf(stderr, "okta-groups: %s: cannot write the ledger: %s\n", x->user,
			pog_strerror(err));
	return err;
}

static void
join_line(char *buf, size_t size, const struct pog_strv *sv)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sv->n && off < size; i++) {
		int r = snprintf(buf + off, size - off, "%s%s", i > 0 ? ", " : "", sv->v[i]);

		if (r < 0)
			break;
		off += (size_t)r;
	}
}

static int
expire_one(const struct pog_config *cfg, const char *user, int64_t cutoff,
	   int64_t now, bool dry_run, const struct pog_grp_db *db, size_t *nremoved)
{
	struct expire_ctx x = { .cfg = cfg, .user = user, .cutoff = cutoff, .now = now };
	struct pog_grpfile_hooks hooks = { .plan = expire_plan, .done = expire_done };
	struct pog_strv would = { 0 };
	char when[128], list[1024];
	pog_err err;
	int rc = 1;

	err = pog_sync_primary_gid(user, &x.gid);
	if (err == POG_OK)
		x.have_gid = true;
	else if (err != POG_ERR_USER)
		goto out;
	if (dry_run) {
		err = expire_plan(&x, db, NULL, &would);
		if (err != POG_OK)
			goto out;
		if (x.stale) {
			format_when(x.l.when, now, when, sizeof(when));
			join_line(list, sizeof(list), &would);
			printf("%s: would remove %s (last login %s)\n", user,
			       would.n > 0 ? list : "nothing (no longer held)", when);
			*nremoved += would.n;
		}
		rc = 0;
		goto out;
	}
	err = pog_grpfile_update(cfg->group_file, cfg->gshadow_file, user, &hooks, &x,
				 &tool_io);
	if (err != POG_OK)
		goto out;
	if (x.stale) {
		format_when(x.l.when, now, when, sizeof(when));
		join_line(list, sizeof(list), &x.l.managed);
		printf("%s: expired (last login %s): removed %zu of: %s\n", user, when,
		       x.removed, list);
		/* the rules go with the groups; a failure is logged and counted */
		err = pog_sudoers_remove(cfg, user, &tool_io);
		if (err != POG_OK)
			goto out;
		syslog(LOG_AUTHPRIV | LOG_NOTICE,
		       "expire: user=%s last_login=%lld removed=%zu managed=%s",
		       user, (long long)x.l.when, x.removed, list);
		*nremoved += x.removed;
	}
	rc = 0;
out:
	if (rc != 0)
		fprintf(stderr, "okta-groups: expire %s: %s\n", user, pog_strerror(err));
	pog_strv_free(&would);
	pog_strv_free(&x.kept);
	pog_ledger_free(&x.l);
	return rc;
}

/* The accounts the module created, not seen since cutoff: locked (never deleted). */
static int
expire_accounts(const struct pog_config *cfg, int64_t cutoff, int64_t now, bool dry_run)
{
	struct pog_strv names = { 0 };
	char *dir = pog_asprintf("%s/accounts", cfg->state_dir), when[128];
	size_t nlocked = 0;
	int rc = 0;

	if (dir == NULL || list_users(dir, &names) != POG_OK) {
		free(dir);
		return 1;
	}
	for (size_t i = 0; i < names.n; i++) {
		struct pog_account a;
		pog_err err = pog_accounts_record(cfg, names.v[i], &a);

		if (err != POG_OK) {
			fprintf(stderr, "okta-groups: skipped: the record of %s cannot be read\n",
				names.v[i]);
			rc = 1;
			continue;
		}
		if (a.state != POG_ACCOUNT_ACTIVE || a.last_login >= cutoff)
			continue;
		format_when(a.last_login, now, when, sizeof(when));
		nlocked++;
		if (dry_run) {
			printf("%s: would be locked (created account, last login %s)\n", a.name, when);
			continue;
		}
		if (pog_accounts_lock(cfg, a.name, &tool_io) != POG_OK) {
			fprintf(stderr, "okta-groups: expire: cannot lock %s\n", a.name);
			rc = 1;
			continue;
		}
		printf("%s: locked (created account, last login %s)\n", a.name, when);
		syslog(LOG_AUTHPRIV | LOG_NOTICE, "expire: user=%s created account locked "
		       "last_login=%lld", a.name, (long long)a.last_login);
	}
	if (names.n > 0)
		printf("expire%s: %zu created account(s) %s\n", dry_run ? " (dry run)" : "",
		       nlocked, dry_run ? "would be locked" : "locked");
	pog_strv_free(&names);
	free(dir);
	return rc;
}

int
pog_tool_expire(const struct pog_config *cfg, int argc, char **argv)
{
	struct pog_strv users = { 0 };
	struct pog_grp_db db = { 0 };
	long older = DEFAULT_EXPIRE;
	bool dry_run = false;
	int64_t now = (int64_t)time(NULL), cutoff;
	size_t nusers = 0, nremoved = 0;
	char *msg = NULL;
	int rc = 0;

	for (int i = 1; i < argc && rc == 0; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--dry-run") == 0 || strcmp(a, "-n") == 0)
			dry_run = true;
		else if (strcmp(a, "--older-than") == 0 && i + 1 < argc)
			rc = pog_tool_parse_duration(argv[++i], &older) ? 0 : 2;
		else if (strncmp(a, "--older-than=", 13) == 0)
			rc = pog_tool_parse_duration(a + 13, &older) ? 0 : 2;
		else
			rc = 2;
	}
	if (rc != 0) {
		fprintf(stderr, "usage: okta-groups expire [-c CONF] [--older-than DURATION] "
			"[--dry-run]\n  DURATION: a number with s, m, h, d or w (default 30d)\n");
		return rc;
	}
	cutoff = now - older;
	if (list_users(cfg->state_dir, &users) != POG_OK)
		return 1;
	if (dry_run && pog_grpfile_read(cfg->group_file, POG_GRP_GROUP, &db, &msg) != POG_OK) {
		fprintf(stderr, "okta-groups: %s\n", msg != NULL ? msg : "cannot read the group file");
		rc = 1;
		goto out;
	}
	for (size_t i = 0; i < users.n; i++) {
		struct pog_ledger l = { 0 };
		char *lmsg = NULL;
		pog_err err = pog_ledger_load(cfg->state_dir, users.v[i], &l, &lmsg);

		if (err != POG_OK) {
			/* a corrupt ledger cannot say what to remove; say so and go on */
			fprintf(stderr, "okta-groups: skipped: %s\n",
				lmsg != NULL ? lmsg : users.v[i]);
			free(lmsg);
			if (err != POG_ERR_INVALID)
				rc = 1;
			continue;
		}
		if (l.when < cutoff && l.managed.n > 0) {
			nusers++;
			if (expire_one(cfg, users.v[i], cutoff, now, dry_run, &db, &nremoved) != 0)
				rc = 1;
		}
		pog_ledger_free(&l);
	}
	printf("expire%s: %zu user(s) not seen for %lds, %zu membership(s) %s\n",
	       dry_run ? " (dry run)" : "", nusers, older, nremoved,
	       dry_run ? "would be removed" : "removed");
	if (expire_accounts(cfg, cutoff, now, dry_run) != 0)
		rc = 1;
out:
	free(msg);
	pog_grp_db_free(&db);
	pog_strv_free(&users);
	return rc;
}

/* ---- users ---- */

/* The accounts the module created (state_dir/accounts), after the ledgers. */
static int
list_accounts(const struct pog_config *cfg, int64_t now)
{
	struct pog_strv names = { 0 };
	char *dir = pog_asprintf("%s/accounts", cfg->state_dir);
	int rc = 0;

	if (dir == NULL || list_users(dir, &names) != POG_OK) {
		free(dir);
		return 1;
	}
	if (names.n > 0)
		printf("\naccounts created on first login:\n%-20s %-10s %-24s %-20s %-20s %s\n",
		       "USER", "UID", "SUB", "CREATED", "LAST LOGIN", "STATE");
	for (size_t i = 0; i < names.n; i++) {
		struct pog_account a;
		char created[128], last[128], *sub;

		if (pog_accounts_record(cfg, names.v[i], &a) != POG_OK) {
			fprintf(stderr, "okta-groups: the record of %s cannot be read\n", names.v[i]);
			rc = 1;
			continue;
		}
		format_when(a.created, now, created, sizeof(created));
		format_when(a.last_login, now, last, sizeof(last));
		sub = pog_sanitize(a.sub, 255);
		printf("%-20s %-10u %-24s %-20s %-20s %s\n", a.name, (unsigned int)a.uid,
		       sub != NULL ? sub : "?", created, last, pog_account_state_name(a.state));
		free(sub);
	}
	pog_strv_free(&names);
	free(dir);
	return rc;
}

/* users lock USER, users purge USER: created accounts only. */
static int
users_change(const struct pog_config *cfg, int argc, char **argv)
{
	bool purge = strcmp(argv[0], "purge") == 0;
	const char *user;
	pog_err err;

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: okta-groups users [-c CONF] %s USER\n", argv[0]);
		return 2;
	}
	user = argv[1];
	if (!pog_grp_user_valid(user)) {
		fprintf(stderr, "okta-groups: not a valid user name\n");
		return 2;
	}
	err = purge ? pog_accounts_purge(cfg, user, &tool_io) : pog_accounts_lock(cfg, user, &tool_io);
	if (err == POG_ERR_USER) {
		fprintf(stderr, "okta-groups: %s was not created by pam_okta_groups (no record in "
			"%s/accounts): %s\n", user, cfg->state_dir,
			purge ? "remove it with userdel" :
			"lock it with usermod -L -e 1, which pam_unix's account phase enforces");
		return 1;
	}
	if (err != POG_OK) {
		fprintf(stderr, "okta-groups: users %s %s: %s\n", argv[0], user, pog_strerror(err));
		return 1;
	}
	/* A locked or purged account keeps no sudo rule. */
	if (pog_sudoers_remove(cfg, user, &tool_io) != POG_OK)
		fprintf(stderr, "okta-groups: %s: cannot remove %s/okta-%s\n", user,
			cfg->sudoers_dir, user);
	if (purge)
		printf("%s: purged (the home is kept; its UID stays reserved for this name)\n", user);
	else
		printf("%s: locked; the module refuses its logins\n", user);
	syslog(LOG_AUTHPRIV | LOG_NOTICE, "users %s: user=%s", argv[0], user);
	return 0;
}

static int
users_list(const struct pog_config *cfg, int argc, char **argv)
{
	struct pog_strv users = { 0 };
	int64_t now = (int64_t)time(NULL);
	int rc = 0;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: okta-groups users [-c CONF] [list]\n");
		return 2;
	}
	if (list_users(cfg->state_dir, &users) != POG_OK)
		return 1;
	if (users.n == 0)
		printf("no ledger in %s\n", cfg->state_dir);
	else
		printf("%-32s %-32s %s\n", "USER", "PINNED SUB", "LAST LOGIN");
	for (size_t i = 0; i < users.n; i++) {
		struct pog_ledger l = { 0 };
		char *msg = NULL, *pin = NULL, when[128];
		pog_err err = pog_ledger_load(cfg->state_dir, users.v[i], &l, &msg);

		if (err == POG_OK) {
			format_when(l.when, now, when, sizeof(when));
			pin = l.pinned_sub != NULL ? pog_sanitize(l.pinned_sub, 255) : NULL;
			printf("%-32s %-32s %s\n", l.user,
			       l.pinned_sub == NULL ? "- (not pinned)" : pin != NULL ? pin : "?", when);
		} else if (err == POG_ERR_INVALID) {
			/* a leftover temp file or a stranger in the folder: say so, go on */
			fprintf(stderr, "okta-groups: skipped: %s\n", msg != NULL ? msg : users.v[i]);
		} else {
			fprintf(stderr, "okta-groups: %s\n", msg != NULL ? msg : pog_strerror(err));
			rc = 1;
		}
		free(pin);
		free(msg);
		pog_ledger_free(&l);
	}
	pog_strv_free(&users);
	if (list_accounts(cfg, now) != 0)
		rc = 1;
	return rc;
}

struct rebind_ctx {
	const struct pog_config *cfg;
	const char *user;
	char *was;              /* the pin cleared, or NULL when there was none */
};

/* Under the group files' lock, as the sync: re-read, clear the pin, write. */
static pog_err
rebind_plan(void *ctx, const struct pog_grp_db *db, struct pog_strv *add,
	    struct pog_strv *remove)
{
	struct rebind_ctx *r = ctx;
	struct pog_ledger l = { 0 };
	char *msg = NULL;
	pog_err err;

	(void)db;
	(void)add;
	(void)remove;
	err = pog_ledger_load(r->cfg->state_dir, r->user, &l, &msg);
	if (err == POG_ERR_SYSTEM && errno == ENOENT) {
		fprintf(stderr, "okta-groups: %s: no ledger (no login through "
			"pam_okta_groups recorded), so nothing is pinned\n", r->user);
		goto out;
	}
	if (err != POG_OK) {
		fprintf(stderr, "okta-groups: %s\n", msg != NULL ? msg : pog_strerror(err));
		goto out;
	}
	if (l.pinned_sub == NULL)
		goto out;       /* nothing to clear, nothing written */
	r->was = l.pinned_sub;
	l.pinned_sub = NULL;
	err = pog_ledger_write(r->cfg->state_dir, &l);
	if (err != POG_OK)
		fprintf(stderr, "okta-groups: %s: cannot write the ledger: %s\n", r->user,
			pog_strerror(err));
out:
	free(msg);
	pog_ledger_free(&l);
	return err;
}

/*
 * rebind of a purged account: its tombstone released, so that another
 * Okta identity may have the name, with a new UID. The old UID stays
 * retired, but the home the purge kept is where the new account's will
 * be, which the admin is told. 1 when it was no tombstone.
 */
static int
release_tombstone(const struct pog_config *cfg, const char *user, int *rc)
{
	struct pog_account a;
	char home[4096];
	char *sub;

	if (pog_accounts_record(cfg, user, &a) != POG_OK ||
	    (a.state != POG_ACCOUNT_PURGED && a.state != POG_ACCOUNT_RELEASED))
		return 1;
	if (a.state == POG_ACCOUNT_PURGED && pog_accounts_release(cfg, user, &a) != POG_OK) {
		fprintf(stderr, "okta-groups: %s: cannot release its tombstone%s\n", user,
			a.nretired >= POG_ACCOUNT_RETIRED_MAX ? " (it has had too many owners)" : "");
		*rc = 1;
		return 0;
	}
	sub = pog_sanitize(a.sub, 255);
	if (!pog_uid_home_expand(cfg->home, user, home, sizeof(home)))
		snprintf(home, sizeof(home), "its old home");
	printf("%s: purged account released (it was Okta sub %s): the next first login of %s,\n"
	       "by any Okta identity, creates it with a new uid; uid %u stays retired, never\n"
	       "given to anyone. The home purge kept, %s, is still where the new\n"
	       "account's will be, owned by uid %u: archive or remove it first\n",
	       user, sub != NULL ? sub : "?", user, (unsigned int)a.uid, home,
	       (unsigned int)a.uid);
	syslog(LOG_AUTHPRIV | LOG_NOTICE, "users rebind: user=%s tombstone released (uid %u, "
	       "was sub \"%s\")", user, (unsigned int)a.uid, sub != NULL ? sub : "?");
	free(sub);
	*rc = 0;
	return 0;
}

static int
users_rebind(const struct pog_config *cfg, int argc, char **argv)
{
	struct rebind_ctx r = { .cfg = cfg };
	struct pog_grpfile_hooks hooks = { .plan = rebind_plan };
	char *was = NULL;
	pog_err err;

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: okta-groups users [-c CONF] rebind USER\n");
		return 2;
	}
	r.user = argv[1];
	if (!pog_grp_user_valid(r.user)) {
		fprintf(stderr, "okta-groups: not a valid user name\n");
		return 2;
	}
	{
		int rc;

		if (release_tombstone(cfg, r.user, &rc) == 0)
			return rc;
	}
	/* The group files are read and left alone: the plan adds and removes nothing. */
	err = pog_grpfile_update(cfg->group_file, cfg->gshadow_file, r.user, &hooks, &r,
				 &tool_io);
	if (err != POG_OK) {
		free(r.was);
		return 1;
	}
	if (r.was == NULL) {
		printf("%s: not pinned; the next login pins its Okta sub\n", r.user);
		return 0;
	}
	was = pog_sanitize(r.was, 255);
	printf("%s: pin to Okta sub %s cleared; the next login pins its Okta sub\n", r.user,
	       was != NULL ? was : "?");
	syslog(LOG_AUTHPRIV | LOG_NOTICE, "users rebind: user=%s pin cleared (was sub \"%s\")",
	       r.user, was != NULL ? was : "?");
	free(was);
	free(r.was);
	return 0;
}

int
pog_tool_users(const struct pog_config *cfg, int argc, char **argv)
{
	/* users WORD ...: each word its own function, with argv[0] the word */
	static const struct {
		const char *name;
		int (*run)(const struct pog_config *, int, char **);
	} cmds[] = {
		{ "list", users_list },
		{ "rebind", users_rebind },
		{ "lock", users_change },
		{ "purge", users_change },
	};

	if (argc < 2)
		return users_list(cfg, 1, argv);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].run(cfg, argc - 1, argv + 1);
	fprintf(stderr, "okta-groups: users: unknown command: %s\n"
		"usage: okta-groups users [-c CONF] [list]\n"
		"       okta-groups users [-c CONF] rebind|lock|purge USER\n", argv[1]);
	return 2;
}

int
pog_tool_check_sudo(const struct pog_config *cfg)
{
	char *why = NULL;
	int bad = 0;
	pog_err err;

	if (cfg->nsudo == 0)
		return 0;
	err = pog_sudoers_ready(cfg, &why);
	if (err != POG_OK) {
		printf("sudo: %s: no rule is installed at login\n", why != NULL ? why : "?");
		bad = err == POG_ERR_NOMEM;
	}
	free(why);
	why = NULL;
	for (size_t i = 0; i < cfg->nsudo; i++) {
		const struct pog_sudo_rule *r = &cfg->sudo[i];

		err = pog_sudoers_check_rule("pog-check", r->rule, &why);
		if (err == POG_ERR_UNAVAIL) {
			free(why);
			return bad;     /* said above */
		}
		if (err != POG_OK) {
			fprintf(stderr, "okta-groups: %s:%u: [sudo] %s: visudo refuses the rule: %s\n",
				cfg->path != NULL ? cfg->path : "-", r->line, r->role,
				why != NULL ? why : pog_strerror(err));
			bad++;
		}
		free(why);
		why = NULL;
	}
	if (bad == 0)
		printf("sudo: %zu rule(s) pass visudo -cf\n", cfg->nsudo);
	return bad;
}
