/* isotests.c: capabilities and isolation. Each test tries to break a
 * protection property and checks that Aegis refuses with an error code. */
#include "utest.h"

static u32 rng = 0x2545f491;
static u32 next_rand(void) { return xorshift32(&rng); }

/* Guessing check fields never works, and every failure is counted. */
static void test_forge(void)
{
	u64 r = sys_page_alloc(PAGE_ANY);
	u32 ppn = (u32)r, check = (u32)(r >> 32);
	CHECK((int)ppn > 0);
	u32 before = (u32)sys_capfails(), hits = 0;
	for (int i = 0; i < 2000; i++) {
		u32 guess = next_rand();
		if (guess == check)
			continue;
		hits += sys_tlbwr(0x30800000 | VA_W, CAP_NAME(ppn, CAP_RW), guess) == 0;
	}
	CHECK(hits == 0);
	CHECK((u32)sys_capfails() >= before + 1999);
	/* Rights bits that are not CAP_R/CAP_RW are no capability either. */
	CHECK(sys_tlbwr(0x30800000, CAP_NAME(ppn, 2), check) == -E_BADCAP);
	CHECK(sys_tlbwr(0x30800000, CAP_NAME(ppn, 0), check) == -E_BADCAP);
	/* The right one works. */
	CHECK(sys_tlbwr(0x30800000 | VA_W, CAP_NAME(ppn, CAP_RW), check) == 0);
	CHECK(sys_tlbvadelete(0x30800000) == 0);
	CHECK(sys_page_unref(ppn) == 0);
}

static volatile int ro_faults;   /* changed by fault handlers */
static int count_and_skip(struct vm_fault *f)
{
	ro_faults++;
	exos_skip(f->frame);
	return 0;
}

/* A read capability maps read-only and cannot be used to write, nor turned
 * into a write capability. */
static void test_read_cap_cannot_write(void)
{
	const u32 va = 0x30900000;
	u64 r = sys_page_alloc(PAGE_ANY);
	u32 ppn = (u32)r, rw = (u32)(r >> 32);
	u64 d = sys_cap_derive(CAP_NAME(ppn, CAP_RW), rw, CAP_R);
	u32 rname = (u32)d, rcheck = (u32)(d >> 32);
	CHECK(rname == CAP_NAME(ppn, CAP_R) && rcheck != rw);
	CHECK(sys_tlbwr(va | VA_W, rname, rcheck) == -E_BADCAP);
	CHECK(sys_tlbwr(va | VA_W, CAP_NAME(ppn, CAP_RW), rcheck) == -E_BADCAP);
	CHECK((int)(u32)sys_cap_derive(rname, rcheck, CAP_RW) == -E_PERM);
	/* Mapped read-only through ExOS's table with the read capability: a
	 * store is a protection fault. */
	CHECK(vm_map_page(va, ppn, rw, VM_READ) == 0);
	CHECK(vm_set_handler(va, PAGE_SIZE, count_and_skip) == 0);
	ro_faults = 0;
	*(volatile u32 *)va = 5;
	CHECK(ro_faults == 1 && *(volatile u32 *)va == 0);
	vm_set_handler(va, PAGE_SIZE, NULL);
	vm_unmap(va, 1, true);
}

/* Kernel and device memory can never be mapped. */
static void test_no_kernel_or_device(void)
{
	CHECK(sys_tlbwr(0x80000000u, CAP_NAME(1000, CAP_RW), 0) == -E_INVAL);
	CHECK(sys_tlbwr(0xbf000000u | VA_W, CAP_NAME(1000, CAP_RW), 0) == -E_INVAL);
	CHECK(sys_gmap_add(0, 0x80001000u, CAP_NAME(1000, CAP_RW), 0) == -E_INVAL);
	for (u32 i = 0; i < 200; i++) {
		/* Kernel image (pages 0x100..), vectors (0), ISA/devices (0x18000),
		 * boot flash (0x1fc00): no check field opens them. */
		static const u32 ppns[] = { 0, 1, 0x100, 0x101, 0x120, 0x18000, 0x1fc00, 0xfffff };
		u32 ppn = ppns[i % ARRAY_SIZE(ppns)];
		CHECK(sys_tlbwr(0x30a00000, CAP_NAME(ppn, CAP_R), next_rand()) == -E_BADCAP);
	}
	CHECK((int)(u32)sys_page_alloc(0) == -E_BUSY);          /* the vectors' page */
	CHECK((int)(u32)sys_page_alloc(0x100) == -E_BUSY);      /* the kernel */
	CHECK((int)(u32)sys_page_alloc(0x18000) == -E_INVAL);   /* not RAM */
	CHECK(sys_page_unref(0x100) == -E_PERM);
}

/* A freed page's capability stops working, and its mappings go. */
static void test_freed_cap_dies(void)
{
	const u32 va = 0x30b00000;
	u64 r = sys_page_alloc(PAGE_ANY);
	u32 ppn = (u32)r, check = (u32)(r >> 32);
	CHECK(vm_map_page(va, ppn, check, VM_RW) == 0);
	*(volatile u32 *)va = 77;
	CHECK(sys_page_unref(ppn) == 0);
	CHECK(sys_tlbwr(va, CAP_NAME(ppn, CAP_RW), check) == -E_BADCAP);
	CHECK(sys_page_unref(ppn) == -E_PERM);
	/* The translation is gone: the access reaches ExOS, whose table still
	 * names the page, and tlbwr refuses it, so the region handler steps
	 * over the load. */
	CHECK(vm_set_handler(va, PAGE_SIZE, count_and_skip) == 0);
	vm_unmap(va, 1, false);
	ro_faults = 0;
	(void)*(volatile u32 *)va;
	CHECK(ro_faults == 1);
	vm_set_handler(va, PAGE_SIZE, NULL);
	/* Reallocating the same page number gives a different check field. */
	u64 r2 = sys_page_alloc(ppn);
	CHECK((u32)r2 == ppn && (u32)(r2 >> 32) != check);
	CHECK(sys_page_unref(ppn) == 0);
}

