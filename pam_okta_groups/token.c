/*
 * token.c - the ID token's signature, checked with libjwt.
 *
 * Edge: the only file that includes libjwt. The header is read by us
 * first (pog_jws_header), so that libjwt only ever sees a token that
 * claims RS256; the key comes from jwk.c as PEM.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jwt.h>

#include "jwk.h"
#include "oidc.h"
#include "token.h"
#include "util.h"

/* Okta's ID tokens are a few kB; 200 groups are still far below this. */
#define TOKEN_MAX_LEN   (256 * 1024)
#define TOKEN_MAX_PEM   (64 * 1024)
#define TOKEN_MAX_SHOWN 32

struct token_parts {
	const char *part[3];    /* header, payload, signature */
	size_t len[3];
};

static bool
token_is_b64url(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/*
 * Splits the compact serialization (RFC 7515 7.1): exactly three parts
 * of base64url, the first two non-empty.
 */
static pog_err
token_split(const char *token, struct token_parts *tp, char **errmsg)
{
	size_t n, start = 0;
	int k = 0;

	if (token == NULL) {
		pog_fail(errmsg, POG_ERR_TOKEN, "no token");
		return POG_ERR_TOKEN;
	}
	n = strnlen(token, TOKEN_MAX_LEN + 1);
	if (n == 0 || n > TOKEN_MAX_LEN) {
		pog_fail(errmsg, POG_ERR_TOKEN, "the token is empty or longer than %d bytes", TOKEN_MAX_LEN);
		return POG_ERR_TOKEN;
	}
	for (size_t i = 0; i <= n; i++) {
		if (i == n || token[i] == '.') {
			if (k == 3) {
				pog_fail(errmsg, POG_ERR_TOKEN, "the token has more than three parts");
				return POG_ERR_TOKEN;
			}
			tp->part[k] = token + start;
			tp->len[k] = i - start;
			k++;
			start = i + 1;
		} else if (!token_is_b64url(token[i])) {
			pog_fail(errmsg, POG_ERR_TOKEN, "the token holds a character outside base64url");
			return POG_ERR_TOKEN;
		}
	}
	if (k != 3) {
		pog_fail(errmsg, POG_ERR_TOKEN, "the token is not a compact JWS (three parts)");
		return POG_ERR_TOKEN;
	}
	if (tp->len[0] == 0 || tp->len[1] == 0) {
		pog_fail(errmsg, POG_ERR_TOKEN, "the token has an empty header or payload");
		return POG_ERR_TOKEN;
	}
	return POG_OK;
}

pog_err
pog_jws_header(const char *token, char **alg, char **kid, char **errmsg)
{
	struct token_parts tp;
	unsigned char *head = NULL;
	size_t hlen = 0;
	pog_err err;

	if (alg == NULL || kid == NULL)
		return POG_ERR_INVALID;
	err = token_split(token, &tp, errmsg);
	if (err != POG_OK)
		return err;
	err = pog_b64url_decode(tp.part[0], tp.len[0], &head, &hlen);
	if (err == POG_ERR_INVALID) {
		pog_fail(errmsg, POG_ERR_TOKEN, "the token header is not valid base64url");
		err = POG_ERR_TOKEN;
	}
	if (err != POG_OK)
		return err;
	err = pog_oidc_parse_jws_header((const char *)head, hlen, alg, kid, errmsg);
	free(head);
	return err;
}

pog_err
pog_jwt_verify_rs256(const char *token, const char *pem, char **payload,
		     char **errmsg)
{
	struct token_parts tp;
	jwt_t *jwt = NULL;
	char *alg = NULL, *kid = NULL, *grants = NULL, *shown = NULL, *copy = NULL;
	size_t pemlen;
	int r;
	pog_err err;

	if (pem == NULL || payload == NULL)
		return POG_ERR_INVALID;
	err = token_split(token, &tp, errmsg);
	if (err != POG_OK)
		goto out;
	err = pog_jws_header(token, &alg, &kid, errmsg);
	if (err != POG_OK)
		goto out;
	err = POG_ERR_TOKEN;
	/*
	 * The algorithm is checked here, before libjwt runs. libjwt 1.10
	 * trusts the header's alg: given "HS256" and our PEM, it would use
	 * the PEM text, which is public, as the HMAC secret, and anyone
	 * could forge a token (the RS/HS key confusion attack). "none" and
	 * every other algorithm are refused the same way.
	 */
	if (alg == NULL || strcmp(alg, "RS256") != 0) {
		shown = pog_sanitize(alg != NULL ? alg : "(none)", TOKEN_MAX_SHOWN);
		pog_fail(errmsg, POG_ERR_TOKEN, "the token's algorithm %s is refused; only RS256 is "
			  "accepted", shown ? shown : "?");
		goto out;
	}
	if (tp.len[2] == 0) {
		pog_fail(errmsg, POG_ERR_TOKEN, "the token is not signed");
		goto out;
	}
	pemlen = strnlen(pem, TOKEN_MAX_PEM + 1);
	if (pemlen == 0 || pemlen > TOKEN_MAX_PEM) {
		pog_fail(errmsg, POG_ERR_TOKEN, "no usable key to verify the token with");
		err = POG_ERR_INVALID;
		goto out;
	}
	r = jwt_decode(&jwt, token, (const unsigned char *)pem, (int)pemlen);
	if (r != 0 || jwt == NULL) {
		/* libjwt leaves libcrypto errors behind; they would confuse
		 * the next TLS error report in this thread. */
		pog_jwk_clear_errors();
		pog_fail(errmsg, POG_ERR_TOKEN, "the token's signature is not valid");
		goto out;
	}
	if (jwt_get_alg(jwt) != JWT_ALG_RS256) {
		pog_fail(errmsg, POG_ERR_TOKEN, "the token's algorithm is not RS256");
		goto out;
	}
	grants = jwt_get_grants_json(jwt, NULL);
	if (grants == NULL) {
		pog_fail(errmsg, POG_ERR_TOKEN, "the token has no payload");
		goto out;
	}
	/* Our copy, so that the caller's free() never meets libjwt's allocator. */
	copy = strdup(grants);
	if (copy == NULL) {
		err = POG_ERR_NOMEM;
		goto out;
	}
	*payload = copy;
	err = POG_OK;
out:
	free(grants);
	jwt_free(jwt);
	free(shown);
	free(alg);
	free(kid);
	return err;
}
