/*
 * grp.c - parse and format /etc/group and /etc/gshadow, line by line.
 *
 * The parser is strict about what it calls an entry and lenient about
 * the file: whatever it does not understand stays as raw bytes and is
 * written back untouched. An entry we cannot parse is, for us, a group
 * that does not exist, so the module never edits a line it did not
 * fully understand.
 */
#include "config.h"

#include <endian.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grp.h"
#include "util.h"

/* Group files can be large on some hosts, but not this large. */
#define GRP_MAX_LINES (4u * 1024 * 1024)

static bool
is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

static bool
is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
	       c == '\r';
}

static unsigned char
ascii_lower(char ch)
{
	unsigned char c = (unsigned char)ch;

	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

bool
pog_grp_name_valid(const char *name)
{
	size_t n;

	if (name == NULL)
		return false;
	n = strnlen(name, POG_NAME_MAX + 1);
	if (n == 0 || n > POG_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c == ':' || c == ',' || is_blank(c) || is_ctl(c))
			return false;
	}
	return true;
}

bool
pog_grp_user_valid(const char *name)
{
	if (!pog_grp_name_valid(name))
		return false;
	if (name[0] == '.' || name[0] == '-' || name[0] == '+')
		return false;
	return strchr(name, '/') == NULL;
}

/* Takes the bytes up to the next ':' and steps over it. Moves only on success. */
static bool
cur_field(const char **cur, const char *end, const char **tok, size_t *len)
{
	const char *p = *cur;
	const char *colon = memchr(p, ':', (size_t)(end - p));

	if (colon == NULL)
		return false;
	*tok = p;
	*len = (size_t)(colon - p);
	*cur = colon + 1;
	return true;
}

/* A gid as glibc writes it: decimal digits, below (gid_t)-1. */
static bool
parse_gid(const char *s, size_t len, gid_t *gid)
{
	uint64_t v = 0;

	if (len == 0 || len > 10)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v >= UINT32_MAX)
		return false;
	*gid = (gid_t)v;
	return true;
}

/*
 * A member (or gshadow admin) list, read exactly as glibc's nss_files
 * reads it (parse_list in nss/nss_files/files-parse.c): items end at ','
 * or at end; white space before an item is skipped, white space after
 * it is part of it; an empty item is dropped. So "bob, alice" lists
 * alice and "alice ,bob" lists "alice " and bob, as getgrnam and
 * initgroups see them. Takes all bytes up to end.
 */
static pog_err
cur_list(const char **cur, const char *end, struct pog_strv *out)
{
	struct pog_strv sv = { 0 };
	const char *s = *cur;

	while (s < end) {
		const char *item, *stop;

		while (s < end && is_blank((unsigned char)*s))
			s++;
		item = s;
		stop = memchr(s, ',', (size_t)(end - s));
		if (stop == NULL)
			stop = end;
		if (stop > item && pog_strv_add_len(&sv, item, (size_t)(stop - item)) != POG_OK) {
			pog_strv_free(&sv);
			return POG_ERR_NOMEM;
		}
		s = stop < end ? stop + 1 : end;
	}
	*out = sv;
	*cur = end;
	return POG_OK;
}

/* A list field holds no control bytes but white space, which glibc skips or keeps. */
static bool
list_ok(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] == '\0' || (is_ctl((unsigned char)s[i]) && !is_blank((unsigned char)s[i])))
			return false;
	return true;
}

void
pog_grp_entry_free(struct pog_grp_entry *e)
{
	if (e == NULL)
		return;
	free(e->name);          /* passwd and field3 live in the same block */
	pog_strv_free(&e->members);
	pog_strv_free(&e->admins);
	memset(e, 0, sizeof(*e));
}

pog_err
pog_grp_parse_entry(const char **cur, const char *end, enum pog_grp_kind kind,
		    struct pog_grp_entry *out)
{
	struct pog_grp_entry e = { 0 };
	const char *p = *cur;
	const char *name, *pw, *f3;
	size_t namelen, pwlen, f3len;
	pog_err err = POG_ERR_INVALID;

	if (p >= end)
		goto out;
	/* Comments, NIS compat lines and indented lines are not entries to us. */
	if (*p == '#' || *p == '+' || *p == '-' || is_blank((unsigned char)*p))
		goto out;
	if (!cur_field(&p, end, &name, &namelen) || namelen == 0)
		goto out;
	if (!cur_field(&p, end, &pw, &pwlen))
		goto out;
	if (!cur_field(&p, end, &f3, &f3len))
		goto out;
	if (memchr(p, ':', (size_t)(end - p)) != NULL)
		goto out;
	/* Control bytes make a line not ours, except white space in the lists. */
	for (const char *q = name; q < (kind == POG_GRP_GROUP ? p : f3); q++)
		if (*q == '\0' || is_ctl((unsigned char)*q))
			goto out;
	if (!list_ok(p, (size_t)(end - p)) ||
	    (kind == POG_GRP_GSHADOW && !list_ok(f3, f3len)))
		goto out;
	if (kind == POG_GRP_GROUP && !parse_gid(f3, f3len, &e.gid))
		goto out;

