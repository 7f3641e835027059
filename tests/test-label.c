/*
 * test-label.c - the group files keep their SELinux labels across the
 * atomic edit, as shadow's commonio keeps them. The labels are set and
 * read as the security.selinux extended attribute, so this test does
 * not include libselinux (label.c is the one file that does). It skips
 * (77) when the build has no libselinux or this file system or kernel
 * will not store the attribute.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "grpfile.h"
#include "label.h"
#include "tcheck.h"
#include "tutil.h"
#include "util.h"

#define XATTR "security.selinux"
#define ETC_T "system_u:object_r:etc_t:s0"
#define SHADOW_T "system_u:object_r:shadow_t:s0"

static char dir[64], gpath[128], spath[128];

static void
put(const char *path, const char *text, mode_t mode, gid_t gid)
{
	tu_put(path, text, strlen(text), mode, gid);
}

/* The label as libselinux stores it: the context and its NUL. */
static int
set_label(const char *path, const char *con)
{
	return setxattr(path, XATTR, con, strlen(con) + 1, 0);
}

static bool
has_label(const char *path, const char *con)
{
	char got[256];
	ssize_t n = getxattr(path, XATTR, got, sizeof(got) - 1);

	if (n < 0) {
		fprintf(stderr, "%s: no label (%s), want %s\n", path, strerror(errno), con);
		return false;
	}
	got[n] = '\0';
	if (strcmp(got, con) != 0) {
		fprintf(stderr, "%s: label %s, want %s\n", path, got, con);
		return false;
	}
	return true;
}

static pog_err
plan_add(void *ctx, const struct pog_grp_db *group, struct pog_strv *add,
	 struct pog_strv *remove)
{
	(void)ctx;
	(void)group;
	(void)remove;
	return pog_strv_add(add, "devteam");
}

static void
log_err(void *ctx, int prio, const char *msg)
{
	(void)ctx;
	if (prio <= LOG_ERR)
		fprintf(stderr, "log: %s\n", msg);
}

static const struct pog_io io = { .log = log_err };
static const struct pog_grpfile_hooks hooks = { .plan = plan_add };

static void
cleanup(void)
{
	static const char *names[] = { "group", "group-", "group+", "gshadow", "gshadow-",
				       "gshadow+", ".pwd.lock" };
	char p[160];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		unlink(p);
	}
	rmdir(dir);
}

int
main(void)
{
	struct stat st;
	char bak[160];

	if (!pog_label_supported()) {
		printf("SKIP: built without libselinux (configure --with-selinux=no, or no libselinux1-dev)\n");
		return 77;
	}
	strcpy(dir, "/tmp/pog-label-XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 99;
	}
	snprintf(gpath, sizeof(gpath), "%s/group", dir);
	snprintf(spath, sizeof(spath), "%s/gshadow", dir);
	put(gpath, "root:x:0:\ndevteam:x:1500:bob\n", 0644, 0);
	put(spath, "root:*::\ndevteam:!::bob\n", 0640, 42);
	if (set_label(gpath, ETC_T) != 0 || set_label(spath, SHADOW_T) != 0) {
		printf("SKIP: this kernel or file system does not store %s on %s (%s)\n", XATTR,
		       dir, strerror(errno));
		cleanup();
		return 77;
	}

	/* labelled originals: the new files and the backups keep the labels */
	TC_ERR(pog_grpfile_update(gpath, spath, "alice", &hooks, NULL, &io), POG_OK);
	TC_CHECK(has_label(gpath, ETC_T));
	TC_CHECK(has_label(spath, SHADOW_T));
	snprintf(bak, sizeof(bak), "%s-", spath);
	TC_CHECK(has_label(bak, SHADOW_T));
	/* and their owner and mode */
	TC_EQ_INT(stat(gpath, &st), 0);
	TC_EQ_INT((st.st_mode & 07777), 0644);
	TC_EQ_INT(st.st_gid, 0);
	TC_EQ_INT(stat(spath, &st), 0);
	TC_EQ_INT((st.st_mode & 07777), 0640);
	TC_EQ_INT(st.st_gid, 42);

	/* an original without a label is no error, and the new file has none either */
	TC_EQ_INT(removexattr(gpath, XATTR), 0);
	put(gpath, "root:x:0:\ndevteam:x:1500:bob\n", 0644, 0);
	TC_ERR(pog_grpfile_update(gpath, spath, "alice", &hooks, NULL, &io), POG_OK);
	TC_CHECK(getxattr(gpath, XATTR, NULL, 0) < 0 && errno == ENODATA);
	TC_CHECK(has_label(spath, SHADOW_T));

	cleanup();
	TC_DONE();
}
