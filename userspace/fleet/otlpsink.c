// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * otlpsink: see otlpsink.h. One batch is one sandbox's OTLP/JSON document:
 * two documents cannot be concatenated into one body, so the sender takes
 * one file at a time (max_batch 1) and a failure never resends a body the
 * collector already took.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "httpc.h"
#include "otlpsink.h"

#define OTLP_KIND "otlp"
#define OTLP_TIMEOUT_MS 10000 /* per request; ct_sender_stop cuts it at its deadline */

struct ct_otlp_sink {
	struct ct_url url;
	char target[sizeof(((struct ct_url *)0)->path)];
	char name[2448];
	struct ct_spool *sp;
	struct ct_sender *x;
};

/* The response body's first line, short, for a message. */
static void body_hint(const struct strbuf *b, char *buf, size_t size)
{
	char line[120];
	size_t n = 0;

	buf[0] = 0;
	if (!b->len)
		return;
	while (n < b->len && n + 1 < sizeof(line) && b->buf[n] != '\n' && b->buf[n] != '\r') {
		line[n] = b->buf[n];
		n++;
	}
	line[n] = 0;
	snprintf(buf, size, ": ");
	str_esc(buf + 2, size - 2, line);
}

static int otlp_deliver(void *ctx, const struct ct_spool_item *items, size_t n, char *err, size_t errlen)
{
	struct ct_otlp_sink *k = ctx;

	for (size_t i = 0; i < n; i++) {
		struct ct_http_resp resp;
		char hint[200];
		int st;

		if (ct_http_request(&k->url, "POST", k->target, "application/json", NULL, items[i].data, items[i].len,
				    OTLP_TIMEOUT_MS, &resp, err, errlen))
			return -1;
		st = resp.status;
		body_hint(&resp.body, hint, sizeof(hint));
		sb_free(&resp.body);
		if (st / 100 == 2)
			continue;
		snprintf(err, errlen, "HTTP %d%s", st, hint);
		/* a 4xx (but timeout and too-many-requests) will be the same next time */
		return st / 100 == 4 && st != 408 && st != 429 ? -2 : -1;
	}
	return 0;
}

struct ct_otlp_sink *ct_otlp_sink_open(const char *url, struct ct_spool *sp, char *err, size_t errlen)
{
	struct ct_otlp_sink *k = calloc(1, sizeof(*k));
	char shown[2400];

	if (!k) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (ct_url_parse(url, &k->url, err, errlen)) {
		free(k);
		return NULL;
	}
	snprintf(k->target, sizeof(k->target), "%s", strcmp(k->url.path, "/") ? k->url.path : "/v1/traces");
	ct_url_show(&k->url, shown, sizeof(shown));
	snprintf(k->name, sizeof(k->name), "OTLP collector at %s", shown);
	k->sp = sp;
	k->x = ct_sender_start(sp, OTLP_KIND, k->name, 1, otlp_deliver, k);
	if (!k->x) {
		snprintf(err, errlen, "cannot start the OTLP sender thread: %s", strerror(errno));
		free(k);
		return NULL;
	}
	return k;
}

int ct_otlp_sink_put(struct ct_otlp_sink *k, const struct ct_model *m, const struct ct_render_opts *ro)
{
	const struct ct_view *v = ct_view_find("otlp");
	struct strbuf out;
	int rc = 0;

	if (!v) {
		errno = ENOSYS;
		return -1;
	}
	sb_init(&out);
	v->render(m, &out, ro);
	if (out.oom) {
		rc = -1;
		errno = ENOMEM;
	} else if (out.len && strncmp(out.buf, "{\"resourceSpans\":[]", 19)) {
		/* a run without a cold start has no trace: nothing to send */
		rc = ct_spool_put(k->sp, OTLP_KIND, out.buf, out.len);
		if (!rc)
			ct_sender_kick(k->x);
	}
	sb_free(&out);
	return rc;
}

size_t ct_otlp_sink_close(struct ct_otlp_sink *k, int deadline_ms)
{
	size_t left;

	if (!k)
		return 0;
	left = ct_sender_stop(k->x, deadline_ms);
	free(k);
	return left;
}
