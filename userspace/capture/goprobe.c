// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Where to probe a Go binary. The init loop of runtime.doInit (Go <= 1.20)
 * and runtime.doInit1 (>= 1.21) has the same shape in every version seen:
 *
 *   t.state = 1  (1.19: then the deps loop and `if t.nfns == 0 {...}`)
 *   if inittrace.active { start = nanotime(); ... }   <- cmp byte [active],0; jcc  (START)
 *   for i := 0; i < t.nfns; i++ { f := fns[i]; f() }  <- the one indirect call
 *   if inittrace.active { end = nanotime(); ... }     <- cmp byte [active],0; jcc  (END)
 *
 * The two conditional branches on inittrace.active are the preferred probe
 * points: a conditional branch is emulated by the kernel's uprobes (no
 * single-step), START fires before Go's own clock starts and END before it
 * stops, so a comparison with GODEBUG=inittrace=1 sees the same probe costs
 * on both sides; and it takes two hits per package whatever its number of
 * init functions. At START a register still holds t (the base of the last
 * access to its state or nfns), from which the probe reads the first init
 * function: its name gives the package, as inittrace names it.
 *
 * Fallbacks, in order, for shapes not seen yet: a task start (doInit1's
 * entry, or doInit's nfns != 0 path) plus a probe after each init call; or
 * a probe on each init call plus one after it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <Zydis/Zydis.h>

#include "goprobe.h"
#include "goalloc.h"

enum insn_kind {
	IK_OTHER = 0,
	IK_CALL,      /* direct call: target */
	IK_CALL_IND,  /* indirect call through reg (or [reg + disp] if mem) */
	IK_STORE,     /* 64-bit store of reg into a global */
	IK_CMP0_MEM,  /* compare the 64-bit word at [reg + disp] with 0 */
	IK_CMPB_GLOBAL0, /* compare the byte at global `target` with 0 */
	IK_LOADB_GLOBAL, /* arm64: load the byte at global `target` into reg */
	IK_JCC,       /* conditional branch (x86 jcc; arm64 b.cond/cbz/cbnz/tbz): reg
		       * is the tested register for cbz/cbnz, else NONE */
	IK_JZ,        /* x86 jz (also IK_JCC-like) */
	IK_LOAD,      /* arm64: LDR Xt, [Xn, #disp] (reg = Xn, reg2 = Xt) */
	IK_CBZ,       /* arm64: CBZ Xt (reg = Xt) */
	IK_NOP,       /* padding: changes no register, flag or memory */
	IK_CMP_GUARD, /* x86: cmp reg, [base + 16]: a prologue's stack check
		       * (reg: rsp, or r12 = rsp - frame for big frames) */
};

struct insn {
	enum insn_kind kind;
	uint64_t addr; /* link-time address */
	uint64_t next; /* address of the following instruction */
	uint64_t target;
	uint8_t reg, reg2;
	bool mem;
	bool jbe; /* x86 jbe (taken when CF or ZF is set) */
	int64_t disp;
	/* any memory operand [membase + memdisp] (no index), for the task register */
	uint8_t membase;
	int64_t memdisp;
	uint64_t writes; /* bit (enum ct_reg) of registers written; ~0: unknown */
};

static uint8_t zydis_reg(ZydisRegister r)
{
	switch (ZydisRegisterGetLargestEnclosing(ZYDIS_MACHINE_MODE_LONG_64, r)) {
	case ZYDIS_REGISTER_RAX: return CT_REG_AX;
	case ZYDIS_REGISTER_RBX: return CT_REG_BX;
	case ZYDIS_REGISTER_RCX: return CT_REG_CX;
	case ZYDIS_REGISTER_RDX: return CT_REG_DX;
	case ZYDIS_REGISTER_RSI: return CT_REG_SI;
	case ZYDIS_REGISTER_RDI: return CT_REG_DI;
	case ZYDIS_REGISTER_RBP: return CT_REG_BP;
	case ZYDIS_REGISTER_RSP: return CT_REG_SP;
	case ZYDIS_REGISTER_R8: return CT_REG_R8;
	case ZYDIS_REGISTER_R9: return CT_REG_R9;
	case ZYDIS_REGISTER_R10: return CT_REG_R10;
	case ZYDIS_REGISTER_R11: return CT_REG_R11;
	case ZYDIS_REGISTER_R12: return CT_REG_R12;
	case ZYDIS_REGISTER_R13: return CT_REG_R13;
	case ZYDIS_REGISTER_R14: return CT_REG_R14;
	case ZYDIS_REGISTER_R15: return CT_REG_R15;
	default: return CT_REG_NONE;
	}
}

/* [reg + disp] with a plain base register: replayable from one register. */
static bool simple_mem(const ZydisDecodedOperand *op)
{
	return op->type == ZYDIS_OPERAND_TYPE_MEMORY && op->mem.index == ZYDIS_REGISTER_NONE &&
	       zydis_reg(op->mem.base) != CT_REG_NONE;
}

static int64_t mem_disp(const ZydisDecodedOperand *op)
{
	return op->mem.disp.has_displacement ? op->mem.disp.value : 0;
}

/*
 * Padding the compiler puts between instructions (Go 1.16+ pads so that no
 * jump crosses or ends on a 32-byte boundary, the Intel JCC erratum, and
 * aligns loop heads): any NOP form Zydis knows (90, 66 90, 0f 1f /0 and
 * the rest of the hint-NOP space), endbr64, and an xchg or mov of a 16- or
 * 64-bit register with itself (`xchg ax,ax`, `xchg rax,rax`; the 32-bit
 * forms are not NOPs in 64-bit mode: they zero the upper half).
 */
static bool x86_is_nop(const ZydisDecodedInstruction *in, const ZydisDecodedOperand *ops)
{
	if (in->mnemonic == ZYDIS_MNEMONIC_NOP || in->mnemonic == ZYDIS_MNEMONIC_ENDBR64)
		return true;
	return (in->mnemonic == ZYDIS_MNEMONIC_XCHG || in->mnemonic == ZYDIS_MNEMONIC_MOV) &&
	       in->operand_count_visible == 2 && ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER &&
	       ops[1].type == ZYDIS_OPERAND_TYPE_REGISTER && ops[0].reg.value == ops[1].reg.value &&
	       (in->operand_width == 16 || in->operand_width == 64);
}

/* x86-64 with a real decoder: bytes E8/FF/C3 also occur inside other
 * instructions, so never scan for them. */
static void x86_decode(const ZydisDecodedInstruction *in, const ZydisDecodedOperand *ops,
		       struct insn *out)
{
	const ZydisDecodedOperand *op = &ops[0];

	if (x86_is_nop(in, ops)) {
		/* `nop dword [rax]` names a register but reads nothing: no
		 * membase, or it would pass for an access to the task */
		out->kind = IK_NOP;
		return;
	}
	for (int i = 0; i < in->operand_count; i++) {
		if (ops[i].type == ZYDIS_OPERAND_TYPE_REGISTER &&
		    (ops[i].actions & ZYDIS_OPERAND_ACTION_MASK_WRITE)) {
			uint8_t r = zydis_reg(ops[i].reg.value);

			if (r != CT_REG_NONE)
				out->writes |= 1ull << r;
		}
		if (!out->membase && simple_mem(&ops[i]) && i < in->operand_count_visible &&
		    zydis_reg(ops[i].mem.base) != CT_REG_SP) {
			out->membase = zydis_reg(ops[i].mem.base);
			out->memdisp = mem_disp(&ops[i]);
		}
	}
	if (in->mnemonic == ZYDIS_MNEMONIC_CALL && in->operand_count_visible >= 1) {
		out->writes = ~0ull; /* a call clobbers everything in Go's ABI */
		if (op->type == ZYDIS_OPERAND_TYPE_IMMEDIATE) {
			ZyanU64 t;

			if (ZYAN_SUCCESS(ZydisCalcAbsoluteAddress(in, op, out->addr, &t))) {
				out->kind = IK_CALL;
				out->target = t;
			}
		} else if (op->type == ZYDIS_OPERAND_TYPE_REGISTER) {
			out->kind = IK_CALL_IND;
			out->reg = zydis_reg(op->reg.value);
		} else if (op->type == ZYDIS_OPERAND_TYPE_MEMORY) {
			out->kind = IK_CALL_IND;
			out->mem = true;
			if (simple_mem(op))
				out->reg = zydis_reg(op->mem.base);
			out->disp = mem_disp(op);
		}
	} else if (in->mnemonic == ZYDIS_MNEMONIC_MOV && in->operand_count_visible == 2 &&
		   op->type == ZYDIS_OPERAND_TYPE_MEMORY && op->mem.base == ZYDIS_REGISTER_RIP &&
		   op->size == 64 && ops[1].type == ZYDIS_OPERAND_TYPE_REGISTER) {
		out->kind = IK_STORE;
		out->reg = zydis_reg(ops[1].reg.value);
	} else if (in->mnemonic == ZYDIS_MNEMONIC_CMP && in->operand_count_visible == 2 &&
		   ops[1].type == ZYDIS_OPERAND_TYPE_IMMEDIATE && ops[1].imm.value.u == 0 &&
		   op->type == ZYDIS_OPERAND_TYPE_MEMORY) {
		ZyanU64 t;

		if (op->mem.base == ZYDIS_REGISTER_RIP && op->size == 8 &&
		    ZYAN_SUCCESS(ZydisCalcAbsoluteAddress(in, op, out->addr, &t))) {
			out->kind = IK_CMPB_GLOBAL0;
			out->target = t;
		} else if (simple_mem(op) && op->size == 64) {
			out->kind = IK_CMP0_MEM;
			out->reg = zydis_reg(op->mem.base);
			out->disp = mem_disp(op);
		}
	} else if (in->mnemonic == ZYDIS_MNEMONIC_CMP && in->operand_count_visible == 2 &&
		   op->type == ZYDIS_OPERAND_TYPE_REGISTER && op->size == 64 && simple_mem(&ops[1]) &&
		   mem_disp(&ops[1]) == 16) {
		out->kind = IK_CMP_GUARD;
		out->reg = zydis_reg(op->reg.value);
	} else if (in->meta.category == ZYDIS_CATEGORY_COND_BR) {
		out->kind = in->mnemonic == ZYDIS_MNEMONIC_JZ ? IK_JZ : IK_JCC;
		out->jbe = in->mnemonic == ZYDIS_MNEMONIC_JBE;
	}
}

/* Decode a whole function. Returns the number of instructions, -1 on error. */
static long x86_decode_all(const uint8_t *code, uint64_t start, size_t len, struct insn *out, size_t max)
{
	ZydisDecoder dec;
	ZydisDecodedInstruction in;
	ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
	size_t off = 0, n = 0;

	if (ZYAN_FAILED(ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64)))
		return -1;
	while (off < len && n < max) {
		struct insn *i = &out[n];

		memset(i, 0, sizeof(*i));
		i->addr = start + off;
		if (ZYAN_FAILED(ZydisDecoderDecodeFull(&dec, code + off, len - off, &in, ops))) {
			off++; /* padding between functions: resynchronise */
			continue;
		}
		i->next = i->addr + in.length;
		x86_decode(&in, ops, i);
		off += in.length;
		n++;
	}
	return (long)n;
}

