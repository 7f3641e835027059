/*
 * fuzz_grp.c - libFuzzer target for the group and gshadow parser.
 *
 * The input is a whole file, with no NUL terminator. For both kinds:
 * formatting what was parsed must give back the input byte for byte;
 * an edit must change only the edited entry, and its result must parse
 * again with the member where it was put. The lazy parse (the sync's)
 * must give the full parse's answers for the names in the file and the
 * same bytes after the same edit.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grp.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_kind(const char *text, size_t size, enum pog_grp_kind kind)
{
	struct pog_grp_db db = { 0 }, again = { 0 };
	struct pog_buf out = { 0 }, out2 = { 0 };
	const char *first = NULL;
	bool ch = false;

	if (pog_grp_db_parse(&db, kind, text, size) != POG_OK)
		abort();
	if (pog_grp_db_format(&db, &out) != POG_OK)
		abort();
	if (out.len != size || (size > 0 && memcmp(out.data, text, size) != 0))
		abort();

	for (size_t i = 0; i < db.n && first == NULL; i++)
		if (db.lines[i].is_entry)
			first = db.lines[i].e.name;
	if (first != NULL) {
		char *name = strdup(first);

		if (name == NULL)
			abort();
		if (pog_grp_db_add_member(&db, name, "fuzzuser", &ch) != POG_OK)
			abort();
		if (pog_grp_db_format(&db, &out2) != POG_OK)
			abort();
		if (pog_grp_db_parse(&again, kind, out2.data != NULL ? out2.data : "",
				     out2.len) != POG_OK)
			abort();
		if (again.n != db.n || !pog_grp_db_is_member(&again, name, "fuzzuser"))
			abort();
		for (size_t i = 0; i < db.n; i++)
			if (!db.lines[i].dirty &&
			    (again.lines[i].rawlen != db.lines[i].rawlen ||
			     memcmp(again.lines[i].raw, db.lines[i].raw, db.lines[i].rawlen) != 0))
				abort();
		/* a line we do not rewrite that may list fuzzuser makes the removal refuse */
		if (pog_grp_db_unparsed_member(&again, name, "fuzzuser") != 0) {
			if (pog_grp_db_remove_member(&again, name, "fuzzuser", &ch) !=
			    POG_ERR_INVALID || ch)
				abort();
		} else {
			if (pog_grp_db_remove_member(&again, name, "fuzzuser", &ch) != POG_OK || !ch)
				abort();
			if (pog_grp_db_is_member(&again, name, "fuzzuser"))
				abort();
		}
		free(name);
	}
	pog_grp_db_free(&again);
	pog_grp_db_free(&db);
	pog_buf_free(&out);
	pog_buf_free(&out2);
}

/* The lazy db answers as the full one does, for every name the file holds (up to 16). */
static void
check_lazy(const char *text, size_t size, enum pog_grp_kind kind)
{
	struct pog_grp_db db = { 0 }, lz = { 0 };
	struct pog_buf a = { 0 }, b = { 0 };
	size_t names = 0;

	if (pog_grp_db_parse(&db, kind, text, size) != POG_OK ||
	    pog_grp_db_parse_lazy(&lz, kind, text, size) != POG_OK)
		abort();
	for (size_t i = 0; i < db.n && names < 16; i++) {
		const char *name = db.lines[i].is_entry ? db.lines[i].e.name : NULL;
		const struct pog_grp_entry *x, *y;
		bool c1 = false, c2 = false;

		if (name == NULL)
			continue;
		names++;
		x = pog_grp_db_find(&db, name);
		y = pog_grp_db_find(&lz, name);
		if (x == NULL || y == NULL || strcmp(x->name, y->name) != 0 ||
		    strcmp(x->field3, y->field3) != 0 || x->members.n != y->members.n)
			abort();
		x = pog_grp_db_find_casefold(&db, name);
		y = pog_grp_db_find_casefold(&lz, name);
		if ((x == NULL) != (y == NULL) || (x != NULL && strcmp(x->name, y->name) != 0))
			abort();
		if (pog_grp_db_unparsed_member(&db, name, "fuzzuser") !=
		    pog_grp_db_unparsed_member(&lz, name, "fuzzuser"))
			abort();
		if (pog_grp_db_add_member(&db, name, "fuzzuser", &c1) !=
		    pog_grp_db_add_member(&lz, name, "fuzzuser", &c2) || c1 != c2)
			abort();
	}
	if (pog_grp_db_format(&db, &a) != POG_OK || pog_grp_db_format(&lz, &b) != POG_OK ||
	    a.len != b.len || (a.len > 0 && memcmp(a.data, b.data, a.len) != 0))
		abort();
	pog_buf_free(&a);
	pog_buf_free(&b);
	pog_grp_db_free(&lz);
	pog_grp_db_free(&db);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);

	if (text == NULL)
		return 0;
	memcpy(text, data, size);   /* no NUL: the parser must honour the length */
	check_kind(text, size, POG_GRP_GROUP);
	check_kind(text, size, POG_GRP_GSHADOW);
	check_lazy(text, size, POG_GRP_GROUP);
	check_lazy(text, size, POG_GRP_GSHADOW);
	free(text);
	return 0;
}
