/*
 * oidc.c - parsing what the OpenID provider sends: discovery, the device
 * authorization response, token responses, group claims, and (for
 * token.c and jwk.c, which must not include json-c) the JWS header and
 * the JWKS.
 *
 * Every document is untrusted. It is read by one strict parser
 * (oidc_json_parse): a length, no NUL bytes, valid UTF-8, a depth limit,
 * a JSON object at the top and nothing after it. Then each value is
 * type-checked before it is used, and every string that leaves this file
 * is a copy without NUL bytes.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "oidc.h"
#include "util.h"

#define OIDC_MAX_JSON       (1024 * 1024)  /* any one document */
#define OIDC_MAX_DEPTH      32
#define OIDC_MAX_URL        2048
#define OIDC_MAX_USER_CODE  64
#define OIDC_MAX_DEVICE_CODE 4096
#define OIDC_MAX_ERROR      64          /* an error code, once sanitized */
#define OIDC_MAX_SUB        255         /* OIDC Core 2: at most 255 ASCII */
#define OIDC_MAX_SHOWN      200         /* untrusted text quoted in messages */

enum oidc_get {
	OIDC_ABSENT,
	OIDC_FOUND,
	OIDC_BADTYPE,
};

static void oidc_err(char **errmsg, const char *fmt, ...) POG_ATTR_PRINTF(2, 3);

static void
oidc_err(char **errmsg, const char *fmt, ...)
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

/* Untrusted text for a message: sanitized, or "?" when out of memory. */
static char *
oidc_shown(const char *s)
{
	return pog_sanitize(s != NULL ? s : "(none)", OIDC_MAX_SHOWN);
}

static bool
oidc_is_json_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * What json-c accepts even when strict, and RFC 8259 does not: NaN and
 * Infinity, and raw control characters inside strings. The scan follows
 * string boundaries the way any JSON parser does (a quote, and a
 * backslash escaping the next character).
 */
static bool
oidc_json_is_standard(const char *json, size_t len)
{
	bool in_string = false;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)json[i];

		if (in_string) {
			if (c < 0x20)
				return false;
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = false;
		} else if (c == '"') {
			in_string = true;
		} else if (c == 'N' || c == 'I') {
			return false;
		}
	}
	return true;
}

pog_err
pog_oidc_json_parse(const char *json, size_t len, struct json_object **out,
		    char **errmsg)
{
	struct json_tokener *tok = NULL;
	struct json_object *root = NULL;
	enum json_tokener_error jerr;
	size_t end;
	pog_err err = POG_ERR_INVALID;

	if (json == NULL || len == 0) {
		oidc_err(errmsg, "the document is empty");
		goto out;
	}
	if (len > OIDC_MAX_JSON) {
		oidc_err(errmsg, "the document is larger than %d bytes", OIDC_MAX_JSON);
		goto out;
	}
	/* json-c would stop at a NUL and ignore the rest. */
	if (memchr(json, '\0', len) != NULL) {
		oidc_err(errmsg, "the document holds a NUL byte");
		goto out;
	}
	if (!oidc_json_is_standard(json, len)) {
		oidc_err(errmsg, "the document is not standard JSON");
		goto out;
	}
	tok = json_tokener_new_ex(OIDC_MAX_DEPTH);
	if (tok == NULL) {
		err = POG_ERR_NOMEM;
		goto out;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	root = json_tokener_parse_ex(tok, json, (int)len);
	jerr = json_tokener_get_error(tok);
	if (jerr == json_tokener_continue) {
		oidc_err(errmsg, "the document is not valid JSON: it ends too early");
		goto out;
	}
	if (jerr != json_tokener_success) {
		oidc_err(errmsg, "the document is not valid JSON: %s",
			 json_tokener_error_desc(jerr));
		goto out;
	}
	end = json_tokener_get_parse_end(tok);
	while (end < len && oidc_is_json_space(json[end]))
		end++;
	if (end != len) {
		oidc_err(errmsg, "the document has data after the JSON value");
		goto out;
	}
	if (!json_object_is_type(root, json_type_object)) {
		oidc_err(errmsg, "the document is not a JSON object");
		goto out;
	}
	*out = root;
	root = NULL;
	err = POG_OK;
out:
	json_object_put(root);
	if (tok != NULL)
		json_tokener_free(tok);
	return err;
}

/* A member that must be a string; one with a NUL byte is the wrong type. */
static enum oidc_get
oidc_get_string(struct json_object *obj, const char *key, const char **out)
{
	struct json_object *v = NULL;
	const char *s;

	if (!json_object_object_get_ex(obj, key, &v))
		return OIDC_ABSENT;
	if (!json_object_is_type(v, json_type_string))
		return OIDC_BADTYPE;
	s = json_object_get_string(v);
	if (s == NULL || strlen(s) != (size_t)json_object_get_string_len(v))
		return OIDC_BADTYPE;
	*out = s;
	return OIDC_FOUND;
}

/* A member that must be a JSON integer (not a string, not a fraction). */
static enum oidc_get
oidc_get_int(struct json_object *obj, const char *key, int64_t *out)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(obj, key, &v))
		return OIDC_ABSENT;
	if (!json_object_is_type(v, json_type_int))
		return OIDC_BADTYPE;
	*out = json_object_get_int64(v);
	return OIDC_FOUND;
}

