/*
 * test-uidrule.c - the one UID rule (uidrule.c) and the state it reads
 * (uidstate.c): SipHash-2-4 on the paper's vectors, the start of a name
 * pinned (UIDs must not move between releases), probing past taken UIDs
 * and GIDs, wrapping, failing closed, known names keeping their UIDs,
 * the account record, and the key file.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tcheck.h"
#include "tutil.h"
#include "uidrule.h"
#include "uidstate.h"

static uint8_t key[POG_UID_KEY_SIZE];

static void
test_siphash(void)
{
	uint8_t k[16], m[64];

	for (int i = 0; i < 16; i++)
		k[i] = (uint8_t)i;
	for (int i = 0; i < 64; i++)
		m[i] = (uint8_t)i;
	/* The SipHash paper, appendix A, and the reference vectors. */
	TC_EQ_INT(pog_siphash24(k, m, 0), 0x726fdb47dd0e0e31ULL);
	TC_EQ_INT(pog_siphash24(k, m, 15), 0xa129ca6149be45e5ULL);
}

static void
test_names(void)
{
	const char *good[] = { "alice", "_svc", "a-b_c9", "host$", "a", NULL };
	const char *bad[] = { "", "Alice", "9lives", "-x", "a.b", "a$b", "a b", "ünï",
			      "abcdefghijklmnopqrstuvwxyz0123456", "root:x", NULL };

	for (int i = 0; good[i]; i++)
		TC_CHECK(pog_uid_name_valid(good[i]));
	for (int i = 0; bad[i]; i++) {
		if (pog_uid_name_valid(bad[i]))
			fprintf(stderr, "accepted: %s\n", bad[i]);
		TC_CHECK(!pog_uid_name_valid(bad[i]));
	}
	TC_CHECK(pog_uid_name_valid("abcdefghijklmnopqrstuvwxyz012345"));  /* 32 */
}

static void
test_range_home(void)
{
	uint32_t lo = 0, hi = 0;
	char buf[64];

	TC_CHECK(pog_uid_parse_range("1879048192-2147483646", &lo, &hi));
	TC_EQ_INT(lo, 1879048192u);
	TC_EQ_INT(hi, 2147483646u);
	TC_CHECK(pog_uid_parse_range("5000-5000", &lo, &hi));
	TC_CHECK(!pog_uid_parse_range("999-5000", &lo, &hi));
	TC_CHECK(!pog_uid_parse_range("6000-5000", &lo, &hi));
	TC_CHECK(!pog_uid_parse_range("5000-4294967295", &lo, &hi));
	TC_CHECK(!pog_uid_parse_range("05000-6000", &lo, &hi));
	TC_CHECK(!pog_uid_parse_range("5000 - 6000", &lo, &hi));
	TC_CHECK(!pog_uid_parse_range("5000-", &lo, &hi));
	TC_CHECK(!pog_uid_parse_range("-5000", &lo, &hi));
	TC_CHECK(!pog_uid_parse_range("5000-99999999999", &lo, &hi));

	TC_CHECK(pog_uid_home_expand("/home/%u", "bob", buf, sizeof(buf)));
	TC_STREQ(buf, "/home/bob");
	TC_CHECK(pog_uid_home_expand("/srv/100%%/%u/x", "bob", buf, sizeof(buf)));
	TC_STREQ(buf, "/srv/100%/bob/x");
	TC_CHECK(!pog_uid_home_valid("home/%u"));
	TC_CHECK(!pog_uid_home_valid("/home/%s"));
	TC_CHECK(!pog_uid_home_valid("/home/%"));
	TC_CHECK(!pog_uid_home_valid("/home/../etc"));
	TC_CHECK(!pog_uid_home_valid("/home/./%u"));
	TC_CHECK(!pog_uid_home_valid("/home/a:b"));
	TC_CHECK(!pog_uid_home_expand("/home/%u", "bob", buf, 9));
	TC_CHECK(pog_uid_home_expand("/home/%u", "bob", buf, 10));
}

