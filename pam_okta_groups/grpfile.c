/*
 * grpfile.c - the locked, atomic edit of group_file and gshadow_file.
 *
 * Modelled on shadow's commonio_close(): a temp file "FILE+" with the
 * original's owner, mode and SELinux label, a backup "FILE-", fsync,
 * close checked, rename over the original, fsync of the folder. The
 * backup is a hard link to the original where the file system allows
 * (see link_backup): shadow writes a copy of the same bytes. The temps'
 * writeback is started as soon as each is written, and group's temp is
 * written before gshadow is even read, so that the disk writes while the
 * CPU edits: each fsync then finds its pages written or on their way.
 *
 * The lock: glibc's lckpwdf() sets a SIGALRM handler and an alarm, which
 * a PAM module must not do. So this takes the same lock itself: a write
 * lock with fcntl on ".pwd.lock" in the group file's folder (for
 * /etc/group, /etc/.pwd.lock: the one lckpwdf, gpasswd, groupadd and
 * useradd take), polled with F_SETLK for a bounded time. It is an open
 * file description lock where the kernel has them, so that it also
 * conflicts with a lckpwdf() held elsewhere in this same process. A
 * holder that dies loses the lock.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "grpfile.h"
#include "label.h"
#include "util.h"

#define SYSTEM_GROUP_FILE "/etc/group"
#define CACHE_TOOL_TIMEOUT 10   /* seconds for nscd -i / sss_cache */

static const struct pog_grpfile_sys real_sys = {
	.write = write,
	.fsync = fsync,
	.rename = rename,
	.link = link,
};

/* Only tests ever change this. */
static const struct pog_grpfile_sys *sys = &real_sys;

void
pog_grpfile_set_test_sys(const struct pog_grpfile_sys *s)
{
	sys = s != NULL ? s : &real_sys;
}

/* One of the two files, while it is being edited. */
struct gfile {
	const char *path;
	bool present;
	char *text;             /* as read */
	size_t len;
	struct stat st;
	struct pog_grp_db db;
	char *tmp;              /* "FILE+" */
	char *bak;              /* "FILE-" */
	char *btmp;             /* "FILE-+": the backup, until it is renamed to FILE- */
	bool tmp_made;
	bool btmp_made;
	int tmpfd;              /* FILE+ while open_tmp: written, not yet fsynced */
	bool open_tmp;
};

static void
gfile_free(struct gfile *f)
{
	if (f->open_tmp)
		(void)close(f->tmpfd);
	if (f->tmp_made)
		(void)unlink(f->tmp);
	if (f->btmp_made)
		(void)unlink(f->btmp);
	free(f->text);
	free(f->tmp);
	free(f->bak);
	free(f->btmp);
	pog_grp_db_free(&f->db);
	memset(f, 0, sizeof(*f));
}

static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

/*
 * Reads a group file: regular, not writable by group or others, owned
 * by root or by us (must_own: by us, since we will replace it).
 */
static pog_err
slurp(const char *path, bool must_own, bool missing_ok, char **text, size_t *len,
      struct stat *stp, char **errmsg)
{
	const struct pog_file_policy pol = {
		.owner = geteuid(), .or_root = !must_own, .max = POG_GRPFILE_MAX_SIZE,
		.missing_ok = missing_ok, .refused = POG_ERR_SYSTEM,
	};
	pog_err err = pog_read_file(path, &pol, text, len, stp, errmsg);

	errno = 0;
	return err;
}

pog_err
pog_grpfile_read(const char *path, enum pog_grp_kind kind, struct pog_grp_db *db,
		 char **errmsg)
{
	struct stat st;
	char *text = NULL;
	size_t len = 0;
	pog_err err;

	err = slurp(path, false, false, &text, &len, &st, errmsg);
	if (err == POG_OK)
		err = pog_grp_db_parse(db, kind, text, len);
	free(text);
	return err;
}

