#!/bin/bash
# scripts/check.d/packages.sh - the Debian packages: built, linted,
# installed with apt into a clean Debian 12 root and tested there under
# chroot (scripts/check-packages). Exit 77 when not root or without
# network to Debian's mirror.
set -euo pipefail
here=${here:-$(cd "$(dirname "$0")/../.." && pwd)}
exec "$here/scripts/check-packages"
