/*
 * tlb.c: the hardware TLB and the software TLB (STLB).
 *
 * Hardware rules kept here (see docs/architecture.md):
 *  - two entries must never match the same VPN2/ASID: a pair is written with
 *    tlbp first, and replaces a matching slot in place (tlbwi) instead of
 *    taking a random one (tlbwr);
 *  - an unused slot holds a unique kseg0 EntryHi (0x80000000 + slot<<13), which
 *    can never match a mapped access, and EntryLo 0 (invalid);
 *  - tlbp/tlbr change EntryHi: the current ASID is restored afterwards;
 *  - ehb separates a CP0 write from the TLB instruction that reads it.
 * The STLB is a direct-mapped cache of pairs in kernel memory, read by the
 * refill vector (vectors.S) with the same index function as stlb_index().
 */
#include "defs.h"

/* Aligned to its own size (64 KiB with the default 4096 entries). */
struct stlb_entry stlb[STLB_ENTRIES]
	__attribute__((aligned(STLB_ENTRIES * sizeof(struct stlb_entry))));

static inline void tlbp(void) { __asm__ volatile("tlbp\n\tehb" ::: "memory"); }
static inline void tlbr(void) { __asm__ volatile("tlbr\n\tehb" ::: "memory"); }
static inline void tlbwi(void) { __asm__ volatile("tlbwi\n\tehb" ::: "memory"); }
static inline void tlbwr(void) { __asm__ volatile("tlbwr\n\tehb" ::: "memory"); }

/* The EntryHi that parks slot i: unique, in kseg0, never matched. */
static u32 parked_hi(int i) { return KSEG0 + ((u32)i << 13); }

u32 tlb_get_asid(void) { return mfc0(C0_ENTRYHI, 0) & EHI_ASID_MASK; }
void tlb_set_asid(u32 asid) { mtc0(C0_ENTRYHI, 0, asid & EHI_ASID_MASK); }

/* Park TLB slot i. EntryHi keeps its ASID: the running environment's
 * translations are looked up with it, and the refill vector's miss path
 * (upcall.S refill_miss) reads its guaranteed-mapping filter through it. */
static void tlb_park(int i)
{
	u32 asid = tlb_get_asid();
	mtc0(C0_ENTRYHI, 0, parked_hi(i));
	mtc0(C0_ENTRYLO0, 0, 0);
	mtc0(C0_ENTRYLO1, 0, 0);
	mtc0(C0_INDEX, 0, i);
	tlbwi();
	tlb_set_asid(asid);
}

/* Empty the TLB and the STLB; ASID 0, no wired entries, 4 KiB pages. */
void tlb_init(void)
{
	mtc0(C0_PAGEMASK, 0, 0);
	mtc0(C0_WIRED, 0, 0);
	for (int i = 0; i < NTLB; i++)
		tlb_park(i);
	tlb_set_asid(0);
	for (int i = 0; i < STLB_ENTRIES; i++)
		stlb[i] = (struct stlb_entry){ STLB_EMPTY, 0, 0, 0 };   /* before any page counts */
}

void tlb_write_pair(u32 entryhi, u32 lo0, u32 lo1)
{
	u32 asid = tlb_get_asid();
	mtc0(C0_ENTRYHI, 0, entryhi);
	tlbp();
	s32 idx = (s32)mfc0(C0_INDEX, 0);
	mtc0(C0_ENTRYLO0, 0, lo0);
	mtc0(C0_ENTRYLO1, 0, lo1);
	if (idx >= 0)
		tlbwi();
	else
		tlbwr();
	tlb_set_asid(asid);
}

void tlb_delete_pair(u32 entryhi)
{
	u32 asid = tlb_get_asid();
	mtc0(C0_ENTRYHI, 0, entryhi);
	tlbp();
	s32 idx = (s32)mfc0(C0_INDEX, 0);
	if (idx >= 0)
		tlb_park(idx);
	tlb_set_asid(asid);
}

void tlb_read(int i, u32 *hi, u32 *lo0, u32 *lo1)
{
	u32 asid = tlb_get_asid();
	mtc0(C0_INDEX, 0, i);
	tlbr();
	*hi = mfc0(C0_ENTRYHI, 0);
	*lo0 = mfc0(C0_ENTRYLO0, 0);
	*lo1 = mfc0(C0_ENTRYLO1, 0);
	tlb_set_asid(asid);
}

void tlb_flush_asid(u32 asid)
{
	for (int i = 0; i < NTLB; i++) {
		u32 hi, lo0, lo1;
		tlb_read(i, &hi, &lo0, &lo1);
		if (hi < KSEG0 && (hi & EHI_ASID_MASK) == asid && !(lo0 & lo1 & ELO_G))
			tlb_park(i);
	}
}

/* Count the valid halves of an STLB entry against their pages (delta +1 or
 * -1), so that freeing a page knows whether the STLB may name it. */
