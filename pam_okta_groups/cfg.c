/*
 * cfg.c - the config file, pam_okta_groups.conf(5).
 *
 * inih does the INI lexing, but Debian builds it with a 200-byte line
 * buffer, continuation lines on, and no line number for the handler. So a
 * pre-scan first refuses what inih would misread in silence: long lines
 * (split in two), NUL bytes (the end of the text for inih), continuation
 * lines (inih passes them on under a name cut to 49 bytes), junk after a
 * section header, and unknown sections without keys. A long [roles] or
 * [bindings] value is split by repeating its key, which inih passes on
 * whole, line by line; elsewhere a repeated key is an error (in [sudo] too:
 * a role carries one rule). It also notes the
 * line of every key, so that a binding can name its line when its role
 * turns out to be unknown at the end of the file.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "cfg.h"
#include "uidrule.h"
#include "util.h"

/* inih's line buffer: a line, its newline and a NUL must fit. */
#define CFG_MAX_LINE      200
#define CFG_MAX_SECRET    4096
#define CFG_MAX_GROUP     32
#define CFG_DEFAULT_SCOPES "openid profile email groups"
#define CFG_DEFAULT_PROTECTED "root sudo wheel adm shadow disk docker lxd"

/* The fuzz target looks for this: it means that the pre-scan has a hole. */
#define CFG_DISAGREE "syntax error (inih and the pre-scan disagree)"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum cfg_type {
	T_ISSUER,       /* https URL, kept as written */
	T_WORD,         /* one word of printable ASCII */
	T_PATH,         /* absolute path */
	T_NAME,         /* [A-Za-z0-9._-]+ */
	T_LONG,         /* [min, max] */
	T_BOOL,         /* yes/no/true/false */
	T_ENUM,         /* one of names; an enum field */
	T_ENUM_BOOL,    /* names[0] is false, names[1] true; a bool field */
	T_SCOPES,       /* lists */
	T_DOMAINS,
	T_GROUPS,
	T_PROXY,        /* http:// or https:// host[:port], no path */
	T_NAMES,        /* list of [A-Za-z0-9._-]+: services, user names */
	T_WORDS,        /* list of words of printable ASCII: acr values */
	T_DURATION,     /* "" or 0 (off), or N with s/m/h/d, at most max seconds */
	T_RANGE,        /* LO-HI UIDs (uidrule.c) */
	T_HOME,         /* absolute path with %u (uidrule.c) */
};

/* T_ENUM stores an unsigned int; the compiler must agree. */
_Static_assert(sizeof(enum pog_prompt) == sizeof(unsigned int), "enum size");
_Static_assert(sizeof(enum pog_qr) == sizeof(unsigned int), "enum size");
_Static_assert(sizeof(enum pog_source) == sizeof(unsigned int), "enum size");
_Static_assert(sizeof(enum pog_mode) == sizeof(unsigned int), "enum size");
_Static_assert(sizeof(enum pog_match) == sizeof(unsigned int), "enum size");

static const char *const prompt_names[] = {
	[POG_PROMPT_AUTO] = "auto", [POG_PROMPT_ENTER] = "enter",
	[POG_PROMPT_POLL] = "poll", NULL
};
static const char *const qr_names[] = {
	[POG_QR_AUTO] = "auto", [POG_QR_YES] = "yes", [POG_QR_NO] = "no", NULL
};
static const char *const source_names[] = {
	[POG_SOURCE_AUTO] = "auto", [POG_SOURCE_ID_TOKEN] = "id_token",
	[POG_SOURCE_USERINFO] = "userinfo", NULL
};
static const char *const mode_names[] = {
	[POG_MODE_PERSISTENT] = "persistent", [POG_MODE_SESSION] = "session",
	[POG_MODE_NONE] = "none", NULL
};
static const char *const match_names[] = {
	[POG_MATCH_EXACT] = "exact", [POG_MATCH_CASEFOLD] = "casefold", NULL
};
static const char *const binding_names[] = { "allow", "deny", NULL };

struct cfg_key {
	const char *section;
	const char *name;
	enum cfg_type type;
	size_t off;                     /* of the field in struct pog_config */
	long min, max;                  /* T_LONG */
	const char *const *names;       /* T_ENUM, T_ENUM_BOOL */
};

