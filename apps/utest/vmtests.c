/* vmtests.c: ExOS's application-level virtual memory on Aegis. */
#include "utest.h"

/* Regions chosen so that their STLB slots, (VPN2 ^ ASID) mod 4096, do not
 * collide with the program's own guaranteed pages. */
#define BIG_VA    0x20000000u
#define BIG_PAGES 10000u           /* 5000 pairs: more than the STLB's 4096 */
#define SMALL_VA  0x30100000u
#define PROT_VA   0x30200000u

/* Touch far more pages than the TLB (32) and the STLB (8192) hold: every
 * first touch is a miss forwarded to ExOS, which installs the page with
 * tlbwr; a second pass must find every page's own data again. */
static void test_tlb_pressure(void)
{
	int before = sys_pages_free();
	CHECK(vm_map(BIG_VA, BIG_PAGES, VM_RW) == 0);
	u32 up0 = vm_stats.tlb_upcalls;
	for (u32 i = 0; i < BIG_PAGES; i++)
		*(volatile u32 *)(BIG_VA + i * PAGE_SIZE + (i % 1024) * 4) = i ^ 0x5a5a0000;
	CHECK(vm_stats.tlb_upcalls - up0 >= BIG_PAGES);
	u32 bad = 0;
	for (int pass = 0; pass < 2; pass++)
		for (u32 i = 0; i < BIG_PAGES; i++)
			bad += *(volatile u32 *)(BIG_VA + i * PAGE_SIZE + (i % 1024) * 4) != (i ^ 0x5a5a0000);
	CHECK(bad == 0);
	CHECK(vm_unmap(BIG_VA, BIG_PAGES, true) == 0);
	/* Every page went back (page-table pages, one per 512, stay with ExOS). */
	CHECK(sys_pages_free() >= before - (int)(BIG_PAGES / 512 + 2));
}

/* 64 pages do not fit in the TLB (16 pairs) but do in the STLB: once ExOS
 * has installed them, misses are refilled by Aegis's refill handler from
 * the STLB and never reach user level. */
static void test_stlb_hits_stay_in_kernel(void)
{
	CHECK(vm_map(SMALL_VA, 64, VM_RW) == 0);
	for (u32 i = 0; i < 64; i++)
		*(volatile u32 *)(SMALL_VA + i * PAGE_SIZE) = i;
	u32 up = vm_stats.tlb_upcalls;
	u32 sum = 0;
	for (int pass = 0; pass < 4; pass++)
		for (u32 i = 0; i < 64; i++)
			sum += *(volatile u32 *)(SMALL_VA + i * PAGE_SIZE);
	CHECK(sum == 4 * (63 * 64 / 2));
	CHECK(vm_stats.tlb_upcalls == up);
	vm_unmap(SMALL_VA, 64, true);
}

static volatile int prot_faults;   /* changed by fault handlers */
static volatile u32 prot_last_va;
static volatile bool prot_last_write, prot_last_present;

/* Count the fault and open the page again. */
static int unprotect_handler(struct vm_fault *f)
{
	prot_faults++;
	prot_last_va = f->va;
	prot_last_write = f->write;
	prot_last_present = f->present;
	return vm_protect(f->va & ~(PAGE_SIZE - 1), 1, VM_RW);
}

