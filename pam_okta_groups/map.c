/*
 * map.c - from IdP groups to a plan of group memberships (Paralus model).
 *
 * Pure: no I/O, no clock, no logging. Everything worth telling ends up
 * in the plan (ignored, warnings) and the caller logs it.
 *
 * IdP group names are untrusted. A name that is not a valid local group
 * name is never written anywhere and never looked up as a local group.
 * It may still select a binding whose key equals it (the key is the
 * admin's own text: "Organization Admins = admin" in the example config has a
 * space), and then the ledger records the key, not the IdP's bytes.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "map.h"
#include "util.h"

#define DISPLAY_MAX 48

bool
pog_map_key_matches(const struct pog_config *cfg, const char *key,
		    const char *idp_group)
{
	if (cfg->match == POG_MATCH_CASEFOLD)
		return pog_ascii_caseeq(key, idp_group);
	return strcmp(key, idp_group) == 0;
}

/* A name cut and cleaned for logs and screens. */
static char *
display(const char *s)
{
	char *d = pog_sanitize(s, DISPLAY_MAX);
	char *r;

	if (d == NULL || strnlen(s, DISPLAY_MAX + 1) <= DISPLAY_MAX)
		return d;
	r = pog_asprintf("%s...", d);
	free(d);
	return r;
}

static const char *
why_invalid(const char *name)
{
	size_t n = strnlen(name, POG_NAME_MAX + 1);

	if (n == 0)
		return "empty";
	if (n > POG_NAME_MAX)
		return "longer than 32 characters";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c == ':' || c == ',')
			return "contains ':' or ','";
		if (c < 0x20 || c == 0x7f)
			return "contains a control character";
		if (c == ' ')
			return "contains white space";
	}
	return "contains white space";
}

static pog_err
add_unique(struct pog_strv *sv, const char *s)
{
	if (pog_strv_contains(sv, s))
		return POG_OK;
	return pog_strv_add(sv, s);
}

/* Adds "NAME: why" to ignored (and to warnings when warn). */
static pog_err
note(struct pog_map_plan *p, bool warn, const char *name, const char *fmt, ...)
	POG_ATTR_PRINTF(4, 5);

static pog_err
note(struct pog_map_plan *p, bool warn, const char *name, const char *fmt, ...)
{
	char *d = display(name);
	char *why = NULL;
	char *line = NULL;
	pog_err err = POG_ERR_NOMEM;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&why, fmt, ap) < 0)
		why = NULL;
	va_end(ap);
	if (d == NULL || why == NULL)
		goto out;
	line = pog_asprintf("%s: %s", d, why);
	if (line == NULL)
		goto out;
	if (add_unique(&p->ignored, line) != POG_OK)
		goto out;
	if (warn && add_unique(&p->warnings, line) != POG_OK)
		goto out;
	err = POG_OK;
out:
	free(d);
	free(why);
	free(line);
	return err;
}

static const struct pog_role *
find_role(const struct pog_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->nroles; i++)
		if (strcmp(cfg->roles[i].name, name) == 0)
			return &cfg->roles[i];
	return NULL;
}

static pog_err
record_idp(struct pog_map_plan *p, const char *name)
{
	char *d = pog_sanitize(name, POG_NAME_MAX * 8);
	pog_err err;

	if (d == NULL)
		return POG_ERR_NOMEM;
	err = add_unique(&p->idp_record, d);
	free(d);
	return err;
}

/*
 * The bindings of one IdP group. *keyed: some binding key matched;
 * *bound: one of them is for this project. Role groups go to cand (with
 * the role's name beside them in cand_role).
 */
static pog_err
match_bindings(const struct pog_config *cfg, struct pog_map_plan *p,
	       const char *t, bool valid, struct pog_strv *cand,
	       struct pog_strv *cand_role, bool *keyed, bool *bound)
{
	char *rp = NULL;
	char *line = NULL;
	char *key = NULL;
	pog_err err = POG_ERR_NOMEM;

