/*
 * test-token.c - the ID token's signature: the JWS header, the JWKS key
 * as PEM, and RS256 verification. Keys are made at test time with
 * libcrypto; tokens are signed with libjwt, or by hand for the headers
 * libjwt will not write.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "jwk.h"
#include "tcheck.h"
#include "token.h"
#include "util.h"

/* libjwt writes the payload back with sorted keys and no spaces. */
#define PAYLOAD "{\"aud\":\"0oa1b2c3d4e5\",\"exp\":1700003600,\"groups\":[\"DevTeam\",\"Everyone\"]," \
	"\"iat\":1700000000,\"iss\":\"https://dev-1.okta.com/oauth2/default\"," \
	"\"preferred_username\":\"alice@example.com\",\"sub\":\"00u1a2b3c4d5\"}"

static void die(const char *what) __attribute__((noreturn));

static void
die(const char *what)
{
	fprintf(stderr, "test setup failed: %s\n", what);
	exit(99);
}

static char *
b64url(const unsigned char *p, size_t n)
{
	static const char abc[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	char *out = malloc(n / 3 * 4 + 5), *o = out;
	size_t i;

	if (out == NULL)
		die("malloc");
	for (i = 0; i + 3 <= n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];

		*o++ = abc[v >> 18];
		*o++ = abc[(v >> 12) & 63];
		*o++ = abc[(v >> 6) & 63];
		*o++ = abc[v & 63];
	}
	if (n - i == 1) {
		unsigned v = (unsigned)p[i] << 16;

		*o++ = abc[v >> 18];
		*o++ = abc[(v >> 12) & 63];
	} else if (n - i == 2) {
		unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8;

		*o++ = abc[v >> 18];
		*o++ = abc[(v >> 12) & 63];
		*o++ = abc[(v >> 6) & 63];
	}
	*o = '\0';
	return out;
}

static char *
b64url_str(const char *s)
{
	return b64url((const unsigned char *)s, strlen(s));
}

struct key {
	EVP_PKEY *pkey;
	char *priv_pem;
	char *pub_pem;
	char *n, *e;            /* base64url */
};

static char *
bio_string(BIO *bio)
{
	char *data = NULL, *s;
	long n = BIO_get_mem_data(bio, &data);

	if (n <= 0 || (s = strndup(data, (size_t)n)) == NULL)
		die("BIO");
	return s;
}

static char *
bn_b64url(const EVP_PKEY *pkey, const char *name, bool leading_zero)
{
	BIGNUM *bn = NULL;
	unsigned char *buf;
	char *s;
	int len;

	if (!EVP_PKEY_get_bn_param(pkey, name, &bn))
		die("EVP_PKEY_get_bn_param");
	len = BN_num_bytes(bn);
	buf = calloc(1, (size_t)len + 1);
	if (buf == NULL)
		die("calloc");
	BN_bn2bin(bn, buf + 1);
	s = leading_zero ? b64url(buf, (size_t)len + 1) : b64url(buf + 1, (size_t)len);
	free(buf);
	BN_free(bn);
	return s;
}

static void
key_make(struct key *k, unsigned bits)
{
	BIO *bio;

	k->pkey = EVP_RSA_gen(bits);
	if (k->pkey == NULL)
		die("EVP_RSA_gen");
	bio = BIO_new(BIO_s_mem());
	if (bio == NULL || !PEM_write_bio_PrivateKey(bio, k->pkey, NULL, NULL, 0, NULL, NULL))
		die("PEM_write_bio_PrivateKey");
	k->priv_pem = bio_string(bio);
	BIO_free(bio);
	bio = BIO_new(BIO_s_mem());
	if (bio == NULL || !PEM_write_bio_PUBKEY(bio, k->pkey))
		die("PEM_write_bio_PUBKEY");
	k->pub_pem = bio_string(bio);
	BIO_free(bio);
	k->n = bn_b64url(k->pkey, OSSL_PKEY_PARAM_RSA_N, false);
	k->e = bn_b64url(k->pkey, OSSL_PKEY_PARAM_RSA_E, false);
}

static void
key_free(struct key *k)
{
	EVP_PKEY_free(k->pkey);
	free(k->priv_pem);
	free(k->pub_pem);
	free(k->n);
	free(k->e);
}

