/*
 * calls.c: hostile arguments to the newest system calls (wakeup
 * predicates, tlbwr_vec, the network, the disk and XN). The hostile suite
 * boots with no NIC and no disk, so the device calls are attacked on their
 * "no such device" paths here (every argument still refused with an error,
 * never a panic) and with a device in nettest and xntest. After each test
 * the suite's runner has the kernel check its invariants (kcheck).
 */
#include "hostile.h"
#include "dcode.h"

#define KSEG0_VA   0x80000000u
#define KSEG1_VA   0xa0000000u
#define TOP_WORD   0xfffffffcu
#define EDGE_VA    0x35000000u      /* a guaranteed page; the page after it unmapped */
#define VICTIM_VA  0x50000000u      /* the victim child's page */

/* A guaranteed page at EDGE_VA (always mapped, even inside a system call)
 * whose next page is mapped by nobody: ranges that start in it and run
 * past its end straddle a mapped and an unmapped page. Its ppn. */
static u32 edge_page(void)
{
	u32 ppn = 0;
	CHECK(exos_page_guaranteed(EDGE_VA, &ppn) == 0);
	return ppn;
}

static void edge_page_free(u32 ppn)
{
	CHECK(sys_gmap_del(0, EDGE_VA) == 0);
	CHECK(sys_page_unref(ppn) == 0);
}

/* --- wakeup predicates over a page that changes hands --------------------- */

/* The victim (M_WK_VICTIM): a page whose word 0 is 0, its read-only
 * capability in the box; once the suite sleeps on it (step 2) the page is
 * freed, taken back (the same frame, new secrets) and its word 0 set. The
 * sleeper's predicate ("word 0 is nonzero") must never see that word: it
 * wakes with -E_BADCAP. */
static int child_wk_victim(struct box *b)
{
	u64 r = sys_page_alloc(PAGE_ANY);
	u32 p = (u32)r;
	if ((int)p < 0 || vm_map_page(VICTIM_VA, p, (u32)(r >> 32), VM_RW) < 0)
		return 1;
	*(volatile u32 *)VICTIM_VA = 0;
	u64 ro = sys_cap_derive(CAP_NAME(p, CAP_RW), (u32)(r >> 32), CAP_R);
	b->word[0] = (u32)ro;
	b->word[1] = (u32)(ro >> 32);
	b->step = 1;
	if (!wait_step(&b->step, 2, 100000))
		return 2;
	if (vm_unmap(VICTIM_VA, 1, true) < 0)
		return 3;
	u64 again = sys_page_alloc(p);                  /* the same frame, new secrets */
	if ((u32)again != p || vm_map_page(VICTIM_VA, p, (u32)(again >> 32), VM_RW) < 0)
		return 4;
	*(volatile u32 *)VICTIM_VA = 0x1234;
	b->step = 3;
	wait_step(&b->step, 4, 100000);
	return 0;
}

static void test_wk_victim_page(void)
{
	static const struct dc_insn nonzero[] = { DC_INSN(DC_LDWA, 0, 0, 0, 0),
						  DC_INSN(DC_RET, 0, 0, 0, 0) };
	box->step = 0;
	int c = child_spawn(M_WK_VICTIM, NULL);
	CHECK(c > 0 && wait_step(&box->step, 1, 100000));
	struct wk_page pg = { box->word[0], box->word[1] };
	struct wk_page forged = { pg.capname, pg.capcheck ^ 0x100 };
	struct wk_page as_rw = { CAP_NAME(CAP_PPN(pg.capname), CAP_RW), pg.capcheck };
	CHECK(sys_wk_sleep(nonzero, 2, &forged, 1) == -E_BADCAP);
	CHECK(sys_wk_sleep(nonzero, 2, &as_rw, 1) == -E_BADCAP);  /* the R secret as RW's */
	box->step = 2;
	int r = sys_wk_sleep(nonzero, 2, &pg, 1);       /* sleeps until the page goes */
	if (r != -E_BADCAP)
		printf("    # predicate over a freed page: %d\n", r);
	CHECK(r == -E_BADCAP);
	CHECK(wait_step(&box->step, 3, 100000));
	CHECK(sys_wk_sleep_again(nonzero, 2, &pg, 1) == -E_BADCAP);   /* and stays so */
	box->step = 4;
	CHECK(child_wait(c) == 0);
}

