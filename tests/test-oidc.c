/*
 * test-oidc.c - the parsers of oidc.c: discovery, the device
 * authorization response, token responses, groups, error bodies, and
 * the JOSE documents read for token.c.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "oidc.h"
#include "tcheck.h"
#include "util.h"

#ifndef TOP_SRCDIR
#define TOP_SRCDIR "."
#endif

#define ISS_CUSTOM "https://dev-1.okta.com/oauth2/default"
#define ISS_ORG    "https://dev-1.okta.com"

static char *
fixture(const char *name, size_t *len)
{
	char *path = pog_asprintf("%s/tests/oidc/%s", TOP_SRCDIR, name);
	char *data = NULL;
	FILE *f;
	long n;

	if (path == NULL || (f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "cannot open %s\n", path ? path : name);
		exit(99);
	}
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    (data = malloc((size_t)n + 1)) == NULL || fread(data, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(99);
	}
	data[n] = '\0';
	*len = (size_t)n;
	fclose(f);
	free(path);
	return data;
}

/* ---- discovery ---- */

#define DISC(iss, dev, tok, jwks, extra) \
	"{\"issuer\":\"" iss "\",\"device_authorization_endpoint\":\"" dev "\"," \
	"\"token_endpoint\":\"" tok "\",\"jwks_uri\":\"" jwks "\"" extra "}"
#define DISC_OK(extra) DISC(ISS_CUSTOM, ISS_CUSTOM "/v1/device/authorize", \
	ISS_CUSTOM "/v1/token", ISS_CUSTOM "/v1/keys", extra)

static const struct {
	const char *name;
	const char *json;
	const char *expected_issuer;
	pog_err err;
	const char *msg;        /* a substring of errmsg, or NULL */
} disc_cases[] = {
	{ "minimal", DISC_OK(""), ISS_CUSTOM, POG_OK, NULL },
	{ "userinfo", DISC_OK(",\"userinfo_endpoint\":\"" ISS_CUSTOM "/v1/userinfo\""),
	  ISS_CUSTOM, POG_OK, NULL },
	{ "wrong issuer", DISC_OK(""), "https://dev-2.okta.com/oauth2/default",
	  POG_ERR_CONFIG, "is not the configured issuer" },
	{ "issuer with a slash", DISC_OK(""), ISS_CUSTOM "/", POG_ERR_CONFIG, NULL },
	{ "issuer case", DISC_OK(""), "https://DEV-1.okta.com/oauth2/default",
	  POG_ERR_CONFIG, NULL },
	{ "no issuer", "{\"token_endpoint\":\"https://a/t\"}", ISS_CUSTOM,
	  POG_ERR_PROTOCOL, "no issuer" },
	{ "issuer not a string", "{\"issuer\":42}", ISS_CUSTOM, POG_ERR_PROTOCOL, NULL },
	{ "http token endpoint", DISC(ISS_CUSTOM, ISS_CUSTOM "/v1/device/authorize",
	  "http://dev-1.okta.com/oauth2/default/v1/token", ISS_CUSTOM "/v1/keys", ""),
	  ISS_CUSTOM, POG_ERR_PROTOCOL, "token_endpoint" },
	{ "http device endpoint", DISC(ISS_CUSTOM, "http://dev-1.okta.com/d",
	  ISS_CUSTOM "/v1/token", ISS_CUSTOM "/v1/keys", ""),
	  ISS_CUSTOM, POG_ERR_PROTOCOL, "device_authorization_endpoint" },
	{ "http jwks", DISC(ISS_CUSTOM, ISS_CUSTOM "/v1/device/authorize",
	  ISS_CUSTOM "/v1/token", "http://dev-1.okta.com/keys", ""),
	  ISS_CUSTOM, POG_ERR_PROTOCOL, "jwks_uri" },
	{ "http userinfo", DISC_OK(",\"userinfo_endpoint\":\"http://dev-1.okta.com/u\""),
	  ISS_CUSTOM, POG_ERR_PROTOCOL, "userinfo_endpoint" },
	{ "HTTPS upper case", DISC(ISS_CUSTOM, ISS_CUSTOM "/v1/device/authorize",
	  "HTTPS://dev-1.okta.com/t", ISS_CUSTOM "/v1/keys", ""),
	  ISS_CUSTOM, POG_ERR_PROTOCOL, NULL },
	{ "no host", DISC(ISS_CUSTOM, ISS_CUSTOM "/v1/device/authorize",
	  "https:///t", ISS_CUSTOM "/v1/keys", ""), ISS_CUSTOM, POG_ERR_PROTOCOL, NULL },
	{ "user info in url", DISC(ISS_CUSTOM, ISS_CUSTOM "/v1/device/authorize",
	  "https://evil@dev-1.okta.com/t", ISS_CUSTOM "/v1/keys", ""),
	  ISS_CUSTOM, POG_ERR_PROTOCOL, NULL },
	{ "space in url", DISC(ISS_CUSTOM, ISS_CUSTOM "/v1/device/authorize",
	  "https://dev-1.okta.com/t x", ISS_CUSTOM "/v1/keys", ""),
	  ISS_CUSTOM, POG_ERR_PROTOCOL, NULL },
	{ "control char in url", DISC(ISS_CUSTOM, ISS_CUSTOM "/v1/device/authorize",
	  "https://dev-1.okta.com/t\\u001b[2J", ISS_CUSTOM "/v1/keys", ""),
	  ISS_CUSTOM, POG_ERR_PROTOCOL, NULL },
	{ "endpoint not a string", "{\"issuer\":\"" ISS_CUSTOM "\","
	  "\"device_authorization_endpoint\":\"https://a/d\",\"token_endpoint\":[\"https://a/t\"],"
	  "\"jwks_uri\":\"https://a/k\"}", ISS_CUSTOM, POG_ERR_PROTOCOL, NULL },
	{ "no jwks_uri", "{\"issuer\":\"" ISS_CUSTOM "\",\"device_authorization_endpoint\":"
	  "\"https://a/d\",\"token_endpoint\":\"https://a/t\"}", ISS_CUSTOM,
	  POG_ERR_PROTOCOL, "jwks_uri" },
	{ "no device endpoint", "{\"issuer\":\"" ISS_CUSTOM "\",\"token_endpoint\":"
	  "\"https://a/t\",\"jwks_uri\":\"https://a/k\"}", ISS_CUSTOM, POG_ERR_PROTOCOL,
	  "does not support the device authorization grant" },
	{ "grant types without device", DISC_OK(",\"grant_types_supported\":"
	  "[\"authorization_code\",\"refresh_token\"]"), ISS_CUSTOM, POG_ERR_PROTOCOL,
	  "the provider does not support the device authorization grant" },
	{ "grant types with device", DISC_OK(",\"grant_types_supported\":"
	  "[\"authorization_code\",\"" POG_DEVICE_GRANT "\"]"), ISS_CUSTOM, POG_OK, NULL },
	{ "grant types not an array", DISC_OK(",\"grant_types_supported\":\""
	  POG_DEVICE_GRANT "\""), ISS_CUSTOM, POG_ERR_PROTOCOL, NULL },
	{ "grant types with a number", DISC_OK(",\"grant_types_supported\":[\""
	  POG_DEVICE_GRANT "\",1]"), ISS_CUSTOM, POG_ERR_PROTOCOL, NULL },
	{ "no RS256", DISC_OK(",\"id_token_signing_alg_values_supported\":[\"ES256\"]"),
	  ISS_CUSTOM, POG_ERR_PROTOCOL, "RS256" },
	{ "algs with RS256", DISC_OK(",\"id_token_signing_alg_values_supported\":"
	  "[\"ES256\",\"RS256\"]"), ISS_CUSTOM, POG_OK, NULL },
	{ "algs not an array", DISC_OK(",\"id_token_signing_alg_values_supported\":\"RS256\""),
	  ISS_CUSTOM, POG_ERR_PROTOCOL, NULL },
	{ "not an object", "[1,2]", ISS_CUSTOM, POG_ERR_PROTOCOL, NULL },
	{ "html", "<html>502 Bad Gateway</html>", ISS_CUSTOM, POG_ERR_PROTOCOL, NULL },
	{ "trailing garbage", DISC_OK("") "x", ISS_CUSTOM, POG_ERR_PROTOCOL, NULL },
	{ "trailing NaN", DISC_OK("") " NaN", ISS_CUSTOM, POG_ERR_PROTOCOL, NULL },
	{ "two documents", DISC_OK("") DISC_OK(""), ISS_CUSTOM, POG_ERR_PROTOCOL, NULL },
	{ "trailing white space", DISC_OK("") " \r\n\t", ISS_CUSTOM, POG_OK, NULL },
	{ "truncated", "{\"issuer\":\"" ISS_CUSTOM "\"", ISS_CUSTOM, POG_ERR_PROTOCOL, NULL },
	{ "single quotes", "{'issuer':'x'}", ISS_CUSTOM, POG_ERR_PROTOCOL, NULL },
	{ "invalid utf-8", "{\"issuer\":\"\xff\xfe\"}", ISS_CUSTOM, POG_ERR_PROTOCOL, NULL },
	{ "empty", "", ISS_CUSTOM, POG_ERR_PROTOCOL, NULL },
};