	*keyed = *bound = false;
	for (size_t i = 0; i < cfg->nbindings; i++) {
		const struct pog_binding *b = &cfg->bindings[i];
		const struct pog_role *role;

		if (!pog_map_key_matches(cfg, b->idp_group, t))
			continue;
		if (!*keyed && record_idp(p, valid ? t : b->idp_group) != POG_OK)
			goto out;
		*keyed = true;
		if (b->project != NULL && strcmp(b->project, cfg->project) != 0)
			continue;
		role = find_role(cfg, b->role);
		if (role == NULL) {
			if (note(p, true, b->idp_group, "role %s does not exist", b->role) != POG_OK)
				goto out;
			continue;
		}
		*bound = true;
		free(rp);
		free(line);
		free(key);
		line = key = NULL;
		rp = pog_asprintf("%s@%s", b->role, b->project != NULL ? b->project : "*");
		key = display(b->idp_group);
		if (rp == NULL || key == NULL)
			goto out;
		line = pog_asprintf("%s = %s", key, rp);
		if (line == NULL || add_unique(&p->roles, rp) != POG_OK ||
		    add_unique(&p->bindings, line) != POG_OK)
			goto out;
		for (size_t j = 0; j < role->groups.n; j++) {
			if (pog_strv_contains(cand, role->groups.v[j]))
				continue;
			if (pog_strv_add(cand, role->groups.v[j]) != POG_OK ||
			    pog_strv_add(cand_role, role->name) != POG_OK)
				goto out;
		}
	}
	err = POG_OK;
out:
	free(rp);
	free(line);
	free(key);
	return err;
}

static bool
gid_in(const gid_t *v, size_t n, gid_t g)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid] == g)
			return true;
		if (v[mid] < g)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/*
 * same_name: IdP group X grants local group X only when X is an
 * ordinary group: not protected, its GID within GID_MIN..GID_MAX (no
 * system group such as kmem, tty or staff), and no user's primary group
 * (no one's private group). Without the system data, nothing.
 */
static pog_err
match_same_name(const struct pog_map_input *in, struct pog_map_plan *p, const char *t,
		bool *granted, bool *said)
{
	const struct pog_config *cfg = in->cfg;
	const struct pog_map_sysinfo *sys = in->sys;
	const struct pog_grp_entry *e;

	*granted = *said = false;
	e = pog_grp_db_find(in->group_db, t);
	if (e == NULL && cfg->match == POG_MATCH_CASEFOLD)
		e = pog_grp_db_find_casefold(in->group_db, t);
	if (e == NULL)
		return POG_OK;
	*said = true;
	if (pog_strv_contains(&cfg->protected_groups, e->name))
		return note(p, false, t, "protected group: same_name does not grant it");
	if (sys == NULL)
		return note(p, false, t, "same_name grants nothing: the GID range or the "
			    "users' primary groups are unknown");
	if (e->gid < sys->gid_min || e->gid > sys->gid_max)
		return note(p, false, t, "GID %u is outside GID_MIN..GID_MAX (%u..%u): "
			    "same_name does not grant it", (unsigned)e->gid,
			    (unsigned)sys->gid_min, (unsigned)sys->gid_max);
	if (gid_in(sys->user_gids, sys->n_user_gids, e->gid))
		return note(p, false, t, "GID %u is a user's primary group: same_name does "
			    "not grant it", (unsigned)e->gid);
	*said = false;
	if (add_unique(&p->desired, e->name) != POG_OK ||
	    add_unique(&p->same_name, e->name) != POG_OK)
		return POG_ERR_NOMEM;
	*granted = true;
	return POG_OK;
}

static pog_err
walk_idp_groups(const struct pog_map_input *in, struct pog_map_plan *p,
		struct pog_strv *cand, struct pog_strv *cand_role)
{
	const struct pog_config *cfg = in->cfg;
	struct pog_strv seen = { 0 };
	pog_err err = POG_OK;

	if (in->idp_groups == NULL)
		return POG_OK;
	for (size_t i = 0; i < in->idp_groups->n; i++) {
		const char *t = in->idp_groups->v[i];
		bool valid, keyed, bound, sn = false, said = false;

		if (pog_strv_contains(&seen, t))
			continue;
		err = pog_strv_add(&seen, t);
		if (err != POG_OK)
			break;
		valid = pog_grp_name_valid(t);
		err = match_bindings(cfg, p, t, valid, cand, cand_role, &keyed, &bound);
		if (err != POG_OK)
			break;
		if (!valid && !keyed) {
			err = note(p, true, t, "not a valid group name (%s)", why_invalid(t));
			if (err != POG_OK)
				break;
			continue;
		}
		if (valid && !keyed) {
			err = record_idp(p, t);
			if (err != POG_OK)
				break;
		}
		if (cfg->same_name && valid) {
			err = match_same_name(in, p, t, &sn, &said);
			if (err != POG_OK)
				break;
		}
		if (bound || sn || said)
			continue;
		if (keyed)
			err = note(p, false, t, "no binding for project %s", cfg->project);
		else
			err = note(p, false, t, "no binding");
		if (err != POG_OK)
			break;
	}
	pog_strv_free(&seen);
	return err;
}