/* wk_sleep and wk_sleep_again with hostile lengths, addresses and pages:
 * each refused, and a cached program never read through windows it was
 * not checked for. */
static void test_wk_args(void)
{
	static const struct dc_insn win1[] = { DC_INSN(DC_LDWA, 0, 0, 1, 0),   /* reads window 1 */
					       DC_INSN(DC_RETI, 0, 0, 0, 1) };
	static const struct dc_insn yes[] = { DC_INSN(DC_RETI, 0, 0, 0, 1) };
	u64 r = sys_page_alloc(PAGE_ANY), s = sys_page_alloc(PAGE_ANY);
	u32 p = (u32)r, q = (u32)s;
	struct wk_page two[2] = { { CAP_NAME(p, CAP_RW), (u32)(r >> 32) },
				  { CAP_NAME(q, CAP_RW), (u32)(s >> 32) } };
	CHECK(sys_wk_sleep(yes, 0x80000000u, NULL, 0) == -E_INVAL);
	CHECK(sys_wk_sleep(yes, 0xffffffffu, NULL, 0) == -E_INVAL);
	CHECK(sys_wk_sleep(yes, 1, two, 0xffffffffu) == -E_INVAL);
	CHECK(sys_wk_sleep_again(yes, 0xffffffffu, two, 0) == -E_INVAL);
	CHECK(sys_wk_sleep_again(yes, 1, two, 0x80000000u) == -E_INVAL);
	static const u32 bad_va[] = { KSEG0_VA, KSEG1_VA, TOP_WORD, 0xfffffff8u, 0x7ffffffcu };
	for (u32 i = 0; i < ARRAY_SIZE(bad_va); i++) {
		CHECK(sys_wk_sleep((const void *)bad_va[i], 1, NULL, 0) == -E_FAULT);
		CHECK(sys_wk_sleep_again((const void *)bad_va[i], 1, NULL, 0) == -E_FAULT);
		CHECK(sys_wk_sleep(yes, 1, (const void *)bad_va[i], 1) == -E_FAULT);
	}
	/* A program and a page vector that run off a mapped page. */
	u32 edge = edge_page();
	struct dc_insn *prog = (struct dc_insn *)(EDGE_VA + PAGE_SIZE - sizeof(struct dc_insn));
	*prog = yes[0];
	CHECK(sys_wk_sleep(prog, 1, NULL, 0) == 0);                   /* inside: fine */
	CHECK(sys_wk_sleep(prog, 2, NULL, 0) == -E_FAULT);            /* crosses */
	struct wk_page *pv = (struct wk_page *)(EDGE_VA + PAGE_SIZE - sizeof(struct wk_page));
	*pv = two[0];
	CHECK(sys_wk_sleep(yes, 1, pv, 1) == 0);
	CHECK(sys_wk_sleep(yes, 1, pv, 2) == -E_FAULT);
	CHECK(sys_wk_sleep_again(yes, 1, pv, 2) == -E_FAULT);
	edge_page_free(edge);
	/* A program checked with two pages, then offered one: checked again. */
	CHECK(sys_wk_sleep(win1, 2, two, 2) == 0);
	CHECK(sys_wk_sleep_again(win1, 2, two, 1) == -E_INVAL);
	struct wk_page forged[2] = { two[0], { two[1].capname, two[1].capcheck ^ 1 } };
	CHECK(sys_wk_sleep_again(win1, 2, forged, 2) == -E_BADCAP);
	struct wk_page kernel[2] = { two[0], { CAP_NAME(0, CAP_R), 0 } };   /* page 0: the kernel's */
	CHECK(sys_wk_sleep_again(win1, 2, kernel, 2) == -E_BADCAP);
	CHECK(sys_page_unref(p) == 0 && sys_page_unref(q) == 0);
	CHECK(sys_wk_sleep_again(win1, 2, two, 2) == -E_BADCAP);      /* freed since */
}

/* --- tlbwr_vec at the edges --------------------------------------------------- */

static volatile u32 faults;
static int fault_skip(struct vm_fault *f)
{
	faults++;
	exos_skip(f->frame);
	return 0;
}

/* An unaligned vector (read a byte at a time), a vector whose second chunk
 * of 16 runs into an unmapped page (the first chunk done, -E_FAULT), counts
 * that overflow n * 12, and vectors in kernel memory. */
