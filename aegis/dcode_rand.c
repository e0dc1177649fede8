/*
 * dcode_rand.c: random dcode programs for the tests that compare the
 * interpreter with the compiled code (tests/test_dcode.c on the host,
 * ktest.c on the board).
 */
#include "dcode.h"
#include "../lib/lib.h"

/* Every op, for drawing one. */
static const u8 all_ops[] = {
	DC_ADD, DC_SUB, DC_AND, DC_OR, DC_XOR, DC_SHL, DC_SHR, DC_MUL, DC_MOV,
	DC_ADDI, DC_SUBI, DC_ANDI, DC_ORI, DC_XORI, DC_SHLI, DC_SHRI, DC_MULI, DC_LDI,
	DC_LDB, DC_LDH, DC_LDW, DC_LDHN, DC_LDWN, DC_LDBA, DC_LDHA, DC_LDWA, DC_LDHNA, DC_LDWNA,
	DC_STB, DC_STH, DC_STW, DC_STHN, DC_STWN, DC_STBA, DC_STHA, DC_STWA, DC_STHNA, DC_STWNA,
	DC_JEQ, DC_JNE, DC_JLT, DC_JLE, DC_JGT, DC_JGE, DC_JSET, DC_JA,
	DC_JEQI, DC_JNEI, DC_JLTI, DC_JLEI, DC_JGTI, DC_JGEI, DC_JSETI, DC_RET, DC_RETI,
	DC_COPY, DC_CSUM,
};

/* A constant: mostly small values up to a little past the windows' sizes
 * in the tests (0..71), sometimes ones at the edges of 16 and 32 bits,
 * sometimes anything; always a small one if small is set. */
static u32 random_imm(u32 *seed, bool small)
{
	static const u32 edge[] = { 0, 1, 2, 3, 4, 31, 32, 0x7fff, 0x8000, 0xffff, 0x10000,
				    0x7fffffff, 0x80000000u, 0xfffffffcu, 0xfffffffdu,
				    0xfffffffeu, 0xffffffffu, 0xffff8000u, 0xffff7fffu };
	u32 r = xorshift32(seed);
	switch (small ? 0 : r & 3) {
	case 0: case 1: return (r >> 8) % 72;
	case 2:         return edge[(r >> 8) % ARRAY_SIZE(edge)];
	default:        return xorshift32(seed);
	}
}

unsigned dc_random_program(struct dc_insn *p, unsigned maxn, struct dc_rules *rules, u32 *seed)
{
	unsigned n = 1 + xorshift32(seed) % maxn, nwin = 1 + xorshift32(seed) % DC_MAXWIN;
	*rules = (struct dc_rules){ maxn, nwin, { 0 }, xorshift32(seed) % 4 };
	for (unsigned k = 0; k < nwin; k++)
		rules->win_flags[k] = (u8)(xorshift32(seed) % 8 ? DC_R | DC_W : DC_R);
	for (unsigned pc = 0; pc < n; pc++) {
		struct dc_insn *i = &p[pc];
		u32 r = xorshift32(seed);
		unsigned op = pc == n - 1 ? (r & 1 ? DC_RET : DC_RETI)
					  : all_ops[(r >> 1) % ARRAY_SIZE(all_ops)];
		i->op = (u8)op;
		i->regs = (u8)((r >> 8) & 0x77);        /* both nibbles in 0..7 */
		i->off = 0;
		i->imm = random_imm(seed, op >= 0x20 && op < 0x60 && (r >> 24) % 4 != 0);
		if ((op & 0xf0) == 0x60 || (op & 0xf0) == 0x70)          /* jumps */
			i->off = (u16)(xorshift32(seed) % (n - 1 - pc));
		else if (op >= 0x20 && op < 0x60)                        /* loads, stores */
			i->off = (u16)((r >> 16) % nwin);
		else if ((op & 0xf0) == 0x90) {                          /* block: windows, registers */
			u32 b = xorshift32(seed);
			i->off = (u16)(b % nwin | (op == DC_COPY ? (b >> 8) % nwin << 4 : 0));
			i->imm = (b >> 16) % DC_NREG | (op == DC_COPY ? (b >> 24) % DC_NREG << 4 : 0);
		}
		/* Clear the fields the op does not use. */
		if (op < 0x20 && (op & 0x10))                           /* ALU imm forms */
			i->regs &= 0x0f;
		if (op < 0x10 || (op & 0xf0) == 0x60 || op == DC_RET)   /* reg forms */
			i->imm = 0;
		if ((op & 0xd0) == 0x10 || (op & 0xd0) == 0x50)         /* A forms, imm jumps */
			i->regs &= 0x0f;
		if (op == DC_JA || op == DC_RETI)
			i->regs = 0;
		if (op == DC_RET)
			i->regs &= 0xf0;
		/* Garble a field of about one instruction in 24. */
		if (xorshift32(seed) % 24 == 0) {
			u32 g = xorshift32(seed);
			switch (g & 3) {
			case 0: i->op = (u8)(g >> 8); break;
			case 1: i->regs = (u8)(g >> 8); break;
			case 2: i->off = (u16)(g >> 8); break;
			default: i->imm = g; break;
			}
		}
	}
	return n;
}
