#!/bin/bash
# sandbox.sh DIR SYSLOG-SOCKET PASSWD-FILE CMD [ARG...]
#
# Runs CMD in a private mount namespace (root only) where:
#   /dev is a tmpfs of links to the real /dev entries, plus /dev/log, a link
#   to SYSLOG-SOCKET (tests/syslogd.pl --stream), so the module's log lines can
#   be read back;
#   /etc/passwd is PASSWD-FILE, so test accounts (alice, bob) exist for the
#   account phase without touching the host's files.
# DIR is a scratch folder for the real /dev's mount point. Nothing outside
# the namespace changes; it all goes when CMD exits.
set -eu
[ $# -ge 4 ] || { echo "usage: $0 DIR SYSLOG-SOCKET PASSWD-FILE CMD [ARG...]" >&2; exit 2; }
exec unshare --mount --propagation private /bin/bash -c '
set -eu
dir=$1 sock=$2 passwd=$3
shift 3
mkdir -p "$dir/realdev"
mount -n --rbind /dev "$dir/realdev"
mount -n -t tmpfs -o mode=755,size=64k pog-dev /dev
shopt -s nullglob dotglob
ln -s "$dir"/realdev/* /dev/
ln -sfn "$sock" /dev/log
mount -n --bind "$passwd" /etc/passwd
exec "$@"
' sandbox "$@"
