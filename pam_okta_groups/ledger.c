/*
 * ledger.c - state_dir/USER: the per-user record, in JSON (through json.h).
 *
 * The ledger is the module's own file, but it is parsed as strictly as
 * anything from outside: a corrupt ledger must not be able to make the
 * module touch a group that is not a valid name.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grp.h"
#include "json.h"
#include "ledger.h"
#include "util.h"

#define LEDGER_STR_MAX   1024   /* sub, issuer, result */
#define LEDGER_IDP_MAX   256    /* one IdP group as recorded */
#define LEDGER_LIST_MAX  4096   /* items in one list */

void
pog_ledger_free(struct pog_ledger *l)
{
	if (l == NULL)
		return;
	free(l->user);
	free(l->sub);
	free(l->pinned_sub);
	free(l->issuer);
	free(l->result);
	free(l->handoff);
	pog_strv_free(&l->idp_groups);
	pog_strv_free(&l->managed);
	pog_strv_free(&l->last_added);
	pog_strv_free(&l->last_removed);
	memset(l, 0, sizeof(*l));
}

char *
pog_ledger_path(const char *state_dir, const char *user)
{
	if (state_dir == NULL || *state_dir == '\0' || !pog_grp_user_valid(user))
		return NULL;
	return pog_asprintf("%s/%s", state_dir, user);
}

/* Printable ASCII only: the ledger holds nothing else. */
static bool
printable(const char *s, size_t len)
{
	return pog_all_of(s, len, pog_is_print_ascii);
}

/*
 * A member's lookup r: false, with the message, when it has the wrong
 * type; true otherwise, with *found whether it is there (a member of
 * the ledger may always be absent).
 */
static bool
member(enum pog_json_get r, const char *key, const char *type, bool *found,
       char **errmsg)
{
	*found = r == POG_JSON_FOUND;
	if (r != POG_JSON_BADTYPE)
		return true;
	*errmsg = pog_asprintf("\"%s\" is not %s", key, type);
	return false;
}

static bool
get_string(const pog_json *root, const char *key, size_t max, char **out,
	   char **errmsg)
{
	const char *s = NULL;
	size_t len = 0;
	bool found;

	if (!member(pog_json_get_string_len(root, key, &s, &len), key, "a string", &found,
		    errmsg))
		return false;
	if (!found)
		return true;
	if (len > max || !printable(s, len)) {
		*errmsg = pog_asprintf("\"%s\" is too long or not printable", key);
		return false;
	}
	*out = strdup(s);
	if (*out == NULL) {
		*errmsg = NULL;
		return false;
	}
	return true;
}

static bool
get_time(const pog_json *root, const char *key, int64_t *out, char **errmsg)
{
	int64_t t = 0;
	bool found;

	if (!member(pog_json_get_int(root, key, &t), key, "an integer", &found, errmsg))
		return false;
	if (!found)
		return true;
	if (t < 0) {
		*errmsg = pog_asprintf("\"%s\" is negative", key);
		return false;
	}
	*out = t;
	return true;
}

/*
 * pinned_sub: a string, or null (cleared by okta-groups users rebind).
 * Absent, the ledger predates the pin: its recorded sub is the pin.
 */
static bool
get_pin(const pog_json *root, struct pog_ledger *l, char **errmsg)
{
	const char *from = l->sub;

	if (pog_json_has(root, "pinned_sub")) {
		if (pog_json_get_null(root, "pinned_sub") == POG_JSON_FOUND)
			return true;
		if (!get_string(root, "pinned_sub", LEDGER_STR_MAX, &l->pinned_sub, errmsg))
			return false;
		if (*l->pinned_sub == '\0') {
			*errmsg = strdup("\"pinned_sub\" is empty");
			return false;
		}
		return true;
	}
	if (from == NULL || *from == '\0')
		return true;
	l->pinned_sub = strdup(from);
	if (l->pinned_sub == NULL) {
		*errmsg = NULL;
		return false;
	}
	return true;
}

