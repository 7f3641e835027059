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

/* alice is uid 1000, primary gid 1000 (group "alice"). */
static const char base_group[] =
	"root:x:0:\n"
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
};

#define LONG40 "abcdefghijabcdefghijabcdefghijabcdefghij"

static const struct mcase cases[] = {
	{ "SPEC: Organization Admins = admin (a key with a space)", "default", false, false,
	  NULL, "Organization Admins", NULL,
	  true, "admin@*", "wheel adm", "wheel adm", "", "wheel adm", "", NULL },
	{ "SPEC: DevTeam on prod-web", "prod-web", false, false,
	  NULL, "DevTeam|Everyone", NULL,
	  true, "developer@prod-web", "devteam docker", "devteam docker", "", "devteam docker",
	  "Everyone: no binding", NULL },
	{ "SPEC: DevTeam on staging", "staging", false, false,
	  NULL, "DevTeam", NULL,
	  true, "developer@staging", "devteam docker", "devteam docker", "", "devteam docker", "", NULL },
	{ "a binding for another project grants nothing", "default", false, false,
	  NULL, "DevTeam", NULL,
	  false, "", "", "", "", "", "DevTeam: no binding for project default", NULL },
	{ "another project only, while the user holds role groups", "qa", false, false,
	  "devteam:x:1500:alice\ndocker:x:997:bob,alice\nwheel:x:998:\nadm:x:4:\nops:x:1700:\nalice:x:1000:\n",
	  "Other", NULL,
	  false, "", "", "", "devteam docker", "", "Other: no binding for project qa", NULL },
	{ "@* and no @ bind every project; a missing group is skipped", "prod-web", false, false,
	  NULL, "Ops|Organization Admins", NULL,
	  true, "ops@* admin@*", "ops wheel adm", "ops wheel adm", "", "ops wheel adm",
	  "ghost: local group does not exist (role ops)", NULL },
	{ "same_name meets protected groups", "default", true, false,
	  NULL, "sudo|docker|ops|nosuch", NULL,
	  true, "", "ops", "ops", "", "ops",
	  "sudo: protected group|docker: protected group|nosuch: no binding", NULL },
	{ "same_name off: a local name grants nothing", "default", false, false,
	  NULL, "ops", NULL,
	  false, "", "", "", "", "", "ops: no binding", NULL },
	{ "casefold matches a binding key", "prod-web", false, true,
	  NULL, "DEVTEAM", NULL,
	  true, "developer@prod-web", "devteam docker", "devteam docker", "", "devteam docker", "", NULL },
	{ "exact does not", "prod-web", false, false,
	  NULL, "DEVTEAM|devteam", NULL,
	  false, "", "", "", "", "", "DEVTEAM: no binding|devteam: no binding", NULL },
	{ "casefold same_name finds the local spelling", "default", true, true,
	  NULL, "ADMINS|STAGING", NULL,
	  true, "", "Admins staging", "Admins staging", "", "Admins staging", "", NULL },
	{ "hostile names are ignored and never recorded", "prod-web", true, false,
	  NULL, "a:b|a,b|a\nb|a\tb|" LONG40 "|wheel x|DevTeam", NULL,
	  true, "developer@prod-web", "devteam docker", "devteam docker", "", "devteam docker",
	  "a:b: not a valid group name (contains ':' or ',')|a,b: not a valid|"
	  "a?b: not a valid group name (contains a control character)|"
	  LONG40 ": not a valid group name (longer than 32 characters)|"
	  "wheel x: not a valid group name (contains white space)", NULL },
	{ "an empty claim strips every managed group, keeps the rest", "default", false, false,
	  "wheel:x:998:alice\ncdrom:x:24:alice\ndevteam:x:1500:bob,alice,carol\nalice:x:1000:alice\n",
	  "", NULL,
	  false, "", "", "", "wheel devteam", "", "", NULL },
	{ "no claim at all: the same", "default", false, false,
	  "wheel:x:998:alice\ncdrom:x:24:alice\nalice:x:1000:\n",
	  NULL, NULL,
	  false, "", "", "", "wheel", "", "", NULL },
	{ "a group the ledger added and the IdP dropped is removed", "default", true, false,
	  "staging:x:1600:alice\nops:x:1700:alice\ncdrom:x:24:alice\nalice:x:1000:\n",
	  "ops", "staging ops",
	  true, "", "ops", "", "staging", "ops", "", NULL },
	{ "an admin-added membership of an unmanaged group is kept", "prod-web", false, false,
	  "cdrom:x:24:alice\nstaging:x:1600:alice\ndevteam:x:1500:\ndocker:x:997:\nalice:x:1000:\n",
	  "", NULL,
	  false, "", "", "", "", "", "", "cdrom staging" },
	{ "the primary group is never added", "default", false, false,
	  NULL, "Self", NULL,
	  true, "self@*", "alice", "", "", "", "alice: the user's primary group: never touched", NULL },
	{ "the primary group is never removed", "default", false, false,
	  "alice:x:1000:alice\nwheel:x:998:\n", "", NULL,
	  false, "", "", "", "", "", "alice: the user's primary group", NULL },
	{ "another name for the primary gid is not touched either", "default", false, false,
	  "alice:x:1000:\nwheel:x:1000:alice\n", "", NULL,
	  false, "", "", "", "", "", "wheel: the user's primary group", NULL },
	{ "duplicates in T are harmless", "prod-web", false, false,
	  NULL, "DevTeam|DevTeam|DevTeam", NULL,
	  true, "developer@prod-web", "devteam docker", "devteam docker", "", "devteam docker", "", NULL },
	{ "already a member: nothing to add, still managed", "prod-web", false, false,
	  "devteam:x:1500:alice\ndocker:x:997:alice\nalice:x:1000:\n", "DevTeam", "devteam",
	  true, "developer@prod-web", "devteam docker", "", "", "devteam", "", NULL },
	{ "an invalid name in the ledger is not managed", "default", false, false,
	  "cdrom:x:24:alice\nalice:x:1000:\n", "", "cdrom,x",
	  false, "", "", "", "", "", "", "cdrom,x cdrom" },
	{ "a binding to a role that does not exist", "default", false, false,
	  NULL, "Ghosts", NULL,
	  false, "", "", "", "", "", "Ghosts: role nobody does not exist", NULL },
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
	cfg->match = c->casefold ? POG_MATCH_CASEFOLD : POG_MATCH_EXACT;
	/* SPEC.md's example, and a few more */
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

	make_cfg(&cfg, c);
	TC_CHECK(pog_grp_db_parse(&db, POG_GRP_GROUP, gtext, strlen(gtext)) == POG_OK);
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
	TC_CHECK(pog_map_plan(&in, &plan) == POG_OK);

	if (plan.granted != c->granted)
		fprintf(stderr, "[%s] granted: want %d\n", c->what, c->granted);
	TC_CHECK(plan.granted == c->granted);
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
	/* D ∩ M \ current and current ∩ M \ D never meet, and never the primary group */
	for (size_t i = 0; i < plan.add.n; i++) {
		TC_CHECK(!pog_strv_contains(&plan.remove, plan.add.v[i]));
		TC_CHECK(pog_strv_contains(&plan.managed, plan.add.v[i]));
		TC_CHECK(pog_grp_db_find(&db, plan.add.v[i])->gid != 1000);
	}
	for (size_t i = 0; i < plan.remove.n; i++) {
		TC_CHECK(pog_strv_contains(&plan.managed, plan.remove.v[i]));
		TC_CHECK(pog_grp_db_find(&db, plan.remove.v[i])->gid != 1000);
	}

	pog_map_plan_free(&plan);
	pog_strv_free(&idp);
	pog_strv_free(&ledger);
	pog_strv_free(&subs);
	pog_grp_db_free(&db);
	pog_cfg_free(&cfg);
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
	const struct mcase *c = &cases[11];

	make_cfg(&cfg, c);
	TC_CHECK(pog_grp_db_parse(&db, POG_GRP_GROUP, base_group, strlen(base_group)) == POG_OK);
	split(&idp, "a:b|DevTeam|Everyone|Organization Admins|" LONG40, '|');
	in.cfg = &cfg;
	in.idp_groups = &idp;
	in.user = "alice";
	in.primary_gid = 1000;
	in.group_db = &db;
	TC_CHECK(pog_map_plan(&in, &plan) == POG_OK);
	TC_CHECK(plan.idp_record.n == 3);
	TC_CHECK(pog_strv_contains(&plan.idp_record, "DevTeam"));
	TC_CHECK(pog_strv_contains(&plan.idp_record, "Everyone"));
	TC_CHECK(pog_strv_contains(&plan.idp_record, "Organization Admins"));
	TC_CHECK(plan.warnings.n == 2);   /* a:b and the long one; "Everyone" is only info */
	pog_map_plan_free(&plan);
	pog_strv_free(&idp);
	pog_grp_db_free(&db);
	pog_cfg_free(&cfg);
}

