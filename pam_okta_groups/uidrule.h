/*
 * uidrule.h - the one rule that gives a new account its UID, shared by
 * the NSS module (which answers for the account before it exists) and
 * the account phase (which creates it), so that both compute the same
 * account from the same state.
 *
 * Pure core, libc only: no libpog, no I/O. It is compiled into
 * libnss_okta_groups.so.2 as it is, so it uses neither pog.h nor malloc
 * beyond the id set.
 *
 * The rule: a name that an account record already knows (a tombstone
 * too) keeps its UID. Otherwise the search starts at SipHash-2-4 of the
 * name, keyed by uid_key_file, modulo the range, and probes upwards
 * (wrapping) past every UID and GID in use: in passwd, in group, and in
 * every record. After POG_UID_PROBES taken numbers it fails closed. The
 * private group gets the same number.
 */
#ifndef POG_UIDRULE_H
#define POG_UIDRULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define POG_UID_NAME_MAX  32    /* as shadow's useradd: LOGIN_NAME_MAX here is 32 */
#define POG_UID_KEY_SIZE  32    /* bytes in uid_key_file */
#define POG_UID_PROBES    1000
#define POG_UID_DEFAULT_LO 1879048192u
#define POG_UID_DEFAULT_HI 2147483646u
#define POG_UID_RANGE_MIN 1000u        /* never a system UID */
#define POG_UID_RANGE_MAX 4294967294u  /* (uid_t)-1 is never a UID */
#define POG_ACCOUNT_MAX_SIZE 4096
#define POG_ACCOUNT_SUB_MAX  255
#define POG_ACCOUNT_RETIRED_MAX 16      /* UIDs a name had before a release */

/* SipHash-2-4 of data under a 16-byte key. */
uint64_t pog_siphash24(const uint8_t key[16], const void *data, size_t len);

/* Where the hash of name lands in [lo, hi], keyed by the 32 key bytes. */
uint32_t pog_uid_start(const uint8_t key[POG_UID_KEY_SIZE], uint32_t lo,
		       uint32_t hi, const char *name);

/* ^[a-z_][a-z0-9_-]*[$]?$ and at most 32 bytes: what useradd accepts by default. */
bool pog_uid_name_valid(const char *name);

/* "LO-HI" with POG_UID_RANGE_MIN <= LO <= HI <= POG_UID_RANGE_MAX. */
bool pog_uid_parse_range(const char *s, uint32_t *lo, uint32_t *hi);

/*
 * home: an absolute path of printable ASCII, no "..", where %u stands
 * for the user name and %% for '%'; no other '%'.
 */
bool pog_uid_home_valid(const char *pattern);
/* Expands pattern for name into buf; false when it does not fit or is invalid. */
bool pog_uid_home_expand(const char *pattern, const char *name, char *buf,
			 size_t size);

/* A sorted set of numbers in use. */
struct pog_idset {
	uint32_t *v;
	size_t n, cap;
	bool sorted;
};

bool pog_idset_add(struct pog_idset *s, uint32_t id);  /* false: no memory */
bool pog_idset_has(struct pog_idset *s, uint32_t id);  /* sorts on first use */
void pog_idset_free(struct pog_idset *s);

/*
 * Scans passwd (fields 3 and 4) or group (field 3) text into ids, and
 * tells whether a line names name (field 1). Lines that do not parse
 * (comments, NIS "+" lines, junk) are skipped, as glibc skips them;
 * their numbers cannot be known. false: no memory.
 */
bool pog_uid_scan_passwd(const char *text, size_t len, const char *name,
			 struct pog_idset *ids, bool *name_found);
bool pog_uid_scan_group(const char *text, size_t len, const char *name,
			struct pog_idset *ids, bool *name_found);

enum pog_account_state {
	POG_ACCOUNT_ACTIVE,
	POG_ACCOUNT_LOCKED,
	POG_ACCOUNT_PURGED,     /* a tombstone: the UID stays this name's, for its sub */
	POG_ACCOUNT_RELEASED,   /* a tombstone that users rebind gave up: for any sub */
};
#define POG_ACCOUNT_STATES 4

/*
 * One account the module created: state_dir/accounts/NAME, lines of
 * "key value":
 *   pog-account 1
 *   name NAME
 *   uid N
 *   sub SUB
 *   created EPOCH
 *   last_login EPOCH
 *   state active|locked|purged|released
 *   retired N,N...     (optional: the UIDs of the name's former owners)
 * Every key exactly once (retired at most once), in any order; nothing
 * else. A released record's UID and every retired one are never given
 * to anyone again.
 */
struct pog_account {
	char name[POG_UID_NAME_MAX + 1];
	uint32_t uid;
	char sub[POG_ACCOUNT_SUB_MAX + 1];
	int64_t created;
	int64_t last_login;
	enum pog_account_state state;
	uint32_t retired[POG_ACCOUNT_RETIRED_MAX];
	size_t nretired;
};

/* Strict. false: malformed (*why says what, a static string). */
bool pog_account_parse(const char *text, size_t len, struct pog_account *a,
		       const char **why);
/* The record's text into buf; its length, or 0 when it does not fit or a is invalid. */
size_t pog_account_format(const struct pog_account *a, char *buf, size_t size);
const char *pog_account_state_name(enum pog_account_state s);

enum pog_uid_pick {
	POG_UID_PICKED,
	POG_UID_TAKEN,          /* a known UID is now used by someone else */
	POG_UID_FULL,           /* POG_UID_PROBES numbers in a row are taken */
};

/*
 * The rule itself. known: the UID of this name's record, or -1. taken:
 * every UID and GID in use, without this name's own record.
 */
enum pog_uid_pick pog_uid_pick(const uint8_t key[POG_UID_KEY_SIZE], uint32_t lo,
			       uint32_t hi, const char *name, int64_t known,
			       struct pog_idset *taken, uint32_t *uid);

#endif /* POG_UIDRULE_H */