/* Signs with libjwt, the way a provider using it would. */
static char *
jwt_sign(jwt_alg_t alg, const char *key, const char *kid, const char *payload)
{
	jwt_t *jwt = NULL;
	char *tok;

	if (jwt_new(&jwt) != 0)
		die("jwt_new");
	if (kid != NULL && jwt_add_header(jwt, "kid", kid) != 0)
		die("jwt_add_header");
	if (jwt_add_grants_json(jwt, payload) != 0)
		die("jwt_add_grants_json");
	if (jwt_set_alg(jwt, alg, (const unsigned char *)key, key ? (int)strlen(key) : 0) != 0)
		die("jwt_set_alg");
	tok = jwt_encode_str(jwt);
	if (tok == NULL)
		die("jwt_encode_str");
	jwt_free(jwt);
	return tok;
}

/* Signs header.payload by hand: RS256 with pkey, or HS256 with secret. */
static char *
raw_sign(const char *header, const char *payload, EVP_PKEY *pkey, const char *secret)
{
	char *h = b64url_str(header), *p = b64url_str(payload), *input, *sig, *tok;
	unsigned char mac[512];
	size_t maclen = sizeof(mac);

	input = pog_asprintf("%s.%s", h, p);
	if (input == NULL)
		die("asprintf");
	if (pkey != NULL) {
		EVP_MD_CTX *md = EVP_MD_CTX_new();

		if (md == NULL || EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, pkey) != 1 ||
		    EVP_DigestSign(md, mac, &maclen, (const unsigned char *)input, strlen(input)) != 1)
			die("EVP_DigestSign");
		EVP_MD_CTX_free(md);
	} else {
		if (EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, secret, strlen(secret),
			      (const unsigned char *)input, strlen(input), mac, sizeof(mac),
			      &maclen) == NULL)
			die("EVP_Q_mac");
	}
	sig = b64url(mac, maclen);
	tok = pog_asprintf("%s.%s", input, sig);
	free(h);
	free(p);
	free(input);
	free(sig);
	return tok;
}

static char *
jwks_of(const char *kid, const char *kty, const char *use, const char *n, const char *e)
{
	char *s = pog_asprintf("{\"keys\":[{\"kty\":\"%s\",\"kid\":\"%s\"%s%s%s,"
			       "\"alg\":\"RS256\",\"n\":\"%s\",\"e\":\"%s\"}]}",
			       kty, kid, use ? ",\"use\":\"" : "", use ? use : "",
			       use ? "\"" : "", n, e);

	if (s == NULL)
		die("asprintf");
	return s;
}

static char *
find_pem(const char *jwks, const char *kid, pog_err want)
{
	char *pem = NULL, *errmsg = NULL;
	pog_err err = pog_jwks_find_pem(jwks, strlen(jwks), kid, &pem, &errmsg);

	if (err != want)
		fprintf(stderr, "pog_jwks_find_pem(%s): got %d (%s), want %d\n", kid, err,
			errmsg ? errmsg : "", want);
	TC_EQ_INT(err, want);
	if (err == POG_OK)
		TC_CHECK(pem != NULL && errmsg == NULL);
	else
		TC_CHECK(pem == NULL && errmsg != NULL);
	free(errmsg);
	return pem;
}

/* Verifies, and checks the outcome; the payload on success. */
static char *
verify(const char *what, const char *token, const char *pem, pog_err want)
{
	char *payload = NULL, *errmsg = NULL;
	pog_err err = pog_jwt_verify_rs256(token, pem, &payload, &errmsg);

	if (err != want)
		fprintf(stderr, "verify %s: got %d (%s), want %d\n", what, err,
			errmsg ? errmsg : "", want);
	TC_EQ_INT(err, want);
	if (err == POG_OK)
		TC_CHECK(payload != NULL && errmsg == NULL);
	else
		TC_CHECK(payload == NULL && errmsg != NULL);
	free(errmsg);
	return payload;
}