/* groups: each item must be a valid group name; otherwise printable text. */
static bool
get_list(const pog_json *root, const char *key, bool groups, struct pog_strv *out,
	 char **errmsg)
{
	const pog_json *v = NULL;
	size_t n = 0;
	bool found;

	if (!member(pog_json_get_array(root, key, &v, &n), key, "an array", &found, errmsg))
		return false;
	if (!found)
		return true;
	if (n > LEDGER_LIST_MAX) {
		*errmsg = pog_asprintf("\"%s\" has too many items", key);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		const char *s = NULL;
		size_t len = 0;

		if (pog_json_at_string(v, i, &s, &len) != POG_JSON_FOUND) {
			*errmsg = pog_asprintf("\"%s\" holds a non-string", key);
			return false;
		}
		if (len != strlen(s) ||
		    (groups ? !pog_grp_name_valid(s)
			    : (len == 0 || len > LEDGER_IDP_MAX || !printable(s, len)))) {
			*errmsg = pog_asprintf("\"%s\" holds an invalid name", key);
			return false;
		}
		if (pog_strv_contains(out, s))
			continue;
		if (pog_strv_add(out, s) != POG_OK) {
			*errmsg = NULL;
			return false;
		}
	}
	return true;
}

pog_err
pog_ledger_parse(struct pog_ledger *out, const char *text, size_t len,
		 char **errmsg)
{
	struct pog_ledger l = { 0 };
	pog_json *root = NULL;
	int64_t version = 0;
	char *msg = NULL;
	pog_err err = POG_ERR_INVALID;

	if (len > POG_LEDGER_MAX_SIZE) {
		msg = strdup("too large");
		goto out;
	}
	/* Our own file, so shallow: depth 8. */
	err = pog_json_parse(text, len, 8, &root, &msg);
	if (err != POG_OK)
		goto out;
	err = POG_ERR_INVALID;
	if (pog_json_get_int(root, "version", &version) != POG_JSON_FOUND ||
	    version != POG_LEDGER_VERSION) {
		msg = strdup("missing or unknown \"version\"");
		goto out;
	}
	if (!get_string(root, "user", POG_NAME_MAX, &l.user, &msg) ||
	    !get_time(root, "when", &l.when, &msg) ||
	    !get_string(root, "sub", LEDGER_STR_MAX, &l.sub, &msg) ||
	    !get_pin(root, &l, &msg) ||
	    !get_string(root, "issuer", LEDGER_STR_MAX, &l.issuer, &msg) ||
	    !get_list(root, "idp_groups", false, &l.idp_groups, &msg) ||
	    !get_list(root, "managed", true, &l.managed, &msg) ||
	    !get_list(root, "last_added", true, &l.last_added, &msg) ||
	    !get_list(root, "last_removed", true, &l.last_removed, &msg) ||
	    !get_string(root, "result", LEDGER_STR_MAX, &l.result, &msg) ||
	    !get_string(root, "handoff", 64, &l.handoff, &msg) ||
	    !get_time(root, "expired", &l.expired, &msg)) {
		if (msg == NULL)
			err = POG_ERR_NOMEM;
		goto out;
	}
	if (l.user == NULL || !pog_grp_user_valid(l.user)) {
		msg = strdup("missing or invalid \"user\"");
		goto out;
	}
	*out = l;
	memset(&l, 0, sizeof(l));
	err = POG_OK;
out:
	if (errmsg != NULL) {
		*errmsg = msg;
		msg = NULL;
	}
	free(msg);
	pog_json_free(root);
	pog_ledger_free(&l);
	return err;
}

