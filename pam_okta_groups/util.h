/*
 * util.h - small helpers shared by the core and the edges: a string
 * buffer, safe file reading, and atomic file writing.
 */
#ifndef POG_UTIL_H
#define POG_UTIL_H

#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "pog.h"

struct pog_buf {
	char *data;     /* always NUL-terminated when non-NULL */
	size_t len;
	size_t cap;
};

pog_err pog_buf_add(struct pog_buf *b, const void *p, size_t n);
pog_err pog_buf_addstr(struct pog_buf *b, const char *s);
pog_err pog_buf_printf(struct pog_buf *b, const char *fmt, ...)
	POG_ATTR_PRINTF(2, 3);
void pog_buf_free(struct pog_buf *b);
/* Hands the data over to the caller; b is empty afterwards. */
char *pog_buf_steal(struct pog_buf *b);

/* What pog_read_file checks: the one read path of every file we trust. */
struct pog_file_policy {
	uid_t owner;            /* the file must be owned by this uid ... */
	bool or_root;           /* ... or by root */
	bool secret;            /* mode 0600 or 0400 exactly; else not writable
				 * by group or others */
	size_t max;             /* at most this many bytes */
	bool scrub;             /* zero a refused buffer before freeing it */
	bool missing_ok;        /* no file: POG_OK, *data NULL, *len 0 */
	pog_err refused;        /* the code of a file refused or unreadable */
};

/*
 * Reads a whole file with O_NOFOLLOW|O_CLOEXEC|O_NOCTTY|O_NONBLOCK, then
 * fstat: it must be regular, owned as pol says, obey its modes, hold at
 * most pol->max bytes, and not change size while read. *data is
 * NUL-terminated; st (may be NULL) gets the fstat. *errmsg says why it
 * was refused. A missing file (unless missing_ok) is POG_ERR_SYSTEM with
 * errno ENOENT kept.
 */
pog_err pog_read_file(const char *path, const struct pog_file_policy *pol,
		      char **data, size_t *len, struct stat *st, char **errmsg);

/*
 * Starts the writeback of fd's dirty pages without waiting (Linux's
 * sync_file_range; elsewhere nothing), so that a later fsync finds them
 * written or on their way while other work went on. No durability of
 * its own: only fsync gives that.
 */
void pog_writeback_start(int fd);

/* fsync of the folder that holds path, after a rename in it. */
pog_err pog_fsync_dir_of(const char *path);

/*
 * Writes data to path atomically: a temp file ".NAME.XXXXXX" in the same
 * folder with the given mode, fsync, rename, fsync of the folder. Temp
 * files a killed writer left there (ours, regular, older than
 * POG_STALE_TMP_AGE seconds, named after an existing file) go first.
 */
#define POG_STALE_TMP_AGE 300

pog_err pog_write_file_atomic(const char *path, const void *data, size_t len,
			      mode_t mode);

/*
 * The same write in two steps, so that other work goes on while the
 * disk writes: pog_atomic_begin writes the temp file and starts its
 * writeback; pog_atomic_commit fsyncs it, renames it into place and,
 * with dir_sync, fsyncs the folder (without: the rename may be lost in
 * a crash, so only where the file's older version is as good);
 * pog_atomic_abort removes the temp. Both end the write: each of them
 * leaves a cleared.
 */
struct pog_atomic {
	char *path;
	char *tmp;              /* NULL: none made */
	int fd;
};
pog_err pog_atomic_begin(struct pog_atomic *a, const char *path, const void *data,
			 size_t len, mode_t mode);
pog_err pog_atomic_commit(struct pog_atomic *a, bool dir_sync);
void pog_atomic_abort(struct pog_atomic *a);

/* Creates a folder (one level) with mode if missing; it must be ours afterwards. */
pog_err pog_ensure_dir(const char *path, mode_t mode);

/* Strict decimal parse of the whole string into [min, max]. */
bool pog_parse_long(const char *s, long min, long max, long *out);

/*
 * Strict duration: "0", or a whole number with one suffix s, m, h or d
 * ("90s", "30m", "12h", "7d"), at most max seconds. Nothing else: no
 * blanks, signs, fractions or bare numbers but 0.
 */
bool pog_parse_duration(const char *s, long max, long *out);

/* A duration for messages: "12h", "90m", "45s", "2d" (the largest exact unit). */
void pog_format_duration(long secs, char *buf, size_t len);

/* malloc'd printf; NULL on failure. */
char *pog_asprintf(const char *fmt, ...) POG_ATTR_PRINTF(1, 2);

/* Monotonic seconds, for deadlines. */
double pog_now_mono(void);

/* n random bytes as 2n hex digits; NULL when the kernel gives none. */
char *pog_random_hex(size_t n);

/* Compares two strings in time that depends only on their lengths. */
bool pog_str_equal_ct(const char *a, const char *b);

/*
 * Sets *errmsg (when errmsg is not NULL) to the formatted message, or to
 * NULL when out of memory, and returns err: "return pog_fail(...)".
 */
pog_err pog_fail(char **errmsg, pog_err err, const char *fmt, ...)
	POG_ATTR_PRINTF(3, 4);

/* ASCII-only case-insensitive equality: strcasecmp follows the locale. */
bool pog_ascii_caseeq(const char *a, const char *b);

/* Character classes, ASCII only, whatever the locale. */
bool pog_is_alnum_ascii(unsigned char c);
/* Printable ASCII, space included: 0x20..0x7e. */
bool pog_is_print_ascii(unsigned char c);
/* Printable ASCII without space: 0x21..0x7e. */
bool pog_is_graph_ascii(unsigned char c);
/* [A-Za-z0-9._-] */
bool pog_is_name_char(unsigned char c);
/* Whether each of the n bytes of s passes is (n may be 0). */
bool pog_all_of(const char *s, size_t n, bool (*is)(unsigned char));

/* Constant-time-ish scrub of memory. */
void pog_memzero(void *p, size_t n);

/*
 * Runs argv[0], an absolute path, without a shell: PATH and LC_ALL=C are
 * its whole environment, stdin is /dev/null, every other descriptor is
 * closed, and stdout and stderr go into out (at most outlen - 1 bytes,
 * NUL-terminated; out NULL: discarded). A timeout > 0 kills it after
 * that many seconds. *status is its exit status, or -1 when it did not
 * exit (killed, or never started). POG_ERR_SYSTEM when it cannot start.
 */
pog_err pog_run(const char *const argv[], char *out, size_t outlen, double timeout,
		int *status);

#endif /* POG_UTIL_H */