static void
test_pick(void)
{
	struct pog_idset taken = { 0 };
	uint32_t start, uid = 0;

	/* Pinned: the same key and name must give the same UID in every release. */
	start = pog_uid_start(key, POG_UID_DEFAULT_LO, POG_UID_DEFAULT_HI, "newuser");
	TC_EQ_INT(start, 2111713309u);
	TC_EQ_INT(pog_uid_start(key, POG_UID_DEFAULT_LO, POG_UID_DEFAULT_HI, "newuser"), start);
	TC_CHECK(pog_uid_start(key, POG_UID_DEFAULT_LO, POG_UID_DEFAULT_HI, "newuser2") != start);
	{
		uint8_t k2[POG_UID_KEY_SIZE];

		memcpy(k2, key, sizeof(k2));
		k2[31] ^= 1;    /* the second half of the file counts too */
		TC_CHECK(pog_uid_start(k2, POG_UID_DEFAULT_LO, POG_UID_DEFAULT_HI, "newuser") != start);
	}

	TC_EQ_INT(pog_uid_pick(key, POG_UID_DEFAULT_LO, POG_UID_DEFAULT_HI, "newuser", -1,
			       &taken, &uid), POG_UID_PICKED);
	TC_EQ_INT(uid, start);
	/* Taken as a UID or a GID: probe upwards. */
	TC_CHECK(pog_idset_add(&taken, start));
	TC_CHECK(pog_idset_add(&taken, start + 1));
	TC_EQ_INT(pog_uid_pick(key, POG_UID_DEFAULT_LO, POG_UID_DEFAULT_HI, "newuser", -1,
			       &taken, &uid), POG_UID_PICKED);
	TC_EQ_INT(uid, start + 2);
	pog_idset_free(&taken);

	/* Wrap: a small range whose top is taken continues at its bottom. */
	{
		uint32_t lo = 5000, hi = 5009, s = pog_uid_start(key, lo, hi, "w");
		char w[8] = "w";

		/* A name whose hash is above the bottom, so that wrapping shows. */
		for (int i = 0; s == lo && i < 100; i++) {
			snprintf(w, sizeof(w), "w%d", i);
			s = pog_uid_start(key, lo, hi, w);
		}
		TC_CHECK(s > lo);

		for (uint32_t u = s; u <= hi; u++)
			TC_CHECK(pog_idset_add(&taken, u));
		TC_EQ_INT(pog_uid_pick(key, lo, hi, w, -1, &taken, &uid), POG_UID_PICKED);
		TC_EQ_INT(uid, lo);
		/* Full: every number taken. */
		for (uint32_t u = lo; u < s; u++)
			TC_CHECK(pog_idset_add(&taken, u));
		TC_EQ_INT(pog_uid_pick(key, lo, hi, w, -1, &taken, &uid), POG_UID_FULL);
		pog_idset_free(&taken);
	}
	/* Bounded: POG_UID_PROBES taken in a row fail closed though more are free. */
	for (uint32_t i = 0; i < POG_UID_PROBES; i++)
		TC_CHECK(pog_idset_add(&taken, start + i));
	TC_EQ_INT(pog_uid_pick(key, POG_UID_DEFAULT_LO, POG_UID_DEFAULT_HI, "newuser", -1,
			       &taken, &uid), POG_UID_FULL);
	/* A known name keeps its UID wherever the hash lands... */
	TC_EQ_INT(pog_uid_pick(key, POG_UID_DEFAULT_LO, POG_UID_DEFAULT_HI, "newuser", 1900000000,
			       &taken, &uid), POG_UID_PICKED);
	TC_EQ_INT(uid, 1900000000);
	/* ...unless someone else holds it now: fail closed. */
	TC_EQ_INT(pog_uid_pick(key, POG_UID_DEFAULT_LO, POG_UID_DEFAULT_HI, "newuser", start,
			       &taken, &uid), POG_UID_TAKEN);
	pog_idset_free(&taken);
}

