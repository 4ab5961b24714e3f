// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * coldtrace: where the cold start of a sandbox goes, seen from the kernel.
 *
 *   coldtrace run [options] -- CMD [ARGS...]
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <glob.h>
#include <limits.h>
#include <malloc.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/pidfd.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "caps.h"
#include "goelf.h"
#include "goprobe.h"
#include "model.h"
#include "render.h"
#include "report.h"
#include "strbuf.h"
#include "tracer.h"

enum format { FMT_TEXT, FMT_INITTRACE, FMT_JSONL, FMT_PERFETTO, FMT_SVG, FMT_OTLP };

static struct env {
	enum format format;
	const char *output;
	bool force;
	bool verbose;
	bool quiet;
	bool stats;
	int top;
	size_t ringbuf_bytes;
	uint32_t capture_bytes;
	int repeat;
	uint64_t max_hold_ns;  /* --max-hold */
	bool no_cache;         /* --no-cache */
	char **binaries;       /* run --binary PATH|GLOB: armed before CMD starts */
	size_t nbinaries;
	bool keep_query;       /* --keep-query */
	uint64_t max_memory;   /* --max-memory: bytes a trace's model may keep */
} env = {.format = FMT_TEXT, .top = 5, .capture_bytes = 512, .repeat = 1};

static const char usage[] =
	"Usage: coldtrace run [OPTIONS] -- CMD [ARGS...]\n"
	"       coldtrace watch [--binary PATH|GLOB]... [--comm NAME]... [--duration S] [-o DIR]\n"
	"       coldtrace report [--top N] [-f text|json] FILES... | --compare A... --vs B...\n"
	"       coldtrace inspect BINARY...\n"
	"\n"
	"Start CMD traced from its first instruction, follow every process it forks\n"
	"and execs, and when the tree has exited (or on Ctrl-C) show where its start\n"
	"went: process tree and, for every Go binary, each package's init - the\n"
	"facts GODEBUG=inittrace=1 prints, without setting GODEBUG or touching the\n"
	"binary (stripped binaries too).\n"
	"\n"
	"Options:\n"
	"  -f, --format FMT     text (default), inittrace (Go's own line format),\n"
	"                       jsonl (the model, one JSON object per line),\n"
	"                       perfetto (Chrome Trace Event JSON: Perfetto UI,\n"
	"                       chrome://tracing), svg (the cold start as a\n"
	"                       picture), otlp (OpenTelemetry OTLP/JSON traces)\n"
	"  -o, --output FILE    write the output to FILE instead of stdout\n"
	"      --force          overwrite FILE if it exists\n"
	"      --repeat N       run the cold start N times, one after another (the\n"
	"                       BPF programs and probes stay loaded); with -o DIR,\n"
	"                       run i goes to DIR/run-00i.EXT (for coldtrace report)\n"
	"  -n, --top N          slowest package inits listed per program (default 5)\n"
	"      --capture-bytes N  bytes copied per read/write syscall (default 512,\n"
	"                       at most 4096; 0: no HTTP or log-line tracing)\n"
	"      --ringbuf-size B ring buffer bytes (power of 2, default 8388608)\n"
	"      --binary PATH|GLOB  arm this binary's probes before CMD starts (run;\n"
	"                       CMD, executables named in argv and what earlier\n"
	"                       runs of the same command exec'd are armed anyway)\n"
	"      --max-hold MS    longest a new binary's exec may be held while its\n"
	"                       probes are attached (default 2000); then it runs on\n"
	"                       and the trace says its probes came late\n"
	"      --no-cache       neither read nor write the binary cache\n"
	"                       ($XDG_CACHE_HOME/coldtrace or ~/.cache/coldtrace)\n"
	"      --keep-query     keep the values of HTTP query strings (secrets are\n"
	"                       still redacted)\n"
	"      --max-memory SIZE  bytes of records kept per trace (default 64M)\n"
	"      --stats          print probe hit counts to stderr at the end\n"
	"  -q, --quiet          no warnings\n"
	"  -v, --verbose        libbpf's log\n"
	"  -h, --help           this help\n"
	"  -V, --version        version\n"
	"\n"
	"inspect: what coldtrace reads from a Go binary (version, layout, where the\n"
	"probes go); no root needed. Exit 1 if a binary is not one it can trace.\n"
	"\n"
	"Examples:\n"
	"  coldtrace run -- ./myagent --port 9001      where a Go program's start goes\n"
	"  coldtrace run -f inittrace -- ./prog        GODEBUG=inittrace=1 lines, from BPF\n"
	"  coldtrace run -f jsonl -o run1.jsonl -- ./driver\n"
	"\n"
	"Needs root (or CAP_BPF + CAP_PERFMON) and a kernel with BTF.\n";

static void die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
static void die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("coldtrace: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(code);
}

/* Option values shared by run and watch. */
static enum format parse_format(const char *v)
{
	static const struct { const char *name; enum format f; } fmts[] = {
		{"text", FMT_TEXT}, {"inittrace", FMT_INITTRACE}, {"jsonl", FMT_JSONL},
		{"perfetto", FMT_PERFETTO}, {"svg", FMT_SVG}, {"otlp", FMT_OTLP},
	};

	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++)
		if (!strcmp(v, fmts[i].name))
			return fmts[i].f;
	die(2, "unknown format '%s' (text, inittrace, jsonl, perfetto, svg, otlp)", v);
}

static int parse_top(const char *v)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (*end || !*v || n < 0 || n > 100000)
		die(2, "--top takes a number from 0 to 100000, not '%s'", v);
	return (int)n;
}

static size_t parse_ringbuf(const char *v)
{
	char *end;
	unsigned long long n = strtoull(v, &end, 0);

	if (*end || n < 4096 || n > (1ull << 30) || (n & (n - 1)))
		die(2, "--ringbuf-size takes a power of two from 4096 to 1073741824, not '%s'", v);
	return (size_t)n;
}

static uint32_t parse_capture(const char *v)
{
	char *end;
	unsigned long n = strtoul(v, &end, 10);

	if (*end || !*v || n > CT_MAX_CAPTURE)
		die(2, "--capture-bytes takes a number from 0 to %d, not '%s'", CT_MAX_CAPTURE, v);
	return (uint32_t)n;
}

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Root, or the capabilities loading BPF and attaching probes take. */
static bool has_bpf_privilege(void)
{
	return ct_has_cap(CT_CAP_SYS_ADMIN) || (ct_has_cap(CT_CAP_BPF) && ct_has_cap(CT_CAP_PERFMON));
}

static uint64_t parse_size(const char *opt, const char *v)
{
	char *end;
	double n = strtod(v, &end);
	double mult = 1;

	if (end != v && (*end == 'k' || *end == 'K'))
		mult = 1024, end++;
	else if (end != v && (*end == 'm' || *end == 'M'))
		mult = 1024 * 1024, end++;
	else if (end != v && (*end == 'g' || *end == 'G'))
		mult = 1024.0 * 1024 * 1024, end++;
	if (*end || end == v || !(n * mult >= 1 << 20 && n * mult <= 64.0 * (1ull << 30)))
		die(2, "%s takes a size from 1M to 64G (e.g. 64M), not '%s'", opt, v);
	return (uint64_t)(n * mult);
}

/* Every model gets the options that shape what it keeps. */
static void model_options(struct ct_model *m)
{
	m->keep_query = env.keep_query;
	m->mem_budget = env.max_memory;
}

