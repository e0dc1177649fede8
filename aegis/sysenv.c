/*
 * sysenv.c: system calls on environments, the initrd and the FPU.
 */
#include "defs.h"

/* env_alloc(): a new, empty child environment (no pages, not running; one
 * slice position if one is free). Returns its id; -E_NOMEM if every slot is
 * taken; -E_QUOTA if the caller or an ancestor is at its environment
 * budget. */
u32 sys_env_alloc(struct trapframe *tf)
{
	(void)tf;
	int err = 0;
	struct env *e = env_alloc("child", curenv, &err);
	return e ? e->id : (u32)err;
}

/* env_start(envid, entry, sp, arg): start a child created by env_alloc at
 * entry, with the given stack pointer, a0 = its id and a1 = arg. -E_NOENT; -E_PERM: not
 * the caller's child; -E_BUSY: already started; -E_INVAL: entry or sp not a
 * user address, entry misaligned. */
u32 sys_env_start(struct trapframe *tf)
{
	int err = 0;
	struct env *e = env_child(tf->regs[R_A0], &err);
	u32 entry = tf->regs[R_A1], sp = tf->regs[R_A2];
	if (!e)
		return (u32)err;
	if (e->status != ENV_NEW)
		return (u32)-E_BUSY;
	if (entry >= USER_TOP || (entry & 3) || sp >= USER_TOP)
		return (u32)-E_INVAL;
	e->tf.epc = entry;
	e->tf.regs[R_SP] = sp;
	e->tf.regs[R_A0] = e->id;
	e->tf.regs[R_A1] = tf->regs[R_A3];
	e->status = ENV_RUNNABLE;
	return 0;
}

/* env_destroy(envid): destroy the caller (0 or its own id) or a child, and
 * the children of that one. -E_NOENT; -E_PERM. */
u32 sys_env_destroy(struct trapframe *tf)
{
	int err = 0;
	struct env *e = env_self_or_child(tf->regs[R_A0], &err);
	if (!e)
		return (u32)err;
	if (e == curenv)
		ktest_env_exit(e, EXIT_DESTROYED);
	env_record_exit(e, EXIT_DESTROYED);
	env_destroy(e);
	return 0;
}

/* env_status(envid): 1 if the environment exists and runs, 2 if created but
 * not started, 3 if waiting for a protected control transfer, 4 if asleep
 * on a wakeup predicate (wk_sleep), -E_NOENT if
 * there is none (it never existed or has ended). */
u32 sys_env_status(struct trapframe *tf)
{
	struct env *e = env_lookup(tf->regs[R_A0]);
	if (!e)
		return (u32)-E_NOENT;
	return e->status == ENV_RUNNABLE ? 1 : e->status == ENV_WAITING ? 3 :
	       e->status == ENV_SLEEPING ? 4 : 2;
}

/* pct_entry(entry): the caller's protected entry point (0: none, transfers
 * to it then fail with -E_INVAL). -E_INVAL: not a word-aligned user address. */
u32 sys_pct_entry(struct trapframe *tf)
{
	u32 entry = tf->regs[R_A0];
	if (entry >= USER_TOP || (entry & 3))
		return (u32)-E_INVAL;
	curenv->pct_entry = entry;
	return 0;
}

/* pct_idle(): wait, not scheduled, until a protected control transfer enters
 * the caller at its entry point. Does not return. -E_INVAL if the caller has
 * no entry point. */
u32 sys_pct_idle(struct trapframe *tf)
{
	(void)tf;
	if (!curenv->pct_entry)
		return (u32)-E_INVAL;
	curenv->status = ENV_WAITING;
	curenv->waiting_on = NULL;
	return 0;
}

/* scall(envid, a1, a2, a3): synchronous protected control transfer. The
 * callee starts at its entry point with every register of the caller (a0 =
 * its own id, a1..a3 and the rest as arguments) and v0 = the caller's id; the
 * caller waits, giving its slices to the callee, until a transfer enters it
 * at its own entry point. -E_NOENT: no such environment; -E_INVAL: the
 * callee is the caller or has no entry point; -E_BUSY: the callee is running
 * (not waiting). Returns only on error. */
