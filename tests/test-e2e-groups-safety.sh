#!/bin/bash
# What a login must never take away or hand out, end to end: whole PAM
# stacks (pamrun) against the test provider, in a private mount namespace
# over a copy of /etc, with the example roles and bindings, project prod-web.
#
#   1. a token without the groups claim (renamed claim; ID token only, then
#      auto with userinfo) is refused by account and changes nothing:
#      /etc/group, /etc/gshadow and the ledger stay byte for byte;
#   2. a list of 100 groups or more may be cut: grants are added, nothing
#      is removed;
#   3. authoritative = no keeps a hand-added member of a [roles] group;
#      yes removes it;
#   4. same_name never grants a system group (kmem, tty, staff,
#      systemd-journal) or another user's private group (bob), but grants
#      an ordinary one.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ns.sh"

idp_start custom
ns_start
ns_conf MODE=persistent
ns_pam okta "auth     required  $MODULE
account  required  $MODULE"
CONF="$ETC/security/pam_okta_groups.conf"
LEDGER="$T/state/alice"

# conf_set KEY VALUE: sets a [groups] key in the copy's config.
conf_set() {
	if grep -q "^$1 = " "$CONF"; then
		sed -i "s|^$1 = .*|$1 = $2|" "$CONF"
	else
		sed -i "s|^\[groups\]\$|[groups]\n$1 = $2|" "$CONF"
	fi
	grep -qx "$1 = $2" "$CONF" || fail "could not set $1 in the config"
}

login() {
	PAMRUN_APPROVE=$(approver "$1")
	export PAMRUN_APPROVE
	in_ns "$PAMRUN" /etc/pam.d okta "$1" auth account >"$T/out" 2>&1 || true
}

snap() {
	cp -p "$ETC/group" "$T/group.$1"
	cp -p "$ETC/gshadow" "$T/gshadow.$1"
	cp -p "$LEDGER" "$T/ledger.$1" 2>/dev/null || : >"$T/ledger.$1"
}

unchanged_since() {
	local f
	for f in group gshadow; do
		cmp "$T/$f.$1" "$ETC/$f" ||
			{ diff "$T/$f.$1" "$ETC/$f" || true; fail "$2: /etc/$f changed"; }
	done
	cmp "$T/ledger.$1" "$LEDGER" ||
		{ diff "$T/ledger.$1" "$LEDGER" || true; fail "$2: the ledger changed"; }
}

# alice: wheel by an administrator's hand; devteam and docker from the module.
ns_add_member wheel alice
ALICE_GROUPS='["DevTeam"]' write_users
login alice
expect_out "result account PAM_SUCCESS" "alice's first login"
[ "$(groups_of alice)" = "audio devteam docker localonly wheel" ] ||
	fail "alice's groups after her first login: $(groups_of alice)"
grep -q '"devteam"' "$LEDGER" && ! grep -q '"wheel"' "$LEDGER" ||
	fail "the ledger should hold devteam but not the hand-added wheel: $(cat "$LEDGER")"
ok "setup: alice holds wheel by hand and devteam, docker from the module"

# 1. No groups claim at all: refused, nothing written.
ALICE_GROUPS='[]' write_users
for source in id_token auto; do
	conf_set claim nosuchclaim
	conf_set source "$source"
	snap "1$source"
	login alice
	expect_out "result auth PAM_SUCCESS" "alice signs in ($source)"
	expect_out "result account PAM_PERM_DENIED" "no groups claim is a denial from account ($source)"
	expect_out "error: Okta sent no group list for this sign-in" "the user is told why ($source)"
	unchanged_since "1$source" "no groups claim ($source)"
	[ "$(groups_of alice)" = "audio devteam docker localonly wheel" ] ||
		fail "alice's groups after a token without the claim: $(groups_of alice)"
	ns_log 'no "nosuchclaim" claim' | grep -q alice ||
		{ tail -5 "$SYSLOG"; fail "no log line naming the missing claim ($source)"; }
	ok "no groups claim ($source): PAM_PERM_DENIED, /etc/group, /etc/gshadow and the ledger byte-identical"
done
conf_set claim groups
conf_set source auto

