#!/bin/bash
# Crash safety of the group files. tests/crashsync.c runs the sync of
# the account phase (persistent mode) against a 10,000-line group file
# and its gshadow, and kills it:
#
# 1. before each write, fsync and rename of grpfile.c in turn (the sync
#    SIGKILLs itself just before the call);
# 2. at 200 random moments, SIGKILLed by its parent within the time a
#    sync takes (measured first, microsecond delays from the fork).
#
#    After each kill: each file is exactly the old or the new version
#    (byte for byte), never a new group with an old gshadow, any backup
#    a whole copy of the old file, the lock free, the ledger sound; and
#    a fresh sync succeeds at once, gives exactly the new files, and
#    leaves no temp file. grpck -r runs over every state a kill can
#    leave (each file old or new: since every file is checked to be one
#    of two byte strings, a grpck of each pair stands for all kills).
# 3. A full disk (a tiny tmpfs) and a read-only folder: the login (pamrun,
#    auth and account) fails with PAM_SYSTEM_ERR and one plain sentence,
#    and the files are as they were, with no temp file left.
#
# CRASH_KILLS overrides the number of random kills (at least 200);
# CRASHSYNC_SEED fixes their moments.
. "$(dirname "$0")/lib.sh"

CRASHSYNC="$top_builddir/tests/crashsync"
[ -x "$CRASHSYNC" ] || fail "not built: $CRASHSYNC (make check builds it)"
KILLS=${CRASH_KILLS:-200}
[ "$KILLS" -ge 200 ] || fail "CRASH_KILLS must be at least 200"
START=$(date +%s)

# A little root for grpck -R: etc/passwd, etc/shadow, etc/group, etc/gshadow.
ROOT="$T/root"
ETC="$ROOT/etc"
REF="$T/ref"
mkdir -p "$ETC" "$REF"
{
	echo "root:x:0:0:root:/root:/bin/sh"
	for i in $(seq -w 1 20); do echo "u$i:x:20$i:20$i::/nonexistent:/usr/sbin/nologin"; done
} >"$ETC/passwd"
sed 's/^\([^:]*\):.*/\1:*:19700:0:99999:7:::/' "$ETC/passwd" >"$ETC/shadow"
awk -v g="$ETC/group" -v s="$ETC/gshadow" 'BEGIN {
	print "root:x:0:" > g;            print "root:*::" > s
	print "devteam:x:1500:u02" > g;   print "devteam:!::u02" > s
	print "docker:x:997:" > g;        print "docker:!::" > s
	print "ops:x:1700:u01,u03" > g;   print "ops:!::u01,u03" > s
	for (i = 1; i <= 20; i++) {
		printf "u%02d:x:20%02d:\n", i, i > g; printf "u%02d:!::\n", i > s
	}
	for (i = 1; i <= 10000; i++) {
		m = sprintf("u%02d,u%02d", i % 20 + 1, (i + 7) % 20 + 1)
		printf "g%05d:x:%d:%s\n", i, 10000 + i, m > g
		printf "g%05d:!::%s\n", i, m > s
	}
}'
chmod 644 "$ETC/passwd" "$ETC/group"
chmod 600 "$ETC/shadow"
chmod 640 "$ETC/gshadow"
cp -p "$ETC/group" "$REF/group.old"
cp -p "$ETC/gshadow" "$REF/gshadow.old"

# The new version: u01 loses ops and gains devteam and docker; nothing else changes.
"$CRASHSYNC" sync "$ETC" "$T/state-plain" u01 DevTeam >"$T/sync.out" 2>&1 ||
	{ cat "$T/sync.out"; fail "a plain sync fails"; }
cp -p "$ETC/group" "$REF/group.new"
cp -p "$ETC/gshadow" "$REF/gshadow.new"
for f in group gshadow; do
	diff "$REF/$f.old" "$REF/$f.new" >"$T/$f.diff" || true
	[ "$(grep -c '^[<>]' "$T/$f.diff")" = 6 ] || { cat "$T/$f.diff"; fail "$f: expected 3 changed lines"; }
done
grep -q '^> devteam:x:1500:u02,u01$' "$T/group.diff" && grep -q '^> ops:x:1700:u03$' "$T/group.diff" &&
	grep -q '^> docker:x:997:u01$' "$T/group.diff" || { cat "$T/group.diff"; fail "the new group file is wrong"; }
ok "one sync of a $(wc -l <"$REF/group.old")-line group file: $(sed -n 's/^sync //p' "$T/sync.out")"

