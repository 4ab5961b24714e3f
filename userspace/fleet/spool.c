// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * spool: see spool.h. The directory is the queue: a batch is a file, its
 * name its place in line, so what one coldtrace could not send the next one
 * finds in order. All file operations go through the spool's directory fd
 * (openat, renameat, unlinkat): the path is resolved once, at open.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "httpc.h"
#include "spool.h"

#define SEQ_DIGITS 20
#define TMP_PREFIX ".tmp."
#define BATCH_MAX_BYTES (8u << 20)
#define BACKOFF_DEFAULT_MS 1000
#define BACKOFF_MAX_FACTOR 60 /* 1 s doubled up to 60 s */
#define IDLE_RESCAN_MS 60000  /* a put without a kick is found anyway */

struct ct_spool {
	char *dir;
	int dirfd, lockfd;
	uint64_t max_bytes;
	pthread_mutex_t mu; /* puts, next_seq, bytes */
	uint64_t next_seq;
	uint64_t bytes;     /* the batches' files together, as put and deleted here */
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* "<20 digits>.<kind>" (kind of lower-case letters): its seq and kind. */
static bool batch_name(const char *name, uint64_t *seq, const char **kind)
{
	uint64_t x = 0;
	size_t i;

	for (i = 0; i < SEQ_DIGITS; i++) {
		if (name[i] < '0' || name[i] > '9' || x > (UINT64_MAX - 9) / 10)
			return false; /* not ours: 20 digits may go over 64 bits */
		x = x * 10 + (uint64_t)(name[i] - '0');
	}
	if (name[i] != '.' || !name[i + 1])
		return false;
	for (const char *k = name + i + 1; *k; k++)
		if (*k < 'a' || *k > 'z')
			return false;
	*seq = x;
	*kind = name + i + 1;
	return true;
}

static bool kind_ok(const char *kind)
{
	size_t n = kind ? strlen(kind) : 0;

	if (!n || n > 16)
		return false;
	for (size_t i = 0; i < n; i++)
		if (kind[i] < 'a' || kind[i] > 'z')
			return false;
	return true;
}

/* mkdir -p, the last component 0700. */
static int mkdirs(const char *dir)
{
	char *p = strdup(dir);
	int rc = 0;

	if (!p)
		return -1;
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(p, 0755) && errno != EEXIST) {
			rc = -1;
			break;
		}
		*s = '/';
	}
	if (!rc && mkdir(p, 0700) && errno != EEXIST)
		rc = -1;
	free(p);
	return rc;
}

struct ct_spool *ct_spool_open(const char *dir, uint64_t max_bytes, char *err, size_t errlen)
{
	struct ct_spool *s = calloc(1, sizeof(*s));
	uint64_t highest = 0;
	struct timespec rt;
	struct dirent *de;
	DIR *d;
	int fd;