u32 sys_scall(struct trapframe *tf)
{
	return (u32)pct_transfer(tf, tf->regs[R_A0], true);
}

/* acall(envid, a1, a2, a3): the same, asynchronous: the caller gives the rest
 * of its slice to the callee and stays runnable; it continues after the call
 * (returning 0) at its next slice. Errors as for scall. */
u32 sys_acall(struct trapframe *tf)
{
	return (u32)pct_transfer(tf, tf->regs[R_A0], false);
}

/* initrd_read(off, buf, len): copy up to len bytes of the initrd from offset
 * off into the caller's memory; returns the number copied (0 at the end).
 * With buf = 0 and len = 0, returns the initrd's size. -E_FAULT: buf is not
 * writable mapped memory; -E_INVAL: len > 64 KiB. */
u32 sys_initrd_read(struct trapframe *tf)
{
	u32 off = tf->regs[R_A0], buf = tf->regs[R_A1], len = tf->regs[R_A2];
	if (buf == 0 && len == 0)
		return bootinfo.initrd_size;
	if (len > 65536)
		return (u32)-E_INVAL;
	if (off >= bootinfo.initrd_size)
		return 0;
	if (len > bootinfo.initrd_size - off)
		len = bootinfo.initrd_size - off;
	int r = copyout(buf, (const u8 *)KADDR(bootinfo.initrd_pa) + off, len);
	return r < 0 ? (u32)r : len;
}

/* fpu(on): FPUmod. Enable (1) or disable (0) the caller's use of the
 * floating-point unit. Each environment has registers of its own (zero when
 * it starts), kept by the kernel across switches (fpu.c). -E_INVAL: not 0/1. */
u32 sys_fpu(struct trapframe *tf)
{
	u32 on = tf->regs[R_A0];
	if (on > 1)
		return (u32)-E_INVAL;
	curenv->fpu_on = on;
	if (on)
		fpu_take(curenv, tf);
	else
		tf->status &= ~ST_CU1;
	return 0;
}

/* env_reap(envid): the exit status of a child that has ended, in v1 (the
 * program's exit status, or one of abi.h's EXIT_*: destroyed, aborted for
 * overruns, ended for entering debug mode, or killed by an exception it could
 * not handle). Returns 0; -E_BUSY if the
 * child still exists; -E_NOENT if no ended child with that id is recorded
 * (each is reported once; the last 8 are kept). */
u32 sys_env_reap(struct trapframe *tf)
{
	u32 id = tf->regs[R_A0];
	struct env *e = env_lookup(id);
	if (e && e->parent == curenv)
		return (u32)-E_BUSY;
	for (u32 i = 0; i < ARRAY_SIZE(curenv->exited); i++)
		if (i < curenv->nexited && curenv->exited[i].id == id) {
			tf->regs[R_V1] = (u32)curenv->exited[i].status;
			curenv->exited[i].id = 0;
			return 0;
		}
	return (u32)-E_NOENT;
}

/* pages_free(): how many physical pages are free (for tests and tools). */
u32 sys_pages_free(struct trapframe *tf)
{
	(void)tf;
	return page_free_count();
}

/* cmdline(buf, len): copy the kernel command line, NUL-terminated and cut to
 * len bytes, into the caller's memory. Returns the full line's length (as
 * strlen). -E_FAULT: buf is not writable mapped memory. */
u32 sys_cmdline(struct trapframe *tf)
{
	u32 buf = tf->regs[R_A0], len = tf->regs[R_A1];
	u32 n = (u32)lib_strlen(bootinfo.cmdline);
	if (len == 0)
		return n;
	u32 copy = n < len - 1 ? n : len - 1;
	char nul = '\0';
	if (copyout(buf, bootinfo.cmdline, copy) < 0 || copyout(buf + copy, &nul, 1) < 0)
		return (u32)-E_FAULT;
	return n;
}
