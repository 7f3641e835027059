/*
 * claims.c - the checks on a verified ID token's payload (OIDC Core
 * 3.1.3.7 as it applies to the device grant), and the binding of the
 * identity to a local account name.
 *
 * The payload has passed the signature check, but its values are still
 * only what the provider chose to send: each is type-checked, and any of
 * them quoted in a message is sanitized first.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claims.h"
#include "json.h"
#include "util.h"

#define CLAIMS_MAX_SKEW     86400
#define CLAIMS_MAX_TIME     253402300799LL  /* 9999-12-31T23:59:59Z */
#define CLAIMS_MAX_SUB      255             /* OIDC Core 2 */
#define CLAIMS_MAX_USERNAME 1024
#define CLAIMS_MAX_USER     32              /* a local user name */
#define CLAIMS_MAX_SHOWN    128

#define CLAIMS_TOKEN "the ID token"

/*
 * aud (RFC 7519 4.1.3): a string, or an array of strings, holding
 * client_id. *several tells whether it names more than one audience.
 */
static pog_err
claims_check_aud(const pog_json *root, const char *client_id, bool *several,
		 char **errmsg)
{
	const pog_json *aud = NULL;
	const char *s = NULL;
	size_t n = 0, len = 0;
	bool found = false;

	switch (pog_json_get_string_len(root, "aud", &s, &len)) {
	case POG_JSON_ABSENT:
		return pog_fail(errmsg, POG_ERR_TOKEN, "the ID token has no audience (aud)");
	case POG_JSON_FOUND:
		if (strlen(s) != len || strcmp(s, client_id) != 0)
			return pog_fail(errmsg, POG_ERR_TOKEN,
					"the ID token is not meant for this client (aud)");
		*several = false;
		return POG_OK;
	case POG_JSON_BADTYPE:
		break;
	}
	if (pog_json_get_array(root, "aud", &aud, &n) != POG_JSON_FOUND)
		return pog_fail(errmsg, POG_ERR_TOKEN,
				"the ID token's aud is neither a string nor an array");
	for (size_t i = 0; i < n; i++) {
		if (pog_json_at_string(aud, i, &s, &len) != POG_JSON_FOUND)
			return pog_fail(errmsg, POG_ERR_TOKEN,
					"the ID token's aud holds a value that is not a string");
		if (strlen(s) != len)
			return pog_fail(errmsg, POG_ERR_TOKEN,
					"the ID token's aud holds a string with a NUL byte");
		if (strcmp(s, client_id) == 0)
			found = true;
	}
	if (!found)
		return pog_fail(errmsg, POG_ERR_TOKEN,
				"the ID token is not meant for this client (aud)");
	*several = n > 1;
	return POG_OK;
}

/* amr (OIDC Core 2) must be an array of strings that holds "mfa". */
static pog_err
claims_check_mfa(const pog_json *root, char **errmsg)
{
	const pog_json *amr = NULL;
	bool found = false;
	size_t n = 0;

	switch (pog_json_get_array(root, "amr", &amr, &n)) {
	case POG_JSON_ABSENT:
		return pog_fail(errmsg, POG_ERR_TOKEN, "multi-factor authentication is "
				"required, and the ID token does not say how the user signed "
				"in (no amr)");
	case POG_JSON_BADTYPE:
		return pog_fail(errmsg, POG_ERR_TOKEN, "the ID token's amr is not an array");
	case POG_JSON_FOUND:
		break;
	}
	for (size_t i = 0; i < n; i++) {
		const char *s = NULL;
		size_t len = 0;

		if (pog_json_at_string(amr, i, &s, &len) != POG_JSON_FOUND)
			return pog_fail(errmsg, POG_ERR_TOKEN,
					"the ID token's amr holds a value that is not a string");
		/* The whole string: "mfa\0x" is not "mfa". */
		if (len == 3 && strcmp(s, "mfa") == 0)
			found = true;
	}
	if (!found)
		return pog_fail(errmsg, POG_ERR_TOKEN, "multi-factor authentication is "
				"required, and the user did not use it (amr has no mfa)");
	return POG_OK;
}

