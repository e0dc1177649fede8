/*
 * dcode_mips.c: the code generator from checked dcode programs to MIPS32r2
 * (little-endian, o32), and (kernel only) installing the code.
 *
 * The code is a leaf function: a0 = the window array, dcode registers r0..r7
 * live in t0..t7, at, v1, a1..a3 are scratch, nothing touches the stack or
 * calls out. Every dcode instruction maps to a fixed pattern (below, one
 * function each); the only branches are the ones the generator places, to
 * targets it computes itself: the code of a later dcode instruction (a
 * forward jump, checked to be inside the program), a fault exit, or inside
 * a block instruction's own code (its byte loop, bounded by its length).
 *
 * Layout:
 *	0: b body                 entry
 *	1: addiu v1, zero, 1      fault exit (also the delay slot of word 0)
 *	2: jr ra
 *	3: move v0, zero          -> returns (v0, v1) = (0, 1)
 *	body: zero the registers the program reads, then each instruction
 * Bounds checks branch back to the nearest fault exit; when that would be
 * more than STUB_SPAN words away, another one (b over; the same 3 words) is
 * placed between two instructions, so every branch to a fault exit fits.
 *
 * A forward jump's branch is emitted before its target's address is known.
 * Until the target is reached, its offset field holds the target's index
 * and its delay slot holds the word index of the previous pending branch
 * (a list threaded through the buffer); bind() patches them.
 */
#include "dcode.h"

/* MIPS registers. */
enum { ZERO = 0, AT = 1, V0 = 2, V1 = 3, A0 = 4, A1 = 5, A2 = 6, A3 = 7, T0 = 8, RA = 31 };

/* Opcodes (bits 31..26) and SPECIAL function codes used here. */
enum {
	OP_SPECIAL = 0x00, OP_BEQ = 0x04, OP_BNE = 0x05, OP_ADDIU = 0x09, OP_SLTIU = 0x0b,
	OP_ANDI = 0x0c, OP_ORI = 0x0d, OP_XORI = 0x0e, OP_LUI = 0x0f, OP_SPECIAL2 = 0x1c,
	OP_SPECIAL3 = 0x1f, OP_LWL = 0x22, OP_LW = 0x23, OP_LBU = 0x24, OP_LWR = 0x26,
	OP_SB = 0x28, OP_SWL = 0x2a, OP_SWR = 0x2e,
	FN_SLL = 0x00, FN_SRL = 0x02, FN_SLLV = 0x04, FN_SRLV = 0x06, FN_JR = 0x08,
	FN_ADDU = 0x21, FN_SUBU = 0x23, FN_AND = 0x24, FN_OR = 0x25, FN_XOR = 0x26,
	FN_SLTU = 0x2b,
};
#define NOP 0u

/* The MIPS layout of struct dc_win that the code reads. */
#define WIN_BASE(k) (8 * (k))
#define WIN_LEN(k)  (8 * (k) + 4)
#ifndef DCODE_HOST
_Static_assert(sizeof(struct dc_win) == 8, "dc_win is base, len: 8 bytes on MIPS");
_Static_assert(__builtin_offsetof(struct dc_win, len) == 4, "dc_win.len at offset 4");
#endif

#define STUB_SPAN 16384u        /* words from a fault exit before the next one */
#define NONE 0xffffffffu

struct gen {
	u32 *buf;
	unsigned cap, pos;      /* buf's size and the next word, in words */
	bool full;              /* a word did not fit into buf */
	bool far;               /* a jump's offset did not fit 16 bits */
	unsigned stub;          /* word index of the latest fault exit */
	u32 pending;            /* the latest pending forward branch, or NONE */
	unsigned next;          /* the smallest target among pending branches */
};

/* Append word w (or note that buf is full). */
static void emit(struct gen *g, u32 w)
{
	if (g->pos < g->cap)
		g->buf[g->pos] = w;
	else
		g->full = true;
	g->pos++;
}

static u32 rtype(unsigned rs, unsigned rt, unsigned rd, unsigned sa, unsigned fn)
{
	return (u32)rs << 21 | (u32)rt << 16 | (u32)rd << 11 | (u32)sa << 6 | fn;
}

static u32 itype(unsigned op, unsigned rs, unsigned rt, u32 imm)
{
	return (u32)op << 26 | (u32)rs << 21 | (u32)rt << 16 | (imm & 0xffff);
}

