/*
 * uidrule.c - the UID rule and the account record (see uidrule.h).
 *
 * libc only, no I/O: linked into libpog and compiled into the NSS module.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uidrule.h"

/* ---- SipHash-2-4 (Aumasson and Bernstein), written from the paper ---- */

static uint64_t
rotl64(uint64_t x, unsigned int b)
{
	return (x << b) | (x >> (64 - b));
}

static uint64_t
le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

struct sip {
	uint64_t v0, v1, v2, v3;
};

static void
sip_round(struct sip *s)
{
	s->v0 += s->v1;
	s->v1 = rotl64(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = rotl64(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = rotl64(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = rotl64(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = rotl64(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = rotl64(s->v2, 32);
}

static void
sip_block(struct sip *s, uint64_t m)
{
	s->v3 ^= m;
	sip_round(s);
	sip_round(s);
	s->v0 ^= m;
}

uint64_t
pog_siphash24(const uint8_t key[16], const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t k0 = le64(key), k1 = le64(key + 8), last;
	struct sip s = {
		k0 ^ 0x736f6d6570736575ULL, k1 ^ 0x646f72616e646f6dULL,
		k0 ^ 0x6c7967656e657261ULL, k1 ^ 0x7465646279746573ULL,
	};
	size_t i;

	for (i = 0; i + 8 <= len; i += 8)
		sip_block(&s, le64(p + i));
	last = (uint64_t)(len & 0xff) << 56;
	for (size_t j = 0; i + j < len; j++)
		last |= (uint64_t)p[i + j] << (8 * j);
	sip_block(&s, last);
	s.v2 ^= 0xff;
	for (int r = 0; r < 4; r++)
		sip_round(&s);
	return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

uint32_t
pog_uid_start(const uint8_t key[POG_UID_KEY_SIZE], uint32_t lo, uint32_t hi,
	      const char *name)
{
	uint8_t k[16];
	uint64_t h, n = (uint64_t)hi - lo + 1;

	/* Every byte of the file counts: the halves are folded together. */
	for (int i = 0; i < 16; i++)
		k[i] = key[i] ^ key[16 + i];
	h = pog_siphash24(k, name, strlen(name));
	memset(k, 0, sizeof(k));
	return (uint32_t)(lo + h % n);
}

/* ---- names, ranges, homes ---- */

bool
pog_uid_name_valid(const char *name)
{
	size_t n;

	if (name == NULL)
		return false;
	n = strlen(name);
	if (n == 0 || n > POG_UID_NAME_MAX)
		return false;
	if (!((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++) {
		char c = name[i];

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
		    c == '-')
			continue;
		if (c == '$' && i == n - 1)
			continue;
		return false;
	}
	return true;
}

/* Strict decimal into [0, 2^32-1]; *s moves past the digits on success. */
static bool
parse_u32(const char **s, const char *end, uint32_t *out)
{
	const char *p = *s;
	uint64_t v = 0;

	if (p >= end || *p < '0' || *p > '9')
		return false;
	if (*p == '0' && p + 1 < end && p[1] >= '0' && p[1] <= '9')
		return false;   /* no leading zeros: one spelling per number */
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > UINT32_MAX)
			return false;
	}
	*s = p;
	*out = (uint32_t)v;
	return true;
}

bool
pog_uid_parse_range(const char *s, uint32_t *lo, uint32_t *hi)
{
	const char *end = s + strlen(s);
	uint32_t a, b;

	if (!parse_u32(&s, end, &a) || s >= end || *s != '-')
		return false;
	s++;
	if (!parse_u32(&s, end, &b) || s != end)
		return false;
	if (a < POG_UID_RANGE_MIN || b > POG_UID_RANGE_MAX || a > b)
		return false;
	*lo = a;
	*hi = b;
	return true;
}

bool
pog_uid_home_valid(const char *p)
{
	char buf[4096];

	return p != NULL && p[0] == '/' &&
	       pog_uid_home_expand(p, "x", buf, sizeof(buf));
}

bool
pog_uid_home_expand(const char *p, const char *name, char *buf, size_t size)
{
	size_t n = 0;

	if (p == NULL || p[0] != '/' || size == 0)
		return false;
	for (; *p != '\0'; p++) {
		const char *add = p;
		size_t alen = 1;

		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f || *p == ':')
			return false;
		if (*p == '%') {
			if (p[1] == 'u') {
				add = name;
				alen = strlen(name);
			} else if (p[1] != '%') {
				return false;
			}
			p++;
		}
		if (n + alen >= size)
			return false;
		memcpy(buf + n, add, alen);
		n += alen;
	}
	buf[n] = '\0';
	/* No "." or ".." component: the home is where it says. */
	for (const char *c = buf; (c = strchr(c, '/')) != NULL; c++) {
		size_t l = strcspn(c + 1, "/");

		if ((l == 1 && c[1] == '.') || (l == 2 && c[1] == '.' && c[2] == '.'))
			return false;
	}
	return true;
}

/* ---- the set of numbers in use ---- */

bool
pog_idset_add(struct pog_idset *s, uint32_t id)
{
	if (s->n == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 256;
		uint32_t *nv;

		if (ncap > SIZE_MAX / sizeof(*nv))
			return false;
		nv = realloc(s->v, ncap * sizeof(*nv));
		if (nv == NULL)
			return false;
		s->v = nv;
		s->cap = ncap;
	}
	s->v[s->n++] = id;
	s->sorted = false;
	return true;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

bool
pog_idset_has(struct pog_idset *s, uint32_t id)
{
	if (s->n == 0)
		return false;
	if (!s->sorted) {
		qsort(s->v, s->n, sizeof(*s->v), cmp_u32);
		s->sorted = true;
	}
	return bsearch(&id, s->v, s->n, sizeof(*s->v), cmp_u32) != NULL;
}

void
pog_idset_free(struct pog_idset *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* ---- passwd and group text ---- */

/*
 * One line: its first field, and the numbers in fields num1 and num2
 * (1-based; 0 for none). false when the line does not parse.
 */
static bool
scan_line(const char *p, const char *e, int num1, int num2, const char **name,
	  size_t *name_len, uint32_t *n1, uint32_t *n2)
{
	const char *f = p;
	int field = 1;

	*name = p;
	*name_len = (size_t)((memchr(p, ':', (size_t)(e - p)) ?
			      (const char *)memchr(p, ':', (size_t)(e - p)) : e) - p);
	if (*name_len == 0 || *p == '+' || *p == '-' || *p == '#')
		return false;
	while (f < e) {
		const char *colon = memchr(f, ':', (size_t)(e - f));
		const char *fe = colon ? colon : e;

		if (field == num1 || field == num2) {
			const char *q = f;

			if (!parse_u32(&q, fe, field == num1 ? n1 : n2) || q != fe)
				return false;
		}
		if (colon == NULL)
			break;
		f = colon + 1;
		field++;
	}
	return field >= (num2 > num1 ? num2 : num1);
}

static bool
scan(const char *text, size_t len, const char *name, int num1, int num2,
     struct pog_idset *ids, bool *found)
{
	const char *p = text, *end = text + len;
	size_t nlen = name != NULL ? strlen(name) : 0;

	*found = false;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *e = eol ? eol : end, *n;
		size_t l;
		uint32_t a = 0, b = 0;

		/* A name is taken even on a line whose numbers are junk. */
		l = (size_t)((memchr(p, ':', (size_t)(e - p)) ?
			      (const char *)memchr(p, ':', (size_t)(e - p)) : e) - p);
		if (name != NULL && l == nlen && memcmp(p, name, nlen) == 0)
			*found = true;
		if (scan_line(p, e, num1, num2, &n, &l, &a, &b)) {
			if (!pog_idset_add(ids, a))
				return false;
			if (num2 != 0 && !pog_idset_add(ids, b))
				return false;
		}
		p = eol ? eol + 1 : end;
	}
	return true;
}

bool
pog_uid_scan_passwd(const char *text, size_t len, const char *name,
		    struct pog_idset *ids, bool *name_found)
{
	return scan(text, len, name, 3, 4, ids, name_found);
}

bool
pog_uid_scan_group(const char *text, size_t len, const char *name,
		   struct pog_idset *ids, bool *name_found)
{
	return scan(text, len, name, 3, 0, ids, name_found);
}

/* ---- the account record ---- */

static const char *const state_names[] = {
	[POG_ACCOUNT_ACTIVE] = "active",
	[POG_ACCOUNT_LOCKED] = "locked",
	[POG_ACCOUNT_PURGED] = "purged",
	[POG_ACCOUNT_RELEASED] = "released",
};

const char *
pog_account_state_name(enum pog_account_state s)
{
	return (unsigned int)s < POG_ACCOUNT_STATES ? state_names[s] : "?";
}

static bool
parse_i64(const char *p, const char *e, int64_t *out)
{
	int64_t v = 0;

	if (p >= e || (*p == '0' && e - p > 1))
		return false;
	for (; p < e; p++) {
		if (*p < '0' || *p > '9' || v > (INT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (*p - '0');
	}
	*out = v;
	return true;
}

static bool
printable_word(const char *p, const char *e)
{
	if (p >= e)
		return false;
	for (; p < e; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return false;
	return true;
}

enum { K_MAGIC, K_NAME, K_UID, K_SUB, K_CREATED, K_LAST, K_STATE, K_RETIRED, K_N };
#define K_REQUIRED K_RETIRED    /* the keys before it */

/* "N,N...": UIDs in the rule's bounds, at most POG_ACCOUNT_RETIRED_MAX. */
static bool
parse_retired(const char *v, const char *eol, struct pog_account *a)
{
	const char *q = v;

	a->nretired = 0;
	for (;;) {
		uint32_t u;

		if (a->nretired == POG_ACCOUNT_RETIRED_MAX || !parse_u32(&q, eol, &u) ||
		    u < POG_UID_RANGE_MIN || u > POG_UID_RANGE_MAX)
			return false;
		a->retired[a->nretired++] = u;
		if (q == eol)
			return true;
		if (*q++ != ',')
			return false;
	}
}

/* One value of an account record, checked for its key; *why on failure. */
static bool
account_value(struct pog_account *a, int k, const char *v, const char *eol,
	      const char **why)
{
	size_t vlen = (size_t)(eol - v);

	switch (k) {
	case K_MAGIC:
		*why = "not version 1";
		if (vlen != 1 || *v != '1')
			return false;
		break;
	case K_NAME:
		*why = "invalid name";
		if (vlen > POG_UID_NAME_MAX)
			return false;
		memcpy(a->name, v, vlen);
		a->name[vlen] = '\0';
		if (!pog_uid_name_valid(a->name))
			return false;
		break;
	case K_UID: {
		const char *q = v;

		*why = "invalid uid";
		if (!parse_u32(&q, eol, &a->uid) || q != eol ||
		    a->uid < POG_UID_RANGE_MIN || a->uid > POG_UID_RANGE_MAX)
			return false;
		break;
	}
	case K_SUB:
		*why = "sub too long";
		if (vlen > POG_ACCOUNT_SUB_MAX)
			return false;
		memcpy(a->sub, v, vlen);
		a->sub[vlen] = '\0';
		break;
	case K_CREATED:
	case K_LAST:
		*why = "invalid time";
		if (!parse_i64(v, eol, k == K_CREATED ? &a->created : &a->last_login))
			return false;
		break;
	case K_STATE:
		*why = "invalid state";
		for (k = 0; k < POG_ACCOUNT_STATES; k++)
			if (strlen(state_names[k]) == vlen &&
			    memcmp(state_names[k], v, vlen) == 0)
				break;
		if (k == POG_ACCOUNT_STATES)
			return false;
		a->state = (enum pog_account_state)k;
		break;
	case K_RETIRED:
		*why = "invalid retired uids";
		if (!parse_retired(v, eol, a))
			return false;
		break;
	default:
		break;
	}
	return true;
}

bool
pog_account_parse(const char *text, size_t len, struct pog_account *out,
		  const char **why)
{
	static const char *const keys[K_N] = {
		"pog-account", "name", "uid", "sub", "created", "last_login", "state",
		"retired",
	};
	const char *p = text, *end = text + len;
	struct pog_account a;
	bool seen[K_N] = { false };

	memset(&a, 0, sizeof(a));
	*why = "too large";
	if (len > POG_ACCOUNT_MAX_SIZE)
		return false;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *sp, *v;
		size_t klen;
		int k;

		*why = "every line must end with a newline";
		if (eol == NULL)
			return false;
		sp = memchr(p, ' ', (size_t)(eol - p));
		*why = "a line is not 'key value'";
		if (sp == NULL)
			return false;
		klen = (size_t)(sp - p);
		v = sp + 1;
		for (k = 0; k < K_N; k++)
			if (strlen(keys[k]) == klen && memcmp(keys[k], p, klen) == 0)
				break;
		*why = "unknown key";
		if (k == K_N)
			return false;
		*why = "duplicate key";
		if (seen[k])
			return false;
		seen[k] = true;
		*why = "a value is empty or not printable";
		if (!printable_word(v, eol))
			return false;
		if (!account_value(&a, k, v, eol, why))
			return false;
		p = eol + 1;
	}
	for (int k = 0; k < K_REQUIRED; k++) {
		*why = "a key is missing";
		if (!seen[k])
			return false;
	}
	*why = NULL;
	*out = a;
	return true;
}

size_t
pog_account_format(const struct pog_account *a, char *buf, size_t size)
{
	size_t used;
	int n;

	if (!pog_uid_name_valid(a->name) || a->sub[0] == '\0' ||
	    !printable_word(a->sub, a->sub + strlen(a->sub)) ||
	    (unsigned int)a->state >= POG_ACCOUNT_STATES || a->created < 0 ||
	    a->last_login < 0 || a->nretired > POG_ACCOUNT_RETIRED_MAX)
		return 0;
	n = snprintf(buf, size,
		     "pog-account 1\nname %s\nuid %u\nsub %s\ncreated %lld\n"
		     "last_login %lld\nstate %s\n",
		     a->name, (unsigned int)a->uid, a->sub, (long long)a->created,
		     (long long)a->last_login, state_names[a->state]);
	if (n < 0 || (size_t)n >= size)
		return 0;
	used = (size_t)n;
	for (size_t i = 0; i < a->nretired; i++) {
		n = snprintf(buf + used, size - used, "%s%u", i == 0 ? "retired " : ",",
			     (unsigned int)a->retired[i]);
		if (n < 0 || (size_t)n >= size - used)
			return 0;
		used += (size_t)n;
	}
	if (a->nretired > 0) {
		if (used + 1 >= size)
			return 0;
		buf[used++] = '\n';
		buf[used] = '\0';
	}
	return used;
}

/* ---- the rule ---- */

enum pog_uid_pick
pog_uid_pick(const uint8_t key[POG_UID_KEY_SIZE], uint32_t lo, uint32_t hi,
	     const char *name, int64_t known, struct pog_idset *taken,
	     uint32_t *uid)
{
	uint64_t n = (uint64_t)hi - lo + 1;
	uint32_t start;

	if (known >= 0) {
		if (pog_idset_has(taken, (uint32_t)known))
			return POG_UID_TAKEN;
		*uid = (uint32_t)known;
		return POG_UID_PICKED;
	}
	start = pog_uid_start(key, lo, hi, name);
	for (uint64_t i = 0; i < POG_UID_PROBES && i < n; i++) {
		uint32_t c = (uint32_t)(lo + ((uint64_t)(start - lo) + i) % n);

		/* 65535 is (uint16_t)-1, which old interfaces read as "no UID". */
		if (c == 65535 || pog_idset_has(taken, c))
			continue;
		*uid = c;
		return POG_UID_PICKED;
	}
	return POG_UID_FULL;
}
