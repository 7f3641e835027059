/*
 * sudoers.c - the file sudoers_dir/okta-USER (edge); see sudoers.h.
 *
 * sudo's @includedir skips every name that holds a '.' or ends in '~',
 * so the temp file ".okta-USER.XXXXXX" is never read by sudo, even when
 * a killed writer leaves it behind; only the rename makes it count, and
 * the rename happens only after visudo -cf passed the file as written.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sudo.h"
#include "sudoers.h"
#include "util.h"

#define SUDOERS_MAX_MAIN (1024 * 1024)
#define VISUDO_OUT_MAX 1024

/* The sudoers file beside the folder: /etc/sudoers for /etc/sudoers.d. */
static char *
main_file(const char *dir)
{
	const char *slash = strrchr(dir, '/');

	if (slash == NULL)
		return NULL;
	return pog_asprintf("%.*s/sudoers", (int)(slash - dir), dir);
}

pog_err
pog_sudoers_ready(const struct pog_config *cfg, char **why)
{
	const struct pog_file_policy pol = {
		.owner = 0, .max = SUDOERS_MAX_MAIN, .refused = POG_ERR_UNAVAIL,
	};
	char *path = main_file(cfg->sudoers_dir), *text = NULL, *msg = NULL;
	size_t len = 0;
	struct stat st;
	pog_err err = POG_ERR_UNAVAIL;

	if (path == NULL) {
		*why = pog_asprintf("sudoers_dir %s has no parent folder", cfg->sudoers_dir);
		goto out;
	}
	if (access(POG_VISUDO, X_OK) != 0) {
		*why = strdup("sudo is not installed (no " POG_VISUDO ")");
		goto out;
	}
	if (lstat(cfg->sudoers_dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		*why = pog_asprintf("%s is not a folder owned by root and writable by root only",
				    cfg->sudoers_dir);
		goto out;
	}
	err = pog_read_file(path, &pol, &text, &len, NULL, &msg);
	if (err == POG_ERR_NOMEM)
		goto out;
	if (err != POG_OK) {
		err = POG_ERR_UNAVAIL;
		*why = pog_asprintf("cannot read %s", msg != NULL ? msg : path);
		goto out;
	}
	if (!pog_sudo_includes(text, len, cfg->sudoers_dir)) {
		err = POG_ERR_UNAVAIL;
		*why = pog_asprintf("%s has no \"@includedir %s\"", path, cfg->sudoers_dir);
		goto out;
	}
	err = POG_OK;
out:
	if (err != POG_OK && err != POG_ERR_NOMEM && *why == NULL)
		err = POG_ERR_NOMEM;
	free(path);
	free(text);
	free(msg);
	return err;
}

/*
 * visudo -cf FILE with a fixed environment and stdin from /dev/null;
 * its output (both streams) into *out, sanitized. POG_OK: it parsed.
 */
static pog_err
visudo_check(const char *file, char **out)
{
	const char *const argv[] = { POG_VISUDO, "-c", "-f", file, NULL };
	char buf[VISUDO_OUT_MAX];
	int status;
	pog_err err = pog_run(argv, buf, sizeof(buf), 0, &status);

	*out = NULL;
	if (err != POG_OK)
		return err;
	*out = pog_sanitize(buf, 512);
	if (status == 0)
		return POG_OK;
	return status == 127 ? POG_ERR_UNAVAIL : POG_ERR_CONFIG;
}

/* Writes all of text to fd, then fsync and close (fd is closed either way). */
static pog_err
write_close(int fd, const char *text)
{
	size_t len = strlen(text);
	bool ok = true;

	while (ok && len > 0) {
		ssize_t w = write(fd, text, len);

		if (w < 0 && errno == EINTR)
			continue;
		ok = w > 0;
		if (ok) {
			text += w;
			len -= (size_t)w;
		}
	}
	ok = ok && fsync(fd) == 0;
	return close(fd) == 0 && ok ? POG_OK : POG_ERR_SYSTEM;
}

/* mode 0440, root:root (the owner only when we are root: the tests are not) */
static pog_err
new_temp(char *tmpl, int *fdp)
{
	int fd = mkostemp(tmpl, O_CLOEXEC);

	if (fd < 0)
		return POG_ERR_SYSTEM;
	if (fchmod(fd, 0440) != 0 || (geteuid() == 0 && fchown(fd, 0, 0) != 0)) {
		close(fd);
		unlink(tmpl);
		return POG_ERR_SYSTEM;
	}
	*fdp = fd;
	return POG_OK;
}

pog_err
pog_sudoers_check_rule(const char *user, const char *rule, char **why)
{
	char dir[] = "/tmp/pog-sudo.XXXXXX";
	char *file = NULL, *text = NULL, *out = NULL;
	int fd = -1;
	pog_err err = POG_ERR_NOMEM;

	*why = NULL;
	if (access(POG_VISUDO, X_OK) != 0) {
		*why = strdup("sudo is not installed (no " POG_VISUDO ")");
		return *why != NULL ? POG_ERR_UNAVAIL : POG_ERR_NOMEM;
	}
	if (mkdtemp(dir) == NULL) {
		*why = pog_asprintf("cannot make a temp folder: %s", strerror(errno));
		return *why != NULL ? POG_ERR_SYSTEM : POG_ERR_NOMEM;
	}
	file = pog_asprintf("%s/rule.XXXXXX", dir);
	text = pog_asprintf("%s%s %s\n", POG_SUDO_HEADER, user, rule);
	if (file == NULL || text == NULL)
		goto out;
	err = new_temp(file, &fd);
	if (err == POG_OK)
		err = write_close(fd, text);
	if (err != POG_OK) {
		*why = pog_asprintf("cannot write a temp file in %s", dir);
		goto out;
	}
	err = visudo_check(file, &out);
	if (err != POG_OK)
		*why = out != NULL ? strdup(out) : strdup("visudo failed");
out:
	if (file != NULL)
		unlink(file);
	rmdir(dir);
	if (err != POG_OK && *why == NULL)
		err = POG_ERR_NOMEM;
	free(file);
	free(text);
	free(out);
	return err;
}

/* ".okta-USER.XXXXXX" that a killed writer left, older than POG_STALE_TMP_AGE. */
static void
remove_stale(const char *dir, const char *user)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t plen = strlen(POG_SUDO_PREFIX), ulen = strlen(user);
	time_t now = time(NULL);

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		const char *n = de->d_name;
		struct stat st;

		if (strlen(n) != 1 + plen + ulen + 7 || n[0] != '.' ||
		    memcmp(n + 1, POG_SUDO_PREFIX, plen) != 0 ||
		    memcmp(n + 1 + plen, user, ulen) != 0 || n[1 + plen + ulen] != '.' ||
		    !pog_all_of(n + 2 + plen + ulen, 6, pog_is_alnum_ascii))
			continue;
		if (fstatat(dirfd(d), n, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
		    st.st_uid == geteuid() && now - st.st_mtime >= POG_STALE_TMP_AGE)
			(void)unlinkat(dirfd(d), n, 0);
	}
	closedir(d);
}

