/*
 * test-cfg.c - the config parser (cfg.c): the SPEC example, the defaults,
 * every class of error with its "FILE:LINE: [section] key:" prefix, and
 * the file checks of pog_cfg_load in a private temp folder.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg.h"
#include "tcheck.h"
#include "tutil.h"
#include "util.h"

#ifndef TOP_SRCDIR
#define TOP_SRCDIR "."
#endif

#define MIN "[okta]\nissuer = https://idp.example/oauth2/default\nclient_id = abc\n"

/* The example config of the product, verbatim. */
static const char spec_example[] =
	"[okta]\n"
	"issuer = https://dev-123456.okta.com/oauth2/default  ; required, https only, compared exactly with iss\n"
	"client_id = 0oa1b2c3d4e5                              ; required\n"
	"client_secret_file = /etc/security/okta.secret        ; optional; without it the client is public (Okta Native app)\n"
	"scopes = openid profile email groups                  ; openid is always sent\n"
	"ca_file = /etc/ssl/certs/ca-certificates.crt          ; default: the system trust store\n"
	"http_timeout = 10                                     ; seconds per request (1-120)\n"
	"cache_dir = /var/cache/pam_okta_groups                ; discovery and JWKS cache, root-only\n"
	"clock_skew = 60                                       ; seconds allowed on exp, nbf and iat (0-600)\n"
	"\n"
	"[login]\n"
	"username_claim = preferred_username      ; the claim that names the local account\n"
	"username_domains = example.com           ; alice@example.com logs in as alice; another domain is refused;\n"
	"                                         ; empty: the claim must equal the PAM user exactly\n"
	"approval_timeout = 300                   ; seconds to wait for approval, capped by the code's expires_in\n"
	"prompt = auto                            ; auto | enter | poll (see \"The prompt\")\n"
	"qr = auto                                ; auto | yes | no\n"
	"require_mfa = no                         ; yes: the token's amr must contain \"mfa\"\n"
	"\n"
	"[groups]\n"
	"claim = groups                           ; the claim that lists the groups; it must be an array of strings\n"
	"source = auto                            ; id_token | userinfo | auto (the ID token, else userinfo)\n"
	"mode = persistent                        ; persistent | session | none\n"
	"project = default                        ; this host's project, as in Paralus\n"
	"same_name = no                           ; yes: IdP group X grants local group X when it exists (Paralus name rule)\n"
	"match = exact                            ; exact | casefold, for IdP group names\n"
	"on_no_binding = deny                     ; deny | allow\n"
	"protected = root sudo wheel adm shadow disk docker lxd   ; same_name never grants these; only [roles] can\n"
	"group_file = /etc/group                  ; for chroots and tests\n"
	"gshadow_file = /etc/gshadow\n"
	"state_dir = /var/lib/pam_okta_groups\n"
	"\n"
	"[roles]\n"
	"; role = local groups\n"
	"admin = wheel adm\n"
	"developer = devteam docker\n"
	"\n"
	"[bindings]\n"
	"; IdP group = role[@project] ...   (no @project, or @*, means every project)\n"
	"Organization Admins = admin\n"
	"DevTeam = developer@prod-web developer@staging\n";

