#!/bin/bash
# recent_login with Debian's OpenSSH server: a login with an SSH key runs
# no device flow, and only the account phase of the module. sshd runs in
# a private mount namespace over a copy of /etc (tests/ns.sh), offering
# publickey (the account stack decides) or keyboard-interactive (the
# device flow).
#
#   1. before any Okta login, alice's key is refused, and the log says why;
#   2. alice signs in with Okta once (keyboard-interactive);
#   3. within recent_login her key works, with the groups that login left;
#   4. after recent_login (the ledger's time moved back) her key is refused;
#   5. with recent_login = 0 (the default) a key is always refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ns.sh"
need_cmd expect
need_cmd ssh
need_cmd ssh-keygen
[ -x /usr/sbin/sshd ] || skip "openssh-server is not installed (/usr/sbin/sshd)"

idp_start custom
ns_start
CONF="$ETC/security/pam_okta_groups.conf"
conf() {
	ns_conf MODE=persistent PROMPT=auto APPROVAL_TIMEOUT=60
	conf_set "$CONF" login "recent_login = $1"
}
conf 8h

mkdir -p "$T/ssh"
ssh-keygen -q -t ed25519 -N '' -C okta-test -f "$T/ssh/host_ed25519_key"
ssh-keygen -q -t ed25519 -N '' -C alice-key -f "$T/ssh/alice_key"
mkdir -p "$NS_HOME/alice/.ssh"
cp "$T/ssh/alice_key.pub" "$NS_HOME/alice/.ssh/authorized_keys"
chown -R "$(stat -c %u:%g "$NS_HOME/alice")" "$NS_HOME/alice/.ssh"
chmod 700 "$NS_HOME/alice/.ssh"
chmod 600 "$NS_HOME/alice/.ssh/authorized_keys"

port=$(node -e 'const s = require("net").createServer();
s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')
# Either method: a key (account stack only) or keyboard-interactive (the device flow).
sed -e "s|@PORT@|$port|g" -e "s|@T@|$T|g" \
	-e 's|^PubkeyAuthentication no|PubkeyAuthentication yes|' \
	-e 's|^AuthenticationMethods .*|AuthenticationMethods publickey keyboard-interactive|' \
	"$top_srcdir/tests/ssh/sshd_config" >"$ETC/ssh/sshd_config"
sed -e "s|@PORT@|$port|g" "$top_srcdir/tests/ssh/ssh_config" >"$T/ssh/ssh_config"
rm -rf "$ETC/ssh/sshd_config.d"
mkdir -p "$ETC/ssh/sshd_config.d"
chmod 644 "$ETC/ssh/sshd_config"
ns_pam sshd "# pam_okta_groups in front of sshd (test-ssh-keys.sh)
auth     required  $MODULE
account  required  $MODULE
session  required  pam_permit.so
password required  pam_deny.so"

in_ns /usr/sbin/sshd -t >"$T/sshd-t.out" 2>&1 || { cat "$T/sshd-t.out"; fail "sshd -t rejects the config"; }
: >"$T/sshd.log"
ns_bg SSHD /usr/sbin/sshd -D -e 2>>"$T/sshd.log"
for _ in $(seq 100); do
	grep -q "Server listening on 127.0.0.1 port $port" "$T/sshd.log" && break
	sleep 0.05
done
grep -q "Server listening" "$T/sshd.log" || { cat "$T/sshd.log"; fail "sshd did not start"; }

# key_login: alice with her key only; output in $T/out, status in $rc.
key_login() {
	rc=0
	in_ns ssh -F "$T/ssh/ssh_config" -o PreferredAuthentications=publickey \
		-o PubkeyAuthentication=yes -o IdentitiesOnly=yes -o BatchMode=yes \
		-i "$T/ssh/alice_key" -l alice okta-test id -Gn </dev/null >"$T/out" 2>&1 || rc=$?
}
session_groups() {
	grep -E "^alice( |\$)" "$T/out" | tail -1 | tr ' ' '\n' | sort | xargs
}

# 1. No Okta login yet: the key alone does not get in. (sshd keeps the
# account phase's sentence for a session, so only the log shows why.)
key_login
[ "$rc" = 255 ] || { cat "$T/out"; fail "alice's key before any Okta login: exit $rc"; }
! grep -Eq '^alice( |$)' "$T/out" || fail "alice got a session with a key alone"
ns_log 'pam_okta_groups\(sshd:account\).*audit: user="alice".*result="denied: recent login" reason="no Okta login on this host yet"' |
	grep -q . || { tail -5 "$SYSLOG"; fail "no audit line for the refused key"; }
ok "a key is refused before any Okta login on this host"

# 2. alice signs in with Okta over keyboard-interactive.
expect -f "$top_srcdir/tests/ssh/kbdint.exp" "$T/ssh/ssh_config" alice approve \
	"$(approver alice)" "id -Gn" >"$T/ssh.raw" 2>&1 || true
tr -d '\r' <"$T/ssh.raw" >"$T/out"
expect_out "EXP: exit 0" "alice's Okta login over keyboard-interactive"
grep -q '"result": "granted"' "$T/state/alice" || { cat "$T/state/alice"; fail "the ledger does not say granted"; }
ok "alice signs in with Okta once"

# 3. Within 8h her key works, with the groups that login left.
cp "$ETC/group" "$T/group.1"
key_login
[ "$rc" = 0 ] || { cat "$T/out"; tail -5 "$SYSLOG"; fail "alice's key after an Okta login: exit $rc"; }
[ "$(session_groups)" = "adm alice audio devteam docker localonly wheel" ] ||
	{ cat "$T/out"; fail "id -Gn with the key: $(session_groups)"; }
cmp -s "$T/group.1" "$ETC/group" || fail "a key login changed /etc/group"
ns_log 'audit: user="alice" sub="00u-alice" .*result="granted: recent login" age=[0-9]+s' | grep -q . ||
	{ tail -5 "$SYSLOG"; fail "no audit line for the key login"; }
ok "within recent_login alice's key works, groups as her Okta login left them"

# 4. Nine hours later (the ledger's time moved back): refused again.
when=$(sed -n 's/^ *"when": *\([0-9]*\),*$/\1/p' "$T/state/alice")
[ -n "$when" ] || { cat "$T/state/alice"; fail "no when in the ledger"; }
sed -i "s/^\\( *\"when\": *\\)$when/\\1$((when - 9 * 3600))/" "$T/state/alice"
key_login
[ "$rc" = 255 ] || { cat "$T/out"; fail "alice's key 9h after her Okta login: exit $rc"; }
ns_log 'result="denied: recent login" reason="the last Okta login was [0-9]+ s ago, more than recent_login 8h"' |
	grep -q . || { tail -5 "$SYSLOG"; fail "no audit line for the stale key login"; }
ok "after recent_login alice's key is refused"

# 5. recent_login = 0: a key never passes, however fresh the login.
sed -i "s/^\\( *\"when\": *\\)[0-9]*/\\1$(date +%s)/" "$T/state/alice"
conf 0
key_login
[ "$rc" = 255 ] || { cat "$T/out"; fail "a key with recent_login = 0: exit $rc"; }
conf 8h
key_login
[ "$rc" = 0 ] || { cat "$T/out"; fail "a key with a fresh ledger and recent_login = 8h: exit $rc"; }
ok "recent_login = 0 refuses keys; 8h with a fresh login lets them in"

echo "$checks passed, 0 failed"
