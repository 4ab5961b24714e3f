// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "model.h"
#include "redact.h"

/* The path of a response, or of a request whose copy failed. */
static char no_path[1];

void ct_model_init(struct ct_model *m, const struct ct_model_ops *ops)
{
	long ps = sysconf(_SC_PAGESIZE);

	memset(m, 0, sizeof(*m));
	if (ops)
		m->ops = *ops;
	m->page_size = ps > 0 && ps <= (1l << 30) ? (uint32_t)ps : 4096;
}

/* ---- the memory budget ---- */

#define MEM_OVERHEAD 16 /* malloc's bookkeeping per allocation, about */
#define GROW_MIN 16         /* elements of an array's first allocation */
#define PID_INDEX_MIN 1024  /* slots of the pid index's first allocation */
/* Go's initTask.state while its package's init runs (0: not started, 2: done) */
#define GO_TASK_RUNNING 1
/* Redaction may lengthen a string (a short secret becomes CT_REDACTED; what
 * does not fit is cut): room for a redacted request target, header value. */
#define REDACTED_PATH_MAX (4 * HTTP_PATH_MAX)
#define REDACTED_VALUE_MAX (2 * HTTP_VALUE_MAX + 16)

uint64_t ct_model_budget(const struct ct_model *m)
{
	return m->mem_budget ? m->mem_budget : CT_MODEL_MEM_DEFAULT;
}

/* Bytes still free for I/O records (io) or for the rest. */
static uint64_t mem_room(const struct ct_model *m, bool io)
{
	uint64_t lim = ct_model_budget(m);

	if (io)
		lim -= lim / 8; /* an eighth stays for processes and Go inits */
	return lim > m->mem_used ? lim - m->mem_used : 0;
}

static bool mem_take(struct ct_model *m, uint64_t n, bool io)
{
	if (n > mem_room(m, io))
		return false;
	m->mem_used += n;
	if (m->mem_used > m->mem_peak)
		m->mem_peak = m->mem_used;
	return true;
}

static void mem_give(struct ct_model *m, uint64_t n)
{
	m->mem_used = n < m->mem_used ? m->mem_used - n : 0;
}

static void drop_budget(struct ct_model *m)
{
	m->dropped_records++;
	m->dropped_budget++;
}

/*
 * Room for element n of arr (capacity *cap elements of elem bytes): doubles
 * the array, or grows it by what the budget still allows. NULL (arr kept)
 * when neither is possible.
 */
static void *grow(struct ct_model *m, void *arr, size_t *cap, size_t n, size_t elem, bool io)
{
	uint64_t room;
	size_t ncap;
	void *na;

	if (n < *cap)
		return arr;
	ncap = *cap ? *cap * 2 : GROW_MIN;
	room = mem_room(m, io);
	room = room > MEM_OVERHEAD ? (room - MEM_OVERHEAD) / elem : 0;
	if (ncap - *cap > room) {
		if (!room)
			return NULL;
		ncap = *cap + (size_t)room;
	}
	na = realloc(arr, ncap * elem);
	if (!na)
		return NULL;
	mem_take(m, (ncap - *cap) * elem + (*cap ? 0 : MEM_OVERHEAD), io);
	*cap = ncap;
	return na;
}

static void image_free(struct ct_image *im)
{
	free(im->argv);
	free(im->pkgs);
	free(im->pyimports);
	free(im->pystack);
}

static void drop_streams(struct ct_model *m, bool flush);

void ct_model_free(struct ct_model *m)
{
	drop_streams(m, false);
	for (size_t i = 0; i < m->nhttp; i++) {
		for (int k = 0; k < HTTP_H_COUNT; k++)
			free(m->http[i].hdr[k]);
		if (m->http[i].path != no_path)
			free(m->http[i].path);
	}
	free(m->http);
	for (size_t i = 0; i < m->nlogs; i++)
		free(m->logs[i].ev);
	free(m->logs);
	free(m->listens);
	for (size_t i = 0; i < m->nprocs; i++) {
		for (size_t j = 0; j < m->procs[i].nimages; j++)
			image_free(&m->procs[i].images[j]);
		free(m->procs[i].images);
	}
	free(m->procs);
	free(m->index);
	free(m->threads);
	ct_hmap_free(&m->thread_map);
	free(m->tspans);
	for (size_t i = 0; i < m->nfiles; i++)
		free(m->files[i].path);
	free(m->files);
	ct_hmap_free(&m->fd_map);
	ct_hmap_free(&m->ino_map);
	free(m->freads);
	free(m->misses);
	memset(m, 0, sizeof(*m));
}

static size_t pid_slot(uint32_t pid, size_t cap)
{
	return (size_t)(pid * 2654435761u) & (cap - 1);
}

static int index_put(struct ct_model *m, uint32_t pid, size_t idx);

static int index_grow(struct ct_model *m)
{
	size_t ncap = m->index_cap ? m->index_cap * 2 : PID_INDEX_MIN;
	uint32_t *old = m->index;
	size_t ocap = m->index_cap;

	if (!mem_take(m, (ncap - ocap) * sizeof(*m->index) + (ocap ? 0 : MEM_OVERHEAD), false))
		return -1;
	m->index = calloc(ncap, sizeof(*m->index));
	if (!m->index) {
		m->index = old;
		mem_give(m, (ncap - ocap) * sizeof(*m->index));
		return -1;
	}
	m->index_cap = ncap;
	for (size_t i = 0; i < ocap; i++)
		if (old[i])
			index_put(m, m->procs[old[i] - 1].pid, old[i] - 1);
	free(old);
	return 0;
}

/* Point pid at procs[idx] (replacing an older record of a reused pid). */
static int index_put(struct ct_model *m, uint32_t pid, size_t idx)
{
	size_t s;

	if ((m->nprocs + 1) * 2 > m->index_cap && index_grow(m))
		return -1;
	for (s = pid_slot(pid, m->index_cap);; s = (s + 1) & (m->index_cap - 1)) {
		if (!m->index[s] || m->procs[m->index[s] - 1].pid == pid) {
			m->index[s] = (uint32_t)idx + 1;
			return 0;
		}
	}
}

/* procs index of the newest record with this pid, or -1. */
static long proc_index(const struct ct_model *m, uint32_t pid)
{
	if (!m->index_cap)
		return -1;
	for (size_t s = pid_slot(pid, m->index_cap);; s = (s + 1) & (m->index_cap - 1)) {
		if (!m->index[s])
			return -1;
		if (m->procs[m->index[s] - 1].pid == pid)
			return (long)m->index[s] - 1;
	}
}

struct ct_proc *ct_model_proc(struct ct_model *m, uint32_t pid)
{
	long i = proc_index(m, pid);

	return i < 0 ? NULL : &m->procs[i];
}

const struct ct_proc *ct_model_proc_const(const struct ct_model *m, uint32_t pid)
{
	long i = proc_index(m, pid);

	return i < 0 ? NULL : &m->procs[i];
}

static struct ct_image *add_image(struct ct_model *m, struct ct_proc *p)
{
	struct ct_image *ni;

	if (!mem_take(m, sizeof(*ni) + (p->nimages ? 0 : MEM_OVERHEAD), false)) {
		drop_budget(m);
		return NULL;
	}
	ni = realloc(p->images, (p->nimages + 1) * sizeof(*ni));
	if (!ni)
		return NULL;
	p->images = ni;
	ni = &p->images[p->nimages++];
	memset(ni, 0, sizeof(*ni));
	ni->last_closed = -1;
	ni->cur = -1;
	return ni;
}

static struct ct_proc *new_proc(struct ct_model *m, uint32_t pid, uint32_t ppid, uint64_t ts)
{
	struct ct_proc *p, *parent;
	struct ct_image *inherit;

	if (m->nprocs == m->cap) {
		struct ct_proc *np = grow(m, m->procs, &m->cap, m->nprocs, sizeof(*np), false);

		if (!np) {
			drop_budget(m);
			return NULL;
		}
		m->procs = np;
	}
	/* Look the parent up after the array may have moved. */
	parent = ct_model_proc(m, ppid);
	inherit = parent ? ct_proc_image(parent) : NULL;
	if (index_put(m, pid, m->nprocs))
		return NULL;
	p = &m->procs[m->nprocs++];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->ppid = ppid;
	p->start_ts = ts;
	/* A forked child runs its parent's program until it execs. */
	if (inherit) {
		struct ct_image *im = add_image(m, p);

		if (im) {
			memcpy(im->path, inherit->path, sizeof(im->path));
			memcpy(im->comm, inherit->comm, sizeof(im->comm));
		}
	}
	return p;
}

struct ct_proc *ct_model_add_root(struct ct_model *m, uint32_t pid, uint64_t ts)
{
	struct ct_proc *p = new_proc(m, pid, 0, ts);

	if (p) {
		p->is_root = true;
		m->root_pid = pid;
	}
	return p;
}

struct ct_image *ct_proc_image(struct ct_proc *p)
{
	return p && p->nimages ? &p->images[p->nimages - 1] : NULL;
}