	/* One block for the three fields: a file of 100k groups is parsed
	 * on every login, and a malloc each costs more than the copy. */
	err = POG_ERR_NOMEM;
	e.name = malloc(namelen + pwlen + f3len + 3);
	if (e.name == NULL)
		goto out;
	memcpy(e.name, name, namelen);
	e.name[namelen] = '\0';
	e.passwd = e.name + namelen + 1;
	memcpy(e.passwd, pw, pwlen);
	e.passwd[pwlen] = '\0';
	e.field3 = e.passwd + pwlen + 1;
	memcpy(e.field3, f3, f3len);
	e.field3[f3len] = '\0';
	if (kind == POG_GRP_GSHADOW) {
		const char *a = f3;

		if (cur_list(&a, f3 + f3len, &e.admins) != POG_OK)
			goto out;
	}
	if (cur_list(&p, end, &e.members) != POG_OK)
		goto out;

	*out = e;
	memset(&e, 0, sizeof(e));
	*cur = end;
	err = POG_OK;
out:
	pog_grp_entry_free(&e);
	return err;
}

void
pog_grp_db_free(struct pog_grp_db *db)
{
	if (db == NULL)
		return;
	for (size_t i = 0; db->lines != NULL && i < db->n; i++)
		if (db->lines[i].is_entry)
			pog_grp_entry_free(&db->lines[i].e);
	for (size_t i = 0; i < db->nparsed; i++) {
		if (db->parsed[i]->is_entry)
			pog_grp_entry_free(&db->parsed[i]->e);
		free(db->parsed[i]);
	}
	free(db->lines);
	free(db->text);
	free(db->index);
	free(db->off);
	free(db->parsed);
	free(db->odd);
	free(db->head);
	free(db->next);
	for (size_t i = 0; i < db->nhits; i++) {
		free(db->hits[i].name);
		free(db->hits[i].line);
	}
	free(db->hits);
	memset(db, 0, sizeof(*db));
}

static uint32_t
name_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;       /* FNV-1a */

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

/*
 * The lazy db's line split. A file of 100k groups is split in one pass
 * of 8-byte words (no call per line), and each line is put in a bucket
 * by the first (up to) 8 bytes of its name, found in the word at its
 * start: a lookup walks one short chain.
 */
static inline uint64_t
load_le64(const char *p)
{
	uint64_t w;

	memcpy(&w, p, sizeof(w));
	return le64toh(w);      /* byte j of the text is bits 8j..8j+7 */
}

static inline uint64_t
bytes_of(unsigned char c)
{
	return 0x0101010101010101u * c;
}

/* The high bit of each zero byte of t, and no other bit (no carries across bytes). */
static inline uint64_t
zero_bytes(uint64_t t)
{
	const uint64_t low7 = 0x7f7f7f7f7f7f7f7fu;

	return ~(((t & low7) + low7) | t | low7);
}

/* The first (up to) 8 bytes at p of a text that ends at end, zero-filled. */
static uint64_t
key_at(const char *p, const char *end)
{
	char b[8] = { 0 };

	if (end - p >= 8)
		return load_le64(p);
	memcpy(b, p, (size_t)(end - p));
	return load_le64(b);
}

/* The bytes of w before its first ':' or newline: a name's first 8 or fewer. */
static inline uint64_t
name_word(uint64_t w)
{
	uint64_t m = zero_bytes(w ^ bytes_of(':')) | zero_bytes(w ^ bytes_of('\n'));
	size_t at = m != 0 ? (size_t)__builtin_ctzll(m) / 8 : 8;

	return at == 0 ? 0 : at == 8 ? w : w & (~(uint64_t)0 >> (64 - 8 * at));
}

static inline size_t
bucket_of(const struct pog_grp_db *db, uint64_t word)
{
	return (size_t)((word * 0x9e3779b97f4a7c15u) >> 32) & db->head_mask;
}

/* Line i of a lazy db: its length without the newline; *newline: it had one. */
static size_t
lazy_len(const struct pog_grp_db *db, size_t i, bool *newline)
{
	size_t len = (size_t)db->off[i + 1] - db->off[i];
	bool nl = len > 0 && db->base[db->off[i + 1] - 1] == '\n';

	if (newline != NULL)
		*newline = nl;
	return len - (nl ? 1 : 0);
}

