/*
 * disktest: the disk tests, run as the first environment by `make test`
 * (init=disktest kcheck) on a board with a 4 MiB scratch disk image on the
 * IDE primary master (tools/qemu.py disk()). Prints KTAP: subtest
 * "disktest", one result per test; after every test the kernel's invariant
 * checker must find nothing. Started with a nonzero argument, the same
 * program is one of the children (one that leaves with requests queued, or
 * one that holds a page the suite attacks).
 */
#include "../utest/utest.h"
#include "../utest/kids.h"

int failed_checks;

#define BOX_VA        0x00006000u       /* the shared page in a child */
#define PARENT_BOX_VA 0x30f00000u       /* ... and in the suite */
#define BUF_VA        0x31000000u       /* data pages */
#define DONE_VA       0x31100000u       /* the suite's completion words */
#define SECOND        160000000u        /* CP0 Count ticks (160 MHz) */
#define DISK_BLOCKS   8192              /* the runner's image: 4 MiB */
#define NREQ          (DISK_QUEUE / 2)  /* requests a leaving child queues: its fair share */
#define FAIR_ROUNDS   24                /* the suite's measured reads during a flood */

struct box {
	volatile u32 step;
	volatile u32 ppn, check;          /* a child's page */
	volatile u32 xname, xcheck, xstart;  /* an extent for a child */
	volatile u32 queued;              /* requests a child queued */
	volatile u32 done_at_exit;        /* ... of which were over when it left */
};
static struct box *box = (struct box *)PARENT_BOX_VA;
static u32 box_ppn, box_check, done_ppn, done_check;

enum { C_LEAVER = 1, C_UNREF, C_HOLDER, C_EXT_HOG, C_FLOOD };

static bool pio;                  /* booted with disk.pio: no DMA expected */

static int child_spawn(u32 mode)
{
	return kid_spawn("disktest", mode, BOX_VA, box_ppn, box_check);
}

static u8 pattern(u32 seq, u32 i) { return (u8)(seq * 37 + i * 7 + 1); }

static void fill(u32 va, u32 seq)
{
	for (u32 i = 0; i < PAGE_SIZE; i++)
		((volatile u8 *)va)[i] = pattern(seq, i);
}

static struct disk_info info_now(void)
{
	struct disk_info in;
	for (u32 i = 0; i < sizeof in; i++)
		((u8 *)&in)[i] = 0;
	sys_disk_info(&in);
	return in;
}

/* A request with the completion word woff of the suite's done page. */
static struct disk_req req(u32 op, u32 xname, u32 xcheck, u32 block, u32 count, u32 pname,
			   u32 pcheck, u32 off, u32 woff)
{
	struct disk_req r = { op, xname, xcheck, block, count, pname, pcheck, off,
			      CAP_NAME(done_ppn, CAP_RW), done_check, woff };
	return r;
}

/* Sleep until the completion word at woff of the done page is set or two
 * seconds have passed: the word. */
static u32 wait_done(u32 woff)
{
	volatile u32 *w = (volatile u32 *)(DONE_VA + woff);
	exos_wait_changed_cap(w, CAP_NAME(done_ppn, CAP_RW), done_check, 0, 2 * SECOND);
	return *w;
}

/* Queue one request and sleep until it is over: its status (0, -E_*). */
static int disk_do(u32 op, u32 xname, u32 xcheck, u32 block, u32 count, u32 ppn, u32 check,
		   u32 off)
{
	struct disk_req r = req(op, xname, xcheck, block, count, CAP_NAME(ppn, CAP_RW), check, off, 0);
	return exos_disk_rw_wait(&r, (volatile u32 *)DONE_VA, 2 * SECOND);
}

/* Yield until no request is queued (two seconds at most): whether none is. */
static bool wait_idle(void)
{
	u32 start = read_count();
	while (info_now().queued && read_count() - start < 2 * SECOND)
		sys_yield();
	return info_now().queued == 0;
}

static u64 alloc(u32 start, u32 count) { return sys_disk_alloc(start, count); }
static u32 lo(u64 v) { return (u32)v; }
static u32 hi(u64 v) { return (u32)(v >> 32); }

/* ---- children ---- */

/* Queue NREQ reads of a whole page into a page of its own (completion words
 * in the same page), then leave at once (C_LEAVER: exit; C_UNREF: let go of
 * the page and wait, still alive, until the suite says done). */
