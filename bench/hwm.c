/*
 * hwm.c - an LD_PRELOAD shim of the benchmark: at exit, appends the
 * process's own peak RSS (VmHWM, kB) to the file $POG_HWM_FILE. It drops
 * itself from the environment at load, so the children of the process
 * (the approver that pamrun forks) neither report nor count.
 * getrusage and time(1) would give the largest of the process and its
 * children instead. With $POG_RSS_SPLIT, it also appends the resident
 * kB of each mapping at exit (/proc/self/smaps: "kB path" lines, the
 * anonymous ones as "[anon]"), for the split by library.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char out[4096], split[4096];

__attribute__((constructor)) static void
hwm_init(void)
{
	const char *f = getenv("POG_HWM_FILE");

	if (f != NULL && strlen(f) < sizeof(out))
		strcpy(out, f);
	f = getenv("POG_RSS_SPLIT");
	if (f != NULL && strlen(f) < sizeof(split))
		strcpy(split, f);
	unsetenv("POG_HWM_FILE");
	unsetenv("POG_RSS_SPLIT");
	unsetenv("LD_PRELOAD");
}

static void
rss_split(void)
{
	char line[4352], path[4096] = "[anon]";
	FILE *sm, *o;

	if (split[0] == '\0' || (sm = fopen("/proc/self/smaps", "r")) == NULL)
		return;
	if ((o = fopen(split, "a")) == NULL) {
		fclose(sm);
		return;
	}
	while (fgets(line, sizeof(line), sm) != NULL) {
		char *sp;

		if (strncmp(line, "Rss:", 4) == 0) {
			fprintf(o, "%ld %s\n", strtol(line + 4, NULL, 10), path);
			continue;
		}
		/* a mapping's header: "start-end perms offset dev inode [path]" */
		if (strchr(line, '-') == NULL || strchr(line, ':') == NULL ||
		    line[0] < '0' || (line[0] > '9' && line[0] < 'a') || line[0] > 'f' ||
		    (sp = strchr(line, ' ')) == NULL || sp[-1] == ':')
			continue;
		sp = strchr(line, '/');
		if (sp == NULL)
			sp = strchr(line, '[');
		snprintf(path, sizeof(path), "%s", sp != NULL ? sp : "[anon]\n");
		path[strcspn(path, "\n")] = '\0';
	}
	fclose(o);
	fclose(sm);
}

__attribute__((destructor)) static void
hwm_report(void)
{
	char line[256];
	FILE *st, *o;

	rss_split();
	if (out[0] == '\0' || (st = fopen("/proc/self/status", "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), st) != NULL) {
		if (strncmp(line, "VmHWM:", 6) == 0 && (o = fopen(out, "a")) != NULL) {
			fprintf(o, "%ld\n", strtol(line + 6, NULL, 10));
			fclose(o);
		}
	}
	fclose(st);
}
