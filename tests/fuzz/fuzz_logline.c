/* fuzz-sources: userspace/model/logline.c */
/*
 * libFuzzer target for userspace/model/logline.c.
 *
 * Input: byte 0 = mode, bytes 1..8 = seed of the chunking PRNG, the rest =
 * the byte stream. mode bits:
 *   0    LOG_OPT_ALL_LINES
 *   1    truncate captures (cap_len < len) now and then
 *   2-3  chunk size class: 1 byte, up to 16, up to 512, up to 8192
 *   4    flush at the end
 * Checks every event (strings NUL-terminated in their arrays, lengths and
 * enums sane, timestamps ordered), classifies the whole input with
 * logline_classify too, and, without truncation, that the chunked run gives
 * exactly the events of a one-chunk run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logline.h"

#include "fuzz_check.h"

struct run {
	uint64_t hash;
	uint32_t events;
	uint64_t last_ts;
	unsigned opts;
};

static bool nul_in(const char *s, size_t n)
{
	return memchr(s, '\0', n) != NULL;
}

static void mix(struct run *r, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		r->hash = (r->hash ^ b[i]) * 1099511628211ull;
}

static void check_event(const struct log_event *ev)
{
	CHECK(ev->kind >= LOG_NONE && ev->kind < LOG_KIND_COUNT);
	CHECK(ev->line_len <= LOG_LINE_MAX);
	CHECK(ev->line[ev->line_len] == '\0');
	CHECK(ev->orig_len >= ev->line_len);
	CHECK(nul_in(ev->request_id, sizeof(ev->request_id)));
	CHECK(nul_in(ev->version, sizeof(ev->version)));
	CHECK(nul_in(ev->arn, sizeof(ev->arn)));
	CHECK(nul_in(ev->init_type, sizeof(ev->init_type)));
	CHECK(nul_in(ev->phase, sizeof(ev->phase)));
	CHECK(nul_in(ev->status, sizeof(ev->status)));
	CHECK(nul_in(ev->error_type, sizeof(ev->error_type)));
	CHECK(nul_in(ev->pkg, sizeof(ev->pkg)));
	CHECK(ev->duration_ms >= 0 && ev->duration_us >= 0);
	CHECK(ev->go_at_ms >= 0 && ev->go_clock_ms >= 0);
	if (ev->have & LOG_HAVE_DURATION) {
		/* exact microseconds agree with the double */
		double d = ev->duration_ms * 1000.0 - (double)ev->duration_us;
		double tol = 1.0 + 1e-12 * (double)ev->duration_us;
		CHECK(d > -tol && d < tol);
	}
	if (ev->have & LOG_HAVE_REQUEST_ID)
		CHECK(ev->request_id[0] != '\0');
	if (ev->kind == LOG_NONE)
		CHECK(ev->have == 0);
	if (ev->kind == LOG_GO_INIT)
		CHECK(ev->pkg[0] != '\0');
}

static void cb(void *ctx, const struct log_event *ev)
{
	struct run *r = ctx;

	check_event(ev);
	CHECK(ev->line_len > 0 || (ev->flags & LOG_F_TRUNC));
	CHECK(ev->kind != LOG_NONE || (r->opts & LOG_OPT_ALL_LINES));
	CHECK(ev->ts_first <= ev->ts_last);
	CHECK(ev->ts_last >= r->last_ts);
	r->last_ts = ev->ts_last;
	r->events++;
	mix(r, &ev->kind, sizeof(ev->kind));
	mix(r, &ev->flags, sizeof(ev->flags));
	mix(r, &ev->have, sizeof(ev->have));
	mix(r, &ev->orig_len, sizeof(ev->orig_len));
	mix(r, ev->line, ev->line_len);
	mix(r, ev->request_id, strlen(ev->request_id));
	mix(r, ev->pkg, strlen(ev->pkg));
	mix(r, &ev->duration_us, sizeof(ev->duration_us));
	mix(r, &ev->go_bytes, sizeof(ev->go_bytes));
}

static uint64_t rng_next(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static struct log_stream A, B;
static struct log_event E;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t mode;
	uint64_t seed = 0x9e3779b97f4a7c15ull, ts = 1;
	static const size_t cls_max[4] = {1, 16, 512, 8192};
	struct run ra = {0}, rb = {0};
	size_t off = 0;

	if (size < 9)
		return 0;
	mode = data[0];
	for (int i = 1; i < 9; i++)
		seed = (seed ^ data[i]) * 0x100000001b3ull;
	if (!seed)
		seed = 1;
	data += 9;
	size -= 9;

	/* the classifier alone, on the whole input */
	logline_classify((const char *)data, size, &E);
	check_event(&E);
	CHECK(E.orig_len == size);

	ra.opts = rb.opts = mode & 1;
	log_stream_init(&A, mode & 1);
	while (off < size) {
		uint64_t r = rng_next(&seed);
		size_t k = 1 + (size_t)(r % cls_max[(mode >> 2) & 3]);
		size_t cap;

		if (k > size - off)
			k = size - off;
		cap = k;
		if ((mode & 2) && (r >> 32) % 4 == 0)
			cap = (size_t)((r >> 40) % (k + 1));
		log_stream_feed(&A, data + off, cap, k, ts, cb, &ra);
		ts += 1 + (r & 3);
		off += k;
	}
	if (mode & 0x10)
		log_stream_flush(&A, ts, cb, &ra);

	if (!(mode & 2)) {
		log_stream_init(&B, mode & 1);
		log_stream_feed(&B, data, size, size, 1, cb, &rb);
		if (mode & 0x10)
			log_stream_flush(&B, ts, cb, &rb);
		if (ra.events != rb.events || ra.hash != rb.hash) {
			fprintf(stderr, "chunked run differs: %u vs %u events\n",
				ra.events, rb.events);
			abort();
		}
	}
	return 0;
}
