/*
 * tutil.h - the file helpers of the unit tests: each fails the test
 * program (exit 99, a hard error) when the machine, not the code under
 * test, lets it down.
 */
#ifndef TUTIL_H
#define TUTIL_H

#include <stddef.h>
#include <sys/types.h>

/* Writes len bytes to path afresh (an old file is removed first), mode
 * mode, group gid ((gid_t)-1: the caller's). */
void tu_put(const char *path, const void *text, size_t len, mode_t mode, gid_t gid);

/* tu_put of a string, in the caller's group. */
void tu_put_str(const char *path, const char *text, mode_t mode);

/* The whole file, NUL-terminated (malloc'd), its length in *len when
 * len is not NULL; NULL when it cannot be opened. */
char *tu_slurp(const char *path, size_t *len);

/* mkdtemp(tmpl), exiting 99 when it fails. */
char *tu_mkdtemp(char *tmpl);

/* Removes path and everything under it, never following a symlink:
 * 0, or -1 (each failure printed) when something stayed. */
int tu_rm_rf(const char *path);

#endif /* TUTIL_H */
