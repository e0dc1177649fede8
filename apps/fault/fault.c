/* fault: stores to a kernel address from user mode with no handler
 * registered (it withdraws ExOS's upcalls first). Aegis must report the
 * fault and destroy the environment, not hang or panic. */
#include "exos.h"

int main(void)
{
	sys_set_upcalls(0, 0, 0);
	printf("fault: storing to kernel address 0x80000000\n");
	*(volatile u32 *)0x80000000 = 1;
	printf("fault: still running, which must not happen\n");
	return 1;
}
