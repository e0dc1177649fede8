/*
 * test_dpf.c: host-side unit tests of the dynamic packet filters
 * (aegis/dpf.c, dpf_rand.c) under ASan/UBSan: the filter checker, the
 * overlap ("lie") check, and the merged tree (its dcode program run by the
 * dcode interpreter) against the filters matched one by one, on many random
 * filter sets and frames. The compiled tree runs on the board (nettest's
 * dpf_compiled_vs_interp). Prints KTAP.
 */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include "../aegis/dpf.h"
#include "ktap.h"

static struct dpf_table tab;

/* An IPv4 UDP (proto 17) or TCP (6) filter for destination port port. */
static struct dpf_filter port_filter(u32 proto, u32 port)
{
	struct dpf_filter f = { 3, 2, 14, 0x0f, { 0, 0, 0 }, {
		{ 12, 2, 0, 0xffff, 0x0800 },
		{ 23, 1, 0, 0xff, proto },
		{ 16, 2, DPF_IND, 0xffff, port } } };
	return f;
}

static void test_check(void)
{
	struct dpf_filter f = port_filter(17, 53), o;
	CHECK(dpf_check(&f, &o) == 0);
	/* canonical: the atoms sorted, whatever order they came in */
	struct dpf_filter g = f;
	g.atoms[0] = f.atoms[2];
	g.atoms[2] = f.atoms[0];
	struct dpf_filter o2;
	CHECK(dpf_check(&g, &o2) == 0 && memcmp(&o, &o2, sizeof o) == 0);
	struct dpf_filter bad[14];
	for (int i = 0; i < 14; i++)
		bad[i] = f;
	bad[0].natoms = 0;
	bad[1].natoms = DPF_MAXATOMS + 1;
	bad[2].atoms[0].width = 3;
	bad[3].atoms[0].mask = 0;
	bad[4].atoms[1].mask = 0x1ff;           /* wider than 1 byte */
	bad[5].atoms[0].val = 0x10800;          /* outside the mask */
	bad[6].atoms[0].off = NET_FRAME_MAX - 1;/* past the largest frame */
	bad[7].atoms[0].flags = 2;
	bad[8].ind_mask = 0;                    /* DPF_IND without an indirection */
	bad[9].ind_shift = 8;
	bad[10].atoms[2].flags = 0;             /* an indirection no atom uses */
	bad[11].pad[1] = 1;
	bad[12].atoms[1] = bad[12].atoms[0];    /* one key twice */
	bad[13].ind_off = NET_FRAME_MAX;
	for (int i = 0; i < 14; i++) {
		int rc = dpf_check(&bad[i], &o);
		if (rc != -E_INVAL)
			printf("# bad filter %d accepted\n", i);
		CHECK(rc == -E_INVAL);
	}
}

