/*
 * vm.c: application-level virtual memory. Pages are allocated from Aegis by
 * name, recorded in ExOS's own page table (pt.h) with their capabilities,
 * and put into the TLB only when a miss is forwarded here. Protection, dirty
 * bits, aliasing and per-region fault handlers are all decided here.
 */
#include "exos.h"
#include "pt.h"

volatile struct vm_stats vm_stats;

#define NREGIONS 16
static struct { u32 start, end; vm_fault_fn fn; } regions[NREGIONS];
static int nregions;          /* regions[0, nregions) are in use, smallest first */

int exos_page_guaranteed(u32 va, u32 *ppn_out)
{
	u64 r = sys_page_alloc(PAGE_ANY);
	int ppn = (int)(u32)r;
	if (ppn < 0)
		return ppn;
	int e = sys_gmap_add(0, va | VA_W, CAP_NAME(ppn, CAP_RW), (u32)(r >> 32));
	if (e < 0) {
		sys_page_unref((u32)ppn);
		return e;
	}
	if (ppn_out)
		*ppn_out = (u32)ppn;
	return 0;
}

/* Make the TLB agree with pte for va: nothing, an invalid entry (no access),
 * read-only (also for a clean writable page, so the first write is seen), or
 * writable. */
/* The last translation vm_sync installed while a TLB fault is being
 * handled (exos_tlb_fault clears it on entry): its page and the page-table
 * word it was made from. A fault handler that opens the faulting page
 * installs it through vm_sync already; exos_tlb_fault then need not install
 * the same again. */
static u32 fault_installed_va = ~0u, fault_installed_word;

static int vm_sync(u32 va, const struct pte *p, bool eager)
{
	u32 w = p->word, name = CAP_NAME(PTE_PPN(w), CAP_RW);
	if (!(w & PTE_P))
		return sys_tlbvadelete(va);
	if (w & PTE_NA)
		return sys_tlbwr(va | VA_NOACCESS, 0, 0);
	if (!eager)
		return sys_tlbvadelete(va);
	int r = sys_tlbwr(va | ((w & PTE_W) && (w & PTE_D) ? VA_W : 0), name, p->check);
	if (r == 0) {
		fault_installed_va = va;
		fault_installed_word = w;
	}
	return r;
}

static u32 prot_bits(int prot)
{
	return prot == VM_NONE ? PTE_NA : prot == VM_RW ? PTE_W : 0;
}

int vm_map(u32 va, u32 npages, int prot)
{
	if ((va & (PAGE_SIZE - 1)) || va >= USER_TOP || npages > (USER_TOP - va) / PAGE_SIZE)
		return -E_INVAL;
	for (u32 i = 0; i < npages; i++) {
		struct pte *p = pt_walk(va + i * PAGE_SIZE, true);
		if (!p)
			return -E_NOMEM;
		if (p->word & PTE_P)
			return -E_BUSY;
		u64 r = sys_page_alloc(PAGE_ANY);
		if ((int)(u32)r < 0)
			return (int)(u32)r;
		p->check = (u32)(r >> 32);
		p->word = (u32)r << 12 | PTE_P | prot_bits(prot);
	}
	return 0;
}

int vm_map_page(u32 va, u32 ppn, u32 check, int prot)
{
	struct pte *p = pt_walk(va, true);
	if (!p)
		return -E_NOMEM;
	p->word = ppn << 12 | PTE_P | PTE_SHARED | prot_bits(prot);
	p->check = check;
	return vm_sync(va & ~(PAGE_SIZE - 1), p, false);
}

int vm_unmap(u32 va, u32 npages, bool unref)
{
	for (u32 i = 0; i < npages; i++) {
		u32 a = va + i * PAGE_SIZE;
		struct pte *p = pt_walk(a, false);
		if (!p || !(p->word & PTE_P))
			continue;
		u32 ppn = PTE_PPN(p->word);
		p->word = 0;
		sys_tlbvadelete(a);
		if (unref)
			sys_page_unref(ppn);
	}
	return 0;
}

/* The tlbwr arguments that make the TLB agree with pte eagerly (see vm_sync). */
static struct tlbwr_req tlbwr_args(u32 va, const struct pte *p)
{
	u32 w = p->word;
	if (w & PTE_NA)
		return (struct tlbwr_req){ va | VA_NOACCESS, 0, 0 };
	return (struct tlbwr_req){ va | ((w & PTE_W) && (w & PTE_D) ? VA_W : 0),
				   CAP_NAME(PTE_PPN(w), CAP_RW), p->check };
}

