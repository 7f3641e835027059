# shellcheck shell=bash disable=SC2034,SC2154
# tests/evil/lib.sh - shared by tests/test-hostile-*.sh. Source it after
# tests/lib.sh. It runs the misbehaving provider (tests/evil/server.js)
# one mode at a time, and checks what a PAM stack does with it.
#
# Every case runs `pamrun okta USER auth account` against a provider in
# one mode, and asserts:
#   - the PAM code of the auth phase, and of the account phase when auth
#     must succeed;
#   - a bounded time;
#   - no crash: pamrun exits 0 or 1, prints its result line, and no
#     sanitizer report;
#   - exactly one `error:` line, the expected plain sentence (none when
#     the login succeeds);
#   - no control character but \n, no C1 control and no bidi control in
#     pamrun's output, and in any line the module logs;
#   - for a failed login: the group files and the state dir unchanged,
#     and nothing in the cache but discovery and JWKS documents;
#   - no request reached a host a redirect pointed to.
#
# The run happens in a private mount namespace (tests/evil/sandbox.sh)
# when unshare(1) may make one: /dev/log is a socket this file reads
# (tests/syslogd.pl --stream), and /etc/passwd holds the test accounts alice
# and bob, whose groups the account phase edits in $T/group. Without it
# the log is not checked and the cases that need the accounts skip.

need_cmd openssl
# The module wants a root-owned config, like any PAM module.
need_root "the module only reads a config that root owns"
EVIL="$top_srcdir/tests/evil"
EVIL_CERTS="$T/certs"
"$EVIL/mkcerts.sh" "$EVIL_CERTS" >"$T/mkcerts.out" 2>&1 ||
	{ cat "$T/mkcerts.out"; fail "cannot make the test certificates"; }
CA="$EVIL_CERTS/ca.crt"
unset PAMRUN_APPROVE PAMRUN_ENTERS

# The plain sentences of pog_user_message().
S_UNAVAIL="The identity provider cannot be reached; try again later."
S_BAD="The identity provider's answer could not be verified."
S_EXPIRED="The sign-in code expired before it was approved."
S_HOST_LIMIT="The sign-in was not approved in the time this host allows (approval_timeout); try again."
S_USER="The Okta account that approved this sign-in may not log in to this account."
S_CONFIG="Okta sign-in is not set up correctly on this host; contact your administrator."
S_DENIED="The sign-in was denied."
S_DEVICE_DENIED="The identity provider refused to start an Okta sign-in for this host; contact your administrator."

_syslogd=""
evil_cleanup() {
	local d
	for d in "$T"/evil-*; do evil_stop_dir "$d"; done
	if [ -n "$_syslogd" ]; then
		kill "$_syslogd" 2>/dev/null || true
		wait "$_syslogd" 2>/dev/null || true
	fi
	cleanup
}
trap evil_cleanup EXIT INT TERM

# ---- the fixtures: group files and accounts ----

# The group files every case starts from (expect_groups compares with them).
FIXTURE_GROUP=$(cat <<'EOF'
root:x:0:
adm:x:4:syslog
wheel:x:10:
sudo:x:27:
docker:x:999:
devteam:x:2000:bob
nogroup:x:65534:
alice:x:5001:
bob:x:5002:
EOF
)
FIXTURE_GSHADOW=$(cat <<'EOF'
root:*::
adm:*::syslog
wheel:*::
sudo:*::
docker:!::
devteam:!::bob
nogroup:*::
alice:!::
bob:!::
EOF
)
write_group_files() {
	printf '%s\n' "$FIXTURE_GROUP" >"$T/group"
	printf '%s\n' "$FIXTURE_GSHADOW" >"$T/gshadow"
	chmod 644 "$T/group"
	chmod 640 "$T/gshadow"
	rm -f "$T/group-" "$T/gshadow-"
}
write_group_files