static void
test_discovery_table(void)
{
	for (size_t i = 0; i < sizeof(disc_cases) / sizeof(disc_cases[0]); i++) {
		struct pog_discovery d = { 0 };
		char *errmsg = NULL;
		pog_err err;

		err = pog_oidc_parse_discovery(disc_cases[i].json, strlen(disc_cases[i].json),
					       disc_cases[i].expected_issuer, &d, &errmsg);
		if (err != disc_cases[i].err)
			fprintf(stderr, "discovery \"%s\": got %d (%s), want %d\n",
				disc_cases[i].name, err, errmsg ? errmsg : "", disc_cases[i].err);
		TC_EQ_INT(err, disc_cases[i].err);
		if (err == POG_OK) {
			TC_CHECK(errmsg == NULL);
			TC_STREQ(d.issuer, ISS_CUSTOM);
			TC_STREQ(d.token_endpoint, ISS_CUSTOM "/v1/token");
		} else {
			TC_CHECK(errmsg != NULL);
			TC_CHECK(d.issuer == NULL && d.token_endpoint == NULL);
			if (disc_cases[i].msg != NULL && errmsg != NULL &&
			    strstr(errmsg, disc_cases[i].msg) == NULL) {
				fprintf(stderr, "discovery \"%s\": message \"%s\" lacks \"%s\"\n",
					disc_cases[i].name, errmsg, disc_cases[i].msg);
				TC_CHECK(0);
			}
		}
		pog_discovery_free(&d);
		free(errmsg);
	}
}

static void
test_discovery_okta(void)
{
	struct pog_discovery d = { 0 };
	char *errmsg = NULL, *doc;
	size_t len;

	/* A custom authorization server. */
	doc = fixture("okta-custom-discovery.json", &len);
	TC_ERR(pog_oidc_parse_discovery(doc, len, ISS_CUSTOM, &d, &errmsg), POG_OK);
	TC_STREQ(d.issuer, ISS_CUSTOM);
	TC_STREQ(d.device_authorization_endpoint, ISS_CUSTOM "/v1/device/authorize");
	TC_STREQ(d.token_endpoint, ISS_CUSTOM "/v1/token");
	TC_STREQ(d.jwks_uri, ISS_CUSTOM "/v1/keys");
	TC_STREQ(d.userinfo_endpoint, ISS_CUSTOM "/v1/userinfo");
	pog_discovery_free(&d);
	TC_CHECK(d.issuer == NULL);
	/* The same document does not pass for the org server's issuer. */
	TC_ERR(pog_oidc_parse_discovery(doc, len, ISS_ORG, &d, &errmsg), POG_ERR_CONFIG);
	TC_CHECK(errmsg != NULL && d.issuer == NULL);
	free(errmsg);
	errmsg = NULL;
	free(doc);

	/* The org authorization server (pretty-printed, as served). */
	doc = fixture("okta-org-discovery.json", &len);
	TC_ERR(pog_oidc_parse_discovery(doc, len, ISS_ORG, &d, &errmsg), POG_OK);
	TC_STREQ(d.issuer, ISS_ORG);
	TC_STREQ(d.device_authorization_endpoint, ISS_ORG "/oauth2/v1/device/authorize");
	TC_STREQ(d.token_endpoint, ISS_ORG "/oauth2/v1/token");
	TC_STREQ(d.jwks_uri, ISS_ORG "/oauth2/v1/keys");
	TC_STREQ(d.userinfo_endpoint, ISS_ORG "/oauth2/v1/userinfo");
	pog_discovery_free(&d);
	TC_ERR(pog_oidc_parse_discovery(doc, len, ISS_ORG "/", &d, &errmsg), POG_ERR_CONFIG);
	free(errmsg);
	errmsg = NULL;
	/* The length rules, not the NUL: a document cut short fails. */
	TC_ERR(pog_oidc_parse_discovery(doc, len / 2, ISS_ORG, &d, &errmsg), POG_ERR_PROTOCOL);
	free(errmsg);
	free(doc);
}

/* ---- where the endpoints may be ---- */

static struct pog_strv extra;   /* endpoint_hosts, split in main */

