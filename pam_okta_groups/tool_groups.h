/*
 * tool_groups.h - the okta-groups subcommands about groups and the
 * ledger: explain, status, expire and users (okta-groups(8)).
 *
 * Each takes the loaded config and the subcommand's own arguments, with
 * argv[0] the subcommand's name; prints to stdout (errors to stderr);
 * and returns the exit code: 0 done, 1 failed, 2 bad usage.
 */
#ifndef POG_TOOL_GROUPS_H
#define POG_TOOL_GROUPS_H

#include "cfg.h"

/* explain USER [GROUP...]: the plan for these IdP groups; no network, no change. */
int pog_tool_explain(const struct pog_config *cfg, int argc, char **argv);

/* status [USER]: the ledger of USER, or of every user in state_dir. */
int pog_tool_status(const struct pog_config *cfg, int argc, char **argv);

/*
 * expire [--older-than DURATION] [--dry-run]: remove the managed
 * memberships of every user whose last verified login is older than
 * DURATION (30d by default; units s, m, h, d, w).
 */
int pog_tool_expire(const struct pog_config *cfg, int argc, char **argv);

/*
 * users [list]: each ledger's user, pinned sub and last login.
 * users rebind USER: clears USER's pin (nothing else), under the lock
 * the sync writes the ledger under, so the next login pins its sub.
 */
int pog_tool_users(const struct pog_config *cfg, int argc, char **argv);

/*
 * check: whether sudo reads sudoers_dir, and visudo -cf on each [sudo]
 * rule, naming the role and its line. The number of problems.
 */
int pog_tool_check_sudo(const struct pog_config *cfg);

/* Parses a duration such as 30d, 12h, 90m, 3600s (or plain seconds). */
bool pog_tool_parse_duration(const char *s, long *seconds);

#endif /* POG_TOOL_GROUPS_H */
