#!/bin/bash
# Which logins the module handles, and session mode across processes, in a
# private mount namespace over a copy of /etc, against the test provider:
#
#   1. a service not in services, and a user in local_users, get
#      PAM_IGNORE: no prompt, no request to the provider, and the rest of
#      the stack decides;
#   2. a name with no local account is refused before any request;
#   3. a user name that holds a newline cannot forge a log line;
#   4. PAM_SILENT: no failure sentence reaches the user;
#   5. a second pam_authenticate on the same handle does not inherit the
#      first one's identity;
#   6. session mode the way sshd runs it (auth and account in a child,
#      setcred in the parent): two logins of one user at once both get
#      their groups;
#   7. ... and so does a user whom no binding grants anything, with
#      on_no_binding = allow;
#   8. ... and an IdP group name that is not ASCII grants its role.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ns.sh"

idp_start custom
ns_start
CONF="$ETC/security/pam_okta_groups.conf"
ns_pam okta "auth     required  $MODULE
auth     required  pam_permit.so
account  required  $MODULE
account  required  pam_permit.so"

run() { in_ns "$PAMRUN" /etc/pam.d "$@" >"$T/out" 2>&1 || true; }
no_prompt() {
	! grep -q 'Open:' "$T/out" || { cat "$T/out"; fail "$1: the module showed a sign-in prompt"; }
}

# 1. services and local_users.
ns_conf MODE=none
conf_set "$CONF" login "services = sshd login"
PAMRUN_APPROVE=$(approver alice)
export PAMRUN_APPROVE
before=$(idp_device_requests)
run okta alice auth account
expect_out "result auth PAM_SUCCESS" "service okta is not in services: pam_permit decides"
expect_out "result account PAM_SUCCESS" "account of a service not in services"
no_prompt "a service not in services"
ns_conf MODE=none
conf_set "$CONF" login "local_users = root alice"
run okta alice auth account
expect_out "result auth PAM_SUCCESS" "alice is in local_users"
no_prompt "a user in local_users"
ns_conf MODE=none
run okta root auth account
expect_out "result auth PAM_SUCCESS" "root is in the default local_users"
no_prompt "root"
after=$(idp_device_requests)
[ "$before" = "$after" ] || fail "ignored logins made $((after - before)) device requests"
ns_conf MODE=none
conf_set "$CONF" login "services = sshd okta"
run okta alice auth account
expect_out "Open:" "a service in services signs in"
expect_out "result auth PAM_SUCCESS" "alice signs in through service okta"
ok "services and local_users: PAM_IGNORE with no request; a listed service signs in"

# 2. no local account: refused before any request to the provider.
ns_conf MODE=none
before=$(idp_device_requests)
run okta nosuchuser auth
expect_out "result auth PAM_USER_UNKNOWN" "a name with no account"
no_prompt "a name with no account"
after=$(idp_device_requests)
[ "$before" = "$after" ] || fail "a name with no account made $((after - before)) device requests"
ok "a name with no local account: PAM_USER_UNKNOWN, no device request"

# 3. a newline in the user name: every log line stays one line, quoted.
: >"$SYSLOG"
run okta $'bob\naudit: user=root result="granted"' auth
expect_out "result auth PAM_USER_UNKNOWN" "a user name with a newline"
sleep 0.2
if grep -E '^[^ ]' "$SYSLOG" | grep -v 'pam_okta_groups' | grep -q 'user=root'; then
	cat "$SYSLOG"
	fail "a forged log line"
fi
grep -q 'user="bob\\x0aaudit: user=root result=\\"granted\\""' "$SYSLOG" ||
	{ cat "$SYSLOG"; fail "the user name is not quoted and escaped in the log"; }
ok "a user name with a newline is logged as one escaped, quoted value"

