/*
 * test-claims.c - the checks on the ID token's payload, and the mapping
 * of the username claim to a local account name.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "claims.h"
#include "tcheck.h"
#include "util.h"

#define ISS    "https://dev-1.okta.com/oauth2/default"
#define CID    "0oa1b2c3d4e5"
#define NOW    1700000000

/* now = 1700000000, skew 60 */
#define IAT    "\"iat\":1699999990"
#define EXP    "\"exp\":1700003590"
#define SUB    "\"sub\":\"00u1a2b3c4d5e6f7g8h9\""
#define USER   "\"preferred_username\":\"alice@example.com\""
#define ISSC   "\"iss\":\"" ISS "\""
#define AUDC   "\"aud\":\"" CID "\""

/* Every claim of a good token, with one more (or a replacement) in front. */
#define P(extra) "{" extra ISSC "," AUDC "," IAT "," EXP "," SUB "," USER "}"
/* A token without one of the standard claims. */
#define WITHOUT_SUB "{" ISSC "," AUDC "," IAT "," EXP "," USER "}"
#define WITHOUT_EXP "{" ISSC "," AUDC "," IAT "," SUB "," USER "}"
#define WITHOUT_IAT "{" ISSC "," AUDC "," EXP "," SUB "," USER "}"
#define WITHOUT_AUD "{" ISSC "," IAT "," EXP "," SUB "," USER "}"
#define WITHOUT_ISS "{" AUDC "," IAT "," EXP "," SUB "," USER "}"
#define WITHOUT_USER "{" ISSC "," AUDC "," IAT "," EXP "," SUB "}"
/* A token with the claims given here in place of aud, exp, iat. */
#define T(aud, exp, iat, extra) "{" extra ISSC ",\"aud\":" aud ",\"exp\":" exp \
	",\"iat\":" iat "," SUB "," USER "}"

