#!/bin/bash
# okta-groups against the test provider: check explains what is wrong,
# login prints the identity and the plan without changing files unless
# --apply, explain needs no network.
. "$(dirname "$0")/lib.sh"

idp_start custom
# A group file of our own: the tool must only read it without --apply.
cat >"$T/group" <<'G'
root:x:0:
wheel:x:10:
adm:x:4:
devteam:x:2000:
docker:x:2001:
G
cat >"$T/gshadow" <<'G'
root:*::
wheel:!::
adm:!::
devteam:!::
docker:!::
G
write_conf "$T/pam_okta_groups.conf"

# check: everything in order.
"$TOOL" check -c "$T/pam_okta_groups.conf" >"$T/out" 2>&1 || { cat "$T/out"; fail "check failed"; }
expect_out "discovery: ok" "check fetched discovery"
expect_out "jwks: ok" "check fetched the keys"
expect_out "device authorization: ok" "check tried the device grant"
ok "okta-groups check passes against a working provider"

# check: an unknown client is explained in plain words, exit 1.
CLIENT_ID=no-such-client write_conf "$T/bad.conf"
rc=0
"$TOOL" check -c "$T/bad.conf" >"$T/out" 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "check exited $rc for an unknown client"
expect_out "invalid_client" "the error code is named"
expect_out "check client_id" "the fix is named"
ok "okta-groups check explains invalid_client"

# check: a broken config names the file, line and key.
printf '[okta]\nhttp_timeout = 500\n' >"$T/broken.conf"
chmod 644 "$T/broken.conf"
rc=0
"$TOOL" check -c "$T/broken.conf" >"$T/out" 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "check exited $rc for a broken config"
expect_out "broken.conf:2: \[okta\] http_timeout" "file, line and key"
ok "okta-groups check reports a broken config with file, line and key"

# explain: no network, the plan for given groups.
"$TOOL" explain -c "$T/pam_okta_groups.conf" root DevTeam "Organization Admins" >"$T/out" 2>&1 ||
	{ cat "$T/out"; fail "explain failed"; }
expect_out "devteam" "explain shows the developer role's group"
expect_out "wheel" "explain shows the admin role's group"
ok "okta-groups explain shows the plan"

# -c works in any position, for every command; a command stays unknown.
"$TOOL" -c "$T/pam_okta_groups.conf" explain root DevTeam >"$T/out.first" 2>&1 ||
	{ cat "$T/out.first"; fail "explain with -c before the command failed"; }
"$TOOL" explain root DevTeam --config="$T/pam_okta_groups.conf" >"$T/out.last" 2>&1 ||
	{ cat "$T/out.last"; fail "explain with --config= last failed"; }
cmp -s "$T/out.first" "$T/out.last" || { diff "$T/out.first" "$T/out.last"; fail "-c first and last differ"; }
grep -q devteam "$T/out.first" || { cat "$T/out.first"; fail "explain with -c first shows no plan"; }
"$TOOL" status USER-X -c "$T/pam_okta_groups.conf" >"$T/out" 2>&1 || true
! grep -q 'pam_okta_groups.conf: ' "$T/out" || { cat "$T/out"; fail "status did not take -c after its arguments"; }
rc=0
"$TOOL" -c "$T/pam_okta_groups.conf" frobnicate >"$T/out" 2>&1 || rc=$?
[ "$rc" = 2 ] && grep -q 'unknown command: frobnicate' "$T/out" ||
	{ cat "$T/out"; fail "an unknown command: exit $rc"; }
rc=0
"$TOOL" check -c >"$T/out" 2>&1 || rc=$?
[ "$rc" = 2 ] || { cat "$T/out"; fail "-c without a file: exit $rc"; }
ok "okta-groups: -c and --config= in any position; an unknown command exits 2"

# login: poll mode in a pipe; the approver reads the link from the output.
# alice has no local account on the host (the end-to-end tests make one
# in a namespace), so the plan ends in a refusal: what matters here is
# the verified identity, the groups, and that nothing was written.
tool_login() {
	local user=$1 approver=$2 url rc=0
	"$TOOL" login -c "$T/pam_okta_groups.conf" "$user" >"$T/out" 2>&1 </dev/null &
	tool=$!
	for _ in $(seq 100); do grep -q 'Open:' "$T/out" && break; sleep 0.1; done
	url=$(sed -n 's/^ *Open: *//p' "$T/out" | head -1)
	[ -n "$url" ] || { cat "$T/out"; fail "no link in the tool's output"; }
	node "$IDP/approve.js" --ca "$CA" --user "$approver" --password "$approver-pw" --url "$url" >/dev/null
	wait "$tool" || rc=$?
	return $rc
}
PROMPT=poll write_conf "$T/pam_okta_groups.conf"
before=$(sha256sum "$T/group" "$T/gshadow")
tool_login alice alice || true
expect_out "identity:  alice (sub 00u-alice" "the verified identity"
expect_out "idp groups: DevTeam, Organization Admins" "the Okta groups"
[ "$before" = "$(sha256sum "$T/group" "$T/gshadow")" ] || fail "login changed the group files"
ok "okta-groups login prints the verified identity and groups, and changes nothing"

tool_login root alice || true
expect_out "may not log in to this account" "alice's approval does not log in root"
ok "okta-groups login refuses an identity that is not the account"

echo "$checks passed, 0 failed"
