// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* run --cold-cache: evict the command's files from the page cache (coldcache.h). */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <glob.h>
#include <libelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "coldcache.h"
#include "model.h"

#define CC_HEADER "coldtrace-coldcache 1"
#define CC_MAX_FILE (4 << 20) /* bytes of a list file read */
#define CC_CONF_DEPTH 4       /* ld.so.conf include levels */

static const char *const default_libdirs[] = {
	"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu",
	"/usr/lib/aarch64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib",
};

void ct_coldcache_init(struct ct_coldcache *c)
{
	memset(c, 0, sizeof(*c));
	ct_hmap_init(&c->seen, 0);
	c->root = "";
}

void ct_coldcache_free(struct ct_coldcache *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->paths[i]);
	free(c->paths);
	for (size_t i = 0; i < c->nlibdirs; i++)
		free(c->libdirs[i]);
	free(c->libdirs);
	ct_hmap_free(&c->seen);
	memset(c, 0, sizeof(*c));
}

static bool path_eq(const void *ctx, uintptr_t v, const void *key)
{
	return !strcmp(((char *const *)ctx)[v], key);
}

bool ct_coldcache_add(struct ct_coldcache *c, const char *path)
{
	char abs[PATH_MAX];
	uint64_t h;
	uintptr_t v;

	if (!path || !*path)
		return false;
	if (path[0] != '/') {
		char cwd[PATH_MAX];

		if (!getcwd(cwd, sizeof(cwd)) ||
		    snprintf(abs, sizeof(abs), "%s/%s", cwd, path) >= (int)sizeof(abs))
			return false;
		path = abs;
	}
	h = ct_hash_str(path);
	if (ct_hmap_get(&c->seen, h, path, path_eq, c->paths, &v) || c->n >= CT_COLDCACHE_MAX_FILES)
		return false;
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 32;
		char **p = realloc(c->paths, cap * sizeof(*p));

		if (!p)
			return false;
		c->paths = p;
		c->cap = cap;
	}
	if (!(c->paths[c->n] = strdup(path)))
		return false;
	if (ct_hmap_put(&c->seen, h, path, path_eq, c->paths, c->n)) {
		free(c->paths[c->n]);
		return false;
	}
	c->n++;
	return true;
}

/* ---- library directories: /etc/ld.so.conf (and its includes), then the defaults ---- */

static void add_libdir(struct ct_coldcache *c, const char *dir)
{
	char **d;

	for (size_t i = 0; i < c->nlibdirs; i++)
		if (!strcmp(c->libdirs[i], dir))
			return;
	d = realloc(c->libdirs, (c->nlibdirs + 1) * sizeof(*d));
	if (!d)
		return;
	c->libdirs = d;
	if ((d[c->nlibdirs] = strdup(dir)))
		c->nlibdirs++;
}

static void read_conf(struct ct_coldcache *c, const char *file, int depth)
{
	char path[PATH_MAX], line[PATH_MAX];
	FILE *f;

	if (depth > CC_CONF_DEPTH || snprintf(path, sizeof(path), "%s%s", c->root, file) >= (int)sizeof(path))
		return;
	if (!(f = fopen(path, "re")))
		return;
	while (fgets(line, sizeof(line), f)) {
		char *s = line, *e;

		s[strcspn(s, "#\n")] = 0;
		while (*s == ' ' || *s == '\t')
			s++;
		e = s + strlen(s);
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			*--e = 0;
		if (!*s)
			continue;
		if (!strncmp(s, "include", 7) && (s[7] == ' ' || s[7] == '\t')) {
			char pat[PATH_MAX];
			glob_t g;

			for (s += 8; *s == ' ' || *s == '\t'; s++)
				;
			/* a relative include is relative to the including file's directory */
			if (*s != '/') {
				const char *slash = strrchr(file, '/');

				snprintf(pat, sizeof(pat), "%s%.*s/%s", c->root, slash ? (int)(slash - file) : 0, file, s);
			} else {
				snprintf(pat, sizeof(pat), "%s%s", c->root, s);
			}
			if (glob(pat, 0, NULL, &g) == 0) {
				size_t rl = strlen(c->root);

				for (size_t i = 0; i < g.gl_pathc; i++)
					read_conf(c, g.gl_pathv[i] + rl, depth + 1);
				globfree(&g);
			}
			continue;
		}
		if (*s == '/')
			add_libdir(c, s);
	}
	fclose(f);
}

