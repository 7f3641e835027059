#!/bin/sh
# start.sh DIR [IDP_VAR=value ...] - start the test identity provider in the background.
# Makes the certs (mkca.sh), runs `npm ci` when node_modules is missing, starts server.js with
# IDP_DIR=DIR and the given variables, waits (20 s at most) until DIR/port exists and discovery
# answers, then prints the port. The pid goes to DIR/pid, the server's output to DIR/server.out.
# On failure it prints why, leaves nothing running, and exits 1.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] || { echo "usage: $0 DIR [IDP_VAR=value ...]" >&2; exit 2; }
mkdir -p "$1"
DIR=$(cd "$1" && pwd)
shift
for a in "$@"; do
    case $a in
        IDP_DIR=*) echo "start.sh: IDP_DIR comes from DIR" >&2; exit 2 ;;
        IDP_*=*) ;;
        *) echo "start.sh: not an IDP_ variable assignment: $a" >&2; exit 2 ;;
    esac
done

if [ -s "$DIR/pid" ] && kill -0 "$(cat "$DIR/pid")" 2>/dev/null; then
    echo "start.sh: already running in $DIR (pid $(cat "$DIR/pid")); run stop.sh first" >&2
    exit 1
fi

"$HERE/mkca.sh" "$DIR"
if [ ! -d "$HERE/node_modules/oidc-provider" ]; then
    (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error) >&2
fi

rm -f "$DIR/port" "$DIR/issuer" "$DIR/pid"
env "$@" IDP_DIR="$DIR" node "$HERE/server.js" >"$DIR/server.out" 2>&1 </dev/null &
pid=$!
started=

# Whatever way this script ends before the server answers, the server goes too.
cleanup() {
    [ -z "$started" ] || return 0
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    rm -f "$DIR/pid" "$DIR/port" "$DIR/issuer"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
give_up() {
    echo "start.sh: $1" >&2
    tail -n 20 "$DIR/server.out" >&2 || true
    exit 1
}
echo "$pid" >"$DIR/pid"

# Does the discovery document answer 200 over TLS with the test CA? (node: curl may be absent)
PROBE='const [ca, url] = process.argv.slice(1);
require("https").get(url, { ca: require("fs").readFileSync(ca), timeout: 2000 },
  (r) => process.exit(r.statusCode === 200 ? 0 : 1))
  .on("timeout", function () { this.destroy(); }).on("error", () => process.exit(1));'
deadline=$(($(date +%s) + 20))
while :; do
    kill -0 "$pid" 2>/dev/null || give_up "server.js exited"
    if [ -s "$DIR/port" ] && [ -s "$DIR/issuer" ] &&
        node -e "$PROBE" "$DIR/ca.crt" "$(cat "$DIR/issuer")/.well-known/openid-configuration"; then
        break
    fi
    [ "$(date +%s)" -lt "$deadline" ] || give_up "no answer within 20 s"
    sleep 0.2
done
started=1
cat "$DIR/port"
