/*
 * dpf.c: dynamic packet filters, pure logic (dpf.h; the design is in
 * docs/network.md). A filter is a conjunction of atoms; the filters of a
 * table never overlap (dpf_add refuses one that may), so at most one accepts
 * any frame, and the merged tree, the filters one by one and the compiled
 * tree all name the same one.
 */
#include "dpf.h"

const struct dc_rules dpf_rules = { DPF_MAXPROG, 2, { DC_R, DC_R }, 0 };

/* Registers of the merged program. */
#define R_LEN  7      /* the frame's length */
#define R_VAL  6      /* the field being dispatched on */
#define R_BASE 5      /* the indirection base */
#define R_TMP  4

static u32 width_mask(u32 w)
{
	return w == 4 ? 0xffffffffu : (1u << (8 * w)) - 1;
}

/* Order of atom keys: (flags, off, width, mask), then the indirection. */
static int key_cmp(const struct dpf_filter *fa, const struct dpf_atom *a,
		   const struct dpf_filter *fb, const struct dpf_atom *b)
{
	u32 ka[7] = { a->flags, a->off, a->width, a->mask, 0, 0, 0 };
	u32 kb[7] = { b->flags, b->off, b->width, b->mask, 0, 0, 0 };
	if (a->flags & DPF_IND) {
		ka[4] = fa->ind_off; ka[5] = fa->ind_mask; ka[6] = fa->ind_shift;
	}
	if (b->flags & DPF_IND) {
		kb[4] = fb->ind_off; kb[5] = fb->ind_mask; kb[6] = fb->ind_shift;
	}
	for (int i = 0; i < 7; i++)
		if (ka[i] != kb[i])
			return ka[i] < kb[i] ? -1 : 1;
	return 0;
}

int dpf_check(const struct dpf_filter *in, struct dpf_filter *out)
{
	struct dpf_filter f = *in;
	u32 n = f.natoms;
	bool ind = false;
	if (n < 1 || n > DPF_MAXATOMS || f.pad[0] || f.pad[1] || f.pad[2])
		return -E_INVAL;
	for (u32 i = 0; i < n; i++) {
		const struct dpf_atom *a = &f.atoms[i];
		u32 w = a->width;
		if ((w != 1 && w != 2 && w != 4) || (a->flags & ~DPF_IND) || a->mask == 0 ||
		    (a->mask & ~width_mask(w)) || (a->val & ~a->mask) || a->off > NET_FRAME_MAX - w)
			return -E_INVAL;
		ind |= a->flags & DPF_IND;
	}
	if (ind ? (f.ind_mask == 0 || f.ind_shift > 7 || f.ind_off >= NET_FRAME_MAX)
		: (f.ind_mask || f.ind_shift || f.ind_off))
		return -E_INVAL;
	/* Canonical: atoms sorted by key (insertion sort, n <= 8), no key twice. */
	for (u32 i = 1; i < n; i++)
		for (u32 j = i; j > 0 && key_cmp(&f, &f.atoms[j], &f, &f.atoms[j - 1]) < 0; j--) {
			struct dpf_atom t = f.atoms[j];
			f.atoms[j] = f.atoms[j - 1];
			f.atoms[j - 1] = t;
		}
	for (u32 i = 1; i < n; i++)
		if (key_cmp(&f, &f.atoms[i], &f, &f.atoms[i - 1]) == 0)
			return -E_INVAL;
	for (u32 i = n; i < DPF_MAXATOMS; i++)
		f.atoms[i] = (struct dpf_atom){ 0, 0, 0, 0, 0 };
	*out = f;
	return 0;
}

/* Do atoms a (of fa) and b (of fb) constrain some bit of one byte to
 * different values? Only when both address bytes the same way: both direct,
 * or both indirect through the same indirection. */