#define F(m) offsetof(struct pog_config, m)
static const struct cfg_key cfg_keys[] = {
	{ "okta", "issuer", T_ISSUER, F(issuer), 0, 0, NULL },
	{ "okta", "client_id", T_WORD, F(client_id), 0, 0, NULL },
	{ "okta", "client_secret_file", T_PATH, F(client_secret_file), 0, 0, NULL },
	{ "okta", "scopes", T_SCOPES, F(scopes), 0, 0, NULL },
	{ "okta", "ca_file", T_PATH, F(ca_file), 0, 0, NULL },
	{ "okta", "proxy", T_PROXY, F(proxy), 0, 0, NULL },
	{ "okta", "endpoint_hosts", T_DOMAINS, F(endpoint_hosts), 0, 0, NULL },
	{ "okta", "http_timeout", T_LONG, F(http_timeout), 1, 120, NULL },
	{ "okta", "cache_dir", T_PATH, F(cache_dir), 0, 0, NULL },
	{ "okta", "clock_skew", T_LONG, F(clock_skew), 0, 600, NULL },
	{ "login", "username_claim", T_WORD, F(username_claim), 0, 0, NULL },
	{ "login", "username_domains", T_DOMAINS, F(username_domains), 0, 0, NULL },
	{ "login", "approval_timeout", T_LONG, F(approval_timeout), 10, 3600, NULL },
	{ "login", "prompt", T_ENUM, F(prompt), 0, 0, prompt_names },
	{ "login", "qr", T_ENUM, F(qr), 0, 0, qr_names },
	{ "login", "require_mfa", T_BOOL, F(require_mfa), 0, 0, NULL },
	{ "login", "require_acr", T_WORDS, F(require_acr), 0, 0, NULL },
	{ "login", "max_auth_age", T_DURATION, F(max_auth_age), 0, 90 * 86400L, NULL },
	{ "login", "recent_login", T_DURATION, F(recent_login), 0, 30 * 86400L, NULL },
	{ "login", "services", T_NAMES, F(services), 0, 0, NULL },
	{ "login", "local_users", T_NAMES, F(local_users), 0, 0, NULL },
	{ "groups", "claim", T_WORD, F(groups_claim), 0, 0, NULL },
	{ "groups", "source", T_ENUM, F(source), 0, 0, source_names },
	{ "groups", "mode", T_ENUM, F(mode), 0, 0, mode_names },
	{ "groups", "project", T_NAME, F(project), 0, 0, NULL },
	{ "groups", "same_name", T_BOOL, F(same_name), 0, 0, NULL },
	{ "groups", "match", T_ENUM, F(match), 0, 0, match_names },
	{ "groups", "on_no_binding", T_ENUM_BOOL, F(deny_on_no_binding), 0, 0, binding_names },
	{ "groups", "authoritative", T_BOOL, F(authoritative), 0, 0, NULL },
	{ "groups", "protected", T_GROUPS, F(protected_groups), 0, 0, NULL },
	{ "groups", "group_file", T_PATH, F(group_file), 0, 0, NULL },
	{ "groups", "gshadow_file", T_PATH, F(gshadow_file), 0, 0, NULL },
	{ "groups", "state_dir", T_PATH, F(state_dir), 0, 0, NULL },
	{ "groups", "sudoers_dir", T_PATH, F(sudoers_dir), 0, 0, NULL },
	{ "accounts", "create", T_BOOL, F(create_accounts), 0, 0, NULL },
	{ "accounts", "uid_range", T_RANGE, F(uid_range), 0, 0, NULL },
	{ "accounts", "uid_key_file", T_PATH, F(uid_key_file), 0, 0, NULL },
	{ "accounts", "home", T_HOME, F(home), 0, 0, NULL },
	{ "accounts", "shell", T_PATH, F(shell), 0, 0, NULL },
	{ "accounts", "max_pending", T_LONG, F(max_pending), 1, 1000, NULL },
};
#undef F

static const char *const cfg_sections[] = {
	"okta", "login", "groups", "accounts", "roles", "bindings", "sudo", NULL
};

struct cfg_ctx {
	struct pog_config cfg;
	unsigned int *key_lines;        /* line of each key, in file order */
	size_t nkeys;
	size_t nseen;                   /* keys handed to the handler so far */
	bool seen[ARRAY_SIZE(cfg_keys)];
	size_t roles_cap;
	unsigned int *bind_lines;       /* parallel to cfg.bindings */
	size_t bind_cap;
	size_t sudo_cap;
	pog_err err;                    /* the first error only */
	unsigned int line;              /* its line; 0 when none applies */
	char *msg;                      /* it, without "FILE:LINE: " */
};

/*
 * Records the first error as "[section] key: what". section and key may
 * be NULL. line 0 means no line applies, or (in the handler) that inih
 * will tell.
 */
static void POG_ATTR_PRINTF(5, 6)
cfg_fail(struct cfg_ctx *c, unsigned int line, const char *section,
	 const char *key, const char *fmt, ...)
{
	struct pog_buf b = { 0 };
	char *what = NULL;
	va_list ap;
	int r;

	if (c->err != POG_OK)
		return;
	c->err = POG_ERR_NOMEM;
	va_start(ap, fmt);
	r = vasprintf(&what, fmt, ap);
	va_end(ap);
	if (r < 0)
		return;
	if ((section == NULL || pog_buf_printf(&b, "[%s]", section) == POG_OK) &&
	    (key == NULL || pog_buf_printf(&b, "%s%s", b.len ? " " : "", key) == POG_OK) &&
	    pog_buf_printf(&b, "%s%s", b.len ? ": " : "", what) == POG_OK) {
		c->msg = pog_buf_steal(&b);
		c->line = line;
		c->err = POG_ERR_CONFIG;
	}
	pog_buf_free(&b);
	free(what);
}

/* ---- value checks ---- */

static bool
cfg_printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

static bool
cfg_word(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

/* Projects and roles. */
static bool
cfg_name(const char *s)
{
	return *s != '\0' && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				       "0123456789._-") == strlen(s);
}

/* A local group: 1-32 of [A-Za-z0-9_.-], not starting with '-'. */
static bool
cfg_group(const char *s)
{
	size_t n = strlen(s);

	return n <= CFG_MAX_GROUP && *s != '-' && cfg_name(s);
}

/* RFC 6749 scope-token: %x21 / %x23-5B / %x5D-7E. */
static bool
cfg_scope(const char *s)
{
	return cfg_word(s) && strpbrk(s, "\"\\") == NULL;
}

static bool
cfg_domain(const char *s)
{
	return *s != '\0' && *s != '.' && *s != '-' &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			 "0123456789.-") == strlen(s);
}

