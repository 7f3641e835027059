/*
 * nss_cfg.c - the NSS module's reading of the config (see nss_cfg.h).
 */
#include "config.h"

#include <string.h>

#include <ini.h>

#include "nss_cfg.h"
#include "uidrule.h"

#define DEFAULT_KEY   "/etc/security/pam_okta_groups.uidkey"
#define DEFAULT_HOME  "/home/%u"
#define DEFAULT_SHELL "/bin/bash"
#define DEFAULT_STATE "/var/lib/pam_okta_groups"

enum { S_CREATE, S_RANGE, S_KEY, S_HOME, S_SHELL, S_STATE, S_SERVICES, S_N };

struct ctx {
	struct pog_nsscfg *c;
	bool seen[S_N];
	bool bad;
};

/* An absolute path of printable ASCII, as cfg.c's T_PATH. */
static bool
set_path(char *field, const char *v)
{
	size_t n = strlen(v);

	if (v[0] != '/' || n >= POG_NSS_PATH_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return false;
	memcpy(field, v, n + 1);
	return true;
}

/* Whether the blank-separated list v holds word. */
static bool
list_has(const char *v, const char *word)
{
	size_t wl = strlen(word);

	while (*v != '\0') {
		size_t l;

		v += strspn(v, " \t");
		l = strcspn(v, " \t");
		if (l == wl && memcmp(v, word, wl) == 0)
			return true;
		v += l;
	}
	return false;
}

static int
handler(void *user, const char *section, const char *name, const char *v)
{
	struct ctx *x = user;
	struct pog_nsscfg *c = x->c;
	int k = -1;
	bool ok = true;

	if (strcmp(section, "accounts") == 0) {
		k = strcmp(name, "create") == 0 ? S_CREATE :
		    strcmp(name, "uid_range") == 0 ? S_RANGE :
		    strcmp(name, "uid_key_file") == 0 ? S_KEY :
		    strcmp(name, "home") == 0 ? S_HOME :
		    strcmp(name, "shell") == 0 ? S_SHELL : -1;
	} else if (strcmp(section, "groups") == 0 && strcmp(name, "state_dir") == 0) {
		k = S_STATE;
	} else if (strcmp(section, "login") == 0 && strcmp(name, "services") == 0) {
		k = S_SERVICES;
	}
	if (k < 0)
		return 1;
	if (x->seen[k]) {
		x->bad = true;
		return 0;
	}
	x->seen[k] = true;
	switch (k) {
	case S_CREATE:
		if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0)
			c->create = true;
		else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0)
			c->create = false;
		else
			ok = false;
		break;
	case S_RANGE:
		ok = pog_uid_parse_range(v, &c->lo, &c->hi);
		break;
	case S_KEY:
		ok = set_path(c->key_file, v);
		break;
	case S_HOME:
		ok = pog_uid_home_valid(v) && set_path(c->home, v);
		break;
	case S_SHELL:
		ok = set_path(c->shell, v);
		break;
	case S_STATE:
		ok = set_path(c->state_dir, v);
		break;
	case S_SERVICES:
		c->sshd = list_has(v, "sshd");
		break;
	default:
		break;
	}
	if (!ok)
		x->bad = true;
	return ok;
}

bool
pog_nsscfg_parse(const char *text, size_t len, struct pog_nsscfg *out)
{
	struct pog_nsscfg c;
	struct ctx x;

	memset(&c, 0, sizeof(c));
	memset(&x, 0, sizeof(x));
	x.c = &c;
	/* inih stops at a NUL: a file that hides text behind one is refused. */
	if (text == NULL || memchr(text, '\0', len) != NULL || text[len] != '\0')
		return false;
	c.lo = POG_UID_DEFAULT_LO;
	c.hi = POG_UID_DEFAULT_HI;
	c.sshd = true;
	(void)set_path(c.key_file, DEFAULT_KEY);
	(void)set_path(c.home, DEFAULT_HOME);
	(void)set_path(c.shell, DEFAULT_SHELL);
	(void)set_path(c.state_dir, DEFAULT_STATE);
	if (ini_parse_string(text, handler, &x) != 0 || x.bad)
		return false;
	*out = c;
	return true;
}