static void test_protect_and_dirty(void)
{
	CHECK(vm_map(PROT_VA, 4, VM_RW) == 0);
	CHECK(vm_set_handler(PROT_VA, 4 * PAGE_SIZE, unprotect_handler) == 0);
	volatile u32 *p = (u32 *)PROT_VA, *q = (u32 *)(PROT_VA + PAGE_SIZE);
	CHECK(vm_dirty(PROT_VA) == 0);
	(void)*p;                                  /* a read does not dirty */
	CHECK(vm_dirty(PROT_VA) == 0);
	*p = 1;
	CHECK(vm_dirty(PROT_VA) == 1);
	CHECK(vm_dirty(PROT_VA + PAGE_SIZE) == 0);
	CHECK(vm_dirty(0x3f000000) == -E_INVAL);    /* nothing mapped there */
	/* Read-protect: the store faults once, the handler opens the page and
	 * the store completes. */
	prot_faults = 0;
	CHECK(vm_protect(PROT_VA + PAGE_SIZE, 1, VM_READ) == 0);
	CHECK(*q == 0);                            /* reading is allowed */
	*q = 42;
	CHECK(prot_faults == 1 && prot_last_write && prot_last_present);
	CHECK(prot_last_va == PROT_VA + PAGE_SIZE);
	CHECK(*q == 42);
	/* No access at all: a load faults too. */
	CHECK(vm_protect(PROT_VA, 1, VM_NONE) == 0);
	CHECK(*p == 1);
	CHECK(prot_faults == 2 && !prot_last_write);
	/* Protecting a range again and again keeps data. */
	for (int i = 0; i < 10; i++) {
		CHECK(vm_protect(PROT_VA, 4, VM_NONE) == 0);
		CHECK(vm_protect(PROT_VA, 4, VM_RW) == 0);
	}
	CHECK(*p == 1 && *q == 42);
	vm_set_handler(PROT_VA, 4 * PAGE_SIZE, NULL);
	vm_unmap(PROT_VA, 4, true);
}

/* Open the page, then take its translation out again behind ExOS's back
 * (the page table still allows the access). */
static int unprotect_then_drop_handler(struct vm_fault *f)
{
	prot_faults++;
	u32 page = f->va & ~(PAGE_SIZE - 1);
	int r = vm_protect(page, 1, VM_RW);
	return r ? r : sys_tlbvadelete(page);
}

/* A handler that opens the faulting page installs its translation, and the
 * TLB entry point does not install it a second time; but if the handler
 * then takes it out, the access must still complete (through one more
 * fault), not fault forever or end the program. */
static void test_handler_opens_page(void)
{
	CHECK(vm_map(PROT_VA, 1, VM_RW) == 0);
	volatile u32 *p = (u32 *)PROT_VA;
	*p = 7;
	CHECK(vm_set_handler(PROT_VA, PAGE_SIZE, unprotect_handler) == 0);
	u32 before = vm_stats.tlb_upcalls;
	prot_faults = 0;
	CHECK(vm_protect(PROT_VA, 1, VM_NONE) == 0);
	*p = 8;                                    /* one fault: opened by the handler */
	CHECK(prot_faults == 1 && *p == 8 && vm_stats.tlb_upcalls - before == 1);
	CHECK(vm_set_handler(PROT_VA, PAGE_SIZE, unprotect_then_drop_handler) == 0);
	before = vm_stats.tlb_upcalls;
	prot_faults = 0;
	CHECK(vm_protect(PROT_VA, 1, VM_NONE) == 0);
	*p = 9;                                    /* the handler's, then a miss */
	CHECK(prot_faults == 1 && *p == 9 && vm_stats.tlb_upcalls - before == 2);
	vm_set_handler(PROT_VA, PAGE_SIZE, NULL);
	vm_unmap(PROT_VA, 1, true);
}

static volatile int alias_faults;

/* Step over the faulting store instead of opening the page. */
static int skip_handler(struct vm_fault *f)
{
	alias_faults++;
	exos_skip(f->frame);
	return 0;
}

static void test_alias(void)
{
	const u32 src = 0x30300000, dst = 0x30400000;
	CHECK(vm_map(src, 1, VM_RW) == 0);
	CHECK(vm_alias(dst, src, VM_READ) == 0);
	CHECK(vm_set_handler(dst, PAGE_SIZE, skip_handler) == 0);
	*(volatile u32 *)src = 0xfeedbeef;
	CHECK(*(volatile u32 *)dst == 0xfeedbeef);
	alias_faults = 0;
	*(volatile u32 *)dst = 1;                  /* read-only alias: faults, skipped */
	CHECK(alias_faults == 1);
	CHECK(*(volatile u32 *)src == 0xfeedbeef);
	vm_set_handler(dst, PAGE_SIZE, NULL);
	vm_unmap(dst, 1, false);
	vm_unmap(src, 1, true);
}

