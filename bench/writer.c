// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * writer RATE SECONDS REPORT: write short lines to stdout, one write(2) each,
 * at RATE lines per second (0: as fast as possible) for SECONDS seconds, then
 * write "lines N seconds S utime_us U stime_us S" (its own rusage) to the
 * file REPORT. Load for a tracer's I/O capture: every line is one event.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double rate, secs, t0, t;
	uint64_t n = 0;
	struct rusage ru;
	char line[96];
	FILE *f;

	if (argc != 4) {
		fprintf(stderr, "usage: writer RATE SECONDS REPORT\n");
		return 2;
	}
	rate = atof(argv[1]);
	secs = atof(argv[2]);
	t0 = now();
	for (;;) {
		t = now() - t0;
		if (t >= secs)
			break;
		if (rate > 0 && n >= (uint64_t)(rate * t)) {
			/* ahead: sleep until 64 more lines are due (at most 1 ms) */
			double ahead = (n + 64) / rate - t;
			struct timespec d = {0, (long)((ahead > 1e-3 ? 1e-3 : ahead) * 1e9)};

			nanosleep(&d, NULL);
			continue;
		}
		/* a burst of up to 64 lines between clock reads */
		for (int i = 0; i < 64 && (rate <= 0 || n < (uint64_t)(rate * t) + 1); i++) {
			int len = snprintf(line, sizeof(line), "line %llu level=info msg=\"request handled\"\n",
					   (unsigned long long)n);

			if (write(1, line, (size_t)len) != len)
				return 1;
			n++;
		}
	}
	t = now() - t0;
	getrusage(RUSAGE_SELF, &ru);
	f = fopen(argv[3], "w");
	if (!f)
		return 1;
	fprintf(f, "lines %llu seconds %.3f utime_us %lld stime_us %lld\n", (unsigned long long)n, t,
		(long long)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec,
		(long long)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec);
	fclose(f);
	return 0;
}
