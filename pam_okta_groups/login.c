/*
 * login.c - the device flow from discovery to a verified, bound identity.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "claims.h"
#include "http.h"
#include "ledger.h"
#include "login.h"
#include "map.h"
#include "oidc.h"
#include "policy.h"
#include "prompt.h"
#include "token.h"
#include "util.h"

/* An unknown kid refetches the JWKS at most this often, across logins,
 * so tokens with made-up kids cannot turn every login into a fetch. */
#define JWKS_REFETCH_MIN_AGE 60

struct flow {
	const struct pog_config *cfg;
	const struct pog_io *io;
	struct pog_http *http;
	char *scope;            /* what cache entries are valid under */
	struct pog_discovery disc;
	char *jwks;
	size_t jwks_len;
	bool jwks_fetched;      /* fetched during this login */
	struct pog_login_stats stats;
};

const char *
pog_user_message(pog_err err)
{
	switch (err) {
	case POG_OK:
		return "Signed in.";
	case POG_ERR_UNAVAIL:
		return "The identity provider cannot be reached; try again later.";
	case POG_ERR_CONFIG:
		return "Okta sign-in is not set up correctly on this host; contact your administrator.";
	case POG_ERR_DENIED:
		return "The sign-in was denied.";
	case POG_ERR_EXPIRED:
		return "The sign-in code expired before it was approved.";
	case POG_ERR_TOKEN:
	case POG_ERR_PROTOCOL:
		return "The identity provider's answer could not be verified.";
	case POG_ERR_USER:
		return "The Okta account that approved this sign-in may not log in to this account.";
	case POG_ERR_CONV:
		return "The sign-in was cancelled.";
	case POG_ERR_NOBINDING:
		return "No Okta group grants access to this host.";
	case POG_ERR_PINNED:
		return "This account is bound to a different Okta user; an administrator "
		       "must run okta-groups users rebind for it.";
	case POG_ERR_WEAK:
		return "This host needs a stronger sign-in.";
	case POG_ERR_NOMEM:
	case POG_ERR_SYSTEM:
	case POG_ERR_INVALID:
		break;
	}
	return "The sign-in failed because of a system error.";
}

const char *
pog_login_message(pog_err err, const struct pog_login_stats *stats)
{
	if (err != POG_OK && stats != NULL && stats->message[0] != '\0')
		return stats->message;
	return pog_user_message(err);
}

/*
 * Logs "what: why" and returns as, the outcome that the face reports,
 * unless the fault was memory: that stays POG_ERR_NOMEM.
 */
static pog_err
flow_fail(const struct flow *f, pog_err err, pog_err as, const char *what,
	  const char *why)
{
	pog_log(f->io, LOG_ERR, "%s: %s", what, why != NULL ? why : pog_strerror(err));
	return err == POG_ERR_NOMEM ? err : as;
}

/* Keeps the one sentence that tells the user more than the error's own. */
static void
flow_say(struct flow *f, const char *sentence)
{
	snprintf(f->stats.message, sizeof(f->stats.message), "%s", sentence);
}

static void
flow_free(struct flow *f)
{
	pog_http_free(f->http);
	free(f->scope);
	pog_discovery_free(&f->disc);
	free(f->jwks);
	memset(f, 0, sizeof(*f));
}

/* Maps an HTTP failure: the provider is unreachable or broken. */
static pog_err
http_status_err(const struct flow *f, const char *what, long status)
{
	pog_log(f->io, LOG_ERR, "%s: unexpected HTTP status %ld", what, status);
	return status >= 500 || status == 429 ? POG_ERR_UNAVAIL : POG_ERR_PROTOCOL;
}

/* A failed cache write costs a refetch next time, nothing more. */
static void
keep(struct flow *f, const char *what, const char *url, long max_age,
     const char *body, size_t len)
{
	if (pog_cache_put(f->cfg->cache_dir, f->scope, url, time(NULL), max_age, body,
			  len) != POG_OK)
		pog_log(f->io, LOG_DEBUG, "%s: cannot write the cache in %s", what,
			f->cfg->cache_dir);
}

/*
 * GETs url, or takes it from the cache. A fresh copy is cached at once
 * when max_age is NULL; otherwise its max-age is handed back, and the
 * caller caches it only once it has checked it.
 */
