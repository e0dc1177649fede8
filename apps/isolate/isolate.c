/*
 * isolate: started by utest with the number of a page utest holds (or 0).
 * Tries every way to reach that page, or to harm another environment,
 * without a capability. Exits with the number of attempts that succeeded
 * (0 = isolation held).
 */
#include "exos.h"

static u32 rng = 0x9e3779b9;
static u32 next_rand(void) { return xorshift32(&rng); }

int main(void)
{
	u32 ppn = exos_arg, broke = 0;
	if (ppn) {
		for (int i = 0; i < 1000; i++) {
			broke += sys_tlbwr(0x30000000, CAP_NAME(ppn, CAP_R), next_rand()) == 0;
			broke += sys_tlbwr(0x30000000 | VA_W, CAP_NAME(ppn, CAP_RW), next_rand()) == 0;
			broke += sys_gmap_add(0, 0x30001000, CAP_NAME(ppn, CAP_R), next_rand()) == 0;
		}
		broke += sys_page_unref(ppn) == 0;
		broke += sys_page_grant(exos_envid, CAP_NAME(ppn, CAP_R), next_rand()) == 0;
		broke += (int)(u32)sys_page_alloc(ppn) >= 0;
		broke += (int)(u32)sys_cap_derive(CAP_NAME(ppn, CAP_RW), next_rand(), CAP_R) >= 0;
		if (sys_capfails() < 3000)
			broke++;
	}
	/* No other environment can be destroyed, started, mapped into or
	 * reaped by this one: try every slot and several generations. */
	for (u32 gen = 0; gen < 4; gen++)
		for (u32 slot = 0; slot < 64; slot++) {
			u32 id = gen << 8 | slot;
			if (id == exos_envid || id == 0)
				continue;
			broke += sys_env_destroy(id) == 0;
			broke += sys_env_start(id, 0x400000, 0x7fff0000, 0) == 0;
			broke += sys_gmap_add(id, 0x30002000, CAP_NAME(0x200, CAP_R), 0) == 0;
			broke += sys_gmap_del(id, 0x400000) == 0;
		}
	if (broke)
		printf("isolate: %u protection checks failed\n", broke);
	return (int)broke;
}
