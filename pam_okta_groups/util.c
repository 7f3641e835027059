/*
 * util.c - string lists, buffers, safe reads and atomic writes.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

const char *
pog_strerror(pog_err err)
{
	switch (err) {
	case POG_OK:            return "success";
	case POG_ERR_NOMEM:     return "out of memory";
	case POG_ERR_SYSTEM:    return "system error";
	case POG_ERR_CONFIG:    return "configuration error";
	case POG_ERR_UNAVAIL:   return "identity provider unavailable";
	case POG_ERR_PROTOCOL:  return "identity provider protocol error";
	case POG_ERR_DENIED:    return "sign-in denied";
	case POG_ERR_EXPIRED:   return "sign-in code expired";
	case POG_ERR_TOKEN:     return "ID token rejected";
	case POG_ERR_USER:      return "identity does not match the account";
	case POG_ERR_CONV:      return "conversation failed";
	case POG_ERR_NOBINDING: return "no group binding grants access";
	case POG_ERR_INVALID:   return "invalid input";
	case POG_ERR_PINNED:    return "account pinned to another Okta identity";
	case POG_ERR_WEAK:      return "sign-in weaker or older than this host requires";
	}
	return "unknown error";
}

pog_err
pog_fail(char **errmsg, pog_err err, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	if (errmsg == NULL)
		return err;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	*errmsg = s;
	return err;
}

bool
pog_ascii_caseeq(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++) {
		unsigned char x = (unsigned char)*a, y = (unsigned char)*b;

		if (x >= 'A' && x <= 'Z')
			x = (unsigned char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (unsigned char)(y - 'A' + 'a');
		if (x != y)
			return false;
	}
	return *a == *b;
}

bool
pog_is_alnum_ascii(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool
pog_is_print_ascii(unsigned char c)
{
	return c >= 0x20 && c < 0x7f;
}

bool
pog_is_graph_ascii(unsigned char c)
{
	return c > 0x20 && c < 0x7f;
}

bool
pog_is_name_char(unsigned char c)
{
	return pog_is_alnum_ascii(c) || c == '.' || c == '_' || c == '-';
}

bool
pog_all_of(const char *s, size_t n, bool (*is)(unsigned char))
{
	for (size_t i = 0; i < n; i++)
		if (!is((unsigned char)s[i]))
			return false;
	return true;
}

void
pog_memzero(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (n-- > 0)
		*v++ = 0;
}

char *
pog_random_hex(size_t n)
{
	unsigned char raw[64];
	char *out;
	size_t got = 0;

	if (n == 0 || n > sizeof(raw))
		return NULL;
	while (got < n) {
		ssize_t r = getrandom(raw + got, n - got, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return NULL;
		got += (size_t)r;
	}
	out = malloc(2 * n + 1);
	if (out != NULL)
		for (size_t i = 0; i < n; i++)
			snprintf(out + 2 * i, 3, "%02x", raw[i]);
	pog_memzero(raw, sizeof(raw));
	return out;
}

bool
pog_str_equal_ct(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char diff = la != lb;

	for (size_t i = 0; i < la && i < lb; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

void
pog_free_secret(char *s)
{
	if (s == NULL)
		return;
	pog_memzero(s, strlen(s));
	free(s);
}

/* ---- string lists ---- */

pog_err
pog_strv_add_len(struct pog_strv *sv, const char *s, size_t len)
{
	char *copy;

	if (sv->n + 1 >= sv->cap) {
		size_t ncap = sv->cap ? sv->cap * 2 : 8;
		char **nv = realloc(sv->v, ncap * sizeof(*nv));

		if (nv == NULL)
			return POG_ERR_NOMEM;
		sv->v = nv;
		sv->cap = ncap;
	}
	copy = strndup(s, len);
	if (copy == NULL)
		return POG_ERR_NOMEM;
	sv->v[sv->n++] = copy;
	sv->v[sv->n] = NULL;
	return POG_OK;
}

pog_err
pog_strv_add(struct pog_strv *sv, const char *s)
{
	return pog_strv_add_len(sv, s, strlen(s));
}

bool
pog_strv_contains(const struct pog_strv *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], s) == 0)
			return true;
	return false;
}

void
pog_strv_free(struct pog_strv *sv)
{
	if (sv == NULL)
		return;
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}

