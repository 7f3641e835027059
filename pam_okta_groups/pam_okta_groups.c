/*
 * pam_okta_groups.c - the PAM face: arguments, the conversation, one
 * call into the core per phase, and one place that turns our outcomes
 * into PAM codes. No curl, jwt or json here.
 */
#include "config.h"

#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define PAM_SM_AUTH
#define PAM_SM_ACCOUNT
#define PAM_SM_SESSION
#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "cfg.h"
#include "ledger.h"
#include "login.h"
#include "pog.h"
#include "sshcfg.h"
#include "sync.h"
#include "util.h"

#define DATA_IDENTITY "pam_okta_groups.identity"
/*
 * OpenSSH runs pam_authenticate and pam_acct_mgmt for keyboard-
 * interactive in a child process, and pam_setcred in another, so
 * pam_set_data does not reach setcred there. The account phase leaves a
 * random nonce in the PAM environment (which sshd carries across) and
 * in the root-only ledger; setcred trusts the ledger's groups only when
 * the two match, and removes the variable before the session sees it.
 */
#define ENV_HANDOFF "PAM_OKTA_GROUPS_HANDOFF"
#define HANDOFF_MAX_AGE (24 * 3600)

struct args {
	const char *config;
	bool debug;
};

/* Unknown arguments are refused: a typo must not weaken the stack. */
static int
parse_args(pam_handle_t *pamh, int argc, const char **argv, struct args *a)
{
	a->config = POG_DEFAULT_CONFIG;
	a->debug = false;
	for (int i = 0; i < argc; i++) {
		if (strncmp(argv[i], "config=", 7) == 0 && argv[i][7] == '/')
			a->config = argv[i] + 7;
		else if (strcmp(argv[i], "debug") == 0)
			a->debug = true;
		else {
			pam_syslog(pamh, LOG_ERR, "unknown or malformed argument: %s", argv[i]);
			return PAM_SERVICE_ERR;
		}
	}
	return PAM_SUCCESS;
}

static int
pog_err_to_pam(pog_err err)
{
	switch (err) {
	case POG_OK:            return PAM_SUCCESS;
	case POG_ERR_NOMEM:     return PAM_BUF_ERR;
	case POG_ERR_SYSTEM:    return PAM_SYSTEM_ERR;
	case POG_ERR_CONFIG:    return PAM_SERVICE_ERR;
	case POG_ERR_UNAVAIL:   return PAM_AUTHINFO_UNAVAIL;
	case POG_ERR_CONV:      return PAM_CONV_ERR;
	case POG_ERR_NOBINDING: return PAM_PERM_DENIED;
	case POG_ERR_PROTOCOL:
	case POG_ERR_DENIED:
	case POG_ERR_EXPIRED:
	case POG_ERR_TOKEN:
	case POG_ERR_USER:
	case POG_ERR_INVALID:
		break;
	}
	return PAM_AUTH_ERR;
}

/* ---- the hooks of struct pog_io ---- */

static void
io_log(void *ctx, int prio, const char *msg)
{
	pam_syslog((pam_handle_t *)ctx, prio, "%s", msg);
}

static int
io_info(void *ctx, const char *text)
{
	return pam_prompt((pam_handle_t *)ctx, PAM_TEXT_INFO, NULL, "%s", text) == PAM_SUCCESS ? 0 : -1;
}

static int
io_error(void *ctx, const char *text)
{
	return pam_prompt((pam_handle_t *)ctx, PAM_ERROR_MSG, NULL, "%s", text) == PAM_SUCCESS ? 0 : -1;
}

static int
io_ask(void *ctx, const char *text, bool echo, char **answer)
{
	char *resp = NULL;
	int rc;

	rc = pam_prompt((pam_handle_t *)ctx, echo ? PAM_PROMPT_ECHO_ON : PAM_PROMPT_ECHO_OFF,
			&resp, "%s", text);
	if (rc != PAM_SUCCESS) {
		free(resp);
		return -1;
	}
	*answer = resp != NULL ? resp : strdup("");
	return *answer != NULL ? 0 : -1;
}

static void
io_init(struct pog_io *io, pam_handle_t *pamh, const struct args *a)
{
	memset(io, 0, sizeof(*io));
	io->ctx = pamh;
	io->log = io_log;
	io->info = io_info;
	io->error = io_error;
	io->ask = io_ask;
	io->tty = isatty(STDIN_FILENO) == 1;
	io->debug = a->debug;
}

