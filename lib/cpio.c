/* cpio.c: reading "newc" cpio archives (the initrd format). Every length is
 * checked against the archive's end, since the archive is untrusted input. */
#include "lib.h"

#define CPIO_HDR 110            /* "070701" + 13 eight-digit hex fields */

/* Parse 8 hex digits; returns -1 on a non-hex digit. */
static long hex8(const char *p)
{
	u32 v = 0;
	for (int i = 0; i < 8; i++) {
		char c = p[i];
		u32 d;
		if (c >= '0' && c <= '9')
			d = (u32)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (u32)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (u32)(c - 'A' + 10);
		else
			return -1;
		v = v << 4 | d;
	}
	return (long)v;
}

static size_t align4(size_t x) { return (x + 3) & ~(size_t)3; }

int cpio_next(const void *base, size_t len, size_t *pos, struct cpio_file *f)
{
	const char *a = base;
	size_t p = *pos;
	if (p > len || len - p < CPIO_HDR || lib_memcmp(a + p, "070701", 6) != 0)
		return -1;
	long mode = hex8(a + p + 14), filesize = hex8(a + p + 54), namesize = hex8(a + p + 94);
	if (mode < 0 || filesize < 0 || namesize < 1)
		return -1;
	size_t name_off = p + CPIO_HDR;
	if ((size_t)namesize > len - name_off || a[name_off + namesize - 1] != '\0')
		return -1;
	size_t data_off = align4(name_off + (size_t)namesize);
	if (data_off > len || (size_t)filesize > len - data_off)
		return -1;
	f->name = a + name_off;
	f->namelen = (size_t)namesize - 1;
	f->data = a + data_off;
	f->size = (size_t)filesize;
	f->mode = (u32)mode;
	if (f->namelen == 10 && lib_memcmp(f->name, "TRAILER!!!", 10) == 0)
		return 0;
	*pos = align4(data_off + (size_t)filesize);
	return 1;
}

int cpio_find(const void *base, size_t len, const char *name, struct cpio_file *f)
{
	size_t pos = 0, want = lib_strlen(name);
	int r;
	while ((r = cpio_next(base, len, &pos, f)) == 1) {
		const char *n = f->name;
		size_t nl = f->namelen;
		if (nl >= 2 && n[0] == '.' && n[1] == '/')
			n += 2, nl -= 2;
		else if (nl >= 1 && n[0] == '/')
			n += 1, nl -= 1;
		if ((f->mode & 0170000) == 0100000 && nl == want && lib_memcmp(n, name, nl) == 0)
			return 0;
	}
	return -1;
}
