/*
 * accounts.c - creating the account of a first login (see accounts.h).
 *
 * shadow's groupadd and useradd do the editing: they take the
 * password-file lock, check that the name and the number are free
 * (useradd asks getpwuid, which the NSS module answers with nothing),
 * and tell nscd, audit and SELinux. Our own lock, a flock on
 * state_dir/accounts/.lock, only keeps two of our logins from computing
 * the same free UID at once.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "accounts.h"
#include "ledger.h"
#include "uidrule.h"
#include "uidstate.h"
#include "util.h"

#define GROUPADD "/usr/sbin/groupadd"
#define USERADD  "/usr/sbin/useradd"
#define USERDEL  "/usr/sbin/userdel"
#define USERMOD  "/usr/sbin/usermod"
#define GROUPDEL "/usr/sbin/groupdel"

/* passwd beside group_file: /etc/group gives /etc/passwd. */
static char *
passwd_path(const struct pog_config *cfg)
{
	const char *slash = strrchr(cfg->group_file, '/');

	if (slash == NULL)
		return NULL;
	return pog_asprintf("%.*s/passwd", (int)(slash - cfg->group_file), cfg->group_file);
}

static void
paths_of(const struct pog_config *cfg, const char *passwd, struct pog_uid_paths *p)
{
	p->passwd = passwd;
	p->group = cfg->group_file;
	p->state_dir = cfg->state_dir;
	p->key_file = cfg->uid_key_file;
	p->owner = geteuid();
}

bool
pog_accounts_local(const struct pog_config *cfg, const char *user)
{
	struct pog_idset ids = { 0 };
	char *pw = passwd_path(cfg), *data = NULL;
	size_t len = 0;
	bool found = false;

	if (pw != NULL && pog_uid_read_file(pw, geteuid(), POG_UID_FILE_MAX, &data, &len) == 0)
		(void)pog_uid_scan_passwd(data, len, user, &ids, &found);
	pog_idset_free(&ids);
	free(data);
	free(pw);
	return found;
}

static pog_err
compute(const struct pog_config *cfg, const char *user, bool make_key,
	struct pog_uid_answer *ans, const struct pog_io *io)
{
	struct pog_uid_paths p;
	enum pog_uid_status st;
	char *pw = passwd_path(cfg);

	if (pw == NULL)
		return POG_ERR_NOMEM;
	paths_of(cfg, pw, &p);
	st = pog_uid_compute(&p, cfg->uid_range.lo, cfg->uid_range.hi, user, make_key, ans);
	free(pw);
	if (st == POG_UIDS_OK && ans->known && ans->record.state == POG_ACCOUNT_LOCKED) {
		pog_log(io, LOG_NOTICE, "accounts: %s was created by the module and is locked", user);
		return POG_ERR_USER;
	}
	if (st == POG_UIDS_OK)
		return POG_OK;
	pog_log(io, LOG_NOTICE, "accounts: no account for %s: %s", user, pog_uid_status_text(st));
	return st == POG_UIDS_NOMEM ? POG_ERR_NOMEM : POG_ERR_USER;
}

pog_err
pog_accounts_may_create(const struct pog_config *cfg, const char *user,
			const struct pog_io *io)
{
	struct pog_uid_answer ans;

	if (!cfg->create_accounts || !pog_uid_name_valid(user))
		return POG_ERR_USER;
	return compute(cfg, user, true, &ans, io);
}

/* Runs a shadow tool; what it says goes to the log, never to the user's screen. */
static pog_err
run(const char *const argv[], const struct pog_io *io)
{
	char out[1024];
	int status;
	pog_err err = pog_run(argv, out, sizeof(out), 0, &status);

	if (err != POG_OK)
		return err;
	if (out[0] != '\0') {
		char *q = pog_quote(out, 512);

		pog_log(io, LOG_NOTICE, "accounts: %s said %s", argv[0], q ? q : "?");
		free(q);
	}
	if (status != 0) {
		pog_log(io, LOG_ERR, "accounts: %s failed (status %d)", argv[0], status);
		return POG_ERR_SYSTEM;
	}
	return POG_OK;
}

/* Whether this process's NSS gives exactly the pending account (what sshd holds). */
static bool
nss_agrees(const char *user, uint32_t uid, const char *home, const char *shell)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	if (getpwnam_r(user, &pw, buf, sizeof(buf), &res) != 0 || res == NULL)
		return false;
	return strcmp(res->pw_name, user) == 0 && res->pw_uid == uid && res->pw_gid == uid &&
	       strcmp(res->pw_dir, home) == 0 && strcmp(res->pw_shell, shell) == 0 &&
	       strcmp(res->pw_passwd, "*") == 0;
}