pog_err
pog_strv_split(struct pog_strv *sv, const char *s)
{
	while (*s != '\0') {
		size_t n;

		while (*s == ' ' || *s == '\t')
			s++;
		n = strcspn(s, " \t");
		if (n > 0 && pog_strv_add_len(sv, s, n) != POG_OK)
			return POG_ERR_NOMEM;
		s += n;
	}
	return POG_OK;
}

void
pog_identity_free(struct pog_identity *id)
{
	if (id == NULL)
		return;
	free(id->user);
	free(id->sub);
	free(id->issuer);
	free(id->claimed_name);
	pog_strv_free(&id->groups);
	free(id->acr);
	pog_strv_free(&id->amr);
	memset(id, 0, sizeof(*id));
}

/* ---- logging hooks ---- */

void
pog_log(const struct pog_io *io, int prio, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (io == NULL || io->log == NULL)
		return;
	if (prio == LOG_DEBUG && !io->debug)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	io->log(io->ctx, prio, msg);
}

void
pog_tell(const struct pog_io *io, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (io == NULL || io->error == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	io->error(io->ctx, msg);
}

char *
pog_sanitize(const char *s, size_t maxlen)
{
	size_t n = strnlen(s, maxlen);
	char *out = malloc(n + 1);

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		out[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	out[n] = '\0';
	return out;
}

char *
pog_quote(const char *s, size_t maxlen)
{
	size_t n = strnlen(s, maxlen);
	bool cut = s[n] != '\0';
	char *out = malloc(n * 4 + sizeof("\"\"..."));
	char *o = out;

	if (out == NULL)
		return NULL;
	*o++ = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			*o++ = '\\';
			*o++ = (char)c;
		} else if (c >= 0x20 && c < 0x7f) {
			*o++ = (char)c;
		} else {
			*o++ = '\\';
			*o++ = 'x';
			*o++ = "0123456789abcdef"[c >> 4];
			*o++ = "0123456789abcdef"[c & 15];
		}
	}
	*o++ = '"';
	if (cut) {
		memcpy(o, "...", 3);
		o += 3;
	}
	*o = '\0';
	return out;
}

char *
pog_asprintf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	return r < 0 ? NULL : s;
}

bool
pog_parse_long(const char *s, long min, long max, long *out)
{
	char *end = NULL;
	long v;

	if (s == NULL || *s == '\0' || !(isdigit((unsigned char)*s) || *s == '-'))
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

bool
pog_parse_duration(const char *s, long max, long *out)
{
	static const struct { char c; long mul; } units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
	};
	char *end = NULL;
	long v;

	if (s == NULL || !isdigit((unsigned char)*s) || max < 0)
		return false;
	if (strcmp(s, "0") == 0) {
		*out = 0;
		return true;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || end[0] == '\0' || end[1] != '\0')
		return false;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (*end != units[i].c)
			continue;
		if (v > max / units[i].mul)
			return false;
		*out = v * units[i].mul;
		return true;
	}
	return false;
}

void
pog_format_duration(long secs, char *buf, size_t len)
{
	if (len == 0)
		return;
	if (secs > 0 && secs % 86400 == 0)
		snprintf(buf, len, "%ldd", secs / 86400);
	else if (secs > 0 && secs % 3600 == 0)
		snprintf(buf, len, "%ldh", secs / 3600);
	else if (secs > 0 && secs % 60 == 0)
		snprintf(buf, len, "%ldm", secs / 60);
	else
		snprintf(buf, len, "%lds", secs);
}

double
pog_now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- buffers ---- */

pog_err
pog_buf_add(struct pog_buf *b, const void *p, size_t n)
{
	if (n > SIZE_MAX - b->len - 1)
		return POG_ERR_NOMEM;
	if (b->len + n + 1 > b->cap) {
		size_t ncap = b->cap ? b->cap : 256;
		char *nd;

		while (ncap < b->len + n + 1)
			ncap *= 2;
		nd = realloc(b->data, ncap);
		if (nd == NULL)
			return POG_ERR_NOMEM;
		b->data = nd;
		b->cap = ncap;
	}
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return POG_OK;
}

pog_err
pog_buf_addstr(struct pog_buf *b, const char *s)
{
	return pog_buf_add(b, s, strlen(s));
}

