/*
 * grp.h - /etc/group and /etc/gshadow as text: one line parsed with a
 * cursor parser, a whole file held as a list of lines.
 *
 * Pure core: libc only. A line that is not an entry we understand
 * (comment, blank, NIS '+'/'-', malformed) is kept as raw bytes, and an
 * entry is re-formatted only after it was changed, so formatting an
 * unchanged db gives back the input byte for byte.
 */
#ifndef POG_GRP_H
#define POG_GRP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pog.h"
#include "util.h"

/* The longest group or user name this module accepts. */
#define POG_NAME_MAX 32

enum pog_grp_kind {
	POG_GRP_GROUP,          /* name:passwd:gid:members */
	POG_GRP_GSHADOW,        /* name:passwd:admins:members */
};

struct pog_grp_entry {
	char *name;             /* one block with passwd and field3: free name only */
	char *passwd;
	char *field3;           /* group: the gid as written; gshadow: the admins */
	gid_t gid;              /* group only */
	struct pog_strv members;        /* as glibc reads them */
	struct pog_strv admins;         /* gshadow only: field3 as glibc reads it */
};

struct pog_grp_line {
	const char *raw;        /* the line as read, without its newline (in db->text) */
	size_t rawlen;
	bool newline;           /* it ended with '\n' */
	bool is_entry;
	bool dirty;             /* e was changed: format it instead of raw */
	struct pog_grp_entry e; /* valid when is_entry */
	size_t next_same;       /* 1 + the index of the next entry of that name; 0: none */
};

struct pog_grp_db {
	enum pog_grp_kind kind;
	struct pog_grp_line *lines;
	size_t n;
	size_t cap;
	char *text;             /* the input, each '\n' made '\0': the lines' raw */
	/* Open addressing by entry name; a slot holds the name's hash (high
	 * 32 bits) and 1 + the index of the first entry of that name (low
	 * 32 bits), 0: empty. So a lookup costs the same in a file of 100k
	 * groups as in one of ten. */
	uint64_t *index;
	size_t index_mask;
	/*
	 * pog_grp_db_parse_lazy only: lines is unused; each line is an offset,
	 * and an entry is parsed into a pog_grp_line of its own (parsed[])
	 * the first time a lookup reaches it. The lookups take a const db
	 * and fill that cache. failed: a parse ran out of memory, so a
	 * lookup may have missed an entry: nothing may be written.
	 */
	bool lazy;
	bool failed;
	const char *base;       /* the caller's text (not copied; outlives db) */
	size_t base_len;
	/* line i is base[off[i]] up to off[i + 1] (its newline included);
	 * off[n] == base_len */
	uint32_t *off;
	/* The lines by the first (up to) 8 bytes of their name: chains, from
	 * head[bucket] (1 + a line, 0: none) through next[line], in
	 * descending line order. */
	uint32_t *head, *next;
	size_t head_mask;
	struct pog_grp_hits *hits;      /* the lookups so far, by name */
	size_t nhits, hits_cap;
	struct pog_grp_line **parsed;   /* the lines parsed so far, in no order */
	size_t nparsed, parsed_cap;
	uint32_t *odd;          /* lines glibc may read that are no entry to us by name */
	size_t nodd;
};

struct pog_grp_hits {
	char *name;
	size_t len;
	uint32_t *line;         /* the lines of that name, in order */
	size_t n;
};

/*
 * A valid group name, by the rule of pam_okta_groups.conf(5): 1 to
 * POG_NAME_MAX bytes, no ':', ',', white space or control characters.
 */
bool pog_grp_name_valid(const char *name);

/*
 * A name fit to be a member of a group line and a file name in
 * state_dir: a valid group name that holds no '/' and does not start
 * with '.', '-' or '+'.
 */
bool pog_grp_user_valid(const char *name);

/*
 * Parses one entry between *cur and end (end excluded; no newline in
 * between). On success fills *e and moves *cur to end; on failure
 * returns POG_ERR_INVALID (or NOMEM) and leaves *cur and *e alone.
 */
pog_err pog_grp_parse_entry(const char **cur, const char *end,
			    enum pog_grp_kind kind, struct pog_grp_entry *e);
void pog_grp_entry_free(struct pog_grp_entry *e);

/* Parses a whole file. Every byte is kept; only NOMEM fails. */
pog_err pog_grp_db_parse(struct pog_grp_db *db, enum pog_grp_kind kind,
			 const char *text, size_t len);

/*
 * The same db for the lookups, edits and pog_grp_db_format below, but
 * only the lines split and chained by the start of their names: an entry is parsed when a
 * lookup first reaches it, so a sync of one user in 100k groups parses
 * a handful. text is not copied and must outlive db; db->lines is not
 * filled (walk every entry with pog_grp_db_parse).
 */
pog_err pog_grp_db_parse_lazy(struct pog_grp_db *db, enum pog_grp_kind kind,
			      const char *text, size_t len);

/* A lazy db whose parse of some entry ran out of memory: write nothing. */
bool pog_grp_db_failed(const struct pog_grp_db *db);
void pog_grp_db_free(struct pog_grp_db *db);

/* The first entry with that name (the one getgrnam sees), or NULL. */
const struct pog_grp_entry *pog_grp_db_find(const struct pog_grp_db *db,
					    const char *name);

/*
 * The first entry whose name equals name ignoring ASCII case, when
 * exactly one does; NULL when none or several do.
 */
const struct pog_grp_entry *pog_grp_db_find_casefold(const struct pog_grp_db *db,
						     const char *name);

/*
 * 1 + the index of a line that is no entry to us (indented, an odd gid,
 * extra colons...) but that glibc may read as listing user in group;
 * 0: none. Such a line is never rewritten, so a removal refuses it.
 */
size_t pog_grp_db_unparsed_member(const struct pog_grp_db *db, const char *group,
				  const char *user);

/*
 * Whether user is listed in any entry named group (initgroups sees them
 * all), or in a line pog_grp_db_unparsed_member finds.
 */
bool pog_grp_db_is_member(const struct pog_grp_db *db, const char *group,
			  const char *user);

/*
 * Adds user to the first entry named group. *changed tells whether the
 * db changed. POG_ERR_INVALID: no such entry, or user is not a valid name.
 */
pog_err pog_grp_db_add_member(struct pog_grp_db *db, const char *group,
			      const char *user, bool *changed);

/*
 * Removes user from every entry named group; a changed line is written
 * in the normal form. No entry is not an error. POG_ERR_INVALID, with
 * nothing changed: pog_grp_db_unparsed_member finds a line.
 */
pog_err pog_grp_db_remove_member(struct pog_grp_db *db, const char *group,
				 const char *user, bool *changed);

bool pog_grp_db_dirty(const struct pog_grp_db *db);

/* Appends the file text to out. */
pog_err pog_grp_db_format(const struct pog_grp_db *db, struct pog_buf *out);

/*
 * The same text as pog_grp_db_format, as pieces to write in order
 * without a copy of the file: each is len bytes at off, of the db's
 * text (in_out false; a lazy db's caller's text) or of out (in_out
 * true), where only the changed entries are formatted. *pieces is the
 * caller's to free.
 */
struct pog_grp_piece {
	size_t off, len;
	bool in_out;
};
pog_err pog_grp_db_format_pieces(const struct pog_grp_db *db, struct pog_buf *out,
				 struct pog_grp_piece **pieces, size_t *npieces);

#endif /* POG_GRP_H */
