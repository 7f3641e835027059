/*
 * test-ledger.c - the ledger: round trip, corrupt and refused files,
 * modes; and the okta-groups subcommands that live on it (status,
 * expire, explain), on copies in a temp folder.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "ledger.h"
#include "tcheck.h"
#include "tutil.h"
#include "tool_groups.h"
#include "util.h"

static char dir[64];
static int nlogs;

static void
count_log(void *ctx, int prio, const char *msg)
{
	(void)ctx;
	(void)prio;
	nlogs++;
	if (getenv("TEST_VERBOSE") != NULL)
		fprintf(stderr, "log: %s\n", msg);
}

static const struct pog_io io = { .log = count_log };

static char *
path_in(const char *name)
{
	return pog_asprintf("%s/%s", dir, name);
}

static void
fill(struct pog_ledger *l)
{
	memset(l, 0, sizeof(*l));
	l->user = strdup("alice");
	l->when = 1700000000;
	l->sub = strdup("00u1abcd");
	l->pinned_sub = strdup("00u1abcd");
	l->issuer = strdup("https://dev-123456.okta.com/oauth2/default");
	pog_strv_split(&l->idp_groups, "DevTeam Everyone");
	pog_strv_add(&l->idp_groups, "Organization Admins");
	pog_strv_split(&l->managed, "devteam docker");
	pog_strv_split(&l->last_added, "docker");
	pog_strv_split(&l->last_removed, "wheel");
	l->result = strdup("denied: No Okta group grants access to project \"x\"/y on h.");
	l->expired = 1700000100;
}

static void
test_round_trip(void)
{
	struct pog_ledger a, b = { 0 };
	char *text = NULL, *text2 = NULL, *msg = NULL;
	size_t len = 0, len2 = 0;

	fill(&a);
	TC_ERR(pog_ledger_format(&a, &text, &len), POG_OK);
	TC_CHECK(text != NULL && len == strlen(text) && text[len - 1] == '\n');
	TC_ERR(pog_ledger_parse(&b, text, len, &msg), POG_OK);
	TC_CHECK(msg == NULL);
	TC_STREQ(b.user, a.user);
	TC_EQ_INT(b.when, a.when);
	TC_EQ_INT(b.expired, a.expired);
	TC_STREQ(b.sub, a.sub);
	TC_STREQ(b.pinned_sub, a.pinned_sub);
	TC_STREQ(b.issuer, a.issuer);
	TC_STREQ(b.result, a.result);
	TC_CHECK(tu_strv_eq(&a.idp_groups, &b.idp_groups));
	TC_CHECK(tu_strv_eq(&a.managed, &b.managed));
	TC_CHECK(tu_strv_eq(&a.last_added, &b.last_added));
	TC_CHECK(tu_strv_eq(&a.last_removed, &b.last_removed));
	TC_ERR(pog_ledger_format(&b, &text2, &len2), POG_OK);
	TC_EQ_INT(len, len2);
	TC_EQ_INT(memcmp(text, text2, len), 0);
	pog_ledger_free(&a);
	pog_ledger_free(&b);
	free(text);
	free(text2);

	/* a minimal ledger */
	{
		const char *t = "{\"version\":1,\"user\":\"bob\"}";

		TC_ERR(pog_ledger_parse(&b, t, strlen(t), NULL), POG_OK);
		TC_STREQ(b.user, "bob");
		TC_CHECK(b.when == 0 && b.sub == NULL && b.managed.n == 0 && b.expired == 0);
		TC_CHECK(b.pinned_sub == NULL);
		pog_ledger_free(&b);
	}
}

