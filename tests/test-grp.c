/*
 * test-grp.c - the group and gshadow line parser and formatter.
 */
#include "config.h"

#include <grp.h>
#include <gshadow.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grp.h"
#include "tcheck.h"
#include "tutil.h"
#include "util.h"

#ifndef TOP_SRCDIR
#define TOP_SRCDIR "."
#endif

static char *
slurp(const char *name, size_t *len)
{
	char *path = pog_asprintf("%s/tests/grp/%s", TOP_SRCDIR, name);
	char *text = path != NULL ? tu_slurp(path, len) : NULL;

	free(path);
	return text;
}

static size_t
count_entries(const struct pog_grp_db *db)
{
	size_t n = 0;

	for (size_t i = 0; i < db->n; i++)
		n += db->lines[i].is_entry;
	return n;
}

/* Parses, formats, and checks the bytes come back unchanged. */
static void
round_trip(const char *text, size_t len, enum pog_grp_kind kind, const char *what)
{
	struct pog_grp_db db = { 0 };
	struct pog_buf out = { 0 };

	TC_ERR(pog_grp_db_parse(&db, kind, text, len), POG_OK);
	TC_CHECK(!pog_grp_db_dirty(&db));
	TC_ERR(pog_grp_db_format(&db, &out), POG_OK);
	if (out.len != len || (len > 0 && memcmp(out.data, text, len) != 0)) {
		fprintf(stderr, "round trip of %s changed the bytes\n", what);
		tc_fail++;
	} else {
		tc_pass++;
	}
	pog_buf_free(&out);
	pog_grp_db_free(&db);
}

static void
test_fixtures(void)
{
	static const struct {
		const char *file;
		enum pog_grp_kind kind;
		size_t entries;
	} fx[] = {
		{ "group.debian", POG_GRP_GROUP, 44 },
		{ "gshadow.debian", POG_GRP_GSHADOW, 44 },
		{ "group.odd-nonl", POG_GRP_GROUP, 7 },     /* crlf: "bob\r", as glibc reads it */
		{ "gshadow.odd", POG_GRP_GSHADOW, 4 },
		{ "group.empty", POG_GRP_GROUP, 0 },
		{ "group.blank", POG_GRP_GROUP, 0 },
	};

	for (size_t i = 0; i < sizeof(fx) / sizeof(fx[0]); i++) {
		struct pog_grp_db db = { 0 };
		size_t len = 0;
		char *text = slurp(fx[i].file, &len);

		TC_CHECK(text != NULL);
		if (text == NULL)
			continue;
		round_trip(text, len, fx[i].kind, fx[i].file);
		/* the other kind must round-trip too: bytes are bytes */
		round_trip(text, len, fx[i].kind == POG_GRP_GROUP ? POG_GRP_GSHADOW : POG_GRP_GROUP,
			   fx[i].file);
		TC_ERR(pog_grp_db_parse(&db, fx[i].kind, text, len), POG_OK);
		if (count_entries(&db) != fx[i].entries)
			fprintf(stderr, "%s: %zu entries, expected %zu\n", fx[i].file,
				count_entries(&db), fx[i].entries);
		TC_EQ_INT(count_entries(&db), fx[i].entries);
		pog_grp_db_free(&db);
		free(text);
	}
}