static const struct {
	const char *issuer;
	const char *url;
	bool with_extra;
	bool want;
} endpoint_cases[] = {
	/* The issuer's own host and port. */
	{ ISS_CUSTOM, ISS_CUSTOM "/v1/token", false, true },
	{ ISS_ORG, ISS_ORG "/oauth2/v1/keys", false, true },
	{ ISS_ORG, "https://dev-1.okta.com", false, true },
	{ ISS_ORG, "https://dev-1.okta.com?x=1", false, true },
	/* Any path on it, even one outside the issuer's. */
	{ ISS_CUSTOM, ISS_ORG "/oauth2/v1/token", false, true },
	/* Case: the host is case-insensitive, the scheme must be https. */
	{ ISS_ORG, "https://DEV-1.Okta.COM/v1/token", false, true },
	{ "https://DEV-1.okta.com", "https://dev-1.okta.com/t", false, true },
	{ ISS_ORG, "HTTPS://dev-1.okta.com/t", false, false },
	{ ISS_ORG, "http://dev-1.okta.com/t", false, false },
	/* Ports: none and :443 are one; anything else is another origin. */
	{ ISS_ORG, "https://dev-1.okta.com:443/t", false, true },
	{ "https://dev-1.okta.com:443", "https://dev-1.okta.com/t", false, true },
	{ ISS_ORG, "https://dev-1.okta.com:8443/t", false, false },
	{ "https://idp.test:8443", "https://idp.test:8443/t", false, true },
	{ "https://idp.test:8443", "https://idp.test/t", false, false },
	{ "https://idp.test:8443", "https://idp.test:08443/t", false, true },
	{ ISS_ORG, "https://dev-1.okta.com:/t", false, false },
	{ ISS_ORG, "https://dev-1.okta.com:0/t", false, false },
	{ ISS_ORG, "https://dev-1.okta.com:65536/t", false, false },
	{ ISS_ORG, "https://dev-1.okta.com:443x/t", false, false },
	{ ISS_ORG, "https://dev-1.okta.com:000443/t", false, false },
	/* Another host. */
	{ ISS_ORG, "https://evil.example/t", false, false },
	{ ISS_ORG, "https://dev-1.okta.com.evil.example/t", false, false },
	{ ISS_ORG, "https://evil-dev-1.okta.com/t", false, false },
	{ ISS_ORG, "https://okta.com/t", false, false },
	/* User info: the host is what follows the @. */
	{ ISS_ORG, "https://dev-1.okta.com@evil.example/t", false, false },
	{ ISS_ORG, "https://dev-1.okta.com:443@evil.example/t", false, false },
	{ ISS_ORG, "https://evil.example@dev-1.okta.com/t", false, false },
	/* Tricks on the authority. */
	{ ISS_ORG, "https://dev-1.okta.com\\@evil.example/t", false, false },
	{ ISS_ORG, "https://dev-1%2eokta.com/t", false, false },
	{ ISS_ORG, "https://dev-1.okta.com%00.evil/t", false, false },
	{ ISS_ORG, "https:///t", false, false },
	{ ISS_ORG, "https://", false, false },
	{ ISS_ORG, "https:dev-1.okta.com/t", false, false },
	/* Trailing dots are kept: "idp." and "idp" may resolve apart. */
	{ ISS_ORG, "https://dev-1.okta.com./t", false, false },
	{ "https://dev-1.okta.com.", "https://dev-1.okta.com/t", false, false },
	{ "https://dev-1.okta.com.", "https://dev-1.okta.com./t", false, true },
	/* IPv6 literals: text equality, brackets required, no zones. */
	{ "https://[::1]:8443", "https://[::1]:8443/t", false, true },
	{ "https://[::1]:8443", "https://[::1]/t", false, false },
	{ "https://[::1]:8443", "https://[::2]:8443/t", false, false },
	{ "https://[::1]", "https://[::1]:443/t", false, true },
	{ "https://[::1]", "https://[::1%25eth0]/t", false, false },
	{ "https://[::1]", "https://[]/t", false, false },
	{ "https://[::1]", "https://[::1/t", false, false },
	{ "https://[::1]", "https://[::1]x/t", false, false },
	{ "https://[fe80::A]", "https://[fe80::a]/t", false, true },
	{ "https://127.0.0.1:8443", "https://127.0.0.1:8443/t", false, true },
	{ "https://127.0.0.1:8443", "https://127.0.0.2:8443/t", false, false },
	/* endpoint_hosts: those hosts, on port 443 only. */
	{ ISS_ORG, "https://tokens.example.com/t", false, false },
	{ ISS_ORG, "https://tokens.example.com/t", true, true },
	{ ISS_ORG, "https://TOKENS.example.com:443/t", true, true },
	{ ISS_ORG, "https://tokens.example.com:8443/t", true, false },
	{ ISS_ORG, "https://tokens.example.com./t", true, false },
	{ ISS_ORG, "https://keys.example.com./t", true, true },
	{ ISS_ORG, "https://keys.example.com/t", true, false },
	{ ISS_ORG, "https://x.tokens.example.com/t", true, false },
	{ ISS_ORG, "https://tokens.example.com@evil.example/t", true, false },
	{ ISS_ORG, "https://evil.example/t", true, false },
	/* A broken issuer allows nothing. */
	{ "https://a@b", "https://b/t", false, false },
	{ "http://dev-1.okta.com", "https://dev-1.okta.com/t", false, false },
	{ NULL, ISS_ORG "/t", false, false },
	{ ISS_ORG, NULL, false, false },
};

static void
test_endpoint_table(void)
{
	for (size_t i = 0; i < sizeof(endpoint_cases) / sizeof(endpoint_cases[0]); i++) {
		bool got = pog_oidc_endpoint_allowed(endpoint_cases[i].issuer, endpoint_cases[i].url,
						     endpoint_cases[i].with_extra ? &extra : NULL);

		if (got != endpoint_cases[i].want)
			fprintf(stderr, "endpoint %s for issuer %s%s: got %d, want %d\n",
				endpoint_cases[i].url ? endpoint_cases[i].url : "(null)",
				endpoint_cases[i].issuer ? endpoint_cases[i].issuer : "(null)",
				endpoint_cases[i].with_extra ? " (endpoint_hosts)" : "",
				got, endpoint_cases[i].want);
		TC_EQ_INT(got, endpoint_cases[i].want);
	}
}

static void
set_url(char **field, const char *url)
{
	free(*field);
	*field = url != NULL ? strdup(url) : NULL;
	TC_CHECK(url == NULL || *field != NULL);
}

static void
test_check_endpoints(void)
{
	struct pog_discovery d = { 0 };
	char *errmsg = NULL;

	set_url(&d.issuer, ISS_CUSTOM);
	set_url(&d.device_authorization_endpoint, ISS_CUSTOM "/v1/device/authorize");
	set_url(&d.token_endpoint, ISS_CUSTOM "/v1/token");
	set_url(&d.jwks_uri, ISS_CUSTOM "/v1/keys");

	TC_ERR(pog_oidc_check_endpoints(&d, ISS_CUSTOM, NULL, &errmsg), POG_OK);
	TC_CHECK(errmsg == NULL);
	/* Each endpoint is checked, and the message names it and its host. */
	set_url(&d.userinfo_endpoint, "https://Evil.example:444/userinfo");
	TC_ERR(pog_oidc_check_endpoints(&d, ISS_CUSTOM, &extra, &errmsg), POG_ERR_PROTOCOL);
	TC_CHECK(errmsg != NULL && strstr(errmsg, "userinfo_endpoint") != NULL &&
		 strstr(errmsg, "evil.example port 444") != NULL);
	free(errmsg);
	errmsg = NULL;
	set_url(&d.userinfo_endpoint, NULL);
	set_url(&d.jwks_uri, "https://keys.evil/k");
	TC_ERR(pog_oidc_check_endpoints(&d, ISS_CUSTOM, NULL, &errmsg), POG_ERR_PROTOCOL);
	TC_CHECK(errmsg != NULL && strstr(errmsg, "jwks_uri") != NULL &&
		 strstr(errmsg, "keys.evil") != NULL);
	free(errmsg);
	errmsg = NULL;
	set_url(&d.jwks_uri, ISS_CUSTOM "/v1/keys");
	set_url(&d.token_endpoint, "https://dev-1.okta.com@evil/t");
	TC_ERR(pog_oidc_check_endpoints(&d, ISS_CUSTOM, NULL, &errmsg), POG_ERR_PROTOCOL);
	TC_CHECK(errmsg != NULL && strstr(errmsg, "token_endpoint") != NULL);
	free(errmsg);
	errmsg = NULL;
	set_url(&d.token_endpoint, "https://tokens.example.com/t");
	set_url(&d.device_authorization_endpoint, "https://tokens.example.com/d");
	TC_ERR(pog_oidc_check_endpoints(&d, ISS_CUSTOM, &extra, &errmsg), POG_OK);
	TC_ERR(pog_oidc_check_endpoints(&d, ISS_CUSTOM, NULL, &errmsg), POG_ERR_PROTOCOL);
	TC_CHECK(errmsg != NULL && strstr(errmsg, "device_authorization_endpoint") != NULL);
	free(errmsg);
	pog_discovery_free(&d);
}

