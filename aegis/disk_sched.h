/*
 * disk_sched.h: the order in which the disk's queue is served, and who may
 * queue (docs/storage.md, "Fairness"): pure logic, shared by the kernel
 * (disk.c) and its host test (tests/test_disk_sched.c).
 */
#ifndef AEGIS_DISK_SCHED_H
#define AEGIS_DISK_SCHED_H
#include "types.h"

/* One slot of the queue, as the scheduler sees it. */
struct dsched {
	bool used;
	bool barrier;     /* XN's area write: served in queue order relative to every request */
	u32 arrival;      /* when it was queued (a counter that may wrap) */
	u32 turn;         /* whose turn serves it: 0 .. nturns - 1 (the requester's) */
};

/* The slot of s[0 .. n-1] to serve next, or -1 if none is used: the oldest
 * request if it is a barrier; else, among the requests queued before the
 * oldest barrier (all if none), the oldest of the first turn after last,
 * cyclically over nturns turns (last's own comes last). */
int dsched_pick(const struct dsched *s, u32 n, u32 last, u32 nturns);

/* May a requester with mine requests queued queue another while free of
 * the queue's slots are free? Only if mine < free: alone it holds at most
 * half the queue, and one with none queued needs only a free slot. */
static inline bool dsched_admit(u32 mine, u32 free) { return mine < free; }

#endif
