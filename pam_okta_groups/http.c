/*
 * http.c - the only file that includes libcurl.
 *
 * Policy: https only, no redirects (an OpenID provider's API endpoints
 * do not redirect, and following one is how a request leaks to another
 * host), verified certificates, a connect and a total timeout, a cap on
 * the body, and no signals (CURLOPT_NOSIGNAL): this runs inside sshd.
 *
 * Nothing in the process environment steers a request: in a setuid
 * program (su, sudo, passwd) it is the caller's. libcurl 7.88 reads
 * these on our path, and each is neutralised here:
 *  - https_proxy, HTTPS_PROXY, all_proxy, ALL_PROXY (lib/url.c
 *    detect_proxy): CURLOPT_PROXY is always set, to the config's proxy
 *    or to "", which turns the lookup off;
 *  - no_proxy, NO_PROXY (lib/url.c, then lib/noproxy.c): CURLOPT_NOPROXY
 *    is always "", so nothing bypasses a configured proxy;
 *  - SSLKEYLOGFILE (lib/vtls/keylog.c Curl_tls_keylog_open, called by
 *    ossl_init in lib/vtls/openssl.c during curl_global_init, and then
 *    for every connection): no option turns it off, so pog_http_new
 *    refuses to run while it is set, before curl_global_init;
 *  - HOME (lib/netrc.c): read only for .netrc, which stays ignored
 *    (CURLOPT_NETRC is set to CURL_NETRC_IGNORED).
 * CURL_SSL_BACKEND is read only by multi-backend builds (lib/vtls/vtls.c);
 * CURL_CA_BUNDLE and SSL_CERT_DIR only by the curl tool (src/); the CA
 * bundle is then the build's (CURLINFO_CAINFO), with no OpenSSL default
 * paths fallback in Debian's build; CURL_DEBUG, CURL_ENTROPY and the like
 * only by debug builds; NTLMUSER only for NTLM_WB auth, never asked for.
 * OpenSSL reads OPENSSL_CONF (crypto/conf/conf_mod.c) with
 * ossl_safe_getenv, which ignores it in a setuid process.
 */
#include "config.h"

#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <curl/curl.h>

#include "http.h"

struct pog_http {
	CURL *curl;
	char *ca_file;
	bool capath_only;       /* no ca_file: the system's hashed folder alone */
	char *proxy;            /* NULL: none */
	long timeout;
	unsigned int requests;
	char errbuf[CURL_ERROR_SIZE];
};

struct sink {
	struct pog_buf body;
	bool too_big;
	long retry_after;
	long max_age;
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

static void
global_init(void)
{
	/* Once per process and never cleaned up: sshd and login load us
	 * many times, and curl_global_cleanup is not safe while other
	 * libraries of the host may still use curl. */
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/*
 * With no ca_file, the system store. libcurl's default is its bundle
 * (Debian: /etc/ssl/certs/ca-certificates.crt) and its hashed folder
 * (/etc/ssl/certs) both; OpenSSL then parses all of the bundle's ~150
 * certificates for every handshake (225,000 allocations, 30 ms of CPU),
 * where the folder gives the one a chain needs, by its subject's hash,
 * from the same set (update-ca-certificates writes both). So the folder
 * alone, where the build has one; the bundle alone where it has none.
 */
static bool
system_capath(CURL *c)
{
#if LIBCURL_VERSION_NUM >= 0x075400     /* CURLINFO_CAPATH: 7.84.0 */
	char *capath = NULL;
	struct stat st;

	return curl_easy_getinfo(c, CURLINFO_CAPATH, &capath) == CURLE_OK &&
	       capath != NULL && stat(capath, &st) == 0 && S_ISDIR(st.st_mode);
#else
	(void)c;
	return false;
#endif
}

pog_err
pog_http_new(const char *ca_file, const char *proxy, long timeout,
	     const struct pog_io *io, struct pog_http **out)
{
	struct pog_http *h;

	/* libcurl would append every TLS secret to this file, created with
	 * our privileges and the caller's umask; there is no option to stop
	 * it, so refuse while it is set. Checked on every call, so a
	 * curl_global_init made earlier by someone else is covered too. */
	if (getenv("SSLKEYLOGFILE") != NULL) {
		pog_log(io, LOG_ERR, "SSLKEYLOGFILE is set in the environment; "
			"refusing to make HTTPS requests that would log TLS secrets");
		return POG_ERR_SYSTEM;
	}
	if (pthread_once(&global_once, global_init) != 0 || global_rc != CURLE_OK)
		return POG_ERR_SYSTEM;
	h = calloc(1, sizeof(*h));
	if (h == NULL)
		return POG_ERR_NOMEM;
	h->curl = curl_easy_init();
	if (h->curl == NULL || (ca_file != NULL && (h->ca_file = strdup(ca_file)) == NULL) ||
	    (proxy != NULL && (h->proxy = strdup(proxy)) == NULL)) {
		pog_http_free(h);
		return POG_ERR_NOMEM;
	}
	h->timeout = timeout;
	h->capath_only = ca_file == NULL && system_capath(h->curl);
	*out = h;
	return POG_OK;
}

void
pog_http_free(struct pog_http *h)
{
	if (h == NULL)
		return;
	if (h->curl != NULL)
		curl_easy_cleanup(h->curl);
	free(h->ca_file);
	free(h->proxy);
	free(h);
}

unsigned int
pog_http_requests(const struct pog_http *h)
{
	return h->requests;
}

void
pog_http_resp_free(struct pog_http_resp *resp)
{
	if (resp == NULL)
		return;
	if (resp->body != NULL) {
		pog_memzero(resp->body, resp->len);
		free(resp->body);
	}
	memset(resp, 0, sizeof(*resp));
}

static size_t
on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct sink *s = userdata;
	size_t n = size * nmemb;

	if (s->body.len + n > POG_HTTP_MAX_BODY) {
		s->too_big = true;
		return 0;       /* aborts the transfer */
	}
	if (pog_buf_add(&s->body, ptr, n) != POG_OK)
		return 0;
	return n;
}

/* Parses a non-negative decimal number at p, up to a cap. */
static long
header_number(const char *p, const char *end)
{
	long v = 0;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p >= end || !isdigit((unsigned char)*p))
		return -1;
	while (p < end && isdigit((unsigned char)*p)) {
		v = v * 10 + (*p - '0');
		if (v > 86400)
			v = 86400;
		p++;
	}
	return v;
}

