/*
 * ktest.c: kernel self-tests, run on the real board before the first
 * environment when the command line says `ktest`. Output is KTAP: this suite
 * is subtest 1 ("aegis"); the first environment's own suite is subtest 2,
 * whose result line the kernel prints when that environment exits.
 */
#include "defs.h"

/* Pages the tests allocate are held by this slot, which no environment uses. */
#define KTEST_SLOT 63

static int kt_failed_checks;

/* CHECK(cond): record and print a failed condition; the test goes on. */
#define CHECK(cond) do { if (!(cond)) { \
	kprintf("    # %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
	kt_failed_checks++; } } while (0)

static void test_vectors_installed(void)
{
	u32 len = (u32)(vectors_end - vectors_start);
	CHECK(lib_memcmp((void *)EBASE, vectors_start, len) == 0);
	CHECK((mfc0(C0_EBASE, 1) & 0xfffff000) == EBASE);
	CHECK(!(mfc0(C0_STATUS, 0) & ST_BEV));
	CHECK(mfc0(C0_CAUSE, 0) & CAUSE_IV);
}

static void test_status_normalised(void)
{
	u32 st = mfc0(C0_STATUS, 0);
	CHECK(!(st & (ST_ERL | ST_EXL | ST_KSU_MASK | ST_IE)));
	CHECK((mfc0(C0_CONFIG, 0) & CFG_K0_MASK) == CFG_K0_CACHED);
	CHECK(mfc0(C0_HWRENA, 0) & (1u << 2));
}

static void test_bootargs(void)
{
	CHECK(bootinfo.memsize == 256u << 20);
	CHECK(bootinfo.initrd_size > 0);
	CHECK(bootinfo.initrd_pa >= RESERVED_LOW && (bootinfo.initrd_pa & (PAGE_SIZE - 1)) == 0);
	CHECK(bootinfo.init[0] != '\0');
	struct cpio_file f;
	CHECK(cpio_find(KADDR(bootinfo.initrd_pa), bootinfo.initrd_size, bootinfo.init, &f) == 0);
}

static void test_tlb_parked(void)
{
	/* After tlb_init and before any environment: every slot invalid and no
	 * two slots with the same VPN2. */
	u32 his[NTLB];
	for (int i = 0; i < NTLB; i++) {
		u32 lo0, lo1;
		tlb_read(i, &his[i], &lo0, &lo1);
		CHECK(!(lo0 & ELO_V) && !(lo1 & ELO_V));
		for (int j = 0; j < i; j++)
			CHECK((his[i] & EHI_VPN2_MASK) != (his[j] & EHI_VPN2_MASK));
	}
}

static void test_printf(void)
{
	char b[64];
	lib_snprintf(b, sizeof b, "%d %u %x %08x %s %c %5d|%-3d|", -42, 42u, 0xbeefu, 0x1234u,
		     "ok", 'z', 7, 1);
	CHECK(lib_strcmp(b, "-42 42 beef 00001234 ok z     7|1  |") == 0);
	CHECK(lib_snprintf(b, 4, "%s", "truncate") == 8 && lib_strcmp(b, "tru") == 0);
}

static void test_page_alloc(void)
{
	u32 before = page_free_count();
	int p[3];
	for (int i = 0; i < 3; i++) {
		p[i] = page_alloc(PAGE_ANY, KTEST_SLOT);
		CHECK(p[i] > 0);
	}
	CHECK(page_free_count() == before - 3);
	CHECK(p[0] != p[1] && p[1] != p[2] && p[0] != p[2]);
	u32 *w = KADDR((u32)p[1] * PAGE_SIZE);
	CHECK(w[0] == 0 && w[1023] == 0);
	page_release_all(KTEST_SLOT);
	CHECK(page_free_count() == before);
	CHECK(!page_is_free(0));
	CHECK(!page_is_free(PADDR(KERNEL_BASE) / PAGE_SIZE));
	CHECK(!page_is_free(bootinfo.initrd_pa / PAGE_SIZE));
}

/* Map a page for ASID 0 (never an environment's) through the STLB alone and
 * read it from kernel mode through kuseg: the refill vector must find it. */