/* The stealing scenario of docs/network.md, on a table. */
static void test_lie(void)
{
	dpf_init(&tab);
	struct dpf_filter victim = port_filter(17, 53);
	CHECK(dpf_add(&tab, &victim) == 0);
	/* the same filter */
	CHECK(dpf_add(&tab, &victim) == -E_BUSY);
	/* more general: all of IPv4; or port 53 of any protocol */
	struct dpf_filter gen = victim;
	gen.natoms = 1;
	gen.ind_off = gen.ind_mask = gen.ind_shift = 0;
	CHECK(dpf_add(&tab, &gen) == -E_BUSY);
	gen = victim;
	gen.atoms[1] = gen.atoms[2];
	gen.natoms = 2;
	CHECK(dpf_add(&tab, &gen) == -E_BUSY);
	/* more specific: port 53 to one IP address; a half-masked port */
	struct dpf_filter spec = victim;
	spec.atoms[3] = (struct dpf_atom){ 30, 4, 0, 0xffffffffu, 0x0a000002u };
	spec.natoms = 4;
	CHECK(dpf_add(&tab, &spec) == -E_BUSY);
	spec = victim;
	spec.atoms[2].mask = 0x00ff;
	spec.atoms[2].val = 53;
	CHECK(dpf_add(&tab, &spec) == -E_BUSY);
	/* the port through another indirection (mask 0x0e): cannot be compared,
	 * so refused although it is not the victim's */
	spec = victim;
	spec.ind_mask = 0x0e;
	spec.atoms[2].val = 54;
	CHECK(dpf_add(&tab, &spec) == -E_BUSY);
	/* disjoint: another port, TCP port 53, ARP */
	struct dpf_filter ok1 = port_filter(17, 54), ok2 = port_filter(6, 53);
	struct dpf_filter arp = { 1, 0, 0, 0, { 0, 0, 0 }, { { 12, 2, 0, 0xffff, 0x0806 } } };
	CHECK(dpf_add(&tab, &ok1) == 1);
	CHECK(dpf_add(&tab, &ok2) == 2);
	CHECK(dpf_add(&tab, &arp) == 3);
	/* removed, the port is free again */
	CHECK(dpf_del(&tab, 0) == 0);
	CHECK(dpf_del(&tab, 0) == -E_INVAL);
	CHECK(dpf_del(&tab, DPF_MAXFILT) == -E_INVAL);
	CHECK(dpf_add(&tab, &spec) == -E_BUSY);   /* still: ok1 has the same indirect byte */
	CHECK(dpf_add(&tab, &victim) == 0);
}

static u8 frame[NET_FRAME_MAX];

/* Random filter sets and frames: the tree (dcode interpreter) and the
 * filters one by one agree, at most one filter accepts any frame, and a
 * filter refused as overlapping is, in the frames drawn, never seen to
 * accept a frame another accepts... the converse (no frame accepted by two
 * installed filters) is what is checked. */
static void test_tree_vs_linear(void)
{
	u32 seed = 12345, frames = 0, matched = 0, installed = 0, refused = 0, maxprog = 0;
	for (int round = 0; round < 300; round++) {
		dpf_init(&tab);
		u32 want = 1 + seed % 60;
		for (u32 k = 0; k < want; k++) {
			struct dpf_filter f;
			dpf_random_filter(&f, &seed);
			int id = dpf_add(&tab, &f);
			CHECK(id >= 0 || id == -E_BUSY || id == -E_INVAL);
			if (id >= 0)
				installed++;
			else
				refused++;
			if (id >= 0 && seed % 5 == 0)
				CHECK(dpf_del(&tab, (u32)id) == 0);
		}
		if (tab.nprog > maxprog)
			maxprog = tab.nprog;
		CHECK(dc_check(tab.prog, tab.nprog, &dpf_rules) == 0);
		for (int k = 0; k < 200; k++) {
			const struct dpf_filter *f = NULL;
			if (tab.n && k % 4)
				f = &tab.f[tab.order[seed % tab.n]];
			u32 len = dpf_random_frame(frame, sizeof frame, f, &seed);
			u32 a = dpf_linear(&tab, frame, len), b = dpf_tree_interp(&tab, frame, len);
			u32 hits = 0;
			for (u32 i = 0; i < tab.n; i++)
				hits += dpf_match(&tab.f[tab.order[i]], frame, len);
			CHECK(hits <= 1);
			if (a != b) {
				printf("# round %d frame %d: linear %u tree %u\n", round, k, a, b);
				failed_checks++;
				return;
			}
			frames++;
			matched += a != 0;
		}
	}
	printf("# %u frames, %u accepted; %u filters installed, %u refused; longest tree %u insns\n",
	       frames, matched, installed, refused, maxprog);
	CHECK(matched > frames / 3 && refused > 100 && installed > 1000);
}

/* Pairs of random filters: when dpf_disjoint says they are, no frame built
 * to match one matches the other. */