/* The odd lines: which are entries, and what an edit does next to them. */
static void
test_odd_lines(void)
{
	struct pog_grp_db db = { 0 };
	struct pog_buf out = { 0 };
	const struct pog_grp_entry *e;
	size_t len = 0;
	char *text = slurp("group.odd-nonl", &len);
	char *expect = NULL;
	bool ch = false;

	TC_CHECK(text != NULL);
	if (text == NULL)
		return;
	TC_ERR(pog_grp_db_parse(&db, POG_GRP_GROUP, text, len), POG_OK);
	/* not entries: indented, NIS, malformed, bad gids, a tab in the name */
	TC_CHECK(pog_grp_db_find(&db, "indented") == NULL);
	TC_CHECK(pog_grp_db_find(&db, "  indented") == NULL);
	TC_CHECK(pog_grp_db_find(&db, "too") == NULL);
	TC_CHECK(pog_grp_db_find(&db, "nogid") == NULL);
	TC_CHECK(pog_grp_db_find(&db, "neg") == NULL);
	TC_CHECK(pog_grp_db_find(&db, "biggid") == NULL);
	TC_CHECK(pog_grp_db_find(&db, "tabbed\t") == NULL);
	/* entries; white space in a member list is glibc's: the CR is part of "bob\r" */
	e = pog_grp_db_find(&db, "crlf");
	TC_CHECK(e != NULL && e->members.n == 1 && strcmp(e->members.v[0], "bob\r") == 0);
	TC_CHECK(!pog_grp_db_is_member(&db, "crlf", "bob"));
	e = pog_grp_db_find(&db, "emptyname");
	TC_CHECK(e != NULL && e->gid == 7);
	e = pog_grp_db_find(&db, "utf8-\xc3\xa9quipe");
	TC_CHECK(e != NULL && e->gid == 11 && e->members.n == 1);
	e = pog_grp_db_find(&db, "dup");
	TC_CHECK(e != NULL && e->gid == 12);
	TC_CHECK(pog_grp_db_is_member(&db, "dup", "alice"));
	TC_CHECK(pog_grp_db_is_member(&db, "dup", "bob"));   /* the second line counts too */
	e = pog_grp_db_find(&db, "sparse");
	TC_CHECK(e != NULL && e->members.n == 2);

	/* edit next to odd lines: only the edited lines change */
	TC_CHECK(pog_grp_db_add_member(&db, "root", "alice", &ch) == POG_OK && ch);
	TC_CHECK(pog_grp_db_remove_member(&db, "dup", "bob", &ch) == POG_OK && ch);
	TC_ERR(pog_grp_db_format(&db, &out), POG_OK);
	expect = strdup(text);
	TC_CHECK(expect != NULL);
	if (expect != NULL) {
		struct pog_buf want = { 0 };
		const char *p;

		/* build the expected text by hand from the original bytes */
		p = strstr(expect, "root:x:0:\n");
		pog_buf_add(&want, expect, (size_t)(p - expect));
		pog_buf_addstr(&want, "root:x:0:alice\n");
		p += strlen("root:x:0:\n");
		{
			const char *q = strstr(p, "dup:x:13:bob\n");

			pog_buf_add(&want, p, (size_t)(q - p));
			pog_buf_addstr(&want, "dup:x:13:\n");
			p = q + strlen("dup:x:13:bob\n");
		}
		pog_buf_add(&want, p, len - (size_t)(p - expect));
		TC_EQ_INT(out.len, want.len);
		TC_EQ_INT(memcmp(out.data, want.data, want.len), 0);
		/* still no final newline */
		TC_CHECK(out.len > 0 && out.data[out.len - 1] == 't');
		pog_buf_free(&want);
	}
	free(expect);
	pog_buf_free(&out);
	pog_grp_db_free(&db);
	free(text);
}

