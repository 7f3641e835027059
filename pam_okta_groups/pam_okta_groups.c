/*
 * pam_okta_groups.c - the PAM face: arguments, the conversation, one
 * call into the core per phase, and one place that turns our outcomes
 * into PAM codes. No curl, jwt or json here.
 */
#include "config.h"

#include <grp.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/auxv.h>
#include <time.h>
#include <unistd.h>

#define PAM_SM_AUTH
#define PAM_SM_ACCOUNT
#define PAM_SM_SESSION
#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <security/pam_modutil.h>

#include "accounts.h"
#include "pending.h"
#include "cfg.h"
#include "handoff.h"
#include "login.h"
#include "pog.h"
#include "sshcfg.h"
#include "sync.h"
#include "util.h"

#define DATA_IDENTITY "pam_okta_groups.identity"
/* The GIDs that account decided, for setcred (session mode). */
#define DATA_GIDS "pam_okta_groups.gids"
/* The handoff nonce (see handoff.h), which sshd carries across processes. */
#define ENV_HANDOFF "PAM_OKTA_GROUPS_HANDOFF"

struct args {
	const char *config;
	bool debug;
};

/* What every entry point sets up: arguments, the hooks, the config. */
struct face {
	struct args a;
	struct pog_io io;
	struct pog_config cfg;
	const char *user;
	const char *service;
	bool silent;
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
	case POG_ERR_PINNED:
	case POG_ERR_WEAK:
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

/* PAM_SILENT: no sentences, but the sign-in prompt itself still goes out. */
static int
io_error_silent(void *ctx, const char *text)
{
	(void)ctx;
	(void)text;
	return 0;
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
	/* No answer at all is no Enter: libpam_misc's misc_conv (pamtester,
	 * login) gives NULL at the end of input (Ctrl-D, stdin closed), where
	 * a pressed Enter gives "". Waiting on would ask again at every poll
	 * until approval_timeout, holding a max_pending slot. */
	if (resp == NULL)
		return -1;
	*answer = resp;
	return 0;
}

static void
face_free(struct face *f)
{
	pog_cfg_free(&f->cfg);
}

/*
 * Logs "[audit: ]user=\"NAME\" ..." with the name quoted and escaped: it
 * is whatever a client typed.
 */
static void POG_ATTR_PRINTF(5, 6)
face_log(const struct face *f, int prio, bool audit, const char *user, const char *fmt, ...)
{
	char *quoted = pog_quote(user != NULL ? user : "", 64);
	char *what = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&what, fmt, ap);
	va_end(ap);
	if (r >= 0)
		pog_log(&f->io, prio, "%suser=%s %s", audit ? "audit: " : "",
			quoted != NULL ? quoted : "?", what);
	free(what);
	free(quoted);
}

/*
 * A setuid or setgid program (su, sudo, passwd) runs PAM with its
 * caller's environment, umask and limits. The module never signs in on
 * such a caller's behalf: the rest of the stack decides.
 */
static bool
setuid_for_caller(void)
{
	return getauxval(AT_SECURE) != 0 && getuid() != 0;
}

/*
 * Sets up an entry point: the arguments, the hooks and the config. Then
 * decides whether this login is the module's: PAM_IGNORE for a service
 * not in services, a user in local_users, or a setuid program's caller,
 * so that the rest of the stack (pam_unix) decides.
 */
static int
face_begin(pam_handle_t *pamh, int flags, int argc, const char **argv,
	   struct face *f)
{
	const void *item = NULL;
	char *errmsg = NULL;
	pog_err err;
	int rc;

