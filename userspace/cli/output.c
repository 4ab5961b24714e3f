// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Output files (-o): checked before anything is traced, written atomically
 * through a locked temporary file and a rename, and temporaries left by a
 * killed coldtrace cleaned up.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "options.h"
#include "output.h"

#define CT_TMP_SUFFIX_LEN 6 /* mkstemp's XXXXXX */

/* Where run number `run` goes: -o FILE, or DIR/run-NNN.EXT with --repeat. */
static void output_path(int run, char *buf, size_t len)
{
	if (env.repeat > 1)
		snprintf(buf, len, "%s/run-%03d.%s", env.output, run, env.view->extension);
	else
		snprintf(buf, len, "%s", env.output);
}

/* What a path is, for an error message: "PATH is %s". */
static const char *file_kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISLNK(m))
		return "a symbolic link";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a regular file";
}

/* path's directory ("." or "/" when it has none) and its last component. */
static void split_path(const char *path, char *dir, size_t dlen, const char **base)
{
	const char *slash = strrchr(path, '/');

	*base = slash ? slash + 1 : path;
	if (!slash)
		snprintf(dir, dlen, ".");
	else if (slash == path)
		snprintf(dir, dlen, "/");
	else
		snprintf(dir, dlen, "%.*s", (int)(slash - path), path);
}

/*
 * An output file is written as "FILE.coldtrace-PID-XXXXXX", locked (flock)
 * by its writer until it is renamed to FILE. One left behind (coldtrace
 * SIGKILLed while writing) is removed by a later run when both say that
 * its writer is gone: no process PID (in our pid namespace) and no lock on
 * the file (a lock goes with its writer's file descriptor, whatever the
 * writer's namespace). base: only the temporary files of dir/base; NULL:
 * every one in dir.
 */
#define CT_TMP_TAG ".coldtrace-"

void clean_stale_temps(const char *dir, const char *base)
{
	size_t blen = base ? strlen(base) : 0, tlen = strlen(CT_TMP_TAG);
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		const char *tag = base ? de->d_name + blen : strstr(de->d_name, CT_TMP_TAG);
		struct stat st;
		char *end;
		long pid;
		int fd;

		if ((base && strncmp(de->d_name, base, blen)) || !tag || strncmp(tag, CT_TMP_TAG, tlen))
			continue;
		tag += tlen;
		if (*tag < '1' || *tag > '9')
			continue;
		errno = 0;
		pid = strtol(tag, &end, 10);
		if (errno || pid > INT_MAX || *end != '-' || strlen(end + 1) != CT_TMP_SUFFIX_LEN)
			continue;
		if (pid == getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue; /* its writer may still be at work */
		fd = openat(dirfd(d), de->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && flock(fd, LOCK_EX | LOCK_NB) == 0 &&
		    unlinkat(dirfd(d), de->d_name, 0) == 0 && !env.quiet)
			fprintf(stderr, "coldtrace: removed %s/%s, left half-written by coldtrace pid %ld (gone)\n",
				dir, de->d_name, pid);
		close(fd);
	}
	closedir(d);
}

/*
 * Refuse up front, before anything is traced, what would not be written:
 * only regular files are (never through a symbolic link, onto a device or
 * into a FIFO), an existing one only with --force, in a directory we can
 * write into. "-o -" is stdout. Temporary files an earlier run left are
 * removed here.
 */
