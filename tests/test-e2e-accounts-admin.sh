#!/bin/bash
# Accounts on first login, through pamtester and console login(1), and
# their administration, in a private mount namespace over a copy of /etc
# (tests/ns.sh) with the bundled provider:
#   1. four new users at once: four distinct UIDs; pwck -r and grpck -r clean;
#   2. a name that is a local group, has upper case, or is invalid: refused
#      through PAM, no request to the provider, nothing created;
#   3. users list shows the created accounts; last_login moves on a login;
#   4. another Okta sub for a created account: refused until users rebind;
#   5. users lock: refused, with and without a device flow (recent_login);
#      a non-created account cannot be locked;
#   6. users purge: the account goes, the home stays, a tombstone keeps
#      the UID; the same name again gets the same UID; another Okta sub
#      for that name is refused until users rebind releases it, and then
#      gets a new UID while the old one stays retired;
#   7. expire locks a created account not seen within its limit;
#   8. max_pending: a flood of logins for invented names never has more
#      device authorizations in flight than the cap, the rest are refused
#      at once; afterwards a real login succeeds;
#   9. console login(1): the first login creates the account too.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ns.sh"
need_cmd pamtester
need_cmd expect
[ -x /usr/sbin/useradd ] || skip "useradd is missing"

idp_start custom
users_json() {
	local extra=${1:-}
	{
		echo "{"
		for u in anna bert cara dino erik fred gina hugo; do
			printf '"%s": {"password": "%s-pw", "email": "%s@example.com", "preferred_username": "%s@example.com", "groups": ["DevTeam"], "amr": ["pwd"]},\n' "$u" "$u" "$u" "$u"
		done
		[ -z "$extra" ] || echo "$extra,"
		echo '"docker": {"password": "docker-pw", "email": "docker@example.com", "preferred_username": "docker@example.com", "groups": ["DevTeam"], "amr": ["pwd"]}'
		echo "}"
	} >"$USERS"
}
users_json
ns_start
conf() {
	ns_conf MODE=persistent PROMPT=poll APPROVAL_TIMEOUT="${APPROVAL_TIMEOUT:-30}"
	printf '\n[accounts]\ncreate = yes\nhome = %s/%%u\nmax_pending = %s\n' "$NS_HOME" \
		"${MAX_PENDING:-8}" >>"$ETC/security/pam_okta_groups.conf"
	[ -z "${RECENT:-}" ] || conf_set "$ETC/security/pam_okta_groups.conf" login "recent_login = $RECENT"
}
conf
ns_pam okta-acct "auth     required  pam_okta_groups.so
account  required  pam_okta_groups.so
session  required  pam_mkhomedir.so skel=/etc/skel umask=0077"
ns_pam okta-acct-only "account  required  pam_okta_groups.so"
tool() { in_ns "$TOOL" "$@"; }
sums() { cat "$ETC/passwd" "$ETC/group" "$ETC/shadow" "$ETC/gshadow" | sha256sum; }
uid_of() { awk -F: -v u="$1" '$1 == u { print $3 }' "$ETC/passwd"; }

# pt_start USER OUT: pamtester auth+account in the background, in poll mode.
pt_start() {
	: >"$2"         # before the link is looked for: no stale one
	in_ns stdbuf -o0 pamtester -v okta-acct "$1" authenticate acct_mgmt open_session </dev/null >>"$2" 2>&1 &
}
# pt_approve OUT APPROVER: waits for the link in OUT and approves it as APPROVER.
pt_approve() {
	local url=""
	for _ in $(seq 150); do
		url=$(sed -n 's/^ *Open: *//p' "$1" | head -1)
		[ -n "$url" ] && break
		sleep 0.1
	done
	[ -n "$url" ] || { cat "$1"; fail "no link in $1"; }
	in_ns node "$IDP/approve.js" --ca "$CA" --user "$2" --password "$2-pw" --url "$url" \
		>>"$T/approve.out" 2>&1 || { cat "$T/approve.out"; fail "approving $2 failed"; }
}
# pt_login USER [APPROVER]: one whole login; output in $T/out, exit code in $rc.
pt_login() {
	pt_start "$1" "$T/out"
	local pid=$!
	pt_approve "$T/out" "${2:-$1}"
	rc=0
	wait "$pid" || rc=$?
}

# 1. Four new users at once.
pids=()
for u in anna bert cara dino; do
	pt_start "$u" "$T/pt.$u"
	pids+=($!)