static uint64_t parse_max_hold(const char *v)
{
	char *end;
	double ms = strtod(v, &end);

	if (*end || !*v || !(ms >= 1 && ms <= 600000))
		die(2, "--max-hold takes milliseconds from 1 to 600000, not '%s'", v);
	return (uint64_t)(ms * 1e6);
}


static void preflight(void)
{
	if (!has_bpf_privilege())
		die(77, "permission denied: loading BPF needs root (or CAP_BPF and CAP_PERFMON); try: sudo coldtrace run ...");
	if (access("/sys/kernel/btf/vmlinux", R_OK))
		die(78, "kernel BTF not found (/sys/kernel/btf/vmlinux): coldtrace needs a kernel built with CONFIG_DEBUG_INFO_BTF=y");
	if (access("/sys/bus/event_source/devices/uprobe/type", R_OK))
		die(78, "uprobes are not available (no /sys/bus/event_source/devices/uprobe): a kernel with CONFIG_UPROBE_EVENTS=y is needed");
}

/* execvp's search, done up front so a bad CMD fails before any tracing. */
static int resolve_cmd(const char *cmd, char *out, size_t len)
{
	const char *path = getenv("PATH");
	bool found_noexec = false;
	char buf[PATH_MAX];

	if (strchr(cmd, '/')) {
		struct stat st;

		if (stat(cmd, &st))
			return errno == ENOENT ? 127 : 126;
		if (S_ISDIR(st.st_mode) || access(cmd, X_OK))
			return 126;
		snprintf(out, len, "%s", cmd);
		return 0;
	}
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		const char *colon = strchr(path, ':');
		size_t n = colon ? (size_t)(colon - path) : strlen(path);
		struct stat st;

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, n ? path : ".", cmd);
		if (stat(buf, &st) == 0 && S_ISREG(st.st_mode)) {
			if (access(buf, X_OK) == 0) {
				snprintf(out, len, "%s", buf);
				return 0;
			}
			found_noexec = true;
		}
		path += n + (colon ? 1 : 0);
		if (!colon)
			break;
	}
	return found_noexec ? 126 : 127;
}

static char *join_argv(char **argv)
{
	struct strbuf sb;

	sb_init(&sb);
	for (int i = 0; argv[i]; i++) {
		if (i)
			sb_putc(&sb, ' ');
		sb_puts(&sb, argv[i]);
	}
	return sb.buf ? sb.buf : strdup("");
}

/* File name extension of a run's file in the --repeat directory. */
static const char *format_ext(void)
{
	switch (env.format) {
	case FMT_TEXT: return "txt";
	case FMT_INITTRACE: return "inittrace.txt";
	case FMT_JSONL: return "jsonl";
	case FMT_PERFETTO: return "perfetto.json";
	case FMT_SVG: return "svg";
	case FMT_OTLP: return "otlp.json";
	}
	return "out";
}

/* Where run number `run` goes: -o FILE, or DIR/run-NNN.EXT with --repeat. */
static void output_path(int run, char *buf, size_t len)
{
	if (env.repeat > 1)
		snprintf(buf, len, "%s/run-%03d.%s", env.output, run, format_ext());
	else
		snprintf(buf, len, "%s", env.output);
}

/* What a path is, for an error message: "PATH is %s". */
static const char *file_kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISLNK(m))
		return "a symbolic link";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a regular file";
}

/* path's directory ("." or "/" when it has none) and its last component. */
static void split_path(const char *path, char *dir, size_t dlen, const char **base)
{
	const char *slash = strrchr(path, '/');

	*base = slash ? slash + 1 : path;
	if (!slash)
		snprintf(dir, dlen, ".");
	else if (slash == path)
		snprintf(dir, dlen, "/");
	else
		snprintf(dir, dlen, "%.*s", (int)(slash - path), path);
}

/*
 * An output file is written as "FILE.coldtrace-PID-XXXXXX", locked (flock)
 * by its writer until it is renamed to FILE. One left behind (coldtrace
 * SIGKILLed while writing) is removed by a later run when both say that
 * its writer is gone: no process PID (in our pid namespace) and no lock on
 * the file (a lock goes with its writer's file descriptor, whatever the
 * writer's namespace). base: only the temporary files of dir/base; NULL:
 * every one in dir.
 */
#define CT_TMP_TAG ".coldtrace-"

static void clean_stale_temps(const char *dir, const char *base)
{
	size_t blen = base ? strlen(base) : 0, tlen = strlen(CT_TMP_TAG);
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		const char *tag = base ? de->d_name + blen : strstr(de->d_name, CT_TMP_TAG);
		struct stat st;
		char *end;
		long pid;
		int fd;

		if ((base && strncmp(de->d_name, base, blen)) || !tag || strncmp(tag, CT_TMP_TAG, tlen))
			continue;
		tag += tlen;
		if (*tag < '1' || *tag > '9')
			continue;
		errno = 0;
		pid = strtol(tag, &end, 10);
		if (errno || pid > INT_MAX || *end != '-' || strlen(end + 1) != 6)
			continue;
		if (pid == getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue; /* its writer may still be at work */
		fd = openat(dirfd(d), de->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && flock(fd, LOCK_EX | LOCK_NB) == 0 &&
		    unlinkat(dirfd(d), de->d_name, 0) == 0 && !env.quiet)
			fprintf(stderr, "coldtrace: removed %s/%s, left half-written by coldtrace pid %ld (gone)\n",
				dir, de->d_name, pid);
		close(fd);
	}
	closedir(d);
}

/*
 * Refuse up front, before anything is traced, what would not be written:
 * only regular files are (never through a symbolic link, onto a device or
 * into a FIFO), an existing one only with --force, in a directory we can
 * write into. "-o -" is stdout. Temporary files an earlier run left are
 * removed here.
 */