static pog_err
fetch(struct flow *f, const char *what, const char *url, bool use_cache,
      char **body, size_t *len, bool *cached, long *max_age)
{
	struct pog_http_resp r = { 0 };
	pog_err err;

	*cached = false;
	if (use_cache &&
	    pog_cache_get(f->cfg->cache_dir, f->scope, url, time(NULL), body, len) == POG_OK) {
		*cached = true;
		return POG_OK;
	}
	err = pog_http_get(f->http, url, NULL, &r);
	if (err != POG_OK) {
		pog_log(f->io, LOG_ERR, "%s: request failed: %s", what, pog_strerror(err));
		return err;
	}
	if (r.status != 200) {
		err = http_status_err(f, what, r.status);
		pog_http_resp_free(&r);
		return err;
	}
	if (max_age == NULL)
		keep(f, what, url, r.max_age, r.body, r.len);
	else
		*max_age = r.max_age;
	*body = r.body;
	*len = r.len;
	r.body = NULL;
	pog_http_resp_free(&r);
	return POG_OK;
}

static char *
discovery_url(const char *issuer)
{
	size_t n = strlen(issuer);

	/* OIDC Discovery 4: the path is appended to the issuer, whatever
	 * it holds: /oauth2/default for a custom server, none for the org's. */
	if (n > 0 && issuer[n - 1] == '/')
		n--;
	return pog_asprintf("%.*s/.well-known/openid-configuration", (int)n, issuer);
}

static pog_err
discover(struct flow *f)
{
	char *url = discovery_url(f->cfg->issuer), *body = NULL, *errmsg = NULL;
	size_t len = 0;
	bool cached = false, use_cache = true;
	long max_age = -1;
	pog_err err;

	if (url == NULL)
		return POG_ERR_NOMEM;
	for (;;) {
		err = fetch(f, "discovery", url, use_cache, &body, &len, &cached, &max_age);
		if (err != POG_OK)
			break;
		err = pog_oidc_parse_discovery(body, len, f->cfg->issuer, &f->disc, &errmsg);
		/* Endpoints elsewhere than the issuer's host would take the
		 * device code, the client secret and the keys with them. */
		if (err == POG_OK) {
			err = pog_oidc_check_endpoints(&f->disc, f->cfg->issuer,
						       &f->cfg->endpoint_hosts, &errmsg);
			if (err != POG_OK)
				pog_discovery_free(&f->disc);
		}
		if (err == POG_OK) {
			/* Only a document that passed every check is kept. */
			if (!cached)
				keep(f, "discovery", url, max_age, body, len);
			break;
		}
		if (err == POG_ERR_NOMEM)
			break;
		pog_log(f->io, LOG_ERR, "discovery %s: %s", url,
			errmsg ? errmsg : pog_strerror(err));
		/* A bad copy must not outlive the fault: forget it, and if it
		 * came from the cache, ask the provider once more. */
		(void)pog_cache_drop(f->cfg->cache_dir, f->scope, url);
		free(errmsg);
		free(body);
		errmsg = body = NULL;
		err = POG_ERR_PROTOCOL;
		if (!cached)
			break;
		use_cache = false;
	}
	f->stats.discovery_cached = cached;
	free(errmsg);
	free(body);
	free(url);
	return err;
}

static pog_err
get_jwks(struct flow *f, bool force)
{
	bool cached = false;
	pog_err err;

	free(f->jwks);
	f->jwks = NULL;
	f->stats.jwks_used = true;
	err = fetch(f, "jwks", f->disc.jwks_uri, !force, &f->jwks, &f->jwks_len, &cached,
		    NULL);
	if (err == POG_OK && !cached)
		f->jwks_fetched = true;
	f->stats.jwks_cached = cached;
	return err;
}

static char *
scope_string(const struct pog_config *cfg)
{
	struct pog_buf b = { 0 };

	for (size_t i = 0; i < cfg->scopes.n; i++) {
		if ((i > 0 && pog_buf_addstr(&b, " ") != POG_OK) ||
		    pog_buf_addstr(&b, cfg->scopes.v[i]) != POG_OK) {
			pog_buf_free(&b);
			return NULL;
		}
	}
	return pog_buf_steal(&b);
}

