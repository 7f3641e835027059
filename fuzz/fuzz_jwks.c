/*
 * fuzz_jwks.c - libFuzzer target for the key side of token verification:
 * pog_jwks_find_pem (oidc.c reads the JWKS, jwk.c builds the key) with a
 * fixed kid, and pog_jws_header on the same bytes taken as a token.
 *
 * The JWKS input has no NUL terminator; the token is a NUL-terminated
 * copy, as the token endpoint's parser hands it over.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *pem = NULL, *errmsg = NULL, *token, *alg = NULL, *kid = NULL;
	pog_err err;

	err = pog_jwks_find_pem((const char *)data, size, "k1", &pem, &errmsg);
	if (err == POG_OK) {
		if (pem == NULL || errmsg != NULL ||
		    strncmp(pem, "-----BEGIN PUBLIC KEY-----\n", 27) != 0)
			abort();
	} else if (pem != NULL || (err != POG_ERR_NOMEM && errmsg == NULL)) {
		abort();
	}
	free(pem);
	free(errmsg);
	errmsg = NULL;

	token = malloc(size + 1);
	if (token == NULL)
		return 0;
	memcpy(token, data, size);
	token[size] = '\0';
	if (pog_jws_header(token, &alg, &kid, &errmsg) != POG_OK &&
	    (alg != NULL || kid != NULL))
		abort();
	free(alg);
	free(kid);
	free(errmsg);
	free(token);
	return 0;
}
