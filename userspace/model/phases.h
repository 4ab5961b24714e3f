/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * phases: ONE timeline of a sandbox's cold start, derived from a finished
 * model (after ct_model_finish). Pure C, no BPF; every view (text, jsonl,
 * perfetto, svg, otlp) draws from it.
 *
 * Roles come from the data, not from names:
 *   - the *agent* receives the runtime's first GET .../runtime/invocation/next
 *     (ct_http api LAMBDA_API_NEXT, dir CT_IO_READ); if its side was not
 *     seen, it is the process listening on the port the /next went to. A
 *     process that logged INIT_START (or the RIE's INIT START) and listens
 *     is an agent too, so a runtime that never asks /next still gets a
 *     timeline (one that says what is missing);
 *   - the *runtime* sent that /next (dir CT_IO_WRITE). Its root is the
 *     agent's child that is an ancestor of (or is) the sender (a shell
 *     runtime's curl is a descendant of bootstrap). Without any Runtime API
 *     request, the runtime is guessed: the agent's first child exec'd after
 *     INIT_START (runtime_guessed).
 *
 * One timeline per agent, ordered by the agent's exec (or first sight).
 * Timelines point into the model: keep the model alive while using them.
 */
#ifndef COLDTRACE_PHASES_H
#define COLDTRACE_PHASES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

/*
 * Milestones, in the order phases.c finds them: each has one finder and one
 * line in its ms_defs table ({name, key, find}); a finder may use the
 * milestones above it. Phases (enum ct_phase_id) run between two milestones,
 * one line each in ph_defs ({name, key, from, to, in_sum, depth, owner,
 * kind}). A runtime that is not Lambda-like adds values, lines and finders
 * here and in phases.c, not branches: every view loops over both enums.
 * jsonl, perfetto and otlp keep the enum's order; text too, with the total
 * (depth 0) last; svg draws a Gantt chart, by start milestone then depth.
 * A phase's colour comes from its kind (text and svg).
 */
enum ct_ms {
	CT_MS_AGENT_EXEC = 0,
	CT_MS_AGENT_RT_START,   /* the agent image's runtimeInitTime */
	CT_MS_AGENT_INITS,      /* its last package init returned */
	CT_MS_AGENT_MAIN,       /* main.main */
	CT_MS_AGENT_READY,      /* listen() on the Runtime API port */
	CT_MS_INIT_START,       /* INIT_START (AWS) or INIT START (RIE) log line */
	CT_MS_EXT_START,        /* the first extension's exec (NA: no extension) */
	CT_MS_EXT_REGISTERED,   /* the agent's reply to the last registration */
	CT_MS_RUNTIME_EXEC,     /* the runtime root's first exec */
	CT_MS_RUNTIME_RT_START, /* when the runtime is Go */
	CT_MS_RUNTIME_INITS,
	CT_MS_RUNTIME_MAIN,
	CT_MS_FIRST_NEXT,       /* the runtime sent its first GET /next */
	CT_MS_EXT_READY,        /* the last extension's first GET event/next */
	CT_MS_INIT_DONE,        /* INIT's end: the later of the two above (NA
				 * without extensions: then it is first /next) */
	CT_MS_INIT_REPORT,      /* the agent's INIT REPORT log line */
	CT_MS_INVOKE,           /* the agent answered that /next: the invocation */
	CT_MS_RESPONSE,         /* POST /response (or /error) for its request id */
	CT_MS_END,              /* END RequestId: <id> */
	CT_MS_REPORT,           /* REPORT RequestId: <id> */
	CT_MS_RUNTIME_EXIT,
	CT_MS_AGENT_EXIT,
	CT_MS_COUNT
};

enum ct_ms_state {
	CT_MS_MISSING = 0, /* expected but not seen: listed in missing[] */
	CT_MS_SEEN,
	CT_MS_NA,          /* does not apply (runtime not Go, process still running) */
};

struct ct_milestone {
	enum ct_ms_state state;
	uint64_t ts;  /* CLOCK_MONOTONIC ns (SEEN) */
	uint32_t pid; /* who did it (0: unknown) */
};

enum ct_phase_id {
	CT_PH_TOTAL = 0,        /* agent exec -> response posted */
	CT_PH_AGENT_INIT,       /* agent exec -> Runtime API listening */
	CT_PH_AGENT_GO,         /* agent runtime start -> main.main (inside the above) */
	CT_PH_WAIT_INIT,        /* agent ready -> INIT_START */
	CT_PH_RUNTIME_START,    /* INIT_START -> runtime exec */
	CT_PH_EXT_REGISTER,     /* extensions start -> all registered (inside the above) */
	CT_PH_FUNC_INIT,        /* runtime exec -> first /next */
	CT_PH_RUNTIME_GO,       /* runtime's runtime start -> main.main */
	CT_PH_FUNC_INIT_AGENT,  /* INIT_START -> first /next (what INIT REPORT should say) */
	CT_PH_INIT_ALL,         /* INIT_START -> INIT done: runtime and extensions ready */
	CT_PH_EXT_WAIT,         /* runtime ready -> last extension ready (0 when the
				 * runtime was last; inside delivery) */
	CT_PH_DELIVER,          /* first /next -> invocation delivered */
	CT_PH_INVOKE,           /* invocation delivered -> response posted */
	CT_PH_COUNT
};

/* What a phase is: its colour in text and svg (svg draws depth 2 lighter). */
enum ct_phase_kind {
	CT_PK_HANDOFF = 0, /* waiting, a hand-off between processes (the default) */
	CT_PK_TOTAL,       /* the whole cold start */
	CT_PK_AGENT,       /* the agent's own work */
	CT_PK_RUNTIME,     /* the runtime's (the function's) own work */
	CT_PK_AGENT_VIEW,  /* the runtime's work as the agent measures it */
	CT_PK_INVOKE,      /* the invocation */
	CT_PK_EXTENSION,   /* the extensions' work, or waiting for it */
};

struct ct_phase {
	enum ct_phase_id id;
	enum ct_phase_kind kind;
	enum ct_ms from, to;
	uint64_t start, end; /* 0 when the milestone was not seen */
	uint64_t dur;        /* end - start when complete */
	uint32_t pid;        /* whose phase it is */
	bool complete;       /* both ends seen, in order */
	bool in_sum;         /* one of the consecutive phases that make up TOTAL */
	int depth;           /* 0: TOTAL, 1: consecutive, 2: overlaps / nested */
	uint64_t held_ns;    /* of it, time coldtrace held new binaries stopped */
};

/*
 * A Lambda extension: a process the agent started (from /opt/extensions)
 * that registers with the Extensions API (POST /2020-01-01/extension/register,
 * Lambda-Extension-Name = its file name; the reply carries its
 * Lambda-Extension-Identifier), may subscribe to the Telemetry or Logs API,
 * and is ready at its first GET /2020-01-01/extension/event/next. INIT ends
 * only when the runtime and every extension are ready.
 *
 * Found from the data: a descendant of the agent (not the runtime's tree)
 * that sent a register request to this agent, or an agent's child exec'd
 * between INIT_START and the runtime's exec that never registered (a
 * failed one). Each is a lane of its own in every view.
 */
enum ct_ext_state {
	CT_EXT_READY = 0,  /* registered and asked for its first event */
	CT_EXT_STARTED,    /* exec'd, never registered, still running at the end */
	CT_EXT_REGISTERED, /* registered, never asked for an event, still running */
	CT_EXT_INIT_ERROR, /* POST /extension/init/error before being ready */
	CT_EXT_EXIT_ERROR, /* POST /extension/exit/error */
	CT_EXT_EXITED,     /* exited before its first event/next */
};

#define CT_EXT_NAME_MAX 64
#define CT_EXT_SUBS_MAX 4

/* A subscription: PUT /2022-07-01/telemetry or PUT /2020-08-15/logs. */
struct ct_ext_sub {
	uint8_t api;       /* LAMBDA_API_TELEMETRY or LAMBDA_API_LOGS */
	uint64_t ts;       /* request sent (the agent's reading if unseen) */
	uint64_t reply_ts; /* the agent's answer (0 unseen) */
	int status;        /* its HTTP status (0 unseen) */
};

struct ct_extension {
	char name[CT_EXT_NAME_MAX];    /* Lambda-Extension-Name, else the file name */
	char id[CT_EXT_NAME_MAX];      /* Lambda-Extension-Identifier ("" unseen) */
	char events[CT_EXT_NAME_MAX];  /* from the agent's EXTENSION line ("" unseen) */
	char error_type[LOG_ID_MAX];   /* init/exit error header, else the agent's log */
	const struct ct_proc *proc;    /* the process that registered (or was exec'd) */
	const struct ct_image *image;  /* its first exec'd image (NULL unseen) */
	const struct ct_image *go_image; /* its Go image, or NULL */
	uint32_t pid;
	enum ct_ext_state state;
	int register_status;           /* HTTP status of the register reply (0 unseen) */
	uint64_t exec_ts;              /* 0: not seen (every *_ts: 0 unseen) */
	uint64_t go_rt_start, go_inits_done, go_main; /* when Go */
	uint64_t register_ts;          /* register request sent */
	uint64_t registered_ts;        /* the agent's reply */
	uint64_t ready_ts;             /* its first GET event/next */
	uint64_t error_ts;             /* init/error or exit/error request */
	uint64_t exit_ts;              /* 0 while it runs */
	int exit_status;               /* wait status, when exit_ts */
	struct ct_ext_sub subs[CT_EXT_SUBS_MAX];
	size_t nsubs;
	bool failed;                   /* INIT_ERROR, EXIT_ERROR or EXITED */
};

/* Who INIT (or the runtime's start) waited for last. */
struct ct_gate {
	bool known;         /* something was waited for */
	bool is_runtime;    /* the runtime, else extension ext */
	long ext;           /* index into tl->ext (-1: the runtime) */
	uint32_t pid;
	uint64_t ts;        /* its ready (or registered) time */
	uint64_t by_ns;     /* how much later than the one before it */
};

struct ct_timeline {
	const struct ct_proc *agent;       /* NULL if only guessed from a port */
	const struct ct_image *agent_image;
	const struct ct_proc *runtime;     /* the runtime root, NULL if not found */
	const struct ct_image *runtime_image;    /* its first exec'd image */
	const struct ct_image *runtime_go_image; /* the Go image of the runtime, or NULL */
	uint32_t agent_pid, runtime_pid, sender_pid;
	bool agent_from_listener; /* the agent side of /next was not seen */
	bool runtime_guessed;     /* no Runtime API request seen: first child after INIT_START */
	uint16_t api_port;        /* Runtime API port (0: unknown) */
	char request_id[128];     /* from the /next response (or the agent's log: see below) */
	bool request_id_from_log; /* no /next answer: END/REPORT are the agent's first */
	bool answered_error;      /* the runtime posted /error, not /response */

	struct ct_milestone ms[CT_MS_COUNT];
	struct ct_phase ph[CT_PH_COUNT];

	/* The agent's own figures, to show beside the measured ones. */
	bool have_init_report;
	double init_report_ms;      /* INIT REPORT durationMs */
	bool have_report_init;
	double report_init_ms;      /* REPORT Init Duration */
	bool have_report_duration;
	double report_duration_ms;  /* REPORT Duration */
	char init_status[LOG_ID_MAX]; /* INIT RTDONE status ("success", "error"), "" */

	/* What is missing, in milestone order. complete: every consecutive
	 * phase (in_sum) was seen, in order, so they add up to the total;
	 * missing[] may still list details (a Go milestone, END, REPORT). */
	enum ct_ms missing[CT_MS_COUNT];
	size_t nmissing;
	bool complete;
	char note[320];     /* what went wrong, one sentence ("" when complete) */

	uint64_t t0, t_end; /* first and last seen milestone */
	uint64_t held_ns;   /* coldtrace holds inside [t0, t_end] (union) */

	long invoke_http; /* the agent's answer to the first /next (m->http index, -1: none) */

	/* Extensions, by exec (else registration) time; ext is malloc'ed and
	 * freed by ct_timelines_free. */
	struct ct_extension *ext;
	size_t next;
	size_t next_failed;      /* of them, failed */
	struct ct_gate init_gate;     /* INIT's end: runtime or the last extension */
	struct ct_gate register_gate; /* the runtime's start: the last to register */
};

struct ct_timelines {
	struct ct_timeline *v;
	size_t n;
};

/* Build the timelines of every sandbox in m. 0, or -1 when out of memory
 * (out is then empty). Works on partial models. Free with ct_timelines_free. */
int ct_timelines_build(const struct ct_model *m, struct ct_timelines *out);
void ct_timelines_free(struct ct_timelines *t);

const char *ct_ms_name(enum ct_ms ms);       /* "agent exec", "first /next" ... */
const char *ct_ms_key(enum ct_ms ms);        /* "agent_exec", "first_next" ... */
const char *ct_phase_name(enum ct_phase_id ph); /* "agent init" ... */
const char *ct_phase_key(enum ct_phase_id ph);  /* "agent_init" ... */
const char *ct_ext_state_name(enum ct_ext_state st); /* "ready", "init error" ... */
const char *ct_ext_state_key(enum ct_ext_state st);  /* "ready", "init_error" ... */

/* An extension's own spans, 0 when an end was not seen:
 * exec -> registered, exec -> ready, Go runtime start -> main.main. */
uint64_t ct_ext_to_register(const struct ct_extension *e);
uint64_t ct_ext_to_ready(const struct ct_extension *e);
uint64_t ct_ext_go_init(const struct ct_extension *e);

/* How an extension's INIT ended, for a label: "ready", "init error
 * (Extension.ConfigInvalid)", "exited before registering: exit 3" ... */
void ct_ext_outcome(const struct ct_extension *e, char *buf, size_t len);
/* When a failed extension gave up (its init/error, else its exit); 0 when
 * it did not fail before being ready. */
uint64_t ct_ext_fail_ts(const struct ct_extension *e);

/* "INIT waited for extension ct-ext-sleep (pid 12) last: ready 250.1 ms
 * after the runtime's first /next" into buf ("" when nothing to say). */
void ct_gate_sentence(const struct ct_timeline *tl, const struct ct_gate *g, bool init, char *buf, size_t len);

/* False when the phase cannot happen here (an end does not apply: the
 * runtime is not Go, ...): views leave it out. */
bool ct_phase_applies(const struct ct_timeline *tl, const struct ct_phase *ph);

/* The processes of the sandbox: the agent and its descendants (or, without
 * an agent, the runtime's tree), by start time. *procs is malloc'ed (free
 * it); returns the count (0 on no memory). */
size_t ct_timeline_procs(const struct ct_model *m, const struct ct_timeline *tl,
			 const struct ct_proc ***procs);

/* "basename of the last exec'd path", or comm, or "pid N" into buf. */
void ct_proc_label(const struct ct_proc *p, char *buf, size_t len);

#endif /* COLDTRACE_PHASES_H */