const struct ct_image *ct_proc_image_const(const struct ct_proc *p)
{
	return p && p->nimages ? &p->images[p->nimages - 1] : NULL;
}

/* The live record for pid, created if the process is new to us. */
static struct ct_proc *live_proc(struct ct_model *m, uint32_t pid, uint64_t ts)
{
	struct ct_proc *p = ct_model_proc(m, pid);

	if (!p || p->exited)
		p = new_proc(m, pid, 0, ts);
	return p;
}

static void on_io(struct ct_model *m, const struct ct_io *e, size_t size);
static void on_listen(struct ct_model *m, const struct ct_listen *e);
static void close_streams_of(struct ct_model *m, uint32_t pid, bool all, bool flush);

static void copy_str(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	size_t n = strnlen(src, srclen);

	if (n >= dstlen)
		n = dstlen - 1;
	memcpy(dst, src, n);
	dst[n] = 0;
}

static void on_fork(struct ct_model *m, const struct ct_fork *e)
{
	struct ct_proc *c;

	live_proc(m, e->h.pid, e->h.ts);
	c = ct_model_proc(m, e->child);
	if (c && !c->exited && c->start_ts)
		return; /* already known (the root, added by the loader) */
	c = new_proc(m, e->child, e->h.pid, e->h.ts);
	(void)c;
}

static void on_exec(struct ct_model *m, const struct ct_exec *e)
{
	struct ct_proc *p = live_proc(m, e->h.pid, e->h.ts);
	char args[4 * CT_ARGS_LEN];
	struct ct_image *im;
	size_t n;

	if (!p)
		return;
	if (!p->ppid)
		p->ppid = e->ppid;
	p->nspid = e->h.nspid;
	im = add_image(m, p);
	if (!im)
		return;
	im->exec_ts = e->h.ts;
	im->dev = e->dev;
	im->ino = e->ino;
	/* secrets out (redact.h) before anything keeps them */
	ct_redact(im->path, sizeof(im->path), e->path, strnlen(e->path, sizeof(e->path)), 0, NULL);
	ct_redact(im->comm, sizeof(im->comm), e->comm, strnlen(e->comm, sizeof(e->comm)), 0, NULL);
	im->argv_truncated = e->args_truncated;
	n = e->args_len < sizeof(e->args) ? e->args_len : sizeof(e->args);
	/* drop the trailing NULs of the last argument */
	while (n && e->args[n - 1] == 0)
		n--;
	n = ct_redact(args, sizeof(args), e->args, n, 0, &im->argv_truncated);
	if (!mem_take(m, n + 1 + MEM_OVERHEAD, false)) {
		drop_budget(m);
		im->argv_truncated = true;
		return;
	}
	im->argv = malloc(n + 1);
	if (im->argv) {
		memcpy(im->argv, args, n + 1);
		im->argv_len = n;
	}
}

static void on_exit_ev(struct ct_model *m, const struct ct_exit *e)
{
	struct ct_proc *p = live_proc(m, e->h.pid, e->h.ts);

	if (!p)
		return;
	p->exited = true;
	p->exit_ts = e->h.ts;
	if (m->streams.n)
		close_streams_of(m, e->h.pid, false, true);
	p->exit_status = e->code;
	if (!p->nspid)
		p->nspid = e->h.nspid;
}

static struct ct_pkginit *new_pkg(struct ct_model *m, struct ct_image *im, const char *pkg, uint64_t ts)
{
	struct ct_pkginit *pk;

	if (im->npkgs == im->cap) {
		struct ct_pkginit *np = grow(m, im->pkgs, &im->cap, im->npkgs, sizeof(*np), false);

		if (!np) {
			drop_budget(m);
			return NULL;
		}
		im->pkgs = np;
	}
	pk = &im->pkgs[im->npkgs++];
	memset(pk, 0, sizeof(*pk));
	copy_str(pk->pkg, sizeof(pk->pkg), pkg, strlen(pkg) + 1);
	pk->start = ts;
	return pk;
}

/* The thread's counters at a package's first (or last: end) probe hit. */
static void pkg_counters(struct ct_pkginit *pk, const struct ct_go *e, bool end)
{
	if (end) {
		pk->c_end = e->c;
		pk->tid_end = e->h.tid;
	} else {
		pk->c_start = e->c;
		pk->tid_start = e->h.tid;
	}
}

static void on_go(struct ct_model *m, const struct ct_go *e)
{
	struct ct_proc *p = live_proc(m, e->h.pid, e->h.ts);
	struct ct_image *im = ct_proc_image(p);
	uint32_t bin = CT_COOKIE_BIN(e->cookie);

	if (!p)
		return;
	if (!im && !(im = add_image(m, p)))
		return;
	if (!im->is_go) {
		const char *v = m->ops.bin_version ? m->ops.bin_version(m->ops.ctx, bin) : NULL;

		im->is_go = true;
		im->bin_id = bin;
		if (v)
			copy_str(im->go_version, sizeof(im->go_version), v, strlen(v) + 1);
	}

	switch (CT_COOKIE_KIND(e->cookie)) {
	case CT_GO_RTSTART:
		if (!im->rt_start)
			im->rt_start = e->value;
		break;
	case CT_GO_MAINMAIN:
		/* morestack may replay main.main's prologue: keep the first */
		if (!im->main_main)
			im->main_main = e->h.ts;
		break;
	case CT_GO_TASKSTART: {
		const char *pkg = m->ops.pkg_of ? m->ops.pkg_of(m->ops.ctx, bin, CT_GO_TASKSTART, e->ip,
								e->value) : NULL;
		struct ct_pkginit *pk;

		im->task_mode = true;
		/* morestack replayed doInit1's prologue: same task, nothing ran */
		if (im->cur >= 0 && !im->cur_returned && im->pkgs[im->cur].task == e->task) {
			im->pkgs[im->cur].start = e->h.ts;
			pkg_counters(&im->pkgs[im->cur], e, false);
			break;
		}
		if (e->state != GO_TASK_RUNNING)
			m->bad_tasks++; /* the register did not hold a running task */
		pk = new_pkg(m, im, pkg ? pkg : "?", e->h.ts);
		if (!pk)
			return;
		pkg_counters(pk, e, false);
		pk->task = e->task;
		pk->nfns_task = e->nfns;
		im->cur = (int)(pk - im->pkgs);
		im->cur_returned = false;
		break;
	}
	case CT_GO_INITCALL: {
		const char *pkg = m->ops.pkg_of ? m->ops.pkg_of(m->ops.ctx, bin, CT_GO_INITCALL, e->ip,
								e->value) : NULL;
		struct ct_pkginit *pk = NULL;
		int idx;

		if (!pkg)
			pkg = "?";
		/* Consecutive functions of one package belong to one init task. */
		if (im->last_closed >= 0 && (size_t)im->last_closed < im->npkgs &&
		    strcmp(im->pkgs[im->last_closed].pkg, pkg) == 0) {
			idx = im->last_closed;
			pk = &im->pkgs[idx];
		} else {
			pk = new_pkg(m, im, pkg, e->h.ts);
			if (!pk)
				return;
			pkg_counters(pk, e, false);
			idx = (int)(pk - im->pkgs);
		}
		pk->nfns++;
		if (im->depth < CT_INIT_STACK)
			im->stack[im->depth] = idx;
		im->depth++;
		im->last_closed = -1;
		break;
	}
	case CT_GO_TASKEND:
	case CT_GO_INITRET:
		if (im->task_mode) {
			if (im->cur < 0) {
				m->unpaired++;
				break;
			}
			im->pkgs[im->cur].end = e->h.ts;
			pkg_counters(&im->pkgs[im->cur], e, true);
			if (e->alloc_flags & CT_GO_ALLOCS_COUNTED) { /* --allocs: TASKEND's counts */
				im->pkgs[im->cur].allocs_counted = true;
				im->pkgs[im->cur].allocs = e->allocs;
				im->pkgs[im->cur].bytes = e->bytes;
				im->pkgs[im->cur].tiny = e->tiny;
			}
			if (CT_COOKIE_KIND(e->cookie) == CT_GO_TASKEND)
				im->pkgs[im->cur].nfns = im->pkgs[im->cur].nfns_task;
			else
				im->pkgs[im->cur].nfns++;
			im->cur_returned = true;
			if (CT_COOKIE_KIND(e->cookie) == CT_GO_TASKEND)
				im->cur = -1;
			break;
		}
		if (im->depth <= 0) {
			m->unpaired++;
			break;
		}
		im->depth--;
		if (im->depth < CT_INIT_STACK) {
			int idx = im->stack[im->depth];

			im->pkgs[idx].end = e->h.ts;
			pkg_counters(&im->pkgs[idx], e, true);
			im->last_closed = idx;
		}
		break;
	default:
		m->bad_events++;
	}
}

/* ---- the kernel-level breakdown: threads, scheduler states, files ---- */

/*
 * Spans, threads, files, reads and misses count against the budget like I/O
 * records (a watch session runs for days): MEM_IO.
 */
#define MEM_IO true

