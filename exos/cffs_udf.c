/*
 * cffs_udf.c: the templates of cffs's two metadata types (cffs.h), as dcode
 * programs XN runs (docs/dcode.md, docs/storage.md). dcode has no backward
 * jump, so each program is unrolled over the slots of its block; XN allows
 * 64 instructions, which is what fixes CFFS_NENT and CFFS_FAN.
 */
#include "cffs.h"

#define I(op, dst, src, off, imm) DC_INSN(DC_##op, dst, src, off, imm)

/*
 * DIR owns: for each entry, its two direct pointers (data: XN zeroes the
 * output, so the type word stays 0) and its typed pointer with the type the
 * entry names. r3 is the output's byte offset: a pointer is stored at r3
 * and kept (r3 += 8) only if it is not 0, so the pairs come out packed; a
 * typed pair is stored only when kept, so a data pair never lands on a
 * stale type word. Returns r3 / 8. 14 instructions an entry.
 */
#define DATA_PTR(at) I(LDWA, 1, 0, 0, at), I(STW, 1, 3, 1, 0), I(JEQI, 1, 0, 1, 0), I(ADDI, 3, 0, 0, 8)
#define TYPED_PTR(at) I(LDWA, 1, 0, 0, at), I(JEQI, 1, 0, 4, 0), I(LDWA, 2, 0, 0, (at) + 4), \
	I(STW, 1, 3, 1, 0), I(STW, 2, 3, 1, 4), I(ADDI, 3, 0, 0, 8)
#define ENTRY(k) DATA_PTR(CFFS_DENT_OFF(k)), DATA_PTR(CFFS_DENT_OFF(k) + 4), \
	TYPED_PTR(CFFS_DENT_OFF(k) + 8)
static const struct dc_insn dir_owns[] = {
	ENTRY(0), ENTRY(1), ENTRY(2), ENTRY(3), I(SHRI, 3, 0, 0, 3), I(RET, 0, 3, 0, 0),
};

/*
 * IND owns: count (word 2) pointers, all of the child type (word 0); a
 * count past CFFS_FAN reports nothing. Every slot is copied out whatever
 * the count (3 instructions a slot, no test): XN reads only the first
 * count pairs.
 */
#define SLOT(k) I(LDWA, 1, 0, 0, 12 + 4 * (k)), I(STWA, 1, 0, 1, 8 * (k)), I(STWA, 2, 0, 1, 8 * (k) + 4)
static const struct dc_insn ind_owns[] = {
	I(LDWA, 2, 0, 0, 0), I(LDWA, 0, 0, 0, 8), I(JLEI, 0, 0, 1, CFFS_FAN), I(RETI, 0, 0, 0, 0),
	SLOT(0), SLOT(1), SLOT(2), SLOT(3), SLOT(4), SLOT(5), SLOT(6), SLOT(7), SLOT(8), SLOT(9),
	SLOT(10), SLOT(11), SLOT(12), SLOT(13), SLOT(14), SLOT(15), SLOT(16), SLOT(17), SLOT(18),
	I(RET, 0, 0, 0, 0),
};

/*
 * acl, both types: a block's word 1 is its key. A change is allowed while
 * the key is 0 (a block just allocated, before its first update sets it)
 * or when the credential word the caller passed (window 2, word 1) is the
 * key: the file system's secret, drawn at mkfs.
 */
static const struct dc_insn key_acl[] = {
	I(LDWA, 1, 0, 0, 4), I(JEQI, 1, 0, 3, 0), I(LDWA, 2, 0, 2, 4), I(JEQ, 1, 2, 1, 0),
	I(RETI, 0, 0, 0, 0), I(RETI, 0, 0, 0, 1),
};

static const struct dc_insn dir_size[] = { I(RETI, 0, 0, 0, sizeof(struct cffs_dir)) };
static const struct dc_insn ind_size[] = { I(RETI, 0, 0, 0, sizeof(struct cffs_ind)) };

#define N(p) (sizeof p / sizeof p[0])
const struct xn_tmpl cffs_dir_tmpl = { dir_owns, N(dir_owns), key_acl, N(key_acl), dir_size, N(dir_size) };
const struct xn_tmpl cffs_ind_tmpl = { ind_owns, N(ind_owns), key_acl, N(key_acl), ind_size, N(ind_size) };

_Static_assert(N(dir_owns) <= XN_UDF_MAXINSNS, "DIR owns too long");
_Static_assert(N(ind_owns) <= XN_UDF_MAXINSNS, "IND owns too long");
_Static_assert(sizeof(struct cffs_dent) == 96 && sizeof(struct cffs_dir) == 408, "DIR layout");
_Static_assert(sizeof(struct cffs_ind) == 88, "IND layout");
