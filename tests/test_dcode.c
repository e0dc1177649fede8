/*
 * test_dcode.c: host-side unit tests of the dcode engine (aegis/dcode.c,
 * dcode_mips.c, dcode_rand.c), built with AddressSanitizer and UBSan: the
 * checker's rules, the interpreter's semantics and bounds (windows are
 * exactly-sized heap blocks), the code generator's sizes, encodings, branch
 * targets and buffer limits. The compiled code itself runs on the board
 * (aegis/ktest.c, test dcode_compiled_vs_interp). Prints KTAP.
 */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include "../aegis/dcode.h"
#include "../lib/lib.h"
#include "ktap.h"


#define I(op, d, s, off, imm) DC_INSN(DC_##op, d, s, off, imm)
#define N(prog) ((unsigned)(sizeof prog / sizeof prog[0]))
#define FAULT ((u64)1 << 32)

static const struct dc_rules rules_rw = { 64, 2, { DC_R | DC_W, DC_R }, 0 };

/* Run prog (checked first) over windows w. */
static u64 run(const struct dc_insn *p, unsigned n, const struct dc_win *w)
{
	unsigned bad = 99;
	int rc = dc_check_at(p, n, &rules_rw, &bad);
	if (rc != 0) {
		printf("# program rejected at %u\n", bad);
		failed_checks++;
		return ~0ull;
	}
	return dc_interp(p, n, w);
}

/* The index dc_check_at reports for p under r, or -1 if it accepts. */
static int bad_at(const struct dc_insn *p, unsigned n, const struct dc_rules *r)
{
	unsigned bad = 12345;
	int rc = dc_check_at(p, n, r, &bad);
	if (rc != 0 && rc != DC_EINVAL)
		return -2;
	return rc == 0 ? -1 : (int)bad;
}

static void test_check_rules(void)
{
	const struct dc_rules r = rules_rw, tiny = { 2, 1, { DC_R }, 0 };
	struct dc_insn ok[] = { I(LDI, 1, 0, 0, 7), I(LDB, 2, 1, 0, 3), I(STW, 2, 1, 0, 0),
				I(JEQI, 2, 0, 1, 9), I(RET, 0, 2, 0, 0), I(RETI, 0, 0, 0, 1) };
	CHECK(bad_at(ok, N(ok), &r) == -1);
	CHECK(dc_check(ok, N(ok), &r) == 0);
	CHECK(bad_at(ok, 0, &r) == 0);                          /* empty */
	CHECK(bad_at(ok, 5, &r) == 3);                          /* JEQI lands past the end */
	CHECK(bad_at(ok, 3, &r) == 2);                          /* last is not RET */
	CHECK(bad_at(ok, N(ok), &tiny) == N(ok));               /* longer than max_insns */
	struct dc_rules many = r;
	many.max_insns = DC_MAXLEN + 1;
	CHECK(bad_at(ok, DC_MAXLEN + 1, &many) == DC_MAXLEN + 1);
	many.nwin = DC_MAXWIN + 1;
	CHECK(bad_at(ok, N(ok), &many) == N(ok));               /* bad rules */
	/* Each instruction below is bad in exactly one way; it goes at index 1. */
	const struct dc_insn bad[] = {
		{ 0x00, 0, 0, 0 },                       /* op 0 is not an op */
		{ 0x0a, 0, 0, 0 }, { 0x1a, 0, 0, 0 }, { 0x25, 0, 0, 0 }, { 0x68, 0, 0, 0 },
		{ 0x82, 0, 0, 0 }, { 0xff, 0, 0, 0 },    /* unknown ops */
		I(ADD, 8, 0, 0, 0), I(ADD, 0, 9, 0, 0), I(ADD, 0, 0, 0, 1), I(ADD, 0, 0, 1, 0),
		I(ADDI, 0, 1, 0, 5), I(ADDI, 0, 0, 1, 5), I(LDI, 15, 0, 0, 0),
		I(LDB, 0, 0, 2, 0), I(LDB, 0, 0, 5, 0), I(LDBA, 0, 3, 0, 0),
		I(STB, 0, 0, 1, 0),                      /* window 1 is read-only */
		I(STWA, 0, 1, 0, 4), I(JEQ, 0, 0, 0, 1), I(JEQI, 0, 2, 0, 1),
		I(JA, 1, 0, 0, 0), I(JA, 0, 0, 0, 1), I(JA, 0, 0, 3, 0),
		I(RET, 1, 0, 0, 0), I(RET, 0, 0, 1, 0), I(RET, 0, 0, 0, 1), I(RETI, 0, 1, 0, 1),
	};
	for (unsigned k = 0; k < N(bad); k++) {
		struct dc_insn p[4] = { I(LDI, 0, 0, 0, 1), bad[k], I(RETI, 0, 0, 0, 0),
					I(RET, 0, 0, 0, 0) };
		int at = bad_at(p, 4, &r);
		if (at != 1)
			printf("# bad case %u: op %02x reported at %d\n", k, bad[k].op, at);
		CHECK(at == 1);
	}
	/* Windows without the right: loads need DC_R, stores DC_W. */
	const struct dc_rules wonly = { 8, 1, { DC_W }, 0 };
	struct dc_insn ld[] = { I(LDBA, 0, 0, 0, 0), I(RET, 0, 0, 0, 0) };
	struct dc_insn st[] = { I(STBA, 0, 0, 0, 0), I(RET, 0, 0, 0, 0) };
	CHECK(bad_at(ld, 2, &wonly) == 0 && bad_at(st, 2, &wonly) == -1);
	/* dc_check_at with no out parameter. */
	CHECK(dc_check_at(ok, 3, &r, NULL) == DC_EINVAL);
}