/* Room for n entries in map h, its growth taken from the budget first. */
static int hmap_reserve_budget(struct ct_model *m, struct ct_hmap *h, size_t n)
{
	size_t ocap = h->cap, ncap = ct_hmap_cap_for(n);
	uint64_t bytes;

	if (ncap <= ocap)
		return 0;
	bytes = (ncap - ocap) * sizeof(struct ct_hslot) + (ocap ? 0 : MEM_OVERHEAD);
	if (!mem_take(m, bytes, MEM_IO))
		return -1;
	if (ct_hmap_reserve(h, n)) {
		mem_give(m, bytes);
		return -1;
	}
	return 0;
}

static void drop_sched(struct ct_model *m)
{
	drop_budget(m);
	m->dropped_sched++;
}

static void drop_files(struct ct_model *m)
{
	drop_budget(m);
	m->dropped_files++;
}

static bool thread_eq(const void *ctx, uintptr_t val, const void *key)
{
	const struct ct_model *m = ctx;

	return m->threads[val].tid == *(const uint32_t *)key;
}

/* A new life of tid (no state yet), or NULL (budget). */
static struct ct_thread *new_thread(struct ct_model *m, uint32_t pid, uint32_t tid)
{
	struct ct_thread *na, *t;

	if (hmap_reserve_budget(m, &m->thread_map, m->nthreads + 1)) {
		drop_sched(m);
		return NULL;
	}
	na = grow(m, m->threads, &m->threads_cap, m->nthreads, sizeof(*na), MEM_IO);
	if (!na) {
		drop_sched(m);
		return NULL;
	}
	m->threads = na;
	t = &m->threads[m->nthreads];
	memset(t, 0, sizeof(*t));
	t->pid = pid;
	t->tid = tid;
	t->leader = pid == tid;
	t->state = CT_TS_COUNT;
	/* not past the map's probe limit (none): cannot fail after the reserve */
	if (ct_hmap_put(&m->thread_map, ct_hash_u64(tid), &tid, thread_eq, m, m->nthreads)) {
		drop_sched(m);
		return NULL;
	}
	m->nthreads++;
	return t;
}

/*
 * The thread a record of (pid, tid) at ts is about, or NULL: a record older
 * than the thread's newest (records from several CPUs arrive out of order)
 * changes nothing (sched_late). A tid seen after its final switch, or under
 * another pid (a non-leader thread exec'd and took the leader's pid, or the
 * tid was reused after a lost final switch), starts a new life; the old
 * one's open state ends at ct_model_finish like any other.
 */
static struct ct_thread *sched_thread(struct ct_model *m, uint32_t pid, uint32_t tid, uint64_t ts)
{
	uintptr_t v;

	if (ct_hmap_get(&m->thread_map, ct_hash_u64(tid), &tid, thread_eq, m, &v)) {
		struct ct_thread *t = &m->threads[v];

		if (ts < t->last_ts) {
			m->sched_late++;
			return NULL;
		}
		if (t->pid == pid && !t->dead)
			return t;
		if (t->dead && ts == t->last_ts) {
			m->sched_late++; /* at the very time of its death: not a new life */
			return NULL;
		}
	}
	return new_thread(m, pid, tid);
}

static void add_span(struct ct_model *m, const struct ct_thread *t, uint64_t end, uint8_t flags,
		     const struct ct_tcounters *c)
{
	struct ct_tspan *na, *s;

	na = grow(m, m->tspans, &m->tspans_cap, m->ntspans, sizeof(*na), MEM_IO);
	if (!na) {
		drop_sched(m);
		return;
	}
	m->tspans = na;
	s = &m->tspans[m->ntspans++];
	memset(s, 0, sizeof(*s));
	s->start = t->since;
	s->end = end;
	s->pid = t->pid;
	s->tid = t->tid;
	s->state = t->state;
	s->flags = flags;
	s->cpu_at_start = t->at_known ? t->at.run_ns : 0;
	/* a running span's counters: OUT's minus IN's, when both were read and
	 * went forward (never trust a record to be sane) */
	if (t->state == CT_TS_RUNNING && c && t->at_known && c->run_ns >= t->at.run_ns &&
	    c->min_flt >= t->at.min_flt && c->maj_flt >= t->at.maj_flt && c->nvcsw >= t->at.nvcsw &&
	    c->nivcsw >= t->at.nivcsw) {
		s->flags |= CT_TSPAN_COUNTED;
		s->run_ns = c->run_ns - t->at.run_ns;
		s->min_flt = c->min_flt - t->at.min_flt;
		s->maj_flt = c->maj_flt - t->at.maj_flt;
		s->nvcsw = c->nvcsw - t->at.nvcsw;
		s->nivcsw = c->nivcsw - t->at.nivcsw;
	}
}

/* End the thread's state at ts (a span, kept if the budget allows). */
static void close_state(struct ct_model *m, struct ct_thread *t, uint64_t ts, uint8_t flags,
			const struct ct_tcounters *c)
{
	if (t->state >= CT_TS_COUNT)
		return;
	if (ts >= t->since) {
		t->state_ns[t->state] += ts - t->since;
		if (t->state == CT_TS_RUNNABLE && t->unqueued) {
			t->unqueued_ns += ts - t->since;
			flags |= CT_TSPAN_UNQUEUED;
		}
		add_span(m, t, ts, flags, c);
	}
	t->state = CT_TS_COUNT;
	t->at_known = false;
	t->unqueued = false;
}

/* The state a record says the thread was in was not the one we know: the
 * record that ended it was lost, so that span's end is unknown. */
static void gap_state(struct ct_model *m, struct ct_thread *t)
{
	if (t->state < CT_TS_COUNT) {
		m->sched_gaps++;
		t->gaps++;
	}
	t->state = CT_TS_COUNT;
	t->at_known = false;
	t->unqueued = false;
}

static void open_state(struct ct_thread *t, uint8_t state, uint64_t ts, const struct ct_tcounters *c)
{
	t->state = state;
	t->since = ts;
	t->at = *c;
	t->at_known = true;
}

static bool sleepish(uint8_t state)
{
	return state == CT_TS_SLEEP || state == CT_TS_DISK || state == CT_TS_IOWAIT || state == CT_TS_STOPPED;
}

/* A thread off the CPU since its last record has the same CPU time at the
 * next one (the kernel adds to it only while the thread runs): more means
 * it ran in between, and the records of that were not seen. */
static bool ran_unseen(const struct ct_thread *t, const struct ct_tcounters *c)
{
	return t->state < CT_TS_COUNT && t->state != CT_TS_RUNNING && t->at_known &&
	       c->run_ns != t->at.run_ns;
}

static void on_sched(struct ct_model *m, const struct ct_sched *e)
{
	uint64_t ts = e->h.ts;
	struct ct_thread *t;

	m->have_sched = true;
	m->sched_events++;
	if (e->what < CT_SCHED_IN || e->what > CT_SCHED_NEW ||
	    (e->what == CT_SCHED_OUT && (e->state == CT_TS_RUNNING || e->state >= CT_TS_COUNT))) {
		m->bad_events++;
		return;
	}
	t = sched_thread(m, e->h.pid, e->h.tid, ts);
	if (!t)
		return;
	if (!t->first_ts) {
		t->first_ts = ts ? ts : 1;
		t->first = e->c;
	}
	t->last_ts = ts;
	t->last = e->c;

	switch (e->what) {
	case CT_SCHED_IN:
		if (t->state == CT_TS_RUNNING || ran_unseen(t, &e->c))
			gap_state(m, t); /* its switch out (or an in and out) was lost */
		else
			close_state(m, t, ts, 0, NULL);
		open_state(t, CT_TS_RUNNING, ts, &e->c);
		break;
	case CT_SCHED_OUT:
		if (t->state == CT_TS_RUNNING)
			close_state(m, t, ts, 0, &e->c);
		else
			gap_state(m, t); /* its switch in was lost */
		if (e->state == CT_TS_DEAD) {
			t->dead = true;
		} else {
			open_state(t, e->state, ts, &e->c);
			t->unqueued = e->state == CT_TS_RUNNABLE && e->task_state != 0;
		}
		break;
	default: /* CT_SCHED_WAKE, CT_SCHED_NEW */
		if (t->state == CT_TS_RUNNING || t->state == CT_TS_RUNNABLE)
			break; /* woken while on a CPU or a run queue: nothing changes */
		if (e->task_state == CT_WAKE_ARRIVED)
			break; /* written after the switch in it led to: no new wait */
		if (sleepish(t->state) && ran_unseen(t, &e->c))
			gap_state(m, t);
		else if (sleepish(t->state))
			close_state(m, t, ts, 0, NULL);
		open_state(t, CT_TS_RUNNABLE, ts, &e->c);
		break;
	}
}

/* (pid, fd) -> the newest open; (dev, ino) -> the newest open */
struct fd_key {
	uint32_t pid;
	int32_t fd;
};

struct ino_key {
	uint64_t dev, ino;
};

static uint64_t fd_hash(uint32_t pid, int32_t fd)
{
	return ct_hash_u64((uint64_t)pid << 32 | (uint32_t)fd);
}