/* Explains an OAuth error from the device endpoint in plain words. */
static pog_err
device_error(struct flow *f, const struct pog_http_resp *r)
{
	char *code = pog_oidc_error_code(r->body, r->len);
	pog_err err;

	if (r->status >= 500 || r->status == 429)
		err = POG_ERR_UNAVAIL;
	else if (code != NULL && (strcmp(code, "invalid_client") == 0 ||
				  strcmp(code, "unauthorized_client") == 0 ||
				  strcmp(code, "invalid_scope") == 0))
		err = POG_ERR_CONFIG;
	else if (code != NULL && strcmp(code, "access_denied") == 0)
		err = POG_ERR_DENIED;
	else
		err = POG_ERR_PROTOCOL;
	pog_log(f->io, LOG_ERR, "device authorization refused: HTTP %ld, error %s%s",
		r->status, code ? code : "(none)",
		err == POG_ERR_CONFIG ? " (check client_id, the client secret, the "
		"Device Authorization grant and the scopes of the app)" :
		err == POG_ERR_DENIED ? " (is the user assigned to the app, and does "
		"an access policy allow the device grant?)" : "");
	free(code);
	return err;
}

static pog_err
device_authorize(struct flow *f, struct pog_device_auth *da)
{
	const struct pog_config *cfg = f->cfg;
	struct pog_buf form = { 0 };
	struct pog_http_resp r = { 0 };
	char *scope = scope_string(cfg), *errmsg = NULL;
	pog_err err = POG_ERR_NOMEM;

	if (scope == NULL)
		goto out;
	if (pog_http_form_add(&form, "client_id", cfg->client_id) != POG_OK ||
	    pog_http_form_add(&form, "scope", scope) != POG_OK)
		goto out;
	err = pog_http_post_form(f->http, f->disc.device_authorization_endpoint,
				 form.data,
				 cfg->client_secret ? cfg->client_id : NULL,
				 cfg->client_secret, &r);
	if (err != POG_OK) {
		pog_log(f->io, LOG_ERR, "device authorization: request failed: %s",
			pog_strerror(err));
		goto out;
	}
	if (r.status != 200) {
		err = device_error(f, &r);
		/* Nobody was asked yet: the provider refused to start. */
		if (err == POG_ERR_DENIED)
			flow_say(f, "The identity provider refused to start an Okta "
				 "sign-in for this host; contact your administrator.");
		goto out;
	}
	err = pog_oidc_parse_device(r.status, r.body, r.len, da, &errmsg);
	if (err != POG_OK)
		err = flow_fail(f, err, POG_ERR_PROTOCOL, "device authorization", errmsg);
out:
	free(errmsg);
	free(scope);
	pog_buf_free(&form);
	pog_http_resp_free(&r);
	return err;
}

/* Sleeps until the monotonic time t; nanosleep, so no signal handler. */
static void
sleep_until(double t)
{
	for (;;) {
		double left = t - pog_now_mono();
		struct timespec ts;

		if (left <= 0)
			return;
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
		if (nanosleep(&ts, NULL) == 0)
			return;
		if (errno != EINTR)
			return;
	}
}

struct poll_state {
	double deadline;        /* monotonic */
	double next_poll;       /* monotonic: not before this */
	long interval;
};

/*
 * One token request. Returns POG_OK with *tr filled for every answer the
 * protocol defines, including "pending"; an error for everything else.
 */
static pog_err
poll_token(struct flow *f, const struct pog_device_auth *da,
	   struct poll_state *ps, struct pog_token_resp *tr)
{
	const struct pog_config *cfg = f->cfg;
	struct pog_buf form = { 0 };
	struct pog_http_resp r = { 0 };
	char *errmsg = NULL;
	pog_err err = POG_ERR_NOMEM;

