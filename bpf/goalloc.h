/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * coldtrace --allocs: what one Go allocation adds to GODEBUG=inittrace=1's
 * figures. Shared by the BPF probe (goinit.bpf.c) and the unit tests, so
 * the rules are tested without BPF. Include after the __u* types.
 *
 * Go's mallocgc (runtime/malloc.go, 1.16 .. 1.26) adds 1 to
 * inittrace.allocs for every call with size > 0 on the init goroutine, and
 * to inittrace.bytes:
 *  - tiny (no pointers, size < 16): 0 when the object fits in the P's
 *    current 16-byte tiny block (mallocgc returns early, 1.24+'s
 *    mallocgcTiny returns elemsize 0), else 16 (a new block);
 *  - small: the size class's size (smallest class >= size). Go 1.22+
 *    adds an 8-byte malloc header first to objects with pointers larger
 *    than 512 bytes, and counts the whole slot (1.22/1.23: fullSize =
 *    span.elemsize; 1.24+: the elemsize mallocgcSmallScanHeader returns);
 *  - large (> 32768 bytes; 1.22+: > 32760): whole 8 KiB pages.
 * The tiny block lives in the P's mcache: coldtrace follows it from the
 * allocations it sees on the main thread (m0, where the init goroutine
 * is locked), starting empty as the runtime does. Another goroutine's tiny
 * allocation on the same P while the init goroutine waits, or a GC
 * flushing the mcache, can make one tiny allocation differ by 16 bytes.
 */
#ifndef COLDTRACE_GOALLOC_H
#define COLDTRACE_GOALLOC_H

#ifndef CT_INLINE
#ifdef __always_inline
#define CT_INLINE static __always_inline
#else
#define CT_INLINE static inline
#endif
#endif

#define CT_GO_TINY_SIZE 16
#define CT_GO_MAX_SMALL 32768
#define CT_GO_PAGE_SIZE 8192
#define CT_GO_HEADER 8         /* mallocHeaderSize (Go 1.22+) */
#define CT_GO_HEADER_MIN 512   /* heapBitsInSpan: objects up to this have no header */

enum ct_go_alloc_rules {
	CT_ALLOC_NONE = 0,
	CT_ALLOC_GO116 = 1, /* Go 1.16 - 1.21: no malloc headers */
	CT_ALLOC_GO122 = 2, /* Go 1.22+: malloc headers, small limit 32760 */
};

/* Go's class_to_size (runtime/sizeclasses.go; 1.24+:
 * internal/runtime/gc/sizeclasses.go), the same 68 classes since Go 1.15. */
#define CT_GO_NCLASSES 68
static const __u16 ct_go_class_size[CT_GO_NCLASSES] __attribute__((unused)) = {
	0,     8,     16,    24,    32,    48,    64,    80,    96,    112,   128,   144,
	160,   176,   192,   208,   224,   240,   256,   288,   320,   352,   384,   416,
	448,   480,   512,   576,   640,   704,   768,   896,   1024,  1152,  1280,  1408,
	1536,  1792,  2048,  2304,  2688,  3072,  3200,  3456,  4096,  4864,  5376,  6144,
	6528,  6784,  6912,  8192,  9472,  9728,  10240, 10880, 12288, 13568, 14336, 16384,
	18432, 19072, 20480, 21760, 24576, 27264, 28672, 32768,
};

/* The P's tiny block as coldtrace follows it (mcache.tiny, tinyoffset). */
struct ct_go_tiny {
	__u32 off;   /* c.tinyoffset */
	__u32 valid; /* c.tiny != 0 */
};

/* The smallest size class holding size (1 <= size <= 32768). */
CT_INLINE __u32 ct_go_size_class(__u64 size)
{
	__u32 lo = 1, hi = CT_GO_NCLASSES - 1;

	/* 7 halvings cover 67 classes; a constant bound for the verifier */
	for (int i = 0; i < 8 && lo < hi; i++) {
		__u32 mid = (lo + hi) / 2;

		if (mid >= CT_GO_NCLASSES)
			break;
		if (ct_go_class_size[mid] >= size)
			hi = mid;
		else
			lo = mid + 1;
	}
	return hi < CT_GO_NCLASSES ? ct_go_class_size[hi] : CT_GO_MAX_SMALL;
}

/*
 * Bytes inittrace adds for one allocation of size (> 0) bytes, pointer-free
 * or not, under rules; tiny follows the P's tiny block (updated), *is_tiny
 * says whether it was a tiny allocation.
 */
CT_INLINE __u64 ct_go_alloc_bytes(__u32 rules, __u64 size, int noscan, struct ct_go_tiny *tiny,
				  int *is_tiny)
{
	__u64 max_small = rules >= CT_ALLOC_GO122 ? CT_GO_MAX_SMALL - CT_GO_HEADER : CT_GO_MAX_SMALL;

	*is_tiny = 0;
	if (size > max_small)
		return (size + CT_GO_PAGE_SIZE - 1) & ~(__u64)(CT_GO_PAGE_SIZE - 1);
	if (noscan && size < CT_GO_TINY_SIZE) {
		__u64 off = tiny->off;

		*is_tiny = 1;
		if ((size & 7) == 0)
			off = (off + 7) & ~7ull;
		else if ((size & 3) == 0)
			off = (off + 3) & ~3ull;
		else if ((size & 1) == 0)
			off = (off + 1) & ~1ull;
		if (off + size <= CT_GO_TINY_SIZE && tiny->valid) {
			tiny->off = (__u32)(off + size); /* fits the current block */
			return 0;
		}
		/* a new block; it replaces the old one if it has more room left */
		if (size < tiny->off || !tiny->valid) {
			tiny->valid = 1;
			tiny->off = (__u32)size;
		}
		return CT_GO_TINY_SIZE;
	}
	if (rules >= CT_ALLOC_GO122 && !noscan && size > CT_GO_HEADER_MIN)
		size += CT_GO_HEADER;
	return ct_go_size_class(size);
}

#endif /* COLDTRACE_GOALLOC_H */
