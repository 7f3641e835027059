#!/bin/bash
# scripts/check.d/shellcheck.sh - shellcheck -x -S warning over every
# shell script of scripts/ and tests/ (a sh or bash shebang, and the
# sourced tests/*.sh). .shellcheckrc lets it follow what they source.
# Exit 77 without shellcheck.
set -euo pipefail

here=${here:-$(cd "$(dirname "$0")/../.." && pwd)}
command -v shellcheck >/dev/null 2>&1 || { echo "SKIP: shellcheck is not installed"; exit 77; }
cd "$here"
mapfile -t files < <(
	{
		grep -rlE '^#!.*\b(ba)?sh\b' scripts tests --exclude-dir=node_modules 2>/dev/null || true
		ls tests/*.sh tests/*/*.sh 2>/dev/null || true
	} | sort -u
)
echo "  $(shellcheck --version | sed -n 's/^version: //p'), ${#files[@]} files"
shellcheck -x -S warning -f gcc "${files[@]}"
