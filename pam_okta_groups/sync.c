/*
 * sync.c - the account phase: map the IdP groups (map.c), edit the group
 * files (grpfile.c), keep the ledger (ledger.c), and log one audit line.
 *
 * In persistent mode the ledger is read and written while the group
 * files are locked, so two logins of the same user cannot lose each
 * other's record. Before the module adds anyone to a group, it first
 * records the group in the ledger as managed: if the ledger cannot be
 * written, no group is added, and a group this module added is never
 * left unrecorded.
 */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "accounts.h"
#include "grp.h"
#include "grpfile.h"
#include "ledger.h"
#include "map.h"
#include "policy.h"
#include "sudo.h"
#include "sudoers.h"
#include "sync.h"
#include "util.h"

#define PW_BUF_MAX (1024 * 1024)

/* The one sentence for a token without a groups claim. */
#define NO_CLAIM_SENTENCE "Okta sent no group list for this sign-in, so access " \
	"cannot be checked; please contact your administrator."

struct sync_ctx {
	const struct pog_config *cfg;
	const struct pog_identity *id;
	const struct pog_io *io;
	gid_t gid;
	bool dry_run;
	bool edit;                      /* persistent mode: change the group files */
	struct pog_ledger old;          /* the ledger as read */
	struct pog_map_plan plan;
	struct pog_strv added;
	struct pog_strv removed;
	struct pog_strv managed;        /* the ledger's managed set afterwards */
	struct pog_map_sysinfo *sys;    /* for same_name; NULL: it grants nothing */
	bool sudo_ran;                  /* the sudoers file was synced */
	struct pog_strv sudo_added;     /* role names */
	struct pog_strv sudo_removed;
	char *deny_reason;
	char *ledger_text;              /* the final ledger, made before the renames */
	size_t ledger_len;
	bool intent_written;            /* the intent record is on disk */
	bool result_begun;              /* result_w holds the final ledger's temp */
	struct pog_atomic result_w;
};

void
pog_sync_result_free(struct pog_sync_result *res)
{
	if (res == NULL)
		return;
	pog_strv_free(&res->roles);
	pog_strv_free(&res->desired);
	pog_strv_free(&res->added);
	pog_strv_free(&res->removed);
	pog_strv_free(&res->ignored);
	free(res->deny_reason);
	memset(res, 0, sizeof(*res));
}

static pog_err
strv_copy(struct pog_strv *dst, const struct pog_strv *src)
{
	for (size_t i = 0; i < src->n; i++)
		if (pog_strv_add(dst, src->v[i]) != POG_OK)
			return POG_ERR_NOMEM;
	return POG_OK;
}

static char *
host_name(void)
{
	char host[256];

	if (gethostname(host, sizeof(host)) != 0)
		return strdup("this host");
	host[sizeof(host) - 1] = '\0';
	return pog_sanitize(host, 64);
}

pog_err
pog_sync_primary_gid(const char *user, gid_t *gid)
{
	struct passwd pw, *res = NULL;
	long sz = sysconf(_SC_GETPW_R_SIZE_MAX);
	size_t bufsz = sz > 0 ? (size_t)sz : 16384;
	char *buf = NULL;
	pog_err err = POG_ERR_NOMEM;

	for (;;) {
		char *nb = realloc(buf, bufsz);
		int r;

		if (nb == NULL)
			goto out;
		buf = nb;
		r = getpwnam_r(user, &pw, buf, bufsz, &res);
		if (r == ERANGE && bufsz < PW_BUF_MAX) {
			bufsz *= 2;
			continue;
		}
		if (r != 0 && r != ENOENT && r != ESRCH) {
			err = POG_ERR_SYSTEM;
			goto out;
		}
		break;
	}
	if (res == NULL) {
		err = POG_ERR_USER;
		goto out;
	}
	*gid = pw.pw_gid;
	err = POG_OK;
out:
	free(buf);
	return err;
}

/* group_file's folder joined with name: /etc/group gives /etc/NAME. */
static char *
sibling(const char *group_file, const char *name)
{
	const char *slash = strrchr(group_file, '/');

	if (slash == NULL)
		return strdup(name);
	return pog_asprintf("%.*s/%s", (int)(slash - group_file), group_file, name);
}

struct sysblock {
	struct pog_map_sysinfo info;    /* first: free(&b->info) frees b */
	gid_t gids[];
};

