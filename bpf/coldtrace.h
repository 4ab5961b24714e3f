/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * coldtrace: event records shared by the BPF programs and the userspace
 * loader. Fixed-width types only; every record starts with struct ct_hdr.
 * Userspace includes this after <linux/types.h>, BPF after vmlinux.h.
 */
#ifndef COLDTRACE_H
#define COLDTRACE_H

#define CT_COMM_LEN 16
#define CT_PATH_LEN 256
#define CT_ARGS_LEN 256
#define CT_MAX_CAPTURE 4096 /* hard upper bound of --capture-bytes */

enum ct_event_type {
	CT_EV_EXEC = 1,   /* a traced process called execve */
	CT_EV_FORK = 2,   /* a traced process created a new process */
	CT_EV_EXIT = 3,   /* the last thread of a traced process exited */
	CT_EV_GO = 4,     /* a Go runtime uprobe fired */
	CT_EV_IO = 5,     /* bytes read/written by a traced process */
	CT_EV_LISTEN = 6, /* a traced process listens on a socket */
	CT_EV_RESUME = 7, /* a process this instance held got SIGCONT */
	CT_EV_SCHED = 8,  /* a traced thread changed scheduler state */
	CT_EV_OPEN = 9,   /* a traced process opened a regular file */
	CT_EV_FREAD = 10, /* a traced process read from a regular file */
	CT_EV_PCACHE = 11, /* a traced thread added file pages to the page cache */
	CT_EV_PY = 12,     /* a CPython import started or ended (import probes) */
	CT_EV_MAX
};

struct ct_hdr {
	__u32 type; /* enum ct_event_type */
	__u32 pid;  /* tgid, as seen from the initial pid namespace */
	__u32 tid;
	__u32 nspid; /* pid inside the process's own pid namespace */
	__u64 ts;    /* CLOCK_MONOTONIC ns (bpf_ktime_get_ns) */
	__u32 sandbox; /* the traced tree's root tgid (0: not traced yet) */
	__u32 _hpad;
};

struct ct_exec {
	struct ct_hdr h;
	__u32 ppid;
	__u32 stopped;  /* 1: BPF sent SIGSTOP so userspace can attach probes */
	__u32 match;    /* watch mode, enum ct_exec_match */
	__u32 flags;    /* enum ct_exec_flags */
	__u64 dev;      /* kernel-encoded dev_t of the executed file's fs */
	__u64 ino;      /* inode of the executed file */
	__u32 args_len; /* bytes used in args (NUL-separated argv) */
	__u32 args_truncated;
	char comm[CT_COMM_LEN];
	char path[CT_PATH_LEN]; /* the filename passed to execve */
	char args[CT_ARGS_LEN];
};

enum ct_exec_flags {
	/* the file was armed, but its size, mtime or ctime changed since:
	 * its old probes must go before it runs (rewritten in place) */
	CT_EXEC_CHANGED = 1 << 0,
	/* not held although unknown: coldtrace could not signal it, or the
	 * guardian's ring was full (its probes come late) */
	CT_EXEC_NOT_HELD = 1 << 1,
};

/* watch mode: why an exec of an untraced process was reported */
enum ct_exec_match {
	CT_MATCH_NONE = 0,
	CT_MATCH_INODE = 1, /* a watched binary: now the root of a sandbox */
	CT_MATCH_COMM = 2,  /* a watched name: stopped until userspace checks the path */
};

struct ct_fork {
	struct ct_hdr h; /* pid/tid: the parent */
	__u32 child;     /* tgid of the new process */
	__u32 _pad;
};

struct ct_exit {
	struct ct_hdr h;
	__s32 code; /* wait status: (code << 8) | signal, as in waitpid */
	__u32 _pad;
};

/* A held process was resumed (SIGCONT generated for it), by whoever sent
 * it: the hold's end as the kernel saw it. h.pid is the held process. */
struct ct_resume {
	struct ct_hdr h;
	__u32 sender; /* tgid that sent SIGCONT */
	__u32 _pad;
};

