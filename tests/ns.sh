# shellcheck shell=bash
# tests/ns.sh - a private mount namespace over a copy of /etc, for the
# tests that need real users, /etc/group, /etc/pam.d or sshd. Source it
# after tests/lib.sh (it uses $T, skip, fail and cleanup).
#
#   ns_start         builds the copy and starts the namespace
#   in_ns CMD...     runs CMD inside it (nsenter)
#   ns_bg NAME CMD   starts CMD inside it in the background; stopped at exit
#   ns_log           the syslog lines captured inside ($T/syslog)
#
# The host's /etc is never written. Inside the namespace these are
# private bind mounts, gone with the namespace:
#   /etc      $T/etc, a copy (cp -a) with the users alice, bob and carol,
#             the groups of the example roles, and the PAM services
#   /run      $T/run (utmp, /run/sshd; hides the host's nscd and sssd
#             sockets, so lookups read the copied files)
#   /var/log  $T/varlog (wtmp, btmp and lastlog of sshd and login)
#   /var/lib/sss  $T/sss when it exists (the module runs sss_cache)
#   /dev      a tmpfs with the host's null, zero, tty, ptmx, pts... and
#             /dev/log, a socket tests/syslogd.pl reads into $T/syslog
#   PAMDIR    $T/pam-modules, a copy of the system's PAM module folder
#             with pam_okta_groups.so installed, for plain "pam_okta_groups.so"
#
# A holder process (the syslog listener, tests/syslogd.pl) keeps the namespace alive;
# everything started in it is stopped when the test exits, even on failure.

need_root "private mount namespaces over a copy of /etc"
need_cmd unshare
need_cmd nsenter
need_cmd perl
unshare --mount --propagation private true 2>/dev/null ||
	skip "cannot create a mount namespace here (unshare --mount failed)"

ETC="$T/etc"
NS_HOME="$T/home"
SYSLOG="$T/syslog"
PAMDIR=$(dirname "$(ls /lib/*/security/pam_unix.so /lib/security/pam_unix.so \
	/usr/lib/*/security/pam_unix.so 2>/dev/null | head -1)")
[ -n "$PAMDIR" ] && [ "$PAMDIR" != . ] || skip "cannot find the system's PAM module folder"
NS_PID=""
_ns_bg=""

# What the host's files look like now; compared at exit.
_ns_host_sum() {
	(cd /etc && cat passwd group shadow gshadow 2>/dev/null; ls -la pam.d security ssh 2>/dev/null) |
		sha256sum
}
_ns_host_before=$(_ns_host_sum)

# The pids of every process in the namespace: all of them were started
# by this test (the holder, sshd, login, pamtester and their children).
_ns_members() {
	[ -n "$NS_PID" ] || return 0
	perl -e 'my $ns = readlink("/proc/$ARGV[0]/ns/mnt") or exit 0;
		for (glob "/proc/[0-9]*") {
			my $l = readlink("$_/ns/mnt");
			print((m{(\d+)$})[0], "\n") if defined $l && $l eq $ns;
		}' "$NS_PID"
}