static uint64_t ino_hash(uint64_t dev, uint64_t ino)
{
	return ct_hash_u64(dev * 0x9e3779b97f4a7c15ull ^ ino);
}

static bool fd_eq(const void *ctx, uintptr_t val, const void *key)
{
	const struct ct_file *f = &((const struct ct_model *)ctx)->files[val];
	const struct fd_key *k = key;

	return f->pid == k->pid && f->fd == k->fd;
}

static bool ino_eq(const void *ctx, uintptr_t val, const void *key)
{
	const struct ct_file *f = &((const struct ct_model *)ctx)->files[val];
	const struct ino_key *k = key;

	return f->dev == k->dev && f->ino == k->ino;
}

static long file_by_ino(const struct ct_model *m, uint64_t dev, uint64_t ino)
{
	struct ino_key k = {dev, ino};
	uintptr_t v;

	if (!ct_hmap_get(&m->ino_map, ino_hash(dev, ino), &k, ino_eq, m, &v))
		return -1;
	return (long)v;
}

static void on_open(struct ct_model *m, const struct ct_open *e)
{
	char path[4 * CT_PATH_LEN];
	size_t n = e->path_len < sizeof(e->path) ? e->path_len : sizeof(e->path);
	struct fd_key fk = {e->h.pid, e->fd};
	struct ino_key ik = {e->dev, e->ino};
	struct ct_file *na, *f;
	size_t idx = m->nfiles;

	m->have_files = true;
	if (e->fd < 0)
		return; /* the open failed: nothing was opened */
	n = ct_redact(path, sizeof(path), e->path, strnlen(e->path, n), 0, NULL);
	if (hmap_reserve_budget(m, &m->fd_map, m->fd_map.n + 1) ||
	    hmap_reserve_budget(m, &m->ino_map, m->ino_map.n + 1)) {
		drop_files(m);
		return;
	}
	na = grow(m, m->files, &m->files_cap, m->nfiles, sizeof(*na), MEM_IO);
	if (!na) {
		drop_files(m);
		return;
	}
	m->files = na;
	if (!mem_take(m, n + 1 + MEM_OVERHEAD, MEM_IO)) {
		drop_files(m);
		return;
	}
	f = &m->files[idx];
	memset(f, 0, sizeof(*f));
	f->path = malloc(n + 1);
	if (!f->path) {
		mem_give(m, n + 1 + MEM_OVERHEAD);
		return;
	}
	memcpy(f->path, path, n + 1);
	f->ts = e->h.ts;
	f->pid = e->h.pid;
	f->tid = e->h.tid;
	f->fd = e->fd;
	f->flags = e->flags;
	f->dev = e->dev;
	f->ino = e->ino;
	f->size = e->size;
	m->nfiles++;
	/* no probe limit: cannot fail after the reserves */
	ct_hmap_put(&m->fd_map, fd_hash(fk.pid, fk.fd), &fk, fd_eq, m, idx);
	ct_hmap_put(&m->ino_map, ino_hash(ik.dev, ik.ino), &ik, ino_eq, m, idx);
}

static void on_fread(struct ct_model *m, const struct ct_fread *e)
{
	struct fd_key fk = {e->h.pid, e->fd};
	struct ct_fread_rec *na, *r;
	long file = -1;
	uintptr_t v;

	m->have_files = true;
	if (ct_hmap_get(&m->fd_map, fd_hash(fk.pid, fk.fd), &fk, fd_eq, m, &v) &&
	    m->files[v].dev == e->dev && m->files[v].ino == e->ino)
		file = (long)v;
	else
		file = file_by_ino(m, e->dev, e->ino);
	if (file >= 0) {
		m->files[file].read_bytes += e->bytes;
		m->files[file].reads++;
	}
	na = grow(m, m->freads, &m->freads_cap, m->nfreads, sizeof(*na), MEM_IO);
	if (!na) {
		drop_files(m);
		return;
	}
	m->freads = na;
	r = &m->freads[m->nfreads++];
	memset(r, 0, sizeof(*r));
	r->ts = e->h.ts;
	r->pid = e->h.pid;
	r->tid = e->h.tid;
	r->file = file;
	r->bytes = e->bytes;
	r->dev = e->dev;
	r->ino = e->ino;
}

static void on_pcache(struct ct_model *m, const struct ct_pcache *e)
{
	long file = file_by_ino(m, e->dev, e->ino);
	struct ct_miss_rec *na, *r;

	m->have_pcache = true;
	if (file >= 0)
		m->files[file].miss_pages += e->pages;
	na = grow(m, m->misses, &m->misses_cap, m->nmisses, sizeof(*na), MEM_IO);
	if (!na) {
		drop_files(m);
		return;
	}
	m->misses = na;
	r = &m->misses[m->nmisses++];
	memset(r, 0, sizeof(*r));
	r->ts = e->h.ts;
	r->pid = e->h.pid;
	r->tid = e->h.tid;
	r->file = file;
	r->dev = e->dev;
	r->ino = e->ino;
	r->pages = e->pages;
}

/* The process record pid had at ts: the newest one started by then. */
static struct ct_proc *proc_at(struct ct_model *m, uint32_t pid, uint64_t ts)
{
	struct ct_proc *p = ct_model_proc(m, pid);

	if (!p || p->start_ts <= ts)
		return p;
	for (size_t i = (size_t)(p - m->procs); i-- > 0;)
		if (m->procs[i].pid == pid && m->procs[i].start_ts <= ts)
			return &m->procs[i];
	return p;
}

/*
 * End of the trace: each thread's open state ends at its process's exit
 * (or, still running, at the trace's last record), flagged CT_TSPAN_CUT;
 * then each process gets its threads' sums.
 */
static void finish_threads(struct ct_model *m)
{
	for (size_t i = 0; i < m->nprocs; i++) {
		struct ct_proc *p = &m->procs[i];

		memset(&p->sum, 0, sizeof(p->sum));
		memset(p->state_ns, 0, sizeof(p->state_ns));
		p->nthreads = p->dead_nonleader = p->sched_gaps = 0;
		p->runnable_ns = p->unqueued_ns = 0;
	}
	for (size_t i = 0; i < m->nthreads; i++) {
		struct ct_thread *t = &m->threads[i];
		struct ct_proc *p = proc_at(m, t->pid, t->first_ts);

		if (t->state < CT_TS_COUNT) {
			uint64_t end = p && p->exited && p->exit_ts >= t->since ? p->exit_ts : m->last_ts;

			close_state(m, t, end, CT_TSPAN_CUT, NULL);
		}
		if (!p)
			continue;
		p->sum.run_ns += t->last.run_ns;
		p->sum.min_flt += t->last.min_flt;
		p->sum.maj_flt += t->last.maj_flt;
		p->sum.nvcsw += t->last.nvcsw;
		p->sum.nivcsw += t->last.nivcsw;
		p->nthreads++;
		if (t->dead && !t->leader)
			p->dead_nonleader++;
		for (int s = 0; s < CT_TS_COUNT; s++)
			p->state_ns[s] += t->state_ns[s];
		p->runnable_ns = p->state_ns[CT_TS_RUNNABLE];
		p->unqueued_ns += t->unqueued_ns;
		p->sched_gaps += t->gaps;
	}
}

/* ---- the event kinds: one line per record type the BPF side sends ---- */

static void on_exec_rec(struct ct_model *m, const void *data, size_t size)
{
	(void)size;
	on_exec(m, data);
}

static void on_fork_rec(struct ct_model *m, const void *data, size_t size)
{
	(void)size;
	on_fork(m, data);
}

static void on_exit_rec(struct ct_model *m, const void *data, size_t size)
{
	(void)size;
	on_exit_ev(m, data);
}

static void on_go_rec(struct ct_model *m, const void *data, size_t size)
{
	(void)size;
	on_go(m, data);
}

/* ---- CPython imports ---- */

uint64_t ct_pyimport_cum(const struct ct_pyimport *pi)
{
	return pi->end > pi->start ? pi->end - pi->start : 0;
}

uint64_t ct_pyimport_self(const struct ct_pyimport *pi)
{
	uint64_t cum = ct_pyimport_cum(pi);

	return cum > pi->child_ns ? cum - pi->child_ns : 0;
}