static void check_outputs(void)
{
	char path[PATH_MAX], dir[PATH_MAX];
	const char *base;
	struct stat st;

	if (env.output && !strcmp(env.output, "-"))
		env.output = NULL;
	if (!env.output)
		return;
	if (!*env.output)
		die(2, "-o needs a file name (or - for stdout)");
	if (env.repeat > 1) {
		if (stat(env.output, &st) == 0 && !S_ISDIR(st.st_mode))
			die(2, "with --repeat, -o names a directory; %s is not one", env.output);
		if (mkdir(env.output, 0755) && errno != EEXIST)
			die(1, "cannot create %s: %s", env.output, strerror(errno));
		snprintf(dir, sizeof(dir), "%s", env.output);
		base = NULL;
	} else {
		split_path(env.output, dir, sizeof(dir), &base);
	}
	if (stat(dir, &st))
		die(1, "cannot write into %s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		die(1, "cannot write into %s: %s", dir, strerror(ENOTDIR));
	if (access(dir, W_OK | X_OK))
		die(1, "cannot write into %s: %s", dir, strerror(errno));
	clean_stale_temps(dir, base);
	for (int run = 1; run <= env.repeat; run++) {
		output_path(run, path, sizeof(path));
		if (lstat(path, &st))
			continue;
		if (!S_ISREG(st.st_mode))
			die(2, "%s is %s; -o writes only regular files (-o - for stdout)", path,
			    file_kind(st.st_mode));
		if (!env.force)
			die(2, "%s exists; use --force to overwrite it", path);
	}
}

/* The new file gets the owner and permissions of the one it replaces
 * (--force), else the usual 0666 & ~umask (mkstemp makes 0600). */
static int set_mode(int fd, const char *path, const struct stat *old)
{
	struct stat st;

	if (!old) {
		mode_t um = umask(0);

		umask(um);
		return fchmod(fd, 0666 & ~um) ? -errno : 0;
	}
	if (fstat(fd, &st))
		return -errno;
	if ((st.st_uid != old->st_uid || st.st_gid != old->st_gid) &&
	    fchown(fd, old->st_uid, old->st_gid) && !env.quiet)
		fprintf(stderr, "coldtrace: warning: %s: cannot keep its owner %u:%u: %s\n", path,
			(unsigned)old->st_uid, (unsigned)old->st_gid, strerror(errno));
	/* after fchown, which clears set-id bits; none are given back */
	return fchmod(fd, old->st_mode & 0777) ? -errno : 0;
}

/* Write to the output through a temporary file and rename, so a failure
 * never leaves a half-written file in its place, and nothing but a
 * regular file is written (mkstemp's O_EXCL follows no link; rename
 * replaces a name, never writes into what it names). On failure keep the
 * output: print it to stdout and say so. */
static int write_file(const struct strbuf *out, const char *path)
{
	char tmp[PATH_MAX + 48];
	const char *now_is = NULL;
	struct stat old;
	bool replace = false;
	int fd, rc;

	snprintf(tmp, sizeof(tmp), "%s" CT_TMP_TAG "%d-XXXXXX", path, (int)getpid());
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		goto fail;
	}
	flock(fd, LOCK_EX); /* until renamed: see clean_stale_temps */
	rc = sb_write_fd(out, fd);
	if (!rc && fsync(fd))
		rc = -errno;
	if (!rc && lstat(path, &old) == 0) {
		/* checked before tracing; it may have appeared or changed since */
		if (!S_ISREG(old.st_mode))
			now_is = file_kind(old.st_mode);
		else if (!env.force)
			rc = -EEXIST;
		else
			replace = true;
	}
	if (!rc && !now_is)
		rc = set_mode(fd, path, replace ? &old : NULL);
	if (!rc && !now_is && rename(tmp, path))
		rc = -errno;
	if (!rc && !now_is) {
		close(fd);
		return 0;
	}
	unlink(tmp);
	close(fd);
fail:
	if (now_is)
		fprintf(stderr, "coldtrace: cannot write %s: it is now %s; the output follows on stdout instead\n",
			path, now_is);
	else
		fprintf(stderr, "coldtrace: cannot write %s: %s; the output follows on stdout instead\n",
			path, strerror(-rc));
	sb_write_fd(out, STDOUT_FILENO);
	return 1;
}

/* Write a run's output to stdout or its file. */
static int write_output(const struct strbuf *out, int run)
{
	char path[PATH_MAX];

	if (!env.output)
		return sb_write_fd(out, STDOUT_FILENO) ? 1 : 0;
	output_path(run, path, sizeof(path));
	return write_file(out, path);
}

/*
 * Signals arrive on a signalfd in the same epoll set as the ring buffer, so
 * none is missed between checks. The previous mask goes to *oldmask.
 */
static void signal_epoll(struct ct_tracer *tracer, const sigset_t *sigs, sigset_t *oldmask,
			 int *sfd, int *efd)
{
	struct epoll_event ev = {.events = EPOLLIN};

	sigprocmask(SIG_BLOCK, sigs, oldmask);
	*sfd = signalfd(-1, sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	*efd = epoll_create1(EPOLL_CLOEXEC);
	if (*sfd < 0 || *efd < 0)
		die(1, "signalfd/epoll: %s", strerror(errno));
	ev.data.fd = *sfd;
	if (epoll_ctl(*efd, EPOLL_CTL_ADD, *sfd, &ev))
		die(1, "epoll: %s", strerror(errno));
	ev.data.fd = ct_tracer_fd(tracer);
	if (epoll_ctl(*efd, EPOLL_CTL_ADD, ev.data.fd, &ev))
		die(1, "epoll: %s", strerror(errno));
}

/* ---- Ctrl-C/SIGTERM for the command's tree ---- */

#ifndef P_PIDFD
#define P_PIDFD 3 /* waitid on a pidfd, Linux 5.4 */
#endif

/* The parent of pid as /proc says, or -1. */
static pid_t proc_ppid(pid_t pid)
{
	char path[64], buf[512], *p;
	long ppid;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	p = strrchr(buf, ')'); /* after comm, which may hold anything */
	if (!p || sscanf(p + 1, " %*c %ld", &ppid) != 1)
		return -1;
	return (pid_t)ppid;
}

struct pid_ppid {
	pid_t pid, ppid;
};

/* Signal parent's children in ps, and theirs. A child counts only if, once
 * pinned with a pidfd, /proc still names parent as its parent while both
 * are alive (not reaped): then neither pid was freed and reused in
 * between, and the pidfd signals that very process. parent_fd < 0: us. */
static int signal_subtree(const struct pid_ppid *ps, size_t n, pid_t parent, int parent_fd,
			  int sig, int depth)
{
	int sent = 0;

	if (depth > 4096)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int fd;

		if (ps[i].ppid != parent)
			continue;
		fd = pidfd_open(ps[i].pid, 0);
		if (fd < 0)
			continue;
		if (proc_ppid(ps[i].pid) == parent && pidfd_send_signal(fd, 0, NULL, 0) == 0 &&
		    (parent_fd < 0 || pidfd_send_signal(parent_fd, 0, NULL, 0) == 0)) {
			if (pidfd_send_signal(fd, sig, NULL, 0) == 0)
				sent++;
			sent += signal_subtree(ps, n, ps[i].pid, fd, sig, depth + 1);
		}
		close(fd);
	}
	return sent;
}

/*
 * What is left of the command's tree once its root has exited is exactly
 * our descendants: we are the tree's subreaper, so whatever is orphaned in
 * it comes to us (or to a subreaper inside it), and a process never gains
 * ancestors. Walk down from us over a snapshot of /proc. The number of
 * processes signalled.
 */
static int signal_tree(int sig)
{
	struct pid_ppid *ps = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d = opendir("/proc");
	int sent;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		pid_t ppid;

		if (*end || pid <= 0 || pid == getpid() || (ppid = proc_ppid((pid_t)pid)) <= 0)
			continue;
		if (n == cap) {
			struct pid_ppid *np = realloc(ps, (cap = cap ? 2 * cap : 256) * sizeof(*ps));

			if (!np)
				break;
			ps = np;
		}
		ps[n].pid = (pid_t)pid;
		ps[n++].ppid = ppid;
	}
	closedir(d);
	sent = signal_subtree(ps, n, getpid(), -1, sig, 0);
	free(ps);
	return sent;
}

/* The first Ctrl-C/SIGTERM goes to the command while its root process
 * runs (through its pidfd: once reaped, never to whoever has its pid
 * now); once the root has exited, to every process left in its tree. */
static void forward_signal(int root_fd, int sig)
{
	siginfo_t si = {0};

	pidfd_send_signal(root_fd, sig, NULL, 0);
	if (waitid((idtype_t)P_PIDFD, (id_t)root_fd, &si, WEXITED | WNOHANG | WNOWAIT) || si.si_pid)
		signal_tree(sig);
}

