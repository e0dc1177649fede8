/*
 * pipe_inline.h: the code of ExOS's pipes (pipe.c) as static inline
 * functions, so that a program can compile them into its own code (the
 * paper's pipe' row: the pipe inlined into the application rather than
 * called in the library). pipe.c's pipe_write and pipe_read are these same
 * functions, out of line. A pipe is a ring buffer in memory both
 * environments map; the writer advances head, the reader tail, each only
 * after the bytes are in place, so neither needs a lock on one processor.
 * A side that must wait (full or empty) gives the processor straight to the
 * other with yield_to.
 */
#ifndef EXOS_PIPE_INLINE_H
#define EXOS_PIPE_INLINE_H
#include "exos.h"

/* Give the processor to peer so that it can fill or drain the pipe: 0, or
 * -E_NOENT if peer is gone. A peer that exists but cannot run now (asleep on
 * a wakeup predicate, or waiting in a protected control transfer) is not
 * gone: then the processor goes round the others (yield). */
static inline int pipe_wait_peer(u32 peer)
{
	if (sys_yield_to(peer) == 0)
		return 0;
	if (sys_env_status(peer) < 0)
		return -E_NOENT;
	sys_yield();
	return 0;
}

/* Write n bytes of data to p, yielding to peer while it is full. Returns
 * n, or -E_NOENT if the reader (peer) is gone. */
static inline int pipe_write_inline(struct exos_pipe *p, const void *data, u32 n, u32 peer)
{
	const u8 *d = data;
	for (u32 done = 0; done < n;) {
		u32 space = PIPE_SIZE - (p->head - p->tail);
		if (space == 0) {
			if (pipe_wait_peer(peer) < 0)
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

/* Read n bytes from p into data, yielding to peer while it is empty.
 * Returns n, or fewer (what there was) if the writer (peer) is gone. */
static inline int pipe_read_inline(struct exos_pipe *p, void *data, u32 n, u32 peer)
{
	u8 *d = data;
	for (u32 done = 0; done < n;) {
		u32 avail = p->head - p->tail;
		if (avail == 0) {
			/* The writer may have written its last bytes and ended
			 * between the check above and now: look once more. */
			if (pipe_wait_peer(peer) < 0 && p->head == p->tail)
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
