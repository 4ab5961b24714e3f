// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * kfeatures: the kernel's BPF features, probed once per process and only when
 * asked (see kfeatures.h for what each probe costs).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "kfeatures.h"

enum { F_UNKNOWN, F_YES, F_NO };

static const char *const feature_names[CT_FEAT_N] = {
	[CT_FEAT_RINGBUF] = "ringbuf",
	[CT_FEAT_TP_BTF] = "tp_btf",
	[CT_FEAT_FENTRY] = "fentry",
	[CT_FEAT_UPROBE_MULTI] = "uprobe_multi",
};

static int state[CT_FEAT_N];
static struct btf *vmlinux_btf; /* parsed once, when a probe needs it */
static bool btf_tried;

/* r0 = 0; exit */
static const struct bpf_insn ret0[] = {
	{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
	{.code = BPF_JMP | BPF_EXIT},
};

static struct btf *kernel_btf(void)
{
	if (!btf_tried) {
		btf_tried = true;
		vmlinux_btf = btf__load_vmlinux_btf();
		if (libbpf_get_error(vmlinux_btf))
			vmlinux_btf = NULL;
	}
	return vmlinux_btf;
}

/* A tracing program of @type loaded against kernel BTF id @id: its fd, or -1. */
static int load_tracing(enum bpf_attach_type type, int id)
{
	LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = type, .attach_btf_id = (uint32_t)id);

	if (id <= 0)
		return -1;
	return bpf_prog_load(BPF_PROG_TYPE_TRACING, NULL, "GPL", ret0, 2, &o);
}

bool ct_feature_tp_btf(const char *name)
{
	char tname[128];
	struct btf *btf = kernel_btf();
	int fd;

	if (!btf)
		return false;
	/* as libbpf finds a tp_btf target: the tracepoint's typedef */
	snprintf(tname, sizeof(tname), "btf_trace_%s", name);
	fd = load_tracing(BPF_TRACE_RAW_TP, btf__find_by_name_kind(btf, tname, BTF_KIND_TYPEDEF));
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* As libbpf-tools' fentry_can_attach: loading is not enough (it works
 * without ftrace direct calls); attaching tells. The target is the
 * kernel's own test function where there is one: nothing else runs it. */
static bool probe_fentry(void)
{
	static const char *const targets[] = {"bpf_fentry_test1", "do_exit"};
	struct btf *btf = kernel_btf();

	if (!btf)
		return false;
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		int id = btf__find_by_name_kind(btf, targets[i], BTF_KIND_FUNC);
		int fd, link;

		if (id <= 0)
			continue;
		fd = load_tracing(BPF_TRACE_FENTRY, id);
		if (fd < 0)
			return false;
		link = bpf_raw_tracepoint_open(NULL, fd);
		if (link >= 0)
			close(link);
		close(fd);
		return link >= 0;
	}
	return false;
}

int ct_uprobe_multi_link(int prog_fd, const char *path, const uint64_t *offsets,
			 const uint64_t *cookies, uint32_t cnt, uint32_t flags, uint32_t pid)
{
	/* union bpf_attr's link_create for uprobe_multi */
	struct {
		uint32_t prog_fd, target_fd, attach_type, flags;
		uint64_t path, offsets, ref_ctr_offsets, cookies;
		uint32_t cnt, um_flags, pid, _pad;
		uint8_t tail[80]; /* the rest of union bpf_attr: zero */
	} a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.prog_fd = (uint32_t)prog_fd;
	a.attach_type = BPF_TRACE_UPROBE_MULTI_ATTACH;
	a.path = (uint64_t)(uintptr_t)path;
	a.offsets = (uint64_t)(uintptr_t)offsets;
	a.cookies = (uint64_t)(uintptr_t)cookies;
	a.cnt = cnt;
	a.um_flags = flags;
	a.pid = pid;
	fd = (int)syscall(__NR_bpf, BPF_LINK_CREATE, &a, sizeof(a));
	return fd < 0 ? -errno : fd;
}

/* As libbpf's own probe: a program loaded for uprobe_multi links, and a
 * link on "/" that must fail with EBADF (a kernel without them: EINVAL). */
static bool probe_uprobe_multi(void)
{
	LIBBPF_OPTS(bpf_prog_load_opts, po, .expected_attach_type = BPF_TRACE_UPROBE_MULTI_ATTACH);
	uint64_t off = 0;
	int prog, link;

	prog = bpf_prog_load(BPF_PROG_TYPE_KPROBE, NULL, "GPL", ret0, 2, &po);
	if (prog < 0)
		return false;
	link = ct_uprobe_multi_link(prog, "/", &off, NULL, 1, 0, 0);
	if (link >= 0)
		close(link);
	close(prog);
	return link == -EBADF;
}

bool ct_feature_has(enum ct_feature f)
{
	bool has = false;

	if ((unsigned)f >= CT_FEAT_N)
		return false;
	if (state[f] != F_UNKNOWN)
		return state[f] == F_YES;
	switch (f) {
	case CT_FEAT_RINGBUF:
		has = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 1;
		break;
	case CT_FEAT_TP_BTF:
		has = ct_feature_tp_btf("sched_process_exec");
		break;
	case CT_FEAT_FENTRY:
		has = probe_fentry();
		break;
	case CT_FEAT_UPROBE_MULTI:
		has = probe_uprobe_multi();
		break;
	case CT_FEAT_N:
		break;
	}
	state[f] = has ? F_YES : F_NO;
	return has;
}

void ct_feature_known(enum ct_feature f, bool has)
{
	if ((unsigned)f < CT_FEAT_N)
		state[f] = has ? F_YES : F_NO;
}

void ct_features_str(char *buf, size_t len, const char *sep)
{
	size_t n = 0;

	if (len)
		buf[0] = 0;
	for (int f = 0; f < CT_FEAT_N && n < len; f++) {
		int w = snprintf(buf + n, len - n, "%s%s%s", f ? sep : "",
				 ct_feature_has((enum ct_feature)f) ? "" : "-", feature_names[f]);

		if (w < 0)
			break;
		n += (size_t)w;
	}
}

void ct_features_release(void)
{
	btf__free(vmlinux_btf);
	vmlinux_btf = NULL;
	btf_tried = false;
}