/* One cold start of the command: fork, trace until the tree is gone, render. */
struct run {
	struct ct_tracer *tracer;
	int efd, sfd;
	const sigset_t *oldmask;
	const struct sigaction *orig_int, *orig_term;
	const char *cmdpath, *cmdline;
	char **argv, **shargv;
	int run;
	uint64_t t_start;
	/* out */
	int status; /* what coldtrace exits with for this run */
	bool interrupted;
	int stop_sig; /* the Ctrl-C/SIGTERM that interrupted it */
};

static void render(const struct ct_model *m, struct strbuf *out, const struct ct_render_opts *o)
{
	switch (env.format) {
	case FMT_TEXT: ct_render_text(m, out, o); break;
	case FMT_INITTRACE: ct_render_inittrace(m, out); break;
	case FMT_JSONL: ct_render_jsonl(m, out, o); break;
	case FMT_PERFETTO: ct_render_perfetto(m, out, o); break;
	case FMT_SVG: ct_render_svg(m, out, o); break;
	case FMT_OTLP: ct_render_otlp(m, out, o); break;
	}
}

static int run_once(struct run *r)
{
	struct ct_render_opts ropts = {0};
	struct ct_model model;
	struct strbuf out;
	int go[2], status = 0, root_status = 0, rc, exiting = 0, forwarded = 0, root_fd;
	bool root_done = false;
	pid_t child;

	ct_model_init(&model, NULL);
	model_options(&model);
	ct_tracer_set_model(r->tracer, &model);
	if (pipe2(go, O_CLOEXEC))
		die(1, "pipe: %s", strerror(errno));
	child = fork();
	if (child < 0)
		die(1, "fork: %s", strerror(errno));
	if (child == 0) {
		char c;

		sigaction(SIGINT, r->orig_int, NULL);
		sigaction(SIGTERM, r->orig_term, NULL);
		sigprocmask(SIG_SETMASK, r->oldmask, NULL);
		close(go[1]);
		/* Wait until the tracer is in place: nothing runs untraced. */
		if (read(go[0], &c, 1) != 1)
			_exit(127);
		execv(r->cmdpath, r->argv);
		if (errno == ENOEXEC) /* no #!, or empty: a shell script, as for execvp */
			execv(r->shargv[0], r->shargv);
		fprintf(stderr, "coldtrace: cannot execute %s: %s\n", r->cmdpath, strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	close(go[0]);
	/* not reaped before we wait for it: this is our child's pid */
	root_fd = pidfd_open(child, 0);
	if (root_fd < 0) {
		kill(child, SIGKILL);
		die(1, "pidfd_open: %s", strerror(errno));
	}
	ct_model_add_root(&model, (uint32_t)child, now_ns(CLOCK_MONOTONIC));
	if (ct_tracer_add_pid(r->tracer, child)) {
		kill(child, SIGKILL);
		die(1, "cannot add the command to the traced set: %s", strerror(errno));
	}
	ct_tracer_prepare_binary(r->tracer, r->cmdpath);
	if (write(go[1], "g", 1) != 1) {
		kill(child, SIGKILL);
		die(1, "cannot start the command: %s", strerror(errno));
	}
	close(go[1]);

	for (;;) {
		struct epoll_event evs[2];
		struct signalfd_siginfo si;
		pid_t w;
		int n;

		while ((w = waitpid(-1, &status, WNOHANG)) > 0)
			if (w == child) {
				root_done = true;
				root_status = status;
			}
		if (w < 0 && errno == ECHILD)
			break; /* the whole tree has exited */
		/* First Ctrl-C/SIGTERM: pass it to the command and keep tracing
		 * until the tree is gone; a second one stops at once. */
		if (exiting && !forwarded) {
			forward_signal(root_fd, exiting);
			forwarded = exiting;
			exiting = 0;
		} else if (exiting) {
			break;
		}
		/* events are also drained on a timeout: BPF wakes us only when
		 * the ring fills up, to spare the traced processes */
		n = epoll_wait(r->efd, evs, 2, 100);
		if (n < 0 && errno != EINTR) {
			fprintf(stderr, "coldtrace: epoll: %s\n", strerror(errno));
			break;
		}
		rc = ct_tracer_consume(r->tracer);
		if (rc < 0 && rc != -EINTR) {
			fprintf(stderr, "coldtrace: ring buffer: %s\n", strerror(-rc));
			break;
		}
		while (read(r->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
			if (si.ssi_signo == SIGINT || si.ssi_signo == SIGTERM)
				exiting = (int)si.ssi_signo;
	}
	close(root_fd);
	ct_tracer_finish(r->tracer);
	ct_model_finish(&model);

	ropts.command = r->cmdline;
	ropts.top = env.top;
	ropts.color = !env.output && env.format == FMT_TEXT && isatty(STDOUT_FILENO);
	ropts.realtime_offset_ns = now_ns(CLOCK_REALTIME) - now_ns(CLOCK_MONOTONIC);
	sb_init(&out);
	if (env.repeat > 1 && !env.output)
		sb_printf(&out, "%s# run %d of %d\n", r->run > 1 ? "\n" : "", r->run, env.repeat);
	render(&model, &out, &ropts);
	rc = write_output(&out, r->run);
	if (env.stats) {
		size_t npk = 0;
		uint64_t hits = ct_tracer_go_hits(r->tracer);

		for (size_t i = 0; i < model.nprocs; i++)
			for (size_t j = 0; j < model.procs[i].nimages; j++)
				npk += model.procs[i].images[j].npkgs;
		fprintf(stderr, "coldtrace: stats: go_probe_hits=%llu packages=%zu hits_per_package=%.2f go_binaries=%zu tracer_setup_ms=%.3f\n",
			(unsigned long long)hits, npk, npk ? (double)hits / (double)npk : 0.0,
			ct_tracer_go_binaries(r->tracer),
			model.nprocs && model.procs[0].nimages && model.procs[0].images[0].exec_ts
				? (double)(model.procs[0].images[0].exec_ts - r->t_start) / 1e6 : -1.0);
		ct_tracer_stats(r->tracer, stderr);
	}
	{
		uint64_t lost = 0;

		for (int t = 1; t < CT_EV_MAX; t++)
			lost += model.lost[t];
		if (lost)
			fprintf(stderr, "coldtrace: %llu events lost (ring buffer full); the trace is incomplete, try --ringbuf-size\n",
				(unsigned long long)lost);
	}
	sb_free(&out);
	ct_model_free(&model);

	r->interrupted = exiting || forwarded;
	r->stop_sig = exiting ? exiting : forwarded;
	if (!root_done) {
		int sig = exiting ? exiting : forwarded;

		r->status = sig ? 128 + sig : 1;
	} else if (WIFSIGNALED(root_status)) {
		r->status = 128 + WTERMSIG(root_status);
	} else {
		r->status = WEXITSTATUS(root_status);
	}
	return rc;
}

/* execvp's way with a file the kernel will not run (ENOEXEC: no "#!", or
 * empty): /bin/sh FILE ARGS... Made before fork. */
static char **sh_argv(const char *path, char **argv)
{
	char **v;
	int n = 0;

	while (argv[n])
		n++;
	v = calloc((size_t)n + 2, sizeof(*v));
	if (!v)
		die(1, "out of memory");
	v[0] = (char *)"/bin/sh";
	v[1] = (char *)path;
	for (int i = 1; i < n; i++)
		v[i + 1] = argv[i];
	return v;
}

/* A Ctrl-C/SIGTERM that came while no run was being traced: its number. */
static int stop_pending(int sfd)
{
	struct signalfd_siginfo si;
	int sig = 0;

	while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		if (si.ssi_signo == SIGINT || si.ssi_signo == SIGTERM)
			sig = (int)si.ssi_signo;
	return sig;
}

/* --repeat: how many runs were made and written, and which were not. */
static void repeat_summary(int done, int nfailed, const struct strbuf *failed, int stopped_by)
{
	if (env.quiet && !nfailed && !stopped_by)
		return;
	fprintf(stderr, "coldtrace: --repeat: %d of %d runs done", done, env.repeat);
	if (stopped_by)
		fprintf(stderr, " (stopped by %s)", strsignal(stopped_by));
	if (env.output)
		fprintf(stderr, ", %d written to %s", done - nfailed, env.output);
	if (nfailed)
		fprintf(stderr, "; not written: run%s %s (each went to stdout)", nfailed > 1 ? "s" : "",
			failed->buf);
	fputc('\n', stderr);
}

static int cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"format", required_argument, NULL, 'f'},
		{"output", required_argument, NULL, 'o'},
		{"force", no_argument, NULL, 'F'},
		{"top", required_argument, NULL, 'n'},
		{"ringbuf-size", required_argument, NULL, 'R'},
		{"capture-bytes", required_argument, NULL, 'C'},
		{"repeat", required_argument, NULL, 'r'},
		{"binary", required_argument, NULL, 'b'},
		{"max-hold", required_argument, NULL, 'M'},
		{"no-cache", no_argument, NULL, 'N'},
		{"keep-query", no_argument, NULL, 'K'},
		{"max-memory", required_argument, NULL, 'X'},
		{"stats", no_argument, NULL, 'S'},
		{"quiet", no_argument, NULL, 'q'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct ct_tracer_opts topts = {0};
	struct ct_tracer *tracer = NULL;
	struct ct_model model;
	char cmdpath[PATH_MAX], err[256], *cmdline, **shargv;
	int opt, rc, ret = 1, sfd, efd, ndone = 0, nfailed = 0, stopped_by = 0;
	struct strbuf failed;
	sigset_t sigs, oldmask;
	struct sigaction orig_int, orig_term;
	uint64_t t_start = now_ns(CLOCK_MONOTONIC);

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+f:o:n:qvh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'f': env.format = parse_format(optarg); break;
		case 'o': env.output = optarg; break;
		case 'F': env.force = true; break;
		case 'n': env.top = parse_top(optarg); break;
		case 'R': env.ringbuf_bytes = parse_ringbuf(optarg); break;
		case 'C': env.capture_bytes = parse_capture(optarg); break;
		case 'r': {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (*end || v < 1 || v > 10000)
				die(2, "--repeat takes a number from 1 to 10000, not '%s'", optarg);
			env.repeat = (int)v;
			break;
		}
		case 'b':
			env.binaries = realloc(env.binaries, (env.nbinaries + 1) * sizeof(*env.binaries));
			if (!env.binaries)
				die(1, "out of memory");
			env.binaries[env.nbinaries++] = optarg;
			break;
		case 'M': env.max_hold_ns = parse_max_hold(optarg); break;
		case 'N': env.no_cache = true; break;
		case 'K': env.keep_query = true; break;
		case 'X': env.max_memory = parse_size("--max-memory", optarg); break;
		case 'S': env.stats = true; break;
		case 'q': env.quiet = true; break;
		case 'v': env.verbose = true; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs("Try 'coldtrace run --help'.\n", stderr); return 2;
		}
	}
	if (optind >= argc)
		die(2, "no command given: coldtrace run [OPTIONS] -- CMD [ARGS...]");
	argv += optind;

	check_outputs();
	rc = resolve_cmd(argv[0], cmdpath, sizeof(cmdpath));
	if (rc == 127)
		die(127, "%s: command not found", argv[0]);
	if (rc == 126)
		die(126, "%s: not an executable file (%s)", argv[0], strerror(EACCES));
	preflight();

	ct_model_init(&model, NULL);
	model_options(&model);
	topts.verbose = env.verbose;
	topts.quiet = env.quiet;
	topts.ringbuf_bytes = env.ringbuf_bytes;
	topts.capture_bytes = env.capture_bytes;
	topts.max_hold_ns = env.max_hold_ns;
	topts.no_cache = env.no_cache;
	topts.hold_only_uid = !ct_has_cap(CT_CAP_KILL);
	rc = ct_tracer_open(&tracer, &topts, &model, err, sizeof(err));
	if (rc)
		die(rc == -EPERM ? 77 : 1, "%s", err);
	ct_model_free(&model); /* each run gets its own */
	/* Arm ahead, so nothing waits at its exec: CMD, what earlier runs of
	 * it exec'd, --binary, and executables named in CMD's arguments. */
	ct_tracer_prepare_binary(tracer, cmdpath);
	{
		/* the history is per command line: CMD's path and its arguments */
		char *args = join_argv(argv + 1), key[PATH_MAX + 1024];

		snprintf(key, sizeof(key), "%s %s", cmdpath, args ? args : "");
		free(args);
		ct_tracer_use_history(tracer, key);
	}
	for (size_t i = 0; i < env.nbinaries; i++) {
		glob_t g;

		if (glob(env.binaries[i], 0, NULL, &g) == 0) {
			for (size_t k = 0; k < g.gl_pathc; k++)
				ct_tracer_prepare_binary(tracer, g.gl_pathv[k]);
			globfree(&g);
		} else if (!env.quiet) {
			fprintf(stderr, "coldtrace: warning: --binary %s matches nothing\n", env.binaries[i]);
		}
	}
	ct_tracer_prearm_argv(tracer, argv);
	if (env.verbose)
		fprintf(stderr, "coldtrace: ready to start the command after %.3f ms\n",
			(double)(now_ns(CLOCK_MONOTONIC) - t_start) / 1e6);

	/* Orphans of the tree are re-parented to us: when wait() says ECHILD,
	 * the whole tree has exited. Signals arrive on a signalfd in the same
	 * epoll set as the ring buffer, so none is missed between checks. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	/* An ignored signal never reaches a signalfd (a background job of a
	 * script starts with SIGINT ignored): take them over, and give the
	 * command back what we were given. */
	{
		struct sigaction dfl = {.sa_handler = SIG_DFL};

		sigaction(SIGINT, &dfl, &orig_int);
		sigaction(SIGTERM, &dfl, &orig_term);
	}
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGCHLD);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	signal_epoll(tracer, &sigs, &oldmask, &sfd, &efd);

	cmdline = join_argv(argv);
	shargv = sh_argv(cmdpath, argv);
	sb_init(&failed);
	for (int run = 1; run <= env.repeat; run++) {
		struct run r = {.tracer = tracer, .efd = efd, .sfd = sfd, .oldmask = &oldmask,
				.orig_int = &orig_int, .orig_term = &orig_term, .cmdpath = cmdpath,
				.argv = argv, .shargv = shargv, .cmdline = cmdline, .run = run,
				.t_start = t_start};

		/* Every run is made: one whose output could not be written (it
		 * went to stdout, and the error said so) does not end them. */
		if (run_once(&r))
			sb_printf(&failed, "%s%d", nfailed++ ? "," : "", run);
		ndone = run;
		ret = r.status;
		if (r.interrupted) {
			stopped_by = r.stop_sig;
			break;
		}
		if (run < env.repeat && (stopped_by = stop_pending(sfd))) {
			ret = 128 + stopped_by;
			break;
		}
		t_start = now_ns(CLOCK_MONOTONIC);
	}
	if (env.repeat > 1)
		repeat_summary(ndone, nfailed, &failed, stopped_by);
	if (nfailed)
		ret = 1;
	sb_free(&failed);
	free(shargv);
	close(efd);
	close(sfd);
	sigprocmask(SIG_SETMASK, &oldmask, NULL);
	free(cmdline);
	{
		uint64_t t0 = now_ns(CLOCK_MONOTONIC);

		ct_tracer_close(tracer);
		if (env.verbose)
			fprintf(stderr, "coldtrace: closed in %.3f ms\n", (double)(now_ns(CLOCK_MONOTONIC) - t0) / 1e6);
	}
	return ret;
}