/* The current file's text (NULL: none, or not a file we could read). */
static pog_err
read_current(const char *path, char **text, bool *exists)
{
	const struct pog_file_policy pol = {
		.owner = geteuid(), .or_root = true, .max = POG_SUDO_MAX_FILE,
		.missing_ok = true, .refused = POG_ERR_SYSTEM,
	};
	struct stat st;
	size_t len = 0;
	char *msg = NULL;
	pog_err err;

	*text = NULL;
	*exists = lstat(path, &st) == 0;
	if (!*exists)
		return POG_OK;
	err = pog_read_file(path, &pol, text, &len, &st, &msg);
	free(msg);
	if (err == POG_ERR_NOMEM)
		return err;
	/* Something else under our name (a link, a big file): replaced or removed. */
	if (err != POG_OK || (st.st_mode & 07777) != 0440) {
		free(*text);
		*text = NULL;
	}
	return POG_OK;
}

static pog_err
remove_file(const char *path, const char *user, const struct pog_io *io)
{
	if (unlink(path) != 0 && errno != ENOENT) {
		pog_log(io, LOG_ERR, "sudo: cannot remove %s: %s", path, strerror(errno));
		return POG_ERR_SYSTEM;
	}
	(void)pog_fsync_dir_of(path);
	pog_log(io, LOG_NOTICE, "sudo: removed the rules of %s (%s)", user, path);
	return POG_OK;
}

/* Temp, visudo -cf, rename. */
static pog_err
install(const char *path, const char *dir, const char *user, const char *text,
	const struct pog_io *io)
{
	char *tmp = pog_asprintf("%s/." POG_SUDO_PREFIX "%s.XXXXXX", dir, user);
	char *out = NULL;
	int fd = -1;
	pog_err err = POG_ERR_NOMEM;

	if (tmp == NULL)
		goto out;
	remove_stale(dir, user);
	err = new_temp(tmp, &fd);
	if (err != POG_OK) {
		pog_log(io, LOG_ERR, "sudo: cannot make a temp file in %s: %s", dir,
			strerror(errno));
		free(tmp);
		tmp = NULL;
		goto out;
	}
	err = write_close(fd, text);
	if (err != POG_OK) {
		pog_log(io, LOG_ERR, "sudo: cannot write %s", tmp);
		goto out;
	}
	err = visudo_check(tmp, &out);
	if (err != POG_OK) {
		pog_log(io, LOG_ERR, "sudo: visudo refuses the rules for %s, so none is "
			"installed: %s", user, out != NULL ? out : "?");
		err = POG_ERR_CONFIG;
		goto out;
	}
	if (rename(tmp, path) != 0) {
		pog_log(io, LOG_ERR, "sudo: cannot rename %s to %s: %s", tmp, path, strerror(errno));
		err = POG_ERR_SYSTEM;
		goto out;
	}
	free(tmp);
	tmp = NULL;
	(void)pog_fsync_dir_of(path);
out:
	if (tmp != NULL)
		unlink(tmp);
	free(tmp);
	free(out);
	return err;
}