/* The pin: its three forms on disk, and that every write keeps it. */
static void
test_pin_format(void)
{
	struct pog_ledger a, b = { 0 };
	char *text = NULL, *msg = NULL;
	size_t len = 0;

	/* A ledger written before the pin: pinned to its recorded sub, and
	 * written back with the pin spelled out. */
	{
		const char *t = "{\"version\":1,\"user\":\"alice\",\"when\":1700000000,"
				"\"sub\":\"00u-old\",\"managed\":[\"devteam\"]}";

		TC_ERR(pog_ledger_parse(&b, t, strlen(t), NULL), POG_OK);
		TC_STREQ(b.pinned_sub, "00u-old");
		TC_ERR(pog_ledger_format(&b, &text, &len), POG_OK);
		TC_CHECK(strstr(text, "\"pinned_sub\": \"00u-old\"") != NULL);
		pog_ledger_free(&b);
		TC_ERR(pog_ledger_parse(&b, text, len, NULL), POG_OK);
		TC_STREQ(b.pinned_sub, "00u-old");
		TC_STREQ(b.sub, "00u-old");
		pog_ledger_free(&b);
		free(text);
		text = NULL;
	}
	/* Pinned to another sub than the last login's (cannot happen through
	 * a login, but the two fields are independent on disk). */
	{
		const char *t = "{\"version\":1,\"user\":\"alice\",\"sub\":\"00u-b\","
				"\"pinned_sub\":\"00u-a\"}";

		TC_ERR(pog_ledger_parse(&b, t, strlen(t), NULL), POG_OK);
		TC_STREQ(b.pinned_sub, "00u-a");
		TC_STREQ(b.sub, "00u-b");
		pog_ledger_free(&b);
	}
	/* Cleared by rebind: null, kept null through a round trip, and not
	 * replaced by the recorded sub. */
	fill(&a);
	free(a.pinned_sub);
	a.pinned_sub = NULL;
	TC_ERR(pog_ledger_format(&a, &text, &len), POG_OK);
	TC_CHECK(strstr(text, "\"pinned_sub\": null") != NULL);
	TC_ERR(pog_ledger_parse(&b, text, len, &msg), POG_OK);
	TC_CHECK(b.pinned_sub == NULL);
	TC_STREQ(b.sub, "00u1abcd");
	pog_ledger_free(&b);
	free(text);
	text = NULL;
	pog_ledger_free(&a);
	/* No sub at all and no key: nothing to pin. */
	{
		const char *t = "{\"version\":1,\"user\":\"alice\",\"pinned_sub\":null}";

		TC_ERR(pog_ledger_parse(&b, t, strlen(t), NULL), POG_OK);
		TC_CHECK(b.pinned_sub == NULL);
		pog_ledger_free(&b);
	}
	/* Malformed pins are corrupt ledgers. */
	{
		static const char *bad[] = {
			"{\"version\":1,\"user\":\"alice\",\"pinned_sub\":\"\"}",
			"{\"version\":1,\"user\":\"alice\",\"pinned_sub\":7}",
			"{\"version\":1,\"user\":\"alice\",\"pinned_sub\":false}",
			"{\"version\":1,\"user\":\"alice\",\"pinned_sub\":[\"00u\"]}",
			"{\"version\":1,\"user\":\"alice\",\"pinned_sub\":\"00u\\n1\"}",
			"{\"version\":1,\"user\":\"alice\",\"sub\":\"00u\",\"pinned_sub\":\"\\u00e9\"}",
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			pog_err err = pog_ledger_parse(&b, bad[i], strlen(bad[i]), &msg);

			if (err != POG_ERR_INVALID)
				fprintf(stderr, "bad pin %zu accepted: %s\n", i, bad[i]);
			TC_CHECK(err == POG_ERR_INVALID && msg != NULL && b.user == NULL);
			free(msg);
			msg = NULL;
		}
	}
}

