/*
 * attacks.c: the hostile tests. Each tries to break one promise of the
 * kernel (docs/security.md) and checks that it holds; the child side of an
 * attack is next to its test, and child_main() dispatches to it.
 */
#include "hostile.h"
#include "syscall_nums.h"

/* --- 1. A save area whose page is replaced or freed under the kernel ------- */

/* The attacker: a save area in a guaranteed mapping, the mapping replaced by
 * another page (writable, or read-only), the first page freed. The suite
 * takes that frame; then an exception makes the kernel store EPC and a0..a2
 * in the save area. They must land in the attacker's own page, or (read-only
 * now) nowhere, the attacker then having no handler. */
static int child_save(struct box *b, bool readonly)
{
	const u32 va = 0x50000000;
	u64 r = sys_page_alloc(PAGE_ANY), s = sys_page_alloc(PAGE_ANY);
	u32 p = (u32)r, q = (u32)s;
	sys_set_epilogue(0, 0, 0);   /* ExOS's epilogue reads its own save area */
	if (sys_gmap_add(0, va | VA_W, CAP_NAME(p, CAP_RW), (u32)(r >> 32)) < 0)
		return 1;
	if (sys_set_upcalls((u32)atk_handler, (u32)atk_handler, va + 0x100) < 0)
		return 2;
	if (sys_gmap_add(0, va | (readonly ? 0 : VA_W), CAP_NAME(q, CAP_RW), (u32)(s >> 32)) < 0)
		return 3;
	if (sys_page_unref(p) < 0)
		return 4;
	b->word[0] = p;
	b->step = 1;
	if (!wait_step(&b->step, 2, 100000))
		return 5;
	atk_break();
	return 6;
}

static void save_area_attack(u32 mode, int want)
{
	const u32 va = 0x31000000;
	int c = child_spawn(mode, NULL);
	CHECK(c > 0);
	CHECK(wait_step(&box->step, 1, 100000));
	u32 p = box->word[0];
	u64 r = sys_page_alloc(p);                  /* the frame the attacker let go */
	CHECK((u32)r == p);
	CHECK(vm_map_page(va, p, (u32)(r >> 32), VM_RW) == 0);
	for (u32 i = 0; i < 1024; i++)
		((volatile u32 *)va)[i] = 0x5a5a0000 | i;
	box->step = 2;
	int st = child_wait(c);
	if (st != want)
		printf("    # attacker's status %d, wanted %d\n", st, want);
	CHECK(st == want);
	u32 changed = 0;
	for (u32 i = 0; i < 1024; i++)
		changed += ((volatile u32 *)va)[i] != (0x5a5a0000 | i);
	CHECK(changed == 0);
	vm_unmap(va, 1, true);
}

static void test_save_area_replaced(void) { save_area_attack(M_SAVE_REPLACE, 77); }
static void test_save_area_readonly(void) { save_area_attack(M_SAVE_READONLY, EXIT_EXCEPTION(9)); }

/* The save area's mapping removed outright: the upcalls go with it. */
static void test_save_area_removed(void)
{
	const u32 va = 0x31100000;
	u32 ppn;
	CHECK(exos_page_guaranteed(va, &ppn) == 0);
	/* Registering and removing our own handlers would leave us without
	 * them: test the refusal and the bookkeeping only. */
	CHECK(sys_set_upcalls(0x400000, 0x400000, va + PAGE_SIZE - 8) == -E_INVAL);  /* crosses */
	CHECK(sys_set_upcalls(0x400001, 0x400000, va) == -E_INVAL);
	CHECK(sys_set_upcalls(0x400000, 0x400000, 0x31200000) == -E_PERM);  /* not guaranteed */
	CHECK(sys_gmap_del(0, va) == 0);
	CHECK(sys_page_unref(ppn) == 0);
}

/* --- 2. sdbbp --------------------------------------------------------------- */

/* EJTAG debug mode from user mode: the kernel must get the processor back,
 * end the environment (EXIT_DEBUG) and let every other one go on. */