static pog_err
take_lock(const char *group_file, int *lockfd, char **errmsg)
{
	struct flock fl;
	char *dir = dir_of(group_file);
	char *path = NULL;
	double deadline = pog_now_mono() + POG_GRPFILE_LOCK_TIMEOUT;
	long wait_ms = 10;
	int cmd = F_OFD_SETLK;
	int fd = -1;
	pog_err err = POG_ERR_NOMEM;

	if (dir == NULL)
		goto out;
	path = pog_asprintf("%s/.pwd.lock", strcmp(dir, "/") == 0 ? "" : dir);
	if (path == NULL)
		goto out;
	err = POG_ERR_SYSTEM;
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
	if (fd < 0) {
		*errmsg = pog_asprintf("%s: cannot open the lock file: %s", path, strerror(errno));
		goto out;
	}
	for (;;) {
		struct timespec ts;

		memset(&fl, 0, sizeof(fl));     /* l_pid must be 0 for OFD locks */
		fl.l_type = F_WRLCK;
		fl.l_whence = SEEK_SET;
		if (fcntl(fd, cmd, &fl) == 0)
			break;
		if (errno == EINVAL && cmd == F_OFD_SETLK) {
			cmd = F_SETLK;  /* a kernel without OFD locks */
			continue;
		}
		if (errno != EACCES && errno != EAGAIN && errno != EINTR) {
			*errmsg = pog_asprintf("%s: cannot lock: %s", path, strerror(errno));
			goto out;
		}
		if (pog_now_mono() >= deadline) {
			*errmsg = pog_asprintf("%s: still locked by another program after %d s",
					       path, POG_GRPFILE_LOCK_TIMEOUT);
			goto out;
		}
		ts.tv_sec = 0;
		ts.tv_nsec = wait_ms * 1000000L;
		(void)nanosleep(&ts, NULL);
		if (wait_ms < 40)
			wait_ms *= 2;
	}
	*lockfd = fd;
	fd = -1;
	err = POG_OK;
out:
	if (fd >= 0)
		close(fd);
	free(dir);
	free(path);
	return err;
}

/* What write_temp writes: n parts, in order. */
struct wpart {
	const char *p;
	size_t len;
};

/*
 * Writes the parts to f->tmp (backup: f->btmp) with the original's owner
 * and mode. durable: fsync and close checked, now; otherwise (f->tmp
 * only) its writeback is started and the file left open for sync_temp.
 */