pog_err
pog_sync_sysinfo(const struct pog_config *cfg, const struct pog_io *io,
		 struct pog_map_sysinfo **out)
{
	char *defs_path = NULL, *pw_path = NULL, *data = NULL, *msg = NULL, *why = NULL;
	size_t len = 0, ngids = 0;
	gid_t gid_min = 0, gid_max = 0, *gids = NULL;
	struct sysblock *b = NULL;
	/* login.defs as shadow reads it: a missing file means the defaults */
	struct pog_file_policy passwd_policy = {
		.owner = 0, .max = POG_GRPFILE_MAX_SIZE, .scrub = true, .missing_ok = true,
		.refused = POG_ERR_CONFIG,
	};
	pog_err err;

	*out = NULL;
	if (!cfg->same_name)
		return POG_OK;
	err = POG_ERR_NOMEM;
	defs_path = sibling(cfg->group_file, "login.defs");
	pw_path = sibling(cfg->group_file, "passwd");
	if (defs_path == NULL || pw_path == NULL)
		goto out;

	err = pog_read_file(defs_path, &passwd_policy, &data, &len, NULL, &msg);
	if (err == POG_OK)
		err = pog_map_parse_login_defs(data, len, &gid_min, &gid_max, &why);
	if (err == POG_ERR_NOMEM)
		goto out;
	if (err != POG_OK) {
		pog_log(io, LOG_ERR, "same_name grants nothing: %s%s%s", msg != NULL ? "" : defs_path,
			msg != NULL ? "" : ": ", msg != NULL ? msg : why != NULL ? why : pog_strerror(err));
		err = POG_OK;
		goto out;
	}
	free(data);
	data = NULL;
	passwd_policy.missing_ok = false;
	err = pog_read_file(pw_path, &passwd_policy, &data, &len, NULL, &msg);
	if (err == POG_OK)
		err = pog_map_parse_passwd_gids(data, len, &gids, &ngids, &why);
	if (err == POG_ERR_NOMEM)
		goto out;
	if (err != POG_OK) {
		pog_log(io, LOG_ERR, "same_name grants nothing: %s%s%s", msg != NULL ? "" : pw_path,
			msg != NULL ? "" : ": ", msg != NULL ? msg : why != NULL ? why : pog_strerror(err));
		err = POG_OK;
		goto out;
	}
	err = POG_ERR_NOMEM;
	b = malloc(sizeof(*b) + ngids * sizeof(gid_t));
	if (b == NULL)
		goto out;
	if (ngids > 0)
		memcpy(b->gids, gids, ngids * sizeof(gid_t));
	b->info.gid_min = gid_min;
	b->info.gid_max = gid_max;
	b->info.user_gids = b->gids;
	b->info.n_user_gids = ngids;
	*out = &b->info;
	err = POG_OK;
out:
	free(defs_path);
	free(pw_path);
	free(data);
	free(msg);
	free(why);
	free(gids);
	return err;
}

static pog_err
join(struct pog_buf *b, const struct pog_strv *sv)
{
	if (sv->n == 0)
		return pog_buf_addstr(b, "-");
	for (size_t i = 0; i < sv->n; i++)
		if ((i > 0 && pog_buf_addstr(b, ",") != POG_OK) ||
		    pog_buf_addstr(b, sv->v[i]) != POG_OK)
			return POG_ERR_NOMEM;
	return POG_OK;
}

static char *
result_text(const struct sync_ctx *c)
{
	if (c->deny_reason != NULL)
		return pog_asprintf("denied: %s", c->deny_reason);
	return strdup(c->plan.granted ? "granted" : "allowed: no binding");
}