static void
test_cursor(void)
{
	static const struct {
		const char *line;
		enum pog_grp_kind kind;
		bool ok;
		const char *name, *passwd, *f3;
		unsigned gid;
		size_t nmembers;
	} cases[] = {
		{ "devteam:x:1500:bob,carol", POG_GRP_GROUP, true, "devteam", "x", "1500", 1500, 2 },
		{ "devteam:x:1500:", POG_GRP_GROUP, true, "devteam", "x", "1500", 1500, 0 },
		{ "devteam::0:", POG_GRP_GROUP, true, "devteam", "", "0", 0, 0 },
		{ "g:x:4294967294:a", POG_GRP_GROUP, true, "g", "x", "4294967294", 4294967294u, 1 },
		{ "g:x:4294967295:a", POG_GRP_GROUP, false, NULL, NULL, NULL, 0, 0 },
		{ "g:x:12345678901:a", POG_GRP_GROUP, false, NULL, NULL, NULL, 0, 0 },
		{ "g:x:+1:", POG_GRP_GROUP, false, NULL, NULL, NULL, 0, 0 },
		{ "g:x: 1:", POG_GRP_GROUP, false, NULL, NULL, NULL, 0, 0 },
		{ "g:x:1", POG_GRP_GROUP, false, NULL, NULL, NULL, 0, 0 },
		{ "g:x:1:a:b", POG_GRP_GROUP, false, NULL, NULL, NULL, 0, 0 },
		{ ":x:1:", POG_GRP_GROUP, false, NULL, NULL, NULL, 0, 0 },
		{ "", POG_GRP_GROUP, false, NULL, NULL, NULL, 0, 0 },
		{ "#g:x:1:", POG_GRP_GROUP, false, NULL, NULL, NULL, 0, 0 },
		{ "+g:x:1:", POG_GRP_GROUP, false, NULL, NULL, NULL, 0, 0 },
		{ "-g:x:1:", POG_GRP_GROUP, false, NULL, NULL, NULL, 0, 0 },
		{ "g:x:1:a\r", POG_GRP_GROUP, true, "g", "x", "1", 1, 1 },
		{ "g:x:1:a,\tb , c", POG_GRP_GROUP, true, "g", "x", "1", 1, 3 },
		{ "g:x:1:a\x01", POG_GRP_GROUP, false, NULL, NULL, NULL, 0, 0 },
		{ "g\t:x:1:a", POG_GRP_GROUP, false, NULL, NULL, NULL, 0, 0 },
		{ "g:x\r:1:a", POG_GRP_GROUP, false, NULL, NULL, NULL, 0, 0 },
		{ "docker:!:\tcarol:bob", POG_GRP_GSHADOW, true, "docker", "!", "\tcarol", 0, 1 },
		{ "docker:!:\x02:bob", POG_GRP_GSHADOW, false, NULL, NULL, NULL, 0, 0 },
		{ "docker:!:carol:bob", POG_GRP_GSHADOW, true, "docker", "!", "carol", 0, 1 },
		{ "docker:$6$s$h:a,b:", POG_GRP_GSHADOW, true, "docker", "$6$s$h", "a,b", 0, 0 },
		{ "docker:!:", POG_GRP_GSHADOW, false, NULL, NULL, NULL, 0, 0 },
		{ "docker:!:x", POG_GRP_GROUP, false, NULL, NULL, NULL, 0, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pog_grp_entry e = { 0 };
		const char *line = cases[i].line;
		const char *cur = line;
		const char *end = line + strlen(line);
		pog_err err = pog_grp_parse_entry(&cur, end, cases[i].kind, &e);

		if ((err == POG_OK) != cases[i].ok)
			fprintf(stderr, "case %zu (%s): got %d\n", i, line, (int)err);
		TC_EQ_INT((err == POG_OK), cases[i].ok);
		if (!cases[i].ok) {
			TC_EQ_INT(cur, line);          /* the cursor moves only on success */
			TC_CHECK(e.name == NULL);
			continue;
		}
		TC_EQ_INT(cur, end);
		TC_STREQ(e.name, cases[i].name);
		TC_STREQ(e.passwd, cases[i].passwd);
		TC_STREQ(e.field3, cases[i].f3);
		if (cases[i].kind == POG_GRP_GROUP)
			TC_EQ_INT(e.gid, cases[i].gid);
		TC_EQ_INT(e.members.n, cases[i].nmembers);
		pog_grp_entry_free(&e);
	}
}

/* An edit, then the whole text. */
static void
edit_case(enum pog_grp_kind kind, const char *in, const char *op, const char *group,
	  const char *user, pog_err want_err, bool want_change, const char *want)
{
	struct pog_grp_db db = { 0 };
	struct pog_buf out = { 0 };
	bool ch = false;
	pog_err err;

	TC_ERR(pog_grp_db_parse(&db, kind, in, strlen(in)), POG_OK);
	if (strcmp(op, "add") == 0)
		err = pog_grp_db_add_member(&db, group, user, &ch);
	else
		err = pog_grp_db_remove_member(&db, group, user, &ch);
	TC_EQ_INT(err, want_err);
	TC_EQ_INT(ch, want_change);
	TC_EQ_INT(pog_grp_db_dirty(&db), want_change);
	TC_ERR(pog_grp_db_format(&db, &out), POG_OK);
	TC_STREQ(out.data != NULL ? out.data : "", want);
	pog_buf_free(&out);
	pog_grp_db_free(&db);
}

static void
test_edits(void)
{
	const enum pog_grp_kind G = POG_GRP_GROUP, S = POG_GRP_GSHADOW;

	edit_case(G, "a:x:1:\ndevteam:x:1500:\nz:x:2:\n", "add", "devteam", "alice",
		  POG_OK, true, "a:x:1:\ndevteam:x:1500:alice\nz:x:2:\n");
	edit_case(G, "devteam:x:1500:bob", "add", "devteam", "alice",
		  POG_OK, true, "devteam:x:1500:bob,alice");
	edit_case(G, "devteam:x:1500:bob,alice\n", "add", "devteam", "alice",
		  POG_OK, false, "devteam:x:1500:bob,alice\n");
	edit_case(G, "devteam:x:1500:a,alice,c\n", "remove", "devteam", "alice",
		  POG_OK, true, "devteam:x:1500:a,c\n");
	edit_case(G, "devteam:x:1500:alice\n", "remove", "devteam", "alice",
		  POG_OK, true, "devteam:x:1500:\n");
	edit_case(G, "devteam:x:1500:alicex,xalice\n", "remove", "devteam", "alice",
		  POG_OK, false, "devteam:x:1500:alicex,xalice\n");
	edit_case(G, "devteam:x:1500:alice,alice\n", "remove", "devteam", "alice",
		  POG_OK, true, "devteam:x:1500:\n");
	edit_case(G, "d:x:1:alice\nd:x:2:alice,b\n", "remove", "d", "alice",
		  POG_OK, true, "d:x:1:\nd:x:2:b\n");
	edit_case(G, "d:x:1:\nd:x:2:\n", "add", "d", "alice",
		  POG_OK, true, "d:x:1:alice\nd:x:2:\n");
	edit_case(G, "d:x:1:\n", "add", "nosuch", "alice", POG_ERR_INVALID, false, "d:x:1:\n");
	edit_case(G, "d:x:1:\n", "remove", "nosuch", "alice", POG_OK, false, "d:x:1:\n");
	edit_case(G, "d:x:1:\n", "add", "d", "a,b", POG_ERR_INVALID, false, "d:x:1:\n");
	edit_case(G, "d:x:1:\n", "add", "d", "a:b", POG_ERR_INVALID, false, "d:x:1:\n");
	edit_case(G, "d:x:1:\n", "add", "d", "a\nb", POG_ERR_INVALID, false, "d:x:1:\n");
	edit_case(G, "d:x:1:\n", "add", "d", "../x", POG_ERR_INVALID, false, "d:x:1:\n");
	/* a malformed line with the same name is never edited */
	edit_case(G, "d:x:1:b\x01\n", "add", "d", "alice", POG_ERR_INVALID, false, "d:x:1:b\x01\n");
	/* a CR is part of the last member, for glibc and for us */
	edit_case(G, "d:x:1:b\r\n", "add", "d", "alice", POG_OK, true, "d:x:1:b\r,alice\n");
	/* a line kept as is except for its edit; sparse member lists are tidied */
	edit_case(G, "s:x:14:a,,b,\n", "add", "s", "alice", POG_OK, true, "s:x:14:a,b,alice\n");
	/* gshadow: the admins stay, the members change */
	edit_case(S, "docker:!:carol:bob\n", "add", "docker", "alice",
		  POG_OK, true, "docker:!:carol:bob,alice\n");
	edit_case(S, "docker:!:alice:alice\n", "remove", "docker", "alice",
		  POG_OK, true, "docker:!:alice:\n");
	edit_case(S, "docker:$6$s$h::\n", "add", "docker", "alice",
		  POG_OK, true, "docker:$6$s$h::alice\n");
}

static void
test_names(void)
{
	static const struct {
		const char *name;
		bool group, user;
	} cases[] = {
		{ "devteam", true, true },
		{ "a", true, true },
		{ "Domain Users", false, false },
		{ "a:b", false, false },
		{ "a,b", false, false },
		{ "a\tb", false, false },
		{ "a\nb", false, false },
		{ "a\x7f", false, false },
		{ "", false, false },
		{ "0123456789012345678901234567890", true, true },     /* 31 */
		{ "01234567890123456789012345678901", true, true },    /* 32 */
		{ "012345678901234567890123456789012", false, false }, /* 33 */
		{ "\xc3\xa9quipe", true, true },
		{ "a/b", true, false },
		{ ".hidden", true, false },
		{ "..", true, false },
		{ "-rf", true, false },
		{ "+nis", true, false },
		{ "svc$", true, true },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (pog_grp_name_valid(cases[i].name) != cases[i].group ||
		    pog_grp_user_valid(cases[i].name) != cases[i].user)
			fprintf(stderr, "name case %zu\n", i);
		TC_EQ_INT(pog_grp_name_valid(cases[i].name), cases[i].group);
		TC_EQ_INT(pog_grp_user_valid(cases[i].name), cases[i].user);
	}
	TC_CHECK(pog_ascii_caseeq("DevTeam", "devteam"));
	TC_CHECK(pog_ascii_caseeq("", ""));
	TC_CHECK(!pog_ascii_caseeq("devteam", "devteams"));
	TC_CHECK(!pog_ascii_caseeq("\xc3\x89", "\xc3\xa9"));  /* ASCII only */
}

static void
test_find(void)
{
	const char *text = "Dev:x:1:\ndev:x:2:\nOps:x:3:\n";
	struct pog_grp_db db = { 0 };
	const struct pog_grp_entry *e;

	TC_ERR(pog_grp_db_parse(&db, POG_GRP_GROUP, text, strlen(text)), POG_OK);
	TC_CHECK(pog_grp_db_find(&db, "dev") != NULL && pog_grp_db_find(&db, "dev")->gid == 2);
	TC_CHECK(pog_grp_db_find(&db, "DEV") == NULL);
	TC_CHECK(pog_grp_db_find_casefold(&db, "DEV") == NULL);    /* ambiguous */
	e = pog_grp_db_find_casefold(&db, "ops");
	TC_CHECK(e != NULL && e->gid == 3);
	pog_grp_db_free(&db);
}

/* The member and admin lists of one line, as glibc itself reads them (fgetgrent, fgetsgent). */
static bool
glibc_lists(enum pog_grp_kind kind, const char *line, struct pog_strv *adm,
	    struct pog_strv *mem)
{
	char path[] = "/tmp/test-grp.XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w+") : NULL;
	bool ok = false;

	if (f == NULL)
		return false;
	fprintf(f, "%s\n", line);
	rewind(f);
	if (kind == POG_GRP_GROUP) {
		struct group *gr = fgetgrent(f);

		for (size_t i = 0; gr != NULL && gr->gr_mem[i] != NULL; i++)
			pog_strv_add(mem, gr->gr_mem[i]);
		ok = gr != NULL;
	} else {
		struct sgrp *sg = fgetsgent(f);

		for (size_t i = 0; sg != NULL && sg->sg_adm[i] != NULL; i++)
			pog_strv_add(adm, sg->sg_adm[i]);
		for (size_t i = 0; sg != NULL && sg->sg_mem[i] != NULL; i++)
			pog_strv_add(mem, sg->sg_mem[i]);
		ok = sg != NULL;
	}
	fclose(f);
	unlink(path);
	return ok;
}