/* SPEC.md's example config, through the real config parser. */
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
	TC_CHECK(err == POG_OK);
	free(msg);
	if (err != POG_OK)
		return;
	TC_CHECK(pog_grp_db_parse(&db, POG_GRP_GROUP, base_group, strlen(base_group)) == POG_OK);
	split(&idp, "Organization Admins|DevTeam|Everyone", '|');
	in.cfg = &cfg;
	in.idp_groups = &idp;
	in.user = "alice";
	in.primary_gid = 1000;
	in.group_db = &db;
	TC_CHECK(pog_map_plan(&in, &plan) == POG_OK);
	TC_CHECK(plan.granted);
	TC_CHECK(same_set(&plan.roles, "admin@* developer@prod-web", "roles", "spec"));
	TC_CHECK(same_set(&plan.desired, "wheel adm devteam docker", "desired", "spec"));
	TC_CHECK(same_set(&plan.add, "wheel adm devteam docker", "add", "spec"));
	TC_CHECK(same_set(&plan.managed, "wheel adm devteam docker", "managed", "spec"));
	TC_CHECK(plan.bindings.n == 2);
	TC_CHECK(pog_strv_contains(&plan.bindings, "Organization Admins = admin@*"));
	TC_CHECK(pog_strv_contains(&plan.bindings, "DevTeam = developer@prod-web"));
	pog_map_plan_free(&plan);

	/* the same user on staging's project: only DevTeam binds, with another role@project */
	free(cfg.project);
	cfg.project = strdup("staging");
	TC_CHECK(pog_map_plan(&in, &plan) == POG_OK);
	TC_CHECK(same_set(&plan.roles, "admin@* developer@staging", "roles", "spec staging"));
	pog_map_plan_free(&plan);

	pog_strv_free(&idp);
	pog_grp_db_free(&db);
	pog_cfg_free(&cfg);
}

static void
test_bad_input(void)
{
	struct pog_map_plan plan = { 0 };
	struct pog_map_input in = { 0 };

	TC_CHECK(pog_map_plan(NULL, &plan) == POG_ERR_INVALID);
	TC_CHECK(pog_map_plan(&in, &plan) == POG_ERR_INVALID);
	pog_map_plan_free(NULL);
}

int
main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	test_record();
	test_spec_example();
	test_bad_input();
	TC_DONE();
}