/* ---- the JSON reader itself ---- */

static char *
nested(size_t depth)
{
	struct pog_buf b = { 0 };

	pog_buf_addstr(&b, "{\"issuer\":");
	for (size_t i = 0; i < depth; i++)
		pog_buf_addstr(&b, "[");
	for (size_t i = 0; i < depth; i++)
		pog_buf_addstr(&b, "]");
	pog_buf_addstr(&b, "}");
	return pog_buf_steal(&b);
}

static void
test_json_reader(void)
{
	static const char nul[] = "{\"error\":\"slow_down\"}\0{\"error\":\"x\"}";
	struct pog_token_resp t = { 0 };
	char *errmsg = NULL, *deep;

	/* An embedded NUL: json-c would stop there; we refuse the whole. */
	TC_ERR(pog_oidc_parse_token(400, nul, sizeof(nul) - 1, &t, &errmsg), POG_ERR_PROTOCOL);
	TC_CHECK(errmsg != NULL && strstr(errmsg, "NUL") != NULL);
	free(errmsg);
	errmsg = NULL;
	/* Deep nesting is refused at the depth limit, not by the stack. */
	deep = nested(10000);
	TC_ERR(pog_oidc_parse_token(400, deep, strlen(deep), &t, &errmsg), POG_ERR_PROTOCOL);
	TC_CHECK(errmsg != NULL);
	free(errmsg);
	errmsg = NULL;
	free(deep);
	deep = nested(40);
	TC_CHECK(pog_oidc_error_code(deep, strlen(deep)) == NULL);
	free(deep);
	/* Shallow nesting is fine (the value is then simply the wrong type). */
	deep = nested(20);
	TC_ERR(pog_oidc_parse_token(400, deep, strlen(deep), &t, &errmsg), POG_ERR_PROTOCOL);
	TC_CHECK(errmsg != NULL && strstr(errmsg, "no error code") != NULL);
	free(errmsg);
	errmsg = NULL;
	free(deep);
	/* Non-standard JSON that json-c accepts unless strict. */
	static const char *const lax[] = {
		"{\"error\":\"slow_down\",}",
		"{\"error\":\"slow_down\" /* c */}",
		"{\"error\":'slow_down'}",
		"{\"error\":\"slow_down\",\"n\":NaN}",
		"{\"error\":\"slow_down\",\"n\":0x10}",
		"{\"error\":\"slow_down\",\"n\":01}",
		"{\"error\":\"slow\tdown\"}",
		"{\"error\":\"slow_down\",\"n\":Infinity}",
		"{\"error\":\"slow_down\",\"n\":-Infinity}",
		"{\"error\":\"slow_down\",\"n\":nan}",
		"{\"error\":\"slow_down\",\"n\":True}",
		"{\"error\":\"slow_down\",\"n\":NULL}",
	};
	for (size_t i = 0; i < sizeof(lax) / sizeof(lax[0]); i++) {
		pog_err err = pog_oidc_parse_token(400, lax[i], strlen(lax[i]), &t, &errmsg);

		if (err != POG_ERR_PROTOCOL)
			fprintf(stderr, "lax JSON accepted: %s\n", lax[i]);
		TC_ERR(err, POG_ERR_PROTOCOL);
		free(errmsg);
		errmsg = NULL;
	}
	TC_CHECK(t.error == NULL && t.id_token == NULL);
}

/* ---- the device authorization response ---- */

#define DEV(extra) "{\"device_code\":\"GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS\"," \
	"\"user_code\":\"WDJB-MJHT\",\"verification_uri\":\"https://dev-1.okta.com/activate\"" extra "}"