/* pog_ledger_pin_take (the sync, under the lock) and pog_ledger_check_pin (auth). */
static void
test_pin_check(void)
{
	struct pog_ledger l = { 0 };
	char *sd = path_in("pinstate");
	char *p = pog_asprintf("%s/alice", sd);
	struct stat st1, st2;

	/* take: an unpinned ledger takes the sub; the same sub passes; another is refused */
	l.user = strdup("alice");
	TC_ERR(pog_ledger_pin_take(&l, "00u-a", &io), POG_OK);
	TC_STREQ(l.pinned_sub, "00u-a");
	TC_ERR(pog_ledger_pin_take(&l, "00u-a", &io), POG_OK);
	nlogs = 0;
	TC_ERR(pog_ledger_pin_take(&l, "00u-b", &io), POG_ERR_PINNED);
	TC_STREQ(l.pinned_sub, "00u-a");
	TC_EQ_INT(nlogs, 1);
	pog_ledger_free(&l);

	/* check: no state_dir, no ledger: a first login passes, silently */
	nlogs = 0;
	TC_ERR(pog_ledger_check_pin(sd, "alice", "00u-a", &io), POG_OK);
	TC_EQ_INT(nlogs, 0);
	TC_ERR(pog_ensure_dir(sd, 0700), POG_OK);
	TC_ERR(pog_ledger_check_pin(sd, "alice", "00u-a", &io), POG_OK);

	/* an old ledger: pinned to its recorded sub */
	tu_put_str(p, "{\"version\":1,\"user\":\"alice\",\"sub\":\"00u-a\"}", 0600);
	TC_EQ_INT(stat(p, &st1), 0);
	TC_ERR(pog_ledger_check_pin(sd, "alice", "00u-a", &io), POG_OK);
	nlogs = 0;
	TC_ERR(pog_ledger_check_pin(sd, "alice", "00u-b", &io), POG_ERR_PINNED);
	TC_EQ_INT(nlogs, 1);
	/* the check only reads */
	TC_EQ_INT(stat(p, &st2), 0);
	TC_EQ_INT(st1.st_ino, st2.st_ino);
	TC_EQ_INT(st1.st_mtim.tv_nsec, st2.st_mtim.tv_nsec);
	TC_EQ_INT(st1.st_mtime, st2.st_mtime);

	/* pinned explicitly, and cleared */
	tu_put_str(p, "{\"version\":1,\"user\":\"alice\",\"sub\":\"00u-a\",\"pinned_sub\":\"00u-a\"}", 0600);
	TC_ERR(pog_ledger_check_pin(sd, "alice", "00u-b", &io), POG_ERR_PINNED);
	tu_put_str(p, "{\"version\":1,\"user\":\"alice\",\"sub\":\"00u-a\",\"pinned_sub\":null}", 0600);
	TC_ERR(pog_ledger_check_pin(sd, "alice", "00u-b", &io), POG_OK);

	/* a ledger that cannot be read: refused, and said why */
	tu_put_str(p, "{\"version\":1,\"user\":\"alice\",", 0600);
	nlogs = 0;
	TC_ERR(pog_ledger_check_pin(sd, "alice", "00u-a", &io), POG_ERR_CONFIG);
	TC_EQ_INT(nlogs, 1);
	tu_put_str(p, "{\"version\":1,\"user\":\"alice\",\"sub\":\"00u-a\"}", 0666);
	TC_ERR(pog_ledger_check_pin(sd, "alice", "00u-a", &io), POG_ERR_CONFIG);
	tu_put_str(p, "{\"version\":1,\"user\":\"bob\",\"sub\":\"00u-a\"}", 0600);
	TC_ERR(pog_ledger_check_pin(sd, "alice", "00u-a", &io), POG_ERR_CONFIG);
	unlink(p);
	free(p);
	free(sd);
}

