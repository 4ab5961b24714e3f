/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * model: correlate the raw event stream into one model of the traced tree:
 * processes (fork, exec images, exit) and, per Go image, runtime start,
 * each package init and main.main. Pure C, no BPF: unit tests and fuzzers
 * feed it event records directly; every renderer reads only this model.
 */
#ifndef COLDTRACE_MODEL_H
#define COLDTRACE_MODEL_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "coldtrace.h"
#include "hashmap.h"
#include "httpparse.h"
#include "logline.h"

/* The jsonl schema: written by views/jsonl.c, read back by report/report.c. */
#define CT_JSONL_SCHEMA "coldtrace/1"

#define CT_PKG_LEN 256
#define CT_INIT_STACK 16

/* A thread's counters (coldtrace.h struct ct_tcounters), or their sum over
 * threads, in 64 bits. */
struct ct_counts {
	uint64_t run_ns, min_flt, maj_flt, nvcsw, nivcsw;
};

struct ct_pkginit {
	char pkg[CT_PKG_LEN]; /* as Go's inittrace names it */
	uint64_t start;       /* first init function called (ns, CLOCK_MONOTONIC) */
	uint64_t end;         /* last init function returned; 0 if it never did */
	uint32_t nfns;        /* init functions that returned (or were called) */
	uint32_t nfns_task;   /* functions the task declares (0: unknown) */
	uint64_t task;        /* the initTask's address (0: unknown) */
	/* The thread's counters at the first and the last probe hit of the
	 * package (struct ct_go's c): figures are known only when both were
	 * seen on the same thread (breakdown.h: ct_bd_pkginit). */
	struct ct_tcounters c_start, c_end;
	uint32_t tid_start, tid_end; /* 0: that hit was not seen (or had no counters) */
	/* se.sum_exec_runtime is brought up to date at ticks and switches, so
	 * run_ns at a probe hit may be a tick behind. When the thread's state
	 * spans cover [start, end], ct_model_finish sets its time on a CPU in
	 * them here (exact to the switch), and breakdown.h uses it. */
	bool cpu_sched;
	uint64_t cpu_sched_ns;
	/* --allocs: what the task's init functions allocated, as
	 * GODEBUG=inittrace=1 counts it (bpf/goalloc.h); only if counted */
	bool allocs_counted;
	uint64_t allocs, bytes;
	uint32_t tiny; /* of the allocs: tiny ones */
};

/*
 * One module a CPython image loaded (it was not in sys.modules yet): what
 * one line of `python -X importtime` reports. Times are the kernel's
 * (CLOCK_MONOTONIC ns) at the import probes (coldtrace.h, enum ct_py_probe).
 */
#define CT_PYNAME_MAX 256
#define CT_PY_THREADS 8  /* threads of one image whose imports are paired */
#define CT_PY_STACK 64   /* loads open at once on one thread */

struct ct_pyimport {
	char name[CT_PYNAME_MAX]; /* the module's absolute name, UTF-8 */
	bool name_cut;            /* longer than the probe reads (127 bytes) */
	uint64_t start;           /* its _find_and_load call */
	uint64_t end;             /* the load returned; 0: never seen to */
	uint64_t child_ns;        /* the loads nested in it, their whole times added */
	uint32_t tid;
	uint32_t level;           /* loads open around it on its thread (0: top) */
	int32_t parent;           /* pyimports index of the load it is nested in, -1 */
	uint32_t end_seq;         /* 1, 2, ...: the order loads ended in (importtime's
				   * order of lines); 0: never ended */
	struct ct_tcounters c_start, c_end; /* the thread's counters at both ends */
};

/* Its whole (cumulative) and self times in ns (0 if it never ended). */
uint64_t ct_pyimport_cum(const struct ct_pyimport *pi);
uint64_t ct_pyimport_self(const struct ct_pyimport *pi);

/* One program image: what a process runs after an exec (or, for the image
 * before any exec we saw, what it inherited from its parent). */
struct ct_image {
	uint64_t exec_ts; /* 0 for an inherited image */
	uint64_t dev, ino; /* the exec'd file (0, 0: unknown); page-cache misses
			    * of a file no open names are the image's when they match */
	/* The kernel reading the file while it execs it (page-cache misses of
	 * dev/ino in this process before exec_ts, after its previous exec):
	 * before the exec record, so before any phase that starts there. */
	uint64_t exec_miss_pages;
	uint64_t exec_miss_first; /* the first of them (0: none) */
	uint64_t held_ns; /* coldtrace held the process stopped this long after
			   * exec, to attach probes (first exec of a binary) */
	char path[CT_PATH_LEN];
	char comm[CT_COMM_LEN];
	char *argv; /* NUL-separated, argv_len bytes */
	size_t argv_len;
	bool argv_truncated;

