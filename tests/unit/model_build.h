/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Synthetic event streams for the unit tests: one record of each kind the
 * probes send, filled the way they fill it, added to a ct_model (an add that
 * fails is a failed assertion of the running test).
 *
 * Times are in ns (the test files' MS()/T() macros make them from ms); the
 * records of a process come from its main thread (tid = pid).
 *
 *   mb_fork(m, 201, 202, MS(9.9));
 *   mb_exec(m, 202, 201, MS(10.0), "/var/task/bootstrap");
 *   mb_io(m, 202, MS(20.0), CT_IO_WRITE, 50000, 9001, 0xb1, "GET /...");
 */
#ifndef MODEL_BUILD_H
#define MODEL_BUILD_H

#include <arpa/inet.h>
#include <linux/types.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "ct_test.h"
#include "model.h"

static struct ct_io mb__io_rec; /* 8 KiB: not on the stack */

/* A ct_model_ops pkg_of for a model whose Go init functions are all in one
 * package: the string ops.ctx points to. */
static inline const char *mb_pkg_of_ctx(void *ctx, uint32_t bin, uint32_t kind, uint64_t ip, uint64_t fn)
{
	(void)bin, (void)kind, (void)ip, (void)fn;
	return ctx;
}

static inline void mb_hdr(struct ct_hdr *h, uint32_t type, uint32_t pid, uint32_t tid, uint64_t ts)
{
	memset(h, 0, sizeof(*h));
	h->type = type;
	h->pid = pid;
	h->tid = tid;
	h->nspid = pid;
	h->ts = ts;
}

static inline void mb_fork(struct ct_model *m, uint32_t parent, uint32_t child, uint64_t ts)
{
	struct ct_fork e = {0};

	mb_hdr(&e.h, CT_EV_FORK, parent, parent, ts);
	e.child = child;
	CT_EQ_INT(ct_model_add_event(m, &e, sizeof(e)), 0);
}

/* An exec of path: comm its last component, argv just path. */
static inline void mb_exec(struct ct_model *m, uint32_t pid, uint32_t ppid, uint64_t ts, const char *path)
{
	struct ct_exec e = {0};
	const char *b = strrchr(path, '/');

	mb_hdr(&e.h, CT_EV_EXEC, pid, pid, ts);
	e.ppid = ppid;
	snprintf(e.path, sizeof(e.path), "%s", path);
	snprintf(e.comm, sizeof(e.comm), "%s", b ? b + 1 : path);
	e.args_len = (uint32_t)snprintf(e.args, sizeof(e.args), "%s", path) + 1;
	CT_EQ_INT(ct_model_add_event(m, &e, sizeof(e)), 0);
}

/* A scheduler record (CT_SCHED_*) of thread tid with the thread's counters. */
static inline int mb_sched(struct ct_model *m, uint32_t pid, uint32_t tid, uint64_t ts, uint8_t what,
			   uint8_t state, struct ct_tcounters c)
{
	struct ct_sched e;

	memset(&e, 0, sizeof(e));
	mb_hdr(&e.h, CT_EV_SCHED, pid, tid, ts);
	e.what = what;
	e.state = state;
	e.c = c;
	return ct_model_add_event(m, &e, sizeof(e));
}

/* wait_status as waitpid() has it: code << 8, or the signal. */
static inline void mb_exit(struct ct_model *m, uint32_t pid, uint64_t ts, int wait_status)
{
	struct ct_exit e = {0};

	mb_hdr(&e.h, CT_EV_EXIT, pid, pid, ts);
	e.code = wait_status;
	CT_EQ_INT(ct_model_add_event(m, &e, sizeof(e)), 0);
}

/* A Go probe of kind (CT_GO_*) in binary bin at ip 0x1000, one function;
 * value: the task's function (its task value + 0x100), 0 for none. */
static inline void mb_go(struct ct_model *m, uint32_t pid, uint32_t bin, uint64_t ts, uint32_t kind, uint64_t value)
{
	struct ct_go e = {0};

	mb_hdr(&e.h, CT_EV_GO, pid, pid, ts);
	e.cookie = CT_COOKIE(kind, bin, CT_REG_AX, 0, 0);
	e.ip = 0x1000;
	e.value = value;
	e.task = value ? value + 0x100 : 0;
	e.nfns = 1;
	e.state = kind == CT_GO_TASKSTART ? 1 : 0;
	CT_EQ_INT(ct_model_add_event(m, &e, sizeof(e)), 0);
}

/* listen() on 127.0.0.1:port, socket 0xa000 + port. */
static inline void mb_listen(struct ct_model *m, uint32_t pid, uint64_t ts, uint16_t port)
{
	struct ct_listen e = {0};

	mb_hdr(&e.h, CT_EV_LISTEN, pid, pid, ts);
	e.family = AF_INET;
	e.port = port;
	inet_pton(AF_INET, "127.0.0.1", e.addr);
	e.sock_id = 0xa000 + port;
	CT_EQ_INT(ct_model_add_event(m, &e, sizeof(e)), 0);
}

/* bytes (all captured) read or written (dir CT_IO_READ/WRITE) on fd 5, a TCP
 * socket sock from 127.0.0.1:lport to 127.0.0.1:rport. */
static inline void mb_io(struct ct_model *m, uint32_t pid, uint64_t ts, int dir, uint16_t lport, uint16_t rport,
			 uint64_t sock, const char *bytes)
{
	size_t n = strlen(bytes);

	memset(&mb__io_rec, 0, offsetof(struct ct_io, data));
	mb_hdr(&mb__io_rec.h, CT_EV_IO, pid, pid, ts);
	mb__io_rec.fd = 5;
	mb__io_rec.dir = (uint16_t)dir;
	mb__io_rec.flags = CT_IO_SOCK;
	mb__io_rec.family = AF_INET;
	inet_pton(AF_INET, "127.0.0.1", mb__io_rec.laddr);
	inet_pton(AF_INET, "127.0.0.1", mb__io_rec.raddr);
	mb__io_rec.lport = lport;
	mb__io_rec.rport = rport;
	mb__io_rec.len = (uint32_t)n;
	mb__io_rec.cap_len = (uint32_t)n;
	mb__io_rec.sock_id = sock;
	memcpy(mb__io_rec.data, bytes, n);
	CT_EQ_INT(ct_model_add_event(m, &mb__io_rec, offsetof(struct ct_io, data) + n), 0);
}

/* A log line (a newline added) written to stdout, a pipe. */
static inline void mb_log(struct ct_model *m, uint32_t pid, uint64_t ts, const char *line)
{
	char buf[600];
	size_t n = (size_t)snprintf(buf, sizeof(buf), "%s\n", line);

	memset(&mb__io_rec, 0, offsetof(struct ct_io, data));
	mb_hdr(&mb__io_rec.h, CT_EV_IO, pid, pid, ts);
	mb__io_rec.fd = 1;
	mb__io_rec.dir = CT_IO_WRITE;
	mb__io_rec.flags = CT_IO_PIPE;
	mb__io_rec.len = (uint32_t)n;
	mb__io_rec.cap_len = (uint32_t)n;
	memcpy(mb__io_rec.data, buf, n);
	CT_EQ_INT(ct_model_add_event(m, &mb__io_rec, offsetof(struct ct_io, data) + n), 0);
}

/* A CPython module load of @name starts (CT_PYIMP_START) on thread @tid of
 * @pid; depth is what the BPF side counts (the model pairs by itself). */
static inline void mb_py_start(struct ct_model *m, uint32_t pid, uint32_t tid, uint64_t ts, const char *name)
{
	struct ct_py e;
	size_t n = strlen(name);

	memset(&e, 0, sizeof(e));
	mb_hdr(&e.h, CT_EV_PY, pid, tid, ts);
	e.what = CT_PYIMP_START;
	e.bin = 1;
	e.name_kind = CT_PYNAME_UTF8;
	e.name_chars = (uint32_t)n;
	if (n > CT_PYMOD_LEN - 1)
		n = CT_PYMOD_LEN - 1;
	memcpy(e.name, name, n);
	e.name_len = (uint32_t)n;
	CT_EQ_INT(ct_model_add_event(m, &e, sizeof(e)), 0);
}

/* The innermost load open on thread @tid of @pid ends. */
static inline void mb_py_end(struct ct_model *m, uint32_t pid, uint32_t tid, uint64_t ts)
{
	struct ct_py e;

	memset(&e, 0, sizeof(e));
	mb_hdr(&e.h, CT_EV_PY, pid, tid, ts);
	e.what = CT_PYIMP_END;
	e.bin = 1;
	CT_EQ_INT(ct_model_add_event(m, &e, sizeof(e)), 0);
}

#endif /* MODEL_BUILD_H */
