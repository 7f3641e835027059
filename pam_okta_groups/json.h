/*
 * json.h - the one reader (and the ledger's writer) of JSON: the JSON library is
 * included by json.c only. Everything else holds an opaque handle and
 * reads one member per line, each getter saying found, absent or of the
 * wrong type.
 */
#ifndef POG_JSON_H
#define POG_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pog.h"

/* A JSON object or array; the root owns what is read from it. */
typedef struct pog_json pog_json;

enum pog_json_get {
	POG_JSON_ABSENT,
	POG_JSON_FOUND,
	POG_JSON_BADTYPE,
};

/* The depth of any document from outside. */
#define POG_JSON_MAX_DEPTH 32

/*
 * The strict reader: at most 1 MiB, no NUL byte, standard JSON only (no
 * NaN, Infinity, or raw control characters in strings), valid UTF-8, at
 * most depth levels, one JSON object and only white space after it.
 * POG_ERR_INVALID with *errmsg (may be NULL) saying why.
 */
pog_err pog_json_parse(const char *text, size_t len, int depth, pog_json **out,
		       char **errmsg);
/* Frees a root from pog_json_parse or pog_json_new_object; NULL is fine. */
void pog_json_free(pog_json *root);

/* Members of an object. A string with a NUL byte is of the wrong type. */
bool pog_json_has(const pog_json *obj, const char *key);
enum pog_json_get pog_json_get_string(const pog_json *obj, const char *key,
				      const char **out);
/* Any string, NUL bytes and all: *len is its JSON length. */
enum pog_json_get pog_json_get_string_len(const pog_json *obj, const char *key,
					  const char **out, size_t *len);
/* A JSON integer: not a string, not a fraction. */
enum pog_json_get pog_json_get_int(const pog_json *obj, const char *key,
				   int64_t *out);
/*
 * A NumericDate (RFC 7519 2): an integer or a finite fraction (cut to
 * its whole seconds) in [0, max]; anything else is of the wrong type.
 */
enum pog_json_get pog_json_get_seconds(const pog_json *obj, const char *key,
				       int64_t max, int64_t *out);
enum pog_json_get pog_json_get_bool(const pog_json *obj, const char *key,
				    bool *out);
/* FOUND when the member is JSON null. */
enum pog_json_get pog_json_get_null(const pog_json *obj, const char *key);
enum pog_json_get pog_json_get_array(const pog_json *obj, const char *key,
				     const pog_json **arr, size_t *n);
/* An array of strings (none with a NUL byte); *has: want is among them. */
enum pog_json_get pog_json_get_strarray_has(const pog_json *obj, const char *key,
					    const char *want, bool *has);

/* Items of an array. */
enum pog_json_get pog_json_at_string(const pog_json *arr, size_t i,
				     const char **out, size_t *len);
/* NULL when item i is not an object. */
const pog_json *pog_json_at_object(const pog_json *arr, size_t i);

/*
 * The usual message for a member that is absent or of the wrong type:
 * "WHAT has no KEY" or "WHAT's KEY is not TYPE". Returns err.
 */
pog_err pog_json_fail(char **errmsg, pog_err err, enum pog_json_get got,
		      const char *what, const char *key, const char *type);

/* The ledger's writer. Each put is false when out of memory; a NULL s puts nothing. */
pog_json *pog_json_new_object(void);
bool pog_json_put_string(pog_json *obj, const char *key, const char *s);
bool pog_json_put_int(pog_json *obj, const char *key, int64_t v);
bool pog_json_put_null(pog_json *obj, const char *key);
bool pog_json_put_strv(pog_json *obj, const char *key, const struct pog_strv *sv);
/* Pretty text with a final newline, malloc'd; NULL when out of memory. */
char *pog_json_format(const pog_json *obj, size_t *len);

#endif /* POG_JSON_H */