static int
lock_accounts(const struct pog_config *cfg)
{
	char *dir = pog_asprintf("%s/accounts", cfg->state_dir), *lock = NULL;
	int fd = -1;

	if (dir == NULL || pog_ensure_dir(cfg->state_dir, 0700) != POG_OK ||
	    pog_ensure_dir(dir, 0700) != POG_OK)
		goto out;
	lock = pog_asprintf("%s/.lock", dir);
	if (lock == NULL)
		goto out;
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd >= 0 && flock(fd, LOCK_EX) != 0) {
		close(fd);
		fd = -1;
	}
out:
	free(dir);
	free(lock);
	return fd;
}

pog_err
pog_accounts_write_record(const struct pog_config *cfg, const struct pog_account *a)
{
	char buf[POG_ACCOUNT_MAX_SIZE], *path;
	size_t n = pog_account_format(a, buf, sizeof(buf));
	pog_err err;

	if (n == 0)
		return POG_ERR_INVALID;
	path = pog_asprintf("%s/accounts/%s", cfg->state_dir, a->name);
	if (path == NULL)
		return POG_ERR_NOMEM;
	err = pog_write_file_atomic(path, buf, n, 0600);
	free(path);
	return err;
}

pog_err
pog_accounts_create(const struct pog_config *cfg, const char *user, const char *sub,
		    bool under_sshd, const struct pog_io *io)
{
	struct pog_uid_answer before, now;
	struct pog_account rec;
	char home[4096], uid_s[16], lo_s[16], hi_s[16], umin[32], umax[32];
	pog_err err;
	int lock = -1;

	if (!cfg->create_accounts || !pog_uid_name_valid(user) || sub == NULL ||
	    strlen(sub) > POG_ACCOUNT_SUB_MAX)
		return POG_ERR_USER;
	err = compute(cfg, user, true, &before, io);
	if (err != POG_OK)
		return err;
	if (!pog_uid_home_expand(cfg->home, user, home, sizeof(home)))
		return POG_ERR_CONFIG;
	if (under_sshd && !nss_agrees(user, before.uid, home, cfg->shell)) {
		pog_log(io, LOG_ERR, "accounts: sshd did not get the pending account of %s "
			"(libnss_okta_groups missing from nsswitch.conf, nscd or sssd caching passwd?): "
			"not created", user);
		return POG_ERR_SYSTEM;
	}
	lock = lock_accounts(cfg);
	if (lock < 0) {
		pog_log(io, LOG_ERR, "accounts: cannot lock %s/accounts", cfg->state_dir);
		return POG_ERR_SYSTEM;
	}
	/* The state may have moved since the lookup: a config edit, another login. */
	err = compute(cfg, user, false, &now, io);
	if (err != POG_OK || now.uid != before.uid) {
		pog_log(io, LOG_ERR, "accounts: the account of %s changed since sshd looked it up: "
			"not created", user);
		err = POG_ERR_SYSTEM;
		goto out;
	}
	/*
	 * A tombstone too: its UID, and the home userdel kept, are its old
	 * owner's, so another identity waits until users rebind releases it.
	 */
	if (now.known && strcmp(now.record.sub, sub) != 0 &&
	    now.record.state != POG_ACCOUNT_RELEASED) {
		char *a = pog_quote(now.record.sub, 128), *b = pog_quote(sub, 128);

		if (now.record.state == POG_ACCOUNT_PURGED)
			pog_log(io, LOG_NOTICE, "accounts: %s was purged; its uid %u and the home "
				"purge kept are sub=%s's, not sub=%s's (okta-groups users rebind %s "
				"lets another Okta identity have the name, with a new uid)", user,
				(unsigned int)now.record.uid, a ? a : "?", b ? b : "?", user);
		else
			pog_log(io, LOG_NOTICE, "accounts: %s is recorded for sub=%s, not sub=%s",
				user, a ? a : "?", b ? b : "?");
		free(a);
		free(b);
		err = POG_ERR_PINNED;
		goto out;
	}
	if (now.released && now.record.nretired >= POG_ACCOUNT_RETIRED_MAX) {
		pog_log(io, LOG_ERR, "accounts: %s has had %d owners already: not created",
			user, POG_ACCOUNT_RETIRED_MAX + 1);
		err = POG_ERR_SYSTEM;
		goto out;
	}
	snprintf(uid_s, sizeof(uid_s), "%u", (unsigned int)now.uid);
	snprintf(lo_s, sizeof(lo_s), "%u", (unsigned int)cfg->uid_range.lo);
	snprintf(hi_s, sizeof(hi_s), "%u", (unsigned int)cfg->uid_range.hi);
	{
		/* GID_MIN/GID_MAX and UID_MIN/UID_MAX of the range: no warning about it. */
		char gmin[32], gmax[32];
		const char *ga[] = { GROUPADD, "-K", gmin, "-K", gmax, "-g", uid_s, "--", user, NULL };
		const char *ua[] = { USERADD, "-K", umin, "-K", umax, "-u", uid_s, "-g", uid_s,
				     "-d", home, "-s", cfg->shell, "-M", "-N", "-l", "-p", "*",
				     "-c", "", "--", user, NULL };

		snprintf(gmin, sizeof(gmin), "GID_MIN=%s", lo_s);
		snprintf(gmax, sizeof(gmax), "GID_MAX=%s", hi_s);
		snprintf(umin, sizeof(umin), "UID_MIN=%s", lo_s);
		snprintf(umax, sizeof(umax), "UID_MAX=%s", hi_s);
		err = run(ga, io);
		if (err != POG_OK)
			goto out;
		err = run(ua, io);
		if (err != POG_OK) {
			const char *gd[] = { GROUPDEL, "--", user, NULL };

			(void)run(gd, io);
			goto out;
		}
	}
	memset(&rec, 0, sizeof(rec));
	if (now.released) {
		/* the former owners' UIDs stay in the record, never given again */
		rec.nretired = now.record.nretired;
		memcpy(rec.retired, now.record.retired, sizeof(rec.retired));
		rec.retired[rec.nretired++] = now.record.uid;
	}
	snprintf(rec.name, sizeof(rec.name), "%s", user);
	snprintf(rec.sub, sizeof(rec.sub), "%s", sub);
	rec.uid = now.uid;
	rec.created = (int64_t)time(NULL);
	rec.last_login = rec.created;
	rec.state = POG_ACCOUNT_ACTIVE;
	err = pog_accounts_write_record(cfg, &rec);
	if (err != POG_OK)
		pog_log(io, LOG_ERR, "accounts: %s created, but its record could not be written", user);
	else
		pog_log(io, LOG_NOTICE, "accounts: created %s uid=%u gid=%u home=%s shell=%s",
			user, (unsigned int)rec.uid, (unsigned int)rec.uid, home, cfg->shell);
out:
	close(lock);
	return err;
}

