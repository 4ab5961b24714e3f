// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * coldtrace run [OPTIONS] -- CMD [ARGS...]: start CMD traced from its first
 * instruction, trace its whole tree until it has exited, render, and exit
 * with CMD's status. --repeat N does it N times with the tracer kept.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "acct.h"
#include "bincache.h"
#include "child.h"
#include "cli.h"
#include "fleet.h"
#include "coldcache.h"
#include "exitstatus.h"
#include "model.h"
#include "options.h"
#include "output.h"
#include "preflight.h"
#include "render.h"
#include "session.h"
#include "strbuf.h"
#include "taskstats.h"
#include "tracer.h"
#include "jsonw.h"

#define CLI_MAX_REPEAT 10000
#define CLI_POLL_MS 100 /* BPF wakes us only when the ring fills up */

static const struct cli_option run_options[] = {
	{"output", 'o', "FILE", "write the output to FILE instead of stdout"},
	{"force", CLI_OPT_FORCE, NULL, "overwrite FILE if it exists"},
	{"repeat", CLI_OPT_REPEAT, "N",
	 "run the cold start N times, one after another (the\n"
	 "BPF programs and probes stay loaded); with -o DIR,\n"
	 "run i goes to DIR/run-00i.EXT (for coldtrace report)"},
	{"binary", CLI_OPT_BINARY, "PATH|GLOB",
	 "arm this binary's probes before CMD starts (CMD,\n"
	 "executables named in argv and what earlier runs of\n"
	 "the same command exec'd are armed anyway)"},
	{"stats", CLI_OPT_STATS, NULL,
	 "print probe hit counts and the kernel's own\n"
	 "accounting against the trace's to stderr at the end"},
	{"cold-cache", CLI_OPT_COLD_CACHE, NULL,
	 "evict from the page cache, before each run, the files\n"
	 "the command will load: its binary and the binaries\n"
	 "coldtrace arms, their shared libraries, and the files\n"
	 "its last run opened (posix_fadvise DONTNEED, file by\n"
	 "file; never a system-wide drop)"},
	{NULL, 0, NULL, NULL},
};

static const char run_about[] =
	"Usage: coldtrace run [OPTIONS] -- CMD [ARGS...]\n"
	"\n"
	"Start CMD traced from its first instruction, follow every process it forks\n"
	"and execs, and when the tree has exited (or on Ctrl-C) show where its start\n"
	"went: process tree and, for every Go binary, each package's init - the\n"
	"facts GODEBUG=inittrace=1 prints, without setting GODEBUG or touching the\n"
	"binary (stripped binaries too). CMD's exit status is coldtrace's.\n";

static const char run_examples[] =
	"Examples:\n"
	"  coldtrace run -- ./myagent --port 9001      where a Go program's start goes\n"
	"  coldtrace run -f inittrace -- ./prog        GODEBUG=inittrace=1 lines, from BPF\n"
	"  coldtrace run -f jsonl -o run1.jsonl -- ./driver\n";