/* The length of line i's name, the bytes before its first ':'; 0: it has none. */
static size_t
lazy_namelen(const struct pog_grp_db *db, size_t i)
{
	const char *p = db->base + db->off[i];
	const char *colon = memchr(p, ':', lazy_len(db, i, NULL));

	return colon != NULL ? (size_t)(colon - p) : 0;
}

/* Line i's name for the index: an entry's (eager), or the bytes before the first ':' (lazy). */
static const char *
key_of(const struct pog_grp_db *db, size_t i, size_t *len)
{
	if (db->lazy) {
		*len = lazy_namelen(db, i);
		return db->base + db->off[i];
	}
	*len = strlen(db->lines[i].e.name);
	return db->lines[i].e.name;
}

static bool
key_is(const struct pog_grp_db *db, size_t i, const char *name, size_t len)
{
	size_t klen;
	const char *k = key_of(db, i, &klen);

	return klen == len && memcmp(k, name, len) == 0;
}



#define SLOT_LINE(v) ((size_t)((v) & 0xffffffffu))      /* 1-based; 0: empty */
#define SLOT_HASH(v) ((uint32_t)((v) >> 32))

/* Indexes the entries by name; the first of a name heads the chain of the others. */
static pog_err
db_index(struct pog_grp_db *db)
{
	size_t size = 64, *tail;

	while (size < 2 * db->n)
		size *= 2;
	db->index = calloc(size, sizeof(*db->index));
	tail = malloc((db->n + 1) * sizeof(*tail));     /* last entry of each chain, by head */
	if (db->index == NULL || tail == NULL) {
		free(db->index);
		free(tail);
		db->index = NULL;
		return POG_ERR_NOMEM;
	}
	db->index_mask = size - 1;
	for (size_t i = 0; i < db->n; i++) {
		uint32_t hash;
		size_t h, klen;
		const char *k;

		if (!db->lines[i].is_entry)
			continue;
		k = key_of(db, i, &klen);
		hash = name_hash(k, klen);
		for (h = hash & db->index_mask; db->index[h] != 0; h = (h + 1) & db->index_mask) {
			size_t head = SLOT_LINE(db->index[h]) - 1;

			if (SLOT_HASH(db->index[h]) == hash && key_is(db, head, k, klen)) {
				db->lines[tail[head]].next_same = i + 1;
				tail[head] = i;
				break;
			}
		}
		if (db->index[h] == 0) {
			db->index[h] = (uint64_t)hash << 32 | (uint64_t)(i + 1);
			tail[i] = i;
		}
	}
	free(tail);
	return POG_OK;
}

/*
 * Line i of a lazy db, parsed now if it was not yet; NULL when out of
 * memory (and db->failed set). The const db's cache is filled here.
 */
static struct pog_grp_line *
lazy_line(const struct pog_grp_db *cdb, size_t i)
{
	struct pog_grp_db *db = (struct pog_grp_db *)(uintptr_t)cdb;  /* the cache only */
	const char *raw = db->base + db->off[i];
	struct pog_grp_line *l;
	const char *c;
	pog_err perr;

	for (size_t j = 0; j < db->nparsed; j++)        /* a sync parses a handful */
		if (db->parsed[j]->raw == raw)
			return db->parsed[j];
	if (db->nparsed == db->parsed_cap) {
		size_t ncap = db->parsed_cap != 0 ? db->parsed_cap * 2 : 16;
		struct pog_grp_line **np = realloc(db->parsed, ncap * sizeof(*np));

		if (np == NULL) {
			db->failed = true;
			return NULL;
		}
		db->parsed = np;
		db->parsed_cap = ncap;
	}
	l = calloc(1, sizeof(*l));
	if (l == NULL) {
		db->failed = true;
		return NULL;
	}
	l->raw = raw;
	l->rawlen = lazy_len(db, i, &l->newline);
	c = l->raw;
	perr = pog_grp_parse_entry(&c, l->raw + l->rawlen, db->kind, &l->e);
	if (perr == POG_ERR_NOMEM) {
		free(l);
		db->failed = true;
		return NULL;
	}
	l->is_entry = perr == POG_OK;
	db->parsed[db->nparsed++] = l;
	return l;
}

/* Line k (1-based), parsed. */
static struct pog_grp_line *
line_at(const struct pog_grp_db *db, size_t k)
{
	return db->lazy ? lazy_line(db, k - 1) : (struct pog_grp_line *)(uintptr_t)&db->lines[k - 1];
}

/*
 * The lines named name (len bytes), in line order: the chain of its
 * bucket, checked, and kept, as a sync asks about the same few names
 * again and again. NULL with db->failed set when out of memory.
 */
