#!/bin/bash
# The auth phase through a real PAM stack (pam_start_confdir) against the
# Okta-shaped test provider over HTTPS: approve, deny, another account,
# expiry, a confidential client, userinfo-only groups, a provider that
# never answers, and broken settings.
. "$(dirname "$0")/lib.sh"

idp_start custom
pam_service okta
write_conf "$T/pam_okta_groups.conf"

# 1. alice approves: success, and the prompt names the host and the code.
PAMRUN_APPROVE=$(approver alice)
export PAMRUN_APPROVE
pamrun okta alice auth || true
expect_out "result auth PAM_SUCCESS" "alice approves"
expect_out "on $(hostname)" "the prompt names the host"
expect_out "Code:  [A-Z0-9-]" "the prompt shows the user code"
expect_out "approver: exit 0" "the approver confirmed through the provider's pages"
ok "approved sign-in succeeds"

# 2. the user aborts at the provider: PAM_AUTH_ERR with a plain sentence.
PAMRUN_APPROVE=$(approver alice --deny)
export PAMRUN_APPROVE
pamrun okta alice auth || true
expect_out "result auth PAM_AUTH_ERR" "denied"
expect_out "error: The sign-in was denied." "denied: one plain sentence"
ok "denied sign-in fails with PAM_AUTH_ERR"

# 3. bob approves a code shown to alice's login: never alice.
PAMRUN_APPROVE=$(approver bob)
export PAMRUN_APPROVE
pamrun okta alice auth || true
expect_out "approver: exit 0" "bob's approval went through"
expect_out "result auth PAM_AUTH_ERR" "approval by another account"
expect_out "error: The Okta account that approved this sign-in may not log in to this account." "another account: plain sentence"
ok "approval by another account fails"

# 4. nobody approves and the code expires: poll mode, a 3 s code.
idp_start short IDP_DEVICE_TTL=3
PROMPT=poll write_conf "$T/pam_okta_groups.conf"
unset PAMRUN_APPROVE
start=$(date +%s)
pamrun okta alice auth || true
elapsed=$(( $(date +%s) - start ))
expect_out "result auth PAM_AUTH_ERR" "expired code"
expect_out "error: The sign-in code expired before it was approved." "expired: plain sentence"
expect_out "^info: " "poll mode shows the text as info"
expect_out "^Okta sign-in for alice on" "poll mode shows the text as info"
[ "$elapsed" -le 12 ] || fail "expiry took ${elapsed}s"
"$TOOL" login -v -c "$T/pam_okta_groups.conf" alice >"$T/out" 2>&1 </dev/null || true
# The module's deadline or the provider's expired_token, whichever comes
# first: both name the code's limit, never the host's.
grep -qE "no approval before the code's expires_in \(3 s\) ran out|the device code expired \(expired_token\)" "$T/out" ||
	{ cat "$T/out"; fail "the log does not name the code's limit"; }
! grep -q approval_timeout "$T/out" || { cat "$T/out"; fail "the code's expiry blamed on approval_timeout"; }
expect_out "The sign-in code expired before it was approved." "the tool says the code expired"
ok "expired code fails in ${elapsed}s, and the log says the code's expires_in ended the wait"

# 4b. the host's approval_timeout ends the wait while the code has 590 s
# left: the user and the log are told so, not that the code expired.
idp_start long
APPROVAL_TIMEOUT=10 PROMPT=poll write_conf "$T/pam_okta_groups.conf"
S_HOST_LIMIT="The sign-in was not approved in the time this host allows (approval_timeout); try again."
start=$(date +%s)
pamrun okta alice auth || true
elapsed=$(( $(date +%s) - start ))
expect_out "result auth PAM_AUTH_ERR" "host limit"
expect_out "error: $S_HOST_LIMIT" "host limit: its own sentence"
! grep -q "code expired" "$T/out" || fail "the host's limit was told as an expired code"
[ "$elapsed" -le 16 ] || fail "approval_timeout = 10 took ${elapsed}s"
"$TOOL" login -v -c "$T/pam_okta_groups.conf" alice >"$T/out" 2>&1 </dev/null || true
expect_out "no approval within approval_timeout (10 s), after [0-9]* s; the code had 59[0-9] s of its expires_in left" \
	"the log names the host's limit and the code's time left"
expect_out "$S_HOST_LIMIT" "the tool tells the host's limit"
ok "approval_timeout ends the wait in ${elapsed}s, and says so to the user and the log"

