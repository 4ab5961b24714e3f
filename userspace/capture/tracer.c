// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tracer: loads the BPF objects, keeps the traced set and the table of
 * inspected binaries, attaches Go probes, ends holds, and feeds every event
 * into the model. With hold.c and guardian.c, the only code that talks to
 * the kernel.
 *
 * Attaching never blocks the event loop: inspecting a binary and attaching
 * its probes run on worker threads, one binary per worker, so a held
 * process waits only for its own binary. A worker releases the processes
 * held for its binary as soon as the probes are in; the loop keeps reading
 * events meanwhile and ends the holds of binaries already known at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bincache.h"
#include "caps.h"
#include "kfeatures.h"
#include "goelf.h"
#include "goprobe.h"
#include "goalloc.h"
#include "guardian.h"
#include "pyprobe.h"
#include "hold.h"
#include "tracer.h"
#include "coldtrace.skel.h"

#define CT_WORKERS 4 /* binaries inspected and attached at once */
#define CT_DETACHERS 64

enum bin_state { BIN_PENDING, BIN_READY };

/*
 * --allocs: mallocgc's probe of one process. A link per process, with the
 * kernel's pid filter, so the breakpoint is planted in that process alone
 * (other processes of the binary never trap) and is taken out when its
 * main.main starts (or it exits): after init, nothing is left to count.
 */
struct alloc_link {
	uint32_t pid;
	int fd;             /* uprobe_multi */
	struct bpf_link *l; /* or a perf-event uprobe */
};

/* A process held for a binary still being armed. */
struct waiter {
	uint32_t pid, sandbox;
	bool late; /* the guardian had resumed it before its probes were in */
	struct waiter *next;
};

/* One inspected binary, by (dev, inode) and what the file was then. */
struct ct_bin {
	uint32_t id;
	struct ct_bin_id fid; /* dev, ino, size, mtime, ctime */
	char path[PATH_MAX];
	enum bin_state state;
	bool is_go;
	bool stale; /* replaced by a newer ct_bin of the same inode */
	char version[32];
	struct goprobe_plan plan;
	struct ct_initfn *fns; /* init function entry -> package, sorted */
	size_t nfns;
	int link_fd;              /* uprobe_multi: one link for all probes */
	int link_fd_ret;          /* and one for return probes (CPython) */
	struct bpf_link *links[GOPROBE_MAX]; /* or one perf-event link each */
	size_t nlinks;            /* probes attached */
	bool has_malloc;          /* --allocs: mallocgc's probe is planned: */
	struct goprobe malloc_probe; /* attached per process (struct alloc_link) */
	char note[320];
	char pkgbuf[CT_PKG_LEN];
	uint64_t inspect_ns, attach_ns;
	struct waiter *waiters; /* held until this binary is armed */
	int open_pid;           /* inspect through /proc/PID/exe (0: path) */
	struct ct_bin *replaces; /* the stale ct_bin whose probes go first */
	/* CPython: the interpreter or libpython itself (py.is_python), or a
	 * program that links a libpython (pylib: that library's entry) */
	struct pyprobe_plan py;
	struct ct_bin *pylib;
	bool queued, urgent;     /* in the job queue; at its front */
	bool armed_started;      /* a thread took it */
	struct ct_bin *next_done;
};

struct ct_tracer {
	struct ct_tracer_opts opts;
	struct coldtrace_bpf *skel;
	struct ring_buffer *rb;
	struct ct_model *m;
	struct ct_bin **bins;
	size_t nbins, capbins;
	uint64_t lost_seen[CT_EV_MAX]; /* loss counters at the last finish */
	struct ct_tracer_sink sink;    /* watch mode; else everything goes to m */
	bool has_sink;
	bool multi; /* uprobe_multi links (else perf-event uprobes) */
	struct ct_holds holds; /* loop thread's */
	struct ct_guardian guardian;
	struct bincache cache;
	int efd;      /* epoll: the ring and the workers' completions */
	int done_fd;  /* eventfd: a worker finished a binary */

	pthread_mutex_t lock; /* bins, the job queue, done list */
	pthread_cond_t cond;
	pthread_cond_t ready_cond; /* a binary became BIN_READY (libpython waits) */
	struct ct_bin **jobs;
	size_t njobs, capjobs;
	pthread_t workers[CT_WORKERS];
	int nworkers, idle;
	bool quit;
	struct ct_bin *done; /* armed binaries whose waiters the loop has not seen */

	char *cmdkey; /* the binary cache's history: what runs of this command exec */
	unsigned fault_delay_ms; /* COLDTRACE_FAULT_ATTACH_DELAY_MS, for fault tests */
	uint64_t t_open, t_loaded, cache_ns;
	pthread_t cache_thread;
	bool cache_loading;
	uint64_t io_attach_ns, io_detach_ns, io_attaches; /* watch: the syscall hook */

	/* --allocs: mallocgc's probes, by process (t->lock) */
	struct alloc_link *alinks;
	size_t nalinks, capalinks;
	unsigned closing; /* links being closed by a thread of their own */
	pthread_cond_t closed_cond;
	uint64_t alloc_attaches, alloc_attach_ns, alloc_detaches, alloc_late;

	/* figures for --stats */
	uint64_t nheld, held_ns_total, nlate, nchanged, nnotheld;
};

static bool g_verbose, g_quiet;

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* libbpf's warnings and notes go to stderr (not under -q), its debug log
 * only with -v. */
static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG ? !g_verbose : g_quiet)
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

static void fid_of_stat(struct ct_bin_id *f, const struct stat *st)
{
	f->dev = kernel_dev(st->st_dev);
	f->ino = st->st_ino;
	f->size = (uint64_t)st->st_size;
	f->mtime_ns = (uint64_t)st->st_mtim.tv_sec * 1000000000ull + (uint64_t)st->st_mtim.tv_nsec;
	f->ctime_ns = (uint64_t)st->st_ctim.tv_sec * 1000000000ull + (uint64_t)st->st_ctim.tv_nsec;
}

static bool fid_same_file(const struct ct_bin_id *a, const struct ct_bin_id *b)
{
	return a->dev == b->dev && a->ino == b->ino;
}

static bool fid_equal(const struct ct_bin_id *a, const struct ct_bin_id *b)
{
	return fid_same_file(a, b) && a->size == b->size && a->mtime_ns == b->mtime_ns &&
	       a->ctime_ns == b->ctime_ns;
}

/* ---- SIGBUS: a binary truncated while we read it must not kill us ---- */

static __thread sigjmp_buf *bus_jmp;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	if (bus_jmp)
		siglongjmp(*bus_jmp, 1);
	signal(SIGBUS, SIG_DFL);
	raise(SIGBUS);
}

static void install_sigbus(void)
{
	struct sigaction sa = {.sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO | SA_NODEFER};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
}

/* ---- the table of binaries (under t->lock) ---- */

static struct ct_bin *bin_by_id(struct ct_tracer *t, uint32_t id)
{
	return id >= 1 && id <= t->nbins ? t->bins[id - 1] : NULL;
}

/* The current (not stale) entry for a file. */
static struct ct_bin *bin_by_inode(struct ct_tracer *t, uint64_t kdev, uint64_t ino)
{
	for (size_t i = t->nbins; i-- > 0;)
		if (!t->bins[i]->stale && t->bins[i]->fid.dev == kdev && t->bins[i]->fid.ino == ino)
			return t->bins[i];
	return NULL;
}

static struct ct_bin *bin_new(struct ct_tracer *t, const struct ct_bin_id *fid, const char *path)
{
	struct ct_bin *b;

	if (t->nbins == t->capbins) {
		size_t cap = t->capbins ? 2 * t->capbins : 64;
		struct ct_bin **nb = realloc(t->bins, cap * sizeof(*nb));

		if (!nb)
			return NULL;
		t->bins = nb;
		t->capbins = cap;
	}
	b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	t->bins[t->nbins++] = b;
	b->id = (uint32_t)t->nbins;
	b->fid = *fid;
	b->link_fd = -1;
	b->link_fd_ret = -1;
	b->state = BIN_PENDING;
	snprintf(b->path, sizeof(b->path), "%s", path);
	return b;
}

static const char *model_pkg_of(void *ctx, uint32_t id, uint32_t kind, uint64_t ip, uint64_t fn)
{
	struct ct_tracer *t = ctx;
	const struct goprobe *probe;
	const char *pkg = NULL;
	struct ct_bin *b;

	pthread_mutex_lock(&t->lock);
	b = bin_by_id(t, id);
	if (b && b->fns && (probe = goprobe_find(&b->plan, kind))) {
		/* ip is the probe's runtime address: the difference is the load bias */
		const struct ct_initfn *f = ct_initfn_find(b->fns, b->nfns, fn - (ip - probe->vaddr));

		if (f) {
			snprintf(b->pkgbuf, sizeof(b->pkgbuf), "%s", f->pkg);
			pkg = b->pkgbuf;
		}
	}
	pthread_mutex_unlock(&t->lock);
	return pkg;
}

static const char *model_bin_version(void *ctx, uint32_t id)
{
	struct ct_tracer *t = ctx;
	const char *v = NULL;
	struct ct_bin *b;

	pthread_mutex_lock(&t->lock);
	b = bin_by_id(t, id);
	if (b && b->version[0])
		v = b->version;
	pthread_mutex_unlock(&t->lock);
	return v;
}

/* b is a program that loads a libpython (not CPython itself). */
static bool links_pylib(const struct ct_bin *b)
{
	return b->py.needed[0] && !b->py.is_python;
}

static int mark_known(struct ct_tracer *t, struct ct_bin *b)
{
	struct ct_bin_key key = {.dev = b->fid.dev, .ino = b->fid.ino};
	struct ct_bin_val v = {.id = b->id, .size = b->fid.size, .mtime_ns = b->fid.mtime_ns,
			       .ctime_ns = b->fid.ctime_ns, .flags = b->has_malloc ? CT_BIN_HOLD_EACH : 0};

	return bpf_map__update_elem(t->skel->maps.known_bins, &key, sizeof(key), &v, sizeof(v),
				    BPF_ANY);
}

/* ---- attaching ---- */

/* Open the binary and check it is still the file fid names. */
static int open_checked(const char *path, const struct ct_bin_id *fid)
{
	struct ct_bin_id now;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	fid_of_stat(&now, &st);
	if (!fid_equal(&now, fid)) {
		close(fd);
		return -ESTALE;
	}
	return fd;
}