static const struct pog_grp_hits *
lazy_hits(const struct pog_grp_db *cdb, const char *name, size_t len)
{
	struct pog_grp_db *db = (struct pog_grp_db *)(uintptr_t)cdb;  /* the cache only */
	struct pog_grp_hits *h;
	size_t cap = 0, at = 0;

	for (size_t j = 0; j < db->nhits; j++)
		if (db->hits[j].len == len && memcmp(db->hits[j].name, name, len) == 0)
			return &db->hits[j];
	if (db->nhits == db->hits_cap) {
		size_t ncap = db->hits_cap != 0 ? db->hits_cap * 2 : 8;
		struct pog_grp_hits *nh = realloc(db->hits, ncap * sizeof(*nh));

		if (nh == NULL)
			goto nomem;
		db->hits = nh;
		db->hits_cap = ncap;
	}
	h = &db->hits[db->nhits];
	memset(h, 0, sizeof(*h));
	if ((h->name = malloc(len + 1)) == NULL)
		goto nomem;
	memcpy(h->name, name, len);
	h->name[len] = '\0';
	h->len = len;
	/* no line's name holds a ':' or a newline, nor is empty */
	if (len == 0 || memchr(name, ':', len) != NULL || memchr(name, '\n', len) != NULL)
		len = 0;
	if (len != 0) {
		char w[8] = { 0 };

		memcpy(w, name, len < 8 ? len : 8);
		at = db->head[bucket_of(db, load_le64(w))];
	}
	for (; at != 0; at = db->next[at - 1]) {
		size_t i = at - 1;

		if (db->off[i + 1] - db->off[i] <= len || db->base[db->off[i] + len] != ':' ||
		    memcmp(db->base + db->off[i], name, len) != 0)
			continue;
		if (h->n == cap) {
			size_t ncap = cap != 0 ? cap * 2 : 4;
			uint32_t *nl = realloc(h->line, ncap * sizeof(*nl));

			if (nl == NULL) {
				free(h->line);
				free(h->name);
				goto nomem;
			}
			h->line = nl;
			cap = ncap;
		}
		h->line[h->n++] = (uint32_t)i;
	}
	for (size_t j = 0; j < h->n / 2; j++) {        /* the chain ran backwards */
		uint32_t t = h->line[j];

		h->line[j] = h->line[h->n - 1 - j];
		h->line[h->n - 1 - j] = t;
	}
	db->nhits++;
	return h;
nomem:
	db->failed = true;
	return NULL;
}

/* The first indexed line named name (len bytes) after line after (1-based), or 0. */
static size_t
lazy_match(const struct pog_grp_db *db, const char *name, size_t len, size_t after)
{
	const struct pog_grp_hits *h = lazy_hits(db, name, len);

	for (size_t j = 0; h != NULL && j < h->n; j++)
		if (h->line[j] + 1 > after)
			return h->line[j] + 1;
	return 0;
}

/* The first entry named name after line after (1-based), or 0. */
static size_t
lazy_entry(const struct pog_grp_db *db, const char *name, size_t len, size_t after)
{
	size_t k = after;

	while ((k = lazy_match(db, name, len, k)) != 0) {
		const struct pog_grp_line *l = lazy_line(db, k - 1);

		if (l != NULL && l->is_entry)
			return k;
	}
	return 0;
}

/* 1 + the index of the first entry named name; 0: none. */
static size_t
db_first(const struct pog_grp_db *db, const char *name)
{
	size_t len = strlen(name);
	uint32_t hash;

	if (db->lazy)
		return lazy_entry(db, name, len, 0);
	if (db->index == NULL) {
		for (size_t i = 0; i < db->n; i++)
			if (db->lines[i].is_entry && strcmp(db->lines[i].e.name, name) == 0)
				return i + 1;
		return 0;
	}
	hash = name_hash(name, len);
	for (size_t h = hash & db->index_mask; db->index[h] != 0; h = (h + 1) & db->index_mask) {
		size_t k = SLOT_LINE(db->index[h]);

		if (SLOT_HASH(db->index[h]) == hash && key_is(db, k - 1, name, len))
			return k;
	}
	return 0;
}

/* After entry k (1-based), the next of the same name (1-based), or 0. */
static size_t
db_next(const struct pog_grp_db *db, size_t k)
{
	if (db->lazy) {
		size_t len;
		const char *name = key_of(db, k - 1, &len);

		return lazy_entry(db, name, len, k);
	}
	if (db->index == NULL) {
		const char *name = db->lines[k - 1].e.name;

		for (size_t i = k; i < db->n; i++)
			if (db->lines[i].is_entry && strcmp(db->lines[i].e.name, name) == 0)
				return i + 1;
		return 0;
	}
	return db->lines[k - 1].next_same;
}

static pog_err
db_push(struct pog_grp_db *db, struct pog_grp_line *line)
{
	if (db->n == db->cap) {
		size_t ncap = db->cap != 0 ? db->cap * 2 : 64;
		struct pog_grp_line *nl;

		if (ncap > GRP_MAX_LINES)
			return POG_ERR_NOMEM;
		nl = realloc(db->lines, ncap * sizeof(*nl));
		if (nl == NULL)
			return POG_ERR_NOMEM;
		db->lines = nl;
		db->cap = ncap;
	}
	db->lines[db->n++] = *line;
	return POG_OK;
}

