/*
 * kcheck.c: the kernel's invariant checker. It walks every table that
 * carries protection state and checks that they agree with each other, so
 * that a test or a fuzzer can ask, after any sequence of system calls,
 * whether anything is left dangling: a page held by an environment that is
 * gone, a translation to a free page, a save area the kernel would write
 * through into someone else's page, a slice position or a budget unit that
 * nobody accounts for. The system call (sys_kcheck) exists only when the
 * kernel was booted with `kcheck` (or `ktest`): a full walk takes a few
 * hundred thousand instructions.
 */
#include "defs.h"

static int nbad;

#define BAD(...) do { nbad++; if (nbad <= 20) { kprintf("[aegis] kcheck: " __VA_ARGS__); \
	kprintf("\n"); } } while (0)

static bool live(int slot)
{
	return slot >= 0 && slot < NENV && envs[slot].status != ENV_FREE;
}

/* Is d e itself or below it? */
static bool in_subtree(const struct env *d, const struct env *e)
{
	for (int depth = 0; d && depth <= NENV; d = d->parent, depth++)
		if (d == e)
			return true;
	return false;
}

/* A translation's EntryLo: if valid, it must name a page in use. */
static void check_lo(u32 lo, const char *where, u32 hi)
{
	u32 ppn = lo >> ELO_PFN_SHIFT;
	if ((lo & ELO_V) && ppn == kinfo_ppn()) {
		if ((lo & ELO_D) || (hi & EHI_VPN2_MASK) != (KINFO_VA & EHI_VPN2_MASK))
			BAD("%s %08x maps the public page writable or elsewhere", where, hi);
		return;
	}
	if ((lo & ELO_V) && (ppn >= page_count() || pages[ppn].state != PAGE_USED))
		BAD("%s %08x maps page %x, which is not in use", where, hi, ppn);
}

/* The environment with this ASID must exist. */
static void check_asid(u32 asid, const char *where, u32 hi)
{
	if (asid == 0 || asid > NENV || !live((int)asid - 1))
		BAD("%s %08x has ASID %u of no live environment", where, hi, asid);
}

/* Each slot's count of held pages (page_held) agrees with the holder bits,
 * and each held page is inside its slot's held range. */
static void check_held(void)
{
	static u32 n[64];
	for (int i = 0; i < 64; i++)
		n[i] = 0;
	for (u32 p = 0; p < page_count(); p++)
		for (u64 h = pages[p].holders; h; h &= h - 1) {
			int i = 0;
			while (!(h >> i & 1))
				i++;
			n[i]++;
			if (!page_held_range_has(p, i))
				BAD("page %x is held by slot %d outside its held range", p, i);
		}
	for (int i = 0; i < 64; i++)
		if (n[i] != page_held(i))
			BAD("slot %d holds %u pages but its count says %u", i, n[i], page_held(i));
}

static void check_pages(void)
{
	u32 nfree = 0;
	u64 live_mask = 0;
	for (int i = 0; i < NENV; i++)
		if (live(i))
			live_mask |= 1ull << i;
	if (bootinfo.ktest)
		live_mask |= 1ull << 63;          /* the self-tests' slot */
	for (u32 p = 0; p < page_count(); p++) {
		const struct ppage *pg = &pages[p];
		if (pg->state == PAGE_FREE) {
			nfree++;
			if (pg->holders || pg->payer != PAYER_NONE)
				BAD("free page %x has holders %llx or payer %u", p,
				    (unsigned long long)pg->holders, pg->payer);
		} else if (pg->state == PAGE_KERNEL) {
			if (pg->holders)
				BAD("kernel page %x has holders", p);
		} else if (pg->state == PAGE_USED) {
			if (!pg->holders)
				BAD("used page %x has no holder", p);
			if (pg->holders & ~live_mask)
				BAD("page %x is held by a slot with no environment (%llx)", p,
				    (unsigned long long)(pg->holders & ~live_mask));
			if (pg->payer != PAYER_NONE) {
				if (!live(pg->payer))
					BAD("page %x is charged to dead slot %u", p, pg->payer);
				else
					for (int i = 0; i < NENV; i++)
						if ((pg->holders >> i & 1) && live(i) &&
						    !in_subtree(&envs[i], &envs[pg->payer]))
							BAD("page %x is held by env %x outside its payer %x's subtree",
							    p, envs[i].id, envs[pg->payer].id);
			}
		} else {
			BAD("page %x in unknown state %u", p, pg->state);
		}
	}
	if (nfree != page_free_count())
		BAD("%u pages are free but the count says %u", nfree, page_free_count());
}