	memset(f, 0, sizeof(*f));
	f->silent = (flags & PAM_SILENT) != 0;
	rc = parse_args(pamh, argc, argv, &f->a);
	if (rc != PAM_SUCCESS)
		return rc;
	f->io.ctx = pamh;
	f->io.log = io_log;
	f->io.info = io_info;
	f->io.error = f->silent ? io_error_silent : io_error;
	f->io.ask = io_ask;
	f->io.tty = isatty(STDIN_FILENO) == 1;
	f->io.debug = f->a.debug;
	if (pam_get_item(pamh, PAM_SERVICE, &item) == PAM_SUCCESS)
		f->service = item;
	err = pog_cfg_load(&f->cfg, f->a.config, 0, &errmsg);
	if (err != POG_OK) {
		pam_syslog(pamh, LOG_ERR, "config: %s", errmsg ? errmsg : pog_strerror(err));
		free(errmsg);
		pog_tell(&f->io, "%s", pog_user_message(POG_ERR_CONFIG));
		return PAM_SERVICE_ERR;
	}
	if (f->cfg.services_set &&
	    (f->service == NULL || !pog_strv_contains(&f->cfg.services, f->service))) {
		pog_log(&f->io, LOG_DEBUG, "service %s is not in services: ignored",
			f->service != NULL ? f->service : "(none)");
		return PAM_IGNORE;
	}
	rc = pam_get_user(pamh, &f->user, NULL);
	if (rc != PAM_SUCCESS || f->user == NULL || *f->user == '\0') {
		pam_syslog(pamh, LOG_ERR, "cannot determine the user");
		return rc == PAM_SUCCESS ? PAM_USER_UNKNOWN : rc;
	}
	if (pog_strv_contains(&f->cfg.local_users, f->user)) {
		face_log(f, LOG_DEBUG, false, f->user, "is in local_users: ignored");
		return PAM_IGNORE;
	}
	if (setuid_for_caller()) {
		face_log(f, LOG_NOTICE, false, f->user,
			 "service %s is a setuid program run by uid %u: not signed in with Okta",
			 f->service != NULL ? f->service : "(none)", (unsigned int)getuid());
		return PAM_IGNORE;
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

PAM_EXTERN int
pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct face f;
	struct pog_identity *id = NULL;
	struct pog_login_stats stats = { 0 };
	char *sub = NULL;
	pog_err err;
	int rc, slot = -1;

	/* A verified identity from an earlier pam_authenticate on this
	 * handle must not outlive a new attempt, whatever it returns. */
	(void)pam_set_data(pamh, DATA_IDENTITY, NULL, NULL);
	(void)pam_set_data(pamh, DATA_GIDS, NULL, NULL);
	rc = face_begin(pamh, flags, argc, argv, &f);
	if (rc != PAM_SUCCESS)
		goto out;
	/* No account, no request to Okta: a typed name costs nothing. */
	if (pam_modutil_getpwnam(pamh, f.user) == NULL &&
	    pog_accounts_may_create(&f.cfg, f.user, &f.io) != POG_OK) {
		face_log(&f, LOG_NOTICE, true, f.user, "result=failed reason=\"no such local account\"");
		pog_tell(&f.io, "%s", pog_user_message(POG_ERR_USER));
		rc = PAM_USER_UNKNOWN;
		goto out;
	}
	if (pog_accounts_locked(&f.cfg, f.user, &f.io)) {
		face_log(&f, LOG_NOTICE, true, f.user, "result=failed reason=\"account locked\"");
		pog_tell(&f.io, "%s", POG_ACCOUNTS_LOCKED);
		rc = PAM_PERM_DENIED;
		goto out;
	}
	id = calloc(1, sizeof(*id));
	if (id == NULL) {
		rc = PAM_BUF_ERR;
		goto out;
	}
	if (f.service != NULL && strcmp(f.service, "sshd") == 0)
		pog_sshd_check_grace(&f.cfg, "/etc/ssh", &f.io);
	err = pog_pending_take(f.cfg.state_dir, f.cfg.max_pending, &slot, &f.io);
	if (err != POG_OK) {
		face_log(&f, LOG_NOTICE, true, f.user, "result=failed reason=\"max_pending\"");
		pog_tell(&f.io, "%s", err == POG_ERR_UNAVAIL ? POG_PENDING_FULL :
			 pog_user_message(err));
		rc = pog_err_to_pam(err);
		goto out;
	}
	err = pog_login(&f.cfg, f.user, f.service, &f.io, id, &stats);
	pog_pending_release(slot);
	slot = -1;
	pog_log(&f.io, LOG_DEBUG, "login: %u requests, %u token polls, discovery %s, jwks %s",
		stats.requests, stats.polls, stats.discovery_cached ? "cached" : "fetched",
		!stats.jwks_used ? "not needed" : stats.jwks_cached ? "cached" : "fetched");
	if (err != POG_OK) {
		face_log(&f, LOG_NOTICE, true, f.user, "result=failed reason=\"%s\"",
			 pog_strerror(err));
		pog_tell(&f.io, "%s", pog_login_message(err, &stats));
		rc = pog_err_to_pam(err);
		goto out;
	}
	rc = pam_set_data(pamh, DATA_IDENTITY, id, identity_cleanup);
	if (rc != PAM_SUCCESS)
		goto out;
	sub = pog_quote(id->sub, 128);
	face_log(&f, LOG_INFO, false, f.user, "authenticated as Okta sub=%s (%zu groups from %s)",
		 sub != NULL ? sub : "?", id->groups.n,
		 id->groups_source ? id->groups_source : "nowhere");
	id = NULL;
out:
	if (id != NULL) {
		pog_identity_free(id);
		free(id);
	}
	free(sub);
	face_free(&f);
	return rc;
}

/* The identity that this handle's auth phase verified, for this user. */
static const struct pog_identity *
verified_identity(pam_handle_t *pamh, const char *user)
{
	const void *data = NULL;
	const struct pog_identity *id;

	if (pam_get_data(pamh, DATA_IDENTITY, &data) != PAM_SUCCESS || data == NULL)
		return NULL;
	id = data;
	if (user == NULL || strcmp(user, id->user) != 0) {
		pam_syslog(pamh, LOG_ERR, "PAM_USER changed after authentication; refusing");
		return NULL;
	}
	return id;
}

static void
gids_cleanup(pam_handle_t *pamh, void *data, int error_status)
{
	(void)pamh;
	(void)error_status;
	pog_handoff_free(data);
	free(data);
}

/* Keeps h in the handle for setcred; takes it over. */
static int
keep_gids(pam_handle_t *pamh, struct pog_handoff *h)
{
	struct pog_handoff *copy = malloc(sizeof(*copy));
	int rc;

	if (copy == NULL) {
		pog_handoff_free(h);
		return PAM_BUF_ERR;
	}
	*copy = *h;
	memset(h, 0, sizeof(*h));
	rc = pam_set_data(pamh, DATA_GIDS, copy, gids_cleanup);
	if (rc != PAM_SUCCESS)
		gids_cleanup(pamh, copy, 0);
	return rc;
}

/*
 * Session mode: decide the GIDs now, while the exact IdP group names are
 * at hand, and hand them to setcred both in this handle and, for sshd's
 * monitor, in a file of this login's own named by a nonce in the PAM
 * environment.
 */
static int
hand_off(pam_handle_t *pamh, const struct face *f, const struct pog_identity *id)
{
	struct pog_handoff h = { 0 };
	char *nonce = NULL, *env = NULL;
	int rc = PAM_SYSTEM_ERR;

	if (pog_sync_session_gids(&f->cfg, id, &f->io, &h.gids, &h.ngids) != POG_OK)
		goto out;
	h.user = strdup(id->user);
	h.when = (int64_t)time(NULL);
	nonce = pog_random_hex(POG_HANDOFF_NONCE_LEN / 2);
	env = nonce != NULL ? pog_asprintf("%s=%s", ENV_HANDOFF, nonce) : NULL;
	if (h.user == NULL || env == NULL) {
		rc = PAM_BUF_ERR;
		goto out;
	}
	if (pog_handoff_write(f->cfg.state_dir, nonce, &h) != POG_OK) {
		pam_syslog(pamh, LOG_ERR, "session mode: cannot write the handoff in %s: %m",
			   f->cfg.state_dir);
		goto out;
	}
	rc = pam_putenv(pamh, env);
	if (rc == PAM_SUCCESS)
		rc = keep_gids(pamh, &h);
out:
	pog_handoff_free(&h);
	free(nonce);
	free(env);
	return rc;
}

/*
 * Accounts on first login: a user with no local account gets one when a
 * binding grants this host (a dry run of the sync says so; a denied
 * login creates nothing). POG_OK also when there is nothing to create.
 */
static pog_err
first_login(struct face *f, const struct pog_identity *id)
{
	struct pog_sync_result res;
	pog_err err;

	if (!f->cfg.create_accounts || pog_accounts_local(&f->cfg, f->user))
		return POG_OK;
	memset(&res, 0, sizeof(res));
	err = pog_sync_account_gid(&f->cfg, id, &f->io, true, 0, &res);
	if (err == POG_ERR_NOBINDING && res.deny_reason != NULL)
		pog_tell(&f->io, "%s", res.deny_reason);
	pog_sync_result_free(&res);
	if (err == POG_ERR_NOBINDING)
		return err;
	if (err == POG_OK)
		err = pog_accounts_create(&f->cfg, f->user, id->sub,
					  f->service != NULL && strcmp(f->service, "sshd") == 0,
					  &f->io);
	return err;
}

PAM_EXTERN int
pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct face f;
	struct pog_sync_result res;
	const struct pog_identity *id;
	const void *data = NULL;
	char *deny = NULL;
	pog_err err;
	int rc;

