/*
 * spin: misbehaving (and one well-behaved) users of the processor, for the
 * scheduling tests. The argument's low 4 bits pick the mode; bits 8 and up
 * carry the parent's environment id where a mode needs it.
 *   1  withdraw the slice epilogue, then spin forever without a system call
 *   2  install an epilogue that never says it is done, then spin forever
 *   3  hand the processor back to the parent 100 times (yield_to), exit 100
 *   4  keep its protected entry point but never wait at it: spin forever
 * Modes 1 and 2 also withdraw the protected entry point.
 */
#include "exos.h"

static void __attribute__((noreturn)) spin_forever(void)
{
	for (;;)
		__asm__ volatile("" ::: "memory");
}

int main(void)
{
	u32 mode = exos_arg & 15, parent = exos_arg >> 8;
	switch (mode) {
	case 1:
		sys_pct_entry(0);
		sys_set_epilogue(0, 0, 0);
		spin_forever();
	case 2:
		sys_pct_entry(0);
		sys_set_epilogue((u32)spin_forever, 0, 0);
		spin_forever();
	case 4:
		spin_forever();
	case 3:
		for (int i = 0; i < 100; i++)
			sys_yield_to(parent);
		return 100;
	default:
		return -1;
	}
}
