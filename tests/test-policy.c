/*
 * test-policy.c - the host's sign-in policy (policy.c) and the duration
 * parser, table-driven: require_acr, max_auth_age, and the recent_login
 * decision from the ledger's fields.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "tcheck.h"
#include "util.h"

#define NOW 1700000000LL

static void
test_duration(void)
{
	static const struct { const char *s; long max; bool ok; long v; } t[] = {
		{ "0", 100, true, 0 },
		{ "90s", 1000, true, 90 },
		{ "30m", 86400, true, 1800 },
		{ "12h", 86400, true, 43200 },
		{ "7d", 30 * 86400L, true, 7 * 86400L },
		{ "1d", 86399, false, 0 },              /* over the cap */
		{ "9223372036854775807d", 86400, false, 0 },
		{ "99999999999999999999s", 86400, false, 0 },
		{ "12", 86400, false, 0 },              /* a bare number */
		{ "", 86400, false, 0 },
		{ "h", 86400, false, 0 },
		{ "-1h", 86400, false, 0 },
		{ "+1h", 86400, false, 0 },
		{ " 1h", 86400, false, 0 },
		{ "1h ", 86400, false, 0 },
		{ "1 h", 86400, false, 0 },
		{ "1.5h", 86400, false, 0 },
		{ "1H", 86400, false, 0 },
		{ "1hh", 86400, false, 0 },
		{ "1w", 86400 * 30L, false, 0 },
		{ "00", 86400, false, 0 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		long v = -1;
		bool ok = pog_parse_duration(t[i].s, t[i].max, &v);

		if (ok != t[i].ok)
			fprintf(stderr, "duration \"%s\": %s\n", t[i].s, ok ? "taken" : "refused");
		TC_EQ_INT(ok, t[i].ok);
		if (t[i].ok)
			TC_EQ_INT(v, t[i].v);
		else
			TC_EQ_INT(v, -1);       /* untouched */
	}
	{
		char b[32];

		pog_format_duration(43200, b, sizeof(b));
		TC_STREQ(b, "12h");
		pog_format_duration(2 * 86400, b, sizeof(b));
		TC_STREQ(b, "2d");
		pog_format_duration(90, b, sizeof(b));
		TC_STREQ(b, "90s");
		pog_format_duration(5400, b, sizeof(b));
		TC_STREQ(b, "90m");
	}
}

static void
test_check(void)
{
	struct pog_strv phr = { 0 }, twofa = { 0 }, mixed = { 0 }, none = { 0 };
	struct {
		const struct pog_strv *want;
		long max_age;
		const char *acr;
		long long auth_time;
		pog_err err;
		const char *tell;       /* expected sentence, or NULL */
		const char *why;        /* a substring of the log line */
	} t[] = {
		{ &none, 0, NULL, 0, POG_OK, NULL, NULL },
		{ &phr, 0, "phr", 0, POG_OK, NULL, NULL },
		{ &phr, 0, "phrh", 0, POG_OK, NULL, NULL },
		{ &phr, 0, "urn:okta:loa:1fa:pwd", 0, POG_ERR_WEAK,
		  "This host needs a phishing-resistant sign-in.",
		  "acr \"urn:okta:loa:1fa:pwd\" is not one of require_acr \"phr\" \"phrh\"" },
		{ &phr, 0, NULL, 0, POG_ERR_WEAK, "This host needs a phishing-resistant sign-in.",
		  "no acr claim" },
		{ &phr, 0, "PHR", 0, POG_ERR_WEAK, NULL, "\"PHR\"" },  /* exact match */
		{ &phr, 0, "phr\n", 0, POG_ERR_WEAK, NULL, "\"phr\\x0a\"" },
		{ &twofa, 0, "urn:okta:loa:1fa:any", 0, POG_ERR_WEAK,
		  "This host needs a stronger sign-in (two factors).", NULL },
		{ &twofa, 0, "urn:okta:loa:2fa:any", 0, POG_OK, NULL, NULL },
		{ &mixed, 0, "x", 0, POG_ERR_WEAK,
		  "This host needs a stronger sign-in (one of: phr custom-level).", NULL },
		{ &none, 43200, NULL, NOW - 100, POG_OK, NULL, NULL },
		{ &none, 43200, NULL, NOW - 43200 - 60, POG_OK, NULL, NULL },  /* within skew */
		{ &none, 43200, NULL, NOW - 43200 - 61, POG_ERR_WEAK,
		  "This host needs a sign-in within the last 12h: sign out of Okta and sign in again.",
		  "auth_time \"1699956739\" is 43261 s old, more than max_auth_age 12h" },
		{ &none, 43200, NULL, 0, POG_ERR_WEAK, NULL, "no auth_time claim" },
		{ &none, 43200, NULL, NOW + 61, POG_ERR_WEAK, NULL, "in the future" },
		{ &none, 43200, NULL, NOW + 60, POG_OK, NULL, NULL },
		{ &phr, 43200, "phr", NOW - 86400, POG_ERR_WEAK, NULL, "max_auth_age" },
	};

	TC_ERR(pog_strv_split(&phr, "phr phrh"), POG_OK);
	TC_ERR(pog_strv_split(&twofa, "urn:okta:loa:2fa:any urn:okta:loa:2fa:any:ifpossible phr"), POG_OK);
	TC_ERR(pog_strv_split(&mixed, "phr custom-level"), POG_OK);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct pog_policy p = {
			.require_acr = t[i].want, .max_auth_age = t[i].max_age,
			.clock_skew = 60, .now = NOW,
		};
		char *why = NULL, *tell = NULL;
		pog_err err = pog_policy_check(&p, t[i].acr, t[i].auth_time, &why, &tell);

		if (err != t[i].err)
			fprintf(stderr, "policy case %zu: %d (%s)\n", i, (int)err, why ? why : "");
		TC_EQ_INT(err, t[i].err);
		if (t[i].tell != NULL)
			TC_STREQ(tell, t[i].tell);
		if (t[i].why != NULL) {
			TC_CHECK(why != NULL && strstr(why, t[i].why) != NULL);
			if (why == NULL || strstr(why, t[i].why) == NULL)
				fprintf(stderr, "case %zu: log \"%s\"\n", i, why ? why : "(null)");
		}
		if (err == POG_OK)
			TC_CHECK(why == NULL && tell == NULL);
		free(why);
		free(tell);
	}
	pog_strv_free(&phr);
	pog_strv_free(&twofa);
	pog_strv_free(&mixed);
}