pog_err
pog_grp_db_parse(struct pog_grp_db *out, enum pog_grp_kind kind,
		 const char *text, size_t len)
{
	struct pog_grp_db db = { .kind = kind };
	struct pog_grp_line line = { 0 };
	char *p, *end;
	pog_err err = POG_ERR_NOMEM;

	/* One copy of the text holds every line's raw bytes: a NUL in place of
	 * each newline, and one after the last line. */
	if (len == SIZE_MAX || (db.text = malloc(len + 1)) == NULL)
		goto out;
	memcpy(db.text, text, len);
	db.text[len] = '\0';
	p = db.text;
	end = db.text + len;
	/* The lines array in one allocation: no copying as it grows. */
	{
		size_t lines = 1;

		for (const char *q = p; (q = memchr(q, '\n', (size_t)(end - q))) != NULL; q++)
			lines++;
		if (lines > GRP_MAX_LINES ||
		    (db.lines = malloc(lines * sizeof(*db.lines))) == NULL)
			goto out;
		db.cap = lines;
	}
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *le = nl != NULL ? nl : end;
		const char *c = p;
		pog_err perr;

		memset(&line, 0, sizeof(line));
		line.rawlen = (size_t)(le - p);
		line.newline = nl != NULL;
		line.raw = p;
		perr = pog_grp_parse_entry(&c, le, kind, &line.e);
		if (perr == POG_ERR_NOMEM)
			goto out;
		line.is_entry = perr == POG_OK;
		if (db_push(&db, &line) != POG_OK)
			goto out;
		memset(&line, 0, sizeof(line));
		*le = '\0';
		p = le + 1;
	}
	if (db_index(&db) != POG_OK)
		goto out;
	*out = db;
	memset(&db, 0, sizeof(db));
	err = POG_OK;
out:
	if (line.is_entry)
		pog_grp_entry_free(&line.e);
	pog_grp_db_free(&db);
	return err;
}

/* Room for 16 more line starts and the end mark: the offsets grow by half. */
static bool
offsets_grow(struct pog_grp_db *db, size_t *cap)
{
	size_t ncap = *cap + *cap / 2 + 64;
	uint32_t *no;

	if (db->n + 16 > GRP_MAX_LINES || (no = realloc(db->off, ncap * sizeof(*no))) == NULL)
		return false;
	db->off = no;
	*cap = ncap;
	return true;
}

/* db->off grown past n line starts (to hold a 16-byte block's more); NULL: no memory. */
static uint32_t *
offsets_more(struct pog_grp_db *db, size_t n, size_t *cap)
{
	db->n = n;
	return offsets_grow(db, cap) ? db->off : NULL;
}

/* The first pass: where each line starts, the byte after each newline. */
static bool
split_lines(struct pog_grp_db *db, const char *text, size_t len)
{
	size_t cap = 0, i = 0, n = 0;
	uint32_t *off;

	if (!offsets_grow(db, &cap))
		return false;
	off = db->off;
	if (len > 0)
		off[n++] = 0;
	/* 16 bytes at a time (SSE2, every x86-64), then 8, then 1 */
#ifdef __SSE2__
	for (const __m128i nl = _mm_set1_epi8('\n'); i + 16 <= len; i += 16) {
		unsigned m = (unsigned)_mm_movemask_epi8(
			_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(text + i)), nl));

		if (n + 17 > cap && (off = offsets_more(db, n, &cap)) == NULL)
			return false;
		for (; m != 0; m &= m - 1)
			off[n++] = (uint32_t)(i + (size_t)__builtin_ctz(m) + 1);
	}
#endif
	for (; i + 8 <= len; i += 8) {
		uint64_t m = zero_bytes(load_le64(text + i) ^ bytes_of('\n'));

		if (n + 17 > cap && (off = offsets_more(db, n, &cap)) == NULL)
			return false;
		for (; m != 0; m &= m - 1)
			off[n++] = (uint32_t)(i + (size_t)__builtin_ctzll(m) / 8 + 1);
	}
	for (; i < len; i++) {
		if (text[i] != '\n')
			continue;
		if (n + 17 > cap && (off = offsets_more(db, n, &cap)) == NULL)
			return false;
		off[n++] = (uint32_t)(i + 1);
	}
	if (n > 0 && off[n - 1] == len)
		n--;            /* a final newline starts no line */
	off[n] = (uint32_t)len;
	db->n = n;
	return true;
}