static void r3(struct gen *g, unsigned fn, unsigned rd, unsigned rs, unsigned rt)
{
	emit(g, rtype(rs, rt, rd, 0, fn));
}

static void i2(struct gen *g, unsigned op, unsigned rt, unsigned rs, u32 imm)
{
	emit(g, itype(op, rs, rt, imm));
}

/* A branch (beq/bne rs, rt) to the earlier or next-known word `to`; the
 * caller emits its delay slot next. */
static void branch_back(struct gen *g, unsigned op, unsigned rs, unsigned rt, unsigned to)
{
	emit(g, itype(op, rs, rt, (u32)(to - (g->pos + 1))));
}

static bool fits_s16(u32 v) { return (s32)v >= -32768 && (s32)v <= 32767; }

/* reg = v, in 1 or 2 words. */
static void load_imm(struct gen *g, unsigned reg, u32 v)
{
	if (fits_s16(v))
		i2(g, OP_ADDIU, reg, ZERO, v);          /* reg = sign-extended v */
	else if (v <= 0xffff)
		i2(g, OP_ORI, reg, ZERO, v);            /* reg = zero-extended v */
	else {
		i2(g, OP_LUI, reg, ZERO, v >> 16);      /* reg = v & 0xffff0000 */
		if (v & 0xffff)
			i2(g, OP_ORI, reg, reg, v);     /* reg |= v & 0xffff */
	}
}

/* The MIPS register of dcode register r. */
static unsigned treg(unsigned r) { return T0 + r; }

/* A fault exit: entered at its second word; returns v0 = 0, v1 = 1. The
 * first word branches over it (its delay slot, setting v1, is harmless). */
static void emit_stub(struct gen *g)
{
	unsigned over = g->pos + 4;
	branch_back(g, OP_BEQ, ZERO, ZERO, over);       /* b over */
	g->stub = g->pos;
	i2(g, OP_ADDIU, V1, ZERO, 1);                   /* v1 = 1 (fault) */
	emit(g, rtype(RA, 0, 0, 0, FN_JR));             /* jr ra */
	r3(g, FN_ADDU, V0, ZERO, ZERO);                 /* v0 = 0 */
}

/* Branch to the fault exit if reg is zero (op BEQ) or nonzero (BNE); the
 * caller emits the delay slot. */
static void to_fault(struct gen *g, unsigned op, unsigned reg)
{
	branch_back(g, op, reg, ZERO, g->stub);
}

/* ALU op (low nibble of the dcode op) on MIPS registers: d = d OP s. */
static void alu_rr(struct gen *g, unsigned op, unsigned d, unsigned s)
{
	static const u8 fn[10] = { 0, FN_ADDU, FN_SUBU, FN_AND, FN_OR, FN_XOR,
				   FN_SLLV, FN_SRLV, 0, FN_ADDU };
	switch (op & 0x0f) {
	case DC_SHL: case DC_SHR:
		r3(g, fn[op & 0x0f], d, s, d);  /* sllv/srlv d, d, s: shift by s & 31 */
		break;
	case DC_MUL:
		emit(g, (u32)OP_SPECIAL2 << 26 | rtype(d, s, d, 0, 0x02));  /* mul d, d, s */
		break;
	case DC_MOV:
		if (d != s)
			r3(g, FN_ADDU, d, s, ZERO);     /* d = s */
		break;
	default:
		r3(g, fn[op & 0x0f], d, d, s);  /* addu/subu/and/or/xor d, d, s */
		break;
	}
}

/* ALU op with a constant: d = d OP imm, with a 1-word form when imm fits. */
static void alu_ri(struct gen *g, unsigned op, unsigned d, u32 imm)
{
	switch (op) {
	case DC_LDI:
		load_imm(g, d, imm);
		return;
	case DC_SHLI: case DC_SHRI:
		emit(g, rtype(0, d, d, imm & 31, op == DC_SHLI ? FN_SLL : FN_SRL));
		return;
	case DC_ADDI:
		if (fits_s16(imm)) { i2(g, OP_ADDIU, d, d, imm); return; }
		break;
	case DC_SUBI:
		if (fits_s16(0u - imm)) { i2(g, OP_ADDIU, d, d, 0u - imm); return; }
		break;
	case DC_ANDI: case DC_ORI: case DC_XORI:
		if (imm <= 0xffff) {
			static const u8 iop[3] = { OP_ANDI, OP_ORI, OP_XORI };
			i2(g, iop[op - DC_ANDI], d, d, imm);
			return;
		}
		break;
	}
	load_imm(g, AT, imm);                   /* at = imm */
	alu_rr(g, op, d, AT);                   /* d = d OP at */
}