static void check_stlb(void)
{
	static u16 refs[MAX_PAGES];
	for (u32 p = 0; p < page_count(); p++)
		refs[p] = 0;
	for (u32 i = 0; i < STLB_ENTRIES; i++) {
		const struct stlb_entry *s = &stlb[i];
		if (s->tag == STLB_EMPTY)
			continue;
		if (stlb_index(s->tag) != i || (s->tag & ~(EHI_VPN2_MASK | EHI_ASID_MASK)))
			BAD("STLB entry %u has a malformed tag %08x", i, s->tag);
		if ((s->tag & EHI_VPN2_MASK) >= USER_TOP)
			BAD("STLB entry %u maps kernel address %08x", i, s->tag);
		check_asid(s->tag & EHI_ASID_MASK, "STLB entry", s->tag);
		check_lo(s->lo0, "STLB entry", s->tag);
		check_lo(s->lo1, "STLB entry", s->tag);
		if ((s->lo0 & ELO_V) && (s->lo0 >> ELO_PFN_SHIFT) < page_count())
			refs[s->lo0 >> ELO_PFN_SHIFT]++;
		if ((s->lo1 & ELO_V) && (s->lo1 >> ELO_PFN_SHIFT) < page_count())
			refs[s->lo1 >> ELO_PFN_SHIFT]++;
	}
	for (u32 p = 0; p < page_count(); p++)
		if (refs[p] != pages[p].stlb_refs)
			BAD("page %x: %u STLB references, counted %u", p, refs[p], pages[p].stlb_refs);
}

static void check_tlb(void)
{
	u32 his[NTLB];
	for (int i = 0; i < NTLB; i++) {
		u32 lo0, lo1;
		tlb_read(i, &his[i], &lo0, &lo1);
		if (his[i] >= KSEG0) {
			if ((lo0 | lo1) & ELO_V)
				BAD("parked TLB slot %d is valid", i);
		} else {
			check_asid(his[i] & EHI_ASID_MASK, "TLB entry", his[i]);
			check_lo(lo0, "TLB entry", his[i]);
			check_lo(lo1, "TLB entry", his[i]);
		}
		for (int j = 0; j < i; j++)
			if ((his[j] & (EHI_VPN2_MASK | EHI_ASID_MASK)) ==
			    (his[i] & (EHI_VPN2_MASK | EHI_ASID_MASK)))
				BAD("TLB slots %d and %d both match %08x", j, i, his[i]);
	}
}

/* The public page (kinfo.c) must say exactly what the tables say. */
static void check_public_page(void)
{
	const struct kinfo *k = kinfo_pub;
	if (k->pages_free != page_free_count())
		BAD("public page: %u pages free, the count says %u", k->pages_free, page_free_count());
	for (int i = 0; i < NENV; i++) {
		const struct env *e = &envs[i];
		struct kinfo_env want = { 0, 0, 0, 0 };
		if (live(i))
			want = (struct kinfo_env){ e->id, e->parent ? e->parent->id : 0,
						   e->used[LIM_PAGES], e->used[LIM_SLICES] };
		if (lib_memcmp(&k->env[i], &want, sizeof want))
			BAD("public page: slot %d says %x/%x/%u/%u", i, k->env[i].id,
			    k->env[i].parent, k->env[i].pages, k->env[i].slices);
	}
	for (int pos = 0; pos < NSLICES; pos++) {
		int o = slice_owner(pos);
		if (k->slice_owner[pos] != (o >= 0 ? envs[o].id : 0))
			BAD("public page: slice position %d owned by %x", pos, k->slice_owner[pos]);
	}
}