	if (pog_http_form_add(&form, "grant_type", POG_DEVICE_GRANT) != POG_OK ||
	    pog_http_form_add(&form, "device_code", da->device_code) != POG_OK ||
	    pog_http_form_add(&form, "client_id", cfg->client_id) != POG_OK)
		goto out;
	sleep_until(ps->next_poll);
	f->stats.polls++;
	err = pog_http_post_form(f->http, f->disc.token_endpoint, form.data,
				 cfg->client_secret ? cfg->client_id : NULL,
				 cfg->client_secret, &r);
	ps->next_poll = pog_now_mono() + (double)ps->interval;
	if (err != POG_OK) {
		pog_log(f->io, LOG_ERR, "token: request failed: %s", pog_strerror(err));
		goto out;
	}
	if (r.status == 429) {
		/* Rate limited: wait as told, and at least one interval. */
		long wait = r.retry_after > ps->interval ? r.retry_after : ps->interval;

		pog_log(f->io, LOG_NOTICE, "token: rate limited (HTTP 429), waiting %ld s", wait);
		ps->next_poll = pog_now_mono() + (double)wait;
		memset(tr, 0, sizeof(*tr));
		tr->status = POG_TOKEN_SLOW_DOWN;
		goto out;
	}
	err = pog_oidc_parse_token(r.status, r.body, r.len, tr, &errmsg);
	if (err != POG_OK) {
		pog_log(f->io, LOG_ERR, "token: HTTP %ld: %s", r.status,
			errmsg ? errmsg : pog_strerror(err));
		if (err != POG_ERR_NOMEM)
			err = r.status >= 500 ? POG_ERR_UNAVAIL : POG_ERR_PROTOCOL;
		goto out;
	}
	if (tr->status == POG_TOKEN_SLOW_DOWN) {
		/* RFC 8628 3.5: add 5 seconds, for this and every later poll. */
		ps->interval += 5;
		ps->next_poll = pog_now_mono() + (double)ps->interval;
		pog_log(f->io, LOG_DEBUG, "token: slow_down, interval now %ld s", ps->interval);
	}
out:
	free(errmsg);
	pog_memzero(form.data, form.len);
	pog_buf_free(&form);
	pog_http_resp_free(&r);
	return err;
}

/* Turns a final token status into an outcome, logging why. */
static pog_err
token_outcome(struct flow *f, const struct pog_token_resp *tr)
{
	switch (tr->status) {
	case POG_TOKEN_OK:
		return POG_OK;
	case POG_TOKEN_EXPIRED:
		pog_log(f->io, LOG_NOTICE, "token: the provider reports that the device code expired (expired_token)");
		return POG_ERR_EXPIRED;
	case POG_TOKEN_DENIED:
		pog_log(f->io, LOG_NOTICE, "token: access_denied (the user refused, or is not assigned to the app)");
		return POG_ERR_DENIED;
	case POG_TOKEN_ERROR:
		pog_log(f->io, LOG_ERR, "token: error %s", tr->error ? tr->error : "(none)");
		return tr->error != NULL && strcmp(tr->error, "invalid_client") == 0 ?
		       POG_ERR_CONFIG : POG_ERR_PROTOCOL;
	case POG_TOKEN_PENDING:
	case POG_TOKEN_SLOW_DOWN:
		break;
	}
	return POG_ERR_PROTOCOL;
}

static bool
want_enter(const struct pog_config *cfg, const char *service, const struct pog_io *io)
{
	if (cfg->prompt == POG_PROMPT_ENTER)
		return true;
	if (cfg->prompt == POG_PROMPT_POLL)
		return false;
	/* sshd shows text only along with a prompt, and without a terminal
	 * there is nobody to watch a poll. */
	return (service != NULL && strcmp(service, "sshd") == 0) || !io->tty;
}

/* The wait ran out: says which limit ended it, the host's or the code's. */
static pog_err
wait_expired(struct flow *f, const struct pog_device_auth *da, const struct poll_state *ps,
	     long budget)
{
	long waited = (long)(pog_now_mono() - (ps->deadline - (double)budget) + 0.5);

	if (f->cfg->approval_timeout < da->expires_in) {
		pog_log(f->io, LOG_NOTICE, "token: no approval within approval_timeout "
			"(%ld s), after %ld s; the code had %ld s of its expires_in left",
			budget, waited, da->expires_in - waited);
		flow_say(f, "The sign-in was not approved in the time this host "
			 "allows (approval_timeout); try again.");
	} else {
		pog_log(f->io, LOG_NOTICE, "token: no approval before the code's expires_in "
			"(%ld s) ran out, after %ld s", da->expires_in, waited);
	}
	return POG_ERR_EXPIRED;
}

/* The prompt could not be shown, or was not answered. */
static pog_err
conv_failed(struct flow *f, const char *how)
{
	pog_log(f->io, LOG_NOTICE, "prompt: the conversation failed while %s "
		"(cancelled, or the client cannot show prompts)", how);
	return POG_ERR_CONV;
}

/*
 * Waits for approval. In enter mode the user is asked, and after Enter
 * the token endpoint is asked at once (within interval of the last
 * poll), so one who approved first is answered by one request.
 */