static void test_sdbbp(void)
{
	CHECK(child_wait(child_spawn(M_SDBBP, NULL)) == EXIT_DEBUG);
	CHECK(child_wait(child_spawn(M_SDBBP_DELAY, NULL)) == EXIT_DEBUG);
	int c = child_spawn(M_IDLE, NULL);                 /* still a working machine */
	CHECK(c > 0 && sys_env_destroy((u32)c) == 0);
	CHECK(child_wait(c) == EXIT_DESTROYED);
}

/* --- 3. FPU registers ------------------------------------------------------- */

#define FCSR_A       0x01000f83u   /* flush to zero, every enable, round to -inf */
#define FCSR_PENDING 0x00001080u   /* inexact: cause and enable both set */
#define FCSR_B       0x00000001u   /* round to zero */

static int fpe_skip(struct trapframe *f)
{
	exos_skip(f);
	return 0;
}

/* A: fill every FPU register, let B run, check that nothing changed. */
static int child_fpu_a(struct box *b, u32 fcsr)
{
	static u32 got[33];
	exos_set_exception_handler(15, fpe_skip);   /* FCSR_PENDING raises FPE */
	fpu_fill(0x11110000, fcsr);
	b->step = 1;
	if (!wait_step(&b->step, 2, 100000))
		return 100;
	fpu_dump(got);
	int bad = 0;
	for (u32 i = 0; i < 32; i++)
		bad += got[i] != 0x11110000 + i;
	bad += got[32] != fcsr;
	return bad;
}

/* B: its registers must start at zero, then it changes them all. */
static int child_fpu_b(struct box *b)
{
	if (!wait_step(&b->step, 1, 100000))
		return 100;
	fpu_dump(b->fpu);
	int nonzero = 0;
	for (u32 i = 0; i < 33; i++)
		nonzero += b->fpu[i] != 0;
	fpu_fill(0x22220000, FCSR_B);
	b->step = 2;
	return nonzero;
}

static void fpu_pair(u32 a_mode_arg, const char *what)
{
	int a = child_spawn(a_mode_arg, NULL), b = child_spawn(M_FPU_B, NULL);
	int sa = child_wait(a), sb = child_wait(b);
	if (sa || sb)
		printf("    # %s: A saw %d registers changed, B saw %d nonzero (FCSR %08x)\n",
		       what, sa, sb, box->fpu[32]);
	CHECK(sa == 0);
	CHECK(sb == 0);
}

static void test_fpu_private(void) { fpu_pair(M_FPU_A, "fpu"); }
static void test_fpu_pending_cause(void) { fpu_pair(M_FPU_A | 1 << 8, "fpu with a pending FCSR cause"); }

/* --- 4. Holding pages for others -------------------------------------------- */

/* G tries to make its sibling S hold pages, and to hold a page of the
 * suite's it was only given a capability for. */
static int child_grant(struct box *b)
{
	u32 sibling = b->word[0];
	u64 r = sys_page_alloc(PAGE_ANY);
	u32 p = (u32)r, pc = (u32)(r >> 32);
	b->word[10] = (u32)sys_page_grant(sibling, CAP_NAME(p, CAP_RW), pc);
	b->word[11] = (u32)sys_gmap_add(0, 0x52000000 | VA_W, b->word[1], b->word[2]);
	b->word[12] = (u32)sys_gmap_add(sibling, 0x52000000, CAP_NAME(p, CAP_RW), pc);
	b->word[13] = (u32)sys_page_grant(0, CAP_NAME(p, CAP_RW), pc);
	u32 pinned = 0;
	for (int i = 0; i < 64; i++) {
		u64 q = sys_page_alloc(PAGE_ANY);
		pinned += sys_page_grant(sibling, CAP_NAME((u32)q, CAP_RW), (u32)(q >> 32)) == 0;
	}
	b->word[14] = pinned;
	return 0;
}

