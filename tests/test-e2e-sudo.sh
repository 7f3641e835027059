#!/bin/bash
# sudo rules from roles, end to end, in a private mount namespace over a
# copy of /etc with Debian's sudo (its /etc/sudoers reads /etc/sudoers.d):
#
#   1. alice's login (admin + developer) writes /etc/sudoers.d/okta-alice,
#      0440 root:root, and sudo -l -U alice lists both rules;
#   2. she loses "Organization Admins": the next login leaves the
#      developer rule only; with no binding at all the file is gone;
#   3. a rule visudo refuses: okta-groups check names the role and the
#      line and fails, and the rule never reaches /etc/sudoers.d;
#   4. /etc/sudoers without @includedir: check says so, nothing written;
#   5. okta-groups expire removes the file with the groups.
#
# visudo -c (the whole sudoers tree) stays clean after every step, and
# the folder holds nothing but README and okta-* files with no '.' in
# their name (@includedir skips those) after every step.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ns.sh"
{ [ -x /usr/sbin/visudo ] && command -v sudo >/dev/null 2>&1; } ||
	skip "sudo is not installed (scripts/deps installs it)"
grep -Eq '^[@#]includedir /etc/sudoers.d' /etc/sudoers 2>/dev/null ||
	skip "this host's /etc/sudoers has no @includedir /etc/sudoers.d"

idp_start sudo
ns_start
ns_pam okta "auth     required  $MODULE
account  required  $MODULE"
CONF=/etc/security/pam_okta_groups.conf
SD="$ETC/sudoers.d"

# conf RULE-OF-ADMIN: the example config in persistent mode, with [sudo].
conf() {
	ns_conf MODE=persistent
	printf '[sudo]\nadmin = %s\ndeveloper = ALL=(root) /usr/bin/systemctl restart app.service\n' \
		"$1" >>"$ETC/security/pam_okta_groups.conf"
}

# clean STEP: visudo -c passes, and sudo reads no file of ours but okta-USER.
clean() {
	in_ns /usr/sbin/visudo -c >"$T/visudo.out" 2>&1 ||
		{ cat "$T/visudo.out"; fail "$1: visudo -c fails"; }
	for f in "$SD"/okta-*; do
		[ -e "$f" ] || continue
		in_ns /usr/sbin/visudo -cf "/etc/sudoers.d/${f##*/}" >/dev/null 2>&1 ||
			fail "$1: ${f##*/} does not pass visudo -cf"
	done
	if find "$SD" -mindepth 1 -maxdepth 1 -printf '%f\n' | grep -v '^README$' |
		grep -Ev '^okta-[a-z_][a-z0-9_-]*$' | grep -v '[.]' | grep -q .; then
		ls -la "$SD"
		fail "$1: a file in /etc/sudoers.d that sudo reads and is not okta-USER"
	fi
}

login() {
	PAMRUN_APPROVE=$(approver "$1") in_ns "$PAMRUN" /etc/pam.d okta "$1" auth account >"$T/out" 2>&1 || true
}

rules_of() { in_ns sudo -l -U "$1" 2>&1; }

conf 'ALL=(ALL:ALL) ALL'
clean "before any login"
readme_before=$(sha256sum "$SD/README" 2>/dev/null || true)
sudoers_before=$(sha256sum "$ETC/sudoers")

# 1.
login alice
expect_out "result account PAM_SUCCESS" "alice is granted"
[ -f "$SD/okta-alice" ] || { ls -la "$SD"; fail "no /etc/sudoers.d/okta-alice after alice's login"; }
[ "$(stat -c '%U %G %a' "$SD/okta-alice")" = "root root 440" ] ||
	fail "okta-alice: $(stat -c '%U %G %a' "$SD/okta-alice"), not root root 440"
printf '%s\n' "# Managed by pam_okta_groups; edits are overwritten at the next login" \
	"alice ALL=(ALL:ALL) ALL" "alice ALL=(root) /usr/bin/systemctl restart app.service" |
	cmp -s - "$SD/okta-alice" || { cat "$SD/okta-alice"; fail "okta-alice does not hold exactly her two rules"; }
rules_of alice >"$T/l1"
{ grep -q '(ALL : ALL) ALL' "$T/l1" && grep -q '(root) /usr/bin/systemctl restart app.service' "$T/l1"; } ||
	{ cat "$T/l1"; fail "sudo -l -U alice does not list both rules"; }
ns_log 'user="alice"' | grep -q 'sudo_added=admin,developer sudo_removed=-' ||
	{ ns_log 'audit'; fail "the audit line does not name the rules added"; }
clean "after alice's first login"
ok "alice's login: okta-alice 0440 root:root, sudo -l -U alice lists both rules"

# 2.
ALICE_GROUPS='["DevTeam"]' write_users
login alice
expect_out "result account PAM_SUCCESS" "alice's second login"
rules_of alice >"$T/l2"
{ grep -q '(root) /usr/bin/systemctl restart app.service' "$T/l2" && ! grep -q '(ALL : ALL) ALL' "$T/l2"; } ||
	{ cat "$T/l2"; fail "after losing admin, sudo -l -U alice: not the developer rule alone"; }
