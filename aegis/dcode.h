/*
 * dcode.h: the one engine for code a library OS downloads into the kernel
 * (packet filters, ASHs, XN's deterministic functions, wakeup predicates).
 * A program is an array of 8-byte instructions over eight 32-bit registers
 * and up to DC_MAXWIN windows of memory. dc_check decides whether a program
 * is safe under a client's rules; a checked program can then be interpreted
 * (dc_interp) or compiled to MIPS32r2 (dc_compile, dc_install): both give
 * exactly the same result. Control flow only goes forward, so a checked
 * program of n instructions runs at most n of them. Every memory access is
 * bounds-checked at run time against its window; an access outside ends the
 * program as a fault. The language, its encoding and the safety argument:
 * docs/dcode.md.
 *
 * Pure logic (dcode.c, dcode_mips.c) builds in the kernel and natively on the
 * host (compile with -DDCODE_HOST there: only dc_install is left out).
 */
#ifndef AEGIS_DCODE_H
#define AEGIS_DCODE_H
#include "types.h"      /* u8..u64 from <stdint.h>: the same in kernel and host */
#include "abi.h"        /* E_INVAL, E_NOMEM */

#define DC_MAXWIN   4        /* windows a program may address: 0..DC_MAXWIN-1 */
#define DC_NREG     8        /* registers r0..r7, 32-bit, all zero at entry */
#define DC_MAXLEN   4096     /* hard upper bound on a program's length (clients pass lower ones) */
#define DC_R 1               /* window flags: readable, writable */
#define DC_W 2

/* Errors (negative, usable as system-call results). */
#define DC_EINVAL  (-E_INVAL)   /* dc_check: the program is unsafe or malformed; dc_compile:
				   a jump spans more code than a MIPS branch reaches */
#define DC_ENOSPC  (-E_NOMEM)   /* dc_compile: the code buffer is too small */

/* One instruction: dst = regs & 15, src = regs >> 4; off is a window index
 * (loads, stores) or a forward jump distance (jumps); imm a 32-bit constant.
 * Fields an op does not use must be zero. */
struct dc_insn { u8 op; u8 regs; u16 off; u32 imm; };
#define DC_DST(i)  ((i)->regs & 15)
#define DC_SRC(i)  ((i)->regs >> 4)
/* An instruction as a constant expression: DC_INSN(DC_ADDI, 1, 0, 0, 5). */
#define DC_INSN(op, dst, src, off, imm) \
	{ (u8)(op), (u8)((dst) | (src) << 4), (u16)(off), (u32)(imm) }

/* A window: len bytes of memory at base. On MIPS base is a kernel (kseg0)
 * address, at offset 0, and len is at offset 4: the compiled code relies on
 * that layout. On the host base holds a host pointer. */
struct dc_win { uintptr_t base; u32 len; };

/* What a client allows: at most max_insns instructions (<= DC_MAXLEN),
 * windows 0..nwin-1 (nwin <= DC_MAXWIN), window k accessible as
 * win_flags[k] (DC_R, DC_W) says, and at most max_blocks block
 * instructions (DC_COPY, DC_CSUM; 0 when the initialiser leaves it out, so
 * a client that does not ask for them never gets them). */
struct dc_rules { unsigned max_insns; unsigned nwin; u8 win_flags[DC_MAXWIN]; unsigned max_blocks; };

/*
 * Op codes. "Reg" forms use src, "imm" forms use imm instead (the imm form
 * of an ALU op or jump is the reg form | 0x10). Comparisons are unsigned;
 * shift amounts are taken mod 32; MUL keeps the low 32 bits. Loads and
 * stores address byte src + imm (mod 2^32) of window off, or byte imm in the
 * absolute forms (...A); H and W are little-endian, HN and WN big-endian
 * (network order); loads zero-extend. A jump whose condition holds continues
 * at pc + 1 + off.
 */
