#!/bin/bash
# The identity pin end to end: whole PAM stacks (pamrun) against the test
# provider, inside a private mount namespace over a copy of /etc.
#
#   1. alice logs in: her account is pinned to her Okta sub;
#   2. the provider's alice is deleted and recreated (a new sub): her next
#      login is refused in auth with one sentence, a log line naming both
#      subs, and the group files and the ledger unchanged;
#   3. okta-groups users rebind alice clears the pin, and nothing else;
#   4. the new alice logs in and is pinned;
#   5. a ledger from before the pin is pinned to its recorded sub;
#   6. username_claim = email: email_verified false is refused, true passes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ns.sh"

idp_start custom
ns_start
ns_conf MODE=persistent
ns_pam okta "auth     required  $MODULE
account  required  $MODULE"
CONF=/etc/security/pam_okta_groups.conf
LEDGER="$T/state/alice"
SENTENCE="error: This account is bound to a different Okta user; an administrator must run okta-groups users rebind for it."

# pin_users: the provider's users; ALICE_SUB and ALICE_EMAIL_VERIFIED
# (a JSON value, or empty for none) shape alice.
pin_users() {
	local sub="" ev=""
	[ -z "${ALICE_SUB:-}" ] || sub="\"sub\": \"$ALICE_SUB\","
	[ -z "${ALICE_EMAIL_VERIFIED:-}" ] || ev="\"email_verified\": $ALICE_EMAIL_VERIFIED,"
	cat >"$USERS" <<JSON
{
  "alice": {$sub $ev "password": "alice-pw", "email": "alice@example.com",
            "preferred_username": "alice@example.com", "name": "Alice",
            "groups": ["DevTeam", "Organization Admins"], "amr": ["pwd", "mfa"]},
  "bob":   {"password": "bob-pw", "email": "bob@example.com",
            "preferred_username": "bob@example.com", "name": "Bob",
            "groups": ["DevTeam"], "amr": ["pwd"]}
}
JSON
}

# pinned USER: the ledger's pinned_sub as written ("null" when cleared).
pinned() {
	sed -n 's/^ *"pinned_sub": *"\{0,1\}\([^",]*\)"\{0,1\},\{0,1\}$/\1/p' "$T/state/$1"
}

login() {
	PAMRUN_APPROVE=$(approver "$1")
	export PAMRUN_APPROVE
	in_ns "$PAMRUN" /etc/pam.d okta "$1" auth account >"$T/out" 2>&1 || true
}

# 1. alice's first login pins her account to 00u-alice.
pin_users
login alice
expect_out "result auth PAM_SUCCESS" "alice signs in"
expect_out "result account PAM_SUCCESS" "alice is granted"
[ "$(pinned alice)" = "00u-alice" ] || { cat "$LEDGER"; fail "alice's pin: '$(pinned alice)'"; }
[ "$(groups_of alice)" = "adm audio devteam docker localonly wheel" ] ||
	fail "alice's groups: $(groups_of alice)"
ok "alice's first login pins her account to her Okta sub"

# 2. alice is deleted and recreated at the provider: same login, new sub.
ALICE_SUB=00u-alice-recreated pin_users
cp -p "$ETC/group" "$T/group.1"
cp -p "$ETC/gshadow" "$T/gshadow.1"
cp -p "$LEDGER" "$T/ledger.1"
login alice
expect_out "approver: exit 0" "the new alice approved at the provider"
expect_out "result auth PAM_AUTH_ERR" "another sub for a pinned account"
expect_out "$SENTENCE" "the refusal's sentence"
! grep -q "result account" "$T/out" || fail "the account phase ran after a refused auth"
cmp "$T/group.1" "$ETC/group" || fail "a refused login changed /etc/group"
cmp "$T/gshadow.1" "$ETC/gshadow" || fail "a refused login changed /etc/gshadow"
cmp "$T/ledger.1" "$LEDGER" || fail "a refused login changed the ledger"
ns_log 'alice is pinned to Okta sub "00u-alice"; refusing sub "00u-alice-recreated"' | grep -q . ||
	{ tail -5 "$SYSLOG"; fail "no log line naming both subs"; }
ok "a recreated Okta user is refused in auth with one sentence; nothing changed"

# okta-groups login, the same flow: refused with the same sentence.
PROMPT=poll ns_conf MODE=persistent
in_ns "$TOOL" login -c "$CONF" alice >"$T/out" 2>&1 </dev/null &
tool=$!
for _ in $(seq 100); do grep -q 'Open:' "$T/out" && break; sleep 0.1; done
url=$(sed -n 's/^ *Open: *//p' "$T/out" | head -1)
[ -n "$url" ] || { cat "$T/out"; fail "no link in the tool's output"; }
node "$IDP/approve.js" --ca "$CA" --user alice --password alice-pw --url "$url" >/dev/null
rc=0
wait "$tool" || rc=$?
[ "$rc" = 1 ] || { cat "$T/out"; fail "okta-groups login exited $rc for a pinned account"; }
expect_out "bound to a different Okta user" "okta-groups login: the sentence"
cmp "$T/ledger.1" "$LEDGER" || fail "okta-groups login changed the ledger"
ns_conf MODE=persistent
ok "okta-groups login refuses the recreated user too"

