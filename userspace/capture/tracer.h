/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tracer: loads the BPF objects, keeps the traced set and the table of
 * inspected binaries, attaches Go probes, and feeds every event into the
 * model. The only module that talks to the kernel.
 */
#ifndef COLDTRACE_TRACER_H
#define COLDTRACE_TRACER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "model.h"

struct ct_tracer_opts {
	bool verbose;          /* libbpf's own log on stderr */
	size_t ringbuf_bytes;  /* 0: the default (8 MiB) */
	bool quiet;            /* no warnings on stderr */
	uint32_t capture_bytes; /* bytes copied per read/write syscall; 0: no I/O tracing */
	bool watch;             /* match execs of untraced processes (coldtrace watch) */
	uint64_t max_hold_ns;   /* the guardian resumes a hold this old; 0: default */
	bool no_cache;          /* neither read nor write the binary cache */
	const char *cache_dir;  /* NULL: $XDG_CACHE_HOME/coldtrace or ~/.cache/coldtrace */
	bool hold_only_uid;     /* no CAP_KILL: hold only processes of our uids */
	bool no_uprobe_multi;   /* perf-event uprobes even where uprobe_multi exists */
	bool no_python;         /* no CPython import probes */
	bool no_sched;          /* no scheduler states nor thread counters (--no-sched) */
	bool no_files;          /* no files opened/read, no page-cache misses (--no-files) */
	bool allocs;            /* count package inits' allocations (--allocs) */
};

#define CT_DEFAULT_MAX_HOLD_NS (2000ull * 1000000ull) /* 2 s */

struct ct_tracer;

/* Load and attach. On failure returns -1 with a one-line reason in err;
 * -EPERM when this kernel's uprobes need a capability we lack. */
int ct_tracer_open(struct ct_tracer **out, const struct ct_tracer_opts *opts, struct ct_model *m,
		   char *err, size_t errlen);
void ct_tracer_close(struct ct_tracer *t);

/* Feed events into another model from now on (one model per run of
 * --repeat; the BPF programs and inspected binaries are kept). The lost
 * counters the model gets at finish are those of its own run. */
void ct_tracer_set_model(struct ct_tracer *t, struct ct_model *m);
/* Watch mode: where events go, and which exec'd processes start a sandbox. */
struct ct_tracer_sink {
	/* the model of the event's sandbox (h->sandbox, its root tgid); NULL
	 * drops the event */
	struct ct_model *(*model)(void *ctx, const struct ct_hdr *h);
	/* an exec matched by name (CT_MATCH_COMM), stopped: return true to
	 * trace it as the root of a new sandbox (its events then carry
	 * sandbox == its pid) */
	bool (*candidate)(void *ctx, const struct ct_exec *e);
	void *ctx;
};
void ct_tracer_set_sink(struct ct_tracer *t, const struct ct_tracer_sink *sink);
/* Give a model the tracer's binary lookups (package names, Go versions). */
void ct_tracer_bind_model(struct ct_tracer *t, struct ct_model *m);
/* Watch the binary at path (attach its Go probes now) and its basename as a
 * comm; and a bare comm name. 0 or -errno. */
int ct_tracer_watch_binary(struct ct_tracer *t, const char *path);
int ct_tracer_watch_comm(struct ct_tracer *t, const char *comm);
/* The global loss counters so far (sum over event types). */
uint64_t ct_tracer_lost_total(struct ct_tracer *t);
/* The records lost in the sandbox whose root tgid is root since the last
 * call for it (its counters are deleted as they are read), per event type
 * (index enum ct_event_type), into lost[]. Losses of processes not yet
 * known to be traced, or beyond the kernel table's room, are in no sandbox
 * (only in ct_tracer_lost_total). 0, or -errno. */
int ct_tracer_lost_root(struct ct_tracer *t, uint32_t root, uint64_t lost[CT_EV_MAX]);

/* Trace pid and everything it forks from now on. */
int ct_tracer_add_pid(struct ct_tracer *t, pid_t pid);
/* Inspect a binary before anything execs it (attach Go probes if Go), now. */
void ct_tracer_prepare_binary(struct ct_tracer *t, const char *path);
/* The same in the background (a worker thread): for executables a traced
 * process may start later. 0, or -1 if path is not an executable file. */
int ct_tracer_prearm(struct ct_tracer *t, const char *path);
/* ct_tracer_prearm for each path named in argv[1..] (also --opt=PATH). */
void ct_tracer_prearm_argv(struct ct_tracer *t, char **argv);
/* Arm now what earlier runs of cmdkey exec'd (the binary cache's history),
 * and remember what this run execs under cmdkey. */
void ct_tracer_use_history(struct ct_tracer *t, const char *cmdkey);
/* watch: no sandbox is live; detach the hooks every process pays for (the
 * next sandbox's root is held until they are back). */
void ct_tracer_idle(struct ct_tracer *t);
/* Attach method, binaries, holds and their time, on one line. */
void ct_tracer_stats(struct ct_tracer *t, FILE *f);
/* An fd that becomes readable when events wait (for the caller's epoll),
 * and handling whatever is queued now, without blocking. */
int ct_tracer_fd(struct ct_tracer *t);
int ct_tracer_consume(struct ct_tracer *t);
/* Handle whatever is still queued and collect the loss counters. */
void ct_tracer_finish(struct ct_tracer *t);
/* Go uprobe hits so far (all processes), and how many Go binaries have probes. */
uint64_t ct_tracer_go_hits(struct ct_tracer *t);
/* --allocs: hits of mallocgc's probes (all processes of the binaries). */
uint64_t ct_tracer_malloc_hits(struct ct_tracer *t);
size_t ct_tracer_go_binaries(struct ct_tracer *t);
/* CPython import probe hits, every process's (traced or not). */
uint64_t ct_tracer_py_hits(struct ct_tracer *t);

#endif
