// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * coldtrace watch: sandboxes started by someone else. Every exec of a
 * watched binary (by path or glob, or by name) starts a sandbox, traced
 * from that exec with its descendants; the table of open sandboxes gets
 * each event by its tree's root, and a sandbox is written when its tree
 * has exited (or when coldtrace stops: cut short).
 */
#include <errno.h>
#include <fnmatch.h>
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
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "fleet.h"
#include "model.h"
#include "options.h"
#include "output.h"
#include "preflight.h"
#include "render.h"
#include "session.h"
#include "strbuf.h"
#include "tracer.h"

#define CLI_MAX_DURATION_S 1e7
#define CLI_RESCAN_NS CT_NS_PER_SEC /* globs are re-resolved every second */
#define CLI_POLL_LIVE_MS 100        /* a sandbox is live: drain the ring */
#define CLI_POLL_IDLE_MS 1000       /* none: wake for the rescan only */

static const struct cli_option watch_options[] = {
	{"binary", 'b', "PATH|GLOB",
	 "watch this binary: its probes attached ahead, by\n"
	 "inode; an exec of it starts a sandbox (relative to\n"
	 "the current directory; a glob is re-resolved every\n"
	 "second)"},
	{"comm", 'c', "NAME", "an exec of a process of this name starts a sandbox"},
	{"duration", 'd', "S", "stop after S seconds (default: at Ctrl-C)"},
	{"output", 'o', "DIR",
	 "one file per sandbox, DIR/<UTC start>-<pid>.EXT,\n"
	 "instead of each on stdout as it ends"},
	{NULL, 0, NULL, NULL},
};

static const char watch_about[] =
	"Usage: coldtrace watch [--binary PATH|GLOB]... [--comm NAME]... [--duration S] [-o DIR]\n"
	"\n"
	"Wait, system-wide, for processes that exec a watched binary, and trace each\n"
	"as the root of a sandbox, from its exec, with its descendants, exactly as\n"
	"run does. Each sandbox is written when its tree has exited, or at Ctrl-C\n"
	"or --duration (marked as cut short).\n";

static const char watch_examples[] =
	"Example:\n"
	"  coldtrace watch --binary /usr/local/bin/aws-lambda-rie -f jsonl -o runs/\n";

static void usage(FILE *f)
{
	cli_print_help(f, watch_about, watch_options, watch_examples);
}

struct sandbox {
	uint32_t root;
	struct ct_model m;
	uint64_t lost[CT_EV_MAX];     /* its own, by type, read so far */
	uint64_t unattributed_at_start; /* watch.unattributed when it opened */
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
	uint64_t attributed; /* losses read from the per-sandbox counters */
};

/*
 * Losses, per sandbox and by type, as the kernel charged them (its root's
 * counters, ct_tracer_lost_root), gathered from every open sandbox; returns
 * those no sandbox could be charged with so far: records of processes not
 * yet known to be in one (the exec that would have started a sandbox), or
 * of one the kernel's table had no room for. Those are shared: each sandbox
 * open meanwhile says how many there were, as such.
 */