/* Attach b's planned probes to the file open at fd. */
/*
 * --allocs: plan mallocgc's probe (the binary is read again: the cached
 * plan has only the init probes) and set how BPF reads it in *l. False,
 * with a warning, when this binary's allocations cannot be counted.
 */
static bool plan_malloc(struct ct_tracer *t, struct ct_bin *b, int fd, struct goprobe *p,
			struct ct_go_layout *l)
{
	struct goelf *g = NULL;
	char src[64], err[160];
	int rc;

	if (!b->plan.task_start || !b->plan.task_end) {
		snprintf(err, sizeof(err), "no init task start and end probes");
		goto fail;
	}
	snprintf(src, sizeof(src), "/proc/self/fd/%d", fd);
	if (goelf_open_file_flags(src, GOELF_NO_SYMBOLS, &g, err, sizeof(err)) != GOELF_OK)
		goto fail;
	rc = goprobe_plan_malloc(g, p, l, err, sizeof(err));
	goelf_close(g);
	if (rc == 0)
		return true;
fail:
	l->abi = CT_GO_ABI_NONE;
	l->alloc_rules = CT_ALLOC_NONE;
	warnx(t, "%s: allocations not counted: %s", b->path, err);
	return false;
}

/*
 * --allocs: plant mallocgc's probe in process @pid alone, which runs b and
 * is held (or, not held, may have started). Checked first: the process's
 * executable is still the file b was planned on, so the offset is never
 * planted in another program. Under no lock.
 */
static void alloc_attach(struct ct_tracer *t, const struct ct_bin *b, uint32_t pid)
{
	/* reg: the stack check's compared register when the probe is on its branch */
	uint64_t off = b->malloc_probe.offset,
		 cookie = CT_COOKIE(CT_GO_MALLOC, b->id, b->malloc_probe.reg, 0, 0), t0 = mono_ns();
	struct alloc_link a = {.pid = pid, .fd = -1};
	char exe[64], fdpath[64];
	int fd, err = 0;

	if (!b->has_malloc)
		return;
	snprintf(exe, sizeof(exe), "/proc/%u/exe", pid);
	fd = open_checked(exe, &b->fid);
	if (fd < 0)
		return; /* gone, or no longer b: nothing to count */
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
	if (t->multi) {
		a.fd = ct_uprobe_multi_link(bpf_program__fd(t->skel->progs.ct_go_probe_multi), fdpath,
					    &off, &cookie, 1, 0, pid);
		err = a.fd < 0 ? -a.fd : 0;
	} else {
		LIBBPF_OPTS(bpf_uprobe_opts, uo, .bpf_cookie = cookie);

		a.l = bpf_program__attach_uprobe_opts(t->skel->progs.ct_go_probe, (pid_t)pid, fdpath, off, &uo);
		err = a.l ? 0 : errno;
	}
	close(fd);
	if (err) {
		if (err != ESRCH)
			warnx(t, "%s: pid %u: cannot attach the mallocgc uprobe: %s", b->path, pid, strerror(err));
		return;
	}
	pthread_mutex_lock(&t->lock);
	if (t->nalinks == t->capalinks) {
		size_t cap = t->capalinks ? 2 * t->capalinks : 16;
		struct alloc_link *na = realloc(t->alinks, cap * sizeof(*na));

		if (!na) {
			pthread_mutex_unlock(&t->lock);
			if (a.fd >= 0)
				close(a.fd);
			bpf_link__destroy(a.l);
			return;
		}
		t->alinks = na;
		t->capalinks = cap;
	}
	t->alinks[t->nalinks++] = a;
	t->alloc_attaches++;
	t->alloc_attach_ns += mono_ns() - t0;
	pthread_mutex_unlock(&t->lock);
}

static void close_alloc_link(struct alloc_link *a)
{
	if (a->fd >= 0)
		close(a->fd);
	bpf_link__destroy(a->l);
	a->fd = -1;
	a->l = NULL;
}

struct alloc_closing {
	struct ct_tracer *t;
	struct alloc_link a;
};

static void *alloc_closer(void *arg)
{
	struct alloc_closing *c = arg;
	struct ct_tracer *t = c->t;

	close_alloc_link(&c->a);
	free(c);
	pthread_mutex_lock(&t->lock);
	t->closing--;
	pthread_cond_broadcast(&t->closed_cond);
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

static int spawn(pthread_t *th, void *(*fn)(void *), void *arg);

/*
 * --allocs: process @pid's main.main started, or it exited: take its
 * mallocgc probe out. A detach waits for the kernel's grace periods (~100 ms
 * here), so a thread of its own does it, not the loop.
 */
static void alloc_detach(struct ct_tracer *t, uint32_t pid)
{
	struct alloc_closing *c;
	struct alloc_link a;
	pthread_t th;
	size_t i;

	pthread_mutex_lock(&t->lock);
	for (i = 0; i < t->nalinks && t->alinks[i].pid != pid; i++)
		;
	if (i == t->nalinks) {
		pthread_mutex_unlock(&t->lock);
		return;
	}
	a = t->alinks[i];
	t->alinks[i] = t->alinks[--t->nalinks];
	t->alloc_detaches++;
	c = malloc(sizeof(*c));
	if (c) {
		c->t = t;
		c->a = a;
		t->closing++;
	}
	pthread_mutex_unlock(&t->lock);
	if (c && spawn(&th, alloc_closer, c) == 0) {
		pthread_detach(th);
		return;
	}
	if (c) {
		free(c);
		pthread_mutex_lock(&t->lock);
		t->closing--;
		pthread_mutex_unlock(&t->lock);
	}
	close_alloc_link(&a);
}

static void attach_go(struct ct_tracer *t, struct ct_bin *b, int fd)
{
	uint64_t offsets[GOPROBE_MAX], cookies[GOPROBE_MAX];
	bool malloc_ok = false; /* --allocs: kept only if the init probes are in */
	char fdpath[64];

	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
	if (goprobe_find(&b->plan, CT_GO_TASKSTART)) {
		/* the task-start probe reads the init task as go_layouts says */
		const struct ct_go_layout *tl = goprobe_plan_layout(&b->plan);
		struct ct_go_layout lv, *l = &lv;

		if (!tl) {
			snprintf(b->note, sizeof(b->note), "unknown init task layout: package init not traced");
			warnx(t, "%s: %s", b->path, b->note);
			return;
		}
		lv = *tl;
		if (t->opts.allocs)
			malloc_ok = plan_malloc(t, b, fd, &b->malloc_probe, &lv);
		if (bpf_map__update_elem(t->skel->maps.go_layouts, &b->id, sizeof(b->id), l, sizeof(*l),
					 BPF_ANY)) {
			snprintf(b->note, sizeof(b->note), "cannot record the init task layout: %s",
				 strerror(errno));
			warnx(t, "%s: %s", b->path, b->note);
			return;
		}
	} else if (t->opts.allocs) {
		warnx(t, "%s: allocations not counted: no init task start probe", b->path);
	}
	for (size_t i = 0; i < b->plan.n; i++) {
		const struct goprobe *p = &b->plan.probes[i];

		offsets[i] = p->offset;
		/* disp is a memory operand's; a task start's layout is in go_layouts */
		cookies[i] = CT_COOKIE(p->kind, b->id, p->reg, p->mem, p->mem ? p->disp : 0);
	}
	if (t->multi) {
		int l = ct_uprobe_multi_link(bpf_program__fd(t->skel->progs.ct_go_probe_multi), fdpath,
					  offsets, cookies, (uint32_t)b->plan.n, 0, 0);

		if (l < 0) {
			snprintf(b->note, sizeof(b->note), "cannot attach uprobes: %s", strerror(-l));
			warnx(t, "%s: %s", b->path, b->note);
			return;
		}
		b->link_fd = l;
		b->nlinks = b->plan.n;
		b->has_malloc = malloc_ok;
		return;
	}
	for (size_t i = 0; i < b->plan.n; i++) {
		const struct goprobe *p = &b->plan.probes[i];
		LIBBPF_OPTS(bpf_uprobe_opts, uo, .bpf_cookie = cookies[i]);
		struct bpf_link *l;

		l = bpf_program__attach_uprobe_opts(t->skel->progs.ct_go_probe, -1, fdpath, p->offset, &uo);
		if (!l) {
			snprintf(b->note, sizeof(b->note), "cannot attach %s uprobe: %s",
				 goprobe_kind_name(p->kind), strerror(errno));
			warnx(t, "%s: %s", b->path, b->note);
			continue;
		}
		b->links[b->nlinks++] = l;
	}
	b->has_malloc = malloc_ok && b->nlinks == b->plan.n;
}

static void detach_bin(struct ct_bin *b)
{
	if (b->link_fd >= 0)
		close(b->link_fd);
	if (b->link_fd_ret >= 0)
		close(b->link_fd_ret);
	b->link_fd = -1;
	b->link_fd_ret = -1;
	for (size_t j = 0; j < b->nlinks && j < GOPROBE_MAX; j++)
		if (b->links[j])
			bpf_link__destroy(b->links[j]);
	memset(b->links, 0, sizeof(b->links));
	b->nlinks = 0;
}

/* Attach the CPython import probes planned in b->py to the file at fd. */
static void attach_py(struct ct_tracer *t, struct ct_bin *b, int fd)
{
	const struct pyprobe_plan *py = &b->py;
	uint64_t offsets[2] = {py->import_off, py->call_off}, ret_off = py->import_off;
	uint64_t cookies[2] = {CT_COOKIE(CT_PY_ENTER, b->id, 0, 0, 0), CT_COOKIE(CT_PY_CALL, b->id, 0, 0, 0)};
	uint64_t ret_cookie = CT_COOKIE(CT_PY_RETURN, b->id, 0, 0, 0);
	char fdpath[64];

	if (bpf_map__update_elem(t->skel->maps.py_layouts, &b->id, sizeof(b->id), &py->layout,
				 sizeof(py->layout), BPF_ANY)) {
		snprintf(b->note, sizeof(b->note), "cannot record the CPython layout: %s: imports not traced",
			 strerror(errno));
		warnx(t, "%s: %s", b->path, b->note);
		return;
	}
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
	/* The return probe first: a process that already runs the library
	 * (another program linking it) and returns from an import the entry
	 * probe did not see is ignored; an entry seen without its return would
	 * leave its thread one level deep for good. */
	if (t->multi) {
		int prog = bpf_program__fd(t->skel->progs.ct_py_probe_multi);
		int r = ct_uprobe_multi_link(prog, fdpath, &ret_off, &ret_cookie, 1, CT_UPROBE_MULTI_RETURN, 0);
		int l = r >= 0 ? ct_uprobe_multi_link(prog, fdpath, offsets, cookies, 2, 0, 0) : -1;

		if (l < 0 || r < 0) {
			snprintf(b->note, sizeof(b->note), "cannot attach the import uprobes: %s: imports not traced",
				 strerror(r < 0 ? -r : -l));
			warnx(t, "%s: %s", b->path, b->note);
			if (r >= 0)
				close(r);
			return;
		}
		b->link_fd = l;
		b->link_fd_ret = r;
		b->nlinks = PYPROBE_NPROBES;
		return;
	}
	for (int k = 0; k < PYPROBE_NPROBES; k++) {
		int i = (k + 2) % PYPROBE_NPROBES; /* 2 (the return probe), 0, 1 */
		LIBBPF_OPTS(bpf_uprobe_opts, uo, .bpf_cookie = i < 2 ? cookies[i] : ret_cookie,
			    .retprobe = i == 2);
		struct bpf_link *l = bpf_program__attach_uprobe_opts(t->skel->progs.ct_py_probe, -1, fdpath,
								     i < 2 ? offsets[i] : ret_off, &uo);

		if (!l) {
			snprintf(b->note, sizeof(b->note), "cannot attach an import uprobe: %s: imports not traced",
				 strerror(errno));
			warnx(t, "%s: %s", b->path, b->note);
			detach_bin(b);
			return;
		}
		b->links[b->nlinks++] = l;
	}
}

/*
 * A process exec'd a file that was rewritten in place after we armed it: the
 * kernel put the old probes' breakpoints into the new contents. It is held
 * before its first instruction: put the file's own bytes back at those
 * addresses (through /proc/PID/mem, which writes text pages as a debugger
 * does), so that removing the old probes leaves nothing of them behind.
 */
static void repair_held(const struct ct_bin *old, uint32_t pid, int fd)
{
	char maps[64], mem[64], line[512];
	FILE *f;
	int mfd;

	snprintf(maps, sizeof(maps), "/proc/%u/maps", pid);
	snprintf(mem, sizeof(mem), "/proc/%u/mem", pid);
	f = fopen(maps, "re");
	mfd = open(mem, O_RDWR | O_CLOEXEC);
	if (!f || mfd < 0)
		goto out;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long lo, hi, off, ino;
		unsigned int maj, min;
		char perm[8];

		if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu", &lo, &hi, perm, &off, &maj, &min, &ino) != 7)
			continue;
		if (ino != old->fid.ino || perm[2] != 'x')
			continue;
		for (size_t i = 0; i < old->plan.n; i++) {
			uint64_t o = old->plan.probes[i].offset;
			uint8_t now, want;

			if (o < off || o >= off + (hi - lo))
				continue;
			/* only where our breakpoint (int3) is, and the file has
			 * something else */
			if (pread(mfd, &now, 1, (off_t)(lo + (o - off))) != 1 || now != 0xcc)
				continue;
			if (pread(fd, &want, 1, (off_t)o) != 1 || want == 0xcc)
				continue;
			if (pwrite(mfd, &want, 1, (off_t)(lo + (o - off))) != 1)
				continue;
		}
	}
out:
	if (f)
		fclose(f);
	if (mfd >= 0)
		close(mfd);
}

