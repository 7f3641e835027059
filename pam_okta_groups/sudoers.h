/*
 * sudoers.h - the file sudoers_dir/okta-USER (edge): written as sudo's
 * own tools do it (a temp file that @includedir skips, mode 0440
 * root:root, visudo -cf, rename), removed when no rule is left. No other
 * sudoers file is ever written.
 */
#ifndef POG_SUDOERS_H
#define POG_SUDOERS_H

#include "cfg.h"
#include "pog.h"

#define POG_VISUDO "/usr/sbin/visudo"

/*
 * Whether rules can be installed: visudo is there, and the sudoers file
 * beside sudoers_dir (/etc/sudoers for /etc/sudoers.d) reads sudoers_dir
 * with @includedir. POG_ERR_UNAVAIL with *why (malloc'd) when not.
 */
pog_err pog_sudoers_ready(const struct pog_config *cfg, char **why);

/*
 * Runs visudo -cf on "USER RULE" in a private temp folder (never in
 * sudoers_dir). POG_ERR_CONFIG with *why (visudo's words, sanitized)
 * when visudo refuses it; POG_ERR_UNAVAIL when there is no visudo.
 */
pog_err pog_sudoers_check_rule(const char *user, const char *rule, char **why);

/*
 * Makes okta-USER hold the rules of the roles (pog_sudo_roles) or, with
 * none, removes it. keep: also keep the configured roles the file holds
 * now (the group list may have been cut at the provider's cap). added and removed (may be NULL) get the role names
 * that changed ("?" for a line no configured rule gives). When sudo is
 * not ready (pog_sudoers_ready), nothing is written, and an old file is
 * removed. A set visudo refuses is never installed, and the old file
 * goes (POG_ERR_CONFIG). Everything is logged.
 */
pog_err pog_sudoers_sync(const struct pog_config *cfg, const char *user,
			 const struct pog_strv *roles, bool keep, const struct pog_io *io,
			 struct pog_strv *added, struct pog_strv *removed);

/*
 * Removes okta-USER, if there is one (expire, users lock); logs it when
 * it did. POG_OK when the file is gone or never was. io may be NULL.
 */
pog_err pog_sudoers_remove(const struct pog_config *cfg, const char *user,
			   const struct pog_io *io);

#endif /* POG_SUDOERS_H */
