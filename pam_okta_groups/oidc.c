/*
 * oidc.c - parsing what the OpenID provider sends: discovery, the device
 * authorization response, token responses, group claims, and (for
 * token.c and jwk.c, which read no JSON themselves) the JWS header and
 * the JWKS.
 *
 * Every document is untrusted. It is read by the one strict parser
 * (pog_json_parse in json.c), then each value is type-checked before it
 * is used, and every string that leaves this file is a copy without NUL
 * bytes.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "oidc.h"
#include "util.h"

#define OIDC_MAX_URL        2048
#define OIDC_MAX_USER_CODE  64
#define OIDC_MAX_DEVICE_CODE 4096
#define OIDC_MAX_ERROR      64          /* an error code, once sanitized */
#define OIDC_MAX_SUB        255         /* OIDC Core 2: at most 255 ASCII */
#define OIDC_MAX_SHOWN      200         /* untrusted text quoted in messages */

/* Untrusted text for a message: sanitized, or "?" when out of memory. */
static char *
oidc_shown(const char *s)
{
	return pog_sanitize(s != NULL ? s : "(none)", OIDC_MAX_SHOWN);
}

/* Parses a document, its failure told as "what: why" with code bad. */
static pog_err
oidc_parse(const char *json, size_t len, const char *what, pog_err bad,
	   pog_json **root, char **errmsg)
{
	char *why = NULL;
	pog_err err = pog_json_parse(json, len, POG_JSON_MAX_DEPTH, root, &why);

	if (err != POG_OK && err != POG_ERR_NOMEM)
		err = pog_fail(errmsg, bad, "%s: %s", what, why ? why : "invalid");
	free(why);
	return err;
}

/* Printable ASCII without spaces: what may be shown or sent as a URL. */
static bool
oidc_is_graph(const char *s)
{
	return pog_all_of(s, strlen(s), pog_is_graph_ascii);
}

/*
 * An absolute https URL we are willing to call or show: printable ASCII,
 * no spaces, no backslash (which some parsers read as a slash), a
 * non-empty authority and no user info in it.
 */
static bool
oidc_is_https_url(const char *s)
{
	const char *auth;
	size_t alen;

	if (strlen(s) > OIDC_MAX_URL || strncmp(s, "https://", 8) != 0)
		return false;
	if (!oidc_is_graph(s) || strchr(s, '\\') != NULL)
		return false;
	auth = s + 8;
	alen = strcspn(auth, "/?#");
	return alen > 0 && memchr(auth, '@', alen) == NULL;
}

/* The printable ASCII of a user code or an error code, spaces allowed. */
static bool
oidc_is_print(const char *s)
{
	return pog_all_of(s, strlen(s), pog_is_print_ascii);
}

static bool
oidc_is_sub(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= OIDC_MAX_SUB && oidc_is_graph(s);
}

/* ---- discovery ---- */

void
pog_discovery_free(struct pog_discovery *d)
{
	if (d == NULL)
		return;
	free(d->issuer);
	free(d->device_authorization_endpoint);
	free(d->token_endpoint);
	free(d->jwks_uri);
	free(d->userinfo_endpoint);
	memset(d, 0, sizeof(*d));
}

/* Reads an endpoint: an https URL, required or not. */
static pog_err
oidc_endpoint(const pog_json *root, const char *key, bool required,
	      char **out, char **errmsg)
{
	const char *s = NULL;
	char *shown;
	enum pog_json_get r = pog_json_get_string(root, key, &s);

	if (r == POG_JSON_ABSENT && !required)
		return POG_OK;
	if (r != POG_JSON_FOUND)
		return pog_json_fail(errmsg, POG_ERR_PROTOCOL, r, "the discovery document",
				     key, "a string");
	if (!oidc_is_https_url(s)) {
		shown = oidc_shown(s);
		pog_fail(errmsg, POG_ERR_PROTOCOL, "the discovery document's %s \"%s\" is "
			 "not an https:// URL", key, shown ? shown : "?");
		free(shown);
		return POG_ERR_PROTOCOL;
	}
	*out = strdup(s);
	return *out != NULL ? POG_OK : POG_ERR_NOMEM;
}

