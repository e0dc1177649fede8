/* mem.c: memcpy, memmove and memset for freestanding builds (gcc emits calls
 * to them for structure copies). Not built into the host-side tests, which use
 * the host's C library. */
#include "lib.h"

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	if ((((uintptr_t)d | (uintptr_t)s | n) & 3) == 0) {
		for (; n >= 4; n -= 4, d += 4, s += 4)
			*(u32 *)d = *(const u32 *)s;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	if ((((uintptr_t)d | n) & 3) == 0) {
		u32 w = (u8)c * 0x01010101u;
		for (; n >= 4; n -= 4, d += 4)
			*(u32 *)d = w;
	}
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}
