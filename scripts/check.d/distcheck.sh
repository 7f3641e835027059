#!/bin/bash
# make distcheck: the tarball builds, installs, uninstalls and passes its
# tests from a read-only source tree. The long end-to-end suites already
# ran in the main build; here the unit tests and the PAM-level login
# test run again from the tarball, to keep CI's time in bounds.
set -euo pipefail
here=${here:-$(cd "$(dirname "$0")/../.." && pwd)}
b="$here/build/main"
[ -f "$b/Makefile" ] || { echo "SKIP: build/main is not configured"; exit 77; }
tests=$(make -s -C "$b" -f Makefile -f - print-unit <<'MK'
print-unit:
	@echo $(UNIT_TESTS) tests/test-exports
MK
)
make -C "$b" distcheck TESTS="$tests tests/test-pam-login.sh" \
	DISTCHECK_CONFIGURE_FLAGS=--enable-werror >"$b/distcheck.out" 2>&1 ||
	{ grep -E '^(FAIL|ERROR)|Error|error:' "$b/distcheck.out" | head -20; tail -20 "$b/distcheck.out"; exit 1; }
grep -E 'archives ready for distribution' -A2 "$b/distcheck.out" | head -3