static void test_malloc(void)
{
	u8 *a = malloc(100), *b = malloc(50000), *c = malloc(16);
	CHECK(a && b && c && a != b && b != c);
	for (int i = 0; i < 50000; i++)
		b[i] = (u8)i;
	u32 sum = 0;
	for (int i = 0; i < 50000; i++)
		sum += b[i];
	CHECK(sum == 50000u / 256 * (255 * 256 / 2) + (50000 % 256) * (50000 % 256 - 1) / 2);
	free(b);
	u8 *d = malloc(40000);
	CHECK(d == b);                             /* the freed block is reused */
	free(a);
	free(c);
	free(d);
}

/* A program that chose ExOS's inverted page table (apps/ptinv) maps,
 * touches, protects and aliases pages as well: the page-table structure is
 * the application's. */
static void test_inverted_page_table(void)
{
	int child = exos_spawn("ptinv", 0), status = -1;
	CHECK(child > 0 && exos_wait((u32)child, &status) == 0);
	CHECK(status == 0);
}

/* tlbwr's fast path (fastcall.S) and its C path must agree: the same pair
 * mapped over and over, each half in turn, to two pages, read-only,
 * writable and invalid, reads what was mapped; every refusal the C path
 * makes is still made once the STLB holds the pair (the fast path's case);
 * and the kernel's STLB counts stay right (kcheck). */
static void test_tlbwr_fast_path(void)
{
	const u32 va = 0x31200000;              /* an even page; va + 4096 is its pair's odd one */
	u32 ppn[2], rw[2], ro[2];
	for (int k = 0; k < 2; k++) {
		u64 r = sys_page_alloc(PAGE_ANY);
		ppn[k] = (u32)r;
		rw[k] = (u32)(r >> 32);
		ro[k] = (u32)(sys_cap_derive(CAP_NAME(ppn[k], CAP_RW), rw[k], CAP_R) >> 32);
		CHECK(sys_tlbwr(va | VA_W, CAP_NAME(ppn[k], CAP_RW), rw[k]) == 0);
		*(volatile u32 *)va = 0x1111 * (k + 1);
	}
	u32 bad = 0;
	for (int i = 0; i < 64; i++) {
		u32 half = va + (u32)(i & 1) * PAGE_SIZE, k = (u32)(i >> 1) & 1;
		if (i % 3 == 0)
			bad += sys_tlbwr(half, CAP_NAME(ppn[k], CAP_R), ro[k]) != 0;
		else
			bad += sys_tlbwr(half | VA_W, CAP_NAME(ppn[k], CAP_RW), rw[k]) != 0;
		bad += *(volatile u32 *)half != 0x1111 * (k + 1);
		bad += sys_tlbwr(half | VA_NOACCESS, 0, 0) != 0;
		bad += sys_tlbwr(half, CAP_NAME(ppn[k], CAP_RW), rw[k]) != 0;
	}
	CHECK(bad == 0);
	u32 before = (u32)sys_capfails();
	CHECK(sys_tlbwr(va | VA_W, CAP_NAME(ppn[0], CAP_R), ro[0]) == -E_BADCAP);
	CHECK(sys_tlbwr(va | VA_W, CAP_NAME(ppn[0], CAP_RW), rw[0] ^ 1) == -E_BADCAP);
	CHECK(sys_tlbwr(va, CAP_NAME(ppn[0], CAP_RW), ro[0]) == -E_BADCAP);
	CHECK(sys_tlbwr(va, CAP_NAME(ppn[0], 0), rw[0]) == -E_BADCAP);
	CHECK(sys_tlbwr(va, CAP_NAME(0xfffffff, CAP_RW), rw[0]) == -E_BADCAP);
	CHECK((u32)sys_capfails() == before + 5);
	CHECK(sys_tlbwr(va | VA_W | VA_NOACCESS, 0, 0) == -E_INVAL);
	CHECK(sys_tlbwr(va | 0x10, CAP_NAME(ppn[0], CAP_RW), rw[0]) == -E_INVAL);
	CHECK(sys_tlbwr(0x80000000u, CAP_NAME(ppn[0], CAP_RW), rw[0]) == -E_INVAL);
	CHECK(sys_kcheck(0) == 0);
	CHECK(sys_tlbvadelete(va) == 0 && sys_tlbvadelete(va + PAGE_SIZE) == 0);
	CHECK(sys_page_unref(ppn[1]) == 0);    /* freed: its capability is dead */
	CHECK(sys_tlbwr(va, CAP_NAME(ppn[0], CAP_RW), rw[0]) == 0);   /* the pair in the STLB */
	CHECK(sys_tlbwr(va + PAGE_SIZE, CAP_NAME(ppn[1], CAP_RW), rw[1]) == -E_BADCAP);
	CHECK(sys_tlbvadelete(va) == 0);
	CHECK(sys_page_unref(ppn[0]) == 0);
	CHECK(sys_kcheck(0) == 0);
}