static void stlb_count(u32 lo0, u32 lo1, int delta)
{
	if (lo0 & ELO_V)
		pages[lo0 >> ELO_PFN_SHIFT].stlb_refs += delta;
	if (lo1 & ELO_V)
		pages[lo1 >> ELO_PFN_SHIFT].stlb_refs += delta;
}

/* Every change to an STLB entry goes through here. tag STLB_EMPTY empties
 * it; the tag is written last, so a half-written entry never matches. */
void stlb_set(struct stlb_entry *s, u32 tag, u32 lo0, u32 lo1)
{
	if (s->tag != STLB_EMPTY)
		stlb_count(s->lo0, s->lo1, -1);
	s->tag = STLB_EMPTY;
	s->lo0 = lo0;
	s->lo1 = lo1;
	if (tag != STLB_EMPTY)
		stlb_count(lo0, lo1, +1);
	s->tag = tag;
}

/* The STLB slot for entryhi: must match the refill vector's computation. */
u32 stlb_index(u32 entryhi)
{
	return ((entryhi >> 13) ^ entryhi) & (STLB_ENTRIES - 1);
}

void stlb_write_pair(u32 entryhi, u32 lo0, u32 lo1)
{
	stlb_set(&stlb[stlb_index(entryhi)], entryhi & (EHI_VPN2_MASK | EHI_ASID_MASK), lo0, lo1);
}

void stlb_delete_pair(u32 entryhi)
{
	struct stlb_entry *s = &stlb[stlb_index(entryhi)];
	if (s->tag == (entryhi & (EHI_VPN2_MASK | EHI_ASID_MASK)))
		stlb_set(s, STLB_EMPTY, 0, 0);
}

void stlb_flush_asid(u32 asid)
{
	for (int i = 0; i < STLB_ENTRIES; i++)
		if (stlb[i].tag != STLB_EMPTY && (stlb[i].tag & EHI_ASID_MASK) == asid)
			stlb_set(&stlb[i], STLB_EMPTY, 0, 0);
}

/* Look the pair for entryhi up in the TLB; returns false if absent. */
bool tlb_lookup_pair(u32 entryhi, u32 *lo0, u32 *lo1)
{
	u32 asid = tlb_get_asid();
	mtc0(C0_ENTRYHI, 0, entryhi);
	tlbp();
	s32 idx = (s32)mfc0(C0_INDEX, 0);
	if (idx >= 0) {
		tlbr();
		*lo0 = mfc0(C0_ENTRYLO0, 0);
		*lo1 = mfc0(C0_ENTRYLO1, 0);
	}
	tlb_set_asid(asid);
	return idx >= 0;
}

static bool maps_ppn(u32 lo, u32 ppn)
{
	return (lo & ELO_V) && (lo >> ELO_PFN_SHIFT) == ppn;
}

void tlb_unmap_ppn(u32 ppn)
{
	for (int i = 0; i < NTLB; i++) {
		u32 hi, lo0, lo1;
		tlb_read(i, &hi, &lo0, &lo1);
		if (!maps_ppn(lo0, ppn) && !maps_ppn(lo1, ppn))
			continue;
		if (maps_ppn(lo0, ppn))
			lo0 = 0;
		if (maps_ppn(lo1, ppn))
			lo1 = 0;
		u32 asid = tlb_get_asid();
		if (!(lo0 | lo1)) {
			tlb_park(i);
		} else {
			mtc0(C0_ENTRYHI, 0, hi);
			mtc0(C0_ENTRYLO0, 0, lo0);
			mtc0(C0_ENTRYLO1, 0, lo1);
			mtc0(C0_INDEX, 0, i);
			tlbwi();
		}
		tlb_set_asid(asid);
	}
}

void stlb_unmap_ppn(u32 ppn)
{
	for (int i = 0; i < STLB_ENTRIES && pages[ppn].stlb_refs; i++) {
		struct stlb_entry *s = &stlb[i];
		if (s->tag == STLB_EMPTY || (!maps_ppn(s->lo0, ppn) && !maps_ppn(s->lo1, ppn)))
			continue;
		u32 lo0 = maps_ppn(s->lo0, ppn) ? 0 : s->lo0, lo1 = maps_ppn(s->lo1, ppn) ? 0 : s->lo1;
		stlb_set(s, (lo0 | lo1) ? s->tag : STLB_EMPTY, lo0, lo1);
	}
}

void tlb_drop_range(u32 asid, u32 vpn, u32 end)
{
	for (int i = 0; i < NTLB; i++) {
		u32 hi, lo0, lo1;
		tlb_read(i, &hi, &lo0, &lo1);
		u32 p = (hi & EHI_VPN2_MASK) >> PAGE_SHIFT;
		if (hi < KSEG0 && (hi & EHI_ASID_MASK) == asid && p >= vpn && p < end) {
			u32 cur = tlb_get_asid();
			tlb_park(i);
			tlb_set_asid(cur);
		}
	}
}