	/* Go (filled when the loader recognised the binary or a Go probe fired) */
	bool is_go;
	uint32_t bin_id;
	char go_version[32];
	char go_note[320]; /* why Go init could not be traced, if it could not */
	uint64_t rt_start;  /* runtimeInitTime (0: unknown) */
	uint64_t main_main; /* main.main entered (0: not seen) */
	struct ct_pkginit *pkgs;
	size_t npkgs, cap;
	/* pairing of init calls and returns (per image: Go inits on one thread) */
	int stack[CT_INIT_STACK]; /* index into pkgs of each open call */
	int depth;
	int last_closed; /* pkgs index closed by the last return at this depth, -1 */
	bool task_mode;  /* task-start probes: a package is one task */
	int cur;         /* task_mode: pkgs index of the running task, -1 */
	bool cur_returned; /* task_mode: a function of it has returned */

	/* CPython (filled when the loader recognised the interpreter, or the
	 * libpython it links, or an import probe fired) */
	bool is_python;
	uint32_t py_bin;      /* binary id of the interpreter or libpython */
	char py_version[24];  /* "3.11.2" */
	char py_note[320];    /* why imports could not be traced, if they could not */
	struct ct_pyimport *pyimports; /* in the order loads started */
	size_t npyimports, pycap;
	uint32_t py_end_seq;  /* loads ended so far */
	struct ct_pystack *pystack; /* loads open per thread (CT_PY_THREADS), from
				     * the first import event; freed at finish */
};

struct ct_pystack {
	uint32_t tid;
	int depth;
	int32_t open[CT_PY_STACK];
	uint32_t level[CT_PY_STACK]; /* the probes' depth of each (0: not sent) */
};

struct ct_proc {
	uint32_t pid, ppid, nspid;
	uint64_t start_ts; /* fork (or first sight) */
	uint64_t exit_ts;
	int exit_status; /* wait status */
	bool exited;
	bool is_root;
	struct ct_image *images; /* in exec order */
	size_t nimages;

	/* Scheduler figures, summed at ct_model_finish over the process's
	 * threads (m->have_sched; 0 otherwise). The kernel's accounting, to
	 * compare with wait4()'s rusage and taskstats (model/acct.c). */
	struct ct_counts sum;     /* each thread's last counters, added */
	uint32_t nthreads;        /* threads seen (any scheduler record) */
	uint32_t dead_nonleader;  /* threads other than the leader whose final
				   * switch (CT_TS_DEAD) was seen: rusage misses
				   * that switch, so its nvcsw is less by this */
	uint64_t state_ns[CT_TS_COUNT]; /* time in each state, over its threads */
	uint64_t runnable_ns;     /* state_ns[CT_TS_RUNNABLE] */
	uint64_t unqueued_ns;     /* of it, what delay accounting does not count
				   * (CT_TSPAN_UNQUEUED spans) */
	uint32_t sched_gaps;      /* its threads' gaps: a state whose end (or a
				   * run whose switch in) no record showed */
};

/* One end of a connection as a traced process saw it. */
struct ct_endpoint {
	uint16_t family; /* AF_INET, AF_INET6, AF_UNIX, 0 */
	uint16_t lport, rport;
	uint8_t laddr[16], raddr[16];
	uint64_t sock_id;
};

/* An HTTP/1.x message head seen on a traced process's socket. Only the
 * allowlisted headers are kept; never bodies. */