/* The refill vector's miss path (upcall.S refill_miss) forwards a miss to
 * ExOS only when neither of the kernel's own kinds of mapping can be in the
 * pair: the kinfo page and the guaranteed mappings (data, stack, save area,
 * page table) stay the kernel's to refill when they have left the STLB and
 * the TLB. In a child, as a wrong forward ends the program: ExOS cannot map
 * either kind (its tlbwr of a guaranteed page is refused), so it stops at
 * "page fault". */
static volatile u32 evicted_word = 0x600dcafe;

static int evict_and_read(void)
{
	const volatile struct kinfo *k = exos_kinfo();
	u32 version = k->version;
	/* kinfo leaves TLB and STLB; the next read misses both. */
	if (sys_tlbvadelete(KINFO_VA) != 0)
		return 1;
	u32 up0 = vm_stats.tlb_upcalls;
	if (k->version != version)
		return 2;
	/* A guaranteed page (evicted_word's, in the data segment): a page at
	 * its address ^ 2^30 takes its STLB slot in every STLB size (the slot
	 * depends on VPN2's low 16 bits), and 1024 more pairs of an alias page
	 * push it out of the TLB and QEMU's copies of replaced entries. */
	u64 r = sys_page_alloc(PAGE_ANY);
	u32 ppn = (u32)r, rw = (u32)(r >> 32);
	u32 gva = (u32)&evicted_word & ~(PAGE_SIZE - 1);
	if (sys_tlbwr((gva ^ 0x40000000u) | VA_W, CAP_NAME(ppn, CAP_RW), rw) != 0)
		return 3;
	for (u32 i = 0; i < 1024; i++)
		if (sys_tlbwr(SMALL_VA + i * 2 * PAGE_SIZE, CAP_NAME(ppn, CAP_RW), rw) != 0)
			return 4;
	if (evicted_word != 0x600dcafe || (evicted_word = 0xfeed) != 0xfeed)
		return 5;
	if (vm_stats.tlb_upcalls != up0)      /* neither miss reached ExOS */
		return 6;
	if (sys_tlb_range(SMALL_VA, 2048, 0) != 0 || sys_tlbvadelete(gva ^ 0x40000000u) != 0 ||
	    sys_page_unref(ppn) != 0 || sys_kcheck(0) != 0)
		return 7;
	return 0;
}

static void test_refill_miss_kernel_mappings(void)
{
	int child = exos_fork(), status = -1;
	if (child == 0)
		exit(evict_and_read());
	CHECK(child > 0 && exos_wait((u32)child, &status) == 0);
	CHECK(status == 0);
}

const struct utest vm_tests[] = {
	{ "vm_refill_miss_kernel_mappings", test_refill_miss_kernel_mappings },
	{ "vm_tlbwr_fast_path", test_tlbwr_fast_path },
	{ "vm_tlb_pressure", test_tlb_pressure },
	{ "vm_stlb_hits_stay_in_kernel", test_stlb_hits_stay_in_kernel },
	{ "vm_protect_and_dirty", test_protect_and_dirty },
	{ "vm_handler_opens_page", test_handler_opens_page },
	{ "vm_alias", test_alias },
	{ "vm_malloc", test_malloc },
	{ "vm_inverted_page_table", test_inverted_page_table },
};
const int n_vm_tests = ARRAY_SIZE(vm_tests);
