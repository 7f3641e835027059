#!/bin/bash
# The console, for real: Debian's login(1) on a pseudo-terminal (expect),
# inside a private mount namespace over a copy of /etc (tests/ns.sh), with
# the PAM service "login" pointing at the module and prompt = auto, which
# picks poll on a terminal: the link appears at once, the user approves on
# another device, and the shell starts without anyone pressing Enter.
# "id -Gn" typed into that shell shows the groups.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ns.sh"
need_cmd expect
# Debian 12's /bin/login is shadow's (package login); util-linux's login
# replaces it in later releases. Both run auth, account, then setcred
# after initgroups, and both talk to PAM through misc_conv.
[ -x /bin/login ] || skip "login(1) is not installed (/bin/login)"

idp_start custom
ns_start
ns_conf MODE=persistent PROMPT=auto APPROVAL_TIMEOUT=60
ns_pam login "# pam_okta_groups on the console (test-login.sh)
auth     required  $MODULE
account  required  $MODULE
session  required  pam_permit.so
password required  pam_deny.so"

cat >"$T/login.exp" <<'EXP'
# expect -f login.exp USER APPROVER: login(1) on a terminal; see test-login.sh.
set timeout 40
lassign $argv user approver
proc report {msg} { puts "\nEXP: $msg" }
set t0 [clock milliseconds]
spawn -noecho /bin/login $user
expect {
	-re {Open: +([^\s]+)} { set url $expect_out(1,string) }
	timeout { report "no link (timeout)"; exit 2 }
	eof { report "no link"; exit 3 }
}
report "link after [expr {[clock milliseconds] - $t0}] ms: $url"
expect {
	"Waiting for approval..." {}
	"Press Enter" { report "asked for Enter"; exit 4 }
	timeout { report "no poll text"; exit 2 }
	eof { report "eof before approval"; exit 3 }
}
if {[catch {exec sh -c "$approver '$url'" 2>@1} out]} {
	report "approver failed: $out"
} else {
	report "approver: $out"
}
# Nothing is typed: the module polls, and login starts the shell.
expect {
	-re {\$ $} {}
	"Press Enter" { report "asked for Enter"; exit 4 }
	"Login incorrect" { report "login incorrect"; exit 5 }
	timeout { report "no shell (timeout)"; exit 2 }
	eof { report "eof before the shell"; exit 3 }
}
report "shell after [expr {[clock milliseconds] - $t0}] ms"
send "id -Gn | sed 's/^/GROUPS: /'\r"
expect {
	-re {GROUPS: ([a-z][^\r\n]*)\r} { report "groups: $expect_out(1,string)" }
	timeout { report "no id output"; exit 2 }
}
send "exit\r"
expect {
	eof {}
	timeout { report "the shell did not exit"; exit 2 }
}
report "done"
EXP

# login_run USER APPROVER-USER: one console login; output (no CRs) in $T/out.
login_run() {
	in_ns expect -f "$T/login.exp" "$1" "$(approver "$2")" >"$T/login.raw" 2>&1 || true
	tr -d '\r' <"$T/login.raw" >"$T/out"
}

# 1. persistent mode: alice (DevTeam, Organization Admins).
login_run alice alice
expect_out "EXP: link after" "login shows the link"
expect_out "Okta sign-in for alice on $(hostname)" "the console text"
! grep -q "Press Enter" "$T/out" || fail "poll mode on a terminal asked for Enter"
expect_out "EXP: approver: approve: approved as alice" "approved at the provider"
expect_out "EXP: groups: " "the shell ran id -Gn"
shown=$(sed -n 's/^EXP: groups: //p' "$T/out" | tr ' ' '\n' | sort | xargs)
[ "$shown" = "adm alice audio devteam docker localonly wheel" ] ||
	{ cat "$T/out"; fail "id -Gn in the login shell: $shown"; }
expect_out "EXP: done" "the session ended"
ms=$(sed -n 's/^EXP: link after \([0-9]*\) ms.*/\1/p' "$T/out")
[ "${ms:-99999}" -lt 5000 ] || fail "the link took ${ms} ms to appear"
ns_log 'pam_okta_groups\(login:account\).*audit: user="alice"' | grep -q 'added=wheel,adm,devteam,docker' ||
	{ cat "$SYSLOG"; fail "no audit line from login's account phase"; }
grep -q alice "$T/run/utmp" 2>/dev/null || echo "# note: no utmp record for alice in the namespace"
ok "login(1): the link appears at once (${ms} ms), no Enter, the shell has: $shown"

# 2. session mode: bob (DevTeam) gets devteam and docker in the shell,
# through pam_setcred; /etc/group is not written.
ns_conf MODE=session PROMPT=auto APPROVAL_TIMEOUT=60
cp -p "$ETC/group" "$T/group.before"
login_run bob bob
shown=$(sed -n 's/^EXP: groups: //p' "$T/out" | tr ' ' '\n' | sort | xargs)
[ "$shown" = "bob devteam docker" ] || { cat "$T/out"; fail "session mode, id -Gn in bob's shell: $shown"; }
cmp -s "$T/group.before" "$ETC/group" || fail "session mode changed /etc/group"
ok "login(1), session mode: bob's shell has [$shown], /etc/group unchanged"

# 3. carol: approved at the provider, refused by account, told why.
ns_conf MODE=persistent PROMPT=auto APPROVAL_TIMEOUT=60
login_run carol carol
expect_out "No Okta group grants access to project prod-web on $(hostname)." "carol's sentence on the console"
! grep -q "EXP: groups:" "$T/out" || fail "carol got a shell"
ok "login(1): carol (no groups) is refused with the plain sentence"

echo "$checks passed, 0 failed"