static void libdirs(struct ct_coldcache *c)
{
	if (c->libdirs_read)
		return;
	c->libdirs_read = true;
	read_conf(c, "/etc/ld.so.conf", 0);
	for (size_t i = 0; i < sizeof(default_libdirs) / sizeof(default_libdirs[0]); i++)
		add_libdir(c, default_libdirs[i]);
}

/* ---- ELF ---- */

struct elf_info {
	int cls;          /* ELFCLASS32/64 */
	unsigned machine; /* e_machine */
	char interp[PATH_MAX];
	char *needed[256];
	size_t nneeded;
	char rpath[PATH_MAX], runpath[PATH_MAX];
};

static void elf_info_free(struct elf_info *in)
{
	for (size_t i = 0; i < in->nneeded; i++)
		free(in->needed[i]);
}

/* 0 if path is an ELF file (its class, machine, interpreter, needed
 * libraries and search paths into *in), -1 if not or unreadable. */
static int elf_read(const char *path, struct elf_info *in)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	Elf *e = NULL;
	GElf_Ehdr eh;
	size_t nph, rawlen;
	const char *raw;
	Elf_Scn *scn = NULL;
	int rc = -1;

	memset(in, 0, sizeof(*in));
	if (fd < 0)
		return -1;
	if (elf_version(EV_CURRENT) == EV_NONE || !(e = elf_begin(fd, ELF_C_READ_MMAP, NULL)) ||
	    elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh))
		goto out;
	in->cls = gelf_getclass(e);
	in->machine = eh.e_machine;
	raw = elf_rawfile(e, &rawlen);
	if (!elf_getphdrnum(e, &nph))
		for (size_t i = 0; i < nph; i++) {
			GElf_Phdr ph;

			if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_INTERP && raw && ph.p_offset < rawlen &&
			    ph.p_filesz <= rawlen - ph.p_offset) {
				size_t n = ph.p_filesz < sizeof(in->interp) ? ph.p_filesz : sizeof(in->interp) - 1;

				memcpy(in->interp, raw + ph.p_offset, n);
				in->interp[n] = 0;
			}
		}
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNAMIC || !(d = elf_getdata(scn, NULL)))
			continue;
		for (size_t i = 0; sh.sh_entsize && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Dyn dyn;
			const char *s;

			if (!gelf_getdyn(d, (int)i, &dyn))
				break;
			if (dyn.d_tag != DT_NEEDED && dyn.d_tag != DT_RPATH && dyn.d_tag != DT_RUNPATH)
				continue;
			if (!(s = elf_strptr(e, sh.sh_link, dyn.d_un.d_val)))
				continue;
			if (dyn.d_tag == DT_NEEDED && in->nneeded < sizeof(in->needed) / sizeof(in->needed[0]))
				in->needed[in->nneeded] = strdup(s), in->nneeded += in->needed[in->nneeded] != NULL;
			else if (dyn.d_tag == DT_RPATH)
				snprintf(in->rpath, sizeof(in->rpath), "%s", s);
			else if (dyn.d_tag == DT_RUNPATH)
				snprintf(in->runpath, sizeof(in->runpath), "%s", s);
		}
	}
	rc = 0;
out:
	if (e)
		elf_end(e);
	close(fd);
	return rc;
}

/* Is path an ELF file of this class and machine? */
static bool elf_matches(const char *path, int cls, unsigned machine)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	unsigned char id[EI_NIDENT + 4];
	bool ok;

	if (fd < 0)
		return false;
	ok = pread(fd, id, sizeof(id), 0) == (ssize_t)sizeof(id) && !memcmp(id, ELFMAG, SELFMAG) &&
	     id[EI_CLASS] == cls;
	if (ok) {
		uint16_t m;

		memcpy(&m, id + EI_NIDENT + 2, sizeof(m)); /* e_machine, after e_type */
		if (id[EI_DATA] == ELFDATA2MSB)
			m = (uint16_t)((m >> 8) | (m << 8));
		ok = m == machine;
	}
	close(fd);
	return ok;
}

