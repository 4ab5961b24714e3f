// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "goelf.h"
#include "goprobe.h"
#include "tracer.h"
#include "coldtrace.skel.h"

/* One inspected binary, by (dev, inode). */
struct ct_bin {
	uint32_t id;
	uint64_t kdev, ino;
	char path[PATH_MAX];
	struct goelf *g; /* kept open to name init functions */
	bool is_go;
	char version[32];
	struct goprobe_plan plan;
	struct bpf_link *links[GOPROBE_MAX];
	size_t nlinks;
	char note[320];
	char pkgbuf[CT_PKG_LEN];
};

struct ct_tracer {
	struct ct_tracer_opts opts;
	struct coldtrace_bpf *skel;
	struct bpf_link *links[4]; /* tracepoints and the syscall hook */
	size_t nlinks;
	struct ring_buffer *rb;
	struct ct_model *m;
	struct ct_bin **bins;
	size_t nbins;
	uint64_t lost_seen[CT_EV_MAX]; /* loss counters at the last finish */
	struct ct_tracer_sink sink;    /* watch mode; else everything goes to m */
	bool has_sink;
};

static bool g_verbose;

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG && !g_verbose)
		return 0;
	if (!g_verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static void warnx(struct ct_tracer *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warnx(struct ct_tracer *t, const char *fmt, ...)
{
	va_list ap;

	if (t->opts.quiet)
		return;
	va_start(ap, fmt);
	fputs("coldtrace: warning: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* The kernel's in-memory dev_t encoding, as bpf sees inode->i_sb->s_dev. */
static uint64_t kernel_dev(dev_t d)
{
	return ((uint64_t)major(d) << 20) | minor(d);
}

static struct ct_bin *bin_by_id(struct ct_tracer *t, uint32_t id)
{
	return id >= 1 && id <= t->nbins ? t->bins[id - 1] : NULL;
}

static struct ct_bin *bin_by_inode(struct ct_tracer *t, uint64_t kdev, uint64_t ino)
{
	for (size_t i = 0; i < t->nbins; i++)
		if (t->bins[i]->kdev == kdev && t->bins[i]->ino == ino)
			return t->bins[i];
	return NULL;
}

static const char *model_pkg_of(void *ctx, uint32_t id, uint32_t kind, uint64_t ip, uint64_t fn)
{
	struct ct_bin *b = bin_by_id(ctx, id);
	const struct goprobe *probe;
	const struct goelf_func *f;
	uint64_t link;

	if (!b || !b->g || !(probe = goprobe_find(&b->plan, kind)))
		return NULL;
	/* ip is the probe's runtime address: the difference is the load bias. */
	link = fn - (ip - probe->vaddr);
	f = goelf_func_at(b->g, link);
	if (!f || f->entry != link)
		return NULL;
	if (goelf_pkgpath(f->name, b->pkgbuf, sizeof(b->pkgbuf)) < 0)
		return NULL;
	return b->pkgbuf;
}

static const char *model_bin_version(void *ctx, uint32_t id)
{
	struct ct_bin *b = bin_by_id(ctx, id);

	return b && b->version[0] ? b->version : NULL;
}

static int mark_known(struct ct_tracer *t, struct ct_bin *b)
{
	struct ct_bin_key key = {.dev = b->kdev, .ino = b->ino};
	uint32_t v = b->id;

	return bpf_map__update_elem(t->skel->maps.known_bins, &key, sizeof(key), &v, sizeof(v),
				    BPF_ANY);
}

static void attach_go(struct ct_tracer *t, struct ct_bin *b, const char *path)
{
	char err[160];

	if (goprobe_plan(b->g, &b->plan, err, sizeof(err))) {
		snprintf(b->note, sizeof(b->note), "unknown Go runtime layout (%s): package init not traced",
			 err);
		warnx(t, "%s (%s): %s", path, b->version[0] ? b->version : "Go version unknown", b->note);
		return;
	}
	for (size_t i = 0; i < b->plan.n; i++) {
		const struct goprobe *p = &b->plan.probes[i];
		LIBBPF_OPTS(bpf_uprobe_opts, uo,
			    .bpf_cookie = CT_COOKIE(p->kind, b->id, p->reg, p->mem, p->disp));
		struct bpf_link *l;

		l = bpf_program__attach_uprobe_opts(t->skel->progs.ct_go_probe, -1, path,
						    p->offset, &uo);
		if (!l) {
			snprintf(b->note, sizeof(b->note), "cannot attach %s uprobe: %s",
				 goprobe_kind_name(p->kind), strerror(errno));
			warnx(t, "%s: %s", path, b->note);
			continue;
		}
		b->links[b->nlinks++] = l;
	}
	if (!b->plan.has_rtstart && !b->note[0])
		snprintf(b->note, sizeof(b->note),
			 "runtime start not found: @ times are relative to the first init");
}

/* Inspect path (the file with identity kdev/ino) once; attach if Go. */
static struct ct_bin *bin_inspect(struct ct_tracer *t, const char *path, uint64_t kdev, uint64_t ino)
{
	struct ct_bin *b = bin_by_inode(t, kdev, ino), **nb;
	uint64_t t0 = mono_ns(), t1 = 0;
	char err[160];
	int rc;

	if (b)
		return b;
	nb = realloc(t->bins, (t->nbins + 1) * sizeof(*nb));
	if (!nb)
		return NULL;
	t->bins = nb;
	b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	t->bins[t->nbins++] = b;
	b->id = (uint32_t)t->nbins;
	b->kdev = kdev;
	b->ino = ino;
	snprintf(b->path, sizeof(b->path), "%s", path);

	rc = goelf_open_file(path, &b->g, err, sizeof(err));
	if (rc == GOELF_OK) {
		const char *v = goelf_version(b->g);

		b->is_go = true;
		snprintf(b->version, sizeof(b->version), "%s", v ? v : "");
		t1 = mono_ns();
		attach_go(t, b, path);
	} else if (rc == GOELF_E_PCLN || rc == GOELF_E_ARCH) {
		/* Go, but not a runtime we can read */
		b->is_go = true;
		snprintf(b->note, sizeof(b->note), "%s: package init not traced", err);
		warnx(t, "%s: %s", path, b->note);
	}
	/* Not Go, or not readable: an ordinary process, nothing to attach. */
	if (mark_known(t, b))
		warnx(t, "%s: cannot record binary as inspected: %s", path, strerror(errno));
	if (t->opts.verbose)
		fprintf(stderr, "coldtrace: inspected %s: %s, read %.3f ms, %zu probes attached in %.3f ms\n",
			path, b->is_go ? (b->version[0] ? b->version : "Go") : "not Go",
			(double)((t1 ? t1 : mono_ns()) - t0) / 1e6, b->nlinks,
			t1 ? (double)(mono_ns() - t1) / 1e6 : 0.0);
	return b;
}

void ct_tracer_prepare_binary(struct ct_tracer *t, const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
		bin_inspect(t, path, kernel_dev(st.st_dev), st.st_ino);
}

static void read_percpu(struct bpf_map *map, uint32_t key, uint64_t *sum);

static void on_exec(struct ct_tracer *t, struct ct_model *m, const struct ct_exec *e)
{
	char exe[64];
	struct ct_bin *b = bin_by_inode(t, e->dev, e->ino);

	if (!b) {
		/* /proc/PID/exe names the exact file, also inside containers. */
		snprintf(exe, sizeof(exe), "/proc/%u/exe", e->h.pid);
		b = bin_inspect(t, exe, e->dev, e->ino);
		if (b)
			snprintf(b->path, sizeof(b->path), "%.*s", (int)sizeof(e->path), e->path);
	}
	if (m && b && b->is_go)
		ct_model_set_go(m, e->h.pid, b->id, b->version[0] ? b->version : "go?",
				b->note[0] ? b->note : NULL);
	if (e->stopped) {
		kill((pid_t)e->h.pid, SIGCONT);
		if (m)
			ct_model_set_resumed(m, e->h.pid, mono_ns());
	}
}

static int handle_event(void *ctx, void *data, size_t size)
{
	struct ct_tracer *t = ctx;
	const struct ct_hdr *h = data;
	struct ct_exec copy;
	struct ct_model *m;

	if (size >= sizeof(struct ct_exec) && h->type == CT_EV_EXEC &&
	    ((const struct ct_exec *)data)->match == CT_MATCH_COMM) {
		/* stopped by name: a sandbox root only if its path matches */
		const struct ct_exec *e = data;

		if (!t->has_sink || !t->sink.candidate || !t->sink.candidate(t->sink.ctx, e)) {
			if (e->stopped)
				kill((pid_t)e->h.pid, SIGCONT);
			return 0;
		}
		ct_tracer_add_pid(t, (pid_t)e->h.pid);
		memcpy(&copy, e, sizeof(copy));
		copy.h.sandbox = e->h.pid;
		data = &copy;
		h = &copy.h;
	}
	m = t->has_sink ? t->sink.model(t->sink.ctx, h) : t->m;
	if (data == &copy)
		size = sizeof(copy);
	if (m)
		ct_model_add_event(m, data, size);
	if (size >= sizeof(struct ct_exec) && h->type == CT_EV_EXEC)
		on_exec(t, m, data);
	return 0;
}

void ct_tracer_set_sink(struct ct_tracer *t, const struct ct_tracer_sink *sink)
{
	t->sink = *sink;
	t->has_sink = true;
	t->m = NULL;
}

int ct_tracer_watch_binary(struct ct_tracer *t, const char *path)
{
	struct ct_bin_key key;
	struct stat st;
	const char *base;
	uint32_t v = 1;

	if (stat(path, &st))
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	ct_tracer_prepare_binary(t, path);
	key.dev = kernel_dev(st.st_dev);
	key.ino = st.st_ino;
	if (bpf_map__update_elem(t->skel->maps.watch_inodes, &key, sizeof(key), &v, sizeof(v), BPF_ANY))
		return -errno;
	base = strrchr(path, '/');
	return ct_tracer_watch_comm(t, base ? base + 1 : path);
}

int ct_tracer_watch_comm(struct ct_tracer *t, const char *comm)
{
	char key[CT_COMM_LEN] = {0};
	uint32_t v = 1;

	/* the kernel keeps the first 15 bytes of the name as comm */
	snprintf(key, sizeof(key), "%s", comm);
	if (bpf_map__update_elem(t->skel->maps.watch_comms, key, sizeof(key), &v, sizeof(v), BPF_ANY))
		return -errno;
	return 0;
}

uint64_t ct_tracer_lost_total(struct ct_tracer *t)
{
	uint64_t total = 0, n;

	for (uint32_t i = 1; i < CT_EV_MAX; i++) {
		read_percpu(t->skel->maps.lost, i, &n);
		total += n;
	}
	return total;
}

int ct_tracer_open(struct ct_tracer **out, const struct ct_tracer_opts *opts, struct ct_model *m,
		   char *err, size_t errlen)
{
	struct ct_tracer *t = calloc(1, sizeof(*t));
	int rc;

	*out = NULL;
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	t->opts = *opts;
	t->m = m;
	g_verbose = opts->verbose;
	libbpf_set_print(libbpf_log);

	t->skel = coldtrace_bpf__open();
	if (!t->skel) {
		snprintf(err, errlen, "cannot open the BPF object: %s", strerror(errno));
		goto fail;
	}
	if (opts->ringbuf_bytes)
		bpf_map__set_max_entries(t->skel->maps.events, (uint32_t)opts->ringbuf_bytes);
	/* wake the loader when a quarter of the ring is used */
	t->skel->rodata->wakeup_bytes = bpf_map__max_entries(t->skel->maps.events) / 4;
	t->skel->rodata->capture_bytes = opts->capture_bytes;
	t->skel->rodata->watch_mode = opts->watch;
	if (!opts->capture_bytes) /* no I/O tracing: leave the syscall hook out */
		bpf_program__set_autoload(t->skel->progs.ct_sys_exit, false);
	rc = coldtrace_bpf__load(t->skel);
	if (rc) {
		snprintf(err, errlen, "cannot load BPF programs: %s%s", strerror(-rc),
			 opts->verbose ? "" : " (run with -v for libbpf's log)");
		goto fail;
	}
	/* The Go uprobes are attached per binary; the rest now. */
	t->links[t->nlinks] = bpf_program__attach(t->skel->progs.ct_fork);
	if (t->links[t->nlinks++])
		t->links[t->nlinks] = bpf_program__attach(t->skel->progs.ct_exec);
	if (t->links[t->nlinks++])
		t->links[t->nlinks] = bpf_program__attach(t->skel->progs.ct_exit);
	if (!t->links[t->nlinks++]) {
		snprintf(err, errlen, "cannot attach to the sched tracepoints: %s", strerror(errno));
		goto fail;
	}
	if (opts->capture_bytes) {
		t->links[t->nlinks] = bpf_program__attach(t->skel->progs.ct_sys_exit);
		if (!t->links[t->nlinks++]) {
			snprintf(err, errlen, "cannot attach to raw_syscalls:sys_exit: %s", strerror(errno));
			goto fail;
		}
	}
	t->rb = ring_buffer__new(bpf_map__fd(t->skel->maps.events), handle_event, t, NULL);
	if (!t->rb) {
		snprintf(err, errlen, "cannot open the ring buffer: %s", strerror(errno));
		goto fail;
	}
	ct_tracer_set_model(t, m);
	*out = t;
	return 0;
fail:
	ct_tracer_close(t);
	return -1;
}

void ct_tracer_set_model(struct ct_tracer *t, struct ct_model *m)
{
	t->m = m;
	ct_tracer_bind_model(t, m);
}

void ct_tracer_bind_model(struct ct_tracer *t, struct ct_model *m)
{
	m->ops.pkg_of = model_pkg_of;
	m->ops.bin_version = model_bin_version;
	m->ops.ctx = t;
}

int ct_tracer_add_pid(struct ct_tracer *t, pid_t pid)
{
	uint32_t key = (uint32_t)pid, v = (uint32_t)pid; /* a new sandbox: its own root */

	return bpf_map__update_elem(t->skel->maps.traced, &key, sizeof(key), &v, sizeof(v), BPF_ANY);
}

int ct_tracer_fd(struct ct_tracer *t)
{
	return ring_buffer__epoll_fd(t->rb);
}

int ct_tracer_consume(struct ct_tracer *t)
{
	return ring_buffer__consume(t->rb);
}

int ct_tracer_poll(struct ct_tracer *t, int timeout_ms)
{
	return ring_buffer__poll(t->rb, timeout_ms);
}

static void read_percpu(struct bpf_map *map, uint32_t key, uint64_t *sum)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *vals;

	*sum = 0;
	if (ncpu <= 0 || !(vals = calloc((size_t)ncpu, sizeof(*vals))))
		return;
	if (bpf_map__lookup_elem(map, &key, sizeof(key), vals, (size_t)ncpu * sizeof(*vals), 0) == 0)
		for (int i = 0; i < ncpu; i++)
			*sum += vals[i];
	free(vals);
}

void ct_tracer_finish(struct ct_tracer *t)
{
	ring_buffer__consume(t->rb);
	if (!t->m)
		return;
	for (uint32_t i = 1; i < CT_EV_MAX; i++) {
		uint64_t total;

		read_percpu(t->skel->maps.lost, i, &total);
		t->m->lost[i] = total - t->lost_seen[i];
		t->lost_seen[i] = total;
	}
}

uint64_t ct_tracer_go_hits(struct ct_tracer *t)
{
	uint64_t total = 0, n;

	for (uint32_t k = 1; k < 8; k++) { /* every enum ct_go_probe slot */
		read_percpu(t->skel->maps.go_hits, k, &n);
		total += n;
	}
	return total;
}

size_t ct_tracer_go_binaries(struct ct_tracer *t)
{
	size_t n = 0;

	for (size_t i = 0; i < t->nbins; i++)
		n += t->bins[i]->nlinks > 0;
	return n;
}

void ct_tracer_close(struct ct_tracer *t)
{
	if (!t)
		return;
	ring_buffer__free(t->rb);
	for (size_t i = 0; i < t->nbins; i++) {
		struct ct_bin *b = t->bins[i];

		for (size_t j = 0; j < b->nlinks; j++)
			bpf_link__destroy(b->links[j]);
		goelf_close(b->g);
		free(b);
	}
	free(t->bins);
	for (size_t i = 0; i < t->nlinks; i++)
		bpf_link__destroy(t->links[i]);
	coldtrace_bpf__destroy(t->skel);
	free(t);
}
