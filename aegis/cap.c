/*
 * cap.c: checking page capabilities. A capability (name, check) names page
 * CAP_PPN(name) with rights CAP_RIGHTS(name); it is valid while check equals
 * the secret the kernel holds for that page and those rights (pmap.c keeps
 * one secret per page for CAP_R and one for CAP_RW, drawn by rand32() and
 * replaced when the page is freed). The check is one load and one compare.
 * Every failed presentation is counted in the presenting environment; past
 * CAPFAIL_FREE of them, each further one also costs it the rest of its
 * slice, so guessing a 32-bit check field takes about 2^31 slices.
 */
#include "defs.h"

#define CAPFAIL_FREE 1024

static int rights_index(u32 rights)
{
	return rights == CAP_RW ? 1 : rights == CAP_R ? 0 : -1;
}

/* Count a failed presentation against curenv; returns -E_BADCAP. */
__attribute__((noinline)) int cap_failed(void)
{
	if (curenv && ++curenv->capfails > CAPFAIL_FREE)
		yield_requested = true;
	return -E_BADCAP;
}

int cap_page(u32 name, u32 check, u32 need)
{
	u32 ppn = CAP_PPN(name), rights = CAP_RIGHTS(name);
	int idx = rights_index(rights);
	if (idx < 0 || ppn >= page_count() || (rights & need) != need ||
	    pages[ppn].state != PAGE_USED || pages[ppn].check[idx] != check)
		return cap_failed();
	return (int)ppn;
}

u32 cap_check_for(u32 ppn, u32 rights)
{
	return pages[ppn].check[rights_index(rights) > 0];
}
