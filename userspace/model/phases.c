// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The cold-start timeline of each sandbox in a model (see phases.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "phases.h"

#define MAX_DEPTH 64 /* ppid links followed, at most */

static const struct {
	const char *name, *key;
} ms_names[CT_MS_COUNT] = {
	[CT_MS_AGENT_EXEC] = {"agent exec", "agent_exec"},
	[CT_MS_AGENT_RT_START] = {"agent Go runtime start", "agent_go_runtime"},
	[CT_MS_AGENT_INITS] = {"agent package inits done", "agent_inits_done"},
	[CT_MS_AGENT_MAIN] = {"agent main.main", "agent_main"},
	[CT_MS_AGENT_READY] = {"Runtime API listening", "agent_ready"},
	[CT_MS_INIT_START] = {"INIT_START", "init_start"},
	[CT_MS_RUNTIME_EXEC] = {"runtime exec", "runtime_exec"},
	[CT_MS_RUNTIME_RT_START] = {"runtime Go runtime start", "runtime_go_runtime"},
	[CT_MS_RUNTIME_INITS] = {"runtime package inits done", "runtime_inits_done"},
	[CT_MS_RUNTIME_MAIN] = {"runtime main.main", "runtime_main"},
	[CT_MS_FIRST_NEXT] = {"first /next", "first_next"},
	[CT_MS_INIT_REPORT] = {"INIT REPORT", "init_report"},
	[CT_MS_INVOKE] = {"invocation delivered", "invocation"},
	[CT_MS_RESPONSE] = {"response posted", "response"},
	[CT_MS_END] = {"END", "end"},
	[CT_MS_REPORT] = {"REPORT", "report"},
	[CT_MS_RUNTIME_EXIT] = {"runtime exit", "runtime_exit"},
	[CT_MS_AGENT_EXIT] = {"agent exit", "agent_exit"},
};

static const struct {
	const char *name, *key;
	enum ct_ms from, to;
	bool in_sum;
	int depth;
} ph_defs[CT_PH_COUNT] = {
	[CT_PH_TOTAL] = {"cold start", "total", CT_MS_AGENT_EXEC, CT_MS_RESPONSE, false, 0},
	[CT_PH_AGENT_INIT] = {"agent init", "agent_init", CT_MS_AGENT_EXEC, CT_MS_AGENT_READY, true, 1},
	[CT_PH_AGENT_GO] = {"agent Go init", "agent_go_init", CT_MS_AGENT_RT_START, CT_MS_AGENT_MAIN, false, 2},
	[CT_PH_WAIT_INIT] = {"ready -> INIT_START", "ready_to_init_start", CT_MS_AGENT_READY, CT_MS_INIT_START, true, 1},
	[CT_PH_RUNTIME_START] = {"runtime start", "runtime_start", CT_MS_INIT_START, CT_MS_RUNTIME_EXEC, true, 1},
	[CT_PH_FUNC_INIT] = {"function init", "function_init", CT_MS_RUNTIME_EXEC, CT_MS_FIRST_NEXT, true, 1},
	[CT_PH_RUNTIME_GO] = {"runtime Go init", "runtime_go_init", CT_MS_RUNTIME_RT_START, CT_MS_RUNTIME_MAIN, false, 2},
	[CT_PH_FUNC_INIT_AGENT] = {"INIT_START -> /next", "init_start_to_next", CT_MS_INIT_START, CT_MS_FIRST_NEXT, false, 2},
	[CT_PH_DELIVER] = {"invocation delivery", "delivery", CT_MS_FIRST_NEXT, CT_MS_INVOKE, true, 1},
	[CT_PH_INVOKE] = {"first invoke", "first_invoke", CT_MS_INVOKE, CT_MS_RESPONSE, true, 1},
};

const char *ct_ms_name(enum ct_ms ms)
{
	return (unsigned)ms < CT_MS_COUNT ? ms_names[ms].name : "?";
}

const char *ct_ms_key(enum ct_ms ms)
{
	return (unsigned)ms < CT_MS_COUNT ? ms_names[ms].key : "unknown";
}

const char *ct_phase_name(enum ct_phase_id ph)
{
	return (unsigned)ph < CT_PH_COUNT ? ph_defs[ph].name : "?";
}

