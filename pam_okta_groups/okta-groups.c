/*
 * okta-groups - the admin tool. It loads the module's config with the
 * module's code, and runs the module's logic with a terminal for a face.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "login.h"
#include "pog.h"
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
		printf("check: ok\n");
		rc = 0;
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
		fprintf(stderr, "%s: %s\n", progname,
			stats.refusal[0] ? stats.refusal : pog_user_message(err));
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

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "apply", no_argument, NULL, 'a' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *conf = POG_DEFAULT_CONFIG, *cmd;
	struct pog_config cfg;
	bool apply = false;
	int c, rc;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	cmd = argv[1];
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
		usage(stdout);
		return 0;
	}
	/* Subcommand options: parse -c, --apply and -v here; the rest
	 * (--older-than, --dry-run) belong to the groups subcommands. */
	if (strcmp(cmd, "check") == 0 || strcmp(cmd, "login") == 0) {
		optind = 2;
		while ((c = getopt_long(argc, argv, "c:vh", opts, NULL)) != -1) {
			switch (c) {
			case 'c': conf = optarg; break;
			case 'a': apply = true; break;
			case 'v': verbose = true; break;
			case 'h': usage(stdout); return 0;
			default: usage(stderr); return 2;
			}
		}
		if (strcmp(cmd, "check") == 0) {
			if (optind != argc) {
				usage(stderr);
				return 2;
			}
			tool_io.debug = verbose;
			return cmd_check(conf);
		}
		if (optind + 1 != argc) {
			usage(stderr);
			return 2;
		}
		tool_io.debug = verbose;
		return cmd_login(conf, apply, argv[optind]);
	}
	if (strcmp(cmd, "explain") != 0 && strcmp(cmd, "status") != 0 &&
	    strcmp(cmd, "expire") != 0 && strcmp(cmd, "users") != 0) {
		fprintf(stderr, "%s: unknown command: %s\n", progname, cmd);
		usage(stderr);
		return 2;
	}
	/* -c comes first for these: okta-groups explain -c CONF USER GROUP... */
	argc--;
	argv++;
	if (argc >= 3 && strcmp(argv[1], "-c") == 0) {
		conf = argv[2];
		argv[2] = argv[0];
		argc -= 2;
		argv += 2;
	}
	memset(&cfg, 0, sizeof(cfg));
	if (load(conf, &cfg, false) != 0)
		return 1;
	if (strcmp(cmd, "explain") == 0)
		rc = pog_tool_explain(&cfg, argc, argv);
	else if (strcmp(cmd, "status") == 0)
		rc = pog_tool_status(&cfg, argc, argv);
	else if (strcmp(cmd, "users") == 0)
		rc = pog_tool_users(&cfg, argc, argv);
	else
		rc = pog_tool_expire(&cfg, argc, argv);
	pog_cfg_free(&cfg);
	return rc;
}
