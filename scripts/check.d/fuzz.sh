#!/bin/bash
# scripts/check.d/fuzz.sh - CI's short fuzzing pass: every libFuzzer
# target in fuzz/ for 10 s (scripts/fuzz). A crash fails the check; the
# long runs are scripts/fuzz with more seconds.
command -v clang >/dev/null 2>&1 || { echo "SKIP: clang is not installed; the fuzz targets need it"; exit 77; }
here=${here:-$(cd "$(dirname "$0")/../.." && pwd)}
# One target per core: each is a single process.
exec "$here/scripts/fuzz" -j "${jobs:-2}" 10