# 2. 120 groups, at or over Okta's cap of 100: Organization Admins adds adm
# (wheel she holds already); devteam and docker, no longer granted, stay.
many='"Organization Admins"'
for i in $(seq 1 119); do many="$many, \"okta-filler-$i\""; done
ALICE_GROUPS="[$many]" write_users
login alice
expect_out "result account PAM_SUCCESS" "alice with 120 groups"
[ "$(groups_of alice)" = "adm audio devteam docker localonly wheel" ] ||
	fail "alice's groups after a list of 120: $(groups_of alice) (nothing may be removed)"
ns_log 'at the provider.s cap of 100' | grep -q 'alice' ||
	{ tail -5 "$SYSLOG"; fail "the log does not say why nothing was removed"; }
ns_log 'audit: user="alice"' | tail -1 | grep -q 'removed=- .*removed nothing' ||
	{ ns_log 'audit: user="alice"' | tail -1; fail "the audit line does not say why nothing was removed"; }
ok "120 groups: adm added, devteam and docker kept, and the log says why"

# 3. authoritative. DevTeam only: adm (the module's) goes; wheel, in
# [roles] but added by hand, stays with authoritative = no...
ALICE_GROUPS='["DevTeam"]' write_users
login alice
expect_out "result account PAM_SUCCESS" "alice, DevTeam only"
[ "$(groups_of alice)" = "audio devteam docker localonly wheel" ] ||
	fail "authoritative = no: alice's groups: $(groups_of alice) (want the hand-added wheel kept, adm gone)"
ok "authoritative = no: the module's adm is removed, the hand-added wheel is kept"
# ...and goes with authoritative = yes.
conf_set authoritative yes
login alice
expect_out "result account PAM_SUCCESS" "alice, authoritative"
[ "$(groups_of alice)" = "audio devteam docker localonly" ] ||
	fail "authoritative = yes: alice's groups: $(groups_of alice) (want wheel removed)"
ok "authoritative = yes: the hand-added wheel is removed"
conf_set authoritative no

# 4. same_name: system groups and bob's private group are never granted;
# an ordinary group (GID in GID_MIN..GID_MAX, nobody's primary) is.
for g in tty:5 kmem:15 staff:50 systemd-journal:999; do
	grep -q "^${g%%:*}:" "$ETC/group" || {
		echo "${g%%:*}:x:${g#*:}:" >>"$ETC/group"
		echo "${g%%:*}:!::" >>"$ETC/gshadow"
	}
done
ns_add_group projx
gid=$(awk -F: '$1 == "projx" { print $3 }' "$ETC/group")
[ "$gid" -ge 1000 ] && [ "$gid" -le 60000 ] || fail "projx's GID $gid is not ordinary"
conf_set same_name yes
snap 4
ALICE_GROUPS='["kmem", "tty", "staff", "systemd-journal", "bob", "carol", "alice", "projx"]' write_users
login alice
expect_out "result account PAM_SUCCESS" "alice with same_name"
for g in kmem tty staff systemd-journal bob carol alice; do
	[ "$(grep "^$g:" "$ETC/group")" = "$(grep "^$g:" "$T/group.4")" ] ||
		fail "same_name changed $g: $(grep "^$g:" "$ETC/group")"
	[ "$(grep "^$g:" "$ETC/gshadow")" = "$(grep "^$g:" "$T/gshadow.4")" ] ||
		fail "same_name changed $g in gshadow: $(grep "^$g:" "$ETC/gshadow")"
done
[ "$(groups_of alice)" = "audio localonly projx" ] ||
	fail "same_name: alice's groups: $(groups_of alice) (want projx only, devteam docker gone)"
ok "same_name: kmem, tty, staff, systemd-journal, bob's and carol's private groups not granted; projx is"

# Only dangerous names: same_name grants nothing, so the login is refused.
ALICE_GROUPS='["kmem", "tty", "staff", "bob"]' write_users
login alice
expect_out "result account PAM_PERM_DENIED" "alice with only system and private group names"
for g in kmem tty staff bob; do
	[ "$(grep "^$g:" "$ETC/group")" = "$(grep "^$g:" "$T/group.4")" ] ||
		fail "same_name changed $g: $(grep "^$g:" "$ETC/group")"
done
ok "same_name with only kmem, tty, staff and bob grants nothing and the login is refused"

echo "$checks passed, 0 failed"
