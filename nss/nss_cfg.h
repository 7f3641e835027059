/*
 * nss_cfg.h - what the NSS module reads of pam_okta_groups.conf(5):
 * [accounts] create, uid_range, uid_key_file, home, shell; [groups]
 * state_dir; [login] services. libc and libinih only (never libpog).
 *
 * The keys it reads are checked as cfg.c checks them (the same
 * uidrule.c functions for uid_range and home); the rest of the file is
 * cfg.c's business: the PAM module refuses a broken file, and then
 * nothing is created whatever this answered.
 */
#ifndef POG_NSS_CFG_H
#define POG_NSS_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define POG_NSS_PATH_MAX 256

struct pog_nsscfg {
	bool create;
	uint32_t lo, hi;
	char key_file[POG_NSS_PATH_MAX];
	char home[POG_NSS_PATH_MAX];
	char shell[POG_NSS_PATH_MAX];
	char state_dir[POG_NSS_PATH_MAX];
	bool sshd;              /* services is unset or names sshd */
};

/* text holds len bytes and a final NUL. false: refused. */
bool pog_nsscfg_parse(const char *text, size_t len, struct pog_nsscfg *c);

#endif /* POG_NSS_CFG_H */