static size_t
on_header(char *buf, size_t size, size_t nitems, void *userdata)
{
	struct sink *s = userdata;
	size_t n = size * nitems;
	const char *end = buf + n;
	static const char ra[] = "retry-after:";
	static const char cc[] = "cache-control:";

	/* A new response (e.g. after a 100-continue) starts afresh. */
	if (n >= 5 && strncmp(buf, "HTTP/", 5) == 0) {
		s->retry_after = -1;
		s->max_age = -1;
	} else if (n > sizeof(ra) - 1 && strncasecmp(buf, ra, sizeof(ra) - 1) == 0) {
		/* Only the delta-seconds form; an HTTP date is treated as absent. */
		s->retry_after = header_number(buf + sizeof(ra) - 1, end);
	} else if (n > sizeof(cc) - 1 && strncasecmp(buf, cc, sizeof(cc) - 1) == 0) {
		const char *p = buf + sizeof(cc) - 1;

		for (; p + 8 <= end; p++) {
			if (strncasecmp(p, "no-store", 8) == 0 || strncasecmp(p, "no-cache", 8) == 0)
				s->max_age = 0;
			if (p + 8 <= end && strncasecmp(p, "max-age=", 8) == 0) {
				s->max_age = header_number(p + 8, end);
				break;
			}
		}
	}
	return n;
}

static pog_err
perform(struct pog_http *h, const char *url, struct curl_slist *headers,
	struct pog_http_resp *resp)
{
	CURL *c = h->curl;
	struct sink s = { .retry_after = -1, .max_age = -1 };
	CURLcode rc;
	long status = 0;
	pog_err err;

	if (strncasecmp(url, "https://", 8) != 0)
		return POG_ERR_CONFIG;

