/*
 * sudo.c - the sudo rules of a user (pure): see sudo.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "grp.h"
#include "sudo.h"
#include "uidrule.h"
#include "util.h"

bool
pog_sudo_user_valid(const char *user)
{
	return pog_uid_name_valid(user) && pog_grp_user_valid(user);
}

pog_err
pog_sudo_roles(const struct pog_config *cfg, const struct pog_strv *plan_roles,
	       struct pog_strv *out)
{
	struct pog_strv r = { 0 };

	for (size_t i = 0; i < cfg->nsudo; i++) {
		const char *role = cfg->sudo[i].role;
		size_t n = strlen(role);
		bool have = false;

		for (size_t j = 0; plan_roles != NULL && j < plan_roles->n && !have; j++) {
			const char *p = plan_roles->v[j];

			have = strncmp(p, role, n) == 0 && (p[n] == '@' || p[n] == '\0');
		}
		if (have && pog_strv_add(&r, role) != POG_OK) {
			pog_strv_free(&r);
			return POG_ERR_NOMEM;
		}
	}
	*out = r;
	return POG_OK;
}

pog_err
pog_sudo_text(const struct pog_config *cfg, const char *user,
	      const struct pog_strv *roles, char **text)
{
	struct pog_buf b = { 0 };

	if (!pog_sudo_user_valid(user))
		return POG_ERR_INVALID;
	if (roles->n == 0) {
		*text = NULL;
		return POG_OK;
	}
	if (pog_buf_addstr(&b, POG_SUDO_HEADER) != POG_OK)
		goto nomem;
	for (size_t i = 0; i < roles->n; i++) {
		const struct pog_sudo_rule *r = pog_cfg_sudo(cfg, roles->v[i]);

		if (r == NULL) {
			pog_buf_free(&b);
			return POG_ERR_INVALID;
		}
		if (pog_buf_printf(&b, "%s %s\n", user, r->rule) != POG_OK)
			goto nomem;
	}
	*text = pog_buf_steal(&b);
	return *text != NULL ? POG_OK : POG_ERR_NOMEM;
nomem:
	pog_buf_free(&b);
	return POG_ERR_NOMEM;
}

static pog_err
add_unique(struct pog_strv *sv, const char *s)
{
	return pog_strv_contains(sv, s) ? POG_OK : pog_strv_add(sv, s);
}

pog_err
pog_sudo_roles_in(const struct pog_config *cfg, const char *user, const char *text,
		  struct pog_strv *out)
{
	struct pog_strv r = { 0 };
	const char *p = text;
	size_t ulen = strlen(user);
	pog_err err = POG_OK;

	while (p != NULL && *p != '\0' && err == POG_OK) {
		const char *eol = strchr(p, '\n');
		size_t n = eol != NULL ? (size_t)(eol - p) : strlen(p);
		bool known = n == 0 || (n == strlen(POG_SUDO_HEADER) - 1 &&
					memcmp(p, POG_SUDO_HEADER, n) == 0);

		for (size_t i = 0; !known && i < cfg->nsudo; i++) {
			const struct pog_sudo_rule *s = &cfg->sudo[i];

			if (n == ulen + 1 + strlen(s->rule) && memcmp(p, user, ulen) == 0 &&
			    p[ulen] == ' ' && memcmp(p + ulen + 1, s->rule, n - ulen - 1) == 0) {
				known = true;
				err = add_unique(&r, s->role);
			}
		}
		if (!known)
			err = add_unique(&r, "?");
		p = eol != NULL ? eol + 1 : NULL;
	}
	if (err != POG_OK) {
		pog_strv_free(&r);
		return err;
	}
	*out = r;
	return POG_OK;
}

pog_err
pog_sudo_diff(const struct pog_strv *before, const struct pog_strv *now,
	      struct pog_strv *added, struct pog_strv *removed)
{
	struct pog_strv a = { 0 }, r = { 0 };

	for (size_t i = 0; i < now->n; i++)
		if (!pog_strv_contains(before, now->v[i]) && pog_strv_add(&a, now->v[i]) != POG_OK)
			goto nomem;
	for (size_t i = 0; i < before->n; i++)
		if (!pog_strv_contains(now, before->v[i]) && pog_strv_add(&r, before->v[i]) != POG_OK)
			goto nomem;
	*added = a;
	*removed = r;
	return POG_OK;
nomem:
	pog_strv_free(&a);
	pog_strv_free(&r);
	return POG_ERR_NOMEM;
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The path of an include line, [*s, *e), unquoted; false if it is not one. */
static bool
include_path(const char *p, const char *end, const char **s, const char **e)
{
	static const char *const kw[] = { "@includedir", "#includedir" };

	while (p < end && is_blank(*p))
		p++;
	for (size_t i = 0; i < 2; i++) {
		size_t n = strlen(kw[i]);

		if ((size_t)(end - p) <= n || memcmp(p, kw[i], n) != 0 || !is_blank(p[n]))
			continue;
		p += n;
		while (p < end && is_blank(*p))
			p++;
		while (end > p && (is_blank(end[-1]) || end[-1] == '\r'))
			end--;
		if (end - p >= 2 && *p == '"' && end[-1] == '"') {
			p++;
			end--;
		}
		*s = p;
		*e = end;
		return end > p;
	}
	return false;
}

bool
pog_sudo_includes(const char *text, size_t len, const char *dir)
{
	static const char etc_dir[] = "/etc/sudoers.d";
	const char *p = text, *end = text + len;
	size_t dlen = strlen(dir), elen = strlen(etc_dir);
	bool chroot = dlen > elen && strcmp(dir + dlen - elen, etc_dir) == 0;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *s, *e;

		if (eol == NULL)
			eol = end;
		if (include_path(p, eol, &s, &e)) {
			size_t n = (size_t)(e - s);

			/* "/etc/sudoers.d/" reads the same folder */
			if (n > 1 && s[n - 1] == '/')
				n--;
			if ((n == dlen && memcmp(s, dir, n) == 0) ||
			    (chroot && n == elen && memcmp(s, etc_dir, n) == 0))
				return true;
		}
		p = eol < end ? eol + 1 : end;
	}
	return false;
}