static void test_stlb_refill(void)
{
	const u32 va = 0x10000000;
	int ppn = page_alloc(PAGE_ANY, KTEST_SLOT);
	CHECK(ppn > 0);
	u32 *kva = KADDR((u32)ppn * PAGE_SIZE);
	kva[0] = 0xa5a5f00d;
	tlb_set_asid(0);
	u32 lo0 = (u32)ppn << ELO_PFN_SHIFT | ELO_C_CACHED | ELO_V | ELO_D;
	stlb_write_pair(va, lo0, 0);
	u32 got = 0;
	CHECK(user_copy(&got, (void *)va, 4) == 0);
	CHECK(got == 0xa5a5f00d);
	/* The refill put exactly one entry for the pair into the TLB. */
	int hits = 0;
	for (int i = 0; i < NTLB; i++) {
		u32 hi, l0, l1;
		tlb_read(i, &hi, &l0, &l1);
		hits += (hi == va && l0 == lo0);
	}
	CHECK(hits == 1);
	/* Rewriting the pair must replace it in place, never duplicate it. */
	tlb_write_pair(va, lo0, 0);
	tlb_write_pair(va, lo0 & ~ELO_D, 0);
	hits = 0;
	for (int i = 0; i < NTLB; i++) {
		u32 hi, l0, l1;
		tlb_read(i, &hi, &l0, &l1);
		hits += ((hi & EHI_VPN2_MASK) == va && (hi & EHI_ASID_MASK) == 0);
	}
	CHECK(hits == 1);
	/* Now read-only: a kernel write through the user mapping must fault
	 * cleanly into -E_FAULT. */
	CHECK(user_copy((void *)va, &got, 4) == -E_FAULT);
	tlb_delete_pair(va);
	stlb_delete_pair(va);
	CHECK(user_copy(&got, (void *)va, 4) == -E_FAULT);
	page_release_all(KTEST_SLOT);
}

static void test_copyin_checks(void)
{
	u32 x;
	CHECK(copyin(&x, 0x80000000u, 4) == -E_FAULT);      /* kernel address */
	CHECK(copyin(&x, 0x7ffffffeu, 4) == -E_FAULT);      /* runs into kseg0 */
	CHECK(copyin(&x, 0xfffffffcu, 8) == -E_FAULT);      /* wraps */
	CHECK(copyin(&x, 0x00001000u, 4) == -E_FAULT);      /* unmapped */
}

static void test_syscall_dispatch(void)
{
	struct trapframe tf = { 0 };
	tf.regs[R_V0] = 0xffff;
	CHECK(syscall_dispatch(&tf) == (u32)-E_NOSYS);
	tf.regs[R_V0] = 5;      /* a hole in the table */
	CHECK(syscall_dispatch(&tf) == (u32)-E_NOSYS);
	CHECK(fast_syscalls[0] != NULL);
}

static void test_elf_reject(void)
{
	static u32 junk[64] = { 0x464c457f, 0x00010101 };
	u32 before = page_free_count();
	int err = 0;
	CHECK(env_create_elf("junk", junk, sizeof junk, &err) == NULL && err == -E_INVAL);
	CHECK(page_free_count() == before);
	for (int i = 0; i < NENV; i++)
		CHECK(envs[i].status == ENV_FREE);
}

/* The capability secrets come from SipHash-2-4: check it against the
 * published test vector (key 00..0f, message 00..07), and that two draws of
 * rand32 differ. */
static void test_siphash_vector(void)
{
	CHECK(siphash_word(0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull, 0x0706050403020100ull) ==
	      0x93f5f5799a932462ull);
	CHECK(rand32() != rand32());
}

/* Freeing a page replaces its capability secrets and removes every STLB
 * translation to it. */
static void test_free_revokes(void)
{
	int ppn = page_alloc(PAGE_ANY, KTEST_SLOT);
	CHECK(ppn > 0);
	u32 rw = cap_check_for((u32)ppn, CAP_RW), ro = cap_check_for((u32)ppn, CAP_R);
	CHECK(rw != ro);
	CHECK(cap_page(CAP_NAME(ppn, CAP_RW), rw, CAP_RW) == ppn);
	CHECK(cap_page(CAP_NAME(ppn, CAP_R), ro, CAP_RW) == -E_BADCAP);
	CHECK(cap_page(CAP_NAME(ppn, CAP_RW), ro, CAP_R) == -E_BADCAP);
	const u32 hi = 0x10000000;            /* ASID 0: no environment's */
	stlb_write_pair(hi, (u32)ppn << ELO_PFN_SHIFT | ELO_V, 0);
	CHECK(pages[ppn].stlb_refs == 1);
	CHECK(page_unref((u32)ppn, KTEST_SLOT) == 0);
	CHECK(stlb[stlb_index(hi)].tag == STLB_EMPTY);
	CHECK(pages[ppn].stlb_refs == 0);
	CHECK(cap_page(CAP_NAME(ppn, CAP_RW), rw, CAP_R) == -E_BADCAP);
	CHECK(page_unref((u32)ppn, KTEST_SLOT) == -E_PERM);
}

