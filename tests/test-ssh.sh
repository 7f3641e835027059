#!/bin/bash
# Debian's own OpenSSH server in front of the module, end to end: sshd runs
# on a loopback port inside a private mount namespace over a copy of /etc
# (tests/ns.sh), with UsePAM and keyboard-interactive only. An SSH client
# on a terminal (tests/ssh/kbdint.exp) reads the prompt, approves the link
# at the test provider, presses Enter and runs "id -Gn" in the session.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ns.sh"
need_cmd expect
need_cmd ssh
need_cmd ssh-keygen
[ -x /usr/sbin/sshd ] || skip "openssh-server is not installed (/usr/sbin/sshd)"

idp_start custom
ns_start
# prompt = auto: the module must pick enter for the sshd service by itself.
ns_conf MODE=persistent PROMPT=auto APPROVAL_TIMEOUT=60
host=$(hostname)

mkdir -p "$T/ssh"
ssh-keygen -q -t ed25519 -N '' -C okta-test -f "$T/ssh/host_ed25519_key"
port=$(node -e 'const s = require("net").createServer();
s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')
sed -e "s|@PORT@|$port|g" -e "s|@T@|$T|g" "$top_srcdir/tests/ssh/sshd_config" >"$ETC/ssh/sshd_config"
sed -e "s|@PORT@|$port|g" "$top_srcdir/tests/ssh/ssh_config" >"$T/ssh/ssh_config"
rm -rf "$ETC/ssh/sshd_config.d"
mkdir -p "$ETC/ssh/sshd_config.d"
chmod 644 "$ETC/ssh/sshd_config"

sshd_pam() {
	ns_pam sshd "# pam_okta_groups in front of sshd (test-ssh.sh)
auth     required  $MODULE
account  required  $MODULE
$*
session  required  pam_permit.so
password required  pam_deny.so"
}
sshd_pam

SSHD=""
sshd_start() {
	in_ns /usr/sbin/sshd -t >"$T/sshd-t.out" 2>&1 || { cat "$T/sshd-t.out"; fail "sshd -t rejects the config"; }
	: >"$T/sshd.log"
	ns_bg SSHD /usr/sbin/sshd -D -e 2>>"$T/sshd.log"
	for _ in $(seq 100); do
		grep -q "Server listening on 127.0.0.1 port $port" "$T/sshd.log" && return 0
		kill -0 "$SSHD" 2>/dev/null || break
		sleep 0.05
	done
	cat "$T/sshd.log"
	fail "sshd did not start on port $port"
}
sshd_restart() {
	ns_stop "$SSHD"
	sshd_start
}
sshd_start

# ssh_login USER MODE APPROVER COMMAND: one SSH login through expect; the
# client's terminal output, without CRs, goes to $T/out.
ssh_login() {
	local user=$1 mode=$2 who=$3
	shift 3
	expect -f "$top_srcdir/tests/ssh/kbdint.exp" "$T/ssh/ssh_config" "$user" "$mode" \
		"$(approver "$who")" "$*" >"$T/ssh.raw" 2>&1 || true
	tr -d '\r' <"$T/ssh.raw" >"$T/out"
	cat "$T/out" >>"$T/ssh.all"
}

# session_groups USER: the output of "id -Gn" in the session, sorted.
session_groups() {
	grep -E "^$1( |\$)" "$T/out" | tail -1 | tr ' ' '\n' | sort | xargs
}

# 1. alice (DevTeam, Organization Admins) over SSH: the session has the bound groups.
ssh_login alice approve alice id -Gn
expect_out "EXP: exit 0" "alice's SSH login"
expect_out "Okta sign-in for alice on $host" "the keyboard-interactive prompt"
expect_out "EXP: approver: approve: approved as alice" "approved at the provider"
[ "$(session_groups alice)" = "adm alice audio devteam docker localonly wheel" ] ||
	{ cat "$T/out"; fail "id -Gn in alice's session: $(session_groups alice)"; }
ns_log 'pam_okta_groups\(sshd:account\).*audit: user="alice"' | grep -q 'added=wheel,adm,devteam,docker' ||
	{ cat "$SYSLOG"; fail "no audit line from sshd's account phase"; }
ok "ssh: alice's session has the bound groups: $(session_groups alice)"

# 2. The provider drops "Organization Admins": the next session shows it.
ALICE_GROUPS='["DevTeam"]' write_users
ssh_login alice approve alice id -Gn
expect_out "EXP: exit 0" "alice's second SSH login"
[ "$(session_groups alice)" = "alice audio devteam docker localonly" ] ||
	{ cat "$T/out"; fail "id -Gn after the change: $(session_groups alice)"; }
ok "ssh: after the provider's change the next session has: $(session_groups alice)"

# 3. carol has no groups: refused, told why, stripped of wheel and devteam.
ssh_login carol approve carol id -Gn
expect_out "EXP: approver: approve: approved as carol" "carol approved at the provider"
expect_out "No Okta group grants access to project prod-web on $host." "carol sees the plain sentence"
expect_out "Permission denied" "carol is refused"
expect_out "EXP: exit 255" "carol's ssh fails"
! grep -Eq '^carol( |$)' "$T/out" || fail "carol got a session"
[ "$(groups_of carol)" = "audio" ] || fail "carol's groups after the refusal: $(groups_of carol)"
ok "ssh: carol (no groups) is refused with the plain sentence and stripped"

# 4. bob approves the code shown to alice: refused.
ssh_login alice approve bob id -Gn
expect_out "EXP: approver: approve: approved as bob" "bob approved alice's code"
expect_out "The Okta account that approved this sign-in may not log in to this account." \
	"another account: the plain sentence"
expect_out "EXP: exit 255" "the login approved by bob fails"
! grep -Eq '^alice( |$)' "$T/out" || fail "alice got a session approved by bob"
ok "ssh: a login approved by another account is refused with the plain sentence"

# 5. Pending after Enter: the user presses Enter before approving. The
# prompt asks again instead of failing; then approve, Enter: in.
ssh_login alice enter-first alice id -Gn
expect_out "EXP: asked again" "Enter while pending asks again"
expect_out "Still waiting for approval of code" "the second prompt"
expect_out "EXP: exit 0" "the login after asking again"
[ -n "$(session_groups alice)" ] || fail "no session after asking again"
ok "ssh: Enter before approving asks again (\"Still waiting\"), then succeeds"

# 6. sshd's time limit: LoginGraceTime 30 s in a drop-in, approval_timeout
# 60 s. The login still works (the user is quick), and the module warns.
[ -z "$(ns_log 'LoginGraceTime')" ] || fail "a LoginGraceTime warning with 120 s > 60 s: $(ns_log 'LoginGraceTime')"
echo "LoginGraceTime 30" >"$ETC/ssh/sshd_config.d/grace.conf"
chmod 644 "$ETC/ssh/sshd_config.d/grace.conf"
sshd_restart
ssh_login alice approve alice id -Gn
expect_out "EXP: exit 0" "alice's login under LoginGraceTime 30"
ns_log 'pam_okta_groups\(sshd:auth\).*LoginGraceTime' | grep -q '30 s.*approval_timeout.*60' ||
	{ ns_log 'pam_okta_groups'; fail "no warning about LoginGraceTime 30 s < approval_timeout 60 s"; }
ok "ssh: the module warns when LoginGraceTime (30 s) is shorter than approval_timeout (60 s)"
rm -f "$ETC/ssh/sshd_config.d/grace.conf"
sshd_restart

# 7. Session mode over SSH: id -Gn shows the groups, /etc/group is unchanged.
#
# For keyboard-interactive, OpenSSH runs pam_authenticate and
# pam_acct_mgmt in a forked child (auth-pam.c, sshpam_thread), and
# pam_setcred twice elsewhere: in the monitor, then in the session's
# child after initgroups (session.c, do_setusercontext). pam_set_data
# from auth never reaches them: the module hands the login over through
# a nonce in the PAM environment and the ledger, and keeps it in the
# handle after the first setcred. The nonce must not reach the session.
ns_conf MODE=session PROMPT=auto APPROVAL_TIMEOUT=60
sshd_pam "session  optional  $MODULE"
ALICE_GROUPS='["DevTeam", "Organization Admins"]' write_users
cp -p "$ETC/group" "$T/group.before-session"
cp -p "$ETC/gshadow" "$T/gshadow.before-session"
ssh_login alice approve alice 'id -Gn; echo "handoff=[$PAM_OKTA_GROUPS_HANDOFF]"'
sg=$(session_groups alice)
cmp -s "$T/group.before-session" "$ETC/group" || fail "session mode over ssh changed /etc/group"
cmp -s "$T/gshadow.before-session" "$ETC/gshadow" || fail "session mode over ssh changed /etc/gshadow"
if ! grep -q "EXP: exit 0" "$T/out" || [ "$sg" != "adm alice audio devteam docker localonly wheel" ]; then
	echo "#   client: $(grep -E 'EXP: exit|^alice|Permission|Connection|closed' "$T/out" | xargs)"
	echo "#   sshd:   $(grep -Ei 'setcred|fatal|error' "$T/sshd.log" | tail -3 | xargs)"
	echo "#   module: $(ns_log 'setcred|session mode' | tail -3 | sed 's/^<[0-9]*>//' | xargs)"
	fail "ssh, session mode: id -Gn shows [$sg]"
fi
expect_out "handoff=\[\]" "the handoff nonce must not reach the session's environment"
[ "$(groups_of alice)" = "audio devteam docker localonly" ] || fail "session mode: alice in $(groups_of alice)"
ok "ssh, session mode: id -Gn shows [$sg], /etc/group and /etc/gshadow unchanged"

echo "$checks passed, 0 failed"
