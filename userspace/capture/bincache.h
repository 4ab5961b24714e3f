/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * bincache: what coldtrace learnt of each binary it inspected, kept across
 * runs in $XDG_CACHE_HOME/coldtrace/bins (or ~/.cache/coldtrace/bins), so
 * that a known non-Go binary is never held again and a known Go binary is
 * armed without reading it: its probe plan, the bytes at each probe (checked
 * against the file before use) and the names of its init functions.
 *
 * An entry is valid only for the exact file it was made from: device,
 * inode, size, mtime and ctime. The cache also keeps, per command, the
 * binaries its runs exec'd, so a second run arms them before they start.
 * The file must be owned by the user and writable by nobody else, or it is
 * ignored. Pure C (no BPF): unit-tested and fuzzed.
 */
#ifndef COLDTRACE_BINCACHE_H
#define COLDTRACE_BINCACHE_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "goprobe.h"

/* The file's first line. 2: entries written before package paths kept
 * Go's %2e escapes through a load and a save are not trusted. */
/* 3: the kind "py" (CPython, or a program that links libpython); a cache
 * of version 2 said "other" for them and is not read */
#define BINCACHE_HEADER "coldtrace-bincache 3\n"
#define BINCACHE_MAX_ENTRIES 4096
#define BINCACHE_MAX_CMDS 256
#define BINCACHE_MAX_HISTORY 64 /* binaries remembered per command */
#define BINCACHE_PROBE_BYTES 16

struct ct_bin_id {
	uint64_t dev; /* kernel encoding, as BPF sees it */
	uint64_t ino, size, mtime_ns, ctime_ns;
};

/* An init function's entry (link-time address) and its package. */
struct ct_initfn {
	uint64_t entry;
	const char *pkg;
};

struct ct_bin_entry {
	struct ct_bin_id fid;
	bool is_go;
	bool is_py; /* CPython or a program linking libpython: its probes (or its
		     * library's) are attached at every run, so its execs are
		     * never taken as known ahead (seed_known) */
	char version[32];
	char note[320];
	char path[PATH_MAX];
	struct goprobe_plan plan;
	uint8_t bytes[GOPROBE_MAX][BINCACHE_PROBE_BYTES]; /* the file at each probe */
	struct ct_initfn *fns; /* one allocation with its strings */
	size_t nfns;
	uint64_t last_used; /* seconds since the epoch */
};

struct bincache_cmd {
	char *key;
	struct ct_bin_id bins[BINCACHE_MAX_HISTORY];
	size_t n;
};

struct bincache {
	char path[PATH_MAX]; /* empty: no usable cache */
	struct ct_bin_entry *e;
	size_t n, cap;
	struct bincache_cmd *cmds;
	size_t ncmds;
	bool dirty;
	pthread_mutex_t lock;
	bool lock_init;
};

/* Load from dir (NULL: the default). Never fails: a missing, unreadable or
 * untrusted file gives an empty cache (path empty if it cannot be saved). */
void bincache_load(struct bincache *c, const char *dir);
/* Parse the text form (the file's contents); returns entries read, -1 bad header. */
int bincache_parse(struct bincache *c, const char *text, size_t len);
/* The text form; caller frees. */
char *bincache_format(struct bincache *c, size_t *len);
int bincache_save(struct bincache *c);
void bincache_free(struct bincache *c);

/* Copy of the entry for exactly this file (out->fns owned by the caller). */
bool bincache_lookup(struct bincache *c, const struct ct_bin_id *fid, struct ct_bin_entry *out);
/* The bytes at each probe offset of the file open at fd still match. */
bool bincache_verify(const struct ct_bin_entry *e, int fd);
void bincache_put(struct bincache *c, const struct ct_bin_id *fid, bool is_go, const char *version,
		  const char *note, const char *path, const struct goprobe_plan *plan,
		  const struct ct_initfn *fns, size_t nfns, int fd);
/* Per command: remember that a run of cmdkey exec'd fid; list them. */
void bincache_note_exec(struct bincache *c, const char *cmdkey, const struct ct_bin_id *fid);
/* Mark the entry of @fid (if there is one) as CPython or not (is_py). */
void bincache_set_py(struct bincache *c, const struct ct_bin_id *fid, bool is_py);
/* Paths of the binaries remembered for cmdkey whose entry is still valid
 * for the file there now; *n of them, NULL if none. Free each and the array. */
char **bincache_history(struct bincache *c, const char *cmdkey, size_t *n);

/* Init functions of a Go binary (names ending in .init or .init.N) with
 * their package as inittrace prints it, sorted by entry. */
int ct_initfn_collect(const struct goelf *g, struct ct_initfn **out, size_t *n);
const struct ct_initfn *ct_initfn_find(const struct ct_initfn *fns, size_t n, uint64_t entry);
/* One allocation holding n entries and their strings. */
struct ct_initfn *ct_initfn_dup(const struct ct_initfn *fns, size_t n);

#endif