/* The access itself, address in a2 + disp: load into / store from MIPS
 * register v (at is scratch). */
static void access(struct gen *g, unsigned op, unsigned v, u32 disp)
{
	unsigned lo = disp, hi = disp + 1;      /* bytes: low and high for H forms */
	switch (op & 0xc7) {
	case 0x00:                                      /* LDB */
		i2(g, OP_LBU, v, A2, disp);
		return;
	case 0x03:                                      /* LDHN: swap the bytes */
		lo = disp + 1, hi = disp;
		/* fall through */
	case 0x01:                                      /* LDH */
		i2(g, OP_LBU, AT, A2, lo);              /* at = low byte */
		i2(g, OP_LBU, v, A2, hi);               /* v = high byte */
		emit(g, rtype(0, v, v, 8, FN_SLL));     /* v <<= 8 */
		r3(g, FN_OR, v, v, AT);                 /* v |= at */
		return;
	case 0x02: case 0x04:                           /* LDW, LDWN */
		i2(g, OP_LWR, v, A2, disp);             /* v = the 4 bytes at a2 + disp, */
		i2(g, OP_LWL, v, A2, disp + 3);         /* any alignment, little-endian */
		if (op & 4) {                           /* LDWN: byte-swap */
			emit(g, (u32)OP_SPECIAL3 << 26 | rtype(0, v, v, 0x02, 0x20));  /* wsbh v, v */
			emit(g, rtype(1, v, v, 16, FN_SRL));    /* rotr v, v, 16 */
		}
		return;
	case 0x40:                                      /* STB */
		i2(g, OP_SB, v, A2, disp);
		return;
	case 0x43:                                      /* STHN */
		lo = disp + 1, hi = disp;
		/* fall through */
	case 0x41:                                      /* STH */
		i2(g, OP_SB, v, A2, lo);                /* low byte */
		emit(g, rtype(0, v, AT, 8, FN_SRL));    /* at = v >> 8 */
		i2(g, OP_SB, AT, A2, hi);               /* high byte */
		return;
	case 0x44:                                      /* STWN: store v byte-swapped */
		emit(g, (u32)OP_SPECIAL3 << 26 | rtype(0, v, AT, 0x02, 0x20));  /* wsbh at, v */
		emit(g, rtype(1, AT, AT, 16, FN_SRL));  /* rotr at, at, 16 */
		v = AT;
		/* fall through */
	default:                                        /* STW */
		i2(g, OP_SWR, v, A2, disp);             /* the 4 bytes at a2 + disp, */
		i2(g, OP_SWL, v, A2, disp + 3);         /* any alignment, little-endian */
		return;
	}
}

/* A load or store of window k with its bounds check; faults go to the
 * nearest fault exit. */
