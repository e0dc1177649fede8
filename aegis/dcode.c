/*
 * dcode.c: the checker and the interpreter of downloaded code (dcode.h,
 * docs/dcode.md). Pure logic: built into the kernel and into the host tests.
 */
#include "dcode.h"

/* What each op uses: a bit per field, and the window right it needs. */
enum {
	F_DST = 1,      /* dst is a register */
	F_SRC = 2,      /* src is a register */
	F_IMM = 4,      /* imm is used */
	F_WIN = 8,      /* off is a window index */
	F_JMP = 16,     /* off is a jump distance */
	F_RD  = 32,     /* the window must be readable */
	F_WR  = 64,     /* the window must be writable */
	F_BLK = 128,    /* a block instruction: off and imm hold nibbles (block_ok) */
};

/* Field use of op, or 0 for an unknown op. */
static unsigned op_fields(unsigned op)
{
	switch (op) {
	case DC_ADD: case DC_SUB: case DC_AND: case DC_OR: case DC_XOR:
	case DC_SHL: case DC_SHR: case DC_MUL: case DC_MOV:
		return F_DST | F_SRC;
	case DC_ADDI: case DC_SUBI: case DC_ANDI: case DC_ORI: case DC_XORI:
	case DC_SHLI: case DC_SHRI: case DC_MULI: case DC_LDI:
		return F_DST | F_IMM;
	case DC_LDB: case DC_LDH: case DC_LDW: case DC_LDHN: case DC_LDWN:
		return F_DST | F_SRC | F_IMM | F_WIN | F_RD;
	case DC_LDBA: case DC_LDHA: case DC_LDWA: case DC_LDHNA: case DC_LDWNA:
		return F_DST | F_IMM | F_WIN | F_RD;
	case DC_STB: case DC_STH: case DC_STW: case DC_STHN: case DC_STWN:
		return F_DST | F_SRC | F_IMM | F_WIN | F_WR;
	case DC_STBA: case DC_STHA: case DC_STWA: case DC_STHNA: case DC_STWNA:
		return F_DST | F_IMM | F_WIN | F_WR;
	case DC_JEQ: case DC_JNE: case DC_JLT: case DC_JLE: case DC_JGT: case DC_JGE:
	case DC_JSET:
		return F_DST | F_SRC | F_JMP;
	case DC_JEQI: case DC_JNEI: case DC_JLTI: case DC_JLEI: case DC_JGTI: case DC_JGEI:
	case DC_JSETI:
		return F_DST | F_IMM | F_JMP;
	case DC_JA:
		return F_JMP;
	case DC_RET:
		return F_SRC;
	case DC_RETI:
		return F_IMM;
	case DC_COPY:
		return F_DST | F_SRC | F_BLK | F_WR;
	case DC_CSUM:
		return F_DST | F_SRC | F_BLK;
	}
	return 0;
}

/* The fields of block instruction i (DC_COPY if copy, else DC_CSUM): the
 * source window (off & 15, readable) and register (imm & 15); DC_COPY's
 * destination window (off >> 4, writable) and register (imm >> 4); every
 * other bit of off and imm zero. */
static bool block_ok(const struct dc_insn *i, const struct dc_rules *r, bool copy)
{
	unsigned sw = i->off & 15, dw = i->off >> 4, sr = i->imm & 15, dr = i->imm >> 4;
	if (sw >= r->nwin || !(r->win_flags[sw] & DC_R) || sr >= DC_NREG)
		return false;
	if (!copy)
		return dw == 0 && dr == 0;
	return dw < r->nwin && (r->win_flags[dw] & DC_W) && dr < DC_NREG;
}

/* Whether instruction i of an n-instruction program is safe under r. */
static bool insn_ok(const struct dc_insn *i, unsigned pc, unsigned n, const struct dc_rules *r)
{
	unsigned f = op_fields(i->op);
	if (f == 0)
		return false;
	if (f & F_DST ? DC_DST(i) >= DC_NREG : DC_DST(i) != 0)
		return false;
	if (f & F_SRC ? DC_SRC(i) >= DC_NREG : DC_SRC(i) != 0)
		return false;
	if (f & F_BLK)
		return block_ok(i, r, f & F_WR);
	if (!(f & F_IMM) && i->imm != 0)
		return false;
	if (!(f & (F_WIN | F_JMP)) && i->off != 0)
		return false;
	if (f & F_WIN) {
		if (i->off >= r->nwin)
			return false;
		if ((f & F_RD) && !(r->win_flags[i->off] & DC_R))
			return false;
		if ((f & F_WR) && !(r->win_flags[i->off] & DC_W))
			return false;
	}
	if ((f & F_JMP) && pc + 1 + i->off > n - 1)
		return false;
	return true;
}

int dc_check_at(const struct dc_insn *p, unsigned n, const struct dc_rules *r, unsigned *bad)
{
	unsigned where = n, blocks = 0;
	if (n == 0 || n > DC_MAXLEN || n > r->max_insns || r->nwin > DC_MAXWIN)
		goto fail;
	for (where = 0; where < n; where++) {
		if (!insn_ok(&p[where], where, n, r))
			goto fail;
		if ((p[where].op & 0xf0) == 0x90 && ++blocks > r->max_blocks)   /* DC_COPY, DC_CSUM */
			goto fail;
	}
	where = n - 1;
	if (p[where].op != DC_RET && p[where].op != DC_RETI)
		goto fail;
	return 0;
fail:
	if (bad)
		*bad = where;
	return DC_EINVAL;
}

int dc_check(const struct dc_insn *p, unsigned n, const struct dc_rules *r)
{
	return dc_check_at(p, n, r, NULL);
}