/* NULL when v is a usable issuer, else why not. */
static const char *
cfg_issuer_problem(const char *v)
{
	const char *host;
	size_t hlen;

	if (strncmp(v, "https://", strlen("https://")) != 0)
		return "must start with https://";
	host = v + strlen("https://");
	if (!cfg_word(v))
		return "must not hold blanks, control or non-ASCII characters";
	if (strpbrk(v, "?#") != NULL)
		return "must not have a query or a fragment";
	hlen = strcspn(host, "/");
	if (hlen == 0 || *host == ':')
		return "has no host";
	if (memchr(host, '@', hlen) != NULL)
		return "must not hold user information";
	return NULL;
}

/*
 * NULL when v is a usable proxy, else why not. Only a plain
 * scheme://host[:port] is taken: credentials in a config line would be a
 * secret outside client_secret_file.
 */
static const char *
cfg_proxy_problem(const char *v)
{
	const char *host;

	if (*v == '\0')
		return NULL;
	if (strncmp(v, "http://", 7) == 0)
		host = v + 7;
	else if (strncmp(v, "https://", 8) == 0)
		host = v + 8;
	else
		return "must start with http:// or https://";
	if (!cfg_word(v))
		return "must not hold blanks, control or non-ASCII characters";
	if (*host == '\0' || *host == ':' || *host == '/')
		return "has no host";
	if (strpbrk(host, "@?#") != NULL)
		return "must be scheme://host[:port], without credentials";
	host += strcspn(host, "/");
	if (*host != '\0' && strcmp(host, "/") != 0)
		return "must not have a path";
	return NULL;
}

/* ---- setting values ---- */

static void
cfg_set_string(struct cfg_ctx *c, char **field, const char *v)
{
	char *copy = strdup(v);

	if (copy == NULL) {
		c->err = POG_ERR_NOMEM;
		return;
	}
	free(*field);
	*field = copy;
}

static void
cfg_set_list(struct cfg_ctx *c, const struct cfg_key *k, struct pog_strv *field,
	     const char *v)
{
	struct pog_strv sv = { 0 };
	bool (*ok)(const char *) = k->type == T_SCOPES ? cfg_scope :
				   k->type == T_DOMAINS ? cfg_domain :
				   k->type == T_NAMES ? cfg_name :
				   k->type == T_WORDS ? cfg_scope : cfg_group;
	const char *what = k->type == T_SCOPES ? "scope" :
			   k->type == T_DOMAINS ? "domain name" :
			   k->type == T_WORDS ? "word of printable ASCII" :
			   k->type == T_NAMES ? "name of A-Z a-z 0-9 . _ -" :
			   "local group name";

	if (pog_strv_split(&sv, v) != POG_OK) {
		c->err = POG_ERR_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < sv.n; i++) {
		if (!ok(sv.v[i])) {
			cfg_fail(c, 0, k->section, k->name, "'%s' is not a valid %s",
				 sv.v[i], what);
			goto out;
		}
	}
	pog_strv_free(field);
	*field = sv;
	sv = (struct pog_strv){ 0 };
out:
	pog_strv_free(&sv);
}

/* "'v' is not a, b or c" */
static void
cfg_fail_enum(struct cfg_ctx *c, const struct cfg_key *k, const char *v)
{
	struct pog_buf b = { 0 };
	const char *const *n = k->names;

	for (size_t i = 0; n[i] != NULL; i++) {
		if (pog_buf_printf(&b, "%s%s", i == 0 ? "" : n[i + 1] ? ", " : " or ",
				   n[i]) != POG_OK) {
			c->err = POG_ERR_NOMEM;
			goto out;
		}
	}
	cfg_fail(c, 0, k->section, k->name, "'%s' is not %s", v, b.data);
out:
	pog_buf_free(&b);
}

/* T_LONG, T_DURATION and T_RANGE: numbers, each checked for its range. */
static void
cfg_set_number(struct cfg_ctx *c, const struct cfg_key *k, void *field, const char *v)
{
	struct pog_uid_range r;
	char cap[32];
	long n;

	switch (k->type) {
	case T_LONG:
		if (!pog_parse_long(v, k->min, k->max, &n)) {
			cfg_fail(c, 0, k->section, k->name,
				 "'%s' is not a whole number from %ld to %ld",
				 v, k->min, k->max);
			return;
		}
		*(long *)field = n;
		return;
	case T_DURATION:
		if (*v == '\0') {
			*(long *)field = 0;
			return;
		}
		if (!pog_parse_duration(v, k->max, &n)) {
			pog_format_duration(k->max, cap, sizeof(cap));
			cfg_fail(c, 0, k->section, k->name,
				 "'%s' is not 0 or a duration such as 90s, 30m, 12h or 7d, "
				 "at most %s", v, cap);
			return;
		}
		*(long *)field = n;
		return;
	default:
		if (!pog_uid_parse_range(v, &r.lo, &r.hi)) {
			cfg_fail(c, 0, k->section, k->name,
				 "'%s' is not LO-HI with %u <= LO <= HI <= %u", v,
				 POG_UID_RANGE_MIN, POG_UID_RANGE_MAX);
			return;
		}
		memcpy(field, &r, sizeof(r));
		return;
	}
}

