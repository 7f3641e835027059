#!/bin/bash
# A misbehaving provider (tests/evil/server.js) forges or confuses the ID
# token's signature, or signs claims that must not pass. Every case must
# fail with PAM_AUTH_ERR, quickly, with one plain sentence, no control
# character on the terminal or in the log, and nothing changed on disk
# (tests/evil/lib.sh says what each case checks).
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/evil/lib.sh"

# The control: this provider, in good faith, gets alice in.
if [ "$SANDBOX" = yes ]; then
	accepted "good provider" good
	expect_groups devteam docker
	ok "good provider: auth and account PAM_SUCCESS in ${ELAPSED_MS} ms"
else
	echo "# no mount namespace: the account phase and the log are not checked"
fi

# ---- forged or confused signatures ----
for m in \
	alg-none alg-none-signed alg-None alg-missing \
	alg-hs256-pem alg-rs512 alg-ps256 \
	kid-unknown kid-missing kid-number kid-traversal kid-escape \
	sig-flipped sig-empty sig-other-key sig-payload-swapped \
	jwk-injected crit-header jwe-shaped \
	jwks-ec jwks-use-enc jwks-keyops-encrypt jwks-alg-rs512 jwks-oct \
	jwks-1024 jwks-two-same-kid jwks-e-even jwks-n-garbage jwks-not-array; do
	hostile "$m" "$m" PAM_AUTH_ERR 6 "$S_BAD"
done

# An unknown kid makes at most one JWKS request a login: none more when
# this login fetched it already, at most one refetch of a cached copy.
keys() { grep -c '^GET /oauth2/default/v1/keys ' "$EVIL_SHARED/evil.log" || true; }
hostile "kid-unknown, JWKS fetched once" kid-unknown PAM_AUTH_ERR 6 "$S_BAD"
[ "$(keys)" = 1 ] || fail "kid-unknown: the JWKS was fetched $(keys) times in one login"
ok "kid-unknown: the JWKS was fetched once"
PHASES=auth accepted "a good login fills the cache" good
KEEP_CACHE=yes hostile "kid-unknown, JWKS cached" kid-unknown PAM_AUTH_ERR 6 "$S_BAD"
[ "$(keys)" -le 1 ] || fail "kid-unknown with a cached JWKS: $(keys) JWKS requests in one login"
ok "kid-unknown with a cached JWKS: $(keys) JWKS request(s)"

# ---- claims that must not pass ----
for m in \
	claims-expired claims-nbf-future claims-iat-future \
	claims-iss-wrong claims-iss-slash claims-iss-missing claims-payload-dup-iss \
	claims-aud-wrong claims-aud-multi-no-azp claims-aud-multi-wrong-azp claims-azp-wrong \
	claims-aud-object claims-user-nul claims-user-array \
	claims-exp-string claims-iat-string claims-exp-huge claims-exp-missing \
	claims-sub-missing claims-sub-number claims-sub-escape \
	claims-groups-object claims-groups-string claims-groups-number \
	claims-payload-array claims-payload-deep claims-payload-nan; do
	hostile "$m" "$m" PAM_AUTH_ERR 6 "$S_BAD"
done

# A username for another account, or that only looks like this one.
for m in claims-user-other claims-user-domain claims-user-two-at \
	claims-user-traversal claims-user-escape; do
	hostile "$m" "$m" PAM_AUTH_ERR 6 "$S_USER"
done

# require_mfa = yes: amr must be an array that holds "mfa", exactly.
export CONF_SED='s/^require_mfa = no/require_mfa = yes/'
PHASES=auth accepted "require_mfa, amr with mfa" good
ok "require_mfa: a token whose amr holds mfa passes (${ELAPSED_MS} ms)"
for m in claims-amr-missing claims-amr-string claims-amr-no-mfa claims-amr-upper \
	claims-amr-nul claims-amr-object; do
	hostile "$m" "$m" PAM_AUTH_ERR 6 "$S_BAD"
done
unset CONF_SED

# The token endpoint's answer itself.
for m in token-no-id-token token-id-token-number token-type-mac \
	token-id-token-huge token-id-token-space token-error-unknown token-error-escape; do
	hostile "$m" "$m" PAM_AUTH_ERR 6 "$S_BAD"
done
hostile token-denied-escape token-denied-escape PAM_AUTH_ERR 6 "$S_DENIED"
hostile token-500 token-500 PAM_AUTHINFO_UNAVAIL 6 "$S_UNAVAIL"

# The org server's thin ID token: the groups and their sub from userinfo.
for m in userinfo-sub-other userinfo-groups-object userinfo-not-json token-access-space; do
	hostile "$m" "$m" PAM_AUTH_ERR 6 "$S_BAD"
done

# The access token goes into the userinfo request's Authorization
# header: a CR LF in it must not add headers of the provider's choosing
# (the provider logs any X-Evil header it receives as STOLEN).
hostile token-access-crlf token-access-crlf PAM_AUTH_ERR 6 "$S_BAD"

# ---- a bad document in the cache ----
# A JWKS or a discovery document the provider got wrong (a maintenance
# page, served with a day's max-age) must not outlive the fault: once
# the provider is right again, the next login works.
for m in jwks-garbage-cached discovery-garbage-cached; do
	hostile "$m" "$m" PAM_AUTH_ERR 6 "$S_BAD"
	KEEP_CACHE=yes PHASES=auth accepted "$m, then fixed" good
	ok "$m: the next login, the provider fixed, succeeds (${ELAPSED_MS} ms)"
done

evil_finish
