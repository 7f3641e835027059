/*
 * test-map.c - the Paralus mapping and the plan, table-driven.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "grp.h"
#include "map.h"
#include "tcheck.h"
#include "util.h"

/*
 * alice is uid 1000, primary gid 1000 (group "alice"); bob's private
 * group is 1001. kmem, tty, staff and systemd-journal are system groups.
 */
static const char base_passwd[] =
	"root:x:0:0:root:/root:/bin/bash\n"
	"# a comment\n"
	"alice:x:1000:1000:Alice:/home/alice:/bin/bash\n"
	"bob:x:1001:1001:Bob:/home/bob:/bin/bash\n"
	"nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";

static const char base_group[] =
	"root:x:0:\n"
	"tty:x:5:\n"
	"kmem:x:15:\n"
	"staff:x:50:\n"
	"systemd-journal:x:999:\n"
	"nogroup:x:65534:\n"
	"bob:x:1001:\n"
	"big:x:5000:\n"
	"adm:x:4:syslog\n"
	"cdrom:x:24:\n"
	"sudo:x:27:\n"
	"wheel:x:998:\n"
	"docker:x:997:bob\n"
	"devteam:x:1500:\n"
	"staging:x:1600:\n"
	"ops:x:1700:\n"
	"Admins:x:1800:\n"
	"alice:x:1000:\n";

struct mcase {
	const char *what;
	const char *project;
	bool same_name;
	bool casefold;
	const char *group;      /* NULL: base_group */
	const char *idp;        /* '|'-separated; NULL: no claim */
	const char *ledger;     /* blank-separated */
	/* expected */
	bool granted;
	const char *roles, *desired, *add, *remove, *managed_after;
	const char *ignored;    /* '|'-separated substrings that must appear in ignored */
	const char *not_managed; /* blank-separated: must not be in M */
	bool authoritative;
	const char *login_defs; /* NULL: none (the defaults) */
	bool no_sys;            /* same_name without the system data */
};

#define LONG40 "abcdefghijabcdefghijabcdefghijabcdefghij"

