/*
 * cache.h - the discovery document and the JWKS, kept in cache_dir so a
 * login with a warm cache asks the provider only for what is new.
 *
 * A cache file is root-only (0600 in a 0700 folder, whatever the umask),
 * written atomically, and holds its scope, the URL it came from and when
 * it expires. A file that is corrupt, foreign-owned or too open is
 * ignored and replaced.
 *
 * The scope is what the entry is only valid under: the caller passes the
 * issuer, the CA file and the proxy (pog_cache_scope), so a copy fetched
 * under an old configuration is never served under a new one. A scope
 * or URL with a newline is refused (POG_ERR_INVALID).
 */
#ifndef POG_CACHE_H
#define POG_CACHE_H

#include <time.h>

#include "pog.h"

#define POG_CACHE_DEFAULT_TTL 3600      /* no Cache-Control: an hour */
/* Never longer than this, whatever Cache-Control says: a document that
 * slipped through is gone within hours, not a day. */
#define POG_CACHE_MAX_TTL     (6 * 3600)

/*
 * The scope of a configuration: the issuer, the CA file (its path, and
 * its inode, size and mtime, so an edited file counts as a change; NULL
 * is the system store) and the proxy (NULL: none). NULL when out of memory.
 */
char *pog_cache_scope(const char *issuer, const char *ca_file, const char *proxy);

/* Returns the cached body for url if fresh at now; POG_ERR_INVALID if none. */
pog_err pog_cache_get(const char *dir, const char *scope, const char *url,
		      time_t now, char **body, size_t *len);

/* Stores body for url; max_age < 0 means no Cache-Control (default TTL). */
pog_err pog_cache_put(const char *dir, const char *scope, const char *url,
		      time_t now, long max_age, const char *body, size_t len);

/* Seconds since url was last stored; POG_ERR_INVALID when it is not cached. */
pog_err pog_cache_age(const char *dir, const char *scope, const char *url,
		      time_t now, long *age);

/* Forgets url (an unknown kid makes the JWKS stale). */
pog_err pog_cache_drop(const char *dir, const char *scope, const char *url);

#endif /* POG_CACHE_H */
