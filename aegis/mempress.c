/*
 * mempress.c: revocation started by the kernel when physical memory runs
 * low, beside the parent's revoke().
 *
 * The low-water mark is page_total / 16 (4,096 pages on the 256 MiB board),
 * or lowmem=N pages from the boot command line. When a page_alloc leaves
 * fewer free pages than that (or finds none), the kernel asks for enough
 * pages back to bring free memory up to twice the mark, counting the pages
 * it has already asked for and not yet received. It asks with the same
 * REVOKE_REQUEST upcall, deadline and abort protocol as a parent
 * (revoke.c), and chooses whom to ask:
 *   - the largest holders first: they are what put memory under pressure,
 *     and asking them disturbs the fewest environments;
 *   - only environments holding more than the average of the live
 *     environments' holdings: a small environment (a shell, a parent waiting
 *     for its children) is never asked because someone else hogs memory;
 *   - never the environment whose page_alloc hit the mark (it is asking, not
 *     hogging), nor one already under a page request (parent's or kernel's)
 *     or not yet told of its last repossession, nor one not yet started
 *     (ENV_NEW: it could not comply);
 *   - at most MEM_ASK pages (16) from each per request: few enough to give
 *     back well within the deadline (REVOKE_SLICES of its slice ends; under
 *     QEMU a page_unref with its TLB work costs about 1/20 of a slice, so
 *     64 pages took longer than the deadline in tests), and fewer than
 *     NREPO, so that if the abort protocol has to take them the
 *     repossession vector names every one; and never more than it holds
 *     beyond its vital pages, so that it can always comply. Under lasting
 *     pressure it is asked again as soon as it has complied.
 * The page_alloc that hit the mark is not held back: it succeeds while a
 * page is free, and returns -E_NOMEM when none is; the requester retries
 * (after yielding, so that the holders run and give pages back).
 */
#include "defs.h"

#define MEM_ASK 16               /* pages asked of one environment at a time */
_Static_assert(MEM_ASK <= NREPO, "the repossession vector must name every page taken");

u32 mem_low_water;

/* The mark: lowmem=N if given, at most half of memory (a larger one would
 * keep every environment under request all the time). */
void mem_init(void)
{
	u32 n = bootinfo.lowmem ? bootinfo.lowmem : page_count() / 16;
	mem_low_water = n < page_count() / 2 ? n : page_count() / 2;
}

static bool live_holder(const struct env *e)
{
	return e->status != ENV_FREE && e->status != ENV_NEW;
}

/* The environment holding the most pages above avg, other than slot, those
 * already asked and those with a revocation upcall still to be delivered (a
 * new request would overwrite a repossession notice); NULL if none. */
static struct env *largest_holder(int slot, u32 avg)
{
	struct env *best = NULL;
	for (int i = 0; i < env_span; i++) {
		struct env *e = &envs[i];
		if (i == slot || !live_holder(e) || e->revoke_want || e->revoke_notify ||
		    page_held(i) <= avg)
			continue;
		if (!best || page_held(i) > page_held(env_slot(best)))
			best = e;
	}
	return best;
}

void mem_pressure(int slot)
{
	u32 free = page_free_count(), target = 2 * mem_low_water, asked = 0, total = 0, live = 0;
	if (free >= mem_low_water)
		return;
	for (int i = 0; i < env_span; i++)
		if (live_holder(&envs[i])) {
			live++;
			total += page_held(i);
			asked += envs[i].revoke_want;
		}
	if (!live || free + asked >= target)
		return;
	u32 want = target - free - asked, avg = total / live;
	struct env *e;
	while (want > 0 && (e = largest_holder(slot, avg)) != NULL) {
		u32 held = page_held(env_slot(e)), vital = (u32)e->nvital;
		u32 spare = held > vital ? held - vital : 0;
		u32 n = want < MEM_ASK ? want : MEM_ASK;
		if (n > spare)
			n = spare;
		if (n == 0 || revoke_request(e, n) < 0)
			break;
		want -= n;
	}
}
