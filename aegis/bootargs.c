/*
 * bootargs.c: one description of the machine, whichever way we were booted.
 *
 * U-Boot bootm (a3 == 0): argc/argv are the words of `bootargs` (argv[0] is
 *   NULL), envp is a NULL-terminated list of "name=value" strings including
 *   memsize=<MiB>, initrd_start=<kseg1 address>, initrd_size=<bytes>.
 * QEMU -kernel (a3 == RAM size): argv[1] is the whole -append string, which
 *   QEMU prefixes with "rd_start=<kseg0 address> rd_size=<bytes>" when an
 *   initrd was given; envp is a NULL-terminated list of name, value, name,
 *   value... with memsize in bytes.
 * The firmware's pointers are only trusted to be in kseg0/kseg1 and every
 * walk is bounded.
 */
#include "defs.h"

struct bootinfo bootinfo;

#define MAX_WORDS 64

/* Is p a plausible firmware pointer (kseg0 or kseg1, inside low RAM)? */
static bool fw_ptr_ok(const void *p)
{
	u32 a = (u32)(uintptr_t)p;
	return a >= KSEG0 && a < KSEG2 && PADDR(a) < MAX_MEMSIZE;
}

/* Append word to the command line (space separated), truncating if full. */
static void cmdline_add(const char *word)
{
	char *c = bootinfo.cmdline;
	size_t n = lib_strlen(c), cap = sizeof(bootinfo.cmdline) - 1;
	if (n && n < cap)
		c[n++] = ' ';
	for (; *word && n < cap; word++)
		c[n++] = *word;
	c[n] = '\0';
}

/* Interpret one command-line word: our options, QEMU's rd_start/rd_size, or
 * anything else, which is kept in the command line as it stands. */
static void take_word(const char *w)
{
	if (!lib_strncmp(w, "rd_start=", 9))
		bootinfo.initrd_pa = PADDR(lib_strtou(w + 9, NULL));
	else if (!lib_strncmp(w, "rd_size=", 8))
		bootinfo.initrd_size = lib_strtou(w + 8, NULL);
	else {
		if (!lib_strncmp(w, "init=", 5)) {
			size_t i;
			for (i = 0; w[5 + i] && i < sizeof(bootinfo.init) - 1; i++)
				bootinfo.init[i] = w[5 + i];
			bootinfo.init[i] = '\0';
		} else if (!lib_strcmp(w, "ktest"))
			bootinfo.ktest = true;
		else if (!lib_strcmp(w, "kcheck"))
			bootinfo.kcheck = true;
		else if (!lib_strncmp(w, "lowmem=", 7))
			bootinfo.lowmem = lib_strtou(w + 7, NULL);
		cmdline_add(w);
	}
}

/* Split s at spaces and take each word (a word is cut at the command
 * line's own length). */
static void take_words(const char *s)
{
	char w[sizeof(bootinfo.cmdline)];
	while (*s) {
		while (*s == ' ')
			s++;
		size_t n = 0;
		while (*s && *s != ' ') {
			if (n < sizeof(w) - 1)
				w[n++] = *s;
			s++;
		}
		w[n] = '\0';
		if (n)
			take_word(w);
	}
}

/* One firmware variable: memsize (MiB from U-Boot, bytes from QEMU: values
 * below 64 Ki are taken as MiB), initrd_start, initrd_size. */
static void take_var(const char *name, size_t namelen, const char *val)
{
	if (namelen == 7 && !lib_strncmp(name, "memsize", 7)) {
		u32 v = lib_strtou(val, NULL);
		bootinfo.memsize = v < 0x10000 ? v << 20 : v;
	} else if (namelen == 12 && !lib_strncmp(name, "initrd_start", 12))
		bootinfo.initrd_pa = PADDR(lib_strtou(val, NULL));
	else if (namelen == 11 && !lib_strncmp(name, "initrd_size", 11))
		bootinfo.initrd_size = lib_strtou(val, NULL);
}

void bootargs_parse(int a0, char **a1, char **a2, u32 a3)
{
	bootinfo.init[0] = '\0';
	if (a3 != 0) {
		bootinfo.path = BOOT_DIRECT;
		bootinfo.memsize = a3;
		if (a0 >= 2 && fw_ptr_ok(a1) && fw_ptr_ok(a1[1]))
			take_words(a1[1]);
		for (int i = 0; fw_ptr_ok(a2) && i < MAX_WORDS && fw_ptr_ok(a2[i]) &&
				fw_ptr_ok(a2[i + 1]); i += 2)
			take_var(a2[i], lib_strlen(a2[i]), a2[i + 1]);
	} else {
		bootinfo.path = BOOT_UBOOT;
		for (int i = 1; fw_ptr_ok(a1) && i < a0 && i < MAX_WORDS; i++)
			if (fw_ptr_ok(a1[i]))
				take_words(a1[i]);
		for (int i = 0; fw_ptr_ok(a2) && i < MAX_WORDS && fw_ptr_ok(a2[i]); i++) {
			const char *s = a2[i];
			size_t n = 0;
			while (s[n] && s[n] != '=' && n < 64)
				n++;
			if (s[n] == '=')
				take_var(s, n, s + n + 1);
		}
	}
	if (bootinfo.memsize == 0 || bootinfo.memsize > MAX_MEMSIZE)
		bootinfo.memsize = MAX_MEMSIZE;
	if (bootinfo.initrd_pa + bootinfo.initrd_size > bootinfo.memsize ||
	    bootinfo.initrd_pa + bootinfo.initrd_size < bootinfo.initrd_pa)
		bootinfo.initrd_pa = bootinfo.initrd_size = 0;
	if (!bootinfo.init[0])
		lib_snprintf(bootinfo.init, sizeof(bootinfo.init), "init");
}