static const struct {
	const char *name;
	long status;
	const char *json;
	pog_err err;
	long interval, expires_in;
	const char *user_code;
	const char *complete;
} dev_cases[] = {
	{ "okta", 200, DEV(",\"verification_uri_complete\":\"https://dev-1.okta.com/activate?user_code=WDJB-MJHT\","
	  "\"expires_in\":600,\"interval\":5"), POG_OK, 5, 600, "WDJB-MJHT",
	  "https://dev-1.okta.com/activate?user_code=WDJB-MJHT" },
	{ "no interval", 200, DEV(",\"expires_in\":1800"), POG_OK, 5, 1800, "WDJB-MJHT", NULL },
	{ "interval 1", 200, DEV(",\"expires_in\":1,\"interval\":1"), POG_OK, 1, 1, "WDJB-MJHT", NULL },
	{ "interval 300", 200, DEV(",\"expires_in\":86400,\"interval\":300"), POG_OK, 300, 86400,
	  "WDJB-MJHT", NULL },
	{ "interval 0", 200, DEV(",\"expires_in\":600,\"interval\":0"), POG_ERR_PROTOCOL, 0, 0, NULL, NULL },
	{ "interval negative", 200, DEV(",\"expires_in\":600,\"interval\":-5"), POG_ERR_PROTOCOL, 0, 0, NULL, NULL },
	{ "interval absurd", 200, DEV(",\"expires_in\":600,\"interval\":100000"), POG_ERR_PROTOCOL, 0, 0, NULL, NULL },
	{ "interval huge", 200, DEV(",\"expires_in\":600,\"interval\":99999999999999999999"),
	  POG_ERR_PROTOCOL, 0, 0, NULL, NULL },
	{ "interval string", 200, DEV(",\"expires_in\":600,\"interval\":\"5\""), POG_ERR_PROTOCOL, 0, 0, NULL, NULL },
	{ "interval fraction", 200, DEV(",\"expires_in\":600,\"interval\":5.5"), POG_ERR_PROTOCOL, 0, 0, NULL, NULL },
	{ "interval null", 200, DEV(",\"expires_in\":600,\"interval\":null"), POG_ERR_PROTOCOL, 0, 0, NULL, NULL },
	{ "no expires_in", 200, DEV(""), POG_ERR_PROTOCOL, 0, 0, NULL, NULL },
	{ "expires_in 0", 200, DEV(",\"expires_in\":0"), POG_ERR_PROTOCOL, 0, 0, NULL, NULL },
	{ "expires_in absurd", 200, DEV(",\"expires_in\":86401"), POG_ERR_PROTOCOL, 0, 0, NULL, NULL },
	{ "expires_in string", 200, DEV(",\"expires_in\":\"600\""), POG_ERR_PROTOCOL, 0, 0, NULL, NULL },
	{ "expires_in bool", 200, DEV(",\"expires_in\":true"), POG_ERR_PROTOCOL, 0, 0, NULL, NULL },
	{ "not 200", 400, "{\"error\":\"invalid_client\"}", POG_ERR_PROTOCOL, 0, 0, NULL, NULL },
	{ "5xx", 503, DEV(",\"expires_in\":600"), POG_ERR_PROTOCOL, 0, 0, NULL, NULL },
	{ "junk", 200, "Service Unavailable", POG_ERR_PROTOCOL, 0, 0, NULL, NULL },
	{ "no device_code", 200, "{\"user_code\":\"A\",\"verification_uri\":\"https://a/x\",\"expires_in\":5}",
	  POG_ERR_PROTOCOL, 0, 0, NULL, NULL },
	{ "device_code number", 200, "{\"device_code\":5,\"user_code\":\"A\",\"verification_uri\":"
	  "\"https://a/x\",\"expires_in\":5}", POG_ERR_PROTOCOL, 0, 0, NULL, NULL },
	{ "device_code empty", 200, "{\"device_code\":\"\",\"user_code\":\"A\",\"verification_uri\":"
	  "\"https://a/x\",\"expires_in\":5}", POG_ERR_PROTOCOL, 0, 0, NULL, NULL },
	{ "no user_code", 200, "{\"device_code\":\"d\",\"verification_uri\":\"https://a/x\",\"expires_in\":5}",
	  POG_ERR_PROTOCOL, 0, 0, NULL, NULL },
	{ "user_code array", 200, "{\"device_code\":\"d\",\"user_code\":[\"A\"],\"verification_uri\":"
	  "\"https://a/x\",\"expires_in\":5}", POG_ERR_PROTOCOL, 0, 0, NULL, NULL },
	{ "user_code escape", 200, "{\"device_code\":\"d\",\"user_code\":\"\\u001b[2J\\u001b]0;pwned\\u0007\","
	  "\"verification_uri\":\"https://a/x\",\"expires_in\":5}", POG_ERR_PROTOCOL, 0, 0, NULL, NULL },
	{ "user_code newline", 200, "{\"device_code\":\"d\",\"user_code\":\"AB\\nCD\","
	  "\"verification_uri\":\"https://a/x\",\"expires_in\":5}", POG_ERR_PROTOCOL, 0, 0, NULL, NULL },
	{ "user_code DEL", 200, "{\"device_code\":\"d\",\"user_code\":\"AB\\u007f\","
	  "\"verification_uri\":\"https://a/x\",\"expires_in\":5}", POG_ERR_PROTOCOL, 0, 0, NULL, NULL },
	{ "user_code C1 CSI", 200, "{\"device_code\":\"d\",\"user_code\":\"AB\\u009b2J\","
	  "\"verification_uri\":\"https://a/x\",\"expires_in\":5}", POG_ERR_PROTOCOL, 0, 0, NULL, NULL },
	{ "user_code NUL", 200, "{\"device_code\":\"d\",\"user_code\":\"AB\\u0000CD\","
	  "\"verification_uri\":\"https://a/x\",\"expires_in\":5}", POG_ERR_PROTOCOL, 0, 0, NULL, NULL },
	{ "user_code empty", 200, "{\"device_code\":\"d\",\"user_code\":\"\","
	  "\"verification_uri\":\"https://a/x\",\"expires_in\":5}", POG_ERR_PROTOCOL, 0, 0, NULL, NULL },
	{ "user_code 64", 200, "{\"device_code\":\"d\",\"user_code\":"
	  "\"0123456789012345678901234567890123456789012345678901234567890123\","
	  "\"verification_uri\":\"https://a/x\",\"expires_in\":5}", POG_OK, 5, 5,
	  "0123456789012345678901234567890123456789012345678901234567890123", NULL },
	{ "user_code 65", 200, "{\"device_code\":\"d\",\"user_code\":"
	  "\"01234567890123456789012345678901234567890123456789012345678901234\","
	  "\"verification_uri\":\"https://a/x\",\"expires_in\":5}", POG_ERR_PROTOCOL, 0, 0, NULL, NULL },
	{ "user_code inner space", 200, "{\"device_code\":\"d\",\"user_code\":\"ABC DEF\","
	  "\"verification_uri\":\"https://a/x\",\"expires_in\":5}", POG_OK, 5, 5, "ABC DEF", NULL },
	{ "no verification_uri", 200, "{\"device_code\":\"d\",\"user_code\":\"A\",\"expires_in\":5}",
	  POG_ERR_PROTOCOL, 0, 0, NULL, NULL },
	{ "http verification_uri", 200, "{\"device_code\":\"d\",\"user_code\":\"A\","
	  "\"verification_uri\":\"http://a/x\",\"expires_in\":5}", POG_ERR_PROTOCOL, 0, 0, NULL, NULL },
	{ "javascript uri", 200, "{\"device_code\":\"d\",\"user_code\":\"A\","
	  "\"verification_uri\":\"javascript:alert(1)\",\"expires_in\":5}", POG_ERR_PROTOCOL, 0, 0, NULL, NULL },
	{ "uri with escape", 200, "{\"device_code\":\"d\",\"user_code\":\"A\","
	  "\"verification_uri\":\"https://a/\\u001b[31mx\",\"expires_in\":5}", POG_ERR_PROTOCOL, 0, 0, NULL, NULL },
	{ "uri with space", 200, "{\"device_code\":\"d\",\"user_code\":\"A\","
	  "\"verification_uri\":\"https://a/ x\",\"expires_in\":5}", POG_ERR_PROTOCOL, 0, 0, NULL, NULL },
	{ "uri non-ascii", 200, "{\"device_code\":\"d\",\"user_code\":\"A\","
	  "\"verification_uri\":\"https://\xc3\xa9vil.example/x\",\"expires_in\":5}",
	  POG_ERR_PROTOCOL, 0, 0, NULL, NULL },
	{ "complete with newline", 200, DEV(",\"verification_uri_complete\":\"https://a/x\\nPress Enter\","
	  "\"expires_in\":600"), POG_ERR_PROTOCOL, 0, 0, NULL, NULL },
	{ "complete http", 200, DEV(",\"verification_uri_complete\":\"http://a/x\",\"expires_in\":600"),
	  POG_ERR_PROTOCOL, 0, 0, NULL, NULL },
	{ "complete number", 200, DEV(",\"verification_uri_complete\":1,\"expires_in\":600"),
	  POG_ERR_PROTOCOL, 0, 0, NULL, NULL },
};

