/* test-cache: fresh entries are served, stale, foreign, corrupt or
 * out-of-scope ones are not, and entries are root-only whatever the umask. */
#include "config.h"

#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "tcheck.h"
#include "tutil.h"
#include "util.h"

int
main(void)
{
	char tmpl[] = "/tmp/pog-cache.XXXXXX", *dir = mkdtemp(tmpl), *cdir, *body = NULL;
	const char *url = "https://idp.example/oauth2/default/.well-known/openid-configuration";
	const char *scope = "issuer=https://idp.example/oauth2/default ca_file=system proxy=none";
	size_t len = 0;
	time_t now = 1700000000;
	struct stat st;
	char cmd[512];

	TC_CHECK(dir != NULL);
	cdir = pog_asprintf("%s/cache", dir);
	TC_ERR(pog_cache_get(cdir, scope, url, now, &body, &len), POG_ERR_INVALID);
	TC_ERR(pog_cache_put(cdir, scope, url, now, 300, "{\"a\":1}", 7), POG_OK);
	TC_EQ_INT(stat(cdir, &st), 0);
	TC_EQ_INT((st.st_mode & 07777), 0700);
	TC_ERR(pog_cache_get(cdir, scope, url, now + 10, &body, &len), POG_OK);
	TC_STREQ(body, "{\"a\":1}");
	TC_EQ_INT(len, 7);
	free(body);
	body = NULL;
	/* Expired, and another URL. */
	TC_ERR(pog_cache_get(cdir, scope, url, now + 301, &body, &len), POG_ERR_INVALID);
	TC_ERR(pog_cache_get(cdir, scope, "https://other/x", now, &body, &len), POG_ERR_INVALID);
	/* Capped lifetime: hours, not a day, whatever Cache-Control says. */
	TC_EQ_INT(POG_CACHE_MAX_TTL, 6 * 3600);
	TC_ERR(pog_cache_put(cdir, scope, url, now, 10L * 86400, "{}", 2), POG_OK);
	TC_ERR(pog_cache_get(cdir, scope, url, now + POG_CACHE_MAX_TTL - 1, &body, &len), POG_OK);
	free(body);
	body = NULL;
	TC_ERR(pog_cache_get(cdir, scope, url, now + POG_CACHE_MAX_TTL + 1, &body, &len), POG_ERR_INVALID);
	TC_ERR(pog_cache_get(cdir, scope, url, now + 86400 - 1, &body, &len), POG_ERR_INVALID);
	/* Another issuer, CA file or proxy does not see the entry. */
	TC_ERR(pog_cache_put(cdir, scope, url, now, 300, "{}", 2), POG_OK);
	TC_ERR(pog_cache_get(cdir, "issuer=https://idp.example/oauth2/other ca_file=system proxy=none",
			       url, now, &body, &len), POG_ERR_INVALID);
	TC_ERR(pog_cache_get(cdir, "issuer=https://idp.example/oauth2/default ca_file=/x proxy=none",
			       url, now, &body, &len), POG_ERR_INVALID);
	TC_ERR(pog_cache_get(cdir, scope, url, now, &body, &len), POG_OK);
	free(body);
	body = NULL;
	/* A scope or URL that would break the header is refused. */
	TC_ERR(pog_cache_put(cdir, "a\nurl x", url, now, 300, "{}", 2), POG_ERR_INVALID);
	TC_ERR(pog_cache_get(cdir, "a\nurl x", url, now, &body, &len), POG_ERR_INVALID);
	TC_ERR(pog_cache_put(cdir, scope, "https://x/\nexpires 9", now, 300, "{}", 2), POG_ERR_INVALID);
	/* The scope names the CA file, and changes when its contents do. */
	{
		char *ca = pog_asprintf("%s/ca.pem", dir), *s1, *s2, *s3;
		FILE *fp = fopen(ca, "w");

		TC_CHECK(fp != NULL && fputs("one\n", fp) >= 0 && fclose(fp) == 0);
		s1 = pog_cache_scope("https://i", ca, NULL);
		s2 = pog_cache_scope("https://i", ca, "http://proxy:3128");
		fp = fopen(ca, "a");
		TC_CHECK(fp != NULL && fputs("two\n", fp) >= 0 && fclose(fp) == 0);
		s3 = pog_cache_scope("https://i", ca, NULL);
		TC_CHECK(s1 != NULL && s2 != NULL && s3 != NULL);
		TC_CHECK(strstr(s1, "issuer=https://i ") == s1 && strstr(s1, ca) != NULL);
		TC_CHECK(strcmp(s1, s2) != 0 && strcmp(s1, s3) != 0);
		free(s1);
		free(s2);
		free(s3);
		s1 = pog_cache_scope("https://i", NULL, NULL);
		TC_STREQ(s1, "issuer=https://i ca_file=system proxy=none");
		free(s1);
		free(ca);
	}
	/* Modes are explicit: a umask of 0 opens neither the folder nor the file. */
	{
		mode_t old = umask(0);
		char *c2 = pog_asprintf("%s/cache2", dir);

		TC_ERR(pog_cache_put(c2, scope, url, now, 300, "{}", 2), POG_OK);
		TC_EQ_INT(stat(c2, &st), 0);
		TC_EQ_INT((st.st_mode & 07777), 0700);
		snprintf(cmd, sizeof(cmd), "test \"$(stat -c %%a %s/*.json)\" = 600", c2);
		TC_EQ_INT(system(cmd), 0);
		TC_ERR(pog_cache_get(c2, scope, url, now, &body, &len), POG_OK);
		free(body);
		body = NULL;
		umask(old);
		free(c2);
	}
	/* no-store keeps nothing. */
	TC_ERR(pog_cache_put(cdir, scope, "https://nostore/x", now, 0, "{}", 2), POG_OK);
	TC_ERR(pog_cache_get(cdir, scope, "https://nostore/x", now, &body, &len), POG_ERR_INVALID);
	/* A file opened up to others, or corrupt, is ignored. */
	TC_ERR(pog_cache_put(cdir, scope, url, now, 300, "{}", 2), POG_OK);
	snprintf(cmd, sizeof(cmd), "chmod 644 %s/*.json", cdir);
	TC_EQ_INT(system(cmd), 0);
	TC_ERR(pog_cache_get(cdir, scope, url, now, &body, &len), POG_ERR_INVALID);
	TC_ERR(pog_cache_put(cdir, scope, url, now, 300, "{}", 2), POG_OK);
	TC_ERR(pog_cache_get(cdir, scope, url, now, &body, &len), POG_OK);
	free(body);
	body = NULL;
	snprintf(cmd, sizeof(cmd), "for f in %s/*.json; do printf 'junk' > $f; done", cdir);
	TC_EQ_INT(system(cmd), 0);
	TC_ERR(pog_cache_get(cdir, scope, url, now, &body, &len), POG_ERR_INVALID);
	if (geteuid() == 0) {
		TC_ERR(pog_cache_put(cdir, scope, url, now, 300, "{}", 2), POG_OK);
		snprintf(cmd, sizeof(cmd), "chown 1 %s/*.json", cdir);
		TC_EQ_INT(system(cmd), 0);
		TC_ERR(pog_cache_get(cdir, scope, url, now, &body, &len), POG_ERR_INVALID);
	}
	/* The age that rate-limits refetches on an unknown kid. */
	{
		long age = -1;

		TC_ERR(pog_cache_put(cdir, scope, url, now, 300, "{}", 2), POG_OK);
		TC_ERR(pog_cache_age(cdir, scope, url, time(NULL) + 5, &age), POG_OK);
		TC_CHECK(age >= 4 && age <= 6);
		TC_ERR(pog_cache_age(cdir, scope, "https://never/x", time(NULL), &age), POG_ERR_INVALID);
	}
	TC_ERR(pog_cache_drop(cdir, scope, url), POG_OK);
	TC_EQ_INT(tu_rm_rf(dir), 0);
	free(cdir);
	TC_DONE();
}