/* Append code point @c as UTF-8 if it fits in @cap bytes at @o. */
static bool put_utf8(char *dst, size_t cap, size_t *o, uint32_t c)
{
	uint8_t b[4];
	size_t n;

	if (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		c = 0xfffd;
	if (c < 0x80) {
		b[0] = (uint8_t)c;
		n = 1;
	} else if (c < 0x800) {
		b[0] = (uint8_t)(0xc0 | (c >> 6));
		b[1] = (uint8_t)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		b[0] = (uint8_t)(0xe0 | (c >> 12));
		b[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
		b[2] = (uint8_t)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		b[0] = (uint8_t)(0xf0 | (c >> 18));
		b[1] = (uint8_t)(0x80 | ((c >> 12) & 0x3f));
		b[2] = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
		b[3] = (uint8_t)(0x80 | (c & 0x3f));
		n = 4;
	}
	if (*o + n >= cap)
		return false;
	memcpy(dst + *o, b, n);
	*o += n;
	return true;
}

/* Length of the valid UTF-8 sequence at s[i..n), 0 if invalid or cut. */
static size_t utf8_seq(const uint8_t *s, size_t i, size_t n)
{
	size_t len = s[i] < 0x80 ? 1 : (s[i] & 0xe0) == 0xc0 ? 2 : (s[i] & 0xf0) == 0xe0 ? 3
		     : (s[i] & 0xf8) == 0xf0 ? 4 : 0;

	if (!len || i + len > n)
		return 0;
	for (size_t k = 1; k < len; k++)
		if ((s[i + k] & 0xc0) != 0x80)
			return 0;
	return len;
}

/* The probe's name bytes as UTF-8 in pi->name; pi->name_cut if the str was
 * longer than what the probe read. */
static void py_name(struct ct_pyimport *pi, const struct ct_py *e)
{
	uint32_t len = e->name_len < CT_PYMOD_LEN ? e->name_len : CT_PYMOD_LEN;
	const uint8_t *src = (const uint8_t *)e->name;
	size_t o = 0, chars = 0;

	switch (e->name_kind) {
	case CT_PYNAME_UTF8:
		for (size_t i = 0; i < len;) {
			size_t n = utf8_seq(src, i, len);

			if (!n) {
				/* cut in a character (at the end) or not UTF-8 */
				if (i + 4 > len)
					break;
				if (!put_utf8(pi->name, sizeof(pi->name), &o, 0xfffd))
					break;
				i++;
			} else {
				if (o + n >= sizeof(pi->name))
					break;
				memcpy(pi->name + o, src + i, n);
				o += n;
				i += n;
			}
			chars++;
		}
		break;
	case CT_PYNAME_UCS1:
	case CT_PYNAME_UCS2:
	case CT_PYNAME_UCS4: {
		uint32_t w = e->name_kind;

		for (uint32_t i = 0; i + w <= len; i += w, chars++) {
			uint32_t c = src[i];

			if (w >= 2)
				c |= (uint32_t)src[i + 1] << 8;
			if (w == 4)
				c |= (uint32_t)src[i + 2] << 16 | (uint32_t)src[i + 3] << 24;
			if (!put_utf8(pi->name, sizeof(pi->name), &o, c))
				break;
		}
		break;
	}
	default:
		break;
	}
	pi->name[o] = 0;
	if (!o)
		snprintf(pi->name, sizeof(pi->name), "?");
	pi->name_cut = e->name_kind != CT_PYNAME_NONE && chars < e->name_chars;
}

static struct ct_pystack *py_thread(struct ct_model *m, struct ct_image *im, uint32_t tid)
{
	if (!im->pystack) {
		if (!mem_take(m, CT_PY_THREADS * sizeof(*im->pystack), false)) {
			drop_budget(m);
			return NULL;
		}
		im->pystack = calloc(CT_PY_THREADS, sizeof(*im->pystack));
		if (!im->pystack)
			return NULL;
	}
	for (int i = 0; i < CT_PY_THREADS; i++)
		if (im->pystack[i].tid == tid)
			return &im->pystack[i];
	/* a free slot, or one of a thread with no load open (it may be gone) */
	for (int i = 0; i < CT_PY_THREADS; i++)
		if (!im->pystack[i].tid || !im->pystack[i].depth) {
			im->pystack[i].tid = tid;
			im->pystack[i].depth = 0;
			return &im->pystack[i];
		}
	return NULL;
}

static void on_py(struct ct_model *m, const struct ct_py *e)
{
	struct ct_proc *p = live_proc(m, e->h.pid, e->h.ts);
	struct ct_image *im = ct_proc_image(p);
	struct ct_pystack *st;

	if (!p)
		return;
	if (!im && !(im = add_image(m, p)))
		return;
	if (!im->is_python) {
		const char *v = m->ops.bin_version ? m->ops.bin_version(m->ops.ctx, e->bin) : NULL;

		im->is_python = true;
		im->py_bin = e->bin;
		if (v)
			copy_str(im->py_version, sizeof(im->py_version), v, strlen(v) + 1);
	}
	st = py_thread(m, im, e->h.tid);
	if (!st) {
		m->unpaired++; /* more importing threads than kept */
		return;
	}
	/* The probes count the import calls open on the thread (e->depth): a
	 * load still open here at the same depth or deeper lost its end
	 * record (a full ring), and is left unfinished rather than taken for
	 * the parent of what follows. */
	while (e->depth && st->depth > 0 && st->depth <= CT_PY_STACK &&
	       st->level[st->depth - 1] >= e->depth + (e->what == CT_PYIMP_END ? 1u : 0u)) {
		st->depth--;
		m->unpaired++;
	}
	if (e->what == CT_PYIMP_START) {
		struct ct_pyimport *pi, *np;

		if (im->npyimports == im->pycap) {
			np = grow(m, im->pyimports, &im->pycap, im->npyimports, sizeof(*np), false);
			if (!np) {
				drop_budget(m);
				return;
			}
			im->pyimports = np;
		}
		pi = &im->pyimports[im->npyimports];
		memset(pi, 0, sizeof(*pi));
		py_name(pi, e);
		pi->start = e->h.ts;
		pi->tid = e->h.tid;
		pi->level = (uint32_t)st->depth;
		pi->parent = st->depth > 0 && st->depth <= CT_PY_STACK ? st->open[st->depth - 1] : -1;
		pi->c_start = e->c;
		if (st->depth < CT_PY_STACK) {
			st->open[st->depth] = (int32_t)im->npyimports;
			st->level[st->depth] = e->depth;
		}
		st->depth++;
		im->npyimports++;
	} else if (e->what == CT_PYIMP_END) {
		struct ct_pyimport *pi;

		if (st->depth <= 0 ||
		    (e->depth && st->depth <= CT_PY_STACK && st->level[st->depth - 1] != e->depth)) {
			m->unpaired++; /* its start was lost */
			return;
		}
		st->depth--;
		if (st->depth >= CT_PY_STACK)
			return;
		pi = &im->pyimports[st->open[st->depth]];
		pi->end = e->h.ts;
		pi->c_end = e->c;
		pi->end_seq = ++im->py_end_seq;
		if (pi->parent >= 0)
			im->pyimports[pi->parent].child_ns += ct_pyimport_cum(pi);
	} else {
		m->bad_events++;
	}
}

static void on_py_rec(struct ct_model *m, const void *data, size_t size)
{
	(void)size;
	on_py(m, data);
}

static void on_io_rec(struct ct_model *m, const void *data, size_t size)
{
	on_io(m, data, size);
}

static void on_listen_rec(struct ct_model *m, const void *data, size_t size)
{
	(void)size;
	on_listen(m, data);
}

static void on_sched_rec(struct ct_model *m, const void *data, size_t size)
{
	(void)size;
	on_sched(m, data);
}

static void on_open_rec(struct ct_model *m, const void *data, size_t size)
{
	(void)size;
	on_open(m, data);
}

static void on_fread_rec(struct ct_model *m, const void *data, size_t size)
{
	(void)size;
	on_fread(m, data);
}

static void on_pcache_rec(struct ct_model *m, const void *data, size_t size)
{
	(void)size;
	on_pcache(m, data);
}

static const struct ct_event_kind event_kinds[CT_EV_MAX] = {
	[CT_EV_EXEC] = {CT_EV_EXEC, sizeof(struct ct_exec), "exec", on_exec_rec},
	[CT_EV_FORK] = {CT_EV_FORK, sizeof(struct ct_fork), "fork", on_fork_rec},
	[CT_EV_EXIT] = {CT_EV_EXIT, sizeof(struct ct_exit), "exit", on_exit_rec},
	[CT_EV_GO] = {CT_EV_GO, sizeof(struct ct_go), "go", on_go_rec},
	/* the captured bytes that follow are checked against cap_len */
	[CT_EV_IO] = {CT_EV_IO, offsetof(struct ct_io, data), "io", on_io_rec},
	[CT_EV_LISTEN] = {CT_EV_LISTEN, sizeof(struct ct_listen), "listen", on_listen_rec},
	/* the tracer's own (it resumes held processes): not a model event */
	[CT_EV_RESUME] = {CT_EV_RESUME, sizeof(struct ct_resume), "resume", NULL},
	[CT_EV_SCHED] = {CT_EV_SCHED, sizeof(struct ct_sched), "sched", on_sched_rec},
	[CT_EV_OPEN] = {CT_EV_OPEN, sizeof(struct ct_open), "open", on_open_rec},
	[CT_EV_FREAD] = {CT_EV_FREAD, sizeof(struct ct_fread), "fread", on_fread_rec},
	[CT_EV_PCACHE] = {CT_EV_PCACHE, sizeof(struct ct_pcache), "pcache", on_pcache_rec},
	[CT_EV_PY] = {CT_EV_PY, sizeof(struct ct_py), "pyimport", on_py_rec},
};

const struct ct_event_kind *ct_event_kind(uint32_t type)
{
	if (type >= CT_EV_MAX || !event_kinds[type].name)
		return NULL;
	return &event_kinds[type];
}

const char *ct_event_name(uint32_t type)
{
	const struct ct_event_kind *k = ct_event_kind(type);

	return k ? k->name : "other";
}

uint64_t ct_model_lost_total(const struct ct_model *m)
{
	uint64_t n = 0;

	for (uint32_t t = 0; t < CT_EV_MAX; t++)
		n += m->lost[t];
	return n;
}

int ct_model_add_event(struct ct_model *m, const void *data, size_t size)
{
	const struct ct_hdr *h = data;
	const struct ct_event_kind *k;

	if (size < sizeof(*h)) {
		m->bad_events++;
		return -1;
	}
	k = ct_event_kind(h->type);
	if (!k || !k->handler || size < k->min_size) {
		m->bad_events++;
		return -1;
	}
	if (!m->first_ts || h->ts < m->first_ts)
		m->first_ts = h->ts;
	if (h->ts > m->last_ts)
		m->last_ts = h->ts;
	k->handler(m, data, size);
	return 0;
}

void ct_model_set_go(struct ct_model *m, uint32_t pid, uint32_t bin_id, const char *version,
		     const char *note)
{
	struct ct_image *im = ct_proc_image(ct_model_proc(m, pid));

	if (!im)
		return;
	if (version) {
		im->is_go = true;
		im->bin_id = bin_id;
		copy_str(im->go_version, sizeof(im->go_version), version, strlen(version) + 1);
	}
	if (note)
		ct_redact(im->go_note, sizeof(im->go_note), note, strlen(note), 0, NULL);
}

void ct_model_set_python(struct ct_model *m, uint32_t pid, uint32_t bin_id, const char *version,
			 const char *note)
{
	struct ct_image *im = ct_proc_image(ct_model_proc(m, pid));

	if (!im)
		return;
	im->is_python = true;
	im->py_bin = bin_id;
	if (version)
		copy_str(im->py_version, sizeof(im->py_version), version, strlen(version) + 1);
	if (note)
		ct_redact(im->py_note, sizeof(im->py_note), note, strlen(note), 0, NULL);
}

void ct_model_set_resumed(struct ct_model *m, uint32_t pid, uint64_t ts)
{
	struct ct_image *im = ct_proc_image(ct_model_proc(m, pid));

	if (im && im->exec_ts && ts > im->exec_ts)
		im->held_ns = ts - im->exec_ts;
}

uint64_t ct_image_run_ts(const struct ct_image *im)
{
	return im->exec_ts ? im->exec_ts + im->held_ns : 0;
}

uint64_t ct_image_last_init_end(const struct ct_image *im)
{
	uint64_t end = 0;

	for (size_t i = 0; i < im->npkgs; i++)
		if (im->pkgs[i].end > end)
			end = im->pkgs[i].end;
	return end;
}

uint64_t ct_image_init_total(const struct ct_image *im)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < im->npkgs; i++)
		if (im->pkgs[i].end > im->pkgs[i].start)
			sum += im->pkgs[i].end - im->pkgs[i].start;
	return sum;
}