/* Change the protection of [va, va + npages pages), all of which must be
 * mapped, and make the TLB agree before returning. One page: one tlbwr or
 * tlbvadelete. Several pages closed (VM_NONE): one tlb_range call leaves
 * invalid entries. Several pages opened: their translations are installed
 * at once, TLBWR_VEC_MAX per tlbwr_vec call, so no access afterwards takes
 * a miss to ExOS (if the kernel cannot read the vector, page by page). */
/* Give page entry p protection prot (a copy-on-write page stays read-only:
 * its first write copies it). */
static inline __attribute__((always_inline)) void pte_protect(struct pte *p, int prot)
{
	u32 w = (p->word & ~(PTE_W | PTE_NA)) | prot_bits(prot);
	p->word = w & PTE_COW ? w & ~PTE_W : w;
}

/* vm_protect of more than one page: the entries, then one tlbwr_vec per
 * TLBWR_VEC_MAX pages (or one tlb_range for VM_NONE). */
static __attribute__((noinline)) int vm_protect_range(u32 va, u32 npages, int prot)
{
	static struct tlbwr_req vec[TLBWR_VEC_MAX];
	u32 n = 0;
	for (u32 i = 0; i < npages; i++) {
		u32 a = va + i * PAGE_SIZE;
		struct pte *p = pt_walk(a, false);
		if (!p || !(p->word & PTE_P))
			return -E_INVAL;
		pte_protect(p, prot);
		if (prot == VM_NONE)
			continue;
		vec[n++] = tlbwr_args(a, p);
		if (n == TLBWR_VEC_MAX || i + 1 == npages) {
			int r = sys_tlbwr_vec(vec, n);
			if (r == -E_FAULT) {            /* redo them one by one */
				r = 0;
				for (u32 k = 0; k < n && r >= 0; k++)
					r = sys_tlbwr(vec[k].va_flags, vec[k].capname, vec[k].capcheck);
			}
			if (r < 0)
				return r;
			n = 0;
		}
	}
	return npages && prot == VM_NONE ? sys_tlb_range(va, npages, 1) : 0;
}

/* One page (the usual call, kept short: no frame for the range's loop): the
 * entry, then one tlbwr (on Aegis's fast path) or tlbvadelete. */
int vm_protect(u32 va, u32 npages, int prot)
{
	va &= ~(PAGE_SIZE - 1);
	if (npages != 1)
		return vm_protect_range(va, npages, prot);
	struct pte *p = pt_walk(va, false);
	if (!p || !(p->word & PTE_P))
		return -E_INVAL;
	pte_protect(p, prot);
	return vm_sync(va, p, prot != VM_NONE);
}

int vm_dirty(u32 va)
{
	struct pte *p = pt_walk(va, false);
	if (!p || !(p->word & PTE_P))
		return -E_INVAL;
	return (p->word & PTE_D) != 0;
}

int vm_alias(u32 dst, u32 src, int prot)
{
	struct pte *s = pt_walk(src, false);
	if (!s || !(s->word & PTE_P))
		return -E_INVAL;
	return vm_map_page(dst & ~(PAGE_SIZE - 1), PTE_PPN(s->word), s->check, prot);
}

/* regions[0, nregions) is kept in order of size, smallest first, so the
 * first region that holds an address is the smallest (regions may nest). */
int vm_set_handler(u32 va, u32 len, vm_fault_fn fn)
{
	int i = 0;
	while (i < nregions && !(regions[i].start == va && regions[i].end == va + len))
		i++;
	if (i < nregions) {                      /* remove it; put it back below if fn */
		for (; i + 1 < nregions; i++)
			regions[i] = regions[i + 1];
		nregions--;
	}
	if (!fn)
		return 0;
	if (nregions == NREGIONS)
		return -E_NOMEM;
	for (i = nregions; i > 0 && regions[i - 1].end - regions[i - 1].start > len; i--)
		regions[i] = regions[i - 1];
	regions[i].start = va;
	regions[i].end = va + len;
	regions[i].fn = fn;
	nregions++;
	return 0;
}