SANDBOX=no
if unshare --mount true 2>/dev/null && command -v perl >/dev/null; then
	cp /etc/passwd "$T/passwd"
	grep -q '^alice:' "$T/passwd" || echo 'alice:x:5001:5001:Alice:/nonexistent:/usr/sbin/nologin' >>"$T/passwd"
	grep -q '^bob:' "$T/passwd" || echo 'bob:x:5002:5002:Bob:/nonexistent:/usr/sbin/nologin' >>"$T/passwd"
	chmod 644 "$T/passwd"
	perl "$top_srcdir/tests/syslogd.pl" --stream --ready "$T/syslog.ready" --ends "$T/syslog.ends" \
		"$T/syslog.sock" "$T/syslog" >"$T/syslog.out" 2>&1 </dev/null &
	_syslogd=$!
	for _ in $(seq 100); do [ -s "$T/syslog.ready" ] && break; sleep 0.05; done
	[ -s "$T/syslog.ready" ] || { cat "$T/syslog.out"; fail "the syslog stand-in did not start"; }
	SANDBOX=yes
fi

# ---- the provider ----

# evil_start MODE [EVIL_VAR=value...]: sets ISSUER and EVIL_STATE.
evil_start() {
	local mode=$1 pid
	shift
	# mktemp: cases run in subshells, so no counter would be shared.
	EVIL_STATE=$(mktemp -d "$T/evil-XXXXXX")
	env "$@" EVIL_DIR="$EVIL_STATE" EVIL_CERTS="$EVIL_CERTS" EVIL_MODE="$mode" \
		node "$EVIL/server.js" >"$EVIL_STATE/server.out" 2>&1 </dev/null &
	pid=$!
	echo "$pid" >"$EVIL_STATE/pid"
	for _ in $(seq 200); do
		[ -s "$EVIL_STATE/issuer" ] && break
		kill -0 "$pid" 2>/dev/null || { cat "$EVIL_STATE/server.out"; fail "the provider in mode $mode exited"; }
		sleep 0.05
	done
	[ -s "$EVIL_STATE/issuer" ] || fail "the provider in mode $mode did not start"
	ISSUER=$(cat "$EVIL_STATE/issuer")
}

# evil_use MODE [EVIL_VAR=value...]: a provider in MODE for one case.
# Without variables, one shared server serves every case of the script
# (its mode file is rewritten, its log emptied); with variables, or for a
# mode that changes the certificate, the case gets a server of its own.
# Either way the cache starts empty (the issuer may be the same as the
# last case's), unless KEEP_CACHE=yes.
_shared=""
_shared_issuer=""
evil_use() {
	local mode=$1
	[ "${KEEP_CACHE:-no}" = yes ] || rm -f "$T"/cache/* "$T"/cache/.[!.]*
	if [ $# -gt 1 ] || case $mode in tls-* | tcp-*) true ;; *) false ;; esac; then
		evil_start "$@"
		EVIL_OWN=yes
		return
	fi
	EVIL_OWN=no
	if [ -z "$_shared" ]; then
		evil_start good
		_shared=$EVIL_STATE
		_shared_issuer=$ISSUER
	fi
	EVIL_STATE=$_shared
	ISSUER=$_shared_issuer
	# The server reads this on every request; pamrun starts after.
	printf '%s\n' "$mode" >"$EVIL_STATE/mode"
	: >"$EVIL_STATE/evil.log"
}

evil_done() {
	[ "$EVIL_OWN" = no ] || evil_stop_dir "$EVIL_STATE"
}

evil_stop_dir() {
	local pid i
	[ -s "$1/pid" ] || return 0
	pid=$(cat "$1/pid")
	# Only our server: the pid may have been reused if it died early.
	if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'evil/server\.js'; then
		kill "$pid" 2>/dev/null || true
	fi
	# Not always our child (a case's subshell may have started it).
	for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
	wait "$pid" 2>/dev/null || true
	rm -f "$1/pid"
}

# ---- what must not change ----

# The group files, their backups and the state dir: names, modes, sizes,
# times and contents, as one checksum (a rewrite with the same bytes
# counts as a change too).
# (state/pending holds the empty max_pending slot files, not a login's writes.)
disk_state() {
	# max_pending's slots come and go with every login, and the first
	# one makes their folder: there from the start, it changes nothing.
	mkdir -p "$T/state/pending" && chmod 700 "$T/state/pending"
	(cd "$T" && tar --numeric-owner --full-time --exclude=state/pending -cvvf - group* gshadow* state 2>/dev/null | cksum)
}

# The cache holds discovery and JWKS documents only, whatever the case.
check_cache() {
	local f url
	for f in "$T"/cache/* "$T"/cache/.[!.]*; do
		[ -e "$f" ] || continue
		case $f in *.json) ;; *) cfail "a stray file in the cache: ${f##*/}" ;; esac
		# "pog-cache 2", the scope, then the URL.
		{ IFS= read -r _; IFS= read -r _; IFS= read -r url; } <"$f"
		case ${url#url } in
		"$ISSUER/.well-known/openid-configuration" | "$ISSUER/v1/keys") ;;
		*) cfail "the cache holds something that is not discovery or a JWKS: ${url#url }" ;;
		esac
	done
}

