/*
 * test-sudo-crash.c - the sudoers edit killed in the middle. A child
 * rewrites okta-alice over and over (two role sets, then none: rewrite,
 * remove); the parent SIGKILLs it at 200 random moments. After each kill
 * every file sudo's @includedir would read (no '.' in the name, no
 * trailing '~') is one of the whole versions and passes visudo -cf, and
 * a fresh sync puts the file right at once. Needs root and visudo.
 */
#include "config.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "sudo.h"
#include "sudoers.h"
#include "tcheck.h"
#include "util.h"

#define KILLS 200

static const char *const sets[] = { "admin developer", "developer", "" };

static void
sync_set(const struct pog_config *cfg, const char *set)
{
	struct pog_strv r = { 0 };

	if (pog_strv_split(&r, set) != POG_OK)
		_exit(2);
	(void)pog_sudoers_sync(cfg, "alice", &r, false, NULL, NULL, NULL);
	pog_strv_free(&r);
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 65536);
	size_t n;

	if (f == NULL || buf == NULL) {
		if (f != NULL)
			fclose(f);
		free(buf);
		return NULL;
	}
	n = fread(buf, 1, 65535, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* 0: every file sudo reads is whole and valid. */
static int
check_dir(const char *dir, char *const *versions, size_t nversions)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int bad = 0;

	while (d != NULL && (de = readdir(d)) != NULL) {
		const char *n = de->d_name;
		size_t len = strlen(n);
		char *path, *cmd, *text;
		bool known = false;

		if (strchr(n, '.') != NULL || (len > 0 && n[len - 1] == '~'))
			continue;       /* sudo skips it */
		path = pog_asprintf("%s/%s", dir, n);
		text = slurp(path);
		for (size_t i = 0; text != NULL && i < nversions; i++)
			known = known || strcmp(text, versions[i]) == 0;
		if (!known) {
			fprintf(stderr, "%s: not a whole version:\n%s\n", path, text ? text : "?");
			bad++;
		}
		cmd = pog_asprintf(POG_VISUDO " -cf '%s' >/dev/null 2>&1", path);
		if (system(cmd) != 0) {
			fprintf(stderr, "%s: visudo -cf refuses it\n", path);
			bad++;
		}
		free(cmd);
		free(text);
		free(path);
	}
	if (d != NULL)
		closedir(d);
	return bad;
}

int
main(void)
{
	char tmpl[] = "/tmp/test-sudo-crash.XXXXXX";
	char *root, *dir, *main_file, *conf, *msg = NULL, *file;
	char *versions[3] = { NULL, NULL, NULL };
	struct pog_config cfg;
	unsigned int seed;
	FILE *f;

	if (geteuid() != 0 || access(POG_VISUDO, X_OK) != 0) {
		printf("SKIP: needs root and %s (package sudo)\n", POG_VISUDO);
		return 77;
	}
	if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		seed = (unsigned int)time(NULL);
	printf("seed %u\n", seed);
	srandom(seed);
	root = mkdtemp(tmpl);
	if (root == NULL)
		return 1;
	dir = pog_asprintf("%s/sudoers.d", root);
	main_file = pog_asprintf("%s/sudoers", root);
	file = pog_asprintf("%s/okta-alice", dir);
	if (mkdir(dir, 0755) != 0 || (f = fopen(main_file, "w")) == NULL)
		return 1;
	fprintf(f, "root ALL=(ALL:ALL) ALL\n@includedir %s\n", dir);
	fclose(f);
	chmod(main_file, 0440);
	conf = pog_asprintf("[okta]\nissuer = https://idp.example/o\nclient_id = abc\n"
			    "[groups]\nsudoers_dir = %s\n[roles]\nadmin = wheel\ndeveloper = devteam\n"
			    "[sudo]\nadmin = ALL=(ALL:ALL) ALL\n"
			    "developer = ALL=(root) /usr/bin/systemctl restart app.service\n", dir);
	if (pog_cfg_parse(&cfg, "t.conf", conf, strlen(conf), &msg) != POG_OK) {
		fprintf(stderr, "%s\n", msg ? msg : "?");
		return 1;
	}
	for (size_t i = 0; i < 2; i++) {
		struct pog_strv r = { 0 };

		if (pog_strv_split(&r, sets[i]) != POG_OK ||
		    pog_sudo_text(&cfg, "alice", &r, &versions[i]) != POG_OK)
			return 1;
		pog_strv_free(&r);
	}

	/* how long one sync takes, for the kill moments */
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	sync_set(&cfg, sets[0]);
	sync_set(&cfg, sets[1]);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long span = (t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_nsec - t0.tv_nsec) / 1000;
	printf("two syncs: %ld us\n", span);

	for (int k = 0; k < KILLS; k++) {
		pid_t pid = fork();
		int st;

		if (pid < 0)
			return 1;
		if (pid == 0) {
			for (unsigned i = (unsigned)k;; i++)
				sync_set(&cfg, sets[i % 3]);
		}
		usleep((useconds_t)(random() % (span * 2 + 1)));
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		if (check_dir(dir, versions, 2) != 0) {
			fprintf(stderr, "after kill %d\n", k + 1);
			TC_CHECK(false);
			break;
		}
		TC_CHECK(true);
	}
	/* a fresh sync at once gives the right file */
	sync_set(&cfg, sets[0]);
	msg = slurp(file);
	TC_STREQ(msg, versions[0]);
	free(msg);
	printf("%d kills: every file sudo reads whole and valid\n", KILLS);
	pog_cfg_free(&cfg);
	msg = pog_asprintf("rm -rf '%s'", root);
	if (system(msg) != 0)
		fprintf(stderr, "cannot remove %s\n", root);
	free(msg);
	free(dir);
	free(main_file);
	free(conf);
	free(file);
	free(versions[0]);
	free(versions[1]);
	TC_DONE();
}