done
for u in anna bert cara dino; do pt_approve "$T/pt.$u" "$u"; done
for i in 0 1 2 3; do wait "${pids[$i]}" || true; done
uids=""
for u in anna bert cara dino; do
	grep -q "account management done" "$T/pt.$u" || { cat "$T/pt.$u"; ns_log accounts | tail; fail "$u's first login failed"; }
	uid=$(uid_of "$u")
	[ -n "$uid" ] && [ "$uid" -ge 1879048192 ] && [ "$uid" -le 2147483646 ] || fail "$u: uid '$uid'"
	grep -q "^$u:x:$uid:" "$ETC/group" || fail "$u: no private group $uid"
	[ -d "$NS_HOME/$u" ] || fail "$u: no home from pam_mkhomedir"
	uids="$uids $uid"
done
[ "$(echo "$uids" | tr ' ' '\n' | sed '/^$/d' | sort -u | wc -l)" = 4 ] || fail "four users, UIDs:$uids"
in_ns pwck -r >"$T/pwck" 2>&1 || { grep -Ei "anna|bert|cara|dino" "$T/pwck" && fail "pwck -r: $(cat "$T/pwck")"; }
in_ns grpck -r >"$T/grpck" 2>&1 || { grep -Ei "anna|bert|cara|dino" "$T/grpck" && fail "grpck -r: $(cat "$T/grpck")"; }
ok "four new users at once through pamtester: four distinct UIDs ($uids ), pwck -r and grpck -r say nothing of them"

# 2. Names that must never be created.
before=$(sums)
reqs=$(idp_device_requests)
for name in docker Anna bad.name; do
	in_ns pamtester -v okta-acct "$name" authenticate </dev/null >"$T/out" 2>&1 && fail "pamtester $name succeeded"
	grep -q "Open:" "$T/out" && fail "$name: a device flow started"
	[ ! -e "$T/state/accounts/$name" ] || fail "a record for $name"
done
[ "$(sums)" = "$before" ] || fail "a refused name changed passwd/group/shadow/gshadow"
[ "$(idp_device_requests)" = "$reqs" ] || fail "refused names reached the provider"
ok "a local group's name (docker), upper case (Anna), an invalid name (bad.name): refused, no device flow, nothing created"

# 3. users list, and last_login.
tool users >"$T/list" 2>&1 || { cat "$T/list"; fail "users list"; }
grep -Eq "^anna +$(uid_of anna) +00u-anna .* active$" "$T/list" || { cat "$T/list"; fail "users list: anna"; }
sed -i 's/^last_login .*/last_login 1700000000/' "$T/state/accounts/anna"
pt_login anna
[ "$rc" = 0 ] || { cat "$T/out"; fail "anna's second login"; }
last=$(sed -n 's/^last_login //p' "$T/state/accounts/anna")
[ "$last" -gt 1700000000 ] || fail "last_login after a login: $last"
ok "users list: name, UID, sub, created, last login, state; a login updates last_login"

# 4. Another sub for a created account.
users_json '"bert": {"sub": "00u-bert-recreated", "password": "bert-pw", "email": "bert@example.com", "preferred_username": "bert@example.com", "groups": ["DevTeam"], "amr": ["pwd"]}'
# (the later "bert" key wins in JSON.parse)
pt_login bert
[ "$rc" != 0 ] || fail "another sub for created bert was let in"
grep -q "bound to a different Okta user" "$T/out" || { cat "$T/out"; fail "the sentence for another sub"; }
tool users rebind bert >"$T/rb" 2>&1 || { cat "$T/rb"; fail "users rebind bert"; }
pt_login bert
[ "$rc" = 0 ] || { cat "$T/out"; fail "bert after users rebind"; }
grep -q "^sub 00u-bert-recreated$" "$T/state/accounts/bert" || fail "bert's record after rebind: $(cat "$T/state/accounts/bert")"
ok "another Okta sub for created bert: refused until users rebind, then its record follows"
users_json

# 5. users lock.
tool users lock cara >"$T/lk" 2>&1 || { cat "$T/lk"; fail "users lock cara"; }
grep -q "^state locked$" "$T/state/accounts/cara" || fail "cara's record: $(cat "$T/state/accounts/cara")"
in_ns grep -q '^cara:!' /etc/shadow || fail "usermod -L did not lock cara's password"
reqs=$(idp_device_requests)
in_ns pamtester -v okta-acct cara authenticate </dev/null >"$T/out" 2>&1 && fail "locked cara authenticated"
grep -q "This account is locked on this host" "$T/out" || { cat "$T/out"; fail "locked: the sentence"; }
[ "$(idp_device_requests)" = "$reqs" ] || fail "a locked account reached the provider"
RECENT=1d conf
in_ns pamtester -v okta-acct-only dino acct_mgmt </dev/null >"$T/out" 2>&1 || { cat "$T/out"; fail "dino's key login (recent_login)"; }
tool users lock dino >/dev/null 2>&1
in_ns pamtester -v okta-acct-only dino acct_mgmt </dev/null >"$T/out" 2>&1 && fail "locked dino passed on recent_login"
grep -q "This account is locked" "$T/out" || { cat "$T/out"; fail "recent_login, locked: the sentence"; }
RECENT='' conf
tool users lock alice >"$T/lk" 2>&1 && fail "users lock of a non-created account succeeded"
grep -q "was not created by pam_okta_groups" "$T/lk" || { cat "$T/lk"; fail "lock alice: the message"; }
ok "users lock: refused at once (no device flow) and without a device flow (recent_login); a non-created account is refused"