/* The odd list: the lines that start as no entry does. */
static bool
odd_add(struct pog_grp_db *db, size_t *odd_cap, size_t line)
{
	if (db->nodd == *odd_cap) {
		size_t ncap = *odd_cap != 0 ? *odd_cap * 2 : 16;
		uint32_t *no = realloc(db->odd, ncap * sizeof(*no));

		if (no == NULL)
			return false;
		db->odd = no;
		*odd_cap = ncap;
	}
	db->odd[db->nodd++] = (uint32_t)line;
	return true;
}

/*
 * The second pass: each line into its bucket's chain, by the word at its
 * start, and into the odd list when it starts as no entry does.
 */
static bool
chain_lines(struct pog_grp_db *db, const char *text, size_t len)
{
	const uint32_t *off = db->off;
	uint32_t *head = db->head, *next;
	size_t n = db->n, odd_cap = 0;

	if ((db->next = next = malloc((n + 1) * sizeof(*next))) == NULL)
		return false;
	for (size_t k = 0; k < n; k++) {
		const char *p = text + off[k];
		uint64_t w = len - off[k] >= 8 ? load_le64(p) : key_at(p, text + len);
		unsigned char c0 = (unsigned char)(w & 0xff);
		size_t b;

		/* what pog_grp_parse_entry never takes; glibc may read the blank ones */
		if ((c0 == '+' || c0 == '-' || (is_blank(c0) && c0 != '\n')) &&
		    !odd_add(db, &odd_cap, k))
			return false;
		b = bucket_of(db, name_word(w));
		next[k] = head[b];
		head[b] = (uint32_t)(k + 1);
	}
	return true;
}

pog_err
pog_grp_db_parse_lazy(struct pog_grp_db *out, enum pog_grp_kind kind,
		      const char *text, size_t len)
{
	struct pog_grp_db db = { .kind = kind, .lazy = true, .base = text, .base_len = len };
	size_t buckets = 16;
	pog_err err = POG_ERR_NOMEM;

	if (len > UINT32_MAX)
		goto out;
	while (buckets < len / 32)      /* a line of a big file is 20 to 40 bytes */
		buckets *= 2;
	if ((db.head = calloc(buckets, sizeof(*db.head))) == NULL)
		goto out;
	db.head_mask = buckets - 1;
	if (!split_lines(&db, text, len) || !chain_lines(&db, text, len))
		goto out;
	*out = db;
	memset(&db, 0, sizeof(db));
	err = POG_OK;
out:
	pog_grp_db_free(&db);
	return err;
}

bool
pog_grp_db_failed(const struct pog_grp_db *db)
{
	return db->failed;
}

const struct pog_grp_entry *
pog_grp_db_find(const struct pog_grp_db *db, const char *name)
{
	size_t k = db_first(db, name);

	return k != 0 ? &line_at(db, k)->e : NULL;
}

const struct pog_grp_entry *
pog_grp_db_find_casefold(const struct pog_grp_db *db, const char *name)
{
	const struct pog_grp_entry *found = NULL;
	size_t len = strlen(name);

	for (size_t i = 0; i < db->n; i++) {
		const struct pog_grp_line *l;
		const struct pog_grp_entry *e;

		if (db->lazy) {
			const char *k = db->base + db->off[i];
			size_t j;

			if (len == 0 || ascii_lower(k[0]) != ascii_lower(name[0]) ||
			    lazy_namelen(db, i) != len)
				continue;
			for (j = 0; j < len && ascii_lower(k[j]) == ascii_lower(name[j]); j++)
				;
			if (j < len || (l = lazy_line(db, i)) == NULL)
				continue;
		} else {
			l = &db->lines[i];
		}
		e = &l->e;
		if (!l->is_entry || !pog_ascii_caseeq(e->name, name))
			continue;
		if (found != NULL && strcmp(found->name, e->name) != 0)
			return NULL;    /* "Dev" and "dev": ambiguous */
		if (found == NULL)
			found = e;
	}
	return found;
}

/*
 * Whether a line that is no entry to us might list user in group for
 * glibc, which also reads indented lines, odd gids and extra colons.
 * Read loosely on purpose: the name up to the first ':', then any item
 * between ',' or ':' separators, white space before it skipped as glibc
 * does. It may say yes where glibc says no, never the other way round.
 */
static bool
raw_lists(const struct pog_grp_line *l, const char *group, const char *user)
{
	const char *p = l->raw, *end = l->raw + l->rawlen;
	size_t glen = strlen(group), ulen = strlen(user);

	while (p < end && is_blank((unsigned char)*p))
		p++;
	if (p == end || *p == '#' || (size_t)(end - p) <= glen ||
	    memcmp(p, group, glen) != 0 || p[glen] != ':')
		return false;
	p += glen + 1;
	while (p < end) {
		const char *item;

		while (p < end && is_blank((unsigned char)*p))
			p++;
		item = p;
		while (p < end && *p != ',' && *p != ':')
			p++;
		if ((size_t)(p - item) == ulen && memcmp(item, user, ulen) == 0)
			return true;
		if (p < end)
			p++;
	}
	return false;
}