/* Block instructions: their nibble fields, window rights and the count
 * the rules allow (none unless max_blocks says so). */
static void test_check_blocks(void)
{
	struct dc_rules r = rules_rw;            /* window 0 read-write, 1 read-only */
	r.max_blocks = 2;
	const struct dc_insn good[] = {
		I(COPY, 0, 1, 0x01, 2 | 3 << 4),     /* window 1 -> 0 */
		I(COPY, 7, 7, 0x00, 7 | 7 << 4),     /* onto itself */
		I(CSUM, 0, 1, 1, 2), I(CSUM, 3, 3, 0, 3),
	};
	for (unsigned k = 0; k < N(good); k++) {
		struct dc_insn p[2] = { good[k], I(RET, 0, 0, 0, 0) };
		CHECK(bad_at(p, 2, &r) == -1);
		CHECK(bad_at(p, 2, &rules_rw) == 0);   /* max_blocks 0 */
	}
	const struct dc_insn bad[] = {
		I(COPY, 0, 1, 0x10, 0),              /* destination window 1 is read-only */
		I(COPY, 0, 1, 0x02, 0),              /* source window 2 does not exist */
		I(COPY, 0, 1, 0x20, 0),              /* nor destination window 2 */
		I(COPY, 0, 1, 0x100, 0),             /* a bit of off past the nibbles */
		I(COPY, 0, 1, 0, 8),                 /* source register 8 */
		I(COPY, 0, 1, 0, 8 << 4),            /* destination register 8 */
		I(COPY, 0, 1, 0, 0x100),             /* a bit of imm past the nibbles */
		I(COPY, 8, 1, 0, 0), I(COPY, 0, 8, 0, 0),
		I(CSUM, 0, 1, 0x10, 0),              /* CSUM has no destination */
		I(CSUM, 0, 1, 0, 1 << 4),
		I(CSUM, 0, 1, 2, 0), I(CSUM, 0, 1, 0, 8),
		{ 0x92, 0, 0, 0 },                   /* unknown */
	};
	for (unsigned k = 0; k < N(bad); k++) {
		struct dc_insn p[3] = { I(LDI, 0, 0, 0, 1), bad[k], I(RET, 0, 0, 0, 0) };
		int at = bad_at(p, 3, &r);
		if (at != 1)
			printf("# bad block case %u reported at %d\n", k, at);
		CHECK(at == 1);
	}
	const struct dc_rules wonly = { 8, 1, { DC_W }, 1 };    /* the source needs DC_R */
	struct dc_insn cs[] = { I(CSUM, 0, 1, 0, 0), I(RET, 0, 0, 0, 0) };
	CHECK(bad_at(cs, 2, &wonly) == 0);
	/* Three blocks where two are allowed: the third is reported. */
	struct dc_insn three[] = { I(CSUM, 0, 1, 0, 0), I(CSUM, 0, 1, 0, 0), I(LDI, 1, 0, 0, 0),
				   I(CSUM, 0, 1, 0, 0), I(RET, 0, 0, 0, 0) };
	CHECK(bad_at(three, 5, &r) == 3);
	CHECK(dc_blocks(three, 5) == 3 && dc_blocks(three, 2) == 2);
	r.max_blocks = 3;
	CHECK(bad_at(three, 5, &r) == -1);
}