/* arm64: fixed 4-byte little-endian instructions. */
static void arm64_decode(uint32_t w, struct insn *out, const uint64_t *adrp, const bool *adrp_ok)
{
	out->writes = ~0ull; /* not tracked on arm64 */
	if (w == 0xd503201fu) { /* NOP (HINT #0) */
		out->kind = IK_NOP;
		out->writes = 0;
	} else if ((w & 0xfc000000u) == 0x94000000u) { /* BL imm26 */
		int64_t imm = w & 0x03ffffffu;

		if (imm & 0x02000000)
			imm -= 0x04000000;
		out->kind = IK_CALL;
		out->target = out->addr + (uint64_t)(imm * 4);
	} else if ((w & 0xfffffc1fu) == 0xd63f0000u) { /* BLR Xn */
		out->kind = IK_CALL_IND;
		out->reg = CT_REG_X0 + ((w >> 5) & 0x1f);
	} else if ((w & 0xffc00000u) == 0xf9000000u && ((w >> 5) & 0x1f) != 31 && (w & 0x1f) != 31) {
		/* STR Xt, [Xn, #imm], Xn not SP: Go stores globals this way */
		out->kind = IK_STORE;
		out->reg = CT_REG_X0 + (w & 0x1f);
		out->membase = CT_REG_X0 + ((w >> 5) & 0x1f);
		out->memdisp = (int64_t)((w >> 10) & 0xfff) * 8;
	} else if ((w & 0xffc00000u) == 0xf9400000u && ((w >> 5) & 0x1f) != 31) {
		/* LDR Xt, [Xn, #imm12 * 8] */
		out->kind = IK_LOAD;
		out->reg = CT_REG_X0 + ((w >> 5) & 0x1f);
		out->reg2 = CT_REG_X0 + (w & 0x1f);
		out->disp = (int64_t)((w >> 10) & 0xfff) * 8;
		out->membase = out->reg;
		out->memdisp = out->disp;
	} else if (((w & 0xffc00000u) == 0xb9000000u || (w & 0xffc00000u) == 0xb9400000u) &&
		   ((w >> 5) & 0x1f) != 31) {
		/* STR/LDR Wt, [Xn, #imm12 * 4]: 32-bit fields such as state, nfns */
		out->membase = CT_REG_X0 + ((w >> 5) & 0x1f);
		out->memdisp = (int64_t)((w >> 10) & 0xfff) * 4;
	} else if ((w & 0xffc00000u) == 0x39400000u) { /* LDRB Wt, [Xn, #imm12] */
		unsigned rn = (w >> 5) & 0x1f;

		if (rn != 31 && adrp_ok[rn]) {
			out->kind = IK_LOADB_GLOBAL;
			out->target = adrp[rn] + ((w >> 10) & 0xfff);
			out->reg = CT_REG_X0 + (w & 0x1f);
		}
	} else if ((w & 0xff000000u) == 0xb4000000u) { /* CBZ Xt */
		out->kind = IK_CBZ;
		out->reg = CT_REG_X0 + (w & 0x1f);
	} else if ((w & 0x7e000000u) == 0x34000000u || (w & 0xff000010u) == 0x54000000u ||
		   (w & 0x7e000000u) == 0x36000000u) {
		/* CBZ/CBNZ (32/64), B.cond, TBZ/TBNZ: simulated by arm64 uprobes */
		out->kind = IK_JCC;
		if ((w & 0x7e000000u) == 0x34000000u || (w & 0x7e000000u) == 0x36000000u)
			out->reg = CT_REG_X0 + (w & 0x1f);
	}
}

