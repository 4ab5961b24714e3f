// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>
#include <string.h>

#include <Zydis/Zydis.h>

#include "goprobe.h"

/* The instructions the planner looks for, decoded once per architecture. */
enum insn_kind {
	IK_OTHER = 0,
	IK_CALL,      /* direct call: target */
	IK_CALL_IND,  /* indirect call through reg (or [reg + disp] if mem) */
	IK_STORE,     /* 64-bit store of reg into a global */
	IK_CMP0_MEM,  /* compare the 64-bit word at [reg + disp] with 0 */
	IK_JZ,        /* jump if zero (x86: after a compare) */
	IK_LOAD,      /* arm64: LDR Xt, [Xn, #disp] (reg = Xn, reg2 = Xt) */
	IK_CBZ,       /* arm64: CBZ Xt (reg = Xt) */
};

struct insn {
	enum insn_kind kind;
	uint64_t addr; /* link-time address */
	uint64_t next; /* address of the following instruction */
	uint64_t target;
	uint8_t reg, reg2;
	bool mem;
	int64_t disp;
};

/* Return false to stop the walk. */
typedef bool (*insn_cb)(void *ctx, const struct insn *in);

static uint8_t zydis_reg(ZydisRegister r)
{
	switch (r) {
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

/* x86-64 with a real decoder: bytes E8/FF/C3 also occur inside other
 * instructions, so never scan for them. */
static void x86_decode(const ZydisDecodedInstruction *in, const ZydisDecodedOperand *ops,
		       struct insn *out)
{
	const ZydisDecodedOperand *op = &ops[0];

	if (in->mnemonic == ZYDIS_MNEMONIC_CALL && in->operand_count_visible >= 1) {
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
			out->disp = op->mem.disp.has_displacement ? op->mem.disp.value : 0;
		}
	} else if (in->mnemonic == ZYDIS_MNEMONIC_MOV && in->operand_count_visible == 2 &&
		   op->type == ZYDIS_OPERAND_TYPE_MEMORY && op->mem.base == ZYDIS_REGISTER_RIP &&
		   op->size == 64 && ops[1].type == ZYDIS_OPERAND_TYPE_REGISTER) {
		out->kind = IK_STORE;
		out->reg = zydis_reg(ops[1].reg.value);
	} else if (in->mnemonic == ZYDIS_MNEMONIC_CMP && in->operand_count_visible == 2 &&
		   simple_mem(op) && op->size == 64 &&
		   ops[1].type == ZYDIS_OPERAND_TYPE_IMMEDIATE && ops[1].imm.value.u == 0) {
		out->kind = IK_CMP0_MEM;
		out->reg = zydis_reg(op->mem.base);
		out->disp = op->mem.disp.has_displacement ? op->mem.disp.value : 0;
	} else if (in->mnemonic == ZYDIS_MNEMONIC_JZ) {
		out->kind = IK_JZ;
	}
}

static int x86_walk(const uint8_t *code, uint64_t start, size_t len, insn_cb cb, void *ctx)
{
	ZydisDecoder dec;
	ZydisDecodedInstruction in;
	ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
	size_t off = 0;

	if (ZYAN_FAILED(ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64)))
		return -1;
	while (off < len) {
		struct insn i = {.addr = start + off};

		if (ZYAN_FAILED(ZydisDecoderDecodeFull(&dec, code + off, len - off, &in, ops))) {
			off++; /* padding between functions: resynchronise */
			continue;
		}
		i.next = i.addr + in.length;
		x86_decode(&in, ops, &i);
		if (!cb(ctx, &i))
			return 0;
		off += in.length;
	}
	return 0;
}