/* One line per login: who, from where, what changed, and the outcome. */
static void
audit(const struct sync_ctx *c)
{
	struct pog_buf b = { 0 };
	char *user = pog_quote(c->id->user, 64);
	char *sub = pog_quote(c->id->sub != NULL ? c->id->sub : "-", 128);
	char *iss = pog_quote(c->id->issuer != NULL ? c->id->issuer : "-", 256);
	char *result = result_text(c);

	if (result != NULL && c->plan.capped) {
		char *r = pog_asprintf("%s; removed nothing: the group list may be cut at "
				       "the provider's cap", result);

		free(result);
		result = r;
	}
	if (user == NULL || sub == NULL || iss == NULL || result == NULL ||
	    pog_buf_printf(&b, "user=%s sub=%s issuer=%s groups_from=%s mode=%s added=",
			   user, sub, iss,
			   !c->id->groups_present ? "none" :
			   c->id->groups_source != NULL ? c->id->groups_source : "-",
			   c->cfg->mode == POG_MODE_PERSISTENT ? "persistent" :
			   c->cfg->mode == POG_MODE_SESSION ? "session" : "none") != POG_OK ||
	    join(&b, &c->added) != POG_OK || pog_buf_addstr(&b, " removed=") != POG_OK ||
	    join(&b, &c->removed) != POG_OK ||
	    (c->sudo_ran && (pog_buf_addstr(&b, " sudo_added=") != POG_OK ||
			     join(&b, &c->sudo_added) != POG_OK ||
			     pog_buf_addstr(&b, " sudo_removed=") != POG_OK ||
			     join(&b, &c->sudo_removed) != POG_OK)) ||
	    pog_buf_printf(&b, " result=\"%s\"", result) != POG_OK) {
		pog_log(c->io, LOG_ERR, "out of memory for the audit line of %s", c->id->user);
		goto out;
	}
	pog_log(c->io, c->dry_run ? LOG_DEBUG : LOG_NOTICE, "%saudit: %s",
		c->dry_run ? "dry run: " : "", b.data);
out:
	pog_buf_free(&b);
	free(user);
	free(sub);
	free(iss);
	free(result);
}

/* The ledger for this login, with managed as given, as text in c. */
static pog_err
ledger_format(struct sync_ctx *c, const struct pog_strv *managed, const char *result)
{
	struct pog_ledger l = { 0 };
	pog_err err = POG_ERR_NOMEM;

	l.user = c->id->user;
	l.when = c->id->auth_time > 0 ? c->id->auth_time : (int64_t)time(NULL);
	l.sub = c->id->sub != NULL ? pog_sanitize(c->id->sub, 255) : NULL;
	l.issuer = c->id->issuer != NULL ? pog_sanitize(c->id->issuer, 1000) : NULL;
	l.result = result != NULL ? pog_sanitize(result, 1000) : NULL;
	if ((c->id->sub != NULL && l.sub == NULL) ||
	    (c->id->issuer != NULL && l.issuer == NULL) || l.result == NULL)
		goto out;
	l.idp_groups = c->plan.idp_record;
	l.managed = *managed;
	l.last_added = c->added;
	l.last_removed = c->removed;
	l.pinned_sub = c->old.pinned_sub;
	free(c->ledger_text);
	c->ledger_text = NULL;
	err = pog_ledger_format(&l, &c->ledger_text, &c->ledger_len);
out:
	free(l.sub);
	free(l.issuer);
	free(l.result);
	return err;
}

/*
 * Writes the text ledger_format made: renames the temp ready_cb began,
 * or writes it whole; a failure is logged. After an intent record the
 * folder's fsync is left out: a crash may then leave the intent in
 * place of this, and it serves as well (it holds the pin, and lists as
 * ours every group that may now be).
 */
static pog_err
ledger_write_prepared(struct sync_ctx *c, pog_err err)
{
	if (err == POG_OK && c->result_begun) {
		c->result_begun = false;
		err = pog_atomic_commit(&c->result_w, !c->intent_written);
	} else if (err == POG_OK) {
		err = pog_ledger_write_text(c->cfg->state_dir, c->id->user, c->ledger_text,
					    c->ledger_len);
	}
	if (err != POG_OK)
		pog_log(c->io, LOG_ERR, "cannot write the ledger of %s in %s: %s",
			c->id->user, c->cfg->state_dir, pog_strerror(err));
	return err;
}

static pog_err
set_deny_reason(struct sync_ctx *c)
{
	char *host = host_name();
	char *project = pog_sanitize(c->cfg->project, 64);

	if (host != NULL && project != NULL)
		c->deny_reason = pog_asprintf("No Okta group grants access to project %s on %s.",
					      project, host);
	free(host);
	free(project);
	return c->deny_reason != NULL ? POG_OK : POG_ERR_NOMEM;
}

static pog_err
plan_cb(void *ctx, const struct pog_grp_db *group, struct pog_strv *add,
	struct pog_strv *remove)
{
	struct sync_ctx *c = ctx;
	const struct pog_config *cfg = c->cfg;
	struct pog_map_input in = {
		.cfg = cfg,
		.idp_groups = c->id->groups_present ? &c->id->groups : NULL,
		.user = c->id->user,
		.primary_gid = c->gid,
		.group_db = group,
	};
	pog_err err;

