/*
 * uidstate.c - reading what the UID rule needs (see uidstate.h).
 *
 * libc only; no logging (the NSS module must never log), errno values
 * out. Every descriptor is closed before return.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "uidstate.h"

#define OPEN_FLAGS (O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK)

/* 0 when st is owned by owner and not writable by group or others. */
static int
check_owner(const struct stat *st, uid_t owner)
{
	if (st->st_uid != owner || (st->st_mode & (S_IWGRP | S_IWOTH)) != 0)
		return EPERM;
	return 0;
}

/* Reads the open fd whole; it must be a regular file of at most max bytes. */
static int
read_fd(int fd, uid_t owner, size_t max, bool secret, char **data, size_t *len)
{
	struct stat st;
	char *buf;
	size_t got = 0;
	int e;

	if (fstat(fd, &st) != 0)
		return errno;
	if (!S_ISREG(st.st_mode))
		return EINVAL;
	if ((e = check_owner(&st, owner)) != 0)
		return e;
	if (secret && (st.st_mode & 077) != 0)
		return EPERM;
	if ((uint64_t)st.st_size > max)
		return EFBIG;
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL)
		return ENOMEM;
	while (got <= (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size + 1 - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			e = errno;
			free(buf);
			return e;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	if (got > (size_t)st.st_size) {
		free(buf);
		return EAGAIN;          /* grew while being read */
	}
	buf[got] = '\0';
	*data = buf;
	*len = got;
	return 0;
}

int
pog_uid_read_file(const char *path, uid_t owner, size_t max, char **data,
		  size_t *len)
{
	int fd = open(path, OPEN_FLAGS), e;

	if (fd < 0)
		return errno;
	e = read_fd(fd, owner, max, false, data, len);
	close(fd);
	return e;
}

static int
key_read(const char *path, uid_t owner, uint8_t key[POG_UID_KEY_SIZE])
{
	char *data = NULL;
	size_t len = 0;
	int fd = open(path, OPEN_FLAGS), e;

	if (fd < 0)
		return errno;
	e = read_fd(fd, owner, POG_UID_KEY_SIZE, true, &data, &len);
	close(fd);
	if (e == 0 && len != POG_UID_KEY_SIZE)
		e = EINVAL;
	if (e == 0)
		memcpy(key, data, POG_UID_KEY_SIZE);
	if (data != NULL) {
		memset(data, 0, len);
		free(data);
	}
	return e;
}

/* A new key: a temp file beside path, then link(2), which never replaces one. */
static int
key_make(const char *path)
{
	uint8_t key[POG_UID_KEY_SIZE];
	char tmp[PATH_MAX];
	size_t got = 0;
	int fd = -1, e = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.new.XXXXXX", path) >= (int)sizeof(tmp))
		return ENAMETOOLONG;
	while (got < sizeof(key)) {
		ssize_t r = getrandom(key + got, sizeof(key) - got, GRND_NONBLOCK);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? errno : EIO;
		got += (size_t)r;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		goto out;
	}
	if (fchmod(fd, 0600) != 0 || write(fd, key, sizeof(key)) != (ssize_t)sizeof(key) ||
	    fsync(fd) != 0) {
		e = errno ? errno : EIO;
		goto fail;
	}
	if (close(fd) != 0) {
		fd = -1;
		e = errno;
		goto fail;
	}
	fd = -1;
	if (link(tmp, path) != 0 && errno != EEXIST)
		e = errno;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
out:
	memset(key, 0, sizeof(key));
	return e;
}

int
pog_uid_key(const char *path, uid_t owner, bool make, uint8_t key[POG_UID_KEY_SIZE])
{
	int e = key_read(path, owner, key);

	if (e != ENOENT || !make)
		return e;
	e = key_make(path);
	return e != 0 ? e : key_read(path, owner, key);
}

/* Opens a folder safely; -1 with errno set. */
static int
open_dir_at(int at, const char *path, uid_t owner)
{
	struct stat st;
	int fd = openat(at, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW), e;

	if (fd < 0)
		return -1;
	e = fstat(fd, &st) != 0 ? errno : check_owner(&st, owner);
	if (e != 0) {
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* One record, from the open accounts folder. */
static int
record_read(int dfd, uid_t owner, const char *name, struct pog_account *a)
{
	char *data = NULL;
	size_t len = 0;
	const char *why;
	int fd = openat(dfd, name, OPEN_FLAGS), e;

	if (fd < 0)
		return errno;
	e = read_fd(fd, owner, POG_ACCOUNT_MAX_SIZE, false, &data, &len);
	close(fd);
	if (e == 0 && (!pog_account_parse(data, len, a, &why) || strcmp(a->name, name) != 0))
		e = EINVAL;
	free(data);
	return e;
}

/*
 * The accounts folder, or -1: errno ENOENT when state_dir or the folder
 * is missing (no records yet).
 */
static int
accounts_open(const char *state_dir, uid_t owner)
{
	int sfd = open_dir_at(AT_FDCWD, state_dir, owner), fd, e;

	if (sfd < 0)
		return -1;
	fd = open_dir_at(sfd, "accounts", owner);
	e = errno;
	close(sfd);
	errno = e;
	return fd;
}

int
pog_account_load(const char *state_dir, uid_t owner, const char *name,
		 struct pog_account *a)
{
	int dfd, e;

	if (!pog_uid_name_valid(name))
		return EINVAL;
	dfd = accounts_open(state_dir, owner);
	if (dfd < 0)
		return errno;
	e = record_read(dfd, owner, name, a);
	close(dfd);
	return e;
}

/* Every record's UID (and GID: the same) into ids, but name's own into *own. */
static enum pog_uid_status
records_scan(const struct pog_uid_paths *p, const char *name,
	     struct pog_idset *ids, struct pog_uid_answer *own)
{
	enum pog_uid_status st = POG_UIDS_OK;
	struct dirent *de;
	size_t count = 0;
	DIR *d;
	int dfd = accounts_open(p->state_dir, p->owner);

	if (dfd < 0)
		return errno == ENOENT ? POG_UIDS_OK : POG_UIDS_REFUSED;
	d = fdopendir(dfd);
	if (d == NULL) {
		close(dfd);
		return POG_UIDS_NOMEM;
	}
	while ((de = readdir(d)) != NULL) {
		struct pog_account a;

		/* Temp files of atomic writes ("NAME.XXXXXX") and dot files. */
		if (!pog_uid_name_valid(de->d_name))
			continue;
		if (++count > POG_UID_RECORDS_MAX ||
		    record_read(dirfd(d), p->owner, de->d_name, &a) != 0) {
			st = POG_UIDS_REFUSED;
			break;
		}
		/* retired UIDs were former owners': never anyone's again */
		for (size_t i = 0; i < a.nretired; i++)
			if (!pog_idset_add(ids, a.retired[i]))
				st = POG_UIDS_NOMEM;
		if (st != POG_UIDS_OK)
			break;
		if (strcmp(a.name, name) == 0) {
			own->record = a;
			/* released: the name goes to someone new, with a new UID */
			own->released = a.state == POG_ACCOUNT_RELEASED;
			own->known = !own->released;
			if (own->known)
				continue;
		}
		if (!pog_idset_add(ids, a.uid)) {
			st = POG_UIDS_NOMEM;
			break;
		}
	}
	closedir(d);
	return st;
}

static enum pog_uid_status
scan_file(const char *path, uid_t owner, bool is_passwd, const char *name,
	  struct pog_idset *ids)
{
	char *data = NULL;
	size_t len = 0;
	bool found = false, ok;
	int e = pog_uid_read_file(path, owner, POG_UID_FILE_MAX, &data, &len);

	if (e != 0)
		return e == ENOMEM ? POG_UIDS_NOMEM : POG_UIDS_REFUSED;
	ok = is_passwd ? pog_uid_scan_passwd(data, len, name, ids, &found) :
			 pog_uid_scan_group(data, len, name, ids, &found);
	free(data);
	if (!ok)
		return POG_UIDS_NOMEM;
	return found ? POG_UIDS_EXISTS : POG_UIDS_OK;
}

enum pog_uid_status
pog_uid_compute(const struct pog_uid_paths *p, uint32_t lo, uint32_t hi,
		const char *name, bool make_key, struct pog_uid_answer *out)
{
	struct pog_uid_answer ans;
	struct pog_idset ids = { 0 };
	uint8_t key[POG_UID_KEY_SIZE];
	enum pog_uid_status st;
	int e;

	memset(&ans, 0, sizeof(ans));
	if (!pog_uid_name_valid(name) || lo < POG_UID_RANGE_MIN || lo > hi ||
	    hi > POG_UID_RANGE_MAX)
		return POG_UIDS_REFUSED;
	/* group first: a group name is never a new user ("docker"). */
	st = scan_file(p->group, p->owner, false, name, &ids);
	if (st == POG_UIDS_OK)
		st = scan_file(p->passwd, p->owner, true, name, &ids);
	if (st == POG_UIDS_OK)
		st = records_scan(p, name, &ids, &ans);
	if (st != POG_UIDS_OK)
		goto out;
	e = pog_uid_key(p->key_file, p->owner, make_key, key);
	if (e != 0) {
		st = e == ENOMEM ? POG_UIDS_NOMEM : POG_UIDS_REFUSED;
		goto out;
	}
	switch (pog_uid_pick(key, lo, hi, name, ans.known ? (int64_t)ans.record.uid : -1,
			     &ids, &ans.uid)) {
	case POG_UID_PICKED:
		*out = ans;
		break;
	case POG_UID_TAKEN:
		st = POG_UIDS_TAKEN;
		break;
	case POG_UID_FULL:
		st = POG_UIDS_FULL;
		break;
	}
	memset(key, 0, sizeof(key));
out:
	pog_idset_free(&ids);
	return st;
}

const char *
pog_uid_status_text(enum pog_uid_status s)
{
	switch (s) {
	case POG_UIDS_OK:
		return "ok";
	case POG_UIDS_EXISTS:
		return "a local user or group of that name exists";
	case POG_UIDS_TAKEN:
		return "the account's recorded UID is used by another account";
	case POG_UIDS_FULL:
		return "no free UID in uid_range near the name's hash";
	case POG_UIDS_REFUSED:
		return "passwd, group, the account records or uid_key_file cannot be read safely";
	case POG_UIDS_NOMEM:
		return "out of memory";
	}
	return "?";
}
