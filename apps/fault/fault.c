/* fault: stores to a kernel address from user mode without a handler. Aegis
 * must report the fault and destroy the environment, not hang or panic. */
#include "exos.h"

int main(void)
{
	printf("fault: storing to kernel address 0x80000000\n");
	*(volatile u32 *)0x80000000 = 1;
	printf("fault: still running, which must not happen\n");
	return 1;
}
