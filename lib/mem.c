/* mem.c: memcpy, memmove and memset for freestanding builds (gcc emits calls
 * to them for structure copies). Not built into the host-side tests, which use
 * the host's C library. */
#include "lib.h"

/* Words (four to a step) whenever both ends are word-aligned, whatever n
 * is, then the last bytes: a network frame of 74 bytes is mostly words. */
void *memcpy(void *dst, const void *src, size_t n)
{
	typedef u32 __attribute__((may_alias)) u32a;
	unsigned char *d = dst;
	const unsigned char *s = src;
	if ((((uintptr_t)d | (uintptr_t)s) & 3) == 0) {
		for (; n >= 16; n -= 16, d += 16, s += 16) {
			u32 a = ((const u32a *)s)[0], b = ((const u32a *)s)[1];
			u32 c = ((const u32a *)s)[2], e = ((const u32a *)s)[3];
			((u32a *)d)[0] = a;
			((u32a *)d)[1] = b;
			((u32a *)d)[2] = c;
			((u32a *)d)[3] = e;
		}
		for (; n >= 4; n -= 4, d += 4, s += 4)
			*(u32a *)d = *(const u32a *)s;
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