/* arm64: fixed 4-byte little-endian instructions. */
static void arm64_decode(uint32_t w, struct insn *out)
{
	if ((w & 0xfc000000u) == 0x94000000u) { /* BL imm26 */
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
	} else if ((w & 0xffc00000u) == 0xf9400000u && ((w >> 5) & 0x1f) != 31) {
		/* LDR Xt, [Xn, #imm12 * 8] */
		out->kind = IK_LOAD;
		out->reg = CT_REG_X0 + ((w >> 5) & 0x1f);
		out->reg2 = CT_REG_X0 + (w & 0x1f);
		out->disp = (int64_t)((w >> 10) & 0xfff) * 8;
	} else if ((w & 0xff000000u) == 0xb4000000u) { /* CBZ Xt */
		out->kind = IK_CBZ;
		out->reg = CT_REG_X0 + (w & 0x1f);
	}
}

static int arm64_walk(const uint8_t *code, uint64_t start, size_t len, insn_cb cb, void *ctx)
{
	for (size_t off = 0; off + 4 <= len; off += 4) {
		uint32_t w = (uint32_t)code[off] | (uint32_t)code[off + 1] << 8 |
			     (uint32_t)code[off + 2] << 16 | (uint32_t)code[off + 3] << 24;
		struct insn i = {.addr = start + off, .next = start + off + 4};

		arm64_decode(w, &i);
		if (!cb(ctx, &i))
			return 0;
	}
	return 0;
}

static int walk(const struct goelf *g, const struct goelf_func *f, insn_cb cb, void *ctx)
{
	size_t len = f->end > f->entry ? f->end - f->entry : 0;
	const uint8_t *code;

	if (len == 0 || len > (1u << 20))
		return -1;
	code = goelf_bytes_at(g, f->entry, len);
	if (!code)
		return -1;
	switch (goelf_get_arch(g)) {
	case GOELF_ARCH_X86_64: return x86_walk(code, f->entry, len, cb, ctx);
	case GOELF_ARCH_ARM64: return arm64_walk(code, f->entry, len, cb, ctx);
	default: return -1;
	}
}

/* The indirect calls of doInit/doInit1: exactly one, the init function. */
struct indirect_ctx {
	struct insn first;
	int count;
};

static bool find_indirect(void *vctx, const struct insn *in)
{
	struct indirect_ctx *c = vctx;

	if (in->kind == IK_CALL_IND && c->count++ == 0)
		c->first = *in;
	return true;
}

/*
 * runtime.main: `runtimeInitTime = nanotime()` is the first store to a
 * global right after the first call of runtime.nanotime1. Probing the store
 * and reading its source register works whether the callee returned in a
 * register (ABIInternal) or on the stack (ABI0 assembly, as nanotime1 is).
 */
struct store_ctx {
	uint64_t target;
	bool after_call;
	struct insn found;
	bool ok;
};

static bool find_store_after_call(void *vctx, const struct insn *in)
{
	struct store_ctx *c = vctx;

	if (!c->after_call) {
		c->after_call = in->kind == IK_CALL && in->target == c->target;
		return true;
	}
	if (in->kind == IK_STORE && in->reg != CT_REG_NONE) {
		c->found = *in;
		c->ok = true;
		return false;
	}
	/* another call first: the result went elsewhere */
	return !(in->kind == IK_CALL || in->kind == IK_CALL_IND);
}

/*
 * runtime.doInit (Go <= 1.20) runs its dependencies first, then
 * `if t.nfns == 0 { t.state = 2; return }`, then starts inittrace's clock
 * and calls the functions. The task start probe goes on the first
 * instruction of the nfns != 0 path, where the compare's base register
 * still holds t:
 *   x86-64: cmp qword [R + 16], 0 ; jz ...   -> probe after the jz
 *   arm64:  ldr Xt, [Xn, #16] ; cbz Xt, ...  -> probe after the cbz
 * It must come after the recursive call (the dependencies loop).
 */
struct taskstart_ctx {
	uint64_t self;   /* doInit's own entry: the recursive call's target */
	bool after_deps;
	struct insn prev;
	uint8_t load_base, load_dst; /* arm64 pending LDR */
	struct insn found;
	bool ok;
};