/* T_BOOL, T_ENUM and T_ENUM_BOOL: one of a few words. */
static void
cfg_set_choice(struct cfg_ctx *c, const struct cfg_key *k, void *field, const char *v)
{
	if (k->type == T_BOOL) {
		if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0)
			*(bool *)field = true;
		else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0)
			*(bool *)field = false;
		else
			cfg_fail(c, 0, k->section, k->name,
				 "'%s' is not yes, no, true or false", v);
		return;
	}
	for (size_t i = 0; k->names[i] != NULL; i++) {
		if (strcmp(v, k->names[i]) != 0)
			continue;
		if (k->type == T_ENUM_BOOL) {
			*(bool *)field = i == 1;
		} else {
			unsigned int u = (unsigned int)i;

			memcpy(field, &u, sizeof(u));
		}
		return;
	}
	cfg_fail_enum(c, k, v);
}

static void
cfg_set(struct cfg_ctx *c, const struct cfg_key *k, const char *v)
{
	void *field = (char *)&c->cfg + k->off;
	const char *why = NULL;

	switch (k->type) {
	case T_ISSUER:
		why = cfg_issuer_problem(v);
		break;
	case T_WORD:
		if (!cfg_word(v))
			why = "must be one word of printable ASCII";
		break;
	case T_PATH:
		if (v[0] != '/' || !cfg_printable(v))
			why = "must be an absolute path";
		break;
	case T_NAME:
		if (!cfg_name(v))
			why = "must be a name of A-Z a-z 0-9 . _ -";
		break;
	case T_LONG:
	case T_DURATION:
	case T_RANGE:
		cfg_set_number(c, k, field, v);
		return;
	case T_BOOL:
	case T_ENUM:
	case T_ENUM_BOOL:
		cfg_set_choice(c, k, field, v);
		return;
	case T_PROXY:
		why = cfg_proxy_problem(v);
		if (why == NULL && *v == '\0')
			return;         /* empty: no proxy */
		break;
	case T_HOME:
		if (!pog_uid_home_valid(v))
			why = "must be an absolute path where %u is the user name "
			      "(and %% a '%'), without . or .. parts";
		break;
	case T_NAMES:
		if (k->off == offsetof(struct pog_config, services))
			c->cfg.services_set = true;
		cfg_set_list(c, k, field, v);
		return;
	case T_SCOPES:
	case T_DOMAINS:
	case T_GROUPS:
	case T_WORDS:
		cfg_set_list(c, k, field, v);
		return;
	}
	if (why != NULL) {
		cfg_fail(c, 0, k->section, k->name, "'%s' %s", v, why);
		return;
	}
	cfg_set_string(c, field, v);
}

static void
cfg_key(struct cfg_ctx *c, const char *section, const char *name, const char *v)
{
	for (size_t i = 0; i < ARRAY_SIZE(cfg_keys); i++) {
		const struct cfg_key *k = &cfg_keys[i];

		if (strcmp(k->section, section) != 0 || strcmp(k->name, name) != 0)
			continue;
		/* inih also hands over continuation lines this way. */
		if (c->seen[i]) {
			cfg_fail(c, 0, section, name, "duplicate key");
			return;
		}
		c->seen[i] = true;
		cfg_set(c, k, v);
		return;
	}
	if (*section == '\0')
		cfg_fail(c, 0, NULL, name, "key outside any [section]");
	else
		cfg_fail(c, 0, section, name, "unknown key");
}

/*
 * name = group ...; a repeated name adds its groups to the role, so a
 * long list can be split over lines that fit inih's buffer.
 */
static void
cfg_role(struct cfg_ctx *c, const char *name, const char *v)
{
	struct pog_role role = { 0 }, *have = NULL;
	struct pog_strv groups = { 0 };
	struct pog_config *cfg = &c->cfg;

	if (!cfg_name(name)) {
		cfg_fail(c, 0, "roles", name, "a role name must be of A-Z a-z 0-9 . _ -");
		goto out;
	}
	for (size_t i = 0; i < cfg->nroles; i++)
		if (strcmp(cfg->roles[i].name, name) == 0)
			have = &cfg->roles[i];
	if (pog_strv_split(&groups, v) != POG_OK)
		goto nomem;
	if (groups.n == 0) {
		cfg_fail(c, 0, "roles", name, "a role must name at least one local group");
		goto out;
	}
	for (size_t i = 0; i < groups.n; i++) {
		if (!cfg_group(groups.v[i])) {
			cfg_fail(c, 0, "roles", name, "'%s' is not a valid local group name",
				 groups.v[i]);
			goto out;
		}
	}
	if (have != NULL) {
		for (size_t i = 0; i < groups.n; i++)
			if (!pog_strv_contains(&have->groups, groups.v[i]) &&
			    pog_strv_add(&have->groups, groups.v[i]) != POG_OK)
				goto nomem;
		goto out;
	}
	if (cfg->nroles == c->roles_cap) {
		size_t ncap = c->roles_cap ? c->roles_cap * 2 : 8;
		struct pog_role *nr = reallocarray(cfg->roles, ncap, sizeof(*nr));

		if (nr == NULL)
			goto nomem;
		cfg->roles = nr;
		c->roles_cap = ncap;
	}
	role.name = strdup(name);
	if (role.name == NULL)
		goto nomem;
	role.groups = groups;
	groups = (struct pog_strv){ 0 };
	cfg->roles[cfg->nroles++] = role;
	role = (struct pog_role){ 0 };
	goto out;
nomem:
	c->err = POG_ERR_NOMEM;
out:
	free(role.name);
	pog_strv_free(&role.groups);
	pog_strv_free(&groups);
}

