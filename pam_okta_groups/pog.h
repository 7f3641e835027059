/*
 * pog.h - what every part of pam_okta_groups shares: error codes, the
 * string list, and the hooks through which the core talks to its face
 * (the PAM module or the okta-groups tool) without knowing which it is.
 *
 * Nothing here includes PAM, curl, jwt or json headers.
 */
#ifndef POG_H
#define POG_H

#include <stdbool.h>
#include <stddef.h>
#include <syslog.h>

#define POG_ATTR_PRINTF(a, b) __attribute__((format(printf, a, b)))

/*
 * Outcomes. The face turns these into PAM codes in one place
 * (pog_err_to_pam in pam_okta_groups.c) and into exit codes in the tool.
 */
typedef enum {
	POG_OK = 0,
	POG_ERR_NOMEM,      /* out of memory */
	POG_ERR_SYSTEM,     /* a local system call failed */
	POG_ERR_CONFIG,     /* the config is broken: PAM_SERVICE_ERR */
	POG_ERR_UNAVAIL,    /* the IdP cannot be reached: PAM_AUTHINFO_UNAVAIL */
	POG_ERR_PROTOCOL,   /* the IdP answered nonsense: PAM_AUTH_ERR */
	POG_ERR_DENIED,     /* the user said no (access_denied): PAM_AUTH_ERR */
	POG_ERR_EXPIRED,    /* code expired or deadline passed: PAM_AUTH_ERR */
	POG_ERR_TOKEN,      /* the ID token failed verification: PAM_AUTH_ERR */
	POG_ERR_USER,       /* the identity is not this account: PAM_AUTH_ERR */
	POG_ERR_CONV,       /* the conversation failed: PAM_CONV_ERR */
	POG_ERR_NOBINDING,  /* no binding grants access: PAM_PERM_DENIED */
	POG_ERR_INVALID,    /* malformed input to a parser */
	POG_ERR_PINNED,     /* the account is pinned to another Okta sub: PAM_AUTH_ERR */
	POG_ERR_WEAK,       /* the sign-in is weaker or older than the host asks: PAM_AUTH_ERR */
} pog_err;

const char *pog_strerror(pog_err err);

/* A growable, NULL-terminated list of owned strings. */
struct pog_strv {
	char **v;
	size_t n;
	size_t cap;
};

pog_err pog_strv_add(struct pog_strv *sv, const char *s);
pog_err pog_strv_add_len(struct pog_strv *sv, const char *s, size_t len);
bool pog_strv_contains(const struct pog_strv *sv, const char *s);
void pog_strv_free(struct pog_strv *sv);
/* Splits on blanks (space, tab) into sv; empty input yields an empty list. */
pog_err pog_strv_split(struct pog_strv *sv, const char *s);

/*
 * The hooks. The PAM face implements them with pam_syslog and the
 * conversation; the tool with stderr and the terminal. Any hook may be
 * NULL, and then the call is a no-op (ask fails).
 */
struct pog_io {
	void *ctx;
	/* prio is a syslog priority. msg never holds a token, code or secret. */
	void (*log)(void *ctx, int prio, const char *msg);
	/* Show text to the user, with no answer expected. */
	int (*info)(void *ctx, const char *text);
	/* Show an error sentence to the user. */
	int (*error)(void *ctx, const char *text);
	/* Show text and read a line; *answer is malloc'd, the caller frees. */
	int (*ask)(void *ctx, const char *text, bool echo, char **answer);
	/* Whether a terminal is attached (for prompt = auto). */
	bool tty;
	bool debug;
};

/* Formats one log line and hands it to io->log; LOG_DEBUG only with debug. */
void pog_log(const struct pog_io *io, int prio, const char *fmt, ...)
	POG_ATTR_PRINTF(3, 4);
/* Tells the user one plain sentence through io->error. */
void pog_tell(const struct pog_io *io, const char *fmt, ...)
	POG_ATTR_PRINTF(2, 3);

/* Overwrites and frees a secret; NULL is fine. */
void pog_free_secret(char *s);

/* Cleans a string for display or logging: control and non-ASCII bytes become '?'. */
char *pog_sanitize(const char *s, size_t maxlen);

/*
 * Quotes untrusted text for a log line: "..." with '"' and '\\' escaped
 * and every byte outside printable ASCII as \xHH, so that no value can
 * end the line or forge a field. At most maxlen bytes of s are shown;
 * more becomes "...". NULL when out of memory.
 */
char *pog_quote(const char *s, size_t maxlen);

/*
 * The verified result of the auth phase. The account and session phases,
 * and okta-groups login, take it from here. Nothing in it is secret.
 */
struct pog_identity {
	char *user;             /* the local account (PAM_USER) */
	char *sub;
	char *issuer;
	char *claimed_name;     /* the username claim as the IdP sent it */
	struct pog_strv groups; /* IdP groups, as sent: untrusted text */
	bool groups_present;    /* false: no group claim anywhere */
	const char *groups_source; /* "id_token" or "userinfo" (static) */
	long auth_time;         /* when the token was verified (epoch) */
	char *acr;              /* the token's acr, as sent; NULL: none */
	struct pog_strv amr;    /* the token's amr, as sent */
	long idp_auth_time;     /* the token's auth_time: when the user signed in to Okta; 0: none */
};

void pog_identity_free(struct pog_identity *id);

#endif /* POG_H */
