/*
 * spin: misbehaving (and one well-behaved) users of the processor, for the
 * scheduling tests. The argument's low 4 bits pick the mode; bits 8 and up
 * carry the parent's environment id where a mode needs it.
 *   1  withdraw the slice epilogue, then spin forever without a system call
 *   2  install an epilogue that never says it is done, then spin forever
 *   3  hand the processor back to the parent 100 times (yield_to), exit 100;
 *      after each, check that no register a call need not keep holds one of
 *      the marks the parent's yield_marked left in its own (else exit 200 +
 *      the register's number: yield_asm.S)
 *   4  keep its protected entry point but never wait at it: spin forever
 *   6  pipe echo for the parent (arg >> 8): two pipes in the shared page at
 *      0x6000, everything read from the first is written to the second
 *   5  stride worker number (arg >> 8): give up every slice position it
 *      owns, then add up the processor time it receives (Count ticks
 *      between consecutive readings while it runs; the gaps while others
 *      run are left out) in the shared page at 0x6000
 *   7  wakeup predicates for utest (waketests.c): the shared page at 0x6000
 *      names a watched page by capability (words 0, 1); sleep until its
 *      word 0 is nonzero, store wk_sleep's result in word 2 and 1 in word 3;
 *      then sleep until its word 1 is nonzero, result in word 4, 1 in word 5
 *   8  sleep on a predicate that never holds (to be destroyed)
 *   9  read the kernel's public page, then try to write it (must fault)
 *  11  sleep 2,000,000 Count ticks (a wakeup predicate), then write "ok"
 *      into the pipe at 0x6000 and exit
 *  10  software regions for utest (regiontests.c): make a region holding
 *      "hi", derive a read-only capability for [0, 2), put it in words 0, 1
 *      of the shared page at 0x6000; derive a read-only capability below
 *      the page capability in words 3, 4 (cap_new) into words 5, 6; 1 in
 *      word 2, then sleep for ever
 *  12  prologues outside and inside the critical range: with no epilogue
 *      and the critical range set to spin_crit (crit.S), count ExOS slice
 *      starts while spinning in C until 3 have come, then spin 8 slices'
 *      worth of Count ticks inside the range; exit 10 if the first phase
 *      saw its 3 + the number of prologues during the second (0 expected)
 *  13  a raw prologue entry that never returns, no epilogue: spin forever
 *  14  an ExOS slice-start handler that never returns (ExOS's epilogue
 *      still registered): spin forever
 *  15  pipe writer for a reader that sleeps (ipctests.c): the pipe at
 *      0x6000, words at 0x6c00: wait (at most WAIT_ASLEEP ticks, yielding)
 *      until the parent is asleep, put the status seen in word 0, write
 *      word 1's count of bytes 'a', 'b', ...; wait again, status in word 2,
 *      and exit 0
 * Modes 1, 2, 13 and 14 also withdraw the protected entry point.
 */
#include "exos.h"

int yield_check(u32 target);

static void __attribute__((noreturn)) spin_forever(void)
{
	for (;;)
		__asm__ volatile("" ::: "memory");
}

void spin_crit(u32 ticks);
extern char spin_crit_end[];
static void count_start(void) { }

/* Mode 9 (see above). The timeout bounds the first phase if prologues never
 * come. */
static int prologue_crit(void)
{
	sys_set_epilogue(0, (u32)spin_crit, (u32)spin_crit_end);
	if (exos_set_slice_start(count_start) < 0)
		return -1;
	u32 t0 = read_count();
	while (exos_prologues < 3 && read_count() - t0 < 200 * 100000u)
		;
	int first = exos_prologues >= 3 ? 10 : 0;
	u32 before = exos_prologues;
	spin_crit(8 * 100000u);
	return first + (int)(exos_prologues - before);
}

/* Mode 15: yield until parent is asleep (env_status 4) or ticks have
 * passed; the status last seen. */
#define WAIT_ASLEEP 200000000u          /* 1.25 s of Count */
static int until_asleep(u32 parent)
{
	int st = sys_env_status(parent);
	for (u32 t0 = read_count(); st != 4 && read_count() - t0 < WAIT_ASLEEP;
	     st = sys_env_status(parent))
		sys_yield();
	return st;
}

