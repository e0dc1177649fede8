/* captreetests.c: derived page capabilities (cap_new, cap_revoke, cap_drop;
 * docs/capabilities.md). Each test uses the trees and tries to misuse them:
 * more rights than the parent, forged names, durable arrangements made with
 * a derived capability, a mapping that outlives its capability. */
#include "utest.h"

#define VA_DATA  0x31000000u    /* the page, through ExOS's page table (root RW) */
#define VA_TREE  0x31002000u    /* the page, through raw tlbwr with derived capabilities */
#define CHILD_SHARE 0x6000u     /* where spin mode 10 finds the shared page */

struct cap { u32 name, check; };

static struct cap cap_of(u64 r) { return (struct cap){ (u32)r, (u32)(r >> 32) }; }
static struct cap derive(struct cap c, u32 rights) { return cap_of(sys_cap_new(c.name, c.check, rights)); }
static int map(u32 va_flags, struct cap c) { return sys_tlbwr(va_flags, c.name, c.check); }

static volatile int faults;     /* changed by the fault handler */
static int count_and_skip(struct vm_fault *f)
{
	faults++;
	exos_skip(f->frame);
	return 0;
}

/* A fresh page mapped at VA_DATA holding a pattern; its RW root. */
static struct cap new_page(void)
{
	struct cap root = cap_of(sys_page_alloc(PAGE_ANY));
	CHECK((int)root.name > 0);
	CHECK(vm_map_page(VA_DATA, root.name, root.check, VM_RW) == 0);
	*(volatile u32 *)VA_DATA = 0xcafe0001;
	root.name = CAP_NAME(root.name, CAP_RW);
	return root;
}

static void drop_page(struct cap root)
{
	CHECK(vm_unmap(VA_DATA, 1, true) == 0);
	CHECK(sys_page_unref(CAP_PPN(root.name)) == -E_PERM);   /* it was the last holder */
}

/* Deriving: names, rights never grow, and only the tlbwr family takes a
 * derived capability (holding and guaranteed mappings need a root). */
static void test_derive(void)
{
	struct cap root = new_page();
	u32 ppn = CAP_PPN(root.name);
	struct cap r1 = derive(root, CAP_R);
	CHECK((r1.name & CAP_TREE) && CAP_RIGHTS(r1.name) == (CAP_TREE | CAP_R));
	CHECK(map(VA_TREE | VA_W, r1) == -E_BADCAP);              /* read-only */
	CHECK(map(VA_TREE, r1) == 0 && *(volatile u32 *)VA_TREE == 0xcafe0001);
	CHECK((int)derive(r1, CAP_RW).name == -E_PERM);
	CHECK((int)derive(root, 0).name == -E_INVAL);
	CHECK((int)derive(root, CAP_W).name == -E_INVAL);
	CHECK((int)derive(root, 7).name == -E_INVAL);
	struct cap rw1 = derive(root, CAP_RW);
	CHECK(map(VA_TREE | VA_W, rw1) == 0);
	*(volatile u32 *)VA_TREE = 0xcafe0002;
	CHECK(*(volatile u32 *)VA_DATA == 0xcafe0002);
	CHECK(sys_page_grant(0, rw1.name, rw1.check) == -E_PERM);
	CHECK(sys_gmap_add(0, VA_TREE | VA_W, rw1.name, rw1.check) == -E_PERM);
	CHECK((int)(u32)sys_cap_derive(rw1.name, rw1.check, CAP_R) == -E_PERM);
	CHECK(sys_cap_drop(root.name, root.check) == -E_PERM);   /* page_unref is for roots */
	CHECK(sys_tlbvadelete(VA_TREE) == 0);
	CHECK(sys_kcheck(0) == 0);
	drop_page(root);
	CHECK(map(VA_TREE, r1) == -E_BADCAP && map(VA_TREE, rw1) == -E_BADCAP);
	CHECK((u32)sys_page_alloc(ppn) == ppn);                  /* the same page, new secrets */
	CHECK(map(VA_TREE, r1) == -E_BADCAP);
	sys_page_unref(ppn);
	CHECK(sys_kcheck(0) == 0);
}