/* The issuer: exactly the configured one (OIDC Discovery 4.3, no normalisation). */
static pog_err
oidc_discovery_issuer(const pog_json *root, const char *expected, char **out,
		      char **errmsg)
{
	const char *s = NULL;
	char *shown;
	enum pog_json_get r = pog_json_get_string(root, "issuer", &s);

	if (r != POG_JSON_FOUND)
		return pog_json_fail(errmsg, POG_ERR_PROTOCOL, r, "the discovery document",
				     "issuer", "a string");
	if (strcmp(s, expected) != 0) {
		shown = oidc_shown(s);
		pog_fail(errmsg, POG_ERR_CONFIG, "the discovery document's issuer \"%s\" is "
			 "not the configured issuer \"%s\"", shown ? shown : "?", expected);
		free(shown);
		return POG_ERR_CONFIG;
	}
	*out = strdup(s);
	return *out != NULL ? POG_OK : POG_ERR_NOMEM;
}

/* The device grant and RS256, where the document lists what it supports. */
static pog_err
oidc_discovery_supports(const pog_json *root, char **errmsg)
{
	static const char no_device[] =
		"the provider does not support the device authorization grant";
	bool has = false;

	switch (pog_json_get_strarray_has(root, "grant_types_supported", POG_DEVICE_GRANT, &has)) {
	case POG_JSON_ABSENT:
		break;
	case POG_JSON_BADTYPE:
		return pog_fail(errmsg, POG_ERR_PROTOCOL, "the discovery document's "
				"grant_types_supported is not an array of strings");
	case POG_JSON_FOUND:
		if (!has)
			return pog_fail(errmsg, POG_ERR_PROTOCOL, "%s (grant_types_supported "
					"does not list %s)", no_device, POG_DEVICE_GRANT);
		break;
	}
	if (!pog_json_has(root, "device_authorization_endpoint"))
		return pog_fail(errmsg, POG_ERR_PROTOCOL, "%s (no device_authorization_endpoint)",
				no_device);
	switch (pog_json_get_strarray_has(root, "id_token_signing_alg_values_supported",
					  "RS256", &has)) {
	case POG_JSON_ABSENT:
		break;
	case POG_JSON_BADTYPE:
		return pog_fail(errmsg, POG_ERR_PROTOCOL, "the discovery document's "
				"id_token_signing_alg_values_supported is not an array of strings");
	case POG_JSON_FOUND:
		if (!has)
			return pog_fail(errmsg, POG_ERR_PROTOCOL,
					"the provider does not sign ID tokens with RS256");
		break;
	}
	return POG_OK;
}

pog_err
pog_oidc_parse_discovery(const char *json, size_t len, const char *expected_issuer,
			 struct pog_discovery *out, char **errmsg)
{
	pog_json *root = NULL;
	struct pog_discovery d = { 0 };
	char *issuer = NULL;
	pog_err err = POG_ERR_INVALID;

	if (expected_issuer == NULL || out == NULL)
		goto out;
	err = oidc_parse(json, len, "discovery", POG_ERR_PROTOCOL, &root, errmsg);
	if (err == POG_OK)
		err = oidc_discovery_issuer(root, expected_issuer, &issuer, errmsg);
	if (err == POG_OK)
		err = oidc_discovery_supports(root, errmsg);
	if (err != POG_OK)
		goto out;
	d.issuer = issuer;
	issuer = NULL;
	err = oidc_endpoint(root, "device_authorization_endpoint", true,
			    &d.device_authorization_endpoint, errmsg);
	if (err == POG_OK)
		err = oidc_endpoint(root, "token_endpoint", true, &d.token_endpoint, errmsg);
	if (err == POG_OK)
		err = oidc_endpoint(root, "jwks_uri", true, &d.jwks_uri, errmsg);
	if (err == POG_OK)
		err = oidc_endpoint(root, "userinfo_endpoint", false,
				    &d.userinfo_endpoint, errmsg);
	if (err != POG_OK)
		goto out;
	*out = d;
	memset(&d, 0, sizeof(d));
out:
	pog_discovery_free(&d);
	pog_json_free(root);
	free(issuer);
	return err;
}

/* ---- where the endpoints may be ---- */

#define OIDC_MAX_HOST 255

/* The host (lowercased; brackets kept for IPv6) and port of an https URL. */
struct oidc_origin {
	char host[OIDC_MAX_HOST + 1];
	long port;
	bool default_port;      /* no port, or :443 */
};

