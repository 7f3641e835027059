#!/bin/bash
# The module inside a real setuid-root program, run by someone else: the
# caller chooses the environment and the umask of su(1)'s pam_authenticate.
# In a private mount namespace (tests/ns.sh), the PAM service "su" names
# the module; nobody runs the real /bin/su with umask 0, SSLKEYLOGFILE
# pointing into a root-only folder, and https_proxy, HTTPS_PROXY,
# all_proxy and ALL_PROXY pointing at a recording proxy on loopback
# (tests/proxylog.js). Whatever else the module does, no key log may
# appear (libcurl would create it as root, mode 0666) and the proxy must
# see no connection (it would relay the TLS handshake and read the
# secrets). The same without SSLKEYLOGFILE, where the module gets as far
# as the provider: still no proxy.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ns.sh"
need_cmd setpriv
[ -u /bin/su ] || skip "/bin/su is not setuid-root here"
[ "$(stat -c %u /bin/su)" = 0 ] || skip "/bin/su is not owned by root"
! grep -q '^NoNewPrivs:[[:space:]]*1' /proc/self/status ||
	skip "no_new_privs is set: a setuid program would not gain root"
case ",$(findmnt -no OPTIONS -T /bin/su 2>/dev/null)," in
*,nosuid,*) skip "/bin/su is on a nosuid mount" ;;
esac
getent passwd nobody >/dev/null && getent group nogroup >/dev/null ||
	skip "no user nobody or group nogroup"

mkdir -p "$T/proxy"
node "$top_srcdir/tests/proxylog.js" "$T/proxy" >"$T/proxy.out" 2>&1 </dev/null &
proxy_pid=$!
for _ in $(seq 100); do [ -s "$T/proxy/port" ] && break; sleep 0.05; done
[ -s "$T/proxy/port" ] || { cat "$T/proxy.out"; fail "the recording proxy did not start"; }
PROXY="http://127.0.0.1:$(cat "$T/proxy/port")"

idp_start custom
ns_start
# ns.sh's trap stops everything in the namespace; the proxy is ours.
trap 'kill $proxy_pid 2>/dev/null || true; ns_cleanup' EXIT
# enter: the module asks for Enter after the device request, and su's
# stdin is empty, so each run ends there at the latest.
ns_conf MODE=none PROMPT=enter QR=no APPROVAL_TIMEOUT=10
ns_pam su "# pam_okta_groups under setuid su (test-setuid.sh)
auth     required  $MODULE
account  required  pam_permit.so
session  required  pam_permit.so
password required  pam_deny.so"
mkdir -m 700 "$T/rootonly"
# nobody must reach the module and the config's folders, as in a real install.
chmod 755 "$T"

# su_as_nobody [VAR=value...]: /bin/su alice as nobody, umask 0, with the
# variables; output in $T/out.
su_as_nobody() {
	: >"$T/proxy/connections"
	: >"$SYSLOG"
	in_ns env "$@" setpriv --reuid=nobody --regid=nogroup --clear-groups \
		/bin/sh -c 'umask 0; exec /bin/su alice -c "echo SU-RAN"' </dev/null >"$T/out" 2>&1 || true
	# The module's last log lines reach the listener a moment later.
	sleep 0.3
}
show() {
	echo "--- su's output:"
	cat "$T/out"
	echo "--- the module's log:"
	ns_log 'pam_okta_groups' | tail -20
	echo "--- the proxy saw:"
	cat "$T/proxy/connections"
}
proxies="https_proxy=$PROXY HTTPS_PROXY=$PROXY all_proxy=$PROXY ALL_PROXY=$PROXY"

# 1. SSLKEYLOGFILE into a root-only folder, and the proxies.
# shellcheck disable=SC2086
su_as_nobody $proxies SSLKEYLOGFILE="$T/rootonly/keylog"
[ ! -e "$T/rootonly/keylog" ] || { ls -l "$T/rootonly"; show; fail "a TLS key log appeared in the root-only folder"; }
[ ! -s "$T/proxy/connections" ] || { show; fail "the proxy saw a connection"; }
! grep -q SU-RAN "$T/out" || { show; fail "su ran the command without a sign-in"; }
ok "setuid su as nobody with SSLKEYLOGFILE: no key log, no proxy connection, no shell"
ns_log 'SSLKEYLOGFILE' | grep -q . && echo "# the module refused: SSLKEYLOGFILE is set"

# 2. The proxies alone: any request goes directly, never through them.
before=$(wc -l <"$IDP_STATE/idp.log")
# shellcheck disable=SC2086
su_as_nobody $proxies
[ ! -s "$T/proxy/connections" ] || { show; fail "the proxy saw a connection"; }
[ -z "$(ls -A "$T/rootonly")" ] || { ls -l "$T/rootonly"; fail "something appeared in the root-only folder"; }
! grep -q SU-RAN "$T/out" || { show; fail "su ran the command without a sign-in"; }
# Informational: whether the module got as far as the provider (it does
# not when the PAM face refuses setuid callers).
if [ "$(wc -l <"$IDP_STATE/idp.log")" != "$before" ]; then
	echo "# the module reached the provider directly"
fi
ok "setuid su as nobody with the proxy variables: the proxy saw no connection"

# Nothing the module made is open to others, whatever the umask.
bad=$(find "$T/cache" "$T/state" \( -perm -o+r -o -perm -o+w -o -perm -g+w \) -print 2>/dev/null || true)
[ -z "$bad" ] || { ls -la "$T/cache" "$T/state"; fail "files open to others: $bad"; }
ok "the cache and the state stay root-only under umask 0"

echo "$checks passed, 0 failed"
