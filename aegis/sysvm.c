/*
 * sysvm.c: system calls on physical pages, capabilities and translations.
 * Each reads its arguments from the caller's a0..a3, checks every one and
 * returns a result >= 0 or a negative E_* code; a second result goes in v1.
 */
#include "defs.h"

/* page_alloc(ppn): allocate page ppn, or any free page for PAGE_ANY; the
 * caller becomes its only holder. Returns the page number, with the check
 * field of its CAP_RW capability in v1. -E_INVAL: no such page; -E_BUSY:
 * taken; -E_NOMEM: no free page; -E_QUOTA: over the caller's page budget. */
u32 sys_page_alloc(struct trapframe *tf)
{
	int r = page_alloc(tf->regs[R_A0], env_slot(curenv));
	if (r >= 0)
		tf->regs[R_V1] = cap_check_for((u32)r, CAP_RW);
	return (u32)r;
}

/* page_unref(ppn): let go of page ppn (and drop the caller's guaranteed
 * mappings of it). The last holder's unref frees the page: every capability
 * for it stops working and every mapping of it goes. -E_PERM if the caller
 * does not hold it. */
u32 sys_page_unref(struct trapframe *tf)
{
	u32 ppn = tf->regs[R_A0];
	if (!page_holds(ppn, env_slot(curenv)))
		return (u32)-E_PERM;
	gmap_remove_ppn(curenv, ppn);
	for (int i = 0; i < curenv->nvital; i++)        /* no longer vital */
		if (curenv->vital[i] == ppn)
			curenv->vital[i] = curenv->vital[--curenv->nvital];
	revoke_unref_hook(curenv);
	return (u32)page_unref(ppn, env_slot(curenv));
}

/* page_vital(ppn): mark a page the caller holds as vital: the abort protocol
 * never repossesses it (at most NVITAL = 8 per environment). -E_PERM: not
 * held; -E_NOMEM: already 8. Marking a vital page again is a no-op. */
u32 sys_page_vital(struct trapframe *tf)
{
	u32 ppn = tf->regs[R_A0];
	if (!page_holds(ppn, env_slot(curenv)))
		return (u32)-E_PERM;
	if (page_is_vital(curenv, ppn))
		return 0;
	if (curenv->nvital >= NVITAL)
		return (u32)-E_NOMEM;
	curenv->vital[curenv->nvital++] = ppn;
	return 0;
}

/* revoke(envid, npages): ask a child to give back npages pages (visible
 * revocation; the parent acts as its resource manager). If it has not done
 * so within REVOKE_SLICES of its slices, the abort protocol takes them.
 * -E_NOENT; -E_PERM: not the caller's child; -E_INVAL: npages 0 or absurd;
 * -E_BUSY: the child has not yet been told of the pages a previous request
 * took by force (its repossession upcall waits for it to run): ask again
 * later. */
u32 sys_revoke(struct trapframe *tf)
{
	int err = 0;
	struct env *e = env_child(tf->regs[R_A0], &err);
	return e ? (u32)revoke_request(e, tf->regs[R_A1]) : (u32)err;
}

/* set_revocation(entry): where revocation and repossession upcalls go (see
 * abi.h), 0 = none (requests are then only enforced). -E_INVAL: not a
 * word-aligned user address. */
u32 sys_set_revocation(struct trapframe *tf)
{
	u32 entry = tf->regs[R_A0];
	if (entry >= USER_TOP || (entry & 3))
		return (u32)-E_INVAL;
	curenv->revoke_entry = entry;
	return 0;
}

/* repossessed(buf, n): copy up to n entries of the caller's repossession
 * vector (page numbers taken by the abort protocol) to buf and empty it.
 * Returns how many pages were taken since the last call (entries past 64 are
 * counted but not recorded). -E_FAULT: buf not writable. */
u32 sys_repossessed(struct trapframe *tf)
{
	u32 buf = tf->regs[R_A0], n = tf->regs[R_A1], have = curenv->nrepo;
	u32 copy = have < NREPO ? have : NREPO;
	if (copy > n)
		copy = n;
	if (copy && copyout(buf, curenv->repo, copy * 4) < 0)
		return (u32)-E_FAULT;
	curenv->nrepo = 0;
	return have;
}

