/*
 * pt2.c: a two-level page table. The directory (1024 words, one per 2 MiB)
 * holds the addresses of second-level pages of 512 struct pte. Every page of
 * the table is a guaranteed mapping, so the TLB-miss handler can read it
 * without missing.
 */
#include "exos.h"
#include "pt.h"

#define DIR ((u32 *)PT_BASE)
static u32 next_pt_va = PT_BASE + PAGE_SIZE;

int pt_init(void)
{
	return exos_page_guaranteed(PT_BASE, NULL);
}

struct pte *pt_walk(u32 va, bool alloc)
{
	if (va >= USER_TOP)
		return NULL;
	u32 *slot = &DIR[va >> 21];
	if (!*slot) {
		if (!alloc || next_pt_va >= PT_BASE + PT_PAGES_MAX * PAGE_SIZE)
			return NULL;
		if (exos_page_guaranteed(next_pt_va, NULL) < 0)
			return NULL;
		*slot = next_pt_va;
		next_pt_va += PAGE_SIZE;
	}
	return (struct pte *)*slot + ((va >> 12) & 511);
}
