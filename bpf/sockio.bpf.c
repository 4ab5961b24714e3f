// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * coldtrace: the bytes traced processes move through the read/write family
 * of syscalls, for the Runtime API's HTTP and the agent's log lines.
 *
 * One BTF raw tracepoint at syscall exit (raw_syscalls:sys_exit, no tracefs
 * needed, works where fentry/kprobes are not built in): it sees the saved
 * argument registers and the result, so a read's buffer is already filled
 * and nothing is paired across entry and exit. Captured: INET/INET6 sockets
 * in both directions, and writes to stdout/stderr whatever they are (tty,
 * pipe, file); listen() on INET sockets. At most capture_bytes per call;
 * userspace keeps only allowlisted HTTP headers. Other syscalls return at
 * once; untraced processes pay one hash lookup on the read/write family.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "maps.bpf.h"

#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define S_IFIFO 0010000
#define S_IFCHR 0020000
#define CT_MAX_IOV 8

#include "files.bpf.h"

/* Syscall numbers, and where the number and arguments are saved. */
#if defined(__TARGET_ARCH_x86)
enum { NR_READ = 0, NR_WRITE = 1, NR_READV = 19, NR_WRITEV = 20, NR_SENDTO = 44,
       NR_RECVFROM = 45, NR_SENDMSG = 46, NR_RECVMSG = 47, NR_LISTEN = 50,
       NR_OPEN = 2, NR_CREAT = 85, NR_OPENAT = 257, NR_OPENAT2 = 437, NR_PREAD64 = 17,
       NR_PREADV = 295, NR_PREADV2 = 327 };
/* a direct load (the argument is BTF-typed): no helper call on every syscall */
#define SYSCALL_NR(regs) ((regs)->orig_ax)
#define SYSCALL_ARG1(regs) BPF_CORE_READ(regs, di)
#define SYSCALL_ARG2(regs) BPF_CORE_READ(regs, si)
#define SYSCALL_ARG3(regs) BPF_CORE_READ(regs, dx)
#elif defined(__TARGET_ARCH_arm64)
enum { NR_READ = 63, NR_WRITE = 64, NR_READV = 65, NR_WRITEV = 66, NR_SENDTO = 206,
       NR_RECVFROM = 207, NR_SENDMSG = 211, NR_RECVMSG = 212, NR_LISTEN = 201,
       NR_OPEN = -1, NR_CREAT = -2, NR_OPENAT = 56, NR_OPENAT2 = 437, NR_PREAD64 = 67,
       NR_PREADV = 69, NR_PREADV2 = 286 }; /* no open/creat on arm64 */
#define SYSCALL_NR(regs) ((regs)->syscallno)
#define SYSCALL_ARG1(regs) BPF_CORE_READ(regs, orig_x0)
#define SYSCALL_ARG2(regs) BPF_CORE_READ(regs, regs[1])
#define SYSCALL_ARG3(regs) BPF_CORE_READ(regs, regs[2])
#endif

const volatile __u32 capture_bytes = 512;

