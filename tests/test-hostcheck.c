/* test-hostcheck: the nsswitch passwd line and sshd's group rules, for okta-groups check. */
#include "config.h"

#include "hostcheck.h"
#include "tcheck.h"

static const struct {
	const char *text;
	bool found;
	unsigned int count;
	bool action;
} nss[] = {
	{ "passwd:         files okta_groups\n", true, 1, false },
	{ "passwd: files systemd okta_groups # first login\n", true, 1, false },
	{ "group: files okta_groups\npasswd: files systemd\n", true, 0, false },
	{ "passwd: files okta_groups okta_groups\n", true, 2, false },
	{ "passwd: files [NOTFOUND=return] okta_groups\n", true, 1, true },
	{ "passwd: files okta_groups [NOTFOUND=return]\n", true, 1, false },
	{ "passwd: files okta_groupsx\n", true, 0, false },
	{ "# passwd: files okta_groups\nhosts: files\n", false, 0, false },
	{ "", false, 0, false },
};

static const struct {
	const char *text;
	const char *which;      /* NULL: none */
} ssh[] = {
	{ "Port 22\nUsePAM yes\n", NULL },
	{ "AllowGroups ssh-users\n", "AllowGroups" },
	{ "  denygroups=nope\n", "DenyGroups" },
	{ "Match User bob\n  X11Forwarding no\n", NULL },
	{ "Match Address 10.0.0.0/8 Group admins\n", "Match Group" },
	{ "# AllowGroups x\nAllowUsers alice\n", NULL },
};

int
main(void)
{
	for (size_t i = 0; i < sizeof(nss) / sizeof(nss[0]); i++) {
		unsigned int count = 99;
		bool action = false;
		bool found = pog_nss_passwd_line(nss[i].text, strlen(nss[i].text), "okta_groups",
						 &count, &action);

		TC_CHECK(found == nss[i].found);
		if (found && nss[i].found) {
			TC_CHECK(count == nss[i].count);
			TC_CHECK(action == nss[i].action);
		}
		if (found != nss[i].found || (found && (count != nss[i].count || action != nss[i].action)))
			fprintf(stderr, "nss case %zu: found %d count %u action %d\n", i, found, count, action);
	}
	for (size_t i = 0; i < sizeof(ssh) / sizeof(ssh[0]); i++) {
		const char *which = NULL;
		bool found = pog_sshd_group_rules(ssh[i].text, strlen(ssh[i].text), &which);

		TC_CHECK(found == (ssh[i].which != NULL));
		if (found && ssh[i].which != NULL)
			TC_CHECK(strcmp(which, ssh[i].which) == 0);
		if (found != (ssh[i].which != NULL))
			fprintf(stderr, "sshd case %zu: found %d\n", i, found);
	}
	TC_DONE();
}
