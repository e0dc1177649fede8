/*
 * pmap.c: physical pages, named by number (page n = physical n * 4096).
 *
 * Each page records its state, which environments hold a reference to it
 * (a bit per environment slot) and the secret check words of its two
 * capabilities (read-only and read-write; see cap.c). A page is freed when
 * its last holder lets go; its check words are then replaced, so every
 * capability for it stops working, and every TLB/STLB entry that maps it is
 * removed. Pages below RESERVED_LOW, the kernel image and the initrd are the
 * kernel's and are never handed out. Each used page is charged to the
 * environment that allocated it, its payer (limit.c), until it is freed.
 * Each slot's number of held pages is counted (page_held) for the kernel's
 * memory-pressure policy (mempress.c), which page_alloc runs when free
 * pages fall below the low-water mark.
 */
#include "defs.h"

struct ppage pages[MAX_PAGES];
u32 page_total;                   /* physical pages on the board (page_count) */
static u32 nfree, hint;
static u32 held[64];              /* pages each holder slot holds (bit i of holders) */
/* [held_lo, held_hi]: a range holding every page the slot holds (set when
 * its count goes from 0, widened as it takes more), so that letting go of
 * all of them walks that range rather than all of memory. */
static u32 held_lo[64], held_hi[64];

/* Slot now holds page p too (it did not before). */
static void held_add(u32 p, int slot)
{
	if (held[slot]++ == 0)
		held_lo[slot] = held_hi[slot] = p;
	else if (p < held_lo[slot])
		held_lo[slot] = p;
	else if (p > held_hi[slot])
		held_hi[slot] = p;
}

extern char __kernel_start[], _end[];

static void reserve(u32 pa, u32 len)
{
	for (u32 p = pa / PAGE_SIZE; p < page_total && p * PAGE_SIZE < pa + len; p++) {
		if (pages[p].state == PAGE_FREE)
			nfree--;
		pages[p].state = PAGE_KERNEL;
	}
}

void page_init(void)
{
	page_total = bootinfo.memsize / PAGE_SIZE;
	for (u32 p = 0; p < page_total; p++) {
		pages[p].state = PAGE_FREE;
		pages[p].holders = 0;
		pages[p].payer = PAYER_NONE;
		pages[p].stlb_refs = 0;
		pages[p].check[0] = rand32();
		pages[p].check[1] = rand32();
	}
	nfree = page_total;
	reserve(0, RESERVED_LOW);
	reserve(PADDR(__kernel_start), (u32)(_end - __kernel_start));
	if (bootinfo.initrd_size)
		reserve(bootinfo.initrd_pa, bootinfo.initrd_size);
	hint = 0;
}

/* Slot takes free page p: charged to it (-E_QUOTA if over budget), its
 * only holder, zeroed. Slots that are no environment (the kernel's
 * self-tests) are charged to no one. */
static int page_take(u32 p, int slot)
{
	if (slot < NENV) {
		int r = limit_charge(&envs[slot], LIM_PAGES, 1);
		if (r < 0)
			return r;
	}
	pages[p].state = PAGE_USED;
	pages[p].holders = 1ull << slot;
	held_add(p, slot);
	pages[p].payer = slot < NENV ? (u8)slot : PAYER_NONE;
	nfree--;
	kinfo_pub->pages_free = nfree;
	u32 *kva = KADDR(p * PAGE_SIZE);
	for (int w = 0; w < PAGE_SIZE / 4; w += 8) {      /* eight stores a round */
		kva[w] = kva[w + 1] = kva[w + 2] = kva[w + 3] = 0;
		kva[w + 4] = kva[w + 5] = kva[w + 6] = kva[w + 7] = 0;
	}
	return (int)p;
}

/* page_alloc without the memory-pressure policy. */
static int page_alloc_one(u32 ppn, int slot)
{
	if (ppn == PAGE_ANY) {
		for (u32 i = 0; i < page_total; i++) {
			u32 p = (hint + i) % page_total;
			if (pages[p].state == PAGE_FREE) {
				hint = p + 1;
				return page_take(p, slot);
			}
		}
		return -E_NOMEM;
	}
	if (ppn >= page_total)
		return -E_INVAL;
	if (pages[ppn].state != PAGE_FREE)
		return -E_BUSY;
	return page_take(ppn, slot);
}

int page_alloc(u32 ppn, int slot)
{
	int r = page_alloc_one(ppn, slot);
	if (nfree < mem_low_water)
		mem_pressure(slot);
	return r;
}

/* The page has no holder left: revoke its capabilities and mappings. */
static void page_free(u32 p)
{
	if (pages[p].payer != PAYER_NONE)
		limit_uncharge(&envs[pages[p].payer], LIM_PAGES, 1);
	pages[p].state = PAGE_FREE;
	pages[p].holders = 0;
	pages[p].payer = PAYER_NONE;
	pages[p].check[0] = rand32();
	pages[p].check[1] = rand32();
	if (pages[p].ntree)
		ct_kill_object(CT_PAGE, p);
	nfree++;
	kinfo_pub->pages_free = nfree;
	tlb_unmap_ppn(p);
	stlb_unmap_ppn(p);
}

bool page_holds(u32 ppn, int slot)
{
	return ppn < page_total && pages[ppn].state == PAGE_USED && (pages[ppn].holders >> slot & 1);
}

void page_hold(u32 ppn, int slot)
{
	if (!(pages[ppn].holders >> slot & 1))
		held_add(ppn, slot);
	pages[ppn].holders |= 1ull << slot;
}

u32 page_held(int slot) { return held[slot]; }
bool page_held_range_has(u32 ppn, int slot) { return held_lo[slot] <= ppn && ppn <= held_hi[slot]; }

int page_unref(u32 ppn, int slot)
{
	if (!page_holds(ppn, slot))
		return -E_PERM;
	pages[ppn].holders &= ~(1ull << slot);
	held[slot]--;
	if (!pages[ppn].holders)
		page_free(ppn);
	return 0;
}

void page_release_all(int slot)
{
	for (u32 p = held_lo[slot]; p <= held_hi[slot] && held[slot]; p++)
		if (page_holds(p, slot))
			page_unref(p, slot);
}

u32 page_free_count(void) { return nfree; }
bool page_is_free(u32 ppn) { return ppn < page_total && pages[ppn].state == PAGE_FREE; }

/* synci writes the line back from the D-cache and invalidates it in the
 * I-cache; 16 bytes is no more than any MIPS32 line, so no line is missed. */
void cache_sync(void *kva, u32 len)
{
	u32 a = (u32)(uintptr_t)kva & ~15u, end = (u32)(uintptr_t)kva + len;
	for (; a < end; a += 16)
		__asm__ volatile("synci 0(%0)" :: "r"(a) : "memory");
	__asm__ volatile("sync" ::: "memory");
}
