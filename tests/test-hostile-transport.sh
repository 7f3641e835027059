#!/bin/bash
# A misbehaving provider (tests/evil/server.js) as a broken network or a
# hostile server would be: silence, trickles, hang-ups, untrusted
# certificates, bodies far over the 1 MiB cap, documents that are not
# JSON, redirects to another host or to plain http, and discovery
# documents that point elsewhere. Every case ends in a failed login with
# the right PAM code, within http_timeout (2 s) plus a little, one plain
# sentence, nothing changed on disk, and no request where a redirect
# pointed (tests/evil/lib.sh).
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/evil/lib.sh"

# Silence and trickles: cut off by http_timeout.
for m in tcp-silent hang@discovery hang@device hang@token hang@keys \
	trickle@discovery trickle@token trickle-headers@device; do
	hostile "$m" "$m" PAM_AUTHINFO_UNAVAIL 5 "$S_UNAVAIL"
done
SOURCE=userinfo hostile "hang@userinfo" hang@userinfo PAM_AUTHINFO_UNAVAIL 5 "$S_UNAVAIL"

# Hang-ups, garbage, and a flood of headers.
for m in close@discovery truncated@token garbage@device headers@discovery; do
	hostile "$m" "$m" PAM_AUTHINFO_UNAVAIL 5 "$S_UNAVAIL"
done

# Certificates that must not be trusted.
for m in tls-untrusted tls-selfsigned tls-wronghost tls-expired; do
	hostile "$m" "$m" PAM_AUTHINFO_UNAVAIL 5 "$S_UNAVAIL"
done

# Far over the cap: 8 MiB with a Content-Length, an endless chunked
# stream, a gzip bomb nobody asked for.
for m in big@discovery big@device big@token endless@keys endless@token gzip@token; do
	hostile "$m" "$m" PAM_AUTH_ERR 5 "$S_BAD"
done
SOURCE=userinfo hostile "endless@userinfo" endless@userinfo PAM_AUTH_ERR 5 "$S_BAD"

# Not JSON, or not the JSON the parsers accept.
for m in invalid@discovery html@device empty@token array@keys deep@token \
	deep-object@discovery nul@token bad-utf8@token trailing@token; do
	hostile "$m" "$m" PAM_AUTH_ERR 5 "$S_BAD"
done
SOURCE=userinfo hostile "deep@userinfo" deep@userinfo PAM_AUTH_ERR 5 "$S_BAD"

# Redirects are never followed: not to another host name, not to plain
# http, not with the device code (token) or the access token (userinfo).
for m in redirect-host@discovery redirect-http@discovery redirect-host@device \
	redirect-host@token redirect-http@token redirect-host@keys redirect-http@keys; do
	hostile "$m" "$m" PAM_AUTH_ERR 5 "$S_BAD"
done
SOURCE=userinfo hostile "redirect-host@userinfo" redirect-host@userinfo PAM_AUTH_ERR 5 "$S_BAD"

# Server errors: unavailable; a missing JWKS: broken.
for m in 500@device 503@discovery 500@keys; do
	hostile "$m" "$m" PAM_AUTHINFO_UNAVAIL 5 "$S_UNAVAIL"
done
hostile 404@keys 404@keys PAM_AUTH_ERR 5 "$S_BAD"

# Discovery documents that point elsewhere or promise the wrong things.
for m in discovery-issuer-other discovery-issuer-escape discovery-token-http \
	discovery-endpoint-userinfo discovery-no-device-grant discovery-hs256-only; do
	hostile "$m" "$m" PAM_AUTH_ERR 5 "$S_BAD"
done

# Discovery documents that move an endpoint to another host name, or to
# another port of the issuer's host, with a day's max-age: refused before
# any request goes there, the log names the endpoint and the host, and
# nothing is cached (a later clean login must not trust them).
for m in discovery-elsewhere-all discovery-elsewhere-device discovery-elsewhere-token \
	discovery-elsewhere-keys discovery-elsewhere-port discovery-elsewhere-userinfo; do
	hostile "$m" "$m" PAM_AUTH_ERR 5 "$S_BAD"
	if [ -n "$(ls -A "$T/cache")" ]; then
		echo "FAIL: $m: the refused document was cached: $(ls -A "$T/cache")"
		failures=$((failures + 1))
	fi
done
# The last case's log.
if [ "$SANDBOX" = yes ]; then
	LC_ALL=C grep -qa "userinfo_endpoint is on host localhost port" "$T/syslog" ||
		{ tr '\0' '\n' <"$T/syslog"; fail "the log does not name the endpoint and its host"; }
	ok "the refusal names the endpoint and the host"
fi

# A cached document does not outlive a change of ca_file, nor of the CA
# file's contents: the next login asks the provider again.
disc_fetched() { grep -q 'GET /oauth2/default/.well-known/openid-configuration 200' "$EVIL_STATE/evil.log"; }
PHASES=auth accepted "cache: a first login" good
disc_fetched || cfail "the first login did not fetch discovery"
KEEP_CACHE=yes PHASES=auth accepted "cache: the same config" good
! disc_fetched || cfail "the cache was not used for the same config"
cp "$CA" "$T/ca-copy.crt"
CONF_SED="s|^ca_file = .*|ca_file = $T/ca-copy.crt|" KEEP_CACHE=yes PHASES=auth \
	accepted "cache: another ca_file" good
disc_fetched || cfail "a document cached under the old ca_file was used"
ok "a change of ca_file makes the next login fetch discovery again"
echo "# edited" >>"$T/ca-copy.crt"
CONF_SED="s|^ca_file = .*|ca_file = $T/ca-copy.crt|" KEEP_CACHE=yes PHASES=auth \
	accepted "cache: the CA file edited" good
disc_fetched || cfail "a document cached before the CA file changed was used"
ok "an edit of the CA file makes the next login fetch discovery again"

evil_finish