/* M: what the ledger says this module added; authoritative: all of [roles] too. */
static pog_err
build_managed(const struct pog_map_input *in, struct pog_map_plan *p)
{
	const struct pog_config *cfg = in->cfg;

	for (size_t i = 0; cfg->authoritative && i < cfg->nroles; i++)
		for (size_t j = 0; j < cfg->roles[i].groups.n; j++)
			if (add_unique(&p->managed, cfg->roles[i].groups.v[j]) != POG_OK)
				return POG_ERR_NOMEM;
	if (in->ledger_managed != NULL)
		for (size_t i = 0; i < in->ledger_managed->n; i++) {
			const char *g = in->ledger_managed->v[i];

			if (pog_grp_name_valid(g) && add_unique(&p->managed, g) != POG_OK)
				return POG_ERR_NOMEM;
		}
	return POG_OK;
}

/* Whether g may change for this user: it exists and is not the primary group. */
static pog_err
changeable(const struct pog_map_input *in, struct pog_map_plan *p, const char *g,
	   bool want, bool *ok)
{
	const struct pog_grp_entry *e = pog_grp_db_find(in->group_db, g);

	*ok = false;
	if (e == NULL)
		return POG_OK;
	if (e->gid == in->primary_gid) {
		if (want != pog_grp_db_is_member(in->group_db, g, in->user))
			return note(p, false, g, "the user's primary group: never touched");
		return POG_OK;
	}
	*ok = true;
	return POG_OK;
}

static pog_err
plan_add(const struct pog_map_input *in, struct pog_map_plan *p, const char *g)
{
	bool ok;

	if (!pog_strv_contains(&p->desired, g) || pog_strv_contains(&p->add, g))
		return POG_OK;
	if (changeable(in, p, g, true, &ok) != POG_OK)
		return POG_ERR_NOMEM;
	if (ok && !pog_grp_db_is_member(in->group_db, g, in->user))
		return pog_strv_add(&p->add, g);
	return POG_OK;
}

/* add = D \ current; remove = current ∩ M \ D, none when T may be cut. */
static pog_err
build_changes(const struct pog_map_input *in, struct pog_map_plan *p)
{
	const struct pog_config *cfg = in->cfg;
	const struct pog_grp_db *db = in->group_db;
	bool ok;

	/* in the order of [roles], then same_name's, as the audit line shows them */
	for (size_t i = 0; i < cfg->nroles; i++)
		for (size_t j = 0; j < cfg->roles[i].groups.n; j++)
			if (plan_add(in, p, cfg->roles[i].groups.v[j]) != POG_OK)
				return POG_ERR_NOMEM;
	for (size_t i = 0; i < p->desired.n; i++)
		if (plan_add(in, p, p->desired.v[i]) != POG_OK)
			return POG_ERR_NOMEM;
	for (size_t i = 0; i < p->managed.n; i++) {
		const char *g = p->managed.v[i];

		if (pog_strv_contains(&p->desired, g))
			continue;
		if (changeable(in, p, g, false, &ok) != POG_OK)
			return POG_ERR_NOMEM;
		if (!ok || !pog_grp_db_is_member(db, g, in->user))
			continue;
		if (pog_strv_add(p->capped ? &p->kept : &p->remove, g) != POG_OK)
			return POG_ERR_NOMEM;
	}
	return POG_OK;
}

/* What this module added and the user still holds once the plan is applied. */
static pog_err
build_managed_after(const struct pog_map_input *in, struct pog_map_plan *p)
{
	const struct pog_strv *sets[2] = { in->ledger_managed, &p->add };

	for (size_t s = 0; s < 2; s++) {
		if (sets[s] == NULL)
			continue;
		for (size_t i = 0; i < sets[s]->n; i++) {
			const char *g = sets[s]->v[i];
			bool held;

			if (!pog_grp_name_valid(g) || pog_grp_db_find(in->group_db, g) == NULL)
				continue;
			held = pog_strv_contains(&p->add, g) ||
			       pog_grp_db_is_member(in->group_db, g, in->user);
			if (held && !pog_strv_contains(&p->remove, g) &&
			    add_unique(&p->managed_after, g) != POG_OK)
				return POG_ERR_NOMEM;
		}
	}
	return POG_OK;
}

