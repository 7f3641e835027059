#!/bin/bash
# A misbehaving provider (tests/evil/server.js) sends hostile group data.
# Where the module drops a bad item (a name that is not a valid local group
# name, a protected group under same_name), the login goes on: auth and
# account succeed, the group files change only by the memberships the
# bindings grant, and the bad item reaches no file, no log line and no
# terminal raw. Where the data as a whole is malformed, the login fails
# and nothing changes (tests/evil/lib.sh).
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/evil/lib.sh"
[ "$SANDBOX" = yes ] || skip "unshare(1) cannot make a mount namespace here: no test accounts, no log"

# Names that would corrupt /etc/group or a terminal, beside a good one.
accepted "corrupting names" good EVIL_GROUPS='["DevTeam", "EVIL:x:0:alice",
	"EVIL,wheel", "EVIL\nwheel:x:10:alice", "EVIL\r", "EVIL\u001b[2J", "EVIL wheel",
	"EVIL\twheel", "EVIL\u007f", "EVIL\u0007", ""]'
expect_groups devteam docker
not_written '"EVIL"'
not_shown '"EVIL\nwheel"' '"EVIL\r"' '"EVIL\u001b"' '"EVIL\twheel"' '"EVIL\u007f"' '"EVIL\u0007"'
ok "corrupting names are dropped, DevTeam still applies (${ELAPSED_MS} ms)"

# The same from userinfo (Okta's org server).
accepted "corrupting names from userinfo" userinfo-groups EVIL_GROUPS='["DevTeam",
	"EVIL:x:0:alice", "EVIL\nwheel:x:10:alice", "EVIL\u001b]0;pwned\u0007"]'
expect_groups devteam docker
not_written '"EVIL"'
not_shown '"EVIL\nwheel"' '"EVIL\u001b"'
ok "corrupting names from userinfo are dropped (${ELAPSED_MS} ms)"

# A NUL inside a name: the claim is refused as a whole (json strings
# with NUL are not strings to the parser), and nothing changes.
hostile "a NUL in a group name" good PAM_AUTH_ERR 6 "$S_BAD" \
	EVIL_GROUPS='["DevTeam", "EVIL\u0000wheel"]'

# Too long: 33 characters, 1000, 100000 (in a 133 kB token).
long=$(printf 'EVIL%.0s' $(seq 250))
accepted "long names" good EVIL_GROUPS="[\"DevTeam\", \"EVILxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\",
	\"$long\", \"EVIL$(head -c 100000 /dev/zero | tr '\0' x)\"]"
expect_groups devteam docker
not_written '"EVIL"'
not_shown "\"$long\""
ok "names longer than 32 characters are dropped (${ELAPSED_MS} ms)"

# Unicode controls that are not ASCII control characters: never shown raw.
accepted "bidi and C1" good EVIL_GROUPS='["DevTeam", "EVIL\u202ewheel", "EVIL\u009b31m",
	"EVIL\u2066x"]'
expect_groups devteam docker
not_shown '"EVIL\u202e"' '"EVIL\u009b"' '"EVIL\u2066"'
ok "bidi and C1 controls in names are never shown raw (${ELAPSED_MS} ms)"

# Duplicates, in any case: alice joins each granted group once.
accepted duplicates good EVIL_GROUPS='["DevTeam", "DevTeam", "DevTeam", "devteam",
	"DEVTEAM", "DevTeam"]'
expect_groups devteam docker
ok "duplicate groups grant once (${ELAPSED_MS} ms)"

# Protected local groups, named by the IdP, with same_name on: only a
# role may grant them. Nor does same_name grant nogroup (GID 65534, out
# of GID_MIN..GID_MAX and nobody's primary group) or bob's private group;
# docker comes from the developer role, not from its name; alice's own
# primary group is never touched.
CONF_SED='s/^same_name = no/same_name = yes/' accepted "protected names" good \
	EVIL_GROUPS='["DevTeam", "wheel", "sudo", "root", "adm", "shadow", "disk",
	"docker", "nogroup", "alice", "bob", "WHEEL"]'
expect_groups devteam docker
ok "protected, system and private groups are not granted by name (${ELAPSED_MS} ms)"

# Hundreds of groups: more than Okta's 100 (logged as maybe truncated),
# and the ledger written for them reads back at the next login.
accepted "300 groups" good EVIL_GROUPS_EXTRA=300
expect_groups devteam docker
tr '\0' '\n' <"$T/syslog" | grep -q 'truncated' || cfail "no warning about a truncated list"
ok "300 groups in the ID token: granted as bound, in ${ELAPSED_MS} ms"
accepted "the next login after 300 groups" good
tr '\0' '\n' <"$T/syslog" | grep -q 'cannot read the ledger' && cfail "the ledger did not read back"
ok "the ledger of a 300-group login reads back"

# Thousands of groups are not a list of one user's groups: refused, in
# bounded time, before the account phase edits anything (the mapping
# runs under the group-file lock). 5000 in the ID token; 1 MiB of short
# names (115000) from userinfo.
hostile "5000 groups in the ID token" good PAM_AUTH_ERR 6 "$S_BAD" EVIL_GROUPS_EXTRA=5000
SOURCE=userinfo hostile "115000 groups from userinfo" userinfo-groups PAM_AUTH_ERR 6 "$S_BAD" \
	EVIL_GROUPS_EXTRA=115000 EVIL_GROUPS_PREFIX=

# Too many to be a token at all: 30000 groups make a 400 kB ID token.
hostile "an ID token over 256 kB" good PAM_AUTH_ERR 6 "$S_BAD" EVIL_GROUPS_EXTRA=30000

evil_finish