static void test_grant_to_sibling(void)
{
	int s = child_spawn(M_IDLE, NULL);
	CHECK(s > 0);
	CHECK(wait_step(&box->word[63], 1, 100000));   /* S has started: its pages are in */
	u64 r = sys_page_alloc(PAGE_ANY);
	box->word[0] = (u32)s;
	box->word[1] = CAP_NAME((u32)r, CAP_RW);
	box->word[2] = (u32)(r >> 32);
	int before = sys_pages_free();
	CHECK(child_wait(child_spawn(M_GRANT, NULL)) == 0);
	CHECK((int)box->word[10] == -E_PERM);       /* grant to a sibling */
	CHECK((int)box->word[11] == -E_PERM);       /* hold a page by capability alone */
	CHECK((int)box->word[12] == -E_PERM);       /* map into a sibling */
	CHECK((int)box->word[13] == 0);             /* itself: fine */
	CHECK(box->word[14] == 0);
	CHECK(sys_pages_free() == before);          /* nothing outlived the grantor */
	CHECK(sys_env_destroy((u32)s) == 0);
	child_wait(s);
	CHECK(sys_page_unref((u32)r) == 0);
}

/* --- 5. Budgets: slice positions, environments, pages ------------------------- */

static int child_slice_hog(struct box *b)
{
	u32 got = 0;
	int last = 0;
	for (int i = 0; i < 70; i++) {
		last = sys_slice_alloc(0xffffffffu);
		got += last >= 0;
	}
	b->word[0] = got;
	b->word[1] = (u32)last;
	b->word[2] = (u32)sys_slices_owned();
	b->word[3] = (u32)sys_env_limit(exos_envid, LIM_SLICES, 64);   /* its own budget */
	return 0;
}

static void test_slice_budget(void)
{
	CHECK(child_wait(child_spawn(M_SLICE_HOG, NULL)) == 0);
	CHECK(box->word[0] == 0);                    /* it has its one position */
	CHECK((int)box->word[1] == -E_QUOTA);
	CHECK(box->word[2] == 1);
	CHECK((int)box->word[3] == -E_PERM);
	static const u32 three[NLIMITS] = { LIMIT_NONE, 3, LIMIT_NONE };
	CHECK(child_wait(child_spawn(M_SLICE_HOG, three)) == 0);
	CHECK(box->word[0] == 2 && box->word[2] == 3);
	/* A hog holding its budget does not stop anyone else's environments. */
	int hogs[8];
	for (int i = 0; i < 8; i++)
		hogs[i] = child_spawn(M_IDLE, three);
	for (int i = 0; i < 8; i++) {
		CHECK(hogs[i] > 0);
		sys_env_destroy((u32)hogs[i]);
		child_wait(hogs[i]);
	}
}

static int child_env_hog(struct box *b)
{
	u32 got = 0;
	int last = 0;
	for (int i = 0; i < 70; i++) {
		last = sys_env_alloc();
		got += last > 0;
	}
	b->word[0] = got;
	b->word[1] = (u32)last;
	b->word[2] = (u32)sys_env_usage(0, LIM_ENVS);
	return 0;
}

static void test_env_budget(void)
{
	static const u32 four[NLIMITS] = { LIMIT_NONE, 1, 4 };
	CHECK(child_wait(child_spawn(M_ENV_HOG, four)) == 0);
	CHECK(box->word[0] == 4 && (int)box->word[1] == -E_QUOTA && box->word[2] == 4);
	CHECK((u32)sys_env_usage(0, LIM_ENVS) == 0);        /* all of them gone with it */
}

static int child_page_hog(struct box *b)
{
	u32 got = 0;
	int last = 0;
	for (int i = 0; i < 70000 && last >= 0; i++) {
		last = (int)(u32)sys_page_alloc(PAGE_ANY);
		got += last >= 0;
	}
	b->word[0] = got;
	b->word[1] = (u32)last;
	b->word[2] = (u32)sys_env_usage(0, LIM_PAGES);
	return 0;
}

static void test_page_budget(void)
{
	static const u32 pages64[NLIMITS] = { 64, 1, LIMIT_NONE };
	int before = sys_pages_free();
	CHECK(child_wait(child_spawn(M_PAGE_HOG, pages64)) == 0);
	CHECK((int)box->word[1] == -E_QUOTA && box->word[2] == 64 && box->word[0] <= 64);
	CHECK(sys_pages_free() == before);
	CHECK(sys_env_limit(exos_envid, LIM_PAGES, 0) == -E_PERM);     /* not a child */
	CHECK(sys_env_limit(0x7fffff00, LIM_PAGES, 0) == -E_NOENT);
	CHECK((int)(u32)sys_env_usage(0, NLIMITS) == -E_INVAL);
}

