/*
 * fuzz_map: the login.defs and passwd readers that same_name relies on
 * never crash on any text, and what they accept is sane: GID_MIN <=
 * GID_MAX, and the passwd GIDs sorted without duplicates.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "map.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	gid_t mn = 0, mx = 0, *gids = NULL;
	size_t n = 0;
	char *msg = NULL;

	if (pog_map_parse_login_defs(text, size, &mn, &mx, &msg) == POG_OK && mn > mx)
		abort();
	free(msg);
	msg = NULL;
	if (pog_map_parse_passwd_gids(text, size, &gids, &n, &msg) == POG_OK)
		for (size_t i = 1; i < n; i++)
			if (gids[i - 1] >= gids[i])
				abort();
	free(gids);
	free(msg);
	return 0;
}
