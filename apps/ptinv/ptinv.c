/*
 * ptinv: the same virtual-memory work as the two-level table does in utest,
 * on ExOS's inverted page table, chosen by this program alone. Exits with the
 * number of failed checks.
 */
#include "exos.h"
#include "pt.h"

const struct pt_ops *exos_page_table = &pt_inverted;

static volatile int faults;
static int open_page(struct vm_fault *f)
{
	faults++;
	return vm_protect(f->va & ~(PAGE_SIZE - 1), 1, VM_RW);
}

int main(void)
{
	int bad = 0;
	const u32 base = 0x20000000, n = 3000;
	bad += exos_page_table != &pt_inverted;
	bad += vm_map(base, n, VM_RW) != 0;
	for (u32 i = 0; i < n; i++)
		*(volatile u32 *)(base + i * PAGE_SIZE) = i * 3;
	for (u32 i = 0; i < n; i++)
		bad += *(volatile u32 *)(base + i * PAGE_SIZE) != i * 3;
	bad += vm_dirty(base) != 1;
	vm_set_handler(base, n * PAGE_SIZE, open_page);
	bad += vm_protect(base + PAGE_SIZE, 1, VM_READ) != 0;
	*(volatile u32 *)(base + PAGE_SIZE) = 7;
	bad += faults != 1 || *(volatile u32 *)(base + PAGE_SIZE) != 7;
	bad += vm_alias(0x28000000, base + 2 * PAGE_SIZE, VM_READ) != 0;
	bad += *(volatile u32 *)0x28000000 != 6;
	bad += vm_unmap(base, n, true) != 0;
	if (bad)
		printf("ptinv: %d checks failed\n", bad);
	return bad;
}
