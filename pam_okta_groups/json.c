/*
 * json.c - the one place json-c is included: the strict reader of every
 * JSON document (the provider's, the ID token's, the ledger), typed
 * getters, and the ledger's writer.
 *
 * Every document is untrusted. It is read with a length, no NUL bytes,
 * standard JSON only, valid UTF-8, a depth limit, a JSON object at the
 * top and nothing after it. Then each value is type-checked before it
 * is used.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "json.h"
#include "util.h"

#define JSON_MAX_TEXT (1024 * 1024)  /* any one document */

/* The handle is json-c's object; json-c takes no const. */
#define J(p) ((struct json_object *)(uintptr_t)(const void *)(p))

static bool
json_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * What json-c accepts even when strict, and RFC 8259 does not: NaN and
 * Infinity, and raw control characters inside strings. The scan follows
 * string boundaries the way any JSON parser does (a quote, and a
 * backslash escaping the next character).
 */
static bool
json_is_standard(const char *text, size_t len)
{
	bool in_string = false;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (in_string) {
			if (c < 0x20)
				return false;
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = false;
		} else if (c == '"') {
			in_string = true;
		} else if (c == 'N' || c == 'I') {
			return false;
		}
	}
	return true;
}

/* What the tokener must hold before it is run: a size, no NUL, standard. */
static pog_err
json_precheck(const char *text, size_t len, char **errmsg)
{
	if (text == NULL || len == 0)
		return pog_fail(errmsg, POG_ERR_INVALID, "the document is empty");
	if (len > JSON_MAX_TEXT)
		return pog_fail(errmsg, POG_ERR_INVALID,
				"the document is larger than %d bytes", JSON_MAX_TEXT);
	/* json-c would stop at a NUL and ignore the rest. */
	if (memchr(text, '\0', len) != NULL)
		return pog_fail(errmsg, POG_ERR_INVALID, "the document holds a NUL byte");
	if (!json_is_standard(text, len))
		return pog_fail(errmsg, POG_ERR_INVALID, "the document is not standard JSON");
	return POG_OK;
}