/* ---- coldtrace watch: sandboxes started by someone else ---- */

struct sandbox {
	uint32_t root;
	struct ct_model m;
	uint64_t lost_at_start;
};

struct watch {
	struct ct_tracer *t;
	struct sandbox **sb;
	size_t nsb;
	char **globs;
	size_t nglobs;
	char **comms;
	size_t ncomms;
	bool *said_empty;
	int written;
};

static struct sandbox *sandbox_find(struct watch *w, uint32_t root)
{
	for (size_t i = 0; i < w->nsb; i++)
		if (w->sb[i]->root == root)
			return w->sb[i];
	return NULL;
}

static struct sandbox *sandbox_new(struct watch *w, uint32_t root, uint64_t ts)
{
	struct sandbox **nsb = realloc(w->sb, (w->nsb + 1) * sizeof(*nsb));
	struct sandbox *s = calloc(1, sizeof(*s));

	if (!nsb || !s) {
		free(s);
		if (nsb)
			w->sb = nsb;
		return NULL;
	}
	w->sb = nsb;
	s->root = root;
	ct_model_init(&s->m, NULL);
	model_options(&s->m);
	ct_tracer_bind_model(w->t, &s->m);
	ct_model_add_root(&s->m, root, ts);
	s->lost_at_start = ct_tracer_lost_total(w->t);
	w->sb[w->nsb++] = s;
	return s;
}