# ---- running the stack ----

# case_conf: the config of tests/lib.sh's write_conf for this case, with
# HTTP_TIMEOUT=2, APPROVAL_TIMEOUT=10, PROMPT=enter and MODE=persistent
# unless set, and CONF_SED (a sed script) applied; rewritten only when
# something in it changed.
_conf_key=""
case_conf() {
	local key="$ISSUER|${HTTP_TIMEOUT:-2}|${APPROVAL_TIMEOUT:-10}|${PROMPT:-enter}|${MODE:-persistent}|${SOURCE:-auto}|${CONF_SED:-}"
	[ "$key" != "$_conf_key" ] || [ ! -f "$T/pam_okta_groups.conf" ] || return 0
	HTTP_TIMEOUT=${HTTP_TIMEOUT:-2} APPROVAL_TIMEOUT=${APPROVAL_TIMEOUT:-10} \
		PROMPT=${PROMPT:-enter} MODE=${MODE:-persistent} write_conf "$T/pam_okta_groups.conf"
	[ -z "${CONF_SED:-}" ] || sed -i "$CONF_SED" "$T/pam_okta_groups.conf"
	_conf_key=$key
}

# run_pam USER PHASE...: pamrun, in the sandbox when there is one, killed
# after WATCHDOG seconds; sets RC and ELAPSED_MS, and waits for the
# module's log lines.
WATCHDOG=60
# Milliseconds since the epoch, without a fork.
now_ms() {
	local t=${EPOCHREALTIME/[.,]/}
	echo $((t / 1000))
}

