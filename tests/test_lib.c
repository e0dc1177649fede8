/*
 * test_lib.c: host-side unit tests of lib/ (formatting, strings, cpio, ELF),
 * compiled natively with AddressSanitizer so that every bounds check in the
 * parsers is exercised against real out-of-bounds detection. Prints KTAP.
 */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include "../lib/lib.h"
#include "ktap.h"


static void test_format(void)
{
	char b[64];
	lib_snprintf(b, sizeof b, "%d|%i|%u|%x|%X|%o|%c|%s|%%", -7, 0, 4000000000u, 0xabcu, 0xabcu, 8, 'q', "s");
	CHECK(strcmp(b, "-7|0|4000000000|abc|ABC|10|q|s|%") == 0);
	lib_snprintf(b, sizeof b, "[%5d][%-5d][%05d][%-4s][%4s]", 42, 42, -42, "ab", "ab");
	CHECK(strcmp(b, "[   42][42   ][-0042][ab  ][  ab]") == 0);
	lib_snprintf(b, sizeof b, "%d %u", -2147483647 - 1, 0u);
	CHECK(strcmp(b, "-2147483648 0") == 0);
	lib_snprintf(b, sizeof b, "%p", (void *)0x1234);
	CHECK(strcmp(b, "0x00001234") == 0);
	lib_snprintf(b, sizeof b, "%s", (char *)NULL);
	CHECK(strcmp(b, "(null)") == 0);
	lib_snprintf(b, sizeof b, "%lu %lx", 5ul, 0xfful);
	CHECK(strcmp(b, "5 ff") == 0);
}

static void test_format_truncation(void)
{
	char b[8];
	memset(b, 'X', sizeof b);
	CHECK(lib_snprintf(b, 5, "%s", "abcdefgh") == 8);
	CHECK(strcmp(b, "abcd") == 0 && b[5] == 'X');
	CHECK(lib_snprintf(b, 0, "%d", 123) == 3 && b[0] == 'a');
	CHECK(lib_snprintf(b, 1, "%d", 123) == 3 && b[0] == '\0');
}

static void test_strings(void)
{
	const char *end;
	CHECK(lib_strtou("0x1F", &end) == 31 && *end == '\0');
	CHECK(lib_strtou("256 rest", &end) == 256 && *end == ' ');
	CHECK(lib_strtou("", &end) == 0);
	CHECK(lib_strcmp("abc", "abd") < 0 && lib_strcmp("b", "a") > 0 && lib_strcmp("x", "x") == 0);
	CHECK(lib_strncmp("init=foo", "init=", 5) == 0 && lib_strncmp("ab", "abc", 3) < 0);
	CHECK(lib_strnlen("abcdef", 3) == 3 && lib_strlen("") == 0);
	CHECK(lib_memcmp("\x01\x02", "\x01\x03", 2) < 0);
}

/* Build a newc archive in buf; returns its length. */
static size_t cpio_add(char *buf, size_t pos, const char *name, const char *data, size_t len, unsigned mode)
{
	size_t nl = strlen(name) + 1;
	pos += (size_t)sprintf(buf + pos, "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X",
			       1u, mode, 0u, 0u, 1u, 0u, len, 0u, 0u, 0u, 0u, nl, 0u);
	memcpy(buf + pos, name, nl);
	pos += nl;
	while (pos & 3)
		buf[pos++] = 0;
	memcpy(buf + pos, data, len);
	pos += len;
	while (pos & 3)
		buf[pos++] = 0;
	return pos;
}

static size_t make_archive(char *buf)
{
	size_t n = 0;
	n = cpio_add(buf, n, ".", "", 0, 040755);
	n = cpio_add(buf, n, "./init", "INITDATA", 8, 0100755);
	n = cpio_add(buf, n, "utest", "U", 1, 0100755);
	n = cpio_add(buf, n, "TRAILER!!!", "", 0, 0);
	return n;
}

