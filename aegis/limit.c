/*
 * limit.c: budgets. Every physical page, slice position, environment,
 * packet filter, disk extent, ASH and XN entry is
 * charged to the environment that took it and to each of its ancestors
 * (env->used[]); taking one fails with -E_QUOTA if that would take any of
 * them past its limit (env->limit[]). A parent sets its children's limits
 * (env_limit), so no environment can take more of a resource than its
 * parent let it, and a whole subtree no more than its root's limit: a child
 * cannot hold every slice position or every page hostage. Usage is given
 * back when the resource is: a page when it is freed (to the environment
 * that allocated it, its payer), a position when it is freed or taken, an
 * environment when it is destroyed.
 */
#include "defs.h"

#define CHILD_ENVS 16          /* a new child's environment budget */
#define CHILD_FILTERS 32       /* and its packet-filter budget (a table has DPF_MAXFILT) */
#define CHILD_EXTENTS 8        /* and its disk-extent budget (the disk has DISK_MAXEXT) */
#define CHILD_ASHS 2           /* and its ASH budget (the kernel has ASH_MAX) */
#define CHILD_XN 32            /* and its XN budget: templates and blocks (XN_MAXBLOCKS) */

int limit_charge(struct env *e, int r, u32 n)
{
	for (struct env *a = e; a; a = a->parent)
		if (a->used[r] + n < a->used[r] || a->used[r] + n > a->limit[r])
			return -E_QUOTA;
	for (struct env *a = e; a; a = a->parent) {
		a->used[r] += n;
		kinfo_env(a);
	}
	return 0;
}

void limit_uncharge(struct env *e, int r, u32 n)
{
	for (struct env *a = e; a; a = a->parent) {
		a->used[r] -= n;
		kinfo_env(a);
	}
}

/* The limits of a new environment: the first one has none; a child may
 * hold one slice position, have CHILD_ENVS environments below it, install
 * CHILD_FILTERS packet filters, allocate CHILD_EXTENTS disk extents and
 * download CHILD_ASHS ASHs and hold CHILD_XN XN entries (so that no child
 * fills a NIC's filter table, the disk's extent table, the ASH pool or XN's
 * tables before its parent says it may),
 * and is
 * otherwise (pages) bounded by its ancestors until its parent says more. */
void limit_init(struct env *e)
{
	for (int r = 0; r < NLIMITS; r++) {
		e->used[r] = 0;
		e->limit[r] = LIMIT_NONE;
	}
	if (e->parent) {
		e->limit[LIM_SLICES] = 1;
		e->limit[LIM_ENVS] = CHILD_ENVS;
		e->limit[LIM_FILTERS] = CHILD_FILTERS;
		e->limit[LIM_EXTENTS] = CHILD_EXTENTS;
		e->limit[LIM_ASHS] = CHILD_ASHS;
		e->limit[LIM_XN] = CHILD_XN;
	}
}

/* env_limit(envid, resource, n): set a child's limit for resource (LIM_*)
 * to n (LIMIT_NONE: none of its own). A limit below what the child holds
 * now stops it taking more; nothing is taken back (revoke does that).
 * -E_NOENT; -E_PERM: not the caller's child; -E_INVAL: no such resource. */
u32 sys_env_limit(struct trapframe *tf)
{
	int err = 0;
	struct env *e = env_child(tf->regs[R_A0], &err);
	u32 r = tf->regs[R_A1];
	if (!e)
		return (u32)err;
	if (r >= NLIMITS)
		return (u32)-E_INVAL;
	e->limit[r] = tf->regs[R_A2];
	return 0;
}

/* env_usage(envid, resource): how much of resource the caller (envid 0 or
 * its own id) or a child and everything below it hold now; its limit in v1.
 * -E_NOENT; -E_PERM; -E_INVAL: no such resource. */
u32 sys_env_usage(struct trapframe *tf)
{
	int err = 0;
	struct env *e = env_self_or_child(tf->regs[R_A0], &err);
	u32 r = tf->regs[R_A1];
	if (!e)
		return (u32)err;
	if (r >= NLIMITS)
		return (u32)-E_INVAL;
	tf->regs[R_V1] = e->limit[r];
	return e->used[r];
}
