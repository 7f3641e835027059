/*
 * tutil.c - the file helpers of the unit tests (tutil.h).
 */
#include "config.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tutil.h"
#include "util.h"

void
tu_put(const char *path, const void *text, size_t len, mode_t mode, gid_t gid)
{
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len ||
	    (gid != (gid_t)-1 && fchown(fd, geteuid(), gid) != 0) ||
	    fchmod(fd, mode) != 0 || close(fd) != 0) {
		perror(path);
		exit(99);
	}
}

void
tu_put_str(const char *path, const char *text, mode_t mode)
{
	tu_put(path, text, strlen(text), mode, (gid_t)-1);
}

char *
tu_slurp(const char *path, size_t *len)
{
	struct pog_buf b = { 0 };
	char chunk[4096];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		pog_buf_add(&b, chunk, n);
	fclose(f);
	if (len != NULL)
		*len = b.len;
	return pog_buf_steal(&b);
}

char *
tu_mkdtemp(char *tmpl)
{
	if (mkdtemp(tmpl) == NULL) {
		perror("mkdtemp");
		exit(99);
	}
	return tmpl;
}

static int rm_failed;

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if ((flag == FTW_DP ? rmdir(path) : unlink(path)) != 0) {
		perror(path);
		rm_failed = 1;
	}
	return 0;
}

int
tu_rm_rf(const char *path)
{
	rm_failed = 0;
	if (nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS) != 0) {
		perror(path);
		return -1;
	}
	return rm_failed ? -1 : 0;
}

bool
tu_strv_eq(const struct pog_strv *a, const struct pog_strv *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return false;
	return true;
}

void
tu_sync_cfg(struct pog_config *cfg, const char *group, const char *gshadow, const char *state)
{
	memset(cfg, 0, sizeof(*cfg));
	if (pog_cfg_defaults(cfg) != POG_OK)
		exit(99);
	free(cfg->group_file);
	free(cfg->gshadow_file);
	free(cfg->state_dir);
	cfg->group_file = strdup(group);
	cfg->gshadow_file = strdup(gshadow);
	cfg->state_dir = strdup(state);
	cfg->mode = POG_MODE_PERSISTENT;
	cfg->deny_on_no_binding = true;
	cfg->roles = calloc(2, sizeof(*cfg->roles));
	cfg->bindings = calloc(2, sizeof(*cfg->bindings));
	if (cfg->group_file == NULL || cfg->gshadow_file == NULL || cfg->state_dir == NULL ||
	    cfg->roles == NULL || cfg->bindings == NULL)
		exit(99);
	cfg->roles[0].name = strdup("developer");
	cfg->roles[1].name = strdup("operator");
	cfg->bindings[0].idp_group = strdup("DevTeam");
	cfg->bindings[0].role = strdup("developer");
	cfg->bindings[1].idp_group = strdup("Ops");
	cfg->bindings[1].role = strdup("operator");
	if (cfg->roles[0].name == NULL || cfg->roles[1].name == NULL ||
	    cfg->bindings[0].idp_group == NULL || cfg->bindings[0].role == NULL ||
	    cfg->bindings[1].idp_group == NULL || cfg->bindings[1].role == NULL ||
	    pog_strv_split(&cfg->roles[0].groups, "devteam docker") != POG_OK ||
	    pog_strv_split(&cfg->roles[1].groups, "ops") != POG_OK)
		exit(99);
	cfg->nroles = 2;
	cfg->nbindings = 2;
}
