/*
 * tcheck.h - the tiny assertion kit of the unit tests. Each test program
 * counts its checks and exits non-zero if any failed (77 to skip). A
 * comparison prints both sides when it fails: TC_EQ_INT for integers,
 * TC_STREQ (or TC_EQ_STR) for strings, TC_ERR for pog_err results by
 * name. TC_CHECK is for the conditions that are not one comparison.
 */
#ifndef TCHECK_H
#define TCHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pog.h"

static int tc_pass, tc_fail;

#define TC_CHECK(cond) do { \
	if (cond) { tc_pass++; } else { tc_fail++; \
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); } \
} while (0)

#define TC_STREQ(a, b) do { \
	const char *tc_a = (a), *tc_b = (b); \
	if (tc_a != NULL && tc_b != NULL && strcmp(tc_a, tc_b) == 0) { tc_pass++; } else { tc_fail++; \
		fprintf(stderr, "%s:%d: \"%s\" != \"%s\" (%s vs %s)\n", __FILE__, __LINE__, \
			tc_a ? tc_a : "(null)", tc_b ? tc_b : "(null)", #a, #b); } \
} while (0)

/* Integers of any type, both sides printed on failure. */
#define TC_EQ_INT(a, b) do { \
	long long tc_x = (long long)(a), tc_y = (long long)(b); \
	if (tc_x == tc_y) { tc_pass++; } else { tc_fail++; \
		fprintf(stderr, "%s:%d: %lld != %lld (%s vs %s)\n", __FILE__, __LINE__, \
			tc_x, tc_y, #a, #b); } \
} while (0)

#define TC_EQ_STR(a, b) TC_STREQ(a, b)

/* pog_err results, both printed by name (pog_strerror). */
#define TC_ERR(got, want) do { \
	pog_err tc_g = (got), tc_w = (want); \
	if (tc_g == tc_w) { tc_pass++; } else { tc_fail++; \
		fprintf(stderr, "%s:%d: %s: got %d (%s), want %d (%s)\n", __FILE__, __LINE__, \
			#got, (int)tc_g, pog_strerror(tc_g), (int)tc_w, pog_strerror(tc_w)); } \
} while (0)

#define TC_DONE() do { \
	printf("%s: %d checks passed, %d failed\n", __FILE__, tc_pass, tc_fail); \
	return tc_fail == 0 ? 0 : 1; \
} while (0)

#endif /* TCHECK_H */