/* Per-CPU scratch record: too large for the BPF stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ct_io);
} io_scratch SEC(".maps");

/* Fill family/addresses of a socket file; false if not INET/INET6/UNIX. */
static __always_inline bool sock_info(struct file *f, struct ct_io *e)
{
	struct socket *sock = BPF_CORE_READ(f, private_data);
	struct sock *sk = BPF_CORE_READ(sock, sk);
	__u16 fam;

	if (!sk)
		return false;
	fam = BPF_CORE_READ(sk, __sk_common.skc_family);
	e->family = fam;
	e->sock_id = (__u64)sk;
	e->lport = BPF_CORE_READ(sk, __sk_common.skc_num);
	e->rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (fam == AF_INET) {
		__u32 l = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		__u32 r = BPF_CORE_READ(sk, __sk_common.skc_daddr);

		__builtin_memcpy(e->laddr, &l, 4);
		__builtin_memcpy(e->raddr, &r, 4);
		return true;
	}
	if (fam == AF_INET6) {
		BPF_CORE_READ_INTO(&e->laddr, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8);
		BPF_CORE_READ_INTO(&e->raddr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
		return true;
	}
	return fam == AF_UNIX;
}

/*
 * Common part: is this call worth a record? Fills the header and the socket
 * fields of the scratch record and returns it, or NULL.
 */
static __always_inline struct ct_io *io_begin(struct task_struct *task, struct file *f, __u32 fd,
					      long ret, __u16 dir, __u16 nr)
{
	__u32 zero = 0;
	struct ct_io *e;
	umode_t mode;

	if (!capture_bytes)
		return NULL;
	e = bpf_map_lookup_elem(&io_scratch, &zero);
	if (!e)
		return NULL;
	mode = BPF_CORE_READ(f, f_inode, i_mode) & S_IFMT;
	e->flags = 0;
	e->family = 0;
	e->sock_id = 0;
	e->lport = e->rport = 0;
	__builtin_memset(e->laddr, 0, sizeof(e->laddr));
	__builtin_memset(e->raddr, 0, sizeof(e->raddr));
	if (mode == S_IFSOCK) {
		e->flags |= CT_IO_SOCK;
		if (!sock_info(f, e))
			return NULL;
		/* UNIX sockets only matter as stdout/stderr (a journal) */
		if (e->family == AF_UNIX && !(dir == CT_IO_WRITE && (fd == 1 || fd == 2)))
			return NULL;
	} else {
		/* files, pipes, ttys: only what is written to stdout/stderr */
		if (dir != CT_IO_WRITE || (fd != 1 && fd != 2))
			return NULL;
		e->flags |= mode == S_IFIFO ? CT_IO_PIPE : CT_IO_TTY_OR_FILE;
	}
	ct_fill_hdr(&e->h, CT_EV_IO, task);
	e->fd = fd;
	e->dir = dir;
	e->syscall = nr;
	e->len = ret > 0xffffffffL ? 0xffffffffu : (__u32)ret;
	e->cap_len = 0;
	e->_pad = 0;
	return e;
}

static __always_inline __u32 cap_limit(void)
{
	__u32 c = capture_bytes;

	return c > CT_MAX_CAPTURE ? CT_MAX_CAPTURE : c;
}

/* Append up to n bytes of user memory at src to the record. */
static __always_inline void io_copy(struct ct_io *e, const void *src, __u64 n)
{
	__u32 off = e->cap_len, room;

	if (off >= cap_limit())
		return;
	room = cap_limit() - off;
	if (n > room)
		n = room;
	/* bounds the verifier can follow: off <= 4095, n <= 4096, inside data[8192] */
	off &= CT_MAX_CAPTURE - 1;
	n &= 2 * CT_MAX_CAPTURE - 1;
	if (n > CT_MAX_CAPTURE)
		n = CT_MAX_CAPTURE;
	if (n && bpf_probe_read_user(&e->data[off], n, src) == 0)
		e->cap_len = off + n;
}

static __always_inline void io_copy_iov(struct ct_io *e, const struct iovec *iov, __u64 cnt)
{
	for (int i = 0; i < CT_MAX_IOV; i++) {
		struct iovec v;

		if ((__u64)i >= cnt || e->cap_len >= e->len || e->cap_len >= cap_limit())
			break;
		if (bpf_probe_read_user(&v, sizeof(v), &iov[i]))
			break;
		if (v.iov_len > e->len - e->cap_len)
			v.iov_len = e->len - e->cap_len;
		io_copy(e, v.iov_base, v.iov_len);
	}
}

static __always_inline void io_end(struct ct_io *e)
{
	__u64 size = offsetof(struct ct_io, data) + (e->cap_len & (2 * CT_MAX_CAPTURE - 1));

	if (e->cap_len < e->len)
		e->flags |= CT_IO_TRUNC;
	if (size > sizeof(*e))
		return;
	/* like ct_submit: wake the loader only when the ring fills up */
	if (bpf_ringbuf_output(&events, e, size,
			       bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) > wakeup_bytes
				       ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP))
		ct_count_lost(CT_EV_IO, e->h.sandbox);
}

static __always_inline void io_buf(struct ct_io *e, const void *buf, long ret)
{
	io_copy(e, buf, (__u64)ret);
}

static __always_inline void io_vec(struct ct_io *e, const struct iovec *iov, __u64 cnt)
{
	io_copy_iov(e, iov, cnt);
}

static __always_inline void io_msg(struct ct_io *e, const struct user_msghdr *msg)
{
	struct user_msghdr mh;

	if (bpf_probe_read_user(&mh, sizeof(mh), msg) == 0)
		io_copy_iov(e, mh.msg_iov, mh.msg_iovlen);
}

