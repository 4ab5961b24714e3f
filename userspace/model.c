// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdlib.h>
#include <string.h>

#include "model.h"

void ct_model_init(struct ct_model *m, const struct ct_model_ops *ops)
{
	memset(m, 0, sizeof(*m));
	if (ops)
		m->ops = *ops;
}

static void image_free(struct ct_image *im)
{
	free(im->argv);
	free(im->pkgs);
}

void ct_model_free(struct ct_model *m)
{
	for (size_t i = 0; i < m->nprocs; i++) {
		for (size_t j = 0; j < m->procs[i].nimages; j++)
			image_free(&m->procs[i].images[j]);
		free(m->procs[i].images);
	}
	free(m->procs);
	free(m->index);
	memset(m, 0, sizeof(*m));
}

static size_t pid_slot(uint32_t pid, size_t cap)
{
	return (size_t)(pid * 2654435761u) & (cap - 1);
}

static int index_put(struct ct_model *m, uint32_t pid, size_t idx);

static int index_grow(struct ct_model *m)
{
	size_t ncap = m->index_cap ? m->index_cap * 2 : 1024;
	uint32_t *old = m->index;
	size_t ocap = m->index_cap;

	m->index = calloc(ncap, sizeof(*m->index));
	if (!m->index) {
		m->index = old;
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

struct ct_proc *ct_model_proc(struct ct_model *m, uint32_t pid)
{
	if (!m->index_cap)
		return NULL;
	for (size_t s = pid_slot(pid, m->index_cap);; s = (s + 1) & (m->index_cap - 1)) {
		if (!m->index[s])
			return NULL;
		if (m->procs[m->index[s] - 1].pid == pid)
			return &m->procs[m->index[s] - 1];
	}
}

static struct ct_image *add_image(struct ct_proc *p)
{
	struct ct_image *ni = realloc(p->images, (p->nimages + 1) * sizeof(*ni));

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
		size_t ncap = m->cap ? m->cap * 2 : 64;
		struct ct_proc *np = realloc(m->procs, ncap * sizeof(*np));

		if (!np)
			return NULL;
		m->procs = np;
		m->cap = ncap;
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
		struct ct_image *im = add_image(p);

		if (im) {
			memcpy(im->path, inherit->path, sizeof(im->path));
			memcpy(im->comm, inherit->comm, sizeof(im->comm));
			im->dev = inherit->dev;
			im->ino = inherit->ino;
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

/* The live record for pid, created if the process is new to us. */
static struct ct_proc *live_proc(struct ct_model *m, uint32_t pid, uint64_t ts)
{
	struct ct_proc *p = ct_model_proc(m, pid);

	if (!p || p->exited)
		p = new_proc(m, pid, 0, ts);
	return p;
}

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
	struct ct_image *im;
	size_t n;

	if (!p)
		return;
	if (!p->ppid)
		p->ppid = e->ppid;
	p->nspid = e->h.nspid;
	im = add_image(p);
	if (!im)
		return;
	im->exec_ts = e->h.ts;
	im->dev = e->dev;
	im->ino = e->ino;
	copy_str(im->path, sizeof(im->path), e->path, sizeof(e->path));
	copy_str(im->comm, sizeof(im->comm), e->comm, sizeof(e->comm));
	n = e->args_len < sizeof(e->args) ? e->args_len : sizeof(e->args);
	im->argv = malloc(n + 1);
	if (im->argv) {
		memcpy(im->argv, e->args, n);
		im->argv[n] = 0;
		/* drop the trailing NUL of the last argument */
		while (n && im->argv[n - 1] == 0)
			n--;
		im->argv_len = n;
	}
	im->argv_truncated = e->args_truncated;
}

static void on_exit_ev(struct ct_model *m, const struct ct_exit *e)
{
	struct ct_proc *p = live_proc(m, e->h.pid, e->h.ts);

	if (!p)
		return;
	p->exited = true;
	p->exit_ts = e->h.ts;
	p->exit_status = e->code;
	if (!p->nspid)
		p->nspid = e->h.nspid;
}

static struct ct_pkginit *new_pkg(struct ct_image *im, const char *pkg, uint64_t ts)
{
	struct ct_pkginit *pk;

	if (im->npkgs == im->cap) {
		size_t ncap = im->cap ? im->cap * 2 : 64;
		struct ct_pkginit *np = realloc(im->pkgs, ncap * sizeof(*np));

		if (!np)
			return NULL;
		im->pkgs = np;
		im->cap = ncap;
	}
	pk = &im->pkgs[im->npkgs++];
	memset(pk, 0, sizeof(*pk));
	copy_str(pk->pkg, sizeof(pk->pkg), pkg, strlen(pkg) + 1);
	pk->start = ts;
	return pk;
}

static void on_go(struct ct_model *m, const struct ct_go *e)
{
	struct ct_proc *p = live_proc(m, e->h.pid, e->h.ts);
	struct ct_image *im = ct_proc_image(p);
	uint32_t bin = CT_COOKIE_BIN(e->cookie);

	if (!p)
		return;
	if (!im && !(im = add_image(p)))
		return;
	if (!im->is_go) {
		const char *v = m->ops.bin_version ? m->ops.bin_version(m->ops.ctx, bin) : NULL;

		im->is_go = true;
		im->bin_id = bin;
		if (v)
			copy_str(im->go_version, sizeof(im->go_version), v, strlen(v) + 1);
	}
	im->go_events++;

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
			break;
		}
		pk = new_pkg(im, pkg ? pkg : "?", e->h.ts);
		if (!pk)
			return;
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
			pk = new_pkg(im, pkg, e->h.ts);
			if (!pk)
				return;
			idx = (int)(pk - im->pkgs);
		}
		pk->nfns++;
		if (im->depth < CT_INIT_STACK)
			im->stack[im->depth] = idx;
		im->depth++;
		im->last_closed = -1;
		break;
	}
	case CT_GO_INITRET:
		if (im->task_mode) {
			if (im->cur < 0) {
				m->unpaired++;
				break;
			}
			im->pkgs[im->cur].end = e->h.ts;
			im->pkgs[im->cur].nfns++;
			im->cur_returned = true;
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
			im->last_closed = idx;
		}
		break;
	default:
		m->bad_events++;
	}
}

int ct_model_add_event(struct ct_model *m, const void *data, size_t size)
{
	const struct ct_hdr *h = data;
	size_t need;

	if (size < sizeof(*h)) {
		m->bad_events++;
		return -1;
	}
	switch (h->type) {
	case CT_EV_EXEC: need = sizeof(struct ct_exec); break;
	case CT_EV_FORK: need = sizeof(struct ct_fork); break;
	case CT_EV_EXIT: need = sizeof(struct ct_exit); break;
	case CT_EV_GO: need = sizeof(struct ct_go); break;
	default:
		m->bad_events++;
		return -1;
	}
	if (size < need) {
		m->bad_events++;
		return -1;
	}
	if (!m->first_ts || h->ts < m->first_ts)
		m->first_ts = h->ts;
	if (h->ts > m->last_ts)
		m->last_ts = h->ts;
	switch (h->type) {
	case CT_EV_EXEC: on_exec(m, data); break;
	case CT_EV_FORK: on_fork(m, data); break;
	case CT_EV_EXIT: on_exit_ev(m, data); break;
	case CT_EV_GO: on_go(m, data); break;
	}
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
		copy_str(im->go_note, sizeof(im->go_note), note, strlen(note) + 1);
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