int main(void)
{
	u32 mode = exos_arg & 15, parent = exos_arg >> 8;
	switch (mode) {
	case 1:
		sys_pct_entry(0);
		sys_set_epilogue(0, 0, 0);
		spin_forever();
	case 2:
		sys_pct_entry(0);
		sys_set_epilogue((u32)spin_forever, 0, 0);
		spin_forever();
	case 4:
		spin_forever();
	case 12:
		return prologue_crit();
	case 13:
		sys_pct_entry(0);
		sys_set_epilogue(0, 0, 0);
		sys_set_prologue((u32)spin_forever);
		spin_forever();
	case 14:
		sys_pct_entry(0);
		exos_set_slice_start(spin_forever);
		spin_forever();
	case 6: {
		struct exos_pipe *in = (struct exos_pipe *)0x6000, *out = in + 1;
		u8 buf[700];
		for (;;) {
			/* What is there (at most buf's worth), or else wait for a byte. */
			u32 avail = in->head - in->tail;
			u32 n = avail == 0 ? 1 : avail < sizeof buf ? avail : sizeof buf;
			if (pipe_read(in, buf, n, parent) < (int)n ||
			    pipe_write(out, buf, n, parent) < 0)
				return 0;       /* the parent is gone */
		}
	}
	case 5: {
		volatile u32 *ticks = (volatile u32 *)0x6000 + parent;   /* parent = worker number */
		for (u32 pos = 0; pos < 64; pos++)
			sys_slice_free(pos);
		for (u32 last = read_count();;) {
			u32 now = read_count();
			if (now - last < 2000)      /* running all along */
				*ticks += now - last;
			last = now;
		}
	}
	case 7: {
		volatile u32 *box = (volatile u32 *)0x6000;
		struct wk_page watch = { box[0], box[1] };
		for (u32 k = 0; k < 2; k++) {
			/* r0 = watched word k; hold if it is nonzero. */
			const struct dc_insn prog[] = {
				DC_INSN(DC_LDWA, 0, 0, 0, 4 * k),
				DC_INSN(DC_RET, 0, 0, 0, 0),
			};
			box[2 + 2 * k] = (u32)exos_wait_pred(prog, 2, &watch, 1);
			box[3 + 2 * k] = 1;
		}
		return 0;
	}
	case 8: {
		const struct dc_insn never[] = { DC_INSN(DC_RETI, 0, 0, 0, 0) };
		exos_wait_pred(never, 1, NULL, 0);
		return 1;
	}
	case 9: {
		volatile u32 *k = (volatile u32 *)KINFO_VA;
		u32 v = k[0];
		k[0] = v + 1;
		return 0;
	}
	case 11:
		if (exos_sleep_ticks(2000000) < 0)
			return -1;
		return pipe_write((struct exos_pipe *)0x6000, "ok", 2, parent) == 2 ? 0 : -2;
	case 15: {
		volatile u32 *box = (volatile u32 *)0x6c00;
		u8 data[64];
		u32 n = box[1] < sizeof data ? box[1] : sizeof data;
		for (u32 i = 0; i < n; i++)
			data[i] = (u8)('a' + i);
		box[0] = (u32)until_asleep(parent);
		if (pipe_write((struct exos_pipe *)0x6000, data, n, parent) != (int)n)
			return -1;
		box[2] = (u32)until_asleep(parent);
		return 0;
	}
	case 10: {
		volatile u32 *box = (volatile u32 *)0x6000;
		u64 r = sys_sr_alloc(16);
		u32 name = (u32)r, check = (u32)(r >> 32);
		if ((int)name < 0 || sys_sr_write(name, check, 2, "hi") != 2)
			return -1;
		r = sys_sr_derive(name, check, 2, SR_R);     /* [0, 2) */
		box[0] = (u32)r;
		box[1] = (u32)(r >> 32);
		r = sys_cap_new(box[3], box[4], CAP_R);      /* below the parent's page capability */
		box[5] = (u32)r;
		box[6] = (u32)(r >> 32);
		box[2] = 1;
		const struct dc_insn never[] = { DC_INSN(DC_RETI, 0, 0, 0, 0) };
		exos_wait_pred(never, 1, NULL, 0);
		return 1;
	}
	case 3: {
		int seen = 0;                        /* the first of the parent's marks seen */
		for (int i = 0; i < 100; i++) {
			int r = yield_check(parent);
			if (r && !seen)
				seen = r;
		}
		return seen ? 200 + seen : 100;
	}
	default:
		return -1;
	}
}