# The number of processes that have hung up on the syslog stand-in so far.
log_ends() {
	local lines
	mapfile -t lines <"$T/syslog.ends"
	echo ${#lines[@]}
}

run_pam() {
	local t0 ends=0 i
	if [ "$SANDBOX" = yes ]; then
		ends=$(log_ends)
		: >"$T/syslog"
	fi
	t0=$(now_ms)
	RC=0
	# A watchdog, so that a hang fails the case instead of the suite.
	if [ "$SANDBOX" = yes ]; then
		timeout -s KILL "$WATCHDOG" "$EVIL/sandbox.sh" "$T" "$T/syslog.sock" "$T/passwd" \
			"$PAMRUN" "$T/pam.d" okta "$@" >"$T/out" 2>&1 || RC=$?
	else
		PAMRUN_PASSWD=$NSS_PASSWD timeout -s KILL "$WATCHDOG" "$PAMRUN" "$T/pam.d" okta "$@" \
			>"$T/out" 2>&1 || RC=$?
	fi
	ELAPSED_MS=$(($(now_ms) - t0))
	if [ "$SANDBOX" = yes ]; then
		for ((i = 0; i < 40; i++)); do
			[ "$(log_ends)" -gt "$ends" ] && break
			sleep 0.05
		done
	fi
}

show() {
	echo "--- $CASE: pamrun output (exit $RC, ${ELAPSED_MS} ms; QR code left out):"
	grep -v '^[█▀▄ ]*$' "$T/out" | visible
	if [ "$SANDBOX" = yes ]; then
		echo "--- log:"
		tr '\0' '\n' <"$T/syslog" | visible
	fi
	echo "--- provider:"
	cat "$EVIL_STATE/evil.log" "$EVIL_STATE/server.out" 2>/dev/null | tail -20
}

# Control characters as ^X, so that a failing case cannot drive the terminal.
visible() {
	if command -v perl >/dev/null; then
		LC_ALL=C perl -pe 's/([\x00-\x09\x0b-\x1f\x7f])/"^" . chr(ord($1) ^ 64)/ge'
	else
		LC_ALL=C cat -v
	fi
}

cfail() { show; fail "$CASE: $*"; }

# Control characters other than \n, C1 controls (UTF-8), bidi controls.
CTL='[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]|\xd8\x9c'

# In the log, NUL ends a record, so a newline is a control character too.
CTL_LOG='[\x01-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]|\xd8\x9c'

# check_common CODE MAX: what every case asserts. Sets OUT to pamrun's
# output (few forks: the suite runs this two hundred times).
check_common() {
	local code=$1 max=$2
	OUT=""
	IFS= read -r -d '' OUT <"$T/out" || true
	[ "$ELAPSED_MS" -lt $((WATCHDOG * 1000)) ] || [ "$RC" -le 1 ] ||
		cfail "no result within ${WATCHDOG} s: pamrun was killed (a hang)"
	# A signal shows as 128+N; pamrun itself exits 0 or 1.
	[ "$RC" -le 1 ] || cfail "pamrun ended with status $RC (a crash?)"
	[[ $OUT == *$'\nresult auth '* || $OUT == 'result auth '* ]] || cfail "no result line: pamrun did not finish"
	[[ $OUT != *Sanitizer* && $OUT != *'runtime error:'* ]] || cfail "a sanitizer report"
	[[ $OUT == *$'result auth '"$code"$'\n'* ]] || cfail "expected auth $code"
	[ "$ELAPSED_MS" -le $((max * 1000)) ] || cfail "took ${ELAPSED_MS} ms, more than ${max} s"
	# Tab is a control character too: the module has no business sending one.
	! LC_ALL=C grep -qaP "$CTL" "$T/out" || cfail "a control character reached the terminal"
	if [ "$SANDBOX" = yes ]; then
		[ -s "$T/syslog" ] || cfail "the module logged nothing"
		! LC_ALL=C grep -qazP "$CTL_LOG" "$T/syslog" || cfail "a control character in a log line"
	fi
	[ ! -s "$EVIL_STATE/evil.log" ] || ! grep -q STOLEN "$EVIL_STATE/evil.log" ||
		cfail "a request went where a redirect or endpoint pointed"
}

# hostile NAME MODE CODE MAX SENTENCE [EVIL_VAR=value...]: a failed login.
# The config comes from case_conf. The case runs in a subshell: a failed
# one is counted and the script goes on to the next (evil_finish says how
# many failed).
failures=0
hostile() {
	if (_hostile "$@"); then
		checks=$((checks + 1))
	else
		failures=$((failures + 1))
	fi
}

_hostile() {
	local mode=$2 code=$3 max=$4 sentence=$5 before errs line
	local WATCHDOG=$((max + 15))
	CASE=$1
	shift 5
	evil_use "$mode" "$@"
	case_conf
	before=$(disk_state)
	run_pam "${EVIL_USER:-alice}" auth account
	evil_done
	check_common "$code" "$max"
	errs=0
	while IFS= read -r line; do
		[[ $line != 'error: '* ]] || errs=$((errs + 1))
	done <<<"$OUT"
	[ "$errs" = 1 ] || cfail "expected one error: line, got $errs"
	[[ $OUT == *$'\nerror: '"$sentence"$'\n'* || $OUT == "error: $sentence"$'\n'* ]] ||
		cfail "expected the sentence: $sentence"
	[ "$(disk_state)" = "$before" ] || cfail "the group files or the state dir changed"
	check_cache
	if [ "$SANDBOX" = yes ]; then
		LC_ALL=C grep -qaz 'audit: user=.* result=failed' "$T/syslog" ||
			cfail "no audit line for the failure"
	fi
	ok "$CASE: $code in ${ELAPSED_MS} ms, \"$sentence\""
}

# accepted NAME MODE [EVIL_VAR=value...]: a login that must go on
# (SPEC drops the bad item): auth and account succeed. The caller then
# checks what was written. The account phase needs the sandbox (alice
# must exist); PHASES=auth runs the auth phase alone.
accepted() {
	local mode=$2 phases=${PHASES:-auth account}
	CASE=$1
	shift 2
	write_group_files
	rm -rf "$T/state"
	evil_use "$mode" "$@"
	case_conf
	# shellcheck disable=SC2086
	run_pam "${EVIL_USER:-alice}" $phases
	evil_done
	check_common PAM_SUCCESS 10
	case $phases in
	*account*) [[ $OUT == *$'\nresult account PAM_SUCCESS\n'* ]] || cfail "expected account PAM_SUCCESS" ;;
	esac
	[[ $OUT != *$'\nerror: '* && $OUT != 'error: '* ]] || cfail "an error: line on success"
}

