// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * spawn_time N CMD [ARGS...]: run CMD N times one after another and print,
 * for each, the wall time from fork to its exit in microseconds, then the
 * median. Its output goes to stderr; CMD's stdout/stderr to /dev/null.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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
	int n = argc > 2 ? atoi(argv[1]) : 0;
	uint64_t *t;

	if (n <= 0 || n > 100000) {
		fprintf(stderr, "usage: spawn_time N CMD [ARGS...]\n");
		return 2;
	}
	t = calloc((size_t)n, sizeof(*t));
	for (int i = 0; i < n; i++) {
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
		fprintf(stderr, "run %d %llu us\n", i, (unsigned long long)t[i]);
	}
	qsort(t, (size_t)n, sizeof(*t), cmp_u64);
	fprintf(stderr, "median %llu us\n", (unsigned long long)(n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2));
	free(t);
	return 0;
}