static pog_err
cfg_add_binding(struct cfg_ctx *c, unsigned int line, const char *group,
		const char *role, const char *project)
{
	struct pog_config *cfg = &c->cfg;
	struct pog_binding b = { 0 };

	if (cfg->nbindings == c->bind_cap) {
		size_t ncap = c->bind_cap ? c->bind_cap * 2 : 8;
		struct pog_binding *nb = reallocarray(cfg->bindings, ncap, sizeof(*nb));
		unsigned int *nl;

		if (nb == NULL)
			return POG_ERR_NOMEM;
		cfg->bindings = nb;
		nl = reallocarray(c->bind_lines, ncap, sizeof(*nl));
		if (nl == NULL)
			return POG_ERR_NOMEM;
		c->bind_lines = nl;
		c->bind_cap = ncap;
	}
	b.idp_group = strdup(group);
	b.role = strdup(role);
	b.project = project ? strdup(project) : NULL;
	if (b.idp_group == NULL || b.role == NULL || (project && b.project == NULL)) {
		free(b.idp_group);
		free(b.role);
		free(b.project);
		return POG_ERR_NOMEM;
	}
	c->bind_lines[cfg->nbindings] = line;
	cfg->bindings[cfg->nbindings++] = b;
	return POG_OK;
}

/* IdP group = role[@project] ...; the roles are checked at the end. A
 * repeated group adds its bindings, as a repeated role adds groups. */
static void
cfg_binding(struct cfg_ctx *c, unsigned int line, const char *group, const char *v)
{
	struct pog_strv toks = { 0 };

	if (*group == '\0' || !cfg_printable(group)) {
		cfg_fail(c, 0, "bindings", group, "not a valid IdP group name");
		goto out;
	}
	if (pog_strv_split(&toks, v) != POG_OK) {
		c->err = POG_ERR_NOMEM;
		goto out;
	}
	if (toks.n == 0) {
		cfg_fail(c, 0, "bindings", group, "a binding must name at least one role");
		goto out;
	}
	for (size_t i = 0; i < toks.n; i++) {
		char *t = toks.v[i];
		char *at = strchr(t, '@');
		const char *project = NULL;

		if (at != NULL) {
			*at = '\0';
			project = at + 1;
			if (!cfg_name(project) && strcmp(project, "*") != 0) {
				cfg_fail(c, 0, "bindings", group,
					 "'%s@%s': the project must be a name of "
					 "A-Z a-z 0-9 . _ -, or *", t, project);
				goto out;
			}
			if (strcmp(project, "*") == 0)
				project = NULL;
		}
		if (!cfg_name(t)) {
			cfg_fail(c, 0, "bindings", group, "'%s' is not a valid role name", t);
			goto out;
		}
		if (cfg_add_binding(c, line, group, t, project) != POG_OK) {
			c->err = POG_ERR_NOMEM;
			goto out;
		}
	}
out:
	pog_strv_free(&toks);
}

/*
 * role = a sudoers rule without the user name: one line of printable
 * ASCII that cannot reach past the user's own entry (no leading ',' that
 * would name more users, no trailing '\' that would join the next line).
 * visudo judges the rest. The role is checked at the end.
 */
static void
cfg_sudo(struct cfg_ctx *c, unsigned int line, const char *role, const char *v)
{
	struct pog_config *cfg = &c->cfg;
	struct pog_sudo_rule r = { 0 };
	size_t n = strlen(v);

	if (!cfg_name(role)) {
		cfg_fail(c, 0, "sudo", role, "a role name must be of A-Z a-z 0-9 . _ -");
		return;
	}
	if (pog_cfg_sudo(cfg, role) != NULL) {
		cfg_fail(c, 0, "sudo", role, "duplicate key: a role carries one sudo rule");
		return;
	}
	if (n == 0 || !pog_all_of(v, n, pog_is_print_ascii)) {
		cfg_fail(c, 0, "sudo", role, "a sudo rule must be one line of printable ASCII");
		return;
	}
	if (v[0] == ',' || v[n - 1] == '\\') {
		cfg_fail(c, 0, "sudo", role, "a sudo rule may not start with ',' or end "
			 "with '\\' (it would reach past this user's entry)");
		return;
	}
	if (cfg->nsudo == c->sudo_cap) {
		size_t ncap = c->sudo_cap ? c->sudo_cap * 2 : 8;
		struct pog_sudo_rule *nr = reallocarray(cfg->sudo, ncap, sizeof(*nr));

		if (nr == NULL)
			goto nomem;
		cfg->sudo = nr;
		c->sudo_cap = ncap;
	}
	r.role = strdup(role);
	r.rule = strdup(v);
	r.line = line;
	if (r.role == NULL || r.rule == NULL)
		goto nomem;
	cfg->sudo[cfg->nsudo++] = r;
	return;
nomem:
	free(r.role);
	free(r.rule);
	c->err = POG_ERR_NOMEM;
}

static int
cfg_handler(void *user, const char *section, const char *name, const char *value)
{
	struct cfg_ctx *c = user;
	unsigned int line = c->nseen < c->nkeys ? c->key_lines[c->nseen] : 0;

	c->nseen++;
	if (c->err != POG_OK)
		return 0;
	if (strcmp(section, "roles") == 0)
		cfg_role(c, name, value);
	else if (strcmp(section, "bindings") == 0)
		cfg_binding(c, line, name, value);
	else if (strcmp(section, "sudo") == 0)
		cfg_sudo(c, line, name, value);
	else
		cfg_key(c, section, name, value);
	return c->err == POG_OK;
}

