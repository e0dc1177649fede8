/*
 * fs_exos.c: bench.h's storage calls on ExOS, over cffs (exos/cffs.h), its library file
 * system on XN.  The boot's disk (tools/bench_storage.py: 64 MiB of zeros) gets a new
 * cffs the first time bench_fs_na is asked (mkfs on the board: the XN root "bench" at
 * block FS_FIRST, every block after it), in the benchmark's own environment.
 *
 *   files        cffs_open(CREAT|EXCL|WRONLY, 0644), cffs_open(RDONLY), cffs_write,
 *                cffs_read, cffs_close
 *   names        cffs_unlink, cffs_mkdir, cffs_rmdir
 *   sync         cffs_sync(): data blocks, then metadata children before parents
 *   drop caches  cffs_drop_cache(): sync, then forget every buffer of cffs's cache, so
 *                that data blocks are read from the disk again (metadata blocks come
 *                from XN's copies while XN caches them, else from the disk)
 *   counters     the kernel's (disk_info): blocks read and written; every XN request
 *                moves one block, so requests = blocks; no cache flushes
 *
 * A row that XN or the disk stops (cffs's error: XN's table full, no free block) prints
 * cffs's reason (`# cffs: ...`) and ends in an error, never a figure.
 */
#include "bench.h"
#include "cffs.h"

#define FS_FIRST 16

static bool mounted;
static char na_why[200];

const char *
bench_fs_na(enum bench_fs_set set)
{
	struct disk_info di;
	int e;

	if (set == BENCH_FS_JOURNAL)
		return "ExOS has no journaling file system (these rows are Linux's second set, "
		       "ext4); ExOS's figures are the fs_ rows";
	if (sys_disk_info(&di) <= 0)
		return "no disk: the storage rows run in the boots of tools/bench_storage.py "
		       "(make bench-storage), which give one";
	if (!mounted) {
		if ((e = cffs_mkfs("bench", FS_FIRST, di.nblocks - FS_FIRST)) < 0) {
			lib_snprintf(na_why, sizeof na_why, "mkfs of cffs failed: %d", e);
			return na_why;
		}
		mounted = true;
	}
	return 0;
}

int
bench_fs_create(const char *name)
{
	int fd = cffs_open(name, CFFS_CREAT | CFFS_EXCL | CFFS_WRONLY, 0644);
	return fd < 0 ? -1 : fd;
}

int
bench_fs_open(const char *name)
{
	int fd = cffs_open(name, CFFS_RDONLY, 0);
	return fd < 0 ? -1 : fd;
}

int
bench_fs_write(int h, const void *buf, unsigned n)
{
	int w = cffs_write(h, buf, n);
	if (w != (int)n)
		printf("# cffs: write of %u bytes: %d\n", n, w);
	return w == (int)n ? 0 : -1;
}

long
bench_fs_read(int h, void *buf, unsigned n)
{
	int r = cffs_read(h, buf, n);
	return r < 0 ? -1 : r;
}

/* 0, or -1 after a line naming cffs's error e for what (the row's error says which
 * call failed, this line why). */
static int
said(int e, const char *what, const char *name)
{
	if (e < 0)
		printf("# cffs: %s %s: %d\n", what, name, e);
	return e < 0 ? -1 : 0;
}

int bench_fs_close(int h) { return said(cffs_close(h), "close", ""); }
int bench_fs_unlink(const char *name) { return said(cffs_unlink(name), "unlink", name); }
int bench_fs_mkdir(const char *name) { return said(cffs_mkdir(name, 0755), "mkdir", name); }
int bench_fs_rmdir(const char *name) { return said(cffs_rmdir(name), "rmdir", name); }
int bench_fs_sync(void) { return said(cffs_sync(), "sync", ""); }
int bench_fs_drop_caches(void) { return said(cffs_drop_cache(), "drop caches", ""); }

int
bench_fs_disk(struct bench_disk *d)
{
	struct disk_info di;

	if (sys_disk_info(&di) <= 0)
		return -1;
	d->rd_reqs = di.blocks_read;
	d->rd_bytes = (uint64_t)di.blocks_read * DISK_BLOCK;
	d->wr_reqs = di.blocks_written;
	d->wr_bytes = (uint64_t)di.blocks_written * DISK_BLOCK;
	d->flushes = 0;
	return 0;
}
