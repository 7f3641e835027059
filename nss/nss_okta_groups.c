/*
 * nss_okta_groups.c - libnss_okta_groups.so.2, the passwd database of
 * accounts on first login.
 *
 * sshd looks the user up with getpwnam() before PAM runs, and treats an
 * unknown name as invalid for the whole connection. With [accounts]
 * create = yes, this module answers that lookup, inside a root sshd and
 * nowhere else, with the account the account phase will create: the UID
 * of the one rule (uidrule.c, uidstate.c), the same GID, home, shell and
 * pw_passwd "*" (pam_unix treats "x" as "look in shadow" and refuses).
 *
 * A guest in every process that looks a user up: it links libc and
 * libinih only, never logs, never blocks, does no network I/O, keeps no
 * state but the per-process "is this sshd" answer, and answers "not
 * found" to everything else. Outside sshd a lookup costs one readlink
 * the first time and nothing after.
 *
 * getpwuid of a pending UID answers nothing: sshd never asks for it
 * before the account exists, and useradd asks for it to check that the
 * UID is free. Enumeration lists nothing.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <nss.h>
#include <pwd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nss_cfg.h"
#include "uidrule.h"
#include "uidstate.h"

#define NSS_CONFIG   "/etc/security/pam_okta_groups.conf"
#define NSS_CFG_MAX  (256 * 1024)
#define NSS_EXPORT   __attribute__((visibility("default")))

enum nss_status _nss_okta_groups_getpwnam_r(const char *name, struct passwd *pw,
					    char *buf, size_t buflen, int *errnop)
	NSS_EXPORT;
enum nss_status _nss_okta_groups_getpwuid_r(uid_t uid, struct passwd *pw,
					    char *buf, size_t buflen, int *errnop)
	NSS_EXPORT;
enum nss_status _nss_okta_groups_setpwent(int stayopen) NSS_EXPORT;
enum nss_status _nss_okta_groups_getpwent_r(struct passwd *pw, char *buf,
					    size_t buflen, int *errnop) NSS_EXPORT;
enum nss_status _nss_okta_groups_endpwent(void) NSS_EXPORT;

/* The monitor of sshd, by any of its names (sshd-session from 9.8 on). */
static const char *const sshd_paths[] = {
	"/usr/sbin/sshd",
	"/usr/lib/openssh/sshd-session",
	"/usr/libexec/openssh/sshd-session",
	"/usr/libexec/sshd-session",
	"/usr/lib/ssh/sshd-session",
	"/usr/sbin/sshd-session",
	NULL
};

/* 0: not known yet, 1: sshd, 2: not sshd. Inherited over fork, reset by exec. */
static int is_sshd_cache;

static bool
is_sshd(void)
{
	int v = __atomic_load_n(&is_sshd_cache, __ATOMIC_RELAXED);
	char exe[128];
	ssize_t n;

	if (v == 0) {
		v = 2;
		n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		if (n > 0) {
			exe[n] = '\0';
			for (size_t i = 0; sshd_paths[i] != NULL; i++)
				if (strcmp(exe, sshd_paths[i]) == 0)
					v = 1;
		}
		__atomic_store_n(&is_sshd_cache, v, __ATOMIC_RELAXED);
	}
	return v == 1;
}

/*
 * The initial user namespace: inside "unshare -Ur" anyone is uid 0 and
 * can bind-mount a program of theirs over /usr/sbin/sshd.
 */
