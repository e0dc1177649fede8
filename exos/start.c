/* start.c: library OS start-up and exit. */
#include "exos.h"

u32 exos_envid;

/* Called from crt0 with the id Aegis passed in a0: set up, run main, exit
 * with its result. */
void exos_start(u32 envid)
{
	exos_envid = envid;
	exit(main());
}

void exit(int status)
{
	console_flush();
	sys_exit(status);
	for (;;)        /* Aegis never returns from exit */
		;
}