/* ---- I/O: HTTP streams, log lines, listening sockets ---- */

struct ct_stream {
	uint32_t pid;
	uint8_t dir;
	bool is_log;
	uint64_t key; /* sock_id, or fd for stdout/stderr of any kind */
	uint32_t tid;  /* the last writer/reader */
	uint32_t fd;
	struct ct_endpoint ep;
	union {
		struct http_stream http;
		struct log_stream log;
	} u;
};

struct io_ctx {
	struct ct_model *m;
	struct ct_stream *st;
};

/* The streams table (hashmap.h): (pid, key, dir) -> struct ct_stream *. */
struct stream_key {
	uint32_t pid;
	uint8_t dir;
	uint64_t key;
};

#define STREAMS_MIN 128 /* streams the table's first allocation holds (256 slots) */

/*
 * The slot index is the low bits: the streams sit in the same slots as in
 * the table this map replaced, so they end in the same order at the end of
 * the trace (close_streams_of). Bit 63 is set so that no hash is 0, which
 * the map would store as 1, off the stream's slot.
 */
static uint64_t stream_hash(const struct stream_key *k)
{
	uint64_t h = k->key * 0x9e3779b97f4a7c15ull ^ ((uint64_t)k->pid << 1 | k->dir) * 0xff51afd7ed558ccdull;

	return (h ^ h >> 29) | 1ull << 63;
}

static bool stream_eq(const void *ctx, uintptr_t val, const void *key)
{
	const struct ct_stream *st = (const struct ct_stream *)val;
	const struct stream_key *k = key;

	(void)ctx;
	return st->pid == k->pid && st->key == k->key && st->dir == k->dir;
}

/* Room in the table for n streams, its growth taken from the budget first. */
static int streams_reserve(struct ct_model *m, size_t n)
{
	size_t ocap = m->streams.cap, ncap = ct_hmap_cap_for(n);
	uint64_t bytes;

	if (ncap <= ocap)
		return 0;
	bytes = (ncap - ocap) * sizeof(struct ct_hslot) + (ocap ? 0 : MEM_OVERHEAD);
	if (!mem_take(m, bytes, true))
		return -1;
	if (ct_hmap_reserve(&m->streams, n)) {
		mem_give(m, bytes);
		return -1;
	}
	return 0;
}

static size_t stream_size(bool is_log)
{
	return is_log ? offsetof(struct ct_stream, u) + sizeof(struct log_stream) : sizeof(struct ct_stream);
}

static struct ct_stream *get_stream(struct ct_model *m, const struct ct_io *e, bool is_log)
{
	struct stream_key k = {.pid = e->h.pid, .dir = (uint8_t)e->dir, .key = is_log ? e->fd : e->sock_id};
	uint64_t hash = stream_hash(&k);
	struct ct_hslot *slot;
	struct ct_stream *st;

	if (streams_reserve(m, STREAMS_MIN)) {
		drop_budget(m);
		return NULL;
	}
	/* not NULL: the table has slots and no probe limit */
	slot = ct_hmap_find(&m->streams, hash, &k, stream_eq, NULL);
	if (ct_hslot_used(slot))
		return (struct ct_stream *)slot->val;
	if (m->streams.n >= CT_MODEL_MAX_STREAMS) {
		m->dropped_records++;
		return NULL;
	}
	if (ct_hmap_cap_for(m->streams.n + 1) > m->streams.cap) {
		if (streams_reserve(m, m->streams.n + 1)) {
			drop_budget(m);
			return NULL;
		}
		slot = ct_hmap_find(&m->streams, hash, &k, stream_eq, NULL);
	}
	if (!mem_take(m, stream_size(is_log) + MEM_OVERHEAD, true)) {
		drop_budget(m);
		return NULL;
	}
	st = calloc(1, stream_size(is_log));
	if (!st) {
		mem_give(m, stream_size(is_log) + MEM_OVERHEAD);
		return NULL;
	}
	st->pid = k.pid;
	st->key = k.key;
	st->dir = k.dir;
	st->is_log = is_log;
	st->fd = e->fd;
	if (is_log)
		log_stream_init(&st->u.log, 0);
	else
		http_stream_init(&st->u.http, HTTP_EMIT_DESYNC);
	ct_hmap_fill(&m->streams, slot, hash, (uintptr_t)st);
	return st;
}

static void on_http_msg(void *vctx, const struct http_msg *msg)
{
	struct io_ctx *c = vctx;
	struct ct_model *m = c->m;
	char path[REDACTED_PATH_MAX], vals[HTTP_H_COUNT][REDACTED_VALUE_MAX];
	size_t vlen[HTTP_H_COUNT];
	struct ct_http *h;
	struct ct_http *na;
	size_t plen, need;
	bool cut = false;

	if (msg->kind == HTTP_DESYNC) {
		m->http_desyncs++;
		return;
	}
	if (msg->kind != HTTP_REQUEST && msg->kind != HTTP_RESPONSE)
		return;
	na = grow(m, m->http, &m->http_cap, m->nhttp, sizeof(*na), true);
	if (!na) {
		drop_budget(m);
		return;
	}
	m->http = na;
	/* The request target: query values out unless asked to keep them,
	 * secrets out in any case. */
	plen = 0;
	if (msg->path[0])
		plen = ct_redact(path, sizeof(path), msg->path, strnlen(msg->path, sizeof(msg->path)),
				 m->keep_query ? 0 : CT_REDACT_QUERY, &cut);
	need = plen ? plen + 1 + MEM_OVERHEAD : 0;
	for (int i = 0; i < HTTP_H_COUNT; i++) {
		vlen[i] = 0;
		if (!(msg->hdr_present & (1u << i)))
			continue;
		vlen[i] = ct_redact(vals[i], sizeof(vals[i]), msg->hdr[i], strnlen(msg->hdr[i], HTTP_VALUE_MAX),
				    0, NULL);
		need += vlen[i] + 1 + MEM_OVERHEAD;
	}
	if (!mem_take(m, need, true)) {
		drop_budget(m);
		return;
	}
	h = &m->http[m->nhttp++];
	memset(h, 0, sizeof(*h));
	h->ts = msg->ts_first;
	h->ts_head = msg->ts_head;
	h->pid = c->st->pid;
	h->tid = c->st->tid;
	h->dir = c->st->dir;
	h->kind = (uint8_t)msg->kind;
	h->method = (uint8_t)msg->method;
	h->api = (uint8_t)msg->api;
	h->status = msg->status;
	h->index = msg->index;
	h->flags = msg->flags | (cut ? HTTP_F_PATH_TRUNC : 0);
	h->body_len = msg->body_len;
	h->ep = c->st->ep;
	h->peer = -1;
	h->path = plen ? strndup(path, plen) : NULL;
	if (!h->path)
		h->path = no_path;
	ct_redact(h->api_id, sizeof(h->api_id), msg->api_id, strnlen(msg->api_id, sizeof(msg->api_id)), 0, NULL);
	ct_redact(h->reason, sizeof(h->reason), msg->reason, strnlen(msg->reason, sizeof(msg->reason)), 0, NULL);
	for (int i = 0; i < HTTP_H_COUNT; i++)
		if (msg->hdr_present & (1u << i))
			h->hdr[i] = strndup(vals[i], vlen[i]);
}

