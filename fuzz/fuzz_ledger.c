/*
 * fuzz_ledger.c - libFuzzer target for the ledger parser.
 *
 * The input is the file's text, with no NUL terminator. Whatever parses
 * must format, parse again to the same ledger, and format to the same
 * bytes; every group name in it must be a valid one.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grp.h"
#include "ledger.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
str_eq(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static bool
strv_eq(const struct pog_strv *a, const struct pog_strv *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return false;
	return true;
}

static bool
all_valid(const struct pog_strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		if (!pog_grp_name_valid(sv->v[i]))
			return false;
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pog_ledger a = { 0 }, b = { 0 };
	char *msg = NULL;
	char *t1 = NULL, *t2 = NULL;
	size_t n1 = 0, n2 = 0;
	char *text = malloc(size + 1);

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	if (pog_ledger_parse(&a, text, size, &msg) != POG_OK) {
		if (a.user != NULL)
			abort();
		goto out;
	}
	if (!pog_grp_user_valid(a.user) || !all_valid(&a.managed) ||
	    !all_valid(&a.last_added) || !all_valid(&a.last_removed) || a.when < 0)
		abort();
	if (pog_ledger_format(&a, &t1, &n1) != POG_OK)
		abort();
	if (pog_ledger_parse(&b, t1, n1, NULL) != POG_OK)
		abort();
	if (!str_eq(a.user, b.user) || a.when != b.when || a.expired != b.expired ||
	    !str_eq(a.sub, b.sub) || !str_eq(a.pinned_sub, b.pinned_sub) ||
	    !str_eq(a.issuer, b.issuer) ||
	    !str_eq(a.result, b.result) || !strv_eq(&a.idp_groups, &b.idp_groups) ||
	    !strv_eq(&a.managed, &b.managed) || !strv_eq(&a.last_added, &b.last_added) ||
	    !strv_eq(&a.last_removed, &b.last_removed))
		abort();
	if (pog_ledger_format(&b, &t2, &n2) != POG_OK || n1 != n2 || memcmp(t1, t2, n1) != 0)
		abort();
out:
	pog_ledger_free(&a);
	pog_ledger_free(&b);
	free(msg);
	free(t1);
	free(t2);
	free(text);
	return 0;
}
