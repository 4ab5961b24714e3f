/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * logline: split captured stdout/stderr bytes into lines and recognise the
 * Lambda agent's phase markers and Go's inittrace lines. See logline.h.
 * Numbers are parsed by hand (locale-free, exact microseconds from the
 * decimal digits); every read is bounded by the line's length.
 */
#include "logline.h"

#include <string.h>

static const char *const kind_names[] = {
	[LOG_NONE] = "none",
	[LOG_INIT_START] = "init_start",
	[LOG_RIE_INIT_START] = "rie_init_start",
	[LOG_INIT_RTDONE] = "init_rtdone",
	[LOG_INIT_REPORT] = "init_report",
	[LOG_START] = "start",
	[LOG_END] = "end",
	[LOG_REPORT] = "report",
	[LOG_GO_INIT] = "go_init",
	[LOG_EXTENSION] = "extension",
};
_Static_assert(sizeof(kind_names) / sizeof(kind_names[0]) == LOG_KIND_COUNT,
	       "a log kind without a name");

const char *log_kind_name(enum log_kind k)
{
	if ((unsigned)k < sizeof(kind_names) / sizeof(kind_names[0]))
		return kind_names[k];
	return "?";
}

/* ---- helpers over [p, e) ---- */

static inline bool is_word(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '_';
}

static inline bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* First occurrence of pat in [h, e), or NULL. */
static const char *find(const char *h, const char *e, const char *pat)
{
	size_t pn = strlen(pat);

	while ((size_t)(e - h) >= pn) {
		const char *c = memchr(h, pat[0], (size_t)(e - h) - pn + 1);
		if (!c)
			return NULL;
		if (memcmp(c, pat, pn) == 0)
			return c;
		h = c + 1;
	}
	return NULL;
}

/* First occurrence of pat in [h, e) not preceded by a word character. */
static const char *find_word(const char *b, const char *e, const char *pat)
{
	const char *h = b, *c;

	while ((c = find(h, e, pat)) != NULL) {
		if (c == b || !is_word((unsigned char)c[-1]))
			return c;
		h = c + 1;
	}
	return NULL;
}

/* find_word, also not followed by a word character. */
static const char *find_whole(const char *b, const char *e, const char *pat)
{
	const char *h = b, *c;
	size_t pn = strlen(pat);

	while ((c = find_word(h, e, pat)) != NULL) {
		if (c + pn == e || !is_word((unsigned char)c[pn]))
			return c;
		h = c + 1;
	}
	return NULL;
}

static const char *skip_space(const char *p, const char *e)
{
	while (p < e && is_space((unsigned char)*p))
		p++;
	return p;
}

static bool starts(const char *p, const char *e, const char *pat)
{
	size_t pn = strlen(pat);
	return (size_t)(e - p) >= pn && memcmp(p, pat, pn) == 0;
}

