/*
 * dpf.h: dynamic packet filters (docs/network.md), pure logic: checking a
 * filter, the overlap ("lie") check, matching one filter, and merging a
 * table of filters into one decision tree written as a dcode program
 * (dcode.h) that the kernel compiles with dc_compile. Builds in the kernel
 * and on the host (-DDCODE_HOST), like dcode.c.
 *
 * The merged program's windows: 0 = the frame (read-only, its length),
 * 1 = a 4-byte word holding the frame's length (read-only). It returns
 * id + 1 of the filter that accepts the frame, or 0; it never faults (every
 * load is preceded by a length test).
 */
#ifndef AEGIS_DPF_H
#define AEGIS_DPF_H
#include "dcode.h"

#define DPF_MAXPROG 2560      /* dcode instructions of a merged tree */

struct dpf_table {
	struct dpf_filter f[DPF_MAXFILT];  /* canonical (dpf_check's output) */
	bool used[DPF_MAXFILT];
	u16 order[DPF_MAXFILT];           /* the used ids, sorted (dpf_cmp) */
	u32 n;
	struct dc_insn prog[DPF_MAXPROG];  /* the merged tree */
	u32 nprog;                        /* 0: no program (accepts nothing); an empty table's returns 0 */
	u16 link[DPF_MAXPROG];            /* scratch of the builder */
};

/* The rules the merged program is checked and run under. */
extern const struct dc_rules dpf_rules;

/* Check filter in; on success write its canonical form (atoms sorted by
 * key, unused atoms and fields zero) to out and return 0, else -E_INVAL. */
int dpf_check(const struct dpf_filter *in, struct dpf_filter *out);
/* Can no frame satisfy both canonical filters? (false: they may overlap) */
bool dpf_disjoint(const struct dpf_filter *a, const struct dpf_filter *b);
/* Does canonical filter f accept frame[0..len-1]? */
bool dpf_match(const struct dpf_filter *f, const u8 *frame, u32 len);

/* Empty table t (built: its program returns 0). */
void dpf_init(struct dpf_table *t);
/* Add filter in: its id (0..DPF_MAXFILT-1), or -E_INVAL (dpf_check),
 * -E_BUSY (it may overlap an installed filter), -E_NOMEM (table full, or
 * the merged program would not fit: the table is then left as it was). */
int dpf_add(struct dpf_table *t, const struct dpf_filter *in);
/* Remove filter id (0 or -E_INVAL if not installed) and rebuild. */
int dpf_del(struct dpf_table *t, u32 id);
/* dpf_del in two steps, for removing many: remove without rebuilding
 * (the program is stale until dpf_rebuild), and rebuild. */
int dpf_del_nobuild(struct dpf_table *t, u32 id);
void dpf_rebuild(struct dpf_table *t);
/* The id + 1 of the installed filter that accepts the frame, or 0, trying
 * them one by one (the reference the merged tree must agree with). */
u32 dpf_linear(const struct dpf_table *t, const u8 *frame, u32 len);
/* Run t's merged program with the dcode interpreter. */
u32 dpf_tree_interp(const struct dpf_table *t, const u8 *frame, u32 len);

/* dpf_rand.c, for tests: a random filter drawn from small pools (so that
 * sets share prefixes and sometimes overlap), and a random frame that
 * matches filter f (if f is not NULL) or is random, sometimes truncated or
 * mutated. Both return lengths/counts; *seed is xorshift32 state. */
void dpf_random_filter(struct dpf_filter *f, u32 *seed);
u32 dpf_random_frame(u8 *frame, u32 max, const struct dpf_filter *f, u32 *seed);
#endif