static struct ct_model *watch_model(void *ctx, const struct ct_hdr *h)
{
	struct watch *w = ctx;
	struct sandbox *s;

	if (!h->sandbox)
		return NULL;
	s = sandbox_find(w, h->sandbox);
	if (!s && h->type == CT_EV_EXEC && ((const struct ct_exec *)h)->match != CT_MATCH_NONE) {
		s = sandbox_new(w, h->sandbox, h->ts);
		if (s && !env.quiet) {
			char path[CT_PATH_LEN + 1], esc[4 * CT_PATH_LEN + 8];

			/* a file name is not allowed to drive the terminal */
			snprintf(path, sizeof(path), "%.*s", CT_PATH_LEN, ((const struct ct_exec *)h)->path);
			fprintf(stderr, "coldtrace: sandbox %u started: %s\n", h->sandbox,
				str_esc(esc, sizeof(esc), path));
		}
	}
	return s ? &s->m : NULL;
}

/* An exec matched by name, held: is it one of ours? Its path as the process
 * sees it (inside a container: in its own mount namespace) against the
 * globs, or its file against the watched files, or its name against --comm. */
static bool watch_candidate(void *ctx, const struct ct_exec *e)
{
	struct watch *w = ctx;
	char link[64], path[PATH_MAX];
	struct stat st, ws;
	ssize_t n;

	for (size_t i = 0; i < w->ncomms; i++)
		if (strncmp(w->comms[i], e->comm, CT_COMM_LEN - 1) == 0)
			return true;
	snprintf(link, sizeof(link), "/proc/%u/exe", e->h.pid);
	n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0)
		return false;
	path[n] = 0;
	for (size_t i = 0; i < w->nglobs; i++)
		if (fnmatch(w->globs[i], path, FNM_PATHNAME) == 0)
			return true;
	if (stat(link, &st))
		return false;
	for (size_t i = 0; i < w->nglobs; i++) {
		glob_t g;

		if (glob(w->globs[i], 0, NULL, &g))
			continue;
		for (size_t k = 0; k < g.gl_pathc; k++)
			if (stat(g.gl_pathv[k], &ws) == 0 && ws.st_dev == st.st_dev && ws.st_ino == st.st_ino) {
				globfree(&g);
				return true;
			}
		globfree(&g);
	}
	return false;
}

/* Arm every file the globs match now (new files, replaced binaries). */
static void watch_rescan(struct watch *w)
{
	for (size_t i = 0; i < w->nglobs; i++) {
		glob_t g;
		int rc = glob(w->globs[i], 0, NULL, &g);

		if (rc == GLOB_NOMATCH || (rc == 0 && g.gl_pathc == 0)) {
			const char *base = strrchr(w->globs[i], '/');

			if (!w->said_empty[i] && !env.quiet)
				fprintf(stderr, "coldtrace: %s matches nothing yet; waiting for it\n", w->globs[i]);
			w->said_empty[i] = true;
			/* still catch it by name when it appears */
			if (base && !strpbrk(base + 1, "*?["))
				ct_tracer_watch_comm(w->t, base + 1);
			if (rc == 0)
				globfree(&g);
			continue;
		}
		if (rc)
			continue;
		for (size_t k = 0; k < g.gl_pathc; k++)
			ct_tracer_watch_binary(w->t, g.gl_pathv[k]);
		globfree(&g);
	}
}

static bool sandbox_over(const struct sandbox *s)
{
	if (!s->m.nprocs)
		return false;
	for (size_t i = 0; i < s->m.nprocs; i++)
		if (!s->m.procs[i].exited)
			return false;
	return true;
}