static int leaver(u32 mode)
{
	struct box *b = (struct box *)BOX_VA;
	u32 ppn, check;
	if (!new_page(BUF_VA, &ppn, &check))
		return 90;
	struct disk_info before = info_now();
	u32 n = 0;
	for (u32 k = 0; k < NREQ; k++) {
		struct disk_req r = { DISK_READ, b->xname, b->xcheck, b->xstart + 8 * k, DISK_MAXREQ,
				      CAP_NAME(ppn, CAP_RW), check, 0,
				      CAP_NAME(ppn, CAP_RW), check, 4 * k };
		n += sys_disk_rw(&r) == 0;
	}
	b->ppn = ppn;
	b->check = check;
	b->queued = n;
	b->done_at_exit = info_now().requests - before.requests;
	return kid_leave(BUF_VA, mode == C_UNREF, &b->step);
}

static int alloc_one(u32 k) { return (int)(u32)sys_disk_alloc(4000 + k, 1); }

/* Allocate one-block extents from block 4000 on until refused: the count
 * in queued, the error (as a positive code) in done_at_exit; then end (its
 * extents go with it). */
static int ext_hog(void)
{
	struct box *b = (struct box *)BOX_VA;
	kid_take_until_refused(alloc_one, DISK_MAXEXT, &b->queued, &b->done_at_exit);
	return 0;
}

/* Flood the queue: write block xstart again and again, the k-th write
 * carrying k + 1 in its first word, queueing whenever the kernel lets it
 * (yielding when refused), until the suite sets step to 2; the count of
 * writes queued in queued, of refusals in done_at_exit. */
static int flooder(void)
{
	struct box *b = (struct box *)BOX_VA;
	u32 ppn, check;
	if (!new_page(BUF_VA, &ppn, &check))
		return 90;
	b->queued = b->done_at_exit = 0;
	b->step = 1;
	while (b->step != 2) {
		((volatile u32 *)BUF_VA)[0] = b->queued + 1;
		struct disk_req r = { DISK_WRITE, b->xname, b->xcheck, b->xstart, 1,
				      CAP_NAME(ppn, CAP_RW), check, 0,
				      CAP_NAME(ppn, CAP_RW), check, 2048 };
		int e = sys_disk_rw(&r);
		if (e == 0)
			b->queued++;
		else if (e == -E_AGAIN) {
			b->done_at_exit++;
			sys_yield();
		} else
			return 91;
	}
	return 0;
}

/* Hold a page of its own and publish its capability, until told. */
static int holder(void)
{
	struct box *b = (struct box *)BOX_VA;
	return kid_hold_page(BUF_VA, &b->step, &b->ppn, &b->check);
}

/* ---- tests ---- */

static void test_info(void)
{
	struct disk_info in = info_now();
	CHECK(sys_disk_info(&in) == DISK_BLOCKS);
	CHECK(in.nblocks == DISK_BLOCKS && in.free == DISK_BLOCKS && in.extents == 0);
	CHECK(in.model[0] != 0 && in.model[40] == 0);
	CHECK(sys_disk_info((void *)0) == -E_FAULT);
	CHECK(sys_disk_info((void *)0x80001000u) == -E_FAULT);
	printf("    # disk: \"%s\", %u blocks\n", in.model, in.nblocks);
}