/* The Go probes. Which one fired travels in the attach cookie. */
enum ct_go_probe {
	CT_GO_RTSTART = 1,  /* runtime.main stored runtimeInitTime; value = it */
	CT_GO_INITCALL = 2, /* doInit/doInit1 calls an init fn; value = its address */
	CT_GO_INITRET = 3,  /* that init fn returned */
	CT_GO_MAINMAIN = 4, /* main.main entered */
	CT_GO_TASKSTART = 5, /* an init task with functions starts; value = its
			      * first function, task = the initTask */
	CT_GO_TASKEND = 6,   /* the running init task's functions are done */
	CT_GO_MALLOC = 7,    /* --allocs: runtime.mallocgc, after its stack check */
};

/* Slots of the per-kind hit counters (go_hits), indexed by enum ct_go_probe. */
#define CT_GO_SLOTS 8

/*
 * CT_GO_TASKSTART: how to read an init task of the probe's binary. Filled
 * per binary id by userspace (go_layouts map; goprobe.c knows the Go
 * generations), so a new Go layout needs no BPF change. Fields are read
 * little-endian: a size of 4 reads the low half of a word.
 */
struct ct_go_layout {
	__u16 state_off, state_size; /* t.state */
	__u16 nfns_off, nfns_size;   /* t.nfns */
	__u16 ndeps_off, ndeps_size; /* t.ndeps before the fns (size 0: none) */
	__u16 fns_off;               /* first fn at t + fns_off + ndeps * 8 */
	__u16 skip_done;             /* 1: ignore a task whose state is done_state */
	__u32 done_state;
	/* --allocs (0 when not counted): how to find the goroutine and
	 * mallocgc's arguments (enum ct_go_abi), which of Go's rules size an
	 * allocation (enum ct_go_alloc_rules, bpf/goalloc.h) */
	__u8 abi;
	__u8 alloc_rules;
	__u16 _pad;
};

/* Where a Go binary keeps g and mallocgc's (size, typ) at its entry. */
enum ct_go_abi {
	CT_GO_ABI_NONE = 0,
	CT_GO_ABI_X86_REG = 1,   /* Go >= 1.17 amd64: g in R14, size AX, typ BX */
	CT_GO_ABI_X86_STACK = 2, /* Go 1.16 amd64: g at fs:-8, size [SP+8], typ [SP+16] */
	CT_GO_ABI_ARM64_REG = 3, /* Go >= 1.18 arm64: g in X28, size X0, typ X1 */
};

/*
 * Attach cookie layout (64 bits):
 *   [63:56] probe kind (enum ct_go_probe)
 *   [55:32] binary id (userspace's table of inspected binaries)
 *   [31:24] register index (enum ct_reg) holding the value to read
 *   [23]    1: the value is in memory at reg + disp, 0: in the register
 *   [22:0]  signed displacement
 */
#define CT_COOKIE(kind, bin, reg, mem, disp)                                   \
	(((__u64)(kind) << 56) | (((__u64)(bin) & 0xffffff) << 32) |          \
	 (((__u64)(reg) & 0xff) << 24) | ((__u64)((mem) ? 1 : 0) << 23) |     \
	 ((__u64)(disp) & 0x7fffff))
#define CT_COOKIE_KIND(c) ((__u32)((c) >> 56))
#define CT_COOKIE_BIN(c) ((__u32)(((c) >> 32) & 0xffffff))
#define CT_COOKIE_REG(c) ((__u32)(((c) >> 24) & 0xff))
#define CT_COOKIE_MEM(c) ((__u32)(((c) >> 23) & 1))
#define CT_COOKIE_DISP(c)                                                      \
	((__s64)((((c)&0x7fffff) ^ 0x400000)) - 0x400000)
#define CT_DISP_MIN (-0x400000)
#define CT_DISP_MAX 0x3fffff

