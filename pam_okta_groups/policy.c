/*
 * policy.c - what this host asks of a sign-in beyond a valid token
 * (require_acr, max_auth_age) and when a login without a device flow may
 * pass on an earlier one (recent_login).
 *
 * The values come from the provider (acr, auth_time) or from the ledger:
 * every one quoted in a log line goes through pog_quote.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "util.h"

#define POLICY_MAX_SHOWN 128

/* Okta's phishing-resistant levels (FIDO2, smart cards, Okta FastPass). */
static bool
policy_is_phr(const char *v)
{
	return strcmp(v, "phr") == 0 || strcmp(v, "phrh") == 0;
}

static bool
policy_is_2fa(const char *v)
{
	return policy_is_phr(v) || strncmp(v, "urn:okta:loa:2fa:", 17) == 0;
}

/* The sentence for an acr the host does not take: what it asks for. */
static char *
policy_acr_sentence(const struct pog_strv *want)
{
	bool all_phr = true, all_2fa = true;
	struct pog_buf b = { 0 };

	for (size_t i = 0; i < want->n; i++) {
		all_phr = all_phr && policy_is_phr(want->v[i]);
		all_2fa = all_2fa && policy_is_2fa(want->v[i]);
	}
	if (all_phr)
		return strdup("This host needs a phishing-resistant sign-in.");
	if (all_2fa)
		return strdup("This host needs a stronger sign-in (two factors).");
	if (pog_buf_addstr(&b, "This host needs a stronger sign-in (one of:") != POG_OK)
		goto out;
	for (size_t i = 0; i < want->n; i++) {
		char *v = pog_sanitize(want->v[i], POLICY_MAX_SHOWN);

		if (v == NULL || pog_buf_printf(&b, " %s", v) != POG_OK) {
			free(v);
			goto out;
		}
		free(v);
	}
	if (pog_buf_addstr(&b, ").") != POG_OK)
		goto out;
	return pog_buf_steal(&b);
out:
	pog_buf_free(&b);
	return NULL;
}

static char *
policy_join(const struct pog_strv *sv)
{
	struct pog_buf b = { 0 };

	for (size_t i = 0; i < sv->n; i++) {
		char *q = pog_quote(sv->v[i], POLICY_MAX_SHOWN);

		if (q == NULL || pog_buf_printf(&b, "%s%s", i ? " " : "", q) != POG_OK) {
			free(q);
			pog_buf_free(&b);
			return NULL;
		}
		free(q);
	}
	return b.data != NULL ? pog_buf_steal(&b) : strdup("");
}

pog_err
pog_policy_check(const struct pog_policy *p, const char *acr, int64_t auth_time,
		 char **why, char **tell)
{
	char *w = NULL, *t = NULL, *q = NULL, *list = NULL;
	char age[32];
	pog_err err = POG_ERR_NOMEM;

	if (p == NULL || why == NULL || tell == NULL || p->clock_skew < 0 ||
	    p->max_auth_age < 0)
		return POG_ERR_INVALID;

	if (p->require_acr != NULL && p->require_acr->n > 0 &&
	    (acr == NULL || !pog_strv_contains(p->require_acr, acr))) {
		list = policy_join(p->require_acr);
		q = acr != NULL ? pog_quote(acr, POLICY_MAX_SHOWN) : NULL;
		if (list == NULL || (acr != NULL && q == NULL))
			goto out;
		if (acr == NULL)
			w = pog_asprintf("the ID token has no acr claim, and require_acr is %s", list);
		else
			w = pog_asprintf("the ID token's acr %s is not one of require_acr %s", q, list);
		t = policy_acr_sentence(p->require_acr);
		goto refuse;
	}

	if (p->max_auth_age > 0) {
		pog_format_duration(p->max_auth_age, age, sizeof(age));
		if (auth_time <= 0) {
			w = pog_asprintf("the ID token has no auth_time claim, and max_auth_age is %s", age);
		} else if (auth_time > p->now + p->clock_skew) {
			w = pog_asprintf("the ID token's auth_time \"%lld\" is %lld s in the future",
					 (long long)auth_time, (long long)(auth_time - p->now));
		} else if (p->now - auth_time > p->max_auth_age + p->clock_skew) {
			w = pog_asprintf("the ID token's auth_time \"%lld\" is %lld s old, more than "
					 "max_auth_age %s", (long long)auth_time,
					 (long long)(p->now - auth_time), age);
		} else {
			err = POG_OK;
			goto out;
		}
		t = pog_asprintf("This host needs a sign-in within the last %s: sign out of "
				 "Okta and sign in again.", age);
		goto refuse;
	}
	err = POG_OK;
	goto out;

refuse:
	if (w == NULL || t == NULL)
		goto out;
	*why = w;
	*tell = t;
	w = t = NULL;
	err = POG_ERR_WEAK;
out:
	free(w);
	free(t);
	free(q);
	free(list);
	return err;
}

pog_err
pog_policy_recent_login(const struct pog_recent *r, int64_t now, long duration,
			long skew, int64_t *age, char **why)
{
	char d[32], *w = NULL, *q = NULL;
	int64_t a;

	if (r == NULL || age == NULL || why == NULL || duration < 0 || skew < 0)
		return POG_ERR_INVALID;
	pog_format_duration(duration, d, sizeof(d));
	a = now - r->when;
	if (duration == 0) {
		w = strdup("recent_login is off");
	} else if (!r->found || r->when <= 0) {
		w = strdup("no Okta login on this host yet");
	} else if (r->result == NULL || strcmp(r->result, "granted") != 0) {
		q = pog_quote(r->result != NULL ? r->result : "", POLICY_MAX_SHOWN);
		w = q != NULL ? pog_asprintf("the last Okta login was not granted (result=%s)", q) : NULL;
	} else if (r->sub == NULL || r->pinned_sub == NULL || strcmp(r->sub, r->pinned_sub) != 0) {
		w = strdup("the last Okta login is not by the account's pinned identity");
	} else if (r->expired != 0 && r->expired >= r->when) {
		w = strdup("okta-groups expire has stripped the account since its last Okta login");
	} else if (a < -skew) {
		w = pog_asprintf("the last Okta login is stamped %lld s in the future",
				 (long long)-a);
	} else if (a > duration) {
		w = pog_asprintf("the last Okta login was %lld s ago, more than recent_login %s",
				 (long long)a, d);
	} else {
		*age = a < 0 ? 0 : a;
		return POG_OK;
	}
	free(q);
	if (w == NULL)
		return POG_ERR_NOMEM;
	*why = w;
	return POG_ERR_NOBINDING;
}

char *
pog_policy_recent_sentence(long duration)
{
	char d[32];

	pog_format_duration(duration, d, sizeof(d));
	if (duration <= 0)
		return strdup("Sign in with Okta interactively (ssh -o "
			      "PreferredAuthentications=keyboard-interactive).");
	return pog_asprintf("Sign in with Okta interactively once (ssh -o "
			    "PreferredAuthentications=keyboard-interactive), then keys "
			    "work for %s.", d);
}