static void check_env(struct env *e)
{
	int slot = env_slot(e);
	if ((e->id & 0xff) != (u32)slot || e->asid != (u32)slot + 1)
		BAD("env %x in slot %d has ASID %u", e->id, slot, e->asid);
	if (e->parent && (e->parent == e || e->parent->status == ENV_FREE))
		BAD("env %x has a dead parent", e->id);
	if (e->waiting_on && e->waiting_on->status == ENV_FREE)
		BAD("env %x waits on a dead environment", e->id);
	if (!wk_consistent(e))
		BAD("env %x: status %d and its wakeup predicate disagree", e->id, e->status);
	if (e->ngmap < 0 || e->ngmap > NGMAP)
		BAD("env %x has %d guaranteed mappings", e->id, e->ngmap);
	for (int i = 0; i < e->ngmap; i++) {
		const struct gmap *g = &e->gmap[i];
		if (i && e->gmap[i - 1].vpn >= g->vpn)
			BAD("env %x: guaranteed mappings out of order", e->id);
		if (g->vpn >= USER_TOP >> PAGE_SHIFT)
			BAD("env %x: guaranteed mapping of kernel page %x", e->id, g->vpn);
		if (!page_holds(g->ppn, slot))
			BAD("env %x: guaranteed mapping %x -> page %x it does not hold",
			    e->id, g->vpn, g->ppn);
		if (gmap_lookup(e, g->vpn) != g)
			BAD("env %x: guaranteed mapping %x not found by lookup", e->id, g->vpn);
		if (gmap_find_ppn_filtered(e, g->ppn) == NULL)
			BAD("env %x: guaranteed mapping of page %x missed by the page filter",
			    e->id, g->ppn);
	}
	if (e->up_save_kva) {
		const struct gmap *g = gmap_lookup(e, e->up_save_va >> PAGE_SHIFT);
		u32 want = g ? (u32)(uintptr_t)KADDR(g->ppn * PAGE_SIZE +
						     (e->up_save_va & (PAGE_SIZE - 1))) : 0;
		if (!g || !g->writable || want != e->up_save_kva)
			BAD("env %x: save area %08x (kernel %08x) is not its writable guaranteed mapping",
			    e->id, e->up_save_va, e->up_save_kva);
	}
	for (int i = 0; i < e->nvital; i++)
		if (!page_holds(e->vital[i], slot))
			BAD("env %x: vital page %x not held", e->id, e->vital[i]);
	if ((e->tf.status & ST_CU1) && fpu_owner != e && e != curenv)
		BAD("env %x may use the FPU but does not own it", e->id);
	if ((e->tf.status & (ST_KSU_MASK | ST_EXL)) != (ST_KSU_USER | ST_EXL))
		BAD("env %x would not resume in user mode (status %08x)", e->id, e->tf.status);
}

/* Budgets: what each environment's subtree holds, counted afresh (each unit
 * is charged to its holder and every ancestor), against env->used[]. */
static u32 used[NENV][NLIMITS];

/* Count one unit of resource r for e and its ancestors (a parent chain
 * longer than NENV would be a cycle: reported, not followed). */
static void count_up(struct env *e, int r)
{
	int depth = 0;
	for (; e && depth <= NENV; e = e->parent, depth++)
		used[env_slot(e)][r]++;
	if (e)
		BAD("a cycle in the parent chain");
}

