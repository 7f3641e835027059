/*
 * accounts.h - accounts on first login: the account phase's creation of
 * the account that libnss_okta_groups.so.2 answered for, with shadow's
 * own groupadd and useradd, and its record in state_dir/accounts/NAME.
 *
 * Edge: runs programs and writes files; the rule is uidrule.c's.
 */
#ifndef POG_ACCOUNTS_H
#define POG_ACCOUNTS_H

#include <stdbool.h>

#include "cfg.h"
#include "pog.h"

/* Whether user has a line in the local passwd file (read directly, not through NSS). */
bool pog_accounts_local(const struct pog_config *cfg, const char *user);

/*
 * The auth phase's question for a name with no local account: would the
 * account phase create it? POG_OK when create = yes and the rule gives
 * the name an account; else POG_ERR_USER (logged why). No file is written.
 */
pog_err pog_accounts_may_create(const struct pog_config *cfg, const char *user,
				const struct pog_io *io);

/*
 * Creates user for the Okta sub after the device flow, the binding to
 * the name and a binding that grants this host. Under sshd (under_sshd)
 * this process's getpwnam() must return exactly the pending account
 * first (sshd keeps that entry for the session). Under a lock in
 * state_dir/accounts, the rule runs again; the account it gives must be
 * the same; then groupadd -g and useradd -u, with absolute paths, their
 * own environment and no output to the user. Any difference, or a UID
 * taken in the meantime, fails closed (POG_ERR_SYSTEM, "please connect
 * again"). Then the record is written (state active).
 */
pog_err pog_accounts_create(const struct pog_config *cfg, const char *user,
			    const char *sub, bool under_sshd,
			    const struct pog_io *io);

#define POG_ACCOUNTS_RETRY "Your account could not be created just now; please connect again."

#endif /* POG_ACCOUNTS_H */
