// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* coldcache (run --cold-cache): the set of files, the shared libraries of a
 * real binary, eviction measured with mincore, the per-command list. */
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "coldcache.h"
#include "ct_test.h"
#include "model.h"

#define TMPFS_MAGIC_ 0x01021994

static char dir[PATH_MAX];

static bool has(const struct ct_coldcache *c, const char *suffix)
{
	size_t n = strlen(suffix);

	for (size_t i = 0; i < c->n; i++) {
		size_t l = strlen(c->paths[i]);

		if (l >= n && !strcmp(c->paths[i] + l - n, suffix))
			return true;
	}
	return false;
}

CT_TEST(a_set_of_absolute_paths)
{
	struct ct_coldcache c;
	char cwd[PATH_MAX], want[PATH_MAX + 16];

	ct_coldcache_init(&c);
	CT_TRUE(ct_coldcache_add(&c, "/etc/hostname"));
	CT_TRUE(!ct_coldcache_add(&c, "/etc/hostname")); /* once */
	CT_TRUE(!ct_coldcache_add(&c, ""));
	CT_TRUE(ct_coldcache_add(&c, "rel/file"));
	CT_TRUE(getcwd(cwd, sizeof(cwd)) != NULL);
	snprintf(want, sizeof(want), "%s/rel/file", cwd);
	CT_EQ_INT(c.n, 2);
	if (c.n == 2)
		CT_EQ_STR(c.paths[1], want);
	ct_coldcache_free(&c);
}

/* This test binary is dynamically linked: its interpreter and libc (and
 * libelf, which core needs) come with it. */
CT_TEST(a_binary_brings_its_libraries)
{
	struct ct_coldcache c;
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	CT_TRUE(n > 0);
	if (n <= 0)
		return;
	self[n] = 0;
	ct_coldcache_init(&c);
	ct_coldcache_add_binary(&c, self);
	CT_TRUE(c.n >= 4);
	CT_EQ_STR(c.paths[0], self);
	CT_TRUE(has(&c, "/libc.so.6"));
	CT_TRUE(has(&c, "/libelf.so.1"));
	/* the interpreter: ld-linux-x86-64.so.2 or ld-linux-aarch64.so.1 */
	{
		bool ld = false;

		for (size_t i = 0; i < c.n; i++)
			ld |= strstr(c.paths[i], "/ld-linux") != NULL;
		CT_TRUE(ld);
	}
	CT_EQ_INT(c.unresolved, 0);
	/* not ELF: the file alone */
	ct_coldcache_free(&c);
	ct_coldcache_init(&c);
	ct_coldcache_add_binary(&c, "/etc/hostname");
	CT_EQ_INT(c.n, 1);
	ct_coldcache_free(&c);
}

/* A library found through a fake root's ld.so.conf include, and one that
 * is nowhere. */