	if (!s || !(s->dir = strdup(dir))) {
		snprintf(err, errlen, "spool %s: out of memory", dir);
		free(s);
		return NULL;
	}
	s->dirfd = s->lockfd = -1;
	s->max_bytes = max_bytes ? max_bytes : CT_SPOOL_DEFAULT_MAX;
	if (mkdirs(dir)) {
		snprintf(err, errlen, "cannot create spool directory %s: %s", dir, strerror(errno));
		goto fail;
	}
	s->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dirfd < 0) {
		snprintf(err, errlen, "spool %s: %s", dir, errno == ENOTDIR ? "not a directory" : strerror(errno));
		goto fail;
	}
	s->lockfd = openat(s->dirfd, ".lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (s->lockfd < 0) {
		snprintf(err, errlen, "spool %s: cannot open its lock file: %s", dir, strerror(errno));
		goto fail;
	}
	/* flock belongs to the open file description: a second open in this
	 * same process is refused as well as another coldtrace */
	if (flock(s->lockfd, LOCK_EX | LOCK_NB)) {
		if (errno == EWOULDBLOCK)
			snprintf(err, errlen, "spool %s is in use by another coldtrace (one per spool directory)", dir);
		else
			snprintf(err, errlen, "spool %s: cannot lock: %s", dir, strerror(errno));
		goto fail;
	}
	fd = dup(s->dirfd);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		snprintf(err, errlen, "spool %s: cannot list: %s", dir, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto fail;
	}
	while ((de = readdir(d))) {
		const char *kind;
		struct stat st;
		uint64_t seq;

		if (!strncmp(de->d_name, TMP_PREFIX, strlen(TMP_PREFIX))) {
			/* half a batch from a coldtrace that died while writing it */
			unlinkat(s->dirfd, de->d_name, 0);
			continue;
		}
		if (!batch_name(de->d_name, &seq, &kind))
			continue;
		if (seq > highest)
			highest = seq;
		if (!fstatat(s->dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW))
			s->bytes += (uint64_t)st.st_size;
	}
	closedir(d);
	/* after the highest name, and never below the time in microseconds: a
	 * name is not reused by a later run once the spool was emptied (a
	 * receiver may use it to recognise a batch sent twice) */
	clock_gettime(CLOCK_REALTIME, &rt);
	s->next_seq = highest + 1;
	if ((uint64_t)rt.tv_sec * 1000000 + (uint64_t)rt.tv_nsec / 1000 > s->next_seq)
		s->next_seq = (uint64_t)rt.tv_sec * 1000000 + (uint64_t)rt.tv_nsec / 1000;
	pthread_mutex_init(&s->mu, NULL);
	return s;
fail:
	if (s->lockfd >= 0)
		close(s->lockfd);
	if (s->dirfd >= 0)
		close(s->dirfd);
	free(s->dir);
	free(s);
	return NULL;
}

void ct_spool_close(struct ct_spool *s)
{
	if (!s)
		return;
	close(s->lockfd); /* the lock goes with it */
	close(s->dirfd);
	pthread_mutex_destroy(&s->mu);
	free(s->dir);
	free(s);
}