# 1 and 2: the kills, and the checks after each.
cp -p "$REF/group.old" "$ETC/group"
cp -p "$REF/gshadow.old" "$ETC/gshadow"
t0=$(date +%s)
"$CRASHSYNC" "torture:$KILLS" "$REF" "$ETC" "$T/crash-state" u01 DevTeam >"$T/torture.out" 2>&1 ||
	{ cat "$T/torture.out"; fail "a killed sync left a bad state (see above)"; }
sed 's/^/  /' "$T/torture.out"
grep -q ' 1:old/old ' "$T/torture.out" && grep -q ':old/new$' "$T/torture.out" ||
	fail "the kills before each call did not cover the old files and the step between the renames"
ok "a SIGKILL before each write, fsync and rename, and $KILLS at random moments ($(( $(date +%s) - t0 )) s): each file old or new, lock free, next sync at once"

# grpck -r over every state a kill can leave.
if [ "$(id -u)" = 0 ] && command -v grpck >/dev/null 2>&1; then
	for st in old/old old/new new/new; do
		cp -p "$REF/group.${st%/*}" "$ETC/group"
		cp -p "$REF/gshadow.${st#*/}" "$ETC/gshadow"
		rc=0
		grpck -R "$ROOT" -r /etc/group /etc/gshadow >"$T/grpck.out" 2>&1 || rc=$?
		[ "$rc" = 0 ] || { cat "$T/grpck.out"; fail "grpck -r fails (exit $rc) with group $st"; }
		if [ "$st" = old/new ]; then
			# Between the two renames the member lists of u01's groups
			# differ between the files: grpck notes it, and exits 0.
			! grep -v "^'u01' is a member of the '[a-z]*' group in /etc/g[a-z]* but not in /etc/g[a-z]*\$" \
				"$T/grpck.out" | grep -q . || { cat "$T/grpck.out"; fail "grpck -r complains ($st)"; }
			notes=$(wc -l <"$T/grpck.out")
		else
			[ ! -s "$T/grpck.out" ] || { cat "$T/grpck.out"; fail "grpck -r complains ($st)"; }
		fi
	done
	ok "grpck -r is clean (exit 0) for group/gshadow old/old, new/new, and old/new ($notes member-list notes)"
else
	echo "SKIP (part): grpck -r over a test root needs root and grpck (package passwd)"
fi

# 3. A full disk and a read-only folder, through the whole login.
ME=$(id -un)
# The test signs this account in with Okta: not a break-glass one here.
export LOCAL_USERS=
cat >"$USERS" <<JSON
{"$ME": {"password": "$ME-pw", "email": "$ME@example.com",
         "preferred_username": "$ME@example.com", "name": "Crash Test",
         "groups": ["DevTeam"], "amr": ["pwd", "mfa"]}}
JSON
idp_start crash
pam_service okta
PAMRUN_APPROVE=$(approver "$ME")
export PAMRUN_APPROVE
{
	printf 'root:x:0:\nwheel:x:10:\nadm:x:4:\ndevteam:x:1500:\ndocker:x:997:\n'
	for i in $(seq 1 300); do echo "local$i:x:$((20000 + i)):someone"; done
} >"$T/group.small"
sed 's/^\([^:]*\):x:[0-9]*:\(.*\)$/\1:!::\2/' "$T/group.small" >"$T/gshadow.small"
chmod 644 "$T/group.small"
chmod 640 "$T/gshadow.small"

# files_intact DIR LABEL: the group files in DIR are the originals, alone.
files_intact() {
	cmp -s "$1/group" "$T/group.small" || fail "$2: the group file changed"
	cmp -s "$1/gshadow" "$T/gshadow.small" || fail "$2: the gshadow file changed"
	[ ! -e "$1/group+" ] && [ ! -e "$1/gshadow+" ] || fail "$2: a temp file is left behind"
}

# login_fails LABEL: pamrun said auth succeeded, account failed cleanly.
login_fails() {
	expect_out "result auth PAM_SUCCESS" "$1: auth"
	expect_out "result account PAM_SYSTEM_ERR" "$1: account fails"
	expect_out "error: The sign-in failed because of a system error." "$1: one plain sentence"
	[ "$(grep -c '^error: ' "$T/out")" = 1 ] || { cat "$T/out"; fail "$1: more than one error sentence"; }
}

