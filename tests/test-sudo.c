/*
 * test-sudo.c - sudo rules from roles: the [sudo] section of the config
 * (cfg.c), the pure part (sudo.c: which rules, the file's text, what
 * changed, the @includedir check), and, as root with visudo, the file
 * edit of sudoers.c over a temp sudoers folder.
 */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg.h"
#include "sudo.h"
#include "sudoers.h"
#include "tcheck.h"
#include "util.h"

#define MIN "[okta]\nissuer = https://idp.example/oauth2/default\nclient_id = abc\n" \
	"[roles]\nadmin = wheel adm\ndeveloper = devteam\nviewer = audio\n"

#define HDR POG_SUDO_HEADER

static char *
parse(const char *text, struct pog_config *cfg)
{
	char *msg = NULL;

	if (pog_cfg_parse(cfg, "t.conf", text, strlen(text), &msg) == POG_OK)
		return NULL;
	return msg != NULL ? msg : strdup("?");
}

static void
test_cfg(void)
{
	static const struct {
		const char *text;
		const char *err;        /* NULL: parses */
	} cases[] = {
		{ MIN "[sudo]\nadmin = ALL=(ALL:ALL) ALL\n", NULL },
		{ "[sudo]\nadmin = ALL=(ALL:ALL) ALL\n" MIN, NULL },     /* before [roles] */
		{ MIN "[sudo]\nnobody = ALL=(ALL) ALL\n",
		  "t.conf:9: [sudo] nobody: unknown role (not in [roles])" },
		{ MIN "[sudo]\nadmin = ALL=(ALL) ALL\nadmin = ALL=(root) /bin/true\n",
		  "t.conf:10: [sudo] admin: duplicate key: a role carries one sudo rule" },
		{ MIN "[sudo]\nadmin = , bob ALL=(ALL) ALL\n",
		  "t.conf:9: [sudo] admin: a sudo rule may not start with ',' or end with '\\' "
		  "(it would reach past this user's entry)" },
		{ MIN "[sudo]\nadmin = ALL=(ALL) ALL \\\n",
		  "t.conf:9: [sudo] admin: a sudo rule may not start with ',' or end with '\\' "
		  "(it would reach past this user's entry)" },
		{ MIN "[sudo]\nadmin = ALL=(ALL) \x01ALL\n",
		  "t.conf:9: [sudo] admin: a sudo rule must be one line of printable ASCII" },
		{ MIN "[sudo]\nadmin = ALL=(ALL) \xc3\xa9\n",
		  "t.conf:9: [sudo] admin: a sudo rule must be one line of printable ASCII" },
		{ MIN "[sudo]\nadmin =\n",
		  "t.conf:9: [sudo] admin: a sudo rule must be one line of printable ASCII" },
		{ MIN "[sudo]\nad/min = ALL\n",
		  "t.conf:9: [sudo] ad/min: a role name must be of A-Z a-z 0-9 . _ -" },
		{ MIN "[groups]\nsudoers_dir = relative\n",
		  "t.conf:9: [groups] sudoers_dir: 'relative' must be an absolute path" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pog_config cfg;
		char *msg = parse(cases[i].text, &cfg);

		if (cases[i].err == NULL) {
			TC_STREQ(msg != NULL ? msg : "ok", "ok");
			pog_cfg_free(&cfg);
		} else {
			TC_STREQ(msg != NULL ? msg : "parsed", cases[i].err);
		}
		free(msg);
	}
	{
		struct pog_config cfg;
		char *msg = parse(MIN "[sudo]\nadmin = ALL=(ALL:ALL) ALL\n", &cfg);

		TC_CHECK(msg == NULL);
		if (msg == NULL) {
			TC_STREQ(cfg.sudoers_dir, "/etc/sudoers.d");
			TC_EQ_INT(cfg.nsudo, 1);
			TC_EQ_INT(cfg.sudo[0].line, 9);
			TC_STREQ(pog_cfg_sudo(&cfg, "admin")->rule, "ALL=(ALL:ALL) ALL");
			TC_CHECK(pog_cfg_sudo(&cfg, "developer") == NULL);
			pog_cfg_free(&cfg);
		}
		free(msg);
	}
}

static void
join(char *buf, size_t size, const struct pog_strv *sv)
{
	buf[0] = '\0';
	for (size_t i = 0; i < sv->n; i++)
		snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", i ? "," : "", sv->v[i]);
	if (sv->n == 0)
		snprintf(buf, size, "-");
}

static void
split(struct pog_strv *sv, const char *s)
{
	if (pog_strv_split(sv, s) != POG_OK)
		abort();
}

#define RULES MIN "[sudo]\ndeveloper = ALL=(root) /usr/bin/systemctl restart app.service\n" \
	"admin = ALL=(ALL:ALL) ALL\n"

static void
test_pure(void)
{
	static const struct {
		const char *plan_roles;        /* "role@project" of B */
		const char *roles;             /* pog_sudo_roles, [sudo] order */
		const char *text;              /* NULL: no file */
	} cases[] = {
		{ "", "-", NULL },
		{ "viewer@*", "-", NULL },
		{ "admin@prod-web", "admin", HDR "alice ALL=(ALL:ALL) ALL\n" },
		{ "admin@* developer@prod-web viewer@*", "developer,admin",
		  HDR "alice ALL=(root) /usr/bin/systemctl restart app.service\n"
		  "alice ALL=(ALL:ALL) ALL\n" },
		{ "admin@a admin@b", "admin", HDR "alice ALL=(ALL:ALL) ALL\n" },
		{ "administrator@*", "-", NULL },         /* a prefix is not the role */
	};
	struct pog_config cfg;
	char *msg = parse(RULES, &cfg);

	TC_CHECK(msg == NULL);
	if (msg != NULL) {
		fprintf(stderr, "%s\n", msg);
		free(msg);
		return;
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pog_strv plan = { 0 }, roles = { 0 };
		char got[256], *text = NULL;

		split(&plan, cases[i].plan_roles);
		TC_CHECK(pog_sudo_roles(&cfg, &plan, &roles) == POG_OK);
		join(got, sizeof(got), &roles);
		TC_STREQ(got, cases[i].roles);
		TC_CHECK(pog_sudo_text(&cfg, "alice", &roles, &text) == POG_OK);
		if (cases[i].text == NULL)
			TC_CHECK(text == NULL);
		else
			TC_STREQ(text, cases[i].text);
		free(text);
		pog_strv_free(&plan);
		pog_strv_free(&roles);
	}

	/* names sudo could misread get no file */
	static const struct {
		const char *user;
		bool ok;
	} names[] = {
		{ "alice", true }, { "svc_x-1", true }, { "%admin", false }, { "+net", false },
		{ "#0", false }, { "al.ice", false }, { "alice~", false }, { "Alice", false },
		{ "a b", false }, { "a/b", false }, { "", false }, { "-x", false },
		{ "ALL", false },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct pog_strv roles = { 0 };
		char *text = NULL;

		TC_EQ_INT(pog_sudo_user_valid(names[i].user), names[i].ok);
		split(&roles, "admin");
		TC_EQ_INT(pog_sudo_text(&cfg, names[i].user, &roles, &text),
			  names[i].ok ? POG_OK : POG_ERR_INVALID);
		free(text);
		pog_strv_free(&roles);
	}

	/* what an existing file holds, by role name, and the diff */
	static const struct {
		const char *old;
		const char *now;
		const char *added, *removed;
	} diffs[] = {
		{ NULL, "admin", "admin", "-" },
		{ HDR "alice ALL=(ALL:ALL) ALL\n", "", "-", "admin" },
		{ HDR "alice ALL=(ALL:ALL) ALL\n", "admin", "-", "-" },
		{ HDR "alice ALL=(ALL:ALL) ALL\n", "developer", "developer", "admin" },
		{ HDR "alice ALL=(ALL) NOPASSWD: ALL\n", "admin", "admin", "?" },   /* edited */
		{ HDR "bob ALL=(ALL:ALL) ALL\n", "admin", "admin", "?" },           /* not hers */
		{ HDR "\nalice ALL=(ALL:ALL) ALL", "admin", "-", "-" },             /* no last newline */
	};
	for (size_t i = 0; i < sizeof(diffs) / sizeof(diffs[0]); i++) {
		struct pog_strv before = { 0 }, now = { 0 }, a = { 0 }, r = { 0 };
		char ga[128], gr[128];

		split(&now, diffs[i].now);
		TC_CHECK(pog_sudo_roles_in(&cfg, "alice", diffs[i].old, &before) == POG_OK);
		TC_CHECK(pog_sudo_diff(&before, &now, &a, &r) == POG_OK);
		join(ga, sizeof(ga), &a);
		join(gr, sizeof(gr), &r);
		TC_STREQ(ga, diffs[i].added);
		TC_STREQ(gr, diffs[i].removed);
		pog_strv_free(&before);
		pog_strv_free(&now);
		pog_strv_free(&a);
		pog_strv_free(&r);
	}
	pog_cfg_free(&cfg);

	/* the main sudoers file must read the folder */
	static const struct {
		const char *text, *dir;
		bool yes;
	} inc[] = {
		{ "@includedir /etc/sudoers.d\n", "/etc/sudoers.d", true },
		{ "#includedir /etc/sudoers.d\n", "/etc/sudoers.d", true },
		{ "  @includedir   \"/etc/sudoers.d/\"  \n", "/etc/sudoers.d", true },
		{ "# @includedir /etc/sudoers.d\n", "/etc/sudoers.d", false },
		{ "## #includedir /etc/sudoers.d\n", "/etc/sudoers.d", false },
		{ "@include /etc/sudoers.d\n", "/etc/sudoers.d", false },
		{ "@includedir /etc/sudoers.dd\n", "/etc/sudoers.d", false },
		{ "@includedir /etc/other\n", "/etc/sudoers.d", false },
		{ "", "/etc/sudoers.d", false },
		{ "@includedir /etc/sudoers.d\n", "/srv/chroot/etc/sudoers.d", true },
		{ "@includedir /tmp/x/sudoers.d", "/tmp/x/sudoers.d", true },
		{ "@includedir /etc/sudoers.d\n", "/tmp/x/sudoers.d", false },
	};
	for (size_t i = 0; i < sizeof(inc) / sizeof(inc[0]); i++) {
		bool got = pog_sudo_includes(inc[i].text, strlen(inc[i].text), inc[i].dir);

		if (got != inc[i].yes)
			fprintf(stderr, "includes case %zu: %s in %s\n", i, inc[i].dir, inc[i].text);
		TC_EQ_INT(got, inc[i].yes);
	}
}

/* ---- the edge, as root with visudo ---- */

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;

	if (f == NULL)
		return NULL;
	buf = calloc(1, 65536);
	n = fread(buf, 1, 65535, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void
put(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0 || chmod(path, mode) != 0)
		abort();
}

/* Every name in dir, sorted by readdir order, comma-joined (no . and ..). */
static void
names_in(const char *dir, char *buf, size_t size)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	buf[0] = '\0';
	while (d != NULL && (de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			snprintf(buf + strlen(buf), size - strlen(buf), "%s%s",
				 buf[0] ? "," : "", de->d_name);
	if (d != NULL)
		closedir(d);
}

static int
sync_roles(const struct pog_config *cfg, const char *user, const char *roles,
	   bool keep, char *added, char *removed)
{
	struct pog_strv r = { 0 }, a = { 0 }, d = { 0 };
	pog_err err;

	split(&r, roles);
	err = pog_sudoers_sync(cfg, user, &r, keep, NULL, &a, &d);
	join(added, 128, &a);
	join(removed, 128, &d);
	pog_strv_free(&r);
	pog_strv_free(&a);
	pog_strv_free(&d);
	return (int)err;
}

static void
test_edge(void)
{
	char tmpl[] = "/tmp/test-sudo.XXXXXX";
	char *root, *dir, *main_file, *file, *text, *why = NULL;
	char added[128], removed[128], names[1024];
	struct pog_config cfg;
	char *msg;
	struct stat st;

	if (geteuid() != 0 || access(POG_VISUDO, X_OK) != 0) {
		printf("SKIP (part): the sudoers edit needs root and %s (package sudo)\n", POG_VISUDO);
		return;
	}
	root = mkdtemp(tmpl);
	if (root == NULL)
		abort();
	dir = pog_asprintf("%s/sudoers.d", root);
	main_file = pog_asprintf("%s/sudoers", root);
	file = pog_asprintf("%s/okta-alice", dir);
	text = pog_asprintf(RULES "[sudo]\nbroken = ALL=(ALL ALL\n[roles]\nbroken = audio\n"
			    "[groups]\nsudoers_dir = %s\n", dir);
	if (mkdir(dir, 0755) != 0)
		abort();
	/* [sudo] twice is one section: its keys add up; a second [sudo] key is new */
	msg = parse(text, &cfg);
	TC_CHECK(msg == NULL);
	if (msg != NULL) {
		fprintf(stderr, "%s\n", msg);
		free(msg);
		goto out;
	}

	/* not ready: no main file, then one without @includedir: nothing written */
	TC_EQ_INT(pog_sudoers_ready(&cfg, &why), POG_ERR_UNAVAIL);
	TC_CHECK(why != NULL && strstr(why, "cannot read") != NULL);
	free(why);
	why = NULL;
	put(main_file, "root ALL=(ALL:ALL) ALL\n", 0440);
	TC_EQ_INT(pog_sudoers_ready(&cfg, &why), POG_ERR_UNAVAIL);
	TC_CHECK(why != NULL && strstr(why, "has no \"@includedir") != NULL);
	free(why);
	why = NULL;
	TC_EQ_INT(sync_roles(&cfg, "alice", "admin", false, added, removed), POG_OK);
	TC_STREQ(added, "-");
	TC_CHECK(access(file, F_OK) != 0);
	names_in(dir, names, sizeof(names));
	TC_STREQ(names, "");

	/* ready: the file, 0440 root:root, exactly the rules */
	put(main_file, "root ALL=(ALL:ALL) ALL\n@includedir sudoers.d\n#includedir ", 0440);
	TC_EQ_INT(pog_sudoers_ready(&cfg, &why), POG_ERR_UNAVAIL);
	free(why);
	why = NULL;
	msg = pog_asprintf("root ALL=(ALL:ALL) ALL\n@includedir %s\n", dir);
	put(main_file, msg, 0440);
	free(msg);
	TC_EQ_INT(pog_sudoers_ready(&cfg, &why), POG_OK);
	free(why);
	why = NULL;
	TC_EQ_INT(sync_roles(&cfg, "alice", "admin", false, added, removed), POG_OK);
	TC_STREQ(added, "admin");
	TC_STREQ(removed, "-");
	msg = slurp(file);
	TC_STREQ(msg, HDR "alice ALL=(ALL:ALL) ALL\n");
	free(msg);
	TC_CHECK(stat(file, &st) == 0 && (st.st_mode & 07777) == 0440 && st.st_uid == 0 &&
		 st.st_gid == 0);
	/* the same again: nothing changes */
	TC_EQ_INT(sync_roles(&cfg, "alice", "admin", false, added, removed), POG_OK);
	TC_STREQ(added, "-");
	TC_STREQ(removed, "-");
	/* a second role */
	TC_EQ_INT(sync_roles(&cfg, "alice", "admin developer", false, added, removed), POG_OK);
	TC_STREQ(added, "developer");
	msg = slurp(file);
	TC_STREQ(msg, HDR "alice ALL=(root) /usr/bin/systemctl restart app.service\n"
		 "alice ALL=(ALL:ALL) ALL\n");
	free(msg);
	/* capped: a lost role's rule is kept */
	TC_EQ_INT(sync_roles(&cfg, "alice", "developer", true, added, removed), POG_OK);
	TC_STREQ(removed, "-");
	/* a rule visudo refuses: nothing of it installed, and the old file goes */
	TC_EQ_INT(sync_roles(&cfg, "alice", "admin broken", false, added, removed),
		  POG_ERR_CONFIG);
	TC_STREQ(added, "-");
	TC_STREQ(removed, "developer,admin");
	TC_CHECK(access(file, F_OK) != 0);
	names_in(dir, names, sizeof(names));
	TC_STREQ(names, "");
	/* back, then the role is lost: the file goes */
	TC_EQ_INT(sync_roles(&cfg, "alice", "developer", false, added, removed), POG_OK);
	TC_STREQ(added, "developer");
	TC_EQ_INT(sync_roles(&cfg, "alice", "", false, added, removed), POG_OK);
	TC_STREQ(removed, "developer");
	TC_CHECK(access(file, F_OK) != 0);
	/* an edited file is put right and named "?" */
	TC_EQ_INT(sync_roles(&cfg, "alice", "admin", false, added, removed), POG_OK);
	put(file, HDR "alice ALL=(ALL) NOPASSWD: ALL\n", 0440);
	TC_EQ_INT(sync_roles(&cfg, "alice", "admin", false, added, removed), POG_OK);
	TC_STREQ(added, "admin");
	TC_STREQ(removed, "?");
	msg = slurp(file);
	TC_STREQ(msg, HDR "alice ALL=(ALL:ALL) ALL\n");
	free(msg);
	/* remove (expire, users lock) */
	TC_EQ_INT(pog_sudoers_remove(&cfg, "alice", NULL), POG_OK);
	TC_CHECK(access(file, F_OK) != 0);
	TC_EQ_INT(pog_sudoers_remove(&cfg, "alice", NULL), POG_OK);
	/* names sudo could misread: no file */
	TC_EQ_INT(sync_roles(&cfg, "%admin", "admin", false, added, removed), POG_OK);
	TC_EQ_INT(sync_roles(&cfg, "al.ice", "admin", false, added, removed), POG_OK);
	names_in(dir, names, sizeof(names));
	TC_STREQ(names, "");
	/* a stale temp of a killed writer goes; another user's file stays */
	msg = pog_asprintf("root ALL=(ALL:ALL) ALL\n@includedir %s\n", dir);
	put(main_file, msg, 0440);
	free(msg);
	msg = pog_asprintf("%s/.okta-alice.AbC123", dir);
	put(msg, "alice ALL=(ALL", 0440);
	{
		struct timespec old[2] = { { .tv_sec = 1000 }, { .tv_sec = 1000 } };

		TC_CHECK(utimensat(AT_FDCWD, msg, old, 0) == 0);
	}
	free(msg);
	msg = pog_asprintf("%s/README", dir);
	put(msg, "# theirs\n", 0440);
	free(msg);
	TC_EQ_INT(sync_roles(&cfg, "alice", "admin", false, added, removed), POG_OK);
	names_in(dir, names, sizeof(names));
	TC_CHECK(strcmp(names, "README,okta-alice") == 0 || strcmp(names, "okta-alice,README") == 0);
	if (strstr(names, ".okta") != NULL)
		fprintf(stderr, "left: %s\n", names);

	/* check: the same visudo on one rule, outside the folder */
	TC_EQ_INT(pog_sudoers_check_rule("pog-check", "ALL=(ALL:ALL) ALL", &why), POG_OK);
	free(why);
	why = NULL;
	TC_EQ_INT(pog_sudoers_check_rule("pog-check", "ALL=(ALL ALL", &why), POG_ERR_CONFIG);
	TC_CHECK(why != NULL && strstr(why, "syntax error") != NULL);
	free(why);
	why = NULL;
	pog_cfg_free(&cfg);
out:
	msg = pog_asprintf("rm -rf '%s'", root);
	if (system(msg) != 0)
		fprintf(stderr, "cannot remove %s\n", root);
	free(msg);
	free(dir);
	free(main_file);
	free(file);
	free(text);
}

int
main(void)
{
	test_cfg();
	test_pure();
	test_edge();
	TC_DONE();
}