/* The kept copy d of a log line s, secrets out (redact.h). */
static void redact_log(struct log_event *d, const struct log_event *s)
{
	bool cut = false;

	d->line_len = ct_redact(d->line, sizeof(d->line), s->line, s->line_len, 0, &cut);
	if (cut)
		d->flags |= LOG_F_TRUNC;
#define R(f) ct_redact(d->f, sizeof(d->f), s->f, strnlen(s->f, sizeof(s->f)), 0, NULL)
	R(request_id);
	R(version);
	R(arn);
	R(init_type);
	R(phase);
	R(status);
	R(error_type);
	R(pkg);
#undef R
}

static void on_log_line(void *vctx, const struct log_event *ev)
{
	struct io_ctx *c = vctx;
	struct ct_model *m = c->m;
	struct ct_log *na, *l;

	if (ev->kind == LOG_NONE)
		return;
	na = grow(m, m->logs, &m->logs_cap, m->nlogs, sizeof(*na), true);
	if (!na || !mem_take(m, sizeof(*l->ev) + MEM_OVERHEAD, true)) {
		if (na)
			m->logs = na;
		drop_budget(m);
		return;
	}
	m->logs = na;
	l = &m->logs[m->nlogs];
	l->ev = malloc(sizeof(*l->ev));
	if (!l->ev) {
		mem_give(m, sizeof(*l->ev) + MEM_OVERHEAD);
		return;
	}
	*l->ev = *ev;
	redact_log(l->ev, ev);
	l->ts = ev->ts_first;
	l->pid = c->st->pid;
	l->tid = c->st->tid;
	l->fd = c->st->fd;
	m->nlogs++;
}

/* Is e on the connection the stream has followed so far (same ends)? */
static bool same_conn(const struct ct_endpoint *ep, const struct ct_io *e)
{
	return ep->family == e->family && ep->lport == e->lport && ep->rport == e->rport &&
	       !memcmp(ep->laddr, e->laddr, sizeof(ep->laddr)) && !memcmp(ep->raddr, e->raddr, sizeof(ep->raddr));
}

static void on_io(struct ct_model *m, const struct ct_io *e, size_t size)
{
	bool is_log = !(e->flags & CT_IO_SOCK) || e->family == AF_UNIX;
	size_t cap = e->cap_len;
	struct ct_stream *st;
	struct io_ctx c;

	live_proc(m, e->h.pid, e->h.ts);
	m->io_events++;
	m->io_bytes += e->len;
	if (cap > CT_MAX_CAPTURE || cap > e->len || offsetof(struct ct_io, data) + cap > size) {
		m->bad_events++;
		return;
	}
	m->io_bytes_lost += e->len - cap;
	st = get_stream(m, e, is_log);
	if (!st)
		return;
	c.m = m;
	c.st = st;
	if (!is_log && st->ep.family && !same_conn(&st->ep, e))
		/* a new connection on the address of a closed socket (the kernel
		 * reused it): the old connection's stream ended there */
		http_stream_finish(&st->u.http, e->h.ts, on_http_msg, &c);
	st->tid = e->h.tid;
	st->ep.family = (uint16_t)e->family;
	st->ep.lport = e->lport;
	st->ep.rport = e->rport;
	memcpy(st->ep.laddr, e->laddr, sizeof(st->ep.laddr));
	memcpy(st->ep.raddr, e->raddr, sizeof(st->ep.raddr));
	st->ep.sock_id = e->sock_id;
	if (is_log)
		log_stream_feed(&st->u.log, e->data, cap, e->len, e->h.ts, on_log_line, &c);
	else
		http_stream_feed(&st->u.http, e->data, cap, e->len, e->h.ts, on_http_msg, &c);
}

static void on_listen(struct ct_model *m, const struct ct_listen *e)
{
	struct ct_listen_rec *na, *l;

	live_proc(m, e->h.pid, e->h.ts);
	na = grow(m, m->listens, &m->listens_cap, m->nlistens, sizeof(*na), true);
	if (!na) {
		drop_budget(m);
		return;
	}
	m->listens = na;
	l = &m->listens[m->nlistens++];
	memset(l, 0, sizeof(*l));
	l->ts = e->h.ts;
	l->pid = e->h.pid;
	l->tid = e->h.tid;
	l->ep.family = (uint16_t)e->family;
	l->ep.lport = e->port;
	memcpy(l->ep.laddr, e->addr, sizeof(l->ep.laddr));
	l->ep.sock_id = e->sock_id;
}

/*
 * Free the parsers of one process (it exited) or all; with flush, first end
 * their streams: a log line without its newline is kept, and an HTTP head cut
 * by the end (the process's socket is gone) is kept flagged HTTP_F_INCOMPLETE
 * | HTTP_F_EOF and counted as a desync (http_stream_finish).
 */
static void streams_compact(struct ct_model *m);

static void close_streams_of(struct ct_model *m, uint32_t pid, bool all, bool flush)
{
	struct ct_hmap *t = &m->streams;
	bool removed = false;

	/* in slot order; a closed stream's slot keeps its hash, value 0, until
	 * the walk is over */
	for (size_t i = 0; i < t->cap; i++) {
		struct ct_stream *st = (struct ct_stream *)t->slot[i].val;
		struct io_ctx c = {.m = m, .st = st};

		if (!ct_hslot_used(&t->slot[i]) || (!all && st->pid != pid))
			continue;
		if (flush && st->is_log)
			log_stream_flush(&st->u.log, m->last_ts, on_log_line, &c);
		else if (flush)
			http_stream_finish(&st->u.http, m->last_ts, on_http_msg, &c);
		mem_give(m, stream_size(st->is_log) + MEM_OVERHEAD);
		free(st);
		t->slot[i].val = 0;
		removed = true;
	}
	if (removed && !all) /* all: drop_streams frees the table next */
		streams_compact(m);
}

/*
 * Take the closed streams (value 0) out of the table: the others go back in
 * slot order into a table of the same size, as in the table this map
 * replaced, so they keep its slots and their order at the end of the trace
 * (removing in place, ct_hmap_remove, can leave a probe run in another
 * order). Out of memory, they are removed in place.
 */
static void streams_compact(struct ct_model *m)
{
	struct ct_hmap *t = &m->streams, nt;

	ct_hmap_init(&nt, t->max_probe);
	if (!ct_hmap_reserve(&nt, t->cap / 2)) {
		for (size_t i = 0; i < t->cap; i++) {
			const struct ct_stream *st = (const struct ct_stream *)t->slot[i].val;
			struct stream_key k;

			if (!st)
				continue;
			k = (struct stream_key){.pid = st->pid, .dir = st->dir, .key = st->key};
			ct_hmap_fill(&nt, ct_hmap_find(&nt, t->slot[i].hash, &k, stream_eq, NULL), t->slot[i].hash,
				     t->slot[i].val);
		}
		ct_hmap_free(t);
		*t = nt;
		return;
	}
	for (size_t i = 0; i < t->cap;)
		if (ct_hslot_used(&t->slot[i]) && !t->slot[i].val)
			ct_hmap_remove(t, &t->slot[i]); /* another entry may move into slot i */
		else
			i++;
}

static void drop_streams(struct ct_model *m, bool flush)
{
	close_streams_of(m, 0, true, flush);
	if (m->streams.cap)
		mem_give(m, m->streams.cap * sizeof(struct ct_hslot) + MEM_OVERHEAD);
	ct_hmap_free(&m->streams);
}

/* Connection identity as the sender sees it (local -> remote). */
struct conn_key {
	uint16_t family;
	uint16_t sport, dport;
	uint8_t kind;
	uint8_t _pad;
	uint8_t saddr[16], daddr[16];
	uint32_t index;
};

static struct conn_key http_key(const struct ct_http *h)
{
	struct conn_key k;
	bool sent = h->dir == CT_IO_WRITE;

