/*
 * fuzz_cfg.c - libFuzzer target for the config parser (pog_cfg_parse).
 *
 * The input is the file's text, with no NUL terminator: the parser must
 * honour the length. Every outcome must leave nothing allocated.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "wrap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pog_config cfg;
	char *errmsg = NULL;

	if (pog_cfg_parse(&cfg, "fuzz.conf", (const char *)data, size, &errmsg) == POG_OK) {
		/* The lookups the account phase makes. */
		for (size_t i = 0; i < cfg.nbindings; i++)
			if (pog_cfg_role(&cfg, cfg.bindings[i].role) == NULL)
				abort();
		if (cfg.issuer == NULL || cfg.client_id == NULL || cfg.scopes.n == 0)
			abort();
	} else {
		static const char hole[] = "(inih and the pre-scan disagree)";
		size_t n = errmsg != NULL ? strlen(errmsg) : 0;

		/* Every message names the file; none comes from a hole in cfg.c's
		 * pre-scan. A fault injected (POG_FUZZ_FAULTS) may explain any. */
		if (!pog_wrap_failed() &&
		    (errmsg == NULL || strncmp(errmsg, "fuzz.conf:", 10) != 0 ||
		     (n >= sizeof(hole) - 1 &&
		      strcmp(errmsg + n - (sizeof(hole) - 1), hole) == 0)))
			abort();
	}
	pog_cfg_free(&cfg);
	free(errmsg);
	return 0;
}