static void copy_str(char *dst, size_t sz, const char *src, size_t n)
{
	if (n > sz - 1)
		n = sz - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* A value token after optional blanks: up to a blank, quote, backslash or
 * comma (so JSON-ish wrappers do not leak in). Returns the end. */
static const char *take_token(const char *p, const char *e, char *dst,
			      size_t sz, bool *found)
{
	const char *b;

	p = skip_space(p, e);
	b = p;
	while (p < e) {
		unsigned char c = (unsigned char)*p;
		if (c <= 0x20 || c == 0x7f || c == '"' || c == '\\' || c == ',')
			break;
		p++;
	}
	*found = p > b;
	if (*found)
		copy_str(dst, sz, b, (size_t)(p - b));
	return p;
}

struct num {
	double d;     /* the value */
	uint64_t u;   /* integer part */
	int64_t milli; /* value * 1000, rounded half up, exact */
};

/* [digits][.digits] (at least one digit). Returns the end, or NULL. */
static const char *parse_num(const char *p, const char *e, struct num *n)
{
	uint64_t ip = 0, frac3 = 0;
	double d, scale = 0.1;
	int id = 0, fd = 0;
	bool round_up = false;

	while (p < e && *p >= '0' && *p <= '9') {
		if (++id > 15)
			return NULL; /* no real figure is this large */
		ip = ip * 10 + (uint64_t)(*p - '0');
		p++;
	}
	d = (double)ip;
	if (p < e && *p == '.') {
		p++;
		while (p < e && *p >= '0' && *p <= '9') {
			int v = *p - '0';
			if (fd < 3)
				frac3 = frac3 * 10 + (uint64_t)v;
			else if (fd == 3)
				round_up = v >= 5;
			if (fd < 17) {
				d += v * scale;
				scale /= 10;
			}
			fd++;
			p++;
		}
	}
	if (id == 0 && fd == 0)
		return NULL;
	for (int i = fd; i < 3; i++)
		frac3 *= 10;
	n->d = d;
	n->u = ip;
	n->milli = (int64_t)(ip * 1000 + frac3 + (round_up ? 1 : 0));
	return p;
}

/*
 * A figure as the agent writes it: parse_num, and the number must end
 * there ("1e400", "0x10", "1.5.2", "12abc" are no figure at all, rather than
 * their first digits); a unit may follow directly ("14.5ms").
 */
static inline bool is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static const char *parse_figure(const char *p, const char *e, struct num *n)
{
	const char *q = parse_num(p, e, n);
	unsigned char c;

	if (!q || q == e)
		return q;
	c = (unsigned char)*q;
	if (c == 'm' && e - q >= 2 && q[1] == 's' && (e - q == 2 || !is_alnum((unsigned char)q[2])))
		return q;
	if (is_alnum(c) || c == '.' || c == '+' || c == '-' || c == '_')
		return NULL;
	return q;
}

/* ---- line cleaning: drop ANSI escape sequences and CR ---- */

static size_t clean_line(const char *in, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c == '\r')
			continue;
		if (c != 0x1b) {
			out[o++] = (char)c;
			continue;
		}
		if (i + 1 >= n)
			break;
		c = (unsigned char)in[++i];
		if (c == '[') { /* CSI: params, intermediates, final byte */
			while (i + 1 < n) {
				c = (unsigned char)in[++i];
				if (c >= 0x40 && c <= 0x7e)
					break;
			}
		} else if (c == ']') { /* OSC: to BEL or ESC \ */
			while (i + 1 < n) {
				c = (unsigned char)in[++i];
				if (c == 0x07)
					break;
				if (c == 0x1b && i + 1 < n && in[i + 1] == '\\') {
					i++;
					break;
				}
			}
		}
		/* else: a two-byte escape, both dropped */
	}
	return o;
}

/* ---- the markers ---- */

/* "(key: value, key: value)" as the RIE prints its INIT lines. */
static void parse_kv(const char *p, const char *e, struct log_event *ev)
{
	while (p < e) {
		const char *kb, *ke, *vb, *ve;

		p = skip_space(p, e);
		kb = p;
		while (p < e && is_word((unsigned char)*p))
			p++;
		ke = p;
		p = skip_space(p, e);
		if (p >= e || *p != ':' || ke == kb)
			return;
		p = skip_space(p + 1, e);
		vb = p;
		while (p < e && *p != ',' && *p != ')')
			p++;
		ve = p;
		while (ve > vb && is_space((unsigned char)ve[-1]))
			ve--;
		if (ve - vb >= 2 && *vb == '"' && ve[-1] == '"') {
			vb++;
			ve--;
		}
		size_t kn = (size_t)(ke - kb), vn = (size_t)(ve - vb);
#define KEY(s) (kn == sizeof(s) - 1 && memcmp(kb, s, kn) == 0)
		if (vn == 0) {
			/* nothing */
		} else if (KEY("type") || KEY("initType")) {
			copy_str(ev->init_type, sizeof(ev->init_type), vb, vn);
			ev->have |= LOG_HAVE_INIT_TYPE;
		} else if (KEY("phase")) {
			copy_str(ev->phase, sizeof(ev->phase), vb, vn);
			ev->have |= LOG_HAVE_PHASE;
		} else if (KEY("status")) {
			copy_str(ev->status, sizeof(ev->status), vb, vn);
			ev->have |= LOG_HAVE_STATUS;
		} else if (KEY("errorType")) {
			copy_str(ev->error_type, sizeof(ev->error_type), vb, vn);
			ev->have |= LOG_HAVE_ERROR_TYPE;
		} else if (KEY("durationMs")) {
			struct num n;
			if (parse_figure(vb, ve, &n)) {
				ev->duration_ms = n.d;
				ev->duration_us = n.milli;
				ev->have |= LOG_HAVE_DURATION;
			}
		}
#undef KEY
		if (p >= e || *p == ')')
			return;
		p++; /* ',' */
	}
}