	memset(&k, 0, sizeof(k));
	k.family = h->ep.family;
	k.sport = sent ? h->ep.lport : h->ep.rport;
	k.dport = sent ? h->ep.rport : h->ep.lport;
	memcpy(k.saddr, sent ? h->ep.laddr : h->ep.raddr, 16);
	memcpy(k.daddr, sent ? h->ep.raddr : h->ep.laddr, 16);
	k.kind = h->kind;
	k.index = h->index;
	return k;
}

static const struct ct_model *g_pair_model; /* qsort has no context argument */

static int cmp_recv(const void *a, const void *b)
{
	struct conn_key x = http_key(&g_pair_model->http[*(const size_t *)a]);
	struct conn_key y = http_key(&g_pair_model->http[*(const size_t *)b]);

	return memcmp(&x, &y, sizeof(x));
}

static void pair_http(struct ct_model *m)
{
	size_t nrecv = 0, *recv;

	recv = malloc((m->nhttp + 1) * sizeof(*recv));
	if (!recv)
		return;
	for (size_t i = 0; i < m->nhttp; i++)
		if (m->http[i].dir == CT_IO_READ)
			recv[nrecv++] = i;
	g_pair_model = m;
	qsort(recv, nrecv, sizeof(*recv), cmp_recv);
	for (size_t i = 0; i < m->nhttp; i++) {
		struct conn_key k;
		size_t lo = 0, hi = nrecv;

		if (m->http[i].dir != CT_IO_WRITE || !m->http[i].ep.family)
			continue;
		k = http_key(&m->http[i]);
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			struct conn_key x = http_key(&m->http[recv[mid]]);
			int c = memcmp(&x, &k, sizeof(k));

			if (c == 0) {
				m->http[i].peer = (long)recv[mid];
				m->http[recv[mid]].peer = (long)i;
				break;
			}
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	g_pair_model = NULL;
	free(recv);
}

static int cmp_http_ts(const void *a, const void *b)
{
	const struct ct_http *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static int cmp_log_ts(const void *a, const void *b)
{
	const struct ct_log *x = a, *y = b;

	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

static int cmp_listen_ts(const void *a, const void *b)
{
	const struct ct_listen_rec *x = a, *y = b;

	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

/* qsort has no context argument */
static const char *g_sort_base;
static size_t g_sort_elem;
static int (*g_sort_cmp)(const void *, const void *);

static int cmp_index(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = g_sort_cmp(g_sort_base + x * g_sort_elem, g_sort_base + y * g_sort_elem);

	return c ? c : (x > y) - (x < y);
}

/*
 * A stable sort of n records in place that needs 8 bytes a record, not a
 * copy of the array (glibc's qsort allocates one for its merge sort: with
 * the budget spent on records, the peak would double).
 */
static void sort_records(void *base, size_t n, size_t elem, int (*cmp)(const void *, const void *))
{
	char *b = base, *tmp;
	size_t *idx;

	if (n < 2)
		return;
	idx = malloc(n * sizeof(*idx));
	tmp = malloc(elem);
	if (!idx || !tmp) {
		free(idx);
		free(tmp);
		qsort(base, n, elem, cmp);
		return;
	}
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	g_sort_base = b;
	g_sort_elem = elem;
	g_sort_cmp = cmp;
	qsort(idx, n, sizeof(*idx), cmp_index);
	/* record i of the result is idx[i] of the input: follow each cycle */
	for (size_t i = 0; i < n; i++) {
		size_t j = i, k;

		if (idx[i] == i)
			continue;
		memcpy(tmp, b + i * elem, elem);
		while ((k = idx[j]) != i) {
			memcpy(b + j * elem, b + k * elem, elem);
			idx[j] = j;
			j = k;
		}
		memcpy(b + j * elem, tmp, elem);
		idx[j] = j;
	}
	g_sort_base = NULL;
	free(tmp);
	free(idx);
}

static int cmp_tspan(const void *a, const void *b)
{
	const struct ct_tspan *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

static int cmp_fread_ts(const void *a, const void *b)
{
	const struct ct_fread_rec *x = a, *y = b;

	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

static int cmp_miss_ts(const void *a, const void *b)
{
	const struct ct_miss_rec *x = a, *y = b;

	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

/* qsort has no context argument */
static const struct ct_tspan *g_spans;

static int cmp_span_tid(const void *a, const void *b)
{
	const struct ct_tspan *x = &g_spans[*(const size_t *)a], *y = &g_spans[*(const size_t *)b];

	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return (x->end > y->end) - (x->end < y->end);
}

/* A package's time on a CPU from its thread's spans (struct ct_pkginit's
 * cpu_sched), where they cover it: idx holds the spans by (tid, start). */
static void pkg_cpu(const struct ct_model *m, const size_t *idx, uint32_t pid, struct ct_pkginit *pk)
{
	size_t lo = 0, hi = m->ntspans;
	uint64_t covered = 0, cpu = 0, at = pk->start;

	pk->cpu_sched = false;
	if (!pk->tid_start || pk->tid_start != pk->tid_end || pk->end <= pk->start)
		return;
	/* the first span of the thread that ends after the start */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct ct_tspan *s = &m->tspans[idx[mid]];

		if (s->tid < pk->tid_start || (s->tid == pk->tid_start && s->end <= pk->start))
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < m->ntspans; lo++) {
		const struct ct_tspan *s = &m->tspans[idx[lo]];
		uint64_t a, b;

		if (s->tid != pk->tid_start || s->start >= pk->end)
			break;
		if (s->pid != pid || s->end <= at)
			continue;
		a = s->start > at ? s->start : at;
		b = s->end < pk->end ? s->end : pk->end;
		if (s->start > at || b <= a)
			break; /* a hole: the spans do not cover the package */
		covered += b - a;
		if (s->state == CT_TS_RUNNING)
			cpu += b - a;
		at = b;
	}
	if (covered == pk->end - pk->start) {
		pk->cpu_sched = true;
		pk->cpu_sched_ns = cpu;
	}
}

static void pkgs_cpu(struct ct_model *m)
{
	size_t *idx;

	if (!m->ntspans)
		return;
	idx = malloc(m->ntspans * sizeof(*idx));
	if (!idx)
		return;
	for (size_t i = 0; i < m->ntspans; i++)
		idx[i] = i;
	g_spans = m->tspans;
	qsort(idx, m->ntspans, sizeof(*idx), cmp_span_tid);
	g_spans = NULL;
	for (size_t i = 0; i < m->nprocs; i++)
		for (size_t j = 0; j < m->procs[i].nimages; j++)
			for (size_t k = 0; k < m->procs[i].images[j].npkgs; k++)
				pkg_cpu(m, idx, m->procs[i].pid, &m->procs[i].images[j].pkgs[k]);
	free(idx);
}

/* Page-cache misses of an exec'd file in its process before the exec record:
 * the kernel reading the binary inside execve (struct ct_image). */
static void exec_misses(struct ct_model *m)
{
	for (size_t i = 0; i < m->nmisses; i++) {
		const struct ct_miss_rec *r = &m->misses[i];
		struct ct_proc *p = ct_model_proc(m, r->pid);
		uint64_t after;

		if (!p)
			continue;
		after = p->start_ts;
		for (size_t j = 0; j < p->nimages; j++) {
			struct ct_image *im = &p->images[j];

			if (im->exec_ts && r->ts > after && r->ts <= im->exec_ts && im->dev == r->dev &&
			    im->ino == r->ino) {
				im->exec_miss_pages += r->pages;
				if (!im->exec_miss_first || r->ts < im->exec_miss_first)
					im->exec_miss_first = r->ts;
				break;
			}
			if (im->exec_ts)
				after = im->exec_ts;
		}
	}
}

void ct_model_finish(struct ct_model *m)
{
	drop_streams(m, true);
	finish_threads(m);
	sort_records(m->tspans, m->ntspans, sizeof(*m->tspans), cmp_tspan);
	sort_records(m->freads, m->nfreads, sizeof(*m->freads), cmp_fread_ts);
	sort_records(m->misses, m->nmisses, sizeof(*m->misses), cmp_miss_ts);
	exec_misses(m);
	pkgs_cpu(m);
	sort_records(m->http, m->nhttp, sizeof(*m->http), cmp_http_ts);
	sort_records(m->logs, m->nlogs, sizeof(*m->logs), cmp_log_ts);
	sort_records(m->listens, m->nlistens, sizeof(*m->listens), cmp_listen_ts);
	pair_http(m);
}

void ct_endpoint_str(const struct ct_endpoint *ep, bool local, char *buf, size_t len)
{
	const uint8_t *a = local ? ep->laddr : ep->raddr;
	unsigned port = local ? ep->lport : ep->rport;
	char ip[INET6_ADDRSTRLEN];

	if (ep->family == AF_INET && inet_ntop(AF_INET, a, ip, sizeof(ip)))
		snprintf(buf, len, "%s:%u", ip, port);
	else if (ep->family == AF_INET6 && inet_ntop(AF_INET6, a, ip, sizeof(ip)))
		snprintf(buf, len, "[%s]:%u", ip, port);
	else if (ep->family == AF_UNIX)
		snprintf(buf, len, "unix");
	else
		snprintf(buf, len, "-");
}
