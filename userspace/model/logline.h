/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * logline: find the agent's and the runtime's phase markers in captured
 * stdout/stderr bytes.
 *
 * struct log_stream, one per (process, fd), is fed the chunks the BPF side
 * captured (data, cap_len, len, ts) and splits them into lines: a line split
 * over several writes is joined, a write holding many lines gives many; a
 * line longer than LOG_LINE_MAX keeps its start (LOG_F_TRUNC) and is still
 * classified from it; bytes that were transferred but not captured end the
 * current line (LOG_F_INCOMPLETE) and the line after them is marked
 * LOG_F_AFTER_GAP (its start may be missing).
 *
 * Each line is classified (logline_classify, usable on its own) and the
 * callback gets the interesting ones (or every non-empty line with
 * LOG_OPT_ALL_LINES). Markers are found anywhere in the line, so timestamps,
 * "[INFO] (rapid) " or JSON-ish prefixes do not matter; ANSI escape
 * sequences and CR are ignored for matching.
 *
 * Pure C, no global state, no allocation. The callback must not feed the
 * stream that called it.
 */
#ifndef COLDTRACE_LOGLINE_H
#define COLDTRACE_LOGLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOG_LINE_MAX 1024 /* bytes of a line kept (and classified) */
#define LOG_ID_MAX 128    /* request ids, versions, phases ... (NUL incl.) */
#define LOG_ARN_MAX 256
#define LOG_PKG_MAX 256

enum log_kind {
	LOG_NONE = 0,
	/* AWS: "INIT_START Runtime Version: <v> Runtime Version ARN: <arn>"
	 * -> version, arn */
	LOG_INIT_START,
	/* RIE: "INIT START(type: on-demand, phase: init)" or
	 * "INIT START(initType: ..., phase: ...)" -> init_type, phase */
	LOG_RIE_INIT_START,
	/* RIE: "INIT RTDONE(status: success|error[, errorType: ...])"
	 * -> status, error_type */
	LOG_INIT_RTDONE,
	/* RIE: "INIT REPORT(durationMs: 14.586000[, ...])", or AWS
	 * "INIT_REPORT Init Duration: 10.00 ms ..." -> duration_ms/_us,
	 * status when given */
	LOG_INIT_REPORT,
	/* "START RequestId: <id> Version: <v>" -> request_id, version */
	LOG_START,
	/* "END RequestId: <id>" -> request_id */
	LOG_END,
	/* "REPORT RequestId: <id>\tInit Duration: 0.04 ms\tDuration: 45.45 ms\t
	 * Billed Duration: 46 ms\tMemory Size: 3008 MB\tMax Memory Used: 3008 MB"
	 * every field optional (see have) */
	LOG_REPORT,
	/* GODEBUG=inittrace=1: "init <pkg> @<x> ms, <y> ms clock, <b> bytes,
	 * <n> allocs" -> pkg, go_at_ms, go_clock_ms, go_bytes, go_allocs */
	LOG_GO_INIT,
	/* AWS (CloudWatch), one per extension at the end of INIT:
	 * "EXTENSION\tName: <name>\tState: <state>\tEvents: [INVOKE,SHUTDOWN]
	 * [\tError Type: <type>]" -> ext_name, status (the state), ext_events
	 * (inside the brackets), error_type */
	LOG_EXTENSION,
	LOG_KIND_COUNT /* not a kind: one past the last (for checks and tables) */
};

/* struct log_event.flags */
enum log_flags {
	LOG_F_TRUNC = 1 << 0,      /* line longer than LOG_LINE_MAX: cut */
	LOG_F_INCOMPLETE = 1 << 1, /* ended by missing (uncaptured) bytes */
	LOG_F_AFTER_GAP = 1 << 2,  /* follows missing bytes: start may be lost */
	LOG_F_NO_EOL = 1 << 3,     /* ended by log_stream_flush, no newline */
};