static void
test_device_table(void)
{
	for (size_t i = 0; i < sizeof(dev_cases) / sizeof(dev_cases[0]); i++) {
		struct pog_device_auth d = { 0 };
		char *errmsg = NULL;
		pog_err err;

		err = pog_oidc_parse_device(dev_cases[i].status, dev_cases[i].json,
					    strlen(dev_cases[i].json), &d, &errmsg);
		if (err != dev_cases[i].err)
			fprintf(stderr, "device \"%s\": got %d (%s), want %d\n", dev_cases[i].name,
				err, errmsg ? errmsg : "", dev_cases[i].err);
		TC_EQ_INT(err, dev_cases[i].err);
		if (err == POG_OK) {
			TC_EQ_INT(d.interval, dev_cases[i].interval);
			TC_EQ_INT(d.expires_in, dev_cases[i].expires_in);
			TC_STREQ(d.user_code, dev_cases[i].user_code);
			TC_CHECK(d.device_code != NULL && d.verification_uri != NULL);
			if (dev_cases[i].complete != NULL)
				TC_STREQ(d.verification_uri_complete, dev_cases[i].complete);
			else
				TC_CHECK(d.verification_uri_complete == NULL);
		} else {
			TC_CHECK(errmsg != NULL);
			TC_CHECK(d.device_code == NULL && d.user_code == NULL &&
				 d.verification_uri == NULL && d.interval == 0);
		}
		pog_device_auth_free(&d);
		free(errmsg);
	}
}

/* ---- token responses ---- */

static const struct {
	const char *name;
	long status;
	const char *json;
	pog_err err;
	enum pog_token_status ts;
	const char *error;
	bool access;
} tok_cases[] = {
	{ "ok", 200, "{\"token_type\":\"Bearer\",\"expires_in\":3600,\"access_token\":\"at.x.y\","
	  "\"scope\":\"openid groups\",\"id_token\":\"a.b.c\"}", POG_OK, POG_TOKEN_OK, NULL, true },
	{ "ok without access token", 200, "{\"id_token\":\"a.b.c\"}", POG_OK, POG_TOKEN_OK, NULL, false },
	{ "bearer case", 200, "{\"token_type\":\"bEARER\",\"id_token\":\"a.b.c\"}", POG_OK,
	  POG_TOKEN_OK, NULL, false },
	{ "not bearer", 200, "{\"token_type\":\"DPoP\",\"id_token\":\"a.b.c\"}", POG_ERR_PROTOCOL,
	  0, NULL, false },
	{ "bearer prefix", 200, "{\"token_type\":\"Bearerx\",\"id_token\":\"a.b.c\"}", POG_ERR_PROTOCOL,
	  0, NULL, false },
	{ "token_type number", 200, "{\"token_type\":1,\"id_token\":\"a.b.c\"}", POG_ERR_PROTOCOL,
	  0, NULL, false },
	{ "no id_token", 200, "{\"token_type\":\"Bearer\",\"access_token\":\"x\"}", POG_ERR_PROTOCOL,
	  0, NULL, false },
	{ "id_token number", 200, "{\"id_token\":7}", POG_ERR_PROTOCOL, 0, NULL, false },
	{ "id_token empty", 200, "{\"id_token\":\"\"}", POG_ERR_PROTOCOL, 0, NULL, false },
	{ "access_token object", 200, "{\"id_token\":\"a.b.c\",\"access_token\":{}}",
	  POG_ERR_PROTOCOL, 0, NULL, false },
	{ "pending", 400, "{\"error\":\"authorization_pending\",\"error_description\":"
	  "\"The device authorization is pending. Please try again later.\"}", POG_OK,
	  POG_TOKEN_PENDING, "authorization_pending", false },
	{ "slow_down", 400, "{\"error\":\"slow_down\"}", POG_OK, POG_TOKEN_SLOW_DOWN, "slow_down", false },
	{ "expired", 400, "{\"error\":\"expired_token\"}", POG_OK, POG_TOKEN_EXPIRED, "expired_token", false },
	{ "denied", 400, "{\"error\":\"access_denied\"}", POG_OK, POG_TOKEN_DENIED, "access_denied", false },
	{ "invalid_grant", 400, "{\"error\":\"invalid_grant\"}", POG_OK, POG_TOKEN_ERROR,
	  "invalid_grant", false },
	{ "invalid_client 401", 401, "{\"error\":\"invalid_client\"}", POG_OK, POG_TOKEN_ERROR,
	  "invalid_client", false },
	{ "error with escape", 400, "{\"error\":\"bad\\u001b[2Jthing\"}", POG_OK, POG_TOKEN_ERROR,
	  "bad?[2Jthing", false },
	{ "error code case", 400, "{\"error\":\"Authorization_Pending\"}", POG_OK, POG_TOKEN_ERROR,
	  "Authorization_Pending", false },
	{ "error number", 400, "{\"error\":400}", POG_ERR_PROTOCOL, 0, NULL, false },
	{ "error empty", 400, "{\"error\":\"\"}", POG_ERR_PROTOCOL, 0, NULL, false },
	{ "no error", 400, "{\"error_description\":\"x\"}", POG_ERR_PROTOCOL, 0, NULL, false },
	{ "400 html", 400, "<html>Bad Request</html>", POG_ERR_PROTOCOL, 0, NULL, false },
	{ "500", 500, "{\"error\":\"server_error\"}", POG_ERR_PROTOCOL, 0, NULL, false },
	{ "502 html", 502, "<html>Bad Gateway</html>", POG_ERR_PROTOCOL, 0, NULL, false },
	{ "503", 503, "", POG_ERR_PROTOCOL, 0, NULL, false },
	{ "302", 302, "", POG_ERR_PROTOCOL, 0, NULL, false },
	{ "403", 403, "{\"error\":\"access_denied\"}", POG_ERR_PROTOCOL, 0, NULL, false },
	{ "200 junk", 200, "id_token=a.b.c", POG_ERR_PROTOCOL, 0, NULL, false },
	{ "200 array", 200, "[{\"id_token\":\"a.b.c\"}]", POG_ERR_PROTOCOL, 0, NULL, false },
	{ "200 empty", 200, "", POG_ERR_PROTOCOL, 0, NULL, false },
};

static void
test_token_table(void)
{
	for (size_t i = 0; i < sizeof(tok_cases) / sizeof(tok_cases[0]); i++) {
		struct pog_token_resp t = { 0 };
		char *errmsg = NULL;
		pog_err err;

		err = pog_oidc_parse_token(tok_cases[i].status, tok_cases[i].json,
					   strlen(tok_cases[i].json), &t, &errmsg);
		if (err != tok_cases[i].err)
			fprintf(stderr, "token \"%s\": got %d (%s), want %d\n", tok_cases[i].name,
				err, errmsg ? errmsg : "", tok_cases[i].err);
		TC_EQ_INT(err, tok_cases[i].err);
		if (err == POG_OK) {
			TC_CHECK(errmsg == NULL);
			TC_EQ_INT(t.status, tok_cases[i].ts);
			if (tok_cases[i].error != NULL)
				TC_STREQ(t.error, tok_cases[i].error);
			else
				TC_CHECK(t.error == NULL);
			if (t.status == POG_TOKEN_OK)
				TC_STREQ(t.id_token, "a.b.c");
			else
				TC_CHECK(t.id_token == NULL);
			TC_EQ_INT((t.access_token != NULL), tok_cases[i].access);
		} else {
			TC_CHECK(errmsg != NULL);
			TC_CHECK(t.id_token == NULL && t.access_token == NULL && t.error == NULL);
		}
		pog_token_resp_free(&t);
		free(errmsg);
	}
}