/* Extents: the free map, blocks past the end, overlaps, rights, staleness. */
static void test_alloc_checks(void)
{
	int fails = sys_capfails();
	CHECK((int)lo(alloc(0, 0)) == -E_INVAL);
	CHECK((int)lo(alloc(DISK_BLOCKS, 1)) == -E_INVAL);          /* past the end */
	CHECK((int)lo(alloc(DISK_BLOCKS - 2, 4)) == -E_INVAL);      /* crosses the end */
	CHECK((int)lo(alloc(0xffffffffu, 2)) == -E_INVAL);          /* wraps */
	CHECK((int)lo(alloc(1, 0xffffffffu)) == -E_INVAL);
	u64 a = alloc(100, 50);
	CHECK((int)lo(a) >= 0 && (lo(a) & DISK_XCAP) && (lo(a) & 3) == DISK_RW);
	CHECK((int)lo(alloc(149, 10)) == -E_BUSY);                  /* overlaps its end */
	CHECK((int)lo(alloc(90, 11)) == -E_BUSY);                   /* and its start */
	CHECK((int)lo(alloc(0, DISK_BLOCKS)) == -E_BUSY);
	u64 b = alloc(150, 10);                                       /* adjacent: fine */
	CHECK((int)lo(b) >= 0);
	CHECK(info_now().free == DISK_BLOCKS - 60 && info_now().extents == 2);
	u64 r = sys_disk_derive(lo(a), hi(a));
	CHECK((int)lo(r) >= 0 && (lo(r) & 3) == DISK_R && hi(r) != hi(a));
	CHECK((int)lo(sys_disk_derive(lo(r), hi(r))) == -E_PERM);
	CHECK(sys_disk_free(lo(r), hi(r)) == -E_PERM);              /* read-only */
	CHECK(sys_capfails() == fails);
	CHECK(sys_disk_free(lo(a), hi(a) ^ 1) == -E_BADCAP);        /* forged */
	CHECK(sys_disk_free(lo(a) ^ 0x10, hi(a)) == -E_BADCAP);     /* another entry */
	CHECK(sys_disk_free(lo(a) & ~DISK_XCAP, hi(a)) == -E_BADCAP);
	CHECK(sys_disk_free(lo(a) | 4, hi(a)) == -E_BADCAP);
	CHECK(sys_disk_free(lo(a) + (1u << 16), hi(a)) == -E_BADCAP);  /* the next generation */
	CHECK(sys_capfails() == fails + 5);
	CHECK(sys_disk_free(lo(a), hi(a)) == 0);
	CHECK(sys_disk_free(lo(a), hi(a)) == -E_BADCAP);            /* stale */
	CHECK((int)lo(sys_disk_derive(lo(a), hi(a))) == -E_BADCAP);
	u64 a2 = alloc(100, 50);                                      /* the same entry again */
	CHECK((int)lo(a2) >= 0 && lo(a2) != lo(a) && hi(a2) != hi(a));
	CHECK(sys_disk_free(lo(a), hi(a)) == -E_BADCAP);
	CHECK(sys_disk_free(lo(a2), hi(a2)) == 0 && sys_disk_free(lo(b), hi(b)) == 0);
	CHECK(info_now().free == DISK_BLOCKS && info_now().extents == 0);
	/* The table has room for DISK_MAXEXT. */
	u64 x[DISK_MAXEXT];
	u32 got = 0;
	for (u32 i = 0; i < DISK_MAXEXT; i++) {
		x[i] = alloc(i, 1);
		got += (int)lo(x[i]) >= 0;
	}
	CHECK(got == DISK_MAXEXT);
	CHECK((int)lo(alloc(DISK_MAXEXT, 1)) == -E_NOMEM);
	for (u32 i = 0; i < DISK_MAXEXT; i++)
		CHECK(sys_disk_free(lo(x[i]), hi(x[i])) == 0);
}

/* Blocks written from one page and read back into another, data checked;
 * completions come by interrupt and the suite sleeps on them. */
static void test_write_read(void)
{
	u32 ap = 0, ac = 0, bp = 0, bc = 0;
	CHECK(new_page(BUF_VA, &ap, &ac) && new_page(BUF_VA + PAGE_SIZE, &bp, &bc));
	u64 x = alloc(16, 48);
	CHECK((int)lo(x) >= 0);
	struct disk_info before = info_now();
	fill(BUF_VA, 1);
	CHECK(disk_do(DISK_WRITE, lo(x), hi(x), 16, 8, ap, ac, 0) == 0);
	fill(BUF_VA, 2);
	CHECK(disk_do(DISK_WRITE, lo(x), hi(x), 24, 3, ap, ac, 1024) == 0);
	fill(BUF_VA, 3);
	CHECK(disk_do(DISK_WRITE, lo(x), hi(x), 63, 1, ap, ac, 3584) == 0);   /* the extent's last */
	for (u32 i = 0; i < PAGE_SIZE; i++)
		((volatile u8 *)(BUF_VA + PAGE_SIZE))[i] = 0xee;
	CHECK(disk_do(DISK_READ, lo(x), hi(x), 16, 8, bp, bc, 0) == 0);
	u32 bad = 0;
	for (u32 i = 0; i < PAGE_SIZE; i++)
		bad += ((volatile u8 *)(BUF_VA + PAGE_SIZE))[i] != pattern(1, i);
	CHECK(bad == 0);
	/* Blocks 24..26 and 63 into the middle of the page; the rest untouched. */
	for (u32 i = 0; i < PAGE_SIZE; i++)
		((volatile u8 *)(BUF_VA + PAGE_SIZE))[i] = 0xee;
	CHECK(disk_do(DISK_READ, lo(x), hi(x), 24, 3, bp, bc, 512) == 0);
	CHECK(disk_do(DISK_READ, lo(x), hi(x), 63, 1, bp, bc, 2048) == 0);
	bad = 0;
	for (u32 i = 0; i < PAGE_SIZE; i++) {
		u8 v = ((volatile u8 *)(BUF_VA + PAGE_SIZE))[i];
		u8 want = i >= 512 && i < 2048 ? pattern(2, i - 512 + 1024) :
			  i >= 2048 && i < 2560 ? pattern(3, i - 2048 + 3584) : 0xee;
		bad += v != want;
	}
	CHECK(bad == 0);
	/* Several requests queued at once, each with its own completion word. */
	u32 nq = 0;
	for (u32 k = 0; k < DISK_QUEUE; k++) {
		((volatile u32 *)DONE_VA)[1 + k] = 0;
		struct disk_req r = req(DISK_READ, lo(x), hi(x), 16 + k, 1, CAP_NAME(bp, CAP_RW), bc,
					512 * k, 4 * (1 + k));
		int e = sys_disk_rw(&r);
		CHECK(e == 0 || e == -E_AGAIN);
		if (e)
			break;                     /* its fair share, or the queue, is full */
		nq++;
	}
	CHECK(nq > 0);
	u32 w = wait_done(4 * nq);                 /* the last: its own are FIFO, so all are over */
	CHECK(w == DISK_DONE);
	for (u32 k = 0; k < nq; k++)
		CHECK(((volatile u32 *)DONE_VA)[1 + k] == DISK_DONE);
	bad = 0;
	for (u32 i = 0; i < nq * 512; i++)
		bad += ((volatile u8 *)(BUF_VA + PAGE_SIZE))[i] != pattern(1, i);
	CHECK(bad == 0);
	struct disk_info after = info_now();
	CHECK(after.blocks_written - before.blocks_written == 12);
	CHECK(after.blocks_read - before.blocks_read == 12 + nq);
	/* While the suite runs (spinning, bounded, on the word: the idle loop,
	 * which also steps the drive, never runs), only the drive's
	 * interrupt can finish a request. */
	((volatile u32 *)DONE_VA)[0] = 0;
	struct disk_req rq = req(DISK_READ, lo(x), hi(x), 16, 8, CAP_NAME(bp, CAP_RW), bc, 0, 0);
	CHECK(sys_disk_rw(&rq) == 0);
	u32 start = read_count();
	while (!((volatile u32 *)DONE_VA)[0] && read_count() - start < 2 * SECOND)
		;
	CHECK(((volatile u32 *)DONE_VA)[0] == DISK_DONE);
	struct disk_info spun = info_now();
	/* PIO: a step per sector; DMA: one for the request. */
	CHECK(spun.interrupts - after.interrupts >= (pio ? 8u : 1u) && spun.polls == after.polls);
	CHECK(pio ? spun.dma == 0 : spun.dma - before.dma == spun.requests - before.requests);
	printf("    # %s: %u requests, %u interrupts, %u polled steps\n", pio ? "PIO" : "DMA",
	       after.requests - before.requests, after.interrupts - before.interrupts,
	       after.polls - before.polls);
	CHECK(sys_disk_free(lo(x), hi(x)) == 0);
	CHECK(vm_unmap(BUF_VA, 2, true) == 0);
}