/* name found in the ':'-separated dirs ($ORIGIN: origin) into out. */
static bool search_list(const char *list, const char *origin, const char *root, const char *name, int cls,
			unsigned machine, char *out, size_t len)
{
	const char *p = list;

	while (p && *p) {
		const char *end = strchr(p, ':');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		char dir[PATH_MAX];

		if (n && n < sizeof(dir)) {
			memcpy(dir, p, n);
			dir[n] = 0;
			if (!strncmp(dir, "$ORIGIN", 7) || !strncmp(dir, "${ORIGIN}", 9)) {
				const char *rest = dir + (dir[1] == '{' ? 9 : 7);

				if (snprintf(out, len, "%s%s/%s", origin, rest, name) < (int)len &&
				    elf_matches(out, cls, machine))
					return true;
			} else if (snprintf(out, len, "%s%s/%s", root, dir, name) < (int)len &&
				   elf_matches(out, cls, machine)) {
				return true;
			}
		}
		p = end ? end + 1 : NULL;
	}
	return false;
}

static void add_elf(struct ct_coldcache *c, const char *path, int depth)
{
	struct elf_info in;
	char origin[PATH_MAX];
	const char *slash;

	if (depth > CT_COLDCACHE_MAX_DEPTH || !ct_coldcache_add(c, path) || elf_read(path, &in))
		return;
	slash = strrchr(path, '/');
	snprintf(origin, sizeof(origin), "%.*s", slash ? (int)(slash - path) : 0, path);
	if (in.interp[0]) {
		char ip[PATH_MAX];

		snprintf(ip, sizeof(ip), "%s%s", c->root, in.interp);
		add_elf(c, ip, depth + 1);
	}
	for (size_t i = 0; i < in.nneeded; i++) {
		const char *name = in.needed[i];
		char found[PATH_MAX];
		bool ok = false;

		if (strchr(name, '/')) {
			add_elf(c, name, depth + 1);
			continue;
		}
		/* ld.so's order: DT_RPATH (only without DT_RUNPATH),
		 * LD_LIBRARY_PATH, DT_RUNPATH, ld.so.conf, the defaults */
		if (!in.runpath[0] && in.rpath[0])
			ok = search_list(in.rpath, origin, c->root, name, in.cls, in.machine, found, sizeof(found));
		if (!ok && !c->root[0])
			ok = search_list(getenv("LD_LIBRARY_PATH"), origin, "", name, in.cls, in.machine, found,
					 sizeof(found));
		if (!ok && in.runpath[0])
			ok = search_list(in.runpath, origin, c->root, name, in.cls, in.machine, found, sizeof(found));
		libdirs(c);
		for (size_t k = 0; !ok && k < c->nlibdirs; k++)
			ok = search_list(c->libdirs[k], origin, c->root, name, in.cls, in.machine, found,
					 sizeof(found));
		if (ok)
			add_elf(c, found, depth + 1);
		else
			c->unresolved++;
	}
	elf_info_free(&in);
}

void ct_coldcache_add_binary(struct ct_coldcache *c, const char *path)
{
	add_elf(c, path, 0);
}

/* ---- eviction ---- */

int64_t ct_coldcache_resident(int fd)
{
	struct stat st;
	long page = sysconf(_SC_PAGESIZE);
	size_t pages, len;
	unsigned char *vec;
	void *map;
	int64_t bytes = 0;

	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || page <= 0)
		return -1;
	if (!st.st_size)
		return 0;
	len = (size_t)st.st_size;
	pages = (len + (size_t)page - 1) / (size_t)page;
	map = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		return -1;
	vec = malloc(pages);
	if (vec && !mincore(map, len, vec)) {
		for (size_t i = 0; i < pages; i++)
			if (vec[i] & 1)
				bytes += i + 1 == pages ? (int64_t)(len - i * (size_t)page) : page;
	} else {
		bytes = -1;
	}
	free(vec);
	munmap(map, len);
	return bytes;
}

void ct_coldcache_evict(const struct ct_coldcache *c, struct ct_coldcache_result *r)
{
	memset(r, 0, sizeof(*r));
	for (size_t i = 0; i < c->n; i++) {
		int fd = open(c->paths[i], O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
		struct stat st;
		int64_t before, after;

		if (fd < 0) {
			if (errno == ENOENT || errno == ENOTDIR)
				r->missing++;
			else
				r->skipped++;
			continue;
		}
		if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
			r->skipped++;
			close(fd);
			continue;
		}
		before = ct_coldcache_resident(fd);
		if (posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED)) {
			r->skipped++;
			close(fd);
			continue;
		}
		after = ct_coldcache_resident(fd);
		r->evicted++;
		if (before > 0)
			r->cached_before += (uint64_t)before;
		if (after > 0)
			r->cached_after += (uint64_t)after;
		close(fd);
	}
}

