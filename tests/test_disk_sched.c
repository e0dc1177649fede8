/*
 * test_disk_sched.c: host-side unit tests of the disk queue's scheduling
 * rules (aegis/disk_sched.c; docs/storage.md, "Fairness") under
 * ASan/UBSan: barriers (XN's area writes) keep queue order with every
 * other request, each turn's requests go in their order, turns are taken
 * cyclically, and the admission rule bounds a requester's share. Random
 * queues are served to the end against these properties. Prints KTAP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../aegis/disk_sched.h"
#include "ktap.h"

#define SLOTS  8
#define TURNS  64

static struct dsched s[SLOTS];
static u32 clock_;                       /* the next arrival */

static int add(bool barrier, u32 turn)
{
	for (int i = 0; i < SLOTS; i++)
		if (!s[i].used) {
			s[i] = (struct dsched){ true, barrier, clock_++, turn };
			return i;
		}
	return -1;
}

/* Serve everything queued; the order of arrivals in out[] (n returned). */
static u32 drain(u32 *last, u32 *out)
{
	u32 n = 0;
	int i;
	while ((i = dsched_pick(s, SLOTS, *last, TURNS)) >= 0) {
		if (!s[i].barrier)
			*last = s[i].turn;
		out[n++] = s[i].arrival;
		s[i].used = false;
	}
	return n;
}

static void test_empty(void)
{
	memset(s, 0, sizeof s);
	CHECK(dsched_pick(s, SLOTS, 0, TURNS) == -1);
}

/* One requester: its requests in the order queued. */
static void test_one_turn_fifo(void)
{
	memset(s, 0, sizeof s);
	clock_ = 0xfffffffcu;                  /* arrivals wrap around in the middle */
	for (int k = 0; k < SLOTS; k++)
		add(false, 5);
	u32 last = 5, out[SLOTS];
	CHECK(drain(&last, out) == SLOTS);
	for (u32 k = 0; k < SLOTS; k++)
		CHECK(out[k] == 0xfffffffcu + k);
}

/* A flood from turn 3 queued first, then one request of turn 9: served
 * after the one on the drive, not behind the flood. */
static void test_turns(void)
{
	memset(s, 0, sizeof s);
	clock_ = 0;
	for (int k = 0; k < 4; k++)
		add(false, 3);
	add(false, 9);
	u32 last = 3, out[SLOTS];               /* turn 3 was just served */
	CHECK(drain(&last, out) == 5);
	CHECK(out[0] == 4);                     /* turn 9's, first */
	CHECK(out[1] == 0 && out[2] == 1 && out[3] == 2 && out[4] == 3);
	/* Three turns: taken cyclically after last, wrapping past TURNS - 1. */
	memset(s, 0, sizeof s);
	add(false, 2), add(false, 2), add(false, 63), add(false, 0), add(false, 63);
	last = 62;
	u32 base = clock_ - 5;
	CHECK(drain(&last, out) == 5);
	u32 want[5] = { 2, 3, 0, 4, 1 };        /* 63, 0, 2, 63, 2 */
	for (int k = 0; k < 5; k++)
		CHECK(out[k] == base + want[k]);
}

/* A barrier is served when everything queued before it is over, and
 * nothing queued after it goes first, whatever the turns. */
static void test_barrier(void)
{
	memset(s, 0, sizeof s);
	clock_ = 100;
	add(false, 4);                          /* 100 */
	add(false, 4);                          /* 101 */
	add(true, 0);                           /* 102: XN's area */
	add(false, 7);                          /* 103: another turn, after it */
	add(true, 0);                           /* 104 */
	add(false, 4);                          /* 105 */
	u32 last = 4, out[SLOTS];               /* turn 7 would be next */
	CHECK(drain(&last, out) == 6);
	u32 want[6] = { 100, 101, 102, 103, 104, 105 };
	for (int k = 0; k < 6; k++)
		CHECK(out[k] == want[k]);
}