/* Registers a probe can read. x86-64 names first, then arm64 x0..x30. */
enum ct_reg {
	CT_REG_NONE = 0,
	CT_REG_AX, CT_REG_BX, CT_REG_CX, CT_REG_DX, CT_REG_SI, CT_REG_DI,
	CT_REG_BP, CT_REG_SP, CT_REG_R8, CT_REG_R9, CT_REG_R10, CT_REG_R11,
	CT_REG_R12, CT_REG_R13, CT_REG_R14, CT_REG_R15,
	CT_REG_X0 = 32, /* arm64: CT_REG_X0 + n for xn, n in 0..30 */
	CT_REG_ARM64_SP = 63,
};

/*
 * A thread's own counters, read from its task_struct: what getrusage() and
 * taskstats add up. Sent with every scheduler record and Go probe hit, so a
 * span between two records of one thread costs no extra probe.
 */
struct ct_tcounters {
	__u64 run_ns;  /* se.sum_exec_runtime: time on a CPU */
	__u32 min_flt; /* minor page faults */
	__u32 maj_flt; /* major page faults (read from disk) */
	__u32 nvcsw;   /* voluntary context switches */
	__u32 nivcsw;  /* involuntary ones (preempted) */
};

struct ct_go {
	struct ct_hdr h;
	__u64 cookie; /* the attach cookie: kind, binary id, operand */
	__u64 ip;     /* runtime address of the probed instruction */
	__u64 value;  /* what the cookie told the probe to read */
	__u64 task;   /* CT_GO_TASKSTART: the initTask's address */
	__u32 nfns;   /* CT_GO_TASKSTART: its number of init functions */
	__u32 state;  /* CT_GO_TASKSTART: t.state as read (1 while it runs) */
	struct ct_tcounters c; /* the thread's counters at the hit */
	/* CT_GO_TASKEND with --allocs: what the task's init functions
	 * allocated, counted as GODEBUG=inittrace=1 counts (bpf/goalloc.h) */
	__u64 allocs;
	__u64 bytes;
	__u32 tiny;        /* of the allocs: tiny ones (0 or 16 bytes each) */
	__u32 alloc_flags; /* enum ct_go_alloc_flags */
};

enum ct_go_alloc_flags {
	CT_GO_ALLOCS_COUNTED = 1 << 0, /* allocs/bytes hold a count (else: not counted) */
};

/*
 * Scheduler states of a traced thread (sched_switch, sched_wakeup,
 * sched_wakeup_new). h.pid/h.tid are the thread's (not the CPU's current
 * task), h.ts the kernel's time of the change.
 */
enum ct_sched_what {
	CT_SCHED_IN = 1,   /* switched in: running from h.ts */
	CT_SCHED_OUT = 2,  /* switched out, into state */
	CT_SCHED_WAKE = 3, /* woken: runnable from h.ts */
	CT_SCHED_NEW = 4,  /* a new thread, runnable for the first time */
};

/* A WAKE whose task had already been switched in since it was queued (its
 * sched_info.last_queued is 0 again): the wakeup's record was written after
 * the thread's switch in (another CPU took the thread at once); it changes
 * no state. */
#define CT_WAKE_ARRIVED 1

enum ct_tstate {
	CT_TS_RUNNING = 0,
	CT_TS_RUNNABLE = 1, /* waiting for a CPU (preempted, or woken) */
	CT_TS_SLEEP = 2,    /* interruptible sleep (waits for an event) */
	CT_TS_DISK = 3,     /* uninterruptible sleep, not on I/O */
	CT_TS_IOWAIT = 4,   /* uninterruptible sleep waiting for I/O (in_iowait) */
	CT_TS_STOPPED = 5,  /* stopped or traced */
	CT_TS_DEAD = 6,     /* its last switch: the counters are final */
	CT_TS_COUNT
};