/* --- 6. What the kernel leaves in registers ---------------------------------- */

static void test_kregs_cleared(void)
{
	static const u32 calls[] = { SYS_null, SYS_getenvid, SYS_pages_free, SYS_yield, SYS_capfails };
	u32 out[2];
	for (u32 i = 0; i < ARRAY_SIZE(calls); i++) {
		kregs_syscall(calls[i], out);
		if (out[0] || out[1])
			printf("    # after system call %u: k0 %08x k1 %08x\n", calls[i], out[0], out[1]);
		CHECK(out[0] == 0 && out[1] == 0);
	}
	kregs_load(PARENT_BOX_VA, out);
	CHECK(out[0] < USER_TOP && out[1] < USER_TOP);
	kregs_load(USER_TEXT, out);
	CHECK(out[0] < USER_TOP && out[1] < USER_TOP);
}

/* --- 7. Privileged instructions and the kernel's addresses --------------------- */

static volatile u32 trapped;
static int count_skip(struct trapframe *f)
{
	trapped++;
	exos_skip(f);
	return 0;
}

static int back_to_ra(struct trapframe *f)
{
	trapped++;
	f->epc = f->regs[R_RA];
	return 0;
}

static void test_privileged(void)
{
	exos_set_exception_handler(10, count_skip);     /* RI */
	exos_set_exception_handler(11, count_skip);     /* CpU */
	trapped = 0;
	for (u32 i = 0; i < N_PRIV; i++)
		priv_op(i);
	CHECK(trapped == N_PRIV);
	exos_set_exception_handler(4, back_to_ra);      /* AdEL: fetch from the kernel */
	static const u32 targets[] = { 0x80000000u, 0x80000180u, 0x80100000u, 0xbfc00480u, 0xc0000000u };
	trapped = 0;
	for (u32 i = 0; i < ARRAY_SIZE(targets); i++)
		((void (*)(void))targets[i])();
	CHECK(trapped == ARRAY_SIZE(targets));
	exos_set_exception_handler(4, NULL);
	exos_set_exception_handler(10, NULL);
	exos_exc_init();                                  /* ExOS's own CpU handler back */
}

/* --- 8. A translation that outlives its page --------------------------------- */

static volatile u32 faults;
static int fault_skip(struct vm_fault *f)
{
	faults++;
	exos_skip(f->frame);
	return 0;
}

/* Map a page with tlbwr, push its entry out of the 16-entry TLB (QEMU keeps
 * such entries as hidden shadows), free the page: the old address must fault,
 * whoever has the frame now. */
static void test_freed_page_unmapped(void)
{
	const u32 va = 0x32000000, churn = 0x33000000;
	u64 r = sys_page_alloc(PAGE_ANY);
	u32 p = (u32)r;
	CHECK(sys_tlbwr(va | VA_W, CAP_NAME(p, CAP_RW), (u32)(r >> 32)) == 0);
	*(volatile u32 *)va = 0x1234;
	CHECK(vm_map(churn, 200, VM_RW) == 0);
	for (u32 i = 0; i < 200; i++)
		*(volatile u32 *)(churn + i * PAGE_SIZE) = i;
	CHECK(sys_page_unref(p) == 0);
	u64 again = sys_page_alloc(p);                /* the frame, someone's again */
	CHECK((u32)again == p);
	CHECK(vm_set_handler(va, PAGE_SIZE, fault_skip) == 0);
	faults = 0;
	u32 seen = *(volatile u32 *)va;
	(void)seen;
	CHECK(faults == 1);
	vm_set_handler(va, PAGE_SIZE, NULL);
	vm_unmap(churn, 200, true);
	CHECK(sys_page_unref(p) == 0);
}

/* tlbwr_vec checks every entry as tlbwr does: a forged capability in the
 * middle stops the vector there (earlier entries done, later ones not), and
 * bad counts, vectors outside the caller's memory, kernel addresses and
 * guaranteed mappings are refused. */