# 6. users purge, then the same name again.
olduid=$(uid_of anna)
echo mine >"$NS_HOME/anna/keep"
tool users purge anna >"$T/pg" 2>&1 || { cat "$T/pg"; fail "users purge anna"; }
[ -z "$(uid_of anna)" ] || fail "anna is still in passwd"
! grep -q "^anna:" "$ETC/group" || fail "anna's private group is still there"
[ -f "$NS_HOME/anna/keep" ] || fail "purge deleted the home"
grep -q "^state purged$" "$T/state/accounts/anna" && grep -q "^uid $olduid$" "$T/state/accounts/anna" ||
	fail "the tombstone: $(cat "$T/state/accounts/anna")"
[ -z "$(in_ns getent passwd "$olduid")" ] || fail "the purged UID resolves"
tool users purge alice >"$T/pg" 2>&1 && fail "users purge of a non-created account succeeded"
grep -q "was not created by pam_okta_groups" "$T/pg" || { cat "$T/pg"; fail "purge alice: the message"; }
pt_login erik
[ "$rc" = 0 ] || { cat "$T/out"; fail "erik's first login"; }
[ "$(uid_of erik)" != "$olduid" ] || fail "erik got anna's tombstoned UID"
pt_login anna
[ "$rc" = 0 ] || { cat "$T/out"; fail "anna after the purge"; }
[ "$(uid_of anna)" = "$olduid" ] || fail "anna came back with $(uid_of anna), not $olduid"
ok "users purge: the account and its group go, the home stays, the tombstone keeps uid $olduid; anna comes back with it"

# 6b. A purged name and another Okta identity: the UID and the kept home
# are the old owner's, so it waits until users rebind releases the name.
tool users purge anna >"$T/pg" 2>&1 || { cat "$T/pg"; fail "users purge anna, again"; }
users_json '"anna": {"sub": "00u-anna-someone-else", "password": "anna-pw", "email": "anna@example.com", "preferred_username": "anna@example.com", "groups": ["DevTeam"], "amr": ["pwd"]}'
before=$(sums)
pt_login anna
[ "$rc" != 0 ] || fail "another Okta sub took purged anna's name"
grep -q "bound to a different Okta user" "$T/out" || { cat "$T/out"; fail "the sentence for another sub on a tombstone"; }
[ -z "$(uid_of anna)" ] && [ "$(sums)" = "$before" ] || fail "anna was created again for another sub"
ns_log "anna was purged; its uid $olduid and the home purge kept are sub=\"00u-anna\"'s" | grep -q . ||
	{ ns_log accounts | tail -3; fail "no log line for another sub on a tombstone"; }
tool users rebind anna >"$T/rb" 2>&1 || { cat "$T/rb"; fail "users rebind of purged anna"; }
grep -q "uid $olduid stays retired" "$T/rb" && grep -q "$NS_HOME/anna" "$T/rb" ||
	{ cat "$T/rb"; fail "rebind of a tombstone: what it says of the UID and the home"; }
grep -q "^state released$" "$T/state/accounts/anna" || fail "the released tombstone: $(cat "$T/state/accounts/anna")"
pt_login anna
[ "$rc" = 0 ] || { cat "$T/out"; fail "another sub after users rebind released anna"; }
newuid=$(uid_of anna)
[ -n "$newuid" ] && [ "$newuid" != "$olduid" ] || fail "released anna was created with uid '$newuid' (the old one: $olduid)"
grep -q "^sub 00u-anna-someone-else$" "$T/state/accounts/anna" && grep -q "^state active$" "$T/state/accounts/anna" &&
	grep -q "^retired $olduid$" "$T/state/accounts/anna" ||
	fail "anna's record after the release: $(cat "$T/state/accounts/anna")"
[ "$(stat -c %u "$NS_HOME/anna")" = "$olduid" ] || fail "the kept home changed owner: $(stat -c %u "$NS_HOME/anna")"
users_json
ok "a purged name and another Okta sub: refused, nothing created, until users rebind releases it; then a new uid $newuid, and $olduid stays retired"