# not_written JSON-STRING...: none of these strings, given as JSON
# literals (so that "a\u0000b" and "a\nb" can be said), is in the group
# files or the state dir's files (the ledger; its folder state/pending
# holds only the empty max_pending slots), as raw bytes.
# not_shown JSON-STRING...: nor in pamrun's output or a log line.
_absent() {
	local what=$1 list
	shift
	list=$(IFS=,; echo "[$*]")
	if [ "$what" = written ]; then
		set -- "$T/group" "$T/gshadow" "$T"/state/*
	else
		set -- "$T/out" "$T/syslog"
	fi
	node -e '
const fs = require("fs");
const [needles, ...files] = process.argv.slice(1);
for (const s of JSON.parse(needles)) {
  const b = Buffer.from(s, "utf8");
  for (const f of files) {
    if (fs.existsSync(f) && fs.statSync(f).isFile() && fs.readFileSync(f).includes(b)) {
      console.log(`${JSON.stringify(s)} is in ${f}`);
      process.exit(1);
    }
  }
}' "$list" "$@" || cfail "a dropped item was $what raw"
}
not_written() { _absent written "$@"; }
not_shown() { _absent shown "$@"; }

# expect_groups: $T/group and $T/gshadow are the fixture with alice added
# to exactly the groups named, and every other byte the same.
expect_groups() {
	local g want_g=$FIXTURE_GROUP want_s=$FIXTURE_GSHADOW
	for g in "$@"; do
		want_g=$(sed -E "s/^($g:[^:]*:[^:]*:)(.+)\$/\\1\\2,alice/; s/^($g:[^:]*:[^:]*:)\$/\\1alice/" <<<"$want_g")
		want_s=$(sed -E "s/^($g:[^:]*:[^:]*:)(.+)\$/\\1\\2,alice/; s/^($g:[^:]*:[^:]*:)\$/\\1alice/" <<<"$want_s")
	done
	[ "$(cat "$T/group")" = "$want_g" ] ||
		{ diff <(echo "$want_g") "$T/group" | cat -v; cfail "the group file is not as expected"; }
	[ "$(cat "$T/gshadow")" = "$want_s" ] ||
		{ diff <(echo "$want_s") "$T/gshadow" | cat -v; cfail "the gshadow file is not as expected"; }
}

# evil_finish: the last line of a script, and its status.
evil_finish() {
	echo "$checks passed, $failures failed"
	[ "$failures" = 0 ]
}

pam_service okta
# The shared server starts here, so that every case's subshell uses it;
# its request log (emptied at each case) is $EVIL_SHARED/evil.log.
evil_use good
EVIL_SHARED=$_shared
