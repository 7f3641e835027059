/*
 * handoff.c - the account phase's decision, handed to setcred in another
 * process. See handoff.h.
 *
 * The file is four lines, written and read only by this module:
 *
 *   pam_okta_groups-handoff 1
 *   user alice
 *   when 1733040000
 *   gids 1001 1002
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grp.h"
#include "handoff.h"
#include "util.h"

#define HANDOFF_MAGIC "pam_okta_groups-handoff 1\n"
#define HANDOFF_DIR   "handoff"

void
pog_handoff_free(struct pog_handoff *h)
{
	if (h == NULL)
		return;
	free(h->user);
	free(h->gids);
	memset(h, 0, sizeof(*h));
}

bool
pog_handoff_nonce_valid(const char *s)
{
	return s != NULL && strlen(s) == POG_HANDOFF_NONCE_LEN &&
	       strspn(s, "0123456789abcdef") == POG_HANDOFF_NONCE_LEN;
}

/* Moves *p past "word " and returns true, or leaves it. */
static bool
take_word(const char **p, const char *end, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(end - *p) < n || memcmp(*p, word, n) != 0)
		return false;
	*p += n;
	return true;
}

/* A decimal number of at most 19 digits, no sign, no leading zero. */
static bool
take_number(const char **p, const char *end, uint64_t max, uint64_t *out)
{
	const char *q = *p;
	uint64_t v = 0;

	if (q >= end || *q < '0' || *q > '9' || (*q == '0' && q + 1 < end &&
						 q[1] >= '0' && q[1] <= '9'))
		return false;
	for (; q < end && *q >= '0' && *q <= '9'; q++) {
		if (q - *p >= 19)
			return false;
		v = v * 10 + (uint64_t)(*q - '0');
	}
	if (v > max)
		return false;
	*out = v;
	*p = q;
	return true;
}

static pog_err
parse_fail(char **errmsg, const char *what)
{
	if (errmsg != NULL)
		*errmsg = strdup(what);
	return POG_ERR_INVALID;
}

pog_err
pog_handoff_parse(const char *text, size_t len, struct pog_handoff *out,
		  char **errmsg)
{
	struct pog_handoff h = { 0 };
	const char *p = text, *end = text + len, *nl;
	uint64_t v;
	pog_err err;

	if (errmsg != NULL)
		*errmsg = NULL;
	if (!take_word(&p, end, HANDOFF_MAGIC))
		return parse_fail(errmsg, "not a handoff file");
	nl = memchr(p, '\n', (size_t)(end - p));
	if (!take_word(&p, end, "user ") || nl == NULL)
		return parse_fail(errmsg, "no user line");
	h.user = strndup(p, (size_t)(nl - p));
	if (h.user == NULL)
		return POG_ERR_NOMEM;
	if (strlen(h.user) != (size_t)(nl - p) || !pog_grp_user_valid(h.user)) {
		err = parse_fail(errmsg, "not a valid user name");
		goto out;
	}
	p = nl + 1;
	if (!take_word(&p, end, "when ") || !take_number(&p, end, INT64_MAX, &v) ||
	    !take_word(&p, end, "\n")) {
		err = parse_fail(errmsg, "no valid when line");
		goto out;
	}
	h.when = (int64_t)v;
	if (!take_word(&p, end, "gids")) {
		err = parse_fail(errmsg, "no gids line");
		goto out;
	}
	while (take_word(&p, end, " ")) {
		gid_t *ng;

		if (h.ngids == POG_HANDOFF_MAX_GIDS ||
		    !take_number(&p, end, (gid_t)-2, &v)) {
			err = parse_fail(errmsg, "a GID is malformed, or too many");
			goto out;
		}
		ng = reallocarray(h.gids, h.ngids + 1, sizeof(*ng));
		if (ng == NULL) {
			err = POG_ERR_NOMEM;
			goto out;
		}
		h.gids = ng;
		h.gids[h.ngids++] = (gid_t)v;
	}
	if (!take_word(&p, end, "\n") || p != end) {
		err = parse_fail(errmsg, "junk after the gids line");
		goto out;
	}
	*out = h;
	memset(&h, 0, sizeof(h));
	err = POG_OK;
out:
	pog_handoff_free(&h);
	return err;
}

