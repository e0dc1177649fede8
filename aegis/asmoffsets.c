/*
 * asmoffsets.c: never linked. Compiled to assembly at build time; each
 * OFFSET line becomes "#define NAME value" in build/gen/asmoffsets.h, so the
 * assembly (fastcall.S) uses the C compiler's own layout of struct env.
 */
#include "defs.h"

#define OFFSET(name, value) \
	__asm__ volatile("\n.ascii \"->" #name " %0\"" :: "i"(value))

void asm_offsets(void)
{
	OFFSET(ENV_SIZE, sizeof(struct env));
	OFFSET(ENV_ID, offsetof(struct env, id));
	OFFSET(ENV_ASID, offsetof(struct env, asid));
	OFFSET(ENV_GMAP_FILTER_PTR, offsetof(struct env, gmap_filter));
	OFFSET(ENV_STATUS, offsetof(struct env, status));
	OFFSET(ENV_UP_EXC, offsetof(struct env, up_exc));
	OFFSET(ENV_UP_TLB, offsetof(struct env, up_tlb));
	OFFSET(ENV_UP_SAVE_KVA, offsetof(struct env, up_save_kva));
	OFFSET(ENV_PCT_ENTRY, offsetof(struct env, pct_entry));
	OFFSET(ENV_WAITING_ON, offsetof(struct env, waiting_on));
	OFFSET(ENV_REVOKE_NOTIFY, offsetof(struct env, revoke_notify));
	OFFSET(ENV_SLICE_NOTIFY, offsetof(struct env, slice_notify));
	OFFSET(ENV_FPU_ON, offsetof(struct env, fpu_on));
	OFFSET(ENV_RUNNABLE_V, ENV_RUNNABLE);
	OFFSET(ENV_WAITING_V, ENV_WAITING);
	OFFSET(NENV_V, NENV);
	OFFSET(UPCALL_EXC, offsetof(struct upcall_regs, exc));
	OFFSET(UPCALL_TLB, offsetof(struct upcall_regs, tlb));
	OFFSET(UPCALL_SAVE_USER, offsetof(struct upcall_regs, save_kva_user));
	/* fast_tlbwr */
	OFFSET(PPAGE_SIZE, sizeof(struct ppage));
	OFFSET(PPAGE_CHECK, offsetof(struct ppage, check));
	OFFSET(PPAGE_STATE, offsetof(struct ppage, state));
	OFFSET(PPAGE_STLB_REFS, offsetof(struct ppage, stlb_refs));
	OFFSET(PAGE_USED_V, PAGE_USED);
	OFFSET(CAP_R_V, CAP_R);
	OFFSET(CAP_RW_V, CAP_RW);
	OFFSET(VA_W_V, VA_W);
	OFFSET(VA_NOACCESS_V, VA_NOACCESS);
}