	err = pog_ledger_read(cfg->state_dir, c->id->user, &c->old, c->io);
	if (err == POG_OK && c->sys == NULL)
		err = pog_sync_sysinfo(cfg, c->io, &c->sys);
	if (err != POG_OK)
		return err;
	/* auth checked the pin; under the lock a racing first login may have taken it */
	err = pog_ledger_pin_take(&c->old, c->id->sub, c->io);
	if (err != POG_OK)
		return err;
	in.ledger_managed = &c->old.managed;
	in.sys = c->sys;
	err = pog_map_plan(&in, &c->plan);
	if (err != POG_OK)
		return err;
	for (size_t i = 0; i < c->plan.warnings.n; i++)
		pog_log(c->io, LOG_WARNING, "%s: ignored %s", c->id->user, c->plan.warnings.v[i]);
	for (size_t i = 0; i < c->plan.ignored.n; i++)
		pog_log(c->io, LOG_DEBUG, "%s: ignored %s", c->id->user, c->plan.ignored.v[i]);
	if (c->plan.capped) {
		struct pog_buf kept = { 0 };

		if (join(&kept, &c->plan.kept) != POG_OK)
			return POG_ERR_NOMEM;
		pog_log(c->io, LOG_WARNING, "%s: %zu groups from %s, at the provider's cap of %d: "
			"the list may have been cut, so no group is removed (kept: %s)",
			c->id->user, c->id->groups.n,
			c->id->groups_source != NULL ? c->id->groups_source : "-",
			POG_MAP_GROUPS_CAP, kept.data);
		pog_buf_free(&kept);
	}
	if (!c->plan.granted && cfg->deny_on_no_binding) {
		/* D is empty, so the plan strips every managed group (unless capped). */
		err = set_deny_reason(c);
		if (err != POG_OK)
			return err;
	}

	if (!c->edit)
		return POG_OK;
	err = strv_copy(add, &c->plan.add);
	if (err == POG_OK)
		err = strv_copy(remove, &c->plan.remove);
	return err;
}

/*
 * Before the renames: the result and the final ledger text, so that once
 * the group files are in place only the ledger's write itself can fail.
 */
static pog_err
ready_cb(void *ctx, const struct pog_strv *added, const struct pog_strv *removed)
{
	struct sync_ctx *c = ctx;
	char *result = NULL;
	pog_err err;

	if (added->n > 0 && !c->dry_run) {
		/*
		 * Record the intent first: the old ledger, with the groups about
		 * to be added as managed. Never add a group the ledger does not know.
		 */
		struct pog_ledger l = c->old;
		struct pog_strv intent = { 0 };

		err = strv_copy(&intent, &c->old.managed);
		for (size_t i = 0; err == POG_OK && i < added->n; i++)
			if (!pog_strv_contains(&intent, added->v[i]))
				err = pog_strv_add(&intent, added->v[i]);
		l.managed = intent;
		if (err == POG_OK)
			err = pog_ledger_write(c->cfg->state_dir, &l);
		pog_strv_free(&intent);
		c->intent_written = err == POG_OK;
		if (err != POG_OK) {
			pog_log(c->io, LOG_ERR, "cannot write the ledger of %s in %s, so no "
				"group is added: %s", c->id->user, c->cfg->state_dir,
				pog_strerror(err));
			return err;
		}
	}
	err = strv_copy(&c->added, added);
	if (err == POG_OK)
		err = strv_copy(&c->removed, removed);
	if (err == POG_OK)
		err = strv_copy(&c->managed, &c->plan.managed_after);
	if (err != POG_OK)
		return err;
	result = result_text(c);
	if (result == NULL)
		return POG_ERR_NOMEM;
	err = ledger_format(c, &c->managed, result);
	free(result);
	/* Its temp now, written while the group files are: done renames it.
	 * If that cannot start, done writes it whole, as a failure there
	 * must not stop a removal. */
	if (err == POG_OK && !c->dry_run)
		c->result_begun = pog_ledger_begin_text(c->cfg->state_dir, c->id->user,
							c->ledger_text, c->ledger_len,
							&c->result_w) == POG_OK;
	return err;
}