static void test_disjoint_sound(void)
{
	u32 seed = 777, pairs = 0, disjoint = 0;
	for (int i = 0; i < 20000; i++) {
		struct dpf_filter a, b, ca, cb;
		dpf_random_filter(&a, &seed);
		dpf_random_filter(&b, &seed);
		if (dpf_check(&a, &ca) || dpf_check(&b, &cb))
			continue;
		pairs++;
		bool d = dpf_disjoint(&ca, &cb);
		CHECK(d == dpf_disjoint(&cb, &ca));
		if (!d)
			continue;
		disjoint++;
		for (int k = 0; k < 8; k++) {
			u32 len = dpf_random_frame(frame, sizeof frame, k % 2 ? &ca : &cb, &seed);
			CHECK(!(dpf_match(&ca, frame, len) && dpf_match(&cb, frame, len)));
		}
	}
	printf("# %u pairs, %u found disjoint\n", pairs, disjoint);
	CHECK(disjoint > pairs / 4);
}

/* 500 UDP ports: they fit, and the tree finds each. */
static void test_500_ports(void)
{
	dpf_init(&tab);
	for (u32 p = 0; p < 500; p++) {
		struct dpf_filter f = port_filter(17, 1000 + p);
		CHECK(dpf_add(&tab, &f) == (int)p);
	}
	printf("# 500 port filters: %u insns\n", tab.nprog);
	memset(frame, 0, 64);
	frame[12] = 8, frame[14] = 0x45, frame[23] = 17;
	for (u32 p = 990; p < 1510; p++) {
		frame[36] = (u8)(p >> 8), frame[37] = (u8)p;
		u32 want = p >= 1000 && p < 1500 ? p - 1000 + 1 : 0;
		CHECK(dpf_tree_interp(&tab, frame, 60) == want);
		CHECK(dpf_linear(&tab, frame, 60) == want);
		CHECK(dpf_tree_interp(&tab, frame, 37) == 0);   /* port cut off */
	}
	/* a table too big for the tree: refused, and left as it was */
	u32 before = tab.nprog;
	struct dpf_filter f = port_filter(6, 1);
	CHECK(dpf_add(&tab, &f) >= 0 || tab.nprog == before);
}

/* A frame too short for one branch of the tree must not end the whole
 * tree: A's second atom (byte 40) is tested before B's branch is reached,
 * and the frame, 38 bytes, ends before it; B accepts the frame. */
static void test_short_frame(void)
{
	dpf_init(&tab);
	struct dpf_filter a = { 3, 2, 14, 0x0f, { 0, 0, 0 }, {
		{ 10, 1, 0, 0xff, 7 }, { 40, 1, 0, 0xff, 9 }, { 16, 2, DPF_IND, 0xffff, 53 } } };
	struct dpf_filter b = { 2, 2, 14, 0x0f, { 0, 0, 0 }, {
		{ 12, 1, 0, 0xff, 8 }, { 16, 2, DPF_IND, 0xffff, 54 } } };
	CHECK(dpf_add(&tab, &a) == 0);
	CHECK(dpf_add(&tab, &b) == 1);
	memset(frame, 0, 64);
	frame[10] = 7, frame[12] = 8, frame[14] = 0x45, frame[36] = 0, frame[37] = 54;
	CHECK(dpf_linear(&tab, frame, 38) == 2);
	CHECK(dpf_tree_interp(&tab, frame, 38) == 2);
	CHECK(dpf_tree_interp(&tab, frame, 37) == 0);
	frame[40] = 9, frame[37] = 53;                        /* and A's own frame */
	CHECK(dpf_tree_interp(&tab, frame, 41) == 1 && dpf_linear(&tab, frame, 41) == 1);
	CHECK(dpf_tree_interp(&tab, frame, 40) == 0);
}

int main(void)
{
	static const struct unit_test tests[] = {
		{ "dpf_check", test_check },
		{ "dpf_lie", test_lie },
		{ "dpf_tree_vs_linear", test_tree_vs_linear },
		{ "dpf_disjoint_sound", test_disjoint_sound },
		{ "dpf_500_ports", test_500_ports },
		{ "dpf_short_frame", test_short_frame },
	};
	return ktap_run(tests, (int)(sizeof tests / sizeof tests[0]));
}
