/*
 * fuzz_handoff.c - libFuzzer target for the session handoff parser.
 *
 * The input is the file's text, with no NUL terminator. Whatever parses
 * must name a valid user, and format to exactly the input: the format
 * has one spelling per value.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grp.h"
#include "handoff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pog_handoff h = { 0 };
	char *msg = NULL, *text = NULL;
	size_t len = 0;

	if (pog_handoff_parse((const char *)data, size, &h, &msg) == POG_OK) {
		if (!pog_grp_user_valid(h.user) || h.ngids > POG_HANDOFF_MAX_GIDS)
			abort();
		if (pog_handoff_format(&h, &text, &len) != POG_OK)
			abort();
		if (len != size || memcmp(text, data, size) != 0)
			abort();
	}
	free(text);
	free(msg);
	pog_handoff_free(&h);
	return 0;
}
