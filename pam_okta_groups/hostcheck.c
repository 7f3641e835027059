/*
 * hostcheck.c - okta-groups check's warnings for accounts on first login
 * (see hostcheck.h). The parsers are pure; the rest reads files and
 * /proc, and only warns.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostcheck.h"
#include "util.h"

#define HOSTCHECK_FILE_MAX (1024 * 1024)

/* The next line of [*p, end) without its comment; moves *p past it. */
static void
next_line(const char **p, const char *end, const char **ls, const char **le)
{
	const char *eol = memchr(*p, '\n', (size_t)(end - *p)), *hash;

	if (eol == NULL)
		eol = end;
	hash = memchr(*p, '#', (size_t)(eol - *p));
	*ls = *p;
	*le = hash != NULL ? hash : eol;
	*p = eol < end ? eol + 1 : end;
}

/* The next word of [*p, end): letters up to space; moves *p. false at the end. */
static bool
next_word(const char **p, const char *end, const char **ws, size_t *wn)
{
	const char *q = *p;

	while (q < end && isspace((unsigned char)*q))
		q++;
	if (q == end)
		return false;
	*ws = q;
	if (*q == '[') {
		while (q < end && *q != ']')
			q++;
		if (q < end)
			q++;
	} else {
		while (q < end && !isspace((unsigned char)*q) && *q != '[')
			q++;
	}
	*wn = (size_t)(q - *ws);
	*p = q;
	return true;
}

bool
pog_nss_passwd_line(const char *text, size_t len, const char *service,
		    unsigned int *count, bool *action_before)
{
	const char *p = text, *end = text + len, *ls, *le;
	size_t sn = strlen(service);

	while (p < end) {
		const char *q, *ws;
		size_t wn;
		unsigned int n = 0;
		bool action = false;

		next_line(&p, end, &ls, &le);
		q = ls;
		while (q < le && isspace((unsigned char)*q))
			q++;
		if ((size_t)(le - q) < 7 || strncmp(q, "passwd:", 7) != 0)
			continue;
		q += 7;
		while (next_word(&q, le, &ws, &wn)) {
			if (ws[0] == '[' && n == 0)
				action = true;
			else if (wn == sn && memcmp(ws, service, sn) == 0)
				n++;
		}
		*count = n;
		*action_before = n > 0 && action;
		return true;
	}
	return false;
}

bool
pog_sshd_group_rules(const char *text, size_t len, const char **which)
{
	const char *p = text, *end = text + len, *ls, *le;

	while (p < end) {
		const char *q, *ws;
		size_t wn;

		next_line(&p, end, &ls, &le);
		q = ls;
		if (!next_word(&q, le, &ws, &wn))
			continue;
		/* "Keyword value" or "Keyword=value" */
		if (memchr(ws, '=', wn) != NULL)
			wn = (size_t)((const char *)memchr(ws, '=', wn) - ws);
		if (wn == 11 && strncasecmp(ws, "allowgroups", 11) == 0) {
			*which = "AllowGroups";
			return true;
		}
		if (wn == 10 && strncasecmp(ws, "denygroups", 10) == 0) {
			*which = "DenyGroups";
			return true;
		}
		if (wn == 5 && strncasecmp(ws, "match", 5) == 0) {
			while (next_word(&q, le, &ws, &wn))
				if (wn == 5 && strncasecmp(ws, "group", 5) == 0) {
					*which = "Match Group";
					return true;
				}
		}
	}
	return false;
}

static char *
read_text(const char *path, size_t *len)
{
	const struct pog_file_policy pol = {
		.owner = 0, .or_root = true, .max = HOSTCHECK_FILE_MAX,
		.missing_ok = true, .refused = POG_ERR_CONFIG,
	};
	char *data = NULL, *msg = NULL;

	if (pog_read_file(path, &pol, &data, len, NULL, &msg) != POG_OK) {
		free(msg);
		return NULL;
	}
	free(msg);
	return data;
}

