/* fuzz-sources: userspace/model/redact.c */
// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target for userspace/model/redact.c. Input: byte 0 = bit 0
 * CT_REDACT_QUERY, bits 1-7 a small output size; the rest is the string
 * (NUL bytes included, as in argv). Oracles: the output is NUL-terminated
 * inside its buffer and as long as returned; a cut output is a prefix of
 * the uncut one, and only a cut sets *cut; redacting the result again
 * changes nothing (no secret value is left behind to redact); the command
 * line form is at most CT_CMDLINE_MAX bytes plus "...".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redact.h"

#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char big[1 << 16], again[1 << 16], small[256], cmd[CT_CMDLINE_MAX + 64];
	unsigned flags;
	size_t n, sn, an, ssz;
	bool cut = false, scut = false, acut = false;
	const char *in = (const char *)data + 1;

	if (!size || size > 8192)
		return 0;
	flags = data[0] & 1 ? CT_REDACT_QUERY : 0;
	ssz = 1 + (data[0] >> 1);
	size--;

	n = ct_redact(big, sizeof(big), in, size, flags, &cut);
	CHECK(!cut); /* 8 KiB never grows past 64 KiB */
	CHECK(n < sizeof(big) && big[n] == 0);

	sn = ct_redact(small, ssz, in, size, flags, &scut);
	CHECK(sn < ssz && small[sn] == 0);
	CHECK(sn <= n && memcmp(small, big, sn) == 0);
	CHECK(scut == (sn < n));

	an = ct_redact(again, sizeof(again), big, n, flags, &acut);
	if (an != n || memcmp(again, big, n)) {
		fprintf(stderr, "not idempotent:\n  %.*s\n  %.*s\n", (int)n, big, (int)an, again);
		abort();
	}

	/* the command-line form: a C string */
	if (!memchr(in, 0, size)) {
		char *s = malloc(size + 1);

		CHECK(s != NULL);
		memcpy(s, in, size);
		s[size] = 0;
		ct_redact_cmdline(s, cmd, sizeof(cmd));
		CHECK(strlen(cmd) <= CT_CMDLINE_MAX + 3);
		CHECK(!strncmp(cmd, big, strlen(cmd) > 3 && !strcmp(cmd + strlen(cmd) - 3, "...") ? strlen(cmd) - 3
												 : strlen(cmd)) ||
		      flags);
		free(s);
	}
	return 0;
}