static void test_cpio_find(void)
{
	char buf[1024];
	size_t n = make_archive(buf);
	struct cpio_file f;
	CHECK(cpio_find(buf, n, "init", &f) == 0 && f.size == 8 && memcmp(f.data, "INITDATA", 8) == 0);
	CHECK(cpio_find(buf, n, "utest", &f) == 0 && f.size == 1);
	CHECK(cpio_find(buf, n, "missing", &f) == -1);
	CHECK(cpio_find(buf, n, ".", &f) == -1);          /* a directory is not a program */
	CHECK(cpio_find(buf, n, "ini", &f) == -1);        /* no prefix matches */
}

/* Every truncation and every corrupted byte of the header must be rejected
 * or parsed without reading outside the archive (ASan checks the latter). */
static void test_cpio_malformed(void)
{
	char buf[1024];
	size_t n = make_archive(buf);
	struct cpio_file f;
	for (size_t len = 0; len < n; len++) {
		char *copy = malloc(len ? len : 1);
		memcpy(copy, buf, len);
		(void)cpio_find(copy, len, "utest", &f);
		free(copy);
	}
	char bad[1024];
	memcpy(bad, buf, n);
	memcpy(bad + 54, "FFFFFFFF", 8);                   /* huge file size */
	CHECK(cpio_find(bad, n, "init", &f) == -1);
	memcpy(bad, buf, n);
	bad[0] = 'X';                                      /* bad magic */
	CHECK(cpio_find(bad, n, "init", &f) == -1);
	memcpy(bad, buf, n);
	memcpy(bad + 94, "0000000G", 8);                   /* non-hex name size */
	CHECK(cpio_find(bad, n, "init", &f) == -1);
}

/* A minimal ELF32 LE MIPS executable with one PT_LOAD. */
struct mini_elf { unsigned char e[52]; unsigned char ph[32]; unsigned char body[64]; };

static void put32(unsigned char *p, uint32_t v) { memcpy(p, &v, 4); }
static void put16(unsigned char *p, uint16_t v) { memcpy(p, &v, 2); }

static void make_elf(struct mini_elf *m, uint32_t vaddr, uint32_t filesz, uint32_t memsz)
{
	memset(m, 0, sizeof *m);
	memcpy(m->e, "\177ELF\1\1\1", 7);
	put16(m->e + 16, 2);            /* ET_EXEC */
	put16(m->e + 18, 8);            /* EM_MIPS */
	put32(m->e + 20, 1);
	put32(m->e + 24, vaddr);        /* entry */
	put32(m->e + 28, 52);           /* phoff */
	put16(m->e + 42, 32);           /* phentsize */
	put16(m->e + 44, 1);            /* phnum */
	put32(m->ph + 0, 1);            /* PT_LOAD */
	put32(m->ph + 4, 84);           /* offset of body */
	put32(m->ph + 8, vaddr);
	put32(m->ph + 16, filesz);
	put32(m->ph + 20, memsz);
	put32(m->ph + 24, 5);           /* R+X */
}

static void test_elf(void)
{
	static struct mini_elf m __attribute__((aligned(4)));
	uint32_t entry;
	struct elf_segment seg;
	make_elf(&m, 0x400000, 64, 4096);
	CHECK(elf_check(&m, sizeof m, &entry) == 1 && entry == 0x400000);
	CHECK(elf_segment(&m, sizeof m, 0, 0x80000000u, &seg) == 1);
	CHECK(seg.vaddr == 0x400000 && seg.filesz == 64 && seg.memsz == 4096 && seg.exec && !seg.write);
	CHECK(elf_segment(&m, sizeof m, 1, 0x80000000u, &seg) == -1);     /* no such header */
	make_elf(&m, 0x400000, 65, 4096);                                 /* file bytes past end */
	CHECK(elf_segment(&m, sizeof m, 0, 0x80000000u, &seg) == -1);
	make_elf(&m, 0x400000, 64, 32);                                   /* filesz > memsz */
	CHECK(elf_segment(&m, sizeof m, 0, 0x80000000u, &seg) == -1);
	make_elf(&m, 0x7ffff000, 64, 0x2000);                             /* reaches kseg0 */
	CHECK(elf_segment(&m, sizeof m, 0, 0x80000000u, &seg) == -1);
	make_elf(&m, 0xfffff000, 64, 0x2000);                             /* wraps */
	CHECK(elf_segment(&m, sizeof m, 0, 0x80000000u, &seg) == -1);
	make_elf(&m, 0x400000, 64, 64);
	CHECK(elf_check(&m, 40, &entry) == -1);                           /* truncated header */
	CHECK(elf_check(&m, 60, &entry) == -1);                           /* truncated phdrs */
	m.e[5] = 2;                                                       /* big-endian */
	CHECK(elf_check(&m, sizeof m, &entry) == -1);
	make_elf(&m, 0x400000, 64, 64);
	put16(m.e + 44, 0xffff);                                          /* phnum too big */
	CHECK(elf_check(&m, sizeof m, &entry) == -1);
}


