/*
 * slice.c: the processor as a vector of time slices, scheduled round robin.
 *
 * Each of the NSLICES positions is free or owned by an environment; the
 * CP0 Count/Compare timer marks the end of each slice. At the end of a slice
 * the running environment, if it registered an epilogue entry, is sent there
 * (like an exception upcall) and has GRACE_TICKS to say it is done
 * (slice_done); if it overruns, it loses its next slice, and after
 * OVERRUN_LIMIT overruns in a row it is destroyed. An environment without an
 * epilogue is switched out by the kernel (its registers are already saved in
 * its trapframe). Then the owner of the next position runs, sent first to
 * its prologue entry if it registered one (set_prologue): the start-of-slice
 * notification, on its own slice's time (see slice_next).
 *
 * Positions are charged against the owner's slice budget and its
 * ancestors' (limit.c): a child holds one unless its parent lets it hold
 * more, so no environment can take every position hostage.
 */
#include "defs.h"

static s8 owner[NSLICES];            /* env slot owning each position, -1 = free */
static int cur_pos = -1;             /* the position whose time is running */

void slice_init(void)
{
	for (int i = 0; i < NSLICES; i++)
		owner[i] = -1;
}

int slice_alloc(struct env *e, int pos)
{
	if (pos == -1) {
		for (pos = 0; pos < NSLICES && owner[pos] >= 0; pos++)
			;
		if (pos == NSLICES)
			return -E_NOMEM;
	} else if (pos < 0 || pos >= NSLICES) {
		return -E_INVAL;
	} else if (owner[pos] >= 0) {
		return -E_BUSY;
	}
	int r = limit_charge(e, LIM_SLICES, 1);
	if (r < 0)
		return r;
	owner[pos] = (s8)env_slot(e);
	kinfo_pub->slice_owner[pos] = e->id;
	return pos;
}

/* Position pos is no longer e's. */
static void slice_drop(struct env *e, int pos)
{
	owner[pos] = -1;
	kinfo_pub->slice_owner[pos] = 0;
	limit_uncharge(e, LIM_SLICES, 1);
}

int slice_free(struct env *e, int pos)
{
	if (pos < 0 || pos >= NSLICES)
		return -E_INVAL;
	if (owner[pos] != env_slot(e))
		return -E_PERM;
	slice_drop(e, pos);
	return 0;
}

int slice_take_one(struct env *e)
{
	for (int i = NSLICES - 1; i >= 0; i--)
		if (owner[i] == env_slot(e)) {
			slice_drop(e, i);
			return i;
		}
	return -1;
}

void slice_release_all(struct env *e)
{
	for (int i = 0; i < NSLICES; i++)
		if (owner[i] == env_slot(e))
			slice_drop(e, i);
}

int slice_owner(int pos)
{
	return owner[pos];
}

int slice_count(const struct env *e)
{
	int n = 0;
	for (int i = 0; i < NSLICES; i++)
		n += owner[i] == env_slot(e);
	return n;
}

/* Count ticks from now until the timer interrupts (writing Compare also
 * clears a pending timer interrupt). Compare must still be ahead of Count
 * once written: the timer fires only when Count reaches it, so one left
 * behind would fire after Count wraps, 26.8 s later, and whoever runs keeps
 * the processor till then. Under QEMU without -icount, Count follows the
 * host's clock, and a host that deschedules the emulator between the read
 * and the write for longer than ticks (a loaded machine) does just that:
 * then arm again from the new Count (a few tries; each has ticks to
 * succeed in). */
void timer_set(u32 ticks)
{
	for (int i = 0; i < 4; i++) {
		u32 at = mfc0(C0_COUNT, 0) + ticks;
		mtc0(C0_COMPARE, 0, at);
		if ((s32)(at - mfc0(C0_COUNT, 0)) > 0)
			return;
	}
}