if [ "$(id -u)" = 0 ] && unshare --mount --propagation private true 2>/dev/null; then
	# in_private_mount SETUP AFTER: in a private mount namespace, runs
	# SETUP, then pamrun auth account (output in $T/out), then AFTER.
	in_private_mount() {
		local rc=0
		unshare --mount --propagation private -- /bin/sh -ec "$1
			rc=0; \"\$@\" || rc=\$?
			$2
			exit \$rc" sh "$PAMRUN" "$T/pam.d" okta "$ME" auth account >"$T/out" 2>&1 || rc=$?
		return $rc
	}
	# A tmpfs on $T/full with the group files and not one free block.
	FULL_SETUP="
		mount -t tmpfs -o size=1m,mode=755 pog-full '$T/full'
		cp -p '$T/group.small' '$T/full/group'
		cp -p '$T/gshadow.small' '$T/full/gshadow'
		dd if=/dev/zero of='$T/full/filler' bs=4096 2>/dev/null || true
		if dd if=/dev/zero of='$T/full/more' bs=4096 count=1 2>/dev/null; then exit 3; fi"
	# ... and what is left on it afterwards, before it goes with the namespace.
	FULL_AFTER="
		cp -p '$T/full/group' '$T/full/gshadow' '$T/fullcopy/'
		ls -a '$T/full' >'$T/full.ls'"
	mkdir -p "$T/full" "$T/fullcopy"

	# a: the group files on a full disk, the ledger elsewhere.
	GROUP_FILE="$T/full/group" GSHADOW_FILE="$T/full/gshadow" MODE=persistent \
		write_conf "$T/pam_okta_groups.conf"
	in_private_mount "$FULL_SETUP" "$FULL_AFTER" || true
	login_fails "full disk"
	files_intact "$T/fullcopy" "full disk"
	# The intent is recorded only once both new files are written: a
	# change that could not be written leaves the ledger (elsewhere) alone.
	! grep -qs '"devteam"' "$T/state/$ME" || { cat "$T/state/$ME"; fail "full disk: the ledger records an intent for a change that was never written"; }
	! grep -q '^group[+-]$\|^gshadow[+-]$' "$T/full.ls" || { cat "$T/full.ls"; fail "full disk: a temp or backup file is left"; }
	ok "full disk under the group files: account fails cleanly, files intact"

	# b: the ledger on the full disk too: not even the intent is written.
	GROUP_FILE="$T/full/group" GSHADOW_FILE="$T/full/gshadow" MODE=persistent \
		write_conf "$T/pam_okta_groups.conf"
	sed -i "s|^state_dir = .*|state_dir = $T/full/state|" "$T/pam_okta_groups.conf"
	rm -f "$T/fullcopy/"*
	in_private_mount "$FULL_SETUP" "$FULL_AFTER; ls -a '$T/full/state' >'$T/full-state.ls'" || true
	login_fails "full disk, ledger too"
	files_intact "$T/fullcopy" "full disk, ledger too"
	! grep -q '^group[+-]$\|^gshadow[+-]$' "$T/full.ls" || { cat "$T/full.ls"; fail "full disk, ledger too: a temp or backup file is left"; }
	! grep -q "^$ME" "$T/full-state.ls" || { cat "$T/full-state.ls"; fail "full disk, ledger too: a ledger file is left"; }
	ok "full disk under the group files and the ledger: account fails cleanly, files intact"

	# c: a read-only folder (a read-only bind mount; root ignores modes).
	mkdir -p "$T/ro"
	cp -p "$T/group.small" "$T/ro/group"
	cp -p "$T/gshadow.small" "$T/ro/gshadow"
	GROUP_FILE="$T/ro/group" GSHADOW_FILE="$T/ro/gshadow" MODE=persistent \
		write_conf "$T/pam_okta_groups.conf"
	in_private_mount "
		mount --bind '$T/ro' '$T/ro'
		mount -o remount,bind,ro '$T/ro'
		if touch '$T/ro/probe' 2>/dev/null; then exit 3; fi" "" || true
	login_fails "read-only folder"
	files_intact "$T/ro" "read-only folder"
	ok "read-only folder: account fails cleanly, files intact"
elif [ "$(id -u)" != 0 ]; then
	# The module takes only a root-owned config, and a tmpfs needs root.
	echo "SKIP (part): the full-disk and read-only logins need root"
else
	echo "SKIP (part): cannot create a mount namespace here (unshare --mount failed)"
fi

echo "$checks passed, 0 failed ($(( $(date +%s) - START )) s)"
