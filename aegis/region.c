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
 * root frees the region and its whole tree. The trees are kept by
 * captree.c, which also keeps the derived capabilities of pages: a name
 * holds an index and a generation (so a reused entry answers to no old
 * name), its check is a random secret, and failed presentations count as
 * for page capabilities. Regions are charged to their creator's page budget
 * (one page each) and freed when it ends.
 *
 * Bounds: a region has at most SR_CAPS capabilities (the table has room for
 * every region's), trees are at most CT_DEPTH deep, and an environment holds
 * at most SR_PER_ENV regions; so no region's users can starve another's of
 * capabilities, and every call walks the table a bounded number of times.
 */
#include "defs.h"

#define SR_PER_ENV   8            /* regions one environment may hold */

struct region {
	u8 mem[SR_MAX_SIZE];
	u32 size;                     /* 0: free */
	u32 ncaps;                    /* live capabilities of it */
	struct env *owner;
};

static struct region regions[NREGIONS];

/* The live region capability (name, check), or NULL after counting a
 * failure. */
static struct tcap *lookup(u32 name, u32 check)
{
	return ct_lookup(name, check, CT_REGION);
}

/* A new capability of region r below parent (CT_NOPARENT for the root);
 * returns its index, or -E_NOMEM if r has SR_CAPS already or the tree would
 * be too deep. The pool has SR_CAPS entries for every region. */
static int cap_new(u32 r, u32 parent, u32 lo, u32 hi, u32 rights)
{
	if (regions[r].ncaps >= SR_CAPS)
		return -E_NOMEM;
	int i = ct_new(CT_REGION, r, parent, lo, hi, rights, 0);
	if (i >= 0)
		regions[r].ncaps++;
	return i;
}

void region_cap_died(const struct tcap *c)
{
	regions[c->obj].ncaps--;
}

/* Free region r and every capability of it. */
static void region_free(u32 r)
{
	ct_kill_object(CT_REGION, r);
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
	for (u32 r = 0; r < NREGIONS; r++) {
		u32 n = ct_count(CT_REGION, r);
		if (n != regions[r].ncaps || (regions[r].size &&
		    (!regions[r].owner || regions[r].owner->status == ENV_FREE)) ||
		    (!regions[r].size && n)) {
			lib_snprintf(why, len, "software region %u: %u capabilities (counted %u), owner %s",
				     r, n, regions[r].ncaps, regions[r].owner ? "dead" : "none");
			return false;
		}
	}
	return ct_consistent(why, len);
}

/* Put capability i's name in the return value and its check in v1. */
static u32 give(struct trapframe *tf, int i)
{
	if (i < 0)
		return (u32)i;
	tf->regs[R_V1] = ct_caps[i].check;
	return ct_name((u32)i);
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
	int c = cap_new(r, CT_NOPARENT, 0, size, SR_R | SR_W);
	if (c < 0)
		return (u32)c;
	int e = limit_charge(curenv, LIM_PAGES, 1);
	if (e < 0) {
		ct_kill_subtree((u32)c);
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
	struct tcap *p = lookup(tf->regs[R_A0], tf->regs[R_A1]);
	u32 lo = tf->regs[R_A2] >> 16, hi = tf->regs[R_A2] & 0xffff, rights = tf->regs[R_A3];
	if (!p)
		return (u32)-E_BADCAP;
	if (lo >= hi || !rights || (rights & ~(u32)(SR_R | SR_W)))
		return (u32)-E_INVAL;
	if (lo < p->lo || hi > p->hi || (rights & ~(u32)p->rights))
		return (u32)-E_PERM;
	return give(tf, cap_new(p->obj, (u32)(p - ct_caps), lo, hi, rights));
}

/* sr_revoke(name, check): invalidate every capability derived from this one,
 * at any depth; it stays valid. Returns 0; -E_BADCAP. */
u32 sys_sr_revoke(struct trapframe *tf)
{
	struct tcap *c = lookup(tf->regs[R_A0], tf->regs[R_A1]);
	if (!c)
		return (u32)-E_BADCAP;
	ct_kill_below((u32)(c - ct_caps));
	return 0;
}

/* sr_free(name, check): with a region's root capability, free the region
 * and every capability of it. Returns 0; -E_BADCAP; -E_PERM: not a root. */
u32 sys_sr_free(struct trapframe *tf)
{
	struct tcap *c = lookup(tf->regs[R_A0], tf->regs[R_A1]);
	if (!c)
		return (u32)-E_BADCAP;
	if (c->parent != CT_NOPARENT)
		return (u32)-E_PERM;
	region_free(c->obj);
	return 0;
}

/* Check an access of len bytes at off through (name, check) for rights
 * need; returns the region's memory there, or NULL with *err set. */
static u8 *access(struct trapframe *tf, u32 need, u32 *len, int *err)
{
	struct tcap *c = lookup(tf->regs[R_A0], tf->regs[R_A1]);
	u32 off = tf->regs[R_A2] >> 16;
	*len = tf->regs[R_A2] & 0xffff;
	*err = !c ? -E_BADCAP : !(c->rights & need) ? -E_PERM :
	       *len == 0 || off < c->lo || off + *len > c->hi ? -E_INVAL : 0;
	return *err ? NULL : regions[c->obj].mem + off;
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