static pog_err
role_sets(const struct pog_config *cfg, const char *user, const char *old,
	  bool exists, const struct pog_strv *now, struct pog_strv *added,
	  struct pog_strv *removed)
{
	struct pog_strv before = { 0 }, a = { 0 }, r = { 0 };
	pog_err err = POG_OK;

	if (exists && old == NULL)
		err = pog_strv_add(&before, "?");
	else if (old != NULL)
		err = pog_sudo_roles_in(cfg, user, old, &before);
	if (err == POG_OK)
		err = pog_sudo_diff(&before, now, &a, &r);
	pog_strv_free(&before);
	if (err != POG_OK)
		return err;
	if (added != NULL)
		*added = a;
	else
		pog_strv_free(&a);
	if (removed != NULL)
		*removed = r;
	else
		pog_strv_free(&r);
	return POG_OK;
}

/* roles, and with keep the configured roles of old too, in [sudo] order */
static pog_err
roles_now(const struct pog_config *cfg, const char *user, const struct pog_strv *roles,
	  bool keep, const char *old, struct pog_strv *out)
{
	struct pog_strv held = { 0 }, r = { 0 };
	pog_err err = POG_OK;

	if (keep && old != NULL)
		err = pog_sudo_roles_in(cfg, user, old, &held);
	for (size_t i = 0; err == POG_OK && i < cfg->nsudo; i++) {
		const char *role = cfg->sudo[i].role;

		if (pog_strv_contains(roles, role) || pog_strv_contains(&held, role))
			err = pog_strv_add(&r, role);
	}
	pog_strv_free(&held);
	if (err != POG_OK) {
		pog_strv_free(&r);
		return err;
	}
	*out = r;
	return POG_OK;
}

pog_err
pog_sudoers_sync(const struct pog_config *cfg, const char *user,
		 const struct pog_strv *roles, bool keep, const struct pog_io *io,
		 struct pog_strv *added, struct pog_strv *removed)
{
	struct pog_strv none = { 0 }, a = { 0 }, r = { 0 }, want = { 0 };
	const struct pog_strv *now = &want;
	char *path = NULL, *old = NULL, *text = NULL, *why = NULL;
	bool exists = false;
	pog_err err;

	if (!pog_sudo_user_valid(user)) {
		if (roles->n > 0)
			pog_log(io, LOG_WARNING, "sudo: no rules for this user: a name sudo "
				"could misread");
		return POG_OK;
	}
	path = pog_asprintf("%s/" POG_SUDO_PREFIX "%s", cfg->sudoers_dir, user);
	if (path == NULL)
		return POG_ERR_NOMEM;
	err = read_current(path, &old, &exists);
	if (err == POG_OK)
		err = roles_now(cfg, user, roles, keep, old, &want);
	if (err == POG_OK)
		err = pog_sudo_text(cfg, user, &want, &text);
	if (err != POG_OK)
		goto out;
	if (text != NULL && old != NULL && strcmp(text, old) == 0)
		goto sets;              /* already right */
	if (text != NULL) {
		err = pog_sudoers_ready(cfg, &why);
		if (err == POG_ERR_NOMEM)
			goto out;
		if (err != POG_OK) {
			pog_log(io, LOG_WARNING, "sudo: the rules of %s are not installed: %s",
				user, why);
			free(text);
			text = NULL;
			now = &none;
		}
	}
	if (text == NULL && exists)
		err = remove_file(path, user, io);
	else if (text != NULL)
		err = install(path, cfg->sudoers_dir, user, text, io);
	else
		err = POG_OK;
	if (err == POG_ERR_CONFIG) {
		/* fail closed: the rules of a lost role must not outlive it */
		now = &none;
		if (exists && remove_file(path, user, io) != POG_OK)
			err = POG_ERR_SYSTEM;
	} else if (err != POG_OK) {
		goto out;
	}
sets:
	if (role_sets(cfg, user, old, exists, now, &a, &r) != POG_OK) {
		err = POG_ERR_NOMEM;
		goto out;
	}
	if (a.n > 0 || r.n > 0)
		pog_log(io, LOG_DEBUG, "sudo: %s now has the rules of %zu role(s)", user, now->n);
	if (added != NULL) {
		*added = a;
		a = (struct pog_strv){ 0 };
	}
	if (removed != NULL) {
		*removed = r;
		r = (struct pog_strv){ 0 };
	}
out:
	pog_strv_free(&a);
	pog_strv_free(&r);
	pog_strv_free(&want);
	free(path);
	free(old);
	free(text);
	free(why);
	return err;
}

pog_err
pog_sudoers_remove(const struct pog_config *cfg, const char *user, const struct pog_io *io)
{
	char *path;
	struct stat st;
	pog_err err = POG_OK;

	if (!pog_sudo_user_valid(user))
		return POG_OK;          /* such a name never gets a file */
	path = pog_asprintf("%s/" POG_SUDO_PREFIX "%s", cfg->sudoers_dir, user);
	if (path == NULL)
		return POG_ERR_NOMEM;
	if (lstat(path, &st) == 0)
		err = remove_file(path, user, io);
	free(path);
	return err;
}