/* A forged or stale derived name never works, and each try is counted. */
static void test_forge(void)
{
	struct cap root = new_page(), r1 = derive(root, CAP_R);
	u32 before = (u32)sys_capfails();
	struct cap bad[] = {
		{ r1.name, r1.check ^ 1 },
		{ r1.name + (1u << 16), r1.check },                  /* the next generation */
		{ r1.name ^ (1u << 4), r1.check },                   /* another entry */
		{ r1.name | CAP_W, r1.check },                       /* rights in the name */
		{ r1.name & ~(u32)CAP_TREE, r1.check },              /* as a root */
	};
	for (u32 i = 0; i < ARRAY_SIZE(bad); i++)
		CHECK(map(VA_TREE, bad[i]) == -E_BADCAP);
	CHECK((u32)sys_capfails() >= before + ARRAY_SIZE(bad));
	CHECK(sys_cap_drop(r1.name, r1.check) == 0);
	CHECK(map(VA_TREE, r1) == -E_BADCAP);                    /* dropped */
	CHECK(sys_cap_drop(r1.name, r1.check) == -E_BADCAP);
	CHECK((int)derive(r1, CAP_R).name == -E_BADCAP);
	drop_page(root);
}

/* Dominance: revoking a capability kills everything below it, not itself
 * and not its siblings; the RW root dominates the R root; a mapping made
 * with a killed capability is gone (the next access faults), while the
 * root's own mapping comes back at its next miss. */
static void test_revoke(void)
{
	struct cap root = new_page();
	u32 ppn = CAP_PPN(root.name);
	struct cap a = derive(root, CAP_RW), b = derive(root, CAP_R);
	struct cap a1 = derive(a, CAP_R), a11 = derive(a1, CAP_R);
	CHECK(sys_cap_revoke(a.name, a.check) == 0);
	CHECK(map(VA_TREE, a1) == -E_BADCAP && map(VA_TREE, a11) == -E_BADCAP);
	CHECK(map(VA_TREE, a) == 0 && map(VA_TREE, b) == 0);

	struct cap rroot = cap_of(sys_cap_derive(root.name, root.check, CAP_R));
	struct cap c = derive(rroot, CAP_R);
	CHECK(sys_cap_revoke(rroot.name, rroot.check) == 0);    /* only below the R root */
	CHECK(map(VA_TREE, c) == -E_BADCAP && map(VA_TREE, b) == 0 && map(VA_TREE, rroot) == 0);

	CHECK(vm_set_handler(VA_TREE, PAGE_SIZE, count_and_skip) == 0);
	faults = 0;
	CHECK(map(VA_TREE, b) == 0 && *(volatile u32 *)VA_TREE == 0xcafe0001 && faults == 0);
	CHECK(sys_cap_revoke(root.name, root.check) == 0);      /* everything of the page */
	CHECK(map(VA_TREE, a) == -E_BADCAP && map(VA_TREE, b) == -E_BADCAP);
	CHECK(map(VA_TREE, rroot) == -E_BADCAP);                 /* the R root has a new secret */
	(void)*(volatile u32 *)VA_TREE;
	CHECK(faults == 1);                                      /* b's mapping went with b */
	CHECK(*(volatile u32 *)VA_DATA == 0xcafe0001);           /* the root's comes back */
	struct cap rroot2 = cap_of(sys_cap_derive(root.name, root.check, CAP_R));
	CHECK(rroot2.name == CAP_NAME(ppn, CAP_R) && rroot2.check != rroot.check);
	CHECK(map(VA_TREE, rroot2) == 0 && *(volatile u32 *)VA_TREE == 0xcafe0001);
	CHECK(sys_tlbvadelete(VA_TREE) == 0);
	vm_set_handler(VA_TREE, PAGE_SIZE, NULL);
	CHECK(sys_kcheck(0) == 0);
	drop_page(root);
}

/* Bounds: trees are CT_DEPTH (8) levels deep counting the root, and an
 * environment has PCAP_PER_ENV (32) derived capabilities alive at once; the
 * quota comes back when they die. */