static bool atoms_conflict(const struct dpf_filter *fa, const struct dpf_atom *a,
			   const struct dpf_filter *fb, const struct dpf_atom *b)
{
	if ((a->flags ^ b->flags) & DPF_IND)
		return false;
	if ((a->flags & DPF_IND) && (fa->ind_off != fb->ind_off || fa->ind_mask != fb->ind_mask ||
				     fa->ind_shift != fb->ind_shift))
		return false;
	for (u32 i = 0; i < a->width; i++) {
		u32 sa = 8 * (a->width - 1 - i);          /* byte off + i, network order */
		for (u32 j = 0; j < b->width; j++) {
			if (a->off + i != b->off + j)
				continue;
			u32 sb = 8 * (b->width - 1 - j);
			u32 m = (a->mask >> sa) & (b->mask >> sb) & 0xff;
			if (m & ((a->val >> sa) ^ (b->val >> sb)))
				return true;
		}
	}
	return false;
}

/* The indirection byte is itself a direct constraint of every frame an
 * indirect filter accepts only in that it must exist: nothing to compare. */
bool dpf_disjoint(const struct dpf_filter *a, const struct dpf_filter *b)
{
	for (u32 i = 0; i < a->natoms; i++)
		for (u32 j = 0; j < b->natoms; j++)
			if (atoms_conflict(a, &a->atoms[i], b, &b->atoms[j]))
				return true;
	return false;
}

bool dpf_match(const struct dpf_filter *f, const u8 *frame, u32 len)
{
	u32 base = 0;
	if (f->ind_mask) {
		if (f->ind_off >= len)
			return false;
		base = (u32)(frame[f->ind_off] & f->ind_mask) << f->ind_shift;
	}
	for (u32 i = 0; i < f->natoms; i++) {
		const struct dpf_atom *a = &f->atoms[i];
		u32 at = a->off + (a->flags & DPF_IND ? base : 0), v = 0;
		if (at >= len || len - at < a->width)
			return false;
		for (u32 k = 0; k < a->width; k++)
			v = v << 8 | frame[at + k];
		if ((v & a->mask) != a->val)
			return false;
	}
	return true;
}

/* ---- the merged tree ---- */

struct gen {
	struct dpf_table *t;
	u32 pc;
	bool full;
};

static u32 emit(struct gen *g, u8 op, u32 dst, u32 src, u32 off, u32 imm)
{
	if (g->pc >= DPF_MAXPROG) {
		g->full = true;
		return 0;
	}
	g->t->prog[g->pc] = (struct dc_insn)DC_INSN(op, dst, src, off, imm);
	return g->pc++;
}

/* Point the jump at k to here. */
static void patch(struct gen *g, u32 k)
{
	if (!g->full)
		g->t->prog[k].off = (u16)(g->pc - k - 1);
}

/* A label: a list of jumps to it, linked through t->link; 0xffff ends it. */
#define NOLABEL 0xffffu
static void jump_to(struct gen *g, u16 *label, u8 op, u32 dst, u32 src, u32 imm)
{
	u32 k = emit(g, op, dst, src, 0, imm);
	if (g->full)
		return;
	g->t->link[k] = *label;
	*label = (u16)k;
}

static void place(struct gen *g, u16 *label)
{
	for (u32 k = *label, i = 0; k != NOLABEL && i < DPF_MAXPROG; i++) {
		u32 next = g->t->link[k];
		patch(g, k);
		k = next;
	}
	*label = NOLABEL;
}

/* Full order of filters: atom by atom, key then value; a filter that ends
 * sorts before one that goes on. */
static int filter_cmp(const struct dpf_filter *a, const struct dpf_filter *b)
{
	for (u32 i = 0; i < DPF_MAXATOMS; i++) {
		if (i >= a->natoms || i >= b->natoms)
			return (i < a->natoms) - (i < b->natoms);
		int c = key_cmp(a, &a->atoms[i], b, &b->atoms[i]);
		if (c)
			return c;
		if (a->atoms[i].val != b->atoms[i].val)
			return a->atoms[i].val < b->atoms[i].val ? -1 : 1;
	}
	return 0;
}