/* Read the Go binary open at fd: version, probe plan, init function names.
 * The file is mapped only in here; if it shrinks under us (SIGBUS), b says
 * so and nothing is attached. */
static void inspect_file(struct ct_tracer *t, struct ct_bin *b, int fd)
{
	struct goelf *volatile g = NULL;
	char src[64], err[160];
	sigjmp_buf jb;
	int rc;

	bus_jmp = &jb;
	if (sigsetjmp(jb, 1)) {
		bus_jmp = NULL;
		snprintf(b->note, sizeof(b->note), "truncated while being read: package init not traced");
		free(b->fns);
		b->fns = NULL;
		b->nfns = 0;
		b->plan.n = 0;
		b->is_go = true;
		return; /* the mapping leaks: it cannot be touched any more */
	}
	snprintf(src, sizeof(src), "/proc/self/fd/%d", fd);
	rc = goelf_open_file_flags(src, GOELF_NO_SYMBOLS, (struct goelf **)&g, err, sizeof(err));
	if (rc == GOELF_OK) {
		const char *v = goelf_version(g);

		b->is_go = true;
		snprintf(b->version, sizeof(b->version), "%s", v ? v : "");
		if (goprobe_plan(g, &b->plan, err, sizeof(err))) {
			b->plan.n = 0;
			snprintf(b->note, sizeof(b->note),
				 "unknown Go runtime layout (%s): package init not traced", err);
			warnx(t, "%s (%s): %s", b->path, b->version[0] ? b->version : "Go version unknown",
			      b->note);
		} else {
			ct_initfn_collect(g, &b->fns, &b->nfns);
			if (!b->plan.has_rtstart)
				snprintf(b->note, sizeof(b->note),
					 "runtime start not found: @ times are relative to the first init");
		}
	} else if (rc == GOELF_E_PCLN || rc == GOELF_E_ARCH) {
		/* Go, but not a runtime we can read */
		b->is_go = true;
		snprintf(b->note, sizeof(b->note), "%s: package init not traced", err);
		warnx(t, "%s: %s", b->path, b->note);
	}
	/* the mapping goes now: only the plan and the init names are kept */
	goelf_close((struct goelf *)g);
	bus_jmp = NULL;
}

static void arm_bin(struct ct_tracer *t, struct ct_bin *b);
static void publish(struct ct_tracer *t, struct ct_bin *b, struct ct_holds *holds);

/*
 * The libpython at @path, armed (its import probes in) before this
 * returns, by this thread or by the one already arming it: a process held
 * for a program that links it must not run before. NULL if it cannot be.
 */
static struct ct_bin *arm_pylib(struct ct_tracer *t, const char *path)
{
	struct ct_bin_id fid;
	struct ct_bin *lib;
	struct stat st;
	bool mine = false;

	if (stat(path, &st) || !S_ISREG(st.st_mode))
		return NULL;
	fid_of_stat(&fid, &st);
	pthread_mutex_lock(&t->lock);
	lib = bin_by_inode(t, fid.dev, fid.ino);
	if (lib && lib->state == BIN_READY && !fid_equal(&lib->fid, &fid)) {
		/* rewritten since we armed it: armed again, the old probes gone */
		lib->stale = true;
		detach_bin(lib);
		lib = NULL;
	}
	if (lib && !lib->armed_started) {
		/* queued for pre-arming: taken out, armed here */
		for (size_t i = 0; i < t->njobs; i++)
			if (t->jobs[i] == lib) {
				memmove(t->jobs + i, t->jobs + i + 1, (--t->njobs - i) * sizeof(*t->jobs));
				break;
			}
		lib->queued = false;
		lib->armed_started = mine = true;
	}
	if (!lib && (lib = bin_new(t, &fid, path)))
		lib->armed_started = mine = true;
	while (lib && !mine && lib->state != BIN_READY && !t->quit)
		pthread_cond_wait(&t->ready_cond, &t->lock);
	pthread_mutex_unlock(&t->lock);
	if (!lib || !mine)
		return lib;
	arm_bin(t, lib);
	{
		/* processes of another program that loads it may wait for it
		 * (hold_for_pylib): publish ends their holds too */
		struct ct_holds holds;

		ct_holds_init(&holds, bpf_map__fd(t->skel->maps.ct_held),
			      bpf_map__fd(t->skel->maps.ct_resuming));
		publish(t, lib, &holds);
		ct_holds_free(&holds);
	}
	return lib;
}

/* LD_LIBRARY_PATH of process @pid (its environment at exec) into buf, or
 * NULL if it has none. */
static const char *proc_ld_path(int pid, char *buf, size_t len)
{
	char path[64], env[32768];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/environ", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	n = read(fd, env, sizeof(env) - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	env[n] = 0;
	for (char *p = env; p < env + n; p += strlen(p) + 1)
		if (!strncmp(p, "LD_LIBRARY_PATH=", 16)) {
			snprintf(buf, len, "%s", p + 16);
			return buf;
		}
	return NULL;
}

/* @lib is in the folder above @exe's (found through $ORIGIN, not in the
 * system's folders). */
static bool same_tree(const char *lib, const char *exe)
{
	const char *last = strrchr(exe, '/'), *up = NULL;
	size_t n;

	if (!last)
		return false;
	for (const char *p = exe; p < last; p++)
		if (*p == '/')
			up = p;
	n = up ? (size_t)(up - exe) : 0; /* "/a/bin/python": "/a" */
	return n > 0 && !strncmp(lib, exe, n) && lib[n] == '/';
}

/*
 * The libpython program b (which links one) loads in process @pid (0: as
 * coldtrace itself would load it): that depends on the process's
 * LD_LIBRARY_PATH and root, so it is looked for at each exec.
 */
static bool find_pylib(const struct ct_bin *b, int pid, char *lib, size_t len)
{
	char env[4096], root[64] = "";
	const char *ld = pid ? proc_ld_path(pid, env, sizeof(env)) : getenv("LD_LIBRARY_PATH");
	struct stat ours, theirs;

	/* a process in a container: its paths are in its own root */
	if (pid) {
		snprintf(root, sizeof(root), "/proc/%d/root", pid);
		if (stat("/", &ours) || stat(root, &theirs) ||
		    (ours.st_dev == theirs.st_dev && ours.st_ino == theirs.st_ino))
			root[0] = 0;
	}
	/* b->path is the program as we see it: $ORIGIN from our side too */
	return pyprobe_find_lib_in(&b->py, root, b->path, ld, lib, len) == 0 ||
	       (root[0] && (strstr(b->py.runpath, "ORIGIN") || strstr(b->py.rpath, "ORIGIN")) &&
		pyprobe_find_lib(&b->py, b->path, NULL, lib, len) == 0 && same_tree(lib, b->path));
}

/*
 * Is the file at fd a CPython interpreter or libpython (attach its import
 * probes), or a program that links a libpython (arm that library)? Nothing
 * for other files. The file is mapped only in here, as in inspect_file.
 */