static pog_err
wait_for_token(struct flow *f, const char *user, const char *service,
	       const struct pog_device_auth *da, struct pog_token_resp *tr)
{
	const struct pog_io *io = f->io;
	bool enter = want_enter(f->cfg, service, io);
	long budget = f->cfg->approval_timeout < da->expires_in ?
		      f->cfg->approval_timeout : da->expires_in;
	struct poll_state ps = {
		.deadline = pog_now_mono() + (double)budget,
		.next_poll = 0,
		.interval = da->interval,
	};
	struct pog_prompt_args pa = {
		.user = user, .da = da, .enter = enter,
		.qr = f->cfg->qr == POG_QR_YES ||
		      (f->cfg->qr == POG_QR_AUTO && da->verification_uri_complete != NULL),
	};
	bool asked = false;
	pog_err err;

	if (!enter) {
		char *text = NULL;

		pa.seconds_left = budget;
		err = pog_prompt_text(&pa, &text);
		if (err != POG_OK) {
			pog_log(io, LOG_ERR, "prompt: %s", pog_strerror(err));
			return err;
		}
		if (io->info == NULL || io->info(io->ctx, text) != 0) {
			free(text);
			return conv_failed(f, "showing the code");
		}
		free(text);
		ps.next_poll = pog_now_mono() + (double)ps.interval;
	}

	for (;;) {
		double now = pog_now_mono();

		if (now >= ps.deadline)
			return wait_expired(f, da, &ps, budget);
		if (enter && !asked) {
			char *text = NULL, *answer = NULL;

			pa.seconds_left = (long)(ps.deadline - now);
			err = pog_prompt_text(&pa, &text);
			if (err != POG_OK) {
				pog_log(io, LOG_ERR, "prompt: %s", pog_strerror(err));
				return err;
			}
			if (io->ask == NULL || io->ask(io->ctx, text, true, &answer) != 0) {
				free(text);
				return conv_failed(f, "waiting for Enter");
			}
			free(text);
			free(answer);
			pa.again = true;
			asked = true;
			if (pog_now_mono() >= ps.deadline)
				continue;
		}
		/* The next poll would fall past the deadline. */
		if (ps.next_poll > ps.deadline)
			return wait_expired(f, da, &ps, budget);

		memset(tr, 0, sizeof(*tr));
		err = poll_token(f, da, &ps, tr);
		if (err != POG_OK)
			return err;
		switch (tr->status) {
		case POG_TOKEN_PENDING:
			asked = false;  /* enter: ask again; poll: wait */
			break;
		case POG_TOKEN_SLOW_DOWN:
			break;          /* poll again after the longer wait */
		default:
			return token_outcome(f, tr);
		}
		pog_token_resp_free(tr);
	}
}

/* Whether the cached JWKS is old enough to be refetched for an unknown kid. */
static bool
jwks_may_refetch(const struct flow *f)
{
	long age = 0;

	if (pog_cache_age(f->cfg->cache_dir, f->scope, f->disc.jwks_uri, time(NULL), &age) != POG_OK)
		return true;
	if (age >= JWKS_REFETCH_MIN_AGE)
		return true;
	pog_log(f->io, LOG_NOTICE, "ID token: unknown kid, and the JWKS was fetched %ld s ago; not refetching", age);
	return false;
}