/*
 * Reads the authority of an https URL strictly: no user info, a host of
 * letters, digits, dots and hyphens or a bracketed IPv6 literal (no zone,
 * no percent-encoding), and an optional port 1..65535. Anything else is
 * refused rather than guessed at, since curl and we must agree on the host.
 */
static bool
oidc_origin(const char *url, struct oidc_origin *o)
{
	const char *a, *end, *he;
	size_t n;

	if (url == NULL || strncmp(url, "https://", 8) != 0)
		return false;
	a = url + 8;
	end = a + strcspn(a, "/?#");
	if (*a == '[') {
		he = memchr(a, ']', (size_t)(end - a));
		if (he == NULL || he == a + 1)
			return false;
		for (const char *p = a + 1; p < he; p++)
			if (strchr("0123456789abcdefABCDEF:.", *p) == NULL)
				return false;
		he++;
	} else {
		for (he = a; he < end && *he != ':'; he++)
			if (!pog_is_alnum_ascii((unsigned char)*he) && *he != '.' && *he != '-')
				return false;
	}
	n = (size_t)(he - a);
	if (n == 0 || n > OIDC_MAX_HOST)
		return false;
	for (size_t i = 0; i < n; i++)
		o->host[i] = (a[i] >= 'A' && a[i] <= 'Z') ? (char)(a[i] - 'A' + 'a') : a[i];
	o->host[n] = '\0';
	o->port = 443;
	if (he < end) {
		long port = 0;

		if (*he != ':' || he + 1 == end || end - (he + 1) > 5)
			return false;
		for (const char *p = he + 1; p < end; p++) {
			if (*p < '0' || *p > '9')
				return false;
			port = port * 10 + (*p - '0');
		}
		if (port < 1 || port > 65535)
			return false;
		o->port = port;
	}
	o->default_port = o->port == 443;
	return true;
}

bool
pog_oidc_endpoint_allowed(const char *issuer, const char *url,
			  const struct pog_strv *hosts)
{
	struct oidc_origin iss, ep;

	if (!oidc_origin(issuer, &iss) || !oidc_origin(url, &ep))
		return false;
	/* Host names compare without case; a trailing dot is not dropped,
	 * since "idp." and "idp" may resolve apart (the search list). */
	if (strcmp(iss.host, ep.host) == 0 && iss.port == ep.port)
		return true;
	if (hosts == NULL || !ep.default_port)
		return false;
	for (size_t i = 0; i < hosts->n; i++)
		if (pog_ascii_caseeq(hosts->v[i], ep.host))
			return true;
	return false;
}

pog_err
pog_oidc_check_endpoints(const struct pog_discovery *d, const char *issuer,
			 const struct pog_strv *hosts, char **errmsg)
{
	const struct {
		const char *key;
		const char *url;
	} ep[] = {
		{ "device_authorization_endpoint", d->device_authorization_endpoint },
		{ "token_endpoint", d->token_endpoint },
		{ "userinfo_endpoint", d->userinfo_endpoint },
		{ "jwks_uri", d->jwks_uri },
	};
	struct oidc_origin o;

	if (!oidc_origin(issuer, &o)) {
		return pog_fail(errmsg, POG_ERR_CONFIG, "the issuer \"%s\" has no host this "
				"module can read", issuer);
	}
	for (size_t i = 0; i < sizeof(ep) / sizeof(ep[0]); i++) {
		char *shown;

		if (ep[i].url == NULL || pog_oidc_endpoint_allowed(issuer, ep[i].url, hosts))
			continue;
		if (oidc_origin(ep[i].url, &o)) {
			pog_fail(errmsg, POG_ERR_PROTOCOL, "the discovery document's %s is on host %s port %ld, "
				 "not the issuer's; refused (endpoint_hosts may name a host "
				 "that serves on port 443)", ep[i].key, o.host, o.port);
		} else {
			shown = oidc_shown(ep[i].url);
			pog_fail(errmsg, POG_ERR_PROTOCOL, "the discovery document's %s \"%s\" has no host "
				 "this module can read; refused", ep[i].key, shown ? shown : "?");
			free(shown);
		}
		return POG_ERR_PROTOCOL;
	}
	return POG_OK;
}

