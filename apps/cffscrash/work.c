/*
 * work.c: the crash suite's workload on cffs (cffscrash.h), run until the
 * runner stops the board: files of 512 bytes to 64 KiB created (written in
 * random pieces), overwritten (a new generation; truncated first when it
 * shrinks), unlinked, renamed in their directory and into another,
 * directories made and removed, syncs. A quarter of the new files are
 * durable ('s'): fsynced once written ("# fsynced PATH ID GEN SIZE end"),
 * never changed after, and announced before they are unlinked ("# dropping
 * PATH end"), so the runner knows which files the next boot must find
 * intact (a line the stop cut short, without its "end", says nothing).
 * Every call must succeed (a rename into another directory too, a file
 * with a TOP included: XN moves its tree); a failure is "# cffs workload:
 * step N failed".
 */
#include "cffscrash.h"

static u32 step, seed;

static u32 rnd(u32 n) { return xorshift32(&seed) % n; }

static void failed(const char *what, const char *path, int e)
{
	printf("    # cffs workload: step %u failed: %s %s: %d\n", step, what, path, e);
}

int write_pattern(int fd, u32 id, u32 gen, u32 n, u32 *s)
{
	static u32 buf[8192 / 4];
	for (u32 at = 0; at < n;) {
		u32 m = 4 * (1 + xorshift32(s) % 2048);
		if (m > n - at)
			m = n - at;
		for (u32 k = 0; k < m / 4; k++)
			buf[k] = pat_word(id, gen, at / 4 + k);
		int w = cffs_write(fd, buf, m);
		if (w != (int)m)
			return w < 0 ? w : -E_IO;
		at += m;
	}
	return 0;
}

/* A size: a third at most 1 KiB (direct blocks only), the rest to 64 KiB. */
static u32 new_size(void)
{
	return rnd(3) == 0 ? 4 * (128 + rnd(129)) : 4 * (256 + rnd(16129));
}

/* The letter of a file's last path component. */
static char letter(const struct mfile *f)
{
	const char *p = f->path;
	for (const char *q = p; *q; q++)
		if (*q == '/')
			p = q + 1;
	return *p;
}

/* A file of the model at random (a durable one only if durable_ok). */
static struct mfile *pick(bool durable_ok)
{
	u32 start = rnd(MAXFILES);
	for (u32 i = 0; i < MAXFILES; i++) {
		struct mfile *f = &files[(start + i) % MAXFILES];
		if (f->used && (durable_ok || letter(f) != 's'))
			return f;
	}
	return NULL;
}

static u32 nfiles(void)
{
	u32 n = 0;
	for (u32 i = 0; i < MAXFILES; i++)
		n += files[i].used;
	return n;
}

/* path of a file of letter c and id in directory k (MAXDIRS: the root). */
static void path_of(char *p, u32 k, char c, u32 id)
{
	if (k < MAXDIRS)
		lib_snprintf(p, PATHMAX, "/d%u/%c%u", k, c, id);
	else
		lib_snprintf(p, PATHMAX, "/%c%u", c, id);
}

static u32 any_dir(void)
{
	u32 k = rnd(MAXDIRS + 1);
	return k < MAXDIRS && !dirs[k] ? MAXDIRS : k;
}

/* The directory a path is in (MAXDIRS: the root). */
static u32 dir_of(const char *p) { return p[1] == 'd' && p[3] == '/' ? (u32)(p[2] - '0') : MAXDIRS; }

static void create(void)
{
	struct mfile *f = NULL;
	for (u32 i = 0; i < MAXFILES && !f; i++)
		if (!files[i].used)
			f = &files[i];
	if (!f)
		return;
	bool durable = rnd(4) == 0;
	*f = (struct mfile){ true, "", next_id++, 1, new_size() };
	path_of(f->path, any_dir(), durable ? 's' : 'f', f->id);
	int fd = cffs_open(f->path, CFFS_CREAT | CFFS_EXCL | CFFS_WRONLY, 0644), e = fd;
	if (fd >= 0 && (e = write_pattern(fd, f->id, 1, f->size, &seed)) == 0 && durable &&
	    (e = cffs_fsync(fd)) == 0)
		printf("    # fsynced %s %u %u %u end\n", f->path, f->id, 1, f->size);
	if (fd >= 0)
		cffs_close(fd);
	if (e < 0)
		failed("create", f->path, e);
}