static const struct {
	const char *name;
	const char *payload;
	bool mfa;
	pog_err err;
	const char *msg;        /* a substring of errmsg */
} cases[] = {
	{ "valid", P(""), false, POG_OK, NULL },
	{ "okta shaped", "{\"ver\":1,\"jti\":\"ID.x\",\"amr\":[\"pwd\",\"mfa\",\"otp\"],\"idp\":\"00o1\","
	  "\"auth_time\":1699999980,\"at_hash\":\"abc\",\"name\":\"Alice\",\"groups\":[\"Everyone\"],"
	  ISSC "," AUDC "," IAT "," EXP "," SUB "," USER "}", true, POG_OK, NULL },
	{ "fractional times", T("\"" CID "\"", "1700003590.5", "1699999990.25", ""), false, POG_OK, NULL },
	{ "aud array of one", T("[\"" CID "\"]", "1700003590", "1699999990", ""), false, POG_OK, NULL },

	{ "expired", T("\"" CID "\"", "1699999939", "1699990000", ""), false, POG_ERR_TOKEN, "expired" },
	{ "expired within skew", T("\"" CID "\"", "1699999940", "1699990000", ""), false, POG_OK, NULL },
	{ "nbf in the future", P("\"nbf\":1700000061,"), false, POG_ERR_TOKEN, "nbf" },
	{ "nbf within skew", P("\"nbf\":1700000060,"), false, POG_OK, NULL },
	{ "nbf past", P("\"nbf\":1699999990,"), false, POG_OK, NULL },
	{ "nbf string", P("\"nbf\":\"1699999990\","), false, POG_ERR_TOKEN, "nbf" },
	{ "iat far future", T("\"" CID "\"", "1700090000", "1700003600", ""), false, POG_ERR_TOKEN, "iat" },
	{ "iat within skew", T("\"" CID "\"", "1700003600", "1700000060", ""), false, POG_OK, NULL },
	{ "iat just past skew", T("\"" CID "\"", "1700003600", "1700000061", ""), false, POG_ERR_TOKEN, "iat" },
	{ "no iat", WITHOUT_IAT, false, POG_ERR_TOKEN, "iat" },
	{ "no exp", WITHOUT_EXP, false, POG_ERR_TOKEN, "exp" },
	{ "exp as string", T("\"" CID "\"", "\"1700003590\"", "1699999990", ""), false, POG_ERR_TOKEN, "exp" },
	{ "iat as string", T("\"" CID "\"", "1700003590", "\"1699999990\"", ""), false, POG_ERR_TOKEN, "iat" },
	{ "exp as bool", T("\"" CID "\"", "true", "1699999990", ""), false, POG_ERR_TOKEN, "exp" },
	{ "exp null", T("\"" CID "\"", "null", "1699999990", ""), false, POG_ERR_TOKEN, "exp" },
	{ "exp negative", T("\"" CID "\"", "-1", "1699999990", ""), false, POG_ERR_TOKEN, "exp" },
	{ "exp huge", T("\"" CID "\"", "9223372036854775807", "1699999990", ""), false, POG_ERR_TOKEN, "exp" },
	{ "exp past uint64", T("\"" CID "\"", "99999999999999999999999", "1699999990", ""), false,
	  POG_ERR_TOKEN, "exp" },
	{ "exp 1e400", T("\"" CID "\"", "1e400", "1699999990", ""), false, POG_ERR_TOKEN, "exp" },

	{ "wrong iss", "{\"iss\":\"https://dev-1.okta.com\"," AUDC "," IAT "," EXP "," SUB "," USER "}",
	  false, POG_ERR_TOKEN, "issuer" },
	{ "iss with slash", "{\"iss\":\"" ISS "/\"," AUDC "," IAT "," EXP "," SUB "," USER "}",
	  false, POG_ERR_TOKEN, "issuer" },
	{ "iss with escape", "{\"iss\":\"\\u001b[2J\"," AUDC "," IAT "," EXP "," SUB "," USER "}",
	  false, POG_ERR_TOKEN, "\"?[2J\"" },
	{ "iss array", "{\"iss\":[\"" ISS "\"]," AUDC "," IAT "," EXP "," SUB "," USER "}",
	  false, POG_ERR_TOKEN, "iss" },
	{ "no iss", WITHOUT_ISS, false, POG_ERR_TOKEN, "iss" },

	{ "wrong aud", T("\"0oaOTHER\"", "1700003590", "1699999990", ""), false, POG_ERR_TOKEN, "aud" },
	{ "aud prefix", T("\"" CID "x\"", "1700003590", "1699999990", ""), false, POG_ERR_TOKEN, "aud" },
	{ "no aud", WITHOUT_AUD, false, POG_ERR_TOKEN, "aud" },
	{ "aud number", T("5", "1700003590", "1699999990", ""), false, POG_ERR_TOKEN, "aud" },
	{ "aud array without us", T("[\"a\",\"b\"]", "1700003590", "1699999990", "\"azp\":\"a\","),
	  false, POG_ERR_TOKEN, "aud" },
	{ "aud array with a number", T("[\"" CID "\",5]", "1700003590", "1699999990", "\"azp\":\"" CID "\","),
	  false, POG_ERR_TOKEN, "aud" },
	{ "aud empty array", T("[]", "1700003590", "1699999990", ""), false, POG_ERR_TOKEN, "aud" },
	{ "multi-aud without azp", T("[\"" CID "\",\"api://other\"]", "1700003590", "1699999990", ""),
	  false, POG_ERR_TOKEN, "azp" },
	{ "multi-aud with azp", T("[\"" CID "\",\"api://other\"]", "1700003590", "1699999990",
	  "\"azp\":\"" CID "\","), false, POG_OK, NULL },
	{ "multi-aud with other azp", T("[\"" CID "\",\"api://other\"]", "1700003590", "1699999990",
	  "\"azp\":\"api://other\","), false, POG_ERR_TOKEN, "azp" },
	{ "azp mismatch single aud", P("\"azp\":\"0oaOTHER\","), false, POG_ERR_TOKEN, "azp" },
	{ "azp matches single aud", P("\"azp\":\"" CID "\","), false, POG_OK, NULL },
	{ "azp number", P("\"azp\":1,"), false, POG_ERR_TOKEN, "azp" },

	{ "missing sub", WITHOUT_SUB, false, POG_ERR_TOKEN, "sub" },
	{ "sub empty", "{\"sub\":\"\"," ISSC "," AUDC "," IAT "," EXP "," USER "}", false,
	  POG_ERR_TOKEN, "sub" },
	{ "sub number", "{\"sub\":12," ISSC "," AUDC "," IAT "," EXP "," USER "}", false,
	  POG_ERR_TOKEN, "sub" },
	{ "sub control", "{\"sub\":\"00u\\n1\"," ISSC "," AUDC "," IAT "," EXP "," USER "}", false,
	  POG_ERR_TOKEN, "sub" },
	{ "sub NUL", "{\"sub\":\"00u\\u00001\"," ISSC "," AUDC "," IAT "," EXP "," USER "}", false,
	  POG_ERR_TOKEN, "sub" },

	{ "mfa required, present", P("\"amr\":[\"pwd\",\"mfa\"],"), true, POG_OK, NULL },
	{ "mfa required, absent", P("\"amr\":[\"pwd\"],"), true, POG_ERR_TOKEN, "mfa" },
	{ "mfa required, no amr", P(""), true, POG_ERR_TOKEN, "amr" },
	{ "mfa required, amr string", P("\"amr\":\"mfa\","), true, POG_ERR_TOKEN, "amr" },
	{ "mfa required, amr non-string", P("\"amr\":[\"mfa\",1],"), true, POG_ERR_TOKEN, "amr" },
	{ "mfa required, mfa with NUL", P("\"amr\":[\"mfa\\u0000x\"],"), true, POG_ERR_TOKEN, "mfa" },
	{ "mfa required, MFA case", P("\"amr\":[\"MFA\"],"), true, POG_ERR_TOKEN, "mfa" },
	{ "mfa not required, no amr", P(""), false, POG_OK, NULL },

	{ "no username claim", WITHOUT_USER, false, POG_ERR_CONFIG, "preferred_username" },
	{ "username number", "{\"preferred_username\":5," ISSC "," AUDC "," IAT "," EXP "," SUB "}",
	  false, POG_ERR_TOKEN, "preferred_username" },
	{ "username empty", "{\"preferred_username\":\"\"," ISSC "," AUDC "," IAT "," EXP "," SUB "}",
	  false, POG_ERR_TOKEN, "preferred_username" },
	{ "username NUL", "{\"preferred_username\":\"root\\u0000@example.com\"," ISSC "," AUDC "," IAT ","
	  EXP "," SUB "}", false, POG_ERR_TOKEN, "preferred_username" },

	{ "not json", "eyJhbGciOi", false, POG_ERR_TOKEN, NULL },
	{ "array", "[" P("") "]", false, POG_ERR_TOKEN, NULL },
	{ "trailing", P("") "{}", false, POG_ERR_TOKEN, NULL },
};

