/*
 * revokee: an environment its parent revokes pages from. It maps 32 pages,
 * writes them, and marks the first 4 vital. arg 1: it complies, giving back
 * the last pages of the region. arg 2: it ignores the request; the kernel
 * repossesses pages and ExOS clears their page-table entries. Exit status:
 * 100 * (pages given back or entries cleared) + 10 if the system's free
 * pages grew by exactly that many + 1 if the vital pages are intact.
 */
#include "exos.h"

#define REGION 0x30000000u
#define NPAGES 32u

static volatile u32 given, lost, kept = NPAGES;

static void give_back(u32 n)
{
	for (u32 i = 0; i < n && kept > 0; i++) {
		kept--;
		vm_unmap(REGION + kept * PAGE_SIZE, 1, true);
		given++;
	}
}

static void on_lost(u32 va)
{
	(void)va;
	lost++;
}

int main(void)
{
	if (vm_map(REGION, NPAGES, VM_RW) < 0)
		return -1;
	for (u32 i = 0; i < NPAGES; i++)
		*(volatile u32 *)(REGION + i * PAGE_SIZE) = 0x1000 + i;
	for (u32 i = 0; i < 4; i++)
		if (sys_page_vital(vm_ppn(REGION + i * PAGE_SIZE)) < 0)
			return -2;
	exos_set_revoke_policy(exos_arg == 1 ? give_back : NULL, on_lost);
	int before = sys_pages_free();
	/* Wait for the request (and, when ignoring it, for the abort protocol). */
	for (int i = 0; i < 100000 && !given && !lost; i++)
		sys_yield();
	u32 count = exos_arg == 1 ? given : lost;
	u32 freed_ok = sys_pages_free() - before == (int)count;
	u32 vital_ok = 1;
	for (u32 i = 0; i < 4; i++)
		vital_ok &= *(volatile u32 *)(REGION + i * PAGE_SIZE) == 0x1000 + i;
	return (int)(100 * count + 10 * freed_ok + vital_ok);
}
