/*
 * jwk.c - the RSA public key of a JWKS entry, as PEM for libjwt; and the
 * strict base64url decoder that token.c shares.
 *
 * Edge: the only file that includes libcrypto. The JWKS itself is read
 * by oidc.c (through json.h); this file only turns n and e into a key, refusing
 * keys that are too small or malformed.
 */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include "jwk.h"
#include "oidc.h"
#include "token.h"
#include "util.h"

#define JWK_MIN_BITS    2048
#define JWK_MAX_BITS    16384   /* OpenSSL's own ceiling for RSA */
#define JWK_MAX_E_BITS  64
#define JWK_MAX_BYTES   (JWK_MAX_BITS / 8 + 1)  /* a leading zero is tolerated */
#define JWK_MAX_SHOWN   64

void
pog_jwk_clear_errors(void)
{
	ERR_clear_error();
}

static int
jwk_b64url_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

pog_err
pog_b64url_decode(const char *s, size_t len, unsigned char **out, size_t *outlen)
{
	unsigned char *buf = NULL;
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t n, o = 0;
	pog_err err = POG_ERR_INVALID;

	if (s == NULL || out == NULL || outlen == NULL || len % 4 == 1)
		goto out;
	n = len / 4 * 3 + (len % 4 != 0 ? len % 4 - 1 : 0);
	buf = malloc(n + 1);
	if (buf == NULL) {
		err = POG_ERR_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < len; i++) {
		int v = jwk_b64url_value((unsigned char)s[i]);

		if (v < 0)
			goto out;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf[o++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	/* The unused low bits must be zero, or one value has many encodings. */
	if (acc != 0 || o != n)
		goto out;
	buf[n] = '\0';
	*out = buf;
	*outlen = n;
	buf = NULL;
	err = POG_OK;
out:
	free(buf);
	return err;
}

/* One unsigned big-endian integer of a JWK (RFC 7518 6.3.1). */
static BIGNUM *
jwk_bignum(const char *b64)
{
	unsigned char *raw = NULL;
	size_t rawlen = 0;
	BIGNUM *bn = NULL;

	if (pog_b64url_decode(b64, strlen(b64), &raw, &rawlen) != POG_OK)
		return NULL;
	if (rawlen > 0 && rawlen <= JWK_MAX_BYTES)
		bn = BN_bin2bn(raw, (int)rawlen, NULL);
	free(raw);
	return bn;
}

/* Builds the public key from n and e and writes it as SubjectPublicKeyInfo PEM. */
static pog_err
jwk_rsa_pem(const char *n64, const char *e64, const char *shown, char **pem,
	    char **errmsg)
{
	BIGNUM *n = NULL, *e = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	BIO *bio = NULL;
	char *data = NULL, *copy = NULL;
	long dlen;
	int bits;
	pog_err err = POG_ERR_TOKEN;

	n = jwk_bignum(n64);
	e = jwk_bignum(e64);
	if (n == NULL || e == NULL) {
		pog_fail(errmsg, POG_ERR_TOKEN, "the JWKS key %s has a malformed n or e", shown);
		goto out;
	}
	bits = BN_num_bits(n);
	if (bits < JWK_MIN_BITS) {
		pog_fail(errmsg, POG_ERR_TOKEN, "the JWKS key %s is a %d-bit RSA key; at least %d bits "
			"are required", shown, bits, JWK_MIN_BITS);
		goto out;
	}
	if (bits > JWK_MAX_BITS || !BN_is_odd(n)) {
		pog_fail(errmsg, POG_ERR_TOKEN, "the JWKS key %s has an invalid modulus", shown);
		goto out;
	}
	if (!BN_is_odd(e) || BN_num_bits(e) < 2 || BN_num_bits(e) > JWK_MAX_E_BITS) {
		pog_fail(errmsg, POG_ERR_TOKEN, "the JWKS key %s has an invalid exponent", shown);
		goto out;
	}

	err = POG_ERR_NOMEM;
	bld = OSSL_PARAM_BLD_new();
	if (bld == NULL ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	if (params == NULL)
		goto out;
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (ctx == NULL)
		goto out;
	if (EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
		pog_fail(errmsg, POG_ERR_TOKEN, "the JWKS key %s is not a usable RSA key", shown);
		err = POG_ERR_TOKEN;
		goto out;
	}
	bio = BIO_new(BIO_s_mem());
	if (bio == NULL || PEM_write_bio_PUBKEY(bio, pkey) != 1)
		goto out;
	dlen = BIO_get_mem_data(bio, &data);
	if (dlen <= 0 || data == NULL) {
		err = POG_ERR_SYSTEM;
		goto out;
	}
	copy = strndup(data, (size_t)dlen);
	if (copy == NULL)
		goto out;
	*pem = copy;
	err = POG_OK;
out:
	if (err != POG_OK)
		ERR_clear_error();
	BIO_free(bio);
	EVP_PKEY_free(pkey);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return err;
}

pog_err
pog_jwks_find_pem(const char *jwks, size_t len, const char *kid, char **pem,
		  char **errmsg)
{
	char *n = NULL, *e = NULL, *shown = NULL;
	pog_err err;

	if (pem == NULL)
		return POG_ERR_INVALID;
	if (kid == NULL) {
		pog_fail(errmsg, POG_ERR_TOKEN, "the token does not name its key (no kid)");
		return POG_ERR_TOKEN;
	}
	err = pog_oidc_parse_jwks(jwks, len, kid, &n, &e, errmsg);
	if (err != POG_OK)
		goto out;
	shown = pog_sanitize(kid, JWK_MAX_SHOWN);
	if (shown == NULL) {
		err = POG_ERR_NOMEM;
		goto out;
	}
	err = jwk_rsa_pem(n, e, shown, pem, errmsg);
out:
	free(shown);
	free(n);
	free(e);
	return err;
}