static void test_tlbwr_vec_checks(void)
{
	const u32 va = 0x34000000, gva = 0x34100000;
	static struct tlbwr_req v[TLBWR_VEC_MAX + 1];
	u64 r = sys_page_alloc(PAGE_ANY);
	u32 p = (u32)r, check = (u32)(r >> 32), name = CAP_NAME(p, CAP_RW);
	v[0] = (struct tlbwr_req){ va | VA_W, name, check };
	v[1] = (struct tlbwr_req){ (va + PAGE_SIZE) | VA_W, name, check ^ 0x10 };   /* forged */
	v[2] = (struct tlbwr_req){ (va + 2 * PAGE_SIZE) | VA_W, name, check };
	CHECK(sys_tlbwr_vec(v, 3) == -E_BADCAP);
	CHECK(vm_set_handler(va, 3 * PAGE_SIZE, fault_skip) == 0);
	faults = 0;
	*(volatile u32 *)va = 0x5678;                 /* entry 0 took effect */
	CHECK(faults == 0);
	(void)*(volatile u32 *)(va + 2 * PAGE_SIZE);  /* entry 2 did not */
	CHECK(faults == 1);
	vm_set_handler(va, 3 * PAGE_SIZE, NULL);
	CHECK(sys_tlbvadelete(va) == 0);
	CHECK(sys_tlbwr_vec(v, 0) == -E_INVAL);
	CHECK(sys_tlbwr_vec(v, TLBWR_VEC_MAX + 1) == -E_INVAL);
	CHECK(sys_tlbwr_vec((void *)0x80001000, 1) == -E_FAULT);            /* kernel memory */
	CHECK(sys_tlbwr_vec((void *)(USER_TOP - 12), 2) == -E_FAULT);       /* runs past the top */
	CHECK(sys_tlbwr_vec((void *)0x3f000000, 1) == -E_FAULT);            /* not mapped */
	v[0] = (struct tlbwr_req){ 0x80000000u | VA_W, name, check };
	CHECK(sys_tlbwr_vec(v, 1) == -E_INVAL);                             /* a kernel address */
	v[0] = (struct tlbwr_req){ va | VA_W | VA_NOACCESS, name, check };
	CHECK(sys_tlbwr_vec(v, 1) == -E_INVAL);
	CHECK(sys_gmap_add(0, gva | VA_W, name, check) == 0);
	v[0] = (struct tlbwr_req){ gva | VA_NOACCESS, 0, 0 };
	CHECK(sys_tlbwr_vec(v, 1) == -E_BUSY);                              /* guaranteed */
	/* The same deep in a batch: tlbwr_vec looks guaranteed mappings up
	 * once per chunk of 16 entries, so put it in the second chunk, between
	 * entries that are not guaranteed. */
	for (u32 i = 0; i < 20; i++)
		v[i] = (struct tlbwr_req){ (va + i * PAGE_SIZE) | VA_NOACCESS, 0, 0 };
	v[17] = (struct tlbwr_req){ gva | VA_W, name, check };
	CHECK(sys_tlbwr_vec(v, 20) == -E_BUSY);
	CHECK(*(volatile u32 *)gva == 0x5678);
	CHECK(sys_gmap_del(0, gva) == 0);
	u32 rnd = 0x9e3779b9u;                       /* guessing 128 pages at once */
	for (u32 i = 0; i < TLBWR_VEC_MAX; i++)
		v[i] = (struct tlbwr_req){ (va + i * PAGE_SIZE) | VA_W, CAP_NAME(i + 1, CAP_RW),
					   xorshift32(&rnd) };
	int before = sys_capfails();
	CHECK(sys_tlbwr_vec(v, TLBWR_VEC_MAX) == -E_BADCAP);
	CHECK(sys_capfails() == before + 1);        /* stopped at the first */
	CHECK(sys_page_unref(p) == 0);
}

/* With no budgets given (exos_spawn's defaults), a child can take neither
 * all memory nor every environment slot. */
static void test_default_budgets(void)
{
	int before = sys_pages_free();
	CHECK(child_wait(child_spawn(M_PAGE_HOG, NULL)) == 0);
	CHECK((int)box->word[1] == -E_QUOTA);
	CHECK(box->word[2] <= (u32)before / 2 + 1);
	CHECK(sys_pages_free() == before);
	CHECK(child_wait(child_spawn(M_ENV_HOG, NULL)) == 0);
	CHECK(box->word[0] == 16 && (int)box->word[1] == -E_QUOTA);
	int c = child_spawn(M_IDLE, NULL);                  /* room left for others */
	CHECK(c > 0 && sys_env_destroy((u32)c) == 0);
	child_wait(c);
}

