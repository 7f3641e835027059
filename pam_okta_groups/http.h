/*
 * http.h - HTTPS requests. libcurl is included by http.c only.
 *
 * One handle serves every request of a login, so the TLS connection is
 * kept alive between the device request and the token polls.
 */
#ifndef POG_HTTP_H
#define POG_HTTP_H

#include "pog.h"
#include "util.h"

#define POG_HTTP_MAX_BODY (1024 * 1024)

struct pog_http;

struct pog_http_resp {
	long status;
	char *body;             /* NUL-terminated; may hold secrets (tokens) */
	size_t len;
	long retry_after;       /* seconds from Retry-After, or -1 */
	long max_age;           /* from Cache-Control max-age, or -1 */
};

/*
 * ca_file NULL: the system trust store. proxy NULL: none; the environment
 * is never consulted for one. timeout: seconds per request. Fails, and
 * logs why through io, while SSLKEYLOGFILE is set.
 */
pog_err pog_http_new(const char *ca_file, const char *proxy, long timeout,
		     const struct pog_io *io, struct pog_http **out);
void pog_http_free(struct pog_http *h);

/* GET; bearer (an access token) is sent as Authorization when non-NULL. */
pog_err pog_http_get(struct pog_http *h, const char *url, const char *bearer,
		     struct pog_http_resp *resp);

/* POST application/x-www-form-urlencoded; basic auth when user is non-NULL. */
pog_err pog_http_post_form(struct pog_http *h, const char *url,
			   const char *form, const char *user,
			   const char *password, struct pog_http_resp *resp);

/* Appends key=value, form-encoded, with '&' between pairs. */
pog_err pog_http_form_add(struct pog_buf *form, const char *key,
			  const char *value);

/* How many requests this handle made (for okta-groups and the benchmark). */
unsigned int pog_http_requests(const struct pog_http *h);

/* Frees the body, scrubbing it first since it may hold a token. */
void pog_http_resp_free(struct pog_http_resp *resp);

#endif /* POG_HTTP_H */