/* dcode (docs/dcode.md): random programs from a fixed seed plus hand-written
 * ones, each compiled and run on random windows, compiled and interpreted:
 * results, fault status and every byte of the windows' memory (and the
 * guard bytes around them) must agree exactly. */
#define DCT_PROGRAMS 4000       /* random programs drawn */
#define DCT_RUNS     8          /* window sets per accepted program */
#define DCT_MAXN     32         /* instructions per random program */
#define DCT_AREA     96         /* bytes behind each window: guard, window, guard */
#define DCT_LONG     1800       /* a long program: more than one fault exit */
static u32 dct_code[DC_CODE_WORDS(DCT_LONG)] __attribute__((aligned(16)));
struct dct_areas { u8 b[DC_MAXWIN][DCT_AREA]; };
static struct dct_areas dct_mem, dct_init, dct_out;      /* now, at the start, after compiled */
static unsigned dct_compared, dct_faulted, dct_mismatches, dct_blocks_ran;

/* Random windows over dct_mem: unaligned bases, lengths 0..64 (mostly 48..64,
 * 0 one time in 8),
 * random contents, saved in dct_init. */
static void dct_windows(struct dc_win *w, u32 *seed)
{
	for (int k = 0; k < DC_MAXWIN; k++) {
		u32 r = xorshift32(seed);
		w[k].base = (uintptr_t)&dct_mem.b[k][8 + (r & 7)];
		w[k].len = (r >> 3) % 8 == 0 ? 0 : (r >> 6) % 4 == 0 ? (r >> 8) % 65 : 48 + (r >> 8) % 17;
		for (int b = 0; b < DCT_AREA; b++)
			dct_init.b[k][b] = (u8)xorshift32(seed);
	}
	dct_mem = dct_init;
}

/* Compile p (checked), run it and the interpreter on DCT_RUNS window sets;
 * CHECK that they agree, and that the compiled code wrote nothing outside
 * its windows. */
static void dct_compare(const struct dc_insn *p, unsigned n, u32 *seed)
{
	int words = dc_compile(p, n, dct_code, ARRAY_SIZE(dct_code));
	CHECK(words > 0 && (unsigned)words <= DC_CODE_WORDS_BLK(n, dc_blocks(p, n)));
	if (words <= 0)
		return;
	dc_fn fn = dc_install(dct_code, (unsigned)words);
	for (int run = 0; run < DCT_RUNS; run++) {
		struct dc_win w[DC_MAXWIN];
		dct_windows(w, seed);
		u64 c = fn(w);
		dct_out = dct_mem;
		dct_mem = dct_init;
		u64 i = dc_interp(p, n, w);
		bool same = c == i && lib_memcmp(&dct_out, &dct_mem, sizeof dct_mem) == 0;
		for (int k = 0; k < DC_MAXWIN; k++) {
			u32 lo = (u32)(w[k].base - (uintptr_t)dct_mem.b[k]), hi = lo + w[k].len;
			for (u32 b = 0; b < DCT_AREA; b++)
				same &= (b >= lo && b < hi) || dct_out.b[k][b] == dct_init.b[k][b];
		}
		CHECK(same);
		if (!same && dct_mismatches++ < 3) {
			kprintf("    # compiled %08x:%08x, interpreted %08x:%08x; program:\n",
				(u32)(c >> 32), (u32)c, (u32)(i >> 32), (u32)i);
			for (unsigned k = 0; k < n; k++)
				kprintf("    #   %u: op %02x regs %02x off %u imm %08x\n", k, p[k].op,
					p[k].regs, p[k].off, p[k].imm);
		}
		dct_compared++;
		dct_faulted += (u32)(c >> 32);
		dct_blocks_ran += !(c >> 32) && dc_blocks(p, n) > 0;
	}
}

