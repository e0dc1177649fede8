/*
 * vm.c: address translations. An environment's translations live in three
 * places: the hardware TLB, the STLB (a cache of pairs, kernel memory), and
 * its guaranteed mappings (a short list Aegis refills by itself). Every
 * other translation is the library OS's: a miss on it is forwarded, and the
 * library OS installs it with tlbwr and a capability.
 */
#include "defs.h"

static u32 entrylo(u32 ppn, bool writable)
{
	return ppn << ELO_PFN_SHIFT | ELO_C_CACHED | ELO_V | (writable ? ELO_D : 0);
}

u32 gmap_filters[NENV + 1][GMAP_FILTER_WORDS];

/* The filter bit of the pair holding vpn (gmap_filter.h gives the hash,
 * which upcall.S refill_miss and fastcall.S fast_tlbwr compute too). No
 * multiplication (the refill miss path may not touch HI/LO) and only
 * shifts and one xor, so the refill vector's miss path computes it with k0
 * and k1 alone. The xor puts regions in different 128 MiB (ExOS's program
 * at 0x00400000, its heap at 0x10000000, a benchmark's pages at
 * 0x40000000, its page table at 0x7f000000) on different words. With 2,048
 * bits (the first filter) a program's own guaranteed text and data shared
 * words with its heap and its bench_alloc_pages region, so every tlbwr
 * there took the slow path. */
static u32 gmap_bit(u32 vpn)
{
	return gmap_filter_bit(vpn >> 1);
}

static u32 *gmap_filter(const struct env *e)
{
	return e->gmap_filter;
}

static bool gmap_maybe(const struct env *e, u32 vpn)
{
	u32 b = gmap_bit(vpn);
	return gmap_filter(e)[b >> 5] >> (b & 31) & 1;
}

/* The bit of the page filter for ppn: a clear bit means no guaranteed
 * mapping of e names that page, so gmap_remove_ppn need not search (the
 * case of every page a library OS lets go of that it only mapped by tlbwr). */
static u32 gmap_ppn_bit(u32 ppn)
{
	return (ppn * 2654435761u) >> 22;
}
_Static_assert(GMAP_PPN_FILTER_BITS == 1 << 10, "gmap_ppn_bit gives 10 bits");

/* Add guaranteed mapping g to e's two filters. */
static void gmap_filter_add(struct env *e, const struct gmap *g)
{
	u32 b = gmap_bit(g->vpn), p = gmap_ppn_bit(g->ppn);
	gmap_filter(e)[b >> 5] |= 1u << (b & 31);
	e->gmap_ppn_filter[p >> 5] |= 1u << (p & 31);
}

static void gmap_filters_zero(struct env *e)
{
	for (u32 i = 0; i < GMAP_FILTER_WORDS; i++)
		gmap_filter(e)[i] = 0;
	for (u32 i = 0; i < ARRAY_SIZE(e->gmap_ppn_filter); i++)
		e->gmap_ppn_filter[i] = 0;
}

static void gmap_filter_rebuild(struct env *e)
{
	gmap_filters_zero(e);
	for (int i = 0; i < e->ngmap; i++)
		gmap_filter_add(e, &e->gmap[i]);
}

void gmap_clear(struct env *e)
{
	e->ngmap = 0;
	gmap_filters_zero(e);
}

/* Index of the first guaranteed mapping of e with vpn >= the given one (the
 * list is kept sorted by vpn). */
