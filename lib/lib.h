/*
 * lib.h: pure logic shared by Aegis, ExOS and the host-side unit tests.
 * Nothing here touches hardware; every function is defined in the file named
 * in the comment above its group.
 */
#ifndef LIB_H
#define LIB_H
#include "../aegis/types.h"

/* printfmt.c */
typedef void (*putc_fn)(int c, void *arg);
/* Format fmt with ap, calling out(c, arg) for each character. Supports
 * %d %i %u %x %X %o %p %s %c %% with flags '-' '0', a field width and the
 * length modifier 'l' (ignored: int and long are both 32 bits here).
 * Returns the number of characters produced. */
int vformat(putc_fn out, void *arg, const char *fmt, va_list ap);
/* Like C's snprintf: writes at most n-1 characters and a NUL (if n > 0);
 * returns the length the full output would have. */
int lib_snprintf(char *buf, size_t n, const char *fmt, ...);
int lib_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);

/* string.c */
size_t lib_strlen(const char *s);
size_t lib_strnlen(const char *s, size_t max);
int lib_strcmp(const char *a, const char *b);
int lib_strncmp(const char *a, const char *b, size_t n);
int lib_memcmp(const void *a, const void *b, size_t n);
/* Parse an unsigned number: "0x" prefix = hex, else decimal. Stops at the
 * first character that is not a digit; *end (if not NULL) points there. */
u32 lib_strtou(const char *s, const char **end);

/* Xorshift32: a small, fast, NOT cryptographic generator for tests and
 * benchmarks (state must not be 0). Returns the next value. */
static inline u32 xorshift32(u32 *state)
{
	u32 x = *state;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}

/* cpio.c: the "newc" (070701) format that `cpio -H newc` writes. */
struct cpio_file {
	const char *name;      /* not NUL-terminated inside the archive: use namelen */
	size_t namelen;        /* without the trailing NUL */
	const void *data;
	size_t size;
	u32 mode;
};
/* Walk the archive [base, base+len): *pos is the cursor (start at 0). Fills
 * *f with the next entry and returns 1, returns 0 at the trailer, or -1 if
 * the archive is malformed or an entry runs past its end. */
int cpio_next(const void *base, size_t len, size_t *pos, struct cpio_file *f);
/* Find the regular file called name (no leading "./" or "/"). Returns 0 and
 * fills *f, or -1 if absent or the archive is malformed. */
int cpio_find(const void *base, size_t len, const char *name, struct cpio_file *f);

/* elf.c: 32-bit little-endian MIPS executables. */
struct elf_segment {
	u32 vaddr, memsz;      /* where it goes and how much (bss included) */
	u32 offset, filesz;    /* what to copy from the file */
	bool write, exec;
};
/* Check that [img, img+len) is an ELF32 LE MIPS executable whose program
 * headers lie inside the image. Returns the entry point via *entry and the
 * number of program headers, or -1. */
int elf_check(const void *img, size_t len, u32 *entry);
/* Fetch the i-th loadable segment. Returns 1 with *seg filled, 0 if the
 * header i is not PT_LOAD, or -1 if it is malformed: file bytes outside the
 * image, filesz > memsz, an address range that wraps or reaches limit. */
int elf_segment(const void *img, size_t len, int i, u32 limit, struct elf_segment *seg);

#endif
