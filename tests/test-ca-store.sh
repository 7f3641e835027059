#!/bin/bash
# With no ca_file, the system trust store is libcurl's hashed folder
# (Debian: /etc/ssl/certs) alone, not its bundle as well: one
# certificate looked up by hash for each handshake, instead of the
# bundle's ~150 parsed every time. A real PAM stack (pamrun) against
# the test provider, in a private mount namespace over a copy of
# /etc/ssl/certs (the host's is never written):
#   1. the test CA in the folder with its hash link, the bundle without
#      it: the login succeeds;
#   2. the test CA appended to the bundle only: the login is refused,
#      so the certificate is verified and the bundle is not read.
. "$(dirname "$0")/lib.sh"
need_root "the module only reads a config that root owns"
need_cmd unshare
need_cmd openssl
unshare --mount --propagation private true 2>/dev/null ||
	skip "cannot create a mount namespace here (unshare --mount failed)"
[ -d /etc/ssl/certs ] && [ -f /etc/ssl/certs/ca-certificates.crt ] ||
	skip "no Debian system store (/etc/ssl/certs with ca-certificates.crt)"

idp_start custom
pam_service okta
write_conf "$T/pam_okta_groups.conf"
sed -i '/^ca_file = /d' "$T/pam_okta_groups.conf"
! grep -q '^ca_file' "$T/pam_okta_groups.conf" || fail "cannot unset ca_file"
PAMRUN_APPROVE="$(approver alice)"
export PAMRUN_APPROVE

# certs_copy DIR: a copy of the system store (its links keep pointing
# into /usr/share/ca-certificates).
certs_copy() {
	mkdir -p "$1"
	cp -a /etc/ssl/certs/. "$1/"
}

# login_with DIR: pamrun auth with DIR mounted over /etc/ssl/certs.
login_with() {
	rm -f "$T"/cache/*
	unshare --mount --propagation private -- /bin/sh -ec '
		mount --bind "$1" /etc/ssl/certs
		shift
		exec "$@"' sh "$1" env PAMRUN_PASSWD="$NSS_PASSWD" \
		"$PAMRUN" "$T/pam.d" okta alice auth >"$T/out" 2>&1 || true
}

# 1. In the folder, by hash; not in the bundle.
certs_copy "$T/certs-dir"
cp "$CA" "$T/certs-dir/pog-test-ca.pem"
ln -s pog-test-ca.pem "$T/certs-dir/$(openssl x509 -hash -noout -in "$CA").0"
! grep -qF "$(sed -n 2p "$CA")" "$T/certs-dir/ca-certificates.crt" ||
	fail "the test CA is in the system bundle already"
login_with "$T/certs-dir"
expect_out "result auth PAM_SUCCESS" "test CA in the hashed folder"
ok "no ca_file, the test CA in /etc/ssl/certs by hash only: the login succeeds"

# 2. In the bundle only.
certs_copy "$T/certs-bundle"
cat "$CA" >>"$T/certs-bundle/ca-certificates.crt"
login_with "$T/certs-bundle"
expect_out "result auth PAM_AUTHINFO_UNAVAIL" "test CA in the bundle only"
ok "no ca_file, the test CA appended to ca-certificates.crt only: refused (the bundle is not read)"

echo "$checks passed, 0 failed"