/* Loads the config, logging why it cannot be used. */
static int
load_config(pam_handle_t *pamh, const struct args *a, struct pog_config *cfg)
{
	char *errmsg = NULL;
	pog_err err;

	err = pog_cfg_load(cfg, a->config, 0, &errmsg);
	if (err != POG_OK) {
		pam_syslog(pamh, LOG_ERR, "config: %s", errmsg ? errmsg : pog_strerror(err));
		free(errmsg);
		return PAM_SERVICE_ERR;
	}
	return PAM_SUCCESS;
}

static void
identity_cleanup(pam_handle_t *pamh, void *data, int error_status)
{
	(void)pamh;
	(void)error_status;
	pog_identity_free(data);
	free(data);
}

static const char *
item_str(pam_handle_t *pamh, int item)
{
	const void *v = NULL;

	if (pam_get_item(pamh, item, &v) != PAM_SUCCESS)
		return NULL;
	return v;
}

/*
 * Whether this login is the module's own. common-auth is shared by su,
 * sudo, cron and the display managers: a service not in services, a user
 * in local_users, and a setuid program run by someone else (whose caller
 * chose the environment) get PAM_IGNORE, so the rest of the stack
 * (pam_unix) decides. Returns PAM_SUCCESS when the module handles it.
 */
static int
face_begin(pam_handle_t *pamh, const struct pog_config *cfg, const char *user,
	   const struct args *a)
{
	const char *service = item_str(pamh, PAM_SERVICE);
	const char *why = NULL;

	if (getuid() != geteuid() || getgid() != getegid())
		why = "a setuid caller";
	else if (cfg->services_set &&
		 (service == NULL || !pog_strv_contains(&cfg->services, service)))
		why = "a service not in services";
	else if (user != NULL && pog_strv_contains(&cfg->local_users, user))
		why = "a user in local_users";
	if (why == NULL)
		return PAM_SUCCESS;
	if (a->debug)
		pam_syslog(pamh, LOG_DEBUG, "ignoring %s for %s: %s", service ? service : "?",
			   user ? user : "?", why);
	return PAM_IGNORE;
}

PAM_EXTERN int
pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct args a;
	struct pog_config cfg;
	struct pog_io io;
	struct pog_identity *id = NULL;
	struct pog_login_stats stats = { 0 };
	const char *user = NULL, *service;
	pog_err err;
	int rc;

	(void)flags;
	memset(&cfg, 0, sizeof(cfg));
	rc = parse_args(pamh, argc, argv, &a);
	if (rc != PAM_SUCCESS)
		return rc;
	io_init(&io, pamh, &a);
	rc = pam_get_user(pamh, &user, NULL);
	if (rc != PAM_SUCCESS || user == NULL || *user == '\0') {
		pam_syslog(pamh, LOG_ERR, "cannot determine the user");
		return rc == PAM_SUCCESS ? PAM_USER_UNKNOWN : rc;
	}
	rc = load_config(pamh, &a, &cfg);
	if (rc != PAM_SUCCESS) {
		pog_tell(&io, "%s", pog_user_message(POG_ERR_CONFIG));
		return rc;
	}
	rc = face_begin(pamh, &cfg, user, &a);
	if (rc != PAM_SUCCESS)
		goto out;
	id = calloc(1, sizeof(*id));
	if (id == NULL) {
		rc = PAM_BUF_ERR;
		goto out;
	}
	service = item_str(pamh, PAM_SERVICE);
	if (service != NULL && strcmp(service, "sshd") == 0)
		pog_sshd_check_grace(&cfg, "/etc/ssh", &io);
	err = pog_login(&cfg, user, service, &io, id, &stats);
	pog_log(&io, LOG_DEBUG, "login: %u requests, %u token polls, discovery %s, jwks %s",
		stats.requests, stats.polls, stats.discovery_cached ? "cached" : "fetched",
		stats.jwks_cached ? "cached" : "fetched");
	if (err != POG_OK) {
		pam_syslog(pamh, LOG_NOTICE, "audit: user=%s result=failed reason=\"%s\"",
			   user, pog_strerror(err));
		pog_tell(&io, "%s", pog_user_message(err));
		rc = pog_err_to_pam(err);
		goto out;
	}
	id->handoff = pog_random_hex(16);
	if (id->handoff == NULL) {
		rc = PAM_SYSTEM_ERR;
		goto out;
	}
	rc = pam_set_data(pamh, DATA_IDENTITY, id, identity_cleanup);
	if (rc != PAM_SUCCESS)
		goto out;
	pam_syslog(pamh, LOG_INFO, "authenticated %s as Okta sub %s (%zu groups from %s)",
		   user, id->sub, id->groups.n, id->groups_source ? id->groups_source : "nowhere");
	id = NULL;
