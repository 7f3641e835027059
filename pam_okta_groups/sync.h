/*
 * sync.h - the account phase: from the verified identity and the config
 * to local group membership, in the Paralus model.
 *
 *   T  the IdP groups
 *   B  bindings of groups in T whose project is this host's, or every
 *   D  desired local groups: the roles of B, plus same_name grants
 *      (ordinary groups only, see map.h)
 *   M  managed groups: what the ledger says this module added for this
 *      user; with authoritative = yes, also every group in [roles]
 *   plan: add D \ current, remove current ∩ M \ D (nothing when T is
 *   at the provider's cap and may have been cut)
 *
 * A token without the groups claim changes nothing and is refused.
 *
 * Used by pam_sm_acct_mgmt, pam_sm_setcred (session mode) and okta-groups.
 */
#ifndef POG_SYNC_H
#define POG_SYNC_H

#include <sys/types.h>

#include "cfg.h"
#include "pog.h"

struct pog_sync_result {
	bool granted;                   /* B non-empty, or same_name granted */
	struct pog_strv roles;          /* "role@project" of B, for display */
	struct pog_strv desired;        /* D */
	struct pog_strv added;          /* what was (or, dry run, would be) added */
	struct pog_strv removed;        /* likewise removed */
	struct pog_strv ignored;        /* "name: why", sanitized for display */
	char *deny_reason;              /* one plain sentence, or NULL */
};

/*
 * Runs the account phase for id->user.
 * - persistent: applies the plan to group_file and gshadow_file
 *   together, under the lock, atomically; writes the ledger.
 * - session and none: computes D, writes only the ledger.
 * When nothing grants access and on_no_binding = deny, it first removes
 * the user from every managed group (persistent mode), then returns
 * POG_ERR_NOBINDING with res->deny_reason set. When id has no groups
 * claim at all, it writes nothing and returns POG_ERR_NOBINDING with
 * res->deny_reason set.
 * dry_run: compute and report only; nothing is written.
 */
pog_err pog_sync_account(const struct pog_config *cfg,
			 const struct pog_identity *id,
			 const struct pog_io *io, bool dry_run,
			 struct pog_sync_result *res);

/*
 * As pog_sync_account, with the user's primary gid given instead of
 * looked up with getpwnam_r (tests, and tools that already know it).
 * Both leave *res in a state pog_sync_result_free accepts, whatever
 * they return; deny_reason is set with POG_ERR_NOBINDING, and with
 * POG_ERR_USER when the account does not exist locally.
 */
pog_err pog_sync_account_gid(const struct pog_config *cfg,
			     const struct pog_identity *id,
			     const struct pog_io *io, bool dry_run, gid_t gid,
			     struct pog_sync_result *res);

/* The primary gid of a local account (getpwnam_r); POG_ERR_USER: no such account. */
pog_err pog_sync_primary_gid(const char *user, gid_t *gid);

struct pog_map_sysinfo;

/*
 * What same_name needs: GID_MIN and GID_MAX of login.defs and the GIDs
 * of passwd, both read from group_file's folder (/etc/group: /etc). *out
 * is NULL when same_name is off, or when a file is refused or malformed
 * (logged): then same_name grants nothing. Only NOMEM fails. free(*out).
 */
pog_err pog_sync_sysinfo(const struct pog_config *cfg, const struct pog_io *io,
			 struct pog_map_sysinfo **out);

/* The GIDs of D that exist locally, for setcred in session mode. */
pog_err pog_sync_session_gids(const struct pog_config *cfg,
			      const struct pog_identity *id,
			      const struct pog_io *io,
			      gid_t **gids, size_t *ngids);

/*
 * The account phase of a login that ran no device flow (an SSH key,
 * sftp): POG_OK when recent_login and the ledger vouch for it (see
 * pog_policy_recent_login; not with mode = session), and the groups
 * stay as the last Okta login left them. Otherwise POG_ERR_NOBINDING
 * with *deny_reason (malloc'd) the sentence to tell. One audit line
 * either way. Nothing is written.
 */
pog_err pog_sync_recent_login(const struct pog_config *cfg, const char *user,
			      const struct pog_io *io, char **deny_reason);

void pog_sync_result_free(struct pog_sync_result *res);

#endif /* POG_SYNC_H */