static pog_err
verify_id_token(struct flow *f, const char *id_token, char **payload)
{
	char *alg = NULL, *kid = NULL, *pem = NULL, *errmsg = NULL;
	pog_err err;

	err = pog_jws_header(id_token, &alg, &kid, &errmsg);
	if (err != POG_OK)
		goto fail;
	if (alg == NULL || strcmp(alg, "RS256") != 0) {
		char *clean = pog_sanitize(alg ? alg : "(none)", 32);

		pog_log(f->io, LOG_ERR, "ID token: algorithm %s refused, only RS256 is accepted",
			clean ? clean : "?");
		free(clean);
		err = POG_ERR_TOKEN;
		goto out;
	}
	if (kid == NULL) {
		pog_log(f->io, LOG_ERR, "ID token: no kid in the header");
		err = POG_ERR_TOKEN;
		goto out;
	}
	err = get_jwks(f, false);
	if (err != POG_OK)
		goto out;
	err = pog_jwks_find_pem(f->jwks, f->jwks_len, kid, &pem, &errmsg);
	if (err == POG_ERR_PROTOCOL) {
		/* The document itself is broken: forget it, and if it came
		 * from the cache, ask the provider once more. */
		pog_log(f->io, LOG_ERR, "jwks: %s", errmsg ? errmsg : pog_strerror(err));
		(void)pog_cache_drop(f->cfg->cache_dir, f->scope, f->disc.jwks_uri);
		if (!f->jwks_fetched) {
			free(errmsg);
			errmsg = NULL;
			err = get_jwks(f, true);
			if (err != POG_OK)
				goto out;
			err = pog_jwks_find_pem(f->jwks, f->jwks_len, kid, &pem, &errmsg);
			if (err == POG_ERR_PROTOCOL)
				(void)pog_cache_drop(f->cfg->cache_dir, f->scope, f->disc.jwks_uri);
		}
	} else if (err == POG_ERR_INVALID && !f->jwks_fetched && jwks_may_refetch(f)) {
		/* The provider may have rotated its keys: refetch once. */
		pog_log(f->io, LOG_INFO, "ID token: unknown kid, refetching the JWKS");
		free(errmsg);
		errmsg = NULL;
		err = get_jwks(f, true);
		if (err != POG_OK)
			goto out;
		err = pog_jwks_find_pem(f->jwks, f->jwks_len, kid, &pem, &errmsg);
	}
	if (err != POG_OK)
		goto fail;
	err = pog_jwt_verify_rs256(id_token, pem, payload, &errmsg);
	if (err != POG_OK)
		goto fail;
	goto out;
fail:
	err = flow_fail(f, err, POG_ERR_TOKEN, "ID token", errmsg);
out:
	free(errmsg);
	free(pem);
	free(alg);
	free(kid);
	return err;
}

static pog_err
read_userinfo_groups(struct flow *f, const char *access_token, const char *sub,
		     struct pog_identity *id)
{
	struct pog_http_resp r = { 0 };
	char *errmsg = NULL, *uisub = NULL;
	pog_err err;

	if (f->disc.userinfo_endpoint == NULL || access_token == NULL) {
		pog_log(f->io, LOG_ERR, "groups: userinfo is needed but the provider offers %s",
			f->disc.userinfo_endpoint == NULL ? "no userinfo endpoint" : "no access token");
		return POG_ERR_PROTOCOL;
	}
	err = pog_http_get(f->http, f->disc.userinfo_endpoint, access_token, &r);
	if (err != POG_OK) {
		pog_log(f->io, LOG_ERR, "userinfo: request failed: %s", pog_strerror(err));
		return err;
	}
	if (r.status != 200) {
		err = http_status_err(f, "userinfo", r.status);
		goto out;
	}
	/* OIDC Core 5.3.2: the userinfo sub must be the ID token's. */
	err = pog_oidc_userinfo_sub(r.body, r.len, &uisub, &errmsg);
	if (err == POG_OK && strcmp(uisub, sub) != 0) {
		errmsg = strdup("its sub differs from the ID token's");
		err = POG_ERR_PROTOCOL;
	}
	if (err == POG_OK)
		err = pog_oidc_parse_groups(r.body, r.len, f->cfg->groups_claim,
					    &id->groups, &id->groups_present, &errmsg);
	if (err != POG_OK) {
		err = flow_fail(f, err, POG_ERR_PROTOCOL, "userinfo", errmsg);
		goto out;
	}
	id->groups_source = "userinfo";
out:
	free(uisub);
	free(errmsg);
	pog_http_resp_free(&r);
	return err;
}

/* require_acr and max_auth_age; a refusal's sentence goes to the stats. */
static pog_err
check_policy(struct flow *f, const struct pog_claims *claims, time_t now)
{
	struct pog_policy pol = {
		.require_acr = &f->cfg->require_acr,
		.max_auth_age = f->cfg->max_auth_age,
		.clock_skew = f->cfg->clock_skew,
		.now = (int64_t)now,
	};
	char *why = NULL, *tell = NULL;
	pog_err err;

	err = pog_policy_check(&pol, claims->acr, claims->auth_time, &why, &tell);
	if (err == POG_ERR_WEAK) {
		pog_log(f->io, LOG_NOTICE, "ID token: %s", why);
		flow_say(f, tell);
	}
	free(why);
	free(tell);
	return err;
}