out:
	if (id != NULL) {
		pog_identity_free(id);
		free(id);
	}
	pog_cfg_free(&cfg);
	return rc;
}

/* The identity that this handle's auth phase verified, for this user. */
static const struct pog_identity *
verified_identity(pam_handle_t *pamh)
{
	const void *data = NULL;
	const struct pog_identity *id;
	const char *user = NULL;

	if (pam_get_data(pamh, DATA_IDENTITY, &data) != PAM_SUCCESS || data == NULL)
		return NULL;
	id = data;
	if (pam_get_item(pamh, PAM_USER, (const void **)&user) != PAM_SUCCESS ||
	    user == NULL || strcmp(user, id->user) != 0) {
		pam_syslog(pamh, LOG_ERR, "PAM_USER changed after authentication; refusing");
		return NULL;
	}
	return id;
}

PAM_EXTERN int
pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct args a;
	struct pog_config cfg;
	struct pog_io io;
	struct pog_sync_result res;
	const struct pog_identity *id;
	pog_err err;
	int rc;

	(void)flags;
	memset(&cfg, 0, sizeof(cfg));
	memset(&res, 0, sizeof(res));
	rc = parse_args(pamh, argc, argv, &a);
	if (rc != PAM_SUCCESS)
		return rc;
	io_init(&io, pamh, &a);
	rc = load_config(pamh, &a, &cfg);
	if (rc != PAM_SUCCESS) {
		pog_tell(&io, "%s", pog_user_message(POG_ERR_CONFIG));
		return rc;
	}
	rc = face_begin(pamh, &cfg, item_str(pamh, PAM_USER), &a);
	if (rc != PAM_SUCCESS) {
		pog_cfg_free(&cfg);
		return rc;
	}
	id = verified_identity(pamh);
	if (id == NULL) {
		/* Fail closed: without an Okta sign-in in this stack there is
		 * no group list to check access against. */
		pam_syslog(pamh, LOG_ERR, "no verified Okta identity: pam_okta_groups must run in the auth stack before account");
		pog_tell(&io, "%s", pog_user_message(POG_ERR_NOBINDING));
		pog_cfg_free(&cfg);
		return PAM_PERM_DENIED;
	}
	/* sync.c logs the audit line: user, sub, groups added and removed, result. */
	err = pog_sync_account(&cfg, id, &io, false, &res);
	if (err != POG_OK)
		pog_tell(&io, "%s", res.deny_reason ? res.deny_reason : pog_user_message(err));
	rc = pog_err_to_pam(err);
	if (rc == PAM_SUCCESS && cfg.mode == POG_MODE_SESSION) {
		char *env = pog_asprintf("%s=%s", ENV_HANDOFF, id->handoff);

		rc = env != NULL ? pam_putenv(pamh, env) : PAM_BUF_ERR;
		free(env);
	}
	pog_sync_result_free(&res);
	pog_cfg_free(&cfg);
	return rc;
}

/* Session mode: add D's GIDs to the process, as pam_group does. */
static int
establish_groups(pam_handle_t *pamh, const struct pog_config *cfg,
		 const struct pog_identity *id, const struct pog_io *io)
{
	gid_t *want = NULL, *have = NULL;
	size_t nwant = 0;
	int nhave, n, rc = PAM_CRED_ERR;

	if (pog_sync_session_gids(cfg, id, io, &want, &nwant) != POG_OK)
		goto out;
	nhave = getgroups(0, NULL);
	if (nhave < 0)
		goto out;
	have = calloc((size_t)nhave + nwant + 1, sizeof(*have));
	if (have == NULL) {
		rc = PAM_BUF_ERR;
		goto out;
	}
	nhave = getgroups(nhave, have);
	if (nhave < 0)
		goto out;
	n = nhave;
	for (size_t i = 0; i < nwant; i++) {
		bool dup = false;

		for (int j = 0; j < n; j++)
			dup = dup || have[j] == want[i];
		if (!dup)
			have[n++] = want[i];
	}
	if (setgroups((size_t)n, have) != 0) {
		pam_syslog(pamh, LOG_ERR, "setgroups: %m");
		goto out;
	}
	pam_syslog(pamh, LOG_INFO, "session groups for %s: %zu added to the process",
		   id->user, (size_t)(n - nhave));
	rc = PAM_SUCCESS;
out:
	free(want);
	free(have);
	return rc;
}