static int gmap_search(const struct env *e, u32 vpn)
{
	int lo = 0, hi = e->ngmap;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (e->gmap[mid].vpn < vpn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct gmap *gmap_lookup(const struct env *e, u32 vpn)
{
	if (!gmap_maybe(e, vpn))
		return NULL;
	int i = gmap_search(e, vpn);
	return i < e->ngmap && e->gmap[i].vpn == vpn ? &e->gmap[i] : NULL;
}

bool gmap_any(const struct env *e, u32 lo_vpn, u32 hi_vpn)
{
	int i = gmap_search(e, lo_vpn);
	return i < e->ngmap && e->gmap[i].vpn <= hi_vpn;
}

/* The EntryLo a guaranteed mapping of e gives virtual page vpn, or 0. */
static u32 gmap_lo(const struct env *e, u32 vpn)
{
	if (!gmap_maybe(e, vpn))
		return 0;
	const struct gmap *g = gmap_lookup(e, vpn);
	return g ? entrylo(g->ppn, g->writable) : 0;
}

void vm_set_pair(struct env *e, u32 even, u32 lo0, u32 lo1, u32 given, bool keep, bool hw)
{
	u32 hi = even << PAGE_SHIFT | e->asid;
	if (given != 3) {                       /* the other half keeps what it has */
		u32 old0 = 0, old1 = 0;
		const struct stlb_entry *s = &stlb[stlb_index(hi)];
		if (s->tag == hi) {
			old0 = s->lo0;
			old1 = s->lo1;
		} else {
			tlb_lookup_pair(hi, &old0, &old1);
		}
		if (!(given & 1))
			lo0 = old0;
		if (!(given & 2))
			lo1 = old1;
	}
	/* A guaranteed mapping is never shown invalid, whatever was asked. */
	if (!(lo0 & ELO_V))
		lo0 = gmap_lo(e, even);
	if (!(lo1 & ELO_V))
		lo1 = gmap_lo(e, even + 1);
	if (!(lo0 | lo1) && !keep) {
		stlb_delete_pair(hi);
		if (hw)
			tlb_delete_pair(hi);
	} else {
		stlb_write_pair(hi, lo0, lo1);
		if (hw)
			tlb_write_pair(hi, lo0, lo1);
	}
}

void vm_set_half(struct env *e, u32 va, u32 lo, bool keep)
{
	u32 vpn = va >> PAGE_SHIFT, odd = vpn & 1;
	vm_set_pair(e, vpn & ~1u, odd ? 0 : lo, odd ? lo : 0, odd ? 2 : 1, keep, true);
}

bool gmap_fill(struct env *e, u32 va, bool write)
{
	const struct gmap *g = gmap_lookup(e, va >> PAGE_SHIFT);
	if (!g || (write && !g->writable))
		return false;
	vm_set_half(e, va, entrylo(g->ppn, g->writable), false);
	return true;
}

int gmap_insert(struct env *e, u32 vpn, u32 ppn, bool writable)
{
	int i = gmap_search(e, vpn);
	if (i == e->ngmap || e->gmap[i].vpn != vpn) {
		if (e->ngmap >= NGMAP)
			return -E_NOMEM;
		for (int j = e->ngmap; j > i; j--)
			e->gmap[j] = e->gmap[j - 1];
		e->ngmap++;
	}
	bool replaced = i < e->ngmap && e->gmap[i].vpn == vpn && e->gmap[i].ppn != ppn;
	e->gmap[i] = (struct gmap){ vpn, ppn, writable };
	if (replaced)                           /* the old page's bit may go */
		gmap_filter_rebuild(e);
	else                                    /* a new entry only adds its bits */
		gmap_filter_add(e, &e->gmap[i]);
	page_hold(ppn, env_slot(e));
	vm_set_half(e, vpn << PAGE_SHIFT, entrylo(ppn, writable), false);
	upcall_refresh(e);      /* a replaced mapping may have held the save area */
	return 0;
}

/* Drop guaranteed mapping i of e; unregisters the upcalls if it held the
 * save area. */
static void gmap_drop(struct env *e, int i)
{
	u32 vpn = e->gmap[i].vpn;
	for (int j = i; j + 1 < e->ngmap; j++)
		e->gmap[j] = e->gmap[j + 1];
	e->ngmap--;
	gmap_filter_rebuild(e);
	upcall_refresh(e);
	vm_set_half(e, vpn << PAGE_SHIFT, 0, false);
}

int gmap_remove(struct env *e, u32 vpn)
{
	int i = gmap_search(e, vpn);
	if (i == e->ngmap || e->gmap[i].vpn != vpn)
		return -E_NOENT;
	gmap_drop(e, i);
	return 0;
}

/* Might a guaranteed mapping of e name page ppn? (false: certainly not) */
static bool gmap_ppn_maybe(const struct env *e, u32 ppn)
{
	u32 p = gmap_ppn_bit(ppn);
	return e->gmap_ppn_filter[p >> 5] >> (p & 31) & 1;
}

const struct gmap *gmap_find_ppn_filtered(const struct env *e, u32 ppn)
{
	return gmap_ppn_maybe(e, ppn) ? gmap_find_ppn(e, ppn) : NULL;
}

void gmap_remove_ppn(struct env *e, u32 ppn)
{
	if (!gmap_ppn_maybe(e, ppn))
		return;
	for (int i = 0; i < e->ngmap;)
		if (e->gmap[i].ppn == ppn)
			gmap_drop(e, i);
		else
			i++;
}

/* The page allocated to e would be copied by env loading: give e a fresh page
 * at vpn as a guaranteed mapping. Returns its kseg0 address or NULL. */
void *gmap_new_page(struct env *e, u32 vpn, bool writable)
{
	const struct gmap *old = gmap_lookup(e, vpn);
	if (old) {
		if (writable && !old->writable)
			gmap_insert(e, vpn, old->ppn, true);
		return KADDR(old->ppn * PAGE_SIZE);
	}
	int ppn = page_alloc(PAGE_ANY, env_slot(e));
	if (ppn < 0)
		return NULL;
	if (gmap_insert(e, vpn, (u32)ppn, writable) < 0) {
		page_unref((u32)ppn, env_slot(e));
		return NULL;
	}
	return KADDR((u32)ppn * PAGE_SIZE);
}

int vm_range(struct env *e, u32 va, u32 npages, bool noaccess)
{
	u32 vpn = va >> PAGE_SHIFT, end = vpn + npages;
	int g = gmap_search(e, vpn);
	if (g < e->ngmap && e->gmap[g].vpn < end)
		return -E_BUSY;
	/* Half pairs at the edges keep their other half. */
	if ((vpn & 1) && vpn < end)
		vm_set_half(e, vpn++ << PAGE_SHIFT, 0, noaccess);
	if ((end & 1) && end > vpn)
		vm_set_half(e, --end << PAGE_SHIFT, 0, noaccess);
	u32 npairs = (end - vpn) / 2;
	if (npairs <= STLB_ENTRIES) {
		for (u32 p = vpn; p < end; p += 2) {
			u32 hi = p << PAGE_SHIFT | e->asid;
			if (noaccess)
				stlb_write_pair(hi, 0, 0);
			else
				stlb_delete_pair(hi);
		}
	} else {
		/* More pairs than the STLB holds: one pass over the STLB instead. */
		for (u32 i = 0; i < STLB_ENTRIES; i++) {
			u32 tag = stlb[i].tag, p = tag >> PAGE_SHIFT;
			if (tag != STLB_EMPTY && (tag & EHI_ASID_MASK) == e->asid && p >= vpn && p < end)
				stlb_set(&stlb[i], STLB_EMPTY, 0, 0);
		}
	}
	tlb_drop_range(e->asid, vpn, end);
	return 0;
}

const struct gmap *gmap_find_ppn(const struct env *e, u32 ppn)
{
	for (int i = 0; i < e->ngmap; i++)
		if (e->gmap[i].ppn == ppn)
			return &e->gmap[i];
	return NULL;
}

void vm_unmap_ppn(struct env *e, u32 ppn)
{
	for (u32 i = 0; i < STLB_ENTRIES; i++) {
		struct stlb_entry *s = &stlb[i];
		if (s->tag == STLB_EMPTY || (s->tag & EHI_ASID_MASK) != e->asid)
			continue;
		u32 even = (s->tag & EHI_VPN2_MASK) >> PAGE_SHIFT;
		if ((s->lo0 & ELO_V) && (s->lo0 >> ELO_PFN_SHIFT) == ppn)
			vm_set_half(e, even << PAGE_SHIFT, 0, false);
		if ((s->lo1 & ELO_V) && (s->lo1 >> ELO_PFN_SHIFT) == ppn)
			vm_set_half(e, (even + 1) << PAGE_SHIFT, 0, false);
	}
	for (int i = 0; i < NTLB; i++) {
		u32 hi, lo0, lo1;
		tlb_read(i, &hi, &lo0, &lo1);
		if (hi >= KSEG0 || (hi & EHI_ASID_MASK) != e->asid)
			continue;
		u32 even = (hi & EHI_VPN2_MASK) >> PAGE_SHIFT;
		if ((lo0 & ELO_V) && (lo0 >> ELO_PFN_SHIFT) == ppn)
			vm_set_half(e, even << PAGE_SHIFT, 0, false);
		if ((lo1 & ELO_V) && (lo1 >> ELO_PFN_SHIFT) == ppn)
			vm_set_half(e, (even + 1) << PAGE_SHIFT, 0, false);
	}
}