/* Whether a process with this comm runs (readable /proc). */
static bool
running(const char *comm)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	bool found = false;

	if (d == NULL)
		return false;
	while (!found && (de = readdir(d)) != NULL) {
		char path[64], buf[32];
		FILE *f;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%.20s/comm", de->d_name);
		f = fopen(path, "re");
		if (f == NULL)
			continue;
		if (fgets(buf, sizeof(buf), f) != NULL) {
			buf[strcspn(buf, "\n")] = '\0';
			found = strcmp(buf, comm) == 0;
		}
		fclose(f);
	}
	closedir(d);
	return found;
}

/* sshd_config and the drop-ins Debian's Include reads. */
static unsigned int
check_sshd(const char *etc, const struct pog_io *io)
{
	char *dir = pog_asprintf("%s/ssh/sshd_config.d", etc), *main_cfg = NULL;
	unsigned int warned = 0;
	struct pog_strv files = { 0 };
	DIR *d;

	if (dir == NULL)
		return 0;
	main_cfg = pog_asprintf("%s/ssh/sshd_config", etc);
	if (main_cfg != NULL)
		(void)pog_strv_add(&files, main_cfg);
	d = opendir(dir);
	if (d != NULL) {
		struct dirent *de;

		while ((de = readdir(d)) != NULL) {
			size_t n = strlen(de->d_name);
			char *f;

			if (de->d_name[0] == '.' || n <= 5 || strcmp(de->d_name + n - 5, ".conf") != 0)
				continue;
			f = pog_asprintf("%s/%s", dir, de->d_name);
			if (f != NULL)
				(void)pog_strv_add(&files, f);
			free(f);
		}
		closedir(d);
	}
	for (size_t i = 0; i < files.n; i++) {
		size_t len = 0;
		char *text = read_text(files.v[i], &len);
		const char *which = NULL;

		if (text != NULL && pog_sshd_group_rules(text, len, &which)) {
			pog_log(io, LOG_WARNING, "%s has %s: sshd evaluates it before a new user is in "
				"any group, so first logins fail", files.v[i], which);
			warned++;
		}
		free(text);
	}
	pog_strv_free(&files);
	free(main_cfg);
	free(dir);
	return warned;
}

unsigned int
pog_hostcheck_accounts(const struct pog_config *cfg, const char *etc, const struct pog_io *io)
{
	char *path = NULL, *text = NULL;
	size_t len = 0;
	unsigned int warned = 0, count = 0;
	bool action = false;
	struct stat st;

	if (!cfg->create_accounts)
		return 0;
	path = pog_asprintf("%s/nsswitch.conf", etc);
	if (path != NULL)
		text = read_text(path, &len);
	if (text == NULL || !pog_nss_passwd_line(text, len, "okta_groups", &count, &action) ||
	    count == 0) {
		pog_log(io, LOG_WARNING, "create = yes, but the passwd line of %s does not name "
			"okta_groups: sshd refuses new users (passwd: files okta_groups)",
			path != NULL ? path : "nsswitch.conf");
		warned++;
	} else if (action) {
		pog_log(io, LOG_WARNING, "the passwd line of %s has an action before okta_groups, "
			"which may end the lookup before it", path);
		warned++;
	}
	if (running("nscd")) {
		pog_log(io, LOG_WARNING, "nscd is running: if it caches passwd, sshd gets its answer, "
			"not the pending account (set enable-cache passwd no in nscd.conf)");
		warned++;
	}
	if (running("sssd_nss") && text != NULL && strstr(text, "sss") != NULL) {
		pog_log(io, LOG_WARNING, "sssd is running: if it answers or caches passwd for unknown "
			"names, sshd may not see the pending account; list okta_groups after sss "
			"without [NOTFOUND=return]");
		warned++;
	}
	if (stat(cfg->shell, &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & 0111) == 0) {
		pog_log(io, LOG_WARNING, "shell %s is not an executable file: sshd refuses "
			"such an account", cfg->shell);
		warned++;
	}
	warned += check_sshd(etc, io);
	free(text);
	free(path);
	return warned;
}