/*
 * sshd calls setcred twice: in the monitor, then again in the child it
 * forks for the session, after initgroups (session.c do_setusercontext),
 * when the nonce is gone from the environment. Keep what the ledger
 * vouched for in the handle, so the second call (a fork of this one)
 * finds it as an identity.
 */
static void
keep_identity(pam_handle_t *pamh, const char *user, struct pog_ledger *l)
{
	struct pog_identity *id = calloc(1, sizeof(*id));

	if (id == NULL)
		return;
	id->user = strdup(user);
	id->groups = l->idp_groups;
	memset(&l->idp_groups, 0, sizeof(l->idp_groups));
	id->sub = l->sub;
	l->sub = NULL;
	id->issuer = l->issuer;
	l->issuer = NULL;
	id->groups_present = true;
	id->groups_source = "ledger";
	if (id->user == NULL ||
	    pam_set_data(pamh, DATA_IDENTITY, id, identity_cleanup) != PAM_SUCCESS) {
		pog_identity_free(id);
		free(id);
	}
}

/* setcred in another process than account (sshd): see ENV_HANDOFF. */
static int
establish_from_ledger(pam_handle_t *pamh, const struct pog_config *cfg,
		      const struct pog_io *io)
{
	struct pog_ledger l = { 0 };
	struct pog_identity id = { 0 };
	const char *nonce = pam_getenv(pamh, ENV_HANDOFF);
	const char *user = NULL;
	char *errmsg = NULL;
	time_t now = time(NULL);
	int rc = PAM_CRED_ERR;

	if (nonce == NULL) {
		pam_syslog(pamh, LOG_ERR, "session mode: no verified Okta identity for this session");
		return PAM_CRED_ERR;
	}
	if (pam_get_item(pamh, PAM_USER, (const void **)&user) != PAM_SUCCESS || user == NULL)
		return PAM_CRED_ERR;
	if (pog_ledger_load(cfg->state_dir, user, &l, &errmsg) != POG_OK) {
		pam_syslog(pamh, LOG_ERR, "session mode: cannot read the ledger of %s: %s",
			   user, errmsg ? errmsg : "error");
		goto out;
	}
	if (l.handoff == NULL || !pog_str_equal_ct(l.handoff, nonce) ||
	    l.when > now + 60 || now - l.when > HANDOFF_MAX_AGE ||
	    l.result == NULL || strcmp(l.result, "granted") != 0) {
		pam_syslog(pamh, LOG_ERR, "session mode: the ledger of %s does not match this login", user);
		goto out;
	}
	id.user = l.user;
	id.sub = l.sub;
	id.issuer = l.issuer;
	id.groups = l.idp_groups;
	id.groups_present = true;
	id.groups_source = "ledger";
	rc = establish_groups(pamh, cfg, &id, io);
	if (rc == PAM_SUCCESS)
		keep_identity(pamh, user, &l);
out:
	free(errmsg);
	pog_ledger_free(&l);
	return rc;
}

PAM_EXTERN int
pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct args a;
	struct pog_config cfg;
	struct pog_io io;
	const struct pog_identity *id;
	int rc;

	if ((flags & (PAM_ESTABLISH_CRED | PAM_REINITIALIZE_CRED)) == 0)
		return PAM_SUCCESS;
	memset(&cfg, 0, sizeof(cfg));
	rc = parse_args(pamh, argc, argv, &a);
	if (rc != PAM_SUCCESS)
		return rc;
	io_init(&io, pamh, &a);
	rc = load_config(pamh, &a, &cfg);
	if (rc != PAM_SUCCESS)
		return rc;
	rc = face_begin(pamh, &cfg, item_str(pamh, PAM_USER), &a);
	if (rc != PAM_SUCCESS)
		goto out;
	if (cfg.mode != POG_MODE_SESSION) {
		rc = PAM_SUCCESS;
		goto out;
	}
	id = verified_identity(pamh);
	if (id != NULL)
		rc = establish_groups(pamh, &cfg, id, &io);
	else
		rc = establish_from_ledger(pamh, &cfg, &io);
	/* The nonce has done its work; the session must not inherit it. */
	if (pam_getenv(pamh, ENV_HANDOFF) != NULL)
		(void)pam_putenv(pamh, ENV_HANDOFF);
out:
	pog_cfg_free(&cfg);
	return rc;
}

PAM_EXTERN int
pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct args a;

	(void)flags;
	return parse_args(pamh, argc, argv, &a);
}

PAM_EXTERN int
pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct args a;

	(void)flags;
	return parse_args(pamh, argc, argv, &a);
}
