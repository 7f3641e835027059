/* fuzz_sshcfg: the LoginGraceTime reader never crashes on any text. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "sshcfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	long s = -1;

	if (pog_sshd_grace_parse((const char *)data, size, &s) == POG_OK && s < 0)
		abort();
	return 0;
}
