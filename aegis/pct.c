/*
 * pct.c: protected control transfer (the paper's Scall and Acall).
 *
 * The caller names a callee; the kernel installs the callee's context (its
 * ASID and upcalls, through env_switch) and starts it at its protected entry
 * point with every register as the caller left it (they are the arguments),
 * except v0, which holds the caller's id: the callee knows who called and
 * the caller cannot pretend to be another. k0/k1 are the kernel's.
 *
 * The callee must be waiting: idle at its entry (pct_idle) or itself blocked
 * in an scall; a running environment's own registers are never overwritten.
 * acall leaves the caller runnable (it goes on at its next slice); scall
 * leaves it waiting, its slices donated to the callee, until a transfer
 * comes back into it, at its own entry point.
 */
#include "defs.h"

int pct_transfer(struct trapframe *tf, u32 id, bool sync)
{
	struct env *callee = env_lookup(id);
	if (!callee)
		return -E_NOENT;
	if (callee == curenv || !callee->pct_entry)
		return -E_INVAL;
	if (callee->status != ENV_WAITING)
		return -E_BUSY;
	struct trapframe *ctf = &callee->tf;
	for (int r = 1; r < 32; r++)
		if (r != R_K0 && r != R_K1)
			ctf->regs[r] = tf->regs[r];
	ctf->hi = tf->hi;
	ctf->lo = tf->lo;
	ctf->regs[R_V0] = curenv->id;
	ctf->epc = callee->pct_entry;
	callee->status = ENV_RUNNABLE;
	callee->waiting_on = NULL;
	if (sync) {
		curenv->status = ENV_WAITING;
		curenv->waiting_on = callee;
	}
	yield_to = callee;
	return 0;
}

void pct_env_gone(struct env *e)
{
	for (int i = 0; i < NENV; i++)
		if (envs[i].status == ENV_WAITING && envs[i].waiting_on == e) {
			envs[i].waiting_on = NULL;
			envs[i].status = ENV_RUNNABLE;     /* its scall fails */
			envs[i].tf.regs[R_V0] = (u32)-E_NOENT;
		}
}
