/*
 * pipe_inline.h: the code of ExOS's pipes (pipe.c) as static inline
 * functions, so that a program can compile them into its own code (the
 * paper's pipe' row: the pipe inlined into the application rather than
 * called in the library). pipe.c's pipe_write and pipe_read are these same
 * functions, out of line. A pipe is a ring buffer in memory both
 * environments map; the writer advances head, the reader tail, each only
 * after the bytes are in place, so neither needs a lock on one processor.
 * A side that must wait (full or empty) gives the processor straight to the
 * other with yield_to, and sleeps on a wakeup predicate (pipe_sleep) if the
 * pipe is still blocked when the processor comes back.
 */
#ifndef EXOS_PIPE_INLINE_H
#define EXOS_PIPE_INLINE_H
#include "exos.h"

/* Wait for peer to change p, whose head - tail is blocked (0: empty, for
 * the reader; PIPE_SIZE: full, for the writer): 0 when it may have changed,
 * or -E_NOENT if peer is gone.
 *
 * First the directed hand-off: yield_to peer. In a round trip the peer is
 * runnable (it yielded to us) and answers in the slice we give it, so the
 * pipe has changed when we come back and nobody sleeps. Measured (ipc_pipe,
 * -icount): 133 Count ticks a round trip this way, 500 when each side
 * sleeps at once instead (docs/exos.md). Only if the pipe is still blocked (the peer is busy with
 * something else, asleep itself, or waiting in a protected control
 * transfer) do we sleep on a predicate that holds once the pipe changes or
 * peer is gone: a blocked end then costs nothing until then, however long
 * the peer takes. Yielding round the others is left for a pipe that cannot
 * be slept on (no capability noted by pipe_init). */
static inline int pipe_wait_peer(struct exos_pipe *p, u32 peer, u32 blocked)
{
	if (sys_yield_to(peer) == 0 && p->head - p->tail != blocked)
		return 0;
	if (sys_env_status(peer) < 0)
		return -E_NOENT;
	if (pipe_sleep(p, peer, blocked) < 0)
		sys_yield();
	return 0;
}

/* Write n bytes of data to p, waiting for peer while it is full. Returns
 * n, or -E_NOENT if the reader (peer) is gone. */
static inline int pipe_write_inline(struct exos_pipe *p, const void *data, u32 n, u32 peer)
{
	const u8 *d = data;
	for (u32 done = 0; done < n;) {
		u32 space = PIPE_SIZE - (p->head - p->tail);
		if (space == 0) {
			if (pipe_wait_peer(p, peer, PIPE_SIZE) < 0)
				return -E_NOENT;        /* the reader is gone */
			continue;
		}
		u32 k = n - done < space ? n - done : space;
		for (u32 i = 0; i < k; i++)
			p->buf[(p->head + i) % PIPE_SIZE] = d[done + i];
		__asm__ volatile("" ::: "memory");
		p->head += k;
		done += k;
	}
	return (int)n;
}

/* Read n bytes from p into data, waiting for peer while it is empty.
 * Returns n, or fewer (what there was) if the writer (peer) is gone. */
static inline int pipe_read_inline(struct exos_pipe *p, void *data, u32 n, u32 peer)
{
	u8 *d = data;
	for (u32 done = 0; done < n;) {
		u32 avail = p->head - p->tail;
		if (avail == 0) {
			/* The writer may have written its last bytes and ended
			 * between the check above and now: look once more. */
			if (pipe_wait_peer(p, peer, 0) < 0 && p->head == p->tail)
				return (int)done;       /* the writer is gone: what there was */
			continue;
		}
		u32 k = n - done < avail ? n - done : avail;
		for (u32 i = 0; i < k; i++)
			d[done + i] = p->buf[(p->tail + i) % PIPE_SIZE];
		__asm__ volatile("" ::: "memory");
		p->tail += k;
		done += k;
	}
	return (int)n;
}
#endif