pog_err
pog_map_plan(const struct pog_map_input *in, struct pog_map_plan *out)
{
	struct pog_map_plan p = { 0 };
	struct pog_strv cand = { 0 };
	struct pog_strv cand_role = { 0 };
	pog_err err = POG_ERR_INVALID;

	if (in == NULL || in->cfg == NULL || in->user == NULL ||
	    in->group_db == NULL || in->cfg->project == NULL)
		goto out;

	err = walk_idp_groups(in, &p, &cand, &cand_role);
	if (err != POG_OK)
		goto out;
	for (size_t i = 0; i < cand.n; i++) {
		const char *g = cand.v[i];

		if (!pog_grp_name_valid(g) || pog_grp_db_find(in->group_db, g) == NULL) {
			err = note(&p, true, g, "local group does not exist (role %s)",
				   cand_role.v[i]);
			if (err != POG_OK)
				goto out;
			continue;
		}
		err = add_unique(&p.desired, g);
		if (err != POG_OK)
			goto out;
	}
	p.granted = p.roles.n > 0 || p.same_name.n > 0;
	p.capped = in->idp_groups != NULL && in->idp_groups->n >= POG_MAP_GROUPS_CAP;

	err = build_managed(in, &p);
	if (err == POG_OK)
		err = build_changes(in, &p);
	if (err == POG_OK)
		err = build_managed_after(in, &p);
	if (err != POG_OK)
		goto out;

	*out = p;
	memset(&p, 0, sizeof(p));
out:
	pog_strv_free(&cand);
	pog_strv_free(&cand_role);
	pog_map_plan_free(&p);
	return err;
}

void
pog_map_plan_free(struct pog_map_plan *p)
{
	if (p == NULL)
		return;
	pog_strv_free(&p->idp_record);
	pog_strv_free(&p->bindings);
	pog_strv_free(&p->roles);
	pog_strv_free(&p->desired);
	pog_strv_free(&p->same_name);
	pog_strv_free(&p->managed);
	pog_strv_free(&p->add);
	pog_strv_free(&p->remove);
	pog_strv_free(&p->ignored);
	pog_strv_free(&p->warnings);
	pog_strv_free(&p->managed_after);
	pog_strv_free(&p->kept);
	memset(p, 0, sizeof(*p));
}

/* ---- login.defs and passwd, for same_name ---- */

#define GID_LIMIT 4294967294UL          /* (gid_t)-1 is no GID */

