/*
 * exos.h: the ExOS library operating system, as an application sees it.
 * Functions are grouped by the file that defines them.
 */
#ifndef EXOS_H
#define EXOS_H
#include "../aegis/types.h"
#include "../aegis/abi.h"
#include "../lib/lib.h"
#include "syscalls.h"          /* generated: sys_<name>() stubs */

/* start.c */
extern u32 exos_envid;         /* this environment's id */
int main(void);
void exit(int status) __attribute__((noreturn));

/* console.c */
/* Formatted output to the console, buffered per line through sys_cputs. */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
void console_flush(void);

/* cycles.c */
/* Read the CP0 Count register from user mode (rdhwr $2, enabled by Aegis). */
static inline u32 read_count(void)
{
	u32 c;
	__asm__ volatile(".set push\n\t.set mips32r2\n\trdhwr %0, $2\n\t.set pop" : "=r"(c));
	return c;
}

#endif
