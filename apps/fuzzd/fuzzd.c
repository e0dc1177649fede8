/*
 * fuzzd: the fuzzing driver (`make fuzz`; a short run in `make test`). Boot
 * with `init=fuzzd kcheck fuzz.seed=S fuzz.rounds=R fuzz.kids=K
 * fuzz.calls=N`. Each round starts K hostile children (apps/fuzz) that make
 * N random system calls each, sharing a board page so that they can aim at
 * each other, under budgets (pages, slice positions, environments). After
 * each child ends (or is destroyed, if it has not finished in time) the
 * kernel's invariant checker must find its tables consistent; after each
 * round every page, slice position and environment slot must be back.
 * Child seeds come from (S, round, child) only, so a run is replayed by its
 * seed (and, under -icount, exactly). Booted with lowmem=N as well, each
 * round's children first take a ballast of pages between them that brings
 * free memory just under the kernel's low-water mark, so the kernel asks
 * these hostile children for pages back (aegis/mempress.c) and takes them
 * by force from those that do not comply, while they make their calls. Prints KTAP: one result per round,
 * then a line FUZZ calls=... rounds=... violations=... for tools/fuzz.py
 * (violations: checks that found the kernel's tables inconsistent).
 */
#include "../fuzz/fuzz.h"

#define FUZZ_LOW_SLACK 256      /* pages below the mark the ballast leaves free memory */

static u32 mix(u32 x)
{
	x ^= x >> 16;
	x *= 0x7feb352d;
	x ^= x >> 15;
	x *= 0x846ca68b;
	return x ^ (x >> 16);
}

