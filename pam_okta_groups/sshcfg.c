/*
 * sshcfg.c - LoginGraceTime against approval_timeout (see sshcfg.h).
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sshcfg.h"
#include "util.h"

#define SSHD_CONFIG_MAX (256 * 1024)

bool
pog_sshd_time(const char *s, size_t len, long *seconds)
{
	long total = 0;
	size_t i = 0;

	if (len == 0)
		return false;
	while (i < len) {
		long n = 0, mult = 1;

		if (!isdigit((unsigned char)s[i]))
			return false;
		while (i < len && isdigit((unsigned char)s[i])) {
			n = n * 10 + (s[i] - '0');
			if (n > 100000000L)
				return false;
			i++;
		}
		if (i < len) {
			switch (tolower((unsigned char)s[i])) {
			case 's': mult = 1; break;
			case 'm': mult = 60; break;
			case 'h': mult = 3600; break;
			case 'd': mult = 86400; break;
			case 'w': mult = 604800; break;
			default: return false;
			}
			i++;
		}
		total += n * mult;
		if (total > 100000000L)
			return false;
	}
	*seconds = total;
	return true;
}

pog_err
pog_sshd_grace_parse(const char *text, size_t len, long *seconds)
{
	const char *p = text, *end = text + len;
	static const char key[] = "logingracetime";

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *q, *v, *ve;

		if (eol == NULL)
			eol = end;
		q = p;
		while (q < eol && (*q == ' ' || *q == '\t'))
			q++;
		/* "LoginGraceTime 90" or "LoginGraceTime=90" */
		if ((size_t)(eol - q) > sizeof(key) - 1 &&
		    strncasecmp(q, key, sizeof(key) - 1) == 0 &&
		    (q[sizeof(key) - 1] == ' ' || q[sizeof(key) - 1] == '\t' ||
		     q[sizeof(key) - 1] == '=')) {
			v = q + sizeof(key) - 1;
			while (v < eol && (*v == ' ' || *v == '\t' || *v == '='))
				v++;
			ve = v;
			while (ve < eol && !isspace((unsigned char)*ve) && *ve != '#')
				ve++;
			if (pog_sshd_time(v, (size_t)(ve - v), seconds))
				return POG_OK;
			return POG_ERR_INVALID;
		}
		/* Match blocks cannot set LoginGraceTime; stop at the first. */
		if ((size_t)(eol - q) >= 6 && strncasecmp(q, "match", 5) == 0 &&
		    isspace((unsigned char)q[5]))
			break;
		p = eol + 1;
	}
	return POG_ERR_INVALID;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Looks for LoginGraceTime in one file; true when found. */
static bool
grace_in_file(const char *path, long *seconds)
{
	char *data = NULL, *errmsg = NULL;
	size_t len = 0;
	bool found = false;

	const struct pog_file_policy pol = {
		.owner = 0,
		.secret = false,
		.max = SSHD_CONFIG_MAX,
		.scrub = true,
		.refused = POG_ERR_CONFIG,
	};

	if (pog_read_file(path, &pol, &data, &len, NULL, &errmsg) == POG_OK)
		found = pog_sshd_grace_parse(data, len, seconds) == POG_OK;
	free(errmsg);
	free(data);
	return found;
}

void
pog_sshd_check_grace(const struct pog_config *cfg, const char *dir,
		     const struct pog_io *io)
{
	struct pog_strv names = { 0 };
	char *path = NULL;
	long grace = POG_SSHD_DEFAULT_GRACE;
	bool found = false;
	DIR *d;

	path = pog_asprintf("%s/sshd_config.d", dir);
	if (path == NULL)
		return;
	d = opendir(path);
	if (d != NULL) {
		struct dirent *de;

		while ((de = readdir(d)) != NULL) {
			size_t n = strlen(de->d_name);

			if (n > 5 && strcmp(de->d_name + n - 5, ".conf") == 0 &&
			    de->d_name[0] != '.')
				(void)pog_strv_add(&names, de->d_name);
		}
		closedir(d);
	}
	if (names.n > 0)
		qsort(names.v, names.n, sizeof(*names.v), cmp_names);
	for (size_t i = 0; i < names.n && !found; i++) {
		char *f = pog_asprintf("%s/%s", path, names.v[i]);

		if (f != NULL)
			found = grace_in_file(f, &grace);
		free(f);
	}
	free(path);
	if (!found) {
		path = pog_asprintf("%s/sshd_config", dir);
		if (path != NULL)
			found = grace_in_file(path, &grace);
		free(path);
	}
	pog_strv_free(&names);
	if (grace != 0 && grace <= cfg->approval_timeout)
		pog_log(io, LOG_WARNING,
			"sshd's LoginGraceTime (%ld s%s) is not longer than approval_timeout "
			"(%ld s): sshd may drop the connection while the user approves; "
			"set LoginGraceTime above %ld",
			grace, found ? "" : ", sshd's default", cfg->approval_timeout,
			cfg->approval_timeout);
}