static void test_tlbwr_vec_edges(void)
{
	const u32 va = 0x36000000;
	u64 r = sys_page_alloc(PAGE_ANY);
	u32 p = (u32)r, check = (u32)(r >> 32), name = CAP_NAME(p, CAP_RW);
	static u8 raw[sizeof(struct tlbwr_req) + 1];
	struct tlbwr_req one = { va | VA_W, name, check };
	__builtin_memcpy(raw + 1, &one, sizeof one);
	CHECK(sys_tlbwr_vec(raw + 1, 1) == 0);                         /* unaligned: fine */
	*(volatile u32 *)va = 0xabcd;
	CHECK(sys_tlbvadelete(va) == 0);
	u32 edge = edge_page();
	struct tlbwr_req *v = (struct tlbwr_req *)(EDGE_VA + PAGE_SIZE - 16 * sizeof *v);
	for (u32 i = 0; i < 16; i++)
		v[i] = (struct tlbwr_req){ (va + i * PAGE_SIZE) | VA_W, name, check };
	CHECK(sys_tlbwr_vec(v, 20) == -E_FAULT);        /* entries 16.. are past the page */
	CHECK(vm_set_handler(va, 17 * PAGE_SIZE, fault_skip) == 0);
	faults = 0;
	CHECK(*(volatile u32 *)(va + 15 * PAGE_SIZE) == 0xabcd);       /* the first 16 done */
	CHECK(faults == 0);
	(void)*(volatile u32 *)(va + 16 * PAGE_SIZE);                  /* nothing after */
	CHECK(faults == 1);
	vm_set_handler(va, 17 * PAGE_SIZE, NULL);
	for (u32 i = 0; i < 16; i++)
		sys_tlbvadelete(va + i * PAGE_SIZE);
	edge_page_free(edge);
	CHECK(sys_tlbwr_vec(&one, 0x80000000u) == -E_INVAL);
	CHECK(sys_tlbwr_vec(&one, 0x15555556u) == -E_INVAL);           /* n * 12 wraps to 8 */
	CHECK(sys_tlbwr_vec(&one, 0xffffffffu) == -E_INVAL);
	CHECK(sys_tlbwr_vec((void *)KSEG1_VA, 1) == -E_FAULT);
	CHECK(sys_tlbwr_vec((void *)TOP_WORD, 1) == -E_FAULT);
	CHECK(sys_page_unref(p) == 0);
}

/* --- the network, the disk and XN with no device ------------------------------- */

/* Every network call with hostile arguments on a board with no NIC: no NIC
 * index is valid; the calls that need none (the notification word, the
 * DPF_NONIC table) check their own arguments. */
static void test_net_no_nic(void)
{
	u64 r = sys_page_alloc(PAGE_ANY);
	u32 p = (u32)r, check = (u32)(r >> 32), name = CAP_NAME(p, CAP_RW);
	static const u32 nics[] = { 0, 1, NET_MAXNIC - 1, NET_MAXNIC, 0xffffffffu };
	static const struct dc_insn yes[] = { DC_INSN(DC_RETI, 0, 0, 0, 1) };
	for (u32 i = 0; i < ARRAY_SIZE(nics); i++) {
		u32 n = nics[i];
		CHECK(sys_net_info(n, (void *)KSEG0_VA) == -E_INVAL);
		CHECK(sys_net_filter(n, yes, 1) == -E_INVAL);
		CHECK(sys_net_post(n, name, check, NET_OFFLEN(0, 512)) == -E_INVAL);
		CHECK(sys_net_post_ring(n, name, check, NET_OFFLEN(0, 512)) == -E_INVAL);
		CHECK(sys_net_post_ring(n, name, check ^ 1, 0xffffffffu) == -E_INVAL);
		CHECK(sys_net_unpost(n) == -E_INVAL);
		CHECK(sys_net_tx(n, name, check, NET_OFFLEN(0, 60)) == -E_INVAL);
		CHECK(sys_net_dpf_del(n, 0) == -E_INVAL);
		CHECK(sys_ash_add(n, 0, (void *)KSEG0_VA) == -E_INVAL);
	}
	CHECK(sys_ash_del(0) == -E_INVAL && sys_ash_del(0xffffffffu) == -E_INVAL);
	CHECK(sys_ash_status(ASH_MAX, (void *)KSEG0_VA) == -E_INVAL);
	/* The DPF_NONIC table: filters from unreadable memory, ids past it. */
	CHECK(sys_net_dpf_add(DPF_NONIC, (void *)KSEG0_VA) == -E_FAULT);
	CHECK(sys_net_dpf_add(DPF_NONIC, (void *)TOP_WORD) == -E_FAULT);
	CHECK(sys_net_dpf_del(DPF_NONIC, DPF_MAXFILT) == -E_INVAL);
	CHECK(sys_net_dpf_del(DPF_NONIC, 0xffffffffu) == -E_INVAL);
	CHECK(sys_net_demux(DPF_NONIC | 1 << 16, name, check, NET_OFFLEN(4095, 2)) == -E_INVAL);
	CHECK(sys_net_demux(DPF_NONIC | 9 << 8 | 1 << 16, name, check, NET_OFFLEN(0, 60)) == -E_INVAL);
	/* The notification word: any capability is checked, ranges too. */
	CHECK(sys_net_notify(name, check ^ 1, 0) == -E_BADCAP);
	CHECK(sys_net_notify(name, check, 4094) == -E_INVAL);
	CHECK(sys_net_notify(name, check, 0xfffffffcu) == -E_INVAL);
	CHECK(sys_net_notify(name, check, PAGE_SIZE - 4) == 0);
	CHECK(sys_net_notify(0, 0, 0) == 0);
	CHECK(sys_page_unref(p) == 0);
}