/* The owner of the next position that may run; penalised owners skip one
 * slice per overrun. NULL if no position has a runnable owner. *own: the
 * environment returned owns the position (false: an scall caller's slice
 * donated to its callee). *skipped: the slots whose positions the first
 * pass skipped (owner asleep, waiting or penalised): a slice of each passes,
 * for their revocation deadlines (the caller counts them). */
static struct env *next_owner(bool *own, u64 *skipped)
{
	*skipped = 0;
	for (int pass = 0; pass < 2; pass++)
		for (int i = 1; i <= NSLICES; i++) {
			int pos = (cur_pos + i) % NSLICES;
			if (owner[pos] < 0)
				continue;
			struct env *e = &envs[owner[pos]];
			*own = true;
			/* An environment blocked in an scall donates its slices. */
			if (e->status == ENV_WAITING && e->waiting_on &&
			    e->waiting_on->status == ENV_RUNNABLE) {
				e = e->waiting_on;
				*own = false;
			}
			bool skip = (e->status == ENV_SLEEPING && !wk_poll(e)) ||
				    e->status != ENV_RUNNABLE;
			if (!skip && e->penalty > 0 && pass == 0) {
				e->penalty--;
				skip = true;
			}
			if (skip) {
				if (pass == 0)
					*skipped |= 1ull << owner[pos];
				continue;
			}
			cur_pos = pos;
			kinfo_pub->slice_pos = (u32)pos;
			return e;
		}
	return NULL;
}

/* Is pc inside e's critical range (where it uses its save area)? */
static bool in_critical(const struct env *e, u32 pc)
{
	return pc >= e->crit_start && pc < e->crit_end;
}

/* The prologue: e's own slice begins. It is sent to its prologue entry like
 * an exception upcall (a0 = the PC it was at, in the save area with a0..a2),
 * unless it has no prologue or no save area, its PC is in its critical range,
 * or env_switch has just sent it to a revocation upcall (which uses the same
 * save area; revocation has a deadline, so it goes first and this slice has
 * no prologue). The prologue runs on e's slice, which has already begun:
 * the timer is not touched, so a prologue that never returns ends with the
 * slice like any other code. */
static void slice_prologue(struct env *e)
{
	if (e->prologue && !in_critical(e, e->tf.epc))
		upcall_deliver_to(e, &e->tf, e->prologue);
}

struct trapframe *slice_next(void)
{
	revoke_slice_passed(cur_pos >= 0 ? owner[cur_pos] : -1);   /* the slice at cur_pos is over */
	bool own = false;
	u64 skipped;
	struct env *e = next_owner(&own, &skipped);
	for (int i = 0; skipped; i++, skipped >>= 1)
		if ((skipped & 1) && envs[i].status != ENV_FREE)
			revoke_position_passed(&envs[i]);
	timer_set(SLICE_TICKS);
	if (!e)
		return sched();          /* runnable environments without slices */
	if (!env_switch(e) && own)
		slice_prologue(e);
	return &e->tf;
}

int slice_set_prologue(struct env *e, u32 entry)
{
	if (entry >= USER_TOP || (entry & 3))
		return -E_INVAL;
	e->prologue = entry;
	return 0;
}

struct trapframe *slice_end(struct trapframe *tf)
{
	struct env *e = curenv;
	if (e && e->in_grace) {
		e->in_grace = false;
		e->overruns++;
		e->penalty++;
		if (e->overruns > OVERRUN_LIMIT) {
			kprintf("[aegis] env %x (%s): overran its slice %d times; aborted\n",
				e->id, e->name, e->overruns);
			env_record_exit(e, EXIT_ABORTED);
			ktest_env_exit(e, EXIT_ABORTED);
			env_destroy(e);
		}
	} else if (e && e->epilogue && !in_critical(e, tf->epc) &&
		   upcall_deliver_to(e, tf, e->epilogue)) {
		e->in_grace = true;
		timer_set(GRACE_TICKS);
		return tf;
	}
	return slice_next();
}

void slice_done(struct env *e)
{
	e->in_grace = false;
	e->overruns = 0;
}
