/*
 * cache.c - the discovery and JWKS cache (see cache.h).
 *
 * File format: "pog-cache 1\n" "url URL\n" "expires EPOCH\n" "\n" BODY.
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

static char *
cache_path(const char *dir, const char *url)
{
	uint64_t h = 1469598103934665603ULL;    /* FNV-1a: a name, not a MAC */

	for (const unsigned char *p = (const unsigned char *)url; *p; p++) {
		h ^= *p;
		h *= 1099511628211ULL;
	}
	return pog_asprintf("%s/%016llx.json", dir, (unsigned long long)h);
}

pog_err
pog_cache_get(const char *dir, const char *url, time_t now, char **body,
	      size_t *len)
{
	char *path = NULL, *data = NULL, *errmsg = NULL, *p, *nl, *copy;
	size_t dlen = 0, ulen = strlen(url);
	long expires;
	pog_err err = POG_ERR_INVALID;

	if (dir == NULL || (path = cache_path(dir, url)) == NULL)
		return POG_ERR_INVALID;
	/* Owned by us, mode 0600 or 0400: anything else is not ours. */
	if (pog_read_file(path, geteuid(), POG_FILE_SECRET, CACHE_MAX_FILE,
			  &data, &dlen, &errmsg) != POG_OK)
		goto out;
	if (dlen < 16 || memcmp(data, "pog-cache 1\nurl ", 16) != 0)
		goto out;
	p = data + 16;
	nl = memchr(p, '\n', dlen - 16);
	if (nl == NULL || (size_t)(nl - p) != ulen || memcmp(p, url, ulen) != 0)
		goto out;
	p = nl + 1;
	if ((size_t)(p - data) + 8 > dlen || memcmp(p, "expires ", 8) != 0)
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
pog_cache_put(const char *dir, const char *url, time_t now, long max_age,
	      const char *body, size_t len)
{
	struct pog_buf b = { 0 };
	char *path = NULL;
	long ttl = max_age < 0 ? POG_CACHE_DEFAULT_TTL : max_age;
	pog_err err;

	if (ttl > POG_CACHE_MAX_TTL)
		ttl = POG_CACHE_MAX_TTL;
	if (ttl == 0)
		return POG_OK;          /* no-store: nothing to keep */
	err = pog_ensure_dir(dir, 0700);
	if (err != POG_OK)
		return err;
	path = cache_path(dir, url);
	if (path == NULL)
		return POG_ERR_NOMEM;
	err = pog_buf_printf(&b, "pog-cache 1\nurl %s\nexpires %lld\n\n", url,
			     (long long)now + ttl);
	if (err == POG_OK)
		err = pog_buf_add(&b, body, len);
	if (err == POG_OK)
		err = pog_write_file_atomic(path, b.data, b.len, 0600);
	pog_buf_free(&b);
	free(path);
	return err;
}

pog_err
pog_cache_age(const char *dir, const char *url, time_t now, long *age)
{
	char *path;
	struct stat st;
	int r;

	if (dir == NULL || (path = cache_path(dir, url)) == NULL)
		return POG_ERR_INVALID;
	r = lstat(path, &st);
	free(path);
	if (r != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid())
		return POG_ERR_INVALID;
	*age = now >= st.st_mtime ? (long)(now - st.st_mtime) : 0;
	return POG_OK;
}

pog_err
pog_cache_drop(const char *dir, const char *url)
{
	char *path = cache_path(dir, url);

	if (path == NULL)
		return POG_ERR_NOMEM;
	if (unlink(path) != 0 && errno != ENOENT) {
		free(path);
		return POG_ERR_SYSTEM;
	}
	free(path);
	return POG_OK;
}