# 7. expire locks a created account not seen within its limit.
sed -i 's/^last_login .*/last_login 1700000000/' "$T/state/accounts/erik"
tool expire --older-than 30d >"$T/ex" 2>&1 || { cat "$T/ex"; fail "expire"; }
grep -q "erik: locked" "$T/ex" && grep -q "^state locked$" "$T/state/accounts/erik" || { cat "$T/ex"; fail "expire did not lock erik"; }
grep -q "^state active$" "$T/state/accounts/anna" || fail "expire locked anna, seen just now"
[ -d "$NS_HOME/erik" ] || fail "expire deleted a home"
ok "expire locks created erik (last login long ago), leaves anna, deletes no home"

# 8. max_pending: a flood of invented names.
MAX_PENDING=2 APPROVAL_TIMEOUT=10 conf
reqs=$(idp_device_requests)
pids=()
for i in 1 2 3 4 5 6; do
	in_ns stdbuf -o0 pamtester -v okta-acct "flood$i" authenticate </dev/null >"$T/flood.$i" 2>&1 &
	pids+=($!)
done
sleep 2
inflight=$(( $(idp_device_requests) - reqs ))
full=$(grep -l "Too many Okta sign-ins are in progress" "$T"/flood.* | wc -l)
for p in "${pids[@]}"; do wait "$p" || true; done
[ "$inflight" -le 2 ] || fail "the flood started $inflight device authorizations, max_pending is 2"
[ "$full" -ge 4 ] || { cat "$T"/flood.*; fail "only $full of 6 refused at once"; }
[ "$(( $(idp_device_requests) - reqs ))" -le 2 ] || fail "more device authorizations after the flood"
pt_login fred
[ "$rc" = 0 ] || { cat "$T/out"; fail "fred after the flood"; }
ok "max_pending = 2: six invented names start $inflight device authorizations, $full are refused at once; fred signs in afterwards"
MAX_PENDING=8 conf

# 9. Console login(1): the first login creates the account too.
if [ -x /bin/login ]; then
	ns_pam login "auth     required  $MODULE
account  required  $MODULE
session  required  pam_mkhomedir.so skel=/etc/skel umask=0077
session  required  pam_permit.so
password required  pam_deny.so"
	cat >"$T/login.exp" <<'EXP'
set timeout 40
lassign $argv user approver
spawn -noecho /bin/login $user
expect {
	-re {Open: +([^\s]+)} { set url $expect_out(1,string) }
	timeout { puts "\nEXP: no link"; exit 2 }
	eof { puts "\nEXP: no link"; exit 3 }
}
exec sh -c "$approver '$url'" 2>@1
expect {
	-re {\$ $} {}
	timeout { puts "\nEXP: no shell"; exit 2 }
	eof { puts "\nEXP: no shell"; exit 3 }
}
send "id -un | sed 's/^/WHO: /'\r"
expect -re {WHO: ([a-z]+)\r} { puts "\nEXP: who $expect_out(1,string)" }
send "exit\r"
expect eof
EXP
	in_ns expect -f "$T/login.exp" gina "$(approver gina)" >"$T/login.raw" 2>&1 || true
	tr -d '\r' <"$T/login.raw" >"$T/out"
	grep -q "EXP: who gina" "$T/out" || { cat "$T/out"; ns_log accounts | tail -5; fail "login(1) gina"; }
	[ -n "$(uid_of gina)" ] && grep -q "^state active$" "$T/state/accounts/gina" || fail "login(1) did not create gina"
	ok "console login(1): gina's first login creates her account and starts a shell"
else
	echo "# skipped: login(1) is not installed"
fi
# 10. okta-groups check: the host's side of first logins.
sed -i -E 's/^passwd:.*/passwd: files systemd/' "$ETC/nsswitch.conf"
printf 'AllowGroups ssh-users\n' >>"$ETC/ssh/sshd_config"
sed -i "s|^shell = .*||" "$ETC/security/pam_okta_groups.conf"
printf 'shell = /usr/bin/no-such-shell\n' >>"$ETC/security/pam_okta_groups.conf"
tool check >"$T/check" 2>&1 || true
grep -q "does not name okta_groups" "$T/check" || { cat "$T/check"; fail "check: no warning about nsswitch.conf"; }
grep -q "AllowGroups: sshd evaluates it before" "$T/check" || { cat "$T/check"; fail "check: no warning about AllowGroups"; }
grep -q "shell /usr/bin/no-such-shell is not an executable" "$T/check" || { cat "$T/check"; fail "check: no warning about the shell"; }
conf
sed -i -E 's/^passwd:.*/passwd: files okta_groups/' "$ETC/nsswitch.conf"
sed -i '/^AllowGroups ssh-users$/d' "$ETC/ssh/sshd_config"
tool check >"$T/check" 2>&1 || true
! grep -Eq "does not name okta_groups|AllowGroups|not an executable" "$T/check" || { cat "$T/check"; fail "check warned about a good host"; }
ok "okta-groups check warns about the nsswitch line, AllowGroups and the shell, and not on a good host"
echo "$checks passed, 0 failed"