/*
 * A member that must be an array of strings; *has tells whether want is
 * one of them.
 */
static enum oidc_get
oidc_strarray_has(struct json_object *obj, const char *key, const char *want,
		  bool *has)
{
	struct json_object *arr = NULL;
	size_t n;
	bool found = false;

	if (!json_object_object_get_ex(obj, key, &arr))
		return OIDC_ABSENT;
	if (!json_object_is_type(arr, json_type_array))
		return OIDC_BADTYPE;
	n = json_object_array_length(arr);
	for (size_t i = 0; i < n; i++) {
		struct json_object *v = json_object_array_get_idx(arr, i);
		const char *s;

		if (!json_object_is_type(v, json_type_string))
			return OIDC_BADTYPE;
		s = json_object_get_string(v);
		if (s == NULL || strlen(s) != (size_t)json_object_get_string_len(v))
			return OIDC_BADTYPE;
		if (strcmp(s, want) == 0)
			found = true;
	}
	*has = found;
	return OIDC_FOUND;
}

/* Printable ASCII without spaces: what may be shown or sent as a URL. */
static bool
oidc_is_graph(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
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
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
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
oidc_endpoint(struct json_object *root, const char *key, bool required,
	      char **out, char **errmsg)
{
	const char *s = NULL;
	char *shown;

	switch (oidc_get_string(root, key, &s)) {
	case OIDC_ABSENT:
		if (!required)
			return POG_OK;
		oidc_err(errmsg, "the discovery document has no %s", key);
		return POG_ERR_PROTOCOL;
	case OIDC_BADTYPE:
		oidc_err(errmsg, "the discovery document's %s is not a string", key);
		return POG_ERR_PROTOCOL;
	case OIDC_FOUND:
		break;
	}
	if (!oidc_is_https_url(s)) {
		shown = oidc_shown(s);
		oidc_err(errmsg, "the discovery document's %s \"%s\" is not an https:// URL",
			 key, shown ? shown : "?");
		free(shown);
		return POG_ERR_PROTOCOL;
	}
	*out = strdup(s);
	return *out != NULL ? POG_OK : POG_ERR_NOMEM;
}

pog_err
pog_oidc_parse_discovery(const char *json, size_t len, const char *expected_issuer,
			 struct pog_discovery *out, char **errmsg)
{
	static const char no_device[] =
		"the provider does not support the device authorization grant";
	struct json_object *root = NULL;
	struct pog_discovery d = { 0 };
	const char *s = NULL;
	char *shown = NULL, *why = NULL;
	bool has = false;
	pog_err err = POG_ERR_PROTOCOL;

	if (expected_issuer == NULL || out == NULL) {
		err = POG_ERR_INVALID;
		goto out;
	}
	err = pog_oidc_json_parse(json, len, &root, &why);
	if (err != POG_OK) {
		if (err != POG_ERR_NOMEM) {
			oidc_err(errmsg, "discovery: %s", why ? why : "invalid");
			err = POG_ERR_PROTOCOL;
		}
		goto out;
	}
	err = POG_ERR_PROTOCOL;

	switch (oidc_get_string(root, "issuer", &s)) {
	case OIDC_ABSENT:
		oidc_err(errmsg, "the discovery document has no issuer");
		goto out;
	case OIDC_BADTYPE:
		oidc_err(errmsg, "the discovery document's issuer is not a string");
		goto out;
	case OIDC_FOUND:
		break;
	}
	/* OIDC Discovery 4.3: exactly, no normalisation (not even a slash). */
	if (strcmp(s, expected_issuer) != 0) {
		shown = oidc_shown(s);
		oidc_err(errmsg, "the discovery document's issuer \"%s\" is not the "
			 "configured issuer \"%s\"", shown ? shown : "?", expected_issuer);
		err = POG_ERR_CONFIG;
		goto out;
	}

	switch (oidc_strarray_has(root, "grant_types_supported", POG_DEVICE_GRANT, &has)) {
	case OIDC_ABSENT:
		break;
	case OIDC_BADTYPE:
		oidc_err(errmsg, "the discovery document's grant_types_supported is "
			 "not an array of strings");
		goto out;
	case OIDC_FOUND:
		if (!has) {
			oidc_err(errmsg, "%s (grant_types_supported does not list %s)",
				 no_device, POG_DEVICE_GRANT);
			goto out;
		}
		break;
	}
	if (!json_object_object_get_ex(root, "device_authorization_endpoint", NULL)) {
		oidc_err(errmsg, "%s (no device_authorization_endpoint)", no_device);
		goto out;
	}

	switch (oidc_strarray_has(root, "id_token_signing_alg_values_supported",
				  "RS256", &has)) {
	case OIDC_ABSENT:
		break;
	case OIDC_BADTYPE:
		oidc_err(errmsg, "the discovery document's id_token_signing_alg_values_supported "
			 "is not an array of strings");
		goto out;
	case OIDC_FOUND:
		if (!has) {
			oidc_err(errmsg, "the provider does not sign ID tokens with RS256");
			goto out;
		}
		break;
	}

	d.issuer = strdup(s);
	if (d.issuer == NULL) {
		err = POG_ERR_NOMEM;
		goto out;
	}
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
	err = POG_OK;
out:
	pog_discovery_free(&d);
	json_object_put(root);
	free(shown);
	free(why);
	return err;
}

/* ---- where the endpoints may be ---- */

#define OIDC_MAX_HOST 255

static bool oidc_ascii_caseeq(const char *a, const char *b);

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
			if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				   "0123456789.-", *he) == NULL)
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
		if (oidc_ascii_caseeq(hosts->v[i], ep.host))
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
		oidc_err(errmsg, "the issuer \"%s\" has no host this module can read", issuer);
		return POG_ERR_CONFIG;
	}
	for (size_t i = 0; i < sizeof(ep) / sizeof(ep[0]); i++) {
		char *shown;

		if (ep[i].url == NULL || pog_oidc_endpoint_allowed(issuer, ep[i].url, hosts))
			continue;
		if (oidc_origin(ep[i].url, &o)) {
			oidc_err(errmsg, "the discovery document's %s is on host %s port %ld, "
				 "not the issuer's; refused (endpoint_hosts may name a host "
				 "that serves on port 443)", ep[i].key, o.host, o.port);
		} else {
			shown = oidc_shown(ep[i].url);
			oidc_err(errmsg, "the discovery document's %s \"%s\" has no host "
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

/* A verification URI: shown to the user, so checked like an endpoint. */
static pog_err
oidc_verification_uri(struct json_object *root, const char *key, bool required,
		      char **out, char **errmsg)
{
	const char *s = NULL;

	switch (oidc_get_string(root, key, &s)) {
	case OIDC_ABSENT:
		if (!required)
			return POG_OK;
		oidc_err(errmsg, "the device authorization response has no %s", key);
		return POG_ERR_PROTOCOL;
	case OIDC_BADTYPE:
		oidc_err(errmsg, "the device authorization response's %s is not a string", key);
		return POG_ERR_PROTOCOL;
	case OIDC_FOUND:
		break;
	}
	/* Not quoted back: it failed precisely because it may not be shown. */
	if (!oidc_is_https_url(s)) {
		oidc_err(errmsg, "the device authorization response's %s is not a "
			 "printable https:// URL", key);
		return POG_ERR_PROTOCOL;
	}
	*out = strdup(s);
	return *out != NULL ? POG_OK : POG_ERR_NOMEM;
}

pog_err
pog_oidc_parse_device(long http_status, const char *json, size_t len,
		      struct pog_device_auth *out, char **errmsg)
{
	struct json_object *root = NULL;
	struct pog_device_auth d = { 0 };
	const char *s = NULL;
	char *why = NULL, *code = NULL;
	int64_t v = 0;
	size_t n;
	pog_err err = POG_ERR_PROTOCOL;

	if (out == NULL) {
		err = POG_ERR_INVALID;
		goto out;
	}
	if (http_status != 200) {
		code = pog_oidc_error_code(json, len);
		oidc_err(errmsg, "the device authorization request failed: HTTP %ld%s%s",
			 http_status, code ? ", error " : "", code ? code : "");
		goto out;
	}
	err = pog_oidc_json_parse(json, len, &root, &why);
	if (err != POG_OK) {
		if (err != POG_ERR_NOMEM) {
			oidc_err(errmsg, "device authorization: %s", why ? why : "invalid");
			err = POG_ERR_PROTOCOL;
		}
		goto out;
	}
	err = POG_ERR_PROTOCOL;

	switch (oidc_get_string(root, "device_code", &s)) {
	case OIDC_ABSENT:
		oidc_err(errmsg, "the device authorization response has no device_code");
		goto out;
	case OIDC_BADTYPE:
		oidc_err(errmsg, "the device authorization response's device_code is not a string");
		goto out;
	case OIDC_FOUND:
		break;
	}
	n = strlen(s);
	if (n == 0 || n > OIDC_MAX_DEVICE_CODE || !oidc_is_graph(s)) {
		oidc_err(errmsg, "the device authorization response's device_code is malformed");
		goto out;
	}
	d.device_code = strdup(s);
	if (d.device_code == NULL) {
		err = POG_ERR_NOMEM;
		goto out;
	}

	switch (oidc_get_string(root, "user_code", &s)) {
	case OIDC_ABSENT:
		oidc_err(errmsg, "the device authorization response has no user_code");
		goto out;
	case OIDC_BADTYPE:
		oidc_err(errmsg, "the device authorization response's user_code is not a string");
		goto out;
	case OIDC_FOUND:
		break;
	}
	/* It goes to the user's terminal: no control bytes, no escapes. */
	n = strlen(s);
	if (n == 0 || n > OIDC_MAX_USER_CODE || !oidc_is_print(s) ||
	    s[0] == ' ' || s[n - 1] == ' ') {
		oidc_err(errmsg, "the device authorization response's user_code is not "
			 "1 to %d printable ASCII characters", OIDC_MAX_USER_CODE);
		goto out;
	}
	d.user_code = strdup(s);
	if (d.user_code == NULL) {
		err = POG_ERR_NOMEM;
		goto out;
	}

	err = oidc_verification_uri(root, "verification_uri", true,
				    &d.verification_uri, errmsg);
	if (err == POG_OK)
		err = oidc_verification_uri(root, "verification_uri_complete", false,
					    &d.verification_uri_complete, errmsg);
	if (err != POG_OK)
		goto out;
	err = POG_ERR_PROTOCOL;

	switch (oidc_get_int(root, "expires_in", &v)) {
	case OIDC_ABSENT:
		oidc_err(errmsg, "the device authorization response has no expires_in");
		goto out;
	case OIDC_BADTYPE:
		oidc_err(errmsg, "the device authorization response's expires_in is not an integer");
		goto out;
	case OIDC_FOUND:
		break;
	}
	if (v < 1 || v > 86400) {
		oidc_err(errmsg, "the device authorization response's expires_in (%lld) "
			 "is not between 1 and 86400 seconds", (long long)v);
		goto out;
	}
	d.expires_in = (long)v;

	switch (oidc_get_int(root, "interval", &v)) {
	case OIDC_ABSENT:
		v = 5;  /* RFC 8628 3.2 */
		break;
	case OIDC_BADTYPE:
		oidc_err(errmsg, "the device authorization response's interval is not an integer");
		goto out;
	case OIDC_FOUND:
		break;
	}
	if (v < 1 || v > 300) {
		oidc_err(errmsg, "the device authorization response's interval (%lld) "
			 "is not between 1 and 300 seconds", (long long)v);
		goto out;
	}
	d.interval = (long)v;

	*out = d;
	memset(&d, 0, sizeof(d));
	err = POG_OK;
out:
	pog_device_auth_free(&d);
	json_object_put(root);
	free(code);
	free(why);
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

static bool
oidc_ascii_caseeq(const char *a, const char *b)
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

/* The success answer (RFC 6749 5.1): an ID token, maybe an access token. */
static pog_err
oidc_token_ok(struct json_object *root, struct pog_token_resp *t, char **errmsg)
{
	const char *s = NULL;

	switch (oidc_get_string(root, "token_type", &s)) {
	case OIDC_ABSENT:
		break;
	case OIDC_BADTYPE:
		oidc_err(errmsg, "the token response's token_type is not a string");
		return POG_ERR_PROTOCOL;
	case OIDC_FOUND:
		/* RFC 6749 5.1: the value is case-insensitive. */
		if (!oidc_ascii_caseeq(s, "Bearer")) {
			char *shown = oidc_shown(s);

			oidc_err(errmsg, "the token response's token_type \"%s\" is not Bearer",
				 shown ? shown : "?");
			free(shown);
			return POG_ERR_PROTOCOL;
		}
		break;
	}

	switch (oidc_get_string(root, "id_token", &s)) {
	case OIDC_ABSENT:
		oidc_err(errmsg, "the token response has no id_token (is openid among the scopes?)");
		return POG_ERR_PROTOCOL;
	case OIDC_BADTYPE:
		oidc_err(errmsg, "the token response's id_token is not a string");
		return POG_ERR_PROTOCOL;
	case OIDC_FOUND:
		break;
	}
	if (*s == '\0') {
		oidc_err(errmsg, "the token response's id_token is empty");
		return POG_ERR_PROTOCOL;
	}
	t->id_token = strdup(s);
	if (t->id_token == NULL)
		return POG_ERR_NOMEM;

	switch (oidc_get_string(root, "access_token", &s)) {
	case OIDC_ABSENT:
		break;
	case OIDC_BADTYPE:
		oidc_err(errmsg, "the token response's access_token is not a string");
		return POG_ERR_PROTOCOL;
	case OIDC_FOUND:
		if (*s == '\0') {
			oidc_err(errmsg, "the token response's access_token is empty");
			return POG_ERR_PROTOCOL;
		}
		t->access_token = strdup(s);
		if (t->access_token == NULL)
			return POG_ERR_NOMEM;
		break;
	}
	t->status = POG_TOKEN_OK;
	return POG_OK;
}

/* The error answer (RFC 6749 5.2, RFC 8628 3.5). */
static pog_err
oidc_token_error(struct json_object *root, struct pog_token_resp *t, char **errmsg)
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

	switch (oidc_get_string(root, "error", &s)) {
	case OIDC_ABSENT:
		oidc_err(errmsg, "the token endpoint's error response has no error code");
		return POG_ERR_PROTOCOL;
	case OIDC_BADTYPE:
		oidc_err(errmsg, "the token endpoint's error code is not a string");
		return POG_ERR_PROTOCOL;
	case OIDC_FOUND:
		break;
	}
	if (*s == '\0') {
		oidc_err(errmsg, "the token endpoint's error code is empty");
		return POG_ERR_PROTOCOL;
	}
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
	struct json_object *root = NULL;
	struct pog_token_resp t = { 0 };
	char *why = NULL;
	pog_err err = POG_ERR_PROTOCOL;

	if (out == NULL) {
		err = POG_ERR_INVALID;
		goto out;
	}
	if (http_status != 200 && http_status != 400 && http_status != 401) {
		oidc_err(errmsg, "the token endpoint answered HTTP %ld", http_status);
		goto out;
	}
	err = pog_oidc_json_parse(json, len, &root, &why);
	if (err != POG_OK) {
		if (err != POG_ERR_NOMEM) {
			oidc_err(errmsg, "token response (HTTP %ld): %s", http_status,
				 why ? why : "invalid");
			err = POG_ERR_PROTOCOL;
		}
		goto out;
	}
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
	json_object_put(root);
	free(why);
	return err;
}

char *
pog_oidc_error_code(const char *json, size_t len)
{
	struct json_object *root = NULL;
	const char *s = NULL;
	char *code = NULL;

	if (pog_oidc_json_parse(json, len, &root, NULL) != POG_OK)
		return NULL;
	if (oidc_get_string(root, "error", &s) == OIDC_FOUND && *s != '\0')
		code = pog_sanitize(s, OIDC_MAX_ERROR);
	json_object_put(root);
	return code;
}

/* ---- groups and userinfo ---- */

pog_err
pog_oidc_parse_groups(const char *json, size_t len, const char *claim,
		      struct pog_strv *groups, bool *present, char **errmsg)
{
	struct json_object *root = NULL, *arr = NULL;
	struct pog_strv list = { 0 };
	char *why = NULL, *shown = NULL;
	size_t n;
	pog_err err = POG_ERR_PROTOCOL;

	if (claim == NULL || groups == NULL || present == NULL) {
		err = POG_ERR_INVALID;
		goto out;
	}
	err = pog_oidc_json_parse(json, len, &root, &why);
	if (err != POG_OK) {
		if (err != POG_ERR_NOMEM) {
			oidc_err(errmsg, "groups: %s", why ? why : "invalid");
			err = POG_ERR_PROTOCOL;
		}
		goto out;
	}
	err = POG_ERR_PROTOCOL;
	if (!json_object_object_get_ex(root, claim, &arr)) {
		*present = false;
		err = POG_OK;
		goto out;
	}
	shown = oidc_shown(claim);
	if (!json_object_is_type(arr, json_type_array)) {
		oidc_err(errmsg, "the claim %s is not an array of strings", shown ? shown : "?");
		goto out;
	}
	n = json_object_array_length(arr);
	/* Okta sends at most 100 groups in a claim; thousands are not one
	 * user's groups, and would only make the mapping slow. */
	if (n > POG_OIDC_MAX_GROUPS) {
		oidc_err(errmsg, "the claim %s holds %zu groups, more than %d",
			 shown ? shown : "?", n, POG_OIDC_MAX_GROUPS);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *v = json_object_array_get_idx(arr, i);
		const char *s;

		if (!json_object_is_type(v, json_type_string)) {
			oidc_err(errmsg, "the claim %s holds a value that is not a string",
				 shown ? shown : "?");
			goto out;
		}
		s = json_object_get_string(v);
		if (s == NULL || strlen(s) != (size_t)json_object_get_string_len(v)) {
			oidc_err(errmsg, "the claim %s holds a string with a NUL byte",
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
	json_object_put(root);
	free(shown);
	free(why);
	return err;
}

pog_err
pog_oidc_userinfo_sub(const char *json, size_t len, char **sub, char **errmsg)
{
	struct json_object *root = NULL;
	const char *s = NULL;
	char *why = NULL, *copy = NULL;
	pog_err err = POG_ERR_PROTOCOL;

	if (sub == NULL) {
		err = POG_ERR_INVALID;
		goto out;
	}
	err = pog_oidc_json_parse(json, len, &root, &why);
	if (err != POG_OK) {
		if (err != POG_ERR_NOMEM) {
			oidc_err(errmsg, "userinfo: %s", why ? why : "invalid");
			err = POG_ERR_PROTOCOL;
		}
		goto out;
	}
	err = POG_ERR_PROTOCOL;
	switch (oidc_get_string(root, "sub", &s)) {
	case OIDC_ABSENT:
		oidc_err(errmsg, "the userinfo response has no sub");
		goto out;
	case OIDC_BADTYPE:
		oidc_err(errmsg, "the userinfo response's sub is not a string");
		goto out;
	case OIDC_FOUND:
		break;
	}
	if (!oidc_is_sub(s)) {
		oidc_err(errmsg, "the userinfo response's sub is not 1 to %d printable "
			 "ASCII characters", OIDC_MAX_SUB);
		goto out;
	}
	copy = strdup(s);
	if (copy == NULL) {
		err = POG_ERR_NOMEM;
		goto out;
	}
	*sub = copy;
	err = POG_OK;
out:
	json_object_put(root);
	free(why);
	return err;
}

/* ---- JOSE documents, read here for token.c and jwk.c ---- */

pog_err
pog_oidc_parse_jws_header(const char *json, size_t len, char **alg, char **kid,
			  char **errmsg)
{
	struct json_object *root = NULL;
	const char *a = NULL, *k = NULL;
	char *why = NULL, *ca = NULL, *ck = NULL;
	pog_err err = POG_ERR_TOKEN;

	if (alg == NULL || kid == NULL) {
		err = POG_ERR_INVALID;
		goto out;
	}
	err = pog_oidc_json_parse(json, len, &root, &why);
	if (err != POG_OK) {
		if (err != POG_ERR_NOMEM) {
			oidc_err(errmsg, "the token header: %s", why ? why : "invalid");
			err = POG_ERR_TOKEN;
		}
		goto out;
	}
	err = POG_ERR_TOKEN;
	if (oidc_get_string(root, "alg", &a) == OIDC_BADTYPE) {
		oidc_err(errmsg, "the token header's alg is not a string");
		goto out;
	}
	if (oidc_get_string(root, "kid", &k) == OIDC_BADTYPE) {
		oidc_err(errmsg, "the token header's kid is not a string");
		goto out;
	}
	/* RFC 7515 4.1.11: we understand no extension, so crit is fatal. */
	if (json_object_object_get_ex(root, "crit", NULL)) {
		oidc_err(errmsg, "the token header has critical extensions (crit)");
		goto out;
	}
	/* jku, jwk, x5u and x5c are ignored: keys come from our JWKS only. */
	if (a != NULL && (ca = strdup(a)) == NULL) {
		err = POG_ERR_NOMEM;
		goto out;
	}
	if (k != NULL && (ck = strdup(k)) == NULL) {
		err = POG_ERR_NOMEM;
		goto out;
	}
	*alg = ca;
	*kid = ck;
	ca = ck = NULL;
	err = POG_OK;
out:
	json_object_put(root);
	free(why);
	free(ca);
	free(ck);
	return err;
}

/*
 * Why one JWKS entry cannot verify an RS256 token, or NULL when it can.
 * n and e are pointed into the entry.
 */
static const char *
oidc_jwk_unusable(struct json_object *key, const char **n, const char **e)
{
	const char *s = NULL;
	bool has = false;

	if (oidc_get_string(key, "kty", &s) != OIDC_FOUND || strcmp(s, "RSA") != 0)
		return "is not an RSA key";
	switch (oidc_get_string(key, "use", &s)) {
	case OIDC_ABSENT:
		break;
	case OIDC_BADTYPE:
		return "has a use that is not a string";
	case OIDC_FOUND:
		if (strcmp(s, "sig") != 0)
			return "is not a signing key (use)";
		break;
	}
	switch (oidc_strarray_has(key, "key_ops", "verify", &has)) {
	case OIDC_ABSENT:
		break;
	case OIDC_BADTYPE:
		return "has key_ops that are not an array of strings";
	case OIDC_FOUND:
		if (!has)
			return "may not verify signatures (key_ops)";
		break;
	}
	switch (oidc_get_string(key, "alg", &s)) {
	case OIDC_ABSENT:
		break;
	case OIDC_BADTYPE:
		return "has an alg that is not a string";
	case OIDC_FOUND:
		if (strcmp(s, "RS256") != 0)
			return "is not for RS256 (alg)";
		break;
	}
	if (oidc_get_string(key, "n", n) != OIDC_FOUND || **n == '\0')
		return "has no modulus (n)";
	if (oidc_get_string(key, "e", e) != OIDC_FOUND || **e == '\0')
		return "has no exponent (e)";
	return NULL;
}

pog_err
pog_oidc_parse_jwks(const char *json, size_t len, const char *kid,
		    char **n_out, char **e_out, char **errmsg)
{
	struct json_object *root = NULL, *keys = NULL;
	const char *n = NULL, *e = NULL, *reason = NULL;
	char *why = NULL, *shown = NULL, *cn = NULL, *ce = NULL;
	size_t count;
	pog_err err = POG_ERR_PROTOCOL;

	if (kid == NULL || n_out == NULL || e_out == NULL) {
		err = POG_ERR_INVALID;
		goto out;
	}
	err = pog_oidc_json_parse(json, len, &root, &why);
	if (err != POG_OK) {
		if (err != POG_ERR_NOMEM) {
			oidc_err(errmsg, "JWKS: %s", why ? why : "invalid");
			err = POG_ERR_PROTOCOL;
		}
		goto out;
	}
	err = POG_ERR_PROTOCOL;
	if (!json_object_object_get_ex(root, "keys", &keys) ||
	    !json_object_is_type(keys, json_type_array)) {
		oidc_err(errmsg, "the JWKS has no keys array");
		goto out;
	}
	shown = oidc_shown(kid);
	count = json_object_array_length(keys);
	for (size_t i = 0; i < count; i++) {
		struct json_object *key = json_object_array_get_idx(keys, i);
		const char *k = NULL, *kn = NULL, *ke = NULL, *r;

		if (!json_object_is_type(key, json_type_object)) {
			oidc_err(errmsg, "the JWKS holds a key that is not an object");
			goto out;
		}
		switch (oidc_get_string(key, "kid", &k)) {
		case OIDC_ABSENT:
			continue;
		case OIDC_BADTYPE:
			oidc_err(errmsg, "the JWKS holds a key whose kid is not a string");
			goto out;
		case OIDC_FOUND:
			break;
		}
		if (strcmp(k, kid) != 0)
			continue;
		/* The same kid may also name, say, an encryption key: skip it. */
		r = oidc_jwk_unusable(key, &kn, &ke);
		if (r != NULL) {
			if (reason == NULL)
				reason = r;
			continue;
		}
		if (n != NULL) {
			oidc_err(errmsg, "the JWKS holds more than one signing key with kid %s",
				 shown ? shown : "?");
			err = POG_ERR_TOKEN;
			goto out;
		}
		n = kn;
		e = ke;
	}
	if (n == NULL && reason != NULL) {
		oidc_err(errmsg, "the JWKS key %s %s", shown ? shown : "?", reason);
		err = POG_ERR_TOKEN;
		goto out;
	}
	if (n == NULL) {
		oidc_err(errmsg, "the JWKS has no key with kid %s", shown ? shown : "?");
		err = POG_ERR_INVALID;
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
	json_object_put(root);
	free(why);
	free(shown);
	free(cn);
	free(ce);
	return err;
}
