#!/bin/bash
# End to end: whole PAM stacks (pamrun, then pamtester) against the
# test provider, inside a private mount namespace over a copy of /etc,
# with the example roles and bindings and project prod-web.
#
#   1. alice logs in and gets exactly the bound groups, in both files;
#   2. her groups are rewritten at the provider;
#   3. she logs in again: the dropped groups are gone, her unmanaged
#      memberships stay, and nothing else in either file changed;
#   4. carol (no groups) is denied and stripped of her managed groups;
#   5. session mode: the files stay as they are, the process has the groups;
#   6. pamtester with the module installed in the namespace's PAM folder;
#   7. pamtester with stdin at its end: the Enter prompt is cancelled at once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ns.sh"
need_cmd pamtester

idp_start custom
ns_start
ns_conf MODE=persistent
ns_pam okta "auth     required  $MODULE
account  required  $MODULE"
host=$(hostname)

# only_members BEFORE AFTER USER "ADDED" "REMOVED": every line of AFTER is
# the same line of BEFORE, byte for byte, except that USER joined the
# groups ADDED and left the groups REMOVED (the other members unchanged).
only_members() {
	awk -F: -v u="$3" -v add=" $4 " -v rem=" $5 " '
	function memb(s, set,   n, i, m) { n = split(s, m, ","); for (i = 1; i <= n; i++) set[m[i]] = 1; return n }
	NR == FNR { b[FNR] = $0; nb = FNR; next }
	{ a[FNR] = $0; na = FNR }
	END {
		if (nb != na) { print "line count " nb " -> " na; exit 1 }
		for (i = 1; i <= nb; i++) {
			g = substr(b[i], 1, index(b[i], ":") - 1)
			if (g == "" || (index(add, " " g " ") == 0 && index(rem, " " g " ") == 0)) {
				if (a[i] != b[i]) { print "line " i " changed: " b[i] " -> " a[i]; bad = 1 }
				continue
			}
			nf = split(b[i], bf, ":"); split(a[i], af, ":")
			if (substr(b[i], 1, length(b[i]) - length(bf[nf])) != substr(a[i], 1, length(a[i]) - length(af[nf]))) {
				print "line " i " changed beyond its members: " b[i] " -> " a[i]; bad = 1; continue
			}
			delete want; delete have
			memb(bf[nf], want)
			if (index(add, " " g " ")) want[u] = 1; else delete want[u]
			nh = memb(af[nf], have)
			nw = 0; for (k in want) { nw++; if (!(k in have)) { print g ": " k " missing in " a[i]; bad = 1 } }
			if (nw != nh) { print g ": expected " nw " members, found: " a[i]; bad = 1 }
		}
		exit bad
	}' "$1" "$2" || fail "$6: unexpected change between $(basename "$1") and $(basename "$2")"
}

snap() { cp -p "$ETC/group" "$T/group.$1"; cp -p "$ETC/gshadow" "$T/gshadow.$1"; }

# The copy as it was built, before any login; grpck agrees on it.
snap 0
in_ns grpck -r >"$T/grpck.0" 2>&1 || true

# 1. alice, in "DevTeam" and "Organization Admins": admin + developer@prod-web.
PAMRUN_APPROVE=$(approver alice)
export PAMRUN_APPROVE
in_ns "$PAMRUN" /etc/pam.d okta alice auth account >"$T/out" 2>&1 || true
expect_out "result auth PAM_SUCCESS" "alice signs in"
expect_out "result account PAM_SUCCESS" "alice is granted"
[ "$(groups_of alice)" = "adm audio devteam docker localonly wheel" ] ||
	fail "alice's groups in /etc/group: $(groups_of alice)"
[ "$(groups_of alice "$ETC/gshadow")" = "adm audio devteam docker localonly wheel" ] ||
	fail "alice's groups in /etc/gshadow: $(groups_of alice "$ETC/gshadow")"
only_members "$T/group.0" "$ETC/group" alice "wheel adm devteam docker" "" "first login (group)"
only_members "$T/gshadow.0" "$ETC/gshadow" alice "wheel adm devteam docker" "" "first login (gshadow)"
[ "$(in_ns id -Gn alice | tr ' ' '\n' | sort | xargs)" = "adm alice audio devteam docker localonly wheel" ] ||
	fail "id -Gn alice in the namespace: $(in_ns id -Gn alice)"