/* Every list reads the same to us as to glibc's nss_files parser. */
static void
test_glibc_lists(void)
{
	static const char *lists[] = {
		"bob, alice", " alice", "alice ,bob", "bob,,alice", "bob,\talice",
		"\talice\t,bob", ",alice,", " , ,", "", "a b,c", "bob,\v\f\ralice",
		"alice\r", "  ", "x,, ,\t, y ", "alice,alice",
	};

	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		for (int k = 0; k < 2; k++) {
			enum pog_grp_kind kind = k == 0 ? POG_GRP_GROUP : POG_GRP_GSHADOW;
			struct pog_strv gadm = { 0 }, gmem = { 0 };
			struct pog_grp_entry e = { 0 };
			char *line = kind == POG_GRP_GROUP ?
				pog_asprintf("devteam:x:2000:%s", lists[i]) :
				pog_asprintf("devteam:!:%s:%s", lists[i], lists[i]);
			const char *cur = line;
			bool ok;

			TC_CHECK(line != NULL && glibc_lists(kind, line, &gadm, &gmem));
			TC_ERR(pog_grp_parse_entry(&cur, line + strlen(line), kind, &e), POG_OK);
			ok = tu_strv_eq(&e.members, &gmem) &&
			     (kind == POG_GRP_GROUP || tu_strv_eq(&e.admins, &gadm));
			if (!ok)
				fprintf(stderr, "list \"%s\" (kind %d): %zu members for us, %zu for glibc\n",
					lists[i], k, e.members.n, gmem.n);
			TC_CHECK(ok);
			pog_grp_entry_free(&e);
			pog_strv_free(&gadm);
			pog_strv_free(&gmem);
			free(line);
		}
	}
}