static const struct mcase cases[] = {
	{ "SPEC: Organization Admins = admin (a key with a space)", "default", false, false,
	  NULL, "Organization Admins", NULL,
	  true, "admin@*", "wheel adm", "wheel adm", "", "wheel adm", "", NULL, false, NULL, false },
	{ "SPEC: DevTeam on prod-web", "prod-web", false, false,
	  NULL, "DevTeam|Everyone", NULL,
	  true, "developer@prod-web", "devteam docker", "devteam docker", "", "devteam docker",
	  "Everyone: no binding", NULL, false, NULL, false },
	{ "SPEC: DevTeam on staging", "staging", false, false,
	  NULL, "DevTeam", NULL,
	  true, "developer@staging", "devteam docker", "devteam docker", "", "devteam docker", "", NULL, false, NULL, false },
	{ "a binding for another project grants nothing", "default", false, false,
	  NULL, "DevTeam", NULL,
	  false, "", "", "", "", "", "DevTeam: no binding for project default", NULL, false, NULL, false },
	{ "another project only, while the user holds role groups it was given", "qa", false, false,
	  "devteam:x:1500:alice\ndocker:x:997:bob,alice\nwheel:x:998:\nadm:x:4:\nops:x:1700:\nalice:x:1000:\n",
	  "Other", "devteam docker",
	  false, "", "", "", "devteam docker", "", "Other: no binding for project qa", NULL, false, NULL, false },
	{ "role groups held by hand stay (authoritative = no)", "qa", false, false,
	  "devteam:x:1500:alice\ndocker:x:997:bob,alice\nwheel:x:998:alice\nadm:x:4:\nalice:x:1000:\n",
	  "Other", NULL,
	  false, "", "", "", "", "", "", "devteam docker wheel adm", false, NULL, false },
	{ "authoritative = yes: role groups held by hand go", "qa", false, false,
	  "devteam:x:1500:alice\ndocker:x:997:bob,alice\nwheel:x:998:alice\nadm:x:4:\nalice:x:1000:\n",
	  "Other", NULL,
	  false, "", "", "", "devteam docker wheel", "", "", NULL, true, NULL, false },
	{ "authoritative = no: a granted role group held by hand stays unmanaged", "default", false, false,
	  "wheel:x:998:alice\nadm:x:4:\nalice:x:1000:\n",
	  "Organization Admins", NULL,
	  true, "admin@*", "wheel adm", "adm", "", "adm", "", "wheel", false, NULL, false },
	{ "@* and no @ bind every project; a missing group is skipped", "prod-web", false, false,
	  NULL, "Ops|Organization Admins", NULL,
	  true, "ops@* admin@*", "ops wheel adm", "ops wheel adm", "", "ops wheel adm",
	  "ghost: local group does not exist (role ops)", NULL, false, NULL, false },
	{ "same_name meets protected groups", "default", true, false,
	  NULL, "sudo|docker|ops|nosuch", NULL,
	  true, "", "ops", "ops", "", "ops",
	  "sudo: protected group|docker: protected group|nosuch: no binding", NULL, false, NULL, false },
	{ "same_name off: a local name grants nothing", "default", false, false,
	  NULL, "ops", NULL,
	  false, "", "", "", "", "", "ops: no binding", NULL, false, NULL, false },
	{ "casefold matches a binding key", "prod-web", false, true,
	  NULL, "DEVTEAM", NULL,
	  true, "developer@prod-web", "devteam docker", "devteam docker", "", "devteam docker", "", NULL, false, NULL, false },
	{ "exact does not", "prod-web", false, false,
	  NULL, "DEVTEAM|devteam", NULL,
	  false, "", "", "", "", "", "DEVTEAM: no binding|devteam: no binding", NULL, false, NULL, false },
	{ "casefold same_name finds the local spelling", "default", true, true,
	  NULL, "ADMINS|STAGING", NULL,
	  true, "", "Admins staging", "Admins staging", "", "Admins staging", "", NULL, false, NULL, false },
	{ "hostile names are ignored and never recorded", "prod-web", true, false,
	  NULL, "a:b|a,b|a\nb|a\tb|" LONG40 "|wheel x|DevTeam", NULL,
	  true, "developer@prod-web", "devteam docker", "devteam docker", "", "devteam docker",
	  "a:b: not a valid group name (contains ':' or ',')|a,b: not a valid|"
	  "a?b: not a valid group name (contains a control character)|"
	  LONG40 ": not a valid group name (longer than 32 characters)|"
	  "wheel x: not a valid group name (contains white space)", NULL, false, NULL, false },
	{ "an empty claim strips every managed group, keeps the rest", "default", false, false,
	  "wheel:x:998:alice\ncdrom:x:24:alice\ndevteam:x:1500:bob,alice,carol\nalice:x:1000:alice\n",
	  "", "wheel devteam",
	  false, "", "", "", "wheel devteam", "", "", NULL, false, NULL, false },
	{ "no claim, to the map alone: the same (sync.c refuses before)", "default", false, false,
	  "wheel:x:998:alice\ncdrom:x:24:alice\nalice:x:1000:\n",
	  NULL, "wheel",
	  false, "", "", "", "wheel", "", "", NULL, false, NULL, false },
	{ "a group the ledger added and the IdP dropped is removed", "default", true, false,
	  "staging:x:1600:alice\nops:x:1700:alice\ncdrom:x:24:alice\nalice:x:1000:\n",
	  "ops", "staging ops",
	  true, "", "ops", "", "staging", "ops", "", NULL, false, NULL, false },
	{ "an admin-added membership of an unmanaged group is kept", "prod-web", false, false,
	  "cdrom:x:24:alice\nstaging:x:1600:alice\ndevteam:x:1500:\ndocker:x:997:\nalice:x:1000:\n",
	  "", NULL,
	  false, "", "", "", "", "", "", "cdrom staging", false, NULL, false },
	{ "the primary group is never added", "default", false, false,
	  NULL, "Self", NULL,
	  true, "self@*", "alice", "", "", "", "alice: the user's primary group: never touched", NULL, false, NULL, false },
	{ "the primary group is never removed", "default", false, false,
	  "alice:x:1000:alice\nwheel:x:998:\n", "", "alice",
	  false, "", "", "", "", "alice", "alice: the user's primary group", NULL, false, NULL, false },
	{ "another name for the primary gid is not touched either", "default", false, false,
	  "alice:x:1000:\nwheel:x:1000:alice\n", "", "wheel",
	  false, "", "", "", "", "wheel", "wheel: the user's primary group", NULL, false, NULL, false },
	{ "duplicates in T are harmless", "prod-web", false, false,
	  NULL, "DevTeam|DevTeam|DevTeam", NULL,
	  true, "developer@prod-web", "devteam docker", "devteam docker", "", "devteam docker", "", NULL, false, NULL, false },
	{ "already a member: nothing to add, still managed", "prod-web", false, false,
	  "devteam:x:1500:alice\ndocker:x:997:alice\nalice:x:1000:\n", "DevTeam", "devteam",
	  true, "developer@prod-web", "devteam docker", "", "", "devteam", "", NULL, false, NULL, false },
	{ "an invalid name in the ledger is not managed", "default", false, false,
	  "cdrom:x:24:alice\nalice:x:1000:\n", "", "cdrom,x",
	  false, "", "", "", "", "", "", "cdrom,x cdrom", false, NULL, false },
	{ "a binding to a role that does not exist", "default", false, false,
	  NULL, "Ghosts", NULL,
	  false, "", "", "", "", "", "Ghosts: role nobody does not exist", NULL, false, NULL, false },

	/* same_name grants ordinary groups only */
	{ "same_name refuses system groups, private groups and protected ones", "default", true, false,
	  NULL, "kmem|tty|staff|systemd-journal|nogroup|bob|alice|root|sudo|wheel|ops", NULL,
	  true, "", "ops", "ops", "", "ops",
	  "kmem: GID 15 is outside GID_MIN..GID_MAX (1000..60000)|"
	  "tty: GID 5 is outside|staff: GID 50 is outside|systemd-journal: GID 999 is outside|"
	  "nogroup: GID 65534 is outside|"
	  "bob: GID 1001 is a user's primary group|alice: GID 1000 is a user's primary group|"
	  "root: protected group|sudo: protected group|wheel: protected group",
	  "kmem tty staff systemd-journal nogroup bob root sudo wheel", false, NULL, false },
	{ "same_name alone with dangerous names grants nothing", "default", true, false,
	  NULL, "kmem|tty|staff|bob", NULL,
	  false, "", "", "", "", "", "kmem: GID 15|bob: GID 1001", NULL, false, NULL, false },
	{ "casefold same_name refuses KMEM and BOB too", "default", true, true,
	  NULL, "KMEM|BOB|STAFF", NULL,
	  false, "", "", "", "", "", "KMEM: GID 15 is outside|BOB: GID 1001 is a user's primary", NULL, false, NULL, false },
	{ "same_name within login.defs' range", "default", true, false,
	  NULL, "big|ops|staff|Admins", NULL,
	  true, "", "ops Admins", "ops Admins", "", "ops Admins",
	  "big: GID 5000 is outside GID_MIN..GID_MAX (1500..2000)|staff: GID 50 is outside",
	  "big", false, "# local range\nGID_MIN\t1500\nGID_MAX 2000\n", false },
	{ "same_name, login.defs not understood: grants nothing", "default", true, false,
	  NULL, "ops|Admins", NULL,
	  false, "", "", "", "", "", "ops: same_name grants nothing", NULL, false, NULL, true },
	{ "same_name with an upper bound that allows 65534", "default", true, false,
	  NULL, "nogroup|kmem", NULL,
	  false, "", "", "", "", "", "nogroup: GID 65534 is a user's primary group|kmem: GID 15",
	  NULL, false, "GID_MAX 70000\n", false },
};

