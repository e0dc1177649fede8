/*
 * fpu.c: each environment's own floating-point registers.
 *
 * The FPU holds one environment's registers at a time: fpu_owner's. Only
 * the owner can have Status.CU1 set in its saved Status; anyone else who
 * enabled the FPU (fpu_on, the paper's FPUmod) traps with CpU on its first
 * FPU instruction after another environment used the unit, and the kernel
 * then saves the owner's registers into its env, loads the trapping one's
 * and hands the unit over (lazily: most switches never touch the FPU). A new
 * environment's registers and FCSR are zero, so nothing of another's values,
 * rounding mode or exception enables ever shows through.
 */
#include "defs.h"

struct env *fpu_owner;

void fpu_take(struct env *e, struct trapframe *tf)
{
	if (fpu_owner != e) {
		if (fpu_owner) {
			fpu_save(fpu_owner->fpu);
			fpu_owner->tf.status &= ~ST_CU1;   /* it is not running */
		}
		fpu_load(e->fpu);
		fpu_owner = e;
	}
	tf->status |= ST_CU1;
}

void fpu_env_gone(struct env *e)
{
	if (fpu_owner == e)
		fpu_owner = NULL;
}
