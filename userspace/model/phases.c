// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The cold-start timeline of each sandbox in a model (see phases.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exitstatus.h"
#include "phases.h"

#define MAX_DEPTH 64 /* ppid links followed, at most */

/* Whose a phase is (struct ct_phase.pid). */
enum ph_owner {
	PH_OWNER_START = 0, /* who did its start milestone (else its end) */
	PH_OWNER_END,       /* who did its end milestone (else its start) */
	PH_OWNER_AGENT,     /* the agent's, whoever did the milestones */
	PH_OWNER_RUNTIME,   /* the runtime root's once its end was seen */
};

/* The phases: a new one is an enum ct_phase_id value and a line here (its
 * kind gives its colour; every view draws it). The milestones (ms_defs, with their finders) are further down. */
static const struct {
	const char *name, *key;
	enum ct_ms from, to;
	bool in_sum;
	int depth;
	enum ph_owner owner;
	enum ct_phase_kind kind;
} ph_defs[CT_PH_COUNT] = {
	[CT_PH_TOTAL] = {"cold start", "total", CT_MS_AGENT_EXEC, CT_MS_RESPONSE, false, 0, PH_OWNER_AGENT,
			 CT_PK_TOTAL},
	[CT_PH_AGENT_INIT] = {"agent init", "agent_init", CT_MS_AGENT_EXEC, CT_MS_AGENT_READY, true, 1,
			      PH_OWNER_START, CT_PK_AGENT},
	[CT_PH_AGENT_GO] = {"agent Go init", "agent_go_init", CT_MS_AGENT_RT_START, CT_MS_AGENT_MAIN, false, 2,
			    PH_OWNER_START, CT_PK_AGENT},
	[CT_PH_WAIT_INIT] = {"ready -> INIT_START", "ready_to_init_start", CT_MS_AGENT_READY, CT_MS_INIT_START,
			     true, 1, PH_OWNER_START, CT_PK_HANDOFF},
	[CT_PH_RUNTIME_START] = {"runtime start", "runtime_start", CT_MS_INIT_START, CT_MS_RUNTIME_EXEC, true, 1,
				 PH_OWNER_AGENT, CT_PK_HANDOFF},
	[CT_PH_EXT_REGISTER] = {"extensions register", "extensions_register", CT_MS_EXT_START,
				CT_MS_EXT_REGISTERED, false, 2, PH_OWNER_AGENT, CT_PK_EXTENSION},
	[CT_PH_FUNC_INIT] = {"function init", "function_init", CT_MS_RUNTIME_EXEC, CT_MS_FIRST_NEXT, true, 1,
			     PH_OWNER_RUNTIME, CT_PK_RUNTIME},
	[CT_PH_RUNTIME_GO] = {"runtime Go init", "runtime_go_init", CT_MS_RUNTIME_RT_START, CT_MS_RUNTIME_MAIN,
			      false, 2, PH_OWNER_START, CT_PK_RUNTIME},
	[CT_PH_FUNC_INIT_AGENT] = {"INIT_START -> /next", "init_start_to_next", CT_MS_INIT_START,
				   CT_MS_FIRST_NEXT, false, 2, PH_OWNER_AGENT, CT_PK_AGENT_VIEW},
	[CT_PH_INIT_ALL] = {"INIT_START -> INIT done", "init_all", CT_MS_INIT_START, CT_MS_INIT_DONE, false, 2,
			    PH_OWNER_AGENT, CT_PK_AGENT_VIEW},
	[CT_PH_EXT_WAIT] = {"waiting for extensions", "extensions_wait", CT_MS_FIRST_NEXT, CT_MS_INIT_DONE, false,
			    2, PH_OWNER_END, CT_PK_EXTENSION},
	[CT_PH_DELIVER] = {"invocation delivery", "delivery", CT_MS_FIRST_NEXT, CT_MS_INVOKE, true, 1,
			   PH_OWNER_AGENT, CT_PK_INVOKE},
	[CT_PH_INVOKE] = {"first invoke", "first_invoke", CT_MS_INVOKE, CT_MS_RESPONSE, true, 1, PH_OWNER_END,
			  CT_PK_INVOKE},
};

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
	return pid ? ct_model_proc_const(m, pid) : NULL;
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
	/* a failed (or stuck) extension is the cause: it comes first */
	for (size_t i = 0; i < tl->next; i++) {
		const struct ct_extension *e = &tl->ext[i];
		bool stuck = !e->failed && tl->ms[CT_MS_INIT_DONE].state != CT_MS_SEEN &&
			     (e->state == CT_EXT_REGISTERED ||
			      (e->state == CT_EXT_STARTED && tl->ms[CT_MS_RUNTIME_EXEC].state != CT_MS_SEEN));

		if (!e->failed && !stuck)
			continue;
		NOTE("%sextension %s (pid %u) ", o ? "; " : e->failed ? "INIT failed: " : "INIT did not end: ", e->name,
		     e->pid);
		if (e->state == CT_EXT_INIT_ERROR)
			NOTE("reported an init error");
		else if (e->state == CT_EXT_EXITED)
			NOTE("%s before %s", ct_exit_str(e->exit_status, CT_EXIT_SENTENCE, st, sizeof(st)),
			     e->registered_ts ? "its first event/next" : "registering");
		else if (e->state == CT_EXT_REGISTERED)
			NOTE("registered but never asked for its first event (GET event/next)");
		else
			NOTE("never registered");
		if (e->error_type[0])
			NOTE(" (%s)", e->error_type);
	}
	if (o) {
		if (tl->ms[CT_MS_RUNTIME_EXEC].state != CT_MS_SEEN)
			NOTE(", so the runtime was never started");
		else if (tl->ms[CT_MS_INVOKE].state != CT_MS_SEEN)
			NOTE(", so no invocation was delivered");
	} else if (!tl->agent)
		NOTE("the agent (Runtime API port %u) was not traced", tl->api_port);
	else if (tl->ms[CT_MS_FIRST_NEXT].state != CT_MS_SEEN) {
		if (!tl->runtime) {
			NOTE("no runtime process was found");
		} else {
			ct_proc_label(tl->runtime, lab, sizeof(lab));
			if (tl->runtime->exited) {
				NOTE("the runtime (pid %u, %s) %s", tl->runtime_pid, lab,
				     ct_exit_str(tl->runtime->exit_status, CT_EXIT_SENTENCE, st, sizeof(st)));
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

/* ---- the milestones: one finder each ---- */

/*
 * One timeline being built. The finders run in milestone order (ms_defs);
 * each reads the roles and what earlier finders saw (tl->ms[].ts is 0 until
 * a milestone is seen) and records its own milestone with seen() or na().
 */
struct tl_build {
	const struct ct_model *m;
	struct ct_timeline *tl;
	const struct ct_http *req;    /* the first Runtime API request to the agent */
	const struct ct_http *next_r; /* the first /next as the agent read it */
	const struct ct_http *next_w; /* ... and as the runtime sent it */
	const struct ct_proc *sender; /* the process that sent next_w (or req) */
};

/* When milestone ms was seen, 0 if it was not. */
static uint64_t ms_ts(const struct ct_timeline *tl, enum ct_ms ms)
{
	return tl->ms[ms].ts;
}

/* The first /next's time on either side, or UINT64_MAX. */
static uint64_t next_ts(const struct tl_build *b, bool sender_first)
{
	const struct ct_http *x = sender_first ? b->next_w : b->next_r, *y = sender_first ? b->next_r : b->next_w;

	return x ? x->ts : y ? y->ts : UINT64_MAX;
}

/* ---- extensions ---- */

static const struct {
	const char *name, *key;
} ext_states[] = {
	[CT_EXT_READY] = {"ready", "ready"},
	[CT_EXT_STARTED] = {"started, never registered", "started"},
	[CT_EXT_REGISTERED] = {"registered, never ready", "registered"},
	[CT_EXT_INIT_ERROR] = {"init error", "init_error"},
	[CT_EXT_EXIT_ERROR] = {"exit error", "exit_error"},
	[CT_EXT_EXITED] = {"exited before ready", "exited"},
};

const char *ct_ext_state_name(enum ct_ext_state st)
{
	return (unsigned)st < sizeof(ext_states) / sizeof(ext_states[0]) ? ext_states[st].name : "?";
}

const char *ct_ext_state_key(enum ct_ext_state st)
{
	return (unsigned)st < sizeof(ext_states) / sizeof(ext_states[0]) ? ext_states[st].key : "unknown";
}

uint64_t ct_ext_to_register(const struct ct_extension *e)
{
	return e->exec_ts && e->registered_ts >= e->exec_ts ? e->registered_ts - e->exec_ts : 0;
}

uint64_t ct_ext_to_ready(const struct ct_extension *e)
{
	return e->exec_ts && e->ready_ts >= e->exec_ts ? e->ready_ts - e->exec_ts : 0;
}

uint64_t ct_ext_go_init(const struct ct_extension *e)
{
	return e->go_rt_start && e->go_main >= e->go_rt_start ? e->go_main - e->go_rt_start : 0;
}

void ct_ext_outcome(const struct ct_extension *e, char *buf, size_t len)
{
	char st[48];
	size_t l;

	if (!len)
		return;
	if (e->state == CT_EXT_EXITED)
		snprintf(buf, len, "exited before %s: %s", e->registered_ts ? "ready" : "registering",
			 e->exit_ts ? ct_exit_str(e->exit_status, CT_EXIT_SHORT, st, sizeof(st)) : "?");
	else
		snprintf(buf, len, "%s", ct_ext_state_name(e->state));
	l = strlen(buf);
	if (e->error_type[0] && (e->failed || e->state == CT_EXT_EXIT_ERROR) && l + 4 < len)
		snprintf(buf + l, len - l, " (%s)", e->error_type);
}

uint64_t ct_ext_fail_ts(const struct ct_extension *e)
{
	if (e->state == CT_EXT_INIT_ERROR)
		return e->error_ts ? e->error_ts : e->exit_ts;
	if (e->state == CT_EXT_EXITED)
		return e->exit_ts;
	return 0;
}

static bool is_ext_request(const struct ct_http *h)
{
	return h->kind == HTTP_REQUEST && h->api >= LAMBDA_API_EXT_REGISTER && h->api <= LAMBDA_API_LOGS;
}

/* The agent's child that is p or an ancestor of p, NULL if none. */
static const struct ct_proc *agent_child(const struct ct_model *m, const struct ct_timeline *tl,
					 const struct ct_proc *p)
{
	for (int d = 0; p && d < MAX_DEPTH; d++) {
		if (p->ppid == tl->agent_pid && p != tl->agent)
			return p;
		p = p->ppid && p->ppid != p->pid ? proc_of(m, p->ppid) : NULL;
	}
	return NULL;
}

/* The other side of a request (the sender's when h is the agent's reading). */
static const struct ct_http *sender_side(const struct ct_model *m, const struct ct_http *h)
{
	if (h->dir == CT_IO_WRITE)
		return h;
	return h->peer >= 0 ? &m->http[h->peer] : NULL;
}

/* The answer to request h on its connection: the agent's write when its
 * reading was seen, else the sender's reading. */
static const struct ct_http *reply_to(const struct ct_model *m, const struct ct_http *h)
{
	const struct ct_http *r = h->dir == CT_IO_READ ? h : h->peer >= 0 ? &m->http[h->peer] : NULL;
	const struct ct_http *w = h->dir == CT_IO_WRITE ? h : h->peer >= 0 ? &m->http[h->peer] : NULL;

	for (size_t i = (size_t)(h - m->http) + 1; i < m->nhttp; i++) {
		const struct ct_http *x = &m->http[i];

		if (x->kind != HTTP_RESPONSE)
			continue;
		if (r && x->dir == CT_IO_WRITE && x->pid == r->pid && x->ep.sock_id == r->ep.sock_id &&
		    x->ts >= r->ts)
			return x;
		if (!r && w && x->dir == CT_IO_READ && x->pid == w->pid && x->ep.sock_id == w->ep.sock_id &&
		    x->ts >= w->ts)
			return x;
	}
	return NULL;
}

/* The request's time: the sender's side first. */
static uint64_t req_ts(const struct ct_model *m, const struct ct_http *h)
{
	const struct ct_http *w = sender_side(m, h);

	return w ? w->ts : h->ts;
}

/* The process that sent h (NULL when only the agent's side was seen and
 * the sender is not known). */
static const struct ct_proc *sender_of(const struct ct_model *m, const struct ct_http *h)
{
	const struct ct_http *w = sender_side(m, h);

	return w ? proc_of(m, w->pid) : NULL;
}

static struct ct_extension *ext_add(struct ct_timeline *tl, size_t *cap)
{
	if (tl->next == *cap) {
		size_t nc = *cap ? *cap * 2 : 4;
		struct ct_extension *nv = realloc(tl->ext, nc * sizeof(*nv));

		if (!nv)
			return NULL;
		tl->ext = nv;
		*cap = nc;
	}
	memset(&tl->ext[tl->next], 0, sizeof(tl->ext[0]));
	return &tl->ext[tl->next++];
}

static struct ct_extension *ext_by_proc(struct ct_timeline *tl, const struct ct_proc *p)
{
	for (size_t i = 0; p && i < tl->next; i++)
		if (tl->ext[i].proc == p)
			return &tl->ext[i];
	return NULL;
}

static struct ct_extension *ext_by_id(struct ct_timeline *tl, const char *id)
{
	for (size_t i = 0; id && id[0] && i < tl->next; i++)
		if (!strcmp(tl->ext[i].id, id))
			return &tl->ext[i];
	return NULL;
}

static struct ct_extension *ext_by_name(struct ct_timeline *tl, const char *name)
{
	for (size_t i = 0; name && name[0] && i < tl->next; i++)
		if (!strcmp(tl->ext[i].name, name))
			return &tl->ext[i];
	return NULL;
}

static const char *base_name(const char *path)
{
	const char *b = strrchr(path, '/');

	return b && b[1] ? b + 1 : path;
}

/* The length of path's folder part ("/opt/extensions/x": 15; "x": 0). */
static size_t dir_len(const char *path)
{
	const char *b = strrchr(path, '/');

	return b ? (size_t)(b - path) : 0;
}

/* Does the agent's child p look like an extension by its file: named by an
 * EXTENSION line, or exec'd from the folder a registered extension came from. */
static bool looks_like_ext(const struct ct_model *m, const struct ct_timeline *tl, const struct ct_proc *p)
{
	const struct ct_image *im = NULL;
	size_t dn;

	for (size_t j = 0; j < p->nimages && !im; j++)
		if (p->images[j].exec_ts && p->images[j].path[0])
			im = &p->images[j];
	if (!im)
		return false;
	for (size_t i = 0; i < m->nlogs; i++) {
		const struct ct_log *l = &m->logs[i];

		if (l->pid == tl->agent_pid && l->ev->kind == LOG_EXTENSION &&
		    !strcmp(l->ev->ext_name, base_name(im->path)))
			return true;
	}
	dn = dir_len(im->path);
	for (size_t i = 0; i < tl->next; i++) {
		const struct ct_image *x = tl->ext[i].image;

		if (x && dn && dir_len(x->path) == dn && !memcmp(x->path, im->path, dn))
			return true;
	}
	return dn == strlen("/opt/extensions") && !memcmp(im->path, "/opt/extensions", dn);
}

static void ext_fill_proc(struct ct_extension *e, const struct ct_proc *sender)
{
	const struct ct_proc *p = e->proc;
	const struct ct_image *sim;

	e->pid = p->pid;
	for (size_t j = 0; j < p->nimages && !e->image; j++)
		if (p->images[j].exec_ts)
			e->image = &p->images[j];
	for (size_t j = 0; j < p->nimages && !e->go_image; j++)
		if (p->images[j].is_go && p->images[j].exec_ts)
			e->go_image = &p->images[j];
	sim = sender ? ct_proc_image_const(sender) : NULL;
	if (!e->go_image && sim && sim->is_go)
		e->go_image = sim;
	if (e->image)
		e->exec_ts = e->image->exec_ts;
	if (e->go_image) {
		e->go_rt_start = e->go_image->rt_start;
		e->go_inits_done = e->go_image->npkgs ? ct_image_last_init_end(e->go_image) : 0;
		e->go_main = e->go_image->main_main;
	}
	if (p->exited) {
		e->exit_ts = p->exit_ts;
		e->exit_status = p->exit_status;
	}
}

/* The extension a request to the agent belongs to: by the identifier it
 * carries, else by its sender's process tree. */
static struct ct_extension *ext_of_request(const struct ct_model *m, struct ct_timeline *tl,
					   const struct ct_http *h)
{
	struct ct_extension *e = ext_by_id(tl, hdr_of(m, h, HTTP_H_EXT_ID));
	const struct ct_proc *s;

	if (e)
		return e;
	s = sender_of(m, h);
	return ext_by_proc(tl, s ? agent_child(m, tl, s) : NULL);
}

static void ext_state(struct ct_extension *e)
{
	if (e->error_ts && (!e->ready_ts || e->error_ts < e->ready_ts))
		e->state = CT_EXT_INIT_ERROR;
	else if (e->ready_ts)
		e->state = CT_EXT_READY;
	else if (e->exit_ts)
		e->state = CT_EXT_EXITED;
	else if (e->registered_ts || e->register_ts)
		e->state = CT_EXT_REGISTERED;
	else
		e->state = CT_EXT_STARTED;
	e->failed = e->state == CT_EXT_INIT_ERROR || e->state == CT_EXT_EXITED;
}

static int ext_by_exec(const void *a, const void *b)
{
	const struct ct_extension *x = a, *y = b;
	uint64_t p = x->exec_ts ? x->exec_ts : x->register_ts, q = y->exec_ts ? y->exec_ts : y->register_ts;

	if (p != q)
		return p < q ? -1 : 1;
	return strcmp(x->name, y->name);
}

/*
 * This agent's extensions: the agent's children (or their descendants) that
 * registered with it, then the children that never did but were exec'd from
 * an extensions folder or named by an EXTENSION line; their requests, in
 * time order, give register/ready/subscriptions/errors. The runtime's tree
 * is never an extension (it is found from /next, before this runs).
 */
static int find_extensions(struct tl_build *b)
{
	const struct ct_model *m = b->m;
	struct ct_timeline *tl = b->tl;
	const struct ct_proc *rt_root = NULL;
	size_t cap = 0;

	if (!tl->agent)
		return 0;
	if (b->next_w || (b->req && b->req->dir == CT_IO_WRITE)) {
		const struct ct_http *w = b->next_w ? b->next_w : b->req;

		rt_root = agent_child(m, tl, proc_of(m, w->pid));
	}
	/* registrations */
	for (size_t i = 0; i < m->nhttp; i++) {
		const struct ct_http *h = &m->http[i], *rep;
		const struct ct_proc *s, *root;
		struct ct_extension *e;
		const char *name, *id;

		if (h->kind != HTTP_REQUEST || h->api != LAMBDA_API_EXT_REGISTER || !to_agent(m, tl, h))
			continue;
		if (h->dir == CT_IO_READ && h->peer >= 0 && m->http[h->peer].ts < h->ts)
			continue; /* the sender's side comes first: one entry per request */
		if (h->dir == CT_IO_WRITE && h->peer >= 0 && m->http[h->peer].ts < h->ts)
			continue;
		s = sender_of(m, h);
		root = s ? agent_child(m, tl, s) : NULL;
		if (root && root == rt_root)
			continue;
		rep = reply_to(m, h);
		id = rep ? hdr_of(m, rep, HTTP_H_EXT_ID) : NULL;
		name = hdr_of(m, h, HTTP_H_EXT_NAME);
		e = root ? ext_by_proc(tl, root) : NULL;
		if (e && e->register_ts && rep && rep->status >= 200 && rep->status < 300 && e->registered_ts &&
		    e->register_status >= 200 && e->register_status < 300)
			continue; /* registered already: a second try is the agent's business */
		if (!e && !(e = ext_add(tl, &cap)))
			return -1;
		e->proc = root;
		if (name)
			snprintf(e->name, sizeof(e->name), "%.*s", (int)sizeof(e->name) - 1, name);
		e->register_ts = req_ts(m, h);
		if (rep) {
			e->registered_ts = rep->ts;
			e->register_status = rep->status;
			if (id)
				snprintf(e->id, sizeof(e->id), "%.*s", (int)sizeof(e->id) - 1, id);
			if (rep->status < 200 || rep->status >= 300)
				e->registered_ts = 0; /* refused: not registered */
		}
		if (root)
			ext_fill_proc(e, s);
	}
	/* the agent's children that never registered */
	for (size_t i = 0; i < m->nprocs; i++) {
		const struct ct_proc *p = &m->procs[i];
		struct ct_extension *e;

		if (p->ppid != tl->agent_pid || p == tl->agent || p == rt_root || p->start_ts < tl->agent->start_ts ||
		    ext_by_proc(tl, p) || !looks_like_ext(m, tl, p))
			continue;
		if (!(e = ext_add(tl, &cap)))
			return -1;
		e->proc = p;
		ext_fill_proc(e, NULL);
		if (e->image)
			snprintf(e->name, sizeof(e->name), "%.*s", (int)sizeof(e->name) - 1, base_name(e->image->path));
	}
	/* their other requests, in time order */
	for (size_t i = 0; i < m->nhttp; i++) {
		const struct ct_http *h = &m->http[i], *rep;
		struct ct_extension *e;
		uint64_t ts;

		if (!is_ext_request(h) || h->api == LAMBDA_API_EXT_REGISTER || !to_agent(m, tl, h))
			continue;
		if (h->peer >= 0 && m->http[h->peer].ts < h->ts)
			continue; /* one entry per request */
		if (!(e = ext_of_request(m, tl, h)))
			continue;
		ts = req_ts(m, h);
		switch (h->api) {
		case LAMBDA_API_EXT_NEXT:
			if (!e->ready_ts)
				e->ready_ts = ts;
			break;
		case LAMBDA_API_EXT_INIT_ERROR:
		case LAMBDA_API_EXT_EXIT_ERROR:
			if (!e->error_ts) {
				const char *t = hdr_of(m, h, HTTP_H_EXT_ERROR_TYPE);

				e->error_ts = ts;
				if (t)
					snprintf(e->error_type, sizeof(e->error_type), "%.*s", (int)sizeof(e->error_type) - 1, t);
				if (h->api == LAMBDA_API_EXT_EXIT_ERROR)
					e->state = CT_EXT_EXIT_ERROR;
			}
			break;
		case LAMBDA_API_TELEMETRY:
		case LAMBDA_API_LOGS:
			if (e->nsubs < CT_EXT_SUBS_MAX) {
				struct ct_ext_sub *sub = &e->subs[e->nsubs++];

				rep = reply_to(m, h);
				sub->api = h->api;
				sub->ts = ts;
				sub->reply_ts = rep ? rep->ts : 0;
				sub->status = rep ? rep->status : 0;
			}
			break;
		default:
			break;
		}
	}
	/* the agent's word: name, events and error type from its EXTENSION lines */
	for (size_t i = 0; i < m->nlogs; i++) {
		const struct ct_log *l = &m->logs[i];
		struct ct_extension *e;

		if (l->pid != tl->agent_pid || l->ev->kind != LOG_EXTENSION || !(e = ext_by_name(tl, l->ev->ext_name)))
			continue;
		if (l->ev->have & LOG_HAVE_EXT_EVENTS)
			snprintf(e->events, sizeof(e->events), "%.*s", (int)sizeof(e->events) - 1, l->ev->ext_events);
		if ((l->ev->have & LOG_HAVE_ERROR_TYPE) && !e->error_type[0])
			snprintf(e->error_type, sizeof(e->error_type), "%.*s", (int)sizeof(e->error_type) - 1, l->ev->error_type);
	}
	for (size_t i = 0; i < tl->next; i++) {
		struct ct_extension *e = &tl->ext[i];
		bool exit_err = e->state == CT_EXT_EXIT_ERROR && e->ready_ts && e->error_ts > e->ready_ts;

		ext_state(e);
		if (exit_err) /* after being ready: INIT did not fail because of it */
			e->state = CT_EXT_EXIT_ERROR;
		if (!e->name[0])
			snprintf(e->name, sizeof(e->name), "pid %u", e->pid);
		tl->next_failed += e->failed;
	}
	if (tl->next > 1)
		qsort(tl->ext, tl->next, sizeof(tl->ext[0]), ext_by_exec);
	return 0;
}

static bool is_ext_proc(const struct ct_timeline *tl, const struct ct_proc *p)
{
	for (size_t i = 0; i < tl->next; i++)
		if (tl->ext[i].proc == p)
			return true;
	return false;
}

/* The first extension's exec (after INIT_START when there is one). */
static void find_ext_start(struct tl_build *b)
{
	struct ct_timeline *tl = b->tl;
	uint64_t first = 0;

	for (size_t i = 0; i < tl->next; i++)
		if (tl->ext[i].exec_ts && (!first || tl->ext[i].exec_ts < first))
			first = tl->ext[i].exec_ts;
	if (!tl->next)
		na(tl, CT_MS_EXT_START);
	else
		seen(tl, CT_MS_EXT_START, first, first ? tl->agent_pid : 0);
}

/* Milestone ms: the latest of one time per extension (the uint64_t at off
 * in struct ct_extension), once every extension has one; NA without any. */
static void ext_last(struct ct_timeline *tl, enum ct_ms ms, size_t off)
{
	uint64_t last = 0;
	long who = -1;

	if (!tl->next) {
		na(tl, ms);
		return;
	}
	for (size_t i = 0; i < tl->next; i++) {
		uint64_t t;

		memcpy(&t, (const char *)&tl->ext[i] + off, sizeof(t));
		if (!t)
			return;
		if (t >= last) {
			last = t;
			who = (long)i;
		}
	}
	seen(tl, ms, last, tl->ext[who].pid);
}

/* The agent's reply to the last registration, once every one registered. */
static void find_ext_registered(struct tl_build *b)
{
	ext_last(b->tl, CT_MS_EXT_REGISTERED, offsetof(struct ct_extension, registered_ts));
}

/* The last extension's first event/next, once every one asked. */
static void find_ext_ready(struct tl_build *b)
{
	ext_last(b->tl, CT_MS_EXT_READY, offsetof(struct ct_extension, ready_ts));
}

/* INIT done: the later of the runtime's first /next and the last extension's
 * first event/next. */
static void find_init_done(struct tl_build *b)
{
	struct ct_timeline *tl = b->tl;
	const struct ct_milestone *n = &tl->ms[CT_MS_FIRST_NEXT], *x = &tl->ms[CT_MS_EXT_READY];

	if (!tl->next)
		na(tl, CT_MS_INIT_DONE);
	else if (n->state == CT_MS_SEEN && x->state == CT_MS_SEEN)
		seen(tl, CT_MS_INIT_DONE, n->ts >= x->ts ? n->ts : x->ts, n->ts >= x->ts ? n->pid : x->pid);
}

/* Who the runtime's start and INIT's end waited for last, and by how much. */
static void find_gates(struct ct_timeline *tl)
{
	uint64_t last = 0, prev = 0;
	long who = -1;

	tl->init_gate.ext = tl->register_gate.ext = -1;
	if (!tl->next)
		return;
	/* the runtime's start waited for them only if it started */
	if (tl->ms[CT_MS_EXT_REGISTERED].state == CT_MS_SEEN && tl->ms[CT_MS_RUNTIME_EXEC].state == CT_MS_SEEN) {
		for (size_t i = 0; i < tl->next; i++) {
			uint64_t t = tl->ext[i].registered_ts;

			if (t >= last) {
				prev = last;
				last = t;
				who = (long)i;
			} else if (t > prev) {
				prev = t;
			}
		}
		if (tl->next == 1 || !prev)
			prev = tl->ms[CT_MS_INIT_START].state == CT_MS_SEEN ? tl->ms[CT_MS_INIT_START].ts
									    : tl->ms[CT_MS_EXT_START].ts;
		tl->register_gate = (struct ct_gate){.known = true, .ext = who, .pid = tl->ext[who].pid,
						     .ts = last, .by_ns = last >= prev ? last - prev : 0};
	}
	if (tl->ms[CT_MS_INIT_DONE].state == CT_MS_SEEN) {
		uint64_t rt = tl->ms[CT_MS_FIRST_NEXT].ts;

		last = rt;
		prev = 0;
		who = -1;
		for (size_t i = 0; i < tl->next; i++) {
			uint64_t t = tl->ext[i].ready_ts;

			if (t > last) {
				prev = last;
				last = t;
				who = (long)i;
			} else if (t > prev) {
				prev = t;
			}
		}
		tl->init_gate = (struct ct_gate){.known = true, .is_runtime = who < 0, .ext = who,
						 .pid = who < 0 ? tl->ms[CT_MS_FIRST_NEXT].pid : tl->ext[who].pid,
						 .ts = last, .by_ns = last - prev};
	}
}

void ct_gate_sentence(const struct ct_timeline *tl, const struct ct_gate *g, bool init, char *buf, size_t len)
{
	const struct ct_extension *e = g->ext >= 0 && (size_t)g->ext < tl->next ? &tl->ext[g->ext] : NULL;
	double by = (double)g->by_ns / 1e6;

	if (!len)
		return;
	buf[0] = 0;
	if (!g->known)
		return;
	if (!init) {
		if (!e)
			return;
		if (tl->next == 1)
			snprintf(buf, len,
				 "the runtime's start waited for extension %s (pid %u) to register: %.3f ms after INIT_START",
				 e->name, e->pid, by);
		else
			snprintf(buf, len,
				 "the runtime's start waited for extension %s (pid %u) to register last: %.3f ms after the one before",
				 e->name, e->pid, by);
		return;
	}
	if (e)
		snprintf(buf, len,
			 "INIT waited for extension %s (pid %u) last: ready %.3f ms after %s", e->name, e->pid, by,
			 g->by_ns && tl->ms[CT_MS_FIRST_NEXT].ts + g->by_ns == g->ts ? "the runtime's first /next"
										  : "the one before");
	else
		snprintf(buf, len, "INIT waited for the runtime (pid %u) last: its first /next came %.3f ms after the last extension was ready",
			 g->pid, by);
}

/* Roles: the first Runtime API request to this agent, the first /next and
 * the Runtime API port. */
static void find_requests(struct tl_build *b)
{
	const struct ct_model *m = b->m;
	struct ct_timeline *tl = b->tl;

	for (size_t i = 0; i < m->nhttp; i++) {
		const struct ct_http *h = &m->http[i];

		if (!is_rt_api_request(h) || !to_agent(m, tl, h))
			continue;
		if (!b->req)
			b->req = h;
		if (h->api == LAMBDA_API_NEXT) {
			const struct ct_http *peer = h->peer >= 0 ? &m->http[h->peer] : NULL;

			b->next_r = h->dir == CT_IO_READ ? h : peer;
			b->next_w = h->dir == CT_IO_READ ? peer : h;
			break;
		}
	}
	if (b->next_r || b->next_w) {
		tl->api_port = b->next_r ? b->next_r->ep.lport : b->next_w->ep.rport;
	} else if (b->req) {
		tl->api_port = b->req->dir == CT_IO_READ ? b->req->ep.lport : b->req->ep.rport;
	} else {
		/* no runtime request (it never started): an extension's gives the port */
		for (size_t i = 0; tl->agent_pid && i < m->nhttp; i++) {
			const struct ct_http *h = &m->http[i];

			if (h->kind == HTTP_REQUEST && h->api >= LAMBDA_API_EXT_REGISTER && h->api <= LAMBDA_API_LOGS &&
			    to_agent(m, tl, h)) {
				tl->api_port = h->dir == CT_IO_READ ? h->ep.lport : h->ep.rport;
				break;
			}
		}
	}
}

/* The agent's image at the time of the first /next (else its last), and its exec. */
static void find_agent_exec(struct tl_build *b)
{
	struct ct_timeline *tl = b->tl;
	uint64_t ref = next_ts(b, false);

	if (!tl->agent)
		return;
	for (size_t j = 0; j < tl->agent->nimages; j++) {
		const struct ct_image *im = &tl->agent->images[j];

		if (im->exec_ts && im->exec_ts <= ref)
			tl->agent_image = im;
	}
	if (!tl->agent_image && tl->agent->nimages)
		tl->agent_image = &tl->agent->images[tl->agent->nimages - 1];
	if (tl->agent_image)
		seen(tl, CT_MS_AGENT_EXEC, tl->agent_image->exec_ts, tl->agent_pid);
}

/* Go milestones of an image: they do not apply when it is not Go. */
static void go_rt_start(struct ct_timeline *tl, const struct ct_image *im, uint32_t pid, enum ct_ms ms)
{
	if (!im || !im->is_go)
		na(tl, ms);
	else
		seen(tl, ms, im->rt_start, pid);
}

static void go_inits_done(struct ct_timeline *tl, const struct ct_image *im, uint32_t pid, enum ct_ms ms)
{
	if (!im || !im->is_go || !im->npkgs)
		na(tl, ms);
	else
		seen(tl, ms, ct_image_last_init_end(im), pid);
}

static void go_main(struct ct_timeline *tl, const struct ct_image *im, uint32_t pid, enum ct_ms ms)
{
	if (!im || !im->is_go)
		na(tl, ms);
	else
		seen(tl, ms, im->main_main, pid);
}

static void find_agent_rt_start(struct tl_build *b)
{
	go_rt_start(b->tl, b->tl->agent_image, b->tl->agent_pid, CT_MS_AGENT_RT_START);
}

static void find_agent_inits(struct tl_build *b)
{
	go_inits_done(b->tl, b->tl->agent_image, b->tl->agent_pid, CT_MS_AGENT_INITS);
}

static void find_agent_main(struct tl_build *b)
{
	go_main(b->tl, b->tl->agent_image, b->tl->agent_pid, CT_MS_AGENT_MAIN);
}

/* Ready: the agent's listen() on the Runtime API port; without a port, the
 * first port it listens on that no invoke came in on. */
static void find_agent_ready(struct tl_build *b)
{
	const struct ct_model *m = b->m;
	struct ct_timeline *tl = b->tl;
	uint64_t exec_ts = ms_ts(tl, CT_MS_AGENT_EXEC);

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
}

/* INIT_START: the agent's first INIT_START or INIT START line after its
 * exec (and before the first /next when there is one). */
static void find_init_start(struct tl_build *b)
{
	const struct ct_model *m = b->m;
	struct ct_timeline *tl = b->tl;
	uint64_t after = ms_ts(tl, CT_MS_AGENT_EXEC), lim = next_ts(b, true);

	for (size_t i = 0; tl->agent_pid && i < m->nlogs; i++) {
		const struct ct_log *l = &m->logs[i];

		if (l->pid != tl->agent_pid || l->ts < after || l->ts > lim)
			continue;
		if (l->ev->kind == LOG_INIT_START || l->ev->kind == LOG_RIE_INIT_START) {
			seen(tl, CT_MS_INIT_START, l->ts, l->pid);
			break;
		}
	}
}

/* The runtime without a Runtime API request: the agent's first child
 * exec'd after INIT_START (after the agent's own exec without one). */
static const struct ct_proc *guess_runtime(const struct tl_build *b)
{
	const struct ct_model *m = b->m;
	const struct ct_timeline *tl = b->tl;
	const struct ct_proc *rt = NULL;
	uint64_t best = UINT64_MAX, from = ms_ts(tl, CT_MS_INIT_START);

	if (!from)
		from = ms_ts(tl, CT_MS_AGENT_EXEC);
	for (size_t i = 0; i < m->nprocs; i++) {
		const struct ct_proc *p = &m->procs[i];

		if (p->ppid != tl->agent_pid || p == tl->agent || p->start_ts < tl->agent->start_ts ||
		    is_ext_proc(tl, p))
			continue;
		for (size_t j = 0; j < p->nimages; j++)
			if (p->images[j].exec_ts >= from && p->images[j].exec_ts < best) {
				best = p->images[j].exec_ts;
				rt = p;
			}
	}
	return rt;
}

/* Role: the runtime is the agent's child the request's sender descends
 * from; its first exec'd image and its Go image. */
static void find_runtime(struct tl_build *b)
{
	const struct ct_model *m = b->m;
	struct ct_timeline *tl = b->tl;
	const struct ct_proc *rt;
	const struct ct_image *sim;

	if (b->next_w || (b->req && b->req->dir == CT_IO_WRITE)) {
		const struct ct_http *w = b->next_w ? b->next_w : b->req;

		tl->sender_pid = w->pid;
		b->sender = proc_of(m, w->pid);
		tl->runtime = b->sender;
		if (tl->agent) {
			const struct ct_proc *p = b->sender;

			for (int d = 0; p && d < MAX_DEPTH; d++) {
				if (p->ppid == tl->agent_pid) {
					tl->runtime = p;
					break;
				}
				p = p->ppid && p->ppid != p->pid ? proc_of(m, p->ppid) : NULL;
			}
		}
	} else if (tl->agent) {
		tl->runtime = guess_runtime(b);
		tl->runtime_guessed = tl->runtime != NULL;
	}
	rt = tl->runtime;
	if (!rt)
		return;
	tl->runtime_pid = rt->pid;
	for (size_t j = 0; j < rt->nimages && !tl->runtime_image; j++)
		if (rt->images[j].exec_ts)
			tl->runtime_image = &rt->images[j];
	for (size_t j = 0; j < rt->nimages && !tl->runtime_go_image; j++)
		if (rt->images[j].is_go && rt->images[j].exec_ts)
			tl->runtime_go_image = &rt->images[j];
	sim = ct_proc_image_const(b->sender);
	if (!tl->runtime_go_image && sim && sim->is_go)
		tl->runtime_go_image = sim;
}

static void find_runtime_exec(struct tl_build *b)
{
	struct ct_timeline *tl = b->tl;

	find_runtime(b);
	if (tl->runtime_image)
		seen(tl, CT_MS_RUNTIME_EXEC, tl->runtime_image->exec_ts, tl->runtime_pid);
}

/* Whose the runtime's Go milestones are: the sender's, when its Go image
 * is the runtime's and it is not the runtime root (a shell's child). */
static uint32_t runtime_go_pid(const struct tl_build *b)
{
	const struct ct_timeline *tl = b->tl;

	if (tl->runtime_go_image && b->sender && tl->runtime_go_image == ct_proc_image_const(b->sender) &&
	    b->sender != tl->runtime)
		return b->sender->pid;
	return tl->runtime_pid;
}

static void find_runtime_rt_start(struct tl_build *b)
{
	go_rt_start(b->tl, b->tl->runtime_go_image, runtime_go_pid(b), CT_MS_RUNTIME_RT_START);
}

static void find_runtime_inits(struct tl_build *b)
{
	go_inits_done(b->tl, b->tl->runtime_go_image, runtime_go_pid(b), CT_MS_RUNTIME_INITS);
}

static void find_runtime_main(struct tl_build *b)
{
	go_main(b->tl, b->tl->runtime_go_image, runtime_go_pid(b), CT_MS_RUNTIME_MAIN);
}

/* The first /next, as the runtime sent it (the agent's reading if the
 * sender side was not seen). */
static void find_first_next(struct tl_build *b)
{
	struct ct_timeline *tl = b->tl;
	const struct ct_http *n = b->next_w ? b->next_w : b->next_r;

	if (!n)
		return;
	seen(tl, CT_MS_FIRST_NEXT, n->ts, b->next_w ? b->next_w->pid : tl->runtime_pid);
}

/* The agent's own figures: the first INIT RTDONE and INIT REPORT after
 * INIT_START (after its exec without one). */
static void find_init_report(struct tl_build *b)
{
	const struct ct_model *m = b->m;
	struct ct_timeline *tl = b->tl;
	uint64_t after = ms_ts(tl, CT_MS_INIT_START);
	bool found = false;

	if (!after)
		after = ms_ts(tl, CT_MS_AGENT_EXEC);
	for (size_t i = 0; tl->agent_pid && i < m->nlogs; i++) {
		const struct ct_log *l = &m->logs[i];

		if (l->pid != tl->agent_pid || l->ts < after)
			continue;
		if (l->ev->kind == LOG_INIT_RTDONE && !tl->init_status[0] && (l->ev->have & LOG_HAVE_STATUS))
			snprintf(tl->init_status, sizeof(tl->init_status), "%s", l->ev->status);
		if (l->ev->kind == LOG_INIT_REPORT && !found) {
			found = true;
			seen(tl, CT_MS_INIT_REPORT, l->ts, l->pid);
			if (l->ev->have & LOG_HAVE_DURATION) {
				tl->have_init_report = true;
				tl->init_report_ms = l->ev->duration_ms;
			}
			if (!tl->init_status[0] && (l->ev->have & LOG_HAVE_STATUS))
				snprintf(tl->init_status, sizeof(tl->init_status), "%s", l->ev->status);
		}
		if (found && tl->init_status[0])
			break;
	}
	if (tl->ms[CT_MS_INIT_REPORT].state != CT_MS_SEEN)
		na(tl, CT_MS_INIT_REPORT); /* AWS only prints it in some cases */
}

/* The invocation: the agent's answer to the first /next, on that
 * connection; it gives the request id. */
static void find_invoke(struct tl_build *b)
{
	const struct ct_model *m = b->m;
	struct ct_timeline *tl = b->tl;
	const struct ct_http *resp = NULL, *nr = b->next_r, *nw = b->next_w;

	for (size_t i = 0; (nr || nw) && i < m->nhttp; i++) {
		const struct ct_http *h = &m->http[i];

		if (h->kind != HTTP_RESPONSE)
			continue;
		if (nr && h->dir == CT_IO_WRITE && h->pid == nr->pid && h->ep.sock_id == nr->ep.sock_id &&
		    h->ts >= nr->ts) {
			resp = h;
			break;
		}
		if (!nr && h->dir == CT_IO_READ && h->pid == nw->pid && h->ep.sock_id == nw->ep.sock_id &&
		    h->ts >= nw->ts) {
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
}

/* The function's answer for that request id: the sender's side first. */
static void find_response(struct tl_build *b)
{
	const struct ct_model *m = b->m;
	struct ct_timeline *tl = b->tl;
	const struct ct_http *best = NULL;

	for (size_t i = 0; tl->request_id[0] && i < m->nhttp; i++) {
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
		tl->answered_error = best->api == LAMBDA_API_ERROR;
		seen(tl, CT_MS_RESPONSE, best->ts, best->pid);
	}
}

/* Without an invocation's request id, END and REPORT are the agent's first
 * after INIT_START (flagged request_id_from_log). */
static void request_id_from_log(struct tl_build *b)
{
	const struct ct_model *m = b->m;
	struct ct_timeline *tl = b->tl;
	uint64_t init_ts = ms_ts(tl, CT_MS_INIT_START);

	if (tl->request_id[0] || !init_ts || !tl->agent_pid)
		return;
	for (size_t i = 0; i < m->nlogs; i++) {
		const struct ct_log *l = &m->logs[i];

		if (l->pid == tl->agent_pid && l->ts >= init_ts &&
		    (l->ev->kind == LOG_END || l->ev->kind == LOG_REPORT) && (l->ev->have & LOG_HAVE_REQUEST_ID)) {
			snprintf(tl->request_id, sizeof(tl->request_id), "%s", l->ev->request_id);
			tl->request_id_from_log = true;
			break;
		}
	}
}

/* The first log line of this kind for the request id, -1 if none. */
static long request_log(const struct tl_build *b, enum log_kind kind)
{
	const struct ct_model *m = b->m;
	const char *rid = b->tl->request_id;

	for (size_t i = 0; rid[0] && i < m->nlogs; i++) {
		const struct ct_log *l = &m->logs[i];

		if (l->ev->kind == kind && (l->ev->have & LOG_HAVE_REQUEST_ID) && !strcmp(l->ev->request_id, rid))
			return (long)i;
	}
	return -1;
}

static void find_end(struct tl_build *b)
{
	long i;

	request_id_from_log(b);
	i = request_log(b, LOG_END);
	if (i >= 0)
		seen(b->tl, CT_MS_END, b->m->logs[i].ts, b->m->logs[i].pid);
}

static void find_report(struct tl_build *b)
{
	struct ct_timeline *tl = b->tl;
	const struct ct_log *l;
	long i;

	request_id_from_log(b);
	i = request_log(b, LOG_REPORT);
	if (i < 0)
		return;
	l = &b->m->logs[i];
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

/* Exits: not seen means still running, not missing. */
static void proc_exit(struct ct_timeline *tl, const struct ct_proc *p, uint32_t pid, enum ct_ms ms)
{
	if (p && p->exited)
		seen(tl, ms, p->exit_ts, pid);
	else
		na(tl, ms);
}

static void find_runtime_exit(struct tl_build *b)
{
	proc_exit(b->tl, b->tl->runtime, b->tl->runtime_pid, CT_MS_RUNTIME_EXIT);
}

static void find_agent_exit(struct tl_build *b)
{
	proc_exit(b->tl, b->tl->agent, b->tl->agent_pid, CT_MS_AGENT_EXIT);
}

/*
 * The milestones, in the order their finders run (the enum's): a finder may
 * use what the ones above it found. A new milestone is an enum ct_ms value,
 * a line here and its finder.
 */
static const struct {
	const char *name, *key;
	void (*find)(struct tl_build *b);
} ms_defs[CT_MS_COUNT] = {
	[CT_MS_AGENT_EXEC] = {"agent exec", "agent_exec", find_agent_exec},
	[CT_MS_AGENT_RT_START] = {"agent Go runtime start", "agent_go_runtime", find_agent_rt_start},
	[CT_MS_AGENT_INITS] = {"agent package inits done", "agent_inits_done", find_agent_inits},
	[CT_MS_AGENT_MAIN] = {"agent main.main", "agent_main", find_agent_main},
	[CT_MS_AGENT_READY] = {"Runtime API listening", "agent_ready", find_agent_ready},
	[CT_MS_INIT_START] = {"INIT_START", "init_start", find_init_start},
	[CT_MS_EXT_START] = {"extensions start", "extensions_start", find_ext_start},
	[CT_MS_EXT_REGISTERED] = {"extensions registered", "extensions_registered", find_ext_registered},
	[CT_MS_RUNTIME_EXEC] = {"runtime exec", "runtime_exec", find_runtime_exec},
	[CT_MS_RUNTIME_RT_START] = {"runtime Go runtime start", "runtime_go_runtime", find_runtime_rt_start},
	[CT_MS_RUNTIME_INITS] = {"runtime package inits done", "runtime_inits_done", find_runtime_inits},
	[CT_MS_RUNTIME_MAIN] = {"runtime main.main", "runtime_main", find_runtime_main},
	[CT_MS_FIRST_NEXT] = {"first /next", "first_next", find_first_next},
	[CT_MS_EXT_READY] = {"extensions ready", "extensions_ready", find_ext_ready},
	[CT_MS_INIT_DONE] = {"INIT done", "init_done", find_init_done},
	[CT_MS_INIT_REPORT] = {"INIT REPORT", "init_report", find_init_report},
	[CT_MS_INVOKE] = {"invocation delivered", "invocation", find_invoke},
	[CT_MS_RESPONSE] = {"response posted", "response", find_response},
	[CT_MS_END] = {"END", "end", find_end},
	[CT_MS_REPORT] = {"REPORT", "report", find_report},
	[CT_MS_RUNTIME_EXIT] = {"runtime exit", "runtime_exit", find_runtime_exit},
	[CT_MS_AGENT_EXIT] = {"agent exit", "agent_exit", find_agent_exit},
};

const char *ct_ms_name(enum ct_ms ms)
{
	return (unsigned)ms < CT_MS_COUNT ? ms_defs[ms].name : "?";
}

const char *ct_ms_key(enum ct_ms ms)
{
	return (unsigned)ms < CT_MS_COUNT ? ms_defs[ms].key : "unknown";
}

/* ---- the phases, from the milestones ---- */

static uint32_t phase_pid(const struct ct_timeline *tl, const struct ct_phase *ph)
{
	const struct ct_milestone *a = &tl->ms[ph->from], *b = &tl->ms[ph->to];

	switch (ph_defs[ph->id].owner) {
	case PH_OWNER_AGENT:
		return tl->agent_pid;
	case PH_OWNER_END:
		if (b->pid)
			return b->pid;
		break;
	case PH_OWNER_RUNTIME:
		if (b->pid)
			return tl->runtime_pid ? tl->runtime_pid : b->pid;
		break;
	case PH_OWNER_START:
		break;
	}
	return a->pid ? a->pid : b->pid;
}

static void set_phases(struct ct_timeline *tl)
{
	for (int p = 0; p < CT_PH_COUNT; p++) {
		struct ct_phase *ph = &tl->ph[p];
		const struct ct_milestone *a = &tl->ms[ph_defs[p].from], *b = &tl->ms[ph_defs[p].to];

		ph->id = (enum ct_phase_id)p;
		ph->from = ph_defs[p].from;
		ph->to = ph_defs[p].to;
		ph->in_sum = ph_defs[p].in_sum;
		ph->depth = ph_defs[p].depth;
		ph->kind = ph_defs[p].kind;
		ph->start = a->state == CT_MS_SEEN ? a->ts : 0;
		ph->end = b->state == CT_MS_SEEN ? b->ts : 0;
		ph->pid = phase_pid(tl, ph);
		ph->complete = ph->start && ph->end && ph->end >= ph->start;
		ph->dur = ph->complete ? ph->end - ph->start : 0;
	}
}

/* What is missing, the span of what was seen, and whether the chain of
 * consecutive phases is complete (details, a Go milestone or END/REPORT
 * lines, may still be listed as missing). */
static void summarize(struct ct_timeline *tl)
{
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
	tl->complete = true;
	for (int p = 0; p < CT_PH_COUNT; p++)
		if (tl->ph[p].in_sum && !tl->ph[p].complete)
			tl->complete = false;
}

static void build_one(const struct ct_model *m, const struct cand *c, struct ct_timeline *tl)
{
	struct tl_build b = {.m = m, .tl = tl};

	memset(tl, 0, sizeof(*tl));
	tl->invoke_http = -1;
	tl->agent_pid = c->pid;
	tl->agent = proc_of(m, c->pid);
	tl->agent_from_listener = c->from_listener;
	tl->api_port = c->port;

	find_requests(&b);
	if (find_extensions(&b)) {
		free(tl->ext); /* out of memory: the timeline without them */
		tl->ext = NULL;
		tl->next = tl->next_failed = 0;
	}
	for (int k = 0; k < CT_MS_COUNT; k++)
		ms_defs[k].find(&b);
	find_gates(tl);
	set_phases(tl);
	summarize(tl);
	holds(m, tl);
	build_note(m, tl);
	if (!tl->note[0] && !tl->complete)
		snprintf(tl->note, sizeof(tl->note), "milestones out of order: the phases do not add up");
	if (tl->next_failed)
		tl->complete = false; /* INIT failed, whatever the runtime did */
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
		const struct ct_image *im = p ? ct_proc_image_const(p) : NULL;

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
	for (size_t i = 0; t->v && i < t->n; i++)
		free(t->v[i].ext);
	free(t->v);
	t->v = NULL;
	t->n = 0;
}