/* iss (step 2), aud and azp (steps 3 to 5). */
static pog_err
claims_check_parties(const pog_json *root, const struct pog_claims_policy *p,
		     char **errmsg)
{
	const char *s = NULL;
	char *shown;
	bool several = false;
	enum pog_json_get r;
	pog_err err;

	r = pog_json_get_string(root, "iss", &s);
	if (r == POG_JSON_ABSENT)
		return pog_fail(errmsg, POG_ERR_TOKEN, "the ID token has no issuer (iss)");
	if (r != POG_JSON_FOUND)
		return pog_json_fail(errmsg, POG_ERR_TOKEN, r, CLAIMS_TOKEN, "iss", "a string");
	if (strcmp(s, p->issuer) != 0) {
		shown = pog_sanitize(s, CLAIMS_MAX_SHOWN);
		pog_fail(errmsg, POG_ERR_TOKEN, "the ID token's issuer \"%s\" is not the "
			 "configured issuer", shown ? shown : "?");
		free(shown);
		return POG_ERR_TOKEN;
	}
	err = claims_check_aud(root, p->client_id, &several, errmsg);
	if (err != POG_OK)
		return err;
	r = pog_json_get_string(root, "azp", &s);
	if (r == POG_JSON_ABSENT && several)
		return pog_fail(errmsg, POG_ERR_TOKEN, "the ID token names several audiences "
				"and no authorized party (azp)");
	if (r == POG_JSON_BADTYPE)
		return pog_json_fail(errmsg, POG_ERR_TOKEN, r, CLAIMS_TOKEN, "azp", "a string");
	if (r == POG_JSON_FOUND && strcmp(s, p->client_id) != 0)
		return pog_fail(errmsg, POG_ERR_TOKEN,
				"the ID token was issued to another client (azp)");
	return POG_OK;
}

/* A NumericDate claim; absent is fine only when what is NULL. */
static pog_err
claims_time(const pog_json *root, const char *key, const char *what, int64_t *out,
	    char **errmsg)
{
	enum pog_json_get r = pog_json_get_seconds(root, key, CLAIMS_MAX_TIME, out);

	if (r == POG_JSON_ABSENT && what != NULL)
		return pog_fail(errmsg, POG_ERR_TOKEN, "the ID token has no %s (%s)", what, key);
	if (r == POG_JSON_BADTYPE)
		return pog_json_fail(errmsg, POG_ERR_TOKEN, r, CLAIMS_TOKEN, key, "a valid time");
	return POG_OK;
}

/*
 * acr and auth_time, read for the host's policy (policy.c), which judges
 * them: a value of the wrong type counts as absent, so a host that asks
 * for the claim refuses it.
 */
static pog_err
claims_policy_inputs(const pog_json *root, struct pog_claims *c)
{
	const char *s = NULL;

	if (pog_json_get_string(root, "acr", &s) == POG_JSON_FOUND &&
	    (c->acr = strdup(s)) == NULL)
		return POG_ERR_NOMEM;
	if (pog_json_get_seconds(root, "auth_time", CLAIMS_MAX_TIME, &c->auth_time) != POG_JSON_FOUND)
		c->auth_time = 0;
	return POG_OK;
}

/* exp, nbf, iat (steps 9 and 10), each within the clock skew. */
static pog_err
claims_check_times(const pog_json *root, int64_t now, int64_t skew, char **errmsg)
{
	int64_t exp = 0, nbf = INT64_MIN, iat = 0;
	pog_err err;

	err = claims_time(root, "exp", "expiry", &exp, errmsg);
	if (err != POG_OK)
		return err;
	if (now > exp + skew)
		return pog_fail(errmsg, POG_ERR_TOKEN, "the ID token expired %lld seconds ago",
				(long long)(now - exp));
	err = claims_time(root, "nbf", NULL, &nbf, errmsg);
	if (err != POG_OK)
		return err;
	if (nbf != INT64_MIN && nbf > now + skew)
		return pog_fail(errmsg, POG_ERR_TOKEN, "the ID token is not valid for another "
				"%lld seconds (nbf); check the clock", (long long)(nbf - now));
	err = claims_time(root, "iat", "issue time", &iat, errmsg);
	if (err != POG_OK)
		return err;
	if (iat > now + skew)
		return pog_fail(errmsg, POG_ERR_TOKEN, "the ID token was issued %lld seconds "
				"in the future (iat); check the clock", (long long)(iat - now));
	return POG_OK;
}

