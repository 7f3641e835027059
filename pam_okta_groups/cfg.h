/*
 * cfg.h - the config file (pam_okta_groups.conf(5)).
 *
 * Pure core: parsing and validation. The only third-party include is
 * inih, in cfg.c.
 */
#ifndef POG_CFG_H
#define POG_CFG_H

#include <stdint.h>

#include "pog.h"

#define POG_DEFAULT_CONFIG "/etc/security/pam_okta_groups.conf"
#define POG_CFG_MAX_SIZE   (256 * 1024)

enum pog_prompt { POG_PROMPT_AUTO, POG_PROMPT_ENTER, POG_PROMPT_POLL };
enum pog_qr { POG_QR_AUTO, POG_QR_YES, POG_QR_NO };
enum pog_source { POG_SOURCE_AUTO, POG_SOURCE_ID_TOKEN, POG_SOURCE_USERINFO };
enum pog_mode { POG_MODE_PERSISTENT, POG_MODE_SESSION, POG_MODE_NONE };
enum pog_match { POG_MATCH_EXACT, POG_MATCH_CASEFOLD };

struct pog_role {
	char *name;
	struct pog_strv groups;     /* local group names */
};

struct pog_binding {
	char *idp_group;
	char *role;
	char *project;              /* NULL: every project (no @, or @*) */
};

/* [sudo] role = rule: one sudoers rule, without the user name. */
struct pog_sudo_rule {
	char *role;
	char *rule;                 /* printable ASCII, checked by visudo at use */
	unsigned int line;          /* in the config file, for messages */
};

struct pog_uid_range {
	uint32_t lo, hi;
};

struct pog_config {
	char *path;

	/* [okta] */
	char *issuer;               /* https only; compared exactly with iss */
	char *client_id;
	char *client_secret_file;   /* NULL: public client */
	char *client_secret;        /* read from client_secret_file; scrubbed on free */
	struct pog_strv scopes;     /* always holds "openid" */
	char *ca_file;              /* NULL: the system trust store */
	char *proxy;                /* NULL: none; never from the environment */
	struct pog_strv endpoint_hosts; /* hosts besides the issuer's for endpoints */
	long http_timeout;          /* 1-120 s */
	char *cache_dir;
	long clock_skew;            /* 0-600 s */

	/* [login] */
	char *username_claim;
	struct pog_strv username_domains;
	long approval_timeout;      /* 10-3600 s */
	enum pog_prompt prompt;
	enum pog_qr qr;
	bool require_mfa;
	struct pog_strv require_acr; /* empty: any acr; else acr must be one of these */
	long max_auth_age;          /* seconds; 0: auth_time not checked */
	long recent_login;          /* seconds; 0: no account phase without a device flow */
	bool services_set;          /* false: every service that names the module */
	struct pog_strv services;   /* the PAM services it signs in */
	struct pog_strv local_users; /* never signed in with Okta: PAM_IGNORE */

	/* [groups] */
	char *groups_claim;
	enum pog_source source;
	enum pog_mode mode;
	char *project;
	bool same_name;
	enum pog_match match;
	bool deny_on_no_binding;    /* on_no_binding = deny */
	bool authoritative;         /* M also holds every group named in [roles] */
	struct pog_strv protected_groups;
	char *group_file;
	char *gshadow_file;
	char *state_dir;
	char *sudoers_dir;          /* where okta-USER goes; for chroots and tests */

	/* [accounts] */
	bool create_accounts;       /* create = yes */
	struct pog_uid_range uid_range;
	char *uid_key_file;
	char *home;                 /* %u: the user name */
	char *shell;
	long max_pending;           /* device authorizations in flight, 1-1000 */

	/* [roles] */
	struct pog_role *roles;
	size_t nroles;

	/* [sudo] */
	struct pog_sudo_rule *sudo;
	size_t nsudo;

	/* [bindings] */
	struct pog_binding *bindings;
	size_t nbindings;
};

/* Fills cfg with the defaults of pam_okta_groups.conf(5) (issuer and client_id stay NULL). */
pog_err pog_cfg_defaults(struct pog_config *cfg);

/*
 * Parses config text. name is used in messages ("FILE:LINE: key: why").
 * On error, *errmsg (malloc'd) says what is wrong and cfg is left freed.
 * Does not read client_secret_file.
 */
pog_err pog_cfg_parse(struct pog_config *cfg, const char *name,
		      const char *text, size_t len, char **errmsg);

/*
 * Loads a config file: opens it safely (regular, root-owned, not group-
 * or world-writable, size-capped), parses it, and reads the secret from
 * client_secret_file (regular, root-owned, mode 0600 or 0400).
 * path NULL means the default. owner_uid is the required owner (0 in
 * production; the tests pass their own uid).
 */
pog_err pog_cfg_load(struct pog_config *cfg, const char *path,
		     unsigned int owner_uid, char **errmsg);

void pog_cfg_free(struct pog_config *cfg);

const struct pog_role *pog_cfg_role(const struct pog_config *cfg,
				    const char *name);

/* The [sudo] rule of a role, or NULL. */
const struct pog_sudo_rule *pog_cfg_sudo(const struct pog_config *cfg,
					 const char *role);

#endif /* POG_CFG_H */
