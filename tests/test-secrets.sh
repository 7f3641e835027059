#!/bin/bash
# Config and secrets.
#
# 1. A config or client secret file with the wrong owner, mode or type
#    is refused: pamrun gets PAM_SERVICE_ERR and one plain sentence, the
#    provider is never asked, the log names the file, and okta-groups
#    check fails too.
# 2. No token, device code, user code or client secret reaches syslog,
#    the ledger, the cache, the group files or any output, with debug on,
#    over successful and failed logins (public and confidential client,
#    the custom and the org server, persistent and session mode, a wrong
#    secret, a denial, another account), and okta-groups check and login.
#    The secrets are known exactly: a preloaded script in the test
#    provider (NODE_OPTIONS=--require) records every device code and
#    token it hands out. Every pamrun runs in a private mount namespace
#    whose /dev/log is served by tests/syslogd.pl, so the module's
#    syslog lines are captured.
. "$(dirname "$0")/lib.sh"

need_root "wrong owners (chown), and a private /dev/log in a mount namespace"
need_cmd unshare
need_cmd nsenter
need_cmd perl
unshare --mount --propagation private true 2>/dev/null ||
	skip "cannot create a mount namespace here (unshare --mount failed)"

ME=$(id -un)
# The test signs this account in with Okta: not a break-glass one here.
export LOCAL_USERS=
CANARY="Canary-Name-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
cat >"$USERS" <<JSON
{"$ME": {"password": "$ME-pw", "email": "$ME@example.com",
         "preferred_username": "$ME@example.com", "name": "$CANARY",
         "groups": ["DevTeam"], "amr": ["pwd", "mfa"]},
 "bob": {"password": "bob-pw", "email": "bob@example.com",
         "preferred_username": "bob@example.com", "name": "Bob",
         "groups": ["DevTeam"], "amr": ["pwd"]}}
JSON

# ---- the provider, recording what it hands out ----
HANDED="$T/handed-out"
cat >"$T/spy.cjs" <<'JS'
// Preloaded into the test provider: records each secret it sends.
const http = require('node:http');
const fs = require('node:fs');
const out = process.env.POG_SPY_FILE;
const KEYS = ['device_code', 'access_token', 'id_token', 'refresh_token'];
function record(chunk) {
  try {
    const text = Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk);
    if (!text.startsWith('{')) return;
    const body = JSON.parse(text);
    for (const k of KEYS) {
      if (typeof body[k] === 'string' && body[k] !== '') fs.appendFileSync(out, `${k} ${body[k]}\n`);
    }
  } catch (e) { /* not JSON */ }
}
if (out) {
  const end = http.ServerResponse.prototype.end;
  http.ServerResponse.prototype.end = function (chunk, ...rest) {
    if (chunk && typeof chunk !== 'function') record(chunk);
    return end.call(this, chunk, ...rest);
  };
}
JS
: >"$HANDED"
export POG_SPY_FILE="$HANDED"
export NODE_OPTIONS="--require $T/spy.cjs"
idp_start org IDP_STYLE=org
ORG_ISSUER=$ISSUER ORG_CA=$CA ORG_STATE=$IDP_STATE
idp_start custom
unset NODE_OPTIONS POG_SPY_FILE

# ---- a private /dev/log ----
SYSLOG="$T/syslog"
: >"$SYSLOG"
# A tmpfs for /dev with the host devices the tests use, and the socket.
SETUP='
set -e
d=$1
shift
mount -n -t tmpfs -o mode=755,nosuid pog-dev "$d"
for n in null zero full random urandom tty ptmx; do
	[ -e "/dev/$n" ] || continue
	: >"$d/$n"
	mount -n --bind "/dev/$n" "$d/$n"
done
mkdir "$d/pts" "$d/shm"
mount -n --rbind /dev/pts "$d/pts"
mount -n --rbind /dev/shm "$d/shm"
ln -s /proc/self/fd "$d/fd"
ln -s /proc/self/fd/0 "$d/stdin"
ln -s /proc/self/fd/1 "$d/stdout"
ln -s /proc/self/fd/2 "$d/stderr"
mount -n --move "$d" /dev
exec "$@"'
mkdir -p "$T/ns-dev"
unshare --mount --propagation private -- /bin/sh -c "$SETUP" sh "$T/ns-dev" \
	perl "$top_srcdir/tests/syslogd.pl" --ready "$T/ns.ready" /dev/log "$SYSLOG" >"$T/ns.out" 2>&1 &
