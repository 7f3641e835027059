/*
 * pending.h - max_pending: at most N device authorizations in flight on
 * this host. state_dir/pending holds slot files 0..N-1; a login holds
 * an exclusive flock on one of them while its device flow runs. A killed
 * process releases its slot with its descriptor, so nothing is left to
 * clean up.
 *
 * Edge: files and flock only.
 */
#ifndef POG_PENDING_H
#define POG_PENDING_H

#include "pog.h"

/*
 * Takes a free slot of max (1-1000) in state_dir/pending, without
 * waiting: its descriptor (close-on-exec) in *fd. POG_ERR_UNAVAIL when
 * all max are held (logged); POG_ERR_SYSTEM when the folder cannot be
 * made or opened safely (logged).
 */
pog_err pog_pending_take(const char *state_dir, long max, int *fd,
			 const struct pog_io *io);

/* Releases the slot (closes fd; -1 is fine). */
void pog_pending_release(int fd);

#define POG_PENDING_FULL "Too many Okta sign-ins are in progress on this host; try again in a minute."

#endif /* POG_PENDING_H */
