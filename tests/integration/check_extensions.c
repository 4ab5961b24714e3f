// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * check_extensions JSONL [options]
 *
 * Reads the jsonl of `coldtrace run -f jsonl -- ct-driver --extensions ...`
 * and checks the Lambda extensions of its one cold start against the raw
 * records of the same trace (the HTTP requests as the kernel saw them, the
 * agent's log lines) and against what the extensions printed:
 *
 *   --want NAME:STATE[:ERROR_TYPE]  an extension record with that name and
 *                                   state (repeat: exactly these, in order)
 *   --gate NAME|runtime             who INIT waited for last
 *   --gate-min-ms N                 ... by at least N ms
 *   --printed FILE                  the driver's output: each "[NAME]
 *                                   registered as ID" line must give the id
 *                                   the trace saw for NAME
 *   --path-prefix P                 each extension was exec'd from P
 *
 * For every extension that is ready: its register request (sent from its
 * tree, Lambda-Extension-Name = its name) precedes the agent's reply
 * carrying its id, which precedes its first event/next, which carries the
 * same id; exec < register < registered <= ready. When all are ready: the
 * timeline is complete, INIT done is the later of the runtime's first /next
 * and the last ready, and the agent's INIT REPORT line comes after it. When
 * one failed: the timeline is not complete and its note names it and its
 * error type.
 *
 * Prints "ok   ..." / "FAIL ..." lines and "N passed, N failed"; exit 1 if
 * anything failed, 2 on bad usage.
 */
#include <errno.h>

#include "checker.h"

#define MAX_EXT 16
#define LINE_MAX_LEN (1 << 20)

struct want {
	char name[64], state[32], error_type[128];
};

struct ext {
	char name[64], id[64], state[32], error_type[128];
	uint32_t pid;
	uint64_t exec_ns, register_ns, registered_ns, ready_ns, go_init_ns;
	bool failed;
};

/* One http request record we care about. */
struct req {
	uint32_t pid;
	uint64_t ts;
	char api[32], ext_name[64], ext_id[64];
	bool send;
};

static char **lines;
static size_t nlines;

static bool is_type(const char *l, const char *t)
{
	char buf[32];

	return get_str(l, "type", buf, sizeof(buf)) && !strcmp(buf, t);
}

static const char *hdr_val(const char *l, const char *name, char *buf, size_t len)
{
	const char *h = json_get(l, "headers");

	buf[0] = 0;
	if (h && get_str(h, name, buf, len))
		return buf;
	return NULL;
}

/* The parent of pid, from its process record (0: unknown). */
static uint32_t ppid_of(uint32_t pid)
{
	for (size_t i = 0; i < nlines; i++) {
		uint64_t p, pp;

		if (is_type(lines[i], "process") && get_u64(lines[i], "pid", &p) && p == pid &&
		    get_u64(lines[i], "ppid", &pp))
			return (uint32_t)pp;
	}
	return 0;
}

static bool in_tree(uint32_t pid, uint32_t root)
{
	for (int d = 0; pid && d < 64; d++) {
		if (pid == root)
			return true;
		pid = ppid_of(pid);
	}
	return false;
}

/* The first request of api sent from root's tree (by its sender). */
static bool first_sent(const char *api, uint32_t root, struct req *out)
{
	for (size_t i = 0; i < nlines; i++) {
		const char *l = lines[i];
		char a[32], kind[16], dir[8];
		uint64_t pid, ts;

		if (!is_type(l, "http") || !get_str(l, "kind", kind, sizeof(kind)) || strcmp(kind, "request") ||
		    !get_str(l, "api", a, sizeof(a)) || strcmp(a, api) || !get_str(l, "dir", dir, sizeof(dir)) ||
		    strcmp(dir, "send") || !get_u64(l, "pid", &pid) || !get_u64(l, "ts_ns", &ts) ||
		    !in_tree((uint32_t)pid, root))
			continue;
		memset(out, 0, sizeof(*out));
		out->pid = (uint32_t)pid;
		out->ts = ts;
		out->send = true;
		snprintf(out->api, sizeof(out->api), "%s", a);
		hdr_val(l, "Lambda-Extension-Name", out->ext_name, sizeof(out->ext_name));
		hdr_val(l, "Lambda-Extension-Identifier", out->ext_id, sizeof(out->ext_id));
		return true;
	}
	return false;
}

static uint64_t milestone(const char *name)
{
	for (size_t i = 0; i < nlines; i++) {
		char n[64];
		uint64_t ts;
		bool seen = false;

		if (is_type(lines[i], "milestone") && get_str(lines[i], "name", n, sizeof(n)) && !strcmp(n, name) &&
		    get_bool(lines[i], "seen", &seen) && seen && get_u64(lines[i], "ts_ns", &ts))
			return ts;
	}
	return 0;
}

static int read_lines(const char *file)
{
	FILE *f = fopen(file, "r");
	char *buf;
	size_t cap = 0;

	if (!f) {
		fprintf(stderr, "check_extensions: %s: %s\n", file, strerror(errno));
		return -1;
	}
	buf = malloc(LINE_MAX_LEN);
	while (buf && fgets(buf, LINE_MAX_LEN, f)) {
		if (nlines == cap) {
			char **nl = realloc(lines, (cap = cap ? cap * 2 : 256) * sizeof(*nl));

			if (!nl)
				break;
			lines = nl;
		}
		lines[nlines++] = strdup(buf);
	}
	free(buf);
	fclose(f);
	return 0;
}

/* "[NAME] registered as ID" lines of the driver's output. */
static bool printed_id(const char *file, const char *name, char *id, size_t len)
{
	FILE *f = fopen(file, "r");
	char line[512], pre[96];
	bool found = false;

	if (!f)
		return false;
	snprintf(pre, sizeof(pre), "[%s] registered as ", name);
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, pre);

		if (p) {
			p += strlen(pre);
			p[strcspn(p, "\r\n ")] = 0;
			snprintf(id, len, "%s", p);
			found = true;
			break;
		}
	}
	fclose(f);
	return found;
}

