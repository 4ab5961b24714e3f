/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Minimal test harness in the style of the kernel's BPF selftests: assertion
 * macros that print file:line and both values, named subtests, and a closing
 * "N passed, N failed" line. A test binary exits non-zero if anything failed.
 *
 *   CT_TEST(name) { CT_EQ_INT(a, b); CT_TRUE(x); CT_EQ_STR(s, "x"); }
 *   int main(void) { CT_RUN(name); return ct_summary(); }
 */
#ifndef CT_TEST_H
#define CT_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int ct__passed, ct__failed, ct__cur_failed;
static const char *ct__cur;

#define CT_TEST(name) static void name(void)

#define CT_RUN(name)                                                           \
	do {                                                                   \
		ct__cur = #name;                                               \
		ct__cur_failed = 0;                                            \
		name();                                                        \
		if (ct__cur_failed) {                                          \
			ct__failed++;                                          \
			printf("FAIL %s\n", #name);                            \
		} else {                                                       \
			ct__passed++;                                          \
			printf("ok   %s\n", #name);                            \
		}                                                              \
		fflush(stdout);                                                \
	} while (0)

#define CT__FAIL(fmt, ...)                                                     \
	do {                                                                   \
		printf("  %s:%d: %s: " fmt "\n", __FILE__, __LINE__, ct__cur,  \
		       ##__VA_ARGS__);                                         \
		ct__cur_failed = 1;                                            \
	} while (0)

#define CT_TRUE(cond)                                                          \
	do {                                                                   \
		if (!(cond))                                                   \
			CT__FAIL("expected true: %s", #cond);                  \
	} while (0)

#define CT_EQ_INT(a, b)                                                        \
	do {                                                                   \
		long long ct_a = (long long)(a), ct_b = (long long)(b);        \
		if (ct_a != ct_b)                                              \
			CT__FAIL("%s == %s: %lld != %lld", #a, #b, ct_a, ct_b); \
	} while (0)

#define CT_EQ_U64(a, b)                                                        \
	do {                                                                   \
		unsigned long long ct_a = (unsigned long long)(a),             \
				   ct_b = (unsigned long long)(b);             \
		if (ct_a != ct_b)                                              \
			CT__FAIL("%s == %s: 0x%llx != 0x%llx", #a, #b, ct_a,   \
				 ct_b);                                        \
	} while (0)

#define CT_EQ_STR(a, b)                                                        \
	do {                                                                   \
		const char *ct_a = (a), *ct_b = (b);                           \
		if (!ct_a || !ct_b || strcmp(ct_a, ct_b) != 0)                 \
			CT__FAIL("%s == %s: \"%s\" != \"%s\"", #a, #b,         \
				 ct_a ? ct_a : "(null)",                       \
				 ct_b ? ct_b : "(null)");                      \
	} while (0)

/* A fixed-seed xorshift64: the same "random" damage on every run, per test binary. */
static uint64_t ct__rng = 0x9e3779b97f4a7c15ull;
static inline uint64_t ct_rand(void)
{
	ct__rng ^= ct__rng << 13;
	ct__rng ^= ct__rng >> 7;
	ct__rng ^= ct__rng << 17;
	return ct__rng;
}

static inline int ct_summary(void)
{
	printf("%d passed, %d failed\n", ct__passed, ct__failed);
	return ct__failed ? 1 : 0;
}

#endif /* CT_TEST_H */
