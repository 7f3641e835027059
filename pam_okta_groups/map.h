/*
 * map.h - the Paralus mapping and the plan, as a pure function.
 *
 *   T  the IdP groups, as sent (untrusted)
 *   B  the bindings of groups in T for this host's project, or for every
 *      project (no @project, or @*)
 *   D  the roles' local groups that exist, plus same_name grants
 *   M  every group in [roles], the groups the ledger says this module
 *      added, and this sync's same_name grants
 *   add = D ∩ M \ current, remove = current ∩ M \ D
 *
 * The user's primary group (by gid) is never added or removed.
 */
#ifndef POG_MAP_H
#define POG_MAP_H

#include <sys/types.h>

#include "cfg.h"
#include "grp.h"
#include "pog.h"

struct pog_map_input {
	const struct pog_config *cfg;
	const struct pog_strv *idp_groups;      /* T; NULL: no group claim */
	const char *user;                       /* a valid user name */
	gid_t primary_gid;
	const struct pog_strv *ledger_managed;  /* NULL: none */
	const struct pog_grp_db *group_db;      /* the parsed group file */
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

#endif /* POG_MAP_H */