/*
 * Persistent mode: the sudoers file follows the roles as the groups do.
 * It runs after the group files are in place, so no failure here may
 * undo the login: it is logged (here or in sudoers.c), and the audit
 * line shows no sudo change.
 */
static void
sync_sudo(struct sync_ctx *c)
{
	struct pog_strv roles = { 0 };
	pog_err err = pog_sudo_roles(c->cfg, &c->plan.roles, &roles);

	if (err == POG_OK)
		err = pog_sudoers_sync(c->cfg, c->id->user, &roles, c->plan.capped, c->io,
				       &c->sudo_added, &c->sudo_removed);
	pog_strv_free(&roles);
	c->sudo_ran = err != POG_ERR_NOMEM;
	if (err == POG_ERR_NOMEM)
		pog_log(c->io, LOG_ERR, "out of memory for the sudoers file of %s: left as it was",
			c->id->user);
}

static pog_err
done_cb(void *ctx, const struct pog_strv *added, const struct pog_strv *removed)
{
	struct sync_ctx *c = ctx;

	(void)added;
	(void)removed;
	/*
	 * The groups are right by now, and the intent record lists every
	 * group added: a ledger that failed here is only logged.
	 */
	(void)ledger_write_prepared(c, POG_OK);
	/* Under the lock still: two logins of one user write their groups
	 * and their sudoers file in the same order, so the last of both wins. */
	sync_sudo(c);
	return POG_OK;
}

/* session, none, and dry runs: read, plan, and (not dry) write the ledger only. */
static pog_err
run_readonly(struct sync_ctx *c)
{
	struct pog_grp_db db = { 0 };
	struct pog_strv none_add = { 0 }, none_remove = { 0 };
	char *msg = NULL;
	char *result = NULL;
	pog_err err;

	err = pog_grpfile_read(c->cfg->group_file, POG_GRP_GROUP, &db, &msg);
	if (err != POG_OK) {
		pog_log(c->io, LOG_ERR, "%s", msg != NULL ? msg : pog_strerror(err));
		goto out;
	}
	err = plan_cb(c, &db, &none_add, &none_remove);
	if (err != POG_OK)
		goto out;
	if (c->edit) {
		/* dry run in persistent mode: what would change */
		err = strv_copy(&c->added, &c->plan.add);
		if (err == POG_OK)
			err = strv_copy(&c->removed, &c->plan.remove);
		goto out;
	}
	for (size_t i = 0; i < c->old.managed.n; i++) {
		const char *g = c->old.managed.v[i];

		if (pog_grp_db_is_member(&db, g, c->id->user) &&
		    pog_strv_add(&c->managed, g) != POG_OK) {
			err = POG_ERR_NOMEM;
			goto out;
		}
	}
	if (!c->dry_run) {
		result = result_text(c);
		if (result == NULL) {
			err = POG_ERR_NOMEM;
			goto out;
		}
		(void)ledger_write_prepared(c, ledger_format(c, &c->managed, result));
	}
out:
	free(result);
	free(msg);
	pog_strv_free(&none_add);
	pog_strv_free(&none_remove);
	pog_grp_db_free(&db);
	return err;
}

static void
ctx_free(struct sync_ctx *c)
{
	pog_ledger_free(&c->old);
	pog_map_plan_free(&c->plan);
	pog_strv_free(&c->added);
	pog_strv_free(&c->removed);
	pog_strv_free(&c->managed);
	free(c->sys);
	free(c->deny_reason);
	free(c->ledger_text);
	if (c->result_begun)
		pog_atomic_abort(&c->result_w);
	pog_strv_free(&c->sudo_added);
	pog_strv_free(&c->sudo_removed);
}


pog_err
pog_sync_account_gid(const struct pog_config *cfg, const struct pog_identity *id,
		     const struct pog_io *io, bool dry_run, gid_t gid,
		     struct pog_sync_result *res)
{
	struct sync_ctx c = { 0 };
	struct pog_grpfile_hooks hooks = { .plan = plan_cb, .ready = ready_cb, .done = done_cb };
	struct pog_sync_result r = { 0 };
	pog_err err = POG_ERR_INVALID;