const char *ct_phase_key(enum ct_phase_id ph)
{
	return (unsigned)ph < CT_PH_COUNT ? ph_defs[ph].key : "unknown";
}

bool ct_phase_applies(const struct ct_timeline *tl, const struct ct_phase *ph)
{
	return tl->ms[ph->from].state != CT_MS_NA && tl->ms[ph->to].state != CT_MS_NA;
}

static const struct ct_proc *proc_of(const struct ct_model *m, uint32_t pid)
{
	return pid ? ct_model_proc((struct ct_model *)m, pid) : NULL;
}

void ct_proc_label(const struct ct_proc *p, char *buf, size_t len)
{
	const struct ct_image *im = NULL;

	if (!p) {
		snprintf(buf, len, "?");
		return;
	}
	for (size_t i = p->nimages; i-- > 0;)
		if (p->images[i].path[0] || p->images[i].comm[0]) {
			im = &p->images[i];
			break;
		}
	if (im && im->path[0]) {
		const char *b = strrchr(im->path, '/');

		snprintf(buf, len, "%s", b && b[1] ? b + 1 : im->path);
	} else if (im) {
		snprintf(buf, len, "%s", im->comm);
	} else {
		snprintf(buf, len, "pid %u", p->pid);
	}
}

/* Is p (or an ancestor of p, up to MAX_DEPTH links) the process anc? */
static bool descends_from(const struct ct_model *m, const struct ct_proc *p, const struct ct_proc *anc)
{
	for (int d = 0; p && d < MAX_DEPTH; d++) {
		if (p == anc)
			return true;
		if (!p->ppid || p->ppid == p->pid)
			return false;
		p = proc_of(m, p->ppid);
	}
	return false;
}

static int by_start(const void *a, const void *b)
{
	const struct ct_proc *x = *(const struct ct_proc *const *)a;
	const struct ct_proc *y = *(const struct ct_proc *const *)b;

	if (x->start_ts != y->start_ts)
		return x->start_ts < y->start_ts ? -1 : 1;
	return x < y ? -1 : x > y;
}

size_t ct_timeline_procs(const struct ct_model *m, const struct ct_timeline *tl,
			 const struct ct_proc ***procs)
{
	const struct ct_proc *root = tl->agent ? tl->agent : tl->runtime;
	const struct ct_proc **v;
	size_t n = 0;

	*procs = NULL;
	if (!root || !m->nprocs)
		return 0;
	v = malloc(m->nprocs * sizeof(*v));
	if (!v)
		return 0;
	for (size_t i = 0; i < m->nprocs; i++) {
		const struct ct_proc *p = &m->procs[i];

		if (p->start_ts < root->start_ts && p != root)
			continue; /* an older process that had a reused pid */
		if (descends_from(m, p, root))
			v[n++] = p;
	}
	qsort(v, n, sizeof(*v), by_start);
	*procs = v;
	return n;
}

/* ---- finding the records ---- */

static bool is_rt_api_request(const struct ct_http *h)
{
	return h->kind == HTTP_REQUEST &&
	       (h->api == LAMBDA_API_NEXT || h->api == LAMBDA_API_RESPONSE ||
		h->api == LAMBDA_API_ERROR || h->api == LAMBDA_API_INIT_ERROR);
}

/* The process listening on port (the newest listen at or before ts). */
static uint32_t listener_of(const struct ct_model *m, uint16_t port, uint64_t ts)
{
	uint32_t pid = 0;

	for (size_t i = 0; i < m->nlistens; i++) {
		const struct ct_listen_rec *l = &m->listens[i];

		if (l->ep.lport != port)
			continue;
		if (l->ts > ts && pid)
			break;
		pid = l->pid;
	}
	return pid;
}

/* The agent side of a Runtime API request h: its pid, and the port. */
static uint32_t agent_of(const struct ct_model *m, const struct ct_http *h, uint16_t *port,
			 bool *from_listener)
{
	*from_listener = false;
	if (h->dir == CT_IO_READ) {
		*port = h->ep.lport;
		return h->pid;
	}
	*port = h->ep.rport;
	if (h->peer >= 0)
		return m->http[h->peer].pid;
	*from_listener = true;
	return listener_of(m, h->ep.rport, h->ts);
}