/* Every argument of disk_rw checked: each bad request refused, nothing
 * queued, nothing written. */
static void test_rw_checks(void)
{
	u32 ap = 0, ac = 0;
	CHECK(new_page(BUF_VA, &ap, &ac));
	u64 x = alloc(200, 16), other = alloc(300, 16);
	CHECK((int)lo(x) >= 0 && (int)lo(other) >= 0);
	u32 pn = CAP_NAME(ap, CAP_RW);
	u64 rcap = sys_cap_derive(pn, ac, CAP_R);
	u64 xr = sys_disk_derive(lo(x), hi(x));
	box->step = 0;
	int child = child_spawn(C_HOLDER);
	CHECK(child > 0 && wait_step(&box->step, 1, 100000));
	struct disk_info before = info_now();
	int fails = sys_capfails();
#define RW(op, xn, xc, blk, cnt, pnm, pck, off, woff) \
	({ struct disk_req _r = req(op, xn, xc, blk, cnt, pnm, pck, off, woff); sys_disk_rw(&_r); })
	/* Blocks outside the extent's range (and past the disk's end). */
	CHECK(RW(DISK_READ, lo(x), hi(x), 199, 1, pn, ac, 0, 0) == -E_PERM);
	CHECK(RW(DISK_READ, lo(x), hi(x), 216, 1, pn, ac, 0, 0) == -E_PERM);
	CHECK(RW(DISK_READ, lo(x), hi(x), 212, 8, pn, ac, 0, 0) == -E_PERM);   /* crosses its end */
	CHECK(RW(DISK_WRITE, lo(x), hi(x), 300, 1, pn, ac, 0, 0) == -E_PERM);  /* another's */
	CHECK(RW(DISK_READ, lo(x), hi(x), DISK_BLOCKS, 1, pn, ac, 0, 0) == -E_PERM);
	CHECK(RW(DISK_READ, lo(x), hi(x), 0xffffffffu, 2, pn, ac, 0, 0) == -E_PERM);
	/* Rights: a write with the read-only extent. */
	CHECK(RW(DISK_WRITE, lo(xr), hi(xr), 200, 1, pn, ac, 0, 0) == -E_PERM);
	CHECK(sys_capfails() == fails);
	/* Forged and stale extents. */
	CHECK(RW(DISK_READ, lo(x), hi(x) ^ 0x80, 200, 1, pn, ac, 0, 0) == -E_BADCAP);
	CHECK(RW(DISK_READ, lo(x) ^ 2, hi(x), 200, 1, pn, ac, 0, 0) == -E_BADCAP);
	CHECK(RW(DISK_READ, pn, ac, 200, 1, pn, ac, 0, 0) == -E_BADCAP);          /* a page's */
	CHECK(sys_disk_free(lo(other), hi(other)) == 0);
	CHECK(RW(DISK_READ, lo(other), hi(other), 300, 1, pn, ac, 0, 0) == -E_BADCAP);
	CHECK(sys_capfails() == fails + 4);
	/* Pages: not held, held read-only, forged, a range crossing the page. */
	u32 cn = CAP_NAME(box->ppn, CAP_RW), cc = box->check;
	CHECK(RW(DISK_READ, lo(x), hi(x), 200, 1, cn, cc, 0, 0) == -E_PERM);    /* the child's */
	CHECK(RW(DISK_WRITE, lo(x), hi(x), 200, 1, cn, cc, 0, 0) == -E_PERM);
	CHECK(RW(DISK_READ, lo(x), hi(x), 200, 1, lo(rcap), hi(rcap), 0, 0) == -E_BADCAP);
	CHECK(RW(DISK_READ, lo(x), hi(x), 200, 1, pn, ac ^ 1, 0, 0) == -E_BADCAP);
	CHECK(RW(DISK_READ, lo(x), hi(x), 200, 2, pn, ac, 3584, 0) == -E_INVAL);  /* crosses */
	CHECK(RW(DISK_READ, lo(x), hi(x), 200, 1, pn, ac, 4096, 0) == -E_INVAL);
	CHECK(RW(DISK_READ, lo(x), hi(x), 200, 1, pn, ac, 256, 0) == -E_INVAL);   /* unaligned */
	CHECK(RW(DISK_READ, lo(x), hi(x), 200, 0, pn, ac, 0, 0) == -E_INVAL);
	CHECK(RW(DISK_READ, lo(x), hi(x), 200, 9, pn, ac, 0, 0) == -E_INVAL);
	CHECK(RW(DISK_READ, lo(x), hi(x), 200, 0x80000001u, pn, ac, 0, 0) == -E_INVAL);
	CHECK(RW(0, lo(x), hi(x), 200, 1, pn, ac, 0, 0) == -E_INVAL);
	CHECK(RW(3, lo(x), hi(x), 200, 1, pn, ac, 0, 0) == -E_INVAL);
	/* The completion word: unaligned, outside the page, read-only, not held. */
	CHECK(RW(DISK_READ, lo(x), hi(x), 200, 1, pn, ac, 0, 2) == -E_INVAL);
	CHECK(RW(DISK_READ, lo(x), hi(x), 200, 1, pn, ac, 0, 4096) == -E_INVAL);
	{
		struct disk_req r = req(DISK_READ, lo(x), hi(x), 200, 1, pn, ac, 0, 0);
		r.wname = lo(rcap);
		r.wcheck = hi(rcap);
		CHECK(sys_disk_rw(&r) == -E_BADCAP);
		r.wname = cn;
		r.wcheck = cc;
		CHECK(sys_disk_rw(&r) == -E_PERM);
	}
	/* The request itself unreadable. */
	CHECK(sys_disk_rw((void *)0) == -E_FAULT);
	CHECK(sys_disk_rw((void *)0x80100000u) == -E_FAULT);
	CHECK(sys_disk_rw((void *)(0x7ffffffcu)) == -E_FAULT);
	struct disk_info after = info_now();
	CHECK(after.requests == before.requests && after.blocks_read == before.blocks_read);
	/* A read-only page capability serves a write (the disk reads it). */
	CHECK(disk_do(DISK_WRITE, lo(x), hi(x), 200, 1, ap, ac, 0) == 0);
	{
		((volatile u32 *)DONE_VA)[0] = 0;
		struct disk_req r = req(DISK_WRITE, lo(x), hi(x), 201, 1, lo(rcap), hi(rcap), 512, 0);
		CHECK(sys_disk_rw(&r) == 0 && wait_done(0) == DISK_DONE);
		r = req(DISK_READ, lo(xr), hi(xr), 201, 1, pn, ac, 512, 0);   /* and a read-only extent a read */
		((volatile u32 *)DONE_VA)[0] = 0;
		CHECK(sys_disk_rw(&r) == 0 && wait_done(0) == DISK_DONE);
	}
	box->step = 2;
	CHECK(kid_wait(child) == 0);
	CHECK(sys_disk_free(lo(x), hi(x)) == 0);
	CHECK(vm_unmap(BUF_VA, 1, true) == 0);
}

