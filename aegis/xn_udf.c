/*
 * xn_udf.c: XN's templates, the untrusted deterministic functions (UDFs)
 * a library file system gives for each of its metadata types: owns, acl
 * and size (abi.h, docs/storage.md). They are dcode programs, clients of
 * the one engine (dcode.h): checked once when the template is registered,
 * under XN's rules (owns: the block read-only, the output write-only; acl:
 * the block, the change and the credential, all read-only; size: the block
 * read-only), and interpreted each time (dc_interp): a program of at most
 * XN_UDF_MAXINSNS instructions that only jumps forward runs at most that
 * many, and XN runs a handful per update, beside a disk request; compiling
 * would cost 4 KiB of code per program and an instruction-cache flush.
 */
#include "defs.h"
#include "dcode.h"
#include "xn_disk.h"

enum { U_OWNS, U_ACL, U_SIZE, NUDF };

/* owns may use this many block instructions (DC_COPY, DC_CSUM): with one
 * DC_COPY a program reports a whole array of pairs (an indirect block's 32
 * pointers), which 64 unrolled instructions could not; each costs at most
 * the source window's length in steps, so the bound stays the program's. */
#define XN_UDF_MAXBLOCKS 2

struct xn_type {
	bool live;
	u8 gen;                         /* the id's high byte: a reused entry gets a new id */
	u8 payer;                       /* slot + 1 of the registering environment (or of the
	                                   one attached to its kept root; 0: detached) */
	s8 root;                        /* the kept root it belongs to, -1: none */
	u8 n[NUDF];
	struct dc_insn prog[NUDF][XN_UDF_MAXINSNS];
};
static struct xn_type types[XN_MAXTYPES];

static const struct dc_rules rules[NUDF] = {
	{ XN_UDF_MAXINSNS, 2, { DC_R, DC_W }, XN_UDF_MAXBLOCKS },
	{ XN_UDF_MAXINSNS, 3, { DC_R, DC_R, DC_R }, 0 },
	{ XN_UDF_MAXINSNS, 1, { DC_R }, 0 },
};

static u32 type_id(u32 i) { return (u32)types[i].gen << 8 | (i + 1); }

/* The entry of live type id, or NULL. */
static struct xn_type *type_of(u32 id)
{
	u32 i = (id & 0xff) - 1;
	if (id >> 16 || i >= XN_MAXTYPES || !types[i].live || type_id(i) != id)
		return NULL;
	return &types[i];
}

int xn_type_payer(u32 id)
{
	const struct xn_type *t = type_of(id);
	return t ? t->payer - 1 : -1;
}

/* Run UDF u of type t over windows w: its result, or -1 if it faulted. */
static s64 run(const struct xn_type *t, int u, const struct dc_win *w)
{
	u64 r = dc_interp(t->prog[u], t->n[u], w);
	return r >> 32 ? -1 : (s64)(u32)r;
}

int xn_owns(u32 type, const u8 *m, u32 out[XN_MAXOWNS][2])
{
	const struct xn_type *t = type_of(type);
	if (!t)
		return -E_INVAL;
	__builtin_memset(out, 0, XN_MAXOWNS * 8);
	struct dc_win w[2] = { { (uintptr_t)m, XN_META }, { (uintptr_t)out, XN_MAXOWNS * 8 } };
	s64 n = run(t, U_OWNS, w);
	return n < 0 || n > XN_MAXOWNS ? -E_INVAL : (int)n;
}

bool xn_acl(u32 type, const u8 *m, const struct xn_change *c, const struct xn_cred *cred)
{
	const struct xn_type *t = type_of(type);
	struct dc_win w[3] = { { (uintptr_t)m, XN_META }, { (uintptr_t)c, sizeof *c },
			       { (uintptr_t)cred, sizeof *cred } };
	return t && run(t, U_ACL, w) > 0;
}

int xn_size(u32 type, const u8 *m)
{
	const struct xn_type *t = type_of(type);
	struct dc_win w[1] = { { (uintptr_t)m, XN_META } };
	s64 n = t ? run(t, U_SIZE, w) : -1;
	return n < 1 || n > XN_META ? -E_INVAL : (int)n;
}

/* xn_type_add(tmpl): register a template (struct xn_tmpl): its three
 * programs are copied in and checked; owns of a block of zeros (what a
 * newly allocated metadata block holds) must report nothing, and size of
 * it must be 1..XN_META. Returns the type's id (never XN_DATA). -E_FAULT;
 * -E_INVAL: a program that is too long, empty or unsafe, or fails the
 * zero-block test; -E_NOMEM: XN_MAXTYPES live; -E_QUOTA: over LIM_XN. */
