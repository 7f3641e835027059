/*
 * fuzz_claims.c - libFuzzer target for the ID token's claim checks
 * (pog_claims_check with a fixed policy) and, on the same bytes taken as
 * a username claim, the mapping to a local user (pog_claims_local_user).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "claims.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
must_be_user(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 32 || s[0] == '-')
		abort();
	for (; *s != '\0'; s++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-", *s) == NULL)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct pog_claims_policy pol = {
		.issuer = "https://dev-1.okta.com/oauth2/default",
		.client_id = "0oa1b2c3d4e5",
		.clock_skew = 60,
		.now = 1700000000,
		.username_claim = "preferred_username",
		.require_mfa = true,
	};
	static char d1[] = "example.com", d2[] = "corp.example.org";
	static char *dv[] = { d1, d2, NULL };
	static const struct pog_strv domains = { dv, 2, 3 };
	struct pog_claims c = { 0 };
	char *errmsg = NULL, *claim, *local = NULL;

	if (pog_claims_check((const char *)data, size, &pol, &c, &errmsg) == POG_OK) {
		if (c.sub == NULL || c.username == NULL || c.sub[0] == '\0' || errmsg != NULL)
			abort();
	} else if (c.sub != NULL || c.username != NULL) {
		abort();
	}
	pog_claims_free(&c);
	free(errmsg);
	errmsg = NULL;

	claim = malloc(size + 1);
	if (claim == NULL)
		return 0;
	memcpy(claim, data, size);
	claim[size] = '\0';
	if (pog_claims_local_user(claim, &domains, &local, &errmsg) == POG_OK)
		must_be_user(local);
	else if (local != NULL)
		abort();
	free(local);
	free(errmsg);
	local = NULL;
	errmsg = NULL;
	if (pog_claims_local_user(claim, NULL, &local, &errmsg) == POG_OK) {
		must_be_user(local);
		if (strcmp(local, claim) != 0)
			abort();
	}
	free(local);
	free(errmsg);
	free(claim);
	return 0;
}
