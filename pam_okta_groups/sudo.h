/*
 * sudo.h - the sudo rules of a user, as pure functions: which [sudo]
 * rules the user's roles grant, the text of their sudoers file, and what
 * changed between two such files. sudoers.c writes the file.
 */
#ifndef POG_SUDO_H
#define POG_SUDO_H

#include <stddef.h>

#include "cfg.h"
#include "pog.h"

/* The first line of every file the module writes. */
#define POG_SUDO_HEADER "# Managed by pam_okta_groups; edits are overwritten at the next login\n"

/* The file of USER in sudoers_dir is POG_SUDO_PREFIX USER. */
#define POG_SUDO_PREFIX "okta-"

/* Bigger is not ours: a file of every rule of a large [sudo] fits. */
#define POG_SUDO_MAX_FILE (256 * 1024)

/*
 * A name fit for a sudoers line and for a file name that @includedir
 * reads: what shadow's useradd accepts by default (so no '%', '+', '#',
 * '.', '~' or '/'), and a valid group member.
 */
bool pog_sudo_user_valid(const char *user);

/*
 * The roles that carry a [sudo] rule among plan_roles ("role@project",
 * as pog_map_plan gives them), in the order of [sudo], each once.
 */
pog_err pog_sudo_roles(const struct pog_config *cfg, const struct pog_strv *plan_roles,
		       struct pog_strv *out);

/*
 * The file's text: POG_SUDO_HEADER, then "USER RULE\n" for each role of
 * roles (which pog_sudo_roles gave). *text is NULL when roles is empty:
 * no file. POG_ERR_INVALID: user is not pog_sudo_user_valid.
 */
pog_err pog_sudo_text(const struct pog_config *cfg, const char *user,
		      const struct pog_strv *roles, char **text);

/*
 * The roles whose rule line "USER RULE" the text of an existing file
 * holds (text NULL: no file). A line that is neither the header, nor
 * empty, nor the line of a configured rule adds "?" (a rule since
 * changed in the config, or an edit).
 */
pog_err pog_sudo_roles_in(const struct pog_config *cfg, const char *user,
			  const char *text, struct pog_strv *out);

/* added = now \ before, removed = before \ now. */
pog_err pog_sudo_diff(const struct pog_strv *before, const struct pog_strv *now,
		      struct pog_strv *added, struct pog_strv *removed);

/*
 * Whether sudoers text (the main file) reads dir: a line
 * "@includedir DIR" or "#includedir DIR" (DIR may be quoted). DIR must
 * be dir, or "/etc/sudoers.d" when dir ends in "/etc/sudoers.d" (a chroot).
 */
bool pog_sudo_includes(const char *text, size_t len, const char *dir);

#endif /* POG_SUDO_H */