static void
add_role(struct pog_config *cfg, const char *name, const char *groups)
{
	struct pog_role *r = realloc(cfg->roles, (cfg->nroles + 1) * sizeof(*r));

	if (r == NULL)
		abort();
	cfg->roles = r;
	memset(&r[cfg->nroles], 0, sizeof(*r));
	r[cfg->nroles].name = strdup(name);
	pog_strv_split(&r[cfg->nroles].groups, groups);
	cfg->nroles++;
}

static void
add_binding(struct pog_config *cfg, const char *key, const char *role, const char *project)
{
	struct pog_binding *b = realloc(cfg->bindings, (cfg->nbindings + 1) * sizeof(*b));

	if (b == NULL)
		abort();
	cfg->bindings = b;
	b[cfg->nbindings].idp_group = strdup(key);
	b[cfg->nbindings].role = strdup(role);
	b[cfg->nbindings].project = project != NULL ? strdup(project) : NULL;
	cfg->nbindings++;
}

static void
make_cfg(struct pog_config *cfg, const struct mcase *c)
{
	memset(cfg, 0, sizeof(*cfg));
	if (pog_cfg_defaults(cfg) != POG_OK)
		abort();
	free(cfg->project);
	cfg->project = strdup(c->project);
	cfg->same_name = c->same_name;
	cfg->authoritative = c->authoritative;
	cfg->match = c->casefold ? POG_MATCH_CASEFOLD : POG_MATCH_EXACT;
	/* The example config's bindings, and a few more */
	add_role(cfg, "admin", "wheel adm");
	add_role(cfg, "developer", "devteam docker");
	add_role(cfg, "ops", "ops ghost");
	add_role(cfg, "self", "alice");
	add_binding(cfg, "Organization Admins", "admin", NULL);
	add_binding(cfg, "DevTeam", "developer", "prod-web");
	add_binding(cfg, "DevTeam", "developer", "staging");
	add_binding(cfg, "Ops", "ops", NULL);
	add_binding(cfg, "Other", "admin", "other-project");
	add_binding(cfg, "Self", "self", NULL);
	add_binding(cfg, "Ghosts", "nobody", NULL);
}