# 3. users lists the pin; rebind clears it, and only it.
in_ns "$TOOL" users -c "$CONF" >"$T/out" 2>&1 || { cat "$T/out"; fail "okta-groups users failed"; }
grep -Eq '^alice +00u-alice +[0-9]{4}-' "$T/out" || { cat "$T/out"; fail "users does not list alice's pin"; }
in_ns "$TOOL" users -c "$CONF" rebind alice >"$T/out" 2>&1 || { cat "$T/out"; fail "rebind failed"; }
expect_out "alice: pin to Okta sub 00u-alice cleared" "rebind says what it cleared"
[ "$(pinned alice)" = "null" ] || { cat "$LEDGER"; fail "the pin after rebind: '$(pinned alice)'"; }
diff <(grep -v '"pinned_sub"' "$T/ledger.1") <(grep -v '"pinned_sub"' "$LEDGER") ||
	fail "rebind changed more of the ledger than the pin"
cmp "$T/group.1" "$ETC/group" || fail "rebind changed /etc/group"
[ "$(stat -c %a "$LEDGER")" = 600 ] || fail "the ledger's mode after rebind: $(stat -c %a "$LEDGER")"
ns_log 'users rebind: user=alice pin cleared' | grep -q . || fail "no syslog line for the rebind"
in_ns "$TOOL" users -c "$CONF" >"$T/out" 2>&1
grep -Eq '^alice +- \(not pinned\)' "$T/out" || { cat "$T/out"; fail "users after rebind"; }
rc=0
in_ns "$TOOL" users -c "$CONF" rebind nobody >"$T/out" 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "rebind of a user without a ledger exited $rc"
ok "okta-groups users rebind clears the pin and nothing else"

# 4. the new alice logs in, and her account is pinned to her.
login alice
expect_out "result auth PAM_SUCCESS" "the new alice after the rebind"
expect_out "result account PAM_SUCCESS" "the new alice is granted"
[ "$(pinned alice)" = "00u-alice-recreated" ] || { cat "$LEDGER"; fail "the new pin: '$(pinned alice)'"; }
grep -q '"sub": "00u-alice-recreated"' "$LEDGER" || fail "the ledger's sub after the new login"
ok "after the rebind the new Okta user signs in and is pinned"

# 5. a ledger written before the pin existed: pinned to its recorded sub.
cat >"$T/state/bob" <<'L'
{ "version": 1, "user": "bob", "when": 1700000000, "sub": "00u-bob-before", "managed": [ ] }
L
chmod 600 "$T/state/bob"
cp -p "$T/state/bob" "$T/ledger.bob"
login bob
expect_out "result auth PAM_AUTH_ERR" "an old ledger with another sub"
expect_out "$SENTENCE" "old ledger: the sentence"
cmp "$T/ledger.bob" "$T/state/bob" || fail "the refusal rewrote bob's old ledger"
sed -i 's/00u-bob-before/00u-bob/' "$T/state/bob"
login bob
expect_out "result account PAM_SUCCESS" "an old ledger with the same sub"
[ "$(pinned bob)" = "00u-bob" ] || { cat "$T/state/bob"; fail "bob's pin: '$(pinned bob)'"; }
ok "a ledger from before the pin is pinned to its recorded sub"

# 6. username_claim = email: the address must be verified.
sed -i 's/^username_claim = .*/username_claim = email/' "$ETC/security/pam_okta_groups.conf"
ALICE_SUB=00u-alice-recreated ALICE_EMAIL_VERIFIED=false pin_users
cp -p "$LEDGER" "$T/ledger.6"
login alice
expect_out "result auth PAM_AUTH_ERR" "email_verified false"
expect_out "error: The identity provider's answer could not be verified." "email_verified: the sentence"
ns_log "email_verified claim is false" | grep -q . || { tail -5 "$SYSLOG"; fail "no log line naming email_verified"; }
cmp "$T/ledger.6" "$LEDGER" || fail "an unverified address changed the ledger"
ALICE_SUB=00u-alice-recreated pin_users
login alice
expect_out "result auth PAM_AUTH_ERR" "email_verified absent"
ns_log "no email_verified claim" | grep -q . || fail "no log line for the absent email_verified"
ALICE_SUB=00u-alice-recreated ALICE_EMAIL_VERIFIED=true pin_users
login alice
expect_out "result auth PAM_SUCCESS" "email_verified true"
expect_out "result account PAM_SUCCESS" "email_verified true: granted"
ok "username_claim = email: an unverified address is refused, a verified one signs in"

echo "$checks passed, 0 failed"