int main(int argc, char **argv)
{
	struct want want[MAX_EXT];
	struct ext ext[MAX_EXT];
	size_t nwant = 0, next = 0;
	const char *gate = NULL, *printed = NULL, *prefix = NULL, *timeline = NULL;
	double gate_min_ms = 0;
	bool all_ready = true;

	if (argc < 2) {
		fprintf(stderr, "usage: check_extensions JSONL [--want NAME:STATE[:ERROR_TYPE]]... [--gate NAME|runtime]"
				" [--gate-min-ms N] [--printed FILE] [--path-prefix P]\n");
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v) {
			fprintf(stderr, "check_extensions: %s needs a value\n", a);
			return 2;
		}
		i++;
		if (!strcmp(a, "--want") && nwant < MAX_EXT) {
			struct want *w = &want[nwant++];
			char tmp[256], *c1, *c2;

			memset(w, 0, sizeof(*w));
			snprintf(tmp, sizeof(tmp), "%s", v);
			c1 = strchr(tmp, ':');
			if (!c1) {
				fprintf(stderr, "check_extensions: --want NAME:STATE[:ERROR_TYPE]\n");
				return 2;
			}
			*c1++ = 0;
			c2 = strchr(c1, ':');
			if (c2)
				*c2++ = 0;
			snprintf(w->name, sizeof(w->name), "%.*s", (int)sizeof(w->name) - 1, tmp);
			snprintf(w->state, sizeof(w->state), "%.*s", (int)sizeof(w->state) - 1, c1);
			if (c2)
				snprintf(w->error_type, sizeof(w->error_type), "%.*s", (int)sizeof(w->error_type) - 1, c2);
		} else if (!strcmp(a, "--gate")) {
			gate = v;
		} else if (!strcmp(a, "--gate-min-ms")) {
			gate_min_ms = strtod(v, NULL);
		} else if (!strcmp(a, "--printed")) {
			printed = v;
		} else if (!strcmp(a, "--path-prefix")) {
			prefix = v;
		} else {
			fprintf(stderr, "check_extensions: unknown option %s\n", a);
			return 2;
		}
	}
	if (read_lines(argv[1]))
		return 2;

	for (size_t i = 0; i < nlines; i++) {
		const char *l = lines[i];
		struct ext *e;
		uint64_t pid = 0;

		if (is_type(l, "timeline") && !timeline)
			timeline = l;
		if (!is_type(l, "extension"))
			continue;
		if (next == MAX_EXT)
			break;
		e = &ext[next++];
		memset(e, 0, sizeof(*e));
		get_str(l, "name", e->name, sizeof(e->name));
		get_str(l, "id", e->id, sizeof(e->id));
		get_str(l, "state", e->state, sizeof(e->state));
		get_str(l, "error_type", e->error_type, sizeof(e->error_type));
		get_bool(l, "failed", &e->failed);
		get_u64(l, "pid", &pid);
		e->pid = (uint32_t)pid;
		get_u64(l, "exec_ns", &e->exec_ns);
		get_u64(l, "register_ns", &e->register_ns);
		get_u64(l, "registered_ns", &e->registered_ns);
		get_u64(l, "ready_ns", &e->ready_ns);
		get_u64(l, "go_init_ns", &e->go_init_ns);
	}
	check(timeline != NULL, "a timeline record");
	check(next == nwant, "%zu extension records (want %zu)", next, nwant);
	for (size_t i = 0; i < nwant && i < next; i++) {
		struct ext *e = &ext[i];
		struct want *w = &want[i];

		check(!strcmp(e->name, w->name), "extension %zu is %s (got %s)", i, w->name, e->name);
		check(!strcmp(e->state, w->state), "%s: state %s (got %s)", e->name, w->state, e->state);
		if (w->error_type[0])
			check(!strcmp(e->error_type, w->error_type), "%s: error type %s (got %s)", e->name,
			      w->error_type, e->error_type);
		if (strcmp(e->state, "ready"))
			all_ready = false;
	}
	for (size_t i = 0; i < next; i++) {
		struct ext *e = &ext[i];
		struct req reg, nx;

		if (prefix) {
			bool found = false;

			for (size_t k = 0; k < nlines && !found; k++) {
				char path[512];
				uint64_t pid;

				found = is_type(lines[k], "exec") && get_u64(lines[k], "pid", &pid) && pid == e->pid &&
					get_str(lines[k], "path", path, sizeof(path)) &&
					!strncmp(path, prefix, strlen(prefix));
			}
			check(found, "%s: exec'd from %s", e->name, prefix);
		}
		if (!first_sent("extension/register", e->pid, &reg)) {
			check(false, "%s: its register request (from pid %u's tree) was seen", e->name, e->pid);
			continue;
		}
		check(!strcmp(reg.ext_name, e->name), "%s: registered with Lambda-Extension-Name %s", e->name,
		      reg.ext_name);
		check(e->exec_ns && e->exec_ns < e->register_ns && e->register_ns == reg.ts,
		      "%s: exec < register request (the sender's)", e->name);
		if (strcmp(e->state, "ready"))
			continue;
		check(e->id[0] && e->registered_ns > e->register_ns && e->registered_ns <= e->ready_ns,
		      "%s: register < reply with id %s <= ready", e->name, e->id);
		if (!first_sent("extension/event/next", e->pid, &nx)) {
			check(false, "%s: its event/next was seen", e->name);
			continue;
		}
		check(nx.ts == e->ready_ns, "%s: ready is its first event/next", e->name);
		check(!strcmp(nx.ext_id, e->id), "%s: event/next carries its id (%s, want %s)", e->name, nx.ext_id,
		      e->id);
		if (printed) {
			char id[128] = "";

			check(printed_id(printed, e->name, id, sizeof(id)) && !strcmp(id, e->id),
			      "%s: printed its id %s (trace: %s)", e->name, id, e->id);
		}
	}
	if (timeline) {
		bool complete = false;
		uint64_t n = 0, done = 0, first_next = milestone("first_next"), last_ready = 0;
		char note[1024] = "";

		get_bool(timeline, "complete", &complete);
		get_u64(timeline, "extensions", &n);
		get_str(timeline, "note", note, sizeof(note));
		check(n == next, "timeline counts %llu extensions", (unsigned long long)n);
		for (size_t i = 0; i < next; i++)
			if (ext[i].ready_ns > last_ready)
				last_ready = ext[i].ready_ns;
		if (next && all_ready) {
			uint64_t report = 0;

			get_u64(timeline, "init_done_ns", &done);
			check(complete, "the timeline is complete (note: %s)", note);
			check(first_next && done == (first_next > last_ready ? first_next : last_ready),
			      "INIT done = max(first /next, last ready)");
			for (size_t i = 0; i < nlines && !report; i++) {
				char kind[32];

				if (is_type(lines[i], "log") && get_str(lines[i], "kind", kind, sizeof(kind)) &&
				    !strcmp(kind, "init_report"))
					get_u64(lines[i], "ts_ns", &report);
			}
			check(report && report >= done, "the agent's INIT REPORT comes after INIT done");
		}
		for (size_t i = 0; i < next; i++) {
			if (!ext[i].failed)
				continue;
			check(!complete, "a failed extension: the timeline is not complete");
			check(strstr(note, ext[i].name) && (!ext[i].error_type[0] || strstr(note, ext[i].error_type)),
			      "the note names %s and %s: %s", ext[i].name, ext[i].error_type, note);
		}
		if (gate) {
			const char *g = json_get(timeline, "init_gate");
			char role[32] = "", name[64] = "";
			uint64_t by = 0;

			if (g) {
				get_str(g, "role", role, sizeof(role));
				get_str(g, "name", name, sizeof(name));
				get_u64(g, "by_ns", &by);
			}
			if (!strcmp(gate, "runtime"))
				check(!strcmp(role, "runtime"), "INIT waited for the runtime last (got %s %s)", role, name);
			else
				check(!strcmp(role, "extension") && !strcmp(name, gate),
				      "INIT waited for extension %s last (got %s %s)", gate, role, name);
			check((double)by / 1e6 >= gate_min_ms, "... by %.3f ms (at least %.1f)", (double)by / 1e6,
			      gate_min_ms);
		}
	}
	for (size_t i = 0; i < nlines; i++)
		free(lines[i]);
	free(lines);
	return check_finish();
}
