/*
 * cffscrash: cffs across crashes (suite cffs-crash, tools/runtests.py;
 * docs/storage.md "cffs across crashes"), on a 64 MiB disk formatted for
 * XN. The first boot makes two kept file systems (keep: "cffs2" with one
 * file, then "cffs", each with its own templates); every later boot
 * attaches them with their secrets (attach) and checks the whole of
 * "cffs" (verify: every directory listed, every file read, every word
 * within its size its own pattern). Then the workload (work.c) changes
 * the file system until the runner stops the board at a random moment.
 * KTAP: subtest "cffscrash"; each file the verify found is a "# have"
 * line, which the runner compares with the files fsynced before a crash.
 */
#include "cffscrash.h"

int failed_checks;
const u32 fs_secret[4] = { 0xcff5c4a5u, 0x11, 0x222, 0x3333 };
static const u32 fs2_secret[4] = { 0x2cff5c4au, 0x44, 0x555, 0x6666 };
#define HELLO_ID   7u
#define HELLO_SIZE 600u

struct mfile files[MAXFILES];
bool dirs[MAXDIRS];
u32 next_id = 100;
static u32 rbuf[4096 / 4];

u32 id_of(const char *path)
{
	const char *p = path;
	for (const char *q = path; *q; q++)
		if (*q == '/')
			p = q + 1;
	u32 id = 0;
	for (p++; *p >= '0' && *p <= '9'; p++)
		id = id * 10 + (u32)(*p - '0');
	return id;
}

/*
 * Check file path of size bytes: every word read back is its pattern at
 * some generation. *gen the highest generation found, *uniform whether
 * every word has it. The number of wrong words (a failed read counts as
 * one, as does a length other than size).
 */
static u32 check_file(const char *path, u32 size, u32 *gen, bool *uniform)
{
	u32 id = id_of(path), bad = 0, lo = 0xfff, hi = 0;
	int fd = cffs_open(path, CFFS_RDONLY, 0), r;
	if (fd < 0)
		return 1;
	u32 at = 0;
	while ((r = cffs_read(fd, rbuf, sizeof rbuf)) > 0) {
		for (u32 k = 0; k < (u32)r / 4; k++) {
			u32 d = rbuf[k] ^ mix(id, at / 4 + k);
			bad += (d & 0xfffff) != 0;
			if ((d & 0xfffff) == 0) {
				lo = d >> 20 < lo ? d >> 20 : lo;
				hi = d >> 20 > hi ? d >> 20 : hi;
			}
		}
		at += (u32)r;
	}
	cffs_close(fd);
	bad += r < 0 || at != size || size % 4;
	*gen = hi;
	*uniform = size == 0 || lo == hi;
	return bad;
}

/* Walk directory path (depth 0: the root): every entry listed and read;
 * files and /dK directories of the root go into the model. */
static void walk(const char *path, u32 depth, u32 *nf, u32 *bad)
{
	u32 cookie = 0;
	struct cffs_dirent d;
	int r;
	while ((r = cffs_readdir(path, &cookie, &d)) == 1) {
		char p[PATHMAX + 72];
		lib_snprintf(p, sizeof p, "%s/%s", depth ? path : "", d.name);
		struct cffs_stat st;
		if (cffs_stat(p, &st) < 0 || st.size != d.size || st.mode != d.mode) {
			printf("    # %s: stat differs from readdir\n", p);
			(*bad)++;
		}
		if ((d.mode & CFFS_IFMT) == CFFS_IFDIR) {
			if (depth == 0 && d.name[0] == 'd' && d.name[1] >= '0' &&
			    d.name[1] < '0' + MAXDIRS && !d.name[2])
				dirs[d.name[1] - '0'] = true;
			else
				(*bad)++;       /* the workload makes no other */
			walk(p, depth + 1, nf, bad);
			continue;
		}
		u32 gen;
		bool uni;
		u32 wrong = check_file(p, d.size, &gen, &uni);
		printf("    # have %s %u %u %u %u\n", p, id_of(p), gen, d.size, uni ? 1 : 0);
		if (wrong)
			printf("    # %s: %u words wrong\n", p, wrong);
		*bad += wrong != 0;
		(*nf)++;
		if (id_of(p) >= next_id)
			next_id = id_of(p) + 1;
		for (u32 i = 0; i < MAXFILES; i++)
			if (!files[i].used && lib_strlen(p) < PATHMAX) {
				files[i] = (struct mfile){ true, "", id_of(p), gen, d.size };
				__builtin_memcpy(files[i].path, p, lib_strlen(p) + 1);
				break;
			}
	}
	if (r < 0) {
		printf("    # readdir %s: %d\n", path, r);
		(*bad)++;
	}
}