static void check_budgets(void)
{
	for (int i = 0; i < NENV; i++)
		for (int r = 0; r < NLIMITS; r++)
			used[i][r] = 0;
	for (u32 p = 0; p < page_count(); p++)
		if (pages[p].state == PAGE_USED && live(pages[p].payer))
			count_up(&envs[pages[p].payer], LIM_PAGES);
	for (int i = 0; i < NENV; i++)               /* software regions: a page each */
		for (u32 k = live(i) ? region_count(&envs[i]) : 0; k > 0; k--)
			count_up(&envs[i], LIM_PAGES);
	for (int pos = 0; pos < NSLICES; pos++)
		if (live(slice_owner(pos)))
			count_up(&envs[slice_owner(pos)], LIM_SLICES);
	for (int i = 0; i < NENV; i++)
		if (live(i) && envs[i].parent)
			count_up(envs[i].parent, LIM_ENVS);
	for (int i = 0; i < NENV; i++) {             /* packet filters, disk extents, ASHs */
		for (u32 k = live(i) ? nic_filters_of(i) : 0; k > 0; k--)
			count_up(&envs[i], LIM_FILTERS);
		for (u32 k = live(i) ? disk_extents_of(i) : 0; k > 0; k--)
			count_up(&envs[i], LIM_EXTENTS);
		for (u32 k = live(i) ? ash_count_of(i) : 0; k > 0; k--)
			count_up(&envs[i], LIM_ASHS);
		for (u32 k = live(i) ? xn_entries_of(i) : 0; k > 0; k--)
			count_up(&envs[i], LIM_XN);
	}
	for (int i = 0; i < NENV; i++)
		for (int r = 0; live(i) && r < NLIMITS; r++)
			if (used[i][r] != envs[i].used[r])
				BAD("env %x: budget %d says %u in use, counted %u", envs[i].id, r,
				    envs[i].used[r], used[i][r]);
}

int kcheck(void)
{
	nbad = 0;
	check_pages();
	check_held();
	check_stlb();
	check_tlb();
	for (int i = 0; i < NENV; i++)
		if (live(i))
			check_env(&envs[i]);
	check_budgets();
	for (int pos = 0; pos < NSLICES; pos++)
		if (slice_owner(pos) >= 0 && !live(slice_owner(pos)))
			BAD("slice position %d owned by dead slot %d", pos, slice_owner(pos));
	check_public_page();
	char why[96];
	if (!region_consistent(why, sizeof why))
		BAD("%s", why);
	if (!pcap_consistent(why, sizeof why))
		BAD("%s", why);
	if (!nic_consistent(why, sizeof why))
		BAD("%s", why);
	if (!ash_consistent(why, sizeof why))
		BAD("%s", why);
	if (!disk_consistent(why, sizeof why))
		BAD("%s", why);
	if (!xn_consistent(why, sizeof why))
		BAD("%s", why);
	if (fpu_owner && fpu_owner->status == ENV_FREE)
		BAD("the FPU is owned by a dead environment");
	if (curenv && (cur_upcall.exc != curenv->up_exc || cur_upcall.tlb != curenv->up_tlb ||
		       cur_upcall.save_kva_user != curenv->up_save_kva))
		BAD("published upcalls are not env %x's", curenv->id);
	return nbad;
}

static u32 kcheck_total;

/* kcheck(total): with total 0, run the invariant checker and return the
 * number of inconsistencies found (each is printed); with total 1, return
 * how many every run since boot has found (whoever asked for it: a fuzzer
 * learns of a check its children ran, which they cannot forge). -E_NOSYS
 * unless booted with `kcheck` or `ktest`; -E_INVAL: total not 0/1. */
u32 sys_kcheck(struct trapframe *tf)
{
	if (!bootinfo.kcheck && !bootinfo.ktest)
		return (u32)-E_NOSYS;
	if (tf->regs[R_A0] > 1)
		return (u32)-E_INVAL;
	if (tf->regs[R_A0] == 1)
		return kcheck_total;
	/* The caller ran with its own ASID in EntryHi: its translations are
	 * looked up with it, and the refill miss path finds its guaranteed-
	 * mapping filter through it (a kernel path that left another one, as
	 * tlb_park once did, made every access miss). */
	u32 asid = tlb_get_asid();
	int n = kcheck();
	if (asid != curenv->asid) {
		kprintf("[aegis] kcheck: env %x ran with ASID %u in EntryHi, not its %u\n",
			curenv->id, asid, curenv->asid);
		n++;
	}
	kcheck_total += (u32)n;
	return (u32)n;
}
