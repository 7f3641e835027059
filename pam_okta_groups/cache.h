/*
 * cache.h - the discovery document and the JWKS, kept in cache_dir so a
 * login with a warm cache asks the provider only for what is new.
 *
 * A cache file is root-only (0600 in a 0700 folder), written atomically,
 * and holds the URL it came from and when it expires. A file that is
 * corrupt, foreign-owned or too open is ignored and replaced.
 */
#ifndef POG_CACHE_H
#define POG_CACHE_H

#include <time.h>

#include "pog.h"

#define POG_CACHE_DEFAULT_TTL 3600      /* no Cache-Control: an hour */
#define POG_CACHE_MAX_TTL     86400     /* never longer than a day */

/* Returns the cached body for url if fresh at now; POG_ERR_INVALID if none. */
pog_err pog_cache_get(const char *dir, const char *url, time_t now,
		      char **body, size_t *len);

/* Stores body for url; max_age < 0 means no Cache-Control (default TTL). */
pog_err pog_cache_put(const char *dir, const char *url, time_t now,
		      long max_age, const char *body, size_t len);

/* Seconds since url was last stored; POG_ERR_INVALID when it is not cached. */
pog_err pog_cache_age(const char *dir, const char *url, time_t now, long *age);

/* Forgets url (an unknown kid makes the JWKS stale). */
pog_err pog_cache_drop(const char *dir, const char *url);

#endif /* POG_CACHE_H */