static void
test_spec_example(void)
{
	struct pog_config cfg;
	char *err = NULL;
	const struct pog_role *r;

	TC_ERR(pog_cfg_parse(&cfg, "spec.conf", spec_example, strlen(spec_example),
			       &err), POG_OK);
	if (err != NULL) {
		fprintf(stderr, "%s\n", err);
		free(err);
		return;
	}
	TC_STREQ(cfg.path, "spec.conf");
	TC_STREQ(cfg.issuer, "https://dev-123456.okta.com/oauth2/default");
	TC_STREQ(cfg.client_id, "0oa1b2c3d4e5");
	TC_STREQ(cfg.client_secret_file, "/etc/security/okta.secret");
	TC_CHECK(cfg.client_secret == NULL);
	TC_EQ_INT(cfg.scopes.n, 4);
	TC_STREQ(cfg.scopes.v[0], "openid");
	TC_STREQ(cfg.scopes.v[3], "groups");
	TC_STREQ(cfg.ca_file, "/etc/ssl/certs/ca-certificates.crt");
	TC_EQ_INT(cfg.http_timeout, 10);
	TC_STREQ(cfg.cache_dir, "/var/cache/pam_okta_groups");
	TC_EQ_INT(cfg.clock_skew, 60);
	TC_STREQ(cfg.username_claim, "preferred_username");
	TC_EQ_INT(cfg.username_domains.n, 1);
	TC_STREQ(cfg.username_domains.v[0], "example.com");
	TC_EQ_INT(cfg.approval_timeout, 300);
	TC_EQ_INT(cfg.prompt, POG_PROMPT_AUTO);
	TC_EQ_INT(cfg.qr, POG_QR_AUTO);
	TC_CHECK(!cfg.require_mfa);
	TC_STREQ(cfg.groups_claim, "groups");
	TC_EQ_INT(cfg.source, POG_SOURCE_AUTO);
	TC_EQ_INT(cfg.mode, POG_MODE_PERSISTENT);
	TC_STREQ(cfg.project, "default");
	TC_CHECK(!cfg.same_name);
	TC_EQ_INT(cfg.match, POG_MATCH_EXACT);
	TC_CHECK(cfg.deny_on_no_binding);
	TC_EQ_INT(cfg.protected_groups.n, 8);
	TC_CHECK(pog_strv_contains(&cfg.protected_groups, "lxd"));
	TC_STREQ(cfg.group_file, "/etc/group");
	TC_STREQ(cfg.gshadow_file, "/etc/gshadow");
	TC_STREQ(cfg.state_dir, "/var/lib/pam_okta_groups");

	TC_EQ_INT(cfg.nroles, 2);
	r = pog_cfg_role(&cfg, "admin");
	TC_CHECK(r != NULL && r->groups.n == 2);
	if (r != NULL && r->groups.n == 2) {
		TC_STREQ(r->groups.v[0], "wheel");
		TC_STREQ(r->groups.v[1], "adm");
	}
	r = pog_cfg_role(&cfg, "developer");
	TC_CHECK(r != NULL && pog_strv_contains(&r->groups, "devteam") &&
		 pog_strv_contains(&r->groups, "docker"));
	TC_CHECK(pog_cfg_role(&cfg, "nobody") == NULL);

	TC_EQ_INT(cfg.nbindings, 3);
	if (cfg.nbindings == 3) {
		TC_STREQ(cfg.bindings[0].idp_group, "Organization Admins");
		TC_STREQ(cfg.bindings[0].role, "admin");
		TC_CHECK(cfg.bindings[0].project == NULL);
		TC_STREQ(cfg.bindings[1].idp_group, "DevTeam");
		TC_STREQ(cfg.bindings[1].role, "developer");
		TC_STREQ(cfg.bindings[1].project, "prod-web");
		TC_STREQ(cfg.bindings[2].idp_group, "DevTeam");
		TC_STREQ(cfg.bindings[2].project, "staging");
	}
	pog_cfg_free(&cfg);
	pog_cfg_free(&cfg);     /* zeroed: harmless */
	pog_cfg_free(NULL);
}

/* The example [accounts] section, verbatim, and the defaults. */
static void
test_accounts(void)
{
	static const char text[] = MIN
		"[accounts]\n"
		"create = no                              ; yes: a user whom Okta signs in and a binding grants this host gets\n"
		"                                         ; a local account at the first login, on the same SSH connection\n"
		"uid_range = 1879048192-2147483646        ; where new UIDs (and their private GIDs) come from\n"
		"uid_key_file = /etc/security/pam_okta_groups.uidkey ; keys the UID hash; made at random on first use;\n"
		"                                         ; copy it to every host to get the same UIDs everywhere\n"
		"home = /home/%u\n"
		"shell = /bin/bash\n"
		"max_pending = 8                          ; device authorizations in flight on this host at once\n";
	static const char custom[] = MIN
		"[accounts]\ncreate = yes\nuid_range = 5000-5999\nhome = /srv/u/%u\nshell = /bin/sh\n"
		"max_pending = 2\n";
	struct pog_config cfg;
	char *err = NULL;

	TC_ERR(pog_cfg_parse(&cfg, "a.conf", text, strlen(text), &err), POG_OK);
	if (err != NULL)
		fprintf(stderr, "%s\n", err);
	TC_CHECK(!cfg.create_accounts);
	TC_EQ_INT(cfg.uid_range.lo, 1879048192u);
	TC_EQ_INT(cfg.uid_range.hi, 2147483646u);
	TC_STREQ(cfg.uid_key_file, "/etc/security/pam_okta_groups.uidkey");
	TC_STREQ(cfg.home, "/home/%u");
	TC_STREQ(cfg.shell, "/bin/bash");
	TC_EQ_INT(cfg.max_pending, 8);
	pog_cfg_free(&cfg);
	TC_ERR(pog_cfg_parse(&cfg, "a.conf", custom, strlen(custom), &err), POG_OK);
	TC_CHECK(cfg.create_accounts);
	TC_EQ_INT(cfg.uid_range.lo, 5000);
	TC_EQ_INT(cfg.uid_range.hi, 5999);
	TC_STREQ(cfg.home, "/srv/u/%u");
	TC_STREQ(cfg.shell, "/bin/sh");
	TC_EQ_INT(cfg.max_pending, 2);
	pog_cfg_free(&cfg);
}

