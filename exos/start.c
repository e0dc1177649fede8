/* start.c: library OS start-up and exit. */
#include "exos.h"
#include "pt.h"

u32 exos_envid, exos_arg;

/* Set up ExOS's own resources: the upcall page, the exception stack and the
 * page table, all guaranteed mappings; then register the upcall entry
 * points with Aegis. */
static int exos_vm_init(void)
{
	int r = exos_page_guaranteed(UPCALL_PAGE, NULL);
	if (r == 0)
		exos_exc_init();       /* the handler table is in the upcall page */
	for (u32 va = XSTACK_BASE; r == 0 && va < XSTACK_TOP; va += PAGE_SIZE)
		r = exos_page_guaranteed(va, NULL);
	if (r == 0)
		r = pt_init();
	if (r == 0)
		r = exos_register();
	return r;
}

int exos_register(void)
{
	int r = sys_set_upcalls(exos_exc_entry_point(), (u32)exos_tlb_entry, UPCALL_SAVE_VA);
	if (r == 0)
		r = sys_set_epilogue((u32)exos_epilogue_entry, (u32)exos_upcall_text_start,
				     (u32)exos_upcall_text_end);
	if (r == 0)      /* replies to this environment's LRPC calls come here */
		r = sys_pct_entry((u32)lrpc_client_entry);
	if (r == 0)
		r = sys_set_revocation((u32)exos_revoke_entry);
	if (r == 0)      /* a fork child keeps its parent's slice-start handler */
		r = exos_set_slice_start(exos_slice_start_fn);
	return r;
}

volatile u32 exos_epilogues;

/* The end of a time slice (the epilogue entry's C half): every register of
 * the program is in f, on the exception stack, so nothing else needs saving;
 * tell Aegis and let the next slice's owner run. The program continues where
 * it was when this environment's next slice begins. That slice begins at
 * sys_slice_done's return, which must lie here, outside the critical range
 * (upcall.S), for Aegis to deliver the slice's prologue there; the empty asm
 * keeps the call from becoming a tail call that would return into
 * upcall.S. */
void exos_epilogue(struct trapframe *f)
{
	(void)f;
	exos_epilogues++;
	sys_slice_done();
	__asm__ volatile("" ::: "memory");
}

/* Called from crt0 with what Aegis passed: a0 = this environment's id,
 * a1 = the argument its parent gave (0 for the first program). */
void exos_start(u32 envid, u32 arg)
{
	exos_envid = envid;
	exos_arg = arg;
	int r = exos_vm_init();
	if (r < 0) {
		printf("exos: cannot set up virtual memory (error %d)\n", r);
		exit(-1);
	}
	exit(main());
}

void exit(int status)
{
	console_flush();
	sys_exit(status);
	for (;;)        /* Aegis never returns from exit */
		;
}

u32 exos_param(const char *name, u32 dflt)
{
	static char line[256];
	sys_cmdline(line, sizeof line);
	size_t n = lib_strlen(name);
	for (const char *w = line; *w;) {
		if (!lib_strncmp(w, name, n) && w[n] == '=')
			return lib_strtou(w + n + 1, NULL);
		while (*w && *w != ' ')
			w++;
		while (*w == ' ')
			w++;
	}
	return dflt;
}