static void
split(struct pog_strv *sv, const char *s, char sep)
{
	while (s != NULL && *s != '\0') {
		const char *e = strchr(s, sep);
		size_t n = e != NULL ? (size_t)(e - s) : strlen(s);

		pog_strv_add_len(sv, s, n);
		s = e != NULL ? e + 1 : NULL;
	}
}

static bool
same_set(const struct pog_strv *got, const char *want, const char *label, const char *what)
{
	struct pog_strv w = { 0 };
	bool ok;

	pog_strv_split(&w, want);
	ok = w.n == got->n;
	for (size_t i = 0; ok && i < w.n; i++)
		ok = pog_strv_contains(got, w.v[i]);
	if (!ok) {
		fprintf(stderr, "[%s] %s: want {%s}, got {", what, label, want);
		for (size_t i = 0; i < got->n; i++)
			fprintf(stderr, "%s%s", i ? " " : "", got->v[i]);
		fprintf(stderr, "}\n");
	}
	pog_strv_free(&w);
	return ok;
}

static void
run_case(const struct mcase *c)
{
	struct pog_config cfg;
	struct pog_grp_db db = { 0 };
	struct pog_strv idp = { 0 }, ledger = { 0 }, subs = { 0 };
	struct pog_map_plan plan = { 0 };
	struct pog_map_input in = { 0 };
	const char *gtext = c->group != NULL ? c->group : base_group;
	const char *defs = c->login_defs != NULL ? c->login_defs : "";
	struct pog_map_sysinfo sys = { 0 };
	gid_t *gids = NULL;
	size_t ngids = 0;

	make_cfg(&cfg, c);
	TC_ERR(pog_map_parse_login_defs(defs, strlen(defs), &sys.gid_min, &sys.gid_max,
					  NULL), POG_OK);
	TC_ERR(pog_map_parse_passwd_gids(base_passwd, strlen(base_passwd), &gids, &ngids,
					   NULL), POG_OK);
	sys.user_gids = gids;
	sys.n_user_gids = ngids;
	TC_ERR(pog_grp_db_parse(&db, POG_GRP_GROUP, gtext, strlen(gtext)), POG_OK);
	if (c->idp != NULL)
		split(&idp, c->idp, '|');
	if (c->ledger != NULL)
		pog_strv_split(&ledger, c->ledger);
	in.cfg = &cfg;
	in.idp_groups = c->idp != NULL ? &idp : NULL;
	in.user = "alice";
	in.primary_gid = 1000;
	in.ledger_managed = &ledger;
	in.group_db = &db;
	in.sys = c->no_sys ? NULL : &sys;
	TC_ERR(pog_map_plan(&in, &plan), POG_OK);

	if (plan.granted != c->granted)
		fprintf(stderr, "[%s] granted: want %d\n", c->what, c->granted);
	TC_EQ_INT(plan.granted, c->granted);
	TC_CHECK(same_set(&plan.roles, c->roles, "roles", c->what));
	TC_CHECK(same_set(&plan.desired, c->desired, "desired", c->what));
	TC_CHECK(same_set(&plan.add, c->add, "add", c->what));
	TC_CHECK(same_set(&plan.remove, c->remove, "remove", c->what));
	TC_CHECK(same_set(&plan.managed_after, c->managed_after, "managed_after", c->what));
	split(&subs, c->ignored, '|');
	for (size_t i = 0; i < subs.n; i++) {
		bool found = false;

		for (size_t j = 0; j < plan.ignored.n && !found; j++)
			found = strstr(plan.ignored.v[j], subs.v[i]) != NULL;
		if (!found) {
			fprintf(stderr, "[%s] ignored lacks \"%s\"; it has:\n", c->what, subs.v[i]);
			for (size_t j = 0; j < plan.ignored.n; j++)
				fprintf(stderr, "    %s\n", plan.ignored.v[j]);
		}
		TC_CHECK(found);
	}
	if (c->not_managed != NULL) {
		struct pog_strv nm = { 0 };

		pog_strv_split(&nm, c->not_managed);
		for (size_t i = 0; i < nm.n; i++)
			TC_CHECK(!pog_strv_contains(&plan.managed, nm.v[i]));
		pog_strv_free(&nm);
	}
	/* what the plan says is safe to print and to record */
	for (size_t i = 0; i < plan.ignored.n; i++)
		for (const char *p = plan.ignored.v[i]; *p != '\0'; p++)
			TC_CHECK((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f);
	for (size_t i = 0; i < plan.idp_record.n; i++) {
		const char *r = plan.idp_record.v[i];

		TC_CHECK(strchr(r, ':') == NULL && strchr(r, ',') == NULL &&
			 strchr(r, '\n') == NULL && strlen(r) <= 64);
	}
	/* D \ current and current ∩ M \ D never meet, and never the primary group */
	for (size_t i = 0; i < plan.add.n; i++) {
		TC_CHECK(!pog_strv_contains(&plan.remove, plan.add.v[i]));
		TC_CHECK(pog_strv_contains(&plan.desired, plan.add.v[i]));
		TC_CHECK(pog_grp_db_find(&db, plan.add.v[i])->gid != 1000);
	}
	for (size_t i = 0; i < plan.remove.n; i++) {
		TC_CHECK(pog_strv_contains(&plan.managed, plan.remove.v[i]));
		TC_CHECK(pog_grp_db_find(&db, plan.remove.v[i])->gid != 1000);
	}
	/* M: the ledger's, plus [roles] only when authoritative */
	for (size_t i = 0; i < plan.managed.n; i++)
		TC_CHECK(pog_strv_contains(&ledger, plan.managed.v[i]) ||
			 (c->authoritative && (strcmp(plan.managed.v[i], "wheel") == 0 ||
			  strcmp(plan.managed.v[i], "adm") == 0 ||
			  strcmp(plan.managed.v[i], "devteam") == 0 ||
			  strcmp(plan.managed.v[i], "docker") == 0 ||
			  strcmp(plan.managed.v[i], "ops") == 0 ||
			  strcmp(plan.managed.v[i], "ghost") == 0 ||
			  strcmp(plan.managed.v[i], "alice") == 0)));
	TC_CHECK(!plan.capped && plan.kept.n == 0);

	pog_map_plan_free(&plan);
	pog_strv_free(&idp);
	pog_strv_free(&ledger);
	pog_strv_free(&subs);
	pog_grp_db_free(&db);
	pog_cfg_free(&cfg);
	free(gids);
}

/* The hostile names: none of them reaches idp_record. */
static void
test_record(void)
{
	struct pog_config cfg;
	struct pog_grp_db db = { 0 };
	struct pog_strv idp = { 0 };
	struct pog_map_plan plan = { 0 };
	struct pog_map_input in = { 0 };
	const struct mcase *c = NULL;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (strncmp(cases[i].what, "hostile names", 13) == 0)
			c = &cases[i];
	TC_CHECK(c != NULL);
	if (c == NULL)
		return;

	make_cfg(&cfg, c);
	TC_ERR(pog_grp_db_parse(&db, POG_GRP_GROUP, base_group, strlen(base_group)), POG_OK);
	split(&idp, "a:b|DevTeam|Everyone|Organization Admins|" LONG40, '|');
	in.cfg = &cfg;
	in.idp_groups = &idp;
	in.user = "alice";
	in.primary_gid = 1000;
	in.group_db = &db;
	TC_ERR(pog_map_plan(&in, &plan), POG_OK);
	TC_EQ_INT(plan.idp_record.n, 3);
	TC_CHECK(pog_strv_contains(&plan.idp_record, "DevTeam"));
	TC_CHECK(pog_strv_contains(&plan.idp_record, "Everyone"));
	TC_CHECK(pog_strv_contains(&plan.idp_record, "Organization Admins"));
	TC_EQ_INT(plan.warnings.n, 2);   /* a:b and the long one; "Everyone" is only info */
	pog_map_plan_free(&plan);
	pog_strv_free(&idp);
	pog_grp_db_free(&db);
	pog_cfg_free(&cfg);
}

/* The example config, through the real config parser. */
static void
test_spec_example(void)
{
	static const char conf[] =
		"[okta]\n"
		"issuer = https://dev-123456.okta.com/oauth2/default\n"
		"client_id = 0oa1b2c3d4e5\n"
		"[groups]\n"
		"mode = persistent\n"
		"project = prod-web\n"
		"same_name = no\n"
		"match = exact\n"
		"on_no_binding = deny\n"
		"[roles]\n"
		"; role = local groups\n"
		"admin = wheel adm\n"
		"developer = devteam docker\n"
		"[bindings]\n"
		"; IdP group = role[@project] ...\n"
		"Organization Admins = admin\n"
		"DevTeam = developer@prod-web developer@staging\n";
	struct pog_config cfg;
	struct pog_grp_db db = { 0 };
	struct pog_strv idp = { 0 };
	struct pog_map_plan plan = { 0 };
	struct pog_map_input in = { 0 };
	char *msg = NULL;
	pog_err err;

	memset(&cfg, 0, sizeof(cfg));
	err = pog_cfg_parse(&cfg, "spec.conf", conf, strlen(conf), &msg);
	if (err != POG_OK)
		fprintf(stderr, "SPEC example config: %s\n", msg != NULL ? msg : "?");
	TC_ERR(err, POG_OK);
	free(msg);
	if (err != POG_OK)
		return;
	TC_ERR(pog_grp_db_parse(&db, POG_GRP_GROUP, base_group, strlen(base_group)), POG_OK);
	split(&idp, "Organization Admins|DevTeam|Everyone", '|');
	in.cfg = &cfg;
	in.idp_groups = &idp;
	in.user = "alice";
	in.primary_gid = 1000;
	in.group_db = &db;
	TC_ERR(pog_map_plan(&in, &plan), POG_OK);
	TC_CHECK(plan.granted);
	TC_CHECK(same_set(&plan.roles, "admin@* developer@prod-web", "roles", "spec"));
	TC_CHECK(same_set(&plan.desired, "wheel adm devteam docker", "desired", "spec"));
	TC_CHECK(same_set(&plan.add, "wheel adm devteam docker", "add", "spec"));
	TC_CHECK(same_set(&plan.managed, "", "managed", "spec"));
	TC_CHECK(same_set(&plan.managed_after, "wheel adm devteam docker", "managed_after", "spec"));
	TC_EQ_INT(plan.bindings.n, 2);
	TC_CHECK(pog_strv_contains(&plan.bindings, "Organization Admins = admin@*"));
	TC_CHECK(pog_strv_contains(&plan.bindings, "DevTeam = developer@prod-web"));
	pog_map_plan_free(&plan);

	/* authoritative = yes: every group of [roles] is managed */
	cfg.authoritative = true;
	TC_ERR(pog_map_plan(&in, &plan), POG_OK);
	TC_CHECK(same_set(&plan.managed, "wheel adm devteam docker", "managed", "spec authoritative"));
	pog_map_plan_free(&plan);
	cfg.authoritative = false;

	/* the same user on staging's project: only DevTeam binds, with another role@project */
	free(cfg.project);
	cfg.project = strdup("staging");
	TC_ERR(pog_map_plan(&in, &plan), POG_OK);
	TC_CHECK(same_set(&plan.roles, "admin@* developer@staging", "roles", "spec staging"));
	pog_map_plan_free(&plan);

	pog_strv_free(&idp);
	pog_grp_db_free(&db);
	pog_cfg_free(&cfg);
}

/* A list at the provider's cap may be cut: grant, but remove nothing. */
static void
test_capped(void)
{
	static const char group[] =
		"devteam:x:1500:\ndocker:x:997:\nstaging:x:1600:alice\nops:x:1700:alice\n"
		"wheel:x:998:alice\nalice:x:1000:\n";
	const size_t sizes[] = { POG_MAP_GROUPS_CAP - 1, POG_MAP_GROUPS_CAP, 150 };

	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		struct mcase c = { .what = "capped", .project = "prod-web" };
		struct pog_config cfg;
		struct pog_grp_db db = { 0 };
		struct pog_strv idp = { 0 }, ledger = { 0 };
		struct pog_map_plan plan = { 0 };
		struct pog_map_input in = { 0 };
		bool capped = sizes[k] >= POG_MAP_GROUPS_CAP;

		make_cfg(&cfg, &c);
		cfg.authoritative = true;       /* wheel is managed too, and still kept */
		TC_ERR(pog_grp_db_parse(&db, POG_GRP_GROUP, group, strlen(group)), POG_OK);
		pog_strv_add(&idp, "DevTeam");
		for (size_t i = 1; i < sizes[k]; i++) {
			char name[32];

			snprintf(name, sizeof(name), "okta-%03zu", i);
			pog_strv_add(&idp, name);
		}
		pog_strv_split(&ledger, "staging ops");
		in.cfg = &cfg;
		in.idp_groups = &idp;
		in.user = "alice";
		in.primary_gid = 1000;
		in.ledger_managed = &ledger;
		in.group_db = &db;
		TC_ERR(pog_map_plan(&in, &plan), POG_OK);
		if (plan.capped != capped)
			fprintf(stderr, "[capped] %zu groups: capped %d\n", sizes[k], plan.capped);
		TC_EQ_INT(plan.capped, capped);
		TC_CHECK(same_set(&plan.add, "devteam docker", "add", "capped"));
		TC_CHECK(same_set(&plan.remove, capped ? "" : "staging ops wheel", "remove", "capped"));
		TC_CHECK(same_set(&plan.kept, capped ? "staging ops wheel" : "", "kept", "capped"));
		TC_CHECK(same_set(&plan.managed_after, capped ? "devteam docker staging ops" :
				  "devteam docker", "managed_after", "capped"));
		pog_map_plan_free(&plan);
		pog_strv_free(&idp);
		pog_strv_free(&ledger);
		pog_grp_db_free(&db);
		pog_cfg_free(&cfg);
	}
}