/* Texts that parse, and what they must yield. */
static void
test_good(void)
{
	static const char bom_crlf[] = "\xEF\xBB\xBF[okta]\r\nissuer = https://h\r\nclient_id: x\r\n";
	static const char nul_inside[] = MIN "\0[login]\n";
	struct pog_config cfg;
	char *err = NULL;
	const char *text;

	/* Defaults, and openid added in front of scopes that lack it. */
	text = MIN "scopes = profile groups\n";
	TC_ERR(pog_cfg_parse(&cfg, "t.conf", text, strlen(text), &err), POG_OK);
	TC_CHECK(cfg.scopes.n == 3 && strcmp(cfg.scopes.v[0], "openid") == 0 &&
		 strcmp(cfg.scopes.v[2], "groups") == 0);
	TC_CHECK(cfg.ca_file == NULL && cfg.client_secret_file == NULL);
	TC_EQ_INT(cfg.username_domains.n, 0);
	TC_EQ_INT(cfg.nroles, 0);
	TC_EQ_INT(cfg.nbindings, 0);
	TC_EQ_INT(cfg.approval_timeout, 300);
	TC_EQ_INT(cfg.http_timeout, 10);
	TC_EQ_INT(cfg.clock_skew, 60);
	TC_CHECK(cfg.deny_on_no_binding && cfg.mode == POG_MODE_PERSISTENT);
	TC_EQ_INT(cfg.protected_groups.n, 8);
	TC_STREQ(cfg.project, "default");
	TC_CHECK(cfg.proxy == NULL && cfg.endpoint_hosts.n == 0);
	TC_CHECK(!cfg.services_set && cfg.services.n == 0);
	TC_CHECK(cfg.local_users.n == 1 && strcmp(cfg.local_users.v[0], "root") == 0);
	TC_CHECK(!cfg.authoritative);
	pog_cfg_free(&cfg);

	/* The keys that say which logins are the module's, and the proxy. */
	text = MIN "proxy = http://proxy.example:3128\nendpoint_hosts = oauth2.example.net\n"
		"[login]\nservices = sshd login\nlocal_users = root admin.local\n"
		"[groups]\nauthoritative = yes\n";
	TC_ERR(pog_cfg_parse(&cfg, "t.conf", text, strlen(text), &err), POG_OK);
	TC_STREQ(cfg.proxy, "http://proxy.example:3128");
	TC_EQ_INT(cfg.endpoint_hosts.n, 1);
	TC_CHECK(cfg.services_set && cfg.services.n == 2 &&
		 pog_strv_contains(&cfg.services, "login"));
	TC_CHECK(cfg.local_users.n == 2 && pog_strv_contains(&cfg.local_users, "admin.local"));
	TC_CHECK(cfg.authoritative);
	pog_cfg_free(&cfg);

	/* services given but empty: no service at all; proxy empty: none. */
	text = MIN "proxy =\n[login]\nservices =\nlocal_users =\n";
	TC_ERR(pog_cfg_parse(&cfg, "t.conf", text, strlen(text), &err), POG_OK);
	TC_CHECK(cfg.proxy == NULL);
	TC_CHECK(cfg.services_set && cfg.services.n == 0 && cfg.local_users.n == 0);
	pog_cfg_free(&cfg);

	/* Every other enum value, booleans both ways, ranges at their ends. */
	text = MIN "scopes =\nhttp_timeout = 120\nclock_skew = 0\n"
		"[login]\nprompt = poll\nqr = no\nrequire_mfa = true\napproval_timeout = 3600\n"
		"username_domains = example.com corp.example.org\n"
		"[groups]\nsource = userinfo\nmode = session\nmatch = casefold\n"
		"on_no_binding = allow\nsame_name = yes\nprotected =\nproject = prod-web.eu_1\n"
		"[roles]\nops = wheel\n"
		"[bindings]\nOps Team (EU) = ops@* ops\n";
	TC_ERR(pog_cfg_parse(&cfg, "t.conf", text, strlen(text), &err), POG_OK);
	TC_CHECK(cfg.scopes.n == 1 && strcmp(cfg.scopes.v[0], "openid") == 0);
	TC_EQ_INT(cfg.http_timeout, 120);
	TC_EQ_INT(cfg.clock_skew, 0);
	TC_EQ_INT(cfg.approval_timeout, 3600);
	TC_CHECK(cfg.prompt == POG_PROMPT_POLL && cfg.qr == POG_QR_NO && cfg.require_mfa);
	TC_EQ_INT(cfg.username_domains.n, 2);
	TC_EQ_INT(cfg.source, POG_SOURCE_USERINFO);
	TC_EQ_INT(cfg.mode, POG_MODE_SESSION);
	TC_CHECK(cfg.match == POG_MATCH_CASEFOLD && !cfg.deny_on_no_binding && cfg.same_name);
	TC_EQ_INT(cfg.protected_groups.n, 0);
	TC_STREQ(cfg.project, "prod-web.eu_1");
	TC_CHECK(cfg.nbindings == 2 && cfg.bindings[0].project == NULL &&
		 cfg.bindings[1].project == NULL);
	TC_STREQ(cfg.bindings[0].idp_group, "Ops Team (EU)");
	pog_cfg_free(&cfg);

	/* A long [roles] or [bindings] value goes on over lines that repeat
	 * the key: the values add up (a role's groups once each). */
	text = MIN "[roles]\ndev = g1 g2\nops = wheel\ndev = g3 g1\n"
		"[bindings]\nDevTeam = dev@p1 dev@p2\nOps = ops\nDevTeam = dev@p3 dev@p1\n"
		"DevTeam = ops@*\n";
	TC_ERR(pog_cfg_parse(&cfg, "t.conf", text, strlen(text), &err), POG_OK);
	TC_EQ_INT(cfg.nroles, 2);
	if (cfg.nroles == 2) {
		TC_STREQ(cfg.roles[0].name, "dev");
		TC_EQ_INT(cfg.roles[0].groups.n, 3);
		if (cfg.roles[0].groups.n == 3)
			TC_STREQ(cfg.roles[0].groups.v[2], "g3");
	}
	TC_EQ_INT(cfg.nbindings, 6);
	if (cfg.nbindings == 6) {
		TC_STREQ(cfg.bindings[3].idp_group, "DevTeam");
		TC_STREQ(cfg.bindings[3].project, "p3");
		TC_STREQ(cfg.bindings[5].role, "ops");
		TC_CHECK(cfg.bindings[5].project == NULL);
	}
	pog_cfg_free(&cfg);

	/* A UTF-8 BOM, CRLF line ends and ':' as the delimiter. */
	TC_ERR(pog_cfg_parse(&cfg, "t.conf", bom_crlf, strlen(bom_crlf), &err), POG_OK);
	TC_STREQ(cfg.issuer, "https://h");
	TC_STREQ(cfg.client_id, "x");
	pog_cfg_free(&cfg);

	/* The length is what counts, not a NUL. */
	TC_ERR(pog_cfg_parse(&cfg, "t.conf", nul_inside, strlen(MIN), &err), POG_OK);
	pog_cfg_free(&cfg);
	TC_ERR(pog_cfg_parse(&cfg, "t.conf", nul_inside, sizeof(nul_inside) - 1, &err), POG_ERR_CONFIG);
	TC_CHECK(err != NULL && strncmp(err, "t.conf:4: ", 10) == 0);
	free(err);
	err = NULL;
}