/* ---- the device authorization response ---- */

void
pog_device_auth_free(struct pog_device_auth *d)
{
	if (d == NULL)
		return;
	pog_free_secret(d->device_code);
	free(d->user_code);
	free(d->verification_uri);
	free(d->verification_uri_complete);
	memset(d, 0, sizeof(*d));
}

#define OIDC_DEVICE "the device authorization response"

/* A verification URI: shown to the user, so checked like an endpoint. */
static pog_err
oidc_verification_uri(const pog_json *root, const char *key, bool required,
		      char **out, char **errmsg)
{
	const char *s = NULL;
	enum pog_json_get r = pog_json_get_string(root, key, &s);

	if (r == POG_JSON_ABSENT && !required)
		return POG_OK;
	if (r != POG_JSON_FOUND)
		return pog_json_fail(errmsg, POG_ERR_PROTOCOL, r, OIDC_DEVICE, key, "a string");
	/* Not quoted back: it failed precisely because it may not be shown. */
	if (!oidc_is_https_url(s))
		return pog_fail(errmsg, POG_ERR_PROTOCOL, OIDC_DEVICE "'s %s is not a "
				"printable https:// URL", key);
	*out = strdup(s);
	return *out != NULL ? POG_OK : POG_ERR_NOMEM;
}

/* device_code (a secret, never shown) and user_code (shown on the terminal). */
static pog_err
oidc_device_codes(const pog_json *root, struct pog_device_auth *d, char **errmsg)
{
	const char *s = NULL;
	enum pog_json_get r;
	size_t n;

	r = pog_json_get_string(root, "device_code", &s);
	if (r != POG_JSON_FOUND)
		return pog_json_fail(errmsg, POG_ERR_PROTOCOL, r, OIDC_DEVICE, "device_code",
				     "a string");
	n = strlen(s);
	if (n == 0 || n > OIDC_MAX_DEVICE_CODE || !oidc_is_graph(s))
		return pog_fail(errmsg, POG_ERR_PROTOCOL, OIDC_DEVICE "'s device_code is malformed");
	if ((d->device_code = strdup(s)) == NULL)
		return POG_ERR_NOMEM;
	r = pog_json_get_string(root, "user_code", &s);
	if (r != POG_JSON_FOUND)
		return pog_json_fail(errmsg, POG_ERR_PROTOCOL, r, OIDC_DEVICE, "user_code",
				     "a string");
	/* It goes to the user's terminal: no control bytes, no escapes. */
	n = strlen(s);
	if (n == 0 || n > OIDC_MAX_USER_CODE || !oidc_is_print(s) ||
	    s[0] == ' ' || s[n - 1] == ' ')
		return pog_fail(errmsg, POG_ERR_PROTOCOL, OIDC_DEVICE "'s user_code is not "
				"1 to %d printable ASCII characters", OIDC_MAX_USER_CODE);
	if ((d->user_code = strdup(s)) == NULL)
		return POG_ERR_NOMEM;
	return POG_OK;
}

/* An integer number of seconds in [min, max]; dflt when absent (-1: required). */
static pog_err
oidc_device_seconds(const pog_json *root, const char *key, long dflt, long min,
		    long max, long *out, char **errmsg)
{
	int64_t v = 0;
	enum pog_json_get r = pog_json_get_int(root, key, &v);

	if (r == POG_JSON_ABSENT && dflt >= 0) {
		v = dflt;
	} else if (r != POG_JSON_FOUND) {
		return pog_json_fail(errmsg, POG_ERR_PROTOCOL, r, OIDC_DEVICE, key,
				     "an integer");
	}
	if (v < min || v > max)
		return pog_fail(errmsg, POG_ERR_PROTOCOL, OIDC_DEVICE "'s %s (%lld) is not "
				"between %ld and %ld seconds", key, (long long)v, min, max);
	*out = (long)v;
	return POG_OK;
}

pog_err
pog_oidc_parse_device(long http_status, const char *json, size_t len,
		      struct pog_device_auth *out, char **errmsg)
{
	pog_json *root = NULL;
	struct pog_device_auth d = { 0 };
	char *code = NULL;
	pog_err err = POG_ERR_INVALID;