struct cand {
	uint32_t pid;
	uint16_t port; /* when pid is 0: the Runtime API port of an untraced agent */
	bool from_listener;
	uint64_t order;
};

static bool has_listen(const struct ct_model *m, uint32_t pid)
{
	for (size_t i = 0; i < m->nlistens; i++)
		if (m->listens[i].pid == pid)
			return true;
	return false;
}

static int add_cand(struct cand **v, size_t *n, size_t *cap, uint32_t pid, uint16_t port, bool fl)
{
	for (size_t i = 0; i < *n; i++)
		if ((*v)[i].pid == pid && (pid || (*v)[i].port == port))
			return 0;
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 8;
		struct cand *nv = realloc(*v, nc * sizeof(*nv));

		if (!nv)
			return -1;
		*v = nv;
		*cap = nc;
	}
	(*v)[(*n)++] = (struct cand){.pid = pid, .port = port, .from_listener = fl};
	return 0;
}

static int by_order(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	return x->order < y->order ? -1 : x->order > y->order;
}

static void seen(struct ct_timeline *tl, enum ct_ms ms, uint64_t ts, uint32_t pid)
{
	if (!ts)
		return;
	tl->ms[ms].state = CT_MS_SEEN;
	tl->ms[ms].ts = ts;
	tl->ms[ms].pid = pid;
}

static void na(struct ct_timeline *tl, enum ct_ms ms)
{
	if (tl->ms[ms].state != CT_MS_SEEN)
		tl->ms[ms].state = CT_MS_NA;
}

/* Does the Runtime API request h involve this timeline's agent? */
static bool to_agent(const struct ct_model *m, const struct ct_timeline *tl, const struct ct_http *h)
{
	uint16_t port;
	bool fl;
	uint32_t a = agent_of(m, h, &port, &fl);

	if (tl->agent_pid)
		return a == tl->agent_pid;
	return !a && h->dir == CT_IO_WRITE && port == tl->api_port;
}

/* Go milestones of an image. */
static void go_milestones(struct ct_timeline *tl, const struct ct_image *im, uint32_t pid,
			  enum ct_ms rt, enum ct_ms inits, enum ct_ms mainm)
{
	if (!im || !im->is_go) {
		na(tl, rt);
		na(tl, inits);
		na(tl, mainm);
		return;
	}
	seen(tl, rt, im->rt_start, pid);
	if (im->npkgs)
		seen(tl, inits, ct_image_last_init_end(im), pid);
	else
		na(tl, inits);
	seen(tl, mainm, im->main_main, pid);
}

static const char *hdr_of(const struct ct_model *m, const struct ct_http *h, enum http_hdr k)
{
	if (h->hdr[k])
		return h->hdr[k];
	if (h->peer >= 0 && m->http[h->peer].hdr[k])
		return m->http[h->peer].hdr[k];
	return NULL;
}

/* ---- coldtrace's holds (stopped after exec to attach probes) ---- */

struct span {
	uint64_t a, b;
};

static int by_a(const void *x, const void *y)
{
	const struct span *p = x, *q = y;

	return p->a < q->a ? -1 : p->a > q->a;
}

static uint64_t overlap(const struct span *s, size_t n, uint64_t a, uint64_t b)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t lo = s[i].a > a ? s[i].a : a, hi = s[i].b < b ? s[i].b : b;

		if (hi > lo)
			sum += hi - lo;
	}
	return sum;
}

static void holds(const struct ct_model *m, struct ct_timeline *tl)
{
	const struct ct_proc **procs;
	size_t np = ct_timeline_procs(m, tl, &procs), n = 0, cap = 0, k = 0;
	struct span *s = NULL;

	for (size_t i = 0; i < np; i++)
		for (size_t j = 0; j < procs[i]->nimages; j++) {
			const struct ct_image *im = &procs[i]->images[j];

			if (!im->exec_ts || !im->held_ns)
				continue;
			if (n == cap) {
				size_t nc = cap ? cap * 2 : 16;
				struct span *ns = realloc(s, nc * sizeof(*ns));

				if (!ns)
					goto out;
				s = ns;
				cap = nc;
			}
			s[n++] = (struct span){im->exec_ts, im->exec_ts + im->held_ns};
		}
	if (!n)
		goto out;
	qsort(s, n, sizeof(*s), by_a);
	for (size_t i = 1; i < n; i++) { /* merge into a union */
		if (s[i].a <= s[k].b) {
			if (s[i].b > s[k].b)
				s[k].b = s[i].b;
		} else {
			s[++k] = s[i];
		}
	}
	n = k + 1;
	for (int p = 0; p < CT_PH_COUNT; p++)
		if (tl->ph[p].complete)
			tl->ph[p].held_ns = overlap(s, n, tl->ph[p].start, tl->ph[p].end);
	if (tl->t_end > tl->t0)
		tl->held_ns = overlap(s, n, tl->t0, tl->t_end);
out:
	free(s);
	free(procs);
}

