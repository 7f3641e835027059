/*
 * fuzz_nsscfg.c - libFuzzer target for the NSS module's config reading
 * (nss/nss_cfg.c). Whatever it takes must hold a valid range, home and
 * absolute paths.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../nss/nss_cfg.h"
#include "uidrule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pog_nsscfg c;
	char *text = malloc(size + 1);

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (pog_nsscfg_parse(text, size, &c)) {
		if (c.lo < POG_UID_RANGE_MIN || c.lo > c.hi || c.hi > POG_UID_RANGE_MAX ||
		    !pog_uid_home_valid(c.home) || c.key_file[0] != '/' ||
		    c.shell[0] != '/' || c.state_dir[0] != '/')
			abort();
	}
	free(text);
	return 0;
}