static pog_err
write_temp(struct gfile *f, bool backup, const struct wpart *parts, size_t nparts,
	   bool durable, char **errmsg)
{
	const char *tmp = backup ? f->btmp : f->tmp;
	bool *made = backup ? &f->btmp_made : &f->tmp_made;
	pog_err err = POG_ERR_SYSTEM;
	int fd = -1;

	if (unlink(tmp) != 0 && errno != ENOENT) {
		*errmsg = pog_asprintf("%s: cannot remove a stale temp file: %s",
				       tmp, strerror(errno));
		goto out;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
		  0600);
	if (fd < 0) {
		*errmsg = pog_asprintf("%s: cannot create: %s", tmp, strerror(errno));
		goto out;
	}
	*made = true;
	/* chown first: it may clear the set-id bits that fchmod then puts back. */
	if (fchown(fd, f->st.st_uid, f->st.st_gid) != 0 ||
	    fchmod(fd, f->st.st_mode & 07777) != 0) {
		*errmsg = pog_asprintf("%s: cannot set owner and mode: %s", tmp,
				       strerror(errno));
		goto out;
	}
	if (pog_label_copy(f->path, fd, errmsg) != POG_OK)
		goto out;
	for (size_t i = 0; i < nparts; i++) {
		const char *p = parts[i].p;
		size_t len = parts[i].len;

		while (len > 0) {
			ssize_t w = sys->write(fd, p, len);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				*errmsg = pog_asprintf("%s: write error: %s", tmp,
						       w < 0 ? strerror(errno) : "short write");
				goto out;
			}
			p += w;
			len -= (size_t)w;
		}
	}
	if (!durable && !backup) {
		pog_writeback_start(fd);
		f->tmpfd = fd;
		f->open_tmp = true;
		return POG_OK;
	}
	if (sys->fsync(fd) != 0) {
		*errmsg = pog_asprintf("%s: fsync: %s", tmp, strerror(errno));
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		*errmsg = pog_asprintf("%s: close: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	err = POG_OK;
out:
	if (fd >= 0)
		close(fd);
	return err;
}

/* The fsync and checked close of the f->tmp that write_temp left open. */
static pog_err
sync_temp(struct gfile *f, char **errmsg)
{
	int fd = f->tmpfd;

	f->open_tmp = false;
	if (sys->fsync(fd) != 0) {
		*errmsg = pog_asprintf("%s: fsync: %s", f->tmp, strerror(errno));
		(void)close(fd);
		return POG_ERR_SYSTEM;
	}
	if (close(fd) != 0) {
		*errmsg = pog_asprintf("%s: close: %s", f->tmp, strerror(errno));
		return POG_ERR_SYSTEM;
	}
	return POG_OK;
}

/* Puts f->tmp (backup: f->btmp) in place of dest. */
static pog_err
move_temp(struct gfile *f, bool backup, const char *dest, char **errmsg)
{
	const char *tmp = backup ? f->btmp : f->tmp;
	bool *made = backup ? &f->btmp_made : &f->tmp_made;

	if (sys->rename(tmp, dest) != 0) {
		*errmsg = pog_asprintf("cannot rename %s to %s: %s", tmp, dest,
				       strerror(errno));
		return POG_ERR_SYSTEM;
	}
	*made = false;
	return POG_OK;
}

static bool
same_dir(const char *a, const char *b)
{
	const char *sa = strrchr(a, '/'), *sb = strrchr(b, '/');
	size_t la = sa != NULL ? (size_t)(sa - a) : 0;
	size_t lb = sb != NULL ? (size_t)(sb - b) : 0;

	return la == lb && strncmp(a, b, la) == 0;
}

static void
fsync_dir(const char *path, const struct pog_io *io)
{
	if (pog_fsync_dir_of(path) != POG_OK)
		pog_log(io, LOG_WARNING, "cannot fsync the folder of %s", path);
}

static pog_err
gfile_load(struct gfile *f, const char *path, enum pog_grp_kind kind,
	   bool optional, char **errmsg)
{
	pog_err err;

	f->path = path;
	f->tmp = pog_asprintf("%s+", path);
	f->bak = pog_asprintf("%s-", path);
	f->btmp = pog_asprintf("%s-+", path);
	if (f->tmp == NULL || f->bak == NULL || f->btmp == NULL)
		return POG_ERR_NOMEM;
	err = slurp(path, true, optional, &f->text, &f->len, &f->st, errmsg);
	if (err != POG_OK || f->text == NULL)
		return err;
	f->present = true;
	/* Only the entries the plan and the edit reach are parsed; f->text outlives f->db. */
	return pog_grp_db_parse_lazy(&f->db, kind, f->text, f->len);
}

/*
 * The backup "FILE-" as a second name of the original: link it to
 * FILE-+, check that it is the inode we read, then rename it over FILE-,
 * so that some backup exists at every instant. Nothing is written and
 * nothing is left to fsync: the original's bytes are those on disk, and
 * once the new file is renamed over FILE, FILE- is the old inode's only
 * name, with its owner, mode, times and label (what shadow's
 * create_backup copies). POG_ERR_INVALID: no hard link here (a file
 * system without them, a file changed under us): the caller copies.
 */
static pog_err
link_backup(struct gfile *f, char **errmsg)
{
	int (*do_link)(const char *, const char *) = sys->link != NULL ? sys->link : link;
	struct stat st;

	if ((unlink(f->btmp) != 0 && errno != ENOENT) || do_link(f->path, f->btmp) != 0)
		return POG_ERR_INVALID;
	f->btmp_made = true;
	if (lstat(f->btmp, &st) != 0 || st.st_dev != f->st.st_dev ||
	    st.st_ino != f->st.st_ino || st.st_size != f->st.st_size ||
	    st.st_mtim.tv_sec != f->st.st_mtim.tv_sec ||
	    st.st_mtim.tv_nsec != f->st.st_mtim.tv_nsec) {
		(void)unlink(f->btmp);
		f->btmp_made = false;
		return POG_ERR_INVALID;
	}
	return move_temp(f, true, f->bak, errmsg);
}

/*
 * The new contents of f as parts to write: the runs of unchanged lines
 * straight from the text that was read, the changed entries from out
 * (no formatted copy of the whole file). *parts is the caller's to free.
 */
static pog_err
new_parts(struct gfile *f, struct pog_buf *out, struct wpart **parts, size_t *nparts)
{
	struct pog_grp_piece *pc = NULL;
	size_t npc = 0;
	pog_err err = POG_ERR_NOMEM;

	*parts = NULL;
	*nparts = 0;
	if (pog_grp_db_format_pieces(&f->db, out, &pc, &npc) != POG_OK ||
	    (*parts = calloc(npc + 1, sizeof(**parts))) == NULL)
		goto out;
	for (size_t i = 0; i < npc; i++)
		(*parts)[i] = (struct wpart){
			.p = (pc[i].in_out ? out->data : f->text) + pc[i].off, .len = pc[i].len,
		};
	*nparts = npc;
	err = POG_OK;
out:
	free(pc);
	return err;
}

/*
 * The new contents of f to its temp, and their writeback started: a full
 * disk fails here, before any backup is replaced.
 */
static pog_err
stage(struct gfile *f, char **errmsg)
{
	struct pog_buf out = { 0 };
	struct wpart *parts = NULL;
	size_t nparts = 0;
	pog_err err;

	err = new_parts(f, &out, &parts, &nparts);
	if (err == POG_OK)
		err = write_temp(f, false, parts, nparts, false, errmsg);
	pog_buf_free(&out);
	free(parts);
	return err;
}

/*
 * Then the backups; the temps' fsync; the renames, gshadow first; the
 * folder's fsync.
 */
static pog_err
finish(struct gfile *files[], size_t n, const struct pog_io *io, char **errmsg)
{
	size_t renamed = 0;
	pog_err err = POG_OK;

	for (size_t i = 0; i < n; i++) {
		err = link_backup(files[i], errmsg);
		if (err == POG_ERR_INVALID) {
			const struct wpart old = { files[i]->text, files[i]->len };

			err = write_temp(files[i], true, &old, 1, true, errmsg);
			if (err == POG_OK)
				err = move_temp(files[i], true, files[i]->bak, errmsg);
		}
		if (err != POG_OK)
			return err;
	}
	for (size_t i = 0; i < n; i++)
		if ((err = sync_temp(files[i], errmsg)) != POG_OK)
			return err;
	for (renamed = 0; renamed < n; renamed++) {
		err = move_temp(files[renamed], false, files[renamed]->path, errmsg);
		if (err != POG_OK)
			break;
	}
	/* gshadow went in but group did not: put gshadow back as it was. */
	for (size_t i = 0; err != POG_OK && i < renamed; i++) {
		const struct wpart old = { files[i]->text, files[i]->len };
		char *msg2 = NULL;

		if (files[i]->tmp_made)
			(void)unlink(files[i]->tmp);
		files[i]->tmp_made = false;
		if (write_temp(files[i], false, &old, 1, true, &msg2) != POG_OK ||
		    move_temp(files[i], false, files[i]->path, &msg2) != POG_OK)
			pog_log(io, LOG_CRIT, "%s was written but %s was not, and it "
				"cannot be put back (%s): restore it from %s",
				files[i]->path, files[n - 1]->path,
				msg2 != NULL ? msg2 : "?", files[i]->bak);
		free(msg2);
	}
	for (size_t i = 0; i < n; i++)
		if (i == 0 || !same_dir(files[i]->path, files[0]->path))
			fsync_dir(files[i]->path, io);
	return err;
}

/* A cache tool, if installed: its output discarded, its wait bounded. */
static void
run_quiet(const char *const argv[])
{
	int status;

	if (access(argv[0], X_OK) == 0)
		(void)pog_run(argv, NULL, 0, CACHE_TOOL_TIMEOUT, &status);
}

static void
invalidate_caches(const char *group_file)
{
	static const char *const nscd[] = { "/usr/sbin/nscd", "-i", "group", NULL };
	static const char *const sss[] = { "/usr/sbin/sss_cache", "-G", NULL };

	if (strcmp(group_file, SYSTEM_GROUP_FILE) != 0)
		return;
	/* Only when the daemons run: a cache tool with no daemon costs a
	 * fork and an exec on every login for nothing. */
	if (access("/var/run/nscd/socket", F_OK) == 0)
		run_quiet(nscd);
	if (access("/var/run/sssd.pid", F_OK) == 0)
		run_quiet(sss);
}

/* A membership on a line we do not rewrite stops the whole update: never left in place silently. */
static pog_err
remove_one(struct gfile *f, const char *group, const char *user, bool *ch,
	   const struct pog_io *io)
{
	pog_err err = pog_grp_db_remove_member(&f->db, group, user, ch);

	if (err == POG_ERR_INVALID)
		pog_log(io, LOG_ERR, "%s: line %zu may list %s in group %s in a form this "
			"module does not rewrite: nothing written; fix that line by hand",
			f->path, pog_grp_db_unparsed_member(&f->db, group, user), user, group);
	return err;
}

/* The plan on group: what really changed goes to added and removed. */
static pog_err
apply_group(struct gfile *g, const char *user, const struct pog_strv *add,
	    const struct pog_strv *remove, struct pog_strv *added,
	    struct pog_strv *removed, const struct pog_io *io)
{
	for (size_t i = 0; i < add->n; i++) {
		bool ch = false;
		pog_err err = pog_grp_db_add_member(&g->db, add->v[i], user, &ch);

		if (err == POG_ERR_INVALID) {
			pog_log(io, LOG_WARNING, "%s: no group %s to add %s to",
				g->path, add->v[i], user);
			continue;
		}
		if (err != POG_OK)
			return err;
		if (ch && pog_strv_add(added, add->v[i]) != POG_OK)
			return POG_ERR_NOMEM;
	}
	for (size_t i = 0; i < remove->n; i++) {
		bool ch = false;
		pog_err err = remove_one(g, remove->v[i], user, &ch, io);

		if (err != POG_OK)
			return err;
		if (ch && pog_strv_add(removed, remove->v[i]) != POG_OK)
			return POG_ERR_NOMEM;
	}
	return POG_OK;
}

/* The same plan on gshadow, for the groups that group has. */
static pog_err
apply_gshadow(struct gfile *gs, const struct gfile *g, const char *user,
	      const struct pog_strv *add, const struct pog_strv *remove,
	      const struct pog_io *io)
{
	for (size_t i = 0; i < add->n; i++) {
		bool ch = false;
		pog_err err;

		if (pog_grp_db_find(&g->db, add->v[i]) == NULL)
			continue;
		err = pog_grp_db_add_member(&gs->db, add->v[i], user, &ch);
		if (err == POG_ERR_INVALID)
			pog_log(io, LOG_DEBUG, "%s: no entry for group %s", gs->path, add->v[i]);
		else if (err != POG_OK)
			return err;
	}
	for (size_t i = 0; i < remove->n; i++) {
		bool ch = false;
		pog_err err = remove_one(gs, remove->v[i], user, &ch, io);

		if (err != POG_OK)
			return err;
	}
	return POG_OK;
}

pog_err
pog_grpfile_update(const char *group_file, const char *gshadow_file,
		   const char *user, const struct pog_grpfile_hooks *hooks,
		   void *ctx, const struct pog_io *io)
{
	struct gfile g = { 0 }, gs = { 0 };
	struct gfile *files[2] = { NULL, NULL };
	struct pog_strv add = { 0 }, remove = { 0 };
	struct pog_strv added = { 0 }, removed = { 0 };
	char *msg = NULL;
	size_t n = 0;
	int lockfd = -1;
	bool written = false;
	pog_err err = POG_ERR_INVALID;

	if (group_file == NULL || *group_file == '\0' || hooks == NULL ||
	    hooks->plan == NULL || !pog_grp_user_valid(user))
		goto out;
	if (gshadow_file != NULL && strcmp(gshadow_file, group_file) == 0)
		goto out;
	err = take_lock(group_file, &lockfd, &msg);
	if (err == POG_OK)
		err = gfile_load(&g, group_file, POG_GRP_GROUP, false, &msg);
	if (err == POG_OK)
		err = hooks->plan(ctx, &g.db, &add, &remove);
	if (err == POG_OK)
		err = apply_group(&g, user, &add, &remove, &added, &removed, io);
	if (err == POG_OK && pog_grp_db_failed(&g.db))
		err = POG_ERR_NOMEM;    /* a lookup may have missed an entry */
	/*
	 * group's new contents go to their temp first, and gshadow is read,
	 * edited and written while that is written back. gshadow is renamed
	 * first and group last: until group is in place, nobody has new access.
	 */
	if (err == POG_OK && pog_grp_db_dirty(&g.db)) {
		err = stage(&g, &msg);
		files[n++] = &g;
	}
	if (err == POG_OK && gshadow_file != NULL && *gshadow_file != '\0')
		err = gfile_load(&gs, gshadow_file, POG_GRP_GSHADOW, true, &msg);
	if (err == POG_OK && gs.present)
		err = apply_gshadow(&gs, &g, user, &add, &remove, io);
	if (err == POG_OK && pog_grp_db_failed(&gs.db))
		err = POG_ERR_NOMEM;
	if (err == POG_OK && gs.present && pog_grp_db_dirty(&gs.db)) {
		err = stage(&gs, &msg);
		files[n++] = files[0];
		files[0] = &gs;
	}
	/* while the temps' writeback runs: the caller's intent record, say */
	if (err == POG_OK && hooks->ready != NULL)
		err = hooks->ready(ctx, &added, &removed);
	if (err == POG_OK && n > 0) {
		err = finish(files, n, io, &msg);
		written = err == POG_OK;
	}
	if (err != POG_OK)
		goto out;
	if (hooks->done != NULL)
		err = hooks->done(ctx, &added, &removed);
out:
	if (msg != NULL)
		pog_log(io, LOG_ERR, "%s", msg);
	gfile_free(&gs);
	gfile_free(&g);
	if (lockfd >= 0)
		close(lockfd);  /* drops the lock */
	/* After the lock: nscd and sssd may take seconds, and useradd, passwd
	 * and other logins must not wait for them. */
	if (written)
		invalidate_caches(group_file);
	free(msg);
	pog_strv_free(&add);
	pog_strv_free(&remove);
	pog_strv_free(&added);
	pog_strv_free(&removed);
	return err;
}