/* "INIT START(" etc.: the marker, optional blanks, '('. */
static const char *find_paren_marker(const char *b, const char *e,
				     const char *marker)
{
	const char *h = b, *c;

	while ((c = find_word(h, e, marker)) != NULL) {
		const char *p = skip_space(c + strlen(marker), e);
		if (p < e && *p == '(')
			return p + 1;
		h = c + 1;
	}
	return NULL;
}

/* A "Key: <number>" field anywhere in [b, e). For "Duration: " the
 * "Init ", "Billed " and "Restore " forms are skipped. */
static bool field_num(const char *b, const char *e, const char *key,
		      bool plain_duration, struct num *n)
{
	const char *h = b, *c;

	while ((c = find(h, e, key)) != NULL) {
		h = c + 1;
		if (plain_duration) {
			static const char *const pre[] = {"Init ", "Billed ",
							  "Restore "};
			bool skip = false;
			for (int i = 0; i < 3; i++) {
				size_t pn = strlen(pre[i]);
				if ((size_t)(c - b) >= pn &&
				    memcmp(c - pn, pre[i], pn) == 0)
					skip = true;
			}
			if (skip)
				continue;
		}
		if (parse_figure(skip_space(c + strlen(key), e), e, n))
			return true;
	}
	return false;
}

static bool try_init_start(const char *b, const char *e, struct log_event *ev)
{
	const char *c = find_whole(b, e, "INIT_START"), *v;
	bool f;

	if (!c)
		return false;
	c += 10;
	v = find(c, e, "Runtime Version:");
	if (v) {
		take_token(v + 16, e, ev->version, sizeof(ev->version), &f);
		if (f)
			ev->have |= LOG_HAVE_VERSION;
	}
	v = find(c, e, "Runtime Version ARN:");
	if (v) {
		take_token(v + 20, e, ev->arn, sizeof(ev->arn), &f);
		if (f)
			ev->have |= LOG_HAVE_ARN;
	}
	ev->kind = LOG_INIT_START;
	return true;
}

static bool try_rie_init(const char *b, const char *e, struct log_event *ev)
{
	const char *p;

	if ((p = find_paren_marker(b, e, "INIT START")) != NULL) {
		ev->kind = LOG_RIE_INIT_START;
	} else if ((p = find_paren_marker(b, e, "INIT RTDONE")) != NULL) {
		ev->kind = LOG_INIT_RTDONE;
	} else if ((p = find_paren_marker(b, e, "INIT REPORT")) != NULL) {
		ev->kind = LOG_INIT_REPORT;
	} else {
		return false;
	}
	parse_kv(p, e, ev);
	return true;
}

/* AWS: "INIT_REPORT Init Duration: 10002.89 ms Phase: init Status: timeout" */
static bool try_aws_init_report(const char *b, const char *e,
				struct log_event *ev)
{
	const char *c = find_whole(b, e, "INIT_REPORT"), *v;
	struct num n;
	bool f;

	if (!c)
		return false;
	c += 11;
	ev->kind = LOG_INIT_REPORT;
	if (field_num(c, e, "Init Duration:", false, &n)) {
		ev->duration_ms = n.d;
		ev->duration_us = n.milli;
		ev->have |= LOG_HAVE_DURATION;
	}
	if ((v = find(c, e, "Phase:")) != NULL) {
		take_token(v + 6, e, ev->phase, sizeof(ev->phase), &f);
		if (f)
			ev->have |= LOG_HAVE_PHASE;
	}
	if ((v = find(c, e, "Status:")) != NULL) {
		take_token(v + 7, e, ev->status, sizeof(ev->status), &f);
		if (f)
			ev->have |= LOG_HAVE_STATUS;
	}
	return true;
}

static const char *request_id(const char *c, const char *e,
			      struct log_event *ev)
{
	bool f;
	c = take_token(c, e, ev->request_id, sizeof(ev->request_id), &f);
	if (f)
		ev->have |= LOG_HAVE_REQUEST_ID;
	return c;
}