static bool
initial_userns(void)
{
	static const char want[] = "0 0 4294967295";
	char buf[256], *p;
	ssize_t n;
	int fd = open("/proc/self/uid_map", O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	/* One line, "0 0 4294967295" with the kernel's blank padding. */
	p = buf;
	for (const char *w = want; *w != '\0'; w++) {
		if (*w == ' ') {
			if (*p != ' ')
				return false;
			p += strspn(p, " ");
			continue;
		}
		p += w == want ? strspn(p, " ") : 0;
		if (*p++ != *w)
			return false;
	}
	return strcmp(p, "\n") == 0;
}

static bool
load_config(struct pog_nsscfg *c)
{
	char *data = NULL;
	size_t len = 0;
	bool ok;

	if (pog_uid_read_file(NSS_CONFIG, 0, NSS_CFG_MAX, &data, &len) != 0)
		return false;
	ok = pog_nsscfg_parse(data, len, c);
	free(data);
	return ok;
}

/* Copies s into the caller's buffer; NULL when it does not fit. */
static char *
put(char **p, size_t *left, const char *s)
{
	size_t n = strlen(s) + 1;
	char *r = *p;

	if (n > *left)
		return NULL;
	memcpy(r, s, n);
	*p += n;
	*left -= n;
	return r;
}

static enum nss_status
lookup(const char *name, struct passwd *pw, char *buf, size_t buflen, int *errnop)
{
	struct pog_uid_paths paths;
	struct pog_uid_answer ans;
	struct pog_nsscfg c;
	struct passwd out;
	char home[POG_NSS_PATH_MAX + POG_UID_NAME_MAX];
	char *p = buf;
	size_t left = buflen;

	/* Cheapest first: nothing is read before "this is a root sshd". */
	if (!is_sshd() || geteuid() != 0 || !pog_uid_name_valid(name) ||
	    !initial_userns() || !load_config(&c) || !c.create || !c.sshd)
		return NSS_STATUS_NOTFOUND;
	paths.passwd = "/etc/passwd";
	paths.group = "/etc/group";
	paths.state_dir = c.state_dir;
	paths.key_file = c.key_file;
	paths.owner = 0;
	if (pog_uid_compute(&paths, c.lo, c.hi, name, true, &ans) != POG_UIDS_OK)
		return NSS_STATUS_NOTFOUND;
	if (!pog_uid_home_expand(c.home, name, home, sizeof(home)))
		return NSS_STATUS_NOTFOUND;
	memset(&out, 0, sizeof(out));
	out.pw_uid = ans.uid;
	out.pw_gid = ans.uid;
	if ((out.pw_name = put(&p, &left, name)) == NULL ||
	    (out.pw_passwd = put(&p, &left, "*")) == NULL ||
	    (out.pw_gecos = put(&p, &left, "")) == NULL ||
	    (out.pw_dir = put(&p, &left, home)) == NULL ||
	    (out.pw_shell = put(&p, &left, c.shell)) == NULL) {
		*errnop = ERANGE;
		return NSS_STATUS_TRYAGAIN;
	}
	*pw = out;
	return NSS_STATUS_SUCCESS;
}

enum nss_status
_nss_okta_groups_getpwnam_r(const char *name, struct passwd *pw, char *buf,
			    size_t buflen, int *errnop)
{
	int saved = errno;
	enum nss_status st = lookup(name, pw, buf, buflen, errnop);

	/* The files we read must not leave their errno to the caller. */
	errno = st == NSS_STATUS_TRYAGAIN ? ERANGE : saved;
	return st;
}

enum nss_status
_nss_okta_groups_getpwuid_r(uid_t uid, struct passwd *pw, char *buf,
			    size_t buflen, int *errnop)
{
	(void)uid;
	(void)pw;
	(void)buf;
	(void)buflen;
	(void)errnop;
	return NSS_STATUS_NOTFOUND;
}

enum nss_status
_nss_okta_groups_setpwent(int stayopen)
{
	(void)stayopen;
	return NSS_STATUS_SUCCESS;
}

enum nss_status
_nss_okta_groups_getpwent_r(struct passwd *pw, char *buf, size_t buflen,
			    int *errnop)
{
	(void)pw;
	(void)buf;
	(void)buflen;
	*errnop = ENOENT;
	return NSS_STATUS_NOTFOUND;
}

enum nss_status
_nss_okta_groups_endpwent(void)
{
	return NSS_STATUS_SUCCESS;
}
