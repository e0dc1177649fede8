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

static int pt2_init(void)
{
	return exos_page_guaranteed(PT_BASE, NULL);
}

/* A second-level page for the directory slot (out of line, so that the
 * lookup below needs no stack frame). */
static __attribute__((noinline)) struct pte *pt2_grow(u32 *slot, u32 va)
{
	if (next_pt_va >= PT_BASE + PT_PAGES_MAX * PAGE_SIZE ||
	    exos_page_guaranteed(next_pt_va, NULL) < 0)
		return NULL;
	*slot = next_pt_va;
	next_pt_va += PAGE_SIZE;
	return (struct pte *)*slot + ((va >> 12) & 511);
}

static struct pte *pt2_walk(u32 va, bool alloc)
{
	if (va >= USER_TOP)
		return NULL;
	u32 *slot = &DIR[va >> 21];
	if (*slot)
		return (struct pte *)*slot + ((va >> 12) & 511);
	return alloc ? pt2_grow(slot, va) : NULL;
}

static int pt2_forget_ppn(u32 ppn, void (*fn)(u32 va))
{
	int n = 0;
	for (u32 d = 0; d < 1024; d++) {
		struct pte *t = (struct pte *)DIR[d];
		if (!t)
			continue;
		for (u32 i = 0; i < 512; i++)
			if ((t[i].word & PTE_P) && PTE_PPN(t[i].word) == ppn) {
				t[i].word = 0;
				n++;
				if (fn)
					fn(d << 21 | i << 12);
			}
	}
	return n;
}

static void pt2_foreach(void (*fn)(u32 va, struct pte *p))
{
	for (u32 d = 0; d < 1024; d++) {
		struct pte *t = (struct pte *)DIR[d];
		for (u32 i = 0; t && i < 512; i++)
			if (t[i].word & PTE_P)
				fn(d << 21 | i << 12, &t[i]);
	}
}

static void pt2_extent(u32 *start, u32 *end)
{
	*start = PT_BASE;
	*end = next_pt_va;
}

const struct pt_ops pt_twolevel = { "two-level", pt2_init, pt2_walk, pt2_forget_ppn,
				    pt2_foreach, pt2_extent };

/* The default; a program overrides it with its own definition. */
__attribute__((weak)) const struct pt_ops *exos_page_table = &pt_twolevel;
