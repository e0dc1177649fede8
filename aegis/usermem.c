/* usermem.c: reading and writing the current environment's memory through
 * its own mappings, so a system call can touch only what the caller could. */
#include "defs.h"

bool user_range_ok(u32 va, u32 len)
{
	return va < USER_TOP && len <= USER_TOP - va;
}

int copyin(void *dst, u32 usrc, u32 len)
{
	if (!user_range_ok(usrc, len))
		return -E_FAULT;
	return user_copy(dst, (const void *)(uintptr_t)usrc, len);
}

int copyout(u32 udst, const void *src, u32 len)
{
	if (!user_range_ok(udst, len))
		return -E_FAULT;
	return user_copy((void *)(uintptr_t)udst, src, len);
}
