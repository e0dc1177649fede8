/*
 * region.c: software regions (Xok) with hierarchical capabilities.
 *
 * A software region is up to SR_MAX_SIZE bytes of kernel memory shared by
 * library OSes that do not trust each other: nobody maps it, every access
 * is a system call (sr_read, sr_write) that checks a capability naming a
 * byte range [lo, hi) of the region and rights (SR_R, SR_W). So two
 * environments can share, say, a pipe in which each may write only its own
 * index, which no page mapping (4 KiB granularity) can express.
 *
 * Capabilities form a tree per region: sr_alloc returns the root (the whole
 * region, SR_R|SR_W); sr_derive makes a child of any capability with a range
 * inside its parent's and rights among its parent's. A capability dominates
 * its descendants: sr_revoke(c) invalidates every capability derived from c
 * (not c itself), however far down and whoever holds them. sr_free with the
 * root frees the region and its whole tree. A capability's name is its
 * index in the table and a generation (so a reused entry answers to no old
 * name); its check is a random secret, and failed presentations count as
 * for page capabilities. Regions are charged to their creator's page budget
 * (one page each) and freed when it ends.
 *
 * Bounds: a region has at most SR_CAPS capabilities (the table has room for
 * every region's), trees are at most SR_DEPTH deep, and an environment holds
 * at most SR_PER_ENV regions; so no region's users can starve another's of
 * capabilities, and every call walks the table a bounded number of times.
 */
#include "defs.h"

#define NREGIONS     64
#define SR_CAPS      32           /* capabilities per region */
#define NSRCAPS      (NREGIONS * SR_CAPS)
#define SR_DEPTH     8            /* the root is at depth 0 */
#define SR_PER_ENV   8            /* regions one environment may hold */
#define SR_NONE      0xffff

struct region {
	u8 mem[SR_MAX_SIZE];
	u32 size;                     /* 0: free */
	u32 ncaps;                    /* live capabilities of it */
	struct env *owner;
};

struct srcap {
	u32 gen;                      /* bumped when the entry is freed */
	u32 check;
	u16 region, parent;           /* parent: SR_NONE for the root */
	u16 lo, hi;
	u8 rights;
	u8 depth;                     /* the root's is 0 */
	bool live;
};

static struct region regions[NREGIONS];
static struct srcap caps[NSRCAPS];

_Static_assert((NSRCAPS & (NSRCAPS - 1)) == 0, "the index is the name's low bits");
#define SR_INDEX_BITS 11
_Static_assert(NSRCAPS == 1 << SR_INDEX_BITS, "SR_INDEX_BITS");

static u32 cap_name(u32 i) { return caps[i].gen << SR_INDEX_BITS | i; }

/* The live capability (name, check), or NULL after counting a failure. */
static struct srcap *lookup(u32 name, u32 check)
{
	u32 i = name & (NSRCAPS - 1);
	struct srcap *c = &caps[i];
	if (!c->live || cap_name(i) != name || c->check != check) {
		cap_failed();
		return NULL;
	}
	return c;
}

/* A new capability of region r below parent (SR_NONE: the root); returns
 * its index, or -E_NOMEM if r has SR_CAPS already or the tree would be too
 * deep. */
static int cap_new(u32 r, u32 parent, u32 lo, u32 hi, u32 rights)
{
	u32 depth = parent == SR_NONE ? 0 : caps[parent].depth + 1u;
	if (regions[r].ncaps >= SR_CAPS || depth >= SR_DEPTH)
		return -E_NOMEM;
	for (u32 i = 0; i < NSRCAPS; i++)
		if (!caps[i].live) {
			caps[i] = (struct srcap){ caps[i].gen, rand32(), (u16)r, (u16)parent,
						  (u16)lo, (u16)hi, (u8)rights, (u8)depth, true };
			regions[r].ncaps++;
			return (int)i;
		}
	return -E_NOMEM;      /* cannot happen: every region has room for SR_CAPS */
}

static void cap_kill(u32 i)
{
	caps[i].live = false;
	caps[i].gen = (caps[i].gen + 1) & ((1u << (32 - SR_INDEX_BITS)) - 1);
	regions[caps[i].region].ncaps--;
}