struct defs_case {
	const char *text;
	size_t len;             /* 0: strlen */
	bool ok;
	unsigned min, max;
	const char *msg;        /* a substring of the error */
};

static const struct defs_case defs_cases[] = {
	{ "", 0, true, 1000, 60000, NULL },
	{ "GID_MIN 500\nGID_MAX 2000\n", 0, true, 500, 2000, NULL },
	{ "# GID_MIN 5\n\n  GID_MIN\t\t2000  \nUID_MIN 7\n", 0, true, 2000, 60000, NULL },
	{ "GID_MIN \"1500\"\n", 0, true, 1500, 60000, NULL },
	{ "GID_MIN 0x3e8\nGID_MAX 070000\n", 0, true, 1000, 28672, NULL },   /* strtoul base 0 */
	{ "GID_MIN 100\nGID_MIN 200\n", 0, true, 200, 60000, NULL },          /* the last wins */
	{ "GID_MIN 1000\r\nGID_MAX 3000\r\n", 0, true, 1000, 3000, NULL },
	{ "GID_MIN\nGID_MAX\n", 0, true, 1000, 60000, NULL },                 /* no value: skipped */
	{ "gid_min 5\nGID_MINIMUM 5\n#GID_MAX 5\n", 0, true, 1000, 60000, NULL },
	{ "GID_MIN 4294967294\nGID_MAX 4294967294", 0, true, 4294967294u, 4294967294u, NULL },
	{ "GID_MIN 10abc\n", 0, false, 0, 0, "line 1: GID_MIN: \"10abc\"" },
	{ "\nGID_MAX -5\n", 0, false, 0, 0, "line 2: GID_MAX" },
	{ "GID_MIN +5\n", 0, false, 0, 0, "GID_MIN" },
	{ "GID_MIN 1000 # the first\n", 0, false, 0, 0, "GID_MIN" },
	{ "GID_MIN 4294967295\n", 0, false, 0, 0, "GID_MIN" },
	{ "GID_MAX 99999999999999999999999\n", 0, false, 0, 0, "GID_MAX" },
	{ "GID_MIN \"\"\n", 0, false, 0, 0, "GID_MIN" },
	{ "GID_MIN 2000\nGID_MAX 1000\n", 0, false, 0, 0, "greater than" },
	{ "GID_MAX 500\n", 0, false, 0, 0, "GID_MIN 1000 is greater than GID_MAX 500" },
	{ "GID_MIN 1\0002\n", 11, false, 0, 0, "GID_MIN" },
};