#define L250 "username_claim = " \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define LONGKEY "A group name of more than forty-nine characters, in all"

static const struct {
	const char *what;
	const char *text;
	const char *want;       /* the message starts with this */
	const char *also;       /* and holds this, or NULL */
} bad[] = {
	{ "unknown section", MIN "[extra]\nfoo = 1\n", "t.conf:4: [extra]: unknown section", NULL },
	{ "unknown empty section", MIN "[extra]\n", "t.conf:4: ", "[extra]" },
	{ "uid_range below 1000", MIN "[accounts]\nuid_range = 999-2000\n",
	  "t.conf:5: [accounts] uid_range: ", "LO-HI" },
	{ "uid_range reversed", MIN "[accounts]\nuid_range = 3000-2000\n",
	  "t.conf:5: [accounts] uid_range: ", NULL },
	{ "home with %s", MIN "[accounts]\nhome = /home/%s\n", "t.conf:5: [accounts] home: ", "%u" },
	{ "home with ..", MIN "[accounts]\nhome = /home/../%u\n", "t.conf:5: [accounts] home: ", NULL },
	{ "max_pending 0", MIN "[accounts]\nmax_pending = 0\n", "t.conf:5: [accounts] max_pending: ",
	  "1 to 1000" },
	{ "create maybe", MIN "[accounts]\ncreate = maybe\n", "t.conf:5: [accounts] create: ", NULL },
	{ "unknown key", MIN "[login]\ncolour = blue\n", "t.conf:5: [login] colour: ", "unknown key" },
	{ "key outside sections", "client_id = x\n" MIN, "t.conf:1: client_id: ", NULL },
	{ "bad bool", MIN "[login]\nrequire_mfa = maybe\n", "t.conf:5: [login] require_mfa: ", "maybe" },
	{ "bool case", MIN "[groups]\nsame_name = Yes\n", "t.conf:5: [groups] same_name: ", NULL },
	{ "bad enum", MIN "[login]\nprompt = sometimes\n", "t.conf:5: [login] prompt: ",
	  "'sometimes' is not auto, enter or poll" },
	{ "bad on_no_binding", MIN "[groups]\non_no_binding = yes\n",
	  "t.conf:5: [groups] on_no_binding: ", "allow or deny" },
	{ "number too big", MIN "http_timeout = 121\n", "t.conf:4: [okta] http_timeout: ", "1 to 120" },
	{ "number too small", MIN "[login]\napproval_timeout = 9\n",
	  "t.conf:5: [login] approval_timeout: ", "10 to 3600" },
	{ "trailing junk", MIN "clock_skew = 60s\n", "t.conf:4: [okta] clock_skew: ", NULL },
	{ "negative", MIN "clock_skew = -1\n", "t.conf:4: [okta] clock_skew: ", NULL },
	{ "plus sign", MIN "clock_skew = +1\n", "t.conf:4: [okta] clock_skew: ", NULL },
	{ "empty number", MIN "clock_skew =\n", "t.conf:4: [okta] clock_skew: ", NULL },
	{ "http issuer", "[okta]\nissuer = http://idp.example\nclient_id = x\n",
	  "t.conf:2: [okta] issuer: ", "https://" },
	{ "issuer query", "[okta]\nissuer = https://idp.example/?a=b\nclient_id = x\n",
	  "t.conf:2: [okta] issuer: ", "query" },
	{ "issuer fragment", "[okta]\nissuer = https://idp.example/#a\nclient_id = x\n",
	  "t.conf:2: [okta] issuer: ", NULL },
	{ "issuer no host", "[okta]\nissuer = https:///oauth2\nclient_id = x\n",
	  "t.conf:2: [okta] issuer: ", "no host" },
	{ "issuer blank", "[okta]\nissuer = https://idp.example/a b\nclient_id = x\n",
	  "t.conf:2: [okta] issuer: ", NULL },
	{ "issuer userinfo", "[okta]\nissuer = https://u@idp.example\nclient_id = x\n",
	  "t.conf:2: [okta] issuer: ", NULL },
	{ "relative path", MIN "[groups]\ngroup_file = etc/group\n",
	  "t.conf:5: [groups] group_file: ", "absolute" },
	{ "empty path", MIN "ca_file =\n", "t.conf:4: [okta] ca_file: ", NULL },
	{ "empty client_id", "[okta]\nissuer = https://h\nclient_id =\n", "t.conf:3: [okta] client_id: ", NULL },
	{ "missing issuer", "[okta]\nclient_id = x\n", "t.conf: [okta] issuer: ", "missing" },
	{ "missing client_id", "[okta]\nissuer = https://h\n", "t.conf: [okta] client_id: ", "missing" },
	{ "empty file", "", "t.conf: [okta] issuer: ", NULL },
	{ "unknown role", MIN "[bindings]\nDev Team = developer@prod\n[roles]\nadmin = wheel\n",
	  "t.conf:5: [bindings] Dev Team: ", "unknown role 'developer'" },
	{ "unknown role, later line", MIN "[roles]\nadmin = wheel\n[bindings]\nA = admin\nB = admin dev@*\n",
	  "t.conf:8: [bindings] B: ", "'dev'" },
	{ "binding without roles", MIN "[bindings]\nA =\n", "t.conf:5: [bindings] A: ", NULL },
	{ "binding empty project", MIN "[roles]\nr = g\n[bindings]\nA = r@\n", "t.conf:7: [bindings] A: ", NULL },
	{ "binding two @", MIN "[roles]\nr = g\n[bindings]\nA = r@p@q\n", "t.conf:7: [bindings] A: ", NULL },
	{ "binding bad role", MIN "[roles]\nr = g\n[bindings]\nA = r,x\n", "t.conf:7: [bindings] A: ", NULL },
	{ "duplicate key", MIN "client_id = again\n", "t.conf:4: [okta] client_id: ", "duplicate" },
	{ "duplicate key, two sections", MIN "[login]\n[okta]\nclient_id = again\n",
	  "t.conf:6: [okta] client_id: ", "duplicate" },
	{ "duplicate key in [login]", MIN "[login]\nqr = yes\nqr = no\n",
	  "t.conf:6: [login] qr: ", "duplicate" },
	{ "bad group on a repeated role", MIN "[roles]\nr = a\nr = b -c\n",
	  "t.conf:6: [roles] r: ", "'-c'" },
	{ "empty repeated role", MIN "[roles]\nr = a\nr =\n", "t.conf:6: [roles] r: ", "at least one" },
	{ "unknown role on a repeated binding", MIN "[roles]\nr = a\n[bindings]\nA = r\nA = r x@p\n",
	  "t.conf:8: [bindings] A: ", "unknown role 'x'" },
	{ "long binding line says how to split", MIN "[roles]\nr = g\n[bindings]\nA = " L250 "\n",
	  "t.conf:7: [bindings] A: ", "repeating its key" },
	{ "continuation line", MIN "scopes = openid\n  groups\n", "t.conf:5: [okta] scopes: ", "continuation" },
	{ "continuation of a long key", MIN "[roles]\nr = g\n[bindings]\n" LONGKEY " = r\n  r\n",
	  "t.conf:8: [bindings] " LONGKEY ": ", "continuation" },
	{ "indented section after a key", MIN "  [login]\n", "t.conf:4: [okta] client_id: ", "continuation" },
	{ "250-byte line", MIN "[login]\n" L250 "\n", "t.conf:5: [login] username_claim: ", "longer than 198" },
	{ "long comment", MIN "#" L250 "\n", "t.conf:4: ", "longer than 198" },
	{ "bad group in role", MIN "[roles]\nadmin = wheel -adm\n", "t.conf:5: [roles] admin: ", "'-adm'" },
	{ "group name with ':'", MIN "[roles]\nadmin = wh:eel\n", "t.conf:5: [roles] admin: ", NULL },
	{ "33-char group", MIN "[roles]\nadmin = abcdefghijklmnopqrstuvwxyz0123456\n",
	  "t.conf:5: [roles] admin: ", NULL },
	{ "role without groups", MIN "[roles]\nadmin =\n", "t.conf:5: [roles] admin: ", "at least one" },
	{ "bad role name", MIN "[roles]\nad min = wheel\n", "t.conf:5: [roles] ad min: ", NULL },
	{ "bad protected group", MIN "[groups]\nprotected = root wh,eel\n", "t.conf:5: [groups] protected: ", NULL },
	{ "bad project", MIN "[groups]\nproject = prod web\n", "t.conf:5: [groups] project: ", NULL },
	{ "bad scope", MIN "scopes = openid \"x\"\n", "t.conf:4: [okta] scopes: ", NULL },
	{ "bad domain", MIN "[login]\nusername_domains = @example.com\n",
	  "t.conf:5: [login] username_domains: ", NULL },
	{ "section without ]", MIN "[login\nprompt = poll\n", "t.conf:4: ", "']'" },
	{ "junk after section", MIN "[login] x\n", "t.conf:4: ", "junk" },
	{ "no '='", MIN "[login]\nprompt poll\n", "t.conf:5: [login]: ", "key = value" },
	{ "no key", MIN "= x\n", "t.conf:4: [okta]: ", "key = value" },
	{ "proxy socks", MIN "proxy = socks5://p:1080\n", "t.conf:4: [okta] proxy: ", "http://" },
	{ "proxy credentials", MIN "proxy = http://u:pw@p:3128\n", "t.conf:4: [okta] proxy: ",
	  "credentials" },
	{ "proxy path", MIN "proxy = http://p:3128/x\n", "t.conf:4: [okta] proxy: ", "path" },
	{ "proxy no host", MIN "proxy = http://\n", "t.conf:4: [okta] proxy: ", "no host" },
	{ "bad endpoint host", MIN "endpoint_hosts = https://x\n",
	  "t.conf:4: [okta] endpoint_hosts: ", NULL },
	{ "bad service", MIN "[login]\nservices = sshd,login\n", "t.conf:5: [login] services: ", NULL },
	{ "bad local user", MIN "[login]\nlocal_users = ro:ot\n", "t.conf:5: [login] local_users: ",
	  NULL },
	{ "bad authoritative", MIN "[groups]\nauthoritative = all\n",
	  "t.conf:5: [groups] authoritative: ", NULL },
};

