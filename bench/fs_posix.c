/*
 * fs_posix.c: bench.h's storage calls on Linux, with ordinary system calls on the file
 * system /init mounted at FS_ROOT (tools/baseline/init.sh, on a boot given
 * bench.disk=TYPE: the whole disk /dev/sda, mounted noatime).
 *
 *   files        open(O_CREAT|O_EXCL|O_WRONLY), open(O_RDONLY), write, read, close
 *   names        unlink, mkdir, rmdir
 *   sync         sync(): every file system (the others are in memory)
 *   drop caches  sync(), then "3" into /proc/sys/vm/drop_caches (page cache, dentries
 *                and inodes)
 *   counters     /sys/block/<disk>/stat: requests completed after merging (what the
 *                driver sent the drive) and sectors of 512 bytes, reads and writes; the
 *                flush requests (fields 16-17 of this kernel's format)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"

#define FS_ROOT "/mnt"

/* The file-system type each set needs (as /proc/mounts names it). */
static const char *const set_type[] = { "ext2", "ext4" };
static char disk[64];		/* "sda": the mounted device's name in /sys/block */

/* Find FS_ROOT in /proc/mounts: its type into type[n] and device name into disk; 0 or -1. */
static int
mounted(char *type, unsigned n)
{
	char dev[64], dir[64], t[32];
	FILE *f = fopen("/proc/mounts", "r");
	int found = -1;

	if (!f)
		return -1;
	while (fscanf(f, "%63s %63s %31s %*[^\n]", dev, dir, t) == 3)
		if (!strcmp(dir, FS_ROOT) && !strncmp(dev, "/dev/", 5)) {
			snprintf(type, n, "%s", t);
			snprintf(disk, sizeof disk, "%s", dev + 5);
			found = 0;
		}
	fclose(f);
	return found;
}

const char *
bench_fs_na(enum bench_fs_set set)
{
	char type[32];

	if (mounted(type, sizeof type))
		return "no disk file system mounted: the storage rows run in the boots of "
		       "tools/bench_storage.py (make bench-storage), which give a disk";
	if (strcmp(type, set_type[set]))
		return set == BENCH_FS_MAIN ? "this boot's disk has ext4: the fs_ rows boot with ext2"
					    : "this boot's disk has ext2: the fsj_ rows boot with ext4";
	return 0;
}

/* FS_ROOT "/" name into path[n]. */
static const char *
path(char *p, unsigned n, const char *name)
{
	snprintf(p, n, FS_ROOT "/%s", name);
	return p;
}

int
bench_fs_create(const char *name)
{
	char p[128];

	return open(path(p, sizeof p, name), O_CREAT | O_EXCL | O_WRONLY, 0644);
}

int
bench_fs_open(const char *name)
{
	char p[128];

	return open(path(p, sizeof p, name), O_RDONLY);
}

int
bench_fs_write(int h, const void *buf, unsigned n)
{
	const char *s = buf;

	while (n > 0) {
		ssize_t w = write(h, s, n);
		if (w <= 0)
			return -1;
		s += w;
		n -= (unsigned)w;
	}
	return 0;
}

long
bench_fs_read(int h, void *buf, unsigned n)
{
	return read(h, buf, n);
}

int
bench_fs_close(int h)
{
	return close(h);
}

int
bench_fs_unlink(const char *name)
{
	char p[128];

	return unlink(path(p, sizeof p, name));
}

int
bench_fs_mkdir(const char *name)
{
	char p[128];

	return mkdir(path(p, sizeof p, name), 0755);
}

int
bench_fs_rmdir(const char *name)
{
	char p[128];

	return rmdir(path(p, sizeof p, name));
}

int
bench_fs_sync(void)
{
	sync();
	return 0;
}

int
bench_fs_drop_caches(void)
{
	int fd, ok;

	sync();
	fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
	if (fd < 0)
		return -1;
	ok = write(fd, "3\n", 2) == 2;
	return close(fd) == 0 && ok ? 0 : -1;
}

int
bench_fs_disk(struct bench_disk *d)
{
	char p[64];
	unsigned long long v[17];
	FILE *f;
	int n = 0;

	if (!disk[0])
		return -1;
	snprintf(p, sizeof p, "/sys/block/%s/stat", disk);
	if (!(f = fopen(p, "r")))
		return -1;
	while (n < 17 && fscanf(f, "%llu", &v[n]) == 1)
		n++;
	fclose(f);
	if (n < 11)
		return -1;
	/* read I/Os, read merges, read sectors, read ticks, write I/Os, write merges,
	 * write sectors, ...; flush I/Os are field 16 (index 15) when present */
	d->rd_reqs = v[0];
	d->rd_bytes = v[2] * 512;
	d->wr_reqs = v[4];
	d->wr_bytes = v[6] * 512;
	d->flushes = n >= 17 ? v[15] : 0;
	return 0;
}