enum {
	DC_ADD   = 0x01,  /* dst = dst + src */
	DC_SUB   = 0x02,  /* dst = dst - src */
	DC_AND   = 0x03,  /* dst = dst & src */
	DC_OR    = 0x04,  /* dst = dst | src */
	DC_XOR   = 0x05,  /* dst = dst ^ src */
	DC_SHL   = 0x06,  /* dst = dst << (src & 31) */
	DC_SHR   = 0x07,  /* dst = dst >> (src & 31), logical */
	DC_MUL   = 0x08,  /* dst = low 32 bits of dst * src */
	DC_MOV   = 0x09,  /* dst = src */
	DC_ADDI  = 0x11,  /* dst = dst + imm */
	DC_SUBI  = 0x12,  /* dst = dst - imm */
	DC_ANDI  = 0x13,  /* dst = dst & imm */
	DC_ORI   = 0x14,  /* dst = dst | imm */
	DC_XORI  = 0x15,  /* dst = dst ^ imm */
	DC_SHLI  = 0x16,  /* dst = dst << (imm & 31) */
	DC_SHRI  = 0x17,  /* dst = dst >> (imm & 31), logical */
	DC_MULI  = 0x18,  /* dst = low 32 bits of dst * imm */
	DC_LDI   = 0x19,  /* dst = imm */

	DC_LDB   = 0x20,  /* dst = win[off] byte at src + imm */
	DC_LDH   = 0x21,  /* dst = win[off] 16 bits LE at src + imm */
	DC_LDW   = 0x22,  /* dst = win[off] 32 bits LE at src + imm */
	DC_LDHN  = 0x23,  /* dst = win[off] 16 bits BE at src + imm */
	DC_LDWN  = 0x24,  /* dst = win[off] 32 bits BE at src + imm */
	DC_LDBA  = 0x30,  /* dst = win[off] byte at imm */
	DC_LDHA  = 0x31,  /* dst = win[off] 16 bits LE at imm */
	DC_LDWA  = 0x32,  /* dst = win[off] 32 bits LE at imm */
	DC_LDHNA = 0x33,  /* dst = win[off] 16 bits BE at imm */
	DC_LDWNA = 0x34,  /* dst = win[off] 32 bits BE at imm */
	DC_STB   = 0x40,  /* win[off] byte at src + imm = dst */
	DC_STH   = 0x41,  /* win[off] 16 bits LE at src + imm = dst */
	DC_STW   = 0x42,  /* win[off] 32 bits LE at src + imm = dst */
	DC_STHN  = 0x43,  /* win[off] 16 bits BE at src + imm = dst */
	DC_STWN  = 0x44,  /* win[off] 32 bits BE at src + imm = dst */
	DC_STBA  = 0x50,  /* win[off] byte at imm = dst */
	DC_STHA  = 0x51,  /* win[off] 16 bits LE at imm = dst */
	DC_STWA  = 0x52,  /* win[off] 32 bits LE at imm = dst */
	DC_STHNA = 0x53,  /* win[off] 16 bits BE at imm = dst */
	DC_STWNA = 0x54,  /* win[off] 32 bits BE at imm = dst */

	DC_JEQ   = 0x60,  /* if dst == src: pc += off */
	DC_JNE   = 0x61,  /* if dst != src: pc += off */
	DC_JLT   = 0x62,  /* if dst <  src: pc += off */
	DC_JLE   = 0x63,  /* if dst <= src: pc += off */
	DC_JGT   = 0x64,  /* if dst >  src: pc += off */
	DC_JGE   = 0x65,  /* if dst >= src: pc += off */
	DC_JSET  = 0x66,  /* if dst & src: pc += off */
	DC_JA    = 0x67,  /* pc += off */
	DC_JEQI  = 0x70,  /* if dst == imm: pc += off */
	DC_JNEI  = 0x71,  /* if dst != imm: pc += off */
	DC_JLTI  = 0x72,  /* if dst <  imm: pc += off */
	DC_JLEI  = 0x73,  /* if dst <= imm: pc += off */
	DC_JGTI  = 0x74,  /* if dst >  imm: pc += off */
	DC_JGEI  = 0x75,  /* if dst >= imm: pc += off */
	DC_JSETI = 0x76,  /* if dst & imm: pc += off */

	DC_RET   = 0x80,  /* return src */
	DC_RETI  = 0x81,  /* return imm */

	/* Block instructions: len = src bytes of window off & 15 at register
	 * imm & 15 (the source), added to dst as an Internet checksum sum
	 * (DC_CSUM_ADD of each big-endian byte pair; an odd last byte is the
	 * high byte of a pair with 0), and for DC_COPY also copied to window
	 * off >> 4 at register imm >> 4, byte by byte in ascending order. The
	 * whole range must lie inside each window, else a fault before any
	 * byte moves. Cost: at most len steps, len <= the source window's
	 * length. */
	DC_COPY  = 0x90,  /* off = swin | dwin << 4, imm = sreg | dreg << 4 */
	DC_CSUM  = 0x91,  /* off = swin, imm = sreg */
};

