/*
 * policy.h - what this host asks of a sign-in beyond a valid token: how
 * the user signed in (acr), how long ago (auth_time), and when a login
 * without a device flow may lean on an earlier one (recent_login).
 *
 * Pure core: no I/O and no clock reads (now is passed in). It judges
 * values that claims.c and ledger.c have already parsed.
 */
#ifndef POG_POLICY_H
#define POG_POLICY_H

#include <stdint.h>

#include "pog.h"

struct pog_policy {
	const struct pog_strv *require_acr; /* NULL or empty: any acr */
	long max_auth_age;              /* seconds; 0: auth_time not checked */
	long clock_skew;                /* seconds */
	int64_t now;
};

/*
 * Judges the ID token's acr (NULL: absent) and auth_time (0: absent).
 * POG_ERR_WEAK when the host asks for more: *why (for the log) names the
 * claim and its value, quoted; *tell is one sentence for the user. Both
 * malloc'd, written only on POG_ERR_WEAK.
 */
pog_err pog_policy_check(const struct pog_policy *p, const char *acr,
			 int64_t auth_time, char **why, char **tell);

/* What the ledger says of the account's last Okta login on this host. */
struct pog_recent {
	bool found;                     /* there is a ledger */
	int64_t when;                   /* its last verified login; 0: never */
	const char *result;             /* "granted", "denied: ...", ... */
	const char *sub;                /* of that login */
	const char *pinned_sub;         /* NULL: not pinned */
	int64_t expired;                /* okta-groups expire stripped it; 0: not */
};

/*
 * recent_login: may a login without a device flow pass on the strength
 * of the last one? POG_OK when the last login was granted, by the pinned
 * sub, not expired since, and at most duration seconds ago (a login
 * stamped in the future by more than skew is not trusted); *age is then
 * its age in seconds. Otherwise POG_ERR_NOBINDING, and *why (malloc'd)
 * says what failed, for the log. duration 0 always refuses.
 */
pog_err pog_policy_recent_login(const struct pog_recent *r, int64_t now,
				long duration, long skew, int64_t *age,
				char **why);

/* The sentence a refused login without a device flow is told. */
char *pog_policy_recent_sentence(long duration);

#endif /* POG_POLICY_H */