NS_PID=$!
secrets_cleanup() {
	local rc=$?
	kill "$NS_PID" 2>/dev/null || true
	wait "$NS_PID" 2>/dev/null || true
	cleanup
	exit $rc
}
trap secrets_cleanup EXIT
trap 'exit 1' INT TERM
for _ in $(seq 100); do
	[ -f "$T/ns.ready" ] && break
	kill -0 "$NS_PID" 2>/dev/null || break
	sleep 0.05
done
[ -f "$T/ns.ready" ] || { cat "$T/ns.out"; fail "the namespace with a private /dev/log did not start"; }

# ns_pamrun NAME SERVICE USER PHASE...: pamrun in the namespace; output in
# $T/out and kept as $T/out.NAME (every output is searched at the end).
ns_pamrun() {
	local name=$1 rc=0
	shift
	nsenter --target "$NS_PID" --mount -- "$PAMRUN" "$T/pam.d" "$@" >"$T/out" 2>&1 || rc=$?
	cp "$T/out" "$T/out.$name"
	return $rc
}

# The group files of persistent mode.
printf 'root:x:0:\nwheel:x:10:\nadm:x:4:\ndevteam:x:1500:\ndocker:x:997:\n' >"$T/group"
printf 'root:*::\nwheel:!::\nadm:!::\ndevteam:!::\ndocker:!::\n' >"$T/gshadow"
chmod 644 "$T/group"
chmod 640 "$T/gshadow"

SECRET=pog-secret-123
printf '%s\n' "$SECRET" >"$T/okta.secret"
chmod 600 "$T/okta.secret"
conf_confidential() {
	CLIENT_ID=pog-confidential CLIENT_SECRET_LINE="client_secret_file = $T/okta.secret" \
		write_conf "$T/pam_okta_groups.conf"
}

# ---- 1. wrong owner, mode or type ----
pam_service okta debug
PAMRUN_APPROVE=$(approver "$ME")
export PAMRUN_APPROVE
conf_confidential
ns_pamrun control okta "$ME" auth || true
expect_out "result auth PAM_SUCCESS" "a sound config and secret (0600)"
chmod 400 "$T/okta.secret"
ns_pamrun control400 okta "$ME" auth || true
expect_out "result auth PAM_SUCCESS" "a secret with mode 0400"
chmod 600 "$T/okta.secret"
ok "a sound config (0644) with a secret file of mode 0600 or 0400 signs in"

# refused LABEL PATTERN: the last pamrun refused the config, before any request.
requests_before=0
refused() {
	expect_out "result auth PAM_SERVICE_ERR" "$1"
	expect_out "error: Okta sign-in is not set up correctly on this host; contact your administrator." "$1: one plain sentence"
	[ "$(grep -c '^error: ' "$T/out")" = 1 ] || { cat "$T/out"; fail "$1: more than one sentence"; }
	[ "$(wc -l <"$IDP_STATE/idp.log")" = "$requests_before" ] || fail "$1: the provider was asked"
	tail -n 3 "$SYSLOG" | grep -q -- "$2" ||
		{ tail -n 5 "$SYSLOG"; fail "$1: the log does not say '$2'"; }
	nsenter --target "$NS_PID" --mount -- "$TOOL" check -c "$T/pam_okta_groups.conf" \
		>"$T/tool.out" 2>&1 && fail "$1: okta-groups check accepts it"
	grep -q -- "$2" "$T/tool.out" || { cat "$T/tool.out"; fail "$1: okta-groups check does not say '$2'"; }
	cp "$T/tool.out" "$T/out.check-$(echo "$1" | tr -c 'a-z0-9' -)"
}
# try LABEL PATTERN: pamrun now, and expect it refused.
try() {
	requests_before=$(wc -l <"$IDP_STATE/idp.log")
	ns_pamrun "refused-$(echo "$1" | tr -c 'a-z0-9' -)" okta "$ME" auth || true
	refused "$1" "$2"
}
CONF="$T/pam_okta_groups.conf"

conf_confidential; chmod 664 "$CONF"
try "config mode 0664" "pam_okta_groups.conf: writable by group or others"
conf_confidential; chmod 646 "$CONF"
try "config mode 0646" "pam_okta_groups.conf: writable by group or others"
conf_confidential; chown nobody "$CONF"
try "config owned by nobody" "pam_okta_groups.conf: owned by uid"
chown root "$CONF"; conf_confidential; mv "$CONF" "$T/real.conf"; ln -s "$T/real.conf" "$CONF"
try "config a symlink" "pam_okta_groups.conf: cannot open"
rm -f "$CONF" "$T/real.conf"; mkfifo "$CONF"
start=$(date +%s)
try "config a FIFO" "pam_okta_groups.conf: not a regular file"
[ $(( $(date +%s) - start )) -lt 10 ] || fail "a FIFO config hung the login"
rm -f "$CONF"; mkdir "$CONF"
try "config a folder" "pam_okta_groups.conf: not a regular file"
rmdir "$CONF"
ok "a config that is group- or world-writable, not root's, a symlink, a FIFO or a folder is refused"