	memset(&res, 0, sizeof(res));
	rc = face_begin(pamh, flags, argc, argv, &f);
	if (rc != PAM_SUCCESS)
		goto out;
	id = verified_identity(pamh, f.user);
	if (id == NULL && f.cfg.recent_login > 0 &&
	    (pam_get_data(pamh, DATA_IDENTITY, &data) != PAM_SUCCESS || data == NULL)) {
		/* No device flow in this stack (an SSH key): the ledger may vouch. */
		err = pog_sync_recent_login(&f.cfg, f.user, &f.io, &deny);
		if (err != POG_OK)
			pog_tell(&f.io, "%s", deny != NULL ? deny : pog_user_message(err));
		free(deny);
		rc = pog_err_to_pam(err);
		goto out;
	}
	if (id == NULL) {
		/* Fail closed: without an Okta sign-in in this stack there is
		 * no group list to check access against. */
		face_log(&f, LOG_ERR, false, f.user, "no verified Okta identity: pam_okta_groups must run in the auth stack before account");
		err = POG_ERR_NOBINDING;
		pog_tell(&f.io, "%s", pog_user_message(err));
		rc = pog_err_to_pam(err);
		goto out;
	}
	if (pog_accounts_locked(&f.cfg, f.user, &f.io)) {
		pog_tell(&f.io, "%s", POG_ACCOUNTS_LOCKED);
		rc = PAM_PERM_DENIED;
		goto out;
	}
	err = first_login(&f, id);
	if (err != POG_OK) {
		pog_tell(&f.io, "%s", err == POG_ERR_SYSTEM ? POG_ACCOUNTS_RETRY : pog_user_message(err));
		rc = pog_err_to_pam(err);
		goto out;
	}
	/* sync.c logs the audit line: user, sub, groups added and removed, result. */
	err = pog_sync_account(&f.cfg, id, &f.io, false, &res);
	if (err != POG_OK)
		pog_tell(&f.io, "%s", res.deny_reason ? res.deny_reason : pog_user_message(err));
	rc = pog_err_to_pam(err);
	if (rc == PAM_SUCCESS)
		pog_accounts_touch(&f.cfg, f.user, id->sub, &f.io);
	if (rc == PAM_SUCCESS && f.cfg.mode == POG_MODE_SESSION)
		rc = hand_off(pamh, &f, id);
out:
	pog_sync_result_free(&res);
	face_free(&f);
	return rc;
}

