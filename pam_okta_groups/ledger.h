/*
 * ledger.h - what the module remembers per user: state_dir/USER, a small
 * JSON document written atomically with mode 0600.
 *
 * Edge: its JSON goes through json.h (only json.c includes the JSON library). pog_ledger_parse and
 * pog_ledger_format are pure, for the tests and the fuzz target.
 */
#ifndef POG_LEDGER_H
#define POG_LEDGER_H

#include <stdint.h>

#include "pog.h"

#define POG_LEDGER_VERSION  1
#define POG_LEDGER_MAX_SIZE (1024 * 1024)

struct pog_ledger {
	char *user;
	int64_t when;                   /* last verified login (epoch); 0: never */
	char *sub;                      /* of the last verified login */
	char *pinned_sub;               /* the account's Okta identity; NULL: not pinned */
	char *issuer;
	struct pog_strv idp_groups;     /* valid names only, sanitized */
	struct pog_strv managed;        /* added by this module and still held */
	struct pog_strv last_added;
	struct pog_strv last_removed;
	char *result;                   /* "granted", "denied: ...", "expired", ... */
	int64_t expired;                /* when okta-groups expire stripped it; 0: not */
	char *handoff;                  /* the login's handoff nonce, or NULL */
};

/*
 * Parses a ledger. Strict: every known key must have the right type,
 * version must be POG_LEDGER_VERSION, and group names must be valid.
 * Unknown keys are ignored. *errmsg (malloc'd, may be NULL) says why.
 *
 * "pinned_sub" is a string, or null once okta-groups users rebind has
 * cleared it. A ledger written before the pin existed has no such key:
 * it is pinned to its recorded "sub", so any later write keeps that pin.
 */
pog_err pog_ledger_parse(struct pog_ledger *l, const char *text, size_t len,
			 char **errmsg);

/* Formats a ledger as JSON text with a final newline; *out is malloc'd. */
pog_err pog_ledger_format(const struct pog_ledger *l, char **out, size_t *len);

void pog_ledger_free(struct pog_ledger *l);

/*
 * The pin, under the lock of a sync: a ledger pinned to another sub
 * refuses sub (POG_ERR_PINNED, logged with both); an unpinned one is
 * pinned to sub. Nothing is written here.
 */
pog_err pog_ledger_pin_take(struct pog_ledger *l, const char *sub,
			    const struct pog_io *io);

/*
 * The auth phase's check: reads state_dir/user (no network, no write).
 * POG_OK when there is no ledger, no pin, or the pin is sub;
 * POG_ERR_PINNED (logged with both subs) when it is another sub. A
 * ledger that exists but cannot be read refuses too (POG_ERR_CONFIG,
 * logged): a pin that a damaged file could lift would be no pin.
 */
pog_err pog_ledger_check_pin(const char *state_dir, const char *user,
			     const char *sub, const struct pog_io *io);

/* state_dir/user, or NULL when user is not a valid name (or no memory). */
char *pog_ledger_path(const char *state_dir, const char *user);

/*
 * Reads state_dir/user strictly: POG_ERR_SYSTEM with errno ENOENT when
 * it is missing, POG_ERR_CONFIG when refused (owner, mode, size, not a
 * regular file), POG_ERR_INVALID when corrupt or naming another user.
 * *errmsg (malloc'd, may be NULL) says why.
 */
pog_err pog_ledger_load(const char *state_dir, const char *user,
			struct pog_ledger *l, char **errmsg);

/*
 * Reads state_dir/user for a sync. A missing file gives an empty ledger
 * (user set) and POG_OK. A file that cannot be read (an I/O error,
 * refused for its owner, mode or size, corrupt, naming another user)
 * is logged and fails: POG_ERR_SYSTEM for an I/O error, POG_ERR_CONFIG
 * otherwise, as pog_ledger_check_pin refuses it. An invalid user name
 * gives POG_ERR_INVALID (not logged).
 */
pog_err pog_ledger_read(const char *state_dir, const char *user,
			struct pog_ledger *l, const struct pog_io *io);

/*
 * Writes state_dir/l->user atomically, mode 0600, creating state_dir
 * (mode 0700, owned by the caller) when missing.
 */
pog_err pog_ledger_write(const char *state_dir, const struct pog_ledger *l);

/* The same, with text from pog_ledger_format (for user): only the write itself. */
pog_err pog_ledger_write_text(const char *state_dir, const char *user,
			      const char *text, size_t len);

/*
 * The same write begun (util.h's pog_atomic_begin): the temp written and
 * its writeback started; the caller commits or aborts a.
 */
struct pog_atomic;
pog_err pog_ledger_begin_text(const char *state_dir, const char *user, const char *text,
			      size_t len, struct pog_atomic *a);

#endif /* POG_LEDGER_H */
