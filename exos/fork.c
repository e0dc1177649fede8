/*
 * fork.c: fork at user level, with copy-on-write, as a library OS does it on
 * an exokernel. The kernel only provides a new empty environment, page
 * capabilities and guaranteed mappings.
 *  - Pages ExOS keeps as guaranteed mappings (the program image, the stack,
 *    the exception stack, the upcall page, the page table's own pages) are
 *    copied now into new pages that become the child's guaranteed mappings.
 *  - Pages of the page table: shared-on-purpose and read-only ones are simply
 *    shared; writable ones become copy-on-write in both (the first write in
 *    either copies, vm_cow_copy). The child is granted a hold on them.
 *  - The child starts at fork_child_entry, which registers its upcalls and
 *    returns 1 from fork_save with the registers the parent saved.
 */
#include "exos.h"
#include "pt.h"

extern char _text_end[], _data_start[], _end[];
int fork_save(void);
void fork_child_entry(void);

static u32 fork_child;
static int fork_err;

/* Each entry of the page table, before the table's pages are copied. */
static void share_entry(u32 va, struct pte *p)
{
	if (fork_err)
		return;
	u32 w = p->word;
	if ((w & PTE_W) && !(w & PTE_SHARED)) {
		p->word = (w & ~PTE_W) | PTE_COW;
		sys_tlbvadelete(va);             /* next access maps it read-only */
	}
	int r = sys_page_grant(fork_child, CAP_NAME(PTE_PPN(w), CAP_RW), p->check);
	if (r < 0)
		fork_err = r;
}

/* Copy [start, end) (whole pages) into new pages given to the child as
 * writable guaranteed mappings at the same addresses. */
static int copy_range(u32 start, u32 end)
{
	for (u32 va = start & ~(PAGE_SIZE - 1); va < end; va += PAGE_SIZE) {
		u32 ppn, check;
		int e = vm_page_copy(va, FORK_SCRATCH_VA, &ppn, &check);
		if (e < 0)
			return e;
		e = sys_gmap_add(fork_child, va | VA_W, CAP_NAME(ppn, CAP_RW), check);
		sys_page_unref(ppn);              /* the child holds it now */
		if (e < 0)
			return e;
	}
	return 0;
}

int exos_fork(void)
{
	console_flush();                          /* not printed twice */
	if (fork_save())
		return 0;                         /* the child */
	int child = sys_env_alloc();
	if (child < 0)
		return child;
	fork_child = (u32)child;
	fork_err = 0;
	exos_page_table->foreach(share_entry);
	u32 pt_start, pt_end;
	exos_page_table->extent(&pt_start, &pt_end);
	int r = fork_err;
	if (r == 0)
		r = copy_range(USER_TEXT, (u32)_text_end);
	if (r == 0)
		r = copy_range((u32)_data_start, (u32)_end);
	if (r == 0)
		r = copy_range(USTACK_TOP - USTACK_PAGES * PAGE_SIZE, USTACK_TOP);
	if (r == 0)
		r = copy_range(XSTACK_BASE, XSTACK_TOP);
	if (r == 0)
		r = copy_range(UPCALL_PAGE, UPCALL_PAGE + PAGE_SIZE);
	if (r == 0)
		r = copy_range(pt_start, pt_end);
	if (r == 0)
		r = sys_env_start((u32)child, (u32)fork_child_entry, USTACK_TOP - 16, 0);
	if (r < 0) {
		sys_env_destroy((u32)child);
		return r;
	}
	return child;
}

/* The child's first C code (on its copy of the parent's stack): its own id,
 * and its upcalls registered with Aegis (they are per environment). */
void exos_fork_child_init(u32 envid)
{
	exos_envid = envid;
	exos_arg = 0;
	if (exos_register() < 0)
		exit(-1);
}
