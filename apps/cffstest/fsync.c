/*
 * fsync.c: the tests of cffs_fsync (suite cffs-direct, run by cffstest.c).
 * fsync makes one file durable: its own dirty blocks, its entry's DIR
 * block and the dirty blocks up to the root, and the tainted blocks XN's
 * rule 1 forces; nothing else. What reached the disk is read past cffs:
 * XN_READ_DISK for metadata, XN_READ for data (XN keeps no data bytes, so
 * that read is the disk's), and XN's registry for taint.
 */
#include "cffstest.h"

/* Data block blk on the disk holds n bytes of pattern seed from file offset off. */
static bool disk_is(u32 blk, u32 n, u32 seed, u32 off)
{
	return raw_io(XN_READ, blk, 0) == 0 && bad_bytes((const u8 *)TBUF_VA, n, seed, off) == 0;
}

/* Metadata block blk as it is on the disk (in the raw page), or NULL. */
static const void *on_disk(u32 blk)
{
	return raw_io(XN_READ_DISK, blk, 0) == 0 ? (const void *)TBUF_VA : NULL;
}

/* Entry idx of DIR block blk on the disk: a pointer to a zero entry if unreadable. */
static const struct cffs_dent *disk_ent(u32 blk, u32 idx)
{
	static const struct cffs_dent none;
	const struct cffs_dir *d = on_disk(blk);
	return d ? &d->e[idx] : &none;
}

/* XN's registry: blk is allocated but has never been written. */
static bool tainted(u32 blk)
{
	struct xn_entry x;
	return sys_xn_bc_find(blk, &x) == 0 && (x.state & XN_S_TAINTED);
}

/* Open path for writing and write n bytes of pattern seed from its start:
 * the descriptor, left open. */
static int rewrite(const char *path, u32 n, u32 seed)
{
	int fd = cffs_open(path, CFFS_RDWR, 0);
	fill(wbuf, n, seed);
	if (fd >= 0 && cffs_write(fd, wbuf, n) != (int)n) {
		cffs_close(fd);
		return -1;
	}
	return fd;
}

/* fsync reaches the disk: the entry and data read back from the disk
 * itself, and through a fresh mount. */
void test_fsync(void)
{
	int fd = cffs_open("/f", CFFS_CREAT | CFFS_WRONLY, 0644);
	CHECK(fd >= 0);
	fill(wbuf, 800, 13);
	CHECK(cffs_write(fd, wbuf, 800) == 800);
	u32 blk, idx, bl[4];
	CHECK(cffs_where("/f", &blk, &idx) == 0 && cffs_blocks("/f", bl, 4) == 2);
	CHECK(disk_ent(blk, idx)->ino.size != 800);     /* not on the disk yet */
	CHECK(cffs_fsync(fd) == 0);
	const struct cffs_dent *d = disk_ent(blk, idx);
	CHECK(d->ino.size == 800 && d->ino.d[0] == bl[0] && d->ino.d[1] == bl[1] &&
	      d->namelen == 1 && d->name[0] == 'f');
	CHECK(raw_io(XN_READ, bl[0], 0) == 0 && raw_io(XN_READ, bl[1], 512) == 0);
	CHECK(bad_bytes((const u8 *)TBUF_VA, 800, 13, 0) == 0);
	CHECK(cffs_close(fd) == 0 && cffs_unmount() == 0 && cffs_mount(FS_NAME) == 0);
	CHECK(file_is("/f", 800, 13, 4096));
	CHECK(cffs_fsync(fd) == -CFFS_EBADF && cffs_fsync(-1) == -CFFS_EBADF);
	CHECK(cffs_unlink("/f") == 0 && cffs_sync() == 0);
}

/* Two files dirty in one DIR block, and a new file in another directory:
 * fsync of one writes its two blocks and its DIR block (3 requests); the
 * other's new bytes and the new file stay unwritten (nothing forces them:
 * the other's blocks are not tainted, and the new file is in a DIR block
 * fsync does not write). A sync writes the rest. */