CT_TEST(ld_so_conf_is_followed)
{
	struct ct_coldcache c;
	char p[PATH_MAX + 64], self[PATH_MAX], cmd[3 * PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	FILE *f;

	if (n <= 0)
		return;
	self[n] = 0;
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/root/etc/ld.so.conf.d %s/root/opt/mylib", dir, dir);
	CT_EQ_INT(system(cmd), 0);
	snprintf(p, sizeof(p), "%s/root/etc/ld.so.conf", dir);
	f = fopen(p, "w");
	CT_TRUE(f != NULL);
	if (!f)
		return;
	fputs("# comment\ninclude /etc/ld.so.conf.d/*.conf\n", f);
	fclose(f);
	snprintf(p, sizeof(p), "%s/root/etc/ld.so.conf.d/my.conf", dir);
	f = fopen(p, "w");
	if (!f)
		return;
	fputs("  /opt/mylib  \n", f);
	fclose(f);
	/* a copy of libc under the fake root's /opt/mylib: found there */
	snprintf(cmd, sizeof(cmd), "for l in /lib/*-linux-gnu/libc.so.6 /usr/lib/*-linux-gnu/libc.so.6 /lib64/libc.so.6; do [ -f \"$l\" ] && cp \"$l\" %s/root/opt/mylib/ && break; done", dir);
	CT_EQ_INT(system(cmd), 0);
	ct_coldcache_init(&c);
	snprintf(p, sizeof(p), "%s/root", dir);
	c.root = p;
	ct_coldcache_add_binary(&c, self);
	CT_TRUE(has(&c, "/root/opt/mylib/libc.so.6"));
	/* libelf is not under the fake root: unresolved, counted */
	CT_TRUE(c.unresolved >= 1);
	ct_coldcache_free(&c);
}

CT_TEST(eviction_measured)
{
	struct ct_coldcache c;
	struct ct_coldcache_result r;
	char path[PATH_MAX + 16], buf[65536];
	struct statfs sf;
	int fd;

	snprintf(path, sizeof(path), "%s/data", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CT_TRUE(fd >= 0);
	if (fd < 0)
		return;
	memset(buf, 'x', sizeof(buf));
	for (int i = 0; i < 64; i++) /* 4 MiB */
		CT_TRUE(write(fd, buf, sizeof(buf)) == (ssize_t)sizeof(buf));
	CT_EQ_INT(fsync(fd), 0);
	CT_TRUE(pread(fd, buf, sizeof(buf), 0) > 0);
	CT_TRUE(ct_coldcache_resident(fd) > 0);
	close(fd);
	ct_coldcache_init(&c);
	ct_coldcache_add(&c, path);
	ct_coldcache_add(&c, "/nonexistent/coldtrace-test");
	ct_coldcache_add(&c, "/proc"); /* not a regular file */
	ct_coldcache_evict(&c, &r);
	CT_EQ_INT(r.evicted, 1);
	CT_EQ_INT(r.missing, 1);
	CT_EQ_INT(r.skipped, 1);
	CT_TRUE(r.cached_before >= 65536);
	CT_TRUE(r.cached_before <= 4u << 20);
	/* a disk file's clean pages leave the cache; tmpfs has no disk to drop them to */
	if (!statfs(dir, &sf) && sf.f_type != TMPFS_MAGIC_)
		CT_EQ_U64(r.cached_after, 0);
	ct_coldcache_free(&c);
}

CT_TEST(the_per_command_list)
{
	struct ct_model m;
	struct ct_coldcache c;
	struct ct_proc *p;
	char err[256], self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	const char *paths[] = {"/etc/hostname", "relative/file", "/etc/passwd", "/etc/hostname"};

	if (n <= 0)
		return;
	self[n] = 0;
	ct_model_init(&m, NULL);
	p = ct_model_add_root(&m, 10, 1);
	p->images = calloc(1, sizeof(*p->images));
	p->nimages = 1;
	p->images[0].exec_ts = 5;
	if (strlen(self) >= sizeof(p->images[0].path))
		return;
	memcpy(p->images[0].path, self, strlen(self) + 1);
	/* --no-files: nothing written, nothing to load */
	CT_EQ_INT(ct_coldcache_save(&m, dir, "cmd a", err, sizeof(err)), 0);
	ct_coldcache_init(&c);
	CT_EQ_INT(ct_coldcache_load(&c, dir, "cmd a"), -1);
	ct_coldcache_free(&c);
	m.have_files = true;
	m.files = calloc(4, sizeof(*m.files));
	for (size_t i = 0; i < 4; i++)
		m.files[i].path = strdup(paths[i]);
	m.nfiles = 4;
	CT_EQ_INT(ct_coldcache_save(&m, dir, "cmd a", err, sizeof(err)), 0);
	ct_coldcache_init(&c);
	CT_EQ_INT(ct_coldcache_load(&c, dir, "cmd a"), 0);
	CT_TRUE(c.n >= 4); /* the image with its libraries, hostname, passwd */
	CT_EQ_STR(c.paths[0], self);
	CT_TRUE(has(&c, "/libc.so.6"));
	CT_TRUE(has(&c, "/etc/hostname"));
	CT_TRUE(has(&c, "/etc/passwd"));
	CT_TRUE(!has(&c, "relative/file"));
	ct_coldcache_free(&c);
	/* another command's list is its own */
	ct_coldcache_init(&c);
	CT_EQ_INT(ct_coldcache_load(&c, dir, "cmd b"), -1);
	CT_EQ_INT(c.n, 0);
	ct_coldcache_free(&c);
	/* a list others may write is not trusted */
	{
		char cmd[PATH_MAX + 64];

		snprintf(cmd, sizeof(cmd), "chmod 666 %s/files.*", dir);
		CT_EQ_INT(system(cmd), 0);
	}
	ct_coldcache_init(&c);
	CT_EQ_INT(ct_coldcache_load(&c, dir, "cmd a"), -1);
	ct_coldcache_free(&c);
	ct_model_free(&m);
}

int main(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(dir, sizeof(dir), "%s/test_coldcache.XXXXXX", CT_BINARY_DIR);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	CT_RUN(a_set_of_absolute_paths);
	CT_RUN(a_binary_brings_its_libraries);
	CT_RUN(ld_so_conf_is_followed);
	CT_RUN(eviction_measured);
	CT_RUN(the_per_command_list);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		return 1;
	return ct_summary();
}