unsigned dc_blocks(const struct dc_insn *p, unsigned n)
{
	unsigned b = 0;
	for (unsigned k = 0; k < n; k++)
		b += (p[k].op & 0xf0) == 0x90;
	return b;
}

/* Bytes accessed by load/store op (its low 3 bits: B, H, W, HN, WN). */
static unsigned access_size(unsigned op)
{
	static const u8 size[5] = { 1, 2, 4, 2, 4 };
	return size[op & 7];
}

/* Whether op (a load or store) is one of the big-endian forms. */
static bool access_big_endian(unsigned op)
{
	return (op & 7) >= 3;
}

/* The address of an access of size bytes at x in window w, or NULL if it
 * does not lie inside the window. Overflow-safe: x < len and len - x >= size. */
static u8 *window_at(const struct dc_win *w, u32 x, unsigned size)
{
	if (x >= w->len || w->len - x < size)
		return NULL;
	return (u8 *)w->base + x;
}

/* Whether len bytes at x lie inside window w (len <= w->len and x <= w->len
 * - len: no sum that could overflow; len 0 at x = w->len is inside); if so
 * *a = their address. */
static bool window_range(const struct dc_win *w, u32 x, u32 len, u8 **a)
{
	if (len > w->len || x > w->len - len)
		return false;
	*a = (u8 *)w->base + x;
	return true;
}

/* The block instructions' work: len bytes at s added to sum as big-endian
 * pairs (dc_csum_add), and copied to d unless d is NULL (DC_CSUM), in the order the
 * compiled code uses: read byte k, write it, read byte k + 1, write it. */
static u32 block(const u8 *s, u8 *d, u32 len, u32 sum)
{
	for (u32 k = 0; k < len; k += 2) {
		u32 hi = s[k], lo = 0;
		if (d)
			d[k] = (u8)hi;
		if (k + 1 < len) {
			lo = s[k + 1];
			if (d)
				d[k + 1] = (u8)lo;
		}
		sum = dc_csum_add(sum, hi << 8 | lo);
	}
	return sum;
}

/* Read size bytes at a, little- or big-endian, byte by byte (a may be
 * unaligned). */
static u32 get_bytes(const u8 *a, unsigned size, bool big)
{
	u32 v = 0;
	for (unsigned k = 0; k < size; k++)
		v |= (u32)a[big ? size - 1 - k : k] << (8 * k);
	return v;
}

/* Write the low size bytes of v at a, little- or big-endian. */
static void put_bytes(u8 *a, unsigned size, bool big, u32 v)
{
	for (unsigned k = 0; k < size; k++)
		a[big ? size - 1 - k : k] = (u8)(v >> (8 * k));
}

/* dst OP b for the ALU ops (reg and imm forms share the low nibble). */
static u32 alu(unsigned op, u32 a, u32 b)
{
	switch (op & 0x0f) {
	case DC_ADD: return a + b;
	case DC_SUB: return a - b;
	case DC_AND: return a & b;
	case DC_OR:  return a | b;
	case DC_XOR: return a ^ b;
	case DC_SHL: return a << (b & 31);
	case DC_SHR: return a >> (b & 31);
	case DC_MUL: return a * b;
	default:     return b;          /* MOV, LDI */
	}
}

/* Whether a jump's condition holds for dst value a and operand b. */
static bool cond(unsigned op, u32 a, u32 b)
{
	switch (op & 0x0f) {
	case DC_JEQ & 0x0f:  return a == b;
	case DC_JNE & 0x0f:  return a != b;
	case DC_JLT & 0x0f:  return a < b;
	case DC_JLE & 0x0f:  return a <= b;
	case DC_JGT & 0x0f:  return a > b;
	case DC_JGE & 0x0f:  return a >= b;
	case DC_JSET & 0x0f: return (a & b) != 0;
	default:             return true;       /* JA */
	}
}

#define DC_FAULT ((u64)1 << 32)

u64 dc_interp(const struct dc_insn *p, unsigned n, const struct dc_win *w)
{
	u32 r[DC_NREG] = { 0 };
	for (unsigned pc = 0; pc < n; pc++) {
		const struct dc_insn *i = &p[pc];
		unsigned op = i->op, d = DC_DST(i);
		u32 src = r[DC_SRC(i)];
		switch (op & 0xf0) {
		case 0x00:                      /* ALU, reg form */
			r[d] = alu(op, r[d], src);
			break;
		case 0x10:                      /* ALU, imm form */
			r[d] = alu(op, r[d], i->imm);
			break;
		case 0x20: case 0x30:           /* loads */
		case 0x40: case 0x50: {         /* stores */
			u32 x = (op & 0x10) ? i->imm : src + i->imm;
			unsigned size = access_size(op);
			u8 *a = window_at(&w[i->off], x, size);
			if (!a)
				return DC_FAULT;
			if (op < 0x40)
				r[d] = get_bytes(a, size, access_big_endian(op));
			else
				put_bytes(a, size, access_big_endian(op), r[d]);
			break;
		}
		case 0x60: case 0x70:           /* jumps */
			if (cond(op, r[d], (op & 0x10) ? i->imm : src))
				pc += i->off;
			break;
		case 0x90: {                    /* COPY, CSUM: len = src */
			u8 *from, *to = NULL;
			if (!window_range(&w[i->off & 15], r[i->imm & 15], src, &from) ||
			    (op == DC_COPY && !window_range(&w[i->off >> 4], r[i->imm >> 4], src, &to)))
				return DC_FAULT;
			r[d] = block(from, to, src, r[d]);
			break;
		}
		default:                        /* RET, RETI */
			return op == DC_RET ? src : i->imm;
		}
	}
	return DC_FAULT;        /* not reached by a checked program */
}
