/*
 * okta-groups - the admin tool. It loads the module's config with the
 * module's code, and runs the module's logic with a terminal for a face.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "hostcheck.h"
#include "login.h"
#include "pog.h"
#include "sshcfg.h"
#include "sync.h"
#include "tool_groups.h"
#include "util.h"

static const char *progname = "okta-groups";
static bool verbose;

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: %s check [-c CONF]\n"
		"       %s login [-c CONF] [--apply] USER\n"
		"       %s explain [-c CONF] USER GROUP...\n"
		"       %s status [-c CONF] [USER]\n"
		"       %s expire [-c CONF] [--older-than DURATION] [--dry-run]\n"
		"       %s users [-c CONF] [list]\n"
		"       %s users [-c CONF] rebind USER\n",
		progname, progname, progname, progname, progname, progname, progname);
}

static void
tool_log(void *ctx, int prio, const char *msg)
{
	(void)ctx;
	if (prio <= LOG_WARNING || verbose)
		fprintf(stderr, "%s: %s\n", progname, msg);
}

static int
tool_info(void *ctx, const char *text)
{
	(void)ctx;
	printf("%s\n", text);
	fflush(stdout);
	return 0;
}

static int
tool_error(void *ctx, const char *text)
{
	(void)ctx;
	fprintf(stderr, "%s\n", text);
	return 0;
}

static int
tool_ask(void *ctx, const char *text, bool echo, char **answer)
{
	char *line = NULL;
	size_t cap = 0;

	(void)ctx;
	(void)echo;
	fputs(text, stdout);
	fflush(stdout);
	if (getline(&line, &cap, stdin) < 0) {
		free(line);
		return -1;
	}
	line[strcspn(line, "\n")] = '\0';
	*answer = line;
	return 0;
}

static struct pog_io tool_io = {
	.log = tool_log, .info = tool_info, .error = tool_error, .ask = tool_ask,
};

static int
load(const char *path, struct pog_config *cfg, bool with_secret)
{
	char *errmsg = NULL;
	pog_err err;

	(void)with_secret;
	err = pog_cfg_load(cfg, path, 0, &errmsg);
	if (err != POG_OK) {
		fprintf(stderr, "%s: %s\n", progname, errmsg ? errmsg : pog_strerror(err));
		free(errmsg);
		return 1;
	}
	return 0;
}

static void
print_list(const char *label, const struct pog_strv *sv)
{
	printf("%-10s", label);
	if (sv->n == 0)
		printf(" (none)");
	for (size_t i = 0; i < sv->n; i++) {
		char *clean = pog_sanitize(sv->v[i], 128);

		printf(" %s%s", clean ? clean : "?", i + 1 < sv->n ? "," : "");
		free(clean);
	}
	printf("\n");
}

static int
cmd_check(const char *conf)
{
	struct pog_config cfg;
	pog_err err;
	int rc;

	memset(&cfg, 0, sizeof(cfg));
	if (load(conf, &cfg, true) != 0)
		return 1;
	printf("config: ok (%s)\n", conf);
	/* Warnings only: the host's side of sshd and first logins. */
	pog_sshd_check_grace(&cfg, "/etc/ssh", &tool_io);
	(void)pog_hostcheck_accounts(&cfg, "/etc", &tool_io);
	rc = pog_tool_check_sudo(&cfg) != 0;
	err = pog_login_check(&cfg, &tool_io);
	if (err != POG_OK) {
		fprintf(stderr, "%s: check failed: %s\n", progname, pog_strerror(err));
		if (err == POG_ERR_CONFIG)
			fprintf(stderr, "%s: the provider refused this client: check client_id, "
				"client_secret_file, that the app has the Device Authorization grant, "
				"and its scopes\n", progname);
		else if (err == POG_ERR_DENIED)
			fprintf(stderr, "%s: access_denied: an access policy of the authorization "
				"server does not allow the device grant for this app\n", progname);
		else if (err == POG_ERR_UNAVAIL)
			fprintf(stderr, "%s: the provider cannot be reached: check issuer, ca_file "
				"and the network\n", progname);
		rc = 1;
	} else {
		printf("check: %s\n", rc ? "failed ([sudo])" : "ok");
	}
	pog_cfg_free(&cfg);
	return rc;
}

/* How the user signed in, as the token says: untrusted text, sanitized. */
static void
print_signin(const struct pog_identity *id)
{
	char *acr = id->acr != NULL ? pog_sanitize(id->acr, 128) : NULL;
	char when[64] = "(none)";

	if (id->idp_auth_time > 0) {
		time_t t = (time_t)id->idp_auth_time;
		struct tm tm;

		if (gmtime_r(&t, &tm) != NULL)
			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		snprintf(when + strlen(when), sizeof(when) - strlen(when), " (%lds ago)",
			 (long)(time(NULL) - t));
	}
	print_list("amr:", &id->amr);
	printf("acr:       %s\n", acr != NULL ? acr : "(none)");
	printf("auth_time: %s\n", when);
	free(acr);
}