void check_outputs(void)
{
	char path[PATH_MAX], dir[PATH_MAX];
	const char *base;
	struct stat st;

	if (env.output && !strcmp(env.output, "-"))
		env.output = NULL;
	if (!env.output)
		return;
	if (!*env.output)
		die(CLI_EXIT_USAGE, "-o needs a file name (or - for stdout)");
	if (env.repeat > 1) {
		if (stat(env.output, &st) == 0 && !S_ISDIR(st.st_mode))
			die(CLI_EXIT_USAGE, "with --repeat, -o names a directory; %s is not one", env.output);
		if (mkdir(env.output, 0755) && errno != EEXIST)
			die(1, "cannot create %s: %s", env.output, strerror(errno));
		snprintf(dir, sizeof(dir), "%s", env.output);
		base = NULL;
	} else {
		split_path(env.output, dir, sizeof(dir), &base);
	}
	if (stat(dir, &st))
		die(1, "cannot write into %s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		die(1, "cannot write into %s: %s", dir, strerror(ENOTDIR));
	if (access(dir, W_OK | X_OK))
		die(1, "cannot write into %s: %s", dir, strerror(errno));
	clean_stale_temps(dir, base);
	for (int run = 1; run <= env.repeat; run++) {
		output_path(run, path, sizeof(path));
		if (lstat(path, &st))
			continue;
		if (!S_ISREG(st.st_mode))
			die(CLI_EXIT_USAGE, "%s is %s; -o writes only regular files (-o - for stdout)", path,
			    file_kind(st.st_mode));
		if (!env.force)
			die(CLI_EXIT_USAGE, "%s exists; use --force to overwrite it", path);
	}
}

/* The new file gets the owner and permissions of the one it replaces
 * (--force), else the usual 0666 & ~umask (mkstemp makes 0600). */
static int set_mode(int fd, const char *path, const struct stat *old)
{
	struct stat st;

	if (!old) {
		mode_t um = umask(0);

		umask(um);
		return fchmod(fd, 0666 & ~um) ? -errno : 0;
	}
	if (fstat(fd, &st))
		return -errno;
	if ((st.st_uid != old->st_uid || st.st_gid != old->st_gid) &&
	    fchown(fd, old->st_uid, old->st_gid) && !env.quiet)
		fprintf(stderr, "coldtrace: warning: %s: cannot keep its owner %u:%u: %s\n", path,
			(unsigned)old->st_uid, (unsigned)old->st_gid, strerror(errno));
	/* after fchown, which clears set-id bits; none are given back */
	return fchmod(fd, old->st_mode & 0777) ? -errno : 0;
}

/* Write to the output through a temporary file and rename, so a failure
 * never leaves a half-written file in its place, and nothing but a
 * regular file is written (mkstemp's O_EXCL follows no link; rename
 * replaces a name, never writes into what it names). On failure keep the
 * output: print it to stdout and say so. */
int write_file(const struct strbuf *out, const char *path)
{
	char tmp[PATH_MAX + 48];
	const char *now_is = NULL;
	struct stat old;
	bool replace = false;
	int fd, rc;

	snprintf(tmp, sizeof(tmp), "%s" CT_TMP_TAG "%d-XXXXXX", path, (int)getpid());
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		goto fail;
	}
	flock(fd, LOCK_EX); /* until renamed: see clean_stale_temps */
	rc = sb_write_fd(out, fd);
	if (!rc && fsync(fd))
		rc = -errno;
	if (!rc && lstat(path, &old) == 0) {
		/* checked before tracing; it may have appeared or changed since */
		if (!S_ISREG(old.st_mode))
			now_is = file_kind(old.st_mode);
		else if (!env.force)
			rc = -EEXIST;
		else
			replace = true;
	}
	if (!rc && !now_is)
		rc = set_mode(fd, path, replace ? &old : NULL);
	if (!rc && !now_is && rename(tmp, path))
		rc = -errno;
	if (!rc && !now_is) {
		close(fd);
		return 0;
	}
	unlink(tmp);
	close(fd);
fail:
	if (now_is)
		fprintf(stderr, "coldtrace: cannot write %s: it is now %s; the output follows on stdout instead\n",
			path, now_is);
	else
		fprintf(stderr, "coldtrace: cannot write %s: %s; the output follows on stdout instead\n",
			path, strerror(-rc));
	sb_write_fd(out, STDOUT_FILENO);
	return 1;
}

/* Write a run's output to stdout or its file. */
int write_output(const struct strbuf *out, int run)
{
	char path[PATH_MAX];

	if (!env.output)
		return sb_write_fd(out, STDOUT_FILENO) ? 1 : 0;
	output_path(run, path, sizeof(path));
	return write_file(out, path);
}
