/*
 * uidstate.h - the state the UID rule reads: passwd, group, the account
 * records in state_dir/accounts/, and uid_key_file.
 *
 * libc only, like uidrule.c: compiled into the NSS module as it is, and
 * linked into libpog for the account phase and the tool, so that both
 * read the same files the same way. The files are read directly, never
 * through getpwnam/getpwuid: inside sshd those would see the NSS
 * module's own pending answers.
 *
 * Every file is opened O_NOFOLLOW and must be regular, owned by the
 * given owner (root in production), and not writable by group or
 * others; the folders too. Anything else is refused (fail closed).
 */
#ifndef POG_UIDSTATE_H
#define POG_UIDSTATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "uidrule.h"

#define POG_UID_FILE_MAX   (64u * 1024 * 1024)  /* passwd, group */
#define POG_UID_RECORDS_MAX 65536

struct pog_uid_paths {
	const char *passwd;     /* /etc/passwd */
	const char *group;      /* /etc/group */
	const char *state_dir;  /* the records are in state_dir/accounts */
	const char *key_file;   /* uid_key_file */
	uid_t owner;            /* of all of them: 0 in production */
};

enum pog_uid_status {
	POG_UIDS_OK,
	POG_UIDS_EXISTS,        /* a user or a group of that name exists */
	POG_UIDS_TAKEN,         /* the name's recorded UID is used by another */
	POG_UIDS_FULL,          /* no free UID within POG_UID_PROBES */
	POG_UIDS_REFUSED,       /* a file is missing, unsafe or malformed */
	POG_UIDS_NOMEM,
};

struct pog_uid_answer {
	uint32_t uid;           /* and the private group's GID */
	bool known;             /* from the name's own record */
	bool released;          /* its record is a released tombstone: a new UID */
	struct pog_account record; /* that record, when known or released */
};

/*
 * The account the rule gives name now. make_key: create uid_key_file
 * when it is missing (32 random bytes, mode 0600, atomically; a
 * concurrent creator wins and its key is used).
 */
enum pog_uid_status pog_uid_compute(const struct pog_uid_paths *p, uint32_t lo,
				    uint32_t hi, const char *name, bool make_key,
				    struct pog_uid_answer *out);

/* A short phrase for a status, for logs and messages. */
const char *pog_uid_status_text(enum pog_uid_status s);

/*
 * Reads a whole file safely (see above) into a NUL-terminated malloc'd
 * buffer. 0, or an errno value (ENOENT when missing, EPERM when its
 * owner or mode is wrong, EFBIG when over max).
 */
int pog_uid_read_file(const char *path, uid_t owner, size_t max, char **data,
		      size_t *len);

/* Loads (or, with make, creates) the key. 0, or an errno value. */
int pog_uid_key(const char *path, uid_t owner, bool make,
		uint8_t key[POG_UID_KEY_SIZE]);

/*
 * The record state_dir/accounts/name. 0, ENOENT when there is none, or
 * another errno value (EINVAL: malformed or naming another account).
 */
int pog_account_load(const char *state_dir, uid_t owner, const char *name,
		     struct pog_account *a);

#endif /* POG_UIDSTATE_H */