static void
test_check_table(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pog_claims_policy pol = {
			.issuer = ISS, .client_id = CID, .clock_skew = 60, .now = NOW,
			.username_claim = "preferred_username", .require_mfa = cases[i].mfa,
		};
		struct pog_claims c = { 0 };
		char *errmsg = NULL;
		pog_err err;

		err = pog_claims_check(cases[i].payload, strlen(cases[i].payload), &pol, &c, &errmsg);
		if (err != cases[i].err)
			fprintf(stderr, "claims \"%s\": got %d (%s), want %d\n", cases[i].name,
				err, errmsg ? errmsg : "", cases[i].err);
		TC_EQ_INT(err, cases[i].err);
		if (err == POG_OK) {
			TC_CHECK(errmsg == NULL);
			TC_STREQ(c.sub, "00u1a2b3c4d5e6f7g8h9");
			TC_STREQ(c.username, "alice@example.com");
		} else {
			TC_CHECK(c.sub == NULL && c.username == NULL);
			TC_CHECK(errmsg != NULL);
			if (cases[i].msg != NULL && errmsg != NULL &&
			    strstr(errmsg, cases[i].msg) == NULL) {
				fprintf(stderr, "claims \"%s\": message \"%s\" lacks \"%s\"\n",
					cases[i].name, errmsg, cases[i].msg);
				TC_CHECK(0);
			}
		}
		pog_claims_free(&c);
		free(errmsg);
	}
}