#define DI(op, d, s, off, imm) DC_INSN(DC_##op, d, s, off, imm)
/* Hand-written programs: every width at the edges of window 0, indexes that
 * wrap, a parse in network order, stores of each width. */
static const struct dc_insn dct_hand[][8] = {
	{ DI(LDBA, 0, 0, 0, 0), DI(LDI, 1, 0, 0, 0xffffffffu), DI(LDWN, 2, 1, 0, 2), DI(ADD, 0, 2, 0, 0),
	  DI(LDHN, 2, 1, 1, 0xfffffff0u), DI(ADD, 0, 2, 0, 0), DI(RET, 0, 0, 0, 0) },
	{ DI(LDBA, 1, 0, 0, 0), DI(ANDI, 1, 0, 0, 15), DI(SHLI, 1, 0, 0, 2), DI(LDW, 2, 1, 0, 0),
	  DI(LDH, 3, 1, 0, 4), DI(JGT, 2, 3, 1, 0), DI(RETI, 0, 0, 0, 7), DI(RET, 0, 2, 0, 0) },
	{ DI(LDI, 0, 0, 0, 0x11223344u), DI(STWN, 0, 1, 0, 3), DI(STHA, 0, 0, 1, 1), DI(STB, 0, 0, 2, 62),
	  DI(STW, 0, 1, 3, 61), DI(STHN, 0, 1, 0, 0xffffffffu), DI(RETI, 0, 0, 0, 1) },
	{ DI(LDWA, 0, 0, 3, 60), DI(LDHA, 1, 0, 3, 63), DI(LDBA, 2, 0, 3, 64), DI(XOR, 0, 1, 0, 0),
	  DI(MUL, 0, 2, 0, 0), DI(JSETI, 0, 0, 1, 0x80000000u), DI(RET, 0, 0, 0, 0), DI(RETI, 0, 0, 0, 9) },
	/* Block instructions: an odd-length copy with its sum, a copy onto
	 * itself shifted by one byte, a sum of a whole window, one that ends
	 * exactly at a window's end. */
	{ DI(LDI, 1, 0, 0, 3), DI(LDI, 2, 0, 0, 5), DI(LDI, 3, 0, 0, 33), DI(COPY, 4, 3, 0x10, 1 | 2 << 4),
	  DI(LDI, 2, 0, 0, 4), DI(COPY, 4, 3, 0x22, 1 | 2 << 4), DI(RET, 0, 4, 0, 0) },
	{ DI(LDI, 3, 0, 0, 48), DI(CSUM, 5, 3, 3, 0), DI(LDBA, 1, 0, 3, 0), DI(SUB, 3, 1, 0, 0),
	  DI(LDI, 6, 0, 0, 0xffffffffu), DI(CSUM, 6, 3, 1, 1), DI(ADD, 5, 6, 0, 0), DI(RET, 0, 5, 0, 0) },
};

static void test_dcode_compiled_vs_interp(void)
{
	u32 seed = 0x5eed0dc0;
	static struct dc_insn p[DCT_MAXN];
	const struct dc_rules all = { DCT_MAXN, DC_MAXWIN, { DC_R | DC_W, DC_R | DC_W, DC_R | DC_W,
							     DC_R | DC_W }, 4 };
	for (unsigned k = 0; k < ARRAY_SIZE(dct_hand); k++) {
		unsigned n = 0;
		while (n < 8 && dct_hand[k][n].op)
			n++;
		CHECK(dc_check(dct_hand[k], n, &all) == 0);
		dct_compare(dct_hand[k], n, &seed);
	}
	/* A long program (about 18000 words of code: a second fault exit in the
	 * middle), with a jump across most of it taken half the time. */
	static struct dc_insn lp[DCT_LONG];
	lp[0] = (struct dc_insn)DI(LDBA, 4, 0, 1, 0);
	lp[1] = (struct dc_insn)DI(JSETI, 4, 0, DCT_LONG - 100, 1);
	for (unsigned k = 2; k < DCT_LONG - 1; k++)
		lp[k] = k % 4 == 3 ? (struct dc_insn)DI(XOR, 0, 1, 0, 0)
				   : (struct dc_insn)DI(LDWN, 1, 2, 0, (k * 7) % 64);
	lp[DCT_LONG - 1] = (struct dc_insn)DI(RET, 0, 0, 0, 0);
	CHECK(dc_check(lp, DCT_LONG, &(struct dc_rules){ DCT_LONG, 2, { DC_R, DC_R }, 0 }) == 0);
	dct_compare(lp, DCT_LONG, &seed);
	unsigned accepted = 0;
	for (unsigned t = 0; t < DCT_PROGRAMS; t++) {
		struct dc_rules r;
		unsigned n = dc_random_program(p, DCT_MAXN, &r, &seed);
		if (dc_check(p, n, &r) != 0)
			continue;
		accepted++;
		dct_compare(p, n, &seed);
	}
	kprintf("    # dcode: %u random programs, %u accepted; %u runs compared in all (%u faulted, "
		"%u returned from a program with a block instruction)\n",
		DCT_PROGRAMS, accepted, dct_compared, dct_faulted, dct_blocks_ran);
	CHECK(accepted > DCT_PROGRAMS / 4 && dct_faulted > 0 && dct_faulted < dct_compared);
	CHECK(dct_blocks_ran > 100);
}

