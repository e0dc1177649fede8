/*
 * pmap.c: physical pages. Every page of RAM has a record saying whether it
 * is free and which environment slot owns it. Pages below RESERVED_LOW, the
 * kernel image and the initrd are never free.
 */
#include "defs.h"

#define OWNER_NONE   (-1)
#define OWNER_KERNEL (-2)

struct ppage { s16 owner; u16 refs; };
static struct ppage pages[MAX_PAGES];
static u32 npages, nfree, hint;

extern char __kernel_start[], _end[];

static void reserve(u32 pa, u32 len)
{
	for (u32 p = pa / PAGE_SIZE; p < npages && p * PAGE_SIZE < pa + len; p++) {
		if (pages[p].owner == OWNER_NONE)
			nfree--;
		pages[p].owner = OWNER_KERNEL;
	}
}

void page_init(void)
{
	npages = bootinfo.memsize / PAGE_SIZE;
	for (u32 p = 0; p < npages; p++)
		pages[p] = (struct ppage){ OWNER_NONE, 0 };
	nfree = npages;
	reserve(0, RESERVED_LOW);
	reserve(PADDR(__kernel_start), (u32)(_end - __kernel_start));
	if (bootinfo.initrd_size)
		reserve(bootinfo.initrd_pa, bootinfo.initrd_size);
	hint = 0;
}

int page_alloc_any(int owner)
{
	for (u32 i = 0; i < npages; i++) {
		u32 p = (hint + i) % npages;
		if (pages[p].owner == OWNER_NONE) {
			pages[p] = (struct ppage){ (s16)owner, 1 };
			nfree--;
			hint = p + 1;
			u32 *kva = KADDR(p * PAGE_SIZE);
			for (int w = 0; w < PAGE_SIZE / 4; w++)
				kva[w] = 0;
			return (int)p;
		}
	}
	return -E_NOMEM;
}

void page_free(u32 ppn)
{
	if (ppn < npages && pages[ppn].owner >= 0) {
		pages[ppn] = (struct ppage){ OWNER_NONE, 0 };
		nfree++;
	}
}

void page_free_owner(int owner)
{
	for (u32 p = 0; p < npages; p++)
		if (pages[p].owner == owner)
			page_free(p);
}

u32 page_free_count(void) { return nfree; }
bool page_is_free(u32 ppn) { return ppn < npages && pages[ppn].owner == OWNER_NONE; }
int page_owner(u32 ppn) { return ppn < npages ? pages[ppn].owner : OWNER_KERNEL; }

/* synci writes the line back from the D-cache and invalidates it in the
 * I-cache; 16 bytes is no more than any MIPS32 line, so no line is missed. */
void cache_sync(void *kva, u32 len)
{
	u32 a = (u32)(uintptr_t)kva & ~15u, end = (u32)(uintptr_t)kva + len;
	for (; a < end; a += 16)
		__asm__ volatile("synci 0(%0)" :: "r"(a) : "memory");
	__asm__ volatile("sync" ::: "memory");
}
