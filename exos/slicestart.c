/*
 * slicestart.c: the start-of-slice notification. Aegis sends an environment
 * that registered a prologue entry there when one of its own slices begins
 * (aegis/slice.c); ExOS's entry (upcall.S, FULL_ENTRY) saves every register
 * of the program on the exception stack, calls exos_prologue, and resumes
 * the program with every register as it was, without entering the kernel.
 */
#include "exos.h"

void (*exos_slice_start_fn)(void);
volatile u32 exos_prologues;
static volatile bool running;        /* the handler is on the stack */

int exos_set_slice_start(void (*fn)(void))
{
	exos_slice_start_fn = fn;
	return sys_set_prologue(fn ? (u32)exos_prologue_entry : 0);
}

/* The prologue entry's C half (f: the program's registers, resumed on
 * return). Runs the application's handler unless it is already running: a
 * handler that outlasts its slice is interrupted by the epilogue, and the
 * next slice's prologue then arrives on top of it; it is skipped, so the
 * exception stack holds at most one handler however long it runs. */
void exos_prologue(struct trapframe *f)
{
	(void)f;
	void (*fn)(void) = exos_slice_start_fn;
	if (!fn || running)
		return;
	running = true;
	exos_prologues++;
	fn();
	running = false;
}
