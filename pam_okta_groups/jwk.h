/*
 * jwk.h - the internal interface between token.c (libjwt) and jwk.c
 * (libcrypto). Neither library's headers appear here.
 */
#ifndef POG_JWK_H
#define POG_JWK_H

#include <stddef.h>

#include "pog.h"

/*
 * Decodes len bytes of base64url (RFC 4648 5) without padding, strictly:
 * only the 64 characters of the alphabet, no '=', no white space, a length
 * that is not 1 modulo 4, and zero bits in the last character's unused
 * part (one encoding per value). *out is malloc'd and has a NUL after
 * its *outlen bytes. POG_ERR_INVALID for anything else.
 */
pog_err pog_b64url_decode(const char *s, size_t len, unsigned char **out,
			  size_t *outlen);

/* Empties this thread's libcrypto error queue (after libjwt fails). */
void pog_jwk_clear_errors(void);

#endif /* POG_JWK_H */