struct ct_http {
	uint64_t ts;      /* the syscall carrying the first byte */
	uint64_t ts_head; /* the syscall completing the head */
	uint32_t pid, tid;
	uint8_t dir;      /* CT_IO_WRITE: the process sent it; CT_IO_READ: received */
	uint8_t kind;     /* HTTP_REQUEST / HTTP_RESPONSE */
	uint8_t method;   /* enum http_method */
	uint8_t api;      /* enum lambda_api */
	int status;
	uint32_t index;   /* message number on its stream */
	unsigned flags;   /* enum http_msg_flags; HTTP_F_INCOMPLETE | HTTP_F_EOF: the
			   * head was cut by the end of the stream (its process
			   * exited, or the trace ended, inside the header block) */
	int64_t body_len;
	struct ct_endpoint ep;
	char *path; /* request target ("" for responses): allocated, not fixed,
		     * so that a long trace of a busy server stays small */
	char api_id[64];
	char reason[48];
	char *hdr[HTTP_H_COUNT]; /* allowlisted values (NULL: absent) */
	long peer;        /* index of the same message seen by the other end, -1 */
};

/* A line written to stdout/stderr that marks a phase (logline.h kinds). */
struct ct_log {
	uint64_t ts;
	uint32_t pid, tid, fd;
	struct log_event *ev; /* the classified line and its fields */
};

struct ct_listen_rec {
	uint64_t ts;
	uint32_t pid, tid;
	struct ct_endpoint ep; /* lport/laddr: where it listens */
};

/*
 * A thread, from its scheduler records (CT_EV_SCHED). One per thread life:
 * a tid seen again after its final switch (CT_TS_DEAD), or under another
 * pid, starts a new one.
 */
struct ct_thread {
	uint32_t pid, tid;
	bool leader;   /* tid == pid */
	bool dead;     /* its final switch was seen: last is final */
	uint8_t state; /* enum ct_tstate it is in; CT_TS_COUNT: unknown */
	uint64_t since;            /* when it entered state (state known) */
	struct ct_tcounters at;    /* counters when state began (at_known) */
	bool at_known;
	uint64_t first_ts, last_ts; /* its first and last record */
	struct ct_tcounters first, last; /* counters at them (last: the newest) */
	uint64_t state_ns[CT_TS_COUNT]; /* closed spans, per state (also those
					 * whose span record was dropped) */
	bool unqueued;        /* its runnable state began with a preemption
			       * while a sleep state was set (ct_sched.task_state) */
	uint64_t unqueued_ns; /* of state_ns[RUNNABLE], such spans */
	uint32_t gaps;        /* states whose end no record showed (m->sched_gaps) */
};

/* A span of one thread in one scheduler state. Spans start and end at
 * records: a state whose start (or end) was not seen is not invented. */
struct ct_tspan {
	uint64_t start, end; /* ns, start <= end */
	uint32_t pid, tid;
	uint8_t state;       /* enum ct_tstate, never CT_TS_DEAD */
	uint8_t flags;       /* enum ct_tspan_flags */
	uint16_t _pad;
	/* CT_TS_RUNNING with CT_TSPAN_COUNTED: the counters' change (OUT.c -
	 * IN.c): CPU time, faults, and the switches, the one ending it included */
	uint32_t min_flt, maj_flt, nvcsw, nivcsw;
	uint64_t run_ns;
	/* the thread's CPU time when the span began (its counter at the record
	 * that opened it; 0 if not read): places a span before or after a
	 * reading of the same counter elsewhere (acct.c's taskstats record) */
	uint64_t cpu_at_start;
};

enum ct_tspan_flags {
	CT_TSPAN_COUNTED = 1 << 0, /* counter deltas known (both ends had counters) */
	CT_TSPAN_CUT = 1 << 1,     /* ended by its process's exit or the trace's end */
	/* runnable after a preemption that came with a sleep state already set:
	 * on the run queue, but the kernel's delay accounting (sched_info, which
	 * taskstats reports) counts only TASK_RUNNING tasks as waiting */
	CT_TSPAN_UNQUEUED = 1 << 2,
};

/* A regular file opened by a traced process (CT_EV_OPEN). */
struct ct_file {
	uint64_t ts;
	uint32_t pid, tid;
	int32_t fd;
	uint32_t flags;    /* open flags */
	uint64_t dev, ino; /* kernel-encoded dev_t, inode */
	uint64_t size;     /* i_size at open */
	char *path;        /* as passed to open (may be relative); allocated */
	uint64_t read_bytes, reads; /* attributed reads (struct ct_fread_rec) */
	uint64_t miss_pages;        /* page-cache misses attributed to it */
};

/* Bytes read from a regular file (CT_EV_FREAD), in arrival order. */
struct ct_fread_rec {
	uint64_t ts;
	uint32_t pid, tid;
	long file; /* m->files index: the open of (pid, fd), else the newest open
		    * of (dev, ino); -1: none seen */
	uint64_t bytes;
	uint64_t dev, ino;
};