/* Random queues served with random arrivals in between: every pick obeys
 * the three rules. */
static void test_random(void)
{
	srand(12);
	memset(s, 0, sizeof s);
	clock_ = 0xffffff00u;
	u32 last = 0, picks = 0;
	for (int step = 0; step < 200000; step++) {
		if (rand() % 3) {
			add(rand() % 8 == 0, (u32)(rand() % 5) * 13 % TURNS);
			continue;
		}
		int i = dsched_pick(s, SLOTS, last, TURNS);
		bool any = false;
		for (int j = 0; j < SLOTS; j++)
			any |= s[j].used;
		CHECK((i >= 0) == any);
		if (i < 0)
			continue;
		for (int j = 0; j < SLOTS; j++) {
			if (!s[j].used || j == i)
				continue;
			bool before = (int)(s[j].arrival - s[i].arrival) < 0;
			/* a barrier: nothing older is left; nothing newer than a barrier goes first */
			if (s[i].barrier)
				CHECK(!before);
			if (s[j].barrier)
				CHECK(!before);
			/* its turn's requests in order */
			if (!s[i].barrier && !s[j].barrier && s[j].turn == s[i].turn)
				CHECK(!before);
			/* no waiting turn lies strictly between last and the one served */
			if (!s[i].barrier && !s[j].barrier && s[j].turn != s[i].turn) {
				u32 dj = (s[j].turn + TURNS - 1 - last) % TURNS;
				u32 di = (s[i].turn + TURNS - 1 - last) % TURNS;
				bool barrier_before_j = false;
				for (int b = 0; b < SLOTS; b++)
					barrier_before_j |= s[b].used && s[b].barrier &&
							    (int)(s[b].arrival - s[j].arrival) < 0;
				if (!barrier_before_j)
					CHECK(di < dj);
			}
		}
		if (!s[i].barrier)
			last = s[i].turn;
		s[i].used = false;
		picks++;
	}
	CHECK(picks > 10000);
}

/* The admission rule: alone, a requester gets half the slots; fewer than
 * four requesters can never fill the queue, whatever the order of
 * arrivals and completions (explored exhaustively); four can. */
static bool can_fill(u32 n)
{
	static u8 seen[9 * 9 * 9 * 9 * 9];     /* up to 5 requesters, 0..8 each */
	memset(seen, 0, sizeof seen);
	u32 stack[4096], sp = 0;
	stack[sp++] = 0;
	while (sp) {
		u32 code = stack[--sp], h[5] = { 0 }, c = code, sum = 0;
		if (seen[code])
			continue;
		seen[code] = 1;
		for (u32 k = 0; k < n; k++, c /= 9)
			sum += h[k] = c % 9;
		if (sum == SLOTS)
			return true;
		u32 p = 1;
		for (u32 k = 0; k < n; k++, p *= 9) {
			if (dsched_admit(h[k], SLOTS - sum) && sp < 4096)
				stack[sp++] = code + p;
			if (h[k] && sp < 4096)
				stack[sp++] = code - p;
		}
	}
	return false;
}

static void test_admit(void)
{
	u32 mine = 0;
	while (dsched_admit(mine, SLOTS - mine))
		mine++;
	CHECK(mine == SLOTS / 2);
	CHECK(dsched_admit(0, 1) && !dsched_admit(0, 0) && !dsched_admit(1, 1));
	CHECK(!can_fill(1) && !can_fill(2) && !can_fill(3));
	CHECK(can_fill(4));
}

int main(void)
{
	static const struct unit_test tests[] = {
		{ "empty", test_empty },
		{ "one_turn_fifo", test_one_turn_fifo },
		{ "turns", test_turns },
		{ "barrier", test_barrier },
		{ "random", test_random },
		{ "admit", test_admit },
	};
	return ktap_run(tests, (int)(sizeof tests / sizeof tests[0]));
}
