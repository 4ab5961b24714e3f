/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * spool: what the fleet sinks must deliver, kept on disk until a server
 * took it. A spool is a directory: one file per batch ("<seq>.<kind>", seq
 * zero-padded so names sort in the order they were put, kind "ch" or
 * "otlp"), written to a temporary name, fsync'd and renamed, so a crash
 * leaves either the whole batch or nothing. A lock file (flock) keeps one
 * coldtrace per spool; what an earlier coldtrace left is sent by the next.
 *
 * Bounded: the files together at most max_bytes; a batch that would go over
 * is refused (counted by the caller and reported, never silently dropped).
 *
 * A sender is a thread per kind: it takes the oldest files of its kind (up
 * to max_batch files, up to 8 MiB), hands them to deliver() and deletes them
 * once deliver() returns 0; on failure it waits (1 s, doubled each time up
 * to 60 s) and tries the same files again. Delivery may therefore repeat a
 * batch: the receiving side must make that harmless (clickhouse.h says how).
 *
 * Names: seq continues after the highest name in the directory, and starts
 * no lower than the wall clock in microseconds, so a name is not reused by a
 * later run after the spool was emptied (a receiver may take it as a
 * deduplication token). Temporary files (".tmp.<name>") a crash left are
 * removed at open.
 *
 * Tests: COLDTRACE_SPOOL_BACKOFF_MS (read by ct_sender_start) replaces the
 * first wait of 1000 ms (the longest stays 60 times it).
 */
#ifndef COLDTRACE_SPOOL_H
#define COLDTRACE_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CT_SPOOL_DEFAULT_DIR "/var/spool/coldtrace"
#define CT_SPOOL_DEFAULT_MAX (1024ull << 20) /* 1 GiB */

struct ct_spool;

/* Create dir if missing (0700), take its lock; NULL with a one-line reason
 * in err (cannot create, not a directory, locked by another coldtrace). */
struct ct_spool *ct_spool_open(const char *dir, uint64_t max_bytes, char *err, size_t errlen);
/* Stops no sender: stop them first. The files stay. */
void ct_spool_close(struct ct_spool *s);
const char *ct_spool_dir(const struct ct_spool *s);

/* Keep data[0..len) as the next batch of kind; 0, or -1 with errno
 * (ENOSPC: over the bound; EIO ...). */
int ct_spool_put(struct ct_spool *s, const char *kind, const void *data, size_t len);
/* Files and bytes of kind (NULL: all) now in the spool. */
size_t ct_spool_count(struct ct_spool *s, const char *kind, uint64_t *bytes);

/* One batch handed to deliver: its files' contents, oldest first. */
struct ct_spool_item {
	const char *name; /* file name in the spool */
	const char *data;
	size_t len;
};

/* 0: delivered, delete them. -1: keep, retry later; a one-line reason in
 * err (said on stderr once per failure streak, and when it recovers).
 * -2: will never be taken as it is (a schema refused...): keep the files,
 * stop this sender, say err. */
typedef int ct_deliver_fn(void *ctx, const struct ct_spool_item *items, size_t n, char *err, size_t errlen);

struct ct_sender;

/* Start a thread delivering the files of kind; name is for messages
 * ("ClickHouse at http://h:8123/"). */
struct ct_sender *ct_sender_start(struct ct_spool *s, const char *kind, const char *name, size_t max_batch,
				  ct_deliver_fn *deliver, void *ctx);
/* Wake it: a batch was put. */
void ct_sender_kick(struct ct_sender *x);
/* Deliver what is there until the spool of its kind is empty or deadline_ms
 * passed, then stop the thread; returns the files left (they stay on disk).
 * Returns on time even while a request hangs: the sender thread's
 * ct_http_request calls are cut at the deadline (ct_http_cancel_at). */
size_t ct_sender_stop(struct ct_sender *x, int deadline_ms);
/* Delivered so far: batches (deliver calls that returned 0) and files. */
void ct_sender_stats(struct ct_sender *x, uint64_t *batches, uint64_t *files, uint64_t *failures);

#endif
