/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * chrows: a cold start as ClickHouse rows (issue 15), and the schema they go
 * in. Pure: no I/O.
 *
 * A traced sandbox is first rendered as jsonl (schema "coldtrace/1", the
 * README's); each record type that matters has its table, one row per
 * record, its columns the record's keys (a key a record lacks: the column's
 * default). Every row of every table starts with the same columns, which say
 * whose it is:
 *   cs_id        32 hex digits: the cold start's id, from the host, the boot
 *                id, the sandbox's root pid and its first event's time, so
 *                the same sandbox always gets the same id
 *   started      its first event, wall clock (DateTime, second)
 *   started_ns   the same in ns since the epoch
 *   host         the "host" label if given, else the machine's host name
 *   tool_version coldtrace's version
 *   kernel       the kernel release (uname -r)
 *   sandbox      the sandbox's root pid
 *   labels       Nested(key, value): every --label
 * then seq (UInt32): the row's index among its table's rows of that cold
 * start. Tables are ReplacingMergeTree ORDER BY (cs_id, seq): a batch sent
 * twice leaves duplicates that merge away, and queries that read with FINAL
 * see each row once. The "coldstarts" table (one row per sandbox) is sent
 * last, so a cold start listed there has all its rows.
 *
 * The "samples" table holds what `coldtrace report` aggregates, one row per
 * sample (report.h, ct_report_each_sample), so `report --clickhouse` can
 * compute the same tables in ClickHouse.
 *
 * Version CT_CH_SCHEMA_VERSION; a database holding another version is
 * refused (no older version exists to migrate from), as is a table whose
 * columns differ from these (a column missing or of another type).
 */
#ifndef COLDTRACE_CHROWS_H
#define COLDTRACE_CHROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

#define CT_CH_SCHEMA_VERSION 1
#define CT_CH_DEFAULT_DB "coldtrace"

struct ct_ch_meta {
	const char *host;
	const char *tool_version;
	const char *kernel;
	const char *boot_id;
	const char *command;  /* the traced command (or the sandbox's), redacted by the jsonl view */
	char *const *labels; /* "key=value" */
	size_t nlabels;
	uint32_t sandbox;
	uint64_t first_ts; /* the sandbox's first event, CLOCK_MONOTONIC ns */
	uint64_t realtime_offset_ns; /* CLOCK_REALTIME - CLOCK_MONOTONIC */
};

/* The tables, in the order a batch sends them (coldstarts last). */
size_t ct_ch_ntables(void);
const char *ct_ch_table_name(size_t i);

/*
 * Rows of one sandbox from its jsonl (jsonl[0..len)) into out, as a batch:
 * per table with rows, "<table> <bytes>\n" then that many bytes of
 * JSONEachRow lines. 0, or -1 with a one-line reason in err (a line that is
 * not a coldtrace/1 record: a bug, as the text comes from the jsonl view).
 */
int ct_ch_rows(const char *jsonl, size_t len, const struct ct_ch_meta *meta, struct strbuf *out, char *err,
	       size_t errlen);

/* One section of a batch: *table (not NUL-terminated, tlen), rows. Walks
 * batch[0..len) from *pos; 1 and advances, 0 at the end, -1 malformed. */
int ct_ch_next_section(const char *batch, size_t len, size_t *pos, const char **table, size_t *tlen,
		       const char **rows, size_t *nrows);

/* CREATE TABLE IF NOT EXISTS db.table (...) ENGINE = ... for table i; with
 * cluster non-NULL: the Distributed table over the table of the same name
 * in database local_db of each shard ("": each replica's default
 * database), rows spread by cityHash64(cs_id). */
void ct_ch_create_sql(struct strbuf *out, const char *db, size_t i, const char *cluster, const char *local_db);
/* The version table: CREATE and its one row. */
void ct_ch_version_sql(struct strbuf *out, const char *db, bool insert);

/* A table's columns as ClickHouse lists them (system.columns, name TAB
 * type per line) against table i's: 0, or -1 with a one-line reason ("column
 * x is String, coldtrace writes UInt64", "column x is missing"). Columns
 * coldtrace does not know are allowed (they take their defaults). */
int ct_ch_check_columns(size_t i, const char *tsv, size_t len, char *err, size_t errlen);

/* A 32-hex-digit id from the text given (two 64-bit FNV-1a hashes). */
void ct_ch_id(const char *text, char out[33]);

/* s escaped for a ClickHouse string literal, without the quotes. */
void ct_ch_put_literal(struct strbuf *out, const char *s);

#endif
