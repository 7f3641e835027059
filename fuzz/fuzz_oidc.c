/*
 * fuzz_oidc.c - libFuzzer target for the provider's documents (oidc.c):
 * discovery, the device authorization response, token responses, group
 * claims, userinfo's sub, error bodies, and the JOSE header.
 *
 * One input goes through every parser. It has no NUL terminator: the
 * parsers must honour the length. Whatever comes out on success must
 * keep the promises of oidc.h; nothing comes out on failure, and nothing
 * stays allocated.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oidc.h"
#include "wrap.h"

/* No message for a failure: a defect, unless a fault was injected (POG_FUZZ_FAULTS). */
#define NO_MSG(m) ((m) == NULL && !pog_wrap_failed())

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ISSUER "https://dev-1.okta.com/oauth2/default"

static void
must_be_url(const char *s)
{
	if (s == NULL || strncmp(s, "https://", 8) != 0)
		abort();
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			abort();
}

static void
must_be_print(const char *s)
{
	if (s == NULL)
		abort();
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long statuses[] = { 200, 400, 401, 500 };
	const char *json = (const char *)data;
	struct pog_discovery d = { 0 };
	struct pog_device_auth da = { 0 };
	struct pog_strv groups = { 0 };
	char *errmsg = NULL, *s = NULL, *alg = NULL, *kid = NULL;
	bool present = false;

	if (pog_oidc_parse_discovery(json, size, ISSUER, &d, &errmsg) == POG_OK) {
		if (strcmp(d.issuer, ISSUER) != 0 || errmsg != NULL)
			abort();
		must_be_url(d.device_authorization_endpoint);
		must_be_url(d.token_endpoint);
		must_be_url(d.jwks_uri);
		if (d.userinfo_endpoint != NULL)
			must_be_url(d.userinfo_endpoint);
		/* The endpoint check reads every authority the document holds. */
		if (pog_oidc_check_endpoints(&d, ISSUER, NULL, &errmsg) == POG_OK) {
			if (errmsg != NULL || !pog_oidc_endpoint_allowed(ISSUER, d.token_endpoint, NULL))
				abort();
		} else if (NO_MSG(errmsg)) {
			abort();
		}
	} else if (d.issuer != NULL || NO_MSG(errmsg)) {
		abort();
	}
	pog_discovery_free(&d);
	free(errmsg);
	errmsg = NULL;

	if (pog_oidc_parse_device(200, json, size, &da, &errmsg) == POG_OK) {
		must_be_print(da.user_code);
		must_be_url(da.verification_uri);
		if (da.verification_uri_complete != NULL)
			must_be_url(da.verification_uri_complete);
		if (strlen(da.user_code) > 64 || da.device_code == NULL ||
		    da.interval < 1 || da.interval > 300 ||
		    da.expires_in < 1 || da.expires_in > 86400)
			abort();
	} else if (da.device_code != NULL || da.user_code != NULL || NO_MSG(errmsg)) {
		abort();
	}
	pog_device_auth_free(&da);
	free(errmsg);
	errmsg = NULL;

	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		struct pog_token_resp t = { 0 };

		if (pog_oidc_parse_token(statuses[i], json, size, &t, &errmsg) == POG_OK) {
			if (t.status == POG_TOKEN_OK ? t.id_token == NULL : t.error == NULL)
				abort();
			if (t.error != NULL)
				must_be_print(t.error);
		} else if (t.id_token != NULL || t.error != NULL || NO_MSG(errmsg)) {
			abort();
		}
		pog_token_resp_free(&t);
		free(errmsg);
		errmsg = NULL;
	}

	if (pog_oidc_parse_groups(json, size, "groups", &groups, &present, &errmsg) == POG_OK) {
		if (!present && groups.n != 0)
			abort();
	} else if (groups.n != 0 || NO_MSG(errmsg)) {
		abort();
	}
	pog_strv_free(&groups);
	free(errmsg);
	errmsg = NULL;

	if (pog_oidc_userinfo_sub(json, size, &s, &errmsg) == POG_OK)
		must_be_print(s);
	free(s);
	free(errmsg);
	errmsg = NULL;

	s = pog_oidc_error_code(json, size);
	if (s != NULL)
		must_be_print(s);
	free(s);

	if (pog_oidc_parse_jws_header(json, size, &alg, &kid, &errmsg) != POG_OK &&
	    (alg != NULL || kid != NULL))
		abort();
	free(alg);
	free(kid);
	free(errmsg);
	return 0;
}