/* File pages a thread brought into the page cache (CT_EV_PCACHE). */
struct ct_miss_rec {
	uint64_t ts;
	uint32_t pid, tid;
	long file; /* m->files index of the newest open of (dev, ino), -1 */
	uint64_t dev, ino;
	uint64_t pages;
};

/* Parser state for one (process, socket or fd, direction). */
struct ct_stream;
struct ct_acct;

/* What the model asks its owner about binaries and addresses. */
struct ct_model_ops {
	/* Package path of the init function at runtime address @fn, seen by the
	 * probe of kind @probe_kind at runtime address @ip of binary @bin. */
	const char *(*pkg_of)(void *ctx, uint32_t bin, uint32_t probe_kind, uint64_t ip, uint64_t fn);
	/* Go version of binary @bin ("go1.19.8"), NULL if unknown. */
	const char *(*bin_version)(void *ctx, uint32_t bin);
	void *ctx;
};

struct ct_model {
	struct ct_proc *procs;
	size_t nprocs, cap;
	uint32_t *index; /* open-addressing pid -> procs index + 1 */
	size_t index_cap;
	struct ct_model_ops ops;
	uint64_t lost[CT_EV_MAX]; /* events the kernel could not deliver */
	uint64_t bad_events;      /* malformed records (wrong size, unknown type) */
	uint64_t unpaired;        /* Go init returns without a call, and the like */
	uint64_t bad_tasks;       /* task starts whose task was not running (state != 1) */
	uint64_t first_ts, last_ts;
	uint32_t root_pid;

	/* I/O: HTTP messages, phase log lines, listening sockets, in time order */
	struct ct_http *http;
	size_t nhttp, http_cap;
	struct ct_log *logs;
	size_t nlogs, logs_cap;
	struct ct_listen_rec *listens;
	size_t nlistens, listens_cap;
	struct ct_hmap streams; /* (pid, key, dir) -> struct ct_stream *; .n streams open */
	uint64_t io_events, io_bytes, io_bytes_lost;
	uint64_t http_desyncs;
	uint64_t dropped_records; /* records and parsers not kept (memory budget, limits) */

	/*
	 * Options: set them after ct_model_init(), before the first event.
	 *
	 * keep_query: keep the values of HTTP request-target query strings.
	 * By default every value is replaced by CT_REDACTED (redact.h) and the
	 * parameter names are kept. Secrets (X-Amz-Signature=, token= ...) are
	 * redacted either way, here as in argv, paths and log lines.
	 *
	 * mem_budget: bytes the model may hold (records, strings, parsers),
	 * 0 for CT_MODEL_MEM_DEFAULT. I/O records (HTTP, log lines, listeners)
	 * and their parsers may take all but an eighth of it, kept for
	 * processes, execs and Go inits. What does not fit is not kept and is
	 * counted in dropped_records (and dropped_budget): the trace is then
	 * incomplete.
	 */
	bool keep_query;
	uint64_t mem_budget;

	/*
	 * The kernel-level breakdown (issue 12). have_*: at least one such
	 * record came, so views tell "off" (--no-sched, --no-files) from zero.
	 * Spans, files, reads and misses count against the budget like I/O
	 * records; what does not fit is counted in dropped_records and in
	 * dropped_sched / dropped_files (the breakdown is then incomplete).
	 * After ct_model_finish tspans, freads and misses are sorted by time.
	 */
	bool have_sched, have_files, have_pcache;
	struct ct_thread *threads;
	size_t nthreads, threads_cap;
	struct ct_hmap thread_map; /* tid -> threads index of its newest life */
	struct ct_tspan *tspans;
	size_t ntspans, tspans_cap;
	struct ct_file *files;
	size_t nfiles, files_cap;
	struct ct_hmap fd_map;  /* (pid, fd) -> files index of the newest open */
	struct ct_hmap ino_map; /* (dev, ino) -> files index of the newest open */
	struct ct_fread_rec *freads;
	size_t nfreads, freads_cap;
	struct ct_miss_rec *misses;
	size_t nmisses, misses_cap;
	uint64_t sched_events, sched_late; /* late: older than its thread's state */
	uint64_t sched_gaps;    /* a state ended by a record that did not follow it
				 * (a record between was lost): its span is not kept */
	uint64_t dropped_sched; /* spans and threads not kept (budget) */
	uint64_t dropped_files; /* opens, reads, misses not kept (budget) */
	uint32_t page_size;     /* bytes per page-cache page (4096 unless set) */