conf_confidential
for mode in 640 644 604 660 700 1600; do
	chmod "$mode" "$T/okta.secret"
	try "secret mode $mode" "a secret file must have mode 0600 or 0400"
done
chmod 600 "$T/okta.secret"; chown nobody "$T/okta.secret"
try "secret owned by nobody" "okta.secret: owned by uid"
chown root "$T/okta.secret"; mv "$T/okta.secret" "$T/real.secret"; ln -s "$T/real.secret" "$T/okta.secret"
try "secret a symlink" "okta.secret: cannot open"
rm -f "$T/okta.secret"; mv "$T/real.secret" "$T/okta.secret"
ok "a secret file readable by group or others, not root's, or a symlink is refused"

# ---- 2. nothing secret reaches the log, the ledger or any output ----
: >"$SYSLOG"
USER_CODES="$T/user-codes"
: >"$USER_CODES"
# login NAME EXPECTED-RESULT PHASE...: a logged-in run, with its user code noted.
login() {
	local name=$1 want=$2
	shift 2
	ns_pamrun "$name" okta "$ME" "$@" || true
	expect_out "$want" "$name"
	sed -n 's/^ *Code: *\([A-Z0-9-][A-Z0-9-]*\).*/\1/p' "$T/out" >>"$USER_CODES"
}

# confidential client, persistent mode: auth, account.
MODE=persistent conf_confidential
PAMRUN_APPROVE=$(approver "$ME")
export PAMRUN_APPROVE
login persistent "result account PAM_SUCCESS" auth account
grep -q "^devteam:x:1500:$ME\$" "$T/group" || fail "the persistent login did not add $ME to devteam"
# session mode: auth, account, setcred (the hand-off nonce).
MODE=session conf_confidential
login session "result setcred PAM_SUCCESS" auth account setcred
# the org server: groups from userinfo, with the access token.
(
	ISSUER=$ORG_ISSUER CA=$ORG_CA MODE=none
	CLIENT_ID=pog-confidential CLIENT_SECRET_LINE="client_secret_file = $T/okta.secret" \
		write_conf "$CONF"
)
PAMRUN_APPROVE="node $IDP/approve.js --ca $ORG_CA --user $ME --password $ME-pw --url" \
	login org "result account PAM_SUCCESS" auth account
grep -q 'GET /oauth2/v1/userinfo 200' "$ORG_STATE/idp.log" || fail "the org login did not call userinfo"
# a public client, denied; and approved by another account.
MODE=none write_conf "$CONF"
PAMRUN_APPROVE="$(approver "$ME" --deny)" login denied "result auth PAM_AUTH_ERR" auth
PAMRUN_APPROVE="$(approver bob)" login other-account "result auth PAM_AUTH_ERR" auth
# a wrong client secret: the provider says invalid_client.
WRONG=wrong-secret-456
printf '%s\n' "$WRONG" >"$T/okta.secret"
conf_confidential
login wrong-secret "result auth PAM_SERVICE_ERR" auth
printf '%s\n' "$SECRET" >"$T/okta.secret"
ok "six logins with debug: persistent, session, org server, denied, another account, wrong secret"

# okta-groups check and login (the same flow in a terminal), verbose.
MODE=persistent conf_confidential
nsenter --target "$NS_PID" --mount -- "$TOOL" check --verbose -c "$CONF" >"$T/out.tool-check" 2>&1 ||
	{ cat "$T/out.tool-check"; fail "okta-groups check fails"; }
mkfifo "$T/tool.in"
nsenter --target "$NS_PID" --mount -- "$TOOL" login --verbose -c "$CONF" "$ME" \
	<"$T/tool.in" >"$T/out.tool-login" 2>&1 &