/* Every disk call with hostile arguments on a board with no disk. */
static void test_disk_no_disk(void)
{
	CHECK(sys_disk_info((void *)KSEG0_VA) == -E_NOENT);
	CHECK((int)(u32)sys_disk_alloc(0, 1) == -E_NOENT);
	CHECK((int)(u32)sys_disk_alloc(0xffffffffu, 0xffffffffu) == -E_NOENT);
	CHECK((int)(u32)sys_disk_derive(0xffffffffu, 0) == -E_BADCAP);
	CHECK(sys_disk_free(0, 0) == -E_BADCAP);
	CHECK(sys_disk_rw((void *)KSEG0_VA) == -E_NOENT);
	struct disk_req rq = { DISK_READ, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0 };
	CHECK(sys_disk_rw(&rq) == -E_NOENT);
}

/* The templates of test_xn_no_disk: owns reports nothing, acl allows,
 * size says 64 bytes. */
static const struct dc_insn ret0[] = { DC_INSN(DC_RETI, 0, 0, 0, 0) };
static const struct dc_insn ret1[] = { DC_INSN(DC_RETI, 0, 0, 0, 1) };
static const struct dc_insn ret64[] = { DC_INSN(DC_RETI, 0, 0, 0, 64) };
static const struct xn_tmpl plain = { ret0, 1, ret1, 1, ret64, 1 };

/* M_XN_TYPES: register templates until refused: how many, and the error. */
static int child_xn_types(struct box *b)
{
	int last = 0;
	u32 got = 0;
	for (u32 i = 0; i < 2 * XN_MAXTYPES && last >= 0; i++) {
		last = sys_xn_type_add(&plain);
		got += last > 0;
	}
	b->word[0] = got;
	b->word[1] = (u32)last;
	return 0;
}

/* Every XN call with hostile arguments on a board with no disk: blocks,
 * names, secrets and buffers at kernel addresses, past the top, across
 * into an unmapped page. Templates need no disk: a child fills the table,
 * and once it has gone a second child gets exactly as many. */
