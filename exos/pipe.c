/*
 * pipe.c: pipes between two environments, at user level (the code is in
 * pipe_inline.h, where a program may also inline it). A pipe is a ring
 * buffer in a shared page (see exos_spawn_with). A side that must wait
 * gives the processor straight to the other with yield_to, and if the pipe
 * is still blocked when it comes back, sleeps on a wakeup predicate
 * (pipe_sleep, below) until the pipe changes or the other side is gone.
 */
#include "pipe_inline.h"

void pipe_init(struct exos_pipe *p)
{
	p->head = p->tail = 0;
	if (exos_page_cap((u32)(uintptr_t)p, &p->cap_name, &p->cap_check) < 0)
		p->cap_name = p->cap_check = 0;
}

int pipe_write(struct exos_pipe *p, const void *data, u32 n, u32 peer)
{
	return pipe_write_inline(p, data, n, peer);
}

int pipe_read(struct exos_pipe *p, void *data, u32 n, u32 peer)
{
	return pipe_read_inline(p, data, n, peer);
}

int pipe_sleep(struct exos_pipe *p, u32 peer, u32 blocked)
{
	u32 off = (u32)(uintptr_t)p & (PAGE_SIZE - 1);
	if (p->cap_name == 0 || (peer & 0xff) >= KINFO_NENV ||
	    off + __builtin_offsetof(struct exos_pipe, buf) > PAGE_SIZE)
		return -E_INVAL;
	/* Hold once head - tail != blocked (the reader's 0: something to read;
	 * the writer's PIPE_SIZE: room to write), or once peer's slot of the
	 * public page names someone else (the other end is gone). The program
	 * does not change between sleeps of one end, so the kernel's cached
	 * compilation serves them all. */
	const struct dc_insn prog[] = {
		DC_INSN(DC_LDWA, 0, 0, 0, off + __builtin_offsetof(struct exos_pipe, head)),
		DC_INSN(DC_LDWA, 1, 0, 0, off + __builtin_offsetof(struct exos_pipe, tail)),
		DC_INSN(DC_SUB, 0, 1, 0, 0),
		DC_INSN(DC_JNEI, 0, 0, 3, blocked),                     /* -> RETI 1 */
		DC_INSN(DC_LDWA, 2, 0, WK_PUBLIC_WIN, KINFO_ENV_OFF + (peer & 0xff) * KINFO_ENV_SIZE),
		DC_INSN(DC_JNEI, 2, 0, 1, peer),                        /* -> RETI 1 */
		DC_INSN(DC_RETI, 0, 0, 0, 0),
		DC_INSN(DC_RETI, 0, 0, 0, 1),
	};
	const struct wk_page page = { p->cap_name, p->cap_check };
	return exos_wait_pred(prog, ARRAY_SIZE(prog), &page, 1);
}
