/*
 * pipe.c: pipes between two environments, at user level (the code is in
 * pipe_inline.h, where a program may also inline it). A pipe is a ring
 * buffer in a shared page (see exos_spawn_with); a side that must wait
 * gives the processor straight to the other with yield_to.
 */
#include "pipe_inline.h"

void pipe_init(struct exos_pipe *p)
{
	p->head = p->tail = 0;
}

int pipe_write(struct exos_pipe *p, const void *data, u32 n, u32 peer)
{
	return pipe_write_inline(p, data, n, peer);
}

int pipe_read(struct exos_pipe *p, void *data, u32 n, u32 peer)
{
	return pipe_read_inline(p, data, n, peer);
}