static long arm64_decode_all(const uint8_t *code, uint64_t start, size_t len, struct insn *out,
			     size_t max)
{
	uint64_t adrp[32] = {0};
	bool adrp_ok[32] = {0};
	size_t n = 0;

	for (size_t off = 0; off + 4 <= len && n < max; off += 4, n++) {
		uint32_t w = (uint32_t)code[off] | (uint32_t)code[off + 1] << 8 |
			     (uint32_t)code[off + 2] << 16 | (uint32_t)code[off + 3] << 24;
		struct insn *i = &out[n];

		memset(i, 0, sizeof(*i));
		i->addr = start + off;
		i->next = i->addr + 4;
		arm64_decode(w, i, adrp, adrp_ok);
		if ((w & 0x9f000000u) == 0x90000000u) { /* ADRP Xd, page */
			int64_t imm = (int64_t)(((w >> 29) & 3) | ((w >> 5) & 0x7ffff) << 2);

			if (imm & (1 << 20))
				imm -= 1 << 21;
			adrp[w & 0x1f] = (i->addr & ~0xfffull) + (uint64_t)(imm << 12);
			adrp_ok[w & 0x1f] = true;
		} else if ((w & 0xff800000u) == 0x91000000u && adrp_ok[(w >> 5) & 0x1f]) {
			/* ADD Xd, Xn, #imm12 (no shift) after an ADRP */
			uint64_t v = adrp[(w >> 5) & 0x1f] + ((w >> 10) & 0xfff);

			adrp[w & 0x1f] = v;
			adrp_ok[w & 0x1f] = true;
		} else if (i->kind == IK_LOADB_GLOBAL || i->kind == IK_LOAD) {
			adrp_ok[(i->kind == IK_LOAD ? i->reg2 : i->reg) - CT_REG_X0] = false;
		}
	}
	return (long)n;
}

