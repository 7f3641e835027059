/*
 * test-faults.c - every allocation and every I/O call of an operation
 * fails in turn (fuzz/wrap.c): the N-th one, for N from 1 until the
 * operation runs with no failure injected. Each run must not crash or
 * leak (the sanitizer and valgrind stages run this program), must fail
 * closed (an error, or, when the code recovers, exactly the result of
 * the fault-free run), and an edit of the group files that fails must
 * leave their bytes as they were.
 *
 * The operations: the config parser, the OIDC documents and the ID
 * token's claims, the ledger and the handoff file (parse and format),
 * and the account-phase sync on copies of the group files.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "claims.h"
#include "handoff.h"
#include "ledger.h"
#include "oidc.h"
#include "sync.h"
#include "tcheck.h"
#include "tutil.h"
#include "util.h"
#include "wrap.h"

#define MAX_N 100000            /* an operation with more calls is a bug here */

/* An operation: its result as text (built after pog_wrap_disarm), or NULL. */
typedef pog_err (*op_fn)(char **summary);

/* What the driver armed the operation with (op_sync re-arms after its setup). */
static unsigned long op_alloc_n, op_io_n;

static void
log_quiet(void *ctx, int prio, const char *msg)
{
	(void)ctx;
	if (getenv("TEST_VERBOSE") != NULL)
		fprintf(stderr, "[%d] %s\n", prio, msg);
}

static const struct pog_io io = { .log = log_quiet };

static char *
slurp(const char *path, size_t *len)
{
	const struct pog_file_policy pol = {
		.owner = getuid(), .max = 1 << 24, .refused = POG_ERR_CONFIG,
	};
	char *data = NULL, *msg = NULL;

	if (pog_read_file(path, &pol, &data, len, NULL, &msg) != POG_OK) {
		fprintf(stderr, "%s: %s\n", path, msg != NULL ? msg : "cannot read");
		exit(99);
	}
	free(msg);
	return data;
}

/* ---- the pure core ---- */

static const char cfg_text[] =
	"[okta]\n"
	"issuer = https://dev-1.okta.com/oauth2/default\n"
	"client_id = 0oa1b2c3d4e5\n"
	"scopes = openid profile email groups\n"
	"[login]\n"
	"username_claim = email\n"
	"username_domains = example.com example.org\n"
	"[groups]\n"
	"mode = persistent\n"
	"same_name = yes\n"
	"protected = root sudo wheel\n"
	"[roles]\n"
	"admin = wheel adm\n"
	"developer = devteam docker\n"
	"[bindings]\n"
	"Organization Admins = admin\n"
	"DevTeam = developer@prod-web developer@staging\n";

static pog_err
op_cfg(char **summary)
{
	struct pog_config cfg;
	char *msg = NULL;
	pog_err err = pog_cfg_parse(&cfg, "t.conf", cfg_text, strlen(cfg_text), &msg);

	pog_wrap_disarm();
	free(msg);
	if (err != POG_OK)
		return err;
	*summary = pog_asprintf("%s %s %zu %zu %zu %s %s %zu", cfg.issuer, cfg.client_id,
				cfg.scopes.n, cfg.nroles, cfg.nbindings,
				cfg.bindings[1].idp_group, cfg.roles[1].groups.v[1],
				cfg.username_domains.n);
	pog_cfg_free(&cfg);
	return POG_OK;
}

static char *discovery;
static size_t discovery_len;

static pog_err
op_discovery(char **summary)
{
	struct pog_discovery d = { 0 };
	char *msg = NULL;
	pog_err err = pog_oidc_parse_discovery(discovery, discovery_len,
					       "https://dev-1.okta.com/oauth2/default", &d, &msg);

	if (err == POG_OK)
		err = pog_oidc_check_endpoints(&d, "https://dev-1.okta.com/oauth2/default",
					       NULL, &msg);
	pog_wrap_disarm();
	free(msg);
	if (err == POG_OK)
		*summary = pog_asprintf("%s %s %s %s", d.issuer, d.device_authorization_endpoint,
					d.token_endpoint, d.jwks_uri);
	pog_discovery_free(&d);
	return err;
}