static void arm_python(struct ct_tracer *t, struct ct_bin *b, int fd)
{
	char err[160];
	sigjmp_buf jb;
	int rc;

	if (t->opts.no_python)
		return;
	bus_jmp = &jb;
	if (sigsetjmp(jb, 1)) {
		bus_jmp = NULL;
		memset(&b->py, 0, sizeof(b->py));
		return; /* truncated while being read: the mapping leaks */
	}
	rc = pyprobe_inspect(fd, b->path, &b->py, err, sizeof(err));
	bus_jmp = NULL;
	if (rc)
		return; /* not ELF: a script, nothing to trace */
	if (b->py.is_python) {
		snprintf(b->version, sizeof(b->version), "%s", b->py.version);
		if (!b->py.supported) {
			snprintf(b->note, sizeof(b->note), "%s", b->py.note);
			warnx(t, "%s: %s", b->path, b->note);
			return;
		}
		attach_py(t, b, fd);
		return;
	}
	if (b->py.needed[0]) {
		char lib[PATH_MAX];

		if (find_pylib(b, b->open_pid, lib, sizeof(lib)))
			b->pylib = arm_pylib(t, lib);
		if (!b->pylib) {
			snprintf(b->note, sizeof(b->note), "links %s, which coldtrace did not find: imports not traced",
				 b->py.needed);
			warnx(t, "%s: %s", b->path, b->note);
		}
	}
}

/* Inspect the file b names (identity checked), plan and attach; no lock
 * held. Fills b; the caller publishes it. */
static void arm_bin(struct ct_tracer *t, struct ct_bin *b)
{
	uint64_t t0 = mono_ns(), t1 = t0;
	struct ct_bin_entry ce;
	char src[64];
	const char *path = b->path;
	int fd;

	if (b->open_pid) {
		/* /proc/PID/exe names the exact file, also inside containers */
		snprintf(src, sizeof(src), "/proc/%d/exe", b->open_pid);
		path = src;
	}
	fd = open_checked(path, &b->fid);
	if (fd < 0) {
		if (fd == -ESTALE)
			snprintf(b->note, sizeof(b->note), "changed while being inspected: package init not traced");
		return; /* unreadable: an ordinary process */
	}
	if (b->replaces) {
		/* Rewritten in place: held processes get their bytes back,
		 * then the old probes go, before new ones (at possibly the
		 * same offsets) can be planted. */
		for (struct waiter *w = b->waiters; w; w = w->next)
			repair_held(b->replaces, w->pid, fd);
		detach_bin(b->replaces);
	}
	if (!t->opts.no_cache && bincache_lookup(&t->cache, &b->fid, &ce) &&
	    (bincache_verify(&ce, fd) || (free(ce.fns), false))) {
		/* known from an earlier run, its probe bytes checked */
		b->is_go = ce.is_go;
		snprintf(b->version, sizeof(b->version), "%s", ce.version);
		snprintf(b->note, sizeof(b->note), "%s", ce.note);
		b->plan = ce.plan;
		b->fns = ce.fns;
		b->nfns = ce.nfns;
		ce.fns = NULL;
		t1 = mono_ns();
		if (b->is_go && b->plan.n)
			attach_go(t, b, fd);
		if (!b->is_go) {
			arm_python(t, b, fd);
			bincache_set_py(&t->cache, &b->fid, b->py.is_python || links_pylib(b));
		}
		goto done;
	}
	inspect_file(t, b, fd);
	if (t->fault_delay_ms && b->open_pid && b->is_go) /* fault tests: a slow Go attach at an exec */
		usleep(t->fault_delay_ms * 1000);
	t1 = mono_ns();
	if (b->is_go && b->plan.n)
		attach_go(t, b, fd);
	if (!b->is_go)
		arm_python(t, b, fd);
	if (!t->opts.no_cache) {
		bincache_put(&t->cache, &b->fid, b->is_go, b->version, b->note, b->open_pid ? b->path : path,
			     &b->plan, b->fns, b->nfns, fd);
		bincache_set_py(&t->cache, &b->fid, b->py.is_python || links_pylib(b));
	}
done:
	close(fd);
	b->inspect_ns = t1 - t0;
	b->attach_ns = mono_ns() - t1;
	if (t->opts.verbose)
		fprintf(stderr, "coldtrace: inspected %s: %s%s%s, read %.3f ms, %zu probes attached in %.3f ms%s\n",
			b->path,
			b->is_go ? (b->version[0] ? b->version : "Go")
				 : b->py.is_python ? "CPython " : b->pylib ? "links " : "not Go",
			b->py.is_python ? b->py.version : b->pylib ? b->pylib->path : "",
			b->py.is_python && !b->py.supported ? " (not supported)" : "",
			(double)b->inspect_ns / 1e6, b->nlinks, (double)b->attach_ns / 1e6,
			t->multi ? " (uprobe_multi)" : "");
}

/* ---- workers ---- */

/* Hand b's waiters to the loop thread and end their holds. */
static void publish(struct ct_tracer *t, struct ct_bin *b, struct ct_holds *holds)
{
	struct waiter *w;
	uint64_t one = 1;

	/* A program that links libpython is never "known": which library it
	 * loads depends on each process's environment, so each exec is held
	 * until that one is armed (on_exec). */
	if (!links_pylib(b) && mark_known(t, b))
		warnx(t, "%s: cannot record binary as inspected: %s", b->path, strerror(errno));
	pthread_mutex_lock(&t->lock);
	b->state = BIN_READY;
	pthread_cond_broadcast(&t->ready_cond);
	w = b->waiters;
	pthread_mutex_unlock(&t->lock);
	/* the waiter list is frozen once READY: nobody adds to it */
	for (; w; w = w->next) {
		alloc_attach(t, b, w->pid);
		w->late = ct_hold_release(holds, w->pid) == CT_RELEASE_NOT_OURS;
	}
	pthread_mutex_lock(&t->lock);
	b->next_done = t->done;
	t->done = b;
	pthread_mutex_unlock(&t->lock);
	if (write(t->done_fd, &one, sizeof(one)) < 0) {
		/* the loop still finds it on its next pass */
	}
}

static void *worker(void *arg)
{
	struct ct_tracer *t = arg;
	struct ct_holds holds;

	ct_holds_init(&holds, bpf_map__fd(t->skel->maps.ct_held),
		      bpf_map__fd(t->skel->maps.ct_resuming));
	pthread_mutex_lock(&t->lock);
	for (;;) {
		struct ct_bin *b;

		while (!t->njobs && !t->quit) {
			t->idle++;
			pthread_cond_wait(&t->cond, &t->lock);
			t->idle--;
		}
		if (!t->njobs)
			break;
		/* held binaries first: they are at the front */
		b = t->jobs[0];
		memmove(t->jobs, t->jobs + 1, --t->njobs * sizeof(*t->jobs));
		b->queued = false;
		b->armed_started = true;
		pthread_mutex_unlock(&t->lock);
		arm_bin(t, b);
		publish(t, b, &holds);
		pthread_mutex_lock(&t->lock);
	}
	pthread_mutex_unlock(&t->lock);
	ct_holds_free(&holds);
	return NULL;
}

/* A thread that takes no signals: the loop thread reads them from its
 * signalfd, and a thread made before they were blocked would take them. */