struct code {
	struct insn *in;
	long n;
};

static int decode_code(enum goelf_arch arch, const uint8_t *bytes, size_t len, uint64_t entry,
		       struct code *c)
{
	c->in = NULL;
	c->n = 0;
	if (!bytes || len == 0 || len > (1u << 20))
		return -1;
	c->in = calloc(len, sizeof(*c->in)); /* at most one instruction per byte */
	if (!c->in)
		return -1;
	switch (arch) {
	case GOELF_ARCH_X86_64: c->n = x86_decode_all(bytes, entry, len, c->in, len); break;
	case GOELF_ARCH_ARM64: c->n = arm64_decode_all(bytes, entry, len, c->in, len); break;
	default: c->n = -1;
	}
	if (c->n < 0) {
		free(c->in);
		c->in = NULL;
		return -1;
	}
	return 0;
}

static int decode_func(const struct goelf *g, const struct goelf_func *f, struct code *c)
{
	size_t len = f->end > f->entry ? f->end - f->entry : 0;

	c->in = NULL;
	c->n = 0;
	if (len == 0 || len > (1u << 20))
		return -1;
	return decode_code(goelf_get_arch(g), goelf_bytes_at(g, f->entry, len), len, f->entry, c);
}

/* The one indirect call of the init loop; -1 if not exactly one. */
static long find_init_call(const struct code *c, int *count)
{
	long idx = -1;

	*count = 0;
	for (long i = 0; i < c->n; i++)
		if (c->in[i].kind == IK_CALL_IND && (*count)++ == 0)
			idx = i;
	return *count == 1 ? idx : -1;
}

/* The first instruction at or after i that is not padding (c->n if none). */
static long skip_nops(const struct code *c, long i)
{
	while (i < c->n && c->in[i].kind == IK_NOP)
		i++;
	return i;
}

/*
 * Index of the branch testing a byte global right after its load/compare,
 * starting at from: x86 `cmp byte [rip+X], 0; jcc`, arm64 `ldrb wT, [X];
 * cbz/cbnz wT`, with NOP padding of any length between the two (Go 1.16,
 * 1.17, 1.22, 1.23 put `0f 1f ...` or 90 there to keep the jump off a
 * 32-byte boundary). *global gets X, *cmp the compare's index.
 */
