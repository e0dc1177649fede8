/*
 * revokee: an environment its parent revokes pages from. It maps 32 pages,
 * writes them, and marks the first 4 vital. arg 1: it complies, giving back
 * the last pages of the region. arg 2: it ignores the request; the kernel
 * repossesses pages and ExOS clears their page-table entries. Exit status:
 * 100 * (pages given back or entries cleared) + 10 if the system's free
 * pages grew by exactly that many + 1 if the vital pages are intact.
 * arg 3 / 4: the same for slice positions: it owns 5, is asked for 3, and
 * gives them back (3) or has them taken (4); exits with 10 * (positions it
 * owns at the end) + 1 if it was told (taken: the count it was told).
 * arg 5 / 6: as 1 / 2, but it waits asleep on a wakeup predicate that never
 * holds (wk_sleep) instead of yielding: the request must still reach it
 * (it is woken with -E_AGAIN for the upcall), and its deadline must still
 * pass while it sleeps.
 * arg 7 / 8 (low 4 bits; bits 4..7 = k, bits 8.. = n): a memory hog for the
 * kernel's memory-pressure test. It maps n pages, then reports in the
 * shared page at HOG_BOX (struct hog_box, slot k) that it is ready, and
 * spins until the parent says done. Every request (from the kernel, not its
 * parent) is counted; 7 gives the pages asked for back, 8 ignores the
 * requests and counts the pages repossessed. Exit status 0, or < 0 if it
 * could not map its pages.
 * arg 9: a child that has not heard its repossession notice yet (utest
 * revoke_busy). The shared page at BUSY_BOX is struct busy_box. It maps
 * its 32 pages, ignores requests, says ready, and waits in its critical
 * range (crit.S) until the parent sets go (at most 10 s of Count), so that
 * no upcall reaches it there; then it yields until the parent says done (as
 * long), counting in lost the pages ExOS is told were repossessed. Exit
 * status 0, or < 0 if it could not map its pages.
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

static volatile u32 slices_told;

static void give_back_slices(u32 n)
{
	for (int pos = 63; pos >= 0 && n > 0; pos--)
		if (sys_slice_free((u32)pos) == 0)
			n--;
	slices_told = 1;
}

static void slices_taken(u32 n)
{
	slices_told = n;
}

static int slice_mode(bool comply)
{
	for (int i = 0; i < 4; i++)
		if (sys_slice_alloc(0xffffffffu) < 0)
			return -2;
	exos_set_slice_revoke_policy(comply ? give_back_slices : NULL, slices_taken);
	for (int i = 0; i < 100000 && !slices_told; i++)
		sys_yield();
	return 10 * sys_slices_owned() + (int)slices_told;
}

/* Wait for the request (and, when ignoring it, for the abort protocol). */
static int wait_for_revocation(bool asleep)
{
	static const struct dc_insn never[] = { DC_INSN(DC_RETI, 0, 0, 0, 0) };
	for (int i = 0; i < 100000 && !given && !lost; i++) {
		if (!asleep)
			sys_yield();
		else if (sys_wk_sleep(never, 1, NULL, 0) != -E_AGAIN)
			return -3;          /* only a revocation upcall may wake it */
	}
	return 0;
}

#define HOG_REGION 0x40000000u
#define HOG_BOX    0x6000u
struct hog_box {
	u32 done;                /* set by the parent: exit */
	struct { u32 ready, told, given, lost; } hog[2];
};

static volatile struct hog_box *box = (volatile struct hog_box *)HOG_BOX;
static u32 hog_k, hog_kept;

static void hog_give_back(u32 n)
{
	box->hog[hog_k].told++;
	while (n > 0 && hog_kept > 0) {
		u32 va = HOG_REGION + --hog_kept * PAGE_SIZE;
		if (!vm_ppn(va))
			continue;        /* repossessed earlier: ExOS cleared it */
		vm_unmap(va, 1, true);
		box->hog[hog_k].given++;
		n--;
	}
}

static void hog_ignore(u32 n)
{
	(void)n;
	box->hog[hog_k].told++;
}

static void hog_lost(u32 va)
{
	(void)va;
	box->hog[hog_k].lost++;
}

/* Modes 7 and 8 (see above). */
static int hog(bool comply)
{
	hog_k = (exos_arg >> 4) & 1;
	hog_kept = exos_arg >> 8;
	if (vm_map(HOG_REGION, hog_kept, VM_RW) < 0)
		return -1;
	exos_set_revoke_policy(comply ? hog_give_back : hog_ignore, hog_lost);
	box->hog[hog_k].ready = 1;
	/* Spin, not yield, until the parent says done (if the parent ends
	 * first, the kernel ends its children with it). */
	while (!box->done)
		__asm__ volatile("" ::: "memory");
	return 0;
}

#define BUSY_BOX 0x6000u
#define BUSY_TICKS 1600000000u            /* 10 s of Count */
struct busy_box { u32 ready, go, lost, done; };
static volatile struct busy_box *busy = (volatile struct busy_box *)BUSY_BOX;
void revokee_crit(volatile u32 *flag, u32 ticks);
extern char revokee_crit_end[];

static void busy_lost(u32 va)
{
	(void)va;
	busy->lost++;
}

/* Mode 9 (see above). */
static int busy_mode(void)
{
	if (vm_map(REGION, NPAGES, VM_RW) < 0)
		return -1;
	for (u32 i = 0; i < NPAGES; i++)
		*(volatile u32 *)(REGION + i * PAGE_SIZE) = i;
	exos_set_revoke_policy(NULL, busy_lost);
	sys_set_epilogue(0, (u32)revokee_crit, (u32)revokee_crit_end);
	busy->ready = 1;
	revokee_crit(&busy->go, BUSY_TICKS);
	for (u32 t0 = read_count(); !busy->done && read_count() - t0 < BUSY_TICKS;)
		sys_yield();                /* the notice comes when it is switched to */
	return 0;
}

int main(void)
{
	if (exos_arg == 9)
		return busy_mode();
	if ((exos_arg & 15) == 7 || (exos_arg & 15) == 8)
		return hog((exos_arg & 15) == 7);
	if (exos_arg == 3 || exos_arg == 4)
		return slice_mode(exos_arg == 3);
	bool asleep = exos_arg == 5 || exos_arg == 6;
	u32 mode = asleep ? exos_arg - 4 : exos_arg;
	if (vm_map(REGION, NPAGES, VM_RW) < 0)
		return -1;
	for (u32 i = 0; i < NPAGES; i++)
		*(volatile u32 *)(REGION + i * PAGE_SIZE) = 0x1000 + i;
	for (u32 i = 0; i < 4; i++)
		if (sys_page_vital(vm_ppn(REGION + i * PAGE_SIZE)) < 0)
			return -2;
	exos_set_revoke_policy(mode == 1 ? give_back : NULL, on_lost);
	int before = sys_pages_free();
	if (wait_for_revocation(asleep) < 0)
		return -3;
	u32 count = mode == 1 ? given : lost;
	u32 freed_ok = sys_pages_free() - before == (int)count;
	u32 vital_ok = 1;
	for (u32 i = 0; i < 4; i++)
		vital_ok &= *(volatile u32 *)(REGION + i * PAGE_SIZE) == 0x1000 + i;
	return (int)(100 * count + 10 * freed_ok + vital_ok);
}