# 4c. a genuine token without the username claim: the host is set up
# wrong, so the user reads the config sentence, and the log names the
# claim and the scopes asked for.
write_conf "$T/pam_okta_groups.conf"
sed -i 's/^username_claim = .*/username_claim = nosuchclaim/' "$T/pam_okta_groups.conf"
PAMRUN_APPROVE="$(approver alice)"
export PAMRUN_APPROVE
pamrun okta alice auth || true
expect_out "result auth PAM_SERVICE_ERR" "missing username claim"
expect_out "error: Okta sign-in is not set up correctly on this host" "missing username claim: the config sentence"
! grep -q "could not be verified" "$T/out" || fail "a missing claim was told as an unverifiable answer"
PROMPT=poll write_conf "$T/pam_okta_groups.conf"
sed -i 's/^username_claim = .*/username_claim = nosuchclaim/' "$T/pam_okta_groups.conf"
"$TOOL" login -v -c "$T/pam_okta_groups.conf" alice >"$T/out" 2>&1 </dev/null &
tool=$!
for _ in $(seq 100); do grep -q 'Open:' "$T/out" && break; sleep 0.1; done
url=$(sed -n 's/^ *Open: *//p' "$T/out" | head -1)
[ -n "$url" ] || { cat "$T/out"; fail "no link in the tool's output"; }
$(approver alice) "$url" >/dev/null || fail "the approver failed"
wait "$tool" || true
expect_out "has no nosuchclaim claim; check username_claim = nosuchclaim and the scopes asked for (openid profile email groups)" \
	"the log names the claim and the scopes"
expect_out "Okta sign-in is not set up correctly on this host" "the tool tells the config sentence"
unset PAMRUN_APPROVE
ok "a token without the username claim is a config error, logged with the claim and scopes"

# 5. a confidential client, with its secret in a 0600 file.
idp_start conf
printf 'pog-secret-123\n' >"$T/okta.secret"
chmod 600 "$T/okta.secret"
CLIENT_ID=pog-confidential CLIENT_SECRET_LINE="client_secret_file = $T/okta.secret" \
	write_conf "$T/pam_okta_groups.conf"
PAMRUN_APPROVE=$(approver alice)
export PAMRUN_APPROVE
pamrun okta alice auth || true
expect_out "result auth PAM_SUCCESS" "confidential client"
ok "confidential client succeeds"

# ... and a wrong secret is a configuration problem, not a user's failure.
printf 'wrong-secret\n' >"$T/okta.secret"
pamrun okta alice auth || true
expect_out "result auth PAM_SERVICE_ERR" "wrong client secret"
ok "wrong client secret fails with PAM_SERVICE_ERR"

# 6. the org server's thin ID token: the groups come from userinfo.
idp_start org IDP_STYLE=org
write_conf "$T/pam_okta_groups.conf"
PAMRUN_APPROVE=$(approver alice)
export PAMRUN_APPROVE
pamrun okta alice auth || true
expect_out "result auth PAM_SUCCESS" "org style"
grep -q 'GET /oauth2/v1/userinfo 200' "$IDP_STATE/idp.log" ||
	fail "userinfo was not called for the org server's thin token"
ok "org-server login reads the groups from userinfo"

# 7. a provider that accepts connections and never answers.
node -e '
const s = require("net").createServer(() => {});
s.listen(0, "127.0.0.1", () => { require("fs").writeFileSync(process.argv[1], String(s.address().port)); });
' "$T/blackhole.port" &
bh=$!
for _ in $(seq 50); do [ -s "$T/blackhole.port" ] && break; sleep 0.1; done
ISSUER="https://127.0.0.1:$(cat "$T/blackhole.port")/oauth2/default" HTTP_TIMEOUT=2 \
	write_conf "$T/pam_okta_groups.conf"
start=$(date +%s)
pamrun okta alice auth || true
elapsed=$(( $(date +%s) - start ))
kill "$bh" 2>/dev/null || true
expect_out "result auth PAM_AUTHINFO_UNAVAIL" "provider never answers"
expect_out "error: The identity provider cannot be reached" "unreachable: plain sentence"
[ "$elapsed" -le 5 ] || fail "the unreachable provider took ${elapsed}s with http_timeout = 2"
ok "unreachable provider: PAM_AUTHINFO_UNAVAIL in ${elapsed}s (http_timeout 2)"

# 8. broken settings fail closed with PAM_SERVICE_ERR.
write_conf "$T/pam_okta_groups.conf"
pam_service okta bogus_option
pamrun okta alice auth || true
expect_out "result auth PAM_SERVICE_ERR" "unknown module argument"
pam_service okta
printf '[okta]\nnot_a_key = 1\n' >>"$T/pam_okta_groups.conf"
pamrun okta alice auth || true
expect_out "result auth PAM_SERVICE_ERR" "unknown config key"
write_conf "$T/pam_okta_groups.conf"
chmod 666 "$T/pam_okta_groups.conf"
pamrun okta alice auth || true
expect_out "result auth PAM_SERVICE_ERR" "world-writable config"
ok "broken settings fail closed with PAM_SERVICE_ERR"

echo "$checks passed, 0 failed"
