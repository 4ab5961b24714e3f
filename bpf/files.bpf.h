/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * coldtrace: the files a traced process opens and reads (regular files only),
 * for the kernel-level breakdown. Called from the one syscall-exit hook
 * (sockio.bpf.c), which already knows the call is a traced process's.
 * Reads through mmap (shared libraries, the executable) are not syscalls:
 * their cost shows as page-cache misses (files.bpf.c) and major faults.
 */
#ifndef COLDTRACE_FILES_BPF_H
#define COLDTRACE_FILES_BPF_H

#define S_IFREG 0100000

/* Set by the loader: trace files (not --no-files). */
const volatile bool files_on = false;

static __always_inline void file_id(struct file *f, __u64 *dev, __u64 *ino, __u64 *size)
{
	struct inode *inode = BPF_CORE_READ(f, f_inode);

	*dev = BPF_CORE_READ(inode, i_sb, s_dev);
	*ino = BPF_CORE_READ(inode, i_ino);
	if (size)
		*size = BPF_CORE_READ(inode, i_size);
}

static __always_inline bool is_reg(struct file *f)
{
	return (BPF_CORE_READ(f, f_inode, i_mode) & S_IFMT) == S_IFREG;
}

/* open/openat/openat2/creat returned fd for the path at user address upath. */
static __always_inline void on_open(struct task_struct *task, __u32 sandbox, long fd,
				    const char *upath, __u32 flags)
{
	struct file *f;
	struct ct_open *e;
	long n;

	if (fd < 0)
		return;
	f = fd_file(task, (__u32)fd);
	if (!f || !is_reg(f))
		return;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		ct_count_lost(CT_EV_OPEN, sandbox);
		return;
	}
	ct_fill_hdr(&e->h, CT_EV_OPEN, task);
	e->fd = (__s32)fd;
	e->flags = flags;
	file_id(f, &e->dev, &e->ino, &e->size);
	e->_pad = 0;
	n = bpf_probe_read_user_str(e->path, sizeof(e->path), upath);
	if (n <= 0) {
		e->path[0] = 0;
		n = 1;
	}
	e->path_len = (__u32)n - 1;
	ct_submit(e);
}

/* A read-family call on fd returned ret > 0: true if it was a regular file
 * (recorded here; no socket or log line to look for). */
static __always_inline bool on_file_read(struct task_struct *task, __u32 sandbox, struct file *f,
					 __u32 fd, long ret, __u32 nr)
{
	struct ct_fread *e;

	if (!is_reg(f))
		return false;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		ct_count_lost(CT_EV_FREAD, sandbox);
		return true;
	}
	ct_fill_hdr(&e->h, CT_EV_FREAD, task);
	e->fd = (__s32)fd;
	e->nr = nr;
	e->bytes = (__u64)ret;
	file_id(f, &e->dev, &e->ino, NULL);
	ct_submit(e);
	return true;
}

#endif /* COLDTRACE_FILES_BPF_H */