/* page_grant(envid, capname, capcheck): make the caller itself or one of its
 * children a holder of the page (ae_p_add). The caller must hold the page and
 * present a valid capability for it. Holders are always the allocator and
 * environments below it, so a page never outlives the subtree that paid for
 * it (docs/security.md). -E_NOENT: no such environment; -E_PERM: not the
 * caller or its child, or the caller does not hold the page; -E_BADCAP. */
u32 sys_page_grant(struct trapframe *tf)
{
	int err = 0;
	struct env *e = env_self_or_child(tf->regs[R_A0], &err);
	if (!e)
		return (u32)err;
	int ppn = cap_page_root(tf->regs[R_A1], tf->regs[R_A2], CAP_R);
	if (ppn < 0)
		return (u32)ppn;
	if (!page_holds((u32)ppn, env_slot(curenv)))
		return (u32)-E_PERM;
	page_hold((u32)ppn, env_slot(e));
	return 0;
}

/* cap_derive(capname, capcheck, rights): a capability for the same page with
 * fewer rights (CAP_R from CAP_RW). Returns the new name, its check in v1.
 * -E_BADCAP; -E_INVAL if rights is not CAP_R/CAP_RW; -E_PERM if rights
 * exceeds the presented ones, or for a derived capability (cap_new derives
 * below those). */
u32 sys_cap_derive(struct trapframe *tf)
{
	u32 name = tf->regs[R_A0], rights = tf->regs[R_A2];
	int ppn = cap_page_root(name, tf->regs[R_A1], CAP_R);
	if (ppn < 0)
		return (u32)ppn;
	if (rights != CAP_R && rights != CAP_RW)
		return (u32)-E_INVAL;
	if ((CAP_RIGHTS(name) & rights) != rights)
		return (u32)-E_PERM;
	tf->regs[R_V1] = cap_check_for((u32)ppn, rights);
	return CAP_NAME((u32)ppn, rights);
}

/* Split va|flags; false if va is not a user address or flags has bits
 * outside allowed. */
static bool va_flags(u32 arg, u32 allowed, u32 *va, u32 *flags)
{
	*va = arg & ~(PAGE_SIZE - 1);
	*flags = arg & (PAGE_SIZE - 1);
	return *va < USER_TOP && !(*flags & ~allowed);
}

/* Check the arguments of one tlbwr for the current environment: on success
 * *va is the page and *lo its EntryLo (0 for VA_NOACCESS, *keep set), and
 * 0 is returned; otherwise a negative E_* code. gmaps false: the caller
 * knows the environment has no guaranteed mapping where va may lie (see
 * tlbwr_vec), so none is looked up. Inlined into both callers: it is the
 * per-page work of tlbwr_vec. */
static inline __attribute__((always_inline)) int
tlbwr_check(u32 va_flags_arg, u32 capname, u32 capcheck, bool gmaps, u32 *va, u32 *lo, bool *keep)
{
	u32 flags;
	if (!va_flags(va_flags_arg, VA_W | VA_NOACCESS, va, &flags) ||
	    flags == (VA_W | VA_NOACCESS))
		return -E_INVAL;
	if (gmaps && gmap_lookup(curenv, *va >> PAGE_SHIFT))
		return -E_BUSY;
	*lo = 0;
	*keep = flags & VA_NOACCESS;
	if (!*keep) {
		int ppn = cap_page(capname, capcheck, flags & VA_W ? CAP_RW : CAP_R);
		if (ppn < 0)
			return ppn;
		*lo = (u32)ppn << ELO_PFN_SHIFT | ELO_C_CACHED | ELO_V | (flags & VA_W ? ELO_D : 0);
	}
	return 0;
}

/* tlbwr(va|flags, capname, capcheck): map the caller's page at va to the
 * capability's page, read-only or (VA_W) writable, in TLB and STLB.
 * VA_NOACCESS installs an invalid entry instead (no capability needed): the
 * next access is forwarded to the TLB entry point. -E_INVAL: bad va/flags;
 * -E_BADCAP: invalid capability or too few rights; -E_BUSY: va is a
 * guaranteed mapping. */