const char *ct_spool_dir(const struct ct_spool *s)
{
	return s->dir;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int ct_spool_put(struct ct_spool *s, const char *kind, const void *data, size_t len)
{
	char tmp[80], name[48];
	int fd, e = 0;

	if (!kind_ok(kind)) {
		errno = EINVAL;
		return -1;
	}
	/* one put at a time: the names are renamed into place in their order,
	 * so a sender never sees a later batch before an earlier one */
	pthread_mutex_lock(&s->mu);
	if (len > s->max_bytes || s->bytes + len > s->max_bytes) {
		pthread_mutex_unlock(&s->mu);
		errno = ENOSPC;
		return -1;
	}
	snprintf(name, sizeof(name), "%0*llu.%s", SEQ_DIGITS, (unsigned long long)s->next_seq, kind);
	snprintf(tmp, sizeof(tmp), TMP_PREFIX "%s", name);
	fd = openat(s->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		e = errno;
		goto out;
	}
	if (write_all(fd, data, len) || fsync(fd)) {
		e = errno ? errno : EIO;
		close(fd);
		unlinkat(s->dirfd, tmp, 0);
		goto out;
	}
	if (close(fd) || renameat(s->dirfd, tmp, s->dirfd, name)) {
		e = errno;
		unlinkat(s->dirfd, tmp, 0);
		goto out;
	}
	fsync(s->dirfd); /* the rename itself survives a crash */
	s->next_seq++;
	s->bytes += len;
out:
	pthread_mutex_unlock(&s->mu);
	if (e) {
		errno = e;
		return -1;
	}
	return 0;
}

struct name_list {
	char (*v)[48];
	size_t n, cap;
};

static int cmp_names(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The batch files of kind (NULL: all), sorted (oldest first); bytes their
 * total. -1 with errno when the directory cannot be read. */
static int list_batches(struct ct_spool *s, const char *kind, struct name_list *l, uint64_t *bytes)
{
	struct dirent *de;
	DIR *d;
	int fd = openat(s->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	l->n = 0;
	if (bytes)
		*bytes = 0;
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		errno = e;
		return -1;
	}
	while ((de = readdir(d))) {
		const char *k;
		uint64_t seq;

		if (!batch_name(de->d_name, &seq, &k) || (kind && strcmp(k, kind)) ||
		    strlen(de->d_name) >= sizeof(l->v[0]))
			continue;
		if (bytes) {
			struct stat st;

			if (!fstatat(s->dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW))
				*bytes += (uint64_t)st.st_size;
		}
		if (l->n == l->cap) {
			size_t cap = l->cap ? 2 * l->cap : 64;
			void *nv = realloc(l->v, cap * sizeof(l->v[0]));

			if (!nv) {
				closedir(d);
				errno = ENOMEM;
				return -1;
			}
			l->v = nv;
			l->cap = cap;
		}
		strcpy(l->v[l->n++], de->d_name);
	}
	closedir(d);
	if (l->n)
		qsort(l->v, l->n, sizeof(l->v[0]), cmp_names);
	return 0;
}

size_t ct_spool_count(struct ct_spool *s, const char *kind, uint64_t *bytes)
{
	struct name_list l = {0};
	size_t n;

	if (list_batches(s, kind, &l, bytes))
		n = 0;
	else
		n = l.n;
	free(l.v);
	return n;
}

/* ---- senders ---- */

struct ct_sender {
	struct ct_spool *sp;
	char kind[17];
	char *name;
	size_t max_batch;
	ct_deliver_fn *deliver;
	void *ctx;
	int backoff_ms;        /* the first wait after a failure */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;     /* on CLOCK_MONOTONIC */
	bool kicked, stopping;
	_Atomic int64_t stop_at; /* CLOCK_MONOTONIC ns once stopping, else 0 */
	uint64_t batches, files, failures;
};

static void timed_wait(struct ct_sender *x, int64_t until_ns)
{
	struct timespec ts = {.tv_sec = until_ns / 1000000000, .tv_nsec = until_ns % 1000000000};

	pthread_cond_timedwait(&x->cv, &x->mu, &ts);
}

static void free_items(struct ct_spool_item *it, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free((char *)it[i].name);
		free((char *)it[i].data);
	}
	free(it);
}

static int read_file(struct ct_spool *s, const char *name, char **data, size_t *len)
{
	struct stat st;
	char *buf;
	size_t got = 0;
	int fd = openat(s->dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) || !(buf = malloc((size_t)st.st_size + 1))) {
		close(fd);
		return -1;
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (got != (size_t)st.st_size) {
		free(buf);
		errno = EIO;
		return -1;
	}
	buf[got] = 0;
	*data = buf;
	*len = got;
	return 0;
}

/* The oldest files of x's kind, up to max_batch and 8 MiB (the first one
 * whatever its size); *n 0 when none. -1 with a reason in err. */
static int take_batch(struct ct_sender *x, struct ct_spool_item **items, size_t *n, char *err, size_t errlen)
{
	struct name_list l = {0};
	struct ct_spool_item *it;
	size_t total = 0, k = 0;

	*items = NULL;
	*n = 0;
	if (list_batches(x->sp, x->kind, &l, NULL)) {
		snprintf(err, errlen, "cannot list spool %s: %s", x->sp->dir, strerror(errno));
		return -1;
	}
	if (!l.n) {
		free(l.v);
		return 0;
	}
	it = calloc(l.n < x->max_batch ? l.n : x->max_batch, sizeof(*it));
	if (!it) {
		free(l.v);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < l.n && k < x->max_batch; i++) {
		char *data;
		size_t len;

		if (read_file(x->sp, l.v[i], &data, &len)) {
			if (errno == ENOENT)
				continue;
			snprintf(err, errlen, "cannot read spool file %s/%s: %s", x->sp->dir, l.v[i], strerror(errno));
			free_items(it, k);
			free(l.v);
			return -1;
		}
		if (k && total + len > BATCH_MAX_BYTES) {
			free(data);
			break;
		}
		it[k].name = strdup(l.v[i]);
		it[k].data = data;
		it[k].len = len;
		if (!it[k].name) {
			free(data);
			free_items(it, k);
			free(l.v);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		total += len;
		k++;
	}
	free(l.v);
	*items = it;
	*n = k;
	return 0;
}

static void drop_files(struct ct_sender *x, const struct ct_spool_item *it, size_t n)
{
	struct ct_spool *s = x->sp;

	pthread_mutex_lock(&s->mu);
	for (size_t i = 0; i < n; i++) {
		if (unlinkat(s->dirfd, it[i].name, 0) == 0)
			s->bytes = s->bytes >= it[i].len ? s->bytes - it[i].len : 0;
	}
	pthread_mutex_unlock(&s->mu);
}

static const char *batches_word(size_t n)
{
	return n == 1 ? "batch" : "batches";
}

static void *sender_main(void *arg)
{
	struct ct_sender *x = arg;
	int64_t retry_at = 0; /* after a failure, not before */
	int backoff = 0;      /* the next wait, 0: not failing */
	bool streak = false, stop_cut = false;
	char err[512];

	/* a request in flight ends when ct_sender_stop's deadline passes */
	ct_http_cancel_at(&x->stop_at);
	for (;;) {
		struct ct_spool_item *it;
		size_t n;
		int r;

		pthread_mutex_lock(&x->mu);
		/* a kick does not cut the wait after a failure short, a stop does
		 * (once: one more try right away) */
		while (retry_at && now_ns() < retry_at) {
			if (x->stopping && !stop_cut) {
				stop_cut = true;
				break;
			}
			timed_wait(x, retry_at);
		}
		if (x->stopping && atomic_load(&x->stop_at) <= now_ns()) {
			pthread_mutex_unlock(&x->mu);
			break;
		}
		x->kicked = false;
		pthread_mutex_unlock(&x->mu);

		err[0] = 0;
		if (take_batch(x, &it, &n, err, sizeof(err))) {
			r = -1;
		} else if (!n) {
			pthread_mutex_lock(&x->mu);
			if (x->stopping) {
				pthread_mutex_unlock(&x->mu);
				break;
			}
			if (!x->kicked)
				timed_wait(x, now_ns() + (int64_t)IDLE_RESCAN_MS * 1000000);
			pthread_mutex_unlock(&x->mu);
			retry_at = 0;
			continue;
		} else {
			r = x->deliver(x->ctx, it, n, err, sizeof(err));
			if (r == 0)
				drop_files(x, it, n);
		}
		free_items(it, n);

		if (r == 0) {
			pthread_mutex_lock(&x->mu);
			x->batches++;
			x->files += n;
			pthread_mutex_unlock(&x->mu);
			if (streak)
				fprintf(stderr, "coldtrace: %s: delivering again\n", x->name);
			streak = false;
			backoff = 0;
			retry_at = 0;
			continue;
		}
		pthread_mutex_lock(&x->mu);
		x->failures++;
		pthread_mutex_unlock(&x->mu);
		if (r == -1 && atomic_load(&x->stop_at) && atomic_load(&x->stop_at) <= now_ns())
			break; /* out of time: ct_sender_stop's caller says what is left */
		if (r == -2) {
			size_t left = ct_spool_count(x->sp, x->kind, NULL);

			fprintf(stderr, "coldtrace: %s: %s; %zu %s kept in %s, not retried\n", x->name,
				err[0] ? err : "refused", left, batches_word(left), x->sp->dir);
			break;
		}
		if (!streak) {
			size_t left = ct_spool_count(x->sp, x->kind, NULL);

			fprintf(stderr, "coldtrace: %s: %s; %zu %s kept in %s, retrying\n", x->name,
				err[0] ? err : "failed", left, batches_word(left), x->sp->dir);
			streak = true;
		}
		backoff = backoff ? backoff * 2 : x->backoff_ms;
		if (backoff > x->backoff_ms * BACKOFF_MAX_FACTOR)
			backoff = x->backoff_ms * BACKOFF_MAX_FACTOR;
		retry_at = now_ns() + (int64_t)backoff * 1000000;
		pthread_mutex_lock(&x->mu);
		if (x->stopping && retry_at > atomic_load(&x->stop_at))
			retry_at = atomic_load(&x->stop_at);
		pthread_mutex_unlock(&x->mu);
	}
	return NULL;
}

struct ct_sender *ct_sender_start(struct ct_spool *s, const char *kind, const char *name, size_t max_batch,
				  ct_deliver_fn *deliver, void *ctx)
{
	struct ct_sender *x;
	pthread_condattr_t ca;
	const char *env;

	if (!kind_ok(kind) || !deliver) {
		errno = EINVAL;
		return NULL;
	}
	x = calloc(1, sizeof(*x));
	if (!x || !(x->name = strdup(name ? name : kind))) {
		free(x);
		errno = ENOMEM;
		return NULL;
	}
	x->sp = s;
	snprintf(x->kind, sizeof(x->kind), "%s", kind);
	x->max_batch = max_batch ? max_batch : 1;
	x->deliver = deliver;
	x->ctx = ctx;
	x->backoff_ms = BACKOFF_DEFAULT_MS;
	env = getenv("COLDTRACE_SPOOL_BACKOFF_MS");
	if (env && atoi(env) > 0 && atoi(env) <= 3600000)
		x->backoff_ms = atoi(env);
	x->kicked = true; /* what an earlier run left goes first */
	pthread_mutex_init(&x->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&x->cv, &ca);
	pthread_condattr_destroy(&ca);
	{
		/* every signal blocked in the sender: the caller takes SIGINT and
		 * SIGTERM on a signalfd with them blocked in its own thread only,
		 * and a process-directed signal goes to any thread that does not
		 * block it (here, it would kill coldtrace) */
		sigset_t all, old;

		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		errno = pthread_create(&x->thread, NULL, sender_main, x);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	if (errno) {
		int e = errno;

		pthread_cond_destroy(&x->cv);
		pthread_mutex_destroy(&x->mu);
		free(x->name);
		free(x);
		errno = e;
		return NULL;
	}
	return x;
}

void ct_sender_kick(struct ct_sender *x)
{
	pthread_mutex_lock(&x->mu);
	x->kicked = true;
	pthread_cond_signal(&x->cv);
	pthread_mutex_unlock(&x->mu);
}

size_t ct_sender_stop(struct ct_sender *x, int deadline_ms)
{
	size_t left;

	if (!x)
		return 0;
	pthread_mutex_lock(&x->mu);
	x->stopping = true;
	/* at least 1 ns ahead: "now" is never 0 on CLOCK_MONOTONIC, so 0 stays "none" */
	atomic_store(&x->stop_at, now_ns() + (int64_t)(deadline_ms > 0 ? deadline_ms : 0) * 1000000 + 1);
	pthread_cond_signal(&x->cv);
	pthread_mutex_unlock(&x->mu);
	pthread_join(x->thread, NULL);
	left = ct_spool_count(x->sp, x->kind, NULL);
	pthread_cond_destroy(&x->cv);
	pthread_mutex_destroy(&x->mu);
	free(x->name);
	free(x);
	return left;
}

void ct_sender_stats(struct ct_sender *x, uint64_t *batches, uint64_t *files, uint64_t *failures)
{
	pthread_mutex_lock(&x->mu);
	if (batches)
		*batches = x->batches;
	if (files)
		*files = x->files;
	if (failures)
		*failures = x->failures;
	pthread_mutex_unlock(&x->mu);
}
