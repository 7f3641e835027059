#!/bin/bash
# Accounts on first login, end to end: Debian's sshd in a private mount
# namespace over a copy of /etc (tests/ns.sh), "passwd: files okta_groups"
# with the built NSS module, the bundled provider. newuser exists only at
# the provider: its first SSH connection signs in, gets an account (UID in
# range, private group, the bound groups, a home from pam_mkhomedir with
# the skeleton) and runs a command. A user whom no binding grants gets
# nothing, and no file changes. Three new users connecting at once get
# three accounts.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ns.sh"
need_cmd expect
need_cmd ssh
need_cmd ssh-keygen
need_cmd ldconfig
[ -x /usr/sbin/sshd ] || skip "openssh-server is not installed (/usr/sbin/sshd)"
[ -x /usr/sbin/useradd ] || skip "useradd is missing"
NSSLIB="$top_builddir/.libs/libnss_okta_groups.so.2"

idp_start custom
cat >"$USERS" <<JSON
{
  "newuser": {"password": "newuser-pw", "email": "newuser@example.com",
              "preferred_username": "newuser@example.com", "name": "New",
              "groups": ["DevTeam"], "amr": ["pwd"]},
  "nobind":  {"password": "nobind-pw", "email": "nobind@example.com",
              "preferred_username": "nobind@example.com", "name": "No",
              "groups": [], "amr": ["pwd"]},
  "new1": {"password": "new1-pw", "email": "new1@example.com",
           "preferred_username": "new1@example.com", "groups": ["DevTeam"], "amr": ["pwd"]},
  "new2": {"password": "new2-pw", "email": "new2@example.com",
           "preferred_username": "new2@example.com", "groups": ["DevTeam"], "amr": ["pwd"]},
  "new3": {"password": "new3-pw", "email": "new3@example.com",
           "preferred_username": "new3@example.com", "groups": ["DevTeam"], "amr": ["pwd"]}
}
JSON
ns_start
ns_conf MODE=persistent PROMPT=auto APPROVAL_TIMEOUT=60
printf '\n[accounts]\ncreate = yes\nhome = %s/%%u\n' "$NS_HOME" >>"$ETC/security/pam_okta_groups.conf"
mkdir -p "$T/nsslib"
cp "$NSSLIB" "$T/nsslib/"
echo "$T/nsslib" >"$ETC/ld.so.conf.d/zz-okta-groups-test.conf"
in_ns ldconfig -X
sed -i -E 's/^passwd:.*/passwd: files okta_groups/' "$ETC/nsswitch.conf"
mkdir -p "$ETC/skel" && echo "skeleton" >"$ETC/skel/.pog-skel"