static void usage(FILE *f)
{
	cli_print_help(f, run_about, run_options, run_examples);
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

/* One cold start of the command: fork, trace until the tree is gone, render. */
struct run {
	struct ct_tracer *tracer;
	int efd, sfd;
	const sigset_t *oldmask;
	const struct sigaction *orig_int, *orig_term;
	const char *cmdpath, *cmdline;
	const char *cmdkey; /* the command's key in the caches */
	const struct ct_coldcache *cold; /* --cold-cache: the files to evict */
	char **argv, **shargv;
	int run;
	uint64_t t_start;
	/* out */
	int status; /* what coldtrace exits with for this run */
	int stop_sig; /* the Ctrl-C/SIGTERM that interrupted it, or 0 */
};

/* What coldtrace exits with when sig stopped it: what a shell says of a
 * process sig killed. */
static int stop_status(int sig)
{
	return ct_exit_shell_code(W_EXITCODE(0, sig));
}

/* taskstats records of the traced tree into the accounting table. */
struct ts_ctx {
	const struct ct_model *m;
	struct ct_acct *a;
};

static void on_task_exit(void *ctx, const struct ct_task_acct *t)
{
	struct ts_ctx *c = ctx;

	if (ct_model_proc_const(c->m, t->tgid ? t->tgid : t->pid))
		ct_acct_thread(c->a, t);
}

/* The kernel's accounting for this run: taskstats when the breakdown's
 * scheduler part is on (and we may listen), rusage always. */
static struct ct_taskstats *acct_start(struct ct_acct *a)
{
	struct ct_taskstats *ts = NULL;

	ct_acct_init(a);
	a->delayacct = ct_taskstats_delayacct();
	if (env.no_sched) {
		snprintf(a->ts_error, sizeof(a->ts_error), "--no-sched");
		return NULL;
	}
	if (ct_taskstats_open(&ts, a->ts_error, sizeof(a->ts_error))) {
		if (env.verbose)
			fprintf(stderr, "coldtrace: no delay accounting to compare with: %s\n", a->ts_error);
		return NULL;
	}
	a->ts_on = true;
	return ts;
}

/*
 * The run delay of the root before it is traced (acct.h): the kernel counts
 * its waits for a CPU from the fork, coldtrace from the wakeup that "g"
 * causes. Read once it sleeps in its read() of the go pipe, where the value
 * cannot change until we write: /proc/PID/stat's state 'S', then
 * /proc/PID/schedstat's second field. 0 when the child does not reach its
 * read within a second (or /proc says nothing): then nothing is left out.
 */
/* pid's state letter in /proc/PID/stat, 0 if unknown. */
static char proc_state(pid_t pid)
{
	char path[64], buf[512];
	const char *st;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	st = strrchr(buf, ')'); /* the comm may hold anything */
	return st && st[1] == ' ' ? st[2] : 0;
}

static uint64_t root_pre_delay(pid_t pid)
{
	unsigned long long run, delay;
	char path[64];
	int waited = 0;
	FILE *f;

	for (char c; (c = proc_state(pid)) != 'S'; waited++) {
		if (!c || waited == 10000)
			return 0;
		nanosleep(&(struct timespec){0, 100000}, NULL);
	}
	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (fscanf(f, "%llu %llu", &run, &delay) != 2)
		delay = 0;
	fclose(f);
	return delay;
}

static void acct_drain(struct ct_taskstats *ts, const struct ct_model *m, struct ct_acct *a)
{
	struct ts_ctx c = {m, a};

	ct_taskstats_drain(ts, on_task_exit, &c, &a->ts_lost);
}

static struct ct_rusage rusage_of(const struct rusage *ru)
{
	return (struct ct_rusage){
		.utime_us = (uint64_t)ru->ru_utime.tv_sec * 1000000 + (uint64_t)ru->ru_utime.tv_usec,
		.stime_us = (uint64_t)ru->ru_stime.tv_sec * 1000000 + (uint64_t)ru->ru_stime.tv_usec,
		.min_flt = (uint64_t)ru->ru_minflt,
		.maj_flt = (uint64_t)ru->ru_majflt,
		.nvcsw = (uint64_t)ru->ru_nvcsw,
		.nivcsw = (uint64_t)ru->ru_nivcsw,
	};
}

/* --cold-cache: the files to evict before each run (coldcache.h): CMD, the
 * executables named in its arguments, the binaries earlier runs exec'd,
 * each with its libraries, and the files its last run opened. --binary's
 * are added where they are armed. */
static void cold_collect(struct ct_coldcache *cc, const char *cmdpath, const char *cmdkey, char **argv)
{
	ct_coldcache_init(cc);
	ct_coldcache_add_binary(cc, cmdpath);
	for (int i = 1; argv[i]; i++) {
		const char *arg = argv[i], *eq;
		char real[PATH_MAX];

		if (arg[0] == '-' && (eq = strchr(arg, '=')))
			arg = eq + 1;
		if (strchr(arg, '/') && realpath(arg, real) && !access(real, X_OK))
			ct_coldcache_add_binary(cc, real);
	}
	if (env.no_cache)
		return;
	{
		struct bincache bc;
		size_t n;
		char **hist;

		bincache_load(&bc, NULL);
		hist = bincache_history(&bc, cmdkey, &n);
		for (size_t i = 0; i < n; i++) {
			ct_coldcache_add_binary(cc, hist[i]);
			free(hist[i]);
		}
		free(hist);
		bincache_free(&bc);
	}
	ct_coldcache_load(cc, NULL, cmdkey);
}

/* --cold-cache: evict, and say what. */
static void cold_evict(const struct ct_coldcache *cc)
{
	struct ct_coldcache_result res;

	ct_coldcache_evict(cc, &res);
	if (env.quiet)
		return;
	fprintf(stderr, "coldtrace: --cold-cache: evicted %u file%s (%.1f MB cached before", res.evicted,
		res.evicted == 1 ? "" : "s", (double)res.cached_before / (1024.0 * 1024));
	if (res.cached_after)
		fprintf(stderr, ", %.1f MB still cached: mapped or dirty", (double)res.cached_after / (1024.0 * 1024));
	fputc(')', stderr);
	if (res.skipped)
		fprintf(stderr, "; %u skipped (cannot be opened)", res.skipped);
	if (cc->unresolved)
		fprintf(stderr, "; %u shared libraries not found", cc->unresolved);
	fputc('\n', stderr);
}

static int run_once(struct run *r)
{
	struct ct_render_opts ropts = {0};
	struct ct_model model;
	struct ct_acct acct;
	struct ct_taskstats *tstats;
	struct strbuf out;
	int go[2], status = 0, root_status = 0, rc, exiting = 0, forwarded = 0, root_fd;
	bool root_done = false;
	pid_t child;

	ct_model_init(&model, NULL);
	session_model_options(&model);
	ct_tracer_set_model(r->tracer, &model);
	/* after arming, which reads the binaries: nothing else loads them now */
	if (r->cold)
		cold_evict(r->cold);
	tstats = acct_start(&acct);
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
			_exit(CLI_EXIT_NOT_FOUND);
		execv(r->cmdpath, r->argv);
		if (errno == ENOEXEC) /* no #!, or empty: a shell script, as for execvp */
			execv(r->shargv[0], r->shargv);
		fprintf(stderr, "coldtrace: cannot execute %s: %s\n", r->cmdpath, strerror(errno));
		_exit(errno == ENOENT ? CLI_EXIT_NOT_FOUND : CLI_EXIT_CANNOT_EXECUTE);
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
	if (tstats)
		ct_acct_pre_delay(&acct, (uint32_t)child, root_pre_delay(child));
	if (write(go[1], "g", 1) != 1) {
		kill(child, SIGKILL);
		die(1, "cannot start the command: %s", strerror(errno));
	}
	close(go[1]);

	for (;;) {
		struct epoll_event evs[2];
		struct signalfd_siginfo si;
		struct rusage ru;
		pid_t w;
		int n;

		/* every process we reap is ground truth: its rusage covers it
		 * and what its subtree reaped (model/acct.h) */
		while ((w = wait4(-1, &status, WNOHANG, &ru)) > 0) {
			struct ct_rusage cru = rusage_of(&ru);

			ct_acct_reaped(&acct, (uint32_t)w, status, &cru);
			if (w == child) {
				root_done = true;
				root_status = status;
			}
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
		n = epoll_wait(r->efd, evs, 2, CLI_POLL_MS);
		if (n < 0 && errno != EINTR) {
			fprintf(stderr, "coldtrace: epoll: %s\n", strerror(errno));
			break;
		}
		rc = ct_tracer_consume(r->tracer);
		if (rc < 0 && rc != -EINTR) {
			fprintf(stderr, "coldtrace: ring buffer: %s\n", strerror(-rc));
			break;
		}
		/* after the ring: a thread's fork record came before its exit's */
		acct_drain(tstats, &model, &acct);
		while (read(r->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
			if (si.ssi_signo == SIGINT || si.ssi_signo == SIGTERM)
				exiting = (int)si.ssi_signo;
	}
	close(root_fd);
	ct_tracer_finish(r->tracer);
	acct_drain(tstats, &model, &acct);
	ct_taskstats_close(tstats);
	ct_model_finish(&model);
	ct_acct_finish(&acct, &model);

	ropts.command = r->cmdline;
	ropts.top = env.top;
	ropts.full = env.full;
	ropts.color = !env.output && isatty(STDOUT_FILENO);
	ropts.realtime_offset_ns = now_ns(CLOCK_REALTIME) - now_ns(CLOCK_MONOTONIC);
	sb_init(&out);
	if (env.repeat > 1 && !env.output)
		sb_printf(&out, "%s# run %d of %d\n", r->run > 1 ? "\n" : "", r->run, env.repeat);
	model.acct = &acct; /* the jsonl view writes its records */
	env.view->render(&model, &out, &ropts);
	rc = write_output(&out, r->run);
	fleet_sandbox(&model, (uint32_t)child, r->cmdline, ropts.realtime_offset_ns);
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
		{
			size_t nimp = 0;
			uint64_t ph = ct_tracer_py_hits(r->tracer);

			for (size_t i = 0; i < model.nprocs; i++)
				for (size_t j = 0; j < model.procs[i].nimages; j++)
					nimp += model.procs[i].images[j].npyimports;
			fprintf(stderr, "coldtrace: stats: py_probe_hits=%llu py_imports=%zu hits_per_import=%.2f\n",
				(unsigned long long)ph, nimp, nimp ? (double)ph / (double)nimp : 0.0);
		}
		ct_tracer_stats(r->tracer, stderr);
	}
	if (env.stats || env.verbose) {
		struct strbuf g;

		sb_init(&g);
		ct_acct_text(&model, &acct, &g);
		if (g.buf)
			fprintf(stderr, "coldtrace: %s", g.buf);
		sb_free(&g);
	}
	if (!env.no_cache && !env.no_files) {
		char err[PATH_MAX + 64];

		if (ct_coldcache_save(&model, NULL, r->cmdkey, err, sizeof(err)) && env.verbose)
			fprintf(stderr, "coldtrace: warning: %s\n", err);
	}
	{
		uint64_t lost = ct_model_lost_total(&model);

		if (lost)
			fprintf(stderr, "coldtrace: %llu events lost (ring buffer full); the trace is incomplete, try --ringbuf-size\n",
				(unsigned long long)lost);
	}
	sb_free(&out);
	ct_acct_free(&acct);
	ct_model_free(&model);

	r->stop_sig = exiting ? exiting : forwarded;
	if (root_done)
		r->status = ct_exit_shell_code(root_status);
	else /* a second Ctrl-C stopped us before the command ended */
		r->status = r->stop_sig ? stop_status(r->stop_sig) : 1;
	return rc;
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

static int parse_repeat(const char *v)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (*end || n < 1 || n > CLI_MAX_REPEAT)
		die(CLI_EXIT_USAGE, "--repeat takes a number from 1 to %d, not '%s'", CLI_MAX_REPEAT, v);
	return (int)n;
}

int cmd_run(int argc, char **argv)
{
	struct cli_getopt g;
	struct ct_tracer *tracer = NULL;
	struct ct_model model;
	char cmdpath[PATH_MAX], *cmdline, **shargv, cmdkey[PATH_MAX + 1024];
	struct ct_coldcache cold;
	int opt, rc, ret = 1, sfd, efd, ndone = 0, nfailed = 0, stopped_by = 0;
	struct strbuf failed;
	sigset_t sigs, oldmask;
	struct sigaction orig_int, orig_term;
	uint64_t t_start = now_ns(CLOCK_MONOTONIC);

	/* "+": the options end at CMD, whose own options are its */
	cli_getopt_init(&g, run_options, true);
	optind = 1;
	while ((opt = getopt_long(argc, argv, g.shortopts, g.longopts, NULL)) != -1) {
		switch (opt) {
		case 'o': env.output = optarg; break;
		case CLI_OPT_FORCE: env.force = true; break;
		case CLI_OPT_REPEAT: env.repeat = parse_repeat(optarg); break;
		case CLI_OPT_BINARY:
			env.binaries = realloc(env.binaries, (env.nbinaries + 1) * sizeof(*env.binaries));
			if (!env.binaries)
				die(1, "out of memory");
			env.binaries[env.nbinaries++] = optarg;
			break;
		case CLI_OPT_STATS: env.stats = true; break;
		case CLI_OPT_COLD_CACHE: env.cold_cache = true; break;
		case 'h': usage(stdout); return 0;
		default:
			if (cli_shared_option(opt, optarg))
				break;
			fputs("Try 'coldtrace run --help'.\n", stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind >= argc)
		die(CLI_EXIT_USAGE, "no command given: coldtrace run [OPTIONS] -- CMD [ARGS...]");
	argv += optind;

	check_outputs();
	rc = resolve_cmd(argv[0], cmdpath, sizeof(cmdpath));
	if (rc == CLI_EXIT_NOT_FOUND)
		die(rc, "%s: command not found", argv[0]);
	if (rc == CLI_EXIT_CANNOT_EXECUTE)
		die(rc, "%s: not an executable file (%s)", argv[0], strerror(EACCES));
	preflight();
	fleet_open();

	ct_model_init(&model, NULL);
	session_model_options(&model);
	tracer = session_open(&model, false);
	ct_model_free(&model); /* each run gets its own */
	/* Arm ahead, so nothing waits at its exec: CMD, what earlier runs of
	 * it exec'd, --binary, and executables named in CMD's arguments. */
	ct_tracer_prepare_binary(tracer, cmdpath);
	{
		/* the history is per command line: CMD's path and its arguments */
		char *args = join_argv(argv + 1);

		snprintf(cmdkey, sizeof(cmdkey), "%s %s", cmdpath, args ? args : "");
		free(args);
		ct_tracer_use_history(tracer, cmdkey);
	}
	if (env.cold_cache)
		cold_collect(&cold, cmdpath, cmdkey, argv);
	for (size_t i = 0; i < env.nbinaries; i++) {
		glob_t g;

		if (glob(env.binaries[i], 0, NULL, &g) == 0) {
			for (size_t k = 0; k < g.gl_pathc; k++) {
				ct_tracer_prepare_binary(tracer, g.gl_pathv[k]);
				if (env.cold_cache)
					ct_coldcache_add_binary(&cold, g.gl_pathv[k]);
			}
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
	session_epoll(tracer, &sigs, &oldmask, &sfd, &efd);

	cmdline = join_argv(argv);
	shargv = sh_argv(cmdpath, argv);
	sb_init(&failed);
	for (int run = 1; run <= env.repeat; run++) {
		struct run r = {.tracer = tracer, .efd = efd, .sfd = sfd, .oldmask = &oldmask,
				.orig_int = &orig_int, .orig_term = &orig_term, .cmdpath = cmdpath,
				.argv = argv, .shargv = shargv, .cmdline = cmdline, .run = run,
				.t_start = t_start, .cmdkey = cmdkey,
				.cold = env.cold_cache ? &cold : NULL};

		/* Every run is made: one whose output could not be written (it
		 * went to stdout, and the error said so) does not end them. */
		if (run_once(&r))
			sb_printf(&failed, "%s%d", nfailed++ ? "," : "", run);
		ndone = run;
		ret = r.status;
		if (r.stop_sig) {
			stopped_by = r.stop_sig;
			break;
		}
		if (run < env.repeat && (stopped_by = stop_pending(sfd))) {
			ret = stop_status(stopped_by);
			break;
		}
		t_start = now_ns(CLOCK_MONOTONIC);
	}
	if (env.repeat > 1)
		repeat_summary(ndone, nfailed, &failed, stopped_by);
	if (nfailed)
		ret = 1;
	sb_free(&failed);
	if (env.cold_cache)
		ct_coldcache_free(&cold);
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
	fleet_close(); /* after the probes are gone: nothing waits on a slow server */
	return ret;
}
