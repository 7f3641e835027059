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

evil_finish
