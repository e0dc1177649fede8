/* exctests.c: every exception Aegis forwards reaches ExOS's handler and the
 * program resumes correctly, in a branch delay slot too. */
#include "utest.h"

u32 exc_lw(u32 addr);
void exc_sw(u32 addr, u32 v);
int exc_add(int a, int b);
int exc_break(void);
int exc_trap(void);
int exc_ri(void);
u32 exc_fpu(u32 x);
u32 exc_delay_load(u32 addr);
int exc_delay_add(int a, int b);
int exc_regs_kept(u32 addr);

static volatile int seen[32];   /* changed by exception handlers */
static volatile u32 seen_badva;

/* Count the exception, set v0 to a marker, step over the instruction. */
static int step_over(struct trapframe *f)
{
	u32 code = (f->cause >> 2) & 31;
	seen[code]++;
	seen_badva = f->badvaddr;
	f->regs[R_V0] = 0xc0de0000 | code;
	exos_skip(f);
	return 0;
}

static void expect_one(u32 code, void (*raise)(void))
{
	for (int i = 0; i < 32; i++)
		seen[i] = 0;
	exos_set_exception_handler(code, step_over);
	raise();
	exos_set_exception_handler(code, NULL);
	CHECK(seen[code] == 1);
}

static u32 result;
static u8 buf[16] __attribute__((aligned(8)));
static void do_adel(void) { result = exc_lw((u32)buf + 1); }
static void do_ades(void) { exc_sw((u32)buf + 2, 1); }
static void do_ov(void) { result = (u32)exc_add(0x7fffffff, 1); }
static void do_bp(void) { result = (u32)exc_break(); }
static void do_tr(void) { result = (u32)exc_trap(); }
static void do_ri(void) { result = (u32)exc_ri(); }

static void test_unaligned(void)
{
	expect_one(4 /* AdEL */, do_adel);
	CHECK(result == 0xc0de0004 && seen_badva == (u32)buf + 1);
	expect_one(5 /* AdES */, do_ades);
	CHECK(seen_badva == (u32)buf + 2);
}

static void test_overflow(void)
{
	expect_one(12 /* Ov */, do_ov);
	CHECK(result == 0xc0de000c);
	CHECK(exc_add(2, 3) == 5);                 /* no overflow, no exception */
}

static void test_break_trap_ri(void)
{
	expect_one(9 /* Bp */, do_bp);
	CHECK(result == 7);
	expect_one(13 /* Tr */, do_tr);
	CHECK(result == 8);
	expect_one(10 /* RI */, do_ri);
	CHECK(result == 9);
}

/* Coprocessor unusable: ExOS's default handler enables the FPU through
 * Aegis (FPUmod) and the instruction runs again. */
static void test_coprocessor_unusable(void)
{
	CHECK(exc_fpu(0x3f800000) == 0x3f800000);
	CHECK(exc_fpu(12345) == 12345);            /* enabled now: no exception */
}

/* A TLB miss on a load in a delay slot: ExOS maps the page and resumes at
 * the branch, which runs again and takes the load with it. */
static void test_delay_slot_miss(void)
{
	const u32 va = 0x30500000;
	CHECK(vm_map(va, 1, VM_RW) == 0);
	*(volatile u32 *)va = 0xd5d5;
	CHECK(vm_protect(va, 1, VM_NONE) == 0);
	CHECK(vm_protect(va, 1, VM_READ) == 0);    /* eager map is dropped: next access misses */
	CHECK(sys_tlbvadelete(va) == 0);
	u32 up = vm_stats.tlb_upcalls;
	CHECK(exc_delay_load(va) == 0xd5d5);
	CHECK(vm_stats.tlb_upcalls == up + 1);
	vm_unmap(va, 1, true);
}

/* An overflow in a delay slot, stepped over: the handler emulates the branch
 * (taken here) so the program continues at its target. */
