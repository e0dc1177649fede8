/*
 * syscall.c: the slow system-call path. Each sys_<name> reads its arguments
 * from the caller's saved registers (a0..a3), checks every one, and returns
 * a result >= 0 or a negative E_* code. The table is generated from
 * syscalls.tbl.
 */
#include "defs.h"
#include "syscall_nums.h"

extern u32 (*const slow_syscalls[NSYSCALLS])(struct trapframe *);

u32 syscall_dispatch(struct trapframe *tf)
{
	u32 n = tf->regs[R_V0];
	if (n >= NSYSCALLS || !slow_syscalls[n])
		return (u32)-E_NOSYS;
	return slow_syscalls[n](tf);
}

#define CPUTS_MAX 4096

/* cputs(s, len): print len bytes of the caller's memory at s.
 * -E_INVAL if len > 4096; -E_FAULT if any byte is not mapped readable. */
u32 sys_cputs(struct trapframe *tf)
{
	u32 s = tf->regs[R_A0], len = tf->regs[R_A1];
	char buf[128];
	if (len > CPUTS_MAX)
		return (u32)-E_INVAL;
	if (!user_range_ok(s, len))
		return (u32)-E_FAULT;
	for (u32 done = 0; done < len;) {
		u32 n = len - done < sizeof(buf) ? len - done : sizeof(buf);
		if (copyin(buf, s + done, n) < 0)
			return (u32)-E_FAULT;
		for (u32 i = 0; i < n; i++)
			console_putc(buf[i]);
		done += n;
	}
	return len;
}

/* exit(status): destroy the caller. Does not return to it. */
u32 sys_exit(struct trapframe *tf)
{
	int status = (int)tf->regs[R_A0];
	kprintf("[aegis] env %x (%s) exited with status %d\n", curenv->id, curenv->name, status);
	ktest_env_exit(curenv, status);
	env_record_exit(curenv, status);
	env_destroy(curenv);
	return 0;
}

/* null_slow(): nothing, on the general path (trap_slow saves every
 * register, trap() and syscall_dispatch run in C on the kernel stack, the
 * scheduler's after_trap picks the caller again). Exists only to measure
 * that path (benchmark row nullsys_slow) beside null's fast one. Returns 0. */
u32 sys_null_slow(struct trapframe *tf)
{
	(void)tf;
	return 0;
}

bool yield_requested, slice_over;
struct env *yield_to;

/* yield(): give the processor to the next runnable environment in round-robin
 * order (the caller itself if it is the only one). Returns 0 when resumed. */
u32 sys_yield(struct trapframe *tf)
{
	(void)tf;
	yield_requested = true;
	return 0;
}

/* yield_to(envid): give the rest of this slice to environment envid (it
 * runs at once; the caller runs again at its own next slice, or when
 * something yields to it). -E_NOENT: no such environment, or it cannot run. */
u32 sys_yield_to(struct trapframe *tf)
{
	struct env *e = env_lookup(tf->regs[R_A0]);
	if (!e || !wk_poll(e))
		return (u32)-E_NOENT;
	yield_to = e;
	return 0;
}

/* slice_alloc(pos): own slice position pos of the processor's vector
 * (0..63), or any free one for 0xffffffff. Returns the position; -E_BUSY if
 * it is taken, -E_INVAL if out of range, -E_NOMEM if none is free, -E_QUOTA
 * if the caller holds as many as its budget (env_limit) allows. */
u32 sys_slice_alloc(struct trapframe *tf)
{
	u32 pos = tf->regs[R_A0];
	return (u32)slice_alloc(curenv, pos == 0xffffffffu ? -1 : pos < NSLICES ? (int)pos : NSLICES);
}

/* slice_free(pos): give position pos back. -E_PERM if the caller does not
 * own it; -E_INVAL if out of range. */
u32 sys_slice_free(struct trapframe *tf)
{
	u32 pos = tf->regs[R_A0];
	int r = slice_free(curenv, pos < NSLICES ? (int)pos : NSLICES);
	if (r == 0)
		revoke_slice_free_hook(curenv);
	return (u32)r;
}

/* slices_owned(): how many slice positions the caller owns. */
u32 sys_slices_owned(struct trapframe *tf)
{
	(void)tf;
	return (u32)slice_count(curenv);
}

/* revoke_slices(envid, n): ask a child to give back n of its slice
 * positions (visible revocation, as for pages); past REVOKE_SLICES of its
 * slice ends the kernel takes the highest-numbered ones. -E_NOENT; -E_PERM:
 * not the caller's child; -E_INVAL: n is 0 or more than it owns. */
u32 sys_revoke_slices(struct trapframe *tf)
{
	int err = 0;
	struct env *e = env_child(tf->regs[R_A0], &err);
	return e ? (u32)revoke_slices_request(e, tf->regs[R_A1]) : (u32)err;
}

/* set_epilogue(entry, crit_start, crit_end): at the end of each of its
 * slices, send the caller to entry (as an upcall, see abi.h) unless its PC is
 * in [crit_start, crit_end); it must then call slice_done within the grace
 * period. entry 0: no epilogue (the kernel switches it out). -E_INVAL: not
 * word-aligned user addresses, or crit_end < crit_start. */
u32 sys_set_epilogue(struct trapframe *tf)
{
	u32 entry = tf->regs[R_A0], cs = tf->regs[R_A1], ce = tf->regs[R_A2];
	if (entry >= USER_TOP || (entry & 3) || cs > ce || ce > USER_TOP)
		return (u32)-E_INVAL;
	curenv->epilogue = entry;
	curenv->crit_start = cs;
	curenv->crit_end = ce;
	return 0;
}

/* set_prologue(entry): at the start of each of its own slices (not those
 * donated to it), send the caller to entry (as an upcall, see abi.h) unless
 * its PC is in the critical range set_epilogue named; the upcall resumes the
 * program itself and costs only the caller's slice. entry 0: none. Not
 * delivered while the caller has no save area (set_upcalls). -E_INVAL: not
 * a word-aligned user address. */
u32 sys_set_prologue(struct trapframe *tf)
{
	return (u32)slice_set_prologue(curenv, tf->regs[R_A0]);
}

/* slice_done(): the caller has saved what it needs at the end of its slice;
 * the next position's owner runs. Returns 0 when the caller runs again. */
u32 sys_slice_done(struct trapframe *tf)
{
	(void)tf;
	slice_done(curenv);
	slice_over = true;
	return 0;
}