/* A revoked member is removed however the list is spaced; the line is rewritten in normal form. */
static void
test_blank_removal(void)
{
	const enum pog_grp_kind G = POG_GRP_GROUP, S = POG_GRP_GSHADOW;
	const char *other = "other:x:1:x, y\n";
	char *in, *want;

	edit_case(G, "devteam:x:2000:bob, alice\n", "remove", "devteam", "alice",
		  POG_OK, true, "devteam:x:2000:bob\n");
	edit_case(G, "devteam:x:2000: alice\n", "remove", "devteam", "alice",
		  POG_OK, true, "devteam:x:2000:\n");
	edit_case(G, "devteam:x:2000:bob,,alice\n", "remove", "devteam", "alice",
		  POG_OK, true, "devteam:x:2000:bob\n");
	edit_case(G, "devteam:x:2000:bob,\talice\n", "remove", "devteam", "alice",
		  POG_OK, true, "devteam:x:2000:bob\n");
	edit_case(G, "devteam:x:2000:\talice , bob\n", "remove", "devteam", "bob",
		  POG_OK, true, "devteam:x:2000:alice \n");
	/* "alice " is not alice, for glibc either: nothing to remove */
	edit_case(G, "devteam:x:2000:alice ,bob\n", "remove", "devteam", "alice",
		  POG_OK, false, "devteam:x:2000:alice ,bob\n");
	edit_case(G, "devteam:x:2000:alice ,bob\n", "remove", "devteam", "bob",
		  POG_OK, true, "devteam:x:2000:alice \n");
	/* an add also writes the normal form */
	edit_case(G, "devteam:x:2000:bob, carol\n", "add", "devteam", "alice",
		  POG_OK, true, "devteam:x:2000:bob,carol,alice\n");
	/* gshadow: both lists in the normal form */
	edit_case(S, "devteam:!: carol,\tdave:bob, alice\n", "remove", "devteam", "alice",
		  POG_OK, true, "devteam:!:carol,dave:bob\n");
	/* the lines not touched stay byte for byte */
	in = pog_asprintf("%sdevteam:x:2000:bob, alice\n%s", other, other);
	want = pog_asprintf("%sdevteam:x:2000:bob\n%s", other, other);
	TC_CHECK(in != NULL && want != NULL);
	if (in != NULL && want != NULL)
		edit_case(G, in, "remove", "devteam", "alice", POG_OK, true, want);
	free(in);
	free(want);
}

