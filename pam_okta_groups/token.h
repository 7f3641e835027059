/*
 * token.h - the ID token's signature: the JWKS, the RSA key, and RS256.
 *
 * Edge: libjwt is included by token.c only, and libcrypto by jwk.c only.
 */
#ifndef POG_TOKEN_H
#define POG_TOKEN_H

#include "pog.h"

/*
 * Reads the header of a compact JWS without trusting it: its alg and kid
 * (either may come back NULL when absent). Pure; no verification.
 */
pog_err pog_jws_header(const char *token, char **alg, char **kid,
		       char **errmsg);

/*
 * Finds the key kid in a JWKS document and returns it as a PEM public
 * key. Only kty RSA with use "sig" (or no use) and alg RS256 (or no alg)
 * is accepted; n and e are base64url. POG_ERR_INVALID when the kid is not
 * there (the caller may refetch once); POG_ERR_TOKEN for a key that is
 * there but not usable.
 */
pog_err pog_jwks_find_pem(const char *jwks, size_t len, const char *kid,
			  char **pem, char **errmsg);

/*
 * Verifies an RS256 compact JWS with the PEM key and, on success, returns
 * its payload as JSON text. Any other algorithm is refused before the
 * signature is looked at.
 */
pog_err pog_jwt_verify_rs256(const char *token, const char *pem,
			     char **payload, char **errmsg);

#endif /* POG_TOKEN_H */