/* The handler of the smallest region holding va. */
static vm_fault_fn region_handler(u32 va)
{
	for (int i = 0; i < nregions; i++)
		if (va - regions[i].start < regions[i].end - regions[i].start)
			return regions[i].fn;
	return NULL;
}

/* Give the page at va (copy-on-write after fork) a private copy: a new page
 * with the same bytes, writable; the shared one is let go. */
/* Copy one page, eight words a round (about 2.4 instructions a word where a
 * word at a time costs 5: fork copies every page of data, bss and stack). */
static void page_copy_words(u32 *to, const u32 *from)
{
	for (const u32 *end = from + PAGE_SIZE / 4; from < end; from += 8, to += 8) {
		u32 a = from[0], b = from[1], c = from[2], d = from[3];
		u32 e = from[4], f = from[5], g = from[6], h = from[7];
		to[0] = a, to[1] = b, to[2] = c, to[3] = d;
		to[4] = e, to[5] = f, to[6] = g, to[7] = h;
	}
}

int vm_page_copy(u32 src, u32 scratch, u32 *ppn, u32 *check)
{
	u64 r = sys_page_alloc(PAGE_ANY);
	*ppn = (u32)r;
	*check = (u32)(r >> 32);
	if ((int)*ppn < 0)
		return (int)*ppn;
	int e = vm_map_page(scratch, *ppn, *check, VM_RW);
	if (e < 0) {
		sys_page_unref(*ppn);
		return e;
	}
	page_copy_words((u32 *)scratch, (const u32 *)src);
	vm_unmap(scratch, 1, false);
	return 0;
}

int vm_cow_copy(u32 va, struct pte *p)
{
	u32 ppn, check, old = PTE_PPN(p->word);
	int e = vm_page_copy(va, COW_SCRATCH_VA, &ppn, &check);
	if (e < 0)
		return e;
	p->word = ppn << 12 | (p->word & ~(0xfffff000u | PTE_COW)) | PTE_W | PTE_D;
	p->check = check;
	sys_page_unref(old);
	return vm_sync(va, p, true);
}

/* Install what the page table entry p allows for an access to va; false if
 * it does not allow it. After the fault handler (after_handler), nothing is
 * installed if, since exos_tlb_fault began, vm_sync installed this page from
 * this very word (the handler opened it): the translation is in the STLB
 * and TLB already. Had anything taken it out since (without changing the
 * word), the access faults again, and that fault starts with nothing
 * recorded: one more fault, never a loop. */
static inline bool vm_try_fill(struct pte *p, u32 va, bool write, bool after_handler)
{
	if (!p || !(p->word & PTE_P) || (p->word & PTE_NA) || (write && !(p->word & PTE_W)))
		return false;
	if (write)
		p->word |= PTE_D;
	u32 page = va & ~(PAGE_SIZE - 1);
	if (after_handler && page == fault_installed_va && p->word == fault_installed_word)
		return true;
	return vm_sync(page, p, true) == 0;
}

/* The TLB entry point's C half: a miss, an access to an invalid entry, or a
 * write to a page mapped read-only. Installs the mapping the page table
 * allows; otherwise the region's fault handler decides (it returns 0 to
 * resume at f->epc, after changing protections or f itself); with no handler,
 * or if it declines, the program ends. */
void exos_tlb_fault(struct trapframe *f)
{
	u32 va = f->badvaddr, code = (f->cause >> 2) & 31;
	bool write = code == 3 /* TLBS */ || code == 1 /* Mod */;
	vm_stats.tlb_upcalls++;
	fault_installed_va = ~0u;
	struct pte *p = pt_walk(va, false);
	if (write && p && (p->word & (PTE_P | PTE_COW | PTE_NA)) == (PTE_P | PTE_COW)) {
		if (vm_cow_copy(va & ~(PAGE_SIZE - 1), p) < 0)
			exos_fatal(f, "out of memory for a copy-on-write page");
		return;
	}
	if (vm_try_fill(p, va, write, false))
		return;
	struct vm_fault flt = { va, write, p && (p->word & PTE_P), f };
	vm_fault_fn fn = region_handler(va);
	if (!fn || fn(&flt) != 0)
		exos_fatal(f, "page fault");
	vm_stats.handled_faults++;
	vm_try_fill(p, va, write, true);  /* if the handler opened the page, map it now */
}