/* A line we do not rewrite but glibc may read as listing the user: removal refuses. */
static void
test_unparsed_member(void)
{
	static const struct {
		const char *text;
		size_t line;            /* 1-based, 0: none */
	} cases[] = {
		{ "devteam:x:2000:bob\n devteam:x:2000:alice\n", 2 },          /* indented */
		{ "devteam:x: 2000:alice\n", 1 },                               /* odd gid */
		{ "devteam:x:+2000:bob, alice\n", 1 },
		{ "devteam:x:2000:bob:x,alice\n", 1 },                          /* extra colon */
		{ "devteam:x:2000:bob,\x01,alice\n", 1 },                       /* control byte */
		{ "#devteam:x:2000:alice\n", 0 },                               /* a comment */
		{ "devteam:x: 2000:alice \n", 0 },                              /* "alice " */
		{ "devteams:x: 2000:alice\n", 0 },
		{ "devteam:x:2000:bob, alice\n", 0 },                           /* an entry */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pog_grp_db db = { 0 };
		struct pog_buf out = { 0 };
		const char *t = cases[i].text;
		size_t got;
		bool ch = true;
		pog_err err;

		TC_ERR(pog_grp_db_parse(&db, POG_GRP_GROUP, t, strlen(t)), POG_OK);
		got = pog_grp_db_unparsed_member(&db, "devteam", "alice");
		if (got != cases[i].line)
			fprintf(stderr, "unparsed case %zu: line %zu, want %zu\n", i, got,
				cases[i].line);
		TC_EQ_INT(got, cases[i].line);
		TC_EQ_INT(pog_grp_db_is_member(&db, "devteam", "alice"), (cases[i].line != 0 || strstr(t, ", alice") != NULL));
		err = pog_grp_db_remove_member(&db, "devteam", "alice", &ch);
		if (cases[i].line != 0) {
			TC_CHECK(err == POG_ERR_INVALID && !ch);
			TC_ERR(pog_grp_db_format(&db, &out), POG_OK);
			TC_EQ_INT(out.len, strlen(t));
			TC_EQ_INT(memcmp(out.data, t, out.len), 0);
		} else {
			TC_ERR(err, POG_OK);
		}
		pog_buf_free(&out);
		pog_grp_db_free(&db);
	}
}

