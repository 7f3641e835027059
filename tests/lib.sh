# shellcheck shell=bash
# tests/lib.sh - shared by the shell tests. Source it; it makes a temp
# folder $T, removes it and stops every provider it started on exit.
#
# Nothing here touches the host's /etc: configs, PAM service files, group
# files, the cache and the ledger all live in $T.

set -eu

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$(pwd)}"
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=$(cd "$top_builddir" && pwd)
IDP="$top_srcdir/tests/idp"
MODULE="$top_builddir/.libs/pam_okta_groups.so"
PAMRUN="$top_builddir/tests/pamrun"
# shellcheck disable=SC2034  # for the tests that source this file
TOOL="$top_builddir/okta-groups"

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
need_cmd() { command -v "$1" >/dev/null 2>&1 || skip "$1 is not installed"; }
need_root() { [ "$(id -u)" = 0 ] || skip "needs root ($*)"; }

need_cmd node
[ -f "$MODULE" ] || fail "the module is not built: $MODULE"

# The provider needs its npm packages next to server.js. A source tree
# that has none and cannot take them (make distcheck's read-only one)
# gets a copy in the build tree.
if [ ! -d "$IDP/node_modules/oidc-provider" ] && [ ! -w "$IDP" ]; then
	run="$top_builddir/tests/idp-run"
	if [ ! -d "$run/node_modules/oidc-provider" ]; then
		mkdir -p "$run"
		cp -f "$IDP"/*.js "$IDP"/*.sh "$IDP"/package.json "$IDP"/package-lock.json "$run/"
		chmod u+w "$run"/*
		(cd "$run" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) ||
			fail "npm ci for the test provider failed"
	fi
	IDP=$run
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/pog-test.XXXXXX")
chmod 755 "$T"
_idps=""
cleanup() {
	for d in $_idps; do "$IDP/stop.sh" "$d" >/dev/null 2>&1 || true; done
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

checks=0
ok() { checks=$((checks + 1)); echo "ok $checks - $*"; }

# The users of the test provider; tests rewrite this file between logins.
USERS="$T/users.json"
write_users() {
	cat >"$USERS" <<JSON
{
  "alice": {"password": "alice-pw", "email": "alice@example.com",
            "preferred_username": "alice@example.com", "name": "Alice",
            "groups": ${ALICE_GROUPS:-[\"DevTeam\", \"Organization Admins\"]}, "amr": ["pwd", "mfa"]},
  "bob":   {"password": "bob-pw", "email": "bob@example.com",
            "preferred_username": "bob@example.com", "name": "Bob",
            "groups": ["DevTeam"], "amr": ["pwd"]},
  "carol": {"password": "carol-pw", "email": "carol@example.com",
            "preferred_username": "carol@example.com", "name": "Carol",
            "groups": [], "amr": ["pwd"]}
}
JSON
}
write_users

# The provider's users as local accounts, for pamrun outside a namespace:
# the module refuses a name with no account before it asks the provider.
# pamrun serves this file through nss_wrapper ($PAMRUN_PASSWD).
NSS_PASSWD="$T/nss-passwd"
{
	cat /etc/passwd
	for u in alice:5001 bob:5002 carol:5003; do
		grep -q "^${u%%:*}:" /etc/passwd ||
			echo "${u%%:*}:x:${u#*:}:${u#*:}:${u%%:*}:/nonexistent:/usr/sbin/nologin"
	done
} >"$NSS_PASSWD"
chmod 644 "$NSS_PASSWD"

# idp_start NAME [IDP_VAR=value...]: starts a provider; sets ISSUER and CA.
idp_start() {
	local name=$1 dir
	shift
	dir="$T/idp-$name"
	mkdir -p "$dir"
	_idps="$_idps $dir"
	"$IDP/start.sh" "$dir" IDP_USERS="$USERS" "$@" >/dev/null || fail "provider $name did not start"
	ISSUER=$(cat "$dir/issuer")
	CA="$dir/ca.crt"
	IDP_STATE="$dir"
}

# approver USER [--deny]: the command pamrun runs with the sign-in link.
approver() {
	local user=$1
	shift
	echo "node $IDP/approve.js --ca $CA --user $user --password $user-pw $* --url"
}

# write_conf FILE: a config with every key of pam_okta_groups.conf(5), pointed at $T; extra
# lines for any section come from stdin as "[section]\nkey = value".
write_conf() {
	local f=$1
	mkdir -p "$T/cache" "$T/state"
	chmod 700 "$T/cache" "$T/state"
	cat >"$f" <<CONF
[okta]
issuer = $ISSUER
client_id = ${CLIENT_ID:-pog-public}
${CLIENT_SECRET_LINE:-}
scopes = openid profile email groups
ca_file = $CA
http_timeout = ${HTTP_TIMEOUT:-10}
cache_dir = $T/cache
clock_skew = 60

[login]
username_claim = preferred_username
username_domains = example.com
approval_timeout = ${APPROVAL_TIMEOUT:-60}
prompt = ${PROMPT:-enter}
qr = ${QR:-auto}
require_mfa = no
${LOCAL_USERS+local_users = $LOCAL_USERS}

[groups]
claim = groups
source = ${SOURCE:-auto}
mode = ${MODE:-none}
project = ${PROJECT:-prod-web}
same_name = no
match = exact
on_no_binding = ${ON_NO_BINDING:-deny}
protected = root sudo wheel adm shadow disk docker lxd
group_file = ${GROUP_FILE:-$T/group}
gshadow_file = ${GSHADOW_FILE:-$T/gshadow}
state_dir = $T/state

[roles]
admin = wheel adm
developer = devteam docker

[bindings]
Organization Admins = admin
DevTeam = developer@prod-web developer@staging
CONF
	chmod 644 "$f"
}

# pam_service NAME [ARGS]: a PAM service file in $T/pam.d using the built module.
pam_service() {
	local name=$1
	shift
	mkdir -p "$T/pam.d"
	cat >"$T/pam.d/$name" <<PAM
auth     required  $MODULE config=$T/pam_okta_groups.conf $*
account  required  $MODULE config=$T/pam_okta_groups.conf $*
PAM
}

# pamrun SERVICE USER PHASE...: runs the stack; output in $T/out.
pamrun() {
	local rc=0
	PAMRUN_PASSWD=$NSS_PASSWD "$PAMRUN" "$T/pam.d" "$@" >"$T/out" 2>&1 || rc=$?
	return $rc
}

expect_out() {
	grep -q -- "$1" "$T/out" || { echo "--- output:"; cat "$T/out"; fail "expected '$1' ($2)"; }
}

# conf_set FILE SECTION LINE: adds LINE at the top of [SECTION] of FILE.
conf_set() {
	local f=$1 section=$2 line=$3
	awk -v s="[$section]" -v l="$line" '{ print } $0 == s { print l }' "$f" >"$f.new" &&
		cat "$f.new" >"$f" && rm -f "$f.new"
}

# idp_device_requests: how many device authorizations the provider of
# the last idp_start has answered, from its /__test/stats.
idp_device_requests() {
	node -e '
const [ca, base] = process.argv.slice(1);
require("https").get(base + "/__test/stats", { ca: require("fs").readFileSync(ca) }, (r) => {
  let b = "";
  r.on("data", (d) => { b += d; });
  r.on("end", () => {
    const s = JSON.parse(b);
    console.log(Object.keys(s).filter((k) => k.endsWith("/device/authorize"))
      .reduce((n, k) => n + s[k], 0));
  });
}).on("error", (e) => { console.error(e.message); process.exit(1); });' \
		"$CA" "https://127.0.0.1:$(cat "$IDP_STATE/port")"
}
