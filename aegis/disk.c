/*
 * disk.c: the disk, the exokernel way. Aegis protects disk blocks and
 * multiplexes the drive; it knows no file system. See docs/storage.md.
 *
 * Hardware: the primary channel of the PIIX4's IDE function (00:0a.1) in
 * legacy mode, at ISA I/O 0x1f0-0x1f7 (command block) and 0x3f6 (control
 * block), master drive only, LBA28, requests of up to DISK_MAXREQ sectors.
 * By default with the function's bus-master DMA engine (disk_dma.c): READ
 * DMA (0xc8) and WRITE DMA (0xca) between the drive and the request's
 * kernel buffer, one interrupt per request. With the word disk.pio on the
 * command line, or no usable engine, PIO: READ SECTORS (0x20) and WRITE
 * SECTORS (0x30), an interrupt for every sector read and after every
 * sector written; a PIO write's first sector raises no interrupt: the
 * drive is polled (bounded) for DRQ before it. The drive interrupts on ISA
 * IRQ 14 (edge-triggered) through the i8259s on the CPU's IP2 (pci.c).
 *
 * Protection: blocks are named by extent capabilities (struct extent, the
 * kernel's table of live extents, which is also the free map): a request
 * names one, and a page the caller holds by capability. Data never moves
 * between the drive and an environment's page directly: a write's data is
 * copied into the request's kernel buffer when it is queued; a read's is
 * copied from it into the page when the request is over, and only if the
 * requester still lives, still holds the page, and the page's secret is
 * the one it had when the request was queued (a freed page gets new ones).
 * So nothing the drive does reaches a page after its holder lets go of it,
 * with PIO or DMA alike (the engine only ever sees the kernel's buffers).
 *
 * Fairness: an environment with h requests queued may queue another only
 * while more than h of the DISK_QUEUE slots are free (so one alone holds at
 * most half), and the drive takes environments in turn (round-robin over
 * their slots), each one's requests in the order it queued them. XN's
 * writes of its own area are barriers: one is served only when every
 * request queued before it is over, and no request queued after it is
 * served before it (xn_area.c relies on that order).
 * XN's requests (xn.c: blocks of library file systems) go through the same
 * queue (disk_queue_xn), and XN hears when each is over (xn_io_done).
 */
#include "defs.h"
#include "disk_sched.h"

#define ATA_DATA   0x1f0
#define ATA_COUNT  0x1f2
#define ATA_LBA0   0x1f3
#define ATA_LBA1   0x1f4
#define ATA_LBA2   0x1f5
#define ATA_DEV    0x1f6
#define ATA_CMD    0x1f7          /* status when read: reading it clears INTRQ */
#define ATA_CTL    0x3f6          /* alternate status when read */
#define ST_ERR     0x01
#define ST_DRQ     0x08
#define ST_DF      0x20
#define ST_BSY     0x80
#define CTL_NIEN   0x02
#define CMD_READ   0x20
#define CMD_WRITE  0x30
#define CMD_READ_DMA  0xc8
#define CMD_WRITE_DMA 0xca
#define CMD_IDENT  0xec
#define DISK_IRQ   14
#define SPIN_MAX   200000         /* status reads before a busy-wait gives up */
#define DEADLINE   (2u * 160000000u)  /* Count ticks (2 s) a request may stay on the drive */
#define XI_AREA    (DISK_MAXEXT + 1)  /* dreq.xi of a write of XN's own area */

struct extent {
	u32 start, count;
	u32 check[2];                  /* secrets: [0] DISK_R, [1] DISK_RW */
	u16 gen;                       /* bumped when it dies: old names stop working */
	u8 payer;                      /* slot + 1 of the allocator it is charged to, 0: none */
	bool live;
	bool orphan;                   /* its allocator ended with requests on it queued */
};
static struct extent ext[DISK_MAXEXT];

struct dreq {
	u32 owner;                     /* the requester's environment id, 0: gone */
	u32 op, lba, count, xi;        /* xi: the extent's index (DISK_MAXEXT: an XN request,
	                                  XI_AREA: XN's own area, for nobody) */
	u32 xn, seq;                   /* XN: its block's entry + 1 (0: none) and xn_queue's seq */
	u32 ppn, pcheck, off;          /* the page and its page_identity when queued */
	u32 wppn, wcheck, woff;        /* the completion word's */
	u8 *buf;                       /* its kernel buffer: qbuf[slot], set at boot */
};
static struct dreq q[DISK_QUEUE];
/* The requests' data, whole pages: a buffer never crosses a 64 KiB line (one
 * DMA region, disk_dma.c) nor shares a cache line with anything else. */