/* One text through the full parse and the lazy one: the same answers, edits and bytes. */
static void
lazy_same(const char *text, size_t len, enum pog_grp_kind kind, const char *what)
{
	static const char *const groups[] = {
		"devteam", "DevTeam", "sudo", "adm", "docker", "users", "audio", "nogroup",
		"+nis", "dup", "Dup", "wheel", "cdrom", "",
		/* around the 8 bytes the lazy parse buckets a name by */
		"a", "ab", "abcdefg", "abcdefgh", "ABCDEFGH", "abcdefghi",
		"abcdefghijklmnop", "abcdefghijklmnopq", "a:b", "g0000017", "g0000017x",
	};
	static const char *const users[] = { "alice", "bob", "carol", "alice " };
	struct pog_grp_db e = { 0 }, l = { 0 };
	struct pog_buf oe = { 0 }, ol = { 0 };
	size_t bad = 0;

	TC_ERR(pog_grp_db_parse(&e, kind, text, len), POG_OK);
	TC_ERR(pog_grp_db_parse_lazy(&l, kind, text, len), POG_OK);
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		const struct pog_grp_entry *fe = pog_grp_db_find(&e, groups[g]);
		const struct pog_grp_entry *fl = pog_grp_db_find(&l, groups[g]);
		const struct pog_grp_entry *ce = pog_grp_db_find_casefold(&e, groups[g]);
		const struct pog_grp_entry *cl = pog_grp_db_find_casefold(&l, groups[g]);

		if ((fe == NULL) != (fl == NULL) || (ce == NULL) != (cl == NULL) ||
		    (fe != NULL && (strcmp(fe->name, fl->name) != 0 || fe->gid != fl->gid ||
				    strcmp(fe->field3, fl->field3) != 0 ||
				    fe->members.n != fl->members.n)) ||
		    (ce != NULL && strcmp(ce->name, cl->name) != 0)) {
			fprintf(stderr, "lazy %s: find %s differs\n", what, groups[g]);
			bad++;
		}
		for (size_t u = 0; u < sizeof(users) / sizeof(users[0]); u++)
			if (pog_grp_db_is_member(&e, groups[g], users[u]) !=
			    pog_grp_db_is_member(&l, groups[g], users[u]) ||
			    pog_grp_db_unparsed_member(&e, groups[g], users[u]) !=
			    pog_grp_db_unparsed_member(&l, groups[g], users[u])) {
				fprintf(stderr, "lazy %s: %s in %s differs\n", what, users[u], groups[g]);
				bad++;
			}
	}
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		bool c1 = false, c2 = false;

		if (pog_grp_db_add_member(&e, groups[g], g % 2 ? "alice" : "dave", &c1) !=
		    pog_grp_db_add_member(&l, groups[g], g % 2 ? "alice" : "dave", &c2) || c1 != c2)
			bad++;
		if (pog_grp_db_remove_member(&e, groups[g], g % 2 ? "bob" : "alice", &c1) !=
		    pog_grp_db_remove_member(&l, groups[g], g % 2 ? "bob" : "alice", &c2) || c1 != c2)
			bad++;
	}
	TC_EQ_INT(pog_grp_db_dirty(&e), pog_grp_db_dirty(&l));
	TC_ERR(pog_grp_db_format(&e, &oe), POG_OK);
	TC_ERR(pog_grp_db_format(&l, &ol), POG_OK);
	if (oe.len != ol.len || (oe.len > 0 && memcmp(oe.data, ol.data, oe.len) != 0)) {
		fprintf(stderr, "lazy %s: the edited files differ:\n%s\n----\n%s\n", what,
			oe.data != NULL ? oe.data : "", ol.data != NULL ? ol.data : "");
		bad++;
	}
	/* the pieces the sync writes, joined, are the formatted file */
	{
		struct pog_buf ch = { 0 }, joined = { 0 };
		struct pog_grp_piece *pc = NULL;
		size_t npc = 0;

		TC_CHECK(pog_grp_db_format_pieces(&l, &ch, &pc, &npc) == POG_OK);
		for (size_t i = 0; i < npc; i++)
			TC_CHECK(pog_buf_add(&joined, (pc[i].in_out ? ch.data : text) + pc[i].off,
					     pc[i].len) == POG_OK);
		if (joined.len != ol.len || (ol.len > 0 && memcmp(joined.data, ol.data, ol.len) != 0)) {
			fprintf(stderr, "lazy %s: the pieces differ from the formatted file:\n%s\n----\n%s\n",
				what, joined.data != NULL ? joined.data : "", ol.data != NULL ? ol.data : "");
			bad++;
		}
		free(pc);
		pog_buf_free(&ch);
		pog_buf_free(&joined);
	}
	TC_CHECK(!pog_grp_db_failed(&l));
	TC_EQ_INT(bad, 0);
	pog_buf_free(&oe);
	pog_buf_free(&ol);
	pog_grp_db_free(&e);
	pog_grp_db_free(&l);
}