/* Render a finished (or cut short) sandbox and free it. */
static void sandbox_write(struct watch *w, struct sandbox *s, bool cut)
{
	struct ct_render_opts ropts = {0};
	const struct ct_proc *root = ct_model_proc(&s->m, s->root);
	const struct ct_image *im = root ? ((struct ct_proc *)root)->images : NULL;
	uint64_t lost = ct_tracer_lost_total(w->t) - s->lost_at_start;
	char cmd[CT_PATH_LEN + 64], path[PATH_MAX];
	struct strbuf out;

	ct_model_finish(&s->m);
	if (lost)
		s->m.lost[CT_EV_IO] += lost; /* not attributable per sandbox: counted here */
	snprintf(cmd, sizeof(cmd), "sandbox %u %s%s", s->root, im ? im->path : "?",
		 cut ? " (cut short: coldtrace stopped)" : "");
	ropts.command = cmd;
	ropts.top = env.top;
	ropts.color = !env.output && env.format == FMT_TEXT && isatty(STDOUT_FILENO);
	ropts.realtime_offset_ns = now_ns(CLOCK_REALTIME) - now_ns(CLOCK_MONOTONIC);
	sb_init(&out);
	render(&s->m, &out, &ropts);
	if (env.output) {
		uint64_t start = s->m.first_ts + ropts.realtime_offset_ns;
		time_t secs = (time_t)(start / 1000000000ull);
		struct tm tm;
		char stamp[32];

		gmtime_r(&secs, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
		/* names sort by start time */
		snprintf(path, sizeof(path), "%s/%s.%06lluZ-%u.%s", env.output, stamp,
			 (unsigned long long)(start % 1000000000ull / 1000), s->root, format_ext());
		if (write_file(&out, path) == 0 && !env.quiet)
			fprintf(stderr, "coldtrace: sandbox %u: %s\n", s->root, path);
	} else {
		if (w->written)
			sb_write_fd(&(struct strbuf){.buf = "\n", .len = 1}, STDOUT_FILENO);
		sb_write_fd(&out, STDOUT_FILENO);
	}
	w->written++;
	sb_free(&out);
	ct_model_free(&s->m);
	/* a long watch frees many models of many sizes: give the memory back */
	malloc_trim(0);
}

/*
 * --binary as the user typed it, made absolute: relative to the current
 * directory (never searched in $PATH), "." and ".." resolved in the text
 * (the file may not exist yet), the current directory's own glob
 * characters escaped. Allocated.
 */
static char *watch_abs(const char *arg)
{
	char cwd[PATH_MAX], *joined, *out, *comp, *save;
	size_t len = 0;
	char *o;

	cwd[0] = 0;
	if (arg[0] != '/' && !getcwd(cwd, sizeof(cwd)))
		die(1, "watch: --binary %s: cannot get the current directory: %s", arg, strerror(errno));
	joined = malloc(2 * strlen(cwd) + strlen(arg) + 2);
	out = malloc(2 * strlen(cwd) + strlen(arg) + 3);
	if (!joined || !out)
		die(1, "out of memory");
	o = joined;
	for (const char *p = cwd; *p; p++) {
		if (strchr("*?[\\", *p))
			*o++ = '\\';
		*o++ = *p;
	}
	*o++ = '/';
	strcpy(o, arg);
	for (comp = strtok_r(joined, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
		if (!strcmp(comp, "."))
			continue;
		if (!strcmp(comp, "..")) {
			while (len && out[len - 1] != '/')
				len--;
			if (len)
				len--;
			continue;
		}
		out[len++] = '/';
		memcpy(out + len, comp, strlen(comp));
		len += strlen(comp);
	}
	if (!len)
		out[len++] = '/';
	out[len] = 0;
	free(joined);
	return out;
}

static int cmd_watch(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"binary", required_argument, NULL, 'b'},
		{"comm", required_argument, NULL, 'c'},
		{"duration", required_argument, NULL, 'd'},
		{"format", required_argument, NULL, 'f'},
		{"output", required_argument, NULL, 'o'},
		{"capture-bytes", required_argument, NULL, 'C'},
		{"ringbuf-size", required_argument, NULL, 'R'},
		{"top", required_argument, NULL, 'n'},
		{"max-hold", required_argument, NULL, 'M'},
		{"no-cache", no_argument, NULL, 'N'},
		{"keep-query", no_argument, NULL, 'K'},
		{"max-memory", required_argument, NULL, 'X'},
		{"quiet", no_argument, NULL, 'q'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct ct_tracer_opts topts = {0};
	struct ct_tracer_sink sink = {0};
	struct watch w = {0};
	struct ct_tracer *tracer;
	struct ct_model dummy;
	double duration = 0;
	uint64_t deadline = 0, next_scan = 0;
	char err[256];
	int opt, sfd, efd, stop = 0;
	sigset_t sigs, oldmask;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "b:c:d:f:o:n:qvh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'b': {
			struct stat st;

			if (!*optarg)
				die(2, "watch: --binary needs a path");
			if (!strpbrk(optarg, "*?[") && stat(optarg, &st) == 0 && S_ISDIR(st.st_mode))
				die(2, "watch: --binary %s is a directory; give the path of a binary (or a glob)",
				    optarg);
			w.globs = realloc(w.globs, (w.nglobs + 1) * sizeof(*w.globs));
			w.globs[w.nglobs++] = watch_abs(optarg);
			break;
		}
		case 'c':
			w.comms = realloc(w.comms, (w.ncomms + 1) * sizeof(*w.comms));
			w.comms[w.ncomms++] = optarg;
			break;
		case 'd': {
			char *end;

			duration = strtod(optarg, &end);
			/* !(> 0) also catches nan; inf is over the top */
			if (*end || end == optarg || !isfinite(duration) || !(duration > 0) || duration > 1e7)
				die(2, "--duration takes a finite number of seconds, more than 0 and at most 1e7, not '%s'",
				    optarg);
			break;
		}
		case 'f': env.format = parse_format(optarg); break;
		case 'o': env.output = optarg; break;
		case 'C': env.capture_bytes = parse_capture(optarg); break;
		case 'R': env.ringbuf_bytes = parse_ringbuf(optarg); break;
		case 'n': env.top = parse_top(optarg); break;
		case 'M': env.max_hold_ns = parse_max_hold(optarg); break;
		case 'N': env.no_cache = true; break;
		case 'K': env.keep_query = true; break;
		case 'X': env.max_memory = parse_size("--max-memory", optarg); break;
		case 'q': env.quiet = true; break;
		case 'v': env.verbose = true; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs("Try 'coldtrace --help'.\n", stderr); return 2;
		}
	}
	if (optind < argc)
		die(2, "watch: unexpected argument '%s' (use --binary PATH or --comm NAME)", argv[optind]);
	if (!w.nglobs && !w.ncomms)
		die(2, "watch: nothing to watch: give --binary PATH|GLOB or --comm NAME");
	if (env.output && !strcmp(env.output, "-"))
		env.output = NULL; /* stdout, as asked */
	if (env.output) {
		struct stat st;

		if (mkdir(env.output, 0755) && errno != EEXIST)
			die(1, "cannot create %s: %s", env.output, strerror(errno));
		if (stat(env.output, &st) || !S_ISDIR(st.st_mode))
			die(2, "watch: -o names a directory; %s is not one", env.output);
		clean_stale_temps(env.output, NULL);
	}
	for (size_t i = 0; i < w.ncomms; i++)
		if (strlen(w.comms[i]) >= CT_COMM_LEN)
			die(2, "watch: --comm %s: the kernel keeps only %d characters of a name",
			    w.comms[i], CT_COMM_LEN - 1);
	preflight();

	w.said_empty = calloc(w.nglobs + 1, sizeof(*w.said_empty));
	ct_model_init(&dummy, NULL);
	topts.verbose = env.verbose;
	topts.quiet = env.quiet;
	topts.ringbuf_bytes = env.ringbuf_bytes;
	topts.capture_bytes = env.capture_bytes;
	topts.watch = true;
	topts.max_hold_ns = env.max_hold_ns;
	topts.no_cache = env.no_cache;
	topts.hold_only_uid = !ct_has_cap(CT_CAP_KILL);
	opt = ct_tracer_open(&tracer, &topts, &dummy, err, sizeof(err));
	if (opt)
		die(opt == -EPERM ? 77 : 1, "%s", err);
	ct_model_free(&dummy);
	w.t = tracer;
	sink.model = watch_model;
	sink.candidate = watch_candidate;
	sink.ctx = &w;
	ct_tracer_set_sink(tracer, &sink);
	for (size_t i = 0; i < w.ncomms; i++)
		if (ct_tracer_watch_comm(tracer, w.comms[i]))
			die(1, "cannot watch %s: %s", w.comms[i], strerror(errno));
	watch_rescan(&w);

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	signal_epoll(tracer, &sigs, &oldmask, &sfd, &efd);
	if (duration > 0)
		deadline = now_ns(CLOCK_MONOTONIC) + (uint64_t)(duration * 1e9);
	if (!env.quiet)
		fprintf(stderr, "coldtrace: watching; Ctrl-C to stop\n");
	while (!stop) {
		struct epoll_event evs[2];
		struct signalfd_siginfo si;
		uint64_t now = now_ns(CLOCK_MONOTONIC);

		if (deadline && now >= deadline)
			break;
		if (now >= next_scan) {
			watch_rescan(&w); /* replaced binaries (new inode) are re-armed */
			next_scan = now + 1000000000ull;
		}
		/* idle: wake for the globs' rescan only */
		epoll_wait(efd, evs, 2, w.nsb ? 100 : 1000);
		ct_tracer_consume(tracer);
		while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
			stop = (int)si.ssi_signo;
		for (size_t i = 0; i < w.nsb;) {
			if (sandbox_over(w.sb[i])) {
				sandbox_write(&w, w.sb[i], false);
				free(w.sb[i]);
				w.sb[i] = w.sb[--w.nsb];
				if (!w.nsb)
					ct_tracer_idle(tracer); /* the last one: idle means idle */
			} else {
				i++;
			}
		}
	}
	ct_tracer_consume(tracer);
	for (size_t i = 0; i < w.nsb; i++) {
		sandbox_write(&w, w.sb[i], true);
		free(w.sb[i]);
	}
	close(efd);
	close(sfd);
	sigprocmask(SIG_SETMASK, &oldmask, NULL);
	ct_tracer_close(tracer); /* every probe and program detached here */
	if (!env.quiet)
		fprintf(stderr, "coldtrace: %d sandbox%s written\n", w.written, w.written == 1 ? "" : "es");
	free(w.sb);
	for (size_t i = 0; i < w.nglobs; i++)
		free(w.globs[i]);
	free(w.globs);
	free(w.comms);
	free(w.said_empty);
	return 0;
}