static long flag_branch(const struct code *c, long from, uint64_t *global, long *cmp)
{
	for (long i = from; i < c->n; i++) {
		const struct insn *a = &c->in[i], *b;
		long j;

		if (a->kind != IK_CMPB_GLOBAL0 && a->kind != IK_LOADB_GLOBAL)
			continue;
		j = skip_nops(c, i + 1);
		if (j >= c->n)
			break;
		b = &c->in[j];
		if ((a->kind == IK_CMPB_GLOBAL0 && (b->kind == IK_JCC || b->kind == IK_JZ)) ||
		    (a->kind == IK_LOADB_GLOBAL && b->kind == IK_JCC && b->reg == a->reg)) {
			*global = a->target;
			*cmp = i;
			return j;
		}
	}
	return -1;
}

/*
 * The register holding the init task at instruction `at`: the base of the
 * nearest earlier access to one of its fields (offset 0, 4, 8 or 16: state,
 * nfns, ndeps), not overwritten in between (x86; arm64 does not track
 * writes, and the BPF side checks t->state == 1). Padding is neither an
 * access nor a write.
 */
static uint8_t task_reg_before(const struct code *c, long at)
{
	uint64_t written = 0;

	for (long i = at - 1; i >= 0 && i >= at - 16; i--) {
		const struct insn *x = &c->in[i];
		int64_t d = x->memdisp;

		if (x->kind == IK_NOP)
			continue;
		if (x->membase && x->membase != CT_REG_SP && (d == 0 || d == 4 || d == 8 || d == 16) &&
		    !(written & (1ull << x->membase)))
			return x->membase;
		if (x->kind == IK_CALL || x->kind == IK_CALL_IND)
			return CT_REG_NONE;
		if (x->writes != ~0ull)
			written |= x->writes;
	}
	return CT_REG_NONE;
}

/*
 * runtime.doInit (Go <= 1.20) runs its dependencies first, then
 * `if t.nfns == 0 { t.state = 2; return }`:
 *   x86-64: cmp qword [R + 16], 0 ; jz ...   -> the next instruction
 *   arm64:  ldr Xt, [Xn, #16] ; cbz Xt, ...  -> the next instruction
 * after the recursive call (padding between the two is skipped). Index of
 * the probed instruction, its register.
 */
static long doinit_nfns_path(const struct code *c, uint64_t self, uint8_t *reg)
{
	bool after_deps = false;
	long p = -1;

	for (long i = 0; i + 1 < c->n; i++) {
		const struct insn *prev = p >= 0 ? &c->in[p] : NULL, *in = &c->in[i];

		if (in->kind == IK_NOP)
			continue;
		p = i;
		if (!prev)
			continue;
		if (!after_deps) {
			after_deps = prev->kind == IK_CALL && prev->target == self;
			continue;
		}
		if (in->kind == IK_JZ && prev->kind == IK_CMP0_MEM && prev->disp == 16) {
			*reg = prev->reg;
			return i + 1;
		}
		if (in->kind == IK_CBZ && prev->kind == IK_LOAD && prev->disp == 16 &&
		    prev->reg2 == in->reg && prev->reg != in->reg) {
			*reg = prev->reg;
			return i + 1;
		}
	}
	return -1;
}

static void loop_add(struct goprobe_loop *loop, enum ct_go_probe kind, uint64_t vaddr, uint8_t reg,
		     bool mem, int64_t disp)
{
	struct goprobe *p = &loop->probes[loop->n++];

	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->vaddr = vaddr;
	p->reg = reg;
	p->mem = mem;
	p->disp = disp < INT32_MIN || disp > INT32_MAX ? INT32_MAX : (int32_t)disp;
}

static int plan_loop(const struct code *c, uint64_t entry, bool go121, bool arm64,
		     struct goprobe_loop *loop, char *err, size_t errlen)
{
	uint64_t flag1 = 0, flag2 = 0;
	long call, start, end, cmp1 = -1, cmp2 = -1;
	int ncalls;

	memset(loop, 0, sizeof(*loop));
	call = find_init_call(c, &ncalls);
	if (call < 0 || c->in[call].reg == CT_REG_NONE) {
		snprintf(err, errlen, "%s has %d indirect calls (1 through a register expected)",
			 go121 ? "runtime.doInit1" : "runtime.doInit", ncalls);
		return -1;
	}