size_t
pog_grp_db_unparsed_member(const struct pog_grp_db *db, const char *group,
			   const char *user)
{
	if (group == NULL || user == NULL || *group == '\0' || *user == '\0')
		return 0;
	if (db->lazy) {
		/* The lines raw_lists can take: those indexed under group, and the odd ones. */
		size_t found = 0, len = strlen(group), k = 0;

		while ((k = lazy_match(db, group, len, k)) != 0) {
			const struct pog_grp_line *l = lazy_line(db, k - 1);

			if (l != NULL && !l->is_entry && raw_lists(l, group, user)) {
				found = k;
				break;
			}
		}
		for (size_t j = 0; j < db->nodd && (found == 0 || db->odd[j] + 1 < found); j++) {
			struct pog_grp_line l = {
				.raw = db->base + db->off[db->odd[j]],
				.rawlen = lazy_len(db, db->odd[j], NULL),
			};

			if (raw_lists(&l, group, user))
				return db->odd[j] + 1;
		}
		return found;
	}
	for (size_t i = 0; i < db->n; i++)
		if (!db->lines[i].is_entry && raw_lists(&db->lines[i], group, user))
			return i + 1;
	return 0;
}

bool
pog_grp_db_is_member(const struct pog_grp_db *db, const char *group,
		     const char *user)
{
	for (size_t k = db_first(db, group); k != 0; k = db_next(db, k))
		if (pog_strv_contains(&line_at(db, k)->e.members, user))
			return true;
	return pog_grp_db_unparsed_member(db, group, user) != 0;
}

pog_err
pog_grp_db_add_member(struct pog_grp_db *db, const char *group,
		      const char *user, bool *changed)
{
	struct pog_grp_line *l;
	size_t k;

	*changed = false;
	if (!pog_grp_user_valid(user))
		return POG_ERR_INVALID;
	k = db_first(db, group);
	if (k == 0)
		return POG_ERR_INVALID;
	l = line_at(db, k);
	if (pog_strv_contains(&l->e.members, user))
		return POG_OK;
	if (pog_strv_add(&l->e.members, user) != POG_OK)
		return POG_ERR_NOMEM;
	l->dirty = true;
	*changed = true;
	return POG_OK;
}

pog_err
pog_grp_db_remove_member(struct pog_grp_db *db, const char *group,
			 const char *user, bool *changed)
{
	*changed = false;
	/* A line we would not rewrite still gives glibc the membership: refuse. */
	if (pog_grp_db_unparsed_member(db, group, user) != 0)
		return POG_ERR_INVALID;
	for (size_t i = db_first(db, group); i != 0; i = db_next(db, i)) {
		struct pog_grp_line *l = line_at(db, i);
		struct pog_strv *m = &l->e.members;
		size_t k = 0;

		for (size_t j = 0; j < m->n; j++) {
			if (strcmp(m->v[j], user) == 0) {
				free(m->v[j]);
				continue;
			}
			m->v[k++] = m->v[j];
		}
		if (k != m->n) {
			m->n = k;
			m->v[k] = NULL;
			l->dirty = true;
			*changed = true;
		}
	}
	return POG_OK;
}

bool
pog_grp_db_dirty(const struct pog_grp_db *db)
{
	for (size_t i = 0; i < db->nparsed; i++)
		if (db->parsed[i]->dirty)
			return true;
	for (size_t i = 0; db->lines != NULL && i < db->n; i++)
		if (db->lines[i].dirty)
			return true;
	return false;
}

static pog_err
format_list(const struct pog_strv *sv, struct pog_buf *out)
{
	for (size_t i = 0; i < sv->n; i++) {
		if (i > 0 && pog_buf_add(out, ",", 1) != POG_OK)
			return POG_ERR_NOMEM;
		if (pog_buf_addstr(out, sv->v[i]) != POG_OK)
			return POG_ERR_NOMEM;
	}
	return POG_OK;
}

/* A changed entry in the normal form, as gpasswd writes it: the lists as glibc read them. */
static pog_err
format_entry(enum pog_grp_kind kind, const struct pog_grp_entry *e, struct pog_buf *out)
{
	if (pog_buf_printf(out, "%s:%s:", e->name, e->passwd) != POG_OK)
		return POG_ERR_NOMEM;
	if (kind == POG_GRP_GSHADOW ? format_list(&e->admins, out) != POG_OK
				    : pog_buf_addstr(out, e->field3) != POG_OK)
		return POG_ERR_NOMEM;
	if (pog_buf_add(out, ":", 1) != POG_OK)
		return POG_ERR_NOMEM;
	return format_list(&e->members, out);
}