static void
test_policy(void)
{
	struct pog_claims_policy pol = {
		.issuer = ISS, .client_id = CID, .clock_skew = 60, .now = NOW,
		.username_claim = "email",
	};
	static const char payload[] = "{" ISSC "," AUDC "," IAT "," EXP "," SUB
		",\"email\":\"bob@example.com\",\"email_verified\":true}";
	struct pog_claims c = { 0 };
	char *errmsg = NULL;

	/* Another username claim. */
	TC_ERR(pog_claims_check(payload, strlen(payload), &pol, &c, &errmsg), POG_OK);
	TC_STREQ(c.username, "bob@example.com");
	pog_claims_free(&c);
	/* Skew 0: the token of the table still passes; an expired one does not. */
	pol.clock_skew = 0;
	pol.now = 1700003590;
	TC_ERR(pog_claims_check(payload, strlen(payload), &pol, &c, &errmsg), POG_OK);
	pog_claims_free(&c);
	pol.now = 1700003591;
	TC_ERR(pog_claims_check(payload, strlen(payload), &pol, &c, &errmsg), POG_ERR_TOKEN);
	free(errmsg);
	errmsg = NULL;
	/* A policy out of range is refused, not clamped. */
	pol.now = NOW;
	pol.clock_skew = -1;
	TC_ERR(pog_claims_check(payload, strlen(payload), &pol, &c, &errmsg), POG_ERR_INVALID);
	free(errmsg);
	errmsg = NULL;
	pol.clock_skew = 60;
	pol.now = (time_t)INT64_MAX;
	TC_ERR(pog_claims_check(payload, strlen(payload), &pol, &c, &errmsg), POG_ERR_INVALID);
	free(errmsg);
	errmsg = NULL;
	pol.now = NOW;
	pol.client_id = NULL;
	TC_ERR(pog_claims_check(payload, strlen(payload), &pol, &c, &errmsg), POG_ERR_INVALID);
	free(errmsg);
	TC_CHECK(c.sub == NULL);
	/* A NUL byte inside the given length is refused. */
	pol.client_id = CID;
	errmsg = NULL;
	TC_ERR(pog_claims_check(payload, sizeof(payload), &pol, &c, &errmsg), POG_ERR_TOKEN);
	free(errmsg);
}

/* username_claim = email: the address must be verified, as a JSON true. */
#define E(verified) "{" verified ISSC "," AUDC "," IAT "," EXP "," SUB \
	",\"email\":\"bob@example.com\"," USER "}"

static const struct {
	const char *name;
	const char *claim;      /* username_claim */
	const char *payload;
	pog_err err;
	const char *msg;
} email_cases[] = {
	{ "verified", "email", E("\"email_verified\":true,"), POG_OK, NULL },
	{ "false", "email", E("\"email_verified\":false,"), POG_ERR_TOKEN, "email_verified claim is false" },
	{ "absent", "email", E(""), POG_ERR_TOKEN, "no email_verified claim" },
	{ "string true", "email", E("\"email_verified\":\"true\","), POG_ERR_TOKEN,
	  "email_verified claim is not a boolean" },
	{ "number 1", "email", E("\"email_verified\":1,"), POG_ERR_TOKEN,
	  "email_verified claim is not a boolean" },
	{ "null", "email", E("\"email_verified\":null,"), POG_ERR_TOKEN,
	  "email_verified claim is not a boolean" },
	{ "array", "email", E("\"email_verified\":[true],"), POG_ERR_TOKEN,
	  "email_verified claim is not a boolean" },
	/* Only the email claim needs it: preferred_username is Okta's login. */
	{ "other claim, absent", "preferred_username", E(""), POG_OK, NULL },
	{ "other claim, false", "preferred_username", E("\"email_verified\":false,"), POG_OK, NULL },
	{ "claim named like it", "email_address", E("\"email_address\":\"bob@example.com\","), POG_OK, NULL },
};

static void
test_email_verified(void)
{
	for (size_t i = 0; i < sizeof(email_cases) / sizeof(email_cases[0]); i++) {
		struct pog_claims_policy pol = {
			.issuer = ISS, .client_id = CID, .clock_skew = 60, .now = NOW,
			.username_claim = email_cases[i].claim,
		};
		struct pog_claims c = { 0 };
		char *errmsg = NULL;
		const char *pl = email_cases[i].payload;
		pog_err err = pog_claims_check(pl, strlen(pl), &pol, &c, &errmsg);

		if (err != email_cases[i].err)
			fprintf(stderr, "email_verified \"%s\": got %d (%s), want %d\n",
				email_cases[i].name, err, errmsg ? errmsg : "", email_cases[i].err);
		TC_EQ_INT(err, email_cases[i].err);
		if (err == POG_OK) {
			TC_CHECK(errmsg == NULL && c.username != NULL);
		} else {
			TC_CHECK(c.sub == NULL && c.username == NULL);
			if (errmsg == NULL || strstr(errmsg, email_cases[i].msg) == NULL) {
				fprintf(stderr, "email_verified \"%s\": message \"%s\" lacks \"%s\"\n",
					email_cases[i].name, errmsg ? errmsg : "", email_cases[i].msg);
				TC_CHECK(0);
			}
		}
		pog_claims_free(&c);
		free(errmsg);
	}
}