	if (out == NULL)
		goto out;
	if (http_status != 200) {
		code = pog_oidc_error_code(json, len);
		err = pog_fail(errmsg, POG_ERR_PROTOCOL, "the device authorization request "
			       "failed: HTTP %ld%s%s", http_status, code ? ", error " : "",
			       code ? code : "");
		goto out;
	}
	err = oidc_parse(json, len, "device authorization", POG_ERR_PROTOCOL, &root, errmsg);
	if (err == POG_OK)
		err = oidc_device_codes(root, &d, errmsg);
	if (err == POG_OK)
		err = oidc_verification_uri(root, "verification_uri", true,
					    &d.verification_uri, errmsg);
	if (err == POG_OK)
		err = oidc_verification_uri(root, "verification_uri_complete", false,
					    &d.verification_uri_complete, errmsg);
	if (err == POG_OK)
		err = oidc_device_seconds(root, "expires_in", -1, 1, 86400, &d.expires_in,
					  errmsg);
	/* RFC 8628 3.2: 5 seconds when absent. */
	if (err == POG_OK)
		err = oidc_device_seconds(root, "interval", 5, 1, 300, &d.interval, errmsg);
	if (err != POG_OK)
		goto out;
	*out = d;
	memset(&d, 0, sizeof(d));
out:
	pog_device_auth_free(&d);
	pog_json_free(root);
	free(code);
	return err;
}

/* ---- token responses ---- */

void
pog_token_resp_free(struct pog_token_resp *t)
{
	if (t == NULL)
		return;
	pog_free_secret(t->id_token);
	pog_free_secret(t->access_token);
	free(t->error);
	memset(t, 0, sizeof(*t));
}

/* The success answer (RFC 6749 5.1): an ID token, maybe an access token. */
static pog_err
oidc_token_ok(const pog_json *root, struct pog_token_resp *t, char **errmsg)
{
	static const char what[] = "the token response";
	const char *s = NULL;
	enum pog_json_get r;

	r = pog_json_get_string(root, "token_type", &s);
	if (r == POG_JSON_BADTYPE)
		return pog_json_fail(errmsg, POG_ERR_PROTOCOL, r, what, "token_type", "a string");
	/* RFC 6749 5.1: the value is case-insensitive. */
	if (r == POG_JSON_FOUND && !pog_ascii_caseeq(s, "Bearer")) {
		char *shown = oidc_shown(s);

		pog_fail(errmsg, POG_ERR_PROTOCOL, "%s's token_type \"%s\" is not Bearer", what,
			 shown ? shown : "?");
		free(shown);
		return POG_ERR_PROTOCOL;
	}
	r = pog_json_get_string(root, "id_token", &s);
	if (r == POG_JSON_ABSENT)
		return pog_fail(errmsg, POG_ERR_PROTOCOL, "%s has no id_token (is openid "
				"among the scopes?)", what);
	if (r != POG_JSON_FOUND)
		return pog_json_fail(errmsg, POG_ERR_PROTOCOL, r, what, "id_token", "a string");
	if (*s == '\0')
		return pog_fail(errmsg, POG_ERR_PROTOCOL, "%s's id_token is empty", what);
	if ((t->id_token = strdup(s)) == NULL)
		return POG_ERR_NOMEM;
	r = pog_json_get_string(root, "access_token", &s);
	if (r == POG_JSON_BADTYPE)
		return pog_json_fail(errmsg, POG_ERR_PROTOCOL, r, what, "access_token", "a string");
	if (r == POG_JSON_FOUND) {
		if (*s == '\0')
			return pog_fail(errmsg, POG_ERR_PROTOCOL, "%s's access_token is empty", what);
		if ((t->access_token = strdup(s)) == NULL)
			return POG_ERR_NOMEM;
	}
	t->status = POG_TOKEN_OK;
	return POG_OK;
}