static const char device_json[] =
	"{\"device_code\":\"dc-123\",\"user_code\":\"ABCD-EFGH\","
	"\"verification_uri\":\"https://dev-1.okta.com/activate\","
	"\"verification_uri_complete\":\"https://dev-1.okta.com/activate?user_code=ABCD-EFGH\","
	"\"expires_in\":600,\"interval\":5}";
static const char token_json[] =
	"{\"token_type\":\"Bearer\",\"expires_in\":3600,\"access_token\":\"at\","
	"\"scope\":\"openid groups\",\"id_token\":\"a.b.c\"}";

static pog_err
op_device_token(char **summary)
{
	struct pog_device_auth d = { 0 };
	struct pog_token_resp t = { 0 };
	char *msg = NULL;
	pog_err err = pog_oidc_parse_device(200, device_json, strlen(device_json), &d, &msg);

	free(msg);
	msg = NULL;
	if (err == POG_OK)
		err = pog_oidc_parse_token(200, token_json, strlen(token_json), &t, &msg);
	pog_wrap_disarm();
	free(msg);
	if (err == POG_OK)
		*summary = pog_asprintf("%s %s %s %s %ld %ld %d %s", d.device_code, d.user_code,
					d.verification_uri, d.verification_uri_complete,
					d.expires_in, d.interval, (int)t.status, t.id_token);
	pog_device_auth_free(&d);
	pog_token_resp_free(&t);
	return err;
}

static char payload[1024];

static pog_err
op_claims(char **summary)
{
	struct pog_claims c = { 0 };
	struct pog_strv groups = { 0 }, domains = { 0 };
	struct pog_claims_policy p = {
		.issuer = "https://dev-1.okta.com/oauth2/default",
		.client_id = "0oa1b2c3d4e5", .clock_skew = 60, .now = 1733040000,
		.username_claim = "email", .require_mfa = true,
	};
	char *msg = NULL, *local = NULL;
	bool present = false;
	pog_err err = pog_claims_check(payload, strlen(payload), &p, &c, &msg);

	free(msg);
	msg = NULL;
	if (err == POG_OK)
		err = pog_oidc_parse_groups(payload, strlen(payload), "groups", &groups,
					    &present, &msg);
	free(msg);
	msg = NULL;
	if (err == POG_OK)
		err = pog_strv_split(&domains, "example.org example.com");
	if (err == POG_OK)
		err = pog_claims_local_user(c.username, &domains, &local, &msg);
	pog_wrap_disarm();
	free(msg);
	if (err == POG_OK)
		*summary = pog_asprintf("%s %s %s %d %zu %s %s", c.sub, c.username, local,
					present, groups.n, groups.v[0], groups.v[1]);
	pog_claims_free(&c);
	pog_strv_free(&groups);
	pog_strv_free(&domains);
	free(local);
	return err;
}

static const char ledger_text[] =
	"{\"version\":1,\"user\":\"alice\",\"when\":1733040000,\"sub\":\"00u1\","
	"\"pinned_sub\":\"00u1\",\"issuer\":\"https://dev-1.okta.com/oauth2/default\","
	"\"idp_groups\":[\"Everyone\",\"DevTeam\"],\"managed\":[\"devteam\",\"docker\"],"
	"\"last_added\":[\"docker\"],\"last_removed\":[\"ops\"],\"result\":\"granted\","
	"\"expired\":0}";

static pog_err
op_ledger(char **summary)
{
	struct pog_ledger l = { 0 };
	char *msg = NULL, *out = NULL;
	size_t len = 0;
	pog_err err = pog_ledger_parse(&l, ledger_text, strlen(ledger_text), &msg);

	if (err == POG_OK)
		err = pog_ledger_format(&l, &out, &len);
	pog_wrap_disarm();
	free(msg);
	pog_ledger_free(&l);
	if (err == POG_OK && strlen(out) != len)
		err = POG_ERR_INVALID;
	if (err == POG_OK)
		*summary = out;
	else
		free(out);
	return err;
}

static const char handoff_text[] =
	"pam_okta_groups-handoff 1\nuser alice\nwhen 1733040000\ngids 1001 1002 1500\n";