/* One step of the Internet checksum sum in 32 bits: a + b with the carry
 * out of bit 31 added back (ones' complement addition). */
static inline u32 dc_csum_add(u32 a, u32 b)
{
	a += b;
	return a + (a < b);
}

/* Is op a load (DC_LD*: the reg-indexed 0x2x and absolute 0x3x forms)? */
static inline bool dc_is_load(u8 op)
{
	return (op & 0xe0) == 0x20;
}

/* dcode.c */
/* Check program p[0..n-1] against rules r. Returns 0 if it is safe: n is
 * 1..min(r->max_insns, DC_MAXLEN), r->nwin <= DC_MAXWIN, every op is known,
 * every register field it uses is < DC_NREG and every field it does not use
 * is zero, every window it uses is < r->nwin and has the flag it needs
 * (DC_R for loads and block sources, DC_W for stores and DC_COPY's
 * destination), there are at most r->max_blocks block instructions, every
 * jump lands inside the program and the last instruction is RET or RETI.
 * Otherwise DC_EINVAL. A checked program then runs at most n instructions,
 * and its block instructions move at most r->max_blocks times the longest
 * source window's length in bytes. */
int dc_check(const struct dc_insn *p, unsigned n, const struct dc_rules *r);
/* dc_check, and if it fails and bad is not NULL, *bad = the index of the
 * first bad instruction (n if the program's length or the rules are bad). */
int dc_check_at(const struct dc_insn *p, unsigned n, const struct dc_rules *r, unsigned *bad);
/* How many block instructions (DC_COPY, DC_CSUM) p[0..n-1] has. */
unsigned dc_blocks(const struct dc_insn *p, unsigned n);
/* Run checked program p over windows w[0..nwin-1]. Low 32 bits: the value
 * returned; high 32 bits: 0 if it ran to RET/RETI, 1 if an access fell
 * outside its window (then the low bits are 0). Stores done before a fault
 * stay done. */
u64 dc_interp(const struct dc_insn *p, unsigned n, const struct dc_win *w);

/* dcode_mips.c */
/* Compiled code: a leaf function (o32: a0 = w; the u64 comes back in v0, the
 * low word, and v1, the high word) with exactly dc_interp's results. */
typedef u64 (*dc_fn)(const struct dc_win *w);
/* An upper bound on dc_compile's output for n instructions of which none
 * is a block instruction, in words: 12 words of entry, fault exit and
 * register zeroing, at most 15 per instruction, and a 4-word fault exit per
 * more than 1000 instructions. DC_CODE_WORDS_BLK: the bound for n
 * instructions of which at most b are block instructions (at most 41 words
 * each). */
#define DC_CODE_WORDS(n) (12u + 16u * (n))
#define DC_BLOCK_EXTRA 32u
#define DC_CODE_WORDS_BLK(n, b) (DC_CODE_WORDS(n) + DC_BLOCK_EXTRA * (b))
/* Compile checked program p[0..n-1] into buf[0..bufwords-1] as MIPS32r2
 * code. Returns the number of words written; DC_ENOSPC if buf is too small
 * (never more than DC_CODE_WORDS_BLK(n, its block instructions) are
 * needed; nothing past bufwords is
 * written); DC_EINVAL if a jump spans more than 32767 words of code (only
 * possible for programs of thousands of instructions). */
int dc_compile(const struct dc_insn *p, unsigned n, u32 *buf, unsigned bufwords);
#ifndef DCODE_HOST
/* Make words code words at buf (in kseg0) executable: write back the data
 * cache, invalidate the instruction cache, clear the instruction hazard.
 * Returns buf as a function. */
dc_fn dc_install(u32 *buf, unsigned words);
#endif

/* dcode_rand.c: programs for tests */
/* Draw *rules (max_insns maxn, 1..DC_MAXWIN windows, each readable and
 * seven times in eight writable, 0..3 block instructions allowed) and a
 * random program p[0..n-1] of 1..maxn
 * instructions over those windows: mostly well-formed, jumps in range, RET
 * or RETI last, but about one instruction in 24 has a garbled field so that
 * checkers meet bad programs too. Draws from the xorshift32 state *seed.
 * Returns n. */
unsigned dc_random_program(struct dc_insn *p, unsigned maxn, struct dc_rules *rules, u32 *seed);

#endif