static int
cmd_login(const char *conf, bool apply, const char *user)
{
	struct pog_config cfg;
	struct pog_identity id = { 0 };
	struct pog_sync_result res = { 0 };
	struct pog_login_stats stats = { 0 };
	pog_err err;
	int rc = 1;

	memset(&cfg, 0, sizeof(cfg));
	if (load(conf, &cfg, true) != 0)
		return 1;
	tool_io.tty = isatty(STDIN_FILENO) == 1;
	err = pog_login(&cfg, user, "okta-groups", &tool_io, &id, &stats);
	if (err != POG_OK) {
		fprintf(stderr, "%s: %s\n", progname, pog_login_message(err, &stats));
		goto out;
	}
	printf("identity:  %s (sub %s, issuer %s)\n", id.user, id.sub, id.issuer);
	print_signin(&id);
	printf("groups from: %s\n", id.groups_source ? id.groups_source : "(none)");
	print_list("idp groups:", &id.groups);
	err = pog_sync_account(&cfg, &id, &tool_io, !apply, &res);
	print_list("roles:", &res.roles);
	print_list("desired:", &res.desired);
	print_list(apply ? "added:" : "would add:", &res.added);
	print_list(apply ? "removed:" : "would remove:", &res.removed);
	print_list("ignored:", &res.ignored);
	if (err != POG_OK) {
		printf("result:    denied: %s\n", res.deny_reason ? res.deny_reason : pog_strerror(err));
		goto out;
	}
	printf("result:    granted%s\n", apply ? "" : " (dry run; --apply changes the group files)");
	rc = 0;
out:
	pog_sync_result_free(&res);
	pog_identity_free(&id);
	pog_cfg_free(&cfg);
	return rc;
}

/*
 * Takes -c CONF (--config), -v (--verbose) and -h (--help) out of argv,
 * wherever they stand before "--", so that they work in any position for
 * every command. Returns 0, or 2 on a usage error; *help is set for -h.
 */
static int
common_options(int *argc, char **argv, const char **conf, bool *help)
{
	int out = 1;

	for (int i = 1; i < *argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			while (i < *argc)
				argv[out++] = argv[i++];
			break;
		}
		if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) {
			if (i + 1 >= *argc)
				return 2;
			*conf = argv[++i];
		} else if (strncmp(a, "--config=", 9) == 0) {
			*conf = a + 9;
		} else if (strncmp(a, "-c", 2) == 0 && a[2] != '\0') {
			*conf = a + 2;
		} else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
			verbose = true;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			*help = true;
		} else {
			argv[out++] = argv[i];
		}
	}
	argv[out] = NULL;
	*argc = out;
	return 0;
}

static int
run_check(const char *conf, int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		usage(stderr);
		return 2;
	}
	return cmd_check(conf);
}

static int
run_login(const char *conf, int argc, char **argv)
{
	bool apply = false;
	const char *user = NULL;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--apply") == 0 && !apply) {
			apply = true;
		} else if (argv[i][0] != '-' && user == NULL) {
			user = argv[i];
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (user == NULL) {
		usage(stderr);
		return 2;
	}
	return cmd_login(conf, apply, user);
}

/* The commands that only read the config and the local files. */
static int
run_local(const char *conf, int argc, char **argv,
	  int (*fn)(const struct pog_config *, int, char **))
{
	struct pog_config cfg;
	int rc;

	memset(&cfg, 0, sizeof(cfg));
	if (load(conf, &cfg, false) != 0)
		return 1;
	rc = fn(&cfg, argc, argv);
	pog_cfg_free(&cfg);
	return rc;
}

static const struct {
	const char *name;
	int (*run)(const char *conf, int argc, char **argv);  /* NULL: local */
	int (*local)(const struct pog_config *, int, char **);
} commands[] = {
	{ "check", run_check, NULL },
	{ "login", run_login, NULL },
	{ "explain", NULL, pog_tool_explain },
	{ "status", NULL, pog_tool_status },
	{ "expire", NULL, pog_tool_expire },
	{ "users", NULL, pog_tool_users },
};

int
main(int argc, char **argv)
{
	const char *conf = POG_DEFAULT_CONFIG;
	bool help = false;

	if (common_options(&argc, argv, &conf, &help) != 0) {
		usage(stderr);
		return 2;
	}
	if (help) {
		usage(stdout);
		return 0;
	}
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	tool_io.debug = verbose;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) != 0)
			continue;
		/* The command sees itself as argv[0]. */
		if (commands[i].run != NULL)
			return commands[i].run(conf, argc - 1, argv + 1);
		return run_local(conf, argc - 1, argv + 1, commands[i].local);
	}
	fprintf(stderr, "%s: unknown command: %s\n", progname, argv[1]);
	usage(stderr);
	return 2;
}