	uint64_t mem_used;       /* bytes held now (allocation sizes + 16 each) */
	uint64_t mem_peak;       /* the most mem_used ever was */
	uint64_t dropped_budget; /* of dropped_records: for the memory budget */

	/* The kernel's own accounting of the run (model/acct.h), set by run
	 * before rendering and owned by it; NULL elsewhere. The jsonl view
	 * writes its records before the summary. */
	const struct ct_acct *acct;
};

#define CT_MODEL_MEM_DEFAULT (64ull << 20) /* mem_budget 0: 64 MiB */
#define CT_MODEL_MAX_STREAMS 8192          /* parsers alive at once */

/* After the last event: end every stream still open (as a process's exit
 * does for its own: see struct ct_http's flags) and free the parsers, sort the
 * I/O records by time and pair every sent HTTP message with its reading by
 * the other end (when both ends are traced; sets ct_http.peer). */
void ct_model_finish(struct ct_model *m);

/* "127.0.0.1:9001", "[::1]:9001", "unix" into buf. */
void ct_endpoint_str(const struct ct_endpoint *ep, bool local, char *buf, size_t len);

void ct_model_init(struct ct_model *m, const struct ct_model_ops *ops);
void ct_model_free(struct ct_model *m);

/* The root of the tree, seen before it execs (the loader forks it). */
struct ct_proc *ct_model_add_root(struct ct_model *m, uint32_t pid, uint64_t ts);
/* Feed one raw record as it came from the ring buffer. 0, or -1 if malformed
 * (shorter than its kind's min_size, or a kind the model does not take). */
int ct_model_add_event(struct ct_model *m, const void *data, size_t size);

/*
 * The record types, one table in model.c: a new probe's record is one line
 * there {type, min_size, name, handler}. Every reader of the types (the
 * model's ingest, the jsonl writer's loss counts, the views) goes through it.
 */
struct ct_event_kind {
	uint32_t type;    /* enum ct_event_type */
	size_t min_size;  /* shortest valid record (bytes) */
	const char *name; /* "exec", "io" ...: the key in outputs */
	/* the model's handler; NULL: not a model event (the tracer's own) */
	void (*handler)(struct ct_model *m, const void *data, size_t size);
};

/* The kind of record type, or NULL if unknown. */
const struct ct_event_kind *ct_event_kind(uint32_t type);
/* Its name, "other" if unknown. */
const char *ct_event_name(uint32_t type);
/* Events the kernel could not deliver, all kinds together. */
uint64_t ct_model_lost_total(const struct ct_model *m);
/* The budget in force (mem_budget, or the default). */
uint64_t ct_model_budget(const struct ct_model *m);
/* The newest process record with this pid, or NULL. Readers of a finished
 * model (views, phases) use the _const forms. */
struct ct_proc *ct_model_proc(struct ct_model *m, uint32_t pid);
const struct ct_proc *ct_model_proc_const(const struct ct_model *m, uint32_t pid);
/* The process's current image (the last exec), or NULL (p may be NULL). */
struct ct_image *ct_proc_image(struct ct_proc *p);
const struct ct_image *ct_proc_image_const(const struct ct_proc *p);
/* Mark the current image of pid as Go (the loader inspected the binary). */
void ct_model_set_go(struct ct_model *m, uint32_t pid, uint32_t bin_id, const char *version,
		     const char *note);

/* coldtrace resumed pid (held since its exec) at ts. */
void ct_model_set_resumed(struct ct_model *m, uint32_t pid, uint64_t ts);
/* pid's image is CPython @version (or links it; @bin_id the interpreter's
 * or the library's binary id); @note (may be NULL): why its imports are not
 * traced. */
void ct_model_set_python(struct ct_model *m, uint32_t pid, uint32_t bin_id, const char *version,
			 const char *note);
/* When the image started running its own code: exec + the hold. */
uint64_t ct_image_run_ts(const struct ct_image *im);

/* Derived figures of a Go image (ns; 0 when not known). */
uint64_t ct_image_last_init_end(const struct ct_image *im);
uint64_t ct_image_init_total(const struct ct_image *im); /* sum of package clocks */

#endif /* COLDTRACE_MODEL_H */