	/* 1. the branches on inittrace.active around the loop */
	start = flag_branch(c, 0, &flag1, &cmp1);
	end = start >= 0 ? flag_branch(c, call + 1, &flag2, &cmp2) : -1;
	if (start >= 0 && start < call && end > call && flag1 == flag2) {
		uint8_t reg = task_reg_before(c, cmp1);

		if (reg != CT_REG_NONE) {
			loop_add(loop, CT_GO_TASKSTART, c->in[start].addr, reg, false,
				 go121 ? CT_TASK_GO121 : CT_TASK_GO116);
			loop_add(loop, CT_GO_TASKEND, c->in[end].addr, CT_REG_NONE, false, 0);
			loop->task_start = loop->task_end = true;
			return 0;
		}
	}
	/* 2. a task start and a probe after each init call */
	if (!loop->task_start) {
		long at;
		uint8_t reg = arm64 ? CT_REG_X0 : CT_REG_AX;

		if (go121)
			at = 0; /* the entry: t in the first argument register */
		else
			at = doinit_nfns_path(c, entry, &reg);
		if (at >= 0 && at < c->n) {
			loop_add(loop, CT_GO_TASKSTART, c->in[at].addr, reg, false,
				 go121 ? CT_TASK_GO121 : CT_TASK_GO116);
			loop->task_start = true;
		}
	}
	/* 3. each init call */
	if (!loop->task_start)
		loop_add(loop, CT_GO_INITCALL, c->in[call].addr, c->in[call].reg, c->in[call].mem,
			 c->in[call].disp);
	loop_add(loop, CT_GO_INITRET, c->in[call].next, CT_REG_NONE, false, 0);
	return 0;
}

int goprobe_plan_loop(enum goelf_arch arch, const uint8_t *code, size_t len, uint64_t entry,
		      bool go121, struct goprobe_loop *loop, char *err, size_t errlen)
{
	struct code c;
	char tmp[8];
	int rc;

	if (!err) {
		err = tmp;
		errlen = sizeof(tmp);
	}
	memset(loop, 0, sizeof(*loop));
	if (arch != GOELF_ARCH_X86_64 && arch != GOELF_ARCH_ARM64) {
		snprintf(err, errlen, "unsupported architecture");
		return -1;
	}
	if (decode_code(arch, code, len, entry, &c)) {
		snprintf(err, errlen, "cannot decode the code of %s",
			 go121 ? "runtime.doInit1" : "runtime.doInit");
		return -1;
	}
	rc = plan_loop(&c, entry, go121, arch == GOELF_ARCH_ARM64, loop, err, errlen);
	free(c.in);
	return rc;
}

static int add_probe(const struct goelf *g, struct goprobe_plan *plan, enum ct_go_probe kind,
		     uint64_t vaddr, uint8_t reg, bool mem, int64_t disp, char *err, size_t errlen)
{
	struct goprobe *p;

	if (plan->n >= GOPROBE_MAX)
		return -1;
	if (disp < CT_DISP_MIN || disp > CT_DISP_MAX) {
		snprintf(err, errlen, "%s operand displacement %lld out of range",
			 goprobe_kind_name(kind), (long long)disp);
		return -1;
	}
	p = &plan->probes[plan->n];
	if (goelf_vaddr_to_offset(g, vaddr, &p->offset)) {
		snprintf(err, errlen, "%s address 0x%llx is not in a file-backed segment",
			 goprobe_kind_name(kind), (unsigned long long)vaddr);
		return -1;
	}
	p->kind = kind;
	p->vaddr = vaddr;
	p->reg = reg;
	p->mem = mem;
	p->disp = (int32_t)disp;
	plan->n++;
	return 0;
}

/* runtime.main: `runtimeInitTime = nanotime()` is the first store to a
 * global after the first call of runtime.nanotime1. Probing the store and
 * reading its source register works whether the callee returned in a
 * register (ABIInternal) or on the stack (ABI0 assembly, as nanotime1 is). */
static int plan_rtstart(const struct goelf *g, struct goprobe_plan *plan, char *err, size_t errlen)
{
	const struct goelf_func *rtmain = goelf_find_func(g, "runtime.main");
	const struct goelf_func *nano = goelf_find_func(g, "runtime.nanotime1");
	struct code c;
	int rc = 0;

	if (!rtmain || !nano || decode_func(g, rtmain, &c))
		return 0;
	for (long i = 0; i < c.n; i++) {
		if (c.in[i].kind != IK_CALL || c.in[i].target != nano->entry)
			continue;
		for (long j = i + 1; j < c.n; j++) {
			if (c.in[j].kind == IK_STORE && c.in[j].reg != CT_REG_NONE) {
				rc = add_probe(g, plan, CT_GO_RTSTART, c.in[j].addr, c.in[j].reg, false, 0,
					       err, errlen);
				plan->has_rtstart = rc == 0;
				break;
			}
			if (c.in[j].kind == IK_CALL || c.in[j].kind == IK_CALL_IND)
				break; /* the result went elsewhere */
		}
		break;
	}
	free(c.in);
	return rc;
}