static void test_interp_alu(void)
{
	struct dc_insn p[] = {
		I(LDI, 0, 0, 0, 0xfffffff0u), I(ADDI, 0, 0, 0, 0x20),        /* r0 = 0x10 (wraps) */
		I(LDI, 1, 0, 0, 3), I(SUB, 1, 0, 0, 0),                       /* r1 = 3 - 16 */
		I(MOV, 2, 1, 0, 0), I(MULI, 2, 0, 0, 0x10001),                /* r2 = r1 * 0x10001 */
		I(LDI, 3, 0, 0, 33), I(LDI, 4, 0, 0, 1), I(SHL, 4, 3, 0, 0),  /* 1 << (33 & 31) */
		I(SHRI, 2, 0, 0, 36),                                         /* r2 >> 4 */
		I(XOR, 2, 4, 0, 0), I(ORI, 2, 0, 0, 0x80000000u),
		I(ANDI, 2, 0, 0, 0xf000ffffu), I(SUBI, 2, 0, 0, 0x10000),
		I(MUL, 2, 4, 0, 0), I(SHR, 2, 4, 0, 0), I(XORI, 2, 0, 0, 1),
		I(SHLI, 1, 0, 0, 31), I(ADD, 2, 1, 0, 0),
		I(RET, 0, 2, 0, 0),
	};
	u32 r1 = 3u - 16, r2 = r1 * 0x10001u;
	r2 >>= 4;
	r2 ^= 2;
	r2 |= 0x80000000u;
	r2 &= 0xf000ffffu;
	r2 -= 0x10000;
	r2 *= 2;
	r2 >>= 2;
	r2 ^= 1;
	r2 += r1 << 31;
	CHECK(run(p, N(p), NULL) == r2);
	struct dc_insn z[] = { I(ADD, 7, 6, 0, 0), I(RET, 0, 7, 0, 0) };       /* zero at entry */
	CHECK(run(z, N(z), NULL) == 0);
	struct dc_insn k[] = { I(RETI, 0, 0, 0, 0xdeadbeefu) };
	CHECK(run(k, N(k), NULL) == 0xdeadbeefu);
}

/* Windows over exactly-sized heap blocks (ASan sees any stray access):
 * window 0 (read/write) holds a0[0..l0-1], window 1 (read-only) a1. */
static void set_windows(struct dc_win w[2], u8 **blk, const u8 *a0, u32 l0, const u8 *a1, u32 l1)
{
	blk[0] = malloc(l0 ? l0 : 1);
	blk[1] = malloc(l1 ? l1 : 1);
	memcpy(blk[0], a0, l0);
	memcpy(blk[1], a1, l1);
	w[0] = (struct dc_win){ (uintptr_t)blk[0], l0 };
	w[1] = (struct dc_win){ (uintptr_t)blk[1], l1 };
}