static pog_err
op_handoff(char **summary)
{
	struct pog_handoff h = { 0 };
	char *msg = NULL, *out = NULL;
	size_t len = 0;
	pog_err err = pog_handoff_parse(handoff_text, strlen(handoff_text), &h, &msg);

	if (err == POG_OK)
		err = pog_handoff_format(&h, &out, &len);
	pog_wrap_disarm();
	free(msg);
	pog_handoff_free(&h);
	if (err == POG_OK && (strlen(out) != len || strcmp(out, handoff_text) != 0))
		err = POG_ERR_INVALID;
	if (err == POG_OK)
		*summary = out;
	else
		free(out);
	return err;
}

/* ---- the group files ---- */

static char root[64], gpath[128], spath[128], ppath[128], state[128], ldpath[160];
static struct pog_config sync_cfg;

static const char group_text[] =
	"root:x:0:\ncdrom:x:24:alice\ndevteam:x:1500:\ndocker:x:997:bob\n"
	"ops:x:1700:alice,bob\nalice:x:2001:\nbob:x:1001:\n";
static const char gshadow_text[] =
	"root:*::\ncdrom:*::alice\ndevteam:!::\ndocker:!::bob\n"
	"ops:!::alice,bob\nalice:!::\nbob:!::\n";
static const char passwd_text[] =
	"root:x:0:0:root:/root:/bin/sh\nalice:x:2001:2001::/nonexistent:/bin/false\n"
	"bob:x:1001:1001::/nonexistent:/bin/false\n";
static const char ledger_before[] =
	"{\"version\":1,\"user\":\"alice\",\"when\":1733040000,\"sub\":\"00u1\","
	"\"pinned_sub\":\"00u1\",\"issuer\":\"https://dev-1.okta.com/oauth2/default\","
	"\"idp_groups\":[\"Ops\"],\"managed\":[\"ops\"],"
	"\"last_added\":[\"ops\"],\"last_removed\":[],\"result\":\"granted\",\"expired\":0}\n";

static void
reset_files(void)
{
	char *b;

	tu_put_str(gpath, group_text, 0644);
	tu_put_str(spath, gshadow_text, 0640);
	tu_put_str(ppath, passwd_text, 0644);
	tu_put_str(ldpath, ledger_before, 0600);
	b = pog_asprintf("%s-", gpath);
	unlink(b);
	free(b);
	b = pog_asprintf("%s-", spath);
	unlink(b);
	free(b);
}

static bool
same_bytes(const char *path, const char *text)
{
	size_t len = 0;
	char *data = slurp(path, &len);
	bool same = len == strlen(text) && memcmp(data, text, len) == 0;

	if (!same)
		fprintf(stderr, "%s now holds:\n%s", path, data);
	free(data);
	return same;
}

static void
make_sync_cfg(void)
{
	struct pog_config *cfg = &sync_cfg;

	snprintf(root, sizeof(root), "/tmp/pog-faults.XXXXXX");
	if (mkdtemp(root) == NULL)
		exit(99);
	snprintf(gpath, sizeof(gpath), "%s/group", root);
	snprintf(spath, sizeof(spath), "%s/gshadow", root);
	snprintf(ppath, sizeof(ppath), "%s/passwd", root);
	snprintf(state, sizeof(state), "%s/state", root);
	snprintf(ldpath, sizeof(ldpath), "%s/alice", state);
	if (mkdir(state, 0700) != 0)
		exit(99);
	tu_sync_cfg(cfg, gpath, spath, state);
}

/* alice moves from Ops to DevTeam: devteam and docker added, ops removed. */
static pog_err
op_sync(char **summary)
{
	struct pog_identity id = { 0 };
	struct pog_sync_result res = { 0 };
	pog_err err = POG_ERR_NOMEM;

	pog_wrap_disarm();
	reset_files();
	id.user = strdup("alice");
	id.sub = strdup("00u1");
	id.issuer = strdup("https://dev-1.okta.com/oauth2/default");
	id.groups_present = true;
	id.groups_source = "id_token";
	id.auth_time = 1733040000;
	if (id.user == NULL || id.sub == NULL || id.issuer == NULL ||
	    pog_strv_add(&id.groups, "Everyone") != POG_OK ||
	    pog_strv_add(&id.groups, "DevTeam") != POG_OK)
		exit(99);
	pog_wrap_arm(op_alloc_n, op_io_n);
	err = pog_sync_account_gid(&sync_cfg, &id, &io, false, 2001, &res);
	pog_wrap_disarm();
	if (err == POG_OK) {
		size_t gl = 0, sl = 0;
		char *g = slurp(gpath, &gl), *s = slurp(spath, &sl);

		*summary = pog_asprintf("%d +%zu -%zu\n%s%s", res.granted, res.added.n,
					res.removed.n, g, s);
		free(g);
		free(s);
	} else if (pog_wrap_failed()) {
		/* A failed edit leaves the group files as they were, byte for byte. */
		bool g_same = same_bytes(gpath, group_text), s_same = same_bytes(spath, gshadow_text);

		if (!g_same || !s_same)
			fprintf(stderr, "sync failed (%s) with alloc %lu io %lu, but changed the group files\n",
				pog_strerror(err), op_alloc_n, op_io_n);
		TC_CHECK(g_same && s_same);
	}
	pog_sync_result_free(&res);
	pog_identity_free(&id);
	return err;
}