/* ---- the pre-scan ---- */

/* inih's find_chars_or_comment: the first of chars, or a ';' after a blank. */
static const char *
cfg_find(const char *s, const char *end, const char *chars)
{
	bool was_space = false;

	for (; s < end; s++) {
		if (strchr(chars, *s) != NULL || (was_space && *s == ';'))
			break;
		was_space = isspace((unsigned char)*s);
	}
	return s;
}

/*
 * Walks the lines as inih will (same trimming, comment and continuation
 * rules) and refuses what inih would mangle or let pass. Notes each key's
 * line in c->key_lines. text holds len bytes and no NUL.
 */
/* Copies the name of a key line, [s, close), trimmed and cut to fit. */
static void
cfg_copy_key(char *key, size_t size, const char *s, const char *close)
{
	size_t n;

	while (close > s && isspace((unsigned char)close[-1]))
		close--;
	n = (size_t)(close - s) < size - 1 ? (size_t)(close - s) : size - 1;
	memcpy(key, s, n);
	key[n] = '\0';
}

static void
cfg_prescan(struct cfg_ctx *c, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	char section[16] = "";          /* known sections are short */
	char key[CFG_MAX_LINE] = "";    /* the last key of this section */
	unsigned int line = 0;

	for (; p < end && c->err == POG_OK; line++) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *s = p, *e, *close, *rest;
		bool is_key;

		if (eol == NULL)
			eol = end;
		/* inih skips a UTF-8 BOM, but it counts against the line length. */
		if (p == text && len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
			s += 3;
		e = eol;
		while (s < e && isspace((unsigned char)*s))
			s++;
		while (e > s && isspace((unsigned char)e[-1]))
			e--;
		is_key = s < e && *s != '[' && *s != ';' && *s != '#';
		close = is_key ? cfg_find(s, e, "=:") : e;
		if (close < e && *close != '=' && *close != ':')
			close = e;
		if ((size_t)(eol - p) >= CFG_MAX_LINE - 1) {
			if (close < e)
				cfg_copy_key(key, sizeof(key), s, close);
			cfg_fail(c, line + 1, section[0] && close < e ? section : NULL,
				 close < e ? key : NULL, "line longer than %d bytes; "
				 "split a [roles] or [bindings] value by repeating its key "
				 "on the next line (the values add up)",
				 CFG_MAX_LINE - 2);
			return;
		}
		if (s == e || *s == ';' || *s == '#')
			goto next;
		if (s > p && key[0] != '\0') {
			cfg_fail(c, line + 1, section, key,
				 "indented line: continuation lines are not allowed "
				 "(in [roles] and [bindings], repeat the key instead)");
			return;
		}
		if (*s == '[') {
			close = cfg_find(s + 1, e, "]");
			if (close == e || *close != ']') {
				cfg_fail(c, line + 1, NULL, NULL, "section header without ']'");
				return;
			}
			for (rest = close + 1; rest < e && isspace((unsigned char)*rest); rest++)
				;
			if (rest < e && *rest != ';') {
				cfg_fail(c, line + 1, NULL, NULL, "junk after the section header");
				return;
			}
			key[0] = '\0';
			section[0] = '\0';
			for (size_t i = 0; cfg_sections[i] != NULL; i++) {
				if (strlen(cfg_sections[i]) == (size_t)(close - s - 1) &&
				    memcmp(cfg_sections[i], s + 1, (size_t)(close - s - 1)) == 0)
					strcpy(section, cfg_sections[i]);
			}
			if (section[0] == '\0')
				cfg_fail(c, line + 1, NULL, NULL, "[%.*s]: unknown section",
					 (int)(close - s - 1), s + 1);
			goto next;
		}
		if (close == e || close == s) {
			cfg_fail(c, line + 1, section[0] ? section : NULL, NULL,
				 "expected 'key = value'");
			return;
		}
		cfg_copy_key(key, sizeof(key), s, close);
		c->key_lines[c->nkeys++] = line + 1;
next:
		p = eol < end ? eol + 1 : end;
	}
}

/* ---- the whole file ---- */

pog_err
pog_cfg_defaults(struct pog_config *cfg)
{
	struct pog_config d = { 0 };

	d.http_timeout = 10;
	d.clock_skew = 60;
	d.approval_timeout = 300;
	d.prompt = POG_PROMPT_AUTO;
	d.qr = POG_QR_AUTO;
	d.require_mfa = false;
	d.source = POG_SOURCE_AUTO;
	d.mode = POG_MODE_PERSISTENT;
	d.same_name = false;
	d.match = POG_MATCH_EXACT;
	d.deny_on_no_binding = true;
	d.authoritative = false;
	d.uid_range.lo = POG_UID_DEFAULT_LO;
	d.uid_range.hi = POG_UID_DEFAULT_HI;
	d.max_pending = 8;
	if ((d.cache_dir = strdup("/var/cache/pam_okta_groups")) == NULL ||
	    (d.username_claim = strdup("preferred_username")) == NULL ||
	    (d.groups_claim = strdup("groups")) == NULL ||
	    (d.project = strdup("default")) == NULL ||
	    (d.group_file = strdup("/etc/group")) == NULL ||
	    (d.gshadow_file = strdup("/etc/gshadow")) == NULL ||
	    (d.state_dir = strdup("/var/lib/pam_okta_groups")) == NULL ||
	    (d.sudoers_dir = strdup("/etc/sudoers.d")) == NULL ||
	    (d.uid_key_file = strdup("/etc/security/pam_okta_groups.uidkey")) == NULL ||
	    (d.home = strdup("/home/%u")) == NULL ||
	    (d.shell = strdup("/bin/bash")) == NULL ||
	    pog_strv_split(&d.scopes, CFG_DEFAULT_SCOPES) != POG_OK ||
	    pog_strv_split(&d.protected_groups, CFG_DEFAULT_PROTECTED) != POG_OK ||
	    pog_strv_split(&d.local_users, "root") != POG_OK) {
		pog_cfg_free(&d);
		return POG_ERR_NOMEM;
	}
	*cfg = d;
	return POG_OK;
}