/* Kill every capability below i (its descendants), not i. A live
 * capability's parent is always live (whoever kills one kills all below it
 * in the same call), so each pass kills the next level down: at most
 * SR_DEPTH passes over the table. */
static void kill_below(u32 i)
{
	for (u32 pass = 0; pass < SR_DEPTH; pass++)
		for (u32 j = 0; j < NSRCAPS; j++)
			if (caps[j].live && caps[j].parent != SR_NONE &&
			    (caps[j].parent == i || !caps[caps[j].parent].live))
				cap_kill(j);
}

/* Free region r and every capability of it. */
static void region_free(u32 r)
{
	for (u32 j = 0; j < NSRCAPS; j++)
		if (caps[j].live && caps[j].region == r)
			cap_kill(j);
	limit_uncharge(regions[r].owner, LIM_PAGES, 1);
	regions[r].size = 0;
	regions[r].owner = NULL;
}

u32 region_count(const struct env *e)
{
	u32 n = 0;
	for (u32 r = 0; r < NREGIONS; r++)
		n += regions[r].size && regions[r].owner == e;
	return n;
}

void region_env_gone(struct env *e)
{
	for (u32 r = 0; r < NREGIONS; r++)
		if (regions[r].size && regions[r].owner == e)
			region_free(r);
}

bool region_consistent(char *why, u32 len)
{
	for (u32 j = 0; j < NSRCAPS; j++) {
		const struct srcap *c = &caps[j];
		if (!c->live)
			continue;
		if (c->region >= NREGIONS || !regions[c->region].size || c->lo >= c->hi ||
		    c->hi > regions[c->region].size || c->depth >= SR_DEPTH ||
		    (c->parent != SR_NONE && (c->parent >= NSRCAPS || !caps[c->parent].live ||
					       caps[c->parent].region != c->region ||
					       caps[c->parent].depth + 1 != c->depth))) {
			lib_snprintf(why, len, "software-region capability %u is malformed", j);
			return false;
		}
	}
	for (u32 r = 0; r < NREGIONS; r++) {
		u32 n = 0;
		for (u32 j = 0; j < NSRCAPS; j++)
			n += caps[j].live && caps[j].region == r;
		if (n != regions[r].ncaps || (regions[r].size &&
		    (!regions[r].owner || regions[r].owner->status == ENV_FREE))) {
			lib_snprintf(why, len, "software region %u: %u capabilities (counted %u), owner %s",
				     r, n, regions[r].ncaps, regions[r].owner ? "dead" : "none");
			return false;
		}
	}
	return true;
}

/* Put capability i's name in the return value and its check in v1. */
static u32 give(struct trapframe *tf, int i)
{
	if (i < 0)
		return (u32)i;
	tf->regs[R_V1] = caps[i].check;
	return cap_name((u32)i);
}

/* sr_alloc(size): a new software region of size bytes (1..SR_MAX_SIZE),
 * zeroed, charged to the caller's page budget as one page. Returns the root
 * capability's name (whole region, SR_R|SR_W), its check in v1. -E_INVAL:
 * size out of range; -E_QUOTA: the caller holds SR_PER_ENV regions, or its
 * page budget is spent; -E_NOMEM: no free region or capability entry. */
u32 sys_sr_alloc(struct trapframe *tf)
{
	u32 size = tf->regs[R_A0], r = 0;
	if (size == 0 || size > SR_MAX_SIZE)
		return (u32)-E_INVAL;
	while (r < NREGIONS && regions[r].size)
		r++;
	if (region_count(curenv) >= SR_PER_ENV)
		return (u32)-E_QUOTA;
	if (r == NREGIONS)
		return (u32)-E_NOMEM;
	int c = cap_new(r, SR_NONE, 0, size, SR_R | SR_W);
	if (c < 0)
		return (u32)c;
	int e = limit_charge(curenv, LIM_PAGES, 1);
	if (e < 0) {
		cap_kill((u32)c);
		return (u32)e;
	}
	for (u32 i = 0; i < size; i++)
		regions[r].mem[i] = 0;
	regions[r].size = size;
	regions[r].owner = curenv;
	return give(tf, c);
}

