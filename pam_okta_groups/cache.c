/*
 * cache.c - the discovery and JWKS cache (see cache.h).
 *
 * File format: "pog-cache 2\n" "scope SCOPE\n" "url URL\n"
 * "expires EPOCH\n" "\n" BODY. The file name hashes the scope and the
 * URL; the header holds both, and both must match to be served.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "util.h"

#define CACHE_MAX_FILE (1024 * 1024 + 4096)

static uint64_t
fnv1a(uint64_t h, const char *s)
{
	/* The terminating NUL is hashed too, so "ab"+"c" is not "a"+"bc". */
	const unsigned char *p = (const unsigned char *)s;

	do {
		h ^= *p;
		h *= 1099511628211ULL;
	} while (*p++ != '\0');
	return h;
}

/* NULL for a scope or URL that would break the line-based header. */
static char *
cache_path(const char *dir, const char *scope, const char *url)
{
	uint64_t h = 1469598103934665603ULL;    /* FNV-1a: a name, not a MAC */

	if (dir == NULL || scope == NULL || url == NULL ||
	    strchr(scope, '\n') != NULL || strchr(url, '\n') != NULL)
		return NULL;
	h = fnv1a(fnv1a(h, scope), url);
	return pog_asprintf("%s/%016llx.json", dir, (unsigned long long)h);
}

/* Matches "KEY VALUE\n" at *p (within end) and moves past it. */
static bool
header_line(char **p, const char *end, const char *key, const char *value)
{
	size_t klen = strlen(key), vlen = strlen(value);

	if ((size_t)(end - *p) < klen + 1 + vlen + 1 || memcmp(*p, key, klen) != 0 ||
	    (*p)[klen] != ' ' || memcmp(*p + klen + 1, value, vlen) != 0 ||
	    (*p)[klen + 1 + vlen] != '\n')
		return false;
	*p += klen + 1 + vlen + 1;
	return true;
}

char *
pog_cache_scope(const char *issuer, const char *ca_file, const char *proxy)
{
	struct stat st;

	if (ca_file != NULL && stat(ca_file, &st) == 0)
		return pog_asprintf("issuer=%s ca_file=%s@%llu:%lld:%lld.%09ld proxy=%s",
				    issuer, ca_file, (unsigned long long)st.st_ino,
				    (long long)st.st_size, (long long)st.st_mtim.tv_sec,
				    (long)st.st_mtim.tv_nsec, proxy ? proxy : "none");
	return pog_asprintf("issuer=%s ca_file=%s proxy=%s", issuer,
			    ca_file ? ca_file : "system", proxy ? proxy : "none");
}

pog_err
pog_cache_get(const char *dir, const char *scope, const char *url, time_t now,
	      char **body, size_t *len)
{
	char *path = NULL, *data = NULL, *errmsg = NULL, *p, *nl, *copy, *end;
	size_t dlen = 0;
	long expires;
	pog_err err = POG_ERR_INVALID;

	if ((path = cache_path(dir, scope, url)) == NULL)
		return POG_ERR_INVALID;
	/* Owned by us, mode 0600 or 0400: anything else is not ours. */
	const struct pog_file_policy pol = {
		.owner = geteuid(),
		.secret = true,
		.max = CACHE_MAX_FILE,
		.scrub = true,
		.refused = POG_ERR_CONFIG,
	};

	if (pog_read_file(path, &pol, &data, &dlen, NULL, &errmsg) != POG_OK)
		goto out;
	p = data;
	end = data + dlen;
	if ((size_t)(end - p) < 12 || memcmp(p, "pog-cache 2\n", 12) != 0)
		goto out;
	p += 12;
	/* Another issuer, CA file or proxy wrote this: not ours to serve. */
	if (!header_line(&p, end, "scope", scope) || !header_line(&p, end, "url", url))
		goto out;
	if ((size_t)(end - p) < 8 || memcmp(p, "expires ", 8) != 0)
		goto out;
	p += 8;
	nl = memchr(p, '\n', dlen - (size_t)(p - data));
	if (nl == NULL || nl[1] != '\n')
		goto out;
	*nl = '\0';
	if (!pog_parse_long(p, 0, LONG_MAX, &expires) || (time_t)expires <= now)
		goto out;
	p = nl + 2;
	copy = malloc(dlen - (size_t)(p - data) + 1);
	if (copy == NULL) {
		err = POG_ERR_NOMEM;
		goto out;
	}
	*len = dlen - (size_t)(p - data);
	memcpy(copy, p, *len);
	copy[*len] = '\0';
	*body = copy;
	err = POG_OK;
out:
	free(errmsg);
	free(data);
	free(path);
	return err;
}

pog_err
pog_cache_put(const char *dir, const char *scope, const char *url, time_t now,
	      long max_age, const char *body, size_t len)
{
	struct pog_buf b = { 0 };
	char *path = NULL;
	long ttl = max_age < 0 ? POG_CACHE_DEFAULT_TTL : max_age;
	pog_err err;

	if (ttl > POG_CACHE_MAX_TTL)
		ttl = POG_CACHE_MAX_TTL;
	if (ttl == 0)
		return POG_OK;          /* no-store: nothing to keep */
	path = cache_path(dir, scope, url);
	if (path == NULL)
		return POG_ERR_INVALID;
	/* Both modes are set explicitly (chmod, fchmod), whatever the
	 * umask: a setuid caller chooses that. */
	err = pog_ensure_dir(dir, 0700);
	if (err != POG_OK) {
		free(path);
		return err;
	}
	err = pog_buf_printf(&b, "pog-cache 2\nscope %s\nurl %s\nexpires %lld\n\n",
			     scope, url, (long long)now + ttl);
	if (err == POG_OK)
		err = pog_buf_add(&b, body, len);
	if (err == POG_OK)
		err = pog_write_file_atomic(path, b.data, b.len, 0600);
	pog_buf_free(&b);
	free(path);
	return err;
}

pog_err
pog_cache_age(const char *dir, const char *scope, const char *url, time_t now,
	      long *age)
{
	char *path;
	struct stat st;
	int r;

	if ((path = cache_path(dir, scope, url)) == NULL)
		return POG_ERR_INVALID;
	r = lstat(path, &st);
	free(path);
	if (r != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid())
		return POG_ERR_INVALID;
	*age = now >= st.st_mtime ? (long)(now - st.st_mtime) : 0;
	return POG_OK;
}

pog_err
pog_cache_drop(const char *dir, const char *scope, const char *url)
{
	char *path = cache_path(dir, scope, url);

	if (path == NULL)
		return POG_ERR_INVALID;
	if (unlink(path) != 0 && errno != ENOENT) {
		free(path);
		return POG_ERR_SYSTEM;
	}
	free(path);
	return POG_OK;
}