/* What can only be checked once the whole file is read. */
static void
cfg_finish(struct cfg_ctx *c)
{
	struct pog_config *cfg = &c->cfg;
	struct pog_strv *sc = &cfg->scopes;
	char *openid;

	if (cfg->issuer == NULL)
		cfg_fail(c, 0, "okta", "issuer", "required, but missing");
	if (cfg->client_id == NULL)
		cfg_fail(c, 0, "okta", "client_id", "required, but missing");
	for (size_t i = 0; i < cfg->nbindings; i++) {
		const struct pog_binding *b = &cfg->bindings[i];

		if (pog_cfg_role(cfg, b->role) == NULL)
			cfg_fail(c, c->bind_lines[i], "bindings", b->idp_group,
				 "unknown role '%s' (not in [roles])", b->role);
	}
	for (size_t i = 0; i < cfg->nsudo; i++)
		if (pog_cfg_role(cfg, cfg->sudo[i].role) == NULL)
			cfg_fail(c, cfg->sudo[i].line, "sudo", cfg->sudo[i].role,
				 "unknown role (not in [roles])");
	/* openid is always sent, and first. */
	if (c->err == POG_OK && !pog_strv_contains(sc, "openid")) {
		if (pog_strv_add(sc, "openid") != POG_OK) {
			c->err = POG_ERR_NOMEM;
			return;
		}
		openid = sc->v[sc->n - 1];
		memmove(&sc->v[1], &sc->v[0], (sc->n - 1) * sizeof(sc->v[0]));
		sc->v[0] = openid;
	}
}

/*
 * cfg need not be initialised. On error it is zeroed (so pog_cfg_free is
 * harmless) and *errmsg holds "NAME:LINE: [section] key: what is wrong",
 * or NULL when even that could not be allocated.
 */