/* ---- one timeline ---- */

static void status_text(const struct ct_proc *p, char *buf, size_t len)
{
	if (WIFSIGNALED(p->exit_status))
		snprintf(buf, len, "was killed by signal %d", WTERMSIG(p->exit_status));
	else
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(p->exit_status));
}

static void build_note(const struct ct_model *m, struct ct_timeline *tl)
{
	char lab[64], st[48];
	size_t o = 0;
	const size_t len = sizeof(tl->note);

	tl->note[0] = 0;
#define NOTE(...)                                                                  \
	do {                                                                       \
		if (o < len) {                                                     \
			int w_ = snprintf(tl->note + o, len - o, __VA_ARGS__);     \
			o += w_ > 0 ? (size_t)w_ : 0;                              \
		}                                                                  \
	} while (0)
	if (!tl->agent)
		NOTE("the agent (Runtime API port %u) was not traced", tl->api_port);
	else if (tl->ms[CT_MS_FIRST_NEXT].state != CT_MS_SEEN) {
		if (!tl->runtime) {
			NOTE("no runtime process was found");
		} else {
			ct_proc_label(tl->runtime, lab, sizeof(lab));
			if (tl->runtime->exited) {
				status_text(tl->runtime, st, sizeof(st));
				NOTE("the runtime (pid %u, %s) %s", tl->runtime_pid, lab, st);
				if (tl->ms[CT_MS_RUNTIME_EXEC].state == CT_MS_SEEN &&
				    tl->runtime->exit_ts >= tl->ms[CT_MS_RUNTIME_EXEC].ts)
					NOTE(", %.3f ms after its exec",
					     (double)(tl->runtime->exit_ts - tl->ms[CT_MS_RUNTIME_EXEC].ts) / 1e6);
				NOTE(", before asking for its first invocation (GET /next)");
			} else {
				NOTE("the runtime (pid %u, %s) never asked for an invocation (GET /next)",
				     tl->runtime_pid, lab);
			}
		}
	} else if (tl->ms[CT_MS_INVOKE].state != CT_MS_SEEN) {
		if (tl->invoke_http >= 0)
			NOTE("the agent answered the first /next with status %d and no request id",
			     m->http[tl->invoke_http].status);
		else
			NOTE("the agent's answer to the first /next was not seen");
	} else if (tl->ms[CT_MS_RESPONSE].state != CT_MS_SEEN) {
		NOTE("no POST /response or /error was seen for request %s", tl->request_id);
	}
	if (tl->answered_error)
		NOTE("%sthe function answered with /error", o ? "; " : "");
	if (!strcmp(tl->init_status, "error"))
		NOTE("%sthe agent logged INIT RTDONE(status: error)", o ? "; " : "");
#undef NOTE
}

