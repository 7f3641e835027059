/*
 * nofsync.c - an LD_PRELOAD shim of the benchmark, for a diagnostic
 * figure only: fsync and fdatasync return at once, so the sync's time
 * without them shows what durability costs. Never for real use.
 */
#include "config.h"

int fsync(int fd);
int fdatasync(int fd);

int
fsync(int fd)
{
	(void)fd;
	return 0;
}

int
fdatasync(int fd)
{
	(void)fd;
	return 0;
}
