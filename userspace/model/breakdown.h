/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * breakdown: why a phase takes its time (issue 12). Reads a finished model
 * (ct_model_finish) and a timeline (phases.h) and sums, for an interval and
 * a set of processes, the scheduler states of their threads, the CPU time,
 * page faults and context switches from the threads' own counters, and the
 * files they opened, read and brought into the page cache. Pure C, no BPF.
 *
 * Which processes a phase covers (ct_bd_phase), by its kind (phases.h):
 *   CT_PK_AGENT            the agent process (all its threads, no children);
 *   CT_PK_RUNTIME          the runtime root and its descendants;
 *   everything else        the whole sandbox (ct_timeline_procs): the
 *                          hand-offs, the total, the invocation, and the
 *                          function's init as the agent measures it.
 *
 * Wall-clock states (wall[]): at each instant of the interval, the best
 * state any thread of the set is in, by priority running > runnable >
 * I/O wait > disk > sleep > stopped; when no thread of the set is in a
 * known state, unknown. wall[] sums exactly to end - start. thread_ns[] is
 * the same time summed over threads (a 2-thread process running on two CPUs
 * for 1 ms: wall running 1 ms, thread running 2 ms; thread_ns has no
 * unknown).
 *
 * CPU time, faults and switches come from the running spans' counter
 * deltas (struct ct_tspan); a span cut by the interval's edge adds the
 * share of its time inside (faults and switches rounded to the nearest, so
 * phases that split one span may be off by one each). A running span
 * without counters adds its duration as CPU time.
 *
 * Files: opens (ct_file) of the set inside the interval; bytes read and
 * page-cache misses (struct ct_fread_rec, ct_miss_rec) by their time. A
 * file's "bytes" is max(read, missed): a read() that missed the cache is
 * counted both as read and as missed, so their sum would count it twice.
 * Top files and the biggest group are ranked by bytes. The group of a file
 * is its package directory when its path has one (node_modules,
 * site-packages, dist-packages, vendor, .m2, gems: the group is named after
 * it), else its directory; an exec'd image's misses are the image's path.
 * A file no open and no exec names is "(dev MAJ:MIN, inode N)", in the
 * group "(files not seen opened)" (opened before the trace, or mapped by
 * the dynamic loader of an untraced exec).
 */
#ifndef COLDTRACE_BREAKDOWN_H
#define COLDTRACE_BREAKDOWN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "phases.h"

/* Wall-clock states, in priority order (the best first). */
enum ct_bd_state {
	CT_BD_RUNNING = 0, /* on a CPU */
	CT_BD_RUNNABLE,    /* waiting for a CPU (woken or preempted) */
	CT_BD_IOWAIT,      /* uninterruptible sleep waiting for I/O (disk) */
	CT_BD_DISK,        /* uninterruptible sleep, not I/O (locks, page I/O in some paths) */
	CT_BD_SLEEP,       /* interruptible sleep: blocked on an event */
	CT_BD_STOPPED,     /* stopped or traced (coldtrace's holds, debuggers) */
	CT_BD_UNKNOWN,     /* no thread in a known state (wall[] only) */
	CT_BD_NSTATES
};

#define CT_BD_TOP 5        /* files in ct_bd.top */
#define CT_BD_NAME_LEN 256 /* file paths, group names */

struct ct_bd_file {
	char path[CT_BD_NAME_LEN]; /* the open's path, the image's, or "dev:ino" */
	uint64_t dev, ino;
	uint64_t read_bytes, miss_bytes;
	uint64_t bytes; /* max(read_bytes, miss_bytes) */
};

struct ct_bd {
	uint64_t start, end; /* the interval, ns */
	bool valid;          /* an interval was given (a phase without both ends: false) */
	/* off: the trace had no such records at all (--no-sched, --no-files,
	 * or a kernel without the hook); incomplete: some were lost or
	 * dropped (events lost, budget), so the figures are lower bounds */
	bool sched_off, files_off, pcache_off;
	bool incomplete;

	uint64_t wall[CT_BD_NSTATES];      /* sums to end - start */
	uint64_t thread_ns[CT_BD_NSTATES]; /* [CT_BD_UNKNOWN] is 0 */
	uint64_t cpu_ns;
	uint64_t min_flt, maj_flt, nvcsw, nivcsw;
	uint32_t procs;   /* processes in the set */
	uint32_t threads; /* threads with a span inside the interval */

