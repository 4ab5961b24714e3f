// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * pingpong SECONDS: two processes bounce one byte over a pair of pipes for
 * SECONDS seconds, then print "roundtrips N seconds S". Each round trip is
 * 4 syscalls (parent write + child read, child write + parent read) and two
 * wake-ups: a syscall- and context-switch-heavy load for bench/watch_host.sh.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts); /* vDSO: no syscall */
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	int ping[2], pong[2], status;
	double secs, t0, t = 0;
	uint64_t n = 0;
	char c = 'p';
	pid_t pid;

	if (argc != 2 || (secs = atof(argv[1])) <= 0) {
		fprintf(stderr, "usage: pingpong SECONDS\n");
		return 2;
	}
	if (pipe(ping) || pipe(pong)) {
		perror("pipe");
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) { /* echo every byte back; 'q' or EOF: done */
		close(ping[1]);
		close(pong[0]);
		for (;;) {
			if (read(ping[0], &c, 1) != 1 || c == 'q')
				_exit(0);
			if (write(pong[1], &c, 1) != 1)
				_exit(1);
		}
	}
	close(ping[0]);
	close(pong[1]);
	t0 = now();
	for (;;) {
		if (write(ping[1], &c, 1) != 1 || read(pong[0], &c, 1) != 1) {
			perror("pingpong");
			kill(pid, SIGKILL);
			return 1;
		}
		n++;
		if (!(n & 255) && (t = now() - t0) >= secs)
			break;
	}
	c = 'q';
	if (write(ping[1], &c, 1) != 1)
		kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	printf("roundtrips %llu seconds %.6f\n", (unsigned long long)n, t);
	return !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