/* --- mutation fuzzing of the readers of untrusted images ------------------
 * Each case copies a seed (a built archive or ELF, or one passed on the
 * command line) into a heap block of exactly its length, so that AddressSanitizer
 * traps any read past the end, flips, overwrites or truncates a few bytes,
 * and runs the reader. Whatever the reader accepts must lie inside the image:
 * names, data and file bytes within [img, img+len), segments below the limit.
 * The cases come from a fixed seed so a failure replays. */
static unsigned long fuzz_cases = 20000;
static const char *seed_files[8];
static int nseed_files;

static uint32_t rng_next(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*s >> 33);
}

/* Mutate buf[0..*len) in place (capacity cap): 1-4 edits of one kind each. */
static void mutate(unsigned char *buf, size_t *len, size_t cap, uint64_t *s)
{
	static const uint32_t edge[] = { 0, 1, 3, 4, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff,
					 0x80000000u, 0xfffffffcu, 0xffffffffu };
	int edits = 1 + (int)(rng_next(s) % 4);
	for (int k = 0; k < edits && *len; k++) {
		size_t at = rng_next(s) % *len;
		switch (rng_next(s) % 6) {
		case 0: buf[at] ^= (unsigned char)(1u << (rng_next(s) % 8)); break;
		case 1: buf[at] = (unsigned char)rng_next(s); break;
		case 2: if (*len - at >= 4) {          /* an edge value in a 32-bit field */
				uint32_t v = edge[rng_next(s) % (sizeof edge / sizeof edge[0])];
				memcpy(buf + (at & ~(size_t)3), &v, 4);
			} break;
		case 3: if (*len - at >= 8) {          /* an edge value in hex, as cpio writes it */
				char hex[9];
				snprintf(hex, sizeof hex, "%08X", edge[rng_next(s) % (sizeof edge / sizeof edge[0])]);
				memcpy(buf + at, hex, 8);
			} break;
		case 4: *len = at; break;                  /* truncate */
		case 5: if (*len < cap) buf[(*len)++] = (unsigned char)rng_next(s); break;
		}
	}
}

static bool inside(const void *p, size_t n, const void *base, size_t len)
{
	const char *a = p, *b = base;
	return a >= b && (size_t)(a - b) <= len && n <= len - (size_t)(a - b);
}

/* Run the cpio reader over img[0..len); count what it accepted outside. */
static void check_cpio(const unsigned char *img, size_t len)
{
	size_t pos = 0;
	struct cpio_file f;
	for (int steps = 0; steps < 10000 && cpio_next(img, len, &pos, &f) == 1; steps++)
		CHECK(inside(f.name, f.namelen + 1, img, len) && inside(f.data, f.size, img, len) && pos <= len + 3);
	if (cpio_find(img, len, "init", &f) == 0)
		CHECK(inside(f.data, f.size, img, len));
}

static void check_elf(const unsigned char *img, size_t len)
{
	u32 entry;
	int n = elf_check(img, len, &entry);
	for (int i = 0; i < n; i++) {
		struct elf_segment seg;
		if (elf_segment(img, len, i, 0x80000000u, &seg) == 1)
			CHECK(seg.offset <= len && seg.filesz <= len - seg.offset && seg.filesz <= seg.memsz &&
			      seg.vaddr < 0x80000000u && seg.memsz <= 0x80000000u - seg.vaddr);
	}
}