# _ns_stop_pids PID...: TERM, up to 3 s, then KILL.
_ns_stop_pids() {
	local p
	[ $# -gt 0 ] || return 0
	kill "$@" 2>/dev/null || true
	for _ in $(seq 30); do
		for p in "$@"; do kill -0 "$p" 2>/dev/null && break; p=""; done
		[ -z "$p" ] && break
		sleep 0.1
	done
	kill -9 "$@" 2>/dev/null || true
}

ns_cleanup() {
	local rc=$? p
	exec 3>&-
	# shellcheck disable=SC2046
	_ns_stop_pids $(_ns_members | grep -vx "$NS_PID") $_ns_bg
	_ns_stop_pids $NS_PID
	# shellcheck disable=SC2046
	_ns_stop_pids $(jobs -p)
	wait 2>/dev/null || true
	if [ "$(_ns_host_sum)" != "$_ns_host_before" ]; then
		echo "FAIL: the host's /etc changed during the test"
		rc=1
	fi
	cleanup
	exit $rc
}
trap ns_cleanup EXIT
trap 'exit 1' INT TERM

# free_id FILE START: the first id >= START not used in field 3 of FILE.
_ns_free_id() {
	local id=$2
	while cut -d: -f3 "$1" | grep -qx "$id"; do id=$((id + 1)); done
	echo "$id"
}

# ns_add_user NAME: a local user with its own group, a home in $T, bash.
ns_add_user() {
	local u=$1 uid
	uid=$(_ns_free_id "$ETC/passwd" 2001)
	while cut -d: -f3 "$ETC/group" | grep -qx "$uid"; do
		uid=$(_ns_free_id "$ETC/passwd" $((uid + 1)))
	done
	mkdir -p "$NS_HOME/$u"
	echo "$u:x:$uid:$uid:$u:$NS_HOME/$u:/bin/bash" >>"$ETC/passwd"
	echo "$u:*:19700:0:99999:7:::" >>"$ETC/shadow"
	echo "$u:x:$uid:" >>"$ETC/group"
	echo "$u:!::" >>"$ETC/gshadow"
	chown "$uid:$uid" "$NS_HOME/$u"
}

# ns_add_group NAME [MEMBERS]: creates the group in the copy unless it exists.
ns_add_group() {
	local g=$1 members=${2:-} gid
	grep -q "^$g:" "$ETC/group" && return 0
	gid=$(_ns_free_id "$ETC/group" 2100)
	echo "$g:x:$gid:$members" >>"$ETC/group"
	echo "$g:!::$members" >>"$ETC/gshadow"
}

# ns_add_member GROUP USER: USER joins GROUP in both files of the copy.
ns_add_member() {
	local f
	for f in "$ETC/group" "$ETC/gshadow"; do
		awk -F: -v OFS=: -v g="$1" -v u="$2" '
			$1 == g { n = NF; $n = ($n == "" ? u : $n "," u) } { print }' \
			"$f" >"$f.new"
		cat "$f.new" >"$f"
		rm -f "$f.new"
	done
}

# groups_of USER [FILE]: the groups that list USER as a member in the
# copy's /etc/group (or FILE), sorted, on one line.
groups_of() {
	awk -F: -v u="$1" '{ n = split($NF, m, ","); for (i = 1; i <= n; i++) if (m[i] == u) print $1 }' \
		"${2:-$ETC/group}" | sort | xargs
}

# _ns_forget_user NAME: a host account of that name is left out of the copy,
# so the test users are always the same.
_ns_forget_user() {
	local f
	for f in passwd shadow group gshadow; do
		[ -f "$ETC/$f" ] || continue
		awk -F: -v OFS=: -v u="$1" '
			$1 == u { next }
			(FILENAME ~ /group$|gshadow$/) && NF >= 4 {
				n = split($NF, m, ","); out = ""
				for (i = 1; i <= n; i++) if (m[i] != u) out = out (out == "" ? "" : ",") m[i]
				$NF = out
			}
			{ print }' "$ETC/$f" >"$ETC/$f.new"
		cat "$ETC/$f.new" >"$ETC/$f"
		rm -f "$ETC/$f.new"
	done
}

_ns_build_etc() {
	cp -a /etc "$ETC"
	[ -f "$ETC/gshadow" ] || {
		cut -d: -f1 "$ETC/group" | sed 's/$/:!::/' >"$ETC/gshadow"
		chmod 640 "$ETC/gshadow"
		chown root:shadow "$ETC/gshadow" 2>/dev/null || true
	}
	# Local files only: a host's sssd or LDAP must not answer for the copy.
	sed -i -E 's/^(passwd|group|shadow|gshadow):.*/\1: files/' "$ETC/nsswitch.conf"
	# Stale locks copied from the host would block lckpwdf in the copy.
	rm -f "$ETC/.pwd.lock" "$ETC"/*.lock "$ETC/group-" "$ETC/gshadow-"
	# The example roles: admin = wheel adm, developer = devteam docker.
	for g in wheel adm devteam docker audio localonly; do ns_add_group "$g"; done
	for u in alice bob carol; do
		grep -q "^$u:" "$ETC/passwd" "$ETC/group" && _ns_forget_user "$u"
		ns_add_user "$u"
	done
	# Unmanaged memberships, which the module must never touch.
	ns_add_member audio alice
	ns_add_member localonly alice
	ns_add_member audio carol
	# carol held managed groups before; a denied login must strip them.
	# Her ledger says this module added them (hand-added ones would stay).
	ns_add_member wheel carol
	ns_add_member devteam carol
	mkdir -p "$T/state"
	chmod 700 "$T/state"
	echo '{"version":1,"user":"carol","managed":["wheel","devteam"]}' >"$T/state/carol"
	chmod 600 "$T/state/carol"
	mkdir -p "$ETC/pam.d" "$ETC/security"
}

# ns_conf [VAR=value...]: rewrites /etc/security/pam_okta_groups.conf in
# the copy with write_conf's variables (MODE, PROMPT, APPROVAL_TIMEOUT...).
ns_conf() {
	(
		for a in "$@"; do eval "${a%%=*}=\${a#*=}"; done
		GROUP_FILE=/etc/group GSHADOW_FILE=/etc/gshadow \
			write_conf "$ETC/security/pam_okta_groups.conf"
	)
}

# ns_pam NAME LINES: a PAM service file in the copy's /etc/pam.d.
ns_pam() {
	printf '%s\n' "$2" >"$ETC/pam.d/$1"
	chmod 644 "$ETC/pam.d/$1"
}

_NS_SETUP='
set -e
T=$1 PAMDIR=$2
mount -n --bind "$T/etc" /etc
mount -n --bind "$T/run" /run
mount -n --bind "$T/varlog" /var/log
mount -n --bind "$T/pam-modules" "$PAMDIR"
# sss_cache, which the module runs after a change, must not reach the host'"'"'s sssd cache.
[ ! -d /var/lib/sss ] || mount -n --bind "$T/sss" /var/lib/sss
mount -n -t tmpfs -o mode=755,nosuid ns-dev "$T/ns-dev"
for n in null zero full random urandom tty; do
	[ -e "/dev/$n" ] || continue
	: >"$T/ns-dev/$n"
	mount -n --bind "/dev/$n" "$T/ns-dev/$n"
done
mkdir "$T/ns-dev/pts" "$T/ns-dev/shm"
mount -n --rbind /dev/pts "$T/ns-dev/pts"
mount -n --rbind /dev/shm "$T/ns-dev/shm"
# As in containers: the ptmx of the (host'"'"'s) devpts instance mounted above.
ln -s pts/ptmx "$T/ns-dev/ptmx"
ln -s /proc/self/fd "$T/ns-dev/fd"
ln -s /proc/self/fd/0 "$T/ns-dev/stdin"
ln -s /proc/self/fd/1 "$T/ns-dev/stdout"
ln -s /proc/self/fd/2 "$T/ns-dev/stderr"
mount -n --move "$T/ns-dev" /dev
shift 2
exec "$@"
'

ns_start() {
	_ns_build_etc
	mkdir -p "$T/run/sshd" "$T/run/lock" "$T/varlog" "$T/ns-dev" "$T/pam-modules" "$T/sss"
	chmod 755 "$T/run" "$T/run/sshd" "$T/varlog"
	: >"$T/run/utmp"
	for f in wtmp btmp lastlog faillog; do : >"$T/varlog/$f"; done
	cp -a "$PAMDIR/." "$T/pam-modules/"
	cp "$MODULE" "$T/pam-modules/pam_okta_groups.so"
	chmod 644 "$T/pam-modules/pam_okta_groups.so"
	: >"$SYSLOG"
	# shellcheck disable=SC2154 # top_srcdir: set by tests/lib.sh
	unshare --mount --propagation private -- /bin/sh -c "$_NS_SETUP" sh "$T" "$PAMDIR" \
		perl "$top_srcdir/tests/syslogd.pl" --ready "$T/ns.ready" /dev/log "$SYSLOG" >"$T/ns.out" 2>&1 &
	NS_PID=$!
	for _ in $(seq 100); do
		[ -f "$T/ns.ready" ] && break
		kill -0 "$NS_PID" 2>/dev/null || break
		sleep 0.05
	done
	[ -f "$T/ns.ready" ] || { cat "$T/ns.out"; fail "the namespace did not start"; }
	# Prove the isolation before any test writes: the copy is /etc inside,
	# and not outside.
	in_ns grep -q '^alice:' /etc/passwd || fail "the namespace does not see the /etc copy"
	! grep -q "^alice:x:.*:$NS_HOME/alice:" /etc/passwd || fail "the host's /etc has the test users"
}

# in_ns CMD...: runs CMD in the namespace, in the current folder.
in_ns() {
	nsenter --target "$NS_PID" --mount --wd="$PWD" -- "$@"
}

# ns_bg VAR CMD...: starts CMD in the namespace in the background and
# stores its pid in VAR; it is stopped at exit.
ns_bg() {
	local var=$1 pid
	shift
	nsenter --target "$NS_PID" --mount --wd="$PWD" -- "$@" &
	pid=$!
	_ns_bg="$_ns_bg $pid"
	eval "$var=$pid"
}

# ns_stop PID: stops one background process started with ns_bg.
ns_stop() {
	kill "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# ns_log PATTERN: the captured syslog lines matching PATTERN (grep -E).
ns_log() {
	grep -E -- "$1" "$SYSLOG" || true
}
