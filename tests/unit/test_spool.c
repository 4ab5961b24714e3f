// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The spool and its senders: batches kept in order and across a restart
 * (numbering continues, a crash's temporary files removed), the bound
 * (ENOSPC), one opener per directory (a second open in this same process is
 * refused too), delivery in order while the main thread puts, retries after
 * failures with a doubling wait (COLDTRACE_SPOOL_BACKOFF_MS shortens it),
 * the messages of a failure streak, ct_sender_stop's deadline even while a
 * request hangs, and a refusal (-2) that stops the sender and keeps the
 * files. No timing is asserted but lower bounds and generous upper ones.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ct_test.h"
#include "httpc.h"
#include "spool.h"

static char base[64];
static int ndirs;

static const char *new_dir(void)
{
	static char d[128];

	snprintf(d, sizeof(d), "%s/s%d", base, ++ndirs);
	return d;
}

static long ms_since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a->tv_sec) * 1000 + (b.tv_nsec - a->tv_nsec) / 1000000;
}

/* The batch file names in dir, sorted, joined by spaces (kinds only when
 * short is set: "ch otlp ch"). */
static void names(const char *dir, char *out, size_t size, bool kinds_only)
{
	char list[64][280];
	struct dirent *de;
	size_t n = 0;
	DIR *d = opendir(dir);

	out[0] = 0;
	if (!d)
		return;
	while ((de = readdir(d)) && n < 64)
		if (de->d_name[0] != '.')
			snprintf(list[n++], sizeof(list[0]), "%s", de->d_name);
	closedir(d);
	qsort(list, n, sizeof(list[0]), (int (*)(const void *, const void *))strcmp);
	for (size_t i = 0; i < n; i++) {
		const char *s = kinds_only ? strchr(list[i], '.') + 1 : list[i];

		snprintf(out + strlen(out), size - strlen(out), "%s%s", i ? " " : "", s);
	}
}

