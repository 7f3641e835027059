/*
 * fuzz_grp.c - libFuzzer target for the group and gshadow parser.
 *
 * The input is a whole file, with no NUL terminator. For both kinds:
 * formatting what was parsed must give back the input byte for byte;
 * an edit must change only the edited entry, and its result must parse
 * again with the member where it was put.
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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);

	if (text == NULL)
		return 0;
	memcpy(text, data, size);   /* no NUL: the parser must honour the length */
	check_kind(text, size, POG_GRP_GROUP);
	check_kind(text, size, POG_GRP_GSHADOW);
	free(text);
	return 0;
}