static void test_interp_memory(void)
{
	static const u8 pkt[7] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77 };
	u8 *blk[2];
	struct dc_win w[2];
	set_windows(w, blk, pkt, 7, pkt, 7);
	struct { struct dc_insn ld; u64 want; } c[] = {
		{ I(LDBA, 0, 0, 1, 6), 0x77 },
		{ I(LDBA, 0, 0, 1, 7), FAULT },                 /* one past the end */
		{ I(LDHA, 0, 0, 1, 1), 0x3322 },                /* unaligned, little-endian */
		{ I(LDHNA, 0, 0, 1, 1), 0x2233 },               /* big-endian */
		{ I(LDHA, 0, 0, 1, 5), 0x7766 },
		{ I(LDHA, 0, 0, 1, 6), FAULT },                 /* runs one byte past */
		{ I(LDWA, 0, 0, 1, 3), 0x77665544 },
		{ I(LDWNA, 0, 0, 1, 1), 0x22334455 },
		{ I(LDWA, 0, 0, 1, 4), FAULT },
		{ I(LDWA, 0, 0, 1, 0xfffffffeu), FAULT },       /* imm + 4 overflows */
		{ I(LDB, 0, 1, 1, 0), 0x11 + 0 * 0 },           /* r1 = 0 */
		{ I(LDB, 0, 1, 1, 0xffffffffu), FAULT },        /* 0 + imm = 2^32 - 1 */
	};
	for (unsigned k = 0; k < N(c); k++) {
		struct dc_insn p[] = { c[k].ld, I(RET, 0, 0, 0, 0) };
		u64 got = run(p, N(p), w);
		if (got != c[k].want)
			printf("# case %u: got %llx\n", k, (unsigned long long)got);
		CHECK(got == c[k].want);
	}
	/* src + imm wraps mod 2^32 before the check: 0xffffffff + 3 = 2. */
	struct dc_insn wrap[] = { I(LDI, 1, 0, 0, 0xffffffffu), I(LDH, 0, 1, 1, 3), I(RET, 0, 0, 0, 0) };
	CHECK(run(wrap, N(wrap), w) == 0x4433);
	/* A huge index with a length near 2^32 must not pass by overflow. */
	struct dc_insn huge[] = { I(LDI, 1, 0, 0, 0xfffffffeu), I(LDW, 0, 1, 1, 0), I(RET, 0, 0, 0, 0) };
	CHECK(run(huge, N(huge), w) == FAULT);
	/* Stores: little- and big-endian, unaligned; a fault keeps earlier stores. */
	struct dc_insn st[] = {
		I(LDI, 0, 0, 0, 0xa1b2c3d4u), I(STWA, 0, 0, 0, 1), I(STHNA, 0, 0, 0, 5),
		I(LDI, 1, 0, 0, 6), I(STB, 0, 1, 0, 0), I(STB, 0, 1, 0, 1), I(RETI, 0, 0, 0, 5),
	};
	CHECK(run(st, N(st), w) == FAULT);
	static const u8 after[7] = { 0x11, 0xd4, 0xc3, 0xb2, 0xa1, 0xc3, 0xd4 };
	CHECK(memcmp(blk[0], after, 7) == 0);
	CHECK(memcmp(blk[1], pkt, 7) == 0);
	struct dc_insn sth[] = { I(LDI, 0, 0, 0, 0xbeef), I(STHA, 0, 0, 0, 0), I(STWNA, 0, 0, 0, 3),
				 I(RETI, 0, 0, 0, 5) };
	CHECK(run(sth, N(sth), w) == 5);
	static const u8 after2[7] = { 0xef, 0xbe, 0xc3, 0x00, 0x00, 0xbe, 0xef };
	CHECK(memcmp(blk[0], after2, 7) == 0);
	free(blk[0]);
	free(blk[1]);
	/* Empty windows: every access faults. */
	set_windows(w, blk, pkt, 0, pkt, 0);
	struct dc_insn e[] = { I(LDBA, 0, 0, 1, 0), I(RET, 0, 0, 0, 0) };
	CHECK(run(e, N(e), w) == FAULT);
	free(blk[0]);
	free(blk[1]);
}

/* RFC 1071's sum, folded to 16 bits: the reference for the block
 * instructions' checksum. */
static u32 ref_sum(const u8 *b, u32 len, u32 start)
{
	u64 s = start;
	for (u32 k = 0; k < len; k += 2)
		s += (u32)b[k] << 8 | (k + 1 < len ? b[k + 1] : 0);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (u32)s;
}

static u32 fold(u32 s)
{
	s = (s & 0xffff) + (s >> 16);
	return (s & 0xffff) + (s >> 16);
}

