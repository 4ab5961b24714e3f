// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * coldtrace: file pages a traced thread had to bring into the page cache
 * (mm_filemap_add_to_page_cache): what a cold start reads from disk, by file,
 * whether through read() or through a mapping (shared libraries, the
 * executable itself, a mapped data file). Readahead counts for the thread
 * that triggered it. Other processes pay one hash lookup per page-cache
 * insertion. Opens and reads are in files.bpf.h (the syscall-exit hook).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "maps.bpf.h"

/* The folio's pages: 1, or 1 << order for a large folio (PG_head set;
 * the order is the low byte of _flags_1 since folios came, 5.16). */
static __always_inline __u32 folio_pages(struct folio *folio)
{
	unsigned long flags = 0, flags1 = 0;

	if (!bpf_core_field_exists(folio->_flags_1))
		return 1;
	bpf_core_read(&flags, sizeof(flags), &folio->flags);
	if (!(flags & (1ul << bpf_core_enum_value(enum pageflags, PG_head))))
		return 1;
	flags1 = BPF_CORE_READ(folio, _flags_1);
	return 1u << (flags1 & 0x1f);
}

SEC("tp_btf/mm_filemap_add_to_page_cache")
int BPF_PROG(ct_pcache, struct folio *folio)
{
	__u32 sandbox = ct_sandbox_fast(bpf_get_current_pid_tgid() >> 32);
	struct inode *host;
	struct ct_pcache *e;

	if (!sandbox)
		return 0;
	host = BPF_CORE_READ(folio, mapping, host);
	if (!host)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		ct_count_lost(CT_EV_PCACHE, sandbox);
		return 0;
	}
	ct_fill_hdr(&e->h, CT_EV_PCACHE, (struct task_struct *)bpf_get_current_task());
	e->dev = BPF_CORE_READ(host, i_sb, s_dev);
	e->ino = BPF_CORE_READ(host, i_ino);
	e->index = BPF_CORE_READ(folio, index);
	e->pages = folio_pages(folio);
	e->_pad = 0;
	ct_submit(e);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