[ -f "$ETC/group-" ] && [ -f "$ETC/gshadow-" ] || fail "no backups group- and gshadow- in the copy"
[ "$(stat -c '%U %G %a' "$ETC/gshadow")" = "$(stat -c '%U %G %a' "$T/gshadow.0")" ] ||
	fail "gshadow's owner or mode changed: $(stat -c '%U %G %a' "$ETC/gshadow")"
left=$(find "$ETC" -mindepth 1 -maxdepth 1 -printf '%f\n' | grep -E '^(group|gshadow)-?\.[A-Za-z0-9]{6}$' || true)
[ -z "$left" ] || fail "temp files left in /etc: $left"
ns_log 'audit|user="alice"' | grep -q 'added=.*wheel' || fail "no audit line for alice's login in syslog"
in_ns grpck -r >"$T/grpck.1" 2>&1 || true
diff -u "$T/grpck.0" "$T/grpck.1" >/dev/null || { cat "$T/grpck.1"; fail "grpck -r finds new problems"; }
ok "alice: exactly the bound groups in /etc/group and /etc/gshadow, nothing else changed"
snap 1

# 2 and 3. At the provider alice is now only in DevTeam, plus a name that
# is no valid local group. The next login drops wheel and adm.
ALICE_GROUPS='["DevTeam", "evil:x:0:alice"]' write_users
in_ns "$PAMRUN" /etc/pam.d okta alice auth account >"$T/out" 2>&1 || true
expect_out "result account PAM_SUCCESS" "alice's second login"
[ "$(groups_of alice)" = "audio devteam docker localonly" ] ||
	fail "alice's groups after the change: $(groups_of alice)"
[ "$(groups_of alice "$ETC/gshadow")" = "audio devteam docker localonly" ] ||
	fail "alice's gshadow groups after the change: $(groups_of alice "$ETC/gshadow")"
only_members "$T/group.1" "$ETC/group" alice "" "wheel adm" "second login (group)"
only_members "$T/gshadow.1" "$ETC/gshadow" alice "" "wheel adm" "second login (gshadow)"
! grep -q 'evil' "$ETC/group" "$ETC/gshadow" || fail "a hostile IdP group name reached the group files"
cmp -s "$T/group.1" "$ETC/group-" || fail "group- is not the file as it was before this login"
ns_log 'user="alice"' | tail -2 | grep -q 'removed=.*adm' || fail "the audit line does not show the removal"
ok "alice's dropped groups are gone at her next login; unmanaged ones stay; nothing else changed"
snap 3

# 4. carol: no groups at the provider. Denied by account, with the plain
# sentence, and stripped of wheel and devteam; audio is not managed.
[ "$(groups_of carol)" = "audio devteam wheel" ] || fail "carol's fixture: $(groups_of carol)"
PAMRUN_APPROVE=$(approver carol)
export PAMRUN_APPROVE
in_ns "$PAMRUN" /etc/pam.d okta carol auth account >"$T/out" 2>&1 || true
expect_out "result auth PAM_SUCCESS" "carol signs in at the provider"
expect_out "result account PAM_PERM_DENIED" "carol has no binding"
expect_out "error: No Okta group grants access to project prod-web on $host." "carol: the plain sentence"
[ "$(groups_of carol)" = "audio" ] || fail "carol's groups after the denial: $(groups_of carol)"
[ "$(groups_of carol "$ETC/gshadow")" = "audio" ] || fail "carol's gshadow groups: $(groups_of carol "$ETC/gshadow")"
only_members "$T/group.3" "$ETC/group" carol "" "wheel devteam" "carol's denial (group)"
only_members "$T/gshadow.3" "$ETC/gshadow" carol "" "wheel devteam" "carol's denial (gshadow)"
ns_log 'user="carol"' | grep -q 'denied' || fail "no audit line with the denial of carol"
ok "carol: PAM_PERM_DENIED with one plain sentence, stripped of her managed groups"
snap 4

