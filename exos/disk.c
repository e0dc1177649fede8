/*
 * disk.c: ExOS's side of the disk (docs/storage.md). Aegis only queues
 * requests and sets a completion word when one is over; waiting for it is
 * the library OS's business: a wakeup predicate over the word's page, so
 * that the kernel runs the waiter again only once the word is set.
 */
#include "exos.h"

int exos_disk_rw_wait(const struct disk_req *r, volatile u32 *word, u32 ticks)
{
	u32 start = read_count();
	*word = 0;
	int e = sys_disk_rw(r);
	while (e == -E_AGAIN && read_count() - start < ticks) {   /* the queue is full */
		sys_yield();
		e = sys_disk_rw(r);
	}
	if (e < 0)
		return e;
	u32 spent = read_count() - start;
	e = exos_wait_changed_cap(word, r->wname, r->wcheck, 0, spent < ticks ? ticks - spent : 0);
	if (e < 0)
		return e;
	u32 w = *word;
	return w & DISK_DONE ? DISK_STATUS(w) : -E_AGAIN;
}
