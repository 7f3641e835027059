#!/bin/sh
# mkcerts.sh DIR - the TLS material of the misbehaving provider, in DIR:
#   everything tests/idp/mkca.sh makes (ca.crt is the CA the tests trust), and
#   untrusted-server.crt   signed by untrusted-ca.crt, for 127.0.0.1
#   selfsigned.crt         self-signed, for 127.0.0.1
#   wronghost.crt          signed by the trusted CA, for wrong.example.invalid only
#   expired.crt            signed by the trusted CA, for 127.0.0.1, expired in 2021
# each with its .key. Idempotent: when DIR holds them all it does nothing.
set -eu

[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
DIR=$1
HERE=$(cd "$(dirname "$0")" && pwd)
"$HERE/../idp/mkca.sh" "$DIR"

FILES="untrusted-server selfsigned wronghost expired"
missing=
for f in $FILES; do [ -s "$DIR/$f.crt" ] && [ -s "$DIR/$f.key" ] || missing=1; done
[ -n "$missing" ] || exit 0

tmp=$(mktemp -d "$DIR/.mkcerts.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
umask 077
ssl() { openssl "$@" 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }; }

ext() {
    cat >"$tmp/$1.ext" <<EOF
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = $2
EOF
}

# leaf NAME CA-BASENAME SAN: a key and a cert for SAN signed by that CA.
leaf() {
    ssl req -newkey rsa:2048 -nodes -sha256 -keyout "$tmp/$1.key" -out "$tmp/$1.csr" \
        -subj "/O=pam_okta_groups hostile tests/CN=$1"
    ext "$1" "$3"
    ssl x509 -req -sha256 -days 825 -in "$tmp/$1.csr" -CA "$DIR/$2.crt" -CAkey "$DIR/$2.key" \
        -set_serial "0x$(openssl rand -hex 16)" -extfile "$tmp/$1.ext" -out "$tmp/$1.crt"
}

leaf untrusted-server untrusted-ca "IP:127.0.0.1,DNS:localhost"
leaf wronghost ca "DNS:wrong.example.invalid"

ext selfsigned "IP:127.0.0.1,DNS:localhost"
ssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 825 -keyout "$tmp/selfsigned.key" \
    -out "$tmp/selfsigned.crt" -subj "/O=pam_okta_groups hostile tests/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost"

# An expired leaf: openssl x509 cannot backdate, openssl ca can.
mkdir "$tmp/ca"
: >"$tmp/ca/index.txt"
cat >"$tmp/ca.cnf" <<EOF
[ca]
default_ca = old
[old]
dir = $tmp/ca
database = \$dir/index.txt
new_certs_dir = \$dir
serial = \$dir/serial
default_md = sha256
policy = any
copy_extensions = none
[any]
organizationName = optional
commonName = supplied
[leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1,DNS:localhost
EOF
openssl rand -hex 16 >"$tmp/ca/serial"
ssl req -newkey rsa:2048 -nodes -sha256 -keyout "$tmp/expired.key" -out "$tmp/expired.csr" \
    -subj "/O=pam_okta_groups hostile tests/CN=127.0.0.1"
ssl ca -batch -config "$tmp/ca.cnf" -extensions leaf -cert "$DIR/ca.crt" -keyfile "$DIR/ca.key" \
    -startdate 20200101000000Z -enddate 20210101000000Z -in "$tmp/expired.csr" -out "$tmp/expired.crt"

chmod 644 "$tmp"/*.crt
for f in $FILES; do mv -f "$tmp/$f.crt" "$tmp/$f.key" "$DIR/"; done