struct ct_sched {
	struct ct_hdr h;
	__u8 what;   /* enum ct_sched_what */
	__u8 state;  /* enum ct_tstate it entered (OUT), RUNNABLE (WAKE/NEW), RUNNING (IN) */
	__u16 cpu;
	__u32 other; /* IN: the tid switched out; OUT: the tid switched in;
		      * WAKE/NEW: the waker's tid */
	struct ct_tcounters c; /* the thread's counters (OUT: this switch included) */
	__u32 task_state; /* OUT: the task's state word. Preempted (RUNNABLE) with a
			   * sleep state already set: on the run queue, but not
			   * counted by the kernel's delay accounting, which
			   * counts only TASK_RUNNING tasks as waiting.
			   * WAKE/NEW: CT_WAKE_ARRIVED or 0 */
	__u32 _pad;
};

/* open/openat/openat2/creat of a regular file by a traced process. */
struct ct_open {
	struct ct_hdr h;
	__s32 fd;       /* the result */
	__u32 flags;    /* open flags */
	__u64 dev;      /* kernel-encoded dev_t of the file's fs */
	__u64 ino;
	__u64 size;     /* i_size at open */
	__u32 path_len; /* bytes in path, NUL excluded */
	__u32 _pad;
	char path[CT_PATH_LEN]; /* as passed to open (may be relative) */
};

/* read/pread64/readv/preadv/preadv2 from a regular file by a traced process. */
struct ct_fread {
	struct ct_hdr h;
	__s32 fd;
	__u32 nr;     /* syscall number */
	__u64 bytes;  /* the result */
	__u64 dev;
	__u64 ino;
};

/* mm_filemap_add_to_page_cache in a traced thread: file pages it had to
 * bring in (a page-cache miss: read from disk, or readahead). */
struct ct_pcache {
	struct ct_hdr h;
	__u64 dev;    /* of the file's fs (s_dev) */
	__u64 ino;
	__u64 index;  /* first page's index in the file */
	__u32 pages;  /* pages in the folio */
	__u32 _pad;
};

/*
 * CPython imports (pyimport.bpf.c). Three uprobes per interpreter binary or
 * libpython, the probe's kind in the attach cookie's top byte (CT_COOKIE):
 *  - CT_PY_ENTER:  PyImport_ImportModuleLevelObject entered (every import
 *                  statement and __import__ call, found in sys.modules or not);
 *  - CT_PY_CALL:   the method call the import code makes on importlib:
 *                  "_find_and_load" (the module was not in sys.modules: it is
 *                  loaded now, what -X importtime times) or "_handle_fromlist"
 *                  (after the load: `from package import names`);
 *                  PyObject_CallMethodObjArgs (3.11+, the method a str) or
 *                  _PyObject_CallMethodIdObjArgs (3.7-3.10, a _Py_Identifier);
 *  - CT_PY_RETURN: PyImport_ImportModuleLevelObject returned (a uretprobe:
 *                  C code, no Go stack to break).
 * A load starts at its _find_and_load call and ends at the first of the
 * import's _handle_fromlist call or return: the span -X importtime measures.
 */
enum ct_py_probe {
	CT_PY_ENTER = 1,
	CT_PY_CALL = 2,
	CT_PY_RETURN = 3,
};

/* Slots of the per-kind hit counters (py_hits), indexed by enum ct_py_probe. */
#define CT_PY_SLOTS 4

/* How to read a str (PyASCIIObject and PyCompactUnicodeObject) and the call
 * probe's method name in one CPython build: per binary id in py_layouts,
 * filled by userspace (pyprobe.c knows the versions) before it attaches. */
struct ct_py_layout {
	__u16 length_off;    /* PyASCIIObject.length (characters) */
	__u16 state_off;     /* its state bit field: kind bits 2-4, compact 5, ascii 6 */
	__u16 ascii_off;     /* characters of a compact ASCII str */
	__u16 utf8_off;      /* PyCompactUnicodeObject.utf8 (char *, may be NULL) */
	__u16 compact_off;   /* code units of another compact str */
	__u8 call_ident;     /* 1: the call probe's method is a _Py_Identifier * */
	__u8 ident_off;      /* where its const char *string is in it */
	__u32 version_hex;   /* PY_VERSION_HEX of the build */
};

enum ct_py_what {
	CT_PYIMP_START = 1, /* a module's load started (its _find_and_load call) */
	CT_PYIMP_END = 2,   /* the innermost load open on this thread ended */
};

