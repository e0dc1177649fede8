/*
 * pt.h: the page-table interface ExOS's VM code uses. Any structure that
 * implements pt_init and pt_walk can replace the two-level table in pt2.c
 * (e.g. an inverted table): the kernel never reads it.
 */
#ifndef EXOS_PT_H
#define EXOS_PT_H
#include "../aegis/types.h"

/* One virtual page: the physical page and its CAP_RW check field, so the
 * TLB-miss handler can present the capability to tlbwr. */
struct pte {
	u32 word;      /* ppn << 12 | PTE_* flags */
	u32 check;     /* check field of the page's CAP_RW capability */
};
#define PTE_P   0x1    /* a page is there */
#define PTE_W   0x2    /* writes allowed */
#define PTE_NA  0x4    /* no access at all (read-protected) */
#define PTE_D   0x8    /* written since mapped (kept by ExOS through Mod faults) */
#define PTE_PPN(w) ((w) >> 12)

/* Set up an empty table. Returns 0 or a negative error. */
int pt_init(void);
/* The entry for va; with alloc, create the structure that holds it (which
 * may take a page). NULL if absent (or if alloc failed). */
struct pte *pt_walk(u32 va, bool alloc);
/* Clear every entry naming physical page ppn (it was repossessed); calls
 * fn(va) for each. Returns how many were cleared. */
int pt_forget_ppn(u32 ppn, void (*fn)(u32 va));

#endif
