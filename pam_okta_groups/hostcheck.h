/*
 * hostcheck.h - okta-groups check's warnings about the host for
 * accounts on first login: what makes sshd miss the pending account or
 * refuse the new user before PAM can help.
 */
#ifndef POG_HOSTCHECK_H
#define POG_HOSTCHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "cfg.h"
#include "pog.h"

/*
 * The passwd line of nsswitch.conf text: how many times it names
 * service (in *count), and whether a "[...]" action comes before the
 * first one (*action_before), which may end the lookup early. false when
 * there is no passwd line.
 */
bool pog_nss_passwd_line(const char *text, size_t len, const char *service,
			 unsigned int *count, bool *action_before);

/*
 * sshd_config text: whether it has AllowGroups, DenyGroups, or a Match
 * block with a Group criterion (sshd evaluates them before the new user
 * is in any group). The first keyword found in *which (static).
 */
bool pog_sshd_group_rules(const char *text, size_t len, const char **which);

/*
 * With create = yes: warns (through io, LOG_WARNING) about a passwd line
 * of etc/nsswitch.conf without okta_groups, nscd or sssd answering
 * passwd, a shell that is not executable, and AllowGroups, DenyGroups or
 * Match Group in etc/ssh/sshd_config and its drop-ins. Returns the
 * number of warnings.
 */
unsigned int pog_hostcheck_accounts(const struct pog_config *cfg, const char *etc,
				    const struct pog_io *io);

#endif /* POG_HOSTCHECK_H */
