/*
 * disk.c: ExOS's side of the disk (docs/storage.md). Aegis only queues
 * requests and sets a completion word when one is over; waiting for it is
 * the library OS's business: a wakeup predicate over the word's page, so
 * that the kernel runs the waiter again only once the word is set.
 */
#include "exos.h"

/* Clear *word, queue req with submit (retrying while the queue is full),
 * sleep until *word (in the page wname, wcheck) is set or ticks have
 * passed: the request's status, -E_AGAIN if it did not end in time, or
 * submit's error. */
static int rw_wait(int (*submit)(const void *), const void *req, u32 wname, u32 wcheck,
		   volatile u32 *word, u32 ticks)
{
	u32 start = read_count();
	*word = 0;
	int e = submit(req);
	while (e == -E_AGAIN && read_count() - start < ticks) {   /* the queue is full */
		sys_yield();
		e = submit(req);
	}
	if (e < 0)
		return e;
	u32 spent = read_count() - start;
	e = exos_wait_changed_cap(word, wname, wcheck, 0, spent < ticks ? ticks - spent : 0);
	if (e < 0)
		return e;
	u32 w = *word;
	return w & DISK_DONE ? DISK_STATUS(w) : -E_AGAIN;
}

int exos_disk_rw_wait(const struct disk_req *r, volatile u32 *word, u32 ticks)
{
	return rw_wait(sys_disk_rw, r, r->wname, r->wcheck, word, ticks);
}

int exos_xn_io_wait(const struct xn_io *r, volatile u32 *word, u32 ticks)
{
	return rw_wait(sys_xn_io, r, r->wname, r->wcheck, word, ticks);
}
