#!/bin/sh
# mkca.sh DIR - make the TLS material of the test identity provider in DIR:
#   ca.crt, ca.key              the test CA that the C tests trust (ca_file)
#   server.crt, server.key      the server cert, signed by it, for IP 127.0.0.1 and DNS localhost
#   untrusted-ca.crt (+ .key)   an unrelated CA, for "wrong CA" negative tests
# Idempotent: when DIR already holds all of them it does nothing.
set -eu

[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
DIR=$1
FILES="ca.crt ca.key server.crt server.key untrusted-ca.crt untrusted-ca.key"

mkdir -p "$DIR"
missing=
for f in $FILES; do [ -s "$DIR/$f" ] || missing=1; done
[ -n "$missing" ] || exit 0

tmp=$(mktemp -d "$DIR/.mkca.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
umask 077

ssl() { openssl "$@" 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }; }

ssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 \
    -keyout "$tmp/ca.key" -out "$tmp/ca.crt" \
    -subj "/O=pam_okta_groups tests/CN=pam_okta_groups test CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign"

ssl req -newkey rsa:2048 -nodes -sha256 \
    -keyout "$tmp/server.key" -out "$tmp/server.csr" \
    -subj "/O=pam_okta_groups tests/CN=127.0.0.1"

cat >"$tmp/server.ext" <<'EOF'
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1,DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
ssl x509 -req -sha256 -days 825 -in "$tmp/server.csr" \
    -CA "$tmp/ca.crt" -CAkey "$tmp/ca.key" -set_serial "0x$(openssl rand -hex 16)" \
    -extfile "$tmp/server.ext" -out "$tmp/server.crt"

ssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 \
    -keyout "$tmp/untrusted-ca.key" -out "$tmp/untrusted-ca.crt" \
    -subj "/O=somebody else/CN=untrusted test CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign"

chmod 644 "$tmp"/*.crt
for f in $FILES; do mv -f "$tmp/$f" "$DIR/$f"; done