static const struct dpf_atom *atom(struct gen *g, u32 k, u32 depth)
{
	return &g->t->f[g->t->order[k]].atoms[depth];
}

static void gen_group(struct gen *g, u32 lo, u32 hi, u32 depth);

/* Dispatch on R_VAL over the filters order[lo..hi), which share atoms
 * 0..depth-1 and atom depth's key, sorted by atom depth's value: a binary
 * search of the distinct values, each leaf testing at most four. A value
 * matched runs its group and then (no filter there accepted) jumps to next. */
static void dispatch(struct gen *g, u32 lo, u32 hi, u32 depth, u16 *next)
{
	u32 nval = 0, mid = lo;
	for (u32 k = lo; k < hi; k++)
		if (k == lo || atom(g, k, depth)->val != atom(g, k - 1, depth)->val)
			nval++;
	if (nval > 4) {
		/* the first filter of the (nval / 2)-th value */
		for (u32 k = lo, v = 0; k < hi; k++)
			if (k == lo || atom(g, k, depth)->val != atom(g, k - 1, depth)->val)
				if (v++ == nval / 2) {
					mid = k;
					break;
				}
		u32 j = emit(g, DC_JGEI, R_VAL, 0, 0, atom(g, mid, depth)->val);
		dispatch(g, lo, mid, depth, next);
		patch(g, j);
		dispatch(g, mid, hi, depth, next);
		return;
	}
	for (u32 k = lo; k < hi;) {
		u32 e = k + 1, val = atom(g, k, depth)->val;
		while (e < hi && atom(g, e, depth)->val == val)
			e++;
		u32 j = emit(g, DC_JNEI, R_VAL, 0, 0, val);
		gen_group(g, k, e, depth + 1);
		jump_to(g, next, DC_JA, 0, 0, 0);
		patch(g, j);
		k = e;
	}
	jump_to(g, next, DC_JA, 0, 0, 0);
}

/* Load atom depth's field of filter order[k] into R_VAL, masked; too short
 * a frame jumps to next. */
static void load(struct gen *g, u32 k, u32 depth, u16 *next)
{
	const struct dpf_filter *f = &g->t->f[g->t->order[k]];
	const struct dpf_atom *a = &f->atoms[depth];
	static const u8 abs_op[5] = { 0, DC_LDBA, DC_LDHNA, 0, DC_LDWNA };
	static const u8 idx_op[5] = { 0, DC_LDB, DC_LDHN, 0, DC_LDWN };
	if (a->flags & DPF_IND) {
		jump_to(g, next, DC_JLTI, R_LEN, 0, f->ind_off + 1u);
		emit(g, DC_LDBA, R_BASE, 0, 0, f->ind_off);
		emit(g, DC_ANDI, R_BASE, 0, 0, f->ind_mask);
		if (f->ind_shift)
			emit(g, DC_SHLI, R_BASE, 0, 0, f->ind_shift);
		emit(g, DC_MOV, R_TMP, R_BASE, 0, 0);
		emit(g, DC_ADDI, R_TMP, 0, 0, (u32)a->off + a->width);
		jump_to(g, next, DC_JLT, R_LEN, R_TMP, 0);
		emit(g, idx_op[a->width], R_VAL, R_BASE, 0, a->off);
	} else {
		jump_to(g, next, DC_JLTI, R_LEN, 0, (u32)a->off + a->width);
		emit(g, abs_op[a->width], R_VAL, 0, 0, a->off);
	}
	if (a->mask != width_mask(a->width))
		emit(g, DC_ANDI, R_VAL, 0, 0, a->mask);
}

/* Code for the filters order[lo..hi), which share atoms 0..depth-1: it
 * returns id + 1 of the one that accepts the frame, or falls through. */