static bool file_is(const char *dir, const char *name, const char *want)
{
	char path[256], buf[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return false;
	buf[n] = 0;
	return !strcmp(buf, want);
}

CT_TEST(put_in_order)
{
	const char *dir = new_dir();
	char err[256], list[4096], first[64];
	struct ct_spool *s = ct_spool_open(dir, 0, err, sizeof(err));
	struct stat st;
	uint64_t bytes;

	CT_TRUE(s != NULL);
	if (!s)
		return;
	CT_EQ_STR(ct_spool_dir(s), dir);
	CT_TRUE(!stat(dir, &st) && (st.st_mode & 0777) == 0700);
	CT_EQ_INT(ct_spool_put(s, "ch", "one", 3), 0);
	CT_EQ_INT(ct_spool_put(s, "otlp", "two!", 4), 0);
	CT_EQ_INT(ct_spool_put(s, "ch", "three", 5), 0);
	CT_EQ_INT(ct_spool_put(s, "Bad", "x", 1), -1);
	CT_EQ_INT(errno, EINVAL);
	names(dir, list, sizeof(list), true);
	CT_EQ_STR(list, "ch otlp ch");
	names(dir, list, sizeof(list), false);
	CT_EQ_INT(strlen(list), 3 * 23 + 2 + 2); /* 20 digits, '.', kind */
	snprintf(first, sizeof(first), "%.23s", list);
	CT_TRUE(file_is(dir, first, "one"));
	CT_EQ_INT(ct_spool_count(s, "ch", &bytes), 2);
	CT_EQ_INT(bytes, 8);
	CT_EQ_INT(ct_spool_count(s, "otlp", &bytes), 1);
	CT_EQ_INT(bytes, 4);
	CT_EQ_INT(ct_spool_count(s, NULL, &bytes), 3);
	CT_EQ_INT(bytes, 12);
	CT_EQ_INT(ct_spool_count(s, "none", NULL), 0);
	ct_spool_close(s);
}

CT_TEST(restart_continues)
{
	const char *dir = new_dir();
	char err[256], list[4096], path[256];
	struct ct_spool *s = ct_spool_open(dir, 0, err, sizeof(err));
	int fd;

	CT_TRUE(s != NULL);
	if (!s)
		return;
	CT_EQ_INT(ct_spool_put(s, "otlp", "a", 1), 0);
	ct_spool_close(s);
	/* a later name than this run's clock would give, and half a batch a
	 * crash left */
	snprintf(path, sizeof(path), "%s/18000000000000000000.otlp", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	CT_TRUE(fd >= 0 && write(fd, "b", 1) == 1);
	close(fd);
	snprintf(path, sizeof(path), "%s/.tmp.18000000000000000001.otlp", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	CT_TRUE(fd >= 0 && write(fd, "half", 4) == 4);
	close(fd);

	s = ct_spool_open(dir, 0, err, sizeof(err));
	CT_TRUE(s != NULL);
	if (!s)
		return;
	CT_TRUE(access(path, F_OK) != 0); /* the crash's temporary file is gone */
	CT_EQ_INT(ct_spool_put(s, "otlp", "c", 1), 0);
	names(dir, list, sizeof(list), false);
	CT_TRUE(strstr(list, " 18000000000000000000.otlp 18000000000000000001.otlp") != NULL);
	CT_EQ_INT(ct_spool_count(s, NULL, NULL), 3);
	CT_TRUE(file_is(dir, "18000000000000000001.otlp", "c"));
	ct_spool_close(s);
}

CT_TEST(bound)
{
	const char *dir = new_dir();
	char err[256], big[100] = {0};
	struct ct_spool *s = ct_spool_open(dir, 100, err, sizeof(err));

	CT_TRUE(s != NULL);
	if (!s)
		return;
	CT_EQ_INT(ct_spool_put(s, "ch", big, 60), 0);
	errno = 0;
	CT_EQ_INT(ct_spool_put(s, "ch", big, 41), -1);
	CT_EQ_INT(errno, ENOSPC);
	CT_EQ_INT(ct_spool_put(s, "ch", big, 40), 0);
	CT_EQ_INT(ct_spool_put(s, "ch", big, 1), -1);
	CT_EQ_INT(errno, ENOSPC);
	CT_EQ_INT(ct_spool_count(s, NULL, NULL), 2);
	ct_spool_close(s);
	/* what is on disk counts after a restart too */
	s = ct_spool_open(dir, 100, err, sizeof(err));
	CT_TRUE(s != NULL);
	if (!s)
		return;
	CT_EQ_INT(ct_spool_put(s, "ch", big, 1), -1);
	CT_EQ_INT(errno, ENOSPC);
	ct_spool_close(s);
}

CT_TEST(one_per_dir)
{
	const char *dir = new_dir();
	char err[256], want[256], file[160];
	struct ct_spool *s = ct_spool_open(dir, 0, err, sizeof(err)), *s2;
	int fd;

	CT_TRUE(s != NULL);
	if (!s)
		return;
	s2 = ct_spool_open(dir, 0, err, sizeof(err));
	CT_TRUE(s2 == NULL);
	snprintf(want, sizeof(want), "spool %s is in use by another coldtrace (one per spool directory)", dir);
	CT_EQ_STR(err, want);
	ct_spool_close(s);
	s2 = ct_spool_open(dir, 0, err, sizeof(err));
	CT_TRUE(s2 != NULL);
	ct_spool_close(s2);

	snprintf(file, sizeof(file), "%s/plain", base);
	fd = open(file, O_WRONLY | O_CREAT, 0600);
	close(fd);
	CT_TRUE(ct_spool_open(file, 0, err, sizeof(err)) == NULL);
	snprintf(want, sizeof(want), "spool %s: not a directory", file);
	CT_EQ_STR(err, want);
	snprintf(file, sizeof(file), "%s/plain/sub", base);
	CT_TRUE(ct_spool_open(file, 0, err, sizeof(err)) == NULL);
	snprintf(want, sizeof(want), "cannot create spool directory %s: Not a directory", file);
	CT_EQ_STR(err, want);
}

/* ---- senders ---- */

struct rec {
	pthread_mutex_t mu;
	char got[8192];     /* the data delivered, batches separated by '|' */
	int calls, fail_first, ret_fail;
	struct timespec at[16];
	struct ct_url *hang; /* deliver with a request to this, 10 s timeout */
};

static int rec_deliver(void *ctx, const struct ct_spool_item *it, size_t n, char *err, size_t errlen)
{
	struct rec *r = ctx;
	int call;

	pthread_mutex_lock(&r->mu);
	call = r->calls++;
	if (call < 16)
		clock_gettime(CLOCK_MONOTONIC, &r->at[call]);
	pthread_mutex_unlock(&r->mu);
	if (r->hang) {
		struct ct_http_resp resp;

		if (ct_http_request(r->hang, "POST", "/", NULL, NULL, "x", 1, 10000, &resp, err, errlen))
			return -1;
		sb_free(&resp.body);
		return 0;
	}
	if (call < r->fail_first || r->ret_fail) {
		snprintf(err, errlen, "injected failure %d", call + 1);
		return r->ret_fail ? r->ret_fail : -1;
	}
	pthread_mutex_lock(&r->mu);
	for (size_t i = 0; i < n; i++)
		snprintf(r->got + strlen(r->got), sizeof(r->got) - strlen(r->got), "%.*s%s", (int)it[i].len,
			 it[i].data, i + 1 < n ? "," : "|");
	pthread_mutex_unlock(&r->mu);
	return 0;
}

static void wait_for(struct ct_sender *x, uint64_t files, uint64_t failures)
{
	struct timespec a;

	clock_gettime(CLOCK_MONOTONIC, &a);
	while (ms_since(&a) < 10000) {
		uint64_t f, fl;

		ct_sender_stats(x, NULL, &f, &fl);
		if (f >= files && fl >= failures)
			return;
		usleep(2000);
	}
}

CT_TEST(sender_in_order)
{
	const char *dir = new_dir();
	char err[256], one[8];
	struct ct_spool *s = ct_spool_open(dir, 0, err, sizeof(err));
	struct rec r = {.mu = PTHREAD_MUTEX_INITIALIZER};
	struct ct_sender *x;

	CT_TRUE(s != NULL);
	if (!s)
		return;
	/* some there before the sender starts (an earlier run's), some after,
	 * put while it delivers; another kind's files are not its own */
	CT_EQ_INT(ct_spool_put(s, "ch", "a", 1), 0);
	CT_EQ_INT(ct_spool_put(s, "otlp", "X", 1), 0);
	CT_EQ_INT(ct_spool_put(s, "ch", "b", 1), 0);
	x = ct_sender_start(s, "ch", "test", 2, rec_deliver, &r);
	CT_TRUE(x != NULL);
	for (int i = 0; i < 20; i++) {
		snprintf(one, sizeof(one), "%c", 'c' + i);
		CT_EQ_INT(ct_spool_put(s, "ch", one, 1), 0);
		ct_sender_kick(x);
		if (i % 5 == 0)
			usleep(1000);
	}
	CT_EQ_INT(ct_sender_stop(x, 5000), 0);
	{
		/* the letters in order, two at most per batch */
		char flat[64] = "";
		size_t k = 0;

		for (const char *p = r.got; *p; p++)
			if (*p != ',' && *p != '|')
				flat[k++] = *p;
		flat[k] = 0;
		CT_EQ_STR(flat, "abcdefghijklmnopqrstuv");
		CT_TRUE(strstr(r.got, "X") == NULL);
		for (const char *p = r.got; (p = strchr(p, ',')); p++)
			CT_TRUE(p[2] == '|');
	}
	CT_EQ_INT(ct_spool_count(s, "ch", NULL), 0);
	CT_EQ_INT(ct_spool_count(s, "otlp", NULL), 1);
	ct_spool_close(s);
}

CT_TEST(sender_stats)
{
	const char *dir = new_dir();
	char err[256];
	struct ct_spool *s = ct_spool_open(dir, 0, err, sizeof(err));
	struct rec r = {.mu = PTHREAD_MUTEX_INITIALIZER};
	struct ct_sender *x;
	uint64_t b, f, fl;

	CT_TRUE(s != NULL);
	if (!s)
		return;
	for (int i = 0; i < 5; i++)
		CT_EQ_INT(ct_spool_put(s, "ch", "z", 1), 0);
	x = ct_sender_start(s, "ch", "test", 2, rec_deliver, &r);
	wait_for(x, 5, 0);
	ct_sender_stats(x, &b, &f, &fl);
	CT_EQ_INT(b, 3);
	CT_EQ_INT(f, 5);
	CT_EQ_INT(fl, 0);
	CT_EQ_STR(r.got, "z,z|z,z|z|");
	/* idle now; a put and a kick wake it */
	CT_EQ_INT(ct_spool_put(s, "ch", "w", 1), 0);
	ct_sender_kick(x);
	wait_for(x, 6, 0);
	CT_EQ_STR(r.got, "z,z|z,z|z|w|");
	CT_EQ_INT(ct_sender_stop(x, 1000), 0);
	ct_spool_close(s);
}

/* stderr into a file while f runs; its text into out */
static void capture_stderr(void (*f)(void *), void *arg, char *out, size_t size)
{
	char path[128];
	int fd, saved;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/stderr", base);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	fflush(stderr);
	saved = dup(2);
	dup2(fd, 2);
	f(arg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = pread(fd, out, size - 1, 0);
	out[n > 0 ? n : 0] = 0;
	close(fd);
}

struct retry_case {
	struct ct_spool *s;
	struct rec r;
	uint64_t files, failures;
	size_t left;
};

static void retry_run(void *arg)
{
	struct retry_case *c = arg;
	struct ct_sender *x = ct_sender_start(c->s, "otlp", "OTLP collector at http://t/", 1, rec_deliver, &c->r);

	wait_for(x, 1, 2);
	ct_sender_stats(x, NULL, &c->files, &c->failures);
	c->left = ct_sender_stop(x, 1000);
}

CT_TEST(sender_retries)
{
	const char *dir = new_dir();
	struct retry_case c = {.r = {.mu = PTHREAD_MUTEX_INITIALIZER, .fail_first = 2}};
	char err[256], out[2048], want[512];

	c.s = ct_spool_open(dir, 0, err, sizeof(err));
	CT_TRUE(c.s != NULL);
	if (!c.s)
		return;
	CT_EQ_INT(ct_spool_put(c.s, "otlp", "body", 4), 0);
	setenv("COLDTRACE_SPOOL_BACKOFF_MS", "50", 1);
	capture_stderr(retry_run, &c, out, sizeof(out));
	unsetenv("COLDTRACE_SPOOL_BACKOFF_MS");
	CT_EQ_INT(c.files, 1);
	CT_EQ_INT(c.failures, 2);
	CT_EQ_INT(c.left, 0);
	CT_EQ_INT(c.r.calls, 3);
	CT_EQ_STR(c.r.got, "body|");
	/* 50 ms, then 100 ms: lower bounds only */
	CT_TRUE((c.r.at[1].tv_sec - c.r.at[0].tv_sec) * 1000 + (c.r.at[1].tv_nsec - c.r.at[0].tv_nsec) / 1000000 >= 49);
	CT_TRUE((c.r.at[2].tv_sec - c.r.at[1].tv_sec) * 1000 + (c.r.at[2].tv_nsec - c.r.at[1].tv_nsec) / 1000000 >= 99);
	/* said once for the streak, and once when it recovered */
	snprintf(want, sizeof(want),
		 "coldtrace: OTLP collector at http://t/: injected failure 1; 1 batch kept in %s, retrying\n"
		 "coldtrace: OTLP collector at http://t/: delivering again\n",
		 dir);
	CT_EQ_STR(out, want);
	ct_spool_close(c.s);
}

struct stop_case {
	struct ct_spool *s;
	struct rec r;
	int deadline_ms;
	size_t left;
	long took_ms;
	uint64_t failures;
};

static void stop_run(void *arg)
{
	struct stop_case *c = arg;
	struct ct_sender *x = ct_sender_start(c->s, "ch", "ClickHouse at http://t/", 4, rec_deliver, &c->r);
	struct timespec a;

	wait_for(x, 0, 1); /* failing now, in its wait */
	ct_sender_stats(x, NULL, NULL, &c->failures);
	clock_gettime(CLOCK_MONOTONIC, &a);
	c->left = ct_sender_stop(x, c->deadline_ms);
	c->took_ms = ms_since(&a);
}

CT_TEST(stop_deadline)
{
	const char *dir = new_dir();
	struct stop_case c = {.r = {.mu = PTHREAD_MUTEX_INITIALIZER, .fail_first = 1000}, .deadline_ms = 300};
	char err[256], out[2048];

	c.s = ct_spool_open(dir, 0, err, sizeof(err));
	CT_TRUE(c.s != NULL);
	if (!c.s)
		return;
	for (int i = 0; i < 3; i++)
		CT_EQ_INT(ct_spool_put(c.s, "ch", "q", 1), 0);
	/* the default 1 s backoff: the stop cuts it short, retries once, then
	 * waits for the deadline */
	capture_stderr(stop_run, &c, out, sizeof(out));
	CT_EQ_INT(c.left, 3);
	CT_EQ_INT(ct_spool_count(c.s, "ch", NULL), 3);
	CT_TRUE(c.took_ms >= 290 && c.took_ms < 3000);
	CT_TRUE(c.r.calls >= 2 && c.r.calls <= 4);
	CT_TRUE(strstr(out, "; 3 batches kept in ") != NULL);
	CT_TRUE(strstr(out, "delivering again") == NULL);
	ct_spool_close(c.s);
}

CT_TEST(stop_while_hanging)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof(a);
	const char *dir = new_dir();
	struct stop_case c = {.r = {.mu = PTHREAD_MUTEX_INITIALIZER}, .deadline_ms = 300};
	struct ct_url u;
	char err[256], out[2048], url[64];
	int lfd = socket(AF_INET, SOCK_STREAM, 0);

	/* a listener that never accepts: the kernel completes the handshake,
	 * nobody ever answers */
	CT_TRUE(lfd >= 0 && !bind(lfd, (struct sockaddr *)&a, sizeof(a)) && !listen(lfd, 8) &&
		!getsockname(lfd, (struct sockaddr *)&a, &al));
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/", ntohs(a.sin_port));
	CT_EQ_INT(ct_url_parse(url, &u, err, sizeof(err)), 0);
	c.r.hang = &u;
	c.s = ct_spool_open(dir, 0, err, sizeof(err));
	CT_TRUE(c.s != NULL);
	if (!c.s)
		return;
	CT_EQ_INT(ct_spool_put(c.s, "ch", "q", 1), 0);
	{
		struct ct_sender *x = ct_sender_start(c.s, "ch", "hang", 1, rec_deliver, &c.r);
		struct timespec t0;

		/* in its request (10 s timeout) by now, most likely */
		for (bool called = false; !called; usleep(1000)) {
			pthread_mutex_lock(&c.r.mu);
			called = c.r.calls > 0;
			pthread_mutex_unlock(&c.r.mu);
		}
		usleep(50000);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		c.left = ct_sender_stop(x, c.deadline_ms);
		c.took_ms = ms_since(&t0);
	}
	CT_EQ_INT(c.left, 1);
	CT_TRUE(c.took_ms >= 250 && c.took_ms < 3000);
	close(lfd);
	ct_spool_close(c.s);
	(void)out;
}

CT_TEST(refused_stops)
{
	const char *dir = new_dir();
	struct stop_case c = {.r = {.mu = PTHREAD_MUTEX_INITIALIZER, .ret_fail = -2}, .deadline_ms = 5000};
	char err[256], out[2048], want[512];

	c.s = ct_spool_open(dir, 0, err, sizeof(err));
	CT_TRUE(c.s != NULL);
	if (!c.s)
		return;
	CT_EQ_INT(ct_spool_put(c.s, "ch", "q", 1), 0);
	CT_EQ_INT(ct_spool_put(c.s, "ch", "r", 1), 0);
	capture_stderr(stop_run, &c, out, sizeof(out));
	CT_EQ_INT(c.left, 2);
	CT_EQ_INT(c.r.calls, 1);                /* never tried again */
	CT_TRUE(c.took_ms < 2000);              /* the thread had ended */
	CT_EQ_INT(ct_spool_count(c.s, "ch", NULL), 2);
	snprintf(want, sizeof(want),
		 "coldtrace: ClickHouse at http://t/: injected failure 1; 2 batches kept in %s, not retried\n", dir);
	CT_EQ_STR(out, want);
	ct_spool_close(c.s);
}

int main(void)
{
	snprintf(base, sizeof(base), "/tmp/ct-test-spool.XXXXXX");
	if (!mkdtemp(base)) {
		printf("mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	unsetenv("COLDTRACE_SPOOL_BACKOFF_MS");
	CT_RUN(put_in_order);
	CT_RUN(restart_continues);
	CT_RUN(bound);
	CT_RUN(one_per_dir);
	CT_RUN(sender_in_order);
	CT_RUN(sender_stats);
	CT_RUN(sender_retries);
	CT_RUN(stop_deadline);
	CT_RUN(stop_while_hanging);
	CT_RUN(refused_stops);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
		if (system(cmd))
			printf("could not remove %s\n", base);
	}
	return ct_summary();
}