u32 sys_xn_type_add(struct trapframe *tf)
{
	struct xn_tmpl t;
	static struct xn_type nt;
	if (copyin(&t, tf->regs[R_A0], sizeof t) < 0)
		return (u32)-E_FAULT;
	const void *src[NUDF] = { t.owns, t.acl, t.size };
	unsigned n[NUDF] = { t.nowns, t.nacl, t.nsize };
	for (int u = 0; u < NUDF; u++) {
		if (n[u] < 1 || n[u] > XN_UDF_MAXINSNS)
			return (u32)-E_INVAL;
		if (copyin(nt.prog[u], (u32)(uintptr_t)src[u], n[u] * (u32)sizeof(struct dc_insn)) < 0)
			return (u32)-E_FAULT;
		if (dc_check(nt.prog[u], n[u], &rules[u]) < 0)
			return (u32)-E_INVAL;
		nt.n[u] = (u8)n[u];
	}
	static const u8 zero[XN_META];
	static u32 out[XN_MAXOWNS][2];
	struct dc_win w[2] = { { (uintptr_t)zero, XN_META }, { (uintptr_t)out, sizeof out } };
	s64 sz = run(&nt, U_SIZE, w);
	if (run(&nt, U_OWNS, w) != 0 || sz < 1 || sz > XN_META)
		return (u32)-E_INVAL;
	int fi = -1;
	for (int i = XN_MAXTYPES - 1; i >= 0; i--)
		if (!types[i].live)
			fi = i;
	if (fi < 0)
		return (u32)-E_NOMEM;
	int q = limit_charge(curenv, LIM_XN, 1);
	if (q < 0)
		return (u32)q;
	u8 gen = (u8)(types[fi].gen + 1);
	if (!gen)
		gen = 1;
	types[fi] = nt;
	types[fi].root = -1;
	types[fi].gen = gen;
	types[fi].payer = (u8)(env_slot(curenv) + 1);
	types[fi].live = true;
	return type_id((u32)fi);
}

void xn_types_env_gone(struct env *e)
{
	for (u32 i = 0; i < XN_MAXTYPES; i++)
		if (types[i].live && types[i].payer == env_slot(e) + 1 && types[i].root < 0) {
			types[i].live = false;
			limit_uncharge(e, LIM_XN, 1);
		}
}

u32 xn_types_of(int slot)
{
	u32 n = 0;
	for (u32 i = 0; i < XN_MAXTYPES; i++)
		n += types[i].live && types[i].payer == slot + 1;
	return n;
}

bool xn_types_consistent(char *why, u32 len)
{
	for (u32 i = 0; i < XN_MAXTYPES; i++) {
		int p = types[i].payer - 1;
		if (types[i].live && (p < 0 ? types[i].root < 0 : envs[p].status == ENV_FREE)) {
			lib_snprintf(why, len, "xn: type %u of dead slot %d", i, p);
			return false;
		}
	}
	return true;
}

/* ---- kept templates (xn_disk.h) ---- */

/* Write type i's record into XN's area image (or clear it). */
static void record(u32 i)
{
	const struct xn_type *t = &types[i];
	struct xn_dtype h = { 0 };
	static struct dc_insn progs[NUDF][XN_UDF_MAXINSNS];
	if (t->live && t->root >= 0) {
		h = (struct xn_dtype){ 1, type_id(i), (u32)t->root, { t->n[0], t->n[1], t->n[2] } };
		__builtin_memcpy(progs, t->prog, sizeof progs);
	}
	xna_set_type(i, &h, h.live ? progs : NULL, sizeof progs);
}

int xn_type_root(u32 id)
{
	const struct xn_type *t = type_of(id);
	return t ? t->root : -1;
}

int xn_type_bind(u32 id, int r)
{
	struct xn_type *t = type_of(id);
	if (!t)
		return -E_INVAL;
	if (t->root >= 0)
		return t->root == r ? 0 : -E_BUSY;
	t->root = (s8)r;
	record((u32)(t - types));
	return 0;
}

void xn_types_detach(int r)
{
	for (u32 i = 0; i < XN_MAXTYPES; i++)
		if (types[i].live && types[i].root == r && types[i].payer) {
			limit_uncharge(&envs[types[i].payer - 1], LIM_XN, 1);
			types[i].payer = 0;
		}
}

u32 xn_types_attach(int r, struct env *e)
{
	u32 n = 0;
	for (u32 i = 0; i < XN_MAXTYPES; i++)
		if (types[i].live && types[i].root == r) {
			types[i].payer = (u8)(env_slot(e) + 1);
			n++;
		}
	return n;
}

u32 xn_types_count(int r)
{
	u32 n = 0;
	for (u32 i = 0; i < XN_MAXTYPES; i++)
		n += types[i].live && types[i].root == r;
	return n;
}

void xn_types_unbind(int r)
{
	for (u32 i = 0; i < XN_MAXTYPES; i++)
		if (types[i].live && types[i].root == r) {
			types[i].root = -1;
			record(i);
		}
}

int xn_type_restore(u32 i, const u8 *rec)
{
	struct xn_dtype h;
	__builtin_memcpy(&h, rec, sizeof h);
	struct xn_type *t = &types[i];
	*t = (struct xn_type){ 0 };
	if (h.id != ((h.id >> 8 & 0xff) << 8 | (i + 1)) || !(h.id >> 8) || h.root >= XN_MAXROOTS)
		return -E_INVAL;
	__builtin_memcpy(t->prog, rec + XN_DTYPE_PROGS, sizeof t->prog);
	for (int u = 0; u < NUDF; u++) {
		if (h.n[u] < 1 || h.n[u] > XN_UDF_MAXINSNS || dc_check(t->prog[u], h.n[u], &rules[u]) < 0)
			return -E_INVAL;
		t->n[u] = (u8)h.n[u];
	}
	t->gen = (u8)(h.id >> 8);
	t->root = (s8)h.root;
	t->live = true;
	return 0;
}

int xn_type_bound(u32 i)
{
	return i < XN_MAXTYPES && types[i].live ? types[i].root : -1;
}

void xn_types_forget(int r)
{
	for (u32 i = 0; i < XN_MAXTYPES; i++)
		if (types[i].live && types[i].root == r) {
			types[i].root = -1;
			types[i].live = false;
			record(i);
		}
}

void xn_types_reset(void)
{
	for (u32 i = 0; i < XN_MAXTYPES; i++)
		types[i].live = false;
}