static void test_interp_blocks(void)
{
	struct dc_rules r = rules_rw;
	r.max_blocks = 2;
	/* RFC 1071's example: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2. */
	static const u8 ex[8] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	u8 *blk[2];
	struct dc_win w[2];
	set_windows(w, blk, (const u8[16]){ 0 }, 16, ex, 8);
	/* r1 = len 8, r2 = source 0, r3 = destination 5: copy window 1 to 0. */
	struct dc_insn p[] = { I(LDI, 1, 0, 0, 8), I(LDI, 3, 0, 0, 5), I(COPY, 0, 1, 0x01, 2 | 3 << 4),
			       I(RET, 0, 0, 0, 0) };
	CHECK(dc_check(p, N(p), &r) == 0);
	u64 v = dc_interp(p, N(p), w);
	CHECK(v == 0x2ddf0 && fold((u32)v) == 0xddf2 && ref_sum(ex, 8, 0) == 0xddf2);
	CHECK(memcmp(blk[0] + 5, ex, 8) == 0 && blk[0][4] == 0 && blk[0][13] == 0);
	/* An odd length: the last byte is a high byte. */
	p[0].imm = 7;
	CHECK(dc_interp(p, N(p), w) == 0x2dcf9 && fold(0x2dcf9) == ref_sum(ex, 7, 0));
	/* The carry out of bit 31 comes back in: start at 0xffffffff. */
	struct dc_insn c[] = { I(LDI, 0, 0, 0, 0xffffffffu), I(LDI, 1, 0, 0, 8), I(CSUM, 0, 1, 1, 2),
			       I(RET, 0, 0, 0, 0) };
	CHECK(dc_check(c, N(c), &r) == 0);
	CHECK(dc_interp(c, N(c), w) == 0x2ddf0);          /* 0xffffffff is ones' complement 0 */
	/* Out of a window: a fault before any byte moves. Length 9 from a
	 * window of 8; destination 9 + 8 > 16; an offset near 2^32. */
	memset(blk[0], 0x11, 16);
	u32 cases[][3] = { { 9, 0, 0 }, { 8, 0, 9 }, { 8, 0xfffffffcu, 0 }, { 0xffffffffu, 0, 0 },
			   { 1, 8, 0 } };
	for (unsigned k = 0; k < N(cases); k++) {
		struct dc_insn q[] = { I(LDI, 1, 0, 0, cases[k][0]), I(LDI, 2, 0, 0, cases[k][1]),
				       I(LDI, 3, 0, 0, cases[k][2]), I(COPY, 0, 1, 0x01, 2 | 3 << 4),
				       I(RETI, 0, 0, 0, 1) };
		CHECK(dc_interp(q, N(q), w) == FAULT);
	}
	CHECK(blk[0][0] == 0x11 && blk[0][15] == 0x11);
	/* Length 0 at the very end of both windows: nothing moves, no fault. */
	struct dc_insn z[] = { I(LDI, 2, 0, 0, 8), I(LDI, 3, 0, 0, 16), I(COPY, 0, 1, 0x01, 2 | 3 << 4),
			       I(RETI, 0, 0, 0, 3) };
	CHECK(dc_interp(z, N(z), w) == 3);
	/* The sum, length and offset registers may be one: r1 is all three. */
	struct dc_insn one[] = { I(LDI, 1, 0, 0, 4), I(COPY, 1, 1, 0x00, 1 | 1 << 4), I(RET, 0, 1, 0, 0) };
	CHECK(dc_check(one, N(one), &r) == 0);
	memcpy(blk[0], "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	CHECK(dc_interp(one, N(one), w) == 4 + 0x0506 + 0x0708);
	/* A copy onto its own window shifted by one repeats the first byte
	 * (byte by byte, ascending), and sums what it read. */
	struct dc_insn sh[] = { I(LDI, 1, 0, 0, 5), I(LDI, 3, 0, 0, 1), I(COPY, 0, 1, 0x00, 2 | 3 << 4),
				I(RET, 0, 0, 0, 0) };
	CHECK(dc_interp(sh, N(sh), w) == 0x0101 + 0x0101 + 0x0100);
	CHECK(memcmp(blk[0], "\x01\x01\x01\x01\x01\x01\x07", 7) == 0);
	free(blk[0]);
	free(blk[1]);
}

static void test_interp_jumps(void)
{
	/* r0 = 5, r1 = 7: each jump skips RETI 1 and lands on RETI 2 if taken. */
	static const struct { u8 op; u32 imm; bool taken; } c[] = {
		{ DC_JEQ, 0, false }, { DC_JNE, 0, true }, { DC_JLT, 0, true }, { DC_JLE, 0, true },
		{ DC_JGT, 0, false }, { DC_JGE, 0, false }, { DC_JSET, 0, true }, { DC_JA, 0, true },
		{ DC_JEQI, 5, true }, { DC_JNEI, 5, false }, { DC_JLTI, 5, false }, { DC_JLEI, 5, true },
		{ DC_JGTI, 4, true }, { DC_JGEI, 6, false }, { DC_JSETI, 2, false },
		{ DC_JSETI, 0xffff0004u, true }, { DC_JLTI, 0xffffffffu, true },
		{ DC_JGTI, 0xffffffffu, false }, { DC_JEQI, 0, false },
	};
	for (unsigned k = 0; k < N(c); k++) {
		bool imm = c[k].op & 0x10;
		struct dc_insn j = { c[k].op, (u8)(c[k].op == DC_JA ? 0 : imm ? 0 : 0x10), 1, c[k].imm };
		struct dc_insn p[] = { I(LDI, 0, 0, 0, 5), I(LDI, 1, 0, 0, 7), j,
				       I(RETI, 0, 0, 0, 1), I(RETI, 0, 0, 0, 2) };
		u64 got = run(p, N(p), NULL);
		if (got != (c[k].taken ? 2u : 1u))
			printf("# jump case %u (op %02x): got %llu\n", k, c[k].op, (unsigned long long)got);
		CHECK(got == (c[k].taken ? 2u : 1u));
	}
}

/* Whether every branch (beq/bne) in code[0..n-1] lands inside it, and
 * every branch backwards lands on a fault exit (addiu v1, zero, 1) or on
 * the head of a block instruction's loop (sltiu at, v0, 2) less than 20
 * words back. */
static bool branches_inside(const u32 *code, int n)
{
	for (int k = 0; k < n; k++) {
		u32 op = code[k] >> 26;
		if (op != 0x04 && op != 0x05)
			continue;
		int t = k + 1 + (s16)(code[k] & 0xffff);
		if (t < 0 || t >= n || (t <= k && code[t] != 0x24030001u &&
					 !(code[t] == 0x2c410002u && k - t < 20)))
			return false;
	}
	return true;
}

/* Compile p into an exactly-sized heap buffer; returns the word count (a
 * negative error), after checking the bound, the buffer limit and branches. */
static int compile(const struct dc_insn *p, unsigned n)
{
	unsigned cap = DC_CODE_WORDS_BLK(n, dc_blocks(p, n));
	u32 *buf = malloc(cap * 4);
	int words = dc_compile(p, n, buf, cap);
	if (words > 0) {
		CHECK((unsigned)words <= cap);
		CHECK(branches_inside(buf, words));
		u32 *tight = malloc((unsigned)words * 4);       /* exact fit works ... */
		CHECK(dc_compile(p, n, tight, (unsigned)words) == words);
		CHECK(memcmp(tight, buf, (size_t)words * 4) == 0);
		CHECK(dc_compile(p, n, tight, (unsigned)words - 1) == DC_ENOSPC);  /* ... one less not */
		free(tight);
	}
	free(buf);
	return words;
}

static void test_compile_encoding(void)
{
	struct dc_insn p[] = { I(RETI, 0, 0, 0, 5) };
	u32 buf[32];
	static const u32 want[] = {
		0x10000003, /* b 4 */ 0x24030001, /* fault: addiu v1, zero, 1 */ 0x03e00008, /* jr ra */
		0x00001021, /* move v0, zero */ 0x24020005, /* li v0, 5 */ 0x03e00008, /* jr ra */
		0x00001821, /* move v1, zero */
	};
	CHECK(dc_compile(p, 1, buf, 16) == N(want));
	CHECK(memcmp(buf, want, sizeof want) == 0);
	CHECK(dc_compile(p, 1, buf, 3) == DC_ENOSPC);
	/* LDWN r1, win 1 [r2 + 0]; RET r1. */
	struct dc_insn q[] = { I(LDWN, 1, 2, 1, 0), I(RET, 0, 1, 0, 0) };
	static const u32 wantq[] = {
		0x00004821, /* move t1, zero (r1 is read) */
		0x00005021, /* move t2, zero (r2 is read) */
		0x8c85000c, /* lw a1, 12(a0)          a1 = len */
		0x0145082b, /* sltu at, t2, a1        at = x < len */
		0x1020fff8, /* beqz at, fault */
		0x00aa3823, /* subu a3, a1, t2        a3 = len - x */
		0x2ce10004, /* sltiu at, a3, 4 */
		0x1420fff5, /* bnez at, fault */
		0x8c860008, /* lw a2, 8(a0)           a2 = base */
		0x00ca3021, /* addu a2, a2, t2 */
		0x98c90000, /* lwr t1, 0(a2) */
		0x88c90003, /* lwl t1, 3(a2) */
		0x7c0948a0, /* wsbh t1, t1 */
		0x00294c02, /* rotr t1, t1, 16 */
		0x01201021, /* move v0, t1 */
	};
	int n = dc_compile(q, 2, buf, 32);
	CHECK(n == 4 + N(wantq) + 2);
	CHECK(memcmp(buf + 4, wantq, sizeof wantq) == 0);
	for (unsigned k = 0; k < N(wantq); k++)
		if (buf[4 + k] != wantq[k])
			printf("# word %u: %08x, want %08x\n", 4 + k, buf[4 + k], wantq[k]);
}

/* Words of code per instruction class, printed and checked against the
 * bounds docs/dcode.md quotes. */
static void test_compile_sizes(void)
{
	static const struct { const char *what; struct dc_insn i; int words; } c[] = {
		{ "ADD (reg)", I(ADD, 1, 2, 0, 0), 1 },
		{ "ADDI (imm fits 16 bits)", I(ADDI, 1, 0, 0, 5), 1 },
		{ "ADDI (32-bit imm)", I(ADDI, 1, 0, 0, 0x12345), 3 },
		{ "MUL", I(MUL, 1, 2, 0, 0), 1 },
		{ "LDI (32-bit)", I(LDI, 1, 0, 0, 0x12345678), 2 },
		{ "LDB win[r + 0]", I(LDB, 1, 2, 0, 0), 6 },
		{ "LDB win[r + 14]", I(LDB, 1, 2, 0, 14), 7 },
		{ "LDH win[r + 14]", I(LDH, 1, 2, 0, 14), 13 },
		{ "LDW win[r + 14]", I(LDW, 1, 2, 0, 14), 11 },
		{ "LDWN win[r + 0x12345]", I(LDWN, 1, 2, 0, 0x12345), 15 },
		{ "LDBA win[12]", I(LDBA, 1, 0, 0, 12), 5 },
		{ "LDHNA win[12]", I(LDHNA, 1, 0, 0, 12), 8 },
		{ "LDWA win[12]", I(LDWA, 1, 0, 0, 12), 6 },
		{ "STW win[r + 0]", I(STW, 1, 2, 0, 0), 10 },
		{ "STWN win[r + 0x12345]", I(STWN, 1, 2, 0, 0x12345), 15 },
		{ "STHA win[12]", I(STHA, 1, 0, 0, 12), 7 },
		{ "JEQ", I(JEQ, 1, 2, 1, 0), 2 },
		{ "JGT", I(JGT, 1, 2, 1, 0), 3 },
		{ "JEQI 0x0800", I(JEQI, 1, 0, 1, 0x800), 3 },
		{ "JLTI 0x0800", I(JLTI, 1, 0, 1, 0x800), 3 },
		{ "JGTI 0x12345678", I(JGTI, 1, 0, 1, 0x12345678), 5 },
		{ "JA", I(JA, 0, 0, 1, 0), 2 },
		{ "RET", I(RET, 0, 1, 0, 0), 3 },
		{ "COPY", I(COPY, 1, 2, 0x10, 1 | 2 << 4), 41 },
		{ "CSUM", I(CSUM, 1, 2, 0, 1), 29 },
	};
	/* Each class's words: p = { insn, ADD r1, r2, RETI 0 } less the same
	 * program without insn (both zero r1 and r2 on entry). */
	struct dc_insn base[] = { I(ADD, 1, 2, 0, 0), I(RETI, 0, 0, 0, 0) };
	int base_words = compile(base, 2);
	for (unsigned k = 0; k < N(c); k++) {
		struct dc_insn p[3] = { c[k].i, base[0], base[1] };
		int words = compile(p, 3) - base_words;
		printf("# words %-24s %d\n", c[k].what, words);
		CHECK(words == c[k].words);
	}
}

/* A longest program of the costliest instruction: fault exits are repeated
 * so every bounds check reaches one; a jump across it all is too far for a
 * MIPS branch and is refused. */
static void test_compile_long(void)
{
	static struct dc_insn p[DC_MAXLEN];
	for (unsigned k = 0; k < DC_MAXLEN - 1; k++)
		p[k] = (struct dc_insn)I(LDWN, 1, 2, 0, 0x12345);
	p[DC_MAXLEN - 1] = (struct dc_insn)I(RET, 0, 1, 0, 0);
	const struct dc_rules r = { DC_MAXLEN, 1, { DC_R }, 0 };
	CHECK(dc_check(p, DC_MAXLEN, &r) == 0);
	int words = compile(p, DC_MAXLEN);
	printf("# %u LDWN: %d words (bound %u)\n", DC_MAXLEN, words, DC_CODE_WORDS(DC_MAXLEN));
	CHECK(words > 15 * (DC_MAXLEN - 1));
	p[0] = (struct dc_insn)I(JA, 0, 0, DC_MAXLEN - 2, 0);
	CHECK(dc_check(p, DC_MAXLEN, &r) == 0);
	CHECK(compile(p, DC_MAXLEN) == DC_EINVAL);
	p[0] = (struct dc_insn)I(JA, 0, 0, 1500, 0);            /* about 22500 words: fits */
	CHECK(compile(p, DC_MAXLEN) > 0);
}

/* Random programs: the checker on every one; the interpreter (under ASan)
 * and the compiler on those it accepts, over random windows. */
static void test_random_programs(void)
{
	u32 seed = 0x2545f491;
	unsigned accepted = 0, faults = 0, total = 20000;
	static struct dc_insn p[40];
	for (unsigned t = 0; t < total; t++) {
		struct dc_rules r;
		unsigned n = dc_random_program(p, 40, &r, &seed), nwin = r.nwin;
		if (dc_check(p, n, &r) != 0)
			continue;
		accepted++;
		struct dc_win w[DC_MAXWIN];
		u8 *blk[DC_MAXWIN];
		for (unsigned k = 0; k < nwin; k++) {
			u32 len = xorshift32(&seed) % 24;
			blk[k] = malloc(len ? len : 1);
			memset(blk[k], (int)k, len);
			w[k] = (struct dc_win){ (uintptr_t)blk[k], len };
		}
		u64 v = dc_interp(p, n, w);
		CHECK((v >> 32) <= 1 && (v >> 32 == 0 || (u32)v == 0));
		faults += v >> 32;
		for (unsigned k = 0; k < nwin; k++)
			free(blk[k]);
		CHECK(compile(p, n) > 0);
	}
	printf("# %u random programs, %u accepted, %u of them faulted\n", total, accepted, faults);
	CHECK(accepted > total / 4 && faults > 0 && faults < accepted);
}

static const struct unit_test tests[] = {
	{ "check_rules", test_check_rules },
	{ "interp_alu", test_interp_alu },
	{ "interp_memory", test_interp_memory },
	{ "interp_jumps", test_interp_jumps },
	{ "check_blocks", test_check_blocks },
	{ "interp_blocks", test_interp_blocks },
	{ "compile_encoding", test_compile_encoding },
	{ "compile_sizes", test_compile_sizes },
	{ "compile_long", test_compile_long },
	{ "random_programs", test_random_programs },
};

int main(void)
{
	return ktap_run(tests, (int)N(tests));
}