pog_err
pog_buf_printf(struct pog_buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int r;
	pog_err err;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		return POG_ERR_NOMEM;
	err = pog_buf_add(b, s, (size_t)r);
	free(s);
	return err;
}

void
pog_buf_free(struct pog_buf *b)
{
	if (b == NULL)
		return;
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

char *
pog_buf_steal(struct pog_buf *b)
{
	char *d = b->data;

	if (d == NULL)
		d = strdup("");
	b->data = NULL;
	b->len = b->cap = 0;
	return d;
}

/* ---- files ---- */

/* Why st does not pass pol, as a message; NULL when it does. */
static char *
file_refusal(const char *path, const struct stat *st, const struct pog_file_policy *pol)
{
	unsigned mode = (unsigned)(st->st_mode & 07777);

	if (!S_ISREG(st->st_mode))
		return pog_asprintf("%s: not a regular file", path);
	if (st->st_uid != pol->owner && !(pol->or_root && st->st_uid == 0)) {
		if (pol->or_root)
			return pog_asprintf("%s: owned by uid %u, must be owned by uid 0 or %u",
					    path, (unsigned)st->st_uid, (unsigned)pol->owner);
		return pog_asprintf("%s: owned by uid %u, must be owned by uid %u",
				    path, (unsigned)st->st_uid, (unsigned)pol->owner);
	}
	if (!pol->secret && (st->st_mode & (S_IWGRP | S_IWOTH)) != 0)
		return pog_asprintf("%s: writable by group or others (mode %04o)", path, mode);
	if (pol->secret && mode != 0600 && mode != 0400)
		return pog_asprintf("%s: a secret file must have mode 0600 or 0400, not %04o",
				    path, mode);
	if ((uint64_t)st->st_size > pol->max)
		return pog_asprintf("%s: larger than %zu bytes", path, pol->max);
	return NULL;
}

/* Reads exactly size bytes; one more, or fewer, means the file changed. */
static pog_err
file_read_all(int fd, const char *path, char *buf, size_t size, char **errmsg)
{
	size_t got = 0;

	while (got <= size) {
		ssize_t r = read(fd, buf + got, size + 1 - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			*errmsg = pog_asprintf("%s: read error: %s", path, strerror(errno));
			return POG_ERR_SYSTEM;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	if (got != size) {
		*errmsg = pog_asprintf("%s: changed while being read", path);
		return POG_ERR_SYSTEM;
	}
	buf[got] = '\0';
	return POG_OK;
}

/*
 * A big buffer's pages made in one call before read fills it, instead of
 * one page fault each (a 2 MB group file: 500 faults, most of its read
 * time). Only a hint: a kernel without MADV_POPULATE_WRITE (before 5.14)
 * faults them in as read goes.
 */
static void
prefault(char *buf, size_t len)
{
#ifdef MADV_POPULATE_WRITE
	long ps = sysconf(_SC_PAGESIZE);
	uintptr_t page = ps > 0 ? (uintptr_t)ps : 4096;
	uintptr_t start = ((uintptr_t)buf + page - 1) & ~(page - 1);
	uintptr_t end = ((uintptr_t)buf + len) & ~(page - 1);

	if (len >= (256u << 10) && end > start)
		(void)madvise((void *)start, end - start, MADV_POPULATE_WRITE);
#else
	(void)buf;
	(void)len;
#endif
}

pog_err
pog_read_file(const char *path, const struct pog_file_policy *pol, char **data,
	      size_t *len, struct stat *stp, char **errmsg)
{
	struct stat st;
	char *buf = NULL;
	pog_err err = pol->refused;
	int fd;

	/* O_NONBLOCK: opening a FIFO must not hang the login; fstat refuses it. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		int e = errno;

		if (e == ENOENT && pol->missing_ok) {
			*data = NULL;
			*len = 0;
			return POG_OK;
		}
		*errmsg = pog_asprintf("%s: cannot open: %s", path, strerror(e));
		errno = e;
		return e == ENOENT ? POG_ERR_SYSTEM : pol->refused;
	}
	if (fstat(fd, &st) != 0) {
		*errmsg = pog_asprintf("%s: cannot stat: %s", path, strerror(errno));
		goto out;
	}
	if ((*errmsg = file_refusal(path, &st, pol)) != NULL)
		goto out;
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		err = POG_ERR_NOMEM;
		goto out;
	}
	prefault(buf, (size_t)st.st_size);
	if (file_read_all(fd, path, buf, (size_t)st.st_size, errmsg) != POG_OK)
		goto out;
	*data = buf;
	*len = (size_t)st.st_size;
	if (stp != NULL)
		*stp = st;
	buf = NULL;
	err = POG_OK;
out:
	if (buf != NULL && pol->scrub)
		pog_memzero(buf, (size_t)st.st_size + 1);
	free(buf);
	close(fd);
	return err;
}

void
pog_writeback_start(int fd)
{
#ifdef SYNC_FILE_RANGE_WRITE
	(void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#else
	(void)fd;
#endif
}

pog_err
pog_fsync_dir_of(const char *path)
{
	char *dir = strdup(path);
	char *slash;
	int fd;
	pog_err err = POG_OK;

	if (dir == NULL)
		return POG_ERR_NOMEM;
	slash = strrchr(dir, '/');
	if (slash == NULL)
		strcpy(dir, ".");
	else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (fd < 0)
		return POG_ERR_SYSTEM;
	if (fsync(fd) != 0)
		err = POG_ERR_SYSTEM;
	close(fd);
	return err;
}

/*
 * Removes what a writer killed between mkostemp and rename left in dir:
 * ".NAME.XXXXXX" where NAME is a regular file there, itself regular, ours,
 * and older than POG_STALE_TMP_AGE (a live writer's is seconds old). The
 * leading dot keeps these apart from any user's ledger, whose name never
 * starts with one, while "NAME.XXXXXX" may well be a user's name.
 */
static void
remove_stale_temps(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	time_t now = time(NULL);

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		struct stat st, target;
		char *name = de->d_name;
		size_t n = strlen(name);

		if (n < 9 || name[0] != '.' || name[n - 7] != '.' ||
		    !pog_all_of(name + n - 6, 6, pog_is_alnum_ascii))
			continue;
		name[n - 7] = '\0';
		if (fstatat(dirfd(d), name + 1, &target, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(target.st_mode)) {
			name[n - 7] = '.';
			continue;
		}
		name[n - 7] = '.';
		if (fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
		    now - st.st_mtime < POG_STALE_TMP_AGE)
			continue;
		(void)unlinkat(dirfd(d), name, 0);
	}
	closedir(d);
}

/* "DIR/.BASE.XXXXXX" for path "DIR/BASE"; *dir gets "DIR". */
static char *
temp_template(const char *path, char **dir)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL) {
		*dir = strdup(".");
		return *dir != NULL ? pog_asprintf(".%s.XXXXXX", path) : NULL;
	}
	*dir = slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
	if (*dir == NULL)
		return NULL;
	return pog_asprintf("%.*s/.%s.XXXXXX", (int)(slash - path), path, slash + 1);
}

void
pog_atomic_abort(struct pog_atomic *a)
{
	if (a->fd >= 0)
		(void)close(a->fd);
	if (a->tmp != NULL)
		(void)unlink(a->tmp);
	free(a->tmp);
	free(a->path);
	a->tmp = a->path = NULL;
	a->fd = -1;
}

pog_err
pog_atomic_begin(struct pog_atomic *a, const char *path, const void *data, size_t len,
		 mode_t mode)
{
	char *dir = NULL;
	const char *p = data;

	a->fd = -1;
	a->path = strdup(path);
	a->tmp = a->path != NULL ? temp_template(path, &dir) : NULL;
	if (a->tmp == NULL) {
		free(dir);
		free(a->path);
		a->path = NULL;
		return POG_ERR_NOMEM;
	}
	remove_stale_temps(dir);
	free(dir);
	a->fd = mkostemp(a->tmp, O_CLOEXEC);
	if (a->fd < 0) {
		free(a->tmp);   /* nothing made: nothing to remove */
		a->tmp = NULL;
		pog_atomic_abort(a);
		return POG_ERR_SYSTEM;
	}
	if (fchmod(a->fd, mode) != 0)
		goto fail;
	while (len > 0) {
		ssize_t w = write(a->fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto fail;
		p += w;
		len -= (size_t)w;
	}
	pog_writeback_start(a->fd);
	return POG_OK;
fail:
	pog_atomic_abort(a);
	return POG_ERR_SYSTEM;
}

pog_err
pog_atomic_commit(struct pog_atomic *a, bool dir_sync)
{
	int fd = a->fd;

	a->fd = -1;
	if (fsync(fd) != 0) {
		(void)close(fd);
		goto fail;
	}
	if (close(fd) != 0 || rename(a->tmp, a->path) != 0)
		goto fail;
	if (dir_sync)
		(void)pog_fsync_dir_of(a->path);
	free(a->tmp);
	a->tmp = NULL;
	pog_atomic_abort(a);
	return POG_OK;
fail:
	pog_atomic_abort(a);
	return POG_ERR_SYSTEM;
}

pog_err
pog_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	struct pog_atomic a;
	pog_err err = pog_atomic_begin(&a, path, data, len, mode);

	return err == POG_OK ? pog_atomic_commit(&a, true) : err;
}

pog_err
pog_ensure_dir(const char *path, mode_t mode)
{
	struct stat st;

	if (mkdir(path, mode) != 0 && errno != EEXIST)
		return POG_ERR_SYSTEM;
	if (lstat(path, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid())
		return POG_ERR_SYSTEM;
	if ((st.st_mode & 07777) != mode && chmod(path, mode) != 0)
		return POG_ERR_SYSTEM;
	return POG_OK;
}

/* Reads what the child says until it closes, keeping what fits. */
static void
run_collect(int fd, char *out, size_t outlen, double deadline, pid_t pid, int *st,
	    bool *exited)
{
	size_t got = 0;

	for (;;) {
		char junk[256];
		bool keep = out != NULL && got + 1 < outlen;
		ssize_t r;

		if (deadline > 0) {
			/* A child that hangs on to its output must not hang us. */
			double left = deadline - pog_now_mono();
			struct pollfd pfd = { .fd = fd, .events = POLLIN };
			int n;

			if (left <= 0)
				break;
			n = poll(&pfd, 1, (int)(left * 1000) + 1);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
		}
		r = keep ? read(fd, out + got, outlen - 1 - got) : read(fd, junk, sizeof(junk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (keep)
			got += (size_t)r;
	}
	if (out != NULL && outlen > 0)
		out[got] = '\0';
	for (;;) {
		pid_t w = waitpid(pid, st, deadline > 0 ? WNOHANG : 0);

		if (w == pid) {
			*exited = true;
			return;
		}
		if (w < 0 && errno != EINTR)
			return;
		if (deadline > 0 && pog_now_mono() >= deadline) {
			(void)kill(pid, SIGKILL);
			while (waitpid(pid, st, 0) < 0 && errno == EINTR)
				;
			return;
		}
		if (w == 0)
			(void)nanosleep(&(struct timespec){ 0, 20 * 1000000L }, NULL);
	}
}

pog_err
pog_run(const char *const argv[], char *out, size_t outlen, double timeout, int *status)
{
	static char path_env[] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin", lc_env[] = "LC_ALL=C";
	char *const envp[] = { path_env, lc_env, NULL };
	char *av[32];
	int fds[2], st = 0;
	bool exited = false;
	pid_t pid;

	*status = -1;
	if (out != NULL && outlen > 0)
		out[0] = '\0';
	for (size_t i = 0; i < 32; i++) {
		/* execve's prototype wants char *; it writes nothing. */
		memcpy(&av[i], &argv[i], sizeof(av[i]));
		if (argv[i] == NULL)
			break;
		if (i == 31)
			return POG_ERR_INVALID;
	}
	if (av[0] == NULL || av[0][0] != '/')
		return POG_ERR_INVALID;
	if (pipe2(fds, O_CLOEXEC) != 0)
		return POG_ERR_SYSTEM;
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return POG_ERR_SYSTEM;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		if (null < 0 || dup2(null, 0) < 0 || dup2(fds[1], 1) < 0 || dup2(fds[1], 2) < 0)
			_exit(127);
		(void)close_range(3, ~0U, 0);
		execve(av[0], av, envp);
		_exit(127);
	}
	close(fds[1]);
	run_collect(fds[0], out, outlen, timeout > 0 ? pog_now_mono() + timeout : 0, pid,
		    &st, &exited);
	close(fds[0]);
	if (exited && WIFEXITED(st))
		*status = WEXITSTATUS(st);
	return POG_OK;
}