int goprobe_plan(const struct goelf *g, struct goprobe_plan *plan, char *err, size_t errlen)
{
	const struct goelf_func *init, *mainmain;
	enum goelf_arch arch = goelf_get_arch(g);
	struct goprobe_loop loop;
	const uint8_t *bytes = NULL;
	size_t len;
	char tmp[8];

	if (!err) {
		err = tmp;
		errlen = sizeof(tmp);
	}
	memset(plan, 0, sizeof(*plan));
	if (arch != GOELF_ARCH_X86_64 && arch != GOELF_ARCH_ARM64) {
		snprintf(err, errlen, "unsupported architecture");
		return -1;
	}
	plan->init_func = "runtime.doInit1";
	init = goelf_find_func(g, plan->init_func);
	if (!init) {
		plan->init_func = "runtime.doInit";
		init = goelf_find_func(g, plan->init_func);
	}
	if (!init) {
		snprintf(err, errlen, "neither runtime.doInit1 nor runtime.doInit is in the function table");
		return -1;
	}
	len = init->end > init->entry ? init->end - init->entry : 0;
	if (len > 0 && len <= (1u << 20))
		bytes = goelf_bytes_at(g, init->entry, len);
	if (!bytes) {
		snprintf(err, errlen, "cannot read the code of %s", plan->init_func);
		return -1;
	}
	if (goprobe_plan_loop(arch, bytes, len, init->entry,
			      strcmp(plan->init_func, "runtime.doInit1") == 0, &loop, err, errlen))
		return -1;
	for (size_t i = 0; i < loop.n; i++) {
		const struct goprobe *p = &loop.probes[i];

		if (add_probe(g, plan, p->kind, p->vaddr, p->reg, p->mem, p->disp, err, errlen))
			return -1;
	}
	plan->task_start = loop.task_start;
	plan->task_end = loop.task_end;

	if (plan_rtstart(g, plan, err, errlen))
		return -1;
	mainmain = goelf_find_func(g, "main.main");
	if (mainmain &&
	    add_probe(g, plan, CT_GO_MAINMAIN, mainmain->entry, CT_REG_NONE, false, 0, err, errlen))
		return -1;
	return 0;
}

int goprobe_go_minor(const char *v)
{
	char *end;
	long minor;

	if (!v || strncmp(v, "go1.", 4) != 0)
		return -1;
	minor = strtol(v + 4, &end, 10);
	if (end == v + 4 || minor < 0 || minor > 1000)
		return -1;
	return (int)minor;
}

/*
 * Where mallocgc's body starts: its prologue compares the stack pointer with
 * g.stackguard0 and branches to morestack, which reruns the function from
 * its entry after growing the stack. An entry probe would count such a call
 * twice; the instruction after that branch runs once per call, with the
 * arguments still in place (nothing before it writes them). The branch is
 * the first conditional one, within the first few instructions.
 */
static long body_start(const struct code *c)
{
	for (long i = 0; i < c->n && i < 6; i++) {
		if (c->in[i].kind == IK_JCC || c->in[i].kind == IK_JZ) {
			long j = skip_nops(c, i + 1);

			return j < c->n ? j : -1;
		}
		if (c->in[i].kind == IK_CALL || c->in[i].kind == IK_CALL_IND)
			return -1;
	}
	return -1;
}

/*
 * x86-64: the stack check's branch itself, `cmp REG, [g + 16]; jbe
 * morestack`, which the kernel emulates (the instruction after it is
 * single-stepped out of line: a second trap per call). The probe sees the
 * compare's outcome in the flags before the branch: BPF counts only when
 * the jbe is not taken (CF and ZF clear: the body runs; otherwise
 * morestack reruns the function and the branch fires again). Reading
 * g.stackguard0 again would race with sysmon, which sets it to
 * stackPreempt at any time. Index of the branch, *reg the compared
 * register (only a marker for BPF); -1 if the prologue is not that shape.
 */
static long guard_branch(const struct code *c, uint8_t *reg)
{
	for (long i = 0; i + 1 < c->n && i < 4; i++) {
		long j;

		if (c->in[i].kind != IK_CMP_GUARD)
			continue;
		j = skip_nops(c, i + 1);
		if (j >= c->n || c->in[j].kind != IK_JCC || !c->in[j].jbe)
			return -1;
		*reg = c->in[i].reg;
		return j;
	}
	return -1;
}

/* Go 1.26+ built with GOEXPERIMENT=sizespecializedmalloc: the compiler
 * calls per-size-class copies of mallocgc directly. */
