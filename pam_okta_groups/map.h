/*
 * map.h - the Paralus mapping and the plan, as a pure function.
 *
 *   T  the IdP groups, as sent (untrusted)
 *   B  the bindings of groups in T for this host's project, or for every
 *      project (no @project, or @*)
 *   D  the roles' local groups that exist, plus same_name grants: an
 *      existing ordinary group, i.e. its GID within GID_MIN..GID_MAX,
 *      no user's primary group, and not protected
 *   M  the groups the ledger says this module added; with
 *      authoritative = yes, also every group in [roles]
 *   add = D \ current, remove = current ∩ M \ D
 *
 * A list of POG_MAP_GROUPS_CAP or more IdP groups may have been cut by
 * the provider, so it removes nothing. The user's primary group (by
 * gid) is never added or removed.
 */
#ifndef POG_MAP_H
#define POG_MAP_H

#include <sys/types.h>

#include "cfg.h"
#include "grp.h"
#include "pog.h"

/* Okta cuts a groups claim at 100 entries without saying so. */
#define POG_MAP_GROUPS_CAP 100

/* login.defs defaults, as shadow's useradd and groupadd use them. */
#define POG_MAP_GID_MIN_DEFAULT 1000
#define POG_MAP_GID_MAX_DEFAULT 60000

/* What same_name needs to know about the system's groups and users. */
struct pog_map_sysinfo {
	gid_t gid_min, gid_max;         /* of login.defs */
	const gid_t *user_gids;         /* the GID of every passwd entry */
	size_t n_user_gids;
};

struct pog_map_input {
	const struct pog_config *cfg;
	const struct pog_strv *idp_groups;      /* T; NULL: no group claim */
	const char *user;                       /* a valid user name */
	gid_t primary_gid;
	const struct pog_strv *ledger_managed;  /* NULL: none */
	const struct pog_grp_db *group_db;      /* the parsed group file */
	const struct pog_map_sysinfo *sys;      /* NULL: same_name grants nothing */
};

struct pog_map_plan {
	bool granted;                   /* B non-empty, or same_name granted */
	struct pog_strv idp_record;     /* T fit for the ledger: valid names, sanitized */
	struct pog_strv bindings;       /* "IdP group = role@project" of B */
	struct pog_strv roles;          /* "role@project" of B, no duplicates */
	struct pog_strv desired;        /* D */
	struct pog_strv same_name;      /* the part of D that same_name granted */
	struct pog_strv managed;        /* M */
	struct pog_strv add;
	struct pog_strv remove;
	struct pog_strv ignored;        /* "name: why", sanitized, for display */
	struct pog_strv warnings;       /* those of ignored worth a warning in the log */
	struct pog_strv managed_after;  /* the ledger's managed set once applied */
	bool capped;                    /* T at POG_MAP_GROUPS_CAP: nothing removed */
	struct pog_strv kept;           /* what capped kept from remove */
};

/*
 * Computes the plan. Only NOMEM and INVALID (a missing input) fail;
 * everything about the data itself ends up in the plan.
 */
pog_err pog_map_plan(const struct pog_map_input *in, struct pog_map_plan *out);
void pog_map_plan_free(struct pog_map_plan *plan);

/* Whether an IdP group name matches a binding key under cfg->match. */
bool pog_map_key_matches(const struct pog_config *cfg, const char *key,
			 const char *idp_group);

/*
 * GID_MIN and GID_MAX from the text of login.defs, parsed as shadow's
 * getdef.c does ("KEY value" lines, # comments, the last one wins, a
 * value may be quoted; numbers as strtoul base 0), but strictly: a
 * value that is not a whole number in 0..2^32-2, or GID_MIN > GID_MAX,
 * is POG_ERR_INVALID with *errmsg naming the line and key. A key that
 * is absent keeps its default. text may be NULL when len is 0 (no file).
 */
pog_err pog_map_parse_login_defs(const char *text, size_t len, gid_t *gid_min,
				 gid_t *gid_max, char **errmsg);

/*
 * The GID (4th field) of every entry of a passwd file's text, sorted,
 * duplicates removed. Empty lines and # comments are skipped; any other
 * line without a valid GID is POG_ERR_INVALID with *errmsg naming it.
 * *gids is malloc'd (may be NULL when *n is 0).
 */
pog_err pog_map_parse_passwd_gids(const char *text, size_t len, gid_t **gids,
				  size_t *n, char **errmsg);

#endif /* POG_MAP_H */