/* inih's 200-byte buffer: 198 bytes and the newline fit, 199 do not. */
static void
test_line_limit(void)
{
	static const char head[] = MIN "[login]\n", key[] = "username_claim = ";
	static const char want_err[] = "t.conf:5: [login] username_claim: ";

	for (size_t n = 197; n <= 200; n++) {
		struct pog_config cfg;
		char text[512], *err = NULL;
		size_t len = strlen(head) + n;
		pog_err want = n <= 198 ? POG_OK : POG_ERR_CONFIG;

		memset(text, 'a', len);
		memcpy(text, head, strlen(head));
		memcpy(text + strlen(head), key, strlen(key));
		strcpy(text + len, "\n[groups]\nproject = p\n");
		TC_EQ_INT(pog_cfg_parse(&cfg, "t.conf", text, strlen(text), &err), want);
		if (want == POG_OK)
			TC_CHECK(strlen(cfg.username_claim) == n - strlen(key) &&
				 strcmp(cfg.project, "p") == 0);
		else
			TC_CHECK(err != NULL && strncmp(err, want_err, strlen(want_err)) == 0);
		pog_cfg_free(&cfg);
		free(err);
	}
}

static void
test_bad(void)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct pog_config cfg;
		char *err = NULL;
		pog_err r = pog_cfg_parse(&cfg, "t.conf", bad[i].text, strlen(bad[i].text), &err);
		bool ok = r == POG_ERR_CONFIG && err != NULL &&
			  strncmp(err, bad[i].want, strlen(bad[i].want)) == 0 &&
			  (bad[i].also == NULL || strstr(err, bad[i].also) != NULL);

		if (!ok)
			fprintf(stderr, "case '%s': got %d \"%s\", want \"%s...%s\"\n", bad[i].what,
				(int)r, err ? err : "(null)", bad[i].want, bad[i].also ? bad[i].also : "");
		TC_CHECK(ok);
		TC_CHECK(cfg.issuer == NULL && cfg.roles == NULL && cfg.scopes.v == NULL);
		pog_cfg_free(&cfg);
		free(err);
	}
}

