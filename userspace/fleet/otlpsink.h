/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * otlpsink: --otlp URL. Each finished sandbox's OTLP/JSON traces (the otlp
 * view, views/otlp.c) are put in the spool as one batch of kind "otlp" and
 * POSTed by a sender thread to the collector's OTLP/HTTP endpoint, with
 * "Content-Type: application/json": URL's path if it has one, else
 * /v1/traces. 2xx: delivered. 4xx but 408/429: the collector will never
 * take it (kept in the spool, said once, the sender stops); anything else,
 * or no answer: retried with backoff (spool.h).
 */
#ifndef COLDTRACE_OTLPSINK_H
#define COLDTRACE_OTLPSINK_H

#include <stddef.h>

#include "model.h"
#include "render.h"
#include "spool.h"

struct ct_otlp_sink;

/* NULL with a one-line reason in err: a bad URL. Starts its sender (no
 * connection is tried here). */
struct ct_otlp_sink *ct_otlp_sink_open(const char *url, struct ct_spool *sp, char *err, size_t errlen);
/* Render m's spans and spool them: 0, or -1 with errno (ENOSPC: the spool
 * is full; the caller counts and reports it). */
int ct_otlp_sink_put(struct ct_otlp_sink *k, const struct ct_model *m, const struct ct_render_opts *ro);
/* Deliver what is left within deadline_ms, stop; returns the batches left
 * in the spool; frees k. */
size_t ct_otlp_sink_close(struct ct_otlp_sink *k, int deadline_ms);

#endif