static void
test_login_defs(void)
{
	for (size_t i = 0; i < sizeof(defs_cases) / sizeof(defs_cases[0]); i++) {
		const struct defs_case *d = &defs_cases[i];
		size_t len = d->len != 0 ? d->len : strlen(d->text);
		gid_t mn = 7, mx = 7;
		char *msg = NULL;
		pog_err err = pog_map_parse_login_defs(d->text, len, &mn, &mx, &msg);

		if ((err == POG_OK) != d->ok || (d->ok && (mn != d->min || mx != d->max)) ||
		    (!d->ok && (msg == NULL || strstr(msg, d->msg) == NULL)))
			fprintf(stderr, "login.defs case %zu: err %d min %u max %u msg %s\n", i,
				(int)err, (unsigned)mn, (unsigned)mx, msg != NULL ? msg : "-");
		TC_EQ_INT((err == POG_OK), d->ok);
		if (d->ok)
			TC_CHECK(mn == d->min && mx == d->max);
		else
			TC_CHECK(msg != NULL && strstr(msg, d->msg) != NULL && mn == 7 && mx == 7);
		free(msg);
	}
	{
		gid_t mn = 0, mx = 0;

		TC_ERR(pog_map_parse_login_defs(NULL, 0, &mn, &mx, NULL), POG_OK);
		TC_EQ_INT(mn, 1000);
		TC_EQ_INT(mx, 60000);
	}
}

