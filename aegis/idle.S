/*
 * idle.S: the processor waits for an interrupt when nothing can run
 * (wk_idle, wakeup.c), instead of spinning.
 *
 * The kernel runs with interrupts off, so an interrupt that comes after the
 * idle loop last looked at the devices and the sleepers stays pending in
 * Cause. Executing `wait` with IE=0 would not be woken by it (on the 24Kf
 * QEMU emulates, Config7.WII is clear: only an interrupt that could be taken
 * ends a wait), and turning IE on just before `wait` would take it in
 * between and then wait for the next one. So interrupts are turned on, and
 * any interrupt taken from the first instruction after that up to the one
 * after `wait` is sent by kernel_trap (wk_idle_trap) to idle_wait_off with
 * IE cleared again: it ends the wait whether it came before, during or
 * after it, and stays pending for the idle loop to serve.
 */
#include "mips.h"

	.set	noreorder
	.set	noat
	.text

/* idle_wait(im): wait for an interrupt among the Status IM bits im (a0),
 * entered and left with interrupts off (IE = 0) and Status otherwise as on
 * entry. t0 = Status on entry, t1 = Status while waiting. */
	.globl	idle_wait
	.globl	idle_wait_on
	.globl	idle_wait_off
	.ent	idle_wait
idle_wait:
	mfc0	t0, CP0_STATUS
	li	t1, ~ST_IM_MASK
	and	t1, t0, t1
	or	t1, t1, a0		/* t1 = Status with the mask im ... */
	ori	t1, t1, ST_IE		/* ... and interrupts on */
idle_wait_on:
	mtc0	t1, CP0_STATUS		/* interrupts may be taken after this */
	ehb
	wait
idle_wait_off:
	mtc0	t0, CP0_STATUS		/* IE = 0 again, the mask as on entry */
	jr	ra
	ehb
	.end	idle_wait