	memset(res, 0, sizeof(*res));
	if (cfg == NULL || id == NULL || id->user == NULL || cfg->group_file == NULL ||
	    cfg->state_dir == NULL || cfg->project == NULL)
		goto out;
	if (!pog_grp_user_valid(id->user)) {
		char *clean = pog_sanitize(id->user, 64);

		pog_log(io, LOG_ERR, "refusing the user name \"%s\": not a valid name",
			clean != NULL ? clean : "?");
		free(clean);
		err = POG_ERR_USER;
		goto out;
	}
	c.cfg = cfg;
	c.id = id;
	c.io = io;
	c.gid = gid;
	c.dry_run = dry_run;
	c.edit = cfg->mode == POG_MODE_PERSISTENT;

	if (!id->groups_present) {
		/*
		 * No claim is not "no groups": a renamed claim or a dropped
		 * scope must not strip anyone. Refuse, and touch nothing.
		 */
		char *claim = pog_sanitize(cfg->groups_claim != NULL ? cfg->groups_claim : "-", 64);

		pog_log(io, LOG_ERR, "%s: the IdP sent no \"%s\" claim in %s: refused, and no "
			"group or ledger was changed", id->user, claim != NULL ? claim : "?",
			cfg->source == POG_SOURCE_ID_TOKEN ? "the ID token" :
			cfg->source == POG_SOURCE_USERINFO ? "userinfo" :
			"the ID token or userinfo");
		free(claim);
		c.deny_reason = strdup(NO_CLAIM_SENTENCE);
		if (c.deny_reason == NULL) {
			err = POG_ERR_NOMEM;
			goto out;
		}
		audit(&c);
		res->deny_reason = c.deny_reason;
		c.deny_reason = NULL;
		err = POG_ERR_NOBINDING;
		goto out;
	}
	if (c.edit && !dry_run) {
		err = pog_grpfile_update(cfg->group_file, cfg->gshadow_file, id->user,
					 &hooks, &c, io);
	} else {
		err = run_readonly(&c);
	}
	if (err != POG_OK)
		goto out;
	audit(&c);

	r.granted = c.plan.granted;
	r.roles = c.plan.roles;
	r.desired = c.plan.desired;
	r.ignored = c.plan.ignored;
	memset(&c.plan.roles, 0, sizeof(c.plan.roles));
	memset(&c.plan.desired, 0, sizeof(c.plan.desired));
	memset(&c.plan.ignored, 0, sizeof(c.plan.ignored));
	r.added = c.added;
	r.removed = c.removed;
	memset(&c.added, 0, sizeof(c.added));
	memset(&c.removed, 0, sizeof(c.removed));
	r.deny_reason = c.deny_reason;
	c.deny_reason = NULL;
	err = r.deny_reason != NULL ? POG_ERR_NOBINDING : POG_OK;
	*res = r;
out:
	ctx_free(&c);
	return err;
}

pog_err
pog_sync_account(const struct pog_config *cfg, const struct pog_identity *id,
		 const struct pog_io *io, bool dry_run, struct pog_sync_result *res)
{
	gid_t gid = 0;
	pog_err err;

	memset(res, 0, sizeof(*res));
	if (cfg == NULL || id == NULL || id->user == NULL)
		return POG_ERR_INVALID;
	if (!pog_grp_user_valid(id->user))
		return POG_ERR_USER;
	err = pog_sync_primary_gid(id->user, &gid);
	if (err == POG_ERR_USER) {
		char *host = host_name();

		pog_log(io, LOG_ERR, "%s: no such local account", id->user);
		res->deny_reason = pog_asprintf("The account %s does not exist on %s.",
						id->user, host != NULL ? host : "this host");
		free(host);
	}
	if (err != POG_OK)
		return err;
	return pog_sync_account_gid(cfg, id, io, dry_run, gid, res);
}