/* The claims of a verified payload; each fault logged with its reason. */
static pog_err
check_claims(struct flow *f, const char *payload, const struct pog_claims_policy *pol,
	     struct pog_claims *claims)
{
	const struct pog_config *cfg = f->cfg;
	char *errmsg = NULL;
	pog_err err;

	err = pog_claims_check(payload, strlen(payload), pol, claims, &errmsg);
	if (err == POG_ERR_CONFIG) {
		/* A genuine token without the username claim: the host asks
		 * for a claim that its scopes do not bring. */
		char *scope = scope_string(cfg), *claim = pog_sanitize(cfg->username_claim, 64);

		pog_log(f->io, LOG_ERR, "ID token: %s; check username_claim = %s and the "
			"scopes asked for (%s), and that the authorization server adds "
			"the claim to the ID token", errmsg ? errmsg : pog_strerror(err),
			claim ? claim : "?", scope ? scope : "?");
		free(scope);
		free(claim);
	} else if (err != POG_OK) {
		err = flow_fail(f, err, POG_ERR_TOKEN, "ID token", errmsg);
	}
	free(errmsg);
	return err;
}

/* The username claim, through username_domains, must name user. */
static pog_err
check_user(struct flow *f, const char *user, const struct pog_claims *claims)
{
	char *errmsg = NULL, *local = NULL;
	pog_err err;

	err = pog_claims_local_user(claims->username, &f->cfg->username_domains, &local, &errmsg);
	if (err == POG_OK && strcmp(local, user) != 0)
		err = POG_ERR_USER;
	if (err != POG_OK) {
		char *who = pog_quote(claims->username, 128);
		char *sub = pog_quote(claims->sub, 128);
		char *as = pog_quote(user, 64);

		pog_log(f->io, LOG_NOTICE, "identity %s (sub %s) may not log in as %s%s%s",
			who ? who : "?", sub ? sub : "?", as ? as : "?", errmsg ? ": " : "",
			errmsg ? errmsg : "");
		free(who);
		free(sub);
		free(as);
		if (err != POG_ERR_NOMEM)
			err = POG_ERR_USER;
	}
	free(local);
	free(errmsg);
	return err;
}

/* The groups, from the ID token or userinfo as the config says. */
static pog_err
read_groups(struct flow *f, const struct pog_token_resp *tr, const char *payload,
	    struct pog_identity *id)
{
	const struct pog_config *cfg = f->cfg;
	char *errmsg = NULL;
	pog_err err;

	if (cfg->source != POG_SOURCE_USERINFO) {
		err = pog_oidc_parse_groups(payload, strlen(payload), cfg->groups_claim,
					    &id->groups, &id->groups_present, &errmsg);
		if (err != POG_OK) {
			err = flow_fail(f, err, POG_ERR_TOKEN, "ID token", errmsg);
			free(errmsg);
			return err;
		}
		id->groups_source = "id_token";
	}
	if (cfg->source == POG_SOURCE_USERINFO ||
	    (cfg->source == POG_SOURCE_AUTO && !id->groups_present)) {
		err = read_userinfo_groups(f, tr->access_token, id->sub, id);
		if (err != POG_OK)
			return err;
	}
	if (id->groups.n >= POG_MAP_GROUPS_CAP)
		pog_log(f->io, LOG_WARNING, "groups: %zu groups from %s; Okta may have truncated the list",
			id->groups.n, id->groups_source);
	return POG_OK;
}

static pog_err
bind_identity(struct flow *f, const char *user, const struct pog_token_resp *tr,
	      struct pog_identity *id)
{
	const struct pog_config *cfg = f->cfg;
	struct pog_claims claims = { 0 };
	struct pog_claims_policy pol = {
		.issuer = cfg->issuer,
		.client_id = cfg->client_id,
		.clock_skew = cfg->clock_skew,
		.now = time(NULL),
		.username_claim = cfg->username_claim,
		.require_mfa = cfg->require_mfa,
	};
	char *payload = NULL;
	bool present = false;
	pog_err err;

	if (tr->id_token == NULL) {
		pog_log(f->io, LOG_ERR, "token: the response holds no ID token (is openid among the scopes?)");
		return POG_ERR_PROTOCOL;
	}
	err = verify_id_token(f, tr->id_token, &payload);
	if (err == POG_OK)
		err = check_claims(f, payload, &pol, &claims);
	if (err == POG_OK)
		err = check_user(f, user, &claims);
	if (err == POG_OK)
		err = check_policy(f, &claims, pol.now);
	if (err != POG_OK)
		goto out;