# 5. session mode: nothing written; setcred gives the process D's groups.
ns_conf MODE=session
ALICE_GROUPS='["DevTeam", "Organization Admins"]' write_users
PAMRUN_APPROVE=$(approver alice)
export PAMRUN_APPROVE
in_ns "$PAMRUN" /etc/pam.d okta alice auth account setcred >"$T/out" 2>&1 || true
expect_out "result setcred PAM_SUCCESS" "session mode setcred"
pg=$(sed -n 's/^groups: *//p' "$T/out")
for g in wheel adm devteam docker; do
	echo " $pg " | grep -q " $g " || fail "session mode: $g missing from the process groups: $pg"
done
cmp -s "$T/group.4" "$ETC/group" || fail "session mode changed /etc/group"
cmp -s "$T/gshadow.4" "$ETC/gshadow" || fail "session mode changed /etc/gshadow"
[ "$(groups_of alice)" = "audio devteam docker localonly" ] || fail "session mode: alice in $(groups_of alice)"
ok "session mode: process groups [$pg], /etc/group and /etc/gshadow unchanged"

# 6. pamtester, the administrator's tool, with plain "pam_okta_groups.so"
# from the namespace's PAM folder and an explicit config= of every key.
# bob (DevTeam) gets devteam and docker. pamtester reads the Enter from a fifo.
ns_conf MODE=persistent APPROVAL_TIMEOUT=60
cp "$ETC/security/pam_okta_groups.conf" "$ETC/security/okta-pamtester.conf"
ns_pam okta-pamtester "auth     required  pam_okta_groups.so config=/etc/security/okta-pamtester.conf
account  required  pam_okta_groups.so config=/etc/security/okta-pamtester.conf"
mkfifo "$T/enter"
in_ns pamtester -v okta-pamtester bob authenticate acct_mgmt <"$T/enter" >"$T/pt.out" 2>&1 &
pt=$!
exec 3>"$T/enter"
url=""
for _ in $(seq 100); do
	url=$(sed -n 's/^ *Open: *//p' "$T/pt.out" | head -1)
	[ -n "$url" ] && break
	sleep 0.1
done
[ -n "$url" ] || { cat "$T/pt.out"; fail "pamtester showed no link"; }
grep -q "Press Enter once you have approved" "$T/pt.out" || fail "pamtester: no Enter prompt"
in_ns node "$IDP/approve.js" --ca "$CA" --user bob --password bob-pw --url "$url" >"$T/approve.out" 2>&1 ||
	{ cat "$T/approve.out"; fail "approving bob's code failed"; }
echo >&3
exec 3>&-
rc=0
wait "$pt" || rc=$?
grep -q "successfully authenticated" "$T/pt.out" && grep -q "account management done" "$T/pt.out" ||
	{ cat "$T/pt.out"; fail "pamtester failed (exit $rc)"; }
[ "$(groups_of bob)" = "devteam docker" ] || fail "bob's groups after pamtester: $(groups_of bob)"
[ "$(groups_of bob "$ETC/gshadow")" = "devteam docker" ] || fail "bob's gshadow groups: $(groups_of bob "$ETC/gshadow")"
ns_log 'pamtester' | grep -q 'user="bob"' || fail "no audit line from pamtester's login of bob"
ok "pamtester: bob signs in through a fifo-driven Enter and gets devteam docker"

# 7. The end of input at the Enter prompt (Ctrl-D, stdin closed) cancels:
# one prompt, and pamtester fails at once instead of waiting out
# approval_timeout (60 s) and asking again at every poll.
t0=$(date +%s)
rc=0
in_ns pamtester -v okta-pamtester bob authenticate </dev/null >"$T/pt.out" 2>&1 || rc=$?
took=$(($(date +%s) - t0))
[ "$rc" != 0 ] || { cat "$T/pt.out"; fail "pamtester with stdin at its end signed in"; }
[ "$(grep -c "Press Enter once you have approved" "$T/pt.out")" = 1 ] ||
	{ cat "$T/pt.out"; fail "the Enter prompt was not shown exactly once"; }
[ "$took" -lt 30 ] || fail "the end of input waited $took s (approval_timeout is 60)"
ns_log 'conversation failed while waiting for Enter' | grep -q . ||
	{ ns_log pam_okta_groups | tail -3; fail "no log line for the end of input"; }
ok "the end of input at the Enter prompt: cancelled after one prompt, in $took s"

echo "$checks passed, 0 failed"
