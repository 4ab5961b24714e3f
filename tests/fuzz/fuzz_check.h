/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The fuzzers' invariant check: a failed one aborts, which libFuzzer
 * reports with the input that broke it. */
#ifndef COLDTRACE_FUZZ_CHECK_H
#define COLDTRACE_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(c)                                                               \
	do {                                                                   \
		if (!(c)) {                                                    \
			fprintf(stderr, "invariant failed: %s (%s:%d)\n", #c,  \
				__FILE__, __LINE__);                           \
			abort();                                               \
		}                                                              \
	} while (0)

#endif
