#!/bin/bash
# scripts/check.d/sanitizers.sh - make check (the unit and PAM-level
# tests) in an out-of-tree AddressSanitizer + UndefinedBehaviorSanitizer
# build (configure --enable-sanitizers: -fno-sanitize-recover=all), with
# clang, or gcc when clang is missing.
#
# pamrun and the other test programs are built with the sanitizer flags
# too, so the runtime is in the process that dlopen()s the module. Every
# report goes to a file (log_path), so a report from a process whose
# exit status a test ignores still fails the run.
set -euo pipefail

here=${here:-$(cd "$(dirname "$0")/../.." && pwd)}
jobs=${jobs:-$(nproc 2>/dev/null || echo 2)}
dir=$here/build/asan

cc=clang
command -v clang >/dev/null 2>&1 || cc=gcc
if [ -f "$here/config.status" ]; then
	echo "sanitizers: $here is configured in the source tree; an out-of-tree build needs 'make distclean' there first"
	exit 1
fi
rm -rf "$dir"
mkdir -p "$dir/reports"

# Can LeakSanitizer run here? It stops the process's threads with
# ptrace-like calls, which some sandboxes forbid.
leaks=1
printf '#include <stdlib.h>\nint main(void){ void *volatile p = malloc(33); p = 0; return p != 0; }\n' \
	>"$dir/lsan-probe.c"
if "$cc" -fsanitize=address -g "$dir/lsan-probe.c" -o "$dir/lsan-probe" 2>"$dir/lsan-probe.out"; then
	ASAN_OPTIONS=detect_leaks=1 "$dir/lsan-probe" >>"$dir/lsan-probe.out" 2>&1 || true
	if ! grep -q 'detected memory leaks' "$dir/lsan-probe.out"; then
		leaks=0
		echo "  LeakSanitizer cannot run here (see $dir/lsan-probe.out): detect_leaks=0; scripts/check.d/valgrind.sh checks leaks"
	fi
fi

(cd "$dir" && "$here/configure" --enable-werror --enable-sanitizers CC="$cc" \
	--sysconfdir=/etc >configure.out 2>&1) || { tail -30 "$dir/config.log"; exit 1; }
make -C "$dir" -j"$jobs" >"$dir/make.out" 2>&1 || { tail -40 "$dir/make.out"; exit 1; }
echo "  $cc, ASan+UBSan, detect_leaks=$leaks"

# The tests that drive real, unsanitized hosts (sshd, login, pamtester:
# NS_TESTS, the ones that source tests/ns.sh, listed in mk/root.am)
# cannot dlopen an ASan module; the rest, pamrun's PAM-level tests and
# the fault injection (tests/test-faults) among them, run here.
# SAN_TESTS="..." runs only those.
print_var() {
	make -s -C "$dir" -f Makefile -f - print-var VAR="$1" <<'MK'
print-var:
	@echo $($(VAR))
MK
}
all=$(print_var TESTS)
ns=" $(print_var NS_TESTS) "
tests=""
[ -z "${SAN_TESTS:-}" ] || all=$SAN_TESTS  # a subset, by hand
for t in $all; do
	case $t in
	# The sync code they drive runs sanitized in test-grpfile and
	# test-sync-concurrent; here they would cost CI minutes (crash) or
	# run under strace, where LeakSanitizer cannot (requests).
	tests/test-crash.sh|tests/test-requests.sh)
		echo "  SKIP: $t (its code is covered sanitized by the unit tests)"
		continue ;;
	esac
	if [[ $ns == *" $t "* ]]; then
		echo "  SKIP: $t (runs the module in sshd, login or pamtester, which are not sanitized)"
	else
		tests="$tests $t"
	fi
done

export ASAN_OPTIONS="detect_leaks=$leaks:abort_on_error=1:log_path=$dir/reports/report"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$dir/reports/report"
# use_tls=0: pam_end dlclose()s the module and the TLS blocks of the
# libraries it loaded, and clang 14's LeakSanitizer then reads a stale
# DTV slot and dies ("Tracer caught signal 11") at the exit of some
# pamrun runs. Without TLS roots a leak can only be reported more, never
# hidden.
# tests/lsan.supp holds what that costs: the loader's allocations that
# only TLS referred to.
export LSAN_OPTIONS="log_path=$dir/reports/report:use_tls=0:suppressions=$here/tests/lsan.supp"
rc=0
make -C "$dir" -j1 check TESTS="${tests# }" >"$dir/check.out" 2>&1 || rc=$?
grep -E '^(PASS|FAIL|SKIP|ERROR|XFAIL|XPASS):' "$dir/check.out" | sed 's/^/  /' || true
grep -E '^# (TOTAL|PASS|SKIP|FAIL|XPASS|ERROR):' "$dir/check.out" | sed 's/^/  /' || true

# Every report fails the run, but one: LeakSanitizer cannot stop the
# threads of a process that runs under ptrace (a test that counts
# syscalls with strace), and says so; that process went unchecked for
# leaks, which the valgrind loop covers, and nothing was found wrong.
for f in $(find "$dir/reports" -type f | sort); do
	# A summary of suppressions only (the DTV, built in, and the
	# loader's, tests/lsan.supp) says that nothing else was found.
	if ! grep -v -E -e '^-+$' -e '^Suppressions used:$' -e '^ +count +bytes +template$' \
		-e '^ +[0-9]+ +[0-9]+ (\*tls_get_addr\*|_dl_map_object_deps)$' -e '^$' "$f" |
		grep -q .; then
		continue
	fi
	if ! grep -v -e '^==[0-9]*==LeakSanitizer has encountered a fatal error\.$' \
		-e '^==[0-9]*==HINT: ' -e '^$' "$f" | grep -q .; then
		echo "  note: $(basename "$f"): LeakSanitizer could not run (the process was under ptrace)"
		continue
	fi
	echo "  --- sanitizer report $f"
	head -40 "$f" | sed 's/^/    /'
	rc=1
done
[ "$rc" = 0 ] || { echo "  sanitizers: failed (logs in $dir)"; exit 1; }
echo "  no sanitizer report"
