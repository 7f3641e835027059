/* test-cache: fresh entries are served, stale, foreign or corrupt ones
 * are not, and entries are root-only. */
#include "config.h"

#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "tcheck.h"
#include "util.h"

int
main(void)
{
	char tmpl[] = "/tmp/pog-cache.XXXXXX", *dir = mkdtemp(tmpl), *cdir, *body = NULL;
	const char *url = "https://idp.example/oauth2/default/.well-known/openid-configuration";
	size_t len = 0;
	time_t now = 1700000000;
	struct stat st;
	char cmd[512];

	TC_CHECK(dir != NULL);
	cdir = pog_asprintf("%s/cache", dir);
	TC_CHECK(pog_cache_get(cdir, url, now, &body, &len) == POG_ERR_INVALID);
	TC_CHECK(pog_cache_put(cdir, url, now, 300, "{\"a\":1}", 7) == POG_OK);
	TC_CHECK(stat(cdir, &st) == 0 && (st.st_mode & 07777) == 0700);
	TC_CHECK(pog_cache_get(cdir, url, now + 10, &body, &len) == POG_OK);
	TC_STREQ(body, "{\"a\":1}");
	TC_CHECK(len == 7);
	free(body);
	body = NULL;
	/* Expired, and another URL. */
	TC_CHECK(pog_cache_get(cdir, url, now + 301, &body, &len) == POG_ERR_INVALID);
	TC_CHECK(pog_cache_get(cdir, "https://other/x", now, &body, &len) == POG_ERR_INVALID);
	/* Capped lifetime, and no-store keeps nothing. */
	TC_CHECK(pog_cache_put(cdir, url, now, 10L * 86400, "{}", 2) == POG_OK);
	TC_CHECK(pog_cache_get(cdir, url, now + POG_CACHE_MAX_TTL + 1, &body, &len) == POG_ERR_INVALID);
	TC_CHECK(pog_cache_put(cdir, "https://nostore/x", now, 0, "{}", 2) == POG_OK);
	TC_CHECK(pog_cache_get(cdir, "https://nostore/x", now, &body, &len) == POG_ERR_INVALID);
	/* A file opened up to others, or corrupt, is ignored. */
	TC_CHECK(pog_cache_put(cdir, url, now, 300, "{}", 2) == POG_OK);
	snprintf(cmd, sizeof(cmd), "chmod 644 %s/*.json", cdir);
	TC_CHECK(system(cmd) == 0);
	TC_CHECK(pog_cache_get(cdir, url, now, &body, &len) == POG_ERR_INVALID);
	TC_CHECK(pog_cache_put(cdir, url, now, 300, "{}", 2) == POG_OK);
	TC_CHECK(pog_cache_get(cdir, url, now, &body, &len) == POG_OK);
	free(body);
	body = NULL;
	snprintf(cmd, sizeof(cmd), "for f in %s/*.json; do printf 'junk' > $f; done", cdir);
	TC_CHECK(system(cmd) == 0);
	TC_CHECK(pog_cache_get(cdir, url, now, &body, &len) == POG_ERR_INVALID);
	if (geteuid() == 0) {
		TC_CHECK(pog_cache_put(cdir, url, now, 300, "{}", 2) == POG_OK);
		snprintf(cmd, sizeof(cmd), "chown 1 %s/*.json", cdir);
		TC_CHECK(system(cmd) == 0);
		TC_CHECK(pog_cache_get(cdir, url, now, &body, &len) == POG_ERR_INVALID);
	}
	/* The age that rate-limits refetches on an unknown kid. */
	{
		long age = -1;

		TC_CHECK(pog_cache_put(cdir, url, now, 300, "{}", 2) == POG_OK);
		TC_CHECK(pog_cache_age(cdir, url, time(NULL) + 5, &age) == POG_OK);
		TC_CHECK(age >= 4 && age <= 6);
		TC_CHECK(pog_cache_age(cdir, "https://never/x", time(NULL), &age) == POG_ERR_INVALID);
	}
	TC_CHECK(pog_cache_drop(cdir, url) == POG_OK);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	TC_CHECK(system(cmd) == 0);
	free(cdir);
	TC_DONE();
}