static int spawn(pthread_t *th, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	sigdelset(&all, SIGBUS); /* a truncated binary: caught in the thread */
	sigdelset(&all, SIGSEGV);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(th, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

/* Queue b (under t->lock). Held binaries go before pre-arming work. */
static void enqueue(struct ct_tracer *t, struct ct_bin *b, bool urgent)
{
	if (b->queued) {
		/* pre-arming not started yet, and now a process waits: first */
		if (urgent && !b->urgent) {
			for (size_t i = 0; i < t->njobs; i++)
				if (t->jobs[i] == b) {
					memmove(t->jobs + 1, t->jobs, i * sizeof(*t->jobs));
					t->jobs[0] = b;
					break;
				}
			b->urgent = true;
		}
		return;
	}
	if (t->njobs == t->capjobs) {
		size_t cap = t->capjobs ? 2 * t->capjobs : 64;
		struct ct_bin **nj = realloc(t->jobs, cap * sizeof(*nj));

		if (!nj)
			return;
		t->jobs = nj;
		t->capjobs = cap;
	}
	if (urgent) {
		memmove(t->jobs + 1, t->jobs, t->njobs * sizeof(*t->jobs));
		t->jobs[0] = b;
	} else {
		t->jobs[t->njobs] = b;
	}
	t->njobs++;
	b->queued = true;
	b->urgent = urgent;
	if (t->idle < (int)t->njobs && t->nworkers < CT_WORKERS &&
	    spawn(&t->workers[t->nworkers], worker, t) == 0)
		t->nworkers++;
	pthread_cond_signal(&t->cond);
}

/* ---- the hooks every process pays for ---- */

/*
 * Hooks every process on the machine pays for: the syscall hook (every
 * syscall), the scheduler hooks (every context switch and wakeup) and the
 * page-cache hook. run attaches them for its whole life; watch only while a
 * sandbox is live (a new sandbox's root is held until they are in).
 */
static struct bpf_link **live_link(struct ct_tracer *t, size_t i, struct bpf_program **prog)
{
	struct coldtrace_bpf *s = t->skel;
	struct {
		struct bpf_program *p;
		struct bpf_link **l;
	} tab[] = {
		{s->progs.ct_sys_exit, &s->links.ct_sys_exit},
		{s->progs.ct_sched_switch, &s->links.ct_sched_switch},
		{s->progs.ct_sched_wakeup, &s->links.ct_sched_wakeup},
		{s->progs.ct_sched_wakeup_new, &s->links.ct_sched_wakeup_new},
		{s->progs.ct_pcache, &s->links.ct_pcache},
	};

	if (i >= sizeof(tab) / sizeof(tab[0]))
		return NULL;
	*prog = tab[i].p;
	return tab[i].l;
}

static bool live_attached(struct ct_tracer *t)
{
	struct bpf_program *p;
	struct bpf_link **l;

	for (size_t i = 0; (l = live_link(t, i, &p)); i++)
		if (*l)
			return true;
	return false;
}

static int io_attach(struct ct_tracer *t)
{
	struct bpf_program *p;
	struct bpf_link **l;
	uint64_t t0 = mono_ns();
	bool any = false;
	int rc = 0;

	for (size_t i = 0; (l = live_link(t, i, &p)); i++) {
		if (*l || !bpf_program__autoload(p))
			continue;
		*l = bpf_program__attach(p);
		if (!*l) {
			rc = -errno;
			warnx(t, "cannot attach %s (%s): %s%s", bpf_program__name(p),
			      bpf_program__section_name(p), strerror(-rc),
			      p == t->skel->progs.ct_sys_exit ? "; HTTP, log lines and files not traced"
							      : "; the kernel breakdown is incomplete");
			continue;
		}
		any = true;
	}
	t->skel->bss->io_live = true;
	if (any) {
		t->io_attach_ns += mono_ns() - t0;
		t->io_attaches++;
	}
	return rc;
}

void ct_tracer_idle(struct ct_tracer *t)
{
	struct bpf_program *p;
	struct bpf_link **l;
	uint64_t t0;

	if (!t->opts.watch || !live_attached(t))
		return;
	t0 = mono_ns();
	/* first: a new sandbox's root is held until the hooks are back; one
	 * that started just before is in the ring: then stay attached */
	t->skel->bss->io_live = false;
	__sync_synchronize();
	ring_buffer__consume(t->rb);
	if (t->skel->bss->io_live)
		return;
	for (size_t i = 0; (l = live_link(t, i, &p)); i++) {
		bpf_link__destroy(*l);
		*l = NULL;
	}
	t->io_detach_ns += mono_ns() - t0;
}

/* ---- the loop thread ---- */

static struct ct_model *model_for(struct ct_tracer *t, uint32_t sandbox, uint32_t pid)
{
	struct ct_hdr h = {.type = CT_EV_GO, .pid = pid, .sandbox = sandbox};

	return t->has_sink ? t->sink.model(t->sink.ctx, &h) : t->m;
}

static void bin_to_model(struct ct_bin *b, struct ct_model *m, uint32_t pid)
{
	const struct ct_bin *py = b->py.is_python ? b : b->pylib;

	if (m && b->is_go)
		ct_model_set_go(m, pid, b->id, b->version[0] ? b->version : "go?",
				b->note[0] ? b->note : NULL);
	else if (m && py && py->py.is_python)
		ct_model_set_python(m, pid, py->id, py->py.version, py->note[0] ? py->note : NULL);
	else if (m && b->pylib == NULL && b->py.needed[0] && b->note[0])
		ct_model_set_python(m, pid, 0, NULL, b->note);
}

/* Binaries armed by workers: tell the models about their processes. */
static void drain_done(struct ct_tracer *t)
{
	struct ct_bin *b;
	uint64_t n;

	if (read(t->done_fd, &n, sizeof(n)) < 0) {
		/* nothing signalled: the list may still have entries */
	}
	pthread_mutex_lock(&t->lock);
	b = t->done;
	t->done = NULL;
	pthread_mutex_unlock(&t->lock);
	for (; b; b = b->next_done)
		for (struct waiter *w = b->waiters; w; w = w->next) {
			struct ct_model *m = model_for(t, w->sandbox, w->pid);

			bin_to_model(b, m, w->pid);
			if (w->late && m) {
				/* the resume event said so already; keep its note */
				struct ct_image *im = ct_proc_image(ct_model_proc(m, w->pid));

				if (im && !strstr(im->go_note, "before its probes"))
					snprintf(im->go_note, sizeof(im->go_note),
						 "resumed before its probes were attached (coldtrace's guardian at --max-hold): package inits may be missing");
			}
		}
}

/* Executables named in a traced exec's argv (an agent's argv names its
 * runtime): armed in the background before anything execs them. Paths only
 * (absolute, or relative to the process's working directory), also as the
 * value of --opt=PATH. */
static void prearm_args(struct ct_tracer *t, const struct ct_exec *e)
{
	uint32_t len = e->args_len < CT_ARGS_LEN ? e->args_len : CT_ARGS_LEN;
	const char *p = e->args, *end = e->args + len;
	bool first = true;

	while (p < end) {
		const char *z = memchr(p, 0, (size_t)(end - p)), *arg = p, *eq;
		char raw[PATH_MAX], real[PATH_MAX];
		size_t n = z ? (size_t)(z - p) : (size_t)(end - p);

		p += n + 1;
		if (first || !z) { /* argv[0] is the exec itself; a cut last one is not a name */
			first = false;
			continue;
		}
		if (arg[0] == '-' && (eq = memchr(arg, '=', n))) {
			n -= (size_t)(eq + 1 - arg);
			arg = eq + 1;
		}
		if (!n || !memchr(arg, '/', n) || n >= 512)
			continue;
		if (arg[0] == '/')
			snprintf(raw, sizeof(raw), "%.*s", (int)n, arg);
		else
			snprintf(raw, sizeof(raw), "/proc/%u/cwd/%.*s", e->h.pid, (int)n, arg);
		if (realpath(raw, real))
			ct_tracer_prearm(t, real);
	}
}

void ct_tracer_prearm_argv(struct ct_tracer *t, char **argv)
{
	for (int i = 1; argv[i]; i++) {
		const char *arg = argv[i], *eq;
		char real[PATH_MAX];

		if (arg[0] == '-' && (eq = strchr(arg, '=')))
			arg = eq + 1;
		if (strchr(arg, '/') && realpath(arg, real))
			ct_tracer_prearm(t, real);
	}
}

/*
 * An exec of armed program b, which links a libpython: the library this
 * process loads (its own LD_LIBRARY_PATH, its root) must be armed before it
 * runs. True if the process now waits for that library's arming (a
 * waiter of it, released by publish()); false if it may run now (the
 * library is armed, or cannot be found or waited for).
 */
static bool hold_for_pylib(struct ct_tracer *t, struct ct_model *m, struct ct_bin *b,
			   const struct ct_exec *e)
{
	char lib[PATH_MAX];
	struct ct_bin_id fid;
	struct ct_bin *lb;
	struct waiter *w;
	struct stat st;
	bool wait = false;

	if (!find_pylib(b, (int)e->h.pid, lib, sizeof(lib)) || stat(lib, &st) || !S_ISREG(st.st_mode))
		return false;
	fid_of_stat(&fid, &st);
	pthread_mutex_lock(&t->lock);
	lb = bin_by_inode(t, fid.dev, fid.ino);
	if (!lb)
		lb = bin_new(t, &fid, lib);
	if (lb && lb->state != BIN_READY && e->stopped && (w = calloc(1, sizeof(*w)))) {
		w->pid = e->h.pid;
		w->sandbox = e->h.sandbox;
		w->next = lb->waiters;
		lb->waiters = w;
		if (!lb->armed_started)
			enqueue(t, lb, true);
		wait = true;
	} else if (lb && !lb->armed_started) {
		enqueue(t, lb, false); /* not held: armed late */
	}
	pthread_mutex_unlock(&t->lock);
	if (!wait && lb && lb->state == BIN_READY) {
		/* this process's library, not the one b was first armed with */
		bin_to_model(b, m, e->h.pid);
		bin_to_model(lb, m, e->h.pid);
		return false;
	}
	return wait;
}

static void on_exec(struct ct_tracer *t, struct ct_model *m, const struct ct_exec *e)
{
	struct ct_bin *b, *old = NULL;
	bool release_now = false;
	struct waiter *w;

	if (t->opts.watch && e->h.sandbox)
		io_attach(t); /* a sandbox is live: before it is resumed */
	if (e->flags & CT_EXEC_CHANGED)
		t->nchanged++;
	if (e->flags & CT_EXEC_NOT_HELD)
		t->nnotheld++;
	if (e->stopped)
		t->nheld++;
	pthread_mutex_lock(&t->lock);
	b = bin_by_inode(t, e->dev, e->ino);
	if (b && (e->flags & CT_EXEC_CHANGED) && b->state == BIN_READY) {
		/* the file changed since b was armed: a new entry, armed after
		 * the old probes are gone */
		b->stale = true;
		old = b;
		b = NULL;
	}
	if (!b) {
		struct ct_bin_id fid = {.dev = e->dev, .ino = e->ino};
		struct stat st;
		char exe[64];

		snprintf(exe, sizeof(exe), "/proc/%u/exe", e->h.pid);
		if (stat(exe, &st)) {
			/* gone already (or not ours to see): nothing to arm, and
			 * no entry that would pass for an armed binary */
			pthread_mutex_unlock(&t->lock);
			if (old)
				old->stale = false;
			if (e->stopped)
				ct_hold_release(&t->holds, e->h.pid);
			return;
		}
		fid_of_stat(&fid, &st);
		b = bin_new(t, &fid, "");
		if (b) {
			char real[PATH_MAX];
			ssize_t n = readlink(exe, real, sizeof(real) - 1);

			/* the file as we see it; else the name execve was given */
			if (n > 0 && real[0] == '/') {
				real[n] = 0;
				snprintf(b->path, sizeof(b->path), "%s", real);
			} else {
				snprintf(b->path, sizeof(b->path), "%.*s", (int)sizeof(e->path), e->path);
			}
			b->open_pid = (int)e->h.pid;
			b->replaces = old;
		}
	}
	if (!b) {
		pthread_mutex_unlock(&t->lock);
		if (e->stopped)
			ct_hold_release(&t->holds, e->h.pid);
		return;
	}
	if (b->state == BIN_READY) {
		release_now = true;
	} else if (e->stopped && (w = calloc(1, sizeof(*w)))) {
		w->pid = e->h.pid;
		w->sandbox = e->h.sandbox;
		w->next = b->waiters;
		b->waiters = w;
		if (!b->armed_started)
			enqueue(t, b, true);
	} else if (e->stopped) {
		release_now = true; /* out of memory: never keep it waiting */
	} else if (!b->armed_started) {
		enqueue(t, b, false); /* not held: armed late */
	}
	pthread_mutex_unlock(&t->lock);
	if (release_now && links_pylib(b) && !t->opts.no_python)
		release_now = !hold_for_pylib(t, m, b, e);
	if (release_now && b->has_malloc) {
		if (!e->stopped)
			t->alloc_late++; /* not held: its first allocations may be missed */
		alloc_attach(t, b, e->h.pid);
	}
	if (release_now && e->stopped)
		ct_hold_release(&t->holds, e->h.pid);
	if (release_now)
		bin_to_model(b, m, e->h.pid);
	if (e->h.sandbox) {
		if (t->cmdkey && !t->opts.no_cache && b->fid.size)
			bincache_note_exec(&t->cache, t->cmdkey, &b->fid);
		prearm_args(t, e);
	}
}

static void on_resume(struct ct_tracer *t, struct ct_model *m, const struct ct_resume *r)
{
	if (!m)
		return;
	ct_model_set_resumed(m, r->h.pid, r->h.ts);
	{
		struct ct_image *im = ct_proc_image(ct_model_proc(m, r->h.pid));
		bool early = false;

		if (!im)
			return;
		t->held_ns_total += im->held_ns;
		/* still waiting for its binary's probes: resumed early */
		pthread_mutex_lock(&t->lock);
		for (size_t i = t->nbins; i-- > 0 && !early;)
			if (t->bins[i]->state == BIN_PENDING)
				for (struct waiter *w = t->bins[i]->waiters; w && !early; w = w->next)
					early = w->pid == r->h.pid;
		pthread_mutex_unlock(&t->lock);
		if (early) {
			t->nlate++;
			snprintf(im->go_note, sizeof(im->go_note),
				 "resumed before its probes were attached, after %.1f ms, by pid %u (coldtrace's guardian at --max-hold, or another program): package inits may be missing",
				 (double)im->held_ns / 1e6, r->sender);
		}
	}
}

static int handle_event(void *ctx, void *data, size_t size)
{
	struct ct_tracer *t = ctx;
	const struct ct_hdr *h = data;
	struct ct_exec copy;
	struct ct_model *m;

	if (size < sizeof(*h))
		return 0;
	if (size >= sizeof(struct ct_exec) && h->type == CT_EV_EXEC &&
	    ((const struct ct_exec *)data)->match == CT_MATCH_COMM) {
		/* stopped by name: a sandbox root only if its path matches */
		const struct ct_exec *e = data;

		if (!t->has_sink || !t->sink.candidate || !t->sink.candidate(t->sink.ctx, e)) {
			if (e->stopped)
				ct_hold_release(&t->holds, e->h.pid);
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
	if (h->type == CT_EV_RESUME) {
		if (size >= sizeof(struct ct_resume))
			on_resume(t, m, data);
		return 0;
	}
	if (m)
		ct_model_add_event(m, data, size);
	if (size >= sizeof(struct ct_exec) && h->type == CT_EV_EXEC)
		on_exec(t, m, data);
	if (t->opts.allocs &&
	    ((h->type == CT_EV_GO && size >= sizeof(struct ct_go) &&
	      CT_COOKIE_KIND(((const struct ct_go *)data)->cookie) == CT_GO_MAINMAIN) ||
	     h->type == CT_EV_EXIT))
		alloc_detach(t, h->pid); /* init is over: nothing left to count */
	return 0;
}

void ct_tracer_set_sink(struct ct_tracer *t, const struct ct_tracer_sink *sink)
{
	t->sink = *sink;
	t->has_sink = true;
	t->m = NULL;
}

/* Inspect and arm a file now, on this thread (nothing waits for it). */
static struct ct_bin *arm_path_now(struct ct_tracer *t, const char *path)
{
	struct ct_bin_id fid;
	struct ct_bin *b;
	struct stat st;

	if (stat(path, &st) || !S_ISREG(st.st_mode))
		return NULL;
	fid_of_stat(&fid, &st);
	pthread_mutex_lock(&t->lock);
	b = bin_by_inode(t, fid.dev, fid.ino);
	if (b && !fid_equal(&b->fid, &fid) && b->state == BIN_READY) {
		/* rewritten since we armed it: re-arm (no process waits) */
		b->stale = true;
		detach_bin(b);
		b = NULL;
	}
	if (b) {
		pthread_mutex_unlock(&t->lock);
		return b;
	}
	b = bin_new(t, &fid, path);
	if (b)
		b->armed_started = true;
	pthread_mutex_unlock(&t->lock);
	if (!b)
		return NULL;
	arm_bin(t, b);
	publish(t, b, &t->holds);
	drain_done(t);
	return b;
}

void ct_tracer_prepare_binary(struct ct_tracer *t, const char *path)
{
	arm_path_now(t, path);
}

void ct_tracer_use_history(struct ct_tracer *t, const char *cmdkey)
{
	char **paths;
	size_t n;

	free(t->cmdkey);
	t->cmdkey = strdup(cmdkey);
	if (t->opts.no_cache)
		return;
	paths = bincache_history(&t->cache, cmdkey, &n);
	for (size_t i = 0; i < n; i++) {
		arm_path_now(t, paths[i]);
		free(paths[i]);
	}
	free(paths);
}

int ct_tracer_prearm(struct ct_tracer *t, const char *path)
{
	struct ct_bin_id fid;
	struct ct_bin *b;
	struct stat st;

	if (stat(path, &st) || !S_ISREG(st.st_mode) || !(st.st_mode & 0111))
		return -1;
	fid_of_stat(&fid, &st);
	pthread_mutex_lock(&t->lock);
	b = bin_by_inode(t, fid.dev, fid.ino);
	if (!b && (b = bin_new(t, &fid, path)))
		enqueue(t, b, false);
	pthread_mutex_unlock(&t->lock);
	return b ? 0 : -1;
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

uint64_t ct_tracer_lost_total(struct ct_tracer *t)
{
	uint64_t total = 0, n;

	for (uint32_t i = 1; i < CT_EV_MAX; i++) {
		read_percpu(t->skel->maps.lost, i, &n);
		total += n;
	}
	return total;
}

int ct_tracer_lost_root(struct ct_tracer *t, uint32_t root, uint64_t lost[CT_EV_MAX])
{
	struct ct_lost_val v;
	int fd = bpf_map__fd(t->skel->maps.lost_root);

	memset(lost, 0, CT_EV_MAX * sizeof(*lost));
	if (bpf_map_lookup_and_delete_elem(fd, &root, &v)) {
		/* older kernels have no lookup-and-delete for hash maps */
		if (errno == ENOENT)
			return 0;
		if (bpf_map_lookup_elem(fd, &root, &v))
			return errno == ENOENT ? 0 : -errno;
		bpf_map_delete_elem(fd, &root);
	}
	for (uint32_t i = 1; i < CT_EV_MAX && i < CT_LOST_SLOTS; i++)
		lost[i] = v.n[i];
	return 0;
}

/* Known non-Go binaries from the cache never need a hold. */
static void seed_known(struct ct_tracer *t)
{
	for (size_t i = 0; i < t->cache.n; i++) {
		const struct ct_bin_entry *e = &t->cache.e[i];
		struct ct_bin_key key = {.dev = e->fid.dev, .ino = e->fid.ino};
		struct ct_bin_val v = {.id = 0, .size = e->fid.size, .mtime_ns = e->fid.mtime_ns,
				       .ctime_ns = e->fid.ctime_ns};

		if (e->is_go || e->is_py)
			continue;
		if (bpf_map__update_elem(t->skel->maps.known_bins, &key, sizeof(key), &v, sizeof(v),
					 BPF_NOEXIST))
			continue;
	}
}

static void *cache_loader(void *arg)
{
	struct ct_tracer *t = arg;
	uint64_t t0 = mono_ns();

	bincache_load(&t->cache, t->opts.cache_dir);
	t->cache_ns = mono_ns() - t0;
	return NULL;
}

static void join_cache(struct ct_tracer *t)
{
	if (t->cache_loading)
		pthread_join(t->cache_thread, NULL);
	t->cache_loading = false;
}

static bool kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return false;
	return ma > major || (ma == major && mi >= minor);
}

/* Open the skeleton and set it up for t->opts (not loaded yet). 0, -1, or
 * -EPERM when this kernel's uprobes need a capability we lack. */
static int skel_open(struct ct_tracer *t, char *err, size_t errlen)
{
	const struct ct_tracer_opts *opts = &t->opts;

	t->skel = coldtrace_bpf__open();
	if (!t->skel) {
		snprintf(err, errlen, "cannot open the BPF object: %s", strerror(errno));
		return -1;
	}
	if (opts->ringbuf_bytes)
		bpf_map__set_max_entries(t->skel->maps.events, (uint32_t)opts->ringbuf_bytes);
	if (kernel_at_least(6, 1)) {
		/* Tracing programs may use hash maps that allocate on update
		 * since 6.1 (bpf_mem_alloc): no tens of thousands of elements
		 * to preallocate at every start. */
		bpf_map__set_map_flags(t->skel->maps.traced, BPF_F_NO_PREALLOC);
		bpf_map__set_map_flags(t->skel->maps.exit_sent, BPF_F_NO_PREALLOC);
		bpf_map__set_map_flags(t->skel->maps.known_bins, BPF_F_NO_PREALLOC);
		bpf_map__set_map_flags(t->skel->maps.ct_held, BPF_F_NO_PREALLOC);
		bpf_map__set_map_flags(t->skel->maps.ct_resuming, BPF_F_NO_PREALLOC);
		bpf_map__set_map_flags(t->skel->maps.lost_root, BPF_F_NO_PREALLOC);
		bpf_map__set_map_flags(t->skel->maps.go_layouts, BPF_F_NO_PREALLOC);
		bpf_map__set_map_flags(t->skel->maps.py_layouts, BPF_F_NO_PREALLOC);
		bpf_map__set_map_flags(t->skel->maps.go_allocs, BPF_F_NO_PREALLOC);
	}
	if (!opts->allocs) /* never used: no room for it (the probes test allocs_on first) */
		bpf_map__set_max_entries(t->skel->maps.go_allocs, 1);
	/* wake the loader when a quarter of the ring is used */
	t->skel->rodata->wakeup_bytes = bpf_map__max_entries(t->skel->maps.events) / 4;
	t->skel->rodata->capture_bytes = opts->capture_bytes;
	t->skel->rodata->watch_mode = opts->watch;
	t->skel->rodata->files_on = !opts->no_files;
	t->skel->rodata->allocs_on = opts->allocs;
	t->skel->rodata->lazy_io = opts->watch && (opts->capture_bytes || !opts->no_files || !opts->no_sched);
	if (opts->hold_only_uid) {
		t->skel->rodata->hold_uid = (uint32_t)geteuid();
		t->skel->rodata->hold_ruid = (uint32_t)getuid();
	}
	if (!opts->capture_bytes && opts->no_files) /* no I/O tracing: leave the syscall hook out */
		bpf_program__set_autoload(t->skel->progs.ct_sys_exit, false);
	if (opts->no_sched) {
		bpf_program__set_autoload(t->skel->progs.ct_sched_switch, false);
		bpf_program__set_autoload(t->skel->progs.ct_sched_wakeup, false);
		bpf_program__set_autoload(t->skel->progs.ct_sched_wakeup_new, false);
	}
	if (opts->no_files)
		bpf_program__set_autoload(t->skel->progs.ct_pcache, false);
	t->multi = !opts->no_uprobe_multi && !getenv("COLDTRACE_NO_UPROBE_MULTI") &&
		   ct_feature_has(CT_FEAT_UPROBE_MULTI);
	if (!t->multi && !ct_has_cap(CT_CAP_SYS_ADMIN)) {
		/* perf-event uprobes take CAP_SYS_ADMIN: without it every
		 * attach fails, and a trace without package inits would look
		 * like a success */
		snprintf(err, errlen, "permission denied: attaching uprobes on this kernel (no uprobe_multi links) needs CAP_SYS_ADMIN; CAP_BPF and CAP_PERFMON are not enough");
		return -EPERM;
	}
	if (t->multi) {
		bpf_program__set_autoload(t->skel->progs.ct_go_probe, false);
		bpf_program__set_expected_attach_type(t->skel->progs.ct_go_probe_multi,
						      (enum bpf_attach_type)BPF_TRACE_UPROBE_MULTI_ATTACH);
		bpf_program__set_autoload(t->skel->progs.ct_py_probe, false);
		bpf_program__set_expected_attach_type(t->skel->progs.ct_py_probe_multi,
						      (enum bpf_attach_type)BPF_TRACE_UPROBE_MULTI_ATTACH);
	} else {
		bpf_program__set_autoload(t->skel->progs.ct_go_probe_multi, false);
		bpf_program__set_autoload(t->skel->progs.ct_py_probe_multi, false);
	}
	if (opts->no_python) {
		bpf_program__set_autoload(t->skel->progs.ct_py_probe, false);
		bpf_program__set_autoload(t->skel->progs.ct_py_probe_multi, false);
	}
	/* Every other program attaches with the skeleton (ct_tracer_open);
	 * these have their own time: the Go probes per binary, the syscall
	 * hook while I/O is traced (io_attach), exec last (it takes holds:
	 * what sees a hold's end must be in first). */
	bpf_program__set_autoattach(t->skel->progs.ct_go_probe, false);
	bpf_program__set_autoattach(t->skel->progs.ct_go_probe_multi, false);
	bpf_program__set_autoattach(t->skel->progs.ct_py_probe, false);
	bpf_program__set_autoattach(t->skel->progs.ct_py_probe_multi, false);
	bpf_program__set_autoattach(t->skel->progs.ct_sys_exit, false);
	bpf_program__set_autoattach(t->skel->progs.ct_sched_switch, false);
	bpf_program__set_autoattach(t->skel->progs.ct_sched_wakeup, false);
	bpf_program__set_autoattach(t->skel->progs.ct_sched_wakeup_new, false);
	bpf_program__set_autoattach(t->skel->progs.ct_pcache, false);
	bpf_program__set_autoattach(t->skel->progs.ct_exec, false);
	return 0;
}

/* The load failed: say which hook this kernel lacks, if that is why. True
 * if only optional hooks were missing (now left out): load again. */
static bool explain_load_failure(struct ct_tracer *t, char *err, size_t errlen)
{
	struct bpf_program *p;
	bool retry = false;

	if (!ct_feature_has(CT_FEAT_RINGBUF)) {
		snprintf(err, errlen, "this kernel has no BPF ring buffer (Linux >= 5.8), which coldtrace's events need");
		return false;
	}
	bpf_object__for_each_program(p, t->skel->obj) {
		const char *sec = bpf_program__section_name(p);

		if (!bpf_program__autoload(p) || strncmp(sec, "tp_btf/", 7) || ct_feature_tp_btf(sec + 7))
			continue;
		if (p == t->skel->progs.ct_sys_exit) {
			warnx(t, "this kernel has no BTF tracepoint %s (%s): HTTP, log lines and files not traced",
			      sec + 7, sec);
			t->opts.capture_bytes = 0;
			t->opts.no_files = true;
			retry = true;
			continue;
		}
		if (p == t->skel->progs.ct_sched_switch || p == t->skel->progs.ct_sched_wakeup ||
		    p == t->skel->progs.ct_sched_wakeup_new) {
			warnx(t, "this kernel has no BTF tracepoint %s (%s): no scheduler states (as with --no-sched)",
			      sec + 7, sec);
			t->opts.no_sched = true;
			retry = true;
			continue;
		}
		if (p == t->skel->progs.ct_pcache) {
			warnx(t, "this kernel has no BTF tracepoint %s (%s): page-cache misses not traced",
			      sec + 7, sec);
			t->opts.no_files = true;
			retry = true;
			continue;
		}
		snprintf(err, errlen, "this kernel has no BTF tracepoint %s (%s), which coldtrace needs%s",
			 sec + 7, sec, ct_feature_has(CT_FEAT_TP_BTF) ? "" : " (no tp_btf programs at all: is /sys/kernel/btf/vmlinux there?)");
		return false;
	}
	return retry;
}

int ct_tracer_open(struct ct_tracer **out, const struct ct_tracer_opts *opts, struct ct_model *m,
		   char *err, size_t errlen)
{
	struct ct_tracer *t = calloc(1, sizeof(*t));
	struct epoll_event ev = {.events = EPOLLIN};
	int rc;

	*out = NULL;
	if (errlen)
		err[0] = 0;
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	t->opts = *opts;
	t->m = m;
	t->efd = t->done_fd = -1;
	t->guardian.pipe_wr = -1;
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->cond, NULL);
	pthread_cond_init(&t->ready_cond, NULL);
	pthread_cond_init(&t->closed_cond, NULL);
	g_verbose = opts->verbose;
	g_quiet = opts->quiet;
	libbpf_set_print(libbpf_log);
	install_sigbus();
	if (getenv("COLDTRACE_FAULT_ATTACH_DELAY_MS"))
		t->fault_delay_ms = (unsigned)strtoul(getenv("COLDTRACE_FAULT_ATTACH_DELAY_MS"), NULL, 10) % 600000;
	t->t_open = mono_ns();
	/* the binary cache is read while libbpf loads */
	if (!opts->no_cache && spawn(&t->cache_thread, cache_loader, t) == 0)
		t->cache_loading = true;
	rc = skel_open(t, err, errlen);
	if (rc) {
		ct_tracer_close(t);
		return rc;
	}
	rc = coldtrace_bpf__load(t->skel);
	if (rc && explain_load_failure(t, err, errlen)) {
		/* only optional hooks were missing: again without them */
		coldtrace_bpf__destroy(t->skel);
		t->skel = NULL;
		if ((rc = skel_open(t, err, errlen))) {
			ct_tracer_close(t);
			return rc;
		}
		rc = coldtrace_bpf__load(t->skel);
	}
	if (rc) {
		if (!err[0])
			snprintf(err, errlen, "cannot load BPF programs: %s%s", strerror(-rc),
				 opts->verbose ? "" : " (run with -v for libbpf's log)");
		goto fail;
	}
	/* what this load proved: its events ring, its tp_btf programs */
	ct_feature_known(CT_FEAT_RINGBUF, true);
	ct_feature_known(CT_FEAT_TP_BTF, true);
	t->t_loaded = mono_ns();
	join_cache(t);
	if (ct_holds_init(&t->holds, bpf_map__fd(t->skel->maps.ct_held),
			  bpf_map__fd(t->skel->maps.ct_resuming))) {
		snprintf(err, errlen, "cannot read the hold map: %s", strerror(errno));
		goto fail;
	}
	/* the guardian before anything can be held */
	rc = ct_guardian_start(&t->guardian, bpf_map__fd(t->skel->maps.ct_held),
			       bpf_map__fd(t->skel->maps.ct_resuming),
			       bpf_map__fd(t->skel->maps.ct_hold_rb),
			       opts->max_hold_ns ? opts->max_hold_ns : CT_DEFAULT_MAX_HOLD_NS);
	if (rc) {
		snprintf(err, errlen, "cannot start the guardian process: %s", strerror(-rc));
		goto fail;
	}
	seed_known(t);
	ct_holds_warm(&t->holds);
	/* one worker waiting already: a first hold need not start a thread */
	pthread_mutex_lock(&t->lock);
	if (spawn(&t->workers[0], worker, t) == 0)
		t->nworkers = 1;
	pthread_mutex_unlock(&t->lock);
	/* The skeleton attaches and owns every program's link but those
	 * skel_open left out; exec last. */
	if ((rc = coldtrace_bpf__attach(t->skel)) ||
	    !(t->skel->links.ct_exec = bpf_program__attach(t->skel->progs.ct_exec))) {
		snprintf(err, errlen, "cannot attach to the sched tracepoints: %s",
			 strerror(rc ? -rc : errno));
		goto fail;
	}
	/* watch attaches the hooks every process pays for only while a
	 * sandbox is live; run, now (a failure is a warning: the timeline
	 * does not need them) */
	if (!opts->watch && io_attach(t) && t->opts.capture_bytes && !t->skel->links.ct_sys_exit) {
		snprintf(err, errlen, "cannot attach to raw_syscalls:sys_exit: %s", strerror(errno));
		goto fail;
	}
	t->rb = ring_buffer__new(bpf_map__fd(t->skel->maps.events), handle_event, t, NULL);
	if (!t->rb) {
		snprintf(err, errlen, "cannot open the ring buffer: %s", strerror(errno));
		goto fail;
	}
	t->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	t->efd = epoll_create1(EPOLL_CLOEXEC);
	if (t->done_fd < 0 || t->efd < 0) {
		snprintf(err, errlen, "eventfd/epoll: %s", strerror(errno));
		goto fail;
	}
	ev.data.fd = ring_buffer__epoll_fd(t->rb);
	epoll_ctl(t->efd, EPOLL_CTL_ADD, ev.data.fd, &ev);
	ev.data.fd = t->done_fd;
	epoll_ctl(t->efd, EPOLL_CTL_ADD, ev.data.fd, &ev);
	if (m)
		ct_tracer_set_model(t, m);
	if (opts->verbose)
		fprintf(stderr, "coldtrace: BPF loaded in %.3f ms (%s; binary cache read beside it in %.3f ms), guardian and tracepoints in %.3f ms\n",
			(double)(t->t_loaded - t->t_open) / 1e6, t->multi ? "uprobe_multi" : "perf-event uprobes",
			(double)t->cache_ns / 1e6,
			(double)(mono_ns() - t->t_loaded) / 1e6);
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
	int rc = bpf_map__update_elem(t->skel->maps.traced, &key, sizeof(key), &v, sizeof(v), BPF_ANY);

	/* Its bit in traced_bits, so that the hooks every process pays for see
	 * it before its exec too (the kernel reading the binary in execve). A
	 * read-modify-write of a word BPF also changes atomically: only under
	 * run, where no other traced process can fork at this moment (a bit
	 * set twice or left set costs nothing: the hash decides). watch's
	 * roots get theirs in the kernel (exec, or their resumption). */
	if (!rc && !t->opts.watch) {
		uint32_t k = (uint32_t)pid >> 6;
		uint64_t w = 0;

		if (!bpf_map__lookup_elem(t->skel->maps.traced_bits, &k, sizeof(k), &w, sizeof(w), 0)) {
			w |= 1ull << ((uint32_t)pid & 63);
			bpf_map__update_elem(t->skel->maps.traced_bits, &k, sizeof(k), &w, sizeof(w), BPF_ANY);
		}
	}
	return rc;
}

int ct_tracer_fd(struct ct_tracer *t)
{
	return t->efd;
}

int ct_tracer_consume(struct ct_tracer *t)
{
	int rc = ring_buffer__consume(t->rb);

	drain_done(t);
	return rc;
}

void ct_tracer_finish(struct ct_tracer *t)
{
	ring_buffer__consume(t->rb);
	drain_done(t);
	if (!t->m)
		return;
	for (uint32_t i = 1; i < CT_EV_MAX; i++) {
		uint64_t total;

		read_percpu(t->skel->maps.lost, i, &total);
		t->m->lost[i] = total - t->lost_seen[i];
		t->lost_seen[i] = total;
	}
}

/* The sum of a per-CPU counter array's slots 1 .. nslots - 1 (slot 0 is
 * no probe kind). */
static uint64_t sum_slots(struct bpf_map *map, uint32_t nslots)
{
	uint64_t total = 0, n;

	for (uint32_t k = 1; k < nslots; k++) {
		read_percpu(map, k, &n);
		total += n;
	}
	return total;
}

uint64_t ct_tracer_go_hits(struct ct_tracer *t)
{
	/* the init probes: mallocgc's (--allocs) are counted apart */
	return sum_slots(t->skel->maps.go_hits, CT_GO_MALLOC);
}

uint64_t ct_tracer_malloc_hits(struct ct_tracer *t)
{
	uint64_t n = 0;

	read_percpu(t->skel->maps.go_hits, CT_GO_MALLOC, &n);
	return n;
}

uint64_t ct_tracer_py_hits(struct ct_tracer *t)
{
	return sum_slots(t->skel->maps.py_hits, CT_PY_SLOTS); /* every enum ct_py_probe */
}

size_t ct_tracer_go_binaries(struct ct_tracer *t)
{
	size_t n = 0;

	pthread_mutex_lock(&t->lock);
	for (size_t i = 0; i < t->nbins; i++)
		n += t->bins[i]->is_go && t->bins[i]->nlinks > 0;
	pthread_mutex_unlock(&t->lock);
	return n;
}

void ct_tracer_stats(struct ct_tracer *t, FILE *f)
{
	if (t->io_attaches)
		fprintf(f, "coldtrace: stats: live_hook_attaches=%llu attach_ms=%.3f detach_ms=%.3f\n",
			(unsigned long long)t->io_attaches, (double)t->io_attach_ns / 1e6,
			(double)t->io_detach_ns / 1e6);
	char feats[128];

	ct_features_str(feats, sizeof(feats), ",");
	fprintf(f, "coldtrace: stats: attach=%s binaries=%zu held=%llu held_ms=%.3f late=%llu changed=%llu not_held=%llu cache=%s features=%s\n",
		t->multi ? "uprobe_multi" : "perf_uprobe", t->nbins, (unsigned long long)t->nheld,
		(double)t->held_ns_total / 1e6, (unsigned long long)t->nlate,
		(unsigned long long)t->nchanged, (unsigned long long)t->nnotheld,
		t->opts.no_cache ? "off" : t->cache.path[0] ? t->cache.path : "unavailable", feats);
	if (t->opts.allocs)
		fprintf(f, "coldtrace: stats: mallocgc_hits=%llu malloc_probe_attaches=%llu attach_ms=%.3f detaches=%llu not_held=%llu\n",
			(unsigned long long)ct_tracer_malloc_hits(t), (unsigned long long)t->alloc_attaches,
			(double)t->alloc_attach_ns / 1e6, (unsigned long long)t->alloc_detaches,
			(unsigned long long)t->alloc_late);
}

/* ---- teardown ---- */

struct detach_job {
	struct ct_bin **bins;
	size_t n;
	atomic_size_t next;
};

static void *detacher(void *arg)
{
	struct detach_job *j = arg;
	size_t i;

	while ((i = atomic_fetch_add(&j->next, 1)) < j->n)
		detach_bin(j->bins[i]);
	return NULL;
}

/* uprobe_multi links go to the guardian, which closes them once coldtrace
 * has exited: their detach waits for the kernel's grace periods, and
 * nothing needs to wait for that. False if they could not go. */
static bool hand_over_links(struct ct_tracer *t)
{
	size_t n = 0, k = 0;
	int *fds;

	for (size_t i = 0; i < t->nbins; i++)
		n += (t->bins[i]->link_fd >= 0) + (t->bins[i]->link_fd_ret >= 0);
	for (size_t i = 0; i < t->nalinks; i++)
		n += t->alinks[i].fd >= 0;
	if (!n)
		return true;
	if (!(fds = malloc(n * sizeof(*fds))))
		return false;
	for (size_t i = 0; i < t->nbins; i++) {
		if (t->bins[i]->link_fd >= 0)
			fds[k++] = t->bins[i]->link_fd;
		if (t->bins[i]->link_fd_ret >= 0)
			fds[k++] = t->bins[i]->link_fd_ret;
	}
	for (size_t i = 0; i < t->nalinks; i++)
		if (t->alinks[i].fd >= 0)
			fds[k++] = t->alinks[i].fd;
	if (ct_guardian_hand_over(&t->guardian, fds, k)) {
		free(fds);
		return false;
	}
	free(fds);
	return true;
}

/* --allocs: the processes still in init (their copies are the guardian's
 * if they went to it), then the threads closing the others. */
static void close_alloc_links(struct ct_tracer *t)
{
	for (size_t i = 0; i < t->nalinks; i++)
		close_alloc_link(&t->alinks[i]);
	t->nalinks = 0;
	pthread_mutex_lock(&t->lock);
	while (t->closing)
		pthread_cond_wait(&t->closed_cond, &t->lock);
	pthread_mutex_unlock(&t->lock);
}

/* Each uprobe detach waits for the kernel's grace periods (~100 ms here):
 * detach every binary at once, so they wait for the same ones. */
static void detach_all(struct ct_tracer *t)
{
	struct detach_job j = {.bins = t->bins, .n = t->nbins};
	pthread_t th[CT_DETACHERS];
	size_t nth = 0, want = 0;

	for (size_t i = 0; i < t->nbins; i++)
		want += t->bins[i]->nlinks > 0;
	atomic_init(&j.next, 0);
	for (; nth < want && nth < CT_DETACHERS; nth++)
		if (spawn(&th[nth], detacher, &j))
			break;
	detacher(&j);
	for (size_t i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
}

void ct_tracer_close(struct ct_tracer *t)
{
	if (!t)
		return;
	join_cache(t);
	pthread_mutex_lock(&t->lock);
	t->quit = true;
	t->njobs = 0; /* pre-arming not started yet is dropped */
	pthread_cond_broadcast(&t->cond);
	pthread_mutex_unlock(&t->lock);
	for (int i = 0; i < t->nworkers; i++)
		pthread_join(t->workers[i], NULL);
	if (t->skel) {
		/* no new holds; end ours (the guardian would too) */
		bpf_link__destroy(t->skel->links.ct_exec);
		t->skel->links.ct_exec = NULL;
		if (t->holds.held_fd > 0)
			ct_hold_release_all(&t->holds);
	}
	if (!t->opts.no_cache && t->cache.dirty)
		bincache_save(&t->cache);
	ring_buffer__free(t->rb);
	{
		uint64_t t0 = mono_ns();
		bool handed = hand_over_links(t);

		detach_all(t); /* our copies: cheap once the guardian holds its own */
		close_alloc_links(t);
		if (t->opts.verbose)
			fprintf(stderr, "coldtrace: probes of %zu binaries %s in %.3f ms\n", t->nbins,
				handed ? "handed to the guardian to detach" : "detached",
				(double)(mono_ns() - t0) / 1e6);
		if (t->opts.verbose) {
			/* at the end: the BTF parse for tp_btf/fentry costs
			 * as much as the load, and must not delay the start */
			char feats[128];

			t0 = mono_ns();
			ct_features_str(feats, sizeof(feats), " ");
			fprintf(stderr, "coldtrace: kernel features: %s (a '-': missing; probed in %.3f ms)\n",
				feats, (double)(mono_ns() - t0) / 1e6);
		}
		if (t->opts.verbose && t->io_attaches)
			fprintf(stderr, "coldtrace: syscall and scheduler hooks attached %llu times (%.3f ms in all), detached in %.3f ms in all\n",
				(unsigned long long)t->io_attaches, (double)t->io_attach_ns / 1e6,
				(double)t->io_detach_ns / 1e6);
	}
	for (size_t i = 0; i < t->nbins; i++) {
		struct ct_bin *b = t->bins[i];

		while (b->waiters) {
			struct waiter *w = b->waiters;

			b->waiters = w->next;
			free(w);
		}
		free(b->fns);
		free(b);
	}
	free(t->bins);
	free(t->jobs);
	free(t->alinks);
	free(t->cmdkey);
	coldtrace_bpf__destroy(t->skel);
	ct_features_release();
	ct_guardian_stop(&t->guardian);
	ct_holds_free(&t->holds);
	bincache_free(&t->cache);
	if (t->efd >= 0)
		close(t->efd);
	if (t->done_fd >= 0)
		close(t->done_fd);
	pthread_mutex_destroy(&t->lock);
	pthread_cond_destroy(&t->cond);
	pthread_cond_destroy(&t->ready_cond);
	pthread_cond_destroy(&t->closed_cond);
	free(t);
}
