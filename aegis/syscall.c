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

bool yield_requested;

/* yield(): give the processor to the next runnable environment in round-robin
 * order (the caller itself if it is the only one). Returns 0 when resumed. */
u32 sys_yield(struct trapframe *tf)
{
	(void)tf;
	yield_requested = true;
	return 0;
}