/* An environment queues reads into its page and ends (or lets go of the
 * page) with them in flight; the page, taken by the suite and filled, is
 * never written afterwards. */
static void leave_in_flight(u32 mode)
{
	u32 sp = 0, sc = 0;
	CHECK(new_page(BUF_VA + PAGE_SIZE, &sp, &sc));
	u64 x = alloc(1000, 8 * NREQ);
	CHECK((int)lo(x) >= 0);
	box->xname = lo(x);
	box->xcheck = hi(x);
	box->xstart = 1000;
	/* QEMU's drive can finish all its requests between two system calls (by DMA, or
	 * with PIO interrupts back to back): try (40 times at most) until some were caught in flight. */
	int child = 0;
	for (u32 tries = 0; tries == 0 || (box->done_at_exit == NREQ && tries < 40); tries++) {
		if (tries && mode == C_UNREF) {
			box->step = 2;
			kid_wait(child);
		}
		box->step = 0;
		child = child_spawn(mode);
		CHECK(kid_left(child, &box->step, mode == C_LEAVER));
	}
	u32 gone = box->ppn;
	CHECK(box->queued == NREQ);
	CHECK(box->done_at_exit < NREQ);           /* some were in flight: the test tests */
	printf("    # %u of %u requests over when the child let go\n", box->done_at_exit, NREQ);
	u64 r = sys_page_alloc(gone);
	CHECK((u32)r == gone);
	CHECK(vm_map_page(BUF_VA, gone, (u32)(r >> 32), VM_RW) == 0);
	for (u32 i = 0; i < PAGE_SIZE / 4; i++)
		((volatile u32 *)BUF_VA)[i] = 0x5a5a5a5au;
	CHECK(sys_kcheck(0) == 0);
	/* A read of the suite's own, and the queue empty: theirs are over. */
	CHECK(disk_do(DISK_READ, lo(x), hi(x), 1000, 8, sp, sc, 0) == 0);
	CHECK(wait_idle());
	u32 changed = 0;
	for (u32 i = 0; i < PAGE_SIZE / 4; i++)
		changed += ((volatile u32 *)BUF_VA)[i] != 0x5a5a5a5au;
	CHECK(changed == 0);
	if (mode == C_UNREF) {
		box->step = 2;
		CHECK(kid_wait(child) == 0);
	}
	CHECK(sys_disk_free(lo(x), hi(x)) == 0);
	CHECK(vm_unmap(BUF_VA, 2, true) == 0);
}

