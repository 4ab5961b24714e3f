// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * faulter: a program made to do disk I/O and to fault, for breakdown_truth.sh.
 *
 *   faulter create FILE MB       write FILE (MB MiB of non-zero bytes: a real
 *                                file, not a sparse one) and fsync it, so its
 *                                pages are clean and can be evicted
 *   faulter touch FILE THREADS   open and mmap FILE, and read one byte of
 *                                every page, THREADS threads each a share
 *                                (every page faults: major when it is not in
 *                                the page cache), then exit
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_THREADS 16

struct share {
	const volatile unsigned char *p;
	size_t from, to, page;
	unsigned long sum;
};

static void *touch(void *arg)
{
	struct share *s = arg;

	for (size_t off = s->from; off < s->to; off += s->page)
		s->sum += s->p[off];
	return NULL;
}

static int create(const char *path, long mb)
{
	char buf[1 << 16];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0) {
		fprintf(stderr, "faulter: %s: %s\n", path, strerror(errno));
		return 1;
	}
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i * 131 + 7);
	for (long i = 0; i < mb * 16; i++)
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
			fprintf(stderr, "faulter: write %s: %s\n", path, strerror(errno));
			return 1;
		}
	if (fsync(fd) || close(fd)) {
		fprintf(stderr, "faulter: fsync %s: %s\n", path, strerror(errno));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	pthread_t th[MAX_THREADS];
	struct share sh[MAX_THREADS];
	struct stat st;
	unsigned long sum = 0;
	long n;
	void *map;
	int fd;

	if (argc == 4 && !strcmp(argv[1], "create") && (n = strtol(argv[3], NULL, 10)) > 0)
		return create(argv[2], n);
	if (argc != 4 || strcmp(argv[1], "touch") || (n = strtol(argv[3], NULL, 10)) < 1 || n > MAX_THREADS) {
		fprintf(stderr, "usage: faulter create FILE MB | faulter touch FILE THREADS (1-%d)\n", MAX_THREADS);
		return 2;
	}
	fd = open(argv[2], O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) || !st.st_size) {
		fprintf(stderr, "faulter: %s: %s\n", argv[2], fd < 0 ? strerror(errno) : "empty");
		return 1;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		fprintf(stderr, "faulter: mmap: %s\n", strerror(errno));
		return 1;
	}
	for (long i = 0; i < n; i++) {
		size_t page = (size_t)sysconf(_SC_PAGESIZE), pages = ((size_t)st.st_size + page - 1) / page;

		sh[i] = (struct share){.p = map, .page = page, .from = pages * (size_t)i / (size_t)n * page,
				       .to = pages * (size_t)(i + 1) / (size_t)n * page};
		if (sh[i].to > (size_t)st.st_size)
			sh[i].to = (size_t)st.st_size;
		if (pthread_create(&th[i], NULL, touch, &sh[i])) {
			fprintf(stderr, "faulter: pthread_create failed\n");
			return 1;
		}
	}
	for (long i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		sum += sh[i].sum;
	}
	printf("touched %lld bytes, sum %lu\n", (long long)st.st_size, sum);
	return 0;
}