static const char *arch_name(enum goelf_arch a)
{
	return a == GOELF_ARCH_X86_64 ? "x86-64" : a == GOELF_ARCH_ARM64 ? "arm64" : "unknown";
}

/* coldtrace inspect BINARY...: the Go binary reader and probe planner. */
static int cmd_inspect(int argc, char **argv)
{
	int ret = 0;

	if (argc < 2)
		die(2, "inspect: no binary given: coldtrace inspect BINARY...");
	for (int i = 1; i < argc; i++) {
		struct goprobe_plan plan;
		struct goelf *g = NULL;
		char err[256];
		int rc = goelf_open_file(argv[i], &g, err, sizeof(err));
		size_t plen = strlen(argv[i]);
		/* every message names the file, once */
		const char *why = !strncmp(err, argv[i], plen) && !strncmp(err + plen, ": ", 2) ?
				  err + plen + 2 : err;

		if (rc == GOELF_E_NOT_GO || rc == GOELF_E_NOT_ELF) {
			fprintf(stderr, "coldtrace: %s: not a Go binary (%s)\n", argv[i], why);
			ret = 1;
			continue;
		}
		if (rc != GOELF_OK) {
			fprintf(stderr, "coldtrace: %s: %s\n", argv[i], why);
			ret = 1;
			continue;
		}
		printf("%s: %s, %s, pclntab %d layout, %zu functions, %s%s%s\n", argv[i],
		       goelf_version(g) ? goelf_version(g) : "Go version unknown",
		       arch_name(goelf_get_arch(g)), (int)goelf_pcln_format(g), goelf_func_count(g),
		       goelf_is_pie(g) ? "PIE" : "not PIE", goelf_is_static(g) ? ", static" : ", dynamic",
		       goelf_has_symtab(g) ? ", symbols" : ", stripped");
		if (goelf_main_path(g))
			printf("  main package: %s\n", goelf_main_path(g));
		if (goprobe_plan(g, &plan, err, sizeof(err))) {
			fprintf(stderr, "coldtrace: %s (%s): cannot trace package init: %s\n", argv[i],
				goelf_version(g) ? goelf_version(g) : "Go version unknown", err);
			ret = 1;
		} else {
			printf("  init runs in %s; probes:\n", plan.init_func);
			for (size_t k = 0; k < plan.n; k++) {
				const struct goprobe *p = &plan.probes[k];
				const struct goelf_func *f = goelf_func_at(g, p->vaddr);

				printf("    %-13s 0x%llx (file offset 0x%llx) %s+0x%llx\n",
				       goprobe_kind_name(p->kind), (unsigned long long)p->vaddr,
				       (unsigned long long)p->offset, f ? f->name : "?",
				       f ? (unsigned long long)(p->vaddr - f->entry) : 0ull);
			}
		}
		goelf_close(g);
	}
	return ret;
}

/*
 * Start-up is mostly libbpf parsing the kernel's BTF (~10 MB of fresh heap)
 * and, on VMs where a page fault is dear, most of that is page faults. With
 * glibc's malloc on transparent huge pages (the glibc.malloc.hugetlb
 * tunable, read only at process start) it takes a third less time and the
 * same RSS. So `run` and `watch` re-exec themselves once with it, and put the
 * environment back as it was at once: the traced commands see the user's.
 */
#define CT_TUNABLE "glibc.malloc.hugetlb=1"
#define CT_REEXEC_ENV "COLDTRACE_TUNABLES_WERE"

static void huge_pages_for_malloc(char **argv)
{
	const char *was = getenv(CT_REEXEC_ENV), *cur = getenv("GLIBC_TUNABLES");
	char buf[4096];

	if (was) {
		/* the re-exec'd one: the tunable is in force; restore */
		if (!strcmp(was, "-"))
			unsetenv("GLIBC_TUNABLES");
		else
			setenv("GLIBC_TUNABLES", was + 1, 1);
		unsetenv(CT_REEXEC_ENV);
		return;
	}
	if ((cur && strstr(cur, "glibc.malloc.hugetlb")) || getenv("COLDTRACE_NO_REEXEC"))
		return;
	if (access("/sys/kernel/mm/transparent_hugepage/enabled", R_OK))
		return;
	snprintf(buf, sizeof(buf), "%s%s", cur ? "=" : "-", cur ? cur : "");
	if (setenv(CT_REEXEC_ENV, buf, 1))
		return;
	snprintf(buf, sizeof(buf), "%s%s%s", cur ? cur : "", cur && *cur ? ":" : "", CT_TUNABLE);
	if (setenv("GLIBC_TUNABLES", buf, 1) == 0) {
		/* by its real path: the process's name stays "coldtrace" */
		char self[PATH_MAX];
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

		if (n > 0) {
			self[n] = 0;
			execv(self, argv);
		}
	}
	/* could not: go on as we are, with the environment as it was */
	if (cur)
		setenv("GLIBC_TUNABLES", cur, 1);
	else
		unsetenv("GLIBC_TUNABLES");
	unsetenv(CT_REEXEC_ENV);
}

int main(int argc, char **argv)
{
	if (argc >= 2 && (!strcmp(argv[1], "run") || !strcmp(argv[1], "watch")))
		huge_pages_for_malloc(argv);
	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("coldtrace %s\n", COLDTRACE_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		fputs(usage, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "inspect"))
		return cmd_inspect(argc - 1, argv + 1);
	if (!strcmp(argv[1], "watch"))
		return cmd_watch(argc - 1, argv + 1);
	if (!strcmp(argv[1], "report"))
		return ct_cmd_report(argc - 1, argv + 1);
	fprintf(stderr, "coldtrace: unknown command '%s'\nTry 'coldtrace --help'.\n", argv[1]);
	return 2;
}