/* --- 9. Start-of-slice prologues that will not give the processor back ------ */

/* The prologue attacker (M_PRO_SAVE): its save area is in a guaranteed
 * page P of its own; its prologue handler never returns (it keeps the
 * processor for as long as the kernel lets it), fills the save area with
 * kernel addresses, and the first time replaces the save area's page with
 * another and frees P. Every later prologue must be stored in the new page,
 * never in P, whoever holds that frame now, and each one must begin a new
 * slice of the attacker's, the kernel having taken the processor back in
 * between. */
#define PRO_VA 0x50000000u
static u32 pro_q, pro_q_check;

static void __attribute__((noreturn)) pro_handler(void)
{
	struct box *b = (struct box *)BOX_VA;
	volatile u32 *save = (volatile u32 *)(PRO_VA + 0x100);
	for (u32 i = 0; i < 4; i++)
		save[i] = 0x80000000u + 4 * i;             /* garbage for the kernel */
	if (b->step == 0) {
		u32 p = b->word[0];
		b->word[2] = (u32)sys_gmap_add(0, PRO_VA | VA_W, CAP_NAME(pro_q, CAP_RW), pro_q_check);
		b->word[3] = (u32)sys_page_unref(p);
		b->step = 1;
	}
	b->word[1]++;                                   /* prologues run */
	for (;;)
		__asm__ volatile("" ::: "memory");
}

static int child_pro_save(struct box *b)
{
	u64 r = sys_page_alloc(PAGE_ANY), s = sys_page_alloc(PAGE_ANY);
	pro_q = (u32)s;
	pro_q_check = (u32)(s >> 32);
	sys_set_epilogue(0, 0, 0);   /* ExOS's epilogue reads its own save area */
	if (sys_gmap_add(0, PRO_VA | VA_W, CAP_NAME((u32)r, CAP_RW), (u32)(r >> 32)) < 0)
		return 1;
	if (sys_set_upcalls((u32)atk_handler, (u32)atk_handler, PRO_VA + 0x100) < 0)
		return 2;
	b->word[0] = (u32)r;
	if (sys_set_prologue((u32)pro_handler) < 0)
		return 3;
	for (;;)                                        /* until the first prologue */
		__asm__ volatile("" ::: "memory");
}

static void test_prologue_save_area(void)
{
	const u32 va = 0x31200000;
	int c = child_spawn(M_PRO_SAVE, NULL);
	CHECK(c > 0);
	CHECK(wait_step(&box->step, 1, 100000));
	CHECK(box->word[2] == 0 && box->word[3] == 0);   /* replaced, freed */
	u32 p = box->word[0];
	u64 r = sys_page_alloc(p);                      /* the frame it let go */
	CHECK((u32)r == p);
	CHECK(vm_map_page(va, p, (u32)(r >> 32), VM_RW) == 0);
	for (u32 i = 0; i < 1024; i++)
		((volatile u32 *)va)[i] = 0x5a5a0000 | i;
	u32 seen = box->word[1];
	CHECK(wait_step(&box->word[1], seen + 3, 100000));    /* more slices of its */
	u32 changed = 0;
	for (u32 i = 0; i < 1024; i++)
		changed += ((volatile u32 *)va)[i] != (0x5a5a0000 | i);
	CHECK(changed == 0);
	CHECK(sys_env_destroy((u32)c) == 0);
	CHECK(child_wait(c) == EXIT_DESTROYED);
	vm_unmap(va, 1, true);
}

static void __attribute__((noreturn)) spin_forever(void)
{
	for (;;)
		__asm__ volatile("" ::: "memory");
}

/* M_PRO_SPIN: prologue and epilogue both a loop that never returns nor
 * says it is done (no critical range): each slice end is an overrun, and
 * the kernel aborts it, the prologues notwithstanding. */