static void
test_lazy(void)
{
	static const struct {
		const char *file;
		enum pog_grp_kind kind;
	} fx[] = {
		{ "group.debian", POG_GRP_GROUP }, { "gshadow.debian", POG_GRP_GSHADOW },
		{ "group.blank", POG_GRP_GROUP }, { "group.empty", POG_GRP_GROUP },
		{ "group.odd-nonl", POG_GRP_GROUP }, { "gshadow.odd", POG_GRP_GSHADOW },
	};
	static const char *const texts[] = {
		"devteam:x:2000:bob\n devteam:x:2000:alice\n",
		"devteam:x: 2000:alice\ndevteam:x:2000:bob\n",
		"dup:x:1:alice\ndup:x:2:bob,alice\nDup:x:3:carol\n",
		"dup:x:bad:alice\ndup:x:2:bob\n#dup:x:3:alice\n+nis:x:4:alice\n",
		"sudo:x:27:bob, alice\nsudo:x:27:alice\nusers:x:100:alice",
		"\n\n:x:1:alice\nnocolon\ndevteam:x:2000:alice,bob\n",
		"",
	};

	for (size_t i = 0; i < sizeof(fx) / sizeof(fx[0]); i++) {
		size_t len = 0;
		char *t = slurp(fx[i].file, &len);

		TC_CHECK(t != NULL);
		if (t != NULL)
			lazy_same(t, len, fx[i].kind, fx[i].file);
		free(t);
	}
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		lazy_same(texts[i], strlen(texts[i]), POG_GRP_GROUP, texts[i]);
	/* NUL bytes, which no name holds but a line may */
	{
		static const char nul[] = "ab\0\0:x:1:alice\nab:x:2:bob\na\0:x:3:carol\nab";

		lazy_same(nul, sizeof(nul) - 1, POG_GRP_GROUP, "NUL bytes");
	}
	/* a big file: the 16- and 8-byte splits, long chains, every length near 8 and 16 */
	{
		struct pog_buf big = { 0 };
		uint32_t r = 12345;

		for (long i = 0; i < 20000; i++) {
			static const char *const odd[] = { " ", "\t", "+", "-", "#", "" };
			static const char *const tails[] = { "", "\r", ",", " " };
			size_t nlen;
			char name[40];

			r = r * 1103515245u + 12345u;
			nlen = 1 + (r >> 16) % 20;
			for (size_t j = 0; j < nlen; j++)
				name[j] = "abcdefgABCDEFG01234"[(r >> (j % 16)) % 19];
			name[nlen] = '\0';
			if (i % 1000 == 17)
				snprintf(name, sizeof(name), "%s", i % 2000 == 17 ? "abcdefgh" : "g0000017");
			TC_CHECK(pog_buf_printf(&big, "%s%s:x:%ld:alice,bob%s\n",
						i % 97 == 5 ? odd[(r >> 8) % 6] : "", name, i,
						tails[(r >> 4) % 4]) == POG_OK);
		}
		/* the last line without its newline, shorter than 8 bytes */
		TC_CHECK(pog_buf_add(&big, "a:x:1", 5) == POG_OK);
		lazy_same(big.data, big.len, POG_GRP_GROUP, "20000 lines");
		lazy_same(big.data, big.len, POG_GRP_GSHADOW, "20000 lines, gshadow");
		pog_buf_free(&big);
	}
}

int
main(void)
{
	test_fixtures();
	test_odd_lines();
	test_cursor();
	test_edits();
	test_names();
	test_find();
	test_glibc_lists();
	test_blank_removal();
	test_unparsed_member();
	test_lazy();
	TC_DONE();
}
