/*
 * devmem.c: what device drivers need to reach environments' pages safely
 * (the NICs, nic.c; the disk, disk.c): the data cache, kept coherent around
 * the kernel's kseg0 accesses and the devices' DMA, and the check of a byte
 * range of a page named by a capability and held by the caller.
 */
#include "defs.h"

u32 dline;                      /* data cache line in bytes, 0: no D-cache */
u32 dway, dways;                /* bytes in one way, and how many ways */

void dcache_init(void)
{
	u32 c1 = mfc0(C0_CONFIG, 1), dl = c1 >> 10 & 7, ds = c1 >> 13 & 7;
	dline = dl ? 2u << dl : 0;
	dway = dline * (ds == 7 ? 32u : 64u << ds);
	dways = (c1 >> 7 & 7) + 1;
}

/* op: 0x15 Hit_Writeback_Inv_D, 0x11 Hit_Invalidate_D, 0x19 Hit_Writeback_D,
 * over every line of [kva, kva + len). */
#define DCACHE_OP(name, op) \
void name(const void *kva, u32 len) \
{ \
	if (!dline || !len) \
		return; \
	u32 a = (u32)(uintptr_t)kva & ~(dline - 1), end = (u32)(uintptr_t)kva + len; \
	for (; a < end; a += dline) \
		__asm__ volatile("cache " #op ", 0(%0)" :: "r"(a) : "memory"); \
	__asm__ volatile("sync" ::: "memory"); \
}
DCACHE_OP(dcache_wbinv, 0x15)
DCACHE_OP(dcache_inv, 0x11)
DCACHE_OP(dcache_wb, 0x19)

/* Make memory the only copy of [pa, pa + len) (inside one page) that an
 * environment's page holds: write back and invalidate its lines wherever
 * they may be cached. The owner maps the page at an address the kernel
 * does not know, and when a way of the data cache is larger than a page
 * (the 24K's 32 KiB 4-way cache: 8 KiB) a line can be cached at the index
 * of that address rather than kseg0's: every index the page's lines can
 * take, in every way, is written back and invalidated (Index_Writeback_Inv_D:
 * whatever line is there, which is harmless for another address's). With
 * ways no larger than a page, kseg0's lines are the only ones. */
void dcache_user_sync(u32 pa, u32 len)
{
	if (!dline || !len)
		return;
	if (dway <= PAGE_SIZE) {
		dcache_wbinv(KADDR(pa), len);
		return;
	}
	u32 start = (pa & (PAGE_SIZE - 1)) & ~(dline - 1), end = (pa & (PAGE_SIZE - 1)) + len;
	for (u32 w = 0; w < dways; w++)
		for (u32 color = 0; color < dway; color += PAGE_SIZE)
			for (u32 off = start; off < end; off += dline)
				__asm__ volatile("cache 0x01, 0(%0)" ::
						 "r"(KSEG0 + w * dway + color + off) : "memory");
	__asm__ volatile("sync" ::: "memory");
}

/* Check a page named by (capname, capcheck) with rights need, held by the
 * caller, and a range off_len (off << 16 | len) in it with min <= len <= max
 * and off a multiple of align: the page number, or an error. */
int page_range(u32 capname, u32 capcheck, u32 need, u32 off_len, u32 min, u32 max,
		      u32 align)
{
	u32 off = off_len >> 16, len = off_len & 0xffff;
	if (len < min || len > max || off >= PAGE_SIZE || len > PAGE_SIZE - off || (off & (align - 1)))
		return -E_INVAL;
	int ppn = cap_page(capname, capcheck, need);
	if (ppn < 0)
		return ppn;
	if (!page_holds((u32)ppn, env_slot(curenv)))
		return -E_PERM;
	return ppn;
}

u32 page_identity(u32 ppn)
{
	return pages[ppn].check[1];          /* redrawn when the page is freed */
}

bool page_still_held(u32 ppn, int slot, u32 identity)
{
	return page_holds(ppn, slot) && pages[ppn].check[1] == identity;
}