u32 sys_tlbwr(struct trapframe *tf)
{
	u32 va, lo;
	bool keep;
	int r = tlbwr_check(tf->regs[R_A0], tf->regs[R_A1], tf->regs[R_A2], true, &va, &lo, &keep);
	if (r < 0)
		return (u32)r;
	vm_set_half(curenv, va, lo, keep);
	return 0;
}

/* A pair being assembled by tlbwr_vec: halves given so far (bit 0: even,
 * bit 1: odd), their EntryLo values, whether an invalid entry is kept. */
struct pending_pair {
	u32 even, given, lo[2];
	bool keep;
};

static void pair_flush(struct pending_pair *p)
{
	if (p->given)
		vm_set_pair(curenv, p->even, p->lo[0], p->lo[1], p->given, p->keep, false);
	p->given = 0;
	p->keep = false;
}

/* tlbwr_vec(vec, n): n tlbwr calls in one kernel entry, vec pointing at n
 * struct tlbwr_req (abi.h) in the caller's memory, done in order with the
 * checks of tlbwr. Returns 0 when all are done; otherwise the error of the
 * first entry that failed, the entries before it having taken effect and
 * none after it. -E_INVAL: n is 0 or over TLBWR_VEC_MAX; -E_FAULT: vec not
 * readable (entries read before the fault have taken effect). The two
 * halves of a pair given one after the other make one STLB write; the TLB
 * loses the stale entries of the span at the end (the STLB refills it). */
u32 sys_tlbwr_vec(struct trapframe *tf)
{
	u32 vec = tf->regs[R_A0], n = tf->regs[R_A1], lo_vpn = ~0u, hi_vpn = 0;
	struct tlbwr_req buf[16];
	struct pending_pair p = { 0, 0, { 0, 0 }, false };
	int r = 0;
	if (n == 0 || n > TLBWR_VEC_MAX)
		return (u32)-E_INVAL;
	if (!user_range_ok(vec, n * (u32)sizeof buf[0]))
		return (u32)-E_FAULT;
	for (u32 done = 0; done < n && r == 0;) {
		u32 k = n - done < 16 ? n - done : 16;
		if (copyin(buf, vec + done * sizeof buf[0], k * sizeof buf[0]) < 0) {
			r = -E_FAULT;
			break;
		}
		/* One search for the chunk's span of pages (addresses outside
		 * user space are refused below, whatever this says) instead of
		 * a lookup per page. */
		u32 lo_c = ~0u, hi_c = 0;
		for (u32 i = 0; i < k; i++) {
			u32 v = buf[i].va_flags >> PAGE_SHIFT;
			lo_c = v < lo_c ? v : lo_c;
			hi_c = v > hi_c ? v : hi_c;
		}
		bool gmaps = gmap_any(curenv, lo_c, hi_c);
		for (u32 i = 0; i < k && r == 0; i++) {
			u32 va, lo;
			bool keep;
			r = tlbwr_check(buf[i].va_flags, buf[i].capname, buf[i].capcheck, gmaps, &va, &lo,
					&keep);
			if (r < 0)
				break;
			u32 vpn = va >> PAGE_SHIFT, half = vpn & 1;
			if (p.given && (p.even != (vpn & ~1u) || (p.given & (1u << half))))
				pair_flush(&p);
			p.even = vpn & ~1u;
			p.given |= 1u << half;
			p.lo[half] = lo;
			p.keep |= keep;
			lo_vpn = vpn < lo_vpn ? vpn : lo_vpn;
			hi_vpn = vpn > hi_vpn ? vpn : hi_vpn;
		}
		done += k;
	}
	pair_flush(&p);
	if (lo_vpn <= hi_vpn)
		tlb_drop_range(curenv->asid, lo_vpn & ~1u, (hi_vpn | 1u) + 1);
	return (u32)r;
}