/* ---- the per-command list ---- */

static bool trusted(const struct stat *st)
{
	return st->st_uid == geteuid() && !(st->st_mode & 022);
}

/* The list's path for cmdkey; mkdirs: create the directories. */
static int list_path(const char *dir, const char *cmdkey, bool mkdirs, char *out, size_t len)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	char d[PATH_MAX];
	struct stat st;

	if (dir)
		snprintf(d, sizeof(d), "%s", dir);
	else if (xdg && xdg[0] == '/')
		snprintf(d, sizeof(d), "%s/coldtrace", xdg);
	else if (home && home[0] == '/')
		snprintf(d, sizeof(d), "%s/.cache/coldtrace", home);
	else
		return -1;
	if (mkdirs && !dir) {
		char parent[PATH_MAX];

		snprintf(parent, sizeof(parent), "%s", d);
		*strrchr(parent, '/') = 0;
		if (mkdir(parent, 0700) && errno != EEXIST)
			return -1;
	}
	if (mkdirs && mkdir(d, 0700) && errno != EEXIST)
		return -1;
	if (lstat(d, &st) || !S_ISDIR(st.st_mode) || !trusted(&st))
		return -1;
	if (snprintf(out, len, "%s/files.%016llx", d, (unsigned long long)ct_hash_str(cmdkey)) >= (int)len)
		return -1;
	return 0;
}

/* Is path an executable ELF file (then it is added with its libraries)? */
static bool is_elf_exec(const char *path)
{
	struct stat st;
	unsigned char m[SELFMAG];
	int fd;
	bool ok;

	if (stat(path, &st) || !S_ISREG(st.st_mode) || !(st.st_mode & 0111))
		return false;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		return false;
	ok = pread(fd, m, sizeof(m), 0) == (ssize_t)sizeof(m) && !memcmp(m, ELFMAG, SELFMAG);
	close(fd);
	return ok;
}

int ct_coldcache_load(struct ct_coldcache *c, const char *dir, const char *cmdkey)
{
	char path[PATH_MAX], line[PATH_MAX + 2];
	struct stat st;
	bool header = false, key = false;
	FILE *f;
	int fd;

	if (list_path(dir, cmdkey, false, path, sizeof(path)))
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || !trusted(&st) || st.st_size > CC_MAX_FILE ||
	    !(f = fdopen(fd, "r"))) {
		close(fd);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (!header) {
			header = !strcmp(line, CC_HEADER);
			if (!header)
				break;
		} else if (!key) {
			/* the hash names the file; the key line says it is ours */
			key = !strncmp(line, "cmd ", 4) && !strcmp(line + 4, cmdkey);
			if (!key)
				break;
		} else if (line[0] == '/') {
			if (is_elf_exec(line))
				ct_coldcache_add_binary(c, line);
			else
				ct_coldcache_add(c, line);
		}
	}
	fclose(f);
	return header && key ? 0 : -1;
}

static void put_path(FILE *f, struct ct_coldcache *seen, const char *p)
{
	if (p && p[0] == '/' && !strchr(p, '\n') && ct_coldcache_add(seen, p))
		fprintf(f, "%s\n", p);
}

int ct_coldcache_save(const struct ct_model *m, const char *dir, const char *cmdkey, char *err, size_t errlen)
{
	char path[PATH_MAX], tmp[PATH_MAX + 16];
	struct ct_coldcache seen;
	bool bad;
	FILE *f;
	int fd;

	if (!m->have_files)
		return 0; /* --no-files: nothing learnt, the old list stays */
	if (strchr(cmdkey, '\n') || list_path(dir, cmdkey, true, path, sizeof(path))) {
		snprintf(err, errlen, "no cache directory for the list of files opened");
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	ct_coldcache_init(&seen);
	fprintf(f, "%s\ncmd %s\n", CC_HEADER, cmdkey);
	for (size_t i = 0; i < m->nprocs; i++)
		for (size_t j = 0; j < m->procs[i].nimages; j++)
			if (m->procs[i].images[j].exec_ts)
				put_path(f, &seen, m->procs[i].images[j].path);
	for (size_t i = 0; i < m->nfiles; i++)
		put_path(f, &seen, m->files[i].path);
	ct_coldcache_free(&seen);
	bad = fflush(f) != 0 || ferror(f);
	bad |= fclose(f) != 0;
	if (bad || rename(tmp, path)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}
