/*
 * oidc.h - parsing what the OpenID provider sends: discovery, the device
 * authorization response, token responses, and group claims.
 *
 * Pure core: text in, structs out, through json.h (only json.c includes the JSON library).
 * Every string that comes out has been type-checked; none is trusted.
 */
#ifndef POG_OIDC_H
#define POG_OIDC_H

#include "pog.h"

#define POG_DEVICE_GRANT "urn:ietf:params:oauth:grant-type:device_code"

struct pog_discovery {
	char *issuer;
	char *device_authorization_endpoint;
	char *token_endpoint;
	char *jwks_uri;
	char *userinfo_endpoint;        /* may be NULL */
};

/*
 * Parses a discovery document. Its issuer must equal expected_issuer
 * exactly; every endpoint must be https; grant_types_supported, when
 * present, must list the device grant; id_token_signing_alg_values_supported,
 * when present, must list RS256.
 */
pog_err pog_oidc_parse_discovery(const char *json, size_t len,
				 const char *expected_issuer,
				 struct pog_discovery *out, char **errmsg);
void pog_discovery_free(struct pog_discovery *d);

/*
 * Whether url may be an endpoint of issuer: an https URL with the
 * issuer's host (case aside) and port (none and :443 are the same), or
 * with a host named in hosts (may be NULL) on port 443 only. A URL or
 * issuer whose authority is not plainly host[:port] or [IPv6][:port]
 * (user info, percent-encoding, a zone) is never allowed.
 */
bool pog_oidc_endpoint_allowed(const char *issuer, const char *url,
			       const struct pog_strv *hosts);

/*
 * Checks every endpoint of d with pog_oidc_endpoint_allowed. A
 * document that points one elsewhere is POG_ERR_PROTOCOL, and *errmsg
 * names the endpoint and its host.
 */
pog_err pog_oidc_check_endpoints(const struct pog_discovery *d, const char *issuer,
				 const struct pog_strv *hosts, char **errmsg);

struct pog_device_auth {
	char *device_code;              /* secret: never logged */
	char *user_code;                /* printable ASCII only, checked */
	char *verification_uri;         /* https, printable ASCII, checked */
	char *verification_uri_complete;/* may be NULL; checked like the above */
	long expires_in;                /* seconds, 1..86400 */
	long interval;                  /* seconds, 5 when absent; 1..300 */
};

/* Parses the device authorization response (RFC 8628 3.2). */
pog_err pog_oidc_parse_device(long http_status, const char *json, size_t len,
			      struct pog_device_auth *out, char **errmsg);
void pog_device_auth_free(struct pog_device_auth *d);

enum pog_token_status {
	POG_TOKEN_OK,
	POG_TOKEN_PENDING,      /* authorization_pending */
	POG_TOKEN_SLOW_DOWN,    /* slow_down */
	POG_TOKEN_EXPIRED,      /* expired_token */
	POG_TOKEN_DENIED,       /* access_denied */
	POG_TOKEN_ERROR,        /* any other error: stop */
};

struct pog_token_resp {
	enum pog_token_status status;
	char *id_token;         /* secret: never logged */
	char *access_token;     /* secret: never logged */
	char *error;            /* the error code, sanitized, or NULL */
};

/* Parses a token endpoint response (RFC 6749 5.1/5.2, RFC 8628 3.5). */
pog_err pog_oidc_parse_token(long http_status, const char *json, size_t len,
			     struct pog_token_resp *out, char **errmsg);
void pog_token_resp_free(struct pog_token_resp *t);

/* More groups than this in one claim is refused (Okta sends 100 at most). */
#define POG_OIDC_MAX_GROUPS 1000

/*
 * Reads the group claim from a JSON object (the ID token's payload or a
 * userinfo response). *present tells whether the claim exists; when it
 * does, it must be an array of strings, or this fails.
 */
pog_err pog_oidc_parse_groups(const char *json, size_t len, const char *claim,
			      struct pog_strv *groups, bool *present,
			      char **errmsg);

/* Reads the sub of a userinfo response: 1 to 255 printable ASCII characters. */
pog_err pog_oidc_userinfo_sub(const char *json, size_t len, char **sub,
			      char **errmsg);

/* Parses an OAuth error body, if any, into a sanitized error code. */
char *pog_oidc_error_code(const char *json, size_t len);

/*
 * For token.c and jwk.c, which read no JSON themselves.
 *
 * pog_oidc_parse_jws_header reads a decoded JWS header: alg and kid, each
 * a string or absent (NULL). A crit member is refused.
 *
 * pog_oidc_parse_jwks finds the one key with this kid that can verify
 * RS256 (kty RSA, use "sig" or none, key_ops with "verify" or none, alg
 * RS256 or none) and returns its n and e, still base64url. It returns
 * POG_ERR_INVALID when no key has the kid, POG_ERR_TOKEN when keys have it
 * but none is usable (or more than one is), POG_ERR_PROTOCOL for a
 * malformed JWKS.
 */
pog_err pog_oidc_parse_jws_header(const char *json, size_t len, char **alg,
				  char **kid, char **errmsg);
pog_err pog_oidc_parse_jwks(const char *json, size_t len, const char *kid,
			    char **n, char **e, char **errmsg);

#endif /* POG_OIDC_H */