#define CT_PYMOD_LEN 128

/* name_kind: what name[] holds */
enum ct_py_name_kind {
	CT_PYNAME_UTF8 = 0,  /* UTF-8 (ASCII, or the str's cached UTF-8) */
	CT_PYNAME_UCS1 = 1,  /* the str's own code units: latin-1 */
	CT_PYNAME_UCS2 = 2,  /* UCS-2, little-endian */
	CT_PYNAME_UCS4 = 4,  /* UCS-4, little-endian */
	CT_PYNAME_NONE = 255, /* not a str coldtrace can read (not compact) */
};

struct ct_py {
	struct ct_hdr h;
	__u32 what;      /* enum ct_py_what */
	__u32 depth;     /* PyImport_ImportModuleLevelObject calls open on the thread */
	__u32 bin;       /* userspace's binary id (the interpreter or its libpython) */
	__u32 name_len;  /* bytes used in name (START) */
	__u32 name_chars; /* the str's length in characters (START) */
	__u8 name_kind;  /* enum ct_py_name_kind */
	__u8 _pad[3];
	struct ct_tcounters c; /* the thread's counters at the hit */
	char name[CT_PYMOD_LEN]; /* START: the module's absolute name */
};

/* Socket I/O (issue: Runtime API traffic). */
enum ct_io_dir { CT_IO_READ = 0, CT_IO_WRITE = 1 };
enum ct_io_flags {
	CT_IO_TRUNC = 1 << 0, /* more bytes were transferred than captured */
	CT_IO_TTY_OR_FILE = 1 << 1,
	CT_IO_SOCK = 1 << 2,
	CT_IO_PIPE = 1 << 3,
};

struct ct_io {
	struct ct_hdr h;
	__u32 fd;
	__u16 dir;     /* enum ct_io_dir */
	__u16 syscall; /* syscall number */
	__u32 flags;   /* enum ct_io_flags */
	__u32 family;  /* AF_INET, AF_INET6, AF_UNIX or 0 */
	__u8 laddr[16];
	__u8 raddr[16];
	__u16 lport;
	__u16 rport;
	__u32 len;     /* bytes transferred by the syscall */
	__u32 cap_len; /* bytes captured in data[] */
	__u32 _pad;
	__u64 sock_id; /* kernel address of struct sock, to pair both ends */
	/* cap_len bytes follow; the record is cut after them. Twice the
	 * maximum so the BPF side can prove every copy stays inside. */
	__u8 data[2 * CT_MAX_CAPTURE];
};

struct ct_listen {
	struct ct_hdr h;
	__u32 family;
	__u16 port;
	__u16 _pad;
	__u8 addr[16];
	__u64 sock_id;
};

/* Loss counters, one slot per event type: per CPU for the whole tracer
 * (lost), and per sandbox (lost_root, by its root tgid). */
#define CT_LOST_SLOTS CT_EV_MAX
struct ct_lost_val {
	__u64 n[CT_LOST_SLOTS];
};

/* State kept per known binary (dev, ino) so exec of a known one never stops. */
struct ct_bin_key {
	__u64 dev;
	__u64 ino;
};

/* What userspace saw of the file when it inspected it. An exec whose inode
 * no longer matches (rewritten in place: same inode, new contents) is held
 * as if unknown, so probes planned for the old contents never run in it. */
struct ct_bin_val {
	__u32 id;    /* userspace's binary id */
	__u32 flags; /* enum ct_bin_flags */
	__u64 size;
	__u64 mtime_ns;
	__u64 ctime_ns;
};

enum ct_bin_flags {
	/* --allocs: every traced exec of this binary is held, so mallocgc's
	 * probe can be attached to that process alone before it runs */
	CT_BIN_HOLD_EACH = 1,
};

/* One hold, as the guardian sees it (its own small ring). */
struct ct_hold {
	__u32 tgid;
	__u32 _pad;
	__u64 ts; /* when it was held (exec) */
};

#endif /* COLDTRACE_H */
