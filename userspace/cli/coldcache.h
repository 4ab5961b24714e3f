/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * coldcache: run --cold-cache. Before the command starts, the files it will
 * load are evicted from the page cache, one by one, with
 * posix_fadvise(POSIX_FADV_DONTNEED), never a system-wide drop_caches:
 *
 *   - the command's binary, the executables named in its arguments (as
 *     coldtrace arms them) and the binaries earlier runs of the same
 *     command exec'd (the binary cache's history);
 *   - for each of them that is ELF, its interpreter (PT_INTERP) and its
 *     shared libraries (DT_NEEDED, recursively), found as ld.so would:
 *     DT_RPATH, LD_LIBRARY_PATH, DT_RUNPATH ($ORIGIN expanded), the
 *     directories of /etc/ld.so.conf, then the default ones, matching the
 *     object's ELF class and machine;
 *   - the regular files the same command's last traced run opened, and
 *     the images it exec'd (kept per command in the cache directory,
 *     $XDG_CACHE_HOME/coldtrace/files.HASH; absolute paths only).
 *
 * What the kernel will not evict stays cached: dirty pages (written, not
 * yet on disk) and pages mapped by running processes (a shared library in
 * use elsewhere). The stderr line says how much was cached before and how
 * much still is. Files the user cannot open are skipped and counted.
 */
#ifndef COLDTRACE_COLDCACHE_H
#define COLDTRACE_COLDCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hashmap.h"

struct ct_model;

#define CT_COLDCACHE_MAX_FILES 8192 /* files kept per command and per eviction */
#define CT_COLDCACHE_MAX_DEPTH 16   /* DT_NEEDED levels followed */

/* The set of files to evict, each once. */
struct ct_coldcache {
	char **paths;
	size_t n, cap;
	struct ct_hmap seen;
	unsigned unresolved; /* DT_NEEDED names found nowhere */
	char **libdirs;      /* ld.so.conf's and the default directories (lazily) */
	size_t nlibdirs;
	bool libdirs_read;
	const char *root;    /* tests: prefix of every library directory ("" normally) */
};

struct ct_coldcache_result {
	unsigned evicted;       /* files advised */
	unsigned skipped;       /* could not be opened (permissions), or not regular */
	unsigned missing;       /* gone since */
	uint64_t cached_before; /* bytes resident before (mincore) */
	uint64_t cached_after;  /* bytes still resident after (dirty, mapped) */
};

void ct_coldcache_init(struct ct_coldcache *c);
void ct_coldcache_free(struct ct_coldcache *c);
/* A file, as it is (absolute path; a relative one is made absolute from
 * the cwd). false if it was there already or the set is full. */
bool ct_coldcache_add(struct ct_coldcache *c, const char *path);
/* A binary: the file, and if it is ELF its interpreter and shared
 * libraries, recursively. */
void ct_coldcache_add_binary(struct ct_coldcache *c, const char *path);

/* Evict every file of the set; counts into *r. */
void ct_coldcache_evict(const struct ct_coldcache *c, struct ct_coldcache_result *r);
/* Bytes of fd's file in the page cache now (mincore on a mapping); -1 if it cannot tell. */
int64_t ct_coldcache_resident(int fd);

/*
 * The per-command list of files: dir NULL is the default cache directory.
 * load adds the remembered files (as binaries when they are ELF
 * executables, else as they are) to c; save writes the regular files the
 * model saw opened (absolute paths) and its exec'd images, replacing the
 * list, unless the model saw no opens at all (--no-files): then the old
 * list stays. 0, or -1 (save: a one-line reason in err).
 */
int ct_coldcache_load(struct ct_coldcache *c, const char *dir, const char *cmdkey);
int ct_coldcache_save(const struct ct_model *m, const char *dir, const char *cmdkey, char *err, size_t errlen);

#endif