static void build_one(const struct ct_model *m, const struct cand *c, struct ct_timeline *tl)
{
	const struct ct_http *next_r = NULL, *next_w = NULL, *req = NULL, *resp = NULL;
	uint64_t exec_ts = 0, init_ts = 0, after;
	const struct ct_proc *sender = NULL;

	memset(tl, 0, sizeof(*tl));
	tl->next_http = tl->invoke_http = tl->response_http = -1;
	tl->init_start_log = tl->init_report_log = tl->end_log = tl->report_log = -1;
	tl->agent_pid = c->pid;
	tl->agent = proc_of(m, c->pid);
	tl->agent_from_listener = c->from_listener;
	tl->api_port = c->port;

	/* The first Runtime API request to this agent, and the first /next. */
	for (size_t i = 0; i < m->nhttp; i++) {
		const struct ct_http *h = &m->http[i];

		if (!is_rt_api_request(h) || !to_agent(m, tl, h))
			continue;
		if (!req)
			req = h;
		if (h->api == LAMBDA_API_NEXT) {
			if (h->dir == CT_IO_READ) {
				next_r = h;
				next_w = h->peer >= 0 ? &m->http[h->peer] : NULL;
			} else {
				next_w = h;
				next_r = h->peer >= 0 ? &m->http[h->peer] : NULL;
			}
			break;
		}
	}
	if (next_r || next_w)
		tl->api_port = next_r ? next_r->ep.lport : next_w->ep.rport;
	else if (req)
		tl->api_port = req->dir == CT_IO_READ ? req->ep.lport : req->ep.rport;

	/* The agent: its image at the time, exec, Go milestones. */
	if (tl->agent) {
		uint64_t ref = next_r ? next_r->ts : next_w ? next_w->ts : UINT64_MAX;

		for (size_t j = 0; j < tl->agent->nimages; j++) {
			const struct ct_image *im = &tl->agent->images[j];

			if (im->exec_ts && im->exec_ts <= ref)
				tl->agent_image = im;
		}
		if (!tl->agent_image && tl->agent->nimages)
			tl->agent_image = &tl->agent->images[tl->agent->nimages - 1];
		if (tl->agent_image)
			exec_ts = tl->agent_image->exec_ts;
		seen(tl, CT_MS_AGENT_EXEC, exec_ts, tl->agent_pid);
	}
	go_milestones(tl, tl->agent_image, tl->agent_pid, CT_MS_AGENT_RT_START, CT_MS_AGENT_INITS,
		      CT_MS_AGENT_MAIN);

	/* Ready: its listen() on the Runtime API port; without a port, the
	 * first port it listens on that no invoke came in on. */
	for (size_t i = 0; tl->agent_pid && i < m->nlistens; i++) {
		const struct ct_listen_rec *l = &m->listens[i];
		bool invoke_port = false;

		if (l->pid != tl->agent_pid || l->ts < exec_ts)
			continue;
		if (tl->api_port) {
			if (l->ep.lport != tl->api_port)
				continue;
		} else {
			for (size_t k = 0; k < m->nhttp && !invoke_port; k++)
				invoke_port = m->http[k].pid == tl->agent_pid && m->http[k].dir == CT_IO_READ &&
					      m->http[k].kind == HTTP_REQUEST && !is_rt_api_request(&m->http[k]) &&
					      m->http[k].ep.lport == l->ep.lport;
			if (invoke_port)
				continue;
			tl->api_port = l->ep.lport;
		}
		seen(tl, CT_MS_AGENT_READY, l->ts, l->pid);
		break;
	}

	/* INIT_START: the agent's first INIT_START or INIT START line after its
	 * exec (and before the first /next when there is one). */
	after = exec_ts;
	for (size_t i = 0; tl->agent_pid && i < m->nlogs; i++) {
		const struct ct_log *l = &m->logs[i];
		uint64_t lim = next_w ? next_w->ts : next_r ? next_r->ts : UINT64_MAX;

		if (l->pid != tl->agent_pid || l->ts < after || l->ts > lim)
			continue;
		if (l->ev->kind == LOG_INIT_START || l->ev->kind == LOG_RIE_INIT_START) {
			tl->init_start_log = (long)i;
			seen(tl, CT_MS_INIT_START, l->ts, l->pid);
			init_ts = l->ts;
			break;
		}
	}
	/* The agent's own figures: the first RTDONE and INIT REPORT after it. */
	after = init_ts ? init_ts : exec_ts;
	for (size_t i = 0; tl->agent_pid && i < m->nlogs; i++) {
		const struct ct_log *l = &m->logs[i];

		if (l->pid != tl->agent_pid || l->ts < after)
			continue;
		if (l->ev->kind == LOG_INIT_RTDONE && !tl->init_status[0] && (l->ev->have & LOG_HAVE_STATUS))
			snprintf(tl->init_status, sizeof(tl->init_status), "%s", l->ev->status);
		if (l->ev->kind == LOG_INIT_REPORT && tl->init_report_log < 0) {
			tl->init_report_log = (long)i;
			seen(tl, CT_MS_INIT_REPORT, l->ts, l->pid);
			if (l->ev->have & LOG_HAVE_DURATION) {
				tl->have_init_report = true;
				tl->init_report_ms = l->ev->duration_ms;
			}
			if (!tl->init_status[0] && (l->ev->have & LOG_HAVE_STATUS))
				snprintf(tl->init_status, sizeof(tl->init_status), "%s", l->ev->status);
		}
		if (tl->init_report_log >= 0 && tl->init_status[0])
			break;
	}
	if (tl->ms[CT_MS_INIT_REPORT].state != CT_MS_SEEN)
		na(tl, CT_MS_INIT_REPORT); /* AWS only prints it in some cases */

	/* The runtime: the agent's child the request's sender descends from. */
	if (next_w || (req && req->dir == CT_IO_WRITE)) {
		const struct ct_http *w = next_w ? next_w : req;

		tl->sender_pid = w->pid;
		sender = proc_of(m, w->pid);
		tl->runtime = sender;
		if (tl->agent) {
			const struct ct_proc *p = sender;

			for (int d = 0; p && d < MAX_DEPTH; d++) {
				if (p->ppid == tl->agent_pid) {
					tl->runtime = p;
					break;
				}
				p = p->ppid && p->ppid != p->pid ? proc_of(m, p->ppid) : NULL;
			}
		}
	} else if (tl->agent) {
		/* No request from the runtime: the agent's first child exec'd
		 * after INIT_START (after its own exec without one). */
		uint64_t best = UINT64_MAX, from = init_ts ? init_ts : exec_ts;

		for (size_t i = 0; i < m->nprocs; i++) {
			const struct ct_proc *p = &m->procs[i];

			if (p->ppid != tl->agent_pid || p == tl->agent || p->start_ts < tl->agent->start_ts)
				continue;
			for (size_t j = 0; j < p->nimages; j++)
				if (p->images[j].exec_ts >= from && p->images[j].exec_ts < best) {
					best = p->images[j].exec_ts;
					tl->runtime = p;
				}
		}
		tl->runtime_guessed = tl->runtime != NULL;
	}
	if (tl->runtime) {
		tl->runtime_pid = tl->runtime->pid;
		for (size_t j = 0; j < tl->runtime->nimages && !tl->runtime_image; j++)
			if (tl->runtime->images[j].exec_ts)
				tl->runtime_image = &tl->runtime->images[j];
		for (size_t j = 0; j < tl->runtime->nimages && !tl->runtime_go_image; j++)
			if (tl->runtime->images[j].is_go && tl->runtime->images[j].exec_ts)
				tl->runtime_go_image = &tl->runtime->images[j];
		if (!tl->runtime_go_image && sender && ct_proc_image((struct ct_proc *)sender) &&
		    ct_proc_image((struct ct_proc *)sender)->is_go)
			tl->runtime_go_image = ct_proc_image((struct ct_proc *)sender);
		if (tl->runtime_image)
			seen(tl, CT_MS_RUNTIME_EXEC, tl->runtime_image->exec_ts, tl->runtime_pid);
	}
	{
		uint32_t gpid = tl->runtime_pid;

		if (tl->runtime_go_image && sender && tl->runtime_go_image == ct_proc_image((struct ct_proc *)sender) &&
		    sender != tl->runtime)
			gpid = sender->pid;
		go_milestones(tl, tl->runtime_go_image, gpid, CT_MS_RUNTIME_RT_START, CT_MS_RUNTIME_INITS,
			      CT_MS_RUNTIME_MAIN);
	}

	/* The first /next, as the runtime sent it (the agent's reading if the
	 * sender side was not seen). */
	if (next_w || next_r) {
		const struct ct_http *n = next_w ? next_w : next_r;

		tl->next_http = (long)(n - m->http);
		seen(tl, CT_MS_FIRST_NEXT, n->ts, next_w ? next_w->pid : tl->runtime_pid);
	}

	/* The invocation: the agent's answer on that connection. */
	for (size_t i = 0; (next_r || next_w) && i < m->nhttp; i++) {
		const struct ct_http *h = &m->http[i];

		if (h->kind != HTTP_RESPONSE)
			continue;
		if (next_r && h->dir == CT_IO_WRITE && h->pid == next_r->pid &&
		    h->ep.sock_id == next_r->ep.sock_id && h->ts >= next_r->ts) {
			resp = h;
			break;
		}
		if (!next_r && h->dir == CT_IO_READ && h->pid == next_w->pid &&
		    h->ep.sock_id == next_w->ep.sock_id && h->ts >= next_w->ts) {
			resp = h;
			break;
		}
	}
	if (resp) {
		const char *rid = hdr_of(m, resp, HTTP_H_REQUEST_ID);

		tl->invoke_http = (long)(resp - m->http);
		if (resp->status >= 200 && resp->status < 300 && rid && rid[0]) {
			snprintf(tl->request_id, sizeof(tl->request_id), "%s", rid);
			seen(tl, CT_MS_INVOKE, resp->ts, resp->pid);
		}
	}

	/* The function's answer for that request id: the sender's side first. */
	if (tl->request_id[0]) {
		const struct ct_http *best = NULL;

		for (size_t i = 0; i < m->nhttp; i++) {
			const struct ct_http *h = &m->http[i];

			if (h->kind != HTTP_REQUEST || (h->api != LAMBDA_API_RESPONSE && h->api != LAMBDA_API_ERROR) ||
			    strcmp(h->api_id, tl->request_id))
				continue;
			if (!best || (h->dir == CT_IO_WRITE && best->dir != CT_IO_WRITE))
				best = h;
			if (best->dir == CT_IO_WRITE)
				break;
		}
		if (best) {
			tl->response_http = (long)(best - m->http);
			tl->answered_error = best->api == LAMBDA_API_ERROR;
			seen(tl, CT_MS_RESPONSE, best->ts, best->pid);
		}
	}

	/* END and REPORT for the request id (without one: the agent's first
	 * after INIT_START, flagged). */
	if (!tl->request_id[0] && init_ts && tl->agent_pid) {
		for (size_t i = 0; i < m->nlogs; i++) {
			const struct ct_log *l = &m->logs[i];

			if (l->pid == tl->agent_pid && l->ts >= init_ts &&
			    (l->ev->kind == LOG_END || l->ev->kind == LOG_REPORT) &&
			    (l->ev->have & LOG_HAVE_REQUEST_ID)) {
				snprintf(tl->request_id, sizeof(tl->request_id), "%s", l->ev->request_id);
				tl->request_id_from_log = true;
				break;
			}
		}
	}
	for (size_t i = 0; tl->request_id[0] && i < m->nlogs; i++) {
		const struct ct_log *l = &m->logs[i];

		if (!(l->ev->have & LOG_HAVE_REQUEST_ID) || strcmp(l->ev->request_id, tl->request_id))
			continue;
		if (l->ev->kind == LOG_END && tl->end_log < 0) {
			tl->end_log = (long)i;
			seen(tl, CT_MS_END, l->ts, l->pid);
		} else if (l->ev->kind == LOG_REPORT && tl->report_log < 0) {
			tl->report_log = (long)i;
			seen(tl, CT_MS_REPORT, l->ts, l->pid);
			if (l->ev->have & LOG_HAVE_INIT_DURATION) {
				tl->have_report_init = true;
				tl->report_init_ms = l->ev->init_duration_ms;
			}
			if (l->ev->have & LOG_HAVE_DURATION) {
				tl->have_report_duration = true;
				tl->report_duration_ms = l->ev->duration_ms;
			}
		}
	}

	/* Exits: not seen means still running, not missing. */
	if (tl->runtime && tl->runtime->exited)
		seen(tl, CT_MS_RUNTIME_EXIT, tl->runtime->exit_ts, tl->runtime_pid);
	else
		na(tl, CT_MS_RUNTIME_EXIT);
	if (tl->agent && tl->agent->exited)
		seen(tl, CT_MS_AGENT_EXIT, tl->agent->exit_ts, tl->agent_pid);
	else
		na(tl, CT_MS_AGENT_EXIT);

	/* Phases. */
	for (int p = 0; p < CT_PH_COUNT; p++) {
		struct ct_phase *ph = &tl->ph[p];
		const struct ct_milestone *a = &tl->ms[ph_defs[p].from], *b = &tl->ms[ph_defs[p].to];

		ph->id = (enum ct_phase_id)p;
		ph->from = ph_defs[p].from;
		ph->to = ph_defs[p].to;
		ph->in_sum = ph_defs[p].in_sum;
		ph->depth = ph_defs[p].depth;
		ph->start = a->state == CT_MS_SEEN ? a->ts : 0;
		ph->end = b->state == CT_MS_SEEN ? b->ts : 0;
		ph->pid = a->pid ? a->pid : b->pid;
		ph->complete = ph->start && ph->end && ph->end >= ph->start;
		ph->dur = ph->complete ? ph->end - ph->start : 0;
	}
	tl->ph[CT_PH_TOTAL].pid = tl->agent_pid;
	if (tl->ms[CT_MS_FIRST_NEXT].pid)
		tl->ph[CT_PH_FUNC_INIT].pid = tl->runtime_pid ? tl->runtime_pid : tl->ms[CT_MS_FIRST_NEXT].pid;
	tl->ph[CT_PH_RUNTIME_START].pid = tl->agent_pid;
	tl->ph[CT_PH_FUNC_INIT_AGENT].pid = tl->agent_pid;
	tl->ph[CT_PH_DELIVER].pid = tl->agent_pid;
	if (tl->ms[CT_MS_RESPONSE].pid)
		tl->ph[CT_PH_INVOKE].pid = tl->ms[CT_MS_RESPONSE].pid;

	/* What is missing, the span, the holds, the note. */
	tl->t0 = UINT64_MAX;
	for (int k = 0; k < CT_MS_COUNT; k++) {
		if (tl->ms[k].state == CT_MS_MISSING)
			tl->missing[tl->nmissing++] = (enum ct_ms)k;
		if (tl->ms[k].state == CT_MS_SEEN) {
			if (tl->ms[k].ts < tl->t0)
				tl->t0 = tl->ms[k].ts;
			if (tl->ms[k].ts > tl->t_end)
				tl->t_end = tl->ms[k].ts;
		}
	}
	if (tl->t0 == UINT64_MAX)
		tl->t0 = 0;
	/* complete: the chain of consecutive phases is; details (a Go
	 * milestone, END/REPORT lines) may still be listed as missing */
	tl->complete = true;
	for (int p = 0; p < CT_PH_COUNT; p++)
		if (tl->ph[p].in_sum && !tl->ph[p].complete)
			tl->complete = false;
	holds(m, tl);
	build_note(m, tl);
	if (!tl->note[0] && !tl->complete)
		snprintf(tl->note, sizeof(tl->note), "milestones out of order: the phases do not add up");
}