static bool size_specialized(const struct goelf *g)
{
	size_t n = goelf_func_count(g);

	for (size_t i = 0; i < n; i++) {
		const struct goelf_func *f = goelf_func_by_index(g, i);

		if (f && f->name && (strncmp(f->name, "runtime.mallocgcSmallNoScanSC", 29) == 0 ||
				     strncmp(f->name, "runtime.mallocgcSmallScanNoHeaderSC", 35) == 0 ||
				     strncmp(f->name, "runtime.mallocTiny", 18) == 0))
			return true;
	}
	return false;
}

int goprobe_plan_malloc(const struct goelf *g, struct goprobe *probe, struct ct_go_layout *layout,
			char *err, size_t errlen)
{
	const struct goelf_func *f = goelf_find_func(g, "runtime.mallocgc");
	enum goelf_arch arch = goelf_get_arch(g);
	int minor = goprobe_go_minor(goelf_version(g));
	struct code c;
	long at;

	memset(probe, 0, sizeof(*probe));
	if (minor < 16) {
		snprintf(err, errlen, "Go version %s unknown or older than 1.16",
			 goelf_version(g) ? goelf_version(g) : "?");
		return -1;
	}
	if (arch == GOELF_ARCH_X86_64)
		layout->abi = minor >= 17 ? CT_GO_ABI_X86_REG : CT_GO_ABI_X86_STACK;
	else if (arch == GOELF_ARCH_ARM64 && minor >= 18)
		layout->abi = CT_GO_ABI_ARM64_REG;
	else {
		snprintf(err, errlen, "no allocation counting for this architecture and Go version");
		return -1;
	}
	layout->alloc_rules = minor >= 22 ? CT_ALLOC_GO122 : CT_ALLOC_GO116;
	if (!f) {
		snprintf(err, errlen, "runtime.mallocgc is not in the function table");
		return -1;
	}
	if (size_specialized(g)) {
		snprintf(err, errlen, "size-specialized allocator (GOEXPERIMENT=sizespecializedmalloc) not probed");
		return -1;
	}
	if (decode_func(g, f, &c)) {
		snprintf(err, errlen, "cannot decode runtime.mallocgc");
		return -1;
	}
	probe->reg = CT_REG_NONE;
	at = arch == GOELF_ARCH_X86_64 ? guard_branch(&c, &probe->reg) : -1;
	if (at < 0)
		at = body_start(&c);
	if (at < 0) {
		free(c.in);
		snprintf(err, errlen, "runtime.mallocgc has no stack check where expected");
		return -1;
	}
	probe->kind = CT_GO_MALLOC;
	probe->vaddr = c.in[at].addr;
	free(c.in);
	if (goelf_vaddr_to_offset(g, probe->vaddr, &probe->offset)) {
		snprintf(err, errlen, "runtime.mallocgc is not in a file-backed segment");
		return -1;
	}
	return 0;
}

const struct goprobe *goprobe_find(const struct goprobe_plan *plan, enum ct_go_probe kind)
{
	for (size_t i = 0; i < plan->n; i++)
		if (plan->probes[i].kind == kind)
			return &plan->probes[i];
	return NULL;
}

const char *goprobe_kind_name(enum ct_go_probe kind)
{
	switch (kind) {
	case CT_GO_RTSTART: return "runtime-start";
	case CT_GO_INITCALL: return "init-call";
	case CT_GO_INITRET: return "init-return";
	case CT_GO_MAINMAIN: return "main.main";
	case CT_GO_TASKSTART: return "task-start";
	case CT_GO_TASKEND: return "task-end";
	case CT_GO_MALLOC: return "mallocgc";
	}
	return "?";
}

/* Go's initTask, as runtime/proc.go declares it in each generation. */
static const struct ct_go_layout task_layouts[CT_TASK_LAYOUTS] = {
	/* Go 1.13 - 1.20: {state, ndeps, nfns uintptr; deps [ndeps]*initTask;
	 * fns [nfns]func()} */
	[CT_TASK_GO116] = {.state_off = 0, .state_size = 8, .nfns_off = 16, .nfns_size = 8,
			   .ndeps_off = 8, .ndeps_size = 8, .fns_off = 24},
	/* Go 1.21+: {state, nfns uint32; fns [nfns]func()}; doInit1's entry
	 * also sees tasks already done (state 2) */
	[CT_TASK_GO121] = {.state_off = 0, .state_size = 4, .nfns_off = 4, .nfns_size = 4,
			   .fns_off = 8, .skip_done = 1, .done_state = 2},
};

const struct ct_go_layout *goprobe_task_layout(int32_t layout)
{
	return layout >= 0 && layout < CT_TASK_LAYOUTS ? &task_layouts[layout] : NULL;
}

const struct ct_go_layout *goprobe_plan_layout(const struct goprobe_plan *plan)
{
	const struct goprobe *p = goprobe_find(plan, CT_GO_TASKSTART);

	return p ? goprobe_task_layout(p->disp) : NULL;
}