static void
test_corrupt(void)
{
	static const char *bad[] = {
		"",
		"not json",
		"[]",
		"{}",
		"{\"version\":2,\"user\":\"alice\"}",
		"{\"version\":\"1\",\"user\":\"alice\"}",
		"{\"version\":1}",
		"{\"version\":1,\"user\":\"../etc/passwd\"}",
		"{\"version\":1,\"user\":\"al ice\"}",
		"{\"version\":1,\"user\":7}",
		"{\"version\":1,\"user\":\"alice\",\"when\":\"now\"}",
		"{\"version\":1,\"user\":\"alice\",\"when\":-5}",
		"{\"version\":1,\"user\":\"alice\",\"when\":1.5}",
		"{\"version\":1,\"user\":\"alice\",\"managed\":\"wheel\"}",
		"{\"version\":1,\"user\":\"alice\",\"managed\":[\"a:b\"]}",
		"{\"version\":1,\"user\":\"alice\",\"managed\":[\"a,b\"]}",
		"{\"version\":1,\"user\":\"alice\",\"managed\":[\"a\\nb\"]}",
		"{\"version\":1,\"user\":\"alice\",\"managed\":[\"a\\u0000b\"]}",
		"{\"version\":1,\"user\":\"alice\",\"managed\":[1]}",
		"{\"version\":1,\"user\":\"alice\",\"managed\":[\"abcdefghijabcdefghijabcdefghijabc\"]}",
		"{\"version\":1,\"user\":\"alice\",\"idp_groups\":[\"x\\u0007\"]}",
		"{\"version\":1,\"user\":\"alice\",\"sub\":null}",
		"{\"version\":1,\"user\":\"alice\",\"sub\":\"\\u00e9\"}",
		"{\"version\":1,\"user\":\"alice\"} trailing",
		"{\"version\":1,\"user\":\"alice\",}",
		"{\"version\":1,\"user\":\"alice\",\"x\":[[[[[[[[[[[[1]]]]]]]]]]]]}",
		"{'version':1,'user':'alice'}",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct pog_ledger l = { 0 };
		char *msg = NULL;
		pog_err err = pog_ledger_parse(&l, bad[i], strlen(bad[i]), &msg);

		if (err != POG_ERR_INVALID)
			fprintf(stderr, "corrupt case %zu accepted: %s\n", i, bad[i]);
		TC_ERR(err, POG_ERR_INVALID);
		TC_CHECK(msg != NULL);
		TC_CHECK(l.user == NULL);
		free(msg);
	}
	/* unknown keys are fine, and trailing white space */
	{
		const char *t = "{\"version\":1,\"user\":\"alice\",\"future\":{\"a\":1}}\n\n";
		struct pog_ledger l = { 0 };

		TC_ERR(pog_ledger_parse(&l, t, strlen(t), NULL), POG_OK);
		pog_ledger_free(&l);
	}
}