	id->user = strdup(user);
	id->sub = strdup(claims.sub);
	id->issuer = strdup(cfg->issuer);
	id->claimed_name = strdup(claims.username);
	id->auth_time = (long)pol.now;
	id->acr = claims.acr != NULL ? strdup(claims.acr) : NULL;
	id->idp_auth_time = (long)claims.auth_time;
	if (!id->user || !id->sub || !id->issuer || !id->claimed_name ||
	    (claims.acr != NULL && id->acr == NULL)) {
		err = POG_ERR_NOMEM;
		goto out;
	}
	/* amr for the record only: require_mfa has judged it in claims.c. */
	if (pog_oidc_parse_groups(payload, strlen(payload), "amr", &id->amr, &present,
				  NULL) == POG_ERR_NOMEM) {
		err = POG_ERR_NOMEM;
		goto out;
	}
	err = read_groups(f, tr, payload, id);
	if (err == POG_OK)
		pog_log(f->io, LOG_DEBUG, "identity sub %s bound to %s, %zu groups from %s",
			id->sub, user, id->groups.n, id->groups_source);
out:
	pog_claims_free(&claims);
	if (payload != NULL) {
		pog_memzero(payload, strlen(payload));
		free(payload);
	}
	return err;
}

static pog_err
flow_start(struct flow *f, const struct pog_config *cfg, const struct pog_io *io)
{
	pog_err err;

	memset(f, 0, sizeof(*f));
	f->cfg = cfg;
	f->io = io;
	f->scope = pog_cache_scope(cfg->issuer, cfg->ca_file, cfg->proxy);
	if (f->scope == NULL)
		return POG_ERR_NOMEM;
	err = pog_http_new(cfg->ca_file, cfg->proxy, cfg->http_timeout, io, &f->http);
	if (err != POG_OK)
		return err;
	return discover(f);
}

pog_err
pog_login(const struct pog_config *cfg, const char *user, const char *service,
	  const struct pog_io *io, struct pog_identity *out,
	  struct pog_login_stats *stats)
{
	struct flow f;
	struct pog_device_auth da = { 0 };
	struct pog_token_resp tr = { 0 };
	struct pog_identity id = { 0 };
	pog_err err;

	err = flow_start(&f, cfg, io);
	if (err != POG_OK)
		goto out;
	err = device_authorize(&f, &da);
	if (err != POG_OK)
		goto out;
	err = wait_for_token(&f, user, service, &da, &tr);
	if (err != POG_OK)
		goto out;
	err = bind_identity(&f, user, &tr, &id);
	if (err == POG_OK)      /* the ledger's pin: a read, no network, no write */
		err = pog_ledger_check_pin(cfg->state_dir, user, id.sub, io);
	if (err != POG_OK)
		goto out;
	*out = id;
	memset(&id, 0, sizeof(id));
out:
	f.stats.requests = f.http != NULL ? pog_http_requests(f.http) : 0;
	if (stats != NULL)
		*stats = f.stats;
	pog_identity_free(&id);
	pog_token_resp_free(&tr);
	pog_device_auth_free(&da);
	flow_free(&f);
	return err;
}

pog_err
pog_login_check(const struct pog_config *cfg, const struct pog_io *io)
{
	struct flow f;
	struct pog_device_auth da = { 0 };
	char *line = NULL;
	pog_err err;

	err = flow_start(&f, cfg, io);
	if (err != POG_OK)
		goto out;
	line = pog_asprintf("discovery: ok (%s)", cfg->issuer);
	if (line != NULL && io->info != NULL)
		io->info(io->ctx, line);
	free(line);
	err = get_jwks(&f, false);
	if (err != POG_OK)
		goto out;
	if (io->info != NULL)
		io->info(io->ctx, "jwks: ok");
	err = device_authorize(&f, &da);
	if (err != POG_OK)
		goto out;
	line = pog_asprintf("device authorization: ok (code expires in %ld s, interval %ld s)",
			    da.expires_in, da.interval);
	if (line != NULL && io->info != NULL)
		io->info(io->ctx, line);
	free(line);
out:
	pog_device_auth_free(&da);
	flow_free(&f);
	return err;
}
