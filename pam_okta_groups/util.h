/*
 * util.h - small helpers shared by the core and the edges: a string
 * buffer, safe file reading, and atomic file writing.
 */
#ifndef POG_UTIL_H
#define POG_UTIL_H

#include <stdint.h>
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

/* What pog_read_file checks besides "regular file owned by owner". */
enum pog_file_policy {
	POG_FILE_CONFIG,        /* not writable by group or others */
	POG_FILE_SECRET,        /* mode 0600 or 0400 exactly */
};

/*
 * Reads a whole file with O_NOFOLLOW|O_CLOEXEC|O_NOCTTY, then fstat: it
 * must be regular, owned by owner, obey policy, and hold at most max
 * bytes. *data is NUL-terminated. *errmsg says why it was refused.
 * Returns POG_ERR_SYSTEM with errno kept for a missing file (ENOENT).
 */
pog_err pog_read_file(const char *path, uid_t owner, enum pog_file_policy policy,
		      size_t max, char **data, size_t *len, char **errmsg);

/*
 * Writes data to path atomically: a temp file in the same folder with the
 * given mode, fsync, rename, fsync of the folder.
 */
pog_err pog_write_file_atomic(const char *path, const void *data, size_t len,
			      mode_t mode);

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

/* Constant-time-ish scrub of memory. */
void pog_memzero(void *p, size_t n);

#endif /* POG_UTIL_H */
