/*
 * udfs.c: the UDFs of the test file system (xnfs.h), as dcode programs,
 * and the lying or unsafe ones the hostile tests register.
 */
#include "xnfs.h"

#define I(op, dst, src, off, imm) DC_INSN(DC_##op, dst, src, off, imm)

/* Slot k of a directory: if its block (r1) is not 0, append (block, type)
 * to the output at r3 and count it in r0. */
#define SLOT(k) \
	I(LDWA, 1, 0, 0, 8 + 8 * (k)), I(JEQI, 1, 0, 5, 0), I(LDWA, 2, 0, 0, 12 + 8 * (k)), \
	I(STW, 1, 3, 1, 0), I(STW, 2, 3, 1, 4), I(ADDI, 3, 0, 0, 8), I(ADDI, 0, 0, 0, 1)

static const struct dc_insn dir_owns[] = {
	SLOT(0), SLOT(1), SLOT(2), SLOT(3), SLOT(4), SLOT(5), I(RET, 0, 0, 0, 0),
};
/* The key is 0, or the credential (window 2, word 1) equals it. */
static const struct dc_insn dir_acl[] = {
	I(LDWA, 1, 0, 0, 0), I(JEQI, 1, 0, 3, 0), I(LDWA, 2, 0, 2, 4), I(JEQ, 1, 2, 1, 0),
	I(RETI, 0, 0, 0, 0), I(RETI, 0, 0, 0, 1),
};
static const struct dc_insn dir_size[] = { I(RETI, 0, 0, 0, DIR_SIZE) };

#define TMPL(owns, acl, size) { owns, sizeof owns / 8, acl, sizeof acl / 8, size, sizeof size / 8 }
const struct xn_tmpl dir_tmpl = TMPL(dir_owns, dir_acl, dir_size);

/* Entry 0's block b, if not 0, and b + 1 (both data): one more than the
 * bytes say. */
static const struct dc_insn plus1_owns[] = {
	I(LDWA, 1, 0, 0, 8), I(JEQI, 1, 0, 4, 0), I(STWA, 1, 0, 1, 0), I(ADDI, 1, 0, 0, 1),
	I(STWA, 1, 0, 1, 8), I(RETI, 0, 0, 0, 2), I(RETI, 0, 0, 0, 0),
};
const struct xn_tmpl liar_plus1_tmpl = TMPL(plus1_owns, dir_acl, dir_size);

/* Block 100, whatever the metadata holds (even a block of zeros). */
static const struct dc_insn fixed_owns[] = {
	I(LDI, 1, 0, 0, 100), I(STWA, 1, 0, 1, 0), I(RETI, 0, 0, 0, 1),
};
const struct xn_tmpl liar_fixed_tmpl = TMPL(fixed_owns, dir_acl, dir_size);

/* Reads the word at the offset entry 0 holds: faults once it is large. */
static const struct dc_insn faulter_owns[] = {
	I(LDWA, 1, 0, 0, 8), I(LDW, 2, 1, 0, 0), I(RETI, 0, 0, 0, 0),
};
const struct xn_tmpl faulter_tmpl = TMPL(faulter_owns, dir_acl, dir_size);

/* DIR_SIZE, but 5000 (more than a block) once word 1 is 1. */
static const struct dc_insn size_liar[] = {
	I(LDWA, 1, 0, 0, 4), I(JEQI, 1, 0, 1, 1), I(RETI, 0, 0, 0, DIR_SIZE), I(RETI, 0, 0, 0, 5000),
};
const struct xn_tmpl size_liar_tmpl = TMPL(dir_owns, dir_acl, size_liar);

static const struct dc_insn size_zero[] = { I(RETI, 0, 0, 0, 0) };
const struct xn_tmpl size_zero_tmpl = TMPL(dir_owns, dir_acl, size_zero);

/* A store into window 0, the metadata, which is read-only: dc_check refuses. */
static const struct dc_insn writes_meta[] = { I(STWA, 1, 0, 0, 0), I(RETI, 0, 0, 0, 0) };
const struct xn_tmpl writes_meta_tmpl = TMPL(writes_meta, dir_acl, dir_size);

static struct dc_insn too_long[XN_UDF_MAXINSNS + 1];
const struct xn_tmpl too_long_tmpl = { too_long, XN_UDF_MAXINSNS + 1, dir_acl, 6, dir_size, 1 };

/* A wide block (an indirect block): word 0 the count n (<= WIDE_SLOTS),
 * word 1 spare, then n pairs (block, type). owns copies the pairs out with
 * one DC_COPY; acl allows every change; size covers all slots. */
static const struct dc_insn wide_owns[] = {
	I(LDWA, 1, 0, 0, 0), I(JGTI, 1, 0, 6, WIDE_SLOTS), I(MOV, 2, 1, 0, 0), I(SHLI, 2, 0, 0, 3),
	I(LDI, 3, 0, 0, 8), I(LDI, 4, 0, 0, 0), I(COPY, 5, 2, 0 | 1 << 4, 3 | 4 << 4),
	I(RET, 0, 1, 0, 0), I(RETI, 0, 0, 0, XN_MAXOWNS + 1),
};
static const struct dc_insn wide_acl[] = { I(RETI, 0, 0, 0, 1) };
static const struct dc_insn wide_size[] = { I(RETI, 0, 0, 0, WIDE_SIZE) };
const struct xn_tmpl wide_tmpl = TMPL(wide_owns, wide_acl, wide_size);