	/* Options common to every request; reset leaves the connection
	 * cache alone, so keep-alive still works. */
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (h->ca_file != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, h->ca_file);
	else if (h->capath_only)
		curl_easy_setopt(c, CURLOPT_CAINFO, NULL);      /* CAPATH stays */
	/* Never a proxy from the environment (see the top of this file):
	 * "" disables the lookup, and an empty no-proxy list exempts no host. */
	curl_easy_setopt(c, CURLOPT_PROXY, h->proxy != NULL ? h->proxy : "");
	curl_easy_setopt(c, CURLOPT_NOPROXY, "");
	curl_easy_setopt(c, CURLOPT_PRE_PROXY, NULL);
	curl_easy_setopt(c, CURLOPT_PROXY_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_PROXY_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_NETRC, (long)CURL_NETRC_IGNORED);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, h->timeout);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, h->timeout);
	/* A server that trickles a byte a second is cut off by the total
	 * timeout; this catches a stalled one sooner. */
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, h->timeout);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)POG_HTTP_MAX_BODY);
	curl_easy_setopt(c, CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, NULL);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &s);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->errbuf);
	h->errbuf[0] = '\0';

	h->requests++;
	rc = curl_easy_perform(c);
	if (s.too_big) {
		err = POG_ERR_PROTOCOL;
		goto out;
	}
	if (rc != CURLE_OK) {
		err = rc == CURLE_OUT_OF_MEMORY ? POG_ERR_NOMEM :
		      rc == CURLE_FILESIZE_EXCEEDED ? POG_ERR_PROTOCOL : POG_ERR_UNAVAIL;
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	resp->status = status;
	resp->len = s.body.len;
	resp->body = pog_buf_steal(&s.body);
	resp->retry_after = s.retry_after;
	resp->max_age = s.max_age;
	if (resp->body == NULL) {
		resp->len = 0;
		err = POG_ERR_NOMEM;
		goto out;
	}
	err = POG_OK;
out:
	if (s.body.data != NULL)
		pog_memzero(s.body.data, s.body.len);
	pog_buf_free(&s.body);
	/* Drop per-request state (headers, auth) but keep the connection. */
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(c, CURLOPT_USERNAME, NULL);
	curl_easy_setopt(c, CURLOPT_PASSWORD, NULL);
	curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_NONE);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, NULL);
	curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	return err;
}

pog_err
pog_http_get(struct pog_http *h, const char *url, const char *bearer,
	     struct pog_http_resp *resp)
{
	struct curl_slist *headers = NULL, *tmp;
	char *auth = NULL;
	pog_err err = POG_ERR_NOMEM;

	/* RFC 6750 b64token: nothing that could end the header line or
	 * start another one reaches curl. */
	if (bearer != NULL &&
	    (bearer[0] == '\0' || bearer[strspn(bearer, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		"abcdefghijklmnopqrstuvwxyz0123456789-._~+/=")] != '\0'))
		return POG_ERR_PROTOCOL;
	headers = curl_slist_append(NULL, "Accept: application/json");
	if (headers == NULL)
		goto out;
	if (bearer != NULL) {
		auth = pog_asprintf("Authorization: Bearer %s", bearer);
		if (auth == NULL || (tmp = curl_slist_append(headers, auth)) == NULL)
			goto out;
		headers = tmp;
	}
	curl_easy_setopt(h->curl, CURLOPT_HTTPGET, 1L);
	err = perform(h, url, headers, resp);
out:
	pog_free_secret(auth);
	if (headers != NULL) {
		/* The slist copied the bearer token; scrub it too. */
		for (tmp = headers; tmp != NULL; tmp = tmp->next)
			pog_memzero(tmp->data, strlen(tmp->data));
		curl_slist_free_all(headers);
	}
	return err;
}

pog_err
pog_http_post_form(struct pog_http *h, const char *url, const char *form,
		   const char *user, const char *password,
		   struct pog_http_resp *resp)
{
	struct curl_slist *headers = NULL, *tmp;
	char *euser = NULL, *epass = NULL;
	pog_err err = POG_ERR_NOMEM;

	headers = curl_slist_append(NULL, "Accept: application/json");
	if (headers == NULL)
		goto out;
	tmp = curl_slist_append(headers, "Content-Type: application/x-www-form-urlencoded");
	if (tmp == NULL)
		goto out;
	headers = tmp;
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, form);
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE, (long)strlen(form));
	if (user != NULL) {
		/* client_secret_basic: RFC 6749 2.3.1 form-encodes both
		 * parts before they are joined and base64-encoded. */
		euser = curl_easy_escape(NULL, user, 0);
		epass = curl_easy_escape(NULL, password != NULL ? password : "", 0);
		if (euser == NULL || epass == NULL)
			goto out;
		curl_easy_setopt(h->curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(h->curl, CURLOPT_USERNAME, euser);
		curl_easy_setopt(h->curl, CURLOPT_PASSWORD, epass);
	}
	err = perform(h, url, headers, resp);
out:
	curl_slist_free_all(headers);
	curl_free(euser);
	if (epass != NULL)
		pog_memzero(epass, strlen(epass));
	curl_free(epass);
	return err;
}

pog_err
pog_http_form_add(struct pog_buf *form, const char *key, const char *value)
{
	char *k, *v;
	pog_err err = POG_ERR_NOMEM;

	k = curl_easy_escape(NULL, key, 0);
	v = curl_easy_escape(NULL, value, 0);
	if (k == NULL || v == NULL)
		goto out;
	if (form->len > 0 && pog_buf_addstr(form, "&") != POG_OK)
		goto out;
	err = pog_buf_printf(form, "%s=%s", k, v);
out:
	curl_free(k);
	if (v != NULL)
		pog_memzero(v, strlen(v));
	curl_free(v);
	return err;
}