static bool try_request_lines(const char *b, const char *e,
			      struct log_event *ev)
{
	const char *c;
	struct num n;
	bool f;

	if ((c = find_word(b, e, "START RequestId:")) != NULL) {
		ev->kind = LOG_START;
		c = request_id(c + 16, e, ev);
		if ((c = find(c, e, "Version:")) != NULL) {
			take_token(c + 8, e, ev->version, sizeof(ev->version), &f);
			if (f)
				ev->have |= LOG_HAVE_VERSION;
		}
		return true;
	}
	if ((c = find_word(b, e, "END RequestId:")) != NULL) {
		ev->kind = LOG_END;
		request_id(c + 14, e, ev);
		return true;
	}
	if ((c = find_word(b, e, "REPORT RequestId:")) == NULL)
		return false;
	ev->kind = LOG_REPORT;
	c = request_id(c + 17, e, ev);
	if (field_num(c, e, "Init Duration:", false, &n)) {
		ev->init_duration_ms = n.d;
		ev->have |= LOG_HAVE_INIT_DURATION;
	}
	if (field_num(c, e, "Duration:", true, &n)) {
		ev->duration_ms = n.d;
		ev->duration_us = n.milli;
		ev->have |= LOG_HAVE_DURATION;
	}
	if (field_num(c, e, "Billed Duration:", false, &n)) {
		ev->billed_ms = n.d;
		ev->have |= LOG_HAVE_BILLED;
	}
	if (field_num(c, e, "Memory Size:", false, &n)) {
		ev->memory_mb = n.u;
		ev->have |= LOG_HAVE_MEMORY;
	}
	if (field_num(c, e, "Max Memory Used:", false, &n)) {
		ev->max_memory_mb = n.u;
		ev->have |= LOG_HAVE_MAX_MEMORY;
	}
	return true;
}

/* "init <pkg> @<x> ms, <y> ms clock, <b> bytes, <n> allocs" */
static bool try_go_init(const char *b, const char *e, struct log_event *ev)
{
	const char *h = b, *c;

	while ((c = find_word(h, e, "init ")) != NULL) {
		const char *p = c + 5, *pb = p;
		struct num at, clk, by, al;

		h = c + 1;
		while (p < e && (unsigned char)*p > 0x20 && *p != 0x7f)
			p++;
		if (p == pb || !starts(p, e, " @"))
			continue;
		const char *pe = p;
		if (!(p = parse_num(p + 2, e, &at)) || !starts(p, e, " ms, "))
			continue;
		if (!(p = parse_num(p + 5, e, &clk)) ||
		    !starts(p, e, " ms clock, "))
			continue;
		if (!(p = parse_num(p + 11, e, &by)) || !starts(p, e, " bytes, "))
			continue;
		if (!(p = parse_num(p + 8, e, &al)) || !starts(p, e, " allocs"))
			continue;
		copy_str(ev->pkg, sizeof(ev->pkg), pb, (size_t)(pe - pb));
		ev->go_at_ms = at.d;
		ev->go_clock_ms = clk.d;
		ev->go_bytes = by.u;
		ev->go_allocs = al.u;
		ev->kind = LOG_GO_INIT;
		return true;
	}
	return false;
}

/* "EXTENSION\tName: n\tState: s\tEvents: [a,b]\tError Type: t": the
 * marker opens the line (after a timestamp-free prefix of blanks) and Name:
 * follows it, so a line merely mentioning an extension does not match. */