mkdir -p "$T/ssh"
ssh-keygen -q -t ed25519 -N '' -C okta-test -f "$T/ssh/host_ed25519_key"
port=$(node -e 'const s = require("net").createServer();
s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')
sed -e "s|@PORT@|$port|g" -e "s|@T@|$T|g" -e '/^AllowUsers/d' \
	"$top_srcdir/tests/ssh/sshd_config" >"$ETC/ssh/sshd_config"
sed -e "s|@PORT@|$port|g" "$top_srcdir/tests/ssh/ssh_config" >"$T/ssh/ssh_config"
rm -rf "$ETC/ssh/sshd_config.d"
ns_pam sshd "auth     required  $MODULE
account  required  $MODULE
session  required  pam_mkhomedir.so skel=/etc/skel umask=0077
session  required  pam_permit.so
password required  pam_deny.so"
: >"$T/sshd.log"
ns_bg SSHD /usr/sbin/sshd -D -e 2>>"$T/sshd.log"
for _ in $(seq 100); do grep -q "Server listening" "$T/sshd.log" && break; sleep 0.05; done

ssh_login() {
	local user=$1 mode=$2 who=$3
	shift 3
	expect -f "$top_srcdir/tests/ssh/kbdint.exp" "$T/ssh/ssh_config" "$user" "$mode" \
		"$(approver "$who")" "$*" >"$T/ssh.raw" 2>&1 || true
	tr -d '\r' <"$T/ssh.raw" >"$T/out"
}
sums() { cat "$ETC/passwd" "$ETC/group" "$ETC/shadow" "$ETC/gshadow" | sha256sum; }

# 1. Before: nothing outside sshd.
out=$(in_ns getent passwd newuser) && fail "getent passwd newuser before the login: $out"
ok "before the first login, getent passwd newuser finds nothing"

# 2. nobind (no group grants this host): refused, nothing created.
before=$(sums)
ssh_login nobind approve nobind id
expect_out "EXP: exit 255" "nobind's login fails"
[ "$(sums)" = "$before" ] || fail "nobind's refused login changed passwd/group/shadow/gshadow"
[ ! -e "$T/state/accounts/nobind" ] || fail "a record for nobind"
ok "a user whom no binding grants: refused, no account, no file changed"

# 3. newuser: the first connection works.
ssh_login newuser approve newuser 'id; pwd; ls -a'
if ! grep -q "EXP: exit 0" "$T/out"; then
	cat "$T/out"; tail -20 "$T/sshd.log"; ns_log 'pam_okta_groups' | tail -10
	fail "newuser's first SSH connection failed"
fi
line=$(grep '^newuser:' "$ETC/passwd") || fail "no passwd line for newuser"
IFS=: read -r _ _ uid gid _ home shell <<<"$line"
[ "$uid" = "$gid" ] && [ "$uid" -ge 1879048192 ] && [ "$uid" -le 2147483646 ] || fail "newuser's line: $line"
[ "$home:$shell" = "$NS_HOME/newuser:/bin/bash" ] || fail "home and shell: $line"
grep -q "^newuser:x:$uid:" "$ETC/group" || fail "no private group newuser:$uid"
grep -q "uid=$uid(newuser) gid=$uid(newuser) groups=$uid(newuser),.*devteam.*docker\|uid=$uid(newuser) gid=$uid(newuser) groups=$uid(newuser),.*docker.*devteam" "$T/out" ||
	{ cat "$T/out"; fail "id in the session"; }
grep -qx "$NS_HOME/newuser" "$T/out" || { cat "$T/out"; fail "pwd in the session"; }
! grep -Eqi "useradd|groupadd|UID_MIN" "$T/out" || { cat "$T/out"; fail "shadow's tools wrote to the user's screen"; }
grep -qx ".pog-skel" "$T/out" || { cat "$T/out"; fail "no skeleton file in the new home"; }
ok "ssh newuser: the first connection runs id and pwd: uid $uid, groups devteam docker, home with the skeleton"

[ "$(in_ns getent passwd newuser)" = "$line" ] || fail "getent after: $(in_ns getent passwd newuser) vs $line"
grep -q "^name newuser$" "$T/state/accounts/newuser" && grep -q "^state active$" "$T/state/accounts/newuser" ||
	fail "the record: $(cat "$T/state/accounts/newuser")"
in_ns pwck -r >"$T/pwck" 2>&1 || { grep -i newuser "$T/pwck" && fail "pwck -r about newuser"; }
in_ns grpck -r >"$T/grpck" 2>&1 || { grep -i newuser "$T/grpck" && fail "grpck -r about newuser"; }
ok "afterwards getent passwd newuser shows the entry sshd used; the record is written; pwck/grpck say nothing of newuser"

# 4. A second login: the same account, nothing re-created.
before=$(grep -c '^newuser:' "$ETC/passwd")
ssh_login newuser approve newuser id
expect_out "EXP: exit 0" "newuser's second login"
[ "$(grep '^newuser:' "$ETC/passwd")" = "$line" ] && [ "$before" = 1 ] || fail "the second login changed the account"
ok "a second login uses the same account"

# 5. Three new users over SSH at once: each sshd asks the NSS module for
# its pending account, and the account phases create them one at a time
# under the accounts lock: three accounts, three UIDs, each with its groups.
pids=()
for u in new1 new2 new3; do
	expect -f "$top_srcdir/tests/ssh/kbdint.exp" "$T/ssh/ssh_config" "$u" approve \
		"$(approver "$u")" id >"$T/ssh.$u" 2>&1 &
	pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || true; done
uids=""
for u in new1 new2 new3; do
	tr -d '\r' <"$T/ssh.$u" >"$T/out.$u"
	grep -q "EXP: exit 0" "$T/out.$u" || { cat "$T/out.$u"; tail -20 "$T/sshd.log"; fail "$u's first SSH connection, three at once"; }
	uid=$(awk -F: -v u="$u" '$1 == u { print $3 }' "$ETC/passwd")
	[ -n "$uid" ] || fail "no passwd line for $u"
	grep -q "uid=$uid($u) gid=$uid($u) groups=$uid($u),.*devteam" "$T/out.$u" && grep -q "docker" "$T/out.$u" ||
		{ cat "$T/out.$u"; fail "id in $u's session"; }
	uids="$uids $uid"
done
[ "$(echo "$uids" | tr ' ' '\n' | sed '/^$/d' | sort -u | wc -l)" = 3 ] || fail "three users at once, UIDs:$uids"
in_ns pwck -r >"$T/pwck" 2>&1 || { grep -E "new[123]" "$T/pwck" && fail "pwck -r about new1..new3"; }
ok "three new users over SSH at once: three accounts, UIDs$uids, each with devteam and docker"
echo "$checks passed, 0 failed"