static void
test_b64url(void)
{
	static const struct {
		const char *in;
		bool ok;
		const char *out;
	} cases[] = {
		{ "", true, "" },
		{ "QQ", true, "A" },
		{ "QUI", true, "AB" },
		{ "QUJD", true, "ABC" },
		{ "_-8", true, "\xff\xef" },
		{ "QQ==", false, NULL },        /* padding */
		{ "QUI=", false, NULL },
		{ "Q", false, NULL },           /* impossible length */
		{ "QR", false, NULL },          /* non-zero unused bits */
		{ "QUJ", false, NULL },
		{ "QU+D", false, NULL },        /* standard alphabet */
		{ "QU/D", false, NULL },
		{ "QU D", false, NULL },
		{ "QUJD\n", false, NULL },
		{ "QU.D", false, NULL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned char *out = NULL;
		size_t n = 99;
		pog_err err = pog_b64url_decode(cases[i].in, strlen(cases[i].in), &out, &n);

		TC_EQ_INT((err == POG_OK), cases[i].ok);
		if (err == POG_OK) {
			TC_CHECK(n == strlen(cases[i].out) && memcmp(out, cases[i].out, n) == 0);
			TC_EQ_INT(out[n], '\0');
		} else {
			TC_CHECK(out == NULL && n == 99);
		}
		free(out);
	}
	/* The length bounds the input, not a NUL. */
	{
		unsigned char *out = NULL;
		size_t n = 0;

		TC_ERR(pog_b64url_decode("QUJDxx", 4, &out, &n), POG_OK);
		TC_EQ_INT(n, 3);
		free(out);
	}
}

static void
test_header(void)
{
	static const struct {
		const char *token;
		pog_err err;
		const char *alg, *kid;
	} cases[] = {
		/* {"alg":"RS256","kid":"k1"} */
		{ "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.e30.c2ln", POG_OK, "RS256", "k1" },
		{ "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.e30.", POG_OK, "RS256", "k1" },
		/* {"alg":"none"} */
		{ "eyJhbGciOiJub25lIn0.e30.", POG_OK, "none", NULL },
		/* {} */
		{ "e30.e30.c2ln", POG_OK, NULL, NULL },
		{ "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.e30", POG_ERR_TOKEN, NULL, NULL },
		{ "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.e30.c2ln.c2ln", POG_ERR_TOKEN, NULL, NULL },
		{ "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0..c2ln", POG_ERR_TOKEN, NULL, NULL },
		{ ".e30.c2ln", POG_ERR_TOKEN, NULL, NULL },
		{ "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0=.e30.c2ln", POG_ERR_TOKEN, NULL, NULL },
		{ "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.e30.c2ln ", POG_ERR_TOKEN, NULL, NULL },
		{ "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.e3+0.c2ln", POG_ERR_TOKEN, NULL, NULL },
		{ "", POG_ERR_TOKEN, NULL, NULL },
		{ "..", POG_ERR_TOKEN, NULL, NULL },
		/* "RS256" (a string, not an object) */
		{ "IlJTMjU2Ig.e30.c2ln", POG_ERR_TOKEN, NULL, NULL },
		/* {"alg":"RS256","crit":["x"],"x":1} */
		{ "eyJhbGciOiJSUzI1NiIsImNyaXQiOlsieCJdLCJ4IjoxfQ.e30.c2ln", POG_ERR_TOKEN, NULL, NULL },
		/* {"alg":1} */
		{ "eyJhbGciOjF9.e30.c2ln", POG_ERR_TOKEN, NULL, NULL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *alg = NULL, *kid = NULL, *errmsg = NULL;
		pog_err err = pog_jws_header(cases[i].token, &alg, &kid, &errmsg);

		if (err != cases[i].err)
			fprintf(stderr, "header %s: got %d (%s)\n", cases[i].token, err,
				errmsg ? errmsg : "");
		TC_EQ_INT(err, cases[i].err);
		if (err == POG_OK) {
			if (cases[i].alg != NULL)
				TC_STREQ(alg, cases[i].alg);
			else
				TC_CHECK(alg == NULL);
			if (cases[i].kid != NULL)
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
	{
		char *alg = NULL, *kid = NULL, *errmsg = NULL;

		TC_ERR(pog_jws_header(NULL, &alg, &kid, &errmsg), POG_ERR_TOKEN);
		free(errmsg);
	}
}

static void
test_verify(void)
{
	struct key k1 = { 0 }, k2 = { 0 }, small = { 0 };
	char *jwks, *pem, *tok, *payload, *t2, *forged, *p;
	char *alg = NULL, *kid = NULL, *errmsg = NULL;

	key_make(&k1, 2048);
	key_make(&k2, 2048);
	key_make(&small, 1024);

	/* The key from the JWKS is the key: the same PEM OpenSSL writes. */
	jwks = jwks_of("k1", "RSA", "sig", k1.n, k1.e);
	pem = find_pem(jwks, "k1", POG_OK);
	TC_STREQ(pem, k1.pub_pem);

	/* A good token verifies, and the payload is the one signed. */
	tok = jwt_sign(JWT_ALG_RS256, k1.priv_pem, "k1", PAYLOAD);
	TC_ERR(pog_jws_header(tok, &alg, &kid, &errmsg), POG_OK);
	TC_STREQ(alg, "RS256");
	TC_STREQ(kid, "k1");
	free(alg);
	free(kid);
	payload = verify("good", tok, pem, POG_OK);
	TC_STREQ(payload, PAYLOAD);
	free(payload);

	/* A changed payload, or a changed signature, fails. */
	{
		char *other = b64url_str("{\"aud\":\"0oa1b2c3d4e5\",\"sub\":\"00u0root\"}");
		char *dot1 = strchr(tok, '.'), *dot2 = strrchr(tok, '.');

		t2 = pog_asprintf("%.*s.%s%s", (int)(dot1 - tok), tok, other, dot2);
		free(payload = verify("tampered payload", t2, pem, POG_ERR_TOKEN));
		free(t2);
		free(other);
		t2 = strdup(tok);
		p = t2 + strlen(t2) - 5;
		*p = *p == 'A' ? 'B' : 'A';
		free(payload = verify("tampered signature", t2, pem, POG_ERR_TOKEN));
		free(t2);
		/* No signature at all. */
		t2 = strndup(tok, (size_t)(dot2 - tok + 1));
		free(payload = verify("signature removed", t2, pem, POG_ERR_TOKEN));
		free(t2);
	}

	/* alg none is refused, even though the token is well formed. */
	t2 = jwt_sign(JWT_ALG_NONE, NULL, "k1", PAYLOAD);
	free(payload = verify("alg none", t2, pem, POG_ERR_TOKEN));
	free(t2);

	/*
	 * HS256 with the public PEM as the HMAC secret: anyone can make it.
	 * libjwt alone would accept it with our PEM; our check refuses it.
	 */
	forged = jwt_sign(JWT_ALG_HS256, pem, "k1", PAYLOAD);
	{
		jwt_t *j = NULL;

		if (jwt_decode(&j, forged, (const unsigned char *)pem, (int)strlen(pem)) == 0)
			printf("note: libjwt alone accepts the HS256 token forged with the PEM\n");
		jwt_free(j);
	}
	free(payload = verify("HS256 with the PEM", forged, pem, POG_ERR_TOKEN));
	free(forged);
	/* The same, by hand, with alg written twice: json-c and libjwt's
	 * parser must not disagree on which alg counts. */
	forged = raw_sign("{\"alg\":\"HS256\",\"alg\":\"RS256\",\"kid\":\"k1\"}", PAYLOAD, NULL, pem);
	free(payload = verify("HS256 then RS256", forged, pem, POG_ERR_TOKEN));
	free(forged);
	forged = raw_sign("{\"alg\":\"RS256\",\"alg\":\"HS256\",\"kid\":\"k1\"}", PAYLOAD, NULL, pem);
	free(payload = verify("RS256 then HS256", forged, pem, POG_ERR_TOKEN));
	free(forged);
	/* Case games. */
	forged = raw_sign("{\"alg\":\"rs256\",\"kid\":\"k1\"}", PAYLOAD, k1.pkey, NULL);
	free(payload = verify("rs256", forged, pem, POG_ERR_TOKEN));
	free(forged);
	/* A hand-made RS256 token is fine (no typ; Okta sends none). */
	t2 = raw_sign("{\"kid\":\"k1\",\"alg\":\"RS256\"}", PAYLOAD, k1.pkey, NULL);
	payload = verify("hand-made RS256", t2, pem, POG_OK);
	TC_STREQ(payload, PAYLOAD);
	free(payload);
	free(t2);
	/* crit is refused even when the signature is good. */
	t2 = raw_sign("{\"kid\":\"k1\",\"alg\":\"RS256\",\"crit\":[\"b64\"],\"b64\":false}",
		      PAYLOAD, k1.pkey, NULL);
	free(payload = verify("crit", t2, pem, POG_ERR_TOKEN));
	free(t2);

	/* Other RSA algorithms, correctly signed with the right key. */
	t2 = jwt_sign(JWT_ALG_RS384, k1.priv_pem, "k1", PAYLOAD);
	free(payload = verify("RS384", t2, pem, POG_ERR_TOKEN));
	free(t2);
	t2 = jwt_sign(JWT_ALG_RS512, k1.priv_pem, "k1", PAYLOAD);
	free(payload = verify("RS512", t2, pem, POG_ERR_TOKEN));
	free(t2);

	/* Signed by another key under the same kid. */
	t2 = jwt_sign(JWT_ALG_RS256, k2.priv_pem, "k1", PAYLOAD);
	free(payload = verify("another key", t2, pem, POG_ERR_TOKEN));
	free(t2);

	/* Junk in place of the key. */
	free(payload = verify("bad pem", tok, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
			      POG_ERR_TOKEN));
	free(payload = verify("empty pem", tok, "", POG_ERR_INVALID));
	free(payload = verify("junk token", "not a token", pem, POG_ERR_TOKEN));
	free(pem);
	free(jwks);

	/* The JWKS side. */
	jwks = jwks_of("k1", "RSA", "sig", k1.n, k1.e);
	TC_CHECK(find_pem(jwks, "k2", POG_ERR_INVALID) == NULL);
	TC_CHECK(find_pem(jwks, NULL, POG_ERR_TOKEN) == NULL);
	free(jwks);
	jwks = jwks_of("k1", "EC", "sig", k1.n, k1.e);
	TC_CHECK(find_pem(jwks, "k1", POG_ERR_TOKEN) == NULL);
	free(jwks);
	jwks = jwks_of("k1", "RSA", "enc", k1.n, k1.e);
	TC_CHECK(find_pem(jwks, "k1", POG_ERR_TOKEN) == NULL);
	free(jwks);
	jwks = jwks_of("k1", "RSA", NULL, k1.n, k1.e);
	free(find_pem(jwks, "k1", POG_OK));
	free(jwks);
	/* 1024 bits is too small, whatever the token. */
	jwks = jwks_of("k1", "RSA", "sig", small.n, small.e);
	TC_CHECK(find_pem(jwks, "k1", POG_ERR_TOKEN) == NULL);
	free(jwks);
	/* A 1024-bit modulus padded with zero bytes to 2048 bits' length. */
	{
		unsigned char buf[256] = { 0 };
		BIGNUM *bn = NULL;
		char *n;

		if (!EVP_PKEY_get_bn_param(small.pkey, OSSL_PKEY_PARAM_RSA_N, &bn))
			die("get n");
		BN_bn2binpad(bn, buf, (int)sizeof(buf));
		BN_free(bn);
		n = b64url(buf, sizeof(buf));
		jwks = jwks_of("k1", "RSA", "sig", n, small.e);
		TC_CHECK(find_pem(jwks, "k1", POG_ERR_TOKEN) == NULL);
		free(jwks);
		free(n);
	}
	/* One leading zero byte on a 2048-bit n is tolerated. */
	{
		char *n = bn_b64url(k1.pkey, OSSL_PKEY_PARAM_RSA_N, true);

		jwks = jwks_of("k1", "RSA", "sig", n, k1.e);
		pem = find_pem(jwks, "k1", POG_OK);
		free(payload = verify("leading zero n", tok, pem, POG_OK));
		free(pem);
		free(jwks);
		free(n);
	}
	/* Bad exponents and moduli. */
	{
		static const struct {
			const char *e;
			pog_err err;
		} es[] = {
			{ "AQ", POG_ERR_TOKEN },                /* 1 */
			{ "Ag", POG_ERR_TOKEN },                /* 2: even */
			{ "Aw", POG_OK },                       /* 3 */
			{ "AAEAAQ", POG_OK },                   /* 65537, a zero byte first */
			{ "AQAB=", POG_ERR_TOKEN },
			{ "AQ+B", POG_ERR_TOKEN },
			{ "", POG_ERR_TOKEN },
			{ "AQABAQABAQABAQAB", POG_ERR_TOKEN },  /* 96 bits */
		};
		char *even;

		for (size_t i = 0; i < sizeof(es) / sizeof(es[0]); i++) {
			jwks = jwks_of("k1", "RSA", "sig", k1.n, es[i].e);
			pem = find_pem(jwks, "k1", es[i].err);
			free(pem);
			free(jwks);
		}
		even = strdup(k1.n);
		p = even + strlen(even) - 1;
		/* Clear the lowest bit of the last full character. */
		even[strlen(even) - 2] = 'A';
		*p = 'A';
		jwks = jwks_of("k1", "RSA", "sig", even, k1.e);
		TC_CHECK(find_pem(jwks, "k1", POG_ERR_TOKEN) == NULL);
		free(jwks);
		free(even);
	}
	/* A kid with control characters never reaches a message raw. */
	{
		char *pemx = NULL;

		errmsg = NULL;
		jwks = jwks_of("k1", "RSA", "sig", k1.n, k1.e);
		TC_ERR(pog_jwks_find_pem(jwks, strlen(jwks), "k\033[2J", &pemx, &errmsg), POG_ERR_INVALID);
		TC_CHECK(errmsg != NULL && strchr(errmsg, '\033') == NULL);
		free(errmsg);
		free(jwks);
	}

	free(tok);
	key_free(&k1);
	key_free(&k2);
	key_free(&small);
}

int
main(void)
{
	test_b64url();
	test_header();
	test_verify();
	TC_DONE();
}