static unsigned char *read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	fseek(fp, 0, SEEK_END);
	long n = ftell(fp);
	rewind(fp);
	unsigned char *b = n > 0 ? malloc((size_t)n) : NULL;
	if (b && fread(b, 1, (size_t)n, fp) != (size_t)n) {
		free(b);
		b = NULL;
	}
	fclose(fp);
	*len = b ? (size_t)n : 0;
	return b;
}

/* Fuzz one reader from one seed for `cases` cases. */
static void fuzz_seed(const unsigned char *seed, size_t n, void (*check)(const unsigned char *, size_t),
		      uint64_t s, unsigned long cases)
{
	size_t cap = n + 16;
	unsigned char *work = malloc(cap);
	for (unsigned long c = 0; c < cases; c++) {
		size_t len = n;
		memcpy(work, seed, n);
		mutate(work, &len, cap, &s);
		/* An exact-size, 4-aligned heap copy: ASan's redzone starts at len. */
		unsigned char *img = malloc(len ? len : 1);
		memcpy(img, work, len);
		check(img, len);
		free(img);
	}
	free(work);
}

/* Seeds named on the command line: ELF images start with \177ELF, the rest
 * are taken as cpio archives (whose members are fuzzed as ELFs too). */
static void fuzz_files(void)
{
	for (int i = 0; i < nseed_files; i++) {
		size_t n;
		unsigned char *b = read_file(seed_files[i], &n);
		CHECK(b != NULL);
		if (!b)
			continue;
		if (n >= 4 && memcmp(b, "\177ELF", 4) == 0) {
			fuzz_seed(b, n, check_elf, 0xe1f0000u + (uint64_t)i, fuzz_cases / 4);
		} else {
			fuzz_seed(b, n, check_cpio, 0xc910000u + (uint64_t)i, fuzz_cases / 4);
			size_t pos = 0;
			struct cpio_file f;
			while (cpio_next(b, n, &pos, &f) == 1)
				if (f.size >= 4 && memcmp(f.data, "\177ELF", 4) == 0) {
					unsigned char *e = malloc(f.size);
					memcpy(e, f.data, f.size);
					fuzz_seed(e, f.size, check_elf, 0xe1f1000u + pos, fuzz_cases / 16);
					free(e);
				}
		}
		free(b);
	}
}

static void test_fuzz_cpio(void)
{
	char buf[1024];
	size_t n = make_archive(buf);
	fuzz_seed((unsigned char *)buf, n, check_cpio, 20261201, fuzz_cases);
}

static void test_fuzz_elf(void)
{
	static struct mini_elf m;
	make_elf(&m, 0x400000, 64, 4096);
	fuzz_seed((unsigned char *)&m, sizeof m, check_elf, 20261202, fuzz_cases);
}

static const struct unit_test tests[] = {
	{ "format", test_format },
	{ "format_truncation", test_format_truncation },
	{ "strings", test_strings },
	{ "cpio_find", test_cpio_find },
	{ "cpio_malformed", test_cpio_malformed },
	{ "elf", test_elf },
	{ "fuzz_cpio", test_fuzz_cpio },
	{ "fuzz_elf", test_fuzz_elf },
	{ "fuzz_seed_files", fuzz_files },
};

/* test_lib [--fuzz CASES] [SEED-FILE...]: CASES mutated images per seed
 * (default 20000); seed files (built ELFs, the initrd) are fuzzed too. */
int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--fuzz") == 0 && i + 1 < argc)
			fuzz_cases = strtoul(argv[++i], NULL, 0);
		else if (nseed_files < (int)(sizeof seed_files / sizeof seed_files[0]))
			seed_files[nseed_files++] = argv[i];
	}
	return ktap_run(tests, (int)(sizeof tests / sizeof tests[0]));
}