static void
test_error_code(void)
{
	static const struct {
		const char *json;
		const char *code;
	} cases[] = {
		{ "{\"error\":\"invalid_client\",\"error_description\":\"Client authentication failed.\"}",
		  "invalid_client" },
		{ "{\"error\":\"access_denied\"}", "access_denied" },
		{ "{\"error\":\"\\u0007\\u001b]2;x\"}", "??]2;x" },
		{ "{\"error\":\"0123456789012345678901234567890123456789012345678901234567890123456789\"}",
		  "0123456789012345678901234567890123456789012345678901234567890123" },
		{ "{\"error\":5}", NULL },
		{ "{\"error\":\"\"}", NULL },
		{ "{\"errorCode\":\"E0000011\"}", NULL },
		{ "<html></html>", NULL },
		{ "", NULL },
		{ "[\"error\"]", NULL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *code = pog_oidc_error_code(cases[i].json, strlen(cases[i].json));

		if (cases[i].code == NULL)
			TC_CHECK(code == NULL);
		else
			TC_STREQ(code, cases[i].code);
		free(code);
	}
	TC_CHECK(pog_oidc_error_code(NULL, 0) == NULL);
}

/* ---- groups ---- */

static const struct {
	const char *name;
	const char *json;
	const char *claim;
	pog_err err;
	bool present;
	size_t n;
	const char *first, *last;
} grp_cases[] = {
	{ "groups", "{\"sub\":\"00u1\",\"groups\":[\"Everyone\",\"DevTeam\",\"Organization Admins\"]}",
	  "groups", POG_OK, true, 3, "Everyone", "Organization Admins" },
	{ "custom claim", "{\"okta_groups\":[\"a\"]}", "okta_groups", POG_OK, true, 1, "a", "a" },
	{ "empty array", "{\"groups\":[]}", "groups", POG_OK, true, 0, NULL, NULL },
	{ "absent", "{\"sub\":\"00u1\"}", "groups", POG_OK, false, 0, NULL, NULL },
	{ "kept as sent", "{\"groups\":[\"a:b\",\"x,y\",\"\",\"\\u001b[2J\",\"caf\xc3\xa9\"]}",
	  "groups", POG_OK, true, 5, "a:b", "caf\xc3\xa9" },
	{ "a string", "{\"groups\":\"DevTeam\"}", "groups", POG_ERR_PROTOCOL, false, 0, NULL, NULL },
	{ "null", "{\"groups\":null}", "groups", POG_ERR_PROTOCOL, false, 0, NULL, NULL },
	{ "an object", "{\"groups\":{\"a\":1}}", "groups", POG_ERR_PROTOCOL, false, 0, NULL, NULL },
	{ "a number inside", "{\"groups\":[\"a\",1]}", "groups", POG_ERR_PROTOCOL, false, 0, NULL, NULL },
	{ "an array inside", "{\"groups\":[\"a\",[\"b\"]]}", "groups", POG_ERR_PROTOCOL, false, 0, NULL, NULL },
	{ "null inside", "{\"groups\":[\"a\",null]}", "groups", POG_ERR_PROTOCOL, false, 0, NULL, NULL },
	{ "NUL inside", "{\"groups\":[\"adm\\u0000in\"]}", "groups", POG_ERR_PROTOCOL, false, 0, NULL, NULL },
	{ "not json", "groups=a", "groups", POG_ERR_PROTOCOL, false, 0, NULL, NULL },
};

static void
test_groups_table(void)
{
	for (size_t i = 0; i < sizeof(grp_cases) / sizeof(grp_cases[0]); i++) {
		struct pog_strv g = { 0 };
		bool present = true;
		char *errmsg = NULL;
		pog_err err;

		/* A value already there is replaced on success, kept on failure. */
		pog_strv_add(&g, "old");
		err = pog_oidc_parse_groups(grp_cases[i].json, strlen(grp_cases[i].json),
					    grp_cases[i].claim, &g, &present, &errmsg);
		if (err != grp_cases[i].err)
			fprintf(stderr, "groups \"%s\": got %d (%s), want %d\n", grp_cases[i].name,
				err, errmsg ? errmsg : "", grp_cases[i].err);
		TC_EQ_INT(err, grp_cases[i].err);
		if (err == POG_OK && grp_cases[i].present) {
			TC_CHECK(present);
			TC_EQ_INT(g.n, grp_cases[i].n);
			if (grp_cases[i].n > 0 && g.n == grp_cases[i].n) {
				TC_STREQ(g.v[0], grp_cases[i].first);
				TC_STREQ(g.v[g.n - 1], grp_cases[i].last);
			}
		} else if (err == POG_OK) {
			TC_CHECK(!present);
			TC_EQ_INT(g.n, 1);
		} else {
			TC_CHECK(errmsg != NULL);
			TC_CHECK(present);      /* untouched */
			TC_CHECK(g.n == 1 && strcmp(g.v[0], "old") == 0);
		}
		pog_strv_free(&g);
		free(errmsg);
	}
}

static void
test_userinfo_sub(void)
{
	static const struct {
		const char *json;
		pog_err err;
	} cases[] = {
		{ "{\"sub\":\"00u1abcd\",\"groups\":[\"a\"]}", POG_OK },
		{ "{\"groups\":[\"a\"]}", POG_ERR_PROTOCOL },
		{ "{\"sub\":1}", POG_ERR_PROTOCOL },
		{ "{\"sub\":\"\"}", POG_ERR_PROTOCOL },
		{ "{\"sub\":\"a b\"}", POG_ERR_PROTOCOL },
		{ "{\"sub\":\"a\\nb\"}", POG_ERR_PROTOCOL },
		{ "junk", POG_ERR_PROTOCOL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *sub = NULL, *errmsg = NULL;
		pog_err err = pog_oidc_userinfo_sub(cases[i].json, strlen(cases[i].json),
						    &sub, &errmsg);

		TC_EQ_INT(err, cases[i].err);
		if (err == POG_OK)
			TC_STREQ(sub, "00u1abcd");
		else
			TC_CHECK(sub == NULL && errmsg != NULL);
		free(sub);
		free(errmsg);
	}
}

/* ---- JOSE documents ---- */

static void
test_jws_header(void)
{
	static const struct {
		const char *json;
		pog_err err;
		const char *alg, *kid;
	} cases[] = {
		{ "{\"kid\":\"k1\",\"alg\":\"RS256\"}", POG_OK, "RS256", "k1" },
		{ "{\"alg\":\"none\"}", POG_OK, "none", NULL },
		{ "{\"typ\":\"JWT\"}", POG_OK, NULL, NULL },
		{ "{\"alg\":[\"RS256\"]}", POG_ERR_TOKEN, NULL, NULL },
		{ "{\"alg\":\"RS256\",\"kid\":5}", POG_ERR_TOKEN, NULL, NULL },
		{ "{\"alg\":\"RS256\\u0000x\"}", POG_ERR_TOKEN, NULL, NULL },
		{ "{\"alg\":\"RS256\",\"crit\":[\"exp\"],\"exp\":1}", POG_ERR_TOKEN, NULL, NULL },
		{ "[]", POG_ERR_TOKEN, NULL, NULL },
		{ "", POG_ERR_TOKEN, NULL, NULL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *alg = NULL, *kid = NULL, *errmsg = NULL;
		pog_err err = pog_oidc_parse_jws_header(cases[i].json, strlen(cases[i].json),
							&alg, &kid, &errmsg);

		TC_EQ_INT(err, cases[i].err);
		if (err == POG_OK) {
			if (cases[i].alg)
				TC_STREQ(alg, cases[i].alg);
			else
				TC_CHECK(alg == NULL);
			if (cases[i].kid)
				TC_STREQ(kid, cases[i].kid);
			else
				TC_CHECK(kid == NULL);
		} else {
			TC_CHECK(alg == NULL && kid == NULL && errmsg != NULL);
		}
		free(alg);
		free(kid);
		free(errmsg);
	}
}

static void
test_jwks(void)
{
	static const struct {
		const char *name;
		const char *json;
		pog_err err;
	} cases[] = {
		{ "plain", "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"k1\",\"n\":\"AQAB\",\"e\":\"AQAB\"}]}", POG_OK },
		{ "sig RS256", "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"k1\",\"use\":\"sig\",\"alg\":\"RS256\","
		  "\"n\":\"AQAB\",\"e\":\"AQAB\"}]}", POG_OK },
		{ "enc and sig", "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"k1\",\"use\":\"enc\",\"n\":\"x\",\"e\":\"y\"},"
		  "{\"kty\":\"RSA\",\"kid\":\"k1\",\"use\":\"sig\",\"n\":\"AQAB\",\"e\":\"AQAB\"}]}", POG_OK },
		{ "other kid", "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"k2\",\"n\":\"AQAB\",\"e\":\"AQAB\"}]}",
		  POG_ERR_INVALID },
		{ "no kid", "{\"keys\":[{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\"}]}", POG_ERR_INVALID },
		{ "empty", "{\"keys\":[]}", POG_ERR_INVALID },
		{ "EC", "{\"keys\":[{\"kty\":\"EC\",\"kid\":\"k1\",\"crv\":\"P-256\",\"x\":\"a\",\"y\":\"b\"}]}",
		  POG_ERR_TOKEN },
		{ "oct", "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"k1\",\"k\":\"c2VjcmV0\"}]}", POG_ERR_TOKEN },
		{ "use enc", "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"k1\",\"use\":\"enc\",\"n\":\"AQAB\","
		  "\"e\":\"AQAB\"}]}", POG_ERR_TOKEN },
		{ "alg RS512", "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"k1\",\"alg\":\"RS512\",\"n\":\"AQAB\","
		  "\"e\":\"AQAB\"}]}", POG_ERR_TOKEN },
		{ "key_ops sign", "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"k1\",\"key_ops\":[\"encrypt\"],"
		  "\"n\":\"AQAB\",\"e\":\"AQAB\"}]}", POG_ERR_TOKEN },
		{ "key_ops verify", "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"k1\",\"key_ops\":[\"verify\"],"
		  "\"n\":\"AQAB\",\"e\":\"AQAB\"}]}", POG_OK },
		{ "no n", "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"k1\",\"e\":\"AQAB\"}]}", POG_ERR_TOKEN },
		{ "n number", "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"k1\",\"n\":5,\"e\":\"AQAB\"}]}", POG_ERR_TOKEN },
		{ "two usable", "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"k1\",\"n\":\"AQAB\",\"e\":\"AQAB\"},"
		  "{\"kty\":\"RSA\",\"kid\":\"k1\",\"n\":\"AQAC\",\"e\":\"AQAB\"}]}", POG_ERR_TOKEN },
		{ "kid number", "{\"keys\":[{\"kty\":\"RSA\",\"kid\":1,\"n\":\"AQAB\",\"e\":\"AQAB\"}]}",
		  POG_ERR_PROTOCOL },
		{ "key not object", "{\"keys\":[\"k1\"]}", POG_ERR_PROTOCOL },
		{ "keys object", "{\"keys\":{\"k1\":{}}}", POG_ERR_PROTOCOL },
		{ "no keys", "{}", POG_ERR_PROTOCOL },
		{ "junk", "not json", POG_ERR_PROTOCOL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *n = NULL, *e = NULL, *errmsg = NULL;
		pog_err err = pog_oidc_parse_jwks(cases[i].json, strlen(cases[i].json), "k1",
						  &n, &e, &errmsg);

		if (err != cases[i].err)
			fprintf(stderr, "jwks \"%s\": got %d (%s), want %d\n", cases[i].name,
				err, errmsg ? errmsg : "", cases[i].err);
		TC_EQ_INT(err, cases[i].err);
		if (err == POG_OK) {
			TC_STREQ(n, "AQAB");
			TC_STREQ(e, "AQAB");
		} else {
			TC_CHECK(n == NULL && e == NULL && errmsg != NULL);
		}
		free(n);
		free(e);
		free(errmsg);
	}
}

static void
test_jwks_okta(void)
{
	char *doc, *n = NULL, *e = NULL, *errmsg = NULL;
	size_t len;

	doc = fixture("okta-jwks.json", &len);
	TC_ERR(pog_oidc_parse_jwks(doc, len, "dP8mUpl4cXgZ3nDHMvuNhI7aVa6rwAHSMyGGXdOf1jQ",
				     &n, &e, &errmsg), POG_OK);
	TC_STREQ(e, "AQAB");
	TC_CHECK(n != NULL && strlen(n) == 342);        /* 2048 bits */
	free(n);
	free(e);
	n = e = NULL;
	TC_ERR(pog_oidc_parse_jwks(doc, len, "ec-1", &n, &e, &errmsg), POG_ERR_TOKEN);
	TC_CHECK(errmsg != NULL && strstr(errmsg, "not an RSA key") != NULL);
	free(errmsg);
	errmsg = NULL;
	TC_ERR(pog_oidc_parse_jwks(doc, len, "rotated", &n, &e, &errmsg), POG_ERR_INVALID);
	TC_CHECK(n == NULL && e == NULL);
	free(errmsg);
	free(doc);
}

int
main(void)
{
	test_discovery_table();
	test_discovery_okta();
	TC_ERR(pog_strv_split(&extra, "tokens.example.com keys.example.com."), POG_OK);
	test_endpoint_table();
	test_check_endpoints();
	pog_strv_free(&extra);
	test_json_reader();
	test_device_table();
	test_token_table();
	test_error_code();
	test_groups_table();
	test_userinfo_sub();
	test_jws_header();
	test_jwks();
	test_jwks_okta();
	TC_DONE();
}