static const struct {
	const char *claim;
	bool domains;           /* example.com and Corp.Example.ORG */
	pog_err err;
	const char *local;
} users[] = {
	{ "alice@example.com", true, POG_OK, "alice" },
	{ "alice@EXAMPLE.COM", true, POG_OK, "alice" },
	{ "ALICE@EXAMPLE.COM", true, POG_OK, "ALICE" },
	{ "bob.smith-2@corp.example.org", true, POG_OK, "bob.smith-2" },
	{ "alice@evil.com", true, POG_ERR_USER, NULL },
	{ "alice@example.com.evil.com", true, POG_ERR_USER, NULL },
	{ "alice@sub.example.com", true, POG_ERR_USER, NULL },
	{ "alice@example.co", true, POG_ERR_USER, NULL },
	{ "alice@", true, POG_ERR_USER, NULL },
	{ "alice", true, POG_ERR_USER, NULL },
	{ "@example.com", true, POG_ERR_USER, NULL },
	{ "a:b@example.com", true, POG_ERR_USER, NULL },
	{ "a,b@example.com", true, POG_ERR_USER, NULL },
	{ "a b@example.com", true, POG_ERR_USER, NULL },
	{ "a/b@example.com", true, POG_ERR_USER, NULL },
	{ "a\tb@example.com", true, POG_ERR_USER, NULL },
	{ "a\033b@example.com", true, POG_ERR_USER, NULL },
	{ "-alice@example.com", true, POG_ERR_USER, NULL },
	{ "root@evil.com@example.com", true, POG_ERR_USER, NULL },
	{ "alice@evil.com@EXAMPLE.com", true, POG_ERR_USER, NULL },
	{ "..@example.com", true, POG_ERR_USER, NULL },
	{ "1000@example.com", true, POG_ERR_USER, NULL },
	{ "abcdefghijklmnopqrstuvwxyz012345@example.com", true, POG_OK,
	  "abcdefghijklmnopqrstuvwxyz012345" },
	{ "abcdefghijklmnopqrstuvwxyz0123456@example.com", true, POG_ERR_USER, NULL },
	{ "caf\xc3\xa9@example.com", true, POG_ERR_USER, NULL },
	{ "alice@exampl\xc3\xa9.com", true, POG_ERR_USER, NULL },

	{ "alice", false, POG_OK, "alice" },
	{ "Alice_1.x-y", false, POG_OK, "Alice_1.x-y" },
	{ "_svc", false, POG_OK, "_svc" },
	{ "alice@example.com", false, POG_ERR_USER, NULL },
	{ "a:b", false, POG_ERR_USER, NULL },
	{ "-x", false, POG_ERR_USER, NULL },
	{ ".", false, POG_ERR_USER, NULL },
	{ "..", false, POG_ERR_USER, NULL },
	{ "...", false, POG_OK, "..." },
	{ "0", false, POG_ERR_USER, NULL },
	{ "0x1", false, POG_OK, "0x1" },
	{ "", false, POG_ERR_USER, NULL },
	{ "root\n", false, POG_ERR_USER, NULL },
	{ "abcdefghijklmnopqrstuvwxyz012345", false, POG_OK, "abcdefghijklmnopqrstuvwxyz012345" },
	{ "abcdefghijklmnopqrstuvwxyz0123456", false, POG_ERR_USER, NULL },
};

static void
test_local_user(void)
{
	struct pog_strv domains = { 0 }, none = { 0 };

	pog_strv_add(&domains, "example.com");
	pog_strv_add(&domains, "Corp.Example.ORG");
	for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
		char *local = NULL, *errmsg = NULL;
		pog_err err;

		err = pog_claims_local_user(users[i].claim, users[i].domains ? &domains : &none,
					    &local, &errmsg);
		if (err != users[i].err)
			fprintf(stderr, "local user \"%s\": got %d (%s), want %d\n", users[i].claim,
				err, errmsg ? errmsg : "", users[i].err);
		TC_EQ_INT(err, users[i].err);
		if (err == POG_OK) {
			TC_STREQ(local, users[i].local);
		} else {
			TC_CHECK(local == NULL);
			TC_CHECK(errmsg != NULL);
			/* The message quotes the claim, sanitized. */
			if (errmsg != NULL) {
				bool clean = true;

				for (const char *p = errmsg; *p != '\0'; p++)
					if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
						clean = false;
				TC_CHECK(clean);
			}
		}
		free(local);
		free(errmsg);
	}
	/* NULL domains is the same as none. */
	{
		char *local = NULL, *errmsg = NULL;

		TC_ERR(pog_claims_local_user("alice", NULL, &local, &errmsg), POG_OK);
		TC_STREQ(local, "alice");
		free(local);
	}
	pog_strv_free(&domains);
}

int
main(void)
{
	test_check_table();
	test_policy();
	test_email_verified();
	test_local_user();
	TC_DONE();
}
