/*
 * cffscrash.h: what the crash suite of cffs (suite cffs-crash,
 * tools/runtests.py; docs/storage.md "cffs across crashes") shares between
 * its tests (cffscrash.c) and its workload (work.c).
 *
 * Files hold a pattern their name and generation determine: a file's name
 * is a letter and a number, its id; word j (bytes 4j..4j+3) of a file of
 * id i written at generation g is mix(i, j) ^ g << 20. A word read back
 * names its generation in its top 12 bits and checks itself with the low
 * 20, so every word within a file's size can be checked alone: it was
 * written to this file, at this offset, by one of its writes (sizes and
 * writes are multiples of 4 bytes).
 */
#ifndef CFFSCRASH_H
#define CFFSCRASH_H
#include "../utest/utest.h"
#include "cffs.h"

#define FS_NAME    "cffs"
#define FS_FIRST   1000u              /* its blocks: [1000, 1000 + 40000) */
#define FS_BLOCKS  40000u
#define FS2_NAME   "cffs2"            /* a second kept cffs, with its own templates */
#define FS2_FIRST  200u
#define FS2_BLOCKS 400u
#define MAXFILES   64
#define MAXDIRS    6
#define PATHMAX    24

extern const u32 fs_secret[4];

static inline u32 mix(u32 id, u32 j)
{
	u32 x = id * 0x9e3779b1u ^ j * 0x85ebca6bu;
	x ^= x >> 15;
	x *= 0x2c1b3c6du;
	return x ^ x >> 12;
}
static inline u32 pat_word(u32 id, u32 gen, u32 j) { return mix(id, j) ^ gen << 20; }

/* The model of the file system the workload keeps: what the verify found,
 * then every change it makes. A file's letter: 'f' or 'g' (renamed in
 * place), or 's': fsynced once written, then never changed but unlinked
 * ("durable": the runner checks it after every later crash). */
struct mfile { bool used; char path[PATHMAX]; u32 id, gen, size; };
extern struct mfile files[MAXFILES];
extern bool dirs[MAXDIRS];            /* /d0 .. /d5 exist */
extern u32 next_id;

/* The id of the file whose last path component is name, or 0. */
u32 id_of(const char *path);
/* Write n bytes (a multiple of 4) of the pattern of id at gen from offset
 * 0 of open file fd, in random pieces: 0 or the first error. */
int write_pattern(int fd, u32 id, u32 gen, u32 n, u32 *seed);
void workload(void);

#endif
