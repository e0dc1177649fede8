/*
 * trap.c: installing the vectors, and the C side of the slow kernel entry.
 */
#include "defs.h"

_Static_assert(offsetof(struct trapframe, hi) == TF_HI, "trapframe layout");
_Static_assert(offsetof(struct trapframe, epc) == TF_EPC, "trapframe layout");
_Static_assert(offsetof(struct trapframe, badvaddr) == TF_BADVADDR, "trapframe layout");
_Static_assert(sizeof(struct trapframe) == TF_SIZE, "trapframe layout");
_Static_assert(offsetof(struct env, tf) == 0, "cur_tf points at env.tf");

/* Handler per ExcCode, read by the general vector. Every exception that has
 * no faster path goes through trap_slow. */
void *exc_table[EXC_NCODES];

/* Copy the vectors to EBase, point EBase at them, send interrupts to the
 * +0x200 vector, leave BEV, and let user code read Count/CCRes (rdhwr $2/$3). */
void vectors_install(void)
{
	u32 len = (u32)(vectors_end - vectors_start);
	u8 *dst = (u8 *)EBASE;
	for (u32 i = 0; i < len; i++)
		dst[i] = (u8)vectors_start[i];
	cache_sync(dst, len);
	for (int i = 0; i < EXC_NCODES; i++)
		exc_table[i] = (void *)trap_slow;
	/* Exceptions a library OS handles go straight to it (upcall.S). */
	static const u8 to_tlb[] = { EXC_MOD, EXC_TLBL, EXC_TLBS };
	static const u8 to_exc[] = { EXC_ADEL, EXC_ADES, EXC_BP, EXC_OV, EXC_TR, EXC_FPE };
	for (u32 i = 0; i < sizeof to_tlb; i++)
		exc_table[to_tlb[i]] = (void *)fwd_tlb;
	for (u32 i = 0; i < sizeof to_exc; i++)
		exc_table[to_exc[i]] = (void *)fwd_exc;
	/* CpU is forwarded too, unless the FPU must be handed over (fpu.c);
	 * RI, unless it is the way back from debug mode (debug.S). */
	exc_table[EXC_CPU] = (void *)fwd_cpu;
	exc_table[EXC_RI] = (void *)fwd_ri;
	mtc0(C0_EBASE, 1, EBASE);
	mtc0(C0_CAUSE, 0, CAUSE_IV);
	mtc0(C0_STATUS, 0, mfc0(C0_STATUS, 0) & ~ST_BEV);
	mtc0(C0_HWRENA, 0, (1u << 2) | (1u << 3));
}

static u32 exc_code(const struct trapframe *tf)
{
	return (tf->cause & CAUSE_EXC_MASK) >> CAUSE_EXC_SHIFT;
}

/* A TLB exception from user mode that reached the slow path: a refill that
 * missed the STLB, or (without upcalls) an invalid-half hit or a write to a
 * clean page. Guaranteed mappings are refilled here; everything else goes to
 * the environment's TLB entry point, or destroys it if it has none. */
static void user_tlb_fault(struct trapframe *tf, u32 code)
{
	bool write = code == EXC_TLBS || code == EXC_MOD;
	if (tf->badvaddr < USER_TOP && (gmap_fill(curenv, tf->badvaddr, write) ||
					kinfo_fill(curenv, tf->badvaddr, write)))
		return;
	if (upcall_deliver(curenv, tf, true))
		return;
	env_fault(curenv, tf, tf->badvaddr < USER_TOP ? "no mapping" : "kernel address");
}

void io_intr(u32 epc)
{
	ash_interrupted(env_slot(curenv), epc);   /* is anyone moving? */
	nic_intr();              /* acknowledges the i8259s; the NICs */
	disk_intr();             /* and the disk (IRQ 14) */
}

/* Entered from trap_slow for every exception from user mode that no fast
 * path served; returns the trapframe to resume. */