void test_fsync_one(void)
{
	u32 fa[2], fb[2], y[2], blk, idx, bblk, bidx, oblk, yidx;
	CHECK(cffs_mkdir("/q", 0755) == 0 && make_file("/q/fa", 600, 20, 600) &&
	      make_file("/q/fb", 600, 21, 600) && cffs_mkdir("/q/o", 0755) == 0 &&
	      make_file("/q/o/x", 100, 24, 100) && cffs_sync() == 0);   /* /q/o has a DIR block */
	CHECK(cffs_blocks("/q/fa", fa, 2) == 2 && cffs_blocks("/q/fb", fb, 2) == 2);
	CHECK(cffs_where("/q/fa", &blk, &idx) == 0 && cffs_where("/q/fb", &bblk, &bidx) == 0);
	CHECK(bblk == blk);                             /* one DIR block holds both entries */
	int fd = rewrite("/q/fb", 600, 23);             /* new bytes, no new block */
	CHECK(fd >= 0 && cffs_close(fd) == 0);
	CHECK(make_file("/q/o/y", 300, 25, 300) && cffs_blocks("/q/o/y", y, 2) == 1 &&
	      cffs_where("/q/o/y", &oblk, &yidx) == 0);
	fd = rewrite("/q/fa", 800, 22);                 /* new bytes and size: its entry */
	CHECK(fd >= 0);
	u32 w0 = cffs_count.wr_reqs, f0 = cffs_count.fsync_forced;
	CHECK(cffs_fsync(fd) == 0 && cffs_close(fd) == 0);
	printf("    # fsync of /q/fa: %u writes\n", cffs_count.wr_reqs - w0);
	CHECK(cffs_count.wr_reqs - w0 == 3 && cffs_count.fsync_forced == f0);
	const struct cffs_dent *d = disk_ent(blk, idx);
	CHECK(d->ino.size == 800 && d->ino.d[0] == fa[0] && d->ino.d[1] == fa[1]);
	CHECK(disk_is(fa[0], 512, 22, 0) && disk_is(fa[1], 288, 22, 512));
	CHECK(disk_is(fb[0], 512, 21, 0) && disk_is(fb[1], 88, 21, 512));     /* the old bytes */
	CHECK(disk_ent(oblk, yidx)->ino.mode == 0 && tainted(y[0]));           /* not there */
	CHECK(cffs_drop_cache() == 0);
	CHECK(disk_is(fb[0], 512, 23, 0) && !tainted(y[0]) && disk_ent(oblk, yidx)->ino.size == 300);
	CHECK(file_is("/q/fa", 800, 22, 4096) && file_is("/q/fb", 600, 23, 4096) &&
	      file_is("/q/o/y", 300, 25, 4096));
	CHECK(cffs_unlink("/q/o/y") == 0 && cffs_unlink("/q/o/x") == 0 && cffs_rmdir("/q/o") == 0);
	CHECK(cffs_unlink("/q/fa") == 0 && cffs_unlink("/q/fb") == 0 && cffs_rmdir("/q") == 0 &&
	      cffs_sync() == 0);
}

/* A file in a new directory: fsync writes the way down to it, so that the
 * disk reaches it from the root: the root directory's entry for /p, /p's
 * TOP, its IND, its DIR block, the file's block. Then the file moves. */