static void test_xn_no_disk(void)
{
	struct xn_stat st;
	CHECK(sys_xn_stat(&st) == 0 && st.blocks == 0 && st.roots == 0 && st.area == 0);
	static const u32 bad_va[] = { 0, KSEG0_VA, KSEG1_VA, TOP_WORD, 0x7ffffffcu };
	for (u32 i = 0; i < ARRAY_SIZE(bad_va); i++) {
		const void *a = (const void *)bad_va[i];
		CHECK(sys_xn_stat((void *)a) == -E_FAULT);
		CHECK(sys_xn_type_add(a) == -E_FAULT);
		CHECK(sys_xn_update(a) == -E_FAULT);
		CHECK(sys_xn_io(a) == -E_FAULT);
		CHECK(sys_xn_root_find(a) == -E_FAULT);
		CHECK(sys_xn_root_attach(a) == -E_FAULT);
		CHECK(sys_xn_bc(0, (void *)a, 1) == -E_FAULT);
		CHECK(sys_xn_root(a) == -E_NOENT);                     /* no disk: first */
	}
	static const u32 blocks[] = { 0, 1, XN_MAXDISK - 1, XN_MAXDISK, 0x7fffffffu, 0xffffffffu };
	u32 secret[4] = { 1, 2, 3, 4 };
	struct xn_entry e;
	for (u32 i = 0; i < ARRAY_SIZE(blocks); i++) {
		CHECK(sys_xn_bc_find(blocks[i], &e) == -E_NOENT);
		CHECK(sys_xn_bc_find(blocks[i], (void *)KSEG0_VA) == -E_NOENT);
		CHECK(sys_xn_root_free(blocks[i]) == -E_NOENT);
		CHECK(sys_xn_root_keep(blocks[i], secret) == -E_NOENT);
		CHECK(sys_xn_root_keep(blocks[i], (void *)KSEG0_VA) == -E_NOENT);
		struct xn_upd u = { blocks[i], XN_ALLOC, blocks[i], 0x101, 0, 8, secret, 0 };
		CHECK(sys_xn_update(&u) == -E_NOENT);
		struct xn_io io = { XN_READ, blocks[i], 0, 0, 0, 0, 0, 0 };
		CHECK(sys_xn_io(&io) == -E_NOENT);
	}
	CHECK(sys_xn_bc(XN_MAXBLOCKS, &e, 1) == -E_INVAL);
	CHECK(sys_xn_bc(0xffffffffu, &e, 2) == -E_INVAL);
	CHECK(sys_xn_bc(1, &e, 0xffffffffu) == -E_INVAL);
	CHECK(sys_xn_bc(XN_MAXBLOCKS - 1, &e, 1) == 1 && e.block == 0xffffffffu);
	/* Names: all 16 bytes used (no NUL), empty, bytes after the NUL, and
	 * one that runs off a mapped page. */
	struct xn_attach full = { "0123456789abcdef", { 0, 0, 0, 0 } };
	CHECK(sys_xn_root_attach(&full) == -E_NOENT);
	CHECK(sys_xn_root_find(full.name) == -E_NOENT);
	struct xn_attach empty = { "", { 0, 0, 0, 0 } }, after = { "a\0b", { 0, 0, 0, 0 } };
	CHECK(sys_xn_root_attach(&empty) == -E_INVAL && sys_xn_root_attach(&after) == -E_INVAL);
	u32 edge = edge_page();
	char *name = (char *)(EDGE_VA + PAGE_SIZE - 8);
	__builtin_memcpy(name, "abcdefg", 8);
	CHECK(sys_xn_root_find(name) == -E_FAULT);
	CHECK(sys_xn_stat((void *)(EDGE_VA + PAGE_SIZE - 8)) == -E_FAULT);
	CHECK(sys_xn_bc(0, (void *)(EDGE_VA + PAGE_SIZE - 8), 1) == -E_FAULT);
	edge_page_free(edge);
	/* Templates: malformed ones, then the table filled by two children in turn. */
	struct xn_tmpl t = plain;
	t.nowns = 0xffffffffu;
	CHECK(sys_xn_type_add(&t) == -E_INVAL);
	t = plain, t.acl = (const void *)KSEG1_VA;
	CHECK(sys_xn_type_add(&t) == -E_FAULT);
	CHECK(child_wait(child_spawn(M_XN_TYPES, NULL)) == 0);
	u32 first = box->word[0];
	int why = (int)box->word[1];
	CHECK(first > 0 && first <= XN_MAXTYPES && (why == -E_NOMEM || why == -E_QUOTA));
	CHECK(child_wait(child_spawn(M_XN_TYPES, NULL)) == 0);
	CHECK(box->word[0] == first && (int)box->word[1] == why);   /* all given back */
	CHECK((u32)sys_env_usage(0, LIM_XN) == 0);
}

const struct utest call_tests[] = {
	{ "wk_victim_page", test_wk_victim_page },
	{ "wk_args", test_wk_args },
	{ "tlbwr_vec_edges", test_tlbwr_vec_edges },
	{ "net_no_nic", test_net_no_nic },
	{ "disk_no_disk", test_disk_no_disk },
	{ "xn_no_disk", test_xn_no_disk },
};
const int n_call_tests = ARRAY_SIZE(call_tests);

int call_child(u32 mode)
{
	struct box *b = (struct box *)BOX_VA;
	switch (mode) {
	case M_WK_VICTIM: return child_wk_victim(b);
	case M_XN_TYPES: return child_xn_types(b);
	}
	return 99;
}