ns_log 'user="alice"' | tail -1 | grep -q 'sudo_added=- sudo_removed=admin' ||
	{ ns_log 'audit' | tail -1; fail "the audit line does not name the rule removed"; }
clean "after alice lost admin"
ALICE_GROUPS='[]' write_users
login alice
expect_out "result account PAM_PERM_DENIED" "alice with no binding"
[ ! -e "$SD/okta-alice" ] || fail "okta-alice is still there with no binding left"
rules_of alice >"$T/l3"
! grep -q 'systemctl\|(ALL : ALL)' "$T/l3" || { cat "$T/l3"; fail "sudo -l -U alice still lists a rule"; }
grep -q 'not allowed to run sudo' "$T/l3" || { cat "$T/l3"; fail "sudo -l -U alice: $(cat "$T/l3")"; }
clean "after alice lost every binding"
ok "a role lost in Okta loses its sudo at the next login; no binding: the file is gone"

# 3. A rule visudo refuses.
conf 'ALL=(ALL ALL'
line=$(grep -n '^admin = ALL=(ALL ALL' "$ETC/security/pam_okta_groups.conf" | cut -d: -f1)
rc=0
in_ns "$TOOL" check -c "$CONF" >"$T/check.out" 2>&1 || rc=$?
[ "$rc" != 0 ] || { cat "$T/check.out"; fail "okta-groups check passes a rule visudo refuses"; }
grep -q "$CONF:$line: \[sudo\] admin: visudo refuses the rule: .*syntax error" "$T/check.out" ||
	{ cat "$T/check.out"; fail "check does not name the role and the line ($line)"; }
ALICE_GROUPS='["DevTeam", "Organization Admins"]' write_users
login alice
expect_out "result account PAM_SUCCESS" "alice's login with a broken admin rule"
! grep -rqF '(ALL ALL' "$SD" || { ls -la "$SD"; fail "the refused rule reached /etc/sudoers.d"; }
[ ! -e "$SD/okta-alice" ] || fail "okta-alice installed although visudo refused one of its rules"
ns_log 'visudo refuses the rules for alice' | grep -q . || fail "no log line says visudo refused the rules"
clean "after a refused rule"
ok "a rule visudo refuses: check names [sudo] admin and line $line, and it never reaches /etc/sudoers.d"

# 4. No @includedir: nothing is written, and check says so.
conf 'ALL=(ALL:ALL) ALL'
cp -p "$ETC/sudoers" "$T/sudoers.orig"
sed -i -E '/^[@#]includedir/d' "$ETC/sudoers"
in_ns "$TOOL" check -c "$CONF" >"$T/check.out" 2>&1 || true
grep -q 'sudo: /etc/sudoers has no "@includedir /etc/sudoers.d": no rule is installed at login' "$T/check.out" ||
	{ cat "$T/check.out"; fail "check does not say that sudo does not read /etc/sudoers.d"; }
login alice
expect_out "result account PAM_SUCCESS" "alice's login without @includedir"
[ ! -e "$SD/okta-alice" ] || fail "okta-alice written although /etc/sudoers does not read the folder"
cp -p "$T/sudoers.orig" "$ETC/sudoers"
ok "no @includedir in /etc/sudoers: check says so, and no file is written"

# 5. expire takes the rules with the groups.
login alice
[ -f "$SD/okta-alice" ] || fail "no okta-alice before expire"
in_ns "$TOOL" check -c "$CONF" >"$T/check.out" 2>&1 || { cat "$T/check.out"; fail "check fails on good rules"; }
grep -q 'sudo: 2 rule(s) pass visudo -cf' "$T/check.out" || { cat "$T/check.out"; fail "check does not report the rules"; }
in_ns "$TOOL" explain -c "$CONF" alice DevTeam >"$T/explain.out" 2>&1 || true
grep -q 'developer *alice ALL=(root) /usr/bin/systemctl restart app.service' "$T/explain.out" ||
	{ cat "$T/explain.out"; fail "explain does not show the rule alice would get"; }
sleep 2
in_ns "$TOOL" expire -c "$CONF" --older-than 1s >"$T/expire.out" 2>&1 || { cat "$T/expire.out"; fail "expire failed"; }
[ ! -e "$SD/okta-alice" ] || { cat "$T/expire.out"; fail "okta-alice is still there after expire"; }
clean "after expire"
ok "check passes good rules, explain shows them, expire removes okta-alice"

[ "$(sha256sum "$ETC/sudoers")" = "$sudoers_before" ] || fail "/etc/sudoers changed"
[ "$(sha256sum "$SD/README" 2>/dev/null || true)" = "$readme_before" ] || fail "/etc/sudoers.d/README changed"
ok "no other sudoers file was touched"
echo "$checks passed, 0 failed"