pog_err
pog_ledger_format(const struct pog_ledger *l, char **out, size_t *outlen)
{
	pog_json *root = pog_json_new_object();
	char *text = NULL;
	size_t len = 0;
	pog_err err = POG_ERR_NOMEM;

	if (root == NULL)
		goto out;
	if (!pog_json_put_int(root, "version", POG_LEDGER_VERSION) ||
	    !pog_json_put_string(root, "user", l->user) ||
	    !pog_json_put_int(root, "when", l->when) ||
	    !pog_json_put_string(root, "sub", l->sub) ||
	    /* Always written: null says "cleared", where absent says "older ledger". */
	    !(l->pinned_sub != NULL ? pog_json_put_string(root, "pinned_sub", l->pinned_sub)
				    : pog_json_put_null(root, "pinned_sub")) ||
	    !pog_json_put_string(root, "issuer", l->issuer) ||
	    !pog_json_put_strv(root, "idp_groups", &l->idp_groups) ||
	    !pog_json_put_strv(root, "managed", &l->managed) ||
	    !pog_json_put_strv(root, "last_added", &l->last_added) ||
	    !pog_json_put_strv(root, "last_removed", &l->last_removed) ||
	    !pog_json_put_string(root, "result", l->result) ||
	    !pog_json_put_string(root, "handoff", l->handoff))
		goto out;
	if (l->expired != 0 && !pog_json_put_int(root, "expired", l->expired))
		goto out;
	text = pog_json_format(root, &len);
	if (text == NULL)
		goto out;
	*out = text;
	*outlen = len;
	err = POG_OK;
out:
	pog_json_free(root);
	return err;
}

pog_err
pog_ledger_load(const char *state_dir, const char *user, struct pog_ledger *out,
		char **errmsg)
{
	struct pog_ledger l = { 0 };
	char *path = NULL;
	char *text = NULL;
	char *msg = NULL;
	size_t len = 0;
	pog_err err;
	int e;

	if (errmsg != NULL)
		*errmsg = NULL;
	path = pog_ledger_path(state_dir, user);
	if (path == NULL)
		return pog_grp_user_valid(user) ? POG_ERR_NOMEM : POG_ERR_INVALID;
	const struct pog_file_policy pol = {
		.owner = geteuid(),
		.secret = false,
		.max = POG_LEDGER_MAX_SIZE,
		.scrub = true,
		.refused = POG_ERR_CONFIG,
	};

	err = pog_read_file(path, &pol, &text, &len, NULL, &msg);
	e = errno;
	if (err != POG_OK) {
		if (err == POG_ERR_SYSTEM && e == ENOENT) {
			free(msg);
			msg = NULL;
		}
		goto out;
	}
	free(msg);
	msg = NULL;
	err = pog_ledger_parse(&l, text, len, &msg);
	if (err == POG_OK && strcmp(l.user, user) != 0) {
		err = POG_ERR_INVALID;
		msg = strdup("it names another user");
	}
	if (err == POG_ERR_INVALID) {
		char *clean = pog_sanitize(msg != NULL ? msg : "invalid", 200);

		free(msg);
		msg = clean != NULL ? pog_asprintf("%s: corrupt: %s", path, clean) : NULL;
		free(clean);
	}
	if (err != POG_OK)
		goto out;
	*out = l;
	memset(&l, 0, sizeof(l));
out:
	if (errmsg != NULL) {
		*errmsg = msg;
		msg = NULL;
	}
	pog_ledger_free(&l);
	free(path);
	free(text);
	free(msg);
	errno = err == POG_ERR_SYSTEM ? e : 0;
	return err;
}

pog_err
pog_ledger_read(const char *state_dir, const char *user, struct pog_ledger *out,
		const struct pog_io *io)
{
	struct pog_ledger l = { 0 };
	char *msg = NULL;
	pog_err err;

	err = pog_ledger_load(state_dir, user, &l, &msg);
	if (err == POG_ERR_SYSTEM && errno == ENOENT) {
		/* a first login: nothing managed, nothing pinned */
		l.user = strdup(user);
		err = l.user != NULL ? POG_OK : POG_ERR_NOMEM;
	} else if (err != POG_OK && err != POG_ERR_NOMEM &&
		   !(err == POG_ERR_INVALID && msg == NULL)) {
		/*
		 * Read as empty, the ledger would forget the groups it manages
		 * and the pin: refuse, as the pin check does.
		 */
		pog_log(io, LOG_ERR, "cannot read the ledger of %s, so the groups it manages "
			"are unknown: no group is changed; fix or remove the file: %s", user,
			msg != NULL ? msg : pog_strerror(err));
		if (err == POG_ERR_INVALID)
			err = POG_ERR_CONFIG;
	}
	if (err != POG_OK)
		goto out;
	*out = l;
	memset(&l, 0, sizeof(l));
out:
	pog_ledger_free(&l);
	free(msg);
	return err;
}

