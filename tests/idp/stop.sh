#!/bin/sh
# stop.sh DIR - stop the test identity provider that start.sh DIR started (pid in DIR/pid).
set -u

[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
DIR=$1
[ -s "$DIR/pid" ] || exit 0
pid=$(cat "$DIR/pid")

# Only signal the process if it still is our server.js (the pid may have been reused).
if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'server\.js'; then
    kill "$pid" 2>/dev/null
    i=0
    while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null; sleep 0.2; fi
fi
rm -f "$DIR/pid" "$DIR/port" "$DIR/issuer"
exit 0