/* sub: logged and stored, so printable ASCII only (OIDC Core 2). */
static pog_err
claims_sub(const pog_json *root, char **out, char **errmsg)
{
	const char *s = NULL;
	size_t n;
	enum pog_json_get r = pog_json_get_string(root, "sub", &s);

	if (r == POG_JSON_ABSENT)
		return pog_fail(errmsg, POG_ERR_TOKEN, "the ID token has no subject (sub)");
	if (r != POG_JSON_FOUND)
		return pog_json_fail(errmsg, POG_ERR_TOKEN, r, CLAIMS_TOKEN, "sub", "a string");
	n = strlen(s);
	if (n == 0 || n > CLAIMS_MAX_SUB || !pog_all_of(s, n, pog_is_graph_ascii))
		return pog_fail(errmsg, POG_ERR_TOKEN, "the ID token's sub is not 1 to %d "
				"printable ASCII characters", CLAIMS_MAX_SUB);
	*out = strdup(s);
	return *out != NULL ? POG_OK : POG_ERR_NOMEM;
}

/* The username claim, as sent: pog_claims_local_user judges it. */
static pog_err
claims_username(const pog_json *root, const char *claim, char **out, char **errmsg)
{
	const char *s = NULL;
	char *shown = pog_sanitize(claim, CLAIMS_MAX_SHOWN);
	size_t n;
	pog_err err = POG_ERR_TOKEN;

	switch (pog_json_get_string(root, claim, &s)) {
	case POG_JSON_ABSENT:
		/* Verified, so the host asks for a claim its provider omits. */
		err = pog_fail(errmsg, POG_ERR_CONFIG, "the ID token has no %s claim",
			       shown ? shown : "?");
		goto out;
	case POG_JSON_BADTYPE:
		pog_fail(errmsg, err, "the ID token's %s claim is not a string", shown ? shown : "?");
		goto out;
	case POG_JSON_FOUND:
		break;
	}
	n = strlen(s);
	if (n == 0 || n > CLAIMS_MAX_USERNAME) {
		pog_fail(errmsg, err, "the ID token's %s claim is empty or too long",
			 shown ? shown : "?");
		goto out;
	}
	*out = strdup(s);
	err = *out != NULL ? POG_OK : POG_ERR_NOMEM;
out:
	free(shown);
	return err;
}

/*
 * An address the provider has not verified may be anybody's: with
 * username_claim = email, email_verified must be the boolean true
 * (OIDC Core 5.1), not absent, not the string "true".
 */
static pog_err
claims_email_verified(const pog_json *root, char **errmsg)
{
	bool v = false;

	switch (pog_json_get_bool(root, "email_verified", &v)) {
	case POG_JSON_ABSENT:
		return pog_fail(errmsg, POG_ERR_TOKEN, "username_claim is email, and the ID "
				"token has no email_verified claim");
	case POG_JSON_BADTYPE:
		return pog_fail(errmsg, POG_ERR_TOKEN,
				"the ID token's email_verified claim is not a boolean");
	case POG_JSON_FOUND:
		break;
	}
	if (!v)
		return pog_fail(errmsg, POG_ERR_TOKEN, "the ID token's email_verified claim "
				"is false: the address is not verified, so it cannot name the "
				"account");
	return POG_OK;
}

pog_err
pog_claims_check(const char *payload, size_t len, const struct pog_claims_policy *p,
		 struct pog_claims *out, char **errmsg)
{
	pog_json *root = NULL;
	struct pog_claims c = { 0 };
	char *why = NULL;
	pog_err err = POG_ERR_INVALID;