/* An extent with requests queued on it cannot be freed (its blocks could
 * go to another while they run); once they are over, it can. 8 requests of
 * a page each take long enough: the free comes before they are over. */
static void test_free_busy(void)
{
	u32 bp = 0, bc = 0;
	CHECK(new_page(BUF_VA, &bp, &bc));
	u64 x = 0;
	int freed = 0;
	u32 nq = 0;
	/* Tried until the free comes while requests are queued (QEMU's drive
	 * can finish them all between two system calls): at most 40 times. */
	for (u32 tries = 0; tries == 0 || (freed == 0 && tries < 40); tries++) {
		x = alloc(2000, 8 * DISK_QUEUE);
		CHECK((int)lo(x) >= 0);
		nq = 0;
		for (u32 k = 0; k < DISK_QUEUE; k++) {
			struct disk_req r = req(DISK_READ, lo(x), hi(x), 2000 + 8 * k, 8,
						CAP_NAME(bp, CAP_RW), bc, 0, 4 * nq);
			((volatile u32 *)DONE_VA)[nq] = 0;
			nq += sys_disk_rw(&r) == 0;
		}
		CHECK(nq >= DISK_QUEUE / 2);              /* at least its fair share */
		freed = sys_disk_free(lo(x), hi(x));
	}
	CHECK(freed == -E_BUSY);
	CHECK(sys_kcheck(0) == 0);
	CHECK(wait_done(4 * (nq - 1)) == DISK_DONE);
	CHECK(sys_disk_free(lo(x), hi(x)) == 0);
	CHECK(vm_unmap(BUF_VA, 1, true) == 0);
}

/* A block freed (with its extent) may hold its former owner's bytes: whoever
 * takes it next reads zeros until it is written again, block by block. */
static void test_freed_blocks_zeroed(void)
{
	u32 bp = 0, bc = 0;
	CHECK(new_page(BUF_VA, &bp, &bc));
	u64 x = alloc(6000, 8);
	CHECK((int)lo(x) >= 0);
	fill(BUF_VA, 5);
	CHECK(disk_do(DISK_WRITE, lo(x), hi(x), 6000, 8, bp, bc, 0) == 0);
	CHECK(sys_disk_free(lo(x), hi(x)) == 0);
	x = alloc(6000, 8);                        /* the same blocks, as anyone could */
	CHECK((int)lo(x) >= 0);
	fill(BUF_VA, 6);
	CHECK(disk_do(DISK_WRITE, lo(x), hi(x), 6002, 1, bp, bc, 1024) == 0);   /* one written */
	for (u32 i = 0; i < PAGE_SIZE; i++)
		((volatile u8 *)BUF_VA)[i] = 0xee;
	CHECK(disk_do(DISK_READ, lo(x), hi(x), 6000, 8, bp, bc, 0) == 0);
	u32 bad = 0;
	for (u32 i = 0; i < PAGE_SIZE; i++) {
		u8 want = i >= 1024 && i < 1536 ? pattern(6, i) : 0;
		bad += ((volatile u8 *)BUF_VA)[i] != want;
	}
	CHECK(bad == 0);
	CHECK(sys_disk_free(lo(x), hi(x)) == 0);
	CHECK(vm_unmap(BUF_VA, 1, true) == 0);
}