/* The error answer (RFC 6749 5.2, RFC 8628 3.5). */
static pog_err
oidc_token_error(const pog_json *root, struct pog_token_resp *t, char **errmsg)
{
	static const struct {
		const char *code;
		enum pog_token_status status;
	} known[] = {
		{ "authorization_pending", POG_TOKEN_PENDING },
		{ "slow_down", POG_TOKEN_SLOW_DOWN },
		{ "expired_token", POG_TOKEN_EXPIRED },
		{ "access_denied", POG_TOKEN_DENIED },
	};
	const char *s = NULL;

	switch (pog_json_get_string(root, "error", &s)) {
	case POG_JSON_ABSENT:
		return pog_fail(errmsg, POG_ERR_PROTOCOL,
				"the token endpoint's error response has no error code");
	case POG_JSON_BADTYPE:
		return pog_fail(errmsg, POG_ERR_PROTOCOL,
				"the token endpoint's error code is not a string");
	case POG_JSON_FOUND:
		break;
	}
	if (*s == '\0')
		return pog_fail(errmsg, POG_ERR_PROTOCOL, "the token endpoint's error code is empty");
	t->error = pog_sanitize(s, OIDC_MAX_ERROR);
	if (t->error == NULL)
		return POG_ERR_NOMEM;
	t->status = POG_TOKEN_ERROR;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (strcmp(s, known[i].code) == 0) {
			t->status = known[i].status;
			break;
		}
	}
	return POG_OK;
}

pog_err
pog_oidc_parse_token(long http_status, const char *json, size_t len,
		     struct pog_token_resp *out, char **errmsg)
{
	pog_json *root = NULL;
	struct pog_token_resp t = { 0 };
	char what[64];
	pog_err err = POG_ERR_INVALID;

	if (out == NULL)
		goto out;
	if (http_status != 200 && http_status != 400 && http_status != 401) {
		err = pog_fail(errmsg, POG_ERR_PROTOCOL, "the token endpoint answered HTTP %ld",
			       http_status);
		goto out;
	}
	snprintf(what, sizeof(what), "token response (HTTP %ld)", http_status);
	err = oidc_parse(json, len, what, POG_ERR_PROTOCOL, &root, errmsg);
	if (err != POG_OK)
		goto out;
	if (http_status == 200)
		err = oidc_token_ok(root, &t, errmsg);
	else
		err = oidc_token_error(root, &t, errmsg);
	if (err != POG_OK)
		goto out;
	*out = t;
	memset(&t, 0, sizeof(t));
out:
	pog_token_resp_free(&t);
	pog_json_free(root);
	return err;
}

char *
pog_oidc_error_code(const char *json, size_t len)
{
	pog_json *root = NULL;
	const char *s = NULL;
	char *code = NULL;

	if (pog_json_parse(json, len, POG_JSON_MAX_DEPTH, &root, NULL) != POG_OK)
		return NULL;
	if (pog_json_get_string(root, "error", &s) == POG_JSON_FOUND && *s != '\0')
		code = pog_sanitize(s, OIDC_MAX_ERROR);
	pog_json_free(root);
	return code;
}

/* ---- groups and userinfo ---- */

pog_err
pog_oidc_parse_groups(const char *json, size_t len, const char *claim,
		      struct pog_strv *groups, bool *present, char **errmsg)
{
	pog_json *root = NULL;
	const pog_json *arr = NULL;
	struct pog_strv list = { 0 };
	char *shown = NULL;
	size_t n = 0;
	enum pog_json_get r;
	pog_err err = POG_ERR_INVALID;

	if (claim == NULL || groups == NULL || present == NULL)
		goto out;
	err = oidc_parse(json, len, "groups", POG_ERR_PROTOCOL, &root, errmsg);
	if (err != POG_OK)
		goto out;
	err = POG_ERR_PROTOCOL;
	r = pog_json_get_array(root, claim, &arr, &n);
	if (r == POG_JSON_ABSENT) {
		*present = false;
		err = POG_OK;
		goto out;
	}
	shown = oidc_shown(claim);
	if (r != POG_JSON_FOUND) {
		pog_fail(errmsg, err, "the claim %s is not an array of strings", shown ? shown : "?");
		goto out;
	}
	/* Okta sends at most 100 groups in a claim; thousands are not one
	 * user's groups, and would only make the mapping slow. */
	if (n > POG_OIDC_MAX_GROUPS) {
		pog_fail(errmsg, err, "the claim %s holds %zu groups, more than %d",
			 shown ? shown : "?", n, POG_OIDC_MAX_GROUPS);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const char *s = NULL;
		size_t slen = 0;

		if (pog_json_at_string(arr, i, &s, &slen) != POG_JSON_FOUND) {
			pog_fail(errmsg, err, "the claim %s holds a value that is not a string",
				 shown ? shown : "?");
			goto out;
		}
		if (strlen(s) != slen) {
			pog_fail(errmsg, err, "the claim %s holds a string with a NUL byte",
				 shown ? shown : "?");
			goto out;
		}
		/* As sent: the mapping layer decides what is a group name. */
		if (pog_strv_add(&list, s) != POG_OK) {
			err = POG_ERR_NOMEM;
			goto out;
		}
	}
	/* Replaces whatever groups held. */
	pog_strv_free(groups);
	*groups = list;
	memset(&list, 0, sizeof(list));
	*present = true;
	err = POG_OK;
out:
	pog_strv_free(&list);
	pog_json_free(root);
	free(shown);
	return err;
}