static void gen_group(struct gen *g, u32 lo, u32 hi, u32 depth)
{
	const struct dpf_table *t = g->t;
	if (t->f[t->order[lo]].natoms == depth) {
		/* It accepts every frame that reached here; no other filter of
		 * the group can (they would overlap it). */
		emit(g, DC_RETI, 0, 0, 0, t->order[lo] + 1u);
		return;
	}
	for (u32 k = lo; k < hi && !g->full;) {
		u32 e = k + 1;
		while (e < hi && key_cmp(&t->f[t->order[k]], atom(g, k, depth),
					 &t->f[t->order[e]], atom(g, e, depth)) == 0)
			e++;
		u16 next = NOLABEL;
		load(g, k, depth, &next);
		dispatch(g, k, e, depth, &next);
		place(g, &next);
		k = e;
	}
}

/* Rebuild t->prog from t->order: 0 or -E_NOMEM (too long). */
static int build(struct dpf_table *t)
{
	struct gen g = { t, 0, false };
	emit(&g, DC_LDWA, R_LEN, 0, 1, 0);
	if (t->n)
		gen_group(&g, 0, t->n, 0);
	emit(&g, DC_RETI, 0, 0, 0, 0);
	if (g.full)
		return -E_NOMEM;
	t->nprog = g.pc;
	return 0;
}

void dpf_init(struct dpf_table *t)
{
	for (u32 i = 0; i < DPF_MAXFILT; i++)
		t->used[i] = false;
	t->n = 0;
	build(t);
}

static void order_remove(struct dpf_table *t, u32 id)
{
	u32 j = 0;
	for (u32 i = 0; i < t->n; i++)
		if (t->order[i] != id)
			t->order[j++] = t->order[i];
	t->n = j;
}

int dpf_add(struct dpf_table *t, const struct dpf_filter *in)
{
	struct dpf_filter f;
	if (dpf_check(in, &f) < 0)
		return -E_INVAL;
	u32 id = DPF_MAXFILT;
	for (u32 i = 0; i < DPF_MAXFILT; i++) {
		if (t->used[i] && !dpf_disjoint(&f, &t->f[i]))
			return -E_BUSY;
		if (!t->used[i] && id == DPF_MAXFILT)
			id = i;
	}
	if (id == DPF_MAXFILT)
		return -E_NOMEM;
	t->f[id] = f;
	u32 k = t->n;                               /* insert in order */
	while (k > 0 && filter_cmp(&f, &t->f[t->order[k - 1]]) < 0) {
		t->order[k] = t->order[k - 1];
		k--;
	}
	t->order[k] = (u16)id;
	t->n++;
	t->used[id] = true;
	if (build(t) < 0) {
		t->used[id] = false;
		order_remove(t, id);
		build(t);
		return -E_NOMEM;
	}
	return (int)id;
}

int dpf_del_nobuild(struct dpf_table *t, u32 id)
{
	if (id >= DPF_MAXFILT || !t->used[id])
		return -E_INVAL;
	t->used[id] = false;
	order_remove(t, id);
	return 0;
}

void dpf_rebuild(struct dpf_table *t)
{
	if (build(t) < 0)           /* fewer filters never need more code, but: */
		t->nprog = 0;       /* the table then accepts nothing */
}

int dpf_del(struct dpf_table *t, u32 id)
{
	int rc = dpf_del_nobuild(t, id);
	if (rc == 0)
		dpf_rebuild(t);
	return rc;
}

u32 dpf_linear(const struct dpf_table *t, const u8 *frame, u32 len)
{
	for (u32 i = 0; i < t->n; i++)
		if (dpf_match(&t->f[t->order[i]], frame, len))
			return t->order[i] + 1u;
	return 0;
}

u32 dpf_tree_interp(const struct dpf_table *t, const u8 *frame, u32 len)
{
	u32 lenword = len;
	if (t->nprog == 0)
		return 0;
	struct dc_win w[2] = { { (uintptr_t)frame, len }, { (uintptr_t)&lenword, 4 } };
	return (u32)dc_interp(t->prog, t->nprog, w);
}