/* sr_derive(name, check, lo_hi, rights): a capability below (name, check)
 * for bytes [lo, hi) of its region, lo_hi = lo << 16 | hi, with rights
 * (SR_R, SR_W or both). Returns the new name, its check in v1. -E_BADCAP;
 * -E_INVAL: empty range or unknown rights; -E_PERM: the range or rights
 * exceed the presented capability's; -E_NOMEM: the table is full. */
u32 sys_sr_derive(struct trapframe *tf)
{
	struct srcap *p = lookup(tf->regs[R_A0], tf->regs[R_A1]);
	u32 lo = tf->regs[R_A2] >> 16, hi = tf->regs[R_A2] & 0xffff, rights = tf->regs[R_A3];
	if (!p)
		return (u32)-E_BADCAP;
	if (lo >= hi || !rights || (rights & ~(u32)(SR_R | SR_W)))
		return (u32)-E_INVAL;
	if (lo < p->lo || hi > p->hi || (rights & ~(u32)p->rights))
		return (u32)-E_PERM;
	return give(tf, cap_new(p->region, (u32)(p - caps), lo, hi, rights));
}

/* sr_revoke(name, check): invalidate every capability derived from this one,
 * at any depth; it stays valid. Returns 0; -E_BADCAP. */
u32 sys_sr_revoke(struct trapframe *tf)
{
	struct srcap *c = lookup(tf->regs[R_A0], tf->regs[R_A1]);
	if (!c)
		return (u32)-E_BADCAP;
	kill_below((u32)(c - caps));
	return 0;
}

/* sr_free(name, check): with a region's root capability, free the region
 * and every capability of it. Returns 0; -E_BADCAP; -E_PERM: not a root. */
u32 sys_sr_free(struct trapframe *tf)
{
	struct srcap *c = lookup(tf->regs[R_A0], tf->regs[R_A1]);
	if (!c)
		return (u32)-E_BADCAP;
	if (c->parent != SR_NONE)
		return (u32)-E_PERM;
	region_free(c->region);
	return 0;
}

/* Check an access of len bytes at off through (name, check) for rights
 * need; returns the region's memory there, or NULL with *err set. */
static u8 *access(struct trapframe *tf, u32 need, u32 *len, int *err)
{
	struct srcap *c = lookup(tf->regs[R_A0], tf->regs[R_A1]);
	u32 off = tf->regs[R_A2] >> 16;
	*len = tf->regs[R_A2] & 0xffff;
	*err = !c ? -E_BADCAP : !(c->rights & need) ? -E_PERM :
	       *len == 0 || off < c->lo || off + *len > c->hi ? -E_INVAL : 0;
	return *err ? NULL : regions[c->region].mem + off;
}

/* sr_read(name, check, off_len, buf): copy len bytes at off of the region
 * (off_len = off << 16 | len) to buf. Returns len; -E_BADCAP; -E_PERM: no
 * SR_R; -E_INVAL: len 0 or [off, off+len) not inside the capability's range;
 * -E_FAULT: buf is not writable user memory. */
u32 sys_sr_read(struct trapframe *tf)
{
	u32 len;
	int err;
	u8 *p = access(tf, SR_R, &len, &err);
	if (!p)
		return (u32)err;
	return copyout(tf->regs[R_A3], p, len) < 0 ? (u32)-E_FAULT : len;
}

/* sr_write(name, check, off_len, buf): copy len bytes from buf to off of the
 * region. Returns len; errors as sr_read (-E_PERM: no SR_W; -E_FAULT: buf
 * not readable). Nothing is written on an error. */
u32 sys_sr_write(struct trapframe *tf)
{
	u32 len;
	int err;
	u8 *p = access(tf, SR_W, &len, &err);
	if (!p)
		return (u32)err;
	u8 tmp[SR_MAX_SIZE];
	if (copyin(tmp, tf->regs[R_A3], len) < 0)
		return (u32)-E_FAULT;
	for (u32 i = 0; i < len; i++)
		p[i] = tmp[i];
	return len;
}
