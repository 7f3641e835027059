/*
 * sshcfg.h - what the module needs to know of sshd_config: whether sshd
 * gives the user enough time to approve (LoginGraceTime).
 */
#ifndef POG_SSHCFG_H
#define POG_SSHCFG_H

#include "cfg.h"
#include "pog.h"

#define POG_SSHD_DEFAULT_GRACE 120

/*
 * Finds the first LoginGraceTime in sshd_config text (sshd's first value
 * wins) and returns it in seconds (0: no limit). POG_ERR_INVALID when the
 * text has none; the value is then sshd's default.
 */
pog_err pog_sshd_grace_parse(const char *text, size_t len, long *seconds);

/* Parses an sshd time value: "90", "2m", "1h30m" (s m h d w). */
bool pog_sshd_time(const char *s, size_t len, long *seconds);

/*
 * Reads the drop-ins of dir/sshd_config.d, then dir/sshd_config, as
 * Debian's Include at the top of sshd_config does, and warns when
 * LoginGraceTime is shorter than approval_timeout.
 */
void pog_sshd_check_grace(const struct pog_config *cfg, const char *dir,
			  const struct pog_io *io);

#endif /* POG_SSHCFG_H */