static void
test_scan(void)
{
	const char pw[] = "root:x:0:0:root:/root:/bin/bash\n"
			  "# comment\n"
			  "+nis\n"
			  "svc:x:70000:70001::/:/bin/false\n"
			  "junk:x:abc:5\n"
			  "short:x:7\n"
			  "last:x:80000:80000::/:/bin/sh";
	const char gr[] = "root:x:0:\ndocker:x:90000:alice\nbad:x:-1:\n";
	struct pog_idset ids = { 0 };
	bool found = true;

	TC_CHECK(pog_uid_scan_passwd(pw, strlen(pw), "newuser", &ids, &found));
	TC_CHECK(!found);
	TC_CHECK(pog_idset_has(&ids, 0));
	TC_CHECK(pog_idset_has(&ids, 70000));
	TC_CHECK(pog_idset_has(&ids, 70001));     /* a GID in passwd counts */
	TC_CHECK(pog_idset_has(&ids, 80000));
	TC_CHECK(!pog_idset_has(&ids, 7));
	TC_CHECK(pog_uid_scan_passwd(pw, strlen(pw), "junk", &ids, &found));
	TC_CHECK(found);                          /* a name on a junk line is taken */
	TC_CHECK(pog_uid_scan_group(gr, strlen(gr), "docker", &ids, &found));
	TC_CHECK(found);
	TC_CHECK(pog_idset_has(&ids, 90000));
	TC_CHECK(pog_uid_scan_group(gr, strlen(gr), "dock", &ids, &found));
	TC_CHECK(!found);
	pog_idset_free(&ids);
}

static void
test_record(void)
{
	struct pog_account a = { .uid = 1900000001, .created = 1700000000,
				 .last_login = 1700000500, .state = POG_ACCOUNT_PURGED };
	struct pog_account b;
	const char *why = NULL;
	char buf[1024];
	size_t n;
	static const char *const bad[] = {
		"pog-account 2\nname x\nuid 5000\nsub s\ncreated 1\nlast_login 1\nstate active\n",
		"pog-account 1\nname X\nuid 5000\nsub s\ncreated 1\nlast_login 1\nstate active\n",
		"pog-account 1\nname x\nuid 999\nsub s\ncreated 1\nlast_login 1\nstate active\n",
		"pog-account 1\nname x\nuid 5000\nsub s\ncreated 1\nlast_login 1\nstate gone\n",
		"pog-account 1\nname x\nuid 5000\nsub s\ncreated 1\nlast_login 1\n",
		"pog-account 1\nname x\nuid 5000\nsub s\ncreated 1\nlast_login 1\nstate active",
		"pog-account 1\nname x\nname y\nuid 5000\nsub s\ncreated 1\nlast_login 1\nstate active\n",
		"pog-account 1\nname x\nuid 5000\nsub a b\ncreated 1\nlast_login 1\nstate active\n",
		"pog-account 1\nname x\nuid 5000\nsub s\ncreated -1\nlast_login 1\nstate active\n",
		"pog-account 1\nname x\nuid 5000\nsub s\ncreated 1\nlast_login 1\nstate active\nx y\n",
		"pog-account 1\nname x\nuid 5000\nsub s\ncreated 1\nlast_login 1\nstate active\nretired 999\n",
		"pog-account 1\nname x\nuid 5000\nsub s\ncreated 1\nlast_login 1\nstate active\nretired 5001,\n",
		"pog-account 1\nname x\nuid 5000\nsub s\ncreated 1\nlast_login 1\nstate active\nretired 5001\nretired 5002\n",
		"pog-account 1\nname x\nuid 5000\nsub s\ncreated 1\nlast_login 1\nstate active\n"
		"retired 5001,5002,5003,5004,5005,5006,5007,5008,5009,5010,5011,5012,5013,5014,5015,5016,5017\n",
		NULL
	};

	strcpy(a.name, "newuser");
	strcpy(a.sub, "00u1abcd");
	n = pog_account_format(&a, buf, sizeof(buf));
	TC_CHECK(n > 0);
	TC_CHECK(pog_account_parse(buf, n, &b, &why));
	TC_STREQ(b.name, "newuser");
	TC_STREQ(b.sub, "00u1abcd");
	TC_EQ_INT(b.uid, 1900000001u);
	TC_EQ_INT(b.created, 1700000000);
	TC_EQ_INT(b.last_login, 1700000500);
	TC_EQ_INT(b.state, POG_ACCOUNT_PURGED);
	TC_EQ_INT(pog_account_format(&a, buf, 20), 0);
	/* every state, by its name, both ways */
	for (int s = 0; s < POG_ACCOUNT_STATES; s++) {
		a.state = (enum pog_account_state)s;
		n = pog_account_format(&a, buf, sizeof(buf));
		TC_CHECK(n > 0 && pog_account_parse(buf, n, &b, &why));
		TC_EQ_INT(b.state, s);
		TC_CHECK(strstr(buf, pog_account_state_name(a.state)) != NULL);
	}
	TC_STREQ(pog_account_state_name(POG_ACCOUNT_RELEASED), "released");
	/* the retired UIDs, both ways */
	a.retired[0] = 1900000002;
	a.retired[1] = 1900000003;
	a.nretired = 2;
	n = pog_account_format(&a, buf, sizeof(buf));
	TC_CHECK(n > 0 && strstr(buf, "\nretired 1900000002,1900000003\n") != NULL);
	TC_CHECK(pog_account_parse(buf, n, &b, &why));
	TC_EQ_INT(b.nretired, 2);
	TC_EQ_INT(b.retired[1], 1900000003u);
	a.nretired = 0;
	a.state = (enum pog_account_state)POG_ACCOUNT_STATES;
	TC_EQ_INT(pog_account_format(&a, buf, sizeof(buf)), 0);
	a.state = POG_ACCOUNT_PURGED;
	for (int i = 0; bad[i]; i++) {
		bool ok = pog_account_parse(bad[i], strlen(bad[i]), &b, &why);

		if (ok)
			fprintf(stderr, "accepted bad record %d\n", i);
		TC_CHECK(!ok);
	}
}

