/*
 * pt.h: the page-table interface ExOS's VM code uses. The kernel never reads
 * the table, so its structure is the application's choice: ExOS has a
 * two-level table (pt2.c, the default) and an inverted, hashed one
 * (pt_inverted.c). A program picks one by defining
 *     const struct pt_ops *exos_page_table = &pt_inverted;
 * (the library's definition is weak).
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
#define PTE_COW 0x10   /* shared after fork: writable, but copied on the first write */
#define PTE_SHARED 0x20 /* shared memory on purpose (vm_map_page): fork shares it */
#define PTE_PPN(w) ((w) >> 12)

struct pt_ops {
	const char *name;
	/* Set up an empty table. Returns 0 or a negative error. */
	int (*init)(void);
	/* The entry for va; with alloc, create it (and what holds it). NULL if
	 * absent (or if alloc failed). An entry may exist with word 0. */
	struct pte *(*walk)(u32 va, bool alloc);
	/* Clear every entry naming physical page ppn, calling fn(va) for each;
	 * returns how many. */
	int (*forget_ppn)(u32 ppn, void (*fn)(u32 va));
	/* Call fn for every entry with a page (PTE_P). */
	void (*foreach)(void (*fn)(u32 va, struct pte *p));
	/* The virtual range [*start, *end) of the table's own pages. */
	void (*extent)(u32 *start, u32 *end);
};
extern const struct pt_ops pt_twolevel, pt_inverted;
extern const struct pt_ops *exos_page_table;

static inline int pt_init(void) { return exos_page_table->init(); }
static inline struct pte *pt_walk(u32 va, bool alloc) { return exos_page_table->walk(va, alloc); }
static inline int pt_forget_ppn(u32 ppn, void (*fn)(u32 va))
{
	return exos_page_table->forget_ppn(ppn, fn);
}

#endif
