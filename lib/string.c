/* string.c: string and memory helpers. memcpy/memset/memmove are also the
 * symbols gcc may call for structure copies in freestanding code. */
#include "lib.h"

size_t lib_strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

size_t lib_strnlen(const char *s, size_t max)
{
	size_t n = 0;
	while (n < max && s[n])
		n++;
	return n;
}

int lib_strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int lib_strncmp(const char *a, const char *b, size_t n)
{
	for (; n > 0; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

int lib_memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;
	for (; n > 0; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

u32 lib_strtou(const char *s, const char **end)
{
	u32 v = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		for (;; s++) {
			if (*s >= '0' && *s <= '9')
				v = v * 16 + (u32)(*s - '0');
			else if (*s >= 'a' && *s <= 'f')
				v = v * 16 + (u32)(*s - 'a' + 10);
			else if (*s >= 'A' && *s <= 'F')
				v = v * 16 + (u32)(*s - 'A' + 10);
			else
				break;
		}
	} else {
		for (; *s >= '0' && *s <= '9'; s++)
			v = v * 10 + (u32)(*s - '0');
	}
	if (end)
		*end = s;
	return v;
}