	uint32_t files_opened;
	uint64_t read_bytes, reads;
	uint64_t miss_bytes; /* pages brought into the page cache * page size */
	uint64_t file_bytes; /* sum of the files' bytes (max of read, missed) */
	struct ct_bd_file top[CT_BD_TOP]; /* by bytes, the biggest first */
	size_t ntop;
	char group[CT_BD_NAME_LEN]; /* the group with the most bytes ("" none) */
	uint64_t group_bytes;
	bool group_from_disk; /* most of its bytes came as page-cache misses */
};

/* Per process set: fill bd for [start, end) and the processes pids[0..n).
 * 0, or -1 when out of memory (bd then zeroed, valid false). */
int ct_bd_compute(const struct ct_model *m, const uint32_t *pids, size_t npids, uint64_t start,
		  uint64_t end, struct ct_bd *bd);

/* Which processes a phase covers (see above), by kind. */
enum ct_bd_scope {
	CT_BDS_AGENT = 0, /* the agent process */
	CT_BDS_RUNTIME,   /* the runtime root's subtree */
	CT_BDS_SANDBOX,   /* every process of the sandbox */
};
enum ct_bd_scope ct_bd_phase_scope(const struct ct_phase *ph);
const char *ct_bd_scope_key(enum ct_bd_scope s); /* "agent", "runtime", "sandbox" */

/* The breakdown of phase ph of tl. A phase that is not complete gives
 * valid false (and no other figure). 0, or -1 when out of memory. */
int ct_bd_phase(const struct ct_model *m, const struct ct_timeline *tl, const struct ct_phase *ph,
		struct ct_bd *bd);

/* A Go package init, from the counters at its first and last probe hit. */
struct ct_bd_pkg {
	bool known; /* both hits had counters (run_ns not 0 at both: a thread
		     * at a probe hit has run), on the same thread, in order */
	uint32_t tid;
	uint64_t cpu_ns; /* from the thread's running spans when they cover the
			  * package (cpu_from_sched: exact to the switch), else
			  * from the counters (up to a tick off at each end) */
	bool cpu_from_sched;
	uint64_t min_flt, maj_flt, nvcsw, nivcsw; /* counted at once: exact */
};
/* Fill out for pk; returns out->known. */
bool ct_bd_pkginit(const struct ct_pkginit *pk, struct ct_bd_pkg *out);

/* The same for a CPython module load (model.h struct ct_pyimport): its
 * thread's counters between both ends, when the load ended, both ends had
 * counters and none went backwards. CPU time is the counters' (a tick
 * behind at most: no scheduler correction for loads). */
bool ct_bd_pyimport(const struct ct_pyimport *pi, struct ct_counts *c);

/*
 * A process's whole life (start_ts to its exit, or the trace's last_ts):
 * its totals are in struct ct_proc (sum, nthreads, dead_nonleader,
 * state_ns, runnable_ns: the ground truth's figures); this adds the
 * breakdown over its lifetime. 0, or -1 when out of memory.
 */
int ct_bd_process(const struct ct_model *m, const struct ct_proc *p, struct ct_bd *bd);

/* Names of the states: "running", "runnable", "iowait", "disk", "sleep",
 * "stopped", "unknown" (jsonl keys), and the text view's words ("on CPU",
 * "waiting for a CPU", "waiting for disk", "in uninterruptible sleep",
 * "blocked", "stopped", "not seen"). */
const char *ct_bd_state_key(enum ct_bd_state s);
const char *ct_bd_state_words(enum ct_bd_state s);
/* The wall-clock state of a thread state (CT_TS_DEAD, unknown: UNKNOWN). */
enum ct_bd_state ct_bd_of_tstate(unsigned tstate);
/* A thread state's key: "running", "runnable", "sleep", "disk", "iowait",
 * "stopped", "dead"; "unknown" past the enum. */
const char *ct_tstate_key(unsigned tstate);

/* The non-running state with the most wall time (CT_BD_UNKNOWN if none). */
enum ct_bd_state ct_bd_dominant_wait(const struct ct_bd *bd);