/* The first boot: the two kept file systems, and the errors on the way. */
static void test_keep(void)
{
	CHECK(cffs_keep(fs_secret) == -E_NOENT);               /* nothing mounted */
	CHECK(cffs_mkfs(FS2_NAME, FS2_FIRST, FS2_BLOCKS) == 0);
	int fd = cffs_open("/h7", CFFS_CREAT | CFFS_WRONLY, 0644);
	u32 seed = 1;
	CHECK(fd >= 0 && write_pattern(fd, HELLO_ID, 1, HELLO_SIZE, &seed) == 0);
	CHECK(cffs_close(fd) == 0);
	CHECK(cffs_keep((const u32 *)0) == -E_FAULT);
	CHECK(cffs_keep(fs2_secret) == 0);
	CHECK(cffs_unmount() == 0);
	/* The second gets templates of its own: XN would refuse to keep it
	 * on the first one's (-E_BUSY). */
	CHECK(cffs_mkfs(FS_NAME, FS_FIRST, FS_BLOCKS) == 0);
	CHECK(cffs_keep(fs_secret) == 0);
	CHECK(cffs_attach(FS_NAME, fs_secret) == -E_BUSY);      /* attached: ours */
	CHECK(cffs_attach("nosuch", fs_secret) == -E_NOENT);
	CHECK(cffs_root() == FS_FIRST);
	CHECK(cffs_mkdir("/d0", 0755) == 0 && cffs_sync() == 0);
	dirs[0] = true;
}

/* Every later boot: the kernel rebuilt both; each attaches with its own
 * secret only. */
static void test_attach(void)
{
	u32 wrong[4] = { fs_secret[0], fs_secret[1], fs_secret[2], fs_secret[3] ^ 1 };
	CHECK(cffs_mount(FS_NAME) == -E_PERM);                 /* attached to nobody */
	CHECK(cffs_attach(FS_NAME, wrong) == -E_BADCAP);
	CHECK(cffs_attach(FS_NAME, fs2_secret) == -E_BADCAP);
	CHECK(cffs_attach("nosuch", fs_secret) == -E_NOENT);
	CHECK(cffs_attach(FS2_NAME, fs2_secret) == 0 && cffs_root() == FS2_FIRST);
	u32 gen;
	bool uni;
	CHECK(check_file("/h7", HELLO_SIZE, &gen, &uni) == 0 && gen == 1 && uni);
	CHECK(cffs_attach(FS2_NAME, fs2_secret) == -E_BUSY);
	CHECK(cffs_attach(FS_NAME, fs_secret) == 0 && cffs_root() == FS_FIRST);
}

static void test_verify(void)
{
	u32 nf = 0, bad = 0;
	walk("/", 0, &nf, &bad);
	printf("    # cffs verify: %u files, %u wrong\n", nf, bad);
	CHECK(bad == 0);
}

static const struct utest first_tests[] = { { "keep", test_keep } };
static const struct utest later_tests[] = { { "attach", test_attach }, { "verify", test_verify } };

int main(void)
{
	static u32 scratch[1];
	char nm[XN_NAMELEN] = FS_NAME;
	if (sys_xn_root_find(nm) < 0)
		utest_run_checked("cffscrash", first_tests, 1, scratch, 0);
	else
		utest_run_checked("cffscrash", later_tests, 2, scratch, 0);
	workload();
	return 0;
}