struct pw_case {
	const char *text;
	bool ok;
	const char *gids;       /* blank-separated, sorted */
	const char *msg;
};

static const struct pw_case pw_cases[] = {
	{ "", true, "", NULL },
	{ "root:x:0:0:root:/root:/bin/bash\nbob:x:1001:1001::/home/bob:/bin/sh\n", true, "0 1001", NULL },
	{ "a:x:5:7::/:/bin/sh\nb:x:6:3::/:/\nc:x:7:7::/:/\n", true, "3 7", NULL },
	{ "# comment\n\n   \na:x:1:2", true, "2", NULL },
	{ "a:x:1:2\nb:x:5\n", false, NULL, "line 2" },
	{ "a:x:5:\n", false, NULL, "line 1" },
	{ "a:x:5:12x::/:/\n", false, NULL, "line 1" },
	{ "a:x:5:-1::/:/\n", false, NULL, "line 1" },
	{ "a:x:5:0x10::/:/\n", false, NULL, "line 1" },
	{ "a:x:5:4294967295::/:/\n", false, NULL, "line 1" },
	{ "+::::::\n", false, NULL, "line 1" },
	{ "nocolons\n", false, NULL, "line 1" },
};

static void
test_passwd(void)
{
	for (size_t i = 0; i < sizeof(pw_cases) / sizeof(pw_cases[0]); i++) {
		const struct pw_case *c = &pw_cases[i];
		gid_t *g = NULL;
		size_t n = 0;
		char *msg = NULL;
		pog_err err = pog_map_parse_passwd_gids(c->text, strlen(c->text), &g, &n, &msg);
		char got[256] = "";

		for (size_t j = 0; err == POG_OK && j < n; j++)
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%u", j ? " " : "",
				 (unsigned)g[j]);
		if ((err == POG_OK) != c->ok || (c->ok && strcmp(got, c->gids) != 0) ||
		    (!c->ok && (msg == NULL || strstr(msg, c->msg) == NULL)))
			fprintf(stderr, "passwd case %zu: err %d gids {%s} msg %s\n", i, (int)err,
				got, msg != NULL ? msg : "-");
		TC_EQ_INT((err == POG_OK), c->ok);
		if (c->ok)
			TC_STREQ(got, c->gids);
		else
			TC_CHECK(msg != NULL && strstr(msg, c->msg) != NULL);
		free(g);
		free(msg);
	}
}

static void
test_bad_input(void)
{
	struct pog_map_plan plan = { 0 };
	struct pog_map_input in = { 0 };

	TC_ERR(pog_map_plan(NULL, &plan), POG_ERR_INVALID);
	TC_ERR(pog_map_plan(&in, &plan), POG_ERR_INVALID);
	pog_map_plan_free(NULL);
}

int
main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	test_record();
	test_capped();
	test_login_defs();
	test_passwd();
	test_spec_example();
	test_bad_input();
	TC_DONE();
}