/* struct log_event.have: which optional fields were found */
enum log_have {
	LOG_HAVE_REQUEST_ID = 1 << 0,
	LOG_HAVE_VERSION = 1 << 1,
	LOG_HAVE_ARN = 1 << 2,
	LOG_HAVE_INIT_TYPE = 1 << 3,
	LOG_HAVE_PHASE = 1 << 4,
	LOG_HAVE_STATUS = 1 << 5,
	LOG_HAVE_ERROR_TYPE = 1 << 6,
	LOG_HAVE_DURATION = 1 << 7,      /* duration_ms, duration_us */
	LOG_HAVE_INIT_DURATION = 1 << 8, /* init_duration_ms */
	LOG_HAVE_BILLED = 1 << 9,        /* billed_ms */
	LOG_HAVE_MEMORY = 1 << 10,       /* memory_mb */
	LOG_HAVE_MAX_MEMORY = 1 << 11,   /* max_memory_mb */
	LOG_HAVE_EXT_NAME = 1 << 12,     /* ext_name */
	LOG_HAVE_EXT_EVENTS = 1 << 13,   /* ext_events ("" for "[]") */
};

struct log_event {
	enum log_kind kind;
	unsigned flags; /* enum log_flags */
	unsigned have;  /* enum log_have */
	uint64_t ts_first; /* ts of the chunk holding the line's first byte */
	uint64_t ts_last;  /* ts of the chunk that ended the line */
	uint64_t orig_len; /* bytes the line really had (>= line_len) */
	size_t line_len;   /* bytes in line[] (no LF, no trailing CR) */
	char line[LOG_LINE_MAX + 1]; /* the raw line, NUL-terminated */

	char request_id[LOG_ID_MAX];
	char version[LOG_ID_MAX]; /* INIT_START runtime version; START Version */
	char arn[LOG_ARN_MAX];    /* INIT_START runtime version ARN */
	char init_type[LOG_ID_MAX];
	char phase[LOG_ID_MAX];
	char status[LOG_ID_MAX];
	char error_type[LOG_ID_MAX];

	/* INIT_REPORT durationMs / Init Duration; REPORT Duration */
	double duration_ms;
	int64_t duration_us; /* the same, exact from the decimal digits */
	/* REPORT */
	double init_duration_ms;
	double billed_ms;
	uint64_t memory_mb;
	uint64_t max_memory_mb;
	/* GO_INIT, as printed */
	char pkg[LOG_PKG_MAX];
	double go_at_ms;
	double go_clock_ms;
	uint64_t go_bytes;
	uint64_t go_allocs;
	/* EXTENSION */
	char ext_name[LOG_ID_MAX];
	char ext_events[LOG_ID_MAX];
};

/*
 * Classify one line (line[0 .. n), no LF needed, need not be NUL-terminated;
 * only the first LOG_LINE_MAX bytes are looked at). Fills *out (zeroed
 * first; out->line gets the bounded raw line, LOG_F_TRUNC if cut) and
 * returns out->kind. Never reads past n.
 */
enum log_kind logline_classify(const char *line, size_t n,
			       struct log_event *out);
const char *log_kind_name(enum log_kind k);

typedef void (*log_cb)(void *ctx, const struct log_event *ev);

enum log_opts {
	LOG_OPT_ALL_LINES = 1 << 0, /* call back for every non-empty line */
};

/* Private to logline.c: use the functions. */
struct log_stream {
	unsigned opts;
	bool active;    /* a line is in progress */
	bool after_gap; /* the next line follows missing bytes */
	uint64_t ts_first;
	uint64_t total; /* bytes of the current line so far */
	size_t len;     /* bytes of it kept in buf */
	uint64_t lines; /* lines seen */
	char buf[LOG_LINE_MAX];
	struct log_event ev;
};

void log_stream_init(struct log_stream *s, unsigned opts);
void log_stream_reset(struct log_stream *s); /* keeps opts */
/* data[0 .. cap_len) captured of len transferred (len < cap_len: = cap_len). */
void log_stream_feed(struct log_stream *s, const uint8_t *data, size_t cap_len,
		     size_t len, uint64_t ts, log_cb cb, void *ctx);
/* End of stream: hand over a last line that had no newline (LOG_F_NO_EOL). */
void log_stream_flush(struct log_stream *s, uint64_t ts, log_cb cb, void *ctx);

#endif /* COLDTRACE_LOGLINE_H */
