// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * spawn_time [-w W] N CMD [ARGS...]: run CMD N times one after another and
 * print, for each, the wall time from fork to its exit in microseconds, then
 * the median. Its output goes to stderr; CMD's stdout/stderr to /dev/null.
 * With -w W, W more runs go first and are printed as "warmup I T us" but not
 * counted (e.g. a tracer's first exec of a binary, held while it attaches).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int w = 0, n;
	uint64_t *t;

	if (argc > 2 && !strcmp(argv[1], "-w")) {
		w = atoi(argv[2]);
		argc -= 2;
		argv += 2;
	}
	n = argc > 2 ? atoi(argv[1]) : 0;
	if (n <= 0 || n > 100000 || w < 0 || w > 100000) {
		fprintf(stderr, "usage: spawn_time [-w W] N CMD [ARGS...]\n");
		return 2;
	}
	t = calloc((size_t)n + (size_t)w, sizeof(*t));
	for (int i = 0; i < n + w; i++) {
		uint64_t t0 = now_us();
		int st;
		pid_t p = fork();

		if (p == 0) {
			int fd = open("/dev/null", O_WRONLY);

			dup2(fd, 1);
			dup2(fd, 2);
			execvp(argv[2], argv + 2);
			_exit(127);
		}
		waitpid(p, &st, 0);
		t[i] = now_us() - t0;
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "spawn_time: %s failed (status 0x%x)\n", argv[2], st);
			return 1;
		}
		if (i < w)
			fprintf(stderr, "warmup %d %llu us\n", i, (unsigned long long)t[i]);
		else
			fprintf(stderr, "run %d %llu us\n", i - w, (unsigned long long)t[i]);
	}
	t += w;
	qsort(t, (size_t)n, sizeof(*t), cmp_u64);
	fprintf(stderr, "median %llu us\n", (unsigned long long)(n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2));
	free(t - w);
	return 0;
}
