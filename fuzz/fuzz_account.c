/*
 * fuzz_account.c - libFuzzer target for the account record parser
 * (state_dir/accounts/NAME) and the passwd/group scanners of the UID rule.
 *
 * Whatever parses must be valid, format, and parse again to the same
 * record and the same bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "uidrule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pog_account a, b;
	struct pog_idset ids = { 0 };
	const char *why = NULL;
	char out[POG_ACCOUNT_MAX_SIZE + 1], again[POG_ACCOUNT_MAX_SIZE + 1];
	size_t n, m;
	bool found;

	(void)pog_uid_scan_passwd((const char *)data, size, "newuser", &ids, &found);
	(void)pog_uid_scan_group((const char *)data, size, "newuser", &ids, &found);
	pog_idset_free(&ids);
	if (!pog_account_parse((const char *)data, size, &a, &why))
		return 0;
	if (!pog_uid_name_valid(a.name) || a.uid < POG_UID_RANGE_MIN || a.uid > POG_UID_RANGE_MAX)
		abort();
	n = pog_account_format(&a, out, sizeof(out));
	if (n == 0 || !pog_account_parse(out, n, &b, &why) || memcmp(&a, &b, sizeof(a)) != 0)
		abort();
	m = pog_account_format(&b, again, sizeof(again));
	if (m != n || memcmp(out, again, n) != 0)
		abort();
	return 0;
}
