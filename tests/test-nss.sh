#!/bin/bash
# libnss_okta_groups.so.2 through glibc, with its real checks: in a
# private mount namespace over a copy of /etc (tests/ns.sh) whose
# nsswitch.conf says "passwd: files okta_groups" and whose ld.so.cache
# finds the built module. Outside sshd it answers nothing; tests/nssprobe
# bind-mounted over /usr/sbin/sshd is "a root sshd" and gets the pending
# account, unless euid, the user namespace, the config or the name says
# no; then Debian's real sshd treats the pending name as a valid user.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ns.sh"
need_cmd getent
need_cmd ldconfig
need_cmd setpriv
NSSLIB="$top_builddir/.libs/libnss_okta_groups.so.2"
PROBE="$top_builddir/tests/nssprobe"
[ -f "$NSSLIB" ] || fail "$NSSLIB is not built"

ISSUER=https://127.0.0.1:1 CA=/dev/null
ns_start
ns_conf
CONF="$ETC/security/pam_okta_groups.conf"
cp "$CONF" "$T/conf.base"
accounts() { # accounts LINES: the base config with an [accounts] section
	{ cat "$T/conf.base"; printf '\n[accounts]\n%s\n' "$*"; } >"$CONF"
	chmod 644 "$CONF"
}
accounts "create = yes
uid_range = 1879048192-2147483646"

mkdir -p "$T/nsslib"
cp "$NSSLIB" "$T/nsslib/"
echo "$T/nsslib" >"$ETC/ld.so.conf.d/zz-okta-groups-test.conf"
in_ns ldconfig -X
in_ns ldconfig -p | grep -q "libnss_okta_groups.so.2 .*$T/nsslib" ||
	fail "ldconfig in the namespace does not list the module"
sed -i -E 's/^passwd:.*/passwd: files okta_groups/' "$ETC/nsswitch.conf"
KEY="$ETC/security/pam_okta_groups.uidkey"

# 1. Outside sshd: nothing, and nothing read or made (no key file).
out=$(in_ns getent passwd newuser) && fail "getent passwd newuser outside sshd: $out"
out=$(in_ns setpriv --reuid=65534 --regid=65534 --clear-groups getent passwd newuser) &&
	fail "an unprivileged getent passwd newuser: $out"
[ ! -e "$KEY" ] || fail "a lookup outside sshd made the key file"
[ "$(in_ns getent passwd alice | cut -d: -f1)" = alice ] || fail "files no longer answer for alice"
ok "outside sshd: getent passwd newuser finds nothing (root and unprivileged); alice still found"

# 2. "sshd": the probe over /usr/sbin/sshd in the namespace.
in_ns mount -n --bind "$PROBE" /usr/sbin/sshd
probe() { in_ns /usr/sbin/sshd "$@"; }
got=$(probe newuser)
IFS=: read -r n p uid gid gecos home shell <<<"$got"
[ "$n:$p:$gecos:$home:$shell" = "newuser:*::/home/newuser:/bin/bash" ] || fail "probe newuser: $got"
[ "$uid" = "$gid" ] && [ "$uid" -ge 1879048192 ] && [ "$uid" -le 2147483646 ] ||
	fail "UID/GID of the pending account: $got"
[ "$(stat -c '%s %a %u' "$KEY")" = "32 600 0" ] || fail "the key file: $(stat -c '%s %a %u' "$KEY")"
[ "$(probe newuser)" = "$got" ] || fail "a second lookup differs: $(probe newuser)"
ok "in sshd: newuser is pending as $got; the key file is 32 bytes, 0600, root"

# nss_files fills the caller's buffer with each line it reads, so it says
# ERANGE first for small ones: the module alone for this check.
sed -i -E 's/^passwd:.*/passwd: okta_groups/' "$ETC/nsswitch.conf"
[ "$(probe newuser 16)" = erange ] || fail "a short buffer: $(probe newuser 16)"
[ "$(probe newuser 35)" = "$got" ] || fail "a buffer of exactly the size: $(probe newuser 35)"
[ "$(probe newuser 34)" = erange ] || fail "a buffer one byte short: $(probe newuser 34)"
sed -i -E 's/^passwd:.*/passwd: files okta_groups/' "$ETC/nsswitch.conf"
[ "$(probe -u "$uid")" = notfound ] || fail "getpwuid of the pending UID: $(probe -u "$uid")"
ok "ERANGE for short buffers (exact size fits); getpwuid of the pending UID finds nothing"

for name in docker Newuser 9lives 'a.b' 'x:y' "$(printf 'a%.0s' {1..33})"; do
	[ "$(probe "$name")" = notfound ] || fail "pending answer for '$name': $(probe "$name")"
done
[ "$(probe alice | cut -d: -f1-2)" = "alice:x" ] || fail "alice through files: $(probe alice)"
ok "no pending answer for a local group, upper case, invalid or long names"