static void overwrite(struct mfile *f)
{
	u32 n = new_size(), gen = (f->gen + 1) & 0xfff ? (f->gen + 1) & 0xfff : 1;
	int fd = cffs_open(f->path, CFFS_WRONLY | (n < f->size ? CFFS_TRUNC : 0), 0), e = fd;
	if (fd >= 0 && (e = write_pattern(fd, f->id, gen, n, &seed)) == 0)
		f->gen = gen, f->size = n;
	if (fd >= 0)
		cffs_close(fd);
	if (e < 0)
		failed("overwrite", f->path, e);
}

static void w_unlink(struct mfile *f)
{
	if (letter(f) == 's')
		printf("    # dropping %s end\n", f->path);
	int e = cffs_unlink(f->path);
	if (e < 0)
		failed("unlink", f->path, e);
	f->used = false;
}

/* Rename f in its directory (f <-> g), or into another. */
static void w_rename(struct mfile *f, bool across)
{
	char to[PATHMAX];
	u32 k = dir_of(f->path);
	char c = letter(f) == 'f' ? 'g' : 'f';
	if (across) {
		k = any_dir();
		c = letter(f);
	}
	path_of(to, k, c, f->id);
	int e = cffs_rename(f->path, to);
	if (e == 0)
		__builtin_memcpy(f->path, to, PATHMAX);
	else
		failed("rename", f->path, e);
}

static void dir_step(void)
{
	u32 k = rnd(MAXDIRS);
	char p[PATHMAX];
	lib_snprintf(p, PATHMAX, "/d%u", k);
	if (!dirs[k]) {
		int e = cffs_mkdir(p, 0755);
		if (e < 0)
			failed("mkdir", p, e);
		dirs[k] = e == 0;
		return;
	}
	for (u32 i = 0; i < MAXFILES; i++)
		if (files[i].used && dir_of(files[i].path) == k)
			return;                 /* not empty */
	int e = cffs_rmdir(p);
	if (e < 0)
		failed("rmdir", p, e);
	dirs[k] = false;
}

/* A crash in the middle of a rename into another directory leaves the
 * file under both names (its blocks linked from both): unlink the second. */
static void drop_twins(void)
{
	for (u32 i = 0; i < MAXFILES; i++)
		for (u32 j = i + 1; j < MAXFILES; j++)
			if (files[i].used && files[j].used && files[i].id == files[j].id) {
				printf("    # twin %s of %s\n", files[j].path, files[i].path);
				w_unlink(&files[j]);
			}
}

void workload(void)
{
	seed = read_count() | 1;
	drop_twins();
	for (step = 0;; step++) {
		if (step % 10 == 0)
			printf("    # cffs workload: step %u, %u files\n", step, nfiles());
		u32 r = rnd(100);
		struct mfile *f = pick(r >= 40 && r < 50);
		if (!f || (nfiles() < 40 && (r < 30 || (nfiles() < 8 && r < 50))))
			create();
		else if (r < 40 && nfiles() < 40)
			overwrite(f);
		else if (r < 50 || nfiles() >= 40)
			w_unlink(f);
		else if (r < 60)
			w_rename(f, false);
		else if (r < 70)
			w_rename(f, true);
		else if (r < 80)
			dir_step();
		else if (r < 85) {
			int e = cffs_sync();
			if (e < 0)
				failed("sync", "/", e);
		} else if (r < 90 && sys_kcheck(0) != 0) {
			failed("kcheck", "", 0);
		}
	}
}