/* ---- pog_cfg_load, in a temp folder ---- */

static char dir[] = "/tmp/test-cfg.XXXXXX";

static char *
path_of(const char *name)
{
	static char buf[4][256];
	static int n;

	n = (n + 1) % 4;
	snprintf(buf[n], sizeof(buf[n]), "%s/%s", dir, name);
	return buf[n];
}

static void
put(const char *name, const char *text, mode_t mode)
{
	tu_put_str(path_of(name), text, mode);
}

/* Loads name; returns the error and leaves the message in *err. */
static pog_err
load(const char *name, struct pog_config *cfg, char **err)
{
	free(*err);
	*err = NULL;
	return pog_cfg_load(cfg, path_of(name), (unsigned int)geteuid(), err);
}

static bool
says(const char *err, const char *what)
{
	if (err != NULL && strstr(err, what) != NULL)
		return true;
	fprintf(stderr, "message \"%s\" lacks \"%s\"\n", err ? err : "(null)", what);
	return false;
}

static void
test_load(void)
{
	struct pog_config cfg;
	char *err = NULL, *conf = NULL;

	put("ok.conf", MIN, 0644);
	TC_ERR(load("ok.conf", &cfg, &err), POG_OK);
	TC_STREQ(cfg.path, path_of("ok.conf"));
	TC_CHECK(cfg.client_secret == NULL);
	pog_cfg_free(&cfg);

	put("gw.conf", MIN, 0664);
	TC_CHECK(load("gw.conf", &cfg, &err) == POG_ERR_CONFIG && says(err, "writable"));
	put("ow.conf", MIN, 0646);
	TC_CHECK(load("ow.conf", &cfg, &err) == POG_ERR_CONFIG && says(err, "writable"));

	TC_EQ_INT(symlink(path_of("ok.conf"), path_of("link.conf")), 0);
	TC_CHECK(load("link.conf", &cfg, &err) == POG_ERR_CONFIG && says(err, "link.conf"));

	TC_EQ_INT(mkdir(path_of("dir.conf"), 0755), 0);
	TC_CHECK(load("dir.conf", &cfg, &err) == POG_ERR_CONFIG && says(err, "not a regular file"));

	/* A FIFO is refused, not waited on. */
	TC_EQ_INT(mkfifo(path_of("fifo.conf"), 0644), 0);
	TC_CHECK(load("fifo.conf", &cfg, &err) == POG_ERR_CONFIG && says(err, "not a regular file"));

	errno = 0;
	TC_ERR(load("missing.conf", &cfg, &err), POG_ERR_SYSTEM);
	TC_EQ_INT(errno, ENOENT);
	TC_CHECK(says(err, "missing.conf"));

	/* A syntax error names the file as given. */
	put("bad.conf", MIN "[login]\nprompt = never\n", 0644);
	TC_CHECK(load("bad.conf", &cfg, &err) == POG_ERR_CONFIG &&
		 says(err, "bad.conf:5: [login] prompt: "));

	if (geteuid() == 0) {
		put("uid1.conf", MIN, 0644);
		TC_EQ_INT(chown(path_of("uid1.conf"), 1, (gid_t)-1), 0);
		TC_CHECK(load("uid1.conf", &cfg, &err) == POG_ERR_CONFIG && says(err, "owned by uid 1"));
	} else {
		printf("test-cfg: not root, skipping the chown to uid 1\n");
	}
	/* The owner the caller asks for is the one that counts. */
	free(err);
	err = NULL;
	TC_CHECK(pog_cfg_load(&cfg, path_of("ok.conf"), (unsigned int)geteuid() + 1, &err) ==
		 POG_ERR_CONFIG && says(err, "must be owned by uid"));

	/* The secret. */
	conf = pog_asprintf(MIN "client_secret_file = %s\n", path_of("secret"));
	TC_CHECK(conf != NULL);
	if (conf == NULL)
		return;
	put("s.conf", conf, 0644);
	put("secret", "s3cr3t-value\n", 0644);
	TC_CHECK(load("s.conf", &cfg, &err) == POG_ERR_CONFIG &&
		 says(err, "[okta] client_secret_file: ") && says(err, "0600"));
	put("secret", "s3cr3t-value\n", 0600);
	TC_ERR(load("s.conf", &cfg, &err), POG_OK);
	TC_STREQ(cfg.client_secret, "s3cr3t-value");
	pog_cfg_free(&cfg);
	put("secret", "no-newline", 0400);
	TC_ERR(load("s.conf", &cfg, &err), POG_OK);
	TC_STREQ(cfg.client_secret, "no-newline");
	pog_cfg_free(&cfg);
	put("secret", "\n", 0600);
	TC_CHECK(load("s.conf", &cfg, &err) == POG_ERR_CONFIG && says(err, "one line"));
	put("secret", "two\nlines\n", 0600);
	TC_CHECK(load("s.conf", &cfg, &err) == POG_ERR_CONFIG && says(err, "one line"));
	TC_CHECK(strstr(err ? err : "", "lines") == NULL);      /* never echoed */
	put("secret", "dos\r\n", 0600);
	TC_ERR(load("s.conf", &cfg, &err), POG_ERR_CONFIG);
	unlink(path_of("secret"));
	TC_CHECK(load("s.conf", &cfg, &err) == POG_ERR_CONFIG && says(err, "client_secret_file"));
	unlink(path_of("s.conf"));
	free(conf);
	free(err);
}