/* Another environment, given only the number of a page this one holds and
 * has written, tries everything to reach it (apps/isolate). */
static void test_other_env_cannot_touch(void)
{
	const u32 va = 0x30c00000;
	CHECK(vm_map(va, 1, VM_RW) == 0);
	for (u32 i = 0; i < 1024; i++)
		((volatile u32 *)va)[i] = 0xabad1dea ^ i;
	u64 r = sys_page_alloc(PAGE_ANY);                  /* the page to attack */
	u32 ppn = (u32)r, check = (u32)(r >> 32);
	CHECK(vm_map_page(0x30d00000, ppn, check, VM_RW) == 0);
	*(volatile u32 *)0x30d00000 = 0x5ec2e7;
	int child = exos_spawn("isolate", ppn);
	CHECK(child > 0);
	int status = -1;
	CHECK(exos_wait((u32)child, &status) == 0);
	CHECK(status == 0);
	CHECK(*(volatile u32 *)0x30d00000 == 0x5ec2e7);
	u32 bad = 0;
	for (u32 i = 0; i < 1024; i++)
		bad += ((volatile u32 *)va)[i] != (0xabad1dea ^ i);
	CHECK(bad == 0);
	vm_unmap(0x30d00000, 1, true);
	vm_unmap(va, 1, true);
}

/* Random arguments to every system call, from disposable children (each
 * usually breaks itself after a thousand calls or so, e.g. by giving back its
 * own pages): whatever happens to them, the kernel survives and gets every
 * page back. */
/* How long a fuzz child is given before it is destroyed, in Count ticks
 * (about 300 slices of 100,000). The bound is time, not a number of yields:
 * a child that spins (it may have mapped a fresh page over its own code, and
 * then runs the zeros as nops) takes the rest of each slice this environment
 * yields and its own slice too, so 20,000 yields were 40,000 slices, minutes
 * of real time per round. */
#define FUZZ_WAIT_TICKS 30000000u

/* Yield while child runs, for at most ticks Count ticks; returns the ticks
 * spent. Never waits for ever, whatever the child does. */
static u32 wait_running(u32 child, u32 ticks)
{
	u32 t0 = read_count();
	while (sys_env_status(child) == 1 && read_count() - t0 < ticks)
		sys_yield();
	return read_count() - t0;
}

/* The bounded wait comes back on time from a child that spins for ever
 * without an epilogue (each yield costs two slices): the cause of iso_fuzz's
 * hangs, made deterministic. */
static void test_wait_bounded(void)
{
	int child = exos_spawn("spin", 1);
	CHECK(child > 0);
	u32 spent = wait_running((u32)child, 20 * 100000u);
	/* It came back (the point), and not before its time. No upper bound is
	 * checked: without -icount, Count follows the host's clock, and a loaded
	 * host can stretch any slice. */
	CHECK(spent >= 20 * 100000u);
	CHECK(sys_env_status((u32)child) == 1);
	CHECK(sys_env_destroy((u32)child) == 0);
	int status = 0;
	CHECK(exos_wait((u32)child, &status) == 0 && status == -2);
}

static void test_fuzz(void)
{
	int before = sys_pages_free();
	for (int round = 0; round < 4; round++) {
		/* 24 bits: fuzz reads bit 31 as "a board is mapped" (fuzzd). */
		u32 seed = (read_count() * 2654435761u & 0xffffffu) | 1;
		printf("    # fuzz seed %08x (reproduce: spawn \"fuzz\" with this seed)\n", seed);
		int child = exos_spawn("fuzz", seed);
		CHECK(child > 0);
		/* The child may have made itself wait for ever (scall to a
		 * waiting environment) or spin: give it a while, then
		 * destroy it. */
		wait_running((u32)child, FUZZ_WAIT_TICKS);
		if (sys_env_status((u32)child) > 0)
			CHECK(sys_env_destroy((u32)child) == 0);
		int status = 0;
		CHECK(exos_wait((u32)child, &status) == 0);
		printf("    # fuzz child ended with status %d\n", status);
		CHECK(sys_null() == 0);
		CHECK(sys_pages_free() == before);
	}
	/* The kernel still creates, runs and reaps environments. */
	int child = exos_spawn("isolate", 0), status = -1;
	CHECK(child > 0 && exos_wait((u32)child, &status) == 0 && status == 0);
}

const struct utest iso_tests[] = {
	{ "cap_forge", test_forge },
	{ "cap_read_cannot_write", test_read_cap_cannot_write },
	{ "cap_no_kernel_or_device", test_no_kernel_or_device },
	{ "cap_freed_page", test_freed_cap_dies },
	{ "iso_other_env", test_other_env_cannot_touch },
	{ "iso_wait_bounded", test_wait_bounded },
	{ "iso_fuzz", test_fuzz },
};
const int n_iso_tests = ARRAY_SIZE(iso_tests);
