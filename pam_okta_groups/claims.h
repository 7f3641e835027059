/*
 * claims.h - the checks on a verified ID token's payload, and the
 * binding of the Okta identity to the local account.
 *
 * Pure core: JSON through json.h, no clock reads (now is passed in).
 */
#ifndef POG_CLAIMS_H
#define POG_CLAIMS_H

#include <stdint.h>
#include <time.h>

#include "pog.h"

struct pog_claims_policy {
	const char *issuer;             /* iss must equal this exactly */
	const char *client_id;          /* aud must contain it; azp when several */
	long clock_skew;                /* seconds allowed on exp, nbf, iat */
	time_t now;
	const char *username_claim;
	bool require_mfa;               /* amr must contain "mfa" */
};

struct pog_claims {
	char *sub;
	char *username;                 /* the username claim, as sent */
	char *acr;                      /* NULL: absent or not a string */
	int64_t auth_time;              /* 0: absent or not a NumericDate */
};

/*
 * Checks iss, aud/azp, exp/nbf/iat, sub, amr and the username claim in
 * the payload JSON. Types are checked strictly: exp must be a number,
 * aud a string or an array of strings, and so on. With username_claim
 * "email", email_verified must be the JSON boolean true. A missing
 * username claim is POG_ERR_CONFIG (the host asks for a claim the
 * provider does not send); every other fault is POG_ERR_TOKEN.
 */
pog_err pog_claims_check(const char *payload, size_t len,
			 const struct pog_claims_policy *p,
			 struct pog_claims *out, char **errmsg);
void pog_claims_free(struct pog_claims *c);

/*
 * Maps the username claim to a local account name: with no domains the
 * claim is the name; with domains, "name@domain" for a listed domain
 * (compared case-insensitively) gives "name", and anything else is
 * refused. The result must be a valid local user name.
 */
pog_err pog_claims_local_user(const char *claim,
			      const struct pog_strv *domains,
			      char **local, char **errmsg);

#endif /* POG_CLAIMS_H */