pog_err
pog_json_parse(const char *text, size_t len, int depth, pog_json **out,
	       char **errmsg)
{
	struct json_tokener *tok = NULL;
	struct json_object *root = NULL;
	enum json_tokener_error jerr;
	size_t end;
	pog_err err;

	err = json_precheck(text, len, errmsg);
	if (err != POG_OK)
		goto out;
	err = POG_ERR_INVALID;
	tok = json_tokener_new_ex(depth);
	if (tok == NULL) {
		err = POG_ERR_NOMEM;
		goto out;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	root = json_tokener_parse_ex(tok, text, (int)len);
	jerr = json_tokener_get_error(tok);
	if (jerr == json_tokener_continue) {
		pog_fail(errmsg, err, "the document is not valid JSON: it ends too early");
		goto out;
	}
	if (jerr != json_tokener_success) {
		pog_fail(errmsg, err, "the document is not valid JSON: %s",
			 json_tokener_error_desc(jerr));
		goto out;
	}
	end = json_tokener_get_parse_end(tok);
	while (end < len && json_is_space(text[end]))
		end++;
	if (end != len) {
		pog_fail(errmsg, err, "the document has data after the JSON value");
		goto out;
	}
	if (!json_object_is_type(root, json_type_object)) {
		pog_fail(errmsg, err, "the document is not a JSON object");
		goto out;
	}
	*out = (pog_json *)(void *)root;
	root = NULL;
	err = POG_OK;
out:
	json_object_put(root);
	if (tok != NULL)
		json_tokener_free(tok);
	return err;
}

void
pog_json_free(pog_json *root)
{
	json_object_put(J(root));
}

/* ---- members ---- */

bool
pog_json_has(const pog_json *obj, const char *key)
{
	return obj != NULL && json_object_object_get_ex(J(obj), key, NULL);
}

/* The member key of obj, looked up once: ABSENT, or FOUND (*v) when it has type, else BADTYPE. */
static enum pog_json_get
typed_member(const pog_json *obj, const char *key, json_type type, struct json_object **v)
{
	struct json_object *m = NULL;

	if (obj == NULL || !json_object_object_get_ex(J(obj), key, &m))
		return POG_JSON_ABSENT;
	*v = m;         /* a JSON null is a member whose value is NULL */
	return json_object_is_type(m, type) ? POG_JSON_FOUND : POG_JSON_BADTYPE;
}

enum pog_json_get
pog_json_get_string_len(const pog_json *obj, const char *key, const char **out,
			size_t *len)
{
	struct json_object *v = NULL;
	enum pog_json_get r = typed_member(obj, key, json_type_string, &v);
	const char *s;

	if (r != POG_JSON_FOUND)
		return r;
	s = json_object_get_string(v);
	if (s == NULL || json_object_get_string_len(v) < 0)
		return POG_JSON_BADTYPE;
	*out = s;
	*len = (size_t)json_object_get_string_len(v);
	return POG_JSON_FOUND;
}

enum pog_json_get
pog_json_get_string(const pog_json *obj, const char *key, const char **out)
{
	const char *s = NULL;
	size_t len = 0;
	enum pog_json_get r = pog_json_get_string_len(obj, key, &s, &len);

	if (r != POG_JSON_FOUND)
		return r;
	if (strlen(s) != len)
		return POG_JSON_BADTYPE;
	*out = s;
	return POG_JSON_FOUND;
}

enum pog_json_get
pog_json_get_int(const pog_json *obj, const char *key, int64_t *out)
{
	struct json_object *v = NULL;
	enum pog_json_get r = typed_member(obj, key, json_type_int, &v);

	if (r == POG_JSON_FOUND)
		*out = json_object_get_int64(v);
	return r;
}

enum pog_json_get
pog_json_get_seconds(const pog_json *obj, const char *key, int64_t max,
		     int64_t *out)
{
	struct json_object *v = NULL;
	enum pog_json_get r = typed_member(obj, key, json_type_int, &v);
	int64_t t;

	if (r == POG_JSON_ABSENT)
		return r;
	if (r == POG_JSON_FOUND) {
		t = json_object_get_int64(v);
	} else if (json_object_is_type(v, json_type_double)) {
		double d = json_object_get_double(v);

		if (!isfinite(d) || d < 0.0 || d > (double)max)
			return POG_JSON_BADTYPE;
		t = (int64_t)d;
	} else {
		return POG_JSON_BADTYPE;
	}
	if (t < 0 || t > max)
		return POG_JSON_BADTYPE;
	*out = t;
	return POG_JSON_FOUND;
}

enum pog_json_get
pog_json_get_bool(const pog_json *obj, const char *key, bool *out)
{
	struct json_object *v = NULL;
	enum pog_json_get r = typed_member(obj, key, json_type_boolean, &v);

	if (r == POG_JSON_FOUND)
		*out = json_object_get_boolean(v) != 0;
	return r;
}

enum pog_json_get
pog_json_get_null(const pog_json *obj, const char *key)
{
	struct json_object *v = NULL;

	return typed_member(obj, key, json_type_null, &v);
}

enum pog_json_get
pog_json_get_array(const pog_json *obj, const char *key, const pog_json **arr,
		   size_t *n)
{
	struct json_object *v = NULL;
	enum pog_json_get r = typed_member(obj, key, json_type_array, &v);

	if (r == POG_JSON_FOUND) {
		*arr = (const pog_json *)(void *)v;
		*n = json_object_array_length(v);
	}
	return r;
}

enum pog_json_get
pog_json_get_strarray_has(const pog_json *obj, const char *key, const char *want,
			  bool *has)
{
	const pog_json *arr = NULL;
	size_t n = 0;
	bool found = false;
	enum pog_json_get r = pog_json_get_array(obj, key, &arr, &n);

	if (r != POG_JSON_FOUND)
		return r;
	for (size_t i = 0; i < n; i++) {
		const char *s = NULL;
		size_t len = 0;

		if (pog_json_at_string(arr, i, &s, &len) != POG_JSON_FOUND ||
		    strlen(s) != len)
			return POG_JSON_BADTYPE;
		if (strcmp(s, want) == 0)
			found = true;
	}
	*has = found;
	return POG_JSON_FOUND;
}

/* ---- array items ---- */

enum pog_json_get
pog_json_at_string(const pog_json *arr, size_t i, const char **out, size_t *len)
{
	struct json_object *v = json_object_array_get_idx(J(arr), i);
	const char *s;

	if (!json_object_is_type(v, json_type_string))
		return POG_JSON_BADTYPE;
	s = json_object_get_string(v);
	if (s == NULL || json_object_get_string_len(v) < 0)
		return POG_JSON_BADTYPE;
	*out = s;
	*len = (size_t)json_object_get_string_len(v);
	return POG_JSON_FOUND;
}

const pog_json *
pog_json_at_object(const pog_json *arr, size_t i)
{
	struct json_object *v = json_object_array_get_idx(J(arr), i);

	return json_object_is_type(v, json_type_object) ? (const pog_json *)(void *)v : NULL;
}

pog_err
pog_json_fail(char **errmsg, pog_err err, enum pog_json_get got, const char *what,
	      const char *key, const char *type)
{
	if (got == POG_JSON_ABSENT)
		return pog_fail(errmsg, err, "%s has no %s", what, key);
	return pog_fail(errmsg, err, "%s's %s is not %s", what, key, type);
}

/* ---- the ledger's writer ---- */

pog_json *
pog_json_new_object(void)
{
	return (pog_json *)(void *)json_object_new_object();
}

static bool
json_put(pog_json *obj, const char *key, struct json_object *v)
{
	if (v == NULL)
		return false;
	if (json_object_object_add(J(obj), key, v) != 0) {
		json_object_put(v);
		return false;
	}
	return true;
}

bool
pog_json_put_string(pog_json *obj, const char *key, const char *s)
{
	if (s == NULL)
		return true;
	return json_put(obj, key, json_object_new_string(s));
}

bool
pog_json_put_int(pog_json *obj, const char *key, int64_t v)
{
	return json_put(obj, key, json_object_new_int64(v));
}

bool
pog_json_put_null(pog_json *obj, const char *key)
{
	return json_object_object_add(J(obj), key, NULL) == 0;   /* json-c's null */
}

bool
pog_json_put_strv(pog_json *obj, const char *key, const struct pog_strv *sv)
{
	struct json_object *a = json_object_new_array();

	if (a == NULL)
		return false;
	for (size_t i = 0; i < sv->n; i++) {
		struct json_object *s = json_object_new_string(sv->v[i]);

		if (s == NULL || json_object_array_add(a, s) != 0) {
			json_object_put(s);
			json_object_put(a);
			return false;
		}
	}
	return json_put(obj, key, a);
}

char *
pog_json_format(const pog_json *obj, size_t *outlen)
{
	const char *s;
	char *text;
	size_t len;

	s = json_object_to_json_string_ext(J(obj), JSON_C_TO_STRING_PRETTY |
					   JSON_C_TO_STRING_SPACED |
					   JSON_C_TO_STRING_NOSLASHESCAPE);
	if (s == NULL)
		return NULL;
	len = strlen(s);
	text = malloc(len + 2);
	if (text == NULL)
		return NULL;
	memcpy(text, s, len);
	text[len++] = '\n';
	text[len] = '\0';
	*outlen = len;
	return text;
}
