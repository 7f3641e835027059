#!/bin/bash
# A misbehaving provider (tests/evil/server.js) sends a device
# authorization response with absurd numbers or with text that would
# drive the user's terminal (escape sequences, CR, BEL, bidi and C1
# controls, newlines), or answers the token polls forever with
# authorization_pending, slow_down or HTTP 429. Every case ends in a
# failed login with the right PAM code, within the approval timeout plus
# a little, one plain sentence, nothing changed on disk, and no control
# character on the terminal (tests/evil/lib.sh).
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/evil/lib.sh"

# Absurd numbers are refused outright.
for m in device-interval-huge device-interval-zero device-interval-negative \
	device-interval-string device-interval-fraction device-expires-zero \
	device-expires-huge device-expires-overflow device-code-missing device-code-huge; do
	hostile "$m" "$m" PAM_AUTH_ERR 5 "$S_BAD"
done
# A policy that refuses the device grant: nobody was asked, so the user
# is not told that the sign-in "was denied".
hostile "device access_denied" device-denied PAM_AUTH_ERR 5 "$S_DEVICE_DENIED"
# Valid extremes: a 300 s interval, a 1 s code. The deadline comes first.
hostile device-interval-max device-interval-max PAM_AUTH_ERR 5 "$S_HOST_LIMIT"
hostile device-expires-one device-expires-one PAM_AUTH_ERR 5 "$S_EXPIRED"

# Text to be shown: refused, never shown; in enter and in poll mode.
for p in enter poll; do
	for m in show-code-escape show-code-osc show-code-cr show-code-bel \
		show-code-bidi show-code-c1 show-code-long show-code-newline \
		show-uri-escape show-uri-bidi show-uri-complete-cr show-uri-complete-bidi \
		show-uri-http show-uri-javascript show-uri-userinfo show-raw-control; do
		PROMPT=$p hostile "$m ($p)" "$m" PAM_AUTH_ERR 5 "$S_BAD"
	done
done
# Escapes in the token endpoint's error text are never shown either.
hostile token-error-escape token-error-escape PAM_AUTH_ERR 5 "$S_BAD"
hostile token-denied-escape token-denied-escape PAM_AUTH_ERR 5 "$S_DENIED"

# Polls answered forever: the host's deadline (approval_timeout = 10, while
# the code has 600 s) ends them, and the user is told that limit; the
# provider's pace is kept: interval 1, +5 s per slow_down, Retry-After on 429.
polls() { grep -c '^POST /oauth2/default/v1/token ' "$EVIL_SHARED/evil.log" || true; }
PROMPT=enter hostile "pending forever (enter)" token-pending-forever PAM_AUTH_ERR 14 "$S_HOST_LIMIT"
n=$(polls)
[ "$n" -ge 5 ] && [ "$n" -le 12 ] || fail "pending forever: $n polls in 10 s at interval 1"
ok "pending forever: $n polls"
for p in enter poll; do
	PROMPT=$p hostile "slow_down forever ($p)" token-slow-down-forever PAM_AUTH_ERR 14 "$S_HOST_LIMIT"
	n=$(polls)
	# at 0 s, then at 6 (interval 1 + 5), then 17 is past the deadline
	[ "$n" -le 3 ] || fail "slow_down forever ($p): $n polls in 10 s"
	ok "slow_down forever ($p): $n polls, the interval grew"
done
PROMPT=poll hostile "429 forever (poll)" token-429-forever PAM_AUTH_ERR 14 "$S_HOST_LIMIT"
n=$(polls)
[ "$n" -le 12 ] || fail "429 forever: $n polls in 10 s with Retry-After 1"
ok "429 forever: $n polls"
hostile "429 with an absurd Retry-After" token-429-huge-retry PAM_AUTH_ERR 5 "$S_HOST_LIMIT"
hostile "429 with a negative Retry-After" token-429-negative-retry PAM_AUTH_ERR 14 "$S_HOST_LIMIT"

evil_finish