static void
test_compute(void)
{
	char dir[] = "/tmp/test-uidrule.XXXXXX", pw[256], gr[256], st[256], kf[256], acc[256];
	char rec[512], path[300];
	struct pog_uid_paths p;
	struct pog_uid_answer a, b;
	struct pog_account r = { .uid = 1900000000, .created = 1, .last_login = 1,
				 .state = POG_ACCOUNT_PURGED };
	struct stat sb;
	uint8_t k1[POG_UID_KEY_SIZE], k2[POG_UID_KEY_SIZE];

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	chmod(dir, 0755);
	snprintf(pw, sizeof(pw), "%s/passwd", dir);
	snprintf(gr, sizeof(gr), "%s/group", dir);
	snprintf(st, sizeof(st), "%s/state", dir);
	snprintf(kf, sizeof(kf), "%s/uidkey", dir);
	snprintf(acc, sizeof(acc), "%s/state/accounts", dir);
	tu_put_str(pw, "root:x:0:0::/root:/bin/bash\n", 0644);
	tu_put_str(gr, "root:x:0:\ndocker:x:999:\n", 0644);
	p = (struct pog_uid_paths){ pw, gr, st, kf, geteuid() };

	/* No key and no make: refused; make: 32 bytes, 0600, then stable. */
	TC_EQ_INT(pog_uid_compute(&p, 5000, 5999, "newuser", false, &a), POG_UIDS_REFUSED);
	TC_EQ_INT(pog_uid_compute(&p, 5000, 5999, "newuser", true, &a), POG_UIDS_OK);
	TC_EQ_INT(stat(kf, &sb), 0);
	TC_EQ_INT(sb.st_size, POG_UID_KEY_SIZE);
	TC_EQ_INT((sb.st_mode & 07777), 0600);
	TC_EQ_INT(pog_uid_key(kf, geteuid(), false, k1), 0);
	TC_EQ_INT(pog_uid_key(kf, geteuid(), true, k2), 0);
	TC_EQ_INT(memcmp(k1, k2, sizeof(k1)), 0);
	TC_EQ_INT(a.uid, pog_uid_start(k1, 5000, 5999, "newuser"));
	TC_CHECK(!a.known);
	TC_EQ_INT(pog_uid_compute(&p, 5000, 5999, "newuser", true, &b), POG_UIDS_OK);
	TC_EQ_INT(b.uid, a.uid);

	/* A group or a user of that name: never an account. */
	TC_EQ_INT(pog_uid_compute(&p, 5000, 5999, "docker", true, &b), POG_UIDS_EXISTS);
	TC_EQ_INT(pog_uid_compute(&p, 5000, 5999, "root", true, &b), POG_UIDS_EXISTS);
	TC_EQ_INT(pog_uid_compute(&p, 5000, 5999, "Bad", true, &b), POG_UIDS_REFUSED);

	/* The UID taken in group (as a GID), then in passwd: the next one. */
	snprintf(rec, sizeof(rec), "root:x:0:\ndocker:x:999:\nx:x:%u:\n", a.uid);
	tu_put_str(gr, rec, 0644);
	TC_EQ_INT(pog_uid_compute(&p, 5000, 5999, "newuser", true, &b), POG_UIDS_OK);
	TC_EQ_INT(b.uid, a.uid == 5999 ? 5000 : a.uid + 1);
	tu_put_str(gr, "root:x:0:\ndocker:x:999:\n", 0644);

	/* A group-writable group file is refused. */
	chmod(gr, 0664);
	TC_EQ_INT(pog_uid_compute(&p, 5000, 5999, "newuser", true, &b), POG_UIDS_REFUSED);
	chmod(gr, 0644);

	/* Records: a tombstone keeps its UID for its name, and from everyone else. */
	mkdir(st, 0700);
	mkdir(acc, 0700);
	strcpy(r.name, "newuser");
	strcpy(r.sub, "sub1");
	r.uid = a.uid == 5000 ? 5001 : 5000;
	snprintf(path, sizeof(path), "%s/newuser", acc);
	TC_CHECK(pog_account_format(&r, rec, sizeof(rec)) > 0);
	tu_put_str(path, rec, 0600);
	TC_EQ_INT(pog_uid_compute(&p, 5000, 5999, "newuser", true, &b), POG_UIDS_OK);
	TC_CHECK(b.known);
	TC_EQ_INT(b.uid, r.uid);
	TC_EQ_INT(b.record.state, POG_ACCOUNT_PURGED);
	/* Someone whose hash lands on the tombstone's UID moves on. */
	{
		struct pog_idset none = { 0 };
		uint32_t want = 0;
		char other[8];
		int found = 0;

		for (int i = 0; i < 100000 && !found; i++) {
			snprintf(other, sizeof(other), "u%d", i);
			if (pog_uid_start(k1, 5000, 5999, other) == r.uid)
				found = 1;
		}
		TC_CHECK(found);
		TC_EQ_INT(pog_uid_pick(k1, 5000, 5999, other, -1, &none, &want), POG_UID_PICKED);
		TC_EQ_INT(want, r.uid);
		TC_EQ_INT(pog_uid_compute(&p, 5000, 5999, other, true, &b), POG_UIDS_OK);
		TC_CHECK(b.uid != r.uid);
		/* The tombstone's UID now used by a local user: fail closed for its name. */
		snprintf(rec, sizeof(rec), "root:x:0:0::/root:/bin/bash\nz:x:%u:%u::/:/bin/sh\n",
			 r.uid, r.uid);
		tu_put_str(pw, rec, 0644);
		TC_EQ_INT(pog_uid_compute(&p, 5000, 5999, "newuser", true, &b), POG_UIDS_TAKEN);
		tu_put_str(pw, "root:x:0:0::/root:/bin/bash\n", 0644);

		/* Released (users rebind): a new UID for the name; the old one,
		 * and once retired in the record, is still nobody else's. */
		r.state = POG_ACCOUNT_RELEASED;
		snprintf(path, sizeof(path), "%s/newuser", acc);
		TC_CHECK(pog_account_format(&r, rec, sizeof(rec)) > 0);
		tu_put_str(path, rec, 0600);
		TC_EQ_INT(pog_uid_compute(&p, 5000, 5999, "newuser", true, &b), POG_UIDS_OK);
		TC_CHECK(!b.known && b.released);
		TC_CHECK(b.uid != r.uid);
		TC_EQ_INT(b.record.uid, r.uid);
		TC_EQ_INT(pog_uid_compute(&p, 5000, 5999, other, true, &b), POG_UIDS_OK);
		TC_CHECK(b.uid != r.uid);
		{
			struct pog_account again = r;
			uint32_t old = r.uid;

			again.state = POG_ACCOUNT_ACTIVE;
			again.uid = old == 5998 ? 5997 : 5998;
			again.retired[0] = old;
			again.nretired = 1;
			TC_CHECK(pog_account_format(&again, rec, sizeof(rec)) > 0);
			TC_CHECK(strstr(rec, "\nretired ") != NULL);
			tu_put_str(path, rec, 0600);
			TC_EQ_INT(pog_uid_compute(&p, 5000, 5999, "newuser", true, &b), POG_UIDS_OK);
			TC_CHECK(b.known && !b.released);
			TC_EQ_INT(b.uid, again.uid);
			TC_EQ_INT(b.record.nretired, 1);
			TC_EQ_INT(b.record.retired[0], old);
			TC_EQ_INT(pog_uid_compute(&p, 5000, 5999, other, true, &b), POG_UIDS_OK);
			if (b.uid == old)
				fprintf(stderr, "%s was given the retired uid %u\n", other, old);
			TC_CHECK(b.uid != old);
		}
		r.state = POG_ACCOUNT_PURGED;
		TC_CHECK(pog_account_format(&r, rec, sizeof(rec)) > 0);
		tu_put_str(path, rec, 0600);
	}
	/* A temp file of an atomic write is skipped; a corrupt record refuses all. */
	snprintf(path, sizeof(path), "%s/newuser.AbC123", acc);
	tu_put_str(path, "half", 0600);
	TC_EQ_INT(pog_uid_compute(&p, 5000, 5999, "newuser", true, &b), POG_UIDS_OK);
	unlink(path);
	snprintf(path, sizeof(path), "%s/other", acc);
	tu_put_str(path, "pog-account 1\n", 0600);
	TC_EQ_INT(pog_uid_compute(&p, 5000, 5999, "newuser", true, &b), POG_UIDS_REFUSED);
	unlink(path);
	/* A record under another name than its file's: refused. */
	TC_CHECK(pog_account_format(&r, rec, sizeof(rec)) > 0);
	tu_put_str(path, rec, 0600);
	TC_EQ_INT(pog_uid_compute(&p, 5000, 5999, "newuser", true, &b), POG_UIDS_REFUSED);
	unlink(path);
	/* A world-writable accounts folder: refused. */
	chmod(acc, 0777);
	TC_EQ_INT(pog_uid_compute(&p, 5000, 5999, "newuser", true, &b), POG_UIDS_REFUSED);
	chmod(acc, 0700);
	/* A key file readable by others: refused. */
	chmod(kf, 0644);
	TC_EQ_INT(pog_uid_compute(&p, 5000, 5999, "newuser", true, &b), POG_UIDS_REFUSED);
	chmod(kf, 0600);
	TC_EQ_INT(pog_account_load(st, geteuid(), "newuser", &r), 0);
	TC_EQ_INT(pog_account_load(st, geteuid(), "nobody2", &r), ENOENT);

	(void)tu_rm_rf(dir);
}

int
main(void)
{
	for (int i = 0; i < POG_UID_KEY_SIZE; i++)
		key[i] = (uint8_t)(0xa0 + i);
	test_siphash();
	test_names();
	test_range_home();
	test_pick();
	test_scan();
	test_record();
	test_compute();
	TC_DONE();
}