tool_pid=$!
exec 3>"$T/tool.in"
for _ in $(seq 200); do grep -q 'Open:' "$T/out.tool-login" && break; sleep 0.05; done
url=$(sed -n 's/^ *Open: *\([^ ]*\).*/\1/p' "$T/out.tool-login" | head -1)
[ -n "$url" ] || { cat "$T/out.tool-login"; fail "okta-groups login showed no link"; }
$(approver "$ME") "$url" >/dev/null || fail "the approver failed for okta-groups login"
echo >&3
exec 3>&-
wait "$tool_pid" || { cat "$T/out.tool-login"; fail "okta-groups login fails"; }
sed -n 's/^ *Code: *\([A-Z0-9-][A-Z0-9-]*\).*/\1/p' "$T/out.tool-login" >>"$USER_CODES"
grep -q "^identity: *$ME " "$T/out.tool-login" || { cat "$T/out.tool-login"; fail "okta-groups login: no identity"; }
ok "okta-groups check --verbose and login --verbose"

# The syslog capture works, and holds the debug lines.
grep -q "pam_okta_groups(okta:auth): login: [0-9]* requests" "$SYSLOG" ||
	{ cat "$SYSLOG"; fail "no debug line in the captured syslog"; }
grep -q "pam_okta_groups(okta:account): audit: user=\"$ME\" " "$SYSLOG" ||
	{ cat "$SYSLOG"; fail "no audit line in the captured syslog"; }
grep -q "invalid_client" "$SYSLOG" || { cat "$SYSLOG"; fail "the wrong secret is not logged as invalid_client"; }
ok "the module's syslog is captured: $(wc -l <"$SYSLOG") lines, with debug"

# What must never show: every device code and token the providers sent,
# the user codes, both client secrets, the Basic credentials made from
# them, and a claim the module has no reason to repeat.
{
	cut -d' ' -f2 "$HANDED"
	sort -u "$USER_CODES"
	echo "$SECRET"
	echo "$WRONG"
	printf 'pog-confidential:%s' "$SECRET" | base64 -w0; echo
	printf 'pog-confidential:%s' "$WRONG" | base64 -w0; echo
	echo "$CANARY"
} | grep . >"$T/never"
# ... and every 12-character piece of the longer ones, so that a part of
# a token (a prefix in a debug line, a line cut short) is found too.
pieces() {
	awk '{ if (length($0) <= 12) print; else for (i = 1; i + 11 <= length($0); i++) print substr($0, i, 12) }' "$1" |
		sort -u
}
pieces "$T/never" >"$T/never-pieces"
for k in device_code access_token id_token; do
	n=$(grep -c "^$k " "$HANDED" || true)
	[ "$n" -ge 5 ] || fail "the provider handed out only $n ${k}s"
done
[ "$(sort -u "$USER_CODES" | wc -l)" -ge 6 ] || fail "only $(sort -u "$USER_CODES" | wc -l) user codes seen"

# Where they must not be: the log, the ledger, the cache, the group files
# and their backups, and every output (the user code aside: the prompt
# shows it, and only the prompt may).
STORES="$SYSLOG $T/state $T/cache $T/group $T/gshadow"
for f in "$T/group-" "$T/gshadow-"; do [ -e "$f" ] && STORES="$STORES $f"; done
# shellcheck disable=SC2086
if grep -r -F -f "$T/never-pieces" $STORES >"$T/leaks"; then
	cat "$T/leaks"
	fail "a secret reached the log, the ledger, the cache or the group files"
fi
grep -v -x -F -f "$USER_CODES" "$T/never" >"$T/never-shown"
pieces "$T/never-shown" >"$T/never-shown-pieces"
if grep -F -f "$T/never-shown-pieces" "$T"/out.* >"$T/leaks"; then
	cat "$T/leaks"
	fail "a secret reached the output"
fi
# Shown user codes: only on the lines of the prompt.
if grep -F -f "$USER_CODES" "$T"/out.* | grep -v -E ':(prompt: |info: )?( *Code: | *Open: |Still waiting for approval of code )' >"$T/leaks"; then
	cat "$T/leaks"
	fail "a user code appears outside the prompt"
fi
# And anything shaped like a JWT or a long random token, anywhere but
# the cache (its JWKS holds long base64 numbers, and it was searched above).
# shellcheck disable=SC2086,SC2046
if grep -r -E -o 'eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]*|[A-Za-z0-9_-]{40,}' \
	$(echo "$STORES" | sed "s|$T/cache||") "$T"/out.* >"$T/leaks"; then
	cat "$T/leaks"
	fail "something shaped like a token appears"
fi
ok "no device code, token, client secret or name claim in syslog, ledger, cache, group files or output ($(wc -l <"$T/never") values, $(wc -l <"$T/never-pieces") pieces of 12, $(ls "$T"/out.* | wc -l) outputs)"

echo "$checks passed, 0 failed"
