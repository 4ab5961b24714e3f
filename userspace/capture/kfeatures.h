/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * kfeatures (not features.h: glibc has one): what this kernel offers the BPF side, probed at run time, once
 * per process, and only when asked (as libbpf-tools' probe_tp_btf and
 * fentry_can_attach). The tracer picks its hooks from the answers.
 *
 * Cost: the uprobe_multi and ringbuf probes load a tiny program or map
 * (about 1 ms); tp_btf and fentry need the kernel's BTF, whose parse takes
 * about as long as loading coldtrace's programs (80 ms here), so they are
 * probed only to explain a failed load, or for -v and --stats at the end.
 */
#ifndef COLDTRACE_KFEATURES_H
#define COLDTRACE_KFEATURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ct_feature {
	CT_FEAT_RINGBUF,      /* BPF_MAP_TYPE_RINGBUF (Linux >= 5.8) */
	CT_FEAT_TP_BTF,       /* BTF tracepoints, "tp_btf/" (Linux >= 5.5 with BTF) */
	CT_FEAT_FENTRY,       /* fentry trampolines (needs ftrace direct calls) */
	CT_FEAT_UPROBE_MULTI, /* uprobe_multi links (Linux >= 6.6) */
	CT_FEAT_N
};

/* Does the kernel have @f? Probed on the first call, then remembered. */
bool ct_feature_has(enum ct_feature f);
/* Record what a successful load proved (coldtrace's own programs are
 * tp_btf and its events a ringbuf): no probe needed for those. */
void ct_feature_known(enum ct_feature f, bool has);
/* Is there a BTF tracepoint @name (e.g. "sched_process_exec") that a
 * tp_btf program can attach to? */
bool ct_feature_tp_btf(const char *name);
/* Every feature, probed if need be, joined by @sep; a missing one has a
 * '-' before its name: "ringbuf,tp_btf,-fentry,uprobe_multi". */
void ct_features_str(char *buf, size_t len, const char *sep);
/* Free the kernel BTF kept for the probes. */
void ct_features_release(void);

/* BPF_F_UPROBE_MULTI_RETURN: the link's probes fire at the functions' returns */
#define CT_UPROBE_MULTI_RETURN 1u
/* BPF_LINK_CREATE of a uprobe_multi link for @prog_fd on @cnt offsets of
 * the file at @path (cookies may be NULL; @flags: 0 or
 * CT_UPROBE_MULTI_RETURN), by hand: libbpf 1.1 has no API for it. With
 * @pid (else 0), the probes are planted in that process only. The link's
 * fd, or -errno. */
int ct_uprobe_multi_link(int prog_fd, const char *path, const uint64_t *offsets,
			 const uint64_t *cookies, uint32_t cnt, uint32_t flags, uint32_t pid);
#ifndef BPF_TRACE_UPROBE_MULTI_ATTACH
#define BPF_TRACE_UPROBE_MULTI_ATTACH 48 /* enum bpf_attach_type, Linux >= 6.6 */
#endif

#endif