struct trapframe *trap(struct trapframe *tf)
{
	u32 code = exc_code(tf);
	if (debug_pending) {
		/* An EJTAG debug exception (sdbbp; debug.S): no user handler
		 * can be given it, as the direct path's boot stub has
		 * clobbered registers on the way. */
		debug_pending = 0;
		env_record_exit(curenv, EXIT_DEBUG);
		kprintf("[aegis] env %x (%s): sdbbp (EJTAG debug exception) at epc %08x%s; destroyed\n",
			curenv->id, curenv->name, tf->epc, (debug_reg & DEBUG_DBD) ? " (delay slot)" : "");
		ktest_env_exit(curenv, EXIT_DEBUG);
		env_destroy(curenv);
		return after_trap();
	}
	switch (code) {
	case EXC_SYS:
		tf->regs[R_V0] = syscall_dispatch(tf);
		break;
	case EXC_MOD:
	case EXC_TLBL:
	case EXC_TLBS:
		user_tlb_fault(tf, code);
		break;
	case EXC_INT:
		if (tf->cause & tf->status & CAUSE_IP2)  /* IP2, the i8259s */
			io_intr(tf->epc);
		if (tf->cause & (1u << 15))      /* IP7: the Count/Compare timer */
			return slice_end(tf);
		break;                           /* no other source is enabled */
	case EXC_CPU:
		/* Coprocessor 1 by an environment that enabled the FPU: it is
		 * another's registers that are in it; hand it over and retry. */
		if ((tf->cause & CAUSE_CE_MASK) == CAUSE_CE_CP1 && curenv->fpu_on) {
			fpu_take(curenv, tf);
			break;
		}
		/* fall through */
	case EXC_ADEL:
	case EXC_ADES:
	case EXC_BP:
	case EXC_RI:
	case EXC_OV:
	case EXC_TR:
	case EXC_FPE:
		if (!upcall_deliver(curenv, tf, false))
			env_fault(curenv, tf, "unhandled exception");
		break;
	default:
		env_fault(curenv, tf, "unhandled exception");
		break;
	}
	return after_trap();
}

/* Which environment runs next, after a system call or exception: the one a
 * yield named, the next position's owner (slice_done), the same one, or
 * (when it yielded or ended) the next runnable one for the rest of the
 * slice. */
struct trapframe *after_trap(void)
{
	struct env *to = yield_to;
	yield_to = NULL;
	if (slice_over) {
		slice_over = false;
		return slice_next();
	}
	if (to && to->status == ENV_RUNNABLE) {
		yield_requested = false;
		env_switch(to);
		return &to->tf;
	}
	if (curenv && curenv->status == ENV_RUNNABLE && !yield_requested)
		return &curenv->tf;
	yield_requested = false;
	return sched();
}

/* An exception taken in kernel mode. TLB misses on user addresses during a
 * user_copy are served from the guaranteed mappings or turned into -E_FAULT;
 * an interrupt ends the idle loop's wait (idle.S); anything else is a
 * kernel bug and panics. */
void kernel_trap(struct trapframe *tf)
{
	u32 code = exc_code(tf);
	if (debug_pending)
		panic_tf(tf, "EJTAG debug exception in kernel mode");
	if (code == EXC_INT && wk_idle_trap(tf))
		return;                  /* the idle loop's wait is over */
	if (code == EXC_FPE && tf->epc == (u32)(uintptr_t)fpu_load_fcsr) {
		tf->epc += 4;            /* FCSR restored with a pending cause: fine */
		return;
	}
	bool in_copy = tf->epc >= (u32)(uintptr_t)user_copy_start &&
		       tf->epc < (u32)(uintptr_t)user_copy_end;
	if (in_copy) {
		bool tlb = code == EXC_TLBL || code == EXC_TLBS || code == EXC_MOD;
		bool write = code == EXC_TLBS || code == EXC_MOD;
		if (tlb && curenv && tf->badvaddr < USER_TOP &&
		    gmap_fill(curenv, tf->badvaddr, write))
			return;
		tf->epc = (u32)(uintptr_t)user_copy_fault;
		return;
	}
	panic_tf(tf, "exception in kernel mode");
}