pog_err
pog_oidc_userinfo_sub(const char *json, size_t len, char **sub, char **errmsg)
{
	pog_json *root = NULL;
	const char *s = NULL;
	enum pog_json_get r;
	pog_err err = POG_ERR_INVALID;

	if (sub == NULL)
		goto out;
	err = oidc_parse(json, len, "userinfo", POG_ERR_PROTOCOL, &root, errmsg);
	if (err != POG_OK)
		goto out;
	r = pog_json_get_string(root, "sub", &s);
	if (r != POG_JSON_FOUND)
		err = pog_json_fail(errmsg, POG_ERR_PROTOCOL, r, "the userinfo response", "sub",
				    "a string");
	else if (!oidc_is_sub(s))
		err = pog_fail(errmsg, POG_ERR_PROTOCOL, "the userinfo response's sub is not "
			       "1 to %d printable ASCII characters", OIDC_MAX_SUB);
	else if ((*sub = strdup(s)) == NULL)
		err = POG_ERR_NOMEM;
out:
	pog_json_free(root);
	return err;
}

/* ---- JOSE documents, read here for token.c and jwk.c ---- */

pog_err
pog_oidc_parse_jws_header(const char *json, size_t len, char **alg, char **kid,
			  char **errmsg)
{
	pog_json *root = NULL;
	const char *a = NULL, *k = NULL;
	char *ca = NULL, *ck = NULL;
	pog_err err = POG_ERR_INVALID;

	if (alg == NULL || kid == NULL)
		goto out;
	err = oidc_parse(json, len, "the token header", POG_ERR_TOKEN, &root, errmsg);
	if (err != POG_OK)
		goto out;
	err = POG_ERR_TOKEN;
	if (pog_json_get_string(root, "alg", &a) == POG_JSON_BADTYPE) {
		pog_fail(errmsg, err, "the token header's alg is not a string");
		goto out;
	}
	if (pog_json_get_string(root, "kid", &k) == POG_JSON_BADTYPE) {
		pog_fail(errmsg, err, "the token header's kid is not a string");
		goto out;
	}
	/* RFC 7515 4.1.11: we understand no extension, so crit is fatal. */
	if (pog_json_has(root, "crit")) {
		pog_fail(errmsg, err, "the token header has critical extensions (crit)");
		goto out;
	}
	/* jku, jwk, x5u and x5c are ignored: keys come from our JWKS only. */
	if ((a != NULL && (ca = strdup(a)) == NULL) || (k != NULL && (ck = strdup(k)) == NULL)) {
		err = POG_ERR_NOMEM;
		goto out;
	}
	*alg = ca;
	*kid = ck;
	ca = ck = NULL;
	err = POG_OK;
out:
	pog_json_free(root);
	free(ca);
	free(ck);
	return err;
}

/*
 * Why one JWKS entry cannot verify an RS256 token, or NULL when it can.
 * n and e are pointed into the entry.
 */