/*
 * One line, what dominates: "function init 74 ms: 21 ms on CPU, 48 ms
 * waiting for disk (312 major faults, 9.1 MB of node_modules read)". CPU
 * first, then the dominant wait when it is at least 5% of the interval;
 * the parenthesis has major faults (or minor ones when there are no major
 * ones) and, from 16 kB on, the bytes of the biggest group ("X MB of G
 * read", or "from disk" when most came as page-cache misses, when it has
 * half the bytes or more, else "X MB read, most from G"). Says "breakdown
 * off", "scheduler states off" or "[incomplete]" where it applies. Returns
 * what snprintf returns for the whole line.
 */
int ct_bd_summary(const struct ct_bd *bd, const char *label, char *buf, size_t len);

/* "9.1 MB" (from 100 kB on), "12.3 kB" (from 1000 bytes on), "37 B". */
void ct_bd_bytes_str(uint64_t bytes, char *buf, size_t len);

/* The group of a file path (see above) into buf ("" for ""). */
void ct_bd_group_of(const char *path, char *buf, size_t len);

struct jsonw;
/* The figures of bd as keys of the JSON object open in w (the jsonl
 * "breakdown" record's and Perfetto's "breakdown" arg's): the parts that
 * are on, keys as listed below (from "wall_<state>_ns" to "group_bytes"). */
void ct_bd_json_figures(struct jsonw *w, const struct ct_bd *bd);
/* A thread's (or a sum of threads') counters as keys: cpu_key (its CPU ns:
 * "run_ns" or "cpu_ns", as the record names it), "min_flt", "maj_flt",
 * "nvcsw", "nivcsw". */
void ct_counts_json(struct jsonw *w, const char *cpu_key, uint64_t cpu_ns, uint64_t min_flt,
		    uint64_t maj_flt, uint64_t nvcsw, uint64_t nivcsw);

/*
 * jsonl (views/jsonl.c), schema CT_JSONL_SCHEMA unchanged (new records and
 * new keys only; readers ignore what they do not know). Times in ns.
 *
 * {"type":"breakdown"}: one per complete phase of each timeline, after the
 *   timeline's records: "sandbox", "phase" (ct_phase_key), "scope"
 *   (ct_bd_scope_key), "start_ns", "end_ns", "dur_ns",
 *   "sched" / "files" / "pcache": true when on (false: off, its figures
 *   are absent), "complete" (false: something was lost or dropped),
 *   when sched: "wall_<state>_ns" for the 7 states of ct_bd_state_key,
 *   "thread_<state>_ns" for the 6 known ones, "cpu_ns", "min_flt",
 *   "maj_flt", "nvcsw", "nivcsw", "threads", "procs";
 *   when files: "files_opened", "read_bytes", "reads";
 *   when pcache: "miss_bytes"; when files or pcache: "file_bytes",
 *   "group", "group_bytes", "top": [{"path","dev","ino","read_bytes",
 *   "miss_bytes","bytes"}]; always "summary" (ct_bd_summary's line).
 * {"type":"go_init"} gains, when ct_bd_pkginit knows them: "tid",
 *   "cpu_ns", "min_flt", "maj_flt", "nvcsw", "nivcsw".
 * {"type":"process"} gains, when sched: "run_ns", "min_flt", "maj_flt",
 *   "nvcsw", "nivcsw" (struct ct_proc sum), "threads", "dead_nonleader",
 *   "runnable_ns".
 * {"type":"exec"} gains "dev", "ino" when known.
 * {"type":"thread"}: "pid", "tid", "leader", "dead", "first_ns", "last_ns",
 *   its last counters "run_ns", "min_flt", "maj_flt", "nvcsw", "nivcsw",
 *   and "<state>_ns" for the 6 known states (closed spans).
 * {"type":"tstate"}: one per span, by start: "pid", "tid", "state"
 *   (ct_tstate_key), "start_ns", "end_ns", "cut" (ended by exit or the
 *   trace's end); running spans with counters: "run_ns", "min_flt",
 *   "maj_flt", "nvcsw", "nivcsw".
 * {"type":"file"}: one per open: "pid", "tid", "ts_ns", "fd", "flags",
 *   "path", "dev", "ino", "size", "read_bytes", "reads", "miss_bytes".
 * {"type":"summary"} gains "sched", "files", "pcache" (on/off),
 *   "sched_events", "sched_late", "sched_gaps", "dropped_sched",
 *   "dropped_files".
 */

#endif /* COLDTRACE_BREAKDOWN_H */