pog_err
pog_accounts_record(const struct pog_config *cfg, const char *user, struct pog_account *a)
{
	int e = pog_account_load(cfg->state_dir, geteuid(), user, a);

	if (e == 0)
		return POG_OK;
	errno = e;
	return e == ENOENT ? POG_ERR_SYSTEM : e == ENOMEM ? POG_ERR_NOMEM : POG_ERR_CONFIG;
}

bool
pog_accounts_locked(const struct pog_config *cfg, const char *user, const struct pog_io *io)
{
	struct pog_account a;
	pog_err err;

	if (!pog_uid_name_valid(user))
		return false;           /* the module never created it: no record */
	err = pog_accounts_record(cfg, user, &a);
	if (err == POG_OK && a.state == POG_ACCOUNT_LOCKED) {
		pog_log(io, LOG_NOTICE, "accounts: %s is locked (okta-groups users lock)", user);
		return true;
	}
	if (err == POG_OK || (err == POG_ERR_SYSTEM && errno == ENOENT))
		return false;
	/* A record we cannot read might say "locked": fail closed. */
	pog_log(io, LOG_ERR, "accounts: the record of %s cannot be read safely: refused", user);
	return true;
}

/* Under the accounts lock: load, change (fn), write. POG_ERR_SYSTEM+ENOENT: no record. */
static pog_err
record_update(const struct pog_config *cfg, const char *user,
	      pog_err (*fn)(struct pog_account *, const void *), const void *arg, struct pog_account *out)
{
	struct pog_account a;
	pog_err err;
	int lock = lock_accounts(cfg);

	if (lock < 0)
		return POG_ERR_SYSTEM;
	err = pog_accounts_record(cfg, user, &a);
	if (err == POG_OK)
		err = fn(&a, arg);
	if (err == POG_OK)
		err = pog_accounts_write_record(cfg, &a);
	if (err == POG_OK && out != NULL)
		*out = a;
	{
		int e = errno;

		close(lock);
		errno = e;
	}
	return err;
}

static pog_err
touch_fn(struct pog_account *a, const void *arg)
{
	const char *sub = arg;

	if (a->state != POG_ACCOUNT_ACTIVE)
		return POG_ERR_USER;
	a->last_login = (int64_t)time(NULL);
	/* After users rebind, the record follows the ledger's new pin. */
	snprintf(a->sub, sizeof(a->sub), "%s", sub);
	return POG_OK;
}