/* The shipped example must load as it is. */
static void
test_shipped(void)
{
	const char *src = TOP_SRCDIR "/conf/pam_okta_groups.conf";
	struct pog_config cfg;
	char text[POG_CFG_MAX_SIZE + 1];
	char *err = NULL;
	size_t n;
	FILE *f = fopen(src, "r");

	TC_CHECK(f != NULL);
	if (f == NULL) {
		perror(src);
		return;
	}
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	put("shipped.conf", text, 0644);
	TC_ERR(load("shipped.conf", &cfg, &err), POG_OK);
	if (err != NULL)
		fprintf(stderr, "%s\n", err);
	TC_CHECK(cfg.issuer != NULL && cfg.client_id != NULL);
	TC_EQ_INT(cfg.scopes.n, 4);
	TC_EQ_INT(cfg.approval_timeout, 300);
	pog_cfg_free(&cfg);
	free(err);
}

static void
cleanup(void)
{
	static const char *const names[] = {
		"ok.conf", "gw.conf", "ow.conf", "link.conf", "fifo.conf", "bad.conf", "uid1.conf",
		"shipped.conf", NULL
	};

	for (size_t i = 0; names[i] != NULL; i++)
		unlink(path_of(names[i]));
	rmdir(path_of("dir.conf"));
	if (rmdir(dir) != 0)
		perror(dir);
}

int
main(void)
{
	alarm(60);      /* a hang (say, on a FIFO) must fail, not stall make check */
	test_spec_example();
	test_accounts();
	test_good();
	test_line_limit();
	test_bad();
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 99;
	}
	test_load();
	test_shipped();
	cleanup();
	TC_DONE();
}
