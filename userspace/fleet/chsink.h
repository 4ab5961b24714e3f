/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * chsink: --clickhouse URL. Each finished sandbox becomes one batch of rows
 * (chrows.h) in the spool (kind "ch"); a sender thread inserts the oldest
 * batches together, table by table (coldstarts last), with
 * INSERT ... FORMAT JSONEachRow over ClickHouse's HTTP interface, and
 * deletes them once every insert was answered 200. A failure leaves them in
 * the spool for a retry: rows already inserted come again, and the tables
 * (ReplacingMergeTree, read with FINAL) count them once.
 *
 * The schema is made sure of before the first insert: the database and
 * missing tables created, existing ones checked (version and columns).
 */
#ifndef COLDTRACE_CHSINK_H
#define COLDTRACE_CHSINK_H

#include <stddef.h>

#include "chrows.h"
#include "httpc.h"
#include "model.h"
#include "spool.h"

struct ct_ch_sink;

/*
 * Parse url, and, if the server answers now, make sure of the schema in db.
 * NULL with a one-line reason in err, and *fatal: a bad URL, credentials the
 * server refuses, a schema it holds that is not this one (an answer that
 * will not change by waiting). A server that does not answer is no error:
 * a warning in err (err[0] set), and the sink spools until it does.
 */
struct ct_ch_sink *ct_ch_sink_open(const char *url, const char *db, struct ct_spool *sp, char *err,
				   size_t errlen);
/* The sandbox's rows into the spool: 0, or -1 with errno (ENOSPC: full). */
int ct_ch_sink_put(struct ct_ch_sink *k, const struct ct_model *m, const struct ct_ch_meta *meta);
/* Deliver within deadline_ms, stop; the batches left (kept in the spool). */
size_t ct_ch_sink_close(struct ct_ch_sink *k, int deadline_ms);

/*
 * One statement (a query or an INSERT with its data) to ClickHouse at u:
 * 0 with the answer's body in *answer (may be NULL), -1 transport failure,
 * -2 the server answered an error (its first line in err; *auth set when
 * it refused the credentials). settings: "&name=value..." appended to the
 * URL's query, or NULL.
 */
int ct_ch_exec(const struct ct_url *u, const char *sql, size_t sql_len, const char *data, size_t data_len,
	       const char *settings, int timeout_ms, struct strbuf *answer, bool *auth, char *err,
	       size_t errlen);
/*
 * Make sure of the schema in db (create what is missing, check what is
 * there). 0; -1 the server did not answer (retry later); -2 refused for good
 * (credentials, a version or a column that is not ours): err says why.
 * timeout_ms bounds each statement.
 */
int ct_ch_ensure_schema(const struct ct_url *u, const char *db, int timeout_ms, char *err, size_t errlen);

#endif
