/*
 * pending.c - the cap on device authorizations in flight (see pending.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pending.h"
#include "util.h"

pog_err
pog_pending_take(const char *state_dir, long max, int *fd, const struct pog_io *io)
{
	char *dir = NULL;
	pog_err err = POG_ERR_SYSTEM;
	int dfd = -1;

	if (max < 1 || max > 1000)
		return POG_ERR_CONFIG;
	dir = pog_asprintf("%s/pending", state_dir);
	if (dir == NULL)
		return POG_ERR_NOMEM;
	if (pog_ensure_dir(state_dir, 0700) != POG_OK || pog_ensure_dir(dir, 0700) != POG_OK) {
		pog_log(io, LOG_ERR, "max_pending: cannot make %s", dir);
		goto out;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dfd < 0) {
		pog_log(io, LOG_ERR, "max_pending: cannot open %s", dir);
		goto out;
	}
	for (long i = 0; i < max; i++) {
		char name[16];
		struct stat st;
		int s;

		snprintf(name, sizeof(name), "%ld", i);
		s = openat(dfd, name, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
		if (s < 0 || fstat(s, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
			if (s >= 0)
				close(s);
			pog_log(io, LOG_ERR, "max_pending: %s/%s is not a slot file of ours", dir, name);
			goto out;
		}
		if (flock(s, LOCK_EX | LOCK_NB) == 0) {
			*fd = s;
			err = POG_OK;
			goto out;
		}
		if (errno != EWOULDBLOCK) {
			close(s);
			pog_log(io, LOG_ERR, "max_pending: cannot lock %s/%s", dir, name);
			goto out;
		}
		close(s);
	}
	pog_log(io, LOG_NOTICE, "max_pending: %ld device authorizations already in flight: refused",
		max);
	err = POG_ERR_UNAVAIL;
out:
	if (dfd >= 0)
		close(dfd);
	free(dir);
	return err;
}

void
pog_pending_release(int fd)
{
	if (fd >= 0)
		close(fd);
}
