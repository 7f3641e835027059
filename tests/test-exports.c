/*
 * test-exports.c - each built module exports exactly its entry points:
 * dlopen() finds every one (dlsym), and the dynamic symbol table
 * (nm -D --defined-only) defines nothing else. A new module is one
 * line in the table.
 */
#include "config.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tcheck.h"

static const struct {
	const char *path;       /* from the build folder */
	const char *names;      /* its exports, separated by spaces */
} modules[] = {
	{ ".libs/pam_okta_groups.so",
	  "pam_sm_authenticate pam_sm_setcred pam_sm_acct_mgmt pam_sm_open_session pam_sm_close_session" },
	{ ".libs/libnss_okta_groups.so.2",
	  "_nss_okta_groups_getpwnam_r _nss_okta_groups_getpwuid_r _nss_okta_groups_setpwent "
	  "_nss_okta_groups_getpwent_r _nss_okta_groups_endpwent" },
};

/* Whether word is one of the space-separated names. */
static int
listed(const char *names, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = names; (p = strstr(p, word)) != NULL; p += n)
		if ((p == names || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return 1;
	return 0;
}

static void
check_module(const char *path, const char *names)
{
	char cmd[1024], line[512], sym[256];
	char *list = strdup(names);
	void *h;
	FILE *nm;
	int found = 0, want = 0;

	if (list == NULL)
		exit(99);
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL)
		fprintf(stderr, "dlopen %s: %s\n", path, dlerror());
	TC_CHECK(h != NULL);
	for (char *save = NULL, *w = strtok_r(list, " ", &save); w != NULL;
	     w = strtok_r(NULL, " ", &save)) {
		want++;
		if (h != NULL && dlsym(h, w) == NULL) {
			fprintf(stderr, "%s: %s is not exported\n", path, w);
			TC_CHECK(!"every listed name is exported");
		}
	}
	if (h != NULL)
		dlclose(h);
	free(list);

	snprintf(cmd, sizeof(cmd), "nm -D --defined-only '%s'", path);
	nm = popen(cmd, "r");
	TC_CHECK(nm != NULL);
	if (nm == NULL)
		return;
	while (fgets(line, sizeof(line), nm) != NULL) {
		char type;

		/* "ADDRESS TYPE NAME"; an absolute symbol (A) is a version node */
		if (sscanf(line, "%*s %c %255s", &type, sym) != 2 || type == 'A')
			continue;
		if (listed(names, sym)) {
			found++;
		} else {
			fprintf(stderr, "%s exports %s, which is not in its list\n", path, sym);
			TC_CHECK(!"nothing else is exported");
		}
	}
	TC_EQ_INT(pclose(nm), 0);
	if (found != want)
		fprintf(stderr, "%s: nm shows %d of its %d names\n", path, found, want);
	TC_EQ_INT(found, want);
}

int
main(void)
{
	if (system("nm --version >/dev/null 2>&1") != 0) {
		printf("SKIP: nm (binutils) is not installed\n");
		return 77;
	}
	if (chdir(TOP_BUILDDIR) != 0) {
		perror(TOP_BUILDDIR);
		return 99;
	}
	for (size_t i = 0; i < sizeof(modules) / sizeof(modules[0]); i++) {
		if (access(modules[i].path, F_OK) != 0) {
			fprintf(stderr, "%s: not built\n", modules[i].path);
			TC_CHECK(!"the module is built");
			continue;
		}
		check_module(modules[i].path, modules[i].names);
	}
	TC_DONE();
}
