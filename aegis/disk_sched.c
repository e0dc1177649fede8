/*
 * disk_sched.c: which queued disk request goes to the drive next
 * (disk_sched.h; docs/storage.md, "Fairness"). No kernel state: disk.c
 * passes its slots; tests/test_disk_sched.c checks the rules natively.
 */
#include "disk_sched.h"

/* Was slot i queued before slot j? (Arrivals wrap: compared as a difference.) */
static bool older(const struct dsched *s, u32 i, u32 j)
{
	return (int)(s[i].arrival - s[j].arrival) < 0;
}

int dsched_pick(const struct dsched *s, u32 n, u32 last, u32 nturns)
{
	int oldest = -1, bar = -1;
	for (u32 i = 0; i < n; i++) {
		if (!s[i].used)
			continue;
		if (oldest < 0 || older(s, i, (u32)oldest))
			oldest = (int)i;
		if (s[i].barrier && (bar < 0 || older(s, i, (u32)bar)))
			bar = (int)i;
	}
	if (oldest < 0 || oldest == bar)
		return oldest;
	int best = -1;
	u32 bestd = 0;
	for (u32 i = 0; i < n; i++) {
		if (!s[i].used || s[i].barrier || (bar >= 0 && !older(s, i, (u32)bar)))
			continue;
		u32 d = (s[i].turn + nturns - 1 - last % nturns) % nturns;   /* turns after last */
		if (best < 0 || d < bestd || (d == bestd && older(s, i, (u32)best))) {
			best = (int)i;
			bestd = d;
		}
	}
	return best;
}