/* Adds a piece, joined to the last one when it follows it. */
static void
piece_add(struct pog_grp_piece *v, size_t *n, size_t off, size_t len, bool in_out)
{
	if (len == 0)
		return;
	if (*n > 0 && v[*n - 1].in_out == in_out && v[*n - 1].off + v[*n - 1].len == off) {
		v[*n - 1].len += len;
		return;
	}
	v[(*n)++] = (struct pog_grp_piece){ .off = off, .len = len, .in_out = in_out };
}

pog_err
pog_grp_db_format_pieces(const struct pog_grp_db *db, struct pog_buf *out,
			 struct pog_grp_piece **pieces, size_t *npieces)
{
	const struct pog_grp_line **dirty;
	struct pog_grp_piece *v;
	size_t n = 0, nd = 0, run = 0, start = out->len;

	*pieces = NULL;
	*npieces = 0;
	if (!db->lazy) {
		/* the whole file formatted into out: one piece */
		if (pog_grp_db_format(db, out) != POG_OK)
			return POG_ERR_NOMEM;
		if ((v = malloc(sizeof(*v))) == NULL)
			return POG_ERR_NOMEM;
		piece_add(v, &n, start, out->len - start, true);
		*pieces = v;
		*npieces = n;
		return POG_OK;
	}
	if (db->failed)
		return POG_ERR_NOMEM;
	/* a run of text before each changed entry, the entry, and the rest */
	v = malloc((2 * db->nparsed + 1) * sizeof(*v));
	dirty = malloc((db->nparsed + 1) * sizeof(*dirty));
	if (v == NULL || dirty == NULL) {
		free(v);
		free(dirty);
		return POG_ERR_NOMEM;
	}
	/* the changed lines, in file order: few, so an insertion sort */
	for (size_t j = 0; j < db->nparsed; j++) {
		const struct pog_grp_line *l = db->parsed[j];
		size_t k;

		if (!l->is_entry || !l->dirty)
			continue;
		for (k = nd; k > 0 && dirty[k - 1]->raw > l->raw; k--)
			dirty[k] = dirty[k - 1];
		dirty[k] = l;
		nd++;
	}
	for (size_t j = 0; j < nd; j++) {
		const struct pog_grp_line *l = dirty[j];
		size_t off = (size_t)(l->raw - db->base), before;

		piece_add(v, &n, run, off - run, false);
		before = out->len;
		if (format_entry(db->kind, &l->e, out) != POG_OK ||
		    (l->newline && pog_buf_add(out, "\n", 1) != POG_OK)) {
			free(v);
			free(dirty);
			return POG_ERR_NOMEM;
		}
		piece_add(v, &n, before, out->len - before, true);
		run = off + l->rawlen + (l->newline ? 1 : 0);
	}
	free(dirty);
	piece_add(v, &n, run, db->base_len - run, false);
	*pieces = v;
	*npieces = n;
	return POG_OK;
}

pog_err
pog_grp_db_format(const struct pog_grp_db *db, struct pog_buf *out)
{
	size_t need = 1;

	if (db->lazy) {
		/* the pieces, joined */
		struct pog_buf changed = { 0 };
		struct pog_grp_piece *pc = NULL;
		size_t npc = 0;
		pog_err err = pog_grp_db_format_pieces(db, &changed, &pc, &npc);

		for (size_t i = 0; err == POG_OK && i < npc; i++)
			err = pog_buf_add(out, (pc[i].in_out ? changed.data : db->base) + pc[i].off,
					  pc[i].len);
		free(pc);
		pog_buf_free(&changed);
		return err == POG_OK ? pog_buf_add(out, "", 0) : err;   /* out->data is set */
	}

	/* Room for the whole file at once, so the buffer is not copied as it
	 * grows: a changed entry gains at most one name and a comma. */
	for (size_t i = 0; i < db->n; i++)
		need += db->lines[i].rawlen + 1 + (db->lines[i].dirty ? POG_NAME_MAX + 1 : 0);
	if (out->cap < out->len + need) {
		char *nd = realloc(out->data, out->len + need);

		if (nd == NULL)
			return POG_ERR_NOMEM;
		out->data = nd;
		out->cap = out->len + need;
		out->data[out->len] = '\0';
	}
	for (size_t i = 0; i < db->n; i++) {
		const struct pog_grp_line *l = &db->lines[i];

		if (l->is_entry && l->dirty) {
			if (format_entry(db->kind, &l->e, out) != POG_OK)
				return POG_ERR_NOMEM;
		} else if (pog_buf_add(out, l->raw, l->rawlen) != POG_OK) {
			return POG_ERR_NOMEM;
		}
		if (l->newline && pog_buf_add(out, "\n", 1) != POG_OK)
			return POG_ERR_NOMEM;
	}
	return POG_OK;
}
