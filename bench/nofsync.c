/*
 * nofsync.c - an LD_PRELOAD shim of the benchmark, for a diagnostic
 * figure only: fsync and fdatasync return at once, and so does
 * sync_file_range (the writeback the module starts early), so the
 * sync's time without them shows what durability costs. Never for real
 * use. At
 * exit, the number of calls is appended to $POG_FSYNC_COUNT (when set
 * and not zero), from which scripts/bench gives the fsyncs per sync.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>

int fsync(int fd);
int fdatasync(int fd);

static unsigned long calls;

int
fsync(int fd)
{
	(void)fd;
	calls++;
	return 0;
}

int
fdatasync(int fd)
{
	(void)fd;
	calls++;
	return 0;
}

int
sync_file_range(int fd, off64_t off, off64_t n, unsigned int flags)
{
	(void)fd;
	(void)off;
	(void)n;
	(void)flags;
	return 0;
}

__attribute__((destructor)) static void
nofsync_report(void)
{
	const char *f = getenv("POG_FSYNC_COUNT");
	FILE *o;

	if (calls == 0 || f == NULL || (o = fopen(f, "a")) == NULL)
		return;
	fprintf(o, "%lu\n", calls);
	fclose(o);
}