/* ---- the driver ---- */

/*
 * Runs op with the n-th allocation (io: the n-th I/O call) failing, for
 * n = 1, 2, ... until a run sees no failure injected.
 */
static void
drive(const char *name, op_fn op, bool io_faults)
{
	char *want = NULL;
	pog_err err;
	unsigned long n, recovered = 0;

	op_alloc_n = op_io_n = 0;
	pog_wrap_arm(0, 0);
	err = op(&want);
	pog_wrap_disarm();
	if (err != POG_OK || want == NULL) {
		fprintf(stderr, "%s: the fault-free run failed: %s\n", name, pog_strerror(err));
		TC_CHECK(!"the fault-free run succeeds");
		free(want);
		return;
	}
	for (int kind = 0; kind < (io_faults ? 2 : 1); kind++) {
		for (n = 1; n < MAX_N; n++) {
			char *got = NULL;
			bool injected;

			op_alloc_n = kind == 0 ? n : 0;
			op_io_n = kind == 1 ? n : 0;
			pog_wrap_arm(op_alloc_n, op_io_n);
			err = op(&got);
			pog_wrap_disarm();
			injected = pog_wrap_failed();
			if (err == POG_OK && (got == NULL || strcmp(got, want) != 0)) {
				fprintf(stderr, "%s: %s %lu failed, yet it succeeded with another result:\n"
					"%s\nnot\n%s\n", name, kind == 0 ? "allocation" : "I/O call",
					n, got != NULL ? got : "(none)", want);
				TC_CHECK(!"a run that succeeds gives the fault-free result");
			}
			if (err == POG_OK && injected)
				recovered++;
			free(got);
			if (!injected) {
				if (err != POG_OK) {
					fprintf(stderr, "%s: no fault injected, yet %s\n", name,
						pog_strerror(err));
					TC_CHECK(!"the run without a fault succeeds");
				}
				break;
			}
		}
		TC_CHECK(n < MAX_N);
		printf("ok %s: %lu %s each failed in turn%s\n", name, n - 1,
		       kind == 0 ? "allocations" : "I/O calls",
		       recovered > 0 ? " (some recovered, to the same result)" : "");
		recovered = 0;
	}
	free(want);
}

int
main(void)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/tests/oidc/okta-custom-discovery.json", TOP_SRCDIR);
	discovery = slurp(path, &discovery_len);
	snprintf(payload, sizeof(payload),
		 "{\"iss\":\"https://dev-1.okta.com/oauth2/default\",\"aud\":\"0oa1b2c3d4e5\","
		 "\"exp\":%d,\"iat\":%d,\"nbf\":%d,\"sub\":\"00u1\","
		 "\"email\":\"alice@example.com\",\"email_verified\":true,"
		 "\"amr\":[\"pwd\",\"mfa\"],\"groups\":[\"Everyone\",\"DevTeam\"]}",
		 1733040000 + 600, 1733040000 - 5, 1733040000 - 5);

	drive("config parse", op_cfg, false);
	drive("discovery parse", op_discovery, false);
	drive("device and token responses", op_device_token, false);
	drive("ID token claims", op_claims, false);
	drive("ledger parse and format", op_ledger, false);
	drive("handoff parse and format", op_handoff, false);

	make_sync_cfg();
	drive("group-file sync", op_sync, true);

	pog_cfg_free(&sync_cfg);
	free(discovery);
	(void)tu_rm_rf(root);
	TC_DONE();
}
