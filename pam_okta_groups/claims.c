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

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "claims.h"
#include "oidc.h"
#include "util.h"

#define CLAIMS_MAX_SKEW     86400
#define CLAIMS_MAX_TIME     253402300799LL  /* 9999-12-31T23:59:59Z */
#define CLAIMS_MAX_SUB      255             /* OIDC Core 2 */
#define CLAIMS_MAX_USERNAME 1024
#define CLAIMS_MAX_USER     32              /* a local user name */
#define CLAIMS_MAX_SHOWN    128

enum claims_get {
	CLAIMS_ABSENT,
	CLAIMS_FOUND,
	CLAIMS_BADTYPE,
};

static void claims_err(char **errmsg, const char *fmt, ...) POG_ATTR_PRINTF(2, 3);

static void
claims_err(char **errmsg, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	if (errmsg == NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	*errmsg = s;
}

/* A member that must be a string; one with a NUL byte is the wrong type. */
static enum claims_get
claims_get_string(struct json_object *obj, const char *key, const char **out)
{
	struct json_object *v = NULL;
	const char *s;

	if (!json_object_object_get_ex(obj, key, &v))
		return CLAIMS_ABSENT;
	if (!json_object_is_type(v, json_type_string))
		return CLAIMS_BADTYPE;
	s = json_object_get_string(v);
	if (s == NULL || strlen(s) != (size_t)json_object_get_string_len(v))
		return CLAIMS_BADTYPE;
	*out = s;
	return CLAIMS_FOUND;
}

/*
 * A NumericDate (RFC 7519 2): a JSON number, integer or not, never a
 * string. Anything before 1970 or after 9999 is malformed, which also
 * keeps the arithmetic below far from overflow.
 */
static enum claims_get
claims_get_time(struct json_object *obj, const char *key, int64_t *out)
{
	struct json_object *v = NULL;
	int64_t t;

	if (!json_object_object_get_ex(obj, key, &v))
		return CLAIMS_ABSENT;
	if (json_object_is_type(v, json_type_int)) {
		t = json_object_get_int64(v);
	} else if (json_object_is_type(v, json_type_double)) {
		double d = json_object_get_double(v);

		if (!isfinite(d) || d < 0.0 || d > (double)CLAIMS_MAX_TIME)
			return CLAIMS_BADTYPE;
		t = (int64_t)d;
	} else {
		return CLAIMS_BADTYPE;
	}
	if (t < 0 || t > CLAIMS_MAX_TIME)
		return CLAIMS_BADTYPE;
	*out = t;
	return CLAIMS_FOUND;
}

static bool
claims_is_graph(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

/*
 * aud (RFC 7519 4.1.3): a string, or an array of strings, holding
 * client_id. *several tells whether it names more than one audience.
 */
static pog_err
claims_check_aud(struct json_object *root, const char *client_id, bool *several,
		 char **errmsg)
{
	struct json_object *aud = NULL;
	bool found = false;
	size_t n;

	if (!json_object_object_get_ex(root, "aud", &aud)) {
		claims_err(errmsg, "the ID token has no audience (aud)");
		return POG_ERR_TOKEN;
	}
	if (json_object_is_type(aud, json_type_string)) {
		const char *s = json_object_get_string(aud);

		if (s == NULL || strlen(s) != (size_t)json_object_get_string_len(aud) ||
		    strcmp(s, client_id) != 0) {
			claims_err(errmsg, "the ID token is not meant for this client (aud)");
			return POG_ERR_TOKEN;
		}
		*several = false;
		return POG_OK;
	}
	if (!json_object_is_type(aud, json_type_array)) {
		claims_err(errmsg, "the ID token's aud is neither a string nor an array");
		return POG_ERR_TOKEN;
	}
	n = json_object_array_length(aud);
	for (size_t i = 0; i < n; i++) {
		struct json_object *v = json_object_array_get_idx(aud, i);
		const char *s;

		if (!json_object_is_type(v, json_type_string)) {
			claims_err(errmsg, "the ID token's aud holds a value that is not a string");
			return POG_ERR_TOKEN;
		}
		s = json_object_get_string(v);
		if (s == NULL || strlen(s) != (size_t)json_object_get_string_len(v)) {
			claims_err(errmsg, "the ID token's aud holds a string with a NUL byte");
			return POG_ERR_TOKEN;
		}
		if (strcmp(s, client_id) == 0)
			found = true;
	}
	if (!found) {
		claims_err(errmsg, "the ID token is not meant for this client (aud)");
		return POG_ERR_TOKEN;
	}
	*several = n > 1;
	return POG_OK;
}

/* amr (OIDC Core 2) must be an array of strings that holds "mfa". */
static pog_err
claims_check_mfa(struct json_object *root, char **errmsg)
{
	struct json_object *amr = NULL;
	bool found = false;
	size_t n;

	if (!json_object_object_get_ex(root, "amr", &amr)) {
		claims_err(errmsg, "multi-factor authentication is required, and the ID "
			   "token does not say how the user signed in (no amr)");
		return POG_ERR_TOKEN;
	}
	if (!json_object_is_type(amr, json_type_array)) {
		claims_err(errmsg, "the ID token's amr is not an array");
		return POG_ERR_TOKEN;
	}
	n = json_object_array_length(amr);
	for (size_t i = 0; i < n; i++) {
		struct json_object *v = json_object_array_get_idx(amr, i);

		if (!json_object_is_type(v, json_type_string)) {
			claims_err(errmsg, "the ID token's amr holds a value that is not a string");
			return POG_ERR_TOKEN;
		}
		/* json-c compares the whole string: "mfa\0x" is not "mfa". */
		if (json_object_get_string_len(v) == 3 &&
		    strcmp(json_object_get_string(v), "mfa") == 0)
			found = true;
	}
	if (!found) {
		claims_err(errmsg, "multi-factor authentication is required, and the user "
			   "did not use it (amr has no mfa)");
		return POG_ERR_TOKEN;
	}
	return POG_OK;
}

pog_err
pog_claims_check(const char *payload, size_t len, const struct pog_claims_policy *p,
		 struct pog_claims *out, char **errmsg)
{
	struct json_object *root = NULL;
	struct pog_claims c = { 0 };
	const char *s = NULL;
	char *why = NULL, *shown = NULL;
	int64_t now, skew, exp = 0, nbf = 0, iat = 0;
	bool several = false;
	size_t n;
	pog_err err = POG_ERR_INVALID;

	if (p == NULL || out == NULL || p->issuer == NULL || p->client_id == NULL ||
	    p->username_claim == NULL || p->clock_skew < 0 ||
	    p->clock_skew > CLAIMS_MAX_SKEW || p->now < 0 ||
	    (int64_t)p->now > CLAIMS_MAX_TIME) {
		claims_err(errmsg, "invalid claim policy");
		goto out;
	}
	now = (int64_t)p->now;
	skew = (int64_t)p->clock_skew;

	err = pog_oidc_json_parse(payload, len, &root, &why);
	if (err != POG_OK) {
		if (err != POG_ERR_NOMEM) {
			claims_err(errmsg, "the ID token's payload: %s", why ? why : "invalid");
			err = POG_ERR_TOKEN;
		}
		goto out;
	}
	err = POG_ERR_TOKEN;

	/* iss: exactly the configured issuer (OIDC Core 3.1.3.7, step 2). */
	switch (claims_get_string(root, "iss", &s)) {
	case CLAIMS_ABSENT:
		claims_err(errmsg, "the ID token has no issuer (iss)");
		goto out;
	case CLAIMS_BADTYPE:
		claims_err(errmsg, "the ID token's iss is not a string");
		goto out;
	case CLAIMS_FOUND:
		break;
	}
	if (strcmp(s, p->issuer) != 0) {
		shown = pog_sanitize(s, CLAIMS_MAX_SHOWN);
		claims_err(errmsg, "the ID token's issuer \"%s\" is not the configured "
			   "issuer", shown ? shown : "?");
		goto out;
	}

	/* aud and azp (steps 3 to 5). */
	err = claims_check_aud(root, p->client_id, &several, errmsg);
	if (err != POG_OK)
		goto out;
	err = POG_ERR_TOKEN;
	switch (claims_get_string(root, "azp", &s)) {
	case CLAIMS_ABSENT:
		if (several) {
			claims_err(errmsg, "the ID token names several audiences and no "
				   "authorized party (azp)");
			goto out;
		}
		break;
	case CLAIMS_BADTYPE:
		claims_err(errmsg, "the ID token's azp is not a string");
		goto out;
	case CLAIMS_FOUND:
		if (strcmp(s, p->client_id) != 0) {
			claims_err(errmsg, "the ID token was issued to another client (azp)");
			goto out;
		}
		break;
	}

	/* exp, nbf, iat (steps 9 and 10), each within the clock skew. */
	switch (claims_get_time(root, "exp", &exp)) {
	case CLAIMS_ABSENT:
		claims_err(errmsg, "the ID token has no expiry (exp)");
		goto out;
	case CLAIMS_BADTYPE:
		claims_err(errmsg, "the ID token's exp is not a valid time");
		goto out;
	case CLAIMS_FOUND:
		break;
	}
	if (now > exp + skew) {
		claims_err(errmsg, "the ID token expired %lld seconds ago",
			   (long long)(now - exp));
		goto out;
	}
	switch (claims_get_time(root, "nbf", &nbf)) {
	case CLAIMS_ABSENT:
		break;
	case CLAIMS_BADTYPE:
		claims_err(errmsg, "the ID token's nbf is not a valid time");
		goto out;
	case CLAIMS_FOUND:
		if (nbf > now + skew) {
			claims_err(errmsg, "the ID token is not valid for another %lld "
				   "seconds (nbf); check the clock", (long long)(nbf - now));
			goto out;
		}
		break;
	}
	switch (claims_get_time(root, "iat", &iat)) {
	case CLAIMS_ABSENT:
		claims_err(errmsg, "the ID token has no issue time (iat)");
		goto out;
	case CLAIMS_BADTYPE:
		claims_err(errmsg, "the ID token's iat is not a valid time");
		goto out;
	case CLAIMS_FOUND:
		break;
	}
	if (iat > now + skew) {
		claims_err(errmsg, "the ID token was issued %lld seconds in the future "
			   "(iat); check the clock", (long long)(iat - now));
		goto out;
	}

	/* sub: logged and stored, so printable ASCII only (OIDC Core 2). */
	switch (claims_get_string(root, "sub", &s)) {
	case CLAIMS_ABSENT:
		claims_err(errmsg, "the ID token has no subject (sub)");
		goto out;
	case CLAIMS_BADTYPE:
		claims_err(errmsg, "the ID token's sub is not a string");
		goto out;
	case CLAIMS_FOUND:
		break;
	}
	n = strlen(s);
	if (n == 0 || n > CLAIMS_MAX_SUB || !claims_is_graph(s)) {
		claims_err(errmsg, "the ID token's sub is not 1 to %d printable ASCII "
			   "characters", CLAIMS_MAX_SUB);
		goto out;
	}
	c.sub = strdup(s);
	if (c.sub == NULL) {
		err = POG_ERR_NOMEM;
		goto out;
	}

	/* Read for the host's policy (policy.c), which judges them. */
	if (claims_get_string(root, "acr", &s) == CLAIMS_FOUND && (c.acr = strdup(s)) == NULL) {
		err = POG_ERR_NOMEM;
		goto out;
	}
	(void)claims_get_time(root, "auth_time", &c.auth_time);

	if (p->require_mfa) {
		err = claims_check_mfa(root, errmsg);
		if (err != POG_OK)
			goto out;
		err = POG_ERR_TOKEN;
	}

	/* The username claim, as sent: pog_claims_local_user judges it. */
	shown = pog_sanitize(p->username_claim, CLAIMS_MAX_SHOWN);
	switch (claims_get_string(root, p->username_claim, &s)) {
	case CLAIMS_ABSENT:
		claims_err(errmsg, "the ID token has no %s claim", shown ? shown : "?");
		goto out;
	case CLAIMS_BADTYPE:
		claims_err(errmsg, "the ID token's %s claim is not a string", shown ? shown : "?");
		goto out;
	case CLAIMS_FOUND:
		break;
	}
	n = strlen(s);
	if (n == 0 || n > CLAIMS_MAX_USERNAME) {
		claims_err(errmsg, "the ID token's %s claim is empty or too long",
			   shown ? shown : "?");
		goto out;
	}
	c.username = strdup(s);
	if (c.username == NULL) {
		err = POG_ERR_NOMEM;
		goto out;
	}

	/*
	 * An address the provider has not verified may be anybody's: with
	 * username_claim = email, email_verified must be the boolean true
	 * (OIDC Core 5.1), not absent, not the string "true".
	 */
	if (strcmp(p->username_claim, "email") == 0) {
		struct json_object *v = NULL;

		if (!json_object_object_get_ex(root, "email_verified", &v)) {
			claims_err(errmsg, "username_claim is email, and the ID token has no "
				   "email_verified claim");
			goto out;
		}
		if (!json_object_is_type(v, json_type_boolean)) {
			claims_err(errmsg, "the ID token's email_verified claim is not a boolean");
			goto out;
		}
		if (!json_object_get_boolean(v)) {
			claims_err(errmsg, "the ID token's email_verified claim is false: the "
				   "address is not verified, so it cannot name the account");
			goto out;
		}
	}

	*out = c;
	memset(&c, 0, sizeof(c));
	err = POG_OK;
out:
	pog_claims_free(&c);
	json_object_put(root);
	free(shown);
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

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
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

/* ASCII only: strcasecmp would follow the locale (the Turkish dotless i). */
static bool
claims_domain_eq(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++) {
		unsigned char x = (unsigned char)*a, y = (unsigned char)*b;

		if (x >= 'A' && x <= 'Z')
			x = (unsigned char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (unsigned char)(y - 'A' + 'a');
		if (x != y)
			return false;
	}
	return *a == *b;
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
			claims_err(errmsg, "\"%s\" is not a valid local user name", shown);
			goto out;
		}
	} else {
		/* The last '@': a local part may itself be quoted with '@' in it. */
		at = strrchr(claim, '@');
		if (at == NULL) {
			claims_err(errmsg, "\"%s\" has no @domain, and username_domains "
				   "is set", shown);
			goto out;
		}
		for (size_t i = 0; i < domains->n && !listed; i++)
			listed = claims_domain_eq(at + 1, domains->v[i]);
		if (!listed) {
			claims_err(errmsg, "the domain of \"%s\" is not one of "
				   "username_domains", shown);
			goto out;
		}
		n = (size_t)(at - claim);
		if (!claims_valid_user(claim, n)) {
			claims_err(errmsg, "the name part of \"%s\" is not a valid local "
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