/* Adds the GIDs to the process's supplementary groups, as pam_group does. */
static int
establish_groups(pam_handle_t *pamh, const char *user, const struct pog_handoff *h)
{
	gid_t *have = NULL;
	int nhave, n, rc = PAM_CRED_ERR;

	nhave = getgroups(0, NULL);
	if (nhave < 0)
		goto out;
	have = calloc((size_t)nhave + h->ngids + 1, sizeof(*have));
	if (have == NULL) {
		rc = PAM_BUF_ERR;
		goto out;
	}
	nhave = getgroups(nhave, have);
	if (nhave < 0)
		goto out;
	n = nhave;
	for (size_t i = 0; i < h->ngids; i++) {
		bool dup = false;

		for (int j = 0; j < n; j++)
			dup = dup || have[j] == h->gids[i];
		if (!dup)
			have[n++] = h->gids[i];
	}
	if (setgroups((size_t)n, have) != 0) {
		pam_syslog(pamh, LOG_ERR, "setgroups: %m");
		goto out;
	}
	pam_syslog(pamh, LOG_INFO, "session groups for %s: %zu added to the process",
		   user, (size_t)(n - nhave));
	rc = PAM_SUCCESS;
out:
	free(have);
	return rc;
}

/*
 * The GIDs that account decided for this login: in this handle, or, when
 * account ran in another process (sshd), in the handoff file that the
 * nonce names. sshd calls setcred twice, in the monitor and then in the
 * session's child (a fork of it), so what the file held stays in the
 * handle.
 */