/* One environment floods the queue (flooder); the suite's reads of the
 * flooded block are still taken at once (its share: never -E_AGAIN) and
 * served within a bound: before each is served, at most one more of the
 * flooder's writes (the one on the drive when it was queued) reaches the
 * disk. The read tells how many did: the flooder's k-th write carries
 * k + 1, and its writes are served in its order; how many were over when
 * the read was queued is disk_info's count, read just before and just
 * after queueing (a round where the two differ is not measured). Without
 * turns (FIFO) the suite waits behind all of the flooder's queued writes;
 * without shares it is refused. */
static void test_fair_share(void)
{
	u32 bp = 0, bc = 0;
	CHECK(new_page(BUF_VA + PAGE_SIZE, &bp, &bc));
	u64 x = alloc(7000, 8);
	CHECK((int)lo(x) >= 0);
	CHECK(wait_idle());
	box->xname = lo(x);
	box->xcheck = hi(x);
	box->xstart = 7000;
	box->step = 0;
	struct disk_info base = info_now();
	int child = child_spawn(C_FLOOD);
	CHECK(child > 0 && wait_step(&box->step, 1, 100000));
	u32 mine = 0, refused = 0, worst = 0, most_ahead = 0, measured = 0, round;
	for (round = 0; round < 4 * FAIR_ROUNDS && measured < FAIR_ROUNDS; round++) {
		u32 start = read_count();                /* let the flood fill its share */
		while (read_count() - start < SECOND / 200)
			sys_yield();
		((volatile u32 *)DONE_VA)[0] = 0;
		struct disk_info now = info_now();
		u32 theirs_done = now.requests - base.requests - mine;   /* its first writes */
		u32 q = box->queued, ahead = q > theirs_done ? q - theirs_done : 0;   /* queued, not over */
		struct disk_req r = req(DISK_READ, lo(x), hi(x), 7000, 1, CAP_NAME(bp, CAP_RW), bc,
					0, 0);
		if (sys_disk_rw(&r) != 0) {
			refused++;
			continue;
		}
		u32 then = info_now().requests;
		CHECK(wait_done(0) == DISK_DONE);
		mine++;
		if (then != now.requests)
			continue;      /* one ended between the two calls: theirs_done is not exact */
		measured++;
		u32 v = ((volatile u32 *)(BUF_VA + PAGE_SIZE))[0];   /* its writes before mine */
		u32 between = v > theirs_done ? v - theirs_done : 0;
		worst = between > worst ? between : worst;
		most_ahead = ahead > most_ahead ? ahead : most_ahead;
	}
	box->step = 2;
	CHECK(kid_wait(child) == 0);
	printf("    # flood: %u writes queued, %u refused; the suite's %u reads: %u refused, "
	       "%u measured: at most %u of up to %u queued ahead served first\n", box->queued,
	       box->done_at_exit, mine, refused, measured, worst, most_ahead);
	CHECK(box->done_at_exit > 0);              /* the flooder was held to its share */
	CHECK(most_ahead >= 3);                    /* ... which it kept full: the test tests */
	CHECK(refused == 0 && mine == round && measured >= FAIR_ROUNDS / 2);
	CHECK(worst <= 1);                         /* the one on the drive */
	CHECK(info_now().refused > base.refused);
	CHECK(wait_idle() && sys_disk_free(lo(x), hi(x)) == 0);
	CHECK(vm_unmap(BUF_VA + PAGE_SIZE, 1, true) == 0);
}

/* What a request costs the kernel: COST_REQS writes, then as many reads,
 * of a page (8 blocks) each, one at a time; per request, the Count ticks
 * the kernel spent driving the drive (disk_info kticks: queueing, the
 * copies, starting, each step, finishing) and the steps it took: 8 with
 * PIO (one per sector), 1 with DMA. tools/disk_cost.py reads the line this
 * prints from boots under -icount, where a tick is a fixed number of
 * instructions. */