/* A traced process listens on an INET socket. */
static __always_inline void on_listen(__u32 fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct file *f = fd_file(task, fd);
	struct socket *sock;
	struct ct_listen *e;
	struct sock *sk;
	__u16 fam;

	if (!f)
		return;
	sock = BPF_CORE_READ(f, private_data);
	sk = BPF_CORE_READ(sock, sk);
	if (!sk)
		return;
	fam = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (fam != AF_INET && fam != AF_INET6)
		return;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		ct_count_lost(CT_EV_LISTEN, ct_sandbox(bpf_get_current_pid_tgid() >> 32));
		return;
	}
	ct_fill_hdr(&e->h, CT_EV_LISTEN, task);
	e->family = fam;
	e->port = BPF_CORE_READ(sk, __sk_common.skc_num);
	e->_pad = 0;
	e->sock_id = (__u64)sk;
	__builtin_memset(e->addr, 0, sizeof(e->addr));
	if (fam == AF_INET) {
		__u32 a = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);

		__builtin_memcpy(e->addr, &a, 4);
	} else {
		BPF_CORE_READ_INTO(&e->addr, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8);
	}
	ct_submit(e);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(ct_sys_exit, struct pt_regs *regs, long ret)
{
	long nr = SYSCALL_NR(regs);
	struct task_struct *task;
	__u32 sandbox, fd;
	struct ct_io *e;
	struct file *f;
	__u16 dir;

	switch (nr) {
	case NR_READ: case NR_READV: case NR_RECVFROM: case NR_RECVMSG:
	case NR_PREAD64: case NR_PREADV: case NR_PREADV2:
		dir = CT_IO_READ;
		break;
	case NR_WRITE: case NR_WRITEV: case NR_SENDTO: case NR_SENDMSG:
		dir = CT_IO_WRITE;
		break;
	case NR_LISTEN:
		if (ret == 0 && ct_sandbox_fast(bpf_get_current_pid_tgid() >> 32))
			on_listen((__u32)SYSCALL_ARG1(regs));
		return 0;
	case NR_OPEN: case NR_CREAT: case NR_OPENAT: case NR_OPENAT2:
		if (!files_on || ret < 0)
			return 0;
		sandbox = ct_sandbox_fast(bpf_get_current_pid_tgid() >> 32);
		if (!sandbox)
			return 0;
		task = (struct task_struct *)bpf_get_current_task();
		if (nr == NR_OPENAT)
			on_open(task, sandbox, ret, (const char *)SYSCALL_ARG2(regs), (__u32)SYSCALL_ARG3(regs));
		else if (nr == NR_OPENAT2) /* flags are in struct open_how */
			on_open(task, sandbox, ret, (const char *)SYSCALL_ARG2(regs), 0);
		else if (nr == NR_OPEN)
			on_open(task, sandbox, ret, (const char *)SYSCALL_ARG1(regs), (__u32)SYSCALL_ARG2(regs));
		else /* creat: O_CREAT|O_WRONLY|O_TRUNC */
			on_open(task, sandbox, ret, (const char *)SYSCALL_ARG1(regs), 01101);
		return 0;
	default:
		return 0;
	}
	if (ret <= 0)
		return 0;
	sandbox = ct_sandbox_fast(bpf_get_current_pid_tgid() >> 32);
	if (!sandbox)
		return 0;
	task = (struct task_struct *)bpf_get_current_task();
	fd = (__u32)SYSCALL_ARG1(regs);
	f = fd_file(task, fd);
	if (!f)
		return 0;
	if (dir == CT_IO_READ && files_on && on_file_read(task, sandbox, f, fd, ret, (__u32)nr))
		return 0;
	if (nr == NR_PREAD64 || nr == NR_PREADV || nr == NR_PREADV2)
		return 0; /* only files: no socket or log line comes this way */
	e = io_begin(task, f, fd, ret, dir, (__u16)nr);
	if (!e)
		return 0;
	switch (nr) {
	case NR_READ: case NR_WRITE: case NR_RECVFROM: case NR_SENDTO:
		io_buf(e, (const void *)SYSCALL_ARG2(regs), ret);
		break;
	case NR_READV: case NR_WRITEV:
		io_vec(e, (const struct iovec *)SYSCALL_ARG2(regs), SYSCALL_ARG3(regs));
		break;
	default:
		io_msg(e, (const struct user_msghdr *)SYSCALL_ARG2(regs));
	}
	io_end(e);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
