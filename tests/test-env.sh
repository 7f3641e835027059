#!/bin/bash
# The process environment never steers the module's HTTP. A real PAM
# stack (pamrun) against the test provider, with the variables libcurl
# would read set the way a setuid program's caller could set them:
#   1. SSLKEYLOGFILE: the login is refused, and no key log appears;
#   2. https_proxy, HTTPS_PROXY, all_proxy, ALL_PROXY at a recording
#      proxy: the login succeeds directly, and the proxy saw nobody;
#   3. proxy = in the config at that proxy, with NO_PROXY=* in the
#      environment: the config's proxy is used all the same (it saw a
#      CONNECT to the provider, and refused it: PAM_AUTHINFO_UNAVAIL).
. "$(dirname "$0")/lib.sh"
need_root "the module only reads a config that root owns"

# proxy_start: the recording proxy (tests/proxylog.js); sets PROXY.
mkdir -p "$T/proxy"
node "$top_srcdir/tests/proxylog.js" "$T/proxy" >"$T/proxy.out" 2>&1 </dev/null &
proxy_pid=$!
for _ in $(seq 100); do [ -s "$T/proxy/port" ] && break; sleep 0.05; done
[ -s "$T/proxy/port" ] || { cat "$T/proxy.out"; fail "the recording proxy did not start"; }
PROXY="http://127.0.0.1:$(cat "$T/proxy/port")"
trap 'kill $proxy_pid 2>/dev/null || true; cleanup' EXIT

idp_start custom
pam_service okta
write_conf "$T/pam_okta_groups.conf"
hostport=${ISSUER#https://}
hostport=${hostport%%/*}

env_proxies() {
	echo "https_proxy=$PROXY HTTPS_PROXY=$PROXY all_proxy=$PROXY ALL_PROXY=$PROXY"
}
no_connections() {
	[ ! -s "$T/proxy/connections" ] ||
		{ cat "$T/proxy/connections"; fail "the proxy saw a connection ($1)"; }
}

# 1. SSLKEYLOGFILE (with the proxies too): refused before any request.
mkdir -m 700 "$T/keys"
PAMRUN_APPROVE="$(approver alice)"
export PAMRUN_APPROVE
rm -f "$T"/cache/*
before=$(wc -l <"$IDP_STATE/idp.log")
# shellcheck disable=SC2046
(umask 0; env $(env_proxies) SSLKEYLOGFILE="$T/keys/keylog" PAMRUN_PASSWD=$NSS_PASSWD "$PAMRUN" "$T/pam.d" okta alice auth \
	>"$T/out" 2>&1) || true
expect_out "result auth PAM_SYSTEM_ERR" "SSLKEYLOGFILE set: refused"
expect_out "error: The sign-in failed because of a system error." "SSLKEYLOGFILE set: one plain sentence"
[ ! -e "$T/keys/keylog" ] || { ls -l "$T/keys"; fail "a TLS key log was written"; }
no_connections "SSLKEYLOGFILE set"
[ "$(wc -l <"$IDP_STATE/idp.log")" = "$before" ] ||
	{ tail -n +$((before + 1)) "$IDP_STATE/idp.log"; fail "a request reached the provider although SSLKEYLOGFILE was set"; }
ok "SSLKEYLOGFILE set: PAM_SYSTEM_ERR, no key log, no request"

# 2. Only the proxy variables (and NO_PROXY, which must not matter): direct.
: >"$T/proxy/connections"
# shellcheck disable=SC2046
env $(env_proxies) NO_PROXY=nothing.invalid no_proxy=nothing.invalid \
	PAMRUN_PASSWD=$NSS_PASSWD "$PAMRUN" "$T/pam.d" okta alice auth >"$T/out" 2>&1 || true
expect_out "result auth PAM_SUCCESS" "proxy variables: the login goes directly"
no_connections "https_proxy, HTTPS_PROXY, all_proxy, ALL_PROXY"
ok "proxy variables ignored: the login went directly, the proxy saw nobody"

# 3. The config's proxy is the one used, and NO_PROXY cannot bypass it.
: >"$T/proxy/connections"
rm -f "$T"/cache/*
write_conf "$T/pam_okta_groups.conf"
sed -i "s|^\[okta\]\$|[okta]\nproxy = $PROXY|" "$T/pam_okta_groups.conf"
grep -q "^proxy = $PROXY\$" "$T/pam_okta_groups.conf" || fail "cannot set proxy in the config"
NO_PROXY='*' no_proxy='*' PAMRUN_PASSWD=$NSS_PASSWD "$PAMRUN" "$T/pam.d" okta alice auth >"$T/out" 2>&1 || true
expect_out "result auth PAM_AUTHINFO_UNAVAIL" "the config's proxy refuses"
grep -qx "CONNECT $hostport HTTP/1.1" "$T/proxy/connections" ||
	{ cat "$T/proxy/connections"; fail "the config's proxy saw no CONNECT to $hostport"; }
ok "proxy = in the config: CONNECT $hostport through it, despite NO_PROXY=*"

echo "$checks passed, 0 failed"
