/*
 * fs.c: the storage rows (issue 12): a file system on the boot's disk, through bench.h's
 * bench_fs_* calls.  Three workloads, each in three phases, each phase a row:
 *
 *   small  1,000 files of 1 KiB in one directory      (per file)
 *   large  100 files of 64 KiB in one directory       (per file)
 *   seq    one 16 MiB file, in 64 KiB calls           (per MiB)
 *
 *   _write   mkdir, then create and write each file, close it; sync
 *   _read    open each file, read it to its end (64 KiB calls), close it; sync
 *   _delete  unlink each file, rmdir; sync
 *
 * Each phase ends with bench_fs_sync() inside its timed region, so that no work of the
 * phase is left for later.  Before each phase, untimed: the files a phase needs are made
 * (read and delete need the write phase's files), then bench_fs_drop_caches(): every
 * phase starts from a cold cache, and reads go to the disk.  After the phase, untimed:
 * what it leaves is removed, so that every repetition starts from the same empty root.
 *
 * The rows come in two sets: `fs_` on the system's main file system (Linux: ext2) and
 * `fsj_` on a journaling one (Linux: ext4); bench_fs_na says which the boot has.
 * Each repetition's line carries the disk's counters over the timed region (bench_note):
 * rd_reqs rd_bytes wr_reqs wr_bytes flushes, and late_bytes, the bytes an untimed sync
 * right after the region still moved (0 when the phase left nothing behind; a sync
 * always sends requests, at least a cache flush, so their number would not tell).
 *
 * Ticks are summed from one Count reading per file (or per 64 KiB for seq), so a phase
 * longer than Count's 26.8 s wrap is still timed right.
 */
#include "bench.h"

#define CHUNK 65536u		/* the largest read/write call */
#define MIB (1024u * 1024u)

enum { PH_WRITE, PH_READ, PH_DELETE };

struct work {
	const char *dir;
	unsigned file_bytes;	/* 0: the file is iters MiB (seq); else iters files */
};
static const struct work works[] = {
	{ "small", 1024 },
	{ "large", 65536 },
	{ "seq", 0 },
};

static uint32_t wbuf[CHUNK / 4];
static uint32_t rbuf[CHUNK / 4];
static uint32_t last;		/* Count at the last reading */
static uint64_t elapsed;	/* ticks summed since the phase started */

/* Count since the phase started; called at least once per 64 KiB of work. */
static void
tick(void)
{
	uint32_t now = bench_count();

	elapsed += (uint32_t)(now - last);
	last = now;
}

/* name = dir "/f" and i in 4 decimal digits (i < 10000). */
static void
file_name(char *name, const char *dir, unsigned i)
{
	unsigned k = 0, d;

	while (*dir)
		name[k++] = *dir++;
	name[k++] = '/';
	name[k++] = 'f';
	for (d = 1000; d; d /= 10) {
		unsigned q = 0;
		while (i >= d) {
			i -= d;
			q++;
		}
		name[k++] = (char)('0' + q);
	}
	name[k] = 0;
}

/* Files and bytes per file of work w with iters as its row count. */
static void
shape(const struct work *w, unsigned iters, unsigned *nfiles, unsigned *bytes)
{
	*nfiles = w->file_bytes ? iters : 1;
	*bytes = w->file_bytes ? w->file_bytes : iters * MIB;
}

/* Create dir and its files, each holding bytes bytes whose every 64 KiB chunk starts
 * with its file and chunk number (checked by read_files).  0 or -1. */
static int
write_files(const struct work *w, unsigned nfiles, unsigned bytes)
{
	char name[32];
	unsigned i, off;

	if (bench_fs_mkdir(w->dir))
		return -1;
	for (i = 0; i < nfiles; i++) {
		int h;
		file_name(name, w->dir, i);
		if ((h = bench_fs_create(name)) < 0)
			return -1;
		for (off = 0; off < bytes; off += CHUNK) {
			unsigned n = bytes - off < CHUNK ? bytes - off : CHUNK;
			wbuf[0] = i << 16 | off / CHUNK;
			if (bench_fs_write(h, wbuf, n)) {
				bench_fs_close(h);
				return -1;
			}
			tick();
		}
		if (bench_fs_close(h))
			return -1;
	}
	return 0;
}

/* Read every file of dir to its end; -1 if one is missing, has another length or
 * another chunk's data. */
static int
read_files(const struct work *w, unsigned nfiles, unsigned bytes)
{
	char name[32];
	unsigned i;

	for (i = 0; i < nfiles; i++) {
		unsigned got = 0;
		long n;
		int h;
		file_name(name, w->dir, i);
		if ((h = bench_fs_open(name)) < 0)
			return -1;
		while ((n = bench_fs_read(h, rbuf, CHUNK)) > 0) {
			if (got % CHUNK == 0 && rbuf[0] != (i << 16 | got / CHUNK))
				n = -1;
			if (n < 0)
				break;
			got += (unsigned)n;
			tick();
		}
		if (bench_fs_close(h) || n < 0 || got != bytes)
			return -1;
	}
	return 0;
}

/* Unlink every file of dir, then dir.  With all set, keep going past failures (the
 * clean-up after an error); else stop at the first. */
static int
delete_files(const struct work *w, unsigned nfiles, int all)
{
	char name[32];
	unsigned i;
	int bad = 0;

	for (i = 0; i < nfiles; i++) {
		file_name(name, w->dir, i);
		if (bench_fs_unlink(name)) {
			bad = -1;
			if (!all)
				return -1;
		}
		tick();
	}
	return bench_fs_rmdir(w->dir) ? -1 : bad;
}

