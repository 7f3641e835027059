/*
 * handoff.h - what the account phase decided, for a setcred that runs in
 * another process (sshd).
 *
 * OpenSSH runs pam_authenticate and pam_acct_mgmt for keyboard-
 * interactive in a child process and pam_setcred in the monitor, so
 * pam_set_data does not reach setcred there. The account phase writes
 * the GIDs it decided to state_dir/handoff/NONCE, one file per login, and
 * leaves NONCE in the PAM environment, which sshd carries across. Two
 * logins of one user at once each have their own file.
 */
#ifndef POG_HANDOFF_H
#define POG_HANDOFF_H

#include <stdint.h>
#include <sys/types.h>

#include "pog.h"

#define POG_HANDOFF_NONCE_LEN 32        /* hex digits */
#define POG_HANDOFF_MAX_AGE   900       /* seconds from account to setcred */
#define POG_HANDOFF_MAX_GIDS  1000
#define POG_HANDOFF_MAX_SIZE  (16 * 1024)

struct pog_handoff {
	char *user;
	int64_t when;
	gid_t *gids;
	size_t ngids;
};

/* Pure: the file's text, and back. */
pog_err pog_handoff_parse(const char *text, size_t len, struct pog_handoff *h,
			  char **errmsg);
pog_err pog_handoff_format(const struct pog_handoff *h, char **out, size_t *len);
void pog_handoff_free(struct pog_handoff *h);

/* Whether s is a nonce as pog_random_hex makes them. */
bool pog_handoff_nonce_valid(const char *s);

/*
 * Writes h under state_dir/handoff/nonce, root-only, and removes the
 * files of logins older than POG_HANDOFF_MAX_AGE.
 */
pog_err pog_handoff_write(const char *state_dir, const char *nonce,
			  const struct pog_handoff *h);

/*
 * Reads and removes the file of nonce. It must name user and be younger
 * than POG_HANDOFF_MAX_AGE at now; *errmsg says why not.
 */
pog_err pog_handoff_take(const char *state_dir, const char *nonce,
			 const char *user, int64_t now, struct pog_handoff *h,
			 char **errmsg);

#endif /* POG_HANDOFF_H */