int ct_timelines_build(const struct ct_model *m, struct ct_timelines *out)
{
	struct cand *c = NULL;
	size_t n = 0, cap = 0;
	bool any_listen = m->nlistens > 0;

	out->v = NULL;
	out->n = 0;
	for (size_t i = 0; i < m->nhttp; i++) {
		const struct ct_http *h = &m->http[i];
		uint16_t port;
		bool fl;
		uint32_t pid;

		if (h->kind != HTTP_REQUEST || h->api != LAMBDA_API_NEXT)
			continue;
		pid = agent_of(m, h, &port, &fl);
		if (add_cand(&c, &n, &cap, pid, port, fl))
			goto oom;
	}
	for (size_t i = 0; i < m->nlogs; i++) {
		const struct ct_log *l = &m->logs[i];

		if (l->ev->kind != LOG_INIT_START && l->ev->kind != LOG_RIE_INIT_START)
			continue;
		/* an agent listens: a parent reading the agent's output does not */
		if (any_listen && !has_listen(m, l->pid))
			continue;
		if (add_cand(&c, &n, &cap, l->pid, 0, false))
			goto oom;
	}
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		const struct ct_proc *p = proc_of(m, c[i].pid);
		const struct ct_image *im = p ? ct_proc_image((struct ct_proc *)p) : NULL;

		c[i].order = im && im->exec_ts ? im->exec_ts : p ? p->start_ts : UINT64_MAX;
	}
	qsort(c, n, sizeof(*c), by_order);
	out->v = calloc(n, sizeof(*out->v));
	if (!out->v)
		goto oom;
	for (size_t i = 0; i < n; i++)
		build_one(m, &c[i], &out->v[i]);
	out->n = n;
	free(c);
	return 0;
oom:
	free(c);
	return -1;
}

void ct_timelines_free(struct ct_timelines *t)
{
	free(t->v);
	t->v = NULL;
	t->n = 0;
}