/* The bytes the disk has moved, both ways, by d's reading. */
static uint64_t
bytes_moved(const struct bench_disk *d)
{
	return d->rd_bytes + d->wr_bytes;
}

/*
 * One repetition of phase ph of work w with iters files (MiB for seq): the untimed
 * set-up, the timed phase ending in a sync, the disk counters over it, the untimed
 * clean-up.  0, or -1 with *why (the files are then removed as far as possible).
 */
static int
fs_run(const struct work *w, int ph, unsigned iters, uint64_t *ticks, uint64_t *ops,
       const char **why)
{
	struct bench_disk d0, d1, d2;
	unsigned nfiles, bytes;
	int bad;

	shape(w, iters, &nfiles, &bytes);
	if (ph != PH_WRITE && write_files(w, nfiles, bytes)) {
		*why = "creating the files to read or delete failed";
		goto fail;
	}
	if (bench_fs_drop_caches() || bench_fs_disk(&d0)) {
		*why = "dropping the caches or reading the disk's counters failed";
		goto fail;
	}
	last = bench_count();
	elapsed = 0;
	bad = ph == PH_WRITE ? write_files(w, nfiles, bytes) :
	      ph == PH_READ ? read_files(w, nfiles, bytes) : delete_files(w, nfiles, 0);
	bad |= bench_fs_sync();
	tick();
	*ticks = elapsed;
	*ops = iters;
	if (bad) {
		*why = ph == PH_WRITE ? "create, write or sync failed" :
		       ph == PH_READ ? "open, read (short, or wrong data) or sync failed" :
		       "unlink, rmdir or sync failed";
		goto fail;
	}
	if (bench_fs_disk(&d1) || bench_fs_sync() || bench_fs_disk(&d2)) {
		*why = "reading the disk's counters failed";
		goto fail;
	}
	bench_note("rd_reqs", d1.rd_reqs - d0.rd_reqs);
	bench_note("rd_bytes", d1.rd_bytes - d0.rd_bytes);
	bench_note("wr_reqs", d1.wr_reqs - d0.wr_reqs);
	bench_note("wr_bytes", d1.wr_bytes - d0.wr_bytes);
	bench_note("flushes", d1.flushes - d0.flushes);
	bench_note("late_bytes", bytes_moved(&d2) - bytes_moved(&d1));
	if (ph != PH_DELETE && delete_files(w, nfiles, 0)) {
		*why = "deleting the files after the phase failed";
		goto fail;
	}
	return 0;
fail:
	delete_files(w, nfiles, 1);
	bench_fs_sync();
	return -1;
}

static const char *fs_na_main(void) { return bench_fs_na(BENCH_FS_MAIN); }
static const char *fs_na_journal(void) { return bench_fs_na(BENCH_FS_JOURNAL); }

/* One run function per work and phase (the row table holds no arguments). */
#define RUN(w, ph) \
	static int run_##w##_##ph(unsigned iters, uint64_t *ticks, uint64_t *ops, \
				  const char **why) \
	{ return fs_run(&works[W_##w], PH_##ph, iters, ticks, ops, why); }
enum { W_small, W_large, W_seq };
RUN(small, WRITE) RUN(small, READ) RUN(small, DELETE)
RUN(large, WRITE) RUN(large, READ) RUN(large, DELETE)
RUN(seq, WRITE) RUN(seq, READ) RUN(seq, DELETE)

#define SET(p, na, fsname) \
	{ p "_small_write", "mkdir, create and write 1,000 files of 1 KiB, sync (" fsname \
	  "); per file", 1000, 20, na, run_small_WRITE }, \
	{ p "_small_read", "read the 1,000 files of 1 KiB from a cold cache, sync (" fsname \
	  "); per file", 1000, 20, na, run_small_READ }, \
	{ p "_small_delete", "unlink the 1,000 files of 1 KiB, rmdir, sync (" fsname \
	  "); per file", 1000, 20, na, run_small_DELETE }, \
	{ p "_large_write", "mkdir, create and write 100 files of 64 KiB, sync (" fsname \
	  "); per file", 100, 4, na, run_large_WRITE }, \
	{ p "_large_read", "read the 100 files of 64 KiB from a cold cache, sync (" fsname \
	  "); per file", 100, 4, na, run_large_READ }, \
	{ p "_large_delete", "unlink the 100 files of 64 KiB, rmdir, sync (" fsname \
	  "); per file", 100, 4, na, run_large_DELETE }, \
	{ p "_seq_write", "write one 16 MiB file in 64 KiB calls, sync (" fsname \
	  "); per MiB", 16, 1, na, run_seq_WRITE }, \
	{ p "_seq_read", "read the 16 MiB file in 64 KiB calls from a cold cache, sync (" \
	  fsname "); per MiB", 16, 1, na, run_seq_READ }, \
	{ p "_seq_delete", "unlink the 16 MiB file, rmdir, sync (" fsname "); per MiB", \
	  16, 1, na, run_seq_DELETE }

const struct bench_row bench_rows_fs[] = {
	SET("fs", fs_na_main, "Linux: ext2"),
	SET("fsj", fs_na_journal, "Linux: ext4"),
	{ 0, 0, 0, 0, 0, 0 },
};
