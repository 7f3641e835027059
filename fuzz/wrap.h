/*
 * wrap.h - fault injection for the tests and the fuzz targets: link
 * wrap.c with WRAP_LDFLAGS (-Wl,--wrap=malloc,... see configure.ac) and
 * every allocation and I/O call of the program's own objects and of
 * libpog goes through it. Calls made inside shared libraries (json-c,
 * libc's stdio) are not seen.
 *
 * Nothing fails until armed. pog_wrap_arm(a, i): the a-th allocation
 * (malloc, calloc, realloc, reallocarray, strdup, strndup, vasprintf,
 * asprintf) and the i-th I/O call (read, write, fsync, rename) from
 * now on fail, with ENOMEM and EIO; 0 never fails. Each fails once.
 *
 * A fuzz target gets the same from its input when POG_FUZZ_FAULTS is
 * set in the environment: the first two bytes choose a and i, the rest
 * is the target's input. A target whose checks assume that nothing
 * fails (fuzz_cfg and fuzz_oidc abort on a parse error without a
 * message) asks pog_wrap_failed() before it calls such an error a crash.
 */
#ifndef POG_WRAP_H
#define POG_WRAP_H

#include <stdbool.h>

void pog_wrap_arm(unsigned long alloc_n, unsigned long io_n);
void pog_wrap_disarm(void);
/* Whether a failure was injected since the last pog_wrap_arm. */
bool pog_wrap_failed(void);

#endif /* POG_WRAP_H */