static uint64_t gather_losses(struct watch *w)
{
	uint64_t total;

	for (size_t i = 0; i < w->nsb; i++) {
		struct sandbox *s = w->sb[i];
		uint64_t lost[CT_EV_MAX];

		if (!s || ct_tracer_lost_root(w->t, s->root, lost))
			continue; /* left unattributed */
		for (int t = 1; t < CT_EV_MAX; t++) {
			s->lost[t] += lost[t];
			w->attributed += lost[t];
		}
	}
	total = ct_tracer_lost_total(w->t); /* after: it holds all those read */
	return total > w->attributed ? total - w->attributed : 0;
}

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
	s->unattributed_at_start = gather_losses(w);
	s->root = root;
	ct_model_init(&s->m, NULL);
	session_model_options(&s->m);
	ct_tracer_bind_model(w->t, &s->m);
	ct_model_add_root(&s->m, root, ts);
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
	const struct ct_image *im = root ? root->images : NULL;
	uint64_t shared = gather_losses(w) - s->unattributed_at_start;
	char cmd[CT_PATH_LEN + 160], lost_note[96] = "", path[PATH_MAX];
	struct strbuf out;

	ct_model_finish(&s->m);
	for (int t = 1; t < CT_EV_MAX; t++)
		s->m.lost[t] += s->lost[t];
	if (shared) {
		snprintf(lost_note, sizeof(lost_note), " (meanwhile %llu events of no known sandbox lost)",
			 (unsigned long long)shared);
		if (!env.quiet)
			fprintf(stderr, "coldtrace: sandbox %u: %llu events lost while it ran could not be charged to any sandbox (ring buffer full)\n",
				s->root, (unsigned long long)shared);
	}
	snprintf(cmd, sizeof(cmd), "sandbox %u %s%s%s", s->root, im ? im->path : "?",
		 cut ? " (cut short: coldtrace stopped)" : "", lost_note);
	ropts.command = cmd;
	ropts.top = env.top;
	ropts.full = env.full;
	ropts.color = !env.output && isatty(STDOUT_FILENO);
	ropts.realtime_offset_ns = now_ns(CLOCK_REALTIME) - now_ns(CLOCK_MONOTONIC);
	sb_init(&out);
	env.view->render(&s->m, &out, &ropts);
	if (env.output) {
		uint64_t start = s->m.first_ts + ropts.realtime_offset_ns;
		time_t secs = (time_t)(start / CT_NS_PER_SEC);
		struct tm tm;
		char stamp[32];

		gmtime_r(&secs, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
		/* names sort by start time */
		snprintf(path, sizeof(path), "%s/%s.%06lluZ-%u.%s", env.output, stamp,
			 (unsigned long long)(start % CT_NS_PER_SEC / 1000), s->root, env.view->extension);
		if (write_file(&out, path) == 0 && !env.quiet)
			fprintf(stderr, "coldtrace: sandbox %u: %s\n", s->root, path);
	} else {
		if (w->written)
			sb_write_fd(&(struct strbuf){.buf = "\n", .len = 1}, STDOUT_FILENO);
		sb_write_fd(&out, STDOUT_FILENO);
	}
	w->written++;
	sb_free(&out);
	fleet_sandbox(&s->m, s->root, cmd, ropts.realtime_offset_ns);
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

static double parse_duration(const char *v)
{
	char *end;
	double s = strtod(v, &end);

	/* !(> 0) also catches nan; inf is over the top */
	if (*end || end == v || !isfinite(s) || !(s > 0) || s > CLI_MAX_DURATION_S)
		die(CLI_EXIT_USAGE, "--duration takes a finite number of seconds, more than 0 and at most 1e7, not '%s'",
		    v);
	return s;
}

int cmd_watch(int argc, char **argv)
{
	struct cli_getopt g;
	struct ct_tracer_sink sink = {0};
	struct watch w = {0};
	struct ct_tracer *tracer;
	struct ct_model dummy;
	double duration = 0;
	uint64_t deadline = 0, next_scan = 0, unattributed;
	int opt, sfd, efd, stop = 0;
	sigset_t sigs, oldmask;

	cli_getopt_init(&g, watch_options, false);
	optind = 1;
	while ((opt = getopt_long(argc, argv, g.shortopts, g.longopts, NULL)) != -1) {
		switch (opt) {
		case 'b': {
			struct stat st;

			if (!*optarg)
				die(CLI_EXIT_USAGE, "watch: --binary needs a path");
			if (!strpbrk(optarg, "*?[") && stat(optarg, &st) == 0 && S_ISDIR(st.st_mode))
				die(CLI_EXIT_USAGE, "watch: --binary %s is a directory; give the path of a binary (or a glob)",
				    optarg);
			w.globs = realloc(w.globs, (w.nglobs + 1) * sizeof(*w.globs));
			w.globs[w.nglobs++] = watch_abs(optarg);
			break;
		}
		case 'c':
			w.comms = realloc(w.comms, (w.ncomms + 1) * sizeof(*w.comms));
			w.comms[w.ncomms++] = optarg;
			break;
		case 'd': duration = parse_duration(optarg); break;
		case 'o': env.output = optarg; break;
		case 'h': usage(stdout); return 0;
		default:
			if (cli_shared_option(opt, optarg))
				break;
			fputs("Try 'coldtrace watch --help'.\n", stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind < argc)
		die(CLI_EXIT_USAGE, "watch: unexpected argument '%s' (use --binary PATH or --comm NAME)", argv[optind]);
	if (!w.nglobs && !w.ncomms)
		die(CLI_EXIT_USAGE, "watch: nothing to watch: give --binary PATH|GLOB or --comm NAME");
	if (env.output && !strcmp(env.output, "-"))
		env.output = NULL; /* stdout, as asked */
	if (env.output) {
		struct stat st;

		if (mkdir(env.output, 0755) && errno != EEXIST)
			die(1, "cannot create %s: %s", env.output, strerror(errno));
		if (stat(env.output, &st) || !S_ISDIR(st.st_mode))
			die(CLI_EXIT_USAGE, "watch: -o names a directory; %s is not one", env.output);
		clean_stale_temps(env.output, NULL);
	}
	for (size_t i = 0; i < w.ncomms; i++)
		if (strlen(w.comms[i]) >= CT_COMM_LEN)
			die(CLI_EXIT_USAGE, "watch: --comm %s: the kernel keeps only %d characters of a name",
			    w.comms[i], CT_COMM_LEN - 1);
	preflight();
	fleet_open();

	w.said_empty = calloc(w.nglobs + 1, sizeof(*w.said_empty));
	ct_model_init(&dummy, NULL); /* each sandbox gets its own */
	tracer = session_open(&dummy, true);
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

	/* An ignored signal never reaches a signalfd, and a background job of
	 * a script starts with SIGINT ignored: Ctrl-C or kill -INT must stop
	 * watch wherever it was started (as run does) */
	{
		struct sigaction dfl = {.sa_handler = SIG_DFL};

		sigaction(SIGINT, &dfl, NULL);
		sigaction(SIGTERM, &dfl, NULL);
	}
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	session_epoll(tracer, &sigs, &oldmask, &sfd, &efd);
	if (duration > 0)
		deadline = now_ns(CLOCK_MONOTONIC) + (uint64_t)(duration * (double)CT_NS_PER_SEC);
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
			next_scan = now + CLI_RESCAN_NS;
		}
		epoll_wait(efd, evs, 2, w.nsb ? CLI_POLL_LIVE_MS : CLI_POLL_IDLE_MS);
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
		w.sb[i] = NULL;
	}
	w.nsb = 0;
	unattributed = gather_losses(&w);
	close(efd);
	close(sfd);
	sigprocmask(SIG_SETMASK, &oldmask, NULL);
	ct_tracer_close(tracer); /* every probe and program detached here */
	fleet_close();
	if (!env.quiet)
		fprintf(stderr, "coldtrace: %d sandbox%s written\n", w.written, w.written == 1 ? "" : "es");
	if (unattributed && !env.quiet)
		fprintf(stderr, "coldtrace: %llu events of no known sandbox were lost (ring buffer full): a sandbox may have been missed; try --ringbuf-size\n",
			(unsigned long long)unattributed);
	free(w.sb);
	for (size_t i = 0; i < w.nglobs; i++)
		free(w.globs[i]);
	free(w.globs);
	free(w.comms);
	free(w.said_empty);
	return 0;
}