static void emit_mem(struct gen *g, const struct dc_insn *i)
{
	static const u8 size[5] = { 1, 2, 4, 2, 4 };
	unsigned op = i->op, k = i->off, s = size[op & 7], v = treg(DC_DST(i));
	u32 disp = 0;
	i2(g, OP_LW, A1, A0, WIN_LEN(k));               /* a1 = len */
	if (op & 0x10) {                                /* absolute: x = imm */
		u64 end = (u64)i->imm + s;
		if (end > 0xffffffffu) {                /* never inside any window */
			to_fault(g, OP_BEQ, ZERO);      /* b fault */
			emit(g, NOP);
			return;
		}
		if (end <= 0x7fff)
			i2(g, OP_SLTIU, AT, A1, (u32)end);      /* at = len < x + s */
		else {
			load_imm(g, AT, (u32)end);
			r3(g, FN_SLTU, AT, A1, AT);             /* at = len < x + s */
		}
		to_fault(g, OP_BNE, AT);
		i2(g, OP_LW, A2, A0, WIN_BASE(k));      /* (delay) a2 = base */
		if (i->imm <= 0x7fff - 3)
			disp = i->imm;                  /* address = a2 + disp */
		else {
			load_imm(g, AT, i->imm);
			r3(g, FN_ADDU, A2, A2, AT);     /* a2 = base + x */
		}
	} else {                                        /* indexed: x = src + imm */
		unsigned x = treg(DC_SRC(i));
		if (i->imm != 0) {
			if (fits_s16(i->imm))
				i2(g, OP_ADDIU, V1, x, i->imm);         /* v1 = x */
			else {
				load_imm(g, AT, i->imm);
				r3(g, FN_ADDU, V1, x, AT);              /* v1 = x */
			}
			x = V1;
		}
		r3(g, FN_SLTU, AT, x, A1);                      /* at = x < len */
		to_fault(g, OP_BEQ, AT);
		if (s > 1) {
			r3(g, FN_SUBU, A3, A1, x);              /* (delay) a3 = len - x */
			i2(g, OP_SLTIU, AT, A3, s);             /* at = len - x < s */
			to_fault(g, OP_BNE, AT);
		}
		i2(g, OP_LW, A2, A0, WIN_BASE(k));              /* (delay) a2 = base */
		r3(g, FN_ADDU, A2, A2, x);                      /* a2 = base + x */
	}
	access(g, op, v, disp);
}

/* Bounds check of a block instruction's range in window k: len (MIPS
 * register len) bytes at x must lie inside, len <= wlen and x <= wlen - len;
 * then reg = base + x. */
static void block_range(struct gen *g, unsigned k, unsigned len, unsigned x, unsigned reg)
{
	i2(g, OP_LW, A1, A0, WIN_LEN(k));               /* a1 = wlen */
	r3(g, FN_SLTU, AT, A1, len);                    /* at = wlen < len */
	to_fault(g, OP_BNE, AT);
	r3(g, FN_SUBU, A1, A1, len);                    /* (delay) a1 = wlen - len */
	r3(g, FN_SLTU, AT, A1, x);                      /* at = wlen - len < x */
	to_fault(g, OP_BNE, AT);
	i2(g, OP_LW, reg, A0, WIN_BASE(k));             /* (delay) reg = base */
	r3(g, FN_ADDU, reg, reg, x);                    /* reg = base + x */
}

/* Add the pair in a1 to the checksum sum in MIPS register sum, carry back in. */
static void csum_step(struct gen *g, unsigned sum)
{
	r3(g, FN_ADDU, sum, sum, A1);                   /* sum += a1 */
	r3(g, FN_SLTU, AT, sum, A1);                    /* at = the carry out */
	r3(g, FN_ADDU, sum, sum, AT);                   /* sum += carry */
}

/* DC_COPY or DC_CSUM (docs/dcode.md): after the bounds checks, a2 = source
 * address, a3 = destination address (COPY), v0 = bytes left; a loop over
 * pairs (its one backward branch goes to its head, and it ends because v0
 * falls by 2 each time round from len, which is at most the window's
 * length), then an odd last byte. a1, v1: the bytes. The sum register is
 * written only after every operand has been read into a scratch register. */
static void emit_block(struct gen *g, const struct dc_insn *i)
{
	bool copy = i->op == DC_COPY;
	unsigned sum = treg(DC_DST(i)), len = treg(DC_SRC(i));
	block_range(g, i->off & 15, len, treg(i->imm & 15), A2);
	if (copy)
		block_range(g, i->off >> 4, len, treg(i->imm >> 4), A3);
	r3(g, FN_ADDU, V0, len, ZERO);                  /* v0 = len */
	unsigned head = g->pos;
	i2(g, OP_SLTIU, AT, V0, 2);                     /* loop: at = v0 < 2 */
	unsigned exit = g->pos;
	emit(g, itype(OP_BNE, AT, ZERO, 0));            /* bnez at, tail (patched) */
	emit(g, NOP);
	i2(g, OP_LBU, A1, A2, 0);                       /* a1 = high byte */
	if (copy)
		i2(g, OP_SB, A1, A3, 0);
	i2(g, OP_LBU, V1, A2, 1);                       /* v1 = low byte */
	if (copy)
		i2(g, OP_SB, V1, A3, 1);
	emit(g, rtype(0, A1, A1, 8, FN_SLL));           /* a1 = high << 8 | low */
	r3(g, FN_OR, A1, A1, V1);
	csum_step(g, sum);
	i2(g, OP_ADDIU, A2, A2, 2);
	if (copy)
		i2(g, OP_ADDIU, A3, A3, 2);
	branch_back(g, OP_BEQ, ZERO, ZERO, head);       /* b loop */
	i2(g, OP_ADDIU, V0, V0, (u32)-2);               /* (delay) v0 -= 2 */
	if (exit < g->cap)                              /* tail: */
		g->buf[exit] |= (g->pos - (exit + 1)) & 0xffff;
	unsigned done = g->pos;
	emit(g, itype(OP_BEQ, V0, ZERO, 0));            /* beqz v0, done (patched) */
	emit(g, NOP);
	i2(g, OP_LBU, A1, A2, 0);                       /* a1 = the odd byte */
	if (copy)
		i2(g, OP_SB, A1, A3, 0);
	emit(g, rtype(0, A1, A1, 8, FN_SLL));           /* a1 = byte << 8 */
	csum_step(g, sum);
	if (done < g->cap)                              /* done: */
		g->buf[done] |= (g->pos - (done + 1)) & 0xffff;
}