static void
test_files(void)
{
	struct pog_ledger a, b = { 0 };
	struct stat st;
	char *sd = path_in("state");
	char *p = pog_asprintf("%s/alice", sd);
	char *msg = NULL;

	/* a missing state_dir and a missing ledger: empty, no noise */
	nlogs = 0;
	TC_ERR(pog_ledger_read(sd, "alice", &b, &io), POG_OK);
	TC_STREQ(b.user, "alice");
	TC_EQ_INT(b.managed.n, 0);
	TC_EQ_INT(b.when, 0);
	TC_EQ_INT(nlogs, 0);
	pog_ledger_free(&b);
	TC_ERR(pog_ledger_load(sd, "alice", &b, &msg), POG_ERR_SYSTEM);
	TC_EQ_INT(errno, ENOENT);
	free(msg);

	/* written: state_dir 0700, the ledger 0600 */
	fill(&a);
	TC_ERR(pog_ledger_write(sd, &a), POG_OK);
	TC_CHECK(stat(sd, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0700);
	TC_EQ_INT(stat(p, &st), 0);
	TC_EQ_INT((st.st_mode & 07777), 0600);
	TC_EQ_INT(st.st_uid, geteuid());
	TC_ERR(pog_ledger_read(sd, "alice", &b, &io), POG_OK);
	TC_CHECK(tu_strv_eq(&a.managed, &b.managed) && b.when == a.when);
	pog_ledger_free(&b);
	/* written again over it: still 0600, nothing else left in the folder */
	TC_ERR(pog_ledger_write(sd, &a), POG_OK);
	TC_EQ_INT(stat(p, &st), 0);
	TC_EQ_INT((st.st_mode & 07777), 0600);

	/* corrupt: refused and logged, never read as empty (that forgets managed groups) */
	tu_put_str(p, "{\"version\":1,\"user\":\"alice\",\"managed\":[\"wheel\"", 0600);
	nlogs = 0;
	TC_ERR(pog_ledger_read(sd, "alice", &b, &io), POG_ERR_CONFIG);
	TC_CHECK(b.user == NULL && b.managed.n == 0);
	TC_EQ_INT(nlogs, 1);
	pog_ledger_free(&b);

	/* another user's ledger under this name: refused */
	tu_put_str(p, "{\"version\":1,\"user\":\"bob\",\"managed\":[\"wheel\"]}", 0600);
	nlogs = 0;
	TC_ERR(pog_ledger_read(sd, "alice", &b, &io), POG_ERR_CONFIG);
	TC_EQ_INT(b.managed.n, 0);
	TC_EQ_INT(nlogs, 1);
	pog_ledger_free(&b);

	/* writable by others: refused */
	tu_put_str(p, "{\"version\":1,\"user\":\"alice\",\"managed\":[\"wheel\"]}", 0666);
	nlogs = 0;
	TC_ERR(pog_ledger_read(sd, "alice", &b, &io), POG_ERR_CONFIG);
	TC_EQ_INT(b.managed.n, 0);
	TC_EQ_INT(nlogs, 1);
	pog_ledger_free(&b);
	TC_ERR(pog_ledger_load(sd, "alice", &b, &msg), POG_ERR_CONFIG);
	free(msg);

	/* a symlink: refused */
	unlink(p);
	TC_EQ_INT(symlink("/etc/passwd", p), 0);
	nlogs = 0;
	TC_ERR(pog_ledger_read(sd, "alice", &b, &io), POG_ERR_CONFIG);
	TC_EQ_INT(b.managed.n, 0);
	TC_EQ_INT(nlogs, 1);
	pog_ledger_free(&b);
	unlink(p);

	/* names that are not names never become paths */
	TC_CHECK(pog_ledger_path(sd, "../alice") == NULL);
	TC_CHECK(pog_ledger_path(sd, "a/b") == NULL);
	TC_CHECK(pog_ledger_path(sd, ".") == NULL);
	TC_CHECK(pog_ledger_path(sd, "") == NULL);
	TC_ERR(pog_ledger_read(sd, "../alice", &b, &io), POG_ERR_INVALID);
	free(a.user);
	a.user = strdup("../alice");
	TC_ERR(pog_ledger_write(sd, &a), POG_ERR_INVALID);

	pog_ledger_free(&a);
	free(p);
	free(sd);
}

static void
test_duration(void)
{
	static const struct {
		const char *s;
		bool ok;
		long v;
	} cases[] = {
		{ "30d", true, 30L * 86400 }, { "12h", true, 12L * 3600 }, { "90m", true, 5400 },
		{ "3600s", true, 3600 }, { "3600", true, 3600 }, { "2w", true, 14L * 86400 },
		{ "0s", true, 0 }, { "", false, 0 }, { "d", false, 0 }, { "-1d", false, 0 },
		{ "1.5d", false, 0 }, { "10dd", false, 0 }, { "10y", false, 0 }, { " 1d", false, 0 },
		{ "99999999999999999999d", false, 0 }, { "1e3s", false, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long v = -1;
		bool ok = pog_tool_parse_duration(cases[i].s, &v);

		TC_EQ_INT(ok, cases[i].ok);
		if (ok && cases[i].ok)
			TC_EQ_INT(v, cases[i].v);
	}
}

static char *
ledger_text(const char *user, int64_t when, const char *managed)
{
	struct pog_ledger l = { 0 };
	char *text = NULL;
	size_t len;

	l.user = strdup(user);
	l.when = when;
	l.result = strdup("granted");
	pog_strv_split(&l.managed, managed);
	pog_strv_split(&l.last_added, managed);
	if (pog_ledger_format(&l, &text, &len) != POG_OK)
		abort();
	pog_ledger_free(&l);
	return text;
}

/* okta-groups expire, status and explain on a temp group file and state_dir. */
static void
test_tools(void)
{
	static const char group[] =
		"root:x:0:\ncdrom:x:24:olduser\nwheel:x:998:\n"
		"docker:x:997:bob,olduser,newuser\ndevteam:x:1500:olduser,newuser\n";
	static const char gshadow[] =
		"root:*::\ncdrom:*::olduser\nwheel:!::\n"
		"docker:!::bob,olduser,newuser\ndevteam:!:olduser:olduser,newuser\n";
	struct pog_config cfg;
	struct pog_ledger l = { 0 };
	struct stat st1, st2;
	char *gp = path_in("group"), *sp = path_in("gshadow"), *sd = path_in("tstate");
	char *p, *text, *g;
	int64_t now = (int64_t)time(NULL);
	char a0[] = "expire", a1[] = "--older-than", a2[] = "30d", a3[] = "--dry-run";
	char s0[] = "status", s1[] = "olduser", s2[] = "nobody-here";
	char e0[] = "explain", e1[] = "root", e2[] = "DevTeam", e3[] = "a:b";
	char *argv_dry[] = { a0, a1, a2, a3, NULL };
	char *argv_run[] = { a0, a1, a2, NULL };
	char *argv_bad[] = { a0, a1, NULL };
	char *argv_st1[] = { s0, s1, NULL };
	char *argv_st2[] = { s0, s2, NULL };
	char *argv_st0[] = { s0, NULL };
	char *argv_ex[] = { e0, e1, e2, e3, NULL };

	memset(&cfg, 0, sizeof(cfg));
	TC_ERR(pog_cfg_defaults(&cfg), POG_OK);
	free(cfg.group_file);
	free(cfg.gshadow_file);
	free(cfg.state_dir);
	cfg.group_file = gp;
	cfg.gshadow_file = sp;
	cfg.state_dir = sd;
	tu_put_str(gp, group, 0644);
	tu_put_str(sp, gshadow, 0640);
	TC_ERR(pog_ensure_dir(sd, 0700), POG_OK);

	p = pog_asprintf("%s/olduser", sd);
	text = ledger_text("olduser", now - 40 * 86400, "docker devteam");
	tu_put_str(p, text, 0600);
	free(text);
	free(p);
	p = pog_asprintf("%s/newuser", sd);
	text = ledger_text("newuser", now - 86400, "docker devteam");
	tu_put_str(p, text, 0600);
	free(text);
	free(p);
	p = pog_asprintf("%s/broken", sd);
	tu_put_str(p, "{\"version\":1,", 0600);
	free(p);
	p = pog_asprintf("%s/olduser.Ab12Cd", sd);      /* a temp file left by a crash */
	tu_put_str(p, "{\"version\":1,\"user\":\"olduser\"}", 0600);
	free(p);

	TC_EQ_INT(pog_tool_expire(&cfg, 2, argv_bad), 2);
	TC_EQ_INT(pog_tool_expire(&cfg, 4, argv_dry), 0);
	g = tu_slurp(gp, NULL);
	TC_STREQ(g, group);
	free(g);
	TC_EQ_INT(stat(gp, &st1), 0);

	TC_EQ_INT(pog_tool_expire(&cfg, 3, argv_run), 0);
	g = tu_slurp(gp, NULL);
	TC_STREQ(g, "root:x:0:\ncdrom:x:24:olduser\nwheel:x:998:\n"
		 "docker:x:997:bob,newuser\ndevteam:x:1500:newuser\n");
	free(g);
	g = tu_slurp(sp, NULL);
	TC_STREQ(g, "root:*::\ncdrom:*::olduser\nwheel:!::\n"
		 "docker:!::bob,newuser\ndevteam:!:olduser:newuser\n");
	free(g);
	TC_ERR(pog_ledger_load(sd, "olduser", &l, NULL), POG_OK);
	TC_EQ_INT(l.managed.n, 0);
	TC_EQ_INT(l.last_removed.n, 2);
	TC_EQ_INT(l.last_added.n, 0);
	TC_EQ_INT(l.when, now - 40 * 86400);
	TC_CHECK(l.expired >= now);
	TC_STREQ(l.result, "expired");
	pog_ledger_free(&l);
	TC_ERR(pog_ledger_load(sd, "newuser", &l, NULL), POG_OK);
	TC_EQ_INT(l.managed.n, 2);
	TC_EQ_INT(l.expired, 0);
	pog_ledger_free(&l);

	/* again: nothing left to do, and the group file is not rewritten */
	TC_EQ_INT(stat(gp, &st1), 0);
	TC_EQ_INT(pog_tool_expire(&cfg, 3, argv_run), 0);
	TC_EQ_INT(stat(gp, &st2), 0);
	TC_EQ_INT(st1.st_ino, st2.st_ino);

	TC_EQ_INT(pog_tool_status(&cfg, 2, argv_st1), 0);
	TC_EQ_INT(pog_tool_status(&cfg, 2, argv_st2), 1);
	TC_EQ_INT(pog_tool_status(&cfg, 1, argv_st0), 0);
	TC_EQ_INT(pog_tool_explain(&cfg, 4, argv_ex), 0);
	TC_EQ_INT(pog_tool_explain(&cfg, 1, argv_ex), 2);
	g = tu_slurp(gp, NULL);
	TC_CHECK(g != NULL && strstr(g, "root:x:0:\n") == g);   /* explain changes nothing */
	free(g);

	pog_cfg_free(&cfg);
}

/* okta-groups users and users rebind; expire and a rebind keep or clear only the pin. */
static void
test_users(void)
{
	static const char group[] = "root:x:0:\ndocker:x:997:alice\ndevteam:x:1500:alice\n";
	static const char gshadow[] = "root:*::\ndocker:!::alice\ndevteam:!::alice\n";
	struct pog_config cfg;
	struct pog_ledger l = { 0 }, before = { 0 };
	char *gp = path_in("ugroup"), *sp = path_in("ugshadow"), *sd = path_in("ustate");
	char *p = pog_asprintf("%s/alice", sd), *g, *g0, *s0, *text, *text2;
	char u0[] = "users", u1[] = "rebind", u2[] = "alice", u3[] = "nobody", u4[] = "bogus";
	char u5[] = "../etc", u6[] = "list", u7[] = "extra";
	char a0[] = "expire", a1[] = "--older-than", a2[] = "30d";
	char *argv_list[] = { u0, NULL };
	char *argv_list2[] = { u0, u6, NULL };
	char *argv_list3[] = { u0, u6, u7, NULL };
	char *argv_rebind[] = { u0, u1, u2, NULL };
	char *argv_nobody[] = { u0, u1, u3, NULL };
	char *argv_badname[] = { u0, u1, u5, NULL };
	char *argv_noarg[] = { u0, u1, NULL };
	char *argv_unknown[] = { u0, u4, NULL };
	char *argv_expire[] = { a0, a1, a2, NULL };

	memset(&cfg, 0, sizeof(cfg));
	TC_ERR(pog_cfg_defaults(&cfg), POG_OK);
	free(cfg.group_file);
	free(cfg.gshadow_file);
	free(cfg.state_dir);
	cfg.group_file = gp;
	cfg.gshadow_file = sp;
	cfg.state_dir = sd;
	tu_put_str(gp, group, 0644);
	tu_put_str(sp, gshadow, 0640);

	/* no folder yet: an empty list */
	TC_EQ_INT(pog_tool_users(&cfg, 1, argv_list), 0);
	TC_ERR(pog_ensure_dir(sd, 0700), POG_OK);

	/* an old ledger, 40 days old: pinned to its sub by expire's rewrite */
	tu_put_str(p, "{\"version\":1,\"user\":\"alice\",\"when\":1600000000,\"sub\":\"00u-alice\","
	    "\"issuer\":\"https://idp\",\"managed\":[\"docker\",\"devteam\"],"
	    "\"result\":\"granted\"}\n", 0600);
	TC_EQ_INT(pog_tool_expire(&cfg, 3, argv_expire), 0);
	TC_ERR(pog_ledger_load(sd, "alice", &l, NULL), POG_OK);
	TC_STREQ(l.result, "expired");
	TC_STREQ(l.pinned_sub, "00u-alice");
	pog_ledger_free(&l);
	text = tu_slurp(p, NULL);
	TC_CHECK(text != NULL && strstr(text, "\"pinned_sub\": \"00u-alice\"") != NULL);
	free(text);

	TC_EQ_INT(pog_tool_users(&cfg, 1, argv_list), 0);
	TC_EQ_INT(pog_tool_users(&cfg, 2, argv_list2), 0);
	TC_EQ_INT(pog_tool_users(&cfg, 3, argv_list3), 2);
	TC_EQ_INT(pog_tool_users(&cfg, 2, argv_unknown), 2);
	TC_EQ_INT(pog_tool_users(&cfg, 2, argv_noarg), 2);
	TC_EQ_INT(pog_tool_users(&cfg, 3, argv_badname), 2);
	TC_EQ_INT(pog_tool_users(&cfg, 3, argv_nobody), 1);

	/* rebind: the pin goes, and nothing else changes in the ledger or the group files */
	TC_ERR(pog_ledger_load(sd, "alice", &before, NULL), POG_OK);
	g0 = tu_slurp(gp, NULL);
	s0 = tu_slurp(sp, NULL);
	TC_CHECK(g0 != NULL && strstr(g0, "alice") == NULL);   /* expire's work */
	TC_EQ_INT(pog_tool_users(&cfg, 3, argv_rebind), 0);
	TC_ERR(pog_ledger_load(sd, "alice", &l, NULL), POG_OK);
	TC_CHECK(l.pinned_sub == NULL);
	free(before.pinned_sub);
	before.pinned_sub = NULL;
	TC_ERR(pog_ledger_format(&before, &text, &(size_t){ 0 }), POG_OK);
	text2 = tu_slurp(p, NULL);
	TC_STREQ(text2, text);
	free(text);
	free(text2);
	TC_STREQ(l.sub, "00u-alice");
	pog_ledger_free(&l);
	pog_ledger_free(&before);
	g = tu_slurp(gp, NULL);
	TC_STREQ(g, g0);
	free(g);
	g = tu_slurp(sp, NULL);
	TC_STREQ(g, s0);
	free(g);
	free(g0);
	free(s0);
	/* the next login by another sub passes the auth check */
	TC_ERR(pog_ledger_check_pin(sd, "alice", "00u-alice-2", &io), POG_OK);
	/* again: not pinned, nothing written */
	TC_EQ_INT(pog_tool_users(&cfg, 3, argv_rebind), 0);
	TC_EQ_INT(pog_tool_users(&cfg, 1, argv_list), 0);

	/* a corrupt ledger: refused, left as it is */
	tu_put_str(p, "{\"version\":1,", 0600);
	TC_EQ_INT(pog_tool_users(&cfg, 3, argv_rebind), 1);
	text = tu_slurp(p, NULL);
	TC_STREQ(text, "{\"version\":1,");
	free(text);
	free(p);
	pog_cfg_free(&cfg);
}

int
main(void)
{

	strcpy(dir, "/tmp/pog-ledger-XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 99;
	}
	test_round_trip();
	test_pin_format();
	test_pin_check();
	test_corrupt();
	test_files();
	test_duration();
	test_tools();
	test_users();
	(void)tu_rm_rf(dir);
	TC_DONE();
}