# euid is checked on every call, though "is sshd" is cached.
[ "$(probe -e newuser | xargs)" = "$got notfound" ] || fail "after seteuid: $(probe -e newuser | xargs)"
out=$(in_ns setpriv --reuid=65534 --regid=65534 --clear-groups /usr/sbin/sshd newuser)
[ "$out" = notfound ] || fail "a non-root 'sshd': $out"
# A user namespace: euid 0 and the right exe, but not the initial namespace.
out=$(in_ns unshare -U -r /usr/sbin/sshd newuser)
[ "$out" = notfound ] || fail "root of a user namespace: $out"
ok "no answer with euid 65534 (after a cached sshd check too), or as root of a user namespace"

chmod 664 "$CONF"
[ "$(probe newuser)" = notfound ] || fail "a group-writable config: $(probe newuser)"
chmod 644 "$CONF"
chown 65534 "$CONF"
[ "$(probe newuser)" = notfound ] || fail "a config not owned by root: $(probe newuser)"
chown 0 "$CONF"
accounts "create = no"
[ "$(probe newuser)" = notfound ] || fail "create = no: $(probe newuser)"
accounts "create = yes
uid_range = bogus"
[ "$(probe newuser)" = notfound ] || fail "a broken uid_range: $(probe newuser)"
{ cat "$T/conf.base"; printf '\n[accounts]\ncreate = yes\n'; } | sed 's/^\[login\]$/[login]\nservices = login/' >"$CONF"
[ "$(probe newuser)" = notfound ] || fail "services without sshd: $(probe newuser)"
accounts "create = yes"
chmod 644 "$KEY"
[ "$(probe newuser)" = notfound ] || fail "a key file readable by others: $(probe newuser)"
chmod 600 "$KEY"
[ "$(probe newuser)" = "$got" ] || fail "back to normal: $(probe newuser)"
ok "no answer with a group-writable or foreign config, create = no, a bad range, services without sshd, a readable key"

# A tombstone keeps its UID for its name; its UID is skipped for others.
mkdir -p "$T/state/accounts"
chmod 700 "$T/state/accounts"
printf 'pog-account 1\nname newuser\nuid 1900000123\nsub 00uX\ncreated 1\nlast_login 1\nstate purged\n' \
	>"$T/state/accounts/newuser"
chmod 600 "$T/state/accounts/newuser"
[ "$(probe newuser | cut -d: -f3)" = 1900000123 ] || fail "a purged name's UID: $(probe newuser)"
chmod 644 "$T/state/accounts/newuser"
chmod 777 "$T/state/accounts"
[ "$(probe newuser)" = notfound ] || fail "a world-writable accounts folder: $(probe newuser)"
chmod 700 "$T/state/accounts"
rm -f "$T/state/accounts/newuser"
ok "a recorded (purged) name keeps its UID; an unsafe accounts folder answers nothing"
in_ns umount /usr/sbin/sshd

# 3. Debian's real sshd: newuser is a valid user before PAM runs.
if [ -x /usr/sbin/sshd ] && command -v ssh >/dev/null && command -v ssh-keygen >/dev/null; then
	mkdir -p "$T/ssh"
	ssh-keygen -q -t ed25519 -N '' -C okta-test -f "$T/ssh/host_ed25519_key"
	port=$(node -e 'const s = require("net").createServer();
s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')
	sed -e "s|@PORT@|$port|g" -e "s|@T@|$T|g" -e 's/^AllowUsers.*/AllowUsers alice newuser Newuser/' \
		"$top_srcdir/tests/ssh/sshd_config" >"$ETC/ssh/sshd_config"
	sed -e "s|@PORT@|$port|g" "$top_srcdir/tests/ssh/ssh_config" >"$T/ssh/ssh_config"
	rm -rf "$ETC/ssh/sshd_config.d"
	ns_pam sshd "auth required pam_deny.so
account required pam_deny.so"
	: >"$T/sshd.log"
	ns_bg SSHD /usr/sbin/sshd -D -e 2>>"$T/sshd.log"
	for _ in $(seq 100); do
		grep -q "Server listening" "$T/sshd.log" && break
		sleep 0.05
	done
	for u in newuser Newuser; do
		timeout 20 ssh -F "$T/ssh/ssh_config" -o BatchMode=yes "$u@okta-test" true >/dev/null 2>&1 || true
	done
	sleep 0.3
	grep -q "Invalid user Newuser" "$T/sshd.log" || { cat "$T/sshd.log"; fail "sshd did not call Newuser invalid"; }
	! grep -q "Invalid user newuser" "$T/sshd.log" || { cat "$T/sshd.log"; fail "sshd called the pending newuser invalid"; }
	grep -Eq "(authenticating|Disconnected from|Connection closed by) (authenticating )?user newuser" "$T/sshd.log" ||
		{ cat "$T/sshd.log"; fail "no sign that sshd took newuser as valid"; }
	ns_stop "$SSHD"
	ok "Debian's sshd takes the pending newuser as a valid user (and Newuser as invalid)"
else
	echo "# sshd or ssh missing: the real sshd check is skipped"
fi

# Nothing was created anywhere.
! grep -q '^newuser:' "$ETC/passwd" "$ETC/group" || fail "newuser was written to passwd or group"
echo "$checks passed, 0 failed"
