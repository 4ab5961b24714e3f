/* fuzz-sources: userspace/model/httpparse.c */
/*
 * libFuzzer target for userspace/model/httpparse.c.
 *
 * Input: byte 0 = mode, bytes 1..8 = seed of the chunking PRNG, the rest =
 * the byte stream. mode bits:
 *   0-1  emit options (HTTP_EMIT_DESYNC, HTTP_EMIT_BODY_END)
 *   2    truncate captures (cap_len < len) now and then
 *   3-4  chunk size class: 1 byte, up to 16, up to 512, up to 8192
 *   5    tell the stream about pending HEAD requests (expect_response)
 *   6    call http_stream_finish at the end (a head cut there: HTTP_F_EOF)
 * Checks, in the callback: every string NUL-terminated inside its array,
 * enums in range, lengths sane, timestamps ordered, message indexes
 * consecutive. Without truncation, the chunked run must give exactly the
 * events of a one-chunk run, up to the first lost sync (after it, where the
 * parser finds a message again depends on the chunk boundaries).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "httpparse.h"

#include "fuzz_check.h"

struct run {
	const struct http_stream *s;
	uint64_t hash;   /* of the events, to compare runs */
	uint32_t events;
	uint32_t next_index;
	uint64_t last_ts;
	bool frozen;
	bool finishing; /* inside http_stream_finish */
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

static void mix_str(struct run *r, const char *s)
{
	mix(r, s, strlen(s) + 1);
}

static void cb(void *ctx, const struct http_msg *m)
{
	struct run *r = ctx;

	CHECK(m->kind >= HTTP_REQUEST && m->kind <= HTTP_BODY_END);
	CHECK(nul_in(m->path, sizeof(m->path)));
	CHECK(nul_in(m->reason, sizeof(m->reason)));
	CHECK(nul_in(m->api_id, sizeof(m->api_id)));
	CHECK(m->ts_first <= m->ts_head);
	CHECK(m->ts_head >= r->last_ts);
	r->last_ts = m->ts_head;
	CHECK((m->hdr_present >> HTTP_H_COUNT) == 0);
	CHECK((m->hdr_trunc & ~m->hdr_present) == 0);
	for (int h = 0; h < HTTP_H_COUNT; h++) {
		CHECK(nul_in(m->hdr[h], HTTP_VALUE_MAX));
		if (!(m->hdr_present & (1u << h)))
			CHECK(m->hdr[h][0] == '\0' && !http_msg_header(m, h));
		else
			CHECK(http_msg_header(m, h) == m->hdr[h]);
	}
	CHECK((unsigned)m->api <= LAMBDA_API_INVOKE);
	if (m->api != LAMBDA_API_RESPONSE && m->api != LAMBDA_API_ERROR)
		CHECK(m->api_id[0] == '\0');

	switch (m->kind) {
	case HTTP_REQUEST:
	case HTTP_RESPONSE:
		CHECK(m->index == r->next_index);
		r->next_index++;
		CHECK(m->version_major == 1 && m->version_minor <= 9);
		CHECK(m->head_len > 0 && m->head_len <= HTTP_HEAD_MAX);
		CHECK(m->body_len >= -1);
		CHECK(m->body <= HTTP_BODY_UNKNOWN);
		/* cut by the end of the stream: only in finish, only a cut head */
		if (m->flags & HTTP_F_EOF)
			CHECK(r->finishing && (m->flags & HTTP_F_INCOMPLETE) &&
			      m->body == HTTP_BODY_UNKNOWN);
		if (m->body == HTTP_BODY_LENGTH)
			CHECK(m->body_len > 0);
		if (m->body == HTTP_BODY_NONE)
			CHECK(m->body_len == 0);
		if (m->body == HTTP_BODY_CHUNKED ||
		    m->body == HTTP_BODY_UNTIL_CLOSE ||
		    m->body == HTTP_BODY_UNKNOWN)
			CHECK(m->body_len == -1);
		if (m->kind == HTTP_REQUEST) {
			CHECK(m->method >= HTTP_M_GET && m->method <= HTTP_M_OPTIONS);
			CHECK(m->path[0] != '\0');
			CHECK(m->status == 0);
		} else {
			CHECK(m->method == HTTP_M_NONE);
			CHECK(m->status >= 100 && m->status <= 999);
			CHECK(m->path[0] == '\0');
		}
		break;
	case HTTP_DESYNC:
		CHECK(m->err > HTTP_ERR_NONE && m->err <= HTTP_ERR_EOF_IN_HEAD);
		break;
	case HTTP_BODY_END:
		CHECK(m->body_len >= 0);
		CHECK(m->index + 1 == r->next_index);
		break;
	}

	/* After lost sync, where the stream resynchronises depends on the
	 * chunk boundaries (a new syscall may start a message): compare runs
	 * only up to the first desync. */
	if (r->frozen)
		return;
	if (m->kind != HTTP_DESYNC && http_stream_stats(r->s)->desyncs) {
		r->frozen = true;
		return;
	}
	if (m->kind == HTTP_DESYNC)
		r->frozen = true;
	r->events++;
	mix(r, &m->kind, sizeof(m->kind));
	mix(r, &m->flags, sizeof(m->flags));
	mix(r, &m->err, sizeof(m->err));
	mix(r, &m->index, sizeof(m->index));
	mix(r, &m->method, sizeof(m->method));
	mix(r, &m->status, sizeof(m->status));
	mix(r, &m->body, sizeof(m->body));
	mix(r, &m->body_len, sizeof(m->body_len));
	mix(r, &m->hdr_present, sizeof(m->hdr_present));
	mix(r, &m->head_len, sizeof(m->head_len));
	mix_str(r, m->path);
	mix_str(r, m->reason);
	mix_str(r, m->api_id);
	for (int h = 0; h < HTTP_H_COUNT; h++)
		mix_str(r, m->hdr[h]);
}

