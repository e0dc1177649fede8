/*
 * pt_inverted.c: an inverted page table: one hashed table for the whole
 * address space, sized by the memory mapped rather than by the address
 * range, as in the exokernel paper's example of a page-table structure an
 * application may choose. Open addressing with linear probing over
 * IPT_SLOTS entries of {vpn + 1, pte} (0 = never used); entries are not
 * removed (a cleared pte stays as the vpn's slot), so probes stay short for
 * the regions a program keeps. The table's pages are guaranteed mappings,
 * like the two-level table's.
 */
#include "exos.h"
#include "pt.h"

#define IPT_BASE   (PT_BASE + 0x400000)      /* after the two-level table's space */
#define IPT_SLOTS  16384                     /* 192 KiB, 48 pages */

struct ipt_entry { u32 key; struct pte pte; };   /* key = vpn + 1 */
#define IPT ((struct ipt_entry *)IPT_BASE)

static int ipt_init(void)
{
	u32 bytes = IPT_SLOTS * sizeof(struct ipt_entry);
	for (u32 off = 0; off < bytes; off += PAGE_SIZE) {
		int r = exos_page_guaranteed(IPT_BASE + off, NULL);
		if (r < 0)
			return r;
	}
	return 0;
}

static u32 ipt_hash(u32 vpn)
{
	return (vpn * 2654435761u) >> (32 - 14);      /* 14 bits: IPT_SLOTS */
}

static struct pte *ipt_walk(u32 va, bool alloc)
{
	if (va >= USER_TOP)
		return NULL;
	u32 key = (va >> PAGE_SHIFT) + 1;
	for (u32 i = 0, h = ipt_hash(key - 1); i < IPT_SLOTS; i++, h = (h + 1) % IPT_SLOTS) {
		if (IPT[h].key == key)
			return &IPT[h].pte;
		if (IPT[h].key == 0) {
			if (!alloc)
				return NULL;
			IPT[h].key = key;
			IPT[h].pte = (struct pte){ 0, 0 };
			return &IPT[h].pte;
		}
	}
	return NULL;                                  /* full */
}

static int ipt_forget_ppn(u32 ppn, void (*fn)(u32 va))
{
	int n = 0;
	for (u32 h = 0; h < IPT_SLOTS; h++)
		if (IPT[h].key && (IPT[h].pte.word & PTE_P) && PTE_PPN(IPT[h].pte.word) == ppn) {
			IPT[h].pte.word = 0;
			n++;
			if (fn)
				fn((IPT[h].key - 1) << PAGE_SHIFT);
		}
	return n;
}

static void ipt_foreach(void (*fn)(u32 va, struct pte *p))
{
	for (u32 h = 0; h < IPT_SLOTS; h++)
		if (IPT[h].key && (IPT[h].pte.word & PTE_P))
			fn((IPT[h].key - 1) << PAGE_SHIFT, &IPT[h].pte);
}

static void ipt_extent(u32 *start, u32 *end)
{
	*start = IPT_BASE;
	*end = IPT_BASE + IPT_SLOTS * sizeof(struct ipt_entry);
}

const struct pt_ops pt_inverted = { "inverted", ipt_init, ipt_walk, ipt_forget_ppn,
				    ipt_foreach, ipt_extent };