static const char *
oidc_jwk_unusable(const pog_json *key, const char **n, const char **e)
{
	const char *s = NULL;
	bool has = false;
	enum pog_json_get r;

	if (pog_json_get_string(key, "kty", &s) != POG_JSON_FOUND || strcmp(s, "RSA") != 0)
		return "is not an RSA key";
	r = pog_json_get_string(key, "use", &s);
	if (r == POG_JSON_BADTYPE)
		return "has a use that is not a string";
	if (r == POG_JSON_FOUND && strcmp(s, "sig") != 0)
		return "is not a signing key (use)";
	r = pog_json_get_strarray_has(key, "key_ops", "verify", &has);
	if (r == POG_JSON_BADTYPE)
		return "has key_ops that are not an array of strings";
	if (r == POG_JSON_FOUND && !has)
		return "may not verify signatures (key_ops)";
	r = pog_json_get_string(key, "alg", &s);
	if (r == POG_JSON_BADTYPE)
		return "has an alg that is not a string";
	if (r == POG_JSON_FOUND && strcmp(s, "RS256") != 0)
		return "is not for RS256 (alg)";
	if (pog_json_get_string(key, "n", n) != POG_JSON_FOUND || **n == '\0')
		return "has no modulus (n)";
	if (pog_json_get_string(key, "e", e) != POG_JSON_FOUND || **e == '\0')
		return "has no exponent (e)";
	return NULL;
}

/*
 * Finds the one usable key with kid among keys: *n and *e point into it.
 * *reason says why a key with the kid was skipped (the first such).
 */
static pog_err
oidc_jwks_find(const pog_json *keys, size_t count, const char *kid, const char *shown,
	       const char **n, const char **e, const char **reason, char **errmsg)
{
	for (size_t i = 0; i < count; i++) {
		const pog_json *key = pog_json_at_object(keys, i);
		const char *k = NULL, *kn = NULL, *ke = NULL, *r;

		if (key == NULL)
			return pog_fail(errmsg, POG_ERR_PROTOCOL,
					"the JWKS holds a key that is not an object");
		switch (pog_json_get_string(key, "kid", &k)) {
		case POG_JSON_ABSENT:
			continue;
		case POG_JSON_BADTYPE:
			return pog_fail(errmsg, POG_ERR_PROTOCOL,
					"the JWKS holds a key whose kid is not a string");
		case POG_JSON_FOUND:
			break;
		}
		if (strcmp(k, kid) != 0)
			continue;
		/* The same kid may also name, say, an encryption key: skip it. */
		r = oidc_jwk_unusable(key, &kn, &ke);
		if (r != NULL) {
			if (*reason == NULL)
				*reason = r;
			continue;
		}
		if (*n != NULL)
			return pog_fail(errmsg, POG_ERR_TOKEN, "the JWKS holds more than one "
					"signing key with kid %s", shown);
		*n = kn;
		*e = ke;
	}
	return POG_OK;
}

pog_err
pog_oidc_parse_jwks(const char *json, size_t len, const char *kid,
		    char **n_out, char **e_out, char **errmsg)
{
	pog_json *root = NULL;
	const pog_json *keys = NULL;
	const char *n = NULL, *e = NULL, *reason = NULL;
	char *shown = NULL, *cn = NULL, *ce = NULL;
	size_t count = 0;
	pog_err err = POG_ERR_INVALID;

	if (kid == NULL || n_out == NULL || e_out == NULL)
		goto out;
	err = oidc_parse(json, len, "JWKS", POG_ERR_PROTOCOL, &root, errmsg);
	if (err != POG_OK)
		goto out;
	if (pog_json_get_array(root, "keys", &keys, &count) != POG_JSON_FOUND) {
		err = pog_fail(errmsg, POG_ERR_PROTOCOL, "the JWKS has no keys array");
		goto out;
	}
	if ((shown = oidc_shown(kid)) == NULL) {
		err = POG_ERR_NOMEM;
		goto out;
	}
	err = oidc_jwks_find(keys, count, kid, shown, &n, &e, &reason, errmsg);
	if (err != POG_OK)
		goto out;
	if (n == NULL && reason != NULL) {
		err = pog_fail(errmsg, POG_ERR_TOKEN, "the JWKS key %s %s", shown, reason);
		goto out;
	}
	if (n == NULL) {
		err = pog_fail(errmsg, POG_ERR_INVALID, "the JWKS has no key with kid %s", shown);
		goto out;
	}
	cn = strdup(n);
	ce = strdup(e);
	if (cn == NULL || ce == NULL) {
		err = POG_ERR_NOMEM;
		goto out;
	}
	*n_out = cn;
	*e_out = ce;
	cn = ce = NULL;
	err = POG_OK;
out:
	pog_json_free(root);
	free(shown);
	free(cn);
	free(ce);
	return err;
}