static void
test_recent(void)
{
	struct {
		struct pog_recent r;
		long duration;
		pog_err err;
		long long age;
		const char *why;
	} t[] = {
		{ { true, NOW - 3600, "granted", "00u-a", "00u-a", 0 }, 8 * 3600, POG_OK, 3600, NULL },
		{ { true, NOW - 8 * 3600, "granted", "00u-a", "00u-a", 0 }, 8 * 3600, POG_OK, 8 * 3600, NULL },
		{ { true, NOW - 8 * 3600 - 1, "granted", "00u-a", "00u-a", 0 }, 8 * 3600,
		  POG_ERR_NOBINDING, 0, "28801 s ago, more than recent_login 8h" },
		{ { true, NOW - 60, "granted", "00u-a", "00u-a", 0 }, 0, POG_ERR_NOBINDING, 0, "off" },
		{ { false, 0, NULL, NULL, NULL, 0 }, 3600, POG_ERR_NOBINDING, 0, "no Okta login" },
		{ { true, 0, NULL, NULL, NULL, 0 }, 3600, POG_ERR_NOBINDING, 0, "no Okta login" },
		{ { true, NOW - 60, "denied: No Okta group grants access to project p on h.", "00u-a", "00u-a", 0 },
		  3600, POG_ERR_NOBINDING, 0, "not granted (result=\"denied: No Okta" },
		{ { true, NOW - 60, "granted", "00u-a", NULL, 0 }, 3600, POG_ERR_NOBINDING, 0, "pinned" },
		{ { true, NOW - 60, "granted", "00u-a", "00u-b", 0 }, 3600, POG_ERR_NOBINDING, 0, "pinned" },
		{ { true, NOW - 60, "granted", NULL, "00u-a", 0 }, 3600, POG_ERR_NOBINDING, 0, "pinned" },
		{ { true, NOW - 60, "granted", "00u-a", "00u-a", NOW - 30 }, 3600, POG_ERR_NOBINDING, 0, "expire" },
		{ { true, NOW - 60, "granted", "00u-a", "00u-a", NOW - 90 }, 3600, POG_OK, 60, NULL },
		{ { true, NOW + 30, "granted", "00u-a", "00u-a", 0 }, 3600, POG_OK, 0, NULL },
		{ { true, NOW + 61, "granted", "00u-a", "00u-a", 0 }, 3600, POG_ERR_NOBINDING, 0, "future" },
		{ { true, NOW - 60, "grantedX", "00u-a", "00u-a", 0 }, 3600, POG_ERR_NOBINDING, 0, "not granted" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int64_t age = -1;
		char *why = NULL;
		pog_err err = pog_policy_recent_login(&t[i].r, NOW, t[i].duration, 60, &age, &why);

		if (err != t[i].err)
			fprintf(stderr, "recent case %zu: %d (%s)\n", i, (int)err, why ? why : "");
		TC_EQ_INT(err, t[i].err);
		if (err == POG_OK) {
			TC_EQ_INT(age, t[i].age);
			TC_CHECK(why == NULL);
		} else {
			TC_EQ_INT(age, -1);
			TC_CHECK(why != NULL && strstr(why, t[i].why) != NULL);
			if (why == NULL || strstr(why, t[i].why) == NULL)
				fprintf(stderr, "case %zu: why \"%s\"\n", i, why ? why : "(null)");
		}
		free(why);
	}
	{
		char *s = pog_policy_recent_sentence(8 * 3600);

		TC_STREQ(s, "Sign in with Okta interactively once (ssh -o "
			 "PreferredAuthentications=keyboard-interactive), then keys work for 8h.");
		free(s);
	}
}

int
main(void)
{
	test_duration();
	test_check();
	test_recent();
	TC_DONE();
}