static const struct pog_handoff *
decided_gids(pam_handle_t *pamh, const struct face *f)
{
	const void *data = NULL;
	const char *nonce;
	struct pog_handoff h = { 0 };
	char *errmsg = NULL;
	pog_err err;

	if (pam_get_data(pamh, DATA_GIDS, &data) == PAM_SUCCESS && data != NULL) {
		const struct pog_handoff *kept = data;

		if (strcmp(kept->user, f->user) == 0)
			return kept;
		face_log(f, LOG_ERR, false, f->user, "PAM_USER changed after account; refusing");
		return NULL;
	}
	nonce = pam_getenv(pamh, ENV_HANDOFF);
	if (nonce == NULL) {
		face_log(f, LOG_ERR, false, f->user, "session mode: no verified Okta login for this session");
		return NULL;
	}
	err = pog_handoff_take(f->cfg.state_dir, nonce, f->user, (int64_t)time(NULL), &h, &errmsg);
	if (err != POG_OK) {
		face_log(f, LOG_ERR, false, f->user, "session mode: the handoff does not match this login: %s",
			 errmsg != NULL ? errmsg : pog_strerror(err));
		free(errmsg);
		return NULL;
	}
	if (keep_gids(pamh, &h) != PAM_SUCCESS ||
	    pam_get_data(pamh, DATA_GIDS, &data) != PAM_SUCCESS)
		return NULL;
	return data;
}

PAM_EXTERN int
pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct face f;
	const struct pog_handoff *h;
	int rc;

	if ((flags & (PAM_ESTABLISH_CRED | PAM_REINITIALIZE_CRED)) == 0)
		return PAM_SUCCESS;
	rc = face_begin(pamh, flags, argc, argv, &f);
	if (rc != PAM_SUCCESS)
		goto out;
	if (f.cfg.mode != POG_MODE_SESSION)
		goto out;
	h = decided_gids(pamh, &f);
	rc = h != NULL ? establish_groups(pamh, f.user, h) : PAM_CRED_ERR;
	/* The nonce has done its work; the session must not inherit it. */
	if (pam_getenv(pamh, ENV_HANDOFF) != NULL)
		(void)pam_putenv(pamh, ENV_HANDOFF);
out:
	face_free(&f);
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
