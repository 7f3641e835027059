#!/bin/bash
# 100 logins in one process under valgrind memcheck (tests/leakloop.c):
# pam_start_confdir, authenticate, acct_mgmt, pam_end against the test
# provider, in persistent mode on a temp group file, with the user's
# Okta groups flipped between two sets on every login so that every
# account phase rewrites both files. It must show no memory error, zero
# bytes definitely or indirectly lost, the same open descriptors after
# the last login as after the first, and no more memory in use at exit
# after 100 logins than after 3.
#
# Run by scripts/check.d/valgrind.sh, not by make check (the sanitizer
# build must not run valgrind over ASan). LEAKLOOP_CYCLES overrides 100.
. "$(dirname "$0")/lib.sh"

need_cmd valgrind
need_root "the module takes only a root-owned config"
LEAKLOOP="$top_builddir/tests/leakloop"
[ -x "$LEAKLOOP" ] || fail "not built: $LEAKLOOP (make check or make tests/leakloop builds it)"
CYCLES=${LEAKLOOP_CYCLES:-100}

# The account phase looks the user up with getpwnam: log in as the user
# who runs the test (root), so no user has to be created. The provider
# knows them as ME@example.com.
ME=$(id -un)
# The test signs this account in with Okta: not a break-glass one here.
export LOCAL_USERS=
cat >"$USERS" <<JSON
{"$ME": {"password": "$ME-pw", "email": "$ME@example.com",
         "preferred_username": "$ME@example.com", "name": "Leak Loop",
         "groups": ["DevTeam"], "amr": ["pwd", "mfa"]}}
JSON

idp_start leak
{
	echo "root:x:0:"
	echo "wheel:x:10:"
	echo "adm:x:4:"
	echo "devteam:x:1500:"
	echo "docker:x:997:"
	# a big file, so that the rewrite is not trivial
	for i in $(seq 1 500); do echo "local$i:x:$((20000 + i)):someone,other"; done
} >"$T/group"
sed 's/^\([^:]*\):x:[0-9]*:\(.*\)$/\1:!::\2/' "$T/group" >"$T/gshadow"
chmod 644 "$T/group"
chmod 600 "$T/gshadow"
MODE=persistent write_conf "$T/pam_okta_groups.conf"
pam_service leak

# The approver: flips the groups the provider will put in the next ID
# token (the users file is re-read for every token), then approves.
cat >"$T/approve.sh" <<SH
#!/bin/sh
if grep -q DevTeam "$USERS"; then from=DevTeam to="Organization Admins"
else from="Organization Admins" to=DevTeam; fi
sed "s/\"\$from\"/\"\$to\"/" "$USERS" >"$USERS.new" && mv "$USERS.new" "$USERS"
exec $(approver "$ME") "\$@"
SH
chmod 755 "$T/approve.sh"
export LEAKLOOP_APPROVE="$T/approve.sh"

# The loop itself must work before valgrind is asked about it.
"$LEAKLOOP" "$T/pam.d" leak "$ME" 2 >"$T/plain.out" 2>&1 ||
	{ cat "$T/plain.out"; fail "leakloop fails without valgrind"; }
ok "two logins without valgrind: $(grep -o '[0-9.]* s each' "$T/plain.out")"

# memcheck LOG CYCLES [VALGRIND-ARGS...]: the loop under valgrind.
memcheck() {
	local log=$1 cycles=$2
	shift 2
	valgrind --tool=memcheck --leak-check=full --errors-for-leak-kinds=definite,indirect \
		--show-leak-kinds=definite,indirect --error-exitcode=1 --track-fds=yes \
		--num-callers=30 --log-file="$log" "$@" \
		"$LEAKLOOP" "$T/pam.d" leak "$ME" "$cycles"
}
# On failure: a short rerun that keeps the symbols of the unloaded module
# (--keep-debuginfo makes every login half again as slow).
explain() {
	echo "--- $1; a 3-login rerun with the module's symbols:"
	memcheck "$T/valgrind-again.log" 3 --keep-debuginfo=yes >/dev/null 2>&1 || true
	sed 's/^==[0-9]*== //' "$T/valgrind-again.log"
	fail "$1"
}

# in_use LOG: the bytes in use at exit.
in_use() {
	sed -n 's/^==[0-9]*== *in use at exit: \([0-9,]*\) bytes.*/\1/p' "$1" | tr -d ,
}

# A short run first: what stays allocated whatever the number of logins.
memcheck "$T/valgrind-short.log" 3 >"$T/out-short" 2>&1 ||
	{ cat "$T/out-short"; explain "valgrind fails for 3 logins"; }
short=$(in_use "$T/valgrind-short.log")

rc=0
memcheck "$T/valgrind.log" "$CYCLES" >"$T/out" 2>&1 || rc=$?
cat "$T/out"
sed -n '/HEAP SUMMARY/,$p' "$T/valgrind.log" | sed 's/^==[0-9]*== //'
[ "$rc" = 0 ] || explain "valgrind or leakloop failed (exit $rc)"
expect_out "leakloop: $CYCLES cycles in .* 0 failed, 0 approvals failed" "every login succeeded"
grep -q 'definitely lost: 0 bytes in 0 blocks' "$T/valgrind.log" || explain "memory definitely lost"
grep -q 'indirectly lost: 0 bytes in 0 blocks' "$T/valgrind.log" || explain "memory indirectly lost"
grep -q 'ERROR SUMMARY: 0 errors' "$T/valgrind.log" || explain "memcheck errors"
ok "$CYCLES logins under valgrind: no errors, nothing definitely or indirectly lost"

long=$(in_use "$T/valgrind.log")
[ -n "$short" ] && [ -n "$long" ] && [ "$long" -le $((short + 1024)) ] ||
	fail "memory in use at exit grows with the logins: $short bytes after 3, $long after $CYCLES"
ok "memory in use at exit steady: $short bytes after 3 logins, $long after $CYCLES"

fds=$(sed -n 's/^leakloop: open fds after cycle 1: \([0-9]*\), after cycle [0-9]*: \([0-9]*\)$/\1 \2/p' "$T/out")
set -- $fds
[ $# = 2 ] && [ "$1" = "$2" ] || fail "open descriptors changed: $fds"
ok "open descriptors steady: $1 after the first login and after the last"

# Every login rewrote the files: the user ends in one of the two sets.
grep -q "^devteam:x:1500:$ME\$" "$T/group" || grep -q "^wheel:x:10:$ME\$" "$T/group" ||
	fail "the group file does not show the last login's groups"
n=$(grep -c "POST /oauth2/default/v1/token 200" "$IDP_STATE/idp.log" || true)
[ "$n" -ge "$CYCLES" ] || fail "only $n tokens were issued for $CYCLES logins"
ok "each login was a real sign-in ($n tokens issued), and the group files follow the last"

echo "$checks passed, 0 failed"