static void test_limits(void)
{
	struct cap root = new_page(), c = root;
	int depth = 0;
	for (int i = 0; i < 20; i++) {
		struct cap d = derive(c, CAP_R);
		if ((int)d.name < 0) {
			CHECK((int)d.name == -E_NOMEM);
			break;
		}
		c = d;
		depth++;
	}
	CHECK(depth == 7);
	CHECK(sys_cap_revoke(root.name, root.check) == 0);
	struct cap all[32];
	for (int i = 0; i < 32; i++) {
		all[i] = derive(root, CAP_R);
		CHECK((int)all[i].name > 0);
	}
	CHECK((int)derive(root, CAP_R).name == -E_QUOTA);
	CHECK(sys_cap_drop(all[5].name, all[5].check) == 0);
	all[5] = derive(root, CAP_R);
	CHECK((int)all[5].name > 0);
	CHECK(map(VA_TREE, all[5]) == 0 && sys_tlbvadelete(VA_TREE) == 0);
	CHECK(sys_kcheck(0) == 0);
	drop_page(root);                                         /* all 32 die with the page */
	root = new_page();
	for (int i = 0; i < 32; i++)
		CHECK((int)derive(root, CAP_R).name > 0);
	CHECK(sys_kcheck(0) == 0);
	drop_page(root);
}

/* Regions' capabilities live in the same table: each kind answers only for
 * its own calls, and cap_revoke / cap_drop work on regions too. */
static void test_kinds(void)
{
	struct cap root = new_page(), p = derive(root, CAP_R);
	struct cap r = cap_of(sys_sr_alloc(16));
	CHECK((int)r.name > 0);
	struct cap r1 = cap_of(sys_sr_derive(r.name, r.check, 0 << 16 | 8, SR_R));
	struct cap r2 = cap_of(sys_sr_derive(r1.name, r1.check, 0 << 16 | 4, SR_R));
	char buf[8];
	CHECK(map(VA_TREE, r) == -E_BADCAP);                     /* a region is no page */
	CHECK(sys_sr_read(p.name, p.check, 0 << 16 | 4, buf) == -E_BADCAP);
	CHECK((int)derive(r, CAP_R).name == -E_INVAL);
	CHECK(sys_cap_drop(r.name, r.check) == -E_PERM);         /* sr_free is for the root */
	CHECK(sys_cap_revoke(r1.name, r1.check) == 0);
	CHECK(sys_sr_read(r2.name, r2.check, 0 << 16 | 4, buf) == -E_BADCAP);
	CHECK(sys_sr_read(r1.name, r1.check, 0 << 16 | 4, buf) == 4);
	CHECK(sys_cap_drop(r1.name, r1.check) == 0);
	CHECK(sys_sr_read(r1.name, r1.check, 0 << 16 | 4, buf) == -E_BADCAP);
	CHECK(sys_sr_free(r.name, r.check) == 0);
	CHECK(sys_kcheck(0) == 0);
	drop_page(root);
}

/* A derived capability dies with the environment that made it, even though
 * the page (the parent's) lives on: a child derives one from the parent's
 * root and hands it back; once the child is gone it no longer works. */
static void test_dies_with_creator(void)
{
	const u32 share_va = 0x31004000;
	struct cap root = new_page();
	struct exos_share share = utest_new_shared_page(share_va, CHILD_SHARE);
	volatile u32 *box = (volatile u32 *)share_va;
	for (int i = 0; i < 8; i++)
		box[i] = 0;
	box[3] = root.name;
	box[4] = root.check;
	int child = exos_spawn_with("spin", 10 | exos_envid << 8, &share, 1);
	CHECK(child > 0);
	for (int i = 0; i < 2000 && !box[2]; i++)
		sys_yield();
	CHECK(box[2] == 1);
	struct cap theirs = { box[5], box[6] };
	CHECK(map(VA_TREE, theirs) == 0 && *(volatile u32 *)VA_TREE == 0xcafe0001);
	CHECK(map(VA_TREE | VA_W, theirs) == -E_BADCAP);         /* it asked for CAP_R */
	CHECK(sys_env_destroy((u32)child) == 0);
	int st;
	exos_wait((u32)child, &st);
	CHECK(map(VA_TREE, theirs) == -E_BADCAP);
	CHECK(*(volatile u32 *)VA_DATA == 0xcafe0001);
	CHECK(sys_tlbvadelete(VA_TREE) == 0);
	CHECK(sys_kcheck(0) == 0);
	vm_unmap(share_va, 1, true);
	drop_page(root);
}

const struct utest cap_tests[] = {
	{ "pcap_derive", test_derive },
	{ "pcap_forge", test_forge },
	{ "pcap_revoke", test_revoke },
	{ "pcap_limits", test_limits },
	{ "pcap_kinds", test_kinds },
	{ "pcap_dies_with_creator", test_dies_with_creator },
};
const int n_cap_tests = ARRAY_SIZE(cap_tests);
