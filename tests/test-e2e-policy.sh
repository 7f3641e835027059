#!/bin/bash
# require_acr and max_auth_age end to end: whole PAM stacks (pamrun) in a
# private mount namespace, against the test provider, whose users carry
# acr and auth_time.
#
#   1. require_acr = phr phrh: a password sign-in is refused with one
#      sentence and a log line that quotes the acr; nothing is written;
#   2. a phishing-resistant sign-in (acr phr) passes;
#   3. require_acr of two-factor levels: no acr at all is refused;
#   4. max_auth_age = 12h: a sign-in of two days ago is refused, a fresh one passes;
#   5. okta-groups login prints amr, acr and auth_time, and check refuses
#      a malformed duration.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ns.sh"

idp_start custom
ns_start
ns_pam okta "auth     required  $MODULE
account  required  $MODULE"
CONF=/etc/security/pam_okta_groups.conf

# policy_users ACR AUTH_TIME: alice's acr (empty: none) and auth_time (empty: now).
policy_users() {
	local acr="" at=""
	[ -z "$1" ] || acr="\"acr\": \"$1\","
	[ -z "${2:-}" ] || at="\"auth_time\": $2,"
	cat >"$USERS" <<JSON
{
  "alice": {$acr $at "password": "alice-pw", "email": "alice@example.com",
            "preferred_username": "alice@example.com", "name": "Alice",
            "groups": ["DevTeam", "Organization Admins"], "amr": ["pwd", "mfa"]}
}
JSON
}

# conf LINE...: the config with these [login] lines.
conf() {
	ns_conf MODE=persistent
	for l in "$@"; do conf_set "$ETC/security/pam_okta_groups.conf" login "$l"; done
}

login() {
	PAMRUN_APPROVE="$(approver alice)"
	export PAMRUN_APPROVE
	in_ns "$PAMRUN" /etc/pam.d okta alice auth account >"$T/out" 2>&1 || true
}

# 1. phishing-resistant required, a password sign-in offered.
policy_users "urn:okta:loa:1fa:pwd"
conf "require_acr = phr phrh"
cp "$ETC/group" "$T/group.1"
login
expect_out "result auth PAM_AUTH_ERR" "1fa:pwd under require_acr = phr phrh"
expect_out "error: This host needs a phishing-resistant sign-in." "the sentence says what was missing"
ns_log "ID token: the ID token's acr \"urn:okta:loa:1fa:pwd\" is not one of require_acr \"phr\" \"phrh\"" | grep -q . ||
	{ tail -5 "$SYSLOG"; fail "no log line quoting the acr"; }
cmp -s "$T/group.1" "$ETC/group" || fail "a refused sign-in changed /etc/group"
[ ! -e "$T/state/alice" ] || fail "a refused sign-in wrote a ledger"
ok "require_acr refuses a password sign-in with one sentence and a quoted log line"

# 2. the same policy, a phishing-resistant sign-in.
policy_users "phr"
login
expect_out "result auth PAM_SUCCESS" "acr phr"
expect_out "result account PAM_SUCCESS" "acr phr: granted"
ok "require_acr passes a phishing-resistant sign-in"

# 3. two-factor levels required, and the token has no acr at all.
policy_users ""
conf "require_acr = urn:okta:loa:2fa:any urn:okta:loa:2fa:any:ifpossible"
login
expect_out "result auth PAM_AUTH_ERR" "no acr"
expect_out "error: This host needs a stronger sign-in (two factors)." "no acr: the sentence"
ns_log "the ID token has no acr claim, and require_acr is" | grep -q . ||
	{ tail -5 "$SYSLOG"; fail "no log line for the missing acr"; }
ok "require_acr refuses a token without acr"

# 4. max_auth_age = 12h: an Okta sign-in of two days ago, then a fresh one.
old=$(( $(date +%s) - 2 * 86400 ))
policy_users "" "$old"
conf "max_auth_age = 12h"
login
expect_out "result auth PAM_AUTH_ERR" "auth_time two days ago"
expect_out "error: This host needs a sign-in within the last 12h: sign out of Okta and sign in again." \
	"old sign-in: the sentence"
ns_log "the ID token's auth_time \"$old\" is [0-9]+ s old, more than max_auth_age 12h" | grep -q . ||
	{ tail -5 "$SYSLOG"; fail "no log line quoting auth_time"; }
policy_users "" ""
login
expect_out "result auth PAM_SUCCESS" "fresh auth_time"
expect_out "result account PAM_SUCCESS" "fresh auth_time: granted"
ok "max_auth_age refuses an old sign-in and passes a fresh one"

# 5. the tool shows how the user signed in; check refuses a bad duration.
policy_users "urn:okta:loa:2fa:any" ""
conf "require_acr = urn:okta:loa:2fa:any"
sed -i 's/^prompt = .*/prompt = poll/' "$ETC/security/pam_okta_groups.conf"
in_ns "$TOOL" login -c "$CONF" alice >"$T/tool.out" 2>&1 </dev/null &
tool=$!
for _ in $(seq 100); do grep -q 'Open:' "$T/tool.out" && break; sleep 0.1; done
url=$(sed -n 's/^ *Open: *//p' "$T/tool.out" | head -1)
[ -n "$url" ] || { cat "$T/tool.out"; fail "no link in the tool's output"; }
node "$IDP/approve.js" --ca "$CA" --user alice --password alice-pw --url "$url" >/dev/null
wait "$tool" || { cat "$T/tool.out"; fail "okta-groups login failed"; }
grep -q '^amr: *pwd, mfa$' "$T/tool.out" || { cat "$T/tool.out"; fail "okta-groups login: no amr line"; }
grep -q '^acr: *urn:okta:loa:2fa:any$' "$T/tool.out" || { cat "$T/tool.out"; fail "okta-groups login: no acr line"; }
grep -Eq '^auth_time: [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z \([0-9]+s ago\)$' "$T/tool.out" ||
	{ cat "$T/tool.out"; fail "okta-groups login: no auth_time line"; }
ok "okta-groups login prints amr, acr and auth_time"

for bad in "12" "12 h" "-1h" "1.5h" "12H" "100d" "h"; do
	conf "max_auth_age = $bad"
	if in_ns "$TOOL" check -c "$CONF" >"$T/out" 2>&1; then
		cat "$T/out"; fail "check took max_auth_age = $bad"
	fi
	expect_out "max_auth_age" "check names the key for '$bad'"
done
ok "check refuses malformed durations"