void test_fsync_path(void)
{
	u32 p[4], f[2], pblk, pidx, fblk, fidx;
	CHECK(cffs_sync() == 0 && cffs_mkdir("/p", 0755) == 0);
	int fd = cffs_open("/p/f", CFFS_CREAT | CFFS_WRONLY, 0644);
	fill(wbuf, 400, 26);
	CHECK(fd >= 0 && cffs_write(fd, wbuf, 300) == 300);
	CHECK(cffs_blocks("/p", p, 4) == 3 && cffs_blocks("/p/f", f, 2) == 1);  /* TOP, IND, DIR */
	CHECK(cffs_where("/p", &pblk, &pidx) == 0 && cffs_where("/p/f", &fblk, &fidx) == 0);
	CHECK(fblk == p[2] && tainted(p[0]) && tainted(p[2]));
	CHECK(cffs_fsync(fd) == 0 && cffs_close(fd) == 0);
	CHECK(disk_ent(pblk, pidx)->ino.top == p[0]);
	const struct cffs_ind *n = on_disk(p[0]);
	CHECK(n && n->count == 1 && n->slot[0] == p[1]);
	n = on_disk(p[1]);
	CHECK(n && n->count == 1 && n->slot[0] == p[2]);
	const struct cffs_dent *d = disk_ent(p[2], fidx);
	CHECK(d->ino.size == 300 && d->ino.d[0] == f[0] && d->name[0] == 'f');
	CHECK(disk_is(f[0], 300, 26, 0));
	/* Moved to another directory while open, the file is not where its
	 * descriptor remembers: fsync writes everything instead. */
	fd = cffs_open("/p/f", CFFS_RDWR, 0);
	CHECK(fd >= 0 && cffs_rename("/p/f", "/pf") == 0 && cffs_where("/pf", &fblk, &fidx) == 0);
	u32 whole = cffs_count.fsync_whole;
	CHECK(cffs_lseek(fd, 0, CFFS_SEEK_END) == 300 && cffs_write(fd, wbuf + 300, 100) == 100);
	CHECK(cffs_fsync(fd) == 0 && cffs_count.fsync_whole == whole + 1 && cffs_close(fd) == 0);
	CHECK(disk_ent(fblk, fidx)->ino.size == 400 && !cffs_cache_dirty());
	CHECK(cffs_unlink("/pf") == 0 && cffs_rmdir("/p") == 0 && cffs_sync() == 0);
}

/* A new file's entry in the same DIR block as the file fsync'd: that block
 * may not be written while it points to the new file's tainted blocks
 * (XN's rule 1), so fsync writes those too, and only those: its two direct
 * blocks, its TOP, the TOP's IND and the IND's block (5 forced); the other
 * file's rewritten (not tainted) bytes stay unwritten. */
void test_fsync_forced(void)
{
	u32 fa[2], fb[2], fc[8], blk, idx, cblk, cidx;
	CHECK(cffs_mkdir("/r", 0755) == 0 && make_file("/r/fa", 600, 30, 600) &&
	      make_file("/r/fb", 600, 31, 600) && cffs_sync() == 0);
	CHECK(cffs_blocks("/r/fa", fa, 2) == 2 && cffs_blocks("/r/fb", fb, 2) == 2);
	int fd = rewrite("/r/fb", 600, 33);
	CHECK(fd >= 0 && cffs_close(fd) == 0);
	CHECK(make_file("/r/fc", 1500, 32, 1500) && cffs_blocks("/r/fc", fc, 8) == 5);
	CHECK(cffs_where("/r/fa", &blk, &idx) == 0 && cffs_where("/r/fc", &cblk, &cidx) == 0);
	CHECK(cblk == blk);
	fd = rewrite("/r/fa", 800, 34);
	CHECK(fd >= 0);
	u32 w0 = cffs_count.wr_reqs, f0 = cffs_count.fsync_forced;
	CHECK(cffs_fsync(fd) == 0 && cffs_close(fd) == 0);
	printf("    # fsync of /r/fa: %u writes, %u forced\n", cffs_count.wr_reqs - w0,
	       cffs_count.fsync_forced - f0);
	CHECK(cffs_count.fsync_forced - f0 == 5 && cffs_count.wr_reqs - w0 == 2 + 5 + 1);
	for (u32 i = 0; i < 5; i++)
		CHECK(!tainted(fc[i]));
	const struct cffs_dent *d = disk_ent(blk, cidx);
	CHECK(d->ino.size == 1500 && d->ino.top == fc[2]);
	CHECK(disk_ent(blk, idx)->ino.size == 800 && disk_is(fa[1], 288, 34, 512));
	CHECK(disk_is(fc[0], 512, 32, 0) && disk_is(fc[4], 476, 32, 1024));
	CHECK(disk_is(fb[0], 512, 31, 0));              /* not forced: the old bytes */
	CHECK(cffs_drop_cache() == 0 && disk_is(fb[0], 512, 33, 0));
	CHECK(file_is("/r/fa", 800, 34, 4096) && file_is("/r/fb", 600, 33, 4096) &&
	      file_is("/r/fc", 1500, 32, 4096));
	CHECK(cffs_unlink("/r/fa") == 0 && cffs_unlink("/r/fb") == 0 && cffs_unlink("/r/fc") == 0 &&
	      cffs_rmdir("/r") == 0 && cffs_sync() == 0);
}
