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
#include "uidrule.h"
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

/* Writes a record (state_dir/accounts/NAME, atomic, 0600). */
pog_err pog_accounts_write_record(const struct pog_config *cfg, const struct pog_account *a);

/*
 * Reads user's record: POG_OK; POG_ERR_SYSTEM with errno ENOENT when
 * the module did not create user; POG_ERR_CONFIG when it cannot be read
 * safely (owner, mode, malformed).
 */
pog_err pog_accounts_record(const struct pog_config *cfg, const char *user,
			    struct pog_account *a);

/*
 * Whether the module must refuse user: its record says locked, or exists
 * and cannot be read (fail closed). false for an account the module did
 * not create. Logs why.
 */
bool pog_accounts_locked(const struct pog_config *cfg, const char *user,
			 const struct pog_io *io);

/* After a granted login: the record's last_login (and sub) of a created account. */
void pog_accounts_touch(const struct pog_config *cfg, const char *user, const char *sub,
			const struct pog_io *io);

/*
 * okta-groups users lock: the record's state becomes locked (the module
 * refuses every further login of user, with or without a device flow),
 * then usermod -L. POG_ERR_USER when the module did not create user.
 */
pog_err pog_accounts_lock(const struct pog_config *cfg, const char *user,
			  const struct pog_io *io);

/*
 * okta-groups users purge: userdel (never -r: the home stays), groupdel
 * of the private group if userdel left it, the ledger removed, and the
 * record kept as a tombstone (state purged) so that the UID stays this
 * name's. POG_ERR_USER when the module did not create user.
 */
pog_err pog_accounts_purge(const struct pog_config *cfg, const char *user,
			   const struct pog_io *io);

/*
 * okta-groups users rebind of a purged account: the tombstone becomes
 * released, so that the next first login of user, by any Okta identity,
 * creates it with a new UID; the old one is retired in the record and
 * never given to anyone again. *after: the record written. POG_ERR_USER
 * when user's record is not a purged one, or has no room for another
 * retired UID; POG_ERR_SYSTEM with errno ENOENT when there is none.
 */
pog_err pog_accounts_release(const struct pog_config *cfg, const char *user,
			     struct pog_account *after);

#define POG_ACCOUNTS_LOCKED "This account is locked on this host; ask an administrator."
#define POG_ACCOUNTS_RETRY "Your account could not be created just now; please connect again."

#endif /* POG_ACCOUNTS_H */