static u8 qbuf[DISK_QUEUE][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static struct dsched qs[DISK_QUEUE];  /* each slot's place in the schedule: used, a barrier
                                     (XI_AREA), arrival, turn (the requester's env slot + 1,
                                     0: nobody's) */
static u32 qlen;                   /* slots used */
static u32 arrivals;               /* the next request's arrival */
static int cur = -1;               /* the slot on the drive, -1: none */
static u32 last_turn;              /* the turn last served */
static bool use_dma;               /* the bus-master engine moves the data */
static u32 done_blocks;            /* sectors of q[cur] moved so far (PIO) */
static u32 issued_at;              /* Count when it went to the drive */
static struct disk_info info;

static u8 alt_status(void) { return io_in8(ATA_CTL); }

/* Spin (bounded) until the drive is not busy: its status, or 0xff. */
static u8 wait_not_busy(void)
{
	for (u32 i = 0; i < SPIN_MAX; i++) {
		u8 s = alt_status();
		if (!(s & ST_BSY))
			return s;
	}
	return 0xff;
}

static void pio_in(u8 *dst)
{
	for (u32 i = 0; i < DISK_BLOCK; i += 2) {
		u16 w = io_in16(ATA_DATA);
		dst[i] = (u8)w;
		dst[i + 1] = (u8)(w >> 8);
	}
}

static void pio_out(const u8 *src)
{
	for (u32 i = 0; i < DISK_BLOCK; i += 2)
		io_out16(ATA_DATA, (u16)(src[i] | src[i + 1] << 8));
}

/* ---- the queue ---- */

/* Is page ppn still held by the live requester of r, with its secret? */
static bool still_held(const struct dreq *r, u32 ppn, u32 check)
{
	struct env *e = r->owner ? env_lookup(r->owner) : NULL;
	return e && page_still_held(ppn, env_slot(e), check);
}


/* ---- blocks a former owner wrote ---- */

/* A block freed by its extent or by XN is *tainted* until it is next
 * written: it may hold a former owner's bytes, so a read returns zeros for
 * it instead (as a new page is zeroed). A successful write clears it. The
 * map covers DISK_TAINT_BLOCKS blocks; disk_init uses no more of a larger
 * disk. What the disk held at boot is not tainted: ownership does not
 * outlive a boot yet (docs/storage.md). */
#define DISK_TAINT_BLOCKS (1u << 20)            /* 512 MiB */
static u32 taint[DISK_TAINT_BLOCKS / 32];

static bool tainted(u32 b) { return taint[b >> 5] >> (b & 31) & 1; }

void disk_taint(u32 block, u32 count)
{
	for (u32 b = block; b - block < count; b++)
		taint[b >> 5] |= 1u << (b & 31);
}

static void untaint(u32 block, u32 count)
{
	for (u32 b = block; b - block < count; b++)
		taint[b >> 5] &= ~(1u << (b & 31));
}

/* Is a request on extent i queued? */
static bool extent_queued(u32 i)
{
	for (u32 k = 0; k < DISK_QUEUE; k++)
		if (qs[k].used && q[k].xi == i)
			return true;
	return false;
}

/* Extent i dies: a new generation and new secrets (its capabilities stop
 * working), its blocks free, its allocator's budget given back. */
static void extent_free(u32 i)
{
	struct extent *x = &ext[i];
	x->live = false;
	x->orphan = false;
	x->gen++;
	x->check[0] = rand32();
	x->check[1] = rand32();
	info.extents--;
	info.free += x->count;
	disk_taint(x->start, x->count);
	if (x->payer)
		limit_uncharge(&envs[x->payer - 1], LIM_EXTENTS, 1);
	x->payer = 0;
}

/* Free the extents whose allocator has ended, once nothing on them is queued. */
static void free_orphans(void)
{
	for (u32 i = 0; i < DISK_MAXEXT; i++)
		if (ext[i].live && ext[i].orphan && !extent_queued(i))
			extent_free(i);
}

/* Request q[i] leaves the queue, over with status; XN hears of its own. */
static void release(u32 i, int status)
{
	struct dreq *r = &q[i];                     /* its slot is not reused before XN returns */
	qs[i].used = false;
	qlen--;
	if (r->xn)
		xn_io_done(r->xn - 1, r->op, status, r->seq, r->buf);
}

/* The request the drive should take next, -1: none (disk_sched.c: XN's
 * area writes are barriers; environments take turns, each one's requests
 * in order). */
static int pick(void)
{
	return dsched_pick(qs, DISK_QUEUE, last_turn, NENV + 1);
}

static void issue(u32 i);

/* Put the next request on the drive (none is on it): a read for nobody is
 * dropped (-E_IO) instead; any write goes (its data was taken when it was
 * queued). Extents whose allocator ended are freed once idle. */
static void next(void)
{
	int i;
	while ((i = pick()) >= 0 && !q[i].owner && q[i].op == DISK_READ)
		release((u32)i, -E_IO);
	free_orphans();
	if (i >= 0)
		issue((u32)i);
}

/* q[cur] is over with status (0 or -E_*): its data into the page (a read
 * that succeeded), DISK_DONE | -status into its completion word, each only
 * if the requester still holds that page; then the next request goes to
 * the drive. */
static void finish(int status)
{
	struct dreq *r = &q[cur];
	if (r->op == DISK_WRITE && !status)
		untaint(r->lba, r->count);
	if (r->op == DISK_READ && !status && still_held(r, r->ppn, r->pcheck)) {
		u32 pa = r->ppn * PAGE_SIZE + r->off, len = r->count * DISK_BLOCK;
		for (u32 k = 0; k < r->count; k++)         /* a former owner's bytes: zeros */
			if (tainted(r->lba + k))
				__builtin_memset(r->buf + k * DISK_BLOCK, 0, DISK_BLOCK);
		dcache_user_sync(pa, len);
		__builtin_memcpy(KADDR(pa), r->buf, len);
		dcache_user_sync(pa, len);
	}
	if (still_held(r, r->wppn, r->wcheck)) {
		u32 pa = r->wppn * PAGE_SIZE + r->woff;
		dcache_user_sync(pa, 4);
		*(volatile u32 *)KADDR(pa) = DISK_DONE | ((u32)-status & 0xffff);
		dcache_user_sync(pa, 4);
	}
	info.requests++;
	info.errors += status != 0;
	if (!status)
		*(r->op == DISK_READ ? &info.blocks_read : &info.blocks_written) += r->count;
	u32 i = (u32)cur;
	cur = -1;
	release(i, status);
	next();
}

/* Send command cmd (CMD_READ, CMD_WRITE) for count sectors at lba to
 * the drive, which is not busy. */
static void ata_command(u32 lba, u32 count, u8 cmd)
{
	(void)io_in8(ATA_CMD);        /* no interrupt left pending: IRQ 14 is edge-triggered */
	io_out8(ATA_DEV, (u8)(0xe0 | (lba >> 24 & 0x0f)));
	io_out8(ATA_COUNT, (u8)count);
	io_out8(ATA_LBA0, (u8)lba);
	io_out8(ATA_LBA1, (u8)(lba >> 8));
	io_out8(ATA_LBA2, (u8)(lba >> 16));
	io_out8(ATA_CMD, cmd);
}

/* Spin (bounded) until the drive has a sector to move, or failed: whether
 * it has one (DRQ, no error). */
static bool wait_drq(void)
{
	u8 s = 0;
	for (u32 i = 0; i < SPIN_MAX; i++) {
		s = alt_status();
		if (!(s & ST_BSY) && (s & (ST_DRQ | ST_ERR | ST_DF)))
			break;
	}
	if (!(s & ST_DRQ) || (s & (ST_BSY | ST_ERR | ST_DF))) {
		(void)io_in8(ATA_CMD);
		return false;
	}
	return true;
}

/* Put request q[i] on the drive, which has none. */
static void issue(u32 i)
{
	struct dreq *r = &q[i];
	cur = (int)i;
	if (!qs[i].barrier)
		last_turn = qs[i].turn;
	if (wait_not_busy() & ST_BSY) {
		finish(-E_IO);
		return;
	}
	done_blocks = 0;
	issued_at = mfc0(C0_COUNT, 0);
	if (use_dma) {
		bool rd = r->op == DISK_READ;
		bmide_start(r->buf, r->count * DISK_BLOCK, rd);
		ata_command(r->lba, r->count, rd ? CMD_READ_DMA : CMD_WRITE_DMA);
		bmide_go(rd);
		return;
	}
	ata_command(r->lba, r->count, r->op == DISK_READ ? CMD_READ : CMD_WRITE);
	if (r->op == DISK_WRITE) {
		/* No interrupt announces the first sector of a PIO write. */
		if (!wait_drq()) {
			finish(-E_IO);
			return;
		}
		pio_out(r->buf);
		done_blocks = 1;
	}
}

/* The DMA request on the drive, if it is over (the engine's interrupt bit):
 * finished, and true. */
static bool dma_service(void)
{
	int d = bmide_done();
	if (!d || (alt_status() & ST_BSY))
		return false;
	struct dreq *r = &q[cur];
	bmide_stop(r->buf, r->count * DISK_BLOCK, r->op == DISK_READ);
	u8 s = io_in8(ATA_CMD);                    /* acknowledges INTRQ */
	info.dma++;
	finish(d < 0 || (s & (ST_ERR | ST_DF)) ? -E_IO : 0);
	return true;
}

/* One step of the request on the drive, if the drive is ready for it:
 * true if something happened. */
static bool service(void)
{
	if (cur < 0)
		return false;
	if (use_dma)
		return dma_service();
	if (alt_status() & ST_BSY)
		return false;
	struct dreq *r = &q[cur];
	u8 s = io_in8(ATA_CMD);                    /* acknowledges INTRQ */
	if (s & (ST_ERR | ST_DF)) {
		finish(-E_IO);
		return true;
	}
	if (r->op == DISK_READ) {
		if (!(s & ST_DRQ))
			return false;
		pio_in(r->buf + done_blocks * DISK_BLOCK);
		if (++done_blocks == r->count)
			finish(0);
		return true;
	}
	if (done_blocks < r->count) {
		if (!(s & ST_DRQ))
			return false;
		pio_out(r->buf + done_blocks * DISK_BLOCK);
		done_blocks++;
		return true;
	}
	finish(0);                                 /* the last sector is written */
	return true;
}

void disk_intr(void)
{
	u32 t0 = mfc0(C0_COUNT, 0);
	if (info.nblocks && service()) {
		info.interrupts++;
		info.kticks += mfc0(C0_COUNT, 0) - t0;
	}
}

/* From the idle loop: also the bound on a request that the drive never
 * finishes (it fails with -E_IO), so the idle loop never waits for ever. */
void disk_poll(void)
{
	if (!info.nblocks)
		return;
	u32 t0 = mfc0(C0_COUNT, 0);
	if (service()) {
		info.polls++;
		info.kticks += mfc0(C0_COUNT, 0) - t0;
	} else if (cur >= 0 && mfc0(C0_COUNT, 0) - issued_at > DEADLINE) {
		if (use_dma)
			bmide_stop(q[cur].buf, q[cur].count * DISK_BLOCK, q[cur].op == DISK_READ);
		finish(-E_IO);
	}
}

bool disk_busy(void)
{
	return qlen != 0;
}

/* ---- set-up ---- */

void disk_init(void)
{
	if ((pci_cfg_read(10, 1, 0) & 0xffff) != 0x8086)   /* the PIIX4's IDE function */
		return;
	io_out8(ATA_CTL, CTL_NIEN);
	io_out8(ATA_DEV, 0xa0);                            /* the master */
	u8 s = alt_status();
	if (s == 0xff || s == 0)                           /* nothing there */
		return;
	if (wait_not_busy() & ST_BSY)
		return;
	io_out8(ATA_CMD, CMD_IDENT);
	s = wait_not_busy();
	if ((s & (ST_BSY | ST_ERR)) || !(s & ST_DRQ))       /* not an ATA disk */
		return;
	u16 id[256];
	for (u32 i = 0; i < 256; i++)
		id[i] = io_in16(ATA_DATA);
	(void)io_in8(ATA_CMD);
	if (!(id[49] & 0x0200))                            /* no LBA */
		return;
	info.nblocks = id[60] | (u32)id[61] << 16;
	if (!info.nblocks)
		return;
	if (info.nblocks > DISK_TAINT_BLOCKS)              /* what the taint map covers */
		info.nblocks = DISK_TAINT_BLOCKS;
	for (u32 i = 0; i < 20; i++) {                     /* byte pairs swapped */
		info.model[2 * i] = (char)(id[27 + i] >> 8);
		info.model[2 * i + 1] = (char)id[27 + i];
	}
	for (int i = 39; i >= 0 && (info.model[i] == ' ' || !info.model[i]); i--)
		info.model[i] = 0;
	info.free = info.nblocks;
	dcache_init();
	for (u32 i = 0; i < DISK_QUEUE; i++) {
		q[i].buf = qbuf[i];
		dcache_wbinv(q[i].buf, PAGE_SIZE);
	}
	use_dma = (id[49] & 0x0100) && bmide_init();        /* DMA supported, engine there */
	pic_enable(DISK_IRQ, false);
	io_out8(ATA_CTL, 0);                               /* interrupts on */
	user_intr_mask |= ST_IM_IP2;
	kprintf("[aegis] disk: IDE primary master \"%s\", %u blocks of %u bytes, IRQ %u\n",
		info.model, info.nblocks, DISK_BLOCK, DISK_IRQ);
	if (use_dma)
		kprintf("[aegis] disk: bus-master DMA, registers at I/O %04x\n", bmide_base());
	else
		kprintf("[aegis] disk: PIO\n");
}

/* ---- extents ---- */

/* The extent named (name, check), with at least rights need: its index, or
 * -E_BADCAP (counted) or -E_PERM (valid but with fewer rights). */
static int ext_lookup(u32 name, u32 check, u32 need)
{
	u32 i = name >> 4 & 0xfff, rights = name & 3;
	if (!(name & DISK_XCAP) || (name & 4) || i >= DISK_MAXEXT || !ext[i].live ||
	    ext[i].gen != name >> 16 || (rights != DISK_R && rights != DISK_RW) ||
	    ext[i].check[rights == DISK_RW] != check)
		return cap_failed();
	if ((rights & need) != need)
		return -E_PERM;
	return (int)i;
}

static u32 ext_name(u32 i, u32 rights)
{
	return (u32)ext[i].gen << 16 | i << 4 | DISK_XCAP | rights;
}

/* disk_info(buf): copy struct disk_info to buf; returns the number of
 * blocks. -E_NOENT: no disk; -E_FAULT. */
u32 sys_disk_info(struct trapframe *tf)
{
	if (!info.nblocks)
		return (u32)-E_NOENT;
	u32 buf = tf->regs[R_A0];
	info.queued = qlen;
	if (!user_range_ok(buf, sizeof info) || copyout(buf, &info, sizeof info) < 0)
		return (u32)-E_FAULT;
	return info.nblocks;
}

/* disk_alloc(start, count): blocks [start, start + count), which must all
 * be free (in no live extent), become an extent; its read-write capability:
 * name in v0, check in v1. -E_NOENT: no disk; -E_INVAL: count 0 or the
 * range not on the disk; -E_BUSY: a block is in another extent or XN's; -E_QUOTA:
 * over the caller's LIM_EXTENTS budget (the extent is charged to it and its
 * ancestors, and ends with it); -E_NOMEM: DISK_MAXEXT extents live. */
u32 sys_disk_alloc(struct trapframe *tf)
{
	u32 start = tf->regs[R_A0], count = tf->regs[R_A1];
	if (!info.nblocks)
		return (u32)-E_NOENT;
	if (!count || start >= info.nblocks || count > info.nblocks - start)
		return (u32)-E_INVAL;
	int fi = -1;
	for (u32 i = 0; i < DISK_MAXEXT; i++) {
		if (!ext[i].live) {
			if (fi < 0)
				fi = (int)i;
			continue;
		}
		if (start < ext[i].start + ext[i].count && ext[i].start < start + count)
			return (u32)-E_BUSY;
	}
	if (xn_range_used(start, count))
		return (u32)-E_BUSY;
	if (fi < 0)
		return (u32)-E_NOMEM;
	int q = limit_charge(curenv, LIM_EXTENTS, 1);
	if (q < 0)
		return (u32)q;
	struct extent *x = &ext[fi];
	x->start = start;
	x->count = count;
	x->check[0] = rand32();
	x->check[1] = rand32();
	x->payer = (u8)(env_slot(curenv) + 1);
	x->orphan = false;
	x->live = true;
	info.extents++;
	info.free -= count;
	tf->regs[R_V1] = x->check[1];
	return ext_name((u32)fi, DISK_RW);
}

/* disk_derive(xname, xcheck): the read-only capability of the extent a
 * read-write one names (name in v0, check in v1). -E_BADCAP; -E_PERM: a
 * read-only one. */
u32 sys_disk_derive(struct trapframe *tf)
{
	int i = ext_lookup(tf->regs[R_A0], tf->regs[R_A1], DISK_RW);
	if (i < 0)
		return (u32)i;
	tf->regs[R_V1] = ext[i].check[0];
	return ext_name((u32)i, DISK_R);
}

/* disk_free(xname, xcheck): the extent's blocks become free; both its
 * capabilities stop working. -E_BADCAP; -E_PERM: a read-only capability;
 * -E_BUSY: a request on it is queued. */
u32 sys_disk_free(struct trapframe *tf)
{
	int i = ext_lookup(tf->regs[R_A0], tf->regs[R_A1], DISK_RW);
	if (i < 0)
		return (u32)i;
	if (extent_queued((u32)i))
		return (u32)-E_BUSY;
	extent_free((u32)i);
	return 0;
}

static int enqueue(u32 op, u32 lba, u32 count, u32 xi, u32 xn, u32 seq, u32 ppn, u32 off,
		   u32 wppn, u32 woff, const u8 *src, u32 owner);

/* How many requests of environment id owner are queued? */
static u32 queued_by(u32 owner)
{
	u32 n = 0;
	for (u32 k = 0; k < DISK_QUEUE; k++)
		n += qs[k].used && q[k].owner == owner;
	return n;
}

/* disk_rw(req): queue struct disk_req *req: move count blocks between the
 * disk and bytes [off, off + count * DISK_BLOCK) of a page the caller holds.
 * Returns 0 once queued; the word at woff of the completion page becomes
 * DISK_DONE | -status when the request is over (status 0, or -E_IO).
 * -E_FAULT: req unreadable; -E_INVAL: op, count, off or woff out of range;
 * -E_BADCAP: a forged or stale extent or page capability, or a read into a
 * page named by a read-only one; -E_PERM: blocks outside the extent, a
 * write with a read-only extent, or a page the caller does not hold;
 * -E_AGAIN: the queue is full, or the caller has as many requests queued
 * as there are free slots (its fair share); -E_NOENT: no disk. */
u32 sys_disk_rw(struct trapframe *tf)
{
	struct disk_req rq;
	if (!info.nblocks)
		return (u32)-E_NOENT;
	if (copyin(&rq, tf->regs[R_A0], sizeof rq) < 0)
		return (u32)-E_FAULT;
	if ((rq.op != DISK_READ && rq.op != DISK_WRITE) || !rq.count || rq.count > DISK_MAXREQ ||
	    (rq.off & (DISK_BLOCK - 1)) || rq.off >= PAGE_SIZE || rq.woff >= PAGE_SIZE ||
	    rq.count * DISK_BLOCK > PAGE_SIZE - rq.off)
		return (u32)-E_INVAL;
	int xi = ext_lookup(rq.xname, rq.xcheck, rq.op == DISK_WRITE ? DISK_RW : DISK_R);
	if (xi < 0)
		return (u32)xi;
	const struct extent *x = &ext[xi];
	if (rq.block < x->start || rq.block - x->start >= x->count ||
	    rq.count > x->count - (rq.block - x->start))
		return (u32)-E_PERM;
	u32 ppn, wppn;
	int err = disk_req_pages(rq.op, rq.pname, rq.pcheck, rq.off, rq.count * DISK_BLOCK,
				 rq.wname, rq.wcheck, rq.woff, &ppn, &wppn);
	if (err < 0)
		return (u32)err;
	return (u32)enqueue(rq.op, rq.block, rq.count, (u32)xi, 0, 0, ppn, rq.off, wppn, rq.woff,
			    NULL, curenv->id);
}

int disk_req_pages(u32 op, u32 pname, u32 pcheck, u32 off, u32 len, u32 wname, u32 wcheck,
		   u32 woff, u32 *ppn, u32 *wppn)
{
	int p = 0;
	if (len)
		p = page_range(pname, pcheck, op == DISK_READ ? CAP_RW : CAP_R, off << 16 | len, len,
			       len, DISK_BLOCK);
	if (p < 0)
		return p;
	int w = page_range(wname, wcheck, CAP_RW, woff << 16 | 4, 4, 4, 4);
	if (w < 0)
		return w;
	*ppn = (u32)p;
	*wppn = (u32)w;
	return 0;
}

/* Queue a request the caller has checked: op on blocks [lba, lba + count),
 * for extent xi (or DISK_MAXEXT and XN entry xn - 1 with seq), to or from
 * bytes [off, off + count * DISK_BLOCK) of page ppn held by curenv (a write
 * from src instead if src is not NULL: then ppn is not used),
 * completion word at woff of page wppn, held by curenv, for environment
 * owner (0: the kernel's own request, XN's area: no page, no completion
 * word). 0, or -E_AGAIN: the queue is full, or owner (not 0) has as many
 * requests queued as slots are free. */
static int enqueue(u32 op, u32 lba, u32 count, u32 xi, u32 xn, u32 seq, u32 ppn, u32 off,
		   u32 wppn, u32 woff, const u8 *src, u32 owner)
{
	if (qlen == DISK_QUEUE)
		return -E_AGAIN;
	if (owner && !dsched_admit(queued_by(owner), DISK_QUEUE - qlen)) {   /* over its share */
		info.refused++;
		return -E_AGAIN;
	}
	u32 t0 = mfc0(C0_COUNT, 0), k = 0;
	while (qs[k].used)
		k++;
	struct dreq *r = &q[k];
	u32 len = count * DISK_BLOCK;
	qs[k] = (struct dsched){ true, xi == XI_AREA, arrivals++,
				 owner ? (u32)env_slot(curenv) + 1 : 0 };
	r->owner = owner;
	r->op = op;
	r->lba = lba;
	r->count = count;
	r->xi = xi;
	r->xn = xn;
	r->seq = seq;
	r->ppn = ppn;
	r->pcheck = src ? 0 : page_identity(ppn);
	r->off = off;
	r->wppn = wppn;
	r->wcheck = owner ? page_identity(wppn) : 0;
	r->woff = woff;
	if (op == DISK_WRITE && src) {
		__builtin_memcpy(r->buf, src, len);
	} else if (op == DISK_WRITE) {
		u32 pa = ppn * PAGE_SIZE + off;
		dcache_user_sync(pa, len);               /* what the caller wrote, from memory */
		__builtin_memcpy(r->buf, KADDR(pa), len);
	}
	qlen++;
	if (cur < 0)
		next();
	info.kticks += mfc0(C0_COUNT, 0) - t0;
	return 0;
}

int disk_queue_xn(u32 op, u32 block, u32 xn, u32 seq, u32 ppn, u32 off, u32 wppn, u32 woff,
		  const void *src)
{
	if (!info.nblocks)
		return -E_NOENT;
	return enqueue(op, block, 1, DISK_MAXEXT, xn + 1, seq, ppn, off, wppn, woff, src, curenv->id);
}

int disk_queue_area(u32 block, const void *src, u32 xn)
{
	if (!info.nblocks)
		return -E_NOENT;
	return enqueue(DISK_WRITE, block, 1, XI_AREA, xn == XNA_NOENTRY ? 0 : xn + 1, 0, 0, 0, 0, 0,
		       src, 0);
}

/* Wait (polling, up to DEADLINE of Count from t0) until the drive is not
 * busy and, if want, shows one of want's bits: its status, or 0xff. */
static u8 poll_status(u32 t0, u8 want)
{
	for (;;) {
		u8 s = alt_status();
		if (!(s & ST_BSY) && (!want || (s & want)))
			return s;
		if (mfc0(C0_COUNT, 0) - t0 > DEADLINE)
			return 0xff;
	}
}

/* Read block lba into buf by PIO, polling, with nothing queued (at boot,
 * before any environment runs): 0 or -E_IO. Bounded by DEADLINE of Count,
 * not by SPIN_MAX status reads: QEMU's drive answers from a host thread,
 * which a loaded host may not run within the time SPIN_MAX reads take
 * (the cffs-crash suite saw a boot refuse its disk so). */
int disk_read_sync(u32 lba, u8 *buf)
{
	u32 t0 = mfc0(C0_COUNT, 0);
	if (!info.nblocks || qlen || (poll_status(t0, 0) & ST_BSY))
		return -E_IO;
	ata_command(lba, 1, CMD_READ);
	u8 s = poll_status(t0, ST_DRQ | ST_ERR | ST_DF);
	if (!(s & ST_DRQ) || (s & (ST_BSY | ST_ERR | ST_DF))) {
		(void)io_in8(ATA_CMD);
		return -E_IO;
	}
	pio_in(buf);
	(void)io_in8(ATA_CMD);                     /* acknowledges INTRQ */
	info.blocks_read++;
	return 0;
}

u32 disk_xn_requests(u32 xn)
{
	u32 n = 0;
	for (u32 k = 0; k < DISK_QUEUE; k++)
		n += qs[k].used && q[k].xn == xn + 1;
	return n;
}

bool disk_in_extent(u32 block)
{
	for (u32 i = 0; i < DISK_MAXEXT; i++)
		if (ext[i].live && block - ext[i].start < ext[i].count)
			return true;
	return false;
}

u32 disk_nblocks(void)
{
	return info.nblocks;
}

/* ---- environments ---- */

void disk_env_gone(struct env *e)
{
	for (u32 k = 0; k < DISK_QUEUE; k++) {
		struct dreq *r = &q[k];
		if (qs[k].used && r->owner == e->id) {
			r->owner = 0;
			qs[k].turn = 0;
		}
	}
	/* Its extents end with it (now, or once the requests on them are over:
	 * the budget is given back at once, while its ancestors are there). */
	int slot = env_slot(e);
	for (u32 i = 0; i < DISK_MAXEXT; i++)
		if (ext[i].live && ext[i].payer == slot + 1) {
			limit_uncharge(e, LIM_EXTENTS, 1);
			ext[i].payer = 0;
			ext[i].orphan = true;
		}
	free_orphans();
}

u32 disk_extents_of(int slot)
{
	u32 n = 0;
	for (u32 i = 0; i < DISK_MAXEXT; i++)
		n += ext[i].live && ext[i].payer == slot + 1;
	return n;
}

bool disk_consistent(char *why, u32 len)
{
	u32 used = 0;
	for (u32 k = 0; k < DISK_QUEUE; k++)
		used += qs[k].used;
	if (used != qlen || (cur >= 0 && !qs[cur].used) || (cur < 0 && qlen) ||
	    (!info.nblocks && qlen)) {
		lib_snprintf(why, len, "disk: %u queued (%u slots used), on the drive %d", qlen,
			     used, cur);
		return false;
	}
	for (u32 k = 0; k < DISK_QUEUE; k++) {
		const struct dreq *r = &q[k];
		if (!qs[k].used)
			continue;
		if (qs[k].barrier != (r->xi == XI_AREA) || qs[k].turn > NENV) {
			lib_snprintf(why, len, "disk: request %u scheduled as %s, turn %u", k,
				     qs[k].barrier ? "a barrier" : "a request", qs[k].turn);
			return false;
		}
		if (r->owner && !env_lookup(r->owner)) {
			lib_snprintf(why, len, "disk: request %u of dead env %x", k, r->owner);
			return false;
		}
		if (r->xi == XI_AREA ? r->owner || (r->xn && !xn_entry_live(r->xn - 1)) :
		    r->xn ? r->xi != DISK_MAXEXT || !xn_entry_live(r->xn - 1) :
			    r->xi >= DISK_MAXEXT || !ext[r->xi].live) {
			lib_snprintf(why, len, "disk: request %u on a dead extent", k);
			return false;
		}
	}
	u32 nlive = 0;
	used = 0;
	for (u32 i = 0; i < DISK_MAXEXT; i++) {
		const struct extent *a = &ext[i];
		if (!a->live)
			continue;
		nlive++;
		used += a->count;
		bool bad = !a->count || a->start >= info.nblocks || a->count > info.nblocks - a->start;
		for (u32 j = i + 1; j < DISK_MAXEXT && !bad; j++)
			bad = ext[j].live && a->start < ext[j].start + ext[j].count &&
			      ext[j].start < a->start + a->count;
		if (bad) {
			lib_snprintf(why, len, "disk: extent %u [%u, +%u) off the disk or overlapping",
				     i, a->start, a->count);
			return false;
		}
	}
	if (nlive != info.extents || used + info.free != info.nblocks) {
		lib_snprintf(why, len, "disk: %u extents, %u blocks used, %u free of %u",
			     nlive, used, info.free, info.nblocks);
		return false;
	}
	return true;
}