/* tlbvadelete(va): remove the caller's translation of va's page from TLB and
 * STLB. -E_INVAL: not a user address; -E_BUSY: a guaranteed mapping. */
u32 sys_tlbvadelete(struct trapframe *tf)
{
	u32 va = tf->regs[R_A0];
	if (va >= USER_TOP)
		return (u32)-E_INVAL;
	if (gmap_lookup(curenv, va >> PAGE_SHIFT))
		return (u32)-E_BUSY;
	vm_set_half(curenv, va, 0, false);
	return 0;
}

/* tlb_range(va, npages, noaccess): for the caller's pages [va, va + npages
 * pages): remove their translations from TLB and STLB (noaccess 0), or make
 * them invalid entries (noaccess 1: the next access is forwarded at once).
 * One kernel entry for a whole range, e.g. protecting 100 pages.
 * -E_INVAL: va not a user address, the range runs past USER_TOP, or
 * noaccess not 0/1; -E_BUSY: a guaranteed mapping lies inside. */
u32 sys_tlb_range(struct trapframe *tf)
{
	u32 va = tf->regs[R_A0] & ~(PAGE_SIZE - 1), n = tf->regs[R_A1], noaccess = tf->regs[R_A2];
	if (va >= USER_TOP || n > (USER_TOP - va) / PAGE_SIZE || noaccess > 1)
		return (u32)-E_INVAL;
	return (u32)vm_range(curenv, va, n, noaccess);
}

/* gmap_add(envid, va|flags, capname, capcheck): a guaranteed mapping of va
 * (VA_W: writable) to the capability's page, for the caller (envid 0) or a
 * child; that environment becomes a holder of the page. The caller or the
 * target must already hold the page: a capability alone lets one map a page,
 * not keep it alive. -E_NOENT, -E_PERM (not self or child; page not held),
 * -E_INVAL, -E_BADCAP, -E_NOMEM (NGMAP reached); a derived capability
 * (CAP_TREE) gets -E_PERM: a guaranteed mapping must not outlive it. */
u32 sys_gmap_add(struct trapframe *tf)
{
	int err = 0;
	struct env *e = env_self_or_child(tf->regs[R_A0], &err);
	u32 va, flags;
	if (!e)
		return (u32)err;
	if (!va_flags(tf->regs[R_A1], VA_W, &va, &flags))
		return (u32)-E_INVAL;
	int ppn = cap_page_root(tf->regs[R_A2], tf->regs[R_A3], flags & VA_W ? CAP_RW : CAP_R);
	if (ppn < 0)
		return (u32)ppn;
	if (!page_holds((u32)ppn, env_slot(curenv)) && !page_holds((u32)ppn, env_slot(e)))
		return (u32)-E_PERM;
	return (u32)gmap_insert(e, va >> PAGE_SHIFT, (u32)ppn, flags & VA_W);
}

/* gmap_del(envid, va): remove a guaranteed mapping of the caller (envid 0)
 * or a child (the page stays held). -E_NOENT: no such mapping. */
u32 sys_gmap_del(struct trapframe *tf)
{
	int err = 0;
	struct env *e = env_self_or_child(tf->regs[R_A0], &err);
	if (!e)
		return (u32)err;
	if (tf->regs[R_A1] >= USER_TOP)
		return (u32)-E_INVAL;
	return (u32)gmap_remove(e, tf->regs[R_A1] >> PAGE_SHIFT);
}

/* set_upcalls(exc_entry, tlb_entry, save_va): where forwarded exceptions go
 * (see abi.h). All three 0: no more upcalls. -E_INVAL: an entry is not a
 * word-aligned user address, or the save area is misaligned or crosses a
 * page; -E_PERM: the save area is not in a writable guaranteed mapping. */
u32 sys_set_upcalls(struct trapframe *tf)
{
	return (u32)upcall_set(curenv, tf->regs[R_A0], tf->regs[R_A1], tf->regs[R_A2]);
}

/* capfails(): how many capabilities the caller presented that were invalid. */
u32 sys_capfails(struct trapframe *tf)
{
	(void)tf;
	return curenv->capfails;
}