static uint64_t rng_next(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static struct http_stream A, B;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t mode;
	uint64_t seed = 0x9e3779b97f4a7c15ull, ts = 1;
	static const size_t cls_max[4] = {1, 16, 512, 8192};
	struct run ra = {.s = &A}, rb = {.s = &B};
	size_t off = 0, total_len = 0;

	if (size < 9)
		return 0;
	mode = data[0];
	for (int i = 1; i < 9; i++)
		seed = (seed ^ data[i]) * 0x100000001b3ull;
	if (!seed)
		seed = 1;
	data += 9;
	size -= 9;

	http_stream_init(&A, mode & 3);
	if (mode & 0x20) {
		for (int i = 0; i < 8; i++)
			http_stream_expect_response(
				&A, (seed >> i) & 1 ? HTTP_M_HEAD : HTTP_M_GET);
	}

	while (off < size) {
		uint64_t r = rng_next(&seed);
		size_t k = 1 + (size_t)(r % cls_max[(mode >> 3) & 3]);
		size_t cap;

		if (k > size - off)
			k = size - off;
		cap = k;
		if ((mode & 4) && (r >> 32) % 4 == 0)
			cap = (size_t)((r >> 40) % (k + 1));
		http_stream_feed(&A, data + off, cap, k, ts, cb, &ra);
		total_len += k;
		CHECK(http_stream_state(&A) <= HTTP_S_NOT_HTTP);
		ts += 1 + (r & 3);
		off += k;
	}
	CHECK(http_stream_stats(&A)->bytes == total_len);
	CHECK(http_stream_stats(&A)->messages == ra.next_index);
	if (mode & 0x40) {
		ra.finishing = true;
		http_stream_finish(&A, ts, cb, &ra);
	}

	/* without truncation, chunking must not change anything */
	if (!(mode & 4) && !(mode & 0x20)) {
		http_stream_init(&B, mode & 3);
		http_stream_feed(&B, data, size, size, 1, cb, &rb);
		if (mode & 0x40) {
			rb.finishing = true;
			http_stream_finish(&B, ts, cb, &rb);
		}
		if (ra.events != rb.events || ra.hash != rb.hash) {
			fprintf(stderr, "chunked run differs: %u vs %u events\n",
				ra.events, rb.events);
			abort();
		}
	}
	return 0;
}
