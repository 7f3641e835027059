#!/bin/bash
# selftest.sh - checks the test identity provider end to end with curl and approve.js, in both
# styles. Needs curl. Prints each check and ends with "N passed, N failed"; exits 1 on a failure.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/idp-selftest.XXXXXX)
PASS=0
FAIL=0
GRANT=urn:ietf:params:oauth:grant-type:device_code
SCOPE="openid profile email groups"
DIRS=()
PIDS=()

cleanup() {
    for d in "${DIRS[@]}"; do "$HERE/stop.sh" "$d"; done
    rm -rf "$WORK"
}
trap cleanup EXIT

ok() { PASS=$((PASS + 1)); echo "ok   - $*"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
# jget JSON EXPR: evaluate a JS expression on the parsed JSON j.
jget() { node -e 'const j = JSON.parse(process.argv[1]); const v = eval(process.argv[2]); console.log(typeof v === "string" ? v : JSON.stringify(v))' "$1" "$2"; }
# payload JWT: the decoded payload of a JWT.
payload() { node -e 'console.log(Buffer.from(process.argv[1].split(".")[1], "base64url").toString())' "$1"; }

# start NAME [IDP_VAR=value ...]: start a provider in $WORK/NAME; sets D, B (issuer), CA, V1.
start() {
    D=$WORK/$1; shift
    DIRS+=("$D")
    mkdir -p "$D"
    [ -f "$D/users.json" ] || cp "$WORK/users.json" "$D/users.json"
    "$HERE/stop.sh" "$D"
    "$HERE/start.sh" "$D" IDP_USERS="$D/users.json" "$@" >/dev/null || { bad "start $*"; exit 1; }
    PIDS+=("$(cat "$D/pid")")
    B=$(cat "$D/issuer")
    CA=$D/ca.crt
    DISCO=$(curl -sS --cacert "$CA" "$B/.well-known/openid-configuration")
}
ep() { jget "$DISCO" "j.$1"; }
authorize() { curl -sS --cacert "$CA" -d client_id=pog-public -d scope="$SCOPE" "$(ep device_authorization_endpoint)"; }
poll() { curl -sS --cacert "$CA" -d client_id=pog-public -d grant_type=$GRANT -d device_code="$1" "$(ep token_endpoint)"; }
approve() { node "$HERE/approve.js" --ca "$CA" "$@"; }

cat >"$WORK/users.json" <<'EOF'
{"alice": {"password": "pw", "email": "alice@example.com", "preferred_username": "alice@example.com",
           "name": "Alice", "groups": ["DevTeam", "Organization Admins"], "amr": ["pwd", "mfa"]},
 "bob": {"password": "pw2", "email": "bob@example.com", "preferred_username": "bob@example.com",
         "name": "Bob", "groups": ["Everyone"], "amr": ["pwd"]}}
EOF

for STYLE in custom org; do
    echo "=== IDP_STYLE=$STYLE"
    start "$STYLE" IDP_STYLE=$STYLE
    PORT=$(cat "$D/port")
    if [ $STYLE = custom ]; then P=/oauth2/default/v1; ISS=https://127.0.0.1:$PORT/oauth2/default
    else P=/oauth2/v1; ISS=https://127.0.0.1:$PORT; fi
    echo "discovery $B/.well-known/openid-configuration:"
    jget "$DISCO" '({issuer: j.issuer, device_authorization_endpoint: j.device_authorization_endpoint, token_endpoint: j.token_endpoint, jwks_uri: j.jwks_uri, userinfo_endpoint: j.userinfo_endpoint, id_token_signing_alg_values_supported: j.id_token_signing_alg_values_supported})'
    check "issuer is $ISS" [ "$(ep issuer)" = "$ISS" ]
    check "endpoints under $P" [ "$(ep device_authorization_endpoint) $(ep token_endpoint) $(ep jwks_uri) $(ep userinfo_endpoint)" = \
        "https://127.0.0.1:$PORT$P/device/authorize https://127.0.0.1:$PORT$P/token https://127.0.0.1:$PORT$P/keys https://127.0.0.1:$PORT$P/userinfo" ]
    check "discovery has Cache-Control: max-age=300" bash -c "curl -sSI --cacert '$CA' '$B/.well-known/openid-configuration' | grep -qi '^cache-control: max-age=300'"
    check "keys has Cache-Control: max-age=300" bash -c "curl -sSI --cacert '$CA' '$(ep jwks_uri)' | grep -qi '^cache-control: max-age=300'"
    check "untrusted-ca.crt is refused" bash -c "! curl -sS --cacert '$D/untrusted-ca.crt' '$B/.well-known/openid-configuration' 2>/dev/null"

    R=$(authorize); echo "device/authorize: $R"
    DC=$(jget "$R" j.device_code); UC=$(jget "$R" j.user_code); URI=$(jget "$R" j.verification_uri)
    check "interval 1, expires_in 600" [ "$(jget "$R" '[j.interval, j.expires_in]')" = "[1,600]" ]
    check "verification_uri_complete is $ISS/activate?user_code=$UC" [ "$(jget "$R" j.verification_uri_complete)" = "$ISS/activate?user_code=$UC" ]
    T=$(poll "$DC"); echo "poll: $T"
    check "authorization_pending" [ "$(jget "$T" j.error)" = authorization_pending ]
    echo "approve: $(approve --url "$URI" --code "$UC" --user alice --password pw 2>&1)"
    sleep 1
    T=$(poll "$DC"); IDT=$(jget "$T" j.id_token); AT=$(jget "$T" j.access_token)
    PL=$(payload "$IDT"); echo "id_token payload: $PL"
    echo "id_token header: $(node -e 'console.log(Buffer.from(process.argv[1].split(".")[0], "base64url").toString())' "$IDT")"
    check "sub 00u-alice, aud pog-public, iss, amr" [ "$(jget "$PL" '[j.sub, j.aud, j.iss, j.amr.join(), j.preferred_username]')" = "[\"00u-alice\",\"pog-public\",\"$ISS\",\"pwd,mfa\",\"alice@example.com\"]" ]
    if [ $STYLE = custom ]; then
        check "groups in the ID token" [ "$(jget "$PL" j.groups)" = '["DevTeam","Organization Admins"]' ]
    else
        check "no groups in the ID token" [ "$(jget "$PL" '"groups" in j')" = false ]
    fi
    UI=$(curl -sS --cacert "$CA" -H "Authorization: Bearer $AT" "$(ep userinfo_endpoint)"); echo "userinfo: $UI"
    check "groups in userinfo" [ "$(jget "$UI" j.groups)" = '["DevTeam","Organization Admins"]' ]
    T=$(poll "$DC"); echo "poll again: $T"
    check "code used twice: invalid_grant" [ "$(jget "$T" j.error)" = invalid_grant ]
    KID=$(jget "$(curl -sS --cacert "$CA" "$(ep jwks_uri)")" 'j.keys[0].kid')
    [ $STYLE = custom ] && KID_custom=$KID
    check "ID token kid is in the JWKS" [ "$(jget "$(node -e 'console.log(Buffer.from(process.argv[1].split(".")[0], "base64url").toString())' "$IDT")" j.kid)" = "$KID" ]

    R=$(authorize); DC=$(jget "$R" j.device_code)
    echo "approve --deny: $(approve --url "$(jget "$R" j.verification_uri_complete)" --user alice --password pw --deny 2>&1)"
    sleep 1; T=$(poll "$DC"); echo "poll: $T"
    check "deny: access_denied" [ "$(jget "$T" j.error)" = access_denied ]

    R=$(authorize); DC=$(jget "$R" j.device_code); U=$(jget "$R" j.verification_uri_complete)
    OUT=$(approve --url "$U" --user alice --password wrong 2>&1); RC=$?; echo "wrong password: rc=$RC $OUT"
    check "wrong password refused (exit 4)" [ $RC = 4 ]
    T=$(poll "$DC"); check "still pending after the failed login" [ "$(jget "$T" j.error)" = authorization_pending ]
    OUT=$(approve --url "$U" --user alice --password pw 2>&1); RC=$?; echo "same code again in a new run: rc=$RC $OUT"
    check "code in flight cannot be entered again (exit 3)" [ $RC = 3 ]
    R=$(authorize); DC=$(jget "$R" j.device_code)
    OUT=$(approve --url "$(jget "$R" j.verification_uri_complete)" --user mallory --password pw 2>&1); RC=$?; echo "unknown user: rc=$RC $OUT"
    check "unknown user refused (exit 4)" [ $RC = 4 ]
    OUT=$(approve --url "$URI" --code BCDF-GHJK --user alice --password pw 2>&1); RC=$?; echo "bad user code: rc=$RC $OUT"
    check "bad user code refused (exit 3)" [ $RC = 3 ]
    R=$(authorize); DC=$(jget "$R" j.device_code)
    OUT=$(approve --url "$(jget "$R" j.verification_uri_complete)" --user alice --password typo --password pw 2>&1); RC=$?
    echo "typo, then the right password: rc=$RC $OUT"
    sleep 1; T=$(poll "$DC")
    check "second password accepted, token issued" [ "$RC $(jget "$T" 'typeof j.id_token')" = "0 string" ]

    # the confidential client
    R=$(curl -sS --cacert "$CA" -u pog-confidential:pog-secret-123 -d scope="$SCOPE" "$(ep device_authorization_endpoint)")
    DC=$(jget "$R" j.device_code)
    approve --url "$(jget "$R" j.verification_uri_complete)" --user bob --password pw2 >/dev/null 2>&1
    sleep 1
    T=$(curl -sS --cacert "$CA" -u pog-confidential:pog-secret-123 -d grant_type=$GRANT -d device_code="$DC" "$(ep token_endpoint)")
    check "confidential client gets bob's ID token" [ "$(jget "$(payload "$(jget "$T" j.id_token)")" '[j.sub, j.aud]')" = '["00u-bob","pog-confidential"]' ]
    T=$(curl -sS --cacert "$CA" -u pog-confidential:nope -d scope=openid "$(ep device_authorization_endpoint)"); echo "wrong secret: $T"
    check "wrong secret: invalid_client" [ "$(jget "$T" j.error)" = invalid_client ]

    curl -sS --cacert "$CA" -X POST "https://127.0.0.1:$PORT/__test/reset" >/dev/null
    curl -sS --cacert "$CA" "$B/.well-known/openid-configuration" >/dev/null
    curl -sS --cacert "$CA" "$(ep jwks_uri)" >/dev/null
    curl -sS --cacert "$CA" "$(ep jwks_uri)" >/dev/null
    S=$(curl -sS --cacert "$CA" "https://127.0.0.1:$PORT/__test/stats"); echo "stats: $S"
    check "stats count per path" [ "$(jget "$S" "[j['${B#"https://127.0.0.1:$PORT"}/.well-known/openid-configuration'], j['$P/keys']]")" = "[1,2]" ]
    check "idp.log has method, path, status" grep -q " GET $P/keys 200\$" "$D/idp.log"
done

echo "=== users file rewritten between logins (custom, restarted: same signing key)"
start custom IDP_STYLE=custom
check "same kid after restart" [ "$(jget "$(curl -sS --cacert "$CA" "$(ep jwks_uri)")" 'j.keys[0].kid')" = "$KID_custom" ]
node -e 'const f = process.argv[1]; const u = JSON.parse(require("fs").readFileSync(f)); u.alice.groups = ["NewGroup"]; require("fs").writeFileSync(f, JSON.stringify(u))' "$D/users.json"
R=$(authorize); DC=$(jget "$R" j.device_code)
approve --url "$(jget "$R" j.verification_uri_complete)" --user alice --password pw >/dev/null 2>&1
sleep 1; PL=$(payload "$(jget "$(poll "$DC")" j.id_token)"); echo "groups now: $(jget "$PL" j.groups)"
check "new groups in the next token" [ "$(jget "$PL" j.groups)" = '["NewGroup"]' ]

echo "=== polling too fast gets slow_down"
R=$(authorize); DC=$(jget "$R" j.device_code)
T1=$(poll "$DC"); T2=$(poll "$DC"); echo "1st: $T1"; echo "2nd (at once): $T2"
check "second quick poll: slow_down" [ "$(jget "$T1" j.error) $(jget "$T2" j.error)" = "authorization_pending slow_down" ]
sleep 4.5; T3=$(poll "$DC"); echo "after 4.5 s (interval now 6): $T3"
check "still too fast after slow_down (+5 s): slow_down" [ "$(jget "$T3" j.error)" = slow_down ]
sleep 11; T4=$(poll "$DC"); echo "after 11 s (interval now 11): $T4"
check "polling at the new interval: authorization_pending" [ "$(jget "$T4" j.error)" = authorization_pending ]

echo "=== stop.sh stops the server"
PID=$(cat "$D/pid"); "$HERE/stop.sh" "$D"
check "pid $PID is gone, pid file removed" bash -c "! kill -0 $PID 2>/dev/null && [ ! -e '$D/pid' ]"

echo "=== IDP_SLOW_DOWN=2, IDP_INTERVAL=2"
start slow IDP_SLOW_DOWN=2 IDP_INTERVAL=2
R=$(authorize); DC=$(jget "$R" j.device_code); echo "interval: $(jget "$R" j.interval)"
check "interval 2" [ "$(jget "$R" j.interval)" = 2 ]
E1=$(jget "$(poll "$DC")" j.error); sleep 7.1; E2=$(jget "$(poll "$DC")" j.error); sleep 12.1; E3=$(jget "$(poll "$DC")" j.error)
echo "polls at 0, +7, +12 s: $E1 $E2 $E3"
check "first two polls slow_down, then pending" [ "$E1 $E2 $E3" = "slow_down slow_down authorization_pending" ]

echo "=== IDP_TOKEN_429=1"
start r429 IDP_TOKEN_429=1 IDP_RETRY_AFTER=3
R=$(authorize); DC=$(jget "$R" j.device_code)
H=$(curl -sS -i --cacert "$CA" -d client_id=pog-public -d grant_type=$GRANT -d device_code="$DC" "$(ep token_endpoint)" | tr -d '\r')
echo "$H" | grep -Ei '^HTTP|^retry-after|^\{'
is429() { grep -q '^HTTP/1.1 429' <<<"$H" && grep -qi '^retry-after: 3$' <<<"$H"; }
check "first poll: 429 with Retry-After: 3" is429
sleep 3.1; T=$(poll "$DC"); echo "after 3.1 s: $T"
check "then authorization_pending" [ "$(jget "$T" j.error)" = authorization_pending ]

echo "=== IDP_DEVICE_TTL=3"
start ttl IDP_DEVICE_TTL=3
R=$(authorize); DC=$(jget "$R" j.device_code); echo "expires_in: $(jget "$R" j.expires_in)"
sleep 4; T=$(poll "$DC"); echo "poll after 4 s: $T"
check "expired_token" [ "$(jget "$T" j.error)" = expired_token ]
OUT=$(approve --url "$(jget "$R" j.verification_uri_complete)" --user alice --password pw 2>&1); RC=$?; echo "approve: rc=$RC $OUT"
check "approving an expired code fails (exit 3)" [ $RC = 3 ]

echo "=== stop.sh"
for d in "${DIRS[@]}"; do "$HERE/stop.sh" "$d"; done
alive() { for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null && return 0; done; return 1; }
none_alive() { ! alive; }
check "none of the ${#PIDS[@]} servers started is left" none_alive

echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
