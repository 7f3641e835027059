/*
 * grpfile.h - editing the group files the way shadow does: under the
 * password-file lock, both files together, atomically, with backups.
 *
 * Edge: the only file of the module that writes group_file and
 * gshadow_file.
 */
#ifndef POG_GRPFILE_H
#define POG_GRPFILE_H

#include <sys/types.h>

#include "grp.h"
#include "pog.h"

#define POG_GRPFILE_MAX_SIZE (64u * 1024 * 1024)
#define POG_GRPFILE_LOCK_TIMEOUT 15     /* seconds, as lckpwdf */

/*
 * Reads and parses a group file without the lock (dry runs, session
 * mode, okta-groups explain). It must be a regular file that is not
 * writable by group or others. *errmsg (malloc'd) says why not.
 */
pog_err pog_grpfile_read(const char *path, enum pog_grp_kind kind,
			 struct pog_grp_db *db, char **errmsg);

struct pog_grpfile_hooks {
	/*
	 * Under the lock, with the group file just read: fill add and
	 * remove (local group names) for user. An error aborts the update
	 * with nothing written.
	 */
	pog_err (*plan)(void *ctx, const struct pog_grp_db *group,
			struct pog_strv *add, struct pog_strv *remove);
	/*
	 * Still under the lock, with the edit made and the new contents
	 * in temp files whose writeback is under way, nothing in place
	 * yet: what will really change. May be NULL. Whatever must be
	 * durable before the change (an intent record) is written here,
	 * its wait overlapping the temps'. An error aborts the update
	 * with nothing changed, so whatever done needs is best prepared
	 * here too.
	 */
	pog_err (*ready)(void *ctx, const struct pog_strv *added,
			 const struct pog_strv *removed);
	/*
	 * Still under the lock, once the files are written (or nothing was
	 * to change): what really changed. May be NULL. Its error is
	 * returned, but the files stay written.
	 */
	pog_err (*done)(void *ctx, const struct pog_strv *added,
			const struct pog_strv *removed);
};

/*
 * Locks (fcntl on .pwd.lock in group_file's folder: /etc/.pwd.lock, the
 * lock of lckpwdf, for /etc/group), reads group_file and gshadow_file
 * (skipped when NULL, empty or missing), asks hooks->plan, applies it
 * to both, and when anything changed writes both files: a temp file
 * with the original's owner, mode and SELinux label (label.h), its
 * writeback started; hooks->ready; a backup "FILE-" (a hard link to the
 * original, or a copy where the file system has no hard links); the
 * temp's fsync; rename; fsync of the folder. gshadow is renamed first and group last, and
 * if the group rename fails gshadow is put back. On any error, the
 * originals are left as they were and no temp file is left behind.
 * After a change to /etc/group itself, once the lock is released, the
 * nscd and sssd group caches are invalidated.
 */
pog_err pog_grpfile_update(const char *group_file, const char *gshadow_file,
			   const char *user, const struct pog_grpfile_hooks *hooks,
			   void *ctx, const struct pog_io *io);

/* ---- for tests only ---- */

/* The calls through which grpfile writes; a test swaps them to inject faults. */
struct pog_grpfile_sys {
	ssize_t (*write)(int fd, const void *buf, size_t n);
	int (*fsync)(int fd);
	int (*rename)(const char *from, const char *to);
	int (*link)(const char *from, const char *to);  /* NULL: link(2) */
};

/* NULL puts the real calls back. */
void pog_grpfile_set_test_sys(const struct pog_grpfile_sys *sys);

#endif /* POG_GRPFILE_H */