/* The compiled size of a few fixed programs stays within its bound. */
static void test_dcode_code_size(void)
{
	static const struct { struct dc_insn p[4]; unsigned n, words; } c[] = {
		{ { DI(RETI, 0, 0, 0, 5) }, 1, 7 },                     /* entry + 3 */
		{ { DI(LDB, 1, 2, 0, 0), DI(RET, 0, 1, 0, 0) }, 2, 15 },  /* + 2 zeroed registers */
		{ { DI(LDWN, 1, 2, 1, 0), DI(RET, 0, 1, 0, 0) }, 2, 21 },
		{ { DI(LDHNA, 1, 0, 0, 12), DI(JEQI, 1, 0, 1, 0x800), DI(RETI, 0, 0, 0, 0),
		    DI(RETI, 0, 0, 0, 1) }, 4, 4 + 1 + 8 + 3 + 3 + 3 },
	};
	for (unsigned k = 0; k < ARRAY_SIZE(c); k++) {
		int words = dc_compile(c[k].p, c[k].n, dct_code, ARRAY_SIZE(dct_code));
		kprintf("    # dcode: fixed program %u: %d words (bound %u)\n", k, words, c[k].words);
		CHECK(words > 0 && (unsigned)words <= c[k].words);
	}
}

static const struct { const char *name; void (*fn)(void); } ktests[] = {
	{ "siphash_vector", test_siphash_vector },
	{ "free_revokes", test_free_revokes },
	{ "vectors_installed", test_vectors_installed },
	{ "status_normalised", test_status_normalised },
	{ "bootargs", test_bootargs },
	{ "tlb_parked", test_tlb_parked },
	{ "printf", test_printf },
	{ "page_alloc", test_page_alloc },
	{ "stlb_refill", test_stlb_refill },
	{ "copyin_checks", test_copyin_checks },
	{ "syscall_dispatch", test_syscall_dispatch },
	{ "elf_reject", test_elf_reject },
	{ "dcode_compiled_vs_interp", test_dcode_compiled_vs_interp },
	{ "dcode_code_size", test_dcode_code_size },
};

static u32 ktest_init_id;     /* the first environment: its end is subtest 2 */

void ktest_watch(struct env *e)
{
	ktest_init_id = e->id;
}

void ktest_run(void)
{
	int failed = 0, n = (int)ARRAY_SIZE(ktests);
	kprintf("KTAP version 1\n1..2\n");
	kprintf("    KTAP version 1\n    # Subtest: aegis\n    1..%d\n", n);
	for (int i = 0; i < n; i++) {
		kt_failed_checks = 0;
		ktests[i].fn();
		kprintf("    %s %d %s\n", kt_failed_checks ? "not ok" : "ok", i + 1, ktests[i].name);
		failed += kt_failed_checks != 0;
	}
	kprintf("%s 1 aegis\n", failed ? "not ok" : "ok");
}

/* Called when an environment exits (status) or is destroyed by a fault
 * (status -1). In ktest mode the end of the first environment is subtest 2. */
void ktest_env_exit(struct env *e, int status)
{
	if (!bootinfo.ktest || !ktest_init_id || e->id != ktest_init_id)
		return;
	ktest_init_id = 0;
	if (status == 0)
		kprintf("ok 2 %s\n", e->name);
	else
		kprintf("not ok 2 %s # exit status %d\n", e->name, status);
}
