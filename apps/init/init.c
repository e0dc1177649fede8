/* init: the first program Aegis starts (init=init, the default). */
#include "exos.h"

int main(void)
{
	printf("Hello from ExOS: environment %x running in user mode on Aegis.\n", exos_envid);
	printf("init: done\n");
	return 0;
}