static bool try_extension(const char *b, const char *e, struct log_event *ev)
{
	const char *c = find_whole(b, e, "EXTENSION"), *v;
	bool f;

	if (!c)
		return false;
	c = skip_space(c + 9, e);
	if (!starts(c, e, "Name:"))
		return false;
	take_token(c + 5, e, ev->ext_name, sizeof(ev->ext_name), &f);
	if (!f)
		return false;
	ev->have |= LOG_HAVE_EXT_NAME;
	ev->kind = LOG_EXTENSION;
	if ((v = find(c, e, "State:")) != NULL) {
		take_token(v + 6, e, ev->status, sizeof(ev->status), &f);
		if (f)
			ev->have |= LOG_HAVE_STATUS;
	}
	if ((v = find(c, e, "Events:")) != NULL) {
		const char *p = skip_space(v + 7, e), *q;

		if (p < e && *p == '[' && (q = memchr(p, ']', (size_t)(e - p))) != NULL) {
			copy_str(ev->ext_events, sizeof(ev->ext_events), p + 1, (size_t)(q - p - 1));
			ev->have |= LOG_HAVE_EXT_EVENTS;
		}
	}
	if ((v = find(c, e, "Error Type:")) != NULL) {
		take_token(v + 11, e, ev->error_type, sizeof(ev->error_type), &f);
		if (f)
			ev->have |= LOG_HAVE_ERROR_TYPE;
	}
	return true;
}

enum log_kind logline_classify(const char *line, size_t n,
			       struct log_event *out)
{
	char clean[LOG_LINE_MAX];
	size_t kept = n > LOG_LINE_MAX ? LOG_LINE_MAX : n, cn;
	const char *b = clean, *e;

	memset(out, 0, sizeof(*out));
	out->orig_len = n;
	if (n > LOG_LINE_MAX)
		out->flags |= LOG_F_TRUNC;
	if (kept)
		memcpy(out->line, line, kept);
	out->line[kept] = '\0';
	out->line_len = kept;

	cn = clean_line(line, kept, clean);
	e = clean + cn;
	if (try_init_start(b, e, out) || try_rie_init(b, e, out) ||
	    try_aws_init_report(b, e, out) || try_request_lines(b, e, out) ||
	    try_go_init(b, e, out) || try_extension(b, e, out))
		return out->kind;
	out->kind = LOG_NONE;
	return LOG_NONE;
}

/* ---- the line assembler ---- */

void log_stream_init(struct log_stream *s, unsigned opts)
{
	memset(s, 0, sizeof(*s));
	s->opts = opts;
}

void log_stream_reset(struct log_stream *s)
{
	log_stream_init(s, s->opts);
}

static void end_line(struct log_stream *s, uint64_t ts, unsigned flags,
		     log_cb cb, void *ctx)
{
	size_t n = s->len;
	bool trunc = s->total > s->len;
	struct log_event *ev = &s->ev;

	if (!trunc && n && s->buf[n - 1] == '\r')
		n--;
	if (n || trunc) {
		logline_classify(s->buf, n, ev);
		ev->flags |= flags;
		if (trunc)
			ev->flags |= LOG_F_TRUNC;
		if (s->after_gap)
			ev->flags |= LOG_F_AFTER_GAP;
		ev->orig_len = s->total;
		ev->ts_first = s->ts_first;
		ev->ts_last = ts;
		s->lines++;
		if (cb && (ev->kind != LOG_NONE || (s->opts & LOG_OPT_ALL_LINES)))
			cb(ctx, ev);
	}
	s->active = false;
	s->after_gap = false;
	s->len = 0;
	s->total = 0;
}

void log_stream_feed(struct log_stream *s, const uint8_t *data, size_t cap_len,
		     size_t len, uint64_t ts, log_cb cb, void *ctx)
{
	const uint8_t *p = data, *e = data + cap_len;

	if (len < cap_len)
		len = cap_len;
	while (p < e) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(e - p));
		const uint8_t *se = nl ? nl : e;
		size_t k = (size_t)(se - p), room = LOG_LINE_MAX - s->len;
		size_t c = k < room ? k : room;

		if (!s->active) {
			s->active = true;
			s->ts_first = ts;
		}
		memcpy(s->buf + s->len, p, c);
		s->len += c;
		s->total += k;
		p = se;
		if (nl) {
			p++;
			end_line(s, ts, 0, cb, ctx);
		}
	}
	if (len > cap_len) {
		if (s->active)
			end_line(s, ts, LOG_F_INCOMPLETE, cb, ctx);
		s->after_gap = true;
	}
}

void log_stream_flush(struct log_stream *s, uint64_t ts, log_cb cb, void *ctx)
{
	if (s->active)
		end_line(s, ts, LOG_F_NO_EOL, cb, ctx);
	s->active = false;
	s->after_gap = false;
	s->len = 0;
	s->total = 0;
}