static void test_delay_slot_skip(void)
{
	for (int i = 0; i < 32; i++)
		seen[i] = 0;
	exos_set_exception_handler(12, step_over);
	CHECK(exc_delay_add(0x7fffffff, 1) == (int)0xc0de000c);
	exos_set_exception_handler(12, NULL);
	CHECK(seen[12] == 1);
}

static volatile int nested_depth, nested_max;
static u32 nested_other;

/* Handler for the protected page: touches another page that is not in the
 * TLB (a nested upcall, from inside this one), then opens its own page. */
static int nested_handler(struct vm_fault *f)
{
	nested_depth++;
	if (nested_depth > nested_max)
		nested_max = nested_depth;
	u32 v = *(volatile u32 *)nested_other;     /* forwarded miss, nested */
	int r = v == 0x6e657374 ? vm_protect(f->va & ~(PAGE_SIZE - 1), 1, VM_RW) : -1;
	nested_depth--;
	return r;
}

/* Every register survives a forwarded fault, including one whose handler
 * takes a nested fault. */
static void test_registers_kept(void)
{
	const u32 va = 0x30600000, other = 0x30700000;
	CHECK(vm_map(va, 1, VM_RW) == 0 && vm_map(other, 1, VM_RW) == 0);
	CHECK(exc_regs_kept(va) == 0);             /* a plain forwarded miss */
	*(volatile u32 *)other = 0x6e657374;
	CHECK(sys_tlbvadelete(other) == 0);
	nested_other = other;
	CHECK(vm_set_handler(va, PAGE_SIZE, nested_handler) == 0);
	CHECK(vm_protect(va, 1, VM_NONE) == 0);
	u32 up = vm_stats.tlb_upcalls;
	CHECK(exc_regs_kept(va) == 0);
	CHECK(vm_stats.tlb_upcalls >= up + 2);     /* the fault and the nested miss */
	CHECK(nested_max == 1 && nested_depth == 0);
	vm_set_handler(va, PAGE_SIZE, NULL);
	vm_unmap(va, 1, true);
	vm_unmap(other, 1, true);
}

/* exos_set_exception_skip: an unaligned load is stepped over and counted
 * with no handler called and every register kept; in a delay slot it still
 * goes to the handler (which emulates the branch); turned off, the handler
 * gets it again. */
static void test_skip(void)
{
	for (int i = 0; i < 32; i++)
		seen[i] = 0;
	exos_set_exception_handler(4, step_over);
	CHECK(exos_set_exception_skip(32, true) == -E_INVAL);
	CHECK(exos_set_exception_skip(4, true) == 0);
	CHECK(exos_exception_skips(4) == 0);
	CHECK(exc_regs_kept((u32)buf + 1) == 0);
	(void)exc_lw((u32)buf + 3);                           /* v0 is whatever it was */
	CHECK(exos_exception_skips(4) == 2);
	CHECK(seen[4] == 0);
	CHECK(exc_delay_load((u32)buf + 1) == 0xc0de0004);   /* Cause.BD: the handler */
	CHECK(seen[4] == 1 && exos_exception_skips(4) == 2);
	CHECK(exos_set_exception_skip(4, false) == 0);
	do_adel();
	CHECK(seen[4] == 2 && result == 0xc0de0004 && exos_exception_skips(4) == 0);
	exos_set_exception_handler(4, NULL);
}

const struct utest exc_tests[] = {
	{ "exc_unaligned", test_unaligned },
	{ "exc_overflow", test_overflow },
	{ "exc_break_trap_ri", test_break_trap_ri },
	{ "exc_coprocessor_unusable", test_coprocessor_unusable },
	{ "exc_delay_slot_miss", test_delay_slot_miss },
	{ "exc_delay_slot_skip", test_delay_slot_skip },
	{ "exc_registers_kept", test_registers_kept },
	{ "exc_skip", test_skip },
};
const int n_exc_tests = ARRAY_SIZE(exc_tests);
