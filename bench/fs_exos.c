/*
 * fs_exos.c: bench.h's storage calls on ExOS.  ExOS has no file system yet (issue 12:
 * the library file system over XN is being written), so every storage row is n/a and
 * the calls below fail.  A file system fills these in: bench_fs_na(BENCH_FS_MAIN) then
 * answers 0 on a boot whose disk carries it (tools/bench_storage.py makes the image),
 * and bench_fs_disk counts the requests its disk driver calls made.
 */
#include "bench.h"

const char *
bench_fs_na(enum bench_fs_set set)
{
	if (set == BENCH_FS_JOURNAL)
		return "ExOS has no journaling file system (these rows are Linux's second set, "
		       "ext4); ExOS's figures are the fs_ rows";
	return "no ExOS file system yet";
}

/* No file system: every call fails. */
int bench_fs_create(const char *name) { (void)name; return -1; }
int bench_fs_open(const char *name) { (void)name; return -1; }
int bench_fs_write(int h, const void *buf, unsigned n) { (void)h, (void)buf, (void)n; return -1; }
long bench_fs_read(int h, void *buf, unsigned n) { (void)h, (void)buf, (void)n; return -1; }
int bench_fs_close(int h) { (void)h; return -1; }
int bench_fs_unlink(const char *name) { (void)name; return -1; }
int bench_fs_mkdir(const char *name) { (void)name; return -1; }
int bench_fs_rmdir(const char *name) { (void)name; return -1; }
int bench_fs_sync(void) { return -1; }
int bench_fs_drop_caches(void) { return -1; }
int bench_fs_disk(struct bench_disk *d) { (void)d; return -1; }