int main(void)
{
	if (exos_arg)
		return 0;                                /* the warm-up child below */
	u32 seed = exos_param("fuzz.seed", 1), target = exos_param("fuzz.calls", 20000);
	u32 kids = exos_param("fuzz.kids", 4), calls = exos_param("fuzz.percall", 2000);
	const u32 max_rounds = 100000;
	if (kids < 1 || kids > FUZZ_MAXKIDS)
		kids = 4;
	u64 r = sys_page_alloc(PAGE_ANY);
	u32 bppn = (u32)r, bcheck = (u32)(r >> 32);
	struct fuzz_board *board = (struct fuzz_board *)0x30000000;
	if ((int)bppn < 0 || vm_map_page((u32)board, bppn, bcheck, VM_RW) < 0)
		return 1;
	struct exos_share share = { FUZZ_BOARD_VA, bppn, bcheck };
	u32 limits[NLIMITS] = { [LIM_PAGES] = 3000, [LIM_SLICES] = 2, [LIM_ENVS] = 4, [LIM_FILTERS] = 16,
				[LIM_EXTENTS] = 8, [LIM_ASHS] = 2, [LIM_XN] = 16 };
	u32 lowmem = exos_param("lowmem", 0);
	printf("KTAP version 1\n1..1\n    KTAP version 1\n    # Subtest: fuzz\n");
	printf("    # fuzz: seed %u, %u calls from rounds of %u children, up to %u calls each\n",
	       seed, target, kids, calls);
	/* Spawning reads the initrd into this environment once: do it before
	 * counting pages. */
	int warm = exos_spawn("fuzzd", 1), ws;
	exos_wait((u32)warm, &ws);
	int free0 = sys_pages_free();
	u32 envs0 = (u32)sys_env_usage(0, LIM_ENVS), slices0 = (u32)sys_env_usage(0, LIM_SLICES);
	u32 total = 0, violations = 0, failed = 0, round, found0 = (u32)sys_kcheck(1);
	for (round = 0; total < target && round < max_rounds; round++) {
		for (u32 w = 0; w < sizeof *board / 4; w++)
			((volatile u32 *)board)[w] = 0;
		board->calls = calls;
		if (lowmem) {
			/* The mark as mempress.c sets it; the ballast ends FUZZ_LOW_SLACK
			 * pages below it. */
			u32 total = exos_kinfo()->pages_total, mark = lowmem < total / 2 ? lowmem : total / 2;
			int f = sys_pages_free();
			board->ballast = f > (int)mark ? ((u32)f - mark + FUZZ_LOW_SLACK) / kids : 0;
			limits[LIM_PAGES] = 3000 + board->ballast;
		}
		int child[FUZZ_MAXKIDS];
		u32 cseed[FUZZ_MAXKIDS], bad = 0;
		for (u32 k = 0; k < kids; k++) {
			cseed[k] = mix(seed * 0x9e3779b9u + round * 0x85ebca6bu + k) & 0xffffff;
			child[k] = exos_spawn_opts("fuzz", FUZZ_WITH_BOARD | k << 24 | cseed[k],
						   &share, 1, limits);
			if (child[k] < 0) {
				printf("    # round %u: cannot start child %u: %d\n", round, k, child[k]);
				bad++;
			}
		}
		/* The ballast first (not counted in their time); then they go. */
		for (u32 i = 0, ready = 0; board->ballast && ready < kids && i < 1000000; i++) {
			ready = 0;
			for (u32 k = 0; k < kids; k++)
				ready += child[k] < 0 || board->ready[k] || sys_env_status((u32)child[k]) < 0;
			sys_yield();
		}
		if (board->ballast && round == 0)
			printf("    # lowmem: ballast %u pages a child, %d pages free\n", board->ballast,
			       sys_pages_free());
		board->go = 1;
		/* Let them run; a child that is not done in time (waiting for
		 * ever, or looping in code it jumped into) is destroyed. */
		u32 start = read_count();
		while (read_count() - start < 40 * 100000) {     /* 40 slices of CP0 Count */
			u32 alive = 0;
			for (u32 k = 0; k < kids; k++)
				alive += child[k] > 0 && sys_env_status((u32)child[k]) > 0;
			if (!alive)
				break;
			int v = sys_kcheck(0);            /* while they run, too */
			if (v) {
				printf("    # round %u: kcheck found %d inconsistencies while the children ran\n",
				       round, v);
				bad++;
				violations++;
			}
			sys_yield();
		}
		for (u32 k = 0; k < kids; k++) {
			if (child[k] < 0)
				continue;
			int destroyed = sys_env_status((u32)child[k]) > 0 && sys_env_destroy((u32)child[k]) == 0;
			int status = 0;
			exos_wait((u32)child[k], &status);
			int v = sys_kcheck(0);
			if (v != 0)
				printf("    # round %u child %u (seed %06x, status %d%s): %d inconsistencies\n",
				       round, k, cseed[k], status, destroyed ? ", destroyed" : "", v);
			bad += (u32)(v != 0);
			violations += (u32)(v != 0);
			u32 made = board->made[k];
			total += made < calls ? made : calls;

		}
		/* What the children's own checks found while they ran (the
		 * kernel's count: they cannot forge it). */
		u32 found = (u32)sys_kcheck(1);
		if (found != found0) {
			printf("    # round %u: the children's kcheck runs found %u inconsistencies\n",
			       round, found - found0);
			bad++;
			violations++;
			found0 = found;
		}
		int free1 = sys_pages_free();
		u32 envs1 = (u32)sys_env_usage(0, LIM_ENVS), slices1 = (u32)sys_env_usage(0, LIM_SLICES);
		if (free1 != free0 || envs1 != envs0 || slices1 != slices0) {
			printf("    # round %u: pages free %d (was %d), environments %u (%u), positions %u (%u)\n",
			       round, free1, free0, envs1, envs0, slices1, slices0);
			bad++;
			violations++;
		}
		failed += bad != 0;
		printf("    %s %u round %u: seeds", bad ? "not ok" : "ok", round + 1, round);
		for (u32 k = 0; k < kids; k++)
			printf(" %06x", cseed[k]);
		printf(", %u calls so far\n", total);
	}
	printf("    1..%u\n%s 1 fuzz\n", round, failed ? "not ok" : "ok");
	struct net_info ni;
	for (u32 nic = 0; sys_net_info(nic, &ni) > 0; nic++)   /* the frames the children moved */
		printf("# nic %u: %u frames sent, %u delivered, %u unclaimed, %u without a valid buffer\n",
		       nic, ni.tx_frames, ni.rx_frames, ni.rx_unclaimed, ni.rx_nobuf);
	struct disk_info di;
	if (sys_disk_info(&di) > 0)                           /* what they had the disk do */
		printf("# disk: %u requests, %u blocks read, %u written, %u extents live\n",
		       di.requests, di.blocks_read, di.blocks_written, di.extents);
	printf("FUZZ calls=%u rounds=%u kids=%u seed=%u violations=%u\n",
	       total, round, kids, seed, violations);
	return failed != 0;
}
