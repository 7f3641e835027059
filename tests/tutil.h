/*
 * tutil.h - the file helpers of the unit tests: each fails the test
 * program (exit 99, a hard error) when the machine, not the code under
 * test, lets it down.
 */
#ifndef TUTIL_H
#define TUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cfg.h"
#include "pog.h"

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

/* Whether two string lists hold the same strings in the same order. */
bool tu_strv_eq(const struct pog_strv *a, const struct pog_strv *b);

/*
 * The sync tests' config: the defaults, persistent mode, on_no_binding
 * deny, the roles developer (devteam docker) and operator (ops), bound
 * to the IdP groups DevTeam and Ops, over the given files.
 */
void tu_sync_cfg(struct pog_config *cfg, const char *group, const char *gshadow,
		 const char *state);

#endif /* TUTIL_H */