pog_err
pog_handoff_format(const struct pog_handoff *h, char **out, size_t *len)
{
	struct pog_buf b = { 0 };

	if (!pog_grp_user_valid(h->user) || h->when < 0 || h->ngids > POG_HANDOFF_MAX_GIDS)
		return POG_ERR_INVALID;
	if (pog_buf_printf(&b, "%suser %s\nwhen %lld\ngids", HANDOFF_MAGIC, h->user,
			   (long long)h->when) != POG_OK)
		goto nomem;
	for (size_t i = 0; i < h->ngids; i++)
		if (pog_buf_printf(&b, " %u", (unsigned int)h->gids[i]) != POG_OK)
			goto nomem;
	if (pog_buf_addstr(&b, "\n") != POG_OK)
		goto nomem;
	*len = b.len;
	*out = pog_buf_steal(&b);
	return POG_OK;
nomem:
	pog_buf_free(&b);
	return POG_ERR_NOMEM;
}

/* Removes the files of logins that never reached setcred. */
static void
sweep(const char *dir, int64_t now)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct stat st;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		/* NONCE, or NONCE.XXXXXX from a write that was killed. */
		if (strspn(e->d_name, "0123456789abcdef") < POG_HANDOFF_NONCE_LEN)
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode) || st.st_uid != geteuid())
			continue;
		if (now - (int64_t)st.st_mtime > POG_HANDOFF_MAX_AGE)
			(void)unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
}

static char *
handoff_path(const char *state_dir, const char *nonce)
{
	if (!pog_handoff_nonce_valid(nonce))
		return NULL;
	return pog_asprintf("%s/" HANDOFF_DIR "/%s", state_dir, nonce);
}

pog_err
pog_handoff_write(const char *state_dir, const char *nonce,
		  const struct pog_handoff *h)
{
	char *dir = pog_asprintf("%s/" HANDOFF_DIR, state_dir);
	char *path = handoff_path(state_dir, nonce);
	char *text = NULL;
	size_t len = 0;
	pog_err err = POG_ERR_NOMEM;

	if (dir == NULL || path == NULL)
		goto out;
	err = pog_ensure_dir(state_dir, 0700);
	if (err == POG_OK)
		err = pog_ensure_dir(dir, 0700);
	if (err != POG_OK)
		goto out;
	sweep(dir, h->when);
	err = pog_handoff_format(h, &text, &len);
	if (err == POG_OK)
		err = pog_write_file_atomic(path, text, len, 0600);
out:
	free(text);
	free(path);
	free(dir);
	return err;
}

pog_err
pog_handoff_take(const char *state_dir, const char *nonce, const char *user,
		 int64_t now, struct pog_handoff *out, char **errmsg)
{
	struct pog_handoff h = { 0 };
	char *path = handoff_path(state_dir, nonce);
	char *text = NULL, *msg = NULL;
	size_t len = 0;
	pog_err err;

	*errmsg = NULL;
	if (path == NULL) {
		*errmsg = strdup("the nonce is malformed");
		return POG_ERR_INVALID;
	}
	const struct pog_file_policy pol = {
		.owner = geteuid(),
		.secret = false,
		.max = POG_HANDOFF_MAX_SIZE,
		.scrub = true,
		.refused = POG_ERR_CONFIG,
	};

	err = pog_read_file(path, &pol, &text, &len, NULL, &msg);
	if (err != POG_OK) {
		*errmsg = msg != NULL ? msg : strdup(errno == ENOENT ? "no such login" :
						     pog_strerror(err));
		msg = NULL;
		goto out;
	}
	/* Once only: a copied nonce finds nothing. */
	(void)unlink(path);
	err = pog_handoff_parse(text, len, &h, &msg);
	if (err == POG_OK && strcmp(h.user, user) != 0) {
		err = POG_ERR_INVALID;
		msg = strdup("it is another user's login");
	} else if (err == POG_OK && (h.when > now + 60 || now - h.when > POG_HANDOFF_MAX_AGE)) {
		err = POG_ERR_INVALID;
		msg = strdup("it is too old");
	}
	if (err != POG_OK) {
		*errmsg = msg;
		msg = NULL;
		goto out;
	}
	*out = h;
	memset(&h, 0, sizeof(h));
out:
	pog_handoff_free(&h);
	free(msg);
	free(text);
	free(path);
	return err;
}