pog_err
pog_sync_session_gids(const struct pog_config *cfg, const struct pog_identity *id,
		      const struct pog_io *io, gid_t **gids, size_t *ngids)
{
	struct pog_grp_db db = { 0 };
	struct pog_map_plan plan = { 0 };
	struct pog_map_input in = { 0 };
	struct pog_map_sysinfo *sys = NULL;
	gid_t *out = NULL;
	size_t n = 0;
	char *msg = NULL;
	gid_t gid;
	pog_err err = POG_ERR_INVALID;

	if (cfg == NULL || id == NULL || id->user == NULL || cfg->group_file == NULL)
		goto out;
	err = POG_ERR_USER;
	if (!pog_grp_user_valid(id->user))
		goto out;
	err = pog_sync_primary_gid(id->user, &gid);
	if (err != POG_OK)
		goto out;
	err = pog_grpfile_read(cfg->group_file, POG_GRP_GROUP, &db, &msg);
	if (err != POG_OK) {
		pog_log(io, LOG_ERR, "%s", msg != NULL ? msg : pog_strerror(err));
		goto out;
	}
	in.cfg = cfg;
	in.idp_groups = id->groups_present ? &id->groups : NULL;
	in.user = id->user;
	in.primary_gid = gid;
	in.group_db = &db;
	err = pog_sync_sysinfo(cfg, io, &sys);
	if (err != POG_OK)
		goto out;
	in.sys = sys;
	err = pog_map_plan(&in, &plan);
	if (err != POG_OK)
		goto out;
	err = POG_ERR_NOMEM;
	out = calloc(plan.desired.n + 1, sizeof(*out));
	if (out == NULL)
		goto out;
	for (size_t i = 0; i < plan.desired.n; i++) {
		const struct pog_grp_entry *e = pog_grp_db_find(&db, plan.desired.v[i]);
		bool dup = false;

		if (e == NULL)
			continue;
		for (size_t j = 0; j < n; j++)
			dup = dup || out[j] == e->gid;
		if (!dup)
			out[n++] = e->gid;
	}
	*gids = out;
	*ngids = n;
	out = NULL;
	err = POG_OK;
out:
	free(out);
	free(msg);
	free(sys);
	pog_map_plan_free(&plan);
	pog_grp_db_free(&db);
	return err;
}

pog_err
pog_sync_recent_login(const struct pog_config *cfg, const char *user,
		      const struct pog_io *io, char **deny_reason)
{
	struct pog_ledger l = { 0 };
	struct pog_recent r = { 0 };
	char *msg = NULL, *why = NULL, *quser = NULL, *qsub = NULL, *qwhy = NULL;
	int64_t age = 0;
	bool locked;
	pog_err err;

	err = pog_ledger_load(cfg->state_dir, user, &l, &msg);
	if (err == POG_OK) {
		r.found = true;
		r.when = l.when;
		r.result = l.result;
		r.sub = l.sub;
		r.pinned_sub = l.pinned_sub;
		r.expired = l.expired;
	} else if (err == POG_ERR_NOMEM) {
		goto out;
	} else if (!(err == POG_ERR_SYSTEM && errno == ENOENT)) {
		/* A ledger we cannot trust vouches for nothing. */
		pog_log(io, LOG_ERR, "ledger of %s: %s", user, msg ? msg : pog_strerror(err));
	}
	locked = pog_accounts_locked(cfg, user, io);
	if (locked) {
		why = strdup("the account is locked (okta-groups users lock)");
		err = why != NULL ? POG_ERR_NOBINDING : POG_ERR_NOMEM;
	} else if (cfg->mode == POG_MODE_SESSION) {
		/* setcred needs the groups that only a device flow decides. */
		why = strdup("recent_login does not apply with mode = session");
		err = why != NULL ? POG_ERR_NOBINDING : POG_ERR_NOMEM;
	} else {
		err = pog_policy_recent_login(&r, (int64_t)time(NULL), cfg->recent_login,
					      cfg->clock_skew, &age, &why);
	}
	if (err == POG_ERR_NOMEM || err == POG_ERR_INVALID)
		goto out;
	quser = pog_quote(user, 64);
	qsub = pog_quote(r.sub != NULL ? r.sub : "-", 128);
	qwhy = why != NULL ? pog_quote(why, 512) : NULL;
	if (quser == NULL || qsub == NULL || (why != NULL && qwhy == NULL)) {
		err = POG_ERR_NOMEM;
		goto out;
	}
	if (err == POG_OK) {
		pog_log(io, LOG_NOTICE, "audit: user=%s sub=%s no device flow: groups as the last "
			"Okta login left them result=\"granted: recent login\" age=%llds",
			quser, qsub, (long long)age);
		goto out;
	}
	pog_log(io, LOG_NOTICE, "audit: user=%s sub=%s no device flow result=\"denied: "
		"recent login\" reason=%s", quser, qsub, qwhy);
	*deny_reason = locked ? strdup(POG_ACCOUNTS_LOCKED) :
				  pog_policy_recent_sentence(cfg->recent_login);
	if (*deny_reason == NULL)
		err = POG_ERR_NOMEM;
out:
	pog_ledger_free(&l);
	free(msg);
	free(why);
	free(quser);
	free(qsub);
	free(qwhy);
	return err;
}