/* The most words the code of op can take (for placing fault exits). */
static unsigned max_words(unsigned op)
{
	return (op & 0xf0) == 0x90 ? 16 + DC_BLOCK_EXTRA : 16;
}

/* A forward branch word w (offset field zero) to dcode instruction t and its
 * delay slot; put on the pending list until bind() reaches t. */
static void emit_fwd(struct gen *g, u32 w, unsigned t)
{
	unsigned at = g->pos;
	emit(g, w | t);                 /* offset field = t, for now */
	emit(g, g->pending);            /* delay slot = link, for now */
	if (g->full)
		return;
	g->pending = at;
	if (t < g->next)
		g->next = t;
}

/* The code of dcode instruction t starts at g->pos: patch the pending
 * branches to t (offset in words from the delay slot) and nop their delay
 * slots. */
static void bind(struct gen *g, unsigned t)
{
	if (g->next != t)
		return;
	g->next = NONE;
	u32 *link = &g->pending;
	while (*link != NONE) {
		u32 b = *link, target = g->buf[b] & 0xffff;
		if (target != t) {
			if (target < g->next)
				g->next = target;
			link = &g->buf[b + 1];
			continue;
		}
		*link = g->buf[b + 1];          /* unlink */
		g->buf[b + 1] = NOP;
		u32 off = g->pos - (b + 1);
		if (off > 0x7fff)
			g->far = true;
		g->buf[b] = (g->buf[b] & 0xffff0000u) | (off & 0xffff);
	}
}

/* A conditional or unconditional jump. */
static void emit_jump(struct gen *g, const struct dc_insn *i, unsigned pc)
{
	unsigned op = i->op, d = treg(DC_DST(i)), s = treg(DC_SRC(i)), t = pc + 1 + i->off;
	if (i->off == 0)
		return;                         /* lands on the next instruction anyway */
	if (op == DC_JA) {
		emit_fwd(g, itype(OP_BEQ, ZERO, ZERO, 0), t);   /* b t */
		return;
	}
	unsigned c = op & 0x0f;
	if (op & 0x10) {                        /* the operand is imm */
		if ((c == 2 || c == 5) && fits_s16(i->imm)) {   /* JLTI, JGEI: sltiu */
			i2(g, OP_SLTIU, AT, d, i->imm);         /* at = d < imm */
			emit_fwd(g, itype(c == 2 ? OP_BNE : OP_BEQ, AT, ZERO, 0), t);
			return;
		}
		if (c == 6 && i->imm <= 0xffff) {               /* JSETI: andi */
			i2(g, OP_ANDI, AT, d, i->imm);          /* at = d & imm */
			emit_fwd(g, itype(OP_BNE, AT, ZERO, 0), t);
			return;
		}
		s = ZERO;
		if (i->imm != 0) {
			load_imm(g, AT, i->imm);        /* at = imm */
			s = AT;
		}
	}
	switch (c) {
	case 0: emit_fwd(g, itype(OP_BEQ, d, s, 0), t); return;        /* d == s */
	case 1: emit_fwd(g, itype(OP_BNE, d, s, 0), t); return;        /* d != s */
	case 2: case 5:
		r3(g, FN_SLTU, AT, d, s);               /* at = d < s */
		break;
	case 3: case 4:
		r3(g, FN_SLTU, AT, s, d);               /* at = s < d */
		break;
	default:
		r3(g, FN_AND, AT, d, s);                /* at = d & s */
		break;
	}
	/* JLT, JGT, JSET branch if at != 0; JLE, JGE if at == 0. */
	emit_fwd(g, itype(c == 3 || c == 5 ? OP_BEQ : OP_BNE, AT, ZERO, 0), t);
}