void
pog_accounts_touch(const struct pog_config *cfg, const char *user, const char *sub,
		   const struct pog_io *io)
{
	pog_err err;

	if (!pog_uid_name_valid(user) || sub == NULL || sub[0] == '\0' ||
	    strlen(sub) > POG_ACCOUNT_SUB_MAX)
		return;
	err = record_update(cfg, user, touch_fn, sub, NULL);
	if (err != POG_OK && !(err == POG_ERR_SYSTEM && errno == ENOENT) && err != POG_ERR_USER)
		pog_log(io, LOG_ERR, "accounts: cannot record the last login of %s: %s", user,
			pog_strerror(err));
}

static pog_err
lock_fn(struct pog_account *a, const void *arg)
{
	(void)arg;
	if (a->state == POG_ACCOUNT_PURGED || a->state == POG_ACCOUNT_RELEASED)
		return POG_ERR_USER;
	a->state = POG_ACCOUNT_LOCKED;
	return POG_OK;
}

pog_err
pog_accounts_lock(const struct pog_config *cfg, const char *user, const struct pog_io *io)
{
	const char *ua[] = { USERMOD, "-L", "--", user, NULL };
	struct pog_account a;
	pog_err err;

	if (!pog_uid_name_valid(user))
		return POG_ERR_USER;
	err = pog_accounts_record(cfg, user, &a);
	if (err == POG_ERR_SYSTEM && errno == ENOENT)
		return POG_ERR_USER;
	if (err == POG_OK)
		err = record_update(cfg, user, lock_fn, NULL, NULL);
	if (err != POG_OK)
		return err;
	pog_log(io, LOG_NOTICE, "accounts: locked %s", user);
	/* The record refuses the module's logins; usermod -L the password too. */
	if (pog_accounts_local(cfg, user) && run(ua, io) != POG_OK)
		return POG_ERR_SYSTEM;
	return POG_OK;
}

static pog_err
purge_fn(struct pog_account *a, const void *arg)
{
	(void)arg;
	a->state = POG_ACCOUNT_PURGED;
	return POG_OK;
}

static pog_err
release_fn(struct pog_account *a, const void *arg)
{
	(void)arg;
	if (a->state != POG_ACCOUNT_PURGED || a->nretired >= POG_ACCOUNT_RETIRED_MAX)
		return POG_ERR_USER;
	a->state = POG_ACCOUNT_RELEASED;
	return POG_OK;
}

pog_err
pog_accounts_release(const struct pog_config *cfg, const char *user,
		     struct pog_account *after)
{
	if (!pog_uid_name_valid(user))
		return POG_ERR_USER;
	return record_update(cfg, user, release_fn, NULL, after);
}

/* Whether group_file has a group called name (read directly). */
static bool
group_exists(const struct pog_config *cfg, const char *name)
{
	struct pog_idset ids = { 0 };
	char *data = NULL;
	size_t len = 0;
	bool found = false;

	if (pog_uid_read_file(cfg->group_file, geteuid(), POG_UID_FILE_MAX, &data, &len) == 0)
		(void)pog_uid_scan_group(data, len, name, &ids, &found);
	pog_idset_free(&ids);
	free(data);
	return found;
}

pog_err
pog_accounts_purge(const struct pog_config *cfg, const char *user, const struct pog_io *io)
{
	const char *ud[] = { USERDEL, "--", user, NULL };
	const char *gd[] = { GROUPDEL, "--", user, NULL };
	struct pog_account a;
	char *ledger = NULL;
	pog_err err;

	if (!pog_uid_name_valid(user))
		return POG_ERR_USER;
	err = pog_accounts_record(cfg, user, &a);
	if (err == POG_ERR_SYSTEM && errno == ENOENT)
		return POG_ERR_USER;
	if (err != POG_OK)
		return err;
	/* userdel without -r: the home stays, for the admin to archive or remove. */
	if (pog_accounts_local(cfg, user) && run(ud, io) != POG_OK)
		return POG_ERR_SYSTEM;
	if (group_exists(cfg, user) && run(gd, io) != POG_OK)
		return POG_ERR_SYSTEM;
	/* The tombstone keeps the UID this name's; the ledger's pin and groups go. */
	err = record_update(cfg, user, purge_fn, NULL, NULL);
	if (err != POG_OK)
		return err;
	ledger = pog_ledger_path(cfg->state_dir, user);
	if (ledger == NULL)
		return POG_ERR_NOMEM;
	if (unlink(ledger) != 0 && errno != ENOENT)
		pog_log(io, LOG_ERR, "accounts: cannot remove the ledger of %s", user);
	free(ledger);
	pog_log(io, LOG_NOTICE, "accounts: purged %s uid=%u (tombstone kept)", user,
		(unsigned int)a.uid);
	return POG_OK;
}