# 4. PAM_SILENT: the refusal is logged but not told.
PAMRUN_SILENT=1 in_ns "$PAMRUN" /etc/pam.d okta nosuchuser auth >"$T/out" 2>&1 || true
expect_out "result auth PAM_USER_UNKNOWN" "silent refusal"
! grep -q '^error:' "$T/out" || { cat "$T/out"; fail "PAM_SILENT: a sentence reached the user"; }
ok "PAM_SILENT: no sentence to the user"

# 5. two pam_authenticate calls on one handle: the first approved, the
# second cancelled (no Enter left); account must not find the first one's
# identity.
ns_conf MODE=none
PAMRUN_APPROVE="$(approver alice)" PAMRUN_ENTERS=1 PAMRUN_KEEP_GOING=1 \
	in_ns "$PAMRUN" /etc/pam.d okta alice auth auth account >"$T/out" 2>&1 || true
[ "$(grep '^result auth' "$T/out" | sed -n 1p)" = "result auth PAM_SUCCESS" ] ||
	{ cat "$T/out"; fail "the first auth should succeed"; }
second=$(grep '^result auth' "$T/out" | sed -n 2p)
[ -n "$second" ] && [ "$second" != "result auth PAM_SUCCESS" ] ||
	{ cat "$T/out"; fail "the second auth should fail (it got no Enter)"; }
expect_out "result account PAM_PERM_DENIED" "account after a failed second auth"
ok "a failed second pam_authenticate leaves no identity for account ($second)"

# 6. session mode, sshd's way, two logins of alice at once.
ns_conf MODE=session
PAMRUN_APPROVE=$(approver alice)
export PAMRUN_APPROVE
rm -f "$T/a.ready" "$T/b.ready" "$T/go"
in_ns "$PAMRUN" /etc/pam.d okta alice split "touch:$T/a.ready" "wait:$T/go" setcred >"$T/a.out" 2>&1 &
pa=$!
in_ns "$PAMRUN" /etc/pam.d okta alice split "touch:$T/b.ready" "wait:$T/go" setcred >"$T/b.out" 2>&1 &
pb=$!
for _ in $(seq 600); do
	[ -f "$T/a.ready" ] && [ -f "$T/b.ready" ] && break
	kill -0 "$pa" 2>/dev/null || kill -0 "$pb" 2>/dev/null || break
	sleep 0.1
done
touch "$T/go"
wait "$pa" || true
wait "$pb" || true
for x in a b; do
	grep -q '^result setcred PAM_SUCCESS' "$T/$x.out" ||
		{ cat "$T/$x.out"; ns_log 'session mode'; fail "concurrent login $x: setcred failed"; }
	pg=$(sed -n 's/^groups: *//p' "$T/$x.out")
	for g in wheel adm devteam docker; do
		echo " $pg " | grep -q " $g " || fail "concurrent login $x: $g missing from [$pg]"
	done
done
ok "session mode, sshd's way: two logins of alice at once both get their groups"

# 7. no binding, on_no_binding = allow: setcred succeeds with no groups.
ns_conf MODE=session ON_NO_BINDING=allow
PAMRUN_APPROVE=$(approver carol)
export PAMRUN_APPROVE
run okta carol split setcred
expect_out "result setcred PAM_SUCCESS" "carol, allowed with no binding, over sshd's split"
ok "no binding and on_no_binding = allow: setcred succeeds in the parent"

# 8. an IdP group that is not ASCII, bound to a role.
ns_conf MODE=session
conf_set "$CONF" bindings "équipe = developer"
ALICE_GROUPS='["équipe"]' write_users
PAMRUN_APPROVE=$(approver alice)
export PAMRUN_APPROVE
run okta alice split setcred
expect_out "result setcred PAM_SUCCESS" "équipe over sshd's split"
pg=$(sed -n 's/^groups: *//p' "$T/out")
for g in devteam docker; do
	echo " $pg " | grep -q " $g " || { cat "$T/out"; fail "équipe: $g missing from [$pg]"; }
done
ok "a non-ASCII IdP group grants its role in session mode over sshd's split: [$pg]"

echo "$checks passed, 0 failed"