/* RET or RETI: v0 = the value, v1 = 0, return. */
static void emit_ret(struct gen *g, const struct dc_insn *i)
{
	if (i->op == DC_RET)
		r3(g, FN_ADDU, V0, treg(DC_SRC(i)), ZERO);      /* v0 = src */
	else
		load_imm(g, V0, i->imm);                        /* v0 = imm */
	emit(g, rtype(RA, 0, 0, 0, FN_JR));                     /* jr ra */
	r3(g, FN_ADDU, V1, ZERO, ZERO);                         /* (delay) v1 = 0 */
}

/* Bit r set if some instruction of p reads dcode register r: as src the
 * ALU reg forms, indexed loads and stores, reg-form jumps and RET; as dst
 * the ALU ops other than MOV and LDI, stores, conditional jumps and block
 * instructions (the sum); and a block instruction's length and offset
 * registers. */
static unsigned regs_read(const struct dc_insn *p, unsigned n)
{
	unsigned m = 0;
	for (unsigned k = 0; k < n; k++) {
		unsigned op = p[k].op, cls = op & 0xf0;
		if (cls == 0x00 || cls == 0x20 || cls == 0x40 || (cls == 0x60 && op != DC_JA) ||
		    op == DC_RET)
			m |= 1u << DC_SRC(&p[k]);
		if ((cls <= 0x10 && op != DC_MOV && op != DC_LDI) || cls == 0x40 || cls == 0x50 ||
		    (cls >= 0x60 && cls <= 0x70 && op != DC_JA) || cls == 0x90)
			m |= 1u << DC_DST(&p[k]);
		if (cls == 0x90)        /* the length and the offset registers */
			m |= 1u << DC_SRC(&p[k]) | 1u << (p[k].imm & 15) |
			     (op == DC_COPY ? 1u << (p[k].imm >> 4) : 0);
	}
	return m;
}

int dc_compile(const struct dc_insn *p, unsigned n, u32 *buf, unsigned bufwords)
{
	struct gen g = { buf, bufwords, 0, false, false, 0, NONE, NONE };
	emit_stub(&g);                          /* entry: b body; the fault exit */
	unsigned m = regs_read(p, n);
	for (unsigned r = 0; r < DC_NREG; r++)
		if (m & (1u << r))
			r3(&g, FN_ADDU, treg(r), ZERO, ZERO);   /* r = 0 */
	for (unsigned pc = 0; pc < n && !g.full; pc++) {
		const struct dc_insn *i = &p[pc];
		if (g.pos + max_words(i->op) - g.stub > STUB_SPAN)
			emit_stub(&g);
		bind(&g, pc);
		switch (i->op & 0xf0) {
		case 0x00:
			alu_rr(&g, i->op, treg(DC_DST(i)), treg(DC_SRC(i)));
			break;
		case 0x10:
			alu_ri(&g, i->op, treg(DC_DST(i)), i->imm);
			break;
		case 0x60: case 0x70:
			emit_jump(&g, i, pc);
			break;
		case 0x80:
			emit_ret(&g, i);
			break;
		case 0x90:
			emit_block(&g, i);
			break;
		default:
			emit_mem(&g, i);
			break;
		}
	}
	if (g.full)
		return DC_ENOSPC;
	if (g.far || g.pending != NONE)
		return DC_EINVAL;
	return (int)g.pos;
}

#ifndef DCODE_HOST
#include "defs.h"

dc_fn dc_install(u32 *buf, unsigned words)
{
	cache_sync(buf, words * 4);
	/* jr.hb: later instruction fetches see the new code. */
	u32 tmp;
	__asm__ volatile(".set push\n\t.set noreorder\n\t"
			 "la %0, 1f\n\tjr.hb %0\n\tnop\n1:\n\t.set pop" : "=r"(tmp) :: "memory");
	return (dc_fn)(uintptr_t)buf;
}
#endif