/* A whole unsigned number of [v, v+n) in 0..GID_LIMIT, with base (0: as strtoul). */
static bool
parse_gid(const char *v, size_t n, int base, gid_t *out)
{
	char buf[32];
	char *end = NULL;
	long val;

	if (n == 0 || n >= sizeof(buf) || memchr(v, '\0', n) != NULL ||
	    !isdigit((unsigned char)v[0]))
		return false;
	memcpy(buf, v, n);
	buf[n] = '\0';
	errno = 0;
	val = strtol(buf, &end, base);
	if (errno != 0 || end != buf + n || val < 0 || (unsigned long)val > GID_LIMIT)
		return false;
	*out = (gid_t)val;
	return true;
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

pog_err
pog_map_parse_login_defs(const char *text, size_t len, gid_t *gid_min, gid_t *gid_max,
			 char **errmsg)
{
	static const char *const keys[2] = { "GID_MIN", "GID_MAX" };
	const char *val[2] = { NULL, NULL };
	size_t vlen[2] = { 0, 0 }, vline[2] = { 0, 0 };
	gid_t got[2] = { POG_MAP_GID_MIN_DEFAULT, POG_MAP_GID_MAX_DEFAULT };
	size_t lineno = 0;
	const char *p = text, *end = text != NULL ? text + len : NULL;

	if (text == NULL && len > 0)
		return POG_ERR_INVALID;
	/* shadow's def_load: the last definition of a key wins */
	while (p != NULL && p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *le = eol != NULL ? eol : end;
		const char *name, *ne, *v, *ve;

		lineno++;
		while (le > p && isspace((unsigned char)le[-1]))
			le--;
		name = p;
		while (name < le && is_blank(*name))
			name++;
		p = eol != NULL ? eol + 1 : end;
		if (name == le || *name == '#')
			continue;
		for (ne = name; ne < le && !is_blank(*ne); ne++)
			;
		if (ne == le)
			continue;       /* one field only: shadow skips it */
		for (v = ne; v < le && (is_blank(*v) || *v == '"'); v++)
			;
		for (ve = v; ve < le && *ve != '"'; ve++)
			;
		for (size_t k = 0; k < 2; k++)
			if ((size_t)(ne - name) == strlen(keys[k]) &&
			    memcmp(name, keys[k], strlen(keys[k])) == 0) {
				val[k] = v;
				vlen[k] = (size_t)(ve - v);
				vline[k] = lineno;
			}
	}
	for (size_t k = 0; k < 2; k++) {
		char buf[33];
		char *shown;

		if (val[k] == NULL || parse_gid(val[k], vlen[k], 0, &got[k]))
			continue;
		memcpy(buf, val[k], vlen[k] < sizeof(buf) - 1 ? vlen[k] : sizeof(buf) - 1);
		buf[vlen[k] < sizeof(buf) - 1 ? vlen[k] : sizeof(buf) - 1] = '\0';
		shown = pog_sanitize(buf, 32);
		if (errmsg != NULL)
			*errmsg = pog_asprintf("line %zu: %s: \"%s\" is not a GID (0-%lu)",
					       vline[k], keys[k], shown != NULL ? shown : "?",
					       GID_LIMIT);
		free(shown);
		return POG_ERR_INVALID;
	}
	if (got[0] > got[1]) {
		if (errmsg != NULL)
			*errmsg = pog_asprintf("GID_MIN %u is greater than GID_MAX %u",
					       (unsigned)got[0], (unsigned)got[1]);
		return POG_ERR_INVALID;
	}
	*gid_min = got[0];
	*gid_max = got[1];
	return POG_OK;
}

static int
gid_cmp(const void *a, const void *b)
{
	gid_t x = *(const gid_t *)a, y = *(const gid_t *)b;

	return x < y ? -1 : x > y;
}

pog_err
pog_map_parse_passwd_gids(const char *text, size_t len, gid_t **gids, size_t *n,
			  char **errmsg)
{
	gid_t *v = NULL;
	size_t nv = 0, cap = 0, lineno = 0, uniq = 0;
	const char *p = text, *end = text != NULL ? text + len : NULL;
	pog_err err = POG_ERR_INVALID;

	if (text == NULL && len > 0)
		goto out;
	while (p != NULL && p < end) {
		const char *line = p;
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *le = eol != NULL ? eol : end;
		const char *f = line, *fe;
		gid_t g;

		lineno++;
		p = eol != NULL ? eol + 1 : end;
		while (f < le && isspace((unsigned char)*f))
			f++;
		if (f == le || *f == '#')
			continue;
		/* name:password:uid:gid:...; the GID is the 4th field */
		f = line;
		for (int k = 0; k < 3 && f != NULL; k++) {
			f = memchr(f, ':', (size_t)(le - f));
			if (f != NULL)
				f++;
		}
		fe = f != NULL ? memchr(f, ':', (size_t)(le - f)) : NULL;
		if (fe == NULL)
			fe = le;
		if (f == NULL || !parse_gid(f, (size_t)(fe - f), 10, &g)) {
			if (errmsg != NULL)
				*errmsg = pog_asprintf("line %zu: no valid GID in the 4th field",
						       lineno);
			goto out;
		}
		if (nv == cap) {
			size_t nc = cap > 0 ? cap * 2 : 64;
			gid_t *nb = reallocarray(v, nc, sizeof(*v));

			if (nb == NULL) {
				err = POG_ERR_NOMEM;
				goto out;
			}
			v = nb;
			cap = nc;
		}
		v[nv++] = g;
	}
	if (nv > 0)
		qsort(v, nv, sizeof(*v), gid_cmp);
	for (size_t i = 0; i < nv; i++)
		if (uniq == 0 || v[uniq - 1] != v[i])
			v[uniq++] = v[i];
	*gids = v;
	*n = uniq;
	v = NULL;
	err = POG_OK;
out:
	free(v);
	return err;
}