#define COST_REQS 32
static void test_cost(void)
{
	u32 bp = 0, bc = 0;
	CHECK(new_page(BUF_VA, &bp, &bc));
	u64 x = alloc(7100, 8 * COST_REQS);
	CHECK((int)lo(x) >= 0);
	CHECK(wait_idle());
	fill(BUF_VA, 9);
	struct disk_info in[3];
	for (u32 ph = 0; ph < 2; ph++) {
		in[ph] = info_now();
		for (u32 k = 0; k < COST_REQS; k++)
			CHECK(disk_do(ph ? DISK_READ : DISK_WRITE, lo(x), hi(x), 7100 + 8 * k, 8, bp,
				      bc, 0) == 0);
	}
	in[2] = info_now();
	u32 bad = 0;
	for (u32 i = 0; i < PAGE_SIZE; i++)
		bad += ((volatile u8 *)BUF_VA)[i] != pattern(9, i);
	CHECK(bad == 0);
	u32 steps[2], ticks[2];
	for (u32 ph = 0; ph < 2; ph++) {
		CHECK(in[ph + 1].requests - in[ph].requests == COST_REQS);
		CHECK(in[ph + 1].dma - in[ph].dma == (pio ? 0u : COST_REQS));
		steps[ph] = in[ph + 1].interrupts - in[ph].interrupts + in[ph + 1].polls - in[ph].polls;
		ticks[ph] = in[ph + 1].kticks - in[ph].kticks;
		CHECK(steps[ph] == COST_REQS * (pio ? DISK_MAXREQ : 1u));
	}
	printf("    # cost %s: per request of 8 blocks: write %u kticks %u steps, "
	       "read %u kticks %u steps\n", pio ? "pio" : "dma", ticks[0] / COST_REQS,
	       steps[0] / COST_REQS, ticks[1] / COST_REQS, steps[1] / COST_REQS);
	CHECK(sys_disk_free(lo(x), hi(x)) == 0);
	CHECK(vm_unmap(BUF_VA, 1, true) == 0);
}

static void test_exit_in_flight(void) { leave_in_flight(C_LEAVER); }
static void test_unref_in_flight(void) { leave_in_flight(C_UNREF); }

/* Extents are a budgeted resource (LIM_EXTENTS) and end with the
 * environment that allocated them: a child that tries to take the whole
 * table stops at its budget (ExOS's default for a child: a quarter of it),
 * -E_QUOTA; when it has ended, its blocks are free again. */
static void test_extent_budget(void)
{
	struct disk_info before = info_now();
	box->queued = box->done_at_exit = 0;
	int child = child_spawn(C_EXT_HOG);
	CHECK(child > 0 && kid_wait(child) == 0);
	CHECK(box->queued == DISK_MAXEXT / 4 && box->done_at_exit == E_QUOTA);
	struct disk_info after = info_now();
	CHECK(after.extents == before.extents && after.free == before.free);
	u64 x = alloc(4000, DISK_MAXEXT / 4);             /* the blocks it had */
	CHECK((int)lo(x) >= 0 && sys_disk_free(lo(x), hi(x)) == 0);
	CHECK(sys_kcheck(0) == 0);
}

static const struct utest tests[] = {
	{ "info", test_info },
	{ "alloc_checks", test_alloc_checks },
	{ "write_read", test_write_read },
	{ "rw_checks", test_rw_checks },
	{ "free_busy", test_free_busy },
	{ "freed_blocks_zeroed", test_freed_blocks_zeroed },
	{ "exit_in_flight", test_exit_in_flight },
	{ "unref_in_flight", test_unref_in_flight },
	{ "extent_budget", test_extent_budget },
	{ "fair_share", test_fair_share },
	{ "cost", test_cost },
};

int main(void)
{
	switch (exos_arg & 0xff) {
	case 0: break;
	case C_LEAVER: case C_UNREF: return leaver(exos_arg & 0xff);
	case C_HOLDER: return holder();
	case C_EXT_HOG: return ext_hog();
	case C_FLOOD: return flooder();
	default: return 99;
	}
	static char cmd[256];
	sys_cmdline(cmd, sizeof cmd);
	for (const char *c = cmd; *c; c++)
		pio |= (c == cmd || c[-1] == ' ') && !lib_strncmp(c, "disk.pio", 8) &&
		       (c[8] == ' ' || !c[8]);
	u64 r = sys_page_alloc(PAGE_ANY);
	box_ppn = (u32)r;
	box_check = (u32)(r >> 32);
	if ((int)box_ppn < 0 || vm_map_page(PARENT_BOX_VA, box_ppn, box_check, VM_RW) < 0 ||
	    !new_page(DONE_VA, &done_ppn, &done_check)) {
		printf("disktest: no box page\n");
		return 1;
	}
	return utest_run_checked("disktest", tests, (int)(sizeof tests / sizeof tests[0]),
				 (volatile u32 *)box, sizeof *box / 4);
}
