#!/bin/bash
# scripts/check.d/valgrind.sh - 100 logins in one process under valgrind
# memcheck (tests/test-valgrind.sh, tests/leakloop.c), in the main build
# that scripts/check has just made. Not part of make check, so that the
# sanitizer build never runs valgrind over ASan. Exit 77 without valgrind.
set -euo pipefail

here=${here:-$(cd "$(dirname "$0")/../.." && pwd)}
dir=${VALGRIND_BUILD:-$here/build/main}

command -v valgrind >/dev/null 2>&1 || { echo "SKIP: valgrind is not installed"; exit 77; }
[ -f "$dir/Makefile" ] || { echo "valgrind: no build in $dir (scripts/check makes it)"; exit 1; }
make -C "$dir" tests/leakloop tests/test-faults >"$dir/valgrind-make.out" 2>&1 ||
	{ tail -20 "$dir/valgrind-make.out"; exit 1; }

rc=0
(cd "$dir" && top_srcdir=$here top_builddir=$dir bash "$here/tests/test-valgrind.sh") \
	>"$dir/valgrind.out" 2>&1 || rc=$?
if [ "$rc" = 0 ]; then
	grep -E '^(ok |leakloop: |  *(definitely|indirectly) lost|  *in use at exit|  *total heap)' \
		"$dir/valgrind.out" | sed 's/^/  /'
else
	tail -80 "$dir/valgrind.out"
fi
[ "$rc" = 0 ] || exit "$rc"

(cd "$dir" && valgrind -q --leak-check=full --show-leak-kinds=definite,indirect \
	--errors-for-leak-kinds=definite,indirect --error-exitcode=9 ./tests/test-faults) \
	>"$dir/valgrind-faults.out" 2>&1 || rc=$?
if [ "$rc" = 0 ]; then
	grep -E '^ok ' "$dir/valgrind-faults.out" | sed 's/^/  test-faults: /'
else
	tail -60 "$dir/valgrind-faults.out"
fi
exit "$rc"