	if (p == NULL || out == NULL || p->issuer == NULL || p->client_id == NULL ||
	    p->username_claim == NULL || p->clock_skew < 0 ||
	    p->clock_skew > CLAIMS_MAX_SKEW || p->now < 0 ||
	    (int64_t)p->now > CLAIMS_MAX_TIME) {
		pog_fail(errmsg, err, "invalid claim policy");
		goto out;
	}
	err = pog_json_parse(payload, len, POG_JSON_MAX_DEPTH, &root, &why);
	if (err != POG_OK) {
		if (err != POG_ERR_NOMEM)
			err = pog_fail(errmsg, POG_ERR_TOKEN, "the ID token's payload: %s",
				       why ? why : "invalid");
		goto out;
	}
	err = claims_check_parties(root, p, errmsg);
	if (err == POG_OK)
		err = claims_check_times(root, (int64_t)p->now, (int64_t)p->clock_skew, errmsg);
	if (err == POG_OK)
		err = claims_sub(root, &c.sub, errmsg);
	if (err == POG_OK)
		err = claims_policy_inputs(root, &c);
	if (err == POG_OK && p->require_mfa)
		err = claims_check_mfa(root, errmsg);
	if (err == POG_OK)
		err = claims_username(root, p->username_claim, &c.username, errmsg);
	if (err == POG_OK && strcmp(p->username_claim, "email") == 0)
		err = claims_email_verified(root, errmsg);
	if (err != POG_OK)
		goto out;
	*out = c;
	memset(&c, 0, sizeof(c));
out:
	pog_claims_free(&c);
	pog_json_free(root);
	free(why);
	return err;
}

void
pog_claims_free(struct pog_claims *c)
{
	if (c == NULL)
		return;
	free(c->sub);
	free(c->username);
	free(c->acr);
	memset(c, 0, sizeof(*c));
}

/*
 * A local user name we accept, after Debian's adduser and shadow's
 * is_valid_user_name: 1 to 32 of [A-Za-z0-9_.-], not starting with '-'.
 * Also refused: "." and ".." (the name becomes a path under state_dir)
 * and all-digit names (chown and friends would read them as a uid).
 */
static bool
claims_valid_user(const char *s, size_t n)
{
	bool digits = true;

	if (n == 0 || n > CLAIMS_MAX_USER || s[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!pog_is_name_char(c))
			return false;
		if (c < '0' || c > '9')
			digits = false;
	}
	if (digits)
		return false;
	if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
		return false;
	return true;
}

pog_err
pog_claims_local_user(const char *claim, const struct pog_strv *domains,
		      char **local, char **errmsg)
{
	const char *at;
	char *shown = NULL, *name = NULL;
	size_t n;
	bool listed = false;
	pog_err err = POG_ERR_USER;

	if (claim == NULL || local == NULL) {
		err = POG_ERR_INVALID;
		goto out;
	}
	shown = pog_sanitize(claim, CLAIMS_MAX_SHOWN);
	if (shown == NULL) {
		err = POG_ERR_NOMEM;
		goto out;
	}
	if (domains == NULL || domains->n == 0) {
		n = strlen(claim);
		if (!claims_valid_user(claim, n)) {
			pog_fail(errmsg, err, "\"%s\" is not a valid local user name", shown);
			goto out;
		}
	} else {
		/* The last '@': a local part may itself be quoted with '@' in it. */
		at = strrchr(claim, '@');
		if (at == NULL) {
			pog_fail(errmsg, err, "\"%s\" has no @domain, and username_domains "
				   "is set", shown);
			goto out;
		}
		for (size_t i = 0; i < domains->n && !listed; i++)
			listed = pog_ascii_caseeq(at + 1, domains->v[i]);
		if (!listed) {
			pog_fail(errmsg, err, "the domain of \"%s\" is not one of "
				   "username_domains", shown);
			goto out;
		}
		n = (size_t)(at - claim);
		if (!claims_valid_user(claim, n)) {
			pog_fail(errmsg, err, "the name part of \"%s\" is not a valid local "
				   "user name", shown);
			goto out;
		}
	}
	name = strndup(claim, n);
	if (name == NULL) {
		err = POG_ERR_NOMEM;
		goto out;
	}
	*local = name;
	err = POG_OK;
out:
	free(shown);
	return err;
}