pog_err
pog_cfg_parse(struct pog_config *cfg, const char *name, const char *text,
	      size_t len, char **errmsg)
{
	struct cfg_ctx c = { 0 };
	char *copy = NULL, *msg = NULL;
	const char *nul;
	size_t nlines = 1;
	int rc;

	c.err = pog_cfg_defaults(&c.cfg);
	if (c.err != POG_OK)
		goto out;
	if (len > POG_CFG_MAX_SIZE) {
		cfg_fail(&c, 0, NULL, NULL, "larger than %d bytes", POG_CFG_MAX_SIZE);
		goto out;
	}
	/* inih would stop reading at a NUL. */
	nul = memchr(text, '\0', len);
	for (size_t i = 0; i < (nul ? (size_t)(nul - text) : len); i++)
		nlines += text[i] == '\n';
	if (nul != NULL) {
		cfg_fail(&c, (unsigned int)nlines, NULL, NULL, "NUL byte");
		goto out;
	}
	c.key_lines = calloc(nlines, sizeof(*c.key_lines));
	copy = malloc(len + 1);
	if (c.key_lines == NULL || copy == NULL) {
		c.err = POG_ERR_NOMEM;
		goto out;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	cfg_prescan(&c, copy, len);
	if (c.err != POG_OK)
		goto out;
	/* The handler keeps the first message; inih returns its line. */
	rc = ini_parse_string(copy, cfg_handler, &c);
	if (rc < 0) {
		c.err = POG_ERR_NOMEM;
		goto out;
	}
	/* Never expected: the pre-scan should have refused the text first. */
	if ((rc > 0 && c.err == POG_OK) || (rc == 0 && c.nseen != c.nkeys))
		cfg_fail(&c, 0, NULL, NULL, CFG_DISAGREE);
	if (rc > 0 && c.err == POG_ERR_CONFIG)
		c.line = (unsigned int)rc;
	if (c.err != POG_OK)
		goto out;
	cfg_finish(&c);
	if (c.err != POG_OK)
		goto out;
	c.cfg.path = strdup(name);
	if (c.cfg.path == NULL) {
		c.err = POG_ERR_NOMEM;
		goto out;
	}
	*cfg = c.cfg;
	memset(&c.cfg, 0, sizeof(c.cfg));
out:
	if (c.err != POG_OK) {
		if (c.err == POG_ERR_NOMEM)
			msg = pog_asprintf("%s: out of memory", name);
		else if (c.line > 0)
			msg = pog_asprintf("%s:%u: %s", name, c.line, c.msg);
		else
			msg = pog_asprintf("%s: %s", name, c.msg);
		/* The file is untrusted text on its way to a log. */
		*errmsg = msg ? pog_sanitize(msg, 1024) : NULL;
		memset(cfg, 0, sizeof(*cfg));
	}
	pog_cfg_free(&c.cfg);
	free(c.key_lines);
	free(c.bind_lines);
	free(c.msg);
	free(copy);
	free(msg);
	return c.err;
}

static pog_err
cfg_read_secret(struct pog_config *cfg, uid_t owner, char **errmsg)
{
	char *data = NULL, *why = NULL;
	size_t len = 0;
	pog_err err;

	const struct pog_file_policy pol = {
		.owner = owner,
		.secret = true,
		.max = CFG_MAX_SECRET,
		.scrub = true,
		.refused = POG_ERR_CONFIG,
	};

	err = pog_read_file(cfg->client_secret_file, &pol, &data, &len, NULL, &why);
	if (err == POG_ERR_NOMEM)
		goto out;
	if (err != POG_OK) {
		err = POG_ERR_CONFIG;
		*errmsg = pog_asprintf("%s: [okta] client_secret_file: %s", cfg->path,
				       why ? why : "cannot read");
		goto out;
	}
	if (len > 0 && data[len - 1] == '\n')
		data[--len] = '\0';
	for (size_t i = 0; i < len && err == POG_OK; i++)
		if ((unsigned char)data[i] < 0x20 || data[i] == 0x7f)
			err = POG_ERR_CONFIG;
	if (len == 0 || err != POG_OK) {
		err = POG_ERR_CONFIG;
		*errmsg = pog_asprintf("%s: [okta] client_secret_file: %s: must hold the "
				       "secret on one line, with no control characters",
				       cfg->path, cfg->client_secret_file);
		goto out;
	}
	cfg->client_secret = data;
	data = NULL;
out:
	if (data != NULL) {
		pog_memzero(data, len);
		free(data);
	}
	free(why);
	return err;
}

/*
 * A missing config file gives POG_ERR_SYSTEM with errno ENOENT, as
 * pog_read_file does, so that the face can tell it from a broken one.
 */
pog_err
pog_cfg_load(struct pog_config *cfg, const char *path, unsigned int owner_uid,
	     char **errmsg)
{
	struct pog_config c = { 0 };
	char *text = NULL, *msg = NULL;
	size_t len = 0;
	pog_err err;
	int saved_errno = 0;

	if (path == NULL)
		path = POG_DEFAULT_CONFIG;
	const struct pog_file_policy pol = {
		.owner = (uid_t)owner_uid,
		.secret = false,
		.max = POG_CFG_MAX_SIZE,
		.scrub = true,
		.refused = POG_ERR_CONFIG,
	};

	err = pog_read_file(path, &pol, &text, &len, NULL, &msg);
	saved_errno = errno;
	if (err != POG_OK)
		goto out;
	err = pog_cfg_parse(&c, path, text, len, &msg);
	if (err != POG_OK)
		goto out;
	if (c.client_secret_file != NULL) {
		err = cfg_read_secret(&c, (uid_t)owner_uid, &msg);
		if (err != POG_OK)
			goto out;
	}
	*cfg = c;
	memset(&c, 0, sizeof(c));
out:
	if (err != POG_OK) {
		memset(cfg, 0, sizeof(*cfg));
		*errmsg = msg;
		msg = NULL;
	}
	pog_cfg_free(&c);
	free(text);
	free(msg);
	errno = saved_errno;
	return err;
}

void
pog_cfg_free(struct pog_config *cfg)
{
	if (cfg == NULL)
		return;
	free(cfg->path);
	free(cfg->issuer);
	free(cfg->client_id);
	free(cfg->client_secret_file);
	pog_free_secret(cfg->client_secret);
	pog_strv_free(&cfg->scopes);
	free(cfg->ca_file);
	free(cfg->proxy);
	pog_strv_free(&cfg->endpoint_hosts);
	pog_strv_free(&cfg->services);
	pog_strv_free(&cfg->local_users);
	pog_strv_free(&cfg->require_acr);
	free(cfg->cache_dir);
	free(cfg->username_claim);
	pog_strv_free(&cfg->username_domains);
	free(cfg->groups_claim);
	free(cfg->project);
	pog_strv_free(&cfg->protected_groups);
	free(cfg->group_file);
	free(cfg->gshadow_file);
	free(cfg->state_dir);
	free(cfg->uid_key_file);
	free(cfg->home);
	free(cfg->shell);
	for (size_t i = 0; i < cfg->nroles; i++) {
		free(cfg->roles[i].name);
		pog_strv_free(&cfg->roles[i].groups);
	}
	free(cfg->roles);
	for (size_t i = 0; i < cfg->nbindings; i++) {
		free(cfg->bindings[i].idp_group);
		free(cfg->bindings[i].role);
		free(cfg->bindings[i].project);
	}
	free(cfg->bindings);
	for (size_t i = 0; i < cfg->nsudo; i++) {
		free(cfg->sudo[i].role);
		free(cfg->sudo[i].rule);
	}
	free(cfg->sudo);
	free(cfg->sudoers_dir);
	memset(cfg, 0, sizeof(*cfg));
}

const struct pog_role *
pog_cfg_role(const struct pog_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->nroles; i++)
		if (strcmp(cfg->roles[i].name, name) == 0)
			return &cfg->roles[i];
	return NULL;
}

const struct pog_sudo_rule *
pog_cfg_sudo(const struct pog_config *cfg, const char *role)
{
	for (size_t i = 0; i < cfg->nsudo; i++)
		if (strcmp(cfg->sudo[i].role, role) == 0)
			return &cfg->sudo[i];
	return NULL;
}
