/*
 * srpipe.c: a pipe in a software region (docs/regions.md), for two
 * environments that do not trust each other. Neither can corrupt the
 * other's index, because each holds capabilities only for what it may write:
 *
 *   [0, 4)                 tail, bytes read ever: the reader writes it
 *   [4, 8)                 head, bytes written ever: the writer writes it
 *   [8, 8 + SRPIPE_DATA)   the ring of data: the writer writes it
 *
 * The writer's end: RW over [4, end) and R over [0, 4); the reader's: R over
 * [4, end) and RW over [0, 4). Indexes are read through the kernel each time
 * and checked (a lying peer can make the other see garbage data or no room,
 * never write outside the ring or read outside the region).
 */
#include "exos.h"

#define TAIL_OFF 0u
#define HEAD_OFF 4u
#define DATA_OFF 8u
#define SR_PACK(a, b) ((u32)(a) << 16 | (u32)(b))

/* Read the word at off through capability (name, check); 0 on an error. */
static u32 get_word(u32 name, u32 check, u32 off)
{
	u32 w = 0;
	if (sys_sr_read(name, check, SR_PACK(off, 4), &w) != 4)
		return 0;
	return w;
}

/* Derive a capability for [lo, hi) with rights from the root into *name,
 * *check; 0 or a negative error. */
static int derive(u32 rname, u32 rcheck, u32 lo, u32 hi, u32 rights, u32 *name, u32 *check)
{
	u64 r = sys_sr_derive(rname, rcheck, SR_PACK(lo, hi), rights);
	if ((int)(u32)r < 0)
		return (int)(u32)r;
	*name = (u32)r;
	*check = (u32)(r >> 32);
	return 0;
}

int srpipe_create(struct srpipe_end *reader, struct srpipe_end *writer, u32 *root_name,
		  u32 *root_check)
{
	const u32 end = DATA_OFF + SRPIPE_DATA;
	u64 r = sys_sr_alloc(end);
	if ((int)(u32)r < 0)
		return (int)(u32)r;
	u32 rn = (u32)r, rc = (u32)(r >> 32);
	int e;
	if ((e = derive(rn, rc, HEAD_OFF, end, SR_R | SR_W, &writer->data_name, &writer->data_check)) ||
	    (e = derive(rn, rc, TAIL_OFF, HEAD_OFF, SR_R, &writer->idx_name, &writer->idx_check)) ||
	    (e = derive(rn, rc, HEAD_OFF, end, SR_R, &reader->data_name, &reader->data_check)) ||
	    (e = derive(rn, rc, TAIL_OFF, HEAD_OFF, SR_R | SR_W, &reader->idx_name, &reader->idx_check))) {
		sys_sr_free(rn, rc);
		return e;
	}
	*root_name = rn;
	*root_check = rc;
	return 0;
}

/* Copy n bytes between buf and the ring through (name, check), starting at
 * ring position pos (an index: it wraps), into the ring if to_ring. At most
 * two calls: up to the ring's end, then from its start. 0 or an error. */
static int ring_copy(u32 name, u32 check, u32 pos, u8 *buf, u32 n, bool to_ring)
{
	for (u32 done = 0; done < n;) {
		u32 at = (pos + done) % SRPIPE_DATA, k = SRPIPE_DATA - at;
		if (k > n - done)
			k = n - done;
		u32 off_len = SR_PACK(DATA_OFF + at, k);
		int r = to_ring ? sys_sr_write(name, check, off_len, buf + done)
				: sys_sr_read(name, check, off_len, buf + done);
		if (r < 0)
			return r;
		done += k;
	}
	return 0;
}

int srpipe_write(const struct srpipe_end *w, const void *data, u32 n)
{
	u32 head = get_word(w->data_name, w->data_check, HEAD_OFF);
	u32 tail = get_word(w->idx_name, w->idx_check, TAIL_OFF);
	u32 used = head - tail;
	if (used > SRPIPE_DATA)
		return -E_INVAL;                  /* the reader lies about its index */
	u32 room = SRPIPE_DATA - used;
	if (n > room)
		n = room;
	int r = ring_copy(w->data_name, w->data_check, head, (u8 *)(uintptr_t)data, n, true);
	if (r < 0)
		return r;
	head += n;
	r = sys_sr_write(w->data_name, w->data_check, SR_PACK(HEAD_OFF, 4), &head);
	return r < 0 ? r : (int)n;
}

int srpipe_read(const struct srpipe_end *rd, void *data, u32 n)
{
	u32 head = get_word(rd->data_name, rd->data_check, HEAD_OFF);
	u32 tail = get_word(rd->idx_name, rd->idx_check, TAIL_OFF);
	u32 avail = head - tail;
	if (avail > SRPIPE_DATA)
		return -E_INVAL;                  /* the writer lies about its index */
	if (n > avail)
		n = avail;
	int r = ring_copy(rd->data_name, rd->data_check, tail, data, n, false);
	if (r < 0)
		return r;
	tail += n;
	r = sys_sr_write(rd->idx_name, rd->idx_check, SR_PACK(TAIL_OFF, 4), &tail);
	return r < 0 ? r : (int)n;
}
