#!/bin/bash
# Which logins are the module's own (face_begin): in a shared stack such
# as common-auth, a service not in services and a user in local_users get
# PAM_IGNORE in auth, account and setcred, so the rest of the stack
# decides, and the provider sees no request. The stacks below are what
# pam-auth-update makes of the Debian profile, with pam_permit standing
# for pam_unix.
. "$(dirname "$0")/lib.sh"

idp_start custom
write_conf "$T/pam_okta_groups.conf"
sed -i -e '/^\[login\]$/a services = sshd okta' -e '/^\[login\]$/a local_users = root carol' \
	"$T/pam_okta_groups.conf"
mkdir -p "$T/pam.d"
for svc in okta su; do
	cat >"$T/pam.d/$svc" <<PAM
auth     [success=done ignore=ignore default=bad]  $MODULE config=$T/pam_okta_groups.conf
auth     required  pam_permit.so
account  [success=ok ignore=ignore default=bad]    $MODULE config=$T/pam_okta_groups.conf
account  required  pam_permit.so
PAM
done
devices() { grep -c 'device_authorization\|/device' "$IDP_STATE/idp.log" || true; }

# 1. su is not in services: ignored in every phase, no request.
before=$(devices)
unset PAMRUN_APPROVE
pamrun su alice auth account setcred || true
expect_out "result auth PAM_SUCCESS" "su: the rest of the stack decides auth"
expect_out "result account PAM_SUCCESS" "su: the rest of the stack decides account"
! grep -q "Code:" "$T/out" || { cat "$T/out"; fail "su: the module showed a sign-in code"; }
[ "$(devices)" = "$before" ] || fail "su: the provider saw a device request"
ok "a service not in services: PAM_IGNORE in auth and account, no request"

# 2. carol is in local_users: the same, on a service the module signs in.
pamrun okta carol auth account || true
expect_out "result auth PAM_SUCCESS" "carol: pam_permit decides auth"
expect_out "result account PAM_SUCCESS" "carol: pam_permit decides account"
[ "$(devices)" = "$before" ] || fail "carol: the provider saw a device request"
ok "a user in local_users: PAM_IGNORE in auth and account, no request"

# 3. alice on okta is the module's: account without an Okta sign-in in
# this handle is refused (a password or an SSH key login of hers), and
# auth asks the provider.
pamrun okta alice account || true
expect_out "result account PAM_PERM_DENIED" "alice's account phase without an Okta sign-in"
PAMRUN_APPROVE="$(approver alice)"
export PAMRUN_APPROVE
pamrun okta alice auth || true
expect_out "result auth PAM_SUCCESS" "alice signs in with Okta"
[ "$(devices)" -gt "$before" ] || fail "alice: the provider saw no device request"
ok "a handled user: signed in at the provider; account without it is refused"

echo "$checks passed, 0 failed"
