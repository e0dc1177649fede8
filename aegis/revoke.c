/*
 * revoke.c: visible revocation and the abort protocol, for pages.
 *
 * A request to return k pages (revoke() by the parent, or the kernel itself
 * when memory runs low: mempress.c) reaches the environment as an upcall to
 * its revocation entry (a1 = k, a2 = REVOKE_REQUEST), the next time it runs
 * and never while its PC is in its critical range. The environment chooses
 * which pages to give back with page_unref; each one counts. If it has not
 * given back k pages by the end of REVOKE_SLICES of its slices (the slices of
 * the positions it owns as they pass, whether it runs in them or not; every
 * slice if it owns none: revoke_slice_passed), the abort
 * protocol takes the rest by force: pages it holds that are not vital
 * (guaranteed mappings last), each removed from its holders, its guaranteed
 * mappings and its translations, and recorded in its repossession vector;
 * then a repossession upcall (a1 = the number taken, a2 =
 * REVOKE_REPOSSESSED) tells it to read the vector (repossessed()) and repair
 * its own mappings. Up to NVITAL pages an environment marks vital are never
 * taken.
 *
 * Slice positions work the same way (revoke_slices): a REVOKE_SLICES_REQ
 * upcall, slice_free to comply, and after the deadline the kernel takes the
 * highest-numbered positions and says so with REVOKE_SLICES_TAKEN.
 */
#include "defs.h"

int revoke_request(struct env *e, u32 npages)
{
	if (npages == 0 || npages > MAX_PAGES)
		return -E_INVAL;
	if (e->revoke_notify == REVOKE_REPOSSESSED && e->revoke_entry)
		return -E_BUSY;          /* its last notice is on its way: asking now would erase it */
	e->revoke_want = npages;
	e->revoke_slices = REVOKE_SLICES;
	e->revoke_notify = REVOKE_REQUEST;
	return 0;
}

int revoke_slices_request(struct env *e, u32 n)
{
	if (n == 0 || n > (u32)slice_count(e))     /* unsigned: 0x80000000 is no small number */
		return -E_INVAL;
	e->revoke_slice_want = n;
	e->revoke_slice_ends = REVOKE_SLICES;
	e->slice_notify = REVOKE_SLICES_REQ;
	return 0;
}

void revoke_slice_free_hook(struct env *e)
{
	if (e->revoke_slice_want > 0 && --e->revoke_slice_want == 0) {
		e->revoke_slice_ends = 0;
		if (e->slice_notify == REVOKE_SLICES_REQ)
			e->slice_notify = 0;
	}
}

void revoke_unref_hook(struct env *e)
{
	if (e->revoke_want > 0 && --e->revoke_want == 0) {
		e->revoke_slices = 0;
		if (e->revoke_notify == REVOKE_REQUEST)
			e->revoke_notify = 0;     /* satisfied before it was even told */
	}
}

bool revoke_deliver_pending(struct env *e)
{
	bool pages = e->revoke_notify != 0;
	u32 kind = pages ? e->revoke_notify : e->slice_notify;
	if (!kind || !e->revoke_entry || (e->tf.epc >= e->crit_start && e->tf.epc < e->crit_end))
		return false;
	if (!upcall_deliver_to(e, &e->tf, e->revoke_entry))
		return false;
	e->tf.regs[R_A1] = kind == REVOKE_REQUEST ? e->revoke_want :
			   kind == REVOKE_REPOSSESSED ? e->nrepo :
			   kind == REVOKE_SLICES_REQ ? e->revoke_slice_want : e->slices_taken;
	e->tf.regs[R_A2] = kind;
	if (pages)
		e->revoke_notify = 0;
	else
		e->slice_notify = 0;
	return true;
}

bool page_is_vital(const struct env *e, u32 ppn)
{
	for (int i = 0; i < e->nvital; i++)
		if (e->vital[i] == ppn)
			return true;
	return false;
}

/* Take page ppn from e by force and record it. */
static void repossess(struct env *e, u32 ppn)
{
	gmap_remove_ppn(e, ppn);
	vm_unmap_ppn(e, ppn);
	page_unref(ppn, env_slot(e));
	if (e->nrepo < NREPO)
		e->repo[e->nrepo] = ppn;
	e->nrepo++;
}

/* Past the deadline for slices: take the positions still owed. */
static void revoke_slices_by_force(struct env *e)
{
	if (!e->revoke_slice_want || !e->revoke_slice_ends || --e->revoke_slice_ends)
		return;
	/* At most as many as it owns: the loop ends with its positions. */
	for (e->slices_taken = 0; e->revoke_slice_want > 0 && slice_take_one(e) >= 0;
	     e->revoke_slice_want--)
		e->slices_taken++;
	e->revoke_slice_want = 0;
	kprintf("[aegis] env %x (%s): did not return its slices; %u taken\n",
		e->id, e->name, e->slices_taken);
	e->slice_notify = REVOKE_SLICES_TAKEN;
}

/* Does e have a revocation deadline running? */
static bool deadline_pending(const struct env *e)
{
	return e->status != ENV_FREE && ((e->revoke_want && e->revoke_slices) ||
					 (e->revoke_slice_want && e->revoke_slice_ends));
}

void revoke_position_passed(struct env *e)
{
	if (deadline_pending(e))
		revoke_slice_end(e);
}

void revoke_slice_passed(int owner_slot)
{
	for (int i = 0; i < env_span; i++)
		if (deadline_pending(&envs[i]) && (i == owner_slot || slice_count(&envs[i]) == 0))
			revoke_slice_end(&envs[i]);
}

void revoke_slice_end(struct env *e)
{
	revoke_slices_by_force(e);
	if (!e->revoke_want || !e->revoke_slices || --e->revoke_slices)
		return;
	/* The abort protocol: ordinary pages first, then guaranteed mappings. */
	for (int pass = 0; pass < 2 && e->revoke_want; pass++)
		for (u32 p = 0; p < page_count() && e->revoke_want; p++) {
			if (!page_holds(p, env_slot(e)) || page_is_vital(e, p))
				continue;
			if ((gmap_find_ppn(e, p) != NULL) != (pass == 1))
				continue;
			repossess(e, p);
			e->revoke_want--;
		}
	e->revoke_want = 0;
	kprintf("[aegis] env %x (%s): did not return its pages; %u repossessed\n",
		e->id, e->name, e->nrepo);
	e->revoke_notify = REVOKE_REPOSSESSED;
}