pog_err
pog_ledger_write_text(const char *state_dir, const char *user, const char *text,
		      size_t len)
{
	char *path = pog_ledger_path(state_dir, user);
	pog_err err;

	if (path == NULL)
		return POG_ERR_INVALID;
	err = pog_ensure_dir(state_dir, 0700);
	if (err == POG_OK)
		err = pog_write_file_atomic(path, text, len, 0600);
	free(path);
	return err;
}

pog_err
pog_ledger_begin_text(const char *state_dir, const char *user, const char *text,
		      size_t len, struct pog_atomic *a)
{
	char *path = pog_ledger_path(state_dir, user);
	pog_err err;

	a->tmp = a->path = NULL;
	a->fd = -1;
	if (path == NULL)
		return POG_ERR_INVALID;
	err = pog_ensure_dir(state_dir, 0700);
	if (err == POG_OK)
		err = pog_atomic_begin(a, path, text, len, 0600);
	free(path);
	return err;
}

pog_err
pog_ledger_write(const char *state_dir, const struct pog_ledger *l)
{
	char *text = NULL;
	size_t len = 0;
	pog_err err;

	if (l->user == NULL || !pog_grp_user_valid(l->user))
		return POG_ERR_INVALID;
	err = pog_ledger_format(l, &text, &len);
	if (err == POG_OK)
		err = pog_ledger_write_text(state_dir, l->user, text, len);
	free(text);
	return err;
}

static void
log_pin_refusal(const struct pog_io *io, const char *user, const char *pin,
		const char *sub)
{
	char *p = pog_sanitize(pin, 128), *s = pog_sanitize(sub, 128);

	pog_log(io, LOG_WARNING, "%s is pinned to Okta sub \"%s\"; refusing sub \"%s\" "
		"(okta-groups users rebind %s lets the new one in)", user,
		p != NULL ? p : "?", s != NULL ? s : "?", user);
	free(p);
	free(s);
}

pog_err
pog_ledger_pin_take(struct pog_ledger *l, const char *sub, const struct pog_io *io)
{
	char *pin;

	if (sub == NULL)
		return l->pinned_sub != NULL ? POG_ERR_PINNED : POG_OK;
	if (l->pinned_sub != NULL) {
		if (strcmp(l->pinned_sub, sub) == 0)
			return POG_OK;
		log_pin_refusal(io, l->user != NULL ? l->user : "?", l->pinned_sub, sub);
		return POG_ERR_PINNED;
	}
	/* Stored as the sync stores sub, so the two compare equal. */
	pin = pog_sanitize(sub, 255);
	if (pin == NULL)
		return POG_ERR_NOMEM;
	l->pinned_sub = pin;
	return POG_OK;
}

pog_err
pog_ledger_check_pin(const char *state_dir, const char *user, const char *sub,
		     const struct pog_io *io)
{
	struct pog_ledger l = { 0 };
	char *msg = NULL;
	pog_err err;

	if (sub == NULL)
		return POG_ERR_INVALID;
	err = pog_ledger_load(state_dir, user, &l, &msg);
	if (err == POG_ERR_SYSTEM && errno == ENOENT) {
		err = POG_OK;           /* a first login: nothing pinned yet */
		goto out;
	}
	if (err != POG_OK) {
		if (err == POG_ERR_NOMEM || (err == POG_ERR_INVALID && msg == NULL))
			goto out;
		pog_log(io, LOG_ERR, "cannot read the ledger of %s, so its Okta pin cannot "
			"be checked; fix or remove the file: %s", user,
			msg != NULL ? msg : pog_strerror(err));
		if (err == POG_ERR_INVALID)
			err = POG_ERR_CONFIG;
		goto out;
	}
	if (l.pinned_sub != NULL && strcmp(l.pinned_sub, sub) != 0) {
		log_pin_refusal(io, user, l.pinned_sub, sub);
		err = POG_ERR_PINNED;
	}
out:
	free(msg);
	pog_ledger_free(&l);
	return err;
}
