/*
 * login.h - one sign-in through the OAuth 2.0 Device Authorization
 * Grant (RFC 8628), ending in a verified identity bound to the account.
 *
 * This is where the parts meet: cfg (what to do), cache and http (how to
 * reach the provider), oidc (what it said), token and claims (whether to
 * believe it). It knows nothing of PAM: it talks through struct pog_io.
 */
#ifndef POG_LOGIN_H
#define POG_LOGIN_H

#include "cfg.h"
#include "pog.h"

struct pog_login_stats {
	unsigned int requests;          /* HTTP requests made */
	unsigned int polls;             /* token requests made */
	bool discovery_cached;
	bool jwks_used;                 /* the keys were needed at all */
	bool jwks_cached;
	char message[256];              /* on failure: a sentence more precise
					   than pog_user_message(err), or "" */
};

/*
 * Signs user in. service is the PAM service (for prompt = auto) or NULL.
 * On success *out holds the verified identity and groups. On failure
 * the error is logged; the caller tells the user pog_login_message().
 */
pog_err pog_login(const struct pog_config *cfg, const char *user,
		  const char *service, const struct pog_io *io,
		  struct pog_identity *out, struct pog_login_stats *stats);

/*
 * okta-groups check: discovery, JWKS, and a device authorization whose
 * answer is explained in plain words. Prints through io->info.
 */
pog_err pog_login_check(const struct pog_config *cfg, const struct pog_io *io);

/* The one plain sentence the user is told for err. */
const char *pog_user_message(pog_err err);

/* The sentence for the outcome of pog_login: stats->message if set,
 * else pog_user_message(err). */
const char *pog_login_message(pog_err err, const struct pog_login_stats *stats);

#endif /* POG_LOGIN_H */