static bool find_taskstart_go116(void *vctx, const struct insn *in)
{
	struct taskstart_ctx *c = vctx;

	if (!c->after_deps) {
		c->after_deps = in->kind == IK_CALL && in->target == c->self;
		c->prev = *in;
		return true;
	}
	if (in->kind == IK_JZ && c->prev.kind == IK_CMP0_MEM && c->prev.disp == 16) {
		c->found = *in;
		c->found.reg = c->prev.reg;
		c->ok = true;
		return false;
	}
	if (in->kind == IK_CBZ && c->prev.kind == IK_LOAD && c->prev.disp == 16 &&
	    c->prev.reg2 == in->reg && c->prev.reg != in->reg) {
		c->found = *in;
		c->found.reg = c->prev.reg;
		c->ok = true;
		return false;
	}
	c->prev = *in;
	return true;
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

int goprobe_plan(const struct goelf *g, struct goprobe_plan *plan, char *err, size_t errlen)
{
	const struct goelf_func *init, *rtmain, *nano, *mainmain;
	struct indirect_ctx ic = {0};
	bool arm64 = goelf_get_arch(g) == GOELF_ARCH_ARM64;
	bool go121;
	char tmp[8];

	if (!err) {
		err = tmp;
		errlen = sizeof(tmp);
	}
	memset(plan, 0, sizeof(*plan));
	if (goelf_get_arch(g) != GOELF_ARCH_X86_64 && !arm64) {
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
	go121 = strcmp(plan->init_func, "runtime.doInit1") == 0;
	if (walk(g, init, find_indirect, &ic)) {
		snprintf(err, errlen, "cannot read the code of %s", plan->init_func);
		return -1;
	}
	if (ic.count != 1 || ic.first.reg == CT_REG_NONE) {
		snprintf(err, errlen, "%s has %d indirect calls (1 through a register expected)",
			 plan->init_func, ic.count);
		return -1;
	}

	/* Where a task starts: before inittrace's clock starts, so that the
	 * probe costs inside Go's own measurement and ours cancel out. */
	if (go121) {
		if (add_probe(g, plan, CT_GO_TASKSTART, init->entry, arm64 ? CT_REG_X0 : CT_REG_AX,
			      false, CT_TASK_GO121, err, errlen))
			return -1;
		plan->task_start = true;
	} else {
		struct taskstart_ctx tc = {.self = init->entry};

		if (walk(g, init, find_taskstart_go116, &tc) == 0 && tc.ok) {
			if (add_probe(g, plan, CT_GO_TASKSTART, tc.found.next, tc.found.reg, false,
				      CT_TASK_GO116, err, errlen))
				return -1;
			plan->task_start = true;
		}
	}
	/* Without a task start point, time each function from its call. */
	if (!plan->task_start &&
	    add_probe(g, plan, CT_GO_INITCALL, ic.first.addr, ic.first.reg, ic.first.mem,
		      ic.first.disp, err, errlen))
		return -1;
	if (add_probe(g, plan, CT_GO_INITRET, ic.first.next, CT_REG_NONE, false, 0, err, errlen))
		return -1;

	rtmain = goelf_find_func(g, "runtime.main");
	nano = goelf_find_func(g, "runtime.nanotime1");
	if (rtmain && nano) {
		struct store_ctx sc = {.target = nano->entry};

		if (walk(g, rtmain, find_store_after_call, &sc) == 0 && sc.ok) {
			if (add_probe(g, plan, CT_GO_RTSTART, sc.found.addr, sc.found.reg, false, 0,
				      err, errlen))
				return -1;
			plan->has_rtstart = true;
		}
	}

	mainmain = goelf_find_func(g, "main.main");
	if (mainmain &&
	    add_probe(g, plan, CT_GO_MAINMAIN, mainmain->entry, CT_REG_NONE, false, 0, err, errlen))
		return -1;
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
	}
	return "?";
}