static int child_pro_spin(struct box *b)
{
	sys_pct_entry(0);
	/* The epilogue first: a prologue that came before ExOS's epilogue was
	 * replaced would keep this program from ever replacing it. */
	b->word[1] = (u32)sys_set_epilogue((u32)spin_forever, 0, 0);
	b->word[0] = (u32)sys_set_prologue((u32)spin_forever);
	spin_forever();
}

/* M_PRO_UNMAPPED: a prologue entry at an address nothing is mapped at:
 * accepted, and at its next slice the fetch there faults to its library OS,
 * which ends it. */
static int child_pro_unmapped(struct box *b)
{
	/* step first: the slice may end right after sys_set_prologue, and the
	 * next one begins at the prologue, so nothing after it is sure to run
	 * (word[0] is then left 0, as a success would set it; the exit status
	 * tells whether the prologue was taken). */
	b->step = 1;
	b->word[0] = (u32)sys_set_prologue(0x3f000000u);
	for (u32 t0 = read_count(); read_count() - t0 < 400 * 100000u;)
		;                                       /* 400 slices of Count at most */
	return 5;
}

static void test_prologue_keeps_cpu(void)
{
	int c = child_spawn(M_PRO_SPIN, NULL);
	CHECK(c > 0);
	for (u32 i = 0; i < 100000 && sys_env_status((u32)c) > 0; i++)
		sys_yield();                            /* bounded: it must be aborted */
	CHECK(sys_env_status((u32)c) < 0);
	if (sys_env_status((u32)c) > 0)
		sys_env_destroy((u32)c);
	CHECK(child_wait(c) == EXIT_ABORTED);
	CHECK(box->word[0] == 0 && box->word[1] == 0);
	box->step = 0;
	int st = child_wait(child_spawn(M_PRO_UNMAPPED, NULL));
	if (st != EXIT_EXCEPTION(2))
		printf("    # unmapped prologue: status %d\n", st);
	CHECK(st == EXIT_EXCEPTION(2));                  /* TLBL, at the entry */
	CHECK(box->step == 1 && box->word[0] == 0);
}

const struct utest hostile_tests[] = {
	{ "save_area_replaced", test_save_area_replaced },
	{ "save_area_readonly", test_save_area_readonly },
	{ "save_area_removed", test_save_area_removed },
	{ "sdbbp", test_sdbbp },
	{ "fpu_private", test_fpu_private },
	{ "fpu_pending_cause", test_fpu_pending_cause },
	{ "grant_to_sibling", test_grant_to_sibling },
	{ "slice_budget", test_slice_budget },
	{ "env_budget", test_env_budget },
	{ "page_budget", test_page_budget },
	{ "default_budgets", test_default_budgets },
	{ "kregs_cleared", test_kregs_cleared },
	{ "privileged", test_privileged },
	{ "freed_page_unmapped", test_freed_page_unmapped },
	{ "tlbwr_vec_checks", test_tlbwr_vec_checks },
	{ "prologue_save_area", test_prologue_save_area },
	{ "prologue_keeps_cpu", test_prologue_keeps_cpu },
};
const int n_hostile_tests = ARRAY_SIZE(hostile_tests);

int child_main(u32 mode)
{
	struct box *b = (struct box *)BOX_VA;
	switch (mode) {
	case M_SAVE_REPLACE: return child_save(b, false);
	case M_SAVE_READONLY: return child_save(b, true);
	case M_SDBBP: do_sdbbp(); return 1;
	case M_SDBBP_DELAY: do_sdbbp_delay(); return 1;
	case M_FPU_A: return child_fpu_a(b, (exos_arg >> 8) ? FCSR_PENDING : FCSR_A);
	case M_FPU_B: return child_fpu_b(b);
	case M_GRANT: return child_grant(b);
	case M_IDLE: b->word[63] = 1; for (;;) sys_yield();
	case M_SLICE_HOG: return child_slice_hog(b);
	case M_ENV_HOG: return child_env_hog(b);
	case M_PAGE_HOG: return child_page_hog(b);
	case M_PRO_SAVE: return child_pro_save(b);
	case M_PRO_SPIN: return child_pro_spin(b);
	case M_PRO_UNMAPPED: return child_pro_unmapped(b);
	}
	return call_child(mode);
}
